/* cliopts: chronyc's command line (options of chrony 4.x's chronyc, -u of
 * 4.8's), the decision which user to become, its usage text and its version
 * line. */
#ifndef CW_CHRONYC_CLIOPTS_H
#define CW_CHRONYC_CLIOPTS_H

#include <stdbool.h>
#include <stdio.h>

#define CLIOPTS_DEFAULT_PORT 323    /* UDP port of chronyd's command server */

struct cliopts {
    int family;             /* -4 / -6: enum addr_family, ADDR_UNSPEC = both */
    bool no_dns;            /* -n: print addresses, do not resolve them to names */
    bool source_names;      /* -N: print sources by their configured names */
    bool csv;               /* -c */
    bool end_dot;           /* -e: print a line "." after each command's output */
    bool debug;             /* -d: debug messages (only in a debug build) */
    bool multi;             /* -m: each argument is a separate command */
    const char *hosts;      /* -h: comma-separated hosts and socket paths */
    int port;               /* -p */
    const char *user;       /* -u: who to run as when started as root */
    int first_command;      /* argv index of the first command word (argc: none) */
};

enum cliopts_action {
    CLIOPTS_RUN,            /* go on: run commands */
    CLIOPTS_HELP,           /* --help: print the usage, exit 0 */
    CLIOPTS_VERSION,        /* -v, --version: print the version, exit 0 */
    CLIOPTS_BAD,            /* unknown option or missing argument: usage, exit 1 */
};

/* The servers tried when -h is not given, in this order. */
const char *cliopts_default_hosts(void);

/* The user chronyc switches to when -u is not given (configure's
 * --with-chronyc-user, root unless the build chose another). */
const char *cliopts_default_user(void);

/* The user to become before doing anything else, or NULL to stay as we are.
 * As chrony 4.8's chronyc: only a process started as root (effective UID 0)
 * switches, and a user named "root" means no switch; any other name,
 * unknown ones included, must then be switched to. */
const char *cliopts_user_to_switch_to(const struct cliopts *opts, bool running_as_root);

/* Parses argv as chronyc does: --help and --version anywhere win; short
 * options stop at the first word that is not an option. getopt reports a
 * bad option on stderr itself. */
enum cliopts_action cliopts_parse(int argc, char **argv, struct cliopts *opts);

void cliopts_print_usage(FILE *out, const char *progname);
/* "chronyc (clockwork) version X (+READLINE +SECHASH +IPV6 -DEBUG)" */
void cliopts_print_version(FILE *out);

#endif
