#!/usr/bin/env bash
# The GPU kernel's static cost, measured without a GPU: compiles the CUDA
# launch site for sm_90 with ptxas reporting and to PTX, and writes a
# markdown report (registers, spills, stack, shared memory, theoretical
# occupancy on an H100, PTX census) to stdout; save it as
# results/bench/gpu-static.md. Needs nvcc (the CUDA toolkit).
# With --check it also fails (exit 1) on any spill or on an occupancy below
# 25% (the ctest labelled gpu-static), and leaves the lane model out. Without
# --check, when a CPU build's lane_model exists (build/release or
# build/cpu-only), its SIMT lane model and the estimated H100 rate are added; INSTRUCTIONS_PER_LIFETIME (default 16971, measured
# with scripts/bench_instructions.sh on a build without the attack-draw
# cache) scales the estimate.
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
"$nvcc" -std=c++17 -O3 -I. -arch=sm_90 --expt-relaxed-constexpr -Xptxas -v \
  -c kernels/launch/simulate_cuda.cu -o "$work/kernel.o" 2> "$work/ptxas.txt"
"$nvcc" -std=c++17 -O3 -I. -arch=sm_90 --expt-relaxed-constexpr -ptx kernels/launch/simulate_cuda.cu -o "$work/kernel.ptx"
lane=()
if [ ${#check[@]} -eq 0 ]; then
  for candidate in build/release/lane_model build/cpu-only/lane_model; do
    if [ -x "$candidate" ]; then
      "$candidate" > "$work/lanes.md"
      lane=(--lane-model "$work/lanes.md" --instructions-per-lifetime "${INSTRUCTIONS_PER_LIFETIME:-16971}")
      break
    fi
  done
fi
/usr/bin/python3 scripts/gpu_static.py "$work/ptxas.txt" "$work/kernel.ptx" --threads-per-block 256 "${lane[@]}" \
  "${check[@]}" --command "bash scripts/gpu_static.sh" --compiler "$("$nvcc" --version | tail -2 | head -1) ($(git describe --always --dirty 2>/dev/null || echo unknown))"
