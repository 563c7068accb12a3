/* sim: the deterministic simulator's program. Builds a world (the daemon's
 * host with a clock that is off, runs at the wrong frequency and wanders;
 * NTP servers behind simulated links), then runs chronyd's own main() -
 * the production object, linked against the simulated platform - with the
 * chronyd options and directives given after "--", for a given span of
 * virtual time. Meanwhile it samples the daemon's clock against true time
 * every true second and checks every sample the NTP client produces against
 * the exchange that really happened (in the clock discipline's cooked time,
 * which the client takes its timestamps in). Prints one line of figures:
 *
 *   cw-sim [options] -- [chronyd options] [directives]
 *
 * Options (times in seconds, frequencies in ppm):
 *   --seed N            random streams (network, wander, daemon)   (1)
 *   --duration S        virtual time to run                        (20000)
 *   --settle S          offsets count towards rms/max from here    (1000)
 *   --threshold S       "converged": |offset| stays below this     (0.001)
 *   --offset S          daemon's clock minus true time at start    (0)
 *   --freq PPM          its oscillator's frequency error           (0)
 *   --wander W          random-walk step of that error per second  (0)
 *   --server ADDR[,k=v...]  an NTP server; keys: offset freq stratum
 *                       precision rootdelay rootdisp proc, and for the link
 *                       delay jitter loss (both directions) or delay-up,
 *                       delay-down, jitter-up, jitter-down, loss-up,
 *                       loss-down (up: towards the server)
 *   --host NAME=ADDR    a name the resolver knows
 *   --log FILE          the daemon's log (chronyd -l)              (/dev/null)
 *   --trace FILE        per second: t offset rate_error oscillator kernel_freq
 *
 * chronyd always gets -d -U -u root (foreground, no root check); add -x
 * to leave the clock alone. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chronyd/discipline.h"
#include "chronyd/ntp_client.h"
#include "common/addr.h"
#include "common/mem.h"
#include "common/ntptime.h"
#include "simclock.h"
#include "simloop.h"
#include "simnet.h"
#include "simplat.h"

/* chronyd's main(), renamed in a copy of its object by the build. */
int sim_chronyd_main(int argc, char **argv);

#define NS_PER_S 1000000000LL
/* 2024-01-01T00:00:00Z */
#define DEFAULT_START_UNIX 1704067200LL
#define MAX_CHRONYD_ARGS 256
/* A sample is the exchange whose midpoint (in the daemon's clock) is
 * within this of the sample's time. */
#define MATCH_WINDOW_S 1e-6
/* The client's offset must be the NTP formula over the exchange's real
 * timestamps to within this (ns clock readings, 2^-32 s NTP fractions). */
#define FORMULA_TOLERANCE_S 1e-8
#define MAX_REPORTED_MISMATCHES 5

struct options {
    uint64_t seed;
    double duration_s, settle_s, threshold_s;
    struct simclock_params clock;
    const char *log_file, *trace_file;
};

/* ---- figures ---- */

static struct options opt;
static FILE *trace;

static double sum_sq, max_abs;             /* the clock */
static double cooked_sum_sq, cooked_max_abs;   /* the discipline's cooked time */
static long n_offsets;
static long last_bad_second = -1;
static uint64_t requests_at_bad;        /* requests sent by last_bad_second + 1 */
static uint64_t *requests_by_second;
static long n_seconds;

struct server_figures {
    long samples;
    double sum_err, sum_sq_err, max_abs_err;   /* measured minus true clock difference */
    double asym_excess_max;                    /* worst |err - path asymmetry| */
    int poll;                                  /* last seen: polling interval */
    int stats_samples, stats_runs;             /* ... samples and runs in its statistics */
};
static struct server_figures srv[SIMNET_MAX_SERVERS];
static long samples_total, samples_unmatched, samples_adjusted, formula_mismatches;
static long samples_missed;     /* gone from the client before they were seen */

/* How many good samples of each source (by address) were checked. */
#define MAX_TRACKED_SOURCES 64
struct seen {
    addr_sock remote;
    uint64_t good;
};
static struct seen seen[MAX_TRACKED_SOURCES];
static int n_seen;

static double ts_diff(struct timespec a, struct timespec b)
{
    return ntptime_diff(a, b);
}

static const struct simnet_exchange *match_exchange(int server, const struct timespec *when)
{
    for (size_t i = simnet_exchange_count(); i-- > 0;) {
        const struct simnet_exchange *x = simnet_exchange_get(i);
        if (x->server != server || !x->delivered)
            continue;
        double mid_err = ts_diff(x->t1_cooked, *when) + ts_diff(x->t4_cooked, *when);
        if (fabs(mid_err / 2.0) <= MATCH_WINDOW_S)
            return x;
    }
    return NULL;
}

/* A sample of the NTP client against the exchange it came from. The client
 * works in the discipline's cooked time, and so does this check, except
 * across a change the daemon made to the clock during the exchange (it
 * moves the client's stored transmit time then): such samples are counted
 * apart, and rarely happen. */
static void check_sample(int server, const struct ntp_source_sample *s)
{
    samples_total++;
    const struct simnet_exchange *x = match_exchange(server, &s->time);
    if (!x) {
        samples_unmatched++;
        if (samples_unmatched <= MAX_REPORTED_MISMATCHES)
            fprintf(stderr, "sim: sample at %lld.%09ld from server %d matches no exchange\n",
                    (long long)s->time.tv_sec, s->time.tv_nsec, server);
        return;
    }
    if (x->clock_events_t1 != x->clock_events_t4) {
        samples_adjusted++;
        return;
    }
    double formula = (ts_diff(x->t2, x->t1_cooked) + ts_diff(x->t3, x->t4_cooked)) / 2.0;
    if (fabs(s->offset_s - formula) > FORMULA_TOLERANCE_S) {
        formula_mismatches++;
        if (formula_mismatches <= MAX_REPORTED_MISMATCHES)
            fprintf(stderr, "sim: server %d sample offset %.9f, exchange says %.9f\n", server,
                    s->offset_s, formula);
    }

    /* the true difference of the two clocks at the exchange's midpoint */
    struct timespec true1, true4;
    simclock_true_at(x->t1_ns, &true1);
    simclock_true_at(x->t4_ns, &true4);
    double client = (ts_diff(x->t1_cooked, true1) + ts_diff(x->t4_cooked, true4)) / 2.0;
    double server_off = simnet_server_offset_s(server, (x->t1_ns + x->t4_ns) / 2);
    double err = s->offset_s - (server_off - client);
    struct server_figures *f = &srv[server];
    f->samples++;
    f->sum_err += err;
    f->sum_sq_err += err * err;
    if (fabs(err) > f->max_abs_err)
        f->max_abs_err = fabs(err);
    /* the error is the path asymmetry, half the difference of the one-way
     * delays (with the client's rate error over the round trip, < 1 ns) */
    double asym = ((double)(x->t2_ns - x->t1_ns) - (double)(x->t4_ns - x->t3_ns)) / 2e9;
    double excess = fabs(err - asym);
    if (excess > f->asym_excess_max)
        f->asym_excess_max = excess;
}

static struct seen *seen_entry(const addr_sock *remote)
{
    for (int i = 0; i < n_seen; i++)
        if (addr_equal(&seen[i].remote.ip, &remote->ip) && seen[i].remote.port == remote->port)
            return &seen[i];
    if (n_seen >= MAX_TRACKED_SOURCES)
        return NULL;
    seen[n_seen] = (struct seen){ .remote = *remote };
    return &seen[n_seen++];
}

/* New samples of every source since the last look (the engine counts its
 * good samples; the client keeps the last few). */
static void collect_samples(void)
{
    struct ntp_source_sample samples[NTP_CLIENT_KEPT_SAMPLES];
    for (size_t i = 0; i < ntp_client_count(); i++) {
        struct ntp_client_info info;
        if (!ntp_client_get_info(i, &info) || !info.resolved)
            continue;
        struct seen *e = seen_entry(&info.remote);
        if (!e)
            continue;
        if (info.report.good < e->good)     /* a new engine for this address */
            e->good = 0;
        uint64_t fresh = info.report.good - e->good;
        e->good = info.report.good;
        if (fresh == 0)
            continue;
        int k = ntp_client_get_samples(i, samples, NTP_CLIENT_KEPT_SAMPLES);
        if (fresh > (uint64_t)k) {
            samples_missed += (long)(fresh - (uint64_t)k);
            fresh = (uint64_t)k;
        }
        int server = simnet_find_server(&info.remote.ip);
        for (int j = k - (int)fresh; j < k && server >= 0; j++)
            check_sample(server, &samples[j]);
    }
}

/* The state of each server's source (the daemon has forgotten it when
 * the report is printed). */
static void snapshot_sources(void)
{
    for (size_t i = 0; i < ntp_client_count(); i++) {
        struct ntp_client_info info;
        struct discipline_source ds;
        if (!ntp_client_get_info(i, &info) || !info.resolved)
            continue;
        int server = simnet_find_server(&info.remote.ip);
        if (server < 0)
            continue;
        srv[server].poll = info.report.poll;
        if (discipline_find_source(&info.remote.ip, &ds)) {
            srv[server].stats_samples = ds.stats.n_samples;
            srv[server].stats_runs = ds.stats.n_runs;
        }
    }
}

static void every_second(int64_t second)
{
    double offset = simclock_offset_s();
    struct simnet_stats ns;
    simnet_get_stats(&ns);

    if (second < n_seconds)
        requests_by_second[second] = ns.requests;
    if (fabs(offset) >= opt.threshold_s) {
        last_bad_second = (long)second;
        requests_at_bad = ns.requests;
    }
    if (second >= opt.settle_s) {
        struct timespec raw, cooked, now;
        simclock_read_real(&raw);
        cooked = raw;
        discipline_cook_time(&cooked);
        simclock_read_true(&now);
        double cooked_offset = ts_diff(cooked, now);
        sum_sq += offset * offset;
        cooked_sum_sq += cooked_offset * cooked_offset;
        n_offsets++;
        if (fabs(offset) > max_abs)
            max_abs = fabs(offset);
        if (fabs(cooked_offset) > cooked_max_abs)
            cooked_max_abs = fabs(cooked_offset);
    }
    snapshot_sources();
    if (trace)
        fprintf(trace, "%lld %.9f %.6f %.6f %.6f\n", (long long)second, offset,
                simclock_rate_error() * 1e6, simclock_oscillator_error() * 1e6,
                simclock_get_freq_ppm());
}

/* ---- options ---- */

static void usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "cw-sim: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

static double number(const char *text, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end)
        usage_error(what, text);
    return v;
}

static void parse_server(char *spec)
{
    struct simnet_server_params p = {
        .stratum = 1,
        .refid = 0x47505300,        /* "GPS" */
        .precision = -20,
        .root_dispersion_s = 1e-5,
        .proc_s = 1e-6,
        .link = { .delay_s = { 100e-6, 100e-6 }, .jitter_s = { 10e-6, 10e-6 } },
    };
    char *save = NULL;
    char *addr = strtok_r(spec, ",", &save);
    if (!addr || !addr_parse(addr, &p.ip))
        usage_error("bad server address", addr);
    for (char *kv; (kv = strtok_r(NULL, ",", &save));) {
        char *eq = strchr(kv, '=');
        if (!eq)
            usage_error("server option without value", kv);
        *eq = '\0';
        double v = number(eq + 1, kv);
        struct simnet_link *l = &p.link;
        if (!strcmp(kv, "offset")) p.offset_s = v;
        else if (!strcmp(kv, "freq")) p.freq_ppm = v;
        else if (!strcmp(kv, "stratum")) p.stratum = (int)v;
        else if (!strcmp(kv, "precision")) p.precision = (int)v;
        else if (!strcmp(kv, "rootdelay")) p.root_delay_s = v;
        else if (!strcmp(kv, "rootdisp")) p.root_dispersion_s = v;
        else if (!strcmp(kv, "proc")) p.proc_s = v;
        else if (!strcmp(kv, "delay")) l->delay_s[SIMNET_UP] = l->delay_s[SIMNET_DOWN] = v;
        else if (!strcmp(kv, "delay-up")) l->delay_s[SIMNET_UP] = v;
        else if (!strcmp(kv, "delay-down")) l->delay_s[SIMNET_DOWN] = v;
        else if (!strcmp(kv, "jitter")) l->jitter_s[SIMNET_UP] = l->jitter_s[SIMNET_DOWN] = v;
        else if (!strcmp(kv, "jitter-up")) l->jitter_s[SIMNET_UP] = v;
        else if (!strcmp(kv, "jitter-down")) l->jitter_s[SIMNET_DOWN] = v;
        else if (!strcmp(kv, "loss")) l->loss[SIMNET_UP] = l->loss[SIMNET_DOWN] = v;
        else if (!strcmp(kv, "loss-up")) l->loss[SIMNET_UP] = v;
        else if (!strcmp(kv, "loss-down")) l->loss[SIMNET_DOWN] = v;
        else usage_error("unknown server option", kv);
    }
    simnet_add_server(&p);
}

/* Returns the index of the first chronyd argument (after "--"). */
static int parse_options(int argc, char **argv)
{
    opt = (struct options){
        .seed = 1,
        .duration_s = 20000,
        .settle_s = 1000,
        .threshold_s = 1e-3,
        .clock = { .start_unix_s = DEFAULT_START_UNIX },
        .log_file = "/dev/null",
    };
    int i;
    /* servers and hosts are added after the seeds are known */
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        if (i + 1 >= argc)
            usage_error("missing value for", argv[i]);
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "--seed")) opt.seed = strtoull(v, NULL, 0);
        else if (!strcmp(o, "--duration")) opt.duration_s = number(v, o);
        else if (!strcmp(o, "--settle")) opt.settle_s = number(v, o);
        else if (!strcmp(o, "--threshold")) opt.threshold_s = number(v, o);
        else if (!strcmp(o, "--offset")) opt.clock.offset_s = number(v, o);
        else if (!strcmp(o, "--freq")) opt.clock.freq_ppm = number(v, o);
        else if (!strcmp(o, "--wander")) opt.clock.wander = number(v, o);
        else if (!strcmp(o, "--log")) opt.log_file = v;
        else if (!strcmp(o, "--trace")) opt.trace_file = v;
        else if (strcmp(o, "--server") && strcmp(o, "--host")) usage_error("unknown option", o);
    }
    if (i >= argc)
        usage_error("no \"--\" before the chronyd arguments", NULL);
    opt.clock.seed = opt.seed;
    simclock_init(&opt.clock);
    simnet_init(opt.seed);
    simplat_init(opt.seed);
    for (int j = 1; j < i; j += 2) {
        if (!strcmp(argv[j], "--server")) {
            char *spec = mem_strdup(argv[j + 1]);
            parse_server(spec);
            mem_free(spec);
        } else if (!strcmp(argv[j], "--host")) {
            char *spec = mem_strdup(argv[j + 1]);
            char *eq = strchr(spec, '=');
            addr_ip ip;
            if (!eq || (*eq = '\0', !addr_parse(eq + 1, &ip)))
                usage_error("bad --host", argv[j + 1]);
            simplat_add_host(spec, &ip);
            mem_free(spec);
        }
    }
    return i + 1;
}

/* ---- report ---- */

static void report(int daemon_status)
{
    struct simnet_stats ns;
    struct simclock_stats cs;
    struct simplat_stats ps;
    simnet_get_stats(&ns);
    simclock_get_stats(&cs);
    simplat_get_stats(&ps);

    double converge_s = last_bad_second < 0 ? 0.0 : (double)(last_bad_second + 1);
    long end_second = (long)(simclock_true_ns() / NS_PER_S);
    bool converged = last_bad_second < end_second;
    uint64_t requests_conv = 0;
    if (last_bad_second < 0)
        requests_conv = 0;
    else if (last_bad_second + 1 < n_seconds)
        requests_conv = requests_by_second[last_bad_second + 1];
    else
        requests_conv = requests_at_bad;

    printf("seed=%llu end_s=%.0f daemon_status=%d clock_init=%d controlled=%d freq_sets=%lu steps=%lu "
           "step_total_s=%.6f rms_us=%.3f max_us=%.3f converged=%d converge_s=%.0f "
           "requests_conv=%llu requests=%llu lost=%llu late=%llu final_offset_us=%.3f "
           "final_rate_ppm=%.6f synced=%d cooked_rms_us=%.3f cooked_max_us=%.3f samples=%ld "
           "unmatched=%ld adjusted=%ld missed=%ld formula_bad=%ld",
           (unsigned long long)opt.seed, (double)simclock_true_ns() / 1e9, daemon_status,
           ps.sysclock_initialised, ps.control, cs.freq_sets, cs.steps, cs.steps_total_s,
           n_offsets ? sqrt(sum_sq / n_offsets) * 1e6 : -1.0, max_abs * 1e6, converged,
           converge_s, (unsigned long long)requests_conv, (unsigned long long)ns.requests,
           (unsigned long long)ns.lost, (unsigned long long)ns.replies_dropped,
           simclock_offset_s() * 1e6, simclock_rate_error() * 1e6, cs.synced,
           n_offsets ? sqrt(cooked_sum_sq / n_offsets) * 1e6 : -1.0, cooked_max_abs * 1e6,
           samples_total, samples_unmatched, samples_adjusted, samples_missed,
           formula_mismatches);
    for (int i = 0; i < simnet_server_count(); i++) {
        const struct server_figures *f = &srv[i];
        double mean = f->samples ? f->sum_err / f->samples : 0.0;
        double rms = f->samples ? sqrt(f->sum_sq_err / f->samples) : 0.0;
        printf(" s%d_samples=%ld s%d_err_mean_us=%.3f s%d_err_rms_us=%.3f s%d_err_max_us=%.3f "
               "s%d_asym_excess_us=%.3f s%d_poll=%d s%d_np=%d s%d_nr=%d",
               i, f->samples, i, mean * 1e6, i, rms * 1e6, i, f->max_abs_err * 1e6, i,
               f->asym_excess_max * 1e6, i, f->poll, i, f->stats_samples, i, f->stats_runs);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    int first = parse_options(argc, argv);

    n_seconds = (long)ceil(opt.duration_s) + 2;
    requests_by_second = mem_calloc((size_t)n_seconds, sizeof *requests_by_second);
    if (opt.trace_file && !(trace = fopen(opt.trace_file, "w")))
        usage_error("cannot write", opt.trace_file);

    char *cargv[MAX_CHRONYD_ARGS];
    int cargc = 0;
    static char arg0[] = "chronyd", d[] = "-d", U[] = "-U", u[] = "-u", root[] = "root",
                l[] = "-l";
    cargv[cargc++] = arg0;
    cargv[cargc++] = d;
    cargv[cargc++] = U;
    cargv[cargc++] = u;
    cargv[cargc++] = root;
    cargv[cargc++] = l;
    cargv[cargc++] = (char *)opt.log_file;
    for (int i = first; i < argc && cargc < MAX_CHRONYD_ARGS - 1; i++)
        cargv[cargc++] = argv[i];
    cargv[cargc] = NULL;

    simloop_setup(llround(opt.duration_s * 1e9));
    simloop_set_second_hook(every_second);
    simloop_set_idle_hook(collect_samples);
    simnet_set_cook(discipline_cook_time);
    int status = sim_chronyd_main(cargc, cargv);

    report(status);
    simloop_teardown();
    simnet_finish();
    mem_free(requests_by_second);
    if (trace)
        fclose(trace);
    return 0;
}
