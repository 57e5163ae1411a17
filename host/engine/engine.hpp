// Runs a scenario on a backend: picks the backend, cuts the (parameter set x
// patient block) grid into batches, and adds block partials in block order so
// that results do not depend on threads or batch sizes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/scenario/scenario.hpp"
#include "kernels/model/params.hpp"
#include "kernels/model/tally.hpp"

namespace scls {

enum class BackendChoice { automatic, cpu, gpu };

struct RunOptions {
    BackendChoice backend = BackendChoice::automatic;
    int threads = 0;                  // CPU threads; 0 = all cores
    std::uint64_t batch_blocks = 0;   // blocks per batch; 0 = the backend's choice
    std::function<void(std::uint64_t done_blocks, std::uint64_t total_blocks)> progress;
    std::function<void(const std::string&)> notice;  // one-line notices (e.g. GPU fallback)
};

struct RunResult {
    std::string backend;              // "cpu" or "gpu"
    std::string backend_description;
    LaunchGeometry geometry{};
    std::vector<double> moments;        // [set][strategy][kMomentsPerStrategy]: sum, sum of squares per Value
    std::vector<std::uint64_t> counts;  // [set][strategy][CountLayout::per_strategy()]
    double simulate_seconds = 0.0;      // inside the backend
    double wall_seconds = 0.0;

    std::uint64_t patient_strategy_lifetimes() const
    {
        return static_cast<std::uint64_t>(geometry.parameter_sets) * geometry.patients_per_set * geometry.strategies;
    }
};

// same_patients_every_set: every parameter set simulates the same patients
// (sweeps, and PSA with patients = "same"); otherwise each set has its own.
LaunchGeometry make_geometry(const Scenario& scenario, std::uint32_t parameter_sets, bool same_patients_every_set = false);

RunResult run_simulation(const Scenario& scenario, const std::vector<ModelParams>& parameter_sets, const RunOptions& options,
                         bool same_patients_every_set = false);

}  // namespace scls
