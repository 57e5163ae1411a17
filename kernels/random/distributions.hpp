// Continuous and discrete variates from uniforms. All by inversion except the
// gamma (Marsaglia-Tsang rejection), so the number of words a draw consumes is
// fixed and documented: one word per exponential, two per normal.
#pragma once

#include <cstdint>

#include "kernels/core/exponential.hpp"
#include "kernels/core/logarithm.hpp"
#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"
#include "kernels/random/philox.hpp"

namespace scls {

// Unit exponential by inversion; from one word (its uniform, in [2^-33, 1),
// is always a normal number: no check for others).
SCLS_FUNCTION SCLS_FORCEINLINE double unit_exponential(std::uint32_t bits) { return -natural_log_of_normal(to_open_unit(bits)); }

#if SCLS_HOST_SSE2
// ... in lanes of 32-bit words, each lane the bits unit_exponential gives it.
template <int N>
SCLS_FORCEINLINE typename Lanes<N>::Real unit_exponential_lanes(typename Lanes<N>::Bits words)
{
    return -natural_log_of_normal_lanes<N>(to_open_unit_lanes<N>(words));
}
#endif

// Standard normal by inversion; from two words (52-bit uniform).
SCLS_FUNCTION SCLS_FORCEINLINE double standard_normal(std::uint32_t high_bits, std::uint32_t low_bits)
{
    return normal_quantile(to_open_unit_52(high_bits, low_bits));
}

// The standard normal CDF at a truncation bound of Normal(mean, sd), which
// truncated_normal inverts from (unused, 0, when sd == 0). Host only: the
// host works it out once per parameter set, so no kernel needs erfc.
inline double truncation_cdf(double mean, double sd, double bound)
{
    return sd > 0.0 ? normal_cdf((bound - mean) / sd) : 0.0;
}

// Normal(mean, sd) truncated to [lower, upper], by inversion of the truncated
// CDF, given the CDF at each bound (truncation_cdf); from one uniform in
// (0, 1). sd == 0 gives the mean clamped to the bounds. In two parts, so that
// the quantile can be computed with others (variate_batch.hpp): the
// probability whose standard normal quantile it needs, ...
SCLS_FUNCTION SCLS_FORCEINLINE double truncated_normal_probability(double cdf_lower, double cdf_upper, double uniform)
{
    const double p = cdf_lower + uniform * (cdf_upper - cdf_lower);
    // Guard p against landing exactly on 0 or 1 through rounding.
    return clamp_to(p, 1e-300, 1.0 - 1e-16);
}

// ... and the variate from that quantile (unused where sd == 0).
SCLS_FUNCTION SCLS_FORCEINLINE double truncated_normal_from(double mean, double sd, double lower, double upper, double quantile)
{
    if (sd <= 0.0) {
        return clamp_to(mean, lower, upper);
    }
    return clamp_to(mean + sd * quantile, lower, upper);
}

// Both parts at once.
SCLS_FUNCTION inline double truncated_normal(double mean, double sd, double lower, double upper, double cdf_lower,
                                             double cdf_upper, double uniform)
{
    return truncated_normal_from(mean, sd, lower, upper,
                                 normal_quantile(truncated_normal_probability(cdf_lower, cdf_upper, uniform)));
}

// Gamma(shape, scale = 1/shape): mean 1, variance 1/shape. Marsaglia & Tsang,
// ACM TOMS 26:363 (2000); shapes below 1 use the boost G(a) = G(a+1) U^(1/a),
// as e^(ln U / a): relative error about |ln U / a| ulp, below 10^-13 while
// |ln U / a| < 450. Shapes below 0.03 can take it under e^-708, where libm's
// exp answers with a subnormal number (or 0), as pow did.
SCLS_FUNCTION inline double gamma_mean_one(double shape, PhiloxStream& stream)
{
    double boost = 1.0;
    double a = shape;
    if (a < 1.0) {
        boost = exponential(natural_log_of_normal(to_open_unit(stream.next())) / a);
        a += 1.0;
    }
    const double d = a - 1.0 / 3.0;
    const double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        const std::uint32_t w0 = stream.next();
        const std::uint32_t w1 = stream.next();
        const double x = standard_normal(w0, w1);
        double v = 1.0 + c * x;
        if (v <= 0.0) {
            continue;
        }
        v = v * v * v;
        const double u = to_open_unit(stream.next());
        const double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2 || natural_log(u) < 0.5 * x2 + d * (1.0 - v + natural_log(v))) {
            return boost * d * v / shape;
        }
    }
}

// Index of the category a uniform falls in, given cumulative probabilities
// (last entry 1). Categories with zero probability are never chosen.
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE int categorical(const double (&cumulative)[N], int count, double uniform)
{
    int index = 0;
    while (index + 1 < count && uniform >= cumulative[index]) {
        ++index;
    }
    return index;
}

}  // namespace scls
