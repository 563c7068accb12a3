#!/bin/sh
# Builds the libFuzzer target for chronyd's configuration language (conf,
# conf_dirs, srcopts, optab, addr) with clang, runs it for a bounded time
# (FUZZ_TIME seconds, default 15) from the seeds in
# test/fuzz/corpus/conf_line with a dictionary of the directive and option
# names taken from the tables, and prints one line: PASS fuzz_conf_line,
# FAIL fuzz_conf_line (...) or SKIP fuzz_conf_line (...). New inputs and the
# target's scratch directory go to a temporary directory; the kept seeds are
# never modified.
cd "$(dirname "$0")/../.." || exit 1
name=fuzz_conf_line
seeds=test/fuzz/corpus/conf_line
time=${FUZZ_TIME:-15}
cc=${FUZZ_CC:-clang}
flags="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

work=$(mktemp -d /tmp/cw-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "SKIP $name (no $cc)"
    exit 0
fi
if [ ! -f config.h ]; then
    echo "SKIP $name (run ./configure first)"
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

# md5.c (addr_refid) uses nettle when configure found it
libs=$(sed -n 's/^CW_LIBS *= *//p' config.mk 2>/dev/null | grep -o -- '-lnettle')
# shellcheck disable=SC2086
if ! $cc $flags -I. -Iinclude -Isrc -o "$work/$name" test/fuzz/fuzz_conf_line.c \
        src/chronyd/conf.c src/chronyd/conf_dirs.c src/chronyd/conf_resolve.c \
        src/common/addr.c src/common/log.c src/common/md5.c src/common/mem.c \
        src/common/optab.c src/common/srcopts.c $libs > "$work/build.log" 2>&1; then
    echo "FAIL $name (build)"
    sed 's/^/    /' "$work/build.log" | tail -n 20
    exit 1
fi

# Every quoted word of the directive and option tables, and numbers at the
# edges of what scanf and strtol read.
grep -oh '"[a-z][a-z0-9_]*"' src/chronyd/conf.c src/common/srcopts.c | sort -u > "$work/dict"
for n in 2147483647 2147483648 -2147483648 -2147483649 4294967295 4294967296 \
        9223372036854775808 1e999 -1e-999 nan inf 0x7fffffff 255 256 32 33 128 129; do
    echo "\"$n\"" >> "$work/dict"
done

mkdir -p "$work/corpus" "$work/tmp"
# Leak checks stay on after every input: conf_init must release what a parse
# abandoned at a fatal error (the target's fatal hook jumps back).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
if TMPDIR="$work/tmp" "$work/$name" -max_total_time="$time" -timeout=5 -rss_limit_mb=1024 \
        -max_len=4096 -dict="$work/dict" \
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
