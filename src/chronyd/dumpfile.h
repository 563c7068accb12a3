/* dumpfile: the measurement history files of `dumpdir` (chrony's dump
 * files, format of chrony 4.x, which Debian's chronyd 4.3 reads and writes
 * alike). One file per source, DIR/ADDRESS.dat:
 *
 *   SRC0
 *   NAME                                  (the source as configured)
 *   AUTH REACH STRATUM-... as "%d %o %d %d %d": authenticated (0/1), the
 *                                         reachability register (octal),
 *                                         its size, stratum, leap status
 *   N ASYMMETRY-RUN
 *   N lines, oldest sample first:
 *   SEC.NANOSEC OFFSET ORIG-OFFSET PEER-DELAY PEER-DISP ROOT-DELAY ROOT-DISP
 *                                         (the numbers "%.6e"; offsets
 *                                         positive when our clock is ahead)
 *
 * Written through DIR/ADDRESS.dat.tmp (mode 0644), flushed to disk and
 * renamed, so a crash never leaves half a file. At start chronyd removes
 * the files it writes (named by an address, or refid:XXXXXXXX for
 * reference clocks), after reading them with -r. */
#ifndef CW_DUMPFILE_H
#define CW_DUMPFILE_H

#include <stdbool.h>

#include "core/srcstats.h"

#define DUMPFILE_SUFFIX ".dat"
#define DUMPFILE_MAX_NAME 256

struct dumpfile_source {
    char name[DUMPFILE_MAX_NAME];
    bool authenticated;
    unsigned reach;
    int reach_size;
    int stratum;
    int leap;
    int asymmetry_run;
    int n_samples;
    struct srcstats_saved_sample samples[SRCSTATS_MAX_SAMPLES];
};

/* Writes DIR/ADDRESS.dat. False, with a warning, when it could not. */
bool dumpfile_write(const char *dir, const char *address, const struct dumpfile_source *d);

/* Reads DIR/ADDRESS.dat into d. False when there is no such file
 * (*exists false) or it is not a valid dump (*exists true). Only the
 * format is checked here; whether it fits the source is the caller's. */
bool dumpfile_read(const char *dir, const char *address, struct dumpfile_source *d,
                   bool *exists);

/* Removes DIR's dump files (ADDRESS.dat and refid:*.dat; nothing else). */
void dumpfile_remove_all(const char *dir);

#endif
