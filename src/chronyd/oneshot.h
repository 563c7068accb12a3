/* oneshot: chronyd -q and -Q, which measure the offset of the system clock
 * once and exit. They end as chrony's do: as soon as the sources have given
 * enough samples to be selected (MIN_SAMPLES each, the minimum for chrony's
 * regression), or when no source can get there any more (each has either
 * sent its initial burst or missed too many polls), or at once when there
 * is no source to poll. Then they log "System clock wrong by X seconds
 * (ignored)" and exit 0, or "No suitable source for synchronisation" and
 * exit 1. A source whose name has not resolved yet polls nothing, so it
 * never gives up: like chrony, -q/-Q then wait for the name (or for -t).
 *
 * Until the clock discipline (source statistics and selection) exists, X is
 * the median over the usable sources of the median of each one's samples,
 * and -q does not set the clock (main warns). */
#ifndef CW_ONESHOT_H
#define CW_ONESHOT_H

#include <stdbool.h>
#include <stddef.h>

/* Samples a source needs to be selectable (chrony's MIN_SAMPLES_FOR_REGRESS). */
#define ONESHOT_MIN_SAMPLES 3

/* What the decision needs to know about one source. */
struct oneshot_source {
    bool active;                /* polling, or waiting for its name to resolve */
    unsigned reach;             /* reachability register */
    int reach_size;             /* polls it records, up to 8 */
    int n_samples;              /* good samples */
    double offset_s;            /* median of them (NTP sign: + = clock behind) */
};

enum oneshot_verdict { ONESHOT_WAIT, ONESHOT_SYNC, ONESHOT_FAIL };

/* Pure: decides from the sources' states; with ONESHOT_SYNC, *offset_s is
 * the estimate. */
enum oneshot_verdict oneshot_decide(const struct oneshot_source *src, size_t n, double *offset_s);

/* The median of n values (n >= 1); the array is sorted in place. */
double oneshot_median(double *values, size_t n);

/* Start watching the NTP client (call before ntp_client_start()). done is
 * called once with the exit status. */
void oneshot_start(void (*done)(int exit_status));
void oneshot_finish(void);

#endif
