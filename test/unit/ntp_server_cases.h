/* ntp_server_cases: a deterministic set of server inputs (request bytes,
 * server state, receive/transmit times, random words, rate-limit and
 * interleaved-mode decisions) for test_ntp_server_golden.c, which checks that
 * the replies stay byte for byte what the reply builder produced before the
 * hot path was optimised (ntp_server_golden.h). Only the API that existed
 * then is used here, so the golden table can be regenerated from any
 * version: see test_ntp_server_golden.c. */
#ifndef CW_NTP_SERVER_CASES_H
#define CW_NTP_SERVER_CASES_H

#include <stdint.h>
#include <string.h>

#include "core/ntp_packet.h"
#include "core/ntp_server.h"

#define CASES_N 400

struct server_case {
    uint8_t buf[NTP_MAX_PACKET_LENGTH];
    size_t len;
    uint16_t remote_port;
    struct ntp_server_state st;
    struct timespec rx_time;
    struct timespec tx_time;
    bool kod;
    int min_poll;
    bool has_interleaved_tx;
    struct timespec interleaved_tx;
    uint64_t random;               /* for the reply */
    uint64_t finish_random;        /* for the transmit timestamp */
};

static uint64_t cases_rng;

static uint64_t cases_next(void)
{
    cases_rng ^= cases_rng >> 12;
    cases_rng ^= cases_rng << 25;
    cases_rng ^= cases_rng >> 27;
    return cases_rng * 0x2545f4914f6cdd1dULL;
}

static int cases_pick(int n)
{
    return (int)(cases_next() % (uint64_t)n);
}

/* A stand-in for the key store: keys 1 (16-byte digest), 2 (20 bytes) and 4
 * (32 bytes); the digest is an FNV-1a stream over key ID and data. */
static size_t cases_digest(uint32_t key_id, const uint8_t *data, size_t len, uint8_t *out,
                           size_t max)
{
    size_t n = key_id == 1 ? 16 : key_id == 2 ? 20 : key_id == 4 ? 32 : 0;
    if (n == 0)
        return 0;
    if (n > max)
        n = max;
    uint64_t h = 0xcbf29ce484222325ULL ^ key_id;
    for (size_t i = 0; i < len; i++)
        h = (h ^ data[i]) * 0x100000001b3ULL;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ i) * 0x100000001b3ULL;
        out[i] = (uint8_t)(h >> 32);
    }
    return n;
}

static bool cases_check(void *ctx, uint32_t key_id, const uint8_t *data, size_t len,
                        const uint8_t *digest, size_t digest_len, size_t max_digest_len)
{
    (void)ctx;
    uint8_t mine[NTP_MAX_HASH_LENGTH];
    size_t n = cases_digest(key_id, data, len, mine, max_digest_len);
    return n > 0 && n == digest_len && memcmp(mine, digest, n) == 0;
}

static size_t cases_sign(void *ctx, uint32_t key_id, const uint8_t *data, size_t len,
                         uint8_t *out, size_t max)
{
    (void)ctx;
    return cases_digest(key_id, data, len, out, max);
}

static const struct ntp_server_keys cases_keys = { NULL, cases_check, cases_sign };

static struct timespec cases_time(void)
{
    struct timespec t;
    switch (cases_pick(10)) {
    case 0:
        t.tv_sec = 0;                                   /* unknown */
        t.tv_nsec = 0;
        break;
    case 1:
        t.tv_sec = 2085978496LL + cases_pick(1000);     /* across the 2036 era edge */
        t.tv_nsec = cases_pick(1000000000);
        break;
    case 2:
        t.tv_sec = 1700000000 + cases_pick(100000);
        t.tv_nsec = 999999999 - cases_pick(3);          /* rounds up to a whole second */
        break;
    default:
        t.tv_sec = 1700000000 + cases_pick(100000000);
        t.tv_nsec = cases_pick(1000000000);
        break;
    }
    return t;
}

static void cases_state(struct ntp_server_state *st)
{
    static const int strata[] = { 1, 2, 3, 8, 15, 16, 20 };
    static const double delays[] = { 0.0, 1e-6, 0.015, 0.5, 1.0, 3.25, 70000.0, -1.0 };
    static const int precisions[] = { -40, -32, -30, -25, -24, -20, -10, -1, 0, 3 };
    if (cases_pick(6) == 0) {
        ntp_server_state_unsynchronised(st, precisions[cases_pick(10)]);
        return;
    }
    memset(st, 0, sizeof *st);
    st->leap = cases_pick(4);
    st->stratum = strata[cases_pick(7)];
    st->refid = (uint32_t)cases_next();
    st->ref_time = cases_time();
    st->root_delay_s = delays[cases_pick(8)] + (cases_pick(2) ? 1e-9 * cases_pick(1000) : 0.0);
    st->root_dispersion_s = delays[cases_pick(8)];
    st->precision = precisions[cases_pick(10)];
}

static void cases_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}

/* What follows the header of the request. */
static void cases_trailer(struct server_case *c, int version)
{
    int kind = cases_pick(10);
    uint8_t d[NTP_MAX_HASH_LENGTH];
    size_t n;
    uint32_t key;
    switch (kind) {
    case 0:                     /* extension fields (v4) */
        if (version != 4)
            return;
        for (int i = 0, k = 1 + cases_pick(3); i < k; i++) {
            uint8_t body[40];
            for (size_t j = 0; j < sizeof body; j++)
                body[j] = (uint8_t)cases_next();
            uint16_t type = cases_pick(5) == 0 ? NTP_EF_NTS_COOKIE : (uint16_t)(0x2000 + i);
            ntp_packet_add_ef(c->buf, sizeof c->buf, &c->len, type, body,
                              (size_t)cases_pick(41), NTP_MIN_LAST_EF_LENGTH);
        }
        return;
    case 1:
    case 2:                     /* a MAC with a known or unknown key, good or bad */
        key = (uint32_t)(cases_pick(3) == 0 ? 3 : 1 + cases_pick(2) + cases_pick(2) * 2);
        n = cases_digest(key == 3 ? 1 : key, c->buf, c->len, d,
                         version == 4 ? 20 : NTP_MAX_HASH_LENGTH);
        if (cases_pick(5) == 0)
            d[0] ^= 1;
        if (n < NTP_MIN_MAC_DIGEST_LENGTH || (version == 4 && n > 20))
            n = 16;
        ntp_packet_add_mac(c->buf, sizeof c->buf, &c->len, key, d, n);
        return;
    case 3:                     /* crypto-NAK, or an MS-SNTP authenticator */
        if (version == 3 && cases_pick(2)) {
            memset(c->buf + c->len, 0, NTP_MSSNTP_LENGTH);
            cases_put32(c->buf + c->len, 7);
            c->len += NTP_MSSNTP_LENGTH;
        } else {
            memset(c->buf + c->len, 0, NTP_CRYPTO_NAK_LENGTH);
            c->len += NTP_CRYPTO_NAK_LENGTH;
        }
        return;
    default:
        return;
    }
}

/* Fills case i. The request always parses (NTP_PACKET_OK). */
static void cases_make(int i, struct server_case *c)
{
    static const int versions[] = { 1, 2, 3, 4, 4, 4, 4, 4 };
    static const int modes[] = { 0, 1, 2, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7 };
    memset(c, 0, sizeof *c);
    cases_rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
    cases_next();

    cases_state(&c->st);
    c->rx_time = cases_time();
    c->tx_time = c->rx_time;
    c->tx_time.tv_nsec += cases_pick(200000);
    if (c->tx_time.tv_nsec >= 1000000000L) {
        c->tx_time.tv_sec++;
        c->tx_time.tv_nsec -= 1000000000L;
    }
    c->random = cases_next();
    c->finish_random = cases_next();
    c->kod = cases_pick(5) == 0;
    c->min_poll = cases_pick(32) - 19;
    c->remote_port = cases_pick(4) == 0 ? NTP_PORT : (uint16_t)(1024 + cases_pick(60000));

    struct ntp_packet_header h;
    memset(&h, 0, sizeof h);
    h.version = versions[cases_pick(8)];
    h.mode = modes[cases_pick(13)];
    h.leap = cases_pick(4);
    h.stratum = cases_pick(256);
    h.poll = cases_pick(4) == 0 ? cases_pick(256) - 128 : cases_pick(24) - 6;
    h.precision = cases_pick(256) - 128;
    h.root_delay = (uint32_t)cases_next();
    h.root_dispersion = (uint32_t)cases_next();
    h.refid = (uint32_t)cases_next();
    h.reference_ts = ntptime_ts64_from_u64(cases_next());
    h.originate_ts = ntptime_ts64_from_u64(cases_pick(3) ? cases_next() : 0);
    h.receive_ts = ntptime_ts64_from_u64(cases_pick(3) ? cases_next() : 0);
    h.transmit_ts = ntptime_ts64_from_u64(cases_pick(8) ? cases_next() : 0);
    if (cases_pick(3) == 0)
        h.originate_ts.lo |= 1;                 /* looks like an interleaved request */
    if (cases_pick(10) == 0)
        h.receive_ts = h.transmit_ts;

    /* collisions of our timestamps with the one we echo */
    switch (cases_pick(12)) {
    case 0: {
        ntptime_ts64 rx = ntptime_to_ts64(c->rx_time, ntptime_fuzz(c->st.precision, c->random));
        if (!ntptime_ts64_is_zero(rx))
            rx.lo |= 1;
        h.transmit_ts = rx;
        break;
    }
    case 1: {
        ntptime_ts64 tx = ntptime_to_ts64(c->tx_time,
                                          ntptime_fuzz(c->st.precision, c->finish_random));
        tx.lo &= ~1U;
        h.transmit_ts = tx;
        break;
    }
    default:
        break;
    }

    c->has_interleaved_tx = cases_pick(3) == 0;
    c->interleaved_tx = cases_time();
    if (cases_pick(8) == 0) {
        /* our previous transmit time collides with the receive timestamp echoed */
        c->interleaved_tx = ntptime_from_ts64(h.receive_ts, NTPTIME_DEFAULT_ERA_START);
    }

    c->len = 0;
    ntp_packet_write_header(&h, c->buf, sizeof c->buf, &c->len);
    cases_trailer(c, h.version);
}

/* The request of case c as the server gets it; info receives the parse. */
static void cases_request(const struct server_case *c, struct ntp_packet_info *info,
                          struct ntp_server_request *req)
{
    memset(req, 0, sizeof *req);
    req->data = c->buf;
    req->len = c->len;
    req->info = info;
    req->remote_port = c->remote_port;
    req->rx_time = c->rx_time;
    req->kod = c->kod;
    req->min_poll = c->min_poll;
    req->interleaved_tx = c->has_interleaved_tx ? &c->interleaved_tx : NULL;
    req->random = c->random;
}

#endif
