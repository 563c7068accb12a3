/* getdate: a small scanner for settime's date and time forms. */
#include "chronyc/getdate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_WORD 16
#define MAX_LOOSE 2                     /* numbers around a month name: day, year */
#define MONTH_PREFIX 3
#define HOURS_PER_HALF_DAY 12
#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR 3600
#define TWO_DIGIT_YEAR_PIVOT 69         /* 69..99: 19xx, 0..68: 20xx */
#define MAX_HOUR 23
#define MAX_MINUTE 59
#define MAX_SECOND 60                   /* a leap second */

struct date_parts {
    int year, month, day;               /* month 1..12; 0: not given */
    bool have_date;
    int hour, minute, second;
    bool have_time;
    int meridian;                       /* 0 none, 1 am, 2 pm */
    bool have_zone;
    long zone_east_s;                   /* offset of the zone east of UTC */
    int loose[MAX_LOOSE];
    int n_loose;
    int loose_digits[MAX_LOOSE];
};

static const char *const months[] = {
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
};
static const char *const weekdays[] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

/* A month or weekday name, full or abbreviated to 3 or more letters
 * ("sept" too). Returns the index, -1 when none. */
static int find_name(const char *word, const char *const *names, int n)
{
    size_t len = strlen(word);
    if (len < MONTH_PREFIX)
        return -1;
    for (int i = 0; i < n; i++) {
        if (len <= strlen(names[i]) && strncasecmp(word, names[i], len) == 0)
            return i;
    }
    return -1;
}

static int read_number(const char **p, int *digits)
{
    int v = 0, n = 0;
    while (isdigit((unsigned char)**p) && n < 9) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *digits = n;
    return v;
}

static int full_year(int year, int digits)
{
    if (digits <= 2)
        return year < TWO_DIGIT_YEAR_PIVOT ? year + 2000 : year + 1900;
    return year;
}

static bool read_time(const char **p, int hour, struct date_parts *d)
{
    int digits;
    if (d->have_time)
        return false;
    (*p)++;                             /* ':' */
    d->hour = hour;
    d->minute = read_number(p, &digits);
    if (digits == 0)
        return false;
    d->second = 0;
    if (**p == ':') {
        (*p)++;
        d->second = read_number(p, &digits);
        if (digits == 0)
            return false;
        if (**p == '.') {               /* fractions of a second are dropped */
            (*p)++;
            read_number(p, &digits);
        }
    }
    d->have_time = true;
    return true;
}

static bool read_numeric_date(const char **p, int first, int first_digits, struct date_parts *d)
{
    int digits, second, third;
    char sep = **p;
    if (d->have_date)
        return false;
    (*p)++;
    second = read_number(p, &digits);
    if (digits == 0)
        return false;
    if (sep == '-') {                   /* YYYY-MM-DD */
        if (**p != '-')
            return false;
        (*p)++;
        third = read_number(p, &digits);
        if (digits == 0)
            return false;
        d->year = full_year(first, first_digits);
        d->month = second;
        d->day = third;
    } else {                            /* MM/DD[/YY[YY]] */
        d->month = first;
        d->day = second;
        d->year = 0;
        if (**p == '/') {
            (*p)++;
            third = read_number(p, &digits);
            if (digits == 0)
                return false;
            d->year = full_year(third, digits);
        }
    }
    d->have_date = true;
    return true;
}

static bool read_word(const char **p, struct date_parts *d)
{
    char word[MAX_WORD + 1];
    size_t n = 0;
    while (isalpha((unsigned char)**p) || **p == '.') {
        if (**p != '.') {
            if (n >= MAX_WORD)
                return false;
            word[n++] = (char)tolower((unsigned char)**p);
        }
        (*p)++;
    }
    word[n] = '\0';

    int m;
    if (strcmp(word, "am") == 0 || strcmp(word, "pm") == 0) {
        if (!d->have_time || d->meridian)
            return false;
        d->meridian = word[0] == 'a' ? 1 : 2;
    } else if (strcmp(word, "now") == 0 || strcmp(word, "today") == 0) {
        /* the current date (and time, for now) are the defaults */
    } else if (strcmp(word, "utc") == 0 || strcmp(word, "gmt") == 0 ||
               strcmp(word, "ut") == 0 || strcmp(word, "z") == 0) {
        if (d->have_zone)
            return false;
        d->have_zone = true;
        d->zone_east_s = 0;
    } else if ((m = find_name(word, months, 12)) >= 0) {
        if (d->month)
            return false;
        d->month = m + 1;
    } else if (find_name(word, weekdays, 7) < 0) {
        return false;
    }
    return true;
}

static bool read_zone_offset(const char **p, struct date_parts *d)
{
    int sign = **p == '-' ? -1 : 1, digits;
    (*p)++;
    int hhmm = read_number(p, &digits);
    if (digits != 4 || d->have_zone)
        return false;
    d->have_zone = true;
    d->zone_east_s = sign * ((long)(hhmm / 100) * SECONDS_PER_HOUR +
                             (long)(hhmm % 100) * SECONDS_PER_MINUTE);
    return true;
}

static bool scan(const char *p, struct date_parts *d)
{
    while (*p) {
        if (isspace((unsigned char)*p) || *p == ',') {
            p++;
        } else if (isdigit((unsigned char)*p)) {
            int digits, n = read_number(&p, &digits);
            if (*p == ':') {
                if (!read_time(&p, n, d))
                    return false;
            } else if ((*p == '-' && digits == 4) || *p == '/') {
                if (!read_numeric_date(&p, n, digits, d))
                    return false;
            } else {
                if (d->n_loose >= MAX_LOOSE)
                    return false;
                d->loose_digits[d->n_loose] = digits;
                d->loose[d->n_loose++] = n;
            }
        } else if (isalpha((unsigned char)*p)) {
            if (!read_word(&p, d))
                return false;
        } else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1])) {
            if (!read_zone_offset(&p, d))
                return false;
        } else {
            return false;
        }
    }
    return true;
}

bool getdate_parse(const char *text, time_t now, time_t *out)
{
    struct date_parts d;
    memset(&d, 0, sizeof d);
    if (!scan(text, &d))
        return false;

    /* numbers around a month name: the day, then the year */
    if (d.month && !d.have_date) {
        if (d.n_loose < 1)
            return false;
        d.day = d.loose[0];
        d.year = d.n_loose > 1 ? full_year(d.loose[1], d.loose_digits[1]) : 0;
        d.have_date = true;
    } else if (d.n_loose > 0) {
        return false;
    }

    if (d.meridian) {
        if (d.hour < 1 || d.hour > HOURS_PER_HALF_DAY)
            return false;
        d.hour %= HOURS_PER_HALF_DAY;
        if (d.meridian == 2)
            d.hour += HOURS_PER_HALF_DAY;
    }

    struct tm tm;
    if (d.have_zone)
        gmtime_r(&now, &tm);
    else
        localtime_r(&now, &tm);

    if (d.have_date) {
        if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31)
            return false;
        tm.tm_mon = d.month - 1;
        tm.tm_mday = d.day;
        if (d.year)
            tm.tm_year = d.year - 1900;
    }
    if (d.have_time) {
        if (d.hour > MAX_HOUR || d.minute > MAX_MINUTE || d.second > MAX_SECOND)
            return false;
        tm.tm_hour = d.hour;
        tm.tm_min = d.minute;
        tm.tm_sec = d.second;
    } else if (d.have_date) {
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    }
    if (!d.have_date && !d.have_time && !d.have_zone) {
        *out = now;                     /* "now" or "today" alone */
        return true;
    }

    time_t t;
    if (d.have_zone) {
        t = timegm(&tm);
        if (t == (time_t)-1)
            return false;
        t -= d.zone_east_s;
    } else {
        tm.tm_isdst = -1;
        t = mktime(&tm);
        if (t == (time_t)-1)
            return false;
    }
    *out = t;
    return true;
}
