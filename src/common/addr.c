/* addr: address values and their text forms. */
#include "common/addr.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/md5.h"
#include "common/mem.h"

bool addr_parse(const char *text, addr_ip *out)
{
    struct in_addr a4;
    struct in6_addr a6;
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, &a4) == 1) {
        out->family = ADDR_INET4;
        out->a.in4 = ntohl(a4.s_addr);
        return true;
    }
    if (inet_pton(AF_INET6, text, &a6) == 1) {
        out->family = ADDR_INET6;
        memcpy(out->a.in6, a6.s6_addr, 16);
        return true;
    }
    return false;
}

const char *addr_format(const addr_ip *ip, char *buf, size_t len)
{
    if (ip->family == ADDR_INET4) {
        struct in_addr a4 = { htonl(ip->a.in4) };
        if (!inet_ntop(AF_INET, &a4, buf, len))
            buf[0] = '\0';
    } else if (ip->family == ADDR_INET6) {
        struct in6_addr a6;
        memcpy(a6.s6_addr, ip->a.in6, 16);
        if (!inet_ntop(AF_INET6, &a6, buf, len))
            buf[0] = '\0';
    } else if (ip->family == ADDR_ID) {
        snprintf(buf, len, "ID#%010u", (unsigned)ip->a.id);
    } else {
        snprintf(buf, len, "[UNSPEC]");
    }
    return buf;
}

int addr_compare(const addr_ip *a, const addr_ip *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    switch (a->family) {
    case ADDR_INET4:
        return a->a.in4 < b->a.in4 ? -1 : a->a.in4 > b->a.in4;
    case ADDR_INET6:
        return memcmp(a->a.in6, b->a.in6, 16);
    case ADDR_ID:
        return a->a.id < b->a.id ? -1 : a->a.id > b->a.id;
    default:
        return 0;
    }
}

bool addr_equal(const addr_ip *a, const addr_ip *b) { return addr_compare(a, b) == 0; }

bool addr_is_unspec(const addr_ip *ip) { return ip->family == ADDR_UNSPEC; }

bool addr_is_loopback(const addr_ip *ip)
{
    static const uint8_t lo6[16] = { [15] = 1 };
    if (ip->family == ADDR_INET4)
        return (ip->a.in4 >> 24) == 127;
    if (ip->family == ADDR_INET6)
        return memcmp(ip->a.in6, lo6, 16) == 0;
    return false;
}

void addr_mask(addr_ip *ip, int bits)
{
    if (bits < 0)
        bits = 0;
    if (ip->family == ADDR_INET4) {
        if (bits < 32)
            ip->a.in4 &= bits ? ~(uint32_t)0 << (32 - bits) : 0;
    } else if (ip->family == ADDR_INET6) {
        for (int i = 0; i < 16; i++) {
            int keep = bits - 8 * i;
            if (keep >= 8)
                continue;
            ip->a.in6[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
        }
    }
}

bool addr_in_subnet(const addr_ip *ip, const addr_subnet *subnet)
{
    if (subnet->ip.family == ADDR_UNSPEC)
        return true;
    if (ip->family != subnet->ip.family)
        return false;
    addr_ip masked = *ip, net = subnet->ip;
    addr_mask(&masked, subnet->bits);
    addr_mask(&net, subnet->bits);
    return addr_equal(&masked, &net);
}

uint32_t addr_refid(const addr_ip *ip)
{
    if (ip->family == ADDR_INET4)
        return ip->a.in4;
    if (ip->family == ADDR_INET6) {
        uint8_t digest[16];
        md5_compute(ip->a.in6, 16, digest);
        return (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 |
               (uint32_t)digest[2] << 8 | digest[3];
    }
    return 0;
}

size_t addr_to_sockaddr(const addr_sock *in, struct sockaddr *out, size_t out_len)
{
    if (in->ip.family == ADDR_INET4 && out_len >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)out;
        memset(s4, 0, sizeof *s4);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(in->port);
        s4->sin_addr.s_addr = htonl(in->ip.a.in4);
        return sizeof *s4;
    }
    if (in->ip.family == ADDR_INET6 && out_len >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
        memset(s6, 0, sizeof *s6);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(in->port);
        memcpy(s6->sin6_addr.s6_addr, in->ip.a.in6, 16);
        return sizeof *s6;
    }
    return 0;
}

bool addr_from_sockaddr(const struct sockaddr *in, size_t in_len, addr_sock *out)
{
    memset(out, 0, sizeof *out);
    if (in->sa_family == AF_INET && in_len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)in;
        out->ip.family = ADDR_INET4;
        out->ip.a.in4 = ntohl(s4->sin_addr.s_addr);
        out->port = ntohs(s4->sin_port);
        return true;
    }
    if (in->sa_family == AF_INET6 && in_len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)in;
        static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
        out->port = ntohs(s6->sin6_port);
        if (memcmp(s6->sin6_addr.s6_addr, mapped, 12) == 0) {
            /* IPv4-mapped: treat as the IPv4 address it carries */
            const uint8_t *b = s6->sin6_addr.s6_addr + 12;
            out->ip.family = ADDR_INET4;
            out->ip.a.in4 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        } else {
            out->ip.family = ADDR_INET6;
            memcpy(out->ip.a.in6, s6->sin6_addr.s6_addr, 16);
        }
        return true;
    }
    return false;
}

/* Bits per number in shortened IPv4 network notation ("192.168" = /16). */
#define SHORT_NET_BITS_PER_PART 8
#define IPV4_BITS 32
#define IPV6_BITS 128
#define IPV4_PART_MAX 255

enum addr_subnet_status addr_parse_subnet(const char *text, addr_subnet *out)
{
    char *net = mem_strdup(text);
    char *slash;
    int bits = -1, len = 0;
    enum addr_subnet_status status = ADDR_SUBNET_INVALID;

    memset(out, 0, sizeof *out);
    slash = strchr(net, '/');
    if (slash) {
        /* The prefix length must be a whole non-negative decimal number. */
        if (sscanf(slash + 1, "%d%n", &bits, &len) != 1 || slash[len + 1] || bits < 0)
            goto done;
        *slash = '\0';
    }

    if (addr_parse(net, &out->ip)) {
        out->bits = bits >= 0 ? bits : out->ip.family == ADDR_INET6 ? IPV6_BITS : IPV4_BITS;
        status = ADDR_SUBNET_OK;
        goto done;
    }

    /* Shortened IPv4 network: 1-3 decimal numbers. Read with scanf as chrony
     * does, so the same texts are accepted. */
    uint32_t part[3] = { 0, 0, 0 };
    int n = sscanf(net, "%" SCNu32 "%n.%" SCNu32 "%n.%" SCNu32 "%n",
                   &part[0], &len, &part[1], &len, &part[2], &len);
    if (n > 0 && !net[len]) {
        if (part[0] > IPV4_PART_MAX || part[1] > IPV4_PART_MAX || part[2] > IPV4_PART_MAX)
            goto done;
        out->ip.family = ADDR_INET4;
        out->ip.a.in4 = part[0] << 24 | part[1] << 16 | part[2] << 8;
        out->bits = bits >= 0 ? bits : n * SHORT_NET_BITS_PER_PART;
        status = ADDR_SUBNET_OK;
        goto done;
    }

    /* Only a bare word can be a host name; "name/bits" is not accepted. */
    if (bits < 0)
        status = ADDR_SUBNET_NOT_NUMERIC;
done:
    mem_free(net);
    return status;
}
