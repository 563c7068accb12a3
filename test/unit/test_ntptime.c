#include "harness.h"
#include "common/ntptime.h"

#include <stdint.h>

/* Unix times of the NTP era landmarks. */
#define UNIX_1968_BIT31 (-61505152LL)     /* 1968-01-20 03:14:08: NTP seconds reach 2^31 */
#define UNIX_2036_ROLLOVER 2085978496LL   /* 2036-02-07 06:28:16: NTP seconds wrap to 0 */
#define UNIX_2104_BIT31 4233462144LL      /* 2104-02-26 09:42:24: era 1 reaches 2^31 */

static struct timespec ts(long long sec, long nsec)
{
    struct timespec t;
    t.tv_sec = (time_t)sec;
    t.tv_nsec = nsec;
    return t;
}

static const ntptime_ts64 no_fuzz = { 0, 0 };

TEST(normalise_carries)
{
    struct timespec t = ts(10, 2500000000L);
    ntptime_normalise(&t);
    CHECK_INT(t.tv_sec, 12); CHECK_INT(t.tv_nsec, 500000000);
    t = ts(10, -1);
    ntptime_normalise(&t);
    CHECK_INT(t.tv_sec, 9); CHECK_INT(t.tv_nsec, 999999999);
    t = ts(0, -2000000001L);
    ntptime_normalise(&t);
    CHECK_INT(t.tv_sec, -3); CHECK_INT(t.tv_nsec, 999999999);
    t = ts(5, 1000000000L);
    ntptime_normalise(&t);
    CHECK_INT(t.tv_sec, 6); CHECK_INT(t.tv_nsec, 0);
}

TEST(add_sub_diff)
{
    struct timespec r = ntptime_add(ts(1, 999999999), ts(0, 1));
    CHECK_INT(r.tv_sec, 2); CHECK_INT(r.tv_nsec, 0);
    r = ntptime_sub(ts(2, 0), ts(0, 1));
    CHECK_INT(r.tv_sec, 1); CHECK_INT(r.tv_nsec, 999999999);
    r = ntptime_sub(ts(1, 0), ts(2, 500000000));
    CHECK_INT(r.tv_sec, -2); CHECK_INT(r.tv_nsec, 500000000);
    CHECK_NEAR(ntptime_to_double(r), -1.5, 1e-12);
    CHECK_NEAR(ntptime_diff(ts(1, 0), ts(2, 500000000)), -1.5, 1e-12);
    /* nanoseconds survive large second values */
    CHECK_NEAR(ntptime_diff(ts(1700000000, 1), ts(1700000000, 0)), 1e-9, 1e-15);
    CHECK_NEAR(ntptime_diff(ts(1700000001, 0), ts(1700000000, 999999999)), 1e-9, 1e-15);
}

TEST(double_conversions)
{
    struct timespec r = ntptime_from_double(-1.5);
    CHECK_INT(r.tv_sec, -2); CHECK_INT(r.tv_nsec, 500000000);
    r = ntptime_from_double(2.9999999996);     /* rounds up across the second */
    CHECK_INT(r.tv_sec, 3); CHECK_INT(r.tv_nsec, 0);
    r = ntptime_from_double(1e-9);
    CHECK_INT(r.tv_sec, 0); CHECK_INT(r.tv_nsec, 1);
    r = ntptime_from_double(-1e-9);
    CHECK_INT(r.tv_sec, -1); CHECK_INT(r.tv_nsec, 999999999);
    r = ntptime_add_double(ts(100, 900000000), 0.2);
    CHECK_INT(r.tv_sec, 101); CHECK_INT(r.tv_nsec, 100000000);
    r = ntptime_add_double(ts(100, 100000000), -0.2);
    CHECK_INT(r.tv_sec, 99); CHECK_INT(r.tv_nsec, 900000000);
    r = ntptime_from_double(0.0 / 0.0);
    CHECK(ntptime_is_zero(r));
}

TEST(compare)
{
    CHECK_INT(ntptime_compare(ts(1, 0), ts(1, 0)), 0);
    CHECK_INT(ntptime_compare(ts(1, 0), ts(1, 1)), -1);
    CHECK_INT(ntptime_compare(ts(2, 0), ts(1, 999999999)), 1);
    CHECK_INT(ntptime_compare(ts(-1, 0), ts(0, 0)), -1);
    CHECK(ntptime_is_zero(ntptime_zero()));
    CHECK(!ntptime_is_zero(ts(0, 1)));
}

TEST(ts64_known_values)
{
    /* 1970-01-01 00:00:00.5 */
    ntptime_ts64 t = ntptime_to_ts64(ts(0, 500000000), no_fuzz);
    CHECK_INT(t.hi, 0x83aa7e80u); CHECK_INT(t.lo, 0x80000000u);
    /* 2000-01-01 00:00:00.25 (Unix 946684800) */
    t = ntptime_to_ts64(ts(946684800, 250000000), no_fuzz);
    CHECK_INT(t.hi, 3155673600u); CHECK_INT(t.lo, 0x40000000u);
    /* zero means unknown, both ways */
    t = ntptime_to_ts64(ts(0, 0), no_fuzz);
    CHECK(ntptime_ts64_is_zero(t));
    struct timespec r = ntptime_from_ts64(t, NTPTIME_DEFAULT_ERA_START);
    CHECK(ntptime_is_zero(r));
    /* wire order is big-endian */
    uint8_t b[8];
    t.hi = 0x01020304; t.lo = 0xa0b0c0d0;
    ntptime_ts64_write(b, t);
    CHECK_INT(b[0], 1); CHECK_INT(b[3], 4); CHECK_INT(b[4], 0xa0); CHECK_INT(b[7], 0xd0);
    ntptime_ts64 back = ntptime_ts64_read(b);
    CHECK(ntptime_ts64_equal(back, t));
}

TEST(ts64_rounding)
{
    /* 1 ns is 4.29 fraction units: rounds to 4, and back to 1 ns */
    ntptime_ts64 t = ntptime_to_ts64(ts(1000, 1), no_fuzz);
    CHECK_INT(t.lo, 4);
    struct timespec r = ntptime_from_ts64(t, NTPTIME_DEFAULT_ERA_START - 2000000000LL);
    CHECK_INT(r.tv_sec, 1000); CHECK_INT(r.tv_nsec, 1);
    /* largest nanosecond value does not overflow the fraction */
    t = ntptime_to_ts64(ts(1000, 999999999), no_fuzz);
    CHECK_INT(t.lo, 4294967292u);
    /* the largest fraction rounds to the next whole second */
    t.hi = (uint32_t)(1700000000 + NTPTIME_JAN_1970); t.lo = 0xffffffffu;
    r = ntptime_from_ts64(t, NTPTIME_DEFAULT_ERA_START);
    CHECK_INT(r.tv_sec, 1700000001); CHECK_INT(r.tv_nsec, 0);
    /* every nanosecond survives a round trip (sampled across the range) */
    int bad = 0;
    for (long ns = 0; ns < NTPTIME_NSEC_PER_SEC; ns += 997) {
        struct timespec in = ts(1700000000, ns);
        r = ntptime_from_ts64(ntptime_to_ts64(in, no_fuzz), NTPTIME_DEFAULT_ERA_START);
        if (r.tv_sec != in.tv_sec || r.tv_nsec != in.tv_nsec)
            bad++;
    }
    CHECK_INT(bad, 0);
    /* unnormalised input is normalised first */
    t = ntptime_to_ts64(ts(999, 1500000000L), no_fuzz);
    CHECK_INT(t.hi, (uint32_t)(1000 + NTPTIME_JAN_1970)); CHECK_INT(t.lo, 0x80000000u);
}

TEST(era_2036_rollover)
{
    /* half a second before and after the NTP seconds field wraps */
    ntptime_ts64 before = ntptime_to_ts64(ts(UNIX_2036_ROLLOVER - 1, 500000000), no_fuzz);
    ntptime_ts64 after = ntptime_to_ts64(ts(UNIX_2036_ROLLOVER, 500000000), no_fuzz);
    CHECK_INT(before.hi, 0xffffffffu); CHECK_INT(before.lo, 0x80000000u);
    CHECK_INT(after.hi, 0); CHECK_INT(after.lo, 0x80000000u);
    CHECK(!ntptime_ts64_is_zero(after));
    /* the default window (1974..2110) decodes both sides correctly */
    struct timespec r = ntptime_from_ts64(before, NTPTIME_DEFAULT_ERA_START);
    CHECK_INT(r.tv_sec, UNIX_2036_ROLLOVER - 1); CHECK_INT(r.tv_nsec, 500000000);
    r = ntptime_from_ts64(after, NTPTIME_DEFAULT_ERA_START);
    CHECK_INT(r.tv_sec, UNIX_2036_ROLLOVER); CHECK_INT(r.tv_nsec, 500000000);
    /* and so does the nearest-era rule around the rollover */
    r = ntptime_from_ts64_near(after, ts(UNIX_2036_ROLLOVER - 100, 0));
    CHECK_INT(r.tv_sec, UNIX_2036_ROLLOVER);
    r = ntptime_from_ts64_near(before, ts(UNIX_2036_ROLLOVER + 100, 0));
    CHECK_INT(r.tv_sec, UNIX_2036_ROLLOVER - 1);
    /* the difference across the wrap is small and signed */
    CHECK_NEAR(ntptime_ts64_diff(after, before), 1.0, 1e-9);
    CHECK_NEAR(ntptime_ts64_diff(before, after), -1.0, 1e-9);
    CHECK_INT(ntptime_ts64_compare(after, before), 1);
    CHECK_INT(ntptime_ts64_compare(before, after), -1);
    CHECK_INT(ntptime_ts64_compare(after, after), 0);
    /* exactly at the wrap the timestamp is all zero: "unknown", as in chrony */
    CHECK(ntptime_ts64_is_zero(ntptime_to_ts64(ts(UNIX_2036_ROLLOVER, 0), no_fuzz)));
}

TEST(era_1968_and_2104)
{
    ntptime_ts64 t1968 = ntptime_to_ts64(ts(UNIX_1968_BIT31, 0), no_fuzz);
    CHECK_INT(t1968.hi, 0x80000000u);
    /* near 1970 it is 1968 (negative Unix time) */
    struct timespec r = ntptime_from_ts64_near(t1968, ts(0, 0));
    CHECK_INT(r.tv_sec, UNIX_1968_BIT31);
    /* with the default window (from 1974) the same bits mean 2104 */
    r = ntptime_from_ts64(t1968, NTPTIME_DEFAULT_ERA_START);
    CHECK_INT(r.tv_sec, UNIX_2104_BIT31);
    CHECK_INT(UNIX_2104_BIT31 - UNIX_1968_BIT31, NTPTIME_ERA_SECONDS);
    /* a 2104 date encodes to the same bits and decodes near 2100 */
    ntptime_ts64 t2104 = ntptime_to_ts64(ts(UNIX_2104_BIT31, 0), no_fuzz);
    CHECK(ntptime_ts64_equal(t1968, t2104));
    r = ntptime_from_ts64_near(t2104, ts(UNIX_2104_BIT31 - 86400LL * 365 * 4, 0));
    CHECK_INT(r.tv_sec, UNIX_2104_BIT31);
    /* window edges: era_start itself and one second before it */
    r = ntptime_from_ts64(ntptime_to_ts64(ts(NTPTIME_DEFAULT_ERA_START, 1), no_fuzz),
                          NTPTIME_DEFAULT_ERA_START);
    CHECK_INT(r.tv_sec, NTPTIME_DEFAULT_ERA_START);
    r = ntptime_from_ts64(ntptime_to_ts64(ts(NTPTIME_DEFAULT_ERA_START - 1, 1), no_fuzz),
                          NTPTIME_DEFAULT_ERA_START);
    CHECK_INT(r.tv_sec, NTPTIME_DEFAULT_ERA_START - 1 + NTPTIME_ERA_SECONDS);
    /* nearest era: a date 60 years from the reference decodes right,
     * one 70 years away lands in the other era */
    r = ntptime_from_ts64_near(ntptime_to_ts64(ts(1700000000LL + 60LL * 31557600, 0), no_fuzz),
                               ts(1700000000, 0));
    CHECK_INT(r.tv_sec, 1700000000LL + 60LL * 31557600);
    r = ntptime_from_ts64_near(ntptime_to_ts64(ts(1700000000LL + 70LL * 31557600, 0), no_fuzz),
                               ts(1700000000, 0));
    CHECK_INT(r.tv_sec, 1700000000LL + 70LL * 31557600 - NTPTIME_ERA_SECONDS);
}

TEST(fuzz_bits)
{
    ntptime_ts64 f = ntptime_fuzz(-20, ~(uint64_t)0);
    CHECK_INT(f.hi, 0); CHECK_INT(f.lo, 0xfffu);      /* 12 bits below 2^-20 s */
    f = ntptime_fuzz(-32, ~(uint64_t)0);
    CHECK(ntptime_ts64_is_zero(f));
    f = ntptime_fuzz(0, ~(uint64_t)0);
    CHECK_INT(f.hi, 0); CHECK_INT(f.lo, 0xffffffffu);
    f = ntptime_fuzz(32, 0x123456789abcdef0ULL);      /* everything random */
    CHECK_INT(f.hi, 0x12345678u); CHECK_INT(f.lo, 0x9abcdef0u);
    f = ntptime_fuzz(40, 5);                          /* clamped */
    CHECK_INT(f.lo, 5);
    /* fuzz is XORed into real timestamps but never into "unknown" */
    ntptime_ts64 fz = ntptime_fuzz(-20, 0x5);
    ntptime_ts64 t = ntptime_to_ts64(ts(1000, 0), fz);
    CHECK_INT(t.lo, 5);
    t = ntptime_to_ts64(ts(0, 0), fz);
    CHECK(ntptime_ts64_is_zero(t));
}

TEST(interval_ts64)
{
    ntptime_ts64 t = ntptime_double_to_ts64(1.5);
    CHECK_INT(t.hi, 1); CHECK_INT(t.lo, 0x80000000u);
    t = ntptime_double_to_ts64(-0.5);
    CHECK_INT(t.hi, 0xffffffffu); CHECK_INT(t.lo, 0x80000000u);
    CHECK_NEAR(ntptime_ts64_to_double(t), -0.5, 1e-12);
    CHECK_NEAR(ntptime_ts64_to_double(ntptime_double_to_ts64(123.456789)), 123.456789, 1e-9);
    CHECK_INT(ntptime_ts64_to_u64(ntptime_ts64_from_u64(0x0102030405060708ULL)),
              0x0102030405060708LL);
}

TEST(short_format)
{
    CHECK_INT(ntptime_double_to_short(1.0), 0x10000);
    CHECK_INT(ntptime_double_to_short(0.5), 0x8000);
    CHECK_INT(ntptime_double_to_short(0.0), 0);
    CHECK_INT(ntptime_double_to_short(-3.0), 0);
    CHECK_INT(ntptime_double_to_short(0.0 / 0.0), 0);
    /* never understated: tiny values round up to one unit */
    CHECK_INT(ntptime_double_to_short(1e-9), 1);
    CHECK_INT(ntptime_double_to_short(1.0 + 1e-9), 0x10001);
    CHECK_INT(ntptime_double_to_short(65536.0), 0xffffffffu);
    CHECK_INT(ntptime_double_to_short(1e30), 0xffffffffu);
    CHECK_NEAR(ntptime_short_to_double(0x8000), 0.5, 0);
    CHECK_NEAR(ntptime_short_to_double(0xffffffffu), 65535.9999847, 1e-6);
    /* round trip never decreases */
    CHECK(ntptime_short_to_double(ntptime_double_to_short(0.0123)) >= 0.0123);
    CHECK_NEAR(ntptime_short_to_double(ntptime_double_to_short(0.0123)), 0.0123, 1.0 / 65536);
}

TEST(log2_helpers)
{
    CHECK_NEAR(ntptime_log2_to_double(0), 1.0, 0);
    CHECK_NEAR(ntptime_log2_to_double(6), 64.0, 0);
    CHECK_NEAR(ntptime_log2_to_double(-6), 1.0 / 64, 0);
    CHECK_NEAR(ntptime_log2_to_double(40), 2147483648.0, 0);
    CHECK_NEAR(ntptime_log2_to_double(-40), 1.0 / 2147483648.0, 0);
    CHECK_INT(ntptime_double_to_log2(64.0), 6);
    CHECK_INT(ntptime_double_to_log2(0.01), -7);
    CHECK_INT(ntptime_double_to_log2(1e-7), -23);
    CHECK_INT(ntptime_double_to_log2(0.0), -31);
    CHECK_INT(ntptime_double_to_log2(1e20), 31);
}

TEST_LIST {
    T(normalise_carries), T(add_sub_diff), T(double_conversions), T(compare),
    T(ts64_known_values), T(ts64_rounding), T(era_2036_rollover), T(era_1968_and_2104),
    T(fuzz_bits), T(interval_ts64), T(short_format), T(log2_helpers),
};
TEST_MAIN
