// The host's ln x against the x87's 64-bit logl: below 1 ulp of the true
// value (faithful) wherever the model evaluates it, exact where ln is exact,
// libm's own answer outside the normal positive numbers; and ln(1 + a) for
// the host's derivations.
#include "kernels/core/logarithm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "tests/support/ulps.hpp"

namespace scls {
namespace {

using test::ulps_from_truth;

template <class Draw>
double worst_ulps(int samples, std::uint64_t seed, Draw draw)
{
    std::mt19937_64 engine(seed);
    double worst = 0.0;
    for (int i = 0; i < samples; ++i) {
        const double x = draw(engine);
        const double apart = ulps_from_truth(natural_log(x), logl(static_cast<long double>(x)));
        worst = apart > worst ? apart : worst;
    }
    return worst;
}

TEST(NaturalLog, FaithfulForTheModelsUniforms)
{
    // unit_exponential's arguments: (b + 1/2) 2^-32 for a 32-bit word b.
    const double worst = worst_ulps(4000000, 1, [](std::mt19937_64& e) {
        return (static_cast<double>(static_cast<std::uint32_t>(e())) + 0.5) * 2.3283064365386962890625e-10;
    });
    EXPECT_LT(worst, 0.95);
}

TEST(NaturalLog, FaithfulNearOneWhereTheSeriesAloneAnswers)
{
    std::uniform_real_distribution<double> near_one(0.98, 1.02);
    EXPECT_LT(worst_ulps(2000000, 2, [&](std::mt19937_64& e) { return near_one(e); }), 0.95);
    for (const double x : {1.0 - 0x1p-53, 1.0 + 0x1p-52, 1.0 - 0x1p-30, 1.0 + 0x1p-30, 1.0 - 0x1p-8, 1.0 + 0x1p-7}) {
        EXPECT_LT(ulps_from_truth(natural_log(x), logl(static_cast<long double>(x))), 0.95) << x;
    }
}

TEST(NaturalLog, FaithfulOverAllNormalNumbers)
{
    // Bit patterns drawn uniformly over the positive normal doubles.
    const double worst = worst_ulps(2000000, 3, [](std::mt19937_64& e) {
        const std::uint64_t bits = e() % (0x7ff0000000000000 - 0x0010000000000000) + 0x0010000000000000;
        double x = 0.0;
        std::memcpy(&x, &bits, sizeof x);
        return x;
    });
    EXPECT_LT(worst, 0.95);
}

// Every one of the 128 intervals, at both its ends and its centre, in the
// binades below and above 1.
TEST(NaturalLog, FaithfulAtTheEdgesOfEveryInterval)
{
    for (int i = 0; i < 128; ++i) {
        const double start = i < 80 ? 0.6875 + i / 256.0 : 1.0 + (i - 80) / 128.0;
        const double width = i < 80 ? 1 / 256.0 : 1 / 128.0;
        for (const double z : {start, std::nextafter(start + width, 0.0), start + width / 2}) {
            for (const double scale : {0x1p-33, 0.5, 1.0, 2.0, 0x1p40}) {
                const double x = z * scale;
                ASSERT_LT(ulps_from_truth(natural_log(x), logl(static_cast<long double>(x))), 0.95) << x;
            }
        }
    }
}

TEST(NaturalLog, ExactWhereLnIsExact)
{
    EXPECT_EQ(natural_log(1.0), 0.0);
    EXPECT_EQ(natural_log(2.0), std::log(2.0));
    EXPECT_EQ(natural_log(0.5), std::log(0.5));
}

TEST(NaturalLog, OutsideTheNormalPositiveNumbersIsLibms)
{
    constexpr double kInf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(natural_log(0.0), -kInf);
    EXPECT_EQ(natural_log(kInf), kInf);
    EXPECT_TRUE(std::isnan(natural_log(-1.0)));
    EXPECT_TRUE(std::isnan(natural_log(std::numeric_limits<double>::quiet_NaN())));
    const double subnormal = std::numeric_limits<double>::denorm_min() * 12345;
    EXPECT_EQ(natural_log(subnormal), std::log(subnormal));
}

TEST(NaturalLog1p, WithinTwoUlpForDiscountRatesAndLifeTableHazards)
{
    std::mt19937_64 engine(4);
    std::uniform_real_distribution<double> rate(0.0, 0.2);
    std::uniform_real_distribution<double> exponent(-12.0, 0.0);
    for (int i = 0; i < 200000; ++i) {
        const double a = rate(engine);
        // Death probabilities q, up to the life table's cap of 1 - 10^-12.
        const double minus_q = -std::min(std::pow(10.0, exponent(engine)), 1.0 - 1e-12);
        for (const double at : {a, minus_q}) {
            ASSERT_LT(ulps_from_truth(natural_log_1p(at), log1pl(static_cast<long double>(at))), 2.0) << at;
        }
    }
    const double capped = -(1.0 - 1e-12);  // the life table's largest q
    EXPECT_LT(ulps_from_truth(natural_log_1p(capped), log1pl(static_cast<long double>(capped))), 2.0);
    EXPECT_EQ(natural_log_1p(0.0), 0.0);
    EXPECT_EQ(natural_log_1p(1e-300), 1e-300);
    EXPECT_EQ(natural_log_1p(-1.0), -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(natural_log_1p(-2.0)));
}

}  // namespace
}  // namespace scls
