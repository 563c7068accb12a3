/* leapsrc: leap second data from a leap-seconds.list file or a time zone
 * (see leapsrc.h). */
#include "chronyd/leapsrc.h"

#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "core/leapsec.h"
#include "ntp_wire.h"
#include "platform/files.h"
#include "platform/tzdb.h"

/* Lookups are cached per this many seconds of the time asked about. */
#define CHECK_PERIOD_S (12 * 3600)
/* Lines are read in pieces of at most this many bytes less one. */
#define MAX_LINE 1024

enum source { SRC_NONE, SRC_TIMEZONE, SRC_LIST };

static struct {
    enum source src;
    char *tz;
    char *list;
    bool cached;
    time_t cached_when;
    int cached_leap, cached_tai;
} L;

int leapsrc_tz_lookup(const char *tz, time_t when, int *tai_offset)
{
    int leap = tzdb_leap_second(tz, when, tai_offset);
    return leap > 0 ? NTP_LEAP_INSERT : leap < 0 ? NTP_LEAP_DELETE : NTP_LEAP_NORMAL;
}

int leapsrc_list_lookup(const char *path, time_t when, int *tai_offset)
{
    *tai_offset = 0;
    files_reader *f = files_open_read(path);
    if (!f) {
        LOG_ERR("Failed to open leap seconds list %s", path);
        return NTP_LEAP_NORMAL;
    }
    struct leapsec_list_scan scan;
    leapsec_list_begin(&scan, when);
    const char *line;
    bool ok = true;
    while (ok && (line = files_read_line(f, MAX_LINE, NULL)))
        ok = leapsec_list_line(&scan, line);
    if (ok && files_read_failed(f))
        ok = false;
    files_close_read(f);

    int leap, tai;
    bool expired;
    if (!ok || !leapsec_list_end(&scan, &leap, &tai, &expired)) {
        LOG_ERR("Failed to parse leap seconds list %s", path);
        return NTP_LEAP_NORMAL;
    }
    if (expired)
        LOG_WARN("Leap second list %s needs update", path);
    *tai_offset = tai;
    return leap;
}

static int check_tz(void *ctx, time_t when, int *tai)
{
    return leapsrc_tz_lookup(ctx, when, tai);
}

static int check_list(void *ctx, time_t when, int *tai)
{
    return leapsrc_list_lookup(ctx, when, tai);
}

void leapsrc_init(const char *tz, const char *list)
{
    leapsrc_finish();
    if (tz && tz[0]) {
        if (leapsec_check_database(check_tz, (void *)tz))
            L.tz = mem_strdup(tz);
        else
            LOG_WARN("Timezone %s failed leap second check, ignoring", tz);
    }
    if (list && list[0]) {
        if (leapsec_check_database(check_list, (void *)list))
            L.list = mem_strdup(list);
        else
            LOG_WARN("Leap second list %s failed check, ignoring", list);
    }
    if (L.list) {
        LOG_INFO("Using leap second list %s", L.list);
        L.src = SRC_LIST;
    } else if (L.tz) {
        LOG_INFO("Using %s timezone to obtain leap second data", L.tz);
        L.src = SRC_TIMEZONE;
    }
}

void leapsrc_finish(void)
{
    mem_free(L.tz);
    mem_free(L.list);
    memset(&L, 0, sizeof L);
}

bool leapsrc_active(void)
{
    return L.src != SRC_NONE;
}

int leapsrc_get(time_t when, int *tai_offset)
{
    /* at most twice a day */
    when = when / CHECK_PERIOD_S * CHECK_PERIOD_S;
    if (!L.cached || L.cached_when != when) {
        L.cached = true;
        L.cached_when = when;
        L.cached_leap = NTP_LEAP_NORMAL;
        L.cached_tai = 0;
        if (L.src == SRC_LIST)
            L.cached_leap = leapsrc_list_lookup(L.list, when, &L.cached_tai);
        else if (L.src == SRC_TIMEZONE)
            L.cached_leap = leapsrc_tz_lookup(L.tz, when, &L.cached_tai);
    }
    *tai_offset = L.cached_tai;
    return L.cached_leap;
}
