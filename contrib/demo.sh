#!/bin/sh
# make demo: show what clockwork does today. Grows with each feature; for now it
# shows the version and compiled-in features, and parses an example configuration.
set -e
cd "$(dirname "$0")/.."
echo "== ./chronyd -v"
./chronyd -v
echo
echo "== ./chronyd -p -f examples/chrony.conf.server (configuration as chronyd reads it)"
./chronyd -p -f examples/chrony.conf.server
