// Device memory owned by RAII, for the CUDA launch site only. An allocation
// that fails says how much was asked for and what to do; the destructor never
// throws (a free that fails after a device fault must not become
// std::terminate while an exception is already on its way out).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace scls {

template <class T>
class DeviceBuffer {
  public:
    DeviceBuffer() = default;
    ~DeviceBuffer() { release(); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;

    // Holds at least count elements afterwards (contents are not kept).
    // Returns false, with nothing held, when the device has no room.
    bool try_reserve(std::size_t count)
    {
        if (count <= capacity_) {
            return true;
        }
        release();
        void* memory = nullptr;
        const cudaError_t status = cudaMalloc(&memory, count * sizeof(T));
        if (status != cudaSuccess) {
            cudaGetLastError();  // an allocation failure is not sticky; clear it for the next call
            if (status == cudaErrorMemoryAllocation) {
                return false;
            }
            throw std::runtime_error(std::string("CUDA error in cudaMalloc: ") + cudaGetErrorName(status) + " (" +
                                     cudaGetErrorString(status) + ")");
        }
        data_ = static_cast<T*>(memory);
        capacity_ = count;
        return true;
    }

    // As try_reserve, but a device without room is an error that says what
    // did not fit and the remedy.
    void reserve(std::size_t count, const char* what)
    {
        if (!try_reserve(count)) {
            throw std::runtime_error("the GPU has too little free memory for " + std::string(what) + " (" +
                                     std::to_string(count * sizeof(T) >> 20) +
                                     " MiB) — use fewer parameter sets or strategies per run, or --backend cpu");
        }
    }

    T* data() const { return data_; }
    std::size_t capacity() const { return capacity_; }

  private:
    void release() noexcept
    {
        if (data_ != nullptr) {
            cudaFree(data_);  // an error here (after a device fault) has been reported already
        }
        data_ = nullptr;
        capacity_ = 0;
    }

    T* data_ = nullptr;
    std::size_t capacity_ = 0;
};

}  // namespace scls
