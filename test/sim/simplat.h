/* simplat: the rest of the simulated platform. Implements platform/sysclock.h
 * (on simclock's kernel), random.h (a seeded stream), clockprec.h (a fixed
 * precision), resolver.h (names from a table the scenario gives, answered
 * after a short virtual delay, or at once by the blocking lookup) and
 * daemon.h (nothing to detach, no pid file). */
#ifndef CW_SIM_SIMPLAT_H
#define CW_SIM_SIMPLAT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"

/* The precision clockprec_measure_s() reports (a modern Linux: tens of ns). */
#define SIMPLAT_CLOCK_PRECISION_S 2.0e-8

void simplat_init(uint64_t seed);
/* A name the resolver knows (several calls add several addresses). */
void simplat_add_host(const char *name, const addr_ip *ip);

struct simplat_stats {
    bool sysclock_initialised;  /* sysclock_init() was called */
    bool control;               /* ... asking to control the clock */
    unsigned long null_freq_sets;   /* frequency given to the null driver */
    unsigned long resolver_requests;
};
void simplat_get_stats(struct simplat_stats *out);
/* Frequency settings and steps the daemon asked of sysclock so far (in
 * either driver): no two readings of the clock taken with the same count
 * in between saw the daemon change its mind about the clock. */
uint64_t simplat_clock_events(void);

#endif
