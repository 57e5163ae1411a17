// Several doubles in one vector register, for the host: the same IEEE
// operations as scalar code, lane by lane. Lanes<N> for N > 1 are GCC's
// vector extensions, which the compiler maps onto the registers of the
// function they are inlined into (two SSE2 registers, one AVX2 register or
// half an AVX-512 one for four lanes); attack_draws.hpp and variate_batch.hpp
// build such functions for each register width and pick one at run time.
// Lanes<1> is one double, so that a function written once over Lanes<N>
// (logarithm.hpp, exponential.hpp, discounting.hpp, accrual.hpp,
// hazard_process.hpp, events.hpp) is the scalar function at N = 1: its lanes
// cannot round differently from it (-ffp-contract=off keeps a * b + c two
// roundings in both).
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/core/macros.hpp"

#if SCLS_HOST_SSE2
#include <immintrin.h>  // test instructions for any(), where the unit is built for them
#endif

namespace scls {

// 1.5 * 2^52: a double in [2^52, 2^53) has a unit ulp, so adding it to a
// number below 2^51 in magnitude rounds that number to an integer, kept in
// the low bits (the bits of 1.5 * 2^52 + k are kExactIntegerBiasBits + k).
inline constexpr double kExactIntegerBias = 6755399441055744.0;
inline constexpr std::uint64_t kExactIntegerBiasBits = 0x4338000000000000;

template <int N>
struct Lanes;

// One double: bits by memcpy, table entries by index.
template <>
struct Lanes<1> {
    using Real = double;
    using Bits = std::uint64_t;
    using Signed = std::int64_t;
    using Mask = bool;  // a comparison's result
    SCLS_FUNCTION static SCLS_FORCEINLINE Bits bits(Real x)
    {
        Bits b;
        std::memcpy(&b, &x, sizeof b);
        return b;
    }
    SCLS_FUNCTION static SCLS_FORCEINLINE Real real(Bits b)
    {
        Real x;
        std::memcpy(&x, &b, sizeof x);
        return x;
    }
    SCLS_FUNCTION static SCLS_FORCEINLINE Signed to_signed(Bits b) { return static_cast<Signed>(b); }
    SCLS_FUNCTION static SCLS_FORCEINLINE Bits to_bits(Signed s) { return static_cast<Bits>(s); }
    // An integer below 2^51 in magnitude, exactly.
    SCLS_FUNCTION static SCLS_FORCEINLINE Real small_integer(Signed k) { return static_cast<Real>(k); }
    // table[index].*field, or table[index] for a table of doubles.
    template <class Entry, class Field>
    SCLS_FUNCTION static SCLS_FORCEINLINE Real lookup(const Entry* table, Bits index, Field Entry::*field)
    {
        return table[index].*field;
    }
    SCLS_FUNCTION static SCLS_FORCEINLINE Real lookup(const double* table, Bits index) { return table[index]; }
    SCLS_FUNCTION static SCLS_FORCEINLINE bool any(Mask mask) { return mask; }
    SCLS_FUNCTION static SCLS_FORCEINLINE Mask every() { return true; }
    SCLS_FUNCTION static SCLS_FORCEINLINE Real broadcast(double x) { return x; }
    SCLS_FUNCTION static SCLS_FORCEINLINE Real select(Mask mask, Real if_set, Real if_clear) { return mask ? if_set : if_clear; }
};

#if SCLS_HOST_SSE2
namespace detail {
// Outside Lanes, so that inside it the types depend on N (GCC checks a
// subscript of a member typedef before it applies the vector size).
template <int N>
struct VectorTypes {
    typedef double Real __attribute__((vector_size(8 * N)));
    typedef std::uint64_t Bits __attribute__((vector_size(8 * N)));
    typedef std::int64_t Signed __attribute__((vector_size(8 * N)));
};
}  // namespace detail

// A vector wider than the baseline registers, passed by value, has an ABI
// of its own that GCC warns of (-Wpsabi, off for the kernels' consumers in
// CMakeLists.txt): these functions are always inlined, so none crosses a call.
template <int N>
struct Lanes {
    static_assert(N == 2 || N == 4 || N == 8, "lanes of 2, 4 or 8 doubles");
    using Real = typename detail::VectorTypes<N>::Real;
    using Bits = typename detail::VectorTypes<N>::Bits;
    using Signed = typename detail::VectorTypes<N>::Signed;
    using Mask = Signed;  // a comparison's result: all ones where true, zero where false
    // Casts between vectors of one size keep the bits.
    static SCLS_FORCEINLINE Bits bits(Real x) { return reinterpret_cast<Bits>(x); }
    static SCLS_FORCEINLINE Real real(Bits b) { return reinterpret_cast<Real>(b); }
    static SCLS_FORCEINLINE Signed to_signed(Bits b) { return reinterpret_cast<Signed>(b); }
    static SCLS_FORCEINLINE Bits to_bits(Signed s) { return reinterpret_cast<Bits>(s); }
    // The double of kExactIntegerBiasBits + k is 1.5 * 2^52 + k for |k| <
    // 2^51, so subtracting the bias is exact (x86-64 converts int64 lanes
    // only with AVX-512DQ).
    static SCLS_FORCEINLINE Real small_integer(Signed k)
    {
        return reinterpret_cast<Real>(reinterpret_cast<Bits>(k) + kExactIntegerBiasBits) - kExactIntegerBias;
    }
    // One load a lane; GCC assembles them into the register (its generic
    // tuning emits no gather instruction, which is no faster here).
    template <class Entry, class Field>
    static SCLS_FORCEINLINE Real lookup(const Entry* table, Bits index, Field Entry::*field)
    {
        Real out;
        for (int lane = 0; lane < N; ++lane) {
            out[lane] = table[index[lane]].*field;
        }
        return out;
    }
    static SCLS_FORCEINLINE Real lookup(const double* table, Bits index)
    {
        Real out;
        for (int lane = 0; lane < N; ++lane) {
            out[lane] = table[index[lane]];
        }
        return out;
    }
    // Whether any lane of a mask is set. Where the translation unit is built
    // for AVX-512, one test instruction for 8 lanes; for AVX, one for 4
    // lanes (8 lanes fold once first). Elsewhere, and in functions given
    // those registers by a target attribute (where the macros are not
    // defined), the halves or'ed together until one lane is left, in
    // registers on every target (a loop over the lanes would extract each
    // one). Folding cost about 1.2 ns a lane-event on the lane-step bound
    // (12.1 against 10.9 ns: results/bench/cpu-lane-bound.md, fourteenth
    // part). Always inlined, so no out-of-line copy built for one target can
    // serve another.
    static SCLS_FORCEINLINE bool any(Mask mask)
    {
#if defined(__AVX512F__)
        if constexpr (N == 8) {
            const __m512i m = reinterpret_cast<__m512i>(mask);
            return _mm512_test_epi64_mask(m, m) != 0;
        } else
#endif
#if defined(__AVX__)
        if constexpr (N == 4) {
            const __m256i m = reinterpret_cast<__m256i>(mask);
            return !_mm256_testz_si256(m, m);
        } else
#endif
        if constexpr (N == 8) {
            return Lanes<4>::any(__builtin_shufflevector(mask, mask, 0, 1, 2, 3) |
                                 __builtin_shufflevector(mask, mask, 4, 5, 6, 7));
        } else if constexpr (N == 4) {
            return Lanes<2>::any(__builtin_shufflevector(mask, mask, 0, 1) | __builtin_shufflevector(mask, mask, 2, 3));
        } else {
            return (mask[0] | mask[1]) != 0;
        }
    }
    // A mask with every lane set.
    static SCLS_FORCEINLINE Mask every() { return Mask{} == 0; }
    // x in every lane, its bits kept (Real{} + x would turn -0.0 into +0.0).
    static SCLS_FORCEINLINE Real broadcast(double x)
    {
        Real v{};
        for (int lane = 0; lane < N; ++lane) {
            v[lane] = x;
        }
        return v;
    }
    // Lane by lane, if_set where the mask is set and if_clear where not (a blend).
    static SCLS_FORCEINLINE Real select(Mask mask, Real if_set, Real if_clear) { return mask ? if_set : if_clear; }
    // Masks and blends from integer arithmetic, for code inlined into a
    // function that a target attribute gives wider registers than its unit's,
    // where GCC 12 splits a comparison of lanes into one a lane
    // (normal_quantile_lanes): all ones in the lanes whose sign bit is set
    // (x < 0 where x is never -0 or NaN), ...
    static SCLS_FORCEINLINE Mask sign_mask(Real x) { return to_signed(bits(x)) >> 63; }
    // ... and select() by bits.
    static SCLS_FORCEINLINE Real blend(Mask mask, Real if_set, Real if_clear)
    {
        return real((bits(if_set) & to_bits(mask)) | (bits(if_clear) & ~to_bits(mask)));
    }
};
#endif

}  // namespace scls
