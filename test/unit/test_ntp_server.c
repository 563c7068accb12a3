#include "harness.h"
#include "common/md5.h"
#include "core/ntp_server.h"

/* ---- a small key store: key 1 is MD5 over "secret" || data (the NTP
 * symmetric MAC construction), key 2 gives a 20-byte digest ---- */

#define KEY_MD5 1
#define KEY_LONG 2
#define KEY_WRONG_LENGTH 3      /* checks like KEY_MD5 but signs 20 bytes */
#define KEY_SHA256 4            /* a 32-byte digest */
#define KEY_UNKNOWN 99

static size_t digest(uint32_t key_id, const uint8_t *data, size_t len, uint8_t *out, size_t max)
{
    uint8_t buf[16 + NTP_MAX_PACKET_LENGTH];
    uint8_t md[16];
    if (key_id != KEY_MD5 && key_id != KEY_LONG && key_id != KEY_WRONG_LENGTH &&
        key_id != KEY_SHA256)
        return 0;
    memcpy(buf, "secret", 6);
    memcpy(buf + 6, data, len);
    md5_compute(buf, 6 + len, md);
    size_t n = key_id == KEY_MD5 ? 16 : key_id == KEY_SHA256 ? 32 : 20;
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        out[i] = md[i % 16] ^ (uint8_t)(i / 16);
    return n;
}

static bool fake_check(void *ctx, uint32_t key_id, const uint8_t *data, size_t len,
                       const uint8_t *dig, size_t dig_len, size_t max_dig)
{
    uint8_t mine[NTP_MAX_HASH_LENGTH];
    (*(int *)ctx)++;
    if (key_id == KEY_WRONG_LENGTH)
        key_id = KEY_MD5;
    size_t n = digest(key_id, data, len, mine, max_dig);
    return n > 0 && n == dig_len && memcmp(mine, dig, n) == 0;
}

static size_t fake_sign(void *ctx, uint32_t key_id, const uint8_t *data, size_t len,
                        uint8_t *out, size_t max)
{
    return digest(key_id, data, len, out, max);
}

static int checks_done;
static const struct ntp_server_keys keys = { &checks_done, fake_check, fake_sign };

/* ---- helpers ---- */

static const struct timespec rx_time = { 1700000000, 123456789 };
static const struct timespec tx_time = { 1700000000, 123556789 };
static const ntptime_ts64 client_tx = { 0x12345678u, 0x9abcdef0u };

struct req {
    uint8_t buf[NTP_MAX_PACKET_LENGTH];
    size_t len;
    struct ntp_packet_info info;
    struct ntp_server_request r;
};

static void make_request(struct req *q, int version, int mode, int poll)
{
    memset(q, 0, sizeof *q);
    struct ntp_packet_header h = { .version = version, .mode = mode, .poll = poll,
                                   .precision = -20, .transmit_ts = client_tx };
    CHECK(ntp_packet_write_header(&h, q->buf, sizeof q->buf, &q->len));
}

static void add_mac(struct req *q, uint32_t key_id, size_t max)
{
    uint8_t d[NTP_MAX_HASH_LENGTH];
    size_t n = digest(key_id, q->buf, q->len, d, max);
    if (key_id == KEY_UNKNOWN) {            /* unknown key: any digest */
        n = 16;
        memset(d, 7, n);
    }
    CHECK(ntp_packet_add_mac(q->buf, sizeof q->buf, &q->len, key_id, d, n));
}

static void finish_request(struct req *q, uint16_t port)
{
    CHECK_INT(ntp_packet_parse(q->buf, q->len, NULL, &q->info), NTP_PACKET_OK);
    q->r.data = q->buf;
    q->r.len = q->len;
    q->r.info = &q->info;
    q->r.remote_port = port;
    q->r.rx_time = rx_time;
    q->r.min_poll = -19;
    q->r.random = 0x0123456789abcdefULL;
}

static void synced_state(struct ntp_server_state *st)
{
    memset(st, 0, sizeof *st);
    st->leap = NTP_LEAP_NORMAL;
    st->stratum = 3;
    st->refid = 0xc0000201;
    st->ref_time.tv_sec = 1699999990;
    st->root_delay_s = 0.015;
    st->root_dispersion_s = 0.0025;
    st->precision = -24;
}

static void parse_reply(const struct ntp_server_reply *rep, struct ntp_packet_info *out)
{
    CHECK_INT(ntp_packet_parse(rep->data, rep->len, &rx_time, out), NTP_PACKET_OK);
}

/* ---- tests ---- */

TEST(basic_client_reply)
{
    struct req q;
    struct ntp_server_state st;
    struct ntp_server_reply rep;
    struct ntp_packet_info ri;
    synced_state(&st);
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 0xfedcba9876543210ULL));
    CHECK_INT(rep.len, 48);
    parse_reply(&rep, &ri);
    CHECK_INT(ri.hdr.mode, NTP_MODE_SERVER);
    CHECK_INT(ri.hdr.version, 4);
    CHECK_INT(ri.hdr.leap, NTP_LEAP_NORMAL);
    CHECK_INT(ri.hdr.stratum, 3);
    CHECK_INT(ri.hdr.refid, 0xc0000201);
    CHECK_INT(ri.hdr.poll, 6);
    CHECK_INT(ri.hdr.precision, -24);
    CHECK_NEAR(ri.root_delay_s, 0.015, 1.0 / 65536);
    CHECK(ri.root_delay_s >= 0.015);
    CHECK_NEAR(ri.root_dispersion_s, 0.0025, 1.0 / 65536);
    CHECK_INT(ri.reference_time.tv_sec, 1699999990);
    /* originate is the client's transmit timestamp, bit for bit */
    CHECK(ntptime_ts64_equal(ri.hdr.originate_ts, client_tx));
    /* receive and transmit are our times, within our precision (2^-24 s) */
    CHECK_NEAR(ntptime_diff(ri.receive_time, rx_time), 0.0, 1.2e-7);
    CHECK_NEAR(ntptime_diff(ri.transmit_time, tx_time), 0.0, 1.2e-7);
    /* lowest fraction bit: 1 in receive, 0 in transmit */
    CHECK_INT(ri.hdr.receive_ts.lo & 1, 1);
    CHECK_INT(ri.hdr.transmit_ts.lo & 1, 0);
    CHECK(ntptime_ts64_equal(rep.receive_ts, ri.hdr.receive_ts));
    CHECK(ntptime_ts64_equal(rep.transmit_ts, ri.hdr.transmit_ts));
    CHECK(!rep.kod && !rep.interleaved && !rep.authenticated);
    /* finishing twice is refused */
    CHECK(!ntp_server_finish_reply(&rep, tx_time, 0));
}

TEST(versions_copied)
{
    struct ntp_server_state st;
    synced_state(&st);
    for (int v = 1; v <= 4; v++) {
        struct req q;
        struct ntp_server_reply rep;
        struct ntp_packet_info ri;
        make_request(&q, v, NTP_MODE_CLIENT, 4);
        finish_request(&q, 123);
        CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
        CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
        parse_reply(&rep, &ri);
        CHECK_INT(ri.hdr.version, v);
        CHECK_INT(ri.hdr.mode, NTP_MODE_SERVER);
    }
}

TEST(modes)
{
    struct ntp_server_state st;
    synced_state(&st);
    struct req q;
    struct ntp_server_reply rep;
    struct ntp_packet_info ri;

    /* symmetric active from an unknown peer: passive reply */
    make_request(&q, 4, NTP_MODE_ACTIVE, 6);
    finish_request(&q, 123);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    parse_reply(&rep, &ri);
    CHECK_INT(ri.hdr.mode, NTP_MODE_PASSIVE);

    /* NTPv1 client: mode 0 from a port other than 123 */
    make_request(&q, 1, NTP_MODE_RESERVED, 6);
    finish_request(&q, 1025);
    CHECK_INT(ntp_server_reply_mode(&q.info, 1025), NTP_MODE_SERVER);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    parse_reply(&rep, &ri);
    CHECK_INT(ri.hdr.mode, NTP_MODE_SERVER);
    CHECK_INT(ri.hdr.version, 1);
    /* ... but not from port 123, and never in other versions */
    CHECK_INT(ntp_server_reply_mode(&q.info, 123), -1);
    make_request(&q, 2, NTP_MODE_RESERVED, 6);
    finish_request(&q, 1025);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_DROP_MODE);

    /* everything else is not for the server */
    const int others[] = { NTP_MODE_PASSIVE, NTP_MODE_SERVER, NTP_MODE_BROADCAST,
                           NTP_MODE_CONTROL, NTP_MODE_PRIVATE };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        make_request(&q, 4, others[i], 6);
        finish_request(&q, 40000);
        CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_DROP_MODE);
    }
}

TEST(unsynchronised_server)
{
    struct ntp_server_state st;
    ntp_server_state_unsynchronised(&st, -23);
    struct req q;
    struct ntp_server_reply rep;
    struct ntp_packet_info ri;
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    parse_reply(&rep, &ri);
    CHECK_INT(ri.hdr.leap, NTP_LEAP_UNSYNC);
    CHECK_INT(ri.hdr.stratum, 0);              /* 16 goes on the wire as 0 */
    CHECK_INT(ri.hdr.refid, 0);
    CHECK_INT(ri.hdr.root_delay, 0x10000);
    CHECK_INT(ri.hdr.root_dispersion, 0x10000);
    CHECK(ntptime_ts64_is_zero(ri.hdr.reference_ts));
    CHECK_INT(ri.hdr.precision, -23);
    /* the timestamps are still real */
    CHECK_NEAR(ntptime_diff(ri.receive_time, rx_time), 0.0, 2.5e-7);

    /* stratum limits */
    synced_state(&st);
    st.stratum = 15;
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK_INT(rep.data[NTP_OFF_STRATUM], 15);
    st.stratum = 17;
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK_INT(rep.data[NTP_OFF_STRATUM], 0);
}

TEST(kiss_of_death_rate)
{
    struct ntp_server_state st;
    synced_state(&st);
    struct req q;
    struct ntp_server_reply rep;
    struct ntp_packet_info ri;
    make_request(&q, 4, NTP_MODE_CLIENT, 2);
    finish_request(&q, 40000);
    q.r.kod = true;
    q.r.min_poll = 3;
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    parse_reply(&rep, &ri);
    CHECK(rep.kod);
    CHECK_INT(ri.hdr.leap, NTP_LEAP_UNSYNC);
    CHECK_INT(ri.hdr.stratum, 0);
    CHECK_INT(ri.hdr.refid, NTP_KOD_RATE);
    CHECK_INT(ri.hdr.refid, 0x52415445);       /* "RATE" */
    CHECK_INT(ri.hdr.poll, 3);
    CHECK(ntptime_ts64_equal(ri.hdr.originate_ts, client_tx));
    CHECK(!ntptime_ts64_is_zero(ri.hdr.transmit_ts));
}

TEST(poll_suggestion)
{
    struct ntp_server_state st;
    synced_state(&st);
    struct req q;
    struct ntp_server_reply rep;
    make_request(&q, 4, NTP_MODE_CLIENT, -2);
    finish_request(&q, 40000);
    q.r.min_poll = 3;                          /* ratelimit interval 3 */
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK_INT((int8_t)rep.data[NTP_OFF_POLL], 3);
    make_request(&q, 4, NTP_MODE_CLIENT, 10);
    finish_request(&q, 40000);
    q.r.min_poll = 3;
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK_INT((int8_t)rep.data[NTP_OFF_POLL], 10);
    make_request(&q, 4, NTP_MODE_CLIENT, -5);
    finish_request(&q, 40000);                 /* no ratelimit: min -19 */
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK_INT((int8_t)rep.data[NTP_OFF_POLL], -5);
}

TEST(unknown_extension_fields_ignored)
{
    struct ntp_server_state st;
    synced_state(&st);
    struct req q;
    struct ntp_server_reply rep;
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    CHECK(ntp_packet_add_ef(q.buf, sizeof q.buf, &q.len, 0x7777, "xyz", 3,
                            NTP_MIN_LAST_EF_LENGTH));
    finish_request(&q, 40000);
    CHECK_INT(q.info.n_efs, 1);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    CHECK_INT(rep.len, 48);
}

TEST(symmetric_key_replies)
{
    struct ntp_server_state st;
    synced_state(&st);
    struct req q;
    struct ntp_server_reply rep;
    struct ntp_packet_info ri;
    uint8_t d[NTP_MAX_HASH_LENGTH];

    /* a request with a valid MD5 MAC gets a reply signed with the same key */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    add_mac(&q, KEY_MD5, 20);
    finish_request(&q, 40000);
    checks_done = 0;
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_REPLY);
    CHECK_INT(checks_done, 1);
    CHECK(rep.authenticated);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    CHECK_INT(rep.len, 68);
    parse_reply(&rep, &ri);
    CHECK_INT(ri.auth, NTP_PACKET_AUTH_SYMMETRIC);
    CHECK_INT(ri.mac.key_id, KEY_MD5);
    CHECK_INT(digest(KEY_MD5, rep.data, 48, d, 20), 16);
    CHECK_INT(memcmp(d, rep.data + 52, 16), 0);     /* MAC covers the final transmit ts */

    /* 20-byte digests in NTPv4 */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    add_mac(&q, KEY_LONG, 20);
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_REPLY);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    CHECK_INT(rep.len, 72);

    /* a bad digest, an unknown key, no key store: no reply (chrony 4 sends
     * no crypto-NAK) */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    add_mac(&q, KEY_MD5, 20);
    q.buf[q.len - 1] ^= 1;
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_DROP_AUTH);
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    add_mac(&q, KEY_UNKNOWN, 20);
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_DROP_AUTH);
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    add_mac(&q, KEY_MD5, 20);
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_DROP_AUTH);

    /* a crypto-NAK as a request */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    memset(q.buf + 48, 0, 4);
    q.len = 52;
    finish_request(&q, 40000);
    CHECK(q.info.crypto_nak);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_DROP_AUTH);

    /* a signed KoD keeps the MAC but is not an auth hit */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    add_mac(&q, KEY_MD5, 20);
    finish_request(&q, 40000);
    q.r.kod = true;
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_REPLY);
    CHECK(!rep.authenticated);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    CHECK_INT(rep.len, 68);
}

TEST(reply_never_longer_than_request)
{
    struct ntp_server_state st;
    synced_state(&st);
    struct req q;
    struct ntp_server_reply rep;
    /* the key store signs with a longer digest than the request carried */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    uint8_t d[16];
    digest(KEY_MD5, q.buf, q.len, d, 16);
    CHECK(ntp_packet_add_mac(q.buf, sizeof q.buf, &q.len, KEY_WRONG_LENGTH, d, 16));
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_REPLY);
    CHECK(!ntp_server_finish_reply(&rep, tx_time, 1));
}

TEST(unsupported_authentication_dropped)
{
    struct ntp_server_state st;
    synced_state(&st);
    struct req q;
    struct ntp_server_reply rep;
    /* MS-SNTP would need ntp_signd */
    make_request(&q, 3, NTP_MODE_CLIENT, 6);
    uint8_t zero[16] = { 0 };
    CHECK(ntp_packet_add_mac(q.buf, sizeof q.buf, &q.len, 0x80000001u, zero, 16));
    finish_request(&q, 40000);
    CHECK_INT(q.info.auth, NTP_PACKET_AUTH_MSSNTP);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_DROP_AUTH);
    /* NTS needs server keys */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    CHECK(ntp_packet_add_ef(q.buf, sizeof q.buf, &q.len, NTP_EF_NTS_UNIQUE_IDENTIFIER,
                            zero, 16, NTP_MIN_LAST_EF_LENGTH));
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_DROP_AUTH);
}

TEST(ntpv3_long_mac)
{
    struct ntp_server_state st;
    synced_state(&st);
    struct req q;
    struct ntp_server_reply rep;
    /* NTPv3 carries the whole 32-byte digest, in the request and the reply */
    make_request(&q, 3, NTP_MODE_CLIENT, 6);
    add_mac(&q, KEY_SHA256, 64);
    finish_request(&q, 40000);
    CHECK_INT(q.info.mac.length, 36);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_REPLY);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    CHECK_INT(rep.len, 84);
    /* NTPv4 truncates it to 20 bytes both ways */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    add_mac(&q, KEY_SHA256, 20);
    finish_request(&q, 40000);
    CHECK_INT(q.info.mac.length, 24);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, &keys, &rep), NTP_SERVER_REPLY);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    CHECK_INT(rep.len, 72);
    /* an untruncated one in NTPv4 is not even a valid packet */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    add_mac(&q, KEY_SHA256, 64);
    CHECK_INT(ntp_packet_parse(q.buf, q.len, NULL, &q.info), NTP_PACKET_BAD_EXTENSION);
}

TEST(interleaved)
{
    struct ntp_server_state st;
    synced_state(&st);
    struct req q;
    struct ntp_server_reply rep;
    struct ntp_packet_info ri;
    const ntptime_ts64 our_prev_rx = { 0x11111111u, 0x22222223u };   /* bit 0 set */
    const ntptime_ts64 client_rx = { 0x33333333u, 0x44444444u };
    struct timespec prev_tx = { 1699999936, 500000000 };

    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    ntptime_ts64_write(q.buf + NTP_OFF_ORIGINATE_TS, our_prev_rx);
    ntptime_ts64_write(q.buf + NTP_OFF_RECEIVE_TS, client_rx);
    finish_request(&q, 40000);
    CHECK(ntp_server_interleaved_request(&q.info));
    q.r.interleaved_tx = &prev_tx;
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK(rep.interleaved);
    CHECK(ntp_server_finish_reply(&rep, tx_time, 1));
    parse_reply(&rep, &ri);
    /* originate = the client's receive timestamp, transmit = our previous tx */
    CHECK(ntptime_ts64_equal(ri.hdr.originate_ts, client_rx));
    CHECK_NEAR(ntptime_diff(ri.transmit_time, prev_tx), 0.0, 1.2e-7);
    CHECK_NEAR(ntptime_diff(ri.receive_time, rx_time), 0.0, 1.2e-7);
    CHECK_INT(ri.hdr.transmit_ts.lo & 1, 0);

    /* not candidates: NTPv3, our transmit timestamp as origin, rx == tx */
    make_request(&q, 3, NTP_MODE_CLIENT, 6);
    ntptime_ts64_write(q.buf + NTP_OFF_ORIGINATE_TS, our_prev_rx);
    finish_request(&q, 40000);
    CHECK(!ntp_server_interleaved_request(&q.info));
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    ntptime_ts64 even = our_prev_rx;
    even.lo &= ~1u;
    ntptime_ts64_write(q.buf + NTP_OFF_ORIGINATE_TS, even);
    finish_request(&q, 40000);
    CHECK(!ntp_server_interleaved_request(&q.info));
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    ntptime_ts64_write(q.buf + NTP_OFF_ORIGINATE_TS, our_prev_rx);
    ntptime_ts64_write(q.buf + NTP_OFF_RECEIVE_TS, client_tx);
    finish_request(&q, 40000);
    CHECK(!ntp_server_interleaved_request(&q.info));

    /* KoD replies are never interleaved */
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    ntptime_ts64_write(q.buf + NTP_OFF_ORIGINATE_TS, our_prev_rx);
    ntptime_ts64_write(q.buf + NTP_OFF_RECEIVE_TS, client_rx);
    finish_request(&q, 40000);
    q.r.interleaved_tx = &prev_tx;
    q.r.kod = true;
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &rep), NTP_SERVER_REPLY);
    CHECK(!rep.interleaved);
}

TEST(timestamp_fuzz_and_collisions)
{
    struct ntp_server_state st;
    synced_state(&st);
    st.precision = -20;
    struct req q;
    struct ntp_server_reply a, b;
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    finish_request(&q, 40000);
    q.r.random = 0;
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &a), NTP_SERVER_REPLY);
    q.r.random = ~(uint64_t)0;
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &b), NTP_SERVER_REPLY);
    /* random bits below 2^-20 s differ, the time above them does not */
    CHECK(!ntptime_ts64_equal(a.receive_ts, b.receive_ts));
    CHECK_INT(a.receive_ts.hi, b.receive_ts.hi);
    CHECK_INT(a.receive_ts.lo >> 12, b.receive_ts.lo >> 12);

    /* a receive timestamp equal to the originate timestamp is moved */
    synced_state(&st);
    st.precision = -32;                        /* no fuzz: predictable */
    ntptime_ts64 z = { 0, 0 };
    ntptime_ts64 rx = ntptime_to_ts64(rx_time, z);
    rx.lo |= 1;
    make_request(&q, 4, NTP_MODE_CLIENT, 6);
    ntptime_ts64_write(q.buf + NTP_OFF_TRANSMIT_TS, rx);
    finish_request(&q, 40000);
    CHECK_INT(ntp_server_build_reply(&q.r, &st, NULL, &a), NTP_SERVER_REPLY);
    CHECK(!ntptime_ts64_equal(a.receive_ts, rx));
    CHECK_INT(a.receive_ts.lo & 1, 1);
    CHECK_NEAR(ntptime_ts64_diff(a.receive_ts, rx), 0.0, 1e-9);
}

TEST_LIST {
    T(basic_client_reply), T(versions_copied), T(modes), T(unsynchronised_server),
    T(kiss_of_death_rate), T(poll_suggestion), T(unknown_extension_fields_ignored),
    T(symmetric_key_replies), T(reply_never_longer_than_request),
    T(unsupported_authentication_dropped), T(ntpv3_long_mac), T(interleaved),
    T(timestamp_fuzz_and_collisions),
};
TEST_MAIN
