#!/usr/bin/env bash
# End-to-end checks of the sclsim binary: a run writes an HDF5 file that h5py
# and h5dump read; thread count does not change the numbers; broken input
# exits with 2 and writes nothing; an unwritable output path is refused first.
set -euo pipefail
sclsim=$1 python=$2 h5dump=$3 here=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== run on the built-in scenario (2 threads)"
"$sclsim" run --patients 3000 --backend cpu --threads 2 -o "$work/two.h5" > "$work/two.log"
grep -q "ICER" "$work/two.log" || fail "no summary table"
[ -f "$work/two.h5" ] || fail "no output file"
grep -q partial <<< "$(ls "$work")" && fail "temporary file left behind"

echo "== h5py reads it"
"$python" "$here/check_results.py" "$work/two.h5"

echo "== h5dump reads it"
"$h5dump" -H "$work/two.h5" > "$work/header.txt" || fail "h5dump failed"
grep -q 'DATASET "survival"' "$work/header.txt" || fail "h5dump does not list /results/survival"
"$h5dump" -A 0 -d /results/qalys_mean "$work/two.h5" > /dev/null || fail "h5dump cannot read a dataset"

echo "== 1 thread and a different batch size give identical numbers"
"$sclsim" run --patients 3000 --backend cpu --threads 1 --batch-blocks 3 -q -o "$work/one.h5" > /dev/null
# Every number bit for bit (h5dump's text would also compare object addresses,
# which move when an attribute such as the command line changes length).
"$python" "$here/same_numbers.py" "$work/one.h5" "$work/two.h5" || fail "results differ between 1 and 2 threads"

echo "== broken scenario: exit 2, message with key, nothing written"
sed 's/^mgus_share = 0.87 .*/mgus_share = 1.87/' "$here/../../scenarios/scls_base.toml" > "$work/broken.toml"
set +e
"$sclsim" run "$work/broken.toml" -o "$work/broken.h5" 2> "$work/broken.err"
code=$?
set -e
[ "$code" -eq 2 ] || fail "exit code $code, expected 2"
grep -q "broken.toml:[0-9]*: population.mgus_share: is 1.87" "$work/broken.err" || { cat "$work/broken.err"; fail "message lacks file, line and key"; }
[ ! -e "$work/broken.h5" ] || fail "an output file was written for a broken scenario"
set +e
"$sclsim" validate "$work/broken.toml" 2> /dev/null
code=$?
"$sclsim" run --set attacks.rate_per_year=-1 -o "$work/neg.h5" 2> "$work/neg.err"
code_set=$?
"$sclsim" run --patients 100 -o "$work/missing_dir/x.h5" 2> "$work/dir.err"
code_dir=$?
set -e
[ "$code" -eq 2 ] || fail "validate exit code $code, expected 2"
[ "$code_set" -eq 2 ] || fail "--set error exit code $code_set, expected 2"
grep -q "\-\-set.*attacks.rate_per_year" "$work/neg.err" || fail "--set error does not name its source"
[ "$code_dir" -eq 2 ] || fail "unwritable output exit code $code_dir, expected 2"
grep -q "does not exist" "$work/dir.err" || fail "unwritable output message"
"$sclsim" validate > /dev/null || fail "the built-in scenario does not validate"
grep -q "backends: cpu" <<< "$("$sclsim" info)" || fail "info"

echo "== calibrate: a malformed targets file gives exit 2, the key, and no files"
targets="$here/../../scenarios/targets/pineton2017.toml"
sed 's/^value = 0.78$/value = 7.8/' "$targets" > "$work/bad_targets.toml"
set +e
"$sclsim" calibrate --targets "$work/bad_targets.toml" -o "$work/cal.toml" 2> "$work/cal.err"
code=$?
set -e
[ "$code" -eq 2 ] || fail "calibrate exit code $code, expected 2"
grep -q "bad_targets.toml:[0-9]*: targets.survival_5y_all.value: is 7.8" "$work/cal.err" || { cat "$work/cal.err"; fail "targets message lacks file, line and key"; }
[ ! -e "$work/cal.toml" ] && [ ! -e "$work/cal.trace.h5" ] || fail "calibrate wrote files for a malformed targets file"

echo "== run --targets and the validation report"
"$sclsim" run --patients 3000 --targets "$targets" -o "$work/validated.h5" -q > /dev/null
"$python" "$here/../../scripts/validation_report.py" "$work/validated.h5" --out-dir "$work/validation" > /dev/null
grep -q "survival_5y_ivig" "$work/validation/validated.md" || fail "validation report lacks the targets table"
for figure in survival attack_free targets; do
  [ -s "$work/validation/validated_$figure.png" ] || fail "validation figure $figure missing"
done
"$sclsim" run --patients 3000 --targets "$here/../../scenarios/targets/gousseff2011.toml" -o "$work/rates.h5" -q > /dev/null
"$python" "$here/../../scripts/validation_report.py" "$work/rates.h5" --out-dir "$work/validation" > /dev/null
grep -q "observed_rate_max of 28 patients" "$work/validation/rates.md" || fail "validation report lacks the observed-rate targets"
[ -s "$work/validation/rates_observed_rates.png" ] || fail "validation figure of observed rates missing"
echo "== calibrate --method imis (a tiny budget) and the posterior section of the validation report"
sed '/^\[fit\]/,/^$/d' "$here/../../scenarios/targets/gousseff2011.toml" > "$work/imis.toml"
printf '[fit]\nmethod = "imis"\npatients = 2000\nprior_draws = 100\ndraws_per_step = 20\nposterior_draws = 100\nmax_steps = 3\n' \
  >> "$work/imis.toml"
"$sclsim" calibrate --targets "$work/imis.toml" -q -o "$work/imis.calibrated.toml" --posterior "$work/imis.posterior.h5" > /dev/null
"$python" "$here/../../scripts/validation_report.py" "$work/rates.h5" --posterior "$work/imis.posterior.h5" \
  --out-dir "$work/validation" --name posterior > /dev/null
grep -q "Bayesian calibration (posterior)" "$work/validation/posterior.md" || fail "validation report lacks the posterior"
grep -q "targets inside their predictive 95% interval" "$work/validation/posterior.md" || fail "posterior section lacks the predictive check"
for figure in posterior_targets posterior_parameters; do
  [ -s "$work/validation/posterior_$figure.png" ] || fail "validation figure $figure missing"
done
echo "== psa, report and the CEA figures"
psa_scenario="$here/../../scenarios/scls_psa.toml"
"$sclsim" psa "$psa_scenario" --draws 60 --patients 500 --backend cpu -q -o "$work/psa.h5" > /dev/null
"$sclsim" report "$work/psa.h5" > "$work/psa_report.txt"
for section in "Incremental analysis" "Net monetary benefit" "probability of being cost-effective" "EVPPI per person"; do
  grep -q "$section" "$work/psa_report.txt" || { cat "$work/psa_report.txt"; fail "report lacks: $section"; }
done
"$python" - "$work/psa.h5" <<'PY' || fail "PSA file contents"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    sets = f["parameter_sets/values"]
    assert sets.shape[0] == 61 and sets.attrs["dimensions"] == b"parameter_set,parameter" or sets.attrs["dimensions"] == "parameter_set,parameter"
    assert f["results/total_cost_mean"].shape[0] == 61
    ceac = f["cea/psa/ceac"][()]
    assert np.allclose(ceac.sum(axis=1), 1.0), "CEAC rows must sum to 1"
    assert (f["cea/psa/evpi"][()] >= 0).all()
    assert f["cea/psa/evppi/evppi"].shape[1] == f["cea/wtp"].shape[0]
PY
"$python" "$here/../../scripts/cea_plots.py" "$work/psa.h5" --out-dir "$work/figures" > /dev/null
for figure in survival ce_plane ceac evpi evppi; do
  [ -s "$work/figures/psa_$figure.png" ] || fail "CEA figure $figure missing"
done
set +e
"$sclsim" psa -o "$work/nopsa.h5" 2> "$work/nopsa.err"
code=$?
set -e
[ "$code" -eq 2 ] && grep -q "psa: section is missing" "$work/nopsa.err" || { cat "$work/nopsa.err"; fail "psa without [psa] must exit 2"; }

echo "== sweep: one-way (tornado) and grid"
"$sclsim" sweep "$psa_scenario" --one-way --patients 500 --backend cpu -q -o "$work/one_way.h5" > /dev/null
"$sclsim" report "$work/one_way.h5" > "$work/one_way.txt"
grep -q "One-way sensitivity (tornado)" "$work/one_way.txt" || fail "one-way report"
"$python" "$here/../../scripts/cea_plots.py" "$work/one_way.h5" --out-dir "$work/figures" > /dev/null
[ -s "$work/figures/one_way_tornado.png" ] || fail "tornado figure missing"
"$sclsim" sweep --grid regimens.ivig_2g.price_per_gram=50:150:3 --grid attacks.rate_per_year=0.5,2 --patients 300 \
  --backend cpu -q -o "$work/grid.h5" > /dev/null
"$sclsim" report "$work/grid.h5" > "$work/grid.txt"
[ "$(grep -c "regimens.ivig_2g.price_per_gram = " "$work/grid.txt")" -eq 6 ] || fail "grid report lacks its 6 points"
echo "e2e: all checks passed"
