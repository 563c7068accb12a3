/* Unit tests of chronyd -q/-Q's rule for giving up (chronyd/oneshot),
 * against chrony's: 3 samples to be selectable; no more updates expected
 * once 7 polls are recorded. (The estimate itself is the discipline's.) */
#include "chronyd/oneshot.h"

#include "harness.h"

/* An active source: polls recorded, samples in its statistics. */
static struct oneshot_source src(int reach_size, int n_samples)
{
    return (struct oneshot_source){ .active = true, .reach_size = reach_size,
                                    .n_samples = n_samples };
}

TEST(no_source_gives_up_at_once)
{
    CHECK(!oneshot_may_sync(NULL, 0));
    struct oneshot_source inactive = { .active = false, .n_samples = 5 };
    CHECK(!oneshot_may_sync(&inactive, 1));
}

/* Silent source: chrony gives up when 7 - polls + samples < 3, i.e. after
 * the fifth unanswered poll is recorded. */
TEST(unreachable_gives_up_after_five_polls)
{
    for (int size = 0; size <= 4; size++) {
        struct oneshot_source s = src(size, 0);
        CHECK(oneshot_may_sync(&s, 1));
    }
    struct oneshot_source s = src(5, 0);
    CHECK(!oneshot_may_sync(&s, 1));
}

TEST(too_few_samples_left)
{
    /* 7 - 6 + 1 = 2 samples at most: never selectable */
    struct oneshot_source s = src(6, 1);
    CHECK(!oneshot_may_sync(&s, 1));
    /* 7 - 5 + 1 = 3: still possible */
    s = src(5, 1);
    CHECK(oneshot_may_sync(&s, 1));
    /* a source with enough samples is still waited for during its burst */
    s = src(4, 3);
    CHECK(oneshot_may_sync(&s, 1));
    /* after the initial burst no more updates are expected */
    s = src(7, 5);
    CHECK(!oneshot_may_sync(&s, 1));
    s = src(8, 2);
    CHECK(!oneshot_may_sync(&s, 1));
}

TEST(one_hopeful_source_is_enough)
{
    struct oneshot_source s[3] = { src(7, 0), src(2, 1),
                                   { .active = false, .reach_size = 0, .n_samples = 0 } };
    CHECK(oneshot_may_sync(s, 3));
    s[1] = src(6, 1);
    CHECK(!oneshot_may_sync(s, 3));
}

/* A name not resolved yet: no poll is recorded, so it may always still sync. */
TEST(unresolved_name_waits)
{
    struct oneshot_source s[2] = { src(0, 0), src(5, 0) };
    CHECK(oneshot_may_sync(s, 2));
}

TEST_LIST {
    T(no_source_gives_up_at_once),
    T(unreachable_gives_up_after_five_polls),
    T(too_few_samples_left),
    T(one_hopeful_source_is_enough),
    T(unresolved_name_waits),
};
TEST_MAIN
