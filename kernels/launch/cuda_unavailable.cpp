// Stand-ins for the GPU entry points in a build without CUDA: the binary
// reports that the backend is not compiled in instead of failing to link.
#include <stdexcept>

#include "kernels/launch/backend.hpp"

namespace scls {

CudaDeviceInfo query_cuda_devices()
{
    CudaDeviceInfo info;
    info.error = "this sclsim was built without CUDA (nvcc was not found at configure time)";
    return info;
}

std::unique_ptr<SimulationBackend> make_cuda_backend(const std::vector<ModelParams>&, const LaunchGeometry&, int)
{
    throw std::runtime_error(
        "the GPU backend is not available (this sclsim was built without CUDA) — rebuild with the CUDA toolkit "
        "installed, or use --backend cpu");
}

}  // namespace scls
