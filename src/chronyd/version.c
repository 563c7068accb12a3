/* version: the version string and compiled-in feature list. The features are
 * derived from config.h; those whose code does not exist yet are marked '-'
 * so that scripts probing for them (e.g. NTS) are not misled. */
#include "chronyd/version.h"

#include "config.h"

/* Features not implemented yet; flip to 1 as the code arrives. */
#define HAVE_REFCLOCK 0
#define HAVE_RTC 0
#define HAVE_SIGND 0
#define HAVE_NTS 0

const char *version_number(void)
{
    return CW_VERSION;
}

const char *version_features(void)
{
    /* Chosen at compile time: one string literal pasted from the pieces. */
    static const char features[] =
        "+CMDMON"
        " +NTP"
#if HAVE_REFCLOCK
        " +REFCLOCK"
#else
        " -REFCLOCK"
#endif
#if HAVE_RTC
        " +RTC"
#else
        " -RTC"
#endif
#if CW_HAVE_LIBCAP
        " +PRIVDROP"
#else
        " -PRIVDROP"
#endif
#if CW_HAVE_SECCOMP
        " +SCFILTER"
#else
        " -SCFILTER"
#endif
#if HAVE_SIGND
        " +SIGND"
#else
        " -SIGND"
#endif
        " +ASYNCDNS"
#if HAVE_NTS
        " +NTS"
#else
        " -NTS"
#endif
#if CW_HAVE_NETTLE
        " +SECHASH"
#else
        " -SECHASH"
#endif
#if CW_HAVE_IPV6
        " +IPV6"
#else
        " -IPV6"
#endif
#if CW_DEBUG
        " +DEBUG"
#else
        " -DEBUG"
#endif
        ;
    return features;
}
