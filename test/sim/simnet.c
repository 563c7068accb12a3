/* simnet: simulated sockets, links and NTP servers. See simnet.h. */
#include "simnet.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/ntptime.h"
#include "core/ntp_packet.h"
#include "ntp_wire.h"
#include "platform/cmdsock.h"
#include "platform/udp.h"
#include "simclock.h"
#include "simloop.h"
#include "simplat.h"
#include "simrng.h"

#define NS_PER_S 1000000000LL
#define PPM 1e-6
/* The lowest descriptor handed out: far above the process's real ones, so
 * that a stray system call on a simulated socket fails (EBADF) instead of
 * reaching a real file. */
#define FIRST_FD 1000
/* Ephemeral ports, as Linux's default ip_local_port_range. */
#define EPHEMERAL_PORT_MIN 32768
#define EPHEMERAL_PORT_MAX 60999
/* Largest datagram the network carries. */
#define MAX_DATAGRAM 2048
/* Interface index of the simulated host's one network interface. */
#define SIM_IF_INDEX 2
/* Servers' reference time: the last multiple of this before now. */
#define REF_INTERVAL_S 16

struct datagram {
    struct datagram *next;
    uint8_t data[MAX_DATAGRAM];
    size_t len;
    addr_sock from, to;
    int exchange;               /* index into exchanges, or -1 */
    struct timespec rx_ts;      /* daemon's clock when it arrived */
};

struct sock {
    bool open;
    int family;
    addr_ip local_ip;           /* ADDR_UNSPEC: any of the host's */
    uint16_t local_port;
    addr_sock remote;           /* ip.family ADDR_UNSPEC: not connected */
    struct datagram *head, *tail;
};

static struct sock *socks;      /* indexed by fd */
static size_t socks_alloc;

static struct simnet_server_params servers[SIMNET_MAX_SERVERS];
static int n_servers;

static struct simnet_exchange *exchanges;
static size_t n_exchanges, exchanges_alloc;

static struct simrng net_rng, port_rng;
static struct simnet_stats stats;
static udp_stats udpstats;

static addr_ip client_ip4, client_ip6;
static void (*cook_fn)(struct timespec *ts);

/* A socket family of its own for the Unix command socket: nothing in the
 * simulated world sends to it. */
#define LOCAL_FAMILY (-1)

void simnet_init(uint64_t seed)
{
    simrng_init(&net_rng, seed, SIMRNG_NET);
    simrng_init(&port_rng, seed, SIMRNG_PORTS);
    addr_parse(SIMNET_CLIENT_IP4, &client_ip4);
    addr_parse(SIMNET_CLIENT_IP6, &client_ip6);
    n_servers = 0;
    memset(&stats, 0, sizeof stats);
    memset(&udpstats, 0, sizeof udpstats);
}

int simnet_add_server(const struct simnet_server_params *p)
{
    if (n_servers >= SIMNET_MAX_SERVERS)
        LOG_FATAL("simulator: too many servers");
    servers[n_servers] = *p;
    return n_servers++;
}

int simnet_server_count(void)
{
    return n_servers;
}

const struct simnet_server_params *simnet_server(int index)
{
    return &servers[index];
}

int simnet_find_server(const addr_ip *ip)
{
    for (int i = 0; i < n_servers; i++)
        if (addr_equal(&servers[i].ip, ip))
            return i;
    return -1;
}

double simnet_server_offset_s(int index, int64_t t_ns)
{
    const struct simnet_server_params *s = &servers[index];
    return s->offset_s + s->freq_ppm * PPM * ((double)t_ns / 1e9);
}

size_t simnet_exchange_count(void)
{
    return n_exchanges;
}

const struct simnet_exchange *simnet_exchange_get(size_t i)
{
    return i < n_exchanges ? &exchanges[i] : NULL;
}

void simnet_finish(void)
{
    for (size_t fd = FIRST_FD; fd < socks_alloc; fd++)
        udp_close((int)fd);
    mem_free(socks);
    socks = NULL;
    socks_alloc = 0;
    mem_free(exchanges);
    exchanges = NULL;
    n_exchanges = exchanges_alloc = 0;
}

void simnet_get_stats(struct simnet_stats *out)
{
    *out = stats;
}

void simnet_set_cook(void (*cook)(struct timespec *ts))
{
    cook_fn = cook;
}

static void cooked(const struct timespec *raw, struct timespec *out)
{
    *out = *raw;
    if (cook_fn)
        cook_fn(out);
}

/* ---- sockets ---- */

static struct sock *get_sock(int fd)
{
    if (fd < FIRST_FD || (size_t)fd >= socks_alloc || !socks[fd].open)
        return NULL;
    return &socks[fd];
}

bool simnet_fd_readable(int fd)
{
    struct sock *s = get_sock(fd);
    return s && s->head;
}

static const addr_ip *host_ip(int family)
{
    return family == ADDR_INET6 ? &client_ip6 : &client_ip4;
}

static bool port_in_use(int family, uint16_t port)
{
    for (size_t i = FIRST_FD; i < socks_alloc; i++)
        if (socks[i].open && socks[i].family == family && socks[i].local_port == port)
            return true;
    return false;
}

static uint16_t ephemeral_port(int family)
{
    for (;;) {
        uint16_t port = (uint16_t)(EPHEMERAL_PORT_MIN +
                                   simrng_u64(&port_rng) %
                                       (EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1));
        if (!port_in_use(family, port))
            return port;
    }
}

void udp_params_init(udp_params *p, int family)
{
    memset(p, 0, sizeof *p);
    p->family = family;
    p->bind_ip.family = ADDR_UNSPEC;
    p->remote.ip.family = ADDR_UNSPEC;
}

static bool is_any(const addr_ip *ip)
{
    if (ip->family == ADDR_UNSPEC)
        return true;
    if (ip->family == ADDR_INET4)
        return ip->a.in4 == 0;
    static const uint8_t zero[16];
    return ip->family == ADDR_INET6 && memcmp(ip->a.in6, zero, sizeof zero) == 0;
}

static size_t new_sock(void)
{
    size_t fd = FIRST_FD;
    while (fd < socks_alloc && socks[fd].open)
        fd++;
    if (fd >= socks_alloc) {
        size_t old = socks_alloc;
        socks = mem_grow(socks, &socks_alloc, fd + 1, sizeof *socks);
        memset(&socks[old], 0, (socks_alloc - old) * sizeof *socks);
    }
    memset(&socks[fd], 0, sizeof socks[fd]);
    socks[fd].open = true;
    return fd;
}

int udp_open(const udp_params *p)
{
    if (p->family != ADDR_INET4 && p->family != ADDR_INET6) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (!is_any(&p->bind_ip) && !addr_equal(&p->bind_ip, host_ip(p->family)) &&
        !addr_is_loopback(&p->bind_ip)) {
        errno = EADDRNOTAVAIL;
        return -1;
    }
    if (p->remote.ip.family != ADDR_UNSPEC && p->remote.ip.family != p->family) {
        errno = EAFNOSUPPORT;
        return -1;
    }

    size_t fd = new_sock();
    struct sock *s = &socks[fd];
    s->family = p->family;
    s->local_ip = is_any(&p->bind_ip) ? (addr_ip){ .family = ADDR_UNSPEC } : p->bind_ip;
    s->local_port = p->bind_port ? p->bind_port : ephemeral_port(p->family);
    s->remote = p->remote;
    return (int)fd;
}

void udp_close(int fd)
{
    struct sock *s = get_sock(fd);
    if (!s)
        return;
    while (s->head) {
        struct datagram *d = s->head;
        s->head = d->next;
        mem_free(d);
    }
    s->open = false;
}

int udp_local_address(int fd, addr_sock *out)
{
    struct sock *s = get_sock(fd);
    if (!s) {
        errno = EBADF;
        return -1;
    }
    out->ip = s->local_ip.family == ADDR_UNSPEC ? (addr_ip){ .family = (uint8_t)s->family }
                                                : s->local_ip;
    out->port = s->local_port;
    return 0;
}

int udp_set_dscp(int fd, int family, int dscp)
{
    return get_sock(fd) ? 0 : -1;
}

/* ---- platform/cmdsock.h: a command socket nobody talks to ---- */

bool cmdsock_check_dir(const char *path, uid_t uid, gid_t gid)
{
    return true;
}

int cmdsock_open_unix(const char *path, uid_t uid, gid_t gid)
{
    size_t fd = new_sock();
    socks[fd].family = LOCAL_FAMILY;
    return (int)fd;
}

void cmdsock_close_unix(int fd, const char *path)
{
    udp_close(fd);
}

long cmdsock_recv_unix(int fd, void *buf, size_t cap, bool *truncated,
                       struct cmdsock_peer *peer)
{
    errno = get_sock(fd) ? EAGAIN : EBADF;
    return -1;
}

int cmdsock_send_unix(int fd, const void *buf, size_t len, const struct cmdsock_peer *peer)
{
    errno = get_sock(fd) ? ECONNREFUSED : EBADF;
    return -1;
}

/* ---- the servers ---- */

static void mem_free_arg(void *arg)
{
    mem_free(arg);
}

static void deliver_to_host(void *arg);

static int64_t link_delay_ns(const struct simnet_link *l, int dir)
{
    double d = l->delay_s[dir] + simrng_exp(&net_rng, l->jitter_s[dir]);
    return llround(d * 1e9);
}

static bool link_loses(const struct simnet_link *l, int dir)
{
    return l->loss[dir] > 0.0 && simrng_unit(&net_rng) < l->loss[dir];
}

static struct timespec server_time(int index, int64_t t_ns)
{
    struct timespec ts;
    simclock_true_at(t_ns, &ts);
    return ntptime_add_double(ts, simnet_server_offset_s(index, t_ns));
}

/* A request reaches a server: answer it, the reply leaving proc_s later. */
static void server_receive(void *arg)
{
    struct datagram *d = arg;
    int si = simnet_find_server(&d->to.ip);
    const struct simnet_server_params *s = &servers[si];
    struct ntp_packet_info info;

    if (d->to.port != NTP_PORT || ntp_packet_parse(d->data, d->len, NULL, &info) != NTP_PACKET_OK ||
        info.hdr.mode != NTP_MODE_CLIENT) {
        mem_free(d);
        return;
    }

    int64_t now = simclock_true_ns();
    int64_t t3_ns = now + llround(s->proc_s * 1e9);
    struct timespec t2 = server_time(si, now), t3 = server_time(si, t3_ns);
    struct timespec ref = t2;
    ref.tv_sec -= ref.tv_sec % REF_INTERVAL_S;
    ref.tv_nsec = 0;

    ntptime_ts64 no_fuzz = { 0, 0 };
    struct ntp_packet_header h = {
        .leap = NTP_LEAP_NORMAL,
        .version = info.hdr.version,
        .mode = NTP_MODE_SERVER,
        .stratum = s->stratum,
        .poll = info.hdr.poll,
        .precision = s->precision,
        .root_delay = ntptime_double_to_short(s->root_delay_s),
        .root_dispersion = ntptime_double_to_short(s->root_dispersion_s),
        .refid = s->refid,
        .reference_ts = ntptime_to_ts64(ref, no_fuzz),
        .originate_ts = info.hdr.transmit_ts,
        .receive_ts = ntptime_to_ts64(t2, no_fuzz),
        .transmit_ts = ntptime_to_ts64(t3, no_fuzz),
    };

    struct datagram *r = mem_calloc(1, sizeof *r);
    r->from = d->to;
    r->to = d->from;
    r->exchange = d->exchange;
    size_t len = 0;
    ntp_packet_write_header(&h, r->data, sizeof r->data, &len);
    r->len = len;

    if (d->exchange >= 0) {
        struct simnet_exchange *x = &exchanges[d->exchange];
        x->answered = true;
        x->t2_ns = now;
        x->t3_ns = t3_ns;
        x->t2 = t2;
        x->t3 = t3;
    }
    mem_free(d);

    if (link_loses(&s->link, SIMNET_DOWN)) {
        stats.lost++;
        if (r->exchange >= 0)
            exchanges[r->exchange].lost = true;
        mem_free(r);
        return;
    }
    simloop_at(t3_ns + link_delay_ns(&s->link, SIMNET_DOWN), deliver_to_host, mem_free_arg, r);
}

/* ---- delivery to the daemon's sockets ---- */

static bool sock_accepts(const struct sock *s, const struct datagram *d)
{
    if (!s->open || s->family != d->to.ip.family || s->local_port != d->to.port)
        return false;
    if (s->local_ip.family != ADDR_UNSPEC && !addr_equal(&s->local_ip, &d->to.ip))
        return false;
    if (s->remote.ip.family != ADDR_UNSPEC &&
        (!addr_equal(&s->remote.ip, &d->from.ip) || s->remote.port != d->from.port))
        return false;
    return true;
}

static void deliver_to_host(void *arg)
{
    struct datagram *d = arg;
    struct sock *target = NULL;
    /* a connected socket wins over an unconnected one on the same port */
    for (size_t fd = FIRST_FD; fd < socks_alloc; fd++) {
        struct sock *s = &socks[fd];
        if (sock_accepts(s, d) && (!target || s->remote.ip.family != ADDR_UNSPEC))
            target = s;
    }
    if (!target) {
        stats.replies_dropped++;
        mem_free(d);
        return;
    }
    simclock_read_real(&d->rx_ts);
    if (d->exchange >= 0) {
        struct simnet_exchange *x = &exchanges[d->exchange];
        x->delivered = true;
        x->t4_ns = simclock_true_ns();
        x->t4 = d->rx_ts;
        cooked(&x->t4, &x->t4_cooked);
        x->clock_events_t4 = simplat_clock_events();
    }
    stats.replies_delivered++;
    d->next = NULL;
    if (target->tail)
        target->tail->next = d;
    else
        target->head = d;
    target->tail = d;
}

/* ---- sending ---- */

static int send_one(struct sock *s, const void *buf, size_t len, const addr_sock *to,
                    const addr_ip *from)
{
    addr_sock dest = to && to->ip.family != ADDR_UNSPEC ? *to : s->remote;
    if (dest.ip.family == ADDR_UNSPEC) {
        errno = EDESTADDRREQ;
        return -1;
    }
    if (dest.ip.family != s->family) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (len > MAX_DATAGRAM) {
        errno = EMSGSIZE;
        return -1;
    }

    struct datagram *d = mem_calloc(1, sizeof *d);
    memcpy(d->data, buf, len);
    d->len = len;
    d->from.ip = from && from->family != ADDR_UNSPEC ? *from
                 : s->local_ip.family != ADDR_UNSPEC ? s->local_ip : *host_ip(s->family);
    d->from.port = s->local_port;
    d->to = dest;
    d->exchange = -1;

    int si = simnet_find_server(&dest.ip);
    if (si < 0) {
        stats.unroutable++;
        mem_free(d);
        return 0;           /* sent; nobody is there (no ICMP is simulated) */
    }
    stats.requests++;

    exchanges = mem_grow(exchanges, &exchanges_alloc, n_exchanges + 1, sizeof *exchanges);
    struct simnet_exchange *x = &exchanges[n_exchanges];
    memset(x, 0, sizeof *x);
    x->server = si;
    x->t1_ns = simclock_true_ns();
    simclock_read_real(&x->t1);
    cooked(&x->t1, &x->t1_cooked);
    x->clock_events_t1 = simplat_clock_events();
    d->exchange = (int)n_exchanges++;

    const struct simnet_link *l = &servers[si].link;
    if (link_loses(l, SIMNET_UP)) {
        stats.lost++;
        x->lost = true;
        mem_free(d);
        return 0;
    }
    simloop_at(x->t1_ns + link_delay_ns(l, SIMNET_UP), server_receive, mem_free_arg, d);
    return 0;
}

int udp_send(int fd, const void *buf, size_t len, const addr_sock *to, const addr_ip *from,
             int if_index)
{
    struct sock *s = get_sock(fd);
    if (!s) {
        errno = EBADF;
        udpstats.tx_errors++;
        return -1;
    }
    if (send_one(s, buf, len, to, from) < 0) {
        udpstats.tx_errors++;
        return -1;
    }
    udpstats.tx_packets++;
    return 0;
}

int udp_send_msg(int fd, const udp_msg *msg)
{
    return udp_send(fd, msg->buf, msg->len, &msg->remote, &msg->local, msg->if_index);
}

int udp_send_batch(int fd, const udp_msg *msgs, int n)
{
    int sent = 0;
    for (int i = 0; i < n; i++)
        if (udp_send_msg(fd, &msgs[i]) == 0)
            sent++;
    return sent;
}

int udp_recv_batch(int fd, udp_msg *msgs, int max)
{
    struct sock *s = get_sock(fd);
    if (!s) {
        errno = EBADF;
        udpstats.rx_errors++;
        return -1;
    }
    if (max > UDP_MAX_BATCH)
        max = UDP_MAX_BATCH;
    int n = 0;
    while (n < max && s->head) {
        struct datagram *d = s->head;
        s->head = d->next;
        if (!s->head)
            s->tail = NULL;
        udp_msg *m = &msgs[n++];
        m->truncated = d->len > m->buf_len;
        m->len = m->truncated ? m->buf_len : d->len;
        memcpy(m->buf, d->data, m->len);
        m->remote = d->from;
        m->local = d->to.ip;
        m->if_index = SIM_IF_INDEX;
        m->rx_ts = d->rx_ts;
        m->rx_ts_kernel = true;
        udpstats.rx_packets++;
        if (m->truncated)
            udpstats.rx_truncated++;
        mem_free(d);
    }
    return n;
}

void udp_get_stats(udp_stats *out)
{
    *out = udpstats;
}

void udp_reset_stats(void)
{
    memset(&udpstats, 0, sizeof udpstats);
}
