#!/bin/sh
# chronyc -u USER (chrony 4.8): chronyc started as root becomes USER (no
# supplementary groups) before it opens any socket, so its Unix socket works
# only where USER may reach the daemon's, and otherwise the next address
# (UDP, monitoring only) is used. "-u root" and a caller that is not root
# keep their identity; an unknown user is fatal with chrony's message.
#
# Our chronyd runs with -x, without CAP_SYS_TIME, with -u nobody: its socket
# directory is then nobody's (mode 0770), so nobody reaches the socket and
# the user "daemon" does not. (The daemon itself stays root: its own drop is
# not implemented; -u only sets the directory's owner.)
. test/system/lib.sh
export TZ=UTC LC_ALL=C

if [ ! -x "$CHRONYD" ] || [ ! -x "$CHRONYC" ]; then
    fail chronyc_user_binaries "no $CHRONYD or $CHRONYC"
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    skip chronyc_user "needs root"
    exit 0
fi
for u in nobody daemon; do
    if ! getent passwd "$u" > /dev/null; then
        skip chronyc_user "no user $u"
        exit 0
    fi
done
NOBODY_UID=$(id -u nobody); NOBODY_GID=$(id -g nobody)
UNKNOWN=cw-no-such-user

# the other users must get through $TMP to the socket directory
chmod 0711 "$TMP"
CP=$(free_port)
SOCK=$TMP/run/chronyd.sock
cat > "$TMP/chrony.conf" <<EOF
port 0
cmdport $CP
bindaddress 127.0.0.1
bindcmdaddress 127.0.0.1
bindcmdaddress $SOCK
pidfile $TMP/chronyd.pid
local stratum 10
EOF
spawn "$CHRONYD" -x -d -u nobody -f "$TMP/chrony.conf" > "$TMP/log" 2>&1
if ! wait_for 5 test -S "$SOCK"; then
    fail chronyc_user_daemon "no socket"
    cat "$TMP/log"
    exit 1
fi

# run ARGS...: our chronyc, stdout in $TMP/out, stderr in $TMP/err, status in $rc
run() {
    "$@" > "$TMP/out" 2> "$TMP/err" < /dev/null
    rc=$?
}

# shell_ids ARGS...: our chronyc ARGS as an interactive shell fed through a
# FIFO; once it has answered "tracking" (so it has switched and talked to
# the daemon), its Uid/Gid/Groups lines from /proc are in $TMP/ids and its
# output in $TMP/shell.out
shell_ids() {
    rm -f "$TMP/in"; mkfifo "$TMP/in"
    "$CHRONYC" "$@" < "$TMP/in" > "$TMP/shell.out" 2>&1 &
    cpid=$!
    exec 3> "$TMP/in"
    echo tracking >&3
    wait_for 5 grep -q '^Reference ID' "$TMP/shell.out"
    grep -E '^(Uid|Gid|Groups):' "/proc/$cpid/status" > "$TMP/ids"
    exec 3>&-
    wait "$cpid"
}

# ---- root switching to nobody: the Unix socket, full access ----

shell_ids -u nobody -h "$SOCK"
check switch_sets_uid grep -Eq "^Uid:	$NOBODY_UID	$NOBODY_UID	$NOBODY_UID	$NOBODY_UID\$" "$TMP/ids"
check switch_sets_gid grep -Eq "^Gid:	$NOBODY_GID	$NOBODY_GID	$NOBODY_GID	$NOBODY_GID\$" "$TMP/ids"
check switch_drops_groups grep -Eq '^Groups:[[:space:]]*$' "$TMP/ids"
check switched_shell_talks grep -q '^Reference ID    : 7F7F0101 ()' "$TMP/shell.out"

# a control command works: it went through the Unix socket, which nobody reaches
run "$CHRONYC" -u nobody -h "$SOCK" local stratum 9
check switched_control_over_unix_socket test "$rc" -eq 0 -a "$(cat "$TMP/out")" = "200 OK"
run "$CHRONYC" -u nobody -h "$SOCK" -c tracking
check switched_sees_control_effect grep -q '^7F7F0101,,9,' "$TMP/out"
# the client's directories, made as nobody, are removed as nobody
check switched_client_dirs_removed test -z "$(ls "$TMP/run" | grep '^chronyc\.')"

# ---- a user who cannot reach the socket: UDP, monitoring only ----

run "$CHRONYC" -u daemon -h "$SOCK" tracking
check unreachable_socket_exit_1 test "$rc" -eq 1
check unreachable_socket_message grep -qx 'Could not open connection to daemon' "$TMP/err"
run "$CHRONYC" -u daemon -h "$SOCK,127.0.0.1" -p "$CP" tracking
check falls_back_to_udp_monitoring test "$rc" -eq 0 -a -n "$(grep '^Stratum         : 9$' "$TMP/out")"
run "$CHRONYC" -u daemon -h "$SOCK,127.0.0.1" -p "$CP" local stratum 8
check falls_back_to_udp_not_authorised \
    test "$rc" -eq 1 -a "$(cat "$TMP/out" "$TMP/err")" = "501 Not authorised"

# ---- no switch: -u root, the default user, and a caller that is not root ----

shell_ids -u root -h "$SOCK"
check root_keeps_uid grep -Eq '^Uid:	0	0	0	0$' "$TMP/ids"
if [ "$("$CHRONYC" --help | sed -n 's/^  -u USER	Specify user (\(.*\))$/\1/p')" = root ]; then
    shell_ids -h "$SOCK"
    check default_user_root_keeps_uid grep -Eq '^Uid:	0	0	0	0$' "$TMP/ids"
fi
run setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups \
    "$CHRONYC" -u "$UNKNOWN" -h 127.0.0.1 -p "$CP" tracking
check not_root_ignores_user test "$rc" -eq 0 -a -n "$(grep '^Stratum' "$TMP/out")"

# ---- an unknown user: chrony's message, exit 1, nothing else done ----

run "$CHRONYC" -u "$UNKNOWN" -h "$SOCK" tracking
check unknown_user_exit_1 test "$rc" -eq 1
check unknown_user_message test "$(cat "$TMP/err")" = "Could not get user/group ID of $UNKNOWN"
check unknown_user_no_output test ! -s "$TMP/out"
# --help and -v come first, as in chrony
run "$CHRONYC" -u "$UNKNOWN" -v
check version_before_switch test "$rc" -eq 0 -a ! -s "$TMP/err"
