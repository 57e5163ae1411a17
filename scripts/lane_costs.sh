#!/usr/bin/env bash
# The lane model's costs, measured instead of assumed: runs the GPU kernel's
# lane-refill schedule on the CPU (build/*/lane_costs: the event loop's parts
# kept out of line) under callgrind and writes, per part, the x86
# instructions of one call, as lines "part instructions" that
# `lane_model --costs FILE` reads:
#   step                the common part of an event (next event, accrual, the
#                       dispatch and the short handlers, on average)
#   attack              an attack's handler (the diagnostic attack takes the same
#                       path, doing only the consequences: its draws are drawn ahead)
#   consequences        the attack's consequences (severity, stay, costs, death)
#   adverse_event       an adverse event's handler
#   start               beginning a lifetime; finish: tallying it
#   attributes          drawing a patient's attributes into the warp's buffer
#   take                a lane taking a buffered patient
#   lifetime            all of these, per lifetime
# x86 instructions stand in for SASS (the GPU's FP64 at half rate and its
# 32-bit integer datapath weigh differently). Needs valgrind.
#   bash scripts/lane_costs.sh [path/to/lane_costs] [patients] > costs.txt
set -euo pipefail
cd "$(dirname "$0")/.."
program=${1:-build/cpu-only/lane_costs}
patients=${2:-2048}
command -v valgrind > /dev/null || { echo "lane_costs.sh: valgrind not found — apt-get install valgrind" >&2; exit 2; }
[ -x "$program" ] || { echo "lane_costs.sh: $program is not built — cmake --build --preset cpu-only --target lane_costs" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$program" --patients "$patients" > "$work/counts" 2> "$work/log" ||
  { cat "$work/log" >&2; echo "lane_costs.sh: $program failed under callgrind" >&2; exit 1; }
callgrind_annotate --inclusive=yes --threshold=100 "$work/cg.out" > "$work/annotated" 2> /dev/null
awk -v command="bash scripts/lane_costs.sh $program $patients" '
  FNR == NR { count[$1 == "event" ? $2 : $1] = $NF; next }   # the program'"'"'s counts
  function take(pattern, name) { if (index($0, pattern) && !(name in ir)) { v = $1; gsub(",", "", v); ir[name] = v } }
  {
    take("LifetimeSimulator<0, false>::advance<", "advance")
    take("LifetimeSimulator<0, false>::on_attack(", "on_attack")
    take("LifetimeSimulator<0, false>::on_adverse_event(", "on_adverse_event")
    take("attack_consequences_in<0>(", "consequences")
    take("tally_and_move_on<", "finish")
    take("begin_lifetime(", "start")
    take("draw_patient(", "attributes")
    take("take_patient(", "take")
  }
  function per(name, calls) {
    if (!(name in ir) || calls == 0) { printf "lane_costs.sh: no inclusive count for %s in the profile\n", name > "/dev/stderr"; failed = 1; return 0 }
    return ir[name] / calls
  }
  END {
    handlers = ir["on_attack"] + ir["on_adverse_event"]
    printf "# x86 instructions per call, counted by callgrind: %s; %d patients, %d lifetimes, %d events\n", \
      command, count["patients"], count["lifetimes"], count["events"]
    printf "step %.0f\n", (per("advance", count["events"]) * count["events"] - handlers) / count["events"]
    printf "attack %.0f\n", per("on_attack", count["attack"] + count["diagnostic_attack"])
    printf "consequences %.0f\n", per("consequences", count["attack"] + count["diagnostic_attack"])
    printf "adverse_event %.0f\n", per("on_adverse_event", count["adverse_event"])
    printf "start %.0f\n", per("start", count["lifetimes"])
    printf "finish %.0f\n", per("finish", count["lifetimes"])
    printf "attributes %.0f\n", per("attributes", count["drawn"])
    printf "take %.0f\n", per("take", count["patients"])
    # Everything the schedule does, per lifetime (what the GPU runs, for the rate estimate).
    printf "lifetime %.0f\n", (ir["advance"] + ir["finish"] + ir["start"] + ir["attributes"] + ir["take"]) / count["lifetimes"]
    exit failed
  }' "$work/counts" "$work/annotated"
