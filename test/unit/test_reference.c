#include "harness.h"
#include "common/ntptime.h"
#include "core/reference.h"
#include "platform/clockprec.h"

#define PREC (-25)
#define T0 1700000000

static struct timespec at(double s)
{
    return ntptime_add_double((struct timespec){ T0, 0 }, s);
}

static struct reference_local local8(void)
{
    return (struct reference_local){
        .enabled = true, .stratum = 8, .distance_s = 1.0,
    };
}

TEST(unsynchronised_without_local)
{
    struct ntp_server_state st;
    reference_init(PREC, NULL, 100.0);
    reference_get_server_state(at(0), 100.0, 0, &st);
    CHECK_INT(st.leap, NTP_LEAP_UNSYNC);
    CHECK_INT(st.stratum, NTP_MAX_STRATUM);
    CHECK_INT(st.refid, 0);
    CHECK(ntptime_is_zero(st.ref_time));
    CHECK_NEAR(st.root_delay_s, 1.0, 0);
    CHECK_NEAR(st.root_dispersion_s, 1.0, 0);
    CHECK_INT(st.precision, PREC);
    CHECK(!reference_local_active());
}

TEST(local_reference_as_chrony)
{
    struct reference_local l = local8();
    struct ntp_server_state st;
    reference_init(PREC, &l, 0.0);

    /* all ones: the fuzz is just under a second */
    reference_get_server_state(at(0), 0.0, UINT64_MAX, &st);
    CHECK(reference_local_active());
    CHECK_INT(st.leap, NTP_LEAP_NORMAL);
    CHECK_INT(st.stratum, 8);
    CHECK_INT(st.refid, NTP_REFID_LOCAL);
    CHECK_NEAR(st.root_delay_s, 0.0, 0);
    CHECK_NEAR(st.root_dispersion_s, 0.0, 0);
    CHECK_NEAR(ntptime_diff(at(0), st.ref_time), 2.0, 1e-6);
    struct timespec first = st.ref_time;

    /* kept while 1..64 s old */
    reference_get_server_state(at(30), 30.0, 0, &st);
    CHECK_INT(ntptime_compare(st.ref_time, first), 0);
    reference_get_server_state(at(61.9), 61.9, 0, &st);
    CHECK_INT(ntptime_compare(st.ref_time, first), 0);
    /* renewed past 64 s, to now - 1 s - fuzz */
    reference_get_server_state(at(70), 70.0, 0, &st);
    CHECK_NEAR(ntptime_diff(at(70), st.ref_time), 1.0, 1e-6);
    /* and renewed when the clock went back (age under 1 s) */
    reference_get_server_state(at(60), 71.0, 0, &st);
    CHECK_NEAR(ntptime_diff(at(60), st.ref_time), 1.0, 1e-6);
}

TEST(local_waits_unsynced)
{
    struct reference_local l = local8();
    struct ntp_server_state st;
    l.wait_unsynced_s = 300.0;
    reference_init(PREC, &l, 1000.0);
    reference_get_server_state(at(0), 1000.0, 0, &st);
    CHECK_INT(st.leap, NTP_LEAP_UNSYNC);
    reference_get_server_state(at(299), 1299.0, 0, &st);
    CHECK_INT(st.leap, NTP_LEAP_UNSYNC);
    reference_get_server_state(at(300), 1300.0, 0, &st);
    CHECK_INT(st.leap, NTP_LEAP_NORMAL);
    CHECK_INT(st.stratum, 8);
}

TEST(activate_needs_distance)
{
    struct reference_local l = local8();
    struct ntp_server_state st, synced;
    l.activate_s = 0.5;
    reference_init(PREC, &l, 0.0);
    reference_get_server_state(at(0), 0.0, 0, &st);
    CHECK_INT(st.leap, NTP_LEAP_UNSYNC);

    memset(&synced, 0, sizeof synced);
    synced.leap = NTP_LEAP_NORMAL;
    synced.stratum = 3;
    synced.refid = 0x7f000001;
    synced.ref_time = at(10);
    synced.root_delay_s = 0.2;
    synced.root_dispersion_s = 0.1;
    reference_set_synchronised(&synced, 0.01, 10.0);
    reference_set_unsynchronised(20.0);
    reference_get_server_state(at(20), 20.0, 0, &st);
    CHECK_INT(st.leap, NTP_LEAP_NORMAL);
    CHECK_INT(st.stratum, 8);
}

TEST(synchronised_state_and_local_fallback)
{
    struct reference_local l = local8();
    struct ntp_server_state st, synced;
    reference_init(PREC, &l, 0.0);

    memset(&synced, 0, sizeof synced);
    synced.leap = NTP_LEAP_NORMAL;
    synced.stratum = 3;
    synced.refid = 0x7f000001;
    synced.ref_time = at(10);
    synced.root_delay_s = 0.2;
    synced.root_dispersion_s = 0.1;
    synced.precision = 0;      /* ignored */
    reference_set_synchronised(&synced, 0.01, 10.0);
    CHECK(reference_is_synchronised());

    reference_get_server_state(at(20), 20.0, 0, &st);
    CHECK(!reference_local_active());
    CHECK_INT(st.stratum, 3);
    CHECK_INT(st.refid, 0x7f000001);
    CHECK_INT(st.precision, PREC);
    CHECK_NEAR(st.root_dispersion_s, 0.1 + 0.01 * 10, 1e-9);

    /* distance = 0.1 + 0.1 + 0.01 t > 1 after 80 s: the local reference */
    reference_get_server_state(at(91), 91.0, 0, &st);
    CHECK(reference_local_active());
    CHECK_INT(st.stratum, 8);

    reference_set_unsynchronised(100.0);
    CHECK(!reference_is_synchronised());
    reference_get_server_state(at(100), 100.0, 0, &st);
    CHECK_INT(st.stratum, 8);
}

TEST(precision_log2)
{
    CHECK_INT(clockprec_log2(30e-9), -25);
    CHECK_INT(clockprec_log2(20e-9), -26);
    CHECK_INT(clockprec_log2(1e-6), -20);
    CHECK_INT(clockprec_log2(1.0), 0);
    CHECK_INT(clockprec_log2(0.0), -128);
    double q = clockprec_measure_s();
    CHECK(q > 0.0 && q <= 1.0);
}

TEST_LIST {
    T(unsynchronised_without_local),
    T(local_reference_as_chrony),
    T(local_waits_unsynced),
    T(activate_needs_distance),
    T(synchronised_state_and_local_fallback),
    T(precision_log2),
};
TEST_MAIN
