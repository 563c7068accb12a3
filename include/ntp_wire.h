/* ntp_wire: the NTP packet as it travels on the wire (RFC 5905 header,
 * RFC 7822 extension fields, symmetric-key MAC) and the protocol constants
 * chronyd and chronyc share. Multi-byte fields are big-endian (network byte
 * order); read and write them through byte offsets, never by casting a
 * receive buffer to a struct. */
#ifndef CW_NTP_WIRE_H
#define CW_NTP_WIRE_H

#include <stdint.h>

#define NTP_PORT 123
#define NTP_VERSION 4                  /* the version we speak */
#define NTP_MIN_COMPAT_VERSION 1       /* oldest version we parse and answer */
#define NTP_MAX_COMPAT_VERSION 4

/* Header layout: byte offsets of the fields (all big-endian). */
#define NTP_HEADER_LENGTH 48
#define NTP_OFF_LVM 0                  /* leap (2 bits), version (3), mode (3) */
#define NTP_OFF_STRATUM 1
#define NTP_OFF_POLL 2                 /* int8, log2 seconds */
#define NTP_OFF_PRECISION 3            /* int8, log2 seconds */
#define NTP_OFF_ROOT_DELAY 4           /* 16.16 short format */
#define NTP_OFF_ROOT_DISPERSION 8      /* 16.16 short format */
#define NTP_OFF_REFID 12
#define NTP_OFF_REFERENCE_TS 16        /* 32.32 timestamps */
#define NTP_OFF_ORIGINATE_TS 24
#define NTP_OFF_RECEIVE_TS 32
#define NTP_OFF_TRANSMIT_TS 40

/* The same header as a struct of naturally aligned fields, with no padding
 * (48 bytes); the 32-bit fields hold network byte order. Only for code that
 * memcpy()s a whole header; parsing goes through the offsets above. */
struct ntp_wire_header {
    uint8_t lvm;
    uint8_t stratum;
    int8_t poll;
    int8_t precision;
    uint32_t root_delay;
    uint32_t root_dispersion;
    uint32_t refid;
    uint32_t reference_ts[2];
    uint32_t originate_ts[2];
    uint32_t receive_ts[2];
    uint32_t transmit_ts[2];
};

/* The leap/version/mode byte. */
#define NTP_LVM(leap, version, mode) \
    ((uint8_t)((((leap) & 0x3) << 6) | (((version) & 0x7) << 3) | ((mode) & 0x7)))
#define NTP_LVM_LEAP(lvm) (((lvm) >> 6) & 0x3)
#define NTP_LVM_VERSION(lvm) (((lvm) >> 3) & 0x7)
#define NTP_LVM_MODE(lvm) ((lvm) & 0x7)

enum ntp_leap {
    NTP_LEAP_NORMAL = 0,
    NTP_LEAP_INSERT = 1,               /* last minute of the day has 61 s */
    NTP_LEAP_DELETE = 2,               /* last minute of the day has 59 s */
    NTP_LEAP_UNSYNC = 3,               /* alarm: clock not synchronised */
};

enum ntp_mode {
    NTP_MODE_RESERVED = 0,             /* NTPv1 clients put 0 here */
    NTP_MODE_ACTIVE = 1,               /* symmetric active */
    NTP_MODE_PASSIVE = 2,              /* symmetric passive */
    NTP_MODE_CLIENT = 3,
    NTP_MODE_SERVER = 4,
    NTP_MODE_BROADCAST = 5,
    NTP_MODE_CONTROL = 6,              /* ntpq; not supported */
    NTP_MODE_PRIVATE = 7,              /* ntpdc; not supported */
};

#define NTP_INVALID_STRATUM 0          /* unspecified, or a Kiss-o'-Death packet */
#define NTP_MAX_STRATUM 16             /* "infinity": unsynchronised */

/* Poll and precision bounds (log2 seconds) as chrony accepts them. */
#define NTP_MIN_POLL (-6)
#define NTP_MAX_POLL 24

/* Reference IDs with a meaning of their own (host byte order). */
#define NTP_REFID_UNSYNC 0x00000000U
#define NTP_REFID_LOCAL 0x7f7f0101U    /* 127.127.1.1: the local directive */
#define NTP_REFID_SMOOTH 0x7f7f01ffU   /* 127.127.1.255: time smoothing active */

/* Kiss-o'-Death codes: ASCII in the refid of a stratum 0 packet. */
#define NTP_KOD_CODE(a, b, c, d) \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define NTP_KOD_RATE NTP_KOD_CODE('R', 'A', 'T', 'E')   /* reduce your rate */
#define NTP_KOD_DENY NTP_KOD_CODE('D', 'E', 'N', 'Y')   /* access denied */
#define NTP_KOD_RSTR NTP_KOD_CODE('R', 'S', 'T', 'R')   /* access restricted */
#define NTP_KOD_NTSN NTP_KOD_CODE('N', 'T', 'S', 'N')   /* NTS NAK (RFC 8915) */

/* Extension fields (RFC 7822): type (u16), length (u16, whole field in bytes,
 * a multiple of 4, at least 16), body padded to the length. */
#define NTP_EF_HEADER_LENGTH 4
#define NTP_MIN_EF_LENGTH 16
/* Without a MAC after it, the last field must be longer than the longest
 * NTPv4 MAC so that it cannot be mistaken for one. */
#define NTP_MIN_LAST_EF_LENGTH 28
/* Room assumed for all extension fields of a packet (RFC 5905 sets none). */
#define NTP_MAX_EXTENSIONS_LENGTH 1024

/* Extension field types. */
#define NTP_EF_NTS_UNIQUE_IDENTIFIER 0x0104
#define NTP_EF_NTS_COOKIE 0x0204
#define NTP_EF_NTS_COOKIE_PLACEHOLDER 0x0304
#define NTP_EF_NTS_AUTH_AND_EEF 0x0404
#define NTP_EF_EXP_MONO_ROOT 0xf323    /* chrony's experimental monotonic/root field */

/* Symmetric-key MAC: key ID (u32) then the digest. */
#define NTP_MAC_KEY_ID_LENGTH 4
#define NTP_MIN_MAC_DIGEST_LENGTH 16
#define NTP_MAX_HASH_LENGTH 64         /* longest digest we produce (SHA-512) */
#define NTP_MIN_MAC_LENGTH (NTP_MAC_KEY_ID_LENGTH + NTP_MIN_MAC_DIGEST_LENGTH)
#define NTP_MAX_MAC_LENGTH (NTP_MAC_KEY_ID_LENGTH + NTP_MAX_HASH_LENGTH)
/* In NTPv4 a MAC longer than this could not be told from an extension field
 * (RFC 7822), so longer digests are truncated to 20 bytes in NTPv4. */
#define NTP_MAX_V4_MAC_LENGTH (NTP_MAC_KEY_ID_LENGTH + 20)
/* A crypto-NAK is a bare zero key ID. */
#define NTP_CRYPTO_NAK_LENGTH NTP_MAC_KEY_ID_LENGTH
/* MS-SNTP authenticators (NTPv3, digest all zero in requests). */
#define NTP_MSSNTP_LENGTH 20
#define NTP_MSSNTP_EXT_LENGTH 72

/* Longest packet we accept or build. */
#define NTP_MAX_PACKET_LENGTH \
    (NTP_HEADER_LENGTH + NTP_MAX_EXTENSIONS_LENGTH + NTP_MAX_MAC_LENGTH)

#endif
