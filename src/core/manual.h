/* manual: manual time input (`chronyc settime`, chrony's manual.c written
 * anew). It owns the samples an administrator typed in: each is the
 * offset of our clock from the time given, at the cooked time it was
 * given, kept as given (orig_offset_s) and as moved by every later change
 * of our clock (offset_s), with its residual from the last estimate. From
 * them it estimates the correction to make: one sample gives just its
 * offset; two or more give a frequency as well, from a robust line fit
 * (core/regress) of the offsets against their age, while the offset
 * corrected is always the newest sample's (an outlier typed by mistake is
 * put right by typing the time again, or deleted). Up to
 * MANUAL_MAX_SAMPLES are kept, the oldest dropped first.
 *
 * Rules (chrony 4.x's): a time is accepted only while manual input is
 * enabled (the `manual` directive, `chronyc manual on|off`), when it is a
 * sane time (not before 1970 nor past the 2^32 s the NTP era reaches),
 * and when at least MANUAL_MIN_SEPARATION_S passed since the previous
 * sample. Deleting a sample (by its index in the list, oldest 0) works
 * whether enabled or not and estimates again from the samples left, with
 * no given offset: the fit's offset then (nothing with fewer than two).
 *
 * Conventions (chrony's): an offset is positive when our clock is AHEAD of
 * the time given; frequency is the relative rate at which our clock gains
 * on it (positive: runs fast), as select_reference.frequency.
 *
 * Pure: the cooked time now comes in as an argument; the estimate goes out
 * for the daemon to apply (tracking_update_manual(), with MANUAL_SKEW),
 * and every change of our clock is brought in with manual_slew(). */
#ifndef CW_MANUAL_H
#define CW_MANUAL_H

#include <stdbool.h>
#include <time.h>

/* chrony's limits. */
#define MANUAL_MAX_SAMPLES 16
#define MANUAL_MIN_SEPARATION_S 1.0
/* The frequency skew a manual reference claims: 0.1 (100000 ppm), just
 * under, so that chrony's logs print it as nines. */
#define MANUAL_SKEW 0.099999999

struct manual_sample {
    struct timespec when;      /* cooked time it was given (moves with the clock) */
    double orig_offset_s;      /* the offset as given */
    double offset_s;           /* moved by every later change of our clock */
    double residual_s;         /* from the last estimate: measured - fitted */
};

/* A correction to apply. */
struct manual_estimate {
    struct timespec ref_time;  /* cooked time of the estimate */
    bool have_frequency;       /* a line was fitted (two samples or more) */
    double offset_s;           /* the offset to correct (positive: clock ahead) */
    double frequency;          /* our clock's gain rate (0 without a fit) */
    double fit_offset_s;       /* the fit's offset now (the given offset without
                                  a fit): what settime's reply reports */
};

enum manual_result {
    MANUAL_ACCEPTED = 0,
    MANUAL_DISABLED,           /* manual input is off */
    MANUAL_INSANE_TIME,        /* the time given is not a sane time */
    MANUAL_TOO_CLOSE,          /* under MANUAL_MIN_SEPARATION_S after the last sample */
};

struct manual;

struct manual *manual_create(bool enabled);
void manual_destroy(struct manual *m);

void manual_set_enabled(struct manual *m, bool enabled);
bool manual_is_enabled(const struct manual *m);
/* `manual reset`: every sample goes. */
void manual_reset(struct manual *m);

/* `settime`: the true time is `given` at cooked time `now`. On
 * MANUAL_ACCEPTED the sample is kept and *est says what to apply. */
enum manual_result manual_accept(struct manual *m, const struct timespec *given,
                                 const struct timespec *now, struct manual_estimate *est);
/* `manual delete INDEX`: false when there is no such sample; otherwise the
 * estimate from the samples left, at cooked time now, is in *est. */
bool manual_delete(struct manual *m, int index, const struct timespec *now,
                   struct manual_estimate *est);

/* Our clock changed at cooked time `when`: its frequency lowered by dfreq
 * (relative), and it was moved back by doffset seconds (as srcstats_slew). */
void manual_slew(struct manual *m, const struct timespec *when, double dfreq, double doffset);

/* `manual list`: copies up to max samples, oldest first; returns how many. */
int manual_report(const struct manual *m, struct manual_sample *out, int max);

#endif
