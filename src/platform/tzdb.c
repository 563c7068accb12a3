/* tzdb: leap seconds from the system's time zone database (see tzdb.h). */
#include "platform/tzdb.h"

#include <stdlib.h>
#include <string.h>

/* TAI-UTC was 10 s at the Unix epoch's "start" of the leap second era. */
#define TAI_OFFSET_AT_EPOCH 10
#define LAST_HOUR 23
#define LAST_MINUTE 59
#define LEAP_SECOND 60

int tzdb_leap_second(const char *tz, time_t when, int *tai_offset)
{
    int leap = 0;
    struct tm stm;
    *tai_offset = 0;
    if (!gmtime_r(&when, &stm))
        return leap;

    /* switch to the zone with leap seconds for the moment */
    const char *env = getenv("TZ");
    char saved[TZDB_MAX_TZ_LEN];
    if (env) {
        if (strlen(env) >= sizeof saved)
            return leap;
        strcpy(saved, env);
    }
    setenv("TZ", tz, 1);
    tzset();

    /* the zone's time at `when` is later than UTC's by the leap seconds
     * inserted since the epoch */
    time_t t = mktime(&stm);
    if (t != (time_t)-1)
        *tai_offset = (int)(t - when) + TAI_OFFSET_AT_EPOCH;

    /* 23:59:60 is a valid time only on a day with an inserted second; on a
     * day without 23:59:59 it overflows one second further */
    stm.tm_hour = LAST_HOUR;
    stm.tm_min = LAST_MINUTE;
    stm.tm_sec = LEAP_SECOND;
    t = mktime(&stm);

    if (env)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();

    if (t == (time_t)-1)
        return leap;
    if (stm.tm_sec == LEAP_SECOND)
        leap = 1;
    else if (stm.tm_sec == 1)
        leap = -1;
    return leap;
}
