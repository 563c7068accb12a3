/* discipline: samples -> statistics -> selection -> tracking -> the clock
 * (see discipline.h).
 *
 * One record per NTP source engine, created and destroyed through
 * ntp_client's source hooks: the source's statistics and its selection
 * memory. Selection runs after every accepted sample (that source is the
 * "updated" one) and whenever a source's reachability changes or a source
 * comes or goes. A tracking decision is applied in one place,
 * apply_action(), which also tells every source how the clock moved. */
#include "chronyd/discipline.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "candm_wire.h"
#include "chronyd/driftfile.h"
#include "chronyd/dumpfile.h"
#include "chronyd/leapsrc.h"
#include "chronyd/logfile.h"
#include "chronyd/ntp_client.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/ntptime.h"
#include "core/leapsec.h"
#include "core/localclock.h"
#include "core/reference.h"
#include "ntp_wire.h"
#include "platform/clockprec.h"
#include "platform/random.h"
#include "platform/sched.h"
#include "platform/sysclock.h"

#define PPM 1.0e6
/* The skew written to the drift file when nothing is known (chrony). */
#define UNKNOWN_SKEW_PPM 1.0e6

static const char TRACKING_HEADER[] =
    "   Date (UTC) Time     IP Address   St   Freq ppm   Skew ppm     Offset L Co  Offset sd "
    "Rem. corr. Root delay Root disp. Max. error";
static const char STATISTICS_HEADER[] =
    "   Date (UTC) Time     IP Address    Std dev'n Est offset  Offset sd  Diff freq   Est skew"
    "  Stress  Ns  Bs  Nr  Asym";
static const char SELECTION_HEADER[] =
    "   Date (UTC) Time     IP Address   S EOpts Reach Score Last sample  Low end   High end";

/* Modules that keep timestamps of their own: manual input, time smoothing. */
#define MAX_CLOCK_LISTENERS 4

struct dsource {
    struct ntp_source *src;
    const char *name;
    struct srcstats *stats;
    struct select_memory mem;
    unsigned reach;            /* as last seen, to notice changes */
    int reach_size;
    unsigned eff_options;      /* from the last selection */
    /* restored from a dump file (-r): the reachability register, stratum
     * and leap status the source had, which count until it has its own */
    bool loaded;
    unsigned loaded_reach;
    int loaded_reach_size, loaded_stratum, loaded_leap;
};

static struct {
    bool active;
    enum discipline_mode mode;
    struct localclock *lc;
    struct tracking *tr;
    struct selector *sel;
    struct dsource **src;
    size_t n, alloc;
    int selected;              /* index into src, -1: none */
    addr_ip ref_ip;

    sched_timer_id slew_timer, fallback_timer, leap_timer;
    void (*end_handler)(bool ok);
    bool ended;

    /* settings */
    char *driftfile;           /* NULL: none */
    char *dumpdir;             /* NULL: none */
    bool rtcsync;
    double logchange_s;
    int min_samples, max_samples;
    int authselect_mode;
    double precision_s;

    struct leapsec leap;       /* the leap second state (core/leapsec) */
    int kernel_leap;           /* what the kernel was told: +1, -1, 0 */
    double drift_skew_ppm;     /* what the drift file would get */
    logfile_id tracking_log, statistics_log, selection_log;
    double last_sys_offset_s;  /* for the tracking log's maximum error */

    /* other modules following our clock (manual input, smoothing) */
    struct {
        discipline_clock_listener fn;
        void *ctx;
    } listeners[MAX_CLOCK_LISTENERS];
    size_t n_listeners;
} D = { .selected = -1, .tracking_log = -1, .statistics_log = -1, .selection_log = -1 };

/* ---- the clock ---- */

static double drv_set_frequency(void *ctx, double freq_ppm)
{
    /* sysclock's convention is the kernel's: positive runs faster */
    return -sysclock_set_frequency_ppm(-freq_ppm);
}

static int drv_step(void *ctx, double offset_s)
{
    return sysclock_step(-offset_s);
}

static void drv_dispersion(void *ctx, double dispersion_s)
{
    for (size_t i = 0; i < D.n; i++)
        srcstats_add_dispersion(D.src[i]->stats, dispersion_s);
}

static void read_clock(struct timespec *raw, struct timespec *cooked)
{
    sysclock_read_raw(raw);
    localclock_cook(D.lc, raw, cooked);
}

/* Cooked minus raw: the correction still being slewed and, without clock
 * control, everything the virtual clock was moved by (what chrony's
 * tracking shows as System time, and its tracking log as Rem. corr.). */
static double full_correction(const struct timespec *raw)
{
    return localclock_pending_correction(D.lc, raw) + localclock_virtual_offset(D.lc, raw);
}

static void slew_timeout(void *arg);

static void rearm_slew_timer(void)
{
    struct timespec raw;
    sysclock_read_raw(&raw);
    if (D.slew_timer)
        sched_remove_timeout(D.slew_timer);
    D.slew_timer = sched_add_timeout(localclock_next_update(D.lc, &raw), slew_timeout, NULL);
}

static void slew_timeout(void *arg)
{
    D.slew_timer = 0;
    struct timespec raw;
    sysclock_read_raw(&raw);
    localclock_update(D.lc, &raw);
    rearm_slew_timer();
}

/* The clock was adjusted at cooked time `when`: frequency lowered by dfreq,
 * moved back by doffset. Every timestamp kept moves with it. */
static void clock_changed(const struct timespec *when, double dfreq, double doffset,
                          bool by_tracking)
{
    for (size_t i = 0; i < D.n; i++) {
        srcstats_slew(D.src[i]->stats, when, dfreq, doffset);
        ntp_source_slew_times(D.src[i]->src, when, dfreq, doffset);
    }
    if (!by_tracking)
        tracking_clock_adjusted(D.tr, when, dfreq, doffset);
    for (size_t i = 0; i < D.n_listeners; i++)
        D.listeners[i].fn(D.listeners[i].ctx, when, dfreq, doffset);
}

void discipline_add_clock_listener(discipline_clock_listener fn, void *ctx)
{
    if (D.n_listeners >= MAX_CLOCK_LISTENERS)
        log_fatal("Too many clock listeners");
    D.listeners[D.n_listeners].fn = fn;
    D.listeners[D.n_listeners].ctx = ctx;
    D.n_listeners++;
}

void discipline_remove_clock_listener(discipline_clock_listener fn, void *ctx)
{
    for (size_t i = 0; i < D.n_listeners; i++) {
        if (D.listeners[i].fn == fn && D.listeners[i].ctx == ctx) {
            D.listeners[i] = D.listeners[--D.n_listeners];
            return;
        }
    }
}

/* Listeners of steps and leap seconds (time smoothing). */
static struct {
    discipline_event_listener fn;
    void *ctx;
} event_listeners[MAX_CLOCK_LISTENERS];
static size_t n_event_listeners;

void discipline_add_event_listener(discipline_event_listener fn, void *ctx)
{
    if (n_event_listeners >= MAX_CLOCK_LISTENERS)
        log_fatal("Too many clock listeners");
    event_listeners[n_event_listeners].fn = fn;
    event_listeners[n_event_listeners].ctx = ctx;
    n_event_listeners++;
}

void discipline_remove_event_listener(discipline_event_listener fn, void *ctx)
{
    for (size_t i = 0; i < n_event_listeners; i++) {
        if (event_listeners[i].fn == fn && event_listeners[i].ctx == ctx) {
            event_listeners[i] = event_listeners[--n_event_listeners];
            return;
        }
    }
}

static void clock_event(enum discipline_clock_event_kind kind, const struct timespec *when,
                        double offset_s, int leap)
{
    struct discipline_clock_event ev = { .kind = kind, .when = *when, .offset_s = offset_s,
                                         .leap = leap };
    for (size_t i = 0; i < n_event_listeners; i++)
        event_listeners[i].fn(event_listeners[i].ctx, &ev);
}

double discipline_skew_ppm(void)
{
    return D.active ? tracking_get_skew_ppm(D.tr) : TRACKING_UNKNOWN_SKEW_PPM;
}

/* Carries out act (decided at raw, cooked): the new frequency, the slew,
 * the step; true when a step was asked for and made. */
static bool apply_action(const struct tracking_action *act, const struct timespec *raw,
                         const struct timespec *cooked, bool by_tracking)
{
    if (!act->adjust)
        return false;
    localclock_accumulate(D.lc, raw, act->freq_ppm, act->slew_offset_s, act->corr_rate);
    double doffset = act->slew_offset_s;
    bool stepped = false;
    if (act->step_offset_s != 0.0) {
        stepped = localclock_step(D.lc, raw, act->step_offset_s);
        if (stepped)
            doffset += act->step_offset_s;
        else
            LOG_ERR("Could not step system clock");
    }
    clock_changed(cooked, act->dfreq, doffset, by_tracking);
    if (stepped)
        clock_event(DISCIPLINE_CLOCK_STEPPED, cooked, act->step_offset_s, 0);
    rearm_slew_timer();
    return stepped;
}

/* A step (back by offset_s) was made. With -x only the virtual clock moved:
 * say so, and never in the words scripts take for a real step. */
static void log_step(double offset_s)
{
    if (sysclock_controls_clock())
        LOG_WARN("System clock was stepped by %.6f seconds", -offset_s);
    else
        LOG_INFO("System clock would be stepped by %.6f seconds (clock control disabled)",
                 -offset_s);
}

/* ---- the drift file ---- */

static void write_drift(double freq_ppm, double skew_ppm)
{
    if (D.driftfile)
        driftfile_write(D.driftfile, freq_ppm, skew_ppm);
}

/* ---- the tracking log ---- */

static void log_tracking(const struct timespec *now, const char *ref, int stratum, int leap,
                         double offset, int combined, double offset_sd, double uncorrected,
                         double orig_root_distance)
{
    static const char leap_chars[] = { 'N', '+', '-', '?' };
    if (D.tracking_log < 0)
        return;
    struct tracking_report rep;
    tracking_get_report(D.tr, now, uncorrected, &rep);
    double max_error = orig_root_distance + fabs(D.last_sys_offset_s);
    D.last_sys_offset_s = offset - uncorrected;

    char when[LOGFILE_TIME_MAX];
    logfile_write(D.tracking_log,
                  "%s %-15s %2d %10.3f %10.3f %10.3e %1c %2d %10.3e %10.3e %10.3e %10.3e %10.3e",
                  logfile_time(now, when, sizeof when), ref, stratum, tracking_get_frequency(D.tr),
                  rep.synchronised ? rep.skew_ppm : D.drift_skew_ppm, offset, leap_chars[leap & 3],
                  combined, offset_sd, uncorrected, rep.root_delay_s, rep.root_dispersion_s,
                  max_error);
}

/* ---- the statistics and selection logs ---- */

/* After a new sample was fitted: the fit's outcome, when there was one
 * (chrony logs only successful regressions). */
static void log_statistics(const struct dsource *d)
{
    struct srcstats_regression r;
    if (D.statistics_log < 0)
        return;
    srcstats_get_regression(d->stats, &r);
    if (!r.ok)
        return;
    char when[LOGFILE_TIME_MAX], ip[ADDR_STR_MAX];
    addr_format(&ntp_source_address(d->src)->ip, ip, sizeof ip);
    logfile_write(D.statistics_log,
                  "%s %-15s %10.3e %10.3e %10.3e %10.3e %10.3e %7.1e %3d %3d %3d %5.2f",
                  logfile_time(&r.offset_time, when, sizeof when), ip, r.std_dev_s,
                  r.est_offset_s, r.est_offset_sd_s, r.frequency, r.skew, r.stress,
                  r.n_samples, r.best_start, r.n_runs, r.asymmetry);
}

/* After a selection run: the source's status and what it was judged by
 * (reach: the register selection saw, with a restored dump's bits). */
static void log_selection(const struct dsource *d, unsigned reach, const struct timespec *now)
{
    if (D.selection_log < 0)
        return;
    char when[LOGFILE_TIME_MAX], ip[ADDR_STR_MAX];
    unsigned o = d->eff_options;
    addr_format(&ntp_source_address(d->src)->ip, ip, sizeof ip);
    logfile_write(D.selection_log, "%s %-15s %c -%c%c%c%c %4o %5.2f %10.3e %10.3e %10.3e",
                  logfile_time(now, when, sizeof when), ip, select_status_char(d->mem.status),
                  o & SRCOPTS_SEL_NOSELECT ? 'N' : '-', o & SRCOPTS_SEL_PREFER ? 'P' : '-',
                  o & SRCOPTS_SEL_TRUST ? 'T' : '-', o & SRCOPTS_SEL_REQUIRE ? 'R' : '-',
                  reach, d->mem.score, d->mem.last_sample_ago_s, d->mem.lo_limit_s,
                  d->mem.hi_limit_s);
}

static double root_distance_now(const struct timespec *now, double pending)
{
    struct tracking_report rep;
    tracking_get_report(D.tr, now, pending, &rep);
    return rep.root_delay_s / 2.0 + rep.root_dispersion_s;
}

/* ---- leap seconds (core/leapsec decides, this carries out) ---- */

/* Our reference state for NTP replies, with the root dispersion grown to
 * now (after a change that is not an update: the leap status). */
static void republish_reference(void)
{
    struct ntp_server_state st;
    double rate;
    if (!tracking_get_server_state(D.tr, &st, &rate))
        return;
    struct timespec raw, now;
    struct tracking_report rep;
    read_clock(&raw, &now);
    tracking_get_report(D.tr, &now, 0.0, &rep);
    st.root_dispersion_s = rep.root_dispersion_s;
    reference_set_synchronised(&st, rate, sched_now_mono());
}

/* leapsecmode system: the kernel's flags follow the armed leap second. */
static void set_kernel_leap(void)
{
    int leap = D.leap.mode == LEAPSEC_SYSTEM ? D.leap.leap_sec : 0;
    if (leap == D.kernel_leap)
        return;
    D.kernel_leap = leap;
    sysclock_set_leap(leap > 0 ? SYSCLOCK_LEAP_INSERT
                      : leap < 0 ? SYSCLOCK_LEAP_DELETE : SYSCLOCK_LEAP_NONE);
    LOG_INFO("System clock status %s leap second",
             leap ? (leap > 0 ? "set to insert" : "set to delete") : "set to not insert/delete");
}

static bool leap_close(time_t t)
{
    return leapsec_is_close(&D.leap, t);
}

/* Now (raw or cooked) is close to a leap second. */
static bool leap_close_now(void)
{
    struct timespec raw, cooked;
    read_clock(&raw, &cooked);
    return leap_close(raw.tv_sec) || leap_close(cooked.tv_sec);
}

static void leap_start_timeout(void *arg);

static void plan_leap_timer(void)
{
    if (D.leap_timer)
        sched_remove_timeout(D.leap_timer);
    D.leap_timer = 0;
    struct timespec at, raw;
    if (!leapsec_start_time(&D.leap, &at))
        return;
    sysclock_read_raw(&raw);
    D.leap_timer = sched_add_timeout(ntptime_diff(at, raw), leap_start_timeout, NULL);
}

/* The leap status as the sources voted (NTP_LEAP_UNSYNC: not synchronised)
 * at raw time now (0 with NTP_LEAP_UNSYNC); reset: the clock was stepped. */
static void update_leap(int leap, time_t now, bool reset)
{
    struct leapsec_db_answer db = { .have = leapsrc_active() && now != 0 };
    if (db.have)
        db.leap = leapsrc_get(now, &db.tai_offset);
    bool replan;
    if (leapsec_update(&D.leap, leap, now, &db, leap_close_now(), reset, &replan))
        set_kernel_leap();
    if (replan)
        plan_leap_timer();
    tracking_set_leap_status(D.tr, leapsec_announced(&D.leap));
}

/* A step moves the time of the leap second on our clock: plan again. */
static void leap_clock_stepped(void)
{
    if (!D.leap.leap_sec || D.leap.in_progress)
        return;
    struct timespec raw;
    sysclock_read_raw(&raw);
    update_leap(D.leap.status, raw.tv_sec, true);
}

static void leap_end_timeout(void *arg)
{
    D.leap_timer = 0;
    leapsec_end(&D.leap);
    set_kernel_leap();
    tracking_set_leap_status(D.tr, leapsec_announced(&D.leap));
    republish_reference();
}

/* 00:00:00 (23:59:59 for a deleted second; half a second earlier in
 * leapsecmode system). Our samples and timestamps are left as they are:
 * the sources' clocks make the same correction. */
static void leap_start_timeout(void *arg)
{
    D.leap_timer = 0;
    double offset;
    enum leapsec_action action = leapsec_start(&D.leap, &offset);
    struct timespec raw, cooked;
    read_clock(&raw, &cooked);
    switch (action) {
    case LEAPSEC_ACT_WAIT:
        LOG_DEBUG("Waiting for system clock leap second correction");
        break;
    case LEAPSEC_ACT_SLEW:
        clock_event(DISCIPLINE_CLOCK_LEAP, &cooked, offset, D.leap.leap_sec);
        /* as fast as maxslewrate allows */
        localclock_accumulate(D.lc, &raw, localclock_get_frequency(D.lc), offset, 0.0);
        rearm_slew_timer();
        LOG_WARN("Adjusting system clock for leap second");
        break;
    case LEAPSEC_ACT_STEP:
        clock_event(DISCIPLINE_CLOCK_LEAP, &cooked, 0.0, D.leap.leap_sec);
        if (!localclock_step(D.lc, &raw, offset)) {
            LOG_ERR("Could not step system clock");
            break;
        }
        clock_event(DISCIPLINE_CLOCK_STEPPED, &cooked, offset, 0);
        rearm_slew_timer();
        if (sysclock_controls_clock())
            LOG_WARN("System clock was stepped for leap second");
        else
            LOG_INFO("System clock would be stepped for leap second (clock control disabled)");
        break;
    case LEAPSEC_ACT_IGNORE:
        LOG_WARN("Ignoring leap second");
        break;
    }
    tracking_set_leap_status(D.tr, leapsec_announced(&D.leap));
    republish_reference();
    D.leap_timer = sched_add_timeout(LEAPSEC_END_DELAY_S, leap_end_timeout, NULL);
}

/* ---- ending ---- */

static void end(bool ok)
{
    if (D.ended)
        return;
    D.ended = true;
    if (D.end_handler)
        D.end_handler(ok);
}

/* ---- synchronisation state ---- */

static void fallback_timeout(void *arg);
static void set_unsynchronised(void);

/* fallbackdrift: after every update and when the fallback timer fires. */
static void run_fallback(void)
{
    if (D.fallback_timer) {
        sched_remove_timeout(D.fallback_timer);
        D.fallback_timer = 0;
    }
    struct tracking_action act;
    double now_mono = sched_now_mono();
    double next = tracking_fallback(D.tr, now_mono, &act);
    if (act.adjust) {
        struct timespec raw, cooked;
        read_clock(&raw, &cooked);
        localclock_set_frequency(D.lc, &raw, act.freq_ppm);
        clock_changed(&cooked, act.dfreq, 0.0, false);
        rearm_slew_timer();
    }
    if (isfinite(next))
        D.fallback_timer = sched_add_timeout(next - now_mono, fallback_timeout, NULL);
    /* updates stopped long enough for a fallback drift: not synchronised
     * any more (which plans the next fallback) */
    if (act.unsynchronise && tracking_is_synchronised(D.tr))
        set_unsynchronised();
}

static void fallback_timeout(void *arg)
{
    D.fallback_timer = 0;
    run_fallback();
}

static void set_unsynchronised(void)
{
    struct tracking_action act;
    double now_mono = sched_now_mono();
    tracking_set_unsynchronised(D.tr, now_mono, &act);
    if (act.mode_ended) {
        if (!act.mode_ok)
            LOG_WARN("No suitable source for synchronisation");
        end(act.mode_ok);
        return;
    }
    D.ref_ip.family = ADDR_UNSPEC;
    reference_set_unsynchronised(now_mono);
    sysclock_set_sync_status(false, 0.0, 0.0);
    update_leap(NTP_LEAP_UNSYNC, 0, false);
    struct timespec raw, now;
    read_clock(&raw, &now);
    double correction = full_correction(&raw);
    log_tracking(&now, "0.0.0.0", 0, NTP_LEAP_UNSYNC, 0.0, 0, 0.0, correction,
                 root_distance_now(&now, correction));
    run_fallback();
}

/* -q / -Q: the first estimate ends the mode. */
static void special_mode_update(const struct tracking_action *act, const struct timespec *raw,
                                const struct timespec *cooked)
{
    if (!act->mode_ended)
        return;
    if (act->mode_ok) {
        bool step = act->adjust && act->step_offset_s != 0.0;
        LOG_INFO("System clock wrong by %.6f seconds (%s)", -act->offset_s,
                 D.mode == DISCIPLINE_SET_ONCE ? "step" : "ignored");
        if (step)
            apply_action(act, raw, cooked, true);
    }
    end(act->mode_ok);
}

/* What carrying out a reference update needs besides tracking's decision:
 * a selection result's, or manual input's (chronyc settime). */
struct update_source {
    int leap;                  /* as voted; NTP_LEAP_UNSYNC for manual input */
    int stratum;               /* ours after it (the tracking log's: also
                                  when not synchronised, as chrony's) */
    double offset_sd_s;
    int n_combined;
    const char *text;          /* the reference in the tracking log */
    addr_ip ip;                /* family ADDR_UNSPEC: none */
};

/* Our clock when an update is decided. */
struct update_clock {
    struct timespec raw, now;
    double correction;         /* cooked minus raw (the tracking log's) */
    double orig_distance;      /* root distance before the update */
    struct tracking_clock clk; /* for tracking */
};

static void begin_update(struct update_clock *u)
{
    read_clock(&u->raw, &u->now);
    double pending = localclock_pending_correction(D.lc, &u->raw);
    u->correction = full_correction(&u->raw);
    u->orig_distance = root_distance_now(&u->now, pending);
    u->clk = (struct tracking_clock){
        .now = u->now,
        .now_mono = sched_now_mono(),
        .pending_correction_s = pending,
        .random = random_u64(),
    };
}

/* Carries out tracking's decision on an update (chrony's REF_SetReference
 * after the estimates): the clock, the leap status, the messages, the
 * kernel's and the NTP server's synchronisation state, the tracking log,
 * the drift file and the fallback drifts. */
static void carry_out_update(const struct update_clock *u, const struct tracking_action *decided,
                             const struct update_source *src)
{
    struct tracking_action act = *decided;
    struct timespec raw = u->raw, now = u->now;

    if (D.mode != DISCIPLINE_NORMAL) {
        special_mode_update(&act, &raw, &now);
        return;
    }

    if (act.offset_ignored) {
        LOG_WARN("Adjustment of %.3f seconds exceeds the allowed maximum of %.3f seconds (%s) ",
                 -fabs(act.offset_s), conf_settings()->maxchange_offset_s,
                 act.exit ? "exiting" : "ignored");
        if (act.exit)
            end(false);
        return;
    }
    if (!act.adjust)
        return;

    localclock_accumulate(D.lc, &raw, act.freq_ppm, act.slew_offset_s, act.corr_rate);
    /* the sources' vote and the leap second database (chrony: before the
     * step, which then plans the leap second again) */
    update_leap(src->leap, raw.tv_sec, false);
    if (fabs(act.offset_s) > D.logchange_s)
        LOG_WARN("System clock wrong by %.6f seconds", -act.offset_s);
    double doffset = act.slew_offset_s;
    bool stepped = false;
    if (act.step_offset_s != 0.0) {
        if (localclock_step(D.lc, &raw, act.step_offset_s)) {
            doffset += act.step_offset_s;
            stepped = true;
            log_step(act.step_offset_s);
        } else {
            LOG_ERR("Could not step system clock");
        }
    }
    clock_changed(&now, act.dfreq, doffset, true);
    if (stepped)
        clock_event(DISCIPLINE_CLOCK_STEPPED, &now, act.step_offset_s, 0);
    rearm_slew_timer();
    if (stepped)
        leap_clock_stepped();

    D.ref_ip = src->ip;
    struct tracking_report rep;
    struct timespec raw2, now2;
    read_clock(&raw2, &now2);
    double remaining = fabs(localclock_remaining_offset(D.lc, &raw2));
    tracking_get_report(D.tr, &now2, -remaining, &rep);
    if (rep.synchronised)
        D.drift_skew_ppm = rep.skew_ppm;
    sysclock_set_sync_status(rep.synchronised && D.rtcsync, fmax(src->offset_sd_s, remaining),
                             rep.root_delay_s / 2.0 + rep.root_dispersion_s + remaining);

    struct ntp_server_state st;
    double rate;
    if (tracking_get_server_state(D.tr, &st, &rate))
        reference_set_synchronised(&st, rate, sched_now_mono());
    else
        reference_set_unsynchronised(sched_now_mono());

    log_tracking(&now, src->text, src->stratum, rep.leap, act.offset_s, src->n_combined,
                 src->offset_sd_s, u->correction, u->orig_distance);
    if (act.write_drift) {
        D.drift_skew_ppm = act.drift_skew_ppm;
        write_drift(act.drift_freq_ppm, act.drift_skew_ppm);
    }
    run_fallback();
    if (act.exit)
        end(false);
}

static void update_reference(const struct select_reference *ref, const char *ref_text,
                             const addr_ip *ref_ip)
{
    struct update_clock u;
    begin_update(&u);
    struct tracking_action act;
    tracking_update(D.tr, ref, &u.clk, &act);
    struct update_source src = {
        .leap = ref->leap,
        .stratum = ref->stratum + 1,
        .offset_sd_s = ref->offset_sd_s,
        .n_combined = ref->n_combined,
        .text = ref_text,
        .ip = *ref_ip,
    };
    carry_out_update(&u, &act, &src);
}

bool discipline_manual_reference(const struct timespec *ref_time, double offset_s,
                                 double frequency, double skew, double *new_freq_ppm)
{
    if (!D.active)
        return false;
    struct update_clock u;
    begin_update(&u);
    struct tracking_action act;
    tracking_update_manual(D.tr, ref_time, offset_s, frequency, skew, &u.clk, &act);
    /* tracking takes a manual skew as it is; the clock stays unsynchronised
     * but, as in chrony, the tracking log and the drift file show it */
    if (act.adjust && D.mode == DISCIPLINE_NORMAL)
        D.drift_skew_ppm = skew * PPM;
    struct update_source src = {
        .leap = NTP_LEAP_UNSYNC,
        .stratum = 1,          /* a manual reference is stratum 0 */
        .n_combined = 1,
        .text = "MANU",        /* chrony's tracking log names the refid */
        .ip = { .family = ADDR_UNSPEC },
    };
    carry_out_update(&u, &act, &src);
    if (new_freq_ppm)
        *new_freq_ppm = localclock_get_frequency(D.lc);
    return true;
}

/* ---- selection ---- */

static const char *source_text(const struct dsource *d, char *buf, size_t len)
{
    char ip[ADDR_STR_MAX];
    addr_format(&ntp_source_address(d->src)->ip, ip, sizeof ip);
    if (d->name && strcmp(d->name, ip) != 0)
        snprintf(buf, len, "%s (%s)", ip, d->name);
    else
        snprintf(buf, len, "%s", ip);
    return buf;
}

/* A source's reachability, stratum and leap status as selection (and the
 * dump) sees them: its own, with what a dump file restored (-r) in front
 * of its own register until that is full, and the restored stratum and
 * leap status until it has a status of its own (chrony keeps these in the
 * source's selection record, which the dump restores). */
struct source_status {
    unsigned reach;
    int reach_size;
    int stratum;
    int leap;
};

static void get_status(struct dsource *d, const struct ntp_source_report *rep,
                       struct source_status *out)
{
    out->reach = rep->reach;
    out->reach_size = rep->reach_size;
    out->stratum = rep->have_status ? rep->sel_stratum : 0;
    out->leap = rep->have_status ? rep->sel_leap : NTP_LEAP_UNSYNC;
    if (!d->loaded)
        return;
    if (rep->reach_size >= NTP_SOURCE_REACH_BITS && rep->have_status) {
        d->loaded = false;
        return;
    }
    if (rep->reach_size < NTP_SOURCE_REACH_BITS) {
        unsigned mask = (1U << NTP_SOURCE_REACH_BITS) - 1;
        out->reach = ((d->loaded_reach << rep->reach_size) | rep->reach) & mask;
        out->reach_size = d->loaded_reach_size + rep->reach_size;
        if (out->reach_size > NTP_SOURCE_REACH_BITS)
            out->reach_size = NTP_SOURCE_REACH_BITS;
    }
    if (!rep->have_status) {
        out->stratum = d->loaded_stratum;
        out->leap = d->loaded_leap;
    }
}

static void run_selection(int updated)
{
    if (!D.active || D.ended)
        return;
    struct timespec raw, now;
    read_clock(&raw, &now);

    size_t n = D.n;
    size_t cap = n ? n : 1;
    struct select_candidate *c = mem_calloc(cap, sizeof *c);
    unsigned *conf_opts = mem_calloc(cap, sizeof *conf_opts);
    unsigned *eff = mem_calloc(cap, sizeof *eff);
    bool *auth = mem_calloc(cap, sizeof *auth);
    bool *is_ntp = mem_calloc(cap, sizeof *is_ntp);

    for (size_t i = 0; i < n; i++) {
        const struct srcopts *o = ntp_source_options(D.src[i]->src);
        conf_opts[i] = o->sel_options;
        auth[i] = o->key != SRCOPTS_NO_KEY || o->nts;
        is_ntp[i] = true;
    }
    select_effective_options(conf_opts, auth, is_ntp, (int)n, D.authselect_mode, eff);

    for (size_t i = 0; i < n; i++) {
        struct dsource *d = D.src[i];
        struct ntp_source_report rep;
        ntp_source_get_report(d->src, &rep);
        c[i].mem = &d->mem;
        select_fill_candidate(&c[i], d->stats, &now);
        c[i].refid = addr_refid(&rep.remote.ip);
        c[i].is_ntp = true;
        c[i].options = eff[i];
        struct source_status ss;
        get_status(d, &rep, &ss);
        c[i].reach = ss.reach;
        c[i].reach_size = ss.reach_size;
        c[i].unreachable_run = ss.reach == 0 ? (int)rep.polls_unanswered : 0;
        c[i].max_unreach = ntp_source_options(d->src)->max_unreach;
        c[i].stratum = ss.stratum;
        c[i].leap = ss.leap;
        d->eff_options = eff[i];
        d->reach = rep.reach;
        d->reach_size = rep.reach_size;
    }

    struct select_result res;
    select_run(D.sel, c, (int)n, updated, &res);
    /* one line per source and run, with its final status (chrony writes one
     * whenever a status is set, which is once or twice a run) */
    for (size_t i = 0; i < n; i++)
        log_selection(D.src[i], c[i].reach, &now);
    mem_free(c);
    mem_free(conf_opts);
    mem_free(eff);
    mem_free(auth);
    mem_free(is_ntp);

    for (size_t i = 0; i < n; i++)
        ntp_source_set_selected(D.src[i]->src, (int)i == res.selected);
    D.selected = res.selected;

    char text[2 * ADDR_STR_MAX + 64];
    text[0] = '\0';
    if (res.selected >= 0)
        source_text(D.src[res.selected], text, sizeof text);
    /* chrony keeps quiet about selection in the special modes */
    if (D.mode == DISCIPLINE_NORMAL) {
        if (res.event == SELECT_EVENT_SELECTED)
            LOG_INFO("Selected source %s", text);
        else if (res.event != SELECT_EVENT_NONE)
            LOG_INFO("%s", select_event_message(res.event));
    }

    if (res.unsynchronise)
        set_unsynchronised();
    if (res.update_reference && res.selected >= 0 && !D.ended) {
        const struct dsource *d = D.src[res.selected];
        char ip[ADDR_STR_MAX];
        const addr_ip *sel_ip = &ntp_source_address(d->src)->ip;
        addr_format(sel_ip, ip, sizeof ip);
        update_reference(&res.ref, ip, sel_ip);
    }
}

/* ---- ntp_client's hooks ---- */

static int index_of(const struct dsource *d)
{
    for (size_t i = 0; i < D.n; i++)
        if (D.src[i] == d)
            return (int)i;
    return -1;
}

static void hook_cook_time(void *ctx, struct timespec *ts)
{
    localclock_cook(D.lc, ts, ts);
}

static void *hook_source_added(void *ctx, struct ntp_source *src, const char *name)
{
    const struct conf_settings *s = conf_settings();
    struct dsource *d = mem_calloc(1, sizeof *d);
    d->src = src;
    d->name = name;
    struct srcstats_settings ss;
    srcstats_settings_for(&ss, ntp_source_options(src), s->min_samples, s->max_samples,
                          D.precision_s);
    d->stats = srcstats_create(&ss);
    select_memory_init(&d->mem);
    D.src = mem_grow(D.src, &D.alloc, D.n + 1, sizeof *D.src);
    D.src[D.n++] = d;
    return d;
}

static void hook_source_removed(void *ctx, void *data)
{
    struct dsource *d = data;
    int i = index_of(d);
    if (i < 0)
        return;
    select_forget(D.sel, &d->mem);
    memmove(&D.src[i], &D.src[i + 1], (D.n - (size_t)i - 1) * sizeof *D.src);
    D.n--;
    srcstats_destroy(d->stats);
    mem_free(d);
    D.selected = -1;
    run_selection(-1);
}

static bool hook_stats(void *ctx, void *data, const struct timespec *sample_time,
                       struct ntp_source_stats *out)
{
    const struct dsource *d = data;
    return d && srcstats_get_delay_stats(d->stats, sample_time, out);
}

static void hook_sample(void *ctx, void *data, const struct ntp_source_sample *sample)
{
    struct dsource *d = data;
    int i = index_of(d);
    if (i < 0)
        return;
    /* around a leap second one of the two clocks may not have made the
     * correction yet: such a sample would spoil the statistics */
    struct timespec true_time = ntptime_add_double(sample->time, sample->offset_s);
    if (leap_close_now() || leap_close(sample->time.tv_sec) || leap_close(true_time.tv_sec)) {
        LOG_INFO("Dropping sample around leap second");
        return;
    }
    struct srcstats_update u = srcstats_add_sample(d->stats, sample);
    if (!u.accepted)
        return;
    log_statistics(d);
    ntp_source_adjust_poll(d->src, ntp_source_poll_adjustment(d->src, u.error_in_estimate_s,
                                                              u.peer_distance_s, u.n_samples));
    run_selection(i);
}

static void hook_source_changed(void *ctx, void *data)
{
    struct dsource *d = data;
    if (index_of(d) < 0)
        return;
    struct ntp_source_report rep;
    ntp_source_get_report(d->src, &rep);
    if (rep.reach != d->reach || rep.reach_size != d->reach_size)
        run_selection(-1);
}

/* ---- public ---- */

void discipline_set_end_handler(void (*handler)(bool ok))
{
    D.end_handler = handler;
}

static enum tracking_mode tracking_mode_of(enum discipline_mode mode)
{
    switch (mode) {
    case DISCIPLINE_SET_ONCE:
        return TRACKING_UPDATE_ONCE;
    case DISCIPLINE_PRINT_ONCE:
        return TRACKING_PRINT_ONCE;
    default:
        return TRACKING_NORMAL;
    }
}

void discipline_init(const struct conf_settings *s, enum discipline_mode mode)
{
    void (*handler)(bool) = D.end_handler;
    memset(&D, 0, sizeof D);
    D.end_handler = handler;
    D.selected = -1;
    D.tracking_log = D.statistics_log = D.selection_log = -1;
    D.mode = mode;
    D.driftfile = s->driftfile[0] ? mem_strdup(s->driftfile) : NULL;
    D.dumpdir = s->dumpdir && s->dumpdir[0] ? mem_strdup(s->dumpdir) : NULL;
    D.rtcsync = s->rtc_sync;
    D.logchange_s = s->log_change_s;
    D.authselect_mode = (int)s->authselect_mode;
    D.precision_s = s->clock_precision_s > 0.0 ? s->clock_precision_s : clockprec_measure_s();

    /* the frequency: drift file, else what the kernel has */
    double kernel_freq = 0.0 - sysclock_get_frequency_ppm();
    double freq = kernel_freq, skew = 0.0;
    bool have_file = false;
    if (D.driftfile && driftfile_read(D.driftfile, &freq, &skew)) {
        have_file = true;
        LOG_INFO("Frequency %.3f +/- %.3f ppm read from %s", freq, skew, D.driftfile);
    } else {
        freq = kernel_freq;
        if (freq != 0.0)
            LOG_INFO("Initial frequency %.3f ppm", freq);
    }
    D.drift_skew_ppm = have_file ? skew : UNKNOWN_SKEW_PPM;

    struct tracking_settings ts;
    tracking_default_settings(&ts);
    ts.makestep_threshold_s = s->makestep_threshold_s;
    ts.makestep_limit = s->makestep_limit;
    ts.maxchange_offset_s = s->maxchange_offset_s;
    ts.maxchange_delay = s->maxchange_delay;
    ts.maxchange_ignore = s->maxchange_ignore;
    ts.max_update_skew_ppm = s->max_update_skew_ppm;
    ts.max_clock_error_ppm = s->max_clock_error_ppm;
    ts.corr_time_ratio = s->corr_time_ratio;
    ts.max_drift_ppm = s->max_drift_ppm;
    ts.fallback_drift_min = s->fallback_drift_min;
    ts.fallback_drift_max = s->fallback_drift_max;
    ts.drift_interval_s = s->driftfile_interval_s;
    ts.have_drift_file = D.driftfile != NULL;
    ts.mode = tracking_mode_of(mode);
    D.tr = tracking_create(&ts, freq, have_file ? skew : 0.0, sched_now_mono());

    struct select_settings ss;
    select_default_settings(&ss);
    ss.max_distance_s = s->max_distance_s;
    ss.max_jitter_s = s->max_jitter_s;
    ss.reselect_distance_s = s->reselect_distance_s;
    ss.stratum_weight_s = s->stratum_weight_s;
    ss.combine_limit = s->combine_limit;
    ss.min_sources = s->min_sources;
    ss.min_stratum = s->min_stratum;
    ss.max_stratum = s->max_stratum;
    ss.max_clock_error = s->max_clock_error_ppm / PPM;
    ss.orphan_stratum = s->local.enabled && s->local.orphan ? s->local.stratum : NTP_MAX_STRATUM;
    D.sel = select_create(&ss);

    struct localclock_settings ls;
    localclock_default_settings(&ls);
    ls.control = sysclock_controls_clock();
    ls.max_slew_rate_ppm = s->max_slew_rate_ppm;
    ls.max_freq_ppm = sysclock_max_frequency_ppm();
    ls.raw_freq_ppm = kernel_freq;
    struct localclock_driver drv = {
        .set_frequency = drv_set_frequency,
        .step = drv_step,
        .dispersion = drv_dispersion,
    };
    struct timespec raw;
    sysclock_read_raw(&raw);
    D.lc = localclock_create(&ls, &drv, tracking_get_frequency(D.tr), &raw);
    D.active = true;

    /* leap seconds; the kernel inserts them only when we control it
     * (chrony: without a driver that can, leapsecmode system is step) */
    enum leapsec_mode lm = s->leapsec_mode == CONF_LEAPSEC_SLEW ? LEAPSEC_SLEW
                         : s->leapsec_mode == CONF_LEAPSEC_STEP ? LEAPSEC_STEP
                         : s->leapsec_mode == CONF_LEAPSEC_IGNORE ? LEAPSEC_IGNORE
                         : LEAPSEC_SYSTEM;
    if (lm == LEAPSEC_SYSTEM && !sysclock_controls_clock())
        lm = LEAPSEC_STEP;
    leapsec_init(&D.leap, lm);
    leapsrc_init(s->leapsec_tz, s->leapsec_list);

    /* the kernel starts unsynchronised, without a leap second */
    sysclock_set_sync_status(false, 0.0, 0.0);

    if (s->log.tracking)
        D.tracking_log = logfile_open("tracking", TRACKING_HEADER);
    if (s->log.statistics)
        D.statistics_log = logfile_open("statistics", STATISTICS_HEADER);
    if (s->log.selection)
        D.selection_log = logfile_open("selection", SELECTION_HEADER);
    struct timespec now;
    localclock_cook(D.lc, &raw, &now);
    log_tracking(&now, "0.0.0.0", 0, NTP_LEAP_UNSYNC, 0.0, 0, 0.0, 0.0,
                 root_distance_now(&now, 0.0));

    struct ntp_client_source_hooks hooks = {
        .cook_time = hook_cook_time,
        .source_added = hook_source_added,
        .source_removed = hook_source_removed,
        .stats = hook_stats,
        .sample = hook_sample,
        .source_changed = hook_source_changed,
    };
    ntp_client_set_source_hooks(&hooks);
    rearm_slew_timer();
    run_fallback();
}

void discipline_finish(void)
{
    if (!D.active)
        return;
    ntp_client_set_source_hooks(NULL);
    if (D.slew_timer)
        sched_remove_timeout(D.slew_timer);
    if (D.fallback_timer)
        sched_remove_timeout(D.fallback_timer);
    if (D.leap_timer)
        sched_remove_timeout(D.leap_timer);
    if (D.kernel_leap) {
        D.leap.leap_sec = 0;
        set_kernel_leap();
    }
    leapsrc_finish();

    write_drift(tracking_get_frequency(D.tr), D.drift_skew_ppm);
    /* chrony saves the measurement histories at every exit (dumpdir) */
    discipline_dump_all();

    struct timespec raw;
    sysclock_read_raw(&raw);
    localclock_finish(D.lc, &raw);
    for (size_t i = 0; i < D.n; i++) {
        srcstats_destroy(D.src[i]->stats);
        mem_free(D.src[i]);
    }
    mem_free(D.src);
    tracking_destroy(D.tr);
    select_destroy(D.sel);
    mem_free(D.driftfile);
    mem_free(D.dumpdir);
    void (*handler)(bool) = D.end_handler;
    memset(&D, 0, sizeof D);
    D.selected = -1;
    D.tracking_log = D.statistics_log = D.selection_log = -1;
    D.end_handler = handler;
}

void discipline_restore_time(void)
{
    struct timespec mtime, raw, now;
    if (!D.active || !D.driftfile || !driftfile_mtime(D.driftfile, &mtime))
        return;
    read_clock(&raw, &now);
    double behind = ntptime_diff(mtime, now);
    if (behind <= 0.0)
        return;
    /* a step back by a negative offset moves the clock forward */
    if (!localclock_step(D.lc, &raw, -behind)) {
        LOG_ERR("Could not step system clock");
        return;
    }
    clock_changed(&now, 0.0, -behind, false);
    clock_event(DISCIPLINE_CLOCK_STEPPED, &now, -behind, 0);
    rearm_slew_timer();
    leap_clock_stepped();
    LOG_INFO("System time restored from driftfile");
}

void discipline_give_up(void)
{
    if (!D.active || D.ended || D.mode == DISCIPLINE_NORMAL)
        return;
    set_unsynchronised();
}

void discipline_cook_time(struct timespec *ts)
{
    if (D.active)
        localclock_cook(D.lc, ts, ts);
}

void discipline_now(struct timespec *cooked)
{
    struct timespec raw;
    sysclock_read_raw(&raw);
    if (D.active)
        localclock_cook(D.lc, &raw, cooked);
    else
        *cooked = raw;
}

/* ---- dump files ---- */

static bool authenticated(const struct dsource *d)
{
    const struct srcopts *o = ntp_source_options(d->src);
    return o->key != SRCOPTS_NO_KEY || o->nts;
}

int discipline_dump_all(void)
{
    if (!D.active || !D.dumpdir)
        return 0;
    struct dumpfile_source *f = mem_alloc(sizeof *f);
    int written = 0;
    bool failed = false;
    for (size_t i = 0; i < D.n; i++) {
        struct dsource *d = D.src[i];
        memset(f, 0, sizeof *f);
        f->n_samples = srcstats_save(d->stats, f->samples, &f->asymmetry_run);
        if (f->n_samples == 0)
            continue;            /* chrony writes no file without samples */
        char ip[ADDR_STR_MAX];
        addr_format(&ntp_source_address(d->src)->ip, ip, sizeof ip);
        snprintf(f->name, sizeof f->name, "%s", d->name ? d->name : ip);
        struct ntp_source_report rep;
        struct source_status ss;
        ntp_source_get_report(d->src, &rep);
        get_status(d, &rep, &ss);
        f->authenticated = authenticated(d);
        f->reach = ss.reach;
        f->reach_size = ss.reach_size;
        f->stratum = ss.stratum;
        f->leap = ss.leap;
        if (dumpfile_write(D.dumpdir, ip, f))
            written++;
        else
            failed = true;
    }
    mem_free(f);
    return failed ? -1 : written;
}

/* A sample of a dump is usable when within 2^32 s of now (chrony). */
#define MAX_DUMP_SAMPLE_AGE_S 4294967296.0

static bool load_source(struct dsource *d, struct dumpfile_source *f, const struct timespec *now)
{
    char ip[ADDR_STR_MAX];
    addr_format(&ntp_source_address(d->src)->ip, ip, sizeof ip);
    bool exists;
    bool ok = dumpfile_read(D.dumpdir, ip, f, &exists);
    if (!exists)
        return false;
    ok = ok && strcmp(f->name, d->name ? d->name : ip) == 0 &&
         (f->authenticated || !authenticated(d)) &&
         f->stratum >= 1 && f->stratum < NTP_MAX_STRATUM &&
         f->leap >= NTP_LEAP_NORMAL && f->leap < NTP_LEAP_UNSYNC;
    for (int i = 0; ok && i < f->n_samples; i++)
        ok = f->samples[i].time.tv_sec > 0 &&
             fabs(ntptime_diff(f->samples[i].time, *now)) < MAX_DUMP_SAMPLE_AGE_S;
    ok = ok && srcstats_load(d->stats, f->samples, f->n_samples, f->asymmetry_run, f->stratum);
    if (!ok) {
        LOG_WARN("Could not load dump file for %s", ip);
        return false;
    }
    d->loaded = true;
    d->loaded_reach = f->reach & ((1U << NTP_SOURCE_REACH_BITS) - 1);
    d->loaded_reach_size = f->reach_size < 0 ? 0
                         : f->reach_size > NTP_SOURCE_REACH_BITS ? NTP_SOURCE_REACH_BITS
                         : f->reach_size;
    d->loaded_stratum = f->stratum;
    d->loaded_leap = f->leap;
    LOG_INFO("Loaded dump file for %s", ip);
    return true;
}

void discipline_load_dumps(bool reload)
{
    if (!D.active || !D.dumpdir)
        return;
    if (reload) {
        struct dumpfile_source *f = mem_alloc(sizeof *f);
        struct timespec now;
        discipline_now(&now);
        for (size_t i = 0; i < D.n; i++) {
            /* a restored source may update the reference at once */
            if (load_source(D.src[i], f, &now))
                D.src[i]->mem.updates++;
        }
        mem_free(f);
        run_selection(-1);
    }
    /* the files are removed even without -r (chrony) */
    dumpfile_remove_all(D.dumpdir);
}

bool discipline_is_synchronised(void)
{
    return D.active && tracking_is_synchronised(D.tr);
}

void discipline_get_tracking(struct discipline_tracking *out)
{
    memset(out, 0, sizeof *out);
    if (!D.active)
        return;
    struct timespec raw, now;
    read_clock(&raw, &now);
    tracking_get_report(D.tr, &now, full_correction(&raw), &out->rep);
    out->ref_ip = out->rep.synchronised ? D.ref_ip : (addr_ip){ .family = ADDR_UNSPEC };
    out->clock_control = sysclock_controls_clock();
    out->virtual_offset_s = localclock_virtual_offset(D.lc, &raw);
}

size_t discipline_source_count(void)
{
    return D.active ? D.n : 0;
}

static void fill_source(struct dsource *d, const struct timespec *now,
                        struct discipline_source *out)
{
    memset(out, 0, sizeof *out);
    struct ntp_source_report rep;
    ntp_source_get_report(d->src, &rep);
    const struct srcopts *o = ntp_source_options(d->src);
    out->remote = rep.remote;
    out->name = d->name;
    srcstats_get_report(d->stats, now, &out->stats);
    out->status = d->mem.status;
    out->state_char = select_status_char(d->mem.status);
    out->mark = select_sources_char(d->mem.status);
    out->sources_state = select_sources_state(d->mem.status);
    out->score = d->mem.score;
    out->lo_limit_s = d->mem.lo_limit_s;
    out->hi_limit_s = d->mem.hi_limit_s;
    out->last_sample_ago_s = d->mem.last_sample_ago_s;
    struct source_status ss;
    get_status(d, &rep, &ss);
    out->leap = ss.leap;
    out->leap_vote = d->mem.leap_vote;
    out->conf_options = o->sel_options;
    out->eff_options = d->eff_options;
    out->authenticated = o->key != SRCOPTS_NO_KEY || o->nts;
}

bool discipline_get_source(size_t index, struct discipline_source *out)
{
    if (!D.active || index >= D.n)
        return false;
    struct timespec now;
    discipline_now(&now);
    fill_source(D.src[index], &now, out);
    return true;
}

bool discipline_find_source(const addr_ip *ip, struct discipline_source *out)
{
    for (size_t i = 0; D.active && i < D.n; i++)
        if (addr_equal(&ntp_source_address(D.src[i]->src)->ip, ip))
            return discipline_get_source(i, out);
    return false;
}

void discipline_reselect(void)
{
    if (!D.active)
        return;
    select_reselect(D.sel);
    run_selection(-1);
}

void discipline_set_reselect_distance(double distance_s)
{
    if (!D.active)
        return;
    const struct conf_settings *s = conf_settings();
    struct select_settings ss;
    select_default_settings(&ss);
    ss.max_distance_s = s->max_distance_s;
    ss.max_jitter_s = s->max_jitter_s;
    ss.reselect_distance_s = distance_s;
    ss.stratum_weight_s = s->stratum_weight_s;
    ss.combine_limit = s->combine_limit;
    ss.min_sources = s->min_sources;
    ss.min_stratum = s->min_stratum;
    ss.max_stratum = s->max_stratum;
    ss.max_clock_error = s->max_clock_error_ppm / PPM;
    ss.orphan_stratum = s->local.enabled && s->local.orphan ? s->local.stratum : NTP_MAX_STRATUM;
    select_set_settings(D.sel, &ss);
}

bool discipline_make_step(void)
{
    if (!D.active)
        return false;
    struct timespec raw, now;
    read_clock(&raw, &now);
    double left = localclock_remaining_offset(D.lc, &raw);
    /* cancel the slew, then step the whole of it at once */
    localclock_accumulate(D.lc, &raw, localclock_get_frequency(D.lc), -left, 0.0);
    if (!localclock_step(D.lc, &raw, left)) {
        localclock_accumulate(D.lc, &raw, localclock_get_frequency(D.lc), left, 0.0);
        rearm_slew_timer();
        LOG_ERR("Could not step system clock");
        return false;
    }
    /* cooked time did not move: the correction was already counted */
    clock_event(DISCIPLINE_CLOCK_STEPPED, &now, 0.0, 0);
    rearm_slew_timer();
    log_step(left);
    leap_clock_stepped();
    return true;
}

void discipline_reset_sources(void)
{
    for (size_t i = 0; D.active && i < D.n; i++) {
        srcstats_reset(D.src[i]->stats);
        select_memory_init(&D.src[i]->mem);
        D.src[i]->loaded = false;
    }
    if (D.active) {
        select_reselect(D.sel);
        run_selection(-1);
    }
}

/* ---- chronyc: dfreq, doffset, maxupdateskew, makestep LIMIT, selectopts ---- */

/* Largest adjustment accepted at all, as chrony bounds it (2^32 s). */
#define MAX_ADJUSTMENT_S 4294967296.0

/* Whether the clock would still read a sane time (after 1970, within
 * reach of NTP timestamps) if moved back by offset_s from now. */
static bool adjustment_sane(const struct timespec *now, double offset_s)
{
    if (!(offset_s > -MAX_ADJUSTMENT_S && offset_s < MAX_ADJUSTMENT_S))
        return false;
    return ntptime_to_double(*now) - offset_s >= 0.0;
}

bool discipline_accumulate_frequency(double dfreq_ppm)
{
    if (!D.active || !isfinite(dfreq_ppm))
        return false;
    struct timespec raw, cooked;
    read_clock(&raw, &cooked);
    double old = localclock_get_frequency(D.lc);
    double wanted = old + dfreq_ppm * (PPM - old) / PPM;
    double limit = fmin(conf_settings()->max_drift_ppm, sysclock_max_frequency_ppm());
    if (fabs(wanted) > limit) {
        LOG_WARN("Frequency %.1f ppm exceeds allowed maximum", wanted);
        wanted = wanted > 0.0 ? limit : -limit;
    }
    double set = localclock_set_frequency(D.lc, &raw, wanted);
    tracking_set_frequency(D.tr, set);
    clock_changed(&cooked, (set - old) / (PPM - old), 0.0, false);
    rearm_slew_timer();
    return true;
}

bool discipline_accumulate_offset(double offset_s)
{
    if (!D.active)
        return false;
    struct timespec raw, cooked;
    read_clock(&raw, &cooked);
    if (!adjustment_sane(&cooked, offset_s)) {
        LOG_WARN("Adjustment of %.1f seconds is invalid", -offset_s);
        return false;
    }
    /* no correction-rate hint: as fast as maxslewrate allows */
    localclock_accumulate(D.lc, &raw, localclock_get_frequency(D.lc), offset_s, 0.0);
    clock_changed(&cooked, 0.0, offset_s, false);
    rearm_slew_timer();
    return true;
}

void discipline_set_max_update_skew(double skew_ppm)
{
    if (D.active)
        tracking_set_max_update_skew(D.tr, skew_ppm);
}

void discipline_set_makestep(double threshold_s, int limit)
{
    if (D.active)
        tracking_set_makestep(D.tr, threshold_s, limit);
}

/* The effective selection options (authselectmode) from the configured
 * ones, as the next selection will compute them, so that selectdata shows
 * a change at once; the sources' states wait for that selection. */
static void refresh_effective_options(void)
{
    size_t n = D.n, cap = n ? n : 1;
    unsigned *conf_opts = mem_calloc(cap, sizeof *conf_opts);
    unsigned *eff = mem_calloc(cap, sizeof *eff);
    bool *auth = mem_calloc(cap, sizeof *auth);
    bool *is_ntp = mem_calloc(cap, sizeof *is_ntp);
    for (size_t i = 0; i < n; i++) {
        conf_opts[i] = ntp_source_options(D.src[i]->src)->sel_options;
        auth[i] = authenticated(D.src[i]);
        is_ntp[i] = true;
    }
    select_effective_options(conf_opts, auth, is_ntp, (int)n, D.authselect_mode, eff);
    for (size_t i = 0; i < n; i++)
        D.src[i]->eff_options = eff[i];
    mem_free(conf_opts);
    mem_free(eff);
    mem_free(auth);
    mem_free(is_ntp);
}

bool discipline_modify_select_options(const addr_ip *ip, unsigned mask, unsigned options)
{
    if (!ntp_client_modify_select_options(ip, mask, options))
        return false;
    if (D.active)
        refresh_effective_options();
    return true;
}
