/* dumpfile: writing, reading and removing dump files (see dumpfile.h). */
#include "chronyd/dumpfile.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/mem.h"

#define DUMP_IDENTIFIER "SRC0\n"
#define TMP_SUFFIX ".tmp"
#define REFID_PREFIX "refid:"
#define FILE_MODE 0644
#define MAX_LINE 512
#define NS_PER_S 1000000000L
#define NS_DIGITS 9

static char *path_of(const char *dir, const char *address, const char *suffix)
{
    size_t len = strlen(dir) + 1 + strlen(address) + strlen(DUMPFILE_SUFFIX) + strlen(suffix) + 1;
    char *p = mem_alloc(len);
    snprintf(p, len, "%s/%s%s%s", dir, address, DUMPFILE_SUFFIX, suffix);
    return p;
}

static bool write_contents(FILE *f, const struct dumpfile_source *d)
{
    if (fprintf(f, "%s%s\n%d %o %d %d %d\n%d %d\n", DUMP_IDENTIFIER, d->name,
                d->authenticated ? 1 : 0, d->reach, d->reach_size, d->stratum, d->leap,
                d->n_samples, d->asymmetry_run) < 0)
        return false;
    for (int i = 0; i < d->n_samples; i++) {
        const struct srcstats_saved_sample *s = &d->samples[i];
        if (fprintf(f, "%" PRId64 ".%09ld %.6e %.6e %.6e %.6e %.6e %.6e\n",
                    (int64_t)s->time.tv_sec, (long)s->time.tv_nsec, s->offset_s,
                    s->orig_offset_s, s->delay_s, s->dispersion_s, s->root_delay_s,
                    s->root_dispersion_s) < 0)
            return false;
    }
    return true;
}

bool dumpfile_write(const char *dir, const char *address, const struct dumpfile_source *d)
{
    char *path = path_of(dir, address, "");
    char *tmp = path_of(dir, address, TMP_SUFFIX);
    bool ok = false;

    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, FILE_MODE);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        LOG_WARN("Could not open %s : %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto out;
    }
    bool written = write_contents(f, d);
    /* on disk before the rename makes it the dump file */
    bool flushed = fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (fclose(f) != 0 || !written || !flushed) {
        LOG_WARN("Could not write to %s", tmp);
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        LOG_WARN("Could not rename %s to %s : %s", tmp, path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    ok = true;
out:
    mem_free(tmp);
    mem_free(path);
    return ok;
}

/* "SEC[.FRACTION]" to a timespec, exactly (no detour through a double). */
static bool parse_time(const char *text, struct timespec *ts)
{
    char *end;
    errno = 0;
    long long sec = strtoll(text, &end, 10);
    if (end == text || errno != 0 || sec < 0)
        return false;
    long ns = 0;
    if (*end == '.') {
        const char *p = end + 1;
        int digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < NS_DIGITS)
                ns = ns * 10 + (*p - '0');
        if (digits == 0)
            return false;
        for (; digits < NS_DIGITS; digits++)
            ns *= 10;
        end = (char *)p;
    }
    if (*end != '\0')
        return false;
    ts->tv_sec = (time_t)sec;
    ts->tv_nsec = ns;
    return ns < NS_PER_S;
}

static bool parse_sample(const char *line, struct srcstats_saved_sample *s)
{
    char when[64];
    int used = 0;
    if (sscanf(line, "%63s %lf %lf %lf %lf %lf %lf %n", when, &s->offset_s, &s->orig_offset_s,
               &s->delay_s, &s->dispersion_s, &s->root_delay_s, &s->root_dispersion_s,
               &used) != 7 || line[used] != '\0')
        return false;
    return parse_time(when, &s->time);
}

static bool read_contents(FILE *f, struct dumpfile_source *d)
{
    char line[MAX_LINE];
    int auth;
    if (!fgets(line, sizeof line, f) || strcmp(line, DUMP_IDENTIFIER) != 0)
        return false;
    if (!fgets(line, sizeof line, f) || sscanf(line, "%255s", d->name) != 1)
        return false;
    if (!fgets(line, sizeof line, f) ||
        sscanf(line, "%d %o %d %d %d", &auth, &d->reach, &d->reach_size, &d->stratum,
               &d->leap) != 5)
        return false;
    d->authenticated = auth != 0;
    if (!fgets(line, sizeof line, f) ||
        sscanf(line, "%d %d", &d->n_samples, &d->asymmetry_run) != 2 ||
        d->n_samples < 0 || d->n_samples > SRCSTATS_MAX_SAMPLES)
        return false;
    for (int i = 0; i < d->n_samples; i++)
        if (!fgets(line, sizeof line, f) || !parse_sample(line, &d->samples[i]))
            return false;
    return true;
}

bool dumpfile_read(const char *dir, const char *address, struct dumpfile_source *d,
                   bool *exists)
{
    memset(d, 0, sizeof *d);
    char *path = path_of(dir, address, "");
    FILE *f = fopen(path, "r");
    mem_free(path);
    *exists = f != NULL;
    if (!f)
        return false;
    bool ok = read_contents(f, d);
    fclose(f);
    return ok;
}

/* A file name chronyd writes: ADDRESS.dat or refid:XXXXXXXX.dat. */
static bool is_dump_name(const char *name)
{
    size_t len = strlen(name), sfx = strlen(DUMPFILE_SUFFIX);
    if (len <= sfx || strcmp(name + len - sfx, DUMPFILE_SUFFIX) != 0)
        return false;
    if (strncmp(name, REFID_PREFIX, strlen(REFID_PREFIX)) == 0)
        return true;
    char *base = mem_strndup(name, len - sfx);
    addr_ip ip;
    bool ok = addr_parse(base, &ip);
    mem_free(base);
    return ok;
}

void dumpfile_remove_all(const char *dir)
{
    size_t len = strlen(dir) + sizeof "/*" DUMPFILE_SUFFIX;
    char *pattern = mem_alloc(len);
    snprintf(pattern, len, "%s/*%s", dir, DUMPFILE_SUFFIX);
    glob_t gl;
    int r = glob(pattern, 0, NULL, &gl);
    mem_free(pattern);
    if (r != 0)
        return;
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        const char *slash = strrchr(gl.gl_pathv[i], '/');
        const char *name = slash ? slash + 1 : gl.gl_pathv[i];
        if (is_dump_name(name) && unlink(gl.gl_pathv[i]) != 0)
            LOG_WARN("Could not remove %s : %s", gl.gl_pathv[i], strerror(errno));
    }
    globfree(&gl);
}
