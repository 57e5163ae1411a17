// GPU launch site: one thread per patient, one CUDA block per patient block.
// Real-valued sums use cub::BlockReduce (a fixed tree order, so results are
// reproducible run to run); integer counters go through shared-memory
// atomics and then one global atomic per block; histogram entries are global
// integer atomics.
#include <cub/block/block_reduce.cuh>
#include <thrust/device_vector.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <stdexcept>

#include "kernels/launch/backend.hpp"
#include "kernels/launch/cuda_check.hpp"
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
                             count_lifetime(outcome, [&](int index, std::uint32_t amount) {
                                 if (amount != 0) {
                                     atomicAdd(&block_counts[strategy * kCounters + index],
                                               static_cast<unsigned long long>(amount));
                                 }
                             });
                             histogram_lifetime(outcome, geometry.layout, set_counts + strategy * per_strategy);
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
        params_.resize(parameter_sets.size());
        SCLS_CUDA_CALL(cudaMemcpy(thrust::raw_pointer_cast(params_.data()), parameter_sets.data(),
                                  parameter_sets.size() * sizeof(ModelParams), cudaMemcpyHostToDevice));
        counts_.assign(static_cast<std::size_t>(geometry.parameter_sets) * geometry.counts_per_set(), 0);
        // Batches sized to fill the device many times over, but bounded so
        // the moment partials stay small (about 64 MiB at most).
        const std::uint64_t bytes_per_block = sizeof(double) * static_cast<std::uint64_t>(geometry.moments_per_block());
        batch_blocks_ = std::max<std::uint64_t>(1, std::min<std::uint64_t>(
                                                       static_cast<std::uint64_t>(properties.multiProcessorCount) * 64,
                                                       (64ull << 20) / bytes_per_block));
    }

    void simulate(std::uint64_t first_block, std::uint64_t block_count, double* block_moments) override
    {
        const std::size_t moment_count = block_count * geometry_.moments_per_block();
        if (moments_.size() < moment_count) {
            moments_.resize(moment_count);
        }
        simulate_blocks_kernel<<<static_cast<unsigned>(block_count), kPatientsPerBlock>>>(
            thrust::raw_pointer_cast(params_.data()), geometry_, first_block, thrust::raw_pointer_cast(moments_.data()),
            thrust::raw_pointer_cast(counts_.data()));
        SCLS_CUDA_CHECK_LAUNCH("simulate_blocks_kernel");
        SCLS_CUDA_CALL(cudaMemcpy(block_moments, thrust::raw_pointer_cast(moments_.data()), moment_count * sizeof(double),
                                  cudaMemcpyDeviceToHost));
    }

    std::vector<std::uint64_t> counts() const override
    {
        std::vector<std::uint64_t> host(counts_.size());
        SCLS_CUDA_CALL(cudaMemcpy(host.data(), thrust::raw_pointer_cast(counts_.data()),
                                  host.size() * sizeof(std::uint64_t), cudaMemcpyDeviceToHost));
        return host;
    }

    std::uint64_t preferred_batch_blocks() const override { return batch_blocks_; }
    std::string name() const override { return "gpu"; }
    std::string description() const override { return description_; }

  private:
    LaunchGeometry geometry_;
    thrust::device_vector<ModelParams> params_;
    thrust::device_vector<double> moments_;
    thrust::device_vector<std::uint64_t> counts_;
    std::uint64_t batch_blocks_ = 1;
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
