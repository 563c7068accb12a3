# fallbackdrift: when the clock updates stop, chronyd falls back to the
# long-term averages of its frequency after 2^min seconds and from then on
# is no longer synchronised (chrony's fallback drifts). Two clients of our
# chronyd -x server, alike but for `fallbackdrift 2 3`; the server is then
# stopped. 6 s later the one with fallback drifts must answer NTP requests
# as unsynchronised (leap 3, stratum 0), while the other, whose source has
# not yet been unreachable for 8 polls, still answers as synchronised.
# Every daemon runs with -x on loopback.
. test/system/lib.sh

NTPPROBE=${NTPPROBE:-$CW_BUILD/test/tools/ntpprobe}
P=$(free_port)
local_server "$P" "$CHRONYD"

for c in fb plain; do
    mkdir -p "$TMP/$c"
    chmod 700 "$TMP/$c"
    port=$(free_port)
    eval "PORT_$c=$port"
    cat > "$TMP/$c.conf" <<EOF
server 127.0.0.1 port $P minpoll 1 maxpoll 1 iburst
port $port
bindaddress 127.0.0.1
allow 127.0.0.1
pidfile $TMP/$c/chronyd.pid
cmdport 0
bindcmdaddress /
EOF
done
echo "fallbackdrift 2 3" >> "$TMP/fb.conf"
spawn "$CHRONYD" -x -d -u root -f "$TMP/fb.conf" 2> "$TMP/fb.log"
FB=$!
spawn "$CHRONYD" -x -d -u root -f "$TMP/plain.conf" 2> "$TMP/plain.log"
PLAIN=$!

# synchronised long enough for the 4 s average (updates 2 s apart)
sleep 12
"$NTPPROBE" -p "$PORT_fb" 127.0.0.1 > "$TMP/probe0.out" 2>&1
check fallback_synchronised_first grep -q '^reply .* leap=0 .* stratum=9 ' "$TMP/probe0.out"

kill -TERM "$SRV"
wait "$SRV"
sleep 6
"$NTPPROBE" -p "$PORT_fb" 127.0.0.1 > "$TMP/probe1.out" 2>&1
"$NTPPROBE" -p "$PORT_plain" 127.0.0.1 > "$TMP/probe2.out" 2>&1
check fallback_unsynchronised_after_updates_stop grep -q '^reply .* leap=3 .* stratum=0 ' "$TMP/probe1.out"
check fallback_control_still_synchronised grep -q '^reply .* leap=0 .* stratum=9 ' "$TMP/probe2.out"
[ -s "$TMP/probe1.out" ] && sed 's/^/    fb: /' "$TMP/probe1.out" | head -1

kill -TERM "$FB" "$PLAIN"
wait "$FB"
rc1=$?
wait "$PLAIN"
rc2=$?
check fallback_exit_0 [ "$rc1$rc2" = 00 ]
check fallback_no_warning sh -c "! grep -q 'fallbackdrift directive not supported' '$TMP/fb.log'"
check no_sanitizer_reports sh -c "! grep -l 'Sanitizer\|runtime error' '$TMP'/*.log"
