#!/usr/bin/env bash
# Installs the Debian 12 packages sclsim needs (run as root or with sudo).
# The CUDA toolkit (for the optional GPU backend) is expected at
# /usr/local/cuda; the CPU backend needs none of it. R with hdf5r (scripts/sclsim.R), Graphviz (docs/model.dot) and
# Chromium (the HTML report test) are for the analysis scripts and their tests.
set -euo pipefail
# clang-14, libclang-rt-14-dev, libomp-14-dev, llvm-14: scripts/fuzz.sh (libFuzzer and
# sanitizer runtimes, OpenMP for clang, llvm-symbolizer for readable reports).
packages=(build-essential cmake git libtomlplusplus-dev libcli11-dev libfmt-dev libhdf5-dev hdf5-tools
          libgtest-dev libgmock-dev libnlopt-cxx-dev libgsl-dev libboost-dev python3 python3-h5py python3-numpy python3-matplotlib python3-pandas python3-xarray python3-netcdf4
          libopenmpi-dev openmpi-bin slurm-wlm munge
          r-base-core r-cran-hdf5r graphviz chromium
          clang-14 libclang-rt-14-dev libomp-14-dev llvm-14)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
fi
