#!/bin/sh
# logs: the `log` directive's files (measurements, statistics, selection,
# tracking), written by our chronyd -x polling our loopback server (local
# stratum 8), side by side with Debian's chronyd 4.3 (-x too) polling the
# same server with the same log lines: each file's header must be Debian's,
# and each entry line must have Debian's number of columns and sane values
# (dates, the address, state letters, octal reach). Also: `log rtc` and the
# other kinds without a feature warn once each, and a `log` line of
# implemented kinds does not warn.
. test/system/lib.sh

ORACLE=${CW_ORACLE_CHRONYD:-/usr/sbin/chronyd}
# Seconds both clients run: enough polls at 0.5 s for several fits.
RUN_S=6
KINDS="measurements statistics selection tracking"

P=$(free_port)
local_server "$P" "$CHRONYD"
local_server_started logs_server_started

# client NAME BINARY: a -x client with every log this test reads
client() {
    mkdir -p "$TMP/$1/log"
    chmod 700 "$TMP/$1"
    cat > "$TMP/$1.conf" <<EOF
server 127.0.0.1 port $P minpoll -1 maxpoll -1 iburst
pidfile $TMP/$1/chronyd.pid
port 0
cmdport 0
bindcmdaddress $TMP/$1/chronyd.sock
logdir $TMP/$1/log
log $KINDS
EOF
    spawn "$2" -x -d -u root -f "$TMP/$1.conf" 2> "$TMP/$1.err"
}

client ours "$CHRONYD"
OURS=$!
if [ -x "$ORACLE" ]; then
    client debian "$ORACLE"
    DEB=$!
fi
sleep $RUN_S
kill -TERM "$OURS"
wait "$OURS" 2> /dev/null
[ -n "${DEB:-}" ] && { kill -TERM "$DEB"; wait "$DEB" 2> /dev/null; }

# header FILE: the file's second line (the first is the '=' banner)
header() { sed -n 2p "$1"; }
# entries FILE: the lines that are neither banners nor the header
entries() { awk 'NR > 3 && !/^=+$/ && !/Date \(UTC\)/' "$1"; }
# columns FILE: the distinct numbers of columns of the entries
columns() { entries "$1" | awk '{ print NF }' | sort -u | tr '\n' ' '; }

for k in $KINDS; do
    f=$TMP/ours/log/$k.log
    check "logs_${k}_written" test -s "$f"
    check "logs_${k}_banner" sh -c "sed -n '1p;3p' '$f' | grep -cxE '=+' | grep -qx 2"
    if [ -n "${DEB:-}" ]; then
        d=$TMP/debian/log/$k.log
        if [ "$(header "$f")" = "$(header "$d")" ]; then
            pass "logs_${k}_header_is_debians"
        else
            fail "logs_${k}_header_is_debians" "ours '$(header "$f")', Debian's '$(header "$d")'"
        fi
        oc=$(columns "$f"); dc=$(columns "$d")
        if [ -n "$dc" ] && [ "$oc" = "$dc" ]; then
            pass "logs_${k}_columns_are_debians"
        else
            fail "logs_${k}_columns_are_debians" "ours '$oc', Debian's '$dc'"
        fi
    fi
done

for k in $KINDS; do entries "$TMP/ours/log/$k.log" > "$TMP/$k.ent"; done
[ -n "${CW_LOGS_KEEP:-}" ] && cp -r "$TMP/ours/log" "$CW_LOGS_KEEP/ours" &&
    { [ -z "${DEB:-}" ] || cp -r "$TMP/debian/log" "$CW_LOGS_KEEP/debian"; }

DATE='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} '
NUM='-?[0-9]\.[0-9]{3}e[-+][0-9]{2}'
# statistics: date, address, five numbers, stress, Ns Bs Nr and Asym;
# Ns grows to at least 3 samples, Bs <= Ns, Nr >= 1
check logs_statistics_values sh -c "
    [ -s '$TMP/statistics.ent' ] &&
    ! grep -vE '${DATE}127\.0\.0\.1 +($NUM +){5}[0-9]\.[0-9]e[-+][0-9]{2} +[0-9]+ +[0-9]+ +[0-9]+ +-?[0-9]+\.[0-9]{2}\$' '$TMP/statistics.ent' &&
    awk '\$10 < 3 || \$11 > \$10 || \$12 < 1 { bad = 1 } END { exit bad }' '$TMP/statistics.ent'"
# selection: a state letter, options '-----', octal reach, and once the
# source has samples the selected state '*' with reach growing
check logs_selection_values sh -c "
    [ -s '$TMP/selection.ent' ] &&
    ! grep -vE '${DATE}127\.0\.0\.1 +[*+xW~NMsrdwSOTPUDL-] -----  *[0-7]{1,3} +-?[0-9]+\.[0-9]{2} +($NUM +){2}$NUM\$' '$TMP/selection.ent' &&
    awk '\$4 == \"*\" { sel = 1 } \$6 ~ /^[0-7]+\$/ && \$6 + 0 >= 17 { reach = 1 } END { exit !(sel && reach) }' '$TMP/selection.ent'"
# tracking (the source once selected) and measurements (stratum 8)
check logs_tracking_values sh -c "
    awk '\$3 == \"127.0.0.1\" && \$4 == 9 { n++ } END { exit !n }' '$TMP/tracking.ent'"
check logs_measurements_values sh -c "
    awk '\$3 == \"127.0.0.1\" && \$5 == 8 { n++ } END { exit !n }' '$TMP/measurements.ent'"
check logs_no_directive_warning sh -c "! grep -q 'log directive not supported' '$TMP/ours.err'"

# the kinds without a feature: accepted, one warning each
$SETPRIV "$CHRONYD" -x -d -u root -Q "log rtc tracking refclocks tempcomp" \
    "pidfile $TMP/q.pid" "port 0" "cmdport 0" "bindcmdaddress /" > "$TMP/q.out" 2> "$TMP/q.err"
check logs_unsupported_kinds_warn sh -c "
    [ \$(grep -c 'log rtc not supported yet\$' '$TMP/q.err') = 1 ] &&
    [ \$(grep -c 'log refclocks not supported yet\$' '$TMP/q.err') = 1 ] &&
    [ \$(grep -c 'log tempcomp not supported yet\$' '$TMP/q.err') = 1 ] &&
    ! grep -q 'log tracking\|log directive' '$TMP/q.err'"
# our client's and server's stderr: no sanitizer report (CW_BUILD=build/san)
check logs_no_sanitizer_reports sh -c "! grep -l 'Sanitizer\|runtime error' '$TMP/ours.err' '$TMP/srv.log' '$TMP/q.err'"
