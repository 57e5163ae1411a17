#!/usr/bin/env bash
# Sets up, builds the CPU backend and runs the whole test suite (GPU tests
# skip with a message when no device is present).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset cpu-only
cmake --build --preset cpu-only
ctest --preset cpu-only -j2
