/* cmdproto: number encodings, the length table and the header rules of the
 * command protocol. */
#include "common/cmdproto.h"

#include <arpa/inet.h>
#include <math.h>
#include <string.h>

/* ---- the float ---- */

#define FLOAT_BITS 32
#define FLOAT_EXP_BITS 7
#define FLOAT_COEF_BITS (FLOAT_BITS - FLOAT_EXP_BITS)               /* 25 */
#define FLOAT_EXP_MIN (-(1 << (FLOAT_EXP_BITS - 1)))                /* -64 */
#define FLOAT_EXP_MAX ((1 << (FLOAT_EXP_BITS - 1)) - 1)             /* 63 */
#define FLOAT_COEF_MAX ((1 << (FLOAT_COEF_BITS - 1)) - 1)           /* 2^24 - 1 */
#define FLOAT_COEF_MASK ((1U << FLOAT_COEF_BITS) - 1)
#define FLOAT_EXP_MASK ((1U << FLOAT_EXP_BITS) - 1)
#define FLOAT_MIN_MAGNITUDE 1.0e-100
#define FLOAT_MAX_MAGNITUDE 1.0e100

static uint32_t float_pack(int32_t exp, int32_t coef)
{
    return ((uint32_t)exp & FLOAT_EXP_MASK) << FLOAT_COEF_BITS | ((uint32_t)coef & FLOAT_COEF_MASK);
}

uint32_t cmdproto_float_encode(double x)
{
    /* A negative coefficient may reach one further than a positive one. */
    int32_t neg = 0;
    if (x < 0.0) {
        x = -x;
        neg = 1;
    } else if (!(x >= 0.0)) {
        return 0;                       /* NaN */
    }

    if (x < FLOAT_MIN_MAGNITUDE)
        return 0;
    if (x > FLOAT_MAX_MAGNITUDE) {
        int32_t coef = FLOAT_COEF_MAX + neg;
        return float_pack(FLOAT_EXP_MAX, neg ? -coef : coef);
    }

    /* The exponent starts as log2(x) + 1 truncated towards zero (so values
     * below 0.5 keep one bit less than a normalised form would), then the
     * rounded coefficient is shifted until it fits. */
    int32_t exp = (int32_t)(log(x) / log(2.0) + 1.0);
    int32_t coef = (int32_t)(ldexp(x, FLOAT_COEF_BITS - exp) + 0.5);
    while (coef > FLOAT_COEF_MAX + neg) {
        coef >>= 1;
        exp++;
    }

    if (exp > FLOAT_EXP_MAX) {
        exp = FLOAT_EXP_MAX;
        coef = FLOAT_COEF_MAX + neg;
    } else if (exp < FLOAT_EXP_MIN) {
        if (exp + FLOAT_COEF_BITS >= FLOAT_EXP_MIN) {
            coef >>= FLOAT_EXP_MIN - exp;
            exp = FLOAT_EXP_MIN;
        } else {
            return 0;
        }
    }
    return float_pack(exp, neg ? -coef : coef);
}

double cmdproto_float_decode(uint32_t bits)
{
    int32_t exp = (int32_t)(bits >> FLOAT_COEF_BITS);
    int32_t coef = (int32_t)(bits & FLOAT_COEF_MASK);
    if (exp & (1 << (FLOAT_EXP_BITS - 1)))
        exp -= 1 << FLOAT_EXP_BITS;
    if (coef & (1 << (FLOAT_COEF_BITS - 1)))
        coef -= 1 << FLOAT_COEF_BITS;
    return ldexp((double)coef, exp - FLOAT_COEF_BITS);
}

candm_float cmdproto_float_to_wire(double x)
{
    return htonl(cmdproto_float_encode(x));
}

double cmdproto_float_from_wire(candm_float f)
{
    return cmdproto_float_decode(ntohl(f));
}

/* ---- timespecs, 64-bit integers, addresses ---- */

#define NSEC_MAX 999999999U

void cmdproto_timespec_to_wire(const struct timespec *ts, struct candm_timespec *out)
{
    uint64_t sec = (uint64_t)(int64_t)ts->tv_sec;
    out->sec_high = htonl((uint32_t)(sec >> 32));
    out->sec_low = htonl((uint32_t)sec);
    out->nsec = htonl((uint32_t)ts->tv_nsec);
}

void cmdproto_timespec_from_wire(const struct candm_timespec *in, struct timespec *ts)
{
    uint32_t high = ntohl(in->sec_high), nsec = ntohl(in->nsec);
    if (high == CANDM_TS_NOHIGHSEC)
        high = 0;
    ts->tv_sec = (time_t)((uint64_t)high << 32 | ntohl(in->sec_low));
    ts->tv_nsec = nsec > NSEC_MAX ? NSEC_MAX : nsec;
}

void cmdproto_int64_to_wire(uint64_t value, struct candm_int64 *out)
{
    out->high = htonl((uint32_t)(value >> 32));
    out->low = htonl((uint32_t)value);
}

uint64_t cmdproto_int64_from_wire(const struct candm_int64 *in)
{
    return (uint64_t)ntohl(in->high) << 32 | ntohl(in->low);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void cmdproto_ip_to_wire(const addr_ip *ip, struct candm_ip *out)
{
    memset(out, 0, sizeof *out);
    out->family = htons(ip->family);
    switch (ip->family) {
    case ADDR_INET4:
        put_be32(out->addr, ip->a.in4);
        break;
    case ADDR_INET6:
        memcpy(out->addr, ip->a.in6, sizeof out->addr);
        break;
    case ADDR_ID:
        put_be32(out->addr, ip->a.id);
        break;
    default:
        break;
    }
}

void cmdproto_ip_from_wire(const struct candm_ip *in, addr_ip *ip)
{
    memset(ip, 0, sizeof *ip);
    uint16_t family = ntohs(in->family);
    ip->family = (uint8_t)family;
    switch (family) {
    case ADDR_INET4:
        ip->a.in4 = get_be32(in->addr);
        break;
    case ADDR_INET6:
        memcpy(ip->a.in6, in->addr, sizeof ip->a.in6);
        break;
    case ADDR_ID:
        ip->a.id = get_be32(in->addr);
        break;
    default:
        /* a family we do not know must not alias a known one */
        if (family > UINT8_MAX)
            ip->family = UINT8_MAX;
        break;
    }
}

uint16_t cmdproto_get16(const void *field)
{
    uint16_t v;
    memcpy(&v, field, sizeof v);
    return ntohs(v);
}

uint32_t cmdproto_get32(const void *field)
{
    uint32_t v;
    memcpy(&v, field, sizeof v);
    return ntohl(v);
}

void cmdproto_put16(void *field, uint16_t value)
{
    uint16_t v = htons(value);
    memcpy(field, &v, sizeof v);
}

void cmdproto_put32(void *field, uint32_t value)
{
    uint32_t v = htonl(value);
    memcpy(field, &v, sizeof v);
}

/* ---- lengths ---- */

#define BOTH (CMDPROTO_IN_43 | CMDPROTO_IN_48)
#define OPEN true                   /* answered on UDP too */
#define D(layout) sizeof(struct candm_req_##layout)
#define FULL false                  /* the Unix socket only */
#define ONLY_43 CMDPROTO_IN_43
#define ONLY_48 CMDPROTO_IN_48

/* One row per request code either release accepts. Data lengths are the
 * sizes of the candm_req_* layouts. The open set is the one Debian's
 * chronyd 4.3 answered on UDP from 127.0.0.1 (every other code: UNAUTH). */
static const struct cmdproto_command commands[] = {
    { CANDM_REQ_NULL, 0, CANDM_RPY_NULL, 0, BOTH, OPEN },
    { CANDM_REQ_ONLINE, D(online), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_OFFLINE, D(online), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_BURST, D(burst), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MODIFY_MINPOLL, D(modify_int), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MODIFY_MAXPOLL, D(modify_int), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_DUMP, D(dump), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MODIFY_MAXDELAY, D(modify_float), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MODIFY_MAXDELAYRATIO, D(modify_float), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MODIFY_MAXUPDATESKEW, D(float), CANDM_RPY_NULL, 0, BOTH, FULL },
    /* LOGON, obsolete since authentication went: chrony 4.3 still knows its
     * length (a 12-byte timestamp, 32 bytes in all) and answers it, on UDP
     * too, with "500 Failure" (BADPKTLENGTH when shorter); no handler does
     * that here. 4.8 dropped it (INVALID); a daemon speaking to both
     * answers as 4.3. */
    { CANDM_REQ_LOGON, sizeof(struct candm_timespec), CANDM_RPY_NULL, 0, ONLY_43, OPEN },
    { CANDM_REQ_SETTIME, D(settime), CANDM_RPY_MANUAL_TIMESTAMP2, 0, BOTH, FULL },
    { CANDM_REQ_MANUAL, D(index), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_N_SOURCES, 0, CANDM_RPY_N_SOURCES, 0, BOTH, OPEN },
    { CANDM_REQ_SOURCE_DATA, D(index), CANDM_RPY_SOURCE_DATA, 0, BOTH, OPEN },
    { CANDM_REQ_REKEY, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_ALLOW, D(allow_deny), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_ALLOWALL, D(allow_deny), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_DENY, D(allow_deny), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_DENYALL, D(allow_deny), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_CMDALLOW, D(allow_deny), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_CMDALLOWALL, D(allow_deny), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_CMDDENY, D(allow_deny), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_CMDDENYALL, D(allow_deny), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_ACCHECK, D(address), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_CMDACCHECK, D(address), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_DEL_SOURCE, D(address), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_WRITERTC, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_DFREQ, D(float), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_TRACKING, 0, CANDM_RPY_TRACKING, 0, BOTH, OPEN },
    { CANDM_REQ_SOURCESTATS, D(index), CANDM_RPY_SOURCESTATS, 0, BOTH, OPEN },
    { CANDM_REQ_RTCREPORT, 0, CANDM_RPY_RTC, 0, BOTH, OPEN },
    { CANDM_REQ_TRIMRTC, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_CYCLELOGS, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MANUAL_LIST, 0, CANDM_RPY_MANUAL_LIST2, 0, BOTH, OPEN },
    { CANDM_REQ_MANUAL_DELETE, D(index), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MAKESTEP, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_ACTIVITY, 0, CANDM_RPY_ACTIVITY, 0, BOTH, OPEN },
    { CANDM_REQ_MODIFY_MINSTRATUM, D(modify_int), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MODIFY_POLLTARGET, D(modify_int), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MODIFY_MAXDELAYDEVRATIO, D(modify_float), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_RESELECT, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_RESELECTDISTANCE, D(float), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MODIFY_MAKESTEP, D(modify_makestep), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_SMOOTHING, 0, CANDM_RPY_SMOOTHING, 0, BOTH, OPEN },
    { CANDM_REQ_SMOOTHTIME, D(index), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_REFRESH, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_SERVER_STATS, 0, CANDM_RPY_SERVER_STATS4, CANDM_RPY_SERVER_STATS3, BOTH, FULL },
    { CANDM_REQ_LOCAL2, D(local2), CANDM_RPY_NULL, 0, ONLY_43, FULL },
    { CANDM_REQ_NTP_DATA, D(address), CANDM_RPY_NTP_DATA2, CANDM_RPY_NTP_DATA, BOTH, FULL },
    { CANDM_REQ_SHUTDOWN, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_ONOFFLINE, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_ADD_SOURCE, D(ntp_source), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_NTP_SOURCE_NAME, D(address), CANDM_RPY_NTP_SOURCE_NAME, 0, BOTH, OPEN },
    { CANDM_REQ_RESET_SOURCES, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_AUTH_DATA, D(address), CANDM_RPY_AUTH_DATA, 0, BOTH, FULL },
    { CANDM_REQ_CLIENT_ACCESSES_BY_INDEX3, D(client_accesses), CANDM_RPY_CLIENT_ACCESSES_BY_INDEX3,
      0, BOTH, FULL },
    { CANDM_REQ_SELECT_DATA, D(index), CANDM_RPY_SELECT_DATA, 0, BOTH, FULL },
    { CANDM_REQ_RELOAD_SOURCES, 0, CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_DOFFSET2, D(float), CANDM_RPY_NULL, 0, BOTH, FULL },
    { CANDM_REQ_MODIFY_SELECTOPTS, D(modify_selectopts), CANDM_RPY_NULL, 0, ONLY_48, FULL },
    { CANDM_REQ_MODIFY_OFFSET, D(modify_offset), CANDM_RPY_NULL, 0, ONLY_48, FULL },
    { CANDM_REQ_LOCAL3, D(local3), CANDM_RPY_NULL, 0, ONLY_48, FULL },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

const struct cmdproto_command *cmdproto_command(uint16_t code)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (commands[i].code == code)
            return &commands[i];
    }
    return NULL;
}

size_t cmdproto_reply_len(uint16_t reply)
{
    size_t data;
    switch (reply) {
    case CANDM_RPY_NULL: data = 0; break;
    case CANDM_RPY_N_SOURCES: data = sizeof(struct candm_rpy_n_sources); break;
    case CANDM_RPY_SOURCE_DATA: data = sizeof(struct candm_rpy_source_data); break;
    case CANDM_RPY_MANUAL_TIMESTAMP2: data = sizeof(struct candm_rpy_manual_timestamp); break;
    case CANDM_RPY_TRACKING: data = sizeof(struct candm_rpy_tracking); break;
    case CANDM_RPY_SOURCESTATS: data = sizeof(struct candm_rpy_sourcestats); break;
    case CANDM_RPY_RTC: data = sizeof(struct candm_rpy_rtc); break;
    case CANDM_RPY_ACTIVITY: data = sizeof(struct candm_rpy_activity); break;
    case CANDM_RPY_SMOOTHING: data = sizeof(struct candm_rpy_smoothing); break;
    case CANDM_RPY_NTP_DATA: data = sizeof(struct candm_rpy_ntp_data); break;
    case CANDM_RPY_MANUAL_LIST2: data = sizeof(struct candm_rpy_manual_list); break;
    case CANDM_RPY_NTP_SOURCE_NAME: data = sizeof(struct candm_rpy_ntp_source_name); break;
    case CANDM_RPY_AUTH_DATA: data = sizeof(struct candm_rpy_auth_data); break;
    case CANDM_RPY_CLIENT_ACCESSES_BY_INDEX3:
        data = sizeof(struct candm_rpy_client_accesses);
        break;
    case CANDM_RPY_SELECT_DATA: data = sizeof(struct candm_rpy_select_data); break;
    case CANDM_RPY_SERVER_STATS3: data = sizeof(struct candm_rpy_server_stats3); break;
    case CANDM_RPY_SERVER_STATS4: data = sizeof(struct candm_rpy_server_stats4); break;
    case CANDM_RPY_NTP_DATA2: data = sizeof(struct candm_rpy_ntp_data2); break;
    default: return 0;
    }
    return CANDM_REPLY_HEADER_LEN + data;
}

size_t cmdproto_request_len(uint16_t code, uint16_t expected_reply)
{
    const struct cmdproto_command *cmd = cmdproto_command(code);
    if (!cmd)
        return 0;
    size_t len = CANDM_REQUEST_HEADER_LEN + cmd->data_len;
    size_t reply_len = cmdproto_reply_len(expected_reply);
    return reply_len > len ? reply_len : len;
}

static size_t required_len(const struct cmdproto_command *cmd, uint8_t releases)
{
    size_t len = 0;
    if ((releases & CMDPROTO_IN_48) && (cmd->releases & CMDPROTO_IN_48))
        len = cmdproto_request_len(cmd->code, cmd->reply);
    if ((releases & CMDPROTO_IN_43) && (cmd->releases & CMDPROTO_IN_43)) {
        size_t len43 = cmdproto_request_len(cmd->code, cmd->old_reply ? cmd->old_reply
                                                                      : cmd->reply);
        if (len == 0 || len43 < len)
            len = len43;
    }
    return len;
}

size_t cmdproto_min_request_len(uint16_t code)
{
    const struct cmdproto_command *cmd = cmdproto_command(code);
    return cmd ? required_len(cmd, CMDPROTO_IN_43 | CMDPROTO_IN_48) : 0;
}

uint16_t cmdproto_reply_for(uint16_t code, size_t request_len)
{
    const struct cmdproto_command *cmd = cmdproto_command(code);
    if (!cmd)
        return 0;
    if (cmd->old_reply && request_len < cmdproto_request_len(code, cmd->reply))
        return cmd->old_reply;
    return cmd->reply;
}

/* ---- headers ---- */

size_t cmdproto_build_request(const struct cmdproto_request *req, uint8_t *buf, size_t cap)
{
    size_t len = CANDM_REQUEST_HEADER_LEN + req->data_len;
    if (req->version >= CANDM_PROTO_VERSION && req->padded_len > len)
        len = req->padded_len;
    if (len > cap)
        return 0;

    struct candm_request_header hdr = {
        .version = req->version,
        .pkt_type = CANDM_PKT_TYPE_REQUEST,
        .command = htons(req->command),
        .attempt = htons(req->attempt),
        .sequence = htonl(req->sequence),
    };
    memset(buf, 0, len);
    memcpy(buf, &hdr, sizeof hdr);
    if (req->data_len)
        memcpy(buf + CANDM_REQUEST_HEADER_LEN, req->data, req->data_len);
    return len;
}

enum cmdproto_reply_check cmdproto_check_reply(const uint8_t *pkt, size_t len,
                                               const struct cmdproto_request *req)
{
    struct candm_reply_header hdr;
    if (len < sizeof hdr)
        return CMDPROTO_REPLY_INVALID;
    memcpy(&hdr, pkt, sizeof hdr);

    uint16_t status = ntohs(hdr.status);
    bool version_ok = hdr.version == req->version ||
                      (hdr.version >= CANDM_PROTO_MISMATCH_COMPAT_CLIENT &&
                       status == CANDM_STT_BADPKTVERSION);
    if (!version_ok || hdr.pkt_type != CANDM_PKT_TYPE_REPLY || hdr.res1 || hdr.res2 ||
        ntohs(hdr.command) != req->command || ntohl(hdr.sequence) != req->sequence)
        return CMDPROTO_REPLY_INVALID;

    if (req->version == CANDM_PROTO_VERSION && hdr.version == CANDM_PROTO_VERSION_NOPAD)
        return CMDPROTO_REPLY_OLD_VERSION;

    /* Replies of unknown codes have no length to check. */
    if (len < cmdproto_reply_len(ntohs(hdr.reply)))
        return CMDPROTO_REPLY_TOO_SHORT;
    return CMDPROTO_REPLY_OK;
}

void cmdproto_build_reply_header(const struct candm_request_header *req, uint16_t reply,
                                 uint16_t status, struct candm_reply_header *out)
{
    *out = (struct candm_reply_header){
        .version = CANDM_PROTO_VERSION,
        .pkt_type = CANDM_PKT_TYPE_REPLY,
        .command = req->command,
        .reply = htons(reply),
        .status = htons(status),
        .sequence = req->sequence,
    };
}

enum cmdproto_request_check cmdproto_check_request(const uint8_t *pkt, size_t len,
                                                   uint8_t releases)
{
    struct candm_request_header hdr;
    /* An error reply (a bare reply header) must not be longer than the
     * request, so shorter requests get no answer. */
    if (len < CANDM_REQUEST_HEADER_LEN || len < CANDM_REPLY_HEADER_LEN ||
        len > CANDM_MAX_REQUEST_LEN)
        return CMDPROTO_REQUEST_DROP;
    memcpy(&hdr, pkt, sizeof hdr);
    if (hdr.pkt_type != CANDM_PKT_TYPE_REQUEST || hdr.res1 || hdr.res2)
        return CMDPROTO_REQUEST_DROP;
    if (hdr.version != CANDM_PROTO_VERSION)
        return hdr.version >= CANDM_PROTO_MISMATCH_COMPAT_SERVER ? CMDPROTO_REQUEST_BAD_VERSION
                                                                 : CMDPROTO_REQUEST_DROP;

    const struct cmdproto_command *cmd = cmdproto_command(ntohs(hdr.command));
    if (!cmd || !(cmd->releases & releases))
        return CMDPROTO_REQUEST_INVALID;
    if (len < required_len(cmd, releases))
        return CMDPROTO_REQUEST_BAD_LENGTH;
    return CMDPROTO_REQUEST_OK;
}
