/* udp: the UDP sockets NTP runs on. Opening server sockets (bound to an
 * address and port) and client sockets (connected to one server, or shared
 * and unconnected), receiving datagrams in batches with their kernel receive
 * timestamp, source and destination address and interface, sending from a
 * chosen local address (singly, or batched on the server's reply path), and
 * counting what went wrong.
 *
 * Nothing here registers with the event loop: the caller owns the descriptor,
 * watches it for input and calls udp_recv_batch() when it is readable. All
 * calls belong on the main thread. Sockets are non-blocking and close-on-exec. */
#ifndef CW_UDP_H
#define CW_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/addr.h"

/* Most datagrams one udp_recv_batch() or udp_send_batch() call handles. */
#define UDP_MAX_BATCH 16
/* Largest DSCP value (6 bits). */
#define UDP_MAX_DSCP 63
/* An interface index the kernel did not report. */
#define UDP_NO_IF_INDEX (-1)

typedef struct {
    int family;             /* ADDR_INET4 or ADDR_INET6 */
    addr_ip bind_ip;        /* ADDR_UNSPEC or the all-zero address: any local address */
    uint16_t bind_port;     /* 0: an ephemeral port (or none when connected) */
    addr_sock remote;       /* ip.family ADDR_UNSPEC: not connected; otherwise
                               connect() so that ICMP errors are reported and
                               datagrams from other hosts are filtered out */
    const char *device;     /* binddevice / bindacqdevice; NULL: any interface */
    int dscp;               /* dscp directive, 1..63; 0 leaves the default */
    bool broadcast;         /* SO_BROADCAST (server sockets, as in chrony) */
} udp_params;

/* Fill p for a socket of family (ADDR_INET4/6): any address, ephemeral port,
 * unconnected, no device, default DSCP. */
void udp_params_init(udp_params *p, int family);

/* Open a UDP socket as p describes: IPV6_V6ONLY on IPv6 sockets, destination
 * address reporting (IP_PKTINFO / IPV6_RECVPKTINFO), receive timestamps
 * (SO_TIMESTAMPING software RX, else SO_TIMESTAMPNS, else SO_TIMESTAMP),
 * SO_REUSEADDR when a port is given, IP_FREEBIND so an address that is not
 * configured yet can be bound. A timestamp option the system (or an LD_PRELOAD
 * clock simulator) refuses is not an error: such datagrams are stamped with
 * CLOCK_REALTIME read right after they are received. Returns the descriptor,
 * or -1 with errno set (EAFNOSUPPORT when the system has no IPv6: the caller
 * warns and goes on). */
int udp_open(const udp_params *p);
void udp_close(int fd);

/* The socket's local address and port (after binding, the ephemeral port).
 * Returns 0, or -1 with errno set. */
int udp_local_address(int fd, addr_sock *out);

/* Set the DSCP of the datagrams fd sends (IP_TOS / IPV6_TCLASS). */
int udp_set_dscp(int fd, int family, int dscp);

/* One datagram, in either direction. */
typedef struct {
    void *buf;              /* caller's buffer */
    size_t buf_len;         /* its size */
    size_t len;             /* received: bytes stored; to send: bytes to send */
    bool truncated;         /* received: the datagram did not fit in buf (drop it) */
    addr_sock remote;       /* received: its source; to send: its destination
                               (family ADDR_UNSPEC on a connected socket) */
    addr_ip local;          /* received: the address it was sent to (ADDR_UNSPEC
                               when unknown); to send: the source address to use
                               (ADDR_UNSPEC: the kernel chooses) */
    int if_index;           /* received: the interface it arrived on; to send:
                               the interface to send from (UDP_NO_IF_INDEX: any) */
    struct timespec rx_ts;  /* received: when (CLOCK_REALTIME) */
    bool rx_ts_kernel;      /* rx_ts came from the kernel, not a later clock read */
} udp_msg;

/* Receive up to max (capped at UDP_MAX_BATCH) waiting datagrams into msgs,
 * whose buf and buf_len the caller has set. Never blocks. Returns how many
 * arrived (0 when none were waiting), or -1 with errno set (on a connected
 * socket, ECONNREFUSED reports an ICMP port unreachable from the server). */
int udp_recv_batch(int fd, udp_msg *msgs, int max);

/* Send len bytes of buf to `to` (NULL on a connected socket) from the local
 * address `from` (NULL or ADDR_UNSPEC: the kernel chooses) through interface
 * if_index (UDP_NO_IF_INDEX: any). Returns 0, or -1 with errno set. */
int udp_send(int fd, const void *buf, size_t len, const addr_sock *to,
             const addr_ip *from, int if_index);
/* Send a datagram as a udp_msg describes it (buf, len, remote, local, if_index). */
int udp_send_msg(int fd, const udp_msg *msg);

/* Send n datagrams, at most UDP_MAX_BATCH per system call (sendmmsg; one
 * sendmsg each where sendmmsg is not available). A datagram that cannot be
 * sent is counted and skipped. Returns how many were sent. */
int udp_send_batch(int fd, const udp_msg *msgs, int n);

/* Counters over every socket, since start or the last reset. */
typedef struct {
    unsigned long rx_packets;       /* datagrams delivered by udp_recv_batch */
    unsigned long rx_truncated;     /* ... of which did not fit the buffer */
    unsigned long rx_no_kernel_ts;  /* ... of which had no kernel timestamp */
    unsigned long rx_errors;        /* failed receive calls (other than "nothing waiting") */
    unsigned long tx_packets;       /* datagrams sent */
    unsigned long tx_errors;        /* datagrams that could not be sent */
} udp_stats;

void udp_get_stats(udp_stats *out);
void udp_reset_stats(void);

#endif
