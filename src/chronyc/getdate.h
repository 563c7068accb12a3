/* getdate: the date and time given to "settime", read the way chrony's
 * settime reads them, for the forms people type:
 *   16:30:05            today, local time ("4:30pm", "16:30" too)
 *   Sep 25, 2015 16:30:05   "25 Sep 2015", "2015-09-25", "9/25/2015"
 *   now, today, a weekday name (ignored), a zone: UTC, GMT, UT, Z, +hhmm
 * A missing date is today, a missing year this year, a missing time
 * midnight; two-digit years are 19xx from 69, 20xx below. */
#ifndef CW_CHRONYC_GETDATE_H
#define CW_CHRONYC_GETDATE_H

#include <stdbool.h>
#include <time.h>

/* now is the current time, for the parts not given. */
bool getdate_parse(const char *text, time_t now, time_t *out);

#endif
