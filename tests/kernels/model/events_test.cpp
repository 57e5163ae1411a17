// The earliest of a lifetime's competing events, kept in lanes: each lane
// keeps the time and kind that the one-lane form (EarliestEvent, which the
// engine runs) keeps for its lifetime, ties and events offered to some lanes
// only included, and decides as it does whether the next attack comes first.
// The earliest event other than an attack: each possible event wins where it
// comes first, an impossible one never, ties go by the order of offers; in
// lanes, each lane finds what the one-lane form finds.
#include "kernels/model/events.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "tests/support/lane_paths.hpp"

namespace scls {
namespace {

using detail::EarliestEvent;
using detail::EarliestEventLanes;
using detail::NextEvent;
using detail::OtherEventInputs;
using detail::OtherEventInputsLanes;

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

// Every event possible, each at its own time, in the order of offers:
// background death first (200 years), response loss last (209).
OtherEventInputs every_event_later()
{
    OtherEventInputs in{};
    in.background_death_time = 200.0;
    in.myeloma_death_time = 201.0;
    in.horizon_time = 202.0;
    in.myeloma_onset_time = 203.0;
    in.myeloma_pending = true;
    in.adverse_event_time = 204.0;
    in.discontinuation_time = 205.0;
    in.regimen_start_time = 100.0;
    in.last_attack_time = 106.0;  // quiet since then: deescalation at 206
    in.deescalate_after_years = 100.0;
    in.deescalation_pending = true;
    in.diagnosis_time = 207.0;
    in.diagnosis_pending = true;
    in.treatment_start_time = 208.0;
    in.treatment_start_pending = true;
    in.response_loss_since = 9.0;
    in.response_loss_budget = 400.0;
    in.loss_rate_per_year = 2.0;  // lost at 9 + 400 / 2 = 209
    return in;
}

TEST(EarliestOtherEvent, EachEventWinsWhereItComesFirst)
{
    using In = OtherEventInputs;
    struct Case {
        NextEvent kind;
        double In::*moved;  // 100 earlier
        double time;        // then its time
    };
    const Case cases[] = {{NextEvent::background_death, &In::background_death_time, 200.0},
                          {NextEvent::myeloma_death, &In::myeloma_death_time, 101.0},
                          {NextEvent::horizon, &In::horizon_time, 102.0},
                          {NextEvent::myeloma_onset, &In::myeloma_onset_time, 103.0},
                          {NextEvent::adverse_event, &In::adverse_event_time, 104.0},
                          {NextEvent::discontinuation, &In::discontinuation_time, 105.0},
                          {NextEvent::deescalation, &In::deescalate_after_years, 106.0},
                          {NextEvent::diagnostic_attack, &In::diagnosis_time, 107.0},
                          {NextEvent::treatment_start, &In::treatment_start_time, 108.0},
                          {NextEvent::response_loss, &In::response_loss_budget, 9.0 + 300.0 / 2.0}};
    const EarliestEvent all = detail::earliest_other_event<1>(every_event_later());
    EXPECT_EQ(all.time, 200.0);
    EXPECT_EQ(all.event, NextEvent::background_death);
    for (const Case& c : cases) {
        OtherEventInputs in = every_event_later();
        in.background_death_time = 300.0;
        in.*c.moved -= 100.0;
        const EarliestEvent next = detail::earliest_other_event<1>(in);
        EXPECT_EQ(next.event, c.kind) << "kind " << static_cast<int>(c.kind);
        EXPECT_EQ(next.time, c.time) << "kind " << static_cast<int>(c.kind);
    }
}

TEST(EarliestOtherEvent, AnImpossibleEventNeverWins)
{
    OtherEventInputs in = every_event_later();
    in.background_death_time = 300.0;
    in.myeloma_death_time = 300.0;
    in.horizon_time = 300.0;
    // Each conditional event, due first but impossible, in turn.
    in.response_loss_budget = -1.0;  // the rate is 0: the candidate, -1 / 0, would win were it offered
    in.loss_rate_per_year = 0.0;
    in.treatment_start_time = 0.5;
    in.treatment_start_pending = false;
    in.diagnosis_time = 0.25;
    in.diagnosis_pending = false;
    in.deescalate_after_years = -106.0;  // due at 0
    in.deescalation_pending = false;
    in.myeloma_onset_time = 0.0;
    in.myeloma_pending = false;
    EarliestEvent next = detail::earliest_other_event<1>(in);
    EXPECT_EQ(next.event, NextEvent::adverse_event);
    EXPECT_EQ(next.time, 204.0);
    // The regimen's quiet time runs from its start when that came after the last attack.
    in.deescalation_pending = true;
    in.deescalate_after_years = 10.0;
    in.regimen_start_time = 150.0;
    next = detail::earliest_other_event<1>(in);
    EXPECT_EQ(next.event, NextEvent::deescalation);
    EXPECT_EQ(next.time, 160.0);
}

// All ten due at 50 years.
OtherEventInputs every_event_due_at_50()
{
    OtherEventInputs in = every_event_later();
    in.background_death_time = in.myeloma_death_time = in.horizon_time = in.myeloma_onset_time = 50.0;
    in.adverse_event_time = in.discontinuation_time = in.diagnosis_time = in.treatment_start_time = 50.0;
    in.regimen_start_time = in.last_attack_time = 0.0;
    in.deescalate_after_years = 50.0;
    in.response_loss_since = 10.0;  // 10 + 40 / 1
    in.response_loss_budget = 40.0;
    in.loss_rate_per_year = 1.0;
    return in;
}

// The candidates in the order of offers, each with the input that puts it
// off when raised. The diagnosis is offered before the treatment start and
// the loss of response, though its kind comes last.
const std::pair<NextEvent, double OtherEventInputs::*> kOfferOrder[] = {
    {NextEvent::background_death, &OtherEventInputs::background_death_time},
    {NextEvent::myeloma_death, &OtherEventInputs::myeloma_death_time},
    {NextEvent::horizon, &OtherEventInputs::horizon_time},
    {NextEvent::myeloma_onset, &OtherEventInputs::myeloma_onset_time},
    {NextEvent::adverse_event, &OtherEventInputs::adverse_event_time},
    {NextEvent::discontinuation, &OtherEventInputs::discontinuation_time},
    {NextEvent::deescalation, &OtherEventInputs::deescalate_after_years},
    {NextEvent::diagnostic_attack, &OtherEventInputs::diagnosis_time},
    {NextEvent::treatment_start, &OtherEventInputs::treatment_start_time},
    {NextEvent::response_loss, &OtherEventInputs::response_loss_budget}};
constexpr int kCandidates = static_cast<int>(sizeof kOfferOrder / sizeof kOfferOrder[0]);

TEST(EarliestOtherEvent, TiesGoByTheOrderOfOffers)
{
    // All ten due at once; each winner, put off, lets the next win.
    OtherEventInputs in = every_event_due_at_50();
    for (const auto& [kind, put_off] : kOfferOrder) {
        const EarliestEvent next = detail::earliest_other_event<1>(in);
        EXPECT_EQ(next.event, kind) << "kind " << static_cast<int>(kind);
        EXPECT_EQ(next.time, 50.0) << "kind " << static_cast<int>(kind);
        in.*put_off += 1000.0;
    }
    EXPECT_EQ(detail::earliest_other_event<1>(in).time, 1050.0);
}

TEST(EarliestOtherEvent, AnySetOfTiedEventsGoesToItsFirstOffered)
{
    // Every one of the 1,023 non-empty sets of the ten candidates due at
    // once, the rest put off: the first of the set in the order of offers
    // wins, whichever part of the inputs (settled or processes) each is in.
    for (unsigned tied = 1; tied < (1u << kCandidates); ++tied) {
        OtherEventInputs in = every_event_due_at_50();
        int first = -1;
        for (int c = 0; c < kCandidates; ++c) {
            if ((tied >> c) & 1u) {
                first = first < 0 ? c : first;
            } else {
                in.*kOfferOrder[c].second += 1000.0 + c;
            }
        }
        const EarliestEvent next = detail::earliest_other_event<1>(in);
        EXPECT_EQ(next.event, kOfferOrder[first].first) << "tied set " << tied;
        EXPECT_EQ(next.time, 50.0) << "tied set " << tied;
    }
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

using test::expect_scalar_bits_in_lanes;

// What the lane checks compare, by Output: 0 the earliest's time, 1 its
// kind, 2 whether an attack at attack_time comes first (1) or not (0).
template <int Output, int N>
SCLS_FORCEINLINE typename Lanes<N>::Real event_output(const EarliestEventLanes<N>& next,
                                                      typename Lanes<N>::Real attack_time)
{
    using L = Lanes<N>;
    if constexpr (Output == 0) {
        return next.time;
    } else if constexpr (Output == 1 && N == 1) {
        return static_cast<double>(static_cast<int>(next.event));
    } else if constexpr (Output == 1) {
        return L::small_integer(next.event);
    } else {
        return L::select(next.attack_comes_first(attack_time), L::broadcast(1.0), L::broadcast(0.0));
    }
}

// Candidates that tie often (the same expressions of x), cross as x moves,
// and are offered to some lanes only; an attack that ties with them too.
template <int Output>
struct EarliestInLanes {
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        using L = Lanes<N>;
        EarliestEventLanes<N> next;
        next.offer(x * 2.0, NextEvent::background_death);
        next.offer(x + x * 0.0 + 1.0, NextEvent::myeloma_death);
        next.offer(x * 0.0 + kInfinity, NextEvent::horizon);
        next.offer(x, NextEvent::myeloma_onset, x < 0.6);
        next.offer(x * 0.5 + 0.25, NextEvent::adverse_event);
        next.offer(x, NextEvent::discontinuation, x > 0.3);
        next.offer(x * 2.0, NextEvent::deescalation, x < 0.9);
        next.offer(x * 0.0 + 0.5, NextEvent::treatment_start, x > 0.2);
        return event_output<Output, N>(next, L::select(x < 0.5, x * 2.0, x * 0.0 + 0.5));
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

// A V in x with its least value, 0.1, at center: the kind whose V is
// centred nearest x comes first there.
template <int N>
SCLS_FORCEINLINE typename Lanes<N>::Real vee(typename Lanes<N>::Real x, double center)
{
    return Lanes<N>::select(x < center, center - x, x - center) + 0.1;
}

// Where x lies outside [from, to).
template <int N>
SCLS_FORCEINLINE typename Lanes<N>::Mask outside(typename Lanes<N>::Real x, double from, double to)
{
    return (x < from) | (x >= to);
}

// Each kind comes first around its own x (a tenth of the range each, in the
// order of offers), and the conditional ones are impossible in a part of
// theirs (the next nearest wins there); exact ties between the horizon and
// background death (x < 0.02) and between the diagnosis and the start of
// prophylaxis (0.79 <= x < 0.81), within the settled part, and between the
// parts: myeloma onset and an adverse event (0.46 <= x < 0.48: the onset
// wins), a discontinuation and the diagnosis (0.52 <= x < 0.54) or the
// start of prophylaxis (0.56 <= x < 0.58: the discontinuation wins), a loss
// of response and the diagnosis (0.91 <= x < 0.93) or the start (0.93 <= x
// < 0.95: the settled event wins); a rate of 0 with a negative budget (its
// candidate -infinity, which would win were it offered) where x >= 0.97. An
// attack at 0.1 (x < 0.5) or 0.15 ties with the result at each kind's
// centre x (0.05, 0.15, 0.25: kinds the attack comes after; 0.45: before).
template <int Output>
struct OtherEventInLanes {
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        using L = Lanes<N>;
        OtherEventInputsLanes<N> in;
        in.background_death_time = vee<N>(x, 0.05);
        in.myeloma_death_time = vee<N>(x, 0.15);
        in.horizon_time = L::select(x < 0.02, in.background_death_time, vee<N>(x, 0.25));
        in.myeloma_onset_time = vee<N>(x, 0.35);
        in.myeloma_pending = outside<N>(x, 0.35, 0.37);
        in.adverse_event_time = vee<N>(x, 0.45);
        in.myeloma_onset_time = L::select((x >= 0.46) & (x < 0.48), in.adverse_event_time, in.myeloma_onset_time);
        in.discontinuation_time = vee<N>(x, 0.55);
        in.regimen_start_time = x * 0.25;
        in.last_attack_time = L::select(x < 0.6, x * 0.5, x * 0.1);
        in.deescalate_after_years = vee<N>(x, 0.65) - x * 0.25;
        in.deescalation_pending = outside<N>(x, 0.65, 0.67);
        in.diagnosis_time = vee<N>(x, 0.75);
        in.diagnosis_pending = outside<N>(x, 0.75, 0.77);
        in.response_loss_since = x * 0.125;
        in.loss_rate_per_year = L::select(x < 0.97, 2.0 + x, x * 0.0);
        in.response_loss_budget =
            L::select(x < 0.97, (vee<N>(x, 0.95) - in.response_loss_since) * in.loss_rate_per_year, x * 0.0 - 1.0);
        const typename L::Real response_lost_at = in.response_loss_since + in.response_loss_budget / in.loss_rate_per_year;
        in.diagnosis_time = L::select((x >= 0.52) & (x < 0.54), in.discontinuation_time, in.diagnosis_time);
        in.diagnosis_time = L::select((x >= 0.91) & (x < 0.93), response_lost_at, in.diagnosis_time);
        in.treatment_start_time = L::select((x >= 0.79) & (x < 0.81), in.diagnosis_time, vee<N>(x, 0.85));
        in.treatment_start_time = L::select((x >= 0.56) & (x < 0.58), in.discontinuation_time, in.treatment_start_time);
        in.treatment_start_time = L::select((x >= 0.93) & (x < 0.95), response_lost_at, in.treatment_start_time);
        in.treatment_start_pending = outside<N>(x, 0.85, 0.87);
        const detail::EarliestEventLanes<N> next = detail::earliest_other_event<N>(in);
        return event_output<Output, N>(next, L::select(x < 0.5, x * 0.0 + 0.1, x * 0.0 + 0.15));
    }
    static double scalar(double x) { return lanes<1>(x); }
};

TEST(EarliestOtherEventInLanes, EachLaneFindsWhatTheOneLaneFormFinds)
{
    const std::vector<double> x = test::arguments_around(
        41, 0.0, 1.0, 100000,
        {0.0, 0.02, 0.05, 0.1, 0.15, 0.25, 0.35, 0.37, 0.45, 0.46, 0.48, 0.5, 0.52, 0.54, 0.56, 0.58, 0.6, 0.65, 0.67, 0.75, 0.77, 0.79, 0.81, 0.85, 0.87,
         0.91, 0.93, 0.95, 0.97});
    // The arguments reach every kind in the one-lane form (else the lanes' check says less).
    bool won[detail::kEventKinds] = {};
    for (const double at : x) {
        won[static_cast<int>(OtherEventInLanes<1>::scalar(at))] = true;
    }
    for (int kind = 0; kind < detail::kEventKinds; ++kind) {
        EXPECT_EQ(won[kind], kind != static_cast<int>(NextEvent::attack)) << "kind " << kind;
    }
    expect_scalar_bits_in_lanes<OtherEventInLanes<0>>(x, "time");
    expect_scalar_bits_in_lanes<OtherEventInLanes<1>>(x, "kind");
    expect_scalar_bits_in_lanes<OtherEventInLanes<2>>(x, "attack first");
}

#endif

}  // namespace
}  // namespace scls
