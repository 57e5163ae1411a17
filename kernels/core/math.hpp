// Small numeric helpers shared by both backends. Transcendentals come from
// the CUDA math library in device code and on the host from this project's
// own e^x, 1 - e^-x and ln x (exponential.hpp, logarithm.hpp), not libm, so
// that the host's bits do not depend on the machine; CPU and GPU last bits
// may differ, which is why they agree within Monte Carlo tolerance rather
// than bit for bit (their random draws are bit-identical). The normal CDF,
// needed by the host alone, is libm's long double erfc (below).
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/core/exponential.hpp"
#include "kernels/core/logarithm.hpp"
#include "kernels/core/macros.hpp"

namespace scls {

inline constexpr double kInfinity = __builtin_huge_val();
inline constexpr double kDaysPerYear = 365.25;
inline constexpr double kMonthsPerYear = 12.0;

SCLS_FUNCTION SCLS_FORCEINLINE double min_of(double a, double b) { return a < b ? a : b; }
SCLS_FUNCTION SCLS_FORCEINLINE double max_of(double a, double b) { return a > b ? a : b; }
// 1 / rate, or 0 for a rate that is not positive (a process that never fires).
SCLS_FUNCTION SCLS_FORCEINLINE double inverse_or_zero(double rate) { return rate > 0.0 ? 1.0 / rate : 0.0; }
SCLS_FUNCTION SCLS_FORCEINLINE double clamp_to(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

// Inverse of the standard normal CDF, Wichura's algorithm AS241 (PPND16,
// Applied Statistics 37:477, 1988), relative accuracy about 1e-16: three
// rational functions, written once for one double and for lanes of them
// (normal_quantile_lanes below), so that both round alike.
namespace detail {
// |q| <= 0.425, q = p - 1/2.
template <class Real>
SCLS_FUNCTION SCLS_FORCEINLINE Real quantile_central(Real q)
{
    const Real r = 0.180625 - q * q;
    return q *
           (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
                45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
             133.14166789178437745) * r + 3.387132872796366608) /
           (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
                21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
             42.313330701600911252) * r + 1.0);
}

// The tail's magnitude from r = sqrt(-ln(min(p, 1 - p))): for r <= 5 ...
template <class Real>
SCLS_FUNCTION SCLS_FORCEINLINE Real quantile_tail_near(Real r)
{
    r = r - 1.6;
    return (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
                1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
             4.6303378461565452959) * r + 1.42343711074968357734) /
           (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
                0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
             2.05319162663775882187) * r + 1.0);
}

// ... and beyond.
template <class Real>
SCLS_FUNCTION SCLS_FORCEINLINE Real quantile_tail_far(Real r)
{
    r = r - 5.0;
    return (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
                0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
             5.4637849111641143699) * r + 6.6579046435011037772) /
           (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
                7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
             0.59983220655588793769) * r + 1.0);
}
}  // namespace detail

SCLS_FUNCTION inline double normal_quantile(double p)
{
    const double q = p - 0.5;
    if (fabs(q) <= 0.425) {
        return detail::quantile_central(q);
    }
    const double r = sqrt(-natural_log(q < 0 ? p : 1.0 - p));
    const double value = r <= 5.0 ? detail::quantile_tail_near(r) : detail::quantile_tail_far(r);
    return q < 0 ? -value : value;
}

#if SCLS_HOST_SSE2
// ... in lanes, each lane the bits normal_quantile gives it, for p in (0, 1)
// (where min(p, 1 - p) is a normal number). Its masks come from sign bits,
// not comparisons: GCC 12 splits a comparison of lanes into one a lane when
// this is inlined into a function that a target attribute gives wider
// registers than its unit's (variate_batch.hpp).
template <int N>
SCLS_FORCEINLINE typename Lanes<N>::Real normal_quantile_lanes(typename Lanes<N>::Real p)
{
    // Every helper here is always inlined: a vector passed to a function
    // built for narrower registers (at -O0, a lambda) arrives as garbage.
    using L = Lanes<N>;
    using Real = typename L::Real;
    using Mask = typename L::Mask;
    const Real q = p - 0.5;  // never -0: p - 0.5 rounds to +0 where it is 0
    const Mask below_half = L::sign_mask(q);
    // 0.425 - |q| is negative exactly where |q| > 0.425 (a difference of two
    // doubles rounds to a value of its own sign, and to +0 where they are equal).
    const Real magnitude = L::real(L::bits(q) & 0x7fffffffffffffffu);
    const Mask tail = L::sign_mask(0.425 - magnitude);
    Real x = detail::quantile_central(q);
    if (L::any(tail)) {
        const Real log_of_smaller = natural_log_of_normal_lanes<N>(L::blend(below_half, p, 1.0 - p));
        Real r{};
        for (int lane = 0; lane < N; ++lane) {
            r[lane] = sqrt(-log_of_smaller[lane]);
        }
        const Mask far = L::sign_mask(5.0 - r);  // r > 5
        Real value = detail::quantile_tail_near(r);
        if (L::any(far & tail)) {
            value = L::blend(far, detail::quantile_tail_far(r), value);
        }
        x = L::blend(tail, L::blend(below_half, -value, value), x);
    }
    return x;
}
#endif

// Standard normal CDF, host only (per parameter set: the truncation bounds).
// From libm's long double erfc: glibc's x87 code is one build for every
// machine, while its double erfc calls exp, which has an FMA build whose
// last bits differ. The long double result rounded to double is within
// half an ulp or so.
inline double normal_cdf(double x)
{
    return static_cast<double>(0.5L * std::erfc(-static_cast<long double>(x) * 0.70710678118654752440084436210484903928L));
}

// (1 - exp(-x)) / x, accurate for small x (x >= 0); equals 1 at 0.
SCLS_FUNCTION SCLS_FORCEINLINE double one_minus_exp_over(double x)
{
    return x < 1e-8 ? 1.0 - 0.5 * x : one_minus_exp_minus(x) / x;
}

}  // namespace scls
