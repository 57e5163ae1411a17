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
#include <cstring>

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

}  // namespace detail

SCLS_FUNCTION SCLS_FORCEINLINE double exponential(double x)
{
#if SCLS_DEVICE_PASS
    return exp(x);
#else
    // The scale 2^k below is built from its exponent bits, which hold a
    // normal number only for |x| < 708 or so; beyond (overflow from 709.8,
    // subnormal results below -708.4, NaN failing both tests) libm's, which
    // the model never needs.
    if (!(x > -708.0 && x < 708.0)) {
        return std::exp(x);
    }
    // x = (64 k + j) ln2/64 + r with |r| <= ln2/128: e^x = 2^k 2^(j/64) e^r.
    constexpr double kSixtyfourOverLn2 = 92.33248261689366;
    constexpr double kRoundingShift = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
    // ln2/64 in two parts (Cody and Waite): the first with its low 21 bits
    // zero, so that n times it is exact for |n| < 2^21.
    constexpr double kLn2Over64High = 0.01083042469326756;
    constexpr double kLn2Over64Low = 2.9815858269852933e-12;
    const double shifted = x * kSixtyfourOverLn2 + kRoundingShift;
    const double n = shifted - kRoundingShift;
    const auto whole = static_cast<std::int64_t>(n);
    const double r = (x - n * kLn2Over64High) - n * kLn2Over64Low;
    // e^r - 1 to r^6: the remainder, below r^7/5040 ~ 3e-20, is far below an ulp.
    const double tail = r + r * r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0)))));
    const double table = detail::kExp2Sixtyfourths[whole & 63];
    const std::uint64_t scale_bits = static_cast<std::uint64_t>((whole >> 6) + 1023) << 52;
    double scale;
    std::memcpy(&scale, &scale_bits, sizeof scale);
    return (table + table * tail) * scale;
#endif
}

}  // namespace scls
