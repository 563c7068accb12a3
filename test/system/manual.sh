#!/bin/sh
# Manual time input: `chronyc settime`, `manual on|off|reset|list|delete`.
#  (a) our chronyd with clock control, under the clock shim (its virtual
#      clock starts 5 s behind true time) AND without CAP_SYS_TIME, with the
#      `manual` directive and `makestep 1 -1`: settime with the true time
#      steps the virtual clock onto true time (checked in the shim's
#      record, to the latency of the request), a second sample gives a
#      frequency that the clock then runs at, and the list, delete, off,
#      reset and the tracking report behave as chrony's, with our chronyc
#      and Debian's printing the same lines;
#  (b) our chronyd -x (under the shim too, 2 s behind) without the
#      directive, and Debian's chronyd -x beside it, given the same
#      commands (`manual on` first): the same answers, numbers aside, and
#      our -x leaves the virtual clock alone.
# chronyc runs outside the shim, so its clock is the true one. Loopback
# only, every file in $TMP, daemons stopped by PID.
. test/system/lib.sh

export TZ=UTC LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0}
SHIM_BUILD=${CLOCKSHIM_BUILD:-$CW_TOP/build/clockshim}
SHIM=$SHIM_BUILD/libclockshim.so
DEB_CHRONYD=${REF_CHRONYD:-/usr/sbin/chronyd}
DEB_CHRONYC=${REF_CHRONYC:-/usr/bin/chronyc}
if ! make -s -C "$CW_TOP/test/clockshim" O="$SHIM_BUILD" > "$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    fail manual_shim_build
    exit 1
fi
for b in "$CHRONYD" "$CHRONYC"; do
    if [ ! -x "$b" ]; then
        fail manual_binaries "no $b"
        exit 1
    fi
done
have_debian_chronyc=false
[ -x "$DEB_CHRONYC" ] && have_debian_chronyc=true

now() { date +%s.%N; }
# in_range X LO HI
in_range() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }
# numbers (and their signs, and so the padding) masked, for comparing
# outputs whose values differ
mask() { sed -E 's/[-+]?[0-9]+(\.[0-9]+)?/#/g; s/ +/ /g'; }

# c SOCKET ARGS...: our chronyc; output in $OUT, status in $rc.
# dc: the same with Debian's chronyc.
c() {
    s=$1; shift
    "$CHRONYC" -h "$s" "$@" > "$TMP/out" 2>&1 < /dev/null
    rc=$?
    OUT=$(cat "$TMP/out")
}
dc() {
    s=$1; shift
    "$DEB_CHRONYC" -h "$s" "$@" > "$TMP/out" 2>&1 < /dev/null
    rc=$?
    OUT=$(cat "$TMP/out")
}
has() { printf '%s\n' "$OUT" | grep -q -- "$1"; }
# expect NAME RC TEXT: the last command's status and whole output
expect() {
    if [ "$rc" = "$2" ] && [ "$OUT" = "$3" ]; then pass "$1"; else fail "$1" "rc=$rc $OUT"; fi
}

# date_of SECONDS: the date string chronyc takes
date_of() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
# settime_at CLIENT SOCKET [LATE]: settime with the whole second of true
# time that began LATE seconds before (default 0.01; chronyc takes whole
# seconds); GIVEN is that second, BEFORE and AFTER the true time around
# the request.
settime_at() {
    client=$1 s=$2
    sleep "$(awk -v n="$(date +%N)" -v l="${3:-0.01}" 'BEGIN { printf "%.3f", 1 + l - n / 1e9 }')"
    GIVEN=$(date +%s)
    when=$(date_of "$GIVEN")
    BEFORE=$(now)
    $client "$s" settime "$when"
    AFTER=$(now)
}
# the settime answer: "Clock was X seconds fast.  Frequency change = F ppm, ..."
SETTIME_RE='^Clock was -?[0-9]+\.[0-9][0-9] seconds fast\.  Frequency change = -?[0-9]+\.[0-9][0-9]ppm, new frequency = -?[0-9]+\.[0-9][0-9]ppm$'
settime_value() { printf '%s\n' "$OUT" | sed -n "s/^Clock was \(-*[0-9.]*\) seconds fast.*/\1/p"; }
freq_change() { printf '%s\n' "$OUT" | sed -n 's/.*Frequency change = \(-*[0-9.]*\)ppm.*/\1/p'; }
new_freq() { printf '%s\n' "$OUT" | sed -n 's/.*new frequency = \(-*[0-9.]*\)ppm$/\1/p'; }
# tracking_field LABEL: the value after "LABEL :"
tracking_field() { printf '%s\n' "$OUT" | awk -v l="$1" -F' *: *' '$1 == l { print $2 }'; }

# ==== (a) our chronyd with clock control, under the shim ====

REC=$TMP/a.rec
A=$TMP/a/chronyd.sock
mkdir -m 0770 "$TMP/a"
cat > "$TMP/a.conf" <<EOF
manual
makestep 1 -1
port 0
cmdport 0
bindcmdaddress $A
pidfile $TMP/a/chronyd.pid
EOF
spawn env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=-5 CLOCKSHIM_RECORD="$REC" \
    "$CHRONYD" -d -u root -f "$TMP/a.conf" > "$TMP/a.log" 2>&1
APID=$!
if ! wait_for 5 test -S "$A"; then
    fail manual_start "$(cat "$TMP/a.log")"
    exit 1
fi
pass manual_start
check manual_directive_no_warning sh -c "! grep -q 'manual directive' '$TMP/a.log'"

c "$A" manual list
expect list_empty_at_start 0 "210 n_samples = 0
#    Date     Time(UTC)    Slewed   Original   Residual
======================================================="

# --- the first sample: 5 s behind, stepped (makestep) onto true time ---
settime_at c "$A"
first_given=$GIVEN
off1=$(settime_value)
if [ "$rc" = 0 ] && [ "$(printf '%s\n' "$OUT" | head -1)" = "200 OK" ] &&
   printf '%s\n' "$OUT" | sed -n 2p | grep -Eq "$SETTIME_RE" && near "$off1" -5 0.1 &&
   [ "$(freq_change)" = "0.00" ] && [ "$(new_freq)" = "0.00" ]; then
    pass settime_first_reply
else
    fail settime_first_reply "rc=$rc $OUT"
fi
# the step in the shim's record, and the virtual clock after it: behind
# true time by the request's latency only (it was given at GIVEN, received
# between BEFORE and AFTER)
step=$(awk -v p="$APID" '$1 == p && ($10 == "adjtimex:0x2100" || $10 ~ /^settime/)' "$REC" | tail -1)
off=$(echo "$step" | awk '{ print $3 }')
lo=$(awk -v a="$AFTER" -v g="$GIVEN" 'BEGIN { printf "%.6f", -(a - g) - 0.002 }')
hi=$(awk -v b="$BEFORE" -v g="$GIVEN" 'BEGIN { printf "%.6f", -(b - g) + 0.002 }')
if [ -n "$step" ] && in_range "$off" "$lo" "$hi"; then
    pass settime_steps_clock_to_true_time
else
    fail settime_steps_clock_to_true_time "step '${step:-none}', expected offset in [$lo, $hi]"
fi
echo "# settime: virtual clock $off s from true time after the step (request latency $(awk -v a="$AFTER" -v g="$GIVEN" 'BEGIN { print a - g }') s)"
check settime_logged grep -Eq 'Making a slew of -[45]\.[0-9]{6}$' "$TMP/a.log"
check settime_wrong_by_logged grep -Eq 'System clock wrong by [45]\.[0-9]{6} seconds$' "$TMP/a.log"
check settime_step_logged grep -Eq 'System clock was stepped by [45]\.[0-9]{6} seconds$' "$TMP/a.log"

# too soon after it: 500 (unless this machine took a second to get here)
c "$A" settime "$(date -u '+%Y-%m-%d %H:%M:%S')"
if in_range "$(now)" 0 "$(awk -v b="$BEFORE" 'BEGIN { printf "%.6f", b + 0.9 }')"; then
    expect settime_too_soon_fails 1 "500 Failure"
else
    skip settime_too_soon_fails "too slow to be within a second"
fi

c "$A" tracking
last=$(tracking_field "Last offset" | awk '{ print $1 }')
sys=$(tracking_field "System time" | awk '{ print $1 }')
if has '^Reference ID    : 00000000 ()$' && has '^Stratum         : 0$' &&
   has '^Ref time (UTC)  : Thu Jan 01 00:00:00 1970$' &&
   has '^Leap status     : Not synchronised$' && near "$last" -5 0.1 && near "$sys" 0 0.001 &&
   [ "$(tracking_field "RMS offset" | awk '{ print $1 }')" = "${last#-}" ]; then
    pass tracking_after_settime
else
    fail tracking_after_settime "$OUT"
fi
if $have_debian_chronyc; then
    mine=$(printf '%s\n' "$OUT" | mask)
    dc "$A" tracking
    [ "$(printf '%s\n' "$OUT" | mask)" = "$mine" ] && pass tracking_debian_chronyc_same ||
        fail tracking_debian_chronyc_same "$OUT"
fi

# CSV: index, date and time (the sample's time moved with the step: true
# time when it was given), slewed offset (none left), original, residual
c "$A" -c manual list
orig=$(printf '%s\n' "$OUT" | awk -F, 'NR == 1 { print $4 }')
d0=$(date_of "$first_given") d1=$(date_of $((first_given + 1)))
if [ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] && near "$orig" -5 0.1 &&
   printf '%s\n' "$OUT" | awk -F, -v d0="$d0" -v d1="$d1" '{ exit !($1 == "0" && ($2 == d0 || $2 == d1) && ($3 == "0.00" || $3 == "-0.00") && $5 == "0.00") }'; then
    pass list_first_sample
else
    fail list_first_sample "$OUT"
fi

# --- the second sample (with Debian's chronyc): a frequency ---
# given 50 ms late, two seconds on: the clock looks ~25000 ppm fast
sleep 1
if $have_debian_chronyc; then settime_at dc "$A" 0.06; else settime_at c "$A" 0.06; fi
fc=$(freq_change)
if [ "$rc" = 0 ] && printf '%s\n' "$OUT" | sed -n 2p | grep -Eq "$SETTIME_RE" &&
   near "$(settime_value)" 0.05 0.045 && [ "$fc" = "$(new_freq)" ] && in_range "$fc" 2000 90000; then
    pass settime_second_reply
else
    fail settime_second_reply "rc=$rc $OUT"
fi
check second_sample_logged grep -Eq 'Making a frequency change of -?[0-9]+\.[0-9]{3} ppm and a slew of -?0\.[0-9]{6}$' "$TMP/a.log"
# the clock runs at the new frequency once the slew of the 50 ms is
# (nearly) over: fast by fc ppm means slowed down by as much
sleep 2
c "$A" tracking
freq=$(tracking_field Frequency | awk '{ v = $1; if ($3 == "slow") v = -v; print v }')
rate=$(awk -v p="$APID" '$1 == p { r = $4 } END { print r }' "$REC")
if near "$freq" "$fc" 0.006 &&
   near "$rate" "$(awk -v f="$fc" 'BEGIN { print -f }')" "$(awk -v f="$fc" 'BEGIN { print 0.03 * f }')"; then
    pass settime_frequency_applied
else
    fail settime_frequency_applied "change $fc ppm, tracking $freq ppm, clock rate $rate ppm"
fi
echo "# second sample: frequency change $fc ppm; the virtual clock's rate error is $rate ppm"

c "$A" manual list
list2=$OUT
n=$(printf '%s\n' "$OUT" | grep -c '^ [01] [0-9-]* [0-9:]* ')
if has '^210 n_samples = 2$' && [ "$n" = 2 ] &&
   printf '%s\n' "$OUT" | awk '$1 == "0" { exit !($5 + 0 < -4.9 && $5 + 0 > -5.1) }'; then
    pass list_two_samples
else
    fail list_two_samples "$OUT"
fi
if $have_debian_chronyc; then
    dc "$A" manual list
    [ "$OUT" = "$list2" ] && pass list_debian_chronyc_same || fail list_debian_chronyc_same "$OUT"
fi

# --- delete: a bad index, then the first sample ---
c "$A" manual delete 2
expect delete_bad_index 1 "516 Sample index out of range"
if $have_debian_chronyc; then
    dc "$A" manual delete -1
    expect delete_bad_index_debian_chronyc 1 "516 Sample index out of range"
fi
c "$A" manual delete 0
expect delete_first 0 "200 OK"
check delete_reestimates grep -Eq 'Making a slew of 0\.000000$' "$TMP/a.log"
c "$A" -c manual list
if [ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] &&
   printf '%s\n' "$OUT" | awk -F, '{ exit !($4 + 0 > -0.1 && $4 + 0 < 0.1) }'; then
    pass list_after_delete
else
    fail list_after_delete "$OUT"
fi

# --- off: settime is refused (505, chronyc exits 1), the list stays ---
c "$A" manual off
expect manual_off 0 "200 OK"
c "$A" settime "$(date -u '+%Y-%m-%d %H:%M:%S')"
expect settime_when_off 1 "505 Facility not enabled in daemon"
if $have_debian_chronyc; then
    dc "$A" settime "$(date -u '+%Y-%m-%d %H:%M:%S')"
    expect settime_when_off_debian_chronyc 1 "505 Facility not enabled in daemon"
fi
c "$A" manual list
has '^210 n_samples = 1$' && pass list_kept_when_off || fail list_kept_when_off "$OUT"

# --- reset empties the list; on again takes a time ---
c "$A" manual reset
expect manual_reset 0 "200 OK"
c "$A" manual list
has '^210 n_samples = 0$' && pass list_empty_after_reset || fail list_empty_after_reset "$OUT"
c "$A" manual on
expect manual_on 0 "200 OK"
c "$A" settime "$(date -u '+%Y-%m-%d %H:%M:%S')"
[ "$rc" = 0 ] && has '^200 OK$' && pass settime_after_on || fail settime_after_on "rc=$rc $OUT"

c "$A" manual foo
[ "$rc" = 1 ] && pass manual_bad_option || fail manual_bad_option "rc=$rc $OUT"

kill "$APID"
wait "$APID"
arc=$?
[ "$arc" = 0 ] && pass manual_daemon_exit_0 || fail manual_daemon_exit_0 "status $arc"

# ==== (b) -x: ours under the shim, and Debian's, side by side ====

XREC=$TMP/x.rec
X=$TMP/x/chronyd.sock
mkdir -m 0770 "$TMP/x"
cat > "$TMP/x.conf" <<EOF
port 0
cmdport 0
bindcmdaddress $X
pidfile $TMP/x/chronyd.pid
logdir $TMP/x
log tracking
EOF
spawn env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET=-2 CLOCKSHIM_RECORD="$XREC" \
    "$CHRONYD" -x -d -u root -f "$TMP/x.conf" > "$TMP/x.log" 2>&1
XPID=$!
have_debian=false
if [ -x "$DEB_CHRONYD" ] && $have_debian_chronyc; then
    D=$TMP/d/chronyd.sock
    mkdir -m 0770 "$TMP/d"
    sed "s|$TMP/x|$TMP/d|" "$TMP/x.conf" > "$TMP/d.conf"
    spawn "$DEB_CHRONYD" -x -d -u root -f "$TMP/d.conf" > "$TMP/d.log" 2>&1
    DPID=$!
    have_debian=true
fi
if ! wait_for 5 test -S "$X"; then
    fail manual_x_start "$(cat "$TMP/x.log")"
    exit 1
fi
if $have_debian && ! wait_for 5 test -S "$D"; then
    fail manual_x_debian_start "$(cat "$TMP/d.log")"
    have_debian=false
fi
pass manual_x_start

# run_both NAME ARGS...: the same command to ours ($OURS, $ORC) and, if
# there, Debian's ($THEIRS, $TRC)
run_both() {
    c "$X" "$@"; OURS=$OUT; ORC=$rc
    if $have_debian; then dc "$D" "$@"; THEIRS=$OUT; TRC=$rc; fi
}
# same NAME: ours and Debian's answered the same, numbers masked
same() {
    $have_debian || { skip "$1" "no Debian chronyd"; return; }
    if [ "$ORC" = "$TRC" ] && [ "$(printf '%s\n' "$OURS" | mask)" = "$(printf '%s\n' "$THEIRS" | mask)" ]; then
        pass "$1"
    else
        fail "$1" "ours rc=$ORC: $OURS // Debian's rc=$TRC: $THEIRS"
    fi
}

run_both settime "$(date -u '+%Y-%m-%d %H:%M:%S')"
[ "$ORC" = 1 ] && [ "$OURS" = "505 Facility not enabled in daemon" ] && pass x_settime_not_enabled ||
    fail x_settime_not_enabled "rc=$ORC $OURS"
same x_settime_not_enabled_as_debian
run_both manual on
same x_manual_on_as_debian

# ours 2 s behind given true time; Debian's (true time) given 2 s ahead,
# in the same second
settime_at c "$X"
OURS=$OUT ORC=$rc
if [ "$ORC" = 0 ] && near "$(settime_value)" -2 0.1; then pass x_settime; else fail x_settime "rc=$ORC $OURS"; fi
if $have_debian; then dc "$D" settime "$(date_of $((GIVEN + 2)))"; THEIRS=$OUT TRC=$rc; fi
same x_settime_as_debian
run_both settime "$(date -u '+%Y-%m-%d %H:%M:%S')"
if in_range "$(now)" 0 "$(awk -v b="$BEFORE" 'BEGIN { printf "%.6f", b + 0.9 }')"; then
    same x_settime_too_soon_as_debian
else
    skip x_settime_too_soon_as_debian "too slow to be within a second"
fi
run_both tracking
sys=$(OUT=$OURS; tracking_field "System time")
if printf '%s\n' "$OURS" | grep -q '^Reference ID    : 00000000 ()$' &&
   near "$(echo "$sys" | awk '{ print $1 }')" 2 0.1 && [ "$(echo "$sys" | awk '{ print $3 }')" = slow ]; then
    pass x_tracking
else
    fail x_tracking "$OURS"
fi
same x_tracking_as_debian
run_both manual list
same x_list_as_debian
run_both -c manual list
same x_list_csv_as_debian
run_both manual delete 1
same x_delete_bad_index_as_debian
run_both manual delete 0
same x_delete_as_debian
run_both manual list
same x_list_after_delete_as_debian
run_both manual off
same x_manual_off_as_debian
# the tracking log: a line at the start, then one for each manual
# reference ("MANU", stratum 1, the skew of 0.1 printed as nines)
OURS=$(grep -v '^ *Date\|^=' "$TMP/x/tracking.log" 2>/dev/null) ORC=0
if printf '%s\n' "$OURS" | sed -n 2p | grep -Eq '^[0-9-]+ [0-9:]+ MANU +1 +0\.000 +99999\.999 +-[12]\.[0-9]{3}e\+00 \? +1 '; then
    pass x_tracking_log
else
    fail x_tracking_log "$OURS"
fi
if $have_debian; then THEIRS=$(grep -v '^ *Date\|^=' "$TMP/d/tracking.log" 2>/dev/null) TRC=0; fi
same x_tracking_log_as_debian

# -x: the virtual clock was never adjusted, and is still 2 s behind
if ! awk -v p="$XPID" '$1 == p && $10 ~ /^(adjtimex:|settime)/ { bad = 1 } END { exit bad }' "$XREC"; then
    fail x_clock_untouched "$(awk -v p="$XPID" '$1 == p && $10 ~ /^(adjtimex:|settime)/' "$XREC" | head -3)"
else
    # a fresh record line: the daemon reads its clock to answer
    c "$X" tracking
    xoff=$(awk -v p="$XPID" '$1 == p { o = $3 } END { print o }' "$XREC")
    near "$xoff" -2 0.0001 && pass x_clock_untouched || fail x_clock_untouched "offset $xoff"
fi

kill "$XPID"
wait "$XPID"
xrc=$?
[ "$xrc" = 0 ] && pass manual_x_exit_0 || fail manual_x_exit_0 "status $xrc"
if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$TMP/a.log" "$TMP/x.log"; then
    fail manual_sanitizer "$(grep -h -A5 'runtime error\|Sanitizer' "$TMP/a.log" "$TMP/x.log" | head -20)"
else
    pass manual_sanitizer
fi
