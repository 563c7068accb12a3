#include "harness.h"
#include "core/acl.h"

static bool add(struct acl *acl, const char *addr, int bits, bool allow, bool all)
{
    addr_subnet s;
    memset(&s, 0, sizeof s);
    if (addr && !addr_parse(addr, &s.ip))
        return false;
    s.bits = bits;
    return acl_add(acl, &s, allow, all);
}

static bool ok(const struct acl *acl, const char *addr)
{
    addr_ip ip;
    if (!addr_parse(addr, &ip))
        return false;
    return acl_check(acl, &ip);
}

TEST(default_deny)
{
    struct acl *acl = acl_create();
    CHECK(!ok(acl, "1.2.3.4"));
    CHECK(!ok(acl, "127.0.0.1"));
    CHECK(!ok(acl, "::1"));
    CHECK(!acl_any_allowed(acl, ADDR_INET4));
    CHECK(!acl_any_allowed(acl, ADDR_INET6));
    acl_destroy(acl);
}

TEST(host_and_subnets)
{
    struct acl *acl = acl_create();
    CHECK(add(acl, "1.2.3.4", 32, true, false));           /* allow 1.2.3.4 */
    CHECK(add(acl, "3.4.5.0", 24, true, false));           /* allow 3.4.5.0/24, allow 3.4.5 */
    CHECK(ok(acl, "1.2.3.4"));
    CHECK(!ok(acl, "1.2.3.5"));
    CHECK(ok(acl, "3.4.5.0"));
    CHECK(ok(acl, "3.4.5.255"));
    CHECK(!ok(acl, "3.4.6.1"));
    CHECK(!ok(acl, "::1"));
    CHECK(acl_any_allowed(acl, ADDR_INET4));
    CHECK(!acl_any_allowed(acl, ADDR_INET6));
    /* bits past the prefix do not matter */
    CHECK(add(acl, "9.9.9.9", 8, true, false));
    CHECK(ok(acl, "9.1.2.3"));
    acl_destroy(acl);
}

/* chrony.conf(5): "allow 1.2.3.4 / deny 1.2.3.0/24 / allow 1.2.0.0/16" has the
 * same effect in any order. */
TEST(doc_example_order_independent)
{
    static const int orders[6][3] = {
        { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
    };
    for (int o = 0; o < 6; o++) {
        struct acl *acl = acl_create();
        for (int i = 0; i < 3; i++) {
            switch (orders[o][i]) {
            case 0: CHECK(add(acl, "1.2.3.4", 32, true, false)); break;
            case 1: CHECK(add(acl, "1.2.3.0", 24, false, false)); break;
            case 2: CHECK(add(acl, "1.2.0.0", 16, true, false)); break;
            }
        }
        CHECK(ok(acl, "1.2.3.4"));
        CHECK(!ok(acl, "1.2.3.5"));
        CHECK(!ok(acl, "1.2.3.0"));
        CHECK(ok(acl, "1.2.4.1"));
        CHECK(ok(acl, "1.2.255.255"));
        CHECK(!ok(acl, "1.3.0.1"));
        acl_destroy(acl);
    }
}

/* chrony.conf(5): "allow all 1.2.0.0/16" after the others overrides every
 * earlier rule inside it. */
TEST(doc_example_allow_all)
{
    struct acl *acl = acl_create();
    CHECK(add(acl, "1.2.3.4", 32, true, false));
    CHECK(add(acl, "1.2.3.0", 24, false, false));
    CHECK(add(acl, "1.2.0.0", 16, true, true));
    CHECK(ok(acl, "1.2.3.4"));
    CHECK(ok(acl, "1.2.3.5"));
    CHECK(ok(acl, "1.2.200.1"));
    CHECK(!ok(acl, "1.3.0.1"));
    /* and "deny all" the same way */
    CHECK(add(acl, "1.2.3.0", 24, true, false));
    CHECK(add(acl, "1.2.0.0", 16, false, true));
    CHECK(!ok(acl, "1.2.3.4"));
    CHECK(!ok(acl, "1.2.3.5"));
    CHECK(!acl_any_allowed(acl, ADDR_INET4));
    acl_destroy(acl);
}

/* chrony.conf(5): 1.2.3.0/25 and 1.2.3.0/28 are in the same table, so the
 * later one wins; 1.2.3.0/28 and 1.2.3.0/29 are in different tables, so the
 * longer prefix wins. */
TEST(doc_example_same_table)
{
    struct acl *acl = acl_create();
    CHECK(add(acl, "1.2.3.0", 28, true, false));
    CHECK(add(acl, "1.2.3.0", 25, false, false));
    CHECK(!ok(acl, "1.2.3.1"));               /* /25 replaced the /28 rule */
    CHECK(!ok(acl, "1.2.3.100"));
    acl_destroy(acl);

    acl = acl_create();
    CHECK(add(acl, "1.2.3.0", 25, false, false));
    CHECK(add(acl, "1.2.3.0", 28, true, false));
    CHECK(ok(acl, "1.2.3.1"));
    CHECK(ok(acl, "1.2.3.15"));
    CHECK(!ok(acl, "1.2.3.16"));
    acl_destroy(acl);

    acl = acl_create();
    CHECK(add(acl, "1.2.3.0", 29, true, false));
    CHECK(add(acl, "1.2.3.0", 28, false, false));
    CHECK(ok(acl, "1.2.3.1"));                /* deeper table: /29 still wins */
    CHECK(ok(acl, "1.2.3.7"));
    CHECK(!ok(acl, "1.2.3.8"));
    acl_destroy(acl);

    /* the same subnet twice: the later rule replaces the earlier */
    acl = acl_create();
    CHECK(add(acl, "10.0.0.0", 8, true, false));
    CHECK(add(acl, "10.0.0.0", 8, false, false));
    CHECK(!ok(acl, "10.1.1.1"));
    CHECK(add(acl, "10.0.0.0", 8, true, false));
    CHECK(ok(acl, "10.1.1.1"));
    acl_destroy(acl);
}

/* "allow" alone, "allow 0/0" and "allow ::/0" */
TEST(whole_families)
{
    struct acl *acl = acl_create();
    CHECK(add(acl, "0.0.0.0", 0, true, false));
    CHECK(ok(acl, "8.8.8.8"));
    CHECK(!ok(acl, "2001:db8::1"));
    acl_destroy(acl);

    acl = acl_create();
    CHECK(add(acl, "::", 0, true, false));
    CHECK(!ok(acl, "8.8.8.8"));
    CHECK(ok(acl, "2001:db8::1"));
    acl_destroy(acl);

    acl = acl_create();
    CHECK(add(acl, NULL, 0, true, false));
    CHECK(ok(acl, "8.8.8.8"));
    CHECK(ok(acl, "2001:db8::1"));
    CHECK(acl_any_allowed(acl, ADDR_INET4));
    CHECK(acl_any_allowed(acl, ADDR_INET6));
    /* a plain "deny" of everything keeps more specific rules... */
    CHECK(add(acl, "127.0.0.1", 32, true, false));
    CHECK(add(acl, NULL, 0, false, false));
    CHECK(ok(acl, "127.0.0.1"));
    CHECK(!ok(acl, "8.8.8.8"));
    /* ... "deny all" removes them */
    CHECK(add(acl, NULL, 0, false, true));
    CHECK(!ok(acl, "127.0.0.1"));
    CHECK(!acl_any_allowed(acl, ADDR_INET4));
    acl_destroy(acl);
}

TEST(ipv6)
{
    struct acl *acl = acl_create();
    CHECK(add(acl, "2001:db8::", 32, true, false));
    CHECK(add(acl, "2001:db8:1::", 48, false, false));
    CHECK(add(acl, "2001:db8:1::5", 128, true, false));
    CHECK(ok(acl, "2001:db8::1"));
    CHECK(!ok(acl, "2001:db8:1::1"));
    CHECK(ok(acl, "2001:db8:1::5"));
    CHECK(!ok(acl, "2001:db9::1"));
    /* a prefix that is not a multiple of 4 */
    CHECK(add(acl, "fe80::", 10, true, false));
    CHECK(ok(acl, "fe80::1"));
    CHECK(ok(acl, "febf::1"));
    CHECK(!ok(acl, "fec0::1"));
    CHECK(!ok(acl, "1.2.3.4"));
    CHECK(acl_any_allowed(acl, ADDR_INET6));
    CHECK(!acl_any_allowed(acl, ADDR_INET4));
    acl_destroy(acl);
}

TEST(odd_prefixes_ipv4)
{
    struct acl *acl = acl_create();
    CHECK(add(acl, "192.168.0.0", 17, true, false));
    CHECK(ok(acl, "192.168.127.255"));
    CHECK(!ok(acl, "192.168.128.0"));
    CHECK(add(acl, "192.168.64.0", 18, false, false));
    CHECK(!ok(acl, "192.168.64.1"));
    CHECK(ok(acl, "192.168.63.1"));
    CHECK(add(acl, "10.0.0.1", 31, true, false));
    CHECK(ok(acl, "10.0.0.0"));
    CHECK(ok(acl, "10.0.0.1"));
    CHECK(!ok(acl, "10.0.0.2"));
    CHECK(add(acl, "128.0.0.0", 1, true, false));
    CHECK(ok(acl, "200.1.1.1"));
    CHECK(!ok(acl, "100.1.1.1"));
    acl_destroy(acl);
}

TEST(invalid_rules)
{
    struct acl *acl = acl_create();
    CHECK(!add(acl, "1.2.3.4", 33, true, false));
    CHECK(!add(acl, "1.2.3.4", -1, true, false));
    CHECK(!add(acl, "::1", 129, true, false));
    CHECK(!add(acl, NULL, 8, true, false));
    addr_subnet s;
    memset(&s, 0, sizeof s);
    s.ip.family = ADDR_ID;
    CHECK(!acl_add(acl, &s, true, false));
    CHECK(!acl_any_allowed(acl, ADDR_INET4));
    addr_ip id;
    memset(&id, 0, sizeof id);
    id.family = ADDR_ID;
    CHECK(!acl_check(acl, &id));
    acl_destroy(acl);
    acl_destroy(NULL);
}

TEST(any_allowed_after_denials)
{
    struct acl *acl = acl_create();
    CHECK(add(acl, "10.1.2.0", 24, true, false));
    CHECK(acl_any_allowed(acl, ADDR_INET4));
    CHECK(add(acl, "10.1.2.0", 24, false, false));
    CHECK(!acl_any_allowed(acl, ADDR_INET4));
    CHECK(add(acl, "10.1.2.7", 32, true, false));
    CHECK(acl_any_allowed(acl, ADDR_INET4));
    CHECK(add(acl, "10.0.0.0", 8, false, true));
    CHECK(!acl_any_allowed(acl, ADDR_INET4));
    acl_destroy(acl);
}

/* ---- the compiled IPv4 table against the tree and a model ---- */

/* An independent model of the rules: explicit rules per tree node (depth
 * 0..8, the top 4 * depth bits); an address gets the rule of the deepest
 * node that covers it. */
struct model_rule {
    int depth;
    uint32_t prefix;
    bool allow;
};
static struct model_rule model[8192];
static int model_n;

static uint32_t top_bits(uint32_t a, int bits)
{
    return bits == 0 ? 0 : a & (~(uint32_t)0 << (32 - bits));
}

static void model_set(int depth, uint32_t prefix, bool allow, bool all)
{
    int j = 0;
    for (int i = 0; i < model_n; i++) {
        /* "all": rules below the node go */
        if (all && model[i].depth > depth && top_bits(model[i].prefix, 4 * depth) == prefix)
            continue;
        model[j++] = model[i];
    }
    model_n = j;
    for (int i = 0; i < model_n; i++) {
        if (model[i].depth == depth && model[i].prefix == prefix) {
            model[i].allow = allow;
            return;
        }
    }
    if (model_n < (int)(sizeof model / sizeof model[0]))
        model[model_n++] = (struct model_rule){ depth, prefix, allow };
}

static void model_add(uint32_t a, int bits, bool allow, bool all)
{
    int level = bits / 4, rest = bits % 4;
    if (rest == 0) {
        model_set(level, top_bits(a, bits), allow, all);
        return;
    }
    /* a partial level sets every node of the next level it covers */
    int shift = 28 - 4 * level;
    uint32_t span = 1U << (4 - rest);
    uint32_t first = (a >> shift & 0xf) & ~(span - 1);
    for (uint32_t i = first; i < first + span; i++)
        model_set(level + 1, top_bits(a, 4 * level) | i << shift, allow, all);
}

static bool model_check(uint32_t a)
{
    int best = -1;
    bool allow = false;
    for (int i = 0; i < model_n; i++) {
        if (model[i].depth > best && top_bits(a, 4 * model[i].depth) == model[i].prefix) {
            best = model[i].depth;
            allow = model[i].allow;
        }
    }
    return allow;
}

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static addr_ip v4(uint32_t a)
{
    addr_ip ip;
    memset(&ip, 0, sizeof ip);
    ip.family = ADDR_INET4;
    ip.a.in4 = a;
    return ip;
}

/* The IPv4 address in the top 32 bits of an IPv6 one, the rest random:
 * checked through the tree walk of the IPv6 table. */
static addr_ip v6_of(uint32_t a)
{
    addr_ip ip;
    memset(&ip, 0, sizeof ip);
    ip.family = ADDR_INET6;
    ip.a.in6[0] = (uint8_t)(a >> 24);
    ip.a.in6[1] = (uint8_t)(a >> 16);
    ip.a.in6[2] = (uint8_t)(a >> 8);
    ip.a.in6[3] = (uint8_t)a;
    for (int i = 4; i < 16; i++)
        ip.a.in6[i] = (uint8_t)rnd();
    return ip;
}

/* An address near one of a few bases, so that rules overlap and nest. */
static uint32_t near(const uint32_t *bases, int n)
{
    uint32_t a = bases[rnd() % (uint32_t)n];
    switch (rnd() % 4) {
    case 0: return a;
    case 1: return a ^ (rnd() & 0xff);
    case 2: return a ^ (rnd() & 0xffff);
    default: return rnd();
    }
}

static int agree_checks;

static void check_agree(const struct acl *acl, uint32_t a)
{
    addr_ip ip4 = v4(a), ip6 = v6_of(a);
    bool fast = acl_check(acl, &ip4);
    CHECK_INT(fast, acl_check_tree(acl, &ip4));
    CHECK_INT(fast, acl_check(acl, &ip6));
    CHECK_INT(fast, model_check(a));
    agree_checks++;
}

TEST(ipv4_table_agrees_with_tree)
{
    for (int set = 0; set < 300; set++) {
        uint32_t bases[4];
        for (int i = 0; i < 4; i++)
            bases[i] = rnd();
        struct acl *acl = acl_create();
        model_n = 0;
        model_set(0, 0, false, false);
        int rules = 1 + (int)(rnd() % 40);
        for (int r = 0; r < rules; r++) {
            uint32_t a = near(bases, 4);
            int bits = rnd() % 5 == 0 ? (int)(rnd() % 33) : 16 + (int)(rnd() % 17);
            bool allow = rnd() % 3 != 0, all = rnd() % 4 == 0;
            addr_subnet s4 = { .ip = v4(a), .bits = bits };
            addr_subnet s6 = { .ip = v6_of(a), .bits = bits };
            CHECK(acl_add(acl, &s4, allow, all));
            CHECK(acl_add(acl, &s6, allow, all));
            model_add(a, bits, allow, all);
            for (int k = 0; k < 30; k++)
                check_agree(acl, near(bases, 4));
            /* the edges of the rule's subnet and their neighbours */
            uint32_t lo = top_bits(a, bits), hi = lo | ~top_bits(~(uint32_t)0, bits);
            check_agree(acl, lo);
            check_agree(acl, hi);
            check_agree(acl, lo - 1);
            check_agree(acl, hi + 1);
        }
        check_agree(acl, 0);
        check_agree(acl, 0xffffffffU);
        acl_destroy(acl);
    }
    CHECK(agree_checks > 100000);
}

TEST_LIST {
    T(default_deny), T(host_and_subnets), T(doc_example_order_independent),
    T(doc_example_allow_all), T(doc_example_same_table), T(whole_families), T(ipv6),
    T(odd_prefixes_ipv4), T(invalid_rules), T(any_allowed_after_denials),
    T(ipv4_table_agrees_with_tree),
};
TEST_MAIN
