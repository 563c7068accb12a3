#!/bin/sh
# make demo: our chronyd disciplining a clock, as it happens. A server (our
# chronyd -x, `local stratum 8`) keeps true time on a 127.0.0.1 port of its
# own; a client (our chronyd with clock control ON) starts 1.5 s ahead with an
# oscillator 50 ppm fast and is stepped, then slewed onto true time. The
# client's clock is a virtual one: it runs under the project's clock shim
# (test/clockshim, LD_PRELOAD), and without CAP_SYS_TIME, so this machine's
# clock cannot be touched even if the shim missed a call. What is printed is
# the shim's record of that virtual clock against true time, once a second;
# then what our chronyc reports from the client's command socket (sources
# -v, tracking). Every file lives in a temporary directory; both daemons are
# stopped by PID.
set -e
cd "$(dirname "$0")/.."
CHRONYD=${CHRONYD:-./chronyd}
CHRONYC=${CHRONYC:-./chronyc}
RUN_S=${RUN_S:-20}
OFFSET_S=1.5
FREQ_PPM=50

for b in "$CHRONYD" "$CHRONYC"; do
    [ -x "$b" ] || { echo "demo: $b is missing: run make first" >&2; exit 1; }
done

# Root runs the daemons without CAP_SYS_TIME; anyone else never had it.
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null || { echo "demo: setpriv (util-linux) is needed" >&2; exit 1; }
    NOCLOCK="setpriv --inh-caps=-sys_time --bounding-set=-sys_time"
    USER_OPT="-u root"
else
    NOCLOCK=""
    # (-u: the daemon's user, who must own the command socket's directory)
    USER_OPT="-U -u $(id -un)"
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

make -s -C test/clockshim O="$T/shim" > "$T/shim-build.log" 2>&1 ||
    { cat "$T/shim-build.log" >&2; echo "demo: could not build the clock shim" >&2; exit 1; }
SHIM=$T/shim/libclockshim.so

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

echo "== server: chronyd -x -d 'port $PORT' 'bindaddress 127.0.0.1' 'local stratum 8' 'allow 127.0.0.1'"
# shellcheck disable=SC2086
$NOCLOCK "$CHRONYD" -x -d $USER_OPT "port $PORT" "bindaddress 127.0.0.1" "local stratum 8" \
    "allow 127.0.0.1" "cmdport 0" "bindcmdaddress /" "pidfile $T/server.pid" > "$T/server.log" 2>&1 &
SERVER=$!
PIDS="$SERVER"
sleep 0.5

# The client's command socket, for chronyc: in a directory of its own that
# only the daemon's user may enter (chronyd checks that).
mkdir -m 0770 "$T/client"
SOCK=$T/client/chronyd.sock
echo "== client: chronyd -d 'server 127.0.0.1 port $PORT minpoll 0 maxpoll 0' 'makestep 1 3' 'driftfile ...'"
echo "   clock control ON, on a virtual clock (clock shim) starting ${OFFSET_S} s ahead and ${FREQ_PPM} ppm fast"
[ -n "$NOCLOCK" ] && echo "   run as: $NOCLOCK env LD_PRELOAD=.../libclockshim.so CLOCKSHIM_OFFSET=$OFFSET_S CLOCKSHIM_FREQ=$FREQ_PPM ..."
# shellcheck disable=SC2086
$NOCLOCK env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=$OFFSET_S CLOCKSHIM_FREQ=$FREQ_PPM \
    CLOCKSHIM_RECORD="$T/clock.rec" \
    "$CHRONYD" -d $USER_OPT "server 127.0.0.1 port $PORT minpoll 0 maxpoll 0" "makestep 1 3" \
    "driftfile $T/client.drift" "port 0" "cmdport 0" "bindcmdaddress $SOCK" "pidfile $T/client.pid" \
    > "$T/client.log" 2>&1 &
CLIENT=$!
PIDS="$PIDS $CLIENT"
echo

# Record columns: pid true_s offset_s rate_ppm freq_ppm tick status state maxerror_us event
echo "   true time   clock offset (virtual - true)   clock rate   kernel frequency"
logged=0
i=0
while [ $i -lt "$RUN_S" ]; do
    sleep 1
    i=$((i + 1))
    # the client's messages since the last turn
    n=$(wc -l < "$T/client.log")
    if [ "$n" -gt "$logged" ]; then
        sed -n "$((logged + 1)),${n}p" "$T/client.log" | grep -v 'starting\|not supported yet\|root privileges' |
            sed 's/^[^ ]* /   [client] /' || true
        logged=$n
    fi
    awk -v p="$CLIENT" '$1 == p { t0 = t0 ? t0 : $2; last = $0; t = $2; o = $3; r = $4; f = $5 }
        END { if (last == "") exit
              u = o < 0 ? -o : o
              printf "   %7.1f s   %+14.6f s %s   %+8.2f ppm   %+8.3f ppm\n", t - t0, o,
                     u < 0.001 ? sprintf("(%+7.1f us)", o * 1e6) : "            ", r, f }' "$T/clock.rec"
done

# What chronyc says about the client, through its command socket.
echo
echo "== chronyc -h $SOCK sources -v"
"$CHRONYC" -h "$SOCK" sources -v || echo "demo: chronyc sources failed" >&2
echo
echo "== chronyc -h $SOCK tracking"
"$CHRONYC" -h "$SOCK" tracking || echo "demo: chronyc tracking failed" >&2

kill "$CLIENT"
wait "$CLIENT" 2>/dev/null || true
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
PIDS=""

echo
awk -v p="$CLIENT" '$1 == p && $10 == "exit" {
        printf "== final offset of the client'"'"'s clock: %+.1f us (the shim'"'"'s record at exit)\n", $3 * 1e6 }' \
    "$T/clock.rec"
[ -s "$T/client.drift" ] &&
    echo "== drift file: $(awk '{ printf "%.3f ppm (skew %.3f ppm): the oscillator runs that much fast", $1, $2 }' "$T/client.drift")"
