/* acl: a 16-way tree of allow/deny rules per address family. For IPv4 the
 * tree is also compiled into a sorted table of address ranges, which is what
 * acl_check() searches: a few comparisons instead of a walk down eight
 * levels of the tree. */
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

/* IPv4 as ranges: range i is start[i] .. start[i + 1] - 1 (the last one
 * runs to 255.255.255.255) and is allowed when allow[i]. start[0] is 0, the
 * starts increase, and neighbours differ in allow. A cache of the tree:
 * acl_add() marks it stale and the next check rebuilds it, so that adding
 * many rules costs one rebuild, not one per rule. */
struct v4_table {
    bool stale;
    size_t n;
    size_t capacity;
    uint32_t *start;
    uint8_t *allow;
};

struct acl {
    struct acl_node v4;
    struct acl_node v6;
    struct v4_table *table;             /* rebuilt by acl_check(), which gets a const acl */
};

struct acl *acl_create(void)
{
    struct acl *acl = mem_calloc(1, sizeof *acl);
    acl->v4.rule = RULE_DENY;
    acl->v6.rule = RULE_DENY;
    acl->table = mem_calloc(1, sizeof *acl->table);
    acl->table->stale = true;
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
    mem_free(acl->table->start);
    mem_free(acl->table->allow);
    mem_free(acl->table);
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
        acl->table->stale = true;
        return true;
    case ADDR_INET4:
        if (bits < 0 || bits > IPV4_BITS)
            return false;
        to_bytes(&subnet->ip, addr);
        set_rule(&acl->v4, addr, bits, rule, all);
        acl->table->stale = true;
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

/* ---- the IPv4 range table ---- */

static void add_range(struct v4_table *t, uint32_t start, bool allow)
{
    if (t->n > 0 && t->allow[t->n - 1] == allow)
        return;                         /* continues the previous range */
    if (t->n == t->capacity) {
        size_t cap = t->capacity ? 2 * t->capacity : 8;
        t->start = mem_realloc(t->start, cap * sizeof *t->start);
        t->allow = mem_realloc(t->allow, cap * sizeof *t->allow);
        t->capacity = cap;
    }
    t->start[t->n] = start;
    t->allow[t->n] = allow;
    t->n++;
}

/* Visits the leaves of the tree in address order, with the rule that the
 * walk in check_tree() finds for their addresses. */
static void compile_node(struct v4_table *t, const struct acl_node *node, uint32_t prefix,
                         int level, enum rule inherited)
{
    enum rule rule = node->rule != RULE_INHERIT ? (enum rule)node->rule : inherited;
    if (!node->kids || level >= IPV4_BITS / LEVEL_BITS) {
        add_range(t, prefix, rule == RULE_ALLOW);
        return;
    }
    int shift = IPV4_BITS - LEVEL_BITS * (level + 1);
    for (uint32_t i = 0; i < FANOUT; i++)
        compile_node(t, &node->kids[i], prefix | i << shift, level + 1, rule);
}

static bool check_v4(const struct acl *acl, uint32_t a)
{
    struct v4_table *t = acl->table;
    if (t->stale) {
        t->n = 0;
        compile_node(t, &acl->v4, 0, 0, RULE_DENY);
        t->stale = false;
    }
    /* the last range starting at or before a */
    size_t lo = 0, hi = t->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->start[mid] <= a)
            lo = mid;
        else
            hi = mid;
    }
    return t->allow[lo];
}

/* ---- checks ---- */

/* The walk down the tree, for either family. */
static bool check_tree(const struct acl_node *node, int levels, const uint8_t *addr)
{
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

bool acl_check(const struct acl *acl, const addr_ip *ip)
{
    if (ip->family == ADDR_INET4)
        return check_v4(acl, ip->a.in4);
    if (ip->family == ADDR_INET6)
        return check_tree(&acl->v6, IPV6_BITS / LEVEL_BITS, ip->a.in6);
    return false;
}

bool acl_check_tree(const struct acl *acl, const addr_ip *ip)
{
    uint8_t addr[MAX_ADDR_BYTES];
    if (ip->family == ADDR_INET4) {
        to_bytes(ip, addr);
        return check_tree(&acl->v4, IPV4_BITS / LEVEL_BITS, addr);
    }
    if (ip->family == ADDR_INET6)
        return check_tree(&acl->v6, IPV6_BITS / LEVEL_BITS, ip->a.in6);
    return false;
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
