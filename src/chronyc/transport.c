/* transport: chronyc's sockets and the exchange of one request with chronyd.
 *
 * The client's Unix socket lives next to the daemon's, as chrony 4.8 puts it:
 * DIR/chronyc.PID/RANDOM/sock, where DIR holds the daemon's socket. The
 * socket is chmod 0666 so a daemon running as another user can answer; the
 * random, hidden middle directory (0711, owned by us) makes the chmod fail
 * rather than follow anything planted in DIR. (chrony 4.3 bound
 * DIR/chronyc.PID.sock directly; the daemon does not care where the client
 * socket is.) */
#include "chronyc/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "chronyc/names.h"
#include "common/cmdproto.h"
#include "common/mem.h"
#include "platform/random.h"

#define UNIX_PATH_MAX (sizeof ((struct sockaddr_un *)NULL)->sun_path)
#define RANDOM_DIR_CHARS 16
#define CLIENT_DIR_MODE 0711
#define CLIENT_SOCKET_MODE 0666
#define MS_PER_S 1000
#define NS_PER_MS 1000000

enum address_kind { ADDRESS_UNIX, ADDRESS_IP };

struct address {
    enum address_kind kind;
    char *path;                 /* ADDRESS_UNIX */
    addr_sock ip;               /* ADDRESS_IP */
};

struct transport {
    struct address *addrs;
    size_t n_addrs, cap_addrs;
    size_t current;             /* index of the address sock is open to */
    int sock;                   /* -1: none open */
    int version;                /* protocol version of our requests */
    bool (*quit_requested)(void);
    /* our Unix socket and the two directories above it, to remove */
    char sock_path[UNIX_PATH_MAX];
    char dir_pid[UNIX_PATH_MAX];
    char dir_random[UNIX_PATH_MAX];
};

static void add_address(struct transport *t, const struct address *a)
{
    t->addrs = mem_grow(t->addrs, &t->cap_addrs, t->n_addrs + 1, sizeof *t->addrs);
    t->addrs[t->n_addrs++] = *a;
}

struct transport *transport_new(const char *hosts, int port, int family)
{
    struct transport *t = mem_calloc(1, sizeof *t);
    t->sock = -1;
    t->version = CANDM_PROTO_VERSION;

    char *list = mem_strdup(hosts);
    for (char *word = list, *next; word && *word; word = next) {
        next = strchr(word, ',');
        if (next)
            *next++ = '\0';
        if (word[0] == '/') {
            add_address(t, &(struct address){ .kind = ADDRESS_UNIX, .path = mem_strdup(word) });
            continue;
        }
        addr_ip ips[TRANSPORT_MAX_ADDRESSES];
        int n = names_resolve(word, family, ips, TRANSPORT_MAX_ADDRESSES);
        for (int i = 0; i < n; i++) {
            add_address(t, &(struct address){
                .kind = ADDRESS_IP, .ip = { .ip = ips[i], .port = (uint16_t)port } });
        }
    }
    mem_free(list);
    return t;
}

void transport_set_quit_check(struct transport *t, bool (*quit_requested)(void))
{
    t->quit_requested = quit_requested;
}

int transport_version(const struct transport *t)
{
    return t->version;
}

static bool quit_requested(const struct transport *t)
{
    return t->quit_requested && t->quit_requested();
}

/* ---- sockets ---- */

static bool set_unix_address(struct sockaddr_un *sun, const char *path)
{
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sun->sun_path)
        return false;
    memcpy(sun->sun_path, path, strlen(path) + 1);
    return true;
}

static int new_socket(int domain)
{
    int s = socket(domain, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    int flags = fcntl(s, F_GETFL);
    if (flags < 0 || fcntl(s, F_SETFL, flags | O_NONBLOCK) < 0) {
        close(s);
        return -1;
    }
    return s;
}

/* True when a datagram socket can connect to path (the daemon is there). */
static bool unix_server_reachable(const char *path)
{
    struct sockaddr_un sun;
    if (!set_unix_address(&sun, path))
        return false;
    int s = new_socket(AF_UNIX);
    if (s < 0)
        return false;
    bool ok = connect(s, (struct sockaddr *)&sun, sizeof sun) == 0;
    close(s);
    return ok;
}

static void random_dir_name(char *name)
{
    static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint8_t bytes[RANDOM_DIR_CHARS];
    random_bytes(bytes, sizeof bytes);
    for (int i = 0; i < RANDOM_DIR_CHARS; i++)
        name[i] = alnum[bytes[i] % (sizeof alnum - 1)];
    name[RANDOM_DIR_CHARS] = '\0';
}

static void forget_client_paths(struct transport *t)
{
    t->sock_path[0] = t->dir_pid[0] = t->dir_random[0] = '\0';
}

static int open_unix(struct transport *t, const char *server)
{
    if (!unix_server_reachable(server))
        return -1;

    char random_name[RANDOM_DIR_CHARS + 1];
    random_dir_name(random_name);

    /* the directory of the daemon's socket */
    char dir[UNIX_PATH_MAX];
    const char *slash = strrchr(server, '/');
    size_t dir_len = slash && slash != server ? (size_t)(slash - server) : (slash ? 1 : 0);
    snprintf(dir, sizeof dir, "%.*s", (int)dir_len, dir_len ? server : ".");
    if (strcmp(dir, "/") == 0)
        dir[0] = '\0';

    if (snprintf(t->dir_pid, sizeof t->dir_pid, "%s/chronyc.%d", dir, (int)getpid()) >=
            (int)sizeof t->dir_pid ||
        snprintf(t->dir_random, sizeof t->dir_random, "%s/%s", t->dir_pid, random_name) >=
            (int)sizeof t->dir_random ||
        snprintf(t->sock_path, sizeof t->sock_path, "%s/sock", t->dir_random) >=
            (int)sizeof t->sock_path) {
        fprintf(stderr, "Server socket path %s is too long\n", server);
        forget_client_paths(t);
        return -1;
    }

    int dir_fd = -1, s = -1;
    struct stat st;
    if (mkdir(t->dir_pid, CLIENT_DIR_MODE) < 0 && errno != EEXIST) {
        fprintf(stderr, "Could not create %s : %s\n", t->dir_pid, strerror(errno));
        forget_client_paths(t);
        return -1;
    }
    dir_fd = open(t->dir_pid, O_RDONLY | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || fstat(dir_fd, &st) < 0) {
        fprintf(stderr, "Could not open/stat %s : %s\n", t->dir_pid, strerror(errno));
        goto remove_pid_dir;
    }
    if (!S_ISDIR(st.st_mode) || (st.st_mode & 0777 & ~CLIENT_DIR_MODE) != 0 ||
        st.st_uid != geteuid()) {
        fprintf(stderr, "Unexpected mode/owner of %s\n", t->dir_pid);
        goto remove_pid_dir;
    }
    if (mkdirat(dir_fd, random_name, CLIENT_DIR_MODE) < 0) {
        fprintf(stderr, "Could not create %s : %s\n", t->dir_random, strerror(errno));
        goto remove_pid_dir;
    }

    struct sockaddr_un local, remote;
    set_unix_address(&local, t->sock_path);
    set_unix_address(&remote, server);
    s = new_socket(AF_UNIX);
    if (s < 0 || bind(s, (struct sockaddr *)&local, sizeof local) < 0 ||
        connect(s, (struct sockaddr *)&remote, sizeof remote) < 0) {
        fprintf(stderr, "Could not bind/connect client Unix socket\n");
        goto remove_socket;
    }
    if (chmod(t->sock_path, CLIENT_SOCKET_MODE) < 0 ||
        chmod(t->dir_random, CLIENT_DIR_MODE) < 0 || fchmod(dir_fd, CLIENT_DIR_MODE) < 0) {
        fprintf(stderr, "Could not change socket or directory permissions : %s\n",
                strerror(errno));
        goto remove_socket;
    }
    close(dir_fd);
    return s;

remove_socket:
    if (s >= 0) {
        unlink(t->sock_path);
        close(s);
    }
    rmdir(t->dir_random);
remove_pid_dir:
    rmdir(t->dir_pid);
    if (dir_fd >= 0)
        close(dir_fd);
    forget_client_paths(t);
    return -1;
}

static int open_ip(const addr_sock *to)
{
    struct sockaddr_storage ss;
    size_t len = addr_to_sockaddr(to, (struct sockaddr *)&ss, sizeof ss);
    if (len == 0)
        return -1;
    int s = new_socket(ss.ss_family);
    if (s < 0)
        return -1;
    if (connect(s, (struct sockaddr *)&ss, (socklen_t)len) < 0) {
        close(s);
        return -1;
    }
    return s;
}

static void close_socket(struct transport *t)
{
    if (t->sock < 0)
        return;
    close(t->sock);
    t->sock = -1;
    if (t->sock_path[0])
        unlink(t->sock_path);
    if (t->dir_random[0])
        rmdir(t->dir_random);
    if (t->dir_pid[0])
        rmdir(t->dir_pid);
    forget_client_paths(t);
}

/* Moves on to the next address that can be opened (from the first when
 * nothing is open). When the list is exhausted, starts again from the first
 * next time and returns false. */
static bool open_next(struct transport *t)
{
    if (t->sock >= 0) {
        close_socket(t);
        t->current++;
    }
    for (; t->current < t->n_addrs; t->current++) {
        const struct address *a = &t->addrs[t->current];
        t->sock = a->kind == ADDRESS_UNIX ? open_unix(t, a->path) : open_ip(&a->ip);
        if (t->sock >= 0)
            return true;
        close_socket(t);
    }
    t->current = 0;
    return false;
}

bool transport_connect(struct transport *t)
{
    return open_next(t);
}

void transport_free(struct transport *t)
{
    if (!t)
        return;
    close_socket(t);
    for (size_t i = 0; i < t->n_addrs; i++)
        mem_free(t->addrs[i].path);
    mem_free(t->addrs);
    mem_free(t);
}

/* ---- one exchange ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / NS_PER_MS;
}

enum submit_result { SUBMIT_OK, SUBMIT_FAILED };

/* Attempts on the open socket: each with a new sequence number and twice
 * the wait of the one before. */
static enum submit_result submit(struct transport *t, const struct transport_msg *msg,
                                 int timeout_ms, int max_retries, uint8_t *reply, size_t cap,
                                 size_t *reply_len)
{
    uint8_t packet[CANDM_MAX_REQUEST_LEN];
    int n_attempts = 0;

    if (t->sock < 0)
        return SUBMIT_FAILED;

    for (;;) {
        if (n_attempts > max_retries)
            return SUBMIT_FAILED;

        uint32_t sequence;
        random_bytes(&sequence, sizeof sequence);
        struct cmdproto_request req = {
            .version = (uint8_t)t->version,
            .command = msg->command,
            .attempt = (uint16_t)n_attempts,
            .sequence = sequence,
            .data = msg->data,
            .data_len = msg->data_len,
            .padded_len = msg->padded_len,
        };
        size_t len = cmdproto_build_request(&req, packet, sizeof packet);
        if (len == 0)
            return SUBMIT_FAILED;
        n_attempts++;
        if (send(t->sock, packet, len, 0) < 0)
            return SUBMIT_FAILED;

        int64_t deadline = now_ms() + ((int64_t)timeout_ms << (n_attempts - 1));
        bool resend = false;
        while (!resend) {
            if (quit_requested(t))
                return SUBMIT_FAILED;
            int64_t left = deadline - now_ms();
            if (left <= 0)
                break;
            struct pollfd pfd = { .fd = t->sock, .events = POLLIN };
            int ready = poll(&pfd, 1, (int)left);
            if (ready < 0)
                return SUBMIT_FAILED;
            if (ready == 0)
                break;

            ssize_t n = recv(t->sock, reply, cap, 0);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                    continue;
                break;          /* e.g. refused: try again at once */
            }
            switch (cmdproto_check_reply(reply, (size_t)n, &req)) {
            case CMDPROTO_REPLY_OK:
                *reply_len = (size_t)n;
                return SUBMIT_OK;
            case CMDPROTO_REPLY_INVALID:
                continue;       /* not ours: keep waiting */
            case CMDPROTO_REPLY_OLD_VERSION:
                t->version = CANDM_PROTO_VERSION_NOPAD;
                n_attempts--;   /* this one does not count */
                resend = true;
                break;
            case CMDPROTO_REPLY_TOO_SHORT:
                resend = true;
                break;
            }
        }
    }
}

bool transport_exchange(struct transport *t, const struct transport_msg *msg, int timeout_ms,
                        int max_retries, uint8_t *reply, size_t cap, size_t *reply_len)
{
    while (submit(t, msg, timeout_ms, max_retries, reply, cap, reply_len) != SUBMIT_OK) {
        if (!open_next(t))
            return false;
    }
    return true;
}
