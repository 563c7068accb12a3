/* tracking: clock discipline decisions and the reference state (see tracking.h). */
#include "core/tracking.h"

#include <math.h>
#include <string.h>

#include "common/mem.h"
#include "common/ntptime.h"
#include "ntp_wire.h"

#define PPM 1.0e6
/* Smallest skew kept (fraction). */
#define MIN_SKEW 1.0e-12
/* The measured frequency gets weight 3 sigma^2 / (3 sigma^2 + skew^2): the
 * skew is a 99.9% bound while our own uncertainty is treated as about a
 * standard deviation. */
#define FREQ_GAIN_FACTOR 3.0
/* The RMS offset follows new squares with this weight once offsets stop
 * shrinking (a quick start, then a moving average of ~10 updates). */
#define RMS_AVERAGE_WEIGHT 0.1
/* chrony's manual reference ID, "MANU". */
#define REFID_MANUAL 0x4D414E55U
/* Fallback drifts: updates further apart than this factor times the
 * previous interval (a gap) do not feed the averages. */
#define FALLBACK_MAX_INTERVAL_RATIO 4.0
#define FALLBACK_MIN_INTERVAL_S 1.0
#define MAX_FALLBACK_DRIFTS 31
/* The reference time we disclose is moved back by up to this (privacy: it
 * must not help guess our receive timestamps). */
#define REF_TIME_FUZZ_S 1.0
#define TWO_POW_64 18446744073709551616.0
/* Unsynchronised root delay and dispersion reported (chrony). */
#define UNSYNC_ROOT_S 1.0

struct fallback {
    double freq_ppm;
    double secs;               /* update time accumulated into it */
};

struct tracking {
    struct tracking_settings set;
    enum tracking_mode mode;

    double freq_ppm;           /* the clock's absolute frequency */
    double skew;               /* of our frequency (fraction) */
    double residual_freq;

    bool synchronised;
    int stratum;
    int leap;
    uint32_t refid;
    int n_combined;
    struct timespec ref_time;
    struct timespec update_time;   /* cooked time of the last update */
    double root_delay_s, root_dispersion_s;
    double offset_sd_s, frequency_sd;

    bool have_update;
    double last_update_mono;
    double last_update_interval_s;
    double last_offset_s;
    double avg2_offset;
    bool avg2_moving;

    int makestep_left;
    int maxchange_delay_left;
    int maxchange_ignore_left;
    double drift_age_s;

    struct fallback fb[MAX_FALLBACK_DRIFTS];
    int n_fb;
    int next_fb;               /* log2 s of the fallback next due; 0 none */
    double fb_timer_mono;      /* INFINITY: none */
    double unsync_since_mono;
};

void tracking_default_settings(struct tracking_settings *set)
{
    memset(set, 0, sizeof *set);
    set->makestep_limit = 0;
    set->maxchange_delay = -1;
    set->max_update_skew_ppm = TRACKING_DEFAULT_MAX_UPDATE_SKEW_PPM;
    set->max_clock_error_ppm = TRACKING_DEFAULT_MAX_CLOCK_ERROR_PPM;
    set->corr_time_ratio = TRACKING_DEFAULT_CORR_TIME_RATIO;
    set->max_drift_ppm = TRACKING_DEFAULT_MAX_DRIFT_PPM;
    set->drift_interval_s = TRACKING_DEFAULT_DRIFT_INTERVAL_S;
    set->mode = TRACKING_NORMAL;
}

struct tracking *tracking_create(const struct tracking_settings *set, double freq_ppm,
                                 double skew_ppm, double now_mono)
{
    struct tracking *tr = mem_calloc(1, sizeof *tr);
    tr->set = *set;
    tr->mode = set->mode;
    tr->freq_ppm = fmax(-set->max_drift_ppm, fmin(freq_ppm, set->max_drift_ppm));
    tr->skew = skew_ppm > 0.0 ? fmax(MIN_SKEW, skew_ppm / PPM) : TRACKING_UNKNOWN_SKEW_PPM / PPM;
    tr->leap = NTP_LEAP_UNSYNC;
    tr->refid = NTP_REFID_UNSYNC;
    tr->root_delay_s = UNSYNC_ROOT_S;
    tr->root_dispersion_s = UNSYNC_ROOT_S;
    tr->makestep_left = set->makestep_limit;
    tr->maxchange_delay_left = set->maxchange_delay;
    tr->maxchange_ignore_left = set->maxchange_ignore;
    tr->last_update_mono = now_mono;
    tr->unsync_since_mono = now_mono;
    tr->fb_timer_mono = INFINITY;
    if (set->fallback_drift_min > 0 && set->fallback_drift_max >= set->fallback_drift_min) {
        int n = set->fallback_drift_max - set->fallback_drift_min + 1;
        tr->n_fb = n > MAX_FALLBACK_DRIFTS ? MAX_FALLBACK_DRIFTS : n;
    }
    return tr;
}

void tracking_destroy(struct tracking *tr)
{
    mem_free(tr);
}

double tracking_get_frequency(const struct tracking *tr)
{
    return tr->freq_ppm;
}

bool tracking_is_synchronised(const struct tracking *tr)
{
    return tr->synchronised;
}

double tracking_get_skew_ppm(const struct tracking *tr)
{
    return tr->skew * PPM;
}

/* ---- helpers ---- */

static double adjust_time(struct timespec *ts, const struct timespec *when, double dfreq,
                          double doffset)
{
    if (ntptime_is_zero(*ts))
        return 0.0;
    double delta = ntptime_diff(*when, *ts) * dfreq - doffset;
    *ts = ntptime_add_double(*ts, delta);
    return delta;
}

void tracking_clock_adjusted(struct tracking *tr, const struct timespec *when, double dfreq,
                             double doffset)
{
    adjust_time(&tr->ref_time, when, dfreq, doffset);
    adjust_time(&tr->update_time, when, dfreq, doffset);
}

void tracking_set_leap_status(struct tracking *tr, int leap)
{
    if (tr->synchronised)
        tr->leap = leap;
}

/* Sets the absolute frequency (clamped to maxdrift); returns the relative
 * change (positive: the clock was slowed down). */
static double set_frequency(struct tracking *tr, double freq_ppm)
{
    double old = tr->freq_ppm;
    tr->freq_ppm = fmax(-tr->set.max_drift_ppm, fmin(freq_ppm, tr->set.max_drift_ppm));
    return (tr->freq_ppm - old) / (PPM - old);
}

static double max_clock_error(const struct tracking *tr)
{
    return tr->set.max_clock_error_ppm / PPM;
}

static double dispersion_rate(const struct tracking *tr)
{
    return tr->skew + fabs(tr->residual_freq) + max_clock_error(tr);
}

static double root_dispersion_at(const struct tracking *tr, const struct timespec *now)
{
    if (ntptime_is_zero(tr->ref_time))
        return UNSYNC_ROOT_S;
    return tr->root_dispersion_s + fabs(ntptime_diff(*now, tr->ref_time)) * dispersion_rate(tr);
}

/* Blend the measured frequency (relative to the clock as it runs now, so
 * "expected" is 0) with our current knowledge, by their uncertainties. */
static void clock_estimates(const struct tracking *tr, bool manual, double measured_freq,
                            double measured_skew, double *freq, double *skew, double *residual)
{
    double expected_skew = tr->skew;
    double gain;
    if (manual)
        gain = 1.0;
    else if (fabs(measured_skew) > tr->set.max_update_skew_ppm / PPM &&
             fabs(measured_skew) >= expected_skew)
        gain = 0.0;    /* too unreliable to track, and no better than ours */
    else
        gain = FREQ_GAIN_FACTOR * expected_skew * expected_skew /
               (FREQ_GAIN_FACTOR * expected_skew * expected_skew + measured_skew * measured_skew);
    gain = fmax(0.0, fmin(gain, 1.0));

    *freq = gain * measured_freq;
    *residual = measured_freq - *freq;
    double extra = sqrt((*freq) * (*freq) * (1.0 - gain) +
                        (measured_freq - *freq) * (measured_freq - *freq) * gain);
    *skew = expected_skew + gain * (measured_skew - expected_skew) + extra;
}

/* maxchange: false when the offset is to be ignored. */
static bool offset_ok(struct tracking *tr, double offset, struct tracking_action *act)
{
    if (tr->maxchange_delay_left < 0)
        return true;
    if (tr->maxchange_delay_left > 0) {
        tr->maxchange_delay_left--;
        return true;
    }
    if (fabs(offset) <= tr->set.maxchange_offset_s)
        return true;
    act->offset_ignored = true;
    if (tr->maxchange_ignore_left == 0)
        act->exit = true;
    else if (tr->maxchange_ignore_left > 0)
        tr->maxchange_ignore_left--;
    return false;
}

/* makestep: counts the update against the limit and says whether to step. */
static bool step_due(struct tracking *tr, double offset, double pending)
{
    if (tr->makestep_left == 0)
        return false;
    if (tr->makestep_left > 0)
        tr->makestep_left--;
    /* the pending correction was decided already: it is cancelled and the
     * whole remaining error stepped */
    return fabs(offset - pending) > tr->set.makestep_threshold_s;
}

/* chrony's correction rate: an offset of the size of the estimates'
 * standard deviation is slewed in corrtimeratio update intervals. */
static double correction_rate(const struct tracking *tr, double offset_sd, double interval)
{
    return tr->set.corr_time_ratio * 0.5 * offset_sd * interval;
}

/* ---- fallback drifts ---- */

static void update_fallbacks(struct tracking *tr, double interval, double prev_interval)
{
    tr->next_fb = 0;
    tr->fb_timer_mono = INFINITY;
    if (interval < FALLBACK_MIN_INTERVAL_S ||
        (prev_interval > 0.0 && interval > FALLBACK_MAX_INTERVAL_RATIO * prev_interval))
        return;
    for (int i = 0; i < tr->n_fb; i++) {
        double secs = ldexp(1.0, i + tr->set.fallback_drift_min);
        struct fallback *f = &tr->fb[i];
        if (f->secs < secs) {
            /* a plain average over the first 2 * secs */
            f->freq_ppm = (f->freq_ppm * f->secs + interval * 0.5 * tr->freq_ppm) /
                          (interval * 0.5 + f->secs);
            f->secs += interval * 0.5;
        } else {
            /* then an exponential moving average with time constant secs */
            f->freq_ppm += (1.0 - exp(-interval / secs)) * (tr->freq_ppm - f->freq_ppm);
        }
    }
}

static void apply_frequency(struct tracking *tr, double freq_ppm, struct tracking_action *act)
{
    act->adjust = true;
    act->dfreq = set_frequency(tr, freq_ppm);
    act->freq_ppm = tr->freq_ppm;
    act->slew_offset_s = 0.0;
    act->step_offset_s = 0.0;
}

double tracking_fallback(struct tracking *tr, double now_mono, struct tracking_action *act)
{
    memset(act, 0, sizeof *act);
    if (tr->n_fb == 0 || tr->mode != TRACKING_NORMAL)
        return INFINITY;
    double old_freq = tr->freq_ppm;

    int min = tr->set.fallback_drift_min;
    if (tr->fb_timer_mono <= now_mono && tr->next_fb >= min) {
        /* no update for 2^next_fb seconds: its fallback takes over, and
         * the clock is no longer synchronised */
        apply_frequency(tr, tr->fb[tr->next_fb - min].freq_ppm, act);
        act->unsynchronise = true;
        tr->fb_timer_mono = INFINITY;
    }
    if (tr->fb_timer_mono < INFINITY)
        return tr->fb_timer_mono;

    /* the longest fallback whose interval has passed since the last update
     * is set now (once), the next one is due when its interval passes */
    double unsync = now_mono - tr->last_update_mono;
    int chosen = 0, i;
    double secs = 0.0;
    for (i = min; i < min + tr->n_fb; i++) {
        secs = ldexp(1.0, i);
        if (tr->fb[i - min].secs < secs)
            continue;
        if (unsync < secs && i > tr->next_fb)
            break;
        chosen = i;
    }
    if (chosen > tr->next_fb) {
        apply_frequency(tr, tr->fb[chosen - min].freq_ppm, act);
        tr->next_fb = chosen;
    }
    if (i < min + tr->n_fb) {
        tr->next_fb = i;
        tr->fb_timer_mono = now_mono + secs - unsync;
    }
    /* a late timer may have set two fallbacks: the change from the start */
    if (act->adjust)
        act->dfreq = (tr->freq_ppm - old_freq) / (PPM - old_freq);
    return tr->fb_timer_mono;
}

/* ---- updates ---- */

static void end_mode(struct tracking *tr, bool ok, struct tracking_action *act)
{
    act->mode_ended = true;
    act->mode_ok = ok;
    if (tr->mode == TRACKING_INIT_STEP_SLEW)
        tr->mode = TRACKING_NORMAL;
    else
        act->exit = true;
}

static void special_mode(struct tracking *tr, double offset, const struct tracking_clock *clock,
                         struct tracking_action *act)
{
    act->offset_s = offset;
    switch (tr->mode) {
    case TRACKING_INIT_STEP_SLEW:
        act->adjust = true;
        act->freq_ppm = tr->freq_ppm;
        if (fabs(offset) >= tr->set.init_step_threshold_s)
            act->step_offset_s = offset;
        else
            act->slew_offset_s = offset;
        break;
    case TRACKING_UPDATE_ONCE:
        act->adjust = true;
        act->freq_ppm = tr->freq_ppm;
        act->step_offset_s = offset;
        break;
    default:
        break;
    }
    if (act->adjust)
        tracking_clock_adjusted(tr, &clock->now, 0.0, offset);
    end_mode(tr, true, act);
}

static void set_reference(struct tracking *tr, const struct select_reference *ref, bool manual,
                          const struct tracking_clock *clock, struct tracking_action *act)
{
    memset(act, 0, sizeof *act);

    /* the estimates carried from their epoch to now */
    double offset = ref->offset_s + ntptime_diff(clock->now, ref->ref_time) * ref->frequency;

    if (tr->mode != TRACKING_NORMAL) {
        special_mode(tr, offset, clock, act);
        return;
    }

    double interval = tr->have_update ? clock->now_mono - tr->last_update_mono : 0.0;
    double prev_interval = tr->last_update_interval_s;

    double freq, skew, residual;
    clock_estimates(tr, manual, ref->frequency, ref->skew, &freq, &skew, &residual);

    act->offset_s = offset;
    if (!offset_ok(tr, offset, act))
        return;

    tr->synchronised = ref->leap != NTP_LEAP_UNSYNC;
    tr->stratum = ref->stratum + 1;
    tr->refid = ref->refid;
    tr->n_combined = ref->n_combined;
    tr->ref_time = ref->ref_time;
    tr->update_time = clock->now;
    tr->skew = fmax(MIN_SKEW, skew);
    tr->residual_freq = residual;
    tr->root_delay_s = ref->root_delay_s;
    tr->root_dispersion_s = ref->root_dispersion_s;
    tr->frequency_sd = ref->frequency_sd;
    tr->offset_sd_s = ref->offset_sd_s;
    tr->have_update = true;
    tr->last_update_mono = clock->now_mono;
    tr->last_update_interval_s = interval;
    tr->last_offset_s = offset;
    /* as voted; the daemon's leap second logic (core/leapsec) then sets
     * what is announced with tracking_set_leap_status() */
    tr->leap = ref->leap;

    double slew, step;
    if (step_due(tr, offset, clock->pending_correction_s)) {
        slew = clock->pending_correction_s;
        step = offset - clock->pending_correction_s;
    } else {
        slew = offset;
        step = 0.0;
    }

    act->adjust = true;
    act->dfreq = set_frequency(tr, tr->freq_ppm + freq * (PPM - tr->freq_ppm));
    act->freq_ppm = tr->freq_ppm;
    act->slew_offset_s = slew;
    act->step_offset_s = step;
    act->corr_rate = correction_rate(tr, ref->offset_sd_s, interval);

    /* our own change moves the reference time like every other timestamp */
    tracking_clock_adjusted(tr, &clock->now, act->dfreq, slew + step);
    tr->update_time = clock->now;
    if (clock->random)
        tr->ref_time = ntptime_add_double(tr->ref_time,
                                          -REF_TIME_FUZZ_S * ((double)clock->random / TWO_POW_64));

    if (tr->set.have_drift_file) {
        tr->drift_age_s += interval;
        if (tr->drift_age_s >= tr->set.drift_interval_s) {
            act->write_drift = true;
            act->drift_freq_ppm = tr->freq_ppm;
            act->drift_skew_ppm = tr->skew * PPM;
            tr->drift_age_s = 0.0;
        }
    }

    if (tr->synchronised && tr->n_fb > 0)
        update_fallbacks(tr, interval, prev_interval);

    if (tr->avg2_moving) {
        tr->avg2_offset += RMS_AVERAGE_WEIGHT * (offset * offset - tr->avg2_offset);
    } else {
        if (tr->avg2_offset > 0.0 && tr->avg2_offset < offset * offset)
            tr->avg2_moving = true;
        tr->avg2_offset = offset * offset;
    }
}

void tracking_update(struct tracking *tr, const struct select_reference *ref,
                     const struct tracking_clock *clock, struct tracking_action *act)
{
    set_reference(tr, ref, false, clock, act);
}

void tracking_update_manual(struct tracking *tr, const struct timespec *ref_time,
                            double offset_s, double frequency, double skew,
                            const struct tracking_clock *clock, struct tracking_action *act)
{
    struct select_reference ref;
    memset(&ref, 0, sizeof ref);
    ref.stratum = 0;
    ref.leap = NTP_LEAP_UNSYNC;
    ref.refid = REFID_MANUAL;
    ref.n_combined = 1;
    ref.ref_time = *ref_time;
    ref.offset_s = offset_s;
    ref.frequency = frequency;
    ref.frequency_sd = skew;
    ref.skew = skew;
    set_reference(tr, &ref, true, clock, act);
}

void tracking_set_unsynchronised(struct tracking *tr, double now_mono,
                                 struct tracking_action *act)
{
    if (act)
        memset(act, 0, sizeof *act);
    if (tr->mode != TRACKING_NORMAL) {
        if (act)
            end_mode(tr, false, act);
        return;
    }
    if (tr->synchronised)
        tr->unsync_since_mono = now_mono;
    tr->synchronised = false;
    tr->leap = NTP_LEAP_UNSYNC;
    tr->stratum = 0;
    tr->refid = NTP_REFID_UNSYNC;
}

bool tracking_get_server_state(const struct tracking *tr, struct ntp_server_state *st,
                               double *dispersion_rate_out)
{
    memset(st, 0, sizeof *st);
    *dispersion_rate_out = 0.0;
    if (!tr->synchronised)
        return false;
    st->leap = tr->leap;
    st->stratum = tr->stratum;
    st->refid = tr->refid;
    st->ref_time = tr->ref_time;
    st->root_delay_s = tr->root_delay_s;
    st->root_dispersion_s = root_dispersion_at(tr, &tr->update_time);
    *dispersion_rate_out = dispersion_rate(tr);
    return true;
}

void tracking_get_report(const struct tracking *tr, const struct timespec *now,
                         double pending_correction_s, struct tracking_report *out)
{
    memset(out, 0, sizeof *out);
    out->synchronised = tr->synchronised;
    out->system_time_s = pending_correction_s;
    out->freq_ppm = tr->freq_ppm;
    out->last_offset_s = tr->last_offset_s;
    out->rms_offset_s = sqrt(tr->avg2_offset);
    out->last_update_interval_s = tr->last_update_interval_s;
    if (tr->synchronised) {
        out->refid = tr->refid;
        out->stratum = tr->stratum;
        out->leap = tr->leap;
        out->ref_time = tr->ref_time;
        out->root_delay_s = tr->root_delay_s;
        out->root_dispersion_s = root_dispersion_at(tr, now);
        out->resid_freq_ppm = tr->residual_freq * PPM;
        out->skew_ppm = tr->skew * PPM;
        out->n_combined = tr->n_combined;
    } else {
        out->refid = NTP_REFID_UNSYNC;
        out->stratum = 0;
        out->leap = NTP_LEAP_UNSYNC;
        out->ref_time = ntptime_zero();
        out->root_delay_s = UNSYNC_ROOT_S;
        out->root_dispersion_s = UNSYNC_ROOT_S;
    }
}

/* ---- changes made through the command server (chronyc) ---- */

double tracking_set_frequency(struct tracking *tr, double freq_ppm)
{
    return set_frequency(tr, freq_ppm);
}

void tracking_set_max_update_skew(struct tracking *tr, double skew_ppm)
{
    tr->set.max_update_skew_ppm = skew_ppm;
}

void tracking_set_makestep(struct tracking *tr, double threshold_s, int limit)
{
    tr->set.makestep_threshold_s = threshold_s;
    tr->set.makestep_limit = limit;
    /* the limit counts the updates from now on, as a new configuration */
    tr->makestep_left = limit;
}
