/* daemon: turning chronyd into a background process (fork, setsid, stdio on
 * /dev/null) with a pipe back to the process that started it, the pid file,
 * the directories chronyd creates, and the process-wide settings -P and -m. */
#ifndef CW_DAEMON_H
#define CW_DAEMON_H

#include <sys/types.h>

/* Detach from the terminal. Returns only in the daemon, whose stdio is then
 * /dev/null and whose working directory is /. The process that called this
 * waits: it exits 0 when the daemon closes the returned pipe descriptor
 * (start-up done), or prints the message the daemon wrote into it and exits 1.
 * Hand the descriptor to log_set_parent_fd(). Failure is fatal. */
int daemon_detach(void);

/* The pid of a live process named in the pid file at path, or 0 when the
 * file is missing, unreadable, stale or names this process. */
int daemon_pidfile_running(const char *path);
/* Write this process's pid to path (a temporary file renamed into place).
 * Returns 0, or -1 with errno set. */
int daemon_pidfile_write(const char *path);
void daemon_pidfile_remove(const char *path);

/* Create the directory (and missing parents, mode 0755). The directory itself
 * gets mode and, when created here, the owner uid:gid. An existing directory is
 * left alone. Returns 0, or -1 with errno set. */
int daemon_create_dir(const char *path, mode_t mode, uid_t uid, gid_t gid);

/* -P: SCHED_FIFO at priority (1..99, clamped to the system's range); errors
 * are logged. A priority outside 1..99 is fatal, as in chrony. */
void daemon_set_priority(int priority);
/* -m / lock_all: lock current and future memory into RAM; errors are logged. */
void daemon_lock_memory(void);

#endif
