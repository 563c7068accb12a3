/* ntp_packet: NTP packet parsing and building. */
#include "core/ntp_packet.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(struct ntp_wire_header) == NTP_HEADER_LENGTH, "header size");
_Static_assert(offsetof(struct ntp_wire_header, root_delay) == NTP_OFF_ROOT_DELAY, "layout");
_Static_assert(offsetof(struct ntp_wire_header, refid) == NTP_OFF_REFID, "layout");
_Static_assert(offsetof(struct ntp_wire_header, reference_ts) == NTP_OFF_REFERENCE_TS, "layout");
_Static_assert(offsetof(struct ntp_wire_header, transmit_ts) == NTP_OFF_TRANSMIT_TS, "layout");
_Static_assert(NTP_MAX_PACKET_LENGTH <= UINT16_MAX, "offsets fit in uint16_t");

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return ntohl(v);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, sizeof v);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static bool is_nts_ef(uint16_t type)
{
    return type == NTP_EF_NTS_UNIQUE_IDENTIFIER || type == NTP_EF_NTS_COOKIE ||
           type == NTP_EF_NTS_COOKIE_PLACEHOLDER || type == NTP_EF_NTS_AUTH_AND_EEF;
}

bool ntp_packet_read_header(const uint8_t *data, size_t len, struct ntp_packet_header *hdr)
{
    if (len < NTP_HEADER_LENGTH)
        return false;
    uint8_t lvm = data[NTP_OFF_LVM];
    hdr->leap = NTP_LVM_LEAP(lvm);
    hdr->version = NTP_LVM_VERSION(lvm);
    hdr->mode = NTP_LVM_MODE(lvm);
    hdr->stratum = data[NTP_OFF_STRATUM];
    hdr->poll = (int8_t)data[NTP_OFF_POLL];
    hdr->precision = (int8_t)data[NTP_OFF_PRECISION];
    hdr->root_delay = get32(data + NTP_OFF_ROOT_DELAY);
    hdr->root_dispersion = get32(data + NTP_OFF_ROOT_DISPERSION);
    hdr->refid = get32(data + NTP_OFF_REFID);
    hdr->reference_ts = ntptime_ts64_read(data + NTP_OFF_REFERENCE_TS);
    hdr->originate_ts = ntptime_ts64_read(data + NTP_OFF_ORIGINATE_TS);
    hdr->receive_ts = ntptime_ts64_read(data + NTP_OFF_RECEIVE_TS);
    hdr->transmit_ts = ntptime_ts64_read(data + NTP_OFF_TRANSMIT_TS);
    return true;
}

static void set_mac(struct ntp_packet_info *info, const uint8_t *data, size_t offset,
                    size_t length)
{
    info->mac.offset = (uint16_t)offset;
    info->mac.length = (uint16_t)length;
    info->mac.key_id = get32(data + offset);
}

/* NTPv3 and older have no extension fields: whatever follows the header is
 * a MAC, possibly an MS-SNTP authenticator (non-zero key ID, zero digest). */
static enum ntp_packet_error parse_v3_trailer(const uint8_t *data, struct ntp_packet_info *info)
{
    size_t rest = info->length - NTP_HEADER_LENGTH;
    info->auth = NTP_PACKET_AUTH_SYMMETRIC;
    set_mac(info, data, NTP_HEADER_LENGTH, rest);
    if (info->hdr.version == 3 && info->mac.key_id != 0) {
        const uint8_t *mac = data + NTP_HEADER_LENGTH;
        if (rest == NTP_MSSNTP_LENGTH && all_zero(mac + 4, rest - 4))
            info->auth = NTP_PACKET_AUTH_MSSNTP;
        else if (rest == NTP_MSSNTP_EXT_LENGTH && all_zero(mac + 8, rest - 8))
            info->auth = NTP_PACKET_AUTH_MSSNTP_EXT;
    }
    return NTP_PACKET_OK;
}

/* NTPv4 (RFC 7822): extension fields, then optionally a MAC of 20..24 bytes.
 * Any remainder in that range is the MAC; anything longer must be a field. */
static enum ntp_packet_error parse_v4_trailer(const uint8_t *data, struct ntp_packet_info *info)
{
    size_t pos = NTP_HEADER_LENGTH;
    size_t rest = info->length - pos;

    if (rest == NTP_CRYPTO_NAK_LENGTH && get32(data + pos) == 0) {
        info->auth = NTP_PACKET_AUTH_SYMMETRIC;
        info->crypto_nak = true;
        set_mac(info, data, pos, rest);
        return NTP_PACKET_OK;
    }

    while (rest > 0) {
        if (rest >= NTP_MIN_MAC_LENGTH && rest <= NTP_MAX_V4_MAC_LENGTH)
            break;
        if (rest <= NTP_MAX_V4_MAC_LENGTH)
            return NTP_PACKET_BAD_EXTENSION;   /* too short for a field or a MAC */
        uint16_t type = get16(data + pos);
        uint16_t length = get16(data + pos + 2);
        if (length < NTP_MIN_EF_LENGTH || length > rest || length % 4 != 0)
            return NTP_PACKET_BAD_EXTENSION;
        if (info->n_efs < NTP_PACKET_MAX_EFS) {
            struct ntp_packet_ef *ef = &info->efs[info->n_efs++];
            ef->type = type;
            ef->length = length;
            ef->offset = (uint16_t)pos;
        }
        if (is_nts_ef(type))
            info->auth = NTP_PACKET_AUTH_NTS;
        pos += length;
        rest -= length;
    }

    if (rest > 0) {
        info->auth = NTP_PACKET_AUTH_SYMMETRIC;
        set_mac(info, data, pos, rest);
    }
    return NTP_PACKET_OK;
}

/* Everything but the converted values, which are left zero. Every field of
 * info is set; of efs[] only the first n_efs entries. */
static enum ntp_packet_error parse_raw(const uint8_t *data, size_t len,
                                       struct ntp_packet_info *info)
{
    static const struct timespec zero_time = { 0, 0 };
    /* field by field: the table of extension fields is not cleared (n_efs
     * says what is valid), and the header is read below */
    info->length = len;
    info->root_delay_s = 0.0;
    info->root_dispersion_s = 0.0;
    info->reference_time = zero_time;
    info->originate_time = zero_time;
    info->receive_time = zero_time;
    info->transmit_time = zero_time;
    info->n_efs = 0;
    info->auth = NTP_PACKET_AUTH_NONE;
    info->crypto_nak = false;
    memset(&info->mac, 0, sizeof info->mac);
    if (len < NTP_HEADER_LENGTH) {
        memset(&info->hdr, 0, sizeof info->hdr);
        return NTP_PACKET_TOO_SHORT;
    }

    ntp_packet_read_header(data, len, &info->hdr);
    const struct ntp_packet_header *h = &info->hdr;
    if (len > NTP_MAX_PACKET_LENGTH)
        return NTP_PACKET_TOO_LONG;
    if (len % 4 != 0)
        return NTP_PACKET_BAD_LENGTH;
    if (h->version < NTP_MIN_COMPAT_VERSION || h->version > NTP_MAX_COMPAT_VERSION)
        return NTP_PACKET_BAD_VERSION;
    if (len == NTP_HEADER_LENGTH)
        return NTP_PACKET_OK;
    if (h->version <= 3)
        return parse_v3_trailer(data, info);
    return parse_v4_trailer(data, info);
}

enum ntp_packet_error ntp_packet_parse_raw(const uint8_t *data, size_t len,
                                           struct ntp_packet_info *info)
{
    return parse_raw(data, len, info);
}

enum ntp_packet_error ntp_packet_parse(const uint8_t *data, size_t len,
                                       const struct timespec *era_ref,
                                       struct ntp_packet_info *info)
{
    enum ntp_packet_error err = parse_raw(data, len, info);
    if (len < NTP_HEADER_LENGTH)
        return err;

    const struct ntp_packet_header *h = &info->hdr;
    info->root_delay_s = ntptime_short_to_double(h->root_delay);
    info->root_dispersion_s = ntptime_short_to_double(h->root_dispersion);
    if (era_ref) {
        info->reference_time = ntptime_from_ts64_near(h->reference_ts, *era_ref);
        info->originate_time = ntptime_from_ts64_near(h->originate_ts, *era_ref);
        info->receive_time = ntptime_from_ts64_near(h->receive_ts, *era_ref);
        info->transmit_time = ntptime_from_ts64_near(h->transmit_ts, *era_ref);
    } else {
        info->reference_time = ntptime_from_ts64(h->reference_ts, NTPTIME_DEFAULT_ERA_START);
        info->originate_time = ntptime_from_ts64(h->originate_ts, NTPTIME_DEFAULT_ERA_START);
        info->receive_time = ntptime_from_ts64(h->receive_ts, NTPTIME_DEFAULT_ERA_START);
        info->transmit_time = ntptime_from_ts64(h->transmit_ts, NTPTIME_DEFAULT_ERA_START);
    }
    return err;
}

const char *ntp_packet_error_name(enum ntp_packet_error err)
{
    static const char *const names[NTP_PACKET_ERROR_COUNT] = {
        [NTP_PACKET_OK] = "ok",
        [NTP_PACKET_TOO_SHORT] = "too short",
        [NTP_PACKET_TOO_LONG] = "too long",
        [NTP_PACKET_BAD_LENGTH] = "bad length",
        [NTP_PACKET_BAD_VERSION] = "bad version",
        [NTP_PACKET_BAD_EXTENSION] = "bad extension field",
    };
    if ((unsigned)err >= NTP_PACKET_ERROR_COUNT)
        return "unknown";
    return names[err];
}

bool ntp_packet_write_header(const struct ntp_packet_header *hdr,
                             uint8_t *buf, size_t cap, size_t *len)
{
    if (*len > cap || cap - *len < NTP_HEADER_LENGTH)
        return false;
    uint8_t *p = buf + *len;
    p[NTP_OFF_LVM] = NTP_LVM(hdr->leap, hdr->version, hdr->mode);
    p[NTP_OFF_STRATUM] = (uint8_t)hdr->stratum;
    p[NTP_OFF_POLL] = (uint8_t)(int8_t)hdr->poll;
    p[NTP_OFF_PRECISION] = (uint8_t)(int8_t)hdr->precision;
    put32(p + NTP_OFF_ROOT_DELAY, hdr->root_delay);
    put32(p + NTP_OFF_ROOT_DISPERSION, hdr->root_dispersion);
    put32(p + NTP_OFF_REFID, hdr->refid);
    ntptime_ts64_write(p + NTP_OFF_REFERENCE_TS, hdr->reference_ts);
    ntptime_ts64_write(p + NTP_OFF_ORIGINATE_TS, hdr->originate_ts);
    ntptime_ts64_write(p + NTP_OFF_RECEIVE_TS, hdr->receive_ts);
    ntptime_ts64_write(p + NTP_OFF_TRANSMIT_TS, hdr->transmit_ts);
    *len += NTP_HEADER_LENGTH;
    return true;
}

bool ntp_packet_add_ef(uint8_t *buf, size_t cap, size_t *len, uint16_t type,
                       const void *body, size_t body_len, size_t min_length)
{
    if (*len < NTP_HEADER_LENGTH || *len % 4 != 0 || *len > cap)
        return false;
    if (body_len > NTP_MAX_EXTENSIONS_LENGTH)
        return false;
    size_t length = NTP_EF_HEADER_LENGTH + body_len;
    length = (length + 3) & ~(size_t)3;
    if (min_length < NTP_MIN_EF_LENGTH)
        min_length = NTP_MIN_EF_LENGTH;
    if (length < min_length)
        length = (min_length + 3) & ~(size_t)3;
    if (length > UINT16_MAX || cap - *len < length)
        return false;
    uint8_t *p = buf + *len;
    put16(p, type);
    put16(p + 2, (uint16_t)length);
    if (body_len)
        memcpy(p + NTP_EF_HEADER_LENGTH, body, body_len);
    memset(p + NTP_EF_HEADER_LENGTH + body_len, 0, length - NTP_EF_HEADER_LENGTH - body_len);
    *len += length;
    return true;
}

bool ntp_packet_add_mac(uint8_t *buf, size_t cap, size_t *len, uint32_t key_id,
                        const uint8_t *digest, size_t digest_len)
{
    if (*len < NTP_HEADER_LENGTH || *len % 4 != 0 || *len > cap)
        return false;
    if (digest_len < NTP_MIN_MAC_DIGEST_LENGTH || digest_len > NTP_MAX_HASH_LENGTH ||
        digest_len % 4 != 0)
        return false;
    if (cap - *len < NTP_MAC_KEY_ID_LENGTH + digest_len)
        return false;
    put32(buf + *len, key_id);
    memcpy(buf + *len + NTP_MAC_KEY_ID_LENGTH, digest, digest_len);
    *len += NTP_MAC_KEY_ID_LENGTH + digest_len;
    return true;
}

void ntp_packet_set_transmit(uint8_t *buf, ntptime_ts64 ts)
{
    ntptime_ts64_write(buf + NTP_OFF_TRANSMIT_TS, ts);
}
