/* log: where chronyd's and chronyc's messages go (stderr, a file, syslog),
 * the severity threshold (-L), and fatal errors that end the process. */
#ifndef CW_LOG_H
#define CW_LOG_H

#include <stdarg.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <time.h>

typedef enum {
    LOG_LVL_DEBUG = -1,
    LOG_LVL_INFO = 0,
    LOG_LVL_WARN = 1,
    LOG_LVL_ERR = 2,
    LOG_LVL_FATAL = 3,
} log_level;

/* Messages go to stderr until one of these is called. The stream (a log
 * file the program opened for appending) belongs to log from then on:
 * log_close or the next of these closes it. */
void log_to_stderr(void);
void log_to_stream(FILE *f);
void log_to_syslog(const char *ident);
/* The clock of the UTC timestamp that starts each stderr or file line
 * (CLOCK_REALTIME, from the platform); without one, lines have no stamp. */
void log_set_clock(void (*now)(struct timespec *now));
/* -L: messages below it are dropped; clamped to LOG_LVL_DEBUG..LOG_LVL_FATAL. */
void log_set_threshold(int level);
int log_get_threshold(void);
/* Called once, before exit, by log_fatal (removes the pid file and such). */
void log_set_fatal_hook(void (*hook)(void));
void log_close(void);

/* A daemon's foreground parent waits on a pipe for the outcome of start-up.
 * While fd is set, a fatal message is also written to it (NUL-terminated) so
 * the parent can print it on the terminal (stdio is /dev/null by then). */
void log_set_parent_fd(int fd);
/* Start-up is over: close the pipe, which tells the parent to exit 0. */
void log_close_parent_fd(void);

void log_message(log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_vmessage(log_level level, const char *fmt, va_list ap);
noreturn void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define LOG_DEBUG(...) log_message(LOG_LVL_DEBUG, __VA_ARGS__)
#define LOG_INFO(...) log_message(LOG_LVL_INFO, __VA_ARGS__)
#define LOG_WARN(...) log_message(LOG_LVL_WARN, __VA_ARGS__)
#define LOG_ERR(...) log_message(LOG_LVL_ERR, __VA_ARGS__)
#define LOG_FATAL(...) log_fatal(__VA_ARGS__)

#endif
