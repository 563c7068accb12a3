/* names: chronyc's reading and printing of addresses, names and reference
 * IDs. */
#include "chronyc/names.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "platform/resolver.h"

#define REFID_CHARS 4

int names_resolve(const char *name, int family, addr_ip *out, int max)
{
    /* a numeric address is taken as it is, if it is of the wanted family */
    return resolver_lookup_blocking(name, family, 0, out, max);
}

bool names_parse_id(const char *word, addr_ip *out)
{
    uint32_t id;
    if (sscanf(word, "ID#%" SCNu32, &id) != 1)
        return false;
    memset(out, 0, sizeof *out);
    out->family = ADDR_ID;
    out->a.id = id;
    return true;
}

bool names_parse_source(const char *word, int family, addr_ip *out)
{
    return names_parse_id(word, out) || names_resolve(word, family, out, 1) == 1;
}

const char *names_format_ip(const addr_ip *ip, char *buf, size_t len)
{
    switch (ip->family) {
    case ADDR_UNSPEC:
    case ADDR_INET4:
    case ADDR_INET6:
    case ADDR_ID:
        return addr_format(ip, buf, len);
    default:
        snprintf(buf, len, "[UNKNOWN]");
        return buf;
    }
}

void names_reverse(const addr_ip *ip, char *buf, size_t len)
{
    char host[NAMES_MAX_HOST];
    if ((ip->family == ADDR_INET4 || ip->family == ADDR_INET6) &&
        resolver_name_blocking(ip, host, sizeof host)) {
        snprintf(buf, len, "%s", host);
        return;
    }
    names_format_ip(ip, buf, len);
}

void names_refid_string(uint32_t ref_id, char *buf, size_t len)
{
    char text[REFID_CHARS + 1];
    size_t n = 0;
    for (int i = 0; i < REFID_CHARS; i++) {
        int c = (int)(ref_id >> (8 * (REFID_CHARS - 1 - i)) & 0xff);
        if (isprint(c))
            text[n++] = (char)c;
    }
    text[n] = '\0';
    snprintf(buf, len, "%s", text);
}

bool names_parse_refid(const char *word, uint32_t *ref_id)
{
    size_t n = 0;
    *ref_id = 0;
    for (; word[n] && !isspace((unsigned char)word[n]); n++) {
        if (n >= REFID_CHARS)
            return false;
        *ref_id |= (uint32_t)(unsigned char)word[n] << (8 * (REFID_CHARS - 1 - n));
    }
    return n > 0;
}
