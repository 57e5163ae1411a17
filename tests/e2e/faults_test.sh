#!/usr/bin/env bash
# Faults and output-path hazards: the output path holds a complete file or
# nothing after a failing or full disk (injected with SCLS_TEST_FAIL_WRITE,
# and for real on a small tmpfs when this runs as root), the process exits 1
# naming the path and the cause, checkpoints survive and the rerun resumes to
# the uninterrupted bits; outputs never overwrite inputs or a user's files;
# temporaries of killed runs are cleaned up; inputs are read only when they
# are regular files of a bounded size; damaged or hostile results files are
# refused by report and export before anything is allocated or written.
set -euo pipefail
sclsim=$1 python=$2 here=$3
work=$(mktemp -d)
mounted=""
live=""
cleanup() {
  [ -z "$live" ] || kill "$live" 2> /dev/null || true
  [ -z "$mounted" ] || umount "$mounted" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
psa_scenario="$here/../../scenarios/scls_psa.toml"
psa=("$sclsim" psa "$psa_scenario" --draws 12 --patients 20000 --batch-blocks 64 -q)

# expect CODE LOGFILE PATTERN -- COMMAND...: runs the command, checks its exit code and message.
expect() {
  local code=$1 log=$2 pattern=$3
  shift 4
  set +e
  "$@" > "$log" 2>&1
  local got=$?
  set -e
  [ "$got" -eq "$code" ] || { cat "$log"; fail "exit $got, expected $code: $*"; }
  grep -q -- "$pattern" "$log" || { cat "$log"; fail "message lacks \"$pattern\": $*"; }
}
no_partials() { ! grep -q partial <<< "$(ls "$1")" || fail "a temporary file was left in $1: $(ls "$1")"; }

echo "== reference"
"${psa[@]}" --no-checkpoint -o "$work/reference.h5" > /dev/null

echo "== the results file fails to write: exit 1, path, cause and its remedy named once, nothing at the path"
for error in ENOSPC EDQUOT EIO EACCES EROFS; do
  case $error in
    ENOSPC) reason="No space left on device" remedy="free space on the disk holding $work" ;;
    EDQUOT) reason="Disk quota exceeded" remedy="free space within your quota on the disk holding $work" ;;
    EIO) reason="Input/output error" remedy="" ;;
    EACCES) reason="Permission denied" remedy="check the permissions of directory $work" ;;
    EROFS) reason="Read-only file system" remedy="the file system holding $work is read-only; choose another path" ;;
  esac
  SCLS_TEST_FAIL_WRITE=1:$error expect 1 "$work/write.log" "writing $work/failed.h5 failed: $reason" -- \
    "$sclsim" run --patients 2000 -q --no-checkpoint -o "$work/failed.h5"
  [ -z "$remedy" ] || grep -q -- "— $remedy" "$work/write.log" || { cat "$work/write.log"; fail "no remedy for $error"; }
  [ "$(grep -o "free space" "$work/write.log" | wc -l)" -eq "$([ "${remedy#free space}" != "$remedy" ] && echo 1 || echo 0)" ] ||
    { cat "$work/write.log"; fail "the advice to free space is missing, doubled or given for $error"; }
  grep -q "nothing was written to $work/failed.h5" "$work/write.log" || { cat "$work/write.log"; fail "no statement that nothing was written"; }
  [ ! -e "$work/failed.h5" ] || fail "a file appeared at the output path after $error"
  no_partials "$work"
done

echo "== an output path that cannot be written is refused before the run, naming the option"
expect 2 "$work/path.log" "^ *-o/--output: $work/missing/out.h5: directory \"$work/missing\" does not exist" -- \
  "$sclsim" run --patients 500 -q -o "$work/missing/out.h5"
expect 2 "$work/path.log" "^ *--to: $work/reference.h5: is a file (the tables go into a directory)" -- \
  "$sclsim" export "$work/reference.h5" --to "$work/reference.h5"
expect 2 "$work/path.log" "^ *--to: $work/missing/tables: directory \"$work/missing\" does not exist" -- \
  "$sclsim" export "$work/reference.h5" --to "$work/missing/tables"
[ ! -e "$work/missing" ] || fail "a refused output path was created"

echo "== a checkpoint segment fails to write: exit 1, earlier segments kept, the same command resumes to the same bits"
SCLS_TEST_FAIL_WRITE=4 expect 1 "$work/segment.log" "No space left on device" -- \
  "${psa[@]}" --checkpoint-every 0 -o "$work/out.h5"
grep -q "the finished work is kept in $work/out.h5.checkpoint" "$work/segment.log" || { cat "$work/segment.log"; fail "no word about the checkpoint"; }
[ ! -e "$work/out.h5" ] || fail "a file appeared at the output path"
[ "$(ls "$work/out.h5.checkpoint" | grep -c '\.h5$')" -ge 1 ] || fail "the segments written before the failure are gone"
no_partials "$work/out.h5.checkpoint"
echo "== damaged or renamed checkpoint segments are refused with the segment and --restart"
cp -r "$work/out.h5.checkpoint" "$work/bad.h5.checkpoint"
"$python" - "$work/bad.h5.checkpoint/rank-0000-of-0001.seg-000000.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    data = f["counts"][()]
    del f["counts"]
    f["counts"] = data[:, :7]
PY
expect 2 "$work/bad.log" "bad.h5.checkpoint/rank-0000-of-0001.seg-000000.h5: rows: does not fit.*--restart" -- \
  "${psa[@]}" -o "$work/bad.h5"
cp -r "$work/out.h5.checkpoint" "$work/renamed.h5.checkpoint"
for f in "$work"/renamed.h5.checkpoint/*; do mv "$f" "${f/of-0001/of-0002}"; done
expect 2 "$work/renamed.log" "is named as segment .* of 2 (it was renamed or copied).*--restart" -- "${psa[@]}" -o "$work/renamed.h5"
[ ! -e "$work/bad.h5" ] && [ ! -e "$work/renamed.h5" ] || fail "a file was written from a damaged checkpoint"
"${psa[@]}" -o "$work/out.h5" > "$work/resume.log" 2>&1
grep -q "resuming from" "$work/resume.log" || { cat "$work/resume.log"; fail "did not resume"; }
"$python" "$here/same_numbers.py" "$work/reference.h5" "$work/out.h5"

if [ "$(id -u)" -eq 0 ] && mkdir "$work/small" && mount -t tmpfs -o size=256k tmpfs "$work/small" 2> /dev/null; then
  mounted=$work/small
  echo "== a real full disk (256 KiB tmpfs): exit 1, nothing at the path; with room, the same command resumes to the same bits"
  expect 1 "$work/full.log" "No space left on device" -- "${psa[@]}" --checkpoint-every 0 -o "$work/small/out.h5"
  [ ! -e "$work/small/out.h5" ] || fail "a file appeared at the output path on a full disk"
  no_partials "$work/small"
  [ -d "$work/small/out.h5.checkpoint" ] && no_partials "$work/small/out.h5.checkpoint"
  kept=$(ls "$work/small/out.h5.checkpoint" 2> /dev/null | grep -c '\.h5$' || true)
  [ "$kept" -ge 1 ] || fail "no checkpoint segment fitted before the disk was full"
  mount -o remount,size=64m "$work/small"
  "${psa[@]}" -o "$work/small/out.h5" > "$work/full_resume.log" 2>&1 || { cat "$work/full_resume.log"; fail "the rerun failed"; }
  grep -q "resuming from .*: [1-9][0-9]* of 26 work units already done" "$work/full_resume.log" || { cat "$work/full_resume.log"; fail "did not resume"; }
  "$python" "$here/same_numbers.py" "$work/reference.h5" "$work/small/out.h5"
  umount "$work/small"
  mounted=""
else
  echo "   (skipped the real full disk: mounting a tmpfs needs root)"
fi

echo "== temporaries of killed runs are removed; those of live processes are kept"
"$python" -c "pass" &
dead=$!
wait "$dead"
tail -f /dev/null &
live=$!
host=$(hostname)
touch "$work/tmp.h5.partial-$host-$dead" "$work/tmp.h5.partial-$host-$live"
"$sclsim" run --patients 2000 -q --no-checkpoint -o "$work/tmp.h5" > /dev/null
[ ! -e "$work/tmp.h5.partial-$host-$dead" ] || fail "the temporary of a dead process was kept"
[ -e "$work/tmp.h5.partial-$host-$live" ] || fail "the temporary of a live process was removed"

echo "== outputs never replace inputs or a user's own files"
cp "$psa_scenario" "$work/mine.toml"
cp "$here/../../scenarios/scls_base.toml" "$work/scls_base.toml"
mkdir -p "$work/posterior" && cp "$here/../../scenarios/posterior/scls_base.posterior.h5" "$work/posterior/"  # the PSA draws from it
before=$(md5sum < "$work/mine.toml")
expect 2 "$work/self.log" "an input of this run" -- "$sclsim" psa "$work/mine.toml" --draws 2 --patients 500 -o "$work/mine.toml"
expect 2 "$work/self.log" "an input of this run" -- "$sclsim" psa "$work/mine.toml" --draws 2 --patients 500 -o "$work/scls_base.toml"
[ "$(md5sum < "$work/mine.toml")" = "$before" ] || fail "the scenario was overwritten"
echo "my notes" > "$work/user.h5.checkpoint"
expect 2 "$work/user.log" "not a checkpoint directory" -- "$sclsim" run --patients 500 -q -o "$work/user.h5"
mkdir "$work/dir.h5.checkpoint" && echo "keep" > "$work/dir.h5.checkpoint/notes.txt"
expect 2 "$work/user.log" "holds notes.txt, which sclsim did not write" -- "$sclsim" run --patients 500 -q -o "$work/dir.h5"
[ "$(cat "$work/user.h5.checkpoint")" = "my notes" ] && [ -f "$work/dir.h5.checkpoint/notes.txt" ] || fail "a user's file was touched"

echo "== report and export refuse damaged or hostile results files (exit 2, nothing written, never a crash or a huge allocation)"
"$sclsim" sweep "$psa_scenario" --one-way --patients 300 -q -o "$work/oneway.h5" > /dev/null
"$sclsim" psa "$psa_scenario" --draws 60 --patients 300 -q -o "$work/evppi.h5" > /dev/null
"$python" - "$work/evppi.h5" "$work/oneway.h5" "$work" <<'PY'
import shutil, sys, h5py, numpy as np
psa, oneway, work = sys.argv[1:4]
def damaged(source, name, edit, kind="damaged"):
    path = f"{work}/{kind}_{name}.h5"
    shutil.copy(source, path)
    with h5py.File(path, "r+") as f:
        edit(f)
def replace(f, name, data):
    attrs = dict(f[name].attrs)
    del f[name]
    f[name] = data
    f[name].attrs.update(attrs)
def huge(f, name, shape):
    # Declared, never written: a file of a few hundred KiB that claims gigabytes.
    del f[name]
    f.create_dataset(name, shape=shape, dtype="f8", chunks=(1,) * (len(shape) - 1) + (1 << 16,))
# The file's structure: datasets missing, of another shape, rank or type.
damaged(psa, "shape", lambda f: replace(f, "results/total_cost_mean", f["results/total_cost_mean"][:3]))
damaged(psa, "missing", lambda f: f.__delitem__("results/total_cost_mean"))
damaged(psa, "type", lambda f: replace(f, "axes/strategy", np.arange(len(f["axes/strategy"]), dtype="f8")))
damaged(psa, "evppi", lambda f: replace(f, "cea/psa/evppi/evppi", f["cea/psa/evppi/evppi"][:1, :5]))
damaged(psa, "strategies", lambda f: replace(f, "axes/strategy", np.array([], dtype=h5py.string_dtype())))
damaged(oneway, "sweep_length", lambda f: replace(f, "sweep/low_value", f["sweep/low_value"][:1]))
damaged(psa, "huge_flat", lambda f: huge(f, "results/qalys_mean", (1, 1 << 28)))
# Damage only export sees: a dataset report does not read, and a rank
# changed with the number of values kept (report checks only that number).
damaged(psa, "huge", lambda f: huge(f, "results/survival", f["results/survival"].shape[:2] + (1 << 24,)), "shapes")
damaged(psa, "rank", lambda f: replace(f, "results/qalys_mean", f["results/qalys_mean"][()][..., np.newaxis]), "shapes")
# Values edited within the structure: report checks what it uses; export
# writes values as they are (no checksums: see the README).
damaged(psa, "comparator", lambda f: f.attrs.__setitem__("comparator", "nobody"), "edited")
damaged(psa, "wtp", lambda f: replace(f, "cea/wtp", f["cea/wtp"][()][::-1]), "edited")
damaged(psa, "kind", lambda f: f["parameter_sets"].attrs.__setitem__("kind", "magic"), "edited")
damaged(psa, "nan", lambda f: replace(f, "results/qalys_mean", np.full(f["results/qalys_mean"].shape, np.nan)), "edited")
damaged(oneway, "sweep_index", lambda f: replace(f, "sweep/high_set", f["sweep/high_set"][()] + 10**9), "edited")
PY
head -c 3000 "$work/reference.h5" > "$work/damaged_truncated.h5"
# 2 GiB of address space: a read that believed a hostile file's declared size
# would fail to allocate (exit 1) instead of being refused (exit 2). Not under
# AddressSanitizer, whose shadow memory alone needs terabytes of address space
# (its allocator then reports a huge allocation as an error of its own).
# (ldd's output is read whole first: "ldd | grep -q" under pipefail fails
# whenever grep stops reading before ldd has finished writing.)
libraries=$(ldd "$sclsim" 2> /dev/null || true)
bounded() {
  if [[ "$libraries" == *libasan* ]]; then "$@"; else (ulimit -v 2097152 && "$@"); fi
}
for damaged in "$work"/damaged_*.h5 "$work"/edited_*.h5; do
  bounded expect 2 "$work/report.log" "$damaged" -- "$sclsim" report "$damaged"
done
for damaged in "$work"/damaged_*.h5 "$work"/shapes_*.h5; do
  bounded expect 2 "$work/export.log" "$damaged" -- "$sclsim" export "$damaged" --to "$work/exported"
  [ ! -e "$work/exported" ] || fail "export wrote tables from $damaged"
  ! grep -q "exported.partial" <<< "$(ls "$work")" || fail "export left a temporary directory for $damaged"
done
bounded expect 2 "$work/export.log" "results/survival: cannot be read (it has shape \\[.*, 16777216\\] where \\[.*\\] belongs" -- \
  "$sclsim" export "$work/shapes_huge.h5" --to "$work/exported"
[ ! -e "$work/exported" ] || fail "export wrote tables from a file declaring a huge survival curve"

echo "== inputs are regular files of bounded size"
expect 2 "$work/in.log" "/dev/zero: is not a regular file" -- "$sclsim" validate /dev/zero
expect 2 "$work/in.log" "/dev/null: is not a regular file" -- "$sclsim" validate /dev/null
expect 2 "$work/in.log" "$work: is a directory" -- "$sclsim" validate "$work"
truncate -s 17M "$work/huge.toml"
expect 2 "$work/in.log" "huge.toml: is 17.0 MiB, over the 16.0 MiB limit" -- "$sclsim" validate "$work/huge.toml"
mkfifo "$work/pipe.toml"  # opened without waiting for a writer, then refused
expect 2 "$work/in.log" "pipe.toml: is not a regular file" -- "$sclsim" validate "$work/pipe.toml"
printf 'extends = "/dev/zero"\n' > "$work/zero.toml"
expect 2 "$work/in.log" "extends: names /dev/zero, which is not a regular file" -- "$sclsim" validate "$work/zero.toml"
printf 'extends = "."\n' > "$work/dot.toml"
expect 2 "$work/in.log" "which is a directory" -- "$sclsim" validate "$work/dot.toml"
printf '# only a comment\n' > "$work/empty.toml"
expect 2 "$work/in.log" "empty.toml: holds no settings" -- "$sclsim" validate "$work/empty.toml"
expect 2 "$work/in.log" "targets file" -- "$sclsim" run --patients 500 --targets /dev/zero -o "$work/t.h5"

echo "== outputs are regular files: a device or FIFO given as -o is refused, not replaced"
mkfifo "$work/out_pipe.h5"
expect 2 "$work/out.log" "out_pipe.h5: is a FIFO, not a regular file" -- "$sclsim" run --patients 100 -o "$work/out_pipe.h5"
[ -p "$work/out_pipe.h5" ] || fail "the FIFO given as -o is no longer a FIFO"
ln -s out_pipe.h5 "$work/pipe_link.h5"
expect 2 "$work/out.log" "pipe_link.h5: is a FIFO" -- "$sclsim" psa "$psa_scenario" --draws 2 --patients 100 -o "$work/pipe_link.h5"
if [ "$(id -u)" -ne 0 ]; then  # only where /dev/null cannot be replaced, should the refusal fail
  ln -s /dev/null "$work/null_link.h5"
  expect 2 "$work/out.log" "null_link.h5: is a character device" -- "$sclsim" run --patients 100 -o "$work/null_link.h5"
fi
if [ "$(id -u)" -eq 0 ] && mknod "$work/null_device.h5" c 1 3 2> /dev/null; then  # a copy of /dev/null's node
  expect 2 "$work/out.log" "null_device.h5: is a character device" -- "$sclsim" run --patients 100 -o "$work/null_device.h5"
  [ -c "$work/null_device.h5" ] || fail "the character device given as -o was replaced"
fi
# A refused output suggests a file of the kind its option writes.
targets="$here/../../scenarios/targets/pineton2017.toml"
mkdir "$work/out_directory"
expect 2 "$work/out.log" "out_directory: is a directory (the output is one file) — give a file name such as results/run.h5" -- \
  "$sclsim" run --patients 100 -o "$work/out_directory"
expect 2 "$work/out.log" "out_directory: is a directory (the output is one file) — give a file name such as results/scenario.calibrated.toml" -- \
  "$sclsim" calibrate --targets "$targets" -o "$work/out_directory"
expect 2 "$work/out.log" "such as results/scenario.calibrated.trace.h5" -- \
  "$sclsim" calibrate --targets "$targets" --method optimize -o "$work/c.toml" --trace "$work/out_directory"
expect 2 "$work/out.log" "out_pipe.h5: is a FIFO, not a regular file (writing would replace it with one) — give a file name such as results/scenario.calibrated.posterior.h5" -- \
  "$sclsim" calibrate --targets "$targets" --method imis -o "$work/c.toml" --posterior "$work/out_pipe.h5"
[ -z "$(ls "$work/out_directory")" ] && [ ! -e "$work/c.toml" ] || fail "a refused calibrate wrote something"
echo "OK"
