// The digits of exact sums (exact_sum.hpp) for several values at once, in
// vector registers: what the CPU backend adds per lifetime. Each lane gets
// the digits value_digits gives its value, so the limbs, and every bit of a
// run's results, are those of the scalar form; only the arithmetic differs.
// The values' limbs are kept in groups of kValuesPerLimbGroup values, limb
// by limb (grouped_limb), so that one vector add takes one limb of several
// values; the launch site turns them into the tally's layout (value by value)
// when it adds a thread's tallies to the run's. Host only.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/core/exact_sum.hpp"
#include "kernels/core/lanes.hpp"

namespace scls {

inline constexpr int kValuesPerLimbGroup = 8;
inline constexpr int kLimbsPerGroup = kValuesPerLimbGroup * kLimbsPerValue;

// Where limb `l` of value `value` lies among grouped limbs.
constexpr int grouped_limb(int value, int l)
{
    return (value / kValuesPerLimbGroup) * kLimbsPerGroup + l * kValuesPerLimbGroup + value % kValuesPerLimbGroup;
}

#if SCLS_HOST_SSE2
namespace detail {

// product(x, y), or under clang x * y: clang refuses a call (the lambda's)
// that passes vectors wider than the calling template's target allows, and
// finds the one pmuludq itself, the high halves being zero.
template <class ProductOfLowHalves, class Bits>
SCLS_FORCEINLINE Bits low_halves_product(ProductOfLowHalves product, Bits x, Bits y)
{
#if defined(__clang__)
    (void)product;
    return x * y;
#else
    return product(x, y);
#endif
}

template <int N>
struct DigitsInLanes {
    typename Lanes<N>::Bits digit[kLimbsPerValue];  // in Limb order
    typename Lanes<N>::Bits out_of_range;           // 1 where the value is out of range, else 0
};

// value_digits for N values with their scales. product(x, y): the 64-bit
// products of the low 32 bits of x's and y's lanes, one pmuludq, which the
// caller gives (an intrinsic needs the caller's target; the vector
// extensions' 64-bit product would be three).
template <int N, class ProductOfLowHalves>
SCLS_FORCEINLINE DigitsInLanes<N> value_digits_in_lanes(typename Lanes<N>::Real value, typename Lanes<N>::Real scale,
                                                       ProductOfLowHalves product)
{
    using L = Lanes<N>;
    using Real = typename L::Real;
    using Bits = typename L::Bits;
    constexpr std::uint64_t kLow32 = 0xFFFFFFFFu;
    constexpr double kTwoTo52 = 4503599627370496.0;
    constexpr std::uint64_t kTwoTo52Bits = 0x4330000000000000;
    constexpr std::uint64_t kSignificand = 0x000FFFFFFFFFFFFF;
    constexpr std::uint64_t kHiddenBit = 0x0010000000000000;
    constexpr std::uint64_t kAllButSign = 0x7FFFFFFFFFFFFFFF;

    const Real scaled = value * scale;
    const Bits sign = L::bits(scaled) >> 63;
    const Real magnitude = L::real(L::bits(scaled) & kAllButSign);
    const Bits in_range = L::to_bits(magnitude < kLargestQuanta);  // all ones where in range; NaN is not
    const Real kept = L::real(L::bits(magnitude) & in_range);      // 0 where out of range
    // |q|: below 2^52 rounded to the nearest integer (ties to even, as the
    // scalar conversion) by adding 2^52, whose ulp is 1; from 2^52 on a
    // whole number already, its significand shifted into place.
    const Bits small = L::to_bits(kept < kTwoTo52);
    const Bits rounded_small = L::bits(kept + kTwoTo52) - kTwoTo52Bits;
    const Bits shift = ((L::bits(kept) >> 52) - 1075) & ~small;
    const Bits whole_large = ((L::bits(kept) & kSignificand) | kHiddenBit) << shift;
    const Bits m = (rounded_small & small) | (whole_large & ~small);
    // q = -m where the value is negative and rounds to a nonzero q.
    const Bits negative = sign & L::to_bits(m != 0);
    const Bits q = (m ^ (0 - negative)) + negative;
    // q^2 = m^2 = a^2 + 2ab 2^32 + b^2 2^64 with m = a + b 2^32 (b < 2^30),
    // its 32-bit digits with their carries.
    const Bits a = m & kLow32;
    const Bits b = m >> 32;
    const Bits aa = low_halves_product(product, a, a);
    const Bits ab = low_halves_product(product, a, b);
    const Bits bb = low_halves_product(product, b, b);
    const Bits at_32 = (aa >> 32) + ((ab << 1) & kLow32);
    const Bits at_64 = (at_32 >> 32) + (ab >> 31) + (bb & kLow32);
    DigitsInLanes<N> d;
    d.digit[limb(Limb::sum_low)] = q & kLow32;
    d.digit[limb(Limb::sum_high)] = q >> 32;
    d.digit[limb(Limb::negatives)] = negative;
    d.digit[limb(Limb::square_0)] = aa & kLow32;
    d.digit[limb(Limb::square_1)] = at_32 & kLow32;
    d.digit[limb(Limb::square_2)] = at_64 & kLow32;
    d.digit[limb(Limb::square_3)] = (at_64 >> 32) + (bb >> 32);
    d.out_of_range = in_range + 1;  // all ones + 1 = 0, zero + 1 = 1
    return d;
}

// Adds the digits of values[0 .. Groups * kValuesPerLimbGroup), each with
// scales[] of its own, to grouped limbs; returns how many values were out of
// range. Zeros are added too (their digits are zeros): a test for a vector
// of zeros, mispredicted as often as not, cost more than it saved.
template <int N, int Groups, class ProductOfLowHalves>
SCLS_FORCEINLINE std::uint32_t add_grouped_limbs_in_lanes(const double* values, const double* scales, std::uint64_t* limbs,
                                                          ProductOfLowHalves product)
{
    using L = Lanes<N>;
    using Real = typename L::Real;
    using Bits = typename L::Bits;
    static_assert(kValuesPerLimbGroup % N == 0, "a group is whole vectors");
    Bits out_of_range{};
    for (int group = 0; group < Groups; ++group) {
        for (int first = 0; first < kValuesPerLimbGroup; first += N) {
            const int v = group * kValuesPerLimbGroup + first;
            Real value;
            std::memcpy(&value, values + v, sizeof value);
            Real scale;
            std::memcpy(&scale, scales + v, sizeof scale);
            const DigitsInLanes<N> d = value_digits_in_lanes<N>(value, scale, product);
            std::uint64_t* limb_of_lanes = limbs + grouped_limb(v, 0);
            for (int l = 0; l < kLimbsPerValue; ++l) {
                Bits sum;
                std::memcpy(&sum, limb_of_lanes + l * kValuesPerLimbGroup, sizeof sum);
                sum += d.digit[l];
                std::memcpy(limb_of_lanes + l * kValuesPerLimbGroup, &sum, sizeof sum);
            }
            out_of_range += d.out_of_range;
        }
    }
    std::uint64_t total = 0;
    for (int lane = 0; lane < N; ++lane) {
        total += out_of_range[lane];
    }
    return static_cast<std::uint32_t>(total);
}

// ... in each register width, out of line (one call per lifetime). The
// products are lambdas of the function's target, which GCC inlines.
template <int Groups>
__attribute__((target("avx512f"), noinline)) std::uint32_t add_grouped_limbs_avx512(const double* values, const double* scales,
                                                                                   std::uint64_t* limbs)
{
    using Bits = Lanes<8>::Bits;
    return add_grouped_limbs_in_lanes<8, Groups>(values, scales, limbs, [](Bits x, Bits y) __attribute__((target("avx512f"))) {
        return reinterpret_cast<Bits>(_mm512_maskz_mul_epu32(0xFF, reinterpret_cast<__m512i>(x), reinterpret_cast<__m512i>(y)));
    });
}
template <int Groups>
__attribute__((target("avx2"), noinline)) std::uint32_t add_grouped_limbs_avx2(const double* values, const double* scales,
                                                                              std::uint64_t* limbs)
{
    using Bits = Lanes<4>::Bits;
    return add_grouped_limbs_in_lanes<4, Groups>(values, scales, limbs, [](Bits x, Bits y) __attribute__((target("avx2"))) {
        return reinterpret_cast<Bits>(_mm256_mul_epu32(reinterpret_cast<__m256i>(x), reinterpret_cast<__m256i>(y)));
    });
}
template <int Groups>
__attribute__((noinline)) std::uint32_t add_grouped_limbs_sse2(const double* values, const double* scales, std::uint64_t* limbs)
{
    using Bits = Lanes<2>::Bits;
    return add_grouped_limbs_in_lanes<2, Groups>(values, scales, limbs, [](Bits x, Bits y) {
        return reinterpret_cast<Bits>(_mm_mul_epu32(reinterpret_cast<__m128i>(x), reinterpret_cast<__m128i>(y)));
    });
}

}  // namespace detail
#endif

// The same, one value at a time (hosts without SSE2, and the reference the
// lanes are tested against).
template <int Groups>
std::uint32_t add_grouped_limbs_one_by_one(const double* values, const double* scales, std::uint64_t* limbs)
{
    std::uint32_t out_of_range = 0;
    for (int v = 0; v < Groups * kValuesPerLimbGroup; ++v) {
        if (values[v] == 0.0) {
            continue;
        }
        std::uint32_t digits[kLimbsPerValue];
        out_of_range += value_digits(values[v], scales[v], digits) ? 0u : 1u;
        for (int l = 0; l < kLimbsPerValue; ++l) {
            limbs[grouped_limb(v, l)] += digits[l];
        }
    }
    return out_of_range;
}

}  // namespace scls
