/* logfile: the statistics log files. See logfile.h. */
#include "chronyd/logfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chronyd/conf.h"
#include "common/log.h"
#include "common/mem.h"
#include "platform/files.h"

#define LOGFILE_MODE 0644
#define BANNER_CHAR '='

struct logfile {
    const char *name;
    const char *header;
    FILE *file;
    bool disabled;              /* could not be opened: stays off */
    unsigned long writes;
};

static struct logfile logs[LOGFILE_MAX];
static int n_logs;

logfile_id logfile_open(const char *name, const char *header)
{
    if (n_logs >= LOGFILE_MAX)
        LOG_FATAL("Too many log files");
    logs[n_logs] = (struct logfile){ .name = name, .header = header };
    return n_logs++;
}

static bool open_file(struct logfile *l)
{
    const char *dir = conf_settings()->logdir;
    if (!dir || !dir[0]) {
        LOG_WARN("logdir not specified");
        return false;
    }
    size_t len = strlen(dir) + strlen(l->name) + sizeof "/.log";
    char *path = mem_alloc(len);
    snprintf(path, len, "%s/%s.log", dir, l->name);
    l->file = files_append_open(path, LOGFILE_MODE);
    if (!l->file)
        LOG_WARN("Could not open log file %s : %s", path, strerror(errno));
    mem_free(path);
    return l->file != NULL;
}

static void write_banner(struct logfile *l)
{
    size_t n = strlen(l->header);
    char *line = mem_alloc(n + 1);
    memset(line, BANNER_CHAR, n);
    line[n] = '\0';
    fprintf(l->file, "%s\n%s\n%s\n", line, l->header, line);
    mem_free(line);
}

void logfile_write(logfile_id id, const char *fmt, ...)
{
    if (id < 0 || id >= n_logs)
        return;
    struct logfile *l = &logs[id];
    if (l->disabled)
        return;
    if (!l->file && !open_file(l)) {
        l->disabled = true;
        return;
    }

    int banner = conf_settings()->log_banner;
    if (banner > 0 && l->writes++ % (unsigned long)banner == 0)
        write_banner(l);

    va_list ap;
    va_start(ap, fmt);
    vfprintf(l->file, fmt, ap);
    va_end(ap);
    fputc('\n', l->file);
    fflush(l->file);
}

char *logfile_time(const struct timespec *ts, char *buf, size_t len)
{
    struct tm tm;
    time_t sec = ts->tv_sec;
    if (len == 0)
        return buf;
    if (!gmtime_r(&sec, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        buf[0] = '\0';
    return buf;
}

void logfile_cycle(void)
{
    for (int i = 0; i < n_logs; i++) {
        files_append_close(logs[i].file);
        logs[i].file = NULL;
    }
}

void logfile_finish(void)
{
    logfile_cycle();
    n_logs = 0;
}
