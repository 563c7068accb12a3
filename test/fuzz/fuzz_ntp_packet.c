/* fuzz_ntp_packet: libFuzzer target for the NTP packet parser and the server
 * reply builder fed with what it parsed. Besides the sanitizers, it traps on
 * broken invariants: reported offsets outside the packet, a header that does
 * not write back to the same bytes, a reply that does not parse, is longer
 * than the request or does not echo the request's timestamps; a raw parse
 * (the server's) that differs from the full one, or a reply built from a
 * per-batch template (the daemon's path) that differs from the plain one. */
#include <stdint.h>
#include <string.h>

#include "core/ntp_packet.h"
#include "core/ntp_server.h"

#define REQUIRE(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* A key store that knows keys 1..9, accepts a digest whose first byte equals
 * the key ID and signs with a digest of the allowed length. */
static bool fuzz_check(void *ctx, uint32_t key_id, const uint8_t *data, size_t len,
                       const uint8_t *digest, size_t digest_len, size_t max_digest_len)
{
    (void)ctx; (void)data; (void)len;
    REQUIRE(digest_len >= NTP_MIN_MAC_DIGEST_LENGTH);
    return key_id >= 1 && key_id <= 9 && digest_len <= max_digest_len && digest[0] == key_id;
}

static size_t fuzz_sign(void *ctx, uint32_t key_id, const uint8_t *data, size_t len,
                        uint8_t *out, size_t max_len)
{
    (void)ctx; (void)data;
    REQUIRE(len >= NTP_HEADER_LENGTH && len <= NTP_MAX_PACKET_LENGTH);
    size_t n = key_id % 2 ? 16 : 20;
    if (n > max_len)
        n = max_len;
    memset(out, (int)key_id, n);
    return n;
}

static const struct ntp_server_keys keys = { NULL, fuzz_check, fuzz_sign };

static void check_parse(const uint8_t *data, size_t size, const struct ntp_packet_info *info)
{
    REQUIRE(info->length == size);
    REQUIRE(info->n_efs >= 0 && info->n_efs <= NTP_PACKET_MAX_EFS);
    size_t end = NTP_HEADER_LENGTH;
    for (int i = 0; i < info->n_efs; i++) {
        const struct ntp_packet_ef *ef = &info->efs[i];
        REQUIRE(ef->offset == end);
        REQUIRE(ef->length >= NTP_MIN_EF_LENGTH && ef->length % 4 == 0);
        end += ef->length;
        REQUIRE(end <= size);
    }
    if (info->auth == NTP_PACKET_AUTH_SYMMETRIC || info->auth == NTP_PACKET_AUTH_MSSNTP ||
        info->auth == NTP_PACKET_AUTH_MSSNTP_EXT) {
        REQUIRE(info->mac.offset == end);
        REQUIRE((size_t)info->mac.offset + info->mac.length == size);
    } else {
        REQUIRE(end == size);
    }

    /* the header writes back to the same bytes */
    uint8_t hdr[NTP_HEADER_LENGTH];
    size_t len = 0;
    REQUIRE(ntp_packet_write_header(&info->hdr, hdr, sizeof hdr, &len));
    REQUIRE(len == NTP_HEADER_LENGTH && memcmp(hdr, data, NTP_HEADER_LENGTH) == 0);
}

static void check_reply(const struct ntp_packet_info *req, const struct ntp_server_reply *rep,
                        size_t req_len)
{
    struct ntp_packet_info ri;
    REQUIRE(rep->len <= req_len);
    REQUIRE(ntp_packet_parse(rep->data, rep->len, NULL, &ri) == NTP_PACKET_OK);
    REQUIRE(ri.hdr.mode == NTP_MODE_SERVER || ri.hdr.mode == NTP_MODE_PASSIVE);
    REQUIRE(ri.hdr.version == req->hdr.version);
    REQUIRE(ri.n_efs == 0);
    if (rep->interleaved)
        REQUIRE(ntptime_ts64_equal(ri.hdr.originate_ts, req->hdr.receive_ts));
    else
        REQUIRE(ntptime_ts64_equal(ri.hdr.originate_ts, req->hdr.transmit_ts));
    REQUIRE((ri.hdr.receive_ts.lo & 1) == 1);
    REQUIRE((ri.hdr.transmit_ts.lo & 1) == 0);
    if (rep->kod)
        REQUIRE(ri.hdr.stratum == 0 && ri.hdr.refid == NTP_KOD_RATE);
    REQUIRE((ri.auth == NTP_PACKET_AUTH_SYMMETRIC) == (req->auth == NTP_PACKET_AUTH_SYMMETRIC));
}

/* ntp_packet_parse_raw() sets what ntp_packet_parse() sets, but the
 * converted values, which it leaves zero. */
static void check_raw_parse(const uint8_t *data, size_t size, enum ntp_packet_error err,
                            const struct ntp_packet_info *info)
{
    struct ntp_packet_info raw;
    memset(&raw, 0xa5, sizeof raw);
    REQUIRE(ntp_packet_parse_raw(data, size, &raw) == err);
    REQUIRE(raw.length == info->length);
    REQUIRE(memcmp(&raw.hdr, &info->hdr, sizeof raw.hdr) == 0);
    REQUIRE(raw.n_efs == info->n_efs);
    for (int i = 0; i < raw.n_efs; i++)
        REQUIRE(raw.efs[i].type == info->efs[i].type && raw.efs[i].length == info->efs[i].length &&
                raw.efs[i].offset == info->efs[i].offset);
    REQUIRE(raw.auth == info->auth && raw.crypto_nak == info->crypto_nak);
    REQUIRE(raw.mac.offset == info->mac.offset && raw.mac.length == info->mac.length &&
            raw.mac.key_id == info->mac.key_id);
    REQUIRE(raw.root_delay_s == 0.0 && raw.root_dispersion_s == 0.0);
    REQUIRE(raw.reference_time.tv_sec == 0 && raw.reference_time.tv_nsec == 0);
    REQUIRE(raw.originate_time.tv_sec == 0 && raw.originate_time.tv_nsec == 0);
    REQUIRE(raw.receive_time.tv_sec == 0 && raw.receive_time.tv_nsec == 0);
    REQUIRE(raw.transmit_time.tv_sec == 0 && raw.transmit_time.tv_nsec == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ntp_packet_info info;
    enum ntp_packet_error err = ntp_packet_parse(data, size, NULL, &info);
    REQUIRE(ntp_packet_error_name(err) != NULL);
    check_raw_parse(data, size, err, &info);
    if (err != NTP_PACKET_OK)
        return 0;
    check_parse(data, size, &info);

    /* the last bytes of the input steer the server's options */
    uint8_t knobs = data[size - 1];
    struct ntp_server_state st;
    if (knobs & 1) {
        ntp_server_state_unsynchronised(&st, -20);
    } else {
        memset(&st, 0, sizeof st);
        st.stratum = 1 + knobs % 20;
        st.refid = 0x47505300;
        st.ref_time.tv_sec = 1700000000;
        st.root_delay_s = 0.001 * knobs;
        st.root_dispersion_s = 0.0001 * knobs;
        st.precision = -(int)(knobs % 40);
    }
    struct timespec rx = { 1700000000 + knobs, 999999999 };
    struct timespec prev_tx = { 1699999999, (long)knobs * 1000 };
    struct ntp_server_request req = {
        .data = data, .len = size, .info = &info, .remote_port = knobs & 2 ? 123 : 40000,
        .rx_time = rx, .kod = (knobs & 4) != 0, .min_poll = (int)(knobs % 32) - 19,
        .interleaved_tx = (knobs & 8) && ntp_server_interleaved_request(&info) ? &prev_tx : NULL,
        .random = (uint64_t)knobs * 0x9e3779b97f4a7c15ULL,
    };
    static struct ntp_server_reply rep, rep2;
    const struct ntp_server_keys *k = knobs & 16 ? NULL : &keys;
    enum ntp_server_verdict v = ntp_server_build_reply(&req, &st, k, &rep);

    /* the daemon's path: a template for the batch, a reply buffer full of
     * what the previous request left there */
    struct ntp_server_template tmpl;
    ntp_server_prepare(&st, &tmpl);
    memset(rep2.data, knobs, sizeof rep2.data);
    REQUIRE(ntp_server_build_reply_from(&req, &tmpl, k, &rep2) == v);

    if (v != NTP_SERVER_REPLY)
        return 0;
    REQUIRE(ntp_server_reply_mode(&info, req.remote_port) == rep.mode);
    struct timespec tx = { rx.tv_sec + 1, 5 };
    bool finished = ntp_server_finish_reply(&rep, tx, ~(uint64_t)knobs);
    REQUIRE(ntp_server_finish_reply(&rep2, tx, ~(uint64_t)knobs) == finished);
    if (finished) {
        check_reply(&info, &rep, size);
        REQUIRE(rep2.len == rep.len && memcmp(rep2.data, rep.data, rep.len) == 0);
        REQUIRE(rep2.mode == rep.mode && rep2.kod == rep.kod &&
                rep2.interleaved == rep.interleaved && rep2.authenticated == rep.authenticated);
    }
    return 0;
}
