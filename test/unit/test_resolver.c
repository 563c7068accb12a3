/* Tests of platform/resolver (and of chronyd's configuration lookup, which
 * uses its blocking lookup). Name resolution must never leave this host, so
 * the test first moves itself into private network and mount namespaces:
 * only a loopback interface exists there, and /etc/hosts, /etc/resolv.conf
 * and /etc/nsswitch.conf are replaced (for this process only) by files that
 * name a DNS server on 127.0.0.1:53 which the test itself plays, answering
 * NXDOMAIN or SERVFAIL. (The documentation addresses 2001:db8::/32 are only
 * listed there, never sent to.) Where namespaces are not available the tests
 * that resolve names print SKIP. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chronyd/conf_resolve.h"
#include "common/addr.h"
#include "platform/resolver.h"

/* ---- the sandbox ---- */

static const char hosts_text[] =
    "127.0.0.1 localhost\n"
    "::1 localhost\n"
    "127.0.0.2 ntp-a.cw.test\n"
    "127.0.0.3 multi.cw.test\n"
    "127.0.0.4 multi.cw.test\n"
    "2001:db8::5 multi.cw.test\n"
    "2001:db8::6 six.cw.test\n";
static const char resolv_text[] = "nameserver 127.0.0.1\noptions attempts:1 timeout:1\n";
static const char nsswitch_text[] = "hosts: files dns\n";

#define DNS_PORT 53
#define WAIT_LIMIT_S 10.0          /* longest a test waits for its callbacks */

static int sandbox_state;          /* 0: not tried; 1: inside; -1: unavailable */
static int dns_fd = -1;            /* the fake DNS server's socket */

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Bind-mount a temporary file holding text over target. */
static int replace_file(const char *target, const char *text)
{
    char tmp[] = "/tmp/cw-resolver-test.XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    fchmod(fd, 0644);
    close(fd);
    int r = n == (ssize_t)strlen(text) ? mount(tmp, target, NULL, MS_BIND, NULL) : -1;
    unlink(tmp);
    return r;
}

static int loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int r = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (r == 0) {
        ifr.ifr_flags |= IFF_UP;
        r = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
    return r;
}

static int dns_start(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        return -1;
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(DNS_PORT),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(s, (struct sockaddr *)&sin, sizeof sin) < 0) {
        close(s);
        return -1;
    }
    dns_fd = s;
    return 0;
}

static void dns_stop(void)
{
    if (dns_fd >= 0)
        close(dns_fd);
    dns_fd = -1;
}

/* Enter the namespaces (once, while the process has a single thread). */
static bool sandbox(void)
{
    if (sandbox_state)
        return sandbox_state > 0;
    sandbox_state = -1;

    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0)
            return false;
        char map[64];
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
        write_file("/proc/self/setgroups", "deny\n");
        if (write_file("/proc/self/uid_map", map) < 0)
            return false;
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
        if (write_file("/proc/self/gid_map", map) < 0)
            return false;
    }
    /* Without this the bind mounts below would propagate to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return false;
    if (replace_file("/etc/hosts", hosts_text) < 0 ||
        replace_file("/etc/resolv.conf", resolv_text) < 0 ||
        replace_file("/etc/nsswitch.conf", nsswitch_text) < 0 ||
        loopback_up() < 0 || dns_start() < 0)
        return false;
    sandbox_state = 1;
    return true;
}

static bool need_sandbox(const char *test)
{
    if (sandbox())
        return true;
    printf("SKIP %s (no private network namespace to resolve names in)\n", test);
    return false;
}

/* ---- the fake DNS server: NXDOMAIN for every name but servfail.* ---- */

#define DNS_HEADER_BYTES 12
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3

static void dns_answer(void)
{
    uint8_t q[512];
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    ssize_t n = recvfrom(dns_fd, q, sizeof q, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
    if (n < DNS_HEADER_BYTES)
        return;
    /* Find the end of the question (name labels, type, class). */
    size_t pos = DNS_HEADER_BYTES;
    char first_label[64] = "";
    while (pos < (size_t)n && q[pos] != 0) {
        size_t label = q[pos];
        if (pos == DNS_HEADER_BYTES && label < sizeof first_label && pos + 1 + label <= (size_t)n) {
            memcpy(first_label, &q[pos + 1], label);
            first_label[label] = '\0';
        }
        pos += 1 + label;
    }
    pos += 1 + 4;
    if (pos > (size_t)n)
        return;
    int rcode = strcmp(first_label, "servfail") == 0 ? DNS_RCODE_SERVFAIL : DNS_RCODE_NXDOMAIN;
    q[2] = (uint8_t)(0x80 | (q[2] & 0x79));         /* response, same opcode and RD */
    q[3] = (uint8_t)(0x80 | rcode);                 /* recursion available */
    memset(&q[6], 0, 6);                            /* no answer, authority, additional */
    sendto(dns_fd, q, pos, 0, (struct sockaddr *)&from, from_len);
}

/* ---- helpers ---- */

typedef struct {
    int calls;
    resolver_status status;
    int n;
    addr_ip addrs[RESOLVER_MAX_ADDRS];
    int order;                  /* sequence number of the call */
} result;

static int call_seq;
static bool in_process;         /* true only inside resolver_process() */
static bool called_outside;     /* a callback ran outside resolver_process() */

static void on_done(void *arg, resolver_status status, const addr_ip *addrs, int n)
{
    result *r = arg;
    if (!in_process)
        called_outside = true;
    r->calls++;
    r->status = status;
    r->n = n;
    r->order = ++call_seq;
    for (int i = 0; i < n && i < RESOLVER_MAX_ADDRS; i++)
        r->addrs[i] = addrs[i];
}

static int notify_adds, notify_removes, notify_fd = -1;

static void on_notify(int fd, bool add)
{
    if (add) {
        notify_adds++;
        notify_fd = fd;
    } else {
        notify_removes++;
        if (fd != notify_fd)
            notify_fd = -2;     /* removal of a descriptor never announced */
    }
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The event loop a daemon would run: poll the resolver (and the fake DNS
 * server), process what is ready, until the resolver is idle. */
static bool run_until_idle(void)
{
    double end = mono_now() + WAIT_LIMIT_S;
    while (resolver_fd() >= 0) {
        if (mono_now() > end)
            return false;
        struct pollfd p[2];
        int n = 0;
        p[n++] = (struct pollfd){ .fd = resolver_fd(), .events = POLLIN };
        if (dns_fd >= 0)
            p[n++] = (struct pollfd){ .fd = dns_fd, .events = POLLIN };
        if (poll(p, (nfds_t)n, 100) <= 0)
            continue;
        if (n > 1 && (p[1].revents & POLLIN))
            dns_answer();
        if (p[0].revents & POLLIN) {
            in_process = true;
            resolver_process();
            in_process = false;
        }
    }
    return true;
}

static bool has_addr(const result *r, const char *text)
{
    addr_ip want;
    if (!addr_parse(text, &want))
        return false;
    for (int i = 0; i < r->n; i++)
        if (addr_equal(&r->addrs[i], &want))
            return true;
    return false;
}

static void reset_counters(void)
{
    notify_adds = notify_removes = 0;
    notify_fd = -1;
    called_outside = false;
    call_seq = 0;
}

/* ---- tests ---- */

TEST(idle_and_bad_requests)
{
    /* First test: enters the sandbox while the process has one thread. */
    sandbox();
    CHECK_INT(resolver_fd(), -1);
    CHECK_INT(resolver_pending(), 0);
    resolver_process();

    result r = { 0 };
    static const char *bad[] = { "127.0.0.1", "::1", "2001:db8::5", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CHECK_INT(resolver_request(bad[i], ADDR_UNSPEC, on_done, &r), -1);
        CHECK_INT(errno, EINVAL);
    }
    CHECK_INT(resolver_request("localhost", ADDR_UNSPEC, NULL, &r), -1);
    CHECK_INT(resolver_request("localhost", 9, on_done, &r), -1);
    char longname[RESOLVER_MAX_NAME + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK_INT(resolver_request(longname, ADDR_UNSPEC, on_done, &r), -1);
    CHECK_INT(resolver_fd(), -1);
    CHECK_INT(r.calls, 0);
}

TEST(resolve_localhost)
{
    if (!need_sandbox("resolve_localhost"))
        return;
    reset_counters();
    resolver_set_fd_notify(on_notify);
    result r = { 0 };
    CHECK_INT(resolver_request("localhost", ADDR_UNSPEC, on_done, &r), 0);
    int fd = resolver_fd();
    CHECK(fd >= 0);
    CHECK_INT(notify_adds, 1);
    CHECK_INT(notify_fd, fd);
    CHECK_INT(resolver_pending(), 1);

    /* The answer waits on the descriptor until the loop processes it. */
    struct pollfd p = { .fd = fd, .events = POLLIN };
    CHECK_INT(poll(&p, 1, (int)(WAIT_LIMIT_S * 1000)), 1);
    CHECK_INT(r.calls, 0);

    CHECK(run_until_idle());
    CHECK_INT(r.calls, 1);
    CHECK(!called_outside);
    CHECK_INT(r.status, RESOLVER_OK);
    CHECK_INT(r.n, 2);
    CHECK(has_addr(&r, "127.0.0.1"));
    CHECK(has_addr(&r, "::1"));
    CHECK_INT(resolver_fd(), -1);
    CHECK_INT(resolver_pending(), 0);
    CHECK_INT(notify_removes, 1);
    CHECK_INT(notify_fd, fd);
    resolver_set_fd_notify(NULL);
}

TEST(family_preference)
{
    if (!need_sandbox("family_preference"))
        return;
    reset_counters();
    result any = { 0 }, v4 = { 0 }, v6 = { 0 }, none = { 0 };
    CHECK_INT(resolver_request("multi.cw.test", ADDR_UNSPEC, on_done, &any), 0);
    CHECK_INT(resolver_request("multi.cw.test", ADDR_INET4, on_done, &v4), 0);
    CHECK_INT(resolver_request("multi.cw.test", ADDR_INET6, on_done, &v6), 0);
    CHECK_INT(resolver_request("six.cw.test", ADDR_INET4, on_done, &none), 0);
    CHECK(run_until_idle());

    CHECK_INT(any.status, RESOLVER_OK);
    CHECK_INT(any.n, 3);
    CHECK(has_addr(&any, "127.0.0.3") && has_addr(&any, "127.0.0.4") && has_addr(&any, "2001:db8::5"));
    CHECK_INT(v4.status, RESOLVER_OK);
    CHECK_INT(v4.n, 2);
    CHECK(has_addr(&v4, "127.0.0.3") && has_addr(&v4, "127.0.0.4"));
    CHECK_INT(v6.status, RESOLVER_OK);
    CHECK_INT(v6.n, 1);
    CHECK(has_addr(&v6, "2001:db8::5"));
    CHECK_INT(none.status, RESOLVER_FAILED);
    CHECK_INT(none.n, 0);
}

TEST(unknown_name_fails)
{
    if (!need_sandbox("unknown_name_fails"))
        return;
    reset_counters();
    result r = { 0 };
    CHECK_INT(resolver_request("no-such-host.invalid", ADDR_UNSPEC, on_done, &r), 0);
    CHECK(run_until_idle());
    CHECK_INT(r.calls, 1);
    CHECK_INT(r.status, RESOLVER_FAILED);
    CHECK_INT(r.n, 0);
}

TEST(server_failure_is_temporary)
{
    if (!need_sandbox("server_failure_is_temporary"))
        return;
    reset_counters();
    result r = { 0 };
    CHECK_INT(resolver_request("servfail.cw.test", ADDR_INET4, on_done, &r), 0);
    CHECK(run_until_idle());
    CHECK_INT(r.calls, 1);
    CHECK_INT(r.status, RESOLVER_TRY_AGAIN);
}

TEST(queued_requests_in_order)
{
    if (!need_sandbox("queued_requests_in_order"))
        return;
    reset_counters();
    resolver_set_fd_notify(on_notify);
    result r[4] = { { 0 } };
    CHECK_INT(resolver_request("ntp-a.cw.test", ADDR_UNSPEC, on_done, &r[0]), 0);
    CHECK_INT(resolver_request("gone.invalid", ADDR_UNSPEC, on_done, &r[1]), 0);
    CHECK_INT(resolver_request("localhost", ADDR_INET4, on_done, &r[2]), 0);
    CHECK_INT(resolver_request("ntp-a.cw.test", ADDR_INET4, on_done, &r[3]), 0);
    CHECK_INT(resolver_pending(), 4);
    CHECK(run_until_idle());
    for (int i = 0; i < 4; i++) {
        CHECK_INT(r[i].calls, 1);
        CHECK_INT(r[i].order, i + 1);
    }
    CHECK_INT(r[0].status, RESOLVER_OK);
    CHECK(r[0].n == 1 && has_addr(&r[0], "127.0.0.2"));
    CHECK_INT(r[1].status, RESOLVER_FAILED);
    CHECK(r[2].n == 1 && has_addr(&r[2], "127.0.0.1"));
    CHECK(r[3].n == 1 && has_addr(&r[3], "127.0.0.2"));
    /* One descriptor served the whole queue. */
    CHECK_INT(notify_adds, 1);
    CHECK_INT(notify_removes, 1);
    CHECK(!called_outside);
    resolver_set_fd_notify(NULL);
}

static result chained_second;

static void request_again(void *arg, resolver_status status, const addr_ip *addrs, int n)
{
    on_done(arg, status, addrs, n);
    CHECK_INT(resolver_request("ntp-a.cw.test", ADDR_INET4, on_done, &chained_second), 0);
}

TEST(request_from_callback)
{
    if (!need_sandbox("request_from_callback"))
        return;
    reset_counters();
    memset(&chained_second, 0, sizeof chained_second);
    result first = { 0 };
    CHECK_INT(resolver_request("localhost", ADDR_INET4, request_again, &first), 0);
    CHECK(run_until_idle());
    CHECK_INT(first.calls, 1);
    CHECK_INT(chained_second.calls, 1);
    CHECK_INT(chained_second.status, RESOLVER_OK);
    CHECK(has_addr(&chained_second, "127.0.0.2"));
    CHECK_INT(resolver_fd(), -1);
}

TEST(cancel)
{
    if (!need_sandbox("cancel"))
        return;
    reset_counters();
    result a = { 0 }, b = { 0 }, c = { 0 };
    CHECK_INT(resolver_request("localhost", ADDR_UNSPEC, on_done, &a), 0);
    CHECK_INT(resolver_request("multi.cw.test", ADDR_UNSPEC, on_done, &b), 0);
    CHECK_INT(resolver_request("ntp-a.cw.test", ADDR_UNSPEC, on_done, &c), 0);
    CHECK_INT(resolver_request("six.cw.test", ADDR_UNSPEC, on_done, &b), 0);
    CHECK_INT(resolver_cancel(on_done, &b), 2);     /* both queued behind a */
    CHECK_INT(resolver_cancel(on_done, &a), 1);     /* the one being resolved */
    CHECK_INT(resolver_cancel(on_done, &a), 0);
    CHECK_INT(resolver_pending(), 1);
    CHECK(run_until_idle());
    CHECK_INT(a.calls, 0);
    CHECK_INT(b.calls, 0);
    CHECK_INT(c.calls, 1);
    CHECK(has_addr(&c, "127.0.0.2"));
}

/* With no DNS server at all, a name not in /etc/hosts is "try again later". */
TEST(no_dns_server_is_temporary)
{
    if (!need_sandbox("no_dns_server_is_temporary"))
        return;
    reset_counters();
    dns_stop();
    result r = { 0 }, local = { 0 };
    CHECK_INT(resolver_request("ntp.example.invalid", ADDR_UNSPEC, on_done, &r), 0);
    CHECK_INT(resolver_request("localhost", ADDR_INET4, on_done, &local), 0);
    CHECK(run_until_idle());
    CHECK_INT(r.calls, 1);
    CHECK_INT(r.status, RESOLVER_TRY_AGAIN);
    CHECK_INT(local.status, RESOLVER_OK);
    dns_start();
}

TEST(finish_with_requests_pending)
{
    if (!need_sandbox("finish_with_requests_pending"))
        return;
    reset_counters();
    resolver_set_fd_notify(on_notify);
    result a = { 0 }, b = { 0 };
    CHECK_INT(resolver_request("localhost", ADDR_UNSPEC, on_done, &a), 0);
    CHECK_INT(resolver_request("multi.cw.test", ADDR_UNSPEC, on_done, &b), 0);
    resolver_finish();
    CHECK_INT(resolver_fd(), -1);
    CHECK_INT(resolver_pending(), 0);
    CHECK_INT(notify_adds, 1);
    CHECK_INT(notify_removes, 1);
    resolver_process();
    CHECK_INT(a.calls + b.calls, 0);

    /* Usable again afterwards. */
    CHECK_INT(resolver_request("localhost", ADDR_INET4, on_done, &a), 0);
    CHECK(run_until_idle());
    CHECK_INT(a.calls, 1);
    resolver_set_fd_notify(NULL);
}

/* The blocking lookup: numeric addresses answer themselves, names come
 * from /etc/hosts, a name nobody can resolve gives nothing. */
TEST(blocking_lookup)
{
    addr_ip out[RESOLVER_MAX_ADDRS];
    result r = { 0 };
    CHECK_INT(resolver_lookup_blocking("192.0.2.1", ADDR_UNSPEC, 0, out, 4), 1);
    CHECK_INT(resolver_lookup_blocking("192.0.2.1", ADDR_INET6, 0, out, 4), 0);
    CHECK_INT(resolver_lookup_blocking("2001:db8::5", ADDR_INET6, 0, out, 4), 1);
    CHECK_INT(out[0].family, ADDR_INET6);
    CHECK_INT(resolver_lookup_blocking("192.0.2.1", ADDR_UNSPEC, 0, out, 0), 0);
    CHECK_INT(resolver_lookup_blocking("192.0.2.1", 9, 0, out, 4), 0);
    if (!need_sandbox("blocking_lookup"))
        return;

    r.n = resolver_lookup_blocking("multi.cw.test", ADDR_UNSPEC, 0, r.addrs, RESOLVER_MAX_ADDRS);
    CHECK_INT(r.n, 3);
    CHECK(has_addr(&r, "127.0.0.3") && has_addr(&r, "127.0.0.4") && has_addr(&r, "2001:db8::5"));
    r.n = resolver_lookup_blocking("multi.cw.test", ADDR_INET4, 0, r.addrs, RESOLVER_MAX_ADDRS);
    CHECK_INT(r.n, 2);
    CHECK(has_addr(&r, "127.0.0.3") && has_addr(&r, "127.0.0.4"));
    CHECK_INT(resolver_lookup_blocking("multi.cw.test", ADDR_INET6, 0, out, 1), 1);
    CHECK_INT(resolver_lookup_blocking("six.cw.test", ADDR_INET4, 0, out, 1), 0);

    /* chronyd's configuration lookup (allow/deny and such) goes here too */
    addr_ip ip, want;
    CHECK(conf_resolve_name("ntp-a.cw.test", &ip));
    CHECK(addr_parse("127.0.0.2", &want) && addr_equal(&ip, &want));
    CHECK(conf_resolve_name("192.0.2.7", &ip));

    /* the reverse lookup, from the hosts file as well */
    char name[RESOLVER_MAX_NAME + 1];
    CHECK(resolver_name_blocking(&want, name, sizeof name));
    CHECK_STR(name, "ntp-a.cw.test");

    /* no DNS server answers (port unreachable): nothing, at once */
    dns_stop();
    CHECK_INT(resolver_lookup_blocking("ntp.example.invalid", ADDR_UNSPEC, RESOLVER_ADDRCONFIG,
                                       out, 1), 0);
    CHECK(!conf_resolve_name("ntp.example.invalid", &ip));
    dns_start();
}

TEST_LIST {
    T(idle_and_bad_requests),
    T(resolve_localhost),
    T(family_preference),
    T(unknown_name_fails),
    T(server_failure_is_temporary),
    T(queued_requests_in_order),
    T(request_from_callback),
    T(cancel),
    T(no_dns_server_is_temporary),
    T(finish_with_requests_pending),
    T(blocking_lookup),
};
TEST_MAIN
