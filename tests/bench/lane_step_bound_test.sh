#!/usr/bin/env bash
# scripts/bench_lane_step.sh builds the lane-step bound for this machine and
# runs it briefly: Lanes::any must be right for every mask in this machine's
# registers, every lane width must give each lifetime the scalar code's
# bits, after as many lane-events (the bound would otherwise time other
# work), and every row must have a positive time. Timings themselves are not
# checked. Skips (visibly) where the bound cannot be built: not x86-64, no g++.
#   lane_step_bound_test.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
status=0
bash "$source_dir/scripts/bench_lane_step.sh" 20000 1 > "$work/table.md" 2> "$work/err" || status=$?
case $status in
  0) ;;
  1) fail "a lane width gave other bits than the scalar code, or Lanes::any was wrong: $(cat "$work/table.md" "$work/err")" ;;
  3) echo "SKIPPED: $(cat "$work/err")"; exit 77 ;;
  *) fail "the bound did not build or run (exit $status): $(cat "$work/err")" ;;
esac
rows=$(grep -c '^| [0-9s].* | yes |$' "$work/table.md" || true)
[ "$rows" -eq 5 ] || fail "expected 5 rows with the scalar bits, got $rows: $(cat "$work/table.md")"
awk -F'|' '/ \| yes \|$/ { if (!($4 > 0)) exit 1 }' "$work/table.md" || fail "a row without a positive time: $(cat "$work/table.md")"
echo "lane-step bound: every width gives the scalar bits"
