/* ntp_serve: chronyd's NTP server. Owns the server sockets (one per address
 * family on `port`, bound to `bindaddress` and `binddevice`, opened only for
 * the families that some `allow` admits, as chrony does), the NTP access
 * table (allow/deny), the start of the daemon's client log (clientloglimit,
 * noclientlog, ratelimit/ntsratelimit/cmdratelimit; the command server shares
 * it), and the path every request takes:
 *
 *   receive a batch (recvmmsg) -> for each datagram: parse (malformed: count,
 *   drop) -> access check (denied: count, drop silently) -> mode check ->
 *   client log and rate limit (DROP / KoD RATE / PASS) -> interleaved-mode
 *   lookup -> build the reply from the reference state (core/reference)
 *   -> then, once per batch, read the clock, write every reply's transmit
 *   timestamp and send the batch (sendmmsg).
 *
 * Transmit timestamps: chrony reads the clock for each reply just before
 * sending it; we read it once per batch, after every request of the batch
 * has been processed and right before the sendmmsg() that carries the
 * replies, so a transmit timestamp is never earlier than the processing of
 * its request, and is at most the processing time of the rest of the batch
 * (a few microseconds at full load, nothing for a lone request) earlier than
 * the datagram leaves. A reply is never longer than its request.
 *
 * `chronyc serverstats`: "NTP packets received/dropped", "Client log records
 * dropped", interleaved/authenticated hits and timestamp counters come from
 * clientlog_get_stats(); ntp_serve_get_stats() adds what only the server
 * sees (malformed, denied, KoD, replies, bytes). `chronyc clients` reads the
 * client log (clientlog_get_client). */
#ifndef CW_NTP_SERVE_H
#define CW_NTP_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "chronyd/conf.h"
#include "core/ntp_packet.h"

/* Measures the clock precision, sets up the reference state from `local`,
 * starts the client log and opens the server sockets (none with port 0 or
 * when nothing is allowed). Configuration errors (a bad allow/deny subnet,
 * ratelimit with noclientlog) are fatal; a socket that cannot be opened is
 * logged and skipped. family (chronyd -4/-6): serve only ADDR_INET4 or
 * ADDR_INET6; ADDR_UNSPEC for both. Call after the event loop is
 * initialised. */
void ntp_serve_init(const struct conf_settings *s, int family);
/* Closes the sockets and frees the tables; logs a one-line summary of the
 * counters if the server had a socket open. */
void ntp_serve_finish(void);

/* Open server sockets (0, 1 or 2). */
int ntp_serve_socket_count(void);
/* The clock precision every reply carries (log2 seconds). */
int ntp_serve_precision(void);

struct ntp_serve_stats {
    uint64_t datagrams;             /* received on server sockets */
    uint64_t bytes_in;
    uint64_t malformed;             /* dropped by the parser (sum of the next) */
    uint64_t malformed_by[NTP_PACKET_ERROR_COUNT];  /* truncated ones count as TOO_LONG */
    uint64_t denied;                /* from addresses allow/deny refuse */
    uint64_t bad_mode;              /* modes a server does not answer */
    uint64_t rate_limited;          /* dropped by ratelimit */
    uint64_t auth_failed;           /* authenticated requests we cannot answer */
    uint64_t kod_sent;              /* KoD RATE replies */
    uint64_t interleaved;           /* replies in interleaved mode */
    uint64_t replies;               /* replies sent */
    uint64_t send_failed;           /* replies the socket refused */
    uint64_t bytes_out;
};

void ntp_serve_get_stats(struct ntp_serve_stats *out);

/* chronyc allow/deny/allow all/deny all: adds a rule to the NTP access
 * table (false, table unchanged, when the prefix does not fit its family)
 * and, as chrony does, opens the server socket of a family that now has an
 * allowed address, or closes one that has none left. accheck: */
bool ntp_serve_access_add(const addr_subnet *subnet, bool allow, bool all);
bool ntp_serve_access_check(const addr_ip *ip);

#endif
