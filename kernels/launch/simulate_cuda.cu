// GPU launch site: the lane-refill schedule (kernels/model/lane_refill.hpp),
// a thread per lane, every warp taking patients from one cursor. Every tally
// is an integer added atomically, so the order in which lanes, warps and
// blocks finish changes no bit: counters and the limbs of real values are
// summed across the lanes that tally the same set and strategy together and
// added by one of them; histogram entries are global atomics.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <stdexcept>

#include "kernels/launch/backend.hpp"
#include "kernels/launch/cuda_check.hpp"
#include "kernels/launch/device_buffer.hpp"
#include "kernels/model/lane_refill.hpp"

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

inline constexpr unsigned kAllLanes = 0xffffffffu;
// 4 warps per block: their buffers of 32 patients (280 B each: 35 KiB a
// block) in shared memory stay within the 48 KiB a block may hold
// statically (a patient may grow by 104 B more), and 4 blocks fit an SM's
// registers (25% occupancy, as 2 blocks of 256 would).
inline constexpr int kThreadsPerBlock = 128;
static_assert(sizeof(BufferedPatient) * kThreadsPerBlock <= 48 * 1024,
              "the warps' patient buffers outgrow a block's 48 KiB of static shared memory: fewer threads per block, or dynamic shared memory");

// The sum over the lanes of `peers` of one 32-bit amount each (below 2^37):
// its 16-bit halves through the warp reduction unit. Every lane of peers
// must call it, with the same mask.
__device__ __forceinline__ unsigned long long warp_sum(unsigned peers, std::uint32_t amount)
{
    const unsigned low = __reduce_add_sync(peers, amount & 0xffffu);
    const unsigned high = __reduce_add_sync(peers, amount >> 16);
    return low + (static_cast<unsigned long long>(high) << 16);
}

// A warp of 32 threads, one lane each: the collective operations run_lanes
// asks of a warp (their contract: kernels/launch/emulated_warp.hpp).
class DeviceWarp {
  public:
    static constexpr int kWidth = 32;

    __device__ explicit DeviceWarp(BufferedPatient* patients) : patients_(patients), index_(static_cast<int>(threadIdx.x % 32)) {}

    template <class F>
    __device__ __forceinline__ void each(F&& f)
    {
        f(mine_, index_);
    }

    template <class Predicate>
    __device__ __forceinline__ unsigned ballot(Predicate&& pred) const
    {
        return __ballot_sync(kAllLanes, pred(mine_));
    }

    __device__ __forceinline__ std::uint64_t claim(std::uint64_t* cursor, int count) const
    {
        unsigned long long base = 0;
        if (index_ == 0) {
            base = atomicAdd(reinterpret_cast<unsigned long long*>(cursor), static_cast<unsigned long long>(count));
        }
        return __shfl_sync(kAllLanes, base, 0);
    }

    __device__ __forceinline__ BufferedPatient* patients() const { return patients_; }
    __device__ __forceinline__ static void sync() { __syncwarp(kAllLanes); }

    __device__ __forceinline__ static unsigned peers(unsigned mask, int, const void* key)
    {
        return __match_any_sync(mask, reinterpret_cast<unsigned long long>(key));
    }

    // One global atomic per group of peers, by its lowest lane.
    __device__ __forceinline__ static void add(unsigned peers, int index, std::uint64_t* target, std::uint32_t amount)
    {
        const unsigned long long total = warp_sum(peers, amount);
        if (index == __ffs(peers) - 1 && total != 0) {
            atomic_add(target, total);
        }
    }

  private:
    PatientLane mine_;
    BufferedPatient* patients_;
    int index_;
};

// Resident warps take patients from the launch's cursor until none are left
// (a persistent grid: one wave of blocks, sized to the device).
__global__ void __launch_bounds__(kThreadsPerBlock, 4)
    run_lanes_kernel(const ModelParams* __restrict__ params, LaunchGeometry geometry, LaneWork work, std::uint64_t* counts)
{
    __shared__ BufferedPatient patients[kThreadsPerBlock];  // each warp's buffer of 32
    DeviceWarp warp(patients + threadIdx.x / 32 * 32);
    run_lanes(warp, params, geometry, work, counts);
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
        cursor_.reserve(1, "the launch's patient cursor");
        // One wave of resident blocks; batches of many patients per lane, so
        // that lanes idle for want of work only at a batch's end.
        int blocks_per_sm = 0;
        SCLS_CUDA_CALL(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks_per_sm, run_lanes_kernel, kThreadsPerBlock, 0));
        grid_blocks_ = static_cast<unsigned>(std::max(1, blocks_per_sm) * properties.multiProcessorCount);
        batch_blocks_ = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(grid_blocks_) * kThreadsPerBlock * 64 / kPatientsPerBlock);
    }

    void simulate(std::uint64_t first_block, std::uint64_t block_count) override
    {
        const std::uint64_t first_slot = first_block * kPatientsPerBlock;
        SCLS_CUDA_CALL(cudaMemcpy(cursor_.data(), &first_slot, sizeof first_slot, cudaMemcpyHostToDevice));
        const LaneWork work{cursor_.data(), (first_block + block_count) * kPatientsPerBlock};
        run_lanes_kernel<<<grid_blocks_, kThreadsPerBlock>>>(params_.data(), geometry_, work, counts_.data());
        SCLS_CUDA_CHECK_LAUNCH("launching run_lanes_kernel");
        // Execution errors of the kernel show at the synchronisation, named as such.
        ::scls::cuda_check(cudaDeviceSynchronize(), "run_lanes_kernel (while it ran)", __FILE__, __LINE__);
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
    DeviceBuffer<std::uint64_t> cursor_;
    std::size_t count_size_ = 0;
    unsigned grid_blocks_ = 1;
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
