// Variates: inverse normal accuracy, gamma and truncated normal moments.
#include "kernels/random/distributions.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "kernels/random/streams.hpp"

namespace scls {
namespace {

TEST(NormalQuantile, MatchesKnownQuantilesAndInvertsTheCdf)
{
    EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-15);
    EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-13);
    EXPECT_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-13);
    EXPECT_NEAR(normal_quantile(0.8413447460685429), 1.0, 1e-12);
    EXPECT_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-10);
    // Upper tail excluded: 1 - Phi(x) is not representable near 1 for x > 5.
    for (double x = -8.0; x <= 5.0; x += 0.37) {
        EXPECT_NEAR(normal_quantile(normal_cdf(x)), x, 1e-9 * (1 + std::fabs(x))) << x;
    }
}

TEST(Gamma, MeanOneAndVarianceOneOverShape)
{
    for (double shape : {0.3, 1.0, 2.5, 10.0}) {
        const int n = 200000;
        double sum = 0, sum2 = 0;
        for (int i = 0; i < n; ++i) {
            PhiloxStream stream = open_stream(StreamKey{7, 0, static_cast<std::uint32_t>(i)}, StreamPurpose::frailty);
            const double x = gamma_mean_one(shape, stream);
            ASSERT_GT(x, 0.0);
            sum += x;
            sum2 += x * x;
        }
        const double mean = sum / n;
        const double variance = sum2 / n - mean * mean;
        const double expected_variance = 1.0 / shape;
        EXPECT_NEAR(mean, 1.0, 5 * std::sqrt(expected_variance / n)) << "shape " << shape;
        EXPECT_NEAR(variance, expected_variance, 0.03 * expected_variance + 0.01) << "shape " << shape;
    }
}

TEST(TruncatedNormal, StaysInBoundsWithTheRightMean)
{
    const double mean = 52, sd = 12, lower = 18, upper = 90;
    const int n = 100000;
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        const double u = to_open_unit(draw_block(StreamKey{1, 0, static_cast<std::uint32_t>(i)}, StreamPurpose::attributes, 0).word[1]);
        const double x = truncated_normal(mean, sd, lower, upper, truncation_cdf(mean, sd, lower), truncation_cdf(mean, sd, upper), u);
        ASSERT_GE(x, lower);
        ASSERT_LE(x, upper);
        sum += x;
    }
    // Mean of the truncated normal: mu + sd (phi(a) - phi(b)) / (Phi(b) - Phi(a)).
    const double a = (lower - mean) / sd, b = (upper - mean) / sd;
    const double phi_a = std::exp(-a * a / 2) / std::sqrt(2 * M_PI), phi_b = std::exp(-b * b / 2) / std::sqrt(2 * M_PI);
    const double expected = mean + sd * (phi_a - phi_b) / (normal_cdf(b) - normal_cdf(a));
    EXPECT_NEAR(sum / n, expected, 4 * sd / std::sqrt(n));
    EXPECT_EQ(truncated_normal(50, 0, 18, 90, truncation_cdf(50, 0, 18), truncation_cdf(50, 0, 90), 0.3), 50.0);  // sd 0: a fixed value
    EXPECT_EQ(truncated_normal(95, 0, 18, 90, 0.0, 0.0, 0.3), 90.0);  // ... clamped to the bounds
}

TEST(UnitExponential, HasMeanOne)
{
    const int n = 200000;
    double sum = 0;
    PhiloxStream stream(3, 0, 0);
    for (int i = 0; i < n; ++i) {
        sum += unit_exponential(stream.next());
    }
    EXPECT_NEAR(sum / n, 1.0, 5.0 / std::sqrt(n));
}

}  // namespace
}  // namespace scls
