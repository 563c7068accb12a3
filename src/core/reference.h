/* reference: what chronyd tells the world about its clock, in one place.
 * The NTP server (and later `chronyc tracking`) read the state from here;
 * the clock discipline writes it. Until the discipline exists the state
 * comes from the `local` directive, or says "unsynchronised".
 *
 * With chrony's semantics:
 *   - synchronised: the values the discipline set, with the root dispersion
 *     growing at the rate it gave since its last update;
 *   - local reference active (`local`, and either unsynchronised or
 *     synchronised with a root distance above `local distance`): leap normal,
 *     the local stratum, refid 127.127.1.1, root delay and dispersion 0, and
 *     a reference time kept between 1 and 64 s in the past (set to now - 1 s
 *     minus a random fraction of a second whenever it falls outside that);
 *   - otherwise unsynchronised: leap 3, stratum 16 (0 on the wire), refid 0,
 *     no reference time, root delay and dispersion 1 s.
 * The local reference activates only after `waitunsynced` seconds without
 * synchronisation (from start, or from the loss of synchronisation), after
 * `waitsynced` seconds since the last update when synchronised, and never
 * with `activate D` until the root distance has been below D once.
 *
 * Pure: times (real and monotonic) and random bits come in as arguments. */
#ifndef CW_REFERENCE_H
#define CW_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/ntp_server.h"

/* A reference time of the local reference older than this is renewed. */
#define REFERENCE_LOCAL_UPDATE_S 64.0

struct reference_local {
    bool enabled;
    int stratum;                /* 1..15 */
    double distance_s;          /* activate when the root distance exceeds this */
    double activate_s;          /* 0: no activating distance */
    double wait_synced_s;
    double wait_unsynced_s;
};

/* Starts unsynchronised at monotonic time now_mono_s. precision is the
 * clock's log2 precision (the NTP precision field). local may be NULL. */
void reference_init(int precision, const struct reference_local *local, double now_mono_s);

/* The discipline's update: st describes our clock as synchronised (leap,
 * stratum as we serve it, refid, reference time, root delay and dispersion
 * at now_mono_s); the root dispersion then grows by dispersion_rate seconds
 * per second. st->precision is ignored (the measured one is kept). */
void reference_set_synchronised(const struct ntp_server_state *st, double dispersion_rate,
                                double now_mono_s);
/* The discipline lost synchronisation at now_mono_s. */
void reference_set_unsynchronised(double now_mono_s);
bool reference_is_synchronised(void);

/* What to put in NTP replies now (real time now, monotonic now_mono_s);
 * random supplies the fuzz of a renewed local reference time. */
void reference_get_server_state(struct timespec now, double now_mono_s, uint64_t random,
                                struct ntp_server_state *out);
/* True if the last reference_get_server_state() served the local reference. */
bool reference_local_active(void);

/* The local directive changed at run time (chronyc local): local NULL or
 * not enabled switches the local reference off. Synchronisation state and
 * the times it counts from are kept. */
void reference_set_local(const struct reference_local *local);

#endif
