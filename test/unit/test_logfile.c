/* Unit tests of chronyd/logfile: chrony's log file layout (LOGDIR/NAME.log,
 * a header between '=' lines before the first entry and every logbanner
 * entries), cycling, a missing logdir, and the entries' date. */
#include "chronyd/logfile.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "chronyd/conf.h"
#include "harness.h"

static char dir[] = "/tmp/cw-test-logfile.XXXXXX";

static char *read_all(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void configure(const char *logdir, int banner)
{
    static bool made;
    if (!made && mkdtemp(dir))
        made = true;
    char line[256];
    conf_init();
    if (logdir) {
        snprintf(line, sizeof line, "logdir %s", logdir);
        conf_parse_line(line);
    }
    snprintf(line, sizeof line, "logbanner %d", banner);
    conf_parse_line(line);
}

TEST(banner_every_n_entries)
{
    configure(dir, 2);
    logfile_id id = logfile_open("test", "  AB");
    CHECK(id >= 0);
    logfile_write(id, "one %d", 1);
    logfile_write(id, "two");
    logfile_write(id, "three");
    char path[300];
    snprintf(path, sizeof path, "%s/test.log", dir);
    CHECK_STR(read_all(path), "====\n  AB\n====\none 1\ntwo\n====\n  AB\n====\nthree\n");

    /* cycling reopens the same file for appending; the count goes on */
    logfile_cycle();
    logfile_write(id, "four");
    CHECK_STR(read_all(path), "====\n  AB\n====\none 1\ntwo\n====\n  AB\n====\nthree\nfour\n");
    logfile_finish();
    unlink(path);
}

TEST(no_banner_with_zero)
{
    configure(dir, 0);
    logfile_id id = logfile_open("plain", "H");
    logfile_write(id, "x");
    logfile_write(id, "y");
    char path[300];
    snprintf(path, sizeof path, "%s/plain.log", dir);
    CHECK_STR(read_all(path), "x\ny\n");
    logfile_finish();
    unlink(path);
}

TEST(no_logdir_disables)
{
    configure(NULL, 32);
    logfile_id id = logfile_open("nolog", "H");
    logfile_write(id, "x");        /* warns once, writes nothing */
    logfile_write(id, "y");
    logfile_write(-1, "ignored");
    logfile_finish();
    char path[300];
    snprintf(path, sizeof path, "%s/nolog.log", dir);
    CHECK(access(path, F_OK) != 0);
}

/* The date of an entry: UTC, whole seconds, chrony's layout. */
TEST(entry_time)
{
    char buf[LOGFILE_TIME_MAX];
    struct timespec t = { 1700000000, 999999999 };
    CHECK_STR(logfile_time(&t, buf, sizeof buf), "2023-11-14 22:13:20");
    t = (struct timespec){ 0, 0 };
    CHECK_STR(logfile_time(&t, buf, sizeof buf), "1970-01-01 00:00:00");
    /* 2038 and beyond (a 64-bit time_t) */
    t = (struct timespec){ 4102444799, 500000000 };
    CHECK_STR(logfile_time(&t, buf, sizeof buf), "2099-12-31 23:59:59");
    /* too small a buffer: empty, never a cut date */
    char small[8];
    CHECK_STR(logfile_time(&t, small, sizeof small), "");
}

/* Last: the directory must be empty by now. */
TEST(directory_left_empty)
{
    CHECK_INT(rmdir(dir), 0);
}

TEST_LIST {
    T(banner_every_n_entries),
    T(no_banner_with_zero),
    T(no_logdir_disables),
    T(entry_time),
    T(directory_left_empty),
};
TEST_MAIN
