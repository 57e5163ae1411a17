// The run's double sums from the moment limbs in its counts, and the refusal
// of a run in which a value did not fit them.
#include "host/engine/exact_moments.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace scls {
namespace {

LaunchGeometry two_strategies()
{
    LaunchGeometry g{};
    g.parameter_sets = 2;
    g.patients_per_set = 3;
    g.blocks_per_set = 1;
    g.strategies = 2;
    g.layout = CountLayout{12};
    return g;
}

// Adds one lifetime with every value equal to `value` to (set, strategy).
void add_lifetime(std::vector<std::uint64_t>& counts, const LaunchGeometry& g, int set, int strategy, double value)
{
    std::uint64_t* tally = counts.data() + static_cast<std::size_t>(set) * g.counts_per_set() + strategy * g.layout.per_strategy();
    double values[kValuesPerStrategy];
    std::fill(values, values + kValuesPerStrategy, value);
    auto add = [&](int index, std::uint32_t digit) { tally[index] += digit; };
    const std::uint32_t bad = add_value_limbs(values, kValuesPerStrategy, add);
    tally[static_cast<int>(Counter::patients)] += 1;
    tally[static_cast<int>(Counter::values_out_of_range)] += bad > 0 ? 1 : 0;
}

TEST(ExactMoments, SumsAndSquaresPerSetStrategyAndValue)
{
    const LaunchGeometry g = two_strategies();
    std::vector<std::uint64_t> counts(static_cast<std::size_t>(g.parameter_sets) * g.counts_per_set(), 0);
    add_lifetime(counts, g, 1, 0, 2.5);
    add_lifetime(counts, g, 1, 0, -0.5);
    add_lifetime(counts, g, 1, 1, 4.0);
    const std::vector<double> m = moments_from_counts(g, counts);
    ASSERT_EQ(m.size(), static_cast<std::size_t>(2 * g.moments_per_set()));
    const double* set1 = m.data() + g.moments_per_set();
    for (int v = 0; v < kValuesPerStrategy; ++v) {
        EXPECT_EQ(set1[2 * v], 2.0) << v;
        EXPECT_EQ(set1[2 * v + 1], 6.5) << v;
        EXPECT_EQ(set1[kMomentsPerStrategy + 2 * v], 4.0) << v;
        EXPECT_EQ(set1[kMomentsPerStrategy + 2 * v + 1], 16.0) << v;
        EXPECT_EQ(m[2 * v], 0.0) << "set 0 is empty";
    }
}

TEST(ExactMoments, AValueOutOfRangeRefusesTheRunNamingSetAndStrategy)
{
    const LaunchGeometry g = two_strategies();
    std::vector<std::uint64_t> counts(static_cast<std::size_t>(g.parameter_sets) * g.counts_per_set(), 0);
    add_lifetime(counts, g, 0, 0, 1.0);
    add_lifetime(counts, g, 1, 1, 1e12);  // fine as money, too large for a QALY
    try {
        moments_from_counts(g, counts);
        FAIL() << "no error";
    } catch (const ValuesOutOfRange& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("parameter set 1, strategy 1: 1 lifetime had"), std::string::npos) << message;
        EXPECT_NE(message.find("— check the parameter values"), std::string::npos) << message;
    }
}

}  // namespace
}  // namespace scls
