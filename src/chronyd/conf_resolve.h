/* conf_resolve: the name lookup chronyd does while it reads its configuration
 * (host names in allow/deny/cmdallow/cmddeny and initstepslew). chrony
 * resolves these synchronously at start, before any event loop exists, so
 * this is platform/resolver's blocking lookup; numeric addresses never reach
 * DNS. */
#ifndef CW_CONF_RESOLVE_H
#define CW_CONF_RESOLVE_H

#include <stdbool.h>

#include "common/addr.h"

/* The first address of name (IPv4 or IPv6, as the system orders them). */
bool conf_resolve_name(const char *name, addr_ip *out);

#endif
