/* Unit tests of chronyc's report fields, plain and CSV. */
#include "harness.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "chronyc/reportfmt.h"

#define END REPORTFMT_END

/* Formats into a memory stream; the text is returned (free it). */
static char *text;
static size_t text_len;

static struct reportfmt open_fmt(bool csv)
{
    return (struct reportfmt){ .out = open_memstream(&text, &text_len), .csv = csv };
}

static void close_fmt(struct reportfmt *rf)
{
    fclose(rf->out);
}

#define EXPECT(csv, want, ...) do { \
    struct reportfmt rf_ = open_fmt(csv); \
    reportfmt_print(&rf_, __VA_ARGS__, END); \
    close_fmt(&rf_); \
    CHECK_STR(text, want); \
    free(text); \
} while (0)

TEST(ages)
{
    EXPECT(false, "[   0]", "[%I]", 0u);
    EXPECT(false, "[1199]", "[%I]", 1199u);
    EXPECT(false, "[ 20m]", "[%I]", 1200u);
    EXPECT(false, "[599m]", "[%I]", 35999u);
    EXPECT(false, "[ 10h]", "[%I]", 36000u);
    EXPECT(false, "[ 95h]", "[%I]", 345599u);
    EXPECT(false, "[  4d]", "[%I]", 345600u);
    EXPECT(false, "[999d]", "[%I]", 999u * 86400 + 1);
    EXPECT(false, "[  2y]", "[%I]", 1000u * 86400);
    EXPECT(false, "[   -]", "[%I]", 0xffffffffu);
    EXPECT(true, "4294967295\n", "[%I]", 0xffffffffu);
    EXPECT(true, "1200\n", "[%I]", 1200u);
}

TEST(scaled_seconds)
{
    EXPECT(false, "[   0ns]", "[%S]", 0.0);
    EXPECT(false, "[  12ns]", "[%S]", -12e-9);          /* unsigned: magnitude */
    EXPECT(false, "[  -12ns]", "[%+S]", -12e-9);       /* one column for the sign */
    EXPECT(false, "[9999ns]", "[%S]", 9999.4e-9);
    EXPECT(false, "[  10us]", "[%S]", 9999.5e-9);
    EXPECT(false, "[+1235us]", "[%+S]", 1234.6e-6);
    EXPECT(false, "[  10ms]", "[%S]", 9999.5e-6);
    EXPECT(false, "[ 10.0s]", "[%S]", 9999.5e-3);
    EXPECT(false, "[-999.4s]", "[%+S]", -999.4);
    EXPECT(false, "[ 1000s]", "[%S]", 999.5);
    EXPECT(false, "[ 1667m]", "[%S]", 100000.0);
    EXPECT(false, "[ 1667h]", "[%S]", 6000000.0);
    EXPECT(false, "[27778h]", "[%S]", 1e8);
    EXPECT(false, "[ 4167d]", "[%S]", 3.6e8);
    EXPECT(false, "[  +317y]", "[%+S]", 1e10);
    /* CSV: plain seconds with 9 decimals, signed */
    EXPECT(true, "-0.000000012\n", "[%+S]", -12e-9);
    EXPECT(true, "-0.000000012\n", "[%S]", -12e-9);
}

TEST(frequencies)
{
    EXPECT(false, "[    12.346]", "[%P]", 12.3456);
    EXPECT(false, "[   -12.346]", "[%P]", -12.3456);
    EXPECT(false, "[   +12.346]", "[%+P]", 12.3456);
    EXPECT(false, "[    100000]", "[%P]", 99999.5);
    EXPECT(false, "[   -100000]", "[%+P]", -99999.5);
    EXPECT(true, "12.346\n", "[%+P]", 12.3456);
    /* F: a positive frequency is a fast clock; O: a positive offset slow */
    EXPECT(false, "1.500 ppm fast", "%.3F", 1.5);
    EXPECT(false, "1.500 ppm slow", "%.3F", -1.5);
    EXPECT(false, "0.000 ppm slow", "%.3F", 0.0);
    EXPECT(false, "0.000001000 seconds slow of", "%.9O of", 1e-6);
    EXPECT(false, "0.000001000 seconds fast of", "%.9O of", -1e-6);
    EXPECT(true, "-1.500\n", "%.3F", -1.5);
    EXPECT(true, "0.000001000\n", "%.9O of", 1e-6);
}

TEST(leap_mode_timestamping)
{
    EXPECT(false, "Normal N", "%L %1L", 0, 0);
    EXPECT(false, "Insert second +", "%L %1L", 1, 1);
    EXPECT(false, "Delete second -", "%L %1L", 2, 2);
    EXPECT(false, "Not synchronised ?", "%L %1L", 3, 3);
    EXPECT(false, "Invalid ?", "%L %1L", 7, 7);
    /* CSV drops the width: the long form */
    EXPECT(true, "Normal,Not synchronised\n", "%L %1L", 0, 3);
    EXPECT(false, "Symmetric active/Symmetric passive/Server/Invalid", "%M/%M/%M/%M",
           1, 2, 4, 3);
    EXPECT(false, "Daemon Kernel Hardware Invalid", "%N %N %N %N", 'D', 'K', 'H', 'x');
}

TEST(numbers_and_text)
{
    EXPECT(false, "[  42] [-7] [7F000001] [377] [Yes No]", "[%4U] [%d] [%R] [%o] [%B %B]",
           42u, -7, 0x7f000001u, 0377u, 1, 0);
    EXPECT(true, "42,-7,7F000001,377,Yes,No\n", "[%4U] [%d] [%R] [%o] [%B %B]",
           42u, -7, 0x7f000001u, 0377u, 1, 0);
    EXPECT(false, "[18446744073709551615]", "[%Q]", UINT64_MAX);
    EXPECT(false, "[ -] [ 3] [-2]", "[%C] [%C] [%C]", 127, 3, -2);
    EXPECT(true, "127,3,-2\n", "[%C] [%C] [%C]", 127, 3, -2);
    EXPECT(false, "[101 0101 1]", "[%.3b %.4b %.1b]", 0x2dU, 0x5U, 0x1U);
    EXPECT(false, "[ab   ][   ab][x]", "[%-5s][%5s][%c]", "ab", "ab", 'x');
    EXPECT(true, "ab,ab,x\n", "[%-5s][%5s][%c]", "ab", "ab", 'x');
    EXPECT(false, "+1.50 1.500", "%+.2f %.3f", 1.5, 1.5);
    EXPECT(true, "1.50,1.500\n", "%+.2f %.3f", 1.5, 1.5);
    EXPECT(false, "1.50000", "%f", 1.5);      /* no precision: 5 */
}

TEST(times)
{
    struct timespec ts = { .tv_sec = 1700000000, .tv_nsec = 5 };
    EXPECT(false, "Tue Nov 14 22:13:20 2023", "%T", &ts);
    EXPECT(true, "1700000000.000000005\n", "%T", &ts);
    struct timespec zero = { 0, 0 };
    EXPECT(false, "Thu Jan 01 00:00:00 1970", "%T", &zero);
}

TEST(csv_lines_and_headers)
{
    /* literal text, even the newline, is left out; one line per call */
    EXPECT(true, "1,2\n", "a %U\nb %U\n", 1u, 2u);
    EXPECT(false, "a 1\nb 2\n", "a %U\nb %U\n", 1u, 2u);

    struct reportfmt rf = open_fmt(false);
    reportfmt_header(&rf, "Name  X");
    reportfmt_info(&rf, "210 n = %d\n", 3);
    close_fmt(&rf);
    CHECK_STR(text, "Name  X\n=======\n210 n = 3\n");
    free(text);

    rf = open_fmt(true);
    reportfmt_header(&rf, "Name  X");
    reportfmt_info(&rf, "210 n = %d\n", 3);
    close_fmt(&rf);
    CHECK_STR(text, "");
    free(text);
}

TEST_LIST {
    T(ages),
    T(scaled_seconds),
    T(frequencies),
    T(leap_mode_timestamping),
    T(numbers_and_text),
    T(times),
    T(csv_lines_and_headers),
};
TEST_MAIN
