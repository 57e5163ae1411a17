// The common end of run, psa and sweep: every parameter set simulated in one
// pass (this process's share of it under mpirun), the cost-effectiveness
// results derived on rank 0, the file written and the tables printed.
#pragma once

#include <filesystem>
#include <string>

#include "host/calibration/targets.hpp"
#include "host/engine/engine.hpp"
#include "host/psa/parameter_sets.hpp"
#include "host/psa/psa.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

class Cluster;

struct ExecuteOptions {
    RunOptions run;
    bool quiet = false;
    std::string command_line;
    const TargetSet* targets = nullptr;  // run --targets
    bool checkpoint = true;              // record finished work units (--no-checkpoint: off)
    double checkpoint_every_seconds = 60.0;
    bool resume = false;                 // --resume: a checkpoint must exist
    bool restart = false;                // --restart: delete any checkpoint first
};

// Refuses a run whose per-set results would not fit in this machine's
// memory (each parameter set keeps its curves and counts until the file is
// written). Throws InputError with the size and a remedy.
void check_run_fits_in_memory(const Scenario& scenario, std::size_t parameter_sets);

// Runs the sets and writes output_path. Returns the exit status (0, 1 for a
// failure while simulating or writing, 2 for an input problem found late).
int execute(Cluster& cluster, const Scenario& scenario, const ParameterSets& sets, const PsaSpec* spec,
            const std::filesystem::path& output_path, ExecuteOptions options);

}  // namespace scls
