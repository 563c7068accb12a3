/* simloop: virtual time. Implements platform/sched.h for the daemon: its
 * timers run on the simulated CLOCK_MONOTONIC, its descriptors are the
 * simulated sockets of simnet, and where the real loop would sleep in
 * poll(), this one jumps true time forward to the next thing that happens:
 * a daemon timer, a datagram arriving, a world event (simloop_at), or the
 * next whole true second (when the oscillator wanders and the per-second
 * hook samples the clock). sched_run() returns when the daemon quits or
 * true time reaches the end of the run. */
#ifndef CW_SIM_SIMLOOP_H
#define CW_SIM_SIMLOOP_H

#include <stdint.h>

typedef void (*simloop_fn)(void *arg);

/* Before the daemon starts: the run ends at true time end_ns. */
void simloop_setup(int64_t end_ns);
/* Call fn(arg) at true time t_ns (now if in the past); same times run in
 * the order they were added. drop(arg), if given, frees arg when the run
 * ends before the event happened. */
void simloop_at(int64_t t_ns, simloop_fn fn, simloop_fn drop, void *arg);
/* Forget the events that did not happen (after the daemon has exited). */
void simloop_teardown(void);
/* Called at every whole true second (1, 2, ...) after the clock has moved
 * there and before anything else happens at that instant. */
void simloop_set_second_hook(void (*hook)(int64_t second));
/* Called whenever the daemon has nothing more to do at this instant (where
 * the real loop would sleep), and when sched_run() returns. */
void simloop_set_idle_hook(void (*hook)(void));
/* Loop turns and daemon timer callbacks, for the report. */
uint64_t simloop_timer_runs(void);

#endif
