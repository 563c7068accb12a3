/* simloop: the daemon's event loop in virtual time. See simloop.h. */
#include "simloop.h"

#include <stdbool.h>

#include "common/log.h"
#include "common/mem.h"
#include "core/timerq.h"
#include "platform/sched.h"
#include "simclock.h"
#include "simnet.h"

#define NS_PER_S 1000000000LL
/* Rounds at one instant with datagrams still waiting or timers due: a
 * handler that never reads its socket, or a timer that re-adds itself with
 * no delay, would otherwise stop time. */
#define MAX_ROUNDS_WITHOUT_PROGRESS 10000
/* Descriptors dispatched in one round (the rest wait for the next). */
#define MAX_READY_PER_ROUND 64

struct fd_entry {
    int fd;
    int events;
    sched_fd_handler handler;
    void *arg;
};

struct event {
    int64_t t_ns;
    uint64_t seq;
    simloop_fn fn, drop;
    void *arg;
    struct event *next;
};

static struct fd_entry *fds;
static size_t n_fds, fds_alloc;
/* chronyd's own queue (core/timerq), on the simulated CLOCK_MONOTONIC */
static struct timerq *timers;
static bool quit_requested;

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

void sched_init(void)
{
    sched_finish();
    quit_requested = false;
}

static struct timerq *timer_queue(void)
{
    if (!timers)
        timers = timerq_create();
    return timers;
}

void sched_finish(void)
{
    timerq_clear(timer_queue());
    mem_free(fds);
    fds = NULL;
    n_fds = fds_alloc = 0;
}

static struct fd_entry *find_fd(int fd)
{
    for (size_t i = 0; i < n_fds; i++)
        if (fds[i].fd == fd)
            return &fds[i];
    return NULL;
}

void sched_add_fd(int fd, int events_, sched_fd_handler handler, void *arg)
{
    if (fd < 0 || find_fd(fd))
        LOG_FATAL("Descriptor %d registered twice or invalid", fd);
    fds = mem_grow(fds, &fds_alloc, n_fds + 1, sizeof *fds);
    fds[n_fds++] = (struct fd_entry){ .fd = fd, .events = events_, .handler = handler, .arg = arg };
}

void sched_set_fd_events(int fd, int events_)
{
    struct fd_entry *e = find_fd(fd);
    if (e)
        e->events = events_;
}

void sched_remove_fd(int fd)
{
    struct fd_entry *e = find_fd(fd);
    if (e)
        *e = fds[--n_fds];
}

int sched_fd_count(void)
{
    return (int)n_fds;
}

sched_timer_id sched_add_timeout(double delay_s, sched_timer_handler handler, void *arg)
{
    return timerq_add_after(timer_queue(), sched_now_mono(), delay_s, handler, arg);
}

void sched_remove_timeout(sched_timer_id id)
{
    (void)timerq_remove(timer_queue(), id);
}

int sched_timer_count(void)
{
    return timerq_count(timer_queue());
}

void sched_quit(void)
{
    quit_requested = true;
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

static bool quit_was_requested(void)
{
    return quit_requested;
}

static void run_due_timers(void)
{
    timer_runs += (uint64_t)timerq_run_due(timer_queue(), sched_now_mono(), quit_was_requested);
}

/* Handlers of the readable descriptors, each once, as one poll() round
 * would call them. Returns whether any was called. */
static bool dispatch_fds(void)
{
    int ready[MAX_READY_PER_ROUND];
    size_t n = 0;
    for (size_t i = 0; i < n_fds && n < sizeof ready / sizeof ready[0]; i++)
        if ((fds[i].events & SCHED_IN) && simnet_fd_readable(fds[i].fd))
            ready[n++] = fds[i].fd;
    for (size_t i = 0; i < n && !quit_requested; i++) {
        struct fd_entry *e = find_fd(ready[i]);
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
    if (timerq_next_due(timer_queue(), &due_mono_s)) {
        int64_t t = now + simclock_ns_until_mono(due_mono_s);
        if (t < next)
            next = t;
    }
    return next < end_ns ? next : end_ns;
}

void sched_run(void)
{
    int stuck = 0;
    while (!quit_requested) {
        run_due_timers();
        if (quit_requested)
            break;
        /* datagrams waiting, or a timer added with no delay: another round
         * at the same instant, as poll() would return at once */
        bool busy = dispatch_fds();
        double due_mono_s;
        if (!busy && !quit_requested && timerq_next_due(timer_queue(), &due_mono_s) &&
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
    quit_requested = false;
}
