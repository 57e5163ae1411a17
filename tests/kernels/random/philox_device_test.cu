// Device draws against host draws, bit for bit: cuRAND's own generator and
// sclsim's PhiloxStream on the GPU must both equal PhiloxStream on the host.
// Skipped (with a message) when no CUDA device is present.
#include <cuda_runtime.h>
#include <curand_kernel.h>
#include <gtest/gtest.h>

#include <vector>

#include "kernels/random/philox.hpp"
#include "kernels/random/streams.hpp"

namespace scls {
namespace {

constexpr int kDraws = 64;

__global__ void draw_on_device(std::uint64_t seed, std::uint32_t* curand_words, std::uint32_t* our_words)
{
    const std::uint32_t patient = blockIdx.x * blockDim.x + threadIdx.x;
    const StreamKey key{seed, 1, patient};
    curandStatePhilox4_32_10_t state;
    curand_init(seed, stream_subsequence(key), stream_offset(StreamPurpose::attack, 3), &state);
    PhiloxStream ours = open_stream(key, StreamPurpose::attack, 3);
    for (int i = 0; i < kDraws; ++i) {
        curand_words[patient * kDraws + i] = curand(&state);
        our_words[patient * kDraws + i] = ours.next();
    }
}

TEST(PhiloxDevice, DeviceDrawsEqualHostDrawsBitForBit)
{
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
        cudaGetLastError();
        GTEST_SKIP() << "no CUDA device: device/host random-stream equality not checked";
    }
    const int patients = 4096;
    const std::uint64_t seed = 20261121;
    std::uint32_t* device_curand = nullptr;
    std::uint32_t* device_ours = nullptr;
    ASSERT_EQ(cudaMalloc(&device_curand, patients * kDraws * sizeof(std::uint32_t)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&device_ours, patients * kDraws * sizeof(std::uint32_t)), cudaSuccess);
    draw_on_device<<<patients / 128, 128>>>(seed, device_curand, device_ours);
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
    std::vector<std::uint32_t> from_curand(patients * kDraws), from_ours(patients * kDraws);
    ASSERT_EQ(cudaMemcpy(from_curand.data(), device_curand, from_curand.size() * 4, cudaMemcpyDeviceToHost), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(from_ours.data(), device_ours, from_ours.size() * 4, cudaMemcpyDeviceToHost), cudaSuccess);
    cudaFree(device_curand);
    cudaFree(device_ours);
    for (std::uint32_t patient = 0; patient < static_cast<std::uint32_t>(patients); ++patient) {
        PhiloxStream host = open_stream(StreamKey{seed, 1, patient}, StreamPurpose::attack, 3);
        for (int i = 0; i < kDraws; ++i) {
            const std::uint32_t expected = host.next();
            ASSERT_EQ(from_curand[patient * kDraws + i], expected) << "patient " << patient << " draw " << i;
            ASSERT_EQ(from_ours[patient * kDraws + i], expected) << "patient " << patient << " draw " << i;
        }
    }
}

}  // namespace
}  // namespace scls
