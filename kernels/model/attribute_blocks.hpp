// The Philox blocks a patient's attributes read (patient.hpp), each named
// once with its stream and block. Two sources give them, with the same bits:
// one draws each block when asked (the GPU, where sixteen blocks held at once
// would crowd its registers; hosts without vector Philox; and the
// two-argument draw_attributes, which tests and the lane model call), the
// other draws all sixteen at once in vector lanes (the CPU backend: two
// batches of eight, attack_blocks.hpp), which costs less than the ten to
// sixteen it replaces drawn one or two at a time. The frailty's blocks are
// drawn by its sampler, which may need several (gamma rejection), and stay
// outside.
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/model/attack_draws.hpp"
#include "kernels/random/attack_blocks.hpp"
#include "kernels/random/streams.hpp"

namespace scls {

enum class AttributeBlock : int {
    basics,          // sex, age, weight, MGUS
    slots_low,       // response classes of slots 0-3
    slots_high,      // ... of slots 4-7
    spreads_0_1,   // a standard normal per slot for the spread of its rate ratio: slots 0-1, ...
    spreads_2_3,
    spreads_4_5,
    spreads_6_7,
    pathway,         // onset-to-diagnosis delay
    background_death,
    myeloma,
    diagnostic_attack,         // the attack at diagnosis (kDiagnosticAttackBlock)
    diagnostic_complications,
    first_attack,              // attack 0
    first_complications,
    first_discontinuation,     // the first budgets of discontinuation and adverse events
    first_adverse_event,
    count
};
inline constexpr int kAttributeBlocks = static_cast<int>(AttributeBlock::count);

SCLS_FUNCTION constexpr AttributeBlock spread_block(int slot)
{
    return static_cast<AttributeBlock>(static_cast<int>(AttributeBlock::spreads_0_1) + slot / 2);
}

// The spread blocks' numbers in the attribute stream: 3-6.
SCLS_FUNCTION constexpr std::uint32_t spread_block_number(int slot) { return static_cast<std::uint32_t>(3 + slot / 2); }

// Where each block lies: its stream and block number.
struct BlockAddress {
    StreamPurpose purpose;
    std::uint32_t block;
};
SCLS_FUNCTION constexpr BlockAddress address_of(AttributeBlock which)
{
    switch (which) {
        case AttributeBlock::basics: return {StreamPurpose::attributes, 0};
        case AttributeBlock::slots_low: return {StreamPurpose::attributes, 1};
        case AttributeBlock::slots_high: return {StreamPurpose::attributes, 2};
        case AttributeBlock::pathway: return {StreamPurpose::pathway, 0};
        case AttributeBlock::background_death: return {StreamPurpose::background_death, 0};
        case AttributeBlock::myeloma: return {StreamPurpose::myeloma, 0};
        case AttributeBlock::diagnostic_attack: return {StreamPurpose::attack, kDiagnosticAttackBlock};
        case AttributeBlock::diagnostic_complications: return {StreamPurpose::attack_complications, kDiagnosticAttackBlock};
        case AttributeBlock::first_attack: return {StreamPurpose::attack, 0};
        case AttributeBlock::first_complications: return {StreamPurpose::attack_complications, 0};
        case AttributeBlock::first_discontinuation: return {StreamPurpose::discontinuation, 0};
        case AttributeBlock::first_adverse_event: return {StreamPurpose::adverse_event_times, 0};
        case AttributeBlock::spreads_0_1: return {StreamPurpose::attributes, spread_block_number(0)};
        case AttributeBlock::spreads_2_3: return {StreamPurpose::attributes, spread_block_number(2)};
        case AttributeBlock::spreads_4_5: return {StreamPurpose::attributes, spread_block_number(4)};
        case AttributeBlock::spreads_6_7: return {StreamPurpose::attributes, spread_block_number(6)};
        case AttributeBlock::count: break;
    }
    SCLS_EXPECT(false);  // not a block
    return {StreamPurpose::attributes, 0};
}

// Each block drawn when asked. A source gives the named blocks and, by the
// response slot, the spread blocks (here without address_of's switch, which
// a slot known only at run time would leave in the GPU's code).
struct AttributeBlocksOnDemand {
    StreamKey key;
    SCLS_FUNCTION SCLS_FORCEINLINE PhiloxCounter operator()(AttributeBlock which) const
    {
        const BlockAddress at = address_of(which);
        return draw_block(key, at.purpose, at.block);
    }
    SCLS_FUNCTION SCLS_FORCEINLINE PhiloxCounter spread(int slot) const
    {
        return draw_block(key, StreamPurpose::attributes, spread_block_number(slot));
    }
};

#if SCLS_ATTACK_BLOCKS_IN_VECTORS
static_assert(kAttributeBlocks == 2 * kPhiloxBatchLanes, "the attribute blocks fill two batches");

// All of them, drawn at once in the given registers.
struct AttributeBlocksAtOnce {
    PhiloxBatch batch[2];
    SCLS_FORCEINLINE PhiloxCounter operator()(AttributeBlock which) const
    {
        const int index = static_cast<int>(which);
        const PhiloxBatch& in = batch[index / kPhiloxBatchLanes];
        const int lane = index % kPhiloxBatchLanes;
        return PhiloxCounter{{in.word[0][lane], in.word[1][lane], in.word[2][lane], in.word[3][lane]}};
    }
    SCLS_FORCEINLINE PhiloxCounter spread(int slot) const { return (*this)(spread_block(slot)); }
};

namespace detail {
// Words 0 and 1 (block and stream) of batch b's counters; words 2 and 3 are
// the patient's and the parameter set's.
constexpr PhiloxBatch attribute_counters_in(int b)
{
    PhiloxBatch counters{};
    for (int lane = 0; lane < kPhiloxBatchLanes; ++lane) {
        const BlockAddress at = address_of(static_cast<AttributeBlock>(b * kPhiloxBatchLanes + lane));
        counters.word[0][lane] = at.block;
        counters.word[1][lane] = static_cast<std::uint32_t>(at.purpose);
    }
    return counters;
}
inline constexpr PhiloxBatch kAttributeCounters[2] = {attribute_counters_in(0), attribute_counters_in(1)};
}  // namespace detail

inline AttributeBlocksAtOnce attribute_blocks_at_once(StreamKey key, AttackBlockRegisters registers)
{
    AttributeBlocksAtOnce blocks;
    for (int b = 0; b < 2; ++b) {
        PhiloxBatch counters = detail::kAttributeCounters[b];
        for (int lane = 0; lane < kPhiloxBatchLanes; ++lane) {
            counters.word[2][lane] = key.patient;
            counters.word[3][lane] = key.parameter_set;
        }
        philox_batch(counters, philox_key(key), blocks.batch[b], registers);
    }
    return blocks;
}

// ... in the registers this process uses.
inline AttributeBlocksAtOnce attribute_blocks_at_once(StreamKey key)
{
    return attribute_blocks_at_once(key, attack_block_registers_in_use());
}
#endif

}  // namespace scls
