// The host's exponential against libm's exp: within 1 ulp everywhere the
// model evaluates it, exact where exp is exact, and libm's own answer
// beyond the range it computes itself. Its 1 - e^-x against the x87's
// 64-bit expm1l, and e^x - 1 of either sign.
#include "kernels/core/exponential.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

#include "tests/support/ulps.hpp"

namespace scls {
namespace {

// Distance in units in the last place between two positive doubles.
std::int64_t ulps_apart(double a, double b)
{
    std::int64_t ia = 0;
    std::int64_t ib = 0;
    std::memcpy(&ia, &a, sizeof a);
    std::memcpy(&ib, &b, sizeof b);
    return ia > ib ? ia - ib : ib - ia;
}

std::int64_t worst_ulps(double lowest, double highest, int samples, std::uint64_t seed)
{
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<double> x(lowest, highest);
    std::int64_t worst = 0;
    for (int i = 0; i < samples; ++i) {
        const double at = x(engine);
        const std::int64_t apart = ulps_apart(exponential(at), std::exp(at));
        worst = apart > worst ? apart : worst;
    }
    return worst;
}

TEST(Exponential, WithinOneUlpOfLibmOverItsWholeRange)
{
    EXPECT_LE(worst_ulps(-707.9, 707.9, 1000000, 1), 1);
}

TEST(Exponential, WithinOneUlpWhereTheModelUsesItMost)
{
    // Discount factors over an interval (-rate x years) and lognormal scales.
    EXPECT_LE(worst_ulps(-5.0, 0.0, 1000000, 2), 1);
    EXPECT_LE(worst_ulps(-1e-3, 1e-3, 1000000, 3), 1);
    EXPECT_LE(worst_ulps(-8.0, 8.0, 1000000, 4), 1);
}

// Where the reduction and the scale meet their limits: the largest and
// smallest exponents the scale holds, and arguments just either side of a
// multiple of ln2/64, where the reduced argument changes sign.
TEST(Exponential, WithinOneUlpAtTheEdgesOfItsReduction)
{
    const double ln2_over_64 = 0.010830424696249145;
    for (const double at : {707.9999, -707.9999, 707.5, -707.5, 700.0, -700.0}) {
        EXPECT_LE(ulps_apart(exponential(at), std::exp(at)), 1) << at;
    }
    for (int k = -64000; k <= 64000; k += 37) {
        for (const double shift : {-0.5, -1e-9, 0.0, 1e-9, 0.5}) {
            const double at = (k + shift) * ln2_over_64;
            if (at > -707.9 && at < 707.9) {
                ASSERT_LE(ulps_apart(exponential(at), std::exp(at)), 1) << at;
            }
        }
    }
}

TEST(Exponential, ExactWhereExpIsExact)
{
    EXPECT_EQ(exponential(0.0), 1.0);
    EXPECT_EQ(exponential(-0.0), 1.0);
    EXPECT_EQ(exponential(1e-300), 1.0);
}

TEST(Exponential, BeyondItsRangeIsLibms)
{
    for (const double at : {708.0, 709.7, 710.0, -708.0, -720.0, -746.0, -1e6}) {
        EXPECT_EQ(exponential(at), std::exp(at)) << at;
    }
    EXPECT_EQ(exponential(std::numeric_limits<double>::infinity()), std::numeric_limits<double>::infinity());
    EXPECT_EQ(exponential(-std::numeric_limits<double>::infinity()), 0.0);
    EXPECT_TRUE(std::isnan(exponential(std::numeric_limits<double>::quiet_NaN())));
}

using test::ulps_from_truth;

double worst_one_minus_exp_minus(double lowest, double highest, int samples, std::uint64_t seed, bool log_uniform)
{
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<double> draw(lowest, highest);
    double worst = 0.0;
    for (int i = 0; i < samples; ++i) {
        const double x = log_uniform ? std::exp(draw(engine)) : draw(engine);
        const double apart = ulps_from_truth(one_minus_exp_minus(x), -expm1l(-static_cast<long double>(x)));
        worst = apart > worst ? apart : worst;
    }
    return worst;
}

// The budget is 1.5 ulp of the truth, the sum of its roundings' bounds
// (libm's expm1 reaches about 0.8); the worst found is 1.30, just past a
// multiple of ln2/64, where 1 - t and t (1 - e^r) are of a size.
TEST(OneMinusExpMinus, WithinItsBudgetWhereTheModelDiscounts)
{
    // Rate times interval: from the series branch's edge (1e-3) to decades.
    EXPECT_LT(worst_one_minus_exp_minus(0.0, 0.05, 2000000, 5, false), 1.5);
    EXPECT_LT(worst_one_minus_exp_minus(0.0, 5.0, 2000000, 6, false), 1.5);
    EXPECT_LT(worst_one_minus_exp_minus(std::log(1e-12), std::log(700.0), 2000000, 7, true), 1.5);
}

TEST(OneMinusExpMinus, WithinItsBudgetAtTheEdgesOfItsReduction)
{
    const double ln2_over_64 = 0.010830424696249145;
    for (int n = 0; n <= 65000; n += 13) {
        for (const double shift : {-1e-9, 0.0, 1e-9, 0.5}) {
            const double x = (n + shift) * ln2_over_64;
            if (x >= 0.0 && x < 707.9) {
                ASSERT_LT(ulps_from_truth(one_minus_exp_minus(x), -expm1l(-static_cast<long double>(x))), 1.5) << x;
            }
        }
    }
}

TEST(OneMinusExpMinus, ExactAtZeroAndTinyArguments)
{
    EXPECT_EQ(one_minus_exp_minus(0.0), 0.0);
    EXPECT_EQ(one_minus_exp_minus(1e-300), 1e-300);
    EXPECT_EQ(one_minus_exp_minus(0x1p-60), 0x1p-60);
}

TEST(OneMinusExpMinus, OutsideItsRangeIsLibms)
{
    for (const double at : {708.0, 1e6, -1e-3, -5.0}) {
        EXPECT_EQ(one_minus_exp_minus(at), -std::expm1(-at)) << at;
    }
    EXPECT_EQ(one_minus_exp_minus(std::numeric_limits<double>::infinity()), 1.0);
    EXPECT_TRUE(std::isnan(one_minus_exp_minus(std::numeric_limits<double>::quiet_NaN())));
}

TEST(ExponentialMinusOne, WithinAFewUlpOfEitherSign)
{
    std::mt19937_64 engine(8);
    std::uniform_real_distribution<double> x(-2.0, 2.0);
    for (int i = 0; i < 200000; ++i) {
        const double at = x(engine);
        ASSERT_LT(ulps_from_truth(exponential_minus_one(at), expm1l(static_cast<long double>(at))), 4.0) << at;
    }
}

}  // namespace
}  // namespace scls
