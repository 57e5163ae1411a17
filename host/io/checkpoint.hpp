// Checkpoints: each share of a run records its finished work units durably
// so that a killed run, restarted with the same command, continues where it
// stopped and writes the same numbers as an uninterrupted run.
//
// A checkpoint is a directory beside the output (<output>.checkpoint/). Each
// share writes numbered segment files, rank-RRRR-of-NNNN.seg-KKKKKK.h5, each
// written under a temporary name, flushed to disk and renamed: a segment is
// either complete or absent. A segment holds the rows of the sets that
// changed since the previous one (earlier sets are final), the share's
// progress and the run's identity. Loading replays the segments in order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "host/engine/work_share.hpp"

namespace scls {

struct ParameterSets;
struct Scenario;

// What must be equal for a checkpoint to continue a run.
struct RunIdentity {
    std::string sclsim_version;      // version (git commit)
    std::string scenario_digest;     // 64-bit FNV-1a of the effective scenario, its life table and the parameter sets (hex)
    std::uint64_t seed = 0;
    std::uint64_t parameter_sets = 0;
    std::uint64_t patients_per_set = 0;
    std::uint64_t strategies = 0;
    std::uint64_t months_in_grid = 0;
    std::uint64_t same_patients_every_set = 0;
    std::uint64_t blocks_per_unit = kBlocksPerUnit;
    std::uint64_t ranks = 1;
};

RunIdentity run_identity(const Scenario& scenario, const ParameterSets& sets, const LaunchGeometry& run_geometry, int ranks,
                         const std::string& sclsim_version);

// The default checkpoint directory of an output file.
std::filesystem::path checkpoint_directory_for(const std::filesystem::path& output);

// What a checkpoint directory holds, checked against this run (rank 0 looks
// before anyone simulates). Throws InputError naming the first difference
// (another scenario, seed, version, geometry or rank count) and the remedy.
struct CheckpointSummary {
    bool exists = false;        // the directory holds segments
    std::uint64_t units_done = 0;
    std::uint64_t segments = 0;
};
CheckpointSummary inspect_checkpoint(const std::filesystem::path& directory, const RunIdentity& identity);

// Refuses a path where the checkpoint directory would go that holds
// something else (a file, or a directory with files sclsim did not write):
// sclsim deletes its checkpoint after a run and must never delete a user's
// files. Throws InputError naming the path and the remedy.
void check_checkpoint_path(const std::filesystem::path& directory);

// Deletes the checkpoint's segments (and temporaries of interrupted writes),
// then the directory if that left it empty — after a successful write, or
// for --restart. Nothing else in it is touched.
void remove_checkpoint(const std::filesystem::path& directory);

class ShareCheckpoint {
  public:
    ShareCheckpoint(std::filesystem::path directory, RunIdentity identity, int rank, const LaunchGeometry& run_geometry);

    // The share (units `range`) as last saved, or nothing when it has no
    // segments. Throws InputError when a segment belongs to another run or
    // cannot be read.
    std::optional<ShareResult> load(UnitRange range);

    // Writes one segment with what changed since the last save (or load).
    void save(const ShareResult& share);

  private:
    std::filesystem::path segment_path(std::uint64_t index) const;

    std::filesystem::path directory_;
    RunIdentity identity_;
    int rank_;
    LaunchGeometry run_geometry_;
    WorkUnits units_;
    std::uint64_t next_segment_ = 0;
    std::uint64_t saved_units_done_ = 0;  // progress in the latest segment
};

}  // namespace scls
