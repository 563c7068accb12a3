#include "harness.h"
#include "common/addr.h"
#include "common/md5.h"

TEST(parse_and_format)
{
    addr_ip ip;
    char buf[ADDR_STR_MAX];
    CHECK(addr_parse("192.168.1.10", &ip));
    CHECK_INT(ip.family, ADDR_INET4);
    CHECK_INT(ip.a.in4, 0xc0a8010a);
    CHECK_STR(addr_format(&ip, buf, sizeof buf), "192.168.1.10");
    CHECK(addr_parse("2001:db8::1", &ip));
    CHECK_INT(ip.family, ADDR_INET6);
    CHECK_STR(addr_format(&ip, buf, sizeof buf), "2001:db8::1");
    CHECK(!addr_parse("pool.ntp.org", &ip));
    CHECK(!addr_parse("1.2.3.256", &ip));
}

TEST(subnets)
{
    addr_subnet net;
    addr_ip ip;
    CHECK(addr_parse("10.1.0.0", &net.ip));
    net.bits = 16;
    CHECK(addr_parse("10.1.200.3", &ip));
    CHECK(addr_in_subnet(&ip, &net));
    CHECK(addr_parse("10.2.0.1", &ip));
    CHECK(!addr_in_subnet(&ip, &net));
    CHECK(addr_parse("::1", &ip));
    CHECK(!addr_in_subnet(&ip, &net));
    CHECK(addr_is_loopback(&ip));
    net.ip.family = ADDR_UNSPEC;
    net.bits = 0;
    CHECK(addr_in_subnet(&ip, &net));
}

TEST(md5_known_vectors)
{
    uint8_t d[16];
    md5_compute("", 0, d);
    CHECK_INT(d[0], 0xd4); CHECK_INT(d[15], 0x7e);
    md5_compute("abc", 3, d);
    CHECK_INT(d[0], 0x90); CHECK_INT(d[1], 0x01); CHECK_INT(d[15], 0x72);
}

TEST(refid)
{
    addr_ip ip;
    CHECK(addr_parse("127.0.0.1", &ip));
    CHECK_INT(addr_refid(&ip), 0x7f000001);
    CHECK(addr_parse("::1", &ip));
    CHECK(addr_refid(&ip) != 0);
}

TEST_LIST { T(parse_and_format), T(subnets), T(md5_known_vectors), T(refid) };
TEST_MAIN
