#!/usr/bin/env bash
# Benchmark of the base scenario: patient-strategy lifetimes per second and
# peak resident memory, for 1 thread and all threads, and the memory of a
# 10,000,000-patient run. Writes a markdown table to stdout; save it under
# results/bench/. Usage: scripts/bench.sh [path/to/sclsim] [backend]
set -euo pipefail
cd "$(dirname "$0")/.."
sclsim=${1:-build/release/sclsim}
backend=${2:-cpu}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() {  # patients threads
  local log="$out/log"
  "$sclsim" run --backend "$backend" --patients "$1" --threads "$2" -q -o "$out/bench.h5" > "$log"
  # "N patient-strategy lifetimes in S s (R/s), wall W s, peak memory M MiB"
  sed -n 's/^\([0-9]*\) patient-strategy lifetimes in \([0-9.]*\) s (\([0-9.e+]*\)\/s), wall \([0-9.]*\) s, peak memory \([0-9]*\) MiB/\1 \2 \3 \4 \5/p' "$log"
}

cores=$(nproc)
echo "## sclsim benchmark: base scenario ($(date -u +%Y-%m-%d))"
echo
echo "- command: \`scripts/bench.sh $sclsim $backend\`"
echo "- sclsim: $("$sclsim" --version) ($(git describe --always --dirty 2>/dev/null || echo unknown))"
echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cores cores, $(free -g | awk '/Mem:/{print $2}') GiB"
echo "- backend: $backend; strategies: 5 (all of the base scenario)"
echo
echo "| patients | threads | lifetimes | simulate s | lifetimes/s | lifetimes/s per thread | wall s | peak RSS MiB |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for config in "1000000 1" "1000000 $cores" "10000000 $cores"; do
  set -- $config
  read -r lifetimes seconds rate wall memory < <(run "$1" "$2")
  per_thread=$(awk -v r="$rate" -v t="$2" 'BEGIN{printf "%.3g", r/t}')
  echo "| $1 | $2 | $lifetimes | $seconds | $rate | $per_thread | $wall | $memory |"
done
