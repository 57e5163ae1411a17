// GPU launch site: one thread per patient, one CUDA block per patient block.
// Real-valued sums use cub::BlockReduce (a fixed tree order, so results are
// reproducible run to run); integer counters go through shared-memory
// atomics and then one global atomic per block; histogram entries are global
// integer atomics.
#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <stdexcept>

#include "kernels/launch/backend.hpp"
#include "kernels/launch/cuda_check.hpp"
#include "kernels/launch/device_buffer.hpp"
#include "kernels/model/patient_block.hpp"

namespace scls {
namespace {

// nvcc compiles this file, so keep fmt out of it.
std::string describe_device(const cudaDeviceProp& properties)
{
    char text[512];
    std::snprintf(text, sizeof text, "%s (sm_%d%d, %.0f GiB)", properties.name, properties.major, properties.minor,
                  properties.totalGlobalMem / 1073741824.0);
    return text;
}

using BlockSum = cub::BlockReduce<double, kPatientsPerBlock>;

__global__ void __launch_bounds__(kPatientsPerBlock)
    simulate_blocks_kernel(const ModelParams* params, LaunchGeometry geometry, std::uint64_t first_block,
                           double* block_moments, std::uint64_t* counts)
{
    __shared__ typename BlockSum::TempStorage reduce_storage;
    __shared__ unsigned long long block_counts[kMaxStrategies * kCounters];
    for (int i = threadIdx.x; i < kMaxStrategies * kCounters; i += blockDim.x) {
        block_counts[i] = 0;
    }
    __syncthreads();

    const std::uint64_t block = first_block + blockIdx.x;
    const auto set = static_cast<std::uint32_t>(block / geometry.blocks_per_set);
    const auto block_in_set = static_cast<std::uint32_t>(block % geometry.blocks_per_set);
    const std::uint32_t patient = block_in_set * kPatientsPerBlock + threadIdx.x;
    const bool active = patient < geometry.patients_per_set;
    const ModelParams& p = params[set];
    std::uint64_t* set_counts = counts + static_cast<std::uint64_t>(set) * geometry.counts_per_set();
    double* moments = block_moments + static_cast<std::uint64_t>(blockIdx.x) * geometry.moments_per_block();
    const int per_strategy = geometry.layout.per_strategy();

    // Every thread walks the strategies in the same order (inactive threads
    // contribute zeros) so that the block-wide reductions line up.
    simulate_patient<0>(p, geometry, set, active ? patient : 0u,
                     [&](int strategy, const LifetimeOutcome& outcome, const double* values) {
                         for (int v = 0; v < kValuesPerStrategy; ++v) {
                             const double value = active ? values[v] : 0.0;
                             const double sum = BlockSum(reduce_storage).Sum(value);
                             __syncthreads();
                             const double sum_of_squares = BlockSum(reduce_storage).Sum(value * value);
                             __syncthreads();
                             if (threadIdx.x == 0) {
                                 moments[strategy * kMomentsPerStrategy + 2 * v] = sum;
                                 moments[strategy * kMomentsPerStrategy + 2 * v + 1] = sum_of_squares;
                             }
                         }
                         if (active) {
                             count_lifetime(outcome, p, [&](int index, std::uint32_t amount) {
                                 if (amount != 0) {
                                     atomicAdd(&block_counts[strategy * kCounters + index],
                                               static_cast<unsigned long long>(amount));
                                 }
                             });
                             histogram_lifetime(outcome, geometry.layout, p, set_counts + strategy * per_strategy);
                         }
                     });
    __syncthreads();
    for (int i = threadIdx.x; i < geometry.strategies * kCounters; i += blockDim.x) {
        const int strategy = i / kCounters;
        const int counter = i % kCounters;
        if (block_counts[i] != 0) {
            atomicAdd(reinterpret_cast<unsigned long long*>(set_counts + strategy * per_strategy + counter), block_counts[i]);
        }
    }
}

class CudaBackend final : public SimulationBackend {
  public:
    CudaBackend(const std::vector<ModelParams>& parameter_sets, const LaunchGeometry& geometry, int device)
        : geometry_(geometry)
    {
        SCLS_CUDA_CALL(cudaSetDevice(device));
        cudaDeviceProp properties{};
        SCLS_CUDA_CALL(cudaGetDeviceProperties(&properties, device));
        description_ = "GPU " + std::to_string(device) + ": " + describe_device(properties);
        params_.reserve(parameter_sets.size(), "the parameter sets");
        SCLS_CUDA_CALL(cudaMemcpy(params_.data(), parameter_sets.data(), parameter_sets.size() * sizeof(ModelParams),
                                  cudaMemcpyHostToDevice));
        count_size_ = static_cast<std::size_t>(geometry.parameter_sets) * geometry.counts_per_set();
        counts_.reserve(count_size_, "the run's counts and histograms");
        SCLS_CUDA_CALL(cudaMemset(counts_.data(), 0, count_size_ * sizeof(std::uint64_t)));
        // Batches sized to fill the device many times over, but bounded so
        // the moment partials stay small (about 64 MiB at most).
        const std::uint64_t bytes_per_block = sizeof(double) * static_cast<std::uint64_t>(geometry.moments_per_block());
        batch_blocks_ = std::max<std::uint64_t>(1, std::min<std::uint64_t>(
                                                       static_cast<std::uint64_t>(properties.multiProcessorCount) * 64,
                                                       (64ull << 20) / bytes_per_block));
    }

    void simulate(std::uint64_t first_block, std::uint64_t block_count, double* block_moments) override
    {
        const std::size_t per_block = static_cast<std::size_t>(geometry_.moments_per_block());
        // A device short of memory takes the batch in smaller launches (the
        // block order, and so the results, stay the same). The size that fitted
        // is kept: later batches do not free and retry the larger buffer.
        std::uint64_t launch_blocks = std::min(block_count, launch_blocks_limit_);
        while (!moments_.try_reserve(launch_blocks * per_block)) {
            if (launch_blocks == 1) {
                moments_.reserve(per_block, "one block's moment partials");
                break;
            }
            launch_blocks = (launch_blocks + 1) / 2;
            launch_blocks_limit_ = launch_blocks;
        }
        for (std::uint64_t done = 0; done < block_count; done += launch_blocks) {
            const std::uint64_t count = std::min(launch_blocks, block_count - done);
            simulate_blocks_kernel<<<static_cast<unsigned>(count), kPatientsPerBlock>>>(params_.data(), geometry_,
                                                                                       first_block + done, moments_.data(),
                                                                                       counts_.data());
            SCLS_CUDA_CHECK_LAUNCH("launching simulate_blocks_kernel");
            // Execution errors of the kernel show at the synchronisation, named as such.
            ::scls::cuda_check(cudaDeviceSynchronize(), "simulate_blocks_kernel (while it ran)", __FILE__, __LINE__);
            SCLS_CUDA_CALL(cudaMemcpy(block_moments + done * per_block, moments_.data(), count * per_block * sizeof(double),
                                      cudaMemcpyDeviceToHost));
        }
    }

    std::vector<std::uint64_t> counts() const override
    {
        std::vector<std::uint64_t> host(count_size_);
        SCLS_CUDA_CALL(cudaMemcpy(host.data(), counts_.data(), host.size() * sizeof(std::uint64_t), cudaMemcpyDeviceToHost));
        return host;
    }

    std::uint64_t preferred_batch_blocks() const override { return batch_blocks_; }
    std::string name() const override { return "gpu"; }
    std::string description() const override { return description_; }

  private:
    LaunchGeometry geometry_;
    DeviceBuffer<ModelParams> params_;
    DeviceBuffer<double> moments_;
    DeviceBuffer<std::uint64_t> counts_;
    std::size_t count_size_ = 0;
    std::uint64_t batch_blocks_ = 1;
    std::uint64_t launch_blocks_limit_ = UINT64_MAX;  // lowered when the device had no room for a batch
    std::string description_;
};

}  // namespace

CudaDeviceInfo query_cuda_devices()
{
    CudaDeviceInfo info;
    info.compiled = true;
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
        info.error = std::string(cudaGetErrorName(status)) + " (" + cudaGetErrorString(status) + ")";
        cudaGetLastError();  // clear the sticky error so later calls are not confused by it
        return info;
    }
    info.device_count = count;
    for (int d = 0; d < count; ++d) {
        cudaDeviceProp properties{};
        if (cudaGetDeviceProperties(&properties, d) == cudaSuccess) {
            info.devices.push_back(describe_device(properties));
        }
    }
    if (count == 0) {
        info.error = "no CUDA device found";
    }
    return info;
}

std::unique_ptr<SimulationBackend> make_cuda_backend(const std::vector<ModelParams>& parameter_sets,
                                                     const LaunchGeometry& geometry, int device)
{
    return std::make_unique<CudaBackend>(parameter_sets, geometry, device);
}

}  // namespace scls
