/* daemon: detaching from the terminal, the pid file, directories, and the
 * process-wide scheduling and memory-locking settings. Messages and fatal
 * errors use chrony's texts because people and scripts compare them. */
#include "platform/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"
#include "platform/files.h"

#define DEV_NULL "/dev/null"
/* Descriptors below this are closed in the daemon (inherited ones included). */
#define DAEMON_MAX_INHERITED_FD 1024
/* Room for the fatal message a failed daemon sends to its parent. */
#define PARENT_MESSAGE_MAX 2048
#define PIDFILE_MODE 0644
/* A pid file is read this far: a pid and its newline, with room to spare. */
#define PIDFILE_HEAD_BYTES 64
#define PARENT_DIR_MODE 0755
#define MIN_SCHED_PRIORITY 1
#define MAX_SCHED_PRIORITY 99

/* In the process that started the daemon: wait for the verdict on the pipe. */
static _Noreturn void wait_for_daemon(pid_t child, int read_fd)
{
    char message[PARENT_MESSAGE_MAX];
    size_t len = 0;

    /* The intermediate process exits at once; reap it so no zombie is left. */
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    for (;;) {
        ssize_t n = read(read_fd, message + len, sizeof message - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == sizeof message - 1)
            break;
    }
    if (len == 0)
        exit(0);
    message[len] = '\0';
    fprintf(stderr, "%s\n", message);
    exit(1);
}

int daemon_detach(void)
{
    int pipefd[2];

    if (pipe(pipefd) < 0)
        LOG_FATAL("pipe() failed : %s", strerror(errno));
    /* Buffered output must not be written twice by the children. */
    fflush(NULL);

    pid_t pid = fork();
    if (pid < 0)
        LOG_FATAL("fork() failed : %s", strerror(errno));
    if (pid > 0) {
        close(pipefd[1]);
        wait_for_daemon(pid, pipefd[0]);
    }

    close(pipefd[0]);
    setsid();
    /* Fork again so the daemon, not a session leader, can never reacquire a
     * controlling terminal. */
    pid = fork();
    if (pid < 0)
        LOG_FATAL("fork() failed : %s", strerror(errno));
    if (pid > 0)
        _exit(0);

    if (chdir("/") < 0)
        LOG_FATAL("chdir() failed : %s", strerror(errno));

    for (int fd = 0; fd < DAEMON_MAX_INHERITED_FD; fd++)
        if (fd != pipefd[1])
            close(fd);
    log_set_parent_fd(pipefd[1]);

    errno = 0;
    if (open(DEV_NULL, O_RDONLY) != STDIN_FILENO || open(DEV_NULL, O_WRONLY) != STDOUT_FILENO ||
        open(DEV_NULL, O_RDWR) != STDERR_FILENO)
        LOG_FATAL("Could not open %s : %s", DEV_NULL, strerror(errno));
    return pipefd[1];
}

int daemon_pidfile_running(const char *path)
{
    char text[PIDFILE_HEAD_BYTES];
    int pid;

    if (files_read_head(path, text, sizeof text) < 0)
        return 0;
    if (sscanf(text, "%d", &pid) != 1 || pid <= 0 || pid == (int)getpid())
        return 0;
    /* getsid() succeeds for any existing process, even another user's. */
    if (getsid(pid) < 0)
        return 0;
    return pid;
}

int daemon_pidfile_write(const char *path)
{
    files_out *out = files_replace_begin(path, PIDFILE_MODE);
    if (!out)
        return -1;
    files_out_printf(out, "%d\n", (int)getpid());
    return files_replace_commit(out) == FILES_REPLACED ? 0 : -1;
}

void daemon_pidfile_remove(const char *path)
{
    if (files_remove(path) < 0 && errno != ENOENT)
        LOG_ERR("Could not remove %s : %s", path, strerror(errno));
}

static int make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid, bool set_owner)
{
    if (mkdir(path, mode) < 0) {
        if (errno == EEXIST) {
            struct stat st;
            if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
                return 0;
            errno = ENOTDIR;
        }
        LOG_ERR("Could not create directory %s : %s", path, strerror(errno));
        return -1;
    }
    if (set_owner && chown(path, uid, gid) < 0) {
        LOG_ERR("Could not change ownership of %s : %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int daemon_create_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;

    /* Create the missing parents first, one component at a time. */
    char *p = mem_strdup(path);
    for (char *slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (stat(p, &st) < 0 && make_dir(p, PARENT_DIR_MODE, 0, 0, false) < 0) {
            mem_free(p);
            return -1;
        }
        *slash = '/';
    }
    mem_free(p);
    return make_dir(path, mode, uid, gid, true);
}

void daemon_set_priority(int priority)
{
    if (priority < MIN_SCHED_PRIORITY || priority > MAX_SCHED_PRIORITY)
        LOG_FATAL("Bad scheduler priority: %d", priority);

    struct sched_param param = { .sched_priority = priority };
    int max = sched_get_priority_max(SCHED_FIFO), min = sched_get_priority_min(SCHED_FIFO);
    if (param.sched_priority > max)
        param.sched_priority = max;
    else if (param.sched_priority < min)
        param.sched_priority = min;

    if (sched_setscheduler(0, SCHED_FIFO, &param) < 0)
        LOG_ERR("sched_setscheduler() failed : %s", strerror(errno));
    else
        LOG_DEBUG("Enabled SCHED_FIFO with priority %d", param.sched_priority);
}

void daemon_lock_memory(void)
{
    /* Unlimited, so the lock still covers memory allocated after a later
     * privilege drop. This reserves nothing by itself. */
    struct rlimit rlim = { .rlim_cur = RLIM_INFINITY, .rlim_max = RLIM_INFINITY };

    if (setrlimit(RLIMIT_MEMLOCK, &rlim) < 0)
        LOG_ERR("setrlimit() failed : %s", strerror(errno));
    else if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
        LOG_ERR("mlockall() failed : %s", strerror(errno));
    else
        LOG_DEBUG("Successfully locked into RAM");
}
