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

/* The clock discipline's view of the sources (chronyd/discipline): each
 * protocol engine's life, its statistics hook (ntp_source env.stats), its
 * good samples, every change of its state, and the conversion of the
 * system clock's readings into the discipline's "cooked" time, which every
 * timestamp a source keeps is taken in (transmit times and kernel receive
 * timestamps alike). The data pointer source_added returns is handed back
 * to the other hooks of that source. Any hook may be NULL. */
struct ntp_client_source_hooks {
    void *ctx;
    void (*cook_time)(void *ctx, struct timespec *ts);
    /* name: as configured; valid until source_removed */
    void *(*source_added)(void *ctx, struct ntp_source *src, const char *name);
    void (*source_removed)(void *ctx, void *data);
    bool (*stats)(void *ctx, void *data, const struct timespec *sample_time,
                  struct ntp_source_stats *out);
    /* a good sample, before the sample sink; may adjust the source's poll */
    void (*sample)(void *ctx, void *data, const struct ntp_source_sample *sample);
    /* after any call into the engine (started, request sent, response
     * processed): reachability or state may have changed */
    void (*source_changed)(void *ctx, void *data);
};
/* Set before ntp_client_start(); NULL removes them (sources keep running,
 * their data is forgotten). */
void ntp_client_set_source_hooks(const struct ntp_client_source_hooks *hooks);
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

/* ---- control (chronyc, through chronyd/cmdmon) ---- */

/* online, offline, onoffline (MAYBE_ONLINE: online when a socket can be
 * connected to the source's address, as chrony decides). */
enum ntp_client_connectivity {
    NTP_CLIENT_OFFLINE,
    NTP_CLIENT_ONLINE,
    NTP_CLIENT_MAYBE_ONLINE,
};
/* The sources whose address matches address under mask (chrony's rule: the
 * same family, compared on the bits of mask when mask has that family,
 * else on every bit); address ADDR_UNSPEC selects every source, names not
 * resolved yet included (not with MAYBE_ONLINE). Going online also resolves
 * waiting names now. Returns whether any source matched. */
bool ntp_client_set_connectivity(const addr_ip *mask, const addr_ip *address,
                                 enum ntp_client_connectivity connectivity);
/* burst: the same selection; false when nothing matched. */
bool ntp_client_burst(const addr_ip *mask, const addr_ip *address, int good, int total);
/* minpoll, maxpoll, maxdelay, ... offset of the source with this address
 * (any port; an unresolved name's ID address too): applied now and kept for
 * a later new address. False: no such source. */
bool ntp_client_modify(const addr_ip *ip, enum ntp_source_setting what, double value);
/* delete: false when no source has this address. */
bool ntp_client_remove(const addr_ip *ip);
/* reset sources: every source's engine forgets its reachability and
 * status and goes back to minpoll (ntp_source_reset). */
void ntp_client_reset_sources(void);
/* reload sources: reads the sourcedir files again; sources from lines no
 * longer there are removed, lines new or changed are added. */
void ntp_client_reload_sources(void);

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
    const struct srcopts *opts; /* as configured, with later modify commands */
    /* the last response processed (ntpdata): the address it came to
     * (ADDR_UNSPEC before any), how it was stamped ('K' kernel, 'D' daemon,
     * 0 before any); and how many responses had a kernel timestamp */
    addr_ip local_addr;
    char rx_ts_char;
    uint32_t kernel_rx_timestamps;
};

/* Sources in the order they were added (placeholders of pools included). */
size_t ntp_client_count(void);
bool ntp_client_get_info(size_t index, struct ntp_client_info *out);
/* Copies up to max of source index's kept samples, oldest first; returns
 * how many. */
int ntp_client_get_samples(size_t index, struct ntp_source_sample *out, int max);

/* selectopts: the selection options (SRCOPTS_SEL_*) under mask become
 * those of options, for the source with this address (any port): applied
 * now and kept for a later new address. False: no such source. The
 * selection sees them at its next run (chronyd/discipline refreshes the
 * effective options). */
bool ntp_client_modify_select_options(const addr_ip *ip, unsigned mask, unsigned options);

#endif
