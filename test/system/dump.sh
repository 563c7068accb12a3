# dumpdir and chronyd -r: the measurement history of each source saved at
# exit in chrony's format (DUMPDIR/ADDRESS.dat, through a temporary file),
# the dump files removed at start with or without -r, the history restored
# with -r (the source selectable from it alone, as in chrony), a damaged file
# refused with chrony's warning; and files exchanged with Debian's chronyd
# 4.3 in both directions. Every daemon runs with -x on loopback; the server
# is our chronyd -x with `local stratum 8`.
. test/system/lib.sh

DEBIAN_CHRONYD=${DEBIAN_CHRONYD:-/usr/sbin/chronyd}
P=$(free_port)
mkdir -p "$TMP/c"
chmod 700 "$TMP/c"
local_server "$P" "$CHRONYD"
local_server_started dump_server_started

D=$TMP/dump/dir                 # does not exist yet: chronyd creates it
cat > "$TMP/c.conf" <<EOF
server 127.0.0.1 port $P minpoll 0 maxpoll 0 iburst
dumpdir $D
port 0
pidfile $TMP/c/chronyd.pid
cmdport 0
bindcmdaddress /
EOF

# run_client LOG SECONDS [OPTIONS]: our client for that long, then SIGTERM
run_client() {
    log=$1; secs=$2; shift 2
    spawn "$CHRONYD" -x -d -u root "$@" -f "$TMP/c.conf" 2> "$log"
    pid=$!
    sleep "$secs"
    kill -TERM "$pid"
    wait "$pid"
}
# samples FILE: the sample count a dump file declares
samples() { awk 'NR == 4 { print $1 }' "$1" 2> /dev/null; }
# first_time FILE / last_time FILE: its oldest / newest sample's time
first_time() { awk 'NR == 5 { print $1 }' "$1" 2> /dev/null; }
last_time() { awk 'NR > 4 && NF == 7 { t = $1 } END { print t }' "$1" 2> /dev/null; }

# --- saved at exit ---
run_client "$TMP/c1.log" 6
rc=$?
F=$D/127.0.0.1.dat
check dump_exit_0 [ "$rc" = 0 ]
check dump_dir_created test -d "$D"
check dump_file_written test -s "$F"
check dump_no_temporary_left sh -c "! ls '$D' | grep -q tmp"
# chrony's layout: identifier, name, "auth reach(octal) size stratum leap",
# "samples asymmetry-run", then one line per sample with 7 fields
check dump_format awk '
    NR == 1 { ok = $0 == "SRC0" }
    NR == 2 { ok = ok && $0 == "127.0.0.1" }
    NR == 3 { ok = ok && NF == 5 && $1 == 0 && $2 ~ /^[0-7]+$/ && $3 == 8 && $4 == 8 && $5 == 0 }
    NR == 4 { ok = ok && NF == 2; n = $1 }
    NR > 4 { ok = ok && NF == 7 && $1 ~ /^[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]$/; lines++ }
    END { exit !(ok && n >= 4 && lines == n) }' "$F"
N1=$(samples "$F")
LAST1=$(last_time "$F")
cp "$F" "$TMP/first.dat"
echo "# first run: $N1 samples saved"

# --- restored with -r, and the file removed at start ---
spawn "$CHRONYD" -x -d -u root -r -f "$TMP/c.conf" 2> "$TMP/c2.log"
pid=$!
check dump_loaded_logged wait_for 5 grep -q 'Z Loaded dump file for 127\.0\.0\.1$' "$TMP/c2.log"
check dump_removed_at_start wait_for 5 sh -c "! test -e '$F'"
sleep 2
kill -TERM "$pid"
wait "$pid"
check dump_saved_again test -s "$F"

# --- the restored history alone: no server answers, yet the source is
# selected (samples, reachability and stratum came back, as in chrony) and
# the same samples are saved at exit ---
DEAD=$(free_port)
sed "s/port $P /port $DEAD /" "$TMP/c.conf" > "$TMP/dead.conf"
cp "$TMP/first.dat" "$F"
spawn "$CHRONYD" -x -d -u root -r -f "$TMP/dead.conf" 2> "$TMP/dead.log"
pid=$!
check dump_restored_source_selected wait_for 3 grep -q 'Z Selected source 127\.0\.0\.1$' "$TMP/dead.log"
kill -TERM "$pid"
wait "$pid"
echo "# restored and saved again: $(samples "$F") samples, from $(first_time "$F")"
check dump_restored_then_saved awk -v n="$(samples "$F")" -v m="$N1" \
    -v a="$(first_time "$F")" -v b="$(first_time "$TMP/first.dat")" \
    -v c="$(last_time "$F")" -v d="$LAST1" '
    function abs(x) { return x < 0 ? -x : x }
    BEGIN { exit !(n + 0 == m + 0 && abs(a - b) < 0.001 && abs(c - d) < 0.001) }'

# --- without -r: removed, not loaded ---
run_client "$TMP/c3.log" 2
check dump_not_loaded_without_r sh -c "! grep -q 'Loaded dump file' '$TMP/c3.log'"
check dump_fresh_without_r awk -v a="$(first_time "$F")" -v b="$LAST1" 'BEGIN { exit !(a + 0 > b + 0) }'

# --- a damaged file: chrony's warning, and the daemon runs on ---
sed '3s/.*/0 377 8 99 0/' "$TMP/first.dat" > "$F"        # stratum 99
run_client "$TMP/c4.log" 1 -r
rc=$?
check dump_bad_file_warned grep -q 'Z Could not load dump file for 127\.0\.0\.1$' "$TMP/c4.log"
check dump_bad_file_exit_0 [ "$rc" = 0 ]

# --- Debian's chronyd 4.3 reads ours, and we read its ---
if [ ! -x "$DEBIAN_CHRONYD" ]; then
    skip dump_debian_reads_ours "no $DEBIAN_CHRONYD"
    skip dump_we_read_debians "no $DEBIAN_CHRONYD"
else
    mkdir -p "$TMP/deb"
    chmod 700 "$TMP/deb"
    sed -e "s|pidfile .*|pidfile $TMP/deb/chronyd.pid|" "$TMP/c.conf" > "$TMP/deb.conf"
    cp "$TMP/first.dat" "$F"
    spawn "$DEBIAN_CHRONYD" -x -d -u root -r -f "$TMP/deb.conf" 2> "$TMP/deb.log"
    pid=$!
    check dump_debian_reads_ours wait_for 5 grep -q 'Loaded dump file for 127\.0\.0\.1$' "$TMP/deb.log"
    sleep 2
    kill -TERM "$pid"
    wait "$pid"
    check dump_debian_wrote_one test -s "$F"
    run_client "$TMP/c5.log" 1 -r
    check dump_we_read_debians grep -q 'Z Loaded dump file for 127\.0\.0\.1$' "$TMP/c5.log"
fi

kill -TERM "$SRV"
wait "$SRV"
check no_sanitizer_reports sh -c "! grep -l 'Sanitizer\|runtime error' '$TMP'/*.log"
