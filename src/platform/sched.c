/* sched: the poll() loop, the clocks it runs on and the quit signals. The
 * descriptors and timers it serves are kept by platform/sched_table (no
 * system calls there, so the simulator's loop shares them); timers run on
 * CLOCK_MONOTONIC. Nothing but registered descriptors goes into the poll
 * set (no timerfd, self-pipe or signalfd), so the loop behaves the same
 * under LD_PRELOAD clock and network simulators. */
#include "platform/sched.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "platform/sched_table.h"

/* A signal that arrives between the flag check and poll() is only noticed
 * when poll() returns, so poll() never sleeps longer than this. */
#define SCHED_MAX_WAIT_MS 1000
#define MS_PER_S 1000.0
#define NS_PER_S 1e9

static struct pollfd *pollset;
static uint64_t *poll_generations;
static size_t pollset_alloc;

static volatile sig_atomic_t pending_signal;
static int ended_by_signal;

void sched_init(void)
{
    sched_finish();
    pending_signal = 0;
    ended_by_signal = 0;
}

void sched_finish(void)
{
    sched_table_clear();
    mem_free(pollset);
    mem_free(poll_generations);
    pollset = NULL;
    poll_generations = NULL;
    pollset_alloc = 0;
}

double sched_now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / NS_PER_S;
}

void sched_now_real(struct timespec *ts)
{
    clock_gettime(CLOCK_REALTIME, ts);
}

static void on_quit_signal(int signo)
{
    pending_signal = signo;
}

void sched_catch_quit_signals(void)
{
    static const int quit_signals[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: poll() must return with EINTR so the flag is seen. */
    sa.sa_handler = on_quit_signal;
    for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
        sigaction(quit_signals[i], &sa, NULL);

    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

int sched_quit_signal(void)
{
    return ended_by_signal;
}

static bool should_stop(void)
{
    if (pending_signal) {
        ended_by_signal = pending_signal;
        pending_signal = 0;
        sched_quit();
    }
    return sched_table_quit_requested();
}

/* Run the timers that are due now. A timer added by a handler with no delay
 * waits for the next round, so descriptors are never starved. */
static void run_due_timers(void)
{
    (void)timerq_run_due(sched_table_timers(), sched_now_mono(), should_stop);
}

static int poll_timeout_ms(void)
{
    double due_mono_s;
    if (!timerq_next_due(sched_table_timers(), &due_mono_s))
        return SCHED_MAX_WAIT_MS;
    double wait_ms = ceil((due_mono_s - sched_now_mono()) * MS_PER_S);
    if (wait_ms <= 0.0)
        return 0;
    return wait_ms < SCHED_MAX_WAIT_MS ? (int)wait_ms : SCHED_MAX_WAIT_MS;
}

static short to_poll_events(int events)
{
    return (short)(((events & SCHED_IN) ? POLLIN : 0) | ((events & SCHED_OUT) ? POLLOUT : 0) |
                   ((events & SCHED_PRI) ? POLLPRI : 0));
}

static int from_poll_events(short revents)
{
    return ((revents & POLLIN) ? SCHED_IN : 0) | ((revents & POLLOUT) ? SCHED_OUT : 0) |
           ((revents & POLLPRI) ? SCHED_PRI : 0) |
           ((revents & (POLLERR | POLLHUP | POLLNVAL)) ? SCHED_ERR : 0);
}

/* Call the handlers of the descriptors poll() reported. Handlers may change
 * the table, so each entry is looked up again and matched by generation. */
static void dispatch_fds(size_t n)
{
    for (size_t i = 0; i < n && !should_stop(); i++) {
        if (!pollset[i].revents)
            continue;
        const struct sched_table_fd *e = sched_table_find(pollset[i].fd);
        if (!e || e->generation != poll_generations[i])
            continue;
        int events = from_poll_events(pollset[i].revents) & (e->events | SCHED_ERR);
        if (events)
            e->handler(e->fd, events, e->arg);
    }
}

void sched_run(void)
{
    while (!should_stop()) {
        run_due_timers();
        if (should_stop())
            break;

        size_t n;
        const struct sched_table_fd *fds = sched_table_fds(&n);
        if (n > pollset_alloc) {
            size_t alloc = pollset_alloc;
            pollset = mem_grow(pollset, &pollset_alloc, n, sizeof *pollset);
            poll_generations = mem_grow(poll_generations, &alloc, n, sizeof *poll_generations);
        }
        for (size_t i = 0; i < n; i++) {
            pollset[i] = (struct pollfd){ .fd = fds[i].fd, .events = to_poll_events(fds[i].events) };
            poll_generations[i] = fds[i].generation;
        }

        int r = poll(pollset, (nfds_t)n, poll_timeout_ms());
        if (r < 0) {
            if (errno == EINTR)
                continue;
            LOG_FATAL("poll() failed : %s", strerror(errno));
        }
        if (r > 0)
            dispatch_fds(n);
    }
    /* Leave the loop ready to run again (tests, and a later restart phase). */
    sched_table_quit_done();
}
