// Exact continuous-time discounting of quantities that are constant or
// quadratic in time over an interval: no cycles, no half-cycle corrections.
#pragma once

#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"

namespace scls {

// Discount factor exp(-rate * t) for a continuous rate.
SCLS_FUNCTION SCLS_FORCEINLINE double discount_factor(double rate, double t) { return exp(-rate * t); }

// integral_0^h s^n exp(-r s) ds for n = 0, 1, 2 at once.
struct DiscountedMoments {
    double order0, order1, order2;
};

SCLS_FUNCTION inline DiscountedMoments discounted_moments(double rate, double h)
{
    const double x = rate * h;
    if (x < 1e-3) {
        // Series in x: integral = h^(n+1) * sum_k (-x)^k / (k! (n+k+1)); five
        // terms leave an error below x^5/120 ~ 1e-17 relative.
        const double h2 = h * h;
        return DiscountedMoments{
            h * (1.0 - x / 2.0 + x * x / 6.0 - x * x * x / 24.0 + x * x * x * x / 120.0),
            h2 * (1.0 / 2.0 - x / 3.0 + x * x / 8.0 - x * x * x / 30.0 + x * x * x * x / 144.0),
            h2 * h * (1.0 / 3.0 - x / 4.0 + x * x / 10.0 - x * x * x / 36.0 + x * x * x * x / 168.0)};
    }
    const double tail = exp(-x);
    const double order0 = -expm1(-x) / rate;
    const double order1 = (order0 - h * tail) / rate;
    const double order2 = (2.0 * order1 - h * h * tail) / rate;
    return DiscountedMoments{order0, order1, order2};
}

// integral_{t0}^{t1} exp(-rate t) dt: the discounted length of [t0, t1).
SCLS_FUNCTION SCLS_FORCEINLINE double discounted_duration(double rate, double t0, double t1)
{
    const double h = t1 - t0;
    return discount_factor(rate, t0) * h * one_minus_exp_over(rate * h);
}

// integral_{t0}^{t1} (c0 + c1 t + c2 t^2) exp(-rate t) dt, expanded about t0
// so that long follow-ups do not lose precision.
SCLS_FUNCTION inline double discounted_quadratic(double rate, double t0, double t1, double c0, double c1, double c2)
{
    const DiscountedMoments m = discounted_moments(rate, t1 - t0);
    const double value_at_start = c0 + t0 * (c1 + c2 * t0);
    const double slope_at_start = c1 + 2.0 * c2 * t0;
    return discount_factor(rate, t0) * (value_at_start * m.order0 + slope_at_start * m.order1 + c2 * m.order2);
}

}  // namespace scls
