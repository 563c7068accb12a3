/* srcopts: the options of an NTP source (server, pool and peer directives,
 * chronyc's "add server/pool/peer" and the command protocol), their defaults
 * (chrony's) and the one table that reads "NAME [OPTION]...". */
#ifndef CW_SRCOPTS_H
#define CW_SRCOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SRCOPTS_DEFAULT_PORT 123
#define SRCOPTS_DEFAULT_MINPOLL 6           /* log2 s */
#define SRCOPTS_DEFAULT_MAXPOLL 10          /* log2 s */
#define SRCOPTS_DEFAULT_PRESEND 100         /* log2 s; never reached = no presend */
#define SRCOPTS_DEFAULT_MAXDELAY_S 3.0
#define SRCOPTS_DEFAULT_MAXDELAYRATIO 0.0   /* 0: test disabled */
#define SRCOPTS_DEFAULT_MAXDELAYDEVRATIO 10.0
#define SRCOPTS_DEFAULT_MINSTRATUM 0
#define SRCOPTS_DEFAULT_POLLTARGET 8
#define SRCOPTS_DEFAULT_MAXSOURCES 4
#define SRCOPTS_DEFAULT_SAMPLES (-1)        /* -1: the minsamples/maxsamples directive */
#define SRCOPTS_DEFAULT_ASYMMETRY 1.0       /* outside -0.5..0.5: estimated automatically */
#define SRCOPTS_DEFAULT_NTSPORT 4460
#define SRCOPTS_DEFAULT_MAXUNREACH 100000   /* polls */
#define SRCOPTS_NO_KEY 0                    /* authkey: no symmetric key */

/* Selection options (sel_options); also used by refclocks. */
#define SRCOPTS_SEL_NOSELECT 0x1
#define SRCOPTS_SEL_PREFER 0x2
#define SRCOPTS_SEL_TRUST 0x4
#define SRCOPTS_SEL_REQUIRE 0x8

/* NTP extension fields enabled by "extfield TYPE" (ext_fields). */
#define SRCOPTS_EF_EXP_MONO_ROOT 0x1        /* type F323 */
#define SRCOPTS_EF_NET_CORRECTION 0x2       /* type 10A (and its experimental F324) */

/* Address families for the ipv4/ipv6 options (family). */
enum srcopts_family { SRCOPTS_FAMILY_ANY = 0, SRCOPTS_FAMILY_INET4 = 4, SRCOPTS_FAMILY_INET6 = 6 };

struct srcopts {
    int port;                   /* port: UDP port of the server */
    int family;                 /* enum srcopts_family (ipv4, ipv6) */
    int minpoll, maxpoll;       /* log2 of the polling interval in seconds */
    bool online;                /* false with offline */
    bool auto_offline;
    bool burst, iburst;
    int presend;                /* presend: log2 s from which a presend is made */
    int min_stratum;            /* minstratum */
    int poll_target;            /* polltarget */
    int version;                /* NTP version; 0 = chosen automatically */
    int max_sources;            /* maxsources (pool) */
    int min_samples, max_samples;   /* -1 = the global setting */
    int filter;                 /* filter: polls per median-filtered sample; 0 = off */
    int max_unreach;            /* maxunreach: polls an unreachable source stays selected */
    bool xleave;                /* interleaved mode */
    bool nts;
    int nts_port;               /* ntsport: TCP port of NTS-KE */
    bool copy;
    unsigned sel_options;       /* SRCOPTS_SEL_* */
    unsigned ext_fields;        /* SRCOPTS_EF_* */
    uint32_t key;               /* key ID; SRCOPTS_NO_KEY = none */
    uint32_t cert_set;          /* certset */
    double max_delay_s;         /* maxdelay */
    double max_delay_ratio;     /* maxdelayratio */
    double max_delay_dev_ratio; /* maxdelaydevratio */
    double max_delay_quant;     /* maxdelayquant; 0 = off */
    double min_delay_s;         /* mindelay; 0 = measured */
    double asymmetry;           /* asymmetry ratio */
    double offset_s;            /* offset correction */
};

enum srcopts_status {
    SRCOPTS_OK,
    SRCOPTS_MISSING_NAME,       /* no hostname or address */
    SRCOPTS_BAD_OPTION,         /* an unknown option */
    SRCOPTS_BAD_VALUE,          /* an option with a missing or invalid value */
};

void srcopts_defaults(struct srcopts *opts);
/* Parses "NAME [OPTION]...". On success *name is a new string (mem_free it). */
enum srcopts_status srcopts_parse(const char *text, char **name, struct srcopts *opts);
/* The option keywords in table order, for completion and help; NULL past the end. */
const char *srcopts_option_name(size_t index);

#endif
