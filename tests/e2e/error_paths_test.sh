#!/usr/bin/env bash
# Hostile input to the sclsim binary, fast enough for the sanitizer build:
# malformed TOML, unknown keys, bad --set and CLI values, broken targets
# files, non-HDF5 and truncated files given to `report`, a corrupt
# checkpoint. Each must be refused (exit != 0) without a crash: exit < 128 and
# no sanitizer report on stderr. Usage: error_paths_test.sh SCLSIM [PYTHON]
set -uo pipefail
sclsim=$1 python=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
scenarios="$here/../../scenarios"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 cases=0

# refused NAME CMD...: the command must fail cleanly (exit 1..127, no sanitizer report).
refused() {
  local name=$1; shift
  cases=$((cases + 1))
  "$@" > "$work/out.txt" 2> "$work/err.txt" < /dev/null
  local code=$?
  local why=""
  if [ "$code" -eq 0 ]; then why="exit 0 (accepted broken input) — it must be refused"
  elif [ "$code" -ge 128 ]; then why="exit $code (killed by signal $((code - 128))) — it must exit with an error message"
  elif grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer" "$work/err.txt"; then
    why="sanitizer report — the input must be refused without undefined behaviour"
  fi
  if [ -n "$why" ]; then
    failures=$((failures + 1))
    echo "FAIL: $name: $why" >&2
    echo "  command: $*" >&2
    sed 's/^/  | /' "$work/err.txt" | head -40 >&2
  else
    echo "ok   $name (exit $code)"
  fi
}

base="$scenarios/scls_base.toml"
targets="$scenarios/targets/pineton2017.toml"

echo "== malformed scenarios"
printf '[scenario\ntitle = "x"\n' > "$work/unclosed.toml"
printf 'extends = "builtin:scls_base"\n[attacks]\nrate_per_year = \n' > "$work/novalue.toml"
printf 'extends = "builtin:scls_base"\n[attacks]\nrate_per_year = 1e999999\n' > "$work/huge.toml"
printf 'extends = "builtin:scls_base"\n[simulation]\npatients = -9223372036854775808\n' > "$work/minint.toml"
printf 'extends = "builtin:scls_base"\n[attacks]\nrate_per_year = nan\n' > "$work/nan.toml"
printf 'extends = "missing.toml"\n' > "$work/missing_parent.toml"
printf 'extends = "loop.toml"\n' > "$work/loop.toml"
for byte in $(seq 0 255); do printf "\\$(printf %03o "$byte")"; done > "$work/binary.toml"  # every byte value, fixed order
: > "$work/empty.toml"
sed 's/^\[population\]$/[population]\ntypo_share = 0.5/' "$base" > "$work/unknown_key.toml"
sed 's/^\[population\]$/[population]\n"é☃" = "ü"/' "$base" > "$work/unicode_key.toml"
for f in unclosed novalue huge minint nan missing_parent loop binary empty unknown_key unicode_key; do
  refused "validate $f.toml" "$sclsim" validate "$work/$f.toml"
done
refused "run on a malformed scenario" "$sclsim" run "$work/unclosed.toml" -o "$work/x.h5"
refused "run on a missing scenario" "$sclsim" run "$work/does_not_exist.toml" -o "$work/x.h5"
refused "run on a directory" "$sclsim" validate "$work"

echo "== bad --set"
for assignment in 'attacks.rate_per_year=abc' 'attacks.rate_per_year' '=1' 'attacks.nope=1' \
                  'attacks.rate_per_year=[1,' 'attacks.rate_per_year=1e999' 'simulation.patients=-1' \
                  'simulation.patients=99999999999999999999' 'regimens.nosuch.label=x' 'strategies.999.name=x' \
                  'population=1' 'attacks.severity.icu.share=-0' ''; do
  refused "--set '$assignment'" "$sclsim" validate --set "$assignment"
done

echo "== bad command-line values"
refused "--patients -5" "$sclsim" run --patients -5 -o "$work/x.h5"
refused "--patients abc" "$sclsim" run --patients abc -o "$work/x.h5"
refused "--patients 0" "$sclsim" run --patients 0 -o "$work/x.h5"
refused "--patients 2^64" "$sclsim" run --patients 18446744073709551616 -o "$work/x.h5"
refused "--seed x" "$sclsim" run --seed x -o "$work/x.h5"
refused "--threads -1" "$sclsim" run --threads -1 -o "$work/x.h5"
refused "--backend quantum" "$sclsim" run --backend quantum -o "$work/x.h5"
refused "--checkpoint-every -1" "$sclsim" run --checkpoint-every -1 -o "$work/x.h5"
refused "--resume without a checkpoint" "$sclsim" run --patients 256 --resume -o "$work/x.h5"
refused "--resume with --restart" "$sclsim" run --patients 256 --resume --restart -o "$work/x.h5"
refused "unknown option" "$sclsim" run --frobnicate
refused "no subcommand" "$sclsim"
refused "psa without [psa]" "$sclsim" psa --patients 256 -o "$work/x.h5"
refused "psa --draws 0" "$sclsim" psa "$scenarios/scls_psa.toml" --draws 0 -o "$work/x.h5"
refused "psa --draws -1" "$sclsim" psa "$scenarios/scls_psa.toml" --draws -1 -o "$work/x.h5"
refused "sweep without a mode" "$sclsim" sweep --patients 256 -o "$work/x.h5"
refused "sweep --one-way without ranges" "$sclsim" sweep --one-way --patients 256 -o "$work/x.h5"
for axis in 'attacks.rate_per_year' 'attacks.rate_per_year=1:2' 'attacks.rate_per_year=1:2:0' \
            'attacks.rate_per_year=1:2:-3' 'attacks.rate_per_year=1:2:99999999999' 'attacks.rate_per_year=a,b' \
            'nosuch.key=1,2' 'attacks.rate_per_year=,' 'title=1,2'; do
  refused "--grid '$axis'" "$sclsim" sweep --grid "$axis" --patients 256 -o "$work/x.h5"
done
refused "three grid axes" "$sclsim" sweep --grid attacks.rate_per_year=1,2 --grid attacks.rate_per_year=1,2 \
  --grid attacks.heterogeneity_sigma=1,2 --patients 256 -o "$work/x.h5"
refused "output in a missing directory" "$sclsim" run --patients 256 -o "$work/no/such/dir.h5"

echo "== broken targets files"
printf 'name = "x"\n[[targets\n' > "$work/t_malformed.toml"
sed 's/^statistic = "survival"/statistic = "happiness"/' "$targets" > "$work/t_statistic.toml"
sed 's/^path = "attacks.heterogeneity_sigma"/path = "attacks.nope"/' "$targets" > "$work/t_path.toml"
sed 's/^lower = 0.4$/lower = 1e400/' "$targets" > "$work/t_bound.toml"
grep -q "^lower = 1e400$" "$work/t_bound.toml" || { echo "FAIL: t_bound.toml: the sed found no bound to break" >&2; failures=$((failures + 1)); }
printf 'typo = 1\n' >> "$work/t_statistic.toml"
: > "$work/t_empty.toml"
for f in t_malformed t_statistic t_path t_bound t_empty; do
  refused "calibrate --targets $f.toml" "$sclsim" calibrate --targets "$work/$f.toml" -o "$work/cal.toml" -q
  refused "run --targets $f.toml" "$sclsim" run --patients 256 --targets "$work/$f.toml" -o "$work/x.h5"
done

echo "== report on files that are not sclsim results"
"$sclsim" run --patients 256 --threads 1 -q --no-checkpoint -o "$work/good.h5" > /dev/null 2> "$work/good.err" \
  || { echo "FAIL: a 256-patient run failed; cannot make the truncated files" >&2; cat "$work/good.err" >&2; exit 1; }
size=$(stat -c %s "$work/good.h5")
for keep in 0 8 512 $((size / 2)) $((size - 1)); do
  head -c "$keep" "$work/good.h5" > "$work/truncated_$keep.h5"
  refused "report on the first $keep of $size bytes" "$sclsim" report "$work/truncated_$keep.h5"
done
cp "$base" "$work/text.h5"
refused "report on a TOML file" "$sclsim" report "$work/text.h5"
refused "report on a missing file" "$sclsim" report "$work/missing.h5"
refused "report --wtp abc" "$sclsim" report "$work/good.h5" --wtp abc
if [ -n "$python" ] && "$python" -c 'import h5py' 2> /dev/null; then
  "$python" -c 'import h5py, sys; f = h5py.File(sys.argv[1], "w"); f["results/qalys_mean"] = [1.0]' "$work/foreign.h5"
  refused "report on another program's HDF5" "$sclsim" report "$work/foreign.h5"
fi

echo "== corrupt checkpoint segments"
mkdir -p "$work/ck.h5.checkpoint"
printf 'not hdf5' > "$work/ck.h5.checkpoint/rank-0000-of-0001.seg-000000.h5"
refused "run beside a non-HDF5 segment" "$sclsim" run --patients 256 -q -o "$work/ck.h5"
cp "$work/good.h5" "$work/ck.h5.checkpoint/rank-0000-of-0001.seg-000000.h5"
refused "run beside a results file posing as a segment" "$sclsim" run --patients 256 -q -o "$work/ck.h5"

echo "$cases cases: $((cases - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
