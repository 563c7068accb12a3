/* Unit tests of chronyd/leapsrc: a leap-seconds.list file (written here,
 * and Debian's /usr/share/zoneinfo/leap-seconds.list when installed), the
 * right/UTC zone of the system's time zone database when installed (and
 * TZ left as it was), chrony's check at start, the list preferred to the
 * zone, and the twice-a-day cache with the file read again after it. */
#include "chronyd/leapsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "ntp_wire.h"

#define DEC31_2016_NOON 1483185600
#define JAN01_2017_NOON (DEC31_2016_NOON + 86400)
#define JUN30_2016_NOON 1467288000
#define RIGHT_UTC "/usr/share/zoneinfo/right/UTC"
#define DEBIAN_LIST "/usr/share/zoneinfo/leap-seconds.list"

static char dir[64], list[128];

/* A list through 2017; `extra` adds a made-up leap second on 2016-06-30. */
static void write_list(bool extra)
{
    FILE *f = fopen(list, "w");
    if (!f)
        abort();
    fputs("#$\t3676924800\n#@\t3707596800\n"
          "2272060800\t10\t# 1 Jan 1972\n"
          "3439756800\t34\t# 1 Jan 2009\n"
          "3550089600\t35\t# 1 Jul 2012\n"
          "3644697600\t36\t# 1 Jul 2015\n", f);
    if (extra)
        fputs("3676320000\t37\t# 1 Jul 2016 (made up)\n3692217600\t38\n", f);
    else
        fputs("3692217600\t37\t# 1 Jan 2017\n", f);
    fclose(f);
}

static void setup(void)
{
    strcpy(dir, "/tmp/cw-leapsrc.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(list, sizeof list, "%s/leap-seconds.list", dir);
    write_list(false);
}

static void teardown(void)
{
    leapsrc_finish();
    unlink(list);
    rmdir(dir);
}

TEST(list_file)
{
    setup();
    int tai;
    CHECK_INT(leapsrc_list_lookup(list, DEC31_2016_NOON, &tai), NTP_LEAP_INSERT);
    CHECK_INT(tai, 36);
    CHECK_INT(leapsrc_list_lookup(list, JAN01_2017_NOON, &tai), NTP_LEAP_NORMAL);
    CHECK_INT(tai, 37);
    CHECK_INT(leapsrc_list_lookup("/nonexistent/leap-seconds.list", DEC31_2016_NOON, &tai),
              NTP_LEAP_NORMAL);
    CHECK_INT(tai, 0);
    teardown();
}

TEST(debian_list)
{
    if (access(DEBIAN_LIST, R_OK) != 0) {
        printf("# %s not installed: not compared\n", DEBIAN_LIST);
        return;
    }
    int tai;
    CHECK_INT(leapsrc_list_lookup(DEBIAN_LIST, DEC31_2016_NOON, &tai), NTP_LEAP_INSERT);
    CHECK_INT(tai, 36);
    CHECK_INT(leapsrc_list_lookup(DEBIAN_LIST, 1435665600, &tai), NTP_LEAP_INSERT);  /* 2015-06-30 */
    CHECK_INT(tai, 35);
    CHECK_INT(leapsrc_list_lookup(DEBIAN_LIST, JUN30_2016_NOON, &tai), NTP_LEAP_NORMAL);
    CHECK_INT(tai, 36);
}

TEST(right_utc_zone)
{
    if (access(RIGHT_UTC, R_OK) != 0) {
        printf("# %s not installed: not compared\n", RIGHT_UTC);
        return;
    }
    setenv("TZ", "Europe/Paris", 1);
    int tai;
    CHECK_INT(leapsrc_tz_lookup("right/UTC", DEC31_2016_NOON, &tai), NTP_LEAP_INSERT);
    CHECK_INT(tai, 36);
    CHECK_INT(leapsrc_tz_lookup("right/UTC", JAN01_2017_NOON, &tai), NTP_LEAP_NORMAL);
    CHECK_INT(tai, 37);
    CHECK_INT(leapsrc_tz_lookup("right/UTC", JUN30_2016_NOON, &tai), NTP_LEAP_NORMAL);
    /* a zone without leap seconds knows none */
    CHECK_INT(leapsrc_tz_lookup("UTC", DEC31_2016_NOON, &tai), NTP_LEAP_NORMAL);
    CHECK_STR(getenv("TZ"), "Europe/Paris");
    unsetenv("TZ");
    leapsrc_tz_lookup("right/UTC", DEC31_2016_NOON, &tai);
    CHECK(getenv("TZ") == NULL);

    /* and it passes chrony's check */
    leapsrc_init("right/UTC", NULL);
    CHECK(leapsrc_active());
    CHECK_INT(leapsrc_get(DEC31_2016_NOON, &tai), NTP_LEAP_INSERT);
    leapsrc_finish();
}

TEST(init_checks)
{
    setup();
    int tai;
    leapsrc_init(NULL, NULL);
    CHECK(!leapsrc_active());
    CHECK_INT(leapsrc_get(DEC31_2016_NOON, &tai), NTP_LEAP_NORMAL);
    CHECK_INT(tai, 0);

    leapsrc_init("", list);
    CHECK(leapsrc_active());
    CHECK_INT(leapsrc_get(DEC31_2016_NOON, &tai), NTP_LEAP_INSERT);
    CHECK_INT(tai, 36);

    /* a list without the 2012 leap second fails the check */
    FILE *f = fopen(list, "w");
    fputs("#$ 3676924800\n#@ 3707596800\n3644697600 36\n3692217600 37\n", f);
    fclose(f);
    leapsrc_init(NULL, list);
    CHECK(!leapsrc_active());
    leapsrc_init("No/Such_Zone", NULL);
    CHECK(!leapsrc_active());
    teardown();
}

TEST(list_preferred_to_zone)
{
    setup();
    write_list(true);
    int tai;
    leapsrc_init(access(RIGHT_UTC, R_OK) == 0 ? "right/UTC" : NULL, list);
    CHECK(leapsrc_active());
    /* only the list has a leap second on 2016-06-30 */
    CHECK_INT(leapsrc_get(JUN30_2016_NOON, &tai), NTP_LEAP_INSERT);
    CHECK_INT(tai, 36);
    teardown();
}

TEST(cached_twice_a_day)
{
    setup();
    int tai;
    leapsrc_init(NULL, list);
    CHECK_INT(leapsrc_get(JUN30_2016_NOON, &tai), NTP_LEAP_NORMAL);
    /* the file changes: the same half day keeps the answer ... */
    write_list(true);
    CHECK_INT(leapsrc_get(JUN30_2016_NOON + 3600, &tai), NTP_LEAP_NORMAL);
    /* ... the next half day reads the file again */
    CHECK_INT(leapsrc_get(JUN30_2016_NOON + 12 * 3600 - 1, &tai), NTP_LEAP_NORMAL);
    CHECK_INT(leapsrc_get(JUN30_2016_NOON + 6 * 3600, &tai), NTP_LEAP_NORMAL);   /* still 12:00.. */
    CHECK_INT(leapsrc_get(JUN30_2016_NOON - 1, &tai), NTP_LEAP_INSERT);           /* 00:00..12:00 */
    CHECK_INT(tai, 36);
    teardown();
}

TEST_LIST {
    T(list_file),
    T(debian_list),
    T(right_utc_zone),
    T(init_checks),
    T(list_preferred_to_zone),
    T(cached_twice_a_day),
};
TEST_MAIN
