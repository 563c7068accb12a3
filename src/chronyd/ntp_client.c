/* ntp_client: the client-side NTP sources of chronyd. See ntp_client.h.
 *
 * A source is a record: the name as configured, its options, its address
 * (an ADDR_ID placeholder until the name resolves, as in chrony, so every
 * record is found by address), the engine, and the I/O state that drives it.
 * Names waiting for the resolver are entries of a list; each entry fills a
 * pool's placeholders, gives one placeholder its address, replaces the
 * address of an unreachable source, or refreshes one. The numbers (pool
 * sizes, resolving intervals, replacement rate) are chrony 4.3's. */
#include "chronyd/ntp_client.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chronyd/conf.h"
#include "chronyd/logfile.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/ntptime.h"
#include "core/ntp_packet.h"
#include "platform/clockprec.h"
#include "platform/random.h"
#include "platform/resolver.h"
#include "platform/sched.h"
#include "platform/udp.h"

/* Temporary resolving failures are retried after RESOLVE_INTERVAL_UNIT_S *
 * 2^n seconds, n growing from MIN to MAX with each failed round. */
#define RESOLVE_INTERVAL_UNIT_S 7
#define MIN_RESOLVE_INTERVAL 2
#define MAX_RESOLVE_INTERVAL 9
/* Replacements of unreachable sources are spread randomly over up to
 * RESOLVE_INTERVAL_UNIT_S * 2^MAX_REPLACEMENT_INTERVAL seconds. */
#define MAX_REPLACEMENT_INTERVAL 9
/* A pool first gets twice as many sources as it may keep. */
#define POOL_TRY_FACTOR 2
/* Datagrams read per readable event. */
#define RX_BATCH 4
#define PPM 1.0e-6

enum { NO_POOL = -1 };

struct pool {
    int sources;                /* records of the pool */
    int unresolved;             /* ... still without an address */
    int confirmed;              /* ... that have given a good response */
    int max_sources;            /* confirmed sources to keep */
};

struct record {
    char *name;
    struct srcopts opts;
    int family;                 /* ADDR_UNSPEC or the one family accepted for it */
    int pool_id;                /* NO_POOL or an index into pools */
    addr_sock remote;           /* ADDR_ID while unresolved */
    addr_ip resolved_addr;
    bool tentative;             /* no good response yet */
    double last_resolving_mono;

    struct ntp_source *src;     /* NULL while unresolved */
    void *hook_data;            /* the source hooks' data for src */
    bool started;               /* src was started (replacements start too) */
    int fd;                     /* its own connected socket, or -1 */
    sched_timer_id tx_timer, rx_timer;

    struct ntp_source_sample samples[NTP_CLIENT_KEPT_SAMPLES];
    int n_samples, next_sample;

    /* for ntpdata: the last response's local address and timestamp kind */
    addr_ip local_addr;
    char rx_ts_char;
    uint32_t kernel_rx_timestamps;
    unsigned dir_id;            /* from this sourcedir line, 0: not from one */
};

/* A name waiting for (or being asked of) the resolver. */
struct unresolved {
    struct unresolved *next;
    char *name;
    int family;
    int pool_id;                /* NO_POOL: the one record at `address` */
    addr_sock address;          /* pool: unused */
    bool random_order;          /* start at a random address of the answer */
    bool refreshment;           /* keep the address if still in the answer */
    bool requested;             /* a resolver request is out */
};

static struct record **records;
static size_t n_records, records_alloc;
static struct pool *pools;
static size_t n_pools, pools_alloc;
static struct unresolved *unresolved_list;

static int address_family;      /* -4 / -6, or ADDR_UNSPEC */
static uint32_t last_address_id;
static bool auto_start;         /* the first resolving round has ended */
static bool first_round_done;
static int requests_out;        /* of the current round */
static int resolving_interval;
static sched_timer_id resolve_timer;
static double next_replacement_mono = -INFINITY;
static double last_refreshment_mono = -INFINITY;

/* acquisitionport >= 0: one unconnected socket per family, on that port */
static bool shared_sockets;
static int shared_port;
static int shared_fd4 = -1, shared_fd6 = -1;

static struct ntp_source_env env;
static logfile_id measurements_log = -1;
static bool log_raw_measurements;

static ntp_client_sample_sink sample_sink;
static void *sample_sink_ctx;
static struct ntp_client_source_hooks hooks;
static ntp_client_event update_handler, resolving_end_handler;
static void *update_ctx, *resolving_end_ctx;

static void resolve_sources(void);
static void after_source_call(struct record *r);
static void add_dir_source(const struct conf_source *c);
static void forget_dir_sources(void);

/* ---- small helpers ---- */

static const char *ip_text(const addr_ip *ip, char *buf, size_t len)
{
    return addr_format(ip, buf, len);
}

static bool is_real(const addr_ip *ip)
{
    return ip->family == ADDR_INET4 || ip->family == ADDR_INET6;
}

static int srcopts_to_addr_family(int family)
{
    return family == SRCOPTS_FAMILY_INET4 ? ADDR_INET4 :
           family == SRCOPTS_FAMILY_INET6 ? ADDR_INET6 : ADDR_UNSPEC;
}

static bool family_enabled(int family)
{
    return address_family == ADDR_UNSPEC || address_family == family;
}

static uint64_t env_random(void *ctx)
{
    return random_u64();
}

static struct record *find_record(const addr_ip *ip)
{
    for (size_t i = 0; i < n_records; i++)
        if (addr_equal(&records[i]->remote.ip, ip))
            return records[i];
    return NULL;
}

static struct record *find_record_port(const addr_sock *a)
{
    struct record *r = find_record(&a->ip);
    return r && r->remote.port == a->port ? r : NULL;
}

static bool record_exists(const struct record *r)
{
    for (size_t i = 0; i < n_records; i++)
        if (records[i] == r)
            return true;
    return false;
}

static void notify_update(void)
{
    if (update_handler)
        update_handler(update_ctx);
}

/* ---- the source hooks (the clock discipline) ---- */

static void hook_added(struct record *r)
{
    r->hook_data = hooks.source_added ? hooks.source_added(hooks.ctx, r->src, r->name) : NULL;
}

static void hook_removed(struct record *r)
{
    if (hooks.source_removed)
        hooks.source_removed(hooks.ctx, r->hook_data);
    r->hook_data = NULL;
}

static void cook(struct timespec *ts)
{
    if (hooks.cook_time)
        hooks.cook_time(hooks.ctx, ts);
}

static struct record *find_source_record(const struct ntp_source *src)
{
    for (size_t i = 0; i < n_records; i++)
        if (records[i]->src == src)
            return records[i];
    return NULL;
}

/* ---- sockets ---- */

static void client_rx(int fd, int events, void *arg);

static void fill_socket_params(udp_params *p, int family)
{
    const struct conf_settings *s = conf_settings();
    udp_params_init(p, family);
    const addr_ip *bind_ip = family == ADDR_INET4 ? &s->bind_acq_address.v4
                                                   : &s->bind_acq_address.v6;
    if (bind_ip->family == family)
        p->bind_ip = *bind_ip;
    p->device = s->bind_acq_device[0] ? s->bind_acq_device : NULL;
    p->dscp = s->dscp;
}

static int open_connected_socket(const addr_sock *remote)
{
    if (!family_enabled(remote->ip.family)) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    udp_params p;
    fill_socket_params(&p, remote->ip.family);
    p.remote = *remote;
    return udp_open(&p);
}

/* chrony's test before taking an address: can a socket be connected to it? */
static bool connectable(const addr_sock *remote)
{
    int fd = open_connected_socket(remote);
    if (fd < 0) {
        char buf[ADDR_STR_MAX];
        LOG_DEBUG("%s not connectable", ip_text(&remote->ip, buf, sizeof buf));
        return false;
    }
    udp_close(fd);
    return true;
}

static int shared_socket(int family)
{
    static bool reported[2];
    int *fd = family == ADDR_INET4 ? &shared_fd4 : &shared_fd6;
    if (*fd >= 0 || !family_enabled(family))
        return *fd;
    udp_params p;
    fill_socket_params(&p, family);
    p.bind_port = (uint16_t)shared_port;
    *fd = udp_open(&p);
    if (*fd < 0) {
        /* tried again at the next request, reported once */
        bool *once = &reported[family == ADDR_INET4 ? 0 : 1];
        if (!*once)
            LOG_ERR("Could not open %s NTP client socket : %s",
                    family == ADDR_INET4 ? "IPv4" : "IPv6", strerror(errno));
        *once = true;
        return -1;
    }
    sched_add_fd(*fd, SCHED_IN, client_rx, NULL);
    return *fd;
}

static void close_shared_sockets(void)
{
    int *fds[] = { &shared_fd4, &shared_fd6 };
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (*fds[i] >= 0) {
            sched_remove_fd(*fds[i]);
            udp_close(*fds[i]);
            *fds[i] = -1;
        }
    }
}

static void close_client_socket(struct record *r)
{
    if (r->rx_timer) {
        sched_remove_timeout(r->rx_timer);
        r->rx_timer = 0;
    }
    if (r->fd >= 0) {
        sched_remove_fd(r->fd);
        udp_close(r->fd);
        r->fd = -1;
    }
}

/* ---- the measurements log ---- */

static const char MEASUREMENTS_HEADER[] =
    "   Date (UTC) Time     IP Address   L St 123 567 ABCD  LP RP Score    Offset  "
    "Peer del. Peer disp.  Root del. Root disp. Refid     MTxRx";

static char test_bit(unsigned tests, unsigned bit)
{
    return tests & bit ? '1' : '0';
}

static void log_measurement(const struct record *r, enum ntp_source_rx res,
                            const struct timespec *rx_time, bool rx_kernel)
{
    static const char leap_chars[] = { 'N', '+', '-', '?' };
    struct ntp_source_report rep;
    ntp_source_get_report(r->src, &rep);

    /* chrony stamps the entry with the sample's time: the midpoint of the
     * exchange, half the delay before the response arrived */
    struct timespec t = res == NTP_SOURCE_RX_GOOD ? rep.last_sample.time
                        : ntptime_add_double(*rx_time, -rep.delay_s / 2.0);
    char when[LOGFILE_TIME_MAX], ip[ADDR_STR_MAX];

    unsigned x = rep.tests;
    /* The engine does not report its poll score yet: the Score column
     * shows 0.00 until it does. */
    logfile_write(measurements_log,
                  "%s %-15s %c %2d %c%c%c %c%c%c %c%c%c%c  %2d %2d %4.2f %10.3e %10.3e %10.3e "
                  "%10.3e %10.3e %08X %1d%c %c %c",
                  logfile_time(&t, when, sizeof when), ip_text(&r->remote.ip, ip, sizeof ip),
                  leap_chars[rep.leap & 3], rep.stratum, test_bit(x, NTP_SOURCE_TEST_1), test_bit(x, NTP_SOURCE_TEST_2),
                  test_bit(x, NTP_SOURCE_TEST_3), test_bit(x, NTP_SOURCE_TEST_5),
                  test_bit(x, NTP_SOURCE_TEST_6), test_bit(x, NTP_SOURCE_TEST_7),
                  test_bit(x, NTP_SOURCE_TEST_A), test_bit(x, NTP_SOURCE_TEST_B),
                  test_bit(x, NTP_SOURCE_TEST_C), test_bit(x, NTP_SOURCE_TEST_D), rep.poll,
                  rep.remote_poll, 0.0, rep.offset_s, rep.delay_s, rep.dispersion_s,
                  rep.root_delay_s, rep.root_dispersion_s, (unsigned)rep.refid, rep.mode,
                  'B', 'D', rx_kernel ? 'K' : 'D');
}

/* ---- the engine's hooks ---- */

static bool on_stats(void *ctx, const struct ntp_source *src, const struct timespec *sample_time,
                     struct ntp_source_stats *out)
{
    struct record *r = find_source_record(src);
    if (!r || !hooks.stats)
        return false;
    return hooks.stats(hooks.ctx, r->hook_data, sample_time, out);
}

static void on_sample(void *ctx, struct ntp_source *src, const struct ntp_source_sample *s)
{
    const addr_sock *remote = ntp_source_address(src);
    struct record *r = find_record_port(remote);
    if (r) {
        r->samples[r->next_sample] = *s;
        r->next_sample = (r->next_sample + 1) % NTP_CLIENT_KEPT_SAMPLES;
        if (r->n_samples < NTP_CLIENT_KEPT_SAMPLES)
            r->n_samples++;
    }
    char buf[ADDR_STR_MAX];
    LOG_DEBUG("Sample from %s: offset %.9f delay %.9f dispersion %.9f stratum %d",
              ip_text(&remote->ip, buf, sizeof buf), s->offset_s, s->delay_s, s->dispersion_s,
              s->stratum);
    if (r && r->src == src && hooks.sample)
        hooks.sample(hooks.ctx, r->hook_data, s);
    if (sample_sink)
        sample_sink(sample_sink_ctx, remote, s);
}

/* ---- records ---- */

static void start_record(struct record *r)
{
    r->started = true;
    ntp_source_start(r->src, sched_now_mono());
    after_source_call(r);
}

static struct record *new_record(const char *name, const struct srcopts *opts, int family,
                                 const addr_sock *remote, int pool_id)
{
    struct record *r = mem_calloc(1, sizeof *r);
    r->name = mem_strdup(name);
    r->opts = *opts;
    r->family = family;
    r->pool_id = pool_id;
    r->remote = *remote;
    r->resolved_addr = remote->ip;
    r->tentative = true;
    r->last_resolving_mono = sched_now_mono();
    r->fd = -1;
    if (is_real(&remote->ip))
        r->src = ntp_source_create(remote, opts, &env);

    records = mem_grow(records, &records_alloc, n_records + 1, sizeof *records);
    records[n_records++] = r;
    if (r->src)
        hook_added(r);
    if (pool_id != NO_POOL) {
        pools[pool_id].sources++;
        if (!r->src)
            pools[pool_id].unresolved++;
    }
    if (r->src && auto_start)
        start_record(r);
    return r;
}

static void stop_record(struct record *r)
{
    close_client_socket(r);
    if (r->tx_timer) {
        sched_remove_timeout(r->tx_timer);
        r->tx_timer = 0;
    }
}

static void destroy_record(struct record *r)
{
    for (size_t i = 0; i < n_records; i++) {
        if (records[i] != r)
            continue;
        memmove(&records[i], &records[i + 1], (n_records - i - 1) * sizeof *records);
        n_records--;
        break;
    }
    if (r->pool_id != NO_POOL) {
        struct pool *p = &pools[r->pool_id];
        p->sources--;
        if (!r->src)
            p->unresolved--;
        if (!r->tentative)
            p->confirmed--;
        if (p->max_sources > p->sources)
            p->max_sources = p->sources;
    }
    stop_record(r);
    if (r->src) {
        hook_removed(r);
        ntp_source_destroy(r->src);
    }
    mem_free(r->name);
    mem_free(r);
}

/* Remove the pool's tentative records (or those still without address). */
static void remove_pool_sources(int pool_id, bool tentative, bool unresolved)
{
    for (size_t i = 0; i < n_records;) {
        struct record *r = records[i];
        if (r->pool_id != pool_id || (tentative && !r->tentative) || (unresolved && r->src)) {
            i++;
            continue;
        }
        char buf[ADDR_STR_MAX];
        LOG_DEBUG("Removing %ssource %s", tentative ? "tentative " : "",
                  ip_text(&r->remote.ip, buf, sizeof buf));
        destroy_record(r);
    }
}

/* Give record r a (new) address; false when another source has it. */
static bool change_address(struct record *r, const addr_sock *addr, bool replacement)
{
    /* no two sources on one address; a source may only change its port */
    struct record *other = find_record(&addr->ip);
    if (other && (other != r || other->remote.port == addr->port))
        return false;

    addr_sock old = r->remote;
    bool was_real = r->src != NULL;
    if (r->src) {
        stop_record(r);
        hook_removed(r);
        ntp_source_destroy(r->src);
    }
    r->remote = *addr;
    if (replacement)
        r->resolved_addr = addr->ip;
    r->src = ntp_source_create(addr, &r->opts, &env);
    hook_added(r);
    r->n_samples = r->next_sample = 0;
    if (!was_real && r->pool_id != NO_POOL)
        pools[r->pool_id].unresolved--;
    if (!r->tentative) {
        r->tentative = true;
        if (r->pool_id != NO_POOL)
            pools[r->pool_id].confirmed--;
    }

    char b1[ADDR_STR_MAX], b2[ADDR_STR_MAX];
    log_message(was_real ? LOG_LVL_INFO : LOG_LVL_DEBUG, "Source %s %s %s (%s)",
                ip_text(&old.ip, b1, sizeof b1), replacement ? "replaced with" : "changed to",
                ip_text(&addr->ip, b2, sizeof b2), r->name);

    if (auto_start || r->started)
        start_record(r);
    return true;
}

static bool replace_if_connectable(struct record *r, const addr_sock *addr)
{
    return connectable(addr) && change_address(r, addr, true);
}

/* ---- driving one source ---- */

static void tx_timeout(void *arg);
static void rx_deadline_timeout(void *arg);

/* Close the reachability loop: pool and named sources that have not
 * answered for a whole register get a new address from their name. */
static void resolve_replacement(struct record *r, bool refreshment);

static void handle_bad_source(struct record *r)
{
    addr_ip literal;
    /* a source given by its address has nothing to be replaced with */
    if (addr_parse(r->name, &literal) && addr_equal(&literal, &r->remote.ip))
        return;
    double now = sched_now_mono();
    if (now < next_replacement_mono) {
        LOG_DEBUG("Replacement of %s postponed", r->name);
        return;
    }
    next_replacement_mono = now + random_unit() * RESOLVE_INTERVAL_UNIT_S *
                                  (double)(1 << MAX_REPLACEMENT_INTERVAL);
    resolve_replacement(r, false);
}

/* Re-arm the timers after any call into the engine, close a socket no
 * response is expected on, and look at the reachability. */
static void after_source_call(struct record *r)
{
    double now = sched_now_mono();
    if (r->tx_timer) {
        sched_remove_timeout(r->tx_timer);
        r->tx_timer = 0;
    }
    double next = ntp_source_next_tx(r->src);
    if (isfinite(next))
        r->tx_timer = sched_add_timeout(next - now, tx_timeout, r);

    double deadline = ntp_source_rx_deadline(r->src);
    if (deadline < 0.0) {
        close_client_socket(r);
    } else if (r->fd >= 0) {
        if (r->rx_timer)
            sched_remove_timeout(r->rx_timer);
        r->rx_timer = sched_add_timeout(deadline - now, rx_deadline_timeout, r);
    }

    struct ntp_source_report rep;
    ntp_source_get_report(r->src, &rep);
    if (rep.reach == 0 && rep.reach_size >= NTP_SOURCE_REACH_BITS)
        handle_bad_source(r);

    if (hooks.source_changed && record_exists(r) && r->src)
        hooks.source_changed(hooks.ctx, r->hook_data);
}

static void tx_timeout(void *arg)
{
    struct record *r = arg;
    r->tx_timer = 0;

    uint8_t buf[NTP_MAX_PACKET_LENGTH];
    size_t len = ntp_source_make_request(r->src, sched_now_mono(), buf, sizeof buf);
    if (len > 0) {
        int fd;
        const addr_sock *to = NULL;
        if (shared_sockets) {
            fd = shared_socket(r->remote.ip.family);
            to = &r->remote;
        } else {
            /* a new socket (and so a new random port) for every request */
            close_client_socket(r);
            fd = r->fd = open_connected_socket(&r->remote);
            if (fd >= 0)
                sched_add_fd(fd, SCHED_IN, client_rx, r);
        }
        struct timespec tx_time;
        sched_now_real(&tx_time);
        cook(&tx_time);
        bool sent = fd >= 0 && udp_send(fd, buf, len, to, NULL, UDP_NO_IF_INDEX) == 0;
        if (!sent) {
            char ip[ADDR_STR_MAX];
            LOG_DEBUG("Could not send to %s:%u : %s", ip_text(&r->remote.ip, ip, sizeof ip),
                      (unsigned)r->remote.port, strerror(errno));
        }
        ntp_source_request_sent(r->src, sched_now_mono(), &tx_time, sent);
    }
    after_source_call(r);
    notify_update();
}

static void rx_deadline_timeout(void *arg)
{
    struct record *r = arg;
    r->rx_timer = 0;
    close_client_socket(r);
}

/* chrony re-resolves the name resolved longest ago every `refresh` s. */
static void maybe_refresh(void)
{
    int interval = conf_settings()->refresh_s;
    double now = sched_now_mono();
    if (interval <= 0 || now < last_refreshment_mono + interval)
        return;
    last_refreshment_mono = now;

    struct record *oldest = NULL;
    addr_ip literal;
    for (size_t i = 0; i < n_records; i++) {
        struct record *r = records[i];
        if (addr_parse(r->name, &literal))
            continue;
        if (!oldest || r->last_resolving_mono < oldest->last_resolving_mono)
            oldest = r;
    }
    if (!oldest)
        return;
    if (now < oldest->last_resolving_mono + interval) {
        last_refreshment_mono = oldest->last_resolving_mono;
        return;
    }
    resolve_replacement(oldest, true);
}

static bool is_synced(enum ntp_source_rx res)
{
    return res == NTP_SOURCE_RX_GOOD || res >= NTP_SOURCE_RX_MAXDELAY;
}

static bool is_valid(enum ntp_source_rx res)
{
    return res == NTP_SOURCE_RX_GOOD || res >= NTP_SOURCE_RX_KOD_RATE;
}

static void process_datagram(struct record *r, const udp_msg *m)
{
    struct ntp_packet_info info;
    enum ntp_packet_error err = ntp_packet_parse(m->buf, m->len, NULL, &info);
    char ip[ADDR_STR_MAX];
    if (err != NTP_PACKET_OK) {
        LOG_DEBUG("Bad NTP packet from %s: %s", ip_text(&m->remote.ip, ip, sizeof ip),
                  ntp_packet_error_name(err));
        return;
    }

    struct timespec rx_time = m->rx_ts;
    cook(&rx_time);
    enum ntp_source_rx res = ntp_source_process_response(r->src, &info, &m->remote, &rx_time,
                                                         sched_now_mono());
    if (res > NTP_SOURCE_RX_LATE) {
        r->local_addr = m->local;
        r->rx_ts_char = m->rx_ts_kernel ? 'K' : 'D';
        if (m->rx_ts_kernel)
            r->kernel_rx_timestamps++;
    }
    if (measurements_log >= 0 && (is_synced(res) || (log_raw_measurements && is_valid(res))))
        log_measurement(r, res, &rx_time, m->rx_ts_kernel);

    if (res == NTP_SOURCE_RX_GOOD && r->tentative) {
        /* the first good response from this source */
        r->tentative = false;
        if (r->pool_id != NO_POOL) {
            struct pool *p = &pools[r->pool_id];
            p->confirmed++;
            LOG_DEBUG("Pool %s has %d confirmed sources", r->name, p->confirmed);
            if (p->confirmed >= p->max_sources)
                remove_pool_sources(r->pool_id, true, false);
        }
    }
    if (res != NTP_SOURCE_RX_WRONG_ADDRESS)
        maybe_refresh();
}

static void client_rx(int fd, int events, void *arg)
{
    uint8_t bufs[RX_BATCH][NTP_MAX_PACKET_LENGTH];
    udp_msg msgs[RX_BATCH];
    for (int i = 0; i < RX_BATCH; i++) {
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].buf = bufs[i];
        msgs[i].buf_len = sizeof bufs[i];
    }

    int n = udp_recv_batch(fd, msgs, RX_BATCH);
    if (n < 0) {
        /* e.g. ECONNREFUSED: an ICMP port unreachable from the server; the
         * request simply stays unanswered, as in chrony */
        LOG_DEBUG("Could not receive from fd %d : %s", fd, strerror(errno));
        return;
    }

    struct record *own = arg;
    bool touched = false;
    for (int i = 0; i < n; i++) {
        if (msgs[i].truncated)
            continue;
        struct record *r = own ? own : find_record_port(&msgs[i].remote);
        if (!r || !record_exists(r) || !r->src)
            continue;
        /* the record's socket may have closed after an earlier datagram */
        if (own && r->fd != fd)
            break;
        process_datagram(r, &msgs[i]);
        if (record_exists(r) && r->src) {
            after_source_call(r);
            touched = true;
        }
    }
    if (touched)
        notify_update();
}

/* ---- name resolution ---- */

static void remove_unresolved(struct unresolved *us)
{
    for (struct unresolved **p = &unresolved_list; *p; p = &(*p)->next) {
        if (*p == us) {
            *p = us->next;
            break;
        }
    }
    mem_free(us->name);
    mem_free(us);
}

static void append_unresolved(struct unresolved *us)
{
    struct unresolved **p = &unresolved_list;
    while (*p)
        p = &(*p)->next;
    us->next = NULL;
    *p = us;
}

static bool is_resolved(const struct unresolved *us)
{
    if (us->pool_id != NO_POOL)
        return pools[us->pool_id].unresolved <= 0;
    /* the address it was to replace is gone: replaced or removed */
    return find_record_port(&us->address) == NULL;
}

static void apply_addresses(struct unresolved *us, const addr_ip *addrs, int n)
{
    if (us->refreshment) {
        struct record *r = find_record_port(&us->address);
        for (int i = 0; r && i < n; i++) {
            if (addr_equal(&r->resolved_addr, &addrs[i])) {
                char buf[ADDR_STR_MAX];
                LOG_DEBUG("%s still fresh", ip_text(&us->address.ip, buf, sizeof buf));
                return;
            }
        }
    }

    unsigned first = us->random_order && n > 0 ? (unsigned)(random_u64() % (unsigned)n) : 0;
    for (int i = 0; i < n; i++) {
        addr_sock addr = { .ip = addrs[((unsigned)i + first) % (unsigned)n] };
        if (us->family != ADDR_UNSPEC && addr.ip.family != us->family)
            continue;

        if (us->pool_id != NO_POOL) {
            /* each address may fill one placeholder of the pool */
            for (size_t j = 0; j < n_records; j++) {
                struct record *r = records[j];
                if (r->pool_id != us->pool_id || r->src)
                    continue;
                addr.port = r->remote.port;
                replace_if_connectable(r, &addr);
                break;
            }
        } else {
            struct record *r = find_record_port(&us->address);
            if (!r)
                break;
            addr.port = us->address.port;
            if (replace_if_connectable(r, &addr))
                break;
        }
    }
}

static void schedule_resolving(void);

static void round_done(void)
{
    if (unresolved_list) {
        resolving_interval = resolving_interval + 1 < MIN_RESOLVE_INTERVAL ? MIN_RESOLVE_INTERVAL
                           : resolving_interval + 1 > MAX_RESOLVE_INTERVAL ? MAX_RESOLVE_INTERVAL
                           : resolving_interval + 1;
        schedule_resolving();
    } else {
        resolving_interval = 0;
    }

    if (!first_round_done) {
        first_round_done = true;
        auto_start = true;
        for (size_t i = 0; i < n_records; i++) {
            struct record *r = records[i];
            if (r->src && !r->started)
                start_record(r);
        }
        if (resolving_end_handler)
            resolving_end_handler(resolving_end_ctx);
    }
}

static void resolved(void *arg, resolver_status status, const addr_ip *addrs, int n)
{
    struct unresolved *us = arg;
    us->requested = false;
    requests_out--;
    LOG_DEBUG("%s resolved to %d addrs", us->name, n);

    switch (status) {
    case RESOLVER_OK:
        apply_addresses(us, addrs, n);
        break;
    case RESOLVER_TRY_AGAIN:
        break;
    case RESOLVER_FAILED:
        LOG_WARN("Invalid host %s", us->name);
        break;
    }

    /* done with it unless the name must be asked again later */
    if (status == RESOLVER_FAILED || is_real(&us->address.ip) || us->refreshment ||
        is_resolved(us))
        remove_unresolved(us);

    if (requests_out == 0)
        round_done();
    notify_update();
}

static int resolver_family(const struct unresolved *us)
{
    return address_family != ADDR_UNSPEC ? address_family : us->family;
}

/* Ask the resolver about every name not already being asked about. */
static void resolve_sources(void)
{
    for (struct unresolved *us = unresolved_list, *next; us; us = next) {
        next = us->next;
        if (!us->requested && is_resolved(us))
            remove_unresolved(us);
    }

    bool any = false;
    for (struct unresolved *us = unresolved_list; us; us = us->next) {
        if (us->requested)
            continue;
        if (resolver_request(us->name, resolver_family(us), resolved, us) < 0) {
            LOG_ERR("Could not resolve %s : %s", us->name, strerror(errno));
            continue;
        }
        LOG_DEBUG("Resolving %s", us->name);
        us->requested = true;
        requests_out++;
        any = true;
    }
    if (!any && requests_out == 0)
        round_done();
}

static void resolve_timeout(void *arg)
{
    resolve_timer = 0;
    resolve_sources();
}

static void schedule_resolving(void)
{
    if (resolve_timer)
        sched_remove_timeout(resolve_timer);
    resolve_timer = sched_add_timeout(RESOLVE_INTERVAL_UNIT_S * (double)(1 << resolving_interval),
                                      resolve_timeout, NULL);
}

static void resolve_replacement(struct record *r, bool refreshment)
{
    char buf[ADDR_STR_MAX];
    LOG_DEBUG("%s %s (%s)", refreshment ? "Refreshing" : "Trying to replace",
              ip_text(&r->remote.ip, buf, sizeof buf), r->name);
    r->last_resolving_mono = sched_now_mono();

    struct unresolved *us = mem_calloc(1, sizeof *us);
    us->name = mem_strdup(r->name);
    us->family = r->family;
    us->pool_id = NO_POOL;
    us->address = r->remote;
    /* not the resolver's order, which could keep offering the same
     * unusable servers */
    us->random_order = true;
    us->refreshment = refreshment;
    append_unresolved(us);
    if (requests_out == 0 && resolve_timer) {
        /* a retry is waiting: it comes now, with this one */
        sched_remove_timeout(resolve_timer);
        resolve_timer = 0;
        resolving_interval--;
    }
    resolve_sources();
}

static void resolver_fd_ready(int fd, int events, void *arg)
{
    resolver_process();
}

static void resolver_fd_notify(int fd, bool add)
{
    if (add)
        sched_add_fd(fd, SCHED_IN, resolver_fd_ready, NULL);
    else
        sched_remove_fd(fd);
}

/* ---- public ---- */

void ntp_client_init(int family)
{
    const struct conf_settings *s = conf_settings();
    address_family = family;
    shared_sockets = s->acquisition_port >= 0;
    shared_port = s->acquisition_port;
    if (shared_sockets && s->port != 0 && s->acquisition_port == s->port) {
        /* two sockets on one port would split the datagrams between them */
        LOG_WARN("Sharing the NTP server port with the client (acquisitionport %d) is not "
                 "supported yet; the client uses a random port", s->acquisition_port);
        shared_port = 0;
    }

    env = (struct ntp_source_env){
        .random = env_random,
        .sample = on_sample,
        .stats = on_stats,
        .precision_s = clockprec_measure_s(),
        .max_clock_error = s->max_clock_error_ppm * PPM,
    };

    if (s->log.measurements || s->log.raw_measurements) {
        measurements_log = logfile_open("measurements", MEASUREMENTS_HEADER);
        log_raw_measurements = s->log.raw_measurements;
    }
    resolver_set_fd_notify(resolver_fd_notify);
}

void ntp_client_set_sample_sink(ntp_client_sample_sink sink, void *ctx)
{
    sample_sink = sink;
    sample_sink_ctx = ctx;
}

void ntp_client_set_source_hooks(const struct ntp_client_source_hooks *h)
{
    if (h) {
        hooks = *h;
        return;
    }
    memset(&hooks, 0, sizeof hooks);
    for (size_t i = 0; i < n_records; i++)
        records[i]->hook_data = NULL;
}

void ntp_client_set_update_handler(ntp_client_event handler, void *ctx)
{
    update_handler = handler;
    update_ctx = ctx;
}

void ntp_client_set_resolving_end_handler(ntp_client_event handler, void *ctx)
{
    resolving_end_handler = handler;
    resolving_end_ctx = ctx;
}

static int new_pool(int max_sources)
{
    pools = mem_grow(pools, &pools_alloc, n_pools + 1, sizeof *pools);
    struct pool *p = &pools[n_pools];
    memset(p, 0, sizeof *p);
    p->max_sources = max_sources < 1 ? 1
                   : max_sources > NTP_CLIENT_MAX_POOL_SOURCES ? NTP_CLIENT_MAX_POOL_SOURCES
                   : max_sources;
    return (int)n_pools++;
}

bool ntp_client_add(const char *name, const struct srcopts *opts, bool pool)
{
    int family = srcopts_to_addr_family(opts->family);
    addr_sock remote = { .port = (uint16_t)opts->port };

    /* an address is used as it is: never through the resolver */
    if (addr_parse(name, &remote.ip)) {
        if ((family != ADDR_UNSPEC && family != remote.ip.family) || find_record(&remote.ip)) {
            LOG_ERR("Could not add source %s : %s", name,
                    find_record(&remote.ip) ? "Already in use" : "Invalid address");
            return false;
        }
        new_record(name, opts, ADDR_UNSPEC, &remote, NO_POOL);
        return true;
    }
    for (const char *c = name; *c; c++) {
        if (*c <= ' ' || *c > '~') {
            LOG_ERR("Could not add source %s : Invalid name", name);
            return false;
        }
    }

    struct unresolved *us = mem_calloc(1, sizeof *us);
    us->name = mem_strdup(name);
    us->family = family;

    int n_new = 1;
    int pool_id = NO_POOL;
    if (pool) {
        pool_id = new_pool(opts->max_sources);
        n_new = POOL_TRY_FACTOR * pools[pool_id].max_sources;
        if (n_new > NTP_CLIENT_MAX_POOL_SOURCES)
            n_new = NTP_CLIENT_MAX_POOL_SOURCES;
    }
    us->pool_id = pool_id;

    for (int i = 0; i < n_new; i++) {
        remote.ip = (addr_ip){ .family = ADDR_ID, .a.id = ++last_address_id };
        new_record(name, opts, family, &remote, pool_id);
        /* a single source is known by its placeholder address; a pool fills
         * any of its placeholders */
        if (!pool)
            us->address = remote;
    }
    append_unresolved(us);

    /* after start-up a new name is resolved at once */
    if (first_round_done)
        resolve_sources();
    return true;
}

void ntp_client_start(void)
{
    const struct conf_settings *s = conf_settings();
    for (size_t i = 0; i < s->n_sources; i++) {
        const struct conf_source *c = &s->sources[i];
        if (c->type == CONF_SOURCE_PEER)
            continue;           /* conf_finish warned: peers are not supported */
        ntp_client_add(c->name, &c->opts, c->type == CONF_SOURCE_POOL);
    }

    size_t n_dir = 0;
    struct conf_source *dir_sources = conf_load_sourcedirs(&n_dir);
    for (size_t i = 0; i < n_dir; i++)
        add_dir_source(&dir_sources[i]);
    conf_free_sources(dir_sources, n_dir);

    resolve_sources();
}

void ntp_client_refresh(void)
{
    for (size_t i = 0; i < n_records; i++) {
        addr_ip literal;
        if (!addr_parse(records[i]->name, &literal))
            resolve_replacement(records[i], true);
    }
}

void ntp_client_finish(void)
{
    while (unresolved_list) {
        struct unresolved *us = unresolved_list;
        if (us->requested)
            resolver_cancel(resolved, us);
        remove_unresolved(us);
    }
    resolver_finish();
    resolver_set_fd_notify(NULL);
    if (resolve_timer) {
        sched_remove_timeout(resolve_timer);
        resolve_timer = 0;
    }
    while (n_records > 0)
        destroy_record(records[n_records - 1]);
    forget_dir_sources();
    mem_free(records);
    records = NULL;
    records_alloc = 0;
    mem_free(pools);
    pools = NULL;
    n_pools = pools_alloc = 0;
    close_shared_sockets();
    requests_out = 0;
    auto_start = first_round_done = false;
    resolving_interval = 0;
    next_replacement_mono = last_refreshment_mono = -INFINITY;
    measurements_log = -1;
    sample_sink = NULL;
    update_handler = resolving_end_handler = NULL;
    memset(&hooks, 0, sizeof hooks);
}

/* ---- monitoring ---- */

size_t ntp_client_count(void)
{
    return n_records;
}

bool ntp_client_get_info(size_t index, struct ntp_client_info *out)
{
    if (index >= n_records)
        return false;
    const struct record *r = records[index];
    memset(out, 0, sizeof *out);
    out->name = r->name;
    out->pool = r->pool_id != NO_POOL;
    out->resolved = r->src != NULL;
    out->tentative = r->tentative;
    out->remote = r->remote;
    out->n_samples = r->n_samples;
    out->opts = &r->opts;
    out->local_addr = r->local_addr;
    out->rx_ts_char = r->rx_ts_char;
    out->kernel_rx_timestamps = r->kernel_rx_timestamps;
    if (r->src) {
        ntp_source_get_report(r->src, &out->report);
        out->active = out->report.state != NTP_SOURCE_OFFLINE;
    } else {
        /* as in chrony, a name waiting to resolve counts (and polls nothing) */
        out->active = r->opts.online;
    }
    return true;
}

int ntp_client_get_samples(size_t index, struct ntp_source_sample *out, int max)
{
    if (index >= n_records || max <= 0)
        return 0;
    const struct record *r = records[index];
    int n = r->n_samples < max ? r->n_samples : max;
    int start = (r->next_sample - r->n_samples + NTP_CLIENT_KEPT_SAMPLES) % NTP_CLIENT_KEPT_SAMPLES;
    /* the newest n of them */
    start = (start + (r->n_samples - n)) % NTP_CLIENT_KEPT_SAMPLES;
    for (int i = 0; i < n; i++)
        out[i] = r->samples[(start + i) % NTP_CLIENT_KEPT_SAMPLES];
    return n;
}

/* ---- control (chronyc) ---- */

/* chrony's address comparison for online/offline/burst: the same family,
 * then the bits of mask when it has that family, else every bit. */
static bool address_matches(const addr_ip *ip, const addr_ip *address, const addr_ip *mask)
{
    if (ip->family != address->family)
        return false;
    bool masked = mask->family == address->family;
    switch (ip->family) {
    case ADDR_INET4:
        return ((ip->a.in4 ^ address->a.in4) & (masked ? mask->a.in4 : 0xffffffffU)) == 0;
    case ADDR_INET6:
        for (size_t i = 0; i < sizeof ip->a.in6; i++) {
            if ((ip->a.in6[i] ^ address->a.in6[i]) & (masked ? mask->a.in6[i] : 0xff))
                return false;
        }
        return true;
    case ADDR_ID:
        return ip->a.id == address->a.id;
    default:
        return true;
    }
}

static bool selected(const struct record *r, const addr_ip *mask, const addr_ip *address)
{
    return address->family == ADDR_UNSPEC || address_matches(&r->remote.ip, address, mask);
}

/* Names waiting for the resolver are asked about now (chrony does this
 * when sources go online). */
static void resolve_now(void)
{
    if (!first_round_done || !unresolved_list)
        return;
    if (requests_out == 0 && resolve_timer) {
        sched_remove_timeout(resolve_timer);
        resolve_timer = 0;
        if (resolving_interval > 0)
            resolving_interval--;
    }
    resolve_sources();
}

bool ntp_client_set_connectivity(const addr_ip *mask, const addr_ip *address,
                                 enum ntp_client_connectivity connectivity)
{
    bool any = false;

    if (connectivity != NTP_CLIENT_OFFLINE)
        resolve_now();
    for (size_t i = 0; i < n_records; i++) {
        struct record *r = records[i];
        if (!selected(r, mask, address))
            continue;
        /* an unresolved name is never connectable: left alone by onoffline */
        if (connectivity == NTP_CLIENT_MAYBE_ONLINE && !is_real(&r->remote.ip))
            continue;
        any = true;
        bool online = connectivity == NTP_CLIENT_ONLINE ||
                      (connectivity == NTP_CLIENT_MAYBE_ONLINE && connectable(&r->remote));
        /* kept for a new address the name may resolve to */
        r->opts.online = online;
        if (r->src) {
            ntp_source_set_online(r->src, online, sched_now_mono());
            after_source_call(r);
        }
    }
    if (any)
        notify_update();
    return any;
}

bool ntp_client_burst(const addr_ip *mask, const addr_ip *address, int good, int total)
{
    bool any = false;
    for (size_t i = 0; i < n_records; i++) {
        struct record *r = records[i];
        if (!selected(r, mask, address))
            continue;
        any = true;
        if (r->src) {
            ntp_source_burst(r->src, good, total, sched_now_mono());
            after_source_call(r);
        }
    }
    if (any)
        notify_update();
    return any;
}

static bool poll_in_range(double value)
{
    return value >= NTP_SOURCE_MIN_POLL && value <= NTP_SOURCE_MAX_POLL;
}

/* The same change in the options a new engine would be created with. */
static void modify_options(struct srcopts *o, enum ntp_source_setting what, double value)
{
    switch (what) {
    case NTP_SOURCE_SET_MINPOLL:
        if (poll_in_range(value)) {
            o->minpoll = (int)value;
            if (o->maxpoll < o->minpoll)
                o->maxpoll = o->minpoll;
        }
        break;
    case NTP_SOURCE_SET_MAXPOLL:
        if (poll_in_range(value)) {
            o->maxpoll = (int)value;
            if (o->minpoll > o->maxpoll)
                o->minpoll = o->maxpoll;
        }
        break;
    case NTP_SOURCE_SET_MAX_DELAY:
        o->max_delay_s = value;
        break;
    case NTP_SOURCE_SET_MAX_DELAY_RATIO:
        o->max_delay_ratio = value;
        break;
    case NTP_SOURCE_SET_MAX_DELAY_DEV_RATIO:
        o->max_delay_dev_ratio = value;
        break;
    case NTP_SOURCE_SET_MIN_STRATUM:
        o->min_stratum = value < 0.0 ? 0 : value > NTP_MAX_STRATUM ? NTP_MAX_STRATUM : (int)value;
        break;
    case NTP_SOURCE_SET_POLL_TARGET:
        o->poll_target = value < 1.0 ? 1 : value > INT_MAX ? INT_MAX : (int)value;
        break;
    case NTP_SOURCE_SET_OFFSET:
        o->offset_s = value;
        break;
    }
}

bool ntp_client_modify(const addr_ip *ip, enum ntp_source_setting what, double value)
{
    struct record *r = find_record(ip);
    if (!r)
        return false;
    if (!isfinite(value))
        return true;
    modify_options(&r->opts, what, value);
    if (r->src) {
        ntp_source_modify(r->src, what, value);
        after_source_call(r);
        notify_update();
    }
    return true;
}

bool ntp_client_remove(const addr_ip *ip)
{
    struct record *r = find_record(ip);
    if (!r)
        return false;
    destroy_record(r);
    notify_update();
    return true;
}

void ntp_client_reset_sources(void)
{
    for (size_t i = 0; i < n_records; i++) {
        struct record *r = records[i];
        if (!r->src)
            continue;
        ntp_source_reset(r->src, sched_now_mono());
        after_source_call(r);
    }
    notify_update();
}

/* ---- sourcedir lines, for reload sources ---- */

struct dir_source {
    unsigned id;
    enum conf_source_type type;
    char *name;
    struct srcopts opts;
};

static struct dir_source *dir_sources;
static size_t n_dir_sources, dir_sources_alloc;
static unsigned last_dir_id;

static bool same_options(const struct srcopts *a, const struct srcopts *b)
{
    return a->port == b->port && a->family == b->family && a->minpoll == b->minpoll &&
           a->maxpoll == b->maxpoll && a->online == b->online &&
           a->auto_offline == b->auto_offline && a->burst == b->burst &&
           a->iburst == b->iburst && a->presend == b->presend &&
           a->min_stratum == b->min_stratum && a->poll_target == b->poll_target &&
           a->version == b->version && a->max_sources == b->max_sources &&
           a->min_samples == b->min_samples && a->max_samples == b->max_samples &&
           a->filter == b->filter && a->max_unreach == b->max_unreach &&
           a->xleave == b->xleave && a->nts == b->nts && a->nts_port == b->nts_port &&
           a->copy == b->copy && a->sel_options == b->sel_options &&
           a->ext_fields == b->ext_fields && a->key == b->key && a->cert_set == b->cert_set &&
           a->max_delay_s == b->max_delay_s && a->max_delay_ratio == b->max_delay_ratio &&
           a->max_delay_dev_ratio == b->max_delay_dev_ratio &&
           a->max_delay_quant == b->max_delay_quant && a->min_delay_s == b->min_delay_s &&
           a->asymmetry == b->asymmetry && a->offset_s == b->offset_s;
}

static bool same_line(const struct dir_source *d, const struct conf_source *c)
{
    return d->type == c->type && strcmp(d->name, c->name) == 0 && same_options(&d->opts, &c->opts);
}

/* Adds the sources of one sourcedir line and remembers the line. */
static void add_dir_source(const struct conf_source *c)
{
    size_t first = n_records;
    unsigned id = ++last_dir_id;

    if (c->type == CONF_SOURCE_PEER)
        LOG_WARN("peer sources are not supported yet: %s ignored", c->name);
    else if (!ntp_client_add(c->name, &c->opts, c->type == CONF_SOURCE_POOL))
        return;
    for (size_t i = first; i < n_records; i++)
        records[i]->dir_id = id;
    dir_sources = mem_grow(dir_sources, &dir_sources_alloc, n_dir_sources + 1,
                           sizeof *dir_sources);
    dir_sources[n_dir_sources++] = (struct dir_source){
        .id = id, .type = c->type, .name = mem_strdup(c->name), .opts = c->opts,
    };
}

static void remove_dir_source(size_t index)
{
    unsigned id = dir_sources[index].id;
    for (size_t i = 0; i < n_records;) {
        if (records[i]->dir_id == id)
            destroy_record(records[i]);
        else
            i++;
    }
    mem_free(dir_sources[index].name);
    memmove(&dir_sources[index], &dir_sources[index + 1],
            (n_dir_sources - index - 1) * sizeof *dir_sources);
    n_dir_sources--;
}

static void forget_dir_sources(void)
{
    for (size_t i = 0; i < n_dir_sources; i++)
        mem_free(dir_sources[i].name);
    mem_free(dir_sources);
    dir_sources = NULL;
    n_dir_sources = dir_sources_alloc = 0;
}

void ntp_client_reload_sources(void)
{
    size_t n = 0;
    struct conf_source *lines = conf_load_sourcedirs(&n);
    bool *kept = mem_calloc(n ? n : 1, sizeof *kept);

    for (size_t i = 0; i < n_dir_sources;) {
        size_t j = 0;
        while (j < n && (kept[j] || !same_line(&dir_sources[i], &lines[j])))
            j++;
        if (j < n) {
            kept[j] = true;
            i++;
        } else {
            remove_dir_source(i);
        }
    }
    for (size_t j = 0; j < n; j++) {
        if (!kept[j])
            add_dir_source(&lines[j]);
    }
    mem_free(kept);
    conf_free_sources(lines, n);
    notify_update();
}

/* ---- selectopts ---- */

bool ntp_client_modify_select_options(const addr_ip *ip, unsigned mask, unsigned options)
{
    struct record *r = find_record(ip);
    if (!r)
        return false;
    /* chrony's rule: nothing to do when the masked options are already
     * those asked for */
    if ((r->opts.sel_options & mask) == options)
        return true;
    unsigned now = (r->opts.sel_options & ~mask) | options;
    r->opts.sel_options = now;
    if (r->src)
        ntp_source_set_select_options(r->src, now);
    char buf[ADDR_STR_MAX];
    LOG_INFO("Source %s selection options modified", addr_format(&r->remote.ip, buf, sizeof buf));
    return true;
}
