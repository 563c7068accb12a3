/* simrng: deterministic random streams. See simrng.h. */
#include "simrng.h"

#include <math.h>

#define DOUBLE_MANTISSA_BITS 53

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void simrng_init(struct simrng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed * UINT64_C(0x100000001b3) ^ (stream << 32 | stream);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t simrng_u64(struct simrng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double simrng_unit(struct simrng *r)
{
    return (double)(simrng_u64(r) >> (64 - DOUBLE_MANTISSA_BITS)) /
           (double)(UINT64_C(1) << DOUBLE_MANTISSA_BITS);
}

double simrng_exp(struct simrng *r, double mean)
{
    if (!(mean > 0.0))
        return 0.0;
    /* 1 - u is in (0, 1]: the logarithm is finite */
    return -mean * log(1.0 - simrng_unit(r));
}

double simrng_normal(struct simrng *r)
{
    /* Box-Muller; one of the pair is thrown away to keep the stream simple */
    double u1 = 1.0 - simrng_unit(r), u2 = simrng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
