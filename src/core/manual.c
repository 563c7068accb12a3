/* manual: the samples of manual time input and the estimate from them.
 * See manual.h. */
#include "core/manual.h"

#include <string.h>

#include "common/mem.h"
#include "common/ntptime.h"
#include "core/regress.h"

/* The latest time accepted: 2^32 s after 1970, as far as chrony maps NTP
 * timestamps (its era starts a little after 1970; ours is fixed here). */
#define LATEST_SANE_TIME_S ((double)NTPTIME_ERA_SECONDS)

struct manual {
    bool enabled;
    int n;                                     /* oldest first */
    struct manual_sample s[MANUAL_MAX_SAMPLES];
};

struct manual *manual_create(bool enabled)
{
    struct manual *m = mem_alloc(sizeof *m);
    memset(m, 0, sizeof *m);
    m->enabled = enabled;
    return m;
}

void manual_destroy(struct manual *m)
{
    mem_free(m);
}

void manual_set_enabled(struct manual *m, bool enabled)
{
    m->enabled = enabled;
}

bool manual_is_enabled(const struct manual *m)
{
    return m->enabled;
}

void manual_reset(struct manual *m)
{
    m->n = 0;
}

/* Fits the samples and stores their residuals. given: the offset just
 * given (NULL after a deletion). The offset corrected is the given one
 * whenever there is one; after a deletion it is the fit's, or 0 when
 * fewer than two samples are left. The residuals are taken from the fit,
 * or, without one, from that offset (a single sample has none). */
static void estimate(struct manual *m, const double *given, const struct timespec *now,
                     struct manual_estimate *est)
{
    double ago[MANUAL_MAX_SAMPLES], offset[MANUAL_MAX_SAMPLES];
    double intercept = given ? *given : 0.0, slope = 0.0;
    bool fitted = false;

    for (int i = 0; i < m->n; i++) {
        /* the newest sample is at x = 0, older ones at positive x */
        ago[i] = ntptime_diff(m->s[m->n - 1].when, m->s[i].when);
        offset[i] = m->s[i].offset_s;
    }
    if (m->n > 1) {
        double a, b;
        if (regress_robust(ago, offset, m->n, &a, &b)) {
            intercept = a;
            slope = b;
            fitted = true;
        }
    } else if (m->n == 1) {
        /* a single sample is its own estimate: no residual */
        offset[0] = intercept;
    }

    memset(est, 0, sizeof *est);
    est->ref_time = *now;
    est->have_frequency = fitted;
    /* offsets grow with the age, so a clock gaining on true time has a
     * negative slope */
    est->frequency = fitted ? -slope : 0.0;
    est->offset_s = given ? *given : intercept;
    est->fit_offset_s = intercept;

    for (int i = 0; i < m->n; i++)
        m->s[i].residual_s = offset[i] - (intercept + ago[i] * slope);
}

static bool sane_time(const struct timespec *t)
{
    double s = ntptime_to_double(*t);
    return s >= 0.0 && s <= LATEST_SANE_TIME_S;
}

enum manual_result manual_accept(struct manual *m, const struct timespec *given,
                                 const struct timespec *now, struct manual_estimate *est)
{
    if (!m->enabled)
        return MANUAL_DISABLED;
    if (!sane_time(given))
        return MANUAL_INSANE_TIME;
    if (m->n > 0 && ntptime_diff(*now, m->s[m->n - 1].when) < MANUAL_MIN_SEPARATION_S)
        return MANUAL_TOO_CLOSE;

    double offset = ntptime_diff(*now, *given);
    if (m->n == MANUAL_MAX_SAMPLES) {
        memmove(&m->s[0], &m->s[1], (MANUAL_MAX_SAMPLES - 1) * sizeof m->s[0]);
        m->n--;
    }
    struct manual_sample *s = &m->s[m->n++];
    s->when = *now;
    s->orig_offset_s = offset;
    s->offset_s = offset;
    s->residual_s = 0.0;

    estimate(m, &offset, now, est);
    return MANUAL_ACCEPTED;
}

bool manual_delete(struct manual *m, int index, const struct timespec *now,
                   struct manual_estimate *est)
{
    if (index < 0 || index >= m->n)
        return false;
    memmove(&m->s[index], &m->s[index + 1], (size_t)(m->n - index - 1) * sizeof m->s[0]);
    m->n--;
    estimate(m, NULL, now, est);
    return true;
}

void manual_slew(struct manual *m, const struct timespec *when, double dfreq, double doffset)
{
    for (int i = 0; i < m->n; i++) {
        struct manual_sample *s = &m->s[i];
        double delta = ntptime_diff(*when, s->when) * dfreq - doffset;
        s->when = ntptime_add_double(s->when, delta);
        s->offset_s += delta;
    }
}

int manual_report(const struct manual *m, struct manual_sample *out, int max)
{
    int n = m->n < max ? m->n : max;
    if (n > 0)
        memcpy(out, m->s, (size_t)n * sizeof *out);
    return n;
}
