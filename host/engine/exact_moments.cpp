// Moment limbs to double sums (see exact_moments.hpp).
#include "host/engine/exact_moments.hpp"

#include <fmt/format.h>
#include <stdexcept>

namespace scls {

std::vector<double> moments_from_counts(const LaunchGeometry& geometry, const std::vector<std::uint64_t>& counts)
{
    const int per_strategy = geometry.layout.per_strategy();
    std::vector<double> moments(static_cast<std::size_t>(geometry.parameter_sets) * geometry.moments_per_set());
    for (std::uint32_t set = 0; set < geometry.parameter_sets; ++set) {
        for (int s = 0; s < geometry.strategies; ++s) {
            const std::uint64_t* tally = counts.data() + static_cast<std::size_t>(set) * geometry.counts_per_set() + s * per_strategy;
            if (const std::uint64_t bad = tally[static_cast<int>(Counter::values_out_of_range)]; bad != 0) {
                throw ValuesOutOfRange(fmt::format(
                    "parameter set {}, strategy {}: {} lifetime{} had a cost beyond 1.8e16, or a QALY, time or attack count "
                    "beyond 2.7e11, or a value that is not a finite number (the exact sums hold no more): some parameter is "
                    "too extreme for the model — check the parameter values (a PSA's are in /parameter_sets) and the "
                    "scenario's cost units",
                    set, s, bad, bad == 1 ? "" : "s"));
            }
            double* m = moments.data() + static_cast<std::size_t>(set) * geometry.moments_per_set() + s * kMomentsPerStrategy;
            for (int v = 0; v < kValuesPerStrategy; ++v) {
                const std::uint64_t* limbs = tally + kMomentLimbsFirst + v * kLimbsPerValue;
                m[2 * v] = exact_sum_of(limbs, value_scale(v));
                m[2 * v + 1] = exact_sum_of_squares(limbs, value_scale(v));
            }
        }
    }
    return moments;
}

}  // namespace scls
