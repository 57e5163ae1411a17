#!/usr/bin/env bash
# Runs scripts/slurm/sclsim.sbatch end to end on a one-node Slurm cluster
# started here, without systemd: a private munged, slurmctld and slurmd from
# Debian's slurm-wlm, all under a temporary directory, stopped on exit. It
# submits
#   1. a 2-rank PSA with sbatch --wait, and checks that the file holds the bits
#      of a single-process run;
#   2. an array job of two independent sweeps, each checked the same way.
# Needs root (the daemons run as root) and the packages slurm-wlm, munge and
# openmpi-bin. Exits 77 when they are missing, so that ctest reports a skip.
#
#   scripts/slurm/local_harness.sh [SCLSIM] [PYTHON]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sclsim=$(readlink -f "${1:-$root/build/cpu-only/sclsim}")
python=${2:-/usr/bin/python3}

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "the local Slurm daemons need root"
for tool in slurmctld slurmd munged sbatch srun mpirun; do
  command -v "$tool" > /dev/null || skip "$tool not found (apt-get install slurm-wlm munge openmpi-bin)"
done
[ -x "$sclsim" ] || fail "$sclsim is not an executable"
grep -q "^MPI: Open MPI" <<< "$("$sclsim" info)" || skip "this sclsim was built without MPI"

work=$(mktemp -d /tmp/sclsim-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  sleep 0.5
  for pid in "${pids[@]}"; do kill -9 "$pid" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# Polls until the command succeeds; the deadlines are generous because a
# busy machine is slow, and a condition, never a time, is what is waited for.
wait_until() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
node=$(hostname -s)
cpus=$(nproc)

echo "== munged with a fresh key"
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 755 "$work/munge"
chmod 400 "$work/munge/munge.key"
munged --force --foreground --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" \
  > "$work/munge/munged.out" 2>&1 &
pids+=($!)

# Free ports, so that a Slurm already running here is left alone.
ports=$("$python" -c "
import socket
found = []
for port in range(16817, 17817):
    s = socket.socket()
    try:
        s.bind(('', port))
        found.append(port)
    except OSError:
        pass
    finally:
        s.close()
    if len(found) == 2:
        break
print(*found)")
read -r controller_port node_port <<< "$ports"

echo "== slurm.conf: one node ($node, $cpus CPUs), ports $controller_port/$node_port"
mkdir -p "$work/state" "$work/spool" "$work/jobs"
cat > "$work/slurm.conf" << EOF
ClusterName=sclsimlocal
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$controller_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
export SLURM_CONF=$work/slurm.conf
wait_until 300 test -S "$work/munge/munge.socket" || fail "munged did not start: $(cat "$work/munge/munged.log" 2> /dev/null)"

echo "== slurmctld and slurmd"
slurmctld -D -i -f "$SLURM_CONF" > "$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" > "$work/slurmd.out" 2>&1 &
pids+=($!)
node_idle() { state=$(sinfo -h -n "$node" -o %T 2> /dev/null || true); [ "$state" = idle ]; }
state=""
wait_until 600 node_idle || { tail -20 "$work/slurmctld.log" "$work/slurmd.log" 2> /dev/null; fail "the node did not become idle (state: ${state:-none})"; }
sinfo

# OpenMPI ranks as root, two cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
psa=(psa "$root/scenarios/scls_psa.toml" --draws 8 --patients 20000 -q)

echo "== 1. a 2-rank PSA through the template (sbatch --wait)"
launcher=srun
# srun's PMIx plugin must be able to start OpenMPI ranks here; else mpirun inside the allocation.
if ! grep -q pmix <<< "$(srun --mpi=list 2>&1)"; then
  launcher=mpirun
fi
cd "$work/jobs"
SCLSIM=$sclsim SCLS_LAUNCHER=$launcher sbatch --wait --ntasks=2 --ntasks-per-node=2 --cpus-per-task=1 --gpus-per-task=0 \
  --output="$work/jobs/psa-%j.out" "$root/scripts/slurm/sclsim.sbatch" "${psa[@]}" -o "$work/jobs/psa_slurm.h5" \
  || { cat "$work"/jobs/psa-*.out; tail -20 "$work/slurmctld.log" "$work/slurmd.log"; fail "the PSA job failed (launcher $launcher)"; }
cat "$work"/jobs/psa-*.out
grep -q "2 ranks on $node" "$work"/jobs/psa-*.out || fail "the job did not run 2 ranks"
"$python" -c "import h5py,sys; assert h5py.File(sys.argv[1]).attrs['processes'] == 2" "$work/jobs/psa_slurm.h5" \
  || fail "the file does not record 2 processes"
"$sclsim" "${psa[@]}" -o "$work/jobs/psa_single.h5" > /dev/null
"$python" "$root/tests/e2e/same_numbers.py" "$work/jobs/psa_single.h5" "$work/jobs/psa_slurm.h5"

echo "== 2. an array job of two independent sweeps"
cat > "$work/jobs/sweeps.txt" << EOF
sweep --grid regimens.ivig_2g.price_per_gram=50:150:3 --patients 5000 -q -o $work/jobs/sweep_price.h5
sweep --grid attacks.rate_per_year=0.5,1,2 --patients 5000 -q -o $work/jobs/sweep_rate.h5
EOF
SCLSIM=$sclsim SCLS_LAUNCHER=$launcher SCLS_COMMANDS=$work/jobs/sweeps.txt sbatch --wait --array=0-1 --ntasks=1 --ntasks-per-node=1 \
  --cpus-per-task=1 --gpus-per-task=0 --output="$work/jobs/sweep-%A_%a.out" "$root/scripts/slurm/sclsim.sbatch" \
  || { cat "$work"/jobs/sweep-*.out; fail "the array job failed"; }
cat "$work"/jobs/sweep-*.out
while read -r line; do
  read -r -a words <<< "$line"
  out=${words[-1]}
  "$sclsim" "${words[@]:0:${#words[@]}-1}" "${out%.h5}_single.h5" > /dev/null
  "$python" "$root/tests/e2e/same_numbers.py" "${out%.h5}_single.h5" "$out"
done < "$work/jobs/sweeps.txt"
echo "== 3. a job requeued mid-run resumes from its checkpoint to the same bits"
# One work unit (64 blocks) per batch: 123 checkpoint segments, so after the
# fourth the job has 119 units left and cannot finish before the requeue lands
# (with large batches it could, and then there would be nothing to resume).
long=(psa "$root/scenarios/scls_psa.toml" --draws 40 --patients 40000 --batch-blocks 64 -q --checkpoint-every 0)
job=$(SCLSIM=$sclsim SCLS_LAUNCHER=$launcher sbatch --parsable --ntasks=2 --ntasks-per-node=2 --cpus-per-task=1 --gpus-per-task=0 \
  --output="$work/jobs/requeue.out" "$root/scripts/slurm/sclsim.sbatch" "${long[@]}" -o "$work/jobs/requeued.h5")
segments_written() { [ "$(ls "$work/jobs/requeued.h5.checkpoint" 2> /dev/null | grep -c '\.h5$')" -ge 4 ] || [ -e "$work/jobs/requeued.h5" ]; }
wait_until 600 segments_written || true
[ -d "$work/jobs/requeued.h5.checkpoint" ] || { cat "$work/jobs/requeue.out"; fail "the job wrote no checkpoint"; }
[ ! -e "$work/jobs/requeued.h5" ] || { cat "$work/jobs/requeue.out"; fail "the job finished before it could be requeued (nothing to resume)"; }
scontrol requeue "$job"
# Slurm holds a requeued job back for a while (BeginTime); let it start again now.
release_requeued() { [ "$(squeue -h -j "$job" -o %T 2> /dev/null)" = PENDING ] && scontrol update JobId="$job" StartTime=now 2> /dev/null; }
wait_until 300 release_requeued || true
job_gone() { [ -z "$(squeue -h -j "$job" 2> /dev/null)" ]; }
wait_until 900 job_gone || { squeue -j "$job" -o "%i %T %r %S"; cat "$work/jobs/requeue.out"; tail -30 "$work/slurmctld.log"; fail "the requeued job did not finish within 15 minutes"; }
cat "$work/jobs/requeue.out"
grep -q "resuming from" "$work/jobs/requeue.out" || fail "the requeued job did not resume from its checkpoint"
"$sclsim" "${long[@]}" --no-checkpoint -o "$work/jobs/requeued_single.h5" > /dev/null
"$python" "$root/tests/e2e/same_numbers.py" "$work/jobs/requeued_single.h5" "$work/jobs/requeued.h5"
echo "OK: the Slurm template ran a 2-rank PSA ($launcher), an array of sweeps, and a requeued job, each with the numbers of single-process runs"
