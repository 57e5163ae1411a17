#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang-14, ASan + UBSan), fuzzes
# each for SECONDS (default 60) from a copy of its committed corpus, then
# replays every input kept in tests/fuzz/regressions/<target>/. Exits
# non-zero on any finding (crash, sanitizer report, hang past 10 s, memory
# past 4 GiB, an exception other than InputError) and prints the reproducer.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS_PER_TARGET is \"$seconds\" — give a whole number of seconds" >&2; exit 2; }
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
  echo "== $target: fuzzing for ${seconds}s"
  corpus="$work/corpus/$target" artifacts="$work/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  cp tests/fuzz/corpus/"$target"/* "$corpus"/  # the committed corpus stays as it is
  if ! "$bin/$target" "${common[@]}" -max_total_time="$seconds" -artifact_prefix="$artifacts" "$corpus" \
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
echo "fuzz.sh: no finding (${#targets[@]} targets, ${seconds}s each, regressions replayed)"
