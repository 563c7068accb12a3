/* ntp_client: chronyd's set of NTP sources on the client side (chrony's
 * ntp_sources.c and the daemon half of ntp_core.c). It owns
 *   - the sources: one protocol engine (core/ntp_source) per server line,
 *     and per address a pool name expands to (up to maxsources confirmed,
 *     twice that tried at first, as chrony does);
 *   - name resolution off the loop (platform/resolver), retried with
 *     chrony's backoff (28 s doubling to about an hour) on temporary failure,
 *     re-resolution of a named source that stays unreachable for 8 polls
 *     (replacement) and of the oldest name every `refresh` seconds;
 *   - each source's timers and client socket: a new connected socket per
 *     request (chrony's default), or one shared socket per family bound to
 *     acquisitionport; kernel receive timestamps;
 *   - the samples: each good one goes to the sink main sets (the clock
 *     discipline later), and the last few are kept per source for
 *     monitoring; `log measurements` writes chrony's measurements.log.
 *
 * Sources start together when the first round of resolution ends (names
 * resolved or failed), as in chrony; a later-resolved name starts at once.
 * Symmetric peers (peer lines) are not supported: conf warns about them. */
#ifndef CW_NTP_CLIENT_H
#define CW_NTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"
#include "core/ntp_source.h"

/* Good samples kept per source for monitoring (and for chronyd -q/-Q). */
#define NTP_CLIENT_KEPT_SAMPLES 16
/* Most sources one pool line may hold (chrony's MAX_POOL_SOURCES). */
#define NTP_CLIENT_MAX_POOL_SOURCES 16

/* Called with every good sample of every source. */
typedef void (*ntp_client_sample_sink)(void *ctx, const addr_sock *remote,
                                       const struct ntp_source_sample *sample);
/* Called after anything that may have changed a source's reachability or
 * samples (a request sent, a response processed), and once when the first
 * round of name resolution has ended and the sources have been started. */
typedef void (*ntp_client_event)(void *ctx);

/* Before any other call. family: ADDR_UNSPEC, or ADDR_INET4 / ADDR_INET6
 * for chronyd -4 / -6 (names resolve only to that family and the other
 * family's sockets are never opened). Reads the configuration. */
void ntp_client_init(int family);
/* Stop every source, close every socket, cancel resolution. */
void ntp_client_finish(void);

void ntp_client_set_sample_sink(ntp_client_sample_sink sink, void *ctx);
void ntp_client_set_update_handler(ntp_client_event handler, void *ctx);
void ntp_client_set_resolving_end_handler(ntp_client_event handler, void *ctx);

/* Add the configured sources (server and pool lines, then the sourcedir
 * files) and start resolving their names. */
void ntp_client_start(void);

/* Add one source: a server (pool false) or a pool. name is an address or a
 * host name. Returns false (with a warning) when it cannot be added. */
bool ntp_client_add(const char *name, const struct srcopts *opts, bool pool);

/* Resolve every name again now; a source keeps its address while the name
 * still resolves to it (chronyc refresh). */
void ntp_client_refresh(void);

/* ---- monitoring ---- */

struct ntp_client_info {
    const char *name;           /* as configured (valid until the next change) */
    bool pool;                  /* from a pool line */
    bool resolved;              /* has an address (unresolved: remote is ADDR_ID) */
    bool tentative;             /* no good response yet */
    bool active;                /* polling (online or in a burst), or unresolved
                                   and online: chrony counts those too, so
                                   -q/-Q wait for names to resolve */
    addr_sock remote;
    int n_samples;              /* good samples kept, up to NTP_CLIENT_KEPT_SAMPLES */
    struct ntp_source_report report;    /* zeroed while unresolved */
};

/* Sources in the order they were added (placeholders of pools included). */
size_t ntp_client_count(void);
bool ntp_client_get_info(size_t index, struct ntp_client_info *out);
/* Copies up to max of source index's kept samples, oldest first; returns
 * how many. */
int ntp_client_get_samples(size_t index, struct ntp_source_sample *out, int max);

#endif
