/* cmd_control: the control requests of the command server. See
 * cmd_control.h. */
#include "chronyd/cmd_control.h"

#include <string.h>

#include "chronyd/discipline.h"
#include "chronyd/logfile.h"
#include "chronyd/manual_input.h"
#include "chronyd/ntp_client.h"
#include "chronyd/ntp_serve.h"
#include "chronyd/smoothing.h"
#include "common/cmdproto.h"
#include "common/log.h"
#include "common/srcopts.h"
#include "core/reference.h"
#include "platform/sched.h"

/* local: the stratum range chrony accepts (it clamps into it) */
#define LOCAL_MIN_STRATUM 1
#define LOCAL_MAX_STRATUM (NTP_MAX_STRATUM - 1)
/* local orphan from chronyc 4.3 (LOCAL2, without waitunsynced): chrony
 * 4.6+'s default wait, as the local directive has it */
#define LOCAL_ORPHAN_WAIT_UNSYNCED_S 300.0

static int32_t i32(const void *field)
{
    return (int32_t)cmdproto_get32(field);
}

static double f32(candm_float f)
{
    return cmdproto_float_from_wire(f);
}

/* ---- NTP sources ---- */

static void set_connectivity(const struct cmdmon_request *rq, struct cmdmon_reply *rp,
                             enum ntp_client_connectivity connectivity)
{
    addr_ip mask, address;
    cmdmon_read_ip(&rq->data.online.mask, &mask);
    cmdmon_read_ip(&rq->data.online.address, &address);
    if (!ntp_client_set_connectivity(&mask, &address, connectivity))
        rp->status = CANDM_STT_NOSUCHSOURCE;
}

void cmd_control_online(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    set_connectivity(rq, rp, NTP_CLIENT_ONLINE);
}

void cmd_control_offline(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    set_connectivity(rq, rp, NTP_CLIENT_OFFLINE);
}

void cmd_control_onoffline(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    addr_ip all = { .family = ADDR_UNSPEC };
    /* chrony answers 200 even with no source to change */
    ntp_client_set_connectivity(&all, &all, NTP_CLIENT_MAYBE_ONLINE);
}

void cmd_control_burst(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    const struct candm_req_burst *b = &rq->data.burst;
    addr_ip mask, address;
    cmdmon_read_ip(&b->mask, &mask);
    cmdmon_read_ip(&b->address, &address);
    if (!ntp_client_burst(&mask, &address, i32(&b->n_good_samples), i32(&b->n_total_samples)))
        rp->status = CANDM_STT_NOSUCHSOURCE;
}

void cmd_control_modify(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    addr_ip ip;
    enum ntp_source_setting what;
    double value;

    switch (rq->command) {
    case CANDM_REQ_MODIFY_MINPOLL:
    case CANDM_REQ_MODIFY_MAXPOLL:
    case CANDM_REQ_MODIFY_MINSTRATUM:
    case CANDM_REQ_MODIFY_POLLTARGET:
        cmdmon_read_ip(&rq->data.modify_int.address, &ip);
        value = i32(&rq->data.modify_int.value);
        what = rq->command == CANDM_REQ_MODIFY_MINPOLL ? NTP_SOURCE_SET_MINPOLL
             : rq->command == CANDM_REQ_MODIFY_MAXPOLL ? NTP_SOURCE_SET_MAXPOLL
             : rq->command == CANDM_REQ_MODIFY_MINSTRATUM ? NTP_SOURCE_SET_MIN_STRATUM
             : NTP_SOURCE_SET_POLL_TARGET;
        break;
    case CANDM_REQ_MODIFY_MAXDELAY:
    case CANDM_REQ_MODIFY_MAXDELAYRATIO:
    case CANDM_REQ_MODIFY_MAXDELAYDEVRATIO:
        cmdmon_read_ip(&rq->data.modify_float.address, &ip);
        value = f32(rq->data.modify_float.value);
        what = rq->command == CANDM_REQ_MODIFY_MAXDELAY ? NTP_SOURCE_SET_MAX_DELAY
             : rq->command == CANDM_REQ_MODIFY_MAXDELAYRATIO ? NTP_SOURCE_SET_MAX_DELAY_RATIO
             : NTP_SOURCE_SET_MAX_DELAY_DEV_RATIO;
        break;
    case CANDM_REQ_MODIFY_OFFSET:
        cmdmon_read_ip(&rq->data.modify_offset.address, &ip);
        /* family UNSPEC names a reference clock by its ID: there are none */
        if (ip.family == ADDR_UNSPEC) {
            rp->status = CANDM_STT_NOSUCHSOURCE;
            return;
        }
        value = f32(rq->data.modify_offset.new_offset);
        what = NTP_SOURCE_SET_OFFSET;
        break;
    default:
        rp->status = CANDM_STT_INVALID;
        return;
    }
    if (!ntp_client_modify(&ip, what, value))
        rp->status = CANDM_STT_NOSUCHSOURCE;
}

/* Whether a source already has this address (any port). */
static bool address_in_use(const addr_ip *ip)
{
    struct ntp_client_info info;
    for (size_t i = 0; ntp_client_get_info(i, &info); i++) {
        if (addr_equal(&info.remote.ip, ip))
            return true;
    }
    return false;
}

static bool printable_name(const char *name)
{
    for (const char *c = name; *c; c++) {
        if (*c <= ' ' || *c > '~')
            return false;
    }
    return true;
}

/* The selection options (SRCOPTS_SEL_*) of an ADD_SOURCE flags word. */
static unsigned select_options_from_flags(uint32_t flags)
{
    return (flags & CANDM_ADDSRC_PREFER ? SRCOPTS_SEL_PREFER : 0) |
           (flags & CANDM_ADDSRC_NOSELECT ? SRCOPTS_SEL_NOSELECT : 0) |
           (flags & CANDM_ADDSRC_TRUST ? SRCOPTS_SEL_TRUST : 0) |
           (flags & CANDM_ADDSRC_REQUIRE ? SRCOPTS_SEL_REQUIRE : 0);
}

/* The options of an ADD_SOURCE request (chrony 4.3 sends zeros where 4.8
 * has maxdelayquant and maxunreach, and chrony reads them as such). */
static void read_source_options(const struct candm_req_ntp_source *q, struct srcopts *o)
{
    uint32_t flags = cmdproto_get32(&q->flags);

    srcopts_defaults(o);
    o->family = flags & CANDM_ADDSRC_IPV4 ? SRCOPTS_FAMILY_INET4
              : flags & CANDM_ADDSRC_IPV6 ? SRCOPTS_FAMILY_INET6 : SRCOPTS_FAMILY_ANY;
    o->port = (int)cmdproto_get32(&q->port);
    o->minpoll = i32(&q->minpoll);
    o->maxpoll = i32(&q->maxpoll);
    o->presend = i32(&q->presend_minpoll);
    o->min_stratum = (int)cmdproto_get32(&q->min_stratum);
    o->poll_target = (int)cmdproto_get32(&q->poll_target);
    o->version = (int)cmdproto_get32(&q->version);
    o->max_sources = (int)cmdproto_get32(&q->max_sources);
    o->min_samples = i32(&q->min_samples);
    o->max_samples = i32(&q->max_samples);
    o->key = cmdproto_get32(&q->authkey);
    o->nts_port = (int)cmdproto_get32(&q->nts_port);
    o->max_delay_s = f32(q->max_delay);
    o->max_delay_ratio = f32(q->max_delay_ratio);
    o->max_delay_dev_ratio = f32(q->max_delay_dev_ratio);
    o->min_delay_s = f32(q->min_delay);
    o->asymmetry = f32(q->asymmetry);
    o->offset_s = f32(q->offset);
    o->filter = i32(&q->filter_length);
    o->cert_set = cmdproto_get32(&q->cert_set);
    o->max_delay_quant = f32(q->max_delay_quant);
    o->max_unreach = i32(&q->max_unreach);

    o->online = flags & CANDM_ADDSRC_ONLINE;
    o->auto_offline = flags & CANDM_ADDSRC_AUTOOFFLINE;
    o->iburst = flags & CANDM_ADDSRC_IBURST;
    o->xleave = flags & CANDM_ADDSRC_INTERLEAVED;
    o->burst = flags & CANDM_ADDSRC_BURST;
    o->nts = flags & CANDM_ADDSRC_NTS;
    o->copy = flags & CANDM_ADDSRC_COPY;
    o->ext_fields = (flags & CANDM_ADDSRC_EF_EXP_MONO_ROOT ? SRCOPTS_EF_EXP_MONO_ROOT : 0) |
                    (flags & CANDM_ADDSRC_EF_NET_CORRECTION ? SRCOPTS_EF_NET_CORRECTION : 0);
    o->sel_options = select_options_from_flags(flags);
}

void cmd_control_add_source(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    const struct candm_req_ntp_source *q = &rq->data.ntp_source;
    uint32_t type = cmdproto_get32(&q->type);
    char name[CANDM_SOURCE_NAME_LEN];
    struct srcopts opts;
    addr_ip ip;

    if (type != CANDM_ADDSRC_SERVER && type != CANDM_ADDSRC_POOL && type != CANDM_ADDSRC_PEER) {
        rp->status = CANDM_STT_INVALID;
        return;
    }
    if (q->name[CANDM_SOURCE_NAME_LEN - 1] != '\0') {
        rp->status = CANDM_STT_INVALIDNAME;
        return;
    }
    memcpy(name, q->name, sizeof name);
    read_source_options(q, &opts);

    if (addr_parse(name, &ip)) {
        int family = opts.family == SRCOPTS_FAMILY_INET4 ? ADDR_INET4
                   : opts.family == SRCOPTS_FAMILY_INET6 ? ADDR_INET6 : ADDR_UNSPEC;
        if (family != ADDR_UNSPEC && family != ip.family) {
            rp->status = CANDM_STT_INVALIDAF;
            return;
        }
        if (address_in_use(&ip)) {
            rp->status = CANDM_STT_SOURCEALREADYKNOWN;
            return;
        }
    } else if (!printable_name(name)) {
        rp->status = CANDM_STT_INVALIDNAME;
        return;
    }
    if (type == CANDM_ADDSRC_PEER) {
        LOG_WARN("Could not add peer %s : symmetric mode is not supported yet", name);
        rp->status = CANDM_STT_FAILED;
        return;
    }
    if (!ntp_client_add(name, &opts, type == CANDM_ADDSRC_POOL))
        rp->status = CANDM_STT_FAILED;
}

void cmd_control_delete_source(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    addr_ip ip;
    cmdmon_read_ip(&rq->data.address.ip, &ip);
    if (!ntp_client_remove(&ip))
        rp->status = CANDM_STT_NOSUCHSOURCE;
}

void cmd_control_refresh(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    ntp_client_refresh();
}

void cmd_control_reload_sources(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    ntp_client_reload_sources();
}

void cmd_control_reset_sources(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    /* the engines first, so the selection the discipline then runs sees
     * them reset */
    ntp_client_reset_sources();
    discipline_reset_sources();
}

void cmd_control_select_options(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    const struct candm_req_modify_selectopts *q = &rq->data.modify_selectopts;
    addr_ip ip;
    cmdmon_read_ip(&q->address, &ip);
    /* the mask has the daemon's own bits (SRCOPTS_SEL_*), the options
     * ADD_SOURCE's flags, as chronyc sends them; family UNSPEC names a
     * reference clock by its ID: there are none */
    unsigned mask = cmdproto_get32(&q->mask);
    unsigned options = select_options_from_flags(cmdproto_get32(&q->options));
    if (ip.family == ADDR_UNSPEC || !discipline_modify_select_options(&ip, mask, options))
        rp->status = CANDM_STT_NOSUCHSOURCE;
}

/* ---- access ---- */

static void read_subnet(const struct cmdmon_request *rq, addr_subnet *subnet)
{
    cmdmon_read_ip(&rq->data.allow_deny.ip, &subnet->ip);
    subnet->bits = i32(&rq->data.allow_deny.subnet_bits);
}

void cmd_control_allow_deny(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    addr_subnet subnet;
    read_subnet(rq, &subnet);
    bool allow = rq->command == CANDM_REQ_ALLOW || rq->command == CANDM_REQ_ALLOWALL;
    bool all = rq->command == CANDM_REQ_ALLOWALL || rq->command == CANDM_REQ_DENYALL;
    if (!ntp_serve_access_add(&subnet, allow, all))
        rp->status = CANDM_STT_BADSUBNET;
}

void cmd_control_cmd_allow_deny(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    addr_subnet subnet;
    read_subnet(rq, &subnet);
    bool allow = rq->command == CANDM_REQ_CMDALLOW || rq->command == CANDM_REQ_CMDALLOWALL;
    bool all = rq->command == CANDM_REQ_CMDALLOWALL || rq->command == CANDM_REQ_CMDDENYALL;
    if (!cmdmon_access_add(&subnet, allow, all))
        rp->status = CANDM_STT_BADSUBNET;
}

void cmd_control_accheck(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    addr_ip ip;
    cmdmon_read_ip(&rq->data.address.ip, &ip);
    rp->status = ntp_serve_access_check(&ip) ? CANDM_STT_ACCESSALLOWED : CANDM_STT_ACCESSDENIED;
}

void cmd_control_cmd_accheck(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    addr_ip ip;
    cmdmon_read_ip(&rq->data.address.ip, &ip);
    rp->status = cmdmon_access_check(&ip) ? CANDM_STT_ACCESSALLOWED : CANDM_STT_ACCESSDENIED;
}

/* ---- the reference and the clock ---- */

void cmd_control_local(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    /* LOCAL2 (chrony 4.3) is the first part of LOCAL3 (4.6+) */
    const struct candm_req_local3 *q = &rq->data.local3;
    struct reference_local local = { .enabled = i32(&q->on_off) != 0 };

    if (local.enabled) {
        int stratum = i32(&q->stratum);
        local.stratum = stratum < LOCAL_MIN_STRATUM ? LOCAL_MIN_STRATUM
                      : stratum > LOCAL_MAX_STRATUM ? LOCAL_MAX_STRATUM : stratum;
        local.distance_s = f32(q->distance);
        bool orphan = i32(&q->orphan) != 0;
        if (rq->command == CANDM_REQ_LOCAL3) {
            local.activate_s = f32(q->activate);
            local.wait_synced_s = f32(q->wait_synced);
            local.wait_unsynced_s = f32(q->wait_unsynced);
        } else {
            local.wait_unsynced_s = orphan ? LOCAL_ORPHAN_WAIT_UNSYNCED_S : 0.0;
        }
    }
    reference_set_local(&local);
}

void cmd_control_make_step(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    if (!discipline_make_step())
        rp->status = CANDM_STT_FAILED;
}

void cmd_control_modify_makestep(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    discipline_set_makestep(f32(rq->data.modify_makestep.threshold),
                            i32(&rq->data.modify_makestep.limit));
}

void cmd_control_max_update_skew(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    discipline_set_max_update_skew(f32(rq->data.single_float.value));
}

void cmd_control_dfreq(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    double dfreq_ppm = f32(rq->data.single_float.value);
    if (!discipline_accumulate_frequency(dfreq_ppm)) {
        rp->status = CANDM_STT_FAILED;
        return;
    }
    LOG_INFO("Accumulated delta freq of %.3fppm", dfreq_ppm);
}

void cmd_control_doffset(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    double offset_s = f32(rq->data.single_float.value);
    if (!discipline_accumulate_offset(offset_s)) {
        rp->status = CANDM_STT_FAILED;
        return;
    }
    LOG_INFO("Accumulated delta offset of %.6f seconds", offset_s);
}

void cmd_control_reselect(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    discipline_reselect();
}

void cmd_control_reselect_distance(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    discipline_set_reselect_distance(f32(rq->data.single_float.value));
}

/* ---- the daemon ---- */

void cmd_control_dump(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    /* the sources' measurements to dumpdir (nothing without one); chrony
     * answers success even when a file could not be written (warned) */
    discipline_dump_all();
}

void cmd_control_cyclelogs(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    logfile_cycle();
}

void cmd_control_rekey(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    /* no keyfile is ever loaded yet: nothing to read again */
}

void cmd_control_shutdown(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    LOG_INFO("Received shutdown command");
    sched_quit();
}

/* ---- facilities this chronyd does not have ---- */

void cmd_control_rtc(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    rp->status = CANDM_STT_NORTC;
}

/* ---- time smoothing (chronyd/smoothing) ---- */

void cmd_control_smoothtime(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    if (!smoothing_enabled()) {
        rp->status = CANDM_STT_NOTENABLED;
        return;
    }
    switch (i32(&rq->data.index.index)) {
    case CANDM_SMOOTHTIME_RESET:
        smoothing_reset();
        break;
    case CANDM_SMOOTHTIME_ACTIVATE:
        smoothing_activate();
        break;
    default:
        rp->status = CANDM_STT_INVALID;
        break;
    }
}

/* ---- manual time input ---- */

void cmd_control_manual(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    switch (i32(&rq->data.index.index)) {
    case CANDM_MANUAL_OFF:
        manual_input_set_enabled(false);
        break;
    case CANDM_MANUAL_ON:
        manual_input_set_enabled(true);
        break;
    case CANDM_MANUAL_RESET:
        manual_input_reset();
        break;
    default:
        rp->status = CANDM_STT_INVALID;
        break;
    }
}

void cmd_control_manual_delete(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    /* works while manual input is off too (chrony) */
    if (!manual_input_delete(i32(&rq->data.index.index)))
        rp->status = CANDM_STT_BADSAMPLE;
}

void cmd_control_settime(const struct cmdmon_request *rq, struct cmdmon_reply *rp)
{
    struct timespec given;
    double offset_s, dfreq_ppm, new_afreq_ppm;
    cmdproto_timespec_from_wire(&rq->data.settime.ts, &given);
    switch (manual_input_settime(&given, &offset_s, &dfreq_ppm, &new_afreq_ppm)) {
    case MANUAL_ACCEPTED:
        rp->reply = CANDM_RPY_MANUAL_TIMESTAMP2;
        rp->data.manual_timestamp.offset = cmdproto_float_to_wire(offset_s);
        rp->data.manual_timestamp.dfreq_ppm = cmdproto_float_to_wire(dfreq_ppm);
        rp->data.manual_timestamp.new_afreq_ppm = cmdproto_float_to_wire(new_afreq_ppm);
        break;
    case MANUAL_DISABLED:
        rp->status = CANDM_STT_NOTENABLED;
        break;
    default:
        /* an insane time, or too soon after the last sample */
        rp->status = CANDM_STT_FAILED;
        break;
    }
}
