/* discipline: chronyd's clock discipline, the wiring of the time engine.
 * Every good sample of an NTP source goes into that source's statistics
 * (core/srcstats), adapts its polling interval, and runs the source
 * selection (core/select); a selection that updates the reference goes to
 * tracking (core/tracking), whose decision is carried out on the system
 * clock through core/localclock and platform/sysclock, announced to every
 * source's statistics and protocol engine (their timestamps move with the
 * clock), and published to the NTP server (core/reference). It also owns the
 * drift file (read at start, rewritten hourly and at exit), the dump
 * files (dumpdir, chronyd -r, `chronyc dump`), rtcsync (the kernel's
 * synchronisation status), leap seconds (core/leapsec decides from the
 * sources' vote and chronyd/leapsrc's leapsectz/leapseclist; carried out
 * here per leapsecmode: the kernel's flags, a step or a slew, samples
 * around the leap dropped, the leap status announced), fallbackdrift,
 * `log tracking`, chronyd -s (the time restored from the drift file), and
 * the end of the special modes -q / -Q.
 *
 * Time: every timestamp the engine keeps is our clock's "cooked" time (see
 * localclock.h); discipline_cook_time() converts a raw CLOCK_REALTIME
 * reading, and ntp_client cooks its transmit and receive timestamps with it.
 *
 * Messages (chrony 4.3's, which scripts grep): "Selected source ADDR" (with
 * " (NAME)" when configured by name), "Can't synchronise: ...", "System
 * clock wrong by X seconds" (when |offset| > logchange), "System clock was
 * stepped by X seconds", "System clock wrong by X seconds (step|ignored)"
 * and "No suitable source for synchronisation" (-q/-Q), "Frequency F +/- S
 * ppm read from FILE", "Initial frequency F ppm", "System time restored
 * from driftfile", "Adjustment of X seconds exceeds the allowed maximum of
 * Y seconds (exiting|ignored)", "System clock status set to (insert|delete|
 * not insert/delete) leap second", "System clock was stepped for leap
 * second", "Adjusting system clock for leap second", "Ignoring leap
 * second", "Dropping sample around leap second", "Loaded dump file for
 * ADDR", "Could not load dump file for ADDR".
 *
 * Start-up order (main): sysclock_init, ntp_serve_init (reference state),
 * ntp_client_init, discipline_init, [-s: discipline_restore_time],
 * ntp_client_start, discipline_load_dumps. At exit: discipline_finish
 * (which writes the dump files) before ntp_client_finish. */
#ifndef CW_DISCIPLINE_H
#define CW_DISCIPLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "chronyd/conf.h"
#include "common/addr.h"
#include "core/select.h"
#include "core/srcstats.h"
#include "core/tracking.h"

enum discipline_mode {
    DISCIPLINE_NORMAL = 0,
    DISCIPLINE_SET_ONCE,       /* -q: step by the first estimate, then end */
    DISCIPLINE_PRINT_ONCE,     /* -Q: log the first estimate, then end */
};

/* Reads the drift file and sets the clock's frequency from it. Hooks into
 * ntp_client. Call with the clock driver initialised (sysclock_init). */
void discipline_init(const struct conf_settings *s, enum discipline_mode mode);
/* Writes the drift file (if any), stops the slew, unhooks. */
void discipline_finish(void);

/* chronyd -s: steps the clock forward to the drift file's modification
 * time when the clock reads earlier than that. */
void discipline_restore_time(void);

/* dumpdir: after the sources were added (ntp_client_start), with reload
 * (chronyd -r) restores each source's measurement history from its dump
 * file ("Loaded dump file for ADDR", or a warning "Could not load dump
 * file for ADDR"), then removes the dump files, as chrony does even
 * without -r. Nothing without dumpdir. */
void discipline_load_dumps(bool reload);

/* Called once when a special mode ends (ok: an estimate was obtained), or
 * in normal mode when maxchange asks the daemon to exit (ok false). */
void discipline_set_end_handler(void (*handler)(bool ok));
/* -q/-Q: no source can give enough samples any more: end with failure
 * ("No suitable source for synchronisation"). */
void discipline_give_up(void);

/* Our cooked time: for a raw reading (in place), and now. */
void discipline_cook_time(struct timespec *ts);
void discipline_now(struct timespec *cooked);

bool discipline_is_synchronised(void);

/* Every change of our clock's frequency or offset (an update, a step,
 * makestep, dfreq/doffset, a fallback drift, chronyd -s) is told to each
 * listener, after the sources, as srcstats_slew() takes it: at cooked time
 * `when`, the relative frequency change dfreq and the offset doffset
 * (seconds, positive: the clock was moved back). A module keeping cooked
 * timestamps of its own moves them with it. */
typedef void (*discipline_clock_listener)(void *ctx, const struct timespec *when, double dfreq,
                                          double doffset);
void discipline_add_clock_listener(discipline_clock_listener fn, void *ctx);
void discipline_remove_clock_listener(discipline_clock_listener fn, void *ctx);

/* What the clock listeners' figures do not say (time smoothing needs it):
 *   DISCIPLINE_CLOCK_STEPPED: the clock was stepped back by offset_s at
 *     cooked time `when` (tracking, makestep, chronyd -s, a leap second in
 *     leapsecmode step); told after the clock listeners heard of the
 *     change, if they did (makestep leaves cooked time where it was: 0);
 *   DISCIPLINE_CLOCK_LEAP: a leap second (leap +1 inserted, -1 deleted) is
 *     being carried out at `when`: in leapsecmode slew by adding offset_s
 *     to the slew (which clock listeners are not told of: the sources make
 *     the same correction), in leapsecmode step by the STEPPED event that
 *     follows (offset_s 0 here). Not told in modes system and ignore. */
enum discipline_clock_event_kind { DISCIPLINE_CLOCK_STEPPED, DISCIPLINE_CLOCK_LEAP };
struct discipline_clock_event {
    enum discipline_clock_event_kind kind;
    struct timespec when;
    double offset_s;
    int leap;
};
typedef void (*discipline_event_listener)(void *ctx, const struct discipline_clock_event *ev);
void discipline_add_event_listener(discipline_event_listener fn, void *ctx);
void discipline_remove_event_listener(discipline_event_listener fn, void *ctx);

/* The skew of our frequency estimate (ppm), synchronised or not. */
double discipline_skew_ppm(void);

/* ---- for the command server ---- */

/* `chronyc tracking` (and the tracking reply of the command protocol).
 * rep.system_time_s is cooked minus raw: positive when the system clock is
 * behind ("slow of NTP time"); with clock control it is the correction
 * still being slewed, with -x the whole offset of the system clock (the
 * virtual clock's steps and frequency included), as chrony shows it.
 * rep.freq_ppm is the absolute frequency, positive when the uncorrected
 * clock is fast (as chrony's reply: "ppm fast"). */
struct discipline_tracking {
    struct tracking_report rep;
    addr_ip ref_ip;            /* the reference's address; family ADDR_UNSPEC
                                  when unsynchronised */
    bool clock_control;        /* false with -x */
    double virtual_offset_s;   /* -x: how far the disciplined (virtual) clock
                                  is from the system clock (+: later) */
};
void discipline_get_tracking(struct discipline_tracking *out);

/* One source as `sources`, `sourcestats` and `selectdata` show it. */
struct discipline_source {
    addr_sock remote;
    const char *name;          /* as configured; valid until the source goes */
    struct srcstats_report stats;    /* NP, NR, span, frequency, skew, offset,
                                        std dev; latest sample for `sources` */
    enum select_status status;
    char state_char;           /* selectdata letter: * + - x ~ N M s d ... */
    char mark;                 /* sources mark: * + - ? x ~ */
    int sources_state;         /* CANDM_SD_STATE_* */
    double score;
    double lo_limit_s, hi_limit_s;   /* selection interval (+: our clock ahead) */
    double last_sample_ago_s;
    int leap;                  /* the source's leap status (enum ntp_leap) */
    bool leap_vote;
    unsigned conf_options;     /* SRCOPTS_SEL_* as configured */
    unsigned eff_options;      /* after authselectmode */
    bool authenticated;        /* has a key or NTS configured */
};
/* Sources in the order they were added. */
size_t discipline_source_count(void);
bool discipline_get_source(size_t index, struct discipline_source *out);
/* The source with that address (an unresolved source has none). */
bool discipline_find_source(const addr_ip *ip, struct discipline_source *out);

/* `chronyc dump` (and every exit, from discipline_finish): writes each
 * source's measurement history to DUMPDIR/ADDRESS.dat (chronyd/dumpfile:
 * chrony's format; sources without samples get no file). Returns the
 * number of files written, 0 without dumpdir, -1 when one could not be
 * written (warned). chrony answers the dump request with success either
 * way. */
int discipline_dump_all(void);

/* Control (chronyc). */
void discipline_reselect(void);                 /* reselect */
void discipline_set_reselect_distance(double distance_s);   /* reselectdist */
bool discipline_make_step(void);                /* makestep: step the rest of the slew */
void discipline_reset_sources(void);            /* reset sources */

/* More control (chronyc), as chrony carries it out. */
/* dfreq: the clock runs slower by dfreq_ppm (relative to its present
 * frequency; negative: faster); every timestamp kept moves with it, and
 * the next updates correct what was wrong. The frequency is clamped to
 * maxdrift and to what the clock can do ("Frequency F ppm exceeds allowed
 * maximum"). False when the discipline is not running. */
bool discipline_accumulate_frequency(double dfreq_ppm);
/* doffset: offset_s (positive: the clock is moved back) is added to the
 * slew in progress, slewed as fast as maxslewrate allows. False (warned
 * "Adjustment of X seconds is invalid") when the time would not be sane
 * any more, or when the discipline is not running. */
bool discipline_accumulate_offset(double offset_s);
/* settime, manual delete (chronyd/manual_input): a manual reference, as
 * core/manual estimated it at cooked time ref_time: our clock's offset
 * (positive: ahead) and gain rate, with their skew. Carried out as a
 * selection's update is (tracking_update_manual: the clock left
 * unsynchronised, reference ID "MANU" in the tracking log), including the
 * "System clock wrong by" message and a makestep step. *new_freq_ppm (if
 * not NULL) gets the clock's absolute frequency after it. False when the
 * discipline is not running. */
bool discipline_manual_reference(const struct timespec *ref_time, double offset_s,
                                 double frequency, double skew, double *new_freq_ppm);
/* maxupdateskew */
void discipline_set_max_update_skew(double skew_ppm);
/* makestep THRESHOLD LIMIT: the next LIMIT updates (< 0: all) may step. */
void discipline_set_makestep(double threshold_s, int limit);
/* selectopts: the configured selection options (SRCOPTS_SEL_*) under mask
 * become those of options for the NTP source with this address ("Source
 * ADDR selection options modified"); the effective options follow at once,
 * the sources' states at the next selection (reselect runs one). False: no
 * such source. */
bool discipline_modify_select_options(const addr_ip *ip, unsigned mask, unsigned options);

#endif
