#!/usr/bin/env bash
# The HTML report end to end: tiny run, PSA, sweeps and validated run; the
# report is self-contained and has every section; the Python reading example
# runs; Chromium (headless) loads the report without console errors and builds
# the sections. Skips (77) after the browser-free checks when Chromium is missing.
set -euo pipefail
sclsim=$1 python=$2 here=$3
root="$here/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$sclsim" run --patients 3000 --backend cpu -q -o "$work/run.h5" > /dev/null
"$sclsim" psa "$root/scenarios/scls_psa.toml" --draws 40 --patients 300 --backend cpu -q -o "$work/psa.h5" > /dev/null
"$sclsim" sweep "$root/scenarios/scls_psa.toml" --one-way --patients 300 --backend cpu -q -o "$work/one_way.h5" > /dev/null
"$sclsim" sweep --grid regimens.ivig_2g.price_per_gram=0:150:4 --patients 300 --backend cpu -q -o "$work/grid.h5" > /dev/null
"$sclsim" run --patients 3000 --backend cpu -q --targets "$root/scenarios/targets/pineton2017.toml" \
  -o "$work/validated.h5" > /dev/null

echo "== Python reading example"
"$python" "$root/scripts/read_results_example.py" "$work/psa.h5" --csv-dir "$work/csv" > "$work/example.txt"
grep -q "incremental table" "$work/example.txt" || fail "read_results_example.py printed no incremental table"
[ "$(head -1 "$work/csv/cost.csv")" = "no_prophylaxis,ivig,theo_terb,step_up,ivig_deescalate" ] || fail "cost.csv header"
[ "$(wc -l < "$work/csv/effectiveness.csv")" -eq 41 ] || fail "effectiveness.csv should have 40 draws and a header"

echo "== the Python frontier agrees with sclsim's"
"$python" "$here/check_frontier.py" "$work/run.h5" "$work/psa.h5" "$work/one_way.h5" "$work/grid.h5"

echo "== report"
"$python" "$root/scripts/report_html.py" "$work/run.h5" --psa "$work/psa.h5" --sweep "$work/one_way.h5" \
  --grid "$work/grid.h5" --validation "$work/validated.h5" -o "$work/report.html" > /dev/null
sections=(summary introduction methods model-structure inputs psa-distributions analytics results incremental psa voi
          one-way grid validation limitations)
"$python" "$here/check_report.py" "$work/report.html" "${sections[@]}"
"$python" "$root/scripts/report_html.py" "$work/run.h5" -o "$work/base_only.html" > /dev/null
"$python" "$here/check_report.py" "$work/base_only.html" summary methods inputs results incremental limitations
grep -q 'id="psa"' "$work/base_only.html" && fail "a report without --psa has a PSA section"
set +e
"$python" "$root/scripts/report_html.py" "$work/run.h5" --psa "$work/one_way.h5" -o "$work/wrong.html" 2> "$work/wrong.err"
code=$?
set -e
[ "$code" -ne 0 ] && grep -q "not 'psa'" "$work/wrong.err" || fail "a one-way file given as --psa must be refused"
[ ! -e "$work/wrong.html" ] || fail "a refused report left a file"

browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "SKIP: chromium not found (apt-get install chromium): browser checks not run"; exit 77; }
echo "== Chromium loads it"
profile="$work/profile"
mkdir -p "$profile"
timeout 300 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --user-data-dir="$profile" --enable-logging=stderr --v=0 --window-size=1280,4000 \
  --dump-dom "file://$work/report.html" > "$work/dom.html" 2> "$work/browser.log" || { tail -20 "$work/browser.log"; fail "chromium failed"; }
if grep -E "Uncaught|ERROR:CONSOLE|CONSOLE.*(Error|Failed)|net::ERR_" "$work/browser.log"; then
  fail "console errors while loading the report"
fi
"$python" "$here/check_report.py" --dom "$work/dom.html" "$work/report.html" "${sections[@]}"
echo "report: all checks passed"
