// The interface between the host and a simulation backend. A backend
// simulates ranges of patient blocks and hands back the accumulated integer
// tallies (counters, moment limbs, histograms), which any order of work adds
// up to the same bits. Plain C++: host code includes this, never CUDA headers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/model/params.hpp"
#include "kernels/model/tally.hpp"

namespace scls {

class SimulationBackend {
  public:
    virtual ~SimulationBackend() = default;

    // Simulates blocks [first_block, first_block + block_count) of the run's
    // (parameter set x patient block) grid and adds their tallies to the counts.
    virtual void simulate(std::uint64_t first_block, std::uint64_t block_count) = 0;

    // Counts accumulated so far: parameter_sets x counts_per_set() integers.
    virtual std::vector<std::uint64_t> counts() const = 0;

    // Largest number of blocks one simulate() call should take.
    virtual std::uint64_t preferred_batch_blocks() const = 0;

    virtual std::string name() const = 0;         // "cpu" or "gpu"
    virtual std::string description() const = 0;  // device or thread count
};

// CPU backend on OpenMP threads; threads <= 0 means all cores.
std::unique_ptr<SimulationBackend> make_cpu_backend(const std::vector<ModelParams>& parameter_sets,
                                                    const LaunchGeometry& geometry, int threads);

// Whether this binary has the CUDA backend, and what devices it sees.
struct CudaDeviceInfo {
    bool compiled = false;
    int device_count = 0;
    std::string error;  // why no device is usable (driver missing, ...)
    std::vector<std::string> devices;  // "name (sm_XY, N GiB)"
};
CudaDeviceInfo query_cuda_devices();

// GPU backend on the given device (throws if not compiled in, no such
// device, or the device cannot hold the run's tallies).
std::unique_ptr<SimulationBackend> make_cuda_backend(const std::vector<ModelParams>& parameter_sets,
                                                     const LaunchGeometry& geometry, int device = 0);

}  // namespace scls
