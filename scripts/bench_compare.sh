#!/usr/bin/env bash
# Before/after benchmark of two sclsim builds on the same machine, runs
# interleaved (a shared machine's load falls on both alike): the base
# scenario at 10^6 patients on 1 and 2 threads and at 10^7 on 2 threads, a
# PSA of 200 draws x 10^4 patients on 2 threads, and callgrind's instructions
# per lifetime. Writes a markdown table to stdout; save it under results/bench/.
#   bash scripts/bench_compare.sh OLD/sclsim NEW/sclsim [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1
new=$2
repeats=${3:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

rate() {  # sclsim args... -> lifetimes/s
  "$@" -q --no-checkpoint -o "$out/bench.h5" | sed -n 's/^.* patient-strategy lifetimes in .* s (\([0-9.e+]*\)\/s).*/\1/p'
}
configs=("run --patients 1000000 --threads 1" "run --patients 1000000 --threads 2" "run --patients 10000000 --threads 2"
         "psa scenarios/scls_psa.toml --draws 200 --patients 10000 --threads 2")
echo "## Engine before/after ($(date -u +%Y-%m-%d))"
echo
echo "- command: \`bash scripts/bench_compare.sh $old $new $repeats\`"
echo "- before: $("$old" info | head -1); after: $("$new" info | head -1)"
echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores (shared: other work may run)"
echo
echo "| run | before, lifetimes/s | after, lifetimes/s | after / before |"
echo "| --- | --- | --- | ---: |"
for config in "${configs[@]}"; do
  before=() after=()
  for _ in $(seq "$repeats"); do
    # shellcheck disable=SC2086
    before+=("$(rate "$old" $config)")
    # shellcheck disable=SC2086
    after+=("$(rate "$new" $config)")
  done
  ratio=$(printf '%s\n' "${before[@]}" | sort -g | tail -1 | awk -v a="$(printf '%s\n' "${after[@]}" | sort -g | tail -1)" '{printf "%.2f", a / $1}')
  echo "| \`sclsim $config\` | ${before[*]} | ${after[*]} | $ratio (best of each) |"
done
echo
for build in "$old" "$new"; do
  echo "- $build: $(bash scripts/bench_instructions.sh "$build" 10000)"
done
