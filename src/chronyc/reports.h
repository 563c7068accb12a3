/* reports: chronyc's report commands. Each asks chronyd for its data (one
 * request, or one per source or page) and prints it as chrony 4.x does:
 * plain, -c CSV, -n numeric addresses, -N configured names, -v legends.
 * Where chrony 4.8 prints more than 4.3 (serverstats, ntpdata), the form
 * follows the reply the daemon sent. Each returns the command's success;
 * arguments are the normalised rest of the line (modified in place). */
#ifndef CW_CHRONYC_REPORTS_H
#define CW_CHRONYC_REPORTS_H

#include <stdbool.h>

#include "chronyc/commands.h"

bool reports_tracking(struct commands_context *ctx, char *args);
bool reports_sources(struct commands_context *ctx, char *args);
bool reports_sourcestats(struct commands_context *ctx, char *args);
bool reports_selectdata(struct commands_context *ctx, char *args);
bool reports_authdata(struct commands_context *ctx, char *args);
bool reports_ntpdata(struct commands_context *ctx, char *args);
bool reports_activity(struct commands_context *ctx, char *args);
bool reports_serverstats(struct commands_context *ctx, char *args);
bool reports_clients(struct commands_context *ctx, char *args);
bool reports_rtcdata(struct commands_context *ctx, char *args);
bool reports_smoothing(struct commands_context *ctx, char *args);
bool reports_manual_list(struct commands_context *ctx, char *args);
bool reports_sourcename(struct commands_context *ctx, char *args);
/* waitsync [max-tries [max-correction [max-skew [interval]]]]: true once
 * the clock is synchronised within the limits. */
bool reports_waitsync(struct commands_context *ctx, char *args);
/* settime TIME: sends the time, prints the daemon's answer. */
bool reports_settime(struct commands_context *ctx, char *args);

#endif
