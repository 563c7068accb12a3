/* reports: the report commands, their requests and their layouts. The
 * headers, legends and field layouts are chrony's (scripts read them); the
 * selectdata legend is chrony 4.8's. */
#include "chronyc/reports.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chronyc/getdate.h"
#include "chronyc/names.h"
#include "chronyc/reportfmt.h"
#include "chronyc/request.h"
#include "common/cmdproto.h"

#define END REPORTFMT_END
#define NAME_MAX_LEN 256
#define SOURCE_NAME_COLUMNS 25          /* host names are cut to this */
#define CLIENT_NAME_LEN 50
#define LOCAL_REFID 0x7f7f0101U         /* 127.127.1.1: the local reference */
#define LOG2_LIMIT 31
#define WAITSYNC_DEFAULT_INTERVAL_S 10.0
#define WAITSYNC_MIN_INTERVAL_S 0.1
#define MS_PER_S 1000.0
#define TIME_TEXT_LEN 64

static struct reportfmt fmt_of(const struct commands_context *ctx)
{
    return (struct reportfmt){ .out = ctx->out, .csv = ctx->csv };
}

/* Big-endian fields as printf arguments. */
static unsigned u32(const void *field)
{
    return cmdproto_get32(field);
}

static unsigned u16(const void *field)
{
    return cmdproto_get16(field);
}

static double float_at(const candm_float *f)
{
    candm_float v;
    memcpy(&v, f, sizeof v);
    return cmdproto_float_from_wire(v);
}

static double log2_to_seconds(int l)
{
    if (l > LOG2_LIMIT)
        l = LOG2_LIMIT;
    if (l < -LOG2_LIMIT)
        l = -LOG2_LIMIT;
    return ldexp(1.0, l);
}

static uint32_t ip_refid(const addr_ip *ip)
{
    return ip->family == ADDR_INET4 || ip->family == ADDR_INET6 ? addr_refid(ip) : 0;
}

/* Runs req; its reply's data (out_len bytes) into out. */
static bool run_into(struct commands_context *ctx, const struct request *req, void *out,
                     size_t out_len)
{
    struct request_reply reply;
    if (!request_run(ctx, req, &reply, false))
        return false;
    memcpy(out, request_reply_data(&reply), out_len);
    return true;
}

/* A report request without data, answered by reply_code, into out. */
static bool get_report(struct commands_context *ctx, uint16_t command, uint16_t reply_code,
                       void *out, size_t out_len)
{
    struct request req;
    request_init(&req, command, 0, reply_code);
    return run_into(ctx, &req, out, out_len);
}

/* ---- names ---- */

/* The name a source was configured with (NTP_SOURCE_NAME). */
static bool get_source_name(struct commands_context *ctx, const addr_ip *ip, char *buf,
                            size_t size)
{
    struct request req;
    request_init(&req, CANDM_REQ_NTP_SOURCE_NAME, sizeof(struct candm_req_address),
                 CANDM_RPY_NTP_SOURCE_NAME);
    struct candm_req_address *data = request_data(&req);
    cmdproto_ip_to_wire(ip, &data->ip);
    struct candm_rpy_ntp_source_name r;
    if (!run_into(ctx, &req, &r, sizeof r))
        return false;
    if (r.name[sizeof r.name - 1] != '\0' ||
        (size_t)snprintf(buf, size, "%s", (const char *)r.name) >= size)
        return false;
    for (const char *p = buf; *p; p++) {
        if (!isgraph((unsigned char)*p))
            return false;
    }
    return true;
}

/* How a report names a source or client: a reference ID (ref), the
 * configured name (-N, sources only), the address (-n, -c), or its host
 * name cut to trunc columns ('>' marks the cut). */
static void format_name(struct commands_context *ctx, char *buf, size_t size, size_t trunc,
                        bool ref, uint32_t ref_id, bool source, const addr_ip *ip)
{
    if (ref) {
        names_refid_string(ref_id, buf, size);
    } else if (source && ctx->source_names) {
        if (!get_source_name(ctx, ip, buf, size))
            snprintf(buf, size, "?");
    } else if (ctx->no_dns || ctx->csv) {
        names_format_ip(ip, buf, size);
    } else {
        names_reverse(ip, buf, size);
        if (trunc > 0 && strlen(buf) > trunc) {
            buf[trunc - 1] = '>';
            buf[trunc] = '\0';
        }
    }
}

/* -a and -v of sources, sourcestats, selectdata and authdata (other words
 * are ignored); no legend in CSV. */
static void parse_source_options(const struct commands_context *ctx, char *args, bool *all,
                                 bool *verbose)
{
    *all = *verbose = false;
    while (*args) {
        char *opt = args;
        args = commands_split_word(args);
        if (strcmp(opt, "-a") == 0)
            *all = true;
        else if (strcmp(opt, "-v") == 0)
            *verbose = !ctx->csv;
    }
}

static bool get_n_sources(struct commands_context *ctx, uint32_t *n)
{
    struct candm_rpy_n_sources r;
    if (!get_report(ctx, CANDM_REQ_N_SOURCES, CANDM_RPY_N_SOURCES, &r, sizeof r))
        return false;
    *n = cmdproto_get32(&r.n_sources);
    return true;
}

/* SOURCE_DATA, SOURCESTATS or SELECT_DATA of source index, into out. */
static bool get_indexed(struct commands_context *ctx, uint16_t command, uint16_t reply_code,
                        uint32_t index, void *out, size_t out_len)
{
    struct request req;
    request_init(&req, command, sizeof(struct candm_req_index), reply_code);
    struct candm_req_index *data = request_data(&req);
    cmdproto_put32(&data->index, index);
    return run_into(ctx, &req, out, out_len);
}

/* ---- reports with a row per source ---- */

/* The reply of one row: SOURCE_DATA, SOURCESTATS or SELECT_DATA. */
union source_row {
    struct candm_rpy_source_data sd;
    struct candm_rpy_sourcestats ss;
    struct candm_rpy_select_data sel;
};

/* How the rows of a per-source report are fetched: the request by index,
 * its reply, and where the reply holds the source's address. */
struct source_rows {
    uint16_t command, reply_code;
    size_t reply_len, ip_offset;
};

static const struct source_rows source_data_rows = {
    CANDM_REQ_SOURCE_DATA, CANDM_RPY_SOURCE_DATA, sizeof(struct candm_rpy_source_data),
    offsetof(struct candm_rpy_source_data, ip_addr)
};
static const struct source_rows sourcestats_rows = {
    CANDM_REQ_SOURCESTATS, CANDM_RPY_SOURCESTATS, sizeof(struct candm_rpy_sourcestats),
    offsetof(struct candm_rpy_sourcestats, ip_addr)
};
static const struct source_rows select_data_rows = {
    CANDM_REQ_SELECT_DATA, CANDM_RPY_SELECT_DATA, sizeof(struct candm_rpy_select_data),
    offsetof(struct candm_rpy_select_data, ip_addr)
};

/* A server or peer (not a reference clock). */
static bool is_ntp_source(const struct candm_rpy_source_data *sd)
{
    uint16_t mode = cmdproto_get16(&sd->mode);
    return mode == CANDM_SD_MODE_CLIENT || mode == CANDM_SD_MODE_PEER;
}

/* Prints the row of a source (or skips it); false when a further request
 * fails, which ends the report. */
typedef bool source_row_printer(struct commands_context *ctx, struct reportfmt *rf,
                                const union source_row *row, const addr_ip *ip);

/* A report with a row per source (sources, sourcestats, selectdata,
 * authdata) with args' options: legend (-v), header, then the row of each
 * source; those with a reference ID for an address (not yet resolved) only
 * with -a. */
static bool source_report_run(struct commands_context *ctx, char *args, const char *legend,
                              const char *header, const struct source_rows *rows,
                              source_row_printer *print_row)
{
    bool all, verbose;
    uint32_t n;
    parse_source_options(ctx, args, &all, &verbose);
    if (!get_n_sources(ctx, &n))
        return false;

    struct reportfmt rf = fmt_of(ctx);
    if (verbose)
        fputs(legend, ctx->out);
    reportfmt_header(&rf, header);

    for (uint32_t i = 0; i < n; i++) {
        union source_row row;
        if (!get_indexed(ctx, rows->command, rows->reply_code, i, &row, rows->reply_len))
            return false;
        struct candm_ip ip_wire;
        addr_ip ip;
        memcpy(&ip_wire, (const unsigned char *)&row + rows->ip_offset, sizeof ip_wire);
        cmdproto_ip_from_wire(&ip_wire, &ip);
        if (!all && ip.family == ADDR_ID)
            continue;
        if (!print_row(ctx, &rf, &row, &ip))
            return false;
    }
    return true;
}

/* ---- tracking ---- */

bool reports_tracking(struct commands_context *ctx, char *args)
{
    struct candm_rpy_tracking r;
    if (!get_report(ctx, CANDM_REQ_TRACKING, CANDM_RPY_TRACKING, &r, sizeof r))
        return false;
    addr_ip ip;
    struct timespec ref_time;
    char name[NAME_MAX_LEN];
    uint32_t ref_id = cmdproto_get32(&r.ref_id);
    cmdproto_ip_from_wire(&r.ip_addr, &ip);
    cmdproto_timespec_from_wire(&r.ref_time, &ref_time);
    format_name(ctx, name, sizeof name, sizeof name, ip.family == ADDR_UNSPEC, ref_id, true, &ip);

    struct reportfmt rf = fmt_of(ctx);
    reportfmt_print(&rf,
                    "Reference ID    : %R (%s)\n"
                    "Stratum         : %u\n"
                    "Ref time (UTC)  : %T\n"
                    "System time     : %.9O of NTP time\n"
                    "Last offset     : %+.9f seconds\n"
                    "RMS offset      : %.9f seconds\n"
                    "Frequency       : %.3F\n"
                    "Residual freq   : %+.3f ppm\n"
                    "Skew            : %.3f ppm\n"
                    "Root delay      : %.9f seconds\n"
                    "Root dispersion : %.9f seconds\n"
                    "Update interval : %.1f seconds\n"
                    "Leap status     : %L\n",
                    ref_id, name, u16(&r.stratum), &ref_time,
                    float_at(&r.current_correction), float_at(&r.last_offset),
                    float_at(&r.rms_offset), float_at(&r.freq_ppm), float_at(&r.resid_freq_ppm),
                    float_at(&r.skew_ppm), float_at(&r.root_delay), float_at(&r.root_dispersion),
                    float_at(&r.last_update_interval), (int)u16(&r.leap_status), END);
    return true;
}

/* ---- sources ---- */

static const char *const sources_legend =
    "\n"
    "  .-- Source mode  '^' = server, '=' = peer, '#' = local clock.\n"
    " / .- Source state '*' = current best, '+' = combined, '-' = not combined,\n"
    "| /             'x' = may be in error, '~' = too variable, '?' = unusable.\n"
    "||                                                 .- xxxx [ yyyy ] +/- zzzz\n"
    "||      Reachability register (octal) -.           |  xxxx = adjusted offset,\n"
    "||      Log2(Polling interval) --.      |          |  yyyy = measured offset,\n"
    "||                                \\     |          |  zzzz = estimated error.\n"
    "||                                 |    |           \\\n";

static char source_mode_char(uint16_t mode)
{
    switch (mode) {
    case CANDM_SD_MODE_CLIENT: return '^';
    case CANDM_SD_MODE_PEER: return '=';
    case CANDM_SD_MODE_REF: return '#';
    default: return ' ';
    }
}

static char source_state_char(uint16_t state)
{
    switch (state) {
    case CANDM_SD_STATE_SELECTED: return '*';
    case CANDM_SD_STATE_NONSELECTABLE: return '?';
    case CANDM_SD_STATE_FALSETICKER: return 'x';
    case CANDM_SD_STATE_JITTERY: return '~';
    case CANDM_SD_STATE_UNSELECTED: return '+';
    case CANDM_SD_STATE_SELECTABLE: return '-';
    default: return ' ';
    }
}

static bool print_sources_row(struct commands_context *ctx, struct reportfmt *rf,
                              const union source_row *row, const addr_ip *ip)
{
    const struct candm_rpy_source_data *r = &row->sd;
    uint16_t mode = cmdproto_get16(&r->mode);
    bool ref = mode == CANDM_SD_MODE_REF && ip->family == ADDR_INET4;
    char name[NAME_MAX_LEN];
    format_name(ctx, name, sizeof name, SOURCE_NAME_COLUMNS, ref, ref ? ip->a.in4 : 0, true,
                ip);

    reportfmt_print(rf, "%c%c %-27s  %2d  %2d   %3o  %I  %+S[%+S] +/- %S\n",
                    source_mode_char(mode), source_state_char(cmdproto_get16(&r->state)),
                    name, (int)u16(&r->stratum), (int)(int16_t)cmdproto_get16(&r->poll),
                    u16(&r->reachability),
                    u32(&r->since_sample), float_at(&r->latest_meas),
                    float_at(&r->orig_latest_meas), float_at(&r->latest_meas_err), END);
    return true;
}

bool reports_sources(struct commands_context *ctx, char *args)
{
    return source_report_run(ctx, args, sources_legend,
                             "MS Name/IP address         Stratum Poll Reach LastRx Last sample"
                             "               ",
                             &source_data_rows, print_sources_row);
}

/* ---- sourcestats ---- */

static const char *const sourcestats_legend =
    "                             .- Number of sample points in measurement set.\n"
    "                            /    .- Number of residual runs with same sign.\n"
    "                           |    /    .- Length of measurement set (time).\n"
    "                           |   |    /      .- Est. clock freq error (ppm).\n"
    "                           |   |   |      /           .- Est. error in freq.\n"
    "                           |   |   |     |           /         .- Est. offset.\n"
    "                           |   |   |     |          |          |   On the -.\n"
    "                           |   |   |     |          |          |   samples. \\\n"
    "                           |   |   |     |          |          |             |\n";

static bool print_sourcestats_row(struct commands_context *ctx, struct reportfmt *rf,
                                  const union source_row *row, const addr_ip *ip)
{
    const struct candm_rpy_sourcestats *r = &row->ss;
    char name[NAME_MAX_LEN];
    format_name(ctx, name, sizeof name, SOURCE_NAME_COLUMNS, ip->family == ADDR_UNSPEC,
                cmdproto_get32(&r->ref_id), true, ip);
    reportfmt_print(rf, "%-25s %3U %3U  %I %+P %P  %+S  %S\n", name,
                    u32(&r->n_samples), u32(&r->n_runs),
                    u32(&r->span_seconds), float_at(&r->resid_freq_ppm),
                    float_at(&r->skew_ppm), float_at(&r->est_offset), float_at(&r->sd), END);
    return true;
}

bool reports_sourcestats(struct commands_context *ctx, char *args)
{
    return source_report_run(ctx, args, sourcestats_legend,
                             "Name/IP Address            NP  NR  Span  Frequency  Freq Skew"
                             "  Offset  Std Dev",
                             &sourcestats_rows, print_sourcestats_row);
}

/* ---- selectdata ---- */

static const char *const selectdata_legend =
    "  . State: N - noselect, s - unsynchronised, M - missing samples, r - stratum\n"
    " /         d/D - large distance, ~ - jittery, w/W - waits for others,\n"
    "|          S - stale, O - orphan, T - not trusted, P - not preferred,\n"
    "|          U - waits for update, x - falseticker, + - combined, * - best.\n"
    "|   Effective options   ---------.  (N - noselect, P - prefer\n"
    "|   Configured options  ----.     \\  T - trust, R - require)\n"
    "|   Auth. enabled (Y/N) -.   \\     \\     Offset interval --.\n"
    "|                        |    |     |                       |\n";

static char option_char(uint16_t options, uint16_t bit, char c)
{
    return options & bit ? c : '-';
}

static bool print_selectdata_row(struct commands_context *ctx, struct reportfmt *rf,
                                 const union source_row *row, const addr_ip *ip)
{
    const struct candm_rpy_select_data *r = &row->sel;
    char name[NAME_MAX_LEN];
    format_name(ctx, name, sizeof name, SOURCE_NAME_COLUMNS, ip->family == ADDR_UNSPEC,
                cmdproto_get32(&r->ref_id), true, ip);
    uint16_t conf = cmdproto_get16(&r->conf_options), eff = cmdproto_get16(&r->eff_options);
    reportfmt_print(rf, "%c %-25s %c %c%c%c%c%c %c%c%c%c%c %I %5.1f %+S %+S  %1L\n",
                    r->state_char, name, r->authentication ? 'Y' : 'N',
                    option_char(conf, CANDM_SD_OPTION_NOSELECT, 'N'),
                    option_char(conf, CANDM_SD_OPTION_PREFER, 'P'),
                    option_char(conf, CANDM_SD_OPTION_TRUST, 'T'),
                    option_char(conf, CANDM_SD_OPTION_REQUIRE, 'R'), '-',
                    option_char(eff, CANDM_SD_OPTION_NOSELECT, 'N'),
                    option_char(eff, CANDM_SD_OPTION_PREFER, 'P'),
                    option_char(eff, CANDM_SD_OPTION_TRUST, 'T'),
                    option_char(eff, CANDM_SD_OPTION_REQUIRE, 'R'), '-',
                    u32(&r->last_sample_ago), float_at(&r->score),
                    float_at(&r->lo_limit), float_at(&r->hi_limit), (int)r->leap, END);
    return true;
}

bool reports_selectdata(struct commands_context *ctx, char *args)
{
    return source_report_run(ctx, args, selectdata_legend,
                             "S Name/IP Address        Auth COpts EOpts Last Score     Interval"
                             "  Leap",
                             &select_data_rows, print_selectdata_row);
}

/* ---- authdata ---- */

static const char *const authdata_legend =
    "                             .- Auth. mechanism (NTS, SK - symmetric key)\n"
    "                            |   Key length -.  Cookie length (bytes) -.\n"
    "                            |       (bits)  |  Num. of cookies --.    |\n"
    "                            |               |  Key est. attempts  |   |\n"
    "                            |               |           |         |   |\n";

static const char *auth_mode_text(uint16_t mode)
{
    switch (mode) {
    case CANDM_AUTH_MODE_NONE: return "-";
    case CANDM_AUTH_MODE_SYMMETRIC: return "SK";
    case CANDM_AUTH_MODE_NTS: return "NTS";
    default: return "?";
    }
}

/* Only NTP sources have authentication data: a second request per row. */
static bool print_authdata_row(struct commands_context *ctx, struct reportfmt *rf,
                               const union source_row *row, const addr_ip *ip)
{
    const struct candm_rpy_source_data *sd = &row->sd;
    if (!is_ntp_source(sd))
        return true;

    struct request req;
    request_init(&req, CANDM_REQ_AUTH_DATA, sizeof(struct candm_req_address),
                 CANDM_RPY_AUTH_DATA);
    struct candm_req_address *data = request_data(&req);
    data->ip = sd->ip_addr;             /* as the daemon sent it */
    struct candm_rpy_auth_data r;
    if (!run_into(ctx, &req, &r, sizeof r))
        return false;

    char name[NAME_MAX_LEN];
    format_name(ctx, name, sizeof name, SOURCE_NAME_COLUMNS, false, 0, true, ip);
    reportfmt_print(rf, "%-27s %4s %5U %4d %4d %I %4d %4d %4d %4d\n", name,
                    auth_mode_text(cmdproto_get16(&r.mode)), u32(&r.key_id),
                    (int)u16(&r.key_type), (int)u16(&r.key_length),
                    u32(&r.last_ke_ago), (int)u16(&r.ke_attempts),
                    (int)u16(&r.nak), (int)u16(&r.cookies),
                    (int)u16(&r.cookie_length), END);
    return true;
}

bool reports_authdata(struct commands_context *ctx, char *args)
{
    return source_report_run(ctx, args, authdata_legend,
                             "Name/IP address             Mode KeyID Type KLen Last Atmp  NAK"
                             " Cook CLen",
                             &source_data_rows, print_authdata_row);
}

/* ---- ntpdata ---- */

static void print_ntp_data(struct commands_context *ctx, const struct request_reply *reply)
{
    /* NTP_DATA2 (4.4+) extends NTP_DATA (4.3) with timestamping counters */
    struct candm_rpy_ntp_data2 r;
    memset(&r, 0, sizeof r);
    bool extended = reply->reply == CANDM_RPY_NTP_DATA2;
    memcpy(&r, request_reply_data(reply),
           extended ? sizeof r : sizeof(struct candm_rpy_ntp_data));
    const struct candm_rpy_ntp_common *c = &r.c;

    addr_ip remote, local;
    struct timespec ref_time;
    char remote_text[ADDR_STR_MAX], local_text[ADDR_STR_MAX], refid_text[8];
    cmdproto_ip_from_wire(&c->remote_addr, &remote);
    cmdproto_ip_from_wire(&c->local_addr, &local);
    cmdproto_timespec_from_wire(&c->ref_time, &ref_time);
    uint32_t ref_id = cmdproto_get32(&c->ref_id);
    uint16_t flags = cmdproto_get16(&c->flags);
    if (c->stratum <= 1)
        names_refid_string(ref_id, refid_text, sizeof refid_text);
    else
        refid_text[0] = '\0';

    struct reportfmt rf = fmt_of(ctx);
#define NTP_DATA_FORMAT \
        "Remote address  : %s (%R)\n" \
        "Remote port     : %u\n" \
        "Local address   : %s (%R)\n" \
        "Leap status     : %L\n" \
        "Version         : %u\n" \
        "Mode            : %M\n" \
        "Stratum         : %u\n" \
        "Poll interval   : %d (%.0f seconds)\n" \
        "Precision       : %d (%.9f seconds)\n" \
        "Root delay      : %.6f seconds\n" \
        "Root dispersion : %.6f seconds\n" \
        "Reference ID    : %R (%s)\n" \
        "Reference time  : %T\n" \
        "Offset          : %+.9f seconds\n" \
        "Peer delay      : %.9f seconds\n" \
        "Peer dispersion : %.9f seconds\n" \
        "Response time   : %.9f seconds\n" \
        "Jitter asymmetry: %+.2f\n" \
        "NTP tests       : %.3b %.3b %.4b\n" \
        "Interleaved     : %B\n" \
        "Authenticated   : %B\n" \
        "TX timestamping : %N\n" \
        "RX timestamping : %N\n" \
        "Total TX        : %U\n" \
        "Total RX        : %U\n" \
        "Total valid RX  : %U\n" \
        "Total good RX   : %U\n"
#define NTP_DATA_ARGS \
        names_format_ip(&remote, remote_text, sizeof remote_text), ip_refid(&remote), \
        u16(&c->remote_port), \
        names_format_ip(&local, local_text, sizeof local_text), ip_refid(&local), \
        (int)c->leap, (unsigned)c->version, (int)c->mode, (unsigned)c->stratum, \
        (int)c->poll, log2_to_seconds(c->poll), (int)c->precision, \
        log2_to_seconds(c->precision), float_at(&c->root_delay), \
        float_at(&c->root_dispersion), ref_id, refid_text, &ref_time, \
        float_at(&c->offset), float_at(&c->peer_delay), float_at(&c->peer_dispersion), \
        float_at(&c->response_time), float_at(&c->jitter_asymmetry), \
        (unsigned)flags >> 7, (unsigned)flags >> 4, (unsigned)flags, \
        (int)(flags & CANDM_NTP_FLAG_INTERLEAVED), \
        (int)(flags & CANDM_NTP_FLAG_AUTHENTICATED), (int)c->tx_tss_char, \
        (int)c->rx_tss_char, u32(&c->total_tx_count), \
        u32(&c->total_rx_count), \
        u32(&c->total_valid_count), \
        u32(&c->total_good_count)

    if (!extended) {
        reportfmt_print(&rf, NTP_DATA_FORMAT, NTP_DATA_ARGS, END);
        return;
    }
    reportfmt_print(&rf,
                    NTP_DATA_FORMAT
                    "Total kernel TX : %U\n"
                    "Total kernel RX : %U\n"
                    "Total HW TX     : %U\n"
                    "Total HW RX     : %U\n",
                    NTP_DATA_ARGS, u32(&r.total_kernel_tx_ts),
                    u32(&r.total_kernel_rx_ts),
                    u32(&r.total_hw_tx_ts),
                    u32(&r.total_hw_rx_ts), END);
#undef NTP_DATA_FORMAT
#undef NTP_DATA_ARGS
}

bool reports_ntpdata(struct commands_context *ctx, char *args)
{
    bool specified = *args != '\0';
    uint32_t n = 1;
    if (!specified && !get_n_sources(ctx, &n))
        return false;

    for (uint32_t i = 0; i < n; i++) {
        addr_ip remote;
        if (specified) {
            if (!names_parse_source(args, ctx->family, &remote)) {
                fprintf(ctx->err, "Could not get address for hostname\n");
                return false;
            }
        } else {
            struct candm_rpy_source_data sd;
            if (!get_indexed(ctx, CANDM_REQ_SOURCE_DATA, CANDM_RPY_SOURCE_DATA, i, &sd,
                             sizeof sd))
                return false;
            if (!is_ntp_source(&sd))
                continue;
            cmdproto_ip_from_wire(&sd.ip_addr, &remote);
            if (remote.family != ADDR_INET4 && remote.family != ADDR_INET6)
                continue;
        }

        struct request req;
        struct request_reply reply;
        request_init(&req, CANDM_REQ_NTP_DATA, sizeof(struct candm_req_address),
                     CANDM_RPY_NTP_DATA2);
        request_accept_reply(&req, CANDM_RPY_NTP_DATA);
        struct candm_req_address *data = request_data(&req);
        cmdproto_ip_to_wire(&remote, &data->ip);
        if (!request_run(ctx, &req, &reply, false))
            return false;

        if (!specified && !ctx->csv)
            fputc('\n', ctx->out);
        print_ntp_data(ctx, &reply);
    }
    return true;
}

/* ---- activity, serverstats, rtcdata, smoothing ---- */

bool reports_activity(struct commands_context *ctx, char *args)
{
    struct candm_rpy_activity r;
    if (!get_report(ctx, CANDM_REQ_ACTIVITY, CANDM_RPY_ACTIVITY, &r, sizeof r))
        return false;

    struct reportfmt rf = fmt_of(ctx);
    reportfmt_info(&rf, "200 OK\n");
    reportfmt_print(&rf,
                    "%U sources online\n"
                    "%U sources offline\n"
                    "%U sources doing burst (return to online)\n"
                    "%U sources doing burst (return to offline)\n"
                    "%U sources with unknown address\n",
                    u32(&r.online), u32(&r.offline),
                    u32(&r.burst_online),
                    u32(&r.burst_offline),
                    u32(&r.unresolved), END);
    return true;
}

bool reports_serverstats(struct commands_context *ctx, char *args)
{
    struct request req;
    struct request_reply reply;
    request_init(&req, CANDM_REQ_SERVER_STATS, 0, CANDM_RPY_SERVER_STATS4);
    request_accept_reply(&req, CANDM_RPY_SERVER_STATS3);
    if (!request_run(ctx, &req, &reply, false))
        return false;

    struct reportfmt rf = fmt_of(ctx);
    if (reply.reply == CANDM_RPY_SERVER_STATS3) {
        /* chrony 4.3's counters, as its chronyc prints them */
        struct candm_rpy_server_stats3 r;
        memcpy(&r, request_reply_data(&reply), sizeof r);
        reportfmt_print(&rf,
                        "NTP packets received       : %U\n"
                        "NTP packets dropped        : %U\n"
                        "Command packets received   : %U\n"
                        "Command packets dropped    : %U\n"
                        "Client log records dropped : %U\n"
                        "NTS-KE connections accepted: %U\n"
                        "NTS-KE connections dropped : %U\n"
                        "Authenticated NTP packets  : %U\n"
                        "Interleaved NTP packets    : %U\n"
                        "NTP timestamps held        : %U\n"
                        "NTP timestamp span         : %U\n",
                        u32(&r.ntp_hits), u32(&r.ntp_drops),
                        u32(&r.cmd_hits), u32(&r.cmd_drops),
                        u32(&r.log_drops), u32(&r.nke_hits),
                        u32(&r.nke_drops),
                        u32(&r.ntp_auth_hits),
                        u32(&r.ntp_interleaved_hits),
                        u32(&r.ntp_timestamps),
                        u32(&r.ntp_span_seconds), END);
        return true;
    }

    struct candm_rpy_server_stats4 r;
    memcpy(&r, request_reply_data(&reply), sizeof r);
    reportfmt_print(&rf,
                    "NTP packets received       : %Q\n"
                    "NTP packets dropped        : %Q\n"
                    "Command packets received   : %Q\n"
                    "Command packets dropped    : %Q\n"
                    "Client log records dropped : %Q\n"
                    "NTS-KE connections accepted: %Q\n"
                    "NTS-KE connections dropped : %Q\n"
                    "Authenticated NTP packets  : %Q\n"
                    "Interleaved NTP packets    : %Q\n"
                    "NTP timestamps held        : %Q\n"
                    "NTP timestamp span         : %Q\n"
                    "NTP daemon RX timestamps   : %Q\n"
                    "NTP daemon TX timestamps   : %Q\n"
                    "NTP kernel RX timestamps   : %Q\n"
                    "NTP kernel TX timestamps   : %Q\n"
                    "NTP hardware RX timestamps : %Q\n"
                    "NTP hardware TX timestamps : %Q\n",
                    cmdproto_int64_from_wire(&r.ntp_hits), cmdproto_int64_from_wire(&r.ntp_drops),
                    cmdproto_int64_from_wire(&r.cmd_hits), cmdproto_int64_from_wire(&r.cmd_drops),
                    cmdproto_int64_from_wire(&r.log_drops), cmdproto_int64_from_wire(&r.nke_hits),
                    cmdproto_int64_from_wire(&r.nke_drops),
                    cmdproto_int64_from_wire(&r.ntp_auth_hits),
                    cmdproto_int64_from_wire(&r.ntp_interleaved_hits),
                    cmdproto_int64_from_wire(&r.ntp_timestamps),
                    cmdproto_int64_from_wire(&r.ntp_span_seconds),
                    cmdproto_int64_from_wire(&r.ntp_daemon_rx_timestamps),
                    cmdproto_int64_from_wire(&r.ntp_daemon_tx_timestamps),
                    cmdproto_int64_from_wire(&r.ntp_kernel_rx_timestamps),
                    cmdproto_int64_from_wire(&r.ntp_kernel_tx_timestamps),
                    cmdproto_int64_from_wire(&r.ntp_hw_rx_timestamps),
                    cmdproto_int64_from_wire(&r.ntp_hw_tx_timestamps), END);
    return true;
}

bool reports_rtcdata(struct commands_context *ctx, char *args)
{
    struct candm_rpy_rtc r;
    if (!get_report(ctx, CANDM_REQ_RTCREPORT, CANDM_RPY_RTC, &r, sizeof r))
        return false;
    struct timespec ref_time;
    cmdproto_timespec_from_wire(&r.ref_time, &ref_time);

    struct reportfmt rf = fmt_of(ctx);
    reportfmt_print(&rf,
                    "RTC ref time (UTC) : %T\n"
                    "Number of samples  : %u\n"
                    "Number of runs     : %u\n"
                    "Sample span period : %I\n"
                    "RTC is fast by     : %12.6f seconds\n"
                    "RTC gains time at  : %9.3f ppm\n",
                    &ref_time, u16(&r.n_samples),
                    u16(&r.n_runs), u32(&r.span_seconds),
                    float_at(&r.rtc_seconds_fast), float_at(&r.rtc_gain_rate_ppm), END);
    return true;
}

bool reports_smoothing(struct commands_context *ctx, char *args)
{
    struct candm_rpy_smoothing r;
    if (!get_report(ctx, CANDM_REQ_SMOOTHING, CANDM_RPY_SMOOTHING, &r, sizeof r))
        return false;
    uint32_t flags = cmdproto_get32(&r.flags);

    struct reportfmt rf = fmt_of(ctx);
    reportfmt_print(&rf,
                    "Active         : %B %s\n"
                    "Offset         : %+.9f seconds\n"
                    "Frequency      : %+.6f ppm\n"
                    "Wander         : %+.6f ppm per second\n"
                    "Last update    : %.1f seconds ago\n"
                    "Remaining time : %.1f seconds\n",
                    (int)!!(flags & CANDM_SMOOTHING_ACTIVE),
                    flags & CANDM_SMOOTHING_LEAPONLY ? "(leap second only)" : "",
                    float_at(&r.offset), float_at(&r.freq_ppm), float_at(&r.wander_ppm),
                    float_at(&r.last_update_ago), float_at(&r.remaining_time), END);
    return true;
}

/* ---- clients ---- */

bool reports_clients(struct commands_context *ctx, char *args)
{
    uint32_t min_hits = 0, reset = 0, next_index = 0;
    bool nke = false;

    while (*args) {
        char *opt = args;
        args = commands_split_word(args);
        if (strcmp(opt, "-k") == 0) {
            nke = true;
        } else if (strcmp(opt, "-p") == 0) {
            char *value = args;
            args = commands_split_word(args);
            if (sscanf(value, "%" SCNu32, &min_hits) != 1) {
                fprintf(ctx->err, "Invalid syntax for clients command\n");
                return false;
            }
        } else if (strcmp(opt, "-r") == 0) {
            reset = 1;
        }
    }

    struct reportfmt rf = fmt_of(ctx);
    char header[80];
    snprintf(header, sizeof header,
             "Hostname                      NTP   Drop Int IntL Last  %6s   Drop Int  Last",
             nke ? "NTS-KE" : "Cmd");
    reportfmt_header(&rf, header);

    for (;;) {
        struct request req;
        struct request_reply reply;
        request_init(&req, CANDM_REQ_CLIENT_ACCESSES_BY_INDEX3,
                     sizeof(struct candm_req_client_accesses), CANDM_RPY_CLIENT_ACCESSES_BY_INDEX3);
        struct candm_req_client_accesses *data = request_data(&req);
        cmdproto_put32(&data->first_index, next_index);
        cmdproto_put32(&data->n_clients, CANDM_MAX_CLIENT_ACCESSES);
        cmdproto_put32(&data->min_hits, min_hits);
        cmdproto_put32(&data->reset, reset);
        if (!request_run(ctx, &req, &reply, false))
            return false;

        struct candm_rpy_client_accesses r;
        memcpy(&r, request_reply_data(&reply), sizeof r);
        uint32_t n_clients = cmdproto_get32(&r.n_clients);
        uint32_t n_indices = cmdproto_get32(&r.n_indices);

        for (uint32_t i = 0; i < n_clients && i < CANDM_MAX_CLIENT_ACCESSES; i++) {
            const struct candm_rpy_client *c = &r.clients[i];
            addr_ip ip;
            cmdproto_ip_from_wire(&c->ip, &ip);
            if (ip.family == ADDR_UNSPEC)
                continue;       /* a record the daemon lost */
            char name[CLIENT_NAME_LEN];
            format_name(ctx, name, sizeof name, SOURCE_NAME_COLUMNS, false, 0, false, &ip);
            reportfmt_print(&rf, "%-25s  %6U  %5U  %C  %C  %I  %6U  %5U  %C  %I\n", name,
                            u32(&c->ntp_hits),
                            u32(&c->ntp_drops), (int)c->ntp_interval,
                            (int)c->ntp_timeout_interval,
                            u32(&c->last_ntp_hit_ago),
                            u32(nke ? &c->nke_hits : &c->cmd_hits),
                            u32(nke ? &c->nke_drops : &c->cmd_drops),
                            (int)(nke ? c->nke_interval : c->cmd_interval),
                            u32(nke ? &c->last_nke_hit_ago
                                                         : &c->last_cmd_hit_ago), END);
        }

        next_index = cmdproto_get32(&r.next_index);
        if (next_index >= n_indices || n_clients < CANDM_MAX_CLIENT_ACCESSES)
            break;
    }
    return true;
}

/* ---- manual list ---- */

bool reports_manual_list(struct commands_context *ctx, char *args)
{
    struct candm_rpy_manual_list r;
    if (!get_report(ctx, CANDM_REQ_MANUAL_LIST, CANDM_RPY_MANUAL_LIST2, &r, sizeof r))
        return false;
    uint32_t n = cmdproto_get32(&r.n_samples);

    struct reportfmt rf = fmt_of(ctx);
    reportfmt_info(&rf, "210 n_samples = %" PRIu32 "\n", n);
    reportfmt_header(&rf, "#    Date     Time(UTC)    Slewed   Original   Residual");
    for (uint32_t i = 0; i < n && i < CANDM_MAX_MANUAL_LIST_SAMPLES; i++) {
        const struct candm_rpy_manual_sample *s = &r.samples[i];
        struct timespec when;
        struct tm tm;
        char when_text[TIME_TEXT_LEN] = "";
        cmdproto_timespec_from_wire(&s->when, &when);
        if (gmtime_r(&when.tv_sec, &tm))
            strftime(when_text, sizeof when_text, "%Y-%m-%d %H:%M:%S", &tm);
        reportfmt_print(&rf, "%2d %s %10.2f %10.2f %10.2f\n", (int)i, when_text,
                        float_at(&s->slewed_offset), float_at(&s->orig_offset),
                        float_at(&s->residual), END);
    }
    return true;
}

/* ---- sourcename ---- */

bool reports_sourcename(struct commands_context *ctx, char *args)
{
    addr_ip ip;
    char name[NAME_MAX_LEN];
    if (!names_parse_source(args, ctx->family, &ip)) {
        fprintf(ctx->err, "Could not read address\n");
        return false;
    }
    if (!get_source_name(ctx, &ip, name, sizeof name))
        return false;
    struct reportfmt rf = fmt_of(ctx);
    reportfmt_print(&rf, "%s\n", name, END);
    return true;
}

/* ---- waitsync ---- */

/* Sleeps, waking early on a signal. False when interrupted. */
static bool sleep_interval(double seconds)
{
    int ms = (int)(seconds * MS_PER_S + 0.5);
    return poll(NULL, 0, ms) == 0;
}

bool reports_waitsync(struct commands_context *ctx, char *args)
{
    int max_tries = 0;
    double max_correction = 0.0, max_skew_ppm = 0.0, interval = WAITSYNC_DEFAULT_INTERVAL_S;
    /* as many numbers as are given; the rest keep their defaults */
    (void)sscanf(args, "%d %lf %lf %lf", &max_tries, &max_correction, &max_skew_ppm, &interval);
    if (interval < WAITSYNC_MIN_INTERVAL_S)
        interval = WAITSYNC_MIN_INTERVAL_S;

    struct reportfmt rf = fmt_of(ctx);
    bool synced = false;
    for (int i = 1;; i++) {
        struct candm_rpy_tracking r;
        if (get_report(ctx, CANDM_REQ_TRACKING, CANDM_RPY_TRACKING, &r, sizeof r)) {
            addr_ip ip;
            cmdproto_ip_from_wire(&r.ip_addr, &ip);
            uint32_t ref_id = cmdproto_get32(&r.ref_id);
            double correction = fabs(float_at(&r.current_correction));
            double skew_ppm = float_at(&r.skew_ppm);

            reportfmt_print(&rf, "try: %d, refid: %R, correction: %.9f, skew: %.3f\n", i,
                            ref_id, correction, skew_ppm, END);

            bool has_reference = ip.family != ADDR_UNSPEC ||
                                 (ref_id != 0 && ref_id != LOCAL_REFID);
            if (has_reference && (max_correction == 0.0 || correction <= max_correction) &&
                (max_skew_ppm == 0.0 || skew_ppm <= max_skew_ppm))
                synced = true;
        }

        if (synced || (max_tries && i >= max_tries) || ctx->quit_requested())
            break;
        fflush(ctx->out);
        if (!sleep_interval(interval))
            break;
    }
    return synced;
}

/* ---- settime ---- */

bool reports_settime(struct commands_context *ctx, char *args)
{
    time_t when;
    if (!getdate_parse(args, time(NULL), &when)) {
        fprintf(ctx->out, "510 - Could not parse date string\n");
        return false;
    }

    struct request req;
    struct request_reply reply;
    request_init(&req, CANDM_REQ_SETTIME, sizeof(struct candm_req_settime),
                 CANDM_RPY_MANUAL_TIMESTAMP2);
    struct candm_req_settime *data = request_data(&req);
    struct timespec ts = { .tv_sec = when, .tv_nsec = 0 };
    cmdproto_timespec_to_wire(&ts, &data->ts);
    if (!request_run(ctx, &req, &reply, true))
        return false;

    struct candm_rpy_manual_timestamp r;
    memcpy(&r, request_reply_data(&reply), sizeof r);
    fprintf(ctx->out,
            "Clock was %.2f seconds fast.  Frequency change = %.2fppm, new frequency = %.2fppm\n",
            float_at(&r.offset), float_at(&r.dfreq_ppm), float_at(&r.new_afreq_ppm));
    return true;
}
