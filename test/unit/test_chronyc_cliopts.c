/* Unit tests of chronyc's command-line parsing, usage and version text. */
#include "harness.h"
#include "config.h"
#include "chronyc/cliopts.h"
#include "common/addr.h"

#include <stdlib.h>

/* Parses a space-separated command line (argv[0] included). */
static enum cliopts_action parse(const char *cmdline, struct cliopts *opts, int *argc_out)
{
    static char buf[512];
    static char *argv[32];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", cmdline);
    for (char *w = strtok(buf, " "); w && argc < 31; w = strtok(NULL, " "))
        argv[argc++] = w;
    argv[argc] = NULL;
    if (argc_out)
        *argc_out = argc;
    return cliopts_parse(argc, argv, opts);
}

TEST(defaults)
{
    struct cliopts o;
    int argc;
    CHECK_INT(parse("chronyc", &o, &argc), CLIOPTS_RUN);
    CHECK_INT(o.first_command, argc);
    CHECK_INT(o.family, ADDR_UNSPEC);
    CHECK_INT(o.port, 323);
    CHECK(o.hosts == NULL);
    CHECK(!o.csv && !o.no_dns && !o.source_names && !o.end_dot && !o.multi);
    CHECK_STR(cliopts_default_hosts(), CW_DEFAULT_SOCKET ",127.0.0.1,::1");
    CHECK_STR(o.user, CW_DEFAULT_CHRONYC_USER);
    CHECK_STR(cliopts_default_user(), CW_DEFAULT_CHRONYC_USER);
}

TEST(user_option)
{
    struct cliopts o;
    CHECK_INT(parse("chronyc -u nobody -n tracking", &o, NULL), CLIOPTS_RUN);
    CHECK_STR(o.user, "nobody");
    CHECK(o.no_dns);
    CHECK_INT(o.first_command, 4);
    /* grouped with other letters, the argument attached */
    CHECK_INT(parse("chronyc -nu_chrony sources", &o, NULL), CLIOPTS_RUN);
    CHECK_STR(o.user, "_chrony");
    CHECK_INT(o.first_command, 2);
    /* the last -u wins */
    CHECK_INT(parse("chronyc -u a -u b", &o, NULL), CLIOPTS_RUN);
    CHECK_STR(o.user, "b");
    /* after the command it is the command's */
    CHECK_INT(parse("chronyc tracking -u nobody", &o, NULL), CLIOPTS_RUN);
    CHECK_STR(o.user, CW_DEFAULT_CHRONYC_USER);
    CHECK_INT(o.first_command, 1);
    /* -u needs its argument */
    CHECK_INT(parse("chronyc -u", &o, NULL), CLIOPTS_BAD);
}

TEST(user_to_switch_to)
{
    struct cliopts o;
    /* root switches to any user other than one named root */
    parse("chronyc -u nobody", &o, NULL);
    CHECK_STR(cliopts_user_to_switch_to(&o, true), "nobody");
    /* an unknown name too: the switch reports it */
    parse("chronyc -u no-such-user", &o, NULL);
    CHECK_STR(cliopts_user_to_switch_to(&o, true), "no-such-user");
    parse("chronyc -u root", &o, NULL);
    CHECK(cliopts_user_to_switch_to(&o, true) == NULL);
    /* the name is compared, not the UID it stands for */
    parse("chronyc -u toor", &o, NULL);
    CHECK_STR(cliopts_user_to_switch_to(&o, true), "toor");
    /* a process that is not root keeps its user, whatever -u says */
    parse("chronyc -u nobody", &o, NULL);
    CHECK(cliopts_user_to_switch_to(&o, false) == NULL);
    parse("chronyc -u no-such-user", &o, NULL);
    CHECK(cliopts_user_to_switch_to(&o, false) == NULL);
    /* without -u: the build's default user */
    parse("chronyc", &o, NULL);
    if (strcmp(CW_DEFAULT_CHRONYC_USER, "root") == 0)
        CHECK(cliopts_user_to_switch_to(&o, true) == NULL);
    else
        CHECK_STR(cliopts_user_to_switch_to(&o, true), CW_DEFAULT_CHRONYC_USER);
}

TEST(short_options)
{
    struct cliopts o;
    CHECK_INT(parse("chronyc -4 -c -n -N -e -m -h 127.0.0.1,::1 -p 10323 tracking", &o, NULL),
              CLIOPTS_RUN);
    CHECK_INT(o.family, ADDR_INET4);
    CHECK(o.csv && o.no_dns && o.source_names && o.end_dot && o.multi);
    CHECK_STR(o.hosts, "127.0.0.1,::1");
    CHECK_INT(o.port, 10323);
    CHECK_INT(o.first_command, 11);
    /* grouped letters, the last of -4/-6 wins */
    CHECK_INT(parse("chronyc -46cn sources", &o, NULL), CLIOPTS_RUN);
    CHECK_INT(o.family, ADDR_INET6);
    CHECK(o.csv && o.no_dns);
    CHECK_INT(o.first_command, 2);
    /* -a and -f FILE are accepted for compatibility and change nothing */
    CHECK_INT(parse("chronyc -a -f /etc/chrony/chrony.conf keygen", &o, NULL), CLIOPTS_RUN);
    CHECK_INT(o.first_command, 4);
    /* -d is accepted by every build; it only has an effect in a debug build */
    CHECK_INT(parse("chronyc -d keygen", &o, NULL), CLIOPTS_RUN);
    CHECK_INT(o.debug, CW_DEBUG);
}

TEST(options_stop_at_the_command)
{
    struct cliopts o;
    /* "-v" after the command belongs to the command */
    CHECK_INT(parse("chronyc sources -v", &o, NULL), CLIOPTS_RUN);
    CHECK_INT(o.first_command, 1);
    CHECK_INT(parse("chronyc -n sources -a -v", &o, NULL), CLIOPTS_RUN);
    CHECK_INT(o.first_command, 2);
}

TEST(help_version_and_errors)
{
    struct cliopts o;
    CHECK_INT(parse("chronyc --help", &o, NULL), CLIOPTS_HELP);
    CHECK_INT(parse("chronyc tracking --help", &o, NULL), CLIOPTS_HELP);
    CHECK_INT(parse("chronyc --version", &o, NULL), CLIOPTS_VERSION);
    CHECK_INT(parse("chronyc -v", &o, NULL), CLIOPTS_VERSION);
    CHECK_INT(parse("chronyc -n -v tracking", &o, NULL), CLIOPTS_VERSION);
    /* getopt names the bad option on stderr; the caller prints the usage */
    CHECK_INT(parse("chronyc -Z", &o, NULL), CLIOPTS_BAD);
    CHECK_INT(parse("chronyc -U", &o, NULL), CLIOPTS_BAD);
    CHECK_INT(parse("chronyc -h", &o, NULL), CLIOPTS_BAD);
    CHECK_INT(parse("chronyc -p", &o, NULL), CLIOPTS_BAD);
    /* parsing again after an error starts afresh */
    CHECK_INT(parse("chronyc -c", &o, NULL), CLIOPTS_RUN);
    CHECK(o.csv);
}

TEST(usage_and_version_text)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cliopts_print_usage(f, "chronyc");
    fclose(f);
    CHECK(strncmp(text, "Usage: chronyc [OPTION]... [COMMAND]...\n\nOptions:\n", 50) == 0);
    CHECK(strstr(text, "  -h HOST\tSpecify server (" CW_DEFAULT_SOCKET ",127.0.0.1,::1)\n"));
    CHECK(strstr(text, "  -p PORT\tSpecify UDP port (323)\n"));
    CHECK(strstr(text, "  -p PORT\tSpecify UDP port (323)\n"
                       "  -u USER\tSpecify user (" CW_DEFAULT_CHRONYC_USER ")\n"
                       "  -v, --version\tPrint version and exit\n"));
    CHECK(strstr(text, "  -v, --version\tPrint version and exit\n"));
    free(text);

    text = NULL;
    f = open_memstream(&text, &len);
    cliopts_print_version(f);
    fclose(f);
    char want[128];
    snprintf(want, sizeof want, "chronyc (clockwork) version %s (%sREADLINE %sSECHASH %sIPV6 %sDEBUG)\n",
             CW_VERSION, CW_HAVE_EDITLINE ? "+" : "-", CW_HAVE_NETTLE ? "+" : "-",
             CW_HAVE_IPV6 ? "+" : "-", CW_DEBUG ? "+" : "-");
    CHECK_STR(text, want);
    free(text);
}

TEST_LIST {
    T(defaults),
    T(user_option),
    T(user_to_switch_to),
    T(short_options),
    T(options_stop_at_the_command),
    T(help_version_and_errors),
    T(usage_and_version_text),
};
TEST_MAIN
