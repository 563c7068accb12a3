/* fuzz_cmd_request: libFuzzer target for the command server's request path
 * (chronyd/cmdmon with the real handlers of cmd_reports and cmd_control),
 * on a daemon without sockets that has a few unstarted NTP sources. The
 * first byte of an input picks where the request comes from (the Unix
 * socket, 127.0.0.1, an address cmdallow admits, or one it does not); the
 * rest is the datagram. Besides the sanitizers, it traps on broken
 * invariants: a reply longer than the request, a reply from a host that is
 * not allowed, a reply that is not a version 6 reply to that request (the
 * same command and sequence), or whose length is not the length of its
 * reply code. The daemon state is rebuilt every so many inputs so that
 * requests that add sources or rules cannot grow it without bound; add
 * requests for a non-loopback address are skipped (nothing ever leaves the
 * host anyway: the sources are never started). */
#include <stdint.h>
#include <string.h>

#include "chronyd/cmdmon.h"
#include "chronyd/conf.h"
#include "chronyd/manual_input.h"
#include "chronyd/ntp_client.h"
#include "chronyd/ntp_serve.h"
#include "common/cmdproto.h"
#include "common/log.h"
#include "platform/sched.h"

#define REQUIRE(cond) do { if (!(cond)) __builtin_trap(); } while (0)
#define REBUILD_EVERY 2000
#define MAX_SOURCES 32

enum origin { FROM_UNIX, FROM_LOCALHOST, FROM_ALLOWED, FROM_DENIED, N_ORIGINS };

static const char *const sources[] = { "127.0.0.5", "::1", "127.0.0.6", "name.invalid" };
static unsigned inputs;

static void build(void)
{
    cmdmon_finish();
    manual_input_finish();
    ntp_client_finish();
    ntp_serve_finish();
    sched_init();
    conf_init();
    conf_parse_line("port 0");
    conf_parse_line("cmdport 0");
    conf_parse_line("bindcmdaddress /");
    conf_parse_line("cmdallow 10.0.0.0/8");
    conf_parse_line("allow 127.0.0.0/8");
    conf_parse_line("local stratum 10");
    conf_parse_line("manual");
    ntp_serve_init(conf_settings(), ADDR_UNSPEC);
    ntp_client_init(ADDR_UNSPEC);
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
        struct srcopts o;
        srcopts_defaults(&o);
        o.online = i % 2 == 0;
        ntp_client_add(sources[i], &o, i == 3);
    }
    /* settime and manual delete reach the sample store (the discipline
     * is not running: nothing is applied) */
    manual_input_init(conf_settings());
    cmdmon_init(conf_settings(), ADDR_UNSPEC, 0, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_threshold(LOG_LVL_FATAL);
    build();
    return 0;
}

/* An ADD_SOURCE naming an address off this host. */
static bool adds_remote_source(const uint8_t *pkt, size_t len)
{
    if (len < CANDM_REQUEST_HEADER_LEN + sizeof(struct candm_req_ntp_source) ||
        cmdproto_get16(pkt + 4) != CANDM_REQ_ADD_SOURCE)
        return false;
    char name[CANDM_SOURCE_NAME_LEN + 1] = "";
    memcpy(name, pkt + CANDM_REQUEST_HEADER_LEN + 4, CANDM_SOURCE_NAME_LEN);
    addr_ip ip;
    if (!addr_parse(name, &ip))
        return false;
    static const uint8_t loopback6[16] = { [15] = 1 };
    return !((ip.family == ADDR_INET4 && (ip.a.in4 >> 24) == 127) ||
             (ip.family == ADDR_INET6 && memcmp(ip.a.in6, loopback6, 16) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t reply[2 * CANDM_MAX_REQUEST_LEN];
    if (size < 1)
        return 0;
    if (++inputs % REBUILD_EVERY == 0 || ntp_client_count() > MAX_SOURCES)
        build();

    const uint8_t *pkt = data + 1;
    size_t len = size - 1;
    if (adds_remote_source(pkt, len))
        return 0;

    struct cmdmon_origin from = { .unix_socket = false };
    static const char *const addresses[] = { NULL, "127.0.0.1", "10.1.2.3", "192.0.2.1" };
    enum origin o = (enum origin)(data[0] % N_ORIGINS);
    if (o == FROM_UNIX)
        from.unix_socket = true;
    else
        addr_parse(addresses[o], &from.ip);

    struct timespec now = { .tv_sec = 1700000000 + (time_t)inputs };
    size_t n = cmdmon_process(pkt, len, &from, now, reply, sizeof reply);
    if (n == 0)
        return 0;

    REQUIRE(n <= len);
    /* cmdallow may have been changed by an earlier input: only a host
     * never admitted is checked */
    REQUIRE(o != FROM_DENIED || cmdmon_access_check(&from.ip));
    REQUIRE(n >= CANDM_REPLY_HEADER_LEN);
    REQUIRE(reply[0] == CANDM_PROTO_VERSION && reply[1] == CANDM_PKT_TYPE_REPLY);
    REQUIRE(reply[2] == 0 && reply[3] == 0);
    REQUIRE(memcmp(reply + 4, pkt + 4, 2) == 0);           /* command */
    REQUIRE(memcmp(reply + 16, pkt + 8, 4) == 0);          /* sequence */
    REQUIRE(n == cmdproto_reply_len(cmdproto_get16(reply + 6)));
    /* data only with success (or an access check's answer) */
    uint16_t status = cmdproto_get16(reply + 8);
    REQUIRE(n == CANDM_REPLY_HEADER_LEN || status == CANDM_STT_SUCCESS);
    return 0;
}
