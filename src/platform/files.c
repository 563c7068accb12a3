/* files: reading, finding, atomically replacing, appending to and removing
 * files. See files.h. */
#include "platform/files.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/mem.h"

/* The permission bits a replaced file passes on to its successor. */
#define PERMISSION_BITS 0777

/* ---- reading ---- */

struct files_reader {
    FILE *f;
    char *buf;                  /* from malloc: getline may grow it */
    size_t cap;
    bool failed;
};

files_reader *files_open_read(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    files_reader *r = mem_calloc(1, sizeof *r);
    r->f = f;
    return r;
}

/* One piece of at most max - 1 bytes, ending at a newline (fgets's rule),
 * read byte by byte so that the length is exact even with NUL bytes. */
static ssize_t read_piece(files_reader *r, size_t max)
{
    if (r->cap < max) {
        r->buf = mem_realloc(r->buf, max);
        r->cap = max;
    }
    size_t n = 0;
    int c;
    while (n + 1 < max && (c = getc(r->f)) != EOF) {
        r->buf[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0)
        return -1;
    r->buf[n] = '\0';
    return (ssize_t)n;
}

char *files_read_line(files_reader *r, size_t max, size_t *len)
{
    ssize_t n = max == 0 ? getline(&r->buf, &r->cap, r->f) : read_piece(r, max);
    if (n < 0) {
        r->failed = ferror(r->f) != 0;
        return NULL;
    }
    if (len)
        *len = (size_t)n;
    return r->buf;
}

bool files_read_failed(const files_reader *r)
{
    return r->failed;
}

void files_close_read(files_reader *r)
{
    if (!r)
        return;
    fclose(r->f);
    free(r->buf);               /* getline's allocation */
    mem_free(r);
}

ssize_t files_read_head(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        /* a read error ends the text as the end of the file would */
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    if (size > 0)
        buf[n] = '\0';
    close(fd);
    return (ssize_t)n;
}

/* ---- finding ---- */

files_glob_status files_glob(const char *pattern, unsigned flags, char ***paths, size_t *n)
{
    glob_t gl;
    memset(&gl, 0, sizeof gl);
    int gflags = (flags & FILES_GLOB_LITERAL ? GLOB_NOMAGIC : 0) |
                 (flags & FILES_GLOB_STRICT ? GLOB_ERR : 0);
    int r = glob(pattern, gflags, NULL, &gl);
    if (r != 0) {
        globfree(&gl);
        return r == GLOB_NOMATCH ? FILES_GLOB_NONE : FILES_GLOB_ERROR;
    }
    size_t cap = *n;
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        *paths = mem_grow(*paths, &cap, *n + 1, sizeof **paths);
        (*paths)[(*n)++] = mem_strdup(gl.gl_pathv[i]);
    }
    globfree(&gl);
    return FILES_GLOB_OK;
}

void files_free_paths(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mem_free(paths[i]);
    mem_free(paths);
}

/* ---- replacing a file ---- */

struct files_out {
    FILE *f;
    char *path, *tmp;
    int error;                  /* the first write error's errno, 0 if none */
};

files_out *files_replace_begin(const char *path, mode_t mode)
{
    size_t len = strlen(path) + sizeof FILES_TMP_SUFFIX;
    char *tmp = mem_alloc(len);
    snprintf(tmp, len, "%s%s", path, FILES_TMP_SUFFIX);

    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int saved = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        mem_free(tmp);
        errno = saved;
        return NULL;
    }
    files_out *out = mem_calloc(1, sizeof *out);
    out->f = f;
    out->path = mem_strdup(path);
    out->tmp = tmp;
    return out;
}

void files_out_printf(files_out *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(out->f, fmt, ap) < 0 && !out->error)
        out->error = errno ? errno : EIO;
    va_end(ap);
}

bool files_replace_keep_owner(files_out *out)
{
    struct stat st;
    if (stat(out->path, &st) != 0)
        return true;            /* nothing to keep */
    int fd = fileno(out->f);
    return fchown(fd, st.st_uid, st.st_gid) == 0 &&
           fchmod(fd, st.st_mode & PERMISSION_BITS) == 0;
}

static void free_out(files_out *out)
{
    mem_free(out->path);
    mem_free(out->tmp);
    mem_free(out);
}

files_replace_status files_replace_commit(files_out *out)
{
    files_replace_status status = FILES_REPLACED;
    int error = out->error;

    /* the data must be on disk before the rename makes it the file */
    if (fflush(out->f) != 0 || fsync(fileno(out->f)) != 0) {
        if (!error)
            error = errno;
    }
    if (fclose(out->f) != 0 && !error)
        error = errno;
    if (error) {
        status = FILES_WRITE_FAILED;
    } else if (rename(out->tmp, out->path) != 0) {
        error = errno;
        status = FILES_RENAME_FAILED;
    }
    if (status != FILES_REPLACED)
        unlink(out->tmp);
    free_out(out);
    errno = error;
    return status;
}

/* ---- log files ---- */

FILE *files_append_open(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "a");
    if (!f) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return f;
}

void files_append_close(FILE *f)
{
    if (f)
        fclose(f);
}

/* ---- other ---- */

int files_remove(const char *path)
{
    return unlink(path);
}

bool files_mtime(const char *path, struct timespec *mtime)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    *mtime = st.st_mtim;
    return true;
}
