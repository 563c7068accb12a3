/* commands: the table of chronyc commands, the line runner, help and
 * completion. The command names, their argument syntax and the messages of
 * the local commands are chrony 4.x's (scripts depend on them); the help
 * descriptions are our own. Rows of commands that talk to the daemon point
 * at their request builder (chronyc/control.h) or report (chronyc/reports.h). */
#include "chronyc/commands.h"

#include "chronyc/control.h"
#include "chronyc/keygen.h"
#include "chronyc/reports.h"
#include "chronyc/request.h"
#include "common/addr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define HELP_COLUMN 28                  /* where the description column starts */
#define KEYGEN_MAX_WORDS 3              /* keygen [ID [TYPE [BITS]]] */
#define KEY_LINE_MAX (64 + 2 * KEYGEN_MAX_BYTES)

static const char *const section_titles[] = {
    [COMMANDS_SEC_CLOCK] = "System clock:",
    [COMMANDS_SEC_SOURCES] = "Time sources:",
    [COMMANDS_SEC_NTP_SOURCES] = "NTP sources:",
    [COMMANDS_SEC_MANUAL] = "Manual time input:",
    [COMMANDS_SEC_NTP_ACCESS] = "NTP access:",
    [COMMANDS_SEC_CMD_ACCESS] = "Monitoring access:",
    [COMMANDS_SEC_RTC] = "Real-time clock:",
    [COMMANDS_SEC_DAEMON] = "Other daemon commands:",
    [COMMANDS_SEC_CLIENT] = "Client commands:",
};

static const char *const words_source_opts[] = { "-a", "-v", NULL };
static const char *const words_add[] = { "peer", "pool", "server", NULL };
static const char *const words_manual[] = { "on", "off", "delete", "list", "reset", NULL };
static const char *const words_sources[] = { "sources", NULL };

/* ---- local commands ---- */

static bool run_help(struct commands_context *ctx, char *args)
{
    commands_print_help(ctx->out);
    return true;
}

static bool run_quit(struct commands_context *ctx, char *args)
{
    ctx->quit = true;
    return true;
}

static bool run_timeout(struct commands_context *ctx, char *args)
{
    int timeout_ms = atoi(args);
    if (timeout_ms < COMMANDS_MIN_TIMEOUT_MS) {
        fprintf(ctx->err, "Timeout %d is too short\n", timeout_ms);
        return false;
    }
    ctx->timeout_ms = timeout_ms;
    return true;
}

static bool run_retries(struct commands_context *ctx, char *args)
{
    int retries = atoi(args);
    if (retries < 0 || retries > COMMANDS_MAX_RETRIES) {
        fprintf(ctx->err, "Invalid maximum number of retries\n");
        return false;
    }
    ctx->max_retries = retries;
    return true;
}

static bool run_dns(struct commands_context *ctx, char *args)
{
    if (strcmp(args, "-46") == 0) {
        ctx->family = ADDR_UNSPEC;
    } else if (strcmp(args, "-4") == 0) {
        ctx->family = ADDR_INET4;
    } else if (strcmp(args, "-6") == 0) {
        ctx->family = ADDR_INET6;
    } else if (strcmp(args, "-n") == 0) {
        ctx->no_dns = true;
    } else if (strcmp(args, "+n") == 0) {
        ctx->no_dns = false;
    } else {
        fprintf(ctx->err, "Unrecognized dns command\n");
        return false;
    }
    return true;
}

/* A number as scanf's %u reads it: a sign is allowed ("-1" wraps around) and
 * anything after the digits is ignored. */
static bool parse_uint_prefix(const char *word, unsigned int *value)
{
    char *end;
    unsigned long v = strtoul(word, &end, 10);
    if (end == word)
        return false;
    *value = (unsigned int)v;
    return true;
}

static bool run_keygen(struct commands_context *ctx, char *args)
{
    char *words[KEYGEN_MAX_WORDS + 1];
    int n_words = 0;
    while (*args && n_words <= KEYGEN_MAX_WORDS) {
        words[n_words++] = args;
        args = commands_split_word(args);
    }

    unsigned int id = KEYGEN_DEFAULT_ID, bits = KEYGEN_DEFAULT_BITS;
    const char *type = n_words >= 2 ? words[1] : keygen_default_type();
    if (n_words > KEYGEN_MAX_WORDS ||
        (n_words >= 1 && !parse_uint_prefix(words[0], &id)) ||
        (n_words >= 3 && !parse_uint_prefix(words[2], &bits))) {
        fprintf(ctx->err, "Invalid syntax for keygen command\n");
        return false;
    }

    size_t len = keygen_key_length(type, bits);
    if (len == 0) {
        fprintf(ctx->err, "Unknown hash function or cipher %s\n", type);
        return false;
    }

    uint8_t key[KEYGEN_MAX_BYTES];
    char line[KEY_LINE_MAX];
    if (!keygen_random(key, len)) {
        fprintf(ctx->err, "Could not get random bytes\n");
        return false;
    }
    bool ok = keygen_format(id, type, key, len, line, sizeof line);
    memset(key, 0, sizeof key);
    if (!ok) {
        fprintf(ctx->err, "Invalid syntax for keygen command\n");
        return false;
    }
    fprintf(ctx->out, "%s\n", line);
    return true;
}

static bool run_no_auth(struct commands_context *ctx, char *args)
{
    /* Old scripts still send these: warn but succeed, as chrony does. */
    fprintf(ctx->err, "Authentication is no longer supported\n");
    return true;
}

/* ---- commands that talk to the daemon ---- */

/* Builds the request with build, sends it and prints the daemon's status. */
static bool submit_built(struct commands_context *ctx, char *args,
                         bool (*build)(struct commands_context *, char *, struct request *))
{
    struct request req;
    struct request_reply reply;
    if (!build(ctx, args, &req))
        return false;
    return request_run(ctx, &req, &reply, true);
}

/* "manual list" is a report; on, off, reset and delete are requests. The
 * words are matched as prefixes, as chrony does. */
static bool run_manual(struct commands_context *ctx, char *args)
{
    if (strncmp(args, "list", strlen("list")) == 0)
        return reports_manual_list(ctx, commands_split_word(args));
    return submit_built(ctx, args, control_manual);
}

/* ---- the table ---- */

/* The last three fields of a row: its handler, request builder or report. */
#define RUN(fn) fn, NULL, NULL
#define BUILD(fn) NULL, fn, NULL
#define PRINT(fn) NULL, NULL, fn

#define LOCAL COMMANDS_LOCAL
#define REQUEST COMMANDS_REQUEST
#define REPORT COMMANDS_REPORT

/* Rows are in the order `help` lists them within their section. */
static const struct commands_entry table[] = {
    { "tracking", REPORT, COMMANDS_SEC_CLOCK,
      {{ "tracking", "Show how the system clock is being kept" }}, NULL, PRINT(reports_tracking) },
    { "makestep", REQUEST, COMMANDS_SEC_CLOCK,
      {{ "makestep", "Step the clock now to remove its offset" },
       { "makestep <threshold> <updates>", "Set when the clock may be stepped" }},
      NULL, BUILD(control_makestep) },
    { "maxupdateskew", REQUEST, COMMANDS_SEC_CLOCK,
      {{ "maxupdateskew <skew>", "Set the largest skew that updates frequency" }},
      NULL, BUILD(control_maxupdateskew) },
    { "waitsync", REPORT, COMMANDS_SEC_CLOCK,
      {{ "waitsync [<max-tries> [<max-correction> [<max-skew> [<interval>]]]]",
         "Wait until the clock is synchronised well enough" }}, NULL, PRINT(reports_waitsync) },

    { "sources", REPORT, COMMANDS_SEC_SOURCES,
      {{ "sources [-a] [-v]", "List the time sources and their state" }},
      words_source_opts, PRINT(reports_sources) },
    { "sourcestats", REPORT, COMMANDS_SEC_SOURCES,
      {{ "sourcestats [-a] [-v]", "Show drift and offset estimates of sources" }},
      words_source_opts, PRINT(reports_sourcestats) },
    { "selectdata", REPORT, COMMANDS_SEC_SOURCES,
      {{ "selectdata [-a] [-v]", "Show the data source selection worked on" }},
      words_source_opts, PRINT(reports_selectdata) },
    { "selectopts", REQUEST, COMMANDS_SEC_SOURCES,
      {{ "selectopts <address|refid> <+|-options>", "Change how a source may be selected" }},
      NULL, BUILD(control_selectopts) },
    { "reselect", REQUEST, COMMANDS_SEC_SOURCES,
      {{ "reselect", "Select the synchronisation source again" }}, NULL, BUILD(control_reselect) },
    { "reselectdist", REQUEST, COMMANDS_SEC_SOURCES,
      {{ "reselectdist <dist>", "Set the distance that favours the current source" }},
      NULL, BUILD(control_reselectdist) },
    { "offset", REQUEST, COMMANDS_SEC_SOURCES,
      {{ "offset <address|refid> <offset>", "Set the offset correction of a source" }},
      NULL, BUILD(control_offset) },

    { "activity", REPORT, COMMANDS_SEC_NTP_SOURCES,
      {{ "activity", "Count the sources that are online and offline" }},
      NULL, PRINT(reports_activity) },
    { "authdata", REPORT, COMMANDS_SEC_NTP_SOURCES,
      {{ "authdata [-a] [-v]", "Show how each source is authenticated" }},
      words_source_opts, PRINT(reports_authdata) },
    { "ntpdata", REPORT, COMMANDS_SEC_NTP_SOURCES,
      {{ "ntpdata [<address>]", "Show the last good NTP measurement in detail" }},
      NULL, PRINT(reports_ntpdata) },
    { "add", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "add server <name> [options]", "Start using an NTP server" },
       { "add pool <name> [options]", "Start using a pool of NTP servers" },
       { "add peer <name> [options]", "Start using an NTP peer" }}, words_add, BUILD(control_add) },
    { "delete", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "delete <address>", "Stop using a server or peer" }}, NULL, BUILD(control_delete) },
    { "burst", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "burst <n-good>/<n-max> [[<mask>/]<address>]", "Take a quick series of measurements" }},
      NULL, BUILD(control_burst) },
    { "maxdelay", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "maxdelay <address> <delay>", "Set the largest delay a sample may have" }},
      NULL, BUILD(control_maxdelay) },
    { "maxdelayratio", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "maxdelayratio <address> <ratio>", "Set the largest ratio of delay to minimum delay" }},
      NULL, BUILD(control_maxdelayratio) },
    { "maxdelaydevratio", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "maxdelaydevratio <address> <ratio>",
         "Set the largest ratio of delay change to deviation" }},
      NULL, BUILD(control_maxdelaydevratio) },
    { "minpoll", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "minpoll <address> <poll>", "Set the shortest polling interval" }},
      NULL, BUILD(control_minpoll) },
    { "maxpoll", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "maxpoll <address> <poll>", "Set the longest polling interval" }},
      NULL, BUILD(control_maxpoll) },
    { "minstratum", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "minstratum <address> <stratum>", "Set the lowest stratum a source is taken as" }},
      NULL, BUILD(control_minstratum) },
    { "offline", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "offline [[<mask>/]<address>]", "Stop polling the sources in a subnet" }},
      NULL, BUILD(control_offline) },
    { "online", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "online [[<mask>/]<address>]", "Resume polling the sources in a subnet" }},
      NULL, BUILD(control_online) },
    { "onoffline", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "onoffline", "Put each source online or offline\n"
                      "depending on whether a route to it exists" }},
      NULL, BUILD(control_onoffline) },
    { "polltarget", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "polltarget <address> <target>", "Set the samples wanted before polling less" }},
      NULL, BUILD(control_polltarget) },
    { "refresh", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "refresh", "Resolve the names of sources again" }}, NULL, BUILD(control_refresh) },
    { "reload", REQUEST, COMMANDS_SEC_NTP_SOURCES,
      {{ "reload sources", "Read the sourcedir *.sources files again" }},
      words_sources, BUILD(control_reload) },
    { "sourcename", REPORT, COMMANDS_SEC_NTP_SOURCES,
      {{ "sourcename <address>", "Print the name a source was given as" }},
      NULL, PRINT(reports_sourcename) },

    { "manual", REQUEST, COMMANDS_SEC_MANUAL,
      {{ "manual off|on|reset", "Refuse/accept settime, or forget its samples" },
       { "manual list", "List the samples given by settime" },
       { "manual delete <index>", "Forget one settime sample" }}, words_manual, RUN(run_manual) },
    { "settime", REPORT, COMMANDS_SEC_MANUAL,
      {{ "settime <time>", "Tell the daemon the current time\n"
                           "(e.g. Mar 3, 2024 14:05:09 or 14:05:09)" }},
      NULL, PRINT(reports_settime) },

    { "accheck", REQUEST, COMMANDS_SEC_NTP_ACCESS,
      {{ "accheck <address>", "Tell whether an address may use the server" }},
      NULL, BUILD(control_accheck) },
    { "clients", REPORT, COMMANDS_SEC_NTP_ACCESS,
      {{ "clients [-p <packets>] [-k] [-r]", "List the clients the server has seen" }},
      NULL, PRINT(reports_clients) },
    { "serverstats", REPORT, COMMANDS_SEC_NTP_ACCESS,
      {{ "serverstats", "Show the server's packet counters" }}, NULL, PRINT(reports_serverstats) },
    { "allow", REQUEST, COMMANDS_SEC_NTP_ACCESS,
      {{ "allow [<subnet>]", "Let a subnet use the server" },
       { "allow all [<subnet>]", "Let a subnet and every subnet in it use it" }},
      NULL, BUILD(control_allow) },
    { "deny", REQUEST, COMMANDS_SEC_NTP_ACCESS,
      {{ "deny [<subnet>]", "Refuse the server to a subnet" },
       { "deny all [<subnet>]", "Refuse it to a subnet and every subnet in it" }},
      NULL, BUILD(control_deny) },
    { "local", REQUEST, COMMANDS_SEC_NTP_ACCESS,
      {{ "local [options]", "Serve time even when not synchronised" },
       { "local off", "Serve time only when synchronised" }}, NULL, BUILD(control_local) },
    { "smoothtime", REQUEST, COMMANDS_SEC_NTP_ACCESS,
      {{ "smoothtime reset|activate", "Reset or start time smoothing" }},
      NULL, BUILD(control_smoothtime) },
    { "smoothing", REPORT, COMMANDS_SEC_NTP_ACCESS,
      {{ "smoothing", "Show the state of time smoothing" }}, NULL, PRINT(reports_smoothing) },

    { "cmdaccheck", REQUEST, COMMANDS_SEC_CMD_ACCESS,
      {{ "cmdaccheck <address>", "Tell whether an address may monitor" }},
      NULL, BUILD(control_cmdaccheck) },
    { "cmdallow", REQUEST, COMMANDS_SEC_CMD_ACCESS,
      {{ "cmdallow [<subnet>]", "Let a subnet monitor the daemon" },
       { "cmdallow all [<subnet>]", "Let a subnet and every subnet in it monitor" }},
      NULL, BUILD(control_cmdallow) },
    { "cmddeny", REQUEST, COMMANDS_SEC_CMD_ACCESS,
      {{ "cmddeny [<subnet>]", "Refuse monitoring to a subnet" },
       { "cmddeny all [<subnet>]", "Refuse it to a subnet and every subnet in it" }},
      NULL, BUILD(control_cmddeny) },

    { "rtcdata", REPORT, COMMANDS_SEC_RTC,
      {{ "rtcdata", "Show what is known of the real-time clock" }}, NULL, PRINT(reports_rtcdata) },
    { "trimrtc", REQUEST, COMMANDS_SEC_RTC,
      {{ "trimrtc", "Set the real-time clock to the system time" }}, NULL, BUILD(control_trimrtc) },
    { "writertc", REQUEST, COMMANDS_SEC_RTC,
      {{ "writertc", "Write the RTC parameters to the rtcfile" }}, NULL, BUILD(control_writertc) },

    { "cyclelogs", REQUEST, COMMANDS_SEC_DAEMON,
      {{ "cyclelogs", "Reopen the log files" }}, NULL, BUILD(control_cyclelogs) },
    { "dump", REQUEST, COMMANDS_SEC_DAEMON,
      {{ "dump", "Save measurements and NTS keys and cookies" }}, NULL, BUILD(control_dump) },
    { "rekey", REQUEST, COMMANDS_SEC_DAEMON,
      {{ "rekey", "Read the key file again" }}, NULL, BUILD(control_rekey) },
    { "reset", REQUEST, COMMANDS_SEC_DAEMON,
      {{ "reset sources", "Forget the measurements of all sources" }},
      words_sources, BUILD(control_reset) },
    { "shutdown", REQUEST, COMMANDS_SEC_DAEMON,
      {{ "shutdown", "Stop the daemon" }}, NULL, BUILD(control_shutdown) },

    { "dns", LOCAL, COMMANDS_SEC_CLIENT,
      {{ "dns -n|+n", "Print addresses as numbers/as names" },
       { "dns -4|-6|-46", "Resolve names to IPv4/IPv6/either addresses" }}, NULL, RUN(run_dns) },
    { "timeout", LOCAL, COMMANDS_SEC_CLIENT,
      {{ "timeout <milliseconds>", "Set how long to wait for the first reply" }},
      NULL, RUN(run_timeout) },
    { "retries", LOCAL, COMMANDS_SEC_CLIENT,
      {{ "retries <retries>", "Set how often a request is sent again" }}, NULL, RUN(run_retries) },
    { "keygen", LOCAL, COMMANDS_SEC_CLIENT,
      {{ "keygen [<id> [<type> [<bits>]]]", "Print a random key for the key file" }},
      NULL, RUN(run_keygen) },
    { "exit", LOCAL, COMMANDS_SEC_CLIENT,
      {{ "exit|quit", "Leave chronyc" }}, NULL, RUN(run_quit) },
    { "quit", LOCAL, COMMANDS_SEC_CLIENT, {{ NULL, NULL }}, NULL, RUN(run_quit) },
    { "help", LOCAL, COMMANDS_SEC_CLIENT,
      {{ "help", "Print this list" }}, NULL, RUN(run_help) },

    /* Accepted as chronyc 4.x accepts them, not listed by help. */
    { "dfreq", REQUEST, COMMANDS_SEC_HIDDEN, {{ NULL, NULL }}, NULL, BUILD(control_dfreq) },
    { "doffset", REQUEST, COMMANDS_SEC_HIDDEN, {{ NULL, NULL }}, NULL, BUILD(control_doffset) },
    { "authhash", LOCAL, COMMANDS_SEC_HIDDEN, {{ NULL, NULL }}, NULL, RUN(run_no_auth) },
    { "password", LOCAL, COMMANDS_SEC_HIDDEN, {{ NULL, NULL }}, NULL, RUN(run_no_auth) },
};

#define N_COMMANDS (sizeof table / sizeof table[0])

/* ---- lookup ---- */

size_t commands_count(void)
{
    return N_COMMANDS;
}

const struct commands_entry *commands_get(size_t index)
{
    return index < N_COMMANDS ? &table[index] : NULL;
}

const struct commands_entry *commands_find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    }
    return NULL;
}

static bool never_quit(void)
{
    return false;
}

void commands_init_context(struct commands_context *ctx)
{
    *ctx = (struct commands_context){
        .out = stdout,
        .err = stderr,
        .port = 0,
        .family = ADDR_UNSPEC,
        .timeout_ms = COMMANDS_DEFAULT_TIMEOUT_MS,
        .max_retries = COMMANDS_DEFAULT_RETRIES,
        .transport = NULL,
        .quit_requested = never_quit,
    };
}

/* ---- lines ---- */

void commands_normalize_line(char *line)
{
    char *q = line;
    bool after_space = true, first = true;
    for (const char *p = line; *p; p++) {
        if (isspace((unsigned char)*p)) {
            if (!after_space)
                *q++ = ' ';
            after_space = true;
            continue;
        }
        if (first && strchr("!;#%", *p))
            break;
        *q++ = *p;
        after_space = first = false;
    }
    if (q > line && q[-1] == ' ')
        q--;
    *q = '\0';
}

char *commands_split_word(char *line)
{
    char *p = line;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (!*p)
        return p;
    *p++ = '\0';
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

bool commands_run_line(struct commands_context *ctx, char *line)
{
    commands_normalize_line(line);
    if (!*line) {
        fflush(ctx->err);
        fflush(ctx->out);
        return true;
    }

    char *args = commands_split_word(line);
    const struct commands_entry *cmd = commands_find(line);
    bool ok;
    if (!cmd) {
        fprintf(ctx->err, "Unrecognized command\n");
        ok = false;
    } else if (cmd->run) {
        ok = cmd->run(ctx, args);
    } else if (cmd->report) {
        ok = cmd->report(ctx, args);
    } else {
        ok = submit_built(ctx, args, cmd->build);
    }

    if (ctx->end_dot)
        fprintf(ctx->out, ".\n");
    fflush(ctx->err);
    if (fflush(ctx->out) != 0 || ferror(ctx->out)) {
        fprintf(ctx->err, "Could not write to stdout\n");
        /* Output was lost: a command that prints data has failed. A request
         * whose only output is its status line keeps the daemon's answer. */
        if (!cmd || cmd->kind != COMMANDS_REQUEST)
            ok = false;
    }
    return ok;
}

/* ---- help ---- */

static void print_help_row(FILE *out, const char *syntax, const char *help)
{
    if (strlen(syntax) >= HELP_COLUMN)
        fprintf(out, "%s\n%*s", syntax, HELP_COLUMN, "");
    else
        fprintf(out, "%-*s", HELP_COLUMN, syntax);
    /* continuation lines of the description stay in the second column */
    for (const char *s = help; *s;) {
        size_t n = strcspn(s, "\n");
        fprintf(out, "%.*s\n", (int)n, s);
        s += n;
        if (*s == '\n' && *++s)
            fprintf(out, "%*s", HELP_COLUMN, "");
    }
}

void commands_print_help(FILE *out)
{
    for (int sec = 0; sec < COMMANDS_SEC_HIDDEN; sec++) {
        fprintf(out, "%s\n", section_titles[sec]);
        for (size_t i = 0; i < N_COMMANDS; i++) {
            if ((int)table[i].section != sec)
                continue;
            for (int u = 0; u < COMMANDS_MAX_USAGE && table[i].usage[u].syntax; u++)
                print_help_row(out, table[i].usage[u].syntax, table[i].usage[u].help);
        }
        fprintf(out, "\n");
    }
}

/* ---- completion ---- */

/* The command whose argument is being completed: before must be exactly one
 * word followed by white space. */
static const struct commands_entry *command_before(const char *before)
{
    char word[COMMANDS_MAX_LINE];
    while (isspace((unsigned char)*before))
        before++;
    size_t n = strcspn(before, " \t");
    if (n == 0 || n >= sizeof word)
        return NULL;
    for (const char *p = before + n; *p; p++) {
        if (!isspace((unsigned char)*p))
            return NULL;
    }
    memcpy(word, before, n);
    word[n] = '\0';
    return commands_find(word);
}

const char *commands_complete(const char *before, const char *text, size_t *state)
{
    size_t len = strlen(text);
    const char *p = before;
    while (isspace((unsigned char)*p))
        p++;

    if (!*p) {
        while (*state < N_COMMANDS) {
            const struct commands_entry *cmd = &table[(*state)++];
            if (cmd->section != COMMANDS_SEC_HIDDEN && strncmp(cmd->name, text, len) == 0)
                return cmd->name;
        }
        return NULL;
    }

    const struct commands_entry *cmd = command_before(before);
    if (!cmd || !cmd->arg_words)
        return NULL;
    while (cmd->arg_words[*state]) {
        const char *word = cmd->arg_words[(*state)++];
        if (strncmp(word, text, len) == 0)
            return word;
    }
    return NULL;
}
