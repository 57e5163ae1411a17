// Throwing wrapper for CUDA runtime calls: every call and every launch is
// checked, and the error names the call and where it was made.
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace scls {

inline void cuda_check(cudaError_t status, const char* what, const char* file, int line)
{
    if (status != cudaSuccess) {
        throw std::runtime_error(std::string("CUDA error in ") + what + " at " + file + ":" + std::to_string(line) +
                                 ": " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")");
    }
}

}  // namespace scls

#define SCLS_CUDA_CALL(call) ::scls::cuda_check((call), #call, __FILE__, __LINE__)
// After a kernel launch: launch-configuration errors now, execution errors at
// the next synchronising call (also checked).
#define SCLS_CUDA_CHECK_LAUNCH(kernel_name) ::scls::cuda_check(cudaGetLastError(), kernel_name, __FILE__, __LINE__)
