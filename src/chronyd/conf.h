/* conf: chronyd's configuration language. One table of directives parses
 * chrony.conf (and directives given on the command line) into typed settings
 * with chrony's defaults; -p prints the lines as they are read.
 *
 * CONTRACT used by main.c and the rest of chronyd (keep these names):
 *   conf_init, conf_set_print, conf_parse_line, conf_read_file, conf_finish,
 *   conf_settings() and the fields listed in struct conf_settings below.
 * The owner of conf.c may add fields and functions freely. */
#ifndef CW_CONF_H
#define CW_CONF_H

#include <stdbool.h>

struct conf_settings {
    char *pidfile;          /* pidfile, default CW_DEFAULT_PID_FILE; "" = none */
    char *user;             /* user, default CW_DEFAULT_USER */
    char *logdir;           /* logdir, default "" */
    char *driftfile;        /* driftfile, default "" */
    char *bindcmdpath;      /* Unix command socket, default CW_DEFAULT_SOCKET */
    int lock_all;           /* lock_all: mlockall (also -m) */
    int sched_priority;     /* sched_priority (also -P) */
    /* ... the owner of conf.c adds every other directive's typed value ... */
};

/* Reset every setting to chrony's default. */
void conf_init(void);
/* -p: print each configuration line as it is parsed (include lines expanded). */
void conf_set_print(bool print);
/* A directive given as a chronyd argument. Errors are fatal with chrony's text
 * ("Invalid directive at line N", "Could not parse X directive at line N"). */
void conf_parse_line(const char *line);
/* Read a configuration file; a missing file is fatal ("Could not open FILE : ..."). */
void conf_read_file(const char *path);
/* After all input: log one warning per directive whose feature is not built yet. */
void conf_finish(void);
const struct conf_settings *conf_settings(void);

#endif
