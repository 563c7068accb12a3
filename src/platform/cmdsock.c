/* cmdsock: chronyd's Unix command socket. See cmdsock.h. */
#include "platform/cmdsock.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"

/* Bits of the directory's mode that must not be set: any access by others. */
#define DIR_ALLOWED_PERMS 0770
#define SOCKET_MODE 0666

/* The directory part of path ("/" for "/x", "." for a bare name). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return mem_strdup(".");
    return mem_strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

bool cmdsock_check_dir(const char *path, uid_t uid, gid_t gid)
{
    char *dir = dir_of(path);
    struct stat st;
    bool ok = false;

    if (stat(dir, &st) < 0)
        LOG_ERR("Could not access %s : %s", dir, strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        LOG_ERR("%s is not directory", dir);
    else if ((st.st_mode & 0777) & ~DIR_ALLOWED_PERMS)
        LOG_ERR("Wrong permissions on %s", dir);
    else if (st.st_uid != uid)
        LOG_ERR("Wrong owner of %s (%s != %u)", dir, "UID", (unsigned)uid);
    else if (st.st_gid != gid)
        LOG_ERR("Wrong owner of %s (%s != %u)", dir, "GID", (unsigned)gid);
    else
        ok = true;
    mem_free(dir);
    return ok;
}

static bool set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return false;
    fl = fcntl(fd, F_GETFD);
    return fl >= 0 && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) >= 0;
}

int cmdsock_open_unix(const char *path, uid_t uid, gid_t gid)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    if (!cmdsock_check_dir(path, uid, gid)) {
        LOG_WARN("Disabled command socket %s", path);
        return -1;
    }
    if (strlen(path) >= sizeof sun.sun_path) {
        LOG_ERR("Unix socket path %s too long", path);
        return -1;
    }
    strcpy(sun.sun_path, path);

    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0 || !set_flags(fd)) {
        LOG_ERR("Could not open command socket on %s : %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (unlink(path) < 0 && errno != ENOENT)
        LOG_DEBUG("Could not remove %s : %s", path, strerror(errno));
    if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
        LOG_ERR("Could not bind Unix socket to %s : %s", path, strerror(errno));
        LOG_ERR("Could not open command socket on %s", path);
        close(fd);
        return -1;
    }
    /* Who may connect is decided by the directory's permissions. */
    if (chmod(path, SOCKET_MODE) < 0)
        LOG_ERR("Could not change permissions of %s : %s", path, strerror(errno));
    return fd;
}

void cmdsock_close_unix(int fd, const char *path)
{
    if (fd < 0)
        return;
    close(fd);
    if (path && unlink(path) < 0 && errno != ENOENT)
        LOG_DEBUG("Could not remove %s : %s", path, strerror(errno));
}

long cmdsock_recv_unix(int fd, void *buf, size_t cap, bool *truncated,
                       struct cmdsock_peer *peer)
{
    struct iovec iov = { .iov_base = buf, .iov_len = cap };
    struct msghdr msg = {
        .msg_name = &peer->addr,
        .msg_namelen = sizeof peer->addr,
        .msg_iov = &iov,
        .msg_iovlen = 1,
    };
    memset(&peer->addr, 0, sizeof peer->addr);
    ssize_t n;
    do {
        n = recvmsg(fd, &msg, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    *truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    /* an unnamed socket has only the family, or nothing */
    peer->len = msg.msg_namelen > offsetof(struct sockaddr_un, sun_path) &&
                peer->addr.sun_family == AF_UNIX && peer->addr.sun_path[0] != '\0'
                    ? msg.msg_namelen : 0;
    return (long)n;
}

int cmdsock_send_unix(int fd, const void *buf, size_t len, const struct cmdsock_peer *peer)
{
    ssize_t n;
    do {
        n = sendto(fd, buf, len, 0, (const struct sockaddr *)&peer->addr, peer->len);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}
