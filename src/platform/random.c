/* random: getrandom() with a /dev/urandom fallback. See random.h. */
#include "platform/random.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/log.h"

/* Bits of a double's mantissa: random_unit() uses this many random bits. */
#define DOUBLE_MANTISSA_BITS 53

static int read_urandom(unsigned char *p, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while (len > 0) {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return -1;
        }
        p += r;
        len -= (size_t)r;
    }
    close(fd);
    return 0;
}

bool random_try_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t r = getrandom(p, len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            /* ENOSYS: no getrandom(); anything else is just as final. */
            return read_urandom(p, len) == 0;
        p += r;
        len -= (size_t)r;
    }
    return true;
}

void random_bytes(void *buf, size_t len)
{
    if (!random_try_bytes(buf, len))
        LOG_FATAL("Could not get random bytes : %s", strerror(errno));
}

uint64_t random_u64(void)
{
    uint64_t v;
    random_bytes(&v, sizeof v);
    return v;
}

double random_unit(void)
{
    return (double)(random_u64() >> (64 - DOUBLE_MANTISSA_BITS)) /
           (double)(UINT64_C(1) << DOUBLE_MANTISSA_BITS);
}
