// The CPU's per-patient cache of adverse-event outcome blocks, loss budgets
// and the opened discontinuation stream gives the bits drawn afresh,
// whatever the order in which a patient's lifetimes ask for them, beyond the
// adverse events it keeps too.
#include "kernels/model/event_draw_cache.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <utility>

namespace scls {
namespace {

TEST(EventDrawCache, KeptDrawsAreTheBitsDrawnAfresh)
{
    for (std::uint32_t patient = 0; patient < 200; ++patient) {
        const StreamKey key{20261123, patient % 3, patient};
        EventDrawCache<true> kept;
        EventDrawCache<false> afresh;
        // A lifetime that began at adverse event 5 (none does: each begins at
        // 0 or at the shared history's count) gets its draws; then lifetimes
        // meet them in order as far as each lives: 3, 12 (past the kept ones), 5.
        const std::pair<std::uint32_t, std::uint32_t> lifetimes[] = {{5, 6}, {0, 3}, {0, kKeptAdverseEvents + 4}, {0, 5}};
        for (const auto& [first, last] : lifetimes) {
            for (std::uint32_t n = first; n < last; ++n) {
                const PhiloxCounter got = kept.adverse_event_outcomes(key, n);
                const PhiloxCounter expected = afresh.adverse_event_outcomes(key, n);
                for (int w = 0; w < 4; ++w) {
                    ASSERT_EQ(got.word[w], expected.word[w]) << "patient " << patient << ", adverse event " << n << ", word " << w;
                }
            }
        }
        // Each lifetime reads on from its own copy of the opened discontinuation stream.
        for (const int words : {6, 2, 9}) {
            PhiloxStream got = kept.discontinuation_stream(key);
            PhiloxStream expected = afresh.discontinuation_stream(key);
            for (int w = 0; w < words; ++w) {
                ASSERT_EQ(got.next(), expected.next()) << "patient " << patient << ", discontinuation word " << w + 1;
            }
        }
        // Slots in any order, each asked for more than once.
        for (const int slot : {2, 0, 2, kMaxRegimens - 1, 0, 1}) {
            ASSERT_EQ(std::bit_cast<std::uint64_t>(kept.loss_budget(key, slot)), std::bit_cast<std::uint64_t>(afresh.loss_budget(key, slot)))
                << "patient " << patient << ", slot " << slot;
        }
    }
}

// Different events and slots get different draws (a cache that returned
// its first entry for every index would fail here, not above only by luck).
TEST(EventDrawCache, EachEventAndSlotHasItsOwnDraws)
{
    const StreamKey key{7, 0, 42};
    EventDrawCache<true> kept;
    for (std::uint32_t n = 1; n < kKeptAdverseEvents + 2; ++n) {
        kept.adverse_event_outcomes(key, n - 1);
        EXPECT_NE(kept.adverse_event_outcomes(key, n).word[0], kept.adverse_event_outcomes(key, n - 1).word[0])
            << "adverse event " << n;
    }
    EXPECT_NE(kept.loss_budget(key, 0), kept.loss_budget(key, 1));
}

}  // namespace
}  // namespace scls
