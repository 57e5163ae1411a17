// The standard normals and unit exponentials of one patient's attributes
// (patient.hpp), asked for first and then computed together: on an x86-64
// host in vector lanes (the exponentials in one AVX-512 register, the
// normals in one or two), elsewhere one at a time. Each is the bits
// normal_quantile or unit_exponential gives it however it is computed, so
// the registers chosen cannot change a result (variate_batch_test.cpp).
// In AVX-512 registers this costs a patient fewer instructions than one at a
// time; in AVX2 and SSE2 about as many (results/bench/cpu-engine.md,
// nineteenth part).
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"
#include "kernels/random/attack_blocks.hpp"
#include "kernels/random/distributions.hpp"

namespace scls {

struct VariateBatch {
    // Age, weight, a spread per response slot (8), the frailty, the pathway,
    // the first and the diagnostic attack's stays: 14 at most.
    static constexpr int kNormals = 16;
    // Background death, myeloma onset and death, the first and the
    // diagnostic attack's budgets, the first discontinuation and adverse
    // event: 7.
    static constexpr int kExponentials = 8;

    double normal_probability[kNormals];      // the quantile of each asked for
    std::uint32_t exponential_word[kExponentials];
    int normals = 0;
    int exponentials = 0;

    // Each returns where its value will be (VariateValues).
    SCLS_FUNCTION SCLS_FORCEINLINE int ask_normal(double probability)
    {
        SCLS_EXPECT(normals < kNormals);
        normal_probability[normals] = probability;
        return normals++;
    }
    SCLS_FUNCTION SCLS_FORCEINLINE int ask_exponential(std::uint32_t word)
    {
        SCLS_EXPECT(exponentials < kExponentials);
        exponential_word[exponentials] = word;
        return exponentials++;
    }
};

struct VariateValues {
    double normal[VariateBatch::kNormals];
    double exponential[VariateBatch::kExponentials];
};

SCLS_FUNCTION SCLS_FORCEINLINE void compute_one_at_a_time(const VariateBatch& batch, VariateValues& values)
{
    for (int i = 0; i < batch.normals; ++i) {
        values.normal[i] = normal_quantile(batch.normal_probability[i]);
    }
    for (int i = 0; i < batch.exponentials; ++i) {
        values.exponential[i] = unit_exponential(batch.exponential_word[i]);
    }
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS
namespace detail {

// N at a time; a lane past the last asked for computes the quantile of 1/2
// and the exponential of word 0, never read.
template <int N>
SCLS_FORCEINLINE void compute_in_lanes(const VariateBatch& batch, VariateValues& values)
{
    using L = Lanes<N>;
    for (int first = 0; first < batch.normals; first += N) {
        typename L::Real probability;
        for (int lane = 0; lane < N; ++lane) {
            probability[lane] = first + lane < batch.normals ? batch.normal_probability[first + lane] : 0.5;
        }
        const typename L::Real normal = normal_quantile_lanes<N>(probability);
        std::memcpy(&values.normal[first], &normal, sizeof normal);
    }
    for (int first = 0; first < batch.exponentials; first += N) {
        typename L::Bits words;
        for (int lane = 0; lane < N; ++lane) {
            words[lane] = first + lane < batch.exponentials ? batch.exponential_word[first + lane] : 0u;
        }
        const typename L::Real exponential = unit_exponential_lanes<N>(words);
        std::memcpy(&values.exponential[first], &exponential, sizeof exponential);
    }
}

static_assert(VariateBatch::kNormals % 8 == 0 && VariateBatch::kExponentials % 8 == 0, "whole registers of every width");

__attribute__((target("avx512f"), noinline)) inline void compute_avx512(const VariateBatch& batch, VariateValues& values)
{
    compute_in_lanes<8>(batch, values);
}

__attribute__((target("avx2"), noinline)) inline void compute_avx2(const VariateBatch& batch, VariateValues& values)
{
    compute_in_lanes<4>(batch, values);
}

__attribute__((noinline)) inline void compute_sse2(const VariateBatch& batch, VariateValues& values)
{
    compute_in_lanes<2>(batch, values);
}

}  // namespace detail

// In the given registers.
inline void compute_variates(const VariateBatch& batch, VariateValues& values, AttackBlockRegisters registers)
{
    switch (registers) {
        case AttackBlockRegisters::avx512: detail::compute_avx512(batch, values); return;
        case AttackBlockRegisters::avx2: detail::compute_avx2(batch, values); return;
        case AttackBlockRegisters::sse2: detail::compute_sse2(batch, values); return;
    }
}
#endif

// In the registers this process uses (attack_blocks.hpp), or one at a time.
SCLS_FUNCTION SCLS_FORCEINLINE void compute_variates(const VariateBatch& batch, VariateValues& values)
{
#if SCLS_ATTACK_BLOCKS_IN_VECTORS
    compute_variates(batch, values, attack_block_registers_in_use());
#else
    compute_one_at_a_time(batch, values);
#endif
}

}  // namespace scls
