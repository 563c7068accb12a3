/* resolver: getaddrinfo() on a helper thread, results back through a
 * socketpair. See resolver.h.
 *
 * One thread per request, one request at a time: the thread reads only its
 * own request's name and writes only its result, then sends one byte; the
 * main thread reads the result after pthread_join(), which orders the two.
 * The queue itself is touched by the main thread alone, so no lock is needed. */
#include "platform/resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"

typedef struct request {
    struct request *next;
    char *name;
    int family;
    resolver_done done;
    void *arg;
    int wake_fd;            /* where the thread reports completion */
    bool cancelled;         /* set by the main thread; the thread never reads it */
    /* Written by the thread, read by the main thread after the join. */
    resolver_status status;
    int n_addrs;
    addr_ip addrs[RESOLVER_MAX_ADDRS];
} request;

/* The head is the request being resolved (or resolved and not yet delivered). */
static request *queue_head, *queue_tail;
static int pair_fd[2] = { -1, -1 };     /* [0]: the loop reads; [1]: the thread writes */
static pthread_t thread;
static bool thread_running;
static void (*fd_notify)(int fd, bool add);

/* ---- on the helper thread ---- */

/* What to keep of getaddrinfo()'s answer. */
struct keep {
    int family;                 /* ADDR_UNSPEC: both */
    bool scoped;                /* addresses that need a scope, without it */
    bool unique;                /* each address once */
};

static bool already_listed(const addr_ip *addrs, int n, const addr_ip *ip)
{
    for (int i = 0; i < n; i++)
        if (addr_equal(&addrs[i], ip))
            return true;
    return false;
}

/* getaddrinfo() for name; up to max addresses into out. Returns how many,
 * or -1 with the EAI_ code in *error. */
static int lookup(const char *name, int ai_flags, const struct keep *keep, addr_ip *out,
                  int max, int *error)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = keep->family == ADDR_INET4 ? AF_INET
                    : keep->family == ADDR_INET6 ? AF_INET6 : AF_UNSPEC;
    /* One entry per address rather than one per socket type. */
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = ai_flags;

    int r = getaddrinfo(name, NULL, &hints, &res);
    if (r != 0) {
        *error = r;
        return -1;
    }
    int n = 0;
    for (const struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
        addr_sock sa;
        if (!ai->ai_addr || !addr_from_sockaddr(ai->ai_addr, ai->ai_addrlen, &sa))
            continue;
        if (keep->family != ADDR_UNSPEC && sa.ip.family != keep->family)
            continue;
        /* addr_ip has no room for a scope: an address that needs one (link-
         * local) is usable without it only where the caller says so. */
        if (!keep->scoped && ai->ai_family == AF_INET6 &&
            ((const struct sockaddr_in6 *)ai->ai_addr)->sin6_scope_id != 0)
            continue;
        if (keep->unique && already_listed(out, n, &sa.ip))
            continue;
        out[n++] = sa.ip;
    }
    freeaddrinfo(res);
    return n;
}

static void resolve(request *req)
{
    const struct keep keep = { .family = req->family, .unique = true };
    int error = 0;
    int n = lookup(req->name, 0, &keep, req->addrs, RESOLVER_MAX_ADDRS, &error);
    if (n < 0) {
        req->n_addrs = 0;
        /* Worth retrying: the resolver could not be asked or did not answer
         * (EAI_AGAIN covers an unreachable or timing-out DNS server), or this
         * host ran short of memory or descriptors. Anything else is an answer. */
        req->status = error == EAI_AGAIN || error == EAI_MEMORY || error == EAI_SYSTEM
                      ? RESOLVER_TRY_AGAIN : RESOLVER_FAILED;
        return;
    }
    req->n_addrs = n;
    req->status = n > 0 ? RESOLVER_OK : RESOLVER_FAILED;
}

static void *worker(void *p)
{
    request *req = p;
    resolve(req);
    ssize_t r;
    do {
        r = send(req->wake_fd, "", 1, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    return NULL;
}

/* ---- on the main thread ---- */

static int open_pair(void)
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(fds[i], F_GETFD);
        if (fl < 0 || fcntl(fds[i], F_SETFD, fl | FD_CLOEXEC) < 0)
            goto fail;
    }
    /* The loop side must never block; the thread side may. */
    int fl = fcntl(fds[0], F_GETFL);
    if (fl < 0 || fcntl(fds[0], F_SETFL, fl | O_NONBLOCK) < 0)
        goto fail;
    pair_fd[0] = fds[0];
    pair_fd[1] = fds[1];
    if (fd_notify)
        fd_notify(pair_fd[0], true);
    return 0;

fail:;
    int saved = errno;
    close(fds[0]);
    close(fds[1]);
    errno = saved;
    return -1;
}

static void close_pair(void)
{
    if (pair_fd[0] < 0)
        return;
    if (fd_notify)
        fd_notify(pair_fd[0], false);
    close(pair_fd[0]);
    close(pair_fd[1]);
    pair_fd[0] = pair_fd[1] = -1;
}

/* Start resolving the head of the queue. */
static void start_head(void)
{
    request *req = queue_head;
    req->wake_fd = pair_fd[1];

    /* Signals belong to the main thread, where they interrupt poll(): the
     * helper inherits a mask that blocks them all. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int r = pthread_create(&thread, NULL, worker, req);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    if (r == 0) {
        thread_running = true;
        return;
    }
    /* No thread now; perhaps later. Report through the same path so the
     * callback still runs from resolver_process(). */
    LOG_DEBUG("Could not start resolver thread : %s", strerror(r));
    req->status = RESOLVER_TRY_AGAIN;
    req->n_addrs = 0;
    ssize_t w;
    do {
        w = send(pair_fd[1], "", 1, MSG_NOSIGNAL);
    } while (w < 0 && errno == EINTR);
}

static void free_request(request *req)
{
    mem_free(req->name);
    mem_free(req);
}

int resolver_request(const char *name, int family, resolver_done done, void *arg)
{
    addr_ip numeric;
    if (!name || name[0] == '\0' || strlen(name) > RESOLVER_MAX_NAME || !done ||
        (family != ADDR_UNSPEC && family != ADDR_INET4 && family != ADDR_INET6) ||
        addr_parse(name, &numeric)) {
        errno = EINVAL;
        return -1;
    }
    if (pair_fd[0] < 0 && open_pair() < 0) {
        int saved = errno;
        LOG_DEBUG("Could not open resolver socketpair : %s", strerror(saved));
        errno = saved;
        return -1;
    }

    request *req = mem_calloc(1, sizeof *req);
    req->name = mem_strdup(name);
    req->family = family;
    req->done = done;
    req->arg = arg;
    if (queue_tail)
        queue_tail->next = req;
    else
        queue_head = req;
    queue_tail = req;

    if (req == queue_head)
        start_head();
    return 0;
}

int resolver_fd(void) { return pair_fd[0]; }

void resolver_process(void)
{
    if (pair_fd[0] < 0 || !queue_head)
        return;
    char byte;
    ssize_t r;
    do {
        r = recv(pair_fd[0], &byte, 1, 0);
    } while (r < 0 && errno == EINTR);
    if (r <= 0)
        return;

    if (thread_running) {
        pthread_join(thread, NULL);
        thread_running = false;
    }
    request *req = queue_head;
    queue_head = req->next;
    if (!queue_head)
        queue_tail = NULL;

    /* Leave the module consistent before the callback, which may make or
     * cancel requests. */
    if (queue_head)
        start_head();
    else
        close_pair();

    if (!req->cancelled)
        req->done(req->arg, req->status, req->n_addrs > 0 ? req->addrs : NULL,
                  req->status == RESOLVER_OK ? req->n_addrs : 0);
    free_request(req);
}

void resolver_set_fd_notify(void (*notify)(int fd, bool add)) { fd_notify = notify; }

int resolver_cancel(resolver_done done, void *arg)
{
    int count = 0;
    request *prev = NULL;
    for (request *req = queue_head, *next; req; req = next) {
        next = req->next;
        if (req->done != done || req->arg != arg || req->cancelled) {
            prev = req;
            continue;
        }
        count++;
        if (req == queue_head) {
            /* Being resolved: the result is dropped when it arrives. */
            req->cancelled = true;
            prev = req;
            continue;
        }
        prev->next = next;
        if (queue_tail == req)
            queue_tail = prev;
        free_request(req);
    }
    return count;
}

int resolver_pending(void)
{
    int n = 0;
    for (const request *req = queue_head; req; req = req->next)
        if (!req->cancelled)
            n++;
    return n;
}

void resolver_finish(void)
{
    if (thread_running) {
        pthread_join(thread, NULL);
        thread_running = false;
    }
    while (queue_head) {
        request *req = queue_head;
        queue_head = req->next;
        free_request(req);
    }
    queue_tail = NULL;
    close_pair();
}

/* ---- blocking lookups ---- */

int resolver_lookup_blocking(const char *name, int family, unsigned flags, addr_ip *out,
                             int max)
{
    if (max <= 0 || (family != ADDR_UNSPEC && family != ADDR_INET4 && family != ADDR_INET6))
        return 0;
    addr_ip numeric;
    if (addr_parse(name, &numeric)) {
        if (family != ADDR_UNSPEC && numeric.family != family)
            return 0;
        out[0] = numeric;
        return 1;
    }
    const struct keep keep = { .family = family, .scoped = flags & RESOLVER_SCOPED };
    int error;
    int n = lookup(name, flags & RESOLVER_ADDRCONFIG ? AI_ADDRCONFIG : 0, &keep, out, max, &error);
    return n > 0 ? n : 0;
}

bool resolver_name_blocking(const addr_ip *ip, char *name, size_t len)
{
    struct sockaddr_storage ss;
    addr_sock sa = { .ip = *ip, .port = 0 };
    size_t slen = addr_to_sockaddr(&sa, (struct sockaddr *)&ss, sizeof ss);
    /* no flags: an address without a name comes back as its text */
    return slen > 0 && len > 0 &&
           getnameinfo((struct sockaddr *)&ss, (socklen_t)slen, name, (socklen_t)len, NULL, 0,
                       0) == 0;
}
