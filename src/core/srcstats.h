/* srcstats: the statistics of one time source (chrony's sourcestats.c,
 * written anew). Keeps the source's recent samples, fits a line through
 * their offsets (weighted by each sample's delay and dispersion, with the
 * runs test trimming old samples after a change of frequency), and answers
 * with the estimates everything else needs: the offset and frequency of our
 * clock relative to the source and their uncertainty, the interval used by
 * source selection, the data handed to the reference, the delay statistics
 * behind maxdelayratio/maxdelaydevratio, the numbers `chronyc sourcestats`
 * and `sources` show, and what the poll adaptation needs. It also holds the
 * `filter` option's median filter and the asymmetry correction.
 *
 * Where it deliberately differs from chrony (both measured in a closed-loop
 * simulation of this module with select and tracking; numbers in the
 * report of the change that introduced them):
 *   - weights: chrony assumes a fixed relation between a sample's extra
 *     delay and its error; here the relation is measured from the residuals
 *     (variance = a + b * extra^2), so jitter that does not depend on the
 *     delay gives equal weights and delay-driven jitter sharper ones;
 *   - frequency wander: chrony's fit treats every sample that passes the
 *     runs test alike, which lags behind a wandering frequency at long
 *     polling intervals. Each fit here also down-weights old samples by the
 *     error a random walk of the frequency would add (q * age^3 / 3), with
 *     q picked from a ladder of levels by which level best predicted the
 *     samples that came next (level 0 is chrony's fit). NP, NR and the runs
 *     test are chrony's; the estimates come from the wander-weighted fit;
 *   - but not the polling interval: the poll adaptation gets the number
 *     of samples the runs test kept (srcstats_update.n_samples), exactly
 *     what chrony's gets, so that servers see chrony's request rate. (The
 *     effective number under the wander weights, n_eff, would keep the
 *     interval near minpoll with any wander: 4-5 times chrony's requests.)
 *
 * Sign convention (chrony's sourcestats): offsets here are POSITIVE WHEN OUR
 * CLOCK IS AHEAD of the source, the opposite of ntp_source_sample.offset_s
 * (which srcstats_add_sample negates). Frequencies are fractions (1e-6 =
 * 1 ppm), positive when our clock runs fast relative to the source.
 *
 * Pure: no system calls; time comes in as arguments.
 *
 * How the daemon drives it, per source:
 *   st = srcstats_create(&settings)      (srcstats_settings_for() fills them)
 *   env.stats hook:  return srcstats_get_delay_stats(st, sample_time, out);
 *   env.sample hook: u = srcstats_add_sample(st, sample);
 *                    if (u.accepted) {
 *                        ntp_source_adjust_poll(src, ntp_source_poll_adjustment(src,
 *                            u.error_in_estimate_s, u.peer_distance_s, u.n_samples));
 *                        run the source selection (select.h) }
 *   on every clock adjustment (tracking.h actions, or any step/slew/frequency
 *   change): srcstats_slew(st, &when, dfreq, doffset) for every source;
 *   on an unknown step: srcstats_reset(st);
 *   `sourcestats` / `sources`: srcstats_get_report(st, now, &rep).
 * Timestamps must be our clock's "cooked" readings (the raw clock plus the
 * offset correction still being slewed), so that a correction counts from
 * the moment it was decided. */
#ifndef CW_SRCSTATS_H
#define CW_SRCSTATS_H

#include <stdbool.h>
#include <time.h>

#include "common/srcopts.h"
#include "core/ntp_source.h"

/* Most samples kept for the fit (chrony's limit and maxsamples default). */
#define SRCSTATS_MAX_SAMPLES 64
/* chrony's minsamples default: the runs test never leaves fewer. */
#define SRCSTATS_DEFAULT_MIN_SAMPLES 6
/* Longest `filter` (samples combined into one). */
#define SRCSTATS_MAX_FILTER 32
/* The frequency uncertainty assumed without a fit (chrony: 2000 ppm). */
#define SRCSTATS_WORST_CASE_SKEW 2000.0e-6

struct srcstats_settings {
    int min_samples;       /* minsamples (fewest samples the runs test leaves) */
    int max_samples;       /* maxsamples; 0 or above SRCSTATS_MAX_SAMPLES: the maximum */
    double min_delay_s;    /* mindelay; 0 = the smallest measured delay */
    double asymmetry;      /* -0.5..0.5: fixed; other values: estimated */
    double precision_s;    /* our clock-reading precision */
    int filter;            /* filter: samples combined into one; 0 or 1 = off */
};

/* The settings for a source from its options and the global minsamples /
 * maxsamples directives (chrony: a source's -1 means the directive). */
void srcstats_settings_for(struct srcstats_settings *set, const struct srcopts *opts,
                           int conf_min_samples, int conf_max_samples, double precision_s);

struct srcstats;

struct srcstats *srcstats_create(const struct srcstats_settings *set);
void srcstats_destroy(struct srcstats *st);
/* Forgets every sample (unknown clock step, `reset sources`). */
void srcstats_reset(struct srcstats *st);

/* What a new sample did, for the poll adaptation. */
struct srcstats_update {
    bool accepted;             /* false: held by the filter, nothing else changed */
    double error_in_estimate_s;/* |measured - predicted| offset at the sample time */
    double peer_distance_s;    /* the sample's delay / 2 + dispersion */
    int n_samples;             /* samples the runs test kept (chrony's count):
                                  what the poll adaptation steers to polltarget */
    double n_eff;              /* the effective number of them under the wander
                                  weights (n_samples without wander) */
};

/* The outcome of the last fit, as chrony's statistics log shows it (one
 * line per successful regression). */
struct srcstats_regression {
    bool ok;                   /* false: no fit yet, or the last one failed */
    struct timespec offset_time;   /* epoch of the estimates: the newest sample */
    double std_dev_s;          /* of the samples about the fit */
    double est_offset_s;       /* at offset_time (positive: our clock ahead) */
    double est_offset_sd_s;
    double frequency;          /* fraction (positive: our clock fast) */
    double skew;               /* fraction */
    double stress;             /* |change of the frequency| / the skew before */
    int n_samples;             /* in the window before the runs test trimmed it */
    int best_start;            /* oldest samples the runs test dropped */
    int n_runs;                /* runs of residuals of one sign */
    double asymmetry;          /* in use for the offsets (0: none) */
};
/* The last fit's outcome (out->ok false before any, and after a failed
 * one or a reset). */
void srcstats_get_regression(const struct srcstats *st, struct srcstats_regression *out);

/* Adds a sample from ntp_source (NTP sign convention; negated here) and
 * refits. A sample not newer than the last one discards the history first
 * (as chrony does). */
struct srcstats_update srcstats_add_sample(struct srcstats *st,
                                           const struct ntp_source_sample *sample);

/* Samples in the fit. */
int srcstats_samples(const struct srcstats *st);

/* Predicted offset of our clock (positive: ahead) at `when`: the fitted
 * line, or the last sample while there are fewer than 3. */
double srcstats_predict_offset(const struct srcstats *st, const struct timespec *when);

/* For ntp_source's env.stats hook. False when there is nothing to say (no
 * samples and no mindelay), so that ntp_source uses its defaults. With
 * sample_time NULL only skew and min_delay_s are meaningful. */
bool srcstats_get_delay_stats(const struct srcstats *st, const struct timespec *sample_time,
                              struct ntp_source_stats *out);

/* The source as selection sees it at `now`. */
struct srcstats_selection {
    double offset_s;           /* best sample's offset carried to now (positive: ahead) */
    double root_distance_s;    /* its root delay / 2 + root dispersion + skew * age */
    double lo_limit_s, hi_limit_s;   /* offset -/+ root distance */
    double std_dev_s;          /* of the samples about the fit */
    double first_sample_ago_s; /* age of the oldest sample in the fit */
    double last_sample_ago_s;  /* age of the newest */
};
/* False when there is no usable fit yet (chrony's state 'M'); out is filled
 * whenever there is at least one sample. */
bool srcstats_get_selection(const struct srcstats *st, const struct timespec *now,
                            struct srcstats_selection *out);

/* What the reference gets when this source is selected or combined. */
struct srcstats_tracking {
    struct timespec ref_time;  /* time of the newest sample: the estimates' epoch */
    double offset_s;           /* fitted offset at ref_time (positive: ahead) */
    double offset_sd_s;
    double frequency;          /* fitted frequency (positive: our clock fast) */
    double frequency_sd;       /* its standard error */
    double skew;               /* its 99.9% uncertainty (chrony's skew) */
    double root_delay_s;       /* of the best sample */
    double root_dispersion_s;  /* of the best sample, grown to ref_time, plus offset_sd */
};
/* False without a fit. */
bool srcstats_get_tracking(const struct srcstats *st, struct srcstats_tracking *out);

/* Our clock was adjusted at `when` (its reading then, before the change):
 * its frequency was lowered by dfreq (fraction) and it was moved back by
 * doffset seconds (chrony's conventions: both positive when correcting a
 * clock that was fast). The samples are rewritten as if taken after. */
void srcstats_slew(struct srcstats *st, const struct timespec *when, double dfreq,
                   double doffset);
/* An error of unknown sign up to `dispersion` seconds entered our clock. */
void srcstats_add_dispersion(struct srcstats *st, double dispersion);

/* ---- saving and restoring the history (dumpdir, chronyd -r) ---- */

/* One sample as chrony's dump files keep it (this module's signs). */
struct srcstats_saved_sample {
    struct timespec time;      /* our clock */
    double offset_s;           /* positive: our clock ahead; adjusted by later
                                  clock corrections */
    double orig_offset_s;      /* as measured */
    double delay_s;            /* peer delay */
    double dispersion_s;       /* peer dispersion */
    double root_delay_s;
    double root_dispersion_s;
};
/* The samples of the fit window, oldest first (up to SRCSTATS_MAX_SAMPLES
 * go into out), and the asymmetry estimate's run; returns their number. */
int srcstats_save(const struct srcstats *st, struct srcstats_saved_sample *out,
                  int *asymmetry_run);
/* Replaces the history with n saved samples (the newest maxsamples of
 * them) of the given stratum and refits. False, with the history
 * untouched, when they are unusable: more than SRCSTATS_MAX_SAMPLES, times
 * not strictly increasing, values not finite or absurd (|offset| of 2^32 s
 * or more, delays or dispersions of 10^6 s or more, negative ones). */
bool srcstats_load(struct srcstats *st, const struct srcstats_saved_sample *s, int n,
                   int asymmetry_run, int stratum);

/* `chronyc sourcestats`, `sources` and `ntpdata` numbers. */
struct srcstats_report {
    int n_samples;             /* NP */
    int n_runs;                /* NR */
    double span_s;             /* Span: oldest to newest sample in the fit */
    double resid_freq_ppm;     /* Frequency */
    double skew_ppm;           /* Freq Skew */
    double est_offset_s;       /* Offset (positive: our clock ahead) */
    double est_offset_err_s;
    double std_dev_s;          /* Std Dev */
    /* the newest sample, for `sources` (latest_meas_ago_s < 0: none) */
    double latest_meas_s;      /* adjusted for clock corrections since */
    double orig_latest_meas_s; /* as measured */
    double latest_meas_err_s;  /* its root delay / 2 + root dispersion */
    double latest_meas_ago_s;  /* from the whole second of its time to now */
    int stratum;
    double asymmetry;          /* ntpdata "Jitter asymmetry" */
};
void srcstats_get_report(const struct srcstats *st, const struct timespec *now,
                         struct srcstats_report *out);

#endif
