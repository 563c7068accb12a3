/* conf_resolve: config-time name lookup through the platform's blocking
 * resolver. */
#include "chronyd/conf_resolve.h"

#include "platform/resolver.h"

bool conf_resolve_name(const char *name, addr_ip *out)
{
    if (addr_parse(name, out))
        return true;
    /* Only families this host has addresses for, as chrony asks; a link-
     * local address serves an access rule even without its scope. */
    return resolver_lookup_blocking(name, ADDR_UNSPEC, RESOLVER_ADDRCONFIG | RESOLVER_SCOPED,
                                    out, 1) == 1;
}
