/* ntp_server: replies to NTP clients and unknown symmetric peers. */
#include "core/ntp_server.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

/* Root delay and dispersion claimed while unsynchronised (what clients of an
 * unsynchronised chronyd see). */
#define UNSYNC_ROOT_DELAY_S 1.0
#define UNSYNC_ROOT_DISPERSION_S 1.0

/* Longest digest in a reply: NTPv4 MACs are truncated so they cannot be
 * mistaken for extension fields. */
#define V4_MAX_DIGEST (NTP_MAX_V4_MAC_LENGTH - NTP_MAC_KEY_ID_LENGTH)
#define OLD_MAX_DIGEST NTP_MAX_HASH_LENGTH

/* Bit 0 of the timestamp fraction marks our receive timestamps (1) against
 * our transmit timestamps (0), so an interleaved request can be recognised
 * without remembering every receive timestamp. */
#define RX_MARK_BIT 1U
/* Nudge applied when a fuzzed timestamp collides with another one; keeps
 * the mark bit and moves the time by 2^-31 s (under 0.5 ns). */
#define COLLISION_NUDGE 2U

void ntp_server_state_unsynchronised(struct ntp_server_state *st, int precision)
{
    memset(st, 0, sizeof *st);
    st->leap = NTP_LEAP_UNSYNC;
    st->stratum = NTP_MAX_STRATUM;
    st->refid = NTP_REFID_UNSYNC;
    st->root_delay_s = UNSYNC_ROOT_DELAY_S;
    st->root_dispersion_s = UNSYNC_ROOT_DISPERSION_S;
    st->precision = precision;
}

int ntp_server_reply_mode(const struct ntp_packet_info *req, uint16_t remote_port)
{
    switch (req->hdr.mode) {
    case NTP_MODE_CLIENT:
        return NTP_MODE_SERVER;
    case NTP_MODE_ACTIVE:
        /* an unknown symmetric peer: answer as passive, never synchronise to it */
        return NTP_MODE_PASSIVE;
    case NTP_MODE_RESERVED:
        /* NTPv1 had no mode field; a client is recognised by its port. Never
         * answer with mode 0. */
        if (req->hdr.version == 1 && remote_port != NTP_PORT)
            return NTP_MODE_SERVER;
        return -1;
    default:
        return -1;
    }
}

bool ntp_server_interleaved_request(const struct ntp_packet_info *req)
{
    return req->hdr.version == 4 && (req->hdr.originate_ts.lo & RX_MARK_BIT) &&
           !ntptime_ts64_equal(req->hdr.receive_ts, req->hdr.transmit_ts);
}

/* Verifies the request's authentication; on success says how to sign the
 * reply. */
static enum ntp_server_verdict check_auth(const struct ntp_server_request *req,
                                          const struct ntp_server_keys *keys,
                                          struct ntp_server_reply *reply)
{
    const struct ntp_packet_info *info = req->info;
    switch (info->auth) {
    case NTP_PACKET_AUTH_NONE:
        return NTP_SERVER_REPLY;
    case NTP_PACKET_AUTH_SYMMETRIC:
        break;
    default:
        /* MS-SNTP needs ntp_signd and NTS needs server keys: neither is
         * available, and chrony drops such requests then */
        return NTP_SERVER_DROP_AUTH;
    }

    if (info->mac.length < NTP_MIN_MAC_LENGTH || !keys || !keys->check || !keys->sign)
        return NTP_SERVER_DROP_AUTH;
    size_t offset = info->mac.offset;
    size_t digest_len = info->mac.length - NTP_MAC_KEY_ID_LENGTH;
    if (offset + info->mac.length > req->len)
        return NTP_SERVER_DROP_AUTH;
    size_t max_digest = info->hdr.version == 4 && info->mac.length <= NTP_MAX_V4_MAC_LENGTH
                        ? V4_MAX_DIGEST : OLD_MAX_DIGEST;
    if (!keys->check(keys->ctx, info->mac.key_id, req->data, offset,
                     req->data + offset + NTP_MAC_KEY_ID_LENGTH, digest_len, max_digest))
        return NTP_SERVER_DROP_AUTH;

    reply->sign = true;
    reply->key_id = info->mac.key_id;
    reply->keys = keys;
    reply->max_digest_len = info->hdr.version == 4 ? V4_MAX_DIGEST : OLD_MAX_DIGEST;
    reply->authenticated = true;
    return NTP_SERVER_REPLY;
}

static ntptime_ts64 nudge_if_equal(ntptime_ts64 t, ntptime_ts64 other)
{
    if (!ntptime_ts64_is_zero(t) && ntptime_ts64_equal(t, other))
        t.lo ^= COLLISION_NUDGE;
    return t;
}

static uint64_t swap_halves(uint64_t v)
{
    return v << 32 | v >> 32;
}

_Static_assert(offsetof(struct ntp_server_reply, data) == 0, "data first: see clear_reply()");

/* Every field of a reply but the packet buffer, of which only the first len
 * bytes mean anything and which is always written before it is read. */
static void clear_reply(struct ntp_server_reply *reply)
{
    size_t meta = offsetof(struct ntp_server_reply, len);
    memset((uint8_t *)reply + meta, 0, sizeof *reply - meta);
}

void ntp_server_prepare(const struct ntp_server_state *st, struct ntp_server_template *t)
{
    struct ntp_packet_header h;
    memset(&h, 0, sizeof h);
    /* version and mode are the request's business; the rest is ours */
    h.leap = st->leap;
    h.stratum = st->stratum < NTP_MAX_STRATUM ? st->stratum : NTP_INVALID_STRATUM;
    h.refid = st->refid;
    h.precision = st->precision;
    h.root_delay = ntptime_double_to_short(st->root_delay_s);
    h.root_dispersion = ntptime_double_to_short(st->root_dispersion_s);
    static const ntptime_ts64 no_fuzz = { 0, 0 };
    h.reference_ts = ntptime_to_ts64(st->ref_time, no_fuzz);
    size_t len = 0;
    ntp_packet_write_header(&h, t->header, sizeof t->header, &len);
    t->leap = st->leap;
    t->precision = st->precision;
}

enum ntp_server_verdict ntp_server_build_reply_from(const struct ntp_server_request *req,
                                                    const struct ntp_server_template *t,
                                                    const struct ntp_server_keys *keys,
                                                    struct ntp_server_reply *reply)
{
    const struct ntp_packet_info *info = req->info;
    clear_reply(reply);

    int mode = ntp_server_reply_mode(info, req->remote_port);
    if (mode < 0)
        return NTP_SERVER_DROP_MODE;
    enum ntp_server_verdict v = check_auth(req, keys, reply);
    if (v != NTP_SERVER_REPLY)
        return v;

    reply->mode = mode;
    reply->kod = req->kod;
    reply->interleaved = req->interleaved_tx != NULL && !req->kod;
    reply->precision = t->precision;
    reply->max_len = req->len;
    if (reply->kod)
        reply->authenticated = false;      /* chrony counts no auth hit for KoD */

    /* The state's part of the header comes from the template; then what
     * depends on the request. Every byte of the 48 is written. */
    uint8_t *p = reply->data;
    memcpy(p, t->header, NTP_HEADER_LENGTH);
    int leap = t->leap;
    if (req->kod) {
        leap = NTP_LEAP_UNSYNC;
        p[NTP_OFF_STRATUM] = NTP_INVALID_STRATUM;
        uint32_t refid = htonl(NTP_KOD_RATE);
        memcpy(p + NTP_OFF_REFID, &refid, sizeof refid);
    }
    /* answer in the client's version (chrony answers v1..v4 alike) */
    int version = info->hdr.version > NTP_VERSION ? NTP_VERSION : info->hdr.version;
    p[NTP_OFF_LVM] = NTP_LVM(leap, version, mode);
    /* suggest a longer polling interval to clients polling faster than the
     * rate limit allows */
    int poll = info->hdr.poll > req->min_poll ? info->hdr.poll : req->min_poll;
    p[NTP_OFF_POLL] = (uint8_t)(int8_t)poll;

    ntptime_ts64 originate = reply->interleaved ? info->hdr.receive_ts : info->hdr.transmit_ts;
    ntptime_ts64 receive = ntptime_to_ts64(req->rx_time,
                                           ntptime_fuzz(t->precision, req->random));
    if (!ntptime_ts64_is_zero(receive))
        receive.lo |= RX_MARK_BIT;
    receive = nudge_if_equal(receive, originate);

    ntptime_ts64 transmit = { 0, 0 };      /* basic mode: written when finished */
    if (reply->interleaved) {
        transmit = ntptime_to_ts64(*req->interleaved_tx,
                                   ntptime_fuzz(t->precision, swap_halves(req->random)));
        transmit.lo &= ~RX_MARK_BIT;
        transmit = nudge_if_equal(transmit, originate);
    }
    ntptime_ts64_write(p + NTP_OFF_ORIGINATE_TS, originate);
    ntptime_ts64_write(p + NTP_OFF_RECEIVE_TS, receive);
    ntptime_ts64_write(p + NTP_OFF_TRANSMIT_TS, transmit);

    reply->receive_ts = receive;
    reply->transmit_ts = transmit;
    reply->len = NTP_HEADER_LENGTH;
    if (reply->len > reply->max_len)
        return NTP_SERVER_DROP_LENGTH;
    return NTP_SERVER_REPLY;
}

enum ntp_server_verdict ntp_server_build_reply(const struct ntp_server_request *req,
                                               const struct ntp_server_state *st,
                                               const struct ntp_server_keys *keys,
                                               struct ntp_server_reply *reply)
{
    struct ntp_server_template t;
    ntp_server_prepare(st, &t);
    return ntp_server_build_reply_from(req, &t, keys, reply);
}

bool ntp_server_finish_reply(struct ntp_server_reply *reply, struct timespec tx_time,
                             uint64_t random)
{
    if (reply->finished || reply->len < NTP_HEADER_LENGTH)
        return false;
    reply->finished = true;

    if (!reply->interleaved) {
        ntptime_ts64 tx = ntptime_to_ts64(tx_time, ntptime_fuzz(reply->precision, random));
        tx.lo &= ~RX_MARK_BIT;
        ntptime_ts64 orig = ntptime_ts64_read(reply->data + NTP_OFF_ORIGINATE_TS);
        tx = nudge_if_equal(tx, orig);
        ntp_packet_set_transmit(reply->data, tx);
        reply->transmit_ts = tx;
    }

    if (reply->sign) {
        uint8_t digest[NTP_MAX_HASH_LENGTH];
        size_t n = reply->keys->sign(reply->keys->ctx, reply->key_id, reply->data, reply->len,
                                     digest, reply->max_digest_len);
        if (n < NTP_MIN_MAC_DIGEST_LENGTH || n > reply->max_digest_len)
            return false;
        if (!ntp_packet_add_mac(reply->data, sizeof reply->data, &reply->len, reply->key_id,
                                digest, n))
            return false;
    }
    return reply->len <= reply->max_len;
}
