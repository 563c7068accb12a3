/* dumpfile: writing, reading and removing dump files (see dumpfile.h). */
#include "chronyd/dumpfile.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/mem.h"
#include "platform/files.h"

#define DUMP_IDENTIFIER "SRC0\n"
#define REFID_PREFIX "refid:"
#define FILE_MODE 0644
#define MAX_LINE 512
#define NS_PER_S 1000000000L
#define NS_DIGITS 9

static char *path_of(const char *dir, const char *address)
{
    size_t len = strlen(dir) + 1 + strlen(address) + strlen(DUMPFILE_SUFFIX) + 1;
    char *p = mem_alloc(len);
    snprintf(p, len, "%s/%s%s", dir, address, DUMPFILE_SUFFIX);
    return p;
}

static void write_contents(files_out *out, const struct dumpfile_source *d)
{
    files_out_printf(out, "%s%s\n%d %o %d %d %d\n%d %d\n", DUMP_IDENTIFIER, d->name,
                     d->authenticated ? 1 : 0, d->reach, d->reach_size, d->stratum, d->leap,
                     d->n_samples, d->asymmetry_run);
    for (int i = 0; i < d->n_samples; i++) {
        const struct srcstats_saved_sample *s = &d->samples[i];
        files_out_printf(out, "%" PRId64 ".%09ld %.6e %.6e %.6e %.6e %.6e %.6e\n",
                         (int64_t)s->time.tv_sec, (long)s->time.tv_nsec, s->offset_s,
                         s->orig_offset_s, s->delay_s, s->dispersion_s, s->root_delay_s,
                         s->root_dispersion_s);
    }
}

bool dumpfile_write(const char *dir, const char *address, const struct dumpfile_source *d)
{
    char *path = path_of(dir, address);
    bool ok = false;

    files_out *out = files_replace_begin(path, FILE_MODE);
    if (!out) {
        LOG_WARN("Could not open %s" FILES_TMP_SUFFIX " : %s", path, strerror(errno));
        goto done;
    }
    write_contents(out, d);
    switch (files_replace_commit(out)) {
    case FILES_REPLACED:
        ok = true;
        break;
    case FILES_WRITE_FAILED:
        LOG_WARN("Could not write to %s" FILES_TMP_SUFFIX, path);
        break;
    case FILES_RENAME_FAILED:
        LOG_WARN("Could not rename %s" FILES_TMP_SUFFIX " to %s : %s", path, path,
                 strerror(errno));
        break;
    }
done:
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

static bool read_contents(files_reader *f, struct dumpfile_source *d)
{
    const char *line;
    int auth;
    if (!(line = files_read_line(f, MAX_LINE, NULL)) || strcmp(line, DUMP_IDENTIFIER) != 0)
        return false;
    if (!(line = files_read_line(f, MAX_LINE, NULL)) || sscanf(line, "%255s", d->name) != 1)
        return false;
    if (!(line = files_read_line(f, MAX_LINE, NULL)) ||
        sscanf(line, "%d %o %d %d %d", &auth, &d->reach, &d->reach_size, &d->stratum,
               &d->leap) != 5)
        return false;
    d->authenticated = auth != 0;
    if (!(line = files_read_line(f, MAX_LINE, NULL)) ||
        sscanf(line, "%d %d", &d->n_samples, &d->asymmetry_run) != 2 ||
        d->n_samples < 0 || d->n_samples > SRCSTATS_MAX_SAMPLES)
        return false;
    for (int i = 0; i < d->n_samples; i++)
        if (!(line = files_read_line(f, MAX_LINE, NULL)) || !parse_sample(line, &d->samples[i]))
            return false;
    return true;
}

bool dumpfile_read(const char *dir, const char *address, struct dumpfile_source *d,
                   bool *exists)
{
    memset(d, 0, sizeof *d);
    char *path = path_of(dir, address);
    files_reader *f = files_open_read(path);
    mem_free(path);
    *exists = f != NULL;
    if (!f)
        return false;
    bool ok = read_contents(f, d);
    files_close_read(f);
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
    char **paths = NULL;
    size_t n = 0;
    files_glob(pattern, 0, &paths, &n);
    mem_free(pattern);
    for (size_t i = 0; i < n; i++) {
        const char *slash = strrchr(paths[i], '/');
        const char *name = slash ? slash + 1 : paths[i];
        if (is_dump_name(name) && files_remove(paths[i]) != 0)
            LOG_WARN("Could not remove %s : %s", paths[i], strerror(errno));
    }
    files_free_paths(paths, n);
}
