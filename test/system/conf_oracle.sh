#!/bin/sh
# conf_oracle: our `chronyd -p` against Debian's chronyd 4.3 `chronyd -p`.
# For every case of test/data/conf/oracle_cases.txt (a good and a bad line of
# every directive 4.3 knows, include/confdir/sourcedir files, errors in
# files), Debian's default configuration and the example configurations of
# its package, both programs must print the same stdout, the same stderr
# (timestamps stripped) and exit with the same status. -p only prints the
# configuration: no daemon runs, no clock is touched, no packet is sent.
. test/system/lib.sh

ORACLE=${CW_ORACLE_CHRONYD:-/usr/sbin/chronyd}
DATA=$CW_TOP/test/data/conf
CASES=$DATA/oracle_cases.txt
NAME=conf_oracle
# Longest case text shown in a PASS/FAIL line.
LABEL_MAX=100

if [ ! -x "$ORACLE" ]; then
    skip "$NAME" "Debian's chronyd ($ORACLE) is not installed"
    exit 0
fi
if [ ! -x "$CHRONYD" ]; then
    fail "$NAME" "our chronyd ($CHRONYD) is not built"
    exit 1
fi

# The file cases: a copy of test/data/conf/files with @DATA@ replaced by its
# path, plus files that are easier to make than to keep in git.
FILES=$TMP/files
cp -R "$DATA/files" "$FILES"
find "$FILES" -type f -exec sed -i "s#@DATA@#$FILES#g" {} +
letters() { printf "%$1s" '' | tr ' ' a; }
printf 'port 1\r\nserver crlf.example.net iburst\r\n' > "$FILES/crlf.conf"
printf 'port 1\nserver last.example.net' > "$FILES/nonewline.conf"
printf '\tport\t\t1  \n \t \nserver\ttabs.example.net\t iburst\n' > "$FILES/tabs.conf"
# With the newline, 2047 characters are fine and 2048 are too many.
printf 'port 1\nserver %s\nport 2\n' "$(letters 2039)" > "$FILES/long-ok.conf"
printf 'port 1\nserver %s\nport 2\n' "$(letters 2040)" > "$FILES/long-bad.conf"

strip_time() { sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z //' "$1"; }

# run_pair LABEL ARGS...: runs both programs with -p ARGS and compares.
run_pair() {
    label=$1; shift
    $SETPRIV "$ORACLE" -p "$@" > "$TMP/d.out" 2> "$TMP/d.err"; drc=$?
    $SETPRIV "$CHRONYD" -p "$@" > "$TMP/o.out" 2> "$TMP/o.err"; orc=$?
    strip_time "$TMP/d.err" > "$TMP/d.err2"
    strip_time "$TMP/o.err" > "$TMP/o.err2"
    why=""
    if [ "$drc" != "$orc" ]; then
        why="exit status $orc, Debian's $drc"
    fi
    if ! cmp -s "$TMP/d.out" "$TMP/o.out"; then
        line=$(diff "$TMP/d.out" "$TMP/o.out" | grep '^[<>]' | head -n 2 | cut -c1-$LABEL_MAX | tr '\n' ' ')
        why="${why:+$why; }stdout differs: $line"
    fi
    if ! cmp -s "$TMP/d.err2" "$TMP/o.err2"; then
        line=$(diff "$TMP/d.err2" "$TMP/o.err2" | grep '^[<>]' | head -n 2 | cut -c1-$LABEL_MAX | tr '\n' ' ')
        why="${why:+$why; }stderr differs: $line"
    fi
    if [ -z "$why" ]; then
        pass "$NAME: $label"
    else
        fail "$NAME: $label" "$why (< Debian, > ours)"
    fi
}

short() { printf '%s' "$1" | cut -c1-$LABEL_MAX; }

# Placeholders in a case: @DATA@ (the file copy), @A<n>@ (n letters "a").
expand() {
    text=$(printf '%s' "$1" | sed "s#@DATA@#$FILES#g")
    while :; do
        n=$(printf '%s' "$text" | sed -n 's/.*@A\([0-9][0-9]*\)@.*/\1/p')
        [ -n "$n" ] || break
        text=$(printf '%s' "$text" | sed "s/@A$n@/$(letters "$n")/")
    done
    printf '%s' "$text"
}

# Cases from the data file. Arguments are separated by " | "; no globbing.
set -f
nl='
'
while IFS= read -r case_line; do
    case "$case_line" in ''|'#'*) continue ;; esac
    text=$(expand "$case_line")
    old_ifs=$IFS
    IFS=$nl
    # An empty argument becomes " " so that splitting keeps it (both are blank).
    # shellcheck disable=SC2046
    set -- $(printf '%s\n' "$text" | sed 's/ | /\n/g' | sed 's/^$/ /')
    IFS=$old_ifs
    run_pair "$(short "$case_line")" "$@"
done < "$CASES"
set +f

# Debian's own configuration and the examples of its package, read as they are
# installed (not copied into this repository).
if [ -f /etc/chrony/chrony.conf ]; then
    run_pair "Debian's /etc/chrony/chrony.conf" -f /etc/chrony/chrony.conf
else
    skip "$NAME: Debian's /etc/chrony/chrony.conf" "not installed"
fi
found_example=0
for ex in /usr/share/doc/chrony/examples/chrony.conf.example*; do
    [ -f "$ex" ] || continue
    found_example=1
    base=$(basename "$ex" .gz)
    case "$ex" in
        *.gz) gzip -dc "$ex" > "$TMP/$base" ;;
        *) cp "$ex" "$TMP/$base" ;;
    esac
    run_pair "example $base" -f "$TMP/$base"
    # The same with every optional directive ("! directive ...") enabled.
    sed -e '/^! a comment/d' -e 's/^! //' "$TMP/$base" > "$TMP/$base.all"
    if ! cmp -s "$TMP/$base" "$TMP/$base.all"; then
        run_pair "example $base, optional lines enabled" -f "$TMP/$base.all"
    fi
done
[ $found_example = 1 ] || skip "$NAME: Debian's example configurations" "not installed"
