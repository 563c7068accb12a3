# Shared helpers for system tests (sourced by test/system/*.sh, run from the top dir).
# Every daemon started here runs without CAP_SYS_TIME, so it cannot touch the host clock.

CW_TOP=${CW_TOP:-$(pwd)}
CW_BUILD=${CW_BUILD:-$CW_TOP/build/default}
CHRONYD=${CHRONYD:-$CW_BUILD/chronyd}
CHRONYC=${CHRONYC:-$CW_BUILD/chronyc}
SETPRIV="setpriv --inh-caps=-sys_time --bounding-set=-sys_time"
TMP=$(mktemp -d /tmp/cw-sys.XXXXXX)
CW_PIDS=""

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }
skip() { echo "SKIP $1${2:+: $2}"; }
# check NAME CMD...: PASS when the command succeeds
check() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

# A UDP port, different for each call even from a subshell ($(free_port)):
# the counter lives in a file, the base depends on the PID, and ports that
# something already listens on (per /proc/net/udp*) are skipped.
cw_port_base=$(( 20000 + ($$ % 2000) * 20 ))
echo 0 > "$TMP/.port"
free_port() {
    while :; do
        n=$(( $(cat "$TMP/.port") + 1 )); echo "$n" > "$TMP/.port"
        p=$((cw_port_base + n))
        hex=$(printf ':%04X ' "$p")
        if ! cat /proc/net/udp /proc/net/udp6 2>/dev/null | grep -q "$hex"; then
            echo "$p"; return
        fi
    done
}

# spawn CMD...: start a process in the background without CAP_SYS_TIME and
# remember its PID in $! and in the list killed at exit.
spawn() {
    $SETPRIV "$@" &
    CW_PIDS="$CW_PIDS $!"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds
wait_for() {
    n=$(( $1 * 10 )); shift
    while [ $n -gt 0 ]; do
        "$@" 2>/dev/null && return 0
        sleep 0.1; n=$((n - 1))
    done
    return 1
}

cw_cleanup() {
    for p in $CW_PIDS; do kill "$p" 2>/dev/null; done
    for p in $CW_PIDS; do
        i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cw_cleanup EXIT

# ---- daemons and clients shared by several tests ----

# start_in_dir NAME BINARY CONFIG-LINE...: a chronyd -x (ours, or Debian's as
# BINARY) with the configuration lines, then its pidfile and driftfile, all in
# $TMP/NAME (mode 0770; a command socket only where a line binds one); its
# output in $TMP/NAME/log, its PID in $! and $PID_NAME.
start_in_dir() {
    name=$1; bin=$2; shift 2
    dir=$TMP/$name
    mkdir -p -m 0770 "$dir"
    for line in "$@"; do echo "$line"; done > "$dir/chrony.conf"
    cat >> "$dir/chrony.conf" <<EOF
pidfile $dir/chronyd.pid
driftfile $dir/drift
EOF
    spawn "$bin" -x -d -u root -f "$dir/chrony.conf" > "$dir/log" 2>&1
    eval "PID_$name=\$!"
}

# ask_with CHRONYC WHO ARGS...: CHRONYC on WHO's socket $TMP/WHO/chronyd.sock;
# its output then its errors in $OUT, its exit status in $rc
ask_with() {
    bin=$1; who=$2; shift 2
    "$bin" -h "$TMP/$who/chronyd.sock" "$@" > "$TMP/out" 2> "$TMP/err" < /dev/null
    rc=$?
    OUT=$(cat "$TMP/out" "$TMP/err")
}
# ask_ours WHO ARGS...: our chronyc on WHO's socket, as ask_with
ask_ours() { ask_with "$CHRONYC" "$@"; }
# the client that ok and says run (a function taking WHO ARGS...)
ASK=ask_ours
# has TEXT: a line of $OUT contains TEXT
has() { printf '%s\n' "$OUT" | grep -q -- "$1"; }
# ok NAME WHO ARGS...: the command, run by $ASK, answers exactly 200 OK
ok() {
    name=$1; shift
    $ASK "$@"
    if [ "$rc" -eq 0 ] && [ "$OUT" = "200 OK" ]; then pass "$name"; else fail "$name" "rc=$rc $OUT"; fi
}
# says NAME TEXT WHO ARGS...: the command, run by $ASK, prints a line with TEXT
says() {
    name=$1; text=$2; shift 2
    $ASK "$@"
    if has "$text"; then pass "$name"; else fail "$name" "rc=$rc: $(printf '%s' "$OUT" | head -5)"; fi
}

# local_server PORT COMMAND...: COMMAND (our chronyd, or a command running
# it such as `env LD_PRELOAD=... chronyd`) with -x, serving `local stratum 8`
# to 127.0.0.1 on PORT, with no command port nor socket; its configuration
# $TMP/srv.conf, its pidfile in $TMP/srv, its errors in $TMP/srv.log, its PID
# in $SRV.
local_server() {
    mkdir -p "$TMP/srv"
    chmod 700 "$TMP/srv"
    cat > "$TMP/srv.conf" <<EOF
port $1
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 8
pidfile $TMP/srv/chronyd.pid
cmdport 0
bindcmdaddress /
EOF
    shift
    spawn "$@" -x -d -u root -f "$TMP/srv.conf" 2> "$TMP/srv.log"
    SRV=$!
}
# local_server_started NAME: FAIL NAME (with the server's errors) unless its
# pidfile appears within 5 s
local_server_started() {
    wait_for 5 test -s "$TMP/srv/chronyd.pid" || fail "$1" "$(cat "$TMP/srv.log")"
}

# rec_converged REC PID: in a clock shim record, PID's |offset| stayed under
# 1 ms on every line of the last 10 s of true time, and lines cover those 10 s
rec_converged() {
    awk -v p="$2" '
        $1 != p { next }
        { t = $2; o = $3; if (o < 0) o = -o
          if (o >= 0.001) since = 0; else if (!since) since = t; last = t }
        END { exit !(since && last - since >= 10) }' "$1" 2> /dev/null
}
