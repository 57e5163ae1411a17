// An attack's draws: everything about a patient's k-th attack that no
// strategy can change (common random numbers), and the attack at diagnosis.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/core/macros.hpp"
#include "kernels/model/params.hpp"
#include "kernels/random/attack_blocks.hpp"
#include "kernels/random/distributions.hpp"
#include "kernels/random/streams.hpp"

namespace scls {

// Everything about a patient's k-th attack that no strategy can change
// (common random numbers): the attack process's unit-exponential budget that
// runs out at attack k, and the uniforms that decide its severity, stay,
// death and complications. What they decide depends on the
// regimen at the time (a regimen may make attacks milder), so they are kept
// raw and read against the regimen when the attack happens.
struct AttackDraws {
    double budget;          // unit exponential consumed by the attack hazard before attack k
    double severity_uniform;
    double stay_normal;     // the stay is the median x exp(stay_log_sd x this): the normal quantile of its word's uniform
    double death_uniform;   // dies in the attack if below its death probability
    double complication_uniform[kComplications];
};

// An attack's draws from its two blocks: block k of the attack stream
// (budget, severity, stay, death: the words below) and block k of the
// complication stream (one word per complication), its budget (the unit
// exponential of the budget word) and its stay's standard normal (the
// normal quantile of the stay word's uniform) given ...
static_assert(kComplications <= 4, "one word of the complication block per complication");
inline constexpr int kBudgetWord = 0, kSeverityWord = 1, kStayWord = 2, kDeathWord = 3;

SCLS_FUNCTION SCLS_FORCEINLINE AttackDraws attack_draws_from(const PhiloxCounter& main, const PhiloxCounter& complication,
                                                             double budget, double stay_normal)
{
    AttackDraws d;
    d.budget = budget;
    d.severity_uniform = to_open_unit(main.word[kSeverityWord]);
    d.stay_normal = stay_normal;
    d.death_uniform = to_open_unit(main.word[kDeathWord]);
    for (int c = 0; c < kComplications; ++c) {
        d.complication_uniform[c] = to_open_unit(complication.word[c]);
    }
    return d;
}

// ... or computed here. The stay's normal is computed with the draws, not
// where a severity needs it: once per attack, and on the CPU four or eight
// attacks at once in lanes (below), where the consequences worked out at each severity
// an attack takes under the strategies computed it once each
// (results/bench/cpu-engine.md, nineteenth part).
SCLS_FUNCTION SCLS_FORCEINLINE AttackDraws attack_draws_from(const PhiloxCounter& main, const PhiloxCounter& complication)
{
    return attack_draws_from(main, complication, unit_exponential(main.word[kBudgetWord]),
                             normal_quantile(to_open_unit(main.word[kStayWord])));
}

// Attack k's draws.
SCLS_FUNCTION inline AttackDraws draw_attack(StreamKey key, std::uint32_t k)
{
    const BlockPair blocks = draw_blocks(key, StreamPurpose::attack, k, StreamPurpose::attack_complications, k);
    return attack_draws_from(blocks.first, blocks.second);
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS
// How many attacks one draw_attacks fills in the given registers: eight with
// AVX-512 (two batches of blocks, their logarithms and quantiles in one
// 512-bit register), four otherwise (one batch, in 256 or 128 bits). The
// draws are the same bits either way; only how far ahead the cache fills
// itself differs.
inline constexpr int kMostAttacksPerDraw = 2 * kAttacksPerBatch;
inline int attacks_per_draw(AttackBlockRegisters registers)
{
    return registers == AttackBlockRegisters::avx512 ? kMostAttacksPerDraw : kAttacksPerBatch;
}

namespace detail {

// The draws of Attacks consecutive attacks from Attacks / 4 batches of their
// blocks, the attacks in Attacks lanes (kernels/core/lanes.hpp), each lane the
// bits attack_draws_from gives its attack (attack_blocks_test.cpp checks every
// width).
// Word w of the attacks' attack blocks (first_lane 0) or complication blocks
// (first_lane kAttacksPerBatch). A batch's four words are adjacent, so they
// are loaded together and widened to the lanes' 64 bits (from a loop over
// the lanes GCC assembles the register one insert at a time).
template <int Attacks>
SCLS_FORCEINLINE typename Lanes<Attacks>::Bits attack_words(const AttackBlocks* blocks, int w, int first_lane)
{
    using Words = std::uint32_t __attribute__((vector_size(4 * kAttacksPerBatch)));
    Words batch[Attacks / kAttacksPerBatch];
    for (int b = 0; b < Attacks / kAttacksPerBatch; ++b) {
        std::memcpy(&batch[b], &blocks[b].word[w][first_lane], sizeof(Words));
    }
    if constexpr (Attacks == kAttacksPerBatch) {
        return __builtin_convertvector(batch[0], typename Lanes<Attacks>::Bits);
    } else {
        static_assert(Attacks == 2 * kAttacksPerBatch, "one or two batches");
        return __builtin_convertvector(__builtin_shufflevector(batch[0], batch[1], 0, 1, 2, 3, 4, 5, 6, 7),
                                       typename Lanes<Attacks>::Bits);
    }
}

template <int Attacks>
SCLS_FORCEINLINE typename Lanes<Attacks>::Real attack_uniforms(const AttackBlocks* blocks, int w, int first_lane)
{
    return to_open_unit_lanes<Attacks>(attack_words<Attacks>(blocks, w, first_lane));
}

template <int Attacks>
SCLS_FORCEINLINE void attack_draws_from_blocks(const AttackBlocks* blocks, AttackDraws* draws)
{
    using Real = typename Lanes<Attacks>::Real;
    static_assert(Attacks % kAttacksPerBatch == 0, "whole batches of blocks");
    const Real budget = unit_exponential_lanes<Attacks>(attack_words<Attacks>(blocks, kBudgetWord, 0));
    const Real severity = attack_uniforms<Attacks>(blocks, kSeverityWord, 0);
    const Real stay = normal_quantile_lanes<Attacks>(attack_uniforms<Attacks>(blocks, kStayWord, 0));
    const Real death = attack_uniforms<Attacks>(blocks, kDeathWord, 0);
    Real complication[kComplications];
    for (int c = 0; c < kComplications; ++c) {
        complication[c] = attack_uniforms<Attacks>(blocks, c, kAttacksPerBatch);
    }
    for (int i = 0; i < Attacks; ++i) {
        draws[i].budget = budget[i];
        draws[i].severity_uniform = severity[i];
        draws[i].stay_normal = stay[i];
        draws[i].death_uniform = death[i];
        for (int c = 0; c < kComplications; ++c) {
            draws[i].complication_uniform[c] = complication[c][i];
        }
    }
}

__attribute__((target("avx512f"), noinline)) inline void draw_attacks_avx512(StreamKey key, std::uint32_t first,
                                                                            AttackDraws* draws)
{
    const PhiloxBatch counters[2] = {attack_counters(key, first), attack_counters(key, first + kAttacksPerBatch)};
    AttackBlocks blocks[2];
    philox_batches_avx512<2>(counters, philox_key(key), blocks);
    attack_draws_from_blocks<kMostAttacksPerDraw>(blocks, draws);
}

__attribute__((target("avx2"), noinline)) inline void draw_attacks_avx2(StreamKey key, std::uint32_t first,
                                                                       AttackDraws* draws)
{
    AttackBlocks blocks;
    philox_batch_avx2(attack_counters(key, first), philox_key(key), blocks);
    attack_draws_from_blocks<kAttacksPerBatch>(&blocks, draws);
}

__attribute__((noinline)) inline void draw_attacks_sse2(StreamKey key, std::uint32_t first, AttackDraws* draws)
{
    AttackBlocks blocks;
    philox_batch_sse2(attack_counters(key, first), philox_key(key), blocks);
    attack_draws_from_blocks<kAttacksPerBatch>(&blocks, draws);
}

}  // namespace detail

// The draws of attacks first, first + 1, ... at once, attacks_per_draw(registers)
// of them, each what draw_attack gives it, into draws[0..] (the CPU's cache
// fills itself a draw at a time), in the given registers. Out of line: a
// patient needs a few draws, and inlined their logarithms would crowd the
// event loop.
inline void draw_attacks(StreamKey key, std::uint32_t first, AttackDraws* draws, AttackBlockRegisters registers)
{
    SCLS_EXPECT(first <= 0xFFFFFFFFu - kMostAttacksPerDraw);  // below the diagnostic attack's block
    switch (registers) {
        case AttackBlockRegisters::avx512: detail::draw_attacks_avx512(key, first, draws); return;
        case AttackBlockRegisters::avx2: detail::draw_attacks_avx2(key, first, draws); return;
        case AttackBlockRegisters::sse2: detail::draw_attacks_sse2(key, first, draws); return;
    }
}

// ... in the registers this process uses.
inline void draw_attacks(StreamKey key, std::uint32_t first, AttackDraws* draws)
{
    draw_attacks(key, first, draws, attack_block_registers_in_use());
}
#endif

// The attack at which a patient is diagnosed ([pathway] diagnosed_in_attack)
// draws from the last block of the attack streams: a counted attack would
// reach it only as the 4,294,967,296th of one life (at 1,000 attacks a year,
// the most a scenario allows, with a personal multiplier of 30,000 over 120
// years — far beyond any lognormal or gamma draw that reaches a patient). Its
// draws are independent of attack k's, and turning it on leaves every other
// draw as it was.
inline constexpr std::uint32_t kDiagnosticAttackBlock = 0xFFFFFFFFu;

// The attack in which the patient is diagnosed: ISCLS is recognised in
// hospital (haemoconcentration, low albumin), so the attack is one of the
// hospitalised severities in their relative shares (a mild one only if the
// scenario has no others): its severity uniform is moved past the untreated
// mild share.
SCLS_FUNCTION inline void hospitalised_severity(const RegimenParams& untreated, AttackDraws& draws)
{
    const double mild_share = untreated.severity_cumulative[0];
    if (mild_share < 1.0) {
        draws.severity_uniform = mild_share + draws.severity_uniform * (1.0 - mild_share);
    }
}

}  // namespace scls
