#!/bin/sh
# Runs every test layer that exists and ends with one line "N passed, N failed".
# Each test program or script prints "PASS name" / "FAIL name" / "SKIP name" lines.
# Set TESTS=pattern to run only test files whose path matches the pattern.
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
out=$(mktemp -d /tmp/cw-test.XXXXXX)
trap 'rm -rf "$out"' EXIT
export CW_TOP="$top"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:verify_asan_link_order=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

passed=0; failed=0; skipped=0

# run LABEL CMD...: runs one test program, counts its PASS/FAIL lines; a program
# that crashes or exits non-zero without reporting a FAIL counts as one failure.
run() {
    label=$1; shift
    case "$label" in *${TESTS:-}*) ;; *) return ;; esac
    log="$out/log"
    start=$(date +%s)
    "$@" > "$log" 2>&1
    rc=$?
    p=$(grep -c '^PASS ' "$log"); f=$(grep -c '^FAIL ' "$log"); s=$(grep -c '^SKIP ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $label (exit status $rc)" >> "$log"; f=$((f + 1))
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    end=$(date +%s)
    printf '%-44s %3d passed, %d failed, %d skipped (%ds)\n' "$label" "$p" "$f" "$s" $((end - start))
    if [ "$f" -ne 0 ]; then
        sed 's/^/    /' "$log" | grep -v '^    PASS ' | tail -n 60
    fi
}

for build in default san; do
    for t in build/$build/test/unit/test_*; do
        [ -x "$t" ] || continue
        run "unit[$build]/$(basename "$t")" "$t"
    done
done

for t in test/system/*.sh; do
    [ "$(basename "$t")" = lib.sh ] && continue
    [ -f "$t" ] || continue
    run "system/$(basename "$t")" sh "$t"
done

for t in test/sim/*.sh; do
    [ -f "$t" ] || continue
    run "sim/$(basename "$t")" sh "$t"
done

for t in test/fuzz/run-*.sh; do
    [ -f "$t" ] || continue
    run "fuzz/$(basename "$t")" sh "$t"
done

if [ "$skipped" -ne 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
