#!/usr/bin/env bash
# ASan + UBSan (gcc) build of the CPU backend, then the unit tests, e2e.cli,
# the end-to-end error paths (tests/e2e/error_paths_test.sh) and the replay
# of the fuzz corpus and regressions under the sanitizers. Any sanitizer
# report stops the program that made it, so any finding fails this script.
# The heavy end-to-end tests (e2e.resume, MPI, Slurm) are left to scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset sanitize
cmake --build --preset sanitize
ctest --preset sanitize
