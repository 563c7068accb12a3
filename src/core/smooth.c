/* smooth: the smoothing path and its stages. See smooth.h. */
#include "core/smooth.h"

#include <math.h>
#include <string.h>

#include "common/ntptime.h"

#define PPM 1.0e6

bool smooth_init(struct smooth *sm, double max_freq_ppm, double max_wander_ppm_s, bool leap_only)
{
    memset(sm, 0, sizeof *sm);
    /* also refuses NaN */
    if (!(max_freq_ppm > 0.0) || !(max_wander_ppm_s > 0.0))
        return false;
    sm->enabled = true;
    sm->locked = true;
    sm->leap_only = leap_only;
    sm->max_freq = max_freq_ppm / PPM;
    sm->max_wander = max_wander_ppm_s / PPM;
    return true;
}

bool smooth_enabled(const struct smooth *sm)
{
    return sm->enabled;
}

/* Where the path is at `now`: its offset, frequency and the wander of the
 * stage running then (0 before the first and after the last). */
static void follow_path(const struct smooth *sm, const struct timespec *now, double *offset,
                        double *freq, double *wander)
{
    double left = ntptime_diff(*now, sm->last_update);
    double o = sm->offset_s, f = sm->freq, w = 0.0;

    for (int i = 0; i < SMOOTH_STAGES && left > 0.0; i++) {
        double len = fmin(sm->stages[i].length_s, left);
        w = sm->stages[i].wander;
        /* the frequency moves linearly: remove its mean times the time */
        o -= len * (2.0 * f + w * len) / 2.0;
        f += w * len;
        left -= len;
    }
    if (left > 0.0) {
        /* past the last stage: whatever frequency is left just runs on */
        w = 0.0;
        o -= left * f;
    }
    *offset = o;
    *freq = f;
    if (wander)
        *wander = w;
}

/* Stage lengths bringing both the offset and the frequency to zero with
 * the wander at +-max_wander, then capped at max_freq. The branches are
 * chrony's (which direction wins a tie, when there is no first ramp), so
 * the served time follows the same path as chrony's. */
static void plan_stages(struct smooth *sm)
{
    const double w = sm->max_wander;
    /* with l1, l3 the lengths of the ramps and d the direction of the
     * first one: l3 = sqrt(d * offset / w + freq^2 / (2 w^2)) and
     * l1 = l3 - d * freq / w; both must be >= 0 */
    double by_offset = sm->offset_s / w;
    double by_freq = sm->freq * sm->freq / (2.0 * w * w);
    double ramp_up[2], ramp_down[2], miss[2];

    for (int i = 0; i < 2; i++) {
        int d = i == 0 ? -1 : 1;
        double sq = d * by_offset + by_freq;
        /* tiny offsets can make both directions slightly impossible through
         * rounding: take the one that misses less */
        miss[i] = 0.0;
        if (sq < 0.0) {
            miss[i] += -sq;
            sq = 0.0;
        }
        ramp_down[i] = sqrt(sq);
        ramp_up[i] = ramp_down[i] - d * sm->freq / w;
        if (ramp_up[i] < 0.0) {
            miss[i] += ramp_up[i] * ramp_up[i];
            ramp_up[i] = 0.0;
        }
    }
    int pick = miss[0] < miss[1] ? 0 : 1;
    int d = pick == 0 ? -1 : 1;
    double l1 = ramp_up[pick], l2 = 0.0, l3 = ramp_down[pick];

    /* how far the peak frequency would go past the limit */
    double over = d * sm->freq + l1 * w - sm->max_freq;
    if (over > 0.0) {
        double cut = over / w;
        double plateau_freq = sm->max_freq;
        if (cut > l1) {
            /* already beyond the limit: no first ramp, hold what we have */
            cut = l1;
            plateau_freq = d * sm->freq;
        }
        l2 = cut * (2.0 + over / plateau_freq);
        l1 -= cut;
        l3 -= cut;
    }

    sm->stages[0] = (struct smooth_stage){ .wander = d * w, .length_s = l1 };
    sm->stages[1] = (struct smooth_stage){ .wander = 0.0, .length_s = l2 };
    sm->stages[2] = (struct smooth_stage){ .wander = -d * w, .length_s = l3 };
}

/* A timestamp of ours after the clock changed at `when` (as srcstats moves
 * its samples). */
static void move_time(struct timespec *t, const struct timespec *when, double dfreq,
                      double doffset)
{
    *t = ntptime_add_double(*t, ntptime_diff(*when, *t) * dfreq - doffset);
}

static bool activate(struct smooth *sm, const struct timespec *now)
{
    if (!sm->enabled || !sm->locked)
        return false;
    sm->locked = false;
    sm->last_update = *now;
    return true;
}

/* Adds a correction to the path at `now`; while locked only checks
 * whether to activate. */
static bool add_correction(struct smooth *sm, const struct timespec *now, double doffset,
                           double dfreq, double skew)
{
    if (sm->locked) {
        if (skew / sm->max_wander < SMOOTH_UNLOCK_SKEW_WANDER_RATIO || sm->leap_only)
            return activate(sm, now);
        return false;
    }
    follow_path(sm, now, &sm->offset_s, &sm->freq, NULL);
    sm->offset_s += doffset;
    /* the served time's frequency relative to the new one of our clock */
    sm->freq = (sm->freq - dfreq) / (1.0 - dfreq);
    sm->last_update = *now;
    plan_stages(sm);
    return false;
}

double smooth_get_offset(const struct smooth *sm, const struct timespec *now)
{
    double offset, freq;
    if (!sm->enabled)
        return 0.0;
    follow_path(sm, now, &offset, &freq, NULL);
    return offset;
}

bool smooth_clock_adjusted(struct smooth *sm, const struct timespec *when, double dfreq,
                           double doffset, double skew)
{
    if (!sm->enabled)
        return false;
    bool activated = sm->leap_only ? add_correction(sm, when, 0.0, 0.0, skew)
                                   : add_correction(sm, when, doffset, dfreq, skew);
    if (!ntptime_is_zero(sm->last_update))
        move_time(&sm->last_update, when, dfreq, doffset);
    return activated;
}

void smooth_clock_stepped(struct smooth *sm, const struct timespec *when, double offset_s)
{
    if (!sm->enabled)
        return;
    smooth_reset(sm, when);
    move_time(&sm->last_update, when, 0.0, offset_s);
}

bool smooth_leap(struct smooth *sm, const struct timespec *when, int leap, double skew)
{
    if (!sm->enabled)
        return false;
    /* without leaponly the leap second is smoothed as the correction it is */
    bool activated = sm->leap_only ? add_correction(sm, when, leap, 0.0, skew) : false;
    /* chrony then tells its clock's followers of the leap second as of a
     * step of -leap, which moves the time of the last update along (and
     * costs the path a second of progress without leaponly) */
    if (!ntptime_is_zero(sm->last_update))
        move_time(&sm->last_update, when, 0.0, -leap);
    return activated;
}

void smooth_reset(struct smooth *sm, const struct timespec *now)
{
    if (!sm->enabled)
        return;
    sm->offset_s = 0.0;
    sm->freq = 0.0;
    sm->last_update = *now;
    memset(sm->stages, 0, sizeof sm->stages);
}

bool smooth_activate(struct smooth *sm, const struct timespec *now)
{
    return activate(sm, now);
}

bool smooth_get_report(const struct smooth *sm, const struct timespec *now,
                       struct smooth_report *out)
{
    memset(out, 0, sizeof *out);
    if (!sm->enabled)
        return false;
    out->active = !sm->locked;
    out->leap_only = sm->leap_only;
    double freq, wander;
    follow_path(sm, now, &out->offset_s, &freq, &wander);
    /* the path's frequency removes offset; the served time runs the other
     * way (positive: faster) */
    out->freq_ppm = -freq * PPM;
    out->wander_ppm = -wander * PPM;

    double ago = ntptime_diff(*now, sm->last_update);
    if (!sm->locked && ago >= 0.0) {
        double total = 0.0;
        for (int i = 0; i < SMOOTH_STAGES; i++)
            total += sm->stages[i].length_s;
        out->last_update_ago_s = ago;
        out->remaining_time_s = ago < total ? total - ago : 0.0;
    }
    return true;
}
