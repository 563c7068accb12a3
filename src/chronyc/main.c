/* chronyc: the control client. Parses the command line, then runs the
 * commands given as arguments or read from stdin (an interactive shell on a
 * terminal). The exit status is 0 when the last command succeeded. */
#include "chronyc/cliopts.h"
#include "chronyc/commands.h"
#include "chronyc/shell.h"
#include "chronyc/transport.h"
#include "platform/privdrop.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    struct cliopts opts;
    switch (cliopts_parse(argc, argv, &opts)) {
    case CLIOPTS_HELP:
        cliopts_print_usage(stdout, argv[0]);
        return 0;
    case CLIOPTS_VERSION:
        cliopts_print_version(stdout);
        return 0;
    case CLIOPTS_BAD:
        cliopts_print_usage(stdout, argv[0]);
        return 1;
    case CLIOPTS_RUN:
        break;
    }

    /* -u: as chrony 4.8, root becomes the user first of all, so every
     * socket and directory is made with the user's rights (the Unix socket
     * then works only where the user may reach the daemon's, and the
     * addresses after it are tried otherwise). */
    const char *user = cliopts_user_to_switch_to(&opts, privdrop_running_as_root());
    if (user) {
        char msg[PRIVDROP_MESSAGE_MAX];
        if (!privdrop_switch_user(user, msg, sizeof msg)) {
            fprintf(stderr, "%s\n", msg);
            return 1;
        }
    }

    struct commands_context ctx;
    commands_init_context(&ctx);
    ctx.hosts = opts.hosts ? opts.hosts : cliopts_default_hosts();
    ctx.port = opts.port;
    ctx.family = opts.family;
    ctx.no_dns = opts.no_dns;
    ctx.source_names = opts.source_names;
    ctx.csv = opts.csv;
    ctx.end_dot = opts.end_dot;

    shell_install_signal_handlers();
    ctx.quit_requested = shell_quit_requested;
    bool on_terminal = shell_on_terminal();
    bool interactive = opts.first_command >= argc;

    if (interactive && on_terminal)
        shell_print_banner(stdout);

    /* As chronyc does, the daemon's address is chosen before any command
     * runs, and having none that can be opened is fatal. */
    ctx.transport = transport_new(ctx.hosts, ctx.port, ctx.family);
    transport_set_quit_check(ctx.transport, shell_quit_requested);
    if (!transport_connect(ctx.transport)) {
        fprintf(stderr, "Could not open connection to daemon\n");
        transport_free(ctx.transport);
        return 1;
    }

    int status = interactive ? shell_run_input(&ctx, on_terminal)
                             : shell_run_args(&ctx, argc - opts.first_command,
                                              argv + opts.first_command, opts.multi);
    transport_free(ctx.transport);
    return status;
}
