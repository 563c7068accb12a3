# chronyd as a process: foreground and daemonised start, the pid file, a
# second instance, quit signals, -t, -l and -L. Every daemon runs with -x,
# without CAP_SYS_TIME, with a loopback-only configuration in a temporary dir.
. test/system/lib.sh

REF=${REF_CHRONYD:-/usr/sbin/chronyd}
[ -x "$REF" ] || REF=""

if [ ! -x "$CHRONYD" ]; then
    fail daemon_binary "no $CHRONYD"
    exit 1
fi

RUN=$TMP/run
PIDFILE=$RUN/chronyd.pid
CONF=$TMP/chrony.conf
cat > "$CONF" <<EOF
pidfile $PIDFILE
bindcmdaddress $RUN/chronyd.sock
cmdport 0
port 0
EOF

untimed() { sed 's/^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z //' "$1"; }
has_line() { untimed "$1" | grep -qxF -- "$2"; }
pidfile_is() { [ -f "$PIDFILE" ] && [ "$(cat "$PIDFILE")" = "$1" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
VERSION_LINE="chronyd version $("$CHRONYD" -v | sed 's/^chronyd (clockwork) version \([^ ]*\) (\(.*\))$/\1 starting (\2)/')"

# --- foreground with -d: pid file, log on stderr, SIGTERM --------------------
spawn "$CHRONYD" -x -d -f "$CONF" 2> "$TMP/fg.err"
FG=$!
if wait_for 5 pidfile_is "$FG"; then pass foreground_writes_pidfile; else fail foreground_writes_pidfile; fi
check pidfile_dir_created [ -d "$RUN" ]
check pidfile_format grep -qx "$FG" "$PIDFILE"

# A second instance refuses to start while the first runs, in every mode.
MSG="Another chronyd may already be running (pid=$FG), check $PIDFILE"
$SETPRIV "$CHRONYD" -x -d -f "$CONF" 2> "$TMP/second.err"
rc=$?
check second_instance_exit_1 [ "$rc" = 1 ]
check second_instance_message has_line "$TMP/second.err" "Fatal error : $MSG"
check second_instance_leaves_pidfile pidfile_is "$FG"
# With -n the message goes to syslog and, as chrony does, to the terminal.
$SETPRIV "$CHRONYD" -x -n -f "$CONF" 2> "$TMP/second-n.err"
rc=$?
check second_instance_n_exit_1 [ "$rc" = 1 ]
check second_instance_n_on_terminal grep -qxF "Fatal error : $MSG" "$TMP/second-n.err"
# Daemonised: the waiting parent prints the daemon's fatal error and exits 1.
$SETPRIV "$CHRONYD" -x -f "$CONF" 2> "$TMP/second-d.err"
rc=$?
check second_instance_daemon_exit_1 [ "$rc" = 1 ]
check second_instance_daemon_reports grep -qxF "$MSG" "$TMP/second-d.err"
check second_instance_daemon_leaves_pidfile pidfile_is "$FG"
if [ -n "$REF" ] && pidfile_is "$FG" && kill -0 "$FG" 2>/dev/null; then
    # chrony itself agrees about our pid file (it stops at the check, before
    # opening anything). -t bounds its life should it ever get further.
    $SETPRIV "$REF" -x -d -u root -t 1 -f "$CONF" 2> "$TMP/ref-second.err"
    rc=$?
    check second_instance_same_as_chrony sh -c \
        "[ $rc = 1 ] && grep -qF 'Fatal error : $MSG' '$TMP/ref-second.err'"
else
    skip second_instance_same_as_chrony "no reference chronyd"
fi

kill -TERM "$FG"
wait "$FG"; rc=$?
check sigterm_exit_0 [ "$rc" = 0 ]
check sigterm_removes_pidfile [ ! -e "$PIDFILE" ]
check log_starting_line has_line "$TMP/fg.err" "$VERSION_LINE"
check log_exiting_line has_line "$TMP/fg.err" "chronyd exiting"
check log_disabled_clock_control has_line "$TMP/fg.err" "Disabled control of system clock"
check log_lines_timestamped sh -c \
    "grep -c '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z ' '$TMP/fg.err' | grep -qx \$(wc -l < '$TMP/fg.err')"

# --- the other quit signals end the daemon cleanly too ----------------------
for sig in INT QUIT HUP; do
    spawn "$CHRONYD" -x -d -f "$CONF" 2> "$TMP/sig.err"
    P=$!
    if wait_for 5 pidfile_is "$P"; then
        kill -"$sig" "$P"
        wait "$P"; rc=$?
        check "sig${sig}_exit_0" sh -c "[ $rc = 0 ] && [ ! -e '$PIDFILE' ] && grep -q 'chronyd exiting' '$TMP/sig.err'"
    else
        fail "sig${sig}_exit_0" "daemon did not start"
    fi
done

# --- -t: exits by itself; status 1 because the clock is not synchronised ------
start=$(date +%s)
$SETPRIV "$CHRONYD" -x -d -t 1 -f "$CONF" 2> "$TMP/t.err"
rc=$?
elapsed=$(( $(date +%s) - start ))
check timeout_exits_unsynchronised [ "$rc" = 1 ]
check timeout_takes_about_1s [ "$elapsed" -ge 1 -a "$elapsed" -le 3 ]
check timeout_logged has_line "$TMP/t.err" "Timeout reached"
check timeout_removes_pidfile [ ! -e "$PIDFILE" ]

# --- -l: log to a file, nothing on the terminal -------------------------------
$SETPRIV "$CHRONYD" -x -n -t 0 -l "$TMP/file.log" -f "$CONF" 2> "$TMP/l.err"
check logfile_written sh -c "grep -q 'chronyd exiting' '$TMP/file.log' && grep -q 'Timeout reached' '$TMP/file.log'"
check logfile_has_start_line has_line "$TMP/file.log" "$VERSION_LINE"
# every line stamped with the time (the clock main hands to the log module)
check logfile_stamped sh -c \
    "grep -c '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z ' '$TMP/file.log' | grep -qx \$(wc -l < '$TMP/file.log')"
check logfile_not_on_terminal [ ! -s "$TMP/l.err" ]
check logfile_private [ "$(stat -c %a "$TMP/file.log")" = 640 ]
$SETPRIV "$CHRONYD" -x -n -t 0 -l "$TMP/no/such/dir/x.log" -f "$CONF" 2> "$TMP/lbad.err"
rc=$?
check logfile_unwritable_fatal sh -c \
    "[ $rc = 1 ] && grep -q 'Fatal error : Could not open $TMP/no/such/dir/x.log' '$TMP/lbad.err'"

# --- -L: the threshold drops informational messages ---------------------------
$SETPRIV "$CHRONYD" -x -d -L 1 -t 0 -f "$CONF" 2> "$TMP/L.err"
check threshold_hides_info sh -c "! grep -q 'starting\|Timeout reached\|exiting' '$TMP/L.err'"
$SETPRIV "$CHRONYD" -x -d -L 0 -t 0 -f "$CONF" 2> "$TMP/L0.err"
check threshold_0_shows_info grep -q 'Timeout reached' "$TMP/L0.err"

# --- -Q: one-shot client; with no usable source it gives up at once, status 1 --
start=$(date +%s)
$SETPRIV "$CHRONYD" -x -Q -t 5 -f "$CONF" 2> "$TMP/Q.err"
rc=$?
check oneshot_no_source_exit_1 [ "$rc" = 1 ]
check oneshot_no_source_quick [ $(( $(date +%s) - start )) -le 2 ]
check oneshot_no_source_logged has_line "$TMP/Q.err" "No suitable source for synchronisation"
check oneshot_no_pidfile_left [ ! -e "$PIDFILE" ]

# --- unsupported options are accepted with a warning naming them --------------
$SETPRIV "$CHRONYD" -x -d -F 1 -s -t 0 -f "$CONF" 2> "$TMP/u.err"
check unsupported_option_warned grep -q 'Option -F ' "$TMP/u.err"

# --- daemonised: returns to the shell, the daemon runs detached --------------
start=$(date +%s)
$SETPRIV "$CHRONYD" -x -f "$CONF" -l "$TMP/d.log" 2> "$TMP/d.err"
rc=$?
check daemon_parent_exit_0 [ "$rc" = 0 ]
check daemon_parent_quick [ $(( $(date +%s) - start )) -le 2 ]
check daemon_parent_silent [ ! -s "$TMP/d.err" ]
if wait_for 5 test -s "$PIDFILE"; then
    D=$(cat "$PIDFILE")
    CW_PIDS="$CW_PIDS $D"
    check daemon_running kill -0 "$D"
    # A session of its own, not a child of this shell.
    check daemon_detached sh -c "[ \$(ps -o sid= -p $D) != \$(ps -o sid= -p $$) ] &&
        [ \$(ps -o ppid= -p $D) != $$ ]"
    check daemon_no_terminal sh -c "[ \$(readlink /proc/$D/fd/0) = /dev/null ] &&
        [ \$(readlink /proc/$D/fd/2) = /dev/null ] && [ \$(readlink /proc/$D/cwd) = / ]"
    kill -TERM "$D"
    if wait_for 5 gone "$D"; then pass daemon_sigterm_ends; else fail daemon_sigterm_ends; fi
    check daemon_removes_pidfile [ ! -e "$PIDFILE" ]
    check daemon_logged_exit grep -q 'chronyd exiting' "$TMP/d.log"
else
    fail daemon_running "no pid file"
fi
