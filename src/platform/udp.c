/* udp: UDP sockets for NTP, with kernel receive timestamps and the local
 * address of every datagram. See udp.h. */
#include "platform/udp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/net_tstamp.h>
#endif

#include "common/log.h"

/* Room for the control messages of one datagram: packet info (at most 40
 * bytes with its header) and a timestamp (at most 64), with margin for what a
 * kernel may add. */
#define CMSG_BUF_BYTES 256

/* Control-message buffer aligned as the cmsg macros require. */
typedef union {
    struct cmsghdr align;
    char bytes[CMSG_BUF_BYTES];
} cmsg_buf;

/* The storage behind one msghdr. */
typedef struct {
    struct sockaddr_storage name;
    struct iovec iov;
    cmsg_buf control;
} msg_space;

static udp_stats stats;

/* Cleared when the system (or a simulator the daemon runs under) turns out not
 * to implement the batched calls; from then on one datagram per call. */
static bool recvmmsg_works = true;
static bool sendmmsg_works = true;

void udp_params_init(udp_params *p, int family)
{
    memset(p, 0, sizeof *p);
    p->family = family;
}

static int family_to_domain(int family)
{
    switch (family) {
    case ADDR_INET4:
        return AF_INET;
    case ADDR_INET6:
        return AF_INET6;
    default:
        return -1;
    }
}

static bool is_any_address(const addr_ip *ip)
{
    static const uint8_t zero6[16];
    switch (ip->family) {
    case ADDR_INET4:
        return ip->a.in4 == 0;
    case ADDR_INET6:
        return memcmp(ip->a.in6, zero6, sizeof zero6) == 0;
    default:
        return true;
    }
}

static int set_int_option(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value);
}

/* Non-blocking (the loop must never wait in a read) and close-on-exec (a
 * program chronyd starts must not inherit its sockets). Set with fcntl()
 * rather than socket() flags, which some simulators do not understand. */
static int set_fd_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    int fdfl = fcntl(fd, F_GETFD);
    if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

/* Ask for receive timestamps, the most precise kind the system accepts. */
static void enable_rx_timestamps(int fd)
{
#if defined(SO_TIMESTAMPING) && defined(__linux__)
    if (set_int_option(fd, SOL_SOCKET, SO_TIMESTAMPING,
                       SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE) == 0)
        return;
#endif
#ifdef SO_TIMESTAMPNS
    if (set_int_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) == 0)
        return;
#endif
#ifdef SO_TIMESTAMP
    if (set_int_option(fd, SOL_SOCKET, SO_TIMESTAMP, 1) == 0)
        return;
#endif
    LOG_DEBUG("No kernel receive timestamps on fd=%d", fd);
}

/* Report the destination address of each datagram, so that a reply leaves
 * from the address the request came to. Without it replies still work on
 * single-address hosts, so failure is not fatal. */
static void enable_pktinfo(int fd, int family)
{
    int r = 0;
    if (family == ADDR_INET4) {
#ifdef IP_PKTINFO
        r = set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1);
#endif
    } else {
#ifdef IPV6_RECVPKTINFO
        r = set_int_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
#endif
    }
    if (r < 0)
        LOG_DEBUG("Could not enable packet info on fd=%d : %s", fd, strerror(errno));
}

static int bind_device(int fd, const char *device)
{
#ifdef SO_BINDTODEVICE
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device) + 1) < 0) {
        LOG_DEBUG("Could not bind fd=%d to device %s : %s", fd, device, strerror(errno));
        return -1;
    }
    return 0;
#else
    (void)fd;
    (void)device;
    errno = ENOPROTOOPT;
    return -1;
#endif
}

static int bind_address(int fd, const udp_params *p)
{
    addr_sock local = { .ip = p->bind_ip, .port = p->bind_port };
    if (local.ip.family == ADDR_UNSPEC) {
        memset(&local.ip, 0, sizeof local.ip);
        local.ip.family = (uint8_t)p->family;
    }

    /* A fixed port must be reusable at once after a restart. */
    if (p->bind_port != 0)
        set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1);
#ifdef IP_FREEBIND
    /* bindaddress may name an address that is not configured yet (interfaces
     * still coming up at boot); the kernel applies this to IPv6 sockets too. */
    set_int_option(fd, IPPROTO_IP, IP_FREEBIND, 1);
#endif

    struct sockaddr_storage sa;
    size_t sa_len = addr_to_sockaddr(&local, (struct sockaddr *)&sa, sizeof sa);
    if (sa_len == 0) {
        errno = EINVAL;
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&sa, (socklen_t)sa_len) < 0) {
        char buf[ADDR_STR_MAX];
        LOG_DEBUG("Could not bind UDP socket to %s port %u : %s",
                  addr_format(&local.ip, buf, sizeof buf), (unsigned)local.port, strerror(errno));
        return -1;
    }
    return 0;
}

static int connect_remote(int fd, const addr_sock *remote)
{
    struct sockaddr_storage sa;
    size_t sa_len = addr_to_sockaddr(remote, (struct sockaddr *)&sa, sizeof sa);
    if (sa_len == 0) {
        errno = EINVAL;
        return -1;
    }
    int r;
    do {
        r = connect(fd, (struct sockaddr *)&sa, (socklen_t)sa_len);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        char buf[ADDR_STR_MAX];
        LOG_DEBUG("Could not connect UDP socket to %s port %u : %s",
                  addr_format(&remote->ip, buf, sizeof buf), (unsigned)remote->port,
                  strerror(errno));
        return -1;
    }
    return 0;
}

int udp_open(const udp_params *p)
{
    int domain = family_to_domain(p->family);
    if (domain < 0 ||
        (p->bind_ip.family != ADDR_UNSPEC && p->bind_ip.family != p->family) ||
        (p->remote.ip.family != ADDR_UNSPEC && p->remote.ip.family != p->family) ||
        p->dscp < 0 || p->dscp > UDP_MAX_DSCP) {
        errno = domain < 0 ? EAFNOSUPPORT : EINVAL;
        return -1;
    }

    int fd = socket(domain, SOCK_DGRAM, 0);
    if (fd < 0) {
        LOG_DEBUG("Could not open %s UDP socket : %s",
                  p->family == ADDR_INET4 ? "IPv4" : "IPv6", strerror(errno));
        return -1;
    }
    if (set_fd_flags(fd) < 0)
        goto fail;

    /* One socket per family: an IPv6 socket must leave IPv4 to the IPv4 one,
     * or the two could not share port 123. */
    if (p->family == ADDR_INET6 && set_int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0)
        goto fail;

    enable_pktinfo(fd, p->family);
    if (p->broadcast && set_int_option(fd, SOL_SOCKET, SO_BROADCAST, 1) < 0)
        LOG_DEBUG("Could not enable broadcast on fd=%d : %s", fd, strerror(errno));
    enable_rx_timestamps(fd);
    if (p->dscp > 0 && udp_set_dscp(fd, p->family, p->dscp) < 0)
        LOG_DEBUG("Could not set DSCP %d on fd=%d : %s", p->dscp, fd, strerror(errno));

    if (p->device && p->device[0] != '\0' && bind_device(fd, p->device) < 0)
        goto fail;

    /* A connected socket with no fixed port or address gets both from connect(). */
    if ((p->bind_port != 0 || !is_any_address(&p->bind_ip)) && bind_address(fd, p) < 0)
        goto fail;

    if (p->remote.ip.family != ADDR_UNSPEC && connect_remote(fd, &p->remote) < 0)
        goto fail;

    LOG_DEBUG("Opened UDP%s socket fd=%d port=%u%s", p->family == ADDR_INET4 ? "v4" : "v6",
              fd, (unsigned)p->bind_port, p->remote.ip.family != ADDR_UNSPEC ? " connected" : "");
    return fd;

fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

void udp_close(int fd)
{
    /* No retry on EINTR: Linux releases the descriptor whatever close() returns. */
    if (fd >= 0)
        close(fd);
}

int udp_local_address(int fd, addr_sock *out)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
        return -1;
    if (!addr_from_sockaddr((struct sockaddr *)&sa, len, out)) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    return 0;
}

int udp_set_dscp(int fd, int family, int dscp)
{
    if (dscp < 0 || dscp > UDP_MAX_DSCP) {
        errno = EINVAL;
        return -1;
    }
    /* DSCP is the upper six bits of the old TOS / traffic class byte. */
    int tos = dscp << 2;
    if (family == ADDR_INET4)
        return set_int_option(fd, IPPROTO_IP, IP_TOS, tos);
#ifdef IPV6_TCLASS
    if (family == ADDR_INET6)
        return set_int_option(fd, IPPROTO_IPV6, IPV6_TCLASS, tos);
#endif
    errno = EAFNOSUPPORT;
    return -1;
}

/* ---- receiving ---- */

/* The headers and control buffers of the batched calls live here, reused
 * from call to call, rather than on the stack: setting up a datagram writes
 * only the fields the kernel reads (no clearing of whole buffers). Everything
 * runs on the main thread, one call at a time. */
static struct mmsghdr rx_hdrs[UDP_MAX_BATCH];
static msg_space rx_space[UDP_MAX_BATCH];
static struct mmsghdr tx_hdrs[UDP_MAX_BATCH];
static msg_space tx_space[UDP_MAX_BATCH];

/* Ready mh to receive into m's buffer, with sp's name and control space. */
static void prepare_recv(struct msghdr *mh, msg_space *sp, const udp_msg *m)
{
    sp->iov.iov_base = m->buf;
    sp->iov.iov_len = m->buf_len;
    mh->msg_name = &sp->name;
    mh->msg_namelen = sizeof sp->name;
    mh->msg_iov = &sp->iov;
    mh->msg_iovlen = 1;
    mh->msg_control = sp->control.bytes;
    mh->msg_controllen = sizeof sp->control.bytes;
    mh->msg_flags = 0;
}

/* The source address of a datagram: IPv4 inline, the rest through addr. */
static bool from_sockaddr(const struct msghdr *mh, addr_sock *out)
{
    const struct sockaddr *sa = (const struct sockaddr *)mh->msg_name;
    if (mh->msg_namelen >= sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)mh->msg_name;
        memset(out, 0, sizeof *out);
        out->ip.family = ADDR_INET4;
        out->ip.a.in4 = ntohl(s4->sin_addr.s_addr);
        out->port = ntohs(s4->sin_port);
        return true;
    }
    return mh->msg_namelen > 0 && addr_from_sockaddr(sa, mh->msg_namelen, out);
}

static bool timespec_is_zero(const struct timespec *ts)
{
    return ts->tv_sec == 0 && ts->tv_nsec == 0;
}

/* Fill m from a received msghdr: addresses, interface, kernel timestamp. */
static void parse_received(int fd, const struct msghdr *mh, size_t length, udp_msg *m)
{
    m->len = length < m->buf_len ? length : m->buf_len;
    m->truncated = (mh->msg_flags & MSG_TRUNC) != 0;
    memset(&m->local, 0, sizeof m->local);
    m->if_index = UDP_NO_IF_INDEX;
    m->rx_ts_kernel = false;
    memset(&m->rx_ts, 0, sizeof m->rx_ts);
    if (!from_sockaddr(mh, &m->remote))
        memset(&m->remote, 0, sizeof m->remote);

    if (mh->msg_flags & MSG_CTRUNC)
        LOG_DEBUG("Control messages truncated on fd=%d", fd);

    struct msghdr *hdr = (struct msghdr *)mh;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(hdr); c; c = CMSG_NXTHDR(hdr, c)) {
        size_t data_len = c->cmsg_len - CMSG_LEN(0);
#ifdef IP_PKTINFO
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
            data_len >= sizeof(struct in_pktinfo)) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            m->local.family = ADDR_INET4;
            m->local.a.in4 = ntohl(pi.ipi_addr.s_addr);
            m->if_index = pi.ipi_ifindex;
            continue;
        }
#endif
#ifdef IPV6_PKTINFO
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
            data_len >= sizeof(struct in6_pktinfo)) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            m->local.family = ADDR_INET6;
            memcpy(m->local.a.in6, pi.ipi6_addr.s6_addr, 16);
            m->if_index = (int)pi.ipi6_ifindex;
            continue;
        }
#endif
        if (c->cmsg_level != SOL_SOCKET)
            continue;
#ifdef SCM_TIMESTAMPING
        /* Three timestamps: software, (deprecated), hardware; only the first
         * is asked for. */
        if (c->cmsg_type == SCM_TIMESTAMPING && data_len >= 3 * sizeof(struct timespec)) {
            struct timespec ts[3];
            memcpy(ts, CMSG_DATA(c), sizeof ts);
            if (!timespec_is_zero(&ts[0])) {
                m->rx_ts = ts[0];
                m->rx_ts_kernel = true;
            }
            continue;
        }
#endif
#ifdef SCM_TIMESTAMPNS
        if (c->cmsg_type == SCM_TIMESTAMPNS && data_len >= sizeof(struct timespec)) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            if (!timespec_is_zero(&ts)) {
                m->rx_ts = ts;
                m->rx_ts_kernel = true;
            }
            continue;
        }
#endif
#ifdef SCM_TIMESTAMP
        if (c->cmsg_type == SCM_TIMESTAMP && data_len >= sizeof(struct timeval)) {
            struct timeval tv;
            memcpy(&tv, CMSG_DATA(c), sizeof tv);
            if (tv.tv_sec != 0 || tv.tv_usec != 0) {
                m->rx_ts.tv_sec = tv.tv_sec;
                m->rx_ts.tv_nsec = (long)tv.tv_usec * 1000;
                m->rx_ts_kernel = true;
            }
            continue;
        }
#endif
    }
}

static void read_realtime(struct timespec *ts)
{
    if (clock_gettime(CLOCK_REALTIME, ts) < 0)
        memset(ts, 0, sizeof *ts);
}

static int recvmsg_retry(int fd, struct msghdr *mh)
{
    int r;
    do {
        r = (int)recvmsg(fd, mh, MSG_DONTWAIT);
    } while (r < 0 && errno == EINTR);
    return r;
}

/* Receive into hdrs[0..max). One datagram per call where recvmmsg() is
 * missing: then each is stamped in fallback[] with the clock read just after
 * it arrived and *stamped is set. Returns the count or -1 (errno set). */
static int receive(int fd, struct mmsghdr *hdrs, int max, struct timespec *fallback,
                   bool *stamped)
{
    *stamped = false;
    if (max > 1 && recvmmsg_works) {
        int r;
        do {
            r = recvmmsg(fd, hdrs, (unsigned)max, MSG_DONTWAIT, NULL);
        } while (r < 0 && errno == EINTR);
        if (r >= 0 || errno != ENOSYS)
            return r;
        LOG_DEBUG("recvmmsg() not available, receiving one datagram per call");
        recvmmsg_works = false;
    }

    *stamped = true;
    int n = 0;
    while (n < max) {
        int r = recvmsg_retry(fd, &hdrs[n].msg_hdr);
        if (r < 0) {
            /* An error after some datagrams arrived is reported by the next call. */
            if (n > 0)
                break;
            return -1;
        }
        read_realtime(&fallback[n]);
        hdrs[n].msg_len = (unsigned)r;
        n++;
    }
    return n;
}

int udp_recv_batch(int fd, udp_msg *msgs, int max)
{
    if (max <= 0)
        return 0;
    if (max > UDP_MAX_BATCH)
        max = UDP_MAX_BATCH;
    struct mmsghdr *hdrs = rx_hdrs;
    struct timespec fallback[UDP_MAX_BATCH];
    bool stamped;
    for (int i = 0; i < max; i++)
        prepare_recv(&hdrs[i].msg_hdr, &rx_space[i], &msgs[i]);

    int n = receive(fd, hdrs, max, fallback, &stamped);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        int saved = errno;
        stats.rx_errors++;
        LOG_DEBUG("Could not receive on fd=%d : %s", fd, strerror(saved));
        errno = saved;
        return -1;
    }

    /* Datagrams of a batch without a kernel timestamp (the system or a
     * simulator gave none) share one clock reading, taken when the first of
     * them is found: right after the call, as only the control messages of
     * the datagrams before it were read since. */
    struct timespec now;
    bool have_now = false;
    for (int i = 0; i < n; i++) {
        udp_msg *m = &msgs[i];
        parse_received(fd, &hdrs[i].msg_hdr, hdrs[i].msg_len, m);
        if (!m->rx_ts_kernel) {
            if (stamped) {
                m->rx_ts = fallback[i];
            } else {
                if (!have_now) {
                    read_realtime(&now);
                    have_now = true;
                }
                m->rx_ts = now;
            }
            stats.rx_no_kernel_ts++;
        }
        if (m->truncated)
            stats.rx_truncated++;
    }
    stats.rx_packets += (unsigned long)n;
    return n;
}

/* ---- sending ---- */

/* The destination address: IPv4 inline, the rest through addr. */
static size_t to_sockaddr(const addr_sock *to, struct sockaddr_storage *out)
{
    if (to->ip.family == ADDR_INET4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)out;
        memset(s4, 0, sizeof *s4);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(to->port);
        s4->sin_addr.s_addr = htonl(to->ip.a.in4);
        return sizeof *s4;
    }
    return addr_to_sockaddr(to, (struct sockaddr *)out, sizeof *out);
}

/* Fill mh to send one datagram; the source address, when given, travels in
 * a packet-info control message. Every field of mh is set, and every byte of
 * the control data it points to. Returns 0, or -1 with errno set. */
static int prepare_send(struct msghdr *mh, msg_space *sp, const void *buf, size_t len,
                        const addr_sock *to, const addr_ip *from, int if_index)
{
    sp->iov.iov_base = (void *)buf;
    sp->iov.iov_len = len;
    mh->msg_iov = &sp->iov;
    mh->msg_iovlen = 1;
    mh->msg_name = NULL;
    mh->msg_namelen = 0;
    mh->msg_control = NULL;
    mh->msg_controllen = 0;
    mh->msg_flags = 0;

    if (to && to->ip.family != ADDR_UNSPEC) {
        size_t sa_len = to_sockaddr(to, &sp->name);
        if (sa_len == 0) {
            errno = EAFNOSUPPORT;
            return -1;
        }
        mh->msg_name = &sp->name;
        mh->msg_namelen = (socklen_t)sa_len;
    }

    if (!from || is_any_address(from))
        return 0;

    struct cmsghdr *c = (struct cmsghdr *)sp->control.bytes;
    if (from->family == ADDR_INET4) {
#ifdef IP_PKTINFO
        struct in_pktinfo pi;
        memset(&pi, 0, sizeof pi);
        pi.ipi_spec_dst.s_addr = htonl(from->a.in4);
        if (if_index > 0)
            pi.ipi_ifindex = if_index;
        memset(sp->control.bytes, 0, CMSG_SPACE(sizeof pi));
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof pi);
        memcpy(CMSG_DATA(c), &pi, sizeof pi);
        mh->msg_control = sp->control.bytes;
        mh->msg_controllen = CMSG_SPACE(sizeof pi);
#endif
    } else {
#ifdef IPV6_PKTINFO
        struct in6_pktinfo pi;
        memset(&pi, 0, sizeof pi);
        memcpy(pi.ipi6_addr.s6_addr, from->a.in6, 16);
        if (if_index > 0)
            pi.ipi6_ifindex = (unsigned)if_index;
        memset(sp->control.bytes, 0, CMSG_SPACE(sizeof pi));
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof pi);
        memcpy(CMSG_DATA(c), &pi, sizeof pi);
        mh->msg_control = sp->control.bytes;
        mh->msg_controllen = CMSG_SPACE(sizeof pi);
#endif
    }
    return 0;
}

static void log_send_error(int fd, const addr_sock *to, int err)
{
    char buf[ADDR_STR_MAX];
    LOG_DEBUG("Could not send to %s port %u on fd=%d : %s",
              to && to->ip.family != ADDR_UNSPEC ? addr_format(&to->ip, buf, sizeof buf) : "peer",
              to ? (unsigned)to->port : 0u, fd, strerror(err));
}

/* One sendmsg(), counted. Returns 0, or -1 with errno set. */
static int send_one(int fd, const void *buf, size_t len, const addr_sock *to,
                    const addr_ip *from, int if_index)
{
    struct msghdr mh;
    msg_space sp;
    int r = prepare_send(&mh, &sp, buf, len, to, from, if_index);
    if (r == 0) {
        do {
            r = (int)sendmsg(fd, &mh, 0);
        } while (r < 0 && errno == EINTR);
    }
    if (r < 0) {
        int saved = errno;
        stats.tx_errors++;
        log_send_error(fd, to, saved);
        errno = saved;
        return -1;
    }
    stats.tx_packets++;
    return 0;
}

int udp_send(int fd, const void *buf, size_t len, const addr_sock *to,
             const addr_ip *from, int if_index)
{
    return send_one(fd, buf, len, to, from, if_index);
}

int udp_send_msg(int fd, const udp_msg *m)
{
    return send_one(fd, m->buf, m->len, &m->remote, &m->local, m->if_index);
}

int udp_send_batch(int fd, const udp_msg *msgs, int n)
{
    int sent = 0, i = 0;
    while (i < n) {
        if (!sendmmsg_works) {
            if (udp_send_msg(fd, &msgs[i]) == 0)
                sent++;
            i++;
            continue;
        }

        struct mmsghdr *hdrs = tx_hdrs;
        msg_space *space = tx_space;
        int chunk = 0;
        /* A datagram that cannot even be described (bad address) goes through
         * send_one(), which counts and reports it. */
        while (i + chunk < n && chunk < UDP_MAX_BATCH) {
            const udp_msg *m = &msgs[i + chunk];
            if (prepare_send(&hdrs[chunk].msg_hdr, &space[chunk], m->buf, m->len, &m->remote,
                             &m->local, m->if_index) < 0)
                break;
            hdrs[chunk].msg_len = 0;
            chunk++;
        }
        if (chunk == 0) {
            if (udp_send_msg(fd, &msgs[i]) == 0)
                sent++;
            i++;
            continue;
        }

        int r;
        do {
            r = sendmmsg(fd, hdrs, (unsigned)chunk, 0);
        } while (r < 0 && errno == EINTR);
        if (r > 0) {
            stats.tx_packets += (unsigned long)r;
            sent += r;
            i += r;
            continue;
        }

        /* The first datagram failed. sendmsg() tells whether it was the
         * datagram or the call: if sendmsg() takes what sendmmsg() refused as
         * unsupported, stop using sendmmsg(). */
        int err = r < 0 ? errno : EIO;
        if (err == ENOSYS) {
            LOG_DEBUG("sendmmsg() not available, sending one datagram per call");
            sendmmsg_works = false;
        }
        if (udp_send_msg(fd, &msgs[i]) == 0) {
            sent++;
            if (err == EINVAL) {
                LOG_DEBUG("sendmmsg() refused what sendmsg() accepts, not using it");
                sendmmsg_works = false;
            }
        }
        i++;
    }
    return sent;
}

void udp_get_stats(udp_stats *out) { *out = stats; }

void udp_reset_stats(void) { memset(&stats, 0, sizeof stats); }
