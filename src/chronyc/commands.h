/* commands: chronyc's one table of commands. Each row is a command name, its
 * kind, the lines `help` prints for it, the words its first argument completes
 * to, and its handler. This module also runs one line of input (chrony's
 * normalisation, lookup by exact name, messages and success/failure) and
 * prints `help`.
 *
 * A row runs in one of three ways: a local command has a handler (run); a
 * status-only command has a request builder (build: reads the arguments
 * and fills the request, see chronyc/control.h), after which the request is
 * sent and the daemon's status printed ("200 OK"); a report command has a
 * report printer (report: asks the daemon and prints, chronyc/reports.h).
 * The transport to the daemon and its settings are in the context. */
#ifndef CW_CHRONYC_COMMANDS_H
#define CW_CHRONYC_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct request;
struct transport;

#define COMMANDS_MAX_LINE 2048          /* longest command line chronyc accepts */
#define COMMANDS_DEFAULT_TIMEOUT_MS 1000
#define COMMANDS_MIN_TIMEOUT_MS 100
#define COMMANDS_DEFAULT_RETRIES 2
#define COMMANDS_MAX_RETRIES 30

/* What one chronyc session knows: options, then changes by client commands. */
struct commands_context {
    FILE *out;                  /* reports and help (stdout) */
    FILE *err;                  /* error messages (stderr) */
    const char *hosts;          /* -h list, or the default list */
    int port;                   /* -p */
    int family;                 /* -4/-6, dns -4/-6/-46: enum addr_family */
    bool no_dns;                /* -n, dns -n/+n */
    bool source_names;          /* -N */
    bool csv;                   /* -c */
    bool end_dot;               /* -e */
    int timeout_ms;             /* timeout: first wait for a reply */
    int max_retries;            /* retries: requests repeated after a timeout */
    bool quit;                  /* set by quit/exit */
    struct transport *transport;    /* to the daemon; NULL: none (all requests fail) */
    bool (*quit_requested)(void);   /* a signal asked chronyc to stop waiting */
};

enum commands_kind {
    COMMANDS_LOCAL,             /* done by chronyc itself */
    COMMANDS_REQUEST,           /* one request; chronyd answers with a status */
    COMMANDS_REPORT,            /* requests whose replies are printed as a report */
};

/* The groups `help` prints, in this order. Hidden commands are accepted for
 * compatibility but neither listed nor completed. */
enum commands_section {
    COMMANDS_SEC_CLOCK,
    COMMANDS_SEC_SOURCES,
    COMMANDS_SEC_NTP_SOURCES,
    COMMANDS_SEC_MANUAL,
    COMMANDS_SEC_NTP_ACCESS,
    COMMANDS_SEC_CMD_ACCESS,
    COMMANDS_SEC_RTC,
    COMMANDS_SEC_DAEMON,
    COMMANDS_SEC_CLIENT,
    COMMANDS_SEC_HIDDEN,
};

#define COMMANDS_MAX_USAGE 3

/* One line of help: the syntax, and what it does ('\n' continues the text
 * on another line of the second column). */
struct commands_usage {
    const char *syntax;
    const char *help;
};

struct commands_entry {
    const char *name;
    enum commands_kind kind;
    enum commands_section section;
    struct commands_usage usage[COMMANDS_MAX_USAGE];
    const char *const *arg_words;     /* completions of the first argument, NULL-ended */
    /* Runs the command with its arguments (normalised, may be modified);
     * prints its own messages; returns success. */
    bool (*run)(struct commands_context *ctx, char *args);
    /* Fills req from the arguments; false (after a message) when they are
     * wrong. The request is then sent and its status printed. */
    bool (*build)(struct commands_context *ctx, char *args, struct request *req);
    /* Requests and prints a report; returns success. */
    bool (*report)(struct commands_context *ctx, char *args);
};

/* Defaults of a session: stdout/stderr, chrony's timeout and retries. */
void commands_init_context(struct commands_context *ctx);

/* The row named exactly name (chrony accepts no abbreviations), or NULL. */
const struct commands_entry *commands_find(const char *name);
size_t commands_count(void);
const struct commands_entry *commands_get(size_t index);

/* Runs one line of input (modified in place). Empty and comment lines
 * succeed. Returns false when the command failed; sets ctx->quit on quit. */
bool commands_run_line(struct commands_context *ctx, char *line);

void commands_print_help(FILE *out);

/* Collapses white space, strips it at both ends and empties comment lines
 * (first character one of ! ; # %), as chrony does with command lines. */
void commands_normalize_line(char *line);
/* Ends the first word of line and returns the start of the next (or ""). */
char *commands_split_word(char *line);

/* Completion: before is the text of the line up to the word being completed,
 * text the start of that word. Call with *state = 0 first and again until it
 * returns NULL: command names at the start of a line, argument words after a
 * command that has them, nothing elsewhere. */
const char *commands_complete(const char *before, const char *text, size_t *state);

#endif
