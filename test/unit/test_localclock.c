/* Unit tests of core/localclock: slewing an offset through the frequency,
 * against a model of a clock driven by the frequency the module sets
 * (chrony's convention: +F ppm slows the clock by F ppm), with its own
 * rate error, in true time. The model also counts driver calls. */
#include "core/localclock.h"

#include <math.h>
#include <string.h>

#include "common/ntptime.h"
#include "harness.h"

#define PPM 1.0e6
#define EPOCH 1700000000

struct model {
    double t;                  /* true time, s since EPOCH */
    double raw;                /* the clock's reading, s since EPOCH */
    double error;              /* its own rate error (fraction, + fast) */
    double freq_ppm;           /* as set by the module */
    double round_ppm;          /* driver resolution (0: exact) */
    int set_calls, step_calls;
    double stepped;            /* sum of steps (+: moved back) */
    bool fail_step;
    bool virtual;              /* -x: the set frequency does not reach the clock */
    double dispersion;
};

/* A rate error of ppm in the multiplicative sense of the kernel: a clock
 * this fast runs exactly on time with the frequency set to ppm. */
static double fast(double ppm)
{
    return ppm / (PPM - ppm);
}

static double m_set(void *ctx, double f)
{
    struct model *m = ctx;
    if (m->round_ppm > 0.0)
        f = round(f / m->round_ppm) * m->round_ppm;
    m->freq_ppm = f;
    m->set_calls++;
    return f;
}

static int m_step(void *ctx, double off)
{
    struct model *m = ctx;
    if (m->fail_step)
        return -1;
    m->raw -= off;
    m->stepped += off;
    m->step_calls++;
    return 0;
}

static void m_disp(void *ctx, double d)
{
    struct model *m = ctx;
    m->dispersion += d;
}

static struct timespec ts(double s)
{
    return ntptime_add_double((struct timespec){ EPOCH, 0 }, s);
}

static double secs(struct timespec t)
{
    return ntptime_diff(t, (struct timespec){ EPOCH, 0 });
}

/* Advance true time by dt in small steps (the frequency is constant between
 * the module's calls, so this is exact up to rounding). */
static double rate(const struct model *m)
{
    return (1.0 + m->error) * (1.0 - (m->virtual ? 0.0 : m->freq_ppm) / PPM);
}

static void run(struct model *m, double dt)
{
    m->raw += dt * rate(m);
    m->t += dt;
}

/* Run until the clock itself has advanced by ds. */
static void run_clock(struct model *m, double ds)
{
    run(m, ds / rate(m));
}

static struct localclock *make(struct model *m, bool control, double freq_ppm, double max_slew)
{
    struct localclock_settings set;
    localclock_default_settings(&set);
    set.control = control;
    set.max_freq_ppm = 100000.0;
    if (max_slew > 0.0)
        set.max_slew_rate_ppm = max_slew;
    set.raw_freq_ppm = 0.0;
    struct localclock_driver drv = { m, m_set, m_step, m_disp };
    struct timespec now = ts(m->raw);
    return localclock_create(&set, &drv, freq_ppm, &now);
}

/* Drive the module's own timer until true time `until`, checking that the
 * cooked time stays on true time (the offset was handed over in full). */
static double follow(struct model *m, struct localclock *lc, double until, int *updates)
{
    double worst = 0.0;
    for (;;) {
        struct timespec now = ts(m->raw);
        double next = localclock_next_update(lc, &now);
        /* the timer, in the clock's own seconds */
        bool last = next / rate(m) >= until - m->t;
        /* look inside the slew too */
        if (last)
            run(m, (until - m->t) / 2.0);
        else
            run_clock(m, next / 2.0);
        struct timespec mid = ts(m->raw), cooked;
        localclock_cook(lc, &mid, &cooked);
        worst = fmax(worst, fabs(secs(cooked) - m->t));
        if (last) {
            run(m, until - m->t);
            return worst;
        }
        run_clock(m, next / 2.0);
        now = ts(m->raw);
        localclock_update(lc, &now);
        if (updates)
            (*updates)++;
    }
}

TEST(idle_clock_keeps_base_frequency)
{
    struct model m = { .error = fast(20.0) };
    struct localclock *lc = make(&m, true, 20.0, 0);
    CHECK_NEAR(m.freq_ppm, 20.0, 1e-12);
    CHECK_NEAR(localclock_get_frequency(lc), 20.0, 0);
    struct timespec now = ts(m.raw);
    CHECK_NEAR(localclock_next_update(lc, &now), LOCALCLOCK_MAX_SLEW_S, 1e-9);
    run(&m, 100.0);
    /* 20 ppm fast, slowed by 20 ppm: stays on time */
    CHECK_NEAR(m.raw - m.t, 0.0, 1e-9);
    now = ts(m.raw);
    CHECK_NEAR(localclock_pending_correction(lc, &now), 0.0, 1e-12);
    localclock_finish(lc, &now);
}

/* 1 ms ahead, correction rate 0.01 s^2: the planned slew lasts
 * 0.01 / 0.001 = 10 s at 100 ppm; cooked time is true time throughout and
 * the raw clock reaches it when the slew ends. */
TEST(slew_duration_and_rate)
{
    struct model m = { .raw = 0.001 };
    struct localclock *lc = make(&m, true, 0.0, 0);
    struct timespec now = ts(m.raw);
    localclock_accumulate(lc, &now, 0.0, 0.001, 0.01);
    /* 10 s of true time is 9.999 s of a clock slowed by 100 ppm */
    CHECK_NEAR(localclock_next_update(lc, &now), 10.0 * (1.0 - 100e-6), 1e-6);
    CHECK_NEAR(m.freq_ppm, 100.0, 1e-6);
    CHECK_NEAR(localclock_slew_rate(lc), 100e-6 / (1.0 - 100e-6), 1e-12);
    CHECK_NEAR(localclock_pending_correction(lc, &now), -0.001, 1e-12);
    struct timespec cooked;
    localclock_cook(lc, &now, &cooked);
    CHECK_NEAR(secs(cooked), 0.0, 1e-9);

    run(&m, 5.0);
    now = ts(m.raw);
    CHECK_NEAR(localclock_remaining_offset(lc, &now), 0.0005, 1e-9);
    localclock_cook(lc, &now, &cooked);
    CHECK_NEAR(secs(cooked), m.t, 1e-9);

    int updates = 0;
    double worst = follow(&m, lc, 30.0, &updates);
    CHECK(worst < 1e-9);
    CHECK_NEAR(m.raw - m.t, 0.0, 1e-9);
    CHECK_NEAR(m.freq_ppm, 0.0, 1e-6);
    CHECK(updates >= 1 && updates <= 3);
    now = ts(m.raw);
    localclock_finish(lc, &now);
}

/* A large offset: the slew is capped at maxslewrate (here 500 ppm), so 0.1 s
 * takes 200 s; a correction rate of 0 asks for the fastest slew. */
TEST(maxslewrate_caps_the_slew)
{
    struct model m = { .raw = -0.1 };
    struct localclock *lc = make(&m, true, 10.0, 500.0);
    struct timespec now = ts(m.raw);
    localclock_accumulate(lc, &now, 10.0, -0.1, 0.0);
    /* behind: the clock runs 500 ppm faster than the base frequency */
    double expect = 10.0 - 500e-6 * (PPM - 10.0);
    CHECK_NEAR(m.freq_ppm, expect, 1e-6);
    double d = localclock_next_update(lc, &now);
    CHECK(d > 199.0 && d < 201.0);
    m.error = fast(10.0);      /* the base frequency is right */
    double worst = follow(&m, lc, 400.0, NULL);
    CHECK(worst < 1e-8);
    CHECK_NEAR(m.raw - m.t, 0.0, 1e-8);
    CHECK_NEAR(m.freq_ppm, 10.0, 1e-6);
    now = ts(m.raw);
    localclock_finish(lc, &now);
}

/* Changing the base frequency in the middle of a slew keeps the cooked time
 * continuous and still removes the offset; a driver that rounds the
 * frequency (like the kernel's 2^-16 ppm) costs nothing either. */
TEST(frequency_change_during_slew_and_rounding)
{
    struct model m = { .raw = 0.002, .error = fast(30.0), .round_ppm = 1.0 / 65536.0 };
    struct localclock *lc = make(&m, true, 0.0, 0);
    struct timespec now = ts(m.raw), c1, c2;
    localclock_accumulate(lc, &now, 0.0, 0.002, 0.04);
    run(&m, 3.0);
    now = ts(m.raw);
    localclock_cook(lc, &now, &c1);
    localclock_set_frequency(lc, &now, 30.0);
    localclock_cook(lc, &now, &c2);
    CHECK_NEAR(secs(c1), secs(c2), 1e-12);
    /* until now the clock gained 30 ppm * 3 s: cooked time shows it */
    CHECK_NEAR(secs(c2) - m.t, 90e-6, 1e-8);
    CHECK_NEAR(secs(c2) - m.t, fast(30.0) * 3.0, 1e-9);
    localclock_accumulate(lc, &now, 30.0, secs(c2) - m.t, 0.04);
    double worst = follow(&m, lc, 200.0, NULL);
    CHECK(worst < 1e-8);
    CHECK_NEAR(m.raw - m.t, 0.0, 1e-8);
    now = ts(m.raw);
    localclock_finish(lc, &now);
}

/* A step moves the clock through the driver and leaves the slew in
 * progress intact; a failed step changes nothing. */
TEST(step_keeps_slew)
{
    struct model m = { .raw = 2.001 };
    struct localclock *lc = make(&m, true, 0.0, 0);
    struct timespec now = ts(m.raw);
    localclock_accumulate(lc, &now, 0.0, 0.001, 0.01);
    run(&m, 2.0);
    now = ts(m.raw);
    double left = localclock_remaining_offset(lc, &now);
    CHECK(localclock_step(lc, &now, 2.0));
    CHECK_INT(m.step_calls, 1);
    CHECK_NEAR(m.stepped, 2.0, 0);
    now = ts(m.raw);
    CHECK_NEAR(localclock_remaining_offset(lc, &now), left, 1e-12);
    struct timespec cooked;
    localclock_cook(lc, &now, &cooked);
    CHECK_NEAR(secs(cooked), m.t, 1e-9);
    double worst = follow(&m, lc, 30.0, NULL);
    CHECK(worst < 1e-9);
    CHECK_NEAR(m.raw - m.t, 0.0, 1e-9);

    m.fail_step = true;
    now = ts(m.raw);
    CHECK(!localclock_step(lc, &now, 1.0));
    CHECK_NEAR(m.raw - m.t, 0.0, 1e-9);
    localclock_finish(lc, &now);
}

/* Steps cancel a pending slew the way tracking's makestep asks: add the
 * pending correction to the slew (emptying it), step the rest. */
TEST(makestep_cancels_the_slew)
{
    struct model m = { .raw = 5.0 };
    struct localclock *lc = make(&m, true, 0.0, 0);
    struct timespec now = ts(m.raw);
    localclock_accumulate(lc, &now, 0.0, 0.5, 1.0);
    run(&m, 1.0);
    now = ts(m.raw);
    double pending = localclock_pending_correction(lc, &now);
    CHECK(pending < -0.4 && pending > -0.5);
    /* tracking: the offset is 5 s, pending is cancelled and the rest stepped */
    double offset = secs(now) - m.t;
    localclock_accumulate(lc, &now, 0.0, pending, 1.0);
    CHECK_NEAR(localclock_pending_correction(lc, &now), 0.0, 1e-12);
    CHECK(localclock_step(lc, &now, offset));
    CHECK_NEAR(m.raw - m.t, 0.0, 1e-9);
    CHECK_NEAR(m.freq_ppm, 0.0, 1e-9);
    localclock_finish(lc, &now);
}

/* Without control the raw clock is never touched: the virtual clock takes
 * the steps and frequencies, and cooked time follows true time. */
TEST(virtual_clock)
{
    struct model m = { .raw = 1.5, .error = fast(50.0), .virtual = true };
    struct localclock *lc = make(&m, false, 0.0, 0);
    struct timespec now = ts(m.raw);
    CHECK(localclock_step(lc, &now, 1.5));
    CHECK_INT(m.step_calls, 0);
    CHECK_NEAR(localclock_virtual_offset(lc, &now), -1.5, 1e-9);
    localclock_set_frequency(lc, &now, 50.0);
    /* the null driver is told (and remembers); the raw clock keeps its rate */
    CHECK_NEAR(m.freq_ppm, 50.0, 1e-9);
    run(&m, 1000.0);
    now = ts(m.raw);
    struct timespec cooked;
    localclock_cook(lc, &now, &cooked);
    CHECK_NEAR(secs(cooked), m.t, 1e-8);
    CHECK_NEAR(m.raw - m.t, 1.5 + 1000.0 * fast(50.0), 1e-8);

    /* a slew of the virtual clock (told that it is 10 ms ahead, which it
     * is not: cooked time then reads 10 ms early, for good) */
    localclock_accumulate(lc, &now, 50.0, 0.01, 0.1);
    localclock_cook(lc, &now, &cooked);
    CHECK_NEAR(secs(cooked), m.t - 0.01, 1e-8);
    CHECK_NEAR(localclock_pending_correction(lc, &now), -0.01, 1e-12);
    double worst_gap = 0.0;
    for (int i = 0; i < 3; i++) {
        run(&m, localclock_next_update(lc, &now));
        now = ts(m.raw);
        localclock_update(lc, &now);
        localclock_cook(lc, &now, &cooked);
        worst_gap = fmax(worst_gap, fabs(secs(cooked) - (m.t - 0.01)));
    }
    CHECK(worst_gap < 1e-8);
    CHECK(fabs(localclock_pending_correction(lc, &now)) < 1e-7);
    CHECK_NEAR(localclock_virtual_offset(lc, &now) + (m.raw - m.t), -0.01, 1e-7);
    CHECK_INT(m.step_calls, 0);
    localclock_finish(lc, &now);
}

/* The slew's frequency jumps add dispersion (a tick's worth of error). */
TEST(dispersion_reported)
{
    struct model m = { .raw = 0.1 };
    struct localclock *lc = make(&m, true, 0.0, 0);
    struct timespec now = ts(m.raw);
    localclock_accumulate(lc, &now, 0.0, 0.1, 0.0);
    /* 83333 ppm for a tick of 10 ms: about 0.9 ms */
    CHECK(m.dispersion > 0.9e-3 && m.dispersion < 1.1e-3);
    localclock_unknown_step(lc, &now);
    CHECK_NEAR(localclock_pending_correction(lc, &now), 0.0, 0);
    localclock_finish(lc, &now);
}

TEST_LIST {
    T(idle_clock_keeps_base_frequency),
    T(slew_duration_and_rate),
    T(maxslewrate_caps_the_slew),
    T(frequency_change_during_slew_and_rounding),
    T(step_keeps_slew),
    T(makestep_cancels_the_slew),
    T(virtual_clock),
    T(dispersion_reported),
};
TEST_MAIN
