/* clockprec: measuring the system clock's precision. See clockprec.h. */
#include "platform/clockprec.h"

#include <math.h>
#include <stdint.h>
#include <time.h>

#define NS_PER_S 1000000000LL
/* Give up waiting for steps after this many readings (a clock frozen by a
 * simulator); what was seen so far, or 1 s, is the answer then. */
#define MAX_READINGS 10000000L
#define MIN_LOG2 (-128)
#define MAX_LOG2 127

static int64_t read_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        return 0;
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

double clockprec_measure_s(void)
{
    int64_t best = NS_PER_S, prev = read_ns();
    int steps = 0;

    for (long i = 0; i < MAX_READINGS && steps < CLOCKPREC_STEPS; i++) {
        int64_t now = read_ns();
        int64_t d = now - prev;
        prev = now;
        if (d <= 0)
            continue;
        if (d < best)
            best = d;
        steps++;
    }
    return (double)best / NS_PER_S;
}

int clockprec_log2(double quantum_s)
{
    if (!(quantum_s > 0.0))
        return MIN_LOG2;
    double l = round(log2(quantum_s));
    if (l < MIN_LOG2)
        return MIN_LOG2;
    if (l > MAX_LOG2)
        return MAX_LOG2;
    return (int)l;
}
