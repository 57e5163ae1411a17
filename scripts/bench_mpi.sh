#!/usr/bin/env bash
# Benchmark of MPI scaling on one machine (issue: 1 -> 2 ranks at >= 0.9 of
# linear, taking the machine's cores into account). Each rank uses one CPU
# thread, so that N ranks use N cores:
#   1 rank  x 1 thread   (no mpirun: the baseline)
#   2 ranks x 1 thread   (mpirun -np 2)
#   1 rank  x 2 threads  (no mpirun: OpenMP alone, for comparison)
# on two workloads: the base case (1 set, many patients: ranks split the
# patient blocks) and a PSA (many sets: ranks split the sets). Every timing is
# the median of REPEATS runs of the whole command (load, simulate, gather,
# CEA, HDF5). Each result file is checked against the baseline's numbers.
# Writes a markdown report to stdout; save it under results/bench/.
# Usage: scripts/bench_mpi.sh [path/to/sclsim] [repeats] [base patients] [psa draws] [psa patients]
set -euo pipefail
cd "$(dirname "$0")/.."
sclsim=${1:-build/cpu-only/sclsim}
repeats=${2:-3}
base_patients=${3:-2000000}
draws=${4:-200}
psa_patients=${5:-20000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm=isolated

# median wall seconds of `repeats` runs; also leaves the last file at $out/$name.h5
measure() {  # name ranks threads command args...
  local name=$1 ranks=$2 threads=$3
  shift 3
  local times=()
  for _ in $(seq "$repeats"); do
    local start end
    start=$(date +%s.%N)
    if [ "$ranks" -eq 1 ]; then
      "$sclsim" "$@" --backend cpu --threads "$threads" --no-checkpoint -q -o "$out/$name.h5" > "$out/$name.log"
    else
      mpirun -np "$ranks" --bind-to none "$sclsim" "$@" --backend cpu --threads "$threads" --no-checkpoint -q \
        -o "$out/$name.h5" > "$out/$name.log"
    fi
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
    /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1]).attrs['simulate_seconds'])" "$out/$name.h5" >> "$out/$name.simulate"
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'
}
median_simulate() { sort -g "$out/$1.simulate" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

row() {  # label workload-args...
  local label=$1
  shift
  local t1 t2 t12
  t1=$(measure "${label}_1x1" 1 1 "$@")
  t2=$(measure "${label}_2x1" 2 1 "$@")
  t12=$(measure "${label}_1x2" 1 2 "$@")
  /usr/bin/python3 tests/e2e/same_numbers.py "$out/${label}_1x1.h5" "$out/${label}_2x1.h5" > /dev/null \
    || { echo "the 2-rank file differs from the 1-rank file" >&2; exit 1; }
  /usr/bin/python3 tests/e2e/same_numbers.py "$out/${label}_1x1.h5" "$out/${label}_1x2.h5" > /dev/null \
    || { echo "the 2-thread file differs from the 1-thread file" >&2; exit 1; }
  local lifetimes
  lifetimes=$(/usr/bin/python3 -c "import h5py,sys; print(int(h5py.File(sys.argv[1])['/results/patients'][()].sum()))" "$out/${label}_1x1.h5")
  local s1 s2
  s1=$(median_simulate "${label}_1x1")
  s2=$(median_simulate "${label}_2x1")
  printf '| %s | %s | %.2f | %.2f | %.2f | %.2f | **%.3f** | %.3f | %.2f / %.2f | %.3f |\n' "$label" "$lifetimes" "$t1" "$t2" "$t12" \
    "$(echo "$t1 / $t2" | bc -l)" "$(echo "$t1 / (2 * $t2)" | bc -l)" "$(echo "$t12 / $t2" | bc -l)" \
    "$s1" "$s2" "$(echo "$s1 / (2 * $s2)" | bc -l)"
}

version=$("$sclsim" --version 2> /dev/null || echo "?")
commit=$("$sclsim" info | sed -n 's/.*(git \(.*\))/\1/p')
mpi=$("$sclsim" info | sed -n 's/^MPI: //p')
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
cat << EOF
## sclsim benchmark: MPI scaling from 1 to 2 ranks ($(date -u +%Y-%m-%d))

- command: \`scripts/bench_mpi.sh $sclsim $repeats $base_patients $draws $psa_patients\`
- sclsim: $version ($commit), $mpi
- machine: $cpu, $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GiB
- backend: cpu, one thread per rank; whole-command wall seconds, median of $repeats runs
- every 2-rank and 2-thread file holds the bits of the 1-rank file (tests/e2e/same_numbers.py)

| workload | lifetimes | 1 rank x 1 thread s | 2 ranks x 1 thread s | 1 rank x 2 threads s | speedup 2 ranks | efficiency 2 ranks | 2 threads / 2 ranks time | simulate s 1 rank / 2 ranks | engine efficiency |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
row "base case, $base_patients patients" run --patients "$base_patients"
row "PSA, $draws draws x $psa_patients patients" psa scenarios/scls_psa.toml --draws "$draws" --patients "$psa_patients"
cat << EOF

efficiency = (1-rank time) / (2 x 2-rank time) of the whole command, mpirun's start-up included; goal >= 0.9.
"2 threads / 2 ranks time" compares OpenMP threads with MPI ranks on the same two cores (> 1: the ranks are faster).
The engine columns use the files' simulate_seconds (the slowest rank's time in the backend), without start-up,
input, gather and output.
EOF
