/* smooth: time smoothing for the NTP server (the smoothtime directive),
 * with chrony 4.x's algorithm and figures.
 *
 * Our clock's corrections (slews, frequency changes, and with leaponly only
 * leap seconds) are not passed on to NTP clients at once: their sum is
 * kept as an offset that is added to the cooked time we serve, and that
 * offset is worked off along a path whose frequency never exceeds max_freq
 * and whose frequency changes at most by max_wander per second. The path is
 * a quadratic spline of at most three pieces ("stages"):
 *
 *   1. the frequency ramps at +-max_wander towards the side that reduces
 *      the offset (or, when it already overshoots, away from it);
 *   2. it stays at max_freq as long as needed (only when the limit is hit);
 *   3. it ramps back to zero, reaching it exactly when the offset does.
 *
 * Every correction re-plans the stages from the offset and frequency the
 * path has reached. A step of the clock resets the offset and frequency to
 * zero (chrony does not smooth steps, not even leap seconds stepped in
 * leapsecmode step).
 *
 * Activation: after start the module is "locked" and ignores corrections
 * until one arrives while the tracking skew is below max_wander times
 * SMOOTH_UNLOCK_SKEW_WANDER_RATIO (with leaponly: the first one at all), or
 * until `smoothtime activate`; the correction that activates it is itself
 * not smoothed. `smoothtime reset` zeroes the offset and frequency but
 * leaves the module active (or locked).
 *
 * Conventions (chrony's, as discipline.h tells its clock listeners):
 * offsets are positive when our clock is moved back; dfreq is relative,
 * positive when the clock was slowed down. The smoothing offset is added to
 * the cooked time to get the served time: positive means clients get time
 * ahead of our best estimate. Frequencies inside are fractions (not ppm).
 *
 * Pure: times (cooked, of our clock) and the tracking skew come in as
 * arguments; the daemon's glue (chronyd/smoothing) logs activation. */
#ifndef CW_SMOOTH_H
#define CW_SMOOTH_H

#include <stdbool.h>
#include <time.h>

/* Stages of the smoothing path (see above). */
#define SMOOTH_STAGES 3
/* Corrections start to be smoothed once skew / max_wander is below this
 * (the skew as a fraction, max_wander as a fraction per second). */
#define SMOOTH_UNLOCK_SKEW_WANDER_RATIO 10000.0

struct smooth_stage {
    double wander;             /* frequency change rate (1/s), signed */
    double length_s;
};

struct smooth {
    bool enabled;
    bool leap_only;
    bool locked;               /* not activated yet */
    double max_freq;           /* fraction */
    double max_wander;         /* fraction per second */
    double offset_s;           /* offset and frequency at last_update */
    double freq;
    struct timespec last_update;   /* zero until first activated or reset */
    struct smooth_stage stages[SMOOTH_STAGES];
};

/* Set up from the smoothtime directive's values; returns false (and the
 * module stays disabled: every call below is a no-op, offsets 0) unless
 * both limits are positive. */
bool smooth_init(struct smooth *sm, double max_freq_ppm, double max_wander_ppm_s, bool leap_only);
bool smooth_enabled(const struct smooth *sm);

/* The offset to add to cooked time `now` for serving it. */
double smooth_get_offset(const struct smooth *sm, const struct timespec *now);

/* The clock's frequency (dfreq) and/or offset (doffset) were adjusted at
 * cooked time `when` (before the change), as tracking updates, dfreq,
 * doffset and fallback drifts do. skew is the tracking skew (fraction).
 * Returns true when this activated smoothing. */
bool smooth_clock_adjusted(struct smooth *sm, const struct timespec *when, double dfreq,
                           double doffset, double skew);

/* The clock was stepped back by offset_s at cooked time `when` (before the
 * step): smoothing starts again from zero. */
void smooth_clock_stepped(struct smooth *sm, const struct timespec *when, double offset_s);

/* A leap second (+1 inserted, -1 deleted) is being carried out at cooked
 * time `when`, before the clock is slewed (smooth_clock_adjusted() with its
 * correction follows) or stepped (smooth_clock_stepped() follows). With
 * leaponly this is what gets smoothed. Returns true when this activated
 * smoothing. */
bool smooth_leap(struct smooth *sm, const struct timespec *when, int leap, double skew);

/* `smoothtime reset`: offset and frequency zero from `now`. */
void smooth_reset(struct smooth *sm, const struct timespec *now);
/* `smoothtime activate`: true when it was locked and is now active. */
bool smooth_activate(struct smooth *sm, const struct timespec *now);

/* `chronyc smoothing`. Frequency and wander are those of the served time
 * relative to ours (ppm, ppm/s; negative: the served time runs slower /
 * is slowing down). last_update_ago and remaining_time are 0 while locked. */
struct smooth_report {
    bool active;
    bool leap_only;
    double offset_s;
    double freq_ppm;
    double wander_ppm;
    double last_update_ago_s;
    double remaining_time_s;
};
/* False when smoothing is not enabled. */
bool smooth_get_report(const struct smooth *sm, const struct timespec *now,
                       struct smooth_report *out);

#endif
