#!/usr/bin/env bash
# Sets up, builds sclsim (with the CUDA backend when nvcc is found) and runs
# the built-in base scenario: 1,000,000 patients under every strategy.
# Extra arguments go to `sclsim run`, e.g. scripts/run.sh --patients 100000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release > /dev/null
cmake --build --preset release --target sclsim
mkdir -p results
./build/release/sclsim run -o results/scls_base.h5 "$@"
