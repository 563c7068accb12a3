/* test_vclock: unit tests of the virtual clock model against the Linux
 * kernel's adjtimex semantics, in made-up true time (no sleeping): rates,
 * tick and frequency limits, adjtime() and PLL chunks at second boundaries,
 * steps clearing the NTP state, maxerror growth, leap seconds, history. */
#include "vclock.h"
#include "harness.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define NS 1000000000LL
/* True time at t = 0: a quarter past a second, so virtual second boundaries
 * (offset 0) fall at t = 0.75, 1.75, ... */
#define T0 (1700000000LL * NS + 250000000LL)
#define MONO (1000LL * NS)

static struct vclock c;
static int err;

static int64_t at(double s)
{
    return T0 + llround(s * 1e9);
}

/* Virtual minus true at t = s, ns. */
static int64_t off(double s)
{
    return vclock_read(&c, at(s)) - at(s);
}

static int adjx(double s, unsigned modes, struct timex *t)
{
    t->modes = modes;
    err = 0;
    return vclock_adjtimex(&c, at(s), MONO, t, &err);
}

/* What an adjtime() chunk of us microseconds really adds: the kernel runs
 * the faster rate for one virtual second, which lasts 1/(1 + us/1e6) s of
 * oscillator time, so a 500 us chunk applies 499.750 us. */
static double chunk_ns(double us)
{
    return 1e9 * (1.0 - 1.0 / (1.0 + us * 1e-6));
}

static struct timex tx(void)
{
    struct timex t;
    memset(&t, 0, sizeof t);
    return t;
}

TEST(offset_and_natural_frequency)
{
    vclock_init(&c, T0, 2.5L, 50.0);
    CHECK_INT(off(0), 2500000000LL);
    CHECK_NEAR((double)off(10), 2500000000.0 + 500000.0, 2);
    vclock_init(&c, T0, -1.25L, 0.0);
    CHECK_INT(off(0), -1250000000LL);
    CHECK_NEAR((double)off(1000), -1250000000.0, 2);
}

TEST(initial_state_is_a_fresh_kernel)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    CHECK_INT(adjx(0, 0, &t), TIME_ERROR);
    CHECK_INT(t.status, STA_UNSYNC);
    CHECK_INT(t.tick, 10000);
    CHECK_INT(t.freq, 0);
    CHECK_INT(t.maxerror, 16000000);
    CHECK_INT(t.esterror, 16000000);
    CHECK_INT(t.constant, 2);
    CHECK_INT(t.precision, 1);
    CHECK_INT(t.tolerance, 32768000);
    CHECK_INT(t.tai, 0);
    CHECK_INT(t.time.tv_sec, T0 / NS);
    CHECK_INT(t.time.tv_usec, 250000);
}

TEST(frequency_applies_at_once)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.freq = 100 * 65536;
    CHECK_INT(adjx(0.5, ADJ_FREQUENCY, &t), TIME_ERROR);
    CHECK_INT(t.freq, 100 * 65536);
    CHECK_NEAR((double)off(0.5), 0, 1);
    CHECK_NEAR((double)off(10.5), 1000000, 2);
    t.freq = -250 * 65536;
    adjx(10.5, ADJ_FREQUENCY, &t);
    CHECK_NEAR((double)off(20.5), 1000000 - 2500000, 2);
}

TEST(frequency_clamped_to_500ppm)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.freq = 600 * 65536;
    adjx(0, ADJ_FREQUENCY, &t);
    CHECK_INT(t.freq, VCLOCK_MAXFREQ_TIMEX);
    CHECK_NEAR((double)off(10), 5000000, 2);
    t.freq = -900 * 65536;
    adjx(10, ADJ_FREQUENCY, &t);
    CHECK_INT(t.freq, -VCLOCK_MAXFREQ_TIMEX);
    t.freq = (long)(INT64_MAX / 65536000 + 1);
    CHECK_INT(adjx(10, ADJ_FREQUENCY, &t), -1);
    CHECK_INT(err, EINVAL);
}

TEST(tick_range_and_rate)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.tick = 8999;
    CHECK_INT(adjx(0, ADJ_TICK, &t), -1);
    CHECK_INT(err, EINVAL);
    t.tick = 11001;
    CHECK_INT(adjx(0, ADJ_TICK, &t), -1);
    CHECK_INT(err, EINVAL);
    t.tick = 10001;  /* one microsecond per tick is 100 ppm */
    CHECK(adjx(0, ADJ_TICK, &t) >= 0);
    CHECK_INT(t.tick, 10001);
    CHECK_NEAR((double)off(10), 1000000, 2);
    /* chrony's way: tick for the coarse part, frequency for the rest */
    t.tick = 10001;
    t.freq = -100 * 65536;
    adjx(10, ADJ_TICK | ADJ_FREQUENCY, &t);
    CHECK_NEAR((double)off(1000), 1000000, 2);
    t.tick = 9000;
    t.freq = 0;
    adjx(1000, ADJ_TICK | ADJ_FREQUENCY, &t);
    CHECK_NEAR((double)off(1001), 1000000 - 100000000, 2);
}

TEST(natural_error_multiplies)
{
    /* The oscillator is 50 ppm fast and the kernel slows it by 50 ppm:
     * (1 + 50e-6)(1 - 50e-6) leaves -2.5e-9. */
    vclock_init(&c, T0, 0, 50.0);
    struct timex t = tx();
    t.freq = -50 * 65536;
    adjx(0, ADJ_FREQUENCY, &t);
    CHECK_NEAR((double)off(1000), -2500, 3);
}

TEST(adjtime_in_500us_chunks_per_second)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.offset = 1200;
    CHECK(adjx(0.1, ADJ_OFFSET_SINGLESHOT, &t) >= 0);
    CHECK_INT(t.offset, 0);
    CHECK_INT(adjx(0.2, ADJ_OFFSET_SS_READ, &t), TIME_ERROR);
    CHECK_INT(t.offset, 1200);
    /* Nothing moves before the next second boundary (t = 0.75). */
    CHECK_NEAR((double)off(0.7), 0, 1);
    adjx(1.0, ADJ_OFFSET_SS_READ, &t);
    CHECK_INT(t.offset, 700);
    /* 500 ppm inside the first chunk's second */
    CHECK_NEAR((double)(off(1.5) - off(1.0)), 250000, 2);
    adjx(2.0, ADJ_OFFSET_SS_READ, &t);
    CHECK_INT(t.offset, 200);
    adjx(3.0, ADJ_OFFSET_SS_READ, &t);
    CHECK_INT(t.offset, 0);
    double total = 2 * chunk_ns(500) + chunk_ns(200);
    CHECK_NEAR((double)off(5), total, 2);
    CHECK_NEAR((double)off(50), total, 2);

    t.offset = -700;
    adjx(50, ADJ_OFFSET_SINGLESHOT, &t);
    CHECK_NEAR((double)off(60), total + chunk_ns(-500) + chunk_ns(-200), 2);
}

TEST(adjtime_replaced_and_readonly)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.offset = 5000;
    adjx(0.1, ADJ_OFFSET_SINGLESHOT, &t);
    t.offset = 100;
    adjx(0.2, ADJ_OFFSET_SINGLESHOT, &t);
    CHECK_INT(t.offset, 5000);      /* returns what was left */
    t.offset = 999999;              /* ignored by the read-only form */
    adjx(0.3, ADJ_OFFSET_SS_READ, &t);
    CHECK_INT(t.offset, 100);
    CHECK_NEAR((double)off(10), chunk_ns(100), 2);
}

TEST(setoffset_steps_and_clears_ntp)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.maxerror = 0;
    t.status = 0;
    adjx(0.1, ADJ_MAXERROR | ADJ_STATUS, &t);
    CHECK_INT(t.maxerror, 0);
    t.offset = 3000;
    adjx(0.1, ADJ_OFFSET_SINGLESHOT, &t);

    t.time.tv_sec = 1;
    t.time.tv_usec = 500000000;
    CHECK_INT(adjx(0.2, ADJ_SETOFFSET | ADJ_NANO, &t), TIME_ERROR);
    CHECK_INT(off(0.2), 1500000000);
    CHECK(t.status & STA_NANO);
    CHECK(t.status & STA_UNSYNC);
    CHECK_INT(t.maxerror, 16000000);
    CHECK_INT(t.time.tv_sec, (T0 + 200000000 + 1500000000) / NS);
    CHECK_INT(t.time.tv_usec, (T0 + 200000000 + 1500000000) % NS); /* ns now */
    adjx(0.3, ADJ_OFFSET_SS_READ, &t);
    CHECK_INT(t.offset, 0);         /* the adjtime() was cancelled */
    CHECK_NEAR((double)off(10), 1500000000, 2);

    /* chrony's form of a negative step: seconds down, nanoseconds up */
    t.time.tv_sec = -1;
    t.time.tv_usec = 750000000;
    adjx(10, ADJ_SETOFFSET | ADJ_NANO, &t);
    CHECK_INT(off(10), 1250000000);
    /* microseconds without ADJ_NANO */
    t.time.tv_sec = 0;
    t.time.tv_usec = 250000;
    adjx(10, ADJ_SETOFFSET, &t);
    CHECK_INT(off(10), 1500000000);
}

TEST(setoffset_invalid)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.time.tv_usec = -1;
    CHECK_INT(adjx(0, ADJ_SETOFFSET | ADJ_NANO, &t), -1);
    CHECK_INT(err, EINVAL);
    t.time.tv_usec = 1000000000;
    CHECK_INT(adjx(0, ADJ_SETOFFSET | ADJ_NANO, &t), -1);
    t.time.tv_usec = 1000000;
    CHECK_INT(adjx(0, ADJ_SETOFFSET, &t), -1);
    CHECK_INT(off(0), 0);

    /* Not below CLOCK_MONOTONIC; the NTP state is cleared all the same. */
    t.maxerror = 5;
    adjx(0, ADJ_MAXERROR, &t);
    t.time.tv_sec = -(T0 / NS);
    t.time.tv_usec = 0;
    CHECK_INT(adjx(0, ADJ_SETOFFSET | ADJ_NANO, &t), -1);
    CHECK_INT(err, EINVAL);
    CHECK_INT(off(0), 0);
    adjx(0, 0, &t);
    CHECK_INT(t.maxerror, 16000000);
}

TEST(settime)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.status = STA_INS;
    adjx(0, ADJ_STATUS, &t);
    CHECK_INT(vclock_settime(&c, at(1), MONO, 2000000000, 5, &err), 0);
    CHECK_INT(vclock_read(&c, at(1)), 2000000000LL * NS + 5);
    CHECK_INT(vclock_read(&c, at(3)), 2000000002LL * NS + 5);
    adjx(3, 0, &t);
    CHECK(t.status & STA_UNSYNC);
    CHECK(t.status & STA_INS);      /* ntp_clear() keeps the leap flags */
    CHECK_INT(vclock_settime(&c, at(3), MONO, 5, 1000000000, &err), -1);
    CHECK_INT(err, EINVAL);
    CHECK_INT(vclock_settime(&c, at(3), MONO, -1, 0, &err), -1);
    CHECK_INT(vclock_settime(&c, at(3), MONO, 999, 0, &err), -1);  /* below MONO */
    CHECK_INT(vclock_read(&c, at(3)), 2000000002LL * NS + 5);
}

TEST(maxerror_grows_500us_per_second)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.maxerror = 0;
    t.status = 0;
    CHECK_INT(adjx(0.1, ADJ_MAXERROR | ADJ_STATUS, &t), TIME_OK);
    adjx(10.1, 0, &t);              /* ten boundaries: 0.75 ... 9.75 */
    CHECK_INT(t.maxerror, 5000);
    t.maxerror = 15999000;
    adjx(10.1, ADJ_MAXERROR, &t);
    CHECK_INT(adjx(11.1, 0, &t), TIME_OK);
    CHECK_INT(t.maxerror, 15999500);
    CHECK_INT(adjx(13.1, 0, &t), TIME_ERROR);  /* beyond 16 s: unsynchronised */
    CHECK_INT(t.maxerror, 16000000);
    CHECK(t.status & STA_UNSYNC);
    t.maxerror = -5;                /* clamped into range */
    adjx(13.1, ADJ_MAXERROR, &t);
    CHECK_INT(t.maxerror, 0);
    t.esterror = 99999999;
    adjx(13.1, ADJ_ESTERROR, &t);
    CHECK_INT(t.esterror, 16000000);
}

TEST(status_bits)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.status = STA_CLOCKERR | STA_NANO | STA_PPSSIGNAL | STA_FREQHOLD;
    CHECK_INT(adjx(0, ADJ_STATUS, &t), TIME_OK);
    CHECK_INT(t.status, STA_FREQHOLD);  /* read-only bits stay as they were */
    adjx(0, ADJ_NANO, &t);
    CHECK_INT(t.status, STA_FREQHOLD | STA_NANO);
    CHECK_INT(t.time.tv_usec, 250000000);
    adjx(0, ADJ_MICRO, &t);
    CHECK_INT(t.status, STA_FREQHOLD);
    CHECK_INT(t.time.tv_usec, 250000);
    /* PPS discipline requested without a PPS signal is an error state */
    t.status = STA_PPSTIME;
    CHECK_INT(adjx(0, ADJ_STATUS, &t), TIME_ERROR);
}

TEST(time_constant_and_tai)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.constant = 2;
    adjx(0, ADJ_TIMECONST, &t);
    CHECK_INT(t.constant, 6);       /* microsecond mode adds 4 */
    adjx(0, ADJ_NANO, &t);
    t.constant = 2;
    adjx(0, ADJ_TIMECONST, &t);
    CHECK_INT(t.constant, 2);
    t.constant = 20;
    adjx(0, ADJ_TIMECONST, &t);
    CHECK_INT(t.constant, 10);
    t.constant = -5;
    adjx(0, ADJ_TIMECONST, &t);
    CHECK_INT(t.constant, 0);

    t.constant = 37;
    adjx(0, ADJ_TAI, &t);
    CHECK_INT(t.tai, 37);
    CHECK_INT(vclock_tai(&c), 37);
    t.constant = -1;
    adjx(0, ADJ_TAI, &t);
    CHECK_INT(t.tai, 37);
    t.constant = VCLOCK_MAX_TAI + 1;
    adjx(0, ADJ_TAI, &t);
    CHECK_INT(t.tai, 37);
}

TEST(chrony_pll_reset_sequence)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.status = STA_PLL | STA_UNSYNC;
    t.offset = 0;
    CHECK_INT(adjx(0, ADJ_OFFSET | ADJ_STATUS, &t), TIME_ERROR);
    CHECK_INT(t.status, STA_PLL | STA_UNSYNC);
    CHECK_INT(t.offset, 0);
    t.status = STA_UNSYNC;
    CHECK_INT(adjx(0, ADJ_STATUS, &t), TIME_ERROR);
    CHECK_INT(t.status, STA_UNSYNC);
    CHECK_INT(t.freq, 0);
    CHECK_NEAR((double)off(100), 0, 1);
}

TEST(pll_offset_decays_per_second)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.status = STA_PLL;
    t.constant = 0;                 /* +4 in microsecond mode: chunk = 1/64 */
    adjx(0.1, ADJ_STATUS | ADJ_TIMECONST, &t);
    t.offset = 1000;                /* us */
    adjx(0.1, ADJ_OFFSET, &t);
    CHECK_INT(t.offset, 1000);
    CHECK_INT(t.freq, 0);           /* same second as PLL on: no frequency step */
    adjx(0.5, 0, &t);
    CHECK_INT(t.offset, 1000);
    adjx(1.0, 0, &t);               /* boundary at 0.75: 1000 - 15.625 */
    CHECK_INT(t.offset, 984);
    adjx(2.0, 0, &t);               /* 984.375 - 15.380859375 */
    CHECK_INT(t.offset, 968);
    /* the first chunk spread over the second that followed its boundary */
    CHECK_NEAR((double)off(1.75), 15625, 5);

    /* A second update 4 s later: the PLL also moves the frequency by
     * offset * secs / 2^(2 * (2 + 2 + 4)) = 4000 scaled ppm. */
    t.offset = 1000;
    adjx(4.1, ADJ_OFFSET, &t);
    CHECK_INT(t.freq, 4000);
    CHECK(!(t.status & STA_MODE));

    /* The whole offset is eventually applied. */
    CHECK_NEAR((double)off(3000) - (double)off(2999), 4000.0 / 65536 * 1000, 1);
    adjx(3000, 0, &t);
    CHECK_INT(t.offset, 0);

    /* Offsets beyond 0.5 s are clamped. */
    t.status = STA_PLL;
    t.offset = 900000000;
    adjx(3000, ADJ_STATUS | ADJ_NANO | ADJ_OFFSET, &t);
    CHECK_INT(t.offset, 500000000);
}

TEST(fll_mode_after_long_interval)
{
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.status = STA_PLL | STA_FLL;
    adjx(0.1, ADJ_STATUS, &t);
    t.offset = 100;
    adjx(0.1, ADJ_OFFSET, &t);
    CHECK(!(t.status & STA_MODE));
    t.offset = 100;
    adjx(300.1, ADJ_OFFSET, &t);
    CHECK(t.status & STA_MODE);
    CHECK(t.freq > 0);
    /* turning the PLL off resets the status */
    t.status = 0;
    CHECK_INT(adjx(300.2, ADJ_STATUS, &t), TIME_OK);
    CHECK_INT(t.status, 0);
}

TEST(leap_second_insert)
{
    /* Virtual 23:59:58.5 at t = 0 (true time is irrelevant). */
    int64_t midnight = (T0 / NS / 86400 + 10) * 86400;
    vclock_init(&c, T0, 0, 0);
    CHECK_INT(vclock_settime(&c, at(0), MONO, midnight - 2, 500000000, &err), 0);
    struct timex t = tx();
    t.status = STA_INS;             /* and a small maxerror, as chronyd sets */
    CHECK_INT(adjx(0, ADJ_STATUS | ADJ_MAXERROR, &t), TIME_OK);
    CHECK_INT(adjx(0.4, 0, &t), TIME_OK);    /* armed at the next boundary */
    CHECK_INT(adjx(0.6, 0, &t), TIME_INS);   /* 23:59:59.1 */
    CHECK_INT(vclock_read(&c, at(2.2)), (midnight - 1) * NS + 700000000); /* again */
    CHECK_INT(adjx(2.2, 0, &t), TIME_OOP);
    CHECK_INT(t.tai, 1);
    CHECK_INT(vclock_read(&c, at(2.6)), midnight * NS + 100000000);
    CHECK_INT(adjx(2.6, 0, &t), TIME_WAIT);
    CHECK_INT(c.leaps, 1);
    t.status = 0;
    adjx(2.7, ADJ_STATUS, &t);
    CHECK_INT(adjx(3.6, 0, &t), TIME_OK);
    CHECK_INT(vclock_read(&c, at(3.6)), midnight * NS + 1100000000);
}

TEST(leap_second_delete)
{
    int64_t midnight = (T0 / NS / 86400 + 10) * 86400;
    vclock_init(&c, T0, 0, 0);
    vclock_settime(&c, at(0), MONO, midnight - 3, 500000000, &err);
    struct timex t = tx();
    t.status = STA_DEL;
    adjx(0, ADJ_STATUS | ADJ_MAXERROR, &t);
    CHECK_INT(adjx(0.6, 0, &t), TIME_DEL);   /* 23:59:58.1 */
    /* 23:59:59 never shows: 23:59:58.9 + 0.2 s is 00:00:00.1 */
    CHECK_INT(vclock_read(&c, at(1.4)), (midnight - 2) * NS + 900000000);
    CHECK_INT(vclock_read(&c, at(1.6)), midnight * NS + 100000000);
    CHECK_INT(adjx(1.6, 0, &t), TIME_WAIT);
    CHECK_INT(t.tai, -1);                    /* the kernel's count goes below 0 */
    CHECK_INT(vclock_tai(&c), -1);
}

TEST(leap_cancelled_before_midnight)
{
    int64_t midnight = (T0 / NS / 86400 + 10) * 86400;
    vclock_init(&c, T0, 0, 0);
    vclock_settime(&c, at(0), MONO, midnight - 10, 0, &err);
    struct timex t = tx();
    t.status = STA_INS;
    adjx(0, ADJ_STATUS | ADJ_MAXERROR, &t);
    CHECK_INT(adjx(1.5, 0, &t), TIME_INS);
    t.status = 0;
    adjx(5, ADJ_STATUS, &t);
    CHECK_INT(adjx(6.5, 0, &t), TIME_OK);
    CHECK_INT(vclock_read(&c, at(12)), (midnight + 2) * NS);
    CHECK_INT(c.leaps, 0);
}

TEST(history_maps_past_stamps)
{
    vclock_init(&c, T0, 1.0L, 0);
    struct timex t = tx();
    t.time.tv_sec = 10;
    t.time.tv_usec = 0;
    adjx(1.0, ADJ_SETOFFSET | ADJ_NANO, &t);
    t.freq = 500 * 65536;
    adjx(2.0, ADJ_FREQUENCY, &t);
    /* a stamp from before the step keeps the old offset ... */
    CHECK_INT(vclock_map(&c, at(2.5), at(0.5)) - at(0.5), 1 * NS);
    /* ... one between the step and the frequency change the new one ... */
    CHECK_INT(vclock_map(&c, at(2.5), at(1.5)) - at(1.5), 11 * NS);
    /* ... and one after both includes the new rate */
    CHECK_NEAR((double)(vclock_map(&c, at(3.0), at(2.5)) - at(2.5)), 11e9 + 250000, 2);
}

TEST(history_through_skipped_seconds)
{
    /* An adjtime() chunk, then a long quiet stretch skipped in one go: a
     * stamp from inside that stretch maps with the quiet rate. */
    vclock_init(&c, T0, 0, 0);
    struct timex t = tx();
    t.offset = 500;
    adjx(0.1, ADJ_OFFSET_SINGLESHOT, &t);
    CHECK_NEAR((double)(vclock_map(&c, at(100), at(50)) - at(50)), chunk_ns(500), 2);
    CHECK_NEAR((double)(vclock_map(&c, at(100), at(1.25)) - at(1.25)), 250000, 2);
}

TEST(long_idle_is_cheap_and_exact)
{
    vclock_init(&c, T0, 0, 20.0);
    /* Thirty years of virtual seconds: each would be a loop iteration
     * without the quiet-state skip. */
    double span = 30.0 * 365 * 86400;
    CHECK_NEAR((double)off(span), span * 20e-6 * 1e9, 2000);
    struct timex t = tx();
    adjx(span, 0, &t);
    CHECK_INT(t.maxerror, 16000000);
}

TEST_LIST {
    T(offset_and_natural_frequency),
    T(initial_state_is_a_fresh_kernel),
    T(frequency_applies_at_once),
    T(frequency_clamped_to_500ppm),
    T(tick_range_and_rate),
    T(natural_error_multiplies),
    T(adjtime_in_500us_chunks_per_second),
    T(adjtime_replaced_and_readonly),
    T(setoffset_steps_and_clears_ntp),
    T(setoffset_invalid),
    T(settime),
    T(maxerror_grows_500us_per_second),
    T(status_bits),
    T(time_constant_and_tai),
    T(chrony_pll_reset_sequence),
    T(pll_offset_decays_per_second),
    T(fll_mode_after_long_interval),
    T(leap_second_insert),
    T(leap_second_delete),
    T(leap_cancelled_before_midnight),
    T(history_maps_past_stamps),
    T(history_through_skipped_seconds),
    T(long_idle_is_cheap_and_exact),
};
TEST_MAIN
