/* driftfile: the drift file (driftfile directive), in chrony's format: one
 * line with the clock's absolute frequency and its skew, both in ppm,
 * "%20.6f %20.6f\n" (frequency positive when the uncorrected clock runs
 * fast). Read once at start; written through PATH.tmp, which is given the
 * owner and mode of the existing file and then renamed over it, so a crash
 * or a failed write leaves the previous file whole. The file's modification
 * time also serves chronyd -s (the time the clock was last known good). */
#ifndef CW_DRIFTFILE_H
#define CW_DRIFTFILE_H

#include <stdbool.h>
#include <time.h>

/* Reads the frequency and skew. False, quietly, when the file does not
 * exist; false with a warning when it holds no valid pair. */
bool driftfile_read(const char *path, double *freq_ppm, double *skew_ppm);

/* Writes them (temporary file + rename). False, with a warning naming what
 * failed, when the file could not be replaced. */
bool driftfile_write(const char *path, double freq_ppm, double skew_ppm);

/* The file's modification time; false when it cannot be read. */
bool driftfile_mtime(const char *path, struct timespec *mtime);

#endif
