#!/bin/sh
# Debian's chronyc 4.3 against our chronyd: what Debian 12's scripts and
# services (chrony-wait's `chronyc waitsync`, NetworkManager's `chronyc
# onoffline`, exporters) will meet. Every daemon runs with -x, without
# CAP_SYS_TIME, on loopback, with its files in $TMP:
#   S  our chronyd serving `local stratum 8`;
#   D  our chronyd under test, a client of S (and an offline source);
#   E  Debian's chronyd 4.3 with D's configuration, for the shape of every
#      report (same lines, same CSV fields);
#   L  our chronyd without sources (local reference; shut down at the end).
# Every report Debian's chronyc can ask for must parse (exit status as
# against E, same layout, -c fields), control commands must answer 200 OK
# and take effect.
. test/system/lib.sh

DEB=/usr/bin/chronyc
CHRONYD_DEB=/usr/sbin/chronyd
NTPPROBE=$CW_BUILD/test/tools/ntpprobe
export TZ=UTC LC_ALL=C

if [ ! -x "$DEB" ] || [ ! -x "$CHRONYD_DEB" ]; then
    skip cmdmon_debian_chronyc "no Debian chrony"
    exit 0
fi
for b in "$CHRONYD" "$NTPPROBE"; do
    if [ ! -x "$b" ]; then
        fail cmdmon_debian_binaries "no $b"
        exit 1
    fi
done

# start NAME BINARY CONFIG-LINE...: a chronyd -x with its files and its
# socket in $TMP/NAME (lib.sh start_in_dir)
start() {
    sname=$1; sbin=$2; shift 2
    start_in_dir "$sname" "$sbin" "$@" "bindcmdaddress $TMP/$sname/chronyd.sock"
}

# deb WHO ARGS...: Debian's chronyc on WHO's socket; output in $OUT (ok and
# says of lib.sh run it)
deb() { ask_with "$DEB" "$@"; }
ASK=deb

# shape: each line's label (text before a colon) or its field count (CSV),
# and the lines that are the same on every daemon (headers, legends)
text_shape() {
    sed -e 's/^\([^:]*[A-Za-z)]\) *:.*/\1:/' -e 's/[-+]\{0,1\}[0-9][0-9.]*\(ns\|us\|ms\|s\)\{0,1\}/N/g' \
        -e 's/[[:space:]]//g'
}
# selectdata without the state letters: a source that never gave a sample
# is 'M' (no statistics) in chrony 4.8 and ours, while chrony 4.3 looks at
# its leap status first and marks it 's'
select_shape() { text_shape | sed 's/^[A-Za-z*+~?-]N/?N/'; }
csv_shape() { awk -F, '{ print NF }'; }
# like NAME SHAPE ARGS...: Debian's chronyc prints the same shape and exits
# the same for D (ours) and E (chrony 4.3)
like() {
    name=$1; shape=$2; shift 2
    deb e "$@"; e_rc=$rc; e_out=$(printf '%s\n' "$OUT" | $shape)
    deb d "$@"; d_out=$(printf '%s\n' "$OUT" | $shape)
    if [ "$rc" -eq "$e_rc" ] && [ "$d_out" = "$e_out" ] && [ -n "$OUT" ]; then
        pass "$name"
    else
        fail "$name" "rc=$rc (chrony: $e_rc)"
        printf '%s\n' "$e_out" > "$TMP/e.shape"; printf '%s\n' "$d_out" > "$TMP/d.shape"
        diff "$TMP/e.shape" "$TMP/d.shape" | head -10
    fi
}

PS=$(free_port); PD=$(free_port); CD=$(free_port); PE=$(free_port); CE=$(free_port)
PL=$(free_port)
start s "$CHRONYD" "local stratum 8" "allow 127.0.0.0/8" "port $PS" "cmdport 0"
client="server 127.0.0.1 port $PS iburst minpoll -2 maxpoll -2"
offline="server 127.0.0.5 port $PS offline"
start d "$CHRONYD" "$client" "$offline" "allow 127.0.0.0/8" "port $PD" "cmdport $CD" \
    "bindcmdaddress 127.0.0.1"
start e "$CHRONYD_DEB" "$client" "$offline" "allow 127.0.0.0/8" "port $PE" "cmdport $CE" \
    "bindcmdaddress 127.0.0.1"
start l "$CHRONYD" "port $PL" "allow 127.0.0.0/8" "cmdport 0"
for who in s d e l; do
    if ! wait_for 5 test -S "$TMP/$who/chronyd.sock"; then
        fail debian_chronyc_start "$who has no command socket"
        cat "$TMP/$who/log"
        exit 1
    fi
done

# chrony-wait.service's command
if "$DEB" -h "$TMP/d/chronyd.sock" waitsync 40 0.1 0.0 0.25 > "$TMP/waitsync" 2>&1; then
    pass waitsync; else fail waitsync "$(tail -3 "$TMP/waitsync")"; fi
# E too, so that both have samples, statistics and clients
"$DEB" -h "$TMP/e/chronyd.sock" waitsync 40 0.1 0.0 0.25 > /dev/null 2>&1
"$NTPPROBE" -p "$PD" -n 3 -q 127.0.0.1 > /dev/null
"$NTPPROBE" -p "$PE" -n 3 -q 127.0.0.1 > /dev/null

# ---- every report ----

like tracking text_shape tracking
like tracking_csv csv_shape -c tracking
like sources text_shape -n sources
like sources_verbose text_shape -n sources -v
like sources_csv csv_shape -n -c sources
like sourcestats text_shape -n sourcestats
like sourcestats_verbose text_shape -n sourcestats -v
like sourcestats_csv csv_shape -n -c sourcestats
like selectdata select_shape -n selectdata
like selectdata_csv csv_shape -n -c selectdata
like ntpdata text_shape -n ntpdata
like ntpdata_addr text_shape -n ntpdata 127.0.0.1
like ntpdata_csv csv_shape -n -c ntpdata
like activity text_shape activity
like activity_csv csv_shape -c activity
like authdata text_shape -n authdata
like authdata_csv csv_shape -n -c authdata
like clients text_shape -n clients
like clients_csv csv_shape -n -c clients
like serverstats text_shape serverstats
like serverstats_csv csv_shape -c serverstats
like manual_list text_shape manual list
like rtcdata text_shape rtcdata
like smoothing text_shape smoothing
like accheck text_shape accheck 127.0.0.1
like cmdaccheck text_shape cmdaccheck 127.0.0.1

# the values: what D knows
deb d tracking
has '^Reference ID *: 7F000001' && has '^Stratum *: 9' && pass tracking_values || fail tracking_values "$OUT"
deb d -n -c sources
case $OUT in '^,*,127.0.0.1,8,-2,'*) pass sources_values ;; *) fail sources_values "$OUT" ;; esac
deb d -c serverstats
[ "${OUT%%,*}" -ge 3 ] 2>/dev/null && pass serverstats_values || fail serverstats_values "$OUT"
deb d -n ntpdata 127.0.0.1
has "^Remote port *: $PS" && has '^Mode *: Server' && pass ntpdata_values || fail ntpdata_values "$OUT"

# ---- control commands take effect ----

ok offline d offline
says offline_seen '^2 sources offline' d activity
ok online d online
says online_seen '^0 sources offline' d activity
ok onoffline d onoffline
ok burst d burst 2/4 127.0.0.5
says burst_seen 'doing burst' d activity
ok add_server d add server 127.0.0.9 port "$PS" iburst
says add_seen '127.0.0.9' d -n sources
says add_duplicate '^511 Source already present' d add server 127.0.0.9
ok delete d delete 127.0.0.9
deb d -n sources
has '127.0.0.9' && fail delete_seen "$OUT" || pass delete_seen
for cmd in "minpoll 127.0.0.5 4" "maxpoll 127.0.0.5 8" "maxdelay 127.0.0.5 1" \
           "maxdelayratio 127.0.0.5 2" "maxdelaydevratio 127.0.0.5 4" \
           "minstratum 127.0.0.5 1" "polltarget 127.0.0.5 9"; do
    # shellcheck disable=SC2086
    ok "${cmd%% *}" d $cmd
done
says modify_unknown '^503 No such source' d minpoll 192.0.2.1 4
ok allow d allow 192.0.2.0/24
says accheck_allowed '^208 Access allowed' d accheck 192.0.2.7
ok deny d deny 192.0.2.7
says accheck_denied '^209 Access denied' d accheck 192.0.2.7
ok cmdallow d cmdallow 127.0.0.3
says cmdaccheck_allowed '^208 Access allowed' d cmdaccheck 127.0.0.3
for cmd in refresh "reload sources" "reset sources" dump cyclelogs rekey reselect \
           "reselectdist 0.0001" makestep; do
    # shellcheck disable=SC2086
    ok "$(echo "$cmd" | tr ' ' _)" d $cmd
done
says settime '^505 Facility not enabled' d settime 12:00:00
says rtcdata_status '^513 RTC driver not running' d rtcdata

# chronyc 4.3's local (the LOCAL2 request)
ok local_on l local stratum 6
says local_seen '^Stratum *: 6' l tracking
"$NTPPROBE" -p "$PL" 127.0.0.1 > "$TMP/probe" 2>&1
grep -q 'stratum=6' "$TMP/probe" && pass local_served || fail local_served "$(cat "$TMP/probe")"
ok local_off l local off
says local_off_seen '^Leap status *: Not synchronised' l tracking

# UDP: monitoring only
"$DEB" -h 127.0.0.1 -p "$CD" -n sources > "$TMP/udp" 2>&1
grep -q '127.0.0.1' "$TMP/udp" && pass udp_sources || fail udp_sources "$(cat "$TMP/udp")"
"$DEB" -h 127.0.0.1 -p "$CD" serverstats > "$TMP/udp" 2>&1
grep -q '^501 Not authorised' "$TMP/udp" && pass udp_unauth || fail udp_unauth "$(cat "$TMP/udp")"

# shutdown
ok shutdown l shutdown
stopped() { ! kill -0 "$PID_l" 2>/dev/null; }
wait_for 5 stopped && pass shutdown_stops || fail shutdown_stops
