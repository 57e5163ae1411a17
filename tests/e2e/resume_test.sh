#!/usr/bin/env bash
# Checkpoint and resume of one process: a PSA killed with SIGKILL at three
# moments and restarted with the same command writes the bits of an
# uninterrupted run; the output path never holds a partial file; a checkpoint
# of another seed is refused; --resume needs a checkpoint; --restart discards
# one; a short run leaves no checkpoint behind. The kills wait for checkpoint
# segments to appear (never for a fixed time), so a busy machine only slows
# the test down.
set -euo pipefail
sclsim=$1 python=$2 here=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# One work unit (64 blocks) per batch: 123 checkpoint segments to kill between.
psa=("$sclsim" psa "$here/../../scenarios/scls_psa.toml" --draws 40 --patients 40000 --batch-blocks 64 -q)
# Kills the background run $pid once the checkpoint holds $1 segments (or it finished).
kill_after_segments() {
  "$python" "$here/wait_for.py" --glob "$2.checkpoint/*.h5" --count "$1" --pid "$pid" --timeout 600 || fail "no checkpoint segment appeared"
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

echo "== reference, uninterrupted, without checkpoints"
"${psa[@]}" --no-checkpoint -o "$work/reference.h5" > /dev/null
[ ! -e "$work/reference.h5.checkpoint" ] || fail "--no-checkpoint wrote a checkpoint"

echo "== killed three times with SIGKILL, then finished by the same command"
for after in 2 5 9; do
  "${psa[@]}" --checkpoint-every 0 -o "$work/out.h5" > /dev/null 2>&1 &
  pid=$!
  kill_after_segments "$after" "$work/out.h5"
  [ ! -e "$work/out.h5" ] || fail "the output path holds a file after the kill"
  segments=$(ls "$work/out.h5.checkpoint" 2> /dev/null | grep -c '\.h5$' || true)
  echo "   killed once $after segments existed: $segments checkpoint segments"
done
[ "${segments:-0}" -gt 0 ] || fail "no checkpoint segment after three interrupted runs"

echo "== a checkpoint of another seed is refused with the remedy"
set +e
"${psa[@]}" --seed 99 -o "$work/out.h5" 2> "$work/seed.err"
code=$?
set -e
[ "$code" -eq 2 ] || { cat "$work/seed.err"; fail "exit $code for a checkpoint of another seed, expected 2"; }
grep -q "seed: is [0-9]* in the checkpoint, 99 in this run.*--restart" "$work/seed.err" || { cat "$work/seed.err"; fail "refusal message"; }

echo "== the same command resumes and gives the uninterrupted bits"
"${psa[@]}" --resume -o "$work/out.h5" > "$work/resume.log" 2>&1
grep -q "resuming from .*out.h5.checkpoint: [1-9][0-9]* of 123 work units already done" "$work/resume.log" && grep -q "from the checkpoint" "$work/resume.log" || { cat "$work/resume.log"; fail "no resume notice"; }
"$python" "$here/same_numbers.py" "$work/reference.h5" "$work/out.h5"
[ ! -e "$work/out.h5.checkpoint" ] || fail "the checkpoint outlived the finished file"
"$python" -c "import h5py,sys; assert h5py.File(sys.argv[1]).attrs['resumed_from_checkpoint'] == 'yes'" "$work/out.h5" \
  || fail "the file does not say it was resumed"

echo "== --resume without a checkpoint is refused; --restart starts over"
set +e
"${psa[@]}" --resume -o "$work/none.h5" 2> "$work/none.err"
code=$?
set -e
[ "$code" -eq 2 ] || fail "exit $code for --resume without a checkpoint, expected 2"
grep -q "holds no checkpoint of this run" "$work/none.err" || { cat "$work/none.err"; fail "--resume message"; }
"${psa[@]}" --checkpoint-every 0 -o "$work/again.h5" > /dev/null 2>&1 &
pid=$!
kill_after_segments 1 "$work/again.h5"
"${psa[@]}" --restart --seed 7 -o "$work/again.h5" > "$work/restart.log" 2>&1
grep -q "resuming" "$work/restart.log" && fail "--restart resumed"
[ -f "$work/again.h5" ] || fail "--restart wrote no file"

echo "== a run shorter than the checkpoint interval leaves no checkpoint"
"$sclsim" run --patients 2000 -q -o "$work/short.h5" > /dev/null
[ ! -e "$work/short.h5.checkpoint" ] || fail "a short run left a checkpoint directory"
echo "OK"
