// Exact discounting against numerical quadrature and closed forms.
#include "kernels/model/discounting.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace scls {
namespace {

double simpson(double rate, double t0, double t1, double c0, double c1, double c2)
{
    const int n = 20000;
    const double h = (t1 - t0) / n;
    double sum = 0;
    for (int i = 0; i <= n; ++i) {
        const double t = t0 + i * h;
        const double f = (c0 + c1 * t + c2 * t * t) * std::exp(-rate * t);
        sum += f * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
    }
    return sum * h / 3;
}

TEST(Discounting, QuadraticMatchesQuadratureAcrossRatesAndIntervals)
{
    const double rates[] = {0.0, 1e-7, std::log(1.03), std::log(1.035), 0.5};
    const double intervals[][2] = {{0, 1e-4}, {0, 0.01}, {3.2, 3.9}, {0, 50}, {40, 80}};
    for (double r : rates) {
        for (const auto& iv : intervals) {
            const double expected = simpson(r, iv[0], iv[1], 0.9, -0.003, -3.3e-5);
            const double got = discounted_quadratic(r, iv[0], iv[1], 0.9, -0.003, -3.3e-5);
            EXPECT_NEAR(got, expected, 1e-10 * (1 + std::fabs(expected))) << "rate " << r << " [" << iv[0] << "," << iv[1] << ")";
        }
    }
}

TEST(Discounting, DurationIsTheClosedForm)
{
    const double r = std::log(1.035);
    EXPECT_NEAR(discounted_duration(r, 2, 7), (std::exp(-r * 2) - std::exp(-r * 7)) / r, 1e-13);
    EXPECT_DOUBLE_EQ(discounted_duration(0.0, 2, 7), 5.0);
    // Series and closed-form branches meet smoothly.
    const double h_switch = 1e-3 / r;
    EXPECT_NEAR(discounted_moments(r, h_switch * (1 - 1e-9)).order2, discounted_moments(r, h_switch * (1 + 1e-9)).order2,
                1e-15 + 1e-8 * discounted_moments(r, h_switch).order2);
}

}  // namespace
}  // namespace scls
