// Batch loop over the simulation grid (see engine.hpp).
#include "host/engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <stdexcept>

#include "host/engine/exact_moments.hpp"
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
    g.layout = CountLayout{scenario.params.months_in_grid, scenario.params.diagnosis_curves, scenario.params.observed_rate_min_years};
    g.same_patients_every_set = same_patients_every_set;
    g.first_set = 0;
    return g;
}

LaunchGeometry share_geometry(const LaunchGeometry& run_geometry, const ShareResult& share)
{
    LaunchGeometry g = run_geometry;
    g.first_set = run_geometry.first_set + share.first_set;
    g.parameter_sets = share.set_count;
    return g;
}

std::unique_ptr<SimulationBackend> make_backend(const std::vector<ModelParams>& share_params, const LaunchGeometry& share_geometry,
                                                const RunOptions& options)
{
    if (options.backend == BackendChoice::cpu) {
        return make_cpu_backend(share_params, share_geometry, options.threads);
    }
    const CudaDeviceInfo cuda = query_cuda_devices();
    const bool usable = cuda.compiled && cuda.device_count > 0;
    if (options.backend == BackendChoice::gpu && !usable) {
        throw std::runtime_error(fmt::format("--backend gpu: no usable GPU ({}) — use --backend cpu or auto", cuda.error));
    }
    if (usable) {
        return make_cuda_backend(share_params, share_geometry, options.gpu_device % cuda.device_count);
    }
    if (cuda.compiled && options.notice) {
        options.notice(fmt::format("no usable GPU ({}); running on the CPU", cuda.error));
    }
    return make_cpu_backend(share_params, share_geometry, options.threads);
}

ShareResult simulate_share(SimulationBackend& backend, const LaunchGeometry& run_geometry, ShareResult share, const RunOptions& options)
{
    using Clock = std::chrono::steady_clock;
    const WorkUnits units(run_geometry);
    // Blocks are addressed in the backend's grid, which starts at the share's first set.
    const std::uint64_t block_offset = static_cast<std::uint64_t>(share.first_set) * run_geometry.blocks_per_set;
    const std::uint64_t share_first_block = share.units.size() ? units.first_block(share.units.first) : 0;
    const std::uint64_t share_end_block = share.units.size() ? units.end_block(share.units.end - 1) : 0;
    const std::uint64_t batch_blocks =
        std::max<std::uint64_t>(1, options.batch_blocks > 0 ? options.batch_blocks : backend.preferred_batch_blocks());

    const std::vector<std::uint64_t> resumed_counts = share.counts;
    auto with_backend_counts = [&](ShareResult& target) {
        const std::vector<std::uint64_t> simulated = backend.counts();
        for (std::size_t i = 0; i < target.counts.size(); ++i) {
            target.counts[i] = resumed_counts[i] + simulated[i];
        }
    };

    const auto started = Clock::now();
    auto last_checkpoint = started;
    bool checkpointed = false;
    auto save_checkpoint = [&] {
        ShareResult snapshot = share;
        with_backend_counts(snapshot);
        options.checkpoint(snapshot);
        last_checkpoint = Clock::now();
        checkpointed = true;
    };

    std::uint64_t block = share.complete() ? share_end_block : units.first_block(share.next_unit());
    while (block < share_end_block) {
        // A batch never ends inside a unit unless it lies within one (batches
        // smaller than a unit): checkpoints then see whole units only.
        std::uint64_t batch_end = std::min(block + batch_blocks, share_end_block);
        std::uint64_t unit = share.next_unit();
        if (batch_end > units.end_block(unit)) {
            while (unit + 1 < share.units.end && units.end_block(unit + 1) <= batch_end) {
                ++unit;
            }
            batch_end = units.end_block(unit);
        }
        const auto batch_start = Clock::now();
        backend.simulate(block - block_offset, batch_end - block);
        share.simulate_seconds += std::chrono::duration<double>(Clock::now() - batch_start).count();
        while (!share.complete() && units.end_block(share.next_unit()) <= batch_end) {
            ++share.units_done;
        }
        block = batch_end;
        const bool between_units = block < share_end_block && block == units.first_block(share.next_unit());
        if (options.checkpoint && between_units &&
            std::chrono::duration<double>(Clock::now() - last_checkpoint).count() >= options.checkpoint_interval_seconds) {
            save_checkpoint();
        }
        if (options.progress) {
            options.progress(block - share_first_block, share_end_block - share_first_block);
        }
    }
    if (options.checkpoint && share.units.size() > 0 &&
        (checkpointed || std::chrono::duration<double>(Clock::now() - started).count() >= options.checkpoint_interval_seconds)) {
        save_checkpoint();
    }
    with_backend_counts(share);
    return share;
}

RunResult assemble_run(const LaunchGeometry& run_geometry, const std::vector<ShareResult>& shares)
{
    RunResult result;
    result.geometry = run_geometry;
    result.counts = merge_shares(shares, run_geometry);
    result.moments = moments_from_counts(run_geometry, result.counts);
    const WorkUnits units(run_geometry);
    for (const ShareResult& share : shares) {
        result.simulate_seconds = std::max(result.simulate_seconds, share.simulate_seconds);  // the slowest share
        for (std::uint64_t u = share.units.first; u < share.units.first + share.units_loaded; ++u) {
            result.resumed_lifetimes += units.patients(u) * static_cast<std::uint64_t>(run_geometry.strategies);
        }
    }
    return result;
}

RunResult run_simulation(const Scenario& scenario, const std::vector<ModelParams>& parameter_sets, const RunOptions& options,
                         bool same_patients_every_set)
{
    const auto wall_start = std::chrono::steady_clock::now();
    const LaunchGeometry geometry = make_geometry(scenario, static_cast<std::uint32_t>(parameter_sets.size()), same_patients_every_set);
    const WorkUnits units(geometry);
    ShareResult share = empty_share(units, units.share(0, 1), geometry);
    std::unique_ptr<SimulationBackend> backend = make_backend(parameter_sets, share_geometry(geometry, share), options);
    share = simulate_share(*backend, geometry, std::move(share), options);
    RunResult result = assemble_run(geometry, {share});
    result.backend = backend->name();
    result.backend_description = backend->description();
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return result;
}

}  // namespace scls
