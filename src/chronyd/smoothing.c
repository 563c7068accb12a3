/* smoothing: the daemon's time smoothing. See smoothing.h. */
#include "chronyd/smoothing.h"

#include <math.h>

#include "chronyd/discipline.h"
#include "common/log.h"
#include "common/ntptime.h"
#include "ntp_wire.h"

#define PPM 1.0e6

static struct smooth sm;
static bool listening;
static bool hide_leap;

static void log_activated(bool activated)
{
    if (activated)
        LOG_INFO("Time smoothing activated%s", sm.leap_only ? " (leap seconds only)" : "");
}

static double skew(void)
{
    return discipline_skew_ppm() / PPM;
}

static void on_clock(void *ctx, const struct timespec *when, double dfreq, double doffset)
{
    (void)ctx;
    log_activated(smooth_clock_adjusted(&sm, when, dfreq, doffset, skew()));
}

static void on_event(void *ctx, const struct discipline_clock_event *ev)
{
    (void)ctx;
    switch (ev->kind) {
    case DISCIPLINE_CLOCK_STEPPED:
        smooth_clock_stepped(&sm, &ev->when, ev->offset_s);
        break;
    case DISCIPLINE_CLOCK_LEAP:
        log_activated(smooth_leap(&sm, &ev->when, ev->leap, skew()));
        /* leapsecmode slew: the second goes into the slew, which the clock
         * listeners are not told of, as an ordinary correction */
        if (ev->offset_s != 0.0)
            log_activated(smooth_clock_adjusted(&sm, &ev->when, 0.0, ev->offset_s, skew()));
        break;
    }
}

void smoothing_init(const struct conf_settings *s)
{
    if (!smooth_init(&sm, s->smooth_max_freq_ppm, s->smooth_max_wander_ppm_s,
                     s->smooth_leap_only))
        return;
    hide_leap = s->leapsec_mode == CONF_LEAPSEC_SLEW;
    discipline_add_clock_listener(on_clock, NULL);
    discipline_add_event_listener(on_event, NULL);
    listening = true;
}

void smoothing_finish(void)
{
    if (listening) {
        discipline_remove_clock_listener(on_clock, NULL);
        discipline_remove_event_listener(on_event, NULL);
    }
    listening = false;
    smooth_init(&sm, 0.0, 0.0, false);
}

bool smoothing_enabled(void)
{
    return smooth_enabled(&sm);
}

bool smoothing_batch(const struct timespec *raw, double precision_s,
                     const struct ntp_server_state *st, const struct ntp_server_template *tmpl,
                     struct smoothing_batch *b)
{
    if (!smooth_enabled(&sm))
        return false;
    struct timespec cooked = *raw;
    discipline_cook_time(&cooked);
    double cooked_s = ntptime_diff(cooked, *raw);
    double offset = smooth_get_offset(&sm, &cooked);

    struct ntp_server_state cst = *st;
    b->tmpl[SMOOTHING_CLIENT] = b->tmpl[SMOOTHING_PEER] = tmpl;
    b->shift_s[SMOOTHING_CLIENT] = b->shift_s[SMOOTHING_PEER] = cooked_s;
    /* chrony leaves offsets below the clock's precision out */
    bool smoothed = fabs(offset) > precision_s;
    if (smoothed) {
        b->shift_s[SMOOTHING_CLIENT] += offset;
        cst.refid = NTP_REFID_SMOOTH;
        cst.ref_time = ntptime_add_double(cst.ref_time, offset);
    }
    if (hide_leap && (cst.leap == NTP_LEAP_INSERT || cst.leap == NTP_LEAP_DELETE))
        cst.leap = NTP_LEAP_NORMAL;
    if (smoothed || cst.leap != st->leap) {
        ntp_server_prepare(&cst, &b->client_tmpl);
        b->tmpl[SMOOTHING_CLIENT] = &b->client_tmpl;
    }
    return true;
}

void smoothing_batch_tx(struct smoothing_batch *b, const struct timespec *raw_tx)
{
    for (int i = 0; i < SMOOTHING_KINDS; i++)
        b->tx_time[i] = ntptime_add_double(*raw_tx, b->shift_s[i]);
}

bool smoothing_get_report(struct smooth_report *out)
{
    struct timespec now;
    discipline_now(&now);
    return smooth_get_report(&sm, &now, out);
}

bool smoothing_reset(void)
{
    if (!smooth_enabled(&sm))
        return false;
    struct timespec now;
    discipline_now(&now);
    smooth_reset(&sm, &now);
    return true;
}

bool smoothing_activate(void)
{
    if (!smooth_enabled(&sm))
        return false;
    struct timespec now;
    discipline_now(&now);
    log_activated(smooth_activate(&sm, &now));
    return true;
}
