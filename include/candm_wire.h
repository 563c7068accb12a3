/* candm_wire: the packets of chrony's command and monitoring protocol
 * (version 6), as chronyd and chronyc exchange them on the Unix socket and
 * UDP port 323. These are our definitions of the wire format: every integer
 * is big-endian, every structure is 4-byte aligned with no holes (checked
 * below), so a packet is read and written by copying it into or out of these
 * structures and converting each field with the helpers of common/cmdproto.h.
 *
 * Where chrony 4.3 (Debian 12) and 4.8 (upstream) differ, both layouts are
 * here, named by the reply or request code that carries them. A request is
 * the 20-byte header, its data, then zeros up to the length of the reply it
 * expects; a reply is the 28-byte header and its data. */
#ifndef CW_CANDM_WIRE_H
#define CW_CANDM_WIRE_H

#include <stdint.h>

#define CANDM_PROTO_VERSION 6
#define CANDM_PROTO_VERSION_NOPAD 5     /* the version before request padding */
/* Oldest versions to which a version mismatch is answered (by the daemon)
 * or accepted as a BADPKTVERSION answer (by the client). */
#define CANDM_PROTO_MISMATCH_COMPAT_SERVER 5
#define CANDM_PROTO_MISMATCH_COMPAT_CLIENT 4

#define CANDM_DEFAULT_PORT 323

#define CANDM_PKT_TYPE_REQUEST 1
#define CANDM_PKT_TYPE_REPLY 2

/* ---- request codes ---- */
#define CANDM_REQ_NULL 0
#define CANDM_REQ_ONLINE 1
#define CANDM_REQ_OFFLINE 2
#define CANDM_REQ_BURST 3
#define CANDM_REQ_MODIFY_MINPOLL 4
#define CANDM_REQ_MODIFY_MAXPOLL 5
#define CANDM_REQ_DUMP 6
#define CANDM_REQ_MODIFY_MAXDELAY 7
#define CANDM_REQ_MODIFY_MAXDELAYRATIO 8
#define CANDM_REQ_MODIFY_MAXUPDATESKEW 9
#define CANDM_REQ_LOGON 10                  /* obsolete */
#define CANDM_REQ_SETTIME 11
#define CANDM_REQ_LOCAL 12                  /* obsolete */
#define CANDM_REQ_MANUAL 13
#define CANDM_REQ_N_SOURCES 14
#define CANDM_REQ_SOURCE_DATA 15
#define CANDM_REQ_REKEY 16
#define CANDM_REQ_ALLOW 17
#define CANDM_REQ_ALLOWALL 18
#define CANDM_REQ_DENY 19
#define CANDM_REQ_DENYALL 20
#define CANDM_REQ_CMDALLOW 21
#define CANDM_REQ_CMDALLOWALL 22
#define CANDM_REQ_CMDDENY 23
#define CANDM_REQ_CMDDENYALL 24
#define CANDM_REQ_ACCHECK 25
#define CANDM_REQ_CMDACCHECK 26
#define CANDM_REQ_ADD_SERVER 27             /* obsolete */
#define CANDM_REQ_ADD_PEER 28               /* obsolete */
#define CANDM_REQ_DEL_SOURCE 29
#define CANDM_REQ_WRITERTC 30
#define CANDM_REQ_DFREQ 31
#define CANDM_REQ_DOFFSET 32                /* obsolete: seconds + microseconds */
#define CANDM_REQ_TRACKING 33
#define CANDM_REQ_SOURCESTATS 34
#define CANDM_REQ_RTCREPORT 35
#define CANDM_REQ_TRIMRTC 36
#define CANDM_REQ_CYCLELOGS 37
#define CANDM_REQ_SUBNETS_ACCESSED 38       /* obsolete */
#define CANDM_REQ_CLIENT_ACCESSES 39        /* obsolete */
#define CANDM_REQ_CLIENT_ACCESSES_BY_INDEX 40   /* obsolete */
#define CANDM_REQ_MANUAL_LIST 41
#define CANDM_REQ_MANUAL_DELETE 42
#define CANDM_REQ_MAKESTEP 43
#define CANDM_REQ_ACTIVITY 44
#define CANDM_REQ_MODIFY_MINSTRATUM 45
#define CANDM_REQ_MODIFY_POLLTARGET 46
#define CANDM_REQ_MODIFY_MAXDELAYDEVRATIO 47
#define CANDM_REQ_RESELECT 48
#define CANDM_REQ_RESELECTDISTANCE 49
#define CANDM_REQ_MODIFY_MAKESTEP 50
#define CANDM_REQ_SMOOTHING 51
#define CANDM_REQ_SMOOTHTIME 52
#define CANDM_REQ_REFRESH 53
#define CANDM_REQ_SERVER_STATS 54
#define CANDM_REQ_CLIENT_ACCESSES_BY_INDEX2 55  /* obsolete */
#define CANDM_REQ_LOCAL2 56                 /* 4.3: "local"; dropped in 4.6 */
#define CANDM_REQ_NTP_DATA 57
#define CANDM_REQ_ADD_SERVER2 58            /* obsolete */
#define CANDM_REQ_ADD_PEER2 59              /* obsolete */
#define CANDM_REQ_ADD_SERVER3 60            /* obsolete */
#define CANDM_REQ_ADD_PEER3 61              /* obsolete */
#define CANDM_REQ_SHUTDOWN 62
#define CANDM_REQ_ONOFFLINE 63
#define CANDM_REQ_ADD_SOURCE 64
#define CANDM_REQ_NTP_SOURCE_NAME 65
#define CANDM_REQ_RESET_SOURCES 66
#define CANDM_REQ_AUTH_DATA 67
#define CANDM_REQ_CLIENT_ACCESSES_BY_INDEX3 68
#define CANDM_REQ_SELECT_DATA 69
#define CANDM_REQ_RELOAD_SOURCES 70
#define CANDM_REQ_DOFFSET2 71
#define CANDM_REQ_MODIFY_SELECTOPTS 72      /* 4.4+ */
#define CANDM_REQ_MODIFY_OFFSET 73          /* 4.5+ */
#define CANDM_REQ_LOCAL3 74                 /* 4.6+: "local" */
#define CANDM_N_REQUEST_TYPES 75            /* 4.8 */
#define CANDM_N_REQUEST_TYPES_43 72         /* 4.3: codes from 72 on are unknown */

/* ---- reply codes ---- */
#define CANDM_RPY_NULL 1
#define CANDM_RPY_N_SOURCES 2
#define CANDM_RPY_SOURCE_DATA 3
#define CANDM_RPY_MANUAL_TIMESTAMP 4        /* obsolete */
#define CANDM_RPY_TRACKING 5
#define CANDM_RPY_SOURCESTATS 6
#define CANDM_RPY_RTC 7
#define CANDM_RPY_SUBNETS_ACCESSED 8        /* obsolete */
#define CANDM_RPY_CLIENT_ACCESSES 9         /* obsolete */
#define CANDM_RPY_CLIENT_ACCESSES_BY_INDEX 10   /* obsolete */
#define CANDM_RPY_MANUAL_LIST 11            /* obsolete: variable length */
#define CANDM_RPY_ACTIVITY 12
#define CANDM_RPY_SMOOTHING 13
#define CANDM_RPY_SERVER_STATS 14           /* obsolete */
#define CANDM_RPY_CLIENT_ACCESSES_BY_INDEX2 15  /* obsolete */
#define CANDM_RPY_NTP_DATA 16               /* 4.3 layout */
#define CANDM_RPY_MANUAL_TIMESTAMP2 17
#define CANDM_RPY_MANUAL_LIST2 18
#define CANDM_RPY_NTP_SOURCE_NAME 19
#define CANDM_RPY_AUTH_DATA 20
#define CANDM_RPY_CLIENT_ACCESSES_BY_INDEX3 21
#define CANDM_RPY_SERVER_STATS2 22          /* obsolete */
#define CANDM_RPY_SELECT_DATA 23
#define CANDM_RPY_SERVER_STATS3 24          /* 4.3 layout */
#define CANDM_RPY_SERVER_STATS4 25          /* 4.6+ layout */
#define CANDM_RPY_NTP_DATA2 26              /* 4.4+ layout */
#define CANDM_N_REPLY_TYPES 27

/* ---- status codes ---- */
#define CANDM_STT_SUCCESS 0
#define CANDM_STT_FAILED 1
#define CANDM_STT_UNAUTH 2
#define CANDM_STT_INVALID 3
#define CANDM_STT_NOSUCHSOURCE 4
#define CANDM_STT_INVALIDTS 5
#define CANDM_STT_NOTENABLED 6
#define CANDM_STT_BADSUBNET 7
#define CANDM_STT_ACCESSALLOWED 8
#define CANDM_STT_ACCESSDENIED 9
#define CANDM_STT_NOHOSTACCESS 10           /* no longer sent */
#define CANDM_STT_SOURCEALREADYKNOWN 11
#define CANDM_STT_TOOMANYSOURCES 12
#define CANDM_STT_NORTC 13
#define CANDM_STT_BADRTCFILE 14
#define CANDM_STT_INACTIVE 15
#define CANDM_STT_BADSAMPLE 16
#define CANDM_STT_INVALIDAF 17
#define CANDM_STT_BADPKTVERSION 18
#define CANDM_STT_BADPKTLENGTH 19
#define CANDM_STT_INVALIDNAME 21

/* ---- number encodings ---- */

/* Address family in struct candm_ip. */
#define CANDM_IPADDR_UNSPEC 0
#define CANDM_IPADDR_INET4 1
#define CANDM_IPADDR_INET6 2
#define CANDM_IPADDR_ID 3                   /* a source whose name is unresolved */

/* 20 bytes: IPv4 and IDs in the first 4 bytes of addr, IPv6 in all 16. */
struct candm_ip {
    uint8_t addr[16];
    uint16_t family;
    uint16_t pad;
};

/* Seconds split in two; a high part of CANDM_TS_NOHIGHSEC means none (0). */
struct candm_timespec {
    uint32_t sec_high;
    uint32_t sec_low;
    uint32_t nsec;
};
#define CANDM_TS_NOHIGHSEC 0x7fffffffU

struct candm_int64 {
    uint32_t high;
    uint32_t low;
};

/* A float is one uint32_t: a 7-bit signed exponent over a 25-bit signed
 * coefficient, value = coefficient * 2^(exponent - 25). */
typedef uint32_t candm_float;

/* ---- headers ---- */

struct candm_request_header {
    uint8_t version;
    uint8_t pkt_type;
    uint8_t res1;
    uint8_t res2;
    uint16_t command;
    uint16_t attempt;           /* resends of this request, from 0 */
    uint32_t sequence;          /* random, echoed by the reply */
    uint32_t pad1;
    uint32_t pad2;
};
#define CANDM_REQUEST_HEADER_LEN 20

struct candm_reply_header {
    uint8_t version;
    uint8_t pkt_type;
    uint8_t res1;
    uint8_t res2;
    uint16_t command;           /* echo of the request's */
    uint16_t reply;             /* CANDM_RPY_* */
    uint16_t status;            /* CANDM_STT_* */
    uint16_t pad1;
    uint16_t pad2;
    uint16_t pad3;
    uint32_t sequence;          /* echo of the request's */
    uint32_t pad4;
    uint32_t pad5;
};
#define CANDM_REPLY_HEADER_LEN 28

/* Requests are padded up to their reply's length, never beyond this. */
#define CANDM_MAX_PADDING 484
/* The largest request a daemon accepts (4.8's sizeof (CMD_Request)). */
#define CANDM_MAX_REQUEST_LEN 860

/* ---- request data (after the header) ---- */

/* online, offline: the sources whose address matches address under mask
 * (both family UNSPEC: all sources) */
struct candm_req_online {
    struct candm_ip mask;
    struct candm_ip address;
};

struct candm_req_burst {
    struct candm_ip mask;
    struct candm_ip address;
    int32_t n_good_samples;
    int32_t n_total_samples;
};

/* minpoll, maxpoll, minstratum, polltarget */
struct candm_req_modify_int {
    struct candm_ip address;
    int32_t value;
};

/* maxdelay, maxdelayratio, maxdelaydevratio */
struct candm_req_modify_float {
    struct candm_ip address;
    candm_float value;
};

struct candm_req_dump {
    int32_t pad;
};

/* maxupdateskew, dfreq, doffset (DOFFSET2), reselectdist */
struct candm_req_float {
    candm_float value;
};

struct candm_req_modify_makestep {
    int32_t limit;
    candm_float threshold;
};

struct candm_req_settime {
    struct candm_timespec ts;
};

/* LOCAL2: chrony 4.3's "local" */
struct candm_req_local2 {
    int32_t on_off;
    int32_t stratum;
    candm_float distance;
    int32_t orphan;
};

/* LOCAL3: chrony 4.6+'s "local" */
struct candm_req_local3 {
    int32_t on_off;
    int32_t stratum;
    candm_float distance;
    int32_t orphan;
    candm_float activate;
    candm_float wait_synced;
    candm_float wait_unsynced;
};

#define CANDM_MANUAL_OFF 0
#define CANDM_MANUAL_ON 1
#define CANDM_MANUAL_RESET 2

/* manual (option CANDM_MANUAL_*), manual delete (index), smoothtime
 * (option CANDM_SMOOTHTIME_*), source data, sourcestats and select data
 * (index of the source) */
struct candm_req_index {
    int32_t index;
};

#define CANDM_SMOOTHTIME_RESET 0
#define CANDM_SMOOTHTIME_ACTIVATE 1

/* allow, deny, cmdallow, cmddeny and their ...ALL forms */
struct candm_req_allow_deny {
    struct candm_ip ip;
    int32_t subnet_bits;
};

/* accheck, cmdaccheck, delete, ntpdata, sourcename, authdata */
struct candm_req_address {
    struct candm_ip ip;
};

#define CANDM_ADDSRC_SERVER 1
#define CANDM_ADDSRC_PEER 2
#define CANDM_ADDSRC_POOL 3

#define CANDM_ADDSRC_ONLINE 0x1
#define CANDM_ADDSRC_AUTOOFFLINE 0x2
#define CANDM_ADDSRC_IBURST 0x4
#define CANDM_ADDSRC_PREFER 0x8
#define CANDM_ADDSRC_NOSELECT 0x10
#define CANDM_ADDSRC_TRUST 0x20
#define CANDM_ADDSRC_REQUIRE 0x40
#define CANDM_ADDSRC_INTERLEAVED 0x80
#define CANDM_ADDSRC_BURST 0x100
#define CANDM_ADDSRC_NTS 0x200
#define CANDM_ADDSRC_COPY 0x400
#define CANDM_ADDSRC_EF_EXP_MONO_ROOT 0x800
#define CANDM_ADDSRC_EF_NET_CORRECTION 0x1000
#define CANDM_ADDSRC_IPV4 0x2000
#define CANDM_ADDSRC_IPV6 0x4000

#define CANDM_SOURCE_NAME_LEN 256

/* ADD_SOURCE. The length is the same in 4.3 and 4.8: 4.3 has two reserved
 * words (sent as zero) where 4.8 has max_delay_quant and max_unreach. */
struct candm_req_ntp_source {
    uint32_t type;              /* CANDM_ADDSRC_SERVER/PEER/POOL */
    uint8_t name[CANDM_SOURCE_NAME_LEN];   /* NUL-terminated */
    uint32_t port;
    int32_t minpoll;
    int32_t maxpoll;
    int32_t presend_minpoll;
    uint32_t min_stratum;
    uint32_t poll_target;
    uint32_t version;
    uint32_t max_sources;
    int32_t min_samples;
    int32_t max_samples;
    uint32_t authkey;
    uint32_t nts_port;
    candm_float max_delay;
    candm_float max_delay_ratio;
    candm_float max_delay_dev_ratio;
    candm_float min_delay;
    candm_float asymmetry;
    candm_float offset;
    uint32_t flags;             /* CANDM_ADDSRC_ONLINE... */
    int32_t filter_length;
    uint32_t cert_set;
    candm_float max_delay_quant;    /* 4.3: reserved */
    int32_t max_unreach;            /* 4.3: reserved */
};

/* clients: a page of the client log */
struct candm_req_client_accesses {
    uint32_t first_index;
    uint32_t n_clients;
    uint32_t min_hits;
    uint32_t reset;
};

/* selectopts (4.4+): mask has bits CANDM_SELECT_OPT_* (the daemon's own
 * selection bits), options has the CANDM_ADDSRC_PREFER/NOSELECT/TRUST/
 * REQUIRE bits, as chrony's chronyc sends them. */
struct candm_req_modify_selectopts {
    struct candm_ip address;    /* family UNSPEC: a reference clock by ref_id */
    uint32_t ref_id;
    uint32_t mask;
    uint32_t options;
};
#define CANDM_SELECT_OPT_NOSELECT 0x1
#define CANDM_SELECT_OPT_PREFER 0x2
#define CANDM_SELECT_OPT_TRUST 0x4
#define CANDM_SELECT_OPT_REQUIRE 0x8

/* offset (4.5+) */
struct candm_req_modify_offset {
    struct candm_ip address;    /* family UNSPEC: a reference clock by ref_id */
    uint32_t ref_id;
    candm_float new_offset;
};

/* ---- reply data (after the header) ---- */

struct candm_rpy_n_sources {
    uint32_t n_sources;
};

#define CANDM_SD_MODE_CLIENT 0
#define CANDM_SD_MODE_PEER 1
#define CANDM_SD_MODE_REF 2

#define CANDM_SD_STATE_SELECTED 0
#define CANDM_SD_STATE_NONSELECTABLE 1
#define CANDM_SD_STATE_FALSETICKER 2
#define CANDM_SD_STATE_JITTERY 3
#define CANDM_SD_STATE_UNSELECTED 4
#define CANDM_SD_STATE_SELECTABLE 5

struct candm_rpy_source_data {
    struct candm_ip ip_addr;    /* reference clocks: family INET4, refid */
    int16_t poll;
    uint16_t stratum;
    uint16_t state;             /* CANDM_SD_STATE_* */
    uint16_t mode;              /* CANDM_SD_MODE_* */
    uint16_t flags;
    uint16_t reachability;
    uint32_t since_sample;      /* seconds; 0xffffffff: never */
    candm_float orig_latest_meas;
    candm_float latest_meas;
    candm_float latest_meas_err;
};

struct candm_rpy_manual_timestamp {
    candm_float offset;
    candm_float dfreq_ppm;
    candm_float new_afreq_ppm;
};

struct candm_rpy_tracking {
    uint32_t ref_id;
    struct candm_ip ip_addr;
    uint16_t stratum;
    uint16_t leap_status;
    struct candm_timespec ref_time;
    candm_float current_correction;
    candm_float last_offset;
    candm_float rms_offset;
    candm_float freq_ppm;
    candm_float resid_freq_ppm;
    candm_float skew_ppm;
    candm_float root_delay;
    candm_float root_dispersion;
    candm_float last_update_interval;
};

struct candm_rpy_sourcestats {
    uint32_t ref_id;
    struct candm_ip ip_addr;
    uint32_t n_samples;
    uint32_t n_runs;
    uint32_t span_seconds;
    candm_float sd;
    candm_float resid_freq_ppm;
    candm_float skew_ppm;
    candm_float est_offset;
    candm_float est_offset_err;
};

struct candm_rpy_rtc {
    struct candm_timespec ref_time;
    uint16_t n_samples;
    uint16_t n_runs;
    uint32_t span_seconds;
    candm_float rtc_seconds_fast;
    candm_float rtc_gain_rate_ppm;
};

/* One client in CLIENT_ACCESSES_BY_INDEX3. Intervals are log2 seconds,
 * 127 or more: none. */
struct candm_rpy_client {
    struct candm_ip ip;
    uint32_t ntp_hits;
    uint32_t nke_hits;
    uint32_t cmd_hits;
    uint32_t ntp_drops;
    uint32_t nke_drops;
    uint32_t cmd_drops;
    int8_t ntp_interval;
    int8_t nke_interval;
    int8_t cmd_interval;
    int8_t ntp_timeout_interval;
    uint32_t last_ntp_hit_ago;
    uint32_t last_nke_hit_ago;
    uint32_t last_cmd_hit_ago;
};

#define CANDM_MAX_CLIENT_ACCESSES 8

struct candm_rpy_client_accesses {
    uint32_t n_indices;         /* size of the daemon's table */
    uint32_t next_index;        /* where the next page starts */
    uint32_t n_clients;         /* valid entries in clients */
    struct candm_rpy_client clients[CANDM_MAX_CLIENT_ACCESSES];
};

/* SERVER_STATS3 (4.3) */
struct candm_rpy_server_stats3 {
    uint32_t ntp_hits;
    uint32_t nke_hits;
    uint32_t cmd_hits;
    uint32_t ntp_drops;
    uint32_t nke_drops;
    uint32_t cmd_drops;
    uint32_t log_drops;
    uint32_t ntp_auth_hits;
    uint32_t ntp_interleaved_hits;
    uint32_t ntp_timestamps;
    uint32_t ntp_span_seconds;
};

/* SERVER_STATS4 (4.6+) */
struct candm_rpy_server_stats4 {
    struct candm_int64 ntp_hits;
    struct candm_int64 nke_hits;
    struct candm_int64 cmd_hits;
    struct candm_int64 ntp_drops;
    struct candm_int64 nke_drops;
    struct candm_int64 cmd_drops;
    struct candm_int64 log_drops;
    struct candm_int64 ntp_auth_hits;
    struct candm_int64 ntp_interleaved_hits;
    struct candm_int64 ntp_timestamps;
    struct candm_int64 ntp_span_seconds;
    struct candm_int64 ntp_daemon_rx_timestamps;
    struct candm_int64 ntp_daemon_tx_timestamps;
    struct candm_int64 ntp_kernel_rx_timestamps;
    struct candm_int64 ntp_kernel_tx_timestamps;
    struct candm_int64 ntp_hw_rx_timestamps;
    struct candm_int64 ntp_hw_tx_timestamps;
    struct candm_int64 reserved[4];
};

#define CANDM_MAX_MANUAL_LIST_SAMPLES 16

struct candm_rpy_manual_sample {
    struct candm_timespec when;
    candm_float slewed_offset;
    candm_float orig_offset;
    candm_float residual;
};

/* MANUAL_LIST2: always the full length, n_samples says how many are valid */
struct candm_rpy_manual_list {
    uint32_t n_samples;
    struct candm_rpy_manual_sample samples[CANDM_MAX_MANUAL_LIST_SAMPLES];
};

struct candm_rpy_activity {
    int32_t online;
    int32_t offline;
    int32_t burst_online;
    int32_t burst_offline;
    int32_t unresolved;
};

#define CANDM_SMOOTHING_ACTIVE 0x1
#define CANDM_SMOOTHING_LEAPONLY 0x2

struct candm_rpy_smoothing {
    uint32_t flags;
    candm_float offset;
    candm_float freq_ppm;
    candm_float wander_ppm;
    candm_float last_update_ago;
    candm_float remaining_time;
};

/* flags of NTP_DATA: the ten test bits, then these */
#define CANDM_NTP_FLAGS_TESTS 0x3ff
#define CANDM_NTP_FLAG_INTERLEAVED 0x4000
#define CANDM_NTP_FLAG_AUTHENTICATED 0x8000

/* The part NTP_DATA (4.3) and NTP_DATA2 (4.4+) share. Timestamping
 * characters: 'D' daemon, 'K' kernel, 'H' hardware. */
struct candm_rpy_ntp_common {
    struct candm_ip remote_addr;
    struct candm_ip local_addr;
    uint16_t remote_port;
    uint8_t leap;
    uint8_t version;
    uint8_t mode;
    uint8_t stratum;
    int8_t poll;
    int8_t precision;
    candm_float root_delay;
    candm_float root_dispersion;
    uint32_t ref_id;
    struct candm_timespec ref_time;
    candm_float offset;
    candm_float peer_delay;
    candm_float peer_dispersion;
    candm_float response_time;
    candm_float jitter_asymmetry;
    uint16_t flags;
    uint8_t tx_tss_char;
    uint8_t rx_tss_char;
    uint32_t total_tx_count;
    uint32_t total_rx_count;
    uint32_t total_valid_count;
    uint32_t total_good_count;
};

/* NTP_DATA (4.3) */
struct candm_rpy_ntp_data {
    struct candm_rpy_ntp_common c;
    uint32_t reserved[3];
};

/* NTP_DATA2 (4.4+) */
struct candm_rpy_ntp_data2 {
    struct candm_rpy_ntp_common c;
    uint32_t total_kernel_tx_ts;
    uint32_t total_kernel_rx_ts;
    uint32_t total_hw_tx_ts;
    uint32_t total_hw_rx_ts;
    uint32_t reserved[4];
};

struct candm_rpy_ntp_source_name {
    uint8_t name[CANDM_SOURCE_NAME_LEN];    /* NUL-terminated */
};

#define CANDM_AUTH_MODE_NONE 0
#define CANDM_AUTH_MODE_SYMMETRIC 1
#define CANDM_AUTH_MODE_NTS 2

struct candm_rpy_auth_data {
    uint16_t mode;              /* CANDM_AUTH_MODE_* */
    uint16_t key_type;
    uint32_t key_id;
    uint16_t key_length;        /* bits */
    uint16_t ke_attempts;
    uint32_t last_ke_ago;
    uint16_t cookies;
    uint16_t cookie_length;
    uint16_t nak;
    uint16_t pad;
};

#define CANDM_SD_OPTION_NOSELECT 0x1
#define CANDM_SD_OPTION_PREFER 0x2
#define CANDM_SD_OPTION_TRUST 0x4
#define CANDM_SD_OPTION_REQUIRE 0x8

struct candm_rpy_select_data {
    uint32_t ref_id;
    struct candm_ip ip_addr;
    uint8_t state_char;
    uint8_t authentication;
    uint8_t leap;
    uint8_t pad;
    uint16_t conf_options;      /* CANDM_SD_OPTION_* */
    uint16_t eff_options;
    uint32_t last_sample_ago;
    candm_float score;
    candm_float lo_limit;
    candm_float hi_limit;
};

/* ---- layout checks: these sizes are the protocol ---- */
_Static_assert(sizeof(struct candm_ip) == 20, "candm_ip");
_Static_assert(sizeof(struct candm_timespec) == 12, "candm_timespec");
_Static_assert(sizeof(struct candm_request_header) == CANDM_REQUEST_HEADER_LEN, "request header");
_Static_assert(sizeof(struct candm_reply_header) == CANDM_REPLY_HEADER_LEN, "reply header");
_Static_assert(sizeof(struct candm_req_online) == 40, "online");
_Static_assert(sizeof(struct candm_req_burst) == 48, "burst");
_Static_assert(sizeof(struct candm_req_modify_int) == 24, "modify int");
_Static_assert(sizeof(struct candm_req_modify_float) == 24, "modify float");
_Static_assert(sizeof(struct candm_req_modify_makestep) == 8, "makestep");
_Static_assert(sizeof(struct candm_req_settime) == 12, "settime");
_Static_assert(sizeof(struct candm_req_local2) == 16, "local2");
_Static_assert(sizeof(struct candm_req_local3) == 28, "local3");
_Static_assert(sizeof(struct candm_req_allow_deny) == 24, "allow/deny");
_Static_assert(sizeof(struct candm_req_ntp_source) == 352, "ntp source");
_Static_assert(sizeof(struct candm_req_client_accesses) == 16, "client accesses");
_Static_assert(sizeof(struct candm_req_modify_selectopts) == 32, "selectopts");
_Static_assert(sizeof(struct candm_req_modify_offset) == 28, "offset");
_Static_assert(sizeof(struct candm_rpy_source_data) == 48, "source data");
_Static_assert(sizeof(struct candm_rpy_tracking) == 76, "tracking");
_Static_assert(sizeof(struct candm_rpy_sourcestats) == 56, "sourcestats");
_Static_assert(sizeof(struct candm_rpy_rtc) == 28, "rtc");
_Static_assert(sizeof(struct candm_rpy_client) == 60, "client");
_Static_assert(sizeof(struct candm_rpy_client_accesses) == 492, "client accesses");
_Static_assert(sizeof(struct candm_rpy_server_stats3) == 44, "server stats3");
_Static_assert(sizeof(struct candm_rpy_server_stats4) == 168, "server stats4");
_Static_assert(sizeof(struct candm_rpy_manual_list) == 388, "manual list");
_Static_assert(sizeof(struct candm_rpy_activity) == 20, "activity");
_Static_assert(sizeof(struct candm_rpy_smoothing) == 24, "smoothing");
_Static_assert(sizeof(struct candm_rpy_ntp_common) == 112, "ntp common");
_Static_assert(sizeof(struct candm_rpy_ntp_data) == 124, "ntp data");
_Static_assert(sizeof(struct candm_rpy_ntp_data2) == 144, "ntp data2");
_Static_assert(sizeof(struct candm_rpy_auth_data) == 24, "auth data");
_Static_assert(sizeof(struct candm_rpy_select_data) == 48, "select data");

#endif
