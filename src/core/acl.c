/* acl: a 16-way tree of allow/deny rules per address family. */
#include "core/acl.h"

#include <stdint.h>
#include <string.h>

#include "common/mem.h"

#define LEVEL_BITS 4                    /* address bits consumed per tree level */
#define FANOUT (1 << LEVEL_BITS)
#define IPV4_BITS 32
#define IPV6_BITS 128
#define MAX_ADDR_BYTES 16

enum rule { RULE_INHERIT = 0, RULE_DENY, RULE_ALLOW };

struct acl_node {
    uint8_t rule;                       /* enum rule */
    struct acl_node *kids;              /* FANOUT children, or NULL for a leaf */
};

struct acl {
    struct acl_node v4;
    struct acl_node v6;
};

struct acl *acl_create(void)
{
    struct acl *acl = mem_calloc(1, sizeof *acl);
    acl->v4.rule = RULE_DENY;
    acl->v6.rule = RULE_DENY;
    return acl;
}

/* Frees everything below node; node itself stays. */
static void prune(struct acl_node *node)
{
    if (!node->kids)
        return;
    for (int i = 0; i < FANOUT; i++)
        prune(&node->kids[i]);
    mem_free(node->kids);
    node->kids = NULL;
}

void acl_destroy(struct acl *acl)
{
    if (!acl)
        return;
    prune(&acl->v4);
    prune(&acl->v6);
    mem_free(acl);
}

static struct acl_node *kids_of(struct acl_node *node)
{
    if (!node->kids)
        node->kids = mem_calloc(FANOUT, sizeof *node->kids);   /* all RULE_INHERIT */
    return node->kids;
}

/* The level-th group of 4 bits of a big-endian address. */
static unsigned nibble(const uint8_t *addr, int level)
{
    uint8_t byte = addr[level / 2];
    return level % 2 ? byte & 0x0f : byte >> 4;
}

static void set_rule(struct acl_node *root, const uint8_t *addr, int bits, enum rule rule,
                     bool all)
{
    struct acl_node *node = root;
    int level;
    for (level = 0; level < bits / LEVEL_BITS; level++)
        node = &kids_of(node)[nibble(addr, level)];

    int rest = bits % LEVEL_BITS;
    if (rest == 0) {
        if (all)
            prune(node);
        node->rule = (uint8_t)rule;
        return;
    }
    /* a partial level: set every child whose top `rest` bits match */
    unsigned span = 1u << (LEVEL_BITS - rest);
    unsigned first = nibble(addr, level) & ~(span - 1);
    struct acl_node *kids = kids_of(node);
    for (unsigned i = first; i < first + span; i++) {
        if (all)
            prune(&kids[i]);
        kids[i].rule = (uint8_t)rule;
    }
}

static void to_bytes(const addr_ip *ip, uint8_t *out)
{
    memset(out, 0, MAX_ADDR_BYTES);
    if (ip->family == ADDR_INET4) {
        out[0] = (uint8_t)(ip->a.in4 >> 24);
        out[1] = (uint8_t)(ip->a.in4 >> 16);
        out[2] = (uint8_t)(ip->a.in4 >> 8);
        out[3] = (uint8_t)ip->a.in4;
    } else if (ip->family == ADDR_INET6) {
        memcpy(out, ip->a.in6, 16);
    }
}

bool acl_add(struct acl *acl, const addr_subnet *subnet, bool allow, bool all)
{
    enum rule rule = allow ? RULE_ALLOW : RULE_DENY;
    uint8_t addr[MAX_ADDR_BYTES];
    int bits = subnet->bits;

    switch (subnet->ip.family) {
    case ADDR_UNSPEC:
        if (bits != 0)
            return false;
        memset(addr, 0, sizeof addr);
        set_rule(&acl->v4, addr, 0, rule, all);
        set_rule(&acl->v6, addr, 0, rule, all);
        return true;
    case ADDR_INET4:
        if (bits < 0 || bits > IPV4_BITS)
            return false;
        to_bytes(&subnet->ip, addr);
        set_rule(&acl->v4, addr, bits, rule, all);
        return true;
    case ADDR_INET6:
        if (bits < 0 || bits > IPV6_BITS)
            return false;
        to_bytes(&subnet->ip, addr);
        set_rule(&acl->v6, addr, bits, rule, all);
        return true;
    default:
        return false;
    }
}

bool acl_check(const struct acl *acl, const addr_ip *ip)
{
    const struct acl_node *node;
    int levels;
    if (ip->family == ADDR_INET4) {
        node = &acl->v4;
        levels = IPV4_BITS / LEVEL_BITS;
    } else if (ip->family == ADDR_INET6) {
        node = &acl->v6;
        levels = IPV6_BITS / LEVEL_BITS;
    } else {
        return false;
    }

    uint8_t addr[MAX_ADDR_BYTES];
    to_bytes(ip, addr);
    enum rule result = RULE_DENY;
    for (int level = 0; ; level++) {
        if (node->rule != RULE_INHERIT)
            result = (enum rule)node->rule;
        if (!node->kids || level >= levels)
            break;
        node = &node->kids[nibble(addr, level)];
    }
    return result == RULE_ALLOW;
}

static bool any_allowed(const struct acl_node *node, enum rule inherited)
{
    enum rule rule = node->rule != RULE_INHERIT ? (enum rule)node->rule : inherited;
    if (!node->kids)
        return rule == RULE_ALLOW;
    /* the children cover the whole subnet of this node */
    for (int i = 0; i < FANOUT; i++)
        if (any_allowed(&node->kids[i], rule))
            return true;
    return false;
}

bool acl_any_allowed(const struct acl *acl, int family)
{
    if (family == ADDR_INET4)
        return any_allowed(&acl->v4, RULE_DENY);
    if (family == ADDR_INET6)
        return any_allowed(&acl->v6, RULE_DENY);
    return false;
}
