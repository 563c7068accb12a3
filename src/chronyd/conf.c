/* conf: the configuration language. A line is normalised (whitespace
 * collapsed, comment lines dropped), its first word is looked up in the one
 * directive table below, and the row's parser stores the value in the typed
 * settings. Simple directives (a number, a path, a flag) need only a row;
 * structured ones have a parser of their own.
 *
 * Compatibility: chrony 4.3 (Debian's, the oracle of test/system/conf_oracle.sh)
 * is followed for everything it knows, including its lenient number reading
 * (sscanf: "port 12x" is port 12, no range checks) and its error texts.
 * Directives and options added after 4.3 (hwtstimeout, leapseclist, ntsaeads,
 * opencommands, ptpdomain, refresh, maxstratum, minstratum, maxtxbuffers;
 * driftfile interval, local activate/waitsynced/waitunsynced, ratelimit kod,
 * hwtimestamp maxpoll, server ipv4/ipv6/maxunreach, refclock maxunreach) are
 * read as chrony 4.8+ reads them, with its range checks. */
#include "chronyd/conf.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "chronyd/conf_dirs.h"
#include "chronyd/conf_resolve.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/optab.h"
#include "platform/files.h"

/* A line of this length or more (with its newline) is an error, as in chrony. */
#define MAX_LINE_LENGTH 2048
/* Files read through nested include/confdir, counting the main file. */
#define MAX_INCLUDE_LEVEL 10
#define MAX_MESSAGE 512

#define NTP_MAX_STRATUM 16          /* "unsynchronised"; usable strata are below */
#define LOCAL_MIN_STRATUM 1
#define LOCAL_MAX_STRATUM (NTP_MAX_STRATUM - 1)
#define POLL_LIMIT 32               /* |log2 s| accepted by newer options */
#define RATELIMIT_KOD_MIN 0
#define RATELIMIT_KOD_MAX 4
#define IPV4_BITS 32
#define IPV6_BITS 128

/* chrony's defaults */
#define DEFAULT_CLIENT_LOG_LIMIT 524288UL   /* bytes */
#define DEFAULT_MAX_SLEW_RATE_PPM (1e6 / 12.0)
#define DEFAULT_DRIFTFILE_INTERVAL_S 3600
#define DEFAULT_NTS_REFRESH_S 2419200       /* 4 weeks */
#define DEFAULT_NTS_ROTATE_S 604800         /* 1 week */
#define DEFAULT_REFRESH_S 1209600           /* 2 weeks */
#define DEFAULT_LOCAL_STRATUM 10
#define DEFAULT_LOCAL_DISTANCE_S 1.0
#define DEFAULT_ORPHAN_WAIT_UNSYNCED_S 300.0
#define DEFAULT_REFCLOCK_POLL 4
#define DEFAULT_REFCLOCK_FILTER 64
#define DEFAULT_REFCLOCK_DELAY_S 1e-9
#define DEFAULT_REFCLOCK_MAX_LOCK_AGE 2
#define DEFAULT_HWTS_MIN_SAMPLES 2
#define DEFAULT_HWTS_MAX_SAMPLES 16
#define DEFAULT_HWTS_PRECISION_S 100e-9
#define UNSET_POLL INT_MIN                  /* hwtimestamp maxpoll not given */

static const int default_ntsaeads[] = { 30, 15 };

/* --- state -------------------------------------------------------------- */

static struct conf_settings S;
static bool print_mode, restarted, client_only;
static conf_resolver resolver = conf_resolve_name;
static int cmdline_lines;       /* lines given with conf_parse_line() */
static int include_level;

/* The inputs being read, by include level (0: the line given to
 * conf_parse_line): the open file, its line buffer and the files of an
 * include or confdir line being read. They are kept here rather than on the
 * stack so that conf_init can release what a parse abandoned when a fatal
 * error did not end the process (a fatal hook that jumps back). */
struct input {
    files_reader *file;
    char *line;                 /* a copy of the command-line line */
    char **paths;
    size_t n_paths;
};
static struct input inputs[MAX_INCLUDE_LEVEL + 1];

/* Where the line being parsed came from, for messages. */
static const char *cur_file;    /* NULL for the command line */
static int cur_line;
static const char *cur_directive;

/* --- messages ----------------------------------------------------------- */

static _Noreturn void fail_at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "<message> at line N[ in file F]", fatal. */
static _Noreturn void fail_at(const char *fmt, ...)
{
    char msg[MAX_MESSAGE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_fatal("%s at line %d%s%s", msg, cur_line, cur_file ? " in file " : "",
              cur_file ? cur_file : "");
}

static _Noreturn void fail_parse(void)
{
    fail_at("Could not parse %s directive", cur_directive);
}

/* Words in a normalised argument string (single spaces between words). */
static int count_args(const char *args)
{
    int n = 0;
    if (*args)
        n = 1;
    for (; *args; args++) {
        if (*args == ' ')
            n++;
    }
    return n;
}

static void check_args(const char *args, int want)
{
    int have = count_args(args);
    if (have != want)
        fail_at("%s arguments for %s directive", have < want ? "Missing" : "Too many",
                cur_directive);
}

/* Cuts the first word off a normalised string; returns the rest. */
static char *split_word(char *s)
{
    char *space = strchr(s, ' ');
    if (!space)
        return s + strlen(s);
    *space = '\0';
    return space + 1;
}

/* --- small helpers ------------------------------------------------------ */

static void set_string(char **field, const char *value)
{
    mem_free(*field);
    *field = mem_strdup(value);
}

#define APPEND(array, count, item) do { \
        (array) = mem_realloc((array), ((count) + 1) * sizeof *(array)); \
        (array)[(count)++] = (item); \
    } while (0)

#define FIELD(type, offset) ((type *)((char *)&S + (offset)))

/* --- the directive table -------------------------------------------------- */

enum dkind {
    D_INT,          /* one number read with "%d" (chrony 4.3: no range) */
    D_INT_RANGED,   /* one whole number within min..max (newer directives) */
    D_DOUBLE,       /* one number read with "%lf" */
    D_STRING,       /* one word */
    D_BOOL,         /* no argument: sets a bool */
    D_FLAG_INT,     /* no argument: sets an int to 1 */
    D_CUSTOM,       /* .parse reads the arguments */
    D_IGNORED,      /* accepted and ignored by chrony itself (dumponexit) */
    D_OBSOLETE,     /* removed from chrony: warns */
};

struct directive {
    const char *name;
    enum dkind kind;
    size_t offset;                  /* field in struct conf_settings */
    void (*parse)(char *args, const struct directive *d);
    int arg;                        /* parser-specific */
    double def;                     /* default of D_INT, D_INT_RANGED, D_DOUBLE */
    const char *def_str;            /* default of D_STRING (NULL: "") */
    int min, max;                   /* D_INT_RANGED */
    bool implemented;               /* the feature behind it exists in chronyd */
    bool noprint;                   /* -p prints what it includes, not the line */
};

/* Parsers of the structured directives (defined below the table). */
static void parse_acl(char *args, const struct directive *d);
static void parse_authselectmode(char *args, const struct directive *d);
static void parse_bindaddr(char *args, const struct directive *d);
static void parse_bindcmdaddress(char *args, const struct directive *d);
static void parse_broadcast(char *args, const struct directive *d);
static void parse_clientloglimit(char *args, const struct directive *d);
static void parse_confdir(char *args, const struct directive *d);
static void parse_driftfile(char *args, const struct directive *d);
static void parse_fallbackdrift(char *args, const struct directive *d);
static void parse_hwtimestamp(char *args, const struct directive *d);
static void parse_include(char *args, const struct directive *d);
static void parse_initstepslew(char *args, const struct directive *d);
static void parse_leapsecmode(char *args, const struct directive *d);
static void parse_local(char *args, const struct directive *d);
static void parse_log(char *args, const struct directive *d);
static void parse_mailonchange(char *args, const struct directive *d);
static void parse_makestep(char *args, const struct directive *d);
static void parse_maxchange(char *args, const struct directive *d);
static void parse_ntsaeads(char *args, const struct directive *d);
static void parse_ntsserverfile(char *args, const struct directive *d);
static void parse_ntstrustedcerts(char *args, const struct directive *d);
static void parse_opencommands(char *args, const struct directive *d);
static void parse_path_or_none(char *args, const struct directive *d);
static void parse_ratelimit(char *args, const struct directive *d);
static void parse_refclock(char *args, const struct directive *d);
static void parse_smoothtime(char *args, const struct directive *d);
static void parse_source(char *args, const struct directive *d);
static void parse_sourcedir(char *args, const struct directive *d);
static void parse_tempcomp(char *args, const struct directive *d);

#define O(field) offsetof(struct conf_settings, field)

/* Which ACL list and rule kind the allow/deny parsers fill. */
enum { ACL_DENY = 0, ACL_ALLOW = 1 };
/* parse_ratelimit: whether the kod option exists. */
enum { RL_NO_KOD = 0, RL_KOD = 1 };
/* parse_ntsserverfile: which list. */
enum { NTS_CERTS, NTS_KEYS };

/* Row shapes of the table. */
#define INT_ROW(n, f, d) .name = n, .kind = D_INT, .offset = O(f), .def = (d)
#define RANGED_ROW(n, f, d, lo, hi) \
    .name = n, .kind = D_INT_RANGED, .offset = O(f), .def = (d), .min = (lo), .max = (hi)
#define DOUBLE_ROW(n, f, d) .name = n, .kind = D_DOUBLE, .offset = O(f), .def = (d)
#define STRING_ROW(n, f, d) .name = n, .kind = D_STRING, .offset = O(f), .def_str = (d)
#define BOOL_ROW(n, f) .name = n, .kind = D_BOOL, .offset = O(f)
#define FLAG_INT_ROW(n, f) .name = n, .kind = D_FLAG_INT, .offset = O(f)
#define PARSER_ROW(n, fn, off, a) \
    .name = n, .kind = D_CUSTOM, .parse = fn, .offset = (off), .arg = (a)
#define OBSOLETE_ROW(n) .name = n, .kind = D_OBSOLETE, .implemented = true
#define IGNORED_ROW(n) .name = n, .kind = D_IGNORED, .implemented = true

/* Every directive of chrony.conf(5), alphabetically. "implemented" marks the
 * directives whose feature chronyd has today (conf_finish warns about the
 * others); a later change that builds a feature flips its row. */
static const struct directive table[] = {
    { INT_ROW("acquisitionport", acquisition_port, -1), .implemented = true },
    { PARSER_ROW("allow", parse_acl, O(ntp_acl), ACL_ALLOW), .implemented = true },
    { PARSER_ROW("authselectmode", parse_authselectmode, 0, 0), .implemented = true },
    { PARSER_ROW("bindacqaddress", parse_bindaddr, O(bind_acq_address), 0), .implemented = true },
    { STRING_ROW("bindacqdevice", bind_acq_device, NULL), .implemented = true },
    { PARSER_ROW("bindaddress", parse_bindaddr, O(bind_address), 0), .implemented = true },
    { PARSER_ROW("bindcmdaddress", parse_bindcmdaddress, 0, 0), .implemented = true },
    { STRING_ROW("bindcmddevice", bind_cmd_device, NULL), .implemented = true },
    { STRING_ROW("binddevice", bind_device, NULL), .implemented = true },
    { PARSER_ROW("broadcast", parse_broadcast, 0, 0) },
    { PARSER_ROW("clientloglimit", parse_clientloglimit, 0, 0), .implemented = true },
    { DOUBLE_ROW("clockprecision", clock_precision_s, 0.0) },
    { PARSER_ROW("cmdallow", parse_acl, O(cmd_acl), ACL_ALLOW), .implemented = true },
    { PARSER_ROW("cmddeny", parse_acl, O(cmd_acl), ACL_DENY), .implemented = true },
    { INT_ROW("cmdport", cmd_port, CONF_DEFAULT_CMD_PORT), .implemented = true },
    { PARSER_ROW("cmdratelimit", parse_ratelimit, O(cmd_ratelimit), RL_NO_KOD),
      .implemented = true },
    { DOUBLE_ROW("combinelimit", combine_limit, 3.0), .implemented = true },
    { OBSOLETE_ROW("commandkey") },
    { PARSER_ROW("confdir", parse_confdir, 0, 0), .implemented = true, .noprint = true },
    { DOUBLE_ROW("corrtimeratio", corr_time_ratio, 3.0), .implemented = true },
    { PARSER_ROW("deny", parse_acl, O(ntp_acl), ACL_DENY), .implemented = true },
    { PARSER_ROW("driftfile", parse_driftfile, 0, 0), .implemented = true },
    { INT_ROW("dscp", dscp, 0), .implemented = true },
    { STRING_ROW("dumpdir", dumpdir, NULL), .implemented = true },
    { IGNORED_ROW("dumponexit") },
    { PARSER_ROW("fallbackdrift", parse_fallbackdrift, 0, 0), .implemented = true },
    { OBSOLETE_ROW("generatecommandkey") },
    { STRING_ROW("hwclockfile", hwclock_file, CW_DEFAULT_HWCLOCK_FILE) },
    { PARSER_ROW("hwtimestamp", parse_hwtimestamp, 0, 0) },
    { DOUBLE_ROW("hwtstimeout", hwts_timeout_s, 0.001) },
    { PARSER_ROW("include", parse_include, 0, 0), .implemented = true, .noprint = true },
    { PARSER_ROW("initstepslew", parse_initstepslew, 0, 0) },
    { STRING_ROW("keyfile", keyfile, NULL) },
    { PARSER_ROW("leapsecmode", parse_leapsecmode, 0, 0), .implemented = true },
    { STRING_ROW("leapseclist", leapsec_list, NULL), .implemented = true },
    { STRING_ROW("leapsectz", leapsec_tz, NULL), .implemented = true },
    { OBSOLETE_ROW("linux_freq_scale") },
    { OBSOLETE_ROW("linux_hz") },
    { PARSER_ROW("local", parse_local, 0, 0), .implemented = true },
    { FLAG_INT_ROW("lock_all", lock_all), .implemented = true },
    { PARSER_ROW("log", parse_log, 0, 0), .implemented = true },
    { INT_ROW("logbanner", log_banner, 32), .implemented = true },
    { DOUBLE_ROW("logchange", log_change_s, 1.0), .implemented = true },
    { STRING_ROW("logdir", logdir, NULL), .implemented = true },
    { PARSER_ROW("mailonchange", parse_mailonchange, 0, 0) },
    { PARSER_ROW("makestep", parse_makestep, 0, 0), .implemented = true },
    { BOOL_ROW("manual", manual), .implemented = true },
    { PARSER_ROW("maxchange", parse_maxchange, 0, 0), .implemented = true },
    { DOUBLE_ROW("maxclockerror", max_clock_error_ppm, 1.0), .implemented = true },
    { DOUBLE_ROW("maxdistance", max_distance_s, 3.0), .implemented = true },
    { DOUBLE_ROW("maxdrift", max_drift_ppm, 500000.0), .implemented = true },
    { DOUBLE_ROW("maxjitter", max_jitter_s, 1.0), .implemented = true },
    { INT_ROW("maxntsconnections", max_nts_connections, 100) },
    { INT_ROW("maxsamples", max_samples, 0), .implemented = true },
    { DOUBLE_ROW("maxslewrate", max_slew_rate_ppm, DEFAULT_MAX_SLEW_RATE_PPM), .implemented = true },
    { RANGED_ROW("maxstratum", max_stratum, NTP_MAX_STRATUM - 1, 0, NTP_MAX_STRATUM), .implemented = true },
    { RANGED_ROW("maxtxbuffers", max_tx_buffers, 0, 0, 1048576) },
    { DOUBLE_ROW("maxupdateskew", max_update_skew_ppm, 1000.0), .implemented = true },
    { INT_ROW("minsamples", min_samples, 6), .implemented = true },
    { INT_ROW("minsources", min_sources, 1), .implemented = true },
    { RANGED_ROW("minstratum", min_stratum, 0, 0, NTP_MAX_STRATUM), .implemented = true },
    { INT_ROW("nocerttimecheck", no_cert_time_check, 0) },
    { BOOL_ROW("noclientlog", no_client_log), .implemented = true },
    { BOOL_ROW("nosystemcert", no_system_cert) },
    { STRING_ROW("ntpsigndsocket", ntp_signd_socket, NULL) },
    { PARSER_ROW("ntsaeads", parse_ntsaeads, 0, 0) },
    { STRING_ROW("ntscachedir", nts_dump_dir, NULL) },
    { STRING_ROW("ntsdumpdir", nts_dump_dir, NULL) },
    { STRING_ROW("ntsntpserver", nts_ntp_server, NULL) },
    { INT_ROW("ntsport", nts_port, CONF_DEFAULT_NTS_PORT) },
    { INT_ROW("ntsprocesses", nts_processes, 1) },
    { PARSER_ROW("ntsratelimit", parse_ratelimit, O(nts_ratelimit), RL_NO_KOD) },
    { INT_ROW("ntsrefresh", nts_refresh_s, DEFAULT_NTS_REFRESH_S) },
    { INT_ROW("ntsrotate", nts_rotate_s, DEFAULT_NTS_ROTATE_S) },
    { PARSER_ROW("ntsservercert", parse_ntsserverfile, 0, NTS_CERTS) },
    { PARSER_ROW("ntsserverkey", parse_ntsserverfile, 0, NTS_KEYS) },
    { PARSER_ROW("ntstrustedcerts", parse_ntstrustedcerts, 0, 0) },
    { PARSER_ROW("opencommands", parse_opencommands, 0, 0), .implemented = true },
    { PARSER_ROW("peer", parse_source, 0, CONF_SOURCE_PEER) },
    { PARSER_ROW("pidfile", parse_path_or_none, O(pidfile), 0),
      .def_str = CW_DEFAULT_PID_FILE, .implemented = true },
    { PARSER_ROW("pool", parse_source, 0, CONF_SOURCE_POOL), .implemented = true },
    { INT_ROW("port", port, CONF_DEFAULT_NTP_PORT), .implemented = true },
    { RANGED_ROW("ptpdomain", ptp_domain, CONF_DEFAULT_PTP_DOMAIN, 0, 255) },
    { INT_ROW("ptpport", ptp_port, 0) },
    { PARSER_ROW("ratelimit", parse_ratelimit, O(ntp_ratelimit), RL_KOD), .implemented = true },
    { PARSER_ROW("refclock", parse_refclock, 0, 0) },
    { RANGED_ROW("refresh", refresh_s, DEFAULT_REFRESH_S, 0, INT_MAX), .implemented = true },
    { DOUBLE_ROW("reselectdist", reselect_distance_s, 1e-4), .implemented = true },
    { DOUBLE_ROW("rtcautotrim", rtc_autotrim_s, 0.0) },
    { STRING_ROW("rtcdevice", rtc_device, CONF_DEFAULT_RTC_DEVICE) },
    { STRING_ROW("rtcfile", rtc_file, NULL) },
    { BOOL_ROW("rtconutc", rtc_on_utc) },
    { BOOL_ROW("rtcsync", rtc_sync), .implemented = true },
    { INT_ROW("sched_priority", sched_priority, 0), .implemented = true },
    { PARSER_ROW("server", parse_source, 0, CONF_SOURCE_SERVER), .implemented = true },
    { PARSER_ROW("smoothtime", parse_smoothtime, 0, 0), .implemented = true },
    { PARSER_ROW("sourcedir", parse_sourcedir, 0, 0), .implemented = true },
    { DOUBLE_ROW("stratumweight", stratum_weight_s, 1e-3), .implemented = true },
    { PARSER_ROW("tempcomp", parse_tempcomp, 0, 0) },
    { STRING_ROW("user", user, CW_DEFAULT_USER) },
};  

#define N_DIRECTIVES (sizeof table / sizeof table[0])

/* Which directives the configuration used, for conf_finish's warnings. */
static bool used[N_DIRECTIVES];

static const struct directive *find_directive(const char *name)
{
    for (size_t i = 0; i < N_DIRECTIVES; i++) {
        if (strcasecmp(table[i].name, name) == 0)
            return &table[i];
    }
    return NULL;
}

/* --- applying a directive --------------------------------------------------- */

/* Reads the arguments of a directive by the kind of its row. */
static void apply_directive(char *args, const struct directive *d)
{
    switch (d->kind) {
    case D_INT: {
        check_args(args, 1);
        if (sscanf(args, "%d", FIELD(int, d->offset)) != 1)
            fail_parse();
        break;
    }
    case D_INT_RANGED: {
        char *end;
        long v;
        check_args(args, 1);
        errno = 0;
        v = strtol(args, &end, 10);
        if (errno != 0 || *end != '\0' || end == args)
            fail_parse();
        if (v < d->min || v > d->max)
            fail_at("Invalid value %ld in %s directive (min %d, max %d)", v, cur_directive,
                    d->min, d->max);
        *FIELD(int, d->offset) = (int)v;
        break;
    }
    case D_DOUBLE:
        check_args(args, 1);
        if (sscanf(args, "%lf", FIELD(double, d->offset)) != 1)
            fail_parse();
        break;
    case D_STRING:
        check_args(args, 1);
        set_string(FIELD(char *, d->offset), args);
        break;
    case D_BOOL:
        check_args(args, 0);
        *FIELD(bool, d->offset) = true;
        break;
    case D_FLAG_INT:
        check_args(args, 0);
        *FIELD(int, d->offset) = 1;
        break;
    case D_IGNORED:
        break;
    case D_OBSOLETE:
        LOG_WARN("%s directive is no longer supported", cur_directive);
        break;
    case D_CUSTOM:
        d->parse(args, d);
        break;
    }
}

/* --- structured directives ------------------------------------------------ */

static void parse_source(char *args, const struct directive *d)
{
    struct conf_source src = { .type = (enum conf_source_type)d->arg };

    /* chrony 4.3 reports every problem of a source line the same way. */
    if (srcopts_parse(args, &src.name, &src.opts) != SRCOPTS_OK)
        fail_parse();
    APPEND(S.sources, S.n_sources, src);
}

static void parse_sourcedir(char *args, const struct directive *d)
{
    (void)d;
    /* The directories are searched when the sources are loaded (and on
     * "reload sources"), so nothing is checked here, as in chrony. */
    APPEND(S.sourcedirs, S.n_sourcedirs, mem_strdup(args));
}

static void parse_acl(char *args, const struct directive *d)
{
    struct conf_acl *acl = FIELD(struct conf_acl, d->offset);
    struct conf_acl_rule rule = { .allow = d->arg == ACL_ALLOW };
    char *net = args, *rest = split_word(args);

    if (strcmp(net, "all") == 0) {
        rule.all = true;
        net = rest;
        rest = split_word(rest);
    }
    if (*rest)
        fail_parse();

    if (!*net) {
        /* No subnet: every IPv4 and IPv6 address. */
        rule.subnet.ip.family = ADDR_UNSPEC;
        rule.subnet.bits = 0;
    } else {
        switch (addr_parse_subnet(net, &rule.subnet)) {
        case ADDR_SUBNET_OK:
            break;
        case ADDR_SUBNET_NOT_NUMERIC:
            if (!resolver(net, &rule.subnet.ip))
                fail_parse();
            rule.subnet.bits = rule.subnet.ip.family == ADDR_INET6 ? IPV6_BITS : IPV4_BITS;
            break;
        default:
            fail_parse();
        }
    }
    APPEND(acl->rules, acl->n, rule);
}

static void parse_authselectmode(char *args, const struct directive *d)
{
    static const struct { const char *name; enum conf_authselect_mode mode; } modes[] = {
        { "require", CONF_AUTHSELECT_REQUIRE }, { "prefer", CONF_AUTHSELECT_PREFER },
        { "mix", CONF_AUTHSELECT_MIX }, { "ignore", CONF_AUTHSELECT_IGNORE },
    };
    (void)d;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcasecmp(args, modes[i].name) == 0) {
            S.authselect_mode = modes[i].mode;
            return;
        }
    }
    fail_parse();
}

static void parse_leapsecmode(char *args, const struct directive *d)
{
    static const struct { const char *name; enum conf_leapsec_mode mode; } modes[] = {
        { "system", CONF_LEAPSEC_SYSTEM }, { "slew", CONF_LEAPSEC_SLEW },
        { "step", CONF_LEAPSEC_STEP }, { "ignore", CONF_LEAPSEC_IGNORE },
    };
    (void)d;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcasecmp(args, modes[i].name) == 0) {
            S.leapsec_mode = modes[i].mode;
            return;
        }
    }
    fail_parse();
}

/* bindaddress, bindacqaddress: the address replaces the one of its family. */
static void parse_bindaddr(char *args, const struct directive *d)
{
    struct conf_addr_pair *pair = FIELD(struct conf_addr_pair, d->offset);
    addr_ip ip;

    check_args(args, 1);
    if (!addr_parse(args, &ip))
        fail_parse();
    *(ip.family == ADDR_INET4 ? &pair->v4 : &pair->v6) = ip;
}

static void parse_bindcmdaddress(char *args, const struct directive *d)
{
    addr_ip ip;
    (void)d;

    check_args(args, 1);
    if (args[0] == '/') {
        /* A Unix socket path; "/" alone disables the socket. */
        set_string(&S.bindcmdpath, strcmp(args, "/") == 0 ? "" : args);
    } else if (addr_parse(args, &ip)) {
        *(ip.family == ADDR_INET4 ? &S.bind_cmd_address.v4 : &S.bind_cmd_address.v6) = ip;
    } else {
        fail_parse();
    }
}

static void parse_path_or_none(char *args, const struct directive *d)
{
    check_args(args, 1);
    /* "/" disables the file. */
    set_string(FIELD(char *, d->offset), strcmp(args, "/") == 0 ? "" : args);
}

static void parse_broadcast(char *args, const struct directive *d)
{
    struct conf_broadcast b = { .port = CONF_DEFAULT_NTP_PORT };
    char *interval = args, *addr = split_word(interval), *port = split_word(addr);
    char *rest = split_word(port);
    (void)d;

    if (sscanf(interval, "%d", &b.interval_s) != 1)
        fail_parse();
    if (!addr_parse(addr, &b.addr))
        fail_parse();
    if (*port && (sscanf(port, "%d", &b.port) != 1 || *rest))
        fail_parse();
    APPEND(S.broadcasts, S.n_broadcasts, b);
}

static void parse_clientloglimit(char *args, const struct directive *d)
{
    (void)d;
    check_args(args, 1);
    if (sscanf(args, "%lu", &S.client_log_limit) != 1)
        fail_parse();
}

static void parse_driftfile(char *args, const struct directive *d)
{
    char *path = args, *opt = split_word(path), *val = split_word(opt);
    int n = count_args(args) + count_args(opt) + count_args(val);
    int interval;
    (void)d;

    /* "FILE" (chrony 4.3) or "FILE interval SECONDS" (4.4+); anything else is
     * reported as 4.3 reports it. */
    if (n == 0)
        check_args("", 1);
    if (n == 3 && strcasecmp(opt, "interval") == 0 && sscanf(val, "%d", &interval) == 1)
        S.driftfile_interval_s = interval;
    else if (n != 1)
        fail_at("Too many arguments for %s directive", cur_directive);
    set_string(&S.driftfile, path);
}

static void parse_fallbackdrift(char *args, const struct directive *d)
{
    (void)d;
    check_args(args, 2);
    if (sscanf(args, "%d %d", &S.fallback_drift_min, &S.fallback_drift_max) != 2)
        fail_parse();
}

static void parse_makestep(char *args, const struct directive *d)
{
    (void)d;
    check_args(args, 2);
    if (sscanf(args, "%lf %d", &S.makestep_threshold_s, &S.makestep_limit) != 2) {
        S.makestep_limit = 0;
        fail_parse();
    }
    /* After a restart (-R) only an unlimited makestep stays. */
    if (restarted && S.makestep_limit > 0)
        S.makestep_limit = 0;
}

static void parse_maxchange(char *args, const struct directive *d)
{
    (void)d;
    check_args(args, 3);
    if (sscanf(args, "%lf %d %d", &S.maxchange_offset_s, &S.maxchange_delay,
               &S.maxchange_ignore) != 3) {
        S.maxchange_delay = -1;
        fail_parse();
    }
}

static void parse_mailonchange(char *args, const struct directive *d)
{
    char *address = args, *threshold;
    (void)d;

    check_args(args, 2);
    threshold = split_word(address);
    if (sscanf(threshold, "%lf", &S.mail_change_s) != 1) {
        set_string(&S.mail_on_change, "");
        fail_parse();
    }
    set_string(&S.mail_on_change, address);
}

static void parse_smoothtime(char *args, const struct directive *d)
{
    char *third;
    (void)d;

    if (count_args(args) != 3)
        check_args(args, 2);
    if (sscanf(args, "%lf %lf", &S.smooth_max_freq_ppm, &S.smooth_max_wander_ppm_s) != 2) {
        S.smooth_max_freq_ppm = 0.0;
        fail_parse();
    }
    third = split_word(split_word(args));
    S.smooth_leap_only = false;
    if (*third) {
        if (strcasecmp(third, "leaponly") != 0)
            fail_parse();
        S.smooth_leap_only = true;
    }
}

static void parse_tempcomp(char *args, const struct directive *d)
{
    bool point_form = count_args(args) == 3;
    char *sensor = args, *rest;
    (void)d;

    if (!point_form)
        check_args(args, 6);
    rest = split_word(sensor);
    if (point_form) {
        char *points;
        if (sscanf(rest, "%lf", &S.tempcomp_interval_s) != 1)
            fail_parse();
        points = split_word(rest);
        set_string(&S.tempcomp_points, points);
    } else {
        if (sscanf(rest, "%lf %lf %lf %lf %lf", &S.tempcomp_interval_s, &S.tempcomp_t0,
                   &S.tempcomp_k0, &S.tempcomp_k1, &S.tempcomp_k2) != 5)
            fail_parse();
        set_string(&S.tempcomp_points, "");
    }
    set_string(&S.tempcomp_sensor, sensor);
}

static void parse_initstepslew(char *args, const struct directive *d)
{
    char *threshold = args, *rest;
    (void)d;

    /* After a restart (-R) the line is ignored, as in chrony. */
    if (restarted)
        return;

    S.initstepslew.n_servers = 0;
    rest = split_word(threshold);
    if (sscanf(threshold, "%lf", &S.initstepslew.threshold_s) != 1)
        fail_parse();
    while (*rest) {
        char *name = rest;
        addr_ip ip;
        rest = split_word(rest);
        if (addr_parse(name, &ip) || resolver(name, &ip))
            APPEND(S.initstepslew.servers, S.initstepslew.n_servers, ip);
        else
            LOG_WARN("Could not resolve address of initstepslew server %s", name);
    }
    S.initstepslew.enabled = true;
}

static void parse_log(char *args, const struct directive *d)
{
    static const struct { const char *name; size_t offset; } kinds[] = {
        { "measurements", offsetof(struct conf_log, measurements) },
        { "rawmeasurements", offsetof(struct conf_log, raw_measurements) },
        { "selection", offsetof(struct conf_log, selection) },
        { "statistics", offsetof(struct conf_log, statistics) },
        { "tracking", offsetof(struct conf_log, tracking) },
        { "rtc", offsetof(struct conf_log, rtc) },
        { "refclocks", offsetof(struct conf_log, refclocks) },
        { "tempcomp", offsetof(struct conf_log, tempcomp) },
    };
    (void)d;

    while (*args) {
        char *word = args;
        size_t i;
        args = split_word(args);
        /* Log names are case-sensitive in chrony. */
        for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
            if (strcmp(word, kinds[i].name) == 0)
                break;
        }
        if (i == sizeof kinds / sizeof kinds[0])
            fail_at("Invalid log parameter");
        *(bool *)((char *)&S.log + kinds[i].offset) = true;
        /* Raw measurements are written to the measurements log. */
        if (strcmp(word, "rawmeasurements") == 0)
            S.log.measurements = true;
    }
}

static void parse_ntsserverfile(char *args, const struct directive *d)
{
    check_args(args, 1);
    if (d->arg == NTS_CERTS)
        APPEND(S.nts_server_certs, S.n_nts_server_certs, mem_strdup(args));
    else
        APPEND(S.nts_server_keys, S.n_nts_server_keys, mem_strdup(args));
}

static void parse_ntstrustedcerts(char *args, const struct directive *d)
{
    struct conf_trusted_certs tc = { .set_id = 0 };
    char *path = args;
    (void)d;

    if (count_args(args) == 2) {
        path = split_word(args);
        if (sscanf(args, "%" SCNu32, &tc.set_id) != 1)
            fail_parse();
    } else {
        check_args(args, 1);
    }
    tc.path = mem_strdup(path);
    APPEND(S.trusted_certs, S.n_trusted_certs, tc);
}

static void parse_ntsaeads(char *args, const struct directive *d)
{
    (void)d;
    S.n_ntsaeads = 0;
    while (*args) {
        char *word = args, *end;
        long v;
        args = split_word(args);
        errno = 0;
        v = strtol(word, &end, 10);
        if (errno != 0 || *end != '\0' || end == word)
            fail_parse();
        if (v < 0 || v > INT_MAX)
            fail_at("Invalid value %ld in %s directive (min %d, max %d)", v, cur_directive,
                    0, INT_MAX);
        APPEND(S.ntsaeads, S.n_ntsaeads, (int)v);
    }
}

static const struct { const char *name; unsigned bit; } open_command_names[] = {
    { "activity", CONF_OPEN_ACTIVITY }, { "authdata", CONF_OPEN_AUTHDATA },
    { "clients", CONF_OPEN_CLIENTS }, { "manual", CONF_OPEN_MANUAL },
    { "ntpdata", CONF_OPEN_NTPDATA }, { "rtcdata", CONF_OPEN_RTCDATA },
    { "selectdata", CONF_OPEN_SELECTDATA }, { "serverstats", CONF_OPEN_SERVERSTATS },
    { "smoothing", CONF_OPEN_SMOOTHING }, { "sourcename", CONF_OPEN_SOURCENAME },
    { "sources", CONF_OPEN_SOURCES }, { "sourcestats", CONF_OPEN_SOURCESTATS },
    { "tracking", CONF_OPEN_TRACKING },
};

/* chrony's default set of commands open to cmdallow'ed hosts. */
#define DEFAULT_OPEN_COMMANDS (CONF_OPEN_ACTIVITY | CONF_OPEN_MANUAL | CONF_OPEN_RTCDATA | \
    CONF_OPEN_SMOOTHING | CONF_OPEN_SOURCENAME | CONF_OPEN_SOURCES | \
    CONF_OPEN_SOURCESTATS | CONF_OPEN_TRACKING)

static void parse_opencommands(char *args, const struct directive *d)
{
    (void)d;
    S.open_commands = 0;
    while (*args) {
        char *word = args;
        size_t i;
        args = split_word(args);
        for (i = 0; i < sizeof open_command_names / sizeof open_command_names[0]; i++) {
            if (strcasecmp(word, open_command_names[i].name) == 0)
                break;
        }
        if (i == sizeof open_command_names / sizeof open_command_names[0])
            fail_parse();
        S.open_commands |= open_command_names[i].bit;
    }
}

/* ratelimit, ntsratelimit, cmdratelimit: the row's offset is the struct. */
#define RL(field) offsetof(struct conf_ratelimit, field)
static const struct optab ratelimit_options[] = {
    OPTAB_INTV("interval", RL(interval)),
    OPTAB_INTV("burst", RL(burst)),
    OPTAB_INTV("leak", RL(leak)),
    /* Only in ratelimit, and only since chrony 4.4: listed last. */
    OPTAB_INT_RANGE("kod", RL(kod), RATELIMIT_KOD_MIN, RATELIMIT_KOD_MAX),
};
#undef RL

static void parse_ratelimit(char *args, const struct directive *d)
{
    struct conf_ratelimit *rl = FIELD(struct conf_ratelimit, d->offset);
    size_t n = sizeof ratelimit_options / sizeof ratelimit_options[0];

    rl->enabled = true;
    if (d->arg == RL_NO_KOD)
        n--;
    if (optab_parse(ratelimit_options, n, args, rl, NULL) != OPTAB_OK)
        fail_parse();
}

#define LO(field) offsetof(struct conf_local, field)
static const struct optab local_options[] = {
    OPTAB_INT_RANGE("stratum", LO(stratum), LOCAL_MIN_STRATUM, LOCAL_MAX_STRATUM),
    OPTAB_BOOL("orphan", LO(orphan), 1),
    OPTAB_DBL("distance", LO(distance_s)),
    OPTAB_DBL("activate", LO(activate_s)),
    OPTAB_DBL("waitsynced", LO(wait_synced_s)),
    OPTAB_DBL("waitunsynced", LO(wait_unsynced_s)),
};
#undef LO

static void local_defaults(struct conf_local *l)
{
    *l = (struct conf_local){
        .stratum = DEFAULT_LOCAL_STRATUM,
        .distance_s = DEFAULT_LOCAL_DISTANCE_S,
        .wait_unsynced_s = -1.0,    /* resolved after parsing */
    };
}

static void parse_local(char *args, const struct directive *d)
{
    (void)d;
    /* Each local line starts again from the defaults. */
    local_defaults(&S.local);
    if (optab_parse(local_options, sizeof local_options / sizeof local_options[0], args,
                    &S.local, NULL) != OPTAB_OK)
        fail_parse();
    if (S.local.wait_unsynced_s < 0.0)
        S.local.wait_unsynced_s = S.local.orphan ? DEFAULT_ORPHAN_WAIT_UNSYNCED_S : 0.0;
    S.local.enabled = true;
}

#define RC(field) offsetof(struct conf_refclock, field)
static const struct optab refclock_options[] = {
    OPTAB_REFID("refid", RC(ref_id)),
    OPTAB_REFID("lock", RC(lock_ref_id)),
    OPTAB_INTV("poll", RC(poll)),
    OPTAB_INTV("dpoll", RC(dpoll)),
    OPTAB_INTV("filter", RC(filter)),
    OPTAB_BOOL("local", RC(local), 1),
    OPTAB_INTV("rate", RC(rate_hz)),
    OPTAB_INTV("minsamples", RC(min_samples)),
    OPTAB_INTV("maxlockage", RC(max_lock_age)),
    OPTAB_INTV("maxsamples", RC(max_samples)),
    OPTAB_INT_RANGE("maxunreach", RC(max_unreach), 0, INT_MAX),
    OPTAB_DBL("offset", RC(offset_s)),
    OPTAB_DBL("delay", RC(delay_s)),
    OPTAB_BOOL("pps", RC(pps), 1),
    OPTAB_DBL("precision", RC(precision_s)),
    OPTAB_DBL("maxdispersion", RC(max_dispersion_s)),
    OPTAB_INT_RANGE("stratum", RC(stratum), 0, NTP_MAX_STRATUM - 1),
    OPTAB_BOOL("tai", RC(tai), 1),
    OPTAB_DBL("width", RC(pulse_width_s)),
    OPTAB_BITS("noselect", RC(sel_options), SRCOPTS_SEL_NOSELECT),
    OPTAB_BITS("prefer", RC(sel_options), SRCOPTS_SEL_PREFER),
    OPTAB_BITS("require", RC(sel_options), SRCOPTS_SEL_REQUIRE),
    OPTAB_BITS("trust", RC(sel_options), SRCOPTS_SEL_TRUST),
};
#undef RC

static void parse_refclock(char *args, const struct directive *d)
{
    struct conf_refclock rc = {
        .poll = DEFAULT_REFCLOCK_POLL,
        .filter = DEFAULT_REFCLOCK_FILTER,
        .min_samples = SRCOPTS_DEFAULT_SAMPLES,
        .max_samples = SRCOPTS_DEFAULT_SAMPLES,
        .max_lock_age = DEFAULT_REFCLOCK_MAX_LOCK_AGE,
        .max_unreach = SRCOPTS_DEFAULT_MAXUNREACH,
        .delay_s = DEFAULT_REFCLOCK_DELAY_S,
    };
    char *driver = args, *param, *opts;
    (void)d;

    param = split_word(driver);
    if (!*driver || !*param)
        fail_parse();
    opts = split_word(param);

    switch (optab_parse(refclock_options, sizeof refclock_options / sizeof refclock_options[0],
                        opts, &rc, NULL)) {
    case OPTAB_OK:
        break;
    case OPTAB_UNKNOWN:
        fail_at("Invalid refclock option");
    default:
        fail_parse();
    }
    rc.driver = mem_strdup(driver);
    rc.parameter = mem_strdup(param);
    APPEND(S.refclocks, S.n_refclocks, rc);
}

static bool read_rxfilter(const char *text, int *consumed, void *field)
{
    static const struct { const char *name; enum conf_rxfilter filter; } filters[] = {
        { "none", CONF_RXFILTER_NONE }, { "ntp", CONF_RXFILTER_NTP },
        { "ptp", CONF_RXFILTER_PTP }, { "all", CONF_RXFILTER_ALL },
    };
    char word[5];

    /* chrony reads at most 4 characters of the filter name. */
    if (sscanf(text, "%4s%n", word, consumed) != 1)
        return false;
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        if (strcasecmp(word, filters[i].name) == 0) {
            *(enum conf_rxfilter *)field = filters[i].filter;
            return true;
        }
    }
    return false;
}

#define HW(field) offsetof(struct conf_hwts, field)
static const struct optab hwts_options[] = {
    OPTAB_INTV("maxsamples", HW(max_samples)),
    OPTAB_INTV("minpoll", HW(minpoll)),
    OPTAB_INT_RANGE("maxpoll", HW(maxpoll), -POLL_LIMIT, POLL_LIMIT),
    OPTAB_INTV("minsamples", HW(min_samples)),
    OPTAB_DBL("precision", HW(precision_s)),
    OPTAB_DBL("rxcomp", HW(rx_comp_s)),
    OPTAB_DBL("txcomp", HW(tx_comp_s)),
    OPTAB_FN("rxfilter", HW(rxfilter), read_rxfilter),
    OPTAB_BOOL("nocrossts", HW(nocrossts), 1),
};
#undef HW

static void parse_hwtimestamp(char *args, const struct directive *d)
{
    struct conf_hwts hw = {
        .maxpoll = UNSET_POLL,
        .min_samples = DEFAULT_HWTS_MIN_SAMPLES,
        .max_samples = DEFAULT_HWTS_MAX_SAMPLES,
        .rxfilter = CONF_RXFILTER_ANY,
        .precision_s = DEFAULT_HWTS_PRECISION_S,
    };
    char *iface = args, *opts;
    (void)d;

    if (!*iface)
        fail_parse();
    opts = split_word(iface);
    if (optab_parse(hwts_options, sizeof hwts_options / sizeof hwts_options[0], opts, &hw,
                    NULL) != OPTAB_OK)
        fail_parse();
    /* minpoll is read without a range, as chrony 4.3 reads it: the default
     * maxpoll stops at INT_MAX rather than overflow. */
    if (hw.maxpoll == UNSET_POLL)
        hw.maxpoll = hw.minpoll < INT_MAX ? hw.minpoll + 1 : INT_MAX;
    hw.interface = mem_strdup(iface);
    APPEND(S.hwts, S.n_hwts, hw);
}

/* --- reading lines and files ---------------------------------------------- */

static void read_file(const char *path);

static void release_paths(struct input *in)
{
    conf_dirs_free(in->paths, in->n_paths);
    in->paths = NULL;
    in->n_paths = 0;
}

static void release_input(struct input *in)
{
    files_close_read(in->file);
    mem_free(in->line);
    release_paths(in);
    *in = (struct input){ .file = NULL };
}

/* Reads the files an include or confdir line named (in inputs[include_level]). */
static void read_files(struct input *in)
{
    for (size_t i = 0; i < in->n_paths; i++)
        read_file(in->paths[i]);
    release_paths(in);
}

static void parse_include(char *args, const struct directive *d)
{
    struct input *in = &inputs[include_level];
    (void)d;

    check_args(args, 1);
    switch (conf_dirs_glob(args, &in->paths, &in->n_paths)) {
    case CONF_DIRS_GLOB_ERROR:
        log_fatal("Could not search for files matching %s", args);
    case CONF_DIRS_GLOB_NONE:
        /* A pattern that matches nothing includes nothing. */
        return;
    case CONF_DIRS_GLOB_OK:
        break;
    }
    read_files(in);
}

static void parse_confdir(char *args, const struct directive *d)
{
    struct input *in = &inputs[include_level];
    (void)d;

    if (!conf_dirs_search(args, ".conf", &in->paths, &in->n_paths))
        fail_parse();
    read_files(in);
}

/* Collapses runs of whitespace into one space, trims both ends and empties
 * comment lines (first non-blank character one of ! ; # %). */
static void normalize(char *line)
{
    char *p, *q;
    bool space = true, first = true;

    for (p = q = line; *p; p++) {
        if (isspace((unsigned char)*p)) {
            if (!space)
                *q++ = ' ';
            space = true;
            continue;
        }
        if (first && strchr("!;#%", *p))
            break;
        *q++ = *p;
        space = first = false;
    }
    if (q > line && q[-1] == ' ')
        q--;
    *q = '\0';
}

/* Parses one line (modified in place). */
static void parse_line(const char *file, int number, char *line)
{
    const struct directive *d;
    char *args;

    cur_file = file;
    cur_line = number;
    if (strlen(line) >= MAX_LINE_LENGTH)
        fail_at("String too long");

    normalize(line);
    if (!*line)
        return;

    args = split_word(line);
    cur_directive = line;
    d = find_directive(line);

    /* -p prints the line before parsing it, so a bad line is shown before
     * its error, as chrony does. Includes print the lines they read. */
    if (print_mode && !(d && d->noprint)) {
        printf("%s%s%s\n", line, *args ? " " : "", args);
        fflush(stdout);
    }
    if (!d)
        fail_at("Invalid directive");

    used[d - table] = true;
    apply_directive(args, d);
}

static void read_file(const char *path)
{
    struct input *in;
    int number = 0;

    if (++include_level > MAX_INCLUDE_LEVEL)
        log_fatal("Maximum include level reached");

    in = &inputs[include_level];
    in->file = files_open_read(path);
    if (!in->file)
        log_fatal("Could not open %s : %s", path, strerror(errno));

    char *line;
    while ((line = files_read_line(in->file, 0, NULL)))
        parse_line(path, ++number, line);

    release_input(in);
    include_level--;
}

/* --- sourcedir files ----------------------------------------------------- */

static void free_source_list(struct conf_source *sources, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mem_free(sources[i].name);
    mem_free(sources);
}

void conf_free_sources(struct conf_source *sources, size_t n)
{
    free_source_list(sources, n);
}

/* Reads one *.sources file: only server, pool and peer lines, each ending
 * with a newline (a file being written may end with a partial line). */
static void load_sources_file(const char *path, struct conf_source **out, size_t *n)
{
    files_reader *f = files_open_read(path);
    char *line;
    size_t len;
    int number = 0;

    if (!f) {
        LOG_WARN("Could not open %s : %s", path, strerror(errno));
        return;
    }
    while ((line = files_read_line(f, 0, &len))) {
        struct conf_source src;
        char *args;

        number++;
        /* chrony stops at a line without its newline, which is also where a
         * line too long for its buffer ends. */
        if (len == 0 || line[len - 1] != '\n')
            break;
        if (strlen(line) >= MAX_LINE_LENGTH) {
            LOG_WARN("String too long at line %d in file %s", number, path);
            break;
        }
        normalize(line);
        if (!*line)
            continue;
        args = split_word(line);
        if (strcasecmp(line, "server") == 0)
            src.type = CONF_SOURCE_SERVER;
        else if (strcasecmp(line, "pool") == 0)
            src.type = CONF_SOURCE_POOL;
        else if (strcasecmp(line, "peer") == 0)
            src.type = CONF_SOURCE_PEER;
        else {
            LOG_WARN("Invalid directive at line %d in file %s", number, path);
            continue;
        }
        if (srcopts_parse(args, &src.name, &src.opts) != SRCOPTS_OK) {
            LOG_WARN("Could not parse %s directive at line %d in file %s", line, number,
                     path);
            continue;
        }
        APPEND(*out, *n, src);
    }
    files_close_read(f);
}

struct conf_source *conf_load_sourcedirs(size_t *n)
{
    struct conf_source *out = NULL;

    *n = 0;
    for (size_t i = 0; i < S.n_sourcedirs; i++) {
        char **paths;
        size_t n_paths;
        if (!conf_dirs_search(S.sourcedirs[i], ".sources", &paths, &n_paths))
            continue;
        for (size_t k = 0; k < n_paths; k++)
            load_sources_file(paths[k], &out, n);
        conf_dirs_free(paths, n_paths);
    }
    return out;
}

/* --- settings lifetime --------------------------------------------------- */

static void free_string_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mem_free(list[i]);
    mem_free(list);
}

static void free_settings(void)
{
    for (size_t i = 0; i < N_DIRECTIVES; i++) {
        if (table[i].kind == D_STRING || table[i].parse == parse_path_or_none) {
            char **field = FIELD(char *, table[i].offset);
            mem_free(*field);
            *field = NULL;
        }
    }
    mem_free(S.bindcmdpath);
    mem_free(S.driftfile);
    mem_free(S.mail_on_change);
    mem_free(S.tempcomp_sensor);
    mem_free(S.tempcomp_points);
    free_source_list(S.sources, S.n_sources);
    free_string_list(S.sourcedirs, S.n_sourcedirs);
    for (size_t i = 0; i < S.n_refclocks; i++) {
        mem_free(S.refclocks[i].driver);
        mem_free(S.refclocks[i].parameter);
    }
    mem_free(S.refclocks);
    for (size_t i = 0; i < S.n_hwts; i++)
        mem_free(S.hwts[i].interface);
    mem_free(S.hwts);
    mem_free(S.initstepslew.servers);
    mem_free(S.ntsaeads);
    for (size_t i = 0; i < S.n_trusted_certs; i++)
        mem_free(S.trusted_certs[i].path);
    mem_free(S.trusted_certs);
    free_string_list(S.nts_server_certs, S.n_nts_server_certs);
    free_string_list(S.nts_server_keys, S.n_nts_server_keys);
    mem_free(S.ntp_acl.rules);
    mem_free(S.cmd_acl.rules);
    mem_free(S.broadcasts);
    memset(&S, 0, sizeof S);
}

static void apply_client_only(void)
{
    S.port = 0;
    S.cmd_port = 0;
    set_string(&S.bindcmdpath, "");
    set_string(&S.pidfile, "");
}

void conf_init(void)
{
    free_settings();

    /* The table's defaults. */
    for (size_t i = 0; i < N_DIRECTIVES; i++) {
        const struct directive *d = &table[i];
        switch (d->kind) {
        case D_INT:
        case D_INT_RANGED:
            *FIELD(int, d->offset) = (int)d->def;
            break;
        case D_DOUBLE:
            *FIELD(double, d->offset) = d->def;
            break;
        case D_STRING:
            if (!*FIELD(char *, d->offset))
                *FIELD(char *, d->offset) = mem_strdup(d->def_str ? d->def_str : "");
            break;
        default:
            if (d->parse == parse_path_or_none)
                *FIELD(char *, d->offset) = mem_strdup(d->def_str);
            break;
        }
        used[i] = false;
    }

    /* Structured defaults. */
    S.bindcmdpath = mem_strdup(CW_DEFAULT_SOCKET);
    S.driftfile = mem_strdup("");
    S.driftfile_interval_s = DEFAULT_DRIFTFILE_INTERVAL_S;
    S.mail_on_change = mem_strdup("");
    S.tempcomp_sensor = mem_strdup("");
    S.tempcomp_points = mem_strdup("");
    S.authselect_mode = CONF_AUTHSELECT_MIX;
    S.leapsec_mode = CONF_LEAPSEC_SYSTEM;
    S.maxchange_delay = -1;
    S.client_log_limit = DEFAULT_CLIENT_LOG_LIMIT;
    S.ntp_ratelimit = (struct conf_ratelimit){ .interval = 3, .burst = 8, .leak = 2 };
    S.nts_ratelimit = (struct conf_ratelimit){ .interval = 6, .burst = 8, .leak = 2 };
    S.cmd_ratelimit = (struct conf_ratelimit){ .interval = -4, .burst = 8, .leak = 2 };
    local_defaults(&S.local);
    S.local.wait_unsynced_s = 0.0;
    S.open_commands = DEFAULT_OPEN_COMMANDS;
    for (size_t i = 0; i < sizeof default_ntsaeads / sizeof default_ntsaeads[0]; i++)
        APPEND(S.ntsaeads, S.n_ntsaeads, default_ntsaeads[i]);
    /* Servers listen on every address, the command port on loopback only. */
    addr_parse("0.0.0.0", &S.bind_address.v4);
    addr_parse("::", &S.bind_address.v6);
    S.bind_acq_address = S.bind_address;
    addr_parse("127.0.0.1", &S.bind_cmd_address.v4);
    addr_parse("::1", &S.bind_cmd_address.v6);

    if (client_only)
        apply_client_only();

    /* What a parse ended by a fatal error left open. */
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        release_input(&inputs[i]);
    cmdline_lines = 0;
    include_level = 0;
    cur_file = NULL;
}

void conf_set_restarted(bool r) { restarted = r; }

void conf_set_client_only(bool c)
{
    client_only = c;
    if (c)
        apply_client_only();
}

void conf_set_resolver(conf_resolver r) { resolver = r ? r : conf_resolve_name; }

void conf_set_print(bool print) { print_mode = print; }

void conf_parse_line(const char *line)
{
    struct input *in = &inputs[0];

    in->line = mem_strdup(line);
    parse_line(NULL, ++cmdline_lines, in->line);
    release_input(in);
}

void conf_read_file(const char *path)
{
    read_file(path);
}

/* chrony checks the prefix lengths when it sets up the access tables at
 * start (not with -p), with this message. */
static void check_acl(const struct conf_acl *acl)
{
    for (size_t i = 0; i < acl->n; i++) {
        const addr_subnet *sn = &acl->rules[i].subnet;
        int width = sn->ip.family == ADDR_INET6 ? IPV6_BITS :
                    sn->ip.family == ADDR_INET4 ? IPV4_BITS : 0;
        char buf[ADDR_STR_MAX];
        if (sn->bits > width)
            log_fatal("Bad subnet in %s/%d", addr_format(&sn->ip, buf, sizeof buf), sn->bits);
    }
}

void conf_finish(void)
{
    if (print_mode)
        return;
    check_acl(&S.ntp_acl);
    check_acl(&S.cmd_acl);
    for (size_t i = 0; i < N_DIRECTIVES; i++) {
        if (used[i] && !table[i].implemented)
            LOG_WARN("%s directive not supported yet", table[i].name);
    }
    /* the log kinds whose feature chronyd does not have (the log directive
     * itself is implemented: the other kinds are written) */
    if (S.log.rtc)
        LOG_WARN("log rtc not supported yet");
    if (S.log.refclocks)
        LOG_WARN("log refclocks not supported yet");
    if (S.log.tempcomp)
        LOG_WARN("log tempcomp not supported yet");
}

const struct conf_settings *conf_settings(void) { return &S; }

const char *conf_directive_name(size_t index)
{
    return index < N_DIRECTIVES ? table[index].name : NULL;
}

bool conf_directive_implemented(const char *name)
{
    const struct directive *d = find_directive(name);
    return d && d->implemented;
}
