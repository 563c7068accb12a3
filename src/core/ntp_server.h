/* ntp_server: chronyd's answer to NTP requests from clients it does not poll
 * itself (chrony's NCR_ProcessRxUnknown and the server half of
 * transmit_packet). Decides whether a parsed request gets a reply, and builds
 * it: mode 4 for client requests (and NTPv1 requests with mode 0), mode 2 for
 * symmetric active packets, Kiss-o'-Death RATE when the rate limiter says so,
 * symmetric-key MACs through a caller-supplied key store. Pure: times and
 * random bits come in as arguments.
 *
 * How the daemon uses it for each datagram on a server socket:
 *   1. ntp_packet_parse() or _parse_raw()      error -> count, drop
 *   2. acl_check(ntp_acl, client address)      denied -> drop
 *   3. ntp_server_reply_mode()                 < 0 -> drop
 *   4. i = clientlog_log_access(CLIENTLOG_NTP, addr, rx_time);
 *      limit = i >= 0 ? clientlog_limit_rate(CLIENTLOG_NTP, i) : CLIENTLOG_PASS;
 *      CLIENTLOG_DROP -> drop; CLIENTLOG_KOD -> request.kod = true
 *   5. interleaved mode: if !kod && i >= 0 && ntp_server_interleaved_request(info),
 *      look up clientlog_get_ntp_tx(info->hdr.originate_ts, &tx, &src); if
 *      found, set request.interleaved_tx = &tx and call
 *      clientlog_disable_ntp_timestamps(originate)
 *   6. ntp_server_build_reply()                verdict != REPLY -> drop
 *      (or, for a batch: ntp_server_prepare() once, then
 *      ntp_server_build_reply_from() for each request)
 *   7. clientlog_update_ntp_stats(reply.authenticated, rx source, tx source)
 *   8. read the clock as late as possible, ntp_server_finish_reply(), send
 *   9. if step 5 applied (candidate, found or not):
 *      clientlog_save_ntp_timestamps(reply.receive_ts, &tx_time, src)
 */
#ifndef CW_NTP_SERVER_H
#define CW_NTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/ntp_packet.h"

/* What the reference module says about our clock when replying. */
struct ntp_server_state {
    int leap;                      /* enum ntp_leap */
    int stratum;                   /* NTP_MAX_STRATUM or more: unsynchronised, sent as 0 */
    uint32_t refid;
    struct timespec ref_time;      /* zero when never synchronised */
    double root_delay_s;
    double root_dispersion_s;
    int precision;                 /* log2 s of our clock readings */
};

/* chrony's values when never synchronised and no `local` reference: leap 3,
 * stratum 16 (sent as 0), refid 0, no reference time, root delay and
 * dispersion 1 s. */
void ntp_server_state_unsynchronised(struct ntp_server_state *st, int precision);

/* Symmetric keys (the keys module): both callbacks see exactly the bytes the
 * MAC covers (everything before the key ID). */
struct ntp_server_keys {
    void *ctx;
    /* True when key_id is known and digest (digest_len bytes) is what the
     * key produces, truncated to at most max_digest_len bytes. */
    bool (*check)(void *ctx, uint32_t key_id, const uint8_t *data, size_t data_len,
                  const uint8_t *digest, size_t digest_len, size_t max_digest_len);
    /* Writes at most max_len digest bytes; returns the length, 0 on error. */
    size_t (*sign)(void *ctx, uint32_t key_id, const uint8_t *data, size_t data_len,
                   uint8_t *digest, size_t max_len);
};

enum ntp_server_verdict {
    NTP_SERVER_REPLY = 0,
    NTP_SERVER_DROP_MODE,          /* a mode we do not answer */
    NTP_SERVER_DROP_AUTH,          /* bad MAC, unknown key, crypto-NAK, MS-SNTP, NTS */
    NTP_SERVER_DROP_LENGTH,        /* the reply would be longer than the request */
};

struct ntp_server_request {
    const uint8_t *data;           /* the request as received */
    size_t len;
    const struct ntp_packet_info *info;   /* its successful parse */
    uint16_t remote_port;          /* needed for NTPv1 mode-0 requests */
    struct timespec rx_time;       /* when it arrived (our clock) */
    bool kod;                      /* rate limiter chose a KoD RATE reply */
    int min_poll;                  /* clientlog_ntp_min_poll(): suggested poll */
    /* Transmit time of our previous reply to this client (step 5 above), or
     * NULL for a basic-mode reply. */
    const struct timespec *interleaved_tx;
    uint64_t random;               /* random bits for timestamp fuzz */
};

struct ntp_server_reply {
    uint8_t data[NTP_MAX_PACKET_LENGTH];
    size_t len;                    /* final after ntp_server_finish_reply() */
    int mode;
    bool kod;
    bool interleaved;
    bool authenticated;            /* counts as an NTP auth hit in serverstats */
    ntptime_ts64 receive_ts;       /* as sent: the key for interleaved mode */
    ntptime_ts64 transmit_ts;      /* as sent (after finish) */
    /* private to the module */
    int precision;
    size_t max_len;
    bool sign;
    uint32_t key_id;
    size_t max_digest_len;
    const struct ntp_server_keys *keys;
    bool finished;
};

/* The mode of our reply to a request, or -1 if it gets none. */
int ntp_server_reply_mode(const struct ntp_packet_info *req, uint16_t remote_port);

/* True if the request looks like an interleaved-mode one: NTPv4, originate
 * timestamp with its lowest bit set (one of our receive timestamps) and
 * receive != transmit. */
bool ntp_server_interleaved_request(const struct ntp_packet_info *req);

/* Builds the reply up to the transmit timestamp and MAC. keys may be NULL
 * (then any authenticated request is dropped). */
enum ntp_server_verdict ntp_server_build_reply(const struct ntp_server_request *req,
                                               const struct ntp_server_state *st,
                                               const struct ntp_server_keys *keys,
                                               struct ntp_server_reply *reply);

/* The same in two steps, for a batch of requests answered with one state:
 * what depends only on the state (its header fields, in wire form) is
 * prepared once, then each reply is built from the template. The replies
 * are byte for byte those of ntp_server_build_reply(). */
struct ntp_server_template {
    uint8_t header[NTP_HEADER_LENGTH];
    int leap;
    int precision;
};
void ntp_server_prepare(const struct ntp_server_state *st, struct ntp_server_template *t);
enum ntp_server_verdict ntp_server_build_reply_from(const struct ntp_server_request *req,
                                                    const struct ntp_server_template *t,
                                                    const struct ntp_server_keys *keys,
                                                    struct ntp_server_reply *reply);

/* Completes a built reply just before sending: in basic mode writes the
 * transmit timestamp for tx_time (fuzzed below our precision with random);
 * adds the MAC. Returns false if the reply must not be sent (signing failed
 * or made it longer than the request). */
bool ntp_server_finish_reply(struct ntp_server_reply *reply, struct timespec tx_time,
                             uint64_t random);

#endif
