// The exact fixed-point sums: digits that rebuild the rounded value, sums
// that do not depend on the order of the additions, the error bound, the
// range and its refusal, and no overflow at the largest run.
#include "kernels/core/exact_sum.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace scls {
namespace {

// The quantum of QALYs and years (2^-24) and the range it gives.
constexpr double kScale = 16777216.0;
constexpr double kLargest = kLargestQuanta / kScale;

struct Limbs {
    std::uint64_t limb[kLimbsPerValue] = {};
    std::uint64_t values = 0;
    std::uint32_t out_of_range = 0;
    void add(double value)
    {
        std::uint32_t digits[kLimbsPerValue];
        out_of_range += value_digits(value, kScale, digits) ? 0u : 1u;
        for (int i = 0; i < kLimbsPerValue; ++i) {
            limb[i] += digits[i];
        }
        ++values;
    }
    double sum() const { return exact_sum_of(limb, kScale); }
    double sum_of_squares() const { return exact_sum_of_squares(limb, kScale); }
    bool operator==(const Limbs& other) const { return std::equal(limb, limb + kLimbsPerValue, other.limb) && values == other.values; }
};

constexpr double kInfinityValue = __builtin_huge_val();

double rounded(double value) { return std::nearbyint(value * kScale) / kScale; }

// Values as a run produces them: costs in the millions, QALYs, exact zeros,
// negative increments, integers.
std::vector<double> mixed_values(std::size_t n, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> cost(11.0, 2.0);
    std::normal_distribution<double> increment(0.0, 3.0);
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i) {
        switch (i % 4) {
            case 0: values[i] = cost(rng); break;
            case 1: values[i] = increment(rng); break;
            case 2: values[i] = 0.0; break;
            default: values[i] = static_cast<double>(rng() % 300); break;
        }
    }
    return values;
}

TEST(ExactSum, OneValueIsItsRoundingToTheQuantumWithinHalfAQuantum)
{
    for (double v : {0.0, 1.0, -1.0, 0.1, -0.1, 1.0 / 3.0, 12345.678901234, -9.87654321e9, 2.5e11, -2.5e11, 5.9604644775390625e-8}) {
        Limbs one;
        one.add(v);
        EXPECT_EQ(one.out_of_range, 0u) << v;
        EXPECT_EQ(one.sum(), rounded(v)) << v;
        EXPECT_LE(std::fabs(one.sum() - v), 0.5 / kScale) << v;
        EXPECT_DOUBLE_EQ(one.sum_of_squares(), rounded(v) * rounded(v)) << v;
    }
}

// The inline rounding is llrint's: halfway cases to even, either sign, up to
// the edge of the range, and random values of every magnitude.
TEST(ExactSum, RoundingIsLlrints)
{
    for (double v : {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 4503599627370495.5, -4503599627370495.5, 0.49999999999999994,
                     4611686018427387392.0, -4611686018427387392.0, 1e-300, -0.0}) {
        EXPECT_EQ(round_to_int64(v), llrint(v)) << v;
    }
    std::mt19937_64 rng(20261123);
    std::uniform_real_distribution<double> exponent(-10.0, 61.9);
    for (int i = 0; i < 100000; ++i) {
        const double v = (rng() & 1 ? -1.0 : 1.0) * std::exp2(exponent(rng));
        ASSERT_EQ(round_to_int64(v), llrint(v)) << v;
    }
}

TEST(ExactSum, MoneyHasItsOwnQuantumAndRange)
{
    constexpr double money = 256.0;  // value_scale of the costs
    std::uint32_t digits[kLimbsPerValue];
    std::uint64_t limbs[kLimbsPerValue];
    for (double v : {1234567.891, -0.001, 1e16, -1e16}) {
        ASSERT_TRUE(value_digits(v, money, digits)) << v;
        std::copy(digits, digits + kLimbsPerValue, limbs);
        EXPECT_EQ(exact_sum_of(limbs, money), std::nearbyint(v * money) / money) << v;
        EXPECT_LE(std::fabs(exact_sum_of(limbs, money) - v), 0.5 / money) << v;
    }
    EXPECT_FALSE(value_digits(2e16, money, digits));
    EXPECT_FALSE(value_digits(1e12, kScale, digits));  // beyond the range of QALYs and years
}

TEST(ExactSum, AZeroHasNoDigitsSoABackendMaySkipZeros)
{
    std::uint32_t digits[kLimbsPerValue];
    for (double zero : {0.0, -0.0, 1e-9, -1e-9}) {  // the last two round to 0
        ASSERT_TRUE(value_digits(zero, kScale, digits));
        for (int i = 0; i < kLimbsPerValue; ++i) {
            EXPECT_EQ(digits[i], 0u) << zero << " limb " << i;
        }
    }
}

TEST(ExactSum, AnyOrderGivesTheSameLimbs)
{
    std::vector<double> values = mixed_values(20000, 1);
    Limbs forward;
    for (double v : values) {
        forward.add(v);
    }
    std::mt19937_64 rng(2);
    for (int trial = 0; trial < 3; ++trial) {
        std::shuffle(values.begin(), values.end(), rng);
        Limbs shuffled;
        for (double v : values) {
            shuffled.add(v);
        }
        EXPECT_TRUE(shuffled == forward) << "trial " << trial;
        EXPECT_EQ(shuffled.sum(), forward.sum());
        EXPECT_EQ(shuffled.sum_of_squares(), forward.sum_of_squares());
    }
    // Two halves added separately and then together: the limbs add.
    Limbs first, second;
    for (std::size_t i = 0; i < values.size(); ++i) {
        (i < 7000 ? first : second).add(values[i]);
    }
    Limbs merged = first;
    for (int i = 0; i < kLimbsPerValue; ++i) {
        merged.limb[i] += second.limb[i];
    }
    merged.values += second.values;
    EXPECT_TRUE(merged == forward);
}

TEST(ExactSum, SumsAreTheExactSumsOfTheRoundedValues)
{
    const std::vector<double> values = mixed_values(40000, 3);
    Limbs limbs;
    Int128 exact = 0;  // in quanta
    long double squares = 0.0L;
    for (double v : values) {
        limbs.add(v);
        const double q = std::nearbyint(v * kScale);
        exact += static_cast<Int128>(q);
        squares += static_cast<long double>(q) * q;
    }
    // One rounding, from the exact integer: the sum is the correctly rounded sum.
    EXPECT_EQ(limbs.sum(), static_cast<double>(exact) / kScale);
    const long double expected_squares = squares / (static_cast<long double>(kScale) * kScale);
    EXPECT_NEAR(limbs.sum_of_squares() / static_cast<double>(expected_squares), 1.0, 1e-15);
    // Against the unrounded values: the mean is off by no more than half a quantum.
    long double plain = 0.0L;
    for (double v : values) {
        plain += v;
    }
    EXPECT_LE(std::fabs(limbs.sum() - static_cast<double>(plain)) / values.size(), 0.5 / kScale);
}

TEST(ExactSum, ValuesBeyondTheRangeOrNotFiniteAreCountedAndAddZero)
{
    for (double v : {kLargest, -kLargest, 1e300, std::nan(""), kInfinityValue, -kInfinityValue}) {
        Limbs one;
        one.add(v);
        EXPECT_EQ(one.out_of_range, 1u) << v;
        EXPECT_EQ(one.sum(), 0.0) << v;
        EXPECT_EQ(one.sum_of_squares(), 0.0) << v;
    }
    Limbs edge;
    edge.add(std::nextafter(kLargest, 0.0));
    EXPECT_EQ(edge.out_of_range, 0u);
    EXPECT_EQ(edge.sum(), rounded(std::nextafter(kLargest, 0.0)));
}

TEST(ExactSum, TheLargestRunCannotOverflowALimb)
{
    // 2^32 - 1 lifetimes (the most a parameter set has), each at the edge of
    // the range: every limb stays below 2^64 and the sums decode.
    const std::uint64_t lifetimes = 0xFFFFFFFFull;
    for (double v : {std::nextafter(kLargest, 0.0), -std::nextafter(kLargest, 0.0), -1.0}) {
        std::uint32_t digits[kLimbsPerValue];
        ASSERT_TRUE(value_digits(v, kScale, digits));
        std::uint64_t limbs[kLimbsPerValue];
        for (int i = 0; i < kLimbsPerValue; ++i) {
            ASSERT_LE(static_cast<UInt128>(digits[i]) * lifetimes, static_cast<UInt128>(~std::uint64_t{0}));
            limbs[i] = digits[i] * lifetimes;
        }
        const double n = static_cast<double>(lifetimes);
        EXPECT_NEAR(exact_sum_of(limbs, kScale) / (n * rounded(v)), 1.0, 1e-15) << v;
        EXPECT_NEAR(exact_sum_of_squares(limbs, kScale) / (n * rounded(v) * rounded(v)), 1.0, 1e-15) << v;
    }
}

}  // namespace
}  // namespace scls
