/* tracking: the clock discipline and the reference state (chrony's
 * reference.c and the decision half of local.c, written anew). Each
 * selection result that updates the reference comes here; tracking turns it
 * into the correction of our clock, as a decision for the platform to carry
 * out: the new frequency, the offset to slew (with chrony's correction-rate
 * hint) or to step (makestep), or to ignore (maxchange), or to exit. It
 * blends the measured frequency with what it already knows according to
 * their uncertainties (maxupdateskew), keeps the figures `chronyc tracking`
 * shows (reference ID, stratum, reference time, last and RMS offset,
 * frequency, residual frequency, skew, root delay and dispersion, update
 * interval, leap status), what our NTP replies say (handed to reference.h,
 * which adds the `local` reference), the drift file values, the fallback
 * drifts, and the one-shot modes (-q, -Q, initstepslew).
 *
 * Conventions (chrony's):
 *   offset      positive when our clock is AHEAD of true time; a slew or
 *               step of +x moves the clock back by x;
 *   freq_ppm    the absolute frequency: how fast the uncorrected clock
 *               runs (positive: fast). The platform programs the kernel to
 *               run slower by that much (adjtimex freq = -freq_ppm);
 *   dfreq       a relative change of it, as a fraction: positive when the
 *               clock is slowed down.
 *
 * Pure: time, the pending correction and random bits come in as
 * arguments; decisions go out in struct tracking_action.
 *
 * How the daemon drives it:
 *   tr = tracking_create(&settings, freq_ppm (drift file or the kernel's),
 *                        skew_ppm (drift file; 0 if none), now_mono)
 *   platform: set the kernel frequency from tracking_get_frequency(tr)
 *   after select_run():
 *     res.unsynchronise    -> tracking_set_unsynchronised(tr, now_mono)
 *                             and reference_set_unsynchronised(now_mono)
 *     res.update_reference -> tracking_update(tr, &res.ref, &clock, &act), then
 *       apply act (below) and, when act.adjust, tell every source:
 *         srcstats_slew(st, &clock.now, act.dfreq, act.slew_offset_s + act.step_offset_s)
 *         ntp_source_slew_times(src, &clock.now, act.dfreq, same doffset)
 *       then the leap status (core/leapsec) -> tracking_set_leap_status(),
       then tracking_get_server_state(tr, &st, &rate) ->
 *         reference_set_synchronised(&st, rate, now_mono)
 *   applying an action: set the kernel frequency to act.freq_ppm; add
 *     act.slew_offset_s to the slew in progress (moving the clock back by
 *     it; the correction-rate hint act.corr_rate says how fast: chrony's
 *     driver slews over corr_rate / |remaining offset| seconds, at least 1,
 *     at most maxslewrate); step the clock back by act.step_offset_s;
 *     write the drift file when act.write_drift; exit when act.exit.
 *   after every update, and when the time it returned has come, call
 *     tracking_fallback(tr, now_mono, &act) and apply act.
 *   `chronyc tracking`: tracking_get_report(tr, &now, pending_correction_s).
 * All times given are our clock's cooked readings (raw clock plus the
 * correction still pending), as for srcstats. */
#ifndef CW_TRACKING_H
#define CW_TRACKING_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/ntp_server.h"
#include "core/select.h"

/* chrony's defaults. */
#define TRACKING_DEFAULT_MAX_UPDATE_SKEW_PPM 1000.0   /* maxupdateskew */
#define TRACKING_DEFAULT_MAX_CLOCK_ERROR_PPM 1.0      /* maxclockerror */
#define TRACKING_DEFAULT_CORR_TIME_RATIO 3.0          /* corrtimeratio */
#define TRACKING_DEFAULT_MAX_DRIFT_PPM 500000.0       /* maxdrift */
#define TRACKING_DEFAULT_DRIFT_INTERVAL_S 3600        /* driftfile interval */
/* The skew assumed without a drift file: 1 (i.e. nothing is known). */
#define TRACKING_UNKNOWN_SKEW_PPM 1.0e6

/* Special modes (chronyd -q / -Q and initstepslew): the first reference
 * update ends them. */
enum tracking_mode {
    TRACKING_NORMAL = 0,
    TRACKING_UPDATE_ONCE,      /* -q: step by the offset, then the daemon exits */
    TRACKING_PRINT_ONCE,       /* -Q: only report the offset */
    TRACKING_INIT_STEP_SLEW,   /* initstepslew: step if over the threshold, else slew */
};

struct tracking_settings {
    double makestep_threshold_s;   /* makestep threshold */
    int makestep_limit;            /* updates that may step; 0 never, < 0 always */
    double maxchange_offset_s;     /* maxchange offset */
    int maxchange_delay;           /* updates before checking; < 0: maxchange off */
    int maxchange_ignore;          /* ignored updates before exiting; < 0 never exit */
    double max_update_skew_ppm;
    double max_clock_error_ppm;
    double corr_time_ratio;
    double max_drift_ppm;
    int fallback_drift_min, fallback_drift_max;   /* log2 s; min 0: off */
    int drift_interval_s;          /* how often the drift file is written */
    bool have_drift_file;
    enum tracking_mode mode;
    double init_step_threshold_s;  /* initstepslew threshold */
};
void tracking_default_settings(struct tracking_settings *set);

/* What the clock looked like when the update was made. */
struct tracking_clock {
    struct timespec now;           /* cooked reading */
    double now_mono;
    double pending_correction_s;   /* cooked minus raw: what the slew in
                                      progress has still to add to the clock */
    uint64_t random;               /* fuzz of the reference time we disclose */
};

/* A decision. Fields are valid when the flag above them is set. */
struct tracking_action {
    bool adjust;                   /* change the frequency and offset: */
    double freq_ppm;               /*   the new absolute frequency */
    double dfreq;                  /*   its change relative to the old one */
    double slew_offset_s;          /*   add to the slew (positive: move back) */
    double corr_rate;              /*   chrony's correction-rate hint (s^2) */
    double step_offset_s;          /*   then step back by this (0: no step) */
    double offset_s;               /* the measured offset (for log messages) */
    bool offset_ignored;           /* maxchange exceeded, update ignored */
    bool write_drift;              /* write the drift file: */
    double drift_freq_ppm, drift_skew_ppm;   /* chrony writes "%20.6f %20.6f\n" */
    bool mode_ended;               /* a special mode ended ... */
    bool mode_ok;                  /* ... successfully (false: no source) */
    bool exit;                     /* stop the daemon (maxchange, or a special
                                      mode ended: exit status !mode_ok) */
    bool unsynchronise;            /* a fallback drift took over: the clock is
                                      no longer synchronised (apply
                                      tracking_set_unsynchronised) */
};

struct tracking;

/* freq_ppm: the clock's current absolute frequency (drift file, else what
 * the kernel has); skew_ppm: the drift file's skew, <= 0 if none. */
struct tracking *tracking_create(const struct tracking_settings *set, double freq_ppm,
                                 double skew_ppm, double now_mono);
void tracking_destroy(struct tracking *tr);

/* The absolute frequency the clock should run at now. */
double tracking_get_frequency(const struct tracking *tr);
bool tracking_is_synchronised(const struct tracking *tr);
/* The skew of our frequency (ppm), kept while unsynchronised too (the
 * drift file's, or 1e6 when nothing is known): time smoothing activates
 * when it gets small. */
double tracking_get_skew_ppm(const struct tracking *tr);

/* A selection result with update_reference set. */
void tracking_update(struct tracking *tr, const struct select_reference *ref,
                     const struct tracking_clock *clock, struct tracking_action *act);
/* A manual reference (chronyc settime): offset and frequency estimated by
 * the manual module; stratum 0, refid "MANU", always applied in full. */
void tracking_update_manual(struct tracking *tr, const struct timespec *ref_time,
                            double offset_s, double frequency, double skew,
                            const struct tracking_clock *clock, struct tracking_action *act);
/* Synchronisation was lost (or in a special mode: no source was found, which
 * ends the mode: see act). act may be NULL in normal mode. */
void tracking_set_unsynchronised(struct tracking *tr, double now_mono,
                                 struct tracking_action *act);

/* Our clock was adjusted by someone else (a fallback drift, a leap second
 * step, settime): the reference time is moved with it. */
void tracking_clock_adjusted(struct tracking *tr, const struct timespec *when, double dfreq,
                             double doffset);

/* fallbackdrift (chrony's fallback drifts): call after every update and
 * whenever the time it returned comes. Applies the fallback frequency due
 * at now_mono, if any (act->adjust with dfreq and freq_ppm), and returns
 * the monotonic time of the next check, INFINITY for none. The first
 * fallback is due 2^min seconds after the last update (also while still
 * synchronised: updates have stopped); when one is due act->unsynchronise
 * is set as well, and the daemon then marks the clock unsynchronised. */
double tracking_fallback(struct tracking *tr, double now_mono, struct tracking_action *act);

/* What our NTP replies say while synchronised, for
 * reference_set_synchronised(); *dispersion_rate is how fast the root
 * dispersion grows (s/s). False when unsynchronised. precision is left 0. */
bool tracking_get_server_state(const struct tracking *tr, struct ntp_server_state *st,
                               double *dispersion_rate);

/* The leap status to report and announce while synchronised (enum
 * ntp_leap), as the leap second logic (core/leapsec) decided it from the
 * sources' vote (select_reference.leap, which tracking_update() takes
 * as it is until then) and the leap second database. */
void tracking_set_leap_status(struct tracking *tr, int leap);

/* `chronyc tracking`. */
struct tracking_report {
    bool synchronised;
    uint32_t refid;
    int stratum;                   /* 0 when not synchronised */
    int leap;                      /* enum ntp_leap */
    struct timespec ref_time;      /* zero when never synchronised */
    double system_time_s;          /* the correction still pending (cooked - raw) */
    double last_offset_s;
    double rms_offset_s;
    double freq_ppm;               /* absolute frequency */
    double resid_freq_ppm;
    double skew_ppm;
    double root_delay_s;
    double root_dispersion_s;      /* grown to now */
    double last_update_interval_s;
    int n_combined;
};
void tracking_get_report(const struct tracking *tr, const struct timespec *now,
                         double pending_correction_s, struct tracking_report *out);

/* ---- changes made through the command server (chronyc) ---- */

/* dfreq: the clock's absolute frequency was set to freq_ppm by someone
 * else (clamped to maxdrift here too). Returns the relative change (as
 * tracking_action.dfreq: positive when the clock was slowed down); the
 * caller tells the clock and every timestamp kept, and this module's
 * reference time, with tracking_clock_adjusted(). */
double tracking_set_frequency(struct tracking *tr, double freq_ppm);
/* maxupdateskew: measured frequencies with a larger skew (and no better
 * than our own) no longer change the frequency. */
void tracking_set_max_update_skew(struct tracking *tr, double skew_ppm);
/* makestep THRESHOLD LIMIT: the next LIMIT updates (every update when
 * negative, none when 0) step the clock when the offset exceeds
 * threshold_s. */
void tracking_set_makestep(struct tracking *tr, double threshold_s, int limit);

#endif
