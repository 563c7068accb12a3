/* keygen: chronyc's keygen command. Knows which key types the key file accepts
 * (hash functions, and AES ciphers for CMAC), how long a generated key of each
 * type is, and prints it as a key file line: "ID TYPE HEX:XXXX...". */
#ifndef CW_CHRONYC_KEYGEN_H
#define CW_CHRONYC_KEYGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYGEN_DEFAULT_ID 1u
#define KEYGEN_DEFAULT_BITS 160u    /* the size of a SHA1 digest */
#define KEYGEN_MIN_BYTES 10u        /* shorter keys are too easy to guess */
#define KEYGEN_MAX_BYTES 512u       /* the longest key chronyd reads */

/* The type used when none is given: SHA1 with nettle, MD5 without. */
const char *keygen_default_type(void);

/* The length in bytes of a key of type (case-sensitive, as in the key file)
 * asked for with bits of strength: a hash key is bits rounded up to bytes,
 * a CMAC key has its cipher's key length; either is clamped to
 * [KEYGEN_MIN_BYTES, KEYGEN_MAX_BYTES]. 0 when the type is not supported. */
size_t keygen_key_length(const char *type, unsigned int bits);

/* Writes "ID TYPE HEX:..." (no newline) into buf; false if it does not fit. */
bool keygen_format(unsigned int id, const char *type, const uint8_t *key, size_t len,
                   char *buf, size_t buf_len);

/* Fills buf with bytes from the kernel's random generator; false on failure. */
bool keygen_random(uint8_t *buf, size_t len);

#endif
