/* timerq: a queue of one-shot timers, the part of an event loop that does
 * not depend on where time comes from. It owns the pending timers, their
 * ids and their order: by due time, and timers due at the same time in the
 * order they were added. The caller passes the time in (seconds on any
 * monotonic scale of its own), so chronyd's poll() loop (platform/sched)
 * and the simulator's virtual-time loop run the same queue. */
#ifndef CW_TIMERQ_H
#define CW_TIMERQ_H

#include <stdbool.h>
#include <stdint.h>

/* Never 0, never reused by a queue (not even after timerq_clear). */
typedef uint64_t timerq_id;
typedef void (*timerq_handler)(void *arg);

struct timerq;

struct timerq *timerq_create(void);
void timerq_destroy(struct timerq *q);
/* Drop every pending timer without running it; ids keep counting. */
void timerq_clear(struct timerq *q);

/* Call handler(arg) once the time reaches due_s. */
timerq_id timerq_add(struct timerq *q, double due_s, timerq_handler handler, void *arg);
/* The same delay_s after now_s; a negative or NaN delay counts as 0. */
timerq_id timerq_add_after(struct timerq *q, double now_s, double delay_s,
                           timerq_handler handler, void *arg);
/* Cancel a pending timer; false when there is none with this id (it ran,
 * was removed, or never existed). */
bool timerq_remove(struct timerq *q, timerq_id id);
int timerq_count(const struct timerq *q);
/* The due time of the first timer; false when the queue is empty. */
bool timerq_next_due(const struct timerq *q, double *due_s);

/* Runs the timers due at now_s, first due first, each taken out of the
 * queue before its handler runs (a handler may add and remove timers). Only
 * as many as were pending on entry run, so a timer that a handler adds due
 * at once waits for the next call and the caller's descriptors get their
 * turn. stop (may be NULL) is asked before each timer; true ends the run.
 * Returns how many handlers ran. */
int timerq_run_due(struct timerq *q, double now_s, bool (*stop)(void));

#endif
