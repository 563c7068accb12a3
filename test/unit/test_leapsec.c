/* Unit tests of core/leapsec: the days that can end with a leap second,
 * the leap-seconds.list format (lookups before, on and after a leap day,
 * TAI-UTC, deleted seconds, expiry, malformed files), chrony's database
 * check, and the decisions: sources' vote against the database, the day
 * boundary, when to act in each leapsecmode, what is announced, the window
 * around the leap second in which nothing changes. */
#include "core/leapsec.h"

#include <string.h>

#include "harness.h"
#include "ntp_wire.h"

/* 2016-12-31 00:00:00 UTC and the midnight ending it (a leap second). */
#define DEC31_2016 1483142400
#define JAN01_2017 1483228800
#define NOON (12 * 3600)

/* A leap-seconds.list like the IERS one (the tail of it), with comments. */
static const char *const LIST[] = {
    "#\tUpdated through IERS Bulletin C\n",
    "#\n",
    "#$\t 3676924800\n",
    "#@\t3707596800\n",
    "\n",
    "2272060800\t10\t# 1 Jan 1972\n",
    "2287785600\t11\t# 1 Jul 1972\n",
    "3439756800\t34\t# 1 Jan 2009\n",
    "3550089600\t35\t# 1 Jul 2012\n",
    "3644697600\t36\t# 1 Jul 2015\n",
    "3692217600\t37\t# 1 Jan 2017\n",
    "#h\t5101a5d7 a1c5e3e1 ...\n",
    NULL,
};

/* Runs the scan over lines; returns leapsec_list_end's verdict. */
static bool scan(const char *const *lines, time_t when, int *leap, int *tai, bool *expired)
{
    struct leapsec_list_scan s;
    leapsec_list_begin(&s, when);
    bool lines_ok = true;
    for (int i = 0; lines[i]; i++)
        if (!leapsec_list_line(&s, lines[i]))
            lines_ok = false;
    bool ok = leapsec_list_end(&s, leap, tai, expired);
    CHECK(lines_ok || !ok);
    return ok;
}

TEST(leap_days)
{
    CHECK(leapsec_is_leap_day(DEC31_2016));
    CHECK(leapsec_is_leap_day(DEC31_2016 + NOON));
    CHECK(leapsec_is_leap_day(JAN01_2017 - 1));          /* 23:59:59 */
    CHECK(!leapsec_is_leap_day(JAN01_2017));             /* 00:00:00 next year */
    CHECK(!leapsec_is_leap_day(DEC31_2016 - 1));         /* Dec 30, 23:59:59 */
    CHECK(leapsec_is_leap_day(1435622400 + 3600));       /* 2015-06-30 01:00 */
    CHECK(!leapsec_is_leap_day(1435708800));             /* 2015-07-01 */
    CHECK(!leapsec_is_leap_day(1456704000));             /* 2016-02-29 */
    CHECK(leapsec_is_leap_day(-1));                      /* 1969-12-31 23:59:59 */
    CHECK_INT(leapsec_next_midnight(JAN01_2017 - 1), JAN01_2017);
    CHECK_INT(leapsec_next_midnight(JAN01_2017), JAN01_2017 + LEAPSEC_SECONDS_PER_DAY);
    CHECK_INT(leapsec_next_midnight(-1), 0);
}

TEST(list_lookups)
{
    int leap, tai;
    bool expired;
    CHECK(scan(LIST, DEC31_2016 + NOON, &leap, &tai, &expired));
    CHECK_INT(leap, NTP_LEAP_INSERT);
    CHECK_INT(tai, 36);                                  /* still 36 that day */
    CHECK(!expired);
    CHECK(scan(LIST, DEC31_2016, &leap, &tai, &expired));   /* the day's first second */
    CHECK_INT(leap, NTP_LEAP_INSERT);
    CHECK(scan(LIST, JAN01_2017, &leap, &tai, &expired));   /* the day after */
    CHECK_INT(leap, NTP_LEAP_NORMAL);
    CHECK_INT(tai, 37);
    CHECK(scan(LIST, DEC31_2016 - 1, &leap, &tai, &expired));   /* the day before */
    CHECK_INT(leap, NTP_LEAP_NORMAL);
    CHECK_INT(tai, 36);
    CHECK(scan(LIST, 1341014400, &leap, &tai, &expired));  /* 2012-06-30 */
    CHECK_INT(leap, NTP_LEAP_INSERT);
    CHECK_INT(tai, 34);
    CHECK(scan(LIST, 63072000 - NOON, &leap, &tai, &expired));   /* 1971-12-31: no leap */
    CHECK_INT(leap, NTP_LEAP_NORMAL);
    CHECK_INT(tai, 10);                                  /* the list's start */
    CHECK(scan(LIST, 15638400, &leap, &tai, &expired));  /* 1970-06-30 */
    CHECK_INT(leap, NTP_LEAP_NORMAL);
    CHECK_INT(tai, 0);                                   /* before it: unknown */
    /* 2017-06-30 is after the expiry (2017-06-28) */
    CHECK(scan(LIST, 1498780800, &leap, &tai, &expired));
    CHECK(expired);
    CHECK_INT(leap, NTP_LEAP_NORMAL);
    CHECK_INT(tai, 37);
}

TEST(list_deleted_second)
{
    /* a (hypothetical) deleted second at the end of 2016-12-31 */
    const char *const lines[] = {
        "#$ 3676924800\n", "#@ 3707596800\n",
        "3644697600 36\n", "3692217600 35\n", NULL,
    };
    int leap, tai;
    bool expired;
    CHECK(scan(lines, DEC31_2016 + NOON, &leap, &tai, &expired));
    CHECK_INT(leap, NTP_LEAP_DELETE);
    CHECK_INT(tai, 36);
}

TEST(list_malformed)
{
    int leap, tai;
    bool expired;
    const char *const no_expiry[] = { "#$ 3676924800\n", "3692217600 37\n", NULL };
    CHECK(!scan(no_expiry, DEC31_2016, &leap, &tai, &expired));
    const char *const no_update[] = { "#@ 3707596800\n", "3692217600 37\n", NULL };
    CHECK(!scan(no_update, DEC31_2016, &leap, &tai, &expired));
    const char *const bad_entry[] = {
        "#$ 3676924800\n", "#@ 3707596800\n", "3692217600\n", NULL,
    };
    CHECK(!scan(bad_entry, DEC31_2016, &leap, &tai, &expired));
    const char *const bad_expiry[] = { "#$ 3676924800\n", "#@ soon\n", NULL };
    CHECK(!scan(bad_expiry, DEC31_2016, &leap, &tai, &expired));
    CHECK_INT(leap, NTP_LEAP_NORMAL);
    CHECK_INT(tai, 0);
}

static int list_lookup(void *ctx, time_t when, int *tai)
{
    int leap;
    bool expired;
    if (!scan(ctx, when, &leap, &tai[0], &expired))
        return NTP_LEAP_NORMAL;
    return leap;
}

TEST(database_check)
{
    CHECK(leapsec_check_database(list_lookup, (void *)LIST));
    /* a list without the 2012 leap second fails */
    const char *const missing[] = {
        "#$ 3676924800\n", "#@ 3707596800\n",
        "3439756800 34\n", "3644697600 36\n", "3692217600 37\n", NULL,
    };
    CHECK(!leapsec_check_database(list_lookup, (void *)missing));
}

static const struct leapsec_db_answer DB_INSERT = { true, NTP_LEAP_INSERT, 36 };
static const struct leapsec_db_answer DB_NORMAL = { true, NTP_LEAP_NORMAL, 36 };

TEST(database_fills_in)
{
    struct leapsec ls;
    bool replan;
    struct timespec at;
    leapsec_init(&ls, LEAPSEC_SYSTEM);
    CHECK_INT(leapsec_announced(&ls), NTP_LEAP_UNSYNC);
    CHECK(!leapsec_start_time(&ls, &at));

    /* the sources say nothing, the database says insert: armed */
    CHECK(leapsec_update(&ls, NTP_LEAP_NORMAL, DEC31_2016 + NOON, &DB_INSERT, false, false,
                         &replan));
    CHECK(replan);
    CHECK_INT(ls.leap_sec, 1);
    CHECK_INT(ls.tai_offset, 36);
    CHECK_INT(leapsec_announced(&ls), NTP_LEAP_INSERT);
    /* system: half a second before the kernel's leap second */
    CHECK(leapsec_start_time(&ls, &at));
    CHECK_INT(at.tv_sec, JAN01_2017 - 1);
    CHECK_INT(at.tv_nsec, 500000000);

    /* the same again: nothing to do */
    CHECK(!leapsec_update(&ls, NTP_LEAP_NORMAL, DEC31_2016 + NOON + 64, &DB_INSERT, false,
                          false, &replan));
    CHECK(!replan);
    /* ... unless the clock was stepped */
    CHECK(!leapsec_update(&ls, NTP_LEAP_NORMAL, DEC31_2016 + NOON + 64, &DB_INSERT, false,
                          true, &replan));
    CHECK(replan);

    /* no database: the sources' vote alone */
    leapsec_init(&ls, LEAPSEC_STEP);
    CHECK(!leapsec_update(&ls, NTP_LEAP_NORMAL, DEC31_2016 + NOON, NULL, false, false,
                          &replan));
    CHECK_INT(ls.leap_sec, 0);
    CHECK_INT(leapsec_announced(&ls), NTP_LEAP_NORMAL);
}

TEST(sources_vote_wins)
{
    struct leapsec ls;
    bool replan;
    struct timespec at;
    /* a majority of the sources announces a second the database lacks */
    leapsec_init(&ls, LEAPSEC_STEP);
    CHECK(leapsec_update(&ls, NTP_LEAP_INSERT, DEC31_2016 + NOON, &DB_NORMAL, false, false,
                         &replan));
    CHECK_INT(ls.leap_sec, 1);
    CHECK(leapsec_start_time(&ls, &at));
    CHECK_INT(at.tv_sec, JAN01_2017);                    /* step: at midnight */
    CHECK_INT(at.tv_nsec, 0);
    /* a deleted second: 23:59:59 itself */
    CHECK(leapsec_update(&ls, NTP_LEAP_DELETE, DEC31_2016 + NOON, &DB_NORMAL, false, false,
                         &replan));
    CHECK_INT(ls.leap_sec, -1);
    CHECK_INT(leapsec_announced(&ls), NTP_LEAP_DELETE);
    CHECK(leapsec_start_time(&ls, &at));
    CHECK_INT(at.tv_sec, JAN01_2017 - 1);
}

TEST(only_on_leap_days)
{
    struct leapsec ls;
    bool replan;
    leapsec_init(&ls, LEAPSEC_SLEW);
    /* announced on December 30: not today, announced as normal */
    CHECK(!leapsec_update(&ls, NTP_LEAP_INSERT, DEC31_2016 - NOON, NULL, false, false,
                          &replan));
    CHECK_INT(ls.leap_sec, 0);
    CHECK_INT(leapsec_announced(&ls), NTP_LEAP_NORMAL);
    /* at 00:00:00 of the leap day it counts */
    CHECK(leapsec_update(&ls, NTP_LEAP_INSERT, DEC31_2016, NULL, false, false, &replan));
    CHECK_INT(ls.leap_sec, 1);
    CHECK_INT(ls.when, JAN01_2017);
    /* ... and at 00:00:00 of the next day no longer */
    CHECK(leapsec_update(&ls, NTP_LEAP_INSERT, JAN01_2017 + LEAPSEC_CLOSE_S, NULL, false,
                         false, &replan));
    CHECK_INT(ls.leap_sec, 0);
    CHECK_INT(leapsec_announced(&ls), NTP_LEAP_NORMAL);
}

TEST(unsynchronised_disarms)
{
    struct leapsec ls;
    bool replan;
    struct timespec at;
    leapsec_init(&ls, LEAPSEC_SYSTEM);
    CHECK(leapsec_update(&ls, NTP_LEAP_INSERT, DEC31_2016 + NOON, &DB_INSERT, false, false,
                         &replan));
    CHECK(leapsec_update(&ls, NTP_LEAP_UNSYNC, 0, NULL, false, false, &replan));
    CHECK(replan);
    CHECK_INT(ls.leap_sec, 0);
    CHECK_INT(ls.tai_offset, 0);
    CHECK_INT(leapsec_announced(&ls), NTP_LEAP_UNSYNC);
    CHECK(!leapsec_start_time(&ls, &at));
}

TEST(close_to_the_leap)
{
    struct leapsec ls;
    bool replan;
    leapsec_init(&ls, LEAPSEC_STEP);
    CHECK(!leapsec_is_close(&ls, JAN01_2017));           /* nothing armed yet */
    CHECK(leapsec_update(&ls, NTP_LEAP_INSERT, DEC31_2016 + NOON, NULL, false, false, &replan));
    CHECK(!leapsec_is_close(&ls, JAN01_2017 - LEAPSEC_CLOSE_S - 1));
    CHECK(leapsec_is_close(&ls, JAN01_2017 - LEAPSEC_CLOSE_S));
    CHECK(leapsec_is_close(&ls, JAN01_2017));
    CHECK(leapsec_is_close(&ls, JAN01_2017 + LEAPSEC_CLOSE_S - 1));
    CHECK(!leapsec_is_close(&ls, JAN01_2017 + LEAPSEC_CLOSE_S));
    /* while close, losing synchronisation does not disarm it */
    CHECK(!leapsec_update(&ls, NTP_LEAP_UNSYNC, 0, NULL, true, false, &replan));
    CHECK(!replan);
    CHECK_INT(ls.leap_sec, 1);
    CHECK_INT(leapsec_announced(&ls), NTP_LEAP_UNSYNC);
}

TEST(start_and_end)
{
    static const struct {
        enum leapsec_mode mode;
        enum leapsec_action action;
        double offset;
        bool kernel;
    } cases[] = {
        { LEAPSEC_SYSTEM, LEAPSEC_ACT_WAIT, 0.0, true },
        { LEAPSEC_STEP, LEAPSEC_ACT_STEP, 1.0, false },
        { LEAPSEC_SLEW, LEAPSEC_ACT_SLEW, 1.0, false },
        { LEAPSEC_IGNORE, LEAPSEC_ACT_IGNORE, 1.0, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct leapsec ls;
        bool replan;
        double offset = -99.0;
        leapsec_init(&ls, cases[i].mode);
        leapsec_update(&ls, NTP_LEAP_NORMAL, DEC31_2016 + NOON, &DB_INSERT, false, false,
                       &replan);
        CHECK_INT(leapsec_start(&ls, &offset), cases[i].action);
        CHECK_NEAR(offset, cases[i].offset, 0);
        /* while it is being applied: "unsynchronised" */
        CHECK_INT(leapsec_announced(&ls), NTP_LEAP_UNSYNC);
        CHECK(leapsec_end(&ls) == cases[i].kernel);
        CHECK_INT(ls.leap_sec, 0);
        CHECK_INT(ls.tai_offset, 37);
        CHECK_INT(leapsec_announced(&ls), NTP_LEAP_NORMAL);
        /* samples right after the end are still too close */
        CHECK(leapsec_is_close(&ls, JAN01_2017 + 2));
    }
    /* a deleted second corrects the other way */
    struct leapsec ls;
    bool replan;
    double offset;
    leapsec_init(&ls, LEAPSEC_STEP);
    leapsec_update(&ls, NTP_LEAP_DELETE, DEC31_2016 + NOON, NULL, false, false, &replan);
    CHECK_INT(leapsec_start(&ls, &offset), LEAPSEC_ACT_STEP);
    CHECK_NEAR(offset, -1.0, 0);
}

TEST_LIST {
    T(leap_days),
    T(list_lookups),
    T(list_deleted_second),
    T(list_malformed),
    T(database_check),
    T(database_fills_in),
    T(sources_vote_wins),
    T(only_on_leap_days),
    T(unsynchronised_disarms),
    T(close_to_the_leap),
    T(start_and_end),
};
TEST_MAIN
