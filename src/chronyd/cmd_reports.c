/* cmd_reports: the monitoring replies of the command server. See
 * cmd_reports.h. Sources are numbered as ntp_client lists them (names not
 * resolved yet included, as chrony lists them); their selection state and
 * statistics come from the clock discipline. */
#include "chronyd/cmd_reports.h"

#include <math.h>
#include <string.h>

#include "chronyd/discipline.h"
#include "chronyd/manual_input.h"
#include "chronyd/ntp_client.h"
#include "chronyd/smoothing.h"
#include "common/cmdproto.h"
#include "common/ntptime.h"
#include "core/clientlog.h"
#include "core/reference.h"
#include "core/srcstats.h"
#include "platform/random.h"
#include "platform/sched.h"

#define NEVER_AGO 0xffffffffU           /* since_sample, last_ke_ago: none */
#define RESERVED_FILL 0xff              /* chrony fills reserved words with ones */
/* What chrony's source statistics say before any sample: a standard
 * deviation of 4 s and a skew of 2000 ppm (srcstats starts there too). */
#define NO_STATS_STD_DEV_S 4.0
#define NO_STATS_SKEW_PPM 2000.0
#define TIMESTAMP_CHAR_DAEMON 'D'

static uint32_t float_wire(double x)
{
    return cmdproto_float_to_wire(x);
}

static uint32_t u32_wire(uint32_t x)
{
    uint32_t v;
    cmdproto_put32(&v, x);
    return v;
}

static uint16_t u16_wire(uint16_t x)
{
    uint16_t v;
    cmdproto_put16(&v, x);
    return v;
}

/* Seconds as chrony sends an age: whole seconds, never negative. */
static uint32_t age_wire(double seconds)
{
    if (!(seconds > 0.0))
        return u32_wire(0);
    if (seconds >= (double)UINT32_MAX)
        return u32_wire(UINT32_MAX - 1);
    return u32_wire((uint32_t)seconds);
}

static int32_t index_of(const struct cmdmon_request *rq)
{
    return (int32_t)cmdproto_get32(&rq->data.index.index);
}

long cmd_reports_find_source(const addr_ip *ip)
{
    struct ntp_client_info info;
    for (size_t i = 0; ntp_client_get_info(i, &info); i++) {
        if (addr_equal(&info.remote.ip, ip))
            return (long)i;
    }
    return -1;
}

/* The polling interval an unresolved name reports: the one its engine will
 * start with (minpoll, checked as ntp_source_create() checks it, and not
 * below 1 s). */
static int initial_poll(const struct srcopts *opts)
{
    int poll = opts->minpoll < NTP_SOURCE_MIN_POLL ? SRCOPTS_DEFAULT_MINPOLL
             : opts->minpoll > NTP_SOURCE_MAX_POLL ? NTP_SOURCE_MAX_POLL : opts->minpoll;
    return poll < 0 ? 0 : poll;
}

/* ---- sources ---- */

void cmd_reports_n_sources(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    rp->reply = CANDM_RPY_N_SOURCES;
    rp->data.n_sources.n_sources = u32_wire((uint32_t)ntp_client_count());
}

/* The source a request names by its index (SOURCE_DATA, SOURCESTATS, ...);
 * false, with 503 No such source, when there is none. */
static bool source_by_index(const struct cmdmon_request *rq, struct cmdmon_reply *rp,
                            struct ntp_client_info *info)
{
    int32_t index = index_of(rq);
    if (index >= 0 && ntp_client_get_info((size_t)index, info))
        return true;
    rp->status = CANDM_STT_NOSUCHSOURCE;
    return false;
}

/* The source a request names by its address (NTP_SOURCE_NAME, NTP_DATA,
 * AUTH_DATA); false, with 503 No such source, when there is none. */
static bool source_by_address(const struct cmdmon_request *rq, struct cmdmon_reply *rp,
                              struct ntp_client_info *info)
{
    addr_ip ip;
    cmdmon_read_ip(&rq->data.address.ip, &ip);
    long index = cmd_reports_find_source(&ip);
    if (index >= 0 && ntp_client_get_info((size_t)index, info))
        return true;
    rp->status = CANDM_STT_NOSUCHSOURCE;
    return false;
}

/* What the clock discipline knows of a source: nothing while its name is
 * not resolved. */
static bool source_discipline(const struct ntp_client_info *info, struct discipline_source *ds)
{
    return info->resolved && discipline_find_source(&info->remote.ip, ds);
}

void cmd_reports_source_data(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct ntp_client_info info;
    if (!source_by_index(rq, rp, &info))
        return;
    struct candm_rpy_source_data *sd = &rp->data.source_data;
    struct discipline_source ds;
    bool known = source_discipline(&info, &ds);

    cmdproto_ip_to_wire(&info.remote.ip, &sd->ip_addr);
    sd->poll = u16_wire((uint16_t)(int16_t)(info.resolved ? info.report.poll
                                                         : initial_poll(info.opts)));
    sd->stratum = u16_wire((uint16_t)(info.report.have_status ? info.report.sel_stratum : 0));
    sd->state = u16_wire((uint16_t)(known ? ds.sources_state : CANDM_SD_STATE_NONSELECTABLE));
    sd->mode = u16_wire(CANDM_SD_MODE_CLIENT);
    sd->flags = 0;
    sd->reachability = u16_wire((uint16_t)info.report.reach);
    if (known && ds.stats.latest_meas_ago_s >= 0.0) {
        sd->since_sample = age_wire(ds.stats.latest_meas_ago_s);
        sd->orig_latest_meas = float_wire(ds.stats.orig_latest_meas_s);
        sd->latest_meas = float_wire(ds.stats.latest_meas_s);
        sd->latest_meas_err = float_wire(ds.stats.latest_meas_err_s);
    } else {
        sd->since_sample = u32_wire(NEVER_AGO);
    }
    rp->reply = CANDM_RPY_SOURCE_DATA;
}

void cmd_reports_source_name(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct ntp_client_info info;
    if (!source_by_address(rq, rp, &info))
        return;
    /* NUL-padded; a name of 256 characters or more fills the field */
    size_t len = strlen(info.name);
    uint8_t *name = rp->data.ntp_source_name.name;
    memcpy(name, info.name, len < CANDM_SOURCE_NAME_LEN ? len : CANDM_SOURCE_NAME_LEN);
    rp->reply = CANDM_RPY_NTP_SOURCE_NAME;
}

void cmd_reports_ntp_data(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct ntp_client_info info;
    if (!source_by_address(rq, rp, &info))
        return;
    const struct ntp_source_report *r = &info.report;
    struct candm_rpy_ntp_common *c = &rp->data.ntp_data2.c;
    struct discipline_source ds;
    double asymmetry = 0.0;
    if (source_discipline(&info, &ds))
        asymmetry = ds.stats.asymmetry;

    cmdproto_ip_to_wire(&info.remote.ip, &c->remote_addr);
    cmdproto_ip_to_wire(&info.local_addr, &c->local_addr);
    c->remote_port = u16_wire(info.remote.port);
    c->leap = (uint8_t)r->leap;
    c->version = (uint8_t)r->version;
    c->mode = (uint8_t)r->mode;
    c->stratum = (uint8_t)r->stratum;
    c->poll = (int8_t)r->remote_poll;
    c->precision = (int8_t)r->precision;
    c->root_delay = float_wire(r->root_delay_s);
    c->root_dispersion = float_wire(r->root_dispersion_s);
    c->ref_id = u32_wire(r->refid);
    cmdproto_timespec_to_wire(&r->ref_time, &c->ref_time);
    c->offset = float_wire(r->offset_s);
    c->peer_delay = float_wire(r->delay_s);
    c->peer_dispersion = float_wire(r->dispersion_s);
    c->response_time = float_wire(r->response_time_s);
    c->jitter_asymmetry = float_wire(asymmetry);
    /* no interleaved mode, no authentication yet: those flags stay 0 */
    c->flags = u16_wire((uint16_t)(r->tests & CANDM_NTP_FLAGS_TESTS));
    /* our transmit timestamps are read from the clock before sending */
    c->tx_tss_char = (uint8_t)(info.rx_ts_char ? TIMESTAMP_CHAR_DAEMON : 0);
    c->rx_tss_char = (uint8_t)info.rx_ts_char;
    c->total_tx_count = u32_wire((uint32_t)r->tx);
    c->total_rx_count = u32_wire((uint32_t)r->rx);
    c->total_valid_count = u32_wire((uint32_t)r->valid);
    c->total_good_count = u32_wire((uint32_t)r->good);

    rp->reply = rq->reply == CANDM_RPY_NTP_DATA ? CANDM_RPY_NTP_DATA : CANDM_RPY_NTP_DATA2;
    if (rp->reply == CANDM_RPY_NTP_DATA) {
        memset(rp->data.ntp_data.reserved, RESERVED_FILL, sizeof rp->data.ntp_data.reserved);
        return;
    }
    struct candm_rpy_ntp_data2 *d2 = &rp->data.ntp_data2;
    d2->total_kernel_tx_ts = 0;
    d2->total_kernel_rx_ts = u32_wire(info.kernel_rx_timestamps);
    d2->total_hw_tx_ts = 0;
    d2->total_hw_rx_ts = 0;
    memset(d2->reserved, RESERVED_FILL, sizeof d2->reserved);
}

void cmd_reports_activity(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    int32_t online = 0, offline = 0, burst_online = 0, burst_offline = 0, unresolved = 0;
    struct ntp_client_info info;
    for (size_t i = 0; ntp_client_get_info(i, &info); i++) {
        if (!info.resolved) {
            unresolved++;
            continue;
        }
        switch (info.report.state) {
        case NTP_SOURCE_ONLINE: online++; break;
        case NTP_SOURCE_OFFLINE: offline++; break;
        case NTP_SOURCE_BURST_ONLINE: burst_online++; break;
        case NTP_SOURCE_BURST_OFFLINE: burst_offline++; break;
        }
    }
    struct candm_rpy_activity *a = &rp->data.activity;
    a->online = (int32_t)u32_wire((uint32_t)online);
    a->offline = (int32_t)u32_wire((uint32_t)offline);
    a->burst_online = (int32_t)u32_wire((uint32_t)burst_online);
    a->burst_offline = (int32_t)u32_wire((uint32_t)burst_offline);
    a->unresolved = (int32_t)u32_wire((uint32_t)unresolved);
    rp->reply = CANDM_RPY_ACTIVITY;
}

/* ---- the server side ---- */

void cmd_reports_server_stats(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct clientlog_stats st;
    clientlog_get_stats(&st);

    if (rq->reply == CANDM_RPY_SERVER_STATS3) {
        /* chronyc 4.3: 32-bit counters, wrapping as chrony 4.3's did */
        struct candm_rpy_server_stats3 *s = &rp->data.server_stats3;
        s->ntp_hits = u32_wire((uint32_t)st.hits[CLIENTLOG_NTP]);
        s->nke_hits = u32_wire((uint32_t)st.hits[CLIENTLOG_NTSKE]);
        s->cmd_hits = u32_wire((uint32_t)st.hits[CLIENTLOG_CMD]);
        s->ntp_drops = u32_wire((uint32_t)st.drops[CLIENTLOG_NTP]);
        s->nke_drops = u32_wire((uint32_t)st.drops[CLIENTLOG_NTSKE]);
        s->cmd_drops = u32_wire((uint32_t)st.drops[CLIENTLOG_CMD]);
        s->log_drops = u32_wire((uint32_t)st.log_drops);
        s->ntp_auth_hits = u32_wire((uint32_t)st.ntp_auth_hits);
        s->ntp_interleaved_hits = u32_wire((uint32_t)st.ntp_interleaved_hits);
        s->ntp_timestamps = u32_wire((uint32_t)st.ntp_timestamps);
        s->ntp_span_seconds = u32_wire((uint32_t)st.ntp_span_seconds);
        rp->reply = CANDM_RPY_SERVER_STATS3;
        return;
    }
    struct candm_rpy_server_stats4 *s = &rp->data.server_stats4;
    cmdproto_int64_to_wire(st.hits[CLIENTLOG_NTP], &s->ntp_hits);
    cmdproto_int64_to_wire(st.hits[CLIENTLOG_NTSKE], &s->nke_hits);
    cmdproto_int64_to_wire(st.hits[CLIENTLOG_CMD], &s->cmd_hits);
    cmdproto_int64_to_wire(st.drops[CLIENTLOG_NTP], &s->ntp_drops);
    cmdproto_int64_to_wire(st.drops[CLIENTLOG_NTSKE], &s->nke_drops);
    cmdproto_int64_to_wire(st.drops[CLIENTLOG_CMD], &s->cmd_drops);
    cmdproto_int64_to_wire(st.log_drops, &s->log_drops);
    cmdproto_int64_to_wire(st.ntp_auth_hits, &s->ntp_auth_hits);
    cmdproto_int64_to_wire(st.ntp_interleaved_hits, &s->ntp_interleaved_hits);
    cmdproto_int64_to_wire(st.ntp_timestamps, &s->ntp_timestamps);
    cmdproto_int64_to_wire(st.ntp_span_seconds, &s->ntp_span_seconds);
    cmdproto_int64_to_wire(st.ntp_rx_timestamps[CLIENTLOG_TS_DAEMON], &s->ntp_daemon_rx_timestamps);
    cmdproto_int64_to_wire(st.ntp_tx_timestamps[CLIENTLOG_TS_DAEMON], &s->ntp_daemon_tx_timestamps);
    cmdproto_int64_to_wire(st.ntp_rx_timestamps[CLIENTLOG_TS_KERNEL], &s->ntp_kernel_rx_timestamps);
    cmdproto_int64_to_wire(st.ntp_tx_timestamps[CLIENTLOG_TS_KERNEL], &s->ntp_kernel_tx_timestamps);
    cmdproto_int64_to_wire(st.ntp_rx_timestamps[CLIENTLOG_TS_HARDWARE], &s->ntp_hw_rx_timestamps);
    cmdproto_int64_to_wire(st.ntp_tx_timestamps[CLIENTLOG_TS_HARDWARE], &s->ntp_hw_tx_timestamps);
    memset(s->reserved, RESERVED_FILL, sizeof s->reserved);
    rp->reply = CANDM_RPY_SERVER_STATS4;
}

void cmd_reports_clients(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    const struct candm_req_client_accesses *q = &rq->data.client_accesses;
    uint32_t first = cmdproto_get32(&q->first_index);
    uint32_t wanted = cmdproto_get32(&q->n_clients);
    uint32_t min_hits = cmdproto_get32(&q->min_hits);
    bool reset = cmdproto_get32(&q->reset) != 0;

    if (wanted > CANDM_MAX_CLIENT_ACCESSES)
        wanted = CANDM_MAX_CLIENT_ACCESSES;
    int n_indices = clientlog_capacity();
    if (n_indices < 0) {
        rp->status = CANDM_STT_INACTIVE;
        return;
    }

    struct candm_rpy_client_accesses *out = &rp->data.client_accesses;
    uint32_t i, j;
    for (i = first, j = 0; i < (uint32_t)n_indices && j < wanted; i++) {
        struct clientlog_client c;
        if (!clientlog_get_client((int)i, reset, min_hits, rq->now, &c))
            continue;
        struct candm_rpy_client *w = &out->clients[j++];
        cmdproto_ip_to_wire(&c.ip, &w->ip);
        w->ntp_hits = u32_wire(c.hits[CLIENTLOG_NTP]);
        w->nke_hits = u32_wire(c.hits[CLIENTLOG_NTSKE]);
        w->cmd_hits = u32_wire(c.hits[CLIENTLOG_CMD]);
        w->ntp_drops = u32_wire(c.drops[CLIENTLOG_NTP]);
        w->nke_drops = u32_wire(c.drops[CLIENTLOG_NTSKE]);
        w->cmd_drops = u32_wire(c.drops[CLIENTLOG_CMD]);
        w->ntp_interval = c.interval[CLIENTLOG_NTP];
        w->nke_interval = c.interval[CLIENTLOG_NTSKE];
        w->cmd_interval = c.interval[CLIENTLOG_CMD];
        w->ntp_timeout_interval = c.ntp_timeout_interval;
        w->last_ntp_hit_ago = u32_wire(c.last_hit_ago[CLIENTLOG_NTP]);
        w->last_nke_hit_ago = u32_wire(c.last_hit_ago[CLIENTLOG_NTSKE]);
        w->last_cmd_hit_ago = u32_wire(c.last_hit_ago[CLIENTLOG_CMD]);
    }
    out->n_indices = u32_wire((uint32_t)n_indices);
    out->next_index = u32_wire(i);
    out->n_clients = u32_wire(j);
    rp->reply = CANDM_RPY_CLIENT_ACCESSES_BY_INDEX3;
}

/* ---- authentication ---- */

void cmd_reports_auth_data(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct ntp_client_info info;
    if (!source_by_address(rq, rp, &info))
        return;
    /* No key is ever loaded and no NTS-KE session ever made yet: a source
     * configured with a key or NTS reports that mode with nothing known,
     * as chrony does for a key missing from its keyfile or before any
     * key exchange. */
    struct candm_rpy_auth_data *a = &rp->data.auth_data;
    uint16_t mode = info.opts->nts ? CANDM_AUTH_MODE_NTS
                  : info.opts->key != SRCOPTS_NO_KEY ? CANDM_AUTH_MODE_SYMMETRIC
                  : CANDM_AUTH_MODE_NONE;
    a->mode = u16_wire(mode);
    a->key_id = u32_wire(mode == CANDM_AUTH_MODE_SYMMETRIC ? info.opts->key : 0);
    a->last_ke_ago = u32_wire(NEVER_AGO);
    rp->reply = CANDM_RPY_AUTH_DATA;
}

/* ---- the clock ---- */

void cmd_reports_tracking(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct discipline_tracking dt;
    struct ntp_server_state st;
    discipline_get_tracking(&dt);
    /* What our NTP replies say (the local reference when it is active,
     * which chrony's tracking report shows too), read as they are served. */
    reference_get_server_state(rq->now, sched_now_mono(), random_u64(), &st);
    bool synchronised = reference_is_synchronised() && dt.rep.synchronised;

    struct candm_rpy_tracking *t = &rp->data.tracking;
    t->ref_id = u32_wire(st.refid);
    addr_ip none = { .family = ADDR_UNSPEC };
    cmdproto_ip_to_wire(synchronised ? &dt.ref_ip : &none, &t->ip_addr);
    t->stratum = u16_wire((uint16_t)(st.stratum >= NTP_MAX_STRATUM ? 0 : st.stratum));
    t->leap_status = u16_wire((uint16_t)st.leap);
    cmdproto_timespec_to_wire(&st.ref_time, &t->ref_time);
    t->current_correction = float_wire(dt.rep.system_time_s);
    t->last_offset = float_wire(dt.rep.last_offset_s);
    t->rms_offset = float_wire(dt.rep.rms_offset_s);
    t->freq_ppm = float_wire(dt.rep.freq_ppm);
    t->resid_freq_ppm = float_wire(synchronised ? dt.rep.resid_freq_ppm : 0.0);
    t->skew_ppm = float_wire(synchronised ? dt.rep.skew_ppm : 0.0);
    t->root_delay = float_wire(st.root_delay_s);
    t->root_dispersion = float_wire(st.root_dispersion_s);
    t->last_update_interval = float_wire(dt.rep.last_update_interval_s);
    rp->reply = CANDM_RPY_TRACKING;
}

void cmd_reports_sourcestats(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct ntp_client_info info;
    if (!source_by_index(rq, rp, &info))
        return;
    struct candm_rpy_sourcestats *s = &rp->data.sourcestats;
    struct discipline_source ds;

    /* chrony identifies an NTP source by its address as a reference ID
     * (none for a name not resolved yet) */
    s->ref_id = u32_wire(info.resolved ? addr_refid(&info.remote.ip) : 0);
    cmdproto_ip_to_wire(&info.remote.ip, &s->ip_addr);
    if (source_discipline(&info, &ds)) {
        s->n_samples = u32_wire((uint32_t)ds.stats.n_samples);
        s->n_runs = u32_wire((uint32_t)ds.stats.n_runs);
        s->span_seconds = u32_wire(ds.stats.span_s > 0.0 ? (uint32_t)lround(ds.stats.span_s) : 0);
        s->sd = float_wire(ds.stats.std_dev_s);
        s->resid_freq_ppm = float_wire(ds.stats.resid_freq_ppm);
        s->skew_ppm = float_wire(ds.stats.skew_ppm);
        s->est_offset = float_wire(ds.stats.est_offset_s);
        s->est_offset_err = float_wire(ds.stats.est_offset_err_s);
    } else {
        s->sd = float_wire(NO_STATS_STD_DEV_S);
        s->skew_ppm = float_wire(NO_STATS_SKEW_PPM);
    }
    rp->reply = CANDM_RPY_SOURCESTATS;
}

static uint16_t select_options_wire(unsigned options)
{
    return u16_wire((uint16_t)((options & SRCOPTS_SEL_NOSELECT ? CANDM_SD_OPTION_NOSELECT : 0) |
                               (options & SRCOPTS_SEL_PREFER ? CANDM_SD_OPTION_PREFER : 0) |
                               (options & SRCOPTS_SEL_TRUST ? CANDM_SD_OPTION_TRUST : 0) |
                               (options & SRCOPTS_SEL_REQUIRE ? CANDM_SD_OPTION_REQUIRE : 0)));
}

void cmd_reports_select_data(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct ntp_client_info info;
    int32_t index = index_of(rq);
    if (index < 0 || !ntp_client_get_info((size_t)index, &info)) {
        rp->status = CANDM_STT_NOSUCHSOURCE;
        return;
    }
    struct candm_rpy_select_data *s = &rp->data.select_data;
    struct discipline_source ds;

    s->ref_id = u32_wire(info.resolved ? addr_refid(&info.remote.ip) : 0);
    cmdproto_ip_to_wire(&info.remote.ip, &s->ip_addr);
    s->authentication = info.opts->key != SRCOPTS_NO_KEY || info.opts->nts;
    s->conf_options = select_options_wire(info.opts->sel_options);
    if (info.resolved && discipline_find_source(&info.remote.ip, &ds)) {
        s->state_char = (uint8_t)ds.state_char;
        s->leap = (uint8_t)ds.leap;
        s->conf_options = select_options_wire(ds.conf_options);
        s->eff_options = select_options_wire(ds.eff_options);
        s->last_sample_ago = age_wire(ds.last_sample_ago_s);
        s->score = float_wire(ds.score);
        s->lo_limit = float_wire(ds.lo_limit_s);
        s->hi_limit = float_wire(ds.hi_limit_s);
    } else {
        /* a name not resolved yet has no statistics */
        s->state_char = (uint8_t)select_status_char(SELECT_BAD_STATS);
        s->leap = NTP_LEAP_UNSYNC;
        s->eff_options = s->conf_options;
        s->score = float_wire(1.0);
    }
    rp->reply = CANDM_RPY_SELECT_DATA;
}

/* ---- facilities this chronyd does not have ---- */

void cmd_reports_rtc(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    rp->status = CANDM_STT_NORTC;
}

/* ---- time smoothing (chronyd/smoothing) ---- */

void cmd_reports_smoothing(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct smooth_report rep;
    if (!smoothing_get_report(&rep)) {
        rp->status = CANDM_STT_NOTENABLED;
        return;
    }
    struct candm_rpy_smoothing *sm = &rp->data.smoothing;
    sm->flags = u32_wire((rep.active ? CANDM_SMOOTHING_ACTIVE : 0) |
                         (rep.leap_only ? CANDM_SMOOTHING_LEAPONLY : 0));
    sm->offset = float_wire(rep.offset_s);
    sm->freq_ppm = float_wire(rep.freq_ppm);
    sm->wander_ppm = float_wire(rep.wander_ppm);
    sm->last_update_ago = float_wire(rep.last_update_ago_s);
    sm->remaining_time = float_wire(rep.remaining_time_s);
    rp->reply = CANDM_RPY_SMOOTHING;
}

void cmd_reports_manual_list(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    /* the samples, whether manual input is on or off (chrony) */
    struct manual_sample s[CANDM_MAX_MANUAL_LIST_SAMPLES];
    int n = manual_input_report(s, CANDM_MAX_MANUAL_LIST_SAMPLES);
    struct candm_rpy_manual_list *l = &rp->data.manual_list;
    rp->reply = CANDM_RPY_MANUAL_LIST2;
    l->n_samples = u32_wire((uint32_t)n);
    for (int i = 0; i < n; i++) {
        cmdproto_timespec_to_wire(&s[i].when, &l->samples[i].when);
        l->samples[i].slewed_offset = float_wire(s[i].offset_s);
        l->samples[i].orig_offset = float_wire(s[i].orig_offset_s);
        l->samples[i].residual = float_wire(s[i].residual_s);
    }
}
