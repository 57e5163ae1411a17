#!/usr/bin/env bash
# Sets up, builds the CPU backend and runs the whole test suite (GPU tests
# skip with a message when no device is present; the messages are printed
# after the summary, which names the skipped tests only).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset cpu-only
cmake --build --preset cpu-only
status=0
ctest --preset cpu-only -j2 || status=$?
log=build/cpu-only/Testing/Temporary/LastTest.log
if [ -f "$log" ]; then
  awk '/^[0-9]+\/[0-9]+ Test: / { name = $3 }
       /: Skipped$/ { getline why; print "skipped: " name ": " why }' "$log"
fi
exit "$status"
