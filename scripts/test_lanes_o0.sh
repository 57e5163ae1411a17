#!/usr/bin/env bash
# The tests of the functions built for each register width (AVX-512, AVX2,
# SSE2: attack blocks, attribute blocks, a patient's variates), in a build
# without optimisation (the debug preset, -O0). There GCC keeps out of line
# what it inlines in the release and sanitizer builds, and a vector that a
# function given wider registers by a target attribute passes to one built
# for the baseline arrives as garbage: a helper that is not always inlined
# gives wrong numbers in debug builds alone (results/bench/cpu-engine.md,
# nineteenth part). Each test checks its lanes against the scalar code.
#   bash scripts/test_lanes_o0.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tests=(lanes_test attack_blocks_test attribute_blocks_test variate_batch_test)
cmake --preset debug > /dev/null
cmake --build --preset debug --target "${tests[@]}"
for test in "${tests[@]}"; do
  echo "== $test (-O0)"
  "build/debug/tests/$test" --gtest_brief=1
done
