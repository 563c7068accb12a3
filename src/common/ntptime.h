/* ntptime: time arithmetic shared by chronyd and chronyc. struct timespec
 * helpers, the NTP 64-bit timestamp (32.32 seconds since 1900, with era
 * handling), the NTP short format (16.16 seconds, root delay/dispersion) and
 * log2 helpers for polling intervals and precision. Pure: no system calls,
 * every time value comes in as an argument. */
#ifndef CW_NTPTIME_H
#define CW_NTPTIME_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define NTPTIME_NSEC_PER_SEC 1000000000L

/* Seconds from 1900-01-01 (NTP prime epoch) to 1970-01-01 (Unix epoch). */
#define NTPTIME_JAN_1970 2208988800UL

/* Length of one NTP era: the 32-bit seconds field wraps every 2^32 s. */
#define NTPTIME_ERA_SECONDS 4294967296LL

/* Default start of the 2^32-second window that received NTP timestamps are
 * mapped into when no better reference time is known: 1974-01-13, i.e. 50
 * years before 2024, as chrony does relative to its build date. The window
 * ends in 2110. */
#define NTPTIME_DEFAULT_ERA_START 127267200LL

/* An NTP 64-bit timestamp in host byte order: seconds since 1900 modulo 2^32
 * and a binary fraction of a second. All zero means "unknown". */
typedef struct {
    uint32_t hi;
    uint32_t lo;
} ntptime_ts64;

/* ---- struct timespec ---- */

/* Brings tv_nsec into [0, 1e9), carrying whole seconds into tv_sec; accepts
 * any tv_nsec, negative or above one second. */
void ntptime_normalise(struct timespec *ts);
struct timespec ntptime_zero(void);
bool ntptime_is_zero(struct timespec ts);
struct timespec ntptime_add(struct timespec a, struct timespec b);
struct timespec ntptime_sub(struct timespec a, struct timespec b);
/* a - b in seconds. */
double ntptime_diff(struct timespec a, struct timespec b);
struct timespec ntptime_add_double(struct timespec ts, double seconds);
/* Rounded to the nearest nanosecond; negative values give tv_sec < 0 with
 * tv_nsec in [0, 1e9). */
struct timespec ntptime_from_double(double seconds);
double ntptime_to_double(struct timespec ts);
/* -1, 0, 1 as a is before, equal to, after b (both normalised). */
int ntptime_compare(struct timespec a, struct timespec b);

/* ---- NTP 64-bit timestamps ---- */

/* Orders timestamps by their signed difference, so adjacent eras compare
 * correctly: -1, 0, 1. */
int ntptime_ts64_compare(ntptime_ts64 a, ntptime_ts64 b);
/* a - b in seconds, valid in any era when |a - b| < 68 years. */
double ntptime_ts64_diff(ntptime_ts64 a, ntptime_ts64 b);

/* The small helpers below are inline: every NTP packet read or written goes
 * through them several times. */
static inline bool ntptime_ts64_is_zero(ntptime_ts64 t)
{
    return (t.hi | t.lo) == 0;
}

static inline bool ntptime_ts64_equal(ntptime_ts64 a, ntptime_ts64 b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

static inline uint64_t ntptime_ts64_to_u64(ntptime_ts64 t)
{
    return (uint64_t)t.hi << 32 | t.lo;
}

static inline ntptime_ts64 ntptime_ts64_from_u64(uint64_t v)
{
    ntptime_ts64 t = { (uint32_t)(v >> 32), (uint32_t)v };
    return t;
}

/* Big-endian wire form (8 bytes, any alignment). */
static inline ntptime_ts64 ntptime_ts64_read(const uint8_t *p)
{
    uint32_t w[2];
    memcpy(w, p, sizeof w);
    ntptime_ts64 t = { ntohl(w[0]), ntohl(w[1]) };
    return t;
}

static inline void ntptime_ts64_write(uint8_t *p, ntptime_ts64 t)
{
    uint32_t w[2] = { htonl(t.hi), htonl(t.lo) };
    memcpy(p, w, sizeof w);
}

/* Random bits below the given precision (log2 seconds, -32..32) taken from
 * random: XORed into a timestamp they hide where our clock really is below
 * its precision, and make timestamps unpredictable. (Inline, as the next
 * one: a server reply needs two of each.) */
static inline ntptime_ts64 ntptime_fuzz(int precision, uint64_t random)
{
    if (precision < -32)
        precision = -32;
    if (precision > 32)
        precision = 32;
    int bits = 32 + precision;         /* fraction bits below the precision */
    uint64_t mask = bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    return ntptime_ts64_from_u64(random & mask);
}

/* struct timespec -> NTP timestamp, fraction rounded to nearest. A zero
 * timespec gives the zero ("unknown") timestamp, and fuzz (may be all zero)
 * is XORed into any other. */
static inline ntptime_ts64 ntptime_to_ts64(struct timespec ts, ntptime_ts64 fuzz)
{
    ntptime_ts64 t = { 0, 0 };
    if (ts.tv_nsec < 0 || ts.tv_nsec >= NTPTIME_NSEC_PER_SEC)
        ntptime_normalise(&ts);
    if (ts.tv_sec == 0 && ts.tv_nsec == 0)
        return t;
    /* Conversions of negative values to uint32_t are modular, which is
     * exactly the wrap of the NTP era. */
    t.hi = (uint32_t)((int64_t)ts.tv_sec + (int64_t)NTPTIME_JAN_1970);
    /* nsec < 1e9, so the rounded fraction stays below 2^32 */
    t.lo = (uint32_t)((((uint64_t)ts.tv_nsec << 32) + NTPTIME_NSEC_PER_SEC / 2) /
                      NTPTIME_NSEC_PER_SEC);
    t.hi ^= fuzz.hi;
    t.lo ^= fuzz.lo;
    return t;
}
/* NTP timestamp -> struct timespec in the 2^32 s window starting at
 * era_start (Unix seconds). The zero timestamp gives a zero timespec. */
struct timespec ntptime_from_ts64(ntptime_ts64 t, int64_t era_start);
/* Same, picking the era that puts the result nearest to ref (RFC 5905:
 * the window is ref - 2^31 .. ref + 2^31). */
struct timespec ntptime_from_ts64_near(ntptime_ts64 t, struct timespec ref);

/* A signed interval (not a date) in 32.32 fixed point, two's complement. */
ntptime_ts64 ntptime_double_to_ts64(double seconds);
double ntptime_ts64_to_double(ntptime_ts64 t);

/* ---- NTP short format (16.16 unsigned seconds) ---- */

/* Rounded up so that a delay or dispersion is never understated; negative
 * values give 0 and values past the range saturate at 0xffffffff. */
uint32_t ntptime_double_to_short(double seconds);
double ntptime_short_to_double(uint32_t v);

/* ---- log2 helpers (poll intervals, precision) ---- */

/* 2^l seconds; l is clamped to [-31, 31] as NTP fields never need more. */
double ntptime_log2_to_double(int l);
/* Nearest integer log2 of a positive value (0 -> -31 floor). */
int ntptime_double_to_log2(double x);

#endif
