/* cmdreplay: a stand-in for chronyd's command socket that answers from
 * recorded exchanges (test/data/cmdreplay/NAME.rec, written by cmdrecord.py
 * from Debian's chronyd 4.3), so chronyc's output can be compared with
 * Debian's chronyc on the very same replies.
 *
 *   cmdreplay [-u PATH] [-p PORT] [-l LOG] [-s STATUS] [-8] [-D N] [-5] [-j] [-t]
 *             [FIXTURE...]
 *
 * A request is matched to a recorded one by its command code and its data
 * (trailing zeros, i.e. padding, ignored); the recorded reply is sent with
 * the request's sequence number. Recorded pairs are used in order, the last
 * one again once all are used; a request from another client address (the
 * next chronyc) starts from the first again. Other requests are checked as chrony 4.3
 * checks them (-8: as 4.8): unknown codes get INVALID, short ones
 * BADPKTLENGTH, other versions BADPKTVERSION; known ones without a
 * recording get STATUS (default 1, "500 Failure") in a bare reply.
 *
 *   -u PATH   serve a Unix datagram socket at PATH
 *   -p PORT   serve UDP on 127.0.0.1:PORT (monitoring requests only, as
 *             chronyd does; the others get UNAUTH)
 *   -l LOG    append each request received: "Q HEX SEQ", HEX with the
 *             sequence number zeroed
 *   -D N      ignore the first N requests of each client (it must retry)
 *   -5        be a version 5 daemon: refuse version 6 with a version 5
 *             BADPKTVERSION reply, answer version 5 requests
 *   -j        precede each reply with one of a wrong sequence number
 *   -t        answer a client's first request with a truncated reply
 * SIGTERM ends it (removing PATH). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cmdproto.h"

#define MAX_PACKET 2048
#define MAX_LINE (2 * MAX_PACKET + 16)
#define SEQUENCE_OFFSET 8               /* in the request header */
#define REPLY_SEQUENCE_OFFSET 16        /* in the reply header */
#define COMMAND_OFFSET 4
#define DEFAULT_UNMATCHED_STATUS CANDM_STT_FAILED
#define TRUNCATED_LEN (CANDM_REPLY_HEADER_LEN + 4)

struct exchange {
    uint8_t request[MAX_PACKET], reply[MAX_PACKET];
    size_t request_len, reply_len;
    bool used;
};

static struct exchange *exchanges;
static size_t n_exchanges, cap_exchanges;
static volatile sig_atomic_t stop;
static const char *unix_path;

/* options */
static FILE *log_file;
static int unmatched_status = DEFAULT_UNMATCHED_STATUS;
static uint8_t releases = CMDPROTO_IN_43;
static long drop_count;                 /* -D */
static bool version5, junk_first, truncate_count;
/* what is left of -D and -t for the current client */
static long drop_first;
static bool truncate_first;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static bool unhex(const char *text, uint8_t *out, size_t *len)
{
    size_t n = 0;
    while (text[0] && text[0] != '\n') {
        unsigned int byte;
        if (n >= MAX_PACKET || sscanf(text, "%2x", &byte) != 1)
            return false;
        out[n++] = (uint8_t)byte;
        text += 2;
    }
    *len = n;
    return true;
}

static void load_fixture(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cmdreplay: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char line[MAX_LINE];
    struct exchange *last = NULL;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == 'Q' && line[1] == ' ') {
            if (n_exchanges == cap_exchanges) {
                cap_exchanges = cap_exchanges ? 2 * cap_exchanges : 16;
                exchanges = realloc(exchanges, cap_exchanges * sizeof *exchanges);
                if (!exchanges)
                    exit(1);
            }
            last = &exchanges[n_exchanges++];
            memset(last, 0, sizeof *last);
            if (!unhex(line + 2, last->request, &last->request_len))
                goto bad;
        } else if (line[0] == 'R' && line[1] == ' ') {
            if (!last || !unhex(line + 2, last->reply, &last->reply_len))
                goto bad;
        }
    }
    fclose(f);
    return;
bad:
    fprintf(stderr, "cmdreplay: %s: bad line %s", path, line);
    exit(1);
}

/* The part of a request that identifies it: the command and the data
 * without its zero padding. */
static size_t key_len(const uint8_t *pkt, size_t len)
{
    while (len > CANDM_REQUEST_HEADER_LEN && pkt[len - 1] == 0)
        len--;
    return len;
}

static bool same_request(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    if (a_len < CANDM_REQUEST_HEADER_LEN || b_len < CANDM_REQUEST_HEADER_LEN)
        return false;
    if (memcmp(a + COMMAND_OFFSET, b + COMMAND_OFFSET, 2) != 0)
        return false;
    size_t ka = key_len(a, a_len), kb = key_len(b, b_len);
    return ka == kb && memcmp(a + CANDM_REQUEST_HEADER_LEN, b + CANDM_REQUEST_HEADER_LEN,
                              ka - CANDM_REQUEST_HEADER_LEN) == 0;
}

static struct exchange *find_exchange(const uint8_t *pkt, size_t len)
{
    struct exchange *match = NULL;
    for (size_t i = 0; i < n_exchanges; i++) {
        struct exchange *e = &exchanges[i];
        if (!e->reply_len || !same_request(e->request, e->request_len, pkt, len))
            continue;
        match = e;
        if (!e->used)
            break;
    }
    if (match)
        match->used = true;
    return match;
}

/* "Q HEX SEQ": the request with its sequence number zeroed (so requests
 * compare), then the sequence number. */
static void log_request(const uint8_t *pkt, size_t len)
{
    if (!log_file)
        return;
    fputs("Q ", log_file);
    for (size_t i = 0; i < len; i++) {
        bool seq = i >= SEQUENCE_OFFSET && i < SEQUENCE_OFFSET + 4;
        fprintf(log_file, "%02x", seq ? 0 : pkt[i]);
    }
    if (len >= SEQUENCE_OFFSET + 4)
        fprintf(log_file, " %08x", (unsigned)cmdproto_get32(pkt + SEQUENCE_OFFSET));
    fputc('\n', log_file);
    fflush(log_file);
}

/* A new client (another socket address) starts the recording again. */
static void note_client(const struct sockaddr_storage *from, socklen_t len)
{
    static struct sockaddr_storage last;
    static socklen_t last_len;
    if (len == last_len && memcmp(from, &last, len) == 0)
        return;
    memcpy(&last, from, len);
    last_len = len;
    for (size_t i = 0; i < n_exchanges; i++)
        exchanges[i].used = false;
    drop_first = drop_count;
    truncate_first = truncate_count;
}

/* A bare reply (header only) with status. */
static size_t status_reply(const uint8_t *pkt, uint16_t status, uint8_t version, uint8_t *out)
{
    struct candm_request_header req;
    struct candm_reply_header rep;
    memcpy(&req, pkt, sizeof req);
    cmdproto_build_reply_header(&req, CANDM_RPY_NULL, status, &rep);
    rep.version = version;
    memcpy(out, &rep, sizeof rep);
    return sizeof rep;
}

/* The answer to one request; 0: none. On UDP only monitoring requests are
 * answered, the others get UNAUTH (chronyd's rule, even from 127.0.0.1). */
static size_t answer(const uint8_t *pkt, size_t len, bool udp, uint8_t *out)
{
    if (len < CANDM_REQUEST_HEADER_LEN)
        return 0;
    uint8_t version = pkt[0];

    if (version5) {
        if (version == CANDM_PROTO_VERSION)
            return len >= CANDM_REPLY_HEADER_LEN
                       ? status_reply(pkt, CANDM_STT_BADPKTVERSION, CANDM_PROTO_VERSION_NOPAD, out)
                       : 0;
        if (version != CANDM_PROTO_VERSION_NOPAD)
            return 0;
    } else {
        switch (cmdproto_check_request(pkt, len, releases)) {
        case CMDPROTO_REQUEST_OK:
            break;
        case CMDPROTO_REQUEST_DROP:
            return 0;
        case CMDPROTO_REQUEST_BAD_VERSION:
            return status_reply(pkt, CANDM_STT_BADPKTVERSION, CANDM_PROTO_VERSION, out);
        case CMDPROTO_REQUEST_INVALID:
            return status_reply(pkt, CANDM_STT_INVALID, CANDM_PROTO_VERSION, out);
        case CMDPROTO_REQUEST_BAD_LENGTH:
            return status_reply(pkt, CANDM_STT_BADPKTLENGTH, CANDM_PROTO_VERSION, out);
        }
    }

    const struct cmdproto_command *cmd = cmdproto_command(cmdproto_get16(pkt + COMMAND_OFFSET));
    if (udp && cmd && !cmd->open)
        return status_reply(pkt, CANDM_STT_UNAUTH, version, out);

    struct exchange *e = find_exchange(pkt, len);
    if (!e) {
        fprintf(stderr, "cmdreplay: no recording of command %u\n",
                (unsigned)cmdproto_get16(pkt + COMMAND_OFFSET));
        return status_reply(pkt, (uint16_t)unmatched_status, version, out);
    }
    /* never answer with more than was asked (chronyd's rule; version 5
     * requests had no padding) */
    if (!version5 && e->reply_len > len)
        return 0;
    memcpy(out, e->reply, e->reply_len);
    out[0] = version;
    memcpy(out + REPLY_SEQUENCE_OFFSET, pkt + SEQUENCE_OFFSET, 4);
    return e->reply_len;
}

static int open_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sun.sun_path)
        return -1;
    strcpy(sun.sun_path, path);
    unlink(path);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&sun, sizeof sun) < 0)
        return -1;
    chmod(path, 0666);
    return s;
}

static int open_udp(int port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) < 0)
        return -1;
    return s;
}

static void serve_one(int s, bool udp)
{
    uint8_t pkt[MAX_PACKET], out[MAX_PACKET];
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    ssize_t n = recvfrom(s, pkt, sizeof pkt, 0, (struct sockaddr *)&from, &from_len);
    if (n <= 0)
        return;
    note_client(&from, from_len);
    log_request(pkt, (size_t)n);
    if (drop_first > 0) {
        drop_first--;
        return;
    }
    size_t len = answer(pkt, (size_t)n, udp, out);
    if (len == 0)
        return;
    if (junk_first) {
        out[REPLY_SEQUENCE_OFFSET] ^= 0xff;
        sendto(s, out, len, 0, (struct sockaddr *)&from, from_len);
        out[REPLY_SEQUENCE_OFFSET] ^= 0xff;
    }
    if (truncate_first && len > TRUNCATED_LEN) {
        truncate_first = false;
        len = TRUNCATED_LEN;
    }
    sendto(s, out, len, 0, (struct sockaddr *)&from, from_len);
}

int main(int argc, char **argv)
{
    int port = 0, opt;
    while ((opt = getopt(argc, argv, "u:p:l:s:8D:5jt")) != -1) {
        switch (opt) {
        case 'u': unix_path = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'l':
            log_file = fopen(optarg, "a");
            if (!log_file) {
                perror(optarg);
                return 1;
            }
            break;
        case 's': unmatched_status = atoi(optarg); break;
        case '8': releases = CMDPROTO_IN_48; break;
        case 'D': drop_count = atol(optarg); break;
        case '5': version5 = true; break;
        case 'j': junk_first = true; break;
        case 't': truncate_count = true; break;
        default:
            fprintf(stderr, "usage: cmdreplay [-u PATH] [-p PORT] [-l LOG] [-s STATUS] [-8] "
                            "[-D N] [-5] [-j] [-t] [FIXTURE...]\n");
            return 1;
        }
    }
    for (int i = optind; i < argc; i++)
        load_fixture(argv[i]);

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct pollfd fds[2];
    int n_fds = 0;
    if (unix_path) {
        fds[n_fds].fd = open_unix(unix_path);
        if (fds[n_fds].fd < 0) {
            fprintf(stderr, "cmdreplay: cannot serve %s: %s\n", unix_path, strerror(errno));
            return 1;
        }
        fds[n_fds++].events = POLLIN;
    }
    int udp_fd = -1;
    if (port) {
        fds[n_fds].fd = udp_fd = open_udp(port);
        if (fds[n_fds].fd < 0) {
            fprintf(stderr, "cmdreplay: cannot serve port %d: %s\n", port, strerror(errno));
            return 1;
        }
        fds[n_fds++].events = POLLIN;
    }
    if (n_fds == 0) {
        fprintf(stderr, "cmdreplay: nothing to serve (-u or -p)\n");
        return 1;
    }

    while (!stop) {
        if (poll(fds, (nfds_t)n_fds, -1) < 0)
            continue;
        for (int i = 0; i < n_fds; i++) {
            if (fds[i].revents & POLLIN)
                serve_one(fds[i].fd, fds[i].fd == udp_fd);
        }
    }
    if (unix_path)
        unlink(unix_path);
    return 0;
}
