#!/bin/sh
# Our chronyc against Debian's live chronyd 4.3, next to Debian's chronyc.
#
# Two daemons on loopback, both with -x (no clock control) and without
# CAP_SYS_TIME: A serves local stratum 8 with manual input; B is a client of
# A polling four times a second. Every report must parse and print (the
# names and the layout as Debian's chronyc prints them; the numbers move
# between two calls), control commands must answer 200 OK and show their
# effect in a report, errors must print chrony's messages, and exit codes
# must be chrony's. The last command shuts B down.
. test/system/lib.sh

CHRONYD_DEB=/usr/sbin/chronyd
DEB=/usr/bin/chronyc
export TZ=UTC LC_ALL=C

if [ ! -x "$CHRONYD_DEB" ] || [ ! -x "$DEB" ]; then
    skip chronyc_live "no Debian chrony"
    exit 0
fi
if [ ! -x "$CHRONYC" ]; then
    fail chronyc_live_binary "no $CHRONYC"
    exit 1
fi

PA=$(free_port); PB=$(free_port); CA=$(free_port); CB=$(free_port)

# start_chronyd NAME CONFIG-LINE...: Debian's chronyd with its files in $TMP/NAME
start_chronyd() {
    name=$1; shift
    dir=$TMP/$name
    mkdir -m 0770 "$dir"
    for line in "$@"; do echo "$line"; done > "$dir/chrony.conf"
    cat >> "$dir/chrony.conf" <<EOF
bindcmdaddress $dir/chronyd.sock
pidfile $dir/chronyd.pid
driftfile $dir/drift
dumpdir $dir
EOF
    spawn "$CHRONYD_DEB" -x -d -u root -f "$dir/chrony.conf" > "$dir/log" 2>&1
    eval "PID_$name=\$!"
    wait_for 5 test -S "$dir/chronyd.sock"
}

start_chronyd a "local stratum 8" "allow 127.0.0.0/8" "port $PA" "cmdport $CA" \
    "bindcmdaddress 127.0.0.1" "manual"
start_chronyd b "server 127.0.0.1 port $PA iburst minpoll -2 maxpoll -2" \
    "port $PB" "cmdport $CB" "bindcmdaddress 127.0.0.1"
SA=$TMP/a/chronyd.sock
SB=$TMP/b/chronyd.sock

# run WHO ARGS...: output in $TMP/WHO.out/.err, status in $rc
run() {
    who=$1; shift
    if [ "$who" = deb ]; then bin=$DEB; else bin=$CHRONYC; fi
    "$bin" "$@" > "$TMP/$who.out" 2> "$TMP/$who.err" < /dev/null
    rc=$?
}

# B is synchronised once its tracking names a reference
synced() { "$DEB" -h "$SB" waitsync 1 > /dev/null 2>&1; }
if ! wait_for 20 synced; then
    fail live_sync "B did not synchronise to A"
    cat "$TMP/b/log"
    exit 1
fi
pass live_sync

# exactly NAME ARGS...: both chronyc's print the same and exit the same
exactly() {
    name=$1; shift
    run deb "$@"; deb_rc=$rc; cp "$TMP/deb.out" "$TMP/deb.o"; cp "$TMP/deb.err" "$TMP/deb.e"
    run ours "$@"
    if [ "$rc" -eq "$deb_rc" ] && cmp -s "$TMP/deb.o" "$TMP/ours.out" \
       && cmp -s "$TMP/deb.e" "$TMP/ours.err"; then
        pass "$name"
    else
        fail "$name" "rc $rc (chrony: $deb_rc)"
        diff "$TMP/deb.o" "$TMP/ours.out" | head -10
        diff "$TMP/deb.e" "$TMP/ours.err" | head -4
    fi
}

# shape NAME ARGS...: the same exit status and lines, with every number
# blanked (live values move between the two calls)
blank() { sed 's/[-+]\{0,1\}[0-9][0-9.]*\([a-z]\{1,2\}\)\{0,1\}/#/g; s/  */ /g'; }
shape() {
    name=$1; shift
    run deb "$@"; deb_rc=$rc; blank < "$TMP/deb.out" > "$TMP/deb.o"
    run ours "$@"; blank < "$TMP/ours.out" > "$TMP/ours.o"
    if [ "$rc" -eq "$deb_rc" ] && [ -s "$TMP/ours.o" ] && cmp -s "$TMP/deb.o" "$TMP/ours.o"; then
        pass "$name"
    else
        fail "$name" "rc $rc (chrony: $deb_rc)"
        diff "$TMP/deb.o" "$TMP/ours.o" | head -10
    fi
}

# ---- every report ----

for form in "" "-c" "-n"; do
    tag=$(echo "plain$form" | tr -d ' -')
    # shellcheck disable=SC2086  # $form: an option or none
    shape "live_tracking_$tag" -h "$SB" $form tracking
    shape "live_tracking_local_$tag" -h "$SA" $form tracking
    shape "live_sources_$tag" -h "$SB" $form sources -a -v
    shape "live_sourcestats_$tag" -h "$SB" $form sourcestats -a -v
    shape "live_selectdata_$tag" -h "$SB" $form selectdata -a
    shape "live_authdata_$tag" -h "$SB" $form authdata -a -v
    shape "live_ntpdata_$tag" -h "$SB" $form ntpdata
    shape "live_serverstats_$tag" -h "$SA" $form serverstats
    shape "live_clients_$tag" -h "$SA" $form clients
    shape "live_smoothing_$tag" -h "$SA" $form smoothing
    exactly "live_activity_$tag" -h "$SB" $form activity
    exactly "live_manual_list_$tag" -h "$SA" $form manual list
    exactly "live_sourcename_$tag" -h "$SB" $form sourcename 127.0.0.1
done
shape live_sources_names -h "$SB" -N sources
exactly live_rtcdata_not_running -h "$SB" rtcdata
exactly live_ntpdata_no_such_source -h "$SB" ntpdata 127.0.0.9
exactly live_sourcename_no_such_source -h "$SB" sourcename 127.0.0.9
shape live_waitsync_synced -h "$SB" waitsync 5 0 0 0.2
shape live_waitsync_unsynced -h "$SA" waitsync 2 0 0 0.1
# the UDP monitoring path from 127.0.0.1
shape live_udp_tracking -h 127.0.0.1 -p "$CB" tracking
shape live_udp_sources -h 127.0.0.1 -p "$CB" -n sources
exactly live_udp_control_not_authorised -h 127.0.0.1 -p "$CB" dump

# ---- control commands: status, effect, messages ----

# ok NAME ARGS...: our chronyc prints "200 OK" (or the expected text) and exits 0
ok() {
    name=$1; shift
    run ours "$@"
    if [ "$rc" -eq 0 ] && grep -qx '200 OK' "$TMP/ours.out"; then
        pass "$name"
    else
        fail "$name" "rc $rc: $(cat "$TMP/ours.out" "$TMP/ours.err")"
    fi
}
# says NAME TEXT RC ARGS...: our chronyc prints the line TEXT and exits RC
says() {
    name=$1; text=$2; want=$3; shift 3
    run ours "$@"
    if [ "$rc" -eq "$want" ] && grep -qxF "$text" "$TMP/ours.out" "$TMP/ours.err"; then
        pass "$name"
    else
        fail "$name" "rc $rc: $(cat "$TMP/ours.out" "$TMP/ours.err")"
    fi
}
# activity_is FIELD VALUE: the CSV activity report of B has VALUE in FIELD
activity_is() { test "$("$CHRONYC" -h "$SB" -c activity | cut -d, -f"$1")" = "$2"; }

ok live_offline -h "$SB" offline
check live_offline_effect activity_is 2 1
ok live_online -h "$SB" online 127.0.0.1
check live_online_effect wait_for 5 activity_is 1 1
ok live_burst -h "$SB" burst 2/4 127.0.0.1
ok live_onoffline -h "$SB" onoffline

ok live_add_server -h "$SB" add server 127.0.0.5 port "$PA" minpoll -2 maxpoll -2
check live_add_server_effect sh -c "'$CHRONYC' -h '$SB' -c sources | grep -q '^^,.,127.0.0.5,'"
says live_add_duplicate "511 Source already present" 1 -h "$SB" add server 127.0.0.5 port "$PA"
ok live_maxpoll -h "$SB" maxpoll 127.0.0.5 -1
ok live_minpoll -h "$SB" minpoll 127.0.0.5 -1
# the next poll uses the new interval
poll_of_5_is() { test "$("$CHRONYC" -h "$SB" -c sources | grep ',127.0.0.5,' | cut -d, -f5)" = "$1"; }
check live_minpoll_maxpoll_effect wait_for 10 poll_of_5_is -1
ok live_polltarget -h "$SB" polltarget 127.0.0.5 10
ok live_maxdelay -h "$SB" maxdelay 127.0.0.5 0.5
ok live_maxdelayratio -h "$SB" maxdelayratio 127.0.0.5 5
ok live_maxdelaydevratio -h "$SB" maxdelaydevratio 127.0.0.5 8
ok live_minstratum -h "$SB" minstratum 127.0.0.5 1
ok live_delete -h "$SB" delete 127.0.0.5
check live_delete_effect sh -c "! '$CHRONYC' -h '$SB' -c sources | grep -q ',127.0.0.5,'"
says live_delete_no_such_source "503 No such source" 1 -h "$SB" delete 127.0.0.5
says live_maxpoll_no_such_source "503 No such source" 1 -h "$SB" maxpoll 127.0.0.9 4

ok live_allow -h "$SA" allow 127.0.0.0/8
says live_accheck_allowed "208 Access allowed" 0 -h "$SA" accheck 127.0.0.1
ok live_deny -h "$SA" deny 127.0.0.3
says live_accheck_denied "209 Access denied" 0 -h "$SA" accheck 127.0.0.3
ok live_allow_again -h "$SA" allow 127.0.0.3
says live_accheck_allowed_again "208 Access allowed" 0 -h "$SA" accheck 127.0.0.3
ok live_cmdallow -h "$SA" cmdallow 127.0.0.2
says live_cmdaccheck_allowed "208 Access allowed" 0 -h "$SA" cmdaccheck 127.0.0.2
ok live_cmddeny -h "$SA" cmddeny 127.0.0.2
says live_cmdaccheck_denied "209 Access denied" 0 -h "$SA" cmdaccheck 127.0.0.2

# local: LOCAL3 is refused by 4.3, LOCAL2 taken
stratum_of_a_is() { test "$("$CHRONYC" -h "$SA" -c tracking | cut -d, -f3)" = "$1"; }
ok live_local_stratum -h "$SA" local stratum 9
check live_local_effect wait_for 5 stratum_of_a_is 9
ok live_local_off -h "$SA" local off
ok live_local_back -h "$SA" local stratum 8
says live_local_new_options "502 Invalid command" 1 -h "$SA" local stratum 8 waitsynced 100
says live_selectopts_unknown_to_43 "502 Invalid command" 1 -h "$SB" selectopts 127.0.0.1 +prefer
says live_offset_unknown_to_43 "502 Invalid command" 1 -h "$SB" offset 127.0.0.1 0.001

ok live_reselect -h "$SB" reselect
ok live_reselectdist -h "$SB" reselectdist 0.0001
ok live_dump -h "$SB" dump
ok live_cyclelogs -h "$SB" cyclelogs
ok live_refresh -h "$SB" refresh
ok live_rekey -h "$SB" rekey
ok live_maxupdateskew -h "$SB" maxupdateskew 1000
ok live_reset_sources -h "$SB" reset sources
ok live_reload_sources -h "$SB" reload sources
ok live_manual_on -h "$SA" manual on
ok live_manual_reset -h "$SA" manual reset
exactly live_manual_delete_out_of_range -h "$SA" manual delete 5
exactly live_settime_not_enabled -h "$SB" settime 12:00:00
exactly live_smoothtime_not_enabled -h "$SB" smoothtime reset
exactly live_smoothing_not_enabled -h "$SB" smoothing
exactly live_makestep_refused_by_x -h "$SB" makestep
exactly live_trimrtc_no_rtc -h "$SB" trimrtc
exactly live_writertc_no_rtc -h "$SB" writertc
exactly live_bad_subnet -h "$SA" allow 127.0.0.1/40

# shutdown: B exits
ok live_shutdown -h "$SB" shutdown
check live_shutdown_effect wait_for 5 sh -c "! kill -0 $PID_b 2>/dev/null"
exactly live_no_daemon_after_shutdown -h "$SB" tracking
