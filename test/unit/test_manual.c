/* Tests of manual time input's sample store (core/manual): the checks a
 * time must pass (enabled, sane, a second after the previous sample), the
 * estimates (one sample; a fitted line through two and more, worked out by
 * hand below), residuals, deletion with the estimate again, reset, the
 * oldest sample dropped from a full store, and the samples moved with our
 * clock. */
#include "harness.h"
#include "core/manual.h"

#include "common/ntptime.h"

#define EPOCH_S 1700000000      /* 2023-11-14 */

static struct timespec at(double t)
{
    return ntptime_add_double((struct timespec){ EPOCH_S, 0 }, t);
}

/* A time given at cooked time t that finds our clock `offset` ahead. */
static enum manual_result give(struct manual *m, double t, double offset,
                               struct manual_estimate *est)
{
    struct timespec now = at(t), given = at(t - offset);
    return manual_accept(m, &given, &now, est);
}

static int samples(const struct manual *m, struct manual_sample *s)
{
    return manual_report(m, s, MANUAL_MAX_SAMPLES);
}

TEST(one_sample_is_its_own_estimate)
{
    struct manual *m = manual_create(true);
    struct manual_estimate est;
    CHECK_INT(give(m, 0.0, 2.5, &est), MANUAL_ACCEPTED);
    CHECK(!est.have_frequency);
    CHECK_NEAR(est.offset_s, 2.5, 1e-9);
    CHECK_NEAR(est.fit_offset_s, 2.5, 1e-9);
    CHECK_NEAR(est.frequency, 0.0, 0.0);
    CHECK_NEAR(ntptime_diff(est.ref_time, at(0.0)), 0.0, 1e-9);

    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 1);
    CHECK_NEAR(ntptime_diff(s[0].when, at(0.0)), 0.0, 1e-9);
    CHECK_NEAR(s[0].orig_offset_s, 2.5, 1e-9);
    CHECK_NEAR(s[0].offset_s, 2.5, 1e-9);
    CHECK_NEAR(s[0].residual_s, 0.0, 0.0);
    manual_destroy(m);
}

TEST(disabled_input_is_refused)
{
    struct manual *m = manual_create(false);
    struct manual_estimate est;
    CHECK(!manual_is_enabled(m));
    CHECK_INT(give(m, 0.0, 1.0, &est), MANUAL_DISABLED);
    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 0);
    manual_set_enabled(m, true);
    CHECK(manual_is_enabled(m));
    CHECK_INT(give(m, 0.0, 1.0, &est), MANUAL_ACCEPTED);
    manual_set_enabled(m, false);
    CHECK_INT(give(m, 10.0, 1.0, &est), MANUAL_DISABLED);
    CHECK_INT(samples(m, s), 1);
    manual_destroy(m);
}

TEST(insane_times_are_refused)
{
    struct manual *m = manual_create(true);
    struct manual_estimate est;
    struct timespec now = at(0.0);
    struct timespec before_1970 = { -1, 0 };
    struct timespec past_era = { (time_t)NTPTIME_ERA_SECONDS + 1, 0 };
    struct timespec epoch = { 0, 0 };
    CHECK_INT(manual_accept(m, &before_1970, &now, &est), MANUAL_INSANE_TIME);
    CHECK_INT(manual_accept(m, &past_era, &now, &est), MANUAL_INSANE_TIME);
    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 0);
    /* 1970 itself is still a time */
    CHECK_INT(manual_accept(m, &epoch, &now, &est), MANUAL_ACCEPTED);
    CHECK_NEAR(est.offset_s, (double)EPOCH_S, 1e-6);
    manual_destroy(m);
}

TEST(a_second_must_pass_between_samples)
{
    struct manual *m = manual_create(true);
    struct manual_estimate est;
    CHECK_INT(give(m, 0.0, 1.0, &est), MANUAL_ACCEPTED);
    CHECK_INT(give(m, 0.5, 1.0, &est), MANUAL_TOO_CLOSE);
    CHECK_INT(give(m, 0.999, 1.0, &est), MANUAL_TOO_CLOSE);
    /* a clock moved back counts too: negative separation */
    CHECK_INT(give(m, -5.0, 1.0, &est), MANUAL_TOO_CLOSE);
    CHECK_INT(give(m, 1.0, 1.0, &est), MANUAL_ACCEPTED);
    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 2);
    manual_destroy(m);
}

TEST(two_samples_give_a_frequency)
{
    struct manual *m = manual_create(true);
    struct manual_estimate est;
    give(m, 0.0, 1.0, &est);
    /* 0.5 s gained in 100 s: the clock runs 5000 ppm fast */
    CHECK_INT(give(m, 100.0, 1.5, &est), MANUAL_ACCEPTED);
    CHECK(est.have_frequency);
    CHECK_NEAR(est.frequency, 0.005, 1e-12);
    CHECK_NEAR(est.offset_s, 1.5, 1e-9);
    CHECK_NEAR(est.fit_offset_s, 1.5, 1e-9);
    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 2);
    CHECK_NEAR(s[0].residual_s, 0.0, 1e-9);
    CHECK_NEAR(s[1].residual_s, 0.0, 1e-9);

    /* a clock losing time: offsets fall */
    manual_reset(m);
    give(m, 200.0, 0.0, &est);
    give(m, 250.0, -0.01, &est);
    CHECK_NEAR(est.frequency, -0.0002, 1e-12);
    manual_destroy(m);
}

/* Four samples 100 s apart with offsets 0, 0.1, 0.2, 0.6. Against their
 * age x = 300, 200, 100, 0 the pairwise slopes are -0.001 (three times),
 * -0.002, -0.0025 and -0.004: the median slope is -0.0015, so the clock
 * gains 1500 ppm; y + 0.0015 x = 0.45, 0.4, 0.35, 0.6 has the median
 * 0.425, the fit's offset now. The offset corrected is still the newest,
 * 0.6, and the residuals are y - (0.425 - 0.0015 x). */
static struct manual *four_samples(struct manual_estimate *est)
{
    struct manual *m = manual_create(true);
    give(m, 0.0, 0.0, est);
    give(m, 100.0, 0.1, est);
    give(m, 200.0, 0.2, est);
    give(m, 300.0, 0.6, est);
    return m;
}

TEST(robust_fit_of_several_samples)
{
    struct manual_estimate est;
    struct manual *m = four_samples(&est);
    CHECK(est.have_frequency);
    CHECK_NEAR(est.frequency, 0.0015, 1e-12);
    CHECK_NEAR(est.offset_s, 0.6, 1e-9);
    CHECK_NEAR(est.fit_offset_s, 0.425, 1e-9);
    CHECK_NEAR(ntptime_diff(est.ref_time, at(300.0)), 0.0, 1e-9);
    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 4);
    CHECK_NEAR(s[0].residual_s, 0.025, 1e-9);
    CHECK_NEAR(s[1].residual_s, -0.025, 1e-9);
    CHECK_NEAR(s[2].residual_s, -0.075, 1e-9);
    CHECK_NEAR(s[3].residual_s, 0.175, 1e-9);
    manual_destroy(m);
}

TEST(delete_estimates_again_from_the_rest)
{
    struct manual_estimate est;
    struct manual *m = four_samples(&est);
    struct timespec now = at(310.0);
    CHECK(!manual_delete(m, 4, &now, &est));
    CHECK(!manual_delete(m, -1, &now, &est));

    /* without the newest: 0, 0.1, 0.2 on a line of 1000 ppm; no offset
     * was given, so the fit's offset (at the newest sample) is corrected */
    CHECK(manual_delete(m, 3, &now, &est));
    CHECK(est.have_frequency);
    CHECK_NEAR(est.frequency, 0.001, 1e-12);
    CHECK_NEAR(est.offset_s, 0.2, 1e-9);
    CHECK_NEAR(est.fit_offset_s, 0.2, 1e-9);
    CHECK_NEAR(ntptime_diff(est.ref_time, now), 0.0, 1e-9);
    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 3);
    for (int i = 0; i < 3; i++)
        CHECK_NEAR(s[i].residual_s, 0.0, 1e-9);

    /* the middle one goes: the others move down */
    CHECK(manual_delete(m, 1, &now, &est));
    CHECK_INT(samples(m, s), 2);
    CHECK_NEAR(s[0].orig_offset_s, 0.0, 1e-9);
    CHECK_NEAR(s[1].orig_offset_s, 0.2, 1e-9);

    /* one sample left, then none: nothing to correct */
    CHECK(manual_delete(m, 0, &now, &est));
    CHECK(!est.have_frequency);
    CHECK_NEAR(est.offset_s, 0.0, 0.0);
    CHECK_NEAR(est.frequency, 0.0, 0.0);
    CHECK_INT(samples(m, s), 1);
    CHECK_NEAR(s[0].residual_s, 0.0, 0.0);
    CHECK(manual_delete(m, 0, &now, &est));
    CHECK_NEAR(est.offset_s, 0.0, 0.0);
    CHECK_INT(samples(m, s), 0);
    CHECK(!manual_delete(m, 0, &now, &est));
    manual_destroy(m);
}

TEST(delete_works_while_disabled)
{
    struct manual_estimate est;
    struct manual *m = four_samples(&est);
    manual_set_enabled(m, false);
    struct timespec now = at(400.0);
    CHECK(manual_delete(m, 0, &now, &est));
    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 3);
    manual_destroy(m);
}

TEST(full_store_drops_the_oldest)
{
    struct manual *m = manual_create(true);
    struct manual_estimate est;
    for (int i = 0; i < MANUAL_MAX_SAMPLES + 3; i++)
        CHECK_INT(give(m, 10.0 * i, 0.001 * i, &est), MANUAL_ACCEPTED);
    struct manual_sample s[MANUAL_MAX_SAMPLES + 1];
    CHECK_INT(manual_report(m, s, MANUAL_MAX_SAMPLES + 1), MANUAL_MAX_SAMPLES);
    CHECK_NEAR(s[0].orig_offset_s, 0.003, 1e-9);
    CHECK_NEAR(s[MANUAL_MAX_SAMPLES - 1].orig_offset_s, 0.001 * (MANUAL_MAX_SAMPLES + 2), 1e-9);
    /* 1 ms in 10 s */
    CHECK_NEAR(est.frequency, 1e-4, 1e-12);
    /* the report stops at max */
    CHECK_INT(manual_report(m, s, 2), 2);
    CHECK_NEAR(s[1].orig_offset_s, 0.004, 1e-9);
    manual_destroy(m);
}

TEST(reset_empties_the_store)
{
    struct manual_estimate est;
    struct manual *m = four_samples(&est);
    manual_reset(m);
    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 0);
    CHECK(manual_is_enabled(m));
    /* no previous sample to be too close to */
    CHECK_INT(give(m, 300.5, 0.1, &est), MANUAL_ACCEPTED);
    CHECK(!est.have_frequency);
    manual_destroy(m);
}

TEST(samples_move_with_the_clock)
{
    struct manual *m = manual_create(true);
    struct manual_estimate est;
    give(m, 0.0, 1.0, &est);
    /* the estimate applied: the clock moved back by the 1 s at once */
    struct timespec when = at(0.0);
    manual_slew(m, &when, 0.0, 1.0);
    struct manual_sample s[MANUAL_MAX_SAMPLES];
    CHECK_INT(samples(m, s), 1);
    CHECK_NEAR(ntptime_diff(s[0].when, at(-1.0)), 0.0, 1e-9);
    CHECK_NEAR(s[0].offset_s, 0.0, 1e-9);
    CHECK_NEAR(s[0].orig_offset_s, 1.0, 1e-9);

    /* then slowed down by 1000 ppm, 110 s after the sample's (new) time */
    when = at(109.0);
    manual_slew(m, &when, 1e-3, 0.0);
    samples(m, s);
    CHECK_NEAR(ntptime_diff(s[0].when, at(-1.0 + 0.110)), 0.0, 1e-9);
    CHECK_NEAR(s[0].offset_s, 0.110, 1e-9);
    CHECK_NEAR(s[0].orig_offset_s, 1.0, 1e-9);

    /* the next sample's separation counts from the moved time */
    CHECK_INT(give(m, 0.05, 0.0, &est), MANUAL_TOO_CLOSE);
    CHECK_INT(give(m, 0.2, 0.0, &est), MANUAL_ACCEPTED);
    manual_destroy(m);
}

TEST_LIST {
    T(one_sample_is_its_own_estimate),
    T(disabled_input_is_refused),
    T(insane_times_are_refused),
    T(a_second_must_pass_between_samples),
    T(two_samples_give_a_frequency),
    T(robust_fit_of_several_samples),
    T(delete_estimates_again_from_the_rest),
    T(delete_works_while_disabled),
    T(full_store_drops_the_oldest),
    T(reset_empties_the_store),
    T(samples_move_with_the_clock),
};
TEST_MAIN
