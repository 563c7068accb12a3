#include "harness.h"
#include "core/ntp_packet.h"

#include <stdlib.h>

/* Parses a heap copy of exactly len bytes, so the sanitizer build catches
 * any read past the end. */
static enum ntp_packet_error parse(const uint8_t *data, size_t len, struct ntp_packet_info *info)
{
    uint8_t *copy = calloc(1, len ? len : 1);
    memcpy(copy, data, len);
    enum ntp_packet_error e = ntp_packet_parse(copy, len, NULL, info);
    free(copy);
    return e;
}

/* A client request header in buf[0..48). */
static void request(uint8_t *buf, int version, int mode)
{
    memset(buf, 0, NTP_HEADER_LENGTH);
    buf[0] = NTP_LVM(0, version, mode);
    buf[2] = 6;                 /* poll */
    buf[3] = 0xe8;              /* precision -24 */
    for (int i = 0; i < 8; i++)
        buf[NTP_OFF_TRANSMIT_TS + i] = (uint8_t)(0x11 * (i + 1));
}

static void put_ef(uint8_t *p, uint16_t type, uint16_t length)
{
    memset(p, 0xab, length >= 4 ? length : 4);
    p[0] = (uint8_t)(type >> 8); p[1] = (uint8_t)type;
    p[2] = (uint8_t)(length >> 8); p[3] = (uint8_t)length;
}

static void put_key(uint8_t *p, uint32_t key_id, size_t digest_len, uint8_t fill)
{
    p[0] = (uint8_t)(key_id >> 24); p[1] = (uint8_t)(key_id >> 16);
    p[2] = (uint8_t)(key_id >> 8); p[3] = (uint8_t)key_id;
    memset(p + 4, fill, digest_len);
}

TEST(plain_request)
{
    uint8_t b[NTP_HEADER_LENGTH];
    struct ntp_packet_info info;
    request(b, 4, NTP_MODE_CLIENT);
    b[1] = 2;
    b[4] = 0x00; b[5] = 0x01; b[6] = 0x80; b[7] = 0x00;    /* root delay 1.5 s */
    b[12] = 'G'; b[13] = 'P'; b[14] = 'S'; b[15] = 0;
    CHECK_INT(parse(b, sizeof b, &info), NTP_PACKET_OK);
    CHECK_INT(info.hdr.version, 4);
    CHECK_INT(info.hdr.mode, NTP_MODE_CLIENT);
    CHECK_INT(info.hdr.leap, NTP_LEAP_NORMAL);
    CHECK_INT(info.hdr.stratum, 2);
    CHECK_INT(info.hdr.poll, 6);
    CHECK_INT(info.hdr.precision, -24);
    CHECK_NEAR(info.root_delay_s, 1.5, 0);
    CHECK_INT(info.hdr.refid, 0x47505300);
    CHECK_INT(info.hdr.transmit_ts.hi, 0x11223344u);
    CHECK_INT(info.hdr.transmit_ts.lo, 0x55667788u);
    CHECK(ntptime_ts64_is_zero(info.hdr.originate_ts));
    CHECK(ntptime_is_zero(info.originate_time));
    CHECK_INT(info.n_efs, 0);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_NONE);
    CHECK_INT(info.length, 48);
}

TEST(lengths)
{
    uint8_t b[NTP_MAX_PACKET_LENGTH + 8];
    struct ntp_packet_info info;
    memset(b, 0, sizeof b);
    request(b, 4, NTP_MODE_CLIENT);
    CHECK_INT(parse(b, 0, &info), NTP_PACKET_TOO_SHORT);
    CHECK_INT(parse(b, 47, &info), NTP_PACKET_TOO_SHORT);
    CHECK_INT(parse(b, 50, &info), NTP_PACKET_BAD_LENGTH);
    CHECK_INT(parse(b, 49, &info), NTP_PACKET_BAD_LENGTH);
    CHECK_INT(parse(b, NTP_MAX_PACKET_LENGTH + 4, &info), NTP_PACKET_TOO_LONG);
    CHECK_INT(NTP_MAX_PACKET_LENGTH, 1140);
    CHECK_STR(ntp_packet_error_name(NTP_PACKET_TOO_SHORT), "too short");
    CHECK_STR(ntp_packet_error_name((enum ntp_packet_error)99), "unknown");
}

TEST(versions)
{
    uint8_t b[NTP_HEADER_LENGTH];
    struct ntp_packet_info info;
    for (int v = 0; v < 8; v++) {
        request(b, v, NTP_MODE_CLIENT);
        enum ntp_packet_error e = parse(b, sizeof b, &info);
        if (v >= 1 && v <= 4)
            CHECK_INT(e, NTP_PACKET_OK);
        else
            CHECK_INT(e, NTP_PACKET_BAD_VERSION);
    }
    /* the mode is reported, not judged: the server decides what it answers */
    request(b, 4, NTP_MODE_PRIVATE);
    CHECK_INT(parse(b, sizeof b, &info), NTP_PACKET_OK);
    CHECK_INT(info.hdr.mode, NTP_MODE_PRIVATE);
}

TEST(v4_mac)
{
    uint8_t b[NTP_HEADER_LENGTH + NTP_MAX_MAC_LENGTH];
    struct ntp_packet_info info;
    request(b, 4, NTP_MODE_CLIENT);
    put_key(b + 48, 7, 16, 0x5a);                      /* MD5 */
    CHECK_INT(parse(b, 68, &info), NTP_PACKET_OK);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_SYMMETRIC);
    CHECK_INT(info.mac.key_id, 7);
    CHECK_INT(info.mac.offset, 48);
    CHECK_INT(info.mac.length, 20);
    CHECK(!info.crypto_nak);
    put_key(b + 48, 0xfffffff0u, 20, 0x5a);            /* SHA1 */
    CHECK_INT(parse(b, 72, &info), NTP_PACKET_OK);
    CHECK_INT(info.mac.length, 24);
    CHECK_INT(info.mac.key_id, 0xfffffff0u);
    /* untruncated SHA-512 cannot be told from a field in NTPv4: the key ID
     * reads as a field of length 1 */
    put_key(b + 48, 1, 64, 0x5a);
    CHECK_INT(parse(b, 48 + 68, &info), NTP_PACKET_BAD_EXTENSION);
    /* 8 or 16 bytes are neither a MAC nor a field */
    put_key(b + 48, 1, 12, 0x5a);
    CHECK_INT(parse(b, 56, &info), NTP_PACKET_BAD_EXTENSION);
    CHECK_INT(parse(b, 64, &info), NTP_PACKET_BAD_EXTENSION);
}

TEST(crypto_nak)
{
    uint8_t b[52];
    struct ntp_packet_info info;
    request(b, 4, NTP_MODE_SERVER);
    memset(b + 48, 0, 4);
    CHECK_INT(parse(b, 52, &info), NTP_PACKET_OK);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_SYMMETRIC);
    CHECK(info.crypto_nak);
    CHECK_INT(info.mac.key_id, 0);
    CHECK_INT(info.mac.length, 4);
    b[51] = 1;                                         /* a non-zero lone key ID */
    CHECK_INT(parse(b, 52, &info), NTP_PACKET_BAD_EXTENSION);
}

TEST(v3_mac_and_mssntp)
{
    uint8_t b[NTP_HEADER_LENGTH + NTP_MAX_MAC_LENGTH + 8];
    struct ntp_packet_info info;
    request(b, 3, NTP_MODE_CLIENT);
    /* NTPv3 takes everything after the header as a MAC, even a long one */
    put_key(b + 48, 9, 64, 0x77);
    CHECK_INT(parse(b, 48 + 68, &info), NTP_PACKET_OK);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_SYMMETRIC);
    CHECK_INT(info.mac.length, 68);
    CHECK_INT(info.mac.key_id, 9);
    /* MS-SNTP: non-zero key ID, zero digest */
    put_key(b + 48, 0x1234, 16, 0);
    CHECK_INT(parse(b, 68, &info), NTP_PACKET_OK);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_MSSNTP);
    put_key(b + 48, 0x1234, 16, 1);
    CHECK_INT(parse(b, 68, &info), NTP_PACKET_OK);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_SYMMETRIC);
    /* extended authenticator: 72 bytes, zero after the first 8 */
    put_key(b + 48, 0x1234, 68, 0);
    b[52] = 0x11;                                      /* flags word may be set */
    CHECK_INT(parse(b, 48 + 72, &info), NTP_PACKET_OK);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_MSSNTP_EXT);
    /* in NTPv2 it is just a MAC */
    request(b, 2, NTP_MODE_CLIENT);
    put_key(b + 48, 0x1234, 16, 0);
    CHECK_INT(parse(b, 68, &info), NTP_PACKET_OK);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_SYMMETRIC);
}

TEST(extension_fields)
{
    uint8_t b[256];
    struct ntp_packet_info info;
    request(b, 4, NTP_MODE_CLIENT);

    /* one 28-byte field, no MAC */
    put_ef(b + 48, 0x2001, 28);
    CHECK_INT(parse(b, 76, &info), NTP_PACKET_OK);
    CHECK_INT(info.n_efs, 1);
    CHECK_INT(info.efs[0].type, 0x2001);
    CHECK_INT(info.efs[0].length, 28);
    CHECK_INT(info.efs[0].offset, 48);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_NONE);

    /* a 16-byte field followed by a 24-byte MAC */
    put_ef(b + 48, 0x2002, 16);
    put_key(b + 64, 3, 20, 0x42);
    CHECK_INT(parse(b, 88, &info), NTP_PACKET_OK);
    CHECK_INT(info.n_efs, 1);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_SYMMETRIC);
    CHECK_INT(info.mac.offset, 64);
    CHECK_INT(info.mac.key_id, 3);

    /* two fields then a 20-byte MAC */
    put_ef(b + 48, 0x2003, 32);
    put_ef(b + 80, 0x2004, 16);
    put_key(b + 96, 4, 16, 0x42);
    CHECK_INT(parse(b, 116, &info), NTP_PACKET_OK);
    CHECK_INT(info.n_efs, 2);
    CHECK_INT(info.efs[1].type, 0x2004);
    CHECK_INT(info.efs[1].offset, 80);
    CHECK_INT(info.mac.offset, 96);

    /* a lone 16-byte field is too short to be the last one */
    put_ef(b + 48, 0x2005, 16);
    CHECK_INT(parse(b, 64, &info), NTP_PACKET_BAD_EXTENSION);
    /* a lone 20- or 24-byte block is taken for a MAC, as RFC 7822 says */
    put_ef(b + 48, 0x2005, 24);
    CHECK_INT(parse(b, 72, &info), NTP_PACKET_OK);
    CHECK_INT(info.n_efs, 0);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_SYMMETRIC);

    /* malformed length fields */
    put_ef(b + 48, 0x2006, 0);
    CHECK_INT(parse(b, 76, &info), NTP_PACKET_BAD_EXTENSION);
    put_ef(b + 48, 0x2006, 12);
    CHECK_INT(parse(b, 76, &info), NTP_PACKET_BAD_EXTENSION);
    put_ef(b + 48, 0x2006, 30);
    CHECK_INT(parse(b, 80, &info), NTP_PACKET_BAD_EXTENSION);
    put_ef(b + 48, 0x2006, 32);                        /* longer than the packet */
    CHECK_INT(parse(b, 76, &info), NTP_PACKET_BAD_EXTENSION);
    /* a field leaving 12 bytes that are neither field nor MAC */
    put_ef(b + 48, 0x2007, 28);
    memset(b + 76, 0, 12);
    CHECK_INT(parse(b, 88, &info), NTP_PACKET_BAD_EXTENSION);

    /* NTS fields mark the packet as NTS-authenticated */
    put_ef(b + 48, NTP_EF_NTS_UNIQUE_IDENTIFIER, 36);
    CHECK_INT(parse(b, 84, &info), NTP_PACKET_OK);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_NTS);

    /* NTPv3 has no fields: the same bytes are a MAC */
    b[0] = NTP_LVM(0, 3, NTP_MODE_CLIENT);
    put_ef(b + 48, 0x2001, 28);
    CHECK_INT(parse(b, 76, &info), NTP_PACKET_OK);
    CHECK_INT(info.n_efs, 0);
    CHECK_INT(info.auth, NTP_PACKET_AUTH_SYMMETRIC);
    CHECK_INT(info.mac.length, 28);
}

TEST(many_fields)
{
    uint8_t b[NTP_MAX_PACKET_LENGTH];
    struct ntp_packet_info info;
    size_t len = 0;
    struct ntp_packet_header h = { .version = 4, .mode = NTP_MODE_CLIENT };
    CHECK(ntp_packet_write_header(&h, b, sizeof b, &len));
    /* fill the packet with minimum-size fields, then end with a MAC */
    while (len + NTP_MIN_EF_LENGTH + NTP_MIN_MAC_LENGTH <= sizeof b)
        CHECK(ntp_packet_add_ef(b, sizeof b, &len, 0x3000, NULL, 0, NTP_MIN_EF_LENGTH));
    uint8_t digest[16] = { 1 };
    CHECK(ntp_packet_add_mac(b, sizeof b, &len, 5, digest, sizeof digest));
    CHECK_INT(parse(b, len, &info), NTP_PACKET_OK);
    CHECK_INT(info.n_efs, (int)((len - 48 - 20) / 16));
    CHECK(info.n_efs <= NTP_PACKET_MAX_EFS);
    CHECK_INT(info.mac.key_id, 5);
}

TEST(build_round_trip)
{
    uint8_t b[NTP_MAX_PACKET_LENGTH];
    size_t len = 0;
    struct ntp_packet_header h = {
        .leap = NTP_LEAP_INSERT, .version = 4, .mode = NTP_MODE_SERVER, .stratum = 3,
        .poll = -3, .precision = -25, .root_delay = 0x00012345, .root_dispersion = 0x00000042,
        .refid = 0xc0a80001, .reference_ts = { 0xe0000000u, 1 }, .originate_ts = { 2, 3 },
        .receive_ts = { 4, 5 }, .transmit_ts = { 6, 7 },
    };
    CHECK(ntp_packet_write_header(&h, b, sizeof b, &len));
    CHECK_INT(len, 48);
    CHECK_INT(b[0], 0x64);                 /* 01 100 100 */
    CHECK_INT(b[2], 0xfd);
    const char body[] = "hello";
    CHECK(ntp_packet_add_ef(b, sizeof b, &len, 0x4001, body, 5, NTP_MIN_EF_LENGTH));
    CHECK_INT(len, 64);                    /* padded to the 16-byte minimum */
    uint8_t big[30];
    memset(big, 0xcc, sizeof big);
    CHECK(ntp_packet_add_ef(b, sizeof b, &len, 0x4002, big, sizeof big, NTP_MIN_EF_LENGTH));
    CHECK_INT(len, 100);                   /* 4 + 30 rounded up to 36 */
    CHECK_INT(b[64 + 4 + 30], 0);          /* padding is zero */
    uint8_t digest[20];
    memset(digest, 0x99, sizeof digest);
    CHECK(ntp_packet_add_mac(b, sizeof b, &len, 0x01020304, digest, sizeof digest));
    CHECK_INT(len, 124);

    struct ntp_packet_info info;
    CHECK_INT(parse(b, len, &info), NTP_PACKET_OK);
    CHECK_INT(info.hdr.leap, NTP_LEAP_INSERT);
    CHECK_INT(info.hdr.mode, NTP_MODE_SERVER);
    CHECK_INT(info.hdr.stratum, 3);
    CHECK_INT(info.hdr.poll, -3);
    CHECK_INT(info.hdr.precision, -25);
    CHECK_INT(info.hdr.root_delay, 0x00012345);
    CHECK_INT(info.hdr.root_dispersion, 0x42);
    CHECK_INT(info.hdr.refid, 0xc0a80001u);
    CHECK(ntptime_ts64_equal(info.hdr.reference_ts, h.reference_ts));
    CHECK(ntptime_ts64_equal(info.hdr.originate_ts, h.originate_ts));
    CHECK(ntptime_ts64_equal(info.hdr.receive_ts, h.receive_ts));
    CHECK(ntptime_ts64_equal(info.hdr.transmit_ts, h.transmit_ts));
    CHECK_INT(info.n_efs, 2);
    CHECK_INT(info.efs[0].type, 0x4001);
    CHECK_INT(info.efs[1].length, 36);
    CHECK_INT(memcmp(b + info.efs[0].offset + 4, "hello", 5), 0);
    CHECK_INT(info.mac.key_id, 0x01020304);
    CHECK_INT(info.mac.offset, 100);

    ntptime_ts64 tx = { 0xdeadbeefu, 0x12345678u };
    ntp_packet_set_transmit(b, tx);
    CHECK_INT(parse(b, len, &info), NTP_PACKET_OK);
    CHECK(ntptime_ts64_equal(info.hdr.transmit_ts, tx));
}

TEST(build_limits)
{
    uint8_t b[64];
    size_t len = 0;
    struct ntp_packet_header h = { .version = 4, .mode = NTP_MODE_CLIENT };
    CHECK(!ntp_packet_write_header(&h, b, 40, &len));
    CHECK_INT(len, 0);
    CHECK(ntp_packet_write_header(&h, b, sizeof b, &len));
    /* a field that does not fit leaves the packet as it was */
    CHECK(!ntp_packet_add_ef(b, sizeof b, &len, 1, NULL, 0, NTP_MIN_LAST_EF_LENGTH));
    CHECK_INT(len, 48);
    CHECK(ntp_packet_add_ef(b, sizeof b, &len, 1, NULL, 0, NTP_MIN_EF_LENGTH));
    CHECK_INT(len, 64);
    uint8_t d[16] = { 0 };
    CHECK(!ntp_packet_add_mac(b, sizeof b, &len, 1, d, sizeof d));
    CHECK_INT(len, 64);
    /* digest lengths outside 16..64 are refused */
    uint8_t big[NTP_MAX_PACKET_LENGTH];
    len = 48;
    memcpy(big, b, 48);
    CHECK(!ntp_packet_add_mac(big, sizeof big, &len, 1, d, 12));
    CHECK(!ntp_packet_add_mac(big, sizeof big, &len, 1, big, 68));
    CHECK_INT(len, 48);
    /* the last-field minimum makes a lone field parseable */
    CHECK(ntp_packet_add_ef(big, sizeof big, &len, 7, NULL, 0, NTP_MIN_LAST_EF_LENGTH));
    CHECK_INT(len, 76);
    struct ntp_packet_info info;
    CHECK_INT(parse(big, len, &info), NTP_PACKET_OK);
    CHECK_INT(info.n_efs, 1);
}

TEST(era_of_timestamps)
{
    uint8_t b[NTP_HEADER_LENGTH];
    struct ntp_packet_info info;
    request(b, 4, NTP_MODE_CLIENT);
    struct timespec t2040 = { 2208988800LL, 250000000 };     /* 2040-01-01 */
    ntptime_ts64 z = { 0, 0 };
    ntptime_ts64_write(b + NTP_OFF_TRANSMIT_TS, ntptime_to_ts64(t2040, z));
    CHECK_INT(ntp_packet_parse(b, sizeof b, NULL, &info), NTP_PACKET_OK);
    CHECK_INT(info.transmit_time.tv_sec, 2208988800LL);
    CHECK_INT(info.transmit_time.tv_nsec, 250000000);
    struct timespec ref = { 2200000000LL, 0 };
    CHECK_INT(ntp_packet_parse(b, sizeof b, &ref, &info), NTP_PACKET_OK);
    CHECK_INT(info.transmit_time.tv_sec, 2208988800LL);
    CHECK(ntptime_is_zero(info.receive_time));
}

TEST(random_buffers_do_not_crash)
{
    /* deterministic pseudo-random junk of every length; the parser must
     * return, and every offset it reports must lie inside the packet */
    uint32_t x = 12345;
    uint8_t b[NTP_MAX_PACKET_LENGTH + 4];
    int bad = 0;
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)(round * 7) % sizeof b;
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            b[i] = (uint8_t)(x >> 16);
        }
        if (len >= 1)
            b[0] = (uint8_t)((b[0] & 0xc7) | (4 << 3));
        /* make some of them start with plausible fields */
        if (len > 52 && round % 2) {
            b[48] = 0; b[49] = 1; b[50] = 0; b[51] = (uint8_t)(16 + (round % 5) * 4);
        }
        struct ntp_packet_info info;
        if (parse(b, len, &info) != NTP_PACKET_OK)
            continue;
        for (int i = 0; i < info.n_efs; i++)
            if (info.efs[i].offset + info.efs[i].length > len)
                bad++;
        if (info.auth == NTP_PACKET_AUTH_SYMMETRIC && info.mac.offset + info.mac.length != len)
            bad++;
    }
    CHECK_INT(bad, 0);
}

TEST_LIST {
    T(plain_request), T(lengths), T(versions), T(v4_mac), T(crypto_nak),
    T(v3_mac_and_mssntp), T(extension_fields), T(many_fields), T(build_round_trip),
    T(build_limits), T(era_of_timestamps), T(random_buffers_do_not_crash),
};
TEST_MAIN
