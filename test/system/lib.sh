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
