#!/usr/bin/env bash
# A measured bound on what vector lanes across lifetimes can give the CPU
# engine (bench/lane_step_bound.cpp): part of the event step, the same code
# scalar and in 4 and 8 lanes, built for this machine. Prints a markdown
# table (results/bench/cpu-lane-bound.md keeps one). Exits 1 if any lane
# width gives other bits than the scalar code (or Lanes::any, in this
# machine's registers, is wrong for some mask), 2 if the bound does not
# build, 3 where it cannot (not x86-64, no g++).
#   bash scripts/bench_lane_step.sh [lifetimes per run] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
lifetimes=${1:-1000000}
repeats=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ "$(uname -m)" = x86_64 ] || { echo "bench_lane_step.sh: the bound is written for x86-64 (AVX2, AVX-512), not $(uname -m)" >&2; exit 3; }
command -v g++ > /dev/null || { echo "bench_lane_step.sh: g++ not found — apt-get install g++" >&2; exit 3; }
# -Wno-maybe-uninitialized: GCC 12 warns inside its own AVX-512 gather intrinsic.
g++ -std=c++20 -O2 -ffp-contract=off -march=native -Wall -Wextra -Wno-psabi -Wno-maybe-uninitialized -I. \
  -o "$work/lane_step_bound" bench/lane_step_bound.cpp ||
  { echo "bench_lane_step.sh: bench/lane_step_bound.cpp did not build (above)" >&2; exit 2; }
echo "- command: \`bash scripts/bench_lane_step.sh $lifetimes $repeats\`"
echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') MHz," \
  "$(grep -qw avx512f /proc/cpuinfo && echo 'AVX-512' || echo 'no AVX-512'); built with -march=native"
echo "- $lifetimes lifetimes a run, interleaved, best of $repeats"
echo
"$work/lane_step_bound" "$lifetimes" "$repeats"
