// Batch loop over the simulation grid (see engine.hpp).
#include "host/engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <stdexcept>

#include "kernels/launch/backend.hpp"

namespace scls {

LaunchGeometry make_geometry(const Scenario& scenario, std::uint32_t parameter_sets, bool same_patients_every_set)
{
    LaunchGeometry g{};
    g.seed = scenario.seed;
    g.parameter_sets = parameter_sets;
    g.patients_per_set = static_cast<std::uint32_t>(scenario.patients);
    g.blocks_per_set = static_cast<std::uint32_t>((scenario.patients + kPatientsPerBlock - 1) / kPatientsPerBlock);
    g.strategies = scenario.params.strategies;
    g.layout = CountLayout{scenario.params.months_in_grid};
    g.same_patients_every_set = same_patients_every_set;
    return g;
}

namespace {

std::unique_ptr<SimulationBackend> choose_backend(const std::vector<ModelParams>& sets, const LaunchGeometry& geometry,
                                                  const RunOptions& options)
{
    if (options.backend == BackendChoice::cpu) {
        return make_cpu_backend(sets, geometry, options.threads);
    }
    const CudaDeviceInfo cuda = query_cuda_devices();
    const bool usable = cuda.compiled && cuda.device_count > 0;
    if (options.backend == BackendChoice::gpu) {
        if (!usable) {
            throw std::runtime_error(fmt::format("--backend gpu: no usable GPU ({}) — use --backend cpu or auto", cuda.error));
        }
        return make_cuda_backend(sets, geometry);
    }
    if (usable) {
        return make_cuda_backend(sets, geometry);
    }
    if (cuda.compiled && options.notice) {
        options.notice(fmt::format("no usable GPU ({}); running on the CPU", cuda.error));
    }
    return make_cpu_backend(sets, geometry, options.threads);
}

}  // namespace

RunResult run_simulation(const Scenario& scenario, const std::vector<ModelParams>& parameter_sets, const RunOptions& options,
                         bool same_patients_every_set)
{
    const auto wall_start = std::chrono::steady_clock::now();
    RunResult result;
    result.geometry = make_geometry(scenario, static_cast<std::uint32_t>(parameter_sets.size()), same_patients_every_set);
    const LaunchGeometry& g = result.geometry;
    std::unique_ptr<SimulationBackend> backend = choose_backend(parameter_sets, g, options);
    result.backend = backend->name();
    result.backend_description = backend->description();

    const std::uint64_t total_blocks = g.total_blocks();
    const std::uint64_t batch_blocks =
        std::max<std::uint64_t>(1, options.batch_blocks > 0 ? options.batch_blocks : backend->preferred_batch_blocks());
    const int moments_per_block = g.moments_per_block();
    result.moments.assign(static_cast<std::size_t>(g.parameter_sets) * moments_per_block, 0.0);
    std::vector<double> block_moments(std::min(batch_blocks, total_blocks) * moments_per_block);

    double simulate_seconds = 0.0;
    for (std::uint64_t first = 0; first < total_blocks; first += batch_blocks) {
        const std::uint64_t count = std::min(batch_blocks, total_blocks - first);
        const auto start = std::chrono::steady_clock::now();
        backend->simulate(first, count, block_moments.data());
        simulate_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        // Block order, one block at a time: the same additions in the same
        // order whatever the batch size.
        for (std::uint64_t b = 0; b < count; ++b) {
            const std::uint64_t set = (first + b) / g.blocks_per_set;
            double* total = result.moments.data() + set * moments_per_block;
            const double* partial = block_moments.data() + b * moments_per_block;
            for (int m = 0; m < moments_per_block; ++m) {
                total[m] += partial[m];
            }
        }
        if (options.progress) {
            options.progress(first + count, total_blocks);
        }
    }
    result.counts = backend->counts();
    result.simulate_seconds = simulate_seconds;
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return result;
}

}  // namespace scls
