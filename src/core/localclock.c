/* localclock: slewing offsets away through the frequency (see localclock.h).
 *
 * State of a slew, in the clock's own time ("sys": the raw clock, or the
 * virtual clock without control): at sys time `start` the offset still to
 * remove was `reg`; since then the clock has run `slew` (a fraction)
 * slower than the base frequency alone would make it, so at sys time t
 * the offset left is reg - slew * (t - start), and cooked time is sys time
 * minus that. Planning picks the extra frequency that removes reg in
 * corr_rate / |reg| seconds (at least LOCALCLOCK_MIN_SLEW_S, at most
 * maxslewrate), asks the driver for it, and computes from what the driver
 * really set when the register reaches zero: the next update. */
#include "core/localclock.h"

#include <math.h>
#include <string.h>

#include "common/mem.h"
#include "common/ntptime.h"

#define PPM 1.0e6

struct localclock {
    struct localclock_settings set;
    struct localclock_driver drv;
    double max_slew;           /* maxslewrate as a fraction */
    double base_freq_ppm;
    double total_freq_ppm;     /* what the driver has now */

    struct timespec start;     /* sys time the slew was last planned */
    double reg_s;              /* offset left at start (+: clock ahead) */
    double slew;               /* extra slowing now, fraction of sys time */
    double duration_s;         /* next update: start + duration */
    double corr_rate;

    /* virtual clock: sys = raw + v_off + v_rate * (raw - v_ref) */
    struct timespec v_ref;
    double v_off_s;
    double v_rate;
};

void localclock_default_settings(struct localclock_settings *set)
{
    memset(set, 0, sizeof *set);
    set->control = true;
    set->max_slew_rate_ppm = LOCALCLOCK_DEFAULT_MAX_SLEW_RATE_PPM;
    set->max_freq_ppm = 500.0;
    set->freq_change_delay_s = LOCALCLOCK_DEFAULT_FREQ_DELAY_S;
}

static double clamp(double x, double limit)
{
    if (!(x <= limit))
        return isnan(x) ? 0.0 : limit;
    return x < -limit ? -limit : x;
}

/* The clock's own reading (raw, or the virtual clock) at raw time. */
static struct timespec sys_time(const struct localclock *lc, const struct timespec *raw)
{
    if (lc->set.control)
        return *raw;
    double v = lc->v_off_s + lc->v_rate * ntptime_diff(*raw, lc->v_ref);
    return ntptime_add_double(*raw, v);
}

/* Virtual mode: move the anchor to raw (before the rate changes). */
static void anchor(struct localclock *lc, const struct timespec *raw)
{
    if (lc->set.control)
        return;
    lc->v_off_s += lc->v_rate * ntptime_diff(*raw, lc->v_ref);
    lc->v_ref = *raw;
}

static double offset_left(const struct localclock *lc, const struct timespec *sys)
{
    return lc->reg_s - lc->slew * ntptime_diff(*sys, lc->start);
}

/* Takes what the slew achieved since start, then plans the next one. */
static void replan(struct localclock *lc, const struct timespec *raw)
{
    struct timespec now = sys_time(lc, raw);
    lc->reg_s = offset_left(lc, &now);
    lc->start = now;

    double reg = lc->reg_s;
    bool idle = fabs(reg) < LOCALCLOCK_MIN_OFFSET_S;
    double want = idle ? LOCALCLOCK_MAX_SLEW_S
                       : fmax(lc->corr_rate / fabs(reg), LOCALCLOCK_MIN_SLEW_S);
    double extra = clamp(reg / want, lc->max_slew);
    double total = clamp(lc->base_freq_ppm + extra * (PPM - lc->base_freq_ppm),
                         lc->set.max_freq_ppm);

    anchor(lc, raw);
    total = lc->drv.set_frequency(lc->drv.ctx, total);
    lc->total_freq_ppm = total;
    if (!lc->set.control)
        lc->v_rate = (lc->set.raw_freq_ppm - total) / (PPM - lc->set.raw_freq_ppm);

    /* the driver may have rounded or clamped: measure the slew by what it set */
    double old = lc->slew;
    lc->slew = (total - lc->base_freq_ppm) / (PPM - total);

    double err = fabs(old - lc->slew) * lc->set.freq_change_delay_s *
                 (1.0 + lc->set.max_freq_ppm / PPM);
    if (err >= LOCALCLOCK_MIN_OFFSET_S && lc->drv.dispersion)
        lc->drv.dispersion(lc->drv.ctx, err);

    if (idle || reg * lc->slew <= 0.0)
        lc->duration_s = LOCALCLOCK_MAX_SLEW_S;
    else
        lc->duration_s = fmin(fmax(reg / lc->slew, LOCALCLOCK_MIN_SLEW_S), LOCALCLOCK_MAX_SLEW_S);
}

struct localclock *localclock_create(const struct localclock_settings *set,
                                     const struct localclock_driver *drv, double freq_ppm,
                                     const struct timespec *raw_now)
{
    struct localclock *lc = mem_calloc(1, sizeof *lc);
    lc->set = *set;
    if (!(lc->set.max_freq_ppm > 0.0))
        lc->set.max_freq_ppm = 500.0;
    lc->drv = *drv;
    lc->max_slew = fabs(set->max_slew_rate_ppm) / PPM;
    lc->base_freq_ppm = clamp(freq_ppm, lc->set.max_freq_ppm);
    lc->v_ref = *raw_now;
    lc->start = *raw_now;
    lc->duration_s = LOCALCLOCK_MAX_SLEW_S;
    replan(lc, raw_now);
    return lc;
}

void localclock_finish(struct localclock *lc, const struct timespec *raw_now)
{
    if (!lc)
        return;
    /* never leave a slew running: the clock would drift away */
    lc->drv.set_frequency(lc->drv.ctx, lc->base_freq_ppm);
    mem_free(lc);
}

double localclock_get_frequency(const struct localclock *lc)
{
    return lc->base_freq_ppm;
}

double localclock_set_frequency(struct localclock *lc, const struct timespec *raw_now,
                                double freq_ppm)
{
    lc->base_freq_ppm = clamp(freq_ppm, lc->set.max_freq_ppm);
    replan(lc, raw_now);
    return lc->base_freq_ppm;
}

void localclock_accumulate(struct localclock *lc, const struct timespec *raw_now,
                           double freq_ppm, double offset_s, double corr_rate)
{
    lc->base_freq_ppm = clamp(freq_ppm, lc->set.max_freq_ppm);
    if (isfinite(offset_s))
        lc->reg_s += offset_s;
    lc->corr_rate = isfinite(corr_rate) && corr_rate > 0.0 ? corr_rate : 0.0;
    replan(lc, raw_now);
}

bool localclock_step(struct localclock *lc, const struct timespec *raw_now, double offset_s)
{
    if (!isfinite(offset_s))
        return false;
    if (lc->set.control) {
        if (lc->drv.step(lc->drv.ctx, offset_s) != 0)
            return false;
    } else {
        anchor(lc, raw_now);
        lc->v_off_s -= offset_s;
    }
    /* the clock's readings moved back, the slew's start with them */
    lc->start = ntptime_add_double(lc->start, -offset_s);
    return true;
}

void localclock_unknown_step(struct localclock *lc, const struct timespec *raw_now)
{
    lc->start = sys_time(lc, raw_now);
    lc->reg_s = 0.0;
    replan(lc, raw_now);
}

void localclock_update(struct localclock *lc, const struct timespec *raw_now)
{
    replan(lc, raw_now);
}

double localclock_next_update(const struct localclock *lc, const struct timespec *raw_now)
{
    struct timespec now = sys_time(lc, raw_now);
    double left = lc->duration_s - ntptime_diff(now, lc->start);
    return left > 0.0 ? left : 0.0;
}

void localclock_cook(const struct localclock *lc, const struct timespec *raw,
                     struct timespec *cooked)
{
    struct timespec sys = sys_time(lc, raw);
    *cooked = ntptime_add_double(sys, -offset_left(lc, &sys));
}

double localclock_pending_correction(const struct localclock *lc, const struct timespec *raw)
{
    struct timespec sys = sys_time(lc, raw);
    return -offset_left(lc, &sys);
}

double localclock_remaining_offset(const struct localclock *lc, const struct timespec *raw)
{
    struct timespec sys = sys_time(lc, raw);
    return offset_left(lc, &sys);
}

double localclock_virtual_offset(const struct localclock *lc, const struct timespec *raw)
{
    if (lc->set.control)
        return 0.0;
    return lc->v_off_s + lc->v_rate * ntptime_diff(*raw, lc->v_ref);
}

double localclock_slew_rate(const struct localclock *lc)
{
    return lc->slew;
}
