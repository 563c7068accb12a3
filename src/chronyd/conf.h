/* conf: chronyd's configuration language. One table of directives parses
 * chrony.conf (and directives given on the command line) into typed settings
 * with chrony's defaults; -p prints the lines as they are read.
 *
 * CONTRACT used by main.c and the rest of chronyd (keep these names):
 *   conf_init, conf_set_print, conf_parse_line, conf_read_file, conf_finish,
 *   conf_settings() and the fields listed in struct conf_settings below.
 *
 * Conventions of struct conf_settings:
 *   - strings are never NULL; "" means "not set" (for pidfile and bindcmdpath
 *     it also means "disabled", which "/" in the configuration selects);
 *   - lists keep the order of the configuration;
 *   - units are in the names (_s seconds, _ppm, log2 for polling intervals).
 * Errors in the configuration are fatal, with chrony 4.3's messages. */
#ifndef CW_CONF_H
#define CW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "common/srcopts.h"

#define CONF_DEFAULT_NTP_PORT 123
#define CONF_DEFAULT_CMD_PORT 323
#define CONF_DEFAULT_NTS_PORT 4460
#define CONF_DEFAULT_PTP_DOMAIN 123
#define CONF_DEFAULT_RTC_DEVICE "/dev/rtc"

/* A source from server, pool or peer (or a sourcedir *.sources file). */
enum conf_source_type { CONF_SOURCE_SERVER, CONF_SOURCE_POOL, CONF_SOURCE_PEER };

struct conf_source {
    enum conf_source_type type;
    char *name;                 /* host name or address, as written */
    struct srcopts opts;        /* port, family and every option */
};

/* One allow/deny (or cmdallow/cmddeny) line. */
struct conf_acl_rule {
    bool allow;                 /* allow or deny */
    bool all;                   /* "all": overrides earlier rules inside the subnet */
    addr_subnet subnet;         /* family ADDR_UNSPEC with bits 0 = every address */
};

struct conf_acl {
    struct conf_acl_rule *rules;
    size_t n;
};

/* The refclock directive. */
enum conf_rxfilter { CONF_RXFILTER_ANY, CONF_RXFILTER_NONE, CONF_RXFILTER_NTP,
                     CONF_RXFILTER_PTP, CONF_RXFILTER_ALL };

struct conf_refclock {
    char *driver;               /* PPS, SOCK, SHM, PHC, RTC ... as written */
    char *parameter;            /* driver parameter with its ":option"s */
    int poll;                   /* log2 s, default 4 */
    int dpoll;                  /* log2 s, default 0 */
    int filter;                 /* samples in the median filter, default 64 */
    int rate_hz;                /* PPS rate; 0 = driver default (1) */
    int min_samples, max_samples;   /* -1 = the global setting */
    int max_lock_age;           /* pulses, default 2 */
    int stratum;                /* 0..15, default 0 */
    int max_unreach;            /* polls, default 100000 */
    bool local, pps, tai;
    unsigned sel_options;       /* SRCOPTS_SEL_* */
    uint32_t ref_id;            /* refid, 0 = derived from the driver name */
    uint32_t lock_ref_id;       /* lock, 0 = none */
    double offset_s;
    double delay_s;             /* default 1e-9 */
    double precision_s;         /* 0 = the system clock's */
    double max_dispersion_s;    /* 0 = no limit */
    double pulse_width_s;       /* width, 0 = unknown */
};

/* The hwtimestamp directive. */
struct conf_hwts {
    char *interface;            /* name or "*" */
    int minpoll, maxpoll;       /* log2 s; maxpoll defaults to minpoll + 1 */
    int min_samples, max_samples;
    bool nocrossts;
    enum conf_rxfilter rxfilter;
    double precision_s, tx_comp_s, rx_comp_s;
};

struct conf_broadcast {
    addr_ip addr;
    int port;                   /* default 123 */
    int interval_s;
};

/* bindaddress, bindacqaddress, bindcmdaddress: one address per family. */
struct conf_addr_pair {
    addr_ip v4, v6;
};

/* ratelimit, ntsratelimit, cmdratelimit. Intervals are log2 s; leak and
 * kod are powers of 1/2. */
struct conf_ratelimit {
    bool enabled;
    int interval, burst, leak, kod;
};

/* The local directive. */
struct conf_local {
    bool enabled;
    int stratum;                /* 1..15, default 10 */
    bool orphan;
    double distance_s;          /* default 1 */
    double activate_s;          /* default 0 = no activating distance */
    double wait_synced_s;       /* default 0 */
    double wait_unsynced_s;     /* default 300 with orphan, else 0 */
};

struct conf_initstepslew {
    bool enabled;
    double threshold_s;
    addr_ip *servers;           /* the names that resolved */
    size_t n_servers;
};

struct conf_trusted_certs {
    char *path;                 /* file or directory */
    uint32_t set_id;            /* default 0 */
};

enum conf_leapsec_mode { CONF_LEAPSEC_SYSTEM, CONF_LEAPSEC_SLEW, CONF_LEAPSEC_STEP,
                         CONF_LEAPSEC_IGNORE };
enum conf_authselect_mode { CONF_AUTHSELECT_REQUIRE, CONF_AUTHSELECT_PREFER,
                            CONF_AUTHSELECT_MIX, CONF_AUTHSELECT_IGNORE };

/* opencommands: the monitoring commands open to cmdallow'ed hosts. */
enum conf_open_command {
    CONF_OPEN_ACTIVITY = 1 << 0, CONF_OPEN_AUTHDATA = 1 << 1, CONF_OPEN_CLIENTS = 1 << 2,
    CONF_OPEN_MANUAL = 1 << 3, CONF_OPEN_NTPDATA = 1 << 4, CONF_OPEN_RTCDATA = 1 << 5,
    CONF_OPEN_SELECTDATA = 1 << 6, CONF_OPEN_SERVERSTATS = 1 << 7,
    CONF_OPEN_SMOOTHING = 1 << 8, CONF_OPEN_SOURCENAME = 1 << 9,
    CONF_OPEN_SOURCES = 1 << 10, CONF_OPEN_SOURCESTATS = 1 << 11,
    CONF_OPEN_TRACKING = 1 << 12,
};

struct conf_log {
    bool measurements, raw_measurements, selection, statistics, tracking, rtc,
         refclocks, tempcomp;
};

struct conf_settings {
    /* --- the CONTRACT fields (see the top of this file) --- */
    char *pidfile;          /* pidfile, default CW_DEFAULT_PID_FILE; "" = none */
    char *user;             /* user, default CW_DEFAULT_USER */
    char *logdir;           /* logdir, default "" */
    char *driftfile;        /* driftfile, default "" */
    char *bindcmdpath;      /* Unix command socket, default CW_DEFAULT_SOCKET; "" = none */
    int lock_all;           /* lock_all: mlockall (also -m) */
    int sched_priority;     /* sched_priority (also -P) */

    /* --- time sources --- */
    struct conf_source *sources;    /* server, pool, peer in order */
    size_t n_sources;
    char **sourcedirs;      /* each sourcedir line's directory list, as written */
    size_t n_sourcedirs;
    struct conf_refclock *refclocks;
    size_t n_refclocks;
    struct conf_initstepslew initstepslew;
    bool manual;
    int acquisition_port;   /* acquisitionport, -1 = a new random port per request */
    char *bind_acq_device;  /* bindacqdevice */
    struct conf_addr_pair bind_acq_address; /* bindacqaddress, default any */
    int dscp;
    char *dumpdir;
    int max_samples, min_samples;   /* maxsamples (0 = no limit), minsamples (6) */
    int *ntsaeads;          /* ntsaeads: AEAD IDs in priority order, default 30 15 */
    size_t n_ntsaeads;
    char *nts_dump_dir;     /* ntsdumpdir (alias ntscachedir) */
    int nts_refresh_s;
    struct conf_trusted_certs *trusted_certs;   /* ntstrustedcerts */
    size_t n_trusted_certs;
    bool no_system_cert;    /* nosystemcert */
    int no_cert_time_check; /* nocerttimecheck: clock updates without time checks */
    int refresh_s;          /* refresh */

    /* --- source selection --- */
    enum conf_authselect_mode authselect_mode;
    double combine_limit;
    double max_distance_s;
    double max_jitter_s;
    int max_stratum, min_stratum;   /* maxstratum, minstratum directives */
    int min_sources;
    double reselect_distance_s;
    double stratum_weight_s;

    /* --- system clock --- */
    double clock_precision_s;       /* 0 = measured */
    double corr_time_ratio;
    int driftfile_interval_s;       /* driftfile ... interval */
    int fallback_drift_min, fallback_drift_max; /* log2 s; 0 = off */
    enum conf_leapsec_mode leapsec_mode;
    char *leapsec_tz;
    char *leapsec_list;
    double makestep_threshold_s;    /* makestep */
    int makestep_limit;             /* 0 = no stepping; negative = no limit */
    double maxchange_offset_s;      /* maxchange */
    int maxchange_delay;            /* updates before checking; -1 = off */
    int maxchange_ignore;
    double max_clock_error_ppm;
    double max_drift_ppm;
    double max_update_skew_ppm;
    double max_slew_rate_ppm;
    char *tempcomp_sensor;          /* tempcomp: "" = off */
    double tempcomp_interval_s;
    char *tempcomp_points;          /* the three-argument form's point file */
    double tempcomp_t0, tempcomp_k0, tempcomp_k1, tempcomp_k2;

    /* --- NTP server --- */
    struct conf_acl ntp_acl;        /* allow, deny */
    struct conf_addr_pair bind_address;     /* bindaddress, default any */
    char *bind_device;              /* binddevice */
    struct conf_broadcast *broadcasts;
    size_t n_broadcasts;
    unsigned long client_log_limit; /* bytes */
    bool no_client_log;
    struct conf_local local;
    char *ntp_signd_socket;
    int nts_port;                   /* ntsport */
    char **nts_server_certs;        /* ntsservercert */
    size_t n_nts_server_certs;
    char **nts_server_keys;         /* ntsserverkey */
    size_t n_nts_server_keys;
    int nts_processes;
    int max_nts_connections;
    char *nts_ntp_server;
    int nts_rotate_s;
    int port;                       /* NTP server port, 0 = never open */
    struct conf_ratelimit ntp_ratelimit, nts_ratelimit;
    double smooth_max_freq_ppm;     /* smoothtime; 0 = off */
    double smooth_max_wander_ppm_s;
    bool smooth_leap_only;

    /* --- command and monitoring access --- */
    struct conf_addr_pair bind_cmd_address; /* bindcmdaddress IPs, default loopback */
    char *bind_cmd_device;
    struct conf_acl cmd_acl;        /* cmdallow, cmddeny */
    int cmd_port;
    struct conf_ratelimit cmd_ratelimit;
    unsigned open_commands;         /* enum conf_open_command bits */

    /* --- real-time clock --- */
    char *hwclock_file;
    double rtc_autotrim_s;
    char *rtc_device;
    char *rtc_file;
    bool rtc_on_utc;
    bool rtc_sync;

    /* --- logging --- */
    struct conf_log log;
    int log_banner;                 /* entries between banners; 0 = none */
    double log_change_s;
    char *mail_on_change;           /* mailonchange address; "" = off */
    double mail_change_s;

    /* --- miscellaneous --- */
    char *keyfile;
    struct conf_hwts *hwts;         /* hwtimestamp */
    size_t n_hwts;
    double hwts_timeout_s;
    int max_tx_buffers;
    int ptp_port, ptp_domain;
};

/* A config-time name lookup (allow/deny host names, initstepslew servers):
 * true with the first address of name. */
typedef bool (*conf_resolver)(const char *name, addr_ip *out);

/* Reset every setting to chrony's default (frees what an earlier parse made,
 * and the files and buffers of a parse that a fatal error abandoned when the
 * fatal hook did not end the process). */
void conf_init(void);
/* -R: initstepslew is ignored and a limited makestep disabled, as chrony does. */
void conf_set_restarted(bool restarted);
/* -q/-Q: no server port, command port, command socket or pid file by default. */
void conf_set_client_only(bool client_only);
/* Replace the name lookup (tests); NULL restores the default,
 * conf_resolve_name (the platform resolver's blocking lookup). */
void conf_set_resolver(conf_resolver resolver);
/* -p: print each configuration line as it is parsed (include lines expanded). */
void conf_set_print(bool print);
/* A directive given as a chronyd argument. Errors are fatal with chrony's text
 * ("Invalid directive at line N", "Could not parse X directive at line N");
 * N counts the calls since conf_init. */
void conf_parse_line(const char *line);
/* Read a configuration file; a missing file is fatal ("Could not open FILE : ..."). */
void conf_read_file(const char *path);
/* After all input: log one warning per directive whose feature is not built yet.
 * Prints nothing in -p mode. */
void conf_finish(void);
const struct conf_settings *conf_settings(void);

/* Reads the *.sources files of every sourcedir (the first file of each name in
 * the order of the directories; lines must end with a newline) and returns the
 * server/pool/peer lines they hold, in file name order. Bad lines are skipped
 * with a warning. Used at start and by "reload sources". Free with
 * conf_free_sources(). */
struct conf_source *conf_load_sourcedirs(size_t *n);
void conf_free_sources(struct conf_source *sources, size_t n);

/* Directive names, for tools and tests: the i-th name of the table (NULL past
 * the end) and whether the feature behind a directive exists yet. */
const char *conf_directive_name(size_t index);
bool conf_directive_implemented(const char *name);

#endif
