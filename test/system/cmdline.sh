# chronyd's command line: -v/--version, -h/--help, bad options, -p with
# directives, configuration errors, numeric arguments and the root check.
# Debian's chronyd, when installed, is the reference for texts and exit codes;
# it is only ever run here with options that print and exit.
. test/system/lib.sh

REF=${REF_CHRONYD:-/usr/sbin/chronyd}
[ -x "$REF" ] || REF=""

# run_cmd OUT_PREFIX CMD...: stdout to OUT_PREFIX.out, stderr to .err, status to .rc
run_cmd() {
    prefix=$1; shift
    "$@" > "$prefix.out" 2> "$prefix.err"
    echo $? > "$prefix.rc"
}
rc_of() { cat "$1.rc"; }
# Log lines without their leading "YYYY-MM-DDTHH:MM:SSZ " timestamp.
untimed() { sed 's/^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z //' "$1"; }
# has_line FILE LINE: FILE (timestamps removed) holds exactly this line
has_line() { untimed "$1" | grep -qxF -- "$2"; }

# The default configuration file and user compiled into our binary: its usage.
our_conf=$(sed -n 's/^#define CW_DEFAULT_CONF_FILE "\(.*\)"$/\1/p' "$CW_TOP/config.h")
our_user=$(sed -n 's/^#define CW_DEFAULT_USER "\(.*\)"$/\1/p' "$CW_TOP/config.h")

# --- version -------------------------------------------------------------
run_cmd "$TMP/v" "$CHRONYD" -v
run_cmd "$TMP/vv" "$CHRONYD" --version
check version_exit_0 [ "$(rc_of "$TMP/v")$(rc_of "$TMP/vv")" = 00 ]
check version_format grep -Eqx \
    'chronyd \(clockwork\) version [0-9]+\.[0-9]+(\.[0-9]+)? \(([+-][A-Z0-9]+ )*[+-][A-Z0-9]+\)' "$TMP/v.out"
check version_long_equals_short cmp -s "$TMP/v.out" "$TMP/vv.out"
# Features that have no code yet must say so.
check version_unbuilt_features_minus \
    grep -q -- '-REFCLOCK -RTC .* -SIGND .* -NTS ' "$TMP/v.out"

if [ -n "$REF" ]; then
    # The same feature names in the same order as chrony, whatever their sign.
    features() { sed 's/.*(\(.*\))$/\1/; s/[+-]//g' "$1"; }
    run_cmd "$TMP/refv" "$REF" -v
    check version_feature_names_as_chrony [ "$(features "$TMP/v.out")" = "$(features "$TMP/refv.out")" ]
else
    skip version_feature_names_as_chrony "no reference chronyd"
fi

# --- help ----------------------------------------------------------------
run_cmd "$TMP/h" "$CHRONYD" -h
run_cmd "$TMP/hh" "$CHRONYD" --help
check help_exit_0 [ "$(rc_of "$TMP/h")$(rc_of "$TMP/hh")" = 00 ]
check help_long_equals_short cmp -s "$TMP/h.out" "$TMP/hh.out"
check help_names_program grep -qx "Usage: $CHRONYD \[OPTION\]\.\.\. \[DIRECTIVE\]\.\.\." "$TMP/h.out"
check help_shows_our_defaults sh -c \
    "grep -q '^  -f FILE	Specify configuration file ($our_conf)\$' '$TMP/h.out' &&
     grep -q '^  -u USER	Specify user ($our_user)\$' '$TMP/h.out'"
# --help wins wherever it is, even after other options.
run_cmd "$TMP/hx" "$CHRONYD" -x -n --help
check help_anywhere_on_line cmp -s "$TMP/hx.out" "$TMP/h.out"

# Normalise the parts that differ by design: program name, defaults, and the
# "-d -d" line that only debugging builds list.
normalise_help() {
    sed -e '1s/^Usage: .* \[OPTION\]/Usage: PROG [OPTION]/' \
        -e 's/^\(  -f FILE	Specify configuration file\) (.*)$/\1 (CONF)/' \
        -e 's/^\(  -u USER	Specify user\) (.*)$/\1 (USER)/' \
        -e '/^  -d -d	/d' "$1"
}
if [ -n "$REF" ]; then
    run_cmd "$TMP/refh" "$REF" -h
    normalise_help "$TMP/h.out" > "$TMP/h.norm"
    normalise_help "$TMP/refh.out" > "$TMP/refh.norm"
    if cmp -s "$TMP/h.norm" "$TMP/refh.norm"; then
        pass help_same_as_chrony
    else
        fail help_same_as_chrony "$(diff "$TMP/refh.norm" "$TMP/h.norm" | head -5 | tr '\n' ' ')"
    fi
else
    skip help_same_as_chrony "no reference chronyd"
fi

# --- bad options -----------------------------------------------------------
run_cmd "$TMP/z" "$CHRONYD" -Z
check bad_option_exit_1 [ "$(rc_of "$TMP/z")" = 1 ]
check bad_option_named grep -q "invalid option -- 'Z'" "$TMP/z.err"
check bad_option_prints_usage cmp -s "$TMP/z.out" "$TMP/h.out"
run_cmd "$TMP/fa" "$CHRONYD" -f
check missing_argument_exit_1 [ "$(rc_of "$TMP/fa")" = 1 ]
check missing_argument_named grep -q "option requires an argument -- 'f'" "$TMP/fa.err"
if [ -n "$REF" ]; then
    run_cmd "$TMP/refz" "$REF" -Z
    # chrony prints the usage on stdout even here; so must we.
    check bad_option_streams_as_chrony sh -c \
        "[ \$(cat '$TMP/refz.rc') = \$(cat '$TMP/z.rc') ] &&
         [ -s '$TMP/refz.out' ] && [ -s '$TMP/z.out' ] &&
         [ \$(wc -l < '$TMP/refz.err') = \$(wc -l < '$TMP/z.err') ]"
else
    skip bad_option_streams_as_chrony "no reference chronyd"
fi

run_cmd "$TMP/ia" "$CHRONYD" -t abc -p
check invalid_number_exit_1 [ "$(rc_of "$TMP/ia")" = 1 ]
check invalid_number_message has_line "$TMP/ia.err" 'Fatal error : Invalid argument abc'

# --- -p and directives as arguments ---------------------------------------
run_cmd "$TMP/p" "$CHRONYD" -p 'server 127.0.0.1 iburst' 'pidfile /tmp/cw-none.pid'
check print_directives_exit_0 [ "$(rc_of "$TMP/p")" = 0 ]
check print_directives_echoed sh -c \
    "grep -qx 'server 127.0.0.1 iburst' '$TMP/p.out' && grep -qx 'pidfile /tmp/cw-none.pid' '$TMP/p.out'"
check print_writes_no_pidfile [ ! -e /tmp/cw-none.pid ]
# Directives on the command line replace the file: a missing -f file is not read.
run_cmd "$TMP/pf" "$CHRONYD" -p -f "$TMP/does-not-exist.conf" 'cmdport 0'
check directives_skip_config_file sh -c "[ \$(cat '$TMP/pf.rc') = 0 ] && grep -qx 'cmdport 0' '$TMP/pf.out'"
# Options after the directives still count (arguments are permuted as by chrony).
run_cmd "$TMP/pl" "$CHRONYD" 'cmdport 0' -p
check options_after_directives sh -c "[ \$(cat '$TMP/pl.rc') = 0 ] && grep -qx 'cmdport 0' '$TMP/pl.out'"

printf 'cmdport 0\n# a comment\nport 0\n' > "$TMP/ok.conf"
run_cmd "$TMP/pc" "$CHRONYD" -p -f "$TMP/ok.conf"
check print_config_file sh -c \
    "[ \$(cat '$TMP/pc.rc') = 0 ] && grep -qx 'cmdport 0' '$TMP/pc.out' && grep -qx 'port 0' '$TMP/pc.out'"

run_cmd "$TMP/nf" "$CHRONYD" -p -f "$TMP/missing.conf"
check missing_config_exit_1 [ "$(rc_of "$TMP/nf")" = 1 ]
check missing_config_message has_line "$TMP/nf.err" \
    "Fatal error : Could not open $TMP/missing.conf : No such file or directory"

run_cmd "$TMP/ud" "$CHRONYD" -p 'cmdport 0' 'nosuchdirective 1'
check unknown_directive_exit_1 [ "$(rc_of "$TMP/ud")" = 1 ]
check unknown_directive_message has_line "$TMP/ud.err" 'Fatal error : Invalid directive at line 2'

if [ -n "$REF" ]; then
    # Same texts and statuses as chrony for the same mistakes.
    same_as_ref() {
        name=$1; shift
        run_cmd "$TMP/ours" "$CHRONYD" "$@"
        run_cmd "$TMP/ref" "$REF" "$@"
        if [ "$(rc_of "$TMP/ours")" = "$(rc_of "$TMP/ref")" ] &&
           cmp -s "$TMP/ours.out" "$TMP/ref.out" &&
           [ "$(untimed "$TMP/ours.err")" = "$(untimed "$TMP/ref.err")" ]; then
            pass "$name"
        else
            fail "$name" "ours: $(cat "$TMP/ours.err" "$TMP/ours.rc" | tr '\n' ' ') ref: $(cat "$TMP/ref.err" "$TMP/ref.rc" | tr '\n' ' ')"
        fi
    }
    same_as_ref missing_config_as_chrony -p -f "$TMP/missing.conf"
    same_as_ref unknown_directive_as_chrony -p 'cmdport 0' 'nosuchdirective 1'
    same_as_ref directives_as_chrony -p 'server 127.0.0.1 iburst' 'cmdport 0'
    same_as_ref invalid_number_as_chrony -P x1 -p
else
    skip config_errors_as_chrony "no reference chronyd"
fi

# --- the root check (chrony refuses to start unprivileged unless -U) -------
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    chmod 711 "$TMP" && mkdir -p "$TMP/nobody" && chmod 777 "$TMP/nobody"
    NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-sys_time --bounding-set=-sys_time"
    # shellcheck disable=SC2086
    run_cmd "$TMP/nr" $NOBODY "$CHRONYD" -x -d -t 0 "pidfile $TMP/nobody/chronyd.pid" 'cmdport 0' 'port 0'
    check not_superuser_exit_1 [ "$(rc_of "$TMP/nr")" = 1 ]
    check not_superuser_message has_line "$TMP/nr.err" 'Fatal error : Not superuser'
    # -U skips the check: the daemon starts and ends at the -t timeout.
    # shellcheck disable=SC2086
    run_cmd "$TMP/nu" $NOBODY "$CHRONYD" -U -x -d -t 0 "pidfile $TMP/nobody/chronyd.pid" \
        "bindcmdaddress $TMP/nobody/chronyd.sock" 'cmdport 0' 'port 0' 'user nobody'
    if has_line "$TMP/nu.err" 'Timeout reached' && ! grep -q 'Not superuser' "$TMP/nu.err"; then
        pass dash_U_allows_unprivileged
    else
        fail dash_U_allows_unprivileged "$(tr '\n' ' ' < "$TMP/nu.err")"
    fi
    # -p needs no privileges either.
    # shellcheck disable=SC2086
    run_cmd "$TMP/np" $NOBODY "$CHRONYD" -p 'cmdport 0'
    check print_needs_no_root [ "$(rc_of "$TMP/np")" = 0 ]
else
    skip not_superuser "needs root to test an unprivileged start"
fi
