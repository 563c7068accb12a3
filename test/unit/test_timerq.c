/* Unit tests of the timer queue: ids, order by due time and insertion,
 * removal, the next due time, and running the due timers (the budget, the
 * stop check, handlers changing the queue). */
#include "common/timerq.h"

#include <math.h>

#include "harness.h"

static char order[32];
static int n_order;
static struct timerq *queue;

static void reset_order(void)
{
    n_order = 0;
    order[0] = '\0';
}

static void record(void *arg)
{
    if (n_order < (int)sizeof order - 1)
        order[n_order++] = *(const char *)arg;
    order[n_order] = '\0';
}

static const char a = 'a', b = 'b', c = 'c', d = 'd', e = 'e', x = 'x';

TEST(ids_are_never_zero_nor_reused)
{
    struct timerq *q = timerq_create();
    timerq_id first = timerq_add(q, 1.0, record, (void *)&a);
    timerq_id second = timerq_add(q, 1.0, record, (void *)&b);
    CHECK(first != 0);
    CHECK(second != first);
    CHECK(timerq_remove(q, first));
    timerq_id third = timerq_add(q, 1.0, record, (void *)&c);
    CHECK(third != first && third != second && third != 0);
    timerq_clear(q);
    CHECK_INT(timerq_count(q), 0);
    timerq_id fourth = timerq_add(q, 1.0, record, (void *)&d);
    CHECK(fourth != first && fourth != second && fourth != third && fourth != 0);
    timerq_destroy(q);
}

TEST(due_order_then_insertion_order)
{
    struct timerq *q = timerq_create();
    reset_order();
    timerq_add(q, 3.0, record, (void *)&d);
    timerq_add(q, 1.0, record, (void *)&a);
    timerq_add(q, 2.0, record, (void *)&b);
    timerq_add(q, 2.0, record, (void *)&c);   /* same time as b: after it */
    timerq_add(q, 3.5, record, (void *)&e);
    CHECK_INT(timerq_count(q), 5);
    double due = 0.0;
    CHECK(timerq_next_due(q, &due));
    CHECK_NEAR(due, 1.0, 0.0);
    CHECK_INT(timerq_run_due(q, 10.0, NULL), 5);
    CHECK_STR(order, "abcde");
    CHECK_INT(timerq_count(q), 0);
    CHECK(!timerq_next_due(q, &due));
    timerq_destroy(q);
}

TEST(negative_and_nan_delays_count_as_zero)
{
    struct timerq *q = timerq_create();
    reset_order();
    timerq_add_after(q, 10.0, 0.5, record, (void *)&c);
    timerq_add_after(q, 10.0, -3.0, record, (void *)&a);
    timerq_add_after(q, 10.0, NAN, record, (void *)&b);
    double due = 0.0;
    CHECK(timerq_next_due(q, &due));
    CHECK_NEAR(due, 10.0, 0.0);
    CHECK_INT(timerq_run_due(q, 10.0, NULL), 2);
    CHECK_STR(order, "ab");
    CHECK(timerq_next_due(q, &due));
    CHECK_NEAR(due, 10.5, 0.0);
    timerq_destroy(q);
}

TEST(only_due_timers_run)
{
    struct timerq *q = timerq_create();
    reset_order();
    timerq_add(q, 5.0, record, (void *)&b);
    timerq_add(q, 4.0, record, (void *)&a);
    CHECK_INT(timerq_run_due(q, 3.999, NULL), 0);
    CHECK_STR(order, "");
    CHECK_INT(timerq_run_due(q, 4.0, NULL), 1);    /* due exactly now */
    CHECK_STR(order, "a");
    double due = 0.0;
    CHECK(timerq_next_due(q, &due));
    CHECK_NEAR(due, 5.0, 0.0);
    CHECK_INT(timerq_run_due(q, 6.0, NULL), 1);
    CHECK_STR(order, "ab");
    timerq_destroy(q);
}

TEST(remove_pending_and_gone)
{
    struct timerq *q = timerq_create();
    reset_order();
    timerq_id ia = timerq_add(q, 1.0, record, (void *)&a);
    timerq_id ib = timerq_add(q, 1.0, record, (void *)&b);
    timerq_id ic = timerq_add(q, 2.0, record, (void *)&c);
    CHECK(timerq_remove(q, ib));
    CHECK(!timerq_remove(q, ib));           /* already removed */
    CHECK(!timerq_remove(q, 12345));        /* never existed */
    CHECK_INT(timerq_count(q), 2);
    CHECK(timerq_remove(q, ia));            /* the first one */
    double due = 0.0;
    CHECK(timerq_next_due(q, &due));
    CHECK_NEAR(due, 2.0, 0.0);
    CHECK_INT(timerq_run_due(q, 2.0, NULL), 1);
    CHECK(!timerq_remove(q, ic));           /* already ran */
    CHECK_STR(order, "c");
    timerq_destroy(q);
}

/* A handler re-adding itself with no delay must not run again in the same
 * call: the budget is what was pending on entry. */
static int rearm_runs;

static void rearm(void *arg)
{
    rearm_runs++;
    timerq_add(queue, *(const double *)arg, rearm, arg);
}

TEST(handler_added_timers_wait_for_next_call)
{
    static const double now = 7.0;
    queue = timerq_create();
    rearm_runs = 0;
    timerq_add(queue, now, rearm, (void *)&now);
    CHECK_INT(timerq_run_due(queue, now, NULL), 1);
    CHECK_INT(rearm_runs, 1);
    CHECK_INT(timerq_count(queue), 1);
    CHECK_INT(timerq_run_due(queue, now, NULL), 1);
    CHECK_INT(rearm_runs, 2);
    timerq_destroy(queue);
    queue = NULL;
}

/* A handler may remove a timer that is due in the same call. */
static timerq_id victim;

static void remove_victim(void *arg)
{
    record(arg);
    CHECK(timerq_remove(queue, victim));
}

TEST(handler_removes_due_timer)
{
    queue = timerq_create();
    reset_order();
    timerq_add(queue, 1.0, remove_victim, (void *)&a);
    victim = timerq_add(queue, 1.0, record, (void *)&x);
    timerq_add(queue, 1.0, record, (void *)&b);
    CHECK_INT(timerq_run_due(queue, 1.0, NULL), 2);
    CHECK_STR(order, "ab");
    CHECK_INT(timerq_count(queue), 0);
    timerq_destroy(queue);
    queue = NULL;
}

/* stop is asked before each due timer (and only then), so a run ends
 * right after the handler that asked for it. */
static int stop_calls;
static bool stop_now;

static bool stop_check(void)
{
    stop_calls++;
    return stop_now;
}

static void record_and_stop(void *arg)
{
    record(arg);
    stop_now = true;
}

TEST(stop_ends_the_run)
{
    struct timerq *q = timerq_create();
    reset_order();
    stop_calls = 0;
    stop_now = false;
    timerq_add(q, 1.0, record, (void *)&a);
    timerq_add(q, 1.0, record_and_stop, (void *)&b);
    timerq_add(q, 1.0, record, (void *)&c);
    timerq_add(q, 9.0, record, (void *)&d);
    CHECK_INT(timerq_run_due(q, 1.0, stop_check), 2);
    CHECK_STR(order, "ab");
    CHECK_INT(stop_calls, 3);
    CHECK_INT(timerq_count(q), 2);

    /* nothing due: stop is not asked */
    stop_now = false;
    stop_calls = 0;
    CHECK_INT(timerq_run_due(q, 0.5, stop_check), 0);
    CHECK_INT(stop_calls, 0);
    CHECK_INT(timerq_run_due(q, 1.0, stop_check), 1);
    CHECK_STR(order, "abc");
    CHECK_INT(stop_calls, 1);
    timerq_destroy(q);          /* d still pending: freed */
}

TEST_LIST {
    T(ids_are_never_zero_nor_reused),
    T(due_order_then_insertion_order),
    T(negative_and_nan_delays_count_as_zero),
    T(only_due_timers_run),
    T(remove_pending_and_gone),
    T(handler_added_timers_wait_for_next_call),
    T(handler_removes_due_timer),
    T(stop_ends_the_run),
};
TEST_MAIN
