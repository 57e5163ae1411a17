#!/usr/bin/env bash
# Benchmark of PSA throughput against the base case (issue: a PSA must run at
# >= 80% of the base case's patient-strategy lifetimes per second). Both runs
# use the PSA scenario cut to four strategies: the base case with 1,000,000
# patients in one parameter set, then 1,000 draws x 10,000 patients in one
# pass. Writes a markdown table to stdout; save it under results/bench/.
# Usage: scripts/bench_psa.sh [path/to/sclsim] [backend] [draws] [patients]
set -euo pipefail
cd "$(dirname "$0")/.."
sclsim=${1:-build/release/sclsim}
backend=${2:-cpu}
draws=${3:-1000}
patients=${4:-10000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cat > "$out/psa4.toml" <<TOML
# scls_psa.toml with four strategies (the benchmark's size).
extends = "$(pwd)/scenarios/scls_psa.toml"

[[strategies]]
name = "no_prophylaxis"
label = "No prophylaxis"
start_regimen = "none"

[[strategies]]
name = "ivig"
label = "IVIG 2 g/kg monthly from diagnosis"
start_regimen = "ivig_2g"
on_discontinuation = { ivig_2g = "theo_terb", theo_terb = "none" }

[[strategies.escalate]]
from = "theo_terb"
to = "ivig_2g"
after_attacks = 1
within_months = 12.0

[[strategies]]
name = "theo_terb"
label = "Theophylline + terbutaline from diagnosis"
start_regimen = "theo_terb"
on_discontinuation = "none"

[[strategies]]
name = "step_up"
label = "Theophylline + terbutaline; IVIG after a breakthrough attack"
start_regimen = "theo_terb"
on_discontinuation = { theo_terb = "ivig_2g", ivig_2g = "none" }

[[strategies.escalate]]
from = "theo_terb"
to = "ivig_2g"
after_attacks = 1
within_months = 12.0
TOML

measure() {  # command args...: prints "lifetimes seconds rate wall memory total"
  local start end
  start=$(date +%s.%N)
  "$sclsim" "$@" --backend "$backend" -q -o "$out/bench.h5" > "$out/log"
  end=$(date +%s.%N)
  sed -n 's/^\([0-9]*\) patient-strategy lifetimes in \([0-9.]*\) s (\([0-9.e+]*\)\/s), wall \([0-9.]*\) s, peak memory \([0-9]*\) MiB/\1 \2 \3 \4 \5/p' "$out/log" |
    tr -d '\n'
  awk -v a="$start" -v b="$end" 'BEGIN{printf " %.2f\n", b-a}'
}

echo "## sclsim benchmark: PSA against the base case ($(date -u +%Y-%m-%d))"
echo
echo "- command: \`scripts/bench_psa.sh $sclsim $backend $draws $patients\`"
echo "- sclsim: $("$sclsim" --version) ($(git describe --always --dirty 2>/dev/null || echo unknown))"
echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
echo "- backend: $backend; scenario: scenarios/scls_psa.toml cut to 4 strategies; all threads"
echo
echo "| run | parameter sets | patients per set | lifetimes | simulate s | lifetimes/s | engine wall s | command s | peak RSS MiB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
read -r base_lifetimes base_seconds base_rate base_wall base_memory base_total < <(measure run "$out/psa4.toml" --patients 1000000)
echo "| base case | 1 | 1000000 | $base_lifetimes | $base_seconds | $base_rate | $base_wall | $base_total | $base_memory |"
read -r lifetimes seconds rate wall memory total < <(measure psa "$out/psa4.toml" --draws "$draws" --patients "$patients")
echo "| PSA | $((draws + 1)) | $patients | $lifetimes | $seconds | $rate | $wall | $total | $memory |"
echo
awk -v p="$rate" -v b="$base_rate" 'BEGIN{printf "PSA rate / base-case rate = %.3f (goal: >= 0.80)\n", p/b}'
echo
echo "lifetimes/s counts the engine's simulate time; command s is the whole command: loading, resolving every draw into"
echo "model parameters, the simulation, the CEA (CEAC, EVPI, EVPPI regressions) and writing the HDF5 file."
