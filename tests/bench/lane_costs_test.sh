#!/usr/bin/env bash
# scripts/lane_costs.sh measures every part the lane model needs, each a
# positive instruction count, and lane_model reads its output into a table of
# efficiencies between 0 and 1. Skips (visibly) without valgrind.
#   lane_costs_test.sh LANE_COSTS LANE_MODEL SOURCE_DIR
set -euo pipefail
lane_costs=$1 lane_model=$2 source_dir=$3
if ! command -v valgrind > /dev/null; then
  echo "SKIPPED: valgrind is not installed (apt-get install valgrind): the lane model's costs cannot be measured here"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
bash "$source_dir/scripts/lane_costs.sh" "$lane_costs" 256 > "$work/costs.txt"
for part in step attack consequences adverse_event start finish attributes take lifetime; do
  value=$(sed -n "s/^$part \([0-9]*\)$/\1/p" "$work/costs.txt")
  [ -n "$value" ] && [ "$value" -gt 0 ] || fail "no positive count for '$part' in: $(cat "$work/costs.txt")"
done
"$lane_model" --costs "$work/costs.txt" --patients 2048 > "$work/table.md"
grep -q "| schedule | lane efficiency, measured costs | assumed costs | steps only |" "$work/table.md" || fail "no measured column"
kernel=$(grep "(the kernel)" "$work/table.md") || fail "no row for the kernel's schedule"
awk -F'|' '{ for (i = 3; i <= 5; ++i) if (!($i > 0 && $i <= 1)) exit 1 }' <<< "$kernel" || fail "efficiency outside (0, 1]: $kernel"
echo "lane costs measured and read: $kernel"
