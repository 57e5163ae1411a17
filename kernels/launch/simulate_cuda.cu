// GPU launch site: one thread per patient, one CUDA block per patient block.
// Every tally is an integer added atomically, so the order in which lanes,
// warps and blocks finish changes no bit: counters go through shared-memory
// atomics and one global add per block; the moment limbs of the real values
// are summed across each warp and added by one lane; histogram entries are
// global atomics.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <stdexcept>

#include "kernels/launch/backend.hpp"
#include "kernels/launch/cuda_check.hpp"
#include "kernels/launch/device_buffer.hpp"
#include "kernels/model/patient_block.hpp"

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error "the GPU backend needs sm_80 or newer (warp reductions, __reduce_add_sync)"
#endif

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

// The sum over a warp's 32 lanes of one 32-bit digit each (below 2^37):
// its 16-bit halves through the warp reduction unit. Every lane must call it.
__device__ __forceinline__ unsigned long long warp_sum(std::uint32_t digit)
{
    const unsigned low = __reduce_add_sync(0xffffffffu, digit & 0xffffu);
    const unsigned high = __reduce_add_sync(0xffffffffu, digit >> 16);
    return low + (static_cast<unsigned long long>(high) << 16);
}

__global__ void __launch_bounds__(kPatientsPerBlock, 2)
    simulate_blocks_kernel(const ModelParams* __restrict__ params, LaunchGeometry geometry, std::uint64_t first_block,
                           std::uint64_t* counts)
{
    // 32-bit: native shared-memory atomics (64-bit ones are compare-and-swap
    // loops). A block's counter sums one strategy's 256 lifetimes: whole days
    // stay below 256 x 2^24 (2^24 days are 45,000 years), and attacks would
    // need an average of 2^24 per lifetime — four billion simulated events in
    // one block — to reach 2^32.
    static_assert(kPatientsPerBlock <= 256, "block counters are 32-bit: at most 2^8 lifetimes per block");
    __shared__ unsigned int block_counts[kMaxStrategies * kCounters];
    for (int i = threadIdx.x; i < kMaxStrategies * kCounters; i += blockDim.x) {
        block_counts[i] = 0;
    }
    __syncthreads();

    const std::uint64_t block = first_block + blockIdx.x;
    const auto set = static_cast<std::uint32_t>(block / geometry.blocks_per_set);
    const auto block_in_set = static_cast<std::uint32_t>(block % geometry.blocks_per_set);
    // In 64 bits: a set may hold up to 2^32 - 1 patients.
    const std::uint64_t patient = static_cast<std::uint64_t>(block_in_set) * kPatientsPerBlock + threadIdx.x;
    const bool active = patient < geometry.patients_per_set;
    const bool warp_leader = threadIdx.x % 32 == 0;
    const ModelParams& p = params[set];
    std::uint64_t* set_counts = counts + static_cast<std::uint64_t>(set) * geometry.counts_per_set();
    const int per_strategy = geometry.layout.per_strategy();

    // Every thread walks the strategies in the same order and adds every limb
    // (inactive threads add zeros), so that the warp sums line up.
    simulate_patient<0>(p, geometry, set, active ? static_cast<std::uint32_t>(patient) : 0u,
                     [&](int strategy, const LifetimeOutcome& outcome, const double* values) {
                         std::uint64_t* strategy_counts = set_counts + strategy * per_strategy;
                         auto add_count = [&](int index, std::uint32_t amount) {
                             if (active && amount != 0) {
                                 atomicAdd(&block_counts[strategy * kCounters + index], amount);
                             }
                         };
                         auto add_limb = [&](int index, std::uint32_t digit) {
                             const unsigned long long total = warp_sum(active ? digit : 0u);
                             if (warp_leader && total != 0) {
                                 atomic_add(strategy_counts + index, total);
                             }
                         };
                         tally_lifetime<false>(outcome, values, p, add_count, add_limb);
                         if (active) {
                             histogram_lifetime(outcome, geometry.layout, p, [&](int index) { atomic_add(strategy_counts + index, 1); });
                         }
                     });
    __syncthreads();
    for (int i = threadIdx.x; i < geometry.strategies * kCounters; i += blockDim.x) {
        const int strategy = i / kCounters;
        const int counter = i % kCounters;
        if (block_counts[i] != 0) {
            atomic_add(set_counts + strategy * per_strategy + counter, block_counts[i]);
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
        // Batches that fill the device many times over; every tally is in the counts.
        batch_blocks_ = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(properties.multiProcessorCount) * 64);
    }

    void simulate(std::uint64_t first_block, std::uint64_t block_count) override
    {
        simulate_blocks_kernel<<<static_cast<unsigned>(block_count), kPatientsPerBlock>>>(params_.data(), geometry_, first_block,
                                                                                         counts_.data());
        SCLS_CUDA_CHECK_LAUNCH("launching simulate_blocks_kernel");
        // Execution errors of the kernel show at the synchronisation, named as such.
        ::scls::cuda_check(cudaDeviceSynchronize(), "simulate_blocks_kernel (while it ran)", __FILE__, __LINE__);
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
    DeviceBuffer<std::uint64_t> counts_;
    std::size_t count_size_ = 0;
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
