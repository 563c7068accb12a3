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
 * host anyway: the sources are never started).
 *
 * The clock discipline runs as in chronyd -x (the null clock driver: the
 * system clock is read, never changed), so makestep, dfreq, doffset,
 * settime, manual, local, reselect... reach a live discipline. As a second
 * guard the process gives up CAP_SYS_TIME first, so even a call the null
 * driver should not make is refused by the kernel. The main loop never
 * runs: timers set by a request (slews, leap seconds) never fire.
 *
 * Names never leave the host either: an ADD_SOURCE or REFRESH with a name
 * reaches the resolver, whose getaddrinfo() would ask the system's DNS
 * server (off this host; and resolver_finish() at a rebuild waits for the
 * answer, which made inputs time out). This file defines getaddrinfo() and
 * getnameinfo(), which the link prefers to the C library's: they answer
 * "no such name" at once, numeric addresses included (the daemon never
 * sends those to the resolver). */
#include <netdb.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#if CW_HAVE_LIBCAP
#include <sys/capability.h>
#endif

#include "chronyd/cmdmon.h"
#include "chronyd/conf.h"
#include "chronyd/discipline.h"
#include "chronyd/manual_input.h"
#include "chronyd/ntp_client.h"
#include "chronyd/ntp_serve.h"
#include "common/cmdproto.h"
#include "common/log.h"
#include "platform/sched.h"
#include "platform/sysclock.h"

#define REQUIRE(cond) do { if (!(cond)) __builtin_trap(); } while (0)
#define REBUILD_EVERY 2000
#define MAX_SOURCES 32

enum origin { FROM_UNIX, FROM_LOCALHOST, FROM_ALLOWED, FROM_DENIED, N_ORIGINS };

static const char *const sources[] = { "127.0.0.5", "::1", "127.0.0.6", "name.invalid" };
static unsigned inputs;

/* The link-time stand-ins for the C library's name lookups (see above). */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    (void)node;
    (void)service;
    (void)hints;
    *res = NULL;
    return EAI_NONAME;
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
                char *serv, socklen_t servlen, int flags)
{
    (void)sa;
    (void)salen;
    (void)host;
    (void)hostlen;
    (void)serv;
    (void)servlen;
    (void)flags;
    return EAI_NONAME;
}

static void build(void)
{
    /* the reverse order of the start below */
    cmdmon_finish();
    manual_input_finish();
    discipline_finish();
    ntp_client_finish();
    ntp_serve_finish();
    sysclock_finish();

    sched_init();
    conf_init();
    conf_parse_line("port 0");
    conf_parse_line("cmdport 0");
    conf_parse_line("bindcmdaddress /");
    conf_parse_line("cmdallow 10.0.0.0/8");
    conf_parse_line("allow 127.0.0.0/8");
    conf_parse_line("local stratum 10");
    conf_parse_line("manual");
    /* the null driver, as with -x: it never changes the system clock */
    REQUIRE(sysclock_init(false) == 0);
    REQUIRE(!sysclock_controls_clock());
    ntp_serve_init(conf_settings(), ADDR_UNSPEC);
    ntp_client_init(ADDR_UNSPEC);
    /* as chronyd's main: the discipline before the sources (it hooks into
     * the NTP client) and before manual input (a clock listener) */
    discipline_init(conf_settings(), DISCIPLINE_NORMAL);
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
        struct srcopts o;
        srcopts_defaults(&o);
        o.online = i % 2 == 0;
        ntp_client_add(sources[i], &o, i == 3);
    }
    manual_input_init(conf_settings());
    cmdmon_init(conf_settings(), ADDR_UNSPEC, 0, 0);
}

/* Without CAP_SYS_TIME the kernel refuses every change to the clock. */
static void drop_clock_capability(void)
{
#if CW_HAVE_LIBCAP
    cap_t caps = cap_get_proc();
    cap_value_t sys_time = CAP_SYS_TIME;
    REQUIRE(caps != NULL);
    REQUIRE(cap_set_flag(caps, CAP_EFFECTIVE, 1, &sys_time, CAP_CLEAR) == 0);
    REQUIRE(cap_set_flag(caps, CAP_PERMITTED, 1, &sys_time, CAP_CLEAR) == 0);
    REQUIRE(cap_set_flag(caps, CAP_INHERITABLE, 1, &sys_time, CAP_CLEAR) == 0);
    REQUIRE(cap_set_proc(caps) == 0);
    cap_free(caps);
#endif
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_threshold(LOG_LVL_FATAL);
    drop_clock_capability();
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
