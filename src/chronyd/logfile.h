/* logfile: chronyd's statistics log files (the log directive: measurements,
 * statistics, tracking, ...), as chrony writes them: LOGDIR/NAME.log opened
 * for appending at the first entry, a header between two lines of '=' before
 * the first entry and then every logbanner entries, one line per entry,
 * flushed at once. A file that cannot be opened (or no logdir) is reported
 * once and that log stays off. */
#ifndef CW_LOGFILE_H
#define CW_LOGFILE_H

#include <stddef.h>
#include <time.h>

/* Identifies an open log; negative values are never valid. */
typedef int logfile_id;

/* Most logs one chronyd keeps (chrony has eight kinds). */
#define LOGFILE_MAX 16

/* Register log NAME with its header line (both must stay valid). Returns its
 * id; the file itself is opened at the first write. */
logfile_id logfile_open(const char *name, const char *header);

/* Append one entry (a newline is added). */
void logfile_write(logfile_id id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Room for an entry's date: "YYYY-MM-DD HH:MM:SS" and its NUL, with space
 * for years beyond 9999. */
#define LOGFILE_TIME_MAX 32

/* The date every log entry starts with, chrony's "%Y-%m-%d %H:%M:%S" in
 * UTC of the whole second of ts, into buf (len >= LOGFILE_TIME_MAX);
 * returns buf ("" when the time cannot be shown). */
char *logfile_time(const struct timespec *ts, char *buf, size_t len);

/* Close every file; the next entry reopens it (cyclelogs, after rotation). */
void logfile_cycle(void);

/* Close and forget every log. */
void logfile_finish(void);

#endif
