/* addr: IP addresses (IPv4/IPv6) as values, numeric parsing and printing,
 * subnets, and conversion to and from socket addresses. No name resolution. */
#ifndef CW_ADDR_H
#define CW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

enum addr_family { ADDR_UNSPEC = 0, ADDR_INET4 = 1, ADDR_INET6 = 2, ADDR_ID = 3 };

typedef struct {
    uint8_t family;             /* enum addr_family */
    union {
        uint32_t in4;           /* host byte order */
        uint8_t in6[16];
        uint32_t id;
    } a;
} addr_ip;

/* An address and a UDP port, as they come off a socket. */
typedef struct {
    addr_ip ip;
    uint16_t port;
} addr_sock;

typedef struct {
    addr_ip ip;                 /* family ADDR_UNSPEC with bits 0 means "all" */
    int bits;
} addr_subnet;

#define ADDR_STR_MAX 64         /* enough for any address, with port */

/* Numeric IPv4 (dotted quad) or IPv6 text; returns true when valid. */
bool addr_parse(const char *text, addr_ip *out);
/* Writes the numeric form into buf and returns buf. */
const char *addr_format(const addr_ip *ip, char *buf, size_t len);
bool addr_equal(const addr_ip *a, const addr_ip *b);
int addr_compare(const addr_ip *a, const addr_ip *b);
bool addr_is_loopback(const addr_ip *ip);
bool addr_is_unspec(const addr_ip *ip);
/* True when ip lies in subnet (a subnet of family UNSPEC matches everything). */
bool addr_in_subnet(const addr_ip *ip, const addr_subnet *subnet);
/* Zero the bits of ip past prefix length bits. */
void addr_mask(addr_ip *ip, int bits);
/* A 32-bit value identifying the address, as NTP reference IDs use for IPv4
 * (the address itself) and IPv6 (first 4 bytes of the MD5 of the address). */
uint32_t addr_refid(const addr_ip *ip);

/* Result of addr_parse_subnet. */
enum addr_subnet_status {
    ADDR_SUBNET_OK,
    ADDR_SUBNET_INVALID,        /* malformed address, prefix length or network */
    ADDR_SUBNET_NOT_NUMERIC,    /* no address and no "/bits": perhaps a host name */
};
/* Parses a subnet the way chrony's allow/deny read one: a numeric IPv4 or IPv6
 * address with an optional "/bits" (default: all bits of the address), or a
 * shortened IPv4 network of 1 to 3 decimal numbers ("10", "192.168", "1.2.3")
 * with a default prefix of 8 bits per number ("10/8" also works). The address
 * is stored as written (not masked) and bits are not clamped to the family's
 * width, as chrony does. Host names are the caller's business. */
enum addr_subnet_status addr_parse_subnet(const char *text, addr_subnet *out);

/* struct sockaddr_in/_in6 <-> addr_sock; to_sockaddr returns the length used. */
size_t addr_to_sockaddr(const addr_sock *in, struct sockaddr *out, size_t out_len);
bool addr_from_sockaddr(const struct sockaddr *in, size_t in_len, addr_sock *out);

#endif
