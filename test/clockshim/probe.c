/* probe: the test program test/system/clockshim.sh runs under the clock shim.
 * Each mode exercises one part of the shim through the ordinary libc calls a
 * daemon makes, compares with the true time read straight from the kernel
 * (a raw clock_gettime system call, which the shim cannot see), and prints
 * "key value" lines for the script and PASS/FAIL lines for checks that are
 * decided inside the process. Exit status 1 when any check failed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000LL

int clock_adjtime(clockid_t clk, struct timex *txc);
int __adjtimex(struct timex *txc);

static int failures;

static void result(const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void result(const char *name, int ok, const char *fmt, ...)
{
    printf("%s %s", ok ? "PASS" : "FAIL", name);
    if (!ok && fmt) {
        va_list ap;
        va_start(ap, fmt);
        printf(": ");
        vprintf(fmt, ap);
        va_end(ap);
    }
    printf("\n");
    fflush(stdout);
    if (!ok)
        failures++;
}

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * NS + ts->tv_nsec;
}

/* True time: the kernel's clock, asked without going through libc. */
static int64_t true_ns(clockid_t id)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, id, &ts);
    return ts_ns(&ts);
}

static int64_t virt_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts_ns(&ts);
}

/* Virtual minus true, with the true time taken on both sides of the
 * virtual reading; the tightest of a few tries, so that a preemption or the
 * first call's symbol binding does not skew it (error ~0.1 us). */
static int64_t offset_ns(int64_t *at_true)
{
    int64_t best_span = INT64_MAX, best = 0, best_at = 0;
    for (int i = 0; i < 7; i++) {
        int64_t a = true_ns(CLOCK_REALTIME);
        int64_t v = virt_ns();
        int64_t b = true_ns(CLOCK_REALTIME);
        if (b - a < best_span) {
            best_span = b - a;
            best_at = a + (b - a) / 2;
            best = v - best_at;
        }
    }
    if (at_true)
        *at_true = best_at;
    return best;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* Rate of the virtual clock against true time over ms milliseconds, ppm. */
static double measure_ppm(long ms)
{
    int64_t t0, t1;
    int64_t o0 = offset_ns(&t0);
    sleep_ms(ms);
    int64_t o1 = offset_ns(&t1);
    return (double)(o1 - o0) / (double)(t1 - t0) * 1e6;
}

static void print_s(const char *key, int64_t ns)
{
    printf("%s %s%lld.%09lld\n", key, ns < 0 ? "-" : "", llabs(ns) / NS, llabs(ns) % NS);
}

static int mode_read(void)
{
    struct timespec ts;
    struct timeval tv;
    int64_t raw = true_ns(CLOCK_REALTIME);
    int64_t rt = virt_ns();
    gettimeofday(&tv, NULL);
    int64_t gtod = (int64_t)tv.tv_sec * NS + tv.tv_usec * 1000;
    time_t t = time(NULL);
    timespec_get(&ts, TIME_UTC);
    int64_t tsget = ts_ns(&ts);
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    int64_t coarse = ts_ns(&ts);
    clock_gettime(CLOCK_TAI, &ts);
    int64_t tai = ts_ns(&ts);
    struct timex txc = {.modes = 0};
    adjtimex(&txc);
    int64_t atx = (int64_t)txc.time.tv_sec * NS +
                  (int64_t)txc.time.tv_usec * ((txc.status & STA_NANO) ? 1 : 1000);
    int64_t raw2 = true_ns(CLOCK_REALTIME);
    /* CLOCK_MONOTONIC must pass through untouched. */
    int64_t m0 = true_ns(CLOCK_MONOTONIC);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t m1 = true_ns(CLOCK_MONOTONIC);

    print_s("raw", raw);
    print_s("realtime", rt);
    print_s("offset_realtime", rt - raw);
    print_s("offset_gettimeofday", gtod - raw);
    print_s("offset_time", (int64_t)t * NS - raw);
    print_s("offset_timespec_get", tsget - raw);
    print_s("offset_coarse", coarse - raw);
    print_s("offset_tai", tai - raw);
    print_s("offset_adjtimex", atx - raw);
    print_s("read_span", raw2 - raw);
    result("monotonic_passes_through", ts_ns(&ts) >= m0 && ts_ns(&ts) <= m1,
           "%lld not in [%lld, %lld]", (long long)ts_ns(&ts), (long long)m0, (long long)m1);
    return 0;
}

static int mode_freq(long freq_ppm, long ms)
{
    struct timex txc = {.modes = ADJ_FREQUENCY, .freq = freq_ppm * 65536};
    int r = adjtimex(&txc);
    printf("adjtimex_rc %d errno %d\n", r, r < 0 ? errno : 0);
    printf("rate_ppm %.3f\n", measure_ppm(ms));
    print_s("final_offset", offset_ns(NULL));
    return r < 0;
}

static int mode_tick(long tick, long ms)
{
    struct timex txc = {.modes = ADJ_TICK, .tick = tick};
    int r = adjtimex(&txc);
    printf("adjtimex_rc %d errno %d\n", r, r < 0 ? errno : 0);
    printf("rate_ppm %.3f\n", measure_ppm(ms));
    return r < 0;
}

static int mode_settime(const char *how, double delta)
{
    int64_t before = offset_ns(NULL);
    int64_t target = virt_ns() + (int64_t)llround(delta * 1e9);
    int r;
    if (!strcmp(how, "clock_settime")) {
        struct timespec ts = {target / NS, target % NS};
        r = clock_settime(CLOCK_REALTIME, &ts);
    } else if (!strcmp(how, "settimeofday")) {
        struct timeval tv = {target / NS, (target % NS) / 1000};
        r = settimeofday(&tv, NULL);
    } else {
        struct timex txc = {.modes = ADJ_SETOFFSET | ADJ_NANO};
        int64_t d = (int64_t)llround(delta * 1e9);
        txc.time.tv_sec = d / NS;
        txc.time.tv_usec = d % NS;
        if (txc.time.tv_usec < 0) {
            txc.time.tv_sec--;
            txc.time.tv_usec += NS;
        }
        r = adjtimex(&txc);
        if (r >= 0)
            r = 0;
    }
    printf("set_rc %d errno %d\n", r, r < 0 ? errno : 0);
    print_s("offset_before", before);
    print_s("offset_after", offset_ns(NULL));
    return r != 0;
}

static int mode_adjtime(long usec)
{
    struct timeval d = {usec / 1000000, usec % 1000000}, old;
    int64_t o0 = offset_ns(NULL);
    int r = adjtime(&d, NULL);
    printf("adjtime_rc %d errno %d\n", r, r < 0 ? errno : 0);
    adjtime(NULL, &old);
    printf("remaining_start_us %ld\n", (long)(old.tv_sec * 1000000 + old.tv_usec));
    /* Samples every 100 ms: the steepest 1 s stretch is the slew rate. */
    enum { SAMPLES = 40, PER_S = 10 };
    int64_t off[SAMPLES], at[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
        off[i] = offset_ns(&at[i]);
        sleep_ms(1000 / PER_S);
    }
    double max_rate = 0;
    for (int i = PER_S; i < SAMPLES; i++) {
        double rate = (double)(off[i] - off[i - PER_S]) / (double)(at[i] - at[i - PER_S]) * 1e6;
        if (fabs(rate) > fabs(max_rate))
            max_rate = rate;
    }
    adjtime(NULL, &old);
    printf("remaining_end_us %ld\n", (long)(old.tv_sec * 1000000 + old.tv_usec));
    printf("applied_us %.3f\n", (double)(off[SAMPLES - 1] - o0) / 1e3);
    printf("max_rate_ppm %.3f\n", max_rate);
    return r != 0;
}

static int adj(unsigned modes, struct timex *txc)
{
    txc->modes = modes;
    return adjtimex(txc);
}

/* Each entry point reaches the model and answers with the kernel's rules. */
static int mode_semantics(void)
{
    struct timex txc;
    int r;

    memset(&txc, 0, sizeof txc);
    r = adj(0, &txc);
    result("initial_state_unsync", r == TIME_ERROR && (txc.status & STA_UNSYNC) &&
                                       txc.tick == 10000 && txc.freq == 0,
           "rc %d status 0x%x tick %ld freq %ld", r, txc.status, (long)txc.tick, (long)txc.freq);

    /* chrony's start-up sequence: PLL on with zero offset, then off. */
    memset(&txc, 0, sizeof txc);
    txc.status = STA_PLL | STA_UNSYNC;
    r = adj(ADJ_OFFSET | ADJ_STATUS, &txc);
    int r2 = (txc.status = STA_UNSYNC, adj(ADJ_STATUS, &txc));
    result("pll_on_off_permitted", r == TIME_ERROR && r2 == TIME_ERROR && !(txc.status & STA_PLL),
           "rc %d/%d errno %d status 0x%x", r, r2, errno, txc.status);

    memset(&txc, 0, sizeof txc);
    txc.modes = ADJ_FREQUENCY;
    txc.freq = 123 * 65536;
    r = ntp_adjtime(&txc);
    struct timex rd = {.modes = 0};
    clock_adjtime(CLOCK_REALTIME, &rd);
    struct timex rd2 = {.modes = 0};
    __adjtimex(&rd2);
    result("ntp_adjtime_sets_frequency", r >= 0 && rd.freq == 123 * 65536 && rd2.freq == rd.freq,
           "rc %d errno %d freq %ld/%ld", r, errno, (long)rd.freq, (long)rd2.freq);

    txc.freq = 600 * 65536;
    adj(ADJ_FREQUENCY, &txc);
    result("frequency_clamped_500ppm", txc.freq == 500 * 65536, "freq %ld", (long)txc.freq);
    txc.freq = 0;
    adj(ADJ_FREQUENCY, &txc);

    txc.tick = 8999;
    errno = 0;
    r = adj(ADJ_TICK, &txc);
    result("tick_below_range_einval", r == -1 && errno == EINVAL, "rc %d errno %d", r, errno);
    txc.tick = 11001;
    errno = 0;
    r = adj(ADJ_TICK, &txc);
    result("tick_above_range_einval", r == -1 && errno == EINVAL, "rc %d errno %d", r, errno);
    txc.tick = 10000;
    r = adj(ADJ_TICK, &txc);
    result("tick_nominal_ok", r >= 0 && txc.tick == 10000, "rc %d errno %d", r, errno);

    /* chrony's test for ADJ_SETOFFSET support: a zero step resets maxerror. */
    txc.maxerror = 0;
    adj(ADJ_MAXERROR, &txc);
    int zeroed = txc.maxerror == 0;
    memset(&txc.time, 0, sizeof txc.time);
    r = adj(ADJ_SETOFFSET | ADJ_NANO, &txc);
    result("setoffset_resets_maxerror", zeroed && r >= 0 && txc.maxerror == 16000000 &&
                                            (txc.status & STA_NANO),
           "rc %d maxerror %ld status 0x%x", r, (long)txc.maxerror, txc.status);
    txc.time.tv_sec = 0;
    txc.time.tv_usec = -1;
    errno = 0;
    r = adj(ADJ_SETOFFSET | ADJ_NANO, &txc);
    result("setoffset_negative_nsec_einval", r == -1 && errno == EINVAL, "rc %d errno %d", r, errno);

    /* chrony's set_sync_status: clearing STA_UNSYNC makes the state TIME_OK. */
    txc.status = 0;
    txc.maxerror = 1000;
    txc.esterror = 100;
    r = adj(ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR, &txc);
    struct ntptimeval ntv;
    int r3 = ntp_gettimex(&ntv);
    result("synced_state_ok", r == TIME_OK && r3 == TIME_OK && ntv.maxerror >= 1000 &&
                                  ntv.maxerror <= 1500 && ntv.esterror == 100,
           "rc %d/%d maxerror %ld esterror %ld", r, r3, ntv.maxerror, ntv.esterror);
    int64_t ntv_ns = (int64_t)ntv.time.tv_sec * NS + ntv.time.tv_usec; /* STA_NANO is on */
    result("ntp_gettimex_time_virtual", llabs(virt_ns() - ntv_ns) < 10000000,
           "ntp_gettimex %lld vs %lld", (long long)ntv_ns, (long long)virt_ns());

    txc.constant = 37;
    adj(ADJ_TAI, &txc);
    struct timespec tai, rt;
    clock_gettime(CLOCK_TAI, &tai);
    clock_gettime(CLOCK_REALTIME, &rt);
    int64_t d = ts_ns(&tai) - ts_ns(&rt);
    result("clock_tai_follows_adj_tai", d > 36 * NS && d <= 37 * NS, "TAI-UTC %lld ns", (long long)d);

    struct timex mono = {.modes = ADJ_FREQUENCY};
    errno = 0;
    r = clock_adjtime(CLOCK_MONOTONIC, &mono);
    result("clock_adjtime_monotonic_refused", r == -1, "rc %d", r);

    struct timezone tz = {0, 0};
    result("settimeofday_tz_only_ignored", settimeofday(NULL, &tz) == 0, "errno %d", errno);

    /* An absolute realtime sleep counts in virtual time: 200 ms, not the
     * offset between the virtual and the true clock. */
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += 200000000;
    if (dl.tv_nsec >= NS) {
        dl.tv_sec++;
        dl.tv_nsec -= NS;
    }
    int64_t m0 = true_ns(CLOCK_MONOTONIC);
    r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &dl, NULL);
    int64_t slept = true_ns(CLOCK_MONOTONIC) - m0;
    result("clock_nanosleep_abstime_virtual", r == 0 && slept > 150000000 && slept < 1500000000,
           "rc %d slept %lld ns", r, (long long)slept);
    return failures != 0;
}

static int64_t cmsg_ts(struct msghdr *msg, int type)
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != type)
            continue;
        if (type == SCM_TIMESTAMP) {
            struct timeval tv;
            memcpy(&tv, CMSG_DATA(cm), sizeof tv);
            return (int64_t)tv.tv_sec * NS + tv.tv_usec * 1000;
        }
        struct timespec ts;
        memcpy(&ts, CMSG_DATA(cm), sizeof ts);
        return ts_ns(&ts);
    }
    return 0;
}

static int udp_socket(struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t len = sizeof *addr;
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) < 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) < 0) {
        perror("probe: socket");
        exit(2);
    }
    return fd;
}

static int64_t rx_stamp_once(int opt, int val, int type, int use_mmsg, int64_t *after)
{
    struct sockaddr_in a;
    int fd = udp_socket(&a);
    setsockopt(fd, SOL_SOCKET, opt, &val, sizeof val);
    sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
    struct pollfd p = {fd, POLLIN, 0};
    poll(&p, 1, 1000);
    char buf[16];
    union {
        char c[512];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {buf, sizeof buf};
    struct mmsghdr mm;
    memset(&mm, 0, sizeof mm);
    mm.msg_hdr.msg_iov = &iov;
    mm.msg_hdr.msg_iovlen = 1;
    mm.msg_hdr.msg_control = ctl.c;
    mm.msg_hdr.msg_controllen = sizeof ctl.c;
    int r = use_mmsg ? recvmmsg(fd, &mm, 1, 0, NULL) : (int)recvmsg(fd, &mm.msg_hdr, 0);
    *after = virt_ns();
    close(fd);
    return r > 0 ? cmsg_ts(&mm.msg_hdr, type) : 0;
}

/* A packet to ourselves; returns the kernel's receive timestamp of the
 * given type, and the virtual time just after it was read. The kernel turns
 * receive timestamping on lazily (a deferred work item when the first socket
 * asks for it), so a packet sent at once may arrive unstamped: try again. */
static int64_t rx_stamp(int opt, int val, int type, int use_mmsg, int64_t *after)
{
    int64_t s = 0;
    for (int i = 0; i < 5 && !s; i++) {
        if (i)
            sleep_ms(20);
        s = rx_stamp_once(opt, val, type, use_mmsg, after);
    }
    return s;
}

static void check_stamp(const char *name, int64_t stamp, int64_t after)
{
    int64_t age = after - stamp;
    /* Mapped: just before the virtual "now". Unmapped it would be the true
     * time, CLOCKSHIM_OFFSET away. Microsecond stamps truncate. */
    result(name, stamp != 0 && age >= -1000 && age < 50000000,
           "stamp %lld, virtual now %lld (age %lld ns)", (long long)stamp, (long long)after,
           (long long)age);
}

static int mode_recv(void)
{
    int64_t after, s;
    int tsflags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
    /* Holds the kernel's timestamping switch on while the sockets below
     * come and go. */
    struct sockaddr_in ka;
    int keeper = udp_socket(&ka), on = 1;
    setsockopt(keeper, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);

    s = rx_stamp(SO_TIMESTAMP, 1, SCM_TIMESTAMP, 0, &after);
    check_stamp("recvmsg_so_timestamp", s, after);
    s = rx_stamp(SO_TIMESTAMPNS, 1, SCM_TIMESTAMPNS, 0, &after);
    check_stamp("recvmsg_so_timestampns", s, after);
    s = rx_stamp(SO_TIMESTAMPING, tsflags, SCM_TIMESTAMPING, 0, &after);
    check_stamp("recvmsg_so_timestamping", s, after);
    s = rx_stamp(SO_TIMESTAMPNS, 1, SCM_TIMESTAMPNS, 1, &after);
    check_stamp("recvmmsg_so_timestampns", s, after);
    s = rx_stamp(SO_TIMESTAMPING, tsflags, SCM_TIMESTAMPING, 1, &after);
    check_stamp("recvmmsg_so_timestamping", s, after);

    /* Transmit timestamps come back on the error queue (chrony uses them). */
    struct sockaddr_in a;
    int fd = udp_socket(&a);
    int flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
                SOF_TIMESTAMPING_OPT_TSONLY | SOF_TIMESTAMPING_OPT_ID;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags);
    sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
    int64_t stamp = 0;
    for (int i = 0; i < 100 && !stamp; i++) {
        char buf[16];
        union {
            char c[512];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = {buf, sizeof buf};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.c,
                           .msg_controllen = sizeof ctl.c};
        if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0)
            stamp = cmsg_ts(&m, SCM_TIMESTAMPING);
        else
            sleep_ms(10);
    }
    after = virt_ns();
    close(fd);
    check_stamp("errqueue_tx_timestamping", stamp, after);
    close(keeper);
    return failures != 0;
}

struct reader {
    pthread_t id;
    long reads, backwards;
};

static volatile int readers_stop;

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    int64_t last = virt_ns();
    while (!readers_stop) {
        int64_t v = virt_ns();
        if (v < last)
            r->backwards++;
        last = v;
        r->reads++;
    }
    return NULL;
}

/* Readers in several threads while the main thread keeps changing the rate:
 * no reading may go backwards (rate changes are continuous). */
static int mode_threads(void)
{
    enum { N = 4 };
    struct reader rd[N];
    memset(rd, 0, sizeof rd);
    for (int i = 0; i < N; i++)
        pthread_create(&rd[i].id, NULL, reader_main, &rd[i]);
    int changes = 0;
    int64_t end = true_ns(CLOCK_MONOTONIC) + NS;
    while (true_ns(CLOCK_MONOTONIC) < end) {
        struct timex txc = {.modes = ADJ_FREQUENCY | ADJ_TICK};
        txc.freq = (changes % 2 ? 500 : -500) * 65536L;
        txc.tick = changes % 3 ? 9000 : 11000;
        adjtimex(&txc);
        changes++;
        sleep_ms(1);
    }
    readers_stop = 1;
    long reads = 0, back = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(rd[i].id, NULL);
        reads += rd[i].reads;
        back += rd[i].backwards;
    }
    printf("reads %ld changes %d\n", reads, changes);
    result("threads_never_backwards", back == 0 && reads > 1000 && changes > 20,
           "%ld of %ld reads went backwards, %d changes", back, reads, changes);
    return failures != 0;
}

/* A forked child has its own copy of the clock from the fork on. */
static int mode_fork(void)
{
    int64_t before = offset_ns(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 100;
        int r = clock_settime(CLOCK_REALTIME, &ts);
        int64_t o = offset_ns(NULL);
        _exit(r == 0 && o > before + 99 * NS && o < before + 101 * NS ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    int64_t after = offset_ns(NULL);
    printf("child_pid %d\n", (int)pid);
    result("fork_child_steps_own_clock", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
    result("fork_parent_clock_unchanged", llabs(after - before) < 1000000,
           "offset %lld -> %lld", (long long)before, (long long)after);
    return failures != 0;
}

/* Leap second insertion: 23:59:59 repeats, CLOCK_TAI gains a second. */
static int mode_leap(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t midnight = (ts.tv_sec / 86400 + 1) * 86400;
    ts.tv_sec = midnight - 2;
    ts.tv_nsec = 700000000;  /* 23:59:58.7 */
    int r = clock_settime(CLOCK_REALTIME, &ts);
    /* A small maxerror as chronyd keeps it: the step set it to 16 s and
     * one more second would report TIME_ERROR whatever the leap state. */
    struct timex txc = {.modes = ADJ_STATUS | ADJ_MAXERROR, .status = STA_INS};
    int r2 = adjtimex(&txc);
    result("leap_armed", r == 0 && r2 == TIME_OK, "rc %d/%d errno %d", r, r2, errno);

    sleep_ms(600);  /* 23:59:59.3: the kernel has moved to TIME_INS */
    struct timex rd = {.modes = 0};
    r = adjtimex(&rd);
    result("leap_state_ins", r == TIME_INS, "state %d", r);

    sleep_ms(1000); /* 00:00:00.3 without the leap: 23:59:59.3 again */
    int64_t v = virt_ns();
    r = adjtimex(&rd);
    result("leap_second_inserted", r == TIME_OOP && v / NS == midnight - 1,
           "state %d, clock at midnight%+lld ns", r, (long long)(v - midnight * NS));

    sleep_ms(1000); /* 00:00:00.3 */
    v = virt_ns();
    r = adjtimex(&rd);
    clock_gettime(CLOCK_TAI, &ts);
    result("leap_done_wait", r == TIME_WAIT && v / NS == midnight && rd.tai == 1 &&
                                 ts.tv_sec - v / NS == 1,
           "state %d tai %d, clock at midnight%+lld ns", r, rd.tai,
           (long long)(v - midnight * NS));
    return failures != 0;
}

/* Two calls that need CAP_SYS_TIME and could change nothing even if they
 * reached the kernel with it (an out-of-range tick, a step with a negative
 * fraction: the kernel checks the privilege first, then refuses them as
 * invalid). Without the shim and without the capability: EPERM; under the
 * shim: EINVAL from the model. So the guard can be tested safely. */
static int mode_guard(void)
{
    struct timex txc;
    memset(&txc, 0, sizeof txc);
    txc.modes = ADJ_TICK;
    txc.tick = 8999;
    int r = adjtimex(&txc);
    printf("tick_rc %d errno %d\n", r, r < 0 ? errno : 0);
    memset(&txc, 0, sizeof txc);
    txc.modes = ADJ_SETOFFSET | ADJ_NANO;
    txc.time.tv_usec = -1;
    r = adjtimex(&txc);
    printf("setoffset_rc %d errno %d\n", r, r < 0 ? errno : 0);
    return 0;
}

/* Keeps reading the clock for a while (the record's periodic lines). */
static int mode_idle(long ms)
{
    int64_t end = true_ns(CLOCK_MONOTONIC) + ms * 1000000LL;
    while (true_ns(CLOCK_MONOTONIC) < end) {
        virt_ns();
        sleep_ms(50);
    }
    print_s("final_offset", offset_ns(NULL));
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "read"))
        return mode_read();
    if (!strcmp(m, "freq") && argc > 3)
        return mode_freq(atol(argv[2]), atol(argv[3]));
    if (!strcmp(m, "tick") && argc > 3)
        return mode_tick(atol(argv[2]), atol(argv[3]));
    if (!strcmp(m, "set") && argc > 3)
        return mode_settime(argv[2], atof(argv[3]));
    if (!strcmp(m, "adjtime") && argc > 2)
        return mode_adjtime(atol(argv[2]));
    if (!strcmp(m, "semantics"))
        return mode_semantics();
    if (!strcmp(m, "recv"))
        return mode_recv();
    if (!strcmp(m, "threads"))
        return mode_threads();
    if (!strcmp(m, "fork"))
        return mode_fork();
    if (!strcmp(m, "leap"))
        return mode_leap();
    if (!strcmp(m, "idle") && argc > 2)
        return mode_idle(atol(argv[2]));
    if (!strcmp(m, "guard"))
        return mode_guard();
    fprintf(stderr, "usage: probe read | freq PPM MS | tick TICK MS | "
                    "set clock_settime|settimeofday|setoffset DELTA_S | adjtime USEC | "
                    "semantics | recv | threads | fork | leap | idle MS | guard\n");
    return 2;
}
