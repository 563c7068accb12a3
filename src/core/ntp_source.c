/* ntp_source: client-mode protocol engine of one NTP source. The numbers and
 * rules follow chrony 4.3 (checked against Debian's chronyd on loopback). */
#include "core/ntp_source.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"

/* First request after going online, at the earliest (s). */
#define INITIAL_DELAY_S 0.2
/* Poll times are stretched by a random factor in [1, 1 + this] so sources
 * started together do not stay in step. */
#define SAMPLING_RANDOMNESS 0.02
/* Spacing of requests in a burst: at most this, and at most this share of
 * the polling interval. */
#define MAX_BURST_INTERVAL_S 2.0
#define MAX_BURST_POLL_RATIO 0.25
/* iburst: up to 8 requests (one register's worth) until 4 good samples. */
#define IBURST_GOOD_SAMPLES 4
#define IBURST_TOTAL_SAMPLES NTP_SOURCE_REACH_BITS
/* burst option: up to 4 requests until 1 good sample. */
#define BURST_GOOD_SAMPLES 1
#define MAX_BURST_TOTAL_SAMPLES 4
/* presend: the real request follows the warm-up one after this (s). */
#define WARM_UP_DELAY_S 2.0
/* A server holding a request longer than this is not trusted (s). */
#define MAX_SERVER_INTERVAL_S 4.0
/* Ranges of the delay options. */
#define MAX_MAXDELAY_S 1.0e3
#define MAX_MAXDELAYRATIO 1.0e6
#define MAX_MAXDELAYDEVRATIO 1.0e6
/* Sub-second polling only for reachable sources closer than this (s). */
#define MIN_NONLAN_POLL 0
#define MAX_LAN_PEER_DELAY_S 0.01
/* The next request is pushed back by this many polling intervals after a
 * KoD RATE (chrony ignores the poll in the KoD: ntpd gets it wrong). */
#define KOD_RATE_BACKOFF_POLLS 4.0
/* Poll score added per request sent without a response since the previous
 * one, and per valid response that gave no sample. */
#define UNREACH_POLL_ADJ 0.25
#define UNREACH_POLL_ADJ_SELECTED 0.1
#define BAD_RESPONSE_POLL_ADJ 0.1
/* Skew assumed while the statistics know nothing better (2000 ppm). */
#define WORST_CASE_SKEW 2000.0e-6
/* An offset is sane when under 2^32 s and it puts the time inside the NTP
 * era window timestamps are mapped to. */
#define MAX_SANE_OFFSET_S 4294967296.0
/* A timer may fire this much before the requested time (rounding). */
#define TIMER_SLACK_S 1.0e-6
/* Tries at a random transmit timestamp that differs from the previous one. */
#define TX_TS_TRIES 8
/* Precision field of our requests: 2^32 s, i.e. says nothing. */
#define CLIENT_PRECISION 32
/* Keeps the accumulated poll score (log2 units) far from int overflow. */
#define MAX_POLL_SCORE 64.0

struct ntp_source {
    addr_sock remote;
    struct srcopts opts;
    const struct ntp_source_env *env;

    /* configuration, checked */
    int minpoll, maxpoll;
    int min_stratum;
    int presend_minpoll;
    int poll_target;
    int version;
    double max_delay_s, max_delay_ratio, max_delay_dev_ratio;
    double offset_correction_s;
    bool auth_required;            /* key or NTS: not implemented, fail closed */

    enum ntp_source_state state;
    bool started;
    bool selected;
    int local_poll;
    double poll_score;
    int burst_good, burst_total;
    int presend_done;

    double next_tx_mono;           /* INFINITY: no request scheduled */
    double rx_deadline_mono;       /* negative: no response expected */
    double tx_mono;                /* last request; negative: never */
    bool request_pending;          /* built, waiting for request_sent() */

    /* the exchange */
    ntptime_ts64 local_ntp_tx;     /* random transmit timestamp of the last request */
    struct timespec local_tx;      /* when we really sent it (our clock) */
    ntptime_ts64 remote_ntp_rx, remote_ntp_tx;
    unsigned tx_count;             /* requests since the last valid response */

    unsigned reach;
    int reach_size;

    struct ntp_source_report report;
};

/* ---- small helpers ---- */

static double clamp_double(double lo, double x, double hi)
{
    if (!(x >= lo))                /* also NaN */
        return lo;
    return x > hi ? hi : x;
}

/* A random factor in [1, 1 + SAMPLING_RANDOMNESS]. */
static double random_stretch(struct ntp_source *src)
{
    uint32_t r = (uint32_t)(src->env->random(src->env->ctx) >> 32);
    return 1.0 + SAMPLING_RANDOMNESS * ((double)r / (double)UINT32_MAX);
}

static const char *addr_text(const struct ntp_source *src, char *buf, size_t len)
{
    return addr_format(&src->remote.ip, buf, len);
}

static bool is_online_state(enum ntp_source_state st)
{
    return st == NTP_SOURCE_ONLINE || st == NTP_SOURCE_BURST_ONLINE;
}

static bool is_burst_state(enum ntp_source_state st)
{
    return st == NTP_SOURCE_BURST_ONLINE || st == NTP_SOURCE_BURST_OFFLINE;
}

/* ---- reachability register ---- */

static void reach_update(struct ntp_source *src, bool reachable)
{
    src->reach = ((src->reach << 1) | (reachable ? 1U : 0U)) & ((1U << NTP_SOURCE_REACH_BITS) - 1);
    if (src->reach_size < NTP_SOURCE_REACH_BITS)
        src->reach_size++;
}

static void reach_reset(struct ntp_source *src)
{
    src->reach = 0;
    src->reach_size = 0;
    reach_update(src, false);
}

/* ---- statistics ---- */

static bool get_stats(const struct ntp_source *src, const struct timespec *when,
                      struct ntp_source_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!src->env->stats)
        return false;
    return src->env->stats(src->env->ctx, src, when, st);
}

/* Smallest delay known for the source, for the sub-second polling rule. */
static double min_delay(const struct ntp_source *src)
{
    struct ntp_source_stats st;
    if (get_stats(src, NULL, &st))
        return st.min_delay_s;
    if (src->report.have_sample)
        return src->report.last_sample.delay_s;
    return INFINITY;
}

/* ---- polling interval ---- */

void ntp_source_adjust_poll(struct ntp_source *src, double adj)
{
    if (!isfinite(adj))
        return;
    src->poll_score = clamp_double(-MAX_POLL_SCORE, src->poll_score + adj, MAX_POLL_SCORE);

    if (src->poll_score >= 1.0) {
        int whole = (int)src->poll_score;
        src->local_poll += whole;
        src->poll_score -= whole;
    }
    if (src->poll_score < 0.0) {
        int whole = (int)(src->poll_score - 1.0);
        src->local_poll += whole;
        src->poll_score -= whole;
    }

    if (src->local_poll < src->minpoll) {
        src->local_poll = src->minpoll;
        src->poll_score = 0.0;
    } else if (src->local_poll > src->maxpoll) {
        src->local_poll = src->maxpoll;
        src->poll_score = 1.0;
    }

    /* Sub-second polling only on a LAN, and only while it answers. */
    if (src->local_poll < MIN_NONLAN_POLL &&
        (src->reach == 0 || min_delay(src) > MAX_LAN_PEER_DELAY_S))
        src->local_poll = MIN_NONLAN_POLL;
}

double ntp_source_poll_adjustment(const struct ntp_source *src, double error_in_estimate_s,
                                  double peer_distance_s, int n_samples)
{
    if (peer_distance_s > 0.0 && error_in_estimate_s > peer_distance_s)
        return -log2(error_in_estimate_s / peer_distance_s);

    double target = src->poll_target;
    double adj = ((double)n_samples / target - 1.0) / target;
    /* shorten the interval faster than it grows */
    if (n_samples < src->poll_target)
        adj *= 2.0;
    return adj;
}

/* ---- schedule ---- */

/* Seconds until the next request: the polling interval, the warm-up delay
 * after a presend, or the burst spacing; less the time since the last
 * request unless called right after sending. */
static double transmit_delay(const struct ntp_source *src, bool on_tx, double now_mono)
{
    double delay = ntptime_log2_to_double(src->local_poll);

    if (is_burst_state(src->state))
        delay = fmin(MAX_BURST_INTERVAL_S, MAX_BURST_POLL_RATIO * delay);
    else if (src->presend_done)
        delay = WARM_UP_DELAY_S;

    if (!on_tx && src->tx_mono >= 0.0) {
        double since = now_mono - src->tx_mono;
        if (since > 0.0)
            delay -= since;
    }
    return delay > 0.0 ? delay : 0.0;
}

static void restart_timer(struct ntp_source *src, double now_mono, double delay)
{
    if (!src->started)
        return;
    src->next_tx_mono = now_mono + delay * random_stretch(src);
}

static void start_initial_timeout(struct ntp_source *src, double now_mono)
{
    /* keep at least a polling interval after a request sent before a short
     * offline period */
    double delay = src->tx_mono >= 0.0 ? transmit_delay(src, false, now_mono) : 0.0;
    if (delay < INITIAL_DELAY_S)
        delay = INITIAL_DELAY_S;
    restart_timer(src, now_mono, delay);
}

static void reset_exchange(struct ntp_source *src)
{
    src->tx_count = 0;
    src->presend_done = 0;
    src->request_pending = false;
    src->local_ntp_tx = (ntptime_ts64){ 0, 0 };
    src->remote_ntp_rx = (ntptime_ts64){ 0, 0 };
    src->remote_ntp_tx = (ntptime_ts64){ 0, 0 };
    /* local_tx and tx_mono stay: they keep the spacing of requests across
     * an offline period */
}

static void take_offline(struct ntp_source *src)
{
    src->state = NTP_SOURCE_OFFLINE;
    src->next_tx_mono = INFINITY;
    src->rx_deadline_mono = -1.0;
    reach_reset(src);
    reset_exchange(src);
}

static void initiate_burst(struct ntp_source *src, int good, int total, double now_mono)
{
    switch (src->state) {
    case NTP_SOURCE_BURST_ONLINE:
    case NTP_SOURCE_BURST_OFFLINE:
        break;                     /* one burst at a time */
    case NTP_SOURCE_ONLINE:
    case NTP_SOURCE_OFFLINE:
        src->state = src->state == NTP_SOURCE_ONLINE ? NTP_SOURCE_BURST_ONLINE
                                                     : NTP_SOURCE_BURST_OFFLINE;
        src->burst_good = good;
        src->burst_total = total;
        start_initial_timeout(src, now_mono);
        break;
    }
}

static void set_connectivity(struct ntp_source *src, bool online, double now_mono)
{
    if (online) {
        switch (src->state) {
        case NTP_SOURCE_OFFLINE:
            src->state = NTP_SOURCE_ONLINE;
            reset_exchange(src);
            start_initial_timeout(src, now_mono);
            if (src->opts.iburst)
                initiate_burst(src, IBURST_GOOD_SAMPLES, IBURST_TOTAL_SAMPLES, now_mono);
            break;
        case NTP_SOURCE_BURST_OFFLINE:
            src->state = NTP_SOURCE_BURST_ONLINE;
            break;
        default:
            break;
        }
    } else {
        switch (src->state) {
        case NTP_SOURCE_ONLINE:
            take_offline(src);
            break;
        case NTP_SOURCE_BURST_ONLINE:
            src->state = NTP_SOURCE_BURST_OFFLINE;   /* finish the burst first */
            break;
        default:
            break;
        }
    }
}

/* A change asked for by a command or auto_offline is logged (not the start). */
static void set_connectivity_logged(struct ntp_source *src, bool online, double now_mono)
{
    bool was_online = is_online_state(src->state);
    set_connectivity(src, online, now_mono);
    if (was_online != is_online_state(src->state)) {
        char buf[ADDR_STR_MAX];
        LOG_INFO("Source %s %s", addr_text(src, buf, sizeof buf),
                 is_online_state(src->state) ? "online" : "offline");
    }
}

/* ---- life cycle ---- */

static int check_poll(int poll, int fallback)
{
    if (poll < NTP_SOURCE_MIN_POLL)
        return fallback;
    return poll > NTP_SOURCE_MAX_POLL ? NTP_SOURCE_MAX_POLL : poll;
}

struct ntp_source *ntp_source_create(const addr_sock *remote, const struct srcopts *opts,
                                     const struct ntp_source_env *env)
{
    struct ntp_source *src = mem_calloc(1, sizeof *src);
    src->remote = *remote;
    src->opts = *opts;
    src->env = env;

    src->minpoll = check_poll(opts->minpoll, SRCOPTS_DEFAULT_MINPOLL);
    src->maxpoll = check_poll(opts->maxpoll, SRCOPTS_DEFAULT_MAXPOLL);
    if (src->maxpoll < src->minpoll)
        src->maxpoll = src->minpoll;

    src->min_stratum = opts->min_stratum;
    if (src->min_stratum >= NTP_MAX_STRATUM)
        src->min_stratum = NTP_MAX_STRATUM - 1;
    src->presend_minpoll = opts->presend;
    src->poll_target = opts->poll_target > 1 ? opts->poll_target : 1;
    src->version = NTP_VERSION;
    if (opts->version != 0)
        src->version = opts->version < NTP_MIN_COMPAT_VERSION ? NTP_MIN_COMPAT_VERSION
                     : opts->version > NTP_VERSION ? NTP_VERSION : opts->version;
    src->max_delay_s = clamp_double(0.0, opts->max_delay_s, MAX_MAXDELAY_S);
    src->max_delay_ratio = clamp_double(0.0, opts->max_delay_ratio, MAX_MAXDELAYRATIO);
    src->max_delay_dev_ratio = clamp_double(0.0, opts->max_delay_dev_ratio, MAX_MAXDELAYDEVRATIO);
    src->offset_correction_s = isfinite(opts->offset_s) ? opts->offset_s : 0.0;
    src->auth_required = opts->key != SRCOPTS_NO_KEY || opts->nts;

    src->state = NTP_SOURCE_OFFLINE;
    src->local_poll = src->minpoll > MIN_NONLAN_POLL ? src->minpoll : MIN_NONLAN_POLL;
    src->next_tx_mono = INFINITY;
    src->rx_deadline_mono = -1.0;
    src->tx_mono = -1.0;
    src->report.last_rx_mono = -1.0;
    reset_exchange(src);
    return src;
}

void ntp_source_destroy(struct ntp_source *src)
{
    mem_free(src);
}

void ntp_source_start(struct ntp_source *src, double now_mono)
{
    if (src->started)
        return;
    src->started = true;
    if (src->opts.online)
        set_connectivity(src, true, now_mono);
    /* a burst or online command may have come before the start */
    if (src->state != NTP_SOURCE_OFFLINE)
        start_initial_timeout(src, now_mono);
}

void ntp_source_set_online(struct ntp_source *src, bool online, double now_mono)
{
    set_connectivity_logged(src, online, now_mono);
}

enum ntp_source_state ntp_source_get_state(const struct ntp_source *src)
{
    return src->state;
}

void ntp_source_burst(struct ntp_source *src, int good, int total, double now_mono)
{
    if (good < 1 || total < good)
        return;
    initiate_burst(src, good, total, now_mono);
}

void ntp_source_reset_poll(struct ntp_source *src, double now_mono)
{
    src->poll_score = 0.0;
    if (src->local_poll != src->minpoll) {
        src->local_poll = src->minpoll;
        /* the pending request was timed with the longer interval */
        if (isfinite(src->next_tx_mono))
            restart_timer(src, now_mono, transmit_delay(src, false, now_mono));
    }
}

void ntp_source_set_selected(struct ntp_source *src, bool selected)
{
    src->selected = selected;
}

/* ---- requests ---- */

double ntp_source_next_tx(const struct ntp_source *src)
{
    return src->next_tx_mono;
}

double ntp_source_rx_deadline(const struct ntp_source *src)
{
    return src->rx_deadline_mono;
}

/* A transmit timestamp of pure random bits: our clock's reading never leaves
 * the host. It must differ from the previous one (so late answers to the
 * previous request fail the origin test) and from zero. */
static ntptime_ts64 random_transmit_ts(struct ntp_source *src)
{
    ntptime_ts64 ts = src->local_ntp_tx;
    for (int i = 0; i < TX_TS_TRIES; i++) {
        ts = ntptime_ts64_from_u64(src->env->random(src->env->ctx));
        if (!ntptime_ts64_is_zero(ts) && !ntptime_ts64_equal(ts, src->local_ntp_tx))
            return ts;
    }
    /* a broken random source: still keep the timestamp distinct */
    return ntptime_ts64_from_u64(ntptime_ts64_to_u64(src->local_ntp_tx) + 1);
}

size_t ntp_source_make_request(struct ntp_source *src, double now_mono, uint8_t *buf,
                               size_t cap)
{
    if (!src->started || src->state == NTP_SOURCE_OFFLINE || cap < NTP_HEADER_LENGTH ||
        now_mono + TIMER_SLACK_S < src->next_tx_mono)
        return 0;
    src->next_tx_mono = INFINITY;

    switch (src->state) {
    case NTP_SOURCE_BURST_ONLINE:
        /* an online burst returns to normal polling before its last request */
        if (src->burst_total <= 1)
            src->state = NTP_SOURCE_ONLINE;
        break;
    case NTP_SOURCE_BURST_OFFLINE:
        if (src->burst_total <= 0) {
            take_offline(src);
            return 0;
        }
        break;
    case NTP_SOURCE_ONLINE:
        /* burst option: a burst per poll, as long as the average interval
         * stays at or above minpoll */
        if (src->opts.burst && src->local_poll > src->minpoll) {
            int n = src->local_poll - src->minpoll >= 2 ? MAX_BURST_TOTAL_SAMPLES
                                                         : 1 << (src->local_poll - src->minpoll);
            initiate_burst(src, BURST_GOOD_SAMPLES, n, now_mono);
            src->next_tx_mono = INFINITY;   /* this request is the burst's first */
        }
        break;
    case NTP_SOURCE_OFFLINE:
        return 0;
    }

    /* presend: a warm-up exchange before each long poll, outside bursts.
     * As in chrony, a burst ended by enough good samples leaves its unused
     * request count behind, which keeps presend off until the next burst
     * (so iburst disables presend; checked against chronyd 4.3). */
    if (src->presend_minpoll <= src->local_poll && !src->presend_done && !src->burst_total)
        src->presend_done = 1;
    else if (src->presend_done > 0)
        src->presend_done--;

    /* chrony's client requests reveal nothing about our clock: leap 0,
     * stratum 0, precision 32, no reference data, zero origin and receive
     * timestamps, and a random transmit timestamp */
    struct ntp_packet_header hdr;
    memset(&hdr, 0, sizeof hdr);
    hdr.leap = NTP_LEAP_NORMAL;
    hdr.version = src->version;
    hdr.mode = NTP_MODE_CLIENT;
    hdr.stratum = NTP_INVALID_STRATUM;
    hdr.poll = src->local_poll;
    hdr.precision = CLIENT_PRECISION;
    hdr.transmit_ts = random_transmit_ts(src);

    size_t len = 0;
    if (!ntp_packet_write_header(&hdr, buf, cap, &len))
        return 0;
    src->local_ntp_tx = hdr.transmit_ts;
    src->request_pending = true;
    return len;
}

void ntp_source_request_sent(struct ntp_source *src, double now_mono,
                             const struct timespec *tx_time, bool sent)
{
    if (!src->request_pending)
        return;
    src->request_pending = false;
    src->local_tx = *tx_time;
    src->tx_mono = now_mono;

    src->tx_count++;
    if (sent)
        src->report.tx++;

    /* A second request without a response in between: a lost poll. Back
     * off while the packets still go out (slowly for the selected source). */
    if (src->tx_count >= 2) {
        if (sent)
            ntp_source_adjust_poll(src, src->selected ? UNREACH_POLL_ADJ_SELECTED
                                                      : UNREACH_POLL_ADJ);
        reach_update(src, false);
    }

    if (!sent && src->opts.auto_offline)
        set_connectivity_logged(src, false, now_mono);

    switch (src->state) {
    case NTP_SOURCE_BURST_ONLINE:
        /* an unreachable source's burst waits until sending works */
        if (!sent && src->reach == 0)
            break;
        src->burst_total--;
        break;
    case NTP_SOURCE_BURST_OFFLINE:
        src->burst_total--;
        break;
    case NTP_SOURCE_OFFLINE:
        return;
    case NTP_SOURCE_ONLINE:
        break;
    }

    restart_timer(src, now_mono, transmit_delay(src, true, now_mono));
    /* replies slower than maxdelay + 4 s would fail the tests anyway */
    src->rx_deadline_mono = sent ? now_mono + src->max_delay_s + MAX_SERVER_INTERVAL_S : -1.0;
}

/* ---- responses ---- */

const char *ntp_source_rx_name(enum ntp_source_rx r)
{
    static const char *const names[NTP_SOURCE_RX_COUNT] = {
        [NTP_SOURCE_RX_GOOD] = "good",
        [NTP_SOURCE_RX_WRONG_ADDRESS] = "wrong address",
        [NTP_SOURCE_RX_NOT_POLLING] = "source offline",
        [NTP_SOURCE_RX_WRONG_MODE] = "wrong mode",
        [NTP_SOURCE_RX_BAD_VERSION] = "bad version",
        [NTP_SOURCE_RX_LATE] = "no request waiting",
        [NTP_SOURCE_RX_DUPLICATE] = "duplicate",
        [NTP_SOURCE_RX_BOGUS] = "origin mismatch",
        [NTP_SOURCE_RX_ZERO_TIMESTAMP] = "zero timestamp",
        [NTP_SOURCE_RX_AUTH] = "authentication",
        [NTP_SOURCE_RX_KOD_RATE] = "KoD RATE",
        [NTP_SOURCE_RX_KOD] = "KoD",
        [NTP_SOURCE_RX_UNSYNCHRONISED] = "unsynchronised",
        [NTP_SOURCE_RX_ROOT_DISTANCE] = "root distance",
        [NTP_SOURCE_RX_MAXDELAY] = "maxdelay",
        [NTP_SOURCE_RX_WARM_UP] = "presend",
        [NTP_SOURCE_RX_BAD_OFFSET] = "offset out of range",
        [NTP_SOURCE_RX_SERVER_INTERVAL] = "server interval",
        [NTP_SOURCE_RX_MAXDELAYRATIO] = "maxdelayratio",
        [NTP_SOURCE_RX_MAXDELAYDEVRATIO] = "maxdelaydevratio",
    };
    if ((unsigned)r >= NTP_SOURCE_RX_COUNT)
        return "unknown";
    return names[r];
}

/* The offset must put the time inside the window NTP timestamps map to. */
static bool offset_sane(struct timespec when, double offset_s)
{
    if (!(offset_s > -MAX_SANE_OFFSET_S && offset_s < MAX_SANE_OFFSET_S))
        return false;
    double t = ntptime_to_double(when) + offset_s;
    return t >= (double)NTPTIME_DEFAULT_ERA_START &&
           t <= (double)NTPTIME_DEFAULT_ERA_START + (double)NTPTIME_ERA_SECONDS;
}

/* maxdelayratio: the delay against the smallest one in the statistics. */
static bool delay_ratio_ok(const struct ntp_source *src, const struct ntp_source_stats *st,
                           bool have_stats, double delay_s)
{
    if (src->max_delay_ratio < 1.0 || !have_stats || !st->have_delay_data)
        return true;
    double limit = st->min_delay_s * src->max_delay_ratio +
                   st->last_sample_ago_s * (st->skew + src->env->max_clock_error);
    return delay_s <= limit;
}

/* maxdelaydevratio: the increase of the delay against the offsets' standard
 * deviation, unless the offset moved even more than the delay grew. */
static bool delay_dev_ratio_ok(const struct ntp_source *src, const struct ntp_source_stats *st,
                               bool have_stats, double offset_s, double delay_s)
{
    if (!have_stats || !st->have_delay_data)
        return true;
    double max_delta = st->std_dev_s * src->max_delay_dev_ratio +
                       st->last_sample_ago_s * (st->skew + src->env->max_clock_error);
    double delta = (delay_s - st->min_delay_s) / 2.0;
    if (delta <= max_delta)
        return true;
    double error_in_estimate = offset_s + st->predicted_offset_s;
    return fabs(error_in_estimate) - delta > max_delta;
}

struct measurement {
    struct ntp_source_sample sample;
    double response_time_s;
    bool test_a, test_b, test_c, test_d;
    enum ntp_source_rx why_not_a;
};

/* Offset, delay and dispersion from the four timestamps (RFC 5905 theta and
 * delta, computed as chrony does from interval midpoints), then tests A-D. */
static void measure(const struct ntp_source *src, const struct ntp_packet_info *info,
                    const struct timespec *rx_time, struct measurement *m)
{
    const struct ntp_packet_header *h = &info->hdr;
    struct ntp_source_sample *s = &m->sample;

    struct timespec remote_rx = ntptime_from_ts64(h->receive_ts, NTPTIME_DEFAULT_ERA_START);
    struct timespec remote_tx = ntptime_from_ts64(h->transmit_ts, NTPTIME_DEFAULT_ERA_START);
    double remote_interval = ntptime_diff(remote_tx, remote_rx);
    double local_interval = ntptime_diff(*rx_time, src->local_tx);
    struct timespec remote_mid = ntptime_add_double(remote_rx, remote_interval / 2.0);
    struct timespec local_mid = ntptime_add_double(src->local_tx, local_interval / 2.0);

    m->response_time_s = fabs(remote_interval);
    double precision = src->env->precision_s + ntptime_log2_to_double(h->precision);

    /* a negative delay (clocks running at different rates, or a lying
     * server) counts by its size */
    s->delay_s = fabs(local_interval - remote_interval);
    if (s->delay_s < precision)
        s->delay_s = precision;
    s->offset_s = ntptime_diff(remote_mid, local_mid) + src->offset_correction_s;
    s->time = local_mid;

    struct ntp_source_stats st;
    bool have_stats = get_stats(src, &s->time, &st);
    double skew = have_stats ? fmin(fabs(st.skew), WORST_CASE_SKEW) : WORST_CASE_SKEW;

    /* Our timestamps carry no error estimate of their own, so the precision
     * terms stand for it; skew * interval is chrony's frequency-tolerance
     * term (RFC 5905 uses PHI = 15 ppm instead of the measured skew). */
    s->dispersion_s = precision + skew * fabs(local_interval);
    s->root_delay_s = info->root_delay_s + s->delay_s;
    s->root_dispersion_s = info->root_dispersion_s + s->dispersion_s;
    s->stratum = h->stratum > src->min_stratum ? h->stratum : src->min_stratum;
    s->leap = h->leap;
    s->refid = h->refid;

    m->why_not_a = NTP_SOURCE_RX_GOOD;
    if (!(s->delay_s - s->dispersion_s <= src->max_delay_s) || !(precision <= src->max_delay_s))
        m->why_not_a = NTP_SOURCE_RX_MAXDELAY;
    else if (src->presend_done > 0)
        m->why_not_a = NTP_SOURCE_RX_WARM_UP;
    else if (!offset_sane(s->time, s->offset_s))
        m->why_not_a = NTP_SOURCE_RX_BAD_OFFSET;
    else if (m->response_time_s > MAX_SERVER_INTERVAL_S)
        m->why_not_a = NTP_SOURCE_RX_SERVER_INTERVAL;
    m->test_a = m->why_not_a == NTP_SOURCE_RX_GOOD;
    m->test_b = delay_ratio_ok(src, &st, have_stats, s->delay_s);
    m->test_c = delay_dev_ratio_ok(src, &st, have_stats, s->offset_s, s->delay_s);
    m->test_d = true;              /* synchronisation loop test: not yet */
}

static enum ntp_source_rx reject(struct ntp_source *src, enum ntp_source_rx why)
{
    src->report.rejected[why]++;
    return why;
}

enum ntp_source_rx ntp_source_process_response(struct ntp_source *src,
                                               const struct ntp_packet_info *info,
                                               const addr_sock *from,
                                               const struct timespec *rx_time,
                                               double now_mono)
{
    const struct ntp_packet_header *h = &info->hdr;

    if (!addr_equal(&from->ip, &src->remote.ip) || from->port != src->remote.port)
        return reject(src, NTP_SOURCE_RX_WRONG_ADDRESS);
    /* chrony would not even read these: its client socket is closed */
    if (!src->started || src->state == NTP_SOURCE_OFFLINE)
        return reject(src, NTP_SOURCE_RX_NOT_POLLING);
    if (src->rx_deadline_mono < 0.0 || now_mono > src->rx_deadline_mono)
        return reject(src, NTP_SOURCE_RX_LATE);

    src->report.rx++;
    if (h->mode != NTP_MODE_SERVER)
        return reject(src, NTP_SOURCE_RX_WRONG_MODE);
    if (h->version < NTP_MIN_COMPAT_VERSION || h->version > NTP_MAX_COMPAT_VERSION)
        return reject(src, NTP_SOURCE_RX_BAD_VERSION);

    /* RFC 5905 section 8 tests (true = passed) */
    bool test1 = !ntptime_ts64_equal(h->receive_ts, src->remote_ntp_rx) ||
                 !ntptime_ts64_equal(h->transmit_ts, src->remote_ntp_tx);
    bool test2 = ntptime_ts64_equal(h->originate_ts, src->local_ntp_tx);
    bool test3 = !ntptime_ts64_is_zero(h->originate_ts) && !ntptime_ts64_is_zero(h->receive_ts) &&
                 !ntptime_ts64_is_zero(h->transmit_ts);
    bool test5 = !src->auth_required && info->auth == NTP_PACKET_AUTH_NONE;
    bool test6 = h->leap != NTP_LEAP_UNSYNC && h->stratum != NTP_INVALID_STRATUM &&
                 h->stratum < NTP_MAX_STRATUM;
    bool test7 = info->root_delay_s / 2.0 + info->root_dispersion_s < NTP_SOURCE_MAX_DISPERSION_S;
    bool valid = test1 && test2 && test3 && test5;
    bool synced = valid && test6 && test7;
    bool kiss = h->leap == NTP_LEAP_UNSYNC && h->stratum == NTP_INVALID_STRATUM;
    bool kod_rate = test1 && test2 && test5 && kiss && h->refid == NTP_KOD_RATE;

    struct measurement m;
    memset(&m, 0, sizeof m);
    if (synced)
        measure(src, info, rx_time, &m);
    bool good = synced && m.test_a && m.test_b && m.test_c && m.test_d;

    /* One response per request: a valid one closes the receive window
     * (below), and its timestamps make replays fail test 1 later. */
    if (valid) {
        src->remote_ntp_rx = h->receive_ts;
        src->remote_ntp_tx = h->transmit_ts;
    }

    unsigned tests = (test1 ? NTP_SOURCE_TEST_1 : 0) | (test2 ? NTP_SOURCE_TEST_2 : 0) |
                     (test3 ? NTP_SOURCE_TEST_3 : 0) | (test5 ? NTP_SOURCE_TEST_5 : 0) |
                     (test6 ? NTP_SOURCE_TEST_6 : 0) | (test7 ? NTP_SOURCE_TEST_7 : 0) |
                     (m.test_a ? NTP_SOURCE_TEST_A : 0) | (m.test_b ? NTP_SOURCE_TEST_B : 0) |
                     (m.test_c ? NTP_SOURCE_TEST_C : 0) | (m.test_d ? NTP_SOURCE_TEST_D : 0);

    enum ntp_source_rx why;
    if (!test1)
        why = NTP_SOURCE_RX_DUPLICATE;
    else if (!test2)
        why = NTP_SOURCE_RX_BOGUS;
    else if (!test3)
        why = NTP_SOURCE_RX_ZERO_TIMESTAMP;
    else if (!test5)
        why = NTP_SOURCE_RX_AUTH;
    else if (kod_rate)
        why = NTP_SOURCE_RX_KOD_RATE;
    else if (kiss && h->refid != 0)
        why = NTP_SOURCE_RX_KOD;
    else if (!test6)
        why = NTP_SOURCE_RX_UNSYNCHRONISED;
    else if (!test7)
        why = NTP_SOURCE_RX_ROOT_DISTANCE;
    else if (!m.test_a)
        why = m.why_not_a;
    else if (!m.test_b)
        why = NTP_SOURCE_RX_MAXDELAYRATIO;
    else if (!m.test_c)
        why = NTP_SOURCE_RX_MAXDELAYDEVRATIO;
    else
        why = NTP_SOURCE_RX_GOOD;

    char buf[ADDR_STR_MAX];
    LOG_DEBUG("NTP response from %s: tests %03o %04o stratum %d leap %d offset %.9f delay %.9f: %s",
              addr_text(src, buf, sizeof buf), tests >> 4, tests & 0xf, h->stratum, h->leap,
              m.sample.offset_s, m.sample.delay_s, ntp_source_rx_name(why));

    if (!valid)
        return reject(src, why);

    struct ntp_source_report *r = &src->report;
    src->tx_count = 0;
    reach_update(src, synced);
    if (synced) {
        r->have_status = true;
        r->sel_stratum = m.sample.stratum;
        r->sel_leap = h->leap;
    }

    if (good) {
        r->have_sample = true;
        r->last_sample = m.sample;
        if (src->env->sample)
            src->env->sample(src->env->ctx, src, &m.sample);
        if (is_burst_state(src->state) && --src->burst_good <= 0) {
            if (src->state == NTP_SOURCE_BURST_ONLINE)
                src->state = NTP_SOURCE_ONLINE;
            else
                take_offline(src);
        }
    } else {
        /* slowly lengthen the interval while responses are unusable */
        ntp_source_adjust_poll(src, BAD_RESPONSE_POLL_ADJ);
    }

    /* the client socket closes after the valid response */
    src->rx_deadline_mono = -1.0;

    if (src->state != NTP_SOURCE_OFFLINE) {
        double delay = transmit_delay(src, false, now_mono);
        if (kod_rate) {
            LOG_WARN("Received KoD RATE from %s", addr_text(src, buf, sizeof buf));
            delay += KOD_RATE_BACKOFF_POLLS * ntptime_log2_to_double(src->local_poll);
            if (is_burst_state(src->state))
                src->burst_good = 0;
        }
        restart_timer(src, now_mono, delay);
    }

    r->last_rx_mono = now_mono;
    r->leap = h->leap;
    r->version = h->version;
    r->mode = h->mode;
    r->stratum = h->stratum;
    r->remote_poll = h->poll;
    r->precision = h->precision;
    r->root_delay_s = info->root_delay_s;
    r->root_dispersion_s = info->root_dispersion_s;
    r->refid = h->refid;
    r->ref_time = ntptime_from_ts64(h->reference_ts, NTPTIME_DEFAULT_ERA_START);
    r->offset_s = m.sample.offset_s;
    r->delay_s = m.sample.delay_s;
    r->dispersion_s = m.sample.dispersion_s;
    r->response_time_s = m.response_time_s;
    r->tests = tests;
    r->valid++;
    if (good)
        r->good++;
    if (kiss && h->refid != 0)
        r->kod++;

    if (!good)
        return reject(src, why);
    return NTP_SOURCE_RX_GOOD;
}

/* ---- clock adjustments ---- */

static void slew_timestamp(struct timespec *ts, const struct timespec *when, double dfreq,
                           double doffset)
{
    if (ntptime_is_zero(*ts))
        return;
    double elapsed = ntptime_diff(*when, *ts);
    *ts = ntptime_add_double(*ts, elapsed * dfreq - doffset);
}

void ntp_source_slew_times(struct ntp_source *src, const struct timespec *when, double dfreq,
                           double doffset)
{
    slew_timestamp(&src->local_tx, when, dfreq, doffset);
}

double ntp_source_asymmetry_correction(double asymmetry, double delay_s, double min_delay_s)
{
    return asymmetry * (delay_s - min_delay_s);
}

/* ---- monitoring ---- */

const addr_sock *ntp_source_address(const struct ntp_source *src)
{
    return &src->remote;
}

const struct srcopts *ntp_source_options(const struct ntp_source *src)
{
    return &src->opts;
}

void ntp_source_get_report(const struct ntp_source *src, struct ntp_source_report *out)
{
    *out = src->report;
    out->remote = src->remote;
    out->state = src->state;
    out->poll = src->local_poll;
    out->minpoll = src->minpoll;
    out->maxpoll = src->maxpoll;
    out->reach = src->reach;
    out->reach_size = src->reach_size;
    out->polls_unanswered = src->tx_count;
}

/* ---- the modify commands ---- */

static bool poll_in_range(double value)
{
    return value >= NTP_SOURCE_MIN_POLL && value <= NTP_SOURCE_MAX_POLL;
}

void ntp_source_modify(struct ntp_source *src, enum ntp_source_setting what, double value)
{
    char buf[ADDR_STR_MAX];
    const char *addr = addr_text(src, buf, sizeof buf);

    if (!isfinite(value))
        return;
    switch (what) {
    case NTP_SOURCE_SET_MINPOLL:
        if (!poll_in_range(value))
            return;
        src->minpoll = (int)value;
        LOG_INFO("Source %s new minpoll %d", addr, src->minpoll);
        if (src->maxpoll < src->minpoll)
            ntp_source_modify(src, NTP_SOURCE_SET_MAXPOLL, src->minpoll);
        break;
    case NTP_SOURCE_SET_MAXPOLL:
        if (!poll_in_range(value))
            return;
        src->maxpoll = (int)value;
        LOG_INFO("Source %s new maxpoll %d", addr, src->maxpoll);
        if (src->minpoll > src->maxpoll)
            ntp_source_modify(src, NTP_SOURCE_SET_MINPOLL, src->maxpoll);
        break;
    case NTP_SOURCE_SET_MAX_DELAY:
        src->max_delay_s = clamp_double(0.0, value, MAX_MAXDELAY_S);
        LOG_INFO("Source %s new maxdelay %f", addr, src->max_delay_s);
        break;
    case NTP_SOURCE_SET_MAX_DELAY_RATIO:
        src->max_delay_ratio = clamp_double(0.0, value, MAX_MAXDELAYRATIO);
        LOG_INFO("Source %s new maxdelayratio %f", addr, src->max_delay_ratio);
        break;
    case NTP_SOURCE_SET_MAX_DELAY_DEV_RATIO:
        src->max_delay_dev_ratio = clamp_double(0.0, value, MAX_MAXDELAYDEVRATIO);
        LOG_INFO("Source %s new maxdelaydevratio %f", addr, src->max_delay_dev_ratio);
        break;
    case NTP_SOURCE_SET_MIN_STRATUM:
        /* kept in the range ntp_source_create() allows */
        src->min_stratum = (int)clamp_double(0.0, value, NTP_MAX_STRATUM - 1);
        LOG_INFO("Source %s new minstratum %d", addr, src->min_stratum);
        break;
    case NTP_SOURCE_SET_POLL_TARGET:
        src->poll_target = (int)clamp_double(1.0, value, INT_MAX);
        LOG_INFO("Source %s new polltarget %d", addr, src->poll_target);
        break;
    case NTP_SOURCE_SET_OFFSET:
        src->offset_correction_s = value;
        LOG_INFO("Source %s new offset %f", addr, value);
        break;
    }
}

void ntp_source_reset(struct ntp_source *src, double now_mono)
{
    src->reach = 0;
    src->reach_size = 0;
    src->report.have_status = false;
    src->report.sel_stratum = 0;
    src->report.sel_leap = NTP_LEAP_UNSYNC;
    reset_exchange(src);
    ntp_source_reset_poll(src, now_mono);
}

/* ---- selectopts ---- */

void ntp_source_set_select_options(struct ntp_source *src, unsigned options)
{
    src->opts.sel_options = options;
}
