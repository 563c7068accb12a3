/* Unit tests of the command server's request path (chronyd/cmdmon,
 * cmd_reports, cmd_control) without sockets: chrony's checks in order, the
 * open set on UDP, the reply forms of chronyc 4.3 and 4.8, and handlers
 * acting on a live (unstarted) set of NTP sources, the access tables, the
 * local reference and the client log. Expected bytes are those Debian's
 * chronyd 4.3 sent for the same requests. */
#include "chronyd/cmdmon.h"

#include <stdlib.h>
#include <string.h>

#include "chronyd/conf.h"
#include "chronyd/ntp_client.h"
#include "chronyd/ntp_serve.h"
#include "common/cmdproto.h"
#include "common/log.h"
#include "core/reference.h"
#include "harness.h"
#include "platform/sched.h"

#define MAX_PKT 1024
#define SEQUENCE 0x12345678U
#define LOCAL_REFID 0x7f7f0101U

static struct timespec now = { .tv_sec = 1700000000 };
static const struct cmdmon_origin unix_origin = { .unix_socket = true };

static struct cmdmon_origin udp_from(const char *ip)
{
    struct cmdmon_origin o = { .unix_socket = false };
    addr_parse(ip, &o.ip);
    return o;
}

/* A daemon with no sockets: conf lines, then the server state, the client
 * side and the command server as main starts them. */
static void start(const char *const *lines)
{
    cmdmon_finish();
    ntp_client_finish();
    ntp_serve_finish();
    sched_init();
    log_set_threshold(LOG_LVL_ERR);
    conf_init();
    conf_parse_line("port 0");
    conf_parse_line("cmdport 0");
    conf_parse_line("bindcmdaddress /");
    for (size_t i = 0; lines && lines[i]; i++)
        conf_parse_line(lines[i]);
    ntp_serve_init(conf_settings(), ADDR_UNSPEC);
    ntp_client_init(ADDR_UNSPEC);
    cmdmon_init(conf_settings(), ADDR_UNSPEC, 0, 0);
}

static void stop(void)
{
    cmdmon_finish();
    ntp_client_finish();
    ntp_serve_finish();
    sched_finish();
}

/* A request: header (version 6 unless changed by the caller), data, zero
 * padding up to len (0: the length chronyc 4.8 sends). */
static size_t request(uint8_t *pkt, uint16_t code, const void *data, size_t data_len, size_t len)
{
    if (len == 0) {
        const struct cmdproto_command *c = cmdproto_command(code);
        len = c ? cmdproto_request_len(code, c->reply) : CANDM_REQUEST_HEADER_LEN + data_len;
    }
    memset(pkt, 0, MAX_PKT);
    pkt[0] = CANDM_PROTO_VERSION;
    pkt[1] = CANDM_PKT_TYPE_REQUEST;
    cmdproto_put16(pkt + 4, code);
    cmdproto_put32(pkt + 8, SEQUENCE);
    if (data_len)
        memcpy(pkt + CANDM_REQUEST_HEADER_LEN, data, data_len);
    return len;
}

struct answer {
    size_t len;
    uint16_t reply, status;
    uint8_t bytes[MAX_PKT];
};

/* the reply's data, after its header */
#define DATA(a) ((a).bytes + CANDM_REPLY_HEADER_LEN)

static struct answer send_from(const struct cmdmon_origin *from, const uint8_t *pkt, size_t len)
{
    struct answer a;
    memset(&a, 0, sizeof a);
    a.len = cmdmon_process(pkt, len, from, now, a.bytes, sizeof a.bytes);
    if (a.len >= CANDM_REPLY_HEADER_LEN) {
        a.reply = cmdproto_get16(a.bytes + 6);
        a.status = cmdproto_get16(a.bytes + 8);
    }
    return a;
}

/* code with data, over the Unix socket, at chronyc 4.8's length */
static struct answer ask(uint16_t code, const void *data, size_t data_len)
{
    uint8_t pkt[MAX_PKT];
    size_t len = request(pkt, code, data, data_len, 0);
    return send_from(&unix_origin, pkt, len);
}

static struct answer ask_status_only(uint16_t code)
{
    return ask(code, NULL, 0);
}

static struct candm_ip wire_ip(const char *text)
{
    addr_ip ip;
    struct candm_ip w;
    memset(&ip, 0, sizeof ip);
    if (text)
        addr_parse(text, &ip);
    cmdproto_ip_to_wire(&ip, &w);
    return w;
}

static struct candm_req_address address(const char *text)
{
    return (struct candm_req_address){ .ip = wire_ip(text) };
}

static uint32_t index_wire(int32_t i)
{
    uint32_t v;
    cmdproto_put32(&v, (uint32_t)i);
    return v;
}

static void add_source(const char *name, bool online)
{
    struct srcopts o;
    srcopts_defaults(&o);
    o.online = online;
    CHECK(ntp_client_add(name, &o, false));
}

/* ---- chrony's checks, in order ---- */

TEST(header_checks_drop_silently)
{
    uint8_t pkt[MAX_PKT];
    start(NULL);
    size_t len = request(pkt, CANDM_REQ_N_SOURCES, NULL, 0, 0);
    /* shorter than an error reply, longer than any request */
    CHECK_INT(send_from(&unix_origin, pkt, CANDM_REPLY_HEADER_LEN - 1).len, 0);
    CHECK_INT(send_from(&unix_origin, pkt, CANDM_MAX_REQUEST_LEN + 1).len, 0);
    /* not a request; reserved bytes set */
    pkt[1] = CANDM_PKT_TYPE_REPLY;
    CHECK_INT(send_from(&unix_origin, pkt, len).len, 0);
    pkt[1] = CANDM_PKT_TYPE_REQUEST;
    pkt[2] = 1;
    CHECK_INT(send_from(&unix_origin, pkt, len).len, 0);
    pkt[2] = 0;
    pkt[3] = 1;
    CHECK_INT(send_from(&unix_origin, pkt, len).len, 0);
    pkt[3] = 0;
    /* versions before 5 are not answered */
    pkt[0] = 4;
    CHECK_INT(send_from(&unix_origin, pkt, len).len, 0);
    pkt[0] = CANDM_PROTO_VERSION;
    CHECK_INT(send_from(&unix_origin, pkt, len).len, CANDM_REPLY_HEADER_LEN + 4);
    stop();
}

TEST(bad_version_gets_version_6_answer)
{
    uint8_t pkt[MAX_PKT];
    start(NULL);
    static const int versions[] = { 5, 7, 255 };
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        size_t len = request(pkt, CANDM_REQ_TRACKING, NULL, 0, 0);
        pkt[0] = (uint8_t)versions[i];
        struct answer a = send_from(&unix_origin, pkt, len);
        CHECK_INT(a.len, CANDM_REPLY_HEADER_LEN);
        CHECK_INT(a.status, CANDM_STT_BADPKTVERSION);
        CHECK_INT(a.reply, CANDM_RPY_NULL);
        CHECK_INT(a.bytes[0], CANDM_PROTO_VERSION);
        CHECK_INT(a.bytes[1], CANDM_PKT_TYPE_REPLY);
        CHECK_INT(cmdproto_get16(a.bytes + 4), CANDM_REQ_TRACKING);
        CHECK_INT(cmdproto_get32(a.bytes + 16), SEQUENCE);
    }
    stop();
}

TEST(unknown_codes_are_invalid)
{
    uint8_t pkt[MAX_PKT];
    start(NULL);
    /* obsolete, never assigned, past the end */
    static const uint16_t codes[] = { CANDM_REQ_ADD_SERVER, CANDM_REQ_CLIENT_ACCESSES_BY_INDEX2,
                                      CANDM_N_REQUEST_TYPES, 1000, 0xffff };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        size_t len = request(pkt, codes[i], NULL, 0, 100);
        struct answer a = send_from(&unix_origin, pkt, len);
        CHECK_INT(a.len, CANDM_REPLY_HEADER_LEN);
        CHECK_INT(a.status, CANDM_STT_INVALID);
    }
    stop();
}

/* LOGON (10), as Debian's chronyd 4.3 answers it (measured with
 * test/tools/cmdprobe): BADPKTLENGTH below its 32 bytes, "500 Failure"
 * from there on, on the Unix socket and on UDP alike. */
TEST(obsolete_logon_fails_as_in_chrony_43)
{
    uint8_t pkt[MAX_PKT];
    start(NULL);
    struct cmdmon_origin lo = udp_from("127.0.0.1");
    static const struct { size_t len; uint16_t status; } cases[] = {
        { 28, CANDM_STT_BADPKTLENGTH }, { 31, CANDM_STT_BADPKTLENGTH },
        { 32, CANDM_STT_FAILED }, { 40, CANDM_STT_FAILED }, { 860, CANDM_STT_FAILED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = request(pkt, CANDM_REQ_LOGON, NULL, 0, cases[i].len);
        struct answer a = send_from(&unix_origin, pkt, len);
        CHECK_INT(a.status, cases[i].status);
        CHECK_INT(a.reply, CANDM_RPY_NULL);
        CHECK_INT(a.len, CANDM_REPLY_HEADER_LEN);
        CHECK_INT(send_from(&lo, pkt, len).status, cases[i].status);
    }
    stop();
}

TEST(short_requests_get_bad_length_never_a_longer_reply)
{
    uint8_t pkt[MAX_PKT];
    start(NULL);
    /* every known code one byte short of its shortest form */
    for (uint16_t code = 0; code < CANDM_N_REQUEST_TYPES; code++) {
        size_t min = cmdproto_min_request_len(code);
        if (min <= CANDM_REPLY_HEADER_LEN)
            continue;
        size_t len = request(pkt, code, NULL, 0, min - 1);
        struct answer a = send_from(&unix_origin, pkt, len);
        CHECK_INT(a.status, CANDM_STT_BADPKTLENGTH);
        CHECK_INT(a.len, CANDM_REPLY_HEADER_LEN);
    }
    /* no reply is ever longer than its request */
    for (uint16_t code = 0; code < CANDM_N_REQUEST_TYPES; code++) {
        if (code == CANDM_REQ_SHUTDOWN || !cmdproto_command(code))
            continue;
        for (size_t len = CANDM_REPLY_HEADER_LEN; len <= CANDM_MAX_REQUEST_LEN; len += 52) {
            request(pkt, code, NULL, 0, len);
            struct answer a = send_from(&unix_origin, pkt, len);
            CHECK(a.len <= len);
        }
    }
    stop();
}

/* ---- the UDP port ---- */

TEST(udp_serves_only_the_open_set)
{
    start(NULL);
    struct cmdmon_origin lo = udp_from("127.0.0.1"), lo6 = udp_from("::1");
    uint8_t pkt[MAX_PKT];
    for (uint16_t code = 0; code < CANDM_N_REQUEST_TYPES; code++) {
        const struct cmdproto_command *c = cmdproto_command(code);
        if (!c || code == CANDM_REQ_SHUTDOWN)
            continue;
        size_t len = request(pkt, code, NULL, 0, 0);
        struct answer a = send_from(&lo, pkt, len);
        /* the default opencommands is chrony 4.3's open set */
        if (c->open)
            CHECK(a.status != CANDM_STT_UNAUTH);
        else
            CHECK_INT(a.status, CANDM_STT_UNAUTH);
        CHECK_INT(send_from(&lo6, pkt, len).status, a.status);
    }
    /* the whole set through the Unix socket: nothing unauthorised */
    for (uint16_t code = 0; code < CANDM_N_REQUEST_TYPES; code++) {
        if (!cmdproto_command(code) || code == CANDM_REQ_SHUTDOWN)
            continue;
        CHECK(ask_status_only(code).status != CANDM_STT_UNAUTH);
    }
    stop();
}

TEST(opencommands_changes_the_open_set)
{
    const char *lines[] = { "opencommands serverstats tracking", NULL };
    start(lines);
    struct cmdmon_origin lo = udp_from("127.0.0.1");
    uint8_t pkt[MAX_PKT];
    size_t len = request(pkt, CANDM_REQ_SERVER_STATS, NULL, 0, 0);
    CHECK_INT(send_from(&lo, pkt, len).reply, CANDM_RPY_SERVER_STATS4);
    len = request(pkt, CANDM_REQ_N_SOURCES, NULL, 0, 0);
    CHECK_INT(send_from(&lo, pkt, len).status, CANDM_STT_UNAUTH);
    len = request(pkt, CANDM_REQ_TRACKING, NULL, 0, 0);
    CHECK_INT(send_from(&lo, pkt, len).reply, CANDM_RPY_TRACKING);
    stop();
}

TEST(remote_hosts_need_cmdallow)
{
    const char *lines[] = { "cmdallow 10.1.0.0/16", "cmddeny 10.1.2.0/24", NULL };
    start(lines);
    uint8_t pkt[MAX_PKT];
    size_t len = request(pkt, CANDM_REQ_N_SOURCES, NULL, 0, 0);
    struct cmdmon_origin allowed = udp_from("10.1.1.1"), denied = udp_from("10.1.2.1"),
                         other = udp_from("192.0.2.1"), lo2 = udp_from("127.0.0.2");
    CHECK_INT(send_from(&allowed, pkt, len).reply, CANDM_RPY_N_SOURCES);
    CHECK_INT(send_from(&denied, pkt, len).len, 0);
    CHECK_INT(send_from(&other, pkt, len).len, 0);
    /* only 127.0.0.1 and ::1 are localhost */
    CHECK_INT(send_from(&lo2, pkt, len).len, 0);

    /* cmdaccheck reads the table; cmdallow/cmddeny change it */
    struct candm_req_address q = address("10.1.1.1");
    CHECK_INT(ask(CANDM_REQ_CMDACCHECK, &q, sizeof q).status, CANDM_STT_ACCESSALLOWED);
    q = address("192.0.2.1");
    CHECK_INT(ask(CANDM_REQ_CMDACCHECK, &q, sizeof q).status, CANDM_STT_ACCESSDENIED);
    struct candm_req_allow_deny rule = { .ip = wire_ip("192.0.2.0"), .subnet_bits = index_wire(24) };
    CHECK_INT(ask(CANDM_REQ_CMDALLOW, &rule, sizeof rule).status, CANDM_STT_SUCCESS);
    CHECK_INT(ask(CANDM_REQ_CMDACCHECK, &q, sizeof q).status, CANDM_STT_ACCESSALLOWED);
    CHECK_INT(send_from(&other, pkt, len).reply, CANDM_RPY_N_SOURCES);
    CHECK_INT(ask(CANDM_REQ_CMDDENYALL, &rule, sizeof rule).status, CANDM_STT_SUCCESS);
    CHECK_INT(send_from(&other, pkt, len).len, 0);
    /* a prefix that does not fit: BADSUBNET */
    rule.subnet_bits = index_wire(33);
    CHECK_INT(ask(CANDM_REQ_CMDALLOW, &rule, sizeof rule).status, CANDM_STT_BADSUBNET);
    stop();
}

TEST(cmdratelimit_spares_localhost)
{
    const char *lines[] = { "cmdallow 10.0.0.0/8", "cmdratelimit interval 4 burst 1 leak 4", NULL };
    start(lines);
    uint8_t pkt[MAX_PKT];
    size_t len = request(pkt, CANDM_REQ_N_SOURCES, NULL, 0, 0);
    struct cmdmon_origin remote = udp_from("10.0.0.1"), lo = udp_from("127.0.0.1");
    int answered = 0, answered_lo = 0;
    for (int i = 0; i < 32; i++) {
        answered += send_from(&remote, pkt, len).len > 0;
        answered_lo += send_from(&lo, pkt, len).len > 0;
    }
    CHECK(answered >= 1 && answered < 16);
    CHECK_INT(answered_lo, 32);
    /* the drops are counted as chrony counts them */
    struct answer a = ask_status_only(CANDM_REQ_SERVER_STATS);
    const struct candm_rpy_server_stats4 *s = (const void *)DATA(a);
    CHECK_INT(cmdproto_int64_from_wire(&s->cmd_drops), 32 - answered);
    CHECK_INT(cmdproto_int64_from_wire(&s->cmd_hits), 65);
    stop();
}

/* ---- reply forms ---- */

TEST(serverstats_form_follows_request_length)
{
    uint8_t pkt[MAX_PKT];
    start(NULL);
    size_t len43 = cmdproto_request_len(CANDM_REQ_SERVER_STATS, CANDM_RPY_SERVER_STATS3);
    size_t len48 = cmdproto_request_len(CANDM_REQ_SERVER_STATS, CANDM_RPY_SERVER_STATS4);
    request(pkt, CANDM_REQ_SERVER_STATS, NULL, 0, len43);
    struct answer a = send_from(&unix_origin, pkt, len43);
    CHECK_INT(a.reply, CANDM_RPY_SERVER_STATS3);
    CHECK_INT(a.len, len43);
    const struct candm_rpy_server_stats3 *s3 = (const void *)DATA(a);
    CHECK_INT(cmdproto_get32(&s3->cmd_hits), 1);
    request(pkt, CANDM_REQ_SERVER_STATS, NULL, 0, len48);
    a = send_from(&unix_origin, pkt, len48);
    CHECK_INT(a.reply, CANDM_RPY_SERVER_STATS4);
    CHECK_INT(a.len, len48);
    const struct candm_rpy_server_stats4 *s4 = (const void *)DATA(a);
    CHECK_INT(cmdproto_int64_from_wire(&s4->cmd_hits), 2);
    CHECK_INT(cmdproto_get32(&s4->reserved[3].low), 0xffffffffU);
    stop();
}

TEST(ntpdata_form_follows_request_length)
{
    uint8_t pkt[MAX_PKT];
    start(NULL);
    add_source("127.0.0.5", false);
    struct candm_req_address q = address("127.0.0.5");
    size_t len43 = cmdproto_request_len(CANDM_REQ_NTP_DATA, CANDM_RPY_NTP_DATA);
    request(pkt, CANDM_REQ_NTP_DATA, &q, sizeof q, len43);
    struct answer a = send_from(&unix_origin, pkt, len43);
    CHECK_INT(a.reply, CANDM_RPY_NTP_DATA);
    CHECK_INT(a.len, len43);
    /* as Debian's chronyd 4.3 answers for an offline source that never
     * answered: its address and port, zeros, reserved words of ones */
    uint8_t expect[sizeof(struct candm_rpy_ntp_data)];
    memset(expect, 0, sizeof expect);
    expect[0] = 0x7f;
    expect[3] = 5;
    expect[17] = CANDM_IPADDR_INET4;
    expect[41] = 123;
    memset(expect + sizeof expect - 12, 0xff, 12);
    CHECK(memcmp(DATA(a), expect, sizeof expect) == 0);

    a = ask(CANDM_REQ_NTP_DATA, &q, sizeof q);
    CHECK_INT(a.reply, CANDM_RPY_NTP_DATA2);
    q = address("127.0.0.6");
    CHECK_INT(ask(CANDM_REQ_NTP_DATA, &q, sizeof q).status, CANDM_STT_NOSUCHSOURCE);
    stop();
}

/* ---- sources ---- */

TEST(sources_report_as_chrony)
{
    start(NULL);
    add_source("127.0.0.5", false);
    add_source("::1", true);
    add_source("name.invalid", true);
    struct answer a = ask_status_only(CANDM_REQ_N_SOURCES);
    CHECK_INT(a.reply, CANDM_RPY_N_SOURCES);
    CHECK_INT(cmdproto_get32(DATA(a)), 3);

    /* bytes of Debian's chronyd 4.3 for the same offline source */
    uint32_t i = index_wire(0);
    a = ask(CANDM_REQ_SOURCE_DATA, &i, sizeof i);
    static const uint8_t expect0[] = {
        0x7f, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
        0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    CHECK_INT(a.len, CANDM_REPLY_HEADER_LEN + sizeof expect0);
    CHECK(memcmp(DATA(a), expect0, sizeof expect0) == 0);

    /* the name waiting for the resolver: ID address 1 */
    i = index_wire(2);
    a = ask(CANDM_REQ_SOURCE_DATA, &i, sizeof i);
    const struct candm_rpy_source_data *sd = (const void *)DATA(a);
    CHECK_INT(cmdproto_get16(&sd->ip_addr.family), CANDM_IPADDR_ID);
    CHECK_INT(cmdproto_get32(sd->ip_addr.addr), 1);
    CHECK_INT(cmdproto_get16(&sd->state), CANDM_SD_STATE_NONSELECTABLE);
    CHECK_INT(cmdproto_get16(&sd->poll), 6);

    i = index_wire(3);
    CHECK_INT(ask(CANDM_REQ_SOURCE_DATA, &i, sizeof i).status, CANDM_STT_NOSUCHSOURCE);
    i = index_wire(-1);
    CHECK_INT(ask(CANDM_REQ_SOURCE_DATA, &i, sizeof i).status, CANDM_STT_NOSUCHSOURCE);

    /* sourcename of the ID and of an address */
    struct candm_req_address q = { .ip = { .family = 0 } };
    cmdproto_put16(&q.ip.family, CANDM_IPADDR_ID);
    cmdproto_put32(q.ip.addr, 1);
    a = ask(CANDM_REQ_NTP_SOURCE_NAME, &q, sizeof q);
    CHECK_INT(a.reply, CANDM_RPY_NTP_SOURCE_NAME);
    CHECK_STR((const char *)DATA(a), "name.invalid");
    q = address("::1");
    a = ask(CANDM_REQ_NTP_SOURCE_NAME, &q, sizeof q);
    CHECK_STR((const char *)DATA(a), "::1");

    /* not started: every resolved source is offline, the name unresolved */
    a = ask_status_only(CANDM_REQ_ACTIVITY);
    const struct candm_rpy_activity *act = (const void *)DATA(a);
    CHECK_INT(cmdproto_get32(&act->online), 0);
    CHECK_INT(cmdproto_get32(&act->offline), 2);
    CHECK_INT(cmdproto_get32(&act->unresolved), 1);

    /* sourcestats before any sample: chrony's starting values */
    i = index_wire(0);
    a = ask(CANDM_REQ_SOURCESTATS, &i, sizeof i);
    const struct candm_rpy_sourcestats *ss = (const void *)DATA(a);
    CHECK_INT(cmdproto_get32(&ss->ref_id), 0x7f000005);
    CHECK_INT(cmdproto_get32(&ss->n_samples), 0);
    CHECK_NEAR(cmdproto_float_from_wire(ss->sd), 4.0, 1e-9);
    CHECK_NEAR(cmdproto_float_from_wire(ss->skew_ppm), 2000.0, 1e-6);
    stop();
}

TEST(source_control)
{
    start(NULL);
    add_source("127.0.0.5", false);
    add_source("127.0.0.6", false);
    struct candm_req_online on = { .mask = wire_ip(NULL), .address = wire_ip(NULL) };

    /* all online, then one offline by address */
    CHECK_INT(ask(CANDM_REQ_ONLINE, &on, sizeof on).status, CANDM_STT_SUCCESS);
    struct answer a = ask_status_only(CANDM_REQ_ACTIVITY);
    CHECK_INT(cmdproto_get32(&((const struct candm_rpy_activity *)DATA(a))->online), 2);
    on.address = wire_ip("127.0.0.6");
    on.mask = wire_ip("255.255.255.255");
    CHECK_INT(ask(CANDM_REQ_OFFLINE, &on, sizeof on).status, CANDM_STT_SUCCESS);
    a = ask_status_only(CANDM_REQ_ACTIVITY);
    CHECK_INT(cmdproto_get32(&((const struct candm_rpy_activity *)DATA(a))->online), 1);
    CHECK_INT(cmdproto_get32(&((const struct candm_rpy_activity *)DATA(a))->offline), 1);
    /* a mask selects a subnet */
    on.address = wire_ip("127.0.0.0");
    on.mask = wire_ip("255.255.255.0");
    CHECK_INT(ask(CANDM_REQ_OFFLINE, &on, sizeof on).status, CANDM_STT_SUCCESS);
    a = ask_status_only(CANDM_REQ_ACTIVITY);
    CHECK_INT(cmdproto_get32(&((const struct candm_rpy_activity *)DATA(a))->offline), 2);
    on.address = wire_ip("192.0.2.1");
    CHECK_INT(ask(CANDM_REQ_ONLINE, &on, sizeof on).status, CANDM_STT_NOSUCHSOURCE);

    /* burst from offline */
    struct candm_req_burst b = { .mask = wire_ip(NULL), .address = wire_ip("127.0.0.5"),
                                 .n_good_samples = index_wire(1), .n_total_samples = index_wire(2) };
    CHECK_INT(ask(CANDM_REQ_BURST, &b, sizeof b).status, CANDM_STT_SUCCESS);
    a = ask_status_only(CANDM_REQ_ACTIVITY);
    CHECK_INT(cmdproto_get32(&((const struct candm_rpy_activity *)DATA(a))->burst_offline), 1);
    b.address = wire_ip("192.0.2.1");
    CHECK_INT(ask(CANDM_REQ_BURST, &b, sizeof b).status, CANDM_STT_NOSUCHSOURCE);

    /* maxpoll below minpoll drags minpoll along; out of range is ignored */
    struct candm_req_modify_int m = { .address = wire_ip("127.0.0.6"), .value = index_wire(4) };
    CHECK_INT(ask(CANDM_REQ_MODIFY_MAXPOLL, &m, sizeof m).status, CANDM_STT_SUCCESS);
    struct ntp_client_info info;
    CHECK(ntp_client_get_info(1, &info));
    CHECK_INT(info.report.maxpoll, 4);
    CHECK_INT(info.report.minpoll, 4);
    m.value = index_wire(100);
    CHECK_INT(ask(CANDM_REQ_MODIFY_MINPOLL, &m, sizeof m).status, CANDM_STT_SUCCESS);
    CHECK(ntp_client_get_info(1, &info));
    CHECK_INT(info.report.minpoll, 4);
    m.address = wire_ip("192.0.2.1");
    CHECK_INT(ask(CANDM_REQ_MODIFY_MINPOLL, &m, sizeof m).status, CANDM_STT_NOSUCHSOURCE);
    struct candm_req_modify_float f = { .address = wire_ip("127.0.0.5"),
                                        .value = cmdproto_float_to_wire(0.25) };
    CHECK_INT(ask(CANDM_REQ_MODIFY_MAXDELAY, &f, sizeof f).status, CANDM_STT_SUCCESS);
    CHECK(ntp_client_get_info(0, &info));
    CHECK_NEAR(info.opts->max_delay_s, 0.25, 1e-9);

    /* delete */
    struct candm_req_address q = address("127.0.0.5");
    CHECK_INT(ask(CANDM_REQ_DEL_SOURCE, &q, sizeof q).status, CANDM_STT_SUCCESS);
    CHECK_INT(ask(CANDM_REQ_DEL_SOURCE, &q, sizeof q).status, CANDM_STT_NOSUCHSOURCE);
    CHECK_INT(ntp_client_count(), 1);
    stop();
}

static struct candm_req_ntp_source add_request(uint32_t type, const char *name, uint32_t flags)
{
    struct candm_req_ntp_source s;
    memset(&s, 0, sizeof s);
    cmdproto_put32(&s.type, type);
    memcpy(s.name, name, strlen(name) < sizeof s.name ? strlen(name) : sizeof s.name);
    cmdproto_put32(&s.port, 123);
    cmdproto_put32(&s.minpoll, 6);
    cmdproto_put32(&s.maxpoll, 10);
    cmdproto_put32(&s.poll_target, 8);
    cmdproto_put32(&s.max_sources, 4);
    cmdproto_put32(&s.min_samples, (uint32_t)-1);
    cmdproto_put32(&s.max_samples, (uint32_t)-1);
    s.max_delay = cmdproto_float_to_wire(3.0);
    s.max_delay_dev_ratio = cmdproto_float_to_wire(10.0);
    s.asymmetry = cmdproto_float_to_wire(1.0);
    cmdproto_put32(&s.flags, flags);
    return s;
}

TEST(add_source_statuses)
{
    start(NULL);
    struct candm_req_ntp_source s = add_request(CANDM_ADDSRC_SERVER, "127.0.0.7",
                                                CANDM_ADDSRC_IBURST | CANDM_ADDSRC_PREFER);
    CHECK_INT(ask(CANDM_REQ_ADD_SOURCE, &s, sizeof s).status, CANDM_STT_SUCCESS);
    struct ntp_client_info info;
    CHECK(ntp_client_get_info(0, &info));
    CHECK(info.opts->iburst && !info.opts->online);
    CHECK_INT(info.opts->sel_options, SRCOPTS_SEL_PREFER);
    /* the same address again, on any port */
    cmdproto_put32(&s.port, 1123);
    CHECK_INT(ask(CANDM_REQ_ADD_SOURCE, &s, sizeof s).status, CANDM_STT_SOURCEALREADYKNOWN);
    /* names: printable, NUL-terminated */
    s = add_request(CANDM_ADDSRC_SERVER, "a b", 0);
    CHECK_INT(ask(CANDM_REQ_ADD_SOURCE, &s, sizeof s).status, CANDM_STT_INVALIDNAME);
    memset(s.name, 'a', sizeof s.name);
    CHECK_INT(ask(CANDM_REQ_ADD_SOURCE, &s, sizeof s).status, CANDM_STT_INVALIDNAME);
    /* the family option must fit the address */
    s = add_request(CANDM_ADDSRC_SERVER, "127.0.0.8", CANDM_ADDSRC_IPV6);
    CHECK_INT(ask(CANDM_REQ_ADD_SOURCE, &s, sizeof s).status, CANDM_STT_INVALIDAF);
    /* unknown type; symmetric peers are not supported yet */
    s = add_request(0, "127.0.0.8", 0);
    CHECK_INT(ask(CANDM_REQ_ADD_SOURCE, &s, sizeof s).status, CANDM_STT_INVALID);
    s = add_request(CANDM_ADDSRC_PEER, "127.0.0.8", 0);
    CHECK_INT(ask(CANDM_REQ_ADD_SOURCE, &s, sizeof s).status, CANDM_STT_FAILED);
    /* a pool by name: placeholders for twice maxsources */
    s = add_request(CANDM_ADDSRC_POOL, "pool.invalid", CANDM_ADDSRC_ONLINE);
    CHECK_INT(ask(CANDM_REQ_ADD_SOURCE, &s, sizeof s).status, CANDM_STT_SUCCESS);
    CHECK_INT(ntp_client_count(), 9);
    stop();
}

/* ---- NTP access, the local reference ---- */

TEST(allow_deny_accheck)
{
    start(NULL);
    struct candm_req_address q = address("192.0.2.1");
    CHECK_INT(ask(CANDM_REQ_ACCHECK, &q, sizeof q).status, CANDM_STT_ACCESSDENIED);
    struct candm_req_allow_deny rule = { .ip = wire_ip("192.0.2.0"), .subnet_bits = index_wire(24) };
    CHECK_INT(ask(CANDM_REQ_ALLOW, &rule, sizeof rule).status, CANDM_STT_SUCCESS);
    CHECK_INT(ask(CANDM_REQ_ACCHECK, &q, sizeof q).status, CANDM_STT_ACCESSALLOWED);
    rule.ip = wire_ip("192.0.2.1");
    rule.subnet_bits = index_wire(32);
    CHECK_INT(ask(CANDM_REQ_DENY, &rule, sizeof rule).status, CANDM_STT_SUCCESS);
    CHECK_INT(ask(CANDM_REQ_ACCHECK, &q, sizeof q).status, CANDM_STT_ACCESSDENIED);
    /* an unknown family reads as "every address", as in chrony */
    struct candm_req_allow_deny all = { .subnet_bits = 0 };
    cmdproto_put16(&all.ip.family, 7);
    CHECK_INT(ask(CANDM_REQ_ALLOWALL, &all, sizeof all).status, CANDM_STT_SUCCESS);
    CHECK_INT(ask(CANDM_REQ_ACCHECK, &q, sizeof q).status, CANDM_STT_ACCESSALLOWED);
    rule.subnet_bits = index_wire(-1);
    CHECK_INT(ask(CANDM_REQ_ALLOW, &rule, sizeof rule).status, CANDM_STT_BADSUBNET);
    cmdproto_put16(&all.ip.family, CANDM_IPADDR_UNSPEC);
    all.subnet_bits = index_wire(8);
    CHECK_INT(ask(CANDM_REQ_DENY, &all, sizeof all).status, CANDM_STT_BADSUBNET);
    stop();
}

static const struct candm_rpy_tracking *tracking(struct answer *a)
{
    *a = ask_status_only(CANDM_REQ_TRACKING);
    CHECK_INT(a->reply, CANDM_RPY_TRACKING);
    return (const void *)DATA(*a);
}

TEST(local_command_and_tracking)
{
    start(NULL);
    struct answer a;
    /* unsynchronised: Debian's chronyd 4.3 bytes (no frequency known) */
    const struct candm_rpy_tracking *t = tracking(&a);
    CHECK_INT(cmdproto_get32(&t->ref_id), 0);
    CHECK_INT(cmdproto_get16(&t->stratum), 0);
    CHECK_INT(cmdproto_get16(&t->leap_status), 3);
    CHECK_INT(cmdproto_get32(&t->root_delay), 0x04800000U);
    CHECK_INT(cmdproto_get32(&t->root_dispersion), 0x04800000U);
    CHECK_INT(cmdproto_get32(&t->ref_time.sec_low), 0);

    struct candm_req_local3 l = { .on_off = index_wire(1), .stratum = index_wire(5),
                                  .distance = cmdproto_float_to_wire(1.0) };
    CHECK_INT(ask(CANDM_REQ_LOCAL3, &l, sizeof l).status, CANDM_STT_SUCCESS);
    t = tracking(&a);
    CHECK_INT(cmdproto_get32(&t->ref_id), LOCAL_REFID);
    CHECK_INT(cmdproto_get16(&t->stratum), 5);
    CHECK_INT(cmdproto_get16(&t->leap_status), 0);
    CHECK_INT(cmdproto_get32(&t->root_delay), 0);
    CHECK(cmdproto_get32(&t->ref_time.sec_low) != 0);

    /* chronyc 4.3's form; the stratum is clamped as chrony clamps it */
    struct candm_req_local2 l2 = { .on_off = index_wire(1), .stratum = index_wire(40),
                                   .distance = cmdproto_float_to_wire(1.0) };
    CHECK_INT(ask(CANDM_REQ_LOCAL2, &l2, sizeof l2).status, CANDM_STT_SUCCESS);
    CHECK_INT(cmdproto_get16(&tracking(&a)->stratum), 15);

    l.on_off = 0;
    CHECK_INT(ask(CANDM_REQ_LOCAL3, &l, sizeof l).status, CANDM_STT_SUCCESS);
    CHECK_INT(cmdproto_get16(&tracking(&a)->leap_status), 3);
    stop();
}

/* ---- the client log; facilities that are not running ---- */

TEST(clients_report)
{
    start(NULL);
    struct cmdmon_origin lo = udp_from("127.0.0.1");
    uint8_t pkt[MAX_PKT];
    size_t len = request(pkt, CANDM_REQ_N_SOURCES, NULL, 0, 0);
    send_from(&lo, pkt, len);
    send_from(&lo, pkt, len);
    struct candm_req_client_accesses q = { .n_clients = index_wire(20) };
    struct answer a = ask(CANDM_REQ_CLIENT_ACCESSES_BY_INDEX3, &q, sizeof q);
    CHECK_INT(a.reply, CANDM_RPY_CLIENT_ACCESSES_BY_INDEX3);
    const struct candm_rpy_client_accesses *c = (const void *)DATA(a);
    CHECK_INT(cmdproto_get32(&c->n_clients), 1);
    CHECK(cmdproto_get32(&c->n_indices) >= 1);
    CHECK_INT(cmdproto_get32(&c->next_index), cmdproto_get32(&c->n_indices));
    CHECK_INT(cmdproto_get32(&c->clients[0].cmd_hits), 2);
    CHECK_INT(cmdproto_get32(&c->clients[0].ntp_hits), 0);
    CHECK_INT(cmdproto_get32(&c->clients[0].last_ntp_hit_ago), 0xffffffffU);
    stop();

    const char *lines[] = { "noclientlog", NULL };
    start(lines);
    CHECK_INT(ask(CANDM_REQ_CLIENT_ACCESSES_BY_INDEX3, &q, sizeof q).status, CANDM_STT_INACTIVE);
    stop();
}

TEST(absent_facilities)
{
    start(NULL);
    CHECK_INT(ask_status_only(CANDM_REQ_RTCREPORT).status, CANDM_STT_NORTC);
    CHECK_INT(ask_status_only(CANDM_REQ_TRIMRTC).status, CANDM_STT_NORTC);
    CHECK_INT(ask_status_only(CANDM_REQ_WRITERTC).status, CANDM_STT_NORTC);
    CHECK_INT(ask_status_only(CANDM_REQ_SMOOTHING).status, CANDM_STT_NOTENABLED);
    CHECK_INT(ask_status_only(CANDM_REQ_SMOOTHTIME).status, CANDM_STT_NOTENABLED);
    CHECK_INT(ask_status_only(CANDM_REQ_SETTIME).status, CANDM_STT_NOTENABLED);
    CHECK_INT(ask_status_only(CANDM_REQ_MANUAL_DELETE).status, CANDM_STT_BADSAMPLE);
    /* manual input (not started here: no samples, off) */
    uint32_t option = index_wire(CANDM_MANUAL_ON);
    CHECK_INT(ask(CANDM_REQ_MANUAL, &option, sizeof option).status, CANDM_STT_SUCCESS);
    option = index_wire(CANDM_MANUAL_OFF);
    CHECK_INT(ask(CANDM_REQ_MANUAL, &option, sizeof option).status, CANDM_STT_SUCCESS);
    option = index_wire(3);
    CHECK_INT(ask(CANDM_REQ_MANUAL, &option, sizeof option).status, CANDM_STT_INVALID);
    struct answer a = ask_status_only(CANDM_REQ_MANUAL_LIST);
    CHECK_INT(a.reply, CANDM_RPY_MANUAL_LIST2);
    CHECK_INT(cmdproto_get32(DATA(a)), 0);
    /* no source: authdata, ntpdata, sourcename say so */
    struct candm_req_address q = address("127.0.0.1");
    CHECK_INT(ask(CANDM_REQ_AUTH_DATA, &q, sizeof q).status, CANDM_STT_NOSUCHSOURCE);
    CHECK_INT(ask(CANDM_REQ_NTP_SOURCE_NAME, &q, sizeof q).status, CANDM_STT_NOSUCHSOURCE);
    stop();
}

TEST_LIST {
    T(header_checks_drop_silently),
    T(bad_version_gets_version_6_answer),
    T(unknown_codes_are_invalid),
    T(obsolete_logon_fails_as_in_chrony_43),
    T(short_requests_get_bad_length_never_a_longer_reply),
    T(udp_serves_only_the_open_set),
    T(opencommands_changes_the_open_set),
    T(remote_hosts_need_cmdallow),
    T(cmdratelimit_spares_localhost),
    T(serverstats_form_follows_request_length),
    T(ntpdata_form_follows_request_length),
    T(sources_report_as_chrony),
    T(source_control),
    T(add_source_statuses),
    T(allow_deny_accheck),
    T(local_command_and_tracking),
    T(clients_report),
    T(absent_facilities),
};

TEST_MAIN
