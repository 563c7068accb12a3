#!/bin/sh
# chronyd as an NTP client on loopback, side by side with Debian's chronyd:
#  - -Q/-q against a Debian server: offset line, exit status, timing;
#  - -Q with nothing answering (with and without -t) and with no source;
#  - a daemon client's measurements.log (offsets under 1 ms);
#  - client requests: chrony's header, a random transmit timestamp (never our
#    clock), a new source port per request; acquisitionport, bindacqaddress,
#    bindacqdevice; sources from a sourcedir;
#  - names (run again inside a private network and mount namespace, with its
#    own /etc/hosts and no DNS): pool expansion (localhost to 127.0.0.1 and
#    ::1), -4/-6, removal of tentative pool sources, replacement of
#    unreachable ones, refresh, no resolver descriptor left open once names
#    are resolved.
# Every daemon runs with -x and without CAP_SYS_TIME, on loopback addresses.
. test/system/lib.sh

DEB=/usr/sbin/chronyd
CLIENT_TIMEOUT=20

# A Debian chronyd server: deb_server PORT BINDADDRESS... (pid in $!)
deb_server() {
    port=$1; shift
    conf=$TMP/server-$port-$1.conf
    {
        echo "port $port"
        echo "local stratum 8"
        # only the families bound here: no socket on a wildcard address
        for a in "$@"; do
            echo "bindaddress $a"
            case $a in *:*) echo "allow ::1" ;; *) echo "allow 127.0.0.0/8" ;; esac
        done
        echo "cmdport 0"
        echo "bindcmdaddress /"
        echo "pidfile $TMP/server-$port-$1.pid"
        echo "driftfile $TMP/server-$port-$1.drift"
    } > "$conf"
    spawn "$DEB" -x -d -u root -f "$conf" > "$TMP/server-$port-$1.log" 2>&1
}

# Offsets (column 12) of measurements.log entries from address $2 in file $1.
offsets_of() { awk -v ip="$2" '$1 ~ /^20[0-9][0-9]-/ && $3 == ip { print $12 }' "$1"; }
addresses_in() { awk '$1 ~ /^20[0-9][0-9]-/ { print $3 }' "$1" | sort -u | tr '\n' ' '; }
# all_small FILE: every offset in FILE under 1 ms, and at least $2 of them
all_small() {
    awk -v min="$2" '{ n++; if ($1 > 0.001 || $1 < -0.001) bad++ }
                     END { exit !(n >= min && !bad) }' "$1"
}

# A UDP listener that records the requests it receives (test/system python).
write_listener() {
    cat > "$TMP/listen.py" <<'EOF'
import os, socket, struct, sys, time
host, port, out, dur = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((host, port))
s.settimeout(0.1)
end = time.time() + dur
with open(out + '.tmp', 'w') as f:
    open(out + '.ready', 'w').close()
    while time.time() < end:
        try:
            data, addr = s.recvfrom(2048)
        except socket.timeout:
            continue
        now = time.time()
        if len(data) < 48:
            continue
        lvm, stratum, poll, prec = struct.unpack('!BBbb', data[:4])
        txs = struct.unpack('!I', data[40:44])[0]
        d = (txs - (int(now) + 2208988800)) % 2**32
        if d >= 2**31:
            d -= 2**32
        # time leap version mode stratum poll precision bytes4-40 transmit tx-now
        # srcport srcaddr
        f.write('%.6f %d %d %d %d %d %d %s %s %d %d %s\n' % (now, lvm >> 6, (lvm >> 3) & 7,
                lvm & 7, stratum, poll, prec, data[4:40].hex(), data[40:48].hex(), d, addr[1],
                addr[0]))
        f.flush()
os.rename(out + '.tmp', out)
EOF
}

# No unix-domain socket (the resolver's socketpair) among PID's descriptors.
no_unix_socket() {
    pid=$1
    inodes=$(awk 'NR > 1 { print $7 }' "/proc/$pid/net/unix" 2>/dev/null)
    for fd in /proc/"$pid"/fd/*; do
        l=$(readlink "$fd" 2>/dev/null) || continue
        case "$l" in socket:*) ;; *) continue ;; esac
        ino=${l#socket:[}; ino=${ino%]}
        for u in $inodes; do [ "$u" = "$ino" ] && return 1; done
    done
    return 0
}

# ---------------------------------------------------------------------------
# Inside the private namespaces: names from our own /etc/hosts.
if [ "${1:-}" = "--netns" ]; then
    ip link set lo up || { fail netns_setup "lo"; exit 0; }
    cat > "$TMP/hosts" <<'EOF'
127.0.0.1 localhost
::1 localhost
127.0.0.2 testpool
127.0.0.3 testpool
127.0.0.4 testpool
127.0.0.5 testpool
127.0.0.6 deadpool
127.0.0.7 deadpool
127.0.0.2 deadpool
127.0.0.2 movingname
127.0.0.8 silentpool
127.0.0.9 silentpool
EOF
    sed 's/^127.0.0.2 movingname$/127.0.0.3 movingname/' "$TMP/hosts" > "$TMP/hosts.moved"
    # no DNS: nothing listens on 127.0.0.1:53 in this namespace
    echo "nameserver 127.0.0.1" > "$TMP/resolv.conf"
    echo "hosts: files" > "$TMP/nsswitch.conf"
    # the files stay busy while mounted: unmount them before lib.sh cleans up
    unmount_etc() {
        for f in hosts hosts resolv.conf nsswitch.conf; do umount "/etc/$f" 2>/dev/null; done
    }
    trap 'unmount_etc; cw_cleanup' EXIT
    for f in hosts resolv.conf nsswitch.conf; do
        mount --bind "$TMP/$f" "/etc/$f" || { fail netns_setup "mount /etc/$f"; exit 0; }
    done
    write_listener
    P=11300
    deb_server $P 127.0.0.2
    deb_server $P 127.0.0.3
    deb_server $P 127.0.0.1 ::1
    # servers that never answer: one of testpool's other addresses, and
    # silentpool's two
    listener_pids=""
    for a in 4 8 9; do
        python3 "$TMP/listen.py" 127.0.0.$a $P "$TMP/silent$a" 9 &
        listener_pids="$listener_pids $!"
    done
    for a in 4 8 9; do wait_for 3 test -e "$TMP/silent$a.ready"; done
    sleep 0.5

    # client NAME DIRECTIVE...: a daemon client logging its measurements in $TMP/NAME
    client() {
        name=$1; shift
        mkdir -p "$TMP/$name"
        spawn "$CHRONYD" -x -d -u root "$@" "port 0" "pidfile $TMP/$name.pid" \
            "logdir $TMP/$name" "log measurements" > "$TMP/$name.log" 2>&1
    }
    FAST="iburst minpoll -2 maxpoll 0"
    client moving "server movingname port $P $FAST" "refresh 2"
    client pool "pool testpool port $P maxsources 2 $FAST"
    pool_pid=$!
    client local "pool localhost port $P maxsources 2 $FAST"
    client dead "pool deadpool port $P maxsources 1 $FAST"
    client silent "pool silentpool port $P maxsources 1 $FAST"
    q_pids=""
    for fam in 4 6; do
        mkdir -p "$TMP/q$fam"
        timeout $CLIENT_TIMEOUT $SETPRIV "$CHRONYD" -x -u root -$fam -Q \
            "pool localhost port $P maxsources 2 iburst" "logdir $TMP/q$fam" \
            "log measurements" > "$TMP/q$fam.log" 2>&1 &
        q_pids="$q_pids $!"
    done

    # A name that does not resolve: chrony's -Q waits for it (until -t),
    # as a name often resolves only once the network is up. Upstream chrony
    # says "Invalid host" (Debian's, built to retry every failure, does not).
    for b in ours deb; do
        bin=$CHRONYD; [ $b = deb ] && bin=$DEB
        timeout $CLIENT_TIMEOUT $SETPRIV "$bin" -x -u root -t 2 -Q \
            "server nosuch.invalid port $P iburst" > "$TMP/nosuch-$b.log" 2>&1 &
        q_pids="$q_pids $!"
    done

    sleep 2.5
    check resolver_fd_closed_when_idle no_unix_socket $pool_pid
    # the name moves (a new mount on top: readers never see a half-written file)
    mount --bind "$TMP/hosts.moved" /etc/hosts || fail refresh_setup "mount"
    sleep 5
    for p in $listener_pids; do wait "$p"; done

    got=$(addresses_in "$TMP/pool/measurements.log")
    check pool_expands_to_answering_addresses test "$got" = "127.0.0.2 127.0.0.3 "
    offsets_of "$TMP/pool/measurements.log" 127.0.0.2 > "$TMP/o2"
    check pool_source_offsets_small all_small "$TMP/o2" 4
    # the silent address may have had a request before two others answered
    # (the sources start together); after that, as a tentative source, it
    # would still be polled every second or so had it not been dropped
    last4=$(awk 'END { print $1 }' "$TMP/silent4")
    now=$(date +%s.%N)
    check pool_dropped_tentative_sources awk -v a="${last4:-0}" -v n="$now" \
        'BEGIN { exit !(n - a > 3) }'
    # maxsources 1: both addresses are tried (twice maxsources), and kept
    # while none answers
    check pool_tries_twice_maxsources sh -c \
        "test \$(wc -l < '$TMP/silent8') -ge 3 && test \$(wc -l < '$TMP/silent9') -ge 3"

    got=$(addresses_in "$TMP/local/measurements.log")
    check pool_localhost_both_families test "$got" = "127.0.0.1 ::1 "
    offsets_of "$TMP/local/measurements.log" ::1 > "$TMP/o6"
    check ipv6_source_offsets_small all_small "$TMP/o6" 3

    for p in $q_pids; do wait "$p"; done
    check minus4_resolves_ipv4_only test "$(addresses_in "$TMP/q4/measurements.log")" = \
        "127.0.0.1 "
    check minus6_resolves_ipv6_only test "$(addresses_in "$TMP/q6/measurements.log")" = "::1 "
    check minus4_offset_logged grep -q "System clock wrong by" "$TMP/q4.log"
    for b in ours deb; do
        check Q_waits_for_unresolved_name_$b grep -q "Z Timeout reached$" "$TMP/nosuch-$b.log"
    done
    check unknown_name_warned grep -q "Z Invalid host nosuch.invalid$" "$TMP/nosuch-ours.log"

    check unreachable_pool_source_replaced \
        grep -Eq "Source 127\.0\.0\.[67] replaced with 127\.0\.0\.2 \(deadpool\)" "$TMP/dead.log"
    check replacement_measured test "$(addresses_in "$TMP/dead/measurements.log")" = \
        "127.0.0.2 "
    check refresh_follows_moved_name \
        grep -q "Source 127\.0\.0\.2 replaced with 127\.0\.0\.3 (movingname)" "$TMP/moving.log"
    check refresh_measures_both test "$(addresses_in "$TMP/moving/measurements.log")" = \
        "127.0.0.2 127.0.0.3 "
    exit 0
fi

# ---------------------------------------------------------------------------
if [ ! -x "$DEB" ]; then
    skip ntp_client "no Debian chronyd at $DEB"
    exit 0
fi
write_listener

P=$(free_port)          # Debian server
U=$(free_port)          # nothing listens here
A=$(free_port)          # acquisitionport
R0=$(free_port); R1=$(free_port); R2=$(free_port); R3=$(free_port); R4=$(free_port)
deb_server $P 127.0.0.1
wait_for 5 test -e "$TMP/server-$P-127.0.0.1.pid"

OFFSET_RE='^[0-9T:-]+Z System clock wrong by -?[0-9]+\.[0-9]{6} seconds \(ignored\)$'

# Slow cases in the background: nothing answers and no -t (chrony gives up
# after its initial burst, ~10 s), ours and Debian's side by side.
start=$(date +%s)
(
    timeout $CLIENT_TIMEOUT $SETPRIV "$CHRONYD" -x -u root -Q "server 127.0.0.1 port $U iburst" \
        > "$TMP/unreach.log" 2>&1
    echo $? > "$TMP/unreach.rc"
) &
unreach_pid=$!
(
    timeout $CLIENT_TIMEOUT $SETPRIV "$DEB" -x -u root -Q "server 127.0.0.1 port $U iburst" \
        > "$TMP/unreach-deb.log" 2>&1
    echo $? > "$TMP/unreach-deb.rc"
) &
unreach_deb_pid=$!

# -Q and -q against the Debian server, with Debian's -Q as the oracle.
timeout $CLIENT_TIMEOUT $SETPRIV "$CHRONYD" -x -u root -Q "server 127.0.0.1 port $P iburst" \
    > "$TMP/q.log" 2>&1 &
q_pid=$!
timeout $CLIENT_TIMEOUT $SETPRIV "$CHRONYD" -x -u root -q "server 127.0.0.1 port $P iburst" \
    > "$TMP/qq.log" 2>&1 &
qq_pid=$!
timeout $CLIENT_TIMEOUT $SETPRIV "$DEB" -x -u root -Q "server 127.0.0.1 port $P iburst" \
    > "$TMP/q-deb.log" 2>&1 &
qd_pid=$!

# The sign of the offset: our clock 0.5 s ahead (a virtual clock from the
# LD_PRELOAD clock shim) must read "wrong by -0.5", as chrony says.
shim_pid=""
if [ -f "$CW_TOP/test/clockshim/Makefile" ] &&
   make -s -C "$CW_TOP/test/clockshim" O="$TMP/shim" > "$TMP/shim-build.log" 2>&1; then
    timeout $CLIENT_TIMEOUT $SETPRIV env LD_PRELOAD="$TMP/shim/libclockshim.so" \
        CLOCKSHIM_OFFSET=0.5 "$CHRONYD" -x -u root -Q "server 127.0.0.1 port $P iburst" \
        > "$TMP/shim.log" 2>&1 &
    shim_pid=$!
fi

# Sources from a sourcedir.
mkdir -p "$TMP/srcd"
printf 'server 127.0.0.1 port %s iburst\n' "$P" > "$TMP/srcd/a.sources"
timeout $CLIENT_TIMEOUT $SETPRIV "$CHRONYD" -x -u root -Q "sourcedir $TMP/srcd" \
    > "$TMP/srcd.log" 2>&1 &
srcd_pid=$!

# A daemon client writing measurements.log.
mkdir -p "$TMP/dlog"
spawn "$CHRONYD" -x -d -u root "server 127.0.0.1 port $P iburst minpoll -2 maxpoll 0" \
    "port 0" "pidfile $TMP/client.pid" "logdir $TMP/dlog" "log measurements" \
    > "$TMP/client.log" 2>&1
client_pid=$!
mkdir -p "$TMP/dlog-deb"
spawn "$DEB" -x -d -u root -f /dev/null "server 127.0.0.1 port $P iburst" "port 0" "cmdport 0" \
    "bindcmdaddress /" "pidfile $TMP/client-deb.pid" "logdir $TMP/dlog-deb" "log measurements" \
    > "$TMP/client-deb.log" 2>&1

# The requests, as a listener sees them (ours and Debian's).
# With acquisitionport, bindacqaddress and bindacqdevice: the source port,
# the source address, and no request at all from a device that does not exist.
req_pids=""
for i in 0 1 2 3 4; do
    eval port=\$R$i
    python3 "$TMP/listen.py" 127.0.0.1 "$port" "$TMP/req$i" 4.5 &
    req_pids="$req_pids $!"
done
for i in 0 1 2 3 4; do wait_for 3 test -e "$TMP/req$i.ready"; done
for i in 0 1 2 3 4; do
    case $i in
    0) extra="port 0" ;;
    1) extra="acquisitionport $A" ;;
    2) extra="bindacqaddress 127.0.0.2" ;;
    3) extra="bindacqdevice cwnone0" ;;
    4) extra="bindacqdevice lo" ;;
    esac
    eval port=\$R$i
    timeout $CLIENT_TIMEOUT $SETPRIV "$CHRONYD" -x -u root -t 3 -Q \
        "server 127.0.0.1 port $port iburst" "$extra" > "$TMP/req$i.log" 2>&1 &
done

t0=$(date +%s)
timeout $CLIENT_TIMEOUT $SETPRIV "$CHRONYD" -x -u root -t 3 -Q "server 127.0.0.1 port $U iburst" \
    > "$TMP/t3.log" 2>&1
t3_rc=$?
t3_s=$(( $(date +%s) - t0 ))
check timeout_exits_nonzero test "$t3_rc" -ne 0
check timeout_message grep -q "Z Timeout reached$" "$TMP/t3.log"
check timeout_on_time test "$t3_s" -le 4
check timeout_no_offset_line sh -c "! grep -q 'System clock wrong' '$TMP/t3.log'"

$SETPRIV "$CHRONYD" -x -u root -Q -f /dev/null > "$TMP/none.log" 2>&1
check no_source_exits_1 test $? -eq 1
check no_source_message grep -q "Z No suitable source for synchronisation$" "$TMP/none.log"

wait $q_pid; q_rc=$?
wait $qq_pid; qq_rc=$?
wait $qd_pid
check Q_exits_0 test "$q_rc" -eq 0
check Q_offset_line_format grep -Eq "$OFFSET_RE" "$TMP/q.log"
check Q_offset_line_as_debian grep -Eq "$OFFSET_RE" "$TMP/q-deb.log"
x=$(sed -n 's/.*System clock wrong by \(-\{0,1\}[0-9.]*\) seconds.*/\1/p' "$TMP/q.log")
check Q_offset_under_1ms awk -v x="${x:-9}" 'BEGIN { exit !(x < 0.001 && x > -0.001) }'
wait $srcd_pid
if [ -n "$shim_pid" ]; then
    wait $shim_pid
    x=$(sed -n 's/.*System clock wrong by \(-\{0,1\}[0-9.]*\) seconds.*/\1/p' "$TMP/shim.log")
    check Q_sign_clock_ahead_is_negative \
        awk -v x="${x:-9}" 'BEGIN { exit !(x > -0.501 && x < -0.499) }'
else
    skip Q_sign_clock_ahead_is_negative "no clock shim"
fi
check sourcedir_sources_used grep -Eq "$OFFSET_RE" "$TMP/srcd.log"
check q_exits_0 test "$qq_rc" -eq 0
# -q steps the clock (here -x: the null driver, so only the discipline's
# virtual clock moves; test/system/discipline.sh checks a real step)
check q_offset_line grep -Eq "$(echo "$OFFSET_RE" | sed 's/(ignored/(step/')" "$TMP/qq.log"
# chrony ends -Q after the third sample of the burst (0.2 + 2 + 2 s)
t_first=$(sed -n '1s/^[0-9-]*T\([0-9:]*\)Z.*/\1/p' "$TMP/q.log")
t_last=$(sed -n 's/^[0-9-]*T\([0-9:]*\)Z System clock wrong.*/\1/p' "$TMP/q.log")
secs() { echo "$1" | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }'; }
d=$(( $(secs "${t_last:-0:0:0}") - $(secs "${t_first:-0:0:0}") ))
check Q_ends_after_third_sample test "$d" -ge 3 -a "$d" -le 6

for p in $req_pids; do wait "$p"; done
mv "$TMP/req0" "$TMP/req"
n=$(wc -l < "$TMP/req" 2>/dev/null || echo 0)
check request_captured test "$n" -ge 2
# leap 0, version 4, mode 3, stratum 0, poll 6, precision 32, then 36 zero bytes
zeros=000000000000000000000000000000000000000000000000000000000000000000000000
check request_header_as_chrony awk -v z=$zeros '
    $2 != 0 || $3 != 4 || $4 != 3 || $5 != 0 || $6 != 6 || $7 != 32 || $8 != z { bad++ }
    END { exit !(NR >= 2 && !bad) }' "$TMP/req"
check transmit_timestamp_not_our_clock awk '{ d = $10 < 0 ? -$10 : $10; if (d < 100) bad++ }
    END { exit !(NR >= 2 && !bad) }' "$TMP/req"
distinct() { awk -v c="$1" '{ print $c }' "$2" | sort -u | wc -l; }
check transmit_timestamps_differ test "$(distinct 9 "$TMP/req")" -eq "$n"
check new_source_port_per_request test "$(distinct 11 "$TMP/req")" -eq "$n"
check acquisitionport_source_port awk -v a=$A '$11 != a { bad++ }
    END { exit !(NR >= 2 && !bad) }' "$TMP/req1"
check bindacqaddress_source_address awk '$12 != "127.0.0.2" { bad++ }
    END { exit !(NR >= 2 && !bad) }' "$TMP/req2"
check bindacqdevice_lo awk 'END { exit !(NR >= 2) }' "$TMP/req4"
check bindacqdevice_missing_device_sends_nothing \
    sh -c "test -e '$TMP/req3' && test ! -s '$TMP/req3'"

# The daemon client has been polling for several seconds now.
sleep 1
offsets_of "$TMP/dlog/measurements.log" 127.0.0.1 > "$TMP/od"
check daemon_samples_under_1ms all_small "$TMP/od" 5
# Every sample passes the packet tests (1234) and tests A, B and D; test C
# (maxdelaydevratio) may reject the odd sample whose delay jumps on a busy
# loopback, as it does with chrony, but not most of them.
check daemon_tests_passed awk '$1 ~ /^20/ { n++ }
    $1 ~ /^20/ && !($4 == "N" && $5 == 8 && $6 == 111 && $7 == 111 && $8 ~ /^11[01]1$/) { bad++ }
    $1 ~ /^20/ && $8 == "1101" { c++ }
    END { exit !(n > 0 && !bad && c * 5 <= n) }' "$TMP/dlog/measurements.log"
check measurements_banner_as_debian test "$(sed -n 1,3p "$TMP/dlog/measurements.log")" = \
    "$(sed -n 1,3p "$TMP/dlog-deb/measurements.log")"
check daemon_still_running kill -0 "$client_pid"

wait $unreach_pid $unreach_deb_pid
el=$(( $(date +%s) - start ))
check unreachable_exits_1 test "$(cat "$TMP/unreach.rc")" -eq 1
check unreachable_as_debian test "$(cat "$TMP/unreach-deb.rc")" -eq 1
check unreachable_message grep -q "Z No suitable source for synchronisation$" "$TMP/unreach.log"
check unreachable_message_as_debian \
    grep -q "Z No suitable source for synchronisation$" "$TMP/unreach-deb.log"
check unreachable_gives_up_after_burst test "$el" -ge 9 -a "$el" -le 15

# Names, in private namespaces (skipped where they cannot be created).
if unshare -n -m --propagation private true 2>/dev/null; then
    CW_TOP=$CW_TOP CW_BUILD=$CW_BUILD unshare -n -m --propagation private sh "$0" --netns
else
    skip ntp_client_names "no network/mount namespaces"
fi
