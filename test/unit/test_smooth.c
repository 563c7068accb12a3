#include "harness.h"
#include "common/ntptime.h"
#include "core/smooth.h"

#define T0 1700000000
/* skews (fractions) well below and above the activation threshold for a
 * wander of 0.001 ppm/s (1e-9 /s * 10000 = 1e-5) */
#define GOOD_SKEW 1.0e-6
#define BAD_SKEW 1.0e-4

static struct timespec at(double s)
{
    return ntptime_add_double((struct timespec){ T0, 0 }, s);
}

/* chrony's doc example: 400 ppm, 0.001 ppm/s, activated at T0 */
static void active(struct smooth *sm, double max_freq_ppm, double wander_ppm_s, bool leap_only)
{
    CHECK(smooth_init(sm, max_freq_ppm, wander_ppm_s, leap_only));
    struct timespec t = at(0);
    CHECK(smooth_activate(sm, &t));
}

/* The served offset along the path: continuous, frequency within max_freq,
 * frequency changing at most by max_wander per second; ends at zero
 * offset and frequency at `end` and stays there. */
static void check_path(const struct smooth *sm, double from, double end, double max_freq,
                       double max_wander)
{
    const int steps = 2000;
    double dt = (end - from) / steps;
    double prev_off = smooth_get_offset(sm, &(struct timespec){ at(from).tv_sec,
                                                                at(from).tv_nsec });
    double prev_freq = 0.0;
    bool ok_freq = true, ok_wander = true;
    for (int i = 1; i <= steps; i++) {
        struct timespec t = at(from + i * dt);
        double off = smooth_get_offset(sm, &t);
        double freq = (prev_off - off) / dt;       /* mean frequency over the step */
        if (fabs(freq) > max_freq * (1.0 + 1e-6))
            ok_freq = false;
        if (i > 1 && fabs(freq - prev_freq) / dt > max_wander * (1.0 + 1e-3) + 1e-18)
            ok_wander = false;
        prev_off = off;
        prev_freq = freq;
    }
    CHECK(ok_freq);
    CHECK(ok_wander);
    struct timespec t_end = at(end), t_after = at(end + 1e5);
    CHECK_NEAR(smooth_get_offset(sm, &t_end), 0.0, 1e-9);
    CHECK_NEAR(smooth_get_offset(sm, &t_after), 0.0, 1e-9);
}

TEST(disabled_without_both_limits)
{
    struct smooth sm;
    struct smooth_report rep;
    struct timespec t = at(0);
    CHECK(!smooth_init(&sm, 0.0, 0.001, false));
    CHECK(!smooth_enabled(&sm));
    CHECK(!smooth_init(&sm, 400.0, 0.0, false));
    CHECK(!smooth_init(&sm, -1.0, 0.001, false));
    CHECK(!smooth_init(&sm, 400.0, -0.001, true));
    /* everything is a no-op */
    CHECK(!smooth_activate(&sm, &t));
    CHECK(!smooth_clock_adjusted(&sm, &t, 0.0, 1.0, GOOD_SKEW));
    CHECK(!smooth_leap(&sm, &t, 1, GOOD_SKEW));
    smooth_reset(&sm, &t);
    CHECK_NEAR(smooth_get_offset(&sm, &t), 0.0, 0);
    CHECK(!smooth_get_report(&sm, &t, &rep));
    CHECK(smooth_init(&sm, 400.0, 0.001, false));
    CHECK(smooth_enabled(&sm));
}

TEST(locked_until_skew_small)
{
    struct smooth sm;
    struct smooth_report rep;
    struct timespec t = at(0), later = at(100);
    CHECK(smooth_init(&sm, 400.0, 0.001, false));
    CHECK(smooth_get_report(&sm, &t, &rep));
    CHECK(!rep.active);
    CHECK(!rep.leap_only);
    CHECK_NEAR(rep.remaining_time_s, 0.0, 0);
    /* a poor skew: the correction is ignored and nothing activates */
    CHECK(!smooth_clock_adjusted(&sm, &t, 0.0, 1.0, BAD_SKEW));
    CHECK_NEAR(smooth_get_offset(&sm, &later), 0.0, 0);
    /* skew / wander = 1e-6 / 1e-9 = 1000 < 10000: activates, but that
     * correction itself is not smoothed */
    CHECK(smooth_clock_adjusted(&sm, &t, 0.0, 1.0, GOOD_SKEW));
    CHECK_NEAR(smooth_get_offset(&sm, &later), 0.0, 0);
    CHECK(smooth_get_report(&sm, &t, &rep));
    CHECK(rep.active);
    /* active: the next one is, whatever the skew */
    CHECK(!smooth_clock_adjusted(&sm, &t, 0.0, 0.5, BAD_SKEW));
    struct timespec same = at(-0.5);
    CHECK_NEAR(smooth_get_offset(&sm, &same), 0.5, 1e-12);
    /* activation by command only once */
    CHECK(!smooth_activate(&sm, &t));
}

/* An offset of 1 s with 400 ppm / 0.001 ppm/s: two ramps of sqrt(1 /
 * 1e-9) = 31622.78 s, peak frequency 31.6 ppm (under the limit), half
 * the offset gone at the middle. */
TEST(offset_two_ramps)
{
    struct smooth sm;
    struct smooth_report rep;
    const double ramp = 31622.776601683792;
    active(&sm, 400.0, 0.001, false);
    struct timespec t0 = at(0);
    CHECK(!smooth_clock_adjusted(&sm, &t0, 0.0, 1.0, BAD_SKEW));

    /* continuity: the served offset takes the whole correction at once;
     * cooked time moved back by 1 s, so that instant is now at -1 */
    struct timespec z = at(-1);
    CHECK_NEAR(smooth_get_offset(&sm, &z), 1.0, 1e-12);
    CHECK(smooth_get_report(&sm, &z, &rep));
    CHECK(rep.active);
    CHECK_NEAR(rep.offset_s, 1.0, 1e-12);
    CHECK_NEAR(rep.freq_ppm, 0.0, 1e-12);
    CHECK_NEAR(rep.last_update_ago_s, 0.0, 1e-9);
    CHECK_NEAR(rep.remaining_time_s, 2 * ramp, 1e-6);

    /* 10 s in: 1e-9 * 10^2 / 2 removed; the served time slows down */
    struct timespec t10 = at(9);
    CHECK(smooth_get_report(&sm, &t10, &rep));
    CHECK_NEAR(rep.offset_s, 1.0 - 5e-8, 1e-12);
    CHECK_NEAR(rep.freq_ppm, -0.01, 1e-9);
    CHECK_NEAR(rep.wander_ppm, -0.001, 1e-12);
    CHECK_NEAR(rep.last_update_ago_s, 10.0, 1e-9);
    CHECK_NEAR(rep.remaining_time_s, 2 * ramp - 10.0, 1e-6);

    struct timespec mid = at(ramp - 1);
    CHECK_NEAR(smooth_get_offset(&sm, &mid), 0.5, 1e-9);
    struct timespec t3 = at(ramp + 9);
    CHECK(smooth_get_report(&sm, &t3, &rep));
    CHECK_NEAR(rep.wander_ppm, 0.001, 1e-12);      /* speeding up again */
    CHECK_NEAR(rep.freq_ppm, -31.6227766 + 0.01, 1e-6);

    struct timespec end = at(2 * ramp);
    CHECK(smooth_get_report(&sm, &end, &rep));
    CHECK_NEAR(rep.offset_s, 0.0, 1e-9);
    CHECK_NEAR(rep.freq_ppm, 0.0, 1e-9);
    CHECK_NEAR(rep.wander_ppm, 0.0, 0);
    CHECK_NEAR(rep.remaining_time_s, 0.0, 0);
    check_path(&sm, -1.0, 2 * ramp - 1.0, 31.7e-6, 1e-9);
}

/* A negative offset mirrors it: served time behind, speeding up first. */
TEST(negative_offset)
{
    struct smooth sm;
    struct smooth_report rep;
    active(&sm, 400.0, 0.001, false);
    struct timespec t0 = at(0), t1 = at(1);
    smooth_clock_adjusted(&sm, &t0, 0.0, -1.0, BAD_SKEW);
    /* the clock moved forward by 1 s: that instant is at 1 now */
    struct timespec t11 = at(11);
    CHECK_NEAR(smooth_get_offset(&sm, &t1), -1.0, 1e-12);
    CHECK(smooth_get_report(&sm, &t11, &rep));
    CHECK_NEAR(rep.offset_s, -1.0 + 5e-8, 1e-12);
    CHECK_NEAR(rep.freq_ppm, 0.01, 1e-9);
    CHECK_NEAR(rep.wander_ppm, 0.001, 1e-12);
    check_path(&sm, 1.0, 1.0 + 2 * 31622.776601683792, 31.7e-6, 1e-9);
}

/* With max_freq 1 ppm the ramps stop at 1e-6 / 1e-9 = 1000 s; they remove
 * 1e-9 * 1000^2 = 1 ms, the remaining 0.999 s take 999000 s at 1 ppm. */
TEST(frequency_limit_plateau)
{
    struct smooth sm;
    struct smooth_report rep;
    active(&sm, 1.0, 0.001, false);
    struct timespec t0 = at(0);
    smooth_clock_adjusted(&sm, &t0, 0.0, 1.0, BAD_SKEW);
    struct timespec z = at(-1);
    CHECK(smooth_get_report(&sm, &z, &rep));
    CHECK_NEAR(rep.remaining_time_s, 1000.0 + 999000.0 + 1000.0, 1e-3);
    struct timespec plateau = at(500000 - 1);
    CHECK(smooth_get_report(&sm, &plateau, &rep));
    CHECK_NEAR(rep.freq_ppm, -1.0, 1e-9);
    CHECK_NEAR(rep.wander_ppm, 0.0, 0);
    CHECK_NEAR(rep.offset_s, 1.0 - 0.0005 - 499000e-6, 1e-9);
    check_path(&sm, -1.0, 1001000.0 - 1.0, 1e-6, 1e-9);
}

/* A frequency change alone: the served time keeps its frequency at first,
 * then joins ours; nothing accumulates in the end. */
TEST(frequency_change)
{
    struct smooth sm;
    struct smooth_report rep;
    active(&sm, 400.0, 0.001, false);
    struct timespec t0 = at(0);
    /* our clock was slowed by 0.1 ppm: relative to it, the served time runs
     * 0.1 ppm fast */
    smooth_clock_adjusted(&sm, &t0, 1e-7, 0.0, BAD_SKEW);
    CHECK(smooth_get_report(&sm, &t0, &rep));
    CHECK_NEAR(rep.freq_ppm, 0.1, 1e-6);
    CHECK_NEAR(rep.offset_s, 0.0, 0);
    CHECK(rep.remaining_time_s > 0.0);
    double end = rep.remaining_time_s;
    check_path(&sm, 0.0, end, 0.2e-6, 1e-9);
}

/* Two corrections: the second starts from where the first got to, and a
 * correction whose sign reverses the path is handled without a jump. */
TEST(corrections_add_up)
{
    struct smooth sm;
    active(&sm, 400.0, 0.001, false);
    struct timespec t0 = at(0);
    smooth_clock_adjusted(&sm, &t0, 0.0, 0.01, BAD_SKEW);
    /* cooked time moved back by 0.01 s: 1000 s later is 999.99 */
    struct timespec t1 = at(999.99);
    double before = smooth_get_offset(&sm, &t1);
    CHECK_NEAR(before, 0.01 - 1e-9 * 1000.0 * 1000.0 / 2.0, 1e-11);
    smooth_clock_adjusted(&sm, &t1, 0.0, -0.02, BAD_SKEW);
    /* then forward by 0.02 s: the same instant is 1000.01 */
    struct timespec same = at(1000.01);
    CHECK_NEAR(smooth_get_offset(&sm, &same), before - 0.02, 1e-11);
    struct smooth_report rep;
    CHECK(smooth_get_report(&sm, &same, &rep));
    CHECK_NEAR(rep.last_update_ago_s, 0.0, 1e-9);
    check_path(&sm, 1000.01, 1000.01 + rep.remaining_time_s, 5e-6, 1e-9);
}

TEST(step_resets)
{
    struct smooth sm;
    struct smooth_report rep;
    active(&sm, 400.0, 0.001, false);
    struct timespec t0 = at(0), t5 = at(5);
    smooth_clock_adjusted(&sm, &t0, 0.0, 1.0, BAD_SKEW);
    /* stepped back by 2 s at t5: now is t5 - 2 */
    smooth_clock_stepped(&sm, &t5, 2.0);
    struct timespec now = at(3), later = at(13);
    CHECK(smooth_get_report(&sm, &now, &rep));
    CHECK(rep.active);
    CHECK_NEAR(rep.offset_s, 0.0, 0);
    CHECK_NEAR(rep.freq_ppm, 0.0, 0);
    CHECK_NEAR(rep.last_update_ago_s, 0.0, 1e-9);
    CHECK_NEAR(rep.remaining_time_s, 0.0, 0);
    CHECK(smooth_get_report(&sm, &later, &rep));
    CHECK_NEAR(rep.last_update_ago_s, 10.0, 1e-9);
}

TEST(reset_and_activate_commands)
{
    struct smooth sm;
    struct smooth_report rep;
    CHECK(smooth_init(&sm, 400.0, 0.001, false));
    struct timespec t0 = at(0), t1 = at(1), t2 = at(2);
    /* reset while locked keeps it locked */
    smooth_reset(&sm, &t0);
    CHECK(smooth_get_report(&sm, &t1, &rep));
    CHECK(!rep.active);
    CHECK_NEAR(rep.last_update_ago_s, 0.0, 0);
    CHECK(smooth_activate(&sm, &t1));
    CHECK(!smooth_activate(&sm, &t1));
    smooth_clock_adjusted(&sm, &t1, 0.0, 0.25, BAD_SKEW);
    struct timespec same = at(0.75);
    CHECK_NEAR(smooth_get_offset(&sm, &same), 0.25, 1e-12);
    smooth_reset(&sm, &t2);
    CHECK(smooth_get_report(&sm, &t2, &rep));
    CHECK(rep.active);
    CHECK_NEAR(rep.offset_s, 0.0, 0);
    CHECK_NEAR(rep.remaining_time_s, 0.0, 0);
    struct timespec t9 = at(9);
    CHECK_NEAR(smooth_get_offset(&sm, &t9), 0.0, 0);
}

/* leaponly: ordinary corrections are never smoothed; the first one
 * activates whatever the skew; a leap second is smeared over
 * sqrt(4 / wander) s (chrony.conf(5): 0.001024 ppm/s -> 62500 s, reaching
 * 32 ppm half way). */
TEST(leap_only)
{
    struct smooth sm;
    struct smooth_report rep;
    CHECK(smooth_init(&sm, 400.0, 0.001024, true));
    struct timespec t0 = at(0), t1 = at(1);
    CHECK(smooth_clock_adjusted(&sm, &t0, 0.0, 0.5, BAD_SKEW));
    CHECK(smooth_get_report(&sm, &t1, &rep));
    CHECK(rep.active);
    CHECK(rep.leap_only);
    smooth_clock_adjusted(&sm, &t1, 1e-6, 0.5, BAD_SKEW);
    struct timespec t2 = at(1.5);
    CHECK_NEAR(smooth_get_offset(&sm, &t2), 0.0, 0);

    /* inserted second, slewed (leapsecmode slew): at 100, then the slew of
     * +1 s moves cooked time back by one second */
    struct timespec t100 = at(100);
    CHECK(!smooth_leap(&sm, &t100, 1, BAD_SKEW));
    smooth_clock_adjusted(&sm, &t100, 0.0, 1.0, BAD_SKEW);
    struct timespec now = at(99);
    CHECK(smooth_get_report(&sm, &now, &rep));
    CHECK_NEAR(rep.offset_s, 1.0, 1e-12);
    CHECK_NEAR(rep.remaining_time_s, 62500.0, 1e-6);
    struct timespec half = at(99 + 31250);
    CHECK(smooth_get_report(&sm, &half, &rep));
    CHECK_NEAR(rep.offset_s, 0.5, 1e-9);
    CHECK_NEAR(rep.freq_ppm, -32.0, 1e-6);
    check_path(&sm, 99.0, 99.0 + 62500.0, 32.1e-6, 1.024e-9);

    /* a deleted second the other way */
    struct timespec t1e6 = at(1e6);
    smooth_leap(&sm, &t1e6, -1, BAD_SKEW);
    smooth_clock_adjusted(&sm, &t1e6, 0.0, -1.0, BAD_SKEW);
    struct timespec after = at(1e6 + 1);
    CHECK_NEAR(smooth_get_offset(&sm, &after), -1.0, 1e-9);
}

/* leaponly still locked at the leap second: it activates, but that second
 * is not smeared (chrony). */
TEST(leap_only_activates_at_leap)
{
    struct smooth sm;
    CHECK(smooth_init(&sm, 400.0, 0.001024, true));
    struct timespec t0 = at(0);
    CHECK(smooth_leap(&sm, &t0, 1, BAD_SKEW));
    smooth_clock_adjusted(&sm, &t0, 0.0, 1.0, BAD_SKEW);
    struct timespec t5 = at(5);
    CHECK_NEAR(smooth_get_offset(&sm, &t5), 0.0, 0);
}

/* leapsecmode step: the step resets, so nothing is smeared (which is why
 * chrony.conf(5) asks for leapsecmode slew). */
TEST(leap_stepped_is_not_smoothed)
{
    struct smooth sm;
    active(&sm, 400.0, 0.001024, true);
    struct timespec t0 = at(0);
    smooth_leap(&sm, &t0, 1, BAD_SKEW);
    smooth_clock_stepped(&sm, &t0, 1.0);
    struct timespec t5 = at(5);
    CHECK_NEAR(smooth_get_offset(&sm, &t5), 0.0, 0);
}

/* Without leaponly a slewed leap second is an ordinary correction of 1 s
 * (chrony's step notification before it costs the path one second). */
TEST(leap_smoothed_as_correction)
{
    struct smooth sm;
    struct smooth_report rep;
    active(&sm, 400.0, 0.001, false);
    struct timespec t0 = at(0), t100 = at(100);
    smooth_clock_adjusted(&sm, &t0, 0.0, 0.001, BAD_SKEW);
    double before = smooth_get_offset(&sm, &(struct timespec){ at(99).tv_sec, at(99).tv_nsec });
    CHECK(!smooth_leap(&sm, &t100, 1, BAD_SKEW));
    smooth_clock_adjusted(&sm, &t100, 0.0, 1.0, BAD_SKEW);
    struct timespec now = at(99);
    CHECK(smooth_get_report(&sm, &now, &rep));
    CHECK_NEAR(rep.offset_s, before + 1.0, 1e-9);
    CHECK_NEAR(rep.last_update_ago_s, 0.0, 1e-9);
}

TEST_LIST {
    T(disabled_without_both_limits),
    T(locked_until_skew_small),
    T(offset_two_ramps),
    T(negative_offset),
    T(frequency_limit_plateau),
    T(frequency_change),
    T(corrections_add_up),
    T(step_resets),
    T(reset_and_activate_commands),
    T(leap_only),
    T(leap_only_activates_at_leap),
    T(leap_stepped_is_not_smoothed),
    T(leap_smoothed_as_correction),
};
TEST_MAIN
