/* Unit tests of settime's date parsing and chronyc's name helpers. */
#include "harness.h"

#include <stdlib.h>
#include <time.h>

#include "chronyc/getdate.h"
#include "chronyc/names.h"

/* 2023-11-14 22:13:20 UTC, a Tuesday */
#define NOW ((time_t)1700000000)

static void set_zone(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static time_t parse(const char *text)
{
    time_t t;
    return getdate_parse(text, NOW, &t) ? t : (time_t)-1;
}

TEST(dates_and_times_in_utc)
{
    set_zone("UTC0");
    CHECK_INT(parse("16:30:05"), 1699979405);           /* today */
    CHECK_INT(parse("16:30"), 1699979400);
    CHECK_INT(parse("4:30pm"), 1699979400);
    CHECK_INT(parse("4:30 PM"), 1699979400);
    CHECK_INT(parse("12:00 am"), 1699920000);
    CHECK_INT(parse("Sep 25, 2015 16:30:05"), 1443198605);
    CHECK_INT(parse("September 25 2015 16:30:05"), 1443198605);
    CHECK_INT(parse("25 Sep 2015 16:30:05"), 1443198605);
    CHECK_INT(parse("2015-09-25 16:30:05"), 1443198605);
    CHECK_INT(parse("9/25/2015 16:30:05"), 1443198605);
    CHECK_INT(parse("9/25/15 16:30:05"), 1443198605);
    CHECK_INT(parse("Fri Sep 25 16:30:05 2015"), 1443198605);
    CHECK_INT(parse("Sep 25 16:30:05"), 1695659405);    /* this year */
    CHECK_INT(parse("2015-09-25"), 1443139200);         /* midnight */
    CHECK_INT(parse("now"), NOW);
    CHECK_INT(parse(""), NOW);
    CHECK_INT(parse("16:30:05 UTC"), 1699979405);
    CHECK_INT(parse("16:30:05 +0100"), 1699975805);
    CHECK_INT(parse("1/2/70 0:0:1"), 86400 + 1);        /* two-digit years */
    CHECK_INT(parse("1/1/68 00:00:00"), 3092601600);        /* 2068 */
}

TEST(local_time)
{
    /* a zone five hours west of UTC, without daylight saving */
    set_zone("EST5");
    CHECK_INT(parse("16:30:05"), 1699997405);
    CHECK_INT(parse("16:30:05 UTC"), 1699979405);
    CHECK_INT(parse("Sep 25, 2015 16:30:05"), 1443216605);
    set_zone("UTC0");
}

TEST(bad_dates)
{
    static const char *const bad[] = {
        "foo", "25:00", "12:61", "13:00 pm", "Sep", "Sep 32, 2015", "13/1/2015",
        "16:30:05 16:30:06", "2015-09", "Sep 25 2015 1", "16:30 +1",
    };
    set_zone("UTC0");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        time_t t;
        if (getdate_parse(bad[i], NOW, &t))
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
        CHECK(!getdate_parse(bad[i], NOW, &t));
    }
}

TEST(names_and_refids)
{
    char buf[64];
    names_refid_string(0x47505300, buf, sizeof buf);
    CHECK_STR(buf, "GPS");
    names_refid_string(0x7f7f0101, buf, sizeof buf);
    CHECK_STR(buf, "");
    names_refid_string(0x4c4f434c, buf, sizeof buf);
    CHECK_STR(buf, "LOCL");

    uint32_t refid;
    CHECK(names_parse_refid("PPS", &refid));
    CHECK_INT(refid, 0x50505300);
    CHECK(names_parse_refid("ABCD", &refid));
    CHECK_INT(refid, 0x41424344);
    CHECK(!names_parse_refid("ABCDE", &refid));
    CHECK(!names_parse_refid("", &refid));

    addr_ip ip;
    CHECK(names_parse_id("ID#0000000012", &ip));
    CHECK_INT(ip.family, ADDR_ID);
    CHECK_INT(ip.a.id, 12);
    CHECK(!names_parse_id("id#12", &ip));
    CHECK(!names_parse_id("ID#", &ip));
    CHECK_STR(names_format_ip(&ip, buf, sizeof buf), "ID#0000000012");
    ip.family = ADDR_UNSPEC;
    CHECK_STR(names_format_ip(&ip, buf, sizeof buf), "[UNSPEC]");
    ip.family = 9;
    CHECK_STR(names_format_ip(&ip, buf, sizeof buf), "[UNKNOWN]");

    /* numeric addresses never reach the resolver; the family is checked */
    addr_ip out[2];
    CHECK_INT(names_resolve("127.0.0.1", ADDR_UNSPEC, out, 2), 1);
    CHECK_INT(names_resolve("127.0.0.1", ADDR_INET6, out, 2), 0);
    CHECK_INT(names_resolve("::1", ADDR_INET6, out, 2), 1);
    CHECK(names_parse_source("ID#3", ADDR_UNSPEC, &ip));
    CHECK_INT(ip.family, ADDR_ID);

    /* a reverse lookup of something that is not an IP address is its text */
    ip.family = ADDR_UNSPEC;
    names_reverse(&ip, buf, sizeof buf);
    CHECK_STR(buf, "[UNSPEC]");
}

TEST_LIST {
    T(dates_and_times_in_utc),
    T(local_time),
    T(bad_dates),
    T(names_and_refids),
};
TEST_MAIN
