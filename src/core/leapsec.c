/* leapsec: leap second decisions and the leap-seconds.list format (see
 * leapsec.h). */
#include "core/leapsec.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ntp_wire.h"

/* TAI-UTC was 10 s when the list's first entry (1972) took effect. */
#define LIST_INITIAL_TAI_OFFSET 10
/* TAI-UTC on the two days of the database check. */
#define CHECK_INSERT_DAY_TAI 34
#define CHECK_NORMAL_DAY_TAI 35
/* The start timer of leapsecmode system runs this much (s) before the
 * kernel's leap second. */
#define SYSTEM_LEAD_S 0.5
#define NS_PER_S 1000000000L

static long long day_of(time_t t)
{
    long long days = (long long)t / LEAPSEC_SECONDS_PER_DAY;
    if ((long long)t % LEAPSEC_SECONDS_PER_DAY < 0)
        days--;
    return days;
}

bool leapsec_is_leap_day(time_t t)
{
    /* the civil date from the days since 1970-01-01 (proleptic Gregorian) */
    long long z = day_of(t) + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9;
    return (m == 6 && d == 30) || (m == 12 && d == 31);
}

time_t leapsec_next_midnight(time_t t)
{
    return (time_t)((day_of(t) + 1) * LEAPSEC_SECONDS_PER_DAY);
}

/* ---- leap-seconds.list ---- */

void leapsec_list_begin(struct leapsec_list_scan *s, time_t when)
{
    memset(s, 0, sizeof *s);
    s->when1900 = (int64_t)leapsec_next_midnight(when) + LEAPSEC_LIST_EPOCH_OFFSET;
    s->leap = NTP_LEAP_NORMAL;
    s->prev_tai_offset = LIST_INITIAL_TAI_OFFSET;
}

/* "#X NUMBER": the number after a special comment's marker. */
static bool special_number(const char *text, int64_t *out)
{
    long long v;
    if (sscanf(text, "%lld", &v) != 1)
        return false;
    *out = (int64_t)v;
    return true;
}

bool leapsec_list_line(struct leapsec_list_scan *s, const char *line)
{
    const char *p = line;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (!*p)
        return true;

    if (line[0] == '#') {
        bool ok = true;
        if (line[1] == '$')
            ok = special_number(line + 2, &s->updated);
        else if (line[1] == '@')
            ok = special_number(line + 2, &s->expiry);
        if (!ok)
            s->error = true;
        return ok;
    }

    long long when;
    int tai;
    if (sscanf(line, "%lld %d", &when, &tai) != 2) {
        s->error = true;
        return false;
    }
    if ((int64_t)when == s->when1900) {
        if (tai > s->prev_tai_offset)
            s->leap = NTP_LEAP_INSERT;
        else if (tai < s->prev_tai_offset)
            s->leap = NTP_LEAP_DELETE;
        /* the asked day ends at this entry: its offset is still the old one */
        s->tai_offset = s->prev_tai_offset;
    } else if (s->when1900 > (int64_t)when) {
        s->tai_offset = tai;
    }
    s->prev_tai_offset = tai;
    return true;
}

bool leapsec_list_end(const struct leapsec_list_scan *s, int *leap, int *tai_offset,
                      bool *expired)
{
    *leap = NTP_LEAP_NORMAL;
    *tai_offset = 0;
    *expired = false;
    if (s->error || s->updated == 0 || s->expiry == 0)
        return false;
    *leap = s->leap;
    *tai_offset = s->tai_offset;
    *expired = s->when1900 >= s->expiry;
    return true;
}

bool leapsec_check_database(int (*lookup)(void *ctx, time_t when, int *tai_offset), void *ctx)
{
    int tai = 0;
    if (lookup(ctx, LEAPSEC_CHECK_INSERT_DAY, &tai) != NTP_LEAP_INSERT ||
        tai != CHECK_INSERT_DAY_TAI)
        return false;
    tai = 0;
    return lookup(ctx, LEAPSEC_CHECK_NORMAL_DAY, &tai) == NTP_LEAP_NORMAL &&
           tai == CHECK_NORMAL_DAY_TAI;
}

/* ---- the state ---- */

void leapsec_init(struct leapsec *ls, enum leapsec_mode mode)
{
    memset(ls, 0, sizeof *ls);
    ls->mode = mode;
    ls->status = NTP_LEAP_UNSYNC;
}

bool leapsec_update(struct leapsec *ls, int leap, time_t now,
                    const struct leapsec_db_answer *db, bool close, bool reset, bool *replan)
{
    int leap_sec = 0, tai = 0;
    *replan = false;

    if (now != 0 && db && db->have) {
        tai = db->tai_offset;
        if (leap == NTP_LEAP_NORMAL)
            leap = db->leap;
    }
    if (leap == NTP_LEAP_INSERT || leap == NTP_LEAP_DELETE) {
        /* only the last day of June or December can end with one */
        if (now != 0 && leapsec_is_leap_day(now))
            leap_sec = leap == NTP_LEAP_INSERT ? 1 : -1;
        else
            leap = NTP_LEAP_NORMAL;
    }

    bool changed = false;
    if ((leap_sec != ls->leap_sec || tai != ls->tai_offset) && !close) {
        ls->leap_sec = leap_sec;
        ls->tai_offset = tai;
        changed = true;
        *replan = true;
    } else if (reset) {
        *replan = true;
    }
    if (*replan) {
        ls->in_progress = false;
        if (ls->leap_sec)
            ls->when = leapsec_next_midnight(now);
    }
    ls->status = leap;
    return changed;
}

bool leapsec_start_time(const struct leapsec *ls, struct timespec *at)
{
    if (!ls->leap_sec || ls->when == 0)
        return false;
    at->tv_sec = ls->when;
    at->tv_nsec = 0;
    /* a deleted second is 23:59:59 itself */
    if (ls->leap_sec < 0)
        at->tv_sec--;
    if (ls->mode == LEAPSEC_SYSTEM) {
        at->tv_sec--;
        at->tv_nsec = (long)((1.0 - SYSTEM_LEAD_S) * NS_PER_S);
    }
    return true;
}

enum leapsec_action leapsec_start(struct leapsec *ls, double *offset_s)
{
    ls->in_progress = true;
    *offset_s = ls->leap_sec;
    switch (ls->mode) {
    case LEAPSEC_SLEW:
        return LEAPSEC_ACT_SLEW;
    case LEAPSEC_STEP:
        return LEAPSEC_ACT_STEP;
    case LEAPSEC_IGNORE:
        return LEAPSEC_ACT_IGNORE;
    default:
        *offset_s = 0.0;
        return LEAPSEC_ACT_WAIT;
    }
}

bool leapsec_end(struct leapsec *ls)
{
    ls->in_progress = false;
    if (ls->tai_offset)
        ls->tai_offset += ls->leap_sec;
    ls->leap_sec = 0;
    if (ls->status == NTP_LEAP_INSERT || ls->status == NTP_LEAP_DELETE)
        ls->status = NTP_LEAP_NORMAL;
    return ls->mode == LEAPSEC_SYSTEM;
}

int leapsec_announced(const struct leapsec *ls)
{
    return ls->in_progress ? NTP_LEAP_UNSYNC : ls->status;
}

bool leapsec_is_close(const struct leapsec *ls, time_t t)
{
    return ls->when != 0 && t >= ls->when - LEAPSEC_CLOSE_S && t < ls->when + LEAPSEC_CLOSE_S;
}
