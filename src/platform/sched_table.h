/* sched_table: what an event loop watches, apart from how it waits: the
 * registered descriptors, the timer queue and the quit request. It makes no
 * system call, so chronyd's poll() loop (platform/sched) and the
 * simulator's virtual-time loop (test/sim/simloop) share it; each of them
 * implements the rest of platform/sched.h (init, run, the clocks, signals)
 * and this module implements the registration calls of sched.h. */
#ifndef CW_SCHED_TABLE_H
#define CW_SCHED_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timerq.h"
#include "platform/sched.h"

struct sched_table_fd {
    int fd;
    int events;                 /* SCHED_IN | SCHED_OUT | SCHED_PRI */
    sched_fd_handler handler;
    void *arg;
    uint64_t generation;        /* tells a re-registered fd from the old one */
};

/* Forgets every descriptor, timer and quit request (timer ids are still
 * never reused). */
void sched_table_clear(void);

/* The registered descriptors, in no particular order; valid until the next
 * registration call. */
const struct sched_table_fd *sched_table_fds(size_t *n);
/* The entry of fd, or NULL. */
const struct sched_table_fd *sched_table_find(int fd);

/* The timer queue, on the loop's sched_now_mono() scale. */
struct timerq *sched_table_timers(void);

bool sched_table_quit_requested(void);
/* The loop ends: a later sched_run() starts afresh. */
void sched_table_quit_done(void);

#endif
