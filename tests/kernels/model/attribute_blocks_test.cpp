// A patient's attribute blocks: where the stream layout puts them, the
// same bits whether drawn at once in vector lanes (each register width this
// processor has) or one at a time when asked, and so the same attributes.
#include "kernels/model/attribute_blocks.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "host/engine/engine.hpp"
#include "kernels/model/patient.hpp"
#include "tests/support/processor.hpp"

namespace scls {
namespace {

// Each block where the stream layout puts it (streams.hpp: the attribute
// stream's blocks 0-6, the other streams' block 0, the attack streams'
// diagnostic block), so no two are one place.
TEST(AttributeBlocks, LieWhereTheStreamLayoutPutsThem)
{
    using P = StreamPurpose;
    const std::pair<AttributeBlock, BlockAddress> layout[] = {
        {AttributeBlock::basics, {P::attributes, 0}},
        {AttributeBlock::slots_low, {P::attributes, 1}},
        {AttributeBlock::slots_high, {P::attributes, 2}},
        {AttributeBlock::spreads_0_1, {P::attributes, 3}},
        {AttributeBlock::spreads_2_3, {P::attributes, 4}},
        {AttributeBlock::spreads_4_5, {P::attributes, 5}},
        {AttributeBlock::spreads_6_7, {P::attributes, 6}},
        {AttributeBlock::pathway, {P::pathway, 0}},
        {AttributeBlock::background_death, {P::background_death, 0}},
        {AttributeBlock::myeloma, {P::myeloma, 0}},
        {AttributeBlock::diagnostic_attack, {P::attack, kDiagnosticAttackBlock}},
        {AttributeBlock::diagnostic_complications, {P::attack_complications, kDiagnosticAttackBlock}},
        {AttributeBlock::first_attack, {P::attack, 0}},
        {AttributeBlock::first_complications, {P::attack_complications, 0}},
        {AttributeBlock::first_discontinuation, {P::discontinuation, 0}},
        {AttributeBlock::first_adverse_event, {P::adverse_event_times, 0}},
    };
    static_assert(std::size(layout) == kAttributeBlocks);
    std::set<std::pair<std::uint32_t, std::uint32_t>> places;
    for (const auto& [block, want] : layout) {
        const BlockAddress at = address_of(block);
        EXPECT_EQ(at.purpose, want.purpose) << "block " << static_cast<int>(block);
        EXPECT_EQ(at.block, want.block) << "block " << static_cast<int>(block);
        places.insert({static_cast<std::uint32_t>(at.purpose), at.block});
    }
    EXPECT_EQ(places.size(), static_cast<std::size_t>(kAttributeBlocks)) << "two attribute blocks share a place in the streams";
    // Slots 0-7, two to a spread block.
    for (int slot = 0; slot < kMaxRegimens; ++slot) {
        const BlockAddress at = address_of(spread_block(slot));
        EXPECT_EQ(at.purpose, StreamPurpose::attributes);
        EXPECT_EQ(at.block, static_cast<std::uint32_t>(3 + slot / 2)) << "slot " << slot;
        EXPECT_EQ(spread_block_number(slot), at.block) << "slot " << slot;
    }
}

// The blocks that begin what a lifetime reads on: attack 0 and the attack
// at diagnosis are the attack streams' blocks (draw_attack), and the first
// budgets are word 0 of the streams that stream_past_first_budget opens
// past it.
TEST(AttributeBlocks, AreWhereTheLifetimeReadsOn)
{
    for (const StreamKey key : {StreamKey{0, 0, 0}, StreamKey{20260601, 3, 77}}) {
        const AttributeBlocksOnDemand blocks{key};
        const AttackDraws first = attack_draws_from(blocks(AttributeBlock::first_attack), blocks(AttributeBlock::first_complications));
        const AttackDraws first_drawn = draw_attack(key, 0);
        EXPECT_EQ(std::memcmp(&first, &first_drawn, sizeof first), 0);
        const AttackDraws diagnostic =
            attack_draws_from(blocks(AttributeBlock::diagnostic_attack), blocks(AttributeBlock::diagnostic_complications));
        const AttackDraws diagnostic_drawn = draw_attack(key, kDiagnosticAttackBlock);
        EXPECT_EQ(std::memcmp(&diagnostic, &diagnostic_drawn, sizeof diagnostic), 0);
        for (const auto& [block, purpose] : {std::pair{AttributeBlock::first_discontinuation, StreamPurpose::discontinuation},
                                             std::pair{AttributeBlock::first_adverse_event, StreamPurpose::adverse_event_times}}) {
            PhiloxStream stream = open_stream(key, purpose);
            const std::uint32_t first_word = stream.next();
            EXPECT_EQ(blocks(block).word[0], first_word) << static_cast<int>(block);
            EXPECT_EQ(stream_past_first_budget(key, purpose).next(), stream.next()) << static_cast<int>(block);
        }
    }
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

using test::processor_has;

constexpr AttackBlockRegisters kRegisters[] = {AttackBlockRegisters::sse2, AttackBlockRegisters::avx2,
                                               AttackBlockRegisters::avx512};

std::vector<StreamKey> keys()
{
    std::vector<StreamKey> out = {{0, 0, 0}, {0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFu, 0xFFFFFFFFu}};
    std::mt19937_64 engine(21);
    for (int i = 0; i < 2000; ++i) {
        out.push_back({engine(), static_cast<std::uint32_t>(engine()), static_cast<std::uint32_t>(engine())});
    }
    return out;
}

TEST(AttributeBlocks, AtOnceAreTheBlocksDrawnWhenAsked)
{
    for (const AttackBlockRegisters registers : kRegisters) {
        if (!processor_has(registers)) {
            std::printf("attribute_blocks_test: %s not on this processor\n", name_of(registers));
            continue;
        }
        for (const StreamKey& key : keys()) {
            const AttributeBlocksAtOnce at_once = attribute_blocks_at_once(key, registers);
            const AttributeBlocksOnDemand on_demand{key};
            for (int b = 0; b < kAttributeBlocks; ++b) {
                const PhiloxCounter one = on_demand(static_cast<AttributeBlock>(b));
                const PhiloxCounter lane = at_once(static_cast<AttributeBlock>(b));
                ASSERT_EQ(std::memcmp(&one, &lane, sizeof one), 0) << name_of(registers) << " block " << b;
            }
            for (int slot = 0; slot < kMaxRegimens; ++slot) {
                const PhiloxCounter one = on_demand.spread(slot);
                const PhiloxCounter lane = at_once.spread(slot);
                ASSERT_EQ(std::memcmp(&one, &lane, sizeof one), 0) << name_of(registers) << " slot " << slot;
            }
        }
    }
}

void expect_same(const PatientAttributes& a, const PatientAttributes& b, std::uint32_t patient)
{
    ASSERT_EQ(a.male, b.male) << "patient " << patient;
    ASSERT_EQ(a.mgus, b.mgus) << "patient " << patient;
    const double* const fields_a[] = {&a.entry_age_years, &a.weight_kg, &a.attack_rate_multiplier, &a.diagnosis_time,
                                      &a.background_death_time, &a.myeloma_onset_time, &a.myeloma_death_time,
                                      &a.horizon_time, &a.first_discontinuation_budget, &a.first_adverse_event_budget};
    const double* const fields_b[] = {&b.entry_age_years, &b.weight_kg, &b.attack_rate_multiplier, &b.diagnosis_time,
                                      &b.background_death_time, &b.myeloma_onset_time, &b.myeloma_death_time,
                                      &b.horizon_time, &b.first_discontinuation_budget, &b.first_adverse_event_budget};
    for (std::size_t f = 0; f < std::size(fields_a); ++f) {
        ASSERT_EQ(std::bit_cast<std::uint64_t>(*fields_a[f]), std::bit_cast<std::uint64_t>(*fields_b[f]))
            << "patient " << patient << " field " << f;
    }
    ASSERT_EQ(std::memcmp(a.attack_rate_ratio, b.attack_rate_ratio, sizeof a.attack_rate_ratio), 0) << "patient " << patient;
    ASSERT_EQ(std::memcmp(&a.diagnostic_attack, &b.diagnostic_attack, sizeof(AttackDraws)), 0) << "patient " << patient;
    ASSERT_EQ(std::memcmp(&a.first_attack, &b.first_attack, sizeof(AttackDraws)), 0) << "patient " << patient;
}

// The base scenario reads every block (response spreads, onset to diagnosis,
// the attack at diagnosis, MGUS); the variants change the frailty's kind and
// turn the pathway off.
TEST(AttributeBlocks, GiveTheSameAttributesFromEitherSource)
{
    const std::vector<std::vector<Override>> variants = {
        {},
        {{"attacks.heterogeneity", "\"gamma\""}, {"attacks.heterogeneity_shape", "0.7"}, {"pathway.diagnosis_delay_rate_correlation", "0"}},
        {{"pathway.diagnosed_in_attack", "false"}, {"pathway.start", "\"diagnosis\""}}};
    for (const auto& overrides : variants) {
        const Scenario s = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", overrides);
        for (std::uint32_t patient = 0; patient < 20000; ++patient) {
            const StreamKey key{s.seed, 0, patient};
            const PatientAttributes at_once = draw_attributes(s.params, key, attribute_blocks_at_once(key));
            const PatientAttributes on_demand = draw_attributes(s.params, key);
            expect_same(at_once, on_demand, patient);
        }
    }
}

#endif

}  // namespace
}  // namespace scls
