/* getdate: the date and time given to "settime", in the language of
 * chrony's getdate.y, so that a line means the same instant to our chronyc
 * and to chrony's. Items, in any order, each at most once except relative
 * ones:
 *   time of day   16:30, 16:30:05, 4pm, 4:30 p.m., 16:30:05 +0100, 1630
 *   date          2015-09-25, 9/25/2015, 9/25, 2015/09/25, Sep 25, 2015,
 *                 25 Sep 2015, 25-sep-2015, 20150925
 *   zone          UTC, GMT, CET, EST, PDT, "cet dst", military letters
 *   weekday       friday, next monday, last tue, 3 wednesday
 *   relative      +5 min, 2 hours ago, -1 day, next week, last year,
 *                 tomorrow, yesterday, now, today, fortnight, ...
 * Missing parts come from now (local time, or the zone given): a date alone
 * is at midnight, relative items alone move the current time. Numbers are
 * not range-checked beyond the hour: 12:61 is 13:01 and Sep 31 is Oct 1, as
 * mktime() normalises them. */
#ifndef CW_CHRONYC_GETDATE_H
#define CW_CHRONYC_GETDATE_H

#include <stdbool.h>
#include <time.h>

/* now is the current time, for the parts not given. False when chrony's
 * chronyc would say "Could not parse date string". */
bool getdate_parse(const char *text, time_t now, time_t *out);

#endif
