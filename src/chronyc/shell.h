/* shell: where chronyc's commands come from. One-shot: the command-line
 * arguments (one command, or one per argument with -m). Otherwise lines from
 * stdin: on a terminal through libedit (prompt "chronyc> ", history, line
 * editing, completion of command names and arguments), else plain reads. */
#ifndef CW_CHRONYC_SHELL_H
#define CW_CHRONYC_SHELL_H

#include <stdbool.h>
#include <stdio.h>

#include "chronyc/commands.h"

#define SHELL_PROMPT "chronyc> "

/* SIGINT and SIGTERM ask the session to end (checked between commands, and
 * by anything that waits, through shell_quit_requested). */
void shell_install_signal_handlers(void);
bool shell_quit_requested(void);

/* True when stdin, stdout and stderr are all terminals (chrony's test for an
 * interactive session: banner, prompt, line editing). */
bool shell_on_terminal(void);

/* The greeting printed when an interactive session starts. */
void shell_print_banner(FILE *out);

/* Runs the commands given as arguments; without multi they form one command.
 * Stops at the first failure or quit. Returns the exit status (0 = success). */
int shell_run_args(struct commands_context *ctx, int argc, char **argv, bool multi);

/* Reads and runs lines from stdin until end of input, quit or a signal.
 * The exit status is that of the last command run (0 when none ran). */
int shell_run_input(struct commands_context *ctx, bool on_terminal);

#endif
