/* Tests of platform/udp on the loopback interface: what a datagram carries
 * (data, addresses, interface, kernel timestamp), batches in both directions,
 * replies from the address a request came to, connected client sockets, and
 * the fallbacks used when the system or a simulator lacks recvmmsg, sendmmsg
 * or kernel timestamps. Only 127.0.0.0/8 and ::1 are used (198.51.100.1 is bound,
 * never sent to). */
#include "harness.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/net_tstamp.h>

#include "common/addr.h"
#include "platform/udp.h"

/* ---- stand-ins for libc calls, the way an LD_PRELOAD simulator replaces
 * them: the executable's definitions take precedence over libc's. ---- */

static int fake_recvmmsg_errno;     /* nonzero: recvmmsg fails with it */
static int fake_sendmmsg_errno;     /* nonzero: sendmmsg fails with it */
/* Timestamp options setsockopt refuses (ENOPROTOOPT), as a clock simulator
 * that cannot translate kernel timestamps would. */
enum { REFUSE_TIMESTAMPING = 1, REFUSE_TIMESTAMPNS = 2, REFUSE_TIMESTAMP = 4, REFUSE_ALL = 7 };
static int refused_opts;
static int recvmmsg_calls, sendmmsg_calls;

int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags, struct timespec *tmo)
{
    recvmmsg_calls++;
    if (fake_recvmmsg_errno) {
        errno = fake_recvmmsg_errno;
        return -1;
    }
    int (*real)(int, struct mmsghdr *, unsigned int, int, struct timespec *) =
        (int (*)(int, struct mmsghdr *, unsigned int, int, struct timespec *))dlsym(RTLD_NEXT, "recvmmsg");
    return real(fd, v, n, flags, tmo);
}

int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
    sendmmsg_calls++;
    if (fake_sendmmsg_errno) {
        errno = fake_sendmmsg_errno;
        return -1;
    }
    int (*real)(int, struct mmsghdr *, unsigned int, int) =
        (int (*)(int, struct mmsghdr *, unsigned int, int))dlsym(RTLD_NEXT, "sendmmsg");
    return real(fd, v, n, flags);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    if (level == SOL_SOCKET &&
        ((name == SO_TIMESTAMPING && (refused_opts & REFUSE_TIMESTAMPING)) ||
         (name == SO_TIMESTAMPNS && (refused_opts & REFUSE_TIMESTAMPNS)) ||
         (name == SO_TIMESTAMP && (refused_opts & REFUSE_TIMESTAMP)))) {
        errno = ENOPROTOOPT;
        return -1;
    }
    int (*real)(int, int, int, const void *, socklen_t) =
        (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
    return real(fd, level, name, val, len);
}

/* ---- helpers ---- */

static addr_ip ip_of(const char *text)
{
    addr_ip ip;
    if (!addr_parse(text, &ip))
        memset(&ip, 0, sizeof ip);
    return ip;
}

static addr_sock sock_of(const char *text, uint16_t port)
{
    addr_sock s = { .ip = ip_of(text), .port = port };
    return s;
}

/* A socket bound to ip (port 0: ephemeral), connected to remote when given. */
static int open_sock(const char *ip, uint16_t port, const addr_sock *remote)
{
    udp_params p;
    addr_ip bind_ip = ip_of(ip);
    udp_params_init(&p, bind_ip.family);
    p.bind_ip = bind_ip;
    p.bind_port = port;
    if (remote)
        p.remote = *remote;
    return udp_open(&p);
}

static uint16_t port_of(int fd)
{
    addr_sock a;
    if (udp_local_address(fd, &a) < 0)
        return 0;
    return a.port;
}

/* A port no socket on 127.0.0.1 uses right now. */
static uint16_t free_port(void)
{
    int fd = open_sock("127.0.0.1", 0, NULL);
    uint16_t port = port_of(fd);
    udp_close(fd);
    return port;
}

/* Wait (at most a second) until fd has something to read or an error. */
static bool wait_readable(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    return poll(&pfd, 1, 1000) == 1;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
    return (double)(a->tv_sec - b->tv_sec) + (a->tv_nsec - b->tv_nsec) / 1e9;
}

static void now_real(struct timespec *ts) { clock_gettime(CLOCK_REALTIME, ts); }

static bool ip_is(const addr_ip *ip, const char *text)
{
    addr_ip want = ip_of(text);
    return addr_equal(ip, &want);
}

/* Receive exactly one datagram into buf (waiting for it up to a second). */
static int recv_one(int fd, udp_msg *m, void *buf, size_t len)
{
    memset(m, 0, sizeof *m);
    m->buf = buf;
    m->buf_len = len;
    if (!wait_readable(fd))
        return 0;
    return udp_recv_batch(fd, m, 1);
}

static void setup_msgs(udp_msg *msgs, char (*bufs)[64], int n)
{
    for (int i = 0; i < n; i++) {
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].buf = bufs[i];
        msgs[i].buf_len = sizeof bufs[i];
    }
}

/* Software receive timestamps begin a moment after the first socket on the
 * system asks for them (the kernel switches them on from deferred work);
 * datagrams arriving before that carry none, and udp reads the clock instead.
 * Hold one timestamping socket open for the whole run and wait until stamps
 * flow, so that the tests see the steady state a running daemon sees. */
static bool kernel_timestamps_flowing(void)
{
    static int keeper = -1;
    static bool flowing;
    if (flowing)
        return true;
    if (keeper < 0)
        keeper = open_sock("127.0.0.1", 0, NULL);
    addr_sock to = sock_of("127.0.0.1", port_of(keeper));
    for (int i = 0; i < 200 && !flowing; i++) {
        char b[8];
        udp_msg m;
        if (udp_send(keeper, "w", 1, &to, NULL, UDP_NO_IF_INDEX) == 0 &&
            recv_one(keeper, &m, b, sizeof b) == 1 && m.rx_ts_kernel)
            flowing = true;
        else
            usleep(10000);
    }
    return flowing;
}

static bool ipv6_loopback_usable(void)
{
    int fd = open_sock("::1", 0, NULL);
    if (fd < 0)
        return false;
    udp_close(fd);
    return true;
}

/* ---- tests ---- */

TEST(socket_options)
{
    int fd = open_sock("127.0.0.1", 0, NULL);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    addr_sock local;
    CHECK_INT(udp_local_address(fd, &local), 0);
    CHECK(ip_is(&local.ip, "127.0.0.1"));
    CHECK(local.port != 0);
    int v = 0;
    socklen_t len = sizeof v;
    CHECK_INT(getsockopt(fd, IPPROTO_IP, IP_PKTINFO, &v, &len), 0);
    CHECK_INT(v, 1);
    v = 0;
    len = sizeof v;
    CHECK_INT(getsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &v, &len), 0);
    CHECK(v & SOF_TIMESTAMPING_RX_SOFTWARE);

    /* A fixed port (server port 123 in real life) can be taken again at once. */
    uint16_t port = local.port;
    udp_close(fd);
    fd = open_sock("127.0.0.1", port, NULL);
    CHECK(fd >= 0);
    CHECK_INT(port_of(fd), port);
    v = 0;
    len = sizeof v;
    CHECK_INT(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len), 0);
    CHECK_INT(v, 1);
    udp_close(fd);

    /* Nothing waiting: no datagram, no error, no wait. */
    fd = open_sock("127.0.0.1", 0, NULL);
    udp_reset_stats();
    char buf[64];
    udp_msg m = { .buf = buf, .buf_len = sizeof buf };
    CHECK_INT(udp_recv_batch(fd, &m, 1), 0);
    udp_stats st;
    udp_get_stats(&st);
    CHECK_INT(st.rx_errors, 0);
    udp_close(fd);
}

TEST(bad_parameters)
{
    udp_params p;
    udp_params_init(&p, ADDR_UNSPEC);
    errno = 0;
    CHECK_INT(udp_open(&p), -1);
    CHECK_INT(errno, EAFNOSUPPORT);

    udp_params_init(&p, ADDR_INET4);
    p.bind_ip = ip_of("::1");
    errno = 0;
    CHECK_INT(udp_open(&p), -1);
    CHECK_INT(errno, EINVAL);

    udp_params_init(&p, ADDR_INET4);
    p.dscp = UDP_MAX_DSCP + 1;
    CHECK_INT(udp_open(&p), -1);

    /* An address that is not (yet) on this host can still be bound, as
     * bindaddress needs at boot before the interface is configured. */
    int fd = open_sock("198.51.100.1", 0, NULL);
    CHECK(fd >= 0);
    udp_close(fd);
    if (ipv6_loopback_usable()) {
        fd = open_sock("2001:db8::7", 0, NULL);
        CHECK(fd >= 0);
        udp_close(fd);
    }
}

TEST(receive_one_and_reply)
{
    CHECK(kernel_timestamps_flowing());
    int srv = open_sock("127.0.0.1", 0, NULL);
    addr_sock srv_addr = sock_of("127.0.0.1", port_of(srv));
    int cli = open_sock("127.0.0.1", 0, &srv_addr);
    CHECK(srv >= 0 && cli >= 0);
    if (srv < 0 || cli < 0)
        return;
    udp_reset_stats();

    CHECK_INT(udp_send(cli, "request", 7, NULL, NULL, UDP_NO_IF_INDEX), 0);
    char buf[128];
    udp_msg m;
    CHECK_INT(recv_one(srv, &m, buf, sizeof buf), 1);
    struct timespec now;
    now_real(&now);
    CHECK_INT(m.len, 7);
    CHECK(memcmp(buf, "request", 7) == 0);
    CHECK(!m.truncated);
    CHECK(ip_is(&m.remote.ip, "127.0.0.1"));
    CHECK_INT(m.remote.port, port_of(cli));
    CHECK(ip_is(&m.local, "127.0.0.1"));
    CHECK_INT(m.if_index, (int)if_nametoindex("lo"));
    CHECK(m.rx_ts_kernel);
    double age = ts_diff(&now, &m.rx_ts);
    CHECK(age >= 0.0 && age < 1.0);

    /* Reply from the same message: back to its source, from its destination. */
    memcpy(buf, "reply", 5);
    m.len = 5;
    CHECK_INT(udp_send_msg(srv, &m), 0);
    char buf2[128];
    udp_msg r;
    CHECK_INT(recv_one(cli, &r, buf2, sizeof buf2), 1);
    CHECK_INT(r.len, 5);
    CHECK(memcmp(buf2, "reply", 5) == 0);
    CHECK(ip_is(&r.remote.ip, "127.0.0.1"));
    CHECK_INT(r.remote.port, srv_addr.port);

    udp_stats st;
    udp_get_stats(&st);
    CHECK_INT(st.rx_packets, 2);
    CHECK_INT(st.tx_packets, 2);
    CHECK_INT(st.rx_no_kernel_ts, 0);
    udp_close(srv);
    udp_close(cli);
}

/* On a host with several addresses a reply must leave from the address the
 * request was sent to, or the client drops it. 127.0.0.2 stands in for a
 * second address of a server bound to the any address. */
TEST(reply_from_destination_address)
{
    /* Bound to the any address with port 0 a socket gets no port until it
     * sends, so give it one (servers always have one: 123). */
    int srv = open_sock("0.0.0.0", free_port(), NULL);
    int cli = open_sock("127.0.0.1", 0, NULL);
    CHECK(srv >= 0 && cli >= 0);
    if (srv < 0 || cli < 0)
        return;
    addr_sock to = sock_of("127.0.0.2", port_of(srv));
    CHECK_INT(udp_send(cli, "q", 1, &to, NULL, UDP_NO_IF_INDEX), 0);

    char buf[64];
    udp_msg m;
    CHECK_INT(recv_one(srv, &m, buf, sizeof buf), 1);
    CHECK(ip_is(&m.local, "127.0.0.2"));
    CHECK(m.if_index > 0);

    CHECK_INT(udp_send(srv, "a", 1, &m.remote, &m.local, m.if_index), 0);
    udp_msg r;
    char buf2[64];
    CHECK_INT(recv_one(cli, &r, buf2, sizeof buf2), 1);
    CHECK(ip_is(&r.remote.ip, "127.0.0.2"));

    /* Without a source address the kernel picks 127.0.0.1: the address
     * above really came from the packet info. */
    CHECK_INT(udp_send(srv, "b", 1, &m.remote, NULL, UDP_NO_IF_INDEX), 0);
    CHECK_INT(recv_one(cli, &r, buf2, sizeof buf2), 1);
    CHECK(ip_is(&r.remote.ip, "127.0.0.1"));
    udp_close(srv);
    udp_close(cli);
}

TEST(batch_receive)
{
    CHECK(kernel_timestamps_flowing());
    int srv = open_sock("127.0.0.1", 0, NULL);
    int cli = open_sock("127.0.0.1", 0, NULL);
    addr_sock to = sock_of("127.0.0.1", port_of(srv));
    enum { MANY = UDP_MAX_BATCH + 4 };
    for (int i = 0; i < MANY; i++) {
        char d[8];
        int n = snprintf(d, sizeof d, "m%d", i);
        CHECK_INT(udp_send(cli, d, (size_t)n, &to, NULL, UDP_NO_IF_INDEX), 0);
    }
    CHECK(wait_readable(srv));

    udp_msg msgs[MANY + 8];
    char bufs[MANY + 8][64];
    setup_msgs(msgs, bufs, 3);
    CHECK_INT(udp_recv_batch(srv, msgs, 3), 3);
    for (int i = 0; i < 3; i++) {
        char want[8];
        int n = snprintf(want, sizeof want, "m%d", i);
        CHECK_INT(msgs[i].len, n);
        CHECK(memcmp(bufs[i], want, (size_t)n) == 0);
        CHECK(msgs[i].rx_ts_kernel);
        CHECK_INT(msgs[i].remote.port, port_of(cli));
        CHECK(ip_is(&msgs[i].local, "127.0.0.1"));
    }
    /* Timestamps follow arrival order. */
    CHECK(ts_diff(&msgs[2].rx_ts, &msgs[0].rx_ts) >= 0.0);

    /* Asking for more than a batch gets one batch. */
    setup_msgs(msgs, bufs, MANY + 8);
    CHECK_INT(udp_recv_batch(srv, msgs, MANY + 8), UDP_MAX_BATCH);
    CHECK(memcmp(bufs[0], "m3", 2) == 0);
    setup_msgs(msgs, bufs, MANY + 8);
    CHECK_INT(udp_recv_batch(srv, msgs, MANY + 8), MANY - 3 - UDP_MAX_BATCH);
    CHECK_INT(udp_recv_batch(srv, msgs, MANY + 8), 0);
    udp_close(srv);
    udp_close(cli);
}

TEST(truncated_datagram)
{
    int srv = open_sock("127.0.0.1", 0, NULL);
    int cli = open_sock("127.0.0.1", 0, NULL);
    addr_sock to = sock_of("127.0.0.1", port_of(srv));
    char big[100];
    memset(big, 'x', sizeof big);
    CHECK_INT(udp_send(cli, big, sizeof big, &to, NULL, UDP_NO_IF_INDEX), 0);
    CHECK_INT(udp_send(cli, "small", 5, &to, NULL, UDP_NO_IF_INDEX), 0);
    udp_reset_stats();

    char buf[48];
    udp_msg m;
    CHECK_INT(recv_one(srv, &m, buf, sizeof buf), 1);
    CHECK(m.truncated);
    CHECK_INT(m.len, sizeof buf);
    CHECK_INT(recv_one(srv, &m, buf, sizeof buf), 1);
    CHECK(!m.truncated);
    CHECK_INT(m.len, 5);
    udp_stats st;
    udp_get_stats(&st);
    CHECK_INT(st.rx_truncated, 1);
    CHECK_INT(st.rx_packets, 2);
    udp_close(srv);
    udp_close(cli);
}

TEST(batch_send)
{
    int srv = open_sock("127.0.0.1", 0, NULL);
    int c1 = open_sock("127.0.0.1", 0, NULL);
    int c2 = open_sock("127.0.0.1", 0, NULL);
    addr_sock a1 = sock_of("127.0.0.1", port_of(c1)), a2 = sock_of("127.0.0.1", port_of(c2));
    udp_reset_stats();
    sendmmsg_calls = 0;

    enum { N = 6 };
    udp_msg out[N];
    char data[N][8];
    for (int i = 0; i < N; i++) {
        memset(&out[i], 0, sizeof out[i]);
        int n = snprintf(data[i], sizeof data[i], "r%d", i);
        out[i].buf = data[i];
        out[i].len = (size_t)n;
        out[i].remote = i % 2 ? a2 : a1;
        out[i].local = ip_of("127.0.0.1");
        out[i].if_index = UDP_NO_IF_INDEX;
    }
    CHECK_INT(udp_send_batch(srv, out, N), N);
    CHECK_INT(sendmmsg_calls, 1);

    for (int i = 0; i < N; i++) {
        char buf[64];
        udp_msg m;
        CHECK_INT(recv_one(i % 2 ? c2 : c1, &m, buf, sizeof buf), 1);
        CHECK(memcmp(buf, data[i], strlen(data[i])) == 0);
        CHECK_INT(m.remote.port, port_of(srv));
    }

    /* A datagram with no destination on an unconnected socket fails alone. */
    out[2].remote.ip.family = ADDR_UNSPEC;
    CHECK_INT(udp_send_batch(srv, out, N), N - 1);
    udp_stats st;
    udp_get_stats(&st);
    CHECK_INT(st.tx_packets, 2 * N - 1);
    CHECK_INT(st.tx_errors, 1);
    for (int i = 0; i < N; i++) {
        if (i == 2)
            continue;
        char buf[64];
        udp_msg m;
        CHECK_INT(recv_one(i % 2 ? c2 : c1, &m, buf, sizeof buf), 1);
        CHECK(memcmp(buf, data[i], strlen(data[i])) == 0);
    }
    udp_close(srv);
    udp_close(c1);
    udp_close(c2);
}

/* A connected client socket hears only its server, and learns when nothing
 * listens at the server's port (ICMP port unreachable). */
TEST(connected_client)
{
    int srv = open_sock("127.0.0.1", 0, NULL);
    addr_sock srv_addr = sock_of("127.0.0.1", port_of(srv));
    int cli = open_sock("127.0.0.1", 0, &srv_addr);
    int other = open_sock("127.0.0.1", 0, NULL);
    CHECK(srv >= 0 && cli >= 0 && other >= 0);
    addr_sock cli_addr = sock_of("127.0.0.1", port_of(cli));

    CHECK_INT(udp_send(other, "spoof", 5, &cli_addr, NULL, UDP_NO_IF_INDEX), 0);
    CHECK_INT(udp_send(srv, "real", 4, &cli_addr, NULL, UDP_NO_IF_INDEX), 0);
    char buf[64];
    udp_msg m;
    CHECK_INT(recv_one(cli, &m, buf, sizeof buf), 1);
    CHECK_INT(m.len, 4);
    CHECK(memcmp(buf, "real", 4) == 0);
    CHECK_INT(udp_recv_batch(cli, &m, 1), 0);

    /* A port nobody listens on. */
    int gone = open_sock("127.0.0.1", 0, NULL);
    addr_sock dead = sock_of("127.0.0.1", port_of(gone));
    udp_close(gone);
    int lonely = open_sock("127.0.0.1", 0, &dead);
    CHECK(lonely >= 0);
    CHECK_INT(udp_send(lonely, "hello?", 6, NULL, NULL, UDP_NO_IF_INDEX), 0);
    CHECK(wait_readable(lonely));
    errno = 0;
    CHECK_INT(recv_one(lonely, &m, buf, sizeof buf), -1);
    CHECK_INT(errno, ECONNREFUSED);
    udp_close(lonely);
    udp_close(srv);
    udp_close(cli);
    udp_close(other);
}

TEST(dscp)
{
    udp_params p;
    udp_params_init(&p, ADDR_INET4);
    p.bind_ip = ip_of("127.0.0.1");
    p.dscp = 46;
    int fd = udp_open(&p);
    CHECK(fd >= 0);
    int tos = 0;
    socklen_t len = sizeof tos;
    CHECK_INT(getsockopt(fd, IPPROTO_IP, IP_TOS, &tos, &len), 0);
    CHECK_INT(tos, 46 << 2);
    CHECK_INT(udp_set_dscp(fd, ADDR_INET4, 10), 0);
    len = sizeof tos;
    CHECK_INT(getsockopt(fd, IPPROTO_IP, IP_TOS, &tos, &len), 0);
    CHECK_INT(tos, 10 << 2);
    errno = 0;
    CHECK_INT(udp_set_dscp(fd, ADDR_INET4, 64), -1);
    CHECK_INT(errno, EINVAL);
    udp_close(fd);

    if (!ipv6_loopback_usable())
        return;
    p.family = ADDR_INET6;
    p.bind_ip = ip_of("::1");
    fd = udp_open(&p);
    CHECK(fd >= 0);
    int tclass = 0;
    len = sizeof tclass;
    CHECK_INT(getsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tclass, &len), 0);
    CHECK_INT(tclass, 46 << 2);
    udp_close(fd);
}

TEST(bind_device)
{
    udp_params p;
    udp_params_init(&p, ADDR_INET4);
    p.bind_ip = ip_of("127.0.0.1");
    p.device = "lo";
    int fd = udp_open(&p);
    if (fd < 0 && errno == EPERM) {
        printf("SKIP bind_device (no permission to bind to a device)\n");
        return;
    }
    CHECK(fd >= 0);
    int cli = open_sock("127.0.0.1", 0, NULL);
    addr_sock to = sock_of("127.0.0.1", port_of(fd));
    CHECK_INT(udp_send(cli, "x", 1, &to, NULL, UDP_NO_IF_INDEX), 0);
    char buf[16];
    udp_msg m;
    CHECK_INT(recv_one(fd, &m, buf, sizeof buf), 1);
    udp_close(fd);
    udp_close(cli);

    p.device = "cwnosuchif0";
    errno = 0;
    CHECK_INT(udp_open(&p), -1);
    CHECK_INT(errno, ENODEV);
}

TEST(ipv6_loopback)
{
    CHECK(kernel_timestamps_flowing());
    if (!ipv6_loopback_usable()) {
        printf("SKIP ipv6_loopback (no IPv6 on this host)\n");
        return;
    }
    int srv = open_sock("::1", 0, NULL);
    int cli = open_sock("::1", 0, NULL);
    addr_sock to = sock_of("::1", port_of(srv));
    CHECK_INT(udp_send(cli, "six", 3, &to, NULL, UDP_NO_IF_INDEX), 0);
    char buf[64];
    udp_msg m;
    CHECK_INT(recv_one(srv, &m, buf, sizeof buf), 1);
    struct timespec now;
    now_real(&now);
    CHECK_INT(m.len, 3);
    CHECK_INT(m.remote.ip.family, ADDR_INET6);
    CHECK(ip_is(&m.remote.ip, "::1"));
    CHECK_INT(m.remote.port, port_of(cli));
    CHECK(ip_is(&m.local, "::1"));
    CHECK_INT(m.if_index, (int)if_nametoindex("lo"));
    CHECK(m.rx_ts_kernel);
    double age = ts_diff(&now, &m.rx_ts);
    CHECK(age >= 0.0 && age < 1.0);

    CHECK_INT(udp_send_msg(srv, &m), 0);
    udp_msg r;
    char buf2[64];
    CHECK_INT(recv_one(cli, &r, buf2, sizeof buf2), 1);
    CHECK(ip_is(&r.remote.ip, "::1"));
    udp_close(srv);
    udp_close(cli);

    /* IPv4 and IPv6 sockets share a port (IPV6_V6ONLY), as the NTP server
     * sockets do on port 123. */
    uint16_t port = free_port();
    int s4 = open_sock("0.0.0.0", port, NULL);
    CHECK(s4 >= 0);
    int s6 = open_sock("::", port, NULL);
    CHECK(s6 >= 0);
    CHECK_INT(port_of(s6), port);
    int v6only = 0;
    socklen_t len = sizeof v6only;
    CHECK_INT(getsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len), 0);
    CHECK_INT(v6only, 1);
    udp_close(s4);

    /* With the IPv4 socket gone, IPv4 datagrams to the port must not turn up
     * on the IPv6 socket as mapped addresses. */
    int c4 = open_sock("127.0.0.1", 0, NULL);
    addr_sock to4 = sock_of("127.0.0.1", port);
    CHECK_INT(udp_send(c4, "v4", 2, &to4, NULL, UDP_NO_IF_INDEX), 0);
    struct pollfd pfd = { .fd = s6, .events = POLLIN };
    CHECK_INT(poll(&pfd, 1, 200), 0);
    udp_close(c4);
    udp_close(s6);
}

/* Older kernels: nanosecond, then microsecond timestamps. */
TEST(timestamp_fallback_options)
{
    CHECK(kernel_timestamps_flowing());
    static const int refuse[] = { REFUSE_TIMESTAMPING, REFUSE_TIMESTAMPING | REFUSE_TIMESTAMPNS };
    for (size_t k = 0; k < sizeof refuse / sizeof refuse[0]; k++) {
        refused_opts = refuse[k];
        int srv = open_sock("127.0.0.1", 0, NULL);
        refused_opts = 0;
        int cli = open_sock("127.0.0.1", 0, NULL);
        CHECK(srv >= 0 && cli >= 0);
        int v = 1;
        socklen_t len = sizeof v;
        CHECK_INT(getsockopt(srv, SOL_SOCKET, SO_TIMESTAMPING, &v, &len), 0);
        CHECK_INT(v, 0);
        addr_sock to = sock_of("127.0.0.1", port_of(srv));
        CHECK_INT(udp_send(cli, "t", 1, &to, NULL, UDP_NO_IF_INDEX), 0);
        char buf[16];
        udp_msg m;
        CHECK_INT(recv_one(srv, &m, buf, sizeof buf), 1);
        struct timespec now;
        now_real(&now);
        CHECK(m.rx_ts_kernel);
        double age = ts_diff(&now, &m.rx_ts);
        CHECK(age >= 0.0 && age < 1.0);
        if (refuse[k] & REFUSE_TIMESTAMPNS)
            CHECK_INT(m.rx_ts.tv_nsec % 1000, 0);
        udp_close(srv);
        udp_close(cli);
    }
}

/* What happens under a clock simulator that refuses kernel timestamps: the
 * clock is read right after the datagram is taken from the socket. */
TEST(timestamp_without_kernel_support)
{
    refused_opts = REFUSE_ALL;
    int srv = open_sock("127.0.0.1", 0, NULL);
    refused_opts = 0;
    int cli = open_sock("127.0.0.1", 0, NULL);
    CHECK(srv >= 0 && cli >= 0);
    addr_sock to = sock_of("127.0.0.1", port_of(srv));
    udp_reset_stats();

    struct timespec before, after;
    now_real(&before);
    CHECK_INT(udp_send(cli, "t", 1, &to, NULL, UDP_NO_IF_INDEX), 0);
    char buf[16];
    udp_msg m;
    CHECK_INT(recv_one(srv, &m, buf, sizeof buf), 1);
    now_real(&after);
    CHECK(!m.rx_ts_kernel);
    CHECK(ts_diff(&m.rx_ts, &before) >= 0.0);
    CHECK(ts_diff(&after, &m.rx_ts) >= 0.0);
    CHECK(ip_is(&m.local, "127.0.0.1"));
    udp_stats st;
    udp_get_stats(&st);
    CHECK_INT(st.rx_no_kernel_ts, 1);
    udp_close(srv);
    udp_close(cli);
}

/* The same for a batch: the datagrams without a kernel timestamp share one
 * clock reading, taken after the recvmmsg() that got them. */
TEST(batch_without_kernel_timestamps)
{
    refused_opts = REFUSE_ALL;
    int srv = open_sock("127.0.0.1", 0, NULL);
    refused_opts = 0;
    int cli = open_sock("127.0.0.1", 0, NULL);
    CHECK(srv >= 0 && cli >= 0);
    addr_sock to = sock_of("127.0.0.1", port_of(srv));
    udp_reset_stats();

    struct timespec before, after;
    now_real(&before);
    for (int i = 0; i < 3; i++)
        CHECK_INT(udp_send(cli, "t", 1, &to, NULL, UDP_NO_IF_INDEX), 0);
    CHECK(wait_readable(srv));
    udp_msg msgs[8];
    char bufs[8][64];
    setup_msgs(msgs, bufs, 8);
    CHECK_INT(udp_recv_batch(srv, msgs, 8), 3);
    now_real(&after);
    for (int i = 0; i < 3; i++) {
        CHECK(!msgs[i].rx_ts_kernel);
        CHECK(ts_diff(&msgs[i].rx_ts, &before) >= 0.0);
        CHECK(ts_diff(&after, &msgs[i].rx_ts) >= 0.0);
        CHECK(ts_diff(&msgs[i].rx_ts, &msgs[0].rx_ts) == 0.0);
        CHECK(ip_is(&msgs[i].local, "127.0.0.1"));
    }
    udp_stats st;
    udp_get_stats(&st);
    CHECK_INT(st.rx_no_kernel_ts, 3);
    CHECK_INT(st.rx_packets, 3);
    udp_close(srv);
    udp_close(cli);
}

/* The headers of batched calls are reused from call to call: datagrams with
 * and without a source address in either order, then a smaller receive
 * buffer; each goes and arrives as described. */
TEST(batch_headers_reused)
{
    int srv = open_sock("127.0.0.1", 0, NULL);
    int cli = open_sock("127.0.0.1", 0, NULL);
    addr_sock to = sock_of("127.0.0.1", port_of(srv));
    addr_ip from;
    CHECK(addr_parse("127.0.0.1", &from));
    for (int round = 0; round < 3; round++) {
        udp_msg out[2];
        memset(out, 0, sizeof out);
        out[0].buf = "first";
        out[0].len = 5;
        out[0].remote = to;
        out[0].local = round == 1 ? from : (addr_ip){ .family = ADDR_UNSPEC };
        out[0].if_index = UDP_NO_IF_INDEX;
        out[1] = out[0];
        out[1].buf = "second!";
        out[1].len = 7;
        out[1].local = round == 1 ? (addr_ip){ .family = ADDR_UNSPEC } : from;
        CHECK_INT(udp_send_batch(cli, out, 2), 2);
        CHECK(wait_readable(srv));
        udp_msg in[4];
        char bufs[4][64];
        setup_msgs(in, bufs, 4);
        /* a smaller buffer than last time truncates */
        in[1].buf_len = round == 2 ? 3 : sizeof bufs[1];
        CHECK_INT(udp_recv_batch(srv, in, 4), 2);
        CHECK_INT(in[0].len, 5);
        CHECK(memcmp(bufs[0], "first", 5) == 0);
        CHECK(!in[0].truncated);
        CHECK_INT(in[1].len, round == 2 ? 3 : 7);
        CHECK_INT(in[1].truncated, round == 2);
        CHECK(memcmp(bufs[1], "second!", in[1].len) == 0);
        CHECK_INT(in[0].remote.port, port_of(cli));
        CHECK_INT(in[1].remote.port, port_of(cli));
    }
    udp_close(srv);
    udp_close(cli);
}

/* Runs after every other batch-send test: the module stops using sendmmsg
 * for the rest of the process once it has seen it refuse. */
TEST(sendmmsg_refused_falls_back)
{
    int srv = open_sock("127.0.0.1", 0, NULL);
    int cli = open_sock("127.0.0.1", 0, NULL);
    addr_sock to = sock_of("127.0.0.1", port_of(cli));
    udp_msg out[4];
    for (int i = 0; i < 4; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].buf = "fallback";
        out[i].len = 8;
        out[i].remote = to;
        out[i].if_index = UDP_NO_IF_INDEX;
    }
    fake_sendmmsg_errno = EINVAL;
    sendmmsg_calls = 0;
    udp_reset_stats();
    CHECK_INT(udp_send_batch(srv, out, 4), 4);
    CHECK_INT(udp_send_batch(srv, out, 4), 4);
    CHECK_INT(sendmmsg_calls, 1);
    fake_sendmmsg_errno = 0;
    udp_stats st;
    udp_get_stats(&st);
    CHECK_INT(st.tx_packets, 8);
    CHECK_INT(st.tx_errors, 0);
    CHECK(wait_readable(cli));
    udp_msg in[8];
    char bufs[8][64];
    setup_msgs(in, bufs, 8);
    CHECK_INT(udp_recv_batch(cli, in, 8), 8);
    CHECK(memcmp(bufs[7], "fallback", 8) == 0);
    udp_close(srv);
    udp_close(cli);
}

/* Last for the same reason, with recvmmsg. */
TEST(recvmmsg_missing_falls_back)
{
    CHECK(kernel_timestamps_flowing());
    int srv = open_sock("127.0.0.1", 0, NULL);
    int cli = open_sock("127.0.0.1", 0, NULL);
    addr_sock to = sock_of("127.0.0.1", port_of(srv));
    for (int i = 0; i < 3; i++)
        CHECK_INT(udp_send(cli, "abc", 3, &to, NULL, UDP_NO_IF_INDEX), 0);
    CHECK(wait_readable(srv));
    fake_recvmmsg_errno = ENOSYS;
    recvmmsg_calls = 0;
    udp_msg in[8];
    char bufs[8][64];
    setup_msgs(in, bufs, 8);
    CHECK_INT(udp_recv_batch(srv, in, 8), 3);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(in[i].len, 3);
        CHECK(in[i].rx_ts_kernel);
        CHECK(ip_is(&in[i].local, "127.0.0.1"));
    }
    CHECK_INT(udp_recv_batch(srv, in, 8), 0);
    CHECK_INT(recvmmsg_calls, 1);
    fake_recvmmsg_errno = 0;
    udp_close(srv);
    udp_close(cli);
}

TEST_LIST {
    T(socket_options),
    T(bad_parameters),
    T(receive_one_and_reply),
    T(reply_from_destination_address),
    T(batch_receive),
    T(batch_without_kernel_timestamps),
    T(batch_headers_reused),
    T(truncated_datagram),
    T(batch_send),
    T(connected_client),
    T(dscp),
    T(bind_device),
    T(ipv6_loopback),
    T(timestamp_fallback_options),
    T(timestamp_without_kernel_support),
    T(sendmmsg_refused_falls_back),
    T(recvmmsg_missing_falls_back),
};
TEST_MAIN
