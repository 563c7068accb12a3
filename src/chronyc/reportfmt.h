/* reportfmt: the lines of chronyc's reports, in chrony's three forms. A
 * format mixes literal text with fields written like printf's conversions
 * (%[+|-][width][.prec]LETTER). In plain output the text is printed and each
 * field in its human form; with -c only the fields are printed, separated
 * by commas, in a raw form (full-precision numbers, seconds since the
 * epoch, no units), one line per call.
 *
 * Field letters and the argument each takes:
 *   B int          Yes/No
 *   C int          log2 interval of the client log, " -" for none (>= 127)
 *   F double       frequency in ppm: "|x| ppm fast/slow"
 *   O double       offset in s: "|x| seconds fast/slow"
 *   I unsigned     an age in s: "123", "45m", "6h", "7d", "8y", "-" unknown
 *   L int          leap status; width 1: one character
 *   M int          NTP mode name
 *   N int          timestamping source ('D', 'K', 'H')
 *   P double       frequency in ppm, 3 decimals (+: signed)
 *   Q uint64_t     decimal
 *   R unsigned     reference ID, 8 hex digits
 *   S double       seconds scaled to ns/us/ms/s/m/h/d/y (+: signed)
 *   T const struct timespec *   UTC date and time
 *   U unsigned     decimal
 *   b unsigned     .prec binary digits
 *   c d f o s u    as printf ('-' or '+' with s: left-justified)
 * Every call ends its arguments with REPORTFMT_END (checked). */
#ifndef CW_CHRONYC_REPORTFMT_H
#define CW_CHRONYC_REPORTFMT_H

#include <stdbool.h>
#include <stdio.h>

#define REPORTFMT_END 0x5e9d

struct reportfmt {
    FILE *out;
    bool csv;
};

void reportfmt_print(const struct reportfmt *rf, const char *format, ...);

/* A header and its underline of '=' (not in CSV). */
void reportfmt_header(const struct reportfmt *rf, const char *header);

/* Plain printf text that CSV output leaves out. */
void reportfmt_info(const struct reportfmt *rf, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#endif
