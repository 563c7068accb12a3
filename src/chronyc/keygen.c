/* keygen: key types, key lengths and the key file line format for the keygen
 * command. The list of types follows what chrony 4.x accepts in its key file
 * (names are case-sensitive there, so they are here). */
#include "chronyc/keygen.h"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "platform/random.h"

struct key_type {
    const char *name;
    size_t cmac_key_bytes;      /* 0 for a hash function */
};

/* Without nettle only MD5 exists (the built-in implementation). */
static const struct key_type key_types[] = {
    { "MD5", 0 },
#if CW_HAVE_NETTLE
    { "SHA1", 0 },
    { "SHA256", 0 },
    { "SHA384", 0 },
    { "SHA512", 0 },
    { "SHA3-224", 0 },
    { "SHA3-256", 0 },
    { "SHA3-384", 0 },
    { "SHA3-512", 0 },
    { "AES128", 16 },
    { "AES256", 32 },
#endif
};

#define N_KEY_TYPES (sizeof key_types / sizeof key_types[0])
#define BITS_PER_BYTE 8u

const char *keygen_default_type(void)
{
    return CW_HAVE_NETTLE ? "SHA1" : "MD5";
}

size_t keygen_key_length(const char *type, unsigned int bits)
{
    for (size_t i = 0; i < N_KEY_TYPES; i++) {
        if (strcmp(key_types[i].name, type) != 0)
            continue;
        /* 64-bit arithmetic: bits near UINT_MAX must not wrap to a short key */
        uint64_t len = key_types[i].cmac_key_bytes ? key_types[i].cmac_key_bytes
                       : ((uint64_t)bits + BITS_PER_BYTE - 1) / BITS_PER_BYTE;
        if (len < KEYGEN_MIN_BYTES)
            len = KEYGEN_MIN_BYTES;
        if (len > KEYGEN_MAX_BYTES)
            len = KEYGEN_MAX_BYTES;
        return (size_t)len;
    }
    return 0;
}

bool keygen_format(unsigned int id, const char *type, const uint8_t *key, size_t len,
                   char *buf, size_t buf_len)
{
    static const char hex[] = "0123456789ABCDEF";
    int n = snprintf(buf, buf_len, "%u %s HEX:", id, type);
    if (n < 0 || (size_t)n >= buf_len || buf_len - (size_t)n <= 2 * len)
        return false;
    char *p = buf + n;
    for (size_t i = 0; i < len; i++) {
        *p++ = hex[key[i] >> 4];
        *p++ = hex[key[i] & 0xf];
    }
    *p = '\0';
    return true;
}

bool keygen_random(uint8_t *buf, size_t len)
{
    return random_try_bytes(buf, len);
}
