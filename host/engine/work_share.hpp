// Work units and shares of them: how a run is cut for checkpoints and for
// processes.
//
// The run's (parameter set x patient block) grid is cut into work units of
// kBlocksPerUnit consecutive blocks of one set (a set's last unit may be
// shorter), numbered set-major. A share is a contiguous range of units (one
// process's part of a run); its result is the integer tallies of the units
// it has done. Every tally is an integer (real values as exact fixed-point
// limbs), so shares merge by addition, in any order, to the same bits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/model/tally.hpp"

namespace scls {

inline constexpr std::uint32_t kBlocksPerUnit = 64;  // 16,384 patients: the unit of checkpoints and sharding

struct UnitRange {
    std::uint64_t first = 0;  // run-wide unit indices [first, end)
    std::uint64_t end = 0;
    std::uint64_t size() const { return end - first; }
    bool operator==(const UnitRange&) const = default;
};

// The unit grid of one run.
class WorkUnits {
  public:
    explicit WorkUnits(const LaunchGeometry& run_geometry);

    std::uint64_t count() const { return static_cast<std::uint64_t>(parameter_sets_) * units_per_set_; }
    std::uint32_t units_per_set() const { return units_per_set_; }
    std::uint32_t set_of(std::uint64_t unit) const { return static_cast<std::uint32_t>(unit / units_per_set_); }
    std::uint32_t index_in_set(std::uint64_t unit) const { return static_cast<std::uint32_t>(unit % units_per_set_); }
    // Run-wide block range of a unit.
    std::uint64_t first_block(std::uint64_t unit) const;
    std::uint64_t end_block(std::uint64_t unit) const;
    // Patients a unit simulates (per strategy).
    std::uint64_t patients(std::uint64_t unit) const;

    // Share `rank` of `ranks`: contiguous ranges in rank order that cover
    // every unit once, balanced by blocks (a set's short last unit counts for
    // what it is). Shares may be empty when there are more ranks than units.
    UnitRange share(int rank, int ranks) const;

  private:
    std::uint32_t parameter_sets_;
    std::uint32_t blocks_per_set_;
    std::uint32_t units_per_set_;
    std::uint32_t patients_per_set_;
};

// What one share has simulated so far (units [units.first, units.first +
// units_done)).
struct ShareResult {
    UnitRange units;
    std::uint64_t units_done = 0;
    std::uint32_t first_set = 0;  // the sets the share touches: [first_set, first_set + set_count)
    std::uint32_t set_count = 0;
    int counts_per_set = 0;
    std::vector<std::uint64_t> counts;  // [set_count][counts_per_set]

    double simulate_seconds = 0.0;  // this process's time in the backend (not in checkpoints)
    std::uint64_t units_loaded = 0;  // units that came from a checkpoint, not simulated by this process

    bool complete() const { return units_done == units.size(); }
    std::uint64_t next_unit() const { return units.first + units_done; }
};

// An empty result for a share: nothing simulated yet.
ShareResult empty_share(const WorkUnits& units, UnitRange range, const LaunchGeometry& run_geometry);

// A share as bytes and back (to send it between processes). unpack_share
// throws std::runtime_error on a truncated or malformed buffer.
std::vector<char> pack_share(const ShareResult& share);
ShareResult unpack_share(const std::vector<char>& bytes);

// The run's counts [set][counts_per_set] from complete shares in rank order
// that together cover every unit. Throws std::logic_error when they do not.
std::vector<std::uint64_t> merge_shares(const std::vector<ShareResult>& shares, const LaunchGeometry& run_geometry);

}  // namespace scls
