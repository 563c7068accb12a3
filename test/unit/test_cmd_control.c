/* Unit tests of the command server's clock and selection commands (dfreq,
 * doffset, makestep with and without THRESHOLD LIMIT, maxupdateskew,
 * selectopts, dump) acting on a live clock discipline: the daemon's
 * modules as main starts them, without sockets, with the null clock driver
 * (chronyd -x: only the discipline's virtual clock moves), and the
 * tracking decisions the settings change (core/tracking). */
#include "chronyd/cmdmon.h"

#include <stdlib.h>
#include <string.h>

#include "chronyd/conf.h"
#include "chronyd/discipline.h"
#include "chronyd/ntp_client.h"
#include "chronyd/ntp_serve.h"
#include "common/cmdproto.h"
#include "common/log.h"
#include "common/ntptime.h"
#include "common/srcopts.h"
#include "core/tracking.h"
#include "harness.h"
#include "ntp_wire.h"
#include "platform/sched.h"
#include "platform/sysclock.h"

#define MAX_PKT 1024
#define SEQUENCE 0x2468ace0U

static struct timespec now = { .tv_sec = 1700000000 };
static const struct cmdmon_origin unix_origin = { .unix_socket = true };

/* A daemon as main starts one with -x, without sockets: conf lines, the
 * server state, the client side, the discipline, the command server. */
static void start(const char *const *lines)
{
    sched_init();
    log_set_threshold(LOG_LVL_ERR);
    conf_init();
    conf_parse_line("port 0");
    conf_parse_line("cmdport 0");
    conf_parse_line("bindcmdaddress /");
    conf_parse_line("clockprecision 0.000001");
    for (size_t i = 0; lines && lines[i]; i++)
        conf_parse_line(lines[i]);
    CHECK_INT(sysclock_init(false), 0);
    ntp_serve_init(conf_settings(), ADDR_UNSPEC);
    ntp_client_init(ADDR_UNSPEC);
    discipline_init(conf_settings(), DISCIPLINE_NORMAL);
    cmdmon_init(conf_settings(), ADDR_UNSPEC, 0, 0);
}

static void stop(void)
{
    cmdmon_finish();
    discipline_finish();
    ntp_client_finish();
    ntp_serve_finish();
    sysclock_finish();
    sched_finish();
}

/* One request over the Unix socket at chronyc 4.8's length; the status. */
static uint16_t ask(uint16_t code, const void *data, size_t data_len, uint8_t *reply_data)
{
    uint8_t pkt[MAX_PKT], out[MAX_PKT];
    const struct cmdproto_command *c = cmdproto_command(code);
    size_t len = cmdproto_request_len(code, c->reply);
    memset(pkt, 0, sizeof pkt);
    pkt[0] = CANDM_PROTO_VERSION;
    pkt[1] = CANDM_PKT_TYPE_REQUEST;
    cmdproto_put16(pkt + 4, code);
    cmdproto_put32(pkt + 8, SEQUENCE);
    if (data_len)
        memcpy(pkt + CANDM_REQUEST_HEADER_LEN, data, data_len);
    size_t n = cmdmon_process(pkt, len, &unix_origin, now, out, sizeof out);
    CHECK(n >= CANDM_REPLY_HEADER_LEN);
    if (n < CANDM_REPLY_HEADER_LEN)
        return 0xffff;
    if (reply_data)
        memcpy(reply_data, out + CANDM_REPLY_HEADER_LEN, n - CANDM_REPLY_HEADER_LEN);
    return cmdproto_get16(out + 8);
}

static uint16_t ask_float(uint16_t code, double value)
{
    struct candm_req_float f = { .value = cmdproto_float_to_wire(value) };
    return ask(code, &f, sizeof f, NULL);
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

static uint32_t u32(uint32_t x)
{
    uint32_t v;
    cmdproto_put32(&v, x);
    return v;
}

static struct discipline_tracking tracking_now(void)
{
    struct discipline_tracking t;
    discipline_get_tracking(&t);
    return t;
}

/* ---- the clock ---- */

TEST(dfreq_changes_the_frequency_and_stays)
{
    start(NULL);
    double before = tracking_now().rep.freq_ppm;
    CHECK_INT(ask_float(CANDM_REQ_DFREQ, 10.0), CANDM_STT_SUCCESS);
    /* chrony: new = old + dfreq * (1 - old), in ppm */
    double expect = before + 10.0 * (1e6 - before) / 1e6;
    CHECK_NEAR(tracking_now().rep.freq_ppm, expect, 1e-6);
    CHECK_NEAR(sysclock_get_frequency_ppm(), -expect, 1e-3);
    CHECK_INT(ask_float(CANDM_REQ_DFREQ, -25.5), CANDM_STT_SUCCESS);
    CHECK_NEAR(tracking_now().rep.freq_ppm, expect - 25.5 * (1e6 - expect) / 1e6, 1e-6);

    /* beyond what the clock can do: clamped, not refused */
    CHECK_INT(ask_float(CANDM_REQ_DFREQ, 1e7), CANDM_STT_SUCCESS);
    double limit = fmin(conf_settings()->max_drift_ppm, sysclock_max_frequency_ppm());
    CHECK_NEAR(tracking_now().rep.freq_ppm, limit, 1e-6);
    stop();
}

TEST(doffset_slews_and_makestep_steps_the_rest)
{
    start(NULL);
    struct discipline_tracking t0 = tracking_now();
    CHECK(!t0.clock_control);
    CHECK_INT(ask_float(CANDM_REQ_DOFFSET2, 0.1), CANDM_STT_SUCCESS);
    /* the correction is pending (cooked time is 0.1 s behind the clock);
     * the virtual clock has hardly moved yet */
    struct discipline_tracking t1 = tracking_now();
    CHECK_NEAR(t1.rep.system_time_s - t0.rep.system_time_s, -0.1, 2e-3);
    CHECK_NEAR(t1.virtual_offset_s - t0.virtual_offset_s, 0.0, 2e-3);

    /* makestep: the rest of the slew at once */
    CHECK_INT(ask(CANDM_REQ_MAKESTEP, NULL, 0, NULL), CANDM_STT_SUCCESS);
    struct discipline_tracking t2 = tracking_now();
    CHECK_NEAR(t2.virtual_offset_s - t0.virtual_offset_s, -0.1, 1e-6);
    CHECK_NEAR(t2.rep.system_time_s - t0.rep.system_time_s, -0.1, 1e-6);

    /* the other way, accumulated */
    CHECK_INT(ask_float(CANDM_REQ_DOFFSET2, -0.25), CANDM_STT_SUCCESS);
    CHECK_INT(ask_float(CANDM_REQ_DOFFSET2, -0.25), CANDM_STT_SUCCESS);
    CHECK_INT(ask(CANDM_REQ_MAKESTEP, NULL, 0, NULL), CANDM_STT_SUCCESS);
    CHECK_NEAR(tracking_now().virtual_offset_s - t0.virtual_offset_s, 0.4, 1e-6);

    /* a time before 1970, or beyond 2^32 s: refused, nothing changes */
    CHECK_INT(ask_float(CANDM_REQ_DOFFSET2, 1e12), CANDM_STT_FAILED);
    CHECK_INT(ask_float(CANDM_REQ_DOFFSET2, -1e12), CANDM_STT_FAILED);
    CHECK_INT(ask_float(CANDM_REQ_DOFFSET2, 4e9), CANDM_STT_FAILED);
    CHECK_NEAR(tracking_now().rep.system_time_s - t0.rep.system_time_s, 0.4, 2e-3);
    stop();
}

TEST(settings_commands_answer_ok)
{
    start(NULL);
    CHECK_INT(ask_float(CANDM_REQ_MODIFY_MAXUPDATESKEW, 5.0), CANDM_STT_SUCCESS);
    struct candm_req_modify_makestep m = { .limit = u32(3),
                                           .threshold = cmdproto_float_to_wire(0.1) };
    CHECK_INT(ask(CANDM_REQ_MODIFY_MAKESTEP, &m, sizeof m, NULL), CANDM_STT_SUCCESS);
    m.limit = u32((uint32_t)-1);
    CHECK_INT(ask(CANDM_REQ_MODIFY_MAKESTEP, &m, sizeof m, NULL), CANDM_STT_SUCCESS);
    /* dump without dumpdir: nothing to do, success (chrony) */
    CHECK_INT(ask(CANDM_REQ_DUMP, NULL, 0, NULL), CANDM_STT_SUCCESS);
    stop();
}

/* ---- selection options ---- */

static void add_source(const char *name, unsigned sel_options)
{
    struct srcopts o;
    srcopts_defaults(&o);
    o.sel_options = sel_options;
    CHECK(ntp_client_add(name, &o, false));
}

static struct candm_req_modify_selectopts selectopts(const char *ip, uint32_t mask,
                                                    uint32_t addsrc_flags)
{
    struct candm_req_modify_selectopts q;
    memset(&q, 0, sizeof q);
    q.address = wire_ip(ip);
    q.mask = u32(mask);
    q.options = u32(addsrc_flags);
    return q;
}

static unsigned conf_options_of(const char *text, unsigned *eff)
{
    addr_ip ip;
    struct discipline_source ds;
    addr_parse(text, &ip);
    CHECK(discipline_find_source(&ip, &ds));
    *eff = ds.eff_options;
    return ds.conf_options;
}

TEST(selectopts_change_conf_and_effective_options)
{
    start(NULL);
    add_source("127.0.0.5", SRCOPTS_SEL_PREFER);
    add_source("127.0.0.6", 0);
    unsigned eff;
    CHECK_INT(conf_options_of("127.0.0.5", &eff), SRCOPTS_SEL_PREFER);

    /* +noselect +trust: the other options stay */
    struct candm_req_modify_selectopts q =
        selectopts("127.0.0.5", CANDM_SELECT_OPT_NOSELECT | CANDM_SELECT_OPT_TRUST,
                   CANDM_ADDSRC_NOSELECT | CANDM_ADDSRC_TRUST);
    CHECK_INT(ask(CANDM_REQ_MODIFY_SELECTOPTS, &q, sizeof q, NULL), CANDM_STT_SUCCESS);
    CHECK_INT(conf_options_of("127.0.0.5", &eff),
              SRCOPTS_SEL_PREFER | SRCOPTS_SEL_NOSELECT | SRCOPTS_SEL_TRUST);
    CHECK_INT(eff, SRCOPTS_SEL_PREFER | SRCOPTS_SEL_NOSELECT | SRCOPTS_SEL_TRUST);
    CHECK_INT(conf_options_of("127.0.0.6", &eff), 0);
    /* kept with the source for a later new engine (ntp_client's record) */
    struct ntp_client_info info;
    CHECK(ntp_client_get_info(0, &info));
    CHECK_INT(info.opts->sel_options, SRCOPTS_SEL_PREFER | SRCOPTS_SEL_NOSELECT | SRCOPTS_SEL_TRUST);

    /* selectdata shows the new options at once (CANDM_SD_OPTION_*) */
    uint8_t data[MAX_PKT];
    uint32_t index = u32(0);
    CHECK_INT(ask(CANDM_REQ_SELECT_DATA, &index, sizeof index, data), CANDM_STT_SUCCESS);
    const struct candm_rpy_select_data *sd = (const void *)data;
    CHECK_INT(cmdproto_get16(&sd->conf_options),
              CANDM_SD_OPTION_PREFER | CANDM_SD_OPTION_NOSELECT | CANDM_SD_OPTION_TRUST);
    CHECK_INT(cmdproto_get16(&sd->eff_options),
              CANDM_SD_OPTION_PREFER | CANDM_SD_OPTION_NOSELECT | CANDM_SD_OPTION_TRUST);

    /* -prefer -noselect */
    q = selectopts("127.0.0.5", CANDM_SELECT_OPT_NOSELECT | CANDM_SELECT_OPT_PREFER, 0);
    CHECK_INT(ask(CANDM_REQ_MODIFY_SELECTOPTS, &q, sizeof q, NULL), CANDM_STT_SUCCESS);
    CHECK_INT(conf_options_of("127.0.0.5", &eff), SRCOPTS_SEL_TRUST);
    /* the same again: nothing to change, still success */
    CHECK_INT(ask(CANDM_REQ_MODIFY_SELECTOPTS, &q, sizeof q, NULL), CANDM_STT_SUCCESS);

    /* no such source; a reference clock by its ID (family UNSPEC): none */
    q = selectopts("192.0.2.1", CANDM_SELECT_OPT_NOSELECT, CANDM_ADDSRC_NOSELECT);
    CHECK_INT(ask(CANDM_REQ_MODIFY_SELECTOPTS, &q, sizeof q, NULL), CANDM_STT_NOSUCHSOURCE);
    q = selectopts(NULL, CANDM_SELECT_OPT_NOSELECT, CANDM_ADDSRC_NOSELECT);
    q.ref_id = u32(0x47505300);
    CHECK_INT(ask(CANDM_REQ_MODIFY_SELECTOPTS, &q, sizeof q, NULL), CANDM_STT_NOSUCHSOURCE);
    stop();
}

TEST(selectopts_follow_authselectmode)
{
    /* authselectmode prefer: with an authenticated source, the others
     * become noselect in effect; making the authenticated one noselect
     * gives them back */
    const char *lines[] = { "authselectmode prefer", NULL };
    start(lines);
    struct srcopts o;
    srcopts_defaults(&o);
    o.key = 1;
    CHECK(ntp_client_add("127.0.0.7", &o, false));
    add_source("127.0.0.8", 0);
    struct candm_req_modify_selectopts q =
        selectopts("127.0.0.7", CANDM_SELECT_OPT_NOSELECT, CANDM_ADDSRC_NOSELECT);
    CHECK_INT(ask(CANDM_REQ_MODIFY_SELECTOPTS, &q, sizeof q, NULL), CANDM_STT_SUCCESS);
    unsigned eff;
    CHECK_INT(conf_options_of("127.0.0.8", &eff), 0);
    CHECK_INT(eff, 0);
    q.options = 0;
    CHECK_INT(ask(CANDM_REQ_MODIFY_SELECTOPTS, &q, sizeof q, NULL), CANDM_STT_SUCCESS);
    conf_options_of("127.0.0.8", &eff);
    CHECK_INT(eff, SRCOPTS_SEL_NOSELECT);
    stop();
}

/* ---- what makestep LIMIT, maxupdateskew and dfreq change in tracking ---- */

#define EPOCH_S 1700000000

static struct select_reference reference(double t, double offset, double freq, double skew)
{
    struct select_reference r;
    memset(&r, 0, sizeof r);
    r.stratum = 2;
    r.leap = NTP_LEAP_NORMAL;
    r.refid = 0xc0000201U;
    r.n_combined = 1;
    r.ref_time = ntptime_add_double((struct timespec){ EPOCH_S, 0 }, t);
    r.offset_s = offset;
    r.offset_sd_s = 1e-6;
    r.frequency = freq;
    r.frequency_sd = skew / 4;
    r.skew = skew;
    r.root_delay_s = 1e-3;
    r.root_dispersion_s = 1e-3;
    return r;
}

static void update(struct tracking *tr, double t, double offset, double freq, double skew,
                   struct tracking_action *act)
{
    struct select_reference r = reference(t, offset, freq, skew);
    struct tracking_clock c;
    memset(&c, 0, sizeof c);
    c.now = r.ref_time;
    c.now_mono = t;
    tracking_update(tr, &r, &c, act);
}

TEST(tracking_makestep_limit_counts_from_the_change)
{
    struct tracking_settings set;
    tracking_default_settings(&set);   /* no makestep: never a step */
    struct tracking *tr = tracking_create(&set, 0.0, 0.0, 0.0);
    struct tracking_action act;
    update(tr, 0, 0.5, 0.0, 1e-6, &act);
    CHECK_NEAR(act.step_offset_s, 0.0, 0);
    CHECK_NEAR(act.slew_offset_s, 0.5, 1e-12);

    tracking_set_makestep(tr, 0.1, 2);
    update(tr, 16, 0.5, 0.0, 1e-6, &act);        /* 1 of 2: stepped */
    CHECK_NEAR(act.step_offset_s, 0.5, 1e-12);
    update(tr, 32, 0.05, 0.0, 1e-6, &act);       /* 2 of 2: under the threshold */
    CHECK_NEAR(act.step_offset_s, 0.0, 0);
    update(tr, 48, 0.5, 0.0, 1e-6, &act);        /* the limit is spent */
    CHECK_NEAR(act.step_offset_s, 0.0, 0);
    CHECK_NEAR(act.slew_offset_s, 0.5, 1e-12);

    tracking_set_makestep(tr, 1.0, -1);          /* every update, new threshold */
    update(tr, 64, 0.5, 0.0, 1e-6, &act);
    CHECK_NEAR(act.step_offset_s, 0.0, 0);
    update(tr, 80, 2.0, 0.0, 1e-6, &act);
    CHECK_NEAR(act.step_offset_s, 2.0, 1e-12);
    tracking_destroy(tr);
}

TEST(tracking_max_update_skew_stops_frequency_updates)
{
    struct tracking_settings set;
    tracking_default_settings(&set);
    /* a drift file's skew of 1 ppm; measured: 10 ppm fast, skew 5 ppm */
    struct tracking *a = tracking_create(&set, 0.0, 1.0, 0.0);
    struct tracking *b = tracking_create(&set, 0.0, 1.0, 0.0);
    tracking_set_max_update_skew(b, 2.0);
    struct tracking_action act;
    update(a, 0, 0.0, 10e-6, 5e-6, &act);
    CHECK(act.freq_ppm > 0.5);                  /* blended in */
    update(b, 0, 0.0, 10e-6, 5e-6, &act);
    CHECK_NEAR(act.freq_ppm, 0.0, 1e-12);       /* skew over the maximum: kept */
    CHECK_NEAR(tracking_get_frequency(b), 0.0, 1e-12);
    tracking_set_max_update_skew(b, 1000.0);
    update(b, 16, 0.0, 10e-6, 5e-6, &act);
    CHECK(act.freq_ppm > 0.5);
    tracking_destroy(a);
    tracking_destroy(b);
}

TEST(tracking_frequency_set_from_outside)
{
    struct tracking_settings set;
    tracking_default_settings(&set);
    struct tracking *tr = tracking_create(&set, 20.0, 0.0, 0.0);
    double dfreq = tracking_set_frequency(tr, 30.0);
    CHECK_NEAR(tracking_get_frequency(tr), 30.0, 1e-12);
    CHECK_NEAR(dfreq, 10.0 / (1e6 - 20.0), 1e-15);
    /* the next update builds on it */
    struct tracking_action act;
    update(tr, 0, 0.0, 0.0, 1e-9, &act);
    CHECK_NEAR(act.freq_ppm, 30.0, 1e-6);
    /* clamped to maxdrift */
    tracking_set_frequency(tr, 1e9);
    CHECK_NEAR(tracking_get_frequency(tr), TRACKING_DEFAULT_MAX_DRIFT_PPM, 1e-6);
    tracking_destroy(tr);
}

TEST_LIST {
    T(dfreq_changes_the_frequency_and_stays),
    T(doffset_slews_and_makestep_steps_the_rest),
    T(settings_commands_answer_ok),
    T(selectopts_change_conf_and_effective_options),
    T(selectopts_follow_authselectmode),
    T(tracking_makestep_limit_counts_from_the_change),
    T(tracking_max_update_skew_stops_frequency_updates),
    T(tracking_frequency_set_from_outside),
};

TEST_MAIN
