// The lane model's costs on synthetic lifetimes and schedules whose warp
// costs are known by hand: lanes in lock step, one long lane, divergent
// handlers, refills paid once for the lanes that need them.
#include "bench/lane_schedules.hpp"

#include <gtest/gtest.h>

namespace scls::lanes {
namespace {

constexpr auto kAttack = static_cast<std::uint8_t>(NextEvent::attack);
constexpr auto kHorizon = static_cast<std::uint8_t>(NextEvent::horizon);
constexpr auto kSwitch = static_cast<std::uint8_t>(NextEvent::discontinuation);

TEST(LaneSchedules, LanesInLockStepAreFullyUsed)
{
    const std::vector<Lifetime> same(kWarp, Lifetime{kAttack, kAttack, kHorizon});
    EXPECT_DOUBLE_EQ(patient_per_lane(same, 1, assumed_costs()).efficiency(), 1.0);
}

TEST(LaneSchedules, OneLongLaneKeepsTheWarpWaiting)
{
    std::vector<Lifetime> lifetimes(kWarp, Lifetime{kHorizon});
    lifetimes[5] = Lifetime(10, kHorizon);
    // Steps only: 10 warp steps, 10 + 31 useful lane-steps.
    EXPECT_DOUBLE_EQ(patient_per_lane(lifetimes, 1, steps_only()).efficiency(), 41.0 / (kWarp * 10.0));
}

TEST(LaneSchedules, AWarpPaysForEveryHandlerItsLanesTake)
{
    std::vector<Lifetime> lifetimes(kWarp, Lifetime{kAttack});
    lifetimes[0] = Lifetime{kSwitch};
    Costs c = steps_only();
    c.handler[kAttack] = 1.0;
    c.handler[kSwitch] = 0.5;
    // One warp step: the common part, the attack handler and the switch handler.
    const Tally t = patient_per_lane(lifetimes, 1, c);
    EXPECT_DOUBLE_EQ(t.warp_cost, 1.0 + 1.0 + 0.5);
    EXPECT_DOUBLE_EQ(t.useful, 31 * 2.0 + 1.5);
}

TEST(LaneSchedules, ARefillCostsEachKindOfWorkOnceForTheLanesThatNeedIt)
{
    const Costs c = assumed_costs();
    RefillCost cost(c);
    cost.refill(0b0111u, 0u, 0b0111u);  // three lanes tally and begin their patients' next lifetimes
    EXPECT_DOUBLE_EQ(cost.tally().warp_cost, c.finish + c.start);
    EXPECT_DOUBLE_EQ(cost.tally().useful, 3 * (c.finish + c.start));
    cost.refill(0u, 0b1u, 0b1u);  // one lane takes a buffered patient and begins
    EXPECT_DOUBLE_EQ(cost.tally().warp_cost, c.finish + 2 * c.start + c.take);
    EXPECT_DOUBLE_EQ(cost.tally().useful, 3 * (c.finish + c.start) + c.take + c.start);
}

TEST(LaneSchedules, DiagnosticAttacksShareTheAttacksPathAndAloneCostItsConsequences)
{
    const Costs c = assumed_costs();
    const double attack = c.handler[kAttack], diagnostic = c.handler[static_cast<int>(NextEvent::diagnostic_attack)];
    RefillCost cost(c);
    cost.event(0, NextEvent::attack);
    cost.event(1, NextEvent::diagnostic_attack);
    cost.step(0b11u, 0u);  // one path for both
    EXPECT_DOUBLE_EQ(cost.tally().warp_cost, c.step + attack);
    cost.event(1, NextEvent::diagnostic_attack);
    cost.step(0b10u, 0u);  // alone: the consequences
    EXPECT_DOUBLE_EQ(cost.tally().warp_cost, 2 * c.step + attack + diagnostic);
    EXPECT_DOUBLE_EQ(cost.tally().useful, 3 * c.step + attack + 2 * diagnostic);
}

TEST(LaneSchedules, DrawingTheBufferCostsOneDrawForEveryLanesPatient)
{
    const Costs c = assumed_costs();
    RefillCost cost(c);
    cost.drew(kWarp);
    EXPECT_DOUBLE_EQ(cost.tally().efficiency(), 1.0);
    cost.drew(8);  // the launch's last patients: a quarter of the lanes draw one
    EXPECT_DOUBLE_EQ(cost.tally().efficiency(), (kWarp + 8) / (2.0 * kWarp));
}

// A CPU's vector lanes: efficiency is over the group's own width, and a
// buffer of the launch's last patients is a share of that width.
TEST(LaneSchedules, ANarrowerGroupOfLanesIsMeasuredAgainstItsOwnWidth)
{
    const Costs c = assumed_costs();
    RefillCost cost(c, 8);
    cost.drew(8);
    EXPECT_DOUBLE_EQ(cost.tally().efficiency(), 1.0);
    cost.drew(2);
    EXPECT_DOUBLE_EQ(cost.tally().efficiency(), 10.0 / 16.0);
    cost.event(0, NextEvent::attack);  // one lane of eight steps
    cost.step(1u, 0u);
    const double useful = 10 * c.attributes + c.step + c.handler[kAttack];
    EXPECT_DOUBLE_EQ(cost.tally().efficiency(), useful / (8 * (2 * c.attributes + c.step + c.handler[kAttack])));
}

TEST(LaneSchedules, AStepCostsItsCommonPartAndEachDistinctHandlerOnce)
{
    Costs c = steps_only();
    c.handler[kAttack] = 1.0;
    c.handler[kSwitch] = 0.5;
    RefillCost cost(c);
    for (int lane = 0; lane < 31; ++lane) {
        cost.event(lane, NextEvent::attack);
    }
    cost.event(31, NextEvent::discontinuation);
    cost.step(~0u, 0u);
    EXPECT_DOUBLE_EQ(cost.tally().warp_cost, 1.0 + 1.0 + 0.5);
    EXPECT_DOUBLE_EQ(cost.tally().useful, 31 * 2.0 + 1.5);
    cost.event(0, NextEvent::horizon);  // the next step: one lane, no handler cost
    cost.step(1u, 0u);
    EXPECT_DOUBLE_EQ(cost.tally().warp_cost, 2.5 + 1.0);
    EXPECT_DOUBLE_EQ(cost.tally().efficiency(), (31 * 2.0 + 1.5 + 1.0) / (kWarp * 3.5));
}

}  // namespace
}  // namespace scls::lanes
