#!/usr/bin/env bash
# scripts/sclsim.R against h5py on a tiny run, PSA and one-way sweep.
# Skips (exit 77) when Rscript or the hdf5r package is missing.
set -euo pipefail
sclsim=$1 python=$2 here=$3
root="$here/../.."
command -v Rscript > /dev/null || { echo "SKIP: Rscript not found (apt-get install r-base-core)"; exit 77; }
Rscript -e 'library(hdf5r)' > /dev/null 2>&1 || { echo "SKIP: R package hdf5r not found (apt-get install r-cran-hdf5r)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$sclsim" run --patients 2000 --backend cpu -q -o "$work/run.h5" > /dev/null
"$sclsim" psa "$root/scenarios/scls_psa.toml" --draws 40 --patients 300 --backend cpu -q -o "$work/psa.h5" > /dev/null
"$sclsim" sweep "$root/scenarios/scls_psa.toml" --one-way --patients 200 --backend cpu -q -o "$work/one_way.h5" > /dev/null
"$python" "$here/expected_values.py" "$work/run.h5" "$work/psa.h5" "$work/one_way.h5" "$work/expected.csv"
Rscript "$here/sclsim_test.R" "$root/scripts/sclsim.R" "$work/run.h5" "$work/psa.h5" "$work/one_way.h5" "$work/expected.csv"
