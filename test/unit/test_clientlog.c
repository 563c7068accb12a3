#include "harness.h"
#include "core/clientlog.h"

#include <stdlib.h>

static struct timespec at(double s)
{
    return ntptime_add_double((struct timespec){ 1700000000, 0 }, s);
}

static addr_ip ip4(uint32_t a)
{
    addr_ip ip;
    memset(&ip, 0, sizeof ip);
    ip.family = ADDR_INET4;
    ip.a.in4 = a;
    return ip;
}

static void start(struct clientlog_config *cfg)
{
    const char *err = NULL;
    CHECK(clientlog_init(cfg, &err));
    CHECK(err == NULL);
}

static void start_ntp_limit(int interval, int burst, int leak, int kod)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    cfg.seed = 42;
    cfg.ratelimit[CLIENTLOG_NTP].enabled = true;
    cfg.ratelimit[CLIENTLOG_NTP].interval = interval;
    cfg.ratelimit[CLIENTLOG_NTP].burst = burst;
    cfg.ratelimit[CLIENTLOG_NTP].leak = leak;
    cfg.ratelimit[CLIENTLOG_NTP].kod = kod;
    start(&cfg);
}

/* One NTP request: log it and ask the limiter. */
static enum clientlog_limit request(uint32_t addr, double t)
{
    addr_ip ip = ip4(addr);
    int i = clientlog_log_access(CLIENTLOG_NTP, &ip, at(t));
    return i < 0 ? CLIENTLOG_PASS : clientlog_limit_rate(CLIENTLOG_NTP, i);
}

static bool find_client(uint32_t addr, double now, struct clientlog_client *out)
{
    addr_ip want = ip4(addr);
    for (int i = 0; i < clientlog_capacity(); i++)
        if (clientlog_get_client(i, false, 0, at(now), out) && addr_equal(&out->ip, &want))
            return true;
    return false;
}

TEST(defaults)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    CHECK(cfg.enabled);
    CHECK_INT(cfg.limit_bytes, 524288);
    CHECK(!cfg.ratelimit[CLIENTLOG_NTP].enabled);
    CHECK_INT(cfg.ratelimit[CLIENTLOG_NTP].interval, 3);
    CHECK_INT(cfg.ratelimit[CLIENTLOG_NTSKE].interval, 6);
    CHECK_INT(cfg.ratelimit[CLIENTLOG_CMD].interval, -4);
    CHECK_INT(cfg.ratelimit[CLIENTLOG_NTP].burst, 8);
    CHECK_INT(cfg.ratelimit[CLIENTLOG_NTP].leak, 2);
    CHECK_INT(cfg.ratelimit[CLIENTLOG_NTP].kod, 0);
    start(&cfg);
    /* without ratelimit everything passes and no poll is suggested */
    CHECK_INT(clientlog_ntp_min_poll(), -19);
    for (int i = 0; i < 100; i++)
        CHECK_INT(request(0x0a000001, 0.0), CLIENTLOG_PASS);
    struct clientlog_stats st;
    clientlog_get_stats(&st);
    CHECK_INT(st.hits[CLIENTLOG_NTP], 100);
    CHECK_INT(st.drops[CLIENTLOG_NTP], 0);
    clientlog_fini();
}

TEST(noclientlog)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    cfg.enabled = false;
    start(&cfg);
    addr_ip ip = ip4(0x0a000001);
    CHECK_INT(clientlog_log_access(CLIENTLOG_NTP, &ip, at(0)), -1);
    CHECK_INT(clientlog_capacity(), -1);
    struct clientlog_stats st;
    clientlog_get_stats(&st);
    CHECK_INT(st.hits[CLIENTLOG_NTP], 1);      /* totals are still counted */
    /* and no interleaved timestamps are kept */
    struct timespec tx = at(1);
    ntptime_ts64 rx = ntptime_to_ts64(at(0), (ntptime_ts64){ 0, 0 });
    clientlog_save_ntp_timestamps(rx, &tx, CLIENTLOG_TS_DAEMON);
    CHECK(!clientlog_get_ntp_tx(rx, &tx, NULL));

    /* rate limiting needs the log */
    const char *err = NULL;
    cfg.ratelimit[CLIENTLOG_CMD].enabled = true;
    CHECK(!clientlog_init(&cfg, &err));
    CHECK_STR(err, "Rate limiting cannot be enabled with noclientlog");
    clientlog_fini();
}

TEST(client_records)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    start(&cfg);
    addr_ip a = ip4(0xc0a80001), other;
    CHECK(addr_parse("2001:db8::7", &other));
    for (int i = 0; i < 5; i++)
        CHECK(clientlog_log_access(CLIENTLOG_NTP, &a, at(64.0 * i)) >= 0);
    CHECK(clientlog_log_access(CLIENTLOG_CMD, &a, at(300)) >= 0);
    CHECK(clientlog_log_access(CLIENTLOG_NTP, &other, at(10)) >= 0);
    CHECK(clientlog_log_access(CLIENTLOG_NTP, &other, at(10.5)) >= 0);

    struct clientlog_client c;
    CHECK(find_client(0xc0a80001, 320.5, &c));
    CHECK_INT(c.hits[CLIENTLOG_NTP], 5);
    CHECK_INT(c.hits[CLIENTLOG_CMD], 1);
    CHECK_INT(c.interval[CLIENTLOG_NTP], 6);                 /* every 64 s */
    CHECK_INT(c.interval[CLIENTLOG_CMD], CLIENTLOG_NO_INTERVAL);
    CHECK_INT(c.ntp_timeout_interval, CLIENTLOG_NO_INTERVAL);
    CHECK_INT(c.last_hit_ago[CLIENTLOG_NTP], 64);            /* last at 256 s */
    CHECK_INT(c.last_hit_ago[CLIENTLOG_CMD], 20);
    CHECK_INT(c.last_hit_ago[CLIENTLOG_NTSKE], CLIENTLOG_NEVER);

    /* the IPv6 client, 0.5 s apart */
    int found = 0;
    for (int i = 0; i < clientlog_capacity(); i++) {
        if (clientlog_get_client(i, false, 0, at(11), &c) && addr_equal(&c.ip, &other)) {
            found++;
            CHECK_INT(c.hits[CLIENTLOG_NTP], 2);
            CHECK_INT(c.interval[CLIENTLOG_NTP], -1);
        }
    }
    CHECK_INT(found, 1);

    /* min_hits filters, reset zeroes the counters */
    int listed = 0;
    for (int i = 0; i < clientlog_capacity(); i++)
        listed += clientlog_get_client(i, false, 3, at(400), &c);
    CHECK_INT(listed, 1);
    for (int i = 0; i < clientlog_capacity(); i++)
        clientlog_get_client(i, true, 0, at(400), &c);
    CHECK(find_client(0xc0a80001, 400, &c));
    CHECK_INT(c.hits[CLIENTLOG_NTP], 0);
    CHECK_INT(c.last_hit_ago[CLIENTLOG_NTP], 144);           /* times are kept */

    /* addresses that are not IP are not logged */
    addr_ip id;
    memset(&id, 0, sizeof id);
    id.family = ADDR_ID;
    CHECK_INT(clientlog_log_access(CLIENTLOG_CMD, &id, at(0)), -1);
    CHECK(!clientlog_get_client(-1, false, 0, at(0), &c));
    CHECK(!clientlog_get_client(1 << 30, false, 0, at(0), &c));
    clientlog_fini();
}

TEST(memory_limit)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    start(&cfg);
    /* the documented default: up to 4096 addresses at the same time */
    for (uint32_t i = 0; i < 6000; i++)
        clientlog_log_access(CLIENTLOG_NTP, &(addr_ip){ .family = ADDR_INET4, .a.in4 = 0x0a000000 + i },
                             at(i * 0.01));
    CHECK_INT(clientlog_capacity(), 4096);
    struct clientlog_stats st;
    clientlog_get_stats(&st);
    CHECK(st.log_drops >= 6000 - 4096);
    int held = 0;
    struct clientlog_client c;
    for (int i = 0; i < clientlog_capacity(); i++)
        held += clientlog_get_client(i, false, 0, at(100), &c);
    CHECK(held > 3500 && held <= 4096);
    CHECK_INT(held + (int)st.log_drops, 6000);

    /* a tiny limit still keeps one bucket; 1 MB doubles the default */
    cfg.limit_bytes = 1;
    start(&cfg);
    for (uint32_t i = 0; i < 100; i++)
        clientlog_log_access(CLIENTLOG_NTP, &(addr_ip){ .family = ADDR_INET4, .a.in4 = i + 1 }, at(i));
    CHECK_INT(clientlog_capacity(), 16);
    cfg.limit_bytes = 1048576;
    start(&cfg);
    for (uint32_t i = 0; i < 20000; i++)
        clientlog_log_access(CLIENTLOG_NTP, &(addr_ip){ .family = ADDR_INET4, .a.in4 = i + 1 }, at(i));
    CHECK_INT(clientlog_capacity(), 8192);
    clientlog_fini();
}

TEST(eviction_keeps_active_clients)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    cfg.limit_bytes = 1;                       /* one bucket of 16 */
    start(&cfg);
    for (uint32_t i = 1; i <= 16; i++)
        clientlog_log_access(CLIENTLOG_NTP, &(addr_ip){ .family = ADDR_INET4, .a.in4 = i }, at(i));
    /* client 1 comes back; client 2 is now the longest idle */
    clientlog_log_access(CLIENTLOG_NTP, &(addr_ip){ .family = ADDR_INET4, .a.in4 = 1 }, at(100));
    clientlog_log_access(CLIENTLOG_NTP, &(addr_ip){ .family = ADDR_INET4, .a.in4 = 99 }, at(101));
    struct clientlog_client c;
    CHECK(find_client(1, 102, &c));
    CHECK(find_client(99, 102, &c));
    CHECK(!find_client(2, 102, &c));
    CHECK(find_client(3, 102, &c));
    clientlog_fini();
}

TEST(burst_then_interval)
{
    start_ntp_limit(3, 8, 2, 0);
    CHECK_INT(clientlog_ntp_min_poll(), 3);
    /* a new client may send a burst of 8 */
    for (int i = 0; i < 8; i++)
        CHECK_INT(request(0x0a000001, 0.0), CLIENTLOG_PASS);
    /* the bucket is empty now: about 3 in 4 are dropped (leak 2) */
    int passed = 0, n = 4000;
    for (int i = 0; i < n; i++)
        passed += request(0x0a000001, 0.0) == CLIENTLOG_PASS;
    CHECK(passed > n * 0.20 && passed < n * 0.30);
    struct clientlog_stats st;
    clientlog_get_stats(&st);
    CHECK_INT(st.drops[CLIENTLOG_NTP], n - passed);
    struct clientlog_client c;
    CHECK(find_client(0x0a000001, 0.0, &c));
    CHECK_INT(c.drops[CLIENTLOG_NTP], (uint16_t)(n - passed));
    /* 8 s refill one response, 64 s the whole burst */
    CHECK_INT(request(0x0a000001, 8.0), CLIENTLOG_PASS);
    for (int i = 0; i < 8; i++)
        CHECK_INT(request(0x0a000001, 72.0), CLIENTLOG_PASS);
    /* another client is not affected */
    for (int i = 0; i < 8; i++)
        CHECK_INT(request(0x0a000002, 72.0), CLIENTLOG_PASS);
    clientlog_fini();
}

TEST(steady_clients)
{
    start_ntp_limit(3, 8, 2, 0);
    /* polling every 8 s or slower is never limited */
    int dropped = 0;
    for (int i = 0; i < 2000; i++)
        dropped += request(0x0a000001, 8.0 * i) != CLIENTLOG_PASS;
    CHECK_INT(dropped, 0);
    /* polling every second: about 1 in 8 answered from the bucket plus leaks */
    int passed = 0, n = 4000;
    for (int i = 0; i < n; i++)
        passed += request(0x0a000002, 1.0 * i) == CLIENTLOG_PASS;
    CHECK(passed > n * 0.15 && passed < n * 0.45);
    clientlog_fini();
}

TEST(kod_rate)
{
    start_ntp_limit(3, 1, 2, 1);
    int pass = 0, kod = 0, drop = 0, n = 8000;
    for (int i = 0; i < n; i++) {
        switch (request(0x0a000001, 0.0)) {
        case CLIENTLOG_PASS: pass++; break;
        case CLIENTLOG_KOD: kod++; break;
        case CLIENTLOG_DROP: drop++; break;
        }
    }
    /* 1/4 leak through, half of the rest get KoD */
    CHECK(pass > n * 0.20 && pass < n * 0.30);
    CHECK(kod > n * 0.33 && kod < n * 0.42);
    CHECK(drop > n * 0.33 && drop < n * 0.42);
    struct clientlog_stats st;
    clientlog_get_stats(&st);
    CHECK_INT(st.drops[CLIENTLOG_NTP], drop);  /* KoD is not a drop */
    clientlog_fini();
}

TEST(clients_polling_faster_when_ignored)
{
    /* A broken client that retries after 1 s when not answered, and waits
     * 4 s after an answer, with a limit of one response per 8 s: limiting
     * it would only add traffic, so most of its requests are answered. */
    start_ntp_limit(3, 1, 2, 0);
    double t = 0;
    int passed = 0, n = 3000;
    for (int i = 0; i < n; i++) {
        bool ok = request(0x0a000001, t) == CLIENTLOG_PASS;
        passed += ok;
        t += ok ? 4.0 : 1.0;
    }
    CHECK(passed > n * 0.65);
    struct clientlog_client c;
    CHECK(find_client(0x0a000001, t, &c));
    CHECK_INT(c.ntp_timeout_interval, 0);
    CHECK_INT(c.interval[CLIENTLOG_NTP], 2);
    /* the same rate of requests, regardless of answers, stays limited */
    passed = 0;
    t = 0;
    for (int i = 0; i < n; i++) {
        passed += request(0x0a000002, t) == CLIENTLOG_PASS;
        t += 1.75;
    }
    CHECK(passed < n * 0.5);
    clientlog_fini();
}

TEST(coarse_and_clamped_limits)
{
    /* interval -19 is enforced per 1/16 s tick: 32768 per tick at once */
    start_ntp_limit(-19, 1, 4, 0);
    int passed = 0;
    for (int i = 0; i < 40000; i++)
        passed += request(0x0a000001, 0.0) == CLIENTLOG_PASS;
    CHECK(passed >= 32768 && passed < 32768 + 600);
    clientlog_fini();
    /* out-of-range values are clamped */
    start_ntp_limit(20, 1000, 9, 9);
    CHECK_INT(clientlog_ntp_min_poll(), 12);
    int ok = 0;
    for (int i = 0; i < 255; i++)
        ok += request(0x0a000001, 0.0) == CLIENTLOG_PASS;
    CHECK_INT(ok, 255);
    clientlog_fini();
}

TEST(services_are_independent)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    cfg.seed = 7;
    cfg.ratelimit[CLIENTLOG_CMD].enabled = true;
    cfg.ratelimit[CLIENTLOG_CMD].burst = 1;
    start(&cfg);
    addr_ip ip = ip4(0x7f000001);
    int limited = 0;
    for (int i = 0; i < 200; i++) {
        int idx = clientlog_log_access(CLIENTLOG_CMD, &ip, at(0));
        limited += clientlog_limit_rate(CLIENTLOG_CMD, idx) != CLIENTLOG_PASS;
        idx = clientlog_log_access(CLIENTLOG_NTP, &ip, at(0));
        CHECK_INT(clientlog_limit_rate(CLIENTLOG_NTP, idx), CLIENTLOG_PASS);
    }
    CHECK(limited > 100);
    struct clientlog_stats st;
    clientlog_get_stats(&st);
    CHECK_INT(st.hits[CLIENTLOG_CMD], 200);
    CHECK_INT(st.hits[CLIENTLOG_NTP], 200);
    CHECK_INT(st.drops[CLIENTLOG_CMD], limited);
    CHECK_INT(st.drops[CLIENTLOG_NTP], 0);
    clientlog_fini();
}

static ntptime_ts64 rx_at(double t)
{
    ntptime_ts64 r = ntptime_to_ts64(at(t), (ntptime_ts64){ 0, 0 });
    r.lo |= 1;
    return r;
}

TEST(interleaved_timestamps)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    start(&cfg);
    struct timespec tx, got;
    enum clientlog_ts_source src;

    tx = at(10.000123);
    clientlog_save_ntp_timestamps(rx_at(10.0), &tx, CLIENTLOG_TS_DAEMON);
    CHECK(clientlog_get_ntp_tx(rx_at(10.0), &got, &src));
    CHECK_INT(got.tv_sec, tx.tv_sec);
    CHECK(labs(got.tv_nsec - tx.tv_nsec) <= 1);
    CHECK_INT(src, CLIENTLOG_TS_DAEMON);
    CHECK(!clientlog_get_ntp_tx(rx_at(11.0), &got, &src));

    /* a later kernel timestamp replaces it */
    tx = at(10.000100);
    clientlog_update_ntp_tx(rx_at(10.0), &tx, CLIENTLOG_TS_KERNEL);
    CHECK(clientlog_get_ntp_tx(rx_at(10.0), &got, &src));
    CHECK(labs(got.tv_nsec - tx.tv_nsec) <= 1);
    CHECK_INT(src, CLIENTLOG_TS_KERNEL);

    /* used once for an interleaved reply, then never again */
    clientlog_disable_ntp_timestamps(rx_at(10.0));
    CHECK(!clientlog_get_ntp_tx(rx_at(10.0), &got, &src));
    /* saving a receive timestamp twice disables it */
    tx = at(20.1);
    clientlog_save_ntp_timestamps(rx_at(20.0), &tx, CLIENTLOG_TS_DAEMON);
    clientlog_save_ntp_timestamps(rx_at(20.0), &tx, CLIENTLOG_TS_DAEMON);
    CHECK(!clientlog_get_ntp_tx(rx_at(20.0), &got, &src));
    /* a transmit time far from the receive time is not kept */
    tx = at(40.0);
    clientlog_save_ntp_timestamps(rx_at(30.0), &tx, CLIENTLOG_TS_DAEMON);
    CHECK(!clientlog_get_ntp_tx(rx_at(30.0), &got, &src));
    /* slightly out of order: an older one lands in its place */
    tx = at(29.6);
    clientlog_save_ntp_timestamps(rx_at(29.5), &tx, CLIENTLOG_TS_DAEMON);
    CHECK(clientlog_get_ntp_tx(rx_at(29.5), &got, &src));
    CHECK_NEAR(ntptime_diff(got, tx), 0.0, 2e-9);

    struct clientlog_stats st;
    clientlog_get_stats(&st);
    CHECK_INT(st.ntp_timestamps, 4);
    CHECK_INT(st.ntp_span_seconds, 20);
    CHECK_INT(st.ntp_interleaved_hits, 1);

    /* more than 1 s older than the newest means the clock went back: the
     * newer entries are dropped */
    tx = at(15.5);
    clientlog_save_ntp_timestamps(rx_at(15.0), &tx, CLIENTLOG_TS_DAEMON);
    CHECK(clientlog_get_ntp_tx(rx_at(15.0), &got, &src));
    CHECK(!clientlog_get_ntp_tx(rx_at(29.5), &got, &src));
    clientlog_get_stats(&st);
    CHECK_INT(st.ntp_timestamps, 2);
    CHECK_INT(st.ntp_span_seconds, 5);

    /* an unknown clock step forgets everything */
    clientlog_drop_ntp_timestamps();
    CHECK(!clientlog_get_ntp_tx(rx_at(15.0), &got, &src));
    clientlog_get_stats(&st);
    CHECK_INT(st.ntp_timestamps, 0);
    clientlog_fini();
}

TEST(interleaved_map_bounds)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    cfg.limit_bytes = 1;                       /* room for 16 */
    start(&cfg);
    struct timespec tx, got;
    enum clientlog_ts_source src;
    for (int i = 0; i < 40; i++) {
        tx = at(i + 0.001);
        clientlog_save_ntp_timestamps(rx_at(i), &tx, CLIENTLOG_TS_DAEMON);
    }
    struct clientlog_stats st;
    clientlog_get_stats(&st);
    CHECK_INT(st.ntp_timestamps, 16);
    CHECK_INT(st.ntp_span_seconds, 15);
    CHECK(!clientlog_get_ntp_tx(rx_at(23), &got, &src));      /* oldest dropped */
    CHECK(clientlog_get_ntp_tx(rx_at(24), &got, &src));
    CHECK(clientlog_get_ntp_tx(rx_at(39), &got, &src));
    /* an out-of-order insert into a full map drops the oldest */
    tx = at(38.7);
    clientlog_save_ntp_timestamps(rx_at(38.6), &tx, CLIENTLOG_TS_DAEMON);
    CHECK(clientlog_get_ntp_tx(rx_at(38.6), &got, &src));
    CHECK(clientlog_get_ntp_tx(rx_at(38), &got, &src));
    CHECK(clientlog_get_ntp_tx(rx_at(39), &got, &src));
    CHECK(clientlog_get_ntp_tx(rx_at(25), &got, &src));
    CHECK(!clientlog_get_ntp_tx(rx_at(24), &got, &src));
    clientlog_get_stats(&st);
    CHECK_INT(st.ntp_timestamps, 16);
    /* after a backward step, entries "from the future" are dropped */
    tx = at(0.5);
    clientlog_save_ntp_timestamps(rx_at(0.4), &tx, CLIENTLOG_TS_DAEMON);
    clientlog_get_stats(&st);
    CHECK_INT(st.ntp_timestamps, 1);
    CHECK(clientlog_get_ntp_tx(rx_at(0.4), &got, &src));
    clientlog_fini();
}

TEST(ntp_stats_counters)
{
    struct clientlog_config cfg;
    clientlog_config_defaults(&cfg);
    start(&cfg);
    clientlog_update_ntp_stats(true, CLIENTLOG_TS_KERNEL, CLIENTLOG_TS_DAEMON);
    clientlog_update_ntp_stats(false, CLIENTLOG_TS_KERNEL, CLIENTLOG_TS_HARDWARE);
    clientlog_update_ntp_stats(false, CLIENTLOG_TS_DAEMON, CLIENTLOG_TS_DAEMON);
    struct clientlog_stats st;
    clientlog_get_stats(&st);
    CHECK_INT(st.ntp_auth_hits, 1);
    CHECK_INT(st.ntp_rx_timestamps[CLIENTLOG_TS_KERNEL], 2);
    CHECK_INT(st.ntp_rx_timestamps[CLIENTLOG_TS_DAEMON], 1);
    CHECK_INT(st.ntp_tx_timestamps[CLIENTLOG_TS_DAEMON], 2);
    CHECK_INT(st.ntp_tx_timestamps[CLIENTLOG_TS_HARDWARE], 1);
    /* a restart clears the totals */
    start(&cfg);
    clientlog_get_stats(&st);
    CHECK_INT(st.ntp_auth_hits, 0);
    clientlog_fini();
}

/* The address hash spreads clients whose addresses differ in any part over
 * the buckets: 1024 clients fit the default log (256 buckets of 16) without
 * an eviction, whichever bits tell them apart. */
TEST(hash_spreads_clients)
{
    enum { CLIENTS = 1024, PATTERNS = 6 };
    for (uint64_t seed = 1; seed <= 4; seed++) {
        for (int p = 0; p < PATTERNS; p++) {
            struct clientlog_config cfg;
            clientlog_config_defaults(&cfg);
            cfg.seed = seed;
            start(&cfg);
            for (uint32_t i = 0; i < CLIENTS; i++) {
                addr_ip ip;
                memset(&ip, 0, sizeof ip);
                switch (p) {
                case 0: ip = ip4(0x0a000000 + i); break;             /* a subnet */
                case 1: ip = ip4(i << 22 | 1); break;                /* top bits only */
                case 2: ip = ip4((i & 0xff) << 24 | (i >> 8) << 8); break;
                default:
                    ip.family = ADDR_INET6;
                    ip.a.in6[0] = 0x20;
                    ip.a.in6[1] = 0x01;
                    /* the last bytes, the first word's last bytes, the middle */
                    int at_byte = p == 3 ? 14 : p == 4 ? 6 : 8;
                    ip.a.in6[at_byte] = (uint8_t)(i >> 8);
                    ip.a.in6[at_byte + 1] = (uint8_t)i;
                    break;
                }
                CHECK(clientlog_log_access(CLIENTLOG_NTP, &ip, at(i)) >= 0);
            }
            struct clientlog_stats st;
            clientlog_get_stats(&st);
            CHECK_INT(st.log_drops, 0);
            int held = 0;
            struct clientlog_client c;
            for (int i = 0; i < clientlog_capacity(); i++)
                held += clientlog_get_client(i, false, 0, at(CLIENTS), &c);
            CHECK_INT(held, CLIENTS);
        }
    }
    clientlog_fini();
}

TEST_LIST {
    T(defaults), T(noclientlog), T(client_records), T(memory_limit),
    T(eviction_keeps_active_clients), T(burst_then_interval), T(steady_clients), T(kod_rate),
    T(clients_polling_faster_when_ignored), T(coarse_and_clamped_limits),
    T(services_are_independent), T(interleaved_timestamps), T(interleaved_map_bounds),
    T(ntp_stats_counters), T(hash_spreads_clients),
};
TEST_MAIN
