/* ntpprobe: a test tool that sends NTP requests to a server on loopback
 * (from a chosen local address) and prints every reply's fields, so that
 * system tests can check what a server answers, and to whom.
 *
 *   ntpprobe [-b LOCAL] [-p PORT] [-n COUNT] [-t SECONDS] [-V VERSION]
 *            [-M MODE] [-L LENGTH] [-G] [-q] SERVER
 *
 * -b binds the client socket to LOCAL (e.g. 127.0.0.2); -n sends COUNT
 * requests back to back, then waits up to -t seconds (default 1) after the
 * last one for their replies; -V/-M set the version and mode fields (default
 * 4 and 3); -L pads the request with zeros to LENGTH bytes or cuts it short;
 * -G fills the whole request with random bytes. Each reply prints one "reply ..." line
 * (unless -q), then one "summary ..." line follows. Exits 0 when at least one
 * reply arrived, 1 when none did, 2 on a usage error. Replies must come from
 * the address the requests went to (the socket is connected). Refuses any
 * server address other than loopback (127.0.0.0/8, ::1). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ntp_wire.h"

#define MAX_REQUEST 2048
#define MAX_COUNT 100000
#define JAN_1970 2208988800ULL

static double now_real(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* NTP timestamp (this era) -> Unix seconds; 0 stays 0. */
static double ntp_to_unix(uint64_t t)
{
    if (t == 0)
        return 0.0;
    return (double)(t >> 32) - (double)JAN_1970 + (double)(uint32_t)t / 4294967296.0;
}

static uint64_t unix_to_ntp(double t)
{
    double sec = (double)(uint64_t)t;
    return (uint64_t)(sec + JAN_1970) << 32 | (uint64_t)((t - sec) * 4294967296.0);
}

static void usage(void)
{
    fprintf(stderr, "usage: ntpprobe [-b LOCAL] [-p PORT] [-n COUNT] [-t SECONDS] "
                    "[-V VERSION] [-M MODE] [-L LENGTH] [-G] [-q] SERVER\n");
    exit(2);
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
        return (ntohl(s->sin_addr.s_addr) >> 24) == 127;
    }
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
    return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
}

/* Fills ss from a numeric address and port; false if it is not one. */
static bool parse_addr(const char *text, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        *len = sizeof *s4;
        return true;
    }
    if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *len = sizeof *s6;
        return true;
    }
    return false;
}

struct sent {
    uint64_t xmt;           /* our transmit timestamp, to match replies */
    double t1;              /* when it left (Unix seconds) */
};

int main(int argc, char **argv)
{
    const char *local = NULL;
    int port = NTP_PORT, count = 1, version = 4, mode = NTP_MODE_CLIENT, length = 48;
    double timeout = 1.0;
    bool garbage = false, quiet = false;
    int opt;

    while ((opt = getopt(argc, argv, "b:p:n:t:V:M:L:Gq")) != -1) {
        switch (opt) {
        case 'b': local = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'n': count = atoi(optarg); break;
        case 't': timeout = atof(optarg); break;
        case 'V': version = atoi(optarg); break;
        case 'M': mode = atoi(optarg); break;
        case 'L': length = atoi(optarg); break;
        case 'G': garbage = true; break;
        case 'q': quiet = true; break;
        default: usage();
        }
    }
    if (optind + 1 != argc || port <= 0 || port > 65535 || count < 1 || count > MAX_COUNT ||
        length < 1 || length > MAX_REQUEST || timeout < 0.0)
        usage();

    struct sockaddr_storage server, bind_to;
    socklen_t server_len, bind_len;
    if (!parse_addr(argv[optind], port, &server, &server_len)) {
        fprintf(stderr, "ntpprobe: %s is not a numeric address\n", argv[optind]);
        return 2;
    }
    if (!is_loopback(&server)) {
        fprintf(stderr, "ntpprobe: refusing %s: only loopback servers\n", argv[optind]);
        return 2;
    }

    int fd = socket(server.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("ntpprobe: socket");
        return 2;
    }
    if (local) {
        if (!parse_addr(local, 0, &bind_to, &bind_len) || bind_to.ss_family != server.ss_family) {
            fprintf(stderr, "ntpprobe: bad local address %s\n", local);
            return 2;
        }
        if (bind(fd, (struct sockaddr *)&bind_to, bind_len) < 0) {
            perror("ntpprobe: bind");
            return 2;
        }
    }

    /* the DSCP/TOS byte of every reply (chronyd's dscp directive) */
    int on = 1;
    if (server.ss_family == AF_INET)
        setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof on);
    else
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof on);

    /* Connected: a reply from any address but the one we asked is dropped
     * by the kernel, so every reply counted came from the server's address. */
    if (connect(fd, (struct sockaddr *)&server, server_len) < 0) {
        perror("ntpprobe: connect");
        return 2;
    }

    struct sent *sent = calloc((size_t)count, sizeof *sent);
    if (!sent)
        return 2;
    uint8_t req[MAX_REQUEST];
    long bytes_out = 0;
    int n_sent = 0;
    for (int i = 0; i < count; i++) {
        memset(req, 0, sizeof req);
        if (garbage) {
            if (getrandom(req, (size_t)length, 0) != (ssize_t)length)
                return 2;
        } else {
            req[NTP_OFF_LVM] = NTP_LVM(0, version, mode);
            req[NTP_OFF_POLL] = 0;
            req[NTP_OFF_PRECISION] = (uint8_t)(int8_t)-20;
        }
        sent[i].t1 = now_real();
        /* low bits carry the request number so that each one is unique */
        sent[i].xmt = (unix_to_ntp(sent[i].t1) & ~(uint64_t)0xffff) | (uint64_t)(i & 0xffff);
        if (!garbage && length >= NTP_HEADER_LENGTH) {
            put32(req + NTP_OFF_TRANSMIT_TS, (uint32_t)(sent[i].xmt >> 32));
            put32(req + NTP_OFF_TRANSMIT_TS + 4, (uint32_t)sent[i].xmt);
        }
        if (send(fd, req, (size_t)length, 0) < 0) {
            perror("ntpprobe: send");
            continue;
        }
        n_sent++;
        bytes_out += length;
    }

    int replies = 0, kods = 0, unmatched = 0, longer = 0;
    long bytes_in = 0;
    double deadline = now_mono() + timeout;
    /* Until every request has its reply, or -t seconds pass. */
    while (replies < n_sent) {
        double left = deadline - now_mono();
        if (left <= 0.0)
            break;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int r = poll(&pfd, 1, (int)(left * 1000.0) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        uint8_t buf[MAX_REQUEST + 16];
        union {
            char buf[CMSG_SPACE(sizeof(int)) * 2];
            struct cmsghdr align;
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                              .msg_controllen = sizeof control.buf };
        ssize_t len = recvmsg(fd, &msg, 0);
        double t4 = now_real();
        int tos = -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); len >= 0 && c; c = CMSG_NXTHDR(&msg, c)) {
            if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS)) {
                /* IP_TOS comes as one byte, IPV6_TCLASS as an int */
                tos = c->cmsg_len >= CMSG_LEN(sizeof(int)) ? *(int *)(void *)CMSG_DATA(c)
                                                           : *(unsigned char *)CMSG_DATA(c);
            }
        }
        if (len < 0)
            continue;
        replies++;
        bytes_in += len;
        if (len > length)
            longer++;
        if (len < NTP_HEADER_LENGTH) {
            if (!quiet)
                printf("reply len=%zd short\n", len);
            continue;
        }
        uint64_t org = get64(buf + NTP_OFF_ORIGINATE_TS);
        int idx = -1;
        for (int i = 0; i < count; i++) {
            if (sent[i].xmt == org) {
                idx = i;
                break;
            }
        }
        if (idx < 0)
            unmatched++;
        int stratum = buf[NTP_OFF_STRATUM];
        uint32_t refid = get32(buf + NTP_OFF_REFID);
        bool kod = stratum == 0 && refid == NTP_KOD_RATE;
        if (kod)
            kods++;
        if (quiet)
            continue;
        double t2 = ntp_to_unix(get64(buf + NTP_OFF_RECEIVE_TS));
        double t3 = ntp_to_unix(get64(buf + NTP_OFF_TRANSMIT_TS));
        double ref = ntp_to_unix(get64(buf + NTP_OFF_REFERENCE_TS));
        double t1 = idx >= 0 ? sent[idx].t1 : 0.0;
        double offset = ((t2 - t1) + (t3 - t4)) / 2.0;
        double delay = (t4 - t1) - (t3 - t2);
        char refid_text[16];
        if (stratum <= 1 && refid)
            snprintf(refid_text, sizeof refid_text, "%c%c%c%c", (char)(refid >> 24),
                     (char)(refid >> 16), (char)(refid >> 8), (char)refid);
        else
            snprintf(refid_text, sizeof refid_text, "%08X", (unsigned)refid);
        printf("reply len=%zd leap=%d version=%d mode=%d stratum=%d poll=%d precision=%d "
               "rootdelay=%.6f rootdisp=%.6f refid=%s reftime=%s%.3f kod=%d matched=%d "
               "rx=%.6f tx=%.6f rxtx_order=%d offset=%.6f delay=%.6f tos=%d\n",
               len, NTP_LVM_LEAP(buf[0]), NTP_LVM_VERSION(buf[0]), NTP_LVM_MODE(buf[0]),
               stratum, (int8_t)buf[NTP_OFF_POLL], (int8_t)buf[NTP_OFF_PRECISION],
               get32(buf + NTP_OFF_ROOT_DELAY) / 65536.0,
               get32(buf + NTP_OFF_ROOT_DISPERSION) / 65536.0, refid_text,
               ref != 0.0 ? "now-" : "zero+", ref != 0.0 ? t3 - ref : 0.0, kod, idx >= 0,
               t2 - t1, t3 - t1, t3 >= t2, offset, delay, tos);
    }
    printf("summary sent=%d replies=%d kod=%d unmatched=%d longer=%d bytes_out=%ld "
           "bytes_in=%ld\n", n_sent, replies, kods, unmatched, longer, bytes_out, bytes_in);
    free(sent);
    close(fd);
    return replies > 0 ? 0 : 1;
}
