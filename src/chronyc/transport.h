/* transport: how chronyc reaches chronyd. The -h list (Unix socket paths and
 * host names or addresses, tried in order), the client's own Unix socket,
 * UDP sockets, and one request/reply exchange with chrony's rules: a random
 * sequence number per attempt, a first timeout doubled at each retry, replies
 * that do not answer the request ignored, truncated ones retried, a version 5
 * daemon answered in version 5, and the next address when one stays silent. */
#ifndef CW_CHRONYC_TRANSPORT_H
#define CW_CHRONYC_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRANSPORT_MAX_ADDRESSES 16      /* per host name, as chrony resolves */
#define TRANSPORT_MAX_REPLY 1024        /* larger than any reply */

struct transport;

/* One request in the protocol's terms: the header is added per attempt. */
struct transport_msg {
    uint16_t command;
    const void *data;
    size_t data_len;
    size_t padded_len;          /* the whole request padded for the expected reply */
};

/* The addresses of a comma-separated host list: words starting with '/' are
 * Unix socket paths, others are resolved (family: enum addr_family, as -4/-6
 * chose). Names that do not resolve are left out. Opens nothing yet. */
struct transport *transport_new(const char *hosts, int port, int family);
void transport_free(struct transport *t);

/* Opens a socket to the first address that can be reached (a Unix socket
 * path must exist and accept a connection). False when none can. Messages
 * about sockets that could not be set up go to stderr, as chrony's do. */
bool transport_connect(struct transport *t);

/* What stops a wait early (SIGINT/SIGTERM in chronyc). */
void transport_set_quit_check(struct transport *t, bool (*quit_requested)(void));

/* Sends msg and waits for its reply: timeout_ms for the first attempt,
 * doubled for each of max_retries retries; then the next addresses in the
 * list. On success the reply (at most cap bytes) is in reply and its length
 * in *reply_len; false when no address answered. */
bool transport_exchange(struct transport *t, const struct transport_msg *msg, int timeout_ms,
                        int max_retries, uint8_t *reply, size_t cap, size_t *reply_len);

/* The protocol version in use (6, or 5 after an old daemon answered). */
int transport_version(const struct transport *t);

#endif
