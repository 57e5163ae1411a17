// Eight Philox blocks at once, for the CPU: the blocks of four consecutive
// attacks of one patient (block k of the attack stream and of the
// complication stream, streams.hpp), filled into the attack-draw cache a
// batch at a time (two batches side by side with AVX-512), and a patient's
// attribute blocks (kernels/model/attribute_blocks.hpp). Each block is the
// bits philox4x32_10 gives its counter; only the schedule differs. The
// widest registers the processor has are chosen at run time: AVX-512 (the
// eight blocks in one register), AVX2 (two registers of four), or else SSE2
// (four pairs, philox4x32_10_pair). Integer arithmetic only, so the choice
// cannot change a bit.
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/random/streams.hpp"

#if SCLS_PHILOX_PAIRS_IN_SSE2
#include <immintrin.h>

#include <cstdlib>
#include <string_view>
#define SCLS_ATTACK_BLOCKS_IN_VECTORS 1
#else
#define SCLS_ATTACK_BLOCKS_IN_VECTORS 0
#endif

namespace scls {

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

// Eight Philox counters or blocks side by side: word[w][i] is word w of the
// i-th.
inline constexpr int kPhiloxBatchLanes = 8;
struct PhiloxBatch {
    std::uint32_t word[4][kPhiloxBatchLanes];
};

inline constexpr int kAttacksPerBatch = 4;

// The blocks of attacks first..first+3: lane i < 4 holds attack (first + i)'s
// attack block, lane i + 4 its complication block.
using AttackBlocks = PhiloxBatch;
static_assert(2 * kAttacksPerBatch == kPhiloxBatchLanes, "an attack and a complication block per attack");

namespace detail {

// The counters of attacks first..first+3's blocks: lane i's is {first + i %
// 4, attack or complication stream, patient, set}.
inline PhiloxBatch attack_counters(StreamKey key, std::uint32_t first)
{
    PhiloxBatch counters;
    for (int lane = 0; lane < kPhiloxBatchLanes; ++lane) {
        const PhiloxCounter counter = block_counter(
            key, lane < kAttacksPerBatch ? StreamPurpose::attack : StreamPurpose::attack_complications, first + lane % kAttacksPerBatch);
        for (int w = 0; w < 4; ++w) {
            counters.word[w][lane] = counter.word[w];
        }
    }
    return counters;
}

// GCC 12's AVX-512 intrinsics pass a deliberately undefined operand that its
// own -Wuninitialized then reports (GCC bug 105593, fixed in GCC 13).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#define SCLS_GCC_BUG_105593 1
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#else
#define SCLS_GCC_BUG_105593 0
#endif
// Philox4x32-10's rounds on Batches x eight counters, 32-bit words in the
// low halves of 64-bit lanes (as philox4x32_10_pair keeps them); the blocks
// are left in c. Several batches' rounds in one loop: one set of constants
// and keys for them all (no faster than a loop per batch, measured: the
// processor overlaps the chains either way).
template <int Batches>
__attribute__((target("avx512f"))) SCLS_FORCEINLINE void philox_rounds_avx512(__m512i (&c)[Batches][4], PhiloxKey k)
{
    const __m512i multiplier0 = _mm512_set1_epi64(detail::kPhiloxMultiplier0);
    const __m512i multiplier1 = _mm512_set1_epi64(detail::kPhiloxMultiplier1);
    const __m512i weyl0 = _mm512_set1_epi64(detail::kPhiloxWeyl0);
    const __m512i weyl1 = _mm512_set1_epi64(detail::kPhiloxWeyl1);
    __m512i key0 = _mm512_set1_epi64(k.word[0]);
    __m512i key1 = _mm512_set1_epi64(k.word[1]);
    for (int round = 0; round < 10; ++round) {
        for (int b = 0; b < Batches; ++b) {
            const __m512i product0 = _mm512_mul_epu32(multiplier0, c[b][0]);
            const __m512i product1 = _mm512_mul_epu32(multiplier1, c[b][2]);
            c[b][0] = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(product1, 32), c[b][1]), key0);
            c[b][1] = product1;
            c[b][2] = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(product0, 32), c[b][3]), key1);
            c[b][3] = product0;
        }
        key0 = _mm512_add_epi64(key0, weyl0);
        key1 = _mm512_add_epi64(key1, weyl1);
    }
}

// The blocks of Batches batches of eight counters each.
template <int Batches>
__attribute__((target("avx512f"))) SCLS_FORCEINLINE void philox_batches_avx512(const PhiloxBatch* counters, PhiloxKey key,
                                                                               PhiloxBatch* out)
{
    __m512i c[Batches][4];
    for (int b = 0; b < Batches; ++b) {
        for (int w = 0; w < 4; ++w) {
            c[b][w] = _mm512_cvtepu32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(counters[b].word[w])));
        }
    }
    philox_rounds_avx512<Batches>(c, key);
    for (int b = 0; b < Batches; ++b) {
        for (int w = 0; w < 4; ++w) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[b].word[w]), _mm512_cvtepi64_epi32(c[b][w]));  // the low halves
        }
    }
}

__attribute__((target("avx512f"))) inline void philox_batch_avx512(const PhiloxBatch& counters, PhiloxKey key, PhiloxBatch& out)
{
    philox_batches_avx512<1>(&counters, key, &out);
}
#if SCLS_GCC_BUG_105593
#pragma GCC diagnostic pop
#endif
#undef SCLS_GCC_BUG_105593

__attribute__((target("avx2"))) SCLS_FORCEINLINE void philox_rounds_avx2(__m256i (&c)[4], PhiloxKey k)
{
    const __m256i multiplier0 = _mm256_set1_epi64x(detail::kPhiloxMultiplier0);
    const __m256i multiplier1 = _mm256_set1_epi64x(detail::kPhiloxMultiplier1);
    const __m256i weyl0 = _mm256_set1_epi64x(detail::kPhiloxWeyl0);
    const __m256i weyl1 = _mm256_set1_epi64x(detail::kPhiloxWeyl1);
    __m256i key0 = _mm256_set1_epi64x(k.word[0]);
    __m256i key1 = _mm256_set1_epi64x(k.word[1]);
    for (int round = 0; round < 10; ++round) {
        const __m256i product0 = _mm256_mul_epu32(multiplier0, c[0]);
        const __m256i product1 = _mm256_mul_epu32(multiplier1, c[2]);
        c[0] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(product1, 32), c[1]), key0);
        c[1] = product1;
        c[2] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(product0, 32), c[3]), key1);
        c[3] = product0;
        key0 = _mm256_add_epi64(key0, weyl0);
        key1 = _mm256_add_epi64(key1, weyl1);
    }
}

// Lanes first_lane..first_lane+3 of a batch from the low halves of c.
__attribute__((target("avx2"))) SCLS_FORCEINLINE void store_half_batch_avx2(const __m256i (&c)[4], int first_lane,
                                                                            PhiloxBatch& out)
{
    for (int w = 0; w < 4; ++w) {
        alignas(32) std::uint64_t lanes[4];
        _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), c[w]);
        for (int i = 0; i < 4; ++i) {
            out.word[w][first_lane + i] = static_cast<std::uint32_t>(lanes[i]);
        }
    }
}

__attribute__((target("avx2"))) inline void philox_batch_avx2(const PhiloxBatch& counters, PhiloxKey key, PhiloxBatch& out)
{
    for (int half = 0; half < 2; ++half) {
        __m256i c[4];
        for (int w = 0; w < 4; ++w) {
            c[w] = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(counters.word[w] + 4 * half)));
        }
        philox_rounds_avx2(c, key);
        store_half_batch_avx2(c, 4 * half, out);
    }
}

// Four pairs of counters, lanes i and i + 4 (philox4x32_10_pair).
inline void philox_batch_sse2(const PhiloxBatch& counters, PhiloxKey key, PhiloxBatch& out)
{
    for (int i = 0; i < kPhiloxBatchLanes / 2; ++i) {
        PhiloxCounter low, high;
        for (int w = 0; w < 4; ++w) {
            low.word[w] = counters.word[w][i];
            high.word[w] = counters.word[w][i + kPhiloxBatchLanes / 2];
        }
        philox4x32_10_pair(low, high, key);
        for (int w = 0; w < 4; ++w) {
            out.word[w][i] = low.word[w];
            out.word[w][i + kPhiloxBatchLanes / 2] = high.word[w];
        }
    }
}

}  // namespace detail

// Which registers a Philox batch uses.
enum class AttackBlockRegisters : int { sse2, avx2, avx512 };

inline const char* name_of(AttackBlockRegisters registers)
{
    switch (registers) {
        case AttackBlockRegisters::avx512: return "AVX-512";
        case AttackBlockRegisters::avx2: return "AVX2";
        case AttackBlockRegisters::sse2: return "SSE2";
    }
    return "?";
}

// The widest this processor has, or a narrower one named by the environment
// variable SCLS_ATTACK_BLOCKS (sse2 or avx2), to time or check another path
// on one machine; any other value leaves the widest.
inline AttackBlockRegisters attack_block_registers()
{
    const AttackBlockRegisters widest = __builtin_cpu_supports("avx512f") ? AttackBlockRegisters::avx512
                                        : __builtin_cpu_supports("avx2")  ? AttackBlockRegisters::avx2
                                                                          : AttackBlockRegisters::sse2;
    const char* asked = std::getenv("SCLS_ATTACK_BLOCKS");
    const std::string_view name = asked != nullptr ? asked : "";
    const AttackBlockRegisters named = name == "sse2" ? AttackBlockRegisters::sse2
                                       : name == "avx2" ? AttackBlockRegisters::avx2
                                                        : widest;
    return named < widest ? named : widest;
}

// The registers this process uses (chosen once).
inline AttackBlockRegisters attack_block_registers_in_use()
{
    static const AttackBlockRegisters chosen = attack_block_registers();
    return chosen;
}

// The blocks of eight counters of any streams (one key), each what
// philox4x32_10 gives it, in the given registers.
inline void philox_batch(const PhiloxBatch& counters, PhiloxKey key, PhiloxBatch& out, AttackBlockRegisters registers)
{
    switch (registers) {
        case AttackBlockRegisters::avx512: detail::philox_batch_avx512(counters, key, out); return;
        case AttackBlockRegisters::avx2: detail::philox_batch_avx2(counters, key, out); return;
        case AttackBlockRegisters::sse2: detail::philox_batch_sse2(counters, key, out); return;
    }
}

// The blocks of attacks first..first+3 (first + 3 below 2^32 - 1, the
// diagnostic attack's block), in the given registers: one batch of what
// draw_attacks computes inside each register width's function
// (attack_draws.hpp; with AVX-512 it computes two, philox_batches_avx512<2>).
inline void attack_blocks(StreamKey key, std::uint32_t first, AttackBlocks& out, AttackBlockRegisters registers)
{
    SCLS_EXPECT(first < 0xFFFFFFFFu - 3);
    philox_batch(detail::attack_counters(key, first), philox_key(key), out, registers);
}

#endif

}  // namespace scls
