// Runs a scenario on a backend: picks the backend and walks a share of the
// run's work units in batches. Every tally is an integer, so results depend
// neither on threads, schedules, batch sizes, the number of processes, nor
// interruptions.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "host/engine/work_share.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/model/params.hpp"
#include "kernels/model/tally.hpp"

namespace scls {

class SimulationBackend;

enum class BackendChoice { automatic, cpu, gpu };

struct RunOptions {
    BackendChoice backend = BackendChoice::automatic;
    int threads = 0;                  // CPU threads; 0 = all cores
    std::uint64_t batch_blocks = 0;   // blocks per batch; 0 = the backend's choice
    std::function<void(std::uint64_t done_blocks, std::uint64_t total_blocks)> progress;
    std::function<void(const std::string&)> notice;  // one-line notices (e.g. GPU fallback)
    int gpu_device = 0;               // which CUDA device the GPU backend uses (an MPI rank's node-local GPU)

    // Checkpointing: when set, called with the share's state (whole units
    // only, counts included) once checkpoint_interval_seconds have passed
    // since the last call, and at the end of a share that called it before or
    // ran longer than the interval.
    std::function<void(const ShareResult&)> checkpoint;
    double checkpoint_interval_seconds = 60.0;
};

struct RunResult {
    std::string backend;              // "cpu" or "gpu"
    std::string backend_description;
    LaunchGeometry geometry{};
    std::vector<double> moments;        // [set][strategy][kMomentsPerStrategy]: sum, sum of squares per Value (from the counts' limbs)
    std::vector<std::uint64_t> counts;  // [set][strategy][CountLayout::per_strategy()]
    double simulate_seconds = 0.0;      // inside the backend (the slowest process's)
    double wall_seconds = 0.0;
    std::uint64_t resumed_lifetimes = 0;  // patient-strategy lifetimes read from a checkpoint, not simulated now

    std::uint64_t patient_strategy_lifetimes() const
    {
        return static_cast<std::uint64_t>(geometry.parameter_sets) * geometry.patients_per_set * geometry.strategies;
    }
    // Lifetimes per second of backend time, over what this run simulated.
    double lifetimes_per_second() const
    {
        return simulate_seconds > 0 ? static_cast<double>(patient_strategy_lifetimes() - resumed_lifetimes) / simulate_seconds : 0.0;
    }
};

// same_patients_every_set: every parameter set simulates the same patients
// (sweeps, and PSA with patients = "same"); otherwise each set has its own.
LaunchGeometry make_geometry(const Scenario& scenario, std::uint32_t parameter_sets, bool same_patients_every_set = false);

// The whole run in this process: every parameter set, one share.
RunResult run_simulation(const Scenario& scenario, const std::vector<ModelParams>& parameter_sets, const RunOptions& options,
                         bool same_patients_every_set = false);

// A share's own launch geometry: its sets only, numbered from 0, with the
// run-wide index of the first kept for the random streams.
LaunchGeometry share_geometry(const LaunchGeometry& run_geometry, const ShareResult& share);

// The backend for one share (share_params: the parameters of the share's
// sets, in order). Throws when the requested backend is not usable.
std::unique_ptr<SimulationBackend> make_backend(const std::vector<ModelParams>& share_params, const LaunchGeometry& share_geometry,
                                                const RunOptions& options);

// Simulates the share's remaining units (a resumed share continues after its
// units_done) and returns it complete; counts already in the share are kept.
ShareResult simulate_share(SimulationBackend& backend, const LaunchGeometry& run_geometry, ShareResult share,
                           const RunOptions& options);

// The run's result from its complete shares in rank order.
RunResult assemble_run(const LaunchGeometry& run_geometry, const std::vector<ShareResult>& shares);

}  // namespace scls
