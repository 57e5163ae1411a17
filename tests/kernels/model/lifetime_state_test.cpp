// The earliest of a lifetime's competing events, kept in lanes: each lane
// keeps the time and kind that the one-lane form (EarliestEvent, which the
// engine runs) keeps for its lifetime, ties and events offered to some lanes
// only included, and decides as it does whether the next attack comes first.
#include "kernels/model/lifetime_state.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "tests/support/lane_paths.hpp"

namespace scls {
namespace {

using detail::EarliestEvent;
using detail::EarliestEventLanes;
using detail::NextEvent;

TEST(EarliestEvent, TheFirstOfTiedCandidatesWinsAndTheKindDecidesATieWithTheAttack)
{
    EarliestEvent next;
    EXPECT_EQ(next.time, kInfinity);
    EXPECT_EQ(next.event, NextEvent::horizon);
    next.offer(3.0, NextEvent::background_death);
    next.offer(3.0, NextEvent::myeloma_onset);
    next.offer(5.0, NextEvent::adverse_event);
    EXPECT_EQ(next.time, 3.0);
    EXPECT_EQ(next.event, NextEvent::background_death);
    next.offer(2.0, NextEvent::discontinuation);
    EXPECT_EQ(next.event, NextEvent::discontinuation);
    // A tie with the attack: kinds before it (deaths, the horizon, myeloma
    // onset) come first, kinds after it come second.
    EXPECT_TRUE(next.attack_comes_first(2.0));
    EXPECT_FALSE(next.attack_comes_first(std::nextafter(2.0, 3.0)));
    next.offer(1.0, NextEvent::myeloma_death);
    EXPECT_FALSE(next.attack_comes_first(1.0));
    EXPECT_TRUE(next.attack_comes_first(std::nextafter(1.0, 0.0)));
}

TEST(EarliestEvent, AnEventOfferedWithAClearMaskIsNotLookedAt)
{
    EarliestEvent next;
    next.offer(2.0, NextEvent::adverse_event, true);
    next.offer(1.0, NextEvent::treatment_start, false);
    next.offer(2.0, NextEvent::discontinuation, true);
    EXPECT_EQ(next.time, 2.0);
    EXPECT_EQ(next.event, NextEvent::adverse_event);
    next.offer(1.5, NextEvent::deescalation, true);
    EXPECT_EQ(next.time, 1.5);
    EXPECT_EQ(next.event, NextEvent::deescalation);
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

using test::expect_scalar_bits_in_lanes;

// Candidates that tie often (the same expressions of x), cross as x moves,
// and are offered to some lanes only; an attack that ties with them too.
template <int Output>
struct EarliestInLanes {
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        using L = Lanes<N>;
        using Real = typename L::Real;
        EarliestEventLanes<N> next;
        next.offer(x * 2.0, NextEvent::background_death);
        next.offer(x + x * 0.0 + 1.0, NextEvent::myeloma_death);
        next.offer(x * 0.0 + kInfinity, NextEvent::horizon);
        next.offer(x, NextEvent::myeloma_onset, x < 0.6);
        next.offer(x * 0.5 + 0.25, NextEvent::adverse_event);
        next.offer(x, NextEvent::discontinuation, x > 0.3);
        next.offer(x * 2.0, NextEvent::deescalation, x < 0.9);
        next.offer(x * 0.0 + 0.5, NextEvent::treatment_start, x > 0.2);
        const Real attack_time = L::select(x < 0.5, x * 2.0, x * 0.0 + 0.5);
        Real kind;
        if constexpr (N == 1) {
            kind = static_cast<double>(static_cast<int>(next.event));
        } else {
            kind = L::small_integer(next.event);
        }
        const Real attack_first = L::select(next.attack_comes_first(attack_time), x * 0.0 + 1.0, x * 0.0);
        const Real outputs[] = {next.time, kind, attack_first};
        return outputs[Output];
    }
    static double scalar(double x) { return lanes<1>(x); }
};

TEST(EarliestEventInLanes, EachLaneKeepsWhatTheOneLaneFormKeeps)
{
    // Edges: the points where candidates cross or tie, and the masks' edges.
    const std::vector<double> x =
        test::arguments_around(31, 0.0, 1.0, 100000, {0.0, 0.2, 0.25, 0.3, 0.5, 0.6, 0.9, 1.0 / 3, 1.0});
    expect_scalar_bits_in_lanes<EarliestInLanes<0>>(x, "time");
    expect_scalar_bits_in_lanes<EarliestInLanes<1>>(x, "kind");
    expect_scalar_bits_in_lanes<EarliestInLanes<2>>(x, "attack first");
}

#endif

}  // namespace
}  // namespace scls
