#!/usr/bin/env bash
# sclsim export: the CSV tables of a run, a PSA and sweeps load into data
# frames in Python (pandas) and R (read.csv) with no renaming, hold what the
# HDF5 file holds, and xarray finds every axis's coordinates in the HDF5 file.
# The directory changes whole or not at all: exporting another file into it
# leaves exactly that file's tables (and the user's own files), and a failed
# or refused export leaves it as it was, with no temporary beside it.
set -euo pipefail
sclsim=$1 python=$2 here=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
scenarios="$here/../../scenarios"
# The built-in scenario enters at onset with as-treated groups, so the file has every axis (as_treated too).
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

echo "== exporting a run into a PSA's directory: the PSA's tables go, the user's files stay"
cp -r "$work/psa" "$work/again"
echo "mine" > "$work/again/notes.txt"
"$sclsim" export "$work/run.h5" --to "$work/again" > /dev/null
[ "$(ls "$work/again" | grep -v '^notes.txt$')" = "$(ls "$work/run")" ] ||
  fail "the tables are not exactly the run's: $(ls "$work/again")"
for table in "$work"/run/*.csv; do
  cmp -s "$table" "$work/again/${table##*/}" || fail "${table##*/} differs from a fresh export's"
done
[ "$(cat "$work/again/notes.txt")" = mine ] || fail "the user's file was changed"

echo "== a failing or refused export leaves the directory as it was, and no temporary"
listing() { (cd "$1" && md5sum -- *); }
before=$(listing "$work/again")
set +e
SCLS_TEST_FAIL_WRITE=3:ENOSPC "$sclsim" export "$work/psa.h5" --to "$work/again" > /dev/null 2> "$work/full.err"
code=$?
set -e
[ "$code" -eq 1 ] || { cat "$work/full.err"; fail "exit $code for a full disk, expected 1"; }
grep -q "No space left on device.* — free space on the disk holding .*; $work/again is as it was" "$work/full.err" ||
  { cat "$work/full.err"; fail "the message lacks the cause, the remedy or the directory's state"; }
set +e
"$sclsim" export "$work/damaged.h5" --to "$work/again" 2> "$work/damaged.err"
code=$?
set -e
[ "$code" -eq 2 ] || { cat "$work/damaged.err"; fail "exit $code for a damaged file into a directory, expected 2"; }
[ "$(listing "$work/again")" = "$before" ] || fail "the directory changed: $(ls "$work/again")"
! grep -q "partial" <<< "$(ls "$work")" || fail "a temporary was left: $(ls "$work")"
echo "export: OK"
