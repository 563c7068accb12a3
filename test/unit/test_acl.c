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

TEST_LIST {
    T(default_deny), T(host_and_subnets), T(doc_example_order_independent),
    T(doc_example_allow_all), T(doc_example_same_table), T(whole_families), T(ipv6),
    T(odd_prefixes_ipv4), T(invalid_rules), T(any_allowed_after_denials),
};
TEST_MAIN
