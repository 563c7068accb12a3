/* Unit tests of chronyc's command table, line runner, help and completion. */
#include "harness.h"
#include "config.h"
#include "chronyc/commands.h"
#include "chronyc/keygen.h"
#include "common/addr.h"

#include <ctype.h>
#include <stdlib.h>

/* A session whose output and errors land in memory. */
struct capture {
    struct commands_context ctx;
    char *out, *err;
    size_t out_len, err_len;
};

static void capture_open(struct capture *c)
{
    commands_init_context(&c->ctx);
    c->ctx.out = open_memstream(&c->out, &c->out_len);
    c->ctx.err = open_memstream(&c->err, &c->err_len);
}

static void capture_close(struct capture *c)
{
    fclose(c->ctx.out);
    fclose(c->ctx.err);
    free(c->out);
    free(c->err);
}

/* Runs text as one input line; the output so far is in c->out and c->err. */
static bool run(struct capture *c, const char *text)
{
    char line[COMMANDS_MAX_LINE];
    snprintf(line, sizeof line, "%s", text);
    bool ok = commands_run_line(&c->ctx, line);
    fflush(c->ctx.out);
    fflush(c->ctx.err);
    return ok;
}

static void reset(struct capture *c)
{
    capture_close(c);
    capture_open(c);
}

TEST(lookup_is_by_exact_name)
{
    const struct commands_entry *cmd = commands_find("tracking");
    CHECK(cmd != NULL);
    CHECK_STR(cmd->name, "tracking");
    CHECK_INT(cmd->kind, COMMANDS_REPORT);
    /* chrony accepts neither abbreviations nor other letter case */
    CHECK(commands_find("track") == NULL);
    CHECK(commands_find("trackingx") == NULL);
    CHECK(commands_find("TRACKING") == NULL);
    CHECK(commands_find("") == NULL);
    /* names that are prefixes of others are distinct rows */
    CHECK_STR(commands_find("sources")->name, "sources");
    CHECK_STR(commands_find("sourcestats")->name, "sourcestats");
    CHECK_STR(commands_find("maxdelay")->name, "maxdelay");
    CHECK_STR(commands_find("maxdelayratio")->name, "maxdelayratio");
}

TEST(table_holds_every_chronyc_command)
{
    static const char *const names[] = {
        "accheck", "activity", "add", "allow", "authdata", "burst", "clients",
        "cmdaccheck", "cmdallow", "cmddeny", "cyclelogs", "delete", "deny", "dns",
        "dump", "exit", "help", "keygen", "local", "makestep", "manual", "maxdelay",
        "maxdelaydevratio", "maxdelayratio", "maxpoll", "maxupdateskew", "minpoll",
        "minstratum", "ntpdata", "offline", "offset", "online", "onoffline",
        "polltarget", "quit", "refresh", "rekey", "reload", "reselect", "reselectdist",
        "reset", "retries", "rtcdata", "selectdata", "selectopts", "serverstats",
        "settime", "shutdown", "smoothing", "smoothtime", "sourcename", "sources",
        "sourcestats", "timeout", "tracking", "trimrtc", "waitsync", "writertc",
        "dfreq", "doffset", "authhash", "password",
    };
    size_t n = sizeof names / sizeof names[0];
    for (size_t i = 0; i < n; i++) {
        if (!commands_find(names[i]))
            fprintf(stderr, "  missing command %s\n", names[i]);
        CHECK(commands_find(names[i]) != NULL);
    }
    CHECK_INT(commands_count(), n);
    /* each name once, and every visible command has a help line (quit is
     * listed on exit's line) */
    for (size_t i = 0; i < commands_count(); i++) {
        const struct commands_entry *cmd = commands_get(i);
        CHECK(commands_find(cmd->name) == cmd);
        if (cmd->section != COMMANDS_SEC_HIDDEN && strcmp(cmd->name, "quit") != 0)
            CHECK(cmd->usage[0].syntax && cmd->usage[0].help);
        /* a local command has a handler; the others a request builder or a
         * report (manual has a handler that chooses between both) */
        int ways = (cmd->run != NULL) + (cmd->build != NULL) + (cmd->report != NULL);
        CHECK_INT(ways, 1);
        if (cmd->kind == COMMANDS_LOCAL)
            CHECK(cmd->run != NULL);
        if (cmd->kind == COMMANDS_REPORT)
            CHECK(cmd->report != NULL);
    }
    CHECK(commands_get(commands_count()) == NULL);
}

TEST(normalize_and_split)
{
    char line[64];
    snprintf(line, sizeof line, "  \tkeygen \t 5   MD5  \n");
    commands_normalize_line(line);
    CHECK_STR(line, "keygen 5 MD5");
    char *rest = commands_split_word(line);
    CHECK_STR(line, "keygen");
    CHECK_STR(rest, "5 MD5");
    rest = commands_split_word(rest);
    CHECK_STR(rest, "MD5");
    CHECK_STR(commands_split_word(rest), "");

    static const char *const comments[] = { "# x", "  ! x", ";x", "%%", "\t# tracking" };
    for (size_t i = 0; i < sizeof comments / sizeof comments[0]; i++) {
        snprintf(line, sizeof line, "%s", comments[i]);
        commands_normalize_line(line);
        CHECK_STR(line, "");
    }
    /* only a leading comment character makes a comment */
    snprintf(line, sizeof line, "dns -n # x");
    commands_normalize_line(line);
    CHECK_STR(line, "dns -n # x");
}

TEST(unknown_and_empty_lines)
{
    struct capture c;
    capture_open(&c);
    CHECK(!run(&c, "foo"));
    CHECK_STR(c.err, "Unrecognized command\n");
    CHECK_STR(c.out, "");
    reset(&c);
    CHECK(!run(&c, "HELP"));
    CHECK_STR(c.err, "Unrecognized command\n");
    reset(&c);
    CHECK(run(&c, ""));
    CHECK(run(&c, "   "));
    CHECK(run(&c, "# help"));
    CHECK_STR(c.out, "");
    CHECK_STR(c.err, "");
    capture_close(&c);
}

TEST(quit_and_exit)
{
    struct capture c;
    capture_open(&c);
    CHECK(!c.ctx.quit);
    CHECK(run(&c, "quit"));
    CHECK(c.ctx.quit);
    reset(&c);
    CHECK(run(&c, "  exit  "));
    CHECK(c.ctx.quit);
    capture_close(&c);
}

TEST(timeout_and_retries)
{
    struct capture c;
    capture_open(&c);
    CHECK_INT(c.ctx.timeout_ms, 1000);
    CHECK_INT(c.ctx.max_retries, 2);
    CHECK(!run(&c, "timeout 50"));
    CHECK_STR(c.err, "Timeout 50 is too short\n");
    CHECK_INT(c.ctx.timeout_ms, 1000);
    reset(&c);
    CHECK(!run(&c, "timeout"));
    CHECK_STR(c.err, "Timeout 0 is too short\n");
    CHECK(run(&c, "timeout 100"));
    CHECK_INT(c.ctx.timeout_ms, 100);
    CHECK(run(&c, "timeout 2500"));
    CHECK_INT(c.ctx.timeout_ms, 2500);
    reset(&c);
    CHECK(!run(&c, "retries 31"));
    CHECK_STR(c.err, "Invalid maximum number of retries\n");
    CHECK(!run(&c, "retries -1"));
    CHECK_INT(c.ctx.max_retries, 2);
    CHECK(run(&c, "retries 0"));
    CHECK_INT(c.ctx.max_retries, 0);
    CHECK(run(&c, "retries 30"));
    CHECK_INT(c.ctx.max_retries, 30);
    capture_close(&c);
}

TEST(dns_settings)
{
    struct capture c;
    capture_open(&c);
    CHECK(run(&c, "dns -n"));
    CHECK(c.ctx.no_dns);
    CHECK(run(&c, "dns +n"));
    CHECK(!c.ctx.no_dns);
    CHECK(run(&c, "dns -4"));
    CHECK_INT(c.ctx.family, ADDR_INET4);
    CHECK(run(&c, "dns -6"));
    CHECK_INT(c.ctx.family, ADDR_INET6);
    CHECK(run(&c, "dns -46"));
    CHECK_INT(c.ctx.family, ADDR_UNSPEC);
    CHECK_STR(c.err, "");
    CHECK(!run(&c, "dns"));
    CHECK(!run(&c, "dns -x"));
    CHECK(!run(&c, "dns -n -4"));
    CHECK_STR(c.err, "Unrecognized dns command\nUnrecognized dns command\n"
                     "Unrecognized dns command\n");
    capture_close(&c);
}

/* Checks one keygen output line: "ID TYPE HEX:" and hex_len upper-case digits. */
static void check_key_line(const char *out, const char *prefix, size_t hex_len)
{
    size_t plen = strlen(prefix);
    CHECK(strncmp(out, prefix, plen) == 0);
    CHECK_INT(strlen(out), plen + hex_len + 1);
    for (size_t i = plen; i < plen + hex_len && out[i]; i++)
        CHECK(isdigit((unsigned char)out[i]) || (out[i] >= 'A' && out[i] <= 'F'));
    CHECK(out[strlen(out) - 1] == '\n');
}

TEST(keygen_command)
{
    if (!CW_HAVE_NETTLE) {
        printf("SKIP keygen_command: built without nettle (MD5 keys only)\n");
        return;
    }
    struct capture c;
    capture_open(&c);
    CHECK(run(&c, "keygen"));
    check_key_line(c.out, "1 SHA1 HEX:", 40);
    reset(&c);
    CHECK(run(&c, "keygen 5 MD5 64"));      /* 8 bytes is below the 10-byte minimum */
    check_key_line(c.out, "5 MD5 HEX:", 20);
    reset(&c);
    CHECK(run(&c, "keygen 7 SHA512 1024"));
    check_key_line(c.out, "7 SHA512 HEX:", 256);
    reset(&c);
    CHECK(run(&c, "keygen 2 AES128 8"));    /* a cipher key has its own length */
    check_key_line(c.out, "2 AES128 HEX:", 32);
    reset(&c);
    CHECK(run(&c, "keygen 3 SHA1 99999"));  /* clamped to the longest key */
    check_key_line(c.out, "3 SHA1 HEX:", 1024);
    reset(&c);
    CHECK(run(&c, "keygen 9 SHA1 81"));     /* bits round up to bytes */
    check_key_line(c.out, "9 SHA1 HEX:", 22);
    reset(&c);
    CHECK(run(&c, "keygen -1"));            /* as scanf's %u: wraps */
    check_key_line(c.out, "4294967295 SHA1 HEX:", 40);
    reset(&c);

    CHECK(!run(&c, "keygen x"));
    CHECK(!run(&c, "keygen 1 SHA1 y"));
    CHECK(!run(&c, "keygen 1 2 3 4"));
    CHECK_STR(c.err, "Invalid syntax for keygen command\nInvalid syntax for keygen command\n"
                     "Invalid syntax for keygen command\n");
    CHECK_STR(c.out, "");
    reset(&c);
    CHECK(!run(&c, "keygen 1 sha1"));
    CHECK_STR(c.err, "Unknown hash function or cipher sha1\n");
    capture_close(&c);
}

TEST(legacy_auth_commands_warn_but_succeed)
{
    struct capture c;
    capture_open(&c);
    CHECK(run(&c, "authhash SHA1"));
    CHECK(run(&c, "password foo"));
    CHECK_STR(c.err, "Authentication is no longer supported\n"
                     "Authentication is no longer supported\n");
    capture_close(&c);
}

TEST(daemon_commands_without_daemon)
{
    struct capture c;
    capture_open(&c);
    /* no transport: every request fails as when the daemon is silent */
    CHECK(!run(&c, "tracking"));
    CHECK_STR(c.out, "506 Cannot talk to daemon\n");
    CHECK_STR(c.err, "");
    reset(&c);
    CHECK(!run(&c, "dump"));
    CHECK_STR(c.out, "506 Cannot talk to daemon\n");
    reset(&c);
    /* bad arguments are refused before anything is sent */
    CHECK(!run(&c, "burst x"));
    CHECK_STR(c.err, "Invalid syntax for burst command\n");
    CHECK_STR(c.out, "");
    reset(&c);
    CHECK(!run(&c, "manual foo"));
    CHECK_STR(c.err, "Invalid syntax for manual command\n");
    reset(&c);
    CHECK(!run(&c, "maxupdateskew x"));     /* chrony says nothing here */
    CHECK_STR(c.err, "");
    CHECK_STR(c.out, "");
    reset(&c);
    CHECK(!run(&c, "settime foo bar"));
    CHECK_STR(c.out, "510 - Could not parse date string\n");
    capture_close(&c);
}

TEST(end_dot_after_every_command)
{
    struct capture c;
    capture_open(&c);
    c.ctx.end_dot = true;
    CHECK(run(&c, "dns -n"));
    CHECK(!run(&c, "foo"));
    CHECK_STR(c.out, ".\n.\n");
    capture_close(&c);
}

TEST(write_error_fails_the_command)
{
    FILE *full = fopen("/dev/full", "w");
    if (!full) {
        printf("SKIP write_error_fails_the_command: no /dev/full\n");
        return;
    }
    struct capture c;
    capture_open(&c);
    FILE *mem = c.ctx.out;
    c.ctx.out = full;
    CHECK(!run(&c, "help"));
    CHECK_STR(c.err, "Could not write to stdout\n");
    c.ctx.out = mem;
    fclose(full);
    capture_close(&c);
}

TEST(help_lists_every_visible_command)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    commands_print_help(f);
    fclose(f);

    CHECK(strncmp(text, "System clock:\n", 14) == 0);
    CHECK(strstr(text, "\nClient commands:\n") != NULL);
    for (size_t i = 0; i < commands_count(); i++) {
        const struct commands_entry *cmd = commands_get(i);
        for (int u = 0; u < COMMANDS_MAX_USAGE && cmd->usage[u].syntax; u++) {
            /* the syntax starts a line */
            char want[256];
            snprintf(want, sizeof want, "\n%s", cmd->usage[u].syntax);
            CHECK(strstr(text, want) != NULL);
        }
    }
    /* hidden commands are not listed */
    CHECK(strstr(text, "dfreq") == NULL);
    CHECK(strstr(text, "password") == NULL);
    /* the description column starts at 28; long syntax pushes it to the next line */
    CHECK(strstr(text, "\ntracking                    ") != NULL);
    CHECK(strstr(text, "\nkeygen [<id> [<type> [<bits>]]]\n                            ") != NULL);
    /* no line ends with white space */
    CHECK(strstr(text, " \n") == NULL);
    free(text);
}

/* All completions of text after before, joined with spaces. */
static void completions(const char *before, const char *text, char *buf, size_t len)
{
    size_t state = 0;
    const char *m;
    buf[0] = '\0';
    while ((m = commands_complete(before, text, &state)) != NULL) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", used ? " " : "", m);
    }
}

TEST(completion)
{
    char buf[1024];
    completions("", "ma", buf, sizeof buf);
    CHECK_STR(buf, "makestep maxupdateskew maxdelay maxdelayratio maxdelaydevratio "
                   "maxpoll manual");
    completions("", "keyg", buf, sizeof buf);
    CHECK_STR(buf, "keygen");
    completions("  ", "qu", buf, sizeof buf);
    CHECK_STR(buf, "quit");
    completions("", "zz", buf, sizeof buf);
    CHECK_STR(buf, "");
    /* hidden commands are not offered */
    completions("", "d", buf, sizeof buf);
    CHECK_STR(buf, "delete deny dump dns");
    /* every visible command is offered for an empty word */
    completions("", "", buf, sizeof buf);
    CHECK(strstr(buf, "tracking") != NULL && strstr(buf, "help") != NULL);
    CHECK(strstr(buf, "password") == NULL);

    completions("add ", "p", buf, sizeof buf);
    CHECK_STR(buf, "peer pool");
    completions("sources  ", "", buf, sizeof buf);
    CHECK_STR(buf, "-a -v");
    completions("manual ", "", buf, sizeof buf);
    CHECK_STR(buf, "on off delete list reset");
    completions("reload ", "s", buf, sizeof buf);
    CHECK_STR(buf, "sources");
    /* nothing past the first argument, nothing for commands without words */
    completions("add server ", "", buf, sizeof buf);
    CHECK_STR(buf, "");
    completions("tracking ", "", buf, sizeof buf);
    CHECK_STR(buf, "");
    completions("nosuch ", "", buf, sizeof buf);
    CHECK_STR(buf, "");
}

TEST_LIST {
    T(lookup_is_by_exact_name),
    T(table_holds_every_chronyc_command),
    T(normalize_and_split),
    T(unknown_and_empty_lines),
    T(quit_and_exit),
    T(timeout_and_retries),
    T(dns_settings),
    T(keygen_command),
    T(legacy_auth_commands_warn_but_succeed),
    T(daemon_commands_without_daemon),
    T(end_dot_after_every_command),
    T(write_error_fails_the_command),
    T(help_lists_every_visible_command),
    T(completion),
};
TEST_MAIN
