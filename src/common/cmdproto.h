/* cmdproto: the encodings of chrony's command protocol shared by chronyd and
 * chronyc (include/candm_wire.h has the packet layouts): its 32-bit float,
 * timespecs, 64-bit integers and 20-byte addresses; the length of every
 * request and reply (chrony's "pktlength" table, for both the 4.3 and the
 * 4.8 forms); building and checking request and reply headers.
 *
 * A command server answers a datagram this way: cmdproto_check_request()
 * with CMDPROTO_IN_43 | CMDPROTO_IN_48 (drop, or a bare reply with
 * BADPKTVERSION, INVALID or BADPKTLENGTH); on UDP a code whose row is not
 * open gets UNAUTH; otherwise the reply code is cmdproto_reply_for() the
 * request's length (so Debian's chronyc 4.3 gets NTP_DATA/SERVER_STATS3 and
 * 4.8's NTP_DATA2/SERVER_STATS4), the header comes from
 * cmdproto_build_reply_header(), and a reply longer than the request
 * (cmdproto_reply_len()) is never sent. Error statuses go in a bare
 * RPY_NULL header. LOCAL2 (4.3's "local") and LOCAL3 (4.6+) are both
 * accepted. */
#ifndef CW_CMDPROTO_H
#define CW_CMDPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "candm_wire.h"
#include "common/addr.h"

/* ---- numbers (the _wire forms are in network byte order) ---- */

/* The float's bits, in host order. NaN and magnitudes below 1e-100 encode
 * as 0, magnitudes above 1e100 saturate; otherwise the coefficient is
 * rounded to nearest, exactly as chrony computes it. */
uint32_t cmdproto_float_encode(double x);
double cmdproto_float_decode(uint32_t bits);
candm_float cmdproto_float_to_wire(double x);
double cmdproto_float_from_wire(candm_float f);

void cmdproto_timespec_to_wire(const struct timespec *ts, struct candm_timespec *out);
/* A high part of CANDM_TS_NOHIGHSEC reads as 0; nanoseconds are clamped to
 * 999999999. */
void cmdproto_timespec_from_wire(const struct candm_timespec *in, struct timespec *ts);

void cmdproto_int64_to_wire(uint64_t value, struct candm_int64 *out);
uint64_t cmdproto_int64_from_wire(const struct candm_int64 *in);

/* addr_ip <-> 20 bytes. An unknown family reads as that family with a zero
 * address (so it prints as chrony prints it). */
void cmdproto_ip_to_wire(const addr_ip *ip, struct candm_ip *out);
void cmdproto_ip_from_wire(const struct candm_ip *in, addr_ip *ip);

/* Big-endian fields of the layouts. */
uint16_t cmdproto_get16(const void *field);
uint32_t cmdproto_get32(const void *field);
void cmdproto_put16(void *field, uint16_t value);
void cmdproto_put32(void *field, uint32_t value);

/* ---- the length table ---- */

/* Which chrony releases know a request code. */
#define CMDPROTO_IN_43 0x1          /* chrony 4.3 (Debian 12) */
#define CMDPROTO_IN_48 0x2          /* chrony 4.8 */

struct cmdproto_command {
    uint16_t code;                  /* CANDM_REQ_* */
    uint16_t data_len;              /* request data after the header */
    uint16_t reply;                 /* the reply a 4.8 client expects */
    uint16_t old_reply;             /* the shorter reply a 4.3 client expects, or 0 */
    uint8_t releases;               /* CMDPROTO_IN_* */
    bool open;                      /* a monitoring request chronyd answers on UDP
                                       (4.3's fixed set, 4.7+'s default "opencommands");
                                       the others get UNAUTH there */
};

/* The row of a request code, or NULL when no release we speak knows it. */
const struct cmdproto_command *cmdproto_command(uint16_t code);

/* Total length of a reply of this code (header included), or 0 for a code
 * without a fixed length. */
size_t cmdproto_reply_len(uint16_t reply);

/* Total length of a version-6 request: header and data, padded with zeros
 * up to the length of the reply it asks for (pass the reply the client
 * expects; RPY_NULL for commands answered with a status only). */
size_t cmdproto_request_len(uint16_t code, uint16_t expected_reply);

/* The shortest request of this code a daemon must accept: what the oldest
 * client sends. 0 for an unknown code. */
size_t cmdproto_min_request_len(uint16_t code);

/* The reply code a daemon answers a request of this length with: the
 * newest form that fits in the request (a 4.3 client pads NTP_DATA and
 * SERVER_STATS requests for the older, shorter replies: it gets those).
 * 0 for an unknown code. */
uint16_t cmdproto_reply_for(uint16_t code, size_t request_len);

/* ---- headers ---- */

struct cmdproto_request {
    uint8_t version;                /* CANDM_PROTO_VERSION, or 5 after a fallback */
    uint16_t command;
    uint16_t attempt;
    uint32_t sequence;
    const void *data;
    size_t data_len;
    size_t padded_len;              /* total length with padding (version 6) */
};

/* Writes header, data and padding into buf; returns the length, 0 when it
 * does not fit. Version 5 requests carry no padding. */
size_t cmdproto_build_request(const struct cmdproto_request *req, uint8_t *buf, size_t cap);

enum cmdproto_reply_check {
    CMDPROTO_REPLY_OK,
    CMDPROTO_REPLY_INVALID,         /* not an answer to this request: ignore it */
    CMDPROTO_REPLY_OLD_VERSION,     /* a version 5 daemon: resend as version 5 */
    CMDPROTO_REPLY_TOO_SHORT,       /* truncated: resend */
};

/* Checks a datagram received after sending req, as chrony's client does:
 * header fields, echoed command and sequence, then the reply's length. */
enum cmdproto_reply_check cmdproto_check_reply(const uint8_t *pkt, size_t len,
                                               const struct cmdproto_request *req);

/* The header of a reply to the request header req (status and reply code
 * given; sequence and command echoed). */
void cmdproto_build_reply_header(const struct candm_request_header *req, uint16_t reply,
                                 uint16_t status, struct candm_reply_header *out);

enum cmdproto_request_check {
    CMDPROTO_REQUEST_OK,
    CMDPROTO_REQUEST_DROP,          /* no answer at all */
    CMDPROTO_REQUEST_BAD_VERSION,   /* answer BADPKTVERSION */
    CMDPROTO_REQUEST_INVALID,       /* answer INVALID: unknown command */
    CMDPROTO_REQUEST_BAD_LENGTH,    /* answer BADPKTLENGTH */
};

/* A daemon's checks of a received request, in chrony's order. releases
 * selects which codes are known (CMDPROTO_IN_43 to act as chrony 4.3). */
enum cmdproto_request_check cmdproto_check_request(const uint8_t *pkt, size_t len,
                                                   uint8_t releases);

#endif
