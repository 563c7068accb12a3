/* smoothing: chronyd's time smoothing (the smoothtime directive, `chronyc
 * smoothing` and `chronyc smoothtime reset|activate`). Holds the smoothing
 * state (core/smooth), follows our clock through the discipline's clock
 * and event listeners (corrections, steps, leap seconds), logs "Time
 * smoothing activated" (" (leap seconds only)" with leaponly) as chrony
 * does, and tells the NTP server how to stamp its replies.
 *
 * What clients see (chrony's behaviour): with smoothtime configured, every
 * reply carries our cooked time (the raw clock plus the correction still
 * being slewed, see core/localclock.h), and replies to clients (mode 4) in
 * addition the smoothing offset, when it is larger than the clock's
 * precision: then their receive, transmit and reference timestamps move by
 * it and their reference ID is 127.127.1.255. With leapsecmode slew a
 * leap second is not announced to clients (it is smeared instead). Replies
 * to symmetric peers are never smoothed.
 *
 * Start-up: smoothing_init() after discipline_init(); smoothing_finish()
 * before discipline_finish(). */
#ifndef CW_SMOOTHING_H
#define CW_SMOOTHING_H

#include <stdbool.h>
#include <time.h>

#include "chronyd/conf.h"
#include "core/smooth.h"

void smoothing_init(const struct conf_settings *s);
void smoothing_finish(void);

/* smoothtime is configured (with both limits positive). */
bool smoothing_enabled(void);

/* How to stamp replies at raw time `raw`, when smoothing is enabled. */
struct smoothing_stamp {
    double cooked_s;           /* cooked minus raw: every reply */
    double offset_s;           /* the smoothing offset: client replies */
    bool smoothed;             /* |offset_s| > precision_s: apply offset_s */
    bool hide_leap;            /* leapsecmode slew: announce no leap second */
};
/* False (and nothing to do) when smoothing is not enabled. precision_s is
 * the clock's precision (its quantum, in seconds). */
bool smoothing_get_stamp(const struct timespec *raw, double precision_s,
                         struct smoothing_stamp *out);

/* chronyc: false when smoothing is not enabled (505). */
bool smoothing_get_report(struct smooth_report *out);
bool smoothing_reset(void);
bool smoothing_activate(void);

#endif
