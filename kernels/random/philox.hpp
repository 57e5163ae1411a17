// Philox4x32-10 counter-based generator (Salmon et al., SC'11, "Parallel
// random numbers: as easy as 1, 2, 3"), with the stream layout of cuRAND's
// device API: curand_init(seed, subsequence, offset) sets key = seed and
// counter = {offset / 4 (64 bits), subsequence (64 bits)}, and curand()
// returns the four words of each block in order. The host implementation
// here therefore draws exactly what cuRAND draws on the device.
#pragma once

#include <cstdint>

#include "kernels/core/lanes.hpp"
#include "kernels/core/macros.hpp"

// Host builds (nvcc's host pass draws no patients), but not the one that
// measures the GPU's schedule: it draws as the GPU does, a block at a time.
#if SCLS_HOST_SSE2 && !defined(SCLS_MEASURE_PARTS)
#include <emmintrin.h>
#define SCLS_PHILOX_PAIRS_IN_SSE2 1
#else
#define SCLS_PHILOX_PAIRS_IN_SSE2 0
#endif

namespace scls {

struct PhiloxCounter {
    std::uint32_t word[4];
};

struct PhiloxKey {
    std::uint32_t word[2];
};

namespace detail {
inline constexpr std::uint32_t kPhiloxMultiplier0 = 0xD2511F53u;
inline constexpr std::uint32_t kPhiloxMultiplier1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kPhiloxWeyl0 = 0x9E3779B9u;  // golden ratio
inline constexpr std::uint32_t kPhiloxWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

SCLS_FUNCTION SCLS_FORCEINLINE std::uint32_t mul_hi_lo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi)
{
#if SCLS_DEVICE_PASS
    hi = __umulhi(a, b);
    return a * b;
#else
    const std::uint64_t product = static_cast<std::uint64_t>(a) * b;
    hi = static_cast<std::uint32_t>(product >> 32);
    return static_cast<std::uint32_t>(product);
#endif
}

SCLS_FUNCTION SCLS_FORCEINLINE PhiloxCounter philox_round(PhiloxCounter c, PhiloxKey k)
{
    std::uint32_t hi0;
    std::uint32_t hi1;
    const std::uint32_t lo0 = mul_hi_lo(kPhiloxMultiplier0, c.word[0], hi0);
    const std::uint32_t lo1 = mul_hi_lo(kPhiloxMultiplier1, c.word[2], hi1);
    return PhiloxCounter{{hi1 ^ c.word[1] ^ k.word[0], lo1, hi0 ^ c.word[3] ^ k.word[1], lo0}};
}
}  // namespace detail

// The bijection itself: ten rounds with the key bumped by the Weyl constants.
SCLS_FUNCTION inline PhiloxCounter philox4x32_10(PhiloxCounter counter, PhiloxKey key)
{
#if SCLS_DEVICE_PASS
#pragma unroll
#endif
    for (int round = 0; round < 9; ++round) {
        counter = detail::philox_round(counter, key);
        key.word[0] += detail::kPhiloxWeyl0;
        key.word[1] += detail::kPhiloxWeyl1;
    }
    return detail::philox_round(counter, key);
}

// Two blocks under one key at once, as philox4x32_10 draws each. On an x86-64
// host the pair runs in the two 64-bit lanes of SSE2 registers (every
// x86-64 has them): the 32-bit words sit in the lanes' low halves, and what
// accumulates in the high halves is never read (the multiplier reads only
// the low halves, and the result is their low halves), so a pair costs about
// what one block does in general-purpose registers. Elsewhere, one after the other.
SCLS_FUNCTION SCLS_FORCEINLINE void philox4x32_10_pair(PhiloxCounter& first, PhiloxCounter& second, PhiloxKey key)
{
#if SCLS_PHILOX_PAIRS_IN_SSE2
    const __m128i multiplier0 = _mm_set1_epi64x(detail::kPhiloxMultiplier0);
    const __m128i multiplier1 = _mm_set1_epi64x(detail::kPhiloxMultiplier1);
    const __m128i weyl0 = _mm_set1_epi64x(detail::kPhiloxWeyl0);
    const __m128i weyl1 = _mm_set1_epi64x(detail::kPhiloxWeyl1);
    __m128i key0 = _mm_set1_epi64x(key.word[0]);
    __m128i key1 = _mm_set1_epi64x(key.word[1]);
    __m128i c[4];
    for (int w = 0; w < 4; ++w) {
        c[w] = _mm_set_epi64x(second.word[w], first.word[w]);  // lane 0: first
    }
    for (int round = 0; round < 10; ++round) {
        const __m128i product0 = _mm_mul_epu32(multiplier0, c[0]);
        const __m128i product1 = _mm_mul_epu32(multiplier1, c[2]);
        c[0] = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(product1, 32), c[1]), key0);
        c[1] = product1;
        c[2] = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(product0, 32), c[3]), key1);
        c[3] = product0;
        key0 = _mm_add_epi64(key0, weyl0);
        key1 = _mm_add_epi64(key1, weyl1);
    }
    for (int w = 0; w < 4; ++w) {
        first.word[w] = static_cast<std::uint32_t>(_mm_cvtsi128_si32(c[w]));
        second.word[w] = static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(c[w], c[w])));
    }
#else
    first = philox4x32_10(first, key);
    second = philox4x32_10(second, key);
#endif
}

// A sequential stream of 32-bit words, equal to a curandStatePhilox4_32_10_t
// initialised with curand_init(seed, subsequence, offset) and read with curand().
class PhiloxStream {
  public:
    PhiloxStream() = default;  // a placeholder, to be assigned an opened stream
    SCLS_FUNCTION PhiloxStream(std::uint64_t seed, std::uint64_t subsequence, std::uint64_t offset)
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}}
    {
        const std::uint64_t block = offset / 4;
        counter_ = PhiloxCounter{{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                                  static_cast<std::uint32_t>(subsequence),
                                  static_cast<std::uint32_t>(subsequence >> 32)}};
        position_ = static_cast<std::uint32_t>(offset & 3u);
        output_ = philox4x32_10(counter_, key_);
    }

    // Next 32 random bits (curand()).
    SCLS_FUNCTION SCLS_FORCEINLINE std::uint32_t next()
    {
        const std::uint32_t value = output_.word[position_];
        if (++position_ == 4) {
            advance_block();
            position_ = 0;
        }
        return value;
    }

  private:
    SCLS_FUNCTION SCLS_FORCEINLINE void advance_block()
    {
        // 128-bit increment, carrying through all four words as cuRAND does.
        if (++counter_.word[0] == 0 && ++counter_.word[1] == 0 && ++counter_.word[2] == 0) {
            ++counter_.word[3];
        }
        output_ = philox4x32_10(counter_, key_);
    }

    PhiloxKey key_;
    PhiloxCounter counter_;
    PhiloxCounter output_;
    std::uint32_t position_;
};

// Integer-to-real conversions, done by our code on both backends so the
// CPU and GPU see identical uniforms.

// Uniform on the open interval (0, 1): (x + 1/2) / 2^32, exact in double.
SCLS_FUNCTION SCLS_FORCEINLINE double to_open_unit(std::uint32_t bits)
{
    return (static_cast<double>(bits) + 0.5) * 2.3283064365386962890625e-10;
}

#if SCLS_HOST_SSE2
// ... in lanes (kernels/core/lanes.hpp) of 32-bit words, each lane the bits
// to_open_unit gives it: both conversions to double are exact.
template <int N>
SCLS_FORCEINLINE typename Lanes<N>::Real to_open_unit_lanes(typename Lanes<N>::Bits words)
{
    return (Lanes<N>::small_integer(Lanes<N>::to_signed(words)) + 0.5) * 2.3283064365386962890625e-10;
}
#endif

// Uniform on (0, 1) with 52 random bits from two words, for draws that need
// resolution finer than 2^-32 (normal tails): (x + 1/2) / 2^52, exact in
// double, so never 0 or 1.
SCLS_FUNCTION SCLS_FORCEINLINE double to_open_unit_52(std::uint32_t high_bits, std::uint32_t low_bits)
{
    const std::uint64_t mantissa = (static_cast<std::uint64_t>(high_bits) << 20) | static_cast<std::uint64_t>(low_bits >> 12);
    return (static_cast<double>(mantissa) + 0.5) * 2.220446049250313080847263336181640625e-16;
}

}  // namespace scls
