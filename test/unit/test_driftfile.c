/* Unit tests of chronyd/driftfile: chrony's format, reading, and replacing
 * the file so that a failed or interrupted write never loses the old one. */
#include "chronyd/driftfile.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char dir[64];
static char path[128], tmp_path[136];

static void setup(void)
{
    strcpy(dir, "/tmp/cw-drift.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/drift", dir);
    snprintf(tmp_path, sizeof tmp_path, "%s.tmp", path);
}

static void teardown(void)
{
    unlink(path);
    unlink(tmp_path);
    rmdir(tmp_path);
    rmdir(path);
    rmdir(dir);
}

static void put(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

static const char *get(const char *p)
{
    static char buf[256];
    buf[0] = '\0';
    FILE *f = fopen(p, "r");
    if (!f)
        return "(missing)";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

TEST(format_is_chronys)
{
    setup();
    CHECK(driftfile_write(path, 49.962560, 0.066419));
    CHECK_STR(get(path), "           49.962560             0.066419\n");
    CHECK(driftfile_write(path, -12.5, 1000000.0));
    CHECK_STR(get(path), "          -12.500000       1000000.000000\n");
    CHECK(access(tmp_path, F_OK) != 0);
    teardown();
}

TEST(read_back)
{
    setup();
    double f = 0, s = 0;
    CHECK(!driftfile_read(path, &f, &s));          /* no file: quietly false */
    CHECK(driftfile_write(path, -3.25, 0.5));
    CHECK(driftfile_read(path, &f, &s));
    CHECK_NEAR(f, -3.25, 1e-9);
    CHECK_NEAR(s, 0.5, 1e-9);
    /* chrony's own files, and any whitespace between the numbers */
    put(path, "1.5\n2.5\n");
    CHECK(driftfile_read(path, &f, &s));
    CHECK_NEAR(f, 1.5, 0);
    CHECK_NEAR(s, 2.5, 0);
    teardown();
}

TEST(invalid_content_is_refused)
{
    setup();
    double f = 7, s = 8;
    put(path, "");
    CHECK(!driftfile_read(path, &f, &s));
    put(path, "12.0\n");
    CHECK(!driftfile_read(path, &f, &s));
    put(path, "abc def\n");
    CHECK(!driftfile_read(path, &f, &s));
    put(path, "nan 1.0\n");
    CHECK(!driftfile_read(path, &f, &s));
    CHECK_NEAR(f, 7, 0);
    CHECK_NEAR(s, 8, 0);
    teardown();
}

/* A crash after writing the temporary file and before renaming it: the
 * drift file still holds the old values, the next write succeeds. */
TEST(crash_before_rename_keeps_old)
{
    setup();
    CHECK(driftfile_write(path, 10.0, 0.1));
    put(tmp_path, "          20.0000");     /* half written, never renamed */
    double f = 0, s = 0;
    CHECK(driftfile_read(path, &f, &s));
    CHECK_NEAR(f, 10.0, 0);
    CHECK(driftfile_write(path, 30.0, 0.2));
    CHECK(driftfile_read(path, &f, &s));
    CHECK_NEAR(f, 30.0, 0);
    CHECK(access(tmp_path, F_OK) != 0);
    teardown();
}

/* The temporary file cannot be created (a directory is in the way): the
 * write fails and the old file is untouched. */
TEST(failed_write_keeps_old)
{
    setup();
    CHECK(driftfile_write(path, 10.0, 0.1));
    CHECK(mkdir(tmp_path, 0700) == 0);
    CHECK(!driftfile_write(path, 99.0, 9.9));
    CHECK_STR(get(path), "           10.000000             0.100000\n");
    rmdir(tmp_path);
    teardown();
}

/* The rename fails (the drift file's path is a directory): false, and no
 * temporary file is left behind. */
TEST(failed_rename_cleans_up)
{
    setup();
    CHECK(mkdir(path, 0700) == 0);
    CHECK(!driftfile_write(path, 1.0, 1.0));
    CHECK(access(tmp_path, F_OK) != 0);
    teardown();
}

/* The new file gets the old one's permissions. */
TEST(mode_kept)
{
    setup();
    CHECK(driftfile_write(path, 1.0, 1.0));
    CHECK(chmod(path, 0604) == 0);
    CHECK(driftfile_write(path, 2.0, 1.0));
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0604);
    teardown();
}

TEST(mtime)
{
    setup();
    struct timespec t;
    CHECK(!driftfile_mtime(path, &t));
    CHECK(driftfile_write(path, 1.0, 1.0));
    struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
    CHECK(utimensat(AT_FDCWD, path, times, 0) == 0);
    CHECK(driftfile_mtime(path, &t));
    CHECK_INT(t.tv_sec, 1234567890);
    CHECK_INT(t.tv_nsec, 500);
    teardown();
}

TEST_LIST {
    T(format_is_chronys),
    T(read_back),
    T(invalid_content_is_refused),
    T(crash_before_rename_keeps_old),
    T(failed_write_keeps_old),
    T(failed_rename_cleans_up),
    T(mode_kept),
    T(mtime),
};
TEST_MAIN
