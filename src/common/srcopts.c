/* srcopts: the NTP source option table.
 *
 * Value checks follow chrony 4.3, the version the oracle tests run against:
 * it reads most numbers without range checks (e.g. "minstratum 17" and
 * "port 70000" are accepted) and only rejects a zero key and unknown
 * extension fields. Options newer than 4.3 (ipv4, ipv6, maxunreach, extfield
 * 10A/F324) are read as chrony 4.8+ reads them. */
#include "common/srcopts.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/optab.h"

/* Extension field types (hexadecimal in the configuration). */
#define EF_TYPE_EXP_MONO_ROOT 0xF323
#define EF_TYPE_EXP_NET_CORRECTION 0xF324   /* experimental in 4.5-4.8, now an alias */
#define EF_TYPE_NET_CORRECTION 0x010A

#define MAX_UNREACH_LIMIT 0x7fffffff

static bool read_key(const char *text, int *consumed, void *field)
{
    uint32_t key;
    if (sscanf(text, "%" SCNu32 "%n", &key, consumed) != 1 || key == SRCOPTS_NO_KEY)
        return false;
    *(uint32_t *)field = key;
    return true;
}

static bool read_extfield(const char *text, int *consumed, void *field)
{
    uint32_t type;
    if (sscanf(text, "%" SCNx32 "%n", &type, consumed) != 1)
        return false;
    switch (type) {
    case EF_TYPE_EXP_MONO_ROOT:
        *(unsigned *)field |= SRCOPTS_EF_EXP_MONO_ROOT;
        return true;
    case EF_TYPE_EXP_NET_CORRECTION:
    case EF_TYPE_NET_CORRECTION:
        *(unsigned *)field |= SRCOPTS_EF_NET_CORRECTION;
        return true;
    default:
        return false;
    }
}

#define F(field) offsetof(struct srcopts, field)

static const struct optab option_table[] = {
    OPTAB_DBL("asymmetry", F(asymmetry)),
    OPTAB_BOOL("auto_offline", F(auto_offline), 1),
    OPTAB_BOOL("burst", F(burst), 1),
    OPTAB_U32("certset", F(cert_set)),
    OPTAB_BOOL("copy", F(copy), 1),
    OPTAB_FN("extfield", F(ext_fields), read_extfield),
    OPTAB_INTV("filter", F(filter)),
    OPTAB_BOOL("iburst", F(iburst), 1),
    OPTAB_SETINT("ipv4", F(family), SRCOPTS_FAMILY_INET4),
    OPTAB_SETINT("ipv6", F(family), SRCOPTS_FAMILY_INET6),
    OPTAB_FN("key", F(key), read_key),
    OPTAB_DBL("maxdelay", F(max_delay_s)),
    OPTAB_DBL("maxdelaydevratio", F(max_delay_dev_ratio)),
    OPTAB_DBL("maxdelayquant", F(max_delay_quant)),
    OPTAB_DBL("maxdelayratio", F(max_delay_ratio)),
    OPTAB_INTV("maxpoll", F(maxpoll)),
    OPTAB_INTV("maxsamples", F(max_samples)),
    OPTAB_INTV("maxsources", F(max_sources)),
    OPTAB_INT_RANGE("maxunreach", F(max_unreach), 0, MAX_UNREACH_LIMIT),
    OPTAB_DBL("mindelay", F(min_delay_s)),
    OPTAB_INTV("minpoll", F(minpoll)),
    OPTAB_INTV("minsamples", F(min_samples)),
    OPTAB_INTV("minstratum", F(min_stratum)),
    OPTAB_BITS("noselect", F(sel_options), SRCOPTS_SEL_NOSELECT),
    OPTAB_BOOL("nts", F(nts), 1),
    OPTAB_INTV("ntsport", F(nts_port)),
    OPTAB_BOOL("offline", F(online), 0),
    OPTAB_DBL("offset", F(offset_s)),
    OPTAB_INTV("polltarget", F(poll_target)),
    OPTAB_INTV("port", F(port)),
    OPTAB_BITS("prefer", F(sel_options), SRCOPTS_SEL_PREFER),
    OPTAB_INTV("presend", F(presend)),
    OPTAB_BITS("require", F(sel_options), SRCOPTS_SEL_REQUIRE),
    OPTAB_BITS("trust", F(sel_options), SRCOPTS_SEL_TRUST),
    OPTAB_INTV("version", F(version)),
    OPTAB_BOOL("xleave", F(xleave), 1),
};

#undef F

#define N_OPTIONS (sizeof option_table / sizeof option_table[0])

void srcopts_defaults(struct srcopts *opts)
{
    *opts = (struct srcopts){
        .port = SRCOPTS_DEFAULT_PORT,
        .family = SRCOPTS_FAMILY_ANY,
        .minpoll = SRCOPTS_DEFAULT_MINPOLL,
        .maxpoll = SRCOPTS_DEFAULT_MAXPOLL,
        .online = true,
        .presend = SRCOPTS_DEFAULT_PRESEND,
        .min_stratum = SRCOPTS_DEFAULT_MINSTRATUM,
        .poll_target = SRCOPTS_DEFAULT_POLLTARGET,
        .max_sources = SRCOPTS_DEFAULT_MAXSOURCES,
        .min_samples = SRCOPTS_DEFAULT_SAMPLES,
        .max_samples = SRCOPTS_DEFAULT_SAMPLES,
        .max_unreach = SRCOPTS_DEFAULT_MAXUNREACH,
        .nts_port = SRCOPTS_DEFAULT_NTSPORT,
        .key = SRCOPTS_NO_KEY,
        .max_delay_s = SRCOPTS_DEFAULT_MAXDELAY_S,
        .max_delay_ratio = SRCOPTS_DEFAULT_MAXDELAYRATIO,
        .max_delay_dev_ratio = SRCOPTS_DEFAULT_MAXDELAYDEVRATIO,
        .asymmetry = SRCOPTS_DEFAULT_ASYMMETRY,
    };
}

enum srcopts_status srcopts_parse(const char *text, char **name, struct srcopts *opts)
{
    const char *p = text, *start;

    srcopts_defaults(opts);
    *name = NULL;
    while (*p && isspace((unsigned char)*p))
        p++;
    start = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (p == start)
        return SRCOPTS_MISSING_NAME;

    switch (optab_parse(option_table, N_OPTIONS, p, opts, NULL)) {
    case OPTAB_OK:
        break;
    case OPTAB_UNKNOWN:
        return SRCOPTS_BAD_OPTION;
    default:
        return SRCOPTS_BAD_VALUE;
    }
    *name = mem_strndup(start, (size_t)(p - start));
    return SRCOPTS_OK;
}

const char *srcopts_option_name(size_t index)
{
    return index < N_OPTIONS ? option_table[index].name : NULL;
}
