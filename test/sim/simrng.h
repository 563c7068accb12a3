/* simrng: the simulator's deterministic random numbers. Every consumer (the
 * oscillator's wander, each direction of the network, the daemon's
 * random_*) has its own stream, derived from the run's seed and a stream
 * number, so that a change in how often one consumer draws never shifts the
 * numbers another one sees. xoshiro256** seeded through splitmix64. */
#ifndef CW_SIM_SIMRNG_H
#define CW_SIM_SIMRNG_H

#include <stdint.h>

struct simrng {
    uint64_t s[4];
};

/* Streams in use (the numbers only need to differ). */
enum simrng_stream {
    SIMRNG_WANDER = 1,
    SIMRNG_NET = 2,
    SIMRNG_DAEMON = 3,
    SIMRNG_PORTS = 4,
};

void simrng_init(struct simrng *r, uint64_t seed, uint64_t stream);
uint64_t simrng_u64(struct simrng *r);
/* Uniform in [0, 1). */
double simrng_unit(struct simrng *r);
/* Exponentially distributed with the given mean (0 for mean <= 0). */
double simrng_exp(struct simrng *r, double mean);
/* Standard normal (mean 0, deviation 1). */
double simrng_normal(struct simrng *r);

#endif
