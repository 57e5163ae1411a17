#!/usr/bin/env bash
# The GPU kernel's static cost, measured without a GPU: compiles the CUDA
# launch site for sm_90 with ptxas reporting and to PTX, and writes a
# markdown report (registers, spills, stack, shared memory, theoretical
# occupancy on an H100, PTX census) to stdout; save it as
# results/bench/gpu-static.md. Needs nvcc (the CUDA toolkit).
# With --check it also fails (exit 1) on any spill or on an occupancy below
# 25% (the ctest labelled gpu-static), and leaves the lane model out. Without
# --check, when a CPU build's lane_model exists (build/release or
# build/cpu-only), its SIMT lane model and the estimated H100 rate are added:
# with the costs measured by scripts/lane_costs.sh when valgrind and that
# build's lane_costs exist (their instructions per lifetime scale the
# estimate), else with assumed costs and INSTRUCTIONS_PER_LIFETIME (default
# 16971, the CPU engine without its attack-draw cache).
#   bash scripts/gpu_static.sh [--check] [path/to/nvcc]
set -euo pipefail
cd "$(dirname "$0")/.."
check=()
if [ "${1:-}" = "--check" ]; then
  check=(--check)
  shift
fi
nvcc=${1:-/usr/local/cuda/bin/nvcc}
[ -x "$nvcc" ] || { echo "gpu_static.sh: $nvcc is not an executable (no CUDA toolkit) — give the path to nvcc" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The flags of the project's CUDA target (CMakeLists.txt: sclsim_gpu), for sm_90 only.
if ! "$nvcc" -std=c++17 -O3 -I. -arch=sm_90 --expt-relaxed-constexpr -Xptxas -v \
  -c kernels/launch/simulate_cuda.cu -o "$work/kernel.o" 2> "$work/ptxas.txt"; then
  cat "$work/ptxas.txt" >&2
  echo "gpu_static.sh: kernels/launch/simulate_cuda.cu does not compile for sm_90 (the errors above)" >&2
  exit 1
fi
"$nvcc" -std=c++17 -O3 -I. -arch=sm_90 --expt-relaxed-constexpr -ptx kernels/launch/simulate_cuda.cu -o "$work/kernel.ptx"
lane=()
if [ ${#check[@]} -eq 0 ]; then
  for build in build/release build/cpu-only; do
    if [ -x "$build/lane_model" ]; then
      costs=()
      instructions=${INSTRUCTIONS_PER_LIFETIME:-16971}
      if [ -x "$build/lane_costs" ] && command -v valgrind > /dev/null; then
        bash scripts/lane_costs.sh "$build/lane_costs" > "$work/costs.txt"
        costs=(--costs "$work/costs.txt")
        instructions=$(sed -n 's/^lifetime //p' "$work/costs.txt")
      fi
      "$build/lane_model" "${costs[@]}" > "$work/lanes.md"
      source="the CPU engine's x86 count without the attack-draw cache"
      [ ${#costs[@]} -eq 0 ] || source="the x86 count of the kernel's schedule on an emulated warp, scripts/lane_costs.sh"
      lane=(--lane-model "$work/lanes.md" --instructions-per-lifetime "$instructions" --instructions-source "$source")
      break
    fi
  done
fi
/usr/bin/python3 scripts/gpu_static.py "$work/ptxas.txt" "$work/kernel.ptx" --threads-per-block 128 "${lane[@]}" \
  "${check[@]}" --command "bash scripts/gpu_static.sh" --compiler "$("$nvcc" --version | tail -2 | head -1) ($(git describe --always --dirty 2>/dev/null || echo unknown))"
