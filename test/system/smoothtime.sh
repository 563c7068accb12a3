#!/bin/sh
# Time smoothing (smoothtime, chronyc smoothing / smoothtime reset|activate)
# on the time our NTP server serves, next to Debian's chronyd 4.3.
#
#  A: our chronyd with clock control, under the clock shim (a virtual
#     CLOCK_REALTIME of its own) AND without CAP_SYS_TIME, serving local
#     stratum 8 with `smoothtime 400 0.001`. After `smoothtime activate`, a
#     correction of 1 s (`doffset 1`: the clock is slewed back) must leave
#     the served time where it was (ntpprobe against true time), with the
#     reference ID 127.127.1.255 and `smoothing` showing +1 s to smooth out;
#     `smoothtime reset` then lets the correction through at once (served
#     time 1 s behind). Debian's chronyc reads the same report.
#  B: our chronyd -x without smoothtime: 505 for both commands.
#  D: Debian's chronyd -x with A's configuration and commands (`doffset
#     0.5`, as -x cannot slew): its reports and served times next to ours
#     from A with the same steps.
# Loopback only, every file in $TMP, daemons stopped by PID.
. test/system/lib.sh

export TZ=UTC LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0}
SHIM_BUILD=${CLOCKSHIM_BUILD:-$CW_TOP/build/clockshim}
SHIM=$SHIM_BUILD/libclockshim.so
NTPPROBE=${NTPPROBE:-$CW_BUILD/test/tools/ntpprobe}
CHRONYD_DEB=/usr/sbin/chronyd
CHRONYC_DEB=/usr/bin/chronyc

if ! make -s -C "$CW_TOP/test/clockshim" O="$SHIM_BUILD" > "$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    fail smoothtime_shim_build
    exit 1
fi
for b in "$CHRONYD" "$CHRONYC" "$NTPPROBE"; do
    if [ ! -x "$b" ]; then
        fail smoothtime_binaries "no $b"
        exit 1
    fi
done

# near A B TOL: |A - B| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }

# conf NAME PORT [LINE...]: $TMP/NAME/chrony.conf serving on PORT
conf() {
    name=$1; port=$2; shift 2
    mkdir -m 0770 "$TMP/$name"
    {
        for line in "$@"; do echo "$line"; done
        cat <<EOF
local stratum 8
allow 127.0.0.1
bindaddress 127.0.0.1
port $port
cmdport 0
bindcmdaddress $TMP/$name/chronyd.sock
pidfile $TMP/$name/chronyd.pid
EOF
    } > "$TMP/$name/chrony.conf"
}
# c NAME ARGS...: our chronyc on NAME's socket; output in $OUT, status in $rc
c() {
    name=$1; shift
    "$CHRONYC" -h "$TMP/$name/chronyd.sock" "$@" > "$TMP/out" 2>&1 < /dev/null
    rc=$?
    OUT=$(cat "$TMP/out")
}
# cdeb NAME ARGS...: the same with Debian's chronyc
cdeb() {
    name=$1; shift
    "$CHRONYC_DEB" -h "$TMP/$name/chronyd.sock" "$@" > "$TMP/out" 2>&1 < /dev/null
    rc=$?
    OUT=$(cat "$TMP/out")
}
has() { printf '%s\n' "$OUT" | grep -q -- "$1"; }
# field LABEL: the first number after "LABEL :" in $OUT
field() { printf '%s\n' "$OUT" | awk -v l="$1" -F' *: *' '$1 == l { split($2, w, " "); printf "%.9f\n", w[1] }'; }
# probe PORT: one request; $PROBE_OFFSET (server minus us, s) and $PROBE_REFID
probe() {
    "$NTPPROBE" -p "$1" 127.0.0.1 > "$TMP/probe" 2>&1
    PROBE_OFFSET=$(sed -n 's/^reply .* offset=\([-0-9.]*\) .*/\1/p' "$TMP/probe")
    PROBE_REFID=$(sed -n 's/^reply .* refid=\([0-9A-F]*\) .*/\1/p' "$TMP/probe")
}

PA=$(free_port); PB=$(free_port); PD=$(free_port)
conf a "$PA" "smoothtime 400 0.001"
conf b "$PB"
conf d "$PD" "smoothtime 400 0.001"

spawn env LD_PRELOAD="$SHIM" "$CHRONYD" -d -u root -f "$TMP/a/chrony.conf" > "$TMP/a.log" 2>&1
spawn "$CHRONYD" -x -d -u root -f "$TMP/b/chrony.conf" > "$TMP/b.log" 2>&1
DEB=false
if [ -x "$CHRONYD_DEB" ] && [ -x "$CHRONYC_DEB" ]; then
    spawn "$CHRONYD_DEB" -x -d -u root -f "$TMP/d/chrony.conf" > "$TMP/d.log" 2>&1
    DEB=true
fi
for n in a b; do
    if ! wait_for 5 test -S "$TMP/$n/chronyd.sock"; then
        fail "smoothtime_start_$n" "$(cat "$TMP/$n.log")"
        exit 1
    fi
done
if $DEB && ! wait_for 5 test -S "$TMP/d/chronyd.sock"; then
    fail smoothtime_start_debian "$(cat "$TMP/d.log")"
    DEB=false
fi

# ---- B: not configured ----

c b smoothing
[ "$rc" -eq 1 ] && [ "$OUT" = "505 Facility not enabled in daemon" ] &&
    pass smoothing_not_configured || fail smoothing_not_configured "rc=$rc $OUT"
c b smoothtime reset
[ "$rc" -eq 1 ] && [ "$OUT" = "505 Facility not enabled in daemon" ] &&
    pass smoothtime_not_configured || fail smoothtime_not_configured "rc=$rc $OUT"

# ---- A (and D): before activation ----

# report_inactive NAME: what chrony reports before activation
report_inactive() {
    has '^Active         : No $' && has '^Offset         : +0\.000000000 seconds$' &&
        has '^Remaining time : 0\.0 seconds$'
}
c a smoothing
[ "$rc" -eq 0 ] && report_inactive && pass smoothing_inactive || fail smoothing_inactive "$OUT"
if $DEB; then
    c d smoothing
    [ "$rc" -eq 0 ] && report_inactive && pass debian_smoothing_inactive ||
        fail debian_smoothing_inactive "$OUT"
fi
probe "$PA"
[ "$PROBE_REFID" = 7F7F0101 ] && near "$PROBE_OFFSET" 0 0.02 && pass served_before ||
    fail served_before "$(cat "$TMP/probe")"

# ---- activation ----

for n in a d; do
    [ "$n" = d ] && ! $DEB && continue
    c "$n" smoothtime activate
    [ "$rc" -eq 0 ] && [ "$OUT" = "200 OK" ] && pass "smoothtime_activate_$n" ||
        fail "smoothtime_activate_$n" "rc=$rc $OUT"
    c "$n" smoothing
    has '^Active         : Yes $' && has '^Offset         : +0\.000000000 seconds$' &&
        pass "smoothing_active_$n" || fail "smoothing_active_$n" "$OUT"
    grep -q 'Time smoothing activated$' "$TMP/$n.log" && pass "log_activated_$n" ||
        fail "log_activated_$n" "$(cat "$TMP/$n.log")"
done

# ---- a correction: served time held, then released by reset ----

c a doffset 1
[ "$rc" -eq 0 ] && pass doffset_accepted || fail doffset_accepted "rc=$rc $OUT"
$DEB && cdeb d doffset 0.5
sleep 1
# A's clock is being slewed back at maxslewrate: less than 1 s to go
c a tracking
sys=$(field "System time")
has 'System time *: .* seconds fast of NTP time' && near "$sys" 0.85 0.15 &&
    pass clock_slewing || fail clock_slewing "$OUT"
probe "$PA"
[ "$PROBE_REFID" = 7F7F01FF ] && near "$PROBE_OFFSET" 0 0.02 && pass served_time_held ||
    fail served_time_held "$(cat "$TMP/probe")"
echo "# 1 s into the correction: clock $sys s ahead, served time off by $PROBE_OFFSET s"

# smoothing: +1 s left, served time slowing down at the maximum wander;
# two ramps of sqrt(1 s / 0.001 ppm/s) = 31622.8 s each
c a smoothing
off=$(field Offset); freq=$(field Frequency); rem=$(field "Remaining time")
has '^Active         : Yes $' && near "$off" 1.0 1e-5 && near "$freq" -0.001 0.002 &&
    has '^Wander         : -0\.001000 ppm per second$' && near "$rem" 63244.6 3 &&
    pass smoothing_after_correction || fail smoothing_after_correction "$OUT"
A_REPORT=$OUT
cdeb a smoothing
[ "$rc" -eq 0 ] && has '^Active         : Yes $' && near "$(field Offset)" 1.0 1e-5 &&
    has '^Wander         : -0\.001000 ppm per second$' &&
    [ "$(printf '%s\n' "$OUT" | cut -c1-17)" = "$(printf '%s\n' "$A_REPORT" | cut -c1-17)" ] &&
    pass debian_chronyc_smoothing || fail debian_chronyc_smoothing "$OUT"

if $DEB; then
    # Debian's, after 0.5 s: the same shape (2 * sqrt(0.5 / 1e-9) = 44721.4 s)
    c d smoothing
    has '^Active         : Yes $' && near "$(field Offset)" 0.5 1e-5 &&
        has '^Wander         : -0\.001000 ppm per second$' &&
        near "$(field "Remaining time")" 44720.4 3 &&
        pass debian_smoothing_after_correction || fail debian_smoothing_after_correction "$OUT"
    probe "$PD"
    [ "$PROBE_REFID" = 7F7F01FF ] && near "$PROBE_OFFSET" 0 0.02 &&
        pass debian_served_time_held || fail debian_served_time_held "$(cat "$TMP/probe")"
fi

# reset: the whole correction reaches the clients at once
c a smoothtime reset
[ "$rc" -eq 0 ] && [ "$OUT" = "200 OK" ] && pass smoothtime_reset || fail smoothtime_reset "$OUT"
c a smoothing
has '^Active         : Yes $' && has '^Offset         : +0\.000000000 seconds$' &&
    has '^Frequency      : +0\.000000 ppm$' && has '^Remaining time : 0\.0 seconds$' &&
    pass smoothing_after_reset || fail smoothing_after_reset "$OUT"
probe "$PA"
[ "$PROBE_REFID" = 7F7F0101 ] && near "$PROBE_OFFSET" -1 0.02 && pass served_after_reset ||
    fail served_after_reset "$(cat "$TMP/probe")"
if $DEB; then
    cdeb d smoothtime reset
    c d smoothing
    has '^Offset         : +0\.000000000 seconds$' && has '^Remaining time : 0\.0 seconds$' &&
        pass debian_smoothing_after_reset || fail debian_smoothing_after_reset "$OUT"
    probe "$PD"
    [ "$PROBE_REFID" = 7F7F0101 ] && near "$PROBE_OFFSET" -0.5 0.02 &&
        pass debian_served_after_reset || fail debian_served_after_reset "$(cat "$TMP/probe")"
fi
