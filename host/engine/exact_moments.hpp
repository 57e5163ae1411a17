// The run's real-valued sums from the moment limbs in its counts
// (kernels/core/exact_sum.hpp), and the check that every value fitted them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "kernels/model/tally.hpp"

namespace scls {

// A run in which some lifetime had a value the exact sums cannot hold.
class ValuesOutOfRange : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// [set][strategy][kMomentsPerStrategy]: sum, then sum of squares, per Value.
// Throws ValuesOutOfRange (naming the set and strategy) when a lifetime had
// a value the exact sums cannot hold.
std::vector<double> moments_from_counts(const LaunchGeometry& geometry, const std::vector<std::uint64_t>& counts);

}  // namespace scls
