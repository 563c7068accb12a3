# The leap second at the end of 2016-12-31, lived through by our chronyd on
# virtual clocks: every process here runs under the clock shim
# (test/clockshim), which models the kernel's leap second insertion, with
# the same CLOCKSHIM_OFFSET, so that all their clocks read 23:59:45 UTC of
# that day at the start; daemons that control their clock also run without
# CAP_SYS_TIME (setpriv). The leap second comes from a leapseclist file
# written here (the step client uses the system's right/UTC zone instead,
# where installed; the sources do not announce it). The server is our chronyd
# -x with `local stratum 8`, which knows nothing about leap seconds.
# Four clients, one per leapsecmode, judged by the shim's record of their
# clocks (never by what they say about themselves):
#   system: the kernel's flag is set and the kernel repeats 23:59:59 at
#           midnight (the record's "leap" event); no step; the flag cleared
#           after; our NTP server announces leap=1 before and 0 after;
#   step:   chronyd steps the clock back by 1 s at midnight;
#   slew:   no step; the clock slews back at maxslewrate (83333 ppm) from
#           midnight on;
#   ignore: neither a step nor a slew.
# Samples around the leap are dropped by all ("Dropping sample around leap
# second"). The checks look at the seconds up to 00:00:05 only: then the
# clients see the leap-unaware server 1 s off and start correcting that.
. test/system/lib.sh

SHIM_BUILD=${CLOCKSHIM_BUILD:-$CW_TOP/build/clockshim}
SHIM=$SHIM_BUILD/libclockshim.so
NTPPROBE=${NTPPROBE:-$CW_BUILD/test/tools/ntpprobe}
if ! make -s -C "$CW_TOP/test/clockshim" O="$SHIM_BUILD" > "$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    fail leap_shim_build
    exit 1
fi

MIDNIGHT=1483228800             # 2017-01-01 00:00:00 UTC
START=$((MIDNIGHT - 15))        # the virtual clocks start at 23:59:45
# virtual minus true time, for every process
OFF=$(awk -v s="$START" -v now="$(date +%s.%N)" 'BEGIN { printf "%.6f", s - now }')
# vnow: the virtual time now
vnow() { awk -v o="$OFF" -v now="$(date +%s.%N)" 'BEGIN { printf "%.3f", now + o }'; }
# wait_virtual T: sleep until the virtual clocks read T (unslewed)
wait_virtual() {
    d=$(awk -v t="$1" -v o="$OFF" -v now="$(date +%s.%N)" 'BEGIN { d = t - o - now; printf "%.3f", (d > 0 ? d : 0) }')
    sleep "$d"
}

# Record columns: pid true_s offset_s rate_ppm freq_ppm tick status state maxerror_us event
# (virtual time of a line: true_s + offset_s)

# The leap second list: the IERS entries since 2009, and chrony's check
# needs 2012's; valid until mid-2017.
cat > "$TMP/leap-seconds.list" <<EOF
#	leap-seconds.list for the test (IERS Bulletin C entries)
#\$	 3676924800
#@	3707596800
2272060800	10	# 1 Jan 1972
3439756800	34	# 1 Jan 2009
3550089600	35	# 1 Jul 2012
3644697600	36	# 1 Jul 2015
3692217600	37	# 1 Jan 2017
EOF

P=$(free_port)
Q=$(free_port)
local_server "$P" env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET="$OFF" "$CHRONYD"

MODES="system step slew ignore"
for m in $MODES; do
    mkdir -p "$TMP/$m"
    chmod 700 "$TMP/$m"
    port=0
    [ "$m" = system ] && port=$Q
    # the step client reads the system's right/UTC zone where installed
    db="leapseclist $TMP/leap-seconds.list"
    [ "$m" = step ] && [ -r /usr/share/zoneinfo/right/UTC ] && db="leapsectz right/UTC"
    cat > "$TMP/$m.conf" <<EOF
server 127.0.0.1 port $P minpoll 0 maxpoll 0 iburst
$db
leapsecmode $m
port $port
bindaddress 127.0.0.1
allow 127.0.0.1
pidfile $TMP/$m/chronyd.pid
cmdport 0
bindcmdaddress /
EOF
    spawn env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET="$OFF" CLOCKSHIM_RECORD="$TMP/$m.rec" \
        "$CHRONYD" -d -u root -f "$TMP/$m.conf" 2> "$TMP/$m.log"
    eval "PID_$m=\$!"
done

# synchronised, with the kernel told, well before the leap
if wait_for 10 grep -q 'System clock status set to insert leap second' "$TMP/system.log"; then
    pass leap_system_flag_set_logged
else
    fail leap_system_flag_set_logged
    sed 's/^/    /' "$TMP/system.log"
fi
echo "# synchronised at virtual $(vnow) (midnight: $MIDNIGHT)"
check leap_list_used grep -q "Z Using leap second list $TMP/leap-seconds.list\$" "$TMP/system.log"
if grep -q '^leapsectz' "$TMP/step.conf"; then
    check leap_zone_used grep -q 'Z Using right/UTC timezone to obtain leap second data$' "$TMP/step.log"
fi

# our NTP server announces the leap second in the last seconds of the day
wait_virtual $((MIDNIGHT - 8))
"$NTPPROBE" -p "$Q" 127.0.0.1 > "$TMP/probe1.out" 2>&1
check leap_server_announces_insert grep -q '^reply .* leap=1 .* stratum=9 ' "$TMP/probe1.out"

# ... and no more after it (the leap second is over 2 s after it started)
wait_virtual $((MIDNIGHT + 3))
"$NTPPROBE" -p "$Q" 127.0.0.1 > "$TMP/probe2.out" 2>&1
check leap_server_normal_after grep -q '^reply .* leap=0 .* stratum=9 ' "$TMP/probe2.out"

wait_virtual $((MIDNIGHT + 6))
for m in $MODES; do
    eval "pid=\$PID_$m"
    kill -TERM "$pid"
    wait "$pid"
    eval "rc_$m=\$?"
done
kill -TERM "$SRV"
wait "$SRV"

# pid of a record's daemon
rec_pid() { awk '$10 == "start" { p = $1 } END { print p }' "$1"; }
# steps REC PID FROM TO: "vtime_before jump" of every step between virtual FROM and TO
steps() {
    awk -v p="$2" -v a="$3" -v b="$4" '
        $1 != p { next }
        ($10 == "adjtimex:0x2100" || $10 ~ /^settime/) && prev != "" {
            v = $2 + prev; if (v >= a && v <= b) printf "%.3f %.6f\n", v, $3 - prev }
        { prev = $3 }' "$1"
}

for m in $MODES; do
    eval "rc=\$rc_$m"
    check "leap_${m}_exit_0" [ "$rc" = 0 ]
    check "leap_${m}_samples_dropped" grep -q 'Z Dropping sample around leap second$' "$TMP/$m.log"
done

# --- system: the kernel's leap second ---
R=$TMP/system.rec
RP=$(rec_pid "$R")
check leap_system_kernel_flag_set awk -v p="$RP" -v m="$MIDNIGHT" '
    function hex(s,   i, v) { v = 0; for (i = 3; i <= length(s); i++)
        v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1; return v }
    $1 == p && $10 ~ /^adjtimex:/ && $2 + $3 < m && int(hex($7) / 16) % 2 == 1 { ok = 1 }
    END { exit !ok }' "$R"
# the kernel repeated 23:59:59: the clock went back by 1 s at midnight.
# The shim writes its "leap" line at the first use of the clock after it:
# the virtual time then is in the repeated second, and the offset 1 s less
# than on the lines written more than a second before.
leapline=$(awk -v p="$RP" '
    $1 != p { next }
    { t[++n] = $2; o[n] = $3 }
    $10 == "leap" && !done { for (i = n - 1; i > 0; i--) if (t[i] < $2 - 1.0) break
                             if (i > 0) printf "%.3f %.6f\n", $2 + $3, $3 - o[i]; done = 1 }' "$R")
echo "# system: kernel leap at virtual ${leapline:-none} (after, and the jump)"
check leap_system_kernel_inserted awk -v l="$leapline" -v m="$MIDNIGHT" 'BEGIN {
    split(l, f, " "); exit !(l != "" && f[1] >= m - 1.0 && f[1] < m && f[2] > -1.001 && f[2] < -0.999) }'
check leap_system_no_step [ -z "$(steps "$R" "$RP" $((MIDNIGHT - 10)) $((MIDNIGHT + 5)))" ]
check leap_system_flag_cleared grep -q 'System clock status set to not insert/delete leap second' "$TMP/system.log"

# --- step: chronyd steps back by 1 s at midnight ---
R=$TMP/step.rec
RP=$(rec_pid "$R")
st=$(steps "$R" "$RP" $((MIDNIGHT - 10)) $((MIDNIGHT + 5)))
echo "# step: steps near midnight (virtual time before, jump): ${st:-none}"
check leap_step_stepped_at_midnight awk -v s="$st" -v m="$MIDNIGHT" 'BEGIN {
    n = split(s, f, " "); exit !(n == 2 && f[1] >= m - 0.01 && f[1] < m + 0.5 && f[2] > -1.001 && f[2] < -0.999) }'
check leap_step_logged grep -q 'Z System clock was stepped for leap second$' "$TMP/step.log"
check leap_step_no_kernel_leap sh -c "! awk '\$10 == \"leap\"' '$R' | grep -q ."

# --- slew: slewed back at maxslewrate from midnight on ---
R=$TMP/slew.rec
RP=$(rec_pid "$R")
check leap_slew_no_step [ -z "$(steps "$R" "$RP" $((MIDNIGHT - 10)) $((MIDNIGHT + 5)))" ]
check leap_slew_logged grep -q 'Z Adjusting system clock for leap second$' "$TMP/slew.log"
# the offset lost between virtual 23:59:59 and the last record line before
# 00:00:04.5: slewing at 83333 ppm from midnight, at most 0.41 s (the
# record has a line at least every second)
lost=$(awk -v p="$RP" -v m="$MIDNIGHT" '
    $1 != p { next }
    { v = $2 + $3 }
    v < m - 1 { o0 = $3 }
    v < m + 4.5 { o1 = $3; r = $4 < r ? $4 : r }
    END { printf "%.4f %.0f", o0 - o1, r }' "$R")
echo "# slew: offset lost by 00:00:04.5 and the fastest rate (ppm): $lost"
check leap_slew_at_maxslewrate awk -v l="$lost" 'BEGIN {
    split(l, f, " "); exit !(f[1] > 0.25 && f[1] < 0.42 && f[2] < -80000 && f[2] > -86000) }'

# --- ignore: nothing done ---
R=$TMP/ignore.rec
RP=$(rec_pid "$R")
check leap_ignore_no_step [ -z "$(steps "$R" "$RP" $((MIDNIGHT - 10)) $((MIDNIGHT + 5)))" ]
check leap_ignore_logged grep -q 'Z Ignoring leap second$' "$TMP/ignore.log"
check leap_ignore_no_slew awk -v p="$RP" -v m="$MIDNIGHT" '
    $1 == p && $2 + $3 > m - 1 && $2 + $3 < m + 4.5 && ($4 > 1000 || $4 < -1000) { bad = 1 }
    END { exit bad }' "$R"

check no_sanitizer_reports sh -c "! grep -l 'Sanitizer\|runtime error' '$TMP'/*.log"
