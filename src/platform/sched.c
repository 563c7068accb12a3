/* sched: the poll() loop, its descriptor table and the quit signals; the
 * timers are a core/timerq queue on CLOCK_MONOTONIC (the queue itself makes
 * no system call, so the simulator's loop runs the same one). Nothing but
 * registered descriptors goes into the poll set (no timerfd, self-pipe or
 * signalfd), so the loop behaves the same under LD_PRELOAD clock and
 * network simulators. */
#include "platform/sched.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "core/timerq.h"

/* A signal that arrives between the flag check and poll() is only noticed
 * when poll() returns, so poll() never sleeps longer than this. */
#define SCHED_MAX_WAIT_MS 1000
#define MS_PER_S 1000.0
#define NS_PER_S 1e9

struct fd_entry {
    int fd;
    int events;                 /* SCHED_IN | SCHED_OUT | SCHED_PRI */
    sched_fd_handler handler;
    void *arg;
    uint64_t generation;        /* tells a re-registered fd from the old one */
};

static struct fd_entry *fds;
static size_t n_fds, fds_alloc;
static uint64_t next_generation = 1;

static struct pollfd *pollset;
static uint64_t *poll_generations;
static size_t pollset_alloc;

/* Kept for the life of the process, so timer ids are never reused. */
static struct timerq *timers;

static bool quit_requested;
static volatile sig_atomic_t pending_signal;
static int ended_by_signal;

void sched_init(void)
{
    sched_finish();
    quit_requested = false;
    pending_signal = 0;
    ended_by_signal = 0;
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
    mem_free(pollset);
    mem_free(poll_generations);
    pollset = NULL;
    poll_generations = NULL;
    pollset_alloc = 0;
}

static struct fd_entry *find_fd(int fd)
{
    for (size_t i = 0; i < n_fds; i++)
        if (fds[i].fd == fd)
            return &fds[i];
    return NULL;
}

void sched_add_fd(int fd, int events, sched_fd_handler handler, void *arg)
{
    if (fd < 0 || find_fd(fd))
        LOG_FATAL("Descriptor %d registered twice or invalid", fd);
    fds = mem_grow(fds, &fds_alloc, n_fds + 1, sizeof *fds);
    fds[n_fds++] = (struct fd_entry){
        .fd = fd, .events = events, .handler = handler, .arg = arg,
        .generation = next_generation++,
    };
}

void sched_set_fd_events(int fd, int events)
{
    struct fd_entry *e = find_fd(fd);
    if (e)
        e->events = events;
}

void sched_remove_fd(int fd)
{
    struct fd_entry *e = find_fd(fd);
    if (!e)
        return;
    *e = fds[--n_fds];
}

int sched_fd_count(void)
{
    return (int)n_fds;
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
        quit_requested = true;
    }
    return quit_requested;
}

/* Run the timers that are due now. A timer added by a handler with no delay
 * waits for the next round, so descriptors are never starved. */
static void run_due_timers(void)
{
    (void)timerq_run_due(timer_queue(), sched_now_mono(), should_stop);
}

static int poll_timeout_ms(void)
{
    double due_mono_s;
    if (!timerq_next_due(timer_queue(), &due_mono_s))
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
        struct fd_entry *e = find_fd(pollset[i].fd);
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

        size_t n = n_fds;
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
    quit_requested = false;
}
