/* log: message sinks and severity filtering. The stderr and file formats match
 * chrony's ("YYYY-MM-DDTHH:MM:SSZ message", fatal errors prefixed "Fatal error : ")
 * because scripts grep them. The time in that stamp comes from the clock the
 * program installs (log_set_clock): this layer sits below the platform and
 * reads no clock itself. */
#include "common/log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

enum sink { SINK_STDERR, SINK_FILE, SINK_SYSLOG };

static enum sink sink = SINK_STDERR;
static FILE *log_file;
static int threshold = LOG_LVL_INFO;
static void (*fatal_hook)(void);
static void (*read_clock)(struct timespec *now);
/* Pipe to a daemon's waiting parent, -1 when none; parent_was_set remembers
 * that the process detached, after which stderr leads nowhere. */
static int parent_fd = -1;
static bool parent_was_set;

void log_to_stderr(void)
{
    log_close();
    sink = SINK_STDERR;
}

void log_to_stream(FILE *f)
{
    log_close();
    setvbuf(f, NULL, _IOLBF, 0);
    log_file = f;
    sink = SINK_FILE;
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

void log_set_threshold(int level)
{
    threshold = level < LOG_LVL_DEBUG ? LOG_LVL_DEBUG :
                level > LOG_LVL_FATAL ? LOG_LVL_FATAL : level;
}
int log_get_threshold(void) { return threshold; }
void log_set_fatal_hook(void (*hook)(void)) { fatal_hook = hook; }
void log_set_clock(void (*now)(struct timespec *now)) { read_clock = now; }

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
    char stamp[32] = "";
    if (read_clock) {
        struct timespec now;
        struct tm tm;
        read_clock(&now);
        if (gmtime_r(&now.tv_sec, &tm))
            strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    }
    fprintf(out, "%s%s%s\n", stamp, level == LOG_LVL_FATAL ? "Fatal error : " : "", text);
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

void log_set_parent_fd(int fd)
{
    parent_fd = fd;
    parent_was_set = true;
}

void log_close_parent_fd(void)
{
    if (parent_fd >= 0)
        close(parent_fd);
    parent_fd = -1;
}

/* Hand a fatal message to the waiting parent; it prints it on the terminal. */
static void notify_parent(const char *text)
{
    size_t len = strlen(text) + 1, done = 0;
    while (done < len) {
        ssize_t n = write(parent_fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;     /* the parent is gone; nothing more to do */
        done += (size_t)n;
    }
}

void log_fatal(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    emit(LOG_LVL_FATAL, buf);
    /* Make sure a person starting the daemon sees why it did not start. */
    if (parent_fd >= 0)
        notify_parent(buf);
    else if (sink == SINK_SYSLOG && !parent_was_set)
        fprintf(stderr, "Fatal error : %s\n", buf);
    if (fatal_hook) {
        void (*hook)(void) = fatal_hook;
        fatal_hook = NULL;
        hook();
    }
    exit(1);
}
