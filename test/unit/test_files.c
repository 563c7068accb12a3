/* Unit tests of platform/files: line reading (whole lines and fgets-sized
 * pieces, NUL bytes, a last line without its newline), the head of a file,
 * glob order and its flags, atomic replacement (no half file left on any
 * failure, the owner kept on request, never through a symbolic link),
 * appending, removal and modification times. Everything happens in a
 * private temporary directory. */
#include "platform/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define PATH_MAX_LEN 256
/* The file size limit that makes a write fail. */
#define WRITE_LIMIT_BYTES 64
/* Who root becomes to meet a directory it may not read. */
#define NOBODY_UID 65534

static char dir[64];

static void setup(void)
{
    strcpy(dir, "/tmp/cw-files.XXXXXX");
    if (!mkdtemp(dir))
        abort();
}

static const char *at(const char *name)
{
    static char paths[4][PATH_MAX_LEN];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, PATH_MAX_LEN, "%s/%s", dir, name);
    return p;
}

/* Writes len bytes (NUL bytes allowed) to dir/name. */
static void put_bytes(const char *name, const char *text, size_t len)
{
    FILE *f = fopen(at(name), "w");
    if (!f || fwrite(text, 1, len, f) != len)
        abort();
    fclose(f);
}

static void put(const char *name, const char *text)
{
    put_bytes(name, text, strlen(text));
}

static const char *get(const char *name)
{
    static char buf[512];
    FILE *f = fopen(at(name), "r");
    if (!f)
        return "(missing)";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static bool exists(const char *name)
{
    return access(at(name), F_OK) == 0;
}

static void teardown(void)
{
    char cmd[PATH_MAX_LEN];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        abort();
}

/* ---- reading ---- */

TEST(whole_lines)
{
    setup();
    put("a", "first\n\nthird line\nno newline");
    files_reader *r = files_open_read(at("a"));
    CHECK(r != NULL);
    size_t len = 0;
    char *line = files_read_line(r, 0, &len);
    CHECK_STR(line, "first\n");
    CHECK_INT(len, 6);
    CHECK_STR(files_read_line(r, 0, NULL), "\n");
    line = files_read_line(r, 0, &len);
    CHECK_STR(line, "third line\n");
    line[0] = 'T';              /* the caller may edit the line in place */
    line = files_read_line(r, 0, &len);
    CHECK_STR(line, "no newline");
    CHECK_INT(len, 10);
    CHECK(files_read_line(r, 0, &len) == NULL);
    CHECK(!files_read_failed(r));
    files_close_read(r);
    files_close_read(NULL);
    teardown();
}

/* A line far longer than any piece size, then pieces as fgets cuts them. */
TEST(long_lines_and_pieces)
{
    setup();
    char text[3000];
    memset(text, 'x', sizeof text);
    text[2500] = '\n';
    memcpy(text + 2501, "abcdefgh\n", 9);
    put_bytes("long", text, 2510);

    files_reader *r = files_open_read(at("long"));
    size_t len;
    CHECK(files_read_line(r, 0, &len) != NULL);
    CHECK_INT(len, 2501);
    CHECK_STR(files_read_line(r, 0, &len), "abcdefgh\n");
    files_close_read(r);

    /* pieces of at most 4 bytes, as fgets(buf, 5) */
    put("short", "abcdefgh\nij\n");
    FILE *f = fopen(at("short"), "r");
    r = files_open_read(at("short"));
    char want[5];
    int pieces = 0;
    while (fgets(want, sizeof want, f)) {
        char *got = files_read_line(r, sizeof want, &len);
        CHECK_STR(got, want);
        CHECK_INT(len, strlen(want));
        pieces++;
    }
    CHECK_INT(pieces, 4);       /* "abcd" "efgh" "\n" "ij\n" */
    CHECK(files_read_line(r, sizeof want, &len) == NULL);
    fclose(f);
    files_close_read(r);
    teardown();
}

/* The length counts bytes after a NUL, which string functions would lose. */
TEST(nul_bytes_counted)
{
    setup();
    put_bytes("nul", "ab\0cd\nx\n", 8);
    files_reader *r = files_open_read(at("nul"));
    size_t len;
    char *line = files_read_line(r, 0, &len);
    CHECK_INT(len, 6);
    CHECK(line && memcmp(line, "ab\0cd\n", 6) == 0);
    line = files_read_line(r, 64, &len);
    CHECK_STR(line, "x\n");
    files_close_read(r);
    teardown();
}

TEST(missing_file_errors)
{
    setup();
    errno = 0;
    CHECK(files_open_read(at("none")) == NULL);
    CHECK_INT(errno, ENOENT);
    char buf[16] = "junk";
    CHECK_INT(files_read_head(at("none"), buf, sizeof buf), -1);
    CHECK_INT(errno, ENOENT);
    struct timespec t;
    CHECK(!files_mtime(at("none"), &t));
    CHECK_INT(files_remove(at("none")), -1);
    CHECK_INT(errno, ENOENT);
    teardown();
}

/* A directory opens but cannot be read: that is a read error, not the end. */
TEST(read_error_is_not_end)
{
    setup();
    files_reader *r = files_open_read(dir);
    CHECK(r != NULL);
    if (r) {
        CHECK(files_read_line(r, 0, NULL) == NULL);
        CHECK(files_read_failed(r));
        files_close_read(r);
    }
    char buf[16];
    CHECK_INT(files_read_head(dir, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    teardown();
}

TEST(head)
{
    setup();
    put("h", "  12345\n67\n");
    char buf[6];
    CHECK_INT(files_read_head(at("h"), buf, sizeof buf), 5);
    CHECK_STR(buf, "  123");
    char big[64];
    CHECK_INT(files_read_head(at("h"), big, sizeof big), 11);
    CHECK_STR(big, "  12345\n67\n");
    put("empty", "");
    CHECK_INT(files_read_head(at("empty"), big, sizeof big), 0);
    CHECK_STR(big, "");
    teardown();
}

/* ---- finding ---- */

TEST(glob_sorted_and_appended)
{
    setup();
    put("b.conf", "");
    put("a.conf", "");
    put("C.conf", "");
    put("a.txt", "");
    char **paths = NULL;
    size_t n = 0;
    char pattern[PATH_MAX_LEN];
    snprintf(pattern, sizeof pattern, "%s/*.conf", dir);
    CHECK_INT(files_glob(pattern, 0, &paths, &n), FILES_GLOB_OK);
    CHECK_INT(n, 3);
    if (n == 3) {
        /* byte order: capitals first */
        CHECK_STR(paths[0], at("C.conf"));
        CHECK_STR(paths[1], at("a.conf"));
        CHECK_STR(paths[2], at("b.conf"));
    }
    /* a second search appends */
    snprintf(pattern, sizeof pattern, "%s/*.txt", dir);
    CHECK_INT(files_glob(pattern, 0, &paths, &n), FILES_GLOB_OK);
    CHECK_INT(n, 4);
    if (n == 4)
        CHECK_STR(paths[3], at("a.txt"));
    /* nothing matched: the array is left as it was */
    snprintf(pattern, sizeof pattern, "%s/*.none", dir);
    CHECK_INT(files_glob(pattern, 0, &paths, &n), FILES_GLOB_NONE);
    CHECK_INT(n, 4);
    files_free_paths(paths, n);
    teardown();
}

TEST(glob_flags)
{
    setup();
    char **paths = NULL;
    size_t n = 0;
    char pattern[PATH_MAX_LEN];
    /* no wildcard: without LITERAL a missing file matches nothing ... */
    snprintf(pattern, sizeof pattern, "%s/missing.conf", dir);
    CHECK_INT(files_glob(pattern, 0, &paths, &n), FILES_GLOB_NONE);
    /* ... with it the pattern is its own match */
    CHECK_INT(files_glob(pattern, FILES_GLOB_LITERAL, &paths, &n), FILES_GLOB_OK);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(paths[0], pattern);
    files_free_paths(paths, n);
    teardown();
}

/* A directory that cannot be read: no match, or an error with STRICT. Root
 * reads any directory, so root looks as the nobody user for the moment. */
TEST(glob_unreadable_dir)
{
    setup();
    uid_t euid = geteuid();
    CHECK(chmod(dir, 0755) == 0);
    CHECK(mkdir(at("closed"), 0700) == 0);
    put("closed/x.conf", "");
    if (euid == 0 && seteuid(NOBODY_UID) != 0) {
        printf("SKIP glob_unreadable_dir (cannot take the nobody user's identity)\n");
        teardown();
        return;
    }
    char **paths = NULL;
    size_t n = 0;
    char pattern[PATH_MAX_LEN];
    snprintf(pattern, sizeof pattern, "%s/closed/*.conf", dir);
    files_glob_status loose = files_glob(pattern, 0, &paths, &n);
    files_glob_status strict = files_glob(pattern, FILES_GLOB_STRICT, &paths, &n);
    if (euid == 0 && seteuid(0) != 0)
        abort();
    CHECK_INT(loose, FILES_GLOB_NONE);
    CHECK_INT(strict, FILES_GLOB_ERROR);
    CHECK_INT(n, 0);
    files_free_paths(paths, n);
    teardown();
}

/* ---- replacing ---- */

TEST(replace_writes_and_leaves_no_tmp)
{
    setup();
    files_out *out = files_replace_begin(at("f"), 0644);
    CHECK(out != NULL);
    files_out_printf(out, "%d %s\n", 42, "x");
    /* nothing is at the path until the commit */
    CHECK(!exists("f"));
    CHECK(exists("f.tmp"));
    CHECK_INT(files_replace_commit(out), FILES_REPLACED);
    CHECK_STR(get("f"), "42 x\n");
    CHECK(!exists("f.tmp"));

    /* replacing again, over a leftover half file from a crash */
    put("f.tmp", "half");
    out = files_replace_begin(at("f"), 0644);
    files_out_printf(out, "new\n");
    CHECK_INT(files_replace_commit(out), FILES_REPLACED);
    CHECK_STR(get("f"), "new\n");
    CHECK(!exists("f.tmp"));
    teardown();
}

/* The temporary file cannot be created: NULL, errno, the old file intact. */
TEST(replace_open_fails)
{
    setup();
    put("f", "old\n");
    CHECK(mkdir(at("f.tmp"), 0700) == 0);
    errno = 0;
    CHECK(files_replace_begin(at("f"), 0644) == NULL);
    CHECK_INT(errno, EISDIR);
    CHECK_STR(get("f"), "old\n");
    /* nor in a directory that does not exist */
    CHECK(files_replace_begin(at("nodir/f"), 0644) == NULL);
    CHECK_INT(errno, ENOENT);
    teardown();
}

/* A symbolic link in place of the temporary file is never written through. */
TEST(replace_refuses_symlink)
{
    setup();
    put("f", "old\n");
    put("target", "target\n");
    CHECK(symlink(at("target"), at("f.tmp")) == 0);
    errno = 0;
    CHECK(files_replace_begin(at("f"), 0644) == NULL);
    CHECK_INT(errno, ELOOP);
    CHECK_STR(get("f"), "old\n");
    CHECK_STR(get("target"), "target\n");
    teardown();
}

/* A write error (here the file size limit, as a full disk would do): the
 * commit fails, the temporary file is removed, the old file is whole. */
TEST(replace_write_fails_keeps_old)
{
    setup();
    put("f", "old\n");
    struct rlimit saved, small;
    CHECK(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    small = saved;
    small.rlim_cur = WRITE_LIMIT_BYTES;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);

    files_out *out = files_replace_begin(at("f"), 0644);
    CHECK(out != NULL);
    for (int i = 0; i < 100; i++)
        files_out_printf(out, "line %d of more than the limit allows\n", i);
    errno = 0;
    CHECK_INT(files_replace_commit(out), FILES_WRITE_FAILED);
    CHECK_INT(errno, EFBIG);

    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);
    CHECK_STR(get("f"), "old\n");
    CHECK(!exists("f.tmp"));
    teardown();
}

/* The rename fails (the path is a non-empty directory): the temporary file
 * goes, errno tells why. */
TEST(replace_rename_fails)
{
    setup();
    CHECK(mkdir(at("f"), 0700) == 0);
    put("f/inside", "");
    files_out *out = files_replace_begin(at("f"), 0644);
    CHECK(out != NULL);
    files_out_printf(out, "x\n");
    errno = 0;
    CHECK_INT(files_replace_commit(out), FILES_RENAME_FAILED);
    CHECK(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST);
    CHECK(!exists("f.tmp"));
    CHECK(exists("f/inside"));
    teardown();
}

TEST(replace_mode_and_owner)
{
    setup();
    mode_t old_umask = umask(022);
    files_out *out = files_replace_begin(at("f"), 0640);
    CHECK_INT(files_replace_commit(out), FILES_REPLACED);
    struct stat st;
    CHECK(stat(at("f"), &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0640);

    /* a new file's mode ... unless the old one's is kept */
    CHECK(chmod(at("f"), 0604) == 0);
    out = files_replace_begin(at("f"), 0640);
    CHECK(files_replace_keep_owner(out));
    CHECK_INT(files_replace_commit(out), FILES_REPLACED);
    CHECK(stat(at("f"), &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0604);
    CHECK_INT(st.st_uid, geteuid());

    out = files_replace_begin(at("f"), 0640);
    CHECK_INT(files_replace_commit(out), FILES_REPLACED);
    CHECK(stat(at("f"), &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0640);

    /* nothing to keep for a new file */
    out = files_replace_begin(at("g"), 0600);
    CHECK(files_replace_keep_owner(out));
    CHECK_INT(files_replace_commit(out), FILES_REPLACED);
    CHECK(stat(at("g"), &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    umask(old_umask);
    teardown();
}

/* ---- appending and the rest ---- */

TEST(append)
{
    setup();
    put("log", "before\n");
    FILE *f = files_append_open(at("log"), 0600);
    CHECK(f != NULL);
    if (f) {
        fprintf(f, "one\n");
        files_append_close(f);
    }
    CHECK_STR(get("log"), "before\none\n");
    CHECK((fcntl(0, F_GETFD) & FD_CLOEXEC) == 0);       /* sanity of the next check */

    mode_t old_umask = umask(0);
    f = files_append_open(at("new.log"), 0640);
    umask(old_umask);
    CHECK(f != NULL);
    if (f) {
        CHECK((fcntl(fileno(f), F_GETFD) & FD_CLOEXEC) != 0);
        fputs("x\n", f);
        files_append_close(f);
    }
    struct stat st;
    CHECK(stat(at("new.log"), &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0640);
    CHECK_STR(get("new.log"), "x\n");
    files_append_close(NULL);

    errno = 0;
    CHECK(files_append_open(at("nodir/x.log"), 0640) == NULL);
    CHECK_INT(errno, ENOENT);
    teardown();
}

TEST(remove_and_mtime)
{
    setup();
    put("f", "x");
    struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 250 } };
    CHECK(utimensat(AT_FDCWD, at("f"), times, 0) == 0);
    struct timespec t;
    CHECK(files_mtime(at("f"), &t));
    CHECK_INT(t.tv_sec, 1234567890);
    CHECK_INT(t.tv_nsec, 250);
    CHECK_INT(files_remove(at("f")), 0);
    CHECK(!exists("f"));
    teardown();
}

TEST_LIST {
    T(whole_lines),
    T(long_lines_and_pieces),
    T(nul_bytes_counted),
    T(missing_file_errors),
    T(read_error_is_not_end),
    T(head),
    T(glob_sorted_and_appended),
    T(glob_flags),
    T(glob_unreadable_dir),
    T(replace_writes_and_leaves_no_tmp),
    T(replace_open_fails),
    T(replace_refuses_symlink),
    T(replace_write_fails_keeps_old),
    T(replace_rename_fails),
    T(replace_mode_and_owner),
    T(append),
    T(remove_and_mtime),
};
TEST_MAIN
