// The exact sums' digits in lanes: every register width adds, limb by limb,
// what value_digits gives each value one at a time, over values that reach
// every branch of the rounding (ties, the 2^52 boundary, the range's edge,
// zeros of both signs, non-finite values); and the grouped layout maps one
// to one onto the tally's.
#include "kernels/core/exact_sum_lanes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "tests/support/processor.hpp"

namespace scls {
namespace {

constexpr int kGroups = 3;
constexpr int kSlots = kGroups * kValuesPerLimbGroup;
constexpr double kMoney = 256.0;
constexpr double kYears = 16777216.0;

// Values whose rounding is hard to get right, as multiples of a quantum q:
// halves (ties, both parities), just beside them, around 2^52 quanta (where
// adding 2^52 stops rounding), around 2^62 (the range), and non-finite.
std::vector<double> edge_values(double scale)
{
    const double q = 1.0 / scale;
    std::vector<double> out = {0.0, -0.0, q, -q, 0.5 * q, -0.5 * q, 1.5 * q, -1.5 * q, 2.5 * q, -2.5 * q, 0.49 * q, 0.51 * q};
    for (const double quanta : {0x1p51, 0x1p52, 0x1p53, 0x1p60, 0x1p62}) {
        for (const double v : {std::nextafter(quanta, 0.0), quanta, std::nextafter(quanta, 2 * quanta), quanta - 0.5,
                               quanta + 0.5, quanta - 1.5}) {
            out.push_back(v * q);
            out.push_back(-v * q);
        }
    }
    out.push_back(std::numeric_limits<double>::infinity());
    out.push_back(-std::numeric_limits<double>::infinity());
    out.push_back(std::numeric_limits<double>::quiet_NaN());
    out.push_back(std::numeric_limits<double>::max());
    out.push_back(std::numeric_limits<double>::denorm_min());
    return out;
}

// Sets of kSlots values: the edge values of both quanta in turn, then
// random ones as runs produce them (costs, QALYs, increments, counts, zeros).
std::vector<std::vector<double>> value_sets(const double* scales)
{
    std::vector<double> pool = edge_values(kMoney);
    const std::vector<double> years = edge_values(kYears);
    pool.insert(pool.end(), years.begin(), years.end());
    std::vector<std::vector<double>> sets;
    // Sets start 11 values apart: with slot scales repeating every 3, each
    // edge value meets both quanta (a money edge at a money slot too).
    for (std::size_t first = 0; first < pool.size(); first += 11) {
        std::vector<double> set(kSlots, 0.0);
        for (int v = 0; v < kSlots; ++v) {
            set[v] = pool[(first + v) % pool.size()];
        }
        sets.push_back(set);
    }
    std::mt19937_64 engine(14);
    std::lognormal_distribution<double> cost(11.0, 3.0);
    std::normal_distribution<double> increment(0.0, 5.0);
    for (int i = 0; i < 3000; ++i) {
        std::vector<double> set(kSlots, 0.0);
        for (int v = 0; v < kSlots; ++v) {
            switch (engine() % 5) {
                case 0: set[v] = cost(engine); break;
                case 1: set[v] = increment(engine); break;
                case 2: set[v] = std::round(increment(engine) * scales[v]) / scales[v] + 0.5 / scales[v]; break;  // a tie
                case 3: set[v] = static_cast<double>(engine() % 300); break;
                default: break;  // zero
            }
        }
        sets.push_back(set);
    }
    return sets;
}

struct Scales {
    double of[kSlots];
    Scales()
    {
        for (int v = 0; v < kSlots; ++v) {
            of[v] = v % 3 == 0 ? kMoney : kYears;
        }
    }
};

// The reference: value_digits for each value, added at the tally's place of
// the value's limb (value by value), and the out-of-range count.
std::uint32_t reference_limbs(const std::vector<double>& values, const double* scales, std::vector<std::uint64_t>& by_value)
{
    std::uint32_t out_of_range = 0;
    for (int v = 0; v < kSlots; ++v) {
        std::uint32_t digits[kLimbsPerValue];
        out_of_range += value_digits(values[v], scales[v], digits) ? 0u : 1u;
        for (int l = 0; l < kLimbsPerValue; ++l) {
            by_value[v * kLimbsPerValue + l] += digits[l];
        }
    }
    return out_of_range;
}

using AddGrouped = std::uint32_t (*)(const double*, const double*, std::uint64_t*);

void expect_the_reference(AddGrouped add, const char* name)
{
    const Scales scales;
    std::vector<std::uint64_t> by_value(kSlots * kLimbsPerValue, 0);
    std::vector<std::uint64_t> grouped(kGroups * kLimbsPerGroup, 0);
    std::uint64_t lifetimes_out_of_range = 0;
    for (const std::vector<double>& values : value_sets(scales.of)) {
        const std::uint32_t expected = reference_limbs(values, scales.of, by_value);
        const std::uint32_t got = add(values.data(), scales.of, grouped.data());
        ASSERT_EQ(got, expected) << name;
        lifetimes_out_of_range += got > 0 ? 1 : 0;
        for (int v = 0; v < kSlots; ++v) {
            for (int l = 0; l < kLimbsPerValue; ++l) {
                ASSERT_EQ(grouped[grouped_limb(v, l)], by_value[v * kLimbsPerValue + l]) << name << ": value " << v << " limb " << l;
            }
        }
    }
    EXPECT_GT(lifetimes_out_of_range, 0u);  // the edge values reached the refusal
}

TEST(ExactSumLanes, GroupedLimbsAreEachValuesOwnOnce)
{
    std::set<int> places;
    for (int v = 0; v < kSlots; ++v) {
        for (int l = 0; l < kLimbsPerValue; ++l) {
            const int place = grouped_limb(v, l);
            EXPECT_GE(place, 0);
            EXPECT_LT(place, kGroups * kLimbsPerGroup);
            places.insert(place);
        }
    }
    EXPECT_EQ(places.size(), static_cast<std::size_t>(kSlots * kLimbsPerValue));
    // One limb of a group's values is contiguous: one vector.
    EXPECT_EQ(grouped_limb(kValuesPerLimbGroup + 3, 2) - grouped_limb(kValuesPerLimbGroup, 2), 3);
}

TEST(ExactSumLanes, OneByOneIsValueDigits)
{
    expect_the_reference(add_grouped_limbs_one_by_one<kGroups>, "one by one");
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS
TEST(ExactSumLanes, EveryRegisterWidthIsValueDigits)
{
    using test::processor_has;
    const struct {
        AttackBlockRegisters needs;
        AddGrouped add;
    } paths[] = {{AttackBlockRegisters::sse2, detail::add_grouped_limbs_sse2<kGroups>},
                 {AttackBlockRegisters::avx2, detail::add_grouped_limbs_avx2<kGroups>},
                 {AttackBlockRegisters::avx512, detail::add_grouped_limbs_avx512<kGroups>}};
    for (const auto& path : paths) {
        if (!processor_has(path.needs)) {
            std::printf("exact_sum_lanes_test: %s not on this processor, its path not run\n", name_of(path.needs));
            continue;
        }
        expect_the_reference(path.add, name_of(path.needs));
    }
}
#endif

}  // namespace
}  // namespace scls
