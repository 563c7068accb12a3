# The clock shim (test/clockshim): a virtual system clock for one process.
#  (a) the model's unit tests, then a probe program under the shim: reads,
#      frequency, tick, steps, adjtime(), leap second, kernel timestamps,
#      threads, fork, the record file, all against the true clock;
#  (b) Debian's chronyd -q under the shim steps its virtual clock onto a
#      Debian chronyd server (true time) and exits 0;
#  (c) a Debian chronyd daemon under the shim, 1.5 s and 50 ppm off, converges.
# Every shimmed process also runs without CAP_SYS_TIME: a call the shim
# missed is refused by the kernel (and the tests see the failure).
. test/system/lib.sh

SHIM_BUILD=${CLOCKSHIM_BUILD:-$CW_TOP/build/clockshim}
SHIM=$SHIM_BUILD/libclockshim.so
PROBE=$SHIM_BUILD/probe
REF=${REF_CHRONYD:-/usr/sbin/chronyd}
[ -x "$REF" ] || REF=""

if ! make -s -C "$CW_TOP/test/clockshim" O="$SHIM_BUILD" > "$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    fail clockshim_build
    exit 1
fi
pass clockshim_build

# shimmed VAR=VALUE... CMD...: CMD without CAP_SYS_TIME, with the shim.
shimmed() { $SETPRIV env LD_PRELOAD="$SHIM" "$@"; }
# val FILE KEY: the value of a "key value" line
val() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
# near A B TOL: |A - B| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'; }
# in_range X LO HI
in_range() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }
# passthrough NAME FILE RC: the probe's own PASS/FAIL lines, prefixed, and
# one more check that it ran to the end.
passthrough() {
    sed -n "s/^\(PASS\|FAIL\) /\1 $1_/p" "$2"
    if [ "$3" = 0 ] && grep -q '^PASS ' "$2"; then pass "$1_exit_0"; else fail "$1_exit_0" "status $3"; fi
}
now() { date +%s.%N; }

# --- (a) the model, deterministic ------------------------------------------------
"$SHIM_BUILD/test_vclock" > "$TMP/unit.out" 2> "$TMP/unit.err"
passthrough vclock "$TMP/unit.out" $?
sed 's/^/    /' "$TMP/unit.err"

# --- the guard: without the shim the kernel refuses (so the tests below, which
# expect success, cannot pass by reaching the real clock). The probe's "guard"
# calls are invalid as well, so they could change nothing in any case. -------
$SETPRIV "$PROBE" guard > "$TMP/noshim.out" 2>&1
check guard_refuses_tick_without_shim grep -qx 'tick_rc -1 errno 1' "$TMP/noshim.out"
check guard_refuses_setoffset_without_shim grep -qx 'setoffset_rc -1 errno 1' "$TMP/noshim.out"
shimmed "$PROBE" guard > "$TMP/guard.out" 2>&1
check shim_answers_tick_einval grep -qx 'tick_rc -1 errno 22' "$TMP/guard.out"
check shim_answers_setoffset_einval grep -qx 'setoffset_rc -1 errno 22' "$TMP/guard.out"

# --- reading the virtual clock --------------------------------------------------
before=$(now)
shimmed CLOCKSHIM_OFFSET=2.5 "$PROBE" read > "$TMP/read.out" 2>&1
rc=$?
after=$(now)
passthrough read "$TMP/read.out" $rc
check read_realtime_offset near "$(val "$TMP/read.out" offset_realtime)" 2.5 0.001
check read_realtime_vs_outside_date in_range "$(val "$TMP/read.out" realtime)" \
    "$(awk -v t="$before" 'BEGIN { printf "%.9f", t + 2.5 }')" \
    "$(awk -v t="$after" 'BEGIN { printf "%.9f", t + 2.5 }')"
check read_raw_is_true_time in_range "$(val "$TMP/read.out" raw)" "$before" "$after"
check read_gettimeofday near "$(val "$TMP/read.out" offset_gettimeofday)" 2.5 0.001
check read_time in_range "$(val "$TMP/read.out" offset_time)" 1.49 2.501
check read_timespec_get near "$(val "$TMP/read.out" offset_timespec_get)" 2.5 0.001
check read_coarse near "$(val "$TMP/read.out" offset_coarse)" 2.5 0.05
check read_clock_tai near "$(val "$TMP/read.out" offset_tai)" 2.5 0.001
check read_adjtimex_time near "$(val "$TMP/read.out" offset_adjtimex)" 2.5 0.001

# --- frequency and tick change the rate (natural error 50 ppm on top) ----------
shimmed CLOCKSHIM_OFFSET=2.5 CLOCKSHIM_FREQ=50 "$PROBE" freq 100 1000 > "$TMP/freq.out" 2>&1
check freq_adjtimex_permitted grep -q '^adjtimex_rc 5 errno 0$' "$TMP/freq.out"
check freq_rate_150ppm near "$(val "$TMP/freq.out" rate_ppm)" 150.005 2
shimmed "$PROBE" tick 10010 1000 > "$TMP/tick.out" 2>&1
check tick_rate_1000ppm near "$(val "$TMP/tick.out" rate_ppm)" 1000 2
shimmed CLOCKSHIM_FREQ=-200 "$PROBE" freq 0 1000 > "$TMP/nat.out" 2>&1
check natural_rate_minus_200ppm near "$(val "$TMP/nat.out" rate_ppm)" -200 2

# --- steps: clock_settime, settimeofday, ADJ_SETOFFSET; the host clock stays ------
for how in clock_settime settimeofday setoffset; do
    before=$(now)
    shimmed CLOCKSHIM_OFFSET=2.5 "$PROBE" set $how -1000.25 > "$TMP/set.out" 2>&1
    after=$(now)
    check "step_${how}_permitted" grep -qx 'set_rc 0 errno 0' "$TMP/set.out"
    check "step_${how}_virtual" near "$(val "$TMP/set.out" offset_after)" -997.75 0.001
    check "step_${how}_host_clock_untouched" near "$after" "$before" 30
done

# --- adjtime(): 500 ppm, in 500 us chunks from the next second ----------------
shimmed "$PROBE" adjtime 1000 > "$TMP/adjtime.out" 2>&1
check adjtime_permitted grep -qx 'adjtime_rc 0 errno 0' "$TMP/adjtime.out"
check adjtime_remaining_at_start grep -qx 'remaining_start_us 1000' "$TMP/adjtime.out"
check adjtime_remaining_at_end grep -qx 'remaining_end_us 0' "$TMP/adjtime.out"
# a 500 us chunk applies 499.75 us, as in the kernel (see vclock.c)
check adjtime_applied near "$(val "$TMP/adjtime.out" applied_us)" 999.5 3
check adjtime_rate_500ppm near "$(val "$TMP/adjtime.out" max_rate_ppm)" 500 5

# --- the kernel's rules, timestamps, threads, fork, leap second -----------------
for mode in semantics recv threads leap; do
    shimmed CLOCKSHIM_OFFSET=2.5 "$PROBE" $mode > "$TMP/$mode.out" 2>&1
    passthrough $mode "$TMP/$mode.out" $?
done
shimmed CLOCKSHIM_OFFSET=2.5 CLOCKSHIM_RECORD="$TMP/fork.rec" "$PROBE" fork > "$TMP/fork.out" 2>&1
passthrough fork "$TMP/fork.out" $?
child=$(val "$TMP/fork.out" child_pid)
check fork_child_in_record awk -v p="$child" '$1 == p && $10 == "settime" && $3 > 100 { ok = 1 } END { exit !ok }' "$TMP/fork.rec"

# --- bad settings are refused, loudly -------------------------------------------
shimmed CLOCKSHIM_OFFSET=2.5s "$PROBE" read > "$TMP/bad.out" 2>&1
rc=$?
check bad_offset_refused sh -c "[ $rc = 125 ] && grep -q 'invalid CLOCKSHIM_OFFSET' '$TMP/bad.out'"
shimmed CLOCKSHIM_WANDER=1 "$PROBE" read > "$TMP/bad.out" 2>&1
check unimplemented_wander_refused grep -q 'CLOCKSHIM_WANDER (not implemented)' "$TMP/bad.out"

# --- the record file ---------------------------------------------------------------
# Columns: pid true_s offset_s rate_ppm freq_ppm tick status state maxerror_us event
REC=$TMP/freq.rec
shimmed CLOCKSHIM_OFFSET=2.5 CLOCKSHIM_FREQ=50 CLOCKSHIM_RECORD="$REC" "$PROBE" freq 100 2500 > "$TMP/recfreq.out" 2>&1
check record_header grep -qx '# pid true_s offset_s rate_ppm freq_ppm tick status state maxerror_us event' "$REC"
check record_start_offset awk '$10 == "start" && $3 == "2.500000000" && $4 == "50.000" { ok = 1 } END { exit !ok }' "$REC"
check record_adjtimex_line awk '$10 == "adjtimex:0x0002" && $5 == "100.000000" && $4 == "150.005" { ok = 1 } END { exit !ok }' "$REC"
# The exit line agrees with what the process measured against the true clock ...
check record_exit_matches_probe near \
    "$(awk '$10 == "exit" { print $3 }' "$REC")" "$(val "$TMP/recfreq.out" final_offset)" 0.0001
# ... and with the rates: 50 ppm until the adjtimex line, 150.005 ppm after it.
check record_integrates_rates awk '
    $10 == "start" { t0 = $2; o0 = $3 }
    $10 == "adjtimex:0x0002" { t1 = $2; o1 = $3 }
    $10 == "exit" { t2 = $2; o2 = $3 }
    END {
        e1 = o0 + (t1 - t0) * 50e-6; e2 = o1 + (t2 - t1) * 150.005e-6
        d1 = o1 - e1; d2 = o2 - e2; if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2
        exit !(t0 && t1 && t2 && d1 < 1e-8 && d2 < 1e-8 && t2 - t1 > 2.4)
    }' "$REC"
# A process that keeps reading the clock leaves a line a second.
shimmed CLOCKSHIM_RECORD="$TMP/idle.rec" "$PROBE" idle 3500 > /dev/null 2>&1
check record_periodic_lines awk '$10 == "periodic" { n++ } END { exit !(n >= 3) }' "$TMP/idle.rec"

# --- (b) and (c): Debian's chronyd with clock control, under the shim -------------
if [ -z "$REF" ]; then
    for t in chronyd_q_exit_0 chronyd_q_stepped_via_setoffset chronyd_q_record_within_1ms \
             chronyd_q_no_clock_syscalls chronyd_daemon_stepped chronyd_daemon_converged_1ms \
             chronyd_daemon_exit_record; do
        skip $t "no reference chronyd"
    done
    exit 0
fi

P=$(free_port)
mkdir -p "$TMP/srv" "$TMP/q" "$TMP/c"
chmod 700 "$TMP/srv" "$TMP/q" "$TMP/c"
cat > "$TMP/srv.conf" <<EOF
pidfile $TMP/srv/chronyd.pid
cmdport 0
bindcmdaddress $TMP/srv/chronyd.sock
port $P
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 8
EOF
# The server keeps true time: -x, no shim.
spawn "$REF" -x -d -u root -f "$TMP/srv.conf" 2> "$TMP/srv.log"
SRV=$!
wait_for 5 test -s "$TMP/srv/chronyd.pid" || fail chronyd_server_started "$(cat "$TMP/srv.log")"

# (b) chronyd -q: one measurement, a step of the virtual clock, exit.
QREC=$TMP/q.rec
QDIRS="pidfile $TMP/q/chronyd.pid"
start=$(date +%s)
timeout 60 $SETPRIV env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=2.5 CLOCKSHIM_RECORD="$QREC" \
    "$REF" -q -u root "server 127.0.0.1 port $P iburst minpoll 0 maxpoll 0" \
    "$QDIRS" "cmdport 0" "port 0" "bindcmdaddress $TMP/q/chronyd.sock" > "$TMP/q.log" 2>&1
rc=$?
check chronyd_q_exit_0 sh -c "[ $rc = 0 ] && [ $(( $(date +%s) - start )) -le 60 ]"
[ "$rc" = 0 ] || sed 's/^/    /' "$TMP/q.log"
QPID=$(awk '$10 == "start" { p = $1 } END { print p }' "$QREC")
check chronyd_q_stepped_via_setoffset sh -c \
    "awk -v p='$QPID' '\$1 == p && \$10 == \"adjtimex:0x2100\" && (\$3 > 0.001 || \$3 < -0.001) { big = 1 }
                       \$1 == p && \$10 == \"adjtimex:0x2100\" && \$3 < 0.001 && \$3 > -0.001 && big { ok = 1 }
                       END { exit !ok }' '$QREC'"
check chronyd_q_record_within_1ms sh -c \
    "awk -v p='$QPID' '\$1 == p && \$10 == \"exit\" { o = \$3; seen = 1 } END { exit !(seen && o < 0.001 && o > -0.001) }' '$QREC'"

# The same under strace: not one clock-setting system call reaches the kernel
# (and strace does see them: the shimless probe's refused call shows up).
if command -v strace > /dev/null; then
    TRACED="adjtimex,clock_adjtime,clock_settime,settimeofday"
    strace -f -qq -o "$TMP/control.st" -e trace=$TRACED $SETPRIV "$PROBE" guard > /dev/null 2>&1
    timeout 60 strace -f -qq -o "$TMP/q.st" -e trace=$TRACED $SETPRIV env LD_PRELOAD="$SHIM" \
        CLOCKSHIM_OFFSET=2.5 "$REF" -q -u root "server 127.0.0.1 port $P iburst minpoll 0 maxpoll 0" \
        "$QDIRS" "cmdport 0" "port 0" "bindcmdaddress $TMP/q/chronyd.sock" > "$TMP/q2.log" 2>&1
    rc=$?
    check chronyd_q_no_clock_syscalls sh -c \
        "[ $rc = 0 ] && grep -Eq '(adjtimex|clock_adjtime)\\(.*EPERM' '$TMP/control.st' &&
         ! grep -Eq '(adjtimex|clock_adjtime|clock_settime|settimeofday)\(' '$TMP/q.st'"
else
    skip chronyd_q_no_clock_syscalls "no strace"
fi

# (c) a daemon starting 1.5 s and 50 ppm off: makestep steps it, then it
# stays within 1 ms of true time.
CREC=$TMP/c.rec
cat > "$TMP/c.conf" <<EOF
server 127.0.0.1 port $P minpoll 0 maxpoll 0
makestep 1 3
driftfile $TMP/c/drift
pidfile $TMP/c/chronyd.pid
cmdport 0
bindcmdaddress $TMP/c/chronyd.sock
port 0
EOF
spawn env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=1.5 CLOCKSHIM_FREQ=50 CLOCKSHIM_RECORD="$CREC" \
    "$REF" -d -u root -f "$TMP/c.conf" 2> "$TMP/c.log"
CPID=$!
# converged: the daemon within 1 ms for the last 10 s (lib.sh rec_converged)
converged() { rec_converged "$CREC" "$CPID"; }
if wait_for 60 converged; then
    pass chronyd_daemon_converged_1ms
else
    fail chronyd_daemon_converged_1ms
    sed 's/^/    /' "$TMP/c.log"
    awk -v p="$CPID" '$1 == p' "$CREC" | awk 'NR % 10 == 1' | tail -20 | sed 's/^/    /'
fi
check chronyd_daemon_stepped awk -v p="$CPID" '$1 == p && $10 == "adjtimex:0x2100" && $3 < 0.01 && $3 > -0.01 { ok = 1 } END { exit !ok }' "$CREC"
kill -TERM "$CPID"
wait "$CPID"
check chronyd_daemon_exit_record awk -v p="$CPID" '$1 == p && $10 == "exit" && $3 < 0.001 && $3 > -0.001 { ok = 1 } END { exit !ok }' "$CREC"
kill -TERM "$SRV"
wait "$SRV"
