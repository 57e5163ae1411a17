#!/usr/bin/env bash
# sclsim export: the CSV tables of a run, a PSA and sweeps load into data
# frames in Python (pandas) and R (read.csv) with no renaming, hold what the
# HDF5 file holds, and xarray finds every axis's coordinates in the HDF5 file.
set -euo pipefail
sclsim=$1 python=$2 here=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
scenarios="$here/../../scenarios"
"$sclsim" run --patients 3000 -q --targets "$scenarios/targets/pineton2017.toml" -o "$work/run.h5" > /dev/null
"$sclsim" psa "$scenarios/scls_psa.toml" --draws 60 --patients 400 -q -o "$work/psa.h5" > /dev/null
"$sclsim" sweep "$scenarios/scls_psa.toml" --one-way --patients 400 -q -o "$work/one_way.h5" > /dev/null
"$sclsim" sweep --grid regimens.ivig_2g.price_per_gram,regimens.ivig_1g.price_per_gram=50:150:3 --grid attacks.rate_per_year=1,2 \
  --patients 300 -q -o "$work/grid.h5" > /dev/null
for kind in run psa one_way grid; do
  "$sclsim" export "$work/$kind.h5" --to "$work/$kind" > /dev/null
done
"$python" "$here/check_export.py" "$work"
if command -v Rscript > /dev/null; then
  Rscript "$here/export_test.R" "$work"
else
  echo "(R not installed: the R part of the export test did not run)"
fi
echo "== a damaged file is refused, nothing is exported"
cp "$work/run.h5" "$work/damaged.h5"
"$python" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); del f['results/qalys_mean']; f['results/qalys_mean']=[1.0]" "$work/damaged.h5"
set +e
"$sclsim" export "$work/damaged.h5" --to "$work/damaged" 2> "$work/damaged.err"
code=$?
set -e
[ "$code" -eq 2 ] || { cat "$work/damaged.err"; fail "exit $code for a damaged file, expected 2"; }
[ ! -e "$work/damaged" ] || fail "tables were written from a damaged file"
echo "export: OK"
