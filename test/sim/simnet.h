/* simnet: the simulated network and the NTP servers on it. Implements
 * platform/udp.h for the daemon: its sockets are entries in a table here
 * (descriptor numbers are handed out like the kernel's, lowest free first),
 * and what it sends travels to the simulated servers over links with a base
 * delay, exponentially distributed extra delay (jitter) and random loss, set
 * separately for each direction. The daemon's host has the addresses
 * SIMNET_CLIENT_IP4 and SIMNET_CLIENT_IP6 (and loopback, to bind to). The
 * Unix command socket (platform/cmdsock.h) exists but nothing sends to it.
 *
 * Servers are simple: a clock that is true time plus a fixed offset and an
 * optional frequency error, answering every mode 3 request with a mode 4
 * reply built with core/ntp_packet (receive timestamp at arrival, transmit
 * timestamp proc_s later). Every exchange is recorded with the true times
 * and the exact timestamps, so the daemon's measurements can be checked
 * against what really happened. */
#ifndef CW_SIM_SIMNET_H
#define CW_SIM_SIMNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/addr.h"

#define SIMNET_CLIENT_IP4 "192.0.2.1"
#define SIMNET_CLIENT_IP6 "2001:db8::1"
#define SIMNET_MAX_SERVERS 16

/* Directions of a link. */
enum { SIMNET_UP = 0, SIMNET_DOWN = 1 };   /* up: client to server */

struct simnet_link {
    double delay_s[2];          /* fixed one-way delay */
    double jitter_s[2];         /* mean of the exponential extra delay */
    double loss[2];             /* probability a datagram is lost */
};

struct simnet_server_params {
    addr_ip ip;
    double offset_s;            /* its clock minus true time */
    double freq_ppm;            /* its clock's frequency error */
    int stratum;
    uint32_t refid;
    int precision;              /* log2 s */
    double root_delay_s, root_dispersion_s;
    double proc_s;              /* time between its receive and transmit stamps */
    struct simnet_link link;
};

void simnet_init(uint64_t seed);
/* Close every socket and forget the exchanges. */
void simnet_finish(void);
/* Returns the server's index. */
int simnet_add_server(const struct simnet_server_params *p);
int simnet_server_count(void);
const struct simnet_server_params *simnet_server(int index);
/* Server index at this address, or -1. */
int simnet_find_server(const addr_ip *ip);
/* The server's clock minus true time at true time t_ns. */
double simnet_server_offset_s(int index, int64_t t_ns);

/* Whether a datagram waits on the simulated socket fd. */
bool simnet_fd_readable(int fd);

/* The daemon's own view of its clock: its clock discipline's "cooked" time
 * for a raw reading (in place). The NTP client takes its timestamps in it. */
void simnet_set_cook(void (*cook)(struct timespec *ts));

/* One request the daemon sent to a server, and what became of it. */
struct simnet_exchange {
    int server;
    int64_t t1_ns, t2_ns, t3_ns, t4_ns; /* true times: sent, at server, reply sent, arrived */
    struct timespec t1, t4;             /* the daemon's clock at t1_ns, t4_ns (raw) */
    struct timespec t1_cooked, t4_cooked;   /* ... cooked as the daemon cooks them */
    struct timespec t2, t3;             /* the server's timestamps as sent (ns) */
    uint64_t clock_events_t1, clock_events_t4;  /* simplat_clock_events() at t1, t4 */
    bool lost, answered, delivered;     /* delivered: a socket took the reply */
};

size_t simnet_exchange_count(void);
const struct simnet_exchange *simnet_exchange_get(size_t i);

struct simnet_stats {
    uint64_t requests;          /* datagrams the daemon sent to servers */
    uint64_t lost;              /* ... lost on the way, either direction */
    uint64_t replies_delivered; /* replies a daemon socket received */
    uint64_t replies_dropped;   /* replies that arrived to no open socket */
    uint64_t unroutable;        /* datagrams to addresses nobody has */
};
void simnet_get_stats(struct simnet_stats *out);

#endif
