/* md5: the MD5 digest, needed for IPv6 reference IDs and MD5 symmetric keys.
 * Uses nettle when configured with it; otherwise a small built-in version. */
#ifndef CW_MD5_H
#define CW_MD5_H
#include <stddef.h>
#include <stdint.h>

void md5_compute(const void *data, size_t len, uint8_t out[16]);

#endif
