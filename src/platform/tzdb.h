/* tzdb: the system's time zone database, asked through the C library
 * (mktime() with TZ set to the zone for the moment) about leap seconds, for
 * chronyd's leapsectz directive. A zone with leap seconds (right/UTC) counts
 * them in its local time, which is how both the day's leap second and the
 * TAI-UTC offset show. */
#ifndef CW_TZDB_H
#define CW_TZDB_H

#include <time.h>

/* Longest TZ value that is saved and restored around a lookup (chrony's
 * limit); with a longer one set in the environment nothing is looked up. */
#define TZDB_MAX_TZ_LEN 128

/* Does the UTC day containing `when` end with a leap second in zone tz?
 * +1: a second is inserted (23:59:60 exists), -1: one is deleted (23:59:59
 * does not), 0: neither, or the zone could not tell. *tai_offset: TAI-UTC
 * during that day as the zone counts it, 0 when unknown. */
int tzdb_leap_second(const char *tz, time_t when, int *tai_offset);

#endif
