/* main: chronyd's entry point. Owns the command line (chrony 4.x options and
 * directives given as arguments), the start-up order (daemonise, logging,
 * configuration, pid file, directories, process settings), the event loop
 * and a clean exit. New subsystems are wired in here. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "chronyd/cmdmon.h"
#include "chronyd/conf.h"
#include "chronyd/discipline.h"
#include "chronyd/logfile.h"
#include "chronyd/manual_input.h"
#include "chronyd/ntp_client.h"
#include "chronyd/ntp_serve.h"
#include "chronyd/oneshot.h"
#include "chronyd/smoothing.h"
#include "chronyd/version.h"
#include "common/log.h"
#include "common/mem.h"
#include "platform/daemon.h"
#include "platform/files.h"
#include "platform/sched.h"
#include "platform/sysclock.h"

/* chrony's short options, in chrony's order. */
#define SHORT_OPTIONS "46df:F:hl:L:mnpP:qQrRst:u:Uvx"
/* The command socket's directory must not be open to others. */
#define CMD_SOCKET_DIR_MODE 0770
#define LOG_DIR_MODE 0750
/* -l files are not world-readable: they may name clients and servers. */
#define LOG_FILE_MODE 0640
#define DUMP_DIR_MODE 0750
#define NO_TIMEOUT (-1)
#define SYSLOG_IDENT "chronyd"

enum addr_family_opt { FAMILY_ANY, FAMILY_INET4, FAMILY_INET6 };

/* What one-shot mode (-q/-Q) asked for; normal operation otherwise. */
enum run_mode { MODE_NORMAL, MODE_SET_ONCE, MODE_PRINT_ONCE };

struct options {
    const char *conf_file;
    const char *user;           /* -u, NULL: the user directive */
    const char *log_file;       /* -l */
    int address_family;
    int debug;                  /* number of -d */
    bool nofork, system_log, user_check, print_config, clock_control;
    bool reload, restarted, init_from_rtc, lock_memory;
    int log_threshold;          /* -L */
    int timeout_s;              /* -t, NO_TIMEOUT when absent */
    int scfilter_level;         /* -F */
    int sched_priority;         /* -P */
    enum run_mode mode;
};

static int exit_status;
static const char *written_pidfile;     /* set once our pid file exists */

static void print_help(const char *progname)
{
    printf("Usage: %s [OPTION]... [DIRECTIVE]...\n\n"
           "Options:\n"
           "  -4\t\tUse IPv4 addresses only\n"
           "  -6\t\tUse IPv6 addresses only\n"
           "  -f FILE\tSpecify configuration file (%s)\n"
           "  -n\t\tDon't run as daemon\n"
           "  -d\t\tDon't run as daemon and log to stderr\n"
#if CW_DEBUG
           "  -d -d\t\tEnable debug messages\n"
#endif
           "  -l FILE\tLog to file\n"
           "  -L LEVEL\tSet logging threshold (0)\n"
           "  -p\t\tPrint configuration and exit\n"
           "  -q\t\tSet clock and exit\n"
           "  -Q\t\tLog offset and exit\n"
           "  -r\t\tReload dump files\n"
           "  -R\t\tAdapt configuration for restart\n"
           "  -s\t\tSet clock from RTC\n"
           "  -t SECONDS\tExit after elapsed time\n"
           "  -u USER\tSpecify user (%s)\n"
           "  -U\t\tDon't check for root\n"
           "  -F LEVEL\tSet system call filter level (0)\n"
           "  -P PRIORITY\tSet process priority (0)\n"
           "  -m\t\tLock memory\n"
           "  -x\t\tDon't control clock\n"
           "  -v, --version\tPrint version and exit\n"
           "  -h, --help\tPrint usage and exit\n",
           progname, CW_DEFAULT_CONF_FILE, CW_DEFAULT_USER);
}

static void print_version(void)
{
    printf("chronyd (clockwork) version %s (%s)\n", version_number(), version_features());
}

/* chrony reads numeric options with sscanf("%d"): leading digits count. */
static int parse_int_arg(const char *arg)
{
    int value;
    if (sscanf(arg, "%d", &value) != 1)
        LOG_FATAL("Invalid argument %s", arg);
    return value;
}

/* Returns -1 to go on, or the exit status when the command line is done. */
static int parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){
        .conf_file = CW_DEFAULT_CONF_FILE,
        .system_log = true,
        .user_check = true,
        .clock_control = true,
        .log_threshold = LOG_LVL_INFO,
        .timeout_s = NO_TIMEOUT,
        .address_family = FAMILY_ANY,
        .mode = MODE_NORMAL,
    };

    /* Long options are recognised anywhere, before any short one is looked at. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            print_help(argv[0]);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            print_version();
            return 0;
        }
    }

    int opt;
    optind = 1;
    while ((opt = getopt(argc, argv, SHORT_OPTIONS)) != -1) {
        switch (opt) {
        case '4':
        case '6':
            o->address_family = opt == '4' ? FAMILY_INET4 : FAMILY_INET6;
            break;
        case 'd':
            o->debug++;
            o->nofork = true;
            o->system_log = false;
            break;
        case 'f':
            o->conf_file = optarg;
            break;
        case 'F':
            o->scfilter_level = parse_int_arg(optarg);
            break;
        case 'l':
            o->log_file = optarg;
            break;
        case 'L':
            o->log_threshold = parse_int_arg(optarg);
            break;
        case 'm':
            o->lock_memory = true;
            break;
        case 'n':
            o->nofork = true;
            break;
        case 'p':
            o->print_config = true;
            o->user_check = false;
            o->nofork = true;
            o->system_log = false;
            o->log_threshold = LOG_LVL_WARN;
            break;
        case 'P':
            o->sched_priority = parse_int_arg(optarg);
            break;
        case 'q':
            o->mode = MODE_SET_ONCE;
            o->nofork = true;
            o->system_log = false;
            break;
        case 'Q':
            o->mode = MODE_PRINT_ONCE;
            o->nofork = true;
            o->user_check = false;
            o->clock_control = false;
            o->system_log = false;
            break;
        case 'r':
            o->reload = true;
            break;
        case 'R':
            o->restarted = true;
            break;
        case 's':
            o->init_from_rtc = true;
            break;
        case 't':
            o->timeout_s = parse_int_arg(optarg);
            break;
        case 'u':
            o->user = optarg;
            break;
        case 'U':
            o->user_check = false;
            break;
        case 'v':
            print_version();
            return 0;
        case 'x':
            o->clock_control = false;
            break;
        default:
            /* -h, or getopt has already named the bad option on stderr. */
            print_help(argv[0]);
            return opt != 'h';
        }
    }
    return -1;
}

static void setup_logging(const struct options *o)
{
    if (o->log_file) {
        FILE *f = files_append_open(o->log_file, LOG_FILE_MODE);
        if (!f)
            LOG_FATAL("Could not open %s : %s", o->log_file, strerror(errno));
        log_to_stream(f);
    } else if (o->system_log) {
        log_to_syslog(SYSLOG_IDENT);
    }

    int threshold = o->debug >= 2 ? LOG_LVL_DEBUG : o->log_threshold;
    /* Debug messages exist only in debugging builds, as in chrony. */
    if (!CW_DEBUG && threshold < LOG_LVL_INFO)
        threshold = LOG_LVL_INFO;
    log_set_threshold(threshold);
}

/* One warning for each option that is accepted but whose feature has not
 * been built yet, so nobody relies on it silently. */
static void warn_unsupported(const char *option, const char *what)
{
    LOG_WARN("Option %s (%s) is not supported yet and has no effect", option, what);
}

static void warn_unsupported_options(const struct options *o)
{
    if (o->init_from_rtc && conf_settings()->rtc_file[0])
        LOG_WARN("Option -s uses only the drift file: the RTC is not supported yet");
    if (o->scfilter_level)
        warn_unsupported("-F", "system call filter");
}

static void read_configuration(const struct options *o, int argc, char **argv)
{
    conf_init();
    conf_set_restarted(o->restarted);
    /* -Q is a pure client: no server port, command socket or pid file. */
    conf_set_client_only(o->mode == MODE_PRINT_ONCE);
    conf_set_print(o->print_config);
    /* Directives on the command line replace the configuration file. */
    if (optind >= argc) {
        conf_read_file(o->conf_file);
    } else {
        for (int i = optind; i < argc; i++)
            conf_parse_line(argv[i]);
    }
}

static const char *pidfile_path(void)
{
    const char *path = conf_settings()->pidfile;
    return path && path[0] ? path : NULL;
}

static void remove_pidfile(void)
{
    if (written_pidfile) {
        daemon_pidfile_remove(written_pidfile);
        written_pidfile = NULL;
    }
}

static void check_pidfile(void)
{
    const char *path = pidfile_path();
    int pid;

    if (path && (pid = daemon_pidfile_running(path)) > 0)
        LOG_FATAL("Another chronyd may already be running (pid=%d), check %s", pid, path);
}

static void write_pidfile(void)
{
    const char *path = pidfile_path();

    if (!path)
        return;
    if (daemon_pidfile_write(path) < 0)
        LOG_FATAL("Could not open %s : %s", path, strerror(errno));
    written_pidfile = path;
    log_set_fatal_hook(remove_pidfile);
}

/* The directory holding a file's path, or NULL for a bare name. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return NULL;
    return mem_strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static void create_dirs(const struct passwd *pw)
{
    const struct conf_settings *s = conf_settings();

    if (s->bindcmdpath && s->bindcmdpath[0]) {
        char *dir = dir_of(s->bindcmdpath);
        if (dir)
            daemon_create_dir(dir, CMD_SOCKET_DIR_MODE, pw->pw_uid, pw->pw_gid);
        mem_free(dir);
    }
    if (s->logdir && s->logdir[0])
        daemon_create_dir(s->logdir, LOG_DIR_MODE, pw->pw_uid, pw->pw_gid);
    if (s->dumpdir && s->dumpdir[0])
        daemon_create_dir(s->dumpdir, DUMP_DIR_MODE, pw->pw_uid, pw->pw_gid);
}

static void on_timeout(void *arg)
{
    LOG_INFO("Timeout reached");
    /* chrony exits non-zero when the clock is not synchronised */
    exit_status = discipline_is_synchronised() ? 0 : 1;
    sched_quit();
}

/* maxchange asked the daemon to exit. */
static void on_discipline_end(bool ok)
{
    exit_status = ok ? 0 : 1;
    sched_quit();
}

static enum discipline_mode discipline_mode_of(enum run_mode mode)
{
    return mode == MODE_SET_ONCE ? DISCIPLINE_SET_ONCE
         : mode == MODE_PRINT_ONCE ? DISCIPLINE_PRINT_ONCE : DISCIPLINE_NORMAL;
}

/* -q/-Q: oneshot decided (offset logged: 0; no usable source: 1). */
static void on_one_shot_done(int status)
{
    exit_status = status;
    sched_quit();
}

static int ip_family(const struct options *o)
{
    return o->address_family == FAMILY_INET4 ? ADDR_INET4 :
           o->address_family == FAMILY_INET6 ? ADDR_INET6 : ADDR_UNSPEC;
}

static void apply_process_settings(const struct options *o, const struct passwd *pw)
{
    const struct conf_settings *s = conf_settings();

    /* The command-line option wins over the directive. */
    int priority = o->sched_priority ? o->sched_priority : s->sched_priority;
    if (priority)
        daemon_set_priority(priority);
    if (o->lock_memory || s->lock_all)
        daemon_lock_memory();

    if (geteuid() == 0 && (pw->pw_uid != 0 || pw->pw_gid != 0))
        LOG_WARN("Dropping root privileges to %s is not supported yet", pw->pw_name);
    if (geteuid() == 0)
        LOG_WARN("Running with root privileges");
}

int main(int argc, char **argv)
{
    struct options o;
    /* log lines are stamped with the system clock's time */
    log_set_clock(sched_now_real);
    int done = parse_options(argc, argv, &o);
    if (done >= 0)
        return done;

    if (o.user_check && getuid() != 0)
        LOG_FATAL("Not superuser");

    if (!o.nofork)
        daemon_detach();

    setup_logging(&o);
    LOG_INFO("chronyd version %s starting (%s)", version_number(), version_features());

    read_configuration(&o, argc, argv);
    if (o.print_config)
        return 0;
    conf_finish();

    check_pidfile();

    const char *user = o.user ? o.user : conf_settings()->user;
    struct passwd *pw = getpwnam(user ? user : CW_DEFAULT_USER);
    if (!pw)
        LOG_FATAL("Could not get user/group ID of %s", user ? user : CW_DEFAULT_USER);

    create_dirs(pw);

    /* From here a quit signal ends the loop at its first turn, so the pid
     * file written next is always removed. */
    sched_init();
    sched_catch_quit_signals();
    write_pidfile();

    /* the clock driver: the kernel's (its PLL and adjtime() reset), or with
     * -x the null driver, which never changes anything */
    if (sysclock_init(o.clock_control) < 0)
        LOG_FATAL("Could not control the system clock (CAP_SYS_TIME missing?); "
                  "-x runs without clock control");
    if (!o.clock_control)
        LOG_INFO("Disabled control of system clock");

    apply_process_settings(&o, pw);
    warn_unsupported_options(&o);

    ntp_serve_init(conf_settings(), ip_family(&o));
    ntp_client_init(ip_family(&o));
    discipline_set_end_handler(on_discipline_end);
    discipline_init(conf_settings(), discipline_mode_of(o.mode));
    manual_input_init(conf_settings());
    smoothing_init(conf_settings());
    if (o.init_from_rtc)
        discipline_restore_time();
    /* the command server answers for all of the above */
    cmdmon_init(conf_settings(), ip_family(&o), pw->pw_uid, pw->pw_gid);
    if (o.mode != MODE_NORMAL)
        oneshot_start(on_one_shot_done);
    ntp_client_start();
    /* -r: the sources' histories from dumpdir (whose files go either way) */
    discipline_load_dumps(o.reload);
    if (o.timeout_s >= 0)
        sched_add_timeout(o.timeout_s, on_timeout, NULL);

    /* Start-up succeeded: let the process that started us exit 0. */
    log_close_parent_fd();

    sched_run();

    LOG_INFO("chronyd exiting");
    cmdmon_finish();
    oneshot_finish();
    manual_input_finish();
    smoothing_finish();
    discipline_finish();
    ntp_client_finish();
    logfile_finish();
    ntp_serve_finish();
    remove_pidfile();
    sysclock_finish();
    sched_finish();
    log_close();
    return exit_status;
}
