#!/bin/sh
# Builds the libFuzzer target for the command server's request path
# (chronyd/cmdmon and its handlers, linked with the rest of chronyd but
# main) with clang, runs it for a bounded time (FUZZ_TIME seconds, default
# 15) from the seeds in test/fuzz/corpus/cmd_request, and prints one line:
# PASS fuzz_cmd_request, FAIL fuzz_cmd_request (...) or SKIP
# fuzz_cmd_request (...). New inputs go to a scratch directory; the kept
# seeds are never modified.
cd "$(dirname "$0")/../.." || exit 1
name=fuzz_cmd_request
seeds=test/fuzz/corpus/cmd_request
time=${FUZZ_TIME:-15}
cc=${FUZZ_CC:-clang}
flags="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

work=$(mktemp -d /tmp/cw-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "SKIP $name (no $cc)"
    exit 0
fi
if [ ! -f config.h ] || [ ! -f config.mk ]; then
    echo "SKIP $name (run ./configure first)"
    exit 0
fi
# libFuzzer's runtime (libclang-rt-dev) may be missing even when clang is not
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' \
    > "$work/probe.c"
if ! $cc $flags -o "$work/probe" "$work/probe.c" >/dev/null 2>&1; then
    echo "SKIP $name (clang has no libFuzzer runtime: install libclang-rt-14-dev)"
    exit 0
fi

# the daemon's objects, as the unit tests link them (everything but main)
sources=$(ls src/common/*.c src/core/*.c src/platform/*.c src/chronyd/*.c | grep -v '/main\.c$')
libs=$(sed -n 's/^CW_LIBS *= *//p' config.mk)
cflags=$(sed -n 's/^CW_CFLAGS *= *//p' config.mk | sed 's/-O2//')
# shellcheck disable=SC2086
if ! $cc $flags $cflags -I. -Iinclude -Isrc -o "$work/$name" test/fuzz/fuzz_cmd_request.c \
        $sources $libs -lm -lpthread > "$work/build.log" 2>&1; then
    echo "FAIL $name (build)"
    sed 's/^/    /' "$work/build.log" | tail -n 20
    exit 1
fi

mkdir -p "$work/corpus"
# Requests that add sources or access rules keep memory on purpose (the
# daemon's state), so libFuzzer's per-input leak check would run after most
# inputs and slow the run tenfold: it is off, and LeakSanitizer's check at
# exit still fails the run for memory nothing points to.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
if "$work/$name" -max_total_time="$time" -timeout=5 -rss_limit_mb=1024 -max_len=1024 \
        -detect_leaks=0 \
        -artifact_prefix="$work/" "$work/corpus" "$seeds" > "$work/run.log" 2>&1; then
    runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/run.log")
    echo "PASS $name (${runs:-?} runs in ${time}s)"
    exit 0
fi
echo "FAIL $name"
grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly signal' "$work/run.log" | head -n 10 |
    sed 's/^/    /'
# keep the crashing input where a developer can find it
mkdir -p build/fuzz
for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -f "$f" ] && cp "$f" build/fuzz/ && echo "    input saved as build/fuzz/$(basename "$f")"
done
exit 1
