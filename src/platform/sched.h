/* sched: chronyd's event loop. One thread waits in poll() on the descriptors
 * modules register, with the timeout taken from an in-process queue of
 * monotonic timers; quit signals only set a flag that the loop checks when
 * poll() returns. Also the place modules read the time from.
 *
 * Handlers run on the loop's thread, one at a time; they may add or remove
 * descriptors and timers (including their own) and call sched_quit(). */
#ifndef CW_SCHED_H
#define CW_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Descriptor events (a handler receives the ones that happened). */
#define SCHED_IN 1        /* readable */
#define SCHED_OUT 2       /* writable */
#define SCHED_PRI 4       /* urgent data, or a socket's error queue (POLLPRI) */
#define SCHED_ERR 8       /* error or hang-up; always reported, never requested */

typedef void (*sched_fd_handler)(int fd, int events, void *arg);
typedef void (*sched_timer_handler)(void *arg);

/* Identifies a pending timer; never 0, never reused during the process's life. */
typedef uint64_t sched_timer_id;

/* Empty the loop (no descriptors, no timers, no quit request). */
void sched_init(void);
/* Forget every descriptor and timer (for a clean exit). */
void sched_finish(void);

/* Watch fd for events (SCHED_IN | SCHED_OUT | SCHED_PRI). Registering a
 * descriptor twice is a programming error (fatal). */
void sched_add_fd(int fd, int events, sched_fd_handler handler, void *arg);
/* Change the events watched on a registered fd. */
void sched_set_fd_events(int fd, int events);
/* Stop watching fd (unknown fds are ignored). Does not close it. */
void sched_remove_fd(int fd);
int sched_fd_count(void);

/* Call handler(arg) once, delay_s seconds from now (negative counts as 0).
 * Timers due at the same time run in the order they were added. */
sched_timer_id sched_add_timeout(double delay_s, sched_timer_handler handler, void *arg);
/* Cancel a pending timer; ids that already ran or were removed are ignored. */
void sched_remove_timeout(sched_timer_id id);
int sched_timer_count(void);

/* Run until sched_quit() is called or a quit signal arrives. */
void sched_run(void);
/* Make sched_run() return after the handler that called this one. */
void sched_quit(void);

/* SIGINT, SIGTERM, SIGQUIT and SIGHUP end the loop cleanly; SIGPIPE is
 * ignored (a closed peer is reported by the write instead). */
void sched_catch_quit_signals(void);
/* The quit signal that ended sched_run(), or 0. */
int sched_quit_signal(void);

/* Seconds on CLOCK_MONOTONIC (arbitrary origin; for intervals and timers). */
double sched_now_mono(void);
/* The system clock (CLOCK_REALTIME). */
void sched_now_real(struct timespec *ts);

#endif
