/* cmdprobe: sends raw command-protocol requests to a chronyd (ours or
 * chrony's) on its Unix socket or on UDP over loopback and prints what came
 * back, so system tests can compare two daemons answer for answer, and test
 * what chronyc itself never sends (bad versions, short or odd packets).
 *
 *   cmdprobe (-u SOCKET | -p PORT [-a ADDR] [-b LOCAL]) [-t SECONDS] [options] CODE [HEX]
 *   cmdprobe (-u SOCKET | -p PORT [-a ADDR] [-b LOCAL]) [-t SECONDS] -S [-X CODES]
 *
 * One request: the 20-byte header (version 6, type 1, command CODE,
 * random sequence), then HEX (the request data, hex digits), then zeros up
 * to -L LENGTH (default: the length chrony's client sends for CODE, from
 * the 4.8 table; -4 for the 4.3 one). Options: -V VERSION, -T PKT_TYPE,
 * -R RES1 (set in both reserved bytes), -L LENGTH (may cut the header).
 * Prints one line:
 *   reply status S code R len N [data HEX]     (data with -d)
 *   none                                      (no reply within -t, default 1 s)
 * and "bad" when the reply does not echo the sequence and command.
 *
 * -S (sweep) sends, for every code 0..CANDM_N_REQUEST_TYPES+4 except those
 * in -X (comma-separated; 62 shutdown is always skipped), requests of
 * these lengths: 28 (the shortest a daemon answers), the shortest valid
 * length minus 1, the shortest valid length, the 4.8 length and 860 (the
 * longest; each length once), and prints "CODE LEN: " followed by the
 * line above (without data).
 *
 * A Unix client socket is bound next to SOCKET (as chronyc does, mode 0666)
 * and removed at exit. Only loopback addresses are accepted for UDP; -b
 * binds the UDP socket to LOCAL (another loopback address, to be a remote
 * host).
 * Exits 0 when every request was answered or printed "none", 2 on usage
 * errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/cmdproto.h"

#define MAX_PACKET 2048
#define SHUTDOWN_CODE CANDM_REQ_SHUTDOWN
#define SWEEP_EXTRA_CODES 5
#define MAX_EXCLUDED 64

static int sock_fd = -1;
static char client_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct sockaddr_storage server;
static socklen_t server_len;
static double timeout_s = 1.0;
static bool show_data;

static void cleanup(void)
{
    if (client_path[0])
        unlink(client_path);
}

static void usage(void)
{
    fprintf(stderr, "usage: cmdprobe (-u SOCKET | -p PORT [-a ADDR]) [-t S] [-d] [-4] [-V V] "
                    "[-T TYPE] [-R RES] [-L LEN] CODE [HEX]\n"
                    "       cmdprobe (-u SOCKET | -p PORT [-a ADDR]) [-t S] -S [-X CODES]\n");
    exit(2);
}

static void open_unix(const char *path)
{
    struct sockaddr_un *sun = (struct sockaddr_un *)&server;
    if (strlen(path) >= sizeof sun->sun_path) {
        fprintf(stderr, "cmdprobe: path too long\n");
        exit(2);
    }
    memset(&server, 0, sizeof server);
    sun->sun_family = AF_UNIX;
    strcpy(sun->sun_path, path);
    server_len = sizeof *sun;

    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path) : 1;
    int n = snprintf(client_path, sizeof client_path, "%.*s/cmdprobe.%d.sock", dir_len,
                     slash ? path : ".", (int)getpid());
    if (n < 0 || (size_t)n >= sizeof client_path) {
        fprintf(stderr, "cmdprobe: path too long\n");
        exit(2);
    }
    struct sockaddr_un me = { .sun_family = AF_UNIX };
    strcpy(me.sun_path, client_path);
    unlink(client_path);
    sock_fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (sock_fd < 0 || bind(sock_fd, (struct sockaddr *)&me, sizeof me) < 0) {
        perror("cmdprobe: unix socket");
        client_path[0] = '\0';
        exit(2);
    }
    atexit(cleanup);
    chmod(client_path, 0666);
}

static void open_udp(const char *addr, int port, const char *local)
{
    memset(&server, 0, sizeof server);
    struct sockaddr_in *sin = (struct sockaddr_in *)&server;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&server;
    if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
        if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127) {
            fprintf(stderr, "cmdprobe: only loopback addresses\n");
            exit(2);
        }
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        server_len = sizeof *sin;
    } else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
            fprintf(stderr, "cmdprobe: only loopback addresses\n");
            exit(2);
        }
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        server_len = sizeof *sin6;
    } else {
        usage();
    }
    sock_fd = socket(server.ss_family, SOCK_DGRAM, 0);
    if (sock_fd < 0) {
        perror("cmdprobe: socket");
        exit(2);
    }
    if (local) {
        struct sockaddr_storage me;
        memset(&me, 0, sizeof me);
        me.ss_family = server.ss_family;
        void *a = me.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&me)->sin_addr
                                          : (void *)&((struct sockaddr_in6 *)&me)->sin6_addr;
        if (inet_pton(me.ss_family, local, a) != 1 ||
            bind(sock_fd, (struct sockaddr *)&me, server_len) < 0) {
            perror("cmdprobe: bind");
            exit(2);
        }
    }
}

static bool parse_hex(const char *text, uint8_t *out, size_t *len)
{
    size_t n = 0;
    while (text[0] && text[1]) {
        unsigned byte;
        if (n >= MAX_PACKET || sscanf(text, "%2x", &byte) != 1)
            return false;
        out[n++] = (uint8_t)byte;
        text += 2;
    }
    *len = n;
    return text[0] == '\0';
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Sends pkt and prints the answer (prefix first). */
static void exchange(const uint8_t *pkt, size_t len, const char *prefix)
{
    uint8_t buf[MAX_PACKET];
    /* drop anything left over from an earlier request */
    while (recv(sock_fd, buf, sizeof buf, MSG_DONTWAIT) >= 0)
        ;
    if (sendto(sock_fd, pkt, len, 0, (struct sockaddr *)&server, server_len) < 0) {
        printf("%ssend error %s\n", prefix, strerror(errno));
        return;
    }
    double deadline = now_mono() + timeout_s;
    for (;;) {
        double left = deadline - now_mono();
        struct pollfd p = { .fd = sock_fd, .events = POLLIN };
        if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0) {
            printf("%snone\n", prefix);
            return;
        }
        ssize_t n = recv(sock_fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            printf("%srecv error %s\n", prefix, strerror(errno));
            return;
        }
        if ((size_t)n < CANDM_REPLY_HEADER_LEN || len < CANDM_REQUEST_HEADER_LEN ||
            memcmp(buf + 4, pkt + 4, 2) != 0 || memcmp(buf + 16, pkt + 8, 4) != 0) {
            printf("%sbad len %zd\n", prefix, n);
            return;
        }
        printf("%sreply status %u code %u len %zd", prefix, (unsigned)cmdproto_get16(buf + 8),
               (unsigned)cmdproto_get16(buf + 6), n);
        if (buf[0] != CANDM_PROTO_VERSION || buf[1] != CANDM_PKT_TYPE_REPLY)
            printf(" version %u type %u", buf[0], buf[1]);
        if (show_data && n > CANDM_REPLY_HEADER_LEN) {
            printf(" data ");
            for (ssize_t i = CANDM_REPLY_HEADER_LEN; i < n; i++)
                printf("%02x", buf[i]);
        }
        printf("\n");
        return;
    }
}

static size_t build(uint8_t *pkt, int version, int type, int res, int code,
                    const uint8_t *data, size_t data_len, size_t len)
{
    uint32_t seq;
    if (getrandom(&seq, sizeof seq, 0) != sizeof seq)
        seq = (uint32_t)getpid() ^ (uint32_t)time(NULL);
    memset(pkt, 0, MAX_PACKET);
    pkt[0] = (uint8_t)version;
    pkt[1] = (uint8_t)type;
    pkt[2] = pkt[3] = (uint8_t)res;
    cmdproto_put16(pkt + 4, (uint16_t)code);
    cmdproto_put32(pkt + 8, seq);
    if (data_len > MAX_PACKET - CANDM_REQUEST_HEADER_LEN)
        data_len = MAX_PACKET - CANDM_REQUEST_HEADER_LEN;
    if (data_len)
        memcpy(pkt + CANDM_REQUEST_HEADER_LEN, data, data_len);
    return len > MAX_PACKET ? MAX_PACKET : len;
}

static size_t client_len(int code, bool old)
{
    const struct cmdproto_command *cmd = cmdproto_command((uint16_t)code);
    if (!cmd)
        return CANDM_REQUEST_HEADER_LEN;
    uint16_t reply = old && cmd->old_reply ? cmd->old_reply : cmd->reply;
    return cmdproto_request_len((uint16_t)code, reply);
}

static void sweep(const bool *excluded)
{
    uint8_t pkt[MAX_PACKET];
    for (int code = 0; code < CANDM_N_REQUEST_TYPES + SWEEP_EXTRA_CODES; code++) {
        if (code == SHUTDOWN_CODE || excluded[code])
            continue;
        size_t min = cmdproto_min_request_len((uint16_t)code);
        size_t lens[] = { CANDM_REPLY_HEADER_LEN, min > CANDM_REPLY_HEADER_LEN ? min - 1 : 0, min,
                          client_len(code, false), CANDM_MAX_REQUEST_LEN };
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            bool seen = lens[i] < CANDM_REPLY_HEADER_LEN;
            for (size_t j = 0; j < i && !seen; j++)
                seen = lens[j] == lens[i];
            if (seen)
                continue;
            char prefix[32];
            snprintf(prefix, sizeof prefix, "%d %zu: ", code, lens[i]);
            exchange(pkt, build(pkt, CANDM_PROTO_VERSION, CANDM_PKT_TYPE_REQUEST, 0, code, NULL,
                                0, lens[i]), prefix);
        }
    }
}

int main(int argc, char **argv)
{
    const char *unix_path = NULL, *addr = "127.0.0.1", *local = NULL;
    int port = 0, version = CANDM_PROTO_VERSION, type = CANDM_PKT_TYPE_REQUEST, res = 0, opt;
    long len = -1;
    bool do_sweep = false, old = false;
    static bool excluded[CANDM_N_REQUEST_TYPES + SWEEP_EXTRA_CODES];

    while ((opt = getopt(argc, argv, "u:p:a:b:t:dV:T:R:L:SX:4")) != -1) {
        switch (opt) {
        case 'u': unix_path = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'a': addr = optarg; break;
        case 'b': local = optarg; break;
        case 't': timeout_s = atof(optarg); break;
        case 'd': show_data = true; break;
        case 'V': version = atoi(optarg); break;
        case 'T': type = atoi(optarg); break;
        case 'R': res = atoi(optarg); break;
        case 'L': len = atol(optarg); break;
        case 'S': do_sweep = true; break;
        case '4': old = true; break;
        case 'X':
            for (char *s = optarg; *s;) {
                long c = strtol(s, &s, 10);
                if (c >= 0 && c < (long)(sizeof excluded / sizeof excluded[0]))
                    excluded[c] = true;
                if (*s == ',')
                    s++;
                else if (*s)
                    usage();
            }
            break;
        default: usage();
        }
    }
    if (unix_path)
        open_unix(unix_path);
    else if (port > 0)
        open_udp(addr, port, local);
    else
        usage();

    if (do_sweep) {
        sweep(excluded);
        return 0;
    }
    if (optind >= argc)
        usage();
    int code = atoi(argv[optind]);
    uint8_t data[MAX_PACKET], pkt[MAX_PACKET];
    size_t data_len = 0;
    if (optind + 1 < argc && !parse_hex(argv[optind + 1], data, &data_len))
        usage();
    if (len < 0) {
        len = (long)client_len(code, old);
        if ((size_t)len < CANDM_REQUEST_HEADER_LEN + data_len)
            len = (long)(CANDM_REQUEST_HEADER_LEN + data_len);
    }
    exchange(pkt, build(pkt, version, type, res, code, data, data_len, (size_t)len), "");
    return 0;
}
