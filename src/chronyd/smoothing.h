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
#include "core/ntp_server.h"
#include "core/smooth.h"

void smoothing_init(const struct conf_settings *s);
void smoothing_finish(void);

/* smoothtime is configured (with both limits positive). */
bool smoothing_enabled(void);

/* How the NTP server stamps a batch of replies (see above): index
 * SMOOTHING_CLIENT for replies to clients (mode 4), SMOOTHING_PEER for
 * replies to symmetric peers. */
enum { SMOOTHING_CLIENT, SMOOTHING_PEER, SMOOTHING_KINDS };
struct smoothing_batch {
    double shift_s[SMOOTHING_KINDS];   /* added to receive and transmit times */
    const struct ntp_server_template *tmpl[SMOOTHING_KINDS];
    struct timespec tx_time[SMOOTHING_KINDS];   /* after smoothing_batch_tx() */
    struct ntp_server_template client_tmpl;     /* storage for tmpl[] */
};
/* For a batch read at raw time `raw` and answered from state st (tmpl:
 * its template, which must outlive the batch): false (nothing to do)
 * without smoothtime. precision_s is the clock's precision (its quantum):
 * smaller smoothing offsets are not applied. */
bool smoothing_batch(const struct timespec *raw, double precision_s,
                     const struct ntp_server_state *st, const struct ntp_server_template *tmpl,
                     struct smoothing_batch *b);
/* The batch's transmit times from the clock's (raw) reading. */
void smoothing_batch_tx(struct smoothing_batch *b, const struct timespec *raw_tx);

/* chronyc: false when smoothing is not enabled (505). */
bool smoothing_get_report(struct smooth_report *out);
bool smoothing_reset(void);
bool smoothing_activate(void);

#endif
