# Shared steps of the libFuzzer runners (sourced by test/fuzz/run-*.sh from
# the top directory): the set-up with its SKIP cases, the build, and the
# bounded run with its one PASS or FAIL line.
#
# After fuzz_init: $name, $seeds (test/fuzz/corpus/NAME without "fuzz_"),
# $time (FUZZ_TIME, or the runner's default), $cc (FUZZ_CC, default clang),
# $flags (the sanitizer flags every target is built with) and $work (a
# scratch directory removed at exit).

# fuzz_init NAME DEFAULT-SECONDS: the variables above; SKIP (exit 0) when the
# compiler or its libFuzzer runtime is missing
fuzz_init() {
    name=$1
    seeds=test/fuzz/corpus/${1#fuzz_}
    time=${FUZZ_TIME:-$2}
    cc=${FUZZ_CC:-clang}
    flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

    work=$(mktemp -d /tmp/cw-fuzz.XXXXXX) || exit 1
    trap 'rm -rf "$work"' EXIT

    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "SKIP $name (no $cc)"
        exit 0
    fi
    # libFuzzer's runtime (libclang-rt-dev) may be missing even when clang is not
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' \
        > "$work/probe.c"
    # shellcheck disable=SC2086
    if ! $cc $flags -o "$work/probe" "$work/probe.c" >/dev/null 2>&1; then
        echo "SKIP $name (clang has no libFuzzer runtime: install libclang-rt-14-dev)"
        exit 0
    fi
}

# fuzz_need_config FILE...: SKIP (exit 0) unless ./configure wrote them
fuzz_need_config() {
    for f in "$@"; do
        if [ ! -f "$f" ]; then
            echo "SKIP $name (run ./configure first)"
            exit 0
        fi
    done
}

# fuzz_build ARGS...: $cc $flags ARGS... -o $work/$name; FAIL (exit 1) with
# the end of the compiler's output when it fails
fuzz_build() {
    # shellcheck disable=SC2086
    if ! $cc $flags "$@" -o "$work/$name" > "$work/build.log" 2>&1; then
        echo "FAIL $name (build)"
        sed 's/^/    /' "$work/build.log" | tail -n 20
        exit 1
    fi
}

# fuzz_run OPTION...: the target for $time seconds from $seeds (new inputs
# go to $work/corpus) with LeakSanitizer's check at exit, and the options
# given; prints PASS or FAIL and exits. A failing input is kept in
# build/fuzz, where a developer can find it.
fuzz_run() {
    mkdir -p "$work/corpus"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
    if "$work/$name" -max_total_time="$time" -timeout=5 -rss_limit_mb=1024 "$@" \
            -artifact_prefix="$work/" "$work/corpus" "$seeds" > "$work/run.log" 2>&1; then
        runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/run.log")
        echo "PASS $name (${runs:-?} runs in ${time}s)"
        exit 0
    fi
    echo "FAIL $name"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly signal' "$work/run.log" |
        head -n 10 | sed 's/^/    /'
    mkdir -p build/fuzz
    for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
        [ -f "$f" ] && cp "$f" build/fuzz/ && echo "    input saved as build/fuzz/$(basename "$f")"
    done
    exit 1
}
