/* random: unpredictable bits from the kernel (getrandom), for NTP transmit
 * timestamps, the random spread of poll times, address shuffling and any
 * other value an attacker must not guess. Never blocks once the kernel's
 * pool is initialised; falls back to /dev/urandom where getrandom() is
 * missing (old kernels, some simulators). */
#ifndef CW_RANDOM_H
#define CW_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fill buf with len random bytes. Fatal if no source of randomness works. */
void random_bytes(void *buf, size_t len);
/* The same, but false (errno set) instead of fatal, for callers that have
 * a message of their own (chronyc keygen). */
bool random_try_bytes(void *buf, size_t len);
/* 64 random bits. */
uint64_t random_u64(void);
/* A uniformly distributed double in [0, 1). */
double random_unit(void);

#endif
