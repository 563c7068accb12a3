/* simloop: the daemon's event loop in virtual time. See simloop.h. */
#include "simloop.h"

#include <stdbool.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/timerq.h"
#include "platform/sched.h"
#include "platform/sched_table.h"
#include "simclock.h"
#include "simnet.h"

#define NS_PER_S 1000000000LL
/* Rounds at one instant with datagrams still waiting or timers due: a
 * handler that never reads its socket, or a timer that re-adds itself with
 * no delay, would otherwise stop time. */
#define MAX_ROUNDS_WITHOUT_PROGRESS 10000
/* Descriptors dispatched in one round (the rest wait for the next). */
#define MAX_READY_PER_ROUND 64

struct event {
    int64_t t_ns;
    uint64_t seq;
    simloop_fn fn, drop;
    void *arg;
    struct event *next;
};


static struct event *events;
static uint64_t next_seq;
static int64_t end_ns = INT64_MAX;
static void (*second_hook)(int64_t second);
static void (*idle_hook)(void);
static uint64_t timer_runs;

void simloop_setup(int64_t end)
{
    end_ns = end;
}

void simloop_set_second_hook(void (*hook)(int64_t second))
{
    second_hook = hook;
}

void simloop_set_idle_hook(void (*hook)(void))
{
    idle_hook = hook;
}

uint64_t simloop_timer_runs(void)
{
    return timer_runs;
}

void simloop_at(int64_t t_ns, simloop_fn fn, simloop_fn drop, void *arg)
{
    struct event *e = mem_alloc(sizeof *e);
    int64_t now = simclock_true_ns();
    *e = (struct event){ .t_ns = t_ns < now ? now : t_ns, .seq = next_seq++, .fn = fn,
                         .drop = drop, .arg = arg };
    struct event **p = &events;
    while (*p && (*p)->t_ns <= e->t_ns)
        p = &(*p)->next;
    e->next = *p;
    *p = e;
}

void simloop_teardown(void)
{
    while (events) {
        struct event *e = events;
        events = e->next;
        if (e->drop)
            e->drop(e->arg);
        mem_free(e);
    }
}

/* ---- platform/sched.h ---- */

/* The descriptors, chronyd's own timer queue (on the simulated
 * CLOCK_MONOTONIC) and the registration calls are platform/sched_table's,
 * as in chronyd; the loop below replaces platform/sched.c's. */

void sched_init(void)
{
    sched_finish();
}

void sched_finish(void)
{
    sched_table_clear();
}

/* No real signal can reach a simulated daemon's loop. */
void sched_catch_quit_signals(void)
{
}

int sched_quit_signal(void)
{
    return 0;
}

double sched_now_mono(void)
{
    return simclock_mono_s();
}

void sched_now_real(struct timespec *ts)
{
    simclock_read_real(ts);
}


static void run_due_timers(void)
{
    timer_runs += (uint64_t)timerq_run_due(sched_table_timers(), sched_now_mono(),
                                           sched_table_quit_requested);
}

/* Handlers of the readable descriptors, each once, as one poll() round
 * would call them. Returns whether any was called. */
static bool dispatch_fds(void)
{
    int ready[MAX_READY_PER_ROUND];
    size_t n = 0, n_fds;
    const struct sched_table_fd *fds = sched_table_fds(&n_fds);
    for (size_t i = 0; i < n_fds && n < sizeof ready / sizeof ready[0]; i++)
        if ((fds[i].events & SCHED_IN) && simnet_fd_readable(fds[i].fd))
            ready[n++] = fds[i].fd;
    for (size_t i = 0; i < n && !sched_table_quit_requested(); i++) {
        const struct sched_table_fd *e = sched_table_find(ready[i]);
        if (e && simnet_fd_readable(e->fd))
            e->handler(e->fd, SCHED_IN, e->arg);
    }
    return n > 0;
}

static int64_t next_time(void)
{
    int64_t now = simclock_true_ns();
    int64_t next = (now / NS_PER_S + 1) * NS_PER_S;
    if (events && events->t_ns < next)
        next = events->t_ns;
    double due_mono_s;
    if (timerq_next_due(sched_table_timers(), &due_mono_s)) {
        int64_t t = now + simclock_ns_until_mono(due_mono_s);
        if (t < next)
            next = t;
    }
    return next < end_ns ? next : end_ns;
}

void sched_run(void)
{
    int stuck = 0;
    while (!sched_table_quit_requested()) {
        run_due_timers();
        if (sched_table_quit_requested())
            break;
        /* datagrams waiting, or a timer added with no delay: another round
         * at the same instant, as poll() would return at once */
        bool busy = dispatch_fds();
        double due_mono_s;
        if (!busy && !sched_table_quit_requested() &&
            timerq_next_due(sched_table_timers(), &due_mono_s) &&
            due_mono_s <= sched_now_mono())
            busy = true;
        if (busy) {
            if (++stuck > MAX_ROUNDS_WITHOUT_PROGRESS)
                LOG_FATAL("simulator: no progress (datagrams left unread or timers re-added)");
            continue;
        }
        stuck = 0;
        if (idle_hook)
            idle_hook();
        if (simclock_true_ns() >= end_ns)
            break;

        int64_t next = next_time();
        bool whole_second = next % NS_PER_S == 0;
        simclock_advance(next);
        if (whole_second && second_hook)
            second_hook(next / NS_PER_S);
        while (events && events->t_ns <= next) {
            struct event *e = events;
            events = e->next;
            e->fn(e->arg);
            mem_free(e);
        }
    }
    if (idle_hook)
        idle_hook();
    sched_table_quit_done();
}
