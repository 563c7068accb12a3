/* localclock: how an offset correction is carried out on the system clock
 * (the logic of chrony's local.c and generic driver, written anew). An
 * offset is never jumped over unless tracking asks for a step: it goes into
 * a register and is slewed away by running the clock at a temporarily
 * changed frequency, fast enough to finish in corr_rate / |offset| seconds
 * (corrtimeratio's hint from tracking; at least 1 s) and never faster than
 * maxslewrate. The slew is re-planned whenever anything changes and when
 * the planned duration ends (the caller's timer), and what was achieved is
 * always measured from the time elapsed, so late timers cost nothing.
 *
 * Cooked time: the raw clock plus the correction still pending, i.e. what
 * the clock would read if every decided correction were done. Samples,
 * statistics and tracking all work in cooked time, so a correction counts
 * from the moment it is decided.
 *
 * Without clock control (-x) the same logic runs on a virtual clock: the
 * raw clock's rate relative to the kernel frequency found at start, plus
 * the steps and frequencies that would have been applied. Cooked time is
 * then what our clock would read had we been allowed to discipline it, so
 * tracking converges and shows what the daemon would do.
 *
 * Conventions (chrony's, as tracking.h):
 *   freq_ppm   absolute frequency: positive when the uncorrected clock runs
 *              fast, so the driver slows it down by that much;
 *   offset     positive when our clock is ahead; slewing or stepping +x
 *              moves the clock back by x.
 *
 * Pure: time comes in as arguments (raw CLOCK_REALTIME readings); the
 * driver is reached through the callbacks in struct localclock_driver (the
 * daemon maps them onto platform/sysclock, tests onto a model clock).
 *
 * How the daemon drives it:
 *   lc = localclock_create(&settings, &driver, freq_ppm, &raw_now)
 *   arm a timer for localclock_next_update(lc) - raw seconds from now,
 *     again after every call below; when it fires: localclock_update(lc, &raw)
 *   tracking action: localclock_accumulate(lc, &raw, freq, slew, corr_rate),
 *     then localclock_step(lc, &raw, step) when a step was decided
 *   timestamps: localclock_cook(lc, &raw, &cooked)
 *   exit: localclock_finish(lc, &raw) (no slew is left running). */
#ifndef CW_LOCALCLOCK_H
#define CW_LOCALCLOCK_H

#include <stdbool.h>
#include <time.h>

/* Offsets smaller than this are not worth slewing. */
#define LOCALCLOCK_MIN_OFFSET_S 1.0e-9
/* Shortest and longest planned slew (the timer's range). */
#define LOCALCLOCK_MIN_SLEW_S 1.0
#define LOCALCLOCK_MAX_SLEW_S 1.0e4
/* chrony's maxslewrate default (1/12 s per second). */
#define LOCALCLOCK_DEFAULT_MAX_SLEW_RATE_PPM (1.0e6 / 12.0)
/* The kernel applies a new frequency within a tick: 1/100 s is assumed. */
#define LOCALCLOCK_DEFAULT_FREQ_DELAY_S 0.01

struct localclock_settings {
    bool control;              /* false: the virtual clock (-x) */
    double max_slew_rate_ppm;  /* maxslewrate */
    double max_freq_ppm;       /* the driver's limit (sysclock_max_frequency_ppm) */
    double freq_change_delay_s;/* how late a new frequency may take effect */
    double raw_freq_ppm;       /* virtual mode: the frequency the raw clock keeps
                                  running at (the kernel's at start) */
};
void localclock_default_settings(struct localclock_settings *set);

struct localclock_driver {
    void *ctx;
    /* Required. Sets the clock's total frequency (chrony's convention:
     * positive slows the clock down) and returns the value actually set.
     * Called in both modes (the null driver only remembers it). */
    double (*set_frequency)(void *ctx, double freq_ppm);
    /* Required with control: steps the clock back by offset_s (chrony's
     * convention); 0 on success. Never called without control. */
    int (*step)(void *ctx, double offset_s);
    /* Optional: an error of up to dispersion_s entered the clock (a
     * frequency change that took effect up to a tick late). */
    void (*dispersion)(void *ctx, double dispersion_s);
};

struct localclock;

/* freq_ppm: the base frequency to start with (drift file, else the
 * kernel's); it is set through the driver at once. */
struct localclock *localclock_create(const struct localclock_settings *set,
                                     const struct localclock_driver *drv, double freq_ppm,
                                     const struct timespec *raw_now);
/* Stops the slew (the base frequency stays set) and frees. */
void localclock_finish(struct localclock *lc, const struct timespec *raw_now);

/* The base frequency (without the slew). */
double localclock_get_frequency(const struct localclock *lc);
/* Sets the base frequency (clamped to the driver's range); returns it. */
double localclock_set_frequency(struct localclock *lc, const struct timespec *raw_now,
                                double freq_ppm);
/* A tracking decision: the new base frequency and an offset to add to the
 * slew (positive: move the clock back), with the correction-rate hint
 * (seconds^2; 0: as fast as maxslewrate allows). */
void localclock_accumulate(struct localclock *lc, const struct timespec *raw_now,
                           double freq_ppm, double offset_s, double corr_rate);
/* Steps the clock back by offset_s. False when the driver failed (nothing
 * changed then). */
bool localclock_step(struct localclock *lc, const struct timespec *raw_now, double offset_s);
/* The clock was stepped by someone else by an unknown amount: the slew in
 * progress is forgotten. */
void localclock_unknown_step(struct localclock *lc, const struct timespec *raw_now);
/* The timer: re-plans the slew. */
void localclock_update(struct localclock *lc, const struct timespec *raw_now);
/* Raw seconds from raw_now until localclock_update() is due (>= 0). */
double localclock_next_update(const struct localclock *lc, const struct timespec *raw_now);

/* Cooked time for a raw reading. */
void localclock_cook(const struct localclock *lc, const struct timespec *raw,
                     struct timespec *cooked);
/* The correction still being slewed at raw: cooked minus the clock's own
 * reading (tracking's pending_correction_s; `chronyc tracking`'s System
 * time, with the opposite sign). */
double localclock_pending_correction(const struct localclock *lc, const struct timespec *raw);
/* Offset still in the slew register (positive: the clock is still ahead). */
double localclock_remaining_offset(const struct localclock *lc, const struct timespec *raw);
/* Virtual mode only (0 with control): how far the virtual clock is from the
 * raw one at raw (positive: the virtual clock reads later). */
double localclock_virtual_offset(const struct localclock *lc, const struct timespec *raw);
/* The slew's extra frequency now (fraction of the base; positive: the
 * clock is being slowed). */
double localclock_slew_rate(const struct localclock *lc);

#endif
