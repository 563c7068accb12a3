/* Tests of the clock discipline decisions and the reference state: makestep,
 * maxchange, the frequency blending (maxupdateskew), the drift file values,
 * the RMS offset, fallback drifts, the special modes, the server state and
 * the tracking report; and a closed loop: srcstats, select and tracking
 * steering a simulated clock with a frequency error through noisy
 * measurements. */
#include "harness.h"
#include "core/tracking.h"

#include "common/ntptime.h"
#include "common/srcopts.h"
#include "core/select.h"
#include "core/srcstats.h"
#include "ntp_wire.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define EPOCH_S 1700000000      /* 2023-11-14 */
#define PPM 1e-6

static struct timespec at(double t)
{
    return ntptime_add_double((struct timespec){ EPOCH_S, 0 }, t);
}

static struct select_reference reference(double t, double offset, double freq, double skew)
{
    struct select_reference r;
    memset(&r, 0, sizeof r);
    r.stratum = 2;
    r.leap = NTP_LEAP_NORMAL;
    r.refid = 0xc0a80001u;
    r.n_combined = 1;
    r.ref_time = at(t);
    r.offset_s = offset;
    r.offset_sd_s = 1e-6;
    r.frequency = freq;
    r.frequency_sd = skew / 4;
    r.skew = skew;
    r.root_delay_s = 2e-3;
    r.root_dispersion_s = 1e-3;
    return r;
}

static struct tracking_clock clock_at(double t)
{
    struct tracking_clock c;
    memset(&c, 0, sizeof c);
    c.now = at(t);
    c.now_mono = t;
    return c;
}

static struct tracking *make(double makestep_threshold, int makestep_limit)
{
    struct tracking_settings set;
    tracking_default_settings(&set);
    set.makestep_threshold_s = makestep_threshold;
    set.makestep_limit = makestep_limit;
    return tracking_create(&set, 0.0, 0.0, 0.0);
}

TEST(makestep_on_first_updates_only)
{
    struct tracking *tr = make(1.0, 3);
    struct tracking_action act;
    struct select_reference r = reference(0, 2.0, 0.0, 1e-6);
    struct tracking_clock c = clock_at(0);

    tracking_update(tr, &r, &c, &act);            /* update 1: stepped */
    CHECK(act.adjust);
    CHECK_NEAR(act.step_offset_s, 2.0, 1e-12);
    CHECK_NEAR(act.slew_offset_s, 0.0, 0);
    r = reference(64, 0.5, 0.0, 1e-6);
    c = clock_at(64);
    tracking_update(tr, &r, &c, &act);            /* update 2: under the threshold */
    CHECK_NEAR(act.step_offset_s, 0.0, 0);
    CHECK_NEAR(act.slew_offset_s, 0.5, 1e-12);
    r = reference(128, 1.5, 0.0, 1e-6);
    c = clock_at(128);
    tracking_update(tr, &r, &c, &act);            /* update 3: stepped */
    CHECK_NEAR(act.step_offset_s, 1.5, 1e-12);
    r = reference(192, 3.0, 0.0, 1e-6);
    c = clock_at(192);
    tracking_update(tr, &r, &c, &act);            /* update 4: limit reached */
    CHECK_NEAR(act.step_offset_s, 0.0, 0);
    CHECK_NEAR(act.slew_offset_s, 3.0, 1e-12);
    tracking_destroy(tr);
}

TEST(makestep_unlimited_and_pending_slew)
{
    struct tracking *tr = make(0.1, -1);
    struct tracking_action act;
    for (int i = 0; i < 10; i++) {
        struct select_reference r = reference(i * 64.0, 0.2, 0.0, 1e-6);
        struct tracking_clock c = clock_at(i * 64.0);
        tracking_update(tr, &r, &c, &act);
        CHECK_NEAR(act.step_offset_s, 0.2, 1e-12);
    }
    /* a slew still pending (cooked - raw = -0.3: the clock will be moved
     * back 0.3 s) and a measured offset of 0: the raw clock is 0.3 s ahead.
     * The pending slew is cancelled and the clock stepped back 0.3 s. */
    struct select_reference r = reference(700, 0.0, 0.0, 1e-6);
    struct tracking_clock c = clock_at(700);
    c.pending_correction_s = -0.3;
    tracking_update(tr, &r, &c, &act);
    CHECK_NEAR(act.slew_offset_s, -0.3, 1e-12);
    CHECK_NEAR(act.step_offset_s, 0.3, 1e-12);
    tracking_destroy(tr);

    /* makestep 0 (the default): never */
    tr = make(0.1, 0);
    r = reference(0, 100.0, 0.0, 1e-6);
    c = clock_at(0);
    tracking_update(tr, &r, &c, &act);
    CHECK_NEAR(act.step_offset_s, 0.0, 0);
    CHECK_NEAR(act.slew_offset_s, 100.0, 1e-9);
    tracking_destroy(tr);
}

TEST(offset_carried_to_now)
{
    struct tracking *tr = make(1.0, 0);
    struct tracking_action act;
    /* estimates from 10 s ago: 1 ms then, growing 10 ppm */
    struct select_reference r = reference(90, 1e-3, 10e-6, 1e-6);
    struct tracking_clock c = clock_at(100);
    tracking_update(tr, &r, &c, &act);
    CHECK_NEAR(act.offset_s, 1e-3 + 10 * 10e-6, 1e-12);
    CHECK_NEAR(act.slew_offset_s, 1.1e-3, 1e-12);
    tracking_destroy(tr);
}

TEST(maxchange)
{
    struct tracking_settings set;
    tracking_default_settings(&set);
    set.maxchange_offset_s = 0.5;
    set.maxchange_delay = 1;
    set.maxchange_ignore = 1;
    struct tracking *tr = tracking_create(&set, 0.0, 0.0, 0.0);
    struct tracking_action act;
    struct select_reference r = reference(0, 2.0, 0.0, 1e-6);
    struct tracking_clock c = clock_at(0);
    tracking_update(tr, &r, &c, &act);            /* within the delay */
    CHECK(act.adjust && !act.offset_ignored);
    r = reference(64, 1.0, 0.0, 1e-6);
    c = clock_at(64);
    tracking_update(tr, &r, &c, &act);            /* ignored once */
    CHECK(!act.adjust && act.offset_ignored && !act.exit);
    r = reference(128, 0.1, 0.0, 1e-6);
    c = clock_at(128);
    tracking_update(tr, &r, &c, &act);            /* fine */
    CHECK(act.adjust && !act.offset_ignored);
    r = reference(192, -1.0, 0.0, 1e-6);
    c = clock_at(192);
    tracking_update(tr, &r, &c, &act);            /* then exit */
    CHECK(!act.adjust && act.offset_ignored && act.exit);
    tracking_destroy(tr);
}

TEST(frequency_blending)
{
    /* nothing known: the measured frequency is taken in full, even with a
     * skew over maxupdateskew (a poor estimate beats none) */
    struct tracking *tr = make(1.0, 0);
    struct tracking_action act;
    struct select_reference r = reference(0, 0.0, 50e-6, 2000e-6);
    struct tracking_clock c = clock_at(0);
    tracking_update(tr, &r, &c, &act);
    CHECK_NEAR(act.freq_ppm, 50.0, 0.01);
    CHECK_NEAR(tracking_get_frequency(tr), act.freq_ppm, 0);
    CHECK_NEAR(act.dfreq, 50e-6, 1e-9);

    /* once the frequency is known (skew ~2000 ppm now: take a good one) */
    r = reference(64, 0.0, 1e-6, 0.01e-6);
    c = clock_at(64);
    tracking_update(tr, &r, &c, &act);
    CHECK_NEAR(act.freq_ppm, 51.0, 0.01);
    struct tracking_report rep;
    tracking_get_report(tr, &c.now, 0.0, &rep);
    CHECK(rep.skew_ppm < 0.1);

    /* a measurement much worse than what we know barely moves it */
    r = reference(128, 1e-6, 1e-6, 1e-6);
    c = clock_at(128);
    tracking_update(tr, &r, &c, &act);
    CHECK(fabs(act.freq_ppm - 51.0) < 0.05);
    tracking_get_report(tr, &c.now, 0.0, &rep);
    CHECK(fabs(rep.resid_freq_ppm) > 0.9);

    /* over maxupdateskew and worse than ours: ignored */
    r = reference(192, 0.0, 100e-6, 1500e-6);
    c = clock_at(192);
    double before = tracking_get_frequency(tr);
    tracking_update(tr, &r, &c, &act);
    CHECK_NEAR(act.freq_ppm, before, 1e-9);
    tracking_destroy(tr);
}

TEST(maxdrift_clamps_frequency)
{
    struct tracking_settings set;
    tracking_default_settings(&set);
    set.max_drift_ppm = 100.0;
    struct tracking *tr = tracking_create(&set, 0.0, 0.0, 0.0);
    struct tracking_action act;
    struct select_reference r = reference(0, 0.0, 300e-6, 1e-6);
    struct tracking_clock c = clock_at(0);
    tracking_update(tr, &r, &c, &act);
    CHECK_NEAR(act.freq_ppm, 100.0, 1e-9);
    CHECK_NEAR(act.dfreq, 100e-6, 1e-9);
    tracking_destroy(tr);
}

TEST(server_state_and_report)
{
    struct tracking_settings set;
    tracking_default_settings(&set);
    struct tracking *tr = tracking_create(&set, 12.5, 0.2, 0.0);
    struct ntp_server_state st;
    double rate;
    CHECK(!tracking_get_server_state(tr, &st, &rate));
    struct tracking_report rep;
    struct timespec now = at(0);
    tracking_get_report(tr, &now, 0.0, &rep);
    CHECK(!rep.synchronised);
    CHECK_INT(rep.stratum, 0);
    CHECK_INT(rep.leap, NTP_LEAP_UNSYNC);
    CHECK_NEAR(rep.freq_ppm, 12.5, 0);
    CHECK_NEAR(rep.root_dispersion_s, 1.0, 0);

    struct select_reference r = reference(0, 1e-4, 0.0, 0.01e-6);
    struct tracking_clock c = clock_at(0);
    struct tracking_action act;
    tracking_update(tr, &r, &c, &act);
    CHECK(tracking_is_synchronised(tr));
    CHECK(tracking_get_server_state(tr, &st, &rate));
    CHECK_INT(st.stratum, 3);
    CHECK_INT(st.refid, 0xc0a80001u);
    CHECK_INT(st.leap, NTP_LEAP_NORMAL);
    CHECK_NEAR(st.root_delay_s, 2e-3, 0);
    CHECK(st.root_dispersion_s >= 1e-3);
    CHECK(rate > 1e-6 && rate < 1.1e-6 + 0.02e-6);   /* maxclockerror + skew */
    CHECK(ntptime_diff(st.ref_time, at(0)) > -1e-9 - 0.0001);

    now = at(1000);
    tracking_get_report(tr, &now, -2e-6, &rep);
    CHECK(rep.synchronised);
    CHECK_INT(rep.stratum, 3);
    CHECK_NEAR(rep.system_time_s, -2e-6, 0);
    CHECK_NEAR(rep.last_offset_s, 1e-4, 1e-12);
    CHECK_NEAR(rep.rms_offset_s, 1e-4, 1e-12);
    CHECK_NEAR(rep.root_dispersion_s, st.root_dispersion_s + 1000 * rate, 1e-9);

    tracking_set_unsynchronised(tr, 2000.0, NULL);
    CHECK(!tracking_is_synchronised(tr));
    CHECK(!tracking_get_server_state(tr, &st, &rate));
    tracking_get_report(tr, &now, 0.0, &rep);
    CHECK_INT(rep.refid, NTP_REFID_UNSYNC);
    tracking_destroy(tr);
}

TEST(reference_time_fuzzed)
{
    struct tracking *tr = make(1.0, 0);
    struct select_reference r = reference(100, 0.0, 0.0, 1e-6);
    struct tracking_clock c = clock_at(100);
    c.random = UINT64_MAX / 2;                     /* half a second */
    struct tracking_action act;
    tracking_update(tr, &r, &c, &act);
    struct ntp_server_state st;
    double rate;
    CHECK(tracking_get_server_state(tr, &st, &rate));
    CHECK_NEAR(ntptime_diff(at(100), st.ref_time), 0.5, 1e-6);
    tracking_destroy(tr);
}

TEST(rms_offset)
{
    struct tracking *tr = make(1.0, 0);
    struct tracking_action act;
    static const double offs[] = { 1e-3, 5e-4, 2e-4, 1e-3, 1e-4 };
    for (int i = 0; i < 5; i++) {
        struct select_reference r = reference(i * 64.0, offs[i], 0.0, 1e-6);
        struct tracking_clock c = clock_at(i * 64.0);
        tracking_update(tr, &r, &c, &act);
    }
    /* the last square while offsets shrink; the first growth (the 4th
     * offset) starts a moving average from its square */
    double a = 1e-3 * 1e-3;
    a += 0.1 * (1e-4 * 1e-4 - a);
    struct tracking_report rep;
    struct timespec now = at(300);
    tracking_get_report(tr, &now, 0.0, &rep);
    CHECK_NEAR(rep.rms_offset_s, sqrt(a), 1e-12);
    CHECK_NEAR(rep.last_offset_s, 1e-4, 0);
    CHECK_NEAR(rep.last_update_interval_s, 64.0, 1e-9);
    tracking_destroy(tr);
}

TEST(drift_file_values)
{
    struct tracking_settings set;
    tracking_default_settings(&set);
    set.have_drift_file = true;
    set.drift_interval_s = 3600;
    struct tracking *tr = tracking_create(&set, -7.25, 0.5, 0.0);
    CHECK_NEAR(tracking_get_frequency(tr), -7.25, 0);
    struct tracking_action act;
    int writes = 0;
    for (int i = 0; i <= 120; i++) {
        struct select_reference r = reference(i * 64.0, 0.0, 0.0, 0.01e-6);
        struct tracking_clock c = clock_at(i * 64.0);
        tracking_update(tr, &r, &c, &act);
        if (act.write_drift) {
            writes++;
            CHECK_NEAR(act.drift_freq_ppm, tracking_get_frequency(tr), 0);
            CHECK(act.drift_skew_ppm > 0 && act.drift_skew_ppm < 0.5);
        }
    }
    CHECK_INT(writes, 2);                 /* 120 * 64 s = 2.1 h */
    tracking_destroy(tr);
}

TEST(fallback_drift)
{
    struct tracking_settings set;
    tracking_default_settings(&set);
    set.fallback_drift_min = 6;            /* 64 s */
    set.fallback_drift_max = 7;            /* 128 s */
    struct tracking *tr = tracking_create(&set, 0.0, 0.0, 0.0);
    struct tracking_action act;
    /* synchronised for a while at about 20 ppm */
    for (int i = 0; i < 20; i++) {
        struct select_reference r = reference(i * 16.0, 0.0, i == 0 ? 20e-6 : 0.0, 0.01e-6);
        struct tracking_clock c = clock_at(i * 16.0);
        tracking_update(tr, &r, &c, &act);
    }
    CHECK_NEAR(tracking_get_frequency(tr), 20.0, 0.01);
    /* then the last update pulls the frequency up (a short-term deviation) */
    double t_last = 20 * 16.0;
    struct select_reference r = reference(t_last, 0.0, 30e-6, 0.01e-6);
    struct tracking_clock c = clock_at(t_last);
    tracking_update(tr, &r, &c, &act);
    double deviated = tracking_get_frequency(tr);
    CHECK(deviated > 40.0);

    /* after the update: the first fallback is planned 64 s on, nothing set */
    double next = tracking_fallback(tr, t_last, &act);
    CHECK(!act.adjust && !act.unsynchronise);
    CHECK_NEAR(next, t_last + 64.0, 1e-9);
    CHECK(tracking_is_synchronised(tr));
    next = tracking_fallback(tr, t_last + 30.0, &act);    /* not due yet */
    CHECK(!act.adjust);
    CHECK_NEAR(next, t_last + 64.0, 1e-9);

    /* no update for 64 s: the 64 s average takes over, mostly the 20 ppm of
     * before the deviation, and the clock is no longer synchronised */
    next = tracking_fallback(tr, t_last + 64.0, &act);
    CHECK(act.adjust && act.unsynchronise);
    CHECK(act.freq_ppm > 20.0 && act.freq_ppm < 20.0 + 0.5 * (deviated - 20.0));
    CHECK_NEAR(act.dfreq, (act.freq_ppm - deviated) / (1e6 - deviated), 1e-15);
    CHECK_NEAR(tracking_get_frequency(tr), act.freq_ppm, 0);
    CHECK_NEAR(next, t_last + 128.0, 1e-9);
    double fb64 = act.freq_ppm;
    tracking_set_unsynchronised(tr, t_last + 64.0, NULL);
    CHECK(!tracking_is_synchronised(tr));
    next = tracking_fallback(tr, t_last + 64.0, &act);    /* the daemon asks again */
    CHECK(!act.adjust);
    CHECK_NEAR(next, t_last + 128.0, 1e-9);

    /* 128 s: the longer average, closer still to 20 ppm; the last one */
    next = tracking_fallback(tr, t_last + 128.0, &act);
    CHECK(act.adjust);
    CHECK(act.freq_ppm > 20.0 && act.freq_ppm < fb64);
    CHECK(isinf(next));

    /* a new update plans the first fallback again from its time */
    double t2 = t_last + 500.0;
    r = reference(t2, 0.0, 0.0, 0.01e-6);
    c = clock_at(t2);
    tracking_update(tr, &r, &c, &act);
    CHECK(tracking_is_synchronised(tr));
    next = tracking_fallback(tr, t2, &act);
    CHECK(!act.adjust);
    CHECK_NEAR(next, t2 + 64.0, 1e-9);
    tracking_destroy(tr);

    /* without fallbackdrift: nothing, ever */
    tr = make(1.0, 0);
    CHECK(isinf(tracking_fallback(tr, 1e6, &act)));
    CHECK(!act.adjust && !act.unsynchronise);
    tracking_destroy(tr);
}

TEST(special_modes)
{
    struct tracking_settings set;
    tracking_default_settings(&set);
    set.mode = TRACKING_UPDATE_ONCE;           /* chronyd -q */
    struct tracking *tr = tracking_create(&set, 0.0, 0.0, 0.0);
    struct tracking_action act;
    struct select_reference r = reference(0, 0.25, 0.0, 1e-6);
    struct tracking_clock c = clock_at(0);
    tracking_update(tr, &r, &c, &act);
    CHECK(act.adjust && act.mode_ended && act.mode_ok && act.exit);
    CHECK_NEAR(act.step_offset_s, 0.25, 1e-12);
    tracking_destroy(tr);

    set.mode = TRACKING_PRINT_ONCE;            /* chronyd -Q */
    tr = tracking_create(&set, 0.0, 0.0, 0.0);
    tracking_update(tr, &r, &c, &act);
    CHECK(!act.adjust && act.mode_ended && act.exit);
    CHECK_NEAR(act.offset_s, 0.25, 1e-12);
    tracking_destroy(tr);

    set.mode = TRACKING_UPDATE_ONCE;           /* no source found */
    tr = tracking_create(&set, 0.0, 0.0, 0.0);
    tracking_set_unsynchronised(tr, 10.0, &act);
    CHECK(act.mode_ended && !act.mode_ok && act.exit);
    tracking_destroy(tr);

    set.mode = TRACKING_INIT_STEP_SLEW;
    set.init_step_threshold_s = 0.5;
    tr = tracking_create(&set, 0.0, 0.0, 0.0);
    tracking_update(tr, &r, &c, &act);         /* 0.25 < 0.5: slewed */
    CHECK(act.adjust && act.mode_ended && !act.exit);
    CHECK_NEAR(act.slew_offset_s, 0.25, 1e-12);
    CHECK_NEAR(act.step_offset_s, 0.0, 0);
    r = reference(64, 0.75, 0.0, 1e-6);
    c = clock_at(64);
    tracking_update(tr, &r, &c, &act);         /* now normal mode */
    CHECK(!act.mode_ended);
    CHECK_NEAR(act.slew_offset_s, 0.75, 1e-12);
    tracking_destroy(tr);
}

TEST(leap_status)
{
    struct tracking *tr = make(1.0, 0);
    struct tracking_action act;
    struct ntp_server_state st;
    struct tracking_report rep;
    double rate;
    /* the sources' vote is taken as it is ... */
    struct select_reference r = reference(0, 0.0, 0.0, 1e-6);
    r.leap = NTP_LEAP_INSERT;
    struct tracking_clock c = clock_at(0);
    tracking_update(tr, &r, &c, &act);
    CHECK(tracking_get_server_state(tr, &st, &rate));
    CHECK_INT(st.leap, NTP_LEAP_INSERT);

    /* ... until the leap second logic says what to announce */
    tracking_set_leap_status(tr, NTP_LEAP_NORMAL);
    CHECK(tracking_get_server_state(tr, &st, &rate));
    CHECK_INT(st.leap, NTP_LEAP_NORMAL);
    tracking_get_report(tr, &c.now, 0.0, &rep);
    CHECK_INT(rep.leap, NTP_LEAP_NORMAL);
    tracking_set_leap_status(tr, NTP_LEAP_UNSYNC);   /* a leap second in progress */
    CHECK(tracking_get_server_state(tr, &st, &rate));
    CHECK_INT(st.leap, NTP_LEAP_UNSYNC);
    CHECK_INT(st.stratum, 3);

    /* unsynchronised: the status stays "unsynchronised" */
    tracking_set_unsynchronised(tr, 10.0, NULL);
    tracking_set_leap_status(tr, NTP_LEAP_INSERT);
    tracking_get_report(tr, &c.now, 0.0, &rep);
    CHECK_INT(rep.leap, NTP_LEAP_UNSYNC);
    tracking_destroy(tr);
}

TEST(manual_reference)
{
    struct tracking *tr = make(1.0, 0);
    struct tracking_action act;
    struct timespec t = at(0);
    struct tracking_clock c = clock_at(0);
    tracking_update_manual(tr, &t, 0.01, 5e-6, 3000e-6, &c, &act);
    CHECK(act.adjust);
    CHECK_NEAR(act.freq_ppm, 5.0, 1e-6);      /* always in full */
    CHECK(!tracking_is_synchronised(tr));
    tracking_destroy(tr);
}

/* ---- closed loop ---- */

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

/* A clock with a frequency error, disciplined through a slew register the
 * way chrony's generic driver does it. */
struct vclock {
    double t;              /* true time */
    double raw;            /* our clock's raw reading */
    double error;          /* its own rate error (fraction, + fast) */
    double freq_ppm;       /* the frequency set by tracking */
    double slew;           /* offset still to slew away (+: move back) */
    double corr_rate;
};

#define MAX_SLEW_RATE 83333e-6
#define SLEW_STEP_S 1.0

static void vclock_run(struct vclock *v, double until)
{
    while (v->t < until) {
        double dt = fmin(SLEW_STEP_S, until - v->t);
        double duration = fabs(v->slew) < 1e-12 ? 1e4 : fmax(1.0, v->corr_rate / fabs(v->slew));
        double rate = fmax(-MAX_SLEW_RATE, fmin(v->slew / duration, MAX_SLEW_RATE));
        if (fabs(rate * dt) > fabs(v->slew))
            rate = v->slew / dt;
        v->raw += dt * (1.0 + v->error - v->freq_ppm * PPM - rate);
        v->slew -= rate * dt;
        v->t += dt;
    }
}

/* cooked: the raw clock with the pending slew already applied */
static double vclock_cooked(const struct vclock *v)
{
    return v->raw - v->slew;
}

/* 50 ppm fast, 64 s polls, exponential jitter of 10 us each way over a
 * 100 us delay: within a few dozen updates the frequency error is under
 * 1 ppm and the offset under 100 us, and stays there. */
TEST(closed_loop_converges)
{
    struct srcstats_settings ss;
    struct srcopts o;
    srcopts_defaults(&o);
    srcstats_settings_for(&ss, &o, SRCSTATS_DEFAULT_MIN_SAMPLES, 0, 1e-8);
    struct srcstats *st = srcstats_create(&ss);
    struct select_settings sset;
    select_default_settings(&sset);
    struct selector *sel = select_create(&sset);
    struct select_memory mem;
    select_memory_init(&mem);
    struct tracking_settings tset;
    tracking_default_settings(&tset);
    struct tracking *tr = tracking_create(&tset, 0.0, 0.0, 0.0);

    struct vclock v = { .t = 0, .raw = 0, .error = 50e-6 };
    int converged_at = -1, updates = 0;
    double worst_after = 0.0;
    for (int poll = 0; poll < 120; poll++) {
        vclock_run(&v, 64.0 * (poll + 1));
        double ef = -10e-6 * log(uniform()), eb = -10e-6 * log(uniform());
        struct ntp_source_sample s;
        memset(&s, 0, sizeof s);
        s.time = at(vclock_cooked(&v));
        s.offset_s = v.t - vclock_cooked(&v) + (ef - eb) / 2;
        s.delay_s = s.root_delay_s = 100e-6 + ef + eb;
        s.dispersion_s = s.root_dispersion_s = 1e-7;
        s.stratum = 1;
        srcstats_add_sample(st, &s);

        struct select_candidate c;
        c.mem = &mem;
        struct timespec now = at(vclock_cooked(&v));
        select_fill_candidate(&c, st, &now);
        c.refid = 1;
        c.is_ntp = true;
        c.reach = 0xff;
        c.reach_size = 8;
        c.max_unreach = SRCOPTS_DEFAULT_MAXUNREACH;
        c.stratum = 1;
        c.leap = NTP_LEAP_NORMAL;
        struct select_result res;
        select_run(sel, &c, 1, 0, &res);
        if (!res.update_reference)
            continue;
        updates++;
        struct tracking_clock clk = { .now = now, .now_mono = v.t,
                                      .pending_correction_s = -v.slew };
        struct tracking_action act;
        tracking_update(tr, &res.ref, &clk, &act);
        CHECK(act.adjust);
        v.freq_ppm = act.freq_ppm;
        v.slew += act.slew_offset_s;
        v.corr_rate = act.corr_rate;
        v.raw -= act.step_offset_s;
        srcstats_slew(st, &now, act.dfreq, act.slew_offset_s + act.step_offset_s);

        double freq_error = fabs(v.error - v.freq_ppm * PPM);
        double offset = fabs(v.raw - v.t);
        if (converged_at < 0 && freq_error < 1e-6 && offset < 100e-6)
            converged_at = updates;
        if (converged_at >= 0)
            worst_after = fmax(worst_after, fmax(freq_error / 1e-6, offset / 100e-6));
    }
    CHECK(converged_at > 0 && converged_at <= 40);
    CHECK(worst_after < 1.0);
    CHECK(fabs(v.raw - v.t) < 20e-6);
    CHECK(fabs(v.error - v.freq_ppm * PPM) < 0.05e-6);
    struct tracking_report rep;
    struct timespec now = at(v.raw);
    tracking_get_report(tr, &now, 0.0, &rep);
    CHECK(rep.synchronised);
    CHECK_NEAR(rep.freq_ppm, 50.0, 0.05);
    CHECK(rep.rms_offset_s < 20e-6);

    srcstats_destroy(st);
    select_destroy(sel);
    tracking_destroy(tr);
}

TEST_LIST {
    T(makestep_on_first_updates_only),
    T(makestep_unlimited_and_pending_slew),
    T(offset_carried_to_now),
    T(maxchange),
    T(frequency_blending),
    T(maxdrift_clamps_frequency),
    T(server_state_and_report),
    T(reference_time_fuzzed),
    T(rms_offset),
    T(drift_file_values),
    T(fallback_drift),
    T(special_modes),
    T(leap_status),
    T(manual_reference),
    T(closed_loop_converges),
};
TEST_MAIN
