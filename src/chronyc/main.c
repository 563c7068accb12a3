/* chronyc: the control client. Parses the command line, then runs the
 * commands given as arguments or read from stdin (an interactive shell on a
 * terminal). The exit status is 0 when the last command succeeded. */
#include "chronyc/cliopts.h"
#include "chronyc/commands.h"
#include "chronyc/shell.h"

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
    bool on_terminal = shell_on_terminal();

    if (opts.first_command < argc)
        return shell_run_args(&ctx, argc - opts.first_command, argv + opts.first_command,
                              opts.multi);

    if (on_terminal)
        shell_print_banner(stdout);
    return shell_run_input(&ctx, on_terminal);
}
