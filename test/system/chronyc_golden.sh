#!/bin/sh
# chronyc against recorded replies of Debian's chronyd 4.3, side by side with
# Debian's chronyc 4.3 on the very same replies.
#
# test/tools/cmdreplay serves the recordings of test/data/cmdreplay (made by
# test/tools/cmdrecord.py) on a Unix socket or a UDP port. For every report,
# in plain, -c, -n and -v forms, both chronyc's must print the same bytes
# and exit with the same status; Debian's must also print what it printed
# when the recording was made (a check of the replay itself). Control
# commands are compared by the requests they send (the responder logs them)
# and by their output; transport rules by the requests seen when the
# responder drops, garbles or truncates replies, or speaks version 5.
#
# Where chrony 4.8 prints something else than 4.3, ours follows 4.8 and the
# expected text is Debian's with that change applied (see expect_48).
. test/system/lib.sh

DEB=/usr/bin/chronyc
REPLAY=$CW_BUILD/test/tools/cmdreplay
FIX=test/data/cmdreplay
export TZ=UTC LC_ALL=C

if [ ! -x "$DEB" ]; then
    skip chronyc_golden "no Debian chronyc"
    exit 0
fi
for f in "$CHRONYC" "$REPLAY"; do
    if [ ! -x "$f" ]; then
        fail chronyc_golden_binaries "no $f"
        exit 1
    fi
done

SRV=$TMP/srv
mkdir -m 0770 "$SRV"
SOCK=$SRV/chronyd.sock
LOG=$TMP/requests.log
REPLAY_PID=""

# serve [OPTIONS] FIXTURE...: (re)start the responder on $SOCK and $UDP_PORT
UDP_PORT=$(free_port)
serve() {
    stop_serving
    : > "$LOG"
    "$REPLAY" -u "$SOCK" -p "$UDP_PORT" -l "$LOG" "$@" 2>> "$TMP/replay.err" &
    REPLAY_PID=$!
    CW_PIDS="$CW_PIDS $REPLAY_PID"
    wait_for 5 test -S "$SOCK"
}
stop_serving() {
    if [ -n "$REPLAY_PID" ]; then
        kill "$REPLAY_PID" 2>/dev/null
        wait "$REPLAY_PID" 2>/dev/null
        REPLAY_PID=""
    fi
}

# run WHO ARGS...: WHO is deb or ours; output in $TMP/WHO.out/.err, status in $rc
run() {
    who=$1; shift
    if [ "$who" = deb ]; then bin=$DEB; else bin=$CHRONYC; fi
    "$bin" "$@" > "$TMP/$who.out" 2> "$TMP/$who.err" < /dev/null
    rc=$?
}

# The chrony 4.8 form of an output Debian's chronyc 4.3 printed: the
# selectdata legend gained "r - stratum" and lost a doubled comma.
expect_48() {
    sed -e 's/^  \. State: N - noselect, s - unsynchronised, M - missing samples,$/&'\
' r - stratum/' \
        -e 's/^|          U - waits for update,, x - falseticker/|          U - waits for update, x - falseticker/'
}

# same NAME HOW...: run Debian's and our chronyc with the same arguments;
# PASS when stdout, stderr and exit status are identical (after expect_48
# for the outputs 4.8 changed).
same() {
    name=$1; shift
    run deb "$@"; deb_rc=$rc
    run ours "$@"; our_rc=$rc
    case "$*" in
    *selectdata*-v*) expect_48 < "$TMP/deb.out" > "$TMP/deb.48"; mv "$TMP/deb.48" "$TMP/deb.out" ;;
    esac
    if [ "$deb_rc" -eq "$our_rc" ] && cmp -s "$TMP/deb.out" "$TMP/ours.out" \
       && cmp -s "$TMP/deb.err" "$TMP/ours.err"; then
        pass "$name"
    else
        fail "$name" "rc $our_rc (chrony: $deb_rc)"
        diff "$TMP/deb.out" "$TMP/ours.out" | head -20
        diff "$TMP/deb.err" "$TMP/ours.err" | head -5
    fi
}

# ---- reports: every fixture, every form ----

# report NAME "PREFIXES" "SUFFIXES": PREFIXES and SUFFIXES are ':'-separated
# lists of options put before and after the recorded command line.
report() {
    fixture=$1
    args=$(sed -n 's/^A //p' "$FIX/$fixture.rec")
    want_rc=$(sed -n 's/^X //p' "$FIX/$fixture.rec")
    serve "$FIX/$fixture.rec"

    # the replay gives Debian's chronyc what it printed when recording
    # (hand-made replies were never printed: no .out)
    if [ -f "$FIX/$fixture.out" ]; then
        # shellcheck disable=SC2086  # the recorded words, split on purpose
        run deb -h "$SOCK" $args
        if [ "$rc" -eq "$want_rc" ] && cmp -s "$TMP/deb.out" "$FIX/$fixture.out"; then
            pass "replay_$fixture"
        else
            fail "replay_$fixture" "rc $rc, want $want_rc"
            diff "$FIX/$fixture.out" "$TMP/deb.out" | head -10
        fi
    fi

    for prefix in $(echo "$2" | tr ':' '\n' | sed 's/^$/none/; s/ /_/g'); do
        for suffix in $(echo "$3" | tr ':' '\n' | sed 's/^$/none/; s/ /_/g'); do
            p=$(echo "$prefix" | sed 's/^none$//; s/_/ /g')
            s=$(echo "$suffix" | sed 's/^none$//; s/_/ /g')
            # shellcheck disable=SC2086
            same "golden_${fixture}_${prefix}_${suffix}" -h "$SOCK" $p $args $s
        done
    done
}

ALL="none:-c:-n:-c -n"
NUMERIC="none:-c"                       # fixtures recorded with -n: no names to look up
SRC="none:-v:-a:-a -v"

report tracking "$ALL:-N" ""
report tracking_local "$ALL" ""
report sources "$ALL:-N" "$SRC"
report sources_names "none:-c" ""
report sourcestats "$ALL" "$SRC"
report selectdata "$ALL" "$SRC"
report authdata "$ALL" "$SRC"
report ntpdata "$ALL" ""
report ntpdata_addr "$ALL" ""
report ntpdata_unknown "$ALL" ""
report activity "$ALL" ""
report activity_server "none:-c" ""
report serverstats "$ALL" ""
report rtcdata "$ALL" ""
report smoothing "$ALL" ""
report smoothing_off "none:-c" ""
report sourcename "$ALL" ""
report sourcename_unknown "none:-c" ""
report waitsync "$ALL" ""
report waitsync_unsynced "none:-c" ""
report manual_list "$ALL" ""
report manual_list_empty "none:-c" ""
report sources_peer "$NUMERIC" "$SRC"
report sourcestats_peer "$NUMERIC" "$SRC"
report selectdata_peer "$NUMERIC" "$SRC"
report authdata_peer "$NUMERIC" "$SRC"
report ntpdata_peer "$NUMERIC" ""
report clients "$ALL" ""
report clients_nke "$ALL" ""
report clients_reset "none:-c" ""

# hand-made replies in 4.3's layouts (test/tools/cmdsynth.py): edge values
report synth_sources "$ALL" "$SRC"
report synth_sources_names "none:-c" "none:-a"
report synth_sourcestats "$ALL" "$SRC"
report synth_selectdata "$ALL" "$SRC"
report synth_tracking "$ALL" ""
report synth_tracking_leap "$ALL" ""
report synth_ntpdata "$ALL" ""
report synth_rtcdata "$ALL" ""
report synth_smoothing "$ALL" ""
report synth_activity "$ALL" ""
report synth_manual_list "$ALL" ""
report synth_authdata "$ALL" "$SRC"
report synth_clients "$NUMERIC" ""
report synth_waitsync "$ALL" ""

# settime was recorded with a time of day: replayed with the recorded words
for name in settime settime2; do
    args=$(sed -n 's/^A //p' "$FIX/$name.rec")
    serve "$FIX/$name.rec"
    # shellcheck disable=SC2086
    same "golden_$name" -h "$SOCK" $args
done

# reports over UDP (the monitoring path) and with -e
serve "$FIX/tracking.rec" "$FIX/sources.rec" "$FIX/activity.rec"
same golden_udp_tracking -h 127.0.0.1 -p "$UDP_PORT" tracking
same golden_udp_sources_csv -h 127.0.0.1 -p "$UDP_PORT" -c sources
same golden_udp_control_not_authorised -h 127.0.0.1 -p "$UDP_PORT" dump
same golden_udp_serverstats_not_authorised -h 127.0.0.1 -p "$UDP_PORT" serverstats
same golden_multi -h "$SOCK" -m tracking activity "sources -a"
stop_serving

# ---- control commands: the same requests and the same messages ----

# control NAME COMMAND...: against a responder answering "200 OK" to every
# request chrony 4.3 knows; the requests logged must be the same too.
control_log_same() {
    name=$1; shift
    : > "$LOG"
    run deb -h "$SOCK" "$@"; deb_rc=$rc; cp "$TMP/deb.out" "$TMP/deb.o"; cp "$TMP/deb.err" "$TMP/deb.e"
    cut -d' ' -f1,2 "$LOG" > "$TMP/deb.log"
    : > "$LOG"
    run ours -h "$SOCK" "$@"; our_rc=$rc
    cut -d' ' -f1,2 "$LOG" > "$TMP/ours.log"
    case "$1" in
    add)
        # ADD_SOURCE: chrony 4.3 sends two reserved words as zero where
        # 4.8 sends maxdelayquant and maxunreach (default 100000)
        sed 's/0000000000000000$/00000000000186a0/' "$TMP/deb.log" > "$TMP/deb.48"
        mv "$TMP/deb.48" "$TMP/deb.log" ;;
    local)
        # ours tries LOCAL3 (4.6+) first; the 4.3 responder refuses it
        if [ "$(head -c 14 "$TMP/ours.log")" = "Q 06010000004a" ]; then
            sed -i 1d "$TMP/ours.log"
        fi ;;
    esac
    if [ "$deb_rc" -eq "$our_rc" ] && cmp -s "$TMP/deb.o" "$TMP/ours.out" \
       && cmp -s "$TMP/deb.e" "$TMP/ours.err" && cmp -s "$TMP/deb.log" "$TMP/ours.log"; then
        pass "control_$name"
    else
        fail "control_$name" "rc $our_rc (chrony: $deb_rc)"
        diff "$TMP/deb.o" "$TMP/ours.out" | head -5
        diff "$TMP/deb.e" "$TMP/ours.err" | head -5
        diff "$TMP/deb.log" "$TMP/ours.log" | head -6
    fi
}

serve -s 0
i=0
while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    i=$((i + 1))
    # shellcheck disable=SC2086  # a command line, split as a shell would
    control_log_same "${i}_$(echo "$line" | tr -c 'a-zA-Z0-9\n' '_' | cut -c1-40)" $line
done <<'EOF'
burst 2/4
burst 1/1 127.0.0.1
burst 2/3 127.0.0.0/8
burst 2/3 255.255.255.0/127.0.0.1
burst 3/5 127.0.0.1/40
burst 1/2 ::1
burst 1/2 ::/64
burst 1/2 ID#0000000003
burst x
burst 1/2 1.2.3.4/::1
online
online 127.0.0.1
online 127.0.0.0/24
offline ::1
offline 127.0.0.1/xyz
onoffline
add server 127.0.0.1
add server 127.0.0.1 port 11123 iburst minpoll 2 maxpoll 4 key 5 prefer noselect trust require
add server localhost xleave burst offline auto_offline maxdelay 0.5 maxdelayratio 2 maxdelaydevratio 3
add peer ::1 mindelay 0.001 asymmetry 0.5 offset 0.25 presend 5 minstratum 2 polltarget 10 version 3
add pool localhost maxsources 2 minsamples 3 maxsamples 8 filter 3 certset 2 copy nts ntsport 123
add foo 127.0.0.1
add server
delete 127.0.0.1
delete ID#0000000005
delete
maxdelay 127.0.0.1 0.3
maxdelay 127.0.0.1 x
maxdelayratio 127.0.0.1 1.5
maxdelaydevratio 127.0.0.1 4
minpoll 127.0.0.1 3
minpoll 127.0.0.1 -3
maxpoll ::1 9
minstratum 127.0.0.1 2
polltarget 127.0.0.1 12
maxupdateskew 100
maxupdateskew x
makestep
makestep 0.1 3
makestep 0.1
manual on
manual off
manual reset
manual delete 1
manual delete x
manual foo
allow
allow all
allow 127.0.0.1
allow 10
allow 192.168
allow 10/8
allow all 10.0.0.0/8
allow ::1
allow fe80::/10
allow localhost
allow 1.2.3.4 5
allow 256
deny 127.0.0.1
deny all
cmdallow 127.0.0.1
cmddeny all 10.1
accheck 127.0.0.1
accheck ::1
cmdaccheck 127.0.0.1
accheck
local
local off
local stratum 5 orphan distance 0.5
local stratum 20
local foo
dfreq 1.5
dfreq -0.001
dfreq x
doffset 0.1
doffset -2.5
doffset x
reselect
reselectdist 0.001
reselectdist x
refresh
rekey
reload sources
reload foo
reset sources
reset x
shutdown
trimrtc
writertc
cyclelogs
dump
smoothtime reset
smoothtime activate
smoothtime foo
settime Sep 25, 2015 16:30:05
settime 2015-09-25 16:30:05
settime 25 Sep 2015 16:30
settime 9/25/2015 4:30pm
settime 16:30:05
settime 1:02 am
settime foo
EOF

# ---- chrony 4.8: replies and commands 4.3 does not have ----

# ours_prints NAME EXPECTED-FILE ARGS...: our chronyc prints exactly that
ours_prints() {
    name=$1; want=$2; shift 2
    run ours "$@"
    if [ "$rc" -eq 0 ] && cmp -s "$want" "$TMP/ours.out"; then
        pass "$name"
    else
        fail "$name" "rc $rc"
        diff "$want" "$TMP/ours.out" | head -10
    fi
}
# replies of chronyd 4.4+/4.6+ (derived by test/tools/cmdsynth.py): the
# counters 4.8's chronyc prints after those 4.3 prints
serve -8 "$FIX/ntpdata48.rec"
ours_prints golden48_ntpdata "$FIX/ntpdata48.out" -h "$SOCK" ntpdata 127.0.0.1
serve -8 "$FIX/serverstats48.rec"
ours_prints golden48_serverstats "$FIX/serverstats48.out" -h "$SOCK" serverstats
sed 's/.*: //' "$FIX/serverstats48.out" | paste -sd, > "$TMP/serverstats48.csv"
ours_prints golden48_serverstats_csv "$TMP/serverstats48.csv" -h "$SOCK" -c serverstats

# sends NAME HEX ARGS...: against a 4.8 responder answering 200 OK, our
# chronyc sends exactly the request HEX (sequence number zeroed)
sends() {
    name=$1; want=$2; shift 2
    : > "$LOG"
    run ours -h "$SOCK" "$@"
    got=$(cut -d' ' -f2 "$LOG" | tr '\n' ' ' | sed 's/ $//')
    if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
        pass "$name"
    else
        fail "$name" "rc $rc: sent '$got'"
        cat "$TMP/ours.out" "$TMP/ours.err"
    fi
}
H6="0601000000"                         # version 6, request, command high byte 0
Z14="0000000000000000000000000000"      # attempt 0, sequence zeroed, two padding words
IP1="7f0000010000000000000000000000000001"      # 127.0.0.1, family 1
serve -8 -s 0
# selectopts: the address, no refid, the mask in the daemon's bits (prefer 2
# | noselect 1), the options as ADD_SOURCE flags (prefer 0x8)
sends golden48_selectopts_address "${H6}48${Z14}${IP1}0000""00000000""00000003""00000008" \
    selectopts 127.0.0.1 +prefer -noselect
# a reference clock by its refid: no address (mask trust 4, flag 0x20)
sends golden48_selectopts_refid \
    "${H6}48${Z14}$(printf '%040d' 0)47505330""00000004""00000020" selectopts GPS0 +trust
sends golden48_offset "${H6}49${Z14}${IP1}0000""00000000""f083126f" offset 127.0.0.1 0.001
# local: LOCAL3 carries activate (16 s), waitsynced and waitunsynced (300 s
# with orphan); a 4.8 daemon takes it (no LOCAL2 follows)
sends golden48_local3 "${H6}4a${Z14}00000001""00000005""04800000""00000001""0c800000""00000000""14960000" \
    local stratum 5 orphan activate 16
# chrony 4.8's messages for a bad "add"
run ours -h "$SOCK" add server 127.0.0.1 key 0
check golden48_add_bad_value grep -qx 'Invalid value in add command' "$TMP/ours.err"
run ours -h "$SOCK" add server 127.0.0.1 foo
check golden48_add_bad_option grep -qx 'Invalid option in add command' "$TMP/ours.err"
run ours -h "$SOCK" selectopts 127.0.0.1 prefer
check golden48_selectopts_syntax grep -qx 'Invalid syntax for selectopts command' "$TMP/ours.err"
run ours -h "$SOCK" offset 127.0.0.1
check golden48_offset_syntax grep -qx 'Invalid syntax for offset command' "$TMP/ours.err"
# against 4.3 (the default responder): local with 4.6+ options is refused
# rather than sent without them
serve -s 0
run ours -h "$SOCK" local stratum 5 waitsynced 100
check golden48_local_not_downgraded grep -qx '502 Invalid command' "$TMP/ours.out"

# ---- status codes: the daemon's answer, as chronyc prints it ----

for status in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 99; do
    serve -s "$status"
    same "status_${status}_dump" -h "$SOCK" dump
    same "status_${status}_tracking" -h "$SOCK" tracking
done

# ---- transport ----

# the Unix socket is missing: the next address
serve "$FIX/tracking.rec"
same transport_unix_missing_then_udp -h "$TMP/nonexistent/chronyd.sock,127.0.0.1" -p "$UDP_PORT" tracking
same transport_no_address -h "$TMP/nonexistent/chronyd.sock" tracking
# nothing on one address: refused at once, the next one answers
same transport_refused_then_next -h "127.0.0.2,127.0.0.1" -p "$UDP_PORT" tracking
PORT2=$(free_port)
same transport_refused_everywhere -h 127.0.0.1 -p "$PORT2" tracking

# requests the responder ignores: the same retries (new sequence numbers,
# attempt counted up), then the same failure
logged_same() {
    name=$1; shift
    : > "$LOG"; run deb "$@"; deb_rc=$rc; cp "$TMP/deb.out" "$TMP/deb.o"
    cut -d' ' -f2 "$LOG" > "$TMP/deb.log"; deb_seqs=$(cut -d' ' -f3 "$LOG" | sort -u | wc -l)
    : > "$LOG"; run ours "$@"; our_rc=$rc
    cut -d' ' -f2 "$LOG" > "$TMP/ours.log"; our_seqs=$(cut -d' ' -f3 "$LOG" | sort -u | wc -l)
    our_n=$(wc -l < "$TMP/ours.log")
    if [ "$deb_rc" -eq "$our_rc" ] && cmp -s "$TMP/deb.o" "$TMP/ours.out" \
       && cmp -s "$TMP/deb.log" "$TMP/ours.log" && [ "$our_seqs" -eq "$our_n" ]; then
        pass "$name"
    else
        fail "$name" "rc $our_rc (chrony: $deb_rc), $our_seqs sequence numbers in $our_n requests"
        diff "$TMP/deb.log" "$TMP/ours.log" | cut -c1-60 | head -6
        diff "$TMP/deb.o" "$TMP/ours.out" | head -4
    fi
}
serve -D 1000 "$FIX/tracking.rec"
logged_same transport_timeout_retries -h "$SOCK" -m "timeout 100" tracking
logged_same transport_retries_0 -h "$SOCK" -m "timeout 100" "retries 0" tracking
logged_same transport_retries_1 -h "$SOCK" -m "timeout 100" "retries 1" tracking
# timeout doubles per attempt: 100 + 200 + 400 ms with two retries
start=$(date +%s%N)
run ours -h "$SOCK" -m "timeout 100" tracking
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check transport_timeout_doubles test "$took_ms" -ge 690 -a "$took_ms" -lt 1500

serve -D 1 "$FIX/tracking.rec"
logged_same transport_one_lost_reply -h "$SOCK" -m "timeout 100" tracking
serve -j "$FIX/tracking.rec" "$FIX/sources.rec"
logged_same transport_wrong_sequence_ignored -h "$SOCK" sources
serve -t "$FIX/tracking.rec"
logged_same transport_truncated_reply_resent -h "$SOCK" tracking
serve -5 "$FIX/tracking.rec" "$FIX/sources.rec"
logged_same transport_version5_daemon -h "$SOCK" -m tracking sources
serve -5 -s 0
logged_same transport_version5_control -h "$SOCK" -m "burst 1/2" dump
stop_serving

# the client's socket and its directories are gone when chronyc is done
leftover=$(find "$SRV" -mindepth 1 ! -name chronyd.sock | wc -l)
check transport_client_socket_removed test "$leftover" -eq 0
