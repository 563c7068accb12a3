/* vclock: the virtual system clock and the kernel NTP state behind it. Follows
 * the Linux kernel's kernel/time/ntp.c and timekeeping.c, in the kernel's
 * units, so a daemon sees the same answers and the same clock behaviour it
 * would see on a real kernel: frequency and tick apply at once, PLL and
 * adjtime() corrections and leap seconds happen at virtual second boundaries
 * (second_overflow()), steps clear the NTP state (ntp_clear()).
 * Written from the kernel's documented semantics; PPS discipline is absent
 * (no PPS signal ever arrives, as on a machine without a PPS source). */
#include "vclock.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#define NTP_SCALE_SHIFT 32
#define SHIFT_PLL 2
#define SHIFT_FLL 2
#define MINSEC 256
#define MAXSEC 2048
#define NTP_MAXTC 10
#define MAXPHASE_NS 500000000L
#define NSEC_PER_USEC 1000L
#define USEC_PER_SEC 1000000L
#define NSEC_PER_SEC 1000000000L
#define SECS_PER_DAY 86400
/* ppm << 16 (timex units) to ns/s << 32 */
#define PPM_SCALE ((int64_t)NSEC_PER_USEC << (NTP_SCALE_SHIFT - 16))
#define PPM_SCALE_INV_SHIFT 19
#define PPM_SCALE_INV (((int64_t)1 << (PPM_SCALE_INV_SHIFT + NTP_SCALE_SHIFT)) / PPM_SCALE + 1)
#define MAXFREQ_NS 500000L
#define MAXFREQ_SCALED ((int64_t)MAXFREQ_NS << NTP_SCALE_SHIFT)
#define MAX_TICKADJ_US 500L
#define MAX_TICKADJ_SCALED ((int64_t)(MAX_TICKADJ_US * NSEC_PER_USEC) << NTP_SCALE_SHIFT)
#define TIME64_MAX INT64_MAX
/* The kernel refuses to set the clock at or beyond this (KTIME_SEC_MAX less
 * 30 years of uptime). */
#define SETTOD_SEC_MAX (9223372036LL - 30LL * 365 * 24 * 3600)

/* Kernel-only mode bits glibc does not name. */
#define ADJ_ADJTIME 0x8000
#define ADJ_OFFSET_READONLY 0x2000

#define LDBL_2_32 4294967296.0L

/* Arithmetic shift that rounds towards zero, like the kernel's shift_right(). */
static int64_t shift_right(int64_t x, int s)
{
    return x < 0 ? -((-x) >> s) : x >> s;
}

static long double true_s(const struct vclock *c, int64_t ns)
{
    return (long double)(ns - c->epoch_ns) / 1e9L;
}

static void set_rate(struct vclock *c)
{
    c->seg.rate = (1.0L + c->natural_ppm / 1e6L) * (long double)c->tick_length /
                  (LDBL_2_32 * 1e9L);
}

static void push_history(struct vclock *c)
{
    c->hist[c->hist_next] = c->seg;
    c->hist_next = (c->hist_next + 1) % VCLOCK_HISTORY;
    if (c->hist_len < VCLOCK_HISTORY)
        c->hist_len++;
}

static int64_t virtual_ns(const struct vclock_seg *s, long double t)
{
    long double f = s->vfrac + s->rate * (t - s->t);
    return s->vsec * NSEC_PER_SEC + (int64_t)llroundl(f * 1e9L);
}

/* ntp_update_frequency(): a tick or frequency change applies at once, the
 * current second's PLL/adjtime chunk is kept. */
static void update_frequency(struct vclock *c)
{
    int64_t second_length = ((int64_t)c->tick_usec * NSEC_PER_USEC * VCLOCK_USER_HZ)
                            << NTP_SCALE_SHIFT;
    second_length += c->time_freq;
    c->tick_length += second_length - c->tick_length_base;
    c->tick_length_base = second_length;
}

static void ntp_clear(struct vclock *c)
{
    c->time_adjust = 0;
    c->time_status |= STA_UNSYNC;
    c->time_maxerror = VCLOCK_PHASE_LIMIT_US;
    c->time_esterror = VCLOCK_PHASE_LIMIT_US;
    update_frequency(c);
    c->tick_length = c->tick_length_base;
    c->time_offset = 0;
    c->next_leap_sec = TIME64_MAX;
}

static int is_error_status(int status)
{
    return (status & (STA_UNSYNC | STA_CLOCKERR)) ||
           ((status & (STA_PPSFREQ | STA_PPSTIME)) && !(status & STA_PPSSIGNAL)) ||
           ((status & (STA_PPSTIME | STA_PPSJITTER)) == (STA_PPSTIME | STA_PPSJITTER)) ||
           ((status & STA_PPSFREQ) && (status & (STA_PPSWANDER | STA_PPSERROR)));
}

static void bump_maxerror(struct vclock *c, int64_t seconds)
{
    int64_t e = (int64_t)c->time_maxerror + seconds * (MAXFREQ_NS / NSEC_PER_USEC);
    if (e > VCLOCK_PHASE_LIMIT_US) {
        e = VCLOCK_PHASE_LIMIT_US;
        c->time_status |= STA_UNSYNC;
    }
    c->time_maxerror = (long)e;
}

/* second_overflow(): the once-a-second work, when the virtual clock reaches
 * second secs. Returns the leap (-1 inserts a second: the clock goes back). */
static int second_overflow(struct vclock *c, int64_t secs)
{
    int leap = 0;
    int64_t rem;

    switch (c->time_state) {
    case TIME_OK:
        if (c->time_status & STA_INS) {
            c->time_state = TIME_INS;
            rem = secs % SECS_PER_DAY;
            c->next_leap_sec = secs + SECS_PER_DAY - rem;
        } else if (c->time_status & STA_DEL) {
            c->time_state = TIME_DEL;
            rem = (secs + 1) % SECS_PER_DAY;
            c->next_leap_sec = secs + SECS_PER_DAY - rem;
        }
        break;
    case TIME_INS:
        if (!(c->time_status & STA_INS)) {
            c->next_leap_sec = TIME64_MAX;
            c->time_state = TIME_OK;
        } else if (secs == c->next_leap_sec) {
            leap = -1;
            c->time_state = TIME_OOP;
        }
        break;
    case TIME_DEL:
        if (!(c->time_status & STA_DEL)) {
            c->next_leap_sec = TIME64_MAX;
            c->time_state = TIME_OK;
        } else if (secs == c->next_leap_sec) {
            leap = 1;
            c->next_leap_sec = TIME64_MAX;
            c->time_state = TIME_WAIT;
        }
        break;
    case TIME_OOP:
        c->next_leap_sec = TIME64_MAX;
        c->time_state = TIME_WAIT;
        break;
    case TIME_WAIT:
        if (!(c->time_status & (STA_INS | STA_DEL)))
            c->time_state = TIME_OK;
        break;
    }

    bump_maxerror(c, 1);

    /* No PPS signal: the PPS status bits drop (pps_dec_valid()). */
    c->time_status &= ~(STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER | STA_PPSERROR);

    c->tick_length = c->tick_length_base;
    int64_t delta = shift_right(c->time_offset, SHIFT_PLL + (int)c->time_constant);
    c->time_offset -= delta;
    c->tick_length += delta;

    if (c->time_adjust > MAX_TICKADJ_US) {
        c->time_adjust -= MAX_TICKADJ_US;
        c->tick_length += MAX_TICKADJ_SCALED;
    } else if (c->time_adjust < -MAX_TICKADJ_US) {
        c->time_adjust += MAX_TICKADJ_US;
        c->tick_length -= MAX_TICKADJ_SCALED;
    } else if (c->time_adjust) {
        c->tick_length += (int64_t)(c->time_adjust * NSEC_PER_USEC) << NTP_SCALE_SHIFT;
        c->time_adjust = 0;
    }
    return leap;
}

/* Nothing changes from one second to the next but maxerror: whole runs of
 * seconds can be skipped at once (a process idle for hours). */
static int is_quiet(const struct vclock *c)
{
    return c->time_adjust == 0 &&
           shift_right(c->time_offset, SHIFT_PLL + (int)c->time_constant) == 0 &&
           c->time_state == TIME_OK && !(c->time_status & (STA_INS | STA_DEL)) &&
           c->tick_length == c->tick_length_base;
}

/* Runs the clock forward to true time t, one virtual second at a time. */
static void advance(struct vclock *c, long double t)
{
    for (;;) {
        long double tb = c->seg.t + (1.0L - c->seg.vfrac) / c->seg.rate;
        if (tb > t)
            break;
        push_history(c);
        c->seg.t = tb;
        c->seg.vsec++;
        c->seg.vfrac = 0;
        int leap = second_overflow(c, c->seg.vsec);
        if (leap) {
            c->seg.vsec += leap;
            c->tai -= leap;
            c->leaps++;
        }
        set_rate(c);
        if (is_quiet(c)) {
            long double n = floorl((t - c->seg.t) * c->seg.rate);
            if (n > 1) {
                int64_t skip = (int64_t)n - 1;
                push_history(c);    /* the skipped stretch, for vclock_map() */
                c->seg.vsec += skip;
                c->seg.t += (long double)skip / c->seg.rate;
                bump_maxerror(c, skip);
            }
        }
    }
}

/* A new segment from true time t on (the model is already at t), so that
 * a rate change does not rewrite the past. */
static void rebase(struct vclock *c, long double t)
{
    long double f = c->seg.vfrac + c->seg.rate * (t - c->seg.t);
    push_history(c);
    c->seg.t = t;
    c->seg.vfrac = f;
}

static void set_virtual(struct vclock *c, long double t, int64_t ns)
{
    push_history(c);
    c->seg.t = t;
    c->seg.vsec = ns / NSEC_PER_SEC;
    c->seg.vfrac = (long double)(ns % NSEC_PER_SEC) / 1e9L;
    if (c->seg.vfrac < 0) {
        c->seg.vsec--;
        c->seg.vfrac += 1.0L;
    }
}

void vclock_init(struct vclock *c, int64_t true_ns, long double offset_s,
                 double natural_ppm)
{
    memset(c, 0, sizeof *c);
    c->epoch_ns = true_ns;
    c->natural_ppm = natural_ppm;
    c->tick_usec = VCLOCK_TICK_NOMINAL_US;
    c->time_constant = 2;
    c->time_status = STA_UNSYNC;
    c->time_state = TIME_OK;
    c->next_leap_sec = TIME64_MAX;
    ntp_clear(c);

    long double whole = floorl(offset_s);
    int64_t off_sec = (int64_t)whole;
    int64_t vsec = true_ns / NSEC_PER_SEC + off_sec;
    long double vfrac = (long double)(true_ns % NSEC_PER_SEC) / 1e9L + (offset_s - whole);
    if (vfrac >= 1.0L) {
        vsec++;
        vfrac -= 1.0L;
    }
    c->seg.t = 0;
    c->seg.vsec = vsec;
    c->seg.vfrac = vfrac;
    set_rate(c);
}

int64_t vclock_read(struct vclock *c, int64_t now_ns)
{
    long double t = true_s(c, now_ns);
    advance(c, t);
    return virtual_ns(&c->seg, t);
}

int64_t vclock_map(struct vclock *c, int64_t now_ns, int64_t past_ns)
{
    long double t = true_s(c, past_ns);
    advance(c, true_s(c, now_ns));
    if (t >= c->seg.t || c->hist_len == 0)
        return virtual_ns(&c->seg, t);
    const struct vclock_seg *s = NULL;
    for (int i = 1; i <= c->hist_len; i++) {
        s = &c->hist[(c->hist_next - i + VCLOCK_HISTORY) % VCLOCK_HISTORY];
        if (s->t <= t)
            break;
    }
    return virtual_ns(s, t);
}

int vclock_tai(const struct vclock *c)
{
    return c->tai;
}

static int set_virtual_checked(struct vclock *c, long double t, int64_t mono_ns,
                               int64_t new_ns)
{
    int ok = new_ns >= mono_ns && new_ns / NSEC_PER_SEC < SETTOD_SEC_MAX;
    if (ok)
        set_virtual(c, t, new_ns);
    /* The kernel clears the NTP state even when it refuses the new time. */
    ntp_clear(c);
    set_rate(c);
    return ok;
}

static void update_offset(struct vclock *c, long offset, int64_t now_sec)
{
    if (!(c->time_status & STA_PLL))
        return;
    if (!(c->time_status & STA_NANO)) {
        if (offset > USEC_PER_SEC)
            offset = USEC_PER_SEC;
        if (offset < -USEC_PER_SEC)
            offset = -USEC_PER_SEC;
        offset *= NSEC_PER_USEC;
    }
    if (offset > MAXPHASE_NS)
        offset = MAXPHASE_NS;
    if (offset < -MAXPHASE_NS)
        offset = -MAXPHASE_NS;

    int64_t secs = now_sec - c->time_reftime;
    if (c->time_status & STA_FREQHOLD)
        secs = 0;
    c->time_reftime = now_sec;

    int64_t offset64 = offset, freq_adj = 0;
    c->time_status &= ~STA_MODE;
    if (secs >= MINSEC && ((c->time_status & STA_FLL) || secs > MAXSEC)) {
        c->time_status |= STA_MODE;
        freq_adj = (offset64 * ((int64_t)1 << (NTP_SCALE_SHIFT - SHIFT_FLL))) / secs;
    }
    if (secs > (1 << (SHIFT_PLL + 1 + c->time_constant)))
        secs = 1 << (SHIFT_PLL + 1 + c->time_constant);
    freq_adj += (offset64 * secs) *
                ((int64_t)1 << (NTP_SCALE_SHIFT - 2 * (SHIFT_PLL + 2 + c->time_constant)));
    freq_adj += c->time_freq;
    if (freq_adj > MAXFREQ_SCALED)
        freq_adj = MAXFREQ_SCALED;
    if (freq_adj < -MAXFREQ_SCALED)
        freq_adj = -MAXFREQ_SCALED;
    c->time_freq = freq_adj;
    c->time_offset = offset64 * ((int64_t)1 << NTP_SCALE_SHIFT);
}

static void process_status(struct vclock *c, int status, int64_t now_sec)
{
    if ((c->time_status & STA_PLL) && !(status & STA_PLL)) {
        c->time_state = TIME_OK;
        c->time_status = STA_UNSYNC;
        c->next_leap_sec = TIME64_MAX;
    }
    if (!(c->time_status & STA_PLL) && (status & STA_PLL))
        c->time_reftime = now_sec;
    c->time_status &= STA_RONLY;
    c->time_status |= status & ~STA_RONLY;
}

static void process_modes(struct vclock *c, const struct timex *txc, int64_t now_sec)
{
    unsigned modes = txc->modes;

    if (modes & ADJ_STATUS)
        process_status(c, txc->status, now_sec);
    if (modes & ADJ_NANO)
        c->time_status |= STA_NANO;
    if (modes & ADJ_MICRO)
        c->time_status &= ~STA_NANO;
    if (modes & ADJ_FREQUENCY) {
        int64_t f = (int64_t)txc->freq * PPM_SCALE;
        if (f > MAXFREQ_SCALED)
            f = MAXFREQ_SCALED;
        if (f < -MAXFREQ_SCALED)
            f = -MAXFREQ_SCALED;
        c->time_freq = f;
    }
    if (modes & ADJ_MAXERROR)
        c->time_maxerror = txc->maxerror < 0 ? 0 :
                           txc->maxerror > VCLOCK_PHASE_LIMIT_US ? VCLOCK_PHASE_LIMIT_US :
                           txc->maxerror;
    if (modes & ADJ_ESTERROR)
        c->time_esterror = txc->esterror < 0 ? 0 :
                           txc->esterror > VCLOCK_PHASE_LIMIT_US ? VCLOCK_PHASE_LIMIT_US :
                           txc->esterror;
    if (modes & ADJ_TIMECONST) {
        /* Clamped before and after the microsecond-mode +4, as current
         * kernels do (no overflow on huge values). */
        long tc = txc->constant < 0 ? 0 : txc->constant > NTP_MAXTC ? NTP_MAXTC : txc->constant;
        if (!(c->time_status & STA_NANO))
            tc += 4;
        c->time_constant = tc > NTP_MAXTC ? NTP_MAXTC : tc;
    }
    if ((modes & ADJ_TAI) && txc->constant >= 0 && txc->constant <= VCLOCK_MAX_TAI)
        c->tai = (int)txc->constant;
    if (modes & ADJ_OFFSET)
        update_offset(c, txc->offset, now_sec);
    if (modes & ADJ_TICK)
        c->tick_usec = txc->tick;
    if (modes & (ADJ_TICK | ADJ_FREQUENCY | ADJ_OFFSET))
        update_frequency(c);
}

static int validate(const struct timex *txc)
{
    unsigned modes = txc->modes;

    if (modes & ADJ_ADJTIME) {
        /* As in the kernel: this only rejects modes without any
         * ADJ_OFFSET_SINGLESHOT bit, and ADJ_ADJTIME is one of them. */
        if (!(modes & ADJ_OFFSET_SINGLESHOT))
            return EINVAL;
    } else if ((modes & ADJ_TICK) &&
               (txc->tick < VCLOCK_TICK_MIN_US || txc->tick > VCLOCK_TICK_MAX_US)) {
        return EINVAL;
    }
    if (modes & ADJ_SETOFFSET) {
        if (txc->time.tv_usec < 0)
            return EINVAL;
        if (txc->time.tv_usec >= ((modes & ADJ_NANO) ? NSEC_PER_SEC : USEC_PER_SEC))
            return EINVAL;
    }
    if ((modes & ADJ_FREQUENCY) &&
        (LLONG_MIN / PPM_SCALE > txc->freq || LLONG_MAX / PPM_SCALE < txc->freq))
        return EINVAL;
    return 0;
}

int vclock_adjtimex(struct vclock *c, int64_t now_ns, int64_t mono_ns,
                    struct timex *txc, int *err)
{
    unsigned modes = txc->modes;
    long double t = true_s(c, now_ns);
    int e = validate(txc);

    if (e) {
        *err = e;
        return -1;
    }
    advance(c, t);

    if (modes & ADJ_SETOFFSET) {
        int64_t delta = (int64_t)txc->time.tv_sec * NSEC_PER_SEC +
                        ((modes & ADJ_NANO) ? txc->time.tv_usec
                                            : txc->time.tv_usec * NSEC_PER_USEC);
        if (!set_virtual_checked(c, t, mono_ns, virtual_ns(&c->seg, t) + delta)) {
            *err = EINVAL;
            return -1;
        }
    }

    int64_t now_v = virtual_ns(&c->seg, t);
    int64_t now_sec = now_v / NSEC_PER_SEC;
    if (modes)
        rebase(c, t);

    if (modes & ADJ_ADJTIME) {
        long saved = c->time_adjust;
        if (!(modes & ADJ_OFFSET_READONLY)) {
            c->time_adjust = txc->offset;
            update_frequency(c);
        }
        txc->offset = saved;
    } else {
        if (modes)
            process_modes(c, txc, now_sec);
        int64_t off_ns = shift_right(c->time_offset, NTP_SCALE_SHIFT);
        txc->offset = (c->time_status & STA_NANO) ? off_ns : off_ns / NSEC_PER_USEC;
    }
    set_rate(c);

    int result = c->time_state;
    if (is_error_status(c->time_status))
        result = TIME_ERROR;

    txc->freq = shift_right((c->time_freq >> PPM_SCALE_INV_SHIFT) * PPM_SCALE_INV,
                            NTP_SCALE_SHIFT);
    txc->maxerror = c->time_maxerror;
    txc->esterror = c->time_esterror;
    txc->status = c->time_status;
    txc->constant = c->time_constant;
    txc->precision = 1;
    txc->tolerance = MAXFREQ_SCALED / PPM_SCALE;
    txc->tick = c->tick_usec;
    txc->tai = c->tai;
    txc->ppsfreq = txc->jitter = txc->stabil = 0;
    txc->jitcnt = txc->calcnt = txc->errcnt = txc->stbcnt = 0;
    txc->shift = 0;
    txc->time.tv_sec = now_sec;
    txc->time.tv_usec = now_v % NSEC_PER_SEC;
    if (!(c->time_status & STA_NANO))
        txc->time.tv_usec /= NSEC_PER_USEC;
    /* The kernel also patches the result for the moment between the leap
     * instant and its next tick; here second_overflow() runs exactly at the
     * boundary, so that moment does not exist. */
    return result;
}

int vclock_settime(struct vclock *c, int64_t now_ns, int64_t mono_ns,
                   int64_t new_sec, long new_nsec, int *err)
{
    long double t = true_s(c, now_ns);

    if (new_sec < 0 || new_nsec < 0 || new_nsec >= NSEC_PER_SEC ||
        new_sec >= SETTOD_SEC_MAX) {
        *err = EINVAL;
        return -1;
    }
    advance(c, t);
    if (!set_virtual_checked(c, t, mono_ns, new_sec * NSEC_PER_SEC + new_nsec)) {
        *err = EINVAL;
        return -1;
    }
    return 0;
}

void vclock_get_info(struct vclock *c, int64_t now_ns, struct vclock_info *info)
{
    info->virtual_ns = vclock_read(c, now_ns);
    info->offset_ns = info->virtual_ns - now_ns;
    info->rate_ppm = (double)((c->seg.rate - 1.0L) * 1e6L);
    info->freq_ppm = (double)c->time_freq / (LDBL_2_32 * 1000.0);
    info->tick_usec = c->tick_usec;
    info->status = c->time_status;
    info->state = c->time_state;
    info->maxerror_us = c->time_maxerror;
    info->adjtime_left_us = c->time_adjust;
}
