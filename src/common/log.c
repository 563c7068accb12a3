/* log: message sinks and severity filtering. The stderr and file formats match
 * chrony's ("YYYY-MM-DDTHH:MM:SSZ message", fatal errors prefixed "Fatal error : ")
 * because scripts grep them. */
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

enum sink { SINK_STDERR, SINK_FILE, SINK_SYSLOG };

static enum sink sink = SINK_STDERR;
static FILE *log_file;
static int threshold = LOG_LVL_INFO;
static void (*fatal_hook)(void);

void log_to_stderr(void)
{
    log_close();
    sink = SINK_STDERR;
}

int log_to_file(const char *path)
{
    FILE *f = fopen(path, "a");
    if (!f)
        return -1;
    log_close();
    setvbuf(f, NULL, _IOLBF, 0);
    log_file = f;
    sink = SINK_FILE;
    return 0;
}

void log_to_syslog(const char *ident)
{
    log_close();
    openlog(ident, LOG_PID, LOG_DAEMON);
    sink = SINK_SYSLOG;
}

void log_close(void)
{
    if (sink == SINK_FILE && log_file) {
        fclose(log_file);
        log_file = NULL;
    } else if (sink == SINK_SYSLOG) {
        closelog();
    }
    sink = SINK_STDERR;
}

void log_set_threshold(int level) { threshold = level; }
int log_get_threshold(void) { return threshold; }
void log_set_fatal_hook(void (*hook)(void)) { fatal_hook = hook; }

static void emit(log_level level, const char *text)
{
    if (sink == SINK_SYSLOG) {
        int prio = level <= LOG_LVL_DEBUG ? LOG_DEBUG :
                   level == LOG_LVL_INFO ? LOG_INFO :
                   level == LOG_LVL_WARN ? LOG_WARNING :
                   level == LOG_LVL_ERR ? LOG_ERR : LOG_CRIT;
        syslog(prio, "%s%s", level == LOG_LVL_FATAL ? "Fatal error : " : "", text);
        return;
    }
    FILE *out = sink == SINK_FILE && log_file ? log_file : stderr;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(out, "%s %s%s\n", stamp, level == LOG_LVL_FATAL ? "Fatal error : " : "", text);
    fflush(out);
}

void log_vmessage(log_level level, const char *fmt, va_list ap)
{
    if (level != LOG_LVL_FATAL && (int)level < threshold)
        return;
    char buf[2048];
    vsnprintf(buf, sizeof buf, fmt, ap);
    emit(level, buf);
}

void log_message(log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmessage(level, fmt, ap);
    va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmessage(LOG_LVL_FATAL, fmt, ap);
    va_end(ap);
    if (fatal_hook) {
        void (*hook)(void) = fatal_hook;
        fatal_hook = NULL;
        hook();
    }
    exit(1);
}
