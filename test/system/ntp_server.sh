#!/bin/sh
# ntp_server: our chronyd as an NTP server on loopback, probed with
# test/tools/ntpprobe: reply fields with `local stratum 8` and unsynchronised,
# allow/deny (a denied client gets nothing), no socket without `allow` or with
# port 0, bindaddress, IPv6, ratelimit with KoD, malformed requests counted
# and dropped, and no reply ever longer than its request.
. test/system/lib.sh

PROBE=${NTPPROBE:-$CW_BUILD/test/tools/ntpprobe}
if [ ! -x "$CHRONYD" ] || [ ! -x "$PROBE" ]; then
    skip ntp_server "build $CHRONYD and $PROBE first"
    exit 0
fi

# start_server NAME PORT DIRECTIVE...: our chronyd with a temporary
# configuration (loopback only, -x, no CAP_SYS_TIME) and the options in
# $SERVER_OPTS; sets SPID.
SERVER_OPTS=
start_server() {
    name=$1; port=$2; shift 2
    {
        echo "pidfile $TMP/$name.pid"
        echo "bindcmdaddress $TMP/$name.sock"
        echo "cmdport 0"
        echo "port $port"
        for d in "$@"; do echo "$d"; done
    } > "$TMP/$name.conf"
    # shellcheck disable=SC2086  # SERVER_OPTS: options or none
    spawn "$CHRONYD" -x -d -u root $SERVER_OPTS -f "$TMP/$name.conf" > "$TMP/$name.log" 2>&1
    SPID=$!
}

# stop_server PID: SIGTERM and wait for the exit (its log is complete then).
stop_server() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# probe ARGS...: one ntpprobe run; its output in $OUT, exit status returned.
probe() {
    OUT=$("$PROBE" -t 0.5 "$@" 2>&1)
}

# val KEY TEXT: the value of KEY=... in the first line of TEXT that has it.
val() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

# answered PORT [ADDR]: true when a request to ADDR (127.0.0.1) gets a reply.
answered() { "$PROBE" -t 0.3 -q -p "$1" "${2:-127.0.0.1}" > /dev/null 2>&1; }

# udp_bound PORT: true if any socket is bound to the UDP port.
udp_bound() {
    hex=$(printf '%04X' "$1")
    awk -v h="$hex" 'NR > 1 { n = split($2, a, ":"); if (a[n] == h) f = 1 } END { exit !f }' \
        /proc/net/udp /proc/net/udp6 2>/dev/null
}

# udp_sockets PID: how many UDP sockets the process holds.
udp_sockets() { ss -uanp 2>/dev/null | grep -c "pid=$1,"; }

# wait_started NAME: until the daemon has written its pid file and logged
# past start-up (the server sockets are open by the time the loop runs).
wait_started() {
    wait_for 5 test -s "$TMP/$1.pid" && sleep 0.3
}

near() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v + 0 >= lo && v + 0 <= hi) }'; }

# --- local stratum 8: the reply chrony 4.3 gives --------------------------
P=$(free_port)
start_server local8 "$P" "allow 127.0.0.1" "local stratum 8"
LOCAL8=$SPID
if wait_for 5 answered "$P"; then
    pass local8_answers
    probe -p "$P" 127.0.0.1
    check local8_header [ "$(val len "$OUT")/$(val leap "$OUT")/$(val version "$OUT")/$(val mode "$OUT")/$(val stratum "$OUT")" = "48/0/4/4/8" ]
    check local8_refid [ "$(val refid "$OUT")" = 7F7F0101 ]
    check local8_root_zero [ "$(val rootdelay "$OUT")/$(val rootdisp "$OUT")" = "0.000000/0.000000" ]
    # chrony keeps the local reference time 1..64 s in the past
    check local8_reftime sh -c "printf '%s\n' '$(val reftime "$OUT")' | grep -q '^now-' && \
        awk -v a='$(val reftime "$OUT" | sed 's/now-//')' 'BEGIN { exit !(a >= 1 && a <= 66) }'"
    check local8_precision near "$(val precision "$OUT")" -30 -10
    check local8_echoes_origin [ "$(val matched "$OUT")" = 1 ]
    check local8_timestamps_ordered [ "$(val rxtx_order "$OUT")" = 1 ]
    check local8_offset_small near "$(val offset "$OUT")" -0.01 0.01
    probe -p "$P" -V 3 127.0.0.1
    check v3_answered_as_v3 [ "$(val version "$OUT")/$(val mode "$OUT")" = 3/4 ]
    probe -p "$P" -V 1 -M 0 127.0.0.1
    check v1_mode0_answered [ "$(val version "$OUT")/$(val mode "$OUT")" = 1/4 ]
    probe -p "$P" -M 1 127.0.0.1
    check symmetric_active_gets_passive [ "$(val mode "$OUT")" = 2 ]
    probe -p "$P" -M 6 127.0.0.1
    check control_mode_ignored [ "$(val replies "$OUT")" = 0 ]
    probe -p "$P" -M 4 127.0.0.1
    check server_mode_ignored [ "$(val replies "$OUT")" = 0 ]
else
    fail local8_answers "no reply on port $P"
    sed 's/^/    /' "$TMP/local8.log"
fi

# --- access control --------------------------------------------------------
probe -p "$P" -b 127.0.0.2 127.0.0.1
check denied_gets_no_reply [ "$(val replies "$OUT")" = 0 ]
check allowed_still_answered answered "$P"

P2=$(free_port)
start_server acl "$P2" "allow 127.0.0.0/8" "deny 127.0.0.3" "local stratum 8"
ACL=$SPID
if wait_for 5 answered "$P2"; then
    probe -p "$P2" -b 127.0.0.3 127.0.0.1
    check deny_inside_allow [ "$(val replies "$OUT")" = 0 ]
    probe -p "$P2" -b 127.0.0.4 127.0.0.1
    check allow_subnet [ "$(val replies "$OUT")" = 1 ]
    # the reply leaves from the address the request came to (the probe's
    # socket is connected, so a reply from elsewhere would not count)
    probe -p "$P2" 127.0.0.9
    check reply_from_request_address [ "$(val replies "$OUT")" = 1 ]
else
    fail acl_server_answers
fi
stop_server "$ACL"

# --- no allow, or port 0: no socket at all ---------------------------------
P3=$(free_port)
start_server noallow "$P3" "local stratum 8"
wait_started noallow
if udp_bound "$P3"; then fail no_allow_no_socket "port $P3 is bound"; else pass no_allow_no_socket; fi
# whatever else the daemon may hold (client sockets), for the port 0 case
NOALLOW_SOCKETS=$(udp_sockets "$SPID")
probe -p "$P3" 127.0.0.1
check no_allow_no_reply [ "$(val replies "$OUT")" = 0 ]
stop_server "$SPID"

start_server port0 0 "allow" "local stratum 8"
wait_started port0
# "allow" alone admits everybody, but port 0 means no server socket at all
# (not even on an ephemeral port): no more UDP sockets than without allow
n=$(udp_sockets "$SPID")
if [ "$n" -le "$NOALLOW_SOCKETS" ]; then pass port0_no_socket; else fail port0_no_socket "$n UDP sockets"; fi
check port0_still_running kill -0 "$SPID"
stop_server "$SPID"

# --- unsynchronised (no local) ---------------------------------------------
P5=$(free_port)
start_server unsync "$P5" "allow 127.0.0.1"
if wait_for 5 answered "$P5"; then
    probe -p "$P5" 127.0.0.1
    check unsync_header [ "$(val leap "$OUT")/$(val stratum "$OUT")/$(val refid "$OUT")" = "3/0/00000000" ]
    check unsync_root [ "$(val rootdelay "$OUT")/$(val rootdisp "$OUT")" = "1.000000/1.000000" ]
    check unsync_no_reftime [ "$(val reftime "$OUT")" = "zero+0.000" ]
else
    fail unsync_answers
fi
stop_server "$SPID"

# --- bindaddress and IPv6 --------------------------------------------------
P6=$(free_port)
start_server bind "$P6" "allow 127.0.0.0/8" "allow ::1" "bindaddress 127.0.0.2" "local stratum 8"
if wait_for 5 answered "$P6" 127.0.0.2; then
    pass bindaddress_answers
    probe -p "$P6" 127.0.0.1
    check bindaddress_only [ "$(val replies "$OUT")" = 0 ]
    if [ -f /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then
        probe -p "$P6" ::1
        check ipv6_answers [ "$(val replies "$OUT")/$(val stratum "$OUT")" = 1/8 ]
    else
        skip ipv6_answers "no IPv6 loopback"
    fi
else
    fail bindaddress_answers
fi
stop_server "$SPID"

# --- chronyd -4 / -6: one family's server socket only ---------------------
if [ -f /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then
    for fam in 4 6; do
        PF=$(free_port)
        SERVER_OPTS=-$fam
        start_server "inet$fam" "$PF" "allow" "local stratum 8"
        SERVER_OPTS=""
        if [ $fam = 4 ]; then yes=127.0.0.1 no=::1; else yes=::1 no=127.0.0.1; fi
        if wait_for 5 answered "$PF" "$yes"; then
            probe -p "$PF" "$no"
            check "family_only_$fam" [ "$(val replies "$OUT")" = 0 ]
        else
            fail "family_only_$fam" "no reply over $yes"
        fi
        stop_server "$SPID"
        grep -q "applies only" "$TMP/inet$fam.log" && fail "family_no_warning_$fam"
    done
else
    skip family_only "no IPv6 loopback"
fi

# --- dscp: the DS field of the replies (IPv4 TOS, IPv6 traffic class) ------
PQ=$(free_port)
start_server dscp "$PQ" "allow" "local stratum 8" "dscp 46"
if wait_for 5 answered "$PQ" 127.0.0.1; then
    probe -p "$PQ" 127.0.0.1
    check dscp_ipv4 [ "$(val tos "$OUT")" = 184 ]
    if [ -f /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then
        probe -p "$PQ" ::1
        check dscp_ipv6 [ "$(val tos "$OUT")" = 184 ]
    fi
else
    fail dscp_ipv4 "no reply"
fi
stop_server "$SPID"
if grep -q "dscp directive not supported" "$TMP/dscp.log"; then fail dscp_no_warning; \
    else pass dscp_no_warning; fi
# --- ratelimit with kod (chrony 4.8 semantics) -----------------------------
# burst 1 then limited: 1 in 2^4 leaks a normal reply, 1 in 2 of the rest
# gets a KoD RATE, the others nothing.
P7=$(free_port)
start_server rate "$P7" "allow 127.0.0.0/8" "local stratum 8" \
    "ratelimit interval 4 burst 1 leak 4 kod 1"
if wait_for 5 answered "$P7" 127.0.0.1; then
    # a fresh client address: its first request passes as the burst
    probe -p "$P7" -b 127.0.0.6 -n 64 127.0.0.1
    kod=$(val kod "$(printf '%s\n' "$OUT" | grep '^summary')")
    replies=$(val replies "$(printf '%s\n' "$OUT" | grep '^summary')")
    normal=$((replies - kod))
    check ratelimit_kod_sent [ "$kod" -ge 8 ]
    check ratelimit_drops [ "$replies" -lt 64 ]
    check ratelimit_few_normal near "$normal" 1 20
    kodline=$(printf '%s\n' "$OUT" | grep 'kod=1' | head -n 1)
    check kod_fields [ "$(val leap "$kodline")/$(val stratum "$kodline")/$(val refid "$kodline")" = "3/0/RATE" ]
    # the suggested poll is at least the rate-limit interval
    check kod_poll [ "$(val poll "$kodline")" -ge 4 ]
    check ratelimit_bytes sh -c "[ $(val bytes_in "$OUT") -le $(val bytes_out "$OUT") ] && \
        [ $(val longer "$OUT") = 0 ]"
else
    fail ratelimit_server_answers
fi
stop_server "$SPID"

P8=$(free_port)
start_server ratenokod "$P8" "allow 127.0.0.0/8" "local stratum 8" "ratelimit interval 4 burst 2"
if wait_for 5 answered "$P8" 127.0.0.1; then
    probe -p "$P8" -b 127.0.0.5 -n 40 127.0.0.1 2>/dev/null || true
    OUT=$(printf '%s\n' "$OUT" | grep '^summary')
    check ratelimit_without_kod [ "$(val kod "$OUT")" = 0 ]
    check ratelimit_limits near "$(val replies "$OUT")" 2 39
else
    fail ratelimit_nokod_server_answers
fi
stop_server "$SPID"

# --- malformed requests ----------------------------------------------------
if kill -0 "$LOCAL8" 2>/dev/null; then
    probe -p "$P" -L 20 127.0.0.1                 # short
    r1=$(val replies "$OUT")
    probe -p "$P" -V 0 127.0.0.1                  # version 0
    r2=$(val replies "$OUT")
    probe -p "$P" -V 7 127.0.0.1                  # version 7
    r3=$(val replies "$OUT")
    probe -p "$P" -G -L 50 127.0.0.1              # garbage, not a multiple of 4
    r4=$(val replies "$OUT")
    probe -p "$P" -L 2000 127.0.0.1               # oversized
    r5=$(val replies "$OUT")
    probe -p "$P" -L 76 127.0.0.1                 # v4 with a bad extension field
    r6=$(val replies "$OUT")
    check malformed_dropped [ "$r1$r2$r3$r4$r5$r6" = 000000 ]
    probe -p "$P" -L 68 -V 3 127.0.0.1            # v3 with a MAC of an unknown key
    check unknown_key_dropped [ "$(val replies "$OUT")" = 0 ]
    probe -p "$P" -n 5 127.0.0.1
    check good_after_malformed [ "$(val replies "$(printf '%s\n' "$OUT" | grep '^summary')")" = 5 ]
    check daemon_alive kill -0 "$LOCAL8"
    stop_server "$LOCAL8"
    # the exit summary counts what the server saw: 6 malformed, 1 denied
    check malformed_counted grep -q ' 6 malformed, 1 denied, 0 rate limited' "$TMP/local8.log"
else
    fail daemon_alive "the local8 server died"
fi
check no_errors_logged sh -c "! grep -qi 'error\|fatal' '$TMP/local8.log'"
check flipped_directives_no_warning sh -c "! grep -Eq ' (allow|deny|local|port|bindaddress|ratelimit|clientloglimit|noclientlog) directive not supported' '$TMP/noallow.log' '$TMP/rate.log' '$TMP/bind.log' '$TMP/acl.log'"
