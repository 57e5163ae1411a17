// The results file (DESIGN.md section 3): self-describing HDF5, written to a
// temporary name and renamed into place only when complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "host/engine/engine.hpp"
#include "host/engine/summary.hpp"
#include "host/io/files.hpp"  // check_output_writable, for the commands that write results files
#include "host/scenario/scenario.hpp"

namespace scls {

// The layout of results files (root attribute format_version); raised when a
// dataset moves or changes meaning, so readers can tell which layout they hold.
inline constexpr std::int64_t kOutputFormatVersion = 2;

struct RunMetadata {
    std::string version;
    std::string git_commit;
    std::string command_line;
    std::string created_utc;
    double peak_resident_mib = 0.0;     // of the process that wrote the file
    int processes = 1;                  // MPI ranks that simulated
    std::vector<std::string> hosts;     // where they ran (distinct host names)
    bool resumed = false;               // continued from a checkpoint
};

class Hdf5Writer;

// Writes the results file; extra, when given, adds groups of its own (e.g.
// /validation) before the file is renamed into place.
void write_results_file(const std::filesystem::path& path, const Scenario& scenario, const RunResult& result,
                        const std::vector<std::vector<StrategySummary>>& summaries, const RunMetadata& metadata,
                        const std::function<void(Hdf5Writer&)>& extra = {});

}  // namespace scls
