/* sysclock: the system clock's primitives (see sysclock.h).
 *
 * Linux driver. The kernel's clock rate is set by two adjtimex() variables:
 * `tick` (microseconds added per 1/USER_HZ s; one microsecond of tick is
 * USER_HZ ppm) and `freq` (ppm scaled by 2^16, at most +-500 ppm). A rate is
 * split into a whole number of tick units and a remainder within the freq
 * range; the tick is kept while the remainder still fits, so small changes
 * never touch it. The kernel's own PLL and adjtime() offset are switched
 * off at start: every correction is made through the frequency (how, is
 * decided above this layer). Steps use ADJ_SETOFFSET, or clock_settime()
 * where the kernel lacks it.
 *
 * Null driver (-x): reads the clock and the kernel's frequency, remembers
 * what it is told, and never makes a modifying call. */
#include "platform/sysclock.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "common/log.h"

/* adjtimex() freq units per ppm. */
#define FREQ_SCALE 65536.0
/* Largest |freq| the kernel accepts, in ppm. */
#define KERNEL_MAX_FREQ_PPM 500.0
/* The kernel bounds tick to +-10% of nominal. */
#define TICK_BIAS_DIVISOR 10
/* Kernel limit of esterror/maxerror; above it the clock is unsynchronised. */
#define MAX_SYNC_ERROR_S 16.0
#define US_PER_S 1.0e6
#define NS_PER_S 1000000000L
#define DEFAULT_USER_HZ 100

struct driver {
    bool control;
    int hz;                    /* USER_HZ */
    long nominal_tick;         /* us */
    long max_tick_bias;        /* us */
    long delta_tick;           /* tick - nominal_tick in force */
    double freq_ppm;           /* last rate set (or read), kernel convention */
    int status;                /* STA_* bits we maintain */
    bool have_setoffset;
};

static struct driver drv;

/* adjtimex() with the error reported as chrony does; returns its result. */
static int adjust(struct timex *txc)
{
    int r = adjtimex(txc);
    if (r < 0)
        LOG_ERR("adjtimex(0x%x) failed : %s", (unsigned)txc->modes, strerror(errno));
    return r;
}

static double rate_of(long delta_tick, double timex_freq)
{
    return (double)drv.hz * (double)delta_tick + timex_freq / FREQ_SCALE;
}

/* Reads tick and freq; false if the kernel refused. */
static bool read_kernel(void)
{
    struct timex txc;
    memset(&txc, 0, sizeof txc);
    txc.modes = 0;
    if (adjust(&txc) < 0)
        return false;
    drv.delta_tick = txc.tick - drv.nominal_tick;
    drv.freq_ppm = rate_of(drv.delta_tick, (double)txc.freq);
    return true;
}

static void init_hz(void)
{
    long hz = sysconf(_SC_CLK_TCK);
    drv.hz = hz > 0 ? (int)hz : DEFAULT_USER_HZ;
    drv.nominal_tick = (1000000L + drv.hz / 2) / drv.hz;
    drv.max_tick_bias = drv.nominal_tick / TICK_BIAS_DIVISOR;
}

int sysclock_init(bool control)
{
    memset(&drv, 0, sizeof drv);
    init_hz();
    drv.control = control;
    drv.status = STA_UNSYNC;
    drv.have_setoffset = true;

    if (!control) {
        /* reading is harmless; without it the frequency is taken as 0 */
        if (!read_kernel())
            drv.freq_ppm = 0.0;
        return 0;
    }

    struct timex txc;
    /* cancel an adjtime() offset left by someone else */
    memset(&txc, 0, sizeof txc);
    txc.modes = ADJ_OFFSET_SINGLESHOT;
    txc.offset = 0;
    if (adjust(&txc) < 0)
        return -1;

    /* drop the PLL's pending offset, then switch the PLL off */
    memset(&txc, 0, sizeof txc);
    txc.modes = ADJ_OFFSET | ADJ_STATUS;
    txc.status = STA_PLL | drv.status;
    txc.offset = 0;
    if (adjust(&txc) < 0)
        return -1;
    memset(&txc, 0, sizeof txc);
    txc.modes = ADJ_STATUS;
    txc.status = drv.status;
    if (adjust(&txc) < 0)
        return -1;

    return read_kernel() ? 0 : -1;
}

void sysclock_finish(void)
{
    /* the frequency stays as last set: it is the best estimate there is */
}

bool sysclock_controls_clock(void)
{
    return drv.control;
}

void sysclock_read_raw(struct timespec *ts)
{
    if (clock_gettime(CLOCK_REALTIME, ts) < 0)
        LOG_FATAL("clock_gettime() failed : %s", strerror(errno));
}

double sysclock_max_frequency_ppm(void)
{
    return US_PER_S * (double)drv.max_tick_bias / (double)drv.nominal_tick;
}

double sysclock_get_frequency_ppm(void)
{
    return drv.freq_ppm;
}

double sysclock_set_frequency_ppm(double freq_ppm)
{
    double max = sysclock_max_frequency_ppm();
    if (!(freq_ppm <= max))
        freq_ppm = isnan(freq_ppm) ? 0.0 : max;
    if (freq_ppm < -max)
        freq_ppm = -max;

    if (!drv.control) {
        drv.freq_ppm = freq_ppm;
        return freq_ppm;
    }

    /* keep the tick while the rest fits the kernel's frequency range */
    long delta = drv.delta_tick;
    if (fabs(freq_ppm - (double)drv.hz * (double)delta) >= KERNEL_MAX_FREQ_PPM)
        delta = lround(freq_ppm / drv.hz);
    if (delta > drv.max_tick_bias)
        delta = drv.max_tick_bias;
    if (delta < -drv.max_tick_bias)
        delta = -drv.max_tick_bias;
    double rest = freq_ppm - (double)drv.hz * (double)delta;
    if (rest > KERNEL_MAX_FREQ_PPM)
        rest = KERNEL_MAX_FREQ_PPM;
    if (rest < -KERNEL_MAX_FREQ_PPM)
        rest = -KERNEL_MAX_FREQ_PPM;

    struct timex txc;
    memset(&txc, 0, sizeof txc);
    txc.modes = ADJ_TICK | ADJ_FREQUENCY;
    txc.tick = drv.nominal_tick + delta;
    txc.freq = lround(rest * FREQ_SCALE);
    if (adjust(&txc) < 0)
        LOG_FATAL("Could not set the frequency of the system clock");
    drv.delta_tick = txc.tick - drv.nominal_tick;
    drv.freq_ppm = rate_of(drv.delta_tick, (double)txc.freq);
    return drv.freq_ppm;
}

static int step_settime(double offset_s)
{
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) < 0)
        return -1;
    double whole = floor(offset_s);
    long ns = lround((offset_s - whole) * NS_PER_S);
    now.tv_sec += (time_t)whole;
    now.tv_nsec += ns;
    while (now.tv_nsec >= NS_PER_S) {
        now.tv_nsec -= NS_PER_S;
        now.tv_sec++;
    }
    return clock_settime(CLOCK_REALTIME, &now);
}

int sysclock_step(double offset_s)
{
    if (!drv.control)
        return 0;
    if (!isfinite(offset_s))
        return -1;

    if (drv.have_setoffset) {
        struct timex txc;
        memset(&txc, 0, sizeof txc);
        txc.modes = ADJ_SETOFFSET | ADJ_NANO;
        double whole = floor(offset_s);
        long ns = lround((offset_s - whole) * NS_PER_S);
        if (ns >= NS_PER_S) {
            ns -= NS_PER_S;
            whole += 1.0;
        }
        txc.time.tv_sec = (time_t)whole;
        txc.time.tv_usec = ns;      /* nanoseconds with ADJ_NANO */
        if (adjtimex(&txc) >= 0)
            return 0;
        if (errno != EINVAL && errno != EOPNOTSUPP) {
            LOG_ERR("adjtimex(0x%x) failed : %s", (unsigned)txc.modes, strerror(errno));
            return -1;
        }
        /* an old kernel: step with clock_settime() from now on */
        drv.have_setoffset = false;
    }
    if (step_settime(offset_s) < 0) {
        LOG_ERR("clock_settime() failed : %s", strerror(errno));
        return -1;
    }
    return 0;
}

void sysclock_set_sync_status(bool synced, double est_error_s, double max_error_s)
{
    if (!drv.control)
        return;
    if (synced) {
        if (est_error_s > MAX_SYNC_ERROR_S)
            est_error_s = MAX_SYNC_ERROR_S;
        if (max_error_s >= MAX_SYNC_ERROR_S) {
            max_error_s = MAX_SYNC_ERROR_S;
            synced = false;
        }
    } else {
        est_error_s = max_error_s = MAX_SYNC_ERROR_S;
    }
    if (est_error_s < 0.0)
        est_error_s = 0.0;
    if (max_error_s < 0.0)
        max_error_s = 0.0;

    if (synced)
        drv.status &= ~STA_UNSYNC;
    else
        drv.status |= STA_UNSYNC;

    struct timex txc;
    memset(&txc, 0, sizeof txc);
    txc.modes = ADJ_STATUS | ADJ_ESTERROR | ADJ_MAXERROR;
    txc.status = drv.status;
    txc.esterror = lround(est_error_s * US_PER_S);
    txc.maxerror = lround(max_error_s * US_PER_S);
    adjust(&txc);
}

void sysclock_set_leap(enum sysclock_leap leap)
{
    if (!drv.control)
        return;
    drv.status &= ~(STA_INS | STA_DEL);
    if (leap == SYSCLOCK_LEAP_INSERT)
        drv.status |= STA_INS;
    else if (leap == SYSCLOCK_LEAP_DELETE)
        drv.status |= STA_DEL;

    struct timex txc;
    memset(&txc, 0, sizeof txc);
    txc.modes = ADJ_STATUS;
    txc.status = drv.status;
    adjust(&txc);
}
