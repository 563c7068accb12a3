/* control: argument syntax and request data of chronyc's control commands.
 * The syntax and the messages are chrony's (chrony 4.8's where they changed
 * after 4.3, e.g. the three messages of a bad "add"). */
#include "chronyc/control.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chronyc/names.h"
#include "common/cmdproto.h"
#include "common/mem.h"
#include "common/optab.h"
#include "common/srcopts.h"

#define IPV4_BITS 32
#define IPV6_BITS 128
#define BITS_PER_BYTE 8
#define NTP_MAX_STRATUM 16
#define LOCAL_DEFAULT_STRATUM 10
#define LOCAL_DEFAULT_DISTANCE_S 1.0
#define LOCAL_ORPHAN_WAIT_UNSYNCED_S 300.0
#define LOCAL_WAIT_UNSYNCED_UNSET (-1.0)

static void error(const struct commands_context *ctx, const char *message)
{
    fprintf(ctx->err, "%s\n", message);
}

/* A request without data. */
static bool plain(struct request *req, uint16_t command)
{
    request_init(req, command, 0, CANDM_RPY_NULL);
    return true;
}

/* ---- addresses ---- */

/* A mask of bits ones of family; out of range means all bits. Reference
 * IDs have no mask (family UNSPEC). */
static void bits_to_mask(int bits, int family, addr_ip *mask)
{
    memset(mask, 0, sizeof *mask);
    mask->family = (uint8_t)family;
    switch (family) {
    case ADDR_INET4:
        if (bits > IPV4_BITS || bits < 0)
            bits = IPV4_BITS;
        mask->a.in4 = bits > 0 ? UINT32_MAX << (IPV4_BITS - bits) : 0;
        break;
    case ADDR_INET6:
        if (bits > IPV6_BITS || bits < 0)
            bits = IPV6_BITS;
        for (int i = 0; i < IPV6_BITS / BITS_PER_BYTE; i++) {
            int left = bits - i * BITS_PER_BYTE;
            mask->a.in6[i] = left >= BITS_PER_BYTE ? 0xff
                             : left > 0 ? (uint8_t)(0xff << (BITS_PER_BYTE - left)) : 0;
        }
        break;
    default:
        mask->family = ADDR_UNSPEC;
        break;
    }
}

/* "" (every source), ADDRESS, MASK/ADDRESS or ADDRESS/BITS. */
static bool read_mask_address(const struct commands_context *ctx, char *text, addr_ip *mask,
                              addr_ip *address)
{
    memset(mask, 0, sizeof *mask);
    memset(address, 0, sizeof *address);
    if (!*text)
        return true;

    char *slash = strchr(text, '/');
    if (!slash) {
        if (!names_parse_source(text, ctx->family, address)) {
            error(ctx, "Could not get address for hostname");
            return false;
        }
        bits_to_mask(-1, address->family, mask);
        return true;
    }

    *slash = '\0';
    unsigned int bits;
    if (addr_parse(text, mask)) {
        if (addr_parse(slash + 1, address)) {
            if (address->family == mask->family)
                return true;
        } else if (sscanf(slash + 1, "%u", &bits) == 1) {
            *address = *mask;
            bits_to_mask((int)bits, address->family, mask);
            return true;
        }
    }
    error(ctx, "Invalid syntax for mask/address");
    return false;
}

/* "ADDRESS VALUE": the value is checked first, as chrony does. */
static bool read_address_value(const struct commands_context *ctx, char *args, const char *conv,
                               void *value, addr_ip *address)
{
    char *host = args;
    char *rest = commands_split_word(args);
    if (sscanf(rest, conv, value) != 1) {
        error(ctx, "Invalid syntax for address value");
        return false;
    }
    if (!names_parse_source(host, ctx->family, address)) {
        error(ctx, "Could not get address for hostname");
        return false;
    }
    return true;
}

static bool modify_int(struct commands_context *ctx, char *args, struct request *req,
                       uint16_t command)
{
    addr_ip address;
    int value;
    if (!read_address_value(ctx, args, "%d", &value, &address))
        return false;
    request_init(req, command, sizeof(struct candm_req_modify_int), CANDM_RPY_NULL);
    struct candm_req_modify_int *d = request_data(req);
    cmdproto_ip_to_wire(&address, &d->address);
    cmdproto_put32(&d->value, (uint32_t)value);
    return true;
}

static bool modify_float(struct commands_context *ctx, char *args, struct request *req,
                         uint16_t command)
{
    addr_ip address;
    double value;
    if (!read_address_value(ctx, args, "%lf", &value, &address))
        return false;
    request_init(req, command, sizeof(struct candm_req_modify_float), CANDM_RPY_NULL);
    struct candm_req_modify_float *d = request_data(req);
    cmdproto_ip_to_wire(&address, &d->address);
    d->value = cmdproto_float_to_wire(value);
    return true;
}

/* A request carrying one float; a bad value fails silently when message is
 * NULL (as chrony's maxupdateskew and reselectdist do). */
static bool one_float(struct commands_context *ctx, char *args, struct request *req,
                      uint16_t command, const char *message)
{
    double value;
    if (sscanf(args, "%lf", &value) != 1) {
        if (message)
            error(ctx, message);
        return false;
    }
    request_init(req, command, sizeof(struct candm_req_float), CANDM_RPY_NULL);
    struct candm_req_float *d = request_data(req);
    d->value = cmdproto_float_to_wire(value);
    return true;
}

static bool online_offline(struct commands_context *ctx, char *args, struct request *req,
                           uint16_t command)
{
    addr_ip mask, address;
    if (!read_mask_address(ctx, args, &mask, &address))
        return false;
    request_init(req, command, sizeof(struct candm_req_online), CANDM_RPY_NULL);
    struct candm_req_online *d = request_data(req);
    cmdproto_ip_to_wire(&mask, &d->mask);
    cmdproto_ip_to_wire(&address, &d->address);
    return true;
}

/* An address for accheck/cmdaccheck: numeric or a host name (no ID#). */
static bool access_check(struct commands_context *ctx, char *args, struct request *req,
                         uint16_t command)
{
    addr_ip ip;
    if (names_resolve(args, ctx->family, &ip, 1) != 1) {
        error(ctx, "Could not read address");
        return false;
    }
    request_init(req, command, sizeof(struct candm_req_address), CANDM_RPY_NULL);
    struct candm_req_address *d = request_data(req);
    cmdproto_ip_to_wire(&ip, &d->ip);
    return true;
}

/* [all] [SUBNET]: no subnet means every IPv4 and IPv6 address. */
static bool allow_deny(struct commands_context *ctx, char *args, struct request *req,
                       uint16_t command, uint16_t all_command)
{
    char *net = args, *rest = commands_split_word(args);
    bool all = strcmp(args, "all") == 0;
    if (all) {
        net = rest;
        rest = commands_split_word(rest);
    }

    addr_subnet subnet;
    memset(&subnet, 0, sizeof subnet);
    bool ok = !*rest;
    if (ok && *net) {
        switch (addr_parse_subnet(net, &subnet)) {
        case ADDR_SUBNET_OK:
            break;
        case ADDR_SUBNET_NOT_NUMERIC:
            ok = names_resolve(net, ctx->family, &subnet.ip, 1) == 1;
            subnet.bits = subnet.ip.family == ADDR_INET6 ? IPV6_BITS : IPV4_BITS;
            break;
        default:
            ok = false;
            break;
        }
    }
    if (!ok) {
        error(ctx, "Could not read address");
        return false;
    }

    request_init(req, all ? all_command : command, sizeof(struct candm_req_allow_deny),
                 CANDM_RPY_NULL);
    struct candm_req_allow_deny *d = request_data(req);
    cmdproto_ip_to_wire(&subnet.ip, &d->ip);
    cmdproto_put32(&d->subnet_bits, (uint32_t)subnet.bits);
    return true;
}

/* "ID#N", a numeric address (no host names: they could be reference IDs)
 * or a reference ID of up to 4 characters. */
static bool read_address_or_refid(char *word, addr_ip *address, uint32_t *ref_id)
{
    memset(address, 0, sizeof *address);
    *ref_id = 0;
    return names_parse_id(word, address) || addr_parse(word, address) ||
           names_parse_refid(word, ref_id);
}

/* ---- the commands ---- */

bool control_accheck(struct commands_context *ctx, char *args, struct request *req)
{
    return access_check(ctx, args, req, CANDM_REQ_ACCHECK);
}

bool control_cmdaccheck(struct commands_context *ctx, char *args, struct request *req)
{
    return access_check(ctx, args, req, CANDM_REQ_CMDACCHECK);
}

static uint32_t addsrc_select_flags(unsigned sel)
{
    return (sel & SRCOPTS_SEL_PREFER ? CANDM_ADDSRC_PREFER : 0) |
           (sel & SRCOPTS_SEL_NOSELECT ? CANDM_ADDSRC_NOSELECT : 0) |
           (sel & SRCOPTS_SEL_TRUST ? CANDM_ADDSRC_TRUST : 0) |
           (sel & SRCOPTS_SEL_REQUIRE ? CANDM_ADDSRC_REQUIRE : 0);
}

static uint32_t addsrc_flags(const struct srcopts *o)
{
    return (o->online ? CANDM_ADDSRC_ONLINE : 0) |
           (o->auto_offline ? CANDM_ADDSRC_AUTOOFFLINE : 0) |
           (o->iburst ? CANDM_ADDSRC_IBURST : 0) |
           (o->xleave ? CANDM_ADDSRC_INTERLEAVED : 0) |
           (o->burst ? CANDM_ADDSRC_BURST : 0) |
           (o->nts ? CANDM_ADDSRC_NTS : 0) |
           (o->copy ? CANDM_ADDSRC_COPY : 0) |
           (o->ext_fields & SRCOPTS_EF_NET_CORRECTION ? CANDM_ADDSRC_EF_NET_CORRECTION : 0) |
           (o->ext_fields & SRCOPTS_EF_EXP_MONO_ROOT ? CANDM_ADDSRC_EF_EXP_MONO_ROOT : 0) |
           (o->family == SRCOPTS_FAMILY_INET4 ? CANDM_ADDSRC_IPV4 : 0) |
           (o->family == SRCOPTS_FAMILY_INET6 ? CANDM_ADDSRC_IPV6 : 0) |
           addsrc_select_flags(o->sel_options);
}

bool control_add(struct commands_context *ctx, char *args, struct request *req)
{
    char *kind = args, *rest = commands_split_word(args);
    uint32_t type;
    if (strcasecmp(kind, "server") == 0) {
        type = CANDM_ADDSRC_SERVER;
    } else if (strcasecmp(kind, "peer") == 0) {
        type = CANDM_ADDSRC_PEER;
    } else if (strcasecmp(kind, "pool") == 0) {
        type = CANDM_ADDSRC_POOL;
    } else {
        error(ctx, "Invalid syntax for add command");
        return false;
    }

    struct srcopts o;
    char *name = NULL;
    switch (srcopts_parse(rest, &name, &o)) {
    case SRCOPTS_OK:
        break;
    case SRCOPTS_BAD_OPTION:
        error(ctx, "Invalid option in add command");
        return false;
    case SRCOPTS_BAD_VALUE:
        error(ctx, "Invalid value in add command");
        return false;
    default:
        error(ctx, "Invalid syntax for add command");
        return false;
    }

    /* chronyc runs next to chronyd: the name must resolve here too */
    addr_ip ip;
    bool ok = strlen(name) < CANDM_SOURCE_NAME_LEN && names_resolve(name, ctx->family, &ip, 1) == 1;
    if (!ok) {
        error(ctx, "Invalid host/IP address");
        mem_free(name);
        return false;
    }

    request_init(req, CANDM_REQ_ADD_SOURCE, sizeof(struct candm_req_ntp_source), CANDM_RPY_NULL);
    struct candm_req_ntp_source *d = request_data(req);
    cmdproto_put32(&d->type, type);
    memcpy(d->name, name, strlen(name));
    cmdproto_put32(&d->port, (uint32_t)o.port);
    cmdproto_put32(&d->minpoll, (uint32_t)o.minpoll);
    cmdproto_put32(&d->maxpoll, (uint32_t)o.maxpoll);
    cmdproto_put32(&d->presend_minpoll, (uint32_t)o.presend);
    cmdproto_put32(&d->min_stratum, (uint32_t)o.min_stratum);
    cmdproto_put32(&d->poll_target, (uint32_t)o.poll_target);
    cmdproto_put32(&d->version, (uint32_t)o.version);
    cmdproto_put32(&d->max_sources, (uint32_t)o.max_sources);
    cmdproto_put32(&d->min_samples, (uint32_t)o.min_samples);
    cmdproto_put32(&d->max_samples, (uint32_t)o.max_samples);
    cmdproto_put32(&d->authkey, o.key);
    cmdproto_put32(&d->nts_port, (uint32_t)o.nts_port);
    d->max_delay = cmdproto_float_to_wire(o.max_delay_s);
    d->max_delay_ratio = cmdproto_float_to_wire(o.max_delay_ratio);
    d->max_delay_dev_ratio = cmdproto_float_to_wire(o.max_delay_dev_ratio);
    d->min_delay = cmdproto_float_to_wire(o.min_delay_s);
    d->asymmetry = cmdproto_float_to_wire(o.asymmetry);
    d->offset = cmdproto_float_to_wire(o.offset_s);
    cmdproto_put32(&d->flags, addsrc_flags(&o));
    cmdproto_put32(&d->filter_length, (uint32_t)o.filter);
    cmdproto_put32(&d->cert_set, o.cert_set);
    d->max_delay_quant = cmdproto_float_to_wire(o.max_delay_quant);
    cmdproto_put32(&d->max_unreach, (uint32_t)o.max_unreach);
    mem_free(name);
    return true;
}

bool control_allow(struct commands_context *ctx, char *args, struct request *req)
{
    return allow_deny(ctx, args, req, CANDM_REQ_ALLOW, CANDM_REQ_ALLOWALL);
}

bool control_deny(struct commands_context *ctx, char *args, struct request *req)
{
    return allow_deny(ctx, args, req, CANDM_REQ_DENY, CANDM_REQ_DENYALL);
}

bool control_cmdallow(struct commands_context *ctx, char *args, struct request *req)
{
    return allow_deny(ctx, args, req, CANDM_REQ_CMDALLOW, CANDM_REQ_CMDALLOWALL);
}

bool control_cmddeny(struct commands_context *ctx, char *args, struct request *req)
{
    return allow_deny(ctx, args, req, CANDM_REQ_CMDDENY, CANDM_REQ_CMDDENYALL);
}

bool control_burst(struct commands_context *ctx, char *args, struct request *req)
{
    char *counts = args, *target = commands_split_word(args);
    commands_split_word(target);        /* only one more word counts */
    int n_good, n_total;
    if (sscanf(counts, "%d/%d", &n_good, &n_total) != 2) {
        error(ctx, "Invalid syntax for burst command");
        return false;
    }
    addr_ip mask, address;
    memset(&mask, 0, sizeof mask);
    memset(&address, 0, sizeof address);
    if (*target && !read_mask_address(ctx, target, &mask, &address))
        return false;

    request_init(req, CANDM_REQ_BURST, sizeof(struct candm_req_burst), CANDM_RPY_NULL);
    struct candm_req_burst *d = request_data(req);
    cmdproto_ip_to_wire(&mask, &d->mask);
    cmdproto_ip_to_wire(&address, &d->address);
    cmdproto_put32(&d->n_good_samples, (uint32_t)n_good);
    cmdproto_put32(&d->n_total_samples, (uint32_t)n_total);
    return true;
}

bool control_cyclelogs(struct commands_context *ctx, char *args, struct request *req)
{
    return plain(req, CANDM_REQ_CYCLELOGS);
}

bool control_delete(struct commands_context *ctx, char *args, struct request *req)
{
    char *host = args;
    commands_split_word(args);
    addr_ip address;
    if (!*host) {
        error(ctx, "Invalid syntax for address");
        return false;
    }
    if (!names_parse_source(host, ctx->family, &address)) {
        error(ctx, "Could not get address for hostname");
        return false;
    }
    request_init(req, CANDM_REQ_DEL_SOURCE, sizeof(struct candm_req_address), CANDM_RPY_NULL);
    struct candm_req_address *d = request_data(req);
    cmdproto_ip_to_wire(&address, &d->ip);
    return true;
}

bool control_dfreq(struct commands_context *ctx, char *args, struct request *req)
{
    return one_float(ctx, args, req, CANDM_REQ_DFREQ, "Invalid value");
}

bool control_doffset(struct commands_context *ctx, char *args, struct request *req)
{
    return one_float(ctx, args, req, CANDM_REQ_DOFFSET2, "Invalid value");
}

bool control_dump(struct commands_context *ctx, char *args, struct request *req)
{
    request_init(req, CANDM_REQ_DUMP, sizeof(struct candm_req_dump), CANDM_RPY_NULL);
    return true;
}

/* ---- local ---- */

struct local_opts {
    int stratum;
    bool orphan;
    double distance_s;
    double activate_s;
    double wait_synced_s;
    double wait_unsynced_s;
};

#define LO(field) offsetof(struct local_opts, field)
static const struct optab local_table[] = {
    OPTAB_INT_RANGE("stratum", LO(stratum), 1, NTP_MAX_STRATUM - 1),
    OPTAB_BOOL("orphan", LO(orphan), 1),
    OPTAB_DBL("distance", LO(distance_s)),
    OPTAB_DBL("activate", LO(activate_s)),
    OPTAB_DBL("waitsynced", LO(wait_synced_s)),
    OPTAB_DBL("waitunsynced", LO(wait_unsynced_s)),
};
#undef LO

bool control_local(struct commands_context *ctx, char *args, struct request *req)
{
    struct local_opts o = {
        .stratum = LOCAL_DEFAULT_STRATUM,
        .distance_s = LOCAL_DEFAULT_DISTANCE_S,
        .wait_unsynced_s = LOCAL_WAIT_UNSYNCED_UNSET,
    };
    bool on = strcmp(args, "off") != 0;
    if (on) {
        if (optab_parse(local_table, sizeof local_table / sizeof local_table[0], args, &o,
                        NULL) != OPTAB_OK) {
            error(ctx, "Invalid syntax for local command");
            return false;
        }
        if (o.wait_unsynced_s < 0.0)
            o.wait_unsynced_s = o.orphan ? LOCAL_ORPHAN_WAIT_UNSYNCED_S : 0.0;
    } else {
        o = (struct local_opts){ 0 };
    }

    request_init(req, CANDM_REQ_LOCAL3, sizeof(struct candm_req_local3), CANDM_RPY_NULL);
    struct candm_req_local3 *d = request_data(req);
    cmdproto_put32(&d->on_off, on);
    cmdproto_put32(&d->stratum, (uint32_t)o.stratum);
    d->distance = cmdproto_float_to_wire(o.distance_s);
    cmdproto_put32(&d->orphan, o.orphan);
    d->activate = cmdproto_float_to_wire(o.activate_s);
    d->wait_synced = cmdproto_float_to_wire(o.wait_synced_s);
    d->wait_unsynced = cmdproto_float_to_wire(o.wait_unsynced_s);

    /* chrony 4.3 knows only LOCAL2, without the timing options: offer it
     * when those are at their defaults, so nothing asked for is lost */
    double default_wait = on && o.orphan ? LOCAL_ORPHAN_WAIT_UNSYNCED_S : 0.0;
    if (o.activate_s == 0.0 && o.wait_synced_s == 0.0 && o.wait_unsynced_s == default_wait) {
        struct candm_req_local2 *old = request_add_older_form(req, CANDM_REQ_LOCAL2,
                                                              sizeof(struct candm_req_local2));
        old->on_off = d->on_off;
        old->stratum = d->stratum;
        old->distance = d->distance;
        old->orphan = d->orphan;
    }
    return true;
}

bool control_makestep(struct commands_context *ctx, char *args, struct request *req)
{
    if (!*args)
        return plain(req, CANDM_REQ_MAKESTEP);
    double threshold;
    int limit;
    if (sscanf(args, "%lf %d", &threshold, &limit) != 2) {
        error(ctx, "Bad syntax for makestep command");
        return false;
    }
    request_init(req, CANDM_REQ_MODIFY_MAKESTEP, sizeof(struct candm_req_modify_makestep),
                 CANDM_RPY_NULL);
    struct candm_req_modify_makestep *d = request_data(req);
    cmdproto_put32(&d->limit, (uint32_t)limit);
    d->threshold = cmdproto_float_to_wire(threshold);
    return true;
}

bool control_manual(struct commands_context *ctx, char *args, struct request *req)
{
    int option;
    /* "delete" is matched as a prefix of the word, as chrony does */
    if (strncmp(args, "delete", strlen("delete")) == 0) {
        int index;
        if (sscanf(commands_split_word(args), "%d", &index) != 1) {
            error(ctx, "Bad syntax for manual delete command");
            return false;
        }
        request_init(req, CANDM_REQ_MANUAL_DELETE, sizeof(struct candm_req_index),
                     CANDM_RPY_NULL);
        struct candm_req_index *d = request_data(req);
        cmdproto_put32(&d->index, (uint32_t)index);
        return true;
    }
    if (strcmp(args, "off") == 0) {
        option = CANDM_MANUAL_OFF;
    } else if (strcmp(args, "on") == 0) {
        option = CANDM_MANUAL_ON;
    } else if (strcmp(args, "reset") == 0) {
        option = CANDM_MANUAL_RESET;
    } else {
        error(ctx, "Invalid syntax for manual command");
        return false;
    }
    request_init(req, CANDM_REQ_MANUAL, sizeof(struct candm_req_index), CANDM_RPY_NULL);
    struct candm_req_index *d = request_data(req);
    cmdproto_put32(&d->index, (uint32_t)option);
    return true;
}

bool control_maxdelay(struct commands_context *ctx, char *args, struct request *req)
{
    return modify_float(ctx, args, req, CANDM_REQ_MODIFY_MAXDELAY);
}

bool control_maxdelayratio(struct commands_context *ctx, char *args, struct request *req)
{
    return modify_float(ctx, args, req, CANDM_REQ_MODIFY_MAXDELAYRATIO);
}

bool control_maxdelaydevratio(struct commands_context *ctx, char *args, struct request *req)
{
    return modify_float(ctx, args, req, CANDM_REQ_MODIFY_MAXDELAYDEVRATIO);
}

bool control_maxpoll(struct commands_context *ctx, char *args, struct request *req)
{
    return modify_int(ctx, args, req, CANDM_REQ_MODIFY_MAXPOLL);
}

bool control_minpoll(struct commands_context *ctx, char *args, struct request *req)
{
    return modify_int(ctx, args, req, CANDM_REQ_MODIFY_MINPOLL);
}

bool control_minstratum(struct commands_context *ctx, char *args, struct request *req)
{
    return modify_int(ctx, args, req, CANDM_REQ_MODIFY_MINSTRATUM);
}

bool control_polltarget(struct commands_context *ctx, char *args, struct request *req)
{
    return modify_int(ctx, args, req, CANDM_REQ_MODIFY_POLLTARGET);
}

bool control_maxupdateskew(struct commands_context *ctx, char *args, struct request *req)
{
    return one_float(ctx, args, req, CANDM_REQ_MODIFY_MAXUPDATESKEW, NULL);
}

bool control_offline(struct commands_context *ctx, char *args, struct request *req)
{
    return online_offline(ctx, args, req, CANDM_REQ_OFFLINE);
}

bool control_online(struct commands_context *ctx, char *args, struct request *req)
{
    return online_offline(ctx, args, req, CANDM_REQ_ONLINE);
}

bool control_onoffline(struct commands_context *ctx, char *args, struct request *req)
{
    return plain(req, CANDM_REQ_ONOFFLINE);
}

bool control_offset(struct commands_context *ctx, char *args, struct request *req)
{
    char *source = args, *rest = commands_split_word(args);
    addr_ip address;
    uint32_t ref_id;
    double offset;
    if (!read_address_or_refid(source, &address, &ref_id) || sscanf(rest, "%lf", &offset) != 1) {
        error(ctx, "Invalid syntax for offset command");
        return false;
    }
    request_init(req, CANDM_REQ_MODIFY_OFFSET, sizeof(struct candm_req_modify_offset),
                 CANDM_RPY_NULL);
    struct candm_req_modify_offset *d = request_data(req);
    cmdproto_ip_to_wire(&address, &d->address);
    cmdproto_put32(&d->ref_id, ref_id);
    d->new_offset = cmdproto_float_to_wire(offset);
    return true;
}

bool control_refresh(struct commands_context *ctx, char *args, struct request *req)
{
    return plain(req, CANDM_REQ_REFRESH);
}

bool control_rekey(struct commands_context *ctx, char *args, struct request *req)
{
    return plain(req, CANDM_REQ_REKEY);
}

bool control_reload(struct commands_context *ctx, char *args, struct request *req)
{
    if (strcmp(args, "sources") != 0) {
        error(ctx, "Invalid syntax for reload command");
        return false;
    }
    return plain(req, CANDM_REQ_RELOAD_SOURCES);
}

bool control_reselect(struct commands_context *ctx, char *args, struct request *req)
{
    return plain(req, CANDM_REQ_RESELECT);
}

bool control_reselectdist(struct commands_context *ctx, char *args, struct request *req)
{
    return one_float(ctx, args, req, CANDM_REQ_RESELECTDISTANCE, NULL);
}

bool control_reset(struct commands_context *ctx, char *args, struct request *req)
{
    if (strcmp(args, "sources") != 0) {
        error(ctx, "Invalid syntax for reset command");
        return false;
    }
    return plain(req, CANDM_REQ_RESET_SOURCES);
}

/* The selection options selectopts takes, as +NAME or -NAME. */
static const struct {
    const char *name;
    uint32_t bit;               /* the daemon's selection bit (the mask) */
    unsigned srcopt;            /* the same as a source option */
} select_options[] = {
    { "noselect", CANDM_SELECT_OPT_NOSELECT, SRCOPTS_SEL_NOSELECT },
    { "prefer", CANDM_SELECT_OPT_PREFER, SRCOPTS_SEL_PREFER },
    { "require", CANDM_SELECT_OPT_REQUIRE, SRCOPTS_SEL_REQUIRE },
    { "trust", CANDM_SELECT_OPT_TRUST, SRCOPTS_SEL_TRUST },
};

bool control_selectopts(struct commands_context *ctx, char *args, struct request *req)
{
    char *source = args, *rest = commands_split_word(args);
    addr_ip address;
    uint32_t ref_id, mask = 0;
    unsigned set = 0;
    if (!read_address_or_refid(source, &address, &ref_id)) {
        error(ctx, "Invalid syntax for selectopts command");
        return false;
    }
    while (*rest) {
        char *opt = rest;
        rest = commands_split_word(rest);
        size_t i, n = sizeof select_options / sizeof select_options[0];
        for (i = 0; i < n; i++) {
            if (strcasecmp(opt + 1, select_options[i].name) == 0)
                break;
        }
        if ((opt[0] != '+' && opt[0] != '-') || i == n) {
            error(ctx, "Invalid syntax for selectopts command");
            return false;
        }
        mask |= select_options[i].bit;
        if (opt[0] == '+')
            set |= select_options[i].srcopt;
    }
    request_init(req, CANDM_REQ_MODIFY_SELECTOPTS, sizeof(struct candm_req_modify_selectopts),
                 CANDM_RPY_NULL);
    struct candm_req_modify_selectopts *d = request_data(req);
    cmdproto_ip_to_wire(&address, &d->address);
    cmdproto_put32(&d->ref_id, ref_id);
    cmdproto_put32(&d->mask, mask);
    cmdproto_put32(&d->options, addsrc_select_flags(set));
    return true;
}

bool control_shutdown(struct commands_context *ctx, char *args, struct request *req)
{
    return plain(req, CANDM_REQ_SHUTDOWN);
}

bool control_smoothtime(struct commands_context *ctx, char *args, struct request *req)
{
    int option;
    if (strcmp(args, "reset") == 0) {
        option = CANDM_SMOOTHTIME_RESET;
    } else if (strcmp(args, "activate") == 0) {
        option = CANDM_SMOOTHTIME_ACTIVATE;
    } else {
        error(ctx, "Invalid syntax for smoothtime command");
        return false;
    }
    request_init(req, CANDM_REQ_SMOOTHTIME, sizeof(struct candm_req_index), CANDM_RPY_NULL);
    struct candm_req_index *d = request_data(req);
    cmdproto_put32(&d->index, (uint32_t)option);
    return true;
}

bool control_trimrtc(struct commands_context *ctx, char *args, struct request *req)
{
    return plain(req, CANDM_REQ_TRIMRTC);
}

bool control_writertc(struct commands_context *ctx, char *args, struct request *req)
{
    return plain(req, CANDM_REQ_WRITERTC);
}
