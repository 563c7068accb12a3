/* leapsec: leap second decisions (chrony's leap second handling in
 * reference.c and the leap second list reading of leapdb.c, written anew).
 *
 * What it decides:
 *   - which leap second, if any, is due at the end of the current UTC day:
 *     the sources' vote (select.h: a majority of the selectable sources),
 *     or, when they announce none, the leap second database (leapsectz or
 *     leapseclist, read by chronyd/leapsrc); only on June 30 and December
 *     31, the days that can end with one;
 *   - when to act (raw system time): an inserted second at 00:00:00 UTC, a
 *     deleted one at 23:59:59 UTC; with leapsecmode system half a second
 *     earlier, to be ahead of the kernel;
 *   - what to do then: nothing (system: the kernel repeats or skips the
 *     second itself), step the clock by the second, slew it away, or ignore
 *     it; LEAPSEC_END_DELAY_S later the leap second is over;
 *   - what is announced meanwhile (tracking and NTP replies): the leap
 *     status, "unsynchronised" while the leap second is being applied;
 *   - that samples within LEAPSEC_CLOSE_S of the leap second are dropped
 *     (both clocks of a measurement may not have made the same correction
 *     yet).
 * Also the parser of the NIST/IERS leap-seconds.list format (Debian's
 * tzdata ships /usr/share/zoneinfo/leap-seconds.list) and chrony's sanity
 * check of a leap second database.
 *
 * Pure: times come in as arguments; the daemon carries out the decisions
 * (chronyd/discipline: the kernel's leap flags through platform/sysclock,
 * the step or slew through core/localclock, the timers through sched).
 *
 * Conventions: leap seconds as +1 (insert), -1 (delete), 0; leap statuses
 * as enum ntp_leap (ntp_wire.h). A correction offset is chrony's: positive
 * when the clock is ahead, so an inserted second is corrected by moving
 * the clock back by 1 s. */
#ifndef CW_LEAPSEC_H
#define CW_LEAPSEC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Samples and leap status changes this close (s) to a leap second are
 * ignored. */
#define LEAPSEC_CLOSE_S 5
/* The leap second is over this long (s) after its start timer fired. */
#define LEAPSEC_END_DELAY_S 2.0
/* leap-seconds.list counts seconds from 1900-01-01 00:00:00 UTC. */
#define LEAPSEC_LIST_EPOCH_OFFSET 2208988800LL
#define LEAPSEC_SECONDS_PER_DAY 86400

enum leapsec_mode {
    LEAPSEC_SYSTEM = 0,        /* the kernel inserts/deletes the second */
    LEAPSEC_SLEW,              /* slewed away from 00:00:00 (23:59:59) on */
    LEAPSEC_STEP,              /* stepped by chronyd at 00:00:00 (23:59:59) */
    LEAPSEC_IGNORE,            /* left to the normal correction */
};

/* June 30 or December 31 (UTC) at Unix time t. */
bool leapsec_is_leap_day(time_t t);
/* The first midnight (UTC) after t. */
time_t leapsec_next_midnight(time_t t);

/* ---- the leap-seconds.list format ----
 * Lines "NTP-SECONDS TAI-UTC [# comment]", one per change of TAI-UTC;
 * "#$ NTP-SECONDS" the last update, "#@ NTP-SECONDS" the expiry, other
 * '#' lines and blank lines are comments. A file without the update and
 * expiry lines is not trusted. Feed the lines in order: */
struct leapsec_list_scan {
    int64_t when1900;          /* the midnight ending the asked day */
    int leap;                  /* enum ntp_leap found for that midnight */
    int tai_offset;            /* TAI-UTC during the asked day (0: before the list) */
    int prev_tai_offset;
    int64_t updated, expiry;   /* 0: line missing */
    bool error;
};
/* For the day containing Unix time `when`. */
void leapsec_list_begin(struct leapsec_list_scan *s, time_t when);
/* One line (with or without its newline). False when it is malformed. */
bool leapsec_list_line(struct leapsec_list_scan *s, const char *line);
/* The result: false when the list is not usable (a malformed line, or no
 * update or expiry line). *expired: the asked day is past the expiry. */
bool leapsec_list_end(const struct leapsec_list_scan *s, int *leap, int *tai_offset,
                      bool *expired);

/* chrony's check that a database knows its leap seconds: June 30 2012
 * ended with an inserted second (TAI-UTC 34 s that day), December 31 2012
 * with none (35 s). lookup returns the enum ntp_leap for the day containing
 * `when` and its TAI-UTC offset. */
#define LEAPSEC_CHECK_INSERT_DAY 1341014400    /* 2012-06-30 00:00:00 UTC */
#define LEAPSEC_CHECK_NORMAL_DAY 1356912000    /* 2012-12-31 00:00:00 UTC */
bool leapsec_check_database(int (*lookup)(void *ctx, time_t when, int *tai_offset), void *ctx);

/* ---- the leap second state ---- */

struct leapsec {
    enum leapsec_mode mode;
    int leap_sec;              /* armed for the end of the day: +1, -1, 0 */
    int tai_offset;            /* TAI-UTC from the database; 0 unknown */
    int status;                /* enum ntp_leap of our reference */
    bool in_progress;          /* between the start and the end of the leap */
    time_t when;               /* midnight of the last armed leap second, 0 none */
};

void leapsec_init(struct leapsec *ls, enum leapsec_mode mode);

/* What the leap second database says for today (have false: no database). */
struct leapsec_db_answer {
    bool have;
    int leap;                  /* enum ntp_leap */
    int tai_offset;
};

/* A new leap status: `leap` as the sources voted (NTP_LEAP_UNSYNC when we
 * are not synchronised), at raw Unix time `now` (its day decides; 0 only
 * with NTP_LEAP_UNSYNC). The database fills in when the sources announce
 * nothing. `close`: now is within LEAPSEC_CLOSE_S of a leap second (see
 * leapsec_is_close), when the armed second is not changed. `reset`: the
 * clock was stepped, so the start timer must be planned again.
 * Returns true when the armed leap second or the TAI-UTC offset changed
 * (leapsecmode system: program the kernel). *replan: (re)plan the start
 * timer from leapsec_start_time() (cancelling it when that says none). */
bool leapsec_update(struct leapsec *ls, int leap, time_t now,
                    const struct leapsec_db_answer *db, bool close, bool reset, bool *replan);

/* Raw time at which leapsec_start() is due; false when none is armed. */
bool leapsec_start_time(const struct leapsec *ls, struct timespec *at);

enum leapsec_action {
    LEAPSEC_ACT_WAIT,          /* system: the kernel applies it */
    LEAPSEC_ACT_SLEW,          /* slew the clock back by *offset_s */
    LEAPSEC_ACT_STEP,          /* step the clock back by *offset_s */
    LEAPSEC_ACT_IGNORE,        /* do nothing (and say so) */
};
/* The start timer fired. The leap second is in progress until
 * leapsec_end(), due LEAPSEC_END_DELAY_S later. */
enum leapsec_action leapsec_start(struct leapsec *ls, double *offset_s);
/* The leap second is over: the TAI-UTC offset moves, nothing is armed any
 * more. True when the kernel's flags are to be cleared (mode system). */
bool leapsec_end(struct leapsec *ls);

/* The leap status to announce: unsynchronised while in progress. */
int leapsec_announced(const struct leapsec *ls);
/* t (a Unix time) is within LEAPSEC_CLOSE_S of the last armed leap second. */
bool leapsec_is_close(const struct leapsec *ls, time_t t);

#endif
