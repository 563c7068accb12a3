/* simclock: the simulated host's clocks, as functions of true time.
 *
 * Two layers, like a real machine:
 *   - the oscillator: it runs freq_ppm fast (positive: fast) and its
 *     frequency wanders as a random walk, changing by wander * N(0, 1) at each
 *     whole true second (so "1e-9/s" is the deviation of one second's step);
 *     it turns true time into the time the hardware counts;
 *   - the kernel: the Linux timekeeping and adjtimex state of
 *     test/clockshim/vclock (tick, frequency in 2^-16 ppm units, steps,
 *     status, maxerror, leap seconds), fed with the oscillator's time.
 * CLOCK_REALTIME is the kernel's clock; CLOCK_MONOTONIC runs at the same
 * (adjusted) rate but ignores steps and leap seconds, as on Linux.
 *
 * True time is held by the caller (the event loop) as nanoseconds since the
 * start of the run; it only moves forward. */
#ifndef CW_SIM_SIMCLOCK_H
#define CW_SIM_SIMCLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct simclock_params {
    int64_t start_unix_s;   /* true UTC at the start of the run */
    double offset_s;        /* clock minus true time at the start */
    double freq_ppm;        /* oscillator's frequency error at the start */
    double wander;          /* random-walk step per true second (fraction) */
    uint64_t seed;
};

void simclock_init(const struct simclock_params *p);
/* Move to true time t_ns (never backwards). Wander steps are applied at
 * each whole second passed. */
void simclock_advance(int64_t t_ns);
int64_t simclock_true_ns(void);

/* CLOCK_REALTIME now, and as Unix nanoseconds. */
void simclock_read_real(struct timespec *ts);
/* The true time now as a timespec (what a perfect clock would read), and
 * at any true time t_ns of the run. */
void simclock_read_true(struct timespec *ts);
void simclock_true_at(int64_t t_ns, struct timespec *ts);
/* CLOCK_MONOTONIC now, seconds. */
double simclock_mono_s(void);
/* Clock minus true time, seconds. */
double simclock_offset_s(void);
/* The clock's rate error against true time now (oscillator and kernel
 * frequency together), as a fraction. */
double simclock_rate_error(void);
/* The oscillator's own frequency error now, as a fraction. */
double simclock_oscillator_error(void);
/* True nanoseconds from now until CLOCK_MONOTONIC reaches mono_s at the
 * present rate (at least 1). */
int64_t simclock_ns_until_mono(double mono_s);

/* ---- the kernel's controls (what an adjtimex-based driver does) ---- */

/* Largest |frequency| settable: what tick covers (+-10 %). */
double simclock_max_freq_ppm(void);
/* Split into tick (100 ppm steps, kept while the rest fits +-500 ppm) and
 * frequency (2^-16 ppm units) and set both; returns the frequency the kernel
 * now runs at. */
double simclock_set_freq_ppm(double freq_ppm);
double simclock_get_freq_ppm(void);
/* ADJ_SETOFFSET: steps the realtime clock; 0, or -1 when the kernel refuses. */
int simclock_step(double offset_s);
void simclock_set_status(bool synced, double est_error_s, double max_error_s);
/* 0 none, 1 insert, 2 delete (STA_INS / STA_DEL). */
void simclock_set_leap(int leap);

/* What was done to the clock, for the report. */
struct simclock_stats {
    unsigned long freq_sets, steps, status_sets, leap_sets;
    double steps_total_s;       /* sum of the steps */
    double max_abs_step_s;
    bool synced;                /* last status given */
    double est_error_s, max_error_s;
    int leap;
};
void simclock_get_stats(struct simclock_stats *out);

#endif
