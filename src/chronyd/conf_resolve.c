/* conf_resolve: blocking config-time name lookup. */
#include "chronyd/conf_resolve.h"

#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

bool conf_resolve_name(const char *name, addr_ip *out)
{
    struct addrinfo hints, *res = NULL;
    bool found = false;

    if (addr_parse(name, out))
        return true;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    /* Only families this host has addresses for, as chrony asks. */
    hints.ai_flags = AI_ADDRCONFIG;
    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return false;
    for (struct addrinfo *ai = res; ai && !found; ai = ai->ai_next) {
        addr_sock sa;
        if (addr_from_sockaddr(ai->ai_addr, ai->ai_addrlen, &sa)) {
            *out = sa.ip;
            found = true;
        }
    }
    freeaddrinfo(res);
    return found;
}
