/* reportfmt: plain and CSV forms of report fields. */
#include "chronyc/reportfmt.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_PRECISION 5
#define CSV_FREQ_PRECISION 3
#define CSV_SECONDS_PRECISION 9
#define CLIENTLOG_NO_INTERVAL 127
#define UNKNOWN_AGE UINT32_MAX

/* Unit steps of the scaled forms (I, S). */
#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR 3600
#define SECONDS_PER_DAY 86400
#define DAYS_PER_YEAR 365

/* NTP leap indicator and modes as the daemon reports them. */
enum { LEAP_NORMAL, LEAP_INSERT, LEAP_DELETE, LEAP_UNSYNC };
enum { NTP_MODE_ACTIVE = 1, NTP_MODE_PASSIVE = 2, NTP_MODE_SERVER = 4 };

struct field {
    bool sign;                  /* '+' or '-' was given */
    int width;
    int prec;
    char letter;
};

/* An age in seconds in four characters. */
static void put_age(FILE *out, uint32_t s)
{
    if (s == UNKNOWN_AGE)
        fputs("   -", out);
    else if (s < 1200)
        fprintf(out, "%4" PRIu32, s);
    else if (s < 36000)
        fprintf(out, "%3" PRIu32 "m", s / SECONDS_PER_MINUTE);
    else if (s < 345600)
        fprintf(out, "%3" PRIu32 "h", s / SECONDS_PER_HOUR);
    else if (s / SECONDS_PER_DAY > 999)
        fprintf(out, "%3" PRIu32 "y", s / SECONDS_PER_DAY / DAYS_PER_YEAR);
    else
        fprintf(out, "%3" PRIu32 "d", s / SECONDS_PER_DAY);
}

/* Seconds in the unit that keeps four significant digits: "%4.0fns" ... or
 * with a sign and one more column ("%+5.0fns" ...). */
static void put_scaled_seconds(FILE *out, double s, bool sign)
{
    static const struct {
        double below;           /* magnitude limit of this unit */
        double scale;           /* multiply by */
        const char *plain, *signed_fmt;
    } units[] = {
        { 9999.5e-9, 1e9, "%4.0fns", "%+5.0fns" },
        { 9999.5e-6, 1e6, "%4.0fus", "%+5.0fus" },
        { 9999.5e-3, 1e3, "%4.0fms", "%+5.0fms" },
        { 999.5, 1.0, "%5.1fs", "%+6.1fs" },
        { 99999.5, 1.0, "%5.0fs", "%+6.0fs" },
        { 99999.5 * SECONDS_PER_MINUTE, 1.0 / SECONDS_PER_MINUTE, "%5.0fm", "%+6.0fm" },
        { 99999.5 * SECONDS_PER_HOUR, 1.0 / SECONDS_PER_HOUR, "%5.0fh", "%+6.0fh" },
        { 99999.5 * SECONDS_PER_DAY, 1.0 / SECONDS_PER_DAY, "%5.0fd", "%+6.0fd" },
    };
    double mag = fabs(s);
    double v = sign ? s : mag;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (mag < units[i].below) {
            fprintf(out, sign ? units[i].signed_fmt : units[i].plain, v * units[i].scale);
            return;
        }
    }
    fprintf(out, sign ? "%+6.0fy" : "%5.0fy", v / ((double)SECONDS_PER_DAY * DAYS_PER_YEAR));
}

static void put_ppm(FILE *out, double f, bool sign)
{
    if (fabs(f) < 99999.5)
        fprintf(out, sign ? "%+10.3f" : "%10.3f", f);
    else
        fprintf(out, sign ? "%+10.0f" : "%10.0f", f);
}

static const char *leap_text(int leap, bool short_form)
{
    switch (leap) {
    case LEAP_NORMAL: return short_form ? "N" : "Normal";
    case LEAP_INSERT: return short_form ? "+" : "Insert second";
    case LEAP_DELETE: return short_form ? "-" : "Delete second";
    case LEAP_UNSYNC: return short_form ? "?" : "Not synchronised";
    default: return short_form ? "?" : "Invalid";
    }
}

static const char *mode_text(int mode)
{
    switch (mode) {
    case NTP_MODE_ACTIVE: return "Symmetric active";
    case NTP_MODE_PASSIVE: return "Symmetric passive";
    case NTP_MODE_SERVER: return "Server";
    default: return "Invalid";
    }
}

static const char *timestamping_text(int c)
{
    switch (c) {
    case 'D': return "Daemon";
    case 'K': return "Kernel";
    case 'H': return "Hardware";
    default: return "Invalid";
    }
}

/* The raw CSV form of a field: no width or sign, numbers in full. */
static void csv_form(struct field *f)
{
    f->sign = false;
    f->width = 0;
    switch (f->letter) {
    case 'C': f->letter = 'd'; break;
    case 'F': case 'P': f->letter = 'f'; f->prec = CSV_FREQ_PRECISION; break;
    case 'O': case 'S': f->letter = 'f'; f->prec = CSV_SECONDS_PRECISION; break;
    case 'I': f->letter = 'U'; break;
    case 'T': f->letter = 'V'; break;     /* seconds since the epoch */
    default: break;
    }
}

static void put_field(FILE *out, const struct field *f, va_list *ap)
{
    switch (f->letter) {
    case 'B':
        fputs(va_arg(*ap, int) ? "Yes" : "No", out);
        break;
    case 'C': {
        int rate = va_arg(*ap, int);
        if (rate >= CLIENTLOG_NO_INTERVAL)
            fputs(" -", out);
        else
            fprintf(out, "%2d", rate);
        break;
    }
    case 'F':
    case 'O': {
        double v = va_arg(*ap, double);
        bool offset = f->letter == 'O';
        /* a positive offset is a slow clock, a positive frequency a fast one */
        bool slow = offset ? v > 0.0 : !(v > 0.0);
        fprintf(out, "%*.*f %s %s", f->width, f->prec, fabs(v), offset ? "seconds" : "ppm",
                slow ? "slow" : "fast");
        break;
    }
    case 'I':
        put_age(out, va_arg(*ap, unsigned int));
        break;
    case 'L':
        fputs(leap_text(va_arg(*ap, int), f->width == 1), out);
        break;
    case 'M':
        fputs(mode_text(va_arg(*ap, int)), out);
        break;
    case 'N':
        fputs(timestamping_text(va_arg(*ap, int)), out);
        break;
    case 'P':
        put_ppm(out, va_arg(*ap, double), f->sign);
        break;
    case 'Q':
        fprintf(out, "%*" PRIu64, f->width, va_arg(*ap, uint64_t));
        break;
    case 'R':
        fprintf(out, "%08X", va_arg(*ap, unsigned int));
        break;
    case 'S':
        put_scaled_seconds(out, va_arg(*ap, double), f->sign);
        break;
    case 'T': {
        const struct timespec *ts = va_arg(*ap, const struct timespec *);
        struct tm tm;
        char buf[64];
        if (gmtime_r(&ts->tv_sec, &tm) && strftime(buf, sizeof buf, "%a %b %d %T %Y", &tm))
            fputs(buf, out);
        break;
    }
    case 'U':
        fprintf(out, "%*u", f->width, va_arg(*ap, unsigned int));
        break;
    case 'V': {
        const struct timespec *ts = va_arg(*ap, const struct timespec *);
        fprintf(out, "%" PRId64 ".%09lu", (int64_t)ts->tv_sec, (unsigned long)ts->tv_nsec);
        break;
    }
    case 'b': {
        unsigned int bits = va_arg(*ap, unsigned int);
        for (int i = f->prec - 1; i >= 0; i--)
            fputc(bits & 1U << i ? '1' : '0', out);
        break;
    }
    case 'c':
        fputc(va_arg(*ap, int), out);
        break;
    case 'd':
        fprintf(out, "%*d", f->width, va_arg(*ap, int));
        break;
    case 'f':
        fprintf(out, f->sign ? "%+*.*f" : "%*.*f", f->width, f->prec, va_arg(*ap, double));
        break;
    case 'o':
        fprintf(out, "%*o", f->width, va_arg(*ap, unsigned int));
        break;
    case 's':
        fprintf(out, f->sign ? "%-*s" : "%*s", f->width, va_arg(*ap, const char *));
        break;
    case 'u':
        fprintf(out, "%*u", f->width, va_arg(*ap, unsigned int));
        break;
    default:
        assert(!"unknown report field");
    }
}

void reportfmt_print(const struct reportfmt *rf, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);

    for (int n_fields = 0;; n_fields++) {
        size_t text = strcspn(format, "%");
        if (!rf->csv)
            fwrite(format, 1, text, rf->out);
        format += text;
        if (!format[0] || !format[1])
            break;
        format++;

        struct field f = { .prec = DEFAULT_PRECISION };
        if (*format == '+' || *format == '-') {
            f.sign = true;
            format++;
        }
        if (isdigit((unsigned char)*format))
            f.width = (int)strtol(format, (char **)&format, 10);
        if (*format == '.') {
            format++;
            f.prec = (int)strtol(format, (char **)&format, 10);
        }
        f.letter = *format++;

        if (rf->csv) {
            csv_form(&f);
            if (n_fields > 0)
                fputc(',', rf->out);
        }
        put_field(rf->out, &f, &ap);
    }

    int end = va_arg(ap, int);
    assert(end == REPORTFMT_END);
    (void)end;
    va_end(ap);

    if (rf->csv)
        fputc('\n', rf->out);
}

void reportfmt_header(const struct reportfmt *rf, const char *header)
{
    if (rf->csv)
        return;
    fprintf(rf->out, "%s\n", header);
    for (size_t i = strlen(header); i > 0; i--)
        fputc('=', rf->out);
    fputc('\n', rf->out);
}

void reportfmt_info(const struct reportfmt *rf, const char *format, ...)
{
    if (rf->csv)
        return;
    va_list ap;
    va_start(ap, format);
    vfprintf(rf->out, format, ap);
    va_end(ap);
}
