#!/bin/sh
# settime's date language: our chronyc and Debian's chronyc 4.3 must send
# the same instant for the same text (relative items, weekdays, zones,
# getdate's quirks) and refuse the same texts.
#
# Both run with a fixed "now": under the clock shim (test/clockshim), whose
# offset puts the process's clock a fraction of a second after NOW when it
# starts (the shim only virtualises the clock of the process it is loaded
# into; chronyc never sets it, and runs without CAP_SYS_TIME anyway). The
# request each sends goes to test/tools/cmdreplay, which logs it; the
# timestamp is read from the log. A pair that differs is run once more,
# in case a slow start took one of them past NOW's second.
. test/system/lib.sh

DEB=/usr/bin/chronyc
REPLAY=$CW_BUILD/test/tools/cmdreplay
SHIM_BUILD=${CLOCKSHIM_BUILD:-$CW_TOP/build/clockshim}
SHIM=$SHIM_BUILD/libclockshim.so
export LC_ALL=C

if [ ! -x "$DEB" ]; then
    skip chronyc_settime "no Debian chronyc"
    exit 0
fi
for f in "$CHRONYC" "$REPLAY"; do
    if [ ! -x "$f" ]; then
        fail chronyc_settime_binaries "no $f"
        exit 1
    fi
done
if ! make -s -C "$CW_TOP/test/clockshim" O="$SHIM_BUILD" > "$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    fail chronyc_settime_shim_build
    exit 1
fi

mkdir -m 0770 "$TMP/srv"
SOCK=$TMP/srv/chronyd.sock
LOG=$TMP/requests.log
# -s 0: every request gets a bare "success"; only the log matters here
"$REPLAY" -u "$SOCK" -l "$LOG" -s 0 2>> "$TMP/replay.err" &
CW_PIDS="$CW_PIDS $!"
if ! wait_for 5 test -S "$SOCK"; then
    fail chronyc_settime_responder "no socket"
    exit 1
fi

# sent BIN ZONE NOW TEXT: the seconds of the timestamp BIN sends for
# "settime TEXT" with the clock at NOW (+ a fraction) in zone ZONE, or
# "refused: MESSAGE" when it sends nothing
sent() {
    bin=$1; zone=$2; at=$3; text=$4
    : > "$LOG"
    offset=$(awk -v at="$at" -v now="$(date +%s.%N)" 'BEGIN { printf "%.3f", at + 0.2 - now }')
    TZ=$zone $SETPRIV env LD_PRELOAD="$SHIM" CLOCKSHIM_OFFSET="$offset" \
        "$bin" -h "$SOCK" "settime $text" > "$TMP/out" 2>&1 < /dev/null
    hex=$(head -1 "$LOG" | cut -d' ' -f2)
    if [ -z "$hex" ]; then
        echo "refused: $(head -1 "$TMP/out")"
        return
    fi
    # the request header is 20 bytes; the seconds are the next two words
    hi=$(echo "$hex" | cut -c41-48); lo=$(echo "$hex" | cut -c49-56)
    echo $(( (0x$hi << 32) | 0x$lo ))
}

# same ZONE NOW TEXT...: each TEXT gives the same result to both
same() {
    zone=$1; at=$2; shift 2
    for text in "$@"; do
        name="settime_$(echo "${zone%%,*}_$text" | tr -c 'a-zA-Z0-9\n' '_' | cut -c1-48)"
        tries=0
        while :; do
            deb=$(sent "$DEB" "$zone" "$at" "$text")
            ours=$(sent "$CHRONYC" "$zone" "$at" "$text")
            tries=$((tries + 1))
            [ "$deb" = "$ours" ] || [ $tries -ge 2 ] || continue
            break
        done
        if [ "$deb" = "$ours" ]; then
            pass "$name"
        else
            fail "$name" "\"$text\": chrony $deb, ours $ours"
        fi
    done
}

# Tuesday 2023-11-14 22:13:20 UTC
same UTC 1700000000 \
    "now" "today" "+5 min" "5 minutes ago" "2 hours" "-1 day" "tomorrow" \
    "yesterday" "1 day 2 hours ago" "next week" "last month" "next year" \
    "2 fortnights ago" "10 sec ago" "monday" "next monday" "last tuesday" \
    "third friday" "tomorrow 10:00" "sunday, 10:00" "Jan 31 + 1 month" \
    "16:30 +0100" "16:30 cet dst" "16:30 e.s.t." "16:30 a" "12:61" \
    "Sep 25 2015 1" "Sep 32, 2015" "" "next" \
    "Sep 25 2015 16:30:05" "25 Sep 16:30" "yesterday noon" "16:30 j" \
    "16:30:05.5" "mon tue" "last"

# US Eastern, Saturday 2024-03-09 12:00 EST, the day before summer time
same "EST5EDT,M3.2.0,M11.1.0" 1710003600 \
    "tomorrow" "+1 day" "+24 hours" "2:30 tomorrow" "sunday" "sunday 2:30" \
    "last saturday" "16:30 UTC" "16:30 EDT" "+1 month" "" "now"
