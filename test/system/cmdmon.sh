#!/bin/sh
# The command server of our chronyd (chronyd/cmdmon), through our chronyc
# and through test/tools/cmdprobe (raw requests). Every daemon runs with -x,
# without CAP_SYS_TIME, on loopback, with its files in $TMP:
#   S  our chronyd serving `local stratum 8` (the NTP server D polls);
#   D  our chronyd under test: a client of S polling four times a second,
#      an offline source, an NTP server for probes, a sourcedir, UDP
#      command port;
#   L  our chronyd without sources (local reference, socket rules).
# Every report must print and agree with the daemon's state, control
# commands must answer 200 OK and show their effect, UDP must serve only the
# monitoring requests, requests chronyc never sends (short, bad version)
# must get chrony's answers. When Debian's chronyd 4.3 is installed, ours
# and it must answer a sweep of every request code at every interesting
# length alike, and with the same bytes where their state is the same.
. test/system/lib.sh

PROBE=$CW_BUILD/test/tools/cmdprobe
NTPPROBE=$CW_BUILD/test/tools/ntpprobe
CHRONYD_DEB=/usr/sbin/chronyd
export TZ=UTC LC_ALL=C

for b in "$CHRONYD" "$CHRONYC" "$PROBE" "$NTPPROBE"; do
    if [ ! -x "$b" ]; then
        fail cmdmon_binaries "no $b"
        exit 1
    fi
done

# start NAME BINARY CONFIG-LINE...: a chronyd -x with its files in $TMP/NAME
# (lib.sh start_in_dir; the lines bind its socket at $TMP/NAME/chronyd.sock)
start() { start_in_dir "$@"; }

# c WHO ARGS...: our chronyc on WHO's socket; output in $OUT, status in $rc
# (ok and says of lib.sh run it too)
c() { ask_ours "$@"; }
# csv_field WHO LINE-PATTERN N ARGS...: field N of the -c line matching
csv_field() {
    who=$1; pat=$2; n=$3; shift 3
    c "$who" -n -c "$@"
    printf '%s\n' "$OUT" | grep -- "$pat" | head -1 | cut -d, -f"$n"
}
# probe WHO ARGS...: cmdprobe on WHO's socket
probe() { who=$1; shift; "$PROBE" -u "$TMP/$who/chronyd.sock" -t 1 "$@"; }

PS=$(free_port); PD=$(free_port); CD=$(free_port); PL=$(free_port); CL=$(free_port)

start s "$CHRONYD" "local stratum 8" "allow 127.0.0.0/8" "port $PS" "cmdport 0" \
    "bindcmdaddress $TMP/s/chronyd.sock"
mkdir -m 0770 "$TMP/d" && mkdir "$TMP/d/sources.d"
start d "$CHRONYD" "server 127.0.0.1 port $PS iburst minpoll -2 maxpoll -2" \
    "server 127.0.0.5 port $PS offline" "sourcedir $TMP/d/sources.d" \
    "allow 127.0.0.0/8" "port $PD" "cmdport $CD" "bindcmdaddress 127.0.0.1" \
    "bindcmdaddress $TMP/d/chronyd.sock" "cmdallow 127.0.0.3"
start l "$CHRONYD" "port $PL" "allow 127.0.0.0/8" "cmdport $CL" "bindcmdaddress $TMP/l/chronyd.sock"
for who in s d l; do
    if ! wait_for 5 test -S "$TMP/$who/chronyd.sock"; then
        fail cmdmon_start "$who has no command socket"
        cat "$TMP/$who/log"
        exit 1
    fi
done
pass cmdmon_start

# ---- reports agree with the daemon ----

reachable() { r=$(csv_field d ',127.0.0.1,' 6 sources); [ -n "$r" ] && [ "$r" != 0 ]; }
if wait_for 20 reachable; then pass sources_reach; else fail sources_reach "$OUT"; fi
c d -n sources
if has '^\^. 127.0.0.1 *8 *-2 ' && has '^\^? 127.0.0.5 *0 *6 *0 *- '; then
    pass sources_lists_configured; else fail sources_lists_configured "$OUT"; fi
says sources_names 'localhost\|127.0.0.1' d -N sources
c d -n -c sources
if [ "$(printf '%s\n' "$OUT" | grep -c '^\^,')" -eq 2 ] &&
   [ "$(printf '%s\n' "$OUT" | head -1 | tr ',' '\n' | wc -l)" -eq 10 ]; then
    pass sources_csv; else fail sources_csv "$OUT"; fi

synced() { "$CHRONYC" -h "$TMP/d/chronyd.sock" waitsync 1 > /dev/null 2>&1; }
if wait_for 20 synced; then pass waitsync; else fail waitsync; fi
c d tracking
if [ $rc -eq 0 ] && has '^Reference ID *: 7F000001' && has '^Stratum *: 9' && \
   has '^Leap status *: Normal'; then pass tracking_synced; else fail tracking_synced "$OUT"; fi
says sourcestats 'localhost\|127.0.0.1' d -n sourcestats
c d -n -c sourcestats
[ "$(printf '%s\n' "$OUT" | grep -c '^127\.0\.0\.')" -eq 2 ] && pass sourcestats_csv || fail sourcestats_csv "$OUT"
says selectdata '^\* 127.0.0.1' d -n selectdata
c d -n ntpdata 127.0.0.1
if has "^Remote port *: $PS" && has '^Version *: 4' && has '^Mode *: Server' && \
   has '^Stratum *: 8' && has '^RX timestamping' && has '^Total good RX'; then
    pass ntpdata; else fail ntpdata "$OUT"; fi
c d -n ntpdata 127.0.0.5
has '^Total TX *: 0' && pass ntpdata_offline || fail ntpdata_offline "$OUT"
says authdata '^127.0.0.1 *- ' d -n authdata

c d activity
if has '^1 sources online' && has '^1 sources offline'; then pass activity; else fail activity "$OUT"; fi

# serverstats counts the NTP requests a probe sends; clients lists the probe
before=$(csv_field d '' 1 serverstats)
"$NTPPROBE" -p "$PD" -n 5 -q 127.0.0.1 > /dev/null
after=$(csv_field d '' 1 serverstats)
if [ -n "$before" ] && [ "$after" -eq $((before + 5)) ]; then pass serverstats_counts; \
    else fail serverstats_counts "$before -> $after"; fi
cmd1=$(csv_field d '' 3 serverstats); cmd2=$(csv_field d '' 3 serverstats)
[ "$cmd2" -eq $((cmd1 + 1)) ] && pass serverstats_cmd_counts || fail serverstats_cmd_counts "$cmd1 $cmd2"
hits=$(csv_field d '^127\.0\.0\.1,' 2 clients)
[ -n "$hits" ] && [ "$hits" -ge 5 ] && pass clients || fail clients "$OUT"

# absent facilities: chrony's answers when they are not running
says rtcdata '^513 RTC driver not running' d rtcdata
says smoothing '^505 Facility not enabled in daemon' d smoothing
# manual input is there, off without the directive (test/system/manual.sh)
says manual_list 'n_samples = 0' d manual list
says settime '^505 Facility not enabled' d settime 12:00:00
ok manual_on d manual on
ok manual_off d manual off

# ---- control commands take effect ----

ok offline_all d offline
c d activity
has '^0 sources online' && has '^2 sources offline' && pass offline_seen || fail offline_seen "$OUT"
ok online_one d online 127.0.0.1/32
c d activity
# (online again, it starts its iburst again, as in chrony)
has '^1 sources offline' && pass online_seen || fail online_seen "$OUT"
ok burst_offline d burst 1/2 127.0.0.5
c d activity
has '^1 sources doing burst (return to offline)' && pass burst_seen || fail burst_seen "$OUT"
says online_none '^503 No such source' d online 192.0.2.1/32

ok add_server d add server 127.0.0.9 port "$PS" minpoll -2 maxpoll -2 iburst
says add_seen '127.0.0.9' d -n sources
says add_duplicate '^511 Source already present' d add server 127.0.0.9
says add_peer '^500 Failure' d add peer 127.0.0.10
ok delete d delete 127.0.0.9
c d -n sources
has '127.0.0.9' && fail delete_seen "$OUT" || pass delete_seen
says delete_again '^503 No such source' d delete 127.0.0.9

# a new polling range applies at the next adjustment, as in chrony
poll_is() { [ "$(csv_field d ',127.0.0.1,' 5 sources)" = "$1" ]; }
ok minpoll d minpoll 127.0.0.1 1
if wait_for 5 poll_is 1; then pass minpoll_seen; else fail minpoll_seen "$OUT"; fi
ok maxpoll d maxpoll 127.0.0.1 -2
if wait_for 5 poll_is -2; then pass maxpoll_seen; else fail maxpoll_seen "$OUT"; fi
for cmd in "minpoll 127.0.0.5 2" "maxdelay 127.0.0.5 0.5" "maxdelayratio 127.0.0.5 2" \
           "maxdelaydevratio 127.0.0.5 5" "minstratum 127.0.0.5 2" "polltarget 127.0.0.5 10"; do
    # shellcheck disable=SC2086
    ok "modify_${cmd%% *}" d $cmd
done
says modify_unknown '^503 No such source' d minpoll 192.0.2.1 3

# a sourcedir line comes and goes with reload sources
echo "server 127.0.0.11 port $PS offline" > "$TMP/d/sources.d/extra.sources"
ok reload_sources d reload sources
says reload_added '127.0.0.11' d -n sources
rm "$TMP/d/sources.d/extra.sources"
ok reload_again d reload sources
c d -n sources
has '127.0.0.11' && fail reload_removed "$OUT" || pass reload_removed

# NTP and command access
says accheck_denied '^209 Access denied' d accheck 192.0.2.1
ok allow d allow 192.0.2.0/24
says accheck_allowed '^208 Access allowed' d accheck 192.0.2.1
ok deny d deny 192.0.2.1
says accheck_denied_again '^209 Access denied' d accheck 192.0.2.1
says allow_bad_subnet '^507 Bad subnet' d allow 192.0.2.0/40
says cmdaccheck_config '^208 Access allowed' d cmdaccheck 127.0.0.3
says cmdaccheck_denied '^209 Access denied' d cmdaccheck 127.0.0.4
ok cmdallow d cmdallow 127.0.0.4
says cmdaccheck_allowed '^208 Access allowed' d cmdaccheck 127.0.0.4

# reset sources: the reachability starts again (chrony's reset)
before=$(csv_field d ',127.0.0.1,' 6 sources)
ok reset_sources d reset sources
after=$(csv_field d ',127.0.0.1,' 6 sources)
[ "$before" -gt 1 ] && [ "$after" -le 1 ] && pass reset_seen || fail reset_seen "$before -> $after"
for cmd in onoffline refresh dump cyclelogs rekey reselect "reselectdist 0.0001"; do
    # shellcheck disable=SC2086
    ok "$(echo "$cmd" | tr ' ' _)" d $cmd
done
# -x: the virtual clock's slew is stepped, the system clock untouched
ok makestep d makestep
# the discipline's settings and corrections (with clock control on, their
# effect on the clock is test/system/cmdmon_discipline.sh's)
ok dfreq d dfreq 0.5
ok doffset d doffset 0.001
ok maxupdateskew d maxupdateskew 100
ok makestep_limit d makestep 0.1 3
says doffset_insane '^500 Failure' d doffset 1e12
c d tracking
has '^Reference ID *: 7F000001' && pass tracking_after_control || fail tracking_after_control "$OUT"

# the local reference, as tracking and NTP clients see it
c l tracking
has '^Leap status *: Not synchronised' && pass local_before || fail local_before "$OUT"
ok local_on l local stratum 5
c l tracking
if has '^Reference ID *: 7F7F0101' && has '^Stratum *: 5' && has '^Leap status *: Normal'; then
    pass local_tracking; else fail local_tracking "$OUT"; fi
"$NTPPROBE" -p "$PL" 127.0.0.1 > "$TMP/probe" 2>&1
grep -q 'stratum=5' "$TMP/probe" && pass local_served || fail local_served "$(cat "$TMP/probe")"
ok local_off l local off
c l tracking
has '^Leap status *: Not synchronised' && pass local_after || fail local_after "$OUT"

# ---- UDP: monitoring only, from admitted hosts ----

"$CHRONYC" -h 127.0.0.1 -p "$CD" -n sources > "$TMP/udp" 2>&1
grep -q '127.0.0.1' "$TMP/udp" && pass udp_sources || fail udp_sources "$(cat "$TMP/udp")"
"$CHRONYC" -h 127.0.0.1 -p "$CD" serverstats > "$TMP/udp" 2>&1
grep -q '^501 Not authorised' "$TMP/udp" && pass udp_unauth || fail udp_unauth "$(cat "$TMP/udp")"
"$CHRONYC" -h 127.0.0.1 -p "$CD" offline > "$TMP/udp" 2>&1
grep -q '^501 Not authorised' "$TMP/udp" && pass udp_control_unauth || fail udp_control_unauth
out=$("$PROBE" -p "$CD" -b 127.0.0.3 14)
case $out in "reply status 0 code 2 "*) pass udp_cmdallow_config ;; *) fail udp_cmdallow_config "$out" ;; esac
out=$("$PROBE" -p "$CD" -b 127.0.0.5 -t 0.5 14)
[ "$out" = none ] && pass udp_remote_ignored || fail udp_remote_ignored "$out"
out=$("$PROBE" -p "$CL" -b 127.0.0.4 -t 0.5 14)
[ "$out" = none ] && pass udp_remote_ignored_l || fail udp_remote_ignored_l "$out"

# ---- requests chronyc never sends ----

# shorter than the reply it asks for: BADPKTLENGTH, never a longer reply
out=$(probe d -L 28 14)
[ "$out" = "reply status 19 code 1 len 28" ] && pass short_request || fail short_request "$out"
out=$(probe d -L 75 15 00000000)
[ "$out" = "reply status 19 code 1 len 28" ] && pass short_source_data || fail short_source_data "$out"
out=$(probe d -L 27 14)
[ "$out" = none ] && pass shorter_than_header_reply || fail shorter_than_header_reply "$out"
out=$(probe d -L 861 14)
[ "$out" = none ] && pass too_long || fail too_long "$out"
# chronyc 4.3's serverstats and ntpdata lengths get the 4.3 replies
out=$(probe d -4 54)
[ "$out" = "reply status 0 code 24 len 72" ] && pass serverstats_43 || fail serverstats_43 "$out"
out=$(probe d 54)
[ "$out" = "reply status 0 code 25 len 196" ] && pass serverstats_48 || fail serverstats_48 "$out"
ip=7f000001000000000000000000000000"00010000"
out=$(probe d -4 57 $ip)
[ "$out" = "reply status 0 code 16 len 152" ] && pass ntpdata_43 || fail ntpdata_43 "$out"
out=$(probe d 57 $ip)
[ "$out" = "reply status 0 code 26 len 172" ] && pass ntpdata_48 || fail ntpdata_48 "$out"
for v in 5 7; do
    out=$(probe d -V $v 14)
    [ "$out" = "reply status 18 code 1 len 28" ] && pass "bad_version_$v" || fail "bad_version_$v" "$out"
done
out=$(probe d -V 4 -t 0.5 14)
[ "$out" = none ] && pass old_version_dropped || fail old_version_dropped "$out"
out=$(probe d -T 2 -t 0.5 14)
[ "$out" = none ] && pass reply_type_dropped || fail reply_type_dropped "$out"
out=$(probe d -R 1 -t 0.5 14)
[ "$out" = none ] && pass reserved_dropped || fail reserved_dropped "$out"
out=$(probe d -L 100 27)
[ "$out" = "reply status 3 code 1 len 28" ] && pass obsolete_invalid || fail obsolete_invalid "$out"

# ---- the Unix socket's directory, bindcmdaddress /, cmdport 0 ----

mkdir -m 0777 "$TMP/open"
start p1 "$CHRONYD" "cmdport 0" "port 0" "bindcmdaddress $TMP/open/chronyd.sock"
mkdir -m 0770 "$TMP/owned"
chown 1 "$TMP/owned"
start p2 "$CHRONYD" "cmdport 0" "port 0" "bindcmdaddress $TMP/owned/chronyd.sock"
CN=$(free_port)
start p3 "$CHRONYD" "cmdport $CN" "port 0" "bindcmdaddress /"
start p4 "$CHRONYD" "cmdport 0" "port 0" "bindcmdaddress $TMP/p4/chronyd.sock"
wait_for 5 grep -q 'Disabled command socket' "$TMP/p1/log"
if grep -q "Wrong permissions on $TMP/open" "$TMP/p1/log" && \
   grep -q "Disabled command socket $TMP/open/chronyd.sock" "$TMP/p1/log" && \
   [ ! -e "$TMP/open/chronyd.sock" ]; then pass socket_dir_mode; else fail socket_dir_mode "$(cat "$TMP/p1/log")"; fi
wait_for 5 grep -q 'Disabled command socket' "$TMP/p2/log"
if grep -q "Wrong owner of $TMP/owned (UID != 0)" "$TMP/p2/log" && \
   [ ! -e "$TMP/owned/chronyd.sock" ]; then pass socket_dir_owner; else fail socket_dir_owner "$(cat "$TMP/p2/log")"; fi
wait_for 5 test -S "$TMP/p4/chronyd.sock"
p3_up() { "$CHRONYC" -h 127.0.0.1 -p "$CN" -n tracking > "$TMP/p3out" 2>&1; }
wait_for 5 p3_up
if grep -q '^Reference ID' "$TMP/p3out" && ! ls "$TMP/p3" | grep -q sock; then
    pass bindcmdaddress_slash; else fail bindcmdaddress_slash "$(cat "$TMP/p3out" "$TMP/p3/log")"; fi
out=$("$PROBE" -p "$CL" -a ::1 -t 1 33)
case $out in "reply status 0 code 5 "*) pass udp_ipv6 ;; *) skip udp_ipv6 "no IPv6 loopback? $out" ;; esac

# ---- shutdown ----

ok shutdown p4 shutdown
stopped() { ! kill -0 "$PID_p4" 2>/dev/null; }
if wait_for 5 stopped && [ ! -e "$TMP/p4/chronyd.sock" ]; then pass shutdown_stops; \
    else fail shutdown_stops; fi

# stop_ours NAME...: stop our daemons by PID and check that none of them
# reported a sanitizer error or a leak (sanitizer builds) or crashed
stop_ours() {
    for who in "$@"; do
        eval "pid=\$PID_$who"
        kill "$pid" 2>/dev/null
    done
    for who in "$@"; do
        eval "pid=\$PID_$who"
        wait_for 5 sh -c "! kill -0 $pid 2>/dev/null"
        if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$TMP/$who/log"; then
            fail "clean_exit_$who" "$(grep -A5 'runtime error\|Sanitizer' "$TMP/$who/log" | head -20)"
        elif ! grep -q 'chronyd exiting' "$TMP/$who/log"; then
            fail "clean_exit_$who" "$(tail -5 "$TMP/$who/log")"
        else
            pass "clean_exit_$who"
        fi
    done
}
stop_ours s d l p1 p2 p3

# ---- side by side with Debian's chronyd 4.3 ----

if [ ! -x "$CHRONYD_DEB" ]; then
    skip cmdmon_debian_sweep "no Debian chronyd"
    exit 0
fi
# The same offline sources, an unresolvable pool, a key and NTS source:
# nothing ever answers, so both daemons' state is the same.
same() {
    start "$1" "$2" "server 127.0.0.5 port 9 offline" "server 127.0.0.6 port 9 offline minpoll -2 key 5" \
        "server 127.0.0.7 port 9 offline nts minpoll 30 maxpoll 40" "server ::1 port 9 offline" \
        "pool pool.invalid offline maxsources 2" "port 0" "cmdport $3" "bindcmdaddress 127.0.0.1" \
        "bindcmdaddress $TMP/$1/chronyd.sock"
}
CO=$(free_port); CE=$(free_port)
same ours "$CHRONYD" "$CO"
same deb "$CHRONYD_DEB" "$CE"
wait_for 5 test -S "$TMP/ours/chronyd.sock"
wait_for 5 test -S "$TMP/deb/chronyd.sock"

# Same bytes for every report whose state is the same (4.3's lengths).
ip4() { printf '%02x%02x%02x%02x000000000000000000000000' "$1" "$2" "$3" "$4"; printf '00010000'; }
same_bytes() {
    what=$1; shift
    ours_answer=$(probe ours -d "$@"); deb_answer=$(probe deb -d "$@")
    if [ "$ours_answer" = "$deb_answer" ] && [ "$ours_answer" != none ]; then pass "$what"; \
        else fail "$what" "ours: $ours_answer / chrony: $deb_answer"; fi
}
same_bytes bytes_n_sources 14
for i in 0 1 2 3 4 5 6 7 8; do
    same_bytes "bytes_source_data_$i" 15 "0000000$i"
    same_bytes "bytes_sourcestats_$i" 34 "0000000$i"
done
# (1 and 2, the sources with a key and NTS, differ in their effective
# selection options: the discipline's authselectmode)
for i in 0 3 4 5 6 7; do same_bytes "bytes_selectdata_$i" 69 "0000000$i"; done
same_bytes bytes_activity 44
same_bytes bytes_manual_list 41
same_bytes bytes_rtc 35
same_bytes bytes_smoothing 51
same_bytes bytes_tracking 33
for src in 127.0.0.5:"$(ip4 127 0 0 5)" 127.0.0.6:"$(ip4 127 0 0 6)" 127.0.0.7:"$(ip4 127 0 0 7)" \
           ipv6:"00000000000000000000000000000001""00020000" \
           id1:"00000001000000000000000000000000""00030000"; do
    addr=${src#*:}
    same_bytes "bytes_ntpdata_${src%%:*}" -4 57 "$addr"
    same_bytes "bytes_authdata_${src%%:*}" 67 "$addr"
    same_bytes "bytes_sourcename_${src%%:*}" 65 "$addr"
done
same_bytes bytes_no_such_source 67 "$(ip4 192 0 2 1)"
same_bytes bytes_clients_empty 68 00000000000000080000000000000000

# Every code at every interesting length, on both transports: the same
# status and reply code, except where chrony 4.3 and this daemon differ on
# purpose or the feature is not here yet (listed, and checked to differ
# only there):
#   43          makestep: chrony 4.3 -x fails it; ours steps its virtual clock
#   54          serverstats: SERVER_STATS4 for 4.8's length (4.3 has only 3)
#   72 73 74    selectopts, offset, local (4.6+): known here, not in 4.3
"$PROBE" -u "$TMP/ours/chronyd.sock" -S -t 1 > "$TMP/sweep_ours"
"$PROBE" -u "$TMP/deb/chronyd.sock" -S -t 1 > "$TMP/sweep_deb"
"$PROBE" -p "$CO" -S -t 1 > "$TMP/sweep_ours_udp"
"$PROBE" -p "$CE" -S -t 1 > "$TMP/sweep_deb_udp"
expected_diff='^(43|54|72|73|74) '
for t in "" _udp; do
    n=$(wc -l < "$TMP/sweep_ours$t")
    unexpected=$(diff "$TMP/sweep_deb$t" "$TMP/sweep_ours$t" | grep '^[<>]' | cut -c3- | grep -Ev "$expected_diff")
    if [ "$n" -gt 230 ] && [ -z "$unexpected" ]; then pass "sweep_same_as_chrony$t"; \
        else fail "sweep_same_as_chrony$t" "$n lines; $unexpected"; fi
done
stop_ours ours
