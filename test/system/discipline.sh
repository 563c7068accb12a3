# The clock discipline of our chronyd, judged by the clock itself: every
# daemon that controls a clock runs under the clock shim (test/clockshim:
# a virtual CLOCK_REALTIME per process) AND without CAP_SYS_TIME (setpriv),
# so a call the shim missed is refused by the kernel. The checks read the
# shim's record of the virtual clock against true time, never what chronyd
# says about itself. The server is our own chronyd -x (local stratum 8),
# which keeps true time.
#  (a) chronyd -q, 2.5 s ahead: one step onto true time, exit 0;
#  (b) a daemon 1.5 s ahead and 50 ppm fast, makestep 1 3, rtcsync: stepped,
#      then within 1 ms for good; drift file and kernel frequency ~50 ppm;
#  (c) the same with -x: not one clock-changing call, yet it tracks (the
#      estimates a disciplined clock would get);
#  (d) -s: the clock restored from the drift file's time; the drift file's
#      frequency (chrony's sign) reaches the kernel.
. test/system/lib.sh

SHIM_BUILD=${CLOCKSHIM_BUILD:-$CW_TOP/build/clockshim}
SHIM=$SHIM_BUILD/libclockshim.so
if ! make -s -C "$CW_TOP/test/clockshim" O="$SHIM_BUILD" > "$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    fail discipline_shim_build
    exit 1
fi

# near A B TOL: |A - B| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'; }
# Record columns: pid true_s offset_s rate_ppm freq_ppm tick status state maxerror_us event
# rec_exit REC PID COLUMN: that column of the process's exit line
rec_exit() { awk -v p="$2" -v c="$3" '$1 == p && $10 == "exit" { v = $c } END { print v }' "$1"; }
# rec_start_pid REC: the pid of the last process that started in REC
rec_start_pid() { awk '$10 == "start" { p = $1 } END { print p }' "$1"; }
# clock_changes REC PID: the events of calls that changed the clock
clock_changes() { awk -v p="$2" '$1 == p && ($10 ~ /^adjtimex:/ || $10 ~ /^settime/) { print $10 }' "$1"; }

P=$(free_port)
mkdir -p "$TMP/q" "$TMP/c" "$TMP/x" "$TMP/s"
chmod 700 "$TMP/q" "$TMP/c" "$TMP/x" "$TMP/s"
# The server keeps true time: -x, no shim.
local_server "$P" "$CHRONYD"
local_server_started discipline_server_started

# --- (a) chronyd -q ----------------------------------------------------------------
QREC=$TMP/q.rec
start=$(date +%s)
timeout 60 $SETPRIV env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=2.5 CLOCKSHIM_RECORD="$QREC" \
    "$CHRONYD" -q -u root "server 127.0.0.1 port $P iburst minpoll 0 maxpoll 0" \
    "pidfile $TMP/q/chronyd.pid" "port 0" "cmdport 0" "bindcmdaddress /" "driftfile $TMP/q/drift" \
    > "$TMP/q.log" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
QPID=$(rec_start_pid "$QREC")
check q_exit_0 sh -c "[ $rc = 0 ] && [ $took -le 60 ]"
[ "$rc" = 0 ] || sed 's/^/    /' "$TMP/q.log"
check q_logged_step grep -Eq 'Z System clock wrong by -2\.[45][0-9]{5} seconds \(step\)$' "$TMP/q.log"
check q_stepped_via_setoffset sh -c \
    "awk -v p='$QPID' '\$1 == p && \$10 == \"adjtimex:0x2100\" && \$3 < 0.001 && \$3 > -0.001 { ok = 1 }
                       END { exit !ok }' '$QREC'"
qoff=$(rec_exit "$QREC" "$QPID" 3)
check q_record_within_1ms near "$qoff" 0 0.001
# the frequency is left as it was: no slew keeps running after exit
check q_no_slew_left near "$(rec_exit "$QREC" "$QPID" 4)" 0 0.001
echo "# -q: exit after ${took} s, final offset ${qoff} s"

# --- (b) a daemon converging, and (c) the same with -x, side by side -------------
CREC=$TMP/c.rec
XREC=$TMP/x.rec
for d in c x; do
    cat > "$TMP/$d.conf" <<EOF
server 127.0.0.1 port $P minpoll 0 maxpoll 0
makestep 1 3
rtcsync
driftfile $TMP/$d/drift
pidfile $TMP/$d/chronyd.pid
port 0
cmdport 0
bindcmdaddress /
logdir $TMP/$d
log tracking
EOF
done
spawn env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=1.5 CLOCKSHIM_FREQ=50 CLOCKSHIM_RECORD="$CREC" \
    "$CHRONYD" -d -u root -f "$TMP/c.conf" 2> "$TMP/c.log"
CPID=$!
spawn env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=1.5 CLOCKSHIM_FREQ=50 CLOCKSHIM_RECORD="$XREC" \
    "$CHRONYD" -x -d -u root -f "$TMP/x.conf" 2> "$TMP/x.log"
XPID=$!
t0=$(date +%s.%N)

# converged: the client within 1 ms for the last 10 s (lib.sh rec_converged)
converged() { rec_converged "$CREC" "$CPID"; }
if wait_for 50 converged; then
    pass daemon_converged_1ms
else
    fail daemon_converged_1ms
    sed 's/^/    /' "$TMP/c.log"
    awk -v p="$CPID" '$1 == p' "$CREC" | tail -20 | sed 's/^/    /'
fi
check daemon_stepped awk -v p="$CPID" '$1 == p && $10 == "adjtimex:0x2100" && $3 < 0.01 && $3 > -0.01 { ok = 1 } END { exit !ok }' "$CREC"
check daemon_selected_logged grep -q 'Z Selected source 127\.0\.0\.1$' "$TMP/c.log"
check daemon_step_logged grep -Eq 'Z System clock was stepped by -1\.50[0-9]{4} seconds$' "$TMP/c.log"
# rtcsync: the kernel is told the clock is synchronised (STA_UNSYNC cleared)
check daemon_rtcsync_clears_unsync awk -v p="$CPID" '
    function hex(s,   i, c, v) { v = 0; for (i = 3; i <= length(s); i++) {
        c = index("0123456789abcdef", tolower(substr(s, i, 1))) - 1; v = v * 16 + c }; return v }
    $1 == p && $10 ~ /^adjtimex:/ && int(hex($7) / 64) % 2 == 0 { ok = 1 } END { exit !ok }' "$CREC"

# a little longer for the frequency estimate (and the record's last lines)
sleep 8
kill -TERM "$CPID"
wait "$CPID"
crc=$?
kill -TERM "$XPID"
wait "$XPID"
xrc=$?
check daemon_exit_0 [ "$crc" = 0 ]
check daemon_exit_record_within_1ms near "$(rec_exit "$CREC" "$CPID" 3)" 0 0.001
# chrony's sign: a clock running 50 ppm fast has +50 in its drift file, and
# the kernel runs it 50 ppm slower. (The tolerance allows for the record
# itself: the shim writes its periodic line inside clock_gettime() after
# reading the time, which makes some of our transmit timestamps tens of
# microseconds early; a sign error would be 100 ppm off.)
cfreq=$(awk '{ print $1 }' "$TMP/c/drift" 2> /dev/null)
check daemon_drift_file_50ppm near "$cfreq" 50 3.0
check daemon_kernel_frequency_minus_50 near "$(rec_exit "$CREC" "$CPID" 5)" -50 3.0
check daemon_tracking_log awk '$3 == "127.0.0.1" && $4 == 9 { n++ } END { exit !(n >= 5) }' "$TMP/c/tracking.log"
conv=$(awk -v p="$CPID" -v t0="$t0" '
    $1 != p { next }
    { o = $3; if (o < 0) o = -o; if (o >= 0.001) since = 0; else if (!since) since = $2 }
    END { printf "%.1f", since - t0 }' "$CREC")
worst=$(awk -v p="$CPID" '
    $1 != p { next }
    { t[NR] = $2; o[NR] = ($3 < 0 ? -$3 : $3); last = $2 }
    END { for (i in t) if (t[i] >= last - 10 && o[i] > w) w = o[i]; printf "%.1f", w * 1e6 }' "$CREC")
echo "# daemon: within 1 ms for good ${conv} s after start; worst |offset| in its last 10 s: ${worst} us; drift ${cfreq} ppm"

# (c) -x: not one call that changes the clock, which keeps its offset
xchanges=$(clock_changes "$XREC" "$XPID")
check x_record_has_lines awk -v p="$XPID" '$1 == p { n++ } END { exit !(n >= 5) }' "$XREC"
check x_no_clock_changes [ -z "$xchanges" ]
[ -z "$xchanges" ] || echo "$xchanges" | sort | uniq -c | sed 's/^/    /'
xoff=$(rec_exit "$XREC" "$XPID" 3)
check x_clock_untouched awk -v o="$xoff" 'BEGIN { exit !(o > 1.5 && o < 1.51) }'
check x_exit_0 [ "$xrc" = 0 ]
# ... while the virtual discipline tracked the clock as if it were in control
check x_step_would_be_made grep -Eq 'Z System clock would be stepped by -1\.50[0-9]{4} seconds \(clock control disabled\)$' "$TMP/x.log"
check x_no_step_claimed sh -c "! grep -q 'System clock was stepped' '$TMP/x.log'"
xfreq=$(awk '{ print $1 }' "$TMP/x/drift" 2> /dev/null)
check x_drift_estimated near "$xfreq" 50 8.0
echo "# -x: the clock left ${xoff} s off; the virtual discipline's drift ${xfreq} ppm"

# --- (d) -s: restore the time from the drift file ---------------------------------
SREC=$TMP/s.rec
printf '%20.6f %20.6f\n' 12.5 0.1 > "$TMP/s/drift"
timeout 30 $SETPRIV env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=-100 CLOCKSHIM_RECORD="$SREC" \
    "$CHRONYD" -s -d -u root -t 1 "driftfile $TMP/s/drift" "pidfile $TMP/s/chronyd.pid" \
    "port 0" "cmdport 0" "bindcmdaddress /" > "$TMP/s.log" 2>&1
src=$?
SPID=$(rec_start_pid "$SREC")
check s_restored_logged grep -q 'Z System time restored from driftfile$' "$TMP/s.log"
check s_frequency_read_logged grep -q 'Z Frequency 12\.500 +/- 0\.100 ppm read from ' "$TMP/s.log"
# the drift file was written just before: the clock lands within 2 s of it
check s_clock_restored awk -v p="$SPID" '$1 == p && $10 ~ /^adjtimex:0x2100|^settime/ && $3 > -2 && $3 < 0.01 { ok = 1 } END { exit !ok }' "$SREC"
check s_kernel_frequency_from_drift near "$(rec_exit "$SREC" "$SPID" 5)" -12.5 0.001
check s_timeout_unsynchronised_exit_1 [ "$src" = 1 ]
check s_drift_file_kept near "$(awk '{ print $1 }' "$TMP/s/drift")" 12.5 0.000001

kill -TERM "$SRV"
wait "$SRV"
# (with a sanitizer build: nothing reported by any daemon)
check no_sanitizer_reports sh -c "! grep -l 'Sanitizer\|runtime error' '$TMP'/*.log"
