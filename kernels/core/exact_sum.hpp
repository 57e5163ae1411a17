// Exact, order-free sums of real values, for both backends.
//
// Each value is rounded to a whole multiple q of its quantum (a power of
// two: 2^-8 for money, 2^-24 for everything else, kernels/model/tally.hpp) and
// its integer q (as 64-bit two's complement, with a count of negative
// values), and q squared, are cut into 32-bit digits that are added into
// 64-bit limbs. A zero adds nothing, so a backend may skip zeros. Integer additions give the same result in any order, so
// a sum no longer depends on threads, schedules, batches, ranks or GPU lanes.
// A limb receives at most one digit (< 2^32) per lifetime and a parameter set
// has fewer than 2^32 patients, so no limb can overflow. The host turns the
// limbs of a whole run back into double sums (exact_sum_of, exact_sum_of_squares).
//
// The added error is the rounding of each value to its quantum: at most half
// of it (0.002 of a currency unit, 3.0e-8 of a QALY or a year), so every mean
// is the exact mean of values that differ from the simulated ones by no more
// than that — far below any Monte Carlo standard error. The range is 2^62
// quanta: 1.8e16 in money, 2.7e11 in QALYs, years or attacks.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/core/macros.hpp"

#if SCLS_HOST_SSE2
#include <emmintrin.h>
#endif

namespace scls {

// Values must be smaller than 2^62 quanta in magnitude: then q^2 < 2^124,
// four digits. Larger or non-finite values are counted as out of range (the
// host refuses the results) and add nothing.
inline constexpr double kLargestQuanta = 4611686018427387904.0;  // 2^62

// 128-bit integers (a GCC and nvcc extension, which -Wpedantic is told of once).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// Limbs of one value: q's 64-bit two's complement in two digits, 1 if q is
// negative, then q^2 in four.
enum class Limb : int { sum_low = 0, sum_high, negatives, square_0, square_1, square_2, square_3 };
inline constexpr int kLimbsPerValue = 7;
SCLS_FUNCTION constexpr int limb(Limb l) { return static_cast<int>(l); }

// The high 64 bits of a 64 x 64-bit product.
SCLS_FUNCTION SCLS_FORCEINLINE std::uint64_t multiply_high(std::uint64_t a, std::uint64_t b)
{
#if SCLS_DEVICE_PASS
    return __umul64hi(a, b);
#else
    return static_cast<std::uint64_t>((static_cast<UInt128>(a) * b) >> 64);
#endif
}

// llrint: to the nearest integer, ties to even (the default rounding mode,
// which nothing in sclsim changes). On x86-64 the SSE2 conversion, which
// rounds by that mode, inline: libm's llrint is a call through the PLT
// that also spills the caller's registers, about 20 instructions per value.
SCLS_FUNCTION SCLS_FORCEINLINE std::int64_t round_to_int64(double x)
{
#if SCLS_HOST_SSE2  // nvcc's host pass, which tallies nothing, keeps llrint
    return _mm_cvtsd_si64(_mm_set_sd(x));
#else
    return llrint(x);
#endif
}

// One value's digits, in Limb order, with its quantum 1/scale (scale a power
// of two, so scaling is exact); returns false (and the digits of 0) when the
// value is out of range.
SCLS_FUNCTION SCLS_FORCEINLINE bool value_digits(double value, double scale, std::uint32_t digits[kLimbsPerValue])
{
    const double scaled = value * scale;
    const bool in_range = scaled > -kLargestQuanta && scaled < kLargestQuanta;  // false for NaN
    const std::int64_t q = in_range ? round_to_int64(scaled) : 0;  // ties to even on both backends
    const auto twos_complement = static_cast<std::uint64_t>(q);
    const std::uint64_t magnitude = q < 0 ? 0 - twos_complement : twos_complement;
    const std::uint64_t square_low = magnitude * magnitude;
    const std::uint64_t square_high = multiply_high(magnitude, magnitude);
    digits[limb(Limb::sum_low)] = static_cast<std::uint32_t>(twos_complement);
    digits[limb(Limb::sum_high)] = static_cast<std::uint32_t>(twos_complement >> 32);
    digits[limb(Limb::negatives)] = q < 0 ? 1u : 0u;
    digits[limb(Limb::square_0)] = static_cast<std::uint32_t>(square_low);
    digits[limb(Limb::square_1)] = static_cast<std::uint32_t>(square_low >> 32);
    digits[limb(Limb::square_2)] = static_cast<std::uint32_t>(square_high);
    digits[limb(Limb::square_3)] = static_cast<std::uint32_t>(square_high >> 32);
    return in_range;
}

// Host side: the sums a value's limbs hold.

// Sum of the rounded values: each negative q was added as q + 2^64.
inline double exact_sum_of(const std::uint64_t limbs[kLimbsPerValue], double scale)
{
    const Int128 unsigned_total =
        static_cast<Int128>(limbs[limb(Limb::sum_low)]) + (static_cast<Int128>(limbs[limb(Limb::sum_high)]) << 32);
    const Int128 total = unsigned_total - (static_cast<Int128>(limbs[limb(Limb::negatives)]) << 64);  // |total| < 2^94
    const bool negative = total < 0;
    const auto magnitude = static_cast<UInt128>(negative ? -total : total);
    // Rounded once, to nearest; dividing by a power of two is exact.
    const double value = static_cast<double>(magnitude) / scale;
    return negative ? -value : value;
}

// Sum of the squares of the rounded values.
inline double exact_sum_of_squares(const std::uint64_t limbs[kLimbsPerValue], double scale)
{
    // q^2 summed = L3 + L4 2^32 + (L5 + L6 2^32) 2^64 < 2^161: a 128-bit low
    // part and the bits above it.
    const UInt128 low_part = static_cast<UInt128>(limbs[limb(Limb::square_0)]) + (static_cast<UInt128>(limbs[limb(Limb::square_1)]) << 32);
    const UInt128 high_part = static_cast<UInt128>(limbs[limb(Limb::square_2)]) + (static_cast<UInt128>(limbs[limb(Limb::square_3)]) << 32);
    const UInt128 low = low_part + (high_part << 64);
    const UInt128 carry = low < low_part ? 1 : 0;
    const UInt128 top = (high_part >> 64) + carry;  // weight 2^128
    constexpr double two_to_64 = 18446744073709551616.0;
    const double value = (static_cast<double>(top) * two_to_64 + static_cast<double>(static_cast<std::uint64_t>(low >> 64))) * two_to_64 +
                         static_cast<double>(static_cast<std::uint64_t>(low));
    return value / (scale * scale);
}

}  // namespace scls
