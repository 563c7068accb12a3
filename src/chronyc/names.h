/* names: addresses as chronyc reads and prints them. Reading: numeric
 * addresses never go to the resolver, "ID#N" names a source whose name is
 * not resolved yet, other words are host names (platform/resolver's blocking
 * lookup, restricted to the family chosen with -4/-6 or "dns"). Printing:
 * chrony's text forms of addresses and reference IDs, and reverse lookups
 * (the resolver's too). */
#ifndef CW_CHRONYC_NAMES_H
#define CW_CHRONYC_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

/* Long enough for any name chronyc prints (NI_MAXHOST). */
#define NAMES_MAX_HOST 1025

/* Up to max addresses of name (family ADDR_UNSPEC: both). A numeric address
 * of the other family fails. Returns the number found, 0 on failure. */
int names_resolve(const char *name, int family, addr_ip *out, int max);

/* "ID#N" (as scanf reads "ID#%u"). */
bool names_parse_id(const char *word, addr_ip *out);

/* A source's address as given to chronyc's source commands: "ID#N", a
 * numeric address or a host name (its first address). */
bool names_parse_source(const char *word, int family, addr_ip *out);

/* chrony's text of an address: dotted quad, IPv6, "ID#0000000001",
 * "[UNSPEC]", or "[UNKNOWN]" for a family it does not know. */
const char *names_format_ip(const addr_ip *ip, char *buf, size_t len);

/* The host name of an address (a reverse lookup), or its text when it has
 * none or is not an IP address. */
void names_reverse(const addr_ip *ip, char *buf, size_t len);

/* The printable characters of a reference ID, as chrony shows it ("GPS",
 * "" for 127.127.1.1). */
void names_refid_string(uint32_t ref_id, char *buf, size_t len);

/* A reference ID as chronyc's offset/selectopts read it: 1 to 4 characters
 * (packed big-endian); false for a longer word. */
bool names_parse_refid(const char *word, uint32_t *ref_id);

#endif
