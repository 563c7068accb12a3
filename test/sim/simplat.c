/* simplat: sysclock, random, clockprec, resolver and daemon for the
 * simulator. See simplat.h. */
#include "simplat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "platform/clockprec.h"
#include "platform/daemon.h"
#include "platform/random.h"
#include "platform/resolver.h"
#include "platform/sysclock.h"
#include "simclock.h"
#include "simloop.h"
#include "simrng.h"

#define MAX_HOSTS 16
/* How long a name takes to resolve. */
#define RESOLVE_DELAY_NS 20000000LL
#define MIN_LOG2 (-128)
#define MAX_LOG2 127
#define DOUBLE_MANTISSA_BITS 53

static struct simrng daemon_rng;
static struct simplat_stats stats;

/* ---- random.h ---- */

void random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        uint64_t v = simrng_u64(&daemon_rng);
        size_t n = len < sizeof v ? len : sizeof v;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
}

uint64_t random_u64(void)
{
    return simrng_u64(&daemon_rng);
}

bool random_try_bytes(void *buf, size_t len)
{
    random_bytes(buf, len);
    return true;
}

double random_unit(void)
{
    return (double)(random_u64() >> (64 - DOUBLE_MANTISSA_BITS)) /
           (double)(UINT64_C(1) << DOUBLE_MANTISSA_BITS);
}

/* ---- clockprec.h ---- */

double clockprec_measure_s(void)
{
    return SIMPLAT_CLOCK_PRECISION_S;
}

int clockprec_log2(double quantum_s)
{
    if (!(quantum_s > 0.0))
        return MIN_LOG2;
    double l = round(log2(quantum_s));
    return l < MIN_LOG2 ? MIN_LOG2 : l > MAX_LOG2 ? MAX_LOG2 : (int)l;
}

/* ---- sysclock.h ---- */

static bool controlling;
static double null_freq_ppm;
static uint64_t clock_events;

uint64_t simplat_clock_events(void)
{
    return clock_events;
}

int sysclock_init(bool control)
{
    controlling = control;
    null_freq_ppm = simclock_get_freq_ppm();
    stats.sysclock_initialised = true;
    stats.control = control;
    return 0;
}

void sysclock_finish(void)
{
    controlling = false;
}

bool sysclock_controls_clock(void)
{
    return controlling;
}

void sysclock_read_raw(struct timespec *ts)
{
    simclock_read_real(ts);
}

double sysclock_max_frequency_ppm(void)
{
    return simclock_max_freq_ppm();
}

double sysclock_get_frequency_ppm(void)
{
    return controlling ? simclock_get_freq_ppm() : null_freq_ppm;
}

double sysclock_set_frequency_ppm(double freq_ppm)
{
    clock_events++;
    if (controlling)
        return simclock_set_freq_ppm(freq_ppm);
    double max = simclock_max_freq_ppm();
    null_freq_ppm = freq_ppm > max ? max : freq_ppm < -max ? -max : freq_ppm;
    stats.null_freq_sets++;
    return null_freq_ppm;
}

int sysclock_step(double offset_s)
{
    clock_events++;
    return controlling ? simclock_step(offset_s) : 0;
}

void sysclock_set_sync_status(bool synced, double est_error_s, double max_error_s)
{
    if (controlling)
        simclock_set_status(synced, est_error_s, max_error_s);
}

void sysclock_set_leap(enum sysclock_leap leap)
{
    if (controlling)
        simclock_set_leap((int)leap);
}

/* ---- resolver.h ---- */

struct host {
    char name[RESOLVER_MAX_NAME + 1];
    addr_ip ip;
};

struct request {
    struct request *next;
    char *name;
    int family;
    resolver_done done;
    void *arg;
    bool cancelled;
};

static struct host hosts[MAX_HOSTS];
static int n_hosts;
static struct request *requests;

void simplat_add_host(const char *name, const addr_ip *ip)
{
    if (n_hosts >= MAX_HOSTS || strlen(name) > RESOLVER_MAX_NAME)
        LOG_FATAL("simulator: too many or too long host names");
    snprintf(hosts[n_hosts].name, sizeof hosts[n_hosts].name, "%s", name);
    hosts[n_hosts++].ip = *ip;
}

static void unlink_request(struct request *r)
{
    for (struct request **p = &requests; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            break;
        }
    }
    mem_free(r->name);
    mem_free(r);
}

static void drop_request(void *arg)
{
    unlink_request(arg);
}

static void answer(void *arg)
{
    struct request *r = arg;
    if (r->cancelled) {
        unlink_request(r);
        return;
    }
    addr_ip addrs[RESOLVER_MAX_ADDRS];
    int n = 0;
    for (int i = 0; i < n_hosts && n < RESOLVER_MAX_ADDRS; i++)
        if (strcmp(hosts[i].name, r->name) == 0 &&
            (r->family == ADDR_UNSPEC || r->family == hosts[i].ip.family))
            addrs[n++] = hosts[i].ip;
    resolver_done done = r->done;
    void *done_arg = r->arg;
    unlink_request(r);
    done(done_arg, n > 0 ? RESOLVER_OK : RESOLVER_FAILED, addrs, n);
}

int resolver_request(const char *name, int family, resolver_done done, void *arg)
{
    addr_ip ip;
    if (!name || !name[0] || strlen(name) > RESOLVER_MAX_NAME || addr_parse(name, &ip) ||
        !done || (family != ADDR_UNSPEC && family != ADDR_INET4 && family != ADDR_INET6)) {
        errno = EINVAL;
        return -1;
    }
    struct request *r = mem_calloc(1, sizeof *r);
    r->name = mem_strdup(name);
    r->family = family;
    r->done = done;
    r->arg = arg;
    r->next = requests;
    requests = r;
    stats.resolver_requests++;
    simloop_at(simclock_true_ns() + RESOLVE_DELAY_NS, answer, drop_request, r);
    return 0;
}

/* Answers come through simloop events, never through a descriptor. */
int resolver_fd(void)
{
    return -1;
}

void resolver_process(void)
{
}

void resolver_set_fd_notify(void (*notify)(int fd, bool add))
{
}

int resolver_cancel(resolver_done done, void *arg)
{
    int n = 0;
    for (struct request *r = requests; r; r = r->next) {
        if (!r->cancelled && r->done == done && r->arg == arg) {
            r->cancelled = true;
            n++;
        }
    }
    return n;
}

int resolver_pending(void)
{
    int n = 0;
    for (struct request *r = requests; r; r = r->next)
        if (!r->cancelled)
            n++;
    return n;
}

/* The configuration's names (allow/deny and such): the same table, at once. */
int resolver_lookup_blocking(const char *name, int family, unsigned flags, addr_ip *out,
                             int max)
{
    addr_ip ip;
    if (addr_parse(name, &ip)) {
        if (max <= 0 || (family != ADDR_UNSPEC && ip.family != family))
            return 0;
        out[0] = ip;
        return 1;
    }
    int n = 0;
    for (int i = 0; i < n_hosts && n < max; i++)
        if (strcmp(hosts[i].name, name) == 0 &&
            (family == ADDR_UNSPEC || family == hosts[i].ip.family))
            out[n++] = hosts[i].ip;
    return n;
}

void resolver_finish(void)
{
    /* the pending answer events find their requests cancelled */
    for (struct request *r = requests; r; r = r->next)
        r->cancelled = true;
}

/* ---- daemon.h ---- */

int daemon_detach(void)
{
    LOG_FATAL("simulator: chronyd must run in the foreground (-d)");
}

int daemon_pidfile_running(const char *path)
{
    return 0;
}

int daemon_pidfile_write(const char *path)
{
    return 0;
}

void daemon_pidfile_remove(const char *path)
{
}

int daemon_create_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    return 0;
}

void daemon_set_priority(int priority)
{
}

void daemon_lock_memory(void)
{
}

/* ---- setup ---- */

void simplat_init(uint64_t seed)
{
    simrng_init(&daemon_rng, seed, SIMRNG_DAEMON);
    memset(&stats, 0, sizeof stats);
    n_hosts = 0;
    controlling = false;
    clock_events = 0;
}

void simplat_get_stats(struct simplat_stats *out)
{
    *out = stats;
}
