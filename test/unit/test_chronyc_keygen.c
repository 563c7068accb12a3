/* Unit tests of chronyc's key generation: types, lengths, line format, randomness. */
#include "harness.h"
#include "config.h"
#include "chronyc/keygen.h"

TEST(key_lengths)
{
    CHECK_INT(keygen_key_length("MD5", 160), 20);
    CHECK_INT(keygen_key_length("MD5", 0), KEYGEN_MIN_BYTES);
    CHECK_INT(keygen_key_length("MD5", 80), 10);
    CHECK_INT(keygen_key_length("MD5", 81), 11);
    CHECK_INT(keygen_key_length("MD5", 4096), 512);
    CHECK_INT(keygen_key_length("MD5", 4097), KEYGEN_MAX_BYTES);
    CHECK_INT(keygen_key_length("MD5", 0xffffffffu), KEYGEN_MAX_BYTES);
    /* names are case-sensitive, unknown ones have no length */
    CHECK_INT(keygen_key_length("md5", 160), 0);
    CHECK_INT(keygen_key_length("CRC32", 160), 0);
    CHECK_INT(keygen_key_length("", 160), 0);
#if CW_HAVE_NETTLE
    CHECK_STR(keygen_default_type(), "SHA1");
    static const char *const hashes[] = { "SHA1", "SHA256", "SHA384", "SHA512",
                                          "SHA3-224", "SHA3-256", "SHA3-384", "SHA3-512" };
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
        CHECK_INT(keygen_key_length(hashes[i], 256), 32);
    CHECK_INT(keygen_key_length("AES128", 8), 16);
    CHECK_INT(keygen_key_length("AES128", 4000), 16);
    CHECK_INT(keygen_key_length("AES256", 160), 32);
    /* chrony 4.3 with nettle has neither */
    CHECK_INT(keygen_key_length("TIGER", 160), 0);
    CHECK_INT(keygen_key_length("WHIRLPOOL", 160), 0);
#else
    CHECK_STR(keygen_default_type(), "MD5");
    CHECK_INT(keygen_key_length("SHA1", 160), 0);
#endif
}

TEST(line_format)
{
    const uint8_t key[] = { 0x00, 0x01, 0xab, 0xff, 0x7e };
    char buf[64];
    CHECK(keygen_format(1, "SHA1", key, sizeof key, buf, sizeof buf));
    CHECK_STR(buf, "1 SHA1 HEX:0001ABFF7E");
    CHECK(keygen_format(4294967295u, "MD5", key, 1, buf, sizeof buf));
    CHECK_STR(buf, "4294967295 MD5 HEX:00");
    /* exactly enough room, and one byte too little */
    CHECK(keygen_format(1, "MD5", key, 2, buf, strlen("1 MD5 HEX:0001") + 1));
    CHECK(!keygen_format(1, "MD5", key, 2, buf, strlen("1 MD5 HEX:0001")));
    CHECK(!keygen_format(1, "MD5", key, 2, buf, 4));
}

TEST(random_bytes)
{
    uint8_t a[KEYGEN_MAX_BYTES], b[KEYGEN_MAX_BYTES];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK(keygen_random(a, sizeof a));
    CHECK(keygen_random(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0);
    /* 512 random bytes: every byte value class shows up, not a constant fill */
    int zeros = 0;
    for (size_t i = 0; i < sizeof a; i++)
        zeros += a[i] == 0;
    CHECK(zeros < 32);
}

TEST_LIST {
    T(key_lengths),
    T(line_format),
    T(random_bytes),
};
TEST_MAIN
