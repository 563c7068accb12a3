#!/bin/sh
# ntp_interop: our NTP server against real peers.
#   - Debian's chronyd 4.3 as a client (basic and interleaved mode) polling our
#     server, read back with Debian's chronyc over its Unix socket;
#   - our replies side by side with Debian's chronyd as a server (the oracle):
#     same configuration, same requests, same header fields;
#   - ntpsec's ntpdig against our server on port 123 inside a network
#     namespace this test creates (SKIP when namespaces are not available).
# Every daemon runs with -x, without CAP_SYS_TIME, on loopback only.
. test/system/lib.sh

PROBE=${NTPPROBE:-$CW_BUILD/test/tools/ntpprobe}
REF_CHRONYD=${REF_CHRONYD:-/usr/sbin/chronyd}
REF_CHRONYC=${REF_CHRONYC:-/usr/bin/chronyc}
if [ ! -x "$CHRONYD" ] || [ ! -x "$PROBE" ]; then
    skip ntp_interop "build $CHRONYD and $PROBE first"
    exit 0
fi

NS=""
cleanup() {
    cw_cleanup
    [ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT

# write_conf NAME DIRECTIVE...: $TMP/NAME.conf with every file in $TMP.
write_conf() {
    wc_name=$1; shift
    {
        echo "pidfile $TMP/$wc_name.pid"
        echo "driftfile $TMP/$wc_name.drift"
        echo "bindcmdaddress $TMP/$wc_name.sock"
        echo "cmdport 0"
        for d in "$@"; do echo "$d"; done
    } > "$TMP/$wc_name.conf"
}

# run_daemon NAME BINARY [WRAPPER...]: starts BINARY -x -d on NAME's
# configuration (through WRAPPER, e.g. ip netns exec); sets SPID.
run_daemon() {
    rd_name=$1; rd_bin=$2; shift 2
    spawn "$@" "$rd_bin" -x -d -u root -f "$TMP/$rd_name.conf" > "$TMP/$rd_name.log" 2>&1
    SPID=$!
}

val() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }
answered() { "$PROBE" -t 0.3 -q -p "$1" 127.0.0.1 > /dev/null 2>&1; }
near() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v + 0 >= lo && v + 0 <= hi) }'; }
# chronyc_to NAME ARGS...: Debian's chronyc talking to NAME's daemon over its socket
chronyc_to() { n=$1; shift; "$REF_CHRONYC" -h "$TMP/$n.sock" "$@" 2>&1; }
# field TEXT LABEL: the value after "LABEL :" in chronyc's report
field() { printf '%s\n' "$1" | sed -n "s/^$2 *: //p" | head -n 1; }

# --- Debian's chronyd polling our server -----------------------------------
P=$(free_port)
write_conf ours "port $P" "bindaddress 127.0.0.1" "allow 127.0.0.1" "local stratum 8"
run_daemon ours "$CHRONYD"
OURS=$SPID
if ! wait_for 5 answered "$P"; then
    fail interop_server_up "our server does not answer on port $P"
    sed 's/^/    /' "$TMP/ours.log"
    exit 0
fi

if [ -x "$REF_CHRONYD" ] && [ -x "$REF_CHRONYC" ]; then
    write_conf client "server 127.0.0.1 port $P iburst minpoll -2 maxpoll -2"
    run_daemon client "$REF_CHRONYD"
    write_conf xleave "server 127.0.0.1 port $P iburst minpoll -2 maxpoll -2 xleave"
    run_daemon xleave "$REF_CHRONYD"

    synced() { chronyc_to client -n sources | grep -q '^\^\* 127\.0\.0\.1 '; }
    if wait_for 15 synced; then
        pass chrony_client_selects_us
        sleep 2     # a few more samples for the offset
        line=$(chronyc_to client -c sources | grep '^\^,\*,127\.0\.0\.1,')
        offset=$(printf '%s\n' "$line" | cut -d, -f9)
        check chrony_client_offset_under_1ms near "$offset" -0.001 0.001
        tr=$(chronyc_to client tracking)
        check chrony_client_stratum_9 [ "$(field "$tr" Stratum)" = 9 ]
        check chrony_client_refid [ "$(field "$tr" 'Reference ID' | cut -d' ' -f1)" = 7F000001 ]
        check chrony_client_leap_normal [ "$(field "$tr" 'Leap status')" = Normal ]
        nd=$(chronyc_to client ntpdata 127.0.0.1)
        check chrony_client_sees_stratum_8 [ "$(field "$nd" Stratum)" = 8 ]
        check chrony_client_sees_local_refid [ "$(field "$nd" 'Reference ID' | cut -d' ' -f1)" = 7F7F0101 ]
        # RFC 5905 tests 1-3 and 5-7 (the last group are delay tests, which
        # depend on the machine's load)
        check chrony_client_packet_tests_pass sh -c "printf '%s\n' '$(field "$nd" 'NTP tests')' | grep -q '^111 111 '"
        check chrony_client_all_valid sh -c "[ '$(field "$nd" 'Total RX')' = '$(field "$nd" 'Total valid RX')' ]"
    else
        fail chrony_client_selects_us "$(chronyc_to client -n sources | tail -n 2)"
        sed 's/^/    /' "$TMP/client.log"
    fi

    interleaved() { [ "$(field "$(chronyc_to xleave ntpdata 127.0.0.1)" Interleaved)" = Yes ]; }
    if wait_for 10 interleaved; then
        pass chrony_xleave_client_interleaved
    else
        fail chrony_xleave_client_interleaved "$(chronyc_to xleave ntpdata 127.0.0.1 | grep -i interleaved)"
    fi
else
    skip chrony_client_selects_us "Debian's chrony is not installed"
fi

# --- the oracle: our replies against Debian's chronyd's --------------------
# compare NAME PROBE-ARGS...: the same request to both servers; the fields
# that must match (timestamps, offset and precision differ by nature).
KEYS="len leap version mode stratum poll refid rootdelay rootdisp kod"
fields() {
    r=$(printf '%s\n' "$1" | grep '^reply' | head -n 1)
    [ -n "$r" ] || { echo "no reply"; return; }
    for k in $KEYS; do printf '%s=%s ' "$k" "$(val "$k" "$r")"; done
    # the reference time: "now-A" with A within chrony's 1..66 s window, or zero
    ref=$(val reftime "$r")
    case $ref in
        now-*) awk -v a="${ref#now-}" 'BEGIN { print (a >= 1 && a <= 66) ? "reftime=recent" : "reftime=" a }' ;;
        *) echo "reftime=$ref" ;;
    esac
}
compare() {
    c_name=$1; shift
    ours=$(fields "$("$PROBE" -t 0.5 -p "$OP" "$@" 127.0.0.1 2>&1)")
    theirs=$(fields "$("$PROBE" -t 0.5 -p "$RP" "$@" 127.0.0.1 2>&1)")
    if [ "$ours" = "$theirs" ]; then
        pass "oracle_$c_name"
    else
        fail "oracle_$c_name" "ours: $ours; chrony: $theirs"
    fi
}
# oracle_pair NAME DIRECTIVE...: both servers with the same configuration;
# sets OP and RP (ports) and OPID, RPID.
oracle_pair() {
    op_name=$1; shift
    OP=$(free_port)
    write_conf "o_$op_name" "port $OP" "$@"
    run_daemon "o_$op_name" "$CHRONYD"; OPID=$SPID
    RP=$(free_port)
    write_conf "r_$op_name" "port $RP" "$@"
    run_daemon "r_$op_name" "$REF_CHRONYD"; RPID=$SPID
    wait_for 5 test -s "$TMP/o_$op_name.pid" && wait_for 5 test -s "$TMP/r_$op_name.pid"
    sleep 0.3
}
# pair_alive NAME: both servers of the pair still run (a "no reply" from
# both only means something while both are up).
pair_alive() {
    if kill -0 "$OPID" 2>/dev/null && kill -0 "$RPID" 2>/dev/null; then
        pass "oracle_${1}_servers_up"
    else
        fail "oracle_${1}_servers_up"
        sed 's/^/    /' "$TMP/o_$1.log" "$TMP/r_$1.log"
    fi
    kill "$OPID" "$RPID" 2>/dev/null
    wait "$OPID" "$RPID" 2>/dev/null
}

if [ -x "$REF_CHRONYD" ]; then
    oracle_pair local8 "allow 127.0.0.1" "local stratum 8"
    if wait_for 5 answered "$OP" && wait_for 5 answered "$RP"; then
        pass oracle_both_answer
    else
        fail oracle_both_answer
    fi
    compare v4_client
    compare v3_client -V 3
    compare v2_client -V 2
    compare v1_mode0 -V 1 -M 0
    compare symmetric_active -M 1
    compare broadcast_ignored -M 5
    compare control_ignored -M 6
    compare denied_client -b 127.0.0.2
    compare short -L 44
    compare version_0 -V 0
    compare version_5 -V 5
    compare odd_length -L 50
    compare oversized -L 1200
    compare bad_extension -L 76
    compare v4_mac_unknown_key -L 72
    compare v3_mac_unknown_key -V 3 -L 68
    compare v4_after_bad_ones
    pair_alive local8

    oracle_pair unsync "allow 127.0.0.1"
    wait_for 5 answered "$OP" && wait_for 5 answered "$RP"
    compare unsynchronised
    pair_alive unsync

    oracle_pair noallow "local stratum 8"
    compare no_allow
    pair_alive noallow
else
    skip oracle "Debian's chrony is not installed"
fi

# --- ntpdig (always port 123) inside a network namespace -------------------
if ! command -v ntpdig > /dev/null; then
    skip ntpdig_queries_us "ntpdig is not installed"
elif ! ip netns add "cwtest$$" 2>/dev/null; then
    skip ntpdig_queries_us "cannot create a network namespace"
else
    NS=cwtest$$
    ip netns exec "$NS" ip link set lo up
    write_conf netns "bindaddress 127.0.0.1" "allow 127.0.0.1" "local stratum 8"
    run_daemon netns "$CHRONYD" ip netns exec "$NS"
    NSPID=$SPID
    ns_answered() { $SETPRIV ip netns exec "$NS" "$PROBE" -t 0.3 -q -p 123 127.0.0.1 > /dev/null 2>&1; }
    if wait_for 5 ns_answered; then
        out=$($SETPRIV ip netns exec "$NS" ntpdig -j -t 2 127.0.0.1 2>&1)
        stratum=$(printf '%s\n' "$out" | sed -n 's/.*"stratum":\([0-9]*\).*/\1/p')
        offset=$(printf '%s\n' "$out" | sed -n 's/.*"offset":\([-+0-9.e]*\).*/\1/p')
        leap=$(printf '%s\n' "$out" | sed -n 's/.*"leap":"\([^"]*\)".*/\1/p')
        check ntpdig_stratum_8 [ "$stratum" = 8 ]
        check ntpdig_offset_sane near "${offset:-9}" -0.1 0.1
        check ntpdig_no_leap [ "$leap" = no-leap ]
        out=$($SETPRIV ip netns exec "$NS" ntpdig -t 2 127.0.0.1 2>&1)
        check ntpdig_plain_output sh -c "printf '%s\n' '$out' | grep -q ' 127\.0\.0\.1 s8 no-leap'"
    else
        fail ntpdig_queries_us "our server does not answer on port 123 in $NS"
        sed 's/^/    /' "$TMP/netns.log"
    fi
    kill "$NSPID"; wait "$NSPID" 2>/dev/null

    # binddevice: a server bound to lo answers on 127.0.0.1; one bound to a
    # veth interface has its socket but hears nothing that arrives on lo.
    if ip netns exec "$NS" ip link add cwv0 type veth peer name cwv1 2>/dev/null &&
       ip netns exec "$NS" ip link set cwv0 up; then
        ns_probe() { $SETPRIV ip netns exec "$NS" "$PROBE" -t "$2" -q -p "$1" 127.0.0.1 > /dev/null 2>&1; }
        ns_bound() { ip netns exec "$NS" ss -uan | grep -q ":$1 "; }
        write_conf dev_lo "port 1230" "binddevice lo" "allow 127.0.0.1" "local stratum 8"
        run_daemon dev_lo "$CHRONYD" ip netns exec "$NS"; LO=$SPID
        write_conf dev_veth "port 1231" "binddevice cwv0" "allow 127.0.0.1" "local stratum 8"
        run_daemon dev_veth "$CHRONYD" ip netns exec "$NS"; VETH=$SPID
        if wait_for 5 ns_probe 1230 0.3; then pass binddevice_lo_answers; else fail binddevice_lo_answers; fi
        if wait_for 5 ns_bound 1231 && ! ns_probe 1231 0.5; then
            pass binddevice_other_device_silent
        else
            fail binddevice_other_device_silent
        fi
        kill "$LO" "$VETH"; wait "$LO" "$VETH" 2>/dev/null
    else
        skip binddevice "no veth in the namespace"
    fi
    ip netns del "$NS" && NS=""
    check netns_deleted sh -c "! ip netns list | grep -q 'cwtest$$'"
fi

check our_server_alive kill -0 "$OURS"
