#!/bin/sh
# make demo: an NTP server and an NTP client, both our chronyd, talking on
# 127.0.0.1 ports of their own for a few seconds. The client never touches
# this machine's clock (-x, and run without CAP_SYS_TIME); every file lives in
# a temporary directory; both daemons are stopped by PID at the end.
set -e
cd "$(dirname "$0")/.."
CHRONYD=${CHRONYD:-./chronyd}
RUN_S=6

[ -x "$CHRONYD" ] || { echo "demo: $CHRONYD is missing: run make first" >&2; exit 1; }

# Root runs the daemons without CAP_SYS_TIME; anyone else never had it.
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null || { echo "demo: setpriv (util-linux) is needed" >&2; exit 1; }
    NOCLOCK="setpriv --inh-caps=-sys_time --bounding-set=-sys_time"
    USER_OPT="-u root"
else
    NOCLOCK=""
    USER_OPT="-U"
fi

T=$(mktemp -d /tmp/cw-demo.XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# A UDP port nothing uses on this machine.
port_in_use() {
    hex=$(printf ':%04X ' "$1")
    cat /proc/net/udp /proc/net/udp6 2>/dev/null | grep -qi "$hex"
}
PORT=$(( 20000 + $$ % 20000 ))
while port_in_use $PORT; do PORT=$((PORT + 1)); done

echo "== $CHRONYD -v"
"$CHRONYD" -v
echo

echo "== server: $CHRONYD -x -d 'port $PORT' 'bindaddress 127.0.0.1' 'local stratum 8'" \
     "'allow 127.0.0.1'"
# shellcheck disable=SC2086
$NOCLOCK "$CHRONYD" -x -d $USER_OPT "port $PORT" "bindaddress 127.0.0.1" "local stratum 8" \
    "allow 127.0.0.1" "cmdport 0" "bindcmdaddress $T/server.sock" "pidfile $T/server.pid" \
    "driftfile $T/server.drift" \
    > "$T/server.log" 2>&1 &
SERVER=$!
PIDS="$SERVER"
sleep 0.5

echo "== client: $CHRONYD -x -d 'server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2'" \
     "'log measurements' (for ${RUN_S} s)"
# shellcheck disable=SC2086
$NOCLOCK "$CHRONYD" -x -d $USER_OPT "server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2" \
    "port 0" "cmdport 0" "bindcmdaddress $T/client.sock" "pidfile $T/client.pid" \
    "logdir $T" "log measurements" \
    > "$T/client.log" 2>&1 &
CLIENT=$!
PIDS="$PIDS $CLIENT"

echo "== meanwhile, one measurement: $CHRONYD -Q 'server 127.0.0.1 port $PORT iburst'"
# shellcheck disable=SC2086
$NOCLOCK "$CHRONYD" -x $USER_OPT -Q "server 127.0.0.1 port $PORT iburst" 2>&1 |
    grep -E "System clock wrong|No suitable source" || true
echo

sleep $((RUN_S - 4))
kill "$CLIENT" "$SERVER"
PIDS=""
wait "$CLIENT" "$SERVER" 2>/dev/null || true

echo "== what the client measured (from its measurements.log)"
if [ -s "$T/measurements.log" ]; then
    awk '$1 ~ /^20/ { n++; printf "  %s %s  %s stratum %s  offset %+7.1f us  delay %6.1f us\n",
                      $1, $2, $3, $5, $12 * 1e6, $13 * 1e6 }
         END { printf "  %d measurements\n", n }' "$T/measurements.log"
else
    echo "  (none)"
fi
echo
echo "== server log"
sed 's/^/  /' "$T/server.log"
