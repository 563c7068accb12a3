/* driftfile: reading and replacing the drift file (see driftfile.h). */
#include "chronyd/driftfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"

#define TMP_SUFFIX ".tmp"
#define PERMISSION_BITS 0777

bool driftfile_read(const char *path, double *freq_ppm, double *skew_ppm)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    double freq, skew;
    bool ok = fscanf(f, "%lf %lf", &freq, &skew) == 2 && isfinite(freq) && isfinite(skew);
    fclose(f);
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
    size_t len = strlen(path) + sizeof TMP_SUFFIX;
    char *tmp = mem_alloc(len);
    snprintf(tmp, len, "%s%s", path, TMP_SUFFIX);

    FILE *f = fopen(tmp, "w");
    if (!f) {
        LOG_WARN("Could not open temporary driftfile %s for writing", tmp);
        mem_free(tmp);
        return false;
    }
    int written = fprintf(f, "%20.6f %20.6f\n", freq_ppm, skew_ppm);
    /* the data must be on disk before the rename makes it the drift file */
    bool flushed = fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (fclose(f) != 0 || written < 0 || !flushed) {
        LOG_WARN("Could not write to temporary driftfile %s", tmp);
        unlink(tmp);
        mem_free(tmp);
        return false;
    }

    struct stat st;
    if (stat(path, &st) == 0 &&
        (chown(tmp, st.st_uid, st.st_gid) != 0 || chmod(tmp, st.st_mode & PERMISSION_BITS) != 0))
        LOG_WARN("Could not change ownership or permissions of temporary driftfile %s", tmp);

    if (rename(tmp, path) != 0) {
        LOG_WARN("Could not replace old driftfile %s with new one %s : %s", path, tmp,
                 strerror(errno));
        unlink(tmp);
        mem_free(tmp);
        return false;
    }
    mem_free(tmp);
    return true;
}

bool driftfile_mtime(const char *path, struct timespec *mtime)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    *mtime = st.st_mtim;
    return true;
}
