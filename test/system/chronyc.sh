#!/bin/sh
# chronyc without a daemon: options, version, usage, help, local commands
# (keygen, timeout, retries, dns), exit codes, commands from a pipe, and the
# interactive shell on a pseudo-terminal (prompt, completion, history, ctrl-D).
# Where Debian's chronyc (chrony 4.3) is installed, the same input is given to
# it and messages and exit codes are compared. Both chronyc's are pointed at a
# loopback port nothing listens on: commands that need the daemon fail as
# chrony's do ("506 Cannot talk to daemon"). The protocol itself is tested by
# chronyc_golden.sh and chronyc_live.sh.
. test/system/lib.sh

DEB=/usr/bin/chronyc
[ -x "$DEB" ] || DEB=""
PORT=$(free_port)

if [ ! -x "$CHRONYC" ]; then
    fail chronyc_binary "no $CHRONYC"
    exit 1
fi

# run BIN ARGS...: output in $TMP/out, errors in $TMP/err, status in $rc
run() {
    "$@" > "$TMP/out" 2> "$TMP/err" < /dev/null
    rc=$?
}
ours() { run "$CHRONYC" -h 127.0.0.1 -p "$PORT" "$@"; }
theirs() { run "$DEB" -h 127.0.0.1 -p "$PORT" "$@"; }

# ---- version and usage ----

run "$CHRONYC" -v
check version_format grep -Eqx \
    'chronyc \(clockwork\) version [0-9]+\.[0-9]+(\.[0-9]+)? \([+-]READLINE [+-]SECHASH [+-]IPV6 [+-]DEBUG\)' \
    "$TMP/out"
cp "$TMP/out" "$TMP/v1"
run "$CHRONYC" --version
check version_long_option cmp -s "$TMP/out" "$TMP/v1"
if [ -n "$DEB" ]; then
    # the same features in the same order as chrony's
    "$DEB" -v | sed 's/.*(\(.*\))$/\1/; s/[+-]//g' > "$TMP/feat_deb"
    sed 's/.*(\(.*\))$/\1/; s/[+-]//g' "$TMP/v1" > "$TMP/feat_ours"
    check version_features_like_chrony cmp -s "$TMP/feat_deb" "$TMP/feat_ours"
fi

run "$CHRONYC" --help
check help_option_exit_0 test "$rc" -eq 0
check help_option_usage grep -q '^Usage: .*chronyc \[OPTION\]\.\.\. \[COMMAND\]\.\.\.$' "$TMP/out"
cp "$TMP/out" "$TMP/usage"
if [ -n "$DEB" ]; then
    # every option line chrony prints is in ours, word for word
    "$DEB" --help | sed '1d' > "$TMP/usage_deb"
    missing=$(grep -vxF -f "$TMP/usage" "$TMP/usage_deb" | grep -v '^$')
    check usage_has_every_chrony_option test -z "$missing"
    [ -z "$missing" ] || echo "  missing: $missing"
fi

run "$CHRONYC" -Z
check bad_option_exit_1 test "$rc" -eq 1
check bad_option_prints_usage cmp -s "$TMP/out" "$TMP/usage"
check bad_option_named grep -q "invalid option -- 'Z'" "$TMP/err"
run "$CHRONYC" -p
check missing_option_argument_exit_1 test "$rc" -eq 1
if [ -n "$DEB" ]; then
    run "$DEB" -Z
    check bad_option_exit_code_like_chrony test "$rc" -eq 1
fi

# -a and -f FILE are accepted (and ignored) for old scripts
ours -a -f /nonexistent/chrony.conf keygen
check compat_options_a_f test "$rc" -eq 0 -a -s "$TMP/out"

# ---- help ----

ours help
check help_command_exit_0 test "$rc" -eq 0
cp "$TMP/out" "$TMP/help"
all_listed=1
for c in accheck activity add allow authdata burst clients cmdaccheck cmdallow \
         cmddeny cyclelogs delete deny dns dump exit help keygen local makestep \
         manual maxdelay maxdelaydevratio maxdelayratio maxpoll maxupdateskew \
         minpoll minstratum ntpdata offline offset online onoffline polltarget \
         quit refresh rekey reload reselect reselectdist reset retries rtcdata \
         selectdata selectopts serverstats settime shutdown smoothing smoothtime \
         sourcename sources sourcestats timeout tracking trimrtc waitsync writertc; do
    grep -Eq "^$c( |\||\$)|^exit\|$c " "$TMP/help" || { echo "  not in help: $c"; all_listed=0; }
done
check help_lists_every_command test $all_listed -eq 1
if [ -n "$DEB" ]; then
    # every command syntax chrony's help shows is shown by ours
    theirs help
    # the syntax is the first column (28 characters), or a whole line of its own
    grep -v '^ ' "$TMP/out" | grep -v ':[[:space:]]*$' \
        | awk 'length($0) > 28 && substr($0, 28, 1) == " " { $0 = substr($0, 1, 27) }
               { sub(/ +$/, ""); if ($0 != "") print }' > "$TMP/syntax_deb"
    missing=$(while read -r s; do grep -qF "$s" "$TMP/help" || echo "$s"; done < "$TMP/syntax_deb")
    check help_has_every_chrony_syntax test -z "$missing" -a -s "$TMP/syntax_deb"
    [ -z "$missing" ] || echo "  missing: $missing"
fi

# ---- local commands and errors, side by side with chrony ----

# compare NAME ARGS...: the same exit code and the same messages as chrony
compare() {
    name=$1; shift
    ours "$@"; our_rc=$rc; cp "$TMP/err" "$TMP/err_ours"; cp "$TMP/out" "$TMP/out_ours"
    if [ -z "$DEB" ]; then
        skip "$name" "no Debian chronyc"
        return
    fi
    theirs "$@"
    if [ "$rc" -eq "$our_rc" ] && cmp -s "$TMP/err" "$TMP/err_ours" \
       && cmp -s "$TMP/out" "$TMP/out_ours"; then
        pass "$name"
    else
        fail "$name" "ours: rc=$our_rc '$(cat "$TMP/err_ours")' chrony: rc=$rc '$(cat "$TMP/err")'"
    fi
}
compare same_unknown_command foo
compare same_unknown_uppercase HELP
compare same_abbreviation_refused track
compare same_empty_command ""
compare same_comment_line "# tracking"
compare same_timeout_too_short timeout 50
compare same_timeout_ok timeout 100
compare same_timeout_missing timeout
compare same_retries_too_many retries 31
compare same_retries_negative retries -1
compare same_retries_ok retries 30
compare same_dns_missing dns
compare same_dns_bad dns +x
compare same_dns_ok dns -46
compare same_authhash_warning authhash SHA1
compare same_password_warning password secret
compare same_keygen_bad_id keygen x
compare same_keygen_too_many_words keygen 1 SHA1 160 9
compare same_keygen_unknown_type keygen 1 FOO
compare same_keygen_lowercase_type keygen 1 sha1
compare same_multi_stops_at_failure -m "dns -n" foo "dns -z"
compare same_multi_stops_at_quit -m "dns -n" quit foo

ours foo
check unknown_command_message grep -qx 'Unrecognized command' "$TMP/err"
check unknown_command_exit_1 test "$rc" -eq 1

# ---- keygen ----

# keyshape ARGS...: "ID TYPE HEX-LENGTH" of the key line keygen prints
keyshape() {
    "$@" | sed -n 's/^\([0-9]*\) \([A-Z0-9-]*\) HEX:\([0-9A-F]*\)$/\1 \2 \3/p' \
        | awk '{ print $1, $2, length($3) }'
}
compare_keys=1
if grep -q '+SECHASH' "$TMP/v1"; then
    specs=":1 SHA1 40|7:7 SHA1 40|5 SHA256:5 SHA256 40|5 MD5 64:5 MD5 20|2 AES128:2 AES128 32"
    specs="$specs|2 AES256 8:2 AES256 64|3 SHA512 512:3 SHA512 128|4 SHA3-256 256:4 SHA3-256 64"
    specs="$specs|1 SHA1 81:1 SHA1 22|1 SHA1 99999:1 SHA1 1024|-1:4294967295 SHA1 40"
else
    # without nettle only MD5 keys exist, and chrony's then defaults to MD5 too
    specs=":1 MD5 40|5 MD5 64:5 MD5 20|1 MD5 81:1 MD5 22|1 MD5 99999:1 MD5 1024"
    compare_keys=0          # Debian's chronyc has nettle: its default differs
fi
old_ifs=$IFS
IFS='|'
# shellcheck disable=SC2086  # split on | on purpose
set -- $specs
IFS=$old_ifs
for spec in "$@"; do
    args=${spec%%:*}; want=${spec#*:}
    # shellcheck disable=SC2086
    got=$(keyshape "$CHRONYC" -h 127.0.0.1 -p "$PORT" keygen $args)
    name=keygen_$(echo "${args:-default}" | tr ' ' '_')
    if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "got '$got', want '$want'"; fi
    if [ -n "$DEB" ] && [ $compare_keys = 1 ]; then
        # shellcheck disable=SC2086
        deb=$(keyshape "$DEB" -h 127.0.0.1 -p "$PORT" keygen $args)
        check "${name}_like_chrony" test "$deb" = "$got"
    fi
done
k1=$("$CHRONYC" keygen); k2=$("$CHRONYC" keygen)
check keygen_random test "$k1" != "$k2"
ours -m "keygen 2" "keygen 3"
check keygen_multi test "$(cut -d' ' -f1 "$TMP/out" | tr '\n' ' ')" = "2 3 "

# -e ends each command's output with a line "."
ours -e -m "keygen 4 MD5" "dns -n"
check end_dot_option test "$(sed 's/ HEX:.*//' "$TMP/out" | tr '\n' ' ')" = "4 MD5 . . "

# ---- commands that need the daemon ----

ours tracking
check daemon_command_fails test "$rc" -eq 1
check daemon_command_no_report grep -qx '506 Cannot talk to daemon' "$TMP/out"
compare same_no_daemon_report tracking
compare same_no_daemon_request dump
compare same_no_daemon_bad_arguments burst x
compare same_no_daemon_multi -m "dns -n" sources keygen
# no address can be opened at all: a fatal error before any command
run "$CHRONYC" -h "$TMP/nonexistent.sock" keygen
check no_address_fatal test "$rc" -eq 1
check no_address_message grep -qx 'Could not open connection to daemon' "$TMP/err"

# ---- commands from a pipe ----

# piped BIN INPUT: runs BIN reading INPUT (printf escapes allowed) on stdin
# shellcheck disable=SC2059
piped() {
    bin=$1
    printf "$2" | "$bin" -h 127.0.0.1 -p "$PORT" > "$TMP/out" 2> "$TMP/err"
    rc=$?
}
piped "$CHRONYC" 'keygen 4 MD5\nfoo\n  keygen   5 \t MD5 \n'
check pipe_runs_each_line test "$(cut -d' ' -f1,2 "$TMP/out" | tr '\n' ' ')" = "4 MD5 5 MD5 "
check pipe_reports_errors grep -qx 'Unrecognized command' "$TMP/err"
check pipe_no_prompt_or_banner test "$(grep -c -v HEX: "$TMP/out")" -eq 0
piped "$CHRONYC" 'keygen\nquit\nkeygen 5\n'
check pipe_quit_stops test "$(wc -l < "$TMP/out")" -eq 1
piped "$CHRONYC" 'keygen 9'
check pipe_last_line_without_newline grep -q '^9 [A-Z0-9]* HEX:' "$TMP/out"
long=$(head -c 3000 /dev/zero | tr '\0' 'x')
piped "$CHRONYC" "$long\nkeygen 6\n"
check pipe_long_line_refused grep -q 'too long' "$TMP/err"
check pipe_goes_on_after_long_line grep -q '^6 [A-Z0-9]* HEX:' "$TMP/out"

# the exit status is that of the last command run
for input in 'keygen\nfoo\n' 'foo\nkeygen\n' 'foo\n\n' '' 'foo\nquit\n' 'dns -n\ntimeout 1\n'; do
    piped "$CHRONYC" "$input"; our_rc=$rc
    # shellcheck disable=SC2059
    name="pipe_status_$(printf "$input" | tr '\n ' '_-')"
    if [ -n "$DEB" ]; then
        piped "$DEB" "$input"
        check "$name" test "$our_rc" -eq "$rc"
    else
        skip "$name" "no Debian chronyc"
    fi
done

# ---- the interactive shell on a pseudo-terminal ----

if ! command -v python3 > /dev/null 2>&1; then
    skip interactive "python3 not installed"
    exit 0
fi
if grep -q '+READLINE' "$TMP/v1"; then editline=1; else editline=0; fi

cat > "$TMP/pty_session.py" <<'EOF'
# Drives chronyc on a pseudo-terminal like a user would and prints PASS/FAIL lines.
import os, pty, re, select, sys, termios, time

chronyc, port, editline = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
STEP_TIMEOUT_S = 5.0
PROMPT = rb"chronyc> "

def start():
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM="vt100", HOME=os.environ.get("TMPDIR_HOME", "/nonexistent"))
        env.pop("EDITRC", None)
        os.execve(chronyc, [chronyc, "-h", "127.0.0.1", "-p", port], env)
    return pid, fd

class Session:
    def __init__(self):
        self.pid, self.fd = start()
        self.buf = b""
    def send(self, data):
        os.write(self.fd, data)
    def expect(self, pattern):
        """Waits until pattern matches the output read since the last match."""
        regex = re.compile(pattern)
        end = time.time() + STEP_TIMEOUT_S
        while True:
            m = regex.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return True
            left = end - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    m = regex.search(self.buf)
                    return bool(m)
                self.buf += data
    def prompt(self):
        """Waits for the prompt and, with libedit, for the terminal to leave
        canonical mode: keys typed before that are cooked by the kernel
        (ctrl-D would arrive as a NUL byte, not as end of input)."""
        if not self.expect(PROMPT):
            return False
        end = time.time() + STEP_TIMEOUT_S
        while editline and time.time() < end:
            if not termios.tcgetattr(self.fd)[3] & termios.ICANON:
                return True
            time.sleep(0.01)
        return not editline
    def wait_exit(self):
        end = time.time() + STEP_TIMEOUT_S
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                r, _, _ = select.select([self.fd], [], [], 0.05)
                if r:
                    self.buf += os.read(self.fd, 4096)
            except OSError:
                pass
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return None

def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    sys.stdout.flush()

KEY = rb"7 MD5 HEX:[0-9A-F]{40}\r?\n"    # 160 bits by default

s = Session()
check("tty_banner_and_prompt", s.expect(rb"clockwork chronyc version [^\r\n]*\r?\n(.*\r?\n)*?\r?\n(?=chronyc> )") and s.prompt())
s.send(b"help\r")
check("tty_help", s.expect(rb"System clock:(.|\n)*Client commands:(.|\n)*help +[^\r\n]+\r?\n") and s.prompt())
if editline:
    # a unique prefix completes to the whole name and a space: the command
    # runs only if "keyg" became "keygen "
    s.send(b"keyg\t")
    s.send(b"7 MD5\r")
    check("tty_tab_completes_name", s.expect(KEY) and s.prompt())
    # an ambiguous prefix lists the candidates on a second tab
    s.send(b"maxd\t\t")
    check("tty_tab_lists_candidates", s.expect(rb"maxdelay +maxdelaydevratio +maxdelayratio"))
    s.send(b"\x15")                         # ctrl-U: drop the partial line
    # arguments complete too
    s.send(b"add p\t\t")
    check("tty_tab_completes_arguments", s.expect(rb"peer +pool"))
    s.send(b"\x15")
    # up-arrow brings back the last line
    s.send(b"\x1b[A")
    s.send(b"\r")
    check("tty_history", s.expect(KEY) and s.prompt())
else:
    s.send(b"keygen 7 MD5\r")
    check("tty_command_runs", s.expect(KEY) and s.prompt())
s.send(b"foo\r")
check("tty_unknown_command", s.expect(rb"Unrecognized command\r?\n") and s.prompt())
s.send(b"dns -n\r")
s.prompt()
s.send(b"\x04")                              # ctrl-D on an empty line
status = s.wait_exit()
check("tty_ctrl_d_quits", status == 0, "exit status %r" % status)

# the exit status is the last command's; quit leaves at once and succeeds
s = Session()
s.prompt()
s.send(b"foo\r")
s.prompt()
s.send(b"\x04")
status = s.wait_exit()
check("tty_status_of_last_command", status == 1, "exit status %r" % status)
s = Session()
s.prompt()
s.send(b"foo\r")
s.prompt()
s.send(b"quit\r")
status = s.wait_exit()
check("tty_quit", status == 0, "exit status %r" % status)

# ctrl-C at the prompt ends the session too
s = Session()
s.prompt()
s.send(b"\x03")
status = s.wait_exit()
check("tty_ctrl_c_quits", status is not None, "still running")
EOF
mkdir -p "$TMP/home"
TMPDIR_HOME="$TMP/home" python3 "$TMP/pty_session.py" "$CHRONYC" "$PORT" "$editline"
