/* fuzz_conf_line: libFuzzer target for chronyd's configuration language
 * (conf_parse_line and all it calls: the directive table, srcopts/optab,
 * addr's subnets, include/confdir/sourcedir file lists, conf_finish and
 * conf_load_sourcedirs) and for srcopts_parse fed directly, as chronyc's
 * "add server" and the command server use it.
 *
 * An input is text. Each '\n'-separated line (up to a NUL) is given to
 * conf_parse_line after conf_init, as chronyd's command-line directives are;
 * then conf_finish and conf_load_sourcedirs run. A bad line is a fatal error:
 * the fatal hook jumps back here, and the next conf_init releases what the
 * abandoned parse held, so LeakSanitizer checks that path too. A first byte
 * 0x01..0x07 is not text but switches: 1 = -R (restarted), 2 = -q (client
 * only).
 *
 * Files: include, confdir and sourcedir lines are parsed only when every
 * argument starts with '@', which is replaced by "DIR/", DIR being a scratch
 * directory this target fills with a few configuration and sources files
 * (including ones that include themselves), and no argument contains "..":
 * the parser never opens anything else (no other directive opens files).
 * Host names resolve through a fixed table, never DNS.
 *
 * Besides the sanitizers, it traps on broken contracts: a NULL string in the
 * settings, a count without its array, values outside the ranges the parser
 * enforces, a subnet wider than its family after conf_finish, a source
 * without a name; and on srcopts_parse reading a line differently once its
 * whitespace is collapsed into single spaces. */
#include <ctype.h>
#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chronyd/conf.h"
#include "common/addr.h"
#include "common/log.h"
#include "common/srcopts.h"

#define REQUIRE(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define KNOB_MAX 0x07
#define KNOB_RESTARTED 0x01
#define KNOB_CLIENT_ONLY 0x02
#define SANDBOX_MAX 256
#define PATH_BUF 512
#define NTP_MAX_STRATUM 16
#define IPV4_BITS 32
#define IPV6_BITS 128
#define LONG_LINE 3000      /* longer than chrony's 2048 */

/* --- the scratch directory ---------------------------------------------- */

static char sandbox[SANDBOX_MAX];

/* Files of the scratch directory; "%s" is replaced by the directory. */
static const struct { const char *name, *text; } sandbox_files[] = {
    { "ok.conf", "port 1234\nserver 192.0.2.1 iburst\nallow 10/8\n" },
    { "bad.conf", "port 1\nnosuchdirective 2\n" },
    { "self.conf", "port 2\ninclude %s/self.conf\n" },
    { "nonl.conf", "cmdport 5\nlocal stratum 3" },
    { "crlf.conf", "port 1\r\nserver crlf.test iburst\r\n" },
    { "d1/a.conf", "local stratum 3 orphan\n" },
    { "d1/b.conf", "confdir %s/d1 %s/d2\n" },
    { "d2/a.conf", "deny all\n" },
    { "d2/c.conf", "ratelimit interval 1 burst 4\ninclude %s/ok.conf\n" },
    { "d1/x.sources", "server 192.0.2.10 minpoll 4\npool pool.test iburst\nbogus line\n" },
    { "d2/x.sources", "peer 192.0.2.11\n" },
    { "d2/y.sources", "server 192.0.2.12 key 0\n\n# comment\nserver 192.0.2.13" },
};
static const char *const sandbox_dirs[] = { "d1", "d2" };

static void write_sandbox_file(const char *name, const char *text)
{
    char path[PATH_BUF];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", sandbox, name);
    f = fopen(path, "w");
    REQUIRE(f);
    for (const char *p = text; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            fputs(sandbox, f);
            p++;
        } else {
            fputc(*p, f);
        }
    }
    REQUIRE(fclose(f) == 0);
}

static void remove_sandbox(void)
{
    char path[PATH_BUF];

    for (size_t i = 0; i < sizeof sandbox_files / sizeof sandbox_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", sandbox, sandbox_files[i].name);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/long.conf", sandbox);
    unlink(path);
    snprintf(path, sizeof path, "%s/d1/long.sources", sandbox);
    unlink(path);
    for (size_t i = 0; i < sizeof sandbox_dirs / sizeof sandbox_dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", sandbox, sandbox_dirs[i]);
        rmdir(path);
    }
    rmdir(sandbox);
}

/* In $TMPDIR (the run script's scratch directory, which it removes: libFuzzer
 * may end the process without running atexit handlers). */
static void make_sandbox(void)
{
    const char *tmp = getenv("TMPDIR");
    char path[PATH_BUF];
    char *long_text;

    snprintf(sandbox, sizeof sandbox, "%s/cw-fuzz-conf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    REQUIRE(mkdtemp(sandbox));
    atexit(remove_sandbox);
    for (size_t i = 0; i < sizeof sandbox_dirs / sizeof sandbox_dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", sandbox, sandbox_dirs[i]);
        REQUIRE(mkdir(path, 0700) == 0);
    }
    for (size_t i = 0; i < sizeof sandbox_files / sizeof sandbox_files[0]; i++)
        write_sandbox_file(sandbox_files[i].name, sandbox_files[i].text);

    long_text = malloc(LONG_LINE + 32);
    REQUIRE(long_text);
    strcpy(long_text, "port 1\nserver ");
    memset(long_text + strlen(long_text), 'a', LONG_LINE);
    strcpy(long_text + strlen("port 1\nserver ") + LONG_LINE, "\nport 2\n");
    write_sandbox_file("long.conf", long_text);
    write_sandbox_file("d1/long.sources", long_text + strlen("port 1\n"));
    free(long_text);
}

/* --- name lookup -------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* localhost, NAME.test (IPv4) and NAME.test6 (IPv6) resolve; nothing else. */
static bool fake_resolver(const char *name, addr_ip *out)
{
    char text[ADDR_STR_MAX];

    if (strcmp(name, "localhost") == 0)
        return addr_parse("127.0.0.1", out);
    if (ends_with(name, ".test")) {
        snprintf(text, sizeof text, "192.0.2.%zu", strlen(name) % 256);
        return addr_parse(text, out);
    }
    if (ends_with(name, ".test6")) {
        snprintf(text, sizeof text, "2001:db8::%zx", strlen(name) % 65536);
        return addr_parse(text, out);
    }
    return false;
}

/* --- fatal errors ------------------------------------------------------- */

static jmp_buf fatal_jmp;

static void fatal_hook(void)
{
    longjmp(fatal_jmp, 1);
}

struct lines {
    char **line;
    size_t n;
};

static void parse_lines(const struct lines *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->line[i])
            conf_parse_line(l->line[i]);
    }
    conf_finish();
}

/* True when the lines parsed without a fatal error. */
static bool parse_guarded(const struct lines *l)
{
    log_set_fatal_hook(fatal_hook);
    if (setjmp(fatal_jmp) != 0)
        return false;       /* log_fatal cleared the hook */
    parse_lines(l);
    log_set_fatal_hook(NULL);
    return true;
}

/* --- lines -------------------------------------------------------------- */

static const char *skip_space(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

static const char *skip_word(const char *p)
{
    while (*p && !isspace((unsigned char)*p))
        p++;
    return p;
}

/* The line to parse: line itself, a copy with '@' arguments rewritten for the
 * directives that read files (free it), or NULL when such a line names
 * anything outside the scratch directory. */
static char *prepare_line(char *line, bool *allocated)
{
    static const char *const file_directives[] = { "include", "confdir", "sourcedir" };
    const char *word = skip_space(line), *end = skip_word(word), *p;
    size_t extra = 0, i;
    char *out, *q;

    *allocated = false;
    for (i = 0; i < sizeof file_directives / sizeof file_directives[0]; i++) {
        if (strlen(file_directives[i]) == (size_t)(end - word) &&
            strncasecmp(word, file_directives[i], (size_t)(end - word)) == 0)
            break;
    }
    if (i == sizeof file_directives / sizeof file_directives[0])
        return line;

    for (p = skip_space(end); *p; p = skip_space(skip_word(p))) {
        const char *arg_end = skip_word(p);
        if (*p != '@')
            return NULL;
        for (const char *c = p; c + 1 < arg_end; c++) {
            if (c[0] == '.' && c[1] == '.')
                return NULL;
        }
        extra += strlen(sandbox) + 1;
    }

    out = malloc(strlen(line) + extra + 1);
    REQUIRE(out);
    q = out;
    for (p = line; *p; p++) {
        if (*p == '@' && p >= end && (p == line || isspace((unsigned char)p[-1]))) {
            q += sprintf(q, "%s/", sandbox);
        } else {
            *q++ = *p;
        }
    }
    *q = '\0';
    *allocated = true;
    return out;
}

/* --- srcopts fed directly ----------------------------------------------- */

static void check_srcopts(const struct srcopts *o)
{
    REQUIRE(o->family == SRCOPTS_FAMILY_ANY || o->family == SRCOPTS_FAMILY_INET4 ||
            o->family == SRCOPTS_FAMILY_INET6);
    REQUIRE(o->max_unreach >= 0);
    REQUIRE((o->sel_options & ~(unsigned)(SRCOPTS_SEL_NOSELECT | SRCOPTS_SEL_PREFER |
                                          SRCOPTS_SEL_TRUST | SRCOPTS_SEL_REQUIRE)) == 0);
    REQUIRE((o->ext_fields & ~(unsigned)(SRCOPTS_EF_EXP_MONO_ROOT |
                                         SRCOPTS_EF_NET_CORRECTION)) == 0);
}

#define SAME(a, b, field) (memcmp(&(a).field, &(b).field, sizeof (a).field) == 0)

static bool same_srcopts(const struct srcopts *a, const struct srcopts *b)
{
    return SAME(*a, *b, port) && SAME(*a, *b, family) && SAME(*a, *b, minpoll) &&
           SAME(*a, *b, maxpoll) && SAME(*a, *b, online) && SAME(*a, *b, auto_offline) &&
           SAME(*a, *b, burst) && SAME(*a, *b, iburst) && SAME(*a, *b, presend) &&
           SAME(*a, *b, min_stratum) && SAME(*a, *b, poll_target) && SAME(*a, *b, version) &&
           SAME(*a, *b, max_sources) && SAME(*a, *b, min_samples) &&
           SAME(*a, *b, max_samples) && SAME(*a, *b, filter) && SAME(*a, *b, max_unreach) &&
           SAME(*a, *b, xleave) && SAME(*a, *b, nts) && SAME(*a, *b, nts_port) &&
           SAME(*a, *b, copy) && SAME(*a, *b, sel_options) && SAME(*a, *b, ext_fields) &&
           SAME(*a, *b, key) && SAME(*a, *b, cert_set) && SAME(*a, *b, max_delay_s) &&
           SAME(*a, *b, max_delay_ratio) && SAME(*a, *b, max_delay_dev_ratio) &&
           SAME(*a, *b, max_delay_quant) && SAME(*a, *b, min_delay_s) &&
           SAME(*a, *b, asymmetry) && SAME(*a, *b, offset_s);
}

/* Collapses whitespace runs into one space and trims the ends. */
static char *collapse_space(const char *text)
{
    char *out = malloc(strlen(text) + 1), *q;
    REQUIRE(out);
    q = out;
    for (const char *p = skip_space(text); *p;) {
        const char *end = skip_word(p);
        if (q != out)
            *q++ = ' ';
        memcpy(q, p, (size_t)(end - p));
        q += end - p;
        p = skip_space(end);
    }
    *q = '\0';
    return out;
}

static void fuzz_srcopts(const char *text)
{
    struct srcopts a, b;
    char *name_a, *name_b, *collapsed = collapse_space(text);
    enum srcopts_status sa = srcopts_parse(text, &name_a, &a);
    enum srcopts_status sb = srcopts_parse(collapsed, &name_b, &b);

    REQUIRE(sa == sb);
    REQUIRE((sa == SRCOPTS_OK) == (name_a != NULL));
    REQUIRE((sb == SRCOPTS_OK) == (name_b != NULL));
    REQUIRE((sa == SRCOPTS_MISSING_NAME) == (*skip_space(text) == '\0'));
    if (sa == SRCOPTS_OK) {
        REQUIRE(*name_a && *skip_word(name_a) == '\0');
        REQUIRE(strcmp(name_a, name_b) == 0);
        REQUIRE(same_srcopts(&a, &b));
        check_srcopts(&a);
    }
    free(name_a);
    free(name_b);
    free(collapsed);
}

/* --- the settings' contract --------------------------------------------- */

static void check_string(const char *s)
{
    REQUIRE(s != NULL);
    REQUIRE(strlen(s) < 4096);
}

static void check_name(const char *s)
{
    check_string(s);
    REQUIRE(*s && *skip_word(s) == '\0');
}

#define CHECK_ARRAY(ptr, n) REQUIRE((n) == 0 || (ptr) != NULL)

static void check_acl(const struct conf_acl *acl, bool finished)
{
    CHECK_ARRAY(acl->rules, acl->n);
    for (size_t i = 0; i < acl->n; i++) {
        const addr_subnet *sn = &acl->rules[i].subnet;
        REQUIRE(sn->bits >= 0);
        switch (sn->ip.family) {
        case ADDR_UNSPEC:
            REQUIRE(sn->bits == 0);
            break;
        case ADDR_INET4:
            REQUIRE(!finished || sn->bits <= IPV4_BITS);
            break;
        case ADDR_INET6:
            REQUIRE(!finished || sn->bits <= IPV6_BITS);
            break;
        default:
            REQUIRE(0);
        }
    }
}

static void check_ratelimit(const struct conf_ratelimit *rl)
{
    REQUIRE(rl->kod >= 0 && rl->kod <= 4);
}

static void check_settings(const struct conf_settings *s)
{
    const char *strings[] = {
        s->pidfile, s->user, s->logdir, s->driftfile, s->bindcmdpath, s->bind_acq_device,
        s->dumpdir, s->nts_dump_dir, s->leapsec_tz, s->leapsec_list, s->tempcomp_sensor,
        s->tempcomp_points, s->bind_device, s->ntp_signd_socket, s->nts_ntp_server,
        s->bind_cmd_device, s->hwclock_file, s->rtc_device, s->rtc_file, s->mail_on_change,
        s->keyfile,
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        check_string(strings[i]);

    CHECK_ARRAY(s->sources, s->n_sources);
    for (size_t i = 0; i < s->n_sources; i++) {
        REQUIRE(s->sources[i].type == CONF_SOURCE_SERVER || s->sources[i].type == CONF_SOURCE_POOL ||
                s->sources[i].type == CONF_SOURCE_PEER);
        check_name(s->sources[i].name);
        check_srcopts(&s->sources[i].opts);
    }
    CHECK_ARRAY(s->sourcedirs, s->n_sourcedirs);
    for (size_t i = 0; i < s->n_sourcedirs; i++)
        check_string(s->sourcedirs[i]);
    CHECK_ARRAY(s->refclocks, s->n_refclocks);
    for (size_t i = 0; i < s->n_refclocks; i++) {
        const struct conf_refclock *rc = &s->refclocks[i];
        check_name(rc->driver);
        check_name(rc->parameter);
        REQUIRE(rc->stratum >= 0 && rc->stratum < NTP_MAX_STRATUM);
        REQUIRE(rc->max_unreach >= 0);
    }
    CHECK_ARRAY(s->initstepslew.servers, s->initstepslew.n_servers);
    for (size_t i = 0; i < s->initstepslew.n_servers; i++) {
        REQUIRE(s->initstepslew.servers[i].family == ADDR_INET4 ||
                s->initstepslew.servers[i].family == ADDR_INET6);
    }
    CHECK_ARRAY(s->ntsaeads, s->n_ntsaeads);
    for (size_t i = 0; i < s->n_ntsaeads; i++)
        REQUIRE(s->ntsaeads[i] >= 0);
    CHECK_ARRAY(s->trusted_certs, s->n_trusted_certs);
    for (size_t i = 0; i < s->n_trusted_certs; i++)
        check_name(s->trusted_certs[i].path);
    CHECK_ARRAY(s->nts_server_certs, s->n_nts_server_certs);
    for (size_t i = 0; i < s->n_nts_server_certs; i++)
        check_name(s->nts_server_certs[i]);
    CHECK_ARRAY(s->nts_server_keys, s->n_nts_server_keys);
    for (size_t i = 0; i < s->n_nts_server_keys; i++)
        check_name(s->nts_server_keys[i]);
    CHECK_ARRAY(s->broadcasts, s->n_broadcasts);
    for (size_t i = 0; i < s->n_broadcasts; i++) {
        REQUIRE(s->broadcasts[i].addr.family == ADDR_INET4 ||
                s->broadcasts[i].addr.family == ADDR_INET6);
    }
    CHECK_ARRAY(s->hwts, s->n_hwts);
    for (size_t i = 0; i < s->n_hwts; i++)
        check_name(s->hwts[i].interface);

    check_acl(&s->ntp_acl, true);
    check_acl(&s->cmd_acl, true);
    check_ratelimit(&s->ntp_ratelimit);
    check_ratelimit(&s->nts_ratelimit);
    check_ratelimit(&s->cmd_ratelimit);
    REQUIRE(s->max_stratum >= 0 && s->max_stratum <= NTP_MAX_STRATUM);
    REQUIRE(s->min_stratum >= 0 && s->min_stratum <= NTP_MAX_STRATUM);
    REQUIRE(s->ptp_domain >= 0 && s->ptp_domain <= 255);
    REQUIRE(s->refresh_s >= 0);
    REQUIRE(s->max_tx_buffers >= 0);
    if (s->local.enabled) {
        REQUIRE(s->local.stratum >= 1 && s->local.stratum < NTP_MAX_STRATUM);
        REQUIRE(!(s->local.wait_unsynced_s < 0.0));
    }
    REQUIRE(s->authselect_mode <= CONF_AUTHSELECT_IGNORE);
    REQUIRE(s->leapsec_mode <= CONF_LEAPSEC_IGNORE);
}

static void check_loaded_sources(void)
{
    size_t n;
    struct conf_source *src = conf_load_sourcedirs(&n);

    CHECK_ARRAY(src, n);
    for (size_t i = 0; i < n; i++) {
        check_name(src[i].name);
        check_srcopts(&src[i].opts);
    }
    conf_free_sources(src, n);
}

/* --- the target --------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Messages (one per bad input) would drown libFuzzer's output. */
    FILE *null = fopen("/dev/null", "a");
    REQUIRE(null != NULL);
    log_to_stream(null);
    conf_set_resolver(fake_resolver);
    conf_set_print(false);
    make_sandbox();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned knobs = 0;
    char *text;
    struct lines l = { NULL, 0 };
    bool *allocated;

    if (size > 0 && data[0] >= 1 && data[0] <= KNOB_MAX) {
        knobs = data[0];
        data++;
        size--;
    }
    text = malloc(size + 1);
    REQUIRE(text);
    memcpy(text, data, size);
    text[size] = '\0';

    /* Lines end at '\n'; one with a NUL ends there, as a C string does. */
    for (size_t i = 0; i <= size; i++)
        l.n += i == size || text[i] == '\n';
    l.line = calloc(l.n, sizeof *l.line);
    allocated = calloc(l.n, sizeof *allocated);
    REQUIRE(l.line && allocated);
    for (size_t i = 0, start = 0, k = 0; i <= size; i++) {
        if (i < size && text[i] != '\n')
            continue;
        text[i] = '\0';
        fuzz_srcopts(text + start);
        l.line[k] = prepare_line(text + start, &allocated[k]);
        k++;
        start = i + 1;
    }

    conf_set_restarted(knobs & KNOB_RESTARTED);
    conf_set_client_only(knobs & KNOB_CLIENT_ONLY);
    /* Also releases what the previous input's fatal error abandoned. */
    conf_init();
    if (parse_guarded(&l)) {
        check_settings(conf_settings());
        check_loaded_sources();
    }

    for (size_t k = 0; k < l.n; k++) {
        if (allocated[k])
            free(l.line[k]);
    }
    free(allocated);
    free(l.line);
    free(text);
    return 0;
}
