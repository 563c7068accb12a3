#!/bin/sh
# Our chronyc against our chronyd with clock control ON: the commands that
# act on the clock discipline (dfreq, doffset, makestep with and without
# THRESHOLD LIMIT, maxupdateskew, selectopts, reselect) and the reports of
# a converging client (waitsync, tracking, sources -v, sourcestats -v,
# selectdata -v). The client runs under the clock shim (test/clockshim: a
# virtual CLOCK_REALTIME of its own) AND without CAP_SYS_TIME (setpriv), so
# a call the shim missed is refused by the kernel; the host clock is never
# touched. Clock effects are checked in the shim's record of the virtual
# clock against true time, not in what the daemon says. The server is our
# chronyd -x (local stratum 8), which keeps true time. Loopback only, every
# file in $TMP, daemons stopped by PID.
. test/system/lib.sh

export TZ=UTC LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0}
SHIM_BUILD=${CLOCKSHIM_BUILD:-$CW_TOP/build/clockshim}
SHIM=$SHIM_BUILD/libclockshim.so
if ! make -s -C "$CW_TOP/test/clockshim" O="$SHIM_BUILD" > "$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    fail cmdmon_discipline_shim_build
    exit 1
fi
for b in "$CHRONYD" "$CHRONYC"; do
    if [ ! -x "$b" ]; then
        fail cmdmon_discipline_binaries "no $b"
        exit 1
    fi
done

# near A B TOL: |A - B| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }
now() { date +%s.%N; }

# c ARGS...: our chronyc on the client's socket; output in $OUT, status in $rc
c() {
    "$CHRONYC" -h "$TMP/c/chronyd.sock" "$@" > "$TMP/out" 2>&1 < /dev/null
    rc=$?
    OUT=$(cat "$TMP/out")
}
has() { printf '%s\n' "$OUT" | grep -q -- "$1"; }
ok() {
    name=$1; shift
    c "$@"
    if [ "$rc" -eq 0 ] && [ "$OUT" = "200 OK" ]; then pass "$name"; else fail "$name" "rc=$rc $OUT"; fi
}
# tracking_value LABEL: the value after "LABEL :" in `tracking`, signed by
# the word after it (fast/slow)
tracking_value() {
    c tracking
    printf '%s\n' "$OUT" | awk -v l="$1" -F' *: *' '$1 == l {
        split($2, w, " "); v = w[1] + 0; if (w[3] == "slow") v = -v; print v }'
}

# Record columns: pid true_s offset_s rate_ppm freq_ppm tick status state maxerror_us event
REC=$TMP/c.rec
# rec_last: the client's last offset in the record
rec_last() { awk -v p="$CPID" '$1 == p { o = $3 } END { print o }' "$REC"; }
# rec_last_rate: the client's clock's rate error (ppm) in its last line
rec_last_rate() { awk -v p="$CPID" '$1 == p { r = $4 } END { print r }' "$REC"; }
# rec_steps_since T: the client's steps (ADJ_SETOFFSET or settime) after true time T
rec_steps_since() {
    awk -v p="$CPID" -v t="$1" '$1 == p && $2 >= t && ($10 == "adjtimex:0x2100" || $10 ~ /^settime/)' "$REC"
}

# ---- the server, and the client under the shim ----

P=$(free_port)
mkdir -m 0700 "$TMP/s"
mkdir -m 0770 "$TMP/c"
spawn "$CHRONYD" -x -d -u root "port $P" "bindaddress 127.0.0.1" "allow 127.0.0.1" \
    "local stratum 8" "cmdport 0" "bindcmdaddress /" "pidfile $TMP/s/chronyd.pid" \
    > "$TMP/s.log" 2>&1
SPID=$!
cat > "$TMP/c.conf" <<EOF
server 127.0.0.1 port $P iburst minpoll 0 maxpoll 0
server 127.0.0.5 port $P offline
driftfile $TMP/c/drift
pidfile $TMP/c/chronyd.pid
port 0
cmdport 0
bindcmdaddress $TMP/c/chronyd.sock
EOF
# 20 ppm fast, 20 ms ahead; no makestep: steps come only from chronyc
spawn env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=0.02 CLOCKSHIM_FREQ=20 CLOCKSHIM_RECORD="$REC" \
    "$CHRONYD" -d -u root -f "$TMP/c.conf" > "$TMP/c.log" 2>&1
CPID=$!
if ! wait_for 5 test -S "$TMP/c/chronyd.sock"; then
    fail cmdmon_discipline_start "$(cat "$TMP/c.log")"
    exit 1
fi
pass cmdmon_discipline_start

# ---- waitsync and the reports of the converging client ----

c waitsync 1 0.01
[ "$rc" -eq 1 ] && pass waitsync_not_yet || fail waitsync_not_yet "rc=$rc $OUT"
c waitsync 60 0.01 0 0.5
[ "$rc" -eq 0 ] && pass waitsync_until_synchronised || fail waitsync_until_synchronised "rc=$rc $OUT"
# a little more time for the frequency estimate
sleep 4
c waitsync 10 0.01
[ "$rc" -eq 0 ] && has '^try: 1, refid: 7F000001' && pass waitsync_10_001 ||
    fail waitsync_10_001 "rc=$rc $OUT"

c tracking
sys=$(printf '%s\n' "$OUT" | awk -F' *: *' '$1 == "System time" { print $2 + 0 }')
freq=$(tracking_value Frequency)
if has '^Reference ID *: 7F000001 (' && has '^Stratum *: 9$' &&
   has '^Leap status *: Normal$' && near "$sys" 0 0.01 && near "$freq" 20 5; then
    pass tracking_sane
else
    fail tracking_sane "$OUT"
fi
echo "# tracking: system time $sys s, frequency $freq ppm (the oscillator runs 20 ppm fast)"

c -n sources -v
if [ "$rc" -eq 0 ] && has '^  \.-- Source mode' && has '^\^\* 127\.0\.0\.1 *8 *0 *[0-7][0-7]* ' &&
   has '^\^? 127\.0\.0\.5 *0 *[0-9]* *0 *- '; then
    pass sources_verbose; else fail sources_verbose "$OUT"; fi
c -n sourcestats -v
line=$(printf '%s\n' "$OUT" | grep '^127\.0\.0\.1 ')
np=$(echo "$line" | awk '{ print $2 }')
if [ "$rc" -eq 0 ] && has 'Number of sample points in measurement set' && [ -n "$np" ] && [ "$np" -ge 3 ] &&
   has '^127\.0\.0\.5 *0 *0 *0 '; then
    pass sourcestats_verbose; else fail sourcestats_verbose "$OUT"; fi
c -n selectdata -v
# a source never heard from has no statistics: 'M', as in chrony 4.8
# (chrony 4.3 looked at its leap status first: 's')
if [ "$rc" -eq 0 ] && has 'S - stale, O - orphan' && has '^\* 127\.0\.0\.1 *N ----- ----- ' &&
   has '^M 127\.0\.0\.5 *N ----- ----- '; then
    pass selectdata_verbose; else fail selectdata_verbose "$OUT"; fi

# ---- dfreq and doffset, with the source offline (no updates) ----

ok offline offline 127.0.0.1/32
# the slew of the last update is over after a second or two: the clock then
# runs at the base frequency alone
sleep 2
r1=$(rec_last_rate)
ok dfreq dfreq 10
freq2=$(tracking_value Frequency)
if near "$freq2" "$(awk -v f="$freq" 'BEGIN { print f + 10 }')" 1; then
    pass dfreq_tracking_frequency; else fail dfreq_tracking_frequency "$freq -> $freq2"; fi
check dfreq_logged grep -q 'Accumulated delta freq of 10\.000ppm' "$TMP/c.log"
# the virtual clock runs 10 ppm slower than before (the shim's record)
sleep 1.5
r2=$(rec_last_rate)
if near "$(awk -v a="$r2" -v b="$r1" 'BEGIN { print a - b }')" -10 0.5; then
    pass dfreq_clock_rate; else fail dfreq_clock_rate "rate $r1 -> $r2 ppm"; fi
echo "# dfreq 10: the clock's rate error went from $r1 to $r2 ppm"
ok maxupdateskew maxupdateskew 1000

o1=$(rec_last)
t=$(now)
ok doffset doffset 0.1
sleep 2.5
o2=$(rec_last)
# 0.1 s back, give or take the 10 ppm for those seconds
if near "$(awk -v a="$o2" -v b="$o1" 'BEGIN { print a - b }')" -0.1 0.003; then
    pass doffset_moved_clock; else fail doffset_moved_clock "$o1 -> $o2"; fi
# slewed (the virtual clock ran slow, at up to maxslewrate), not stepped
if awk -v p="$CPID" -v t="$t" '$1 == p && $2 >= t && $4 < -50000 { ok = 1 } END { exit !ok }' "$REC"; then
    pass doffset_slewed; else fail doffset_slewed; fi
[ -z "$(rec_steps_since "$t")" ] && pass doffset_no_step || fail doffset_no_step "$(rec_steps_since "$t")"
check doffset_logged grep -q 'Accumulated delta offset of 0\.100000 seconds' "$TMP/c.log"

# ---- makestep: the rest of a slew in one step ----

o1=$(rec_last)
t=$(now)
ok doffset_more doffset 0.3
ok makestep makestep
sleep 0.3
step=$(rec_steps_since "$t" | head -1)
o2=$(echo "$step" | awk '{ print $3 }')
if [ -n "$step" ] && near "$(awk -v a="$o2" -v b="$o1" 'BEGIN { print a - b }')" -0.3 0.003; then
    pass makestep_stepped; else fail makestep_stepped "$o1 -> ${step:-no step}"; fi
check makestep_logged grep -Eq 'System clock was stepped by -0\.(2[0-9]{5}|300000) seconds' "$TMP/c.log"

# ---- makestep THRESHOLD LIMIT: the next update steps the 0.4 s back ----

o1=$(rec_last)
t=$(now)
ok makestep_limit makestep 0.1 1
ok online online 127.0.0.1/32
stepped() { [ -n "$(rec_steps_since "$t")" ]; }
if wait_for 15 stepped; then
    o2=$(rec_steps_since "$t" | head -1 | awk '{ print $3 }')
    if near "$o1" -0.4 0.01 && near "$o2" 0 0.005; then
        pass makestep_limit_steps; else fail makestep_limit_steps "$o1 -> $o2"; fi
else
    fail makestep_limit_steps "no step; clock at $(rec_last)"
fi

# back online, the updates take the 10 ppm of dfreq back
back() { f=$(tracking_value Frequency); near "$f" "$freq" 2; }
if wait_for 15 back; then pass dfreq_corrected_by_updates; else fail dfreq_corrected_by_updates "$freq -> $f"; fi

# ---- selectopts: noselect makes the source unselectable ----

c waitsync 20 0.01 0 0.5
ok selectopts_noselect selectopts 127.0.0.1 +noselect
ok reselect reselect
c -n sources
if has '^\^? 127\.0\.0\.1 ' && ! has '^\^\*'; then pass selectopts_not_selected; \
    else fail selectopts_not_selected "$OUT"; fi
c -n selectdata
has '^N 127\.0\.0\.1 *N N---- N---- ' && pass selectopts_selectdata || fail selectopts_selectdata "$OUT"
ok selectopts_back selectopts 127.0.0.1 -noselect
selected() { c -n sources; has '^\^\* 127\.0\.0\.1 '; }
if wait_for 10 selected; then pass selectopts_selected_again; else fail selectopts_selected_again "$OUT"; fi
c selectopts 192.0.2.1 +prefer
has '^503 No such source' && pass selectopts_unknown || fail selectopts_unknown "$OUT"

# ---- the end ----

kill "$CPID"
wait "$CPID"
crc=$?
kill "$SPID"
wait "$SPID"
[ "$crc" = 0 ] && pass client_exit_0 || fail client_exit_0 "status $crc"
if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$TMP/c.log" "$TMP/s.log"; then
    fail cmdmon_discipline_sanitizer "$(grep -h -A5 'runtime error\|Sanitizer' "$TMP/c.log" "$TMP/s.log" | head -20)"
else
    pass cmdmon_discipline_sanitizer
fi
echo "# final offset of the client's clock: $(awk -v p="$CPID" '$1 == p && $10 == "exit" { print $3 }' "$REC") s"
