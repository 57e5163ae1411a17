#!/usr/bin/env bash
# Every command-line misuse exits 2 with the option named, what it accepts,
# and (where one is close) the nearest valid option or command; nothing is
# written. --help and --version still exit 0.
set -euo pipefail
sclsim=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
checked=0

# misuse "PATTERN" ARGS...: exit 2, a usage message holding PATTERN, no output file.
misuse() {
  local pattern=$1
  shift
  set +e
  "$sclsim" "$@" > "$work/out.txt" 2> "$work/err.txt"
  local code=$?
  set -e
  [ "$code" -eq 2 ] || { cat "$work/err.txt"; fail "exit $code (expected 2) for: sclsim $*"; }
  grep -q -- "$pattern" "$work/err.txt" || { cat "$work/err.txt"; fail "no \"$pattern\" for: sclsim $*"; }
  grep -q -- " — " "$work/err.txt" || { cat "$work/err.txt"; fail "no remedy for: sclsim $*"; }
  [ -z "$(ls "$work" | grep -v -e out.txt -e err.txt)" ] || fail "something was written for: sclsim $*"
  checked=$((checked + 1))
}

o=(-o "$work/x.h5")
misuse "--patients: is 0" run --patients 0 "${o[@]}"
misuse "--patients: is \"-5\", not a whole number" run --patients -5 "${o[@]}"
misuse "--patients: is \"1e30\"" run --patients 1e30 "${o[@]}"
misuse "--patients: is \"abc\"" run --patients abc "${o[@]}"
misuse "--patients: is 4294967296" run --patients 4294967296 "${o[@]}"
misuse "--threads: is \"-1\"" run --threads -1 "${o[@]}"
misuse "--backend: is \"tpu\".*did you mean \"cpu\"" run --backend tpu "${o[@]}"
misuse "--patiens is not an option of sclsim run (did you mean --patients?)" run --patiens 5 "${o[@]}"
misuse "--resume excludes --restart" run --resume --restart "${o[@]}"
misuse "--checkpoint-every: is -1" run --checkpoint-every -1 "${o[@]}"
misuse "--checkpoint-every: is \"nan\"" run --checkpoint-every nan "${o[@]}"
misuse "--checkpoint-every: is \"inf\"" run --checkpoint-every inf "${o[@]}"
misuse "--seed: is \"-1\"" run --seed -1 "${o[@]}"
misuse "--seed: is \"1e23\"" run --seed 1e23 "${o[@]}"
misuse "--draws: is 0" psa --draws 0 "${o[@]}"
misuse "--draws: is 20000000" psa --draws 20000000 "${o[@]}"
misuse "--wtp: is \"abc\"" report --wtp abc "$work/none.h5"
misuse "\"rn\" is not a command of sclsim (did you mean \"run\"?)" rn
misuse "no command given" 
misuse "unexpected argument \"b.toml\"" run a.toml b.toml "${o[@]}"
misuse "--targets is required" calibrate
misuse "--max-evaluations: is 5" calibrate --targets x.toml --max-evaluations 5
misuse "--no-checkpoint excludes --resume" run --no-checkpoint --resume "${o[@]}"
misuse "--one-way excludes --grid" sweep --one-way --grid attacks.rate_per_year=1,2 "${o[@]}"
misuse "attacks.rate_per_year: has the value \"\[1,\", which is not one TOML value" run --set "attacks.rate_per_year=[1," "${o[@]}"
misuse "attacks.rate_per_year: has the value \"two words\"" run --set "attacks.rate_per_year=two words" "${o[@]}"
if grep -q "^GPU backend: not compiled\|^GPU devices: none" <<< "$("$sclsim" info)"; then
  misuse "--backend: gpu: asks for a GPU, and none is usable" run --backend gpu "${o[@]}"
else
  echo "(a GPU is usable here: --backend gpu without one was not tried)"
fi

echo "== settings of the run cannot be varied per parameter set"
misuse "simulation.seed: is a run setting" sweep --grid simulation.seed=1,2 "${o[@]}"
misuse "simulation.patients: is a run setting" sweep --grid simulation.patients=10,20 "${o[@]}"
misuse "has 10000000000 points" sweep --grid attacks.rate_per_year=0:1:100000 --grid regimens.ivig_2g.price_per_gram=0:1:100000 "${o[@]}"

echo "== validate resolves every PSA draw and checks report thresholds against the grid"
inputs=$(mktemp -d)
trap 'rm -rf "$work" "$inputs"' EXIT
printf 'extends = "builtin:scls_base"\n[psa]\ndraws = 50\n[[psa.parameters]]\npath = "attacks.severity.icu.death_probability"\ndistribution = "normal"\nmean = 0.5\nsd = 2.0\n' > "$inputs/wide.toml"
misuse "parameter set [0-9]* (draw [0-9]*): attacks.severity.icu.death_probability: is .* (too large" validate "$inputs/wide.toml"
printf 'extends = "builtin:scls_base"\n[cea]\nreport_wtp = [50000, 300000]\n' > "$inputs/beyond.toml"
misuse "report_wtp: contains 300000, beyond the willingness-to-pay grid" validate "$inputs/beyond.toml"

echo "== help and version are not errors"
grep -q "Subcommands" <<< "$("$sclsim" --help)" || fail "--help"
grep -q -- "--patients" <<< "$("$sclsim" run --help)" || fail "run --help"
grep -q "[0-9]" <<< "$("$sclsim" --version)" || fail "--version"
echo "usage: $checked misuses, each exit 2 with the option and a remedy"
