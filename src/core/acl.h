/* acl: allow/deny tables for NTP clients (allow/deny) and command clients
 * (cmdallow/cmddeny), with chrony's semantics. Rules live in a tree with one
 * level per 4 bits of the address: an address gets the rule of the deepest
 * tree node on its path that has one; a prefix that is not a multiple of 4
 * sets every node of the next level it covers; a later rule on the same node
 * replaces the earlier one; the "all" variants also erase every rule below
 * the nodes they set. Everything is denied until something is allowed. */
#ifndef CW_ACL_H
#define CW_ACL_H

#include <stdbool.h>

#include "common/addr.h"

struct acl;

struct acl *acl_create(void);
void acl_destroy(struct acl *acl);

/* Adds a rule. A subnet of family ADDR_UNSPEC (with 0 bits) means every IPv4
 * and IPv6 address. Address bits past the prefix are ignored. Returns false
 * (table unchanged) when the prefix length does not fit the family. */
bool acl_add(struct acl *acl, const addr_subnet *subnet, bool allow, bool all);

/* True when the address is allowed; addresses other than IPv4/IPv6 never are. */
bool acl_check(const struct acl *acl, const addr_ip *ip);
/* The same answer found by walking the rule tree rather than through the
 * compiled IPv4 table that acl_check() searches (for tests). */
bool acl_check_tree(const struct acl *acl, const addr_ip *ip);

/* True when at least one address of the family (ADDR_INET4 or ADDR_INET6) is
 * allowed: the daemon opens the server socket of a family only then. */
bool acl_any_allowed(const struct acl *acl, int family);

#endif
