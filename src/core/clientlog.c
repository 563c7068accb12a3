/* clientlog: client records, response rate limiting, server statistics and
 * the interleaved-mode timestamp map. */
#include "core/clientlog.h"

#include <math.h>
#include <string.h>

#include "common/mem.h"

/* Records live in buckets of 16 in one array; a client hashes to a bucket. */
#define BUCKET_SIZE 16U
#define MAX_RECORDS (1U << 24)
/* The table is doubled by copying, so both copies count against the limit. */
#define COPY_OVERHEAD_NUM 3
#define COPY_OVERHEAD_DEN 2

/* Last-hit times are kept as 32-bit counts of 1/16 s ticks (they wrap after
 * 8.5 years; differences are taken modulo 2^32). 0 means "never". */
#define TICK_BITS 4
#define TICKS_PER_SEC (1U << TICK_BITS)
#define NO_TICK 0U

/* Request intervals are tracked as log2 seconds in quarter steps. */
#define Q_PER_LOG2 4
#define Q_INVALID INT8_MIN
#define Q_BELOW_ONE_TICK (-(TICK_BITS + 1) * Q_PER_LOG2)
#define Q_MAX 124

/* Token buckets count credit in units of 2^-unit_exp seconds, with
 * unit_exp chosen so that burst * cost stays below 2^31. */
#define MAX_UNIT_EXP 19
#define MAX_COST_EXP 23

/* Interleaved mode: entries newer than a new one by more than this (NTP
 * 32.32 units: 1 s) are leftovers from before a backward clock step. */
#define TS_FUTURE_LIMIT (1ULL << 32)
/* Out-of-order entries are inserted by shifting at most this many. */
#define TS_INSERT_LIMIT 64U
/* Transmit times are kept relative to the receive timestamp. */
#define TS_MAX_TX_OFFSET_NS 2000000000LL
#define TS_DISABLED 1U
#define TS_VALID_TX 2U

/* chrony's default rate-limit parameters per service */
#define DEFAULT_BURST 8
#define DEFAULT_LEAK 2
#define DEFAULT_KOD 0
static const int default_interval[CLIENTLOG_SERVICES] = { 3, 6, -4 };

struct record {
    addr_ip ip;                        /* family ADDR_UNSPEC: empty slot */
    uint32_t last_tick[CLIENTLOG_SERVICES];
    uint32_t hits[CLIENTLOG_SERVICES];
    uint32_t credit[CLIENTLOG_SERVICES];
    uint16_t drops[CLIENTLOG_SERVICES];
    int8_t interval_q[CLIENTLOG_SERVICES];
    int8_t timeout_q;                  /* NTP requests following a dropped one */
    uint8_t dropped;                   /* bit per service: last request dropped */
};

struct bucket_params {
    bool enabled;
    int interval;
    int unit_shift;                    /* credit units per tick, log2 */
    uint32_t cost;                     /* credit spent per response */
    uint32_t capacity;
    int leak;
    int kod;
};

struct ts_entry {
    uint64_t rx;                       /* our receive timestamp, 32.32 */
    int32_t tx_offset_ns;              /* our transmit time minus rx */
    uint8_t flags;
    uint8_t tx_source;
};

static bool active;
static struct record *records;
static uint32_t n_records;
static uint32_t max_records;
static uint64_t hash_salt;
static uint64_t rng_state;
static struct bucket_params limits[CLIENTLOG_SERVICES];

static struct ts_entry *ts_map;
static uint32_t ts_first, ts_size, ts_max;

static struct clientlog_stats stats;

void clientlog_config_defaults(struct clientlog_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->enabled = true;
    cfg->limit_bytes = CLIENTLOG_DEFAULT_LIMIT_BYTES;
    for (int s = 0; s < CLIENTLOG_SERVICES; s++) {
        cfg->ratelimit[s].interval = default_interval[s];
        cfg->ratelimit[s].burst = DEFAULT_BURST;
        cfg->ratelimit[s].leak = DEFAULT_LEAK;
        cfg->ratelimit[s].kod = DEFAULT_KOD;
    }
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* xorshift64*: good enough to decide which limited requests leak through */
static uint64_t next_random(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* True with probability 2^-bits. */
static bool one_in_pow2(int bits)
{
    return (next_random() >> 40 & ((1U << bits) - 1)) == 0;
}

static void set_bucket(struct bucket_params *b, const struct clientlog_ratelimit *rl)
{
    memset(b, 0, sizeof *b);
    b->interval = CLIENTLOG_MIN_INTERVAL;
    if (!rl->enabled)
        return;
    b->enabled = true;
    b->interval = clamp(rl->interval, CLIENTLOG_MIN_INTERVAL, CLIENTLOG_MAX_INTERVAL);
    int burst = clamp(rl->burst, CLIENTLOG_MIN_BURST, CLIENTLOG_MAX_BURST);
    int unit_exp = MAX_COST_EXP - b->interval;
    if (unit_exp > MAX_UNIT_EXP)
        unit_exp = MAX_UNIT_EXP;
    b->unit_shift = unit_exp - TICK_BITS;
    b->cost = 1U << (b->interval + unit_exp);
    b->capacity = b->cost * (uint32_t)burst;
    /* Intervals shorter than a tick can only be enforced per tick: allow at
     * least one tick's worth of responses at once (coarse limiting). */
    uint32_t per_tick = 1U << b->unit_shift;
    if (b->capacity < per_tick)
        b->capacity = per_tick;
    b->leak = clamp(rl->leak, CLIENTLOG_MIN_LEAK, CLIENTLOG_MAX_LEAK);
    b->kod = clamp(rl->kod, CLIENTLOG_MIN_KOD, CLIENTLOG_MAX_KOD);
}

static uint32_t max_records_for(size_t limit_bytes)
{
    size_t per_client = (sizeof(struct record) + sizeof(struct ts_entry)) *
                        COPY_OVERHEAD_NUM / COPY_OVERHEAD_DEN;
    size_t fit = limit_bytes / per_client;
    uint32_t n = BUCKET_SIZE;
    while (n < MAX_RECORDS && (size_t)n * 2 <= fit)
        n *= 2;
    return n;
}

void clientlog_fini(void)
{
    mem_free(records);
    mem_free(ts_map);
    records = NULL;
    ts_map = NULL;
    n_records = max_records = 0;
    ts_first = ts_size = ts_max = 0;
    active = false;
}

bool clientlog_init(const struct clientlog_config *cfg, const char **error)
{
    clientlog_fini();
    memset(&stats, 0, sizeof stats);
    for (int s = 0; s < CLIENTLOG_SERVICES; s++)
        set_bucket(&limits[s], &cfg->ratelimit[s]);

    if (!cfg->enabled) {
        for (int s = 0; s < CLIENTLOG_SERVICES; s++) {
            if (limits[s].enabled) {
                if (error)
                    *error = "Rate limiting cannot be enabled with noclientlog";
                return false;
            }
        }
        return true;
    }

    active = true;
    rng_state = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ULL;
    hash_salt = next_random();
    max_records = max_records_for(cfg->limit_bytes);
    n_records = BUCKET_SIZE;
    records = mem_calloc(n_records, sizeof *records);
    ts_max = max_records;
    return true;
}

/* ---- records ---- */

static uint32_t to_tick(struct timespec t)
{
    uint32_t tick = (uint32_t)((uint64_t)t.tv_sec << TICK_BITS) +
                    (uint32_t)((uint64_t)t.tv_nsec * TICKS_PER_SEC / NTPTIME_NSEC_PER_SEC);
    return tick == NO_TICK ? 1 : tick;
}

/* Multiplicative hashing of the address words, then a 64-bit finaliser, so
 * that the low bits picking the bucket depend on every address bit; salted
 * with a random value, so that which addresses share a bucket changes from
 * run to run. */
#define HASH_MUL 0x9e3779b97f4a7c15ULL

static uint64_t hash_ip(const addr_ip *ip)
{
    uint64_t h = hash_salt ^ ip->family;
    if (ip->family == ADDR_INET4) {
        h = (h ^ ip->a.in4) * HASH_MUL;
    } else {
        uint64_t w[2];
        memcpy(w, ip->a.in6, sizeof w);
        h = (h ^ w[0]) * HASH_MUL;
        h = (h ^ (h >> 29) ^ w[1]) * HASH_MUL;
    }
    h ^= h >> 31;
    h *= 0x7fb5d329728ea185ULL;
    return h ^ (h >> 27);
}

/* addr_equal() for the two families records hold. */
static bool same_ip(const addr_ip *a, const addr_ip *b)
{
    if (a->family != b->family)
        return false;
    if (a->family == ADDR_INET4)
        return a->a.in4 == b->a.in4;
    return memcmp(a->a.in6, b->a.in6, sizeof a->a.in6) == 0;
}

static struct record *bucket_of(struct record *table, uint32_t size, const addr_ip *ip)
{
    uint32_t buckets = size / BUCKET_SIZE;
    return table + (hash_ip(ip) & (buckets - 1)) * BUCKET_SIZE;
}

static bool grow_table(void)
{
    if (n_records * 2 > max_records)
        return false;
    uint32_t size = n_records * 2;
    struct record *table = mem_calloc(size, sizeof *table);
    for (uint32_t i = 0; i < n_records; i++) {
        if (records[i].ip.family == ADDR_UNSPEC)
            continue;
        /* a bucket splits into two, so the moved records always fit */
        struct record *b = bucket_of(table, size, &records[i].ip);
        unsigned j = 0;
        while (b[j].ip.family != ADDR_UNSPEC)
            j++;
        b[j] = records[i];
    }
    mem_free(records);
    records = table;
    n_records = size;
    return true;
}

/* How long ago (ticks) the client was last seen in any service. */
static uint32_t idle_ticks(const struct record *r, uint32_t now)
{
    uint32_t best = UINT32_MAX;
    for (int s = 0; s < CLIENTLOG_SERVICES; s++) {
        if (r->last_tick[s] == NO_TICK)
            continue;
        int32_t ago = (int32_t)(now - r->last_tick[s]);
        uint32_t a = ago < 0 ? 0 : (uint32_t)ago;
        if (a < best)
            best = a;
    }
    return best;
}

static uint64_t total_hits(const struct record *r)
{
    uint64_t n = 0;
    for (int s = 0; s < CLIENTLOG_SERVICES; s++)
        n += r->hits[s];
    return n;
}

static void init_record(struct record *r, const addr_ip *ip)
{
    memset(r, 0, sizeof *r);
    r->ip = *ip;
    for (int s = 0; s < CLIENTLOG_SERVICES; s++) {
        r->interval_q[s] = Q_INVALID;
        r->credit[s] = limits[s].capacity;      /* a new client starts with a full bucket */
    }
    r->timeout_q = Q_INVALID;
}

static struct record *get_record(const addr_ip *ip, uint32_t now)
{
    for (;;) {
        struct record *b = bucket_of(records, n_records, ip);
        for (unsigned i = 0; i < BUCKET_SIZE; i++) {
            if (b[i].ip.family == ADDR_UNSPEC) {
                init_record(&b[i], ip);
                return &b[i];
            }
            if (same_ip(&b[i].ip, ip))
                return &b[i];
        }
        if (grow_table())
            continue;
        /* No room: replace the client idle for longest (fewest hits on a tie). */
        struct record *victim = &b[0];
        for (unsigned i = 1; i < BUCKET_SIZE; i++) {
            uint32_t a = idle_ticks(&b[i], now), v = idle_ticks(victim, now);
            if (a > v || (a == v && total_hits(&b[i]) < total_hits(victim)))
                victim = &b[i];
        }
        stats.log_drops++;
        init_record(victim, ip);
        return victim;
    }
}

static int8_t interval_sample_q(uint32_t ticks)
{
    if (ticks == 0)
        return Q_BELOW_ONE_TICK;
    double q = round(Q_PER_LOG2 * (log2((double)ticks) - TICK_BITS));
    if (q > Q_MAX)
        q = Q_MAX;
    if (q < Q_BELOW_ONE_TICK)
        q = Q_BELOW_ONE_TICK;
    return (int8_t)q;
}

/* Moves the estimate halfway to the sample (at least one step). */
static void update_interval(int8_t *q, int8_t sample)
{
    if (*q == Q_INVALID) {
        *q = sample;
        return;
    }
    int diff = sample - *q;
    int step = diff / 2;
    if (step == 0 && diff != 0)
        step = diff > 0 ? 1 : -1;
    *q = (int8_t)(*q + step);
}

int clientlog_log_access(enum clientlog_service service, const addr_ip *ip,
                         struct timespec now)
{
    if ((unsigned)service >= CLIENTLOG_SERVICES)
        return -1;
    stats.hits[service]++;
    if (!active || (ip->family != ADDR_INET4 && ip->family != ADDR_INET6))
        return -1;

    uint32_t now_tick = to_tick(now);
    struct record *r = get_record(ip, now_tick);
    uint32_t prev = r->last_tick[service];
    r->last_tick[service] = now_tick;
    r->hits[service]++;

    int32_t elapsed = (int32_t)(now_tick - prev);
    if (prev != NO_TICK && elapsed >= 0) {
        const struct bucket_params *b = &limits[service];
        if (b->enabled) {
            uint64_t credit = r->credit[service] + ((uint64_t)(uint32_t)elapsed << b->unit_shift);
            r->credit[service] = credit > b->capacity ? b->capacity : (uint32_t)credit;
        }
        /* NTP clients whose last request went unanswered are measured
         * separately, to spot those that poll faster when ignored */
        bool after_drop = service == CLIENTLOG_NTP && (r->dropped & (1U << service));
        update_interval(after_drop ? &r->timeout_q : &r->interval_q[service],
                        interval_sample_q((uint32_t)elapsed));
    }
    return (int)(r - records);
}

enum clientlog_limit clientlog_limit_rate(enum clientlog_service service, int index)
{
    if ((unsigned)service >= CLIENTLOG_SERVICES)
        return CLIENTLOG_PASS;
    /* without ratelimit (the common case) nothing else matters */
    const struct bucket_params *b = &limits[service];
    if (!b->enabled || !active || index < 0 || (uint32_t)index >= n_records)
        return CLIENTLOG_PASS;

    struct record *r = &records[index];
    r->dropped &= (uint8_t)~(1U << service);
    if (r->credit[service] >= b->cost) {
        r->credit[service] -= b->cost;
        return CLIENTLOG_PASS;
    }

    bool answer = one_in_pow2(b->leak);
    /* A client that polls more than twice as often when not answered would
     * only make more traffic if limited: answer most of its requests. */
    if (service == CLIENTLOG_NTP && r->timeout_q != Q_INVALID &&
        (r->interval_q[service] == Q_INVALID ||
         r->timeout_q < r->interval_q[service] - Q_PER_LOG2))
        answer = !answer;
    if (answer) {
        r->credit[service] = 0;
        return CLIENTLOG_PASS;
    }
    if (b->kod > 0 && one_in_pow2(b->kod))
        return CLIENTLOG_KOD;

    r->dropped |= (uint8_t)(1U << service);
    r->drops[service]++;
    stats.drops[service]++;
    return CLIENTLOG_DROP;
}

int clientlog_ntp_min_poll(void)
{
    return limits[CLIENTLOG_NTP].interval;
}

void clientlog_update_ntp_stats(bool authenticated, enum clientlog_ts_source rx_source,
                                enum clientlog_ts_source tx_source)
{
    if (authenticated)
        stats.ntp_auth_hits++;
    if ((unsigned)rx_source < CLIENTLOG_TS_SOURCES)
        stats.ntp_rx_timestamps[rx_source]++;
    if ((unsigned)tx_source < CLIENTLOG_TS_SOURCES)
        stats.ntp_tx_timestamps[tx_source]++;
}

/* ---- interleaved-mode timestamps: a ring ordered by receive time ---- */

static struct ts_entry *ts_at(uint32_t i)
{
    return &ts_map[(ts_first + i) & (ts_max - 1)];
}

static bool ts_older(uint64_t a, uint64_t b)
{
    return (int64_t)(a - b) < 0;     /* by difference, so adjacent eras order right */
}

/* Finds rx; when absent, *pos is where it would go (0..ts_size). */
static bool ts_find(uint64_t rx, uint32_t *pos)
{
    if (ts_size == 0 || ts_older(rx, ts_at(0)->rx)) {
        *pos = 0;
        return false;
    }
    if (ts_older(ts_at(ts_size - 1)->rx, rx)) {
        *pos = ts_size;
        return false;
    }
    uint32_t lo = 0, hi = ts_size - 1;      /* at(lo) <= rx <= at(hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ts_older(rx, ts_at(mid)->rx))
            hi = mid;
        else
            lo = mid;
    }
    if (ts_at(lo)->rx == rx) {
        *pos = lo;
        return true;
    }
    if (ts_at(hi)->rx == rx) {
        *pos = hi;
        return true;
    }
    *pos = hi;
    return false;
}

static void set_tx(struct ts_entry *e, ntptime_ts64 rx, const struct timespec *tx,
                   enum clientlog_ts_source source)
{
    e->flags &= (uint8_t)~TS_VALID_TX;
    if (!tx || ntptime_is_zero(*tx))
        return;
    struct timespec rx_time = ntptime_from_ts64(rx, NTPTIME_DEFAULT_ERA_START);
    struct timespec d = ntptime_sub(*tx, rx_time);
    int64_t ns = (int64_t)d.tv_sec * NTPTIME_NSEC_PER_SEC + d.tv_nsec;
    if (d.tv_sec < -3 || d.tv_sec > 3 || ns < -TS_MAX_TX_OFFSET_NS || ns >= TS_MAX_TX_OFFSET_NS)
        return;
    e->tx_offset_ns = (int32_t)ns;
    e->tx_source = (uint8_t)source;
    e->flags |= TS_VALID_TX;
}

/* Makes room at the end, dropping the oldest entry when full; returns the
 * index that pos now has. */
static uint32_t ts_push(uint32_t pos)
{
    if (ts_size < ts_max) {
        ts_size++;
        return pos;
    }
    ts_first = (ts_first + 1) & (ts_max - 1);
    return pos > 0 ? pos - 1 : 0;
}

void clientlog_save_ntp_timestamps(ntptime_ts64 rx_ts, const struct timespec *tx,
                                   enum clientlog_ts_source tx_source)
{
    uint64_t rx = ntptime_ts64_to_u64(rx_ts);
    if (!active || rx == 0 || ts_max == 0)
        return;
    if (!ts_map)
        ts_map = mem_calloc(ts_max, sizeof *ts_map);

    uint32_t pos;
    if (ts_find(rx, &pos)) {
        /* a second reply with the same receive timestamp: never let either
         * be used for an interleaved reply */
        ts_at(pos)->flags |= TS_DISABLED;
        return;
    }

    if (pos < ts_size) {
        while (ts_size > pos && ts_at(ts_size - 1)->rx - rx > TS_FUTURE_LIMIT)
            ts_size--;
    }
    if (pos >= ts_size) {
        pos = ts_push(ts_size);
    } else if (pos + TS_INSERT_LIMIT >= ts_size) {
        bool full = ts_size == ts_max;
        if (full && pos == 0) {
            /* older than everything held and no room: replace the oldest */
        } else {
            pos = ts_push(pos);
            for (uint32_t i = ts_size - 1; i > pos; i--)
                *ts_at(i) = *ts_at(i - 1);
        }
    } else if (pos > 0) {
        pos--;                       /* too far back to shift: replace the closest older */
    }

    struct ts_entry *e = ts_at(pos);
    memset(e, 0, sizeof *e);
    e->rx = rx;
    set_tx(e, rx_ts, tx, tx_source);
}

void clientlog_update_ntp_tx(ntptime_ts64 rx, const struct timespec *tx,
                             enum clientlog_ts_source tx_source)
{
    uint32_t pos;
    if (!ts_map || !ts_find(ntptime_ts64_to_u64(rx), &pos))
        return;
    set_tx(ts_at(pos), rx, tx, tx_source);
}

bool clientlog_get_ntp_tx(ntptime_ts64 rx, struct timespec *tx,
                          enum clientlog_ts_source *tx_source)
{
    uint32_t pos;
    if (!ts_map || !ts_find(ntptime_ts64_to_u64(rx), &pos))
        return false;
    const struct ts_entry *e = ts_at(pos);
    if ((e->flags & TS_DISABLED) || !(e->flags & TS_VALID_TX))
        return false;
    struct timespec off = { 0, e->tx_offset_ns };
    *tx = ntptime_add(ntptime_from_ts64(rx, NTPTIME_DEFAULT_ERA_START), off);
    if (tx_source)
        *tx_source = (enum clientlog_ts_source)e->tx_source;
    return true;
}

void clientlog_disable_ntp_timestamps(ntptime_ts64 rx)
{
    uint32_t pos;
    if (ts_map && ts_find(ntptime_ts64_to_u64(rx), &pos))
        ts_at(pos)->flags |= TS_DISABLED;
    /* called once per interleaved reply */
    stats.ntp_interleaved_hits++;
}

void clientlog_drop_ntp_timestamps(void)
{
    ts_first = ts_size = 0;
}

/* ---- reports ---- */

int clientlog_capacity(void)
{
    return active ? (int)n_records : -1;
}

static int8_t report_interval(int8_t q)
{
    if (q == Q_INVALID)
        return CLIENTLOG_NO_INTERVAL;
    int v = q >= 0 ? (q + Q_PER_LOG2 / 2) / Q_PER_LOG2 : (q - Q_PER_LOG2 / 2) / Q_PER_LOG2;
    return (int8_t)v;
}

static uint32_t ago_seconds(uint32_t now, uint32_t then)
{
    if (then == NO_TICK || (int32_t)(now - then) < 0)
        return CLIENTLOG_NEVER;
    return (now - then) >> TICK_BITS;
}

bool clientlog_get_client(int index, bool reset, uint32_t min_hits, struct timespec now,
                          struct clientlog_client *out)
{
    if (!active || index < 0 || (uint32_t)index >= n_records)
        return false;
    struct record *r = &records[index];
    if (r->ip.family == ADDR_UNSPEC)
        return false;

    bool wanted = min_hits == 0;
    for (int s = 0; s < CLIENTLOG_SERVICES && !wanted; s++)
        wanted = r->hits[s] >= min_hits;

    if (wanted) {
        uint32_t now_tick = to_tick(now);
        memset(out, 0, sizeof *out);
        out->ip = r->ip;
        for (int s = 0; s < CLIENTLOG_SERVICES; s++) {
            out->hits[s] = r->hits[s];
            out->drops[s] = r->drops[s];
            out->interval[s] = report_interval(r->interval_q[s]);
            out->last_hit_ago[s] = ago_seconds(now_tick, r->last_tick[s]);
        }
        out->ntp_timeout_interval = report_interval(r->timeout_q);
    }
    if (reset) {
        memset(r->hits, 0, sizeof r->hits);
        memset(r->drops, 0, sizeof r->drops);
    }
    return wanted;
}

void clientlog_get_stats(struct clientlog_stats *out)
{
    *out = stats;
    out->ntp_timestamps = ts_size;
    out->ntp_span_seconds = ts_size > 1 ? (ts_at(ts_size - 1)->rx - ts_at(0)->rx) >> 32 : 0;
}
