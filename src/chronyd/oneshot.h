/* oneshot: chronyd -q and -Q, which measure the offset of the system clock
 * once and exit. The measurement is the clock discipline's: the sources'
 * statistics and the source selection run as always, and the first update
 * of the reference ends the mode (discipline.h): "System clock wrong by X
 * seconds (step)" and the clock stepped by X (-q), or "(ignored)" (-Q),
 * exit 0. This module adds chrony's rule for giving up: when no source can
 * collect enough samples to be selected (ONESHOT_MIN_SAMPLES) before its
 * initial burst is over (NTP_SOURCE_REACH_BITS - 1 polls recorded), or at
 * once when there is no source to poll, the mode ends with "No suitable
 * source for synchronisation" and exit 1. A source whose name has not
 * resolved yet polls nothing, so it never gives up: like chrony, -q/-Q then
 * wait for the name (or for -t). */
#ifndef CW_ONESHOT_H
#define CW_ONESHOT_H

#include <stdbool.h>
#include <stddef.h>

/* Samples a source needs to be selectable (chrony's MIN_SAMPLES_FOR_REGRESS). */
#define ONESHOT_MIN_SAMPLES 3

/* What the decision needs to know about one source. */
struct oneshot_source {
    bool active;                /* polling, or waiting for its name to resolve */
    int reach_size;             /* polls its reachability register records, up to 8 */
    int n_samples;              /* samples in its statistics */
};

/* Pure: true while some active source may still become selectable. */
bool oneshot_may_sync(const struct oneshot_source *src, size_t n);

/* Start watching the NTP client (call before ntp_client_start(), after
 * discipline_init()). done is called once with the exit status. */
void oneshot_start(void (*done)(int exit_status));
void oneshot_finish(void);

#endif
