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

/* Midnight UTC of NOW's day, for the hand computations below. */
#define MIDNIGHT ((time_t)1699920000)
#define DAY 86400
#define HOUR 3600

TEST(dates_and_times_in_utc)
{
    set_zone("UTC0");
    CHECK_INT(parse("16:30:05"), MIDNIGHT + 16 * HOUR + 30 * 60 + 5);   /* today */
    CHECK_INT(parse("16:30"), 1699979400);
    CHECK_INT(parse("4:30pm"), 1699979400);
    CHECK_INT(parse("4:30 PM"), 1699979400);
    CHECK_INT(parse("4:30 p.m."), 1699979400);
    CHECK_INT(parse("4pm"), MIDNIGHT + 16 * HOUR);
    CHECK_INT(parse("12:00 am"), MIDNIGHT);
    CHECK_INT(parse("12 pm"), MIDNIGHT + 12 * HOUR);
    CHECK_INT(parse("1630"), 1699979400);               /* a bare HHMM */
    CHECK_INT(parse("16"), MIDNIGHT + 16 * HOUR);       /* a bare HH */
    CHECK_INT(parse("Sep 25, 2015 16:30:05"), 1443198605);
    CHECK_INT(parse("25 Sep 2015 16:30:05"), 1443198605);
    CHECK_INT(parse("25 sep. 2015"), 1443139200);
    CHECK_INT(parse("2015-09-25 16:30:05"), 1443198605);
    CHECK_INT(parse("9/25/2015 16:30:05"), 1443198605);
    CHECK_INT(parse("9/25/15 16:30:05"), 1443198605);
    CHECK_INT(parse("2015/09/25"), 1443139200);         /* 4 digits first: Y/M/D */
    CHECK_INT(parse("20150925"), 1443139200);           /* a bare YYYYMMDD */
    CHECK_INT(parse("17-JUN-1992"), 708739200);
    CHECK_INT(parse("Fri Sep 25 16:30:05 2015"), 1443198605);  /* ctime() */
    CHECK_INT(parse("Thu, 25 Sep 2015 16:30:05 +0000"), 1443198605);
    CHECK_INT(parse("Sep 25 16:30:05"), 1695659405);    /* this year */
    CHECK_INT(parse("sept 25"), 1695600000);
    CHECK_INT(parse("2015-09-25"), 1443139200);         /* midnight */
    CHECK_INT(parse("16:30:05 UTC"), 1699979405);
    CHECK_INT(parse("16:30:05 +0100"), 1699975805);
    CHECK_INT(parse("1/2/70 0:0:1"), 86400 + 1);        /* two-digit years */
    CHECK_INT(parse("1/1/68 00:00:00"), 3092601600);        /* 2068 */
    CHECK_INT(parse("Jan 1, 1970 00:00:00 UTC"), 0);
    CHECK_INT(parse("(a comment (nested)) 16:30"), 1699979400);
    CHECK_INT(parse("16:30 (left open"), 1699979400);
}

/* What chrony's getdate does with odd input, checked against Debian's
 * chronyc 4.3: numbers are not range-checked (mktime() carries them over),
 * a lone number after a date is a time, then a year. */
TEST(chrony_quirks)
{
    set_zone("UTC0");
    CHECK_INT(parse(""), MIDNIGHT);                     /* nothing: midnight */
    CHECK_INT(parse("12:61"), MIDNIGHT + 13 * HOUR + 60);
    CHECK_INT(parse("13/1/2015"), 1451606400);          /* 2016-01-01 */
    CHECK_INT(parse("Sep 32, 2015"), 1443744000);       /* 2015-10-02 */
    /* 2015 is 20:15, then 1 the year 2001 */
    CHECK_INT(parse("Sep 25 2015 1"), 1001376000 + 20 * HOUR + 15 * 60);
    /* HH:MM +hhmm keeps the seconds of now (20) */
    CHECK_INT(parse("16:30 +0100"), MIDNIGHT + 15 * HOUR + 30 * 60 + 20);
    CHECK_INT(parse("16:30 +1"), MIDNIGHT + 16 * HOUR + 29 * 60 + 20);
    /* "next" and ordinals alone are hours */
    CHECK_INT(parse("next"), MIDNIGHT + 1 * HOUR);
    CHECK_INT(parse("third"), MIDNIGHT + 3 * HOUR);
    /* lone signs are skipped */
    CHECK_INT(parse("- 5 min"), NOW + 300);
    CHECK_INT(parse("5 - min"), NOW + 300);
}

TEST(zones)
{
    set_zone("UTC0");
    CHECK_INT(parse("16:30 cet"), MIDNIGHT + 15 * HOUR + 30 * 60);
    CHECK_INT(parse("16:30 CET DST"), MIDNIGHT + 14 * HOUR + 30 * 60);
    CHECK_INT(parse("16:30 mesz"), MIDNIGHT + 14 * HOUR + 30 * 60);
    CHECK_INT(parse("16:30 est"), MIDNIGHT + 21 * HOUR + 30 * 60);
    CHECK_INT(parse("16:30 edt"), MIDNIGHT + 20 * HOUR + 30 * 60);
    CHECK_INT(parse("16:30 e.s.t."), MIDNIGHT + 21 * HOUR + 30 * 60);
    CHECK_INT(parse("16:30 -0530"), MIDNIGHT + 22 * HOUR + 20);
    /* military letters, in get_date's (reversed) sense */
    CHECK_INT(parse("16:30 z"), MIDNIGHT + 16 * HOUR + 30 * 60);
    CHECK_INT(parse("16:30 a"), MIDNIGHT + 17 * HOUR + 30 * 60);
    CHECK_INT(parse("16:30 n"), MIDNIGHT + 15 * HOUR + 30 * 60);
    CHECK_INT(parse("16:30 y"), MIDNIGHT + 4 * HOUR + 30 * 60);
    CHECK_INT(parse("cet dst"), MIDNIGHT - 2 * HOUR);  /* midnight there */
}

TEST(relative_items)
{
    set_zone("UTC0");
    CHECK_INT(parse("now"), NOW);
    CHECK_INT(parse("today"), NOW);
    CHECK_INT(parse("this"), NOW);
    CHECK_INT(parse("+5 min"), NOW + 300);
    CHECK_INT(parse("-5 min"), NOW - 300);
    CHECK_INT(parse("5 minutes ago"), NOW - 300);
    CHECK_INT(parse("2 hours ago"), NOW - 2 * HOUR);
    CHECK_INT(parse("3 secs"), NOW + 3);
    CHECK_INT(parse("10 sec ago"), NOW - 10);
    CHECK_INT(parse("+90 seconds"), NOW + 90);
    CHECK_INT(parse("tomorrow"), NOW + DAY);
    CHECK_INT(parse("yesterday"), NOW - DAY);
    CHECK_INT(parse("-1 day"), NOW - DAY);
    CHECK_INT(parse("1 day 1 day 1 day"), NOW + 3 * DAY);
    /* "ago" turns round everything before it */
    CHECK_INT(parse("1 day 2 hours ago"), NOW - DAY - 2 * HOUR);
    CHECK_INT(parse("1 day ago 2 hours"), NOW - DAY + 2 * HOUR);
    CHECK_INT(parse("next week"), NOW + 7 * DAY);
    CHECK_INT(parse("last week"), NOW - 7 * DAY);
    CHECK_INT(parse("fortnight"), NOW + 14 * DAY);
    CHECK_INT(parse("2 fortnights ago"), NOW - 28 * DAY);
    CHECK_INT(parse("next month"), NOW + 30 * DAY);     /* Nov 14 -> Dec 14 */
    CHECK_INT(parse("last year"), NOW - 365 * DAY);
    CHECK_INT(parse("+1 year"), NOW + 366 * DAY);       /* over Feb 29, 2024 */
    CHECK_INT(parse("Jan 31 + 1 month"), 1677801600);   /* "Feb 31" is Mar 3 */
    /* with a time of day, relative days move the date */
    CHECK_INT(parse("tomorrow 10:00"), MIDNIGHT + DAY + 10 * HOUR);
    CHECK_INT(parse("10:00 tomorrow"), MIDNIGHT + DAY + 10 * HOUR);
}

TEST(weekdays)
{
    /* NOW is a Tuesday; a weekday is at midnight unless a time is given */
    set_zone("UTC0");
    CHECK_INT(parse("monday"), MIDNIGHT + 6 * DAY);
    CHECK_INT(parse("next monday"), MIDNIGHT + 6 * DAY); /* "next" is 1 */
    CHECK_INT(parse("2 monday"), MIDNIGHT + 13 * DAY);
    CHECK_INT(parse("0 monday"), MIDNIGHT + 6 * DAY);
    CHECK_INT(parse("last monday"), MIDNIGHT - DAY);
    CHECK_INT(parse("tue"), MIDNIGHT);                  /* today counts */
    CHECK_INT(parse("last tuesday"), MIDNIGHT - 7 * DAY);
    CHECK_INT(parse("thu"), MIDNIGHT + 2 * DAY);
    CHECK_INT(parse("wed,"), MIDNIGHT + DAY);
    CHECK_INT(parse("third friday"), MIDNIGHT + 17 * DAY);
    CHECK_INT(parse("tuesday 16:00"), MIDNIGHT + 16 * HOUR);
    CHECK_INT(parse("sunday, 10:00"), MIDNIGHT + 5 * DAY + 10 * HOUR);
}

TEST(local_time)
{
    /* a zone five hours west of UTC, without daylight saving */
    set_zone("EST5");
    CHECK_INT(parse("16:30:05"), 1699997405);
    CHECK_INT(parse("16:30:05 UTC"), 1699979405);
    CHECK_INT(parse("Sep 25, 2015 16:30:05"), 1443216605);
    CHECK_INT(parse(""), MIDNIGHT + 5 * HOUR);          /* NOW is 17:13 there */
    CHECK_INT(parse("tomorrow"), NOW + DAY);
    set_zone("UTC0");
}

TEST(daylight_saving)
{
    /* US Eastern with its rules: summer time from 2024-03-10 02:00 */
    set_zone("EST5EDT,M3.2.0,M11.1.0");
    time_t t;
    const time_t sat_noon = 1710003600;                 /* 2024-03-09 12:00 EST */
    const time_t sun_midnight_utc = 1710028800;         /* 2024-03-10 00:00 UTC */

    /* seconds, minutes and hours are elapsed time, so are tomorrow and
     * yesterday (minutes); days are calendar days at the same wall time */
    CHECK(getdate_parse("tomorrow", sat_noon, &t) && t == sat_noon + DAY);
    CHECK(getdate_parse("+24 hours", sat_noon, &t) && t == sat_noon + DAY);
    CHECK(getdate_parse("+1 day", sat_noon, &t) && t == sat_noon + DAY - HOUR);
    CHECK(getdate_parse("+1 day", sat_noon + DAY, &t) && t == sat_noon + 2 * DAY);
    CHECK(getdate_parse("16:30 UTC", sat_noon, &t) && t == sat_noon - 30 * 60);
    CHECK(getdate_parse("16:30 EDT", sat_noon, &t) && t == sun_midnight_utc - DAY + 20 * HOUR + 30 * 60);
    /* midnight is still EST; 2:30 does not exist that night: 3:30 EDT */
    CHECK(getdate_parse("sunday", sat_noon, &t) && t == sun_midnight_utc + 5 * HOUR);
    CHECK(getdate_parse("2:30 tomorrow", sat_noon, &t) &&
          t == sun_midnight_utc + 7 * HOUR + 30 * 60);
    CHECK(getdate_parse("last saturday", sat_noon, &t) &&
          t == sun_midnight_utc + 5 * HOUR - 8 * DAY);

    /* and back to EST on 2023-11-05 02:00 EDT */
    const time_t sat_noon_edt = 1699113600;             /* 2023-11-04 12:00 EDT */
    CHECK(getdate_parse("tomorrow", sat_noon_edt, &t) && t == sat_noon_edt + DAY);
    CHECK(getdate_parse("+1 day", sat_noon_edt, &t) && t == sat_noon_edt + DAY + HOUR);
    CHECK(getdate_parse("Nov 5, 2023 01:30 EST", sat_noon_edt, &t) && t == 1699165800);
    set_zone("UTC0");
}

TEST(bad_dates)
{
    static const char *const bad[] = {
        "foo", "25:00", "13:00 pm", "0 am", "Sep", "16:30:05.5", "16:30:05 16:30:06",
        "2015-09", "last", "ago", "dst", "mon tue", "-1 monday", "noon", "yesterday noon",
        /* a month, a day and a year need the comma: the year is read as a
         * time, and the one after it is a second time */
        "Sep 25 2015 16:30:05", "September 25 2015 16:30:05",
        /* after "25 Sep" a number is the year, and ':' cannot follow */
        "25 Sep 16:30", "sept. 25", "16:30 j", "16:30 cest", "2015-09-25T16:30:05Z",
        "UTC UTC", "+5", "5 min ago ago",
        /* the one instant get_date cannot return */
        "Dec 31, 1969 23:59:59 UTC",
        /* beyond int: chrony wraps around, we refuse */
        "99999999999999999 sec",
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
    T(chrony_quirks),
    T(zones),
    T(relative_items),
    T(weekdays),
    T(local_time),
    T(daylight_saving),
    T(bad_dates),
    T(names_and_refids),
};
TEST_MAIN
