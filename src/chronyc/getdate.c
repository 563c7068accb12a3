/* getdate: settime's date language, read as chrony's chronyc reads it.
 *
 * chrony parses settime's argument with getdate.y, the public-domain
 * get_date() of Usenet fame. This is our own reading of that grammar: the
 * same words and tables, the same items and the same way of turning them
 * into a time, so that a line means the same instant to both chronyc's,
 * quirks included (see the notes on each item). It is an LL(1) parser over
 * a lexer that needs no context, which is equivalent because every choice
 * the grammar makes is decided by the next token (where yacc had a
 * shift/reduce conflict it shifts, i.e. the longer item wins; so do we). */
#include "chronyc/getdate.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

#define TM_YEAR_BASE 1900
#define MINUTES_PER_HOUR 60
#define MINUTES_PER_DAY (24 * MINUTES_PER_HOUR)
#define SECONDS_PER_MINUTE 60
#define DAYS_PER_WEEK 7
#define HOURS_PER_HALF_DAY 12
#define MAX_HOUR_24 23
/* Two-digit years: 0..68 are 20xx, 69..99 are 19xx (the XPG4 rule). */
#define TWO_DIGIT_YEAR_PIVOT 69
#define CENTURY 100
/* A word keeps at most this many letters; the rest are skipped. */
#define MAX_WORD_LETTERS 19
/* Month and weekday names may be cut to their first three letters. */
#define NAME_ABBREV_LEN 3
/* Digits beyond this stop adding up (only absurd input gets there; the
 * result then fails the range checks below). */
#define NUMBER_CAP 1000000000000LL
/* A bare number above this is a date YYYYMMDD, below it a time HH or HHMM. */
#define BARE_DATE_MIN 10000
/* Numbers of 4 digits and more after "/" style dates are YYYY/MM/DD. */
#define SLASH_YEAR_FIRST_MIN 1000

/* ---- tokens ---- */

enum rel_unit { REL_YEAR, REL_MONTH, REL_DAY, REL_HOUR, REL_MINUTE, REL_SECOND, N_REL };

enum token_kind {
    TOK_END,
    TOK_CHAR,           /* any other character: ':' '/' ',' ... */
    TOK_UNUMBER,        /* digits, or an ordinal word (value may be -1: "last") */
    TOK_SNUMBER,        /* digits after '+' or '-' (value signed) */
    TOK_MERIDIAN,       /* value: MER_AM or MER_PM */
    TOK_MONTH,          /* value 1..12 */
    TOK_WEEKDAY,        /* value 0 (Sunday) .. 6 */
    TOK_ZONE,           /* value: minutes west of UTC */
    TOK_DST_ZONE,       /* a summer-time zone: value is its standard offset */
    TOK_DST,            /* "dst" after a zone */
    TOK_UNIT,           /* a relative unit: unit, value multiplier */
    TOK_AGO,
    TOK_UNKNOWN,        /* a word in no table: always an error */
};

enum meridian { MER_24, MER_AM, MER_PM };

struct token {
    enum token_kind kind;
    long long value;
    enum rel_unit unit;
    char ch;
};

struct word {
    const char *name;
    enum token_kind kind;
    int value;
    enum rel_unit unit;
};

#define HOURS_WEST(h) ((h) * MINUTES_PER_HOUR)

/* Months, then weekdays; the first match wins (for 3-letter abbreviations
 * too, so the longer spellings below never win one). */
static const struct word month_day_words[] = {
    { "january", TOK_MONTH, 1, 0 },    { "february", TOK_MONTH, 2, 0 },
    { "march", TOK_MONTH, 3, 0 },      { "april", TOK_MONTH, 4, 0 },
    { "may", TOK_MONTH, 5, 0 },        { "june", TOK_MONTH, 6, 0 },
    { "july", TOK_MONTH, 7, 0 },       { "august", TOK_MONTH, 8, 0 },
    { "september", TOK_MONTH, 9, 0 },  { "sept", TOK_MONTH, 9, 0 },
    { "october", TOK_MONTH, 10, 0 },   { "november", TOK_MONTH, 11, 0 },
    { "december", TOK_MONTH, 12, 0 },
    { "sunday", TOK_WEEKDAY, 0, 0 },   { "monday", TOK_WEEKDAY, 1, 0 },
    { "tuesday", TOK_WEEKDAY, 2, 0 },  { "tues", TOK_WEEKDAY, 2, 0 },
    { "wednesday", TOK_WEEKDAY, 3, 0 }, { "wednes", TOK_WEEKDAY, 3, 0 },
    { "thursday", TOK_WEEKDAY, 4, 0 }, { "thur", TOK_WEEKDAY, 4, 0 },
    { "thurs", TOK_WEEKDAY, 4, 0 },    { "friday", TOK_WEEKDAY, 5, 0 },
    { "saturday", TOK_WEEKDAY, 6, 0 },
};

static const struct word unit_words[] = {
    { "year", TOK_UNIT, 1, REL_YEAR },       { "month", TOK_UNIT, 1, REL_MONTH },
    { "fortnight", TOK_UNIT, 14, REL_DAY },  { "week", TOK_UNIT, 7, REL_DAY },
    { "day", TOK_UNIT, 1, REL_DAY },         { "hour", TOK_UNIT, 1, REL_HOUR },
    { "minute", TOK_UNIT, 1, REL_MINUTE },   { "min", TOK_UNIT, 1, REL_MINUTE },
    { "second", TOK_UNIT, 1, REL_SECOND },   { "sec", TOK_UNIT, 1, REL_SECOND },
};

/* "tomorrow" and friends are minutes (so they move by exactly 24 hours);
 * "last", "next" and the ordinals are plain numbers ("second" is the unit,
 * not an ordinal). */
static const struct word other_words[] = {
    { "tomorrow", TOK_UNIT, MINUTES_PER_DAY, REL_MINUTE },
    { "yesterday", TOK_UNIT, -MINUTES_PER_DAY, REL_MINUTE },
    { "today", TOK_UNIT, 0, REL_MINUTE },    { "now", TOK_UNIT, 0, REL_MINUTE },
    { "last", TOK_UNUMBER, -1, 0 },          { "this", TOK_UNIT, 0, REL_MINUTE },
    { "next", TOK_UNUMBER, 1, 0 },           { "first", TOK_UNUMBER, 1, 0 },
    { "third", TOK_UNUMBER, 3, 0 },          { "fourth", TOK_UNUMBER, 4, 0 },
    { "fifth", TOK_UNUMBER, 5, 0 },          { "sixth", TOK_UNUMBER, 6, 0 },
    { "seventh", TOK_UNUMBER, 7, 0 },        { "eighth", TOK_UNUMBER, 8, 0 },
    { "ninth", TOK_UNUMBER, 9, 0 },          { "tenth", TOK_UNUMBER, 10, 0 },
    { "eleventh", TOK_UNUMBER, 11, 0 },      { "twelfth", TOK_UNUMBER, 12, 0 },
    { "ago", TOK_AGO, 1, 0 },
};

/* Zone names, with their offsets in minutes west of UTC. */
static const struct word zone_words[] = {
    { "gmt", TOK_ZONE, HOURS_WEST(0), 0 },     { "ut", TOK_ZONE, HOURS_WEST(0), 0 },
    { "utc", TOK_ZONE, HOURS_WEST(0), 0 },     { "wet", TOK_ZONE, HOURS_WEST(0), 0 },
    { "bst", TOK_DST_ZONE, HOURS_WEST(0), 0 }, { "wat", TOK_ZONE, HOURS_WEST(1), 0 },
    { "at", TOK_ZONE, HOURS_WEST(2), 0 },      { "ast", TOK_ZONE, HOURS_WEST(4), 0 },
    { "adt", TOK_DST_ZONE, HOURS_WEST(4), 0 }, { "est", TOK_ZONE, HOURS_WEST(5), 0 },
    { "edt", TOK_DST_ZONE, HOURS_WEST(5), 0 }, { "cst", TOK_ZONE, HOURS_WEST(6), 0 },
    { "cdt", TOK_DST_ZONE, HOURS_WEST(6), 0 }, { "mst", TOK_ZONE, HOURS_WEST(7), 0 },
    { "mdt", TOK_DST_ZONE, HOURS_WEST(7), 0 }, { "pst", TOK_ZONE, HOURS_WEST(8), 0 },
    { "pdt", TOK_DST_ZONE, HOURS_WEST(8), 0 }, { "yst", TOK_ZONE, HOURS_WEST(9), 0 },
    { "ydt", TOK_DST_ZONE, HOURS_WEST(9), 0 }, { "hst", TOK_ZONE, HOURS_WEST(10), 0 },
    { "hdt", TOK_DST_ZONE, HOURS_WEST(10), 0 }, { "cat", TOK_ZONE, HOURS_WEST(10), 0 },
    { "ahst", TOK_ZONE, HOURS_WEST(10), 0 },   { "nt", TOK_ZONE, HOURS_WEST(11), 0 },
    { "idlw", TOK_ZONE, HOURS_WEST(12), 0 },   { "cet", TOK_ZONE, HOURS_WEST(-1), 0 },
    { "met", TOK_ZONE, HOURS_WEST(-1), 0 },    { "mewt", TOK_ZONE, HOURS_WEST(-1), 0 },
    { "mest", TOK_DST_ZONE, HOURS_WEST(-1), 0 }, { "mesz", TOK_DST_ZONE, HOURS_WEST(-1), 0 },
    { "swt", TOK_ZONE, HOURS_WEST(-1), 0 },    { "sst", TOK_DST_ZONE, HOURS_WEST(-1), 0 },
    { "fwt", TOK_ZONE, HOURS_WEST(-1), 0 },    { "fst", TOK_DST_ZONE, HOURS_WEST(-1), 0 },
    { "eet", TOK_ZONE, HOURS_WEST(-2), 0 },    { "bt", TOK_ZONE, HOURS_WEST(-3), 0 },
    { "zp4", TOK_ZONE, HOURS_WEST(-4), 0 },    { "zp5", TOK_ZONE, HOURS_WEST(-5), 0 },
    { "zp6", TOK_ZONE, HOURS_WEST(-6), 0 },    { "wast", TOK_ZONE, HOURS_WEST(-7), 0 },
    { "wadt", TOK_DST_ZONE, HOURS_WEST(-7), 0 }, { "cct", TOK_ZONE, HOURS_WEST(-8), 0 },
    { "jst", TOK_ZONE, HOURS_WEST(-9), 0 },    { "east", TOK_ZONE, HOURS_WEST(-10), 0 },
    { "eadt", TOK_DST_ZONE, HOURS_WEST(-10), 0 }, { "gst", TOK_ZONE, HOURS_WEST(-10), 0 },
    { "nzt", TOK_ZONE, HOURS_WEST(-12), 0 },   { "nzst", TOK_ZONE, HOURS_WEST(-12), 0 },
    { "nzdt", TOK_DST_ZONE, HOURS_WEST(-12), 0 }, { "idle", TOK_ZONE, HOURS_WEST(-12), 0 },
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static bool find_exact(const struct word *table, size_t n, const char *w, struct token *t)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(table[i].name, w) == 0) {
            t->kind = table[i].kind;
            t->value = table[i].value;
            t->unit = table[i].unit;
            return true;
        }
    }
    return false;
}

/* One-letter military zones: A..I are 1..9 hours, K..M 10..12 hours, N..Y
 * -1..-12 hours (in get_date's sign convention, which is the reverse of
 * the military one), Z is UTC; J is none. */
static bool find_military_zone(const char *w, struct token *t)
{
    char c = w[0];
    int hours;
    if (w[1] != '\0' || !isalpha((unsigned char)c) || c == 'j')
        return false;
    if (c == 'z')
        hours = 0;
    else if (c < 'j')
        hours = c - 'a' + 1;
    else if (c <= 'm')
        hours = c - 'a';                /* J is skipped */
    else
        hours = -(c - 'n' + 1);
    t->kind = TOK_ZONE;
    t->value = HOURS_WEST(hours);
    return true;
}

/* The order of the look-ups matters and is get_date's: meridians, month and
 * weekday names (3 letters, or 3 and a dot, are an abbreviation), zones,
 * "dst", units, units without a plural "s", the other words, military
 * zones, and last zones written with dots ("e.s.t."). */
static struct token look_up_word(char *w)
{
    struct token t = { .kind = TOK_UNKNOWN };
    for (char *p = w; *p; p++)
        *p = (char)tolower((unsigned char)*p);

    if (strcmp(w, "am") == 0 || strcmp(w, "a.m.") == 0)
        return (struct token){ .kind = TOK_MERIDIAN, .value = MER_AM };
    if (strcmp(w, "pm") == 0 || strcmp(w, "p.m.") == 0)
        return (struct token){ .kind = TOK_MERIDIAN, .value = MER_PM };

    size_t len = strlen(w);
    bool abbrev = len == NAME_ABBREV_LEN;
    if (len == NAME_ABBREV_LEN + 1 && w[NAME_ABBREV_LEN] == '.') {
        abbrev = true;
        w[NAME_ABBREV_LEN] = '\0';      /* "sep." is "sep" from here on */
    }
    for (size_t i = 0; i < COUNT(month_day_words); i++) {
        const struct word *m = &month_day_words[i];
        if (abbrev ? strncmp(w, m->name, NAME_ABBREV_LEN) == 0 : strcmp(w, m->name) == 0)
            return (struct token){ .kind = m->kind, .value = m->value };
    }

    if (find_exact(zone_words, COUNT(zone_words), w, &t))
        return t;
    if (strcmp(w, "dst") == 0)
        return (struct token){ .kind = TOK_DST };
    if (find_exact(unit_words, COUNT(unit_words), w, &t))
        return t;
    len = strlen(w);
    if (w[len - 1] == 's') {
        w[len - 1] = '\0';
        bool found = find_exact(unit_words, COUNT(unit_words), w, &t);
        w[len - 1] = 's';               /* "this" must still be found below */
        if (found)
            return t;
    }
    if (find_exact(other_words, COUNT(other_words), w, &t))
        return t;
    if (find_military_zone(w, &t))
        return t;

    char *dst = w;
    bool had_dots = false;
    for (const char *src = w; *src; src++) {
        if (*src == '.')
            had_dots = true;
        else
            *dst++ = *src;
    }
    *dst = '\0';
    if (had_dots && find_exact(zone_words, COUNT(zone_words), w, &t))
        return t;
    return (struct token){ .kind = TOK_UNKNOWN };
}

struct lexer {
    const char *p;
    struct token tok;           /* the current token (one-token lookahead) */
};

static void next_token(struct lexer *lx)
{
    for (;;) {
        while (isspace((unsigned char)*lx->p))
            lx->p++;
        char c = *lx->p;

        if (isdigit((unsigned char)c) || c == '-' || c == '+') {
            int sign = 0;
            if (c == '-' || c == '+') {
                sign = c == '-' ? -1 : 1;
                lx->p++;
                if (!isdigit((unsigned char)*lx->p))
                    continue;           /* a lone sign is skipped */
            }
            long long v = 0;
            for (; isdigit((unsigned char)*lx->p); lx->p++) {
                if (v < NUMBER_CAP)
                    v = v * 10 + (*lx->p - '0');
            }
            lx->tok = (struct token){ .kind = sign ? TOK_SNUMBER : TOK_UNUMBER,
                                      .value = sign < 0 ? -v : v };
            return;
        }

        if (isalpha((unsigned char)c)) {
            char word[MAX_WORD_LETTERS + 1];
            size_t n = 0;
            for (; isalpha((unsigned char)*lx->p) || *lx->p == '.'; lx->p++) {
                if (n < MAX_WORD_LETTERS)
                    word[n++] = *lx->p;
            }
            word[n] = '\0';
            lx->tok = look_up_word(word);
            return;
        }

        if (c == '\0') {
            lx->tok = (struct token){ .kind = TOK_END };
            return;
        }

        if (c != '(') {
            lx->p++;
            lx->tok = (struct token){ .kind = TOK_CHAR, .ch = c };
            return;
        }

        /* A comment in parentheses, nested ones included; one left open
         * ends the input. */
        int depth = 0;
        do {
            c = *lx->p;
            if (c == '\0') {
                lx->tok = (struct token){ .kind = TOK_END };
                return;
            }
            lx->p++;
            if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
        } while (depth > 0);
    }
}

/* ---- items ---- */

struct items {
    long long year, month, day;         /* preset from "now" */
    long long hour, minute, second;
    enum meridian meridian;
    long long zone_west_min;
    long long day_ordinal, weekday;     /* "[N] weekday" */
    long long rel[N_REL];
    int n_time, n_zone, n_date, n_weekday, n_rel;
};

static bool is_char(const struct lexer *lx, char c)
{
    return lx->tok.kind == TOK_CHAR && lx->tok.ch == c;
}

static bool take_unumber(struct lexer *lx, long long *v)
{
    if (lx->tok.kind != TOK_UNUMBER)
        return false;
    *v = lx->tok.value;
    next_token(lx);
    return true;
}

/* "+hhmm" / "-hhmm" after a time of day: minutes west of UTC. */
static long long zone_of_offset(long long hhmm)
{
    long long a = hhmm < 0 ? -hhmm : hhmm;
    long long minutes = a % CENTURY + (a / CENTURY) * MINUTES_PER_HOUR;
    return hhmm < 0 ? minutes : -minutes;
}

/* UNIT [ago], after its count (1 when there is none). "ago" negates every
 * relative amount read so far, not only this one, as in get_date. */
static void relative(struct lexer *lx, struct items *it, long long count)
{
    it->rel[lx->tok.unit] += count * lx->tok.value;
    next_token(lx);
    if (lx->tok.kind == TOK_AGO) {
        for (int u = 0; u < N_REL; u++)
            it->rel[u] = -it->rel[u];
        next_token(lx);
    }
    it->n_rel++;
}

/* HH:MM[:SS] [am|pm|+hhmm], after HH and ':'. */
static bool time_of_day(struct lexer *lx, struct items *it, long long hour)
{
    long long minute, second = 0;
    if (!take_unumber(lx, &minute))
        return false;
    bool with_seconds = false;
    if (is_char(lx, ':')) {
        next_token(lx);
        if (!take_unumber(lx, &second))
            return false;
        with_seconds = true;
    }
    it->hour = hour;
    it->minute = minute;
    if (lx->tok.kind == TOK_SNUMBER) {
        /* HH:MM +hhmm leaves the seconds as they were (those of "now"
         * unless an earlier item set them): get_date's rule does not set
         * them, and chronyc sends what it gets. */
        if (with_seconds)
            it->second = second;
        it->meridian = MER_24;
        it->zone_west_min = zone_of_offset(lx->tok.value);
        it->n_zone++;
        next_token(lx);
    } else {
        it->second = second;
        it->meridian = MER_24;
        if (lx->tok.kind == TOK_MERIDIAN) {
            it->meridian = (enum meridian)lx->tok.value;
            next_token(lx);
        }
    }
    it->n_time++;
    return true;
}

/* A number standing alone: the year after a date and a time (when no
 * relative item came yet), else YYYYMMDD above BARE_DATE_MIN, else HH or
 * HHMM. */
static void bare_number(struct items *it, long long n)
{
    if (it->n_time && it->n_date && !it->n_rel) {
        it->year = n;
    } else if (n > BARE_DATE_MIN) {
        it->n_date++;
        it->day = n % CENTURY;
        it->month = (n / CENTURY) % CENTURY;
        it->year = n / (CENTURY * CENTURY);
    } else {
        it->n_time++;
        it->hour = n < CENTURY ? n : n / CENTURY;
        it->minute = n < CENTURY ? 0 : n % CENTURY;
        it->second = 0;
        it->meridian = MER_24;
    }
}

/* An item starting with an unsigned number. */
static bool number_item(struct lexer *lx, struct items *it)
{
    long long n = lx->tok.value, b, c;
    next_token(lx);

    switch (lx->tok.kind) {
    case TOK_MERIDIAN:                  /* 4pm */
        it->hour = n;
        it->minute = it->second = 0;
        it->meridian = (enum meridian)lx->tok.value;
        it->n_time++;
        next_token(lx);
        return true;
    case TOK_WEEKDAY:                   /* 2 monday: the second one from today */
        it->day_ordinal = n;
        it->weekday = lx->tok.value;
        it->n_weekday++;
        next_token(lx);
        return true;
    case TOK_SNUMBER:                   /* 2015-09-25 */
        b = lx->tok.value;
        next_token(lx);
        if (lx->tok.kind != TOK_SNUMBER)
            return false;
        it->year = n;
        it->month = -b;
        it->day = -lx->tok.value;
        it->n_date++;
        next_token(lx);
        return true;
    case TOK_MONTH:                     /* 25 sep [2015], 17-jun-1992 */
        it->day = n;
        it->month = lx->tok.value;
        next_token(lx);
        if (lx->tok.kind == TOK_SNUMBER || lx->tok.kind == TOK_UNUMBER) {
            it->year = lx->tok.kind == TOK_SNUMBER ? -lx->tok.value : lx->tok.value;
            next_token(lx);
        }
        it->n_date++;
        return true;
    case TOK_UNIT:                      /* 5 min [ago] */
        relative(lx, it, n);
        return true;
    case TOK_CHAR:
        if (lx->tok.ch == ':') {
            next_token(lx);
            return time_of_day(lx, it, n);
        }
        if (lx->tok.ch == '/') {        /* 9/25[/2015], 2015/09/25 */
            next_token(lx);
            if (!take_unumber(lx, &b))
                return false;
            if (is_char(lx, '/')) {
                next_token(lx);
                if (!take_unumber(lx, &c))
                    return false;
                if (n >= SLASH_YEAR_FIRST_MIN) {
                    it->year = n;
                    it->month = b;
                    it->day = c;
                } else {
                    it->month = n;
                    it->day = b;
                    it->year = c;
                }
            } else {
                it->month = n;
                it->day = b;
            }
            it->n_date++;
            return true;
        }
        break;
    default:
        break;
    }
    bare_number(it, n);
    return true;
}

static bool item(struct lexer *lx, struct items *it)
{
    long long v;
    switch (lx->tok.kind) {
    case TOK_UNUMBER:
        return number_item(lx, it);
    case TOK_SNUMBER:                   /* -1 day */
        v = lx->tok.value;
        next_token(lx);
        if (lx->tok.kind != TOK_UNIT)
            return false;
        relative(lx, it, v);
        return true;
    case TOK_UNIT:                      /* tomorrow, week [ago] */
        relative(lx, it, 1);
        return true;
    case TOK_MONTH:                     /* sep 25[, 2015] */
        it->month = lx->tok.value;
        next_token(lx);
        if (!take_unumber(lx, &it->day))
            return false;
        if (is_char(lx, ',')) {
            next_token(lx);
            if (!take_unumber(lx, &it->year))
                return false;
        }
        it->n_date++;
        return true;
    case TOK_WEEKDAY:                   /* friday[,] */
        it->day_ordinal = 1;
        it->weekday = lx->tok.value;
        it->n_weekday++;
        next_token(lx);
        if (is_char(lx, ','))
            next_token(lx);
        return true;
    case TOK_ZONE:                      /* utc, cet [dst] */
        it->zone_west_min = lx->tok.value;
        next_token(lx);
        if (lx->tok.kind == TOK_DST) {
            it->zone_west_min -= MINUTES_PER_HOUR;
            next_token(lx);
        }
        it->n_zone++;
        return true;
    case TOK_DST_ZONE:                  /* cest-like names: an hour east */
        it->zone_west_min = lx->tok.value - MINUTES_PER_HOUR;
        it->n_zone++;
        next_token(lx);
        return true;
    default:
        return false;
    }
}

/* ---- from items to a time ---- */

static long long full_year(long long year)
{
    if (year < 0)
        year = -year;
    if (year < TWO_DIGIT_YEAR_PIVOT)
        return year + 2000;
    if (year < CENTURY)
        return year + 1900;
    return year;
}

/* The hour on the 24-hour clock, -1 when out of range. */
static long long hour_24(long long hour, enum meridian m)
{
    if (m == MER_24)
        return hour >= 0 && hour <= MAX_HOUR_24 ? hour : -1;
    if (hour < 1 || hour > HOURS_PER_HALF_DAY)
        return -1;
    return hour % HOURS_PER_HALF_DAY + (m == MER_PM ? HOURS_PER_HALF_DAY : 0);
}

static bool set_field(int *field, long long v)
{
    if (v < INT_MIN || v > INT_MAX)
        return false;
    *field = (int)v;
    return true;
}

bool getdate_parse(const char *text, time_t now, time_t *out)
{
    struct tm now_tm;
    if (!localtime_r(&now, &now_tm))
        return false;

    struct items it = {
        .year = now_tm.tm_year + TM_YEAR_BASE,
        .month = now_tm.tm_mon + 1,
        .day = now_tm.tm_mday,
        .hour = now_tm.tm_hour,
        .minute = now_tm.tm_min,
        .second = now_tm.tm_sec,
        .meridian = MER_24,
    };
    struct lexer lx = { .p = text };
    next_token(&lx);
    while (lx.tok.kind != TOK_END) {
        if (!item(&lx, &it))
            return false;
    }
    if (it.n_time > 1 || it.n_zone > 1 || it.n_date > 1 || it.n_weekday > 1)
        return false;

    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_isdst = now_tm.tm_isdst;
    long long hour = 0, minute = 0, second = 0;
    /* The time of day is "now" for relative items alone, midnight when a
     * date or weekday comes without one. */
    if (it.n_time || (it.n_rel && !it.n_date && !it.n_weekday)) {
        hour = hour_24(it.hour, it.meridian);
        if (hour < 0)
            return false;
        minute = it.minute;
        second = it.second;
    }
    if (!set_field(&tm.tm_year, full_year(it.year) - TM_YEAR_BASE + it.rel[REL_YEAR]) ||
        !set_field(&tm.tm_mon, it.month - 1 + it.rel[REL_MONTH]) ||
        !set_field(&tm.tm_mday, it.day + it.rel[REL_DAY]) ||
        !set_field(&tm.tm_hour, hour + it.rel[REL_HOUR]) ||
        !set_field(&tm.tm_min, minute + it.rel[REL_MINUTE]) ||
        !set_field(&tm.tm_sec, second + it.rel[REL_SECOND]))
        return false;

    /* Hours, minutes and seconds move by elapsed time (the summer-time flag
     * of now is kept); anything naming a date or a day is wall-clock time
     * whose flag mktime() works out. */
    if (it.n_date || it.n_weekday || it.n_time ||
        it.rel[REL_DAY] || it.rel[REL_MONTH] || it.rel[REL_YEAR])
        tm.tm_isdst = -1;

    long long zone_west_min = it.zone_west_min;
    struct tm tm0 = tm;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 && it.n_zone) {
        /* Near the ends of time_t a wall time in another zone may exist
         * where the same local one does not: try a day inwards and move
         * the zone by a day to make up for it. */
        tm = tm0;
        if (tm.tm_year <= 1970 - TM_YEAR_BASE) {
            tm.tm_mday++;
            zone_west_min -= MINUTES_PER_DAY;
        } else {
            tm.tm_mday--;
            zone_west_min += MINUTES_PER_DAY;
        }
        t = mktime(&tm);
    }
    if (t == (time_t)-1)
        return false;

    if (it.n_weekday && !it.n_date) {
        /* the next such weekday from the date (today included), then
         * whole weeks on for ordinals above 1, back for 0 and below */
        long long ahead = (it.weekday - tm.tm_wday + DAYS_PER_WEEK) % DAYS_PER_WEEK +
                          DAYS_PER_WEEK * (it.day_ordinal - (it.day_ordinal > 0));
        if (!set_field(&tm.tm_mday, tm.tm_mday + ahead))
            return false;
        t = mktime(&tm);
        if (t == (time_t)-1)
            return false;
    }

    if (it.n_zone) {
        /* The fields were read as local time: shift by the local offset at
         * that instant (the local fields read as UTC minus the instant) and
         * by the zone's. */
        struct tm as_utc = tm;
        time_t local_as_utc = timegm(&as_utc);
        if (local_as_utc == (time_t)-1)
            return false;
        long long delta = zone_west_min * SECONDS_PER_MINUTE + ((long long)local_as_utc - t);
        /* mktime() only gives times of int years, far from the ends of a
         * 64-bit time_t; a 32-bit one may overflow */
        long long shifted = (long long)t + delta;
        if ((time_t)shifted != shifted)
            return false;
        t = (time_t)shifted;
    }

    /* get_date() answers -1 for failure, so that instant is one too */
    if (t == (time_t)-1)
        return false;
    *out = t;
    return true;
}
