/* leapsrc: the leap second database of chronyd (chrony's leapdb.c, written
 * anew): `leapseclist FILE` (the NIST/IERS leap-seconds.list format, parsed
 * by core/leapsec) or `leapsectz ZONE` (a zone of the system's time zone
 * database with leap seconds, normally right/UTC, asked through
 * platform/tzdb whether 23:59:60 of the day is a valid time there). A list is preferred to a zone when both are
 * configured and pass chrony's check (see leapsec_check_database).
 *
 * The answer for a day is looked up at most twice a day (per 12 hours of
 * the time asked about); the list file is read again at each lookup, so a
 * new file takes effect without a restart, as in chrony.
 *
 * Messages (chrony's): "Using leap second list FILE", "Using ZONE timezone
 * to obtain leap second data", "Leap second list FILE failed check,
 * ignoring", "Timezone ZONE failed leap second check, ignoring", "Failed to
 * open leap seconds list FILE", "Failed to parse leap seconds list FILE",
 * "Leap second list FILE needs update". */
#ifndef CW_LEAPSRC_H
#define CW_LEAPSRC_H

#include <stdbool.h>
#include <time.h>

/* tz and list may be NULL or empty (not configured). */
void leapsrc_init(const char *tz, const char *list);
void leapsrc_finish(void);

/* A database is in use. */
bool leapsrc_active(void);

/* The enum ntp_leap due at the end of the UTC day containing `when`, and
 * TAI-UTC during that day (0 unknown). NTP_LEAP_NORMAL without a database. */
int leapsrc_get(time_t when, int *tai_offset);

/* The single lookups, uncached (for tests). */
int leapsrc_tz_lookup(const char *tz, time_t when, int *tai_offset);
int leapsrc_list_lookup(const char *path, time_t when, int *tai_offset);

#endif
