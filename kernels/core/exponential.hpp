// e^x for the model's hot paths (discount factors, lengths of stay,
// heterogeneity). In device code it is CUDA's exp. On the host it is
// computed here, inline, instead of by libm: in the event loop that saves
// about 30 instructions a call (libm's call, its wrapper and the registers
// kept around the call), and its bits do not depend on which libm the
// binary runs with (on x86-64 as built here: a target with FMA may contract
// its polynomial). Within 1 ulp of libm's exp
// (tests/kernels/core/exponential_test.cpp).
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/core/lanes.hpp"
#include "kernels/core/macros.hpp"

namespace scls {
namespace detail {

// 2^(j/64), j = 0..63, each correctly rounded.
inline constexpr double kExp2Sixtyfourths[64] = {
    1.0, 1.0108892860517005, 1.0218971486541166, 1.0330248790212284,
    1.0442737824274138, 1.0556451783605572, 1.0671404006768237, 1.0787607977571199,
    1.0905077326652577, 1.102382583307841, 1.1143867425958924, 1.1265216186082418,
    1.1387886347566916, 1.1511892299529827, 1.1637248587775775, 1.1763969916502812,
    1.189207115002721, 1.202156731452703, 1.215247359980469, 1.22848053610687,
    1.241857812073484, 1.255380757024691, 1.2690509571917332, 1.2828700160787783,
    1.2968395546510096, 1.3109612115247644, 1.3252366431597413, 1.339667524053303,
    1.3542555469368927, 1.3690024229745905, 1.383909881963832, 1.3989796725383112,
    1.4142135623730951, 1.42961333839197, 1.4451808069770467, 1.460917794180647,
    1.4768261459394993, 1.4929077282912648, 1.5091644275934228, 1.5255981507445384,
    1.5422108254079407, 1.559004400237837, 1.5759808451078865, 1.593142151342267,
    1.6104903319492543, 1.6280274218573478, 1.645755478153965, 1.6636765803267364,
    1.681792830507429, 1.7001063537185235, 1.718619298122478, 1.7373338352737062,
    1.7562521603732995, 1.7753764925265212, 1.7947090750031072, 1.8142521755003989,
    1.8340080864093424, 1.8539791250833855, 1.8741676341103, 1.8945759815869656,
    1.9152065613971474, 1.9360617934922943, 1.9571441241754002, 1.978456026387951,
};

// What each entry above leaves out: 2^(j/64) minus the entry, rounded
// (scripts/math_tables.py). 1 - e^-x needs it where the entry is near 1.
inline constexpr double kExp2SixtyfourthsLow[64] = {
    0.0, -1.5234778603368577e-17, 5.109225028973444e-17, 7.600838874027088e-18,
    8.551889705537965e-17, 1.759325738772092e-18, -7.899853966841582e-17, -6.656660436056593e-17,
    -3.046782079812471e-17, 5.2660368715706944e-17, 1.0410278456845571e-16, 5.165856758795457e-17,
    8.912812676025408e-17, 3.250710218863827e-17, 3.8292048369240935e-17, 5.554203254218079e-17,
    3.982015231465646e-17, 6.644981499252301e-17, -7.712630692681488e-17, -1.89878163130253e-17,
    4.658027591836937e-17, -6.7113898212968784e-18, 2.667932131342186e-18, 1.713594918243561e-17,
    2.5382502794888315e-17, -7.181536135519454e-17, -2.8587312100388614e-17, 8.927282594831732e-17,
    7.70094837980299e-17, 9.593797919118849e-17, -6.770511658794786e-17, -9.614213209051323e-17,
    -9.667293313452913e-17, -1.2031642489053655e-17, -3.0237581349939873e-17, -5.600377186075216e-17,
    -3.483994556892796e-17, 1.4192920154284036e-17, -1.016455327754295e-16, -1.1024941712342561e-16,
    7.949834809697621e-17, 3.7812070533575275e-17, -1.0136916471278304e-17, -1.0094406542311964e-16,
    2.4707192569797888e-17, -6.712955084707084e-17, -1.0125679913674773e-16, 5.8909926967131e-17,
    8.199010020581497e-17, -8.0237193703977e-18, -1.851380418263111e-17, 3.164389299292957e-17,
    2.960140695448873e-17, 6.429731796556572e-17, 1.8227458427912087e-17, -9.969531538920349e-17,
    3.283107224245627e-17, 9.761887490727594e-17, -6.122763413004143e-17, 3.4034035352165297e-17,
    -1.0619946056195963e-16, 1.0332385960676326e-16, 8.960767791036668e-17, 4.0388753109278167e-17,
};

// The reduction x = n ln2/64 + r shared by e^x and 1 - e^-x.
inline constexpr double kSixtyfourOverLn2 = 92.33248261689366;
inline constexpr double kRoundingShift = kExactIntegerBias;  // adding it rounds to an integer (lanes.hpp)
// ln2/64 in two parts (Cody and Waite): the first with its low 21 bits zero,
// so that n times it is exact for |n| < 2^21.
inline constexpr double kLn2Over64High = 0.01083042469326756;
inline constexpr double kLn2Over64Low = 2.9815858269852933e-12;

// 2^k for the integer in the high bits of whole (whole >> 6), a normal
// number's exponent.
template <int N>
SCLS_FORCEINLINE typename Lanes<N>::Real power_of_two_above_sixtyfourths(typename Lanes<N>::Signed whole)
{
    return Lanes<N>::real(Lanes<N>::to_bits((whole >> 6) + 1023) << 52);
}

// n = round(x 64/ln2) (its integer, whole, from the bits of x 64/ln2 + 1.5
// 2^52, which hold it in their low bits) and r = x - n ln2/64.
template <int N>
struct SixtyfourthsReduction {
    typename Lanes<N>::Signed whole;
    typename Lanes<N>::Real r;
};
template <int N>
SCLS_FORCEINLINE SixtyfourthsReduction<N> reduce_by_sixtyfourths(typename Lanes<N>::Real x,
                                                                typename Lanes<N>::Real shifted)
{
    using L = Lanes<N>;
    const typename L::Real n = shifted - kRoundingShift;
    // Subtracted unsigned: a lane beyond the range (|x| > 2^46 or so, whose
    // result libm replaces) would overflow a signed subtraction.
    return {L::to_signed(L::bits(shifted) - kExactIntegerBiasBits), (x - n * kLn2Over64High) - n * kLn2Over64Low};
}

// e^x for |x| < 708, in N lanes or one double (lanes.hpp).
template <int N>
SCLS_FORCEINLINE typename Lanes<N>::Real exp_in_range(typename Lanes<N>::Real x)
{
    using L = Lanes<N>;
    using Real = typename L::Real;
    // x = (64 k + j) ln2/64 + r with |r| <= ln2/128: e^x = 2^k 2^(j/64) e^r.
    const auto [whole, r] = reduce_by_sixtyfourths<N>(x, x * kSixtyfourOverLn2 + kRoundingShift);
    // e^r - 1 to r^6: the remainder, below r^7/5040 ~ 3e-20, is far below an ulp.
    const Real tail = r + r * r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0)))));
    const Real table = L::lookup(kExp2Sixtyfourths, L::to_bits(whole) & 63u);
    return (table + table * tail) * power_of_two_above_sixtyfourths<N>(whole);
}

// 1 - e^-x for 0 <= x < 708, in N lanes or one double.
template <int N>
SCLS_FORCEINLINE typename Lanes<N>::Real one_minus_exp_minus_in_range(typename Lanes<N>::Real x)
{
    using L = Lanes<N>;
    using Real = typename L::Real;
    // n about ceil(-x 64/ln2), so r in (-ln2/64, 0] up to the roundings.
    const auto [whole, r] = reduce_by_sixtyfourths<N>(-x, (0.5 - x * kSixtyfourOverLn2) + kRoundingShift);
    // e^r - 1 to r^7; |r| < ln2/64 leaves a remainder below r^8/40320 ~ 5e-21.
    const Real tail =
        r + r * r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0))))));
    const Real scale = power_of_two_above_sixtyfourths<N>(whole);
    const typename L::Bits j = L::to_bits(whole) & 63u;
    const Real t_high = L::lookup(kExp2Sixtyfourths, j) * scale;
    const Real t_low = L::lookup(kExp2SixtyfourthsLow, j) * scale;
    return (1.0 - t_high) - (t_high * tail + t_low * (1.0 + tail));
}

}  // namespace detail

SCLS_FUNCTION SCLS_FORCEINLINE double exponential(double x)
{
#if SCLS_DEVICE_PASS
    return exp(x);
#else
    // The scale 2^k is built from its exponent bits, which hold a normal
    // number only for |x| < 708 or so; beyond (overflow from 709.8,
    // subnormal results below -708.4, NaN failing both tests) libm's, which
    // the model never needs.
    if (!(x > -708.0 && x < 708.0)) {
        return std::exp(x);
    }
    return detail::exp_in_range<1>(x);
#endif
}

// 1 - e^-x for x >= 0, accurate where it is small (discounting over short
// intervals). On the host, from the reduction of exponential() with the
// table's entries in two parts, t = 2^k 2^(j/64) + t_low: 1 - e^-x =
// (1 - t) - t (e^r - 1). Here the multiple of ln2/64 is rounded up, not to
// the nearest, so that r <= 0 and the two terms are never of opposite sign
// (no cancellation); 1 - t is exact for x <= ln2, and for x < ln2/64 (t = 1)
// this is the series of e^-x - 1 itself. Like natural_log, its bits do not
// depend on the machine, unlike libm's expm1. Within 1.5 ulp of the true
// value by its roundings (r, the series, t's product and the inner sum a
// quarter ulp each at worst, the last subtraction half); 1.30 is the worst
// found (tests/kernels/core/exponential_test.cpp, against the x87's expm1l).
SCLS_FUNCTION SCLS_FORCEINLINE double one_minus_exp_minus(double x)
{
#if SCLS_DEVICE_PASS
    return -expm1(-x);
#else
    // Negative arguments, NaN and x >= 708 (where the answer is 1): libm's.
    if (!(x >= 0.0 && x < 708.0)) {
        return -std::expm1(-x);
    }
    return detail::one_minus_exp_minus_in_range<1>(x);
#endif
}

#if SCLS_HOST_SSE2
namespace detail {
// y with the lanes that a mask marks outside replaced by scalar(x) lane by lane.
template <int N, class Scalar>
SCLS_FORCEINLINE typename Lanes<N>::Real replace_lanes_outside(typename Lanes<N>::Real y, typename Lanes<N>::Real x,
                                                               typename Lanes<N>::Signed outside, Scalar scalar)
{
    if (Lanes<N>::any(outside)) [[unlikely]] {
        for (int lane = 0; lane < N; ++lane) {
            y[lane] = outside[lane] ? scalar(x[lane]) : y[lane];
        }
    }
    return y;
}
}  // namespace detail
#endif

// e^x and 1 - e^-x in N lanes, each lane the bits exponential and
// one_minus_exp_minus give it, and at N = 1 those functions themselves: the
// forms that model code written once over Lanes<N> (discounting.hpp) calls.
// Lanes out of the range of the table's reduction (which the model never
// reaches) take libm's one at a time. Lanes of N > 1 exist on x86-64 hosts
// only (lanes.hpp).
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE typename Lanes<N>::Real exponential_lanes(typename Lanes<N>::Real x)
{
    if constexpr (N == 1) {
        return exponential(x);
    } else {
#if SCLS_HOST_SSE2
        return detail::replace_lanes_outside<N>(detail::exp_in_range<N>(x), x, !((x > -708.0) & (x < 708.0)),
                                                [](double v) { return std::exp(v); });
#else
        static_assert(N == 1, "lanes of doubles are built on x86-64 hosts only");
#endif
    }
}

template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE typename Lanes<N>::Real one_minus_exp_minus_lanes(typename Lanes<N>::Real x)
{
    if constexpr (N == 1) {
        return one_minus_exp_minus(x);
    } else {
#if SCLS_HOST_SSE2
        return detail::replace_lanes_outside<N>(detail::one_minus_exp_minus_in_range<N>(x), x,
                                                !((x >= 0.0) & (x < 708.0)), [](double v) { return -std::expm1(-v); });
#else
        static_assert(N == 1, "lanes of doubles are built on x86-64 hosts only");
#endif
    }
}

// e^x - 1 of either sign, for the host's per-scenario derivations (the
// Gompertz life table); within 4 ulp (for x > 0 a product of e^x, 1 - e^-x
// and its rounding: about 3 at worst).
inline double exponential_minus_one(double x)
{
    return x >= 0.0 ? exponential(x) * one_minus_exp_minus(x) : -one_minus_exp_minus(-x);
}

}  // namespace scls
