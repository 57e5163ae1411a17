#!/usr/bin/env bash
# sclsim under mpirun on the CPU backend: the file's numbers are the bits of a
# run without MPI for 1, 2, 3 and 4 ranks (run, psa, sweep); a rank that fails
# or is killed stops the job naming the rank and host and leaves no output; the
# same command then resumes to the same bits; a checkpoint of another rank
# count is refused. Exits 77 (skipped) when sclsim has no MPI or mpirun is
# missing.
set -euo pipefail
sclsim=$1 python=$2 here=$3
same_numbers() { "$python" "$here/same_numbers.py" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if ! grep -q "^MPI: Open MPI\|^MPI: MPICH" <<< "$("$sclsim" info)"; then
  echo "SKIPPED: this sclsim was built without MPI ($("$sclsim" info | grep '^MPI'))"
  exit 77
fi
if ! command -v mpirun > /dev/null; then
  echo "SKIPPED: mpirun not found (install openmpi-bin)"
  exit 77
fi
# OpenMPI refuses root without these; no ssh here, so launch locally; two
# cores host up to four ranks.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm=isolated
mpi() { local n=$1; shift; mpirun -np "$n" --oversubscribe "$@"; }
psa_scenario="$here/../../scenarios/scls_psa.toml"
host=$(hostname)

echo "== run: np 1, 2, 3, 4 give the bits of a run without mpirun"
"$sclsim" run --patients 50000 -q -o "$work/run.h5" > /dev/null
for n in 1 2 3 4; do
  mpi "$n" "$sclsim" run --patients 50000 -q -o "$work/run$n.h5" > "$work/run$n.log"
  same_numbers "$work/run.h5" "$work/run$n.h5"
done
"$python" -c "import h5py,sys; f=h5py.File(sys.argv[1]); assert f.attrs['processes'] == 4, f.attrs['processes']" "$work/run4.h5" \
  || fail "the file does not record 4 processes"

echo "== psa: np 2 and 4 (ranks join parameter sets part-way)"
"$sclsim" psa "$psa_scenario" --draws 12 --patients 20000 -q -o "$work/psa.h5" > /dev/null
for n in 2 4; do
  mpi "$n" "$sclsim" psa "$psa_scenario" --draws 12 --patients 20000 -q -o "$work/psa$n.h5" > /dev/null
  same_numbers "$work/psa.h5" "$work/psa$n.h5"
done

echo "== sweep: a 2-D grid over 3 ranks"
grid=(--grid regimens.ivig_2g.price_per_gram=50:150:3 --grid attacks.rate_per_year=0.5,1.5)
"$sclsim" sweep "${grid[@]}" --patients 5000 -q -o "$work/sweep.h5" > /dev/null
mpi 3 "$sclsim" sweep "${grid[@]}" --patients 5000 -q -o "$work/sweep3.h5" > /dev/null
same_numbers "$work/sweep.h5" "$work/sweep3.h5"

echo "== a failing rank stops the job, names itself and its host, leaves no output"
set +e
SCLS_TEST_FAIL_RANK=1:100 mpi 2 -x SCLS_TEST_FAIL_RANK "$sclsim" psa "$psa_scenario" --draws 12 --patients 20000 -q \
  --checkpoint-every 0 -o "$work/failed.h5" > "$work/failed.log" 2>&1
code=$?
set -e
[ "$code" -ne 0 ] || fail "the job succeeded although rank 1 failed"
grep -q "sclsim: error (rank 1 of 2 on $host): injected failure" "$work/failed.log" || { cat "$work/failed.log"; fail "no message naming rank 1 and $host"; }
[ ! -e "$work/failed.h5" ] || fail "a file was written at the output path"
grep -q "failed.h5.partial" <<< "$(ls "$work")" && fail "a partial file was left"
[ -d "$work/failed.h5.checkpoint" ] || fail "no checkpoint kept"

echo "== another rank count is refused with the remedy; the same command resumes to the same bits"
set +e
mpi 4 "$sclsim" psa "$psa_scenario" --draws 12 --patients 20000 -q -o "$work/failed.h5" > "$work/refused.log" 2>&1
code=$?
set -e
[ "$code" -eq 2 ] || { cat "$work/refused.log"; fail "exit $code for a checkpoint of 2 ranks under 4, expected 2"; }
grep -q "written by a run of 2 processes, this run has 4.*mpirun -np 2" "$work/refused.log" || { cat "$work/refused.log"; fail "refusal lacks the remedy"; }
[ "$(grep -c 'invalid input' "$work/refused.log")" -eq 1 ] || fail "the refusal is not printed once"
mpi 2 "$sclsim" psa "$psa_scenario" --draws 12 --patients 20000 -q --checkpoint-every 0 -o "$work/failed.h5" > "$work/resumed.log" 2>&1
grep -q "resuming from" "$work/resumed.log" || { cat "$work/resumed.log"; fail "did not resume"; }
same_numbers "$work/psa.h5" "$work/failed.h5"
[ ! -e "$work/failed.h5.checkpoint" ] || fail "the checkpoint was not removed after the file was written"

echo "== a rank killed with SIGKILL: the job stops, then resumes to the same bits"
mpi 2 "$sclsim" psa "$psa_scenario" --draws 24 --patients 40000 -q --checkpoint-every 0 -o "$work/killed.h5" \
  > "$work/killed.log" 2>&1 &
launcher=$!
"$python" "$here/wait_for.py" --glob "$work/killed.h5.checkpoint/rank-0001-*.h5" --count 2 --pid "$launcher" --timeout 600 \
  || fail "rank 1 wrote no checkpoint segments"
victim=$(pgrep -f "^$sclsim psa .*killed.h5" | tail -1 || true)
[ -n "$victim" ] || fail "no rank to kill (the job ended too soon)"
kill -9 "$victim"
set +e
wait "$launcher"
code=$?
set -e
[ "$code" -ne 0 ] || fail "mpirun returned 0 after a rank was killed"
grep -q "rank 1 .* on node $host exited on signal 9\|rank 0 .* on node $host exited on signal 9" "$work/killed.log" \
  || { cat "$work/killed.log"; fail "mpirun did not name the killed rank and host"; }
[ ! -e "$work/killed.h5" ] || fail "a file was written at the output path"
"$sclsim" psa "$psa_scenario" --draws 24 --patients 40000 -q --no-checkpoint -o "$work/killed_reference.h5" > /dev/null 2>&1
mpi 2 "$sclsim" psa "$psa_scenario" --draws 24 --patients 40000 -q -o "$work/killed.h5" > "$work/killed_resumed.log" 2>&1
grep -q "resuming from" "$work/killed_resumed.log" || fail "did not resume after the kill"
same_numbers "$work/killed_reference.h5" "$work/killed.h5"

echo "== a setup failure on every rank is reported once"
set +e
mpi 2 "$sclsim" run --backend gpu --patients 1000 -q -o "$work/gpu.h5" > "$work/gpu.log" 2>&1
code=$?
set -e
if grep -q "^GPU device" <<< "$("$sclsim" info)"; then
  echo "(a GPU is present: skipping the no-GPU failure check)"
else
  [ "$code" -eq 2 ] || { cat "$work/gpu.log"; fail "exit $code for --backend gpu without a GPU, expected 2 (an input problem)"; }
  grep -q "\[ranks 0-1 of 2 on $host\]" "$work/gpu.log" || { cat "$work/gpu.log"; fail "the failure does not name both ranks once"; }
  [ "$(grep -c 'none is usable' "$work/gpu.log")" -eq 1 ] || fail "the same message was printed more than once"
fi
echo "OK"
