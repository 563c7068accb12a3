#!/bin/sh
# A server leap smear (chrony.conf(5)'s recommended setup): our chronyd with
# `leapsecmode slew`, `maxslewrate 1000` and `smoothtime 400 0.001024
# leaponly` lives through the leap second at the end of 2016-12-31 on a
# virtual clock (test/clockshim, all processes here with the same offset,
# so their clocks read 23:59:50 UTC of that day at the start) and without
# CAP_SYS_TIME. Its source is our chronyd -x with `local stratum 8`; the
# leap second comes from a leapseclist file. Checked, as chrony behaves:
#   - before midnight the leap second is armed (tracking) but not announced
#     to NTP clients (leap=0 in replies), and smoothing is active (leap
#     seconds only) since the first clock update;
#   - after midnight the clock slews back at 1000 ppm, while the time served
#     stays on the timescale of before (ntpprobe, on a virtual clock that
#     ignores the leap second) with the reference ID 127.127.1.255, and
#     `smoothing` shows the second being smeared over sqrt(4 / 0.001024e-6)
#     = 62500 s at 0.001024 ppm/s.
# Debian's chronyd 4.3 goes through the same as a second client (with
# leapsectz right/UTC, as it has no leapseclist), where installed: the same
# checks, and its report next to ours.
# Loopback only, every file in $TMP, daemons stopped by PID.
. test/system/lib.sh

export TZ=UTC LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0}
SHIM_BUILD=${CLOCKSHIM_BUILD:-$CW_TOP/build/clockshim}
SHIM=$SHIM_BUILD/libclockshim.so
NTPPROBE=${NTPPROBE:-$CW_BUILD/test/tools/ntpprobe}
if ! make -s -C "$CW_TOP/test/clockshim" O="$SHIM_BUILD" > "$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    fail smoothtime_leap_shim_build
    exit 1
fi

MIDNIGHT=1483228800             # 2017-01-01 00:00:00 UTC
START=$((MIDNIGHT - 10))        # the virtual clocks start at 23:59:50
OFF=$(awk -v s="$START" -v now="$(date +%s.%N)" 'BEGIN { printf "%.6f", s - now }')
wait_virtual() {
    d=$(awk -v t="$1" -v o="$OFF" -v now="$(date +%s.%N)" 'BEGIN { d = t - o - now; printf "%.3f", (d > 0 ? d : 0) }')
    sleep "$d"
}
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }

cat > "$TMP/leap-seconds.list" <<EOF
#	leap-seconds.list for the test (IERS Bulletin C entries)
#\$	 3676924800
#@	3707596800
2272060800	10	# 1 Jan 1972
3439756800	34	# 1 Jan 2009
3550089600	35	# 1 Jul 2012
3644697600	36	# 1 Jul 2015
3692217600	37	# 1 Jan 2017
EOF

P=$(free_port)
Q=$(free_port)
local_server "$P" env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET="$OFF" "$CHRONYD"
mkdir -m 0770 "$TMP/c"
cat > "$TMP/c.conf" <<EOF
server 127.0.0.1 port $P minpoll 0 maxpoll 0 iburst
leapseclist $TMP/leap-seconds.list
leapsecmode slew
maxslewrate 1000
smoothtime 400 0.001024 leaponly
port $Q
bindaddress 127.0.0.1
allow 127.0.0.1
pidfile $TMP/c/chronyd.pid
cmdport 0
bindcmdaddress $TMP/c/chronyd.sock
EOF
spawn env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET="$OFF" "$CHRONYD" -d -u root -f "$TMP/c.conf" \
    2> "$TMP/c.log"
CHRONYD_DEB=/usr/sbin/chronyd
CHRONYC_DEB=/usr/bin/chronyc
DEB=false
if [ -x "$CHRONYD_DEB" ] && [ -x "$CHRONYC_DEB" ] && [ -r /usr/share/zoneinfo/right/UTC ]; then
    DEB=true
    QD=$(free_port)
    mkdir -m 0770 "$TMP/d"
    sed -e "s|^leapseclist .*|leapsectz right/UTC|" -e "s|^port $Q\$|port $QD|" \
        -e "s|$TMP/c/|$TMP/d/|" "$TMP/c.conf" > "$TMP/d.conf"
    spawn env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET="$OFF" "$CHRONYD_DEB" -d -u root \
        -f "$TMP/d.conf" > "$TMP/d.log" 2>&1
fi

# c ARGS...: our chronyc on our client; cdeb ARGS...: Debian's on Debian's
c() {
    "$CHRONYC" -h "$TMP/c/chronyd.sock" "$@" > "$TMP/out" 2>&1 < /dev/null
    rc=$?
    OUT=$(cat "$TMP/out")
}
cdeb() {
    "$CHRONYC_DEB" -h "$TMP/d/chronyd.sock" "$@" > "$TMP/out" 2>&1 < /dev/null
    rc=$?
    OUT=$(cat "$TMP/out")
}
has() { printf '%s\n' "$OUT" | grep -q -- "$1"; }
field() { printf '%s\n' "$OUT" | awk -v l="$1" -F' *: *' '$1 == l { split($2, w, " "); printf "%.9f\n", w[1] }'; }
# probe [PORT]: one request (to our client by default) from a virtual clock
# like the others but without the leap second; $PROBE_OFFSET, $PROBE_REFID,
# $PROBE_LEAP
probe() {
    $SETPRIV env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET="$OFF" "$NTPPROBE" -p "${1:-$Q}" 127.0.0.1 \
        > "$TMP/probe" 2>&1
    PROBE_OFFSET=$(sed -n 's/^reply .* offset=\([-0-9.]*\) .*/\1/p' "$TMP/probe")
    PROBE_REFID=$(sed -n 's/^reply .* refid=\([0-9A-F]*\) .*/\1/p' "$TMP/probe")
    PROBE_LEAP=$(sed -n 's/^reply leap=\([0-9]\) .*/\1/p;s/^reply len=[0-9]* leap=\([0-9]\) .*/\1/p' "$TMP/probe")
}
leap_armed() { c tracking; has '^Leap status *: Insert second$'; }
deb_leap_armed() { cdeb tracking; has '^Leap status *: Insert second$'; }

# synchronised, the leap second armed, well before it
if wait_for 5 leap_armed; then pass smear_leap_armed; else fail smear_leap_armed "$OUT"; fi
echo "# leap second armed at virtual $(awk -v o="$OFF" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now + o - 1483228800 }') s from midnight"
c smoothing
has '^Active         : Yes (leap second only)$' && pass smear_active_leap_only ||
    fail smear_active_leap_only "$OUT"
grep -q 'Z Time smoothing activated (leap seconds only)$' "$TMP/c.log" && pass smear_activated_logged ||
    fail smear_activated_logged "$(cat "$TMP/c.log")"
if $DEB; then
    if wait_for 2 deb_leap_armed; then pass debian_smear_leap_armed; else
        fail debian_smear_leap_armed "$OUT"; DEB=false; fi
fi
if $DEB; then
    cdeb smoothing
    has '^Active         : Yes (leap second only)$' && pass debian_smear_active_leap_only ||
        fail debian_smear_active_leap_only "$OUT"
fi

wait_virtual $((MIDNIGHT - 2))
probe
[ "$PROBE_LEAP" = 0 ] && near "$PROBE_OFFSET" 0 0.02 && pass smear_leap_not_announced ||
    fail smear_leap_not_announced "$(cat "$TMP/probe")"
if $DEB; then
    probe "$QD"
    [ "$PROBE_LEAP" = 0 ] && near "$PROBE_OFFSET" 0 0.02 && pass debian_smear_leap_not_announced ||
        fail debian_smear_leap_not_announced "$(cat "$TMP/probe")"
fi

wait_virtual $((MIDNIGHT + 2))
probe
c tracking
sys=$(field "System time")
has 'System time *: .* seconds fast of NTP time' && near "$sys" 0.998 0.0015 &&
    pass smear_clock_slewing || fail smear_clock_slewing "$OUT"
[ "$PROBE_REFID" = 7F7F01FF ] && near "$PROBE_OFFSET" 0 0.02 && pass smear_served_time_continuous ||
    fail smear_served_time_continuous "$(cat "$TMP/probe")"
echo "# 2 s after midnight: clock $sys s ahead of UTC, served time $PROBE_OFFSET s off the old timescale"
c smoothing
has '^Active         : Yes (leap second only)$' && near "$(field Offset)" 1.0 1e-5 &&
    has '^Wander         : -0\.001024 ppm per second$' &&
    near "$(field "Remaining time")" 62498 1.5 && pass smear_report || fail smear_report "$OUT"
OURS=$OUT
grep -q 'Z Adjusting system clock for leap second$' "$TMP/c.log" && pass smear_slew_logged ||
    fail smear_slew_logged "$(cat "$TMP/c.log")"
if $DEB; then
    probe "$QD"
    [ "$PROBE_REFID" = 7F7F01FF ] && near "$PROBE_OFFSET" 0 0.02 &&
        pass debian_smear_served_time_continuous ||
        fail debian_smear_served_time_continuous "$(cat "$TMP/probe")"
    cdeb smoothing
    has '^Active         : Yes (leap second only)$' && near "$(field Offset)" 1.0 1e-5 &&
        has '^Wander         : -0\.001024 ppm per second$' &&
        near "$(field "Remaining time")" 62498 1.5 && pass debian_smear_report ||
        fail debian_smear_report "$OUT"
    # side by side: the same labels, offsets within 10 us, the same wander
    DEBS=$OUT
    OUT=$OURS; o1=$(field Offset); w1=$(field Wander)
    OUT=$DEBS; o2=$(field Offset); w2=$(field Wander)
    [ "$(printf '%s\n' "$OURS" | cut -c1-17)" = "$(printf '%s\n' "$DEBS" | cut -c1-17)" ] &&
        near "$o1" "$o2" 1e-5 && [ "$w1" = "$w2" ] && pass smear_report_as_debian ||
        fail smear_report_as_debian "ours: $OURS debian: $DEBS"
    echo "# smoothing offset 2 s after midnight: ours $o1 s, Debian's $o2 s"
fi
check smear_no_sanitizer_reports sh -c "! grep -l 'Sanitizer\|runtime error' '$TMP'/*.log"
