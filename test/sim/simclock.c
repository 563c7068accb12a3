/* simclock: the oscillator and the kernel clock of the simulated host. See
 * simclock.h. The kernel part is the clock shim's model (vclock), so the
 * simulator and the LD_PRELOAD shim give a daemon the same kernel. */
#include "simclock.h"

#include <math.h>
#include <string.h>
#include <sys/timex.h>

#include "simrng.h"
#include "vclock.h"

#define NS_PER_S 1000000000LL
#define PPM 1e-6
/* CLOCK_MONOTONIC at the start: the machine booted a while ago. */
#define MONO_START_NS (1000LL * NS_PER_S)
/* One microsecond of tick (10000 us per 1/USER_HZ s) is 100 ppm. */
#define PPM_PER_TICK_US (1e6 / VCLOCK_TICK_NOMINAL_US)
#define FREQ_SCALE 65536.0          /* timex freq: ppm << 16 */
#define US_PER_S 1e6

static struct vclock kernel;
static int64_t epoch_ns;            /* true Unix ns at the start */
static int64_t now_ns;              /* true ns since the start */

/* the oscillator over the current true second */
static int64_t osc_seg_start_ns;    /* true ns, a whole second */
static long double osc_seg_tau_s;   /* oscillator seconds counted at its start */
static double osc_freq;             /* its frequency error (fraction) */
static double osc_wander;
static struct simrng wander_rng;

static int64_t steps_ns;            /* steps applied to CLOCK_REALTIME */
static int tai_start;               /* leap seconds show up as TAI changes */
static int64_t mono_origin_ns;      /* realtime - steps at the start */

static double freq_set_ppm;
static long tick_delta_us;          /* tick minus nominal in force */
static struct simclock_stats stats;

/* The hardware's count now, in the "true ns since 1970" vclock expects. */
static int64_t oscillator_ns(void)
{
    long double tau = osc_seg_tau_s +
                      (long double)(now_ns - osc_seg_start_ns) / 1e9L * (1.0L + osc_freq);
    return epoch_ns + (int64_t)llroundl(tau * 1e9L);
}

static int64_t real_ns(void)
{
    return vclock_read(&kernel, oscillator_ns());
}

static int64_t mono_ns(void)
{
    return real_ns() - steps_ns + (int64_t)(vclock_tai(&kernel) - tai_start) * NS_PER_S -
           mono_origin_ns + MONO_START_NS;
}

void simclock_init(const struct simclock_params *p)
{
    memset(&stats, 0, sizeof stats);
    epoch_ns = p->start_unix_s * NS_PER_S;
    now_ns = 0;
    osc_seg_start_ns = 0;
    osc_seg_tau_s = 0;
    osc_freq = p->freq_ppm * PPM;
    osc_wander = p->wander;
    simrng_init(&wander_rng, p->seed, SIMRNG_WANDER);
    /* the oscillator's error is applied here, not by vclock (natural 0) */
    vclock_init(&kernel, epoch_ns, (long double)p->offset_s, 0.0);
    steps_ns = 0;
    tai_start = vclock_tai(&kernel);
    mono_origin_ns = real_ns();
    freq_set_ppm = 0.0;
    tick_delta_us = 0;
}

void simclock_advance(int64_t t_ns)
{
    if (t_ns < now_ns)
        return;
    while (osc_seg_start_ns + NS_PER_S <= t_ns) {
        osc_seg_tau_s += 1.0L + osc_freq;
        osc_seg_start_ns += NS_PER_S;
        if (osc_wander > 0.0)
            osc_freq += osc_wander * simrng_normal(&wander_rng);
    }
    now_ns = t_ns;
}

int64_t simclock_true_ns(void)
{
    return now_ns;
}

static void ns_to_timespec(int64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / NS_PER_S);
    ts->tv_nsec = (long)(ns % NS_PER_S);
    if (ts->tv_nsec < 0) {
        ts->tv_sec--;
        ts->tv_nsec += NS_PER_S;
    }
}

void simclock_read_real(struct timespec *ts)
{
    ns_to_timespec(real_ns(), ts);
}

void simclock_read_true(struct timespec *ts)
{
    ns_to_timespec(epoch_ns + now_ns, ts);
}

void simclock_true_at(int64_t t_ns, struct timespec *ts)
{
    ns_to_timespec(epoch_ns + t_ns, ts);
}

double simclock_mono_s(void)
{
    return (double)mono_ns() / 1e9;
}

double simclock_offset_s(void)
{
    return (double)(real_ns() - (epoch_ns + now_ns)) / 1e9;
}

static long double rate_now(void)
{
    real_ns();      /* brings the kernel model up to now */
    return (1.0L + osc_freq) * kernel.seg.rate;
}

double simclock_rate_error(void)
{
    return (double)(rate_now() - 1.0L);
}

double simclock_oscillator_error(void)
{
    return osc_freq;
}

int64_t simclock_ns_until_mono(double mono_s)
{
    long double diff_s = (long double)mono_s - (long double)mono_ns() / 1e9L;
    long double ns = ceill(diff_s / rate_now() * 1e9L);
    return ns < 1.0L ? 1 : ns > (long double)INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)ns;
}

/* ---- the kernel's controls ---- */

static int adjtimex_now(struct timex *t)
{
    int err = 0;
    return vclock_adjtimex(&kernel, oscillator_ns(), mono_ns(), t, &err);
}

double simclock_max_freq_ppm(void)
{
    /* tick may move 10 % from nominal */
    return (VCLOCK_TICK_MAX_US - VCLOCK_TICK_NOMINAL_US) * PPM_PER_TICK_US;
}

double simclock_set_freq_ppm(double freq_ppm)
{
    double max = simclock_max_freq_ppm();
    if (isnan(freq_ppm))
        freq_ppm = 0.0;
    if (freq_ppm > max)
        freq_ppm = max;
    if (freq_ppm < -max)
        freq_ppm = -max;

    /* as an adjtimex driver does: the tick stays while the rest fits the
     * kernel's frequency range */
    long delta = tick_delta_us;
    if (fabs(freq_ppm - delta * PPM_PER_TICK_US) >= VCLOCK_MAXFREQ_PPM)
        delta = lround(freq_ppm / PPM_PER_TICK_US);
    long max_delta = VCLOCK_TICK_MAX_US - VCLOCK_TICK_NOMINAL_US;
    delta = delta > max_delta ? max_delta : delta < -max_delta ? -max_delta : delta;
    double rest = freq_ppm - delta * PPM_PER_TICK_US;
    if (rest > VCLOCK_MAXFREQ_PPM)
        rest = VCLOCK_MAXFREQ_PPM;
    if (rest < -VCLOCK_MAXFREQ_PPM)
        rest = -VCLOCK_MAXFREQ_PPM;

    struct timex t = { .modes = ADJ_TICK | ADJ_FREQUENCY, .tick = VCLOCK_TICK_NOMINAL_US + delta,
                       .freq = lround(rest * FREQ_SCALE) };
    adjtimex_now(&t);
    tick_delta_us = t.tick - VCLOCK_TICK_NOMINAL_US;
    freq_set_ppm = tick_delta_us * PPM_PER_TICK_US + t.freq / FREQ_SCALE;
    stats.freq_sets++;
    return freq_set_ppm;
}

double simclock_get_freq_ppm(void)
{
    return freq_set_ppm;
}

int simclock_step(double offset_s)
{
    int64_t delta = llround(offset_s * 1e9);
    int64_t sec = delta / NS_PER_S, nsec = delta % NS_PER_S;
    if (nsec < 0) {
        sec--;
        nsec += NS_PER_S;
    }
    struct timex t = { .modes = ADJ_SETOFFSET | ADJ_NANO };
    t.time.tv_sec = (time_t)sec;
    t.time.tv_usec = (suseconds_t)nsec;
    if (adjtimex_now(&t) < 0)
        return -1;
    steps_ns += delta;
    stats.steps++;
    stats.steps_total_s += offset_s;
    if (fabs(offset_s) > stats.max_abs_step_s)
        stats.max_abs_step_s = fabs(offset_s);
    return 0;
}

static int read_status(void)
{
    struct timex t = { .modes = 0 };
    adjtimex_now(&t);
    return t.status;
}

static long to_us(double s)
{
    double us = s * US_PER_S;
    return us > VCLOCK_PHASE_LIMIT_US ? VCLOCK_PHASE_LIMIT_US : us < 0 ? 0 : lround(us);
}

void simclock_set_status(bool synced, double est_error_s, double max_error_s)
{
    int status = read_status();
    status = synced ? status & ~STA_UNSYNC : status | STA_UNSYNC;
    struct timex t = { .modes = ADJ_STATUS | ADJ_ESTERROR | ADJ_MAXERROR, .status = status,
                       .esterror = to_us(est_error_s), .maxerror = to_us(max_error_s) };
    adjtimex_now(&t);
    stats.status_sets++;
    stats.synced = synced;
    stats.est_error_s = est_error_s;
    stats.max_error_s = max_error_s;
}

void simclock_set_leap(int leap)
{
    int status = read_status() & ~(STA_INS | STA_DEL);
    status |= leap == 1 ? STA_INS : leap == 2 ? STA_DEL : 0;
    struct timex t = { .modes = ADJ_STATUS, .status = status };
    adjtimex_now(&t);
    stats.leap_sets++;
    stats.leap = leap;
}

void simclock_get_stats(struct simclock_stats *out)
{
    *out = stats;
}
