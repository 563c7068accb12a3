/* vclock: a model of one Linux system clock (CLOCK_REALTIME) and the kernel's
 * NTP state behind adjtimex (kernel/time/ntp.c, timekeeping.c), driven by an
 * outside "true" time passed in by the caller. No system calls, no globals:
 * the LD_PRELOAD shim (clockshim.c) owns one instance and the locking, the
 * unit test (test_vclock.c) drives one with made-up true times. */
#ifndef CLOCKSHIM_VCLOCK_H
#define CLOCKSHIM_VCLOCK_H

#include <stdint.h>
#include <sys/timex.h>

/* Kernel constants (include/linux/timex.h, kernel/time/ntp.c). */
#define VCLOCK_USER_HZ 100
#define VCLOCK_TICK_NOMINAL_US (1000000 / VCLOCK_USER_HZ)  /* 10000 us */
#define VCLOCK_TICK_MIN_US (900000 / VCLOCK_USER_HZ)       /* -10 %   */
#define VCLOCK_TICK_MAX_US (1100000 / VCLOCK_USER_HZ)      /* +10 %   */
#define VCLOCK_MAXFREQ_PPM 500          /* |time_freq| and adjtime() slew rate */
#define VCLOCK_MAXFREQ_TIMEX 32768000L  /* the same in timex units (ppm << 16) */
#define VCLOCK_PHASE_LIMIT_US 16000000L /* maxerror ceiling; STA_UNSYNC beyond */
#define VCLOCK_MAX_TAI 100000

/* Past segments kept so that a kernel timestamp taken a little while ago
 * (SO_TIMESTAMPING) maps to the virtual time the kernel would have stamped. */
#define VCLOCK_HISTORY 64

/* A stretch of time over which the virtual clock runs at one rate. */
struct vclock_seg {
    long double t;       /* start: true seconds since the model's epoch */
    int64_t vsec;        /* virtual time at start: whole seconds ... */
    long double vfrac;   /* ... and fraction, in [0, 1) */
    long double rate;    /* virtual seconds per true second */
};

struct vclock {
    int64_t epoch_ns;    /* true time (ns since 1970) the model counts from */
    double natural_ppm;  /* the simulated oscillator's own frequency error */
    struct vclock_seg seg;   /* the segment in force now */
    struct vclock_seg hist[VCLOCK_HISTORY];
    int hist_len, hist_next;
    long leaps;          /* leap seconds applied (inserted or deleted) */

    /* The kernel's NTP variables, in the kernel's own units. */
    long tick_usec;
    int64_t time_freq;       /* ns/s << 32 */
    int64_t time_offset;     /* PLL phase still to apply, ns << 32 */
    int64_t tick_length;     /* ns per second << 32, this second */
    int64_t tick_length_base;
    long time_constant;
    long time_maxerror, time_esterror;  /* us */
    long time_adjust;        /* adjtime() offset still to apply, us */
    int64_t time_reftime;    /* s, last PLL update */
    int time_status, time_state;
    int64_t next_leap_sec;
    int tai;
};

/* A snapshot for the record file and tests. */
struct vclock_info {
    int64_t virtual_ns;
    int64_t offset_ns;       /* virtual minus true */
    double rate_ppm;         /* virtual clock's rate error against true time now */
    double freq_ppm;         /* the kernel frequency (time_freq) in ppm */
    long tick_usec;
    int status, state;
    long maxerror_us, adjtime_left_us;
};

/* Starts the clock at true time true_ns, offset_s ahead of it, running
 * natural_ppm fast, with the NTP state of a freshly booted kernel. */
void vclock_init(struct vclock *c, int64_t true_ns, long double offset_s,
                 double natural_ppm);

/* The virtual CLOCK_REALTIME at true time now_ns (ns since 1970). Advances
 * the model to now_ns: once per virtual second the kernel's second_overflow()
 * work is done (maxerror growth, PLL and adjtime() chunks, leap seconds). */
int64_t vclock_read(struct vclock *c, int64_t now_ns);

/* The virtual time at an earlier true time past_ns, as the kernel would have
 * stamped it then (advances to now_ns first). */
int64_t vclock_map(struct vclock *c, int64_t now_ns, int64_t past_ns);

/* adjtimex()/clock_adjtime(CLOCK_REALTIME) on the model: returns the clock
 * state (TIME_OK ... TIME_ERROR) or -1 with *err set to an errno value.
 * mono_ns is CLOCK_MONOTONIC now: the kernel refuses to step the realtime
 * clock below it. Privilege checks are not modelled: the virtual clock
 * belongs to the process. */
int vclock_adjtimex(struct vclock *c, int64_t now_ns, int64_t mono_ns,
                    struct timex *txc, int *err);

/* clock_settime(CLOCK_REALTIME)/settimeofday(): 0, or -1 with *err set. */
int vclock_settime(struct vclock *c, int64_t now_ns, int64_t mono_ns,
                   int64_t new_sec, long new_nsec, int *err);

/* TAI - UTC in seconds, as CLOCK_TAI adds it. */
int vclock_tai(const struct vclock *c);

void vclock_get_info(struct vclock *c, int64_t now_ns, struct vclock_info *info);

#endif
