/* select: source selection (chrony's SRC_SelectSource, written anew). From
 * every source's statistics it builds an interval that should contain the
 * true offset of our clock (the source's offset +- its root distance),
 * rejects sources that cannot be used (noselect, too few samples, not
 * synchronised, stratum out of range, root distance over maxdistance,
 * jitter over maxjitter, stale, orphans), finds the offset range most
 * intervals agree on (Marzullo's intersection, with `trust` sources taking
 * precedence) and marks the sources outside it as falsetickers, applies
 * `require`, `minsources` and `prefer`, picks the best source by root
 * distance plus stratum penalty with the hysteresis of a score (a new best
 * source must beat the current one 10:1 over the updates, or the current
 * one must drop out), and combines the survivors whose distance and
 * frequency are close enough (`combinelimit`) into one estimate: offsets
 * weighted by 1/root distance, frequencies by 1/variance. Each source is
 * left with its status: the `selectdata` letter and the `sources` mark.
 *
 * One deliberate difference from chrony: the reference is updated after a
 * new sample of any source that is combined, not only of the selected one
 * (the clock is corrected more often, which follows its wander better).
 *
 * Pure: the candidates are built by the caller from srcstats and
 * ntp_source; no system calls. The only state kept between runs is in the
 * selector (which source is selected) and in each source's
 * struct select_memory (score, distant penalty, updates, status), which the
 * caller keeps with the source for as long as the source exists.
 *
 * How the daemon drives it: after each sample (and whenever a source
 * becomes unreachable, is added, removed or reset, or `reselect`):
 *   for each source i: select_fill_candidate(&c[i], stats_i, &now) and set
 *     the fields it leaves (options, reachability, stratum, leap, mem...);
 *   select_run(sel, c, n, index_of_source_with_the_new_sample_or_-1, &res);
 *   res.unsynchronise    -> tracking_set_unsynchronised()
 *   res.update_reference -> tracking_update(tr, &res.ref, ...)
 *   ntp_source_set_selected(src_i, i == res.selected)
 * Offsets follow srcstats' convention: positive when our clock is ahead. */
#ifndef CW_SELECT_H
#define CW_SELECT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/srcstats.h"

/* chrony's defaults of the selection directives. */
#define SELECT_DEFAULT_MAX_DISTANCE_S 3.0       /* maxdistance */
#define SELECT_DEFAULT_MAX_JITTER_S 1.0         /* maxjitter */
#define SELECT_DEFAULT_RESELECT_DISTANCE_S 1e-4 /* reselectdist */
#define SELECT_DEFAULT_STRATUM_WEIGHT_S 1e-3    /* stratumweight */
#define SELECT_DEFAULT_COMBINE_LIMIT 3.0        /* combinelimit */
#define SELECT_DEFAULT_MIN_SOURCES 1            /* minsources */
#define SELECT_DEFAULT_MAX_CLOCK_ERROR 1e-6     /* maxclockerror (1 ppm) */

/* A source replaced after this many selections in a row with status
 * d, ~, r or x (chrony's pool replacement of bad sources). */
#define SELECT_BAD_SOURCE_THRESHOLD 4

struct select_settings {
    double max_distance_s;
    double max_jitter_s;
    double reselect_distance_s;
    double stratum_weight_s;
    double combine_limit;
    int min_sources;
    int min_stratum, max_stratum;   /* minstratum / maxstratum directives */
    double max_clock_error;         /* fraction */
    int orphan_stratum;             /* `local orphan` stratum; 16 (NTP_MAX_STRATUM): none */
};
void select_default_settings(struct select_settings *set);

/* Why a source is or is not used, in chrony's order. The letters are
 * `chronyc selectdata`'s. */
enum select_status {
    SELECT_OK = 0,             /* transient, never left after a run */
    SELECT_UNSELECTABLE,       /* N: noselect */
    SELECT_BAD_STATS,          /* M: not enough measurements */
    SELECT_UNSYNCHRONISED,     /* s: the source is not synchronised */
    SELECT_BAD_STRATUM,        /* r: stratum outside minstratum..maxstratum */
    SELECT_BAD_DISTANCE,       /* d: root distance over maxdistance */
    SELECT_JITTERY,            /* ~: jitter over maxjitter */
    SELECT_WAITS_STATS,        /* w: waits for others to leave state M */
    SELECT_STALE,              /* S: older measurements than the others */
    SELECT_ORPHAN,             /* O: stratum at or over the orphan stratum */
    SELECT_UNTRUSTED,          /* T: does not fully agree with trusted sources */
    SELECT_FALSETICKER,        /* x: does not agree with the others */
    SELECT_WAITS_SOURCES,      /* W: minsources or require not met */
    SELECT_NONPREFERRED,       /* P: another source has prefer */
    SELECT_WAITS_UPDATE,       /* U: waits for a new measurement */
    SELECT_DISTANT,            /* D: too far to be combined (combinelimit) */
    SELECT_OUTLIER,            /* L: (chrony reserves it; not used) */
    SELECT_UNSELECTED,         /* +: combined with the selected source */
    SELECT_SELECTED,           /* *: the selected source */
};

/* The `selectdata` state letter. */
char select_status_char(enum select_status status);
/* The `sources` mark: * + - ? x ~ */
char select_sources_char(enum select_status status);
/* The `sources` report state on the command protocol (CANDM_SD_STATE_*). */
int select_sources_state(enum select_status status);

/* Kept by the caller with each source; select_memory_init() it when the
 * source is created or reset. */
struct select_memory {
    enum select_status status;
    double score;              /* against the selected source (selectdata Score) */
    int distant;               /* selections left before it may be combined again */
    int updates;               /* new samples since the reference was last updated */
    int bad;                   /* consecutive runs with status d, ~, r or x */
    bool leap_vote;            /* may vote on leap seconds */
    /* from the last run, for selectdata */
    double lo_limit_s, hi_limit_s;
    double last_sample_ago_s;
};
void select_memory_init(struct select_memory *mem);
/* Whether a pool source should be replaced (chrony's NSR_HandleBadSource). */
bool select_memory_is_bad(const struct select_memory *mem);

struct select_candidate {
    struct select_memory *mem; /* required */
    uint32_t refid;            /* the source's own ID (address as refid, refclock ID) */
    bool is_ntp;               /* false: a reference clock */
    unsigned options;          /* effective SRCOPTS_SEL_* */
    unsigned reach;            /* reachability register, 8 bits */
    int reach_size;            /* polls recorded in it */
    int unreachable_run;       /* reachability updates in a row with reach == 0 */
    int max_unreach;           /* maxunreach option */
    int stratum;               /* from the last synchronised response */
    int leap;                  /* enum ntp_leap; NTP_LEAP_UNSYNC when none yet */
    uint32_t local_refid;      /* orphan mode: our refid as this source sees us; 0 unknown */
    bool have_selection;       /* srcstats_get_selection() returned true */
    struct srcstats_selection sel;
    bool have_tracking;        /* srcstats_get_tracking() returned true */
    struct srcstats_tracking track;
};

/* Fills have_selection/sel and have_tracking/track from the statistics at
 * now and clears the rest of *c except mem, which it keeps. */
void select_fill_candidate(struct select_candidate *c, const struct srcstats *stats,
                           const struct timespec *now);

/* What the reference is updated with (input of tracking_update). */
struct select_reference {
    int stratum;               /* the selected source's */
    int leap;                  /* voted by the selectable sources */
    uint32_t refid;            /* the selected source's */
    int n_combined;            /* sources combined (1: just the selected one) */
    struct timespec ref_time;  /* epoch of the estimates */
    double offset_s;           /* our clock minus true time at ref_time */
    double offset_sd_s;
    double frequency;          /* our clock's rate error relative to the sources */
    double frequency_sd;
    double skew;
    double root_delay_s;       /* the selected source's */
    double root_dispersion_s;
};

/* What a run achieved, for the log and the reference. */
enum select_event {
    SELECT_EVENT_NONE = 0,     /* nothing to report (the selection stands or waits) */
    SELECT_EVENT_SELECTED,     /* a new source was selected */
    SELECT_EVENT_NO_SOURCES,   /* "Can't synchronise: no sources" */
    SELECT_EVENT_NO_SELECTABLE,/* "Can't synchronise: no selectable sources" */
    SELECT_EVENT_NO_MAJORITY,  /* "Can't synchronise: no majority" */
    SELECT_EVENT_NOT_ENOUGH,   /* "Can't synchronise: not enough selectable sources" */
    SELECT_EVENT_NO_REQUIRED,  /* "Can't synchronise: no required source in selectable sources" */
};
/* chrony's log message for an event ("" for none and SELECTED, which names
 * the source: "Selected source %s"). */
const char *select_event_message(enum select_event ev);

struct select_result {
    int selected;              /* candidate index, -1: none */
    enum select_event event;
    bool unsynchronise;        /* selection lost for lack of agreement: unsynchronise */
    bool update_reference;     /* ref below is valid: update the reference */
    struct select_reference ref;
};

struct selector;

struct selector *select_create(const struct select_settings *set);
void select_destroy(struct selector *sel);
void select_set_settings(struct selector *sel, const struct select_settings *set);
/* `reselect`: forget the selected source (the next run picks afresh). */
void select_reselect(struct selector *sel);
/* A source is going away (or was reset): forget it if it was selected. */
void select_forget(struct selector *sel, const struct select_memory *mem);

/* One selection over n candidates at `now`; updated is the index of the
 * source that just got a new sample, or -1. */
void select_run(struct selector *sel, struct select_candidate *c, int n, int updated,
                struct select_result *res);

/* Effective selection options (chrony's authselectmode): auth[i] says
 * whether source i is authenticated, is_ntp[i] whether it is an NTP source.
 * mode: 0 require, 1 prefer, 2 mix, 3 ignore (enum conf_authselect_mode). */
void select_effective_options(const unsigned *conf_options, const bool *auth,
                              const bool *is_ntp, int n, int mode, unsigned *out);

#endif
