/* ntp_packet: reading and writing NTP packets. Parses any received buffer
 * into a struct ntp_packet_info (header fields, converted values, extension
 * fields, MAC position) or says why it is malformed, with the same rules as
 * chrony 4.x; builds packets from a header plus optional extension fields and
 * MAC. Never reads or writes outside the buffers it is given. */
#ifndef CW_NTP_PACKET_H
#define CW_NTP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/ntptime.h"
#include "ntp_wire.h"

/* Why a packet was rejected; the caller counts these. */
enum ntp_packet_error {
    NTP_PACKET_OK = 0,
    NTP_PACKET_TOO_SHORT,          /* shorter than the 48-byte header */
    NTP_PACKET_TOO_LONG,           /* longer than NTP_MAX_PACKET_LENGTH */
    NTP_PACKET_BAD_LENGTH,         /* not a multiple of 4 bytes */
    NTP_PACKET_BAD_VERSION,        /* version outside 1..4 */
    NTP_PACKET_BAD_EXTENSION,      /* NTPv4 data after the header is neither
                                      valid extension fields nor a MAC */
    NTP_PACKET_ERROR_COUNT
};

/* How the packet is authenticated (what follows the header). */
enum ntp_packet_auth {
    NTP_PACKET_AUTH_NONE = 0,
    NTP_PACKET_AUTH_SYMMETRIC,     /* key ID + digest; or a crypto-NAK */
    NTP_PACKET_AUTH_MSSNTP,        /* MS-SNTP authenticator (NTPv3) */
    NTP_PACKET_AUTH_MSSNTP_EXT,    /* MS-SNTP extended authenticator */
    NTP_PACKET_AUTH_NTS,           /* NTS extension fields present (RFC 8915) */
};

/* The 48-byte header, host byte order, raw values. */
struct ntp_packet_header {
    int leap;                      /* enum ntp_leap */
    int version;
    int mode;                      /* enum ntp_mode */
    int stratum;                   /* 0..255 */
    int poll;                      /* log2 s, -128..127 */
    int precision;                 /* log2 s, -128..127 */
    uint32_t root_delay;           /* 16.16 short format */
    uint32_t root_dispersion;      /* 16.16 short format */
    uint32_t refid;
    ntptime_ts64 reference_ts;
    ntptime_ts64 originate_ts;
    ntptime_ts64 receive_ts;
    ntptime_ts64 transmit_ts;
};

struct ntp_packet_ef {
    uint16_t type;
    uint16_t length;               /* whole field, header included */
    uint16_t offset;               /* from the start of the packet */
};

/* Enough for a maximum-length packet made only of minimum-length fields. */
#define NTP_PACKET_MAX_EFS ((NTP_MAX_PACKET_LENGTH - NTP_HEADER_LENGTH) / NTP_MIN_EF_LENGTH)

struct ntp_packet_info {
    size_t length;
    struct ntp_packet_header hdr;

    /* converted values */
    double root_delay_s;
    double root_dispersion_s;
    struct timespec reference_time;   /* zero timestamps stay zero */
    struct timespec originate_time;
    struct timespec receive_time;
    struct timespec transmit_time;

    int n_efs;
    struct ntp_packet_ef efs[NTP_PACKET_MAX_EFS];   /* only [0, n_efs) is set */

    enum ntp_packet_auth auth;
    bool crypto_nak;               /* MAC area is a lone zero key ID */
    struct {
        uint16_t offset;           /* start of the key ID */
        uint16_t length;           /* key ID + digest */
        uint32_t key_id;
    } mac;                         /* valid when auth is SYMMETRIC or MSSNTP* */
};

/* Parses data[0..len). era_ref picks the NTP era of the converted timestamps
 * (nearest to it); NULL uses the default window (NTPTIME_DEFAULT_ERA_START).
 * On error info is still filled as far as it could be read. */
enum ntp_packet_error ntp_packet_parse(const uint8_t *data, size_t len,
                                       const struct timespec *era_ref,
                                       struct ntp_packet_info *info);
/* The same checks and the same results, without the converted values
 * (root_delay_s .. transmit_time stay zero): for the server, which answers
 * from the raw header fields. */
enum ntp_packet_error ntp_packet_parse_raw(const uint8_t *data, size_t len,
                                           struct ntp_packet_info *info);
/* A short stable name for an error, for debug logs and counters. */
const char *ntp_packet_error_name(enum ntp_packet_error err);

/* Header only, from the first 48 bytes (len must be at least 48). */
bool ntp_packet_read_header(const uint8_t *data, size_t len, struct ntp_packet_header *hdr);

/* Building. Each function appends to buf (capacity cap) at *len and returns
 * false, leaving buf and *len unchanged, if it does not fit or is invalid. */
bool ntp_packet_write_header(const struct ntp_packet_header *hdr,
                             uint8_t *buf, size_t cap, size_t *len);
/* Appends a field with the body zero-padded to a multiple of 4 and to at least
 * min_length bytes in all (use NTP_MIN_EF_LENGTH, or NTP_MIN_LAST_EF_LENGTH
 * for a last field not followed by a MAC). */
bool ntp_packet_add_ef(uint8_t *buf, size_t cap, size_t *len, uint16_t type,
                       const void *body, size_t body_len, size_t min_length);
/* Appends key ID and digest (16..64 bytes). */
bool ntp_packet_add_mac(uint8_t *buf, size_t cap, size_t *len, uint32_t key_id,
                        const uint8_t *digest, size_t digest_len);
/* Rewrites the transmit timestamp of a packet of at least 48 bytes. */
void ntp_packet_set_transmit(uint8_t *buf, ntptime_ts64 ts);

#endif
