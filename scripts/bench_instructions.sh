#!/usr/bin/env bash
# x86 instructions per patient-strategy lifetime of the CPU engine, counted by
# callgrind (deterministic, unlike timings on a shared machine): two runs of
# the base scenario on one thread that differ only in patients; the difference
# of their instruction counts over the difference of their lifetimes leaves
# out start-up and the HDF5 file. Needs valgrind.
#   bash scripts/bench_instructions.sh [path/to/sclsim] [patients]
set -euo pipefail
cd "$(dirname "$0")/.."
sclsim=${1:-build/release/sclsim}
patients=${2:-20000}
command -v valgrind > /dev/null || { echo "bench_instructions.sh: valgrind not found — apt-get install valgrind" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "bench_instructions.sh: $*" >&2; exit 1; }
count() {  # patients -> instructions; exits 1 (its caller must stop) when the run fails: no count from half a run
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$sclsim" run --patients "$1" --threads 1 -q --no-checkpoint \
    -o "$work/out.h5" > /dev/null 2> "$work/log" ||
    { grep -v '^==' "$work/log" | tail -5 >&2; fail "$sclsim failed under callgrind with --patients $1 (its last words above)"; }
  sed -n 's/^.*Collected : \([0-9]*\)$/\1/p' "$work/log"
}
small=$(count "$patients") || exit 1
large=$(count $((2 * patients))) || exit 1
[ -n "$small" ] && [ -n "$large" ] || fail "callgrind reported no instruction count"
strategies=$("$sclsim" run --patients 1 --threads 1 -q --no-checkpoint -o "$work/one.h5" | sed -n 's/^\([0-9]*\) patient-strategy lifetimes.*/\1/p')
[ -n "$strategies" ] || fail "$sclsim did not say how many lifetimes it ran"
awk -v a="$small" -v b="$large" -v n="$patients" -v s="$strategies" -v cmd="bash scripts/bench_instructions.sh $sclsim $patients" \
  'BEGIN { printf "%.0f instructions per patient-strategy lifetime (callgrind; %d and %d patients x %d strategies, 1 thread; %s)\n", (b - a) / (n * s), n, 2 * n, s, cmd }'
