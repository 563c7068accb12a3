/* ntptime: timespec arithmetic and NTP timestamp formats. */
#include "common/ntptime.h"

#include <math.h>

#define FRAC_PER_SEC 4294967296.0          /* 2^32: units of the NTP fraction */
#define SHORT_PER_SEC 65536.0              /* 2^16: units of the NTP short fraction */
#define SHORT_MAX_SECONDS (4294967295.0 / SHORT_PER_SEC)
#define LOG2_LIMIT 31                      /* |log2| range of poll/precision helpers */
#define HALF_ERA 2147483648LL              /* 2^31 s: distance to either era edge */
#define INTERVAL_MAX_SECONDS 2147483647.0  /* range of a signed 32.32 interval */
#define TIMESPEC_MAX_SECONDS 4.0e18          /* keeps double -> time_t defined */

void ntptime_normalise(struct timespec *ts)
{
    if (ts->tv_nsec >= NTPTIME_NSEC_PER_SEC || ts->tv_nsec <= -NTPTIME_NSEC_PER_SEC) {
        ts->tv_sec += ts->tv_nsec / NTPTIME_NSEC_PER_SEC;
        ts->tv_nsec %= NTPTIME_NSEC_PER_SEC;
    }
    if (ts->tv_nsec < 0) {
        ts->tv_sec--;
        ts->tv_nsec += NTPTIME_NSEC_PER_SEC;
    }
}

struct timespec ntptime_zero(void)
{
    struct timespec ts = { 0, 0 };
    return ts;
}

bool ntptime_is_zero(struct timespec ts)
{
    return ts.tv_sec == 0 && ts.tv_nsec == 0;
}

struct timespec ntptime_add(struct timespec a, struct timespec b)
{
    struct timespec r = { a.tv_sec + b.tv_sec, a.tv_nsec + b.tv_nsec };
    ntptime_normalise(&r);
    return r;
}

struct timespec ntptime_sub(struct timespec a, struct timespec b)
{
    struct timespec r = { a.tv_sec - b.tv_sec, a.tv_nsec - b.tv_nsec };
    ntptime_normalise(&r);
    return r;
}

double ntptime_diff(struct timespec a, struct timespec b)
{
    /* Subtract the parts separately to keep nanoseconds exact for large seconds. */
    return (double)(a.tv_sec - b.tv_sec) + (double)(a.tv_nsec - b.tv_nsec) / 1e9;
}

struct timespec ntptime_from_double(double seconds)
{
    if (!(seconds == seconds))
        seconds = 0.0;
    if (seconds > TIMESPEC_MAX_SECONDS)
        seconds = TIMESPEC_MAX_SECONDS;
    if (seconds < -TIMESPEC_MAX_SECONDS)
        seconds = -TIMESPEC_MAX_SECONDS;
    double whole = floor(seconds);
    struct timespec r;
    r.tv_sec = (time_t)whole;
    r.tv_nsec = (long)llround((seconds - whole) * 1e9);
    ntptime_normalise(&r);
    return r;
}

struct timespec ntptime_add_double(struct timespec ts, double seconds)
{
    return ntptime_add(ts, ntptime_from_double(seconds));
}

double ntptime_to_double(struct timespec ts)
{
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ntptime_compare(struct timespec a, struct timespec b)
{
    if (a.tv_sec != b.tv_sec)
        return a.tv_sec < b.tv_sec ? -1 : 1;
    if (a.tv_nsec != b.tv_nsec)
        return a.tv_nsec < b.tv_nsec ? -1 : 1;
    return 0;
}

int ntptime_ts64_compare(ntptime_ts64 a, ntptime_ts64 b)
{
    int64_t d = (int64_t)(ntptime_ts64_to_u64(a) - ntptime_ts64_to_u64(b));
    return d < 0 ? -1 : d > 0;
}

double ntptime_ts64_diff(ntptime_ts64 a, ntptime_ts64 b)
{
    return (double)(int32_t)(a.hi - b.hi) + ((double)a.lo - (double)b.lo) / FRAC_PER_SEC;
}

struct timespec ntptime_from_ts64(ntptime_ts64 t, int64_t era_start)
{
    struct timespec r = { 0, 0 };
    if (ntptime_ts64_is_zero(t))
        return r;
    uint32_t unix_mod = t.hi - (uint32_t)NTPTIME_JAN_1970;
    uint32_t offset = unix_mod - (uint32_t)era_start;
    r.tv_sec = (time_t)(era_start + offset);
    uint64_t nsec = ((uint64_t)t.lo * NTPTIME_NSEC_PER_SEC + ((uint64_t)1 << 31)) >> 32;
    r.tv_nsec = (long)nsec;
    ntptime_normalise(&r);      /* rounding can reach a whole second */
    return r;
}

struct timespec ntptime_from_ts64_near(ntptime_ts64 t, struct timespec ref)
{
    return ntptime_from_ts64(t, (int64_t)ref.tv_sec - HALF_ERA);
}

ntptime_ts64 ntptime_double_to_ts64(double seconds)
{
    if (!(seconds == seconds))
        seconds = 0.0;
    if (seconds > INTERVAL_MAX_SECONDS)
        seconds = INTERVAL_MAX_SECONDS;
    if (seconds < -INTERVAL_MAX_SECONDS)
        seconds = -INTERVAL_MAX_SECONDS;
    int64_t v = llround(seconds * FRAC_PER_SEC);
    return ntptime_ts64_from_u64((uint64_t)v);
}

double ntptime_ts64_to_double(ntptime_ts64 t)
{
    return (double)(int64_t)ntptime_ts64_to_u64(t) / FRAC_PER_SEC;
}

uint32_t ntptime_double_to_short(double seconds)
{
    if (!(seconds > 0.0))       /* also catches NaN */
        return 0;
    if (seconds >= SHORT_MAX_SECONDS)
        return 0xffffffffU;
    double x = seconds * SHORT_PER_SEC;
    uint32_t r = (uint32_t)x;
    if ((double)r < x)
        r++;
    return r;
}

double ntptime_short_to_double(uint32_t v)
{
    return v / SHORT_PER_SEC;
}

double ntptime_log2_to_double(int l)
{
    if (l > LOG2_LIMIT)
        l = LOG2_LIMIT;
    if (l < -LOG2_LIMIT)
        l = -LOG2_LIMIT;
    return ldexp(1.0, l);
}

int ntptime_double_to_log2(double x)
{
    if (!(x > 0.0))
        return -LOG2_LIMIT;
    double l = round(log2(x));
    if (l > LOG2_LIMIT)
        return LOG2_LIMIT;
    if (l < -LOG2_LIMIT)
        return -LOG2_LIMIT;
    return (int)l;
}
