#!/bin/sh
# Builds the libFuzzer target for the NTP packet parser and server reply
# builder with clang, runs it for a bounded time (FUZZ_TIME seconds, default
# 20) from the seeds in test/fuzz/corpus/ntp_packet, and prints one line:
# PASS fuzz_ntp_packet, FAIL fuzz_ntp_packet (...) or SKIP fuzz_ntp_packet (...).
# New inputs go to a scratch directory; the kept seeds are never modified.
cd "$(dirname "$0")/../.." || exit 1
. test/fuzz/lib.sh
fuzz_init fuzz_ntp_packet 20

fuzz_build -I. -Iinclude -Isrc test/fuzz/fuzz_ntp_packet.c \
    src/common/ntptime.c src/core/ntp_packet.c src/core/ntp_server.c -lm

fuzz_run
