/* oneshot: chronyd -q / -Q. See oneshot.h. */
#include "chronyd/oneshot.h"

#include "chronyd/discipline.h"
#include "chronyd/ntp_client.h"
#include "common/mem.h"

/* chrony expects no more updates from a source than an offline iburst
 * gives: its register then holds this many polls. */
#define LAST_EXPECTED_REACH_SIZE (NTP_SOURCE_REACH_BITS - 1)

static void (*done_handler)(int exit_status);
static bool finished;

bool oneshot_may_sync(const struct oneshot_source *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct oneshot_source *s = &src[i];
        if (!s->active || s->reach_size >= LAST_EXPECTED_REACH_SIZE)
            continue;
        if (LAST_EXPECTED_REACH_SIZE - s->reach_size + s->n_samples >= ONESHOT_MIN_SAMPLES)
            return true;
    }
    return false;
}

static void finish(int status)
{
    if (finished)
        return;
    finished = true;
    ntp_client_set_update_handler(NULL, NULL);
    ntp_client_set_resolving_end_handler(NULL, NULL);
    discipline_set_end_handler(NULL);
    if (done_handler)
        done_handler(status);
}

static void mode_ended(bool ok)
{
    finish(ok ? 0 : 1);
}

static void evaluate(void *ctx)
{
    if (finished)
        return;
    size_t n = ntp_client_count();
    struct oneshot_source *states = mem_calloc(n ? n : 1, sizeof *states);
    for (size_t i = 0; i < n; i++) {
        struct ntp_client_info info;
        if (!ntp_client_get_info(i, &info))
            continue;
        struct oneshot_source *s = &states[i];
        s->active = info.active;
        s->reach_size = info.report.reach_size;
        struct discipline_source ds;
        if (info.resolved && discipline_find_source(&info.remote.ip, &ds))
            s->n_samples = ds.stats.n_samples;
    }
    bool may_sync = oneshot_may_sync(states, n);
    mem_free(states);
    if (!may_sync)
        discipline_give_up();   /* ends the mode: mode_ended(false) */
}

void oneshot_start(void (*done)(int exit_status))
{
    done_handler = done;
    finished = false;
    discipline_set_end_handler(mode_ended);
    ntp_client_set_update_handler(evaluate, NULL);
    ntp_client_set_resolving_end_handler(evaluate, NULL);
}

void oneshot_finish(void)
{
    finished = true;
    done_handler = NULL;
    discipline_set_end_handler(NULL);
}
