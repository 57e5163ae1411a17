#!/usr/bin/env bash
# Where the CPU engine's instructions go, per patient-strategy lifetime: the
# base scenario on one thread under callgrind, at two patient counts whose
# difference leaves out start-up and the HDF5 file (as bench_instructions.sh
# does), broken down by the part of the engine that runs (patient attributes,
# the shared history, the lifetimes after it, the patient loop and tally, libm)
# and the source file of the inlined code (e^x, discounting, Philox, ...).
# Needs valgrind and a binary with line tables: without one given, the script
# builds build/census (the release flags plus -g; a few minutes).
#   bash scripts/bench_census.sh [path/to/sclsim-with-debug-info] [patients]
set -euo pipefail
cd "$(dirname "$0")/.."
sclsim=${1:-}
patients=${2:-10000}
command -v valgrind > /dev/null || { echo "bench_census.sh: valgrind not found — apt-get install valgrind" >&2; exit 2; }
if [ -z "$sclsim" ]; then
  cmake -S . -B build/census -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-g -DSCLS_ENABLE_CUDA=OFF -DSCLS_BUILD_TESTS=OFF > /dev/null
  cmake --build build/census --target sclsim -j 2 > /dev/null
  sclsim=build/census/sclsim
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
profile() {  # patients -> $work/self.<patients>: self cost by file:function
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.$1" "$sclsim" run --patients "$1" --threads 1 -q --no-checkpoint \
    -o "$work/out.h5" > /dev/null 2> "$work/log" ||
    { cat "$work/log" >&2; echo "bench_census.sh: $sclsim failed under callgrind" >&2; exit 1; }
  callgrind_annotate --inclusive=no --auto=no --threshold=100 "$work/cg.$1" > "$work/self.$1"
}
profile "$patients"
profile $((2 * patients))
strategies=$("$sclsim" run --patients 1 --threads 1 -q --no-checkpoint -o "$work/one.h5" | sed -n 's/^\([0-9]*\) patient-strategy lifetimes.*/\1/p')
[ -n "$strategies" ] || { echo "bench_census.sh: $sclsim did not say how many lifetimes it ran" >&2; exit 1; }
/usr/bin/python3 - "$work/self.$patients" "$work/self.$((2 * patients))" "$((patients * strategies))" "$sclsim" "$patients" <<'EOF'
import collections, re, sys

# The part of the engine a function is (inlined code is charged to the
# function it was inlined into), and the name of the code by its source file.
PARTS = [("run_before", "events: the shared history"), ("run_from", "events: lifetimes after it"),
         ("run_to_end", "events: lifetimes run to their end (after the shared history, or whole)"),
         ("run<", "events: whole lifetimes (nothing shared)"), ("draw_attributes", "patient attributes"),
         ("simulate_patient", "patient loop and tally"), ("draw_attacks", "attack draws, a draw of 4 or 8 at a time"),
         ("detail::philox_batch", "patient attributes")]  # out of line only where attribute_blocks_at_once calls it
FILES = {"lifetime.hpp": "event logic", "lifetime_state.hpp": "event logic", "attack_cache.hpp": "attack consequences",
         "event_draw_cache.hpp": "event draws kept",
         "exponential.hpp": "e^x, 1 - e^-x (own)", "logarithm.hpp": "ln x (own)", "discounting.hpp": "discounting",
         "philox.hpp": "Philox", "emmintrin.h": "Philox (SSE2 pairs)", "attack_draws.hpp": "attack draws",
         "attack_blocks.hpp": "Philox (vector batch)", "attribute_blocks.hpp": "attribute blocks",
         "lanes.hpp": "lanes (conversions, table loads)", "avx2intrin.h": "Philox (vector batch)",
         "avx512fintrin.h": "Philox (vector batch)", "avxintrin.h": "Philox (vector batch)",
         "distributions.hpp": "distributions", "math.hpp": "normal quantile, min/max", "patient.hpp": "attributes",
         "tally.hpp": "tally", "exact_sum.hpp": "exact sums", "simulate_omp.cpp": "tally adds", "patient_block.hpp": "state copies"}
LIBM = re.compile(r"(e_log|s_expm1|s_erf|e_exp|e_log10|w_log|w_exp|libm\.so)")  # its sources, or without them its object

def census(path):
    cost = collections.Counter()
    for line in open(path):
        m = re.match(r"\s*([\d,]+)(?: \([^)]*\))?\s+(\S[^:]*):(.*)$", line)  # "Ir (share) file:function [object]"
        if not m:
            continue
        ir, source, function = int(m.group(1).replace(",", "")), m.group(2), m.group(3)
        part = next((name for key, name in PARTS if re.match(r"[^(]*" + re.escape(key), function)), None)
        if part is None and LIBM.search(source + function):
            part, code = "libm", re.sub(r".*/", "", source) if source != "???" else function.split(" ")[0]
        elif part is None:
            part, code = "elsewhere (copies, allocation, the block loop)", ""
        else:
            code = FILES.get(re.sub(r".*/", "", source), re.sub(r".*/", "", source))
        cost[(part, code)] += ir
    return cost

small, large = census(sys.argv[1]), census(sys.argv[2])
if not any(part.startswith("events") for part, _ in large):
    sys.exit("bench_census.sh: callgrind_annotate's output named no part of the engine (a binary without its symbols?)")
lifetimes = int(sys.argv[3])
per = {key: (large[key] - small[key]) / lifetimes for key in set(small) | set(large)}
total = sum(per.values())
print(f"Instructions per patient-strategy lifetime by part (callgrind; {sys.argv[5]} and {2 * int(sys.argv[5])} patients, 1 thread;"
      f" bash scripts/bench_census.sh {sys.argv[4]} {sys.argv[5]})\n")
print("| part | code | instructions | share |")
print("| --- | --- | ---: | ---: |")
by_part = collections.Counter()
for (part, code), value in per.items():
    by_part[part] += value
for part, part_total in sorted(by_part.items(), key=lambda x: -x[1]):
    rows = sorted(((code, v) for (p, code), v in per.items() if p == part), key=lambda x: -x[1])
    shown = [(code, v) for code, v in rows if abs(v) >= 15]
    rest = part_total - sum(v for _, v in shown)
    for code, v in shown:
        print(f"| {part} | {code or '-'} | {v:,.0f} | {100 * v / total:.1f}% |")
    if abs(rest) >= 0.5:
        print(f"| {part} | the rest | {rest:,.0f} | {100 * rest / total:.1f}% |")
    print(f"| **{part}** | | **{part_total:,.0f}** | **{100 * part_total / total:.1f}%** |")
print(f"| **all** | | **{total:,.0f}** | |")
EOF
