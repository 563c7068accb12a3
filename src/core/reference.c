/* reference: the state our NTP replies describe. See reference.h. */
#include "core/reference.h"

#include <math.h>
#include <string.h>

#include "common/ntptime.h"

/* The local reference time is at least this far in the past. */
#define LOCAL_REF_MIN_AGE_S 1.0
/* ... plus a random fraction of a second, from the top 53 random bits. */
#define FUZZ_BITS 53

static int precision;
static struct reference_local local;

static bool synchronised;
static struct ntp_server_state sync_state;
static double sync_dispersion_rate;
static double last_update_mono;        /* last discipline update */
static double unsync_since_mono;       /* start, or loss of synchronisation */
static bool distance_was_below_activate;

static struct timespec local_ref_time;
static bool local_active;

void reference_init(int prec, const struct reference_local *l, double now_mono_s)
{
    precision = prec;
    memset(&local, 0, sizeof local);
    if (l)
        local = *l;
    synchronised = false;
    memset(&sync_state, 0, sizeof sync_state);
    sync_dispersion_rate = 0.0;
    last_update_mono = now_mono_s;
    unsync_since_mono = now_mono_s;
    distance_was_below_activate = false;
    local_ref_time = ntptime_zero();
    local_active = false;
}

void reference_set_synchronised(const struct ntp_server_state *st, double dispersion_rate,
                                double now_mono_s)
{
    sync_state = *st;
    sync_state.precision = precision;
    sync_dispersion_rate = dispersion_rate > 0.0 ? dispersion_rate : 0.0;
    synchronised = true;
    last_update_mono = now_mono_s;
    if (local.activate_s > 0.0 &&
        fabs(st->root_delay_s) / 2.0 + st->root_dispersion_s < local.activate_s)
        distance_was_below_activate = true;
}

void reference_set_unsynchronised(double now_mono_s)
{
    if (synchronised)
        unsync_since_mono = now_mono_s;
    synchronised = false;
}

bool reference_is_synchronised(void)
{
    return synchronised;
}

static double synced_dispersion(double now_mono_s)
{
    double elapsed = now_mono_s - last_update_mono;
    if (elapsed < 0.0)
        elapsed = 0.0;
    return sync_state.root_dispersion_s + sync_dispersion_rate * elapsed;
}

/* Whether the local reference stands in for the real one now. */
static bool use_local(double now_mono_s, double distance_s)
{
    if (!local.enabled)
        return false;
    if (local.activate_s > 0.0 && !distance_was_below_activate)
        return false;
    if (synchronised)
        return distance_s > local.distance_s &&
               now_mono_s - last_update_mono >= local.wait_synced_s;
    return now_mono_s - unsync_since_mono >= local.wait_unsynced_s;
}

void reference_get_server_state(struct timespec now, double now_mono_s, uint64_t random,
                                struct ntp_server_state *out)
{
    double dispersion = synchronised ? synced_dispersion(now_mono_s) : 0.0;
    double distance = synchronised ? fabs(sync_state.root_delay_s) / 2.0 + dispersion : INFINITY;

    local_active = use_local(now_mono_s, distance);
    if (synchronised && !local_active) {
        *out = sync_state;
        out->root_dispersion_s = dispersion;
        return;
    }
    if (!local_active) {
        ntp_server_state_unsynchronised(out, precision);
        return;
    }

    double age = ntptime_diff(now, local_ref_time);
    if (ntptime_is_zero(local_ref_time) || age < LOCAL_REF_MIN_AGE_S ||
        age > REFERENCE_LOCAL_UPDATE_S) {
        double fuzz = ldexp((double)(random >> (64 - FUZZ_BITS)), -FUZZ_BITS);  /* [0, 1) */
        local_ref_time = ntptime_add_double(now, -(LOCAL_REF_MIN_AGE_S + fuzz));
    }
    memset(out, 0, sizeof *out);
    out->leap = NTP_LEAP_NORMAL;
    out->stratum = local.stratum;
    out->refid = NTP_REFID_LOCAL;
    out->ref_time = local_ref_time;
    out->root_delay_s = 0.0;
    out->root_dispersion_s = 0.0;
    out->precision = precision;
}

bool reference_local_active(void)
{
    return local_active;
}

void reference_set_local(const struct reference_local *l)
{
    memset(&local, 0, sizeof local);
    if (l && l->enabled)
        local = *l;
    distance_was_below_activate = false;
}
