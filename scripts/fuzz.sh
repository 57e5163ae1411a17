#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang-14, ASan + UBSan), fuzzes
# each from a copy of its committed corpus, then replays every input kept in
# tests/fuzz/regressions/<target>/. Exits non-zero on any finding (crash,
# sanitizer report, hang past 10 s, memory past 4 GiB, an exception other
# than InputError) and prints the reproducer.
#
# Two ways to fuzz:
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   explore: a fresh random seed, for a time (default 60)
#   scripts/fuzz.sh --runs N [--seed S]    repeatable: N inputs per target from seed S (default 1);
#                                          the same inputs on every machine, however busy (CI uses this)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60 runs="" seed=1
usage() { echo "fuzz.sh: $1 — usage: scripts/fuzz.sh [SECONDS_PER_TARGET] | --runs N [--seed S]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || usage "--runs needs a positive whole number"; runs=$2; shift 2 ;;
    --seed) [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || usage "--seed needs a positive whole number"; seed=$2; shift 2 ;;
    *) [[ "$1" =~ ^[0-9]+$ ]] || usage "\"$1\" is neither a whole number of seconds nor an option"; seconds=$1; shift ;;
  esac
done
if [ -n "$runs" ]; then
  budget=(-runs="$runs" -seed="$seed") budget_text="$runs inputs from seed $seed"
else
  budget=(-max_total_time="$seconds") budget_text="${seconds}s"
fi
targets=(fuzz_scenario fuzz_targets fuzz_psa)
bash scripts/setup.sh
cmake --preset fuzz
cmake --build --preset fuzz
bin=build/fuzz/tests/fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitize/lsan.supp:print_suppressions=0}
common=(-timeout=10 -rss_limit_mb=4096 -max_len=65536 -dict=tests/fuzz/toml.dict -print_final_stats=1)
findings=()

for target in "${targets[@]}"; do
  echo "== $target: fuzzing, $budget_text"
  corpus="$work/corpus/$target" artifacts="$work/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  cp tests/fuzz/corpus/"$target"/* "$corpus"/  # the committed corpus stays as it is
  if ! "$bin/$target" "${common[@]}" "${budget[@]}" -artifact_prefix="$artifacts" "$corpus" \
      > "$work/$target.log" 2>&1; then
    tail -n 60 "$work/$target.log"
    mkdir -p build/fuzz/findings
    for artifact in "$artifacts"*; do
      [ -e "$artifact" ] || continue
      kept="build/fuzz/findings/$target-$(basename "$artifact")"
      cp "$artifact" "$kept"
      findings+=("$target: $kept (reproduce: $bin/$target $kept)")
    done
    [ -n "$(ls -A "$artifacts")" ] || findings+=("$target: failed without an artifact, see the log above")
  else
    grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)" "$work/$target.log" || true
  fi
done

for target in "${targets[@]}"; do
  inputs=()
  for f in tests/fuzz/regressions/"$target"/*; do
    case "$(basename "$f")" in README*|.*) continue ;; esac
    [ -f "$f" ] && inputs+=("$f")
  done
  echo "== $target: replaying ${#inputs[@]} regression inputs"
  [ ${#inputs[@]} -gt 0 ] || continue
  if ! "$bin/$target" "${common[@]}" "${inputs[@]}" > "$work/$target.replay.log" 2>&1; then
    tail -n 60 "$work/$target.replay.log"
    reproducer=$(grep -oE "Running: .*" "$work/$target.replay.log" | tail -1 | sed 's/^Running: //')
    findings+=("$target: regression ${reproducer:-(see the log above)} (reproduce: $bin/$target $reproducer)")
  fi
done

if [ ${#findings[@]} -gt 0 ]; then
  echo "fuzz.sh: ${#findings[@]} finding(s) — fix each (bad input must end in an InputError), then keep its input in tests/fuzz/regressions/<target>/:" >&2
  printf '  %s\n' "${findings[@]}" >&2
  exit 1
fi
echo "fuzz.sh: no finding (${#targets[@]} targets, $budget_text each, regressions replayed)"
