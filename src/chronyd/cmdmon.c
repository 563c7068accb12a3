/* cmdmon: the command server's sockets, checks, access control and the
 * table of handlers. See cmdmon.h. */
#include "chronyd/cmdmon.h"

#include <errno.h>
#include <string.h>

#include "chronyd/cmd_control.h"
#include "chronyd/cmd_reports.h"
#include "common/cmdproto.h"
#include "common/log.h"
#include "common/mem.h"
#include "core/acl.h"
#include "core/clientlog.h"
#include "platform/cmdsock.h"
#include "platform/sched.h"
#include "platform/udp.h"

/* Datagrams read per wake-up of a socket, so a flood cannot starve the
 * rest of the loop. */
#define MAX_REQUESTS_PER_WAKEUP 16
#define UDP_BATCH 4
/* One byte more than the longest request: a longer datagram shows as such. */
#define RX_BUFFER_LEN (CANDM_MAX_REQUEST_LEN + 1)
#define IPV4_LOOPBACK 0x7f000001U

/* Which requests UDP clients may make: the opencommands bits of a row, or
 * OPEN_ALWAYS (chrony 4.3 answers NULL anywhere), or FULL_ONLY. */
#define OPEN_ALWAYS (~0U)
#define FULL_ONLY 0U

struct handler_row {
    uint16_t code;
    cmdmon_handler handler;     /* NULL: nothing to do (200 OK) */
    unsigned open;
};

/* Every request code chrony 4.3 or 4.8 accepts (common/cmdproto's table),
 * in code order. */
static const struct handler_row handlers[] = {
    { CANDM_REQ_NULL, NULL, OPEN_ALWAYS },
    { CANDM_REQ_ONLINE, cmd_control_online, FULL_ONLY },
    { CANDM_REQ_OFFLINE, cmd_control_offline, FULL_ONLY },
    { CANDM_REQ_BURST, cmd_control_burst, FULL_ONLY },
    { CANDM_REQ_MODIFY_MINPOLL, cmd_control_modify, FULL_ONLY },
    { CANDM_REQ_MODIFY_MAXPOLL, cmd_control_modify, FULL_ONLY },
    { CANDM_REQ_DUMP, cmd_control_dump, FULL_ONLY },
    { CANDM_REQ_MODIFY_MAXDELAY, cmd_control_modify, FULL_ONLY },
    { CANDM_REQ_MODIFY_MAXDELAYRATIO, cmd_control_modify, FULL_ONLY },
    { CANDM_REQ_MODIFY_MAXUPDATESKEW, cmd_control_max_update_skew, FULL_ONLY },
    { CANDM_REQ_SETTIME, cmd_control_settime, FULL_ONLY },
    { CANDM_REQ_MANUAL, cmd_control_manual, FULL_ONLY },
    { CANDM_REQ_N_SOURCES, cmd_reports_n_sources, CONF_OPEN_SOURCES },
    { CANDM_REQ_SOURCE_DATA, cmd_reports_source_data, CONF_OPEN_SOURCES },
    { CANDM_REQ_REKEY, cmd_control_rekey, FULL_ONLY },
    { CANDM_REQ_ALLOW, cmd_control_allow_deny, FULL_ONLY },
    { CANDM_REQ_ALLOWALL, cmd_control_allow_deny, FULL_ONLY },
    { CANDM_REQ_DENY, cmd_control_allow_deny, FULL_ONLY },
    { CANDM_REQ_DENYALL, cmd_control_allow_deny, FULL_ONLY },
    { CANDM_REQ_CMDALLOW, cmd_control_cmd_allow_deny, FULL_ONLY },
    { CANDM_REQ_CMDALLOWALL, cmd_control_cmd_allow_deny, FULL_ONLY },
    { CANDM_REQ_CMDDENY, cmd_control_cmd_allow_deny, FULL_ONLY },
    { CANDM_REQ_CMDDENYALL, cmd_control_cmd_allow_deny, FULL_ONLY },
    { CANDM_REQ_ACCHECK, cmd_control_accheck, FULL_ONLY },
    { CANDM_REQ_CMDACCHECK, cmd_control_cmd_accheck, FULL_ONLY },
    { CANDM_REQ_DEL_SOURCE, cmd_control_delete_source, FULL_ONLY },
    { CANDM_REQ_WRITERTC, cmd_control_rtc, FULL_ONLY },
    { CANDM_REQ_DFREQ, cmd_control_dfreq, FULL_ONLY },
    { CANDM_REQ_TRACKING, cmd_reports_tracking, CONF_OPEN_TRACKING },
    { CANDM_REQ_SOURCESTATS, cmd_reports_sourcestats, CONF_OPEN_SOURCESTATS },
    { CANDM_REQ_RTCREPORT, cmd_reports_rtc, CONF_OPEN_RTCDATA },
    { CANDM_REQ_TRIMRTC, cmd_control_rtc, FULL_ONLY },
    { CANDM_REQ_CYCLELOGS, cmd_control_cyclelogs, FULL_ONLY },
    { CANDM_REQ_MANUAL_LIST, cmd_reports_manual_list, CONF_OPEN_MANUAL },
    { CANDM_REQ_MANUAL_DELETE, cmd_control_manual_delete, FULL_ONLY },
    { CANDM_REQ_MAKESTEP, cmd_control_make_step, FULL_ONLY },
    { CANDM_REQ_ACTIVITY, cmd_reports_activity, CONF_OPEN_ACTIVITY },
    { CANDM_REQ_MODIFY_MINSTRATUM, cmd_control_modify, FULL_ONLY },
    { CANDM_REQ_MODIFY_POLLTARGET, cmd_control_modify, FULL_ONLY },
    { CANDM_REQ_MODIFY_MAXDELAYDEVRATIO, cmd_control_modify, FULL_ONLY },
    { CANDM_REQ_RESELECT, cmd_control_reselect, FULL_ONLY },
    { CANDM_REQ_RESELECTDISTANCE, cmd_control_reselect_distance, FULL_ONLY },
    { CANDM_REQ_MODIFY_MAKESTEP, cmd_control_modify_makestep, FULL_ONLY },
    { CANDM_REQ_SMOOTHING, cmd_reports_smoothing, CONF_OPEN_SMOOTHING },
    { CANDM_REQ_SMOOTHTIME, cmd_control_smoothtime, FULL_ONLY },
    { CANDM_REQ_REFRESH, cmd_control_refresh, FULL_ONLY },
    { CANDM_REQ_SERVER_STATS, cmd_reports_server_stats, CONF_OPEN_SERVERSTATS },
    { CANDM_REQ_LOCAL2, cmd_control_local, FULL_ONLY },
    { CANDM_REQ_NTP_DATA, cmd_reports_ntp_data, CONF_OPEN_NTPDATA },
    { CANDM_REQ_SHUTDOWN, cmd_control_shutdown, FULL_ONLY },
    { CANDM_REQ_ONOFFLINE, cmd_control_onoffline, FULL_ONLY },
    { CANDM_REQ_ADD_SOURCE, cmd_control_add_source, FULL_ONLY },
    { CANDM_REQ_NTP_SOURCE_NAME, cmd_reports_source_name, CONF_OPEN_SOURCENAME },
    { CANDM_REQ_RESET_SOURCES, cmd_control_reset_sources, FULL_ONLY },
    { CANDM_REQ_AUTH_DATA, cmd_reports_auth_data, CONF_OPEN_AUTHDATA },
    { CANDM_REQ_CLIENT_ACCESSES_BY_INDEX3, cmd_reports_clients, CONF_OPEN_CLIENTS },
    { CANDM_REQ_SELECT_DATA, cmd_reports_select_data, CONF_OPEN_SELECTDATA },
    { CANDM_REQ_RELOAD_SOURCES, cmd_control_reload_sources, FULL_ONLY },
    { CANDM_REQ_DOFFSET2, cmd_control_doffset, FULL_ONLY },
    { CANDM_REQ_MODIFY_SELECTOPTS, cmd_control_select_options, FULL_ONLY },
    { CANDM_REQ_MODIFY_OFFSET, cmd_control_modify, FULL_ONLY },
    { CANDM_REQ_LOCAL3, cmd_control_local, FULL_ONLY },
};

#define N_HANDLERS (sizeof handlers / sizeof handlers[0])

static struct acl *cmd_acl;
static unsigned open_commands;
static int unix_fd = -1;
static char *unix_path;
static int udp_fds[2] = { -1, -1 };

static const struct handler_row *find_handler(uint16_t code)
{
    for (size_t i = 0; i < N_HANDLERS; i++) {
        if (handlers[i].code == code)
            return &handlers[i];
    }
    return NULL;
}

void cmdmon_read_ip(const struct candm_ip *in, addr_ip *out)
{
    cmdproto_ip_from_wire(in, out);
    if (out->family != ADDR_INET4 && out->family != ADDR_INET6 && out->family != ADDR_ID)
        memset(out, 0, sizeof *out);
}

/* 127.0.0.1 and ::1 exactly: always admitted, never rate limited. */
static bool is_localhost(const addr_ip *ip)
{
    static const uint8_t loopback6[16] = { [15] = 1 };
    if (ip->family == ADDR_INET4)
        return ip->a.in4 == IPV4_LOOPBACK;
    if (ip->family == ADDR_INET6)
        return memcmp(ip->a.in6, loopback6, sizeof loopback6) == 0;
    return false;
}

bool cmdmon_access_add(const addr_subnet *subnet, bool allow, bool all)
{
    if (!cmd_acl)
        cmd_acl = acl_create();
    return acl_add(cmd_acl, subnet, allow, all);
}

bool cmdmon_access_check(const addr_ip *ip)
{
    return cmd_acl && acl_check(cmd_acl, ip);
}

/* ---- one request ---- */

static void dispatch(const uint8_t *pkt, size_t len, const struct cmdmon_origin *from,
                     struct timespec now, struct cmdmon_reply *rp)
{
    static struct cmdmon_request rq;       /* large: kept off the stack */
    uint16_t code = cmdproto_get16(pkt + offsetof(struct candm_request_header, command));
    const struct handler_row *row = find_handler(code);

    if (!row) {
        /* a code the length table knows but no handler does: chrony 4.3's
         * "Unhandled command" */
        LOG_DEBUG("Unhandled command %u", (unsigned)code);
        rp->status = CANDM_STT_FAILED;
        return;
    }
    if (!from->unix_socket && row->open != OPEN_ALWAYS && !(row->open & open_commands)) {
        rp->status = CANDM_STT_UNAUTH;
        return;
    }
    memset(&rq, 0, sizeof rq);
    rq.command = code;
    rq.reply = cmdproto_reply_for(code, len);
    rq.length = len;
    rq.now = now;
    size_t data_len = len - CANDM_REQUEST_HEADER_LEN;
    memcpy(rq.data.bytes, pkt + CANDM_REQUEST_HEADER_LEN,
           data_len < sizeof rq.data.bytes ? data_len : sizeof rq.data.bytes);
    if (row->handler)
        row->handler(&rq, rp);
}

size_t cmdmon_process(const uint8_t *pkt, size_t len, const struct cmdmon_origin *from,
                      struct timespec now, uint8_t *reply, size_t cap)
{
    static struct cmdmon_reply rp;         /* large: kept off the stack */
    addr_ip client = { .family = ADDR_UNSPEC };
    bool localhost = true;
    char buf[ADDR_STR_MAX];

    if (!from->unix_socket) {
        client = from->ip;
        localhost = is_localhost(&client);
        if (!localhost && !cmdmon_access_check(&client)) {
            LOG_DEBUG("Unauthorised host %s", addr_format(&client, buf, sizeof buf));
            return 0;
        }
    }

    /* Too short for a header, or for an error reply (which must not be
     * longer than the request), or longer than any request: dropped. */
    if (len < CANDM_REQUEST_HEADER_LEN || len < CANDM_REPLY_HEADER_LEN ||
        len > CANDM_MAX_REQUEST_LEN)
        return 0;
    struct candm_request_header hdr;
    memcpy(&hdr, pkt, sizeof hdr);
    if (hdr.pkt_type != CANDM_PKT_TYPE_REQUEST || hdr.res1 || hdr.res2)
        return 0;

    int index = clientlog_log_access(CLIENTLOG_CMD, &client, now);
    if (!localhost && index >= 0 && clientlog_limit_rate(CLIENTLOG_CMD, index) != CLIENTLOG_PASS) {
        LOG_DEBUG("Command packet from %s discarded to limit response rate",
                  addr_format(&client, buf, sizeof buf));
        return 0;
    }

    memset(&rp, 0, sizeof rp);
    rp.reply = CANDM_RPY_NULL;
    rp.status = CANDM_STT_SUCCESS;
    switch (cmdproto_check_request(pkt, len, CMDPROTO_IN_43 | CMDPROTO_IN_48)) {
    case CMDPROTO_REQUEST_OK:
        dispatch(pkt, len, from, now, &rp);
        break;
    case CMDPROTO_REQUEST_DROP:
        return 0;
    case CMDPROTO_REQUEST_BAD_VERSION:
        rp.status = CANDM_STT_BADPKTVERSION;
        break;
    case CMDPROTO_REQUEST_INVALID:
        rp.status = CANDM_STT_INVALID;
        break;
    case CMDPROTO_REQUEST_BAD_LENGTH:
        rp.status = CANDM_STT_BADPKTLENGTH;
        break;
    }

    /* an error status goes in a bare reply */
    if (rp.status != CANDM_STT_SUCCESS && rp.status != CANDM_STT_ACCESSALLOWED &&
        rp.status != CANDM_STT_ACCESSDENIED)
        rp.reply = CANDM_RPY_NULL;
    size_t reply_len = cmdproto_reply_len(rp.reply);
    if (reply_len == 0) {
        LOG_ERR("Command %u: reply %u has no length", (unsigned)cmdproto_get16(&hdr.command),
                (unsigned)rp.reply);
        rp.reply = CANDM_RPY_NULL;
        rp.status = CANDM_STT_FAILED;
        reply_len = CANDM_REPLY_HEADER_LEN;
    }
    if (reply_len > len) {
        LOG_DEBUG("Response longer than request req_len=%zu res_len=%zu", len, reply_len);
        return 0;
    }
    if (reply_len > cap)
        return 0;

    struct candm_reply_header out;
    cmdproto_build_reply_header(&hdr, rp.reply, rp.status, &out);
    memcpy(reply, &out, sizeof out);
    memcpy(reply + CANDM_REPLY_HEADER_LEN, rp.data.bytes, reply_len - CANDM_REPLY_HEADER_LEN);
    return reply_len;
}

/* ---- sockets ---- */

static bool is_link_local(const addr_ip *ip)
{
    if (ip->family == ADDR_INET4)
        return (ip->a.in4 >> 16) == 0xa9feU;                  /* 169.254/16 */
    if (ip->family == ADDR_INET6)
        return ip->a.in6[0] == 0xfe && (ip->a.in6[1] & 0xc0) == 0x80;   /* fe80::/10 */
    return false;
}

static void on_unix_readable(int fd, int events, void *arg)
{
    static uint8_t buf[RX_BUFFER_LEN], out[CANDM_MAX_REQUEST_LEN];
    const struct cmdmon_origin origin = { .unix_socket = true };

    for (int i = 0; i < MAX_REQUESTS_PER_WAKEUP; i++) {
        struct cmdsock_peer peer;
        bool truncated;
        long n = cmdsock_recv_unix(fd, buf, sizeof buf, &truncated, &peer);
        if (n < 0)
            return;
        if (peer.len == 0) {
            /* its socket has no name: no reply could reach it */
            LOG_DEBUG("Unexpected socket/address");
            continue;
        }
        struct timespec now;
        sched_now_real(&now);
        size_t len = cmdmon_process(buf, truncated ? sizeof buf : (size_t)n, &origin, now, out,
                                    sizeof out);
        if (len > 0 && cmdsock_send_unix(fd, out, len, &peer) < 0)
            LOG_DEBUG("Could not send command reply : %s", strerror(errno));
    }
}

static void on_udp_readable(int fd, int events, void *arg)
{
    static uint8_t bufs[UDP_BATCH][RX_BUFFER_LEN], out[CANDM_MAX_REQUEST_LEN];
    udp_msg msgs[UDP_BATCH];

    for (int round = 0; round < MAX_REQUESTS_PER_WAKEUP / UDP_BATCH; round++) {
        for (int i = 0; i < UDP_BATCH; i++) {
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].buf = bufs[i];
            msgs[i].buf_len = sizeof bufs[i];
        }
        int n = udp_recv_batch(fd, msgs, UDP_BATCH);
        if (n <= 0)
            return;
        for (int i = 0; i < n; i++) {
            const udp_msg *m = &msgs[i];
            struct cmdmon_origin origin = { .unix_socket = false, .ip = m->remote.ip };
            size_t len = cmdmon_process(m->buf, m->truncated ? sizeof bufs[i] : m->len, &origin,
                                        m->rx_ts, out, sizeof out);
            if (len == 0)
                continue;
            /* back from the address it came to; through the same interface
             * only for link-local clients, as chrony does */
            udp_msg r = *m;
            r.buf = out;
            r.len = len;
            if (!is_link_local(&r.remote.ip))
                r.if_index = UDP_NO_IF_INDEX;
            if (udp_send_msg(fd, &r) < 0)
                LOG_DEBUG("Could not send command reply : %s", strerror(errno));
        }
        if (n < UDP_BATCH)
            return;
    }
}

static void open_unix(const char *path, uid_t uid, gid_t gid)
{
    int fd = cmdsock_open_unix(path, uid, gid);
    if (fd < 0)
        return;
    unix_fd = fd;
    unix_path = mem_strdup(path);
    sched_add_fd(fd, SCHED_IN, on_unix_readable, NULL);
    LOG_DEBUG("Command socket %s (fd=%d)", path, fd);
}

static void open_udp(const struct conf_settings *s, int family)
{
    udp_params p;
    udp_params_init(&p, family);
    const addr_ip *bind_ip = family == ADDR_INET4 ? &s->bind_cmd_address.v4
                                                  : &s->bind_cmd_address.v6;
    if (bind_ip->family == family)
        p.bind_ip = *bind_ip;
    p.bind_port = (uint16_t)s->cmd_port;
    p.device = s->bind_cmd_device && s->bind_cmd_device[0] ? s->bind_cmd_device : NULL;

    int fd = udp_open(&p);
    if (fd < 0) {
        char buf[ADDR_STR_MAX];
        addr_format(&p.bind_ip, buf, sizeof buf);
        if (family == ADDR_INET6 && errno == EAFNOSUPPORT)
            LOG_WARN("Could not open IPv6 command socket : %s", strerror(errno));
        else
            LOG_ERR("Could not open command socket on %s%s%s:%d : %s",
                    family == ADDR_INET6 ? "[" : "", buf, family == ADDR_INET6 ? "]" : "",
                    s->cmd_port, strerror(errno));
        return;
    }
    udp_fds[family == ADDR_INET4 ? 0 : 1] = fd;
    sched_add_fd(fd, SCHED_IN, on_udp_readable, NULL);
    LOG_DEBUG("Command port %d on %s (fd=%d)", s->cmd_port,
              family == ADDR_INET4 ? "IPv4" : "IPv6", fd);
}

void cmdmon_init(const struct conf_settings *s, int family, uid_t uid, gid_t gid)
{
    cmdmon_finish();
    open_commands = s->open_commands;

    cmd_acl = acl_create();
    for (size_t i = 0; i < s->cmd_acl.n; i++) {
        const struct conf_acl_rule *r = &s->cmd_acl.rules[i];
        if (!acl_add(cmd_acl, &r->subnet, r->allow, r->all)) {
            char buf[ADDR_STR_MAX];
            LOG_FATAL("Bad subnet in %s/%d", addr_format(&r->subnet.ip, buf, sizeof buf),
                      r->subnet.bits);
        }
    }

    if (s->cmd_port > 0) {
        if (family != ADDR_INET6)
            open_udp(s, ADDR_INET4);
        if (family != ADDR_INET4)
            open_udp(s, ADDR_INET6);
    }
    if (s->bindcmdpath && s->bindcmdpath[0])
        open_unix(s->bindcmdpath, uid, gid);
}

void cmdmon_finish(void)
{
    if (unix_fd >= 0) {
        sched_remove_fd(unix_fd);
        cmdsock_close_unix(unix_fd, unix_path);
        unix_fd = -1;
    }
    mem_free(unix_path);
    unix_path = NULL;
    for (size_t i = 0; i < sizeof udp_fds / sizeof udp_fds[0]; i++) {
        if (udp_fds[i] >= 0) {
            sched_remove_fd(udp_fds[i]);
            udp_close(udp_fds[i]);
            udp_fds[i] = -1;
        }
    }
    if (cmd_acl)
        acl_destroy(cmd_acl);
    cmd_acl = NULL;
}

int cmdmon_socket_count(void)
{
    int n = unix_fd >= 0;
    for (size_t i = 0; i < sizeof udp_fds / sizeof udp_fds[0]; i++)
        n += udp_fds[i] >= 0;
    return n;
}
