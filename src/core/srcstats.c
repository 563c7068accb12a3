/* srcstats: per-source sample register, fit and estimates (see srcstats.h). */
#include "core/srcstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/ntptime.h"
#include "core/regress.h"

/* The register: the fit window plus older samples kept for the runs test. */
#define BUF_SIZE (SRCSTATS_MAX_SAMPLES * REGRESS_RUNS_RATIO)

/* Bounds of the frequency uncertainty (fractions). */
#define MIN_SKEW 1.0e-12
#define MAX_SKEW 1.0e+2
/* Smallest standard deviation reported (s). */
#define MIN_STD_DEV_S 1.0e-9
/* Before the first fit (chrony's initial values): "within a day". */
#define INITIAL_OFFSET_SD_S 86400.0
#define INITIAL_STD_DEV_S 4.0

/* chrony's weights: the spread of the samples' peer distances (delay / 2 +
 * dispersion) above the smallest is taken to be this fraction of the
 * spread of their offsets. */
#define SD_TO_DIST_RATIO 0.7

/* The noise model behind the weights (see sample_weights) is fitted with
 * at least this many samples; its constant term is kept at least this
 * fraction of the mean squared residual. */
#define NOISE_MODEL_MIN_SAMPLES 8
#define NOISE_FLOOR_RATIO 0.05

/* Fits with fewer degrees of freedom get a floor on their variance (see
 * floor_small_fit). */
#define SMALL_FIT_DOF 4

/* The maxdelayratio/maxdelaydevratio tests need this many samples. */
#define MIN_SAMPLES_FOR_DELAY_TESTS 6

/* Asymmetry estimation (asymmetry option outside -0.5..0.5): the estimate
 * is used after it stayed beyond +-MIN_ASYMMETRY with one sign for
 * MIN_ASYMMETRY_RUN fits, and is clamped to +-MAX_ASYMMETRY. */
#define MAX_ASYMMETRY 0.5
#define MIN_ASYMMETRY 0.45
#define MIN_ASYMMETRY_RUN 10
#define MAX_ASYMMETRY_RUN 1000

/* Frequency wander. Besides chrony's fit, which weights samples by their
 * delay only and trusts a line through all samples that pass the runs test,
 * samples are also weighted by age according to how much the frequency
 * wanders: the intensity q of a random walk of the frequency (fraction^2
 * per second) is picked from these levels by how well fits with each level
 * predicted the samples that followed. Level 0 is chrony's fit. */
static const double wander_levels[] = {
    0.0, 1e-24, 1e-23, 1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16,
};
#define N_WANDER_LEVELS ((int)(sizeof wander_levels / sizeof wander_levels[0]))
/* Prediction errors are averaged over about 1 / WANDER_SCORE_WEIGHT samples
 * (long enough that noise rarely picks a level that is not needed; a
 * tenfold change of the wander is still followed within a day). */
#define WANDER_SCORE_WEIGHT 0.005
/* Scoring starts with this many samples in the fit, and a level other than
 * 0 is used only after this many scored samples (the start-up transient
 * must not decide). */
#define WANDER_MIN_SAMPLES 8
#define WANDER_WARM_UP 16

struct sample_rec {
    struct timespec time;      /* our clock (adjusted by later slews) */
    double offset;             /* positive: our clock ahead; adjusted by slews */
    double orig_offset;        /* as measured */
    double delay;              /* peer delay (reflected above mindelay) */
    double dispersion;         /* peer dispersion */
    double root_delay;
    double root_dispersion;
    int stratum;
};

struct srcstats {
    struct srcstats_settings set;

    struct sample_rec buf[BUF_SIZE];
    int last;                  /* index of the newest sample in buf */
    int n_samples;             /* samples in the fit window */
    int runs_samples;          /* older samples kept for the runs test */

    bool regression_ok;
    int best_sample;           /* 0..n_samples-1: smallest root distance now */
    struct timespec offset_time;
    double est_offset, est_offset_sd;
    double est_freq, est_freq_sd, skew;
    double std_dev;
    int n_runs;

    int asymmetry_run;         /* signed count of consistent estimates */
    double asymmetry;          /* in use (0: none) */

    double unit_var;           /* variance of a sample of base weight 1 */
    double n_eff;              /* effective samples in the last fit */

    /* the frequency wander (see score_wander) */
    double wander_score[N_WANDER_LEVELS];
    int n_scored;
    int wander_level;          /* index into wander_levels */

    struct srcstats_regression last_fit;   /* for the statistics log */

    /* the `filter` option: samples waiting to be combined */
    struct ntp_source_sample filt[SRCSTATS_MAX_FILTER];
    int n_filt;
};

/* ---- register ---- */

/* Sample i of the window, i from -runs_samples (oldest kept for the runs
 * test) to n_samples - 1 (newest). */
static int buf_index(const struct srcstats *st, int i)
{
    return (st->last - st->n_samples + 1 + i + 2 * BUF_SIZE) % BUF_SIZE;
}

static struct sample_rec *rec(struct srcstats *st, int i)
{
    return &st->buf[buf_index(st, i)];
}

static const struct sample_rec *crec(const struct srcstats *st, int i)
{
    return &st->buf[buf_index(st, i)];
}

static int max_samples(const struct srcstats *st)
{
    int m = st->set.max_samples;
    if (m <= 0 || m > SRCSTATS_MAX_SAMPLES)
        m = SRCSTATS_MAX_SAMPLES;
    return m;
}

/* Moves the oldest `k` samples of the window to the runs-test area. */
static void prune(struct srcstats *st, int k)
{
    if (k <= 0)
        return;
    st->n_samples -= k;
    st->runs_samples += k;
    int cap = st->n_samples * (REGRESS_RUNS_RATIO - 1);
    if (st->runs_samples > cap)
        st->runs_samples = cap;
}

static double min_delay(const struct srcstats *st)
{
    if (st->set.min_delay_s > 0.0)
        return st->set.min_delay_s;
    double d = INFINITY;
    for (int i = -st->runs_samples; i < st->n_samples; i++)
        d = fmin(d, crec(st, i)->delay);
    return d;
}

void srcstats_settings_for(struct srcstats_settings *set, const struct srcopts *opts,
                           int conf_min_samples, int conf_max_samples, double precision_s)
{
    memset(set, 0, sizeof *set);
    set->min_samples = opts->min_samples >= 0 ? opts->min_samples : conf_min_samples;
    set->max_samples = opts->max_samples >= 0 ? opts->max_samples : conf_max_samples;
    set->min_delay_s = opts->min_delay_s;
    set->asymmetry = opts->asymmetry;
    set->precision_s = precision_s;
    set->filter = opts->filter;
}

struct srcstats *srcstats_create(const struct srcstats_settings *set)
{
    struct srcstats *st = mem_calloc(1, sizeof *st);
    st->set = *set;
    if (st->set.filter > SRCSTATS_MAX_FILTER)
        st->set.filter = SRCSTATS_MAX_FILTER;
    if (!(st->set.precision_s > 0.0))
        st->set.precision_s = 1.0e-9;
    srcstats_reset(st);
    return st;
}

void srcstats_destroy(struct srcstats *st)
{
    mem_free(st);
}

void srcstats_reset(struct srcstats *st)
{
    st->last = 0;
    st->n_samples = 0;
    st->runs_samples = 0;
    st->regression_ok = false;
    st->best_sample = 0;
    st->offset_time = ntptime_zero();
    st->est_offset = 0.0;
    st->est_offset_sd = INITIAL_OFFSET_SD_S;
    st->est_freq = 0.0;
    st->est_freq_sd = SRCSTATS_WORST_CASE_SKEW;
    st->skew = SRCSTATS_WORST_CASE_SKEW;
    st->std_dev = INITIAL_STD_DEV_S;
    st->n_runs = 0;
    st->asymmetry_run = 0;
    st->asymmetry = 0.0;
    st->unit_var = 0.0;
    st->n_eff = 0.0;
    memset(st->wander_score, 0, sizeof st->wander_score);
    st->n_scored = 0;
    st->wander_level = 0;
    st->n_filt = 0;
    memset(&st->last_fit, 0, sizeof st->last_fit);
}

int srcstats_samples(const struct srcstats *st)
{
    return st->n_samples;
}

/* ---- the fit ---- */

/* Sample i's weight (a relative variance, 1 for the closest sample), as
 * chrony computes it from the peer distance: the spread of the distances
 * above the smallest is taken to be SD_TO_DIST_RATIO of the spread of the
 * offsets, and a sample's standard deviation grows with its extra distance
 * in units of that spread. dist gets each sample's extra distance. */
static void distance_weights(const struct srcstats *st, double *w, double *dist)
{
    int n = st->n_samples;
    double min_dist = INFINITY;
    for (int i = 0; i < n; i++) {
        const struct sample_rec *r = crec(st, i);
        dist[i] = 0.5 * r->delay + r->dispersion;
        min_dist = fmin(min_dist, dist[i]);
    }
    double precision = st->set.precision_s;
    double sd = (regress_median(dist, n) - min_dist) / SD_TO_DIST_RATIO;
    sd = fmin(fmax(sd, precision), min_dist);
    if (!(sd > 0.0))
        sd = precision;
    for (int i = 0; i < n; i++) {
        dist[i] -= min_dist;
        double f = 1.0;
        if (dist[i] > precision)
            f += (dist[i] - precision) / sd;
        w[i] = f * f;
    }
}

/* The weights of the window's samples (x, y: the window only). Chrony's
 * weights assume a fixed relation between extra delay and error. Here the
 * relation is measured: the squared residuals of a fit with chrony's
 * weights are regressed on the squared extra distance, var = a + b * e^2
 * (with exponential network jitter, for example, the error of a sample is
 * uniform within +-e, so b = 1/3 and a is just the timestamping noise; when
 * the errors do not depend on the delay, b = 0 and all samples weigh the
 * same). a is kept at least NOISE_FLOOR_RATIO of the mean squared residual
 * so that no sample can be trusted absolutely. */
static void sample_weights(const struct srcstats *st, const double *x, const double *y,
                           double *w)
{
    int n = st->n_samples;
    double e[SRCSTATS_MAX_SAMPLES] = { 0.0 };
    distance_weights(st, w, e);
    if (n < NOISE_MODEL_MIN_SAMPLES)
        return;

    struct regress_fit f;
    if (!regress_weighted(x, y, w, n, &f))
        return;
    double e2[SRCSTATS_MAX_SAMPLES], r2[SRCSTATS_MAX_SAMPLES];
    double me = 0.0, mr = 0.0;
    for (int i = 0; i < n; i++) {
        double r = y[i] - f.intercept - f.slope * x[i];
        e2[i] = e[i] * e[i];
        r2[i] = r * r;
        me += e2[i];
        mr += r2[i];
    }
    me /= n;
    mr /= n;
    double cov = 0.0, var = 0.0;
    for (int i = 0; i < n; i++) {
        cov += (e2[i] - me) * (r2[i] - mr);
        var += (e2[i] - me) * (e2[i] - me);
    }
    double b = var > 0.0 ? fmax(0.0, cov / var) : 0.0;
    double a = fmax(mr - b * me, NOISE_FLOOR_RATIO * mr);
    double precision = st->set.precision_s;
    a = fmax(a, precision * precision);
    for (int i = 0; i < n; i++)
        w[i] = (a + b * e2[i]) / a;
}

/* Times (relative to the newest sample, <= 0) and offsets of the runs-test
 * samples and the window, oldest first: runs_samples + n_samples values. */
static void fit_input(const struct srcstats *st, double *x, double *y)
{
    int m = st->runs_samples, total = m + st->n_samples;
    const struct sample_rec *newest = crec(st, st->n_samples - 1);
    for (int i = 0; i < total; i++) {
        const struct sample_rec *r = crec(st, i - m);
        x[i] = ntptime_diff(r->time, newest->time);
        y[i] = r->offset;
    }
}

/* Asymmetry of the jitter: the slope of offset against extra delay in a
 * fit of offset = a + b * time + c * delay. Returns whether the offsets are
 * to be corrected with st->asymmetry. */
static bool estimate_asymmetry(struct srcstats *st, const double *x, const double *y,
                               const double *extra_delay, int n)
{
    double b_time, a;
    if (!regress_two_var(x, extra_delay, y, n, &b_time, &a) ||
        a * (double)st->asymmetry_run < 0.0) {
        st->asymmetry = 0.0;
        st->asymmetry_run = 0;
        return false;
    }
    if (a <= -MIN_ASYMMETRY && st->asymmetry_run > -MAX_ASYMMETRY_RUN)
        st->asymmetry_run--;
    else if (a >= MIN_ASYMMETRY && st->asymmetry_run < MAX_ASYMMETRY_RUN)
        st->asymmetry_run++;

    if (abs(st->asymmetry_run) < MIN_ASYMMETRY_RUN)
        return false;
    st->asymmetry = fmax(-MAX_ASYMMETRY, fmin(a, MAX_ASYMMETRY));
    return true;
}

/* Corrects the fit input for the asymmetry (fixed, or estimated when
 * `estimate` is set; otherwise the estimate in use). */
static void correct_asymmetry(struct srcstats *st, const double *x, double *y, bool estimate)
{
    double fixed = st->set.asymmetry;
    if (fixed == 0.0)
        return;

    int total = st->runs_samples + st->n_samples;
    double dmin = min_delay(st);
    double extra[BUF_SIZE];
    for (int i = 0; i < total; i++)
        extra[i] = crec(st, i - st->runs_samples)->delay - dmin;

    if (fabs(fixed) <= MAX_ASYMMETRY)
        st->asymmetry = fixed;
    else if (estimate && !estimate_asymmetry(st, x, y, extra, total))
        return;
    if (st->asymmetry == 0.0)
        return;

    /* in this module's sign convention the correction is subtracted */
    for (int i = 0; i < total; i++)
        y[i] -= ntp_source_asymmetry_correction(st->asymmetry, extra[i] + dmin, dmin);
}

/* Wander weights: a sample `age` seconds older than the newest one carries,
 * besides its measurement noise, the error of assuming the frequency was
 * constant since then. With the frequency doing a random walk of intensity
 * q (its variance grows by q per second) that error has variance
 * q * age^3 / 3; unit_var converts it to the units of the base weights. */
static void wander_weights(const double *x, const double *w, int n, double q, double unit_var,
                           double *out)
{
    for (int i = 0; i < n; i++) {
        double age = -x[i];
        out[i] = w[i] + (unit_var > 0.0 ? q * age * age * age / 3.0 / unit_var : 0.0);
    }
}

/* Before a new sample is added: how well the fit with each wander level
 * predicted it. The level with the smallest average squared prediction
 * error is used for the next fits. */
static void score_wander(struct srcstats *st, const struct ntp_source_sample *s)
{
    int n = st->n_samples, m = st->runs_samples;
    if (n < WANDER_MIN_SAMPLES || !st->regression_ok || !(st->unit_var > 0.0))
        return;

    /* the candidate fits use chrony's weights: steadier than the measured
     * noise model for this comparison (and so better in simulations) */
    double x[BUF_SIZE], y[BUF_SIZE], w[SRCSTATS_MAX_SAMPLES], ww[SRCSTATS_MAX_SAMPLES];
    double extra[SRCSTATS_MAX_SAMPLES];
    fit_input(st, x, y);
    correct_asymmetry(st, x, y, false);
    distance_weights(st, w, extra);
    double ahead = ntptime_diff(s->time, crec(st, n - 1)->time);
    double measured = -s->offset_s;
    double avg = fmax(WANDER_SCORE_WEIGHT, 1.0 / (st->n_scored + 1));

    for (int k = 0; k < N_WANDER_LEVELS; k++) {
        struct regress_fit f;
        wander_weights(x + m, w, n, wander_levels[k], st->unit_var, ww);
        if (!regress_weighted(x + m, y + m, ww, n, &f))
            continue;
        double e = measured - (f.intercept + f.slope * ahead);
        if (st->n_scored == 0)
            st->wander_score[k] = e * e;
        else
            st->wander_score[k] += avg * (e * e - st->wander_score[k]);
    }
    st->n_scored++;

    st->wander_level = 0;
    if (st->n_scored < WANDER_WARM_UP)
        return;
    for (int k = 1; k < N_WANDER_LEVELS; k++)
        if (st->wander_score[k] < st->wander_score[st->wander_level])
            st->wander_level = k;
}

static void find_best_sample(struct srcstats *st)
{
    const struct sample_rec *newest = crec(st, st->n_samples - 1);
    double best = INFINITY;
    st->best_sample = 0;
    for (int i = 0; i < st->n_samples; i++) {
        const struct sample_rec *r = crec(st, i);
        double age = ntptime_diff(newest->time, r->time);
        double dist = r->root_dispersion + age * st->skew + 0.5 * r->root_delay;
        if (dist < best) {
            best = dist;
            st->best_sample = i;
        }
    }
}

/* A fit of very few samples can pass through them almost exactly by
 * chance, and then claims an accuracy the samples cannot have (with one
 * degree of freedom the variance estimate is below a hundredth of the
 * truth 8% of the time). Its variance is kept at least what the spread of
 * the samples' peer distances suggests, as chrony's weights assume it. */
static void floor_small_fit(const struct srcstats *st, struct regress_fit *fit)
{
    int n = st->n_samples;
    double extra[SRCSTATS_MAX_SAMPLES] = { 0.0 }, w[SRCSTATS_MAX_SAMPLES];
    distance_weights(st, w, extra);
    double sd = fmax(regress_median(extra, n) / SD_TO_DIST_RATIO, st->set.precision_s);
    double prior = sd * sd;
    /* (an exact fit, variance 0, only happens with synthetic data) */
    if (!(fit->unit_variance > 0.0) || fit->unit_variance >= prior)
        return;
    double scale = sqrt(prior / fit->unit_variance);
    fit->slope_sd *= scale;
    fit->intercept_sd *= scale;
    fit->variance *= scale * scale;
    fit->unit_variance = prior;
}

static void do_regression(struct srcstats *st)
{
    int m = st->runs_samples, n = st->n_samples;
    double x[BUF_SIZE], y[BUF_SIZE], w[SRCSTATS_MAX_SAMPLES];

    fit_input(st, x, y);
    correct_asymmetry(st, x, y, true);
    sample_weights(st, x + m, y + m, w);

    /* chrony's fit: the runs test decides how many samples to keep */
    struct regress_fit fit;
    double old_freq = st->est_freq, old_skew = st->skew;
    st->regression_ok = regress_find_best(x, y, w, m, n, st->set.min_samples, &fit);
    st->last_fit.ok = st->regression_ok;
    if (!st->regression_ok) {
        st->est_freq = 0.0;
        st->est_freq_sd = SRCSTATS_WORST_CASE_SKEW;
        st->skew = SRCSTATS_WORST_CASE_SKEW;
        st->n_eff = n;
        find_best_sample(st);
        return;
    }
    if (fit.dof < SMALL_FIT_DOF)
        floor_small_fit(st, &fit);
    st->unit_var = fit.unit_variance;
    st->std_dev = fmax(MIN_STD_DEV_S, sqrt(fit.variance));
    st->n_runs = fit.runs;
    st->n_eff = n - fit.start;

    /* then the estimates from the kept samples with the wander weights */
    double q = wander_levels[st->wander_level];
    if (q > 0.0) {
        int k = fit.start, nk = n - fit.start;
        double ww[SRCSTATS_MAX_SAMPLES];
        struct regress_fit wf;
        wander_weights(x + m + k, w + k, nk, q, st->unit_var, ww);
        if (regress_weighted(x + m + k, y + m + k, ww, nk, &wf)) {
            st->n_eff = 0.0;
            for (int i = 0; i < nk; i++)
                st->n_eff += w[k + i] / ww[i];
            wf.start = fit.start;
            fit = wf;
        }
    }

    st->est_freq = fit.slope;
    st->est_freq_sd = fmin(fmax(fit.slope_sd, MIN_SKEW), MAX_SKEW);
    st->skew = fmin(fmax(fit.slope_sd * regress_t_coef(fit.dof), MIN_SKEW), MAX_SKEW);
    st->est_offset = fit.intercept;
    st->est_offset_sd = fit.intercept_sd;
    st->offset_time = crec(st, n - 1)->time;
    /* chrony's "stress": how far the frequency moved in units of the
     * uncertainty it was believed to have */
    st->last_fit = (struct srcstats_regression){
        .ok = true,
        .offset_time = st->offset_time,
        .std_dev_s = st->std_dev,
        .est_offset_s = st->est_offset,
        .est_offset_sd_s = st->est_offset_sd,
        .frequency = st->est_freq,
        .skew = st->skew,
        .stress = fabs(old_freq - st->est_freq) / old_skew,
        .n_samples = n,
        .best_start = fit.start,
        .n_runs = st->n_runs,
        .asymmetry = st->asymmetry,
    };
    prune(st, fit.start);
    find_best_sample(st);
}

/* ---- samples ---- */

static void store_sample(struct srcstats *st, const struct ntp_source_sample *s)
{
    if (st->n_samples > 0 && st->n_samples >= max_samples(st))
        prune(st, 1);

    /* a sample not newer than the last one: the history is no longer valid */
    if (st->n_samples > 0 && ntptime_compare(crec(st, st->n_samples - 1)->time, s->time) >= 0)
        srcstats_reset(st);

    st->last = (st->last + 1) % BUF_SIZE;
    st->n_samples++;
    struct sample_rec *r = rec(st, st->n_samples - 1);
    r->time = s->time;
    r->offset = -s->offset_s;
    r->orig_offset = r->offset;
    r->delay = s->delay_s;
    /* with mindelay, a delay below it is reflected above it (chrony) */
    if (st->set.min_delay_s > 0.0 && r->delay < st->set.min_delay_s)
        r->delay = 2.0 * st->set.min_delay_s - r->delay;
    r->dispersion = s->dispersion_s;
    r->root_delay = s->root_delay_s;
    r->root_dispersion = s->root_dispersion_s;
    r->stratum = s->stratum;
}

static int cmp_offset(const void *a, const void *b)
{
    double x = ((const struct ntp_source_sample *)a)->offset_s;
    double y = ((const struct ntp_source_sample *)b)->offset_s;
    return (x > y) - (x < y);
}

/* The `filter` option: the N collected samples become one, the median by
 * offset (the middle two averaged when N is even). Its time is the mean
 * time of the samples used; its dispersion covers the spread of the middle
 * half of the offsets, so the filter never claims more than the samples
 * support. */
static void combine_filter(struct srcstats *st, struct ntp_source_sample *out)
{
    int n = st->n_filt;
    struct ntp_source_sample sorted[SRCSTATS_MAX_FILTER];
    memcpy(sorted, st->filt, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_offset);

    int lo = (n - 1) / 2, hi = n / 2;
    const struct ntp_source_sample *a = &sorted[lo], *b = &sorted[hi];
    *out = st->filt[n - 1];    /* stratum, leap, refid of the newest */
    double dt = ntptime_diff(b->time, a->time);
    out->time = ntptime_add_double(a->time, dt / 2.0);
    out->offset_s = (a->offset_s + b->offset_s) / 2.0;
    out->delay_s = (a->delay_s + b->delay_s) / 2.0;
    out->root_delay_s = (a->root_delay_s + b->root_delay_s) / 2.0;
    double quartile_spread = sorted[(3 * (n - 1)) / 4].offset_s - sorted[(n - 1) / 4].offset_s;
    double spread = fabs(b->offset_s - a->offset_s) / 2.0 + quartile_spread / 2.0;
    out->dispersion_s = fmax(a->dispersion_s, b->dispersion_s) + spread;
    out->root_dispersion_s = fmax(a->root_dispersion_s, b->root_dispersion_s) + spread;

    /* the combined time must not go back past the newest stored sample */
    if (st->n_samples > 0 && ntptime_compare(crec(st, st->n_samples - 1)->time, out->time) >= 0)
        out->time = st->filt[n - 1].time;
    st->n_filt = 0;
}

struct srcstats_update srcstats_add_sample(struct srcstats *st,
                                           const struct ntp_source_sample *sample)
{
    struct srcstats_update u;
    memset(&u, 0, sizeof u);

    struct ntp_source_sample s = *sample;
    if (st->set.filter > 1) {
        st->filt[st->n_filt++] = s;
        if (st->n_filt < st->set.filter) {
            u.n_samples = st->n_samples;
            u.n_eff = st->n_eff;
            return u;
        }
        combine_filter(st, &s);
    }

    score_wander(st, &s);
    double predicted = srcstats_predict_offset(st, &s.time);
    u.accepted = true;
    u.error_in_estimate_s = fabs(-s.offset_s - predicted);
    u.peer_distance_s = s.dispersion_s + 0.5 * s.delay_s;

    store_sample(st, &s);
    do_regression(st);
    /* the poll adaptation gets the samples the runs test kept, as chrony's
     * does: its polling interval, and so the load on public servers, is
     * chrony's whatever the wander weighting makes of them */
    u.n_samples = st->n_samples;
    u.n_eff = st->n_eff;
    return u;
}

void srcstats_get_regression(const struct srcstats *st, struct srcstats_regression *out)
{
    *out = st->last_fit;
}

double srcstats_predict_offset(const struct srcstats *st, const struct timespec *when)
{
    if (st->n_samples < REGRESS_MIN_POINTS || !st->regression_ok)
        return st->n_samples > 0 ? crec(st, st->n_samples - 1)->offset : 0.0;
    return st->est_offset + ntptime_diff(*when, st->offset_time) * st->est_freq;
}

bool srcstats_get_delay_stats(const struct srcstats *st, const struct timespec *sample_time,
                              struct ntp_source_stats *out)
{
    memset(out, 0, sizeof *out);
    if (st->n_samples == 0 && !(st->set.min_delay_s > 0.0))
        return false;

    out->skew = fmin(st->skew, SRCSTATS_WORST_CASE_SKEW);
    out->min_delay_s = min_delay(st);
    out->std_dev_s = st->std_dev;
    out->have_delay_data = st->n_samples >= MIN_SAMPLES_FOR_DELAY_TESTS && st->regression_ok;
    if (sample_time && st->regression_ok) {
        out->last_sample_ago_s = ntptime_diff(*sample_time, st->offset_time);
        out->predicted_offset_s = st->est_offset + out->last_sample_ago_s * st->est_freq;
    }
    return true;
}

bool srcstats_get_selection(const struct srcstats *st, const struct timespec *now,
                            struct srcstats_selection *out)
{
    memset(out, 0, sizeof *out);
    if (st->n_samples == 0)
        return false;

    const struct sample_rec *b = crec(st, st->best_sample);
    double age = fabs(ntptime_diff(*now, b->time));
    out->offset_s = b->offset + age * st->est_freq;
    out->root_distance_s = 0.5 * b->root_delay + b->root_dispersion + age * st->skew;
    out->lo_limit_s = out->offset_s - out->root_distance_s;
    out->hi_limit_s = out->offset_s + out->root_distance_s;
    out->std_dev_s = st->std_dev;
    out->first_sample_ago_s = ntptime_diff(*now, crec(st, 0)->time);
    out->last_sample_ago_s = ntptime_diff(*now, crec(st, st->n_samples - 1)->time);
    return st->regression_ok;
}

bool srcstats_get_tracking(const struct srcstats *st, struct srcstats_tracking *out)
{
    memset(out, 0, sizeof *out);
    if (st->n_samples == 0 || !st->regression_ok)
        return false;
    const struct sample_rec *b = crec(st, st->best_sample);
    out->ref_time = st->offset_time;
    out->offset_s = st->est_offset;
    out->offset_sd_s = st->est_offset_sd;
    out->frequency = st->est_freq;
    out->frequency_sd = st->est_freq_sd;
    out->skew = st->skew;
    out->root_delay_s = b->root_delay;
    out->root_dispersion_s = b->root_dispersion +
                             st->skew * ntptime_diff(st->offset_time, b->time) +
                             st->est_offset_sd;
    return true;
}

/* ---- clock adjustments ---- */

/* Where a reading taken before the adjustment would be after it; returns
 * the change. */
static double adjust_time(struct timespec *ts, const struct timespec *when, double dfreq,
                          double doffset)
{
    double delta = ntptime_diff(*when, *ts) * dfreq - doffset;
    *ts = ntptime_add_double(*ts, delta);
    return delta;
}

void srcstats_slew(struct srcstats *st, const struct timespec *when, double dfreq,
                   double doffset)
{
    for (int i = 0; i < st->n_filt; i++) {
        double d = adjust_time(&st->filt[i].time, when, dfreq, doffset);
        st->filt[i].offset_s -= d;             /* NTP convention */
    }
    if (st->n_samples == 0)
        return;
    for (int i = -st->runs_samples; i < st->n_samples; i++) {
        struct sample_rec *r = rec(st, i);
        r->offset += adjust_time(&r->time, when, dfreq, doffset);
    }
    st->est_offset += adjust_time(&st->offset_time, when, dfreq, doffset);
    st->est_freq = (st->est_freq - dfreq) / (1.0 - dfreq);
}

void srcstats_add_dispersion(struct srcstats *st, double dispersion)
{
    for (int i = 0; i < st->n_samples; i++) {
        struct sample_rec *r = rec(st, i);
        r->root_dispersion += dispersion;
        r->dispersion += dispersion;
    }
}

/* ---- saving and restoring ---- */

/* chrony's sanity limits for loaded samples */
#define MAX_SAVED_OFFSET_S 4294967296.0
#define MAX_SAVED_DELAY_S 1.0e6

int srcstats_save(const struct srcstats *st, struct srcstats_saved_sample *out,
                  int *asymmetry_run)
{
    *asymmetry_run = st->asymmetry_run;
    for (int i = 0; i < st->n_samples; i++) {
        const struct sample_rec *r = crec(st, i);
        out[i] = (struct srcstats_saved_sample){
            .time = r->time,
            .offset_s = r->offset,
            .orig_offset_s = r->orig_offset,
            .delay_s = r->delay,
            .dispersion_s = r->dispersion,
            .root_delay_s = r->root_delay,
            .root_dispersion_s = r->root_dispersion,
        };
    }
    return st->n_samples;
}

static bool sane_delay(double d)
{
    return d >= 0.0 && d < MAX_SAVED_DELAY_S;
}

static bool sane_sample(const struct srcstats_saved_sample *s)
{
    return s->time.tv_nsec >= 0 && s->time.tv_nsec < 1000000000L &&
           fabs(s->offset_s) < MAX_SAVED_OFFSET_S && fabs(s->orig_offset_s) < MAX_SAVED_OFFSET_S &&
           sane_delay(s->delay_s) && sane_delay(s->dispersion_s) &&
           sane_delay(s->root_delay_s) && sane_delay(s->root_dispersion_s);
}

bool srcstats_load(struct srcstats *st, const struct srcstats_saved_sample *s, int n,
                   int asymmetry_run, int stratum)
{
    if (n < 0 || n > SRCSTATS_MAX_SAMPLES)
        return false;
    for (int i = 0; i < n; i++)
        if (!sane_sample(&s[i]) || (i > 0 && ntptime_compare(s[i - 1].time, s[i].time) >= 0))
            return false;

    srcstats_reset(st);
    int first = n > max_samples(st) ? n - max_samples(st) : 0;
    for (int i = first; i < n; i++) {
        st->last = (st->last + 1) % BUF_SIZE;
        st->n_samples++;
        struct sample_rec *r = rec(st, st->n_samples - 1);
        r->time = s[i].time;
        r->offset = s[i].offset_s;
        r->orig_offset = s[i].orig_offset_s;
        r->delay = s[i].delay_s;
        r->dispersion = s[i].dispersion_s;
        r->root_delay = s[i].root_delay_s;
        r->root_dispersion = s[i].root_dispersion_s;
        r->stratum = stratum;
    }
    st->asymmetry_run = asymmetry_run < -MAX_ASYMMETRY_RUN ? -MAX_ASYMMETRY_RUN
                      : asymmetry_run > MAX_ASYMMETRY_RUN ? MAX_ASYMMETRY_RUN : asymmetry_run;
    if (st->n_samples > 0)
        do_regression(st);
    return true;
}

/* ---- reports ---- */

void srcstats_get_report(const struct srcstats *st, const struct timespec *now,
                         struct srcstats_report *out)
{
    memset(out, 0, sizeof *out);
    out->n_samples = st->n_samples;
    out->n_runs = st->n_runs;
    out->resid_freq_ppm = 1.0e6 * st->est_freq;
    out->skew_ppm = 1.0e6 * st->skew;
    out->std_dev_s = st->std_dev;
    out->asymmetry = st->asymmetry;
    out->latest_meas_ago_s = -1.0;

    if (st->n_samples > 0) {
        const struct sample_rec *l = crec(st, st->n_samples - 1);
        out->latest_meas_s = l->offset;
        out->orig_latest_meas_s = l->orig_offset;
        out->latest_meas_err_s = 0.5 * l->root_delay + l->root_dispersion;
        out->stratum = l->stratum;
        /* whole seconds, not to disclose the receive timestamp */
        struct timespec t = l->time;
        t.tv_nsec = 0;
        out->latest_meas_ago_s = ntptime_diff(*now, t);
    }

    if (st->n_samples > 1) {
        const struct sample_rec *l = crec(st, st->n_samples - 1);
        out->span_s = floor(ntptime_diff(l->time, crec(st, 0)->time) + 0.5);
        if (st->n_samples > REGRESS_MIN_POINTS && st->regression_ok) {
            const struct sample_rec *b = crec(st, st->best_sample);
            out->est_offset_s = st->est_offset + ntptime_diff(*now, st->offset_time) * st->est_freq;
            out->est_offset_err_s = st->est_offset_sd + ntptime_diff(*now, b->time) * st->skew +
                                    0.5 * b->root_delay + b->root_dispersion;
        } else {
            out->est_offset_s = l->offset;
            out->est_offset_err_s = 0.5 * l->root_delay + l->root_dispersion;
        }
    }
}
