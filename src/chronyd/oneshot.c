/* oneshot: chronyd -q / -Q. See oneshot.h. */
#include "chronyd/oneshot.h"

#include <stdlib.h>

#include "chronyd/ntp_client.h"
#include "common/log.h"
#include "common/mem.h"

/* chrony expects no more updates from a source than an offline iburst
 * gives: its register then holds this many polls. */
#define LAST_EXPECTED_REACH_SIZE (NTP_SOURCE_REACH_BITS - 1)

static void (*done_handler)(int exit_status);
static bool finished;

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double oneshot_median(double *values, size_t n)
{
    qsort(values, n, sizeof *values, compare_double);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

/* chrony's test: can this source still collect enough samples before its
 * initial burst is over? */
static bool can_still_sync(const struct oneshot_source *s)
{
    if (s->reach_size >= LAST_EXPECTED_REACH_SIZE)
        return false;
    return LAST_EXPECTED_REACH_SIZE - s->reach_size + s->n_samples >= ONESHOT_MIN_SAMPLES;
}

enum oneshot_verdict oneshot_decide(const struct oneshot_source *src, size_t n, double *offset_s)
{
    size_t ready = 0;
    bool pending = false, pending_reachable = false;
    for (size_t i = 0; i < n; i++) {
        const struct oneshot_source *s = &src[i];
        if (!s->active)
            continue;
        if (s->n_samples >= ONESHOT_MIN_SAMPLES) {
            ready++;
        } else if (can_still_sync(s)) {
            pending = true;
            if (s->reach != 0)
                pending_reachable = true;
        }
    }

    /* A source that answers and may still become selectable is waited for,
     * as chrony's selection waits for sources as reachable as the
     * selectable ones; one that has not answered yet holds nothing up. */
    if (ready > 0 && !pending_reachable) {
        double *offsets = mem_alloc(ready * sizeof *offsets);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (src[i].active && src[i].n_samples >= ONESHOT_MIN_SAMPLES)
                offsets[k++] = src[i].offset_s;
        *offset_s = oneshot_median(offsets, k);
        mem_free(offsets);
        return ONESHOT_SYNC;
    }
    return ready > 0 || pending ? ONESHOT_WAIT : ONESHOT_FAIL;
}

static void finish(int status)
{
    if (finished)
        return;
    finished = true;
    ntp_client_set_update_handler(NULL, NULL);
    ntp_client_set_resolving_end_handler(NULL, NULL);
    if (done_handler)
        done_handler(status);
}

static void evaluate(void *ctx)
{
    if (finished)
        return;
    size_t n = ntp_client_count();
    struct oneshot_source *states = mem_calloc(n ? n : 1, sizeof *states);
    struct ntp_source_sample samples[NTP_CLIENT_KEPT_SAMPLES];
    double offsets[NTP_CLIENT_KEPT_SAMPLES];

    for (size_t i = 0; i < n; i++) {
        struct ntp_client_info info;
        if (!ntp_client_get_info(i, &info))
            continue;
        struct oneshot_source *s = &states[i];
        s->active = info.active;
        s->reach = info.report.reach;
        s->reach_size = info.report.reach_size;
        int k = ntp_client_get_samples(i, samples, NTP_CLIENT_KEPT_SAMPLES);
        for (int j = 0; j < k; j++)
            offsets[j] = samples[j].offset_s;
        s->n_samples = k;
        if (k > 0)
            s->offset_s = oneshot_median(offsets, (size_t)k);
    }

    double offset = 0.0;
    enum oneshot_verdict v = oneshot_decide(states, n, &offset);
    mem_free(states);

    switch (v) {
    case ONESHOT_WAIT:
        break;
    case ONESHOT_SYNC:
        /* the clock is never set yet, -q included (main warns) */
        LOG_INFO("System clock wrong by %.6f seconds (ignored)", offset);
        finish(0);
        break;
    case ONESHOT_FAIL:
        LOG_WARN("No suitable source for synchronisation");
        finish(1);
        break;
    }
}

void oneshot_start(void (*done)(int exit_status))
{
    done_handler = done;
    finished = false;
    ntp_client_set_update_handler(evaluate, NULL);
    ntp_client_set_resolving_end_handler(evaluate, NULL);
}

void oneshot_finish(void)
{
    finished = true;
    done_handler = NULL;
}
