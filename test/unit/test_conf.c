/* Unit tests of the configuration language (conf, conf_dirs), the NTP source
 * option table (srcopts, optab) and subnet parsing (addr_parse_subnet).
 * Fatal errors are checked in a forked child whose stdout and stderr are
 * captured; the messages are chrony 4.3's. */
#include "harness.h"

#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "chronyd/conf.h"
#include "chronyd/conf_dirs.h"
#include "common/addr.h"
#include "common/log.h"
#include "common/optab.h"
#include "common/srcopts.h"

#define CAPTURE_MAX 16384

/* --- helpers ---------------------------------------------------------------- */

static const struct conf_settings *parse(const char *first, ...)
{
    va_list ap;
    conf_init();
    va_start(ap, first);
    for (const char *line = first; line; line = va_arg(ap, const char *))
        conf_parse_line(line);
    va_end(ap);
    return conf_settings();
}

#define PARSE(...) parse(__VA_ARGS__, (const char *)NULL)

/* What a child printed and how it ended. */
struct outcome {
    int status;                 /* exit status, -1 if killed */
    char out[CAPTURE_MAX];
    char err[CAPTURE_MAX];      /* with "YYYY-MM-DDTHH:MM:SSZ " removed */
};

static void child_exit_fatal(void)
{
    /* Leave at once: no leak report for what a fatal error leaves behind. */
    fflush(stdout);
    _exit(1);
}

static void read_all(FILE *f, char *buf, size_t len)
{
    size_t n;
    rewind(f);
    n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
}

static void strip_timestamps(char *s)
{
    char *src = s, *dst = s;
    while (*src) {
        /* A log line starts with a 20-character UTC timestamp and a space. */
        if (strlen(src) > 21 && src[4] == '-' && src[10] == 'T' && src[19] == 'Z' &&
            src[20] == ' ')
            src += 21;
        while (*src && *src != '\n')
            *dst++ = *src++;
        if (*src)
            *dst++ = *src++;
    }
    *dst = '\0';
}

/* Runs fn in a child with stdout and stderr captured. */
static void run_child(void (*fn)(void *), void *arg, struct outcome *o)
{
    FILE *out = tmpfile(), *err = tmpfile();
    pid_t pid;
    int status;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(err), STDERR_FILENO);
        log_set_fatal_hook(child_exit_fatal);
        fn(arg);
        fflush(stdout);
        fflush(stderr);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    o->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    read_all(out, o->out, sizeof o->out);
    read_all(err, o->err, sizeof o->err);
    strip_timestamps(o->err);
    fclose(out);
    fclose(err);
}

struct lines {
    bool print;
    bool finish;
    const char *file;
    const char *line[8];
};

static void parse_lines_child(void *arg)
{
    const struct lines *l = arg;
    conf_init();
    conf_set_print(l->print);
    if (l->file)
        conf_read_file(l->file);
    for (int i = 0; i < 8 && l->line[i]; i++)
        conf_parse_line(l->line[i]);
    if (l->finish)
        conf_finish();
    conf_set_print(false);
}

/* The stderr of parsing these command-line lines (NULL-terminated). */
static void run_lines(struct outcome *o, bool print, const char *first, ...)
{
    struct lines l = { .print = print };
    va_list ap;
    int n = 0;
    va_start(ap, first);
    for (const char *s = first; s && n < 8; s = va_arg(ap, const char *))
        l.line[n++] = s;
    va_end(ap);
    run_child(parse_lines_child, &l, o);
}

#define FATAL_MSG "Fatal error : "

/* Expects the lines to fail with exactly this message. */
#define CHECK_FATAL(msg, ...) do { \
        struct outcome o_; \
        run_lines(&o_, false, __VA_ARGS__, (const char *)NULL); \
        CHECK_INT(o_.status, 1); \
        CHECK_STR(o_.err, FATAL_MSG msg "\n"); \
    } while (0)

#define CHECK_OK(...) do { \
        struct outcome o_; \
        run_lines(&o_, false, __VA_ARGS__, (const char *)NULL); \
        CHECK_INT(o_.status, 0); \
        CHECK_STR(o_.err, ""); \
    } while (0)

/* Short, so that paths built from it always fit the buffers below. */
#define TMPDIR_MAX 64
#define PATH_BUF 1024
static char tmpdir[TMPDIR_MAX];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cw-conf-test.XXXXXX");
    if (!mkdtemp(tmpdir))
        abort();
}

static void remove_tmpdir(void)
{
    char cmd[PATH_BUF];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* Writes text to tmpdir/name (creating subdirectories) and returns the path. */
static const char *write_file(const char *name, const char *text)
{
    static char path[PATH_BUF];
    char dir[PATH_BUF];
    FILE *f;

    if (strlen(name) > PATH_BUF - TMPDIR_MAX - 2)
        abort();
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + strlen(tmpdir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(dir, 0700);
        *p = '/';
    }
    f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
    return path;
}

static bool fake_resolver(const char *name, addr_ip *out)
{
    if (strcmp(name, "ntp1.test") == 0)
        return addr_parse("192.0.2.1", out);
    if (strcmp(name, "ntp6.test") == 0)
        return addr_parse("2001:db8::123", out);
    return false;
}

static const char *fmt_ip(const addr_ip *ip)
{
    static char buf[4][ADDR_STR_MAX];
    static int i;
    i = (i + 1) % 4;
    return addr_format(ip, buf[i], sizeof buf[i]);
}

/* --- defaults ----------------------------------------------------------------- */

TEST(defaults_are_chronys)
{
    const struct conf_settings *s;
    conf_init();
    s = conf_settings();
    CHECK_STR(s->pidfile, CW_DEFAULT_PID_FILE);
    CHECK_STR(s->user, CW_DEFAULT_USER);
    CHECK_STR(s->bindcmdpath, CW_DEFAULT_SOCKET);
    CHECK_STR(s->logdir, "");
    CHECK_STR(s->driftfile, "");
    CHECK_STR(s->keyfile, "");
    CHECK_STR(s->rtc_device, "/dev/rtc");
    CHECK_STR(s->hwclock_file, CW_DEFAULT_HWCLOCK_FILE);
    CHECK_INT(s->lock_all, 0);
    CHECK_INT(s->sched_priority, 0);
    CHECK_INT(s->port, 123);
    CHECK_INT(s->cmd_port, 323);
    CHECK_INT(s->acquisition_port, -1);
    CHECK_INT(s->nts_port, 4460);
    CHECK_INT(s->ptp_port, 0);
    CHECK_INT(s->ptp_domain, 123);
    CHECK_INT(s->min_sources, 1);
    CHECK_INT(s->min_samples, 6);
    CHECK_INT(s->max_samples, 0);
    CHECK_INT(s->log_banner, 32);
    CHECK_INT(s->nts_processes, 1);
    CHECK_INT(s->max_nts_connections, 100);
    CHECK_INT(s->nts_refresh_s, 2419200);
    CHECK_INT(s->nts_rotate_s, 604800);
    CHECK_INT(s->refresh_s, 1209600);
    CHECK_INT(s->driftfile_interval_s, 3600);
    CHECK_INT(s->max_stratum, 15);
    CHECK_INT(s->min_stratum, 0);
    CHECK_NEAR(s->max_update_skew_ppm, 1000.0, 0);
    CHECK_NEAR(s->max_slew_rate_ppm, 1e6 / 12.0, 1e-9);
    CHECK_NEAR(s->max_drift_ppm, 500000.0, 0);
    CHECK_NEAR(s->max_clock_error_ppm, 1.0, 0);
    CHECK_NEAR(s->max_distance_s, 3.0, 0);
    CHECK_NEAR(s->max_jitter_s, 1.0, 0);
    CHECK_NEAR(s->reselect_distance_s, 1e-4, 0);
    CHECK_NEAR(s->stratum_weight_s, 1e-3, 0);
    CHECK_NEAR(s->combine_limit, 3.0, 0);
    CHECK_NEAR(s->corr_time_ratio, 3.0, 0);
    CHECK_NEAR(s->log_change_s, 1.0, 0);
    CHECK_NEAR(s->hwts_timeout_s, 0.001, 0);
    CHECK_INT(s->client_log_limit, 524288);
    CHECK_INT(s->makestep_limit, 0);
    CHECK_INT(s->maxchange_delay, -1);
    CHECK_INT(s->leapsec_mode, CONF_LEAPSEC_SYSTEM);
    CHECK_INT(s->authselect_mode, CONF_AUTHSELECT_MIX);
    CHECK(!s->local.enabled);
    CHECK(!s->ntp_ratelimit.enabled);
    CHECK_INT(s->ntp_ratelimit.interval, 3);
    CHECK_INT(s->ntp_ratelimit.burst, 8);
    CHECK_INT(s->ntp_ratelimit.leak, 2);
    CHECK_INT(s->ntp_ratelimit.kod, 0);
    CHECK_INT(s->nts_ratelimit.interval, 6);
    CHECK_INT(s->cmd_ratelimit.interval, -4);
    CHECK_INT(s->n_ntsaeads, 2);
    CHECK(s->n_ntsaeads == 2 && s->ntsaeads[0] == 30 && s->ntsaeads[1] == 15);
    CHECK_INT(s->open_commands, CONF_OPEN_ACTIVITY | CONF_OPEN_MANUAL | CONF_OPEN_RTCDATA |
              CONF_OPEN_SMOOTHING | CONF_OPEN_SOURCENAME | CONF_OPEN_SOURCES |
              CONF_OPEN_SOURCESTATS | CONF_OPEN_TRACKING);
    CHECK_STR(fmt_ip(&s->bind_address.v4), "0.0.0.0");
    CHECK_STR(fmt_ip(&s->bind_address.v6), "::");
    CHECK_STR(fmt_ip(&s->bind_acq_address.v4), "0.0.0.0");
    CHECK_STR(fmt_ip(&s->bind_cmd_address.v4), "127.0.0.1");
    CHECK_STR(fmt_ip(&s->bind_cmd_address.v6), "::1");
    CHECK_INT(s->n_sources + s->n_refclocks + s->ntp_acl.n + s->cmd_acl.n, 0);
}

TEST(client_only_defaults)
{
    const struct conf_settings *s;
    conf_init();
    conf_set_client_only(true);
    s = conf_settings();
    CHECK_INT(s->port, 0);
    CHECK_INT(s->cmd_port, 0);
    CHECK_STR(s->pidfile, "");
    CHECK_STR(s->bindcmdpath, "");
    /* Directives still override them, and conf_init keeps the mode. */
    conf_parse_line("port 11123");
    CHECK_INT(s->port, 11123);
    conf_init();
    CHECK_INT(s->port, 0);
    conf_set_client_only(false);
    conf_init();
    CHECK_INT(s->port, 123);
}

/* --- simple directives ---------------------------------------------------- */

TEST(simple_values)
{
    const struct conf_settings *s = PARSE(
        "pidfile /run/x.pid", "user _chrony", "logdir /var/log/chrony",
        "driftfile /var/lib/chrony/drift", "lock_all", "sched_priority 1",
        "port 11123", "cmdport 0", "maxupdateskew 100.0", "rtcsync", "manual",
        "keyfile /etc/chrony/chrony.keys", "ntsdumpdir /var/lib/chrony", "dscp 46",
        "clientloglimit 1048576", "leapsectz right/UTC", "noclientlog",
        "maxslewrate 1000", "clockprecision 1e-9", "acquisitionport 1123");
    CHECK_STR(s->pidfile, "/run/x.pid");
    CHECK_STR(s->user, "_chrony");
    CHECK_STR(s->logdir, "/var/log/chrony");
    CHECK_STR(s->driftfile, "/var/lib/chrony/drift");
    CHECK_INT(s->lock_all, 1);
    CHECK_INT(s->sched_priority, 1);
    CHECK_INT(s->port, 11123);
    CHECK_INT(s->cmd_port, 0);
    CHECK_NEAR(s->max_update_skew_ppm, 100.0, 0);
    CHECK(s->rtc_sync);
    CHECK(s->manual);
    CHECK_STR(s->keyfile, "/etc/chrony/chrony.keys");
    CHECK_STR(s->nts_dump_dir, "/var/lib/chrony");
    CHECK_INT(s->dscp, 46);
    CHECK_INT(s->client_log_limit, 1048576);
    CHECK_STR(s->leapsec_tz, "right/UTC");
    CHECK(s->no_client_log);
    CHECK_NEAR(s->max_slew_rate_ppm, 1000.0, 0);
    CHECK_NEAR(s->clock_precision_s, 1e-9, 0);
    CHECK_INT(s->acquisition_port, 1123);
}

TEST(numbers_read_like_chrony_43)
{
    /* sscanf semantics: leading digits count, no range checks. */
    const struct conf_settings *s = PARSE("port 12x", "cmdport 99999", "logbanner -1",
                                          "maxupdateskew 5e", "minsources 0");
    CHECK_INT(s->port, 12);
    CHECK_INT(s->cmd_port, 99999);
    CHECK_INT(s->log_banner, -1);
    CHECK_NEAR(s->max_update_skew_ppm, 5.0, 0);
    CHECK_INT(s->min_sources, 0);
    /* The last occurrence wins, directive names are case-insensitive. */
    s = PARSE("port 1", "PORT 2", "Port 3");
    CHECK_INT(s->port, 3);
}

TEST(paths_that_disable)
{
    const struct conf_settings *s = PARSE("pidfile /", "bindcmdaddress /");
    CHECK_STR(s->pidfile, "");
    CHECK_STR(s->bindcmdpath, "");
    s = PARSE("bindcmdaddress /var/run/c.sock", "bindcmdaddress 0.0.0.0",
              "bindcmdaddress ::");
    CHECK_STR(s->bindcmdpath, "/var/run/c.sock");
    CHECK_STR(fmt_ip(&s->bind_cmd_address.v4), "0.0.0.0");
    CHECK_STR(fmt_ip(&s->bind_cmd_address.v6), "::");
}

TEST(structured_directives)
{
    const struct conf_settings *s = PARSE(
        "makestep 0.1 3", "maxchange 1000 1 2", "fallbackdrift 16 19",
        "mailonchange root@localhost 0.5", "smoothtime 400 0.001024 leaponly",
        "tempcomp /sys/temp 30 26000 0.0 0.000183 0.0", "leapsecmode slew",
        "authselectmode require", "bindaddress 192.0.2.5", "bindaddress ::1",
        "bindacqaddress 192.0.2.6", "broadcast 64 192.0.2.255 12123", "broadcast 32 ff02::101",
        "log measurements tracking", "ntstrustedcerts 1 /etc/nts/ca.crt",
        "ntstrustedcerts /etc/nts/sys.crt", "ntsservercert /a.crt", "ntsserverkey /a.key",
        "ntsservercert /b.crt");
    CHECK_NEAR(s->makestep_threshold_s, 0.1, 0);
    CHECK_INT(s->makestep_limit, 3);
    CHECK_NEAR(s->maxchange_offset_s, 1000, 0);
    CHECK_INT(s->maxchange_delay, 1);
    CHECK_INT(s->maxchange_ignore, 2);
    CHECK_INT(s->fallback_drift_min, 16);
    CHECK_INT(s->fallback_drift_max, 19);
    CHECK_STR(s->mail_on_change, "root@localhost");
    CHECK_NEAR(s->mail_change_s, 0.5, 0);
    CHECK_NEAR(s->smooth_max_freq_ppm, 400, 0);
    CHECK_NEAR(s->smooth_max_wander_ppm_s, 0.001024, 0);
    CHECK(s->smooth_leap_only);
    CHECK_STR(s->tempcomp_sensor, "/sys/temp");
    CHECK_NEAR(s->tempcomp_interval_s, 30, 0);
    CHECK_NEAR(s->tempcomp_t0, 26000, 0);
    CHECK_NEAR(s->tempcomp_k1, 0.000183, 0);
    CHECK_STR(s->tempcomp_points, "");
    CHECK_INT(s->leapsec_mode, CONF_LEAPSEC_SLEW);
    CHECK_INT(s->authselect_mode, CONF_AUTHSELECT_REQUIRE);
    CHECK_STR(fmt_ip(&s->bind_address.v4), "192.0.2.5");
    CHECK_STR(fmt_ip(&s->bind_address.v6), "::1");
    CHECK_STR(fmt_ip(&s->bind_acq_address.v4), "192.0.2.6");
    CHECK_STR(fmt_ip(&s->bind_acq_address.v6), "::");
    CHECK_INT(s->n_broadcasts, 2);
    if (s->n_broadcasts == 2) {
        CHECK_STR(fmt_ip(&s->broadcasts[0].addr), "192.0.2.255");
        CHECK_INT(s->broadcasts[0].port, 12123);
        CHECK_INT(s->broadcasts[0].interval_s, 64);
        CHECK_STR(fmt_ip(&s->broadcasts[1].addr), "ff02::101");
        CHECK_INT(s->broadcasts[1].port, 123);
    }
    CHECK(s->log.measurements && s->log.tracking && !s->log.statistics);
    CHECK_INT(s->n_trusted_certs, 2);
    if (s->n_trusted_certs == 2) {
        CHECK_INT(s->trusted_certs[0].set_id, 1);
        CHECK_STR(s->trusted_certs[0].path, "/etc/nts/ca.crt");
        CHECK_INT(s->trusted_certs[1].set_id, 0);
    }
    CHECK_INT(s->n_nts_server_certs, 2);
    CHECK_INT(s->n_nts_server_keys, 1);

    s = PARSE("tempcomp /sys/temp 30 /etc/chrony.tempcomp", "log rawmeasurements");
    CHECK_STR(s->tempcomp_points, "/etc/chrony.tempcomp");
    CHECK(s->log.raw_measurements && s->log.measurements);
}

TEST(local_directive)
{
    const struct conf_settings *s = PARSE("local");
    CHECK(s->local.enabled);
    CHECK_INT(s->local.stratum, 10);
    CHECK(!s->local.orphan);
    CHECK_NEAR(s->local.distance_s, 1.0, 0);
    CHECK_NEAR(s->local.wait_unsynced_s, 0.0, 0);
    s = PARSE("local stratum 8 orphan distance 0.1");
    CHECK_INT(s->local.stratum, 8);
    CHECK(s->local.orphan);
    CHECK_NEAR(s->local.distance_s, 0.1, 0);
    /* With orphan, activation waits 300 s after start unless told otherwise. */
    CHECK_NEAR(s->local.wait_unsynced_s, 300.0, 0);
    /* Options newer than chrony 4.3. */
    s = PARSE("local stratum 10 orphan distance 0.0 waitsynced 7200 waitunsynced 30 activate 0.5");
    CHECK_NEAR(s->local.wait_synced_s, 7200, 0);
    CHECK_NEAR(s->local.wait_unsynced_s, 30, 0);
    CHECK_NEAR(s->local.activate_s, 0.5, 0);
    /* A second local line starts from the defaults. */
    s = PARSE("local stratum 3 orphan", "local distance 2");
    CHECK_INT(s->local.stratum, 10);
    CHECK(!s->local.orphan);
}

TEST(ratelimit_directives)
{
    const struct conf_settings *s = PARSE("ratelimit interval 1 burst 16",
                                          "ratelimit leak 3 kod 2", "cmdratelimit interval 2");
    CHECK(s->ntp_ratelimit.enabled);
    /* Successive lines add to each other. */
    CHECK_INT(s->ntp_ratelimit.interval, 1);
    CHECK_INT(s->ntp_ratelimit.burst, 16);
    CHECK_INT(s->ntp_ratelimit.leak, 3);
    CHECK_INT(s->ntp_ratelimit.kod, 2);
    CHECK(s->cmd_ratelimit.enabled);
    CHECK_INT(s->cmd_ratelimit.interval, 2);
    CHECK_INT(s->cmd_ratelimit.burst, 8);
    CHECK(!s->nts_ratelimit.enabled);
    s = PARSE("ntsratelimit");
    CHECK(s->nts_ratelimit.enabled);
    /* kod is only for NTP, and 0..4. */
    CHECK_FATAL("Could not parse cmdratelimit directive at line 1", "cmdratelimit kod 1");
    CHECK_FATAL("Could not parse ntsratelimit directive at line 1", "ntsratelimit kod 1");
    CHECK_FATAL("Could not parse ratelimit directive at line 1", "ratelimit kod 5");
}

TEST(refclock_directive)
{
    const struct conf_settings *s = PARSE(
        "refclock PPS /dev/pps0 lock NMEA refid GPS1",
        "refclock SHM 0:perm=0644 poll 3 dpoll -2 filter 10 rate 5 minsamples 4 maxsamples 8 "
        "maxlockage 3 offset 0.5 delay 0.2 precision 1e-6 maxdispersion 1 stratum 2 width 0.1 "
        "tai local pps prefer noselect trust require maxunreach 7");
    const struct conf_refclock *r;
    CHECK_INT(s->n_refclocks, 2);
    if (s->n_refclocks != 2)
        return;
    r = &s->refclocks[0];
    CHECK_STR(r->driver, "PPS");
    CHECK_STR(r->parameter, "/dev/pps0");
    CHECK_INT(r->lock_ref_id, 0x4e4d4541);     /* "NMEA" */
    CHECK_INT(r->ref_id, 0x47505331);          /* "GPS1" */
    CHECK_INT(r->poll, 4);
    CHECK_INT(r->dpoll, 0);
    CHECK_INT(r->filter, 64);
    CHECK_INT(r->max_lock_age, 2);
    CHECK_INT(r->min_samples, -1);
    CHECK_INT(r->max_unreach, 100000);
    CHECK_NEAR(r->delay_s, 1e-9, 0);
    CHECK_INT(r->sel_options, 0);
    r = &s->refclocks[1];
    CHECK_STR(r->parameter, "0:perm=0644");
    CHECK_INT(r->poll, 3);
    CHECK_INT(r->dpoll, -2);
    CHECK_INT(r->filter, 10);
    CHECK_INT(r->rate_hz, 5);
    CHECK_INT(r->min_samples, 4);
    CHECK_INT(r->max_samples, 8);
    CHECK_INT(r->max_lock_age, 3);
    CHECK_NEAR(r->offset_s, 0.5, 0);
    CHECK_NEAR(r->delay_s, 0.2, 0);
    CHECK_NEAR(r->precision_s, 1e-6, 0);
    CHECK_NEAR(r->max_dispersion_s, 1, 0);
    CHECK_INT(r->stratum, 2);
    CHECK_NEAR(r->pulse_width_s, 0.1, 0);
    CHECK(r->tai && r->local && r->pps);
    CHECK_INT(r->sel_options, SRCOPTS_SEL_PREFER | SRCOPTS_SEL_NOSELECT | SRCOPTS_SEL_TRUST |
              SRCOPTS_SEL_REQUIRE);
    CHECK_INT(r->max_unreach, 7);
    /* A refid is at most 4 characters; the rest is read as the next option. */
    s = PARSE("refclock PPS /dev/pps0 refid GPS1prefer");
    CHECK(s->n_refclocks == 1 && s->refclocks[0].ref_id == 0x47505331);
    CHECK(s->n_refclocks == 1 && s->refclocks[0].sel_options == SRCOPTS_SEL_PREFER);
    CHECK_FATAL("Invalid refclock option at line 1", "refclock PPS /dev/pps0 refid ABCDE");
    CHECK_FATAL("Invalid refclock option at line 1", "refclock PPS /dev/pps0 foo");
    CHECK_FATAL("Could not parse refclock directive at line 1", "refclock PPS /dev/pps0 poll x");
    CHECK_FATAL("Could not parse refclock directive at line 1", "refclock PPS /dev/pps0 stratum 16");
    CHECK_FATAL("Could not parse refclock directive at line 1", "refclock PPS");
}

TEST(hwtimestamp_directive)
{
    const struct conf_settings *s = PARSE(
        "hwtimestamp eth0", "hwtimestamp * minpoll 2 maxpoll 5 minsamples 3 maxsamples 9 "
        "precision 1e-7 txcomp 3e-7 rxcomp 6e-7 nocrossts rxfilter ptp",
        "hwtimestamp eth1 minpoll -1 rxfilter ALL");
    CHECK_INT(s->n_hwts, 3);
    if (s->n_hwts != 3)
        return;
    CHECK_STR(s->hwts[0].interface, "eth0");
    CHECK_INT(s->hwts[0].minpoll, 0);
    CHECK_INT(s->hwts[0].maxpoll, 1);
    CHECK_INT(s->hwts[0].min_samples, 2);
    CHECK_INT(s->hwts[0].max_samples, 16);
    CHECK_NEAR(s->hwts[0].precision_s, 100e-9, 0);
    CHECK_INT(s->hwts[0].rxfilter, CONF_RXFILTER_ANY);
    CHECK_STR(s->hwts[1].interface, "*");
    CHECK_INT(s->hwts[1].maxpoll, 5);
    CHECK_INT(s->hwts[1].min_samples, 3);
    CHECK_NEAR(s->hwts[1].rx_comp_s, 6e-7, 0);
    CHECK(s->hwts[1].nocrossts);
    CHECK_INT(s->hwts[1].rxfilter, CONF_RXFILTER_PTP);
    /* maxpoll defaults to minpoll + 1 */
    CHECK_INT(s->hwts[2].maxpoll, 0);
    CHECK_INT(s->hwts[2].rxfilter, CONF_RXFILTER_ALL);
    /* without overflowing when minpoll is the largest int */
    s = PARSE("hwtimestamp eth0 minpoll 2147483647");
    CHECK_INT(s->n_hwts, 1);
    if (s->n_hwts == 1)
        CHECK_INT(s->hwts[0].maxpoll, INT_MAX);
    CHECK_FATAL("Could not parse hwtimestamp directive at line 1", "hwtimestamp eth0 rxfilter allx");
    CHECK_FATAL("Could not parse hwtimestamp directive at line 1", "hwtimestamp");
}

TEST(initstepslew_and_restart)
{
    const struct conf_settings *s;
    conf_set_resolver(fake_resolver);
    s = PARSE("initstepslew 30 192.0.2.7 ntp1.test ntp6.test", "makestep 1 3");
    CHECK(s->initstepslew.enabled);
    CHECK_NEAR(s->initstepslew.threshold_s, 30, 0);
    CHECK_INT(s->initstepslew.n_servers, 3);
    if (s->initstepslew.n_servers == 3) {
        CHECK_STR(fmt_ip(&s->initstepslew.servers[0]), "192.0.2.7");
        CHECK_STR(fmt_ip(&s->initstepslew.servers[1]), "192.0.2.1");
        CHECK_STR(fmt_ip(&s->initstepslew.servers[2]), "2001:db8::123");
    }
    CHECK_INT(s->makestep_limit, 3);
    /* After a restart (-R), initstepslew is ignored and makestep stays unlimited only. */
    conf_set_restarted(true);
    s = PARSE("initstepslew 30 192.0.2.7", "makestep 1 3");
    CHECK(!s->initstepslew.enabled);
    CHECK_INT(s->makestep_limit, 0);
    s = PARSE("makestep 1 -1", "initstepslew x");
    CHECK_INT(s->makestep_limit, -1);
    conf_set_restarted(false);
    conf_set_resolver(NULL);
}

TEST(initstepslew_unresolved_warns)
{
    struct outcome o;
    conf_set_resolver(fake_resolver);
    run_lines(&o, false, "initstepslew 10 nosuch.test 192.0.2.9", (const char *)NULL);
    conf_set_resolver(NULL);
    CHECK_INT(o.status, 0);
    CHECK_STR(o.err, "Could not resolve address of initstepslew server nosuch.test\n");
}

/* --- sources -------------------------------------------------------------- */

TEST(source_option_defaults)
{
    struct srcopts o;
    srcopts_defaults(&o);
    CHECK_INT(o.port, 123);
    CHECK_INT(o.minpoll, 6);
    CHECK_INT(o.maxpoll, 10);
    CHECK(o.online);
    CHECK_INT(o.presend, 100);
    CHECK_INT(o.poll_target, 8);
    CHECK_INT(o.max_sources, 4);
    CHECK_INT(o.min_samples, -1);
    CHECK_INT(o.max_samples, -1);
    CHECK_INT(o.nts_port, 4460);
    CHECK_INT(o.key, SRCOPTS_NO_KEY);
    CHECK_INT(o.version, 0);
    CHECK_INT(o.max_unreach, 100000);
    CHECK_NEAR(o.max_delay_s, 3.0, 0);
    CHECK_NEAR(o.max_delay_ratio, 0.0, 0);
    CHECK_NEAR(o.max_delay_dev_ratio, 10.0, 0);
    CHECK_NEAR(o.asymmetry, 1.0, 0);
    CHECK_INT(o.family, SRCOPTS_FAMILY_ANY);
}

TEST(source_every_option)
{
    const struct conf_settings *s = PARSE(
        "server ntp.example.net iburst burst prefer noselect trust require offline "
        "auto_offline xleave copy nts ipv6 minpoll 4 maxpoll 12 polltarget 10 presend 9 "
        "minstratum 2 version 3 port 1123 key 7 certset 2 ntsport 4461 filter 3 minsamples 4 "
        "maxsamples 16 maxdelay 0.3 maxdelayratio 2 maxdelaydevratio 5 maxdelayquant 0.2 "
        "mindelay 0.001 asymmetry 0.1 offset -0.00005 extfield F323 extfield 10A maxunreach 9 "
        "maxsources 3",
        "pool pool.example.net", "peer 192.0.2.3 key 1");
    const struct srcopts *o;
    CHECK_INT(s->n_sources, 3);
    if (s->n_sources != 3)
        return;
    CHECK_INT(s->sources[0].type, CONF_SOURCE_SERVER);
    CHECK_STR(s->sources[0].name, "ntp.example.net");
    o = &s->sources[0].opts;
    CHECK(o->iburst && o->burst && !o->online && o->auto_offline && o->xleave && o->copy &&
          o->nts);
    CHECK_INT(o->sel_options, SRCOPTS_SEL_PREFER | SRCOPTS_SEL_NOSELECT | SRCOPTS_SEL_TRUST |
              SRCOPTS_SEL_REQUIRE);
    CHECK_INT(o->family, SRCOPTS_FAMILY_INET6);
    CHECK_INT(o->minpoll, 4);
    CHECK_INT(o->maxpoll, 12);
    CHECK_INT(o->poll_target, 10);
    CHECK_INT(o->presend, 9);
    CHECK_INT(o->min_stratum, 2);
    CHECK_INT(o->version, 3);
    CHECK_INT(o->port, 1123);
    CHECK_INT(o->key, 7);
    CHECK_INT(o->cert_set, 2);
    CHECK_INT(o->nts_port, 4461);
    CHECK_INT(o->filter, 3);
    CHECK_INT(o->min_samples, 4);
    CHECK_INT(o->max_samples, 16);
    CHECK_NEAR(o->max_delay_s, 0.3, 0);
    CHECK_NEAR(o->max_delay_ratio, 2, 0);
    CHECK_NEAR(o->max_delay_dev_ratio, 5, 0);
    CHECK_NEAR(o->max_delay_quant, 0.2, 0);
    CHECK_NEAR(o->min_delay_s, 0.001, 0);
    CHECK_NEAR(o->asymmetry, 0.1, 0);
    CHECK_NEAR(o->offset_s, -0.00005, 0);
    CHECK_INT(o->ext_fields, SRCOPTS_EF_EXP_MONO_ROOT | SRCOPTS_EF_NET_CORRECTION);
    CHECK_INT(o->max_unreach, 9);
    CHECK_INT(o->max_sources, 3);
    CHECK_INT(s->sources[1].type, CONF_SOURCE_POOL);
    CHECK_STR(s->sources[1].name, "pool.example.net");
    CHECK(s->sources[1].opts.online && s->sources[1].opts.minpoll == 6);
    CHECK_INT(s->sources[2].type, CONF_SOURCE_PEER);
    CHECK_INT(s->sources[2].opts.key, 1);
}

TEST(source_parse_statuses)
{
    struct srcopts o;
    char *name;
    CHECK_INT(srcopts_parse("", &name, &o), SRCOPTS_MISSING_NAME);
    CHECK_INT(srcopts_parse("   ", &name, &o), SRCOPTS_MISSING_NAME);
    CHECK_INT(srcopts_parse("a bogus", &name, &o), SRCOPTS_BAD_OPTION);
    CHECK_INT(srcopts_parse("a minpoll 5x", &name, &o), SRCOPTS_BAD_OPTION);
    CHECK_INT(srcopts_parse("a minpoll", &name, &o), SRCOPTS_BAD_VALUE);
    CHECK_INT(srcopts_parse("a key 0", &name, &o), SRCOPTS_BAD_VALUE);
    CHECK_INT(srcopts_parse("a extfield 1", &name, &o), SRCOPTS_BAD_VALUE);
    CHECK_INT(srcopts_parse("a maxunreach -1", &name, &o), SRCOPTS_BAD_VALUE);
    /* Like chrony: case-insensitive options, any whitespace, key wraps like strtoul. */
    CHECK_INT(srcopts_parse("  host.test\tIBURST  key -1 extfield f324", &name, &o),
              SRCOPTS_OK);
    CHECK_STR(name, "host.test");
    CHECK(o.iburst);
    CHECK_INT(o.key, 0xffffffffu);
    CHECK_INT(o.ext_fields, SRCOPTS_EF_NET_CORRECTION);
    free(name);
    /* The table is there for completion and help. */
    CHECK_STR(srcopts_option_name(0), "asymmetry");
    size_t n = 0;
    while (srcopts_option_name(n))
        n++;
    CHECK_INT(n, 36);
}

TEST(source_errors_are_chrony_43s)
{
    CHECK_FATAL("Could not parse server directive at line 1", "server");
    CHECK_FATAL("Could not parse server directive at line 1", "server a bogus");
    CHECK_FATAL("Could not parse pool directive at line 2", "port 1", "pool a maxsources");
    CHECK_FATAL("Could not parse peer directive at line 1", "peer a key 0");
}

/* --- allow / deny ----------------------------------------------------------- */

TEST(acl_forms)
{
    const struct conf_settings *s;
    conf_set_resolver(fake_resolver);
    s = PARSE("allow", "allow all", "deny all 10/8", "allow 192.168", "allow 1.2.3",
              "deny 10", "allow 10.1.2.3", "allow 3.4.5.0/24", "allow 2001:db8::/32",
              "allow ::/0", "allow 0/0", "allow ntp1.test", "allow ntp6.test",
              "cmdallow 192.168/16", "cmddeny all");
    conf_set_resolver(NULL);
    const struct conf_acl_rule *r = s->ntp_acl.rules;
    CHECK_INT(s->ntp_acl.n, 13);
    CHECK_INT(s->cmd_acl.n, 2);
    if (s->ntp_acl.n != 13 || s->cmd_acl.n != 2)
        return;
    CHECK(r[0].allow && !r[0].all && r[0].subnet.ip.family == ADDR_UNSPEC && r[0].subnet.bits == 0);
    CHECK(r[1].allow && r[1].all && r[1].subnet.ip.family == ADDR_UNSPEC);
    CHECK(!r[2].allow && r[2].all);
    CHECK_STR(fmt_ip(&r[2].subnet.ip), "10.0.0.0");
    CHECK_INT(r[2].subnet.bits, 8);
    CHECK_STR(fmt_ip(&r[3].subnet.ip), "192.168.0.0");
    CHECK_INT(r[3].subnet.bits, 16);
    CHECK_STR(fmt_ip(&r[4].subnet.ip), "1.2.3.0");
    CHECK_INT(r[4].subnet.bits, 24);
    CHECK(!r[5].allow);
    CHECK_INT(r[5].subnet.bits, 8);
    CHECK_INT(r[6].subnet.bits, 32);
    CHECK_INT(r[7].subnet.bits, 24);
    CHECK_INT(r[8].subnet.ip.family, ADDR_INET6);
    CHECK_INT(r[8].subnet.bits, 32);
    CHECK_INT(r[9].subnet.bits, 0);
    CHECK_INT(r[10].subnet.ip.family, ADDR_INET4);
    CHECK_INT(r[10].subnet.bits, 0);
    CHECK_STR(fmt_ip(&r[11].subnet.ip), "192.0.2.1");
    CHECK_INT(r[11].subnet.bits, 32);
    CHECK_STR(fmt_ip(&r[12].subnet.ip), "2001:db8::123");
    CHECK_INT(r[12].subnet.bits, 128);
    CHECK(s->cmd_acl.rules[0].allow);
    CHECK_INT(s->cmd_acl.rules[0].subnet.bits, 16);
    CHECK(!s->cmd_acl.rules[1].allow && s->cmd_acl.rules[1].all);
}

TEST(acl_errors)
{
    conf_set_resolver(fake_resolver);
    CHECK_FATAL("Could not parse allow directive at line 1", "allow 1.2.3/x");
    CHECK_FATAL("Could not parse allow directive at line 1", "allow ntp1.test/8");
    CHECK_FATAL("Could not parse allow directive at line 1", "allow nosuch.test");
    CHECK_FATAL("Could not parse deny directive at line 1", "deny all all");
    CHECK_FATAL("Could not parse cmdallow directive at line 1", "cmdallow 1 2");
    CHECK_FATAL("Could not parse allow directive at line 1", "allow 256");
    CHECK_FATAL("Could not parse allow directive at line 1", "allow 10/-1");
    conf_set_resolver(NULL);
}

static void finish_child(void *arg)
{
    conf_init();
    conf_parse_line(arg);
    conf_finish();
}

TEST(acl_bad_subnet_at_start)
{
    struct outcome o;
    /* Accepted by the parser (and by -p), refused when the tables are set up. */
    run_child(finish_child, "allow 192.0.2.1/33", &o);
    CHECK_INT(o.status, 1);
    CHECK_STR(o.err, FATAL_MSG "Bad subnet in 192.0.2.1/33\n");
    run_child(finish_child, "cmdallow 2001:db8::/129", &o);
    CHECK_STR(o.err, FATAL_MSG "Bad subnet in 2001:db8::/129\n");
}

TEST(subnet_parser)
{
    addr_subnet sn;
    CHECK_INT(addr_parse_subnet("10", &sn), ADDR_SUBNET_OK);
    CHECK_INT(sn.bits, 8);
    CHECK_INT(sn.ip.a.in4, 0x0a000000);
    CHECK_INT(addr_parse_subnet("10/12", &sn), ADDR_SUBNET_OK);
    CHECK_INT(sn.bits, 12);
    CHECK_INT(addr_parse_subnet("1.2.3.4/33", &sn), ADDR_SUBNET_OK);
    CHECK_INT(sn.bits, 33);
    CHECK_INT(addr_parse_subnet("::1", &sn), ADDR_SUBNET_OK);
    CHECK_INT(sn.bits, 128);
    CHECK_INT(addr_parse_subnet("1.2.3.4.5/8", &sn), ADDR_SUBNET_INVALID);
    CHECK_INT(addr_parse_subnet("1.256", &sn), ADDR_SUBNET_INVALID);
    CHECK_INT(addr_parse_subnet("10/", &sn), ADDR_SUBNET_INVALID);
    CHECK_INT(addr_parse_subnet("10/8x", &sn), ADDR_SUBNET_INVALID);
    CHECK_INT(addr_parse_subnet("host.test", &sn), ADDR_SUBNET_NOT_NUMERIC);
    CHECK_INT(addr_parse_subnet("host.test/24", &sn), ADDR_SUBNET_INVALID);
}

/* --- errors ------------------------------------------------------------------- */

TEST(error_messages)
{
    CHECK_FATAL("Invalid directive at line 1", "foo bar");
    /* Command-line lines are counted, blank ones too. */
    CHECK_FATAL("Invalid directive at line 4", "", "# comment", "port 1", "foo");
    CHECK_FATAL("Could not parse port directive at line 1", "port abc");
    CHECK_FATAL("Missing arguments for port directive at line 1", "port");
    CHECK_FATAL("Too many arguments for PORT directive at line 1", "PORT 1 2");
    CHECK_FATAL("Too many arguments for rtcsync directive at line 1", "rtcsync 1");
    CHECK_FATAL("Invalid log parameter at line 1", "log tracking TRACKING");
    CHECK_FATAL("Could not parse leapsecmode directive at line 1", "leapsecmode system step");
    CHECK_FATAL("Could not parse local directive at line 1", "local stratum 16");
    CHECK_FATAL("Could not parse smoothtime directive at line 1", "smoothtime 400 0.001 foo");
    CHECK_FATAL("Too many arguments for driftfile directive at line 1", "driftfile /x foo");
    CHECK_FATAL("Could not parse confdir directive at line 1", "confdir");
    CHECK_FATAL("Could not parse confdir directive at line 1", "confdir 1 2 3 4 5 6 7 8 9 10 11");
    CHECK_OK("confdir 1 2 3 4 5 6 7 8 9 10");
    CHECK_OK("dumponexit whatever");
    /* A comment character is only a comment at the start of a line. */
    CHECK_FATAL("Too many arguments for port directive at line 1", "port 1 # one");
    char longline[2100];
    memset(longline, 'a', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    memcpy(longline, "server ", 7);
    CHECK_FATAL("String too long at line 1", longline);
    longline[2047] = '\0';      /* 2047 characters are fine */
    CHECK_OK(longline);
}

TEST(obsolete_directives_warn)
{
    struct outcome o;
    run_lines(&o, false, "commandkey 1", "LINUX_HZ 100", (const char *)NULL);
    CHECK_INT(o.status, 0);
    CHECK_STR(o.err, "commandkey directive is no longer supported\n"
                     "LINUX_HZ directive is no longer supported\n");
}

TEST(newer_directives)
{
    /* Directives chrony 4.3 does not know, read as chrony 4.8+ reads them. */
    const struct conf_settings *s = PARSE(
        "hwtstimeout 0.01", "leapseclist /usr/share/zoneinfo/leap-seconds.list",
        "ntsaeads 15", "opencommands tracking sources clients", "ptpdomain 5",
        "refresh 0", "maxstratum 4", "minstratum 1", "maxtxbuffers 128",
        "driftfile /var/lib/chrony/drift interval 60");
    CHECK_NEAR(s->hwts_timeout_s, 0.01, 0);
    CHECK_STR(s->leapsec_list, "/usr/share/zoneinfo/leap-seconds.list");
    CHECK(s->n_ntsaeads == 1 && s->ntsaeads[0] == 15);
    CHECK_INT(s->open_commands, CONF_OPEN_TRACKING | CONF_OPEN_SOURCES | CONF_OPEN_CLIENTS);
    CHECK_INT(s->ptp_domain, 5);
    CHECK_INT(s->refresh_s, 0);
    CHECK_INT(s->max_stratum, 4);
    CHECK_INT(s->min_stratum, 1);
    CHECK_INT(s->max_tx_buffers, 128);
    CHECK_STR(s->driftfile, "/var/lib/chrony/drift");
    CHECK_INT(s->driftfile_interval_s, 60);
    s = PARSE("opencommands");
    CHECK_INT(s->open_commands, 0);
    CHECK_FATAL("Invalid value 256 in ptpdomain directive (min 0, max 255) at line 1",
                "ptpdomain 256");
    CHECK_FATAL("Invalid value -1 in refresh directive (min 0, max 2147483647) at line 1",
                "refresh -1");
    CHECK_FATAL("Could not parse refresh directive at line 1", "refresh 12x");
    CHECK_FATAL("Could not parse opencommands directive at line 1", "opencommands tracking foo");
    CHECK_FATAL("Could not parse ntsaeads directive at line 1", "ntsaeads 15 x");
    CHECK_FATAL("Missing arguments for hwtstimeout directive at line 1", "hwtstimeout");
}

/* --- files ------------------------------------------------------------------- */

TEST(files_include_confdir)
{
    char main_conf[PATH_BUF], line[PATH_BUF];
    struct lines l = { .print = true };
    struct outcome o;

    make_tmpdir();
    write_file("inc/b.conf", "server b.test\n");
    write_file("inc/a.conf", "server a.test\n");
    write_file("d1/x.conf", "server d1x.test\n");
    write_file("d1/z.conf", "server d1z.test\n");
    write_file("d2/x.conf", "server d2x.test\n");
    write_file("d2/y.conf", "server d2y.test\n");
    write_file("d2/w.sources", "server not-read.test\n");
    snprintf(line, sizeof line,
             "port 1\n  # comment\n\ninclude %s/inc/*.conf\nconfdir %s/d1 %s/d2\nport 2\n",
             tmpdir, tmpdir, tmpdir);
    snprintf(main_conf, sizeof main_conf, "%s", write_file("main.conf", line));

    /* Includes are read where they stand, sorted; confdir takes the first
     * file of each name in the order of the directories; -p prints the lines
     * read, not the include and confdir lines. */
    l.file = main_conf;
    run_child(parse_lines_child, &l, &o);
    CHECK_INT(o.status, 0);
    CHECK_STR(o.out, "port 1\nserver a.test\nserver b.test\nserver d1x.test\n"
                     "server d2y.test\nserver d1z.test\nport 2\n");
    CHECK_STR(o.err, "");

    conf_init();
    conf_read_file(main_conf);
    CHECK_INT(conf_settings()->n_sources, 5);
    CHECK_INT(conf_settings()->port, 2);

    /* A missing pattern is fine, a missing plain file is not. */
    snprintf(line, sizeof line, "include %s/nothing*.conf", tmpdir);
    CHECK_OK(line);
    snprintf(line, sizeof line, "include %s/nothing.conf", tmpdir);
    {
        struct outcome o2;
        char want[PATH_BUF];
        run_lines(&o2, false, line, (const char *)NULL);
        snprintf(want, sizeof want,
                 FATAL_MSG "Could not open %s/nothing.conf : No such file or directory\n", tmpdir);
        CHECK_INT(o2.status, 1);
        CHECK_STR(o2.err, want);
    }

    /* An error in an included file names that file and its line. */
    write_file("bad.conf", "port 1\nfoo\n");
    snprintf(line, sizeof line, "include %s/bad.conf", tmpdir);
    {
        struct outcome o2;
        char want[PATH_BUF];
        run_lines(&o2, true, "port 5", line, (const char *)NULL);
        snprintf(want, sizeof want, FATAL_MSG "Invalid directive at line 2 in file %s/bad.conf\n",
                 tmpdir);
        CHECK_STR(o2.err, want);
        CHECK_STR(o2.out, "port 5\nport 1\nfoo\n");
    }

    /* A file including itself stops at the include limit. */
    snprintf(line, sizeof line, "port 1\ninclude %s/self.conf\n", tmpdir);
    write_file("self.conf", line);
    snprintf(line, sizeof line, "%s/self.conf", tmpdir);
    l.file = line;
    run_child(parse_lines_child, &l, &o);
    CHECK_INT(o.status, 1);
    CHECK_STR(o.err, FATAL_MSG "Maximum include level reached\n");
    {
        int ports = 0;
        for (const char *p = o.out; (p = strstr(p, "port 1")); p++)
            ports++;
        CHECK_INT(ports, 10);
    }
    remove_tmpdir();
}

/* A fatal hook that returns control (as the fuzzer's does) leaves the parse
 * abandoned where it failed; conf_init closes what it had open. */
static jmp_buf abandon_jmp;

static void abandon_parse(void)
{
    longjmp(abandon_jmp, 1);
}

#define FD_SCAN_MAX 1024

static int open_fds(void)
{
    int n = 0;
    for (int fd = 0; fd < FD_SCAN_MAX; fd++)
        n += fcntl(fd, F_GETFD) != -1;
    return n;
}

/* Reads path until a fatal error: true when one came. */
static bool read_abandoned(const char *path)
{
    log_set_fatal_hook(abandon_parse);
    if (setjmp(abandon_jmp) != 0) {
        log_set_fatal_hook(child_exit_fatal);
        return true;
    }
    conf_init();
    conf_read_file(path);
    log_set_fatal_hook(child_exit_fatal);
    return false;
}

static void abandoned_include_child(void *arg)
{
    const char *path = arg;
    int before = open_fds();

    if (!read_abandoned(path)) {
        printf("no fatal error\n");
        return;
    }
    printf("open while abandoned: %d\n", open_fds() - before);
    conf_init();
    printf("open after conf_init: %d\n", open_fds() - before);
    /* and the include levels start again from the top */
    conf_parse_line("port 7");
    printf("port %d\n", conf_settings()->port);
}

TEST(reinit_closes_abandoned_files)
{
    char line[PATH_BUF], path[PATH_BUF];
    struct outcome o;

    make_tmpdir();
    snprintf(line, sizeof line, "include %s/self.conf\n", tmpdir);
    snprintf(path, sizeof path, "%s", write_file("self.conf", line));
    run_child(abandoned_include_child, path, &o);
    CHECK_INT(o.status, 0);
    CHECK_STR(o.out, "open while abandoned: 10\nopen after conf_init: 0\nport 7\n");
    CHECK_STR(o.err, FATAL_MSG "Maximum include level reached\n");
    remove_tmpdir();
}

TEST(missing_config_file)
{
    struct lines l = { .file = "/nonexistent/chrony.conf" };
    struct outcome o;
    run_child(parse_lines_child, &l, &o);
    CHECK_INT(o.status, 1);
    CHECK_STR(o.err, FATAL_MSG "Could not open /nonexistent/chrony.conf : No such file or directory\n");
}

TEST(files_odd_line_endings)
{
    const struct conf_settings *s;
    make_tmpdir();
    conf_init();
    conf_read_file(write_file("crlf.conf", "port 1\r\nserver a.test\tiburst\r\ncmdport 2"));
    s = conf_settings();
    CHECK_INT(s->port, 1);
    CHECK_INT(s->cmd_port, 2);
    CHECK(s->n_sources == 1 && s->sources[0].opts.iburst);
    remove_tmpdir();
}

static void load_sourcedirs_child(void *arg)
{
    size_t n;
    struct conf_source *src = conf_load_sourcedirs(&n);
    (void)arg;
    conf_free_sources(src, n);
}

TEST(sourcedir_loading)
{
    char line[PATH_BUF];
    struct conf_source *src;
    size_t n;
    struct outcome o;

    make_tmpdir();
    write_file("s1/b.sources", "server b1.test iburst\n");
    write_file("s2/b.sources", "server b2.test\n");
    write_file("s2/a.sources", "# DHCP\npool a.test maxsources 2\n\npeer p.test\n"
                               "server partial.test");
    write_file("s2/c.sources", "server c.test bogus\nallow 10/8\nserver c2.test\n");
    write_file("s2/d.conf", "server not-a-source.test\n");
    snprintf(line, sizeof line, "sourcedir %s/s1 %s/s2", tmpdir, tmpdir);
    conf_init();
    conf_parse_line(line);
    conf_parse_line("sourcedir");          /* accepted, reads nothing */
    CHECK_INT(conf_settings()->n_sourcedirs, 2);
    CHECK_INT(conf_settings()->n_sources, 0);

    /* Whole lines only, s1/b.sources wins over s2/b.sources, bad lines skipped
     * (with warnings, checked below in a child). */
    log_set_threshold(LOG_LVL_ERR);
    src = conf_load_sourcedirs(&n);
    log_set_threshold(LOG_LVL_INFO);
    CHECK_INT(n, 4);
    if (n == 4) {
        CHECK_STR(src[0].name, "a.test");
        CHECK_INT(src[0].type, CONF_SOURCE_POOL);
        CHECK_INT(src[0].opts.max_sources, 2);
        CHECK_STR(src[1].name, "p.test");
        CHECK_INT(src[1].type, CONF_SOURCE_PEER);
        CHECK_STR(src[2].name, "b1.test");
        CHECK(src[2].opts.iburst);
        CHECK_STR(src[3].name, "c2.test");
    }
    conf_free_sources(src, n);

    /* The skipped lines are reported (not fatal: the files change at run time). */
    run_child(load_sourcedirs_child, NULL, &o);
    CHECK_INT(o.status, 0);
    CHECK(strstr(o.err, "Could not parse server directive at line 1 in file ") != NULL);
    CHECK(strstr(o.err, "Invalid directive at line 2 in file ") != NULL);
    remove_tmpdir();
}

TEST(dir_search)
{
    char **paths;
    size_t n;
    char dirs[PATH_BUF];
    make_tmpdir();
    write_file("a/1.conf", "");
    write_file("a/3.conf", "");
    write_file("b/1.conf", "");
    write_file("b/2.conf", "");
    write_file("b/2.txt", "");
    snprintf(dirs, sizeof dirs, "%s/b  %s/a %s/missing", tmpdir, tmpdir, tmpdir);
    CHECK(conf_dirs_search(dirs, ".conf", &paths, &n));
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK(strstr(paths[0], "/b/1.conf") != NULL);
        CHECK(strstr(paths[1], "/b/2.conf") != NULL);
        CHECK(strstr(paths[2], "/a/3.conf") != NULL);
    }
    conf_dirs_free(paths, n);
    CHECK(!conf_dirs_search("   ", ".conf", &paths, &n));
    remove_tmpdir();
}

/* --- -p and warnings ------------------------------------------------------ */

TEST(print_normalizes)
{
    struct outcome o;
    run_lines(&o, true, "  server\t a.test   iburst  ", "# comment", "",
              "INCLUDE /nonexistent-cw-test*.conf", "rtcsync", "foo  bar", (const char *)NULL);
    CHECK_INT(o.status, 1);
    CHECK_STR(o.out, "server a.test iburst\nrtcsync\nfoo bar\n");
    CHECK_STR(o.err, FATAL_MSG "Invalid directive at line 6\n");
    /* A pattern in a directory that does not exist is an error (glob fails). */
    CHECK_FATAL("Could not search for files matching /nonexistent-cw/*.conf",
                "include /nonexistent-cw/*.conf");
}

TEST(unsupported_directives_warn_once)
{
    struct lines l = { .finish = true, .line = { "keyfile /a", "keyfile /b", "pidfile /x",
                                                 "lock_all", "peer a.test", "dumponexit" } };
    struct outcome o;
    run_child(parse_lines_child, &l, &o);
    CHECK_INT(o.status, 0);
    CHECK_STR(o.err, "keyfile directive not supported yet\npeer directive not supported yet\n");
    /* -p prints the configuration only. */
    l.print = true;
    run_child(parse_lines_child, &l, &o);
    CHECK_STR(o.err, "");
}

TEST(directive_table_is_complete)
{
    /* chrony.conf(5) of chrony 4.8 (and the hidden/obsolete names of conf.c). */
    static const char *const names[] = {
        "acquisitionport", "allow", "authselectmode", "bindacqaddress", "bindacqdevice",
        "bindaddress", "bindcmdaddress", "bindcmddevice", "binddevice", "broadcast",
        "clientloglimit", "clockprecision", "cmdallow", "cmddeny", "cmdport", "cmdratelimit",
        "combinelimit", "commandkey", "confdir", "corrtimeratio", "deny", "driftfile", "dscp",
        "dumpdir", "dumponexit", "fallbackdrift", "generatecommandkey", "hwclockfile",
        "hwtimestamp", "hwtstimeout", "include", "initstepslew", "keyfile", "leapsecmode",
        "leapseclist", "leapsectz", "linux_freq_scale", "linux_hz", "local", "lock_all", "log",
        "logbanner", "logchange", "logdir", "mailonchange", "makestep", "manual", "maxchange",
        "maxclockerror", "maxdistance", "maxdrift", "maxjitter", "maxntsconnections",
        "maxsamples", "maxslewrate", "maxstratum", "maxtxbuffers", "maxupdateskew",
        "minsamples", "minsources", "minstratum", "nocerttimecheck", "noclientlog",
        "nosystemcert", "ntpsigndsocket", "ntsaeads", "ntscachedir", "ntsdumpdir",
        "ntsntpserver", "ntsport", "ntsprocesses", "ntsratelimit", "ntsrefresh", "ntsrotate",
        "ntsservercert", "ntsserverkey", "ntstrustedcerts", "opencommands", "peer", "pidfile",
        "pool", "port", "ptpdomain", "ptpport", "ratelimit", "refclock", "refresh",
        "reselectdist", "rtcautotrim", "rtcdevice", "rtcfile", "rtconutc", "rtcsync",
        "sched_priority", "server", "smoothtime", "sourcedir", "stratumweight", "tempcomp",
        "user",
    };
    size_t n = 0;
    while (conf_directive_name(n))
        n++;
    CHECK_INT(n, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < sizeof names / sizeof names[0] && i < n; i++)
        CHECK_STR(conf_directive_name(i), names[i]);
    CHECK(conf_directive_implemented("pidfile"));
    CHECK(conf_directive_implemented("LOCK_ALL"));
    CHECK(conf_directive_implemented("sched_priority"));
    CHECK(!conf_directive_implemented("peer"));
    CHECK(!conf_directive_implemented("nosuchdirective"));
}

TEST(reinit_frees_and_resets)
{
    const struct conf_settings *s = PARSE("server a.test", "refclock PPS /dev/pps0",
                                          "allow 10/8", "hwtimestamp eth0", "user nobody",
                                          "ntsaeads 15", "sourcedir /x");
    CHECK_INT(s->n_sources, 1);
    conf_init();
    CHECK_INT(s->n_sources + s->n_refclocks + s->ntp_acl.n + s->n_hwts + s->n_sourcedirs, 0);
    CHECK_STR(s->user, CW_DEFAULT_USER);
    CHECK_INT(s->n_ntsaeads, 2);
}

TEST_LIST {
    T(defaults_are_chronys),
    T(client_only_defaults),
    T(simple_values),
    T(numbers_read_like_chrony_43),
    T(paths_that_disable),
    T(structured_directives),
    T(local_directive),
    T(ratelimit_directives),
    T(refclock_directive),
    T(hwtimestamp_directive),
    T(initstepslew_and_restart),
    T(initstepslew_unresolved_warns),
    T(source_option_defaults),
    T(source_every_option),
    T(source_parse_statuses),
    T(source_errors_are_chrony_43s),
    T(acl_forms),
    T(acl_errors),
    T(acl_bad_subnet_at_start),
    T(subnet_parser),
    T(error_messages),
    T(obsolete_directives_warn),
    T(newer_directives),
    T(files_include_confdir),
    T(reinit_closes_abandoned_files),
    T(missing_config_file),
    T(files_odd_line_endings),
    T(sourcedir_loading),
    T(dir_search),
    T(print_normalizes),
    T(unsupported_directives_warn_once),
    T(directive_table_is_complete),
    T(reinit_frees_and_resets),
};
TEST_MAIN
