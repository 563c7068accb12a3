/* ntp_serve: the NTP server's sockets and per-request path. See ntp_serve.h. */
#include "chronyd/ntp_serve.h"

#include <errno.h>
#include <string.h>

#include "chronyd/smoothing.h"
#include "common/addr.h"
#include "common/log.h"
#include "common/ntptime.h"
#include "core/acl.h"
#include "core/clientlog.h"
#include "core/ntp_server.h"
#include "core/reference.h"
#include "platform/clockprec.h"
#include "platform/random.h"
#include "platform/sched.h"
#include "platform/udp.h"

/* At most this many batches are read per wake-up, so that timers and other
 * descriptors still get their turn under a flood. */
#define MAX_BATCHES_PER_WAKEUP 4
/* Random 64-bit words fetched from the kernel at once (two per reply). */
#define RANDOM_POOL_WORDS 256
#define MAX_SOCKETS 2

struct server_socket {
    int fd;
    int family;
};

/* Interleaved-mode bookkeeping of a reply being built. */
struct pending {
    bool save_timestamps;          /* candidate: remember our transmit time */
    uint8_t stamp;                 /* smoothtime: SMOOTHING_CLIENT or _PEER */
};

static bool initialised;
static struct server_socket sockets[MAX_SOCKETS];
static int n_sockets;
static struct acl *ntp_acl;
static int precision;
static double precision_s;         /* the clock's precision (quantum) */
static struct ntp_serve_stats stats;

/* Batch buffers, reused for every batch (no allocation per request). */
static uint8_t rx_bufs[UDP_MAX_BATCH][NTP_MAX_PACKET_LENGTH];
static udp_msg rx_msgs[UDP_MAX_BATCH];
static struct ntp_server_reply replies[UDP_MAX_BATCH];
static struct pending pending[UDP_MAX_BATCH];

static uint64_t random_pool[RANDOM_POOL_WORDS];
static unsigned random_left;

static uint64_t next_random(void)
{
    if (random_left == 0) {
        random_bytes(random_pool, sizeof random_pool);
        random_left = RANDOM_POOL_WORDS;
    }
    return random_pool[--random_left];
}

/* chrony asks the kernel to send a reply through the interface the request
 * came in on only for link-local clients. */
static bool is_link_local(const addr_ip *ip)
{
    if (ip->family == ADDR_INET4)
        return (ip->a.in4 >> 16) == 0xa9feU;                  /* 169.254/16 */
    if (ip->family == ADDR_INET6)
        return ip->a.in6[0] == 0xfe && (ip->a.in6[1] & 0xc0) == 0x80;   /* fe80::/10 */
    return false;
}

/* Checks one request and builds its reply; false if it gets none. */
/* smoothtime (chronyd/smoothing): the stamps of the batch being served,
 * or NULL without smoothtime, when the hot path pays one branch per
 * request and per reply. */
static struct smoothing_batch smoothing_storage;
static struct smoothing_batch *batch_smooth;

static bool handle_request(const udp_msg *m, const struct ntp_server_template *tmpl,
                           struct ntp_server_reply *reply, struct pending *p)
{
    struct ntp_packet_info info;

    stats.bytes_in += m->len;
    if (m->truncated) {
        stats.malformed++;
        stats.malformed_by[NTP_PACKET_TOO_LONG]++;
        return false;
    }
    /* the reply needs the header fields as they are, not as times */
    enum ntp_packet_error err = ntp_packet_parse_raw(m->buf, m->len, &info);
    if (err != NTP_PACKET_OK) {
        stats.malformed++;
        stats.malformed_by[err]++;
        return false;
    }
    if (!acl_check(ntp_acl, &m->remote.ip)) {
        stats.denied++;
        return false;
    }
    if (ntp_server_reply_mode(&info, m->remote.port) < 0) {
        stats.bad_mode++;
        return false;
    }

    int index = clientlog_log_access(CLIENTLOG_NTP, &m->remote.ip, m->rx_ts);
    enum clientlog_limit limit =
        index >= 0 ? clientlog_limit_rate(CLIENTLOG_NTP, index) : CLIENTLOG_PASS;
    if (limit == CLIENTLOG_DROP) {
        stats.rate_limited++;
        return false;
    }
    /* No keyfile support yet: every authenticated request fails its check,
     * and chrony drops those (before the interleaved-mode bookkeeping). */
    if (info.auth != NTP_PACKET_AUTH_NONE) {
        stats.auth_failed++;
        return false;
    }

    struct ntp_server_request req = {
        .data = m->buf,
        .len = m->len,
        .info = &info,
        .remote_port = m->remote.port,
        .rx_time = m->rx_ts,
        .kod = limit == CLIENTLOG_KOD,
        .min_poll = clientlog_ntp_min_poll(),
        .interleaved_tx = NULL,
        .random = next_random(),
    };
    if (batch_smooth) {
        p->stamp = ntp_server_reply_mode(&info, m->remote.port) == NTP_MODE_SERVER
                   ? SMOOTHING_CLIENT : SMOOTHING_PEER;
        tmpl = batch_smooth->tmpl[p->stamp];
        req.rx_time = ntptime_add_double(req.rx_time, batch_smooth->shift_s[p->stamp]);
    }
    struct timespec prev_tx;
    enum clientlog_ts_source prev_tx_source = CLIENTLOG_TS_DAEMON;
    p->save_timestamps = false;
    if (!req.kod && index >= 0 && ntp_server_interleaved_request(&info)) {
        p->save_timestamps = true;
        if (clientlog_get_ntp_tx(info.hdr.originate_ts, &prev_tx, &prev_tx_source)) {
            req.interleaved_tx = &prev_tx;
            clientlog_disable_ntp_timestamps(info.hdr.originate_ts);
        }
    }

    enum ntp_server_verdict v = ntp_server_build_reply_from(&req, tmpl, NULL, reply);
    if (v != NTP_SERVER_REPLY) {
        if (v == NTP_SERVER_DROP_AUTH)
            stats.auth_failed++;
        else if (v == NTP_SERVER_DROP_MODE)
            stats.bad_mode++;
        p->save_timestamps = false;
        return false;
    }
    clientlog_update_ntp_stats(reply->authenticated,
                               m->rx_ts_kernel ? CLIENTLOG_TS_KERNEL : CLIENTLOG_TS_DAEMON,
                               reply->interleaved ? prev_tx_source : CLIENTLOG_TS_DAEMON);
    if (reply->kod)
        stats.kod_sent++;
    if (reply->interleaved)
        stats.interleaved++;
    return true;
}

/* One batch: receive, process, stamp, send. Returns how many datagrams
 * arrived (0: nothing was waiting; -1: the socket reported an error). */
static int serve_batch(int fd)
{
    for (int i = 0; i < UDP_MAX_BATCH; i++) {
        rx_msgs[i].buf = rx_bufs[i];
        rx_msgs[i].buf_len = sizeof rx_bufs[i];
    }
    int n = udp_recv_batch(fd, rx_msgs, UDP_MAX_BATCH);
    if (n <= 0)
        return n;
    stats.datagrams += (uint64_t)n;

    /* What the replies say about our clock, in wire form, once per batch. */
    struct timespec now;
    struct ntp_server_state st;
    struct ntp_server_template tmpl;
    sched_now_real(&now);
    reference_get_server_state(now, sched_now_mono(), next_random(), &st);
    ntp_server_prepare(&st, &tmpl);
    batch_smooth = smoothing_batch(&now, precision_s, &st, &tmpl, &smoothing_storage)
                   ? &smoothing_storage : NULL;
    struct smoothing_batch *smooth = batch_smooth;

    /* replies[k] answers rx_msgs[from[k]] */
    uint8_t from[UDP_MAX_BATCH];
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!handle_request(&rx_msgs[i], &tmpl, &replies[k], &pending[k]))
            continue;
        from[k++] = (uint8_t)i;
    }
    if (k == 0)
        return n;

    /* As late as possible: after all the processing, right before sending. */
    struct timespec tx_time;
    sched_now_real(&tx_time);
    if (smooth)
        smoothing_batch_tx(smooth, &tx_time);
    int out = 0;
    for (int j = 0; j < k; j++) {
        struct timespec tx = tx_time;
        if (smooth)
            tx = smooth->tx_time[pending[j].stamp];
        if (!ntp_server_finish_reply(&replies[j], tx, next_random())) {
            pending[j].save_timestamps = false;
            continue;
        }
        /* The replies move to the front of rx_msgs, which then carries
         * them back: same addresses, swapped roles (from[j] >= out). */
        udp_msg *t = &rx_msgs[out];
        if (from[j] != out)
            *t = rx_msgs[from[j]];
        out++;
        t->buf = replies[j].data;
        t->len = replies[j].len;
        if (!is_link_local(&t->remote.ip))
            t->if_index = UDP_NO_IF_INDEX;
        stats.bytes_out += replies[j].len;
    }
    int sent = udp_send_batch(fd, rx_msgs, out);
    stats.replies += (uint64_t)sent;
    stats.send_failed += (uint64_t)(out - sent);

    /* Interleaved mode: the next request of these clients may ask for the
     * transmit time of this reply. */
    for (int j = 0; j < k; j++) {
        if (pending[j].save_timestamps)
            clientlog_save_ntp_timestamps(replies[j].receive_ts,
                                          smooth ? &smooth->tx_time[pending[j].stamp] : &tx_time,
                                          CLIENTLOG_TS_DAEMON);
    }
    return n;
}

static void on_readable(int fd, int events, void *arg)
{
    (void)events;
    (void)arg;
    for (int b = 0; b < MAX_BATCHES_PER_WAKEUP; b++) {
        if (serve_batch(fd) < UDP_MAX_BATCH)
            break;
    }
}

static const char *family_name(int family)
{
    return family == ADDR_INET4 ? "IPv4" : "IPv6";
}

static void open_socket(const struct conf_settings *s, int family)
{
    udp_params p;
    udp_params_init(&p, family);
    p.bind_ip = family == ADDR_INET4 ? s->bind_address.v4 : s->bind_address.v6;
    p.bind_port = (uint16_t)s->port;
    p.device = s->bind_device[0] ? s->bind_device : NULL;
    p.dscp = s->dscp > 0 && s->dscp <= UDP_MAX_DSCP ? s->dscp : 0;
    p.broadcast = true;

    int fd = udp_open(&p);
    if (fd < 0) {
        char buf[ADDR_STR_MAX];
        addr_ip any = { .family = (uint8_t)family };
        const addr_ip *ip = p.bind_ip.family == family ? &p.bind_ip : &any;
        if (family == ADDR_INET6 && errno == EAFNOSUPPORT)
            LOG_WARN("Could not open IPv6 NTP socket : %s", strerror(errno));
        else
            LOG_ERR("Could not open NTP socket on %s%s%s:%d : %s",
                    family == ADDR_INET6 ? "[" : "", addr_format(ip, buf, sizeof buf),
                    family == ADDR_INET6 ? "]" : "", s->port, strerror(errno));
        return;
    }
    sockets[n_sockets++] = (struct server_socket){ .fd = fd, .family = family };
    sched_add_fd(fd, SCHED_IN, on_readable, NULL);
    LOG_DEBUG("Serving NTP on %s port %d (fd=%d)", family_name(family), s->port, fd);
}

static void setup_acl(const struct conf_settings *s)
{
    ntp_acl = acl_create();
    for (size_t i = 0; i < s->ntp_acl.n; i++) {
        const struct conf_acl_rule *r = &s->ntp_acl.rules[i];
        if (!acl_add(ntp_acl, &r->subnet, r->allow, r->all)) {
            char buf[ADDR_STR_MAX];
            LOG_FATAL("Bad subnet in %s/%d", addr_format(&r->subnet.ip, buf, sizeof buf),
                      r->subnet.bits);
        }
    }
}

static void copy_ratelimit(struct clientlog_ratelimit *to, const struct conf_ratelimit *from)
{
    to->enabled = from->enabled;
    to->interval = from->interval;
    to->burst = from->burst;
    to->leak = from->leak;
    to->kod = from->kod;
}

static void setup_clientlog(const struct conf_settings *s)
{
    struct clientlog_config cfg;
    const char *error = NULL;

    clientlog_config_defaults(&cfg);
    cfg.enabled = !s->no_client_log;
    cfg.limit_bytes = s->client_log_limit;
    copy_ratelimit(&cfg.ratelimit[CLIENTLOG_NTP], &s->ntp_ratelimit);
    copy_ratelimit(&cfg.ratelimit[CLIENTLOG_NTSKE], &s->nts_ratelimit);
    copy_ratelimit(&cfg.ratelimit[CLIENTLOG_CMD], &s->cmd_ratelimit);
    cfg.seed = next_random();
    if (!clientlog_init(&cfg, &error))
        LOG_FATAL("%s", error ? error : "Could not start the client log");
}

static void setup_reference(const struct conf_settings *s)
{
    double quantum = s->clock_precision_s > 0.0 ? s->clock_precision_s : clockprec_measure_s();
    precision = clockprec_log2(quantum);
    precision_s = quantum;
    LOG_DEBUG("Clock precision %.9f (%d)", quantum, precision);

    struct reference_local local = {
        .enabled = s->local.enabled,
        .stratum = s->local.stratum,
        .distance_s = s->local.distance_s,
        .activate_s = s->local.activate_s,
        .wait_synced_s = s->local.wait_synced_s,
        .wait_unsynced_s = s->local.wait_unsynced_s,
    };
    reference_init(precision, &local, sched_now_mono());
}

/* chronyd -4 / -6: the one family served (ADDR_UNSPEC: both) */
static int served_family;

/* A socket of this family is wanted when the family is served and some
 * address of it is allowed. */
static bool socket_wanted(int family)
{
    return (served_family == ADDR_UNSPEC || served_family == family) &&
           acl_any_allowed(ntp_acl, family);
}

void ntp_serve_init(const struct conf_settings *s, int family)
{
    served_family = family;
    memset(&stats, 0, sizeof stats);
    n_sockets = 0;
    random_left = 0;
    setup_reference(s);
    setup_acl(s);
    setup_clientlog(s);
    initialised = true;

    if (s->port <= 0)
        return;
    if (socket_wanted(ADDR_INET4))
        open_socket(s, ADDR_INET4);
    if (socket_wanted(ADDR_INET6))
        open_socket(s, ADDR_INET6);
}

void ntp_serve_finish(void)
{
    if (!initialised)
        return;
    if (n_sockets > 0)
        LOG_INFO("NTP server: %llu requests, %llu replies (%llu KoD), %llu malformed, "
                 "%llu denied, %llu rate limited",
                 (unsigned long long)stats.datagrams, (unsigned long long)stats.replies,
                 (unsigned long long)stats.kod_sent, (unsigned long long)stats.malformed,
                 (unsigned long long)stats.denied, (unsigned long long)stats.rate_limited);
    for (int i = 0; i < n_sockets; i++) {
        sched_remove_fd(sockets[i].fd);
        udp_close(sockets[i].fd);
    }
    n_sockets = 0;
    acl_destroy(ntp_acl);
    ntp_acl = NULL;
    clientlog_fini();
    initialised = false;
}

int ntp_serve_socket_count(void)
{
    return n_sockets;
}

int ntp_serve_precision(void)
{
    return precision;
}

void ntp_serve_get_stats(struct ntp_serve_stats *out)
{
    *out = stats;
}

/* ---- access changes at run time (chronyc) ---- */

static int socket_index(int family)
{
    for (int i = 0; i < n_sockets; i++) {
        if (sockets[i].family == family)
            return i;
    }
    return -1;
}

static void close_socket(int index)
{
    sched_remove_fd(sockets[index].fd);
    udp_close(sockets[index].fd);
    sockets[index] = sockets[--n_sockets];
}

bool ntp_serve_access_add(const addr_subnet *subnet, bool allow, bool all)
{
    static const int families[] = { ADDR_INET4, ADDR_INET6 };
    const struct conf_settings *s = conf_settings();

    if (!initialised || !acl_add(ntp_acl, subnet, allow, all))
        return false;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        int family = families[i], index = socket_index(family);
        bool wanted = socket_wanted(family);
        if (allow && index < 0 && wanted && s->port > 0)
            open_socket(s, family);
        else if (!allow && index >= 0 && !wanted)
            close_socket(index);
    }
    return true;
}

bool ntp_serve_access_check(const addr_ip *ip)
{
    return initialised && acl_check(ntp_acl, ip);
}
