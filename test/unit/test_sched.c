/* Unit tests of the event loop: timer order and removal, descriptor
 * readiness, changes made from inside handlers, quitting, quit signals. */
#include "platform/sched.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* Every loop in these tests also gets this timer, so a bug cannot hang the suite. */
#define SAFETY_S 3.0

static char order[32];
static int n_order;
static bool safety_fired;

static void record(void *arg)
{
    if (n_order < (int)sizeof order - 1)
        order[n_order++] = *(const char *)arg;
    order[n_order] = '\0';
}

static void record_and_quit(void *arg)
{
    record(arg);
    sched_quit();
}

static void safety(void *arg)
{
    safety_fired = true;
    sched_quit();
}

static sched_timer_id start(void)
{
    sched_init();
    n_order = 0;
    order[0] = '\0';
    safety_fired = false;
    return sched_add_timeout(SAFETY_S, safety, NULL);
}

TEST(timers_run_in_due_order)
{
    static const char a = 'a', b = 'b', c = 'c', d = 'd', e = 'e';
    start();
    sched_add_timeout(0.03, record, (void *)&c);
    sched_add_timeout(0.01, record, (void *)&a);
    sched_add_timeout(0.02, record, (void *)&b);
    sched_add_timeout(0.04, record_and_quit, (void *)&e);
    sched_add_timeout(0.035, record, (void *)&d);
    sched_run();
    CHECK_STR(order, "abcde");
    CHECK(!safety_fired);
    sched_finish();
}

TEST(equal_times_run_in_insertion_order)
{
    static const char x = 'x', y = 'y', z = 'z';
    start();
    /* Zero and negative delays both mean "as soon as possible". */
    sched_add_timeout(0.0, record, (void *)&x);
    sched_add_timeout(-5.0, record, (void *)&y);
    sched_add_timeout(0.0, record_and_quit, (void *)&z);
    sched_run();
    CHECK_STR(order, "xyz");
    sched_finish();
}

TEST(timer_waits_its_delay)
{
    static const char t = 't';
    start();
    double t0 = sched_now_mono();
    sched_add_timeout(0.05, record_and_quit, (void *)&t);
    sched_run();
    double elapsed = sched_now_mono() - t0;
    CHECK_STR(order, "t");
    CHECK(elapsed >= 0.05);
    CHECK(elapsed < 0.5);
    sched_finish();
}

TEST(removed_timer_does_not_run)
{
    static const char a = 'a', b = 'b', c = 'c';
    start();
    sched_timer_id ia = sched_add_timeout(0.01, record, (void *)&a);
    sched_timer_id ib = sched_add_timeout(0.02, record, (void *)&b);
    sched_add_timeout(0.03, record_and_quit, (void *)&c);
    CHECK(ia != 0 && ib != 0 && ia != ib);
    CHECK_INT(sched_timer_count(), 4);
    sched_remove_timeout(ib);
    CHECK_INT(sched_timer_count(), 3);
    sched_remove_timeout(ib);           /* twice: ignored */
    sched_remove_timeout(999999);       /* unknown: ignored */
    CHECK_INT(sched_timer_count(), 3);
    sched_run();
    CHECK_STR(order, "ac");
    /* An id that already ran is ignored too. */
    sched_remove_timeout(ia);
    CHECK_INT(sched_timer_count(), 1);  /* only the safety timer is left */
    sched_finish();
    CHECK_INT(sched_timer_count(), 0);
}

static sched_timer_id victim;

static void remove_victim(void *arg)
{
    record(arg);
    sched_remove_timeout(victim);
}

TEST(handler_can_remove_a_pending_timer)
{
    static const char a = 'a', v = 'v', q = 'q';
    start();
    sched_add_timeout(0.01, remove_victim, (void *)&a);
    victim = sched_add_timeout(0.01, record, (void *)&v);   /* same due time */
    sched_add_timeout(0.02, record_and_quit, (void *)&q);
    sched_run();
    CHECK_STR(order, "aq");
    sched_finish();
}

TEST(quit_from_handler_stops_the_loop)
{
    static const char a = 'a', b = 'b';
    start();
    sched_add_timeout(0.0, record_and_quit, (void *)&a);
    sched_add_timeout(0.0, record, (void *)&b);     /* due, but after the quit */
    sched_run();
    CHECK_STR(order, "a");
    /* The loop can run again and picks up where it stopped. */
    static const char c = 'c';
    sched_add_timeout(0.01, record_and_quit, (void *)&c);
    sched_run();
    CHECK_STR(order, "abc");
    sched_finish();
}

struct fd_probe {
    int calls;
    int events;
    char data;
    bool quit;
};

static void read_probe(int fd, int events, void *arg)
{
    struct fd_probe *p = arg;
    p->calls++;
    p->events = events;
    if (events & SCHED_IN)
        if (read(fd, &p->data, 1) != 1)
            p->data = '?';
    if (p->quit)
        sched_quit();
}

TEST(readable_socket_calls_handler)
{
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    start();
    struct fd_probe p = { .quit = true };
    sched_add_fd(sv[0], SCHED_IN, read_probe, &p);
    CHECK_INT(sched_fd_count(), 1);
    CHECK_INT(write(sv[1], "k", 1), 1);
    sched_run();
    CHECK_INT(p.calls, 1);
    CHECK_INT(p.events, SCHED_IN);
    CHECK_INT(p.data, 'k');
    CHECK(!safety_fired);
    sched_remove_fd(sv[0]);
    CHECK_INT(sched_fd_count(), 0);
    sched_finish();
    close(sv[0]);
    close(sv[1]);
}

TEST(idle_socket_is_not_reported)
{
    static const char q = 'q';
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    start();
    struct fd_probe p = { 0 };
    sched_add_fd(sv[0], SCHED_IN, read_probe, &p);
    sched_add_timeout(0.05, record_and_quit, (void *)&q);
    sched_run();
    CHECK_INT(p.calls, 0);
    CHECK_STR(order, "q");
    sched_finish();
    close(sv[0]);
    close(sv[1]);
}

TEST(set_fd_events_switches_to_writable)
{
    static const char q = 'q';
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    start();
    struct fd_probe p = { .quit = true };
    /* Watching for input on an idle socket: nothing happens. */
    sched_add_fd(sv[1], SCHED_IN, read_probe, &p);
    sched_add_timeout(0.02, record_and_quit, (void *)&q);
    sched_run();
    CHECK_INT(p.calls, 0);
    /* The same socket is always writable. */
    sched_set_fd_events(sv[1], SCHED_OUT);
    sched_run();
    CHECK_INT(p.calls, 1);
    CHECK_INT(p.events, SCHED_OUT);
    sched_finish();
    close(sv[0]);
    close(sv[1]);
}

TEST(hangup_is_reported_as_error)
{
    int pfd[2];
    CHECK_INT(pipe(pfd), 0);
    start();
    struct fd_probe p = { .quit = true };
    sched_add_fd(pfd[0], SCHED_IN, read_probe, &p);
    close(pfd[1]);
    sched_run();
    CHECK_INT(p.calls, 1);
    CHECK(p.events & SCHED_ERR);
    CHECK(!safety_fired);
    sched_finish();
    close(pfd[0]);
}

/* Two ready descriptors; the first handler to run unregisters the other one. */
static int pair_a[2], pair_b[2];
static int calls;

static void handler_removing_other(int fd, int events, void *arg)
{
    char c;
    calls++;
    if (read(fd, &c, 1) != 1)
        return;
    sched_remove_fd(fd == pair_a[0] ? pair_b[0] : pair_a[0]);
    sched_quit();
}

TEST(fd_removed_by_earlier_handler_is_not_called)
{
    CHECK_INT(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair_a), 0);
    CHECK_INT(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair_b), 0);
    start();
    calls = 0;
    sched_add_fd(pair_a[0], SCHED_IN, handler_removing_other, NULL);
    sched_add_fd(pair_b[0], SCHED_IN, handler_removing_other, NULL);
    CHECK_INT(write(pair_a[1], "1", 1), 1);
    CHECK_INT(write(pair_b[1], "2", 1), 1);
    sched_run();
    /* Whichever ran first removed the other before it could run. */
    CHECK_INT(calls, 1);
    CHECK_INT(sched_fd_count(), 1);
    sched_finish();
    close(pair_a[0]); close(pair_a[1]);
    close(pair_b[0]); close(pair_b[1]);
}

/* A timer that keeps re-adding itself with no delay must not starve sockets. */
static int spins;

static void spin(void *arg)
{
    spins++;
    sched_add_timeout(0.0, spin, NULL);
}

TEST(zero_delay_timers_do_not_starve_descriptors)
{
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    start();
    spins = 0;
    struct fd_probe p = { .quit = true };
    sched_add_fd(sv[0], SCHED_IN, read_probe, &p);
    sched_add_timeout(0.0, spin, NULL);
    CHECK_INT(write(sv[1], "s", 1), 1);
    sched_run();
    CHECK_INT(p.calls, 1);
    CHECK(spins >= 1);
    CHECK(!safety_fired);
    sched_finish();
    close(sv[0]);
    close(sv[1]);
}

static void raise_term(void *arg)
{
    raise(SIGTERM);
}

TEST(quit_signal_ends_the_loop)
{
    static const char late = 'L';
    start();
    sched_catch_quit_signals();
    sched_add_timeout(0.01, raise_term, NULL);
    sched_add_timeout(0.2, record, (void *)&late);
    sched_run();
    CHECK_INT(sched_quit_signal(), SIGTERM);
    CHECK_STR(order, "");
    CHECK(!safety_fired);
    sched_finish();
}

TEST(signal_interrupts_a_blocked_poll)
{
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    start();
    sched_catch_quit_signals();
    struct fd_probe p = { 0 };
    sched_add_fd(sv[0], SCHED_IN, read_probe, &p);

    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        struct timespec delay = { 0, 100 * 1000 * 1000 };
        nanosleep(&delay, NULL);
        kill(parent, SIGINT);
        _exit(0);
    }
    double t0 = sched_now_mono();
    sched_run();
    double elapsed = sched_now_mono() - t0;
    waitpid(child, NULL, 0);

    CHECK_INT(sched_quit_signal(), SIGINT);
    CHECK_INT(p.calls, 0);
    /* Ended by EINTR, well before poll's longest wait (1 s) ran out. */
    CHECK(elapsed < 0.8);
    CHECK(!safety_fired);
    sched_finish();
    close(sv[0]);
    close(sv[1]);
}

TEST(sigpipe_is_ignored)
{
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    sched_catch_quit_signals();
    close(sv[1]);
    /* Without SIG_IGN this write would kill the test program. */
    CHECK_INT(write(sv[0], "x", 1), -1);
    close(sv[0]);
}

TEST(clocks_are_read)
{
    struct timespec real;
    double m1 = sched_now_mono();
    sched_now_real(&real);
    double m2 = sched_now_mono();
    CHECK(m2 >= m1);
    CHECK(llabs((long long)real.tv_sec - (long long)time(NULL)) <= 1);
    CHECK(real.tv_nsec >= 0 && real.tv_nsec < 1000000000L);
}

TEST_LIST {
    T(timers_run_in_due_order),
    T(equal_times_run_in_insertion_order),
    T(timer_waits_its_delay),
    T(removed_timer_does_not_run),
    T(handler_can_remove_a_pending_timer),
    T(quit_from_handler_stops_the_loop),
    T(readable_socket_calls_handler),
    T(idle_socket_is_not_reported),
    T(set_fd_events_switches_to_writable),
    T(hangup_is_reported_as_error),
    T(fd_removed_by_earlier_handler_is_not_called),
    T(zero_delay_timers_do_not_starve_descriptors),
    T(quit_signal_ends_the_loop),
    T(signal_interrupts_a_blocked_poll),
    T(sigpipe_is_ignored),
    T(clocks_are_read),
};
TEST_MAIN
