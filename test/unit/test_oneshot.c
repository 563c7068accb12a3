/* Unit tests of chronyd -q/-Q's decision (chronyd/oneshot): when to log the
 * offset, when to give up, and which offset, against chrony's rules (3
 * samples to be selectable; no more updates expected after 7 polls). */
#include "chronyd/oneshot.h"

#include "harness.h"

/* An active source: register (newest poll in bit 0), polls recorded, samples,
 * median offset. */
static struct oneshot_source src(unsigned reach, int reach_size, int n_samples, double offset_s)
{
    return (struct oneshot_source){ .active = true, .reach = reach, .reach_size = reach_size,
                                    .n_samples = n_samples, .offset_s = offset_s };
}

TEST(no_source_fails_at_once)
{
    double off = 42.0;
    CHECK_INT(oneshot_decide(NULL, 0, &off), ONESHOT_FAIL);
    struct oneshot_source inactive = { .active = false, .n_samples = 5 };
    CHECK_INT(oneshot_decide(&inactive, 1, &off), ONESHOT_FAIL);
    CHECK_NEAR(off, 42.0, 0.0);
}

TEST(third_sample_ends_with_offset)
{
    double off = 0.0;
    struct oneshot_source s = src(0x3, 2, 2, 0.5);
    CHECK_INT(oneshot_decide(&s, 1, &off), ONESHOT_WAIT);
    s = src(0x7, 3, 3, -0.25);
    CHECK_INT(oneshot_decide(&s, 1, &off), ONESHOT_SYNC);
    CHECK_NEAR(off, -0.25, 0.0);
}

/* Silent source: chrony gives up when 7 - polls + samples < 3, i.e. after
 * the fifth unanswered poll is recorded. */
TEST(unreachable_gives_up_after_five_polls)
{
    double off;
    for (int size = 0; size <= 4; size++) {
        struct oneshot_source s = src(0, size, 0, 0.0);
        CHECK_INT(oneshot_decide(&s, 1, &off), ONESHOT_WAIT);
    }
    struct oneshot_source s = src(0, 5, 0, 0.0);
    CHECK_INT(oneshot_decide(&s, 1, &off), ONESHOT_FAIL);
}

TEST(too_few_samples_left_fails)
{
    double off;
    /* 7 - 6 + 1 = 2 samples at most: never selectable */
    struct oneshot_source s = src(0x21, 6, 1, 0.0);
    CHECK_INT(oneshot_decide(&s, 1, &off), ONESHOT_FAIL);
    /* 7 - 5 + 1 = 3: still possible */
    s = src(0x11, 5, 1, 0.0);
    CHECK_INT(oneshot_decide(&s, 1, &off), ONESHOT_WAIT);
    /* after the initial burst no more updates are expected */
    s = src(0xff, 8, 2, 0.0);
    CHECK_INT(oneshot_decide(&s, 1, &off), ONESHOT_FAIL);
}

TEST(answering_source_is_waited_for)
{
    double off;
    struct oneshot_source s[2] = { src(0x7, 3, 3, 0.1), src(0x3, 3, 2, 0.2) };
    CHECK_INT(oneshot_decide(s, 2, &off), ONESHOT_WAIT);
    s[1] = src(0x7, 3, 3, 0.3);
    CHECK_INT(oneshot_decide(s, 2, &off), ONESHOT_SYNC);
    CHECK_NEAR(off, 0.2, 1e-12);   /* the median of 0.1 and 0.3 */
}

TEST(silent_source_holds_nothing_up)
{
    double off;
    struct oneshot_source s[3] = { src(0x7, 3, 3, 0.1), src(0, 3, 0, 9.0),
                                   { .active = false, .n_samples = 16, .offset_s = 7.0 } };
    CHECK_INT(oneshot_decide(s, 3, &off), ONESHOT_SYNC);
    CHECK_NEAR(off, 0.1, 0.0);
}

/* A name not resolved yet: no poll is recorded, so it may always still
 * sync; it does not hold up an answering source. */
TEST(unresolved_name_waits)
{
    double off;
    struct oneshot_source s[2] = { src(0, 0, 0, 0.0), src(0, 5, 0, 0.0) };
    CHECK_INT(oneshot_decide(s, 2, &off), ONESHOT_WAIT);
    s[1] = src(0x7, 3, 3, 0.4);
    CHECK_INT(oneshot_decide(s, 2, &off), ONESHOT_SYNC);
    CHECK_NEAR(off, 0.4, 0.0);
}

TEST(median_of_sources)
{
    double off;
    struct oneshot_source s[3] = { src(0xf, 4, 4, 5.0), src(0xf, 4, 3, -1.0),
                                   src(0xf, 4, 3, 0.5) };
    CHECK_INT(oneshot_decide(s, 3, &off), ONESHOT_SYNC);
    CHECK_NEAR(off, 0.5, 0.0);
}

TEST(median)
{
    double a[] = { 3.0, -1.0, 2.0 };
    CHECK_NEAR(oneshot_median(a, 3), 2.0, 0.0);
    double b[] = { 4.0, 1.0, 3.0, 2.0 };
    CHECK_NEAR(oneshot_median(b, 4), 2.5, 0.0);
    double c[] = { -7.0 };
    CHECK_NEAR(oneshot_median(c, 1), -7.0, 0.0);
}

TEST_LIST {
    T(no_source_fails_at_once),
    T(third_sample_ends_with_offset),
    T(unreachable_gives_up_after_five_polls),
    T(too_few_samples_left_fails),
    T(answering_source_is_waited_for),
    T(silent_source_holds_nothing_up),
    T(unresolved_name_waits),
    T(median_of_sources),
    T(median),
};
TEST_MAIN
