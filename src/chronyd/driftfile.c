/* driftfile: reading and replacing the drift file (see driftfile.h). */
#include "chronyd/driftfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "platform/files.h"

/* A new drift file's mode before the umask, as fopen(3) creates files. */
#define DRIFTFILE_MODE 0666
/* The two numbers are read from this much of the file: chrony's own line is
 * 42 bytes, and a longer head only leaves more room for odd whitespace. */
#define DRIFTFILE_HEAD_BYTES 4096

bool driftfile_read(const char *path, double *freq_ppm, double *skew_ppm)
{
    char text[DRIFTFILE_HEAD_BYTES];
    if (files_read_head(path, text, sizeof text) < 0)
        return false;
    double freq, skew;
    bool ok = sscanf(text, "%lf %lf", &freq, &skew) == 2 && isfinite(freq) && isfinite(skew);
    if (!ok) {
        LOG_WARN("Could not read valid frequency and skew from driftfile %s", path);
        return false;
    }
    *freq_ppm = freq;
    *skew_ppm = skew;
    return true;
}

bool driftfile_write(const char *path, double freq_ppm, double skew_ppm)
{
    files_out *out = files_replace_begin(path, DRIFTFILE_MODE);
    if (!out) {
        LOG_WARN("Could not open temporary driftfile %s" FILES_TMP_SUFFIX " for writing", path);
        return false;
    }
    files_out_printf(out, "%20.6f %20.6f\n", freq_ppm, skew_ppm);
    if (!files_replace_keep_owner(out))
        LOG_WARN("Could not change ownership or permissions of temporary driftfile %s"
                 FILES_TMP_SUFFIX, path);

    switch (files_replace_commit(out)) {
    case FILES_REPLACED:
        return true;
    case FILES_WRITE_FAILED:
        LOG_WARN("Could not write to temporary driftfile %s" FILES_TMP_SUFFIX, path);
        return false;
    case FILES_RENAME_FAILED:
        LOG_WARN("Could not replace old driftfile %s with new one %s" FILES_TMP_SUFFIX " : %s",
                 path, path, strerror(errno));
        return false;
    }
    return false;
}

bool driftfile_mtime(const char *path, struct timespec *mtime)
{
    return files_mtime(path, mtime);
}
