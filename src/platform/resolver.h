/* resolver: host names to addresses without blocking the event loop.
 * Requests queue up and a helper thread resolves them one at a time with
 * getaddrinfo(); each result travels back over a socketpair whose read end the
 * loop polls, and the callback runs on the main thread inside
 * resolver_process(). The thread and the socketpair exist only while requests
 * are pending: an idle resolver holds no descriptor and no thread.
 *
 * Only names go through here: resolver_request() refuses a numeric address,
 * which the caller handles at once with addr_parse().
 *
 * resolver_lookup_blocking() is the exception to "never block": a plain
 * getaddrinfo() on the calling thread, for the names chronyd reads with its
 * configuration (before any loop runs, as chrony does) and for chronyc. */
#ifndef CW_RESOLVER_H
#define CW_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"

/* Most addresses delivered for one name (as chrony's DNS_MAX_ADDRESSES). */
#define RESOLVER_MAX_ADDRS 16
/* Longest name accepted (a DNS name is at most 253 characters). */
#define RESOLVER_MAX_NAME 255

typedef enum {
    RESOLVER_OK = 0,        /* addrs holds n >= 1 addresses */
    RESOLVER_TRY_AGAIN,     /* temporary: no answer now (DNS unreachable,
                               timeout, no memory); ask again later */
    RESOLVER_FAILED,        /* the name has no address of the wanted family */
} resolver_status;

/* Called once per request, on the main thread, from resolver_process().
 * addrs is valid only during the call (n is 0 unless status is RESOLVER_OK).
 * It may make new requests and cancel others. */
typedef void (*resolver_done)(void *arg, resolver_status status, const addr_ip *addrs, int n);

/* Queue name for resolution. family: ADDR_INET4 or ADDR_INET6 for that family
 * only, ADDR_UNSPEC for both. Returns 0, or -1 with errno set: EINVAL for an
 * empty, too long or numeric name, a bad family or no callback; or the error
 * that prevented creating the socketpair. */
int resolver_request(const char *name, int family, resolver_done done, void *arg);

/* The descriptor to poll for input while requests are pending, or -1. */
int resolver_fd(void);

/* Called when resolver_fd() is readable: delivers a finished request to its
 * callback and starts the next one. Harmless when nothing is ready. */
void resolver_process(void);

/* notify(fd, true) when the descriptor appears, notify(fd, false) just before
 * it is closed, so the wiring can add it to the loop and remove it. */
void resolver_set_fd_notify(void (*notify)(int fd, bool add));

/* Forget the requests made with this callback and argument: their callback
 * will not be called. Returns how many there were. */
int resolver_cancel(resolver_done done, void *arg);

/* Requests not yet delivered. */
int resolver_pending(void);

/* Drop every request without calling back, waiting for a name being resolved
 * (the thread cannot be interrupted inside getaddrinfo), and close the
 * descriptor. */
void resolver_finish(void);

/* resolver_lookup_blocking() flags. */
#define RESOLVER_ADDRCONFIG 0x1u    /* only families this host has addresses of */
#define RESOLVER_SCOPED 0x2u        /* also addresses that need a scope (IPv6
                                       link-local), which is dropped */

/* Up to max addresses of name (family ADDR_INET4, ADDR_INET6, or ADDR_UNSPEC
 * for both), in the order the system gives them. A numeric address is its
 * own answer (none when of the other family) and never leaves the process.
 * Returns how many, 0 when the name has none or cannot be resolved. */
int resolver_lookup_blocking(const char *name, int family, unsigned flags, addr_ip *out,
                             int max);

/* The host name of an IPv4 or IPv6 address (a blocking reverse lookup; the
 * address's text when it has no name), NUL-terminated in name. False when
 * the lookup failed or name is too short. */
bool resolver_name_blocking(const addr_ip *ip, char *name, size_t len);

#endif
