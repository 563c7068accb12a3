/* cliopts: chronyc's command-line options. The option letters, their meaning
 * and the usage layout follow chrony 4.x's chronyc, so scripts that call
 * chronyc with options keep working. */
#include "chronyc/cliopts.h"

#include "config.h"
#include "common/addr.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* '+': stop at the first command word, so "chronyc sources -v" passes -v on.
 * -a and -f FILE are accepted and ignored, as chrony does for old scripts
 * (chronyc reads no configuration file). */
#define SHORT_OPTIONS "+46acdef:h:mnNp:u:v"

/* -u with this name keeps the process as it is */
#define ROOT_USER_NAME "root"

#define FEATURE(flag) ((flag) ? "+" : "-")

const char *cliopts_default_hosts(void)
{
    return CW_DEFAULT_SOCKET ",127.0.0.1,::1";
}

const char *cliopts_default_user(void)
{
    return CW_DEFAULT_CHRONYC_USER;
}

const char *cliopts_user_to_switch_to(const struct cliopts *opts, bool running_as_root)
{
    /* chrony compares the name, not the UID the name maps to */
    if (!running_as_root || strcmp(opts->user, ROOT_USER_NAME) == 0)
        return NULL;
    return opts->user;
}

enum cliopts_action cliopts_parse(int argc, char **argv, struct cliopts *opts)
{
    *opts = (struct cliopts){
        .family = ADDR_UNSPEC,
        .hosts = NULL,
        .port = CLIOPTS_DEFAULT_PORT,
        .user = cliopts_default_user(),
    };

    /* Long options are looked for in every word, as chronyc does. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0)
            return CLIOPTS_HELP;
        if (strcmp(argv[i], "--version") == 0)
            return CLIOPTS_VERSION;
    }

    optind = 0;             /* glibc: 0 re-initialises getopt fully (tests parse twice) */
    int opt;
    while ((opt = getopt(argc, argv, SHORT_OPTIONS)) != -1) {
        switch (opt) {
        case '4':
            opts->family = ADDR_INET4;
            break;
        case '6':
            opts->family = ADDR_INET6;
            break;
        case 'a':
        case 'f':
            break;
        case 'c':
            opts->csv = true;
            break;
        case 'd':
            opts->debug = CW_DEBUG;
            break;
        case 'e':
            opts->end_dot = true;
            break;
        case 'h':
            opts->hosts = optarg;
            break;
        case 'm':
            opts->multi = true;
            break;
        case 'n':
            opts->no_dns = true;
            break;
        case 'N':
            opts->source_names = true;
            break;
        case 'p':
            opts->port = atoi(optarg);
            break;
        case 'u':
            opts->user = optarg;
            break;
        case 'v':
            return CLIOPTS_VERSION;
        default:
            return CLIOPTS_BAD;
        }
    }
    opts->first_command = optind;
    return CLIOPTS_RUN;
}

void cliopts_print_usage(FILE *out, const char *progname)
{
    fprintf(out,
            "Usage: %s [OPTION]... [COMMAND]...\n\n"
            "Options:\n"
            "  -4\t\tUse IPv4 addresses only\n"
            "  -6\t\tUse IPv6 addresses only\n"
            "  -n\t\tDon't resolve hostnames\n"
            "  -N\t\tPrint original source names\n"
            "  -c\t\tEnable CSV format\n"
            "  -e\t\tEnd responses with dot\n"
            "%s"
            "  -m\t\tAccept multiple commands\n"
            "  -h HOST\tSpecify server (%s)\n"
            "  -p PORT\tSpecify UDP port (%d)\n"
            "  -u USER\tSpecify user (%s)\n"
            "  -v, --version\tPrint version and exit\n"
            "      --help\tPrint usage and exit\n",
            progname, CW_DEBUG ? "  -d\t\tEnable debug messages\n" : "",
            cliopts_default_hosts(), CLIOPTS_DEFAULT_PORT, cliopts_default_user());
}

void cliopts_print_version(FILE *out)
{
    fprintf(out, "chronyc (clockwork) version %s (%sREADLINE %sSECHASH %sIPV6 %sDEBUG)\n",
            CW_VERSION, FEATURE(CW_HAVE_EDITLINE), FEATURE(CW_HAVE_NETTLE),
            FEATURE(CW_HAVE_IPV6), FEATURE(CW_DEBUG));
}
