/* shell: chronyc's input loop, one-shot arguments, and the libedit glue
 * (readline compatibility interface: it is what distributions' libedit builds
 * all provide, and chrony uses the same). */
#include "chronyc/shell.h"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if CW_HAVE_EDITLINE
#include <editline/readline.h>
#endif

static volatile sig_atomic_t quit_signal;

static void on_quit_signal(int signum)
{
    (void)signum;
    quit_signal = 1;
}

void shell_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_quit_signal;
    sigemptyset(&sa.sa_mask);
    /* no SA_RESTART: a read waiting for input must return so the loop ends */
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool shell_quit_requested(void)
{
    return quit_signal != 0;
}

bool shell_on_terminal(void)
{
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
}

void shell_print_banner(FILE *out)
{
    fprintf(out, "clockwork chronyc version %s\n"
                 "Free software under the GNU General Public License version 2,\n"
                 "with NO WARRANTY; see the license for the terms of use.\n\n",
            CW_VERSION);
}

int shell_run_args(struct commands_context *ctx, int argc, char **argv, bool multi)
{
    char line[COMMANDS_MAX_LINE];
    size_t len = 0;
    bool ok = true;

    for (int i = 0; i < argc; i++) {
        /* arguments are joined with spaces, as if typed on one line */
        int n = snprintf(line + len, sizeof line - len, "%s ", argv[i]);
        if (n < 0 || (size_t)n >= sizeof line - len) {
            fprintf(ctx->err, "Command too long\n");
            return 1;
        }
        len += (size_t)n;
        if (!multi && i + 1 < argc)
            continue;
        ok = commands_run_line(ctx, line);
        len = 0;
        if (!ok || ctx->quit || shell_quit_requested())
            break;
    }
    return ok ? 0 : 1;
}

/* ---- reading lines ---- */

#if CW_HAVE_EDITLINE

/* The line up to the word being completed, kept for the generator, which
 * libedit calls with the word only. */
static char completion_before[COMMANDS_MAX_LINE];
static size_t completion_state;

static char *completion_generator(const char *text, int state)
{
    if (state == 0)
        completion_state = 0;
    const char *match = commands_complete(completion_before, text, &completion_state);
    /* libedit frees the matches with free() */
    return match ? strdup(match) : NULL;
}

static char **complete_word(const char *text, int start, int end)
{
    (void)end;
    /* never fall back to completing file names */
    rl_attempted_completion_over = 1;
    if (start < 0)
        start = 0;
    snprintf(completion_before, sizeof completion_before, "%.*s", start, rl_line_buffer);
    return rl_completion_matches(text, completion_generator);
}

static void editline_setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    rl_readline_name = "chronyc";       /* for "chronyc:" lines in ~/.editrc */
    rl_attempted_completion_function = complete_word;
    rl_basic_word_break_characters = " \t\n\r";
}

/* A line typed on the terminal, malloc'd, or NULL at end of input. */
static char *read_terminal_line(bool *too_long)
{
    editline_setup();
    char *line = readline(SHELL_PROMPT);
    if (line && *line)
        add_history(line);
    *too_long = line && strlen(line) >= COMMANDS_MAX_LINE;
    return line;
}

static void editline_finish(void)
{
    clear_history();
}

#else

static char *read_stream_line(FILE *in, bool *too_long);

static char *read_terminal_line(bool *too_long)
{
    fputs(SHELL_PROMPT, stdout);
    fflush(stdout);
    return read_stream_line(stdin, too_long);
}

static void editline_finish(void) {}

#endif

/* One line from a stream without its newline, malloc'd; NULL at end of input
 * or on a signal. *too_long is set for a line longer than a command may be. */
static char *read_stream_line(FILE *in, bool *too_long)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, in);
    *too_long = false;
    if (n < 0) {
        free(line);
        return NULL;
    }
    if (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    if ((size_t)n >= COMMANDS_MAX_LINE)
        *too_long = true;
    return line;
}

int shell_run_input(struct commands_context *ctx, bool on_terminal)
{
    bool ok = true;

    for (;;) {
        bool too_long = false;
        char *line = on_terminal ? read_terminal_line(&too_long)
                                  : read_stream_line(stdin, &too_long);
        if (!line || shell_quit_requested()) {
            /* end the prompt's line when the user leaves with ctrl-D */
            if (on_terminal)
                fputs("\n", ctx->out);
            free(line);
            break;
        }
        if (too_long) {
            fprintf(ctx->err, "Command too long\n");
            ok = false;
        } else {
            ok = commands_run_line(ctx, line);
        }
        free(line);
        if (ctx->quit)
            break;
    }

    if (on_terminal)
        editline_finish();
    fflush(ctx->out);
    return ok ? 0 : 1;
}
