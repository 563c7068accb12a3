/* Unit tests of chronyd/dumpfile: the exact text of chrony's dump format,
 * a file as Debian's chronyd 4.3 wrote it, the round trip (times to the
 * nanosecond), malformed files refused, no temporary file left behind, and
 * the removal of dump files only. */
#include "chronyd/dumpfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char dir[64];

static void setup(void)
{
    strcpy(dir, "/tmp/cw-dump.XXXXXX");
    if (!mkdtemp(dir))
        abort();
}

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

static char *get(const char *name)
{
    static char buf[8192];
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static bool exists(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static void example(struct dumpfile_source *d)
{
    memset(d, 0, sizeof *d);
    strcpy(d->name, "ntp.example.net");
    d->authenticated = true;
    d->reach = 0377;
    d->reach_size = 8;
    d->stratum = 2;
    d->leap = 1;
    d->asymmetry_run = -3;
    d->n_samples = 2;
    d->samples[0] = (struct srcstats_saved_sample){
        { 1795355048, 47768455 }, 3.272812e-06, 3.267e-06, 1.0076e-05, 2.607983e-07,
        1.0076e-05, 2.607983e-07 };
    d->samples[1] = (struct srcstats_saved_sample){
        { 1795355049, 5 }, -2.5e-3, -2.0e-3, 2.0e-2, 1.0e-6, 3.5e-2, 4.0e-3 };
}

TEST(chrony_text)
{
    setup();
    struct dumpfile_source d;
    example(&d);
    CHECK(dumpfile_write(dir, "192.0.2.1", &d));
    CHECK_STR(get("192.0.2.1.dat"),
              "SRC0\n"
              "ntp.example.net\n"
              "1 377 8 2 1\n"
              "2 -3\n"
              "1795355048.047768455 3.272812e-06 3.267000e-06 1.007600e-05 2.607983e-07 "
              "1.007600e-05 2.607983e-07\n"
              "1795355049.000000005 -2.500000e-03 -2.000000e-03 2.000000e-02 1.000000e-06 "
              "3.500000e-02 4.000000e-03\n");
    CHECK(!exists("192.0.2.1.dat.tmp"));
    struct stat st;
    char path[256];
    snprintf(path, sizeof path, "%s/192.0.2.1.dat", dir);
    mode_t mask = umask(0);
    umask(mask);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0644 & ~mask));
    teardown();
}

TEST(round_trip)
{
    setup();
    struct dumpfile_source d, r;
    example(&d);
    CHECK(dumpfile_write(dir, "2001:db8::1", &d));
    bool found = false;
    CHECK(dumpfile_read(dir, "2001:db8::1", &r, &found));
    CHECK(found);
    CHECK_STR(r.name, d.name);
    CHECK(r.authenticated);
    CHECK_INT(r.reach, 0377);
    CHECK_INT(r.reach_size, 8);
    CHECK_INT(r.stratum, 2);
    CHECK_INT(r.leap, 1);
    CHECK_INT(r.asymmetry_run, -3);
    CHECK_INT(r.n_samples, 2);
    for (int i = 0; i < 2; i++) {
        CHECK_INT(r.samples[i].time.tv_sec, d.samples[i].time.tv_sec);
        CHECK_INT(r.samples[i].time.tv_nsec, d.samples[i].time.tv_nsec);
        CHECK_NEAR(r.samples[i].offset_s, d.samples[i].offset_s, 1e-12);
        CHECK_NEAR(r.samples[i].orig_offset_s, d.samples[i].orig_offset_s, 1e-12);
        CHECK_NEAR(r.samples[i].delay_s, d.samples[i].delay_s, 1e-12);
        CHECK_NEAR(r.samples[i].dispersion_s, d.samples[i].dispersion_s, 1e-14);
        CHECK_NEAR(r.samples[i].root_delay_s, d.samples[i].root_delay_s, 1e-12);
        CHECK_NEAR(r.samples[i].root_dispersion_s, d.samples[i].root_dispersion_s, 1e-12);
    }
    /* a second write replaces the file */
    d.n_samples = 1;
    CHECK(dumpfile_write(dir, "2001:db8::1", &d));
    CHECK(dumpfile_read(dir, "2001:db8::1", &r, &found));
    CHECK_INT(r.n_samples, 1);
    CHECK(!dumpfile_read(dir, "192.0.2.9", &r, &found));
    CHECK(!found);
    teardown();
}

/* The first lines of a file Debian's chronyd 4.3 wrote (dumpdir, exit). */
TEST(reads_chrony_4_3_file)
{
    setup();
    put("127.0.0.1.dat",
        "SRC0\n127.0.0.1\n0 377 8 8 0\n3 30\n"
        "1795355048.047768455 3.272812e-06 3.267000e-06 1.007600e-05 2.607983e-07 "
        "1.007600e-05 2.607983e-07\n"
        "1795355048.114044660 5.818762e-06 5.813000e-06 1.399600e-05 2.455063e-07 "
        "1.399600e-05 2.455063e-07\n"
        "1795355048.178001308 2.742715e-06 2.737000e-06 9.290000e-06 2.054543e-07 "
        "9.290000e-06 2.054543e-07\n");
    struct dumpfile_source r;
    bool found;
    CHECK(dumpfile_read(dir, "127.0.0.1", &r, &found));
    CHECK_STR(r.name, "127.0.0.1");
    CHECK(!r.authenticated);
    CHECK_INT(r.stratum, 8);
    CHECK_INT(r.asymmetry_run, 30);
    CHECK_INT(r.n_samples, 3);
    CHECK_INT(r.samples[2].time.tv_nsec, 178001308);
    CHECK_NEAR(r.samples[1].offset_s, 5.818762e-06, 1e-15);
    teardown();
}

TEST(malformed_refused)
{
    static const char *const bad[] = {
        "SRC1\n127.0.0.1\n0 377 8 8 0\n0 0\n",                     /* identifier */
        "SRC0\n127.0.0.1\n0 377 8\n0 0\n",                          /* short status */
        "SRC0\n127.0.0.1\n0 377 8 8 0\n2 0\n"
        "1.5 0 0 0 0 0 0\n",                                        /* a sample missing */
        "SRC0\n127.0.0.1\n0 377 8 8 0\n1 0\n"
        "1.5 0 0 0 0 0 0 7\n",                                      /* a field too many */
        "SRC0\n127.0.0.1\n0 377 8 8 0\n1 0\n"
        "x.5 0 0 0 0 0 0\n",                                        /* a bad time */
        "SRC0\n127.0.0.1\n0 377 8 8 0\n65 0\n",                     /* too many samples */
        "",
    };
    setup();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put("127.0.0.1.dat", bad[i]);
        struct dumpfile_source r;
        bool found = false;
        CHECK(!dumpfile_read(dir, "127.0.0.1", &r, &found));
        CHECK(found);
    }
    teardown();
}

TEST(remove_only_dump_files)
{
    setup();
    put("127.0.0.1.dat", "x");
    put("2001:db8::1.dat", "x");
    put("refid:47505300.dat", "x");
    put("notes.dat", "x");                /* not a name chronyd writes */
    put("127.0.0.1.dat.tmp", "x");
    put("drift", "x");
    dumpfile_remove_all(dir);
    CHECK(!exists("127.0.0.1.dat"));
    CHECK(!exists("2001:db8::1.dat"));
    CHECK(!exists("refid:47505300.dat"));
    CHECK(exists("notes.dat"));
    CHECK(exists("127.0.0.1.dat.tmp"));
    CHECK(exists("drift"));
    dumpfile_remove_all("/nonexistent/dir");     /* quietly nothing */
    teardown();
}

TEST_LIST {
    T(chrony_text),
    T(round_trip),
    T(reads_chrony_4_3_file),
    T(malformed_refused),
    T(remove_only_dump_files),
};
TEST_MAIN
