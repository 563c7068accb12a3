#!/bin/sh
# server-throughput: NTP server throughput of our chronyd against Debian's
# chrony 4.3, side by side on loopback, with contrib/bench/ntpload as client.
#
#   sh contrib/bench/server-throughput.sh              # throughput table
#   sh contrib/bench/server-throughput.sh --callgrind  # instructions/request
#
# Both servers get the same loopback-only configuration (allow 127.0.0.1,
# local stratum 8, default client log, no ratelimit) in a temporary
# directory, run with -x -d and without CAP_SYS_TIME, pinned to SERVER_CPU;
# the generator is pinned to LOAD_CPU. Rounds alternate between the
# servers; the table shows medians. Run on demand only, never from make check.
#
# Environment (defaults in brackets):
#   CHRONYD      our chronyd [build/default/chronyd]
#   REF_CHRONYD  Debian's chronyd [/usr/sbin/chronyd]
#   DURATION     seconds of load per round and server [10]
#   ROUNDS       rounds [3]
#   WINDOW SOCKETS BATCH   ntpload -w -s -b [128 64 16]
#   SERVER_CPU LOAD_CPU    CPUs for the server and the generator [0 1]
#   REQUESTS     requests per server in --callgrind mode [20000]
#   BENCH_DIR    where ntpload is built [build/bench]
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1

CHRONYD=${CHRONYD:-$TOP/build/default/chronyd}
REF_CHRONYD=${REF_CHRONYD:-/usr/sbin/chronyd}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
WINDOW=${WINDOW:-128}
SOCKETS=${SOCKETS:-64}
BATCH=${BATCH:-16}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
REQUESTS=${REQUESTS:-20000}
BENCH_DIR=${BENCH_DIR:-$TOP/build/bench}
SETPRIV="setpriv --inh-caps=-sys_time --bounding-set=-sys_time"
# A round whose server used less CPU than this (percent) did not saturate it.
SATURATED_PCT=85
# Seconds to wait for a server's first valid reply (much longer under valgrind).
READY_WAIT=5
CALLGRIND_READY_WAIT=60

MODE=throughput
case "${1:-}" in
    "") ;;
    --callgrind) MODE=callgrind ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--callgrind]" >&2; exit 2 ;;
esac

TMP=$(mktemp -d /tmp/cw-bench.XXXXXX) || exit 1
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do
        i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the load generator --------------------------------------------------
NTPLOAD=$BENCH_DIR/ntpload
mkdir -p "$BENCH_DIR"
${CC:-cc} -O2 -std=c11 -Wall -Wextra -o "$NTPLOAD" contrib/bench/ntpload.c || exit 1

# kv KEY LINE: the value of KEY in ntpload's key=value line
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# --- ports and servers ---------------------------------------------------
# A UDP port nobody has bound on any address (from /proc/net/udp{,6}).
port_in_use() {
    hex=$(printf '%04X' "$1")
    cat /proc/net/udp /proc/net/udp6 2>/dev/null | awk -v h="$hex" \
        'NR > 1 { split($2, a, ":"); if (a[length(a)] == h) f = 1 } END { exit !f }'
}
PORT_NEXT=$(( 20000 + ($$ % 4000) * 10 ))
# Sets FREE_PORT (not a command substitution: the counter must advance).
free_port() {
    while port_in_use "$PORT_NEXT"; do PORT_NEXT=$((PORT_NEXT + 1)); done
    FREE_PORT=$PORT_NEXT; PORT_NEXT=$((PORT_NEXT + 1))
}

# write_conf DIR PORT: the configuration both servers run with.
write_conf() {
    cat > "$1/chrony.conf" <<EOF
pidfile $1/chronyd.pid
bindcmdaddress $1/chronyd.sock
cmdport 0
port $2
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 8
EOF
}

# start_server DIR BINARY [WRAPPER...]: starts the server on a free port;
# sets SPID and port.
start_server() {
    dir=$1; bin=$2; shift 2
    free_port; port=$FREE_PORT
    mkdir -p "$dir"
    write_conf "$dir" "$port"
    taskset -c "$SERVER_CPU" $SETPRIV "$@" "$bin" -x -d -u root -f "$dir/chrony.conf" \
        > "$dir/stdout" 2> "$dir/log" &
    SPID=$!
    PIDS="$PIDS $SPID"
}

# stop_server PID: SIGTERM, and wait until it has exited (callgrind writes
# its profile at exit).
stop_server() {
    kill "$1" 2>/dev/null
    i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    PIDS=$(printf '%s\n' $PIDS | grep -vx "$1" | tr '\n' ' ')
}

# wait_ready PORT PID SECONDS: until a probe gets valid replies. Sets PROBE
# to the last probe's result line.
wait_ready() {
    end=$(( $(date +%s) + $3 ))
    while [ "$(date +%s)" -le "$end" ]; do
        kill -0 "$2" 2>/dev/null || { PROBE="server exited"; return 1; }
        PROBE=$("$NTPLOAD" -p "$1" -n 4 -w 4 -s 1 -t 0.5 -k -q)
        [ "$(kv valid "$PROBE")" = 4 ] && return 0
        sleep 0.2
    done
    return 1
}

# cpu_ticks PID: "user system" clock ticks of the process so far.
cpu_ticks() { awk '{ print $14, $15 }' "/proc/$1/stat" 2>/dev/null || echo 0 0; }
# cpu_stat CPU: "busy idle steal" ticks of one CPU so far (from /proc/stat).
cpu_stat() { awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 + $7 + $8, $5 + $6, $9 }' /proc/stat; }
# cpu_share BEFORE AFTER: "idle% steal%" between two cpu_stat readings.
cpu_share() {
    echo "$1 $2" | awk '{ t = ($4 - $1) + ($5 - $2) + ($6 - $3);
        if (t <= 0) t = 1; printf "%.0f %.0f", 100 * ($5 - $2) / t, 100 * ($6 - $3) / t }'
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# median: of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0;
    else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The servers: NAMES, and for each NAME its BIN_NAME.
NAMES="chrony"
BIN_chrony=$REF_CHRONYD
LABEL_chrony="chrony $("$REF_CHRONYD" -v 2>/dev/null | awk '{ print $4 }')"
BIN_ours=$CHRONYD
LABEL_ours="clockwork"
if [ ! -x "$REF_CHRONYD" ]; then
    echo "Debian's chronyd ($REF_CHRONYD) is not installed" >&2
    exit 1
fi

# probe_ours: does our chronyd answer NTP yet? Adds it to NAMES if so.
probe_ours() {
    if [ ! -x "$CHRONYD" ]; then
        echo "note: our chronyd ($CHRONYD) is not built; measuring only Debian's chronyd"
        return
    fi
    start_server "$TMP/probe" "$CHRONYD"
    if wait_ready "$port" "$SPID" "$READY_WAIT"; then
        NAMES="chrony ours"
    else
        if [ -n "$(kv sent "$PROBE")" ] && [ "$(kv lost "$PROBE")" != "$(kv sent "$PROBE")" ]; then
            why="it answers, but no reply is valid: $(kv insane "$PROBE") unsynchronised or insane, $(kv kod "$PROBE") KoD, $(kv malformed "$PROBE") malformed"
        elif [ "$PROBE" = "server exited" ]; then
            why="it exited at startup"
        else
            why="no answer on loopback"
        fi
        echo "note: our chronyd ($CHRONYD) does not serve NTP yet ($why);"
        echo "      measuring only Debian's chronyd"
        grep -i 'not supported\|error' "$TMP/probe/log" | sed 's/^[0-9TZ:-]* /      log: /' | head -n 8
    fi
    stop_server "$SPID"
}

echo "clockwork server benchmark ($MODE), $(nproc) CPUs, server on CPU $SERVER_CPU," \
     "generator on CPU $LOAD_CPU"
# How busy the two CPUs are before we start (1 s sample).
a0=$(cpu_stat "$SERVER_CPU"); b0=$(cpu_stat "$LOAD_CPU"); sleep 1
a1=$(cpu_stat "$SERVER_CPU"); b1=$(cpu_stat "$LOAD_CPU")
sa=$(cpu_share "$a0" "$a1"); sb=$(cpu_share "$b0" "$b1")
echo "before start: CPU$SERVER_CPU idle ${sa% *}% steal ${sa#* }%," \
     "CPU$LOAD_CPU idle ${sb% *}% steal ${sb#* }%"
if [ "${sa% *}" -lt 90 ] || [ "${sb% *}" -lt 90 ]; then
    echo "warning: other work is running on these CPUs; figures will be noisy"
fi
probe_ours

# With both on one CPU, the server shares it with the generator.
SAME_CPU=0; [ "$SERVER_CPU" = "$LOAD_CPU" ] && SAME_CPU=1
LOADOPTS="-w $WINDOW -s $SOCKETS -b $BATCH -c $LOAD_CPU -k -q"

# --- throughput mode -----------------------------------------------------
throughput() {
    echo "load: $ROUNDS rounds x ${DURATION}s per server, window $WINDOW, $SOCKETS sockets," \
         "batch $BATCH"
    for n in $NAMES; do
        eval bin=\$BIN_$n
        start_server "$TMP/$n" "$bin"
        eval PID_$n=$SPID PORT_$n=$port
        if ! wait_ready "$port" "$SPID" "$READY_WAIT"; then
            echo "$n: no valid reply from $bin ($PROBE)" >&2
            sed 's/^/  /' "$TMP/$n/log" >&2
            exit 1
        fi
    done
    r=1
    while [ $r -le "$ROUNDS" ]; do
        # alternate which server goes first
        order=$NAMES
        [ $((r % 2)) = 0 ] && order=$(printf '%s\n' $NAMES | sort -r | tr '\n' ' ')
        for n in $order; do
            eval pid=\$PID_$n port=\$PORT_$n
            t0=$(cpu_ticks "$pid"); s0=$(cpu_stat "$SERVER_CPU")
            line=$("$NTPLOAD" -p "$port" -d "$DURATION" $LOADOPTS)
            t1=$(cpu_ticks "$pid"); s1=$(cpu_stat "$SERVER_CPU")
            share=$(cpu_share "$s0" "$s1")
            echo "$line" >> "$TMP/$n.runs"
            # "server CPU%, CPU us per reply, user-space CPU us per reply"
            cpu=$(echo "$t0 $t1" | awk -v hz="$(getconf CLK_TCK)" \
                -v e="$(kv elapsed "$line")" -v v="$(kv valid "$line")" \
                '{ u = ($3 - $1) / hz; s = u + ($4 - $2) / hz;
                   printf "%.0f %.2f %.2f", (e > 0 ? 100 * s / e : 0),
                          (v > 0 ? 1e6 * s / v : 0), (v > 0 ? 1e6 * u / v : 0) }')
            echo "$cpu" >> "$TMP/$n.cpu"
            printf '  round %d %-7s %7.0f/s  p50 %6.0f us  p99 %6.0f us  lost %s' \
                "$r" "$n" "$(kv rate "$line")" "$(kv p50_us "$line")" "$(kv p99_us "$line")" \
                "$(kv lost "$line")"
            printf '  CPU: server %s%%, CPU%s idle %s%% steal %s%%, generator %.0f%%%s\n' \
                "${cpu%% *}" "$SERVER_CPU" "${share% *}" "${share#* }" \
                "$(awk -v g="$(kv gen_cpu "$line")" 'BEGIN { print 100 * g }')" \
                "$(awk -v c="${cpu%% *}" -v g="$(kv gen_cpu "$line")" -v same="$SAME_CPU" \
                    'BEGIN { if (same) c += 100 * g; if (c < '"$SATURATED_PCT"') print " *" }')"
        done
        r=$((r + 1))
    done

    echo
    printf '%-12s %10s %9s %10s %11s %8s %6s %6s %8s %8s\n' server "replies/s" "p99 us" \
        "CPU us/req" "user us/req" invalid KoD lost "RSS kB" "HWM kB"
    for n in $NAMES; do
        eval pid=\$PID_$n label=\$LABEL_$n
        f=$TMP/$n.runs
        rate=$(while read -r l; do kv rate "$l"; done < "$f" | median)
        p99=$(while read -r l; do kv p99_us "$l"; done < "$f" | median)
        cpr=$(awk '{ print $2 }' "$TMP/$n.cpu" | median)
        upr=$(awk '{ print $3 }' "$TMP/$n.cpu" | median)
        sum() { while read -r l; do kv "$1" "$l"; done < "$f" | awk '{ s += $1 } END { print s + 0 }'; }
        rss=$(status_kb "$pid" VmRSS); hwm=$(status_kb "$pid" VmHWM)
        eval RATE_$n=$rate P99_$n=$p99 RSS_$n=$rss HWM_$n=$hwm CPR_$n=$cpr
        printf '%-12s %10.0f %9.0f %10.2f %11.2f %8s %6s %6s %8s %8s\n' "$label" "$rate" "$p99" "$cpr" "$upr" \
            "$(sum invalid)" "$(sum kod)" "$(sum lost)" "$rss" "$hwm"
    done
    if [ "$NAMES" = "chrony ours" ]; then
        awk -v r1="$RATE_chrony" -v r2="$RATE_ours" -v p1="$P99_chrony" -v p2="$P99_ours" \
            -v m1="$RSS_chrony" -v m2="$RSS_ours" -v c1="$CPR_chrony" -v c2="$CPR_ours" \
            'function q(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "n/a" }
             BEGIN { printf "ours/chrony: replies/s %s, p99 %s, CPU/request %s, RSS %s\n",
                     q(r2, r1), q(p2, p1), q(c2, c1), q(m2, m1) }'
    fi
    echo "(medians of $ROUNDS rounds; invalid/KoD/lost summed; RSS/HWM after the last round;"
    echo " CPU us/req = server user+system time per valid reply, user us/req the user part;"
    echo " * = server (plus generator, on one CPU) below ${SATURATED_PCT}% CPU: wakeup latency,"
    echo "     steal or other load on CPU$SERVER_CPU)"
    for n in $NAMES; do eval stop_server \$PID_$n; done
}

# --- callgrind mode ------------------------------------------------------
# Ir of a whole run, from the callgrind profile.
total_ir() {
    awk '/^(summary|totals):/ { print $2; exit }' "$1"
}

# cg_run NAME TAG SECONDS|load: one server run under callgrind; sets IR,
# ANSWERED and WALL (seconds of load).
cg_run() {
    n=$1; tag=$2; eval bin=\$BIN_$n
    dir=$TMP/$n.$tag
    start_server "$dir" "$bin" \
        valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out"
    if ! wait_ready "$port" "$SPID" "$CALLGRIND_READY_WAIT"; then
        echo "$n: no valid reply under callgrind ($PROBE)" >&2
        sed 's/^/  /' "$dir/log" >&2
        exit 1
    fi
    ANSWERED=0
    if [ "$3" = load ]; then
        s0=$(date +%s.%N)
        line=$("$NTPLOAD" -p "$port" -n "$REQUESTS" -d 600 -t 4 $LOADOPTS)
        WALL=$(awk -v a="$s0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
        ANSWERED=$(( $(kv valid "$line") + $(kv kod "$line") ))
        echo "  $n under callgrind: $(kv valid "$line") valid replies, $(kv lost "$line") lost," \
             "$(kv rate "$line") replies/s, ${WALL}s"
    else
        sleep "$3"
    fi
    stop_server "$SPID"
    IR=$(total_ir "$dir/callgrind.out")
    if [ -z "$IR" ]; then
        echo "$n: no callgrind profile" >&2
        exit 1
    fi
}

callgrind() {
    if ! command -v valgrind > /dev/null; then
        echo "valgrind is not installed" >&2
        exit 1
    fi
    echo "callgrind: $REQUESTS requests per server; an idle run of the same length" \
         "(start, readiness probe, stop) is subtracted"
    for n in $NAMES; do
        cg_run "$n" load load
        ir_load=$IR; answered=$ANSWERED; wall=$WALL
        # kept for callgrind_annotate (where the instructions go)
        cp "$TMP/$n.load/callgrind.out" "$BENCH_DIR/callgrind.$n.out"
        cg_run "$n" idle "$wall"
        eval IR_LOAD_$n=$ir_load IR_IDLE_$n=$IR ANS_$n=$answered
    done
    echo
    printf '%-20s %14s %14s %9s %10s\n' server "Ir loaded" "Ir idle" answered "Ir/request"
    for n in $NAMES; do
        eval label=\$LABEL_$n a=\$IR_LOAD_$n b=\$IR_IDLE_$n c=\$ANS_$n
        per=$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "%.0f", (c > 0 ? (a - b) / c : 0) }')
        eval PER_$n=$per
        printf '%-20s %14s %14s %9s %10s\n' "$label" "$a" "$b" "$c" "$per"
    done
    if [ "$NAMES" = "chrony ours" ]; then
        awk -v a="$PER_ours" -v b="$PER_chrony" \
            'BEGIN { printf "ours/chrony: Ir/request %.2f\n", (b > 0 ? a / b : 0) }'
    fi
    echo "profiles of the loaded runs: callgrind_annotate $BENCH_DIR/callgrind.<server>.out"
}

$MODE
