#!/bin/sh
# Builds the libFuzzer target for the command server's request path
# (chronyd/cmdmon and its handlers, linked with the rest of chronyd but
# main) with clang, runs it for a bounded time (FUZZ_TIME seconds, default
# 15) from the seeds in test/fuzz/corpus/cmd_request, and prints one line:
# PASS fuzz_cmd_request, FAIL fuzz_cmd_request (...) or SKIP
# fuzz_cmd_request (...). New inputs go to a scratch directory; the kept
# seeds are never modified.
cd "$(dirname "$0")/../.." || exit 1
. test/fuzz/lib.sh
fuzz_init fuzz_cmd_request 15
fuzz_need_config config.h config.mk

# the daemon's objects, as the unit tests link them (everything but main)
sources=$(ls src/common/*.c src/core/*.c src/platform/*.c src/chronyd/*.c | grep -v '/main\.c$')
libs=$(sed -n 's/^CW_LIBS *= *//p' config.mk)
cflags=$(sed -n 's/^CW_CFLAGS *= *//p' config.mk | sed 's/-O2//')
# shellcheck disable=SC2086
fuzz_build -std=c11 -D_GNU_SOURCE $cflags -I. -Iinclude -Isrc test/fuzz/fuzz_cmd_request.c \
    $sources $libs -lm -lpthread

# Requests that add sources or access rules keep memory on purpose (the
# daemon's state), so libFuzzer's per-input leak check would run after most
# inputs and slow the run tenfold: it is off, and LeakSanitizer's check at
# exit still fails the run for memory nothing points to.
fuzz_run -max_len=1024 -detect_leaks=0
