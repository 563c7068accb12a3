/* ntp_source: the protocol engine of one NTP server we poll as a client
 * (chrony's client half of ntp_core.c): operating mode (offline, online,
 * bursts), the current polling interval and its adaptation, the transmit
 * schedule (iburst, burst, presend, backoff while unreachable, random
 * spread), the requests (random transmit timestamp), the RFC 5905 / chrony
 * tests of responses, the 8-bit reachability register, and the measurement
 * (offset, delay, dispersion) handed to the caller as a sample.
 *
 * Pure: no system calls. Time, random bits and packets come in as arguments
 * or through the hooks in struct ntp_source_env; requests go out in the
 * caller's buffer.
 *
 * How the daemon drives a source:
 *   src = ntp_source_create(&addr, &opts, &env); ntp_source_start(src, now)
 *   whenever anything changed, arm a timer for ntp_source_next_tx(src)
 *   (INFINITY: none). When it fires:
 *      n = ntp_source_make_request(src, now, buf, sizeof buf)
 *      if (n) { read CLOCK_REALTIME as late as possible, send,
 *               ntp_source_request_sent(src, now, &tx_time, sent_ok) }
 *   keep the client socket open until ntp_source_rx_deadline(src);
 *   for each datagram from the server: ntp_packet_parse() it, then
 *      ntp_source_process_response(src, &info, &from, &rx_time, now)
 *   Samples arrive through env.sample during that call.
 *
 * Symmetric peers (mode 1/2) are not implemented. They would reuse the
 * schedule and the tests; the differences are the request (originate and
 * receive timestamps of the peer's last packet instead of zeros, our real
 * reference data), responses processed in modes 1 and 2, the transmit
 * interval following the peer's poll, and no bursts or presend.
 *
 * Not implemented yet (the daemon must not rely on them): authentication
 * (a source with a key or NTS never passes the authentication test, so it is
 * never used unauthenticated), the interleaved mode (xleave is ignored:
 * requests are basic mode), extension fields, the median filter (filter),
 * maxdelayquant and the synchronisation loop test (test D always passes). */
#ifndef CW_NTP_SOURCE_H
#define CW_NTP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/addr.h"
#include "common/srcopts.h"
#include "core/ntp_packet.h"

/* Polling interval range (log2 s) chrony 4.3 accepts for minpoll/maxpoll;
 * a value below the minimum is replaced by the default, as chrony does. */
#define NTP_SOURCE_MIN_POLL (-7)
#define NTP_SOURCE_MAX_POLL 24

/* Bits in the reachability register (one per poll). */
#define NTP_SOURCE_REACH_BITS 8

/* Largest root distance (root delay / 2 + root dispersion) a server may
 * claim and still be used (RFC 5905 MAXDISP). */
#define NTP_SOURCE_MAX_DISPERSION_S 16.0

struct ntp_source;

/* One measurement. Offsets follow the NTP convention: positive when our
 * clock is behind the server. */
struct ntp_source_sample {
    struct timespec time;          /* our clock, midway between transmit and receive */
    double offset_s;               /* theta, with the offset option added */
    double delay_s;                /* round trip minus server time; at least the precision */
    double dispersion_s;           /* precision + skew * local interval (see below) */
    double root_delay_s;           /* server's root delay + delay_s */
    double root_dispersion_s;      /* server's root dispersion + dispersion_s */
    int stratum;                   /* server's stratum raised to minstratum */
    int leap;                      /* enum ntp_leap announced by the server */
    uint32_t refid;                /* server's reference ID */
};

/* What the source statistics (chrony's sourcestats) know about this source;
 * asked through env.stats. Signs as chrony's: predicted_offset_s is positive
 * when our clock is ahead of the source. */
struct ntp_source_stats {
    double skew;                   /* half the width of the frequency range, as a fraction */
    double min_delay_s;            /* smallest delay in the register (or mindelay) */
    bool have_delay_data;          /* enough samples for the delay ratio tests */
    double last_sample_ago_s;      /* from the last sample to the sample time asked about */
    double predicted_offset_s;     /* at the sample time asked about */
    double std_dev_s;              /* of the offsets in the register */
};

/* Daemon-wide settings and the hooks a source calls. */
struct ntp_source_env {
    void *ctx;                     /* passed to every hook */
    /* Required: 64 unpredictable bits (requests' transmit timestamps, the
     * random spread of poll times). */
    uint64_t (*random)(void *ctx);
    /* Optional: called with every good sample. May call ntp_source_adjust_poll(),
     * which then applies to the next transmission; must not destroy src. */
    void (*sample)(void *ctx, struct ntp_source *src, const struct ntp_source_sample *sample);
    /* Optional: the source's statistics; false when there are none yet.
     * sample_time is NULL when only skew and min_delay_s are needed.
     * Without statistics chrony's defaults apply: skew 2000 ppm, the
     * maxdelayratio and maxdelaydevratio tests pass, and the smallest delay
     * is taken from the last good sample. */
    bool (*stats)(void *ctx, const struct ntp_source *src, const struct timespec *sample_time,
                  struct ntp_source_stats *out);
    double precision_s;            /* our clock-reading precision (chrony's quantum) */
    double max_clock_error;        /* maxclockerror as a fraction (1 ppm = 1e-6) */
};

/* Why a response was not turned into a sample, in the order of the tests
 * (the first one that failed is reported). */
enum ntp_source_rx {
    NTP_SOURCE_RX_GOOD = 0,        /* a sample was produced */
    /* not processed at all */
    NTP_SOURCE_RX_WRONG_ADDRESS,   /* not from the source's address and port */
    NTP_SOURCE_RX_NOT_POLLING,     /* the source is offline */
    NTP_SOURCE_RX_WRONG_MODE,      /* not a mode 4 (server) packet */
    NTP_SOURCE_RX_BAD_VERSION,     /* version outside 1..4 */
    NTP_SOURCE_RX_LATE,            /* no request waiting: answered already, or the
                                      response timeout passed */
    /* invalid: RFC 5905 tests 1-5; the reachability register is untouched */
    NTP_SOURCE_RX_DUPLICATE,       /* test 1: same timestamps as the last response */
    NTP_SOURCE_RX_BOGUS,           /* test 2: origin timestamp is not our request's */
    NTP_SOURCE_RX_ZERO_TIMESTAMP,  /* test 3: a zero origin, receive or transmit timestamp */
    NTP_SOURCE_RX_AUTH,            /* test 5: authentication not as configured */
    /* valid but unusable: the register gets a 0 */
    NTP_SOURCE_RX_KOD_RATE,        /* Kiss-o'-Death RATE: the next poll is delayed */
    NTP_SOURCE_RX_KOD,             /* other kiss codes (DENY, RSTR, ...): unsynchronised */
    NTP_SOURCE_RX_UNSYNCHRONISED,  /* test 6: leap 3, stratum 0 or 16 and above */
    NTP_SOURCE_RX_ROOT_DISTANCE,   /* test 7: root delay/2 + dispersion too large */
    /* valid and synchronised (the register gets a 1) but not good */
    NTP_SOURCE_RX_MAXDELAY,        /* test A: delay over maxdelay */
    NTP_SOURCE_RX_WARM_UP,         /* test A: response to a presend request */
    NTP_SOURCE_RX_BAD_OFFSET,      /* test A: offset outside the NTP time range */
    NTP_SOURCE_RX_SERVER_INTERVAL, /* test A: server held the request over 4 s */
    NTP_SOURCE_RX_MAXDELAYRATIO,   /* test B */
    NTP_SOURCE_RX_MAXDELAYDEVRATIO,/* test C */
    NTP_SOURCE_RX_COUNT
};

/* A short stable name for debug logs and counters. */
const char *ntp_source_rx_name(enum ntp_source_rx r);

/* Bits of ntp_source_report.tests, chrony's ntpdata order (1 = passed). */
#define NTP_SOURCE_TEST_1 0x200
#define NTP_SOURCE_TEST_2 0x100
#define NTP_SOURCE_TEST_3 0x080
#define NTP_SOURCE_TEST_5 0x040
#define NTP_SOURCE_TEST_6 0x020
#define NTP_SOURCE_TEST_7 0x010
#define NTP_SOURCE_TEST_A 0x008
#define NTP_SOURCE_TEST_B 0x004
#define NTP_SOURCE_TEST_C 0x002
#define NTP_SOURCE_TEST_D 0x001

enum ntp_source_state {
    NTP_SOURCE_OFFLINE = 0,
    NTP_SOURCE_ONLINE,
    NTP_SOURCE_BURST_ONLINE,       /* in a burst, online afterwards */
    NTP_SOURCE_BURST_OFFLINE,      /* in a burst, offline afterwards */
};

/* What `sources`, `ntpdata` and `activity` show. */
struct ntp_source_report {
    addr_sock remote;
    enum ntp_source_state state;
    int poll;                      /* current polling interval, log2 s */
    int minpoll, maxpoll;
    unsigned reach;                /* register, newest poll in bit 0 */
    int reach_size;                /* polls recorded in it, up to NTP_SOURCE_REACH_BITS */
    unsigned polls_unanswered;     /* requests sent since the last valid response */
    double last_rx_mono;           /* last valid response; negative if none */
    bool have_sample;
    struct ntp_source_sample last_sample;
    /* from the last valid response */
    int leap, version, mode, stratum, remote_poll, precision;
    double root_delay_s, root_dispersion_s;
    uint32_t refid;
    struct timespec ref_time;
    double offset_s, delay_s, dispersion_s;   /* zero when not synchronised */
    double response_time_s;        /* time the server held the request */
    unsigned tests;                /* NTP_SOURCE_TEST_* that passed */
    /* for selection, from the last synchronised response (chrony's
     * SRC_UpdateStatus): stratum raised to minstratum, and the leap status */
    bool have_status;
    int sel_stratum, sel_leap;
    /* counters */
    uint64_t tx, rx, valid, good, kod;
    uint64_t rejected[NTP_SOURCE_RX_COUNT];
};

/* A new source, offline until ntp_source_start(). The options are copied;
 * their values are checked and clamped as chrony does. env must outlive the
 * source. */
struct ntp_source *ntp_source_create(const addr_sock *remote, const struct srcopts *opts,
                                     const struct ntp_source_env *env);
void ntp_source_destroy(struct ntp_source *src);

/* Goes online unless the options said offline (with iburst: starts a burst). */
void ntp_source_start(struct ntp_source *src, double now_mono);
/* The online/offline commands (and auto_offline). Going online restarts the
 * iburst; going offline during a burst finishes the burst first. */
void ntp_source_set_online(struct ntp_source *src, bool online, double now_mono);
enum ntp_source_state ntp_source_get_state(const struct ntp_source *src);
/* The burst command: up to total requests until good good samples. */
void ntp_source_burst(struct ntp_source *src, int good, int total, double now_mono);

/* Monotonic time of the next request; INFINITY when not polling. */
double ntp_source_next_tx(const struct ntp_source *src);
/* Writes the request due at now_mono into buf and returns its length, or
 * returns 0 when nothing is to be sent (not due, offline, or a burst from
 * offline just ended). Always follow a non-zero return with
 * ntp_source_request_sent(). */
size_t ntp_source_make_request(struct ntp_source *src, double now_mono, uint8_t *buf,
                               size_t cap);
/* After sending (or failing to send) the request: tx_time is our clock
 * (realtime) read as late as possible before the send. */
void ntp_source_request_sent(struct ntp_source *src, double now_mono,
                             const struct timespec *tx_time, bool sent);
/* Monotonic time until which a response to the last request is accepted
 * (maxdelay + 4 s after sending, as chrony closes its socket); negative
 * when no response is expected. */
double ntp_source_rx_deadline(const struct ntp_source *src);

/* A parsed packet that came from `from` at rx_time (our clock, realtime). */
enum ntp_source_rx ntp_source_process_response(struct ntp_source *src,
                                               const struct ntp_packet_info *info,
                                               const addr_sock *from,
                                               const struct timespec *rx_time,
                                               double now_mono);

/* Polling interval adaptation (chrony's poll score): adj is in log2 units
 * and accumulates; the result stays within minpoll..maxpoll, and below 1 s
 * only while the source is reachable over a delay under 10 ms. */
void ntp_source_adjust_poll(struct ntp_source *src, double adj);
/* The adjustment chrony makes after each sample: back off when the sample
 * missed the prediction by more than the peer distance (delay/2 +
 * dispersion), otherwise steer the number of samples in the statistics
 * towards polltarget. */
double ntp_source_poll_adjustment(const struct ntp_source *src, double error_in_estimate_s,
                                  double peer_distance_s, int n_samples);
/* Back to minpoll (and reschedule if polling). */
void ntp_source_reset_poll(struct ntp_source *src, double now_mono);
/* Whether this is the selected source: it backs off more slowly when unreachable. */
void ntp_source_set_selected(struct ntp_source *src, bool selected);

/* The clock was adjusted at `when` (realtime): its frequency changed by
 * dfreq (fraction) and it was moved back by doffset seconds (chrony's
 * convention: positive doffset corrects a clock that was ahead). Corrects
 * the local timestamps kept for the exchange so the measurement stays
 * right. */
void ntp_source_slew_times(struct ntp_source *src, const struct timespec *when, double dfreq,
                           double doffset);

/* chrony's correction for asymmetric network jitter (the asymmetry option),
 * to be added to a sample's offset by the source statistics, relative to the
 * smallest delay in their register (so it changes as samples come and go,
 * which is why samples carry the uncorrected offset). With asymmetry a in
 * -0.5..0.5, requests are assumed to take (0.5 - a) of the extra delay
 * (delay_s - min_delay_s): negative a means requests vary more. Values
 * outside that range mean "estimate it", which is the statistics' job. */
double ntp_source_asymmetry_correction(double asymmetry, double delay_s, double min_delay_s);

const addr_sock *ntp_source_address(const struct ntp_source *src);
/* The options as given to ntp_source_create() (before any clamping). */
const struct srcopts *ntp_source_options(const struct ntp_source *src);
void ntp_source_get_report(const struct ntp_source *src, struct ntp_source_report *out);

/* The modify commands of chronyc (minpoll, maxpoll, maxdelay,
 * maxdelayratio, maxdelaydevratio, minstratum, polltarget, offset), with
 * chrony's rules: a minpoll or maxpoll outside NTP_SOURCE_MIN_POLL ..
 * NTP_SOURCE_MAX_POLL is ignored, and the other of the two follows it when
 * they cross; the delay limits are clamped to their ranges; the rest is
 * taken as it is. Each change is logged ("Source ADDR new minpoll N"). The
 * current polling interval moves into a new range at the next adjustment,
 * as in chrony. */
enum ntp_source_setting {
    NTP_SOURCE_SET_MINPOLL,
    NTP_SOURCE_SET_MAXPOLL,
    NTP_SOURCE_SET_MAX_DELAY,
    NTP_SOURCE_SET_MAX_DELAY_RATIO,
    NTP_SOURCE_SET_MAX_DELAY_DEV_RATIO,
    NTP_SOURCE_SET_MIN_STRATUM,
    NTP_SOURCE_SET_POLL_TARGET,
    NTP_SOURCE_SET_OFFSET,
};
void ntp_source_modify(struct ntp_source *src, enum ntp_source_setting what, double value);

/* chronyc reset sources: the reachability register and the last
 * synchronised status (stratum, leap) are forgotten, a request waiting for
 * its response is abandoned, and polling goes back to minpoll. The counters
 * and the last response's data (ntpdata) stay. */
void ntp_source_reset(struct ntp_source *src, double now_mono);

/* chronyc selectopts: the source's selection options (SRCOPTS_SEL_*) as
 * ntp_source_options() reports them from now on. */
void ntp_source_set_select_options(struct ntp_source *src, unsigned options);

#endif
