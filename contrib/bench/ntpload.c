/* ntpload: a closed-loop load generator for NTP servers on loopback.
 *
 * It keeps a window of client-mode requests outstanding, spread over many
 * UDP sockets (each with its own ephemeral source port), sent and received
 * in sendmmsg/recvmmsg batches. Every request carries a unique random
 * transmit timestamp, so a reply is matched by its originate timestamp.
 * At the end it prints request and reply counts, replies per second,
 * latency percentiles (send to receive, CLOCK_MONOTONIC) and byte counts.
 *
 * It refuses any address outside 127.0.0.0/8 and ::1: it is a benchmark
 * tool, never to be pointed at a real network. Part of contrib/bench, not
 * of the daemon; build with
 *     cc -O2 -std=c11 -Wall -Wextra -o ntpload contrib/bench/ntpload.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* NTP header layout (RFC 5905), byte offsets of big-endian fields. */
#define HDR_LEN 48
#define OFF_LVM 0
#define OFF_STRATUM 1
#define OFF_POLL 2
#define OFF_PRECISION 3
#define OFF_REFID 12
#define OFF_ORIGINATE 24
#define OFF_RECEIVE 32
#define OFF_TRANSMIT 40
#define MODE_CLIENT 3
#define MODE_SERVER 4
#define NTP_VERSION 4
#define LEAP_UNSYNC 3
#define MAX_SANE_STRATUM 15

/* Limits of the options. */
#define MAX_SOCKETS 1024
#define MAX_BATCH 256
#define SLOT_BITS 16                   /* low bits of a transmit timestamp */
#define MAX_WINDOW (1 << SLOT_BITS)
#define RX_BUF_LEN 2048                /* room to see over-long replies */
#define SOCK_BUF_BYTES (4 << 20)
#define EXPIRY_SCAN_NS 50000000LL      /* look for timed-out requests every 50 ms */
#define NS_PER_S 1000000000LL

struct slot {
    uint64_t ts;                       /* transmit timestamp sent, 0 when free */
    int64_t sent_ns;                   /* CLOCK_MONOTONIC at send */
};

struct counters {
    uint64_t sent, valid, kod, invalid, unmatched, insane, lost, send_errors;
    uint64_t bytes_out, bytes_in;
};

struct latencies {
    uint32_t *ns;
    size_t n, cap;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* xoshiro256** seeded from getrandom(): fast, and unpredictable enough
 * that timestamps of different runs and requests do not collide. */
static uint64_t rng_s[4];

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(void)
{
    uint64_t r = rotl(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;
    rng_s[2] ^= rng_s[0];
    rng_s[3] ^= rng_s[1];
    rng_s[1] ^= rng_s[2];
    rng_s[0] ^= rng_s[3];
    rng_s[2] ^= t;
    rng_s[3] = rotl(rng_s[3], 45);
    return r;
}

static void rng_seed(void)
{
    if (getrandom(rng_s, sizeof rng_s, 0) != (ssize_t)sizeof rng_s) {
        uint64_t x = (uint64_t)mono_ns() ^ ((uint64_t)getpid() << 32);
        for (int i = 0; i < 4; i++) {
            x += 0x9e3779b97f4a7c15ULL;    /* splitmix64 step */
            uint64_t z = x;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            rng_s[i] = z ^ (z >> 31);
        }
    }
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static void lat_add(struct latencies *l, int64_t ns)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1 << 16;
        uint32_t *p = realloc(l->ns, cap * sizeof *p);
        if (!p) {
            fprintf(stderr, "ntpload: out of memory\n");
            exit(1);
        }
        l->ns = p;
        l->cap = cap;
    }
    l->ns[l->n++] = ns < 0 ? 0 : ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array, in microseconds. */
static double percentile_us(const struct latencies *l, double p)
{
    if (l->n == 0)
        return 0.0;
    size_t rank = (size_t)(p / 100.0 * (double)l->n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > l->n)
        rank = l->n;
    return l->ns[rank - 1] / 1000.0;
}

/* A Kiss-o'-Death refid is a short ASCII code ("RATE", "DENY"); an
 * unsynchronised server's stratum 0 reply has a zero refid instead. */
static bool is_kiss_code(const uint8_t *refid)
{
    if (refid[0] < 'A' || refid[0] > 'Z')
        return false;
    for (int i = 1; i < 4; i++) {
        if (refid[i] != 0 && (refid[i] < 0x20 || refid[i] > 0x7e))
            return false;
    }
    return true;
}

/* Loopback only: 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
static bool is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (ss->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a))
            return true;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return false;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: ntpload [-a ADDR] [-p PORT] [-d SECONDS] [-n REQUESTS] [-w WINDOW]\n"
        "               [-s SOCKETS] [-b BATCH] [-t TIMEOUT] [-c CPU] [-S] [-k] [-q]\n"
        "  -a ADDR     server address, loopback only (default 127.0.0.1)\n"
        "  -p PORT     server port (default 123)\n"
        "  -d SECONDS  how long to send (default 5; with -n, an upper bound)\n"
        "  -n COUNT    stop after sending COUNT requests (default: no limit)\n"
        "  -w WINDOW   requests outstanding at once (default 128, max %d)\n"
        "  -s SOCKETS  client sockets, one source port each (default 64)\n"
        "  -b BATCH    requests per sendmmsg/recvmmsg (default 16, max %d)\n"
        "  -t TIMEOUT  seconds before an unanswered request is lost (default 1)\n"
        "  -c CPU      pin this process to CPU\n"
        "  -S          busy-poll for replies instead of sleeping (uses a whole CPU)\n"
        "  -k          print one line of key=value pairs instead of a report\n"
        "  -q          with -k, nothing else on stderr\n",
        MAX_WINDOW, MAX_BATCH);
}

static long parse_long(const char *s, const char *what, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "ntpload: bad %s '%s' (%ld..%ld)\n", what, s, min, max);
        exit(2);
    }
    return v;
}

static double parse_seconds(const char *s, const char *what)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0.0) || v > 86400.0) {
        fprintf(stderr, "ntpload: bad %s '%s'\n", what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *addr_str = "127.0.0.1";
    long port = 123, window = 128, nsock = 64, batch = 16, cpu = -1;
    double duration_s = 5.0, timeout_s = 1.0;
    uint64_t limit = 0;
    bool kv = false, quiet = false, spin = false;
    int opt;

    while ((opt = getopt(argc, argv, "a:p:d:n:w:s:b:t:c:kqSh")) != -1) {
        switch (opt) {
        case 'a': addr_str = optarg; break;
        case 'p': port = parse_long(optarg, "port", 1, 65535); break;
        case 'd': duration_s = parse_seconds(optarg, "duration"); break;
        case 'n': limit = (uint64_t)parse_long(optarg, "request count", 1, 1L << 40); break;
        case 'w': window = parse_long(optarg, "window", 1, MAX_WINDOW); break;
        case 's': nsock = parse_long(optarg, "socket count", 1, MAX_SOCKETS); break;
        case 'b': batch = parse_long(optarg, "batch", 1, MAX_BATCH); break;
        case 't': timeout_s = parse_seconds(optarg, "timeout"); break;
        case 'c': cpu = parse_long(optarg, "cpu", 0, CPU_SETSIZE - 1); break;
        case 'k': kv = true; break;
        case 'q': quiet = true; break;
        case 'S': spin = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    if (timeout_s > 4.0) {
        /* latencies are kept in 32-bit nanoseconds */
        fprintf(stderr, "ntpload: timeout above 4 s not supported\n");
        return 2;
    }

    /* Numeric addresses only: no name resolution, no surprises. */
    struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                              .ai_socktype = SOCK_DGRAM }, *ai;
    char port_str[16];
    snprintf(port_str, sizeof port_str, "%ld", port);
    if (getaddrinfo(addr_str, port_str, &hints, &ai) != 0) {
        fprintf(stderr, "ntpload: '%s' is not a numeric IP address\n", addr_str);
        return 2;
    }
    struct sockaddr_storage server;
    socklen_t server_len = ai->ai_addrlen;
    memcpy(&server, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (!is_loopback(&server)) {
        fprintf(stderr, "ntpload: refusing non-loopback address %s\n", addr_str);
        return 2;
    }

    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) < 0) {
            fprintf(stderr, "ntpload: cannot pin to CPU %ld: %s\n", cpu, strerror(errno));
            return 1;
        }
    }

    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rng_seed();

    /* Client sockets: bound to loopback, ephemeral port, connected to the
     * server so that only its replies arrive and sends need no address. */
    int *fds = calloc((size_t)nsock, sizeof *fds);
    int ep = epoll_create1(0);
    if (!fds || ep < 0) {
        perror("ntpload: setup");
        return 1;
    }
    for (long i = 0; i < nsock; i++) {
        struct sockaddr_storage local;
        socklen_t local_len;
        memset(&local, 0, sizeof local);
        if (server.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&local;
            in->sin_family = AF_INET;
            in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            local_len = sizeof *in;
        } else {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&local;
            in6->sin6_family = AF_INET6;
            /* a v4-mapped server needs a v4-mapped source */
            if (IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&server)->sin6_addr))
                inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6->sin6_addr);
            else
                in6->sin6_addr = in6addr_loopback;
            local_len = sizeof *in6;
        }
        int fd = socket(server.ss_family, SOCK_DGRAM, 0);
        int bufsz = SOCK_BUF_BYTES;
        if (fd < 0) {
            perror("ntpload: socket");
            return 1;
        }
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
        if (bind(fd, (struct sockaddr *)&local, local_len) < 0 ||
            connect(fd, (struct sockaddr *)&server, server_len) < 0) {
            perror("ntpload: bind/connect");
            return 1;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            perror("ntpload: epoll_ctl");
            return 1;
        }
        fds[i] = fd;
    }

    /* Slots: index = low SLOT_BITS of the transmit timestamp. */
    struct slot *slots = calloc((size_t)window, sizeof *slots);
    uint32_t *free_list = malloc((size_t)window * sizeof *free_list);
    if (!slots || !free_list) {
        fprintf(stderr, "ntpload: out of memory\n");
        return 1;
    }
    size_t nfree = (size_t)window;
    for (size_t i = 0; i < nfree; i++)
        free_list[i] = (uint32_t)(nfree - 1 - i);

    static uint8_t tx_buf[MAX_BATCH][HDR_LEN];
    static uint8_t rx_buf[MAX_BATCH][RX_BUF_LEN];
    static struct iovec tx_iov[MAX_BATCH], rx_iov[MAX_BATCH];
    static struct mmsghdr tx_msg[MAX_BATCH], rx_msg[MAX_BATCH];
    uint32_t tx_slot[MAX_BATCH];
    for (int i = 0; i < MAX_BATCH; i++) {
        tx_iov[i] = (struct iovec){ tx_buf[i], HDR_LEN };
        tx_msg[i].msg_hdr = (struct msghdr){ .msg_iov = &tx_iov[i], .msg_iovlen = 1 };
        rx_iov[i] = (struct iovec){ rx_buf[i], RX_BUF_LEN };
        memset(tx_buf[i], 0, HDR_LEN);
        tx_buf[i][OFF_LVM] = (uint8_t)((NTP_VERSION << 3) | MODE_CLIENT);
        tx_buf[i][OFF_POLL] = 6;
        tx_buf[i][OFF_PRECISION] = (uint8_t)-20;
    }

    struct counters c = { 0 };
    struct latencies lat = { 0 };
    struct epoll_event events[MAX_SOCKETS];
    size_t outstanding = 0;
    long next_sock = 0;
    bool sending = true;
    int64_t start_ns = mono_ns(), now = start_ns, last_reply_ns = start_ns;
    int64_t stop_ns = start_ns + (int64_t)(duration_s * NS_PER_S);
    int64_t timeout_ns = (int64_t)(timeout_s * NS_PER_S);
    int64_t drain_until = 0, sent_stop_ns = start_ns, next_scan = start_ns + EXPIRY_SCAN_NS;
    const uint64_t slot_mask = (1u << SLOT_BITS) - 1;

    for (;;) {
        now = mono_ns();
        if (sending && (now >= stop_ns || interrupted || (limit && c.sent >= limit))) {
            sending = false;
            sent_stop_ns = now;
            drain_until = now + timeout_ns;
        }
        if (!sending && (outstanding == 0 || now >= drain_until))
            break;

        /* Fill the window, one batch per socket in turn. */
        while (sending && nfree > 0 && !(limit && c.sent >= limit)) {
            size_t n = (size_t)batch;
            if (n > nfree)
                n = nfree;
            if (limit && n > limit - c.sent)
                n = (size_t)(limit - c.sent);
            int64_t t = mono_ns();
            for (size_t i = 0; i < n; i++) {
                uint32_t s = free_list[--nfree];
                uint64_t ts = (rng_next() & ~slot_mask) | s;
                if ((ts & ~slot_mask) == 0)
                    ts |= 1ULL << 63;      /* never a zero timestamp */
                put_be64(tx_buf[i] + OFF_TRANSMIT, ts);
                slots[s].ts = ts;
                slots[s].sent_ns = t;
                tx_slot[i] = s;
            }
            int fd = fds[next_sock];
            next_sock = (next_sock + 1) % nsock;
            int r = sendmmsg(fd, tx_msg, (unsigned)n, 0);
            size_t done = r > 0 ? (size_t)r : 0;
            for (size_t i = done; i < n; i++) {
                slots[tx_slot[i]].ts = 0;   /* not sent: give the slot back */
                free_list[nfree++] = tx_slot[i];
            }
            c.sent += done;
            c.bytes_out += done * HDR_LEN;
            outstanding += done;
            if (done < n) {
                if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS &&
                    errno != ECONNREFUSED && errno != EINTR) {
                    perror("ntpload: sendmmsg");
                    return 1;
                }
                c.send_errors++;
                break;
            }
        }

        /* Wait for replies; do not sleep while the window has room. */
        int wait_ms = (spin || (sending && nfree > 0)) ? 0 : 10;
        int ne = epoll_wait(ep, events, (int)nsock, wait_ms);
        if (ne < 0 && errno != EINTR) {
            perror("ntpload: epoll_wait");
            return 1;
        }
        for (int e = 0; e < ne; e++) {
            int fd = fds[events[e].data.u32];
            for (;;) {
                for (int i = 0; i < batch; i++) {
                    rx_msg[i].msg_hdr = (struct msghdr){ .msg_iov = &rx_iov[i], .msg_iovlen = 1 };
                }
                int r = recvmmsg(fd, rx_msg, (unsigned)batch, MSG_DONTWAIT, NULL);
                if (r <= 0)
                    break;             /* EAGAIN, or ECONNREFUSED from an ICMP error */
                int64_t t = mono_ns();
                for (int i = 0; i < r; i++) {
                    const uint8_t *p = rx_buf[i];
                    size_t len = rx_msg[i].msg_len;
                    c.bytes_in += len;
                    if (len < HDR_LEN || len > HDR_LEN || (rx_msg[i].msg_hdr.msg_flags & MSG_TRUNC) ||
                        (p[OFF_LVM] & 7) != MODE_SERVER || ((p[OFF_LVM] >> 3) & 7) != NTP_VERSION) {
                        c.invalid++;
                        continue;
                    }
                    uint64_t orig = get_be64(p + OFF_ORIGINATE);
                    uint32_t s = (uint32_t)(orig & slot_mask);
                    if (s >= (uint32_t)window || slots[s].ts == 0 || slots[s].ts != orig) {
                        c.unmatched++;     /* late, duplicate or forged */
                        continue;
                    }
                    int64_t sent_ns = slots[s].sent_ns;
                    slots[s].ts = 0;
                    free_list[nfree++] = s;
                    outstanding--;
                    last_reply_ns = t;   /* any answer counts as activity */
                    int leap = p[OFF_LVM] >> 6, stratum = p[OFF_STRATUM];
                    if (stratum == 0 && is_kiss_code(p + OFF_REFID)) {
                        c.kod++;
                        continue;
                    }
                    if (leap == LEAP_UNSYNC || stratum > MAX_SANE_STRATUM ||
                        get_be64(p + OFF_RECEIVE) == 0 || get_be64(p + OFF_TRANSMIT) == 0) {
                        c.insane++;
                        continue;
                    }
                    c.valid++;
                    lat_add(&lat, t - sent_ns);
                }
                if (r < batch)
                    break;
            }
        }

        /* Reclaim requests that will not be answered. */
        now = mono_ns();
        if (now >= next_scan) {
            next_scan = now + EXPIRY_SCAN_NS;
            for (long s = 0; s < window; s++) {
                if (slots[s].ts && now - slots[s].sent_ns > timeout_ns) {
                    slots[s].ts = 0;
                    free_list[nfree++] = (uint32_t)s;
                    outstanding--;
                    c.lost++;
                }
            }
        }
    }
    c.lost += outstanding;             /* still unanswered at the end */

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                   (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    /* Until sending stopped, or the last reply if that came later. */
    int64_t end_ns = last_reply_ns > sent_stop_ns ? last_reply_ns : sent_stop_ns;
    double elapsed = (double)(end_ns - start_ns) / NS_PER_S;
    double rate = elapsed > 0 ? (double)c.valid / elapsed : 0.0;
    qsort(lat.ns, lat.n, sizeof *lat.ns, cmp_u32);
    uint64_t bad = c.invalid + c.unmatched + c.insane;

    if (kv) {
        printf("sent=%" PRIu64 " valid=%" PRIu64 " invalid=%" PRIu64 " kod=%" PRIu64
               " lost=%" PRIu64 " unmatched=%" PRIu64 " malformed=%" PRIu64
               " insane=%" PRIu64 " elapsed=%.3f rate=%.0f p50_us=%.1f p99_us=%.1f"
               " p999_us=%.1f max_us=%.1f bytes_out=%" PRIu64 " bytes_in=%" PRIu64
               " gen_cpu=%.2f\n",
               c.sent, c.valid, bad, c.kod, c.lost, c.unmatched, c.invalid, c.insane,
               elapsed, rate, percentile_us(&lat, 50), percentile_us(&lat, 99),
               percentile_us(&lat, 99.9), percentile_us(&lat, 100), c.bytes_out, c.bytes_in,
               elapsed > 0 ? cpu_s / elapsed : 0.0);
        if (!quiet && c.send_errors)
            fprintf(stderr, "ntpload: %" PRIu64 " short sendmmsg batches\n", c.send_errors);
    } else {
        printf("server            %s port %ld, %ld sockets, window %ld, batch %ld\n",
               addr_str, port, nsock, window, batch);
        printf("requests sent     %" PRIu64 "\n", c.sent);
        printf("valid replies     %" PRIu64 "\n", c.valid);
        printf("invalid replies   %" PRIu64 " (malformed %" PRIu64 ", unmatched %" PRIu64
               ", unsynchronised/insane %" PRIu64 ")\n", bad, c.invalid, c.unmatched, c.insane);
        printf("KoD replies       %" PRIu64 "\n", c.kod);
        printf("lost (timeout)    %" PRIu64 "\n", c.lost);
        printf("elapsed           %.3f s\n", elapsed);
        printf("replies/s         %.0f\n", rate);
        printf("latency p50       %.1f us\n", percentile_us(&lat, 50));
        printf("latency p99       %.1f us\n", percentile_us(&lat, 99));
        printf("latency p99.9     %.1f us\n", percentile_us(&lat, 99.9));
        printf("latency max       %.1f us\n", percentile_us(&lat, 100));
        printf("bytes out / in    %" PRIu64 " / %" PRIu64 "\n", c.bytes_out, c.bytes_in);
        printf("generator CPU     %.0f%%\n", elapsed > 0 ? 100.0 * cpu_s / elapsed : 0.0);
    }
    free(lat.ns);
    return 0;
}
