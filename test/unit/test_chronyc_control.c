/* Unit tests of chronyc's request builders: the request each command line
 * makes (codes, addresses, masks, flags, older forms) and the messages of
 * bad arguments. The byte-for-byte comparison with Debian's chronyc is in
 * test/system/chronyc_golden.sh. */
#include "harness.h"

#include <arpa/inet.h>
#include <stdlib.h>

#include "chronyc/commands.h"
#include "chronyc/control.h"
#include "common/cmdproto.h"

static struct commands_context ctx;
static char *err_text;
static size_t err_len;
static struct request req;

/* Runs builder on a copy of args; the messages are in err_text. */
static bool build(control_builder builder, const char *args)
{
    char line[COMMANDS_MAX_LINE];
    snprintf(line, sizeof line, "%s", args);
    commands_init_context(&ctx);
    free(err_text);
    err_text = NULL;
    ctx.err = open_memstream(&err_text, &err_len);
    memset(&req, 0xee, sizeof req);
    bool ok = builder(&ctx, line, &req);
    fclose(ctx.err);
    return ok;
}

static uint32_t u32_at(const struct request_form *f, size_t offset)
{
    return cmdproto_get32(f->data + offset);
}

/* "a.b.c.d" as the 20 wire bytes say */
static void check_ip(const struct candm_ip *w, int family, const char *text)
{
    addr_ip ip, want;
    cmdproto_ip_from_wire(w, &ip);
    CHECK_INT(ip.family, family);
    if (text) {
        CHECK(addr_parse(text, &want));
        CHECK(addr_equal(&ip, &want));
    }
}

TEST(burst_and_online)
{
    struct candm_req_burst b;
    CHECK(build(control_burst, "2/4"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_BURST);
    CHECK_INT(req.n_forms, 1);
    CHECK_INT(req.replies[0], CANDM_RPY_NULL);
    memcpy(&b, req.forms[0].data, sizeof b);
    check_ip(&b.mask, ADDR_UNSPEC, NULL);
    check_ip(&b.address, ADDR_UNSPEC, NULL);
    CHECK_INT(ntohl(b.n_good_samples), 2);
    CHECK_INT(ntohl(b.n_total_samples), 4);

    CHECK(build(control_burst, "1/2 127.0.0.0/8 ignored"));
    memcpy(&b, req.forms[0].data, sizeof b);
    check_ip(&b.address, ADDR_INET4, "127.0.0.0");
    check_ip(&b.mask, ADDR_INET4, "255.0.0.0");

    CHECK(build(control_burst, "1/2 255.255.0.0/10.1.0.0"));
    memcpy(&b, req.forms[0].data, sizeof b);
    check_ip(&b.address, ADDR_INET4, "10.1.0.0");
    check_ip(&b.mask, ADDR_INET4, "255.255.0.0");

    CHECK(build(control_burst, "1/2 ::/68"));
    memcpy(&b, req.forms[0].data, sizeof b);
    check_ip(&b.mask, ADDR_INET6, "ffff:ffff:ffff:ffff:f000::");

    /* a source not resolved yet has no mask */
    CHECK(build(control_burst, "1/2 ID#7"));
    memcpy(&b, req.forms[0].data, sizeof b);
    check_ip(&b.address, ADDR_ID, NULL);
    check_ip(&b.mask, ADDR_UNSPEC, NULL);

    CHECK(!build(control_burst, "2"));
    CHECK_STR(err_text, "Invalid syntax for burst command\n");
    CHECK(!build(control_burst, "1/2 1.2.3.4/::1"));
    CHECK_STR(err_text, "Invalid syntax for mask/address\n");

    /* more bits than the family has: all of them */
    struct candm_req_online o;
    CHECK(build(control_online, "127.0.0.1/40"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_ONLINE);
    memcpy(&o, req.forms[0].data, sizeof o);
    check_ip(&o.mask, ADDR_INET4, "255.255.255.255");
    CHECK(build(control_offline, ""));
    CHECK_INT(req.forms[0].command, CANDM_REQ_OFFLINE);
    memcpy(&o, req.forms[0].data, sizeof o);
    check_ip(&o.mask, ADDR_UNSPEC, NULL);
}

TEST(allow_deny_subnets)
{
    static const struct {
        const char *args;
        uint16_t command;
        int family;
        const char *ip;
        int bits;
    } cases[] = {
        { "", CANDM_REQ_ALLOW, ADDR_UNSPEC, NULL, 0 },
        { "all", CANDM_REQ_ALLOWALL, ADDR_UNSPEC, NULL, 0 },
        { "10", CANDM_REQ_ALLOW, ADDR_INET4, "10.0.0.0", 8 },
        { "192.168", CANDM_REQ_ALLOW, ADDR_INET4, "192.168.0.0", 16 },
        { "1.2.3", CANDM_REQ_ALLOW, ADDR_INET4, "1.2.3.0", 24 },
        { "all 10/12", CANDM_REQ_ALLOWALL, ADDR_INET4, "10.0.0.0", 12 },
        { "1.2.3.4", CANDM_REQ_ALLOW, ADDR_INET4, "1.2.3.4", 32 },
        { "2001:db8::/32", CANDM_REQ_ALLOW, ADDR_INET6, "2001:db8::", 32 },
        { "::1", CANDM_REQ_ALLOW, ADDR_INET6, "::1", 128 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK(build(control_allow, cases[i].args));
        CHECK_INT(req.forms[0].command, cases[i].command);
        struct candm_req_allow_deny d;
        memcpy(&d, req.forms[0].data, sizeof d);
        check_ip(&d.ip, cases[i].family, cases[i].ip);
        CHECK_INT(ntohl(d.subnet_bits), cases[i].bits);
    }
    CHECK(build(control_deny, "all"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_DENYALL);
    CHECK(build(control_cmdallow, "1.2"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_CMDALLOW);
    CHECK(build(control_cmddeny, "all 1.2"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_CMDDENYALL);

    static const char *const bad[] = { "256", "1.2.3.4 5", "1.2.3.4/x", "1.2.3.4/-1", "all 1 2" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(!build(control_allow, bad[i]));
        CHECK_STR(err_text, "Could not read address\n");
    }
}

TEST(local_forms)
{
    struct candm_req_local3 l3;
    struct candm_req_local2 l2;
    /* defaults: stratum 10, distance 1; the 4.3 form goes with it */
    CHECK(build(control_local, ""));
    CHECK_INT(req.n_forms, 2);
    CHECK_INT(req.forms[0].command, CANDM_REQ_LOCAL3);
    CHECK_INT(req.forms[1].command, CANDM_REQ_LOCAL2);
    CHECK_INT(req.forms[1].data_len, sizeof l2);
    memcpy(&l3, req.forms[0].data, sizeof l3);
    memcpy(&l2, req.forms[1].data, sizeof l2);
    CHECK_INT(ntohl(l3.on_off), 1);
    CHECK_INT(ntohl(l3.stratum), 10);
    CHECK_NEAR(cmdproto_float_from_wire(l3.distance), 1.0, 0.0);
    CHECK_INT(ntohl(l2.stratum), 10);
    CHECK_INT(l2.distance, l3.distance);

    /* orphan waits 300 s unsynchronised by default: still the 4.3 form */
    CHECK(build(control_local, "stratum 5 orphan distance 0.5"));
    CHECK_INT(req.n_forms, 2);
    memcpy(&l3, req.forms[0].data, sizeof l3);
    CHECK_INT(ntohl(l3.orphan), 1);
    CHECK_NEAR(cmdproto_float_from_wire(l3.wait_unsynced), 300.0, 0.0);

    /* options 4.3 does not have: no older form */
    CHECK(build(control_local, "stratum 5 waitsynced 100"));
    CHECK_INT(req.n_forms, 1);
    CHECK(build(control_local, "activate 0.1"));
    CHECK_INT(req.n_forms, 1);

    CHECK(build(control_local, "off"));
    memcpy(&l3, req.forms[0].data, sizeof l3);
    CHECK_INT(ntohl(l3.on_off), 0);
    CHECK_INT(req.n_forms, 2);

    CHECK(!build(control_local, "stratum 16"));
    CHECK_STR(err_text, "Invalid syntax for local command\n");
    CHECK(!build(control_local, "foo"));
    CHECK_STR(err_text, "Invalid syntax for local command\n");
}

TEST(add_source)
{
    struct candm_req_ntp_source s;
    CHECK(build(control_add, "server 127.0.0.1"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_ADD_SOURCE);
    memcpy(&s, req.forms[0].data, sizeof s);
    CHECK_INT(ntohl(s.type), CANDM_ADDSRC_SERVER);
    CHECK_STR((const char *)s.name, "127.0.0.1");
    CHECK_INT(ntohl(s.port), 123);
    CHECK_INT((int32_t)ntohl(s.minpoll), 6);
    CHECK_INT((int32_t)ntohl(s.maxpoll), 10);
    CHECK_INT(ntohl(s.flags), CANDM_ADDSRC_ONLINE);
    CHECK_INT(ntohl(s.max_unreach), 100000);
    CHECK_INT((int32_t)ntohl(s.min_samples), -1);
    CHECK_NEAR(cmdproto_float_from_wire(s.max_delay), 3.0, 0.0);
    CHECK_NEAR(cmdproto_float_from_wire(s.asymmetry), 1.0, 0.0);

    CHECK(build(control_add, "POOL localhost offline iburst prefer noselect trust require "
                             "xleave burst auto_offline nts copy ipv6 extfield F323 port 4123"));
    memcpy(&s, req.forms[0].data, sizeof s);
    CHECK_INT(ntohl(s.type), CANDM_ADDSRC_POOL);
    CHECK_INT(ntohl(s.port), 4123);
    CHECK_INT(ntohl(s.flags), CANDM_ADDSRC_IBURST | CANDM_ADDSRC_PREFER | CANDM_ADDSRC_NOSELECT |
                              CANDM_ADDSRC_TRUST | CANDM_ADDSRC_REQUIRE |
                              CANDM_ADDSRC_INTERLEAVED | CANDM_ADDSRC_BURST |
                              CANDM_ADDSRC_AUTOOFFLINE | CANDM_ADDSRC_NTS | CANDM_ADDSRC_COPY |
                              CANDM_ADDSRC_IPV6 | CANDM_ADDSRC_EF_EXP_MONO_ROOT);
    CHECK(build(control_add, "peer 127.0.0.1 key 7 maxdelayquant 0.5 maxunreach 3 ipv4"));
    memcpy(&s, req.forms[0].data, sizeof s);
    CHECK_INT(ntohl(s.type), CANDM_ADDSRC_PEER);
    CHECK_INT(ntohl(s.authkey), 7);
    CHECK_INT(ntohl(s.max_unreach), 3);
    CHECK_NEAR(cmdproto_float_from_wire(s.max_delay_quant), 0.5, 0.0);
    CHECK_INT(ntohl(s.flags), CANDM_ADDSRC_ONLINE | CANDM_ADDSRC_IPV4);

    CHECK(!build(control_add, "srv 127.0.0.1"));
    CHECK_STR(err_text, "Invalid syntax for add command\n");
    CHECK(!build(control_add, "server"));
    CHECK_STR(err_text, "Invalid syntax for add command\n");
    CHECK(!build(control_add, "server 127.0.0.1 foo"));
    CHECK_STR(err_text, "Invalid option in add command\n");
    CHECK(!build(control_add, "server 127.0.0.1 minpoll x"));
    CHECK_STR(err_text, "Invalid value in add command\n");
    /* a name too long for the request (checked before any resolving) */
    char line[400];
    snprintf(line, sizeof line, "server %0300d", 1);
    CHECK(!build(control_add, line));
    CHECK_STR(err_text, "Invalid host/IP address\n");
}

TEST(selectopts_and_offset)
{
    struct candm_req_modify_selectopts so;
    CHECK(build(control_selectopts, "127.0.0.1 +prefer -noselect +TRUST"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_MODIFY_SELECTOPTS);
    memcpy(&so, req.forms[0].data, sizeof so);
    check_ip(&so.address, ADDR_INET4, "127.0.0.1");
    CHECK_INT(ntohl(so.ref_id), 0);
    CHECK_INT(ntohl(so.mask), CANDM_SELECT_OPT_PREFER | CANDM_SELECT_OPT_NOSELECT |
                              CANDM_SELECT_OPT_TRUST);
    CHECK_INT(ntohl(so.options), CANDM_ADDSRC_PREFER | CANDM_ADDSRC_TRUST);

    CHECK(build(control_selectopts, "PPS -require"));
    memcpy(&so, req.forms[0].data, sizeof so);
    check_ip(&so.address, ADDR_UNSPEC, NULL);
    CHECK_INT(ntohl(so.ref_id), 0x50505300);
    CHECK_INT(ntohl(so.mask), CANDM_SELECT_OPT_REQUIRE);
    CHECK_INT(ntohl(so.options), 0);

    CHECK(!build(control_selectopts, "127.0.0.1 prefer"));
    CHECK_STR(err_text, "Invalid syntax for selectopts command\n");
    CHECK(!build(control_selectopts, "TOOLONG +prefer"));
    CHECK_STR(err_text, "Invalid syntax for selectopts command\n");

    struct candm_req_modify_offset mo;
    CHECK(build(control_offset, "GPS -0.25"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_MODIFY_OFFSET);
    memcpy(&mo, req.forms[0].data, sizeof mo);
    CHECK_INT(ntohl(mo.ref_id), 0x47505300);
    CHECK_NEAR(cmdproto_float_from_wire(mo.new_offset), -0.25, 0.0);
    CHECK(!build(control_offset, "GPS"));
    CHECK_STR(err_text, "Invalid syntax for offset command\n");
}

TEST(address_value_commands)
{
    struct candm_req_modify_int mi;
    CHECK(build(control_minpoll, "127.0.0.1 -3"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_MODIFY_MINPOLL);
    memcpy(&mi, req.forms[0].data, sizeof mi);
    CHECK_INT((int32_t)ntohl(mi.value), -3);
    CHECK(build(control_polltarget, "ID#3 12"));
    memcpy(&mi, req.forms[0].data, sizeof mi);
    check_ip(&mi.address, ADDR_ID, NULL);

    struct candm_req_modify_float mf;
    CHECK(build(control_maxdelaydevratio, "::1 4"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_MODIFY_MAXDELAYDEVRATIO);
    memcpy(&mf, req.forms[0].data, sizeof mf);
    CHECK_NEAR(cmdproto_float_from_wire(mf.value), 4.0, 0.0);

    /* the value is checked before the address */
    CHECK(!build(control_maxdelay, "127.0.0.1 x"));
    CHECK_STR(err_text, "Invalid syntax for address value\n");
    CHECK(!build(control_maxpoll, "127.0.0.1"));
    CHECK_STR(err_text, "Invalid syntax for address value\n");

    CHECK(build(control_delete, "ID#0000000005"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_DEL_SOURCE);
    CHECK(!build(control_delete, ""));
    CHECK_STR(err_text, "Invalid syntax for address\n");
}

TEST(other_commands)
{
    CHECK(build(control_makestep, ""));
    CHECK_INT(req.forms[0].command, CANDM_REQ_MAKESTEP);
    CHECK_INT(req.forms[0].data_len, 0);
    CHECK(build(control_makestep, "0.1 3"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_MODIFY_MAKESTEP);
    CHECK_INT(u32_at(&req.forms[0], 0), 3);
    CHECK(!build(control_makestep, "0.1"));
    CHECK_STR(err_text, "Bad syntax for makestep command\n");

    /* "delete" is a prefix match, as in chrony */
    CHECK(build(control_manual, "deletex 3"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_MANUAL_DELETE);
    CHECK_INT(u32_at(&req.forms[0], 0), 3);
    CHECK(build(control_manual, "reset"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_MANUAL);
    CHECK_INT(u32_at(&req.forms[0], 0), CANDM_MANUAL_RESET);
    CHECK(!build(control_manual, "delete"));
    CHECK_STR(err_text, "Bad syntax for manual delete command\n");
    CHECK(!build(control_manual, "onx"));
    CHECK_STR(err_text, "Invalid syntax for manual command\n");

    CHECK(build(control_smoothtime, "activate"));
    CHECK_INT(u32_at(&req.forms[0], 0), CANDM_SMOOTHTIME_ACTIVATE);
    CHECK(!build(control_smoothtime, "on"));
    CHECK_STR(err_text, "Invalid syntax for smoothtime command\n");

    CHECK(build(control_doffset, "-0.5"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_DOFFSET2);
    CHECK(!build(control_dfreq, ""));
    CHECK_STR(err_text, "Invalid value\n");
    /* chrony says nothing about these */
    CHECK(!build(control_maxupdateskew, "x"));
    CHECK_STR(err_text, "");
    CHECK(!build(control_reselectdist, ""));
    CHECK_STR(err_text, "");

    CHECK(build(control_reload, "sources"));
    CHECK_INT(req.forms[0].command, CANDM_REQ_RELOAD_SOURCES);
    CHECK(!build(control_reset, "source"));
    CHECK_STR(err_text, "Invalid syntax for reset command\n");
    CHECK(build(control_dump, ""));
    CHECK_INT(req.forms[0].data_len, sizeof(struct candm_req_dump));
    CHECK(!build(control_accheck, ""));
    CHECK_STR(err_text, "Could not read address\n");
    free(err_text);
    err_text = NULL;
}

TEST_LIST {
    T(burst_and_online),
    T(allow_deny_subnets),
    T(local_forms),
    T(add_source),
    T(selectopts_and_offset),
    T(address_value_commands),
    T(other_commands),
};
TEST_MAIN
