/* Unit tests of common/log: the line format of the stderr and file sinks
 * (chrony's "YYYY-MM-DDTHH:MM:SSZ message") with the clock the program
 * installs, lines without a stamp when none is installed, and the
 * threshold. */
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct timespec fake_now;

static void fake_clock(struct timespec *now)
{
    *now = fake_now;
}

/* Everything logged into a temporary stream, then read back. */
static FILE *stream;

static void capture(void)
{
    stream = tmpfile();
    if (!stream)
        abort();
    /* log owns the stream from here (log_to_stderr closes it) */
    log_to_stream(stream);
}

static const char *captured(void)
{
    static char buf[1024];
    fflush(stream);
    rewind(stream);
    size_t n = fread(buf, 1, sizeof buf - 1, stream);
    buf[n] = '\0';
    return buf;
}

TEST(stamp_from_installed_clock)
{
    capture();
    fake_now = (struct timespec){ 1234567890, 999999999 };
    log_set_clock(fake_clock);
    LOG_INFO("chronyd version %s starting", "X");
    fake_now.tv_sec = 951782400;            /* 2000-02-29 */
    LOG_WARN("second %d", 2);
    CHECK_STR(captured(), "2009-02-13T23:31:30Z chronyd version X starting\n"
                          "2000-02-29T00:00:00Z second 2\n");
    log_set_clock(NULL);
    log_to_stderr();
}

TEST(no_clock_no_stamp)
{
    capture();
    log_set_clock(NULL);
    LOG_ERR("plain %s", "line");
    CHECK_STR(captured(), "plain line\n");
    log_to_stderr();
}

TEST(threshold)
{
    capture();
    log_set_clock(fake_clock);
    fake_now = (struct timespec){ 0, 0 };
    log_set_threshold(LOG_LVL_WARN);
    LOG_INFO("dropped");
    LOG_WARN("kept");
    log_set_threshold(LOG_LVL_INFO);
    CHECK_STR(captured(), "1970-01-01T00:00:00Z kept\n");
    log_set_clock(NULL);
    log_to_stderr();
}

TEST_LIST {
    T(stamp_from_installed_clock),
    T(no_clock_no_stamp),
    T(threshold),
};
TEST_MAIN
