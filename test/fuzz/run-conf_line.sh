#!/bin/sh
# Builds the libFuzzer target for chronyd's configuration language (conf,
# conf_dirs, srcopts, optab, addr, and the platform's files and resolver
# under them) with clang, runs it for a bounded time
# (FUZZ_TIME seconds, default 15) from the seeds in
# test/fuzz/corpus/conf_line with a dictionary of the directive and option
# names taken from the tables, and prints one line: PASS fuzz_conf_line,
# FAIL fuzz_conf_line (...) or SKIP fuzz_conf_line (...). New inputs and the
# target's scratch directory go to a temporary directory; the kept seeds are
# never modified.
cd "$(dirname "$0")/../.." || exit 1
. test/fuzz/lib.sh
fuzz_init fuzz_conf_line 15
fuzz_need_config config.h

# md5.c (addr_refid) uses nettle when configure found it
libs=$(sed -n 's/^CW_LIBS *= *//p' config.mk 2>/dev/null | grep -o -- '-lnettle')
# shellcheck disable=SC2086
fuzz_build -std=c11 -D_GNU_SOURCE -I. -Iinclude -Isrc test/fuzz/fuzz_conf_line.c \
    src/chronyd/conf.c src/chronyd/conf_dirs.c src/chronyd/conf_resolve.c \
    src/platform/files.c src/platform/resolver.c \
    src/common/addr.c src/common/log.c src/common/md5.c src/common/mem.c \
    src/common/optab.c src/common/srcopts.c $libs

# Every quoted word of the directive and option tables, and numbers at the
# edges of what scanf and strtol read.
grep -oh '"[a-z][a-z0-9_]*"' src/chronyd/conf.c src/common/srcopts.c | sort -u > "$work/dict"
for n in 2147483647 2147483648 -2147483648 -2147483649 4294967295 4294967296 \
        9223372036854775808 1e999 -1e-999 nan inf 0x7fffffff 255 256 32 33 128 129; do
    echo "\"$n\"" >> "$work/dict"
done

mkdir -p "$work/tmp"
export TMPDIR="$work/tmp"
# Leak checks stay on after every input: conf_init must release what a parse
# abandoned at a fatal error (the target's fatal hook jumps back).
fuzz_run -max_len=4096 -dict="$work/dict"
