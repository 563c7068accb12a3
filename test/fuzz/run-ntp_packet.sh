#!/bin/sh
# Builds the libFuzzer target for the NTP packet parser and server reply
# builder with clang, runs it for a bounded time (FUZZ_TIME seconds, default
# 20) from the seeds in test/fuzz/corpus/ntp_packet, and prints one line:
# PASS fuzz_ntp_packet, FAIL fuzz_ntp_packet (...) or SKIP fuzz_ntp_packet (...).
# New inputs go to a scratch directory; the kept seeds are never modified.
cd "$(dirname "$0")/../.." || exit 1
name=fuzz_ntp_packet
seeds=test/fuzz/corpus/ntp_packet
time=${FUZZ_TIME:-20}
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
if ! $cc $flags -o "$work/probe" "$work/probe.c" >/dev/null 2>&1; then
    echo "SKIP $name (clang has no libFuzzer runtime: install libclang-rt-14-dev)"
    exit 0
fi

if ! $cc $flags -I. -Iinclude -Isrc -o "$work/$name" test/fuzz/fuzz_ntp_packet.c \
        src/common/ntptime.c src/core/ntp_packet.c src/core/ntp_server.c -lm \
        > "$work/build.log" 2>&1; then
    echo "FAIL $name (build)"
    sed 's/^/    /' "$work/build.log" | tail -n 20
    exit 1
fi

mkdir -p "$work/corpus"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
if "$work/$name" -max_total_time="$time" -timeout=5 -rss_limit_mb=1024 \
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
