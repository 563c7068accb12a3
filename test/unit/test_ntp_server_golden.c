/* The server's replies, byte for byte, against a table recorded from the
 * reply builder before its hot path was optimised (ntp_server_golden.h, made
 * at commit 690169f): 400 requests of every version and mode, with extension
 * fields and MACs, KoD and interleaved replies, timestamp collisions, era
 * edges and odd server states (ntp_server_cases.h). Also checks that the
 * per-batch template path the daemon uses gives the same bytes as
 * ntp_server_build_reply(), and that ntp_packet_parse_raw() agrees with
 * ntp_packet_parse().
 *
 * To regenerate the table (only when a reply is meant to change), run this
 * program with CW_GOLDEN_PRINT=1 and redirect its output to
 * ntp_server_golden.h. Built with -DCASES_OLD_API it uses only the API that
 * existed at 690169f, so a table can be made from that commit's library. */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "ntp_server_cases.h"

struct golden {
    int verdict;
    int finished;
    int len;
    int mode;
    int kod;
    int interleaved;
    int authenticated;
    uint32_t rx_hi, rx_lo, tx_hi, tx_lo;
    const char *hex;
};

#ifndef CASES_OLD_API
#include "ntp_server_golden.h"
#endif

struct outcome {
    enum ntp_server_verdict verdict;
    bool finished;
    struct ntp_server_reply reply;
};

static void run_case(int i, struct outcome *o)
{
    static struct server_case c;
    struct ntp_packet_info info;
    struct ntp_server_request req;
    cases_make(i, &c);
    memset(o, 0, sizeof *o);
    if (ntp_packet_parse(c.buf, c.len, NULL, &info) != NTP_PACKET_OK) {
        o->verdict = -1;
        return;
    }
    cases_request(&c, &info, &req);
    o->verdict = ntp_server_build_reply(&req, &c.st, &cases_keys, &o->reply);
    if (o->verdict == NTP_SERVER_REPLY)
        o->finished = ntp_server_finish_reply(&o->reply, c.tx_time, c.finish_random);
}

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = '\0';
}

static int print_table(void)
{
    static char hex[2 * NTP_MAX_PACKET_LENGTH + 1];
    printf("/* Written by test_ntp_server_golden with CW_GOLDEN_PRINT=1. */\n");
    printf("static const struct golden golden[] = {\n");
    for (int i = 0; i < CASES_N; i++) {
        struct outcome o;
        run_case(i, &o);
        const struct ntp_server_reply *r = &o.reply;
        bool ok = o.verdict == NTP_SERVER_REPLY && o.finished;
        to_hex(r->data, ok ? r->len : 0, hex);
        printf("    { %d, %d, %d, %d, %d, %d, %d, 0x%08x, 0x%08x, 0x%08x, 0x%08x,\n      \"%s\" },\n",
               (int)o.verdict, o.finished, ok ? (int)r->len : 0, ok ? r->mode : 0,
               ok ? r->kod : 0, ok ? r->interleaved : 0, ok ? r->authenticated : 0,
               ok ? r->receive_ts.hi : 0, ok ? r->receive_ts.lo : 0,
               ok ? r->transmit_ts.hi : 0, ok ? r->transmit_ts.lo : 0, hex);
    }
    printf("};\n");
    return 0;
}

#ifndef CASES_OLD_API

static void check_outcome(int i, const struct outcome *o, const struct golden *g)
{
    static char hex[2 * NTP_MAX_PACKET_LENGTH + 1];
    const struct ntp_server_reply *r = &o->reply;
    bool ok = o->verdict == NTP_SERVER_REPLY && o->finished;
    CHECK_INT(o->verdict, g->verdict);
    CHECK_INT(o->finished, g->finished);
    if (!ok || (int)o->verdict != g->verdict || o->finished != g->finished)
        return;
    to_hex(r->data, r->len, hex);
    if (strcmp(hex, g->hex) != 0)
        fprintf(stderr, "  case %d:\n    got  %s\n    want %s\n", i, hex, g->hex);
    CHECK_STR(hex, g->hex);
    CHECK_INT(r->len, g->len);
    CHECK_INT(r->mode, g->mode);
    CHECK_INT(r->kod, g->kod);
    CHECK_INT(r->interleaved, g->interleaved);
    CHECK_INT(r->authenticated, g->authenticated);
    CHECK_INT(r->receive_ts.hi, g->rx_hi);
    CHECK_INT(r->receive_ts.lo, g->rx_lo);
    CHECK_INT(r->transmit_ts.hi, g->tx_hi);
    CHECK_INT(r->transmit_ts.lo, g->tx_lo);
}

TEST(table_covers_every_case)
{
    CHECK_INT(sizeof golden / sizeof golden[0], CASES_N);
    /* the set exercises what it claims to */
    int replies = 0, kods = 0, interleaved = 0, signed_ = 0, dropped = 0;
    for (int i = 0; i < CASES_N; i++) {
        replies += golden[i].verdict == NTP_SERVER_REPLY && golden[i].finished;
        kods += golden[i].kod;
        interleaved += golden[i].interleaved;
        signed_ += golden[i].len > NTP_HEADER_LENGTH;
        dropped += golden[i].verdict != NTP_SERVER_REPLY;
    }
    CHECK(replies > 150);
    CHECK(kods > 10);
    CHECK(interleaved > 10);
    CHECK(signed_ > 5);
    CHECK(dropped > 50);
}

TEST(replies_match_golden)
{
    for (int i = 0; i < CASES_N && i < (int)(sizeof golden / sizeof golden[0]); i++) {
        struct outcome o;
        run_case(i, &o);
        check_outcome(i, &o, &golden[i]);
    }
}

/* The daemon's path: parse_raw, one template per batch (reused for many
 * requests), build, finish. Same bytes as the table. */
TEST(template_path_matches_golden)
{
    static struct server_case c;
    struct ntp_server_template t;
    for (int i = 0; i < CASES_N && i < (int)(sizeof golden / sizeof golden[0]); i++) {
        struct ntp_packet_info info;
        struct ntp_server_request req;
        struct outcome o;
        cases_make(i, &c);
        memset(&o, 0x5a, sizeof o);             /* no help from a cleared reply */
        CHECK_INT(ntp_packet_parse_raw(c.buf, c.len, &info), NTP_PACKET_OK);
        cases_request(&c, &info, &req);
        /* prepared twice for the same state: preparing is repeatable */
        ntp_server_prepare(&c.st, &t);
        if (i % 2)
            ntp_server_prepare(&c.st, &t);
        o.verdict = ntp_server_build_reply_from(&req, &t, &cases_keys, &o.reply);
        o.finished = o.verdict == NTP_SERVER_REPLY &&
                     ntp_server_finish_reply(&o.reply, c.tx_time, c.finish_random);
        check_outcome(i, &o, &golden[i]);
    }
}

/* parse_raw: everything parse() sets but the converted values, which stay zero. */
TEST(parse_raw_agrees_with_parse)
{
    static struct server_case c;
    for (int i = 0; i < CASES_N; i++) {
        struct ntp_packet_info a, b;
        cases_make(i, &c);
        /* also truncated and odd lengths */
        size_t lens[] = { c.len, c.len - 4, 47, 0, c.len - 1, c.len + 4 };
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
            size_t len = lens[k];
            if (len > sizeof c.buf)
                continue;
            memset(&a, 0xa5, sizeof a);
            memset(&b, 0x3c, sizeof b);
            enum ntp_packet_error ea = ntp_packet_parse(c.buf, len, NULL, &a);
            enum ntp_packet_error eb = ntp_packet_parse_raw(c.buf, len, &b);
            CHECK_INT(ea, eb);
            CHECK_INT(a.length, b.length);
            CHECK(memcmp(&a.hdr, &b.hdr, sizeof a.hdr) == 0);
            CHECK_INT(a.n_efs, b.n_efs);
            CHECK(a.n_efs >= 0 && a.n_efs <= NTP_PACKET_MAX_EFS);
            for (int e = 0; e < a.n_efs && e < NTP_PACKET_MAX_EFS; e++) {
                CHECK_INT(a.efs[e].type, b.efs[e].type);
                CHECK_INT(a.efs[e].length, b.efs[e].length);
                CHECK_INT(a.efs[e].offset, b.efs[e].offset);
            }
            CHECK_INT(a.auth, b.auth);
            CHECK_INT(a.crypto_nak, b.crypto_nak);
            CHECK_INT(a.mac.offset, b.mac.offset);
            CHECK_INT(a.mac.length, b.mac.length);
            CHECK_INT(a.mac.key_id, b.mac.key_id);
            CHECK(b.root_delay_s == 0.0 && b.root_dispersion_s == 0.0);
            CHECK(ntptime_is_zero(b.reference_time) && ntptime_is_zero(b.originate_time) &&
                  ntptime_is_zero(b.receive_time) && ntptime_is_zero(b.transmit_time));
            if (len < NTP_HEADER_LENGTH) {
                /* nothing could be read: the header is all zero */
                struct ntp_packet_header zero;
                memset(&zero, 0, sizeof zero);
                CHECK_INT(b.hdr.version, 0);
                CHECK_INT(b.hdr.transmit_ts.hi | b.hdr.transmit_ts.lo, 0);
                CHECK_INT(b.hdr.root_delay, 0);
            }
        }
    }
}

TEST_LIST {
    T(table_covers_every_case), T(replies_match_golden), T(template_path_matches_golden),
    T(parse_raw_agrees_with_parse),
};

/* The harness's main() under another name, so that main() can offer the
 * print mode. */
#define main harness_main
TEST_MAIN
#undef main

int main(void)
{
    if (getenv("CW_GOLDEN_PRINT"))
        return print_table();
    return harness_main();
}

#else /* CASES_OLD_API: only the generator */

int main(void)
{
    return print_table();
}

#endif
