/* Tests of the per-source statistics on synthetic sources: a known offset
 * and frequency error with and without jitter, the sign convention, clock
 * adjustments, delay statistics, limits of the register, the runs test after
 * a frequency change, the filter option, mindelay and asymmetry, the
 * selection and tracking data and the reports. */
#include "harness.h"
#include "core/srcstats.h"

#include "common/ntptime.h"
#include "common/srcopts.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define EPOCH_S 1700000000
#define POLL_S 64.0
#define PRECISION_S 1e-8

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double expo(double mean)
{
    return -mean * log(uniform());
}

static struct timespec at(double t)
{
    return ntptime_add_double((struct timespec){ EPOCH_S, 0 }, t);
}

static void settings(struct srcstats_settings *set)
{
    struct srcopts o;
    srcopts_defaults(&o);
    srcstats_settings_for(set, &o, SRCSTATS_DEFAULT_MIN_SAMPLES, 0, PRECISION_S);
}

/* A sample taken at our time t: our clock is `ahead` seconds ahead of the
 * server (so the NTP offset is -ahead), with the given delay. */
static struct ntp_source_sample sample(double t, double ahead, double delay)
{
    struct ntp_source_sample s;
    memset(&s, 0, sizeof s);
    s.time = at(t);
    s.offset_s = -ahead;
    s.delay_s = delay;
    s.dispersion_s = PRECISION_S;
    s.root_delay_s = delay;
    s.root_dispersion_s = 1e-5;
    s.stratum = 2;
    return s;
}

/* Our clock ahead by offset0 + freq * t, measured through exponential
 * jitter of the given mean in each direction over a 100 us base delay. */
static struct srcstats_update feed(struct srcstats *st, double t, double offset0, double freq,
                                   double jitter)
{
    double ef = jitter > 0 ? expo(jitter) : 0.0, eb = jitter > 0 ? expo(jitter) : 0.0;
    /* a late request makes the server's clock look ahead: we look behind */
    double measured_ahead = offset0 + freq * t - (ef - eb) / 2.0;
    struct ntp_source_sample s = sample(t, measured_ahead, 100e-6 + ef + eb);
    return srcstats_add_sample(st, &s);
}

TEST(empty_statistics)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    struct timespec now = at(0);
    struct srcstats_selection sel;
    struct srcstats_tracking tr;
    struct ntp_source_stats ds;
    CHECK_INT(srcstats_samples(st), 0);
    CHECK(!srcstats_get_selection(st, &now, &sel));
    CHECK(!srcstats_get_tracking(st, &tr));
    CHECK(!srcstats_get_delay_stats(st, NULL, &ds));
    CHECK_NEAR(srcstats_predict_offset(st, &now), 0.0, 0);
    struct srcstats_report r;
    srcstats_get_report(st, &now, &r);
    CHECK_INT(r.n_samples, 0);
    CHECK(r.latest_meas_ago_s < 0);
    CHECK_NEAR(r.skew_ppm, 2000.0, 1e-9);
    srcstats_destroy(st);
}

TEST(exact_offset_and_frequency)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    const double off0 = 2.5e-3, freq = 40e-6;
    struct srcstats_update u;
    /* a line with +-1 ns of alternating noise (residual signs look random) */
    for (int i = 0; i < 10; i++) {
        struct ntp_source_sample s = sample(i * POLL_S, off0 + freq * i * POLL_S +
                                            (i % 2 ? 1e-9 : -1e-9), 100e-6);
        u = srcstats_add_sample(st, &s);
    }
    CHECK(u.accepted);
    CHECK_INT(u.n_samples, 10);
    CHECK_NEAR(u.n_eff, 10.0, 1e-9);
    CHECK_NEAR(u.error_in_estimate_s, 0.0, 1e-8);

    struct srcstats_tracking tr;
    CHECK(srcstats_get_tracking(st, &tr));
    CHECK_NEAR(tr.frequency, freq, 1e-11);
    CHECK_NEAR(tr.offset_s, off0 + freq * 9 * POLL_S, 2e-9);
    CHECK_INT(ntptime_compare(tr.ref_time, at(9 * POLL_S)), 0);

    struct timespec later = at(20 * POLL_S);
    CHECK_NEAR(srcstats_predict_offset(st, &later), off0 + freq * 20 * POLL_S, 1e-8);

    struct srcstats_report r;
    srcstats_get_report(st, &later, &r);
    CHECK_INT(r.n_samples, 10);
    CHECK_INT(r.n_runs, 10);
    CHECK_NEAR(r.span_s, 9 * POLL_S, 0.5);
    CHECK_NEAR(r.resid_freq_ppm, 40.0, 1e-5);
    CHECK_NEAR(r.est_offset_s, off0 + freq * 20 * POLL_S, 1e-8);
    CHECK_NEAR(r.std_dev_s, 1e-9, 0.5e-9);
    CHECK_NEAR(r.latest_meas_s, off0 + freq * 9 * POLL_S, 2e-9);
    CHECK_NEAR(r.orig_latest_meas_s, r.latest_meas_s, 0);
    CHECK_INT(r.stratum, 2);
    srcstats_destroy(st);
}

/* The sign convention: an NTP offset of +1 ms (the server ahead of us)
 * means our clock is 1 ms behind: -1 ms here. */
TEST(sign_convention)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    for (int i = 0; i < 4; i++) {
        struct ntp_source_sample s = sample(i * POLL_S, 0.0, 1e-4);
        s.offset_s = 1e-3;
        srcstats_add_sample(st, &s);
    }
    struct srcstats_tracking tr;
    CHECK(srcstats_get_tracking(st, &tr));
    CHECK_NEAR(tr.offset_s, -1e-3, 1e-12);
    srcstats_destroy(st);
}

TEST(jitter_gives_sensible_estimates)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    const double off0 = -0.5e-3, freq = -12e-6, jitter = 10e-6;
    for (int i = 0; i < 64; i++)
        feed(st, i * POLL_S, off0, freq, jitter);

    struct srcstats_tracking tr;
    CHECK(srcstats_get_tracking(st, &tr));
    double t_end = 63 * POLL_S;
    /* the errors are within a few standard errors, and those are small */
    CHECK(fabs(tr.frequency - freq) < 4.0 * tr.frequency_sd + 1e-12);
    CHECK(tr.frequency_sd < 0.01e-6);
    CHECK(fabs(tr.offset_s - (off0 + freq * t_end)) < 4.0 * tr.offset_sd_s + 1e-9);
    CHECK(tr.offset_sd_s < 3e-6);
    CHECK(tr.skew > tr.frequency_sd);

    /* the scatter: (ef - eb) / 2 of two exponentials has sd jitter/sqrt(2) */
    struct srcstats_report r;
    struct timespec now = at(t_end);
    srcstats_get_report(st, &now, &r);
    CHECK(r.std_dev_s > 0.5e-6 && r.std_dev_s < 2.0 * jitter);
    CHECK(r.n_runs > 10);

    struct srcstats_selection sel;
    CHECK(srcstats_get_selection(st, &now, &sel));
    double truth = off0 + freq * t_end;
    CHECK(sel.lo_limit_s <= truth && truth <= sel.hi_limit_s);
    CHECK_NEAR(sel.root_distance_s, (sel.hi_limit_s - sel.lo_limit_s) / 2, 1e-15);
    CHECK_NEAR(sel.last_sample_ago_s, 0.0, 1e-9);
    CHECK_NEAR(sel.first_sample_ago_s, r.span_s, 1.0);
    srcstats_destroy(st);
}

/* After the clock is corrected by what the statistics measured, the
 * statistics must see a clock that is right. */
TEST(slew_moves_samples)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    const double off0 = 3e-3, freq = 50e-6;
    for (int i = 0; i < 8; i++)
        feed(st, i * POLL_S, off0, freq, 0.0);

    struct timespec now = at(8 * POLL_S);
    double predicted = srcstats_predict_offset(st, &now);
    CHECK_NEAR(predicted, off0 + freq * 8 * POLL_S, 1e-11);

    struct srcstats_tracking before;
    CHECK(srcstats_get_tracking(st, &before));
    srcstats_slew(st, &now, freq, predicted);
    CHECK_NEAR(srcstats_predict_offset(st, &now), 0.0, 1e-11);
    struct srcstats_tracking after;
    CHECK(srcstats_get_tracking(st, &after));
    CHECK_NEAR(after.frequency, 0.0, 1e-12);
    /* the epoch of the estimates moved with the clock */
    CHECK(ntptime_compare(after.ref_time, before.ref_time) != 0);

    /* new samples of the corrected clock agree with the old ones */
    for (int i = 9; i < 12; i++) {
        struct ntp_source_sample s = sample(i * POLL_S, 0.0, 100e-6);
        struct srcstats_update u = srcstats_add_sample(st, &s);
        CHECK(u.error_in_estimate_s < 1e-9);
    }
    struct srcstats_report r;
    srcstats_get_report(st, &now, &r);
    CHECK_INT(r.n_samples, 11);
    CHECK_NEAR(r.orig_latest_meas_s, 0.0, 1e-12);
    srcstats_destroy(st);
}

TEST(delay_statistics)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    static const double delays[] = { 3e-4, 2e-4, 5e-4, 2.5e-4, 4e-4, 6e-4, 3.5e-4 };
    struct ntp_source_stats ds;
    for (int i = 0; i < 7; i++) {
        struct ntp_source_sample s = sample(i * POLL_S, 1e-3, delays[i]);
        srcstats_add_sample(st, &s);
        CHECK(srcstats_get_delay_stats(st, NULL, &ds));
        CHECK_INT(ds.have_delay_data, i + 1 >= 6);
    }
    CHECK_NEAR(ds.min_delay_s, 2e-4, 0);
    struct timespec t = at(10 * POLL_S);
    CHECK(srcstats_get_delay_stats(st, &t, &ds));
    CHECK_NEAR(ds.last_sample_ago_s, 4 * POLL_S, 1e-9);
    CHECK_NEAR(ds.predicted_offset_s, 1e-3, 1e-12);
    CHECK(ds.skew > 0 && ds.skew <= SRCSTATS_WORST_CASE_SKEW);
    srcstats_destroy(st);

    /* with mindelay the minimum is fixed, even without samples */
    settings(&set);
    set.min_delay_s = 1e-4;
    st = srcstats_create(&set);
    CHECK(srcstats_get_delay_stats(st, NULL, &ds));
    CHECK_NEAR(ds.min_delay_s, 1e-4, 0);
    srcstats_destroy(st);
}

TEST(register_limits)
{
    struct srcstats_settings set;
    settings(&set);
    set.max_samples = 12;
    struct srcstats *st = srcstats_create(&set);
    for (int i = 0; i < 40; i++)
        feed(st, i * POLL_S, 0.0, 1e-6, 1e-6);
    CHECK(srcstats_samples(st) <= 12);
    srcstats_destroy(st);

    settings(&set);
    st = srcstats_create(&set);
    for (int i = 0; i < 200; i++)
        feed(st, i * POLL_S, 0.0, 1e-6, 1e-6);
    CHECK(srcstats_samples(st) <= SRCSTATS_MAX_SAMPLES);
    CHECK(srcstats_samples(st) > 40);

    /* an older sample than the last one discards the history */
    struct ntp_source_sample s = sample(10 * POLL_S, 0.0, 1e-4);
    srcstats_add_sample(st, &s);
    CHECK_INT(srcstats_samples(st), 1);
    srcstats_reset(st);
    CHECK_INT(srcstats_samples(st), 0);
    srcstats_destroy(st);
}

TEST(frequency_change_trims_old_samples)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    for (int i = 0; i < 40; i++)
        feed(st, i * POLL_S, 0.0, 0.0, 1e-6);
    CHECK(srcstats_samples(st) >= 35);
    /* the frequency jumps by 2 ppm: 128 us per poll, far above the noise */
    double t0 = 39 * POLL_S;
    struct srcstats_update u;
    for (int i = 40; i < 52; i++) {
        double t = i * POLL_S;
        struct ntp_source_sample s = sample(t, 2e-6 * (t - t0), 1e-4);
        u = srcstats_add_sample(st, &s);
    }
    CHECK(srcstats_samples(st) <= 14);
    /* the poll adaptation sees the trimmed register, and so polls faster */
    CHECK_INT(u.n_samples, srcstats_samples(st));
    struct srcstats_tracking tr;
    CHECK(srcstats_get_tracking(st, &tr));
    CHECK_NEAR(tr.frequency, 2e-6, 0.05e-6);
    srcstats_destroy(st);
}

TEST(min_samples_respected)
{
    struct srcstats_settings set;
    settings(&set);
    set.min_samples = 20;
    struct srcstats *st = srcstats_create(&set);
    for (int i = 0; i < 30; i++)
        feed(st, i * POLL_S, 0.0, 0.0, 1e-6);
    for (int i = 30; i < 36; i++) {
        struct ntp_source_sample s = sample(i * POLL_S, 1e-3 * (i - 29), 1e-4);
        srcstats_add_sample(st, &s);
    }
    CHECK(srcstats_samples(st) >= 20);
    srcstats_destroy(st);
}

TEST(median_filter)
{
    struct srcstats_settings set;
    settings(&set);
    set.filter = 5;
    struct srcstats *st = srcstats_create(&set);
    static const double offs[] = { 1e-3, 1.1e-3, 50e-3, 0.9e-3, 1.05e-3 };
    struct srcstats_update u;
    for (int i = 0; i < 5; i++) {
        struct ntp_source_sample s = sample(i * 2.0, offs[i], 1e-4);
        u = srcstats_add_sample(st, &s);
        CHECK_INT(u.accepted, i == 4);
    }
    CHECK_INT(srcstats_samples(st), 1);
    struct srcstats_report r;
    struct timespec now = at(10);
    srcstats_get_report(st, &now, &r);
    CHECK_NEAR(r.latest_meas_s, 1.05e-3, 1e-12);    /* the median, not the outlier */
    srcstats_destroy(st);
}

TEST(mindelay_and_fixed_asymmetry)
{
    /* requests late by e, responses on time: the measured offset is off by
     * e / 2 and asymmetry -0.5 removes exactly that */
    struct srcstats_settings set;
    settings(&set);
    set.asymmetry = -0.5;
    struct srcstats *st = srcstats_create(&set);
    for (int i = 0; i < 10; i++) {
        double e = (i % 3) * 40e-6;
        double t = i * POLL_S;
        struct ntp_source_sample s = sample(t, 1e-3 - e / 2, 100e-6 + e);
        srcstats_add_sample(st, &s);
    }
    struct srcstats_tracking tr;
    CHECK(srcstats_get_tracking(st, &tr));
    CHECK_NEAR(tr.offset_s, 1e-3, 1e-9);
    CHECK_NEAR(tr.frequency, 0.0, 1e-12);
    srcstats_destroy(st);

    /* a delay below mindelay is reflected above it */
    settings(&set);
    set.min_delay_s = 2e-4;
    st = srcstats_create(&set);
    struct ntp_source_sample s = sample(0, 0.0, 1.5e-4);
    srcstats_add_sample(st, &s);
    struct ntp_source_stats ds;
    CHECK(srcstats_get_delay_stats(st, NULL, &ds));
    CHECK_NEAR(ds.min_delay_s, 2e-4, 0);
    srcstats_destroy(st);
}

TEST(estimated_asymmetry)
{
    /* all the jitter on the way to the server: estimated after enough fits */
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    for (int i = 0; i < 40; i++) {
        double e = expo(50e-6);
        struct ntp_source_sample s = sample(i * POLL_S, 2e-3 - e / 2, 100e-6 + e);
        srcstats_add_sample(st, &s);
    }
    struct srcstats_report r;
    struct timespec now = at(40 * POLL_S);
    srcstats_get_report(st, &now, &r);
    CHECK_NEAR(r.asymmetry, -0.5, 0.06);
    struct srcstats_tracking tr;
    CHECK(srcstats_get_tracking(st, &tr));
    CHECK_NEAR(tr.offset_s, 2e-3, 2e-6);
    srcstats_destroy(st);
}

TEST(dispersion_and_tracking_data)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    for (int i = 0; i < 5; i++)
        feed(st, i * POLL_S, 0.0, 0.0, 0.0);
    struct srcstats_tracking a, b;
    CHECK(srcstats_get_tracking(st, &a));
    CHECK_NEAR(a.root_delay_s, 100e-6, 1e-12);
    CHECK(a.root_dispersion_s >= 1e-5);
    srcstats_add_dispersion(st, 1e-3);
    CHECK(srcstats_get_tracking(st, &b));
    CHECK_NEAR(b.root_dispersion_s - a.root_dispersion_s, 1e-3, 1e-12);
    srcstats_destroy(st);
}

TEST(settings_from_options)
{
    struct srcopts o;
    srcopts_defaults(&o);
    struct srcstats_settings set;
    srcstats_settings_for(&set, &o, 6, 32, 1e-7);
    CHECK_INT(set.min_samples, 6);
    CHECK_INT(set.max_samples, 32);
    CHECK_NEAR(set.precision_s, 1e-7, 0);
    o.min_samples = 10;
    o.max_samples = 20;
    o.filter = 3;
    srcstats_settings_for(&set, &o, 6, 32, 1e-7);
    CHECK_INT(set.min_samples, 10);
    CHECK_INT(set.max_samples, 20);
    CHECK_INT(set.filter, 3);
}

/* With a random walk of the frequency, the wander weighting follows it: the
 * effective number of samples (n_eff) drops well below the samples the runs
 * test kept. The poll adaptation gets the latter, chrony's count (NP of
 * `sourcestats`), so that the polling interval, and the load on the server,
 * is chrony's; without wander the two numbers mostly agree. */
TEST(wander_lowers_effective_samples)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *still = srcstats_create(&set), *wander = srcstats_create(&set);
    double phase = 0.0, freq = 0.0;
    struct srcstats_update us, uw;
    struct srcstats_report r;
    struct timespec now;
    int wander_below = 0, still_same = 0, still_kept = 0, wander_kept = 0;
    const int n = 300;
    for (int i = 0; i < n; i++) {
        double t = i * 1024.0;
        now = at(t);
        us = feed(still, t, 0.0, 0.0, 5e-6);
        /* a frequency random walk of 3e-9/sqrt(s): about 0.1 ppm per poll */
        freq += 3e-9 * sqrt(1024.0) * (uniform() - 0.5) * sqrt(12.0);
        phase += freq * 1024.0;
        struct ntp_source_sample s = sample(t, phase, 100e-6);
        s.offset_s -= 5e-6 * (uniform() - 0.5);
        uw = srcstats_add_sample(wander, &s);

        /* the count for the poll adaptation is the register's, always */
        srcstats_get_report(still, &now, &r);
        still_kept += us.n_samples == r.n_samples && us.n_samples == srcstats_samples(still);
        srcstats_get_report(wander, &now, &r);
        wander_kept += uw.n_samples == r.n_samples && uw.n_samples == srcstats_samples(wander);
        /* in the second half, after the wander level settled */
        if (i >= n / 2) {
            wander_below += uw.n_eff < 0.5 * uw.n_samples;
            still_same += fabs(us.n_eff - us.n_samples) < 1e-9;
        }
    }
    CHECK_INT(still_kept, n);
    CHECK_INT(wander_kept, n);
    CHECK(us.n_samples >= 30);
    CHECK(wander_below >= n / 2 * 9 / 10);
    /* (noise alone sometimes makes a wander level look better for a while) */
    CHECK(still_same > n / 4);
    srcstats_destroy(still);
    srcstats_destroy(wander);
}

/* The dump's round trip: the saved window, loaded into a fresh register,
 * gives the same estimates and reports; bad data is refused. */
TEST(save_and_load)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    for (int i = 0; i < 20; i++)
        feed(st, i * POLL_S, 0.002, 3e-6, 50e-6);
    struct srcstats_saved_sample saved[SRCSTATS_MAX_SAMPLES];
    int arun = -99;
    int n = srcstats_save(st, saved, &arun);
    CHECK_INT(n, srcstats_samples(st));
    CHECK(n >= 10);
    CHECK_INT(arun, 0);
    for (int i = 1; i < n; i++)
        CHECK(ntptime_compare(saved[i - 1].time, saved[i].time) < 0);
    CHECK_NEAR(ntptime_diff(saved[n - 1].time, at(19 * POLL_S)), 0.0, 1e-9);

    struct srcstats *copy = srcstats_create(&set);
    CHECK(srcstats_load(copy, saved, n, 7, 3));
    CHECK_INT(srcstats_samples(copy), n);
    struct timespec now = at(20 * POLL_S);
    struct srcstats_report a, b;
    srcstats_get_report(st, &now, &a);
    srcstats_get_report(copy, &now, &b);
    CHECK_INT(b.n_samples, a.n_samples);
    CHECK_NEAR(b.resid_freq_ppm, a.resid_freq_ppm, 0.05);
    CHECK_NEAR(b.est_offset_s, a.est_offset_s, 5e-6);
    CHECK_NEAR(b.latest_meas_s, a.latest_meas_s, 0);
    CHECK_INT(b.stratum, 3);                    /* the dump's stratum */
    struct srcstats_tracking ta, tb;
    CHECK(srcstats_get_tracking(st, &ta) && srcstats_get_tracking(copy, &tb));
    CHECK_NEAR(tb.frequency, 3e-6, 0.5e-6);     /* the history is useful at once */
    int arun2;
    srcstats_save(copy, saved, &arun2);
    CHECK_INT(arun2, 7);

    /* refused, leaving the history alone: out of order, absurd values */
    struct srcstats_saved_sample bad[2] = { saved[1], saved[0] };
    CHECK(!srcstats_load(copy, bad, 2, 0, 3));
    CHECK_INT(srcstats_samples(copy), n);
    bad[0] = saved[0];
    bad[1] = saved[1];
    bad[1].delay_s = -1.0;
    CHECK(!srcstats_load(copy, bad, 2, 0, 3));
    bad[1] = saved[1];
    bad[1].offset_s = NAN;
    CHECK(!srcstats_load(copy, bad, 2, 0, 3));
    CHECK(!srcstats_load(copy, saved, SRCSTATS_MAX_SAMPLES + 1, 0, 3));
    CHECK_INT(srcstats_samples(copy), n);

    /* more than maxsamples: the newest are kept; none: empty */
    set.max_samples = 8;
    struct srcstats *small = srcstats_create(&set);
    CHECK(srcstats_load(small, saved, n, 0, 2));
    CHECK_INT(srcstats_samples(small), 8);
    struct srcstats_saved_sample kept[SRCSTATS_MAX_SAMPLES];
    srcstats_save(small, kept, &arun2);
    CHECK(ntptime_compare(kept[7].time, saved[n - 1].time) == 0);
    CHECK(srcstats_load(small, saved, 0, 0, 2));
    CHECK_INT(srcstats_samples(small), 0);
    srcstats_destroy(small);
    srcstats_destroy(copy);
    srcstats_destroy(st);
}

/* The outcome of each fit, for the statistics log: the estimates the
 * tracking data has, the register before and after the runs test, and
 * chrony's stress (the frequency's move in units of the previous skew). */
TEST(regression_report)
{
    struct srcstats_settings set;
    settings(&set);
    struct srcstats *st = srcstats_create(&set);
    struct srcstats_regression r;
    srcstats_get_regression(st, &r);
    CHECK(!r.ok);
    feed(st, 0.0, 1e-3, 0.0, 1e-6);
    feed(st, POLL_S, 1e-3, 0.0, 1e-6);
    srcstats_get_regression(st, &r);
    CHECK(!r.ok);                          /* two samples: no fit */

    bool trimmed = false;
    double max_stress_before = 0.0, jump_stress = 0.0;
    for (int i = 2; i < 52; i++) {
        double t = i * POLL_S;
        /* 1 ppm fast from sample 40 on: the runs test drops the old ones */
        double ahead = 1e-3 + (i >= 40 ? 1e-6 * (t - 39 * POLL_S) : 0.0);
        struct srcstats_tracking prev;
        double prev_freq = 0.0, prev_skew = SRCSTATS_WORST_CASE_SKEW;
        if (srcstats_get_tracking(st, &prev)) {
            prev_freq = prev.frequency;
            prev_skew = prev.skew;
        }
        struct ntp_source_sample s = sample(t, ahead, 100e-6 + expo(2e-6));
        srcstats_add_sample(st, &s);
        srcstats_get_regression(st, &r);
        struct srcstats_tracking tr;
        CHECK(r.ok && srcstats_get_tracking(st, &tr));
        CHECK(ntptime_compare(r.offset_time, s.time) == 0);
        CHECK_NEAR(r.est_offset_s, tr.offset_s, 0);
        CHECK_NEAR(r.est_offset_sd_s, tr.offset_sd_s, 0);
        CHECK_NEAR(r.frequency, tr.frequency, 0);
        CHECK_NEAR(r.skew, tr.skew, 0);
        CHECK(r.std_dev_s > 0.0);
        CHECK_NEAR(r.stress, fabs(prev_freq - r.frequency) / prev_skew, 1e-12 * r.stress);
        CHECK(r.best_start >= 0 && r.best_start < r.n_samples);
        CHECK_INT(r.n_samples - r.best_start, srcstats_samples(st));
        CHECK(r.n_runs >= 1 && r.n_runs <= r.n_samples);
        CHECK_NEAR(r.asymmetry, 0.0, 0);
        if (r.best_start > 0)
            trimmed = true;
        if (i >= 10 && i < 40)
            max_stress_before = fmax(max_stress_before, r.stress);
        if (i >= 40)
            jump_stress = fmax(jump_stress, r.stress);
    }
    CHECK(trimmed);
    /* a steady frequency moves within its skew; the jump well beyond */
    CHECK(max_stress_before < 1.0);
    CHECK(jump_stress > 3.0);

    srcstats_reset(st);
    srcstats_get_regression(st, &r);
    CHECK(!r.ok);
    srcstats_destroy(st);

    /* a fixed asymmetry is the one in use */
    settings(&set);
    set.asymmetry = 0.25;
    st = srcstats_create(&set);
    for (int i = 0; i < 5; i++)
        feed(st, i * POLL_S, 0.0, 0.0, 1e-6);
    srcstats_get_regression(st, &r);
    CHECK(r.ok);
    CHECK_NEAR(r.asymmetry, 0.25, 0);
    srcstats_destroy(st);
}

TEST_LIST {
    T(empty_statistics),
    T(exact_offset_and_frequency),
    T(sign_convention),
    T(jitter_gives_sensible_estimates),
    T(slew_moves_samples),
    T(delay_statistics),
    T(register_limits),
    T(frequency_change_trims_old_samples),
    T(min_samples_respected),
    T(median_filter),
    T(mindelay_and_fixed_asymmetry),
    T(estimated_asymmetry),
    T(dispersion_and_tracking_data),
    T(settings_from_options),
    T(wander_lowers_effective_samples),
    T(save_and_load),
    T(regression_report),
};
TEST_MAIN
