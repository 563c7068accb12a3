/* clockshim: an LD_PRELOAD library that gives the one process it is loaded
 * into a virtual system clock, so a real NTP daemon can run with clock control
 * on while the host clock stays untouched.
 *
 * It owns the interposed libc entry points and the process-wide state: one
 * vclock (the model, vclock.c), its lock, and the record file.
 *  - CLOCK_REALTIME (and _COARSE, _ALARM, CLOCK_TAI), gettimeofday, time,
 *    timespec_get, ftime read the virtual clock;
 *  - adjtimex, __adjtimex, ntp_adjtime, clock_adjtime(CLOCK_REALTIME), adjtime,
 *    clock_settime(CLOCK_REALTIME), settimeofday act on the model only: no
 *    clock-setting system call ever reaches the kernel (the host clock is not
 *    ours to change, and tests run without CAP_SYS_TIME so a leak fails);
 *  - kernel timestamps in recvmsg/recvmmsg control messages (SO_TIMESTAMP,
 *    SO_TIMESTAMPNS, SO_TIMESTAMPING software stamps) are mapped to the
 *    virtual time the kernel would have stamped;
 *  - every other clock (CLOCK_MONOTONIC, BOOTTIME, CPU clocks) passes through:
 *    the virtual clock's frequency does not change their rate, unlike a real
 *    kernel's CLOCK_MONOTONIC (see README.md).
 * Environment: CLOCKSHIM_OFFSET (s, virtual minus true at start),
 * CLOCKSHIM_FREQ (ppm, natural frequency error), CLOCKSHIM_RECORD (file). */
#include "vclock.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timeb.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_TIMESTAMP_OLD
#define SO_TIMESTAMP_OLD 29
#define SO_TIMESTAMPNS_OLD 35
#define SO_TIMESTAMPING_OLD 37
#endif
#ifndef SO_TIMESTAMP_NEW
#define SO_TIMESTAMP_NEW 63
#define SO_TIMESTAMPNS_NEW 64
#define SO_TIMESTAMPING_NEW 65
#endif

#define NS_PER_S 1000000000LL
#define RECORD_INTERVAL_NS NS_PER_S
/* adjtime() limits in glibc: |delta| below INT_MAX microseconds. */
#define ADJTIME_MAX_SEC (2147483647L / 1000000L - 2)
#define MAX_NATURAL_PPM 100000.0

/* Entry points glibc exports but does not declare (or declares under
 * another name on this target). */
int clock_adjtime(clockid_t clk, struct timex *txc);
int __adjtimex(struct timex *txc);
int shim_ntp_gettime_old(struct ntptimeval *ntv) __asm__("ntp_gettime");

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*clock_settime_fn)(clockid_t, const struct timespec *);
typedef int (*clock_adjtime_fn)(clockid_t, struct timex *);
typedef int (*clock_nanosleep_fn)(clockid_t, int, const struct timespec *, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, void *);
typedef int (*timespec_get_fn)(struct timespec *, int);
typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);
typedef int (*recvmmsg_fn)(int, struct mmsghdr *, unsigned int, int, struct timespec *);

static struct {
    clock_gettime_fn clock_gettime;
    clock_settime_fn clock_settime;
    clock_adjtime_fn clock_adjtime;
    clock_nanosleep_fn clock_nanosleep;
    gettimeofday_fn gettimeofday;
    timespec_get_fn timespec_get;
    recvmsg_fn recvmsg;
    recvmmsg_fn recvmmsg;
} real;

static pthread_once_t shim_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static int shim_ready;
static struct vclock shim_clock;
static char shim_record[4096];
static int64_t shim_last_record_ns;
static long shim_leaps_recorded;

static void die(const char *what, const char *value)
{
    /* A mistyped variable must not silently give a test the wrong clock. */
    fprintf(stderr, "clockshim: invalid %s=\"%s\"\n", what, value ? value : "");
    _exit(125);
}

static int64_t real_ns(clockid_t id)
{
    struct timespec ts;
    /* Before the real function is resolved (during dlsym itself), ask the
     * kernel directly. */
    if (real.clock_gettime)
        real.clock_gettime(id, &ts);
    else
        syscall(SYS_clock_gettime, id, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void fmt_ns(char *buf, size_t len, int64_t ns)
{
    const char *sign = ns < 0 ? "-" : "";
    uint64_t a = ns < 0 ? (uint64_t)-(ns + 1) + 1 : (uint64_t)ns;
    snprintf(buf, len, "%s%llu.%09llu", sign, (unsigned long long)(a / NS_PER_S),
             (unsigned long long)(a % NS_PER_S));
}

/* One line per event: pid, true time, virtual minus true, the virtual clock's
 * rate error (ppm), kernel frequency (ppm), tick, status, state, maxerror,
 * event. Opened per line: a daemonising process closes every descriptor, and
 * a kept one could end up being some socket of the daemon. */
static void record_locked(int64_t now_ns, const char *event)
{
    if (!shim_record[0])
        return;
    int saved_errno = errno;
    struct vclock_info in;
    char t[32], off[32], line[256];

    vclock_get_info(&shim_clock, now_ns, &in);
    fmt_ns(t, sizeof t, now_ns);
    fmt_ns(off, sizeof off, in.offset_ns);
    int n = snprintf(line, sizeof line, "%ld %s %s %.3f %.6f %ld 0x%04x %d %ld %s\n",
                     (long)getpid(), t, off, in.rate_ppm, in.freq_ppm, in.tick_usec,
                     (unsigned)in.status, in.state, in.maxerror_us, event);
    int fd = open(shim_record, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (n > 0 && write(fd, line, (size_t)n) < 0) {
            /* nothing to do: the record is best effort, the clock is not */
        }
        close(fd);
    }
    shim_last_record_ns = now_ns;
    errno = saved_errno;
}

/* Called with the lock held after every use of the clock: the periodic line
 * and a line for each leap second the model applied. */
static void record_due_locked(int64_t now_ns)
{
    if (shim_clock.leaps != shim_leaps_recorded) {
        shim_leaps_recorded = shim_clock.leaps;
        record_locked(now_ns, "leap");
    } else if (now_ns - shim_last_record_ns >= RECORD_INTERVAL_NS) {
        record_locked(now_ns, "periodic");
    }
}

static void lock(void)
{
    pthread_mutex_lock(&shim_lock);
}

static void unlock(void)
{
    pthread_mutex_unlock(&shim_lock);
}

static void child_after_fork(void)
{
    /* The child has one thread and its own copy of the clock from here on. */
    pthread_mutex_init(&shim_lock, NULL);
}

static void *next_symbol(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

static void shim_init_once(void)
{
    real.clock_gettime = (clock_gettime_fn)next_symbol("clock_gettime");
    real.clock_settime = (clock_settime_fn)next_symbol("clock_settime");
    real.clock_adjtime = (clock_adjtime_fn)next_symbol("clock_adjtime");
    real.clock_nanosleep = (clock_nanosleep_fn)next_symbol("clock_nanosleep");
    real.gettimeofday = (gettimeofday_fn)next_symbol("gettimeofday");
    real.timespec_get = (timespec_get_fn)next_symbol("timespec_get");
    real.recvmsg = (recvmsg_fn)next_symbol("recvmsg");
    real.recvmmsg = (recvmmsg_fn)next_symbol("recvmmsg");

    long double offset = 0;
    double freq = 0;
    const char *s;
    char *end;

    if ((s = getenv("CLOCKSHIM_OFFSET")) && *s) {
        errno = 0;
        offset = strtold(s, &end);
        if (errno || *end || !isfinite(offset) || fabsl(offset) > 1e10L)
            die("CLOCKSHIM_OFFSET", s);
    }
    if ((s = getenv("CLOCKSHIM_FREQ")) && *s) {
        errno = 0;
        freq = strtod(s, &end);
        if (errno || *end || !isfinite(freq) || fabs(freq) > MAX_NATURAL_PPM)
            die("CLOCKSHIM_FREQ", s);
    }
    if ((s = getenv("CLOCKSHIM_WANDER")) && *s)
        die("CLOCKSHIM_WANDER (not implemented)", s);
    if ((s = getenv("CLOCKSHIM_RECORD")) && *s) {
        if (strlen(s) >= sizeof shim_record)
            die("CLOCKSHIM_RECORD", s);
        strcpy(shim_record, s);
    }

    int64_t now = real_ns(CLOCK_REALTIME);
    vclock_init(&shim_clock, now, offset, freq);
    pthread_atfork(lock, unlock, child_after_fork);
    if (shim_record[0]) {
        int fd = open(shim_record, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            static const char hdr[] = "# pid true_s offset_s rate_ppm freq_ppm tick "
                                      "status state maxerror_us event\n";
            if (write(fd, hdr, sizeof hdr - 1) < 0) {
                /* best effort, as record_locked() */
            }
            close(fd);
        }
    }
    record_locked(now, "start");
    shim_ready = 1;
}

static void shim_init(void)
{
    int saved_errno = errno;
    pthread_once(&shim_once, shim_init_once);
    errno = saved_errno;
}

__attribute__((constructor)) static void shim_constructor(void)
{
    shim_init();
}

__attribute__((destructor)) static void shim_destructor(void)
{
    if (!shim_ready)
        return;
    lock();
    record_locked(real_ns(CLOCK_REALTIME), "exit");
    unlock();
}

/* The virtual CLOCK_REALTIME now, in ns. */
static int64_t virtual_now(void)
{
    shim_init();
    lock();
    /* Write a due record line before reading the time, so the file I/O does
     * not sit between the reading and the caller getting it. */
    record_due_locked(real_ns(CLOCK_REALTIME));
    int64_t now = real_ns(CLOCK_REALTIME);
    int64_t v = vclock_read(&shim_clock, now);
    unlock();
    return v;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

static void ns_to_timespec(int64_t ns, struct timespec *ts)
{
    ts->tv_sec = floor_div(ns, NS_PER_S);
    ts->tv_nsec = ns - (int64_t)ts->tv_sec * NS_PER_S;
}

static int is_realtime_clock(clockid_t id)
{
    return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE ||
           id == CLOCK_REALTIME_ALARM || id == CLOCK_TAI;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    shim_init();
    if (!is_realtime_clock(id))
        return real.clock_gettime ? real.clock_gettime(id, ts)
                                  : (int)syscall(SYS_clock_gettime, id, ts);
    lock();
    record_due_locked(real_ns(CLOCK_REALTIME));   /* before reading: see virtual_now() */
    /* The coarse clock is the time of the last tick: map that instant. */
    int64_t coarse = id == CLOCK_REALTIME_COARSE ? real_ns(CLOCK_REALTIME_COARSE) : 0;
    int64_t now = real_ns(CLOCK_REALTIME);
    int64_t v = vclock_read(&shim_clock, now);
    if (id == CLOCK_REALTIME_COARSE)
        v = vclock_map(&shim_clock, now, coarse);
    if (id == CLOCK_TAI)
        v += (int64_t)vclock_tai(&shim_clock) * NS_PER_S;
    unlock();
    ns_to_timespec(v, ts);
    return 0;
}

/* Defined under another C name: glibc declares the time argument nonnull, so
 * the compiler would drop the check, yet the kernel accepts NULL (zone only). */
int shim_gettimeofday(struct timeval *tv, void *tz) __asm__("gettimeofday");
int shim_gettimeofday(struct timeval *tv, void *tz)
{
    shim_init();
    if (tz) {
        /* The zone comes from the kernel, as without the shim. */
        struct timeval dummy;
        if (!real.gettimeofday)
            memset(tz, 0, sizeof(struct timezone));
        else if (real.gettimeofday(&dummy, tz) < 0)
            return -1;
    }
    if (tv) {
        struct timespec ts;
        ns_to_timespec(virtual_now(), &ts);
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return 0;
}

time_t time(time_t *tloc)
{
    time_t t = (time_t)floor_div(virtual_now(), NS_PER_S);
    if (tloc)
        *tloc = t;
    return t;
}

int timespec_get(struct timespec *ts, int base)
{
    shim_init();
    if (base != TIME_UTC)
        return real.timespec_get ? real.timespec_get(ts, base) : 0;
    ns_to_timespec(virtual_now(), ts);
    return base;
}

int ftime(struct timeb *tp)
{
    struct timespec ts;
    ns_to_timespec(virtual_now(), &ts);
    tp->time = ts.tv_sec;
    tp->millitm = (unsigned short)(ts.tv_nsec / 1000000);
    tp->timezone = 0;
    tp->dstflag = 0;
    return 0;
}

/* Shared by every adjtimex flavour: the model answers, even read-only
 * calls, so the state a caller sees is the virtual clock's own. */
static int shim_adjtimex(struct timex *txc)
{
    shim_init();
    if (!txc) {
        errno = EFAULT;
        return -1;
    }
    int err = 0;
    lock();
    int64_t now = real_ns(CLOCK_REALTIME);
    int64_t mono = real_ns(CLOCK_MONOTONIC);
    unsigned modes = txc->modes;
    int r = vclock_adjtimex(&shim_clock, now, mono, txc, &err);
    if (r >= 0 && modes && modes != ADJ_OFFSET_SS_READ) {
        char ev[32];
        snprintf(ev, sizeof ev, "adjtimex:0x%04x", modes);
        record_locked(now, ev);
    } else {
        record_due_locked(now);
    }
    unlock();
    if (r < 0)
        errno = err;
    return r;
}

int adjtimex(struct timex *txc)
{
    return shim_adjtimex(txc);
}

int __adjtimex(struct timex *txc)
{
    return shim_adjtimex(txc);
}

int ntp_adjtime(struct timex *txc)
{
    return shim_adjtimex(txc);
}

int clock_adjtime(clockid_t id, struct timex *txc)
{
    shim_init();
    if (id == CLOCK_REALTIME)
        return shim_adjtimex(txc);
    /* Dynamic clocks (PTP hardware clocks, negative ids) are not the system
     * clock; every other static clock is refused as the kernel refuses it. */
    if (id < 0 && real.clock_adjtime)
        return real.clock_adjtime(id, txc);
    errno = EOPNOTSUPP;
    return -1;
}

int ntp_gettimex(struct ntptimeval *ntv)
{
    struct timex txc;
    memset(&txc, 0, sizeof txc);
    int r = shim_adjtimex(&txc);
    ntv->time = txc.time;
    ntv->maxerror = txc.maxerror;
    ntv->esterror = txc.esterror;
    ntv->tai = txc.tai;
    ntv->__glibc_reserved1 = ntv->__glibc_reserved2 = 0;
    ntv->__glibc_reserved3 = ntv->__glibc_reserved4 = 0;
    return r;
}

/* The pre-2.12 symbol, for old binaries: fills only the first three fields. */
int shim_ntp_gettime_old(struct ntptimeval *ntv)
{
    struct timex txc;
    memset(&txc, 0, sizeof txc);
    int r = shim_adjtimex(&txc);
    ntv->time = txc.time;
    ntv->maxerror = txc.maxerror;
    ntv->esterror = txc.esterror;
    return r;
}

int adjtime(const struct timeval *delta, struct timeval *olddelta)
{
    struct timex txc;
    memset(&txc, 0, sizeof txc);
    if (delta) {
        long sec = delta->tv_sec + delta->tv_usec / 1000000L;
        long usec = delta->tv_usec % 1000000L;
        if (sec > ADJTIME_MAX_SEC || sec < -ADJTIME_MAX_SEC) {
            errno = EINVAL;
            return -1;
        }
        txc.offset = sec * 1000000L + usec;
        txc.modes = ADJ_OFFSET_SINGLESHOT;
    } else {
        txc.modes = ADJ_OFFSET_SS_READ;
    }
    if (shim_adjtimex(&txc) < 0)
        return -1;
    if (olddelta) {
        long off = txc.offset;
        if (off < 0) {
            olddelta->tv_sec = -(-off / 1000000L);
            olddelta->tv_usec = -(-off % 1000000L);
        } else {
            olddelta->tv_sec = off / 1000000L;
            olddelta->tv_usec = off % 1000000L;
        }
    }
    return 0;
}

static int shim_settime(int64_t sec, long nsec, const char *event)
{
    int err = 0;
    shim_init();
    lock();
    int64_t now = real_ns(CLOCK_REALTIME);
    int64_t mono = real_ns(CLOCK_MONOTONIC);
    int r = vclock_settime(&shim_clock, now, mono, sec, nsec, &err);
    if (r == 0)
        record_locked(now, event);
    unlock();
    if (r < 0)
        errno = err;
    return r;
}

int clock_settime(clockid_t id, const struct timespec *ts)
{
    shim_init();
    if (id == CLOCK_REALTIME)
        return shim_settime(ts->tv_sec, ts->tv_nsec, "settime");
    if (id < 0 && real.clock_settime)
        return real.clock_settime(id, ts);
    errno = EINVAL;
    return -1;
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
    /* As glibc: a time and a zone together are refused. A zone alone would
     * set the kernel's timezone (and may warp the clock once): it is
     * accepted and ignored. */
    if (tv && tz) {
        errno = EINVAL;
        return -1;
    }
    if (!tv)
        return 0;
    if (tv->tv_usec < 0 || tv->tv_usec >= 1000000) {
        errno = EINVAL;
        return -1;
    }
    return shim_settime(tv->tv_sec, tv->tv_usec * 1000L, "settimeofday");
}

int clock_nanosleep(clockid_t id, int flags, const struct timespec *req,
                    struct timespec *rem)
{
    shim_init();
    if (!((id == CLOCK_REALTIME || id == CLOCK_TAI) && (flags & TIMER_ABSTIME)))
        return real.clock_nanosleep(id, flags, req, rem);
    if (req->tv_nsec < 0 || req->tv_nsec >= NS_PER_S)
        return EINVAL;
    /* An absolute virtual deadline becomes a relative sleep. Unlike the
     * kernel, a later step of the virtual clock does not wake the sleeper. */
    struct timespec now_ts;
    clock_gettime(id, &now_ts);
    int64_t left = ((int64_t)req->tv_sec - now_ts.tv_sec) * NS_PER_S +
                   (req->tv_nsec - now_ts.tv_nsec);
    if (left <= 0)
        return 0;
    struct timespec rel;
    ns_to_timespec(left, &rel);
    return real.clock_nanosleep(CLOCK_MONOTONIC, 0, &rel, NULL);
}

/* Kernel timestamps in received control messages are true time: turn them
 * into the virtual time the kernel would have stamped. */
static int64_t map_locked(int64_t now, int64_t sec, int64_t nsec)
{
    return vclock_map(&shim_clock, now, sec * NS_PER_S + nsec);
}

static void map_timespecs(int64_t now, unsigned char *data, int count)
{
    for (int i = 0; i < count; i++) {
        struct timespec ts;
        memcpy(&ts, data + i * sizeof ts, sizeof ts);
        /* Slot 1 of SO_TIMESTAMPING is unused; slot 2 is a hardware clock's
         * raw time, not the system clock. Zero means "not stamped". */
        if (i > 0 || (ts.tv_sec == 0 && ts.tv_nsec == 0))
            continue;
        ns_to_timespec(map_locked(now, ts.tv_sec, ts.tv_nsec), &ts);
        memcpy(data + i * sizeof ts, &ts, sizeof ts);
    }
}

static void map_control(int64_t now, struct msghdr *msg)
{
    if (!msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
        return;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET)
            continue;
        unsigned char *data = CMSG_DATA(cm);
        size_t len = cm->cmsg_len - CMSG_LEN(0);
        switch (cm->cmsg_type) {
        case SO_TIMESTAMP_OLD:
        case SO_TIMESTAMP_NEW: {
            /* struct timeval and the kernel's 64-bit sock_timeval have the
             * same layout on 64-bit targets; the _NEW one always has it. */
            int64_t f[2];
            if (cm->cmsg_type == SO_TIMESTAMP_OLD && sizeof(struct timeval) != sizeof f)
                continue;
            if (len < sizeof f)
                continue;
            memcpy(f, data, sizeof f);
            struct timespec ts;
            ns_to_timespec(map_locked(now, f[0], f[1] * 1000), &ts);
            f[0] = ts.tv_sec;
            f[1] = ts.tv_nsec / 1000;
            memcpy(data, f, sizeof f);
            break;
        }
        case SO_TIMESTAMPNS_OLD:
        case SO_TIMESTAMPING_OLD:
        case SO_TIMESTAMPNS_NEW:
        case SO_TIMESTAMPING_NEW: {
            int count = (cm->cmsg_type == SO_TIMESTAMPING_OLD ||
                         cm->cmsg_type == SO_TIMESTAMPING_NEW) ? 3 : 1;
            if (sizeof(struct timespec) != 2 * sizeof(int64_t) ||
                len < count * sizeof(struct timespec))
                continue;
            map_timespecs(now, data, count);
            break;
        }
        default:
            break;
        }
    }
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    shim_init();
    ssize_t r = real.recvmsg(fd, msg, flags);
    if (r >= 0 && msg) {
        int saved_errno = errno;
        lock();
        int64_t now = real_ns(CLOCK_REALTIME);
        map_control(now, msg);
        record_due_locked(now);
        unlock();
        errno = saved_errno;
    }
    return r;
}

int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
             struct timespec *timeout)
{
    shim_init();
    int r = real.recvmmsg(fd, vec, vlen, flags, timeout);
    if (r > 0 && vec) {
        int saved_errno = errno;
        lock();
        int64_t now = real_ns(CLOCK_REALTIME);
        for (int i = 0; i < r; i++)
            map_control(now, &vec[i].msg_hdr);
        record_due_locked(now);
        unlock();
        errno = saved_errno;
    }
    return r;
}
