/* manual_input: the daemon's manual time input. See manual_input.h. */
#include "chronyd/manual_input.h"

#include <stddef.h>

#include "chronyd/discipline.h"
#include "common/log.h"

#define PPM 1.0e6

static struct manual *M;       /* NULL before init */

static void clock_listener(void *ctx, const struct timespec *when, double dfreq,
                           double doffset)
{
    manual_slew(M, when, dfreq, doffset);
}

void manual_input_init(const struct conf_settings *s)
{
    M = manual_create(s->manual);
    discipline_add_clock_listener(clock_listener, NULL);
}

void manual_input_finish(void)
{
    if (!M)
        return;
    discipline_remove_clock_listener(clock_listener, NULL);
    manual_destroy(M);
    M = NULL;
}

void manual_input_set_enabled(bool enabled)
{
    if (M)
        manual_set_enabled(M, enabled);
}

bool manual_input_is_enabled(void)
{
    return M && manual_is_enabled(M);
}

void manual_input_reset(void)
{
    if (M)
        manual_reset(M);
}

/* Announces and applies an estimate; the clock's change then comes back
 * to the samples through the listener. Returns the new frequency (ppm). */
static double apply(const struct manual_estimate *est)
{
    if (est->have_frequency)
        LOG_INFO("Making a frequency change of %.3f ppm and a slew of %.6f",
                 est->frequency * PPM, est->offset_s);
    else
        LOG_INFO("Making a slew of %.6f", est->offset_s);
    double freq_ppm = 0.0;
    discipline_manual_reference(&est->ref_time, est->offset_s, est->frequency, MANUAL_SKEW,
                                &freq_ppm);
    return freq_ppm;
}

enum manual_result manual_input_settime(const struct timespec *given, double *offset_s,
                                        double *dfreq_ppm, double *new_afreq_ppm)
{
    if (!M)
        return MANUAL_DISABLED;
    struct timespec now;
    discipline_now(&now);
    struct manual_estimate est;
    enum manual_result r = manual_accept(M, given, &now, &est);
    if (r != MANUAL_ACCEPTED)
        return r;
    *new_afreq_ppm = apply(&est);
    *offset_s = est.fit_offset_s;
    *dfreq_ppm = est.frequency * PPM;
    return MANUAL_ACCEPTED;
}

bool manual_input_delete(int index)
{
    if (!M)
        return false;
    struct timespec now;
    discipline_now(&now);
    struct manual_estimate est;
    if (!manual_delete(M, index, &now, &est))
        return false;
    apply(&est);
    return true;
}

int manual_input_report(struct manual_sample *out, int max)
{
    return M ? manual_report(M, out, max) : 0;
}
