/* clientlog: what chronyd remembers about the clients it serves. Per-address
 * records in a hash table bounded by `clientloglimit` bytes (hits, drops,
 * request intervals, last hit times, for `chronyc clients`), the response
 * rate limiter of `ratelimit`, `ntsratelimit` and `cmdratelimit` (token
 * bucket with interval, burst, leak and kod), the server totals of
 * `chronyc serverstats`, and the receive->transmit timestamp map that the
 * NTP interleaved mode needs. One client log per daemon, so the state is
 * module-wide. Pure: times and random seeds come in as arguments. */
#ifndef CW_CLIENTLOG_H
#define CW_CLIENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/addr.h"
#include "common/ntptime.h"

enum clientlog_service {
    CLIENTLOG_NTP = 0,
    CLIENTLOG_NTSKE,
    CLIENTLOG_CMD,
    CLIENTLOG_SERVICES
};

enum clientlog_limit {
    CLIENTLOG_PASS = 0,            /* answer */
    CLIENTLOG_DROP,                /* do not answer */
    CLIENTLOG_KOD,                 /* answer with a "slow down" (NTP KoD RATE) */
};

/* Where a packet timestamp came from, for the serverstats counters. */
enum clientlog_ts_source {
    CLIENTLOG_TS_DAEMON = 0,
    CLIENTLOG_TS_KERNEL,
    CLIENTLOG_TS_HARDWARE,
    CLIENTLOG_TS_SOURCES
};

#define CLIENTLOG_DEFAULT_LIMIT_BYTES 524288

/* Limits of the ratelimit options (log2 s for interval). */
#define CLIENTLOG_MIN_INTERVAL (-19)
#define CLIENTLOG_MAX_INTERVAL 12
#define CLIENTLOG_MIN_BURST 1
#define CLIENTLOG_MAX_BURST 255
#define CLIENTLOG_MIN_LEAK 1
#define CLIENTLOG_MAX_LEAK 4
#define CLIENTLOG_MIN_KOD 0            /* 0 disables KoD */
#define CLIENTLOG_MAX_KOD 4

/* "No value" for intervals in reports; "never" for last-hit ages. */
#define CLIENTLOG_NO_INTERVAL 127
#define CLIENTLOG_NEVER 0xffffffffU

struct clientlog_ratelimit {
    bool enabled;                  /* the directive was given */
    int interval;                  /* minimum mean interval between responses, log2 s */
    int burst;                     /* responses allowed in a burst */
    int leak;                      /* 1 in 2^leak limited requests still answered */
    int kod;                       /* 1 in 2^kod of the rest get a KoD; 0 = never */
};

struct clientlog_config {
    bool enabled;                  /* false with `noclientlog` */
    size_t limit_bytes;            /* `clientloglimit` */
    struct clientlog_ratelimit ratelimit[CLIENTLOG_SERVICES];
    uint64_t seed;                 /* random seed (hash salt and leak decisions) */
};

/* chrony's defaults: log enabled, 512 kB, no rate limiting; when enabled,
 * interval 3 / 6 / -4 (NTP / NTS-KE / commands), burst 8, leak 2, kod 0. */
void clientlog_config_defaults(struct clientlog_config *cfg);

/* Starts (or restarts, dropping all state) the client log. Out-of-range
 * ratelimit values are clamped. Returns false with *error set if the
 * configuration is refused (rate limiting needs the log). */
bool clientlog_init(const struct clientlog_config *cfg, const char **error);
void clientlog_fini(void);

/* Records a request from ip at time now (any clock, as long as it is the
 * same for every call). Returns the client's index for the calls below, or
 * -1 when it is not logged (noclientlog, or not an IP address). An index is
 * valid only until the next clientlog_log_access() (the table may grow). */
int clientlog_log_access(enum clientlog_service service, const addr_ip *ip,
                         struct timespec now);
/* Decides whether to answer the request just logged at index. */
enum clientlog_limit clientlog_limit_rate(enum clientlog_service service, int index);
/* The NTP rate-limit interval (log2 s) to suggest as minimum poll; the
 * smallest interval when rate limiting is off. */
int clientlog_ntp_min_poll(void);
/* Counts an answered NTP request for serverstats. */
void clientlog_update_ntp_stats(bool authenticated, enum clientlog_ts_source rx_source,
                                enum clientlog_ts_source tx_source);

/* Interleaved mode: our transmit time for each reply, keyed by the receive
 * timestamp it carried. Saving an existing key disables it (it must not be
 * answered twice). */
void clientlog_save_ntp_timestamps(ntptime_ts64 rx, const struct timespec *tx,
                                   enum clientlog_ts_source tx_source);
/* Replaces the transmit time of rx with a better one (kernel timestamp). */
void clientlog_update_ntp_tx(ntptime_ts64 rx, const struct timespec *tx,
                             enum clientlog_ts_source tx_source);
bool clientlog_get_ntp_tx(ntptime_ts64 rx, struct timespec *tx,
                          enum clientlog_ts_source *tx_source);
/* Marks rx as used for an interleaved reply (counted in serverstats). */
void clientlog_disable_ntp_timestamps(ntptime_ts64 rx);
/* Forgets the map: call when the clock was stepped by an unknown amount. */
void clientlog_drop_ntp_timestamps(void);

/* `chronyc clients`: one record per index 0 .. clientlog_capacity()-1. */
struct clientlog_client {
    addr_ip ip;
    uint32_t hits[CLIENTLOG_SERVICES];
    uint16_t drops[CLIENTLOG_SERVICES];
    int8_t interval[CLIENTLOG_SERVICES];   /* mean request interval, log2 s */
    int8_t ntp_timeout_interval;           /* the same after unanswered requests */
    uint32_t last_hit_ago[CLIENTLOG_SERVICES];   /* whole seconds, or CLIENTLOG_NEVER */
};

/* -1 when the log is disabled. */
int clientlog_capacity(void);
/* Fills *out and returns true when index holds a client with at least
 * min_hits hits in some service (0: any client). reset zeroes its hit and
 * drop counters afterwards (`clients -r`). */
bool clientlog_get_client(int index, bool reset, uint32_t min_hits, struct timespec now,
                          struct clientlog_client *out);

/* `chronyc serverstats` */
struct clientlog_stats {
    uint64_t hits[CLIENTLOG_SERVICES];
    uint64_t drops[CLIENTLOG_SERVICES];
    uint64_t log_drops;            /* records evicted for lack of room */
    uint64_t ntp_auth_hits;
    uint64_t ntp_interleaved_hits;
    uint64_t ntp_timestamps;       /* entries held for interleaved mode */
    uint64_t ntp_span_seconds;     /* time they span */
    uint64_t ntp_rx_timestamps[CLIENTLOG_TS_SOURCES];
    uint64_t ntp_tx_timestamps[CLIENTLOG_TS_SOURCES];
};
void clientlog_get_stats(struct clientlog_stats *out);

#endif
