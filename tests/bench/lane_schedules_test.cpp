// The lane model's schedules on synthetic lifetimes whose warp costs are
// known by hand: lanes in lock step, one long lane, divergent handlers, and
// refill keeping lanes busy.
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
    EXPECT_DOUBLE_EQ(lane_refill(same, kWarp, 1, assumed_costs()).efficiency(), 1.0);
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

TEST(LaneSchedules, RefillFillsTheLanesAShortLifetimeLeavesIdle)
{
    // Patient-per-lane, two strategies: lane 0 runs long under strategy 0,
    // the others wait; refill hands the waiting lanes the next lifetimes.
    std::vector<Lifetime> lifetimes;
    for (int patient = 0; patient < 4 * kWarp; ++patient) {
        lifetimes.push_back(Lifetime(patient % kWarp == 0 ? 8 : 2, kHorizon));
        lifetimes.push_back(Lifetime(2, kHorizon));
    }
    const double landed = patient_per_lane(lifetimes, 2, steps_only()).efficiency();
    const double refill = lane_refill(lifetimes, lifetimes.size(), 1, steps_only()).efficiency();
    // Landed: per strategy-0 round 8 warp steps for 8 + 31 x 2 lane-steps; strategy 1 in lock step.
    EXPECT_DOUBLE_EQ(landed, (4 * (8 + 31 * 2) + 4 * kWarp * 2) / (kWarp * (4 * 8.0 + 4 * 2)));
    EXPECT_GT(refill, 0.8);  // only the tail idles
    EXPECT_GT(refill - landed, 0.2);
}

TEST(LaneSchedules, APatientsStrategiesRunInTurnWithAMarkerBetween)
{
    const std::vector<Lifetime> lifetimes{{kAttack, kHorizon}, {kHorizon}, {kSwitch, kHorizon}, {kHorizon}};
    const std::vector<Lifetime> patients = patient_sequences(lifetimes, 2);
    ASSERT_EQ(patients.size(), 2u);
    EXPECT_EQ(patients[0], (Lifetime{kAttack, kHorizon, kNextStrategy, kHorizon}));
    EXPECT_EQ(patients[1], (Lifetime{kSwitch, kHorizon, kNextStrategy, kHorizon}));
    // The marker costs an end and a start, no step: the work is the two lifetimes' own.
    const Costs c = assumed_costs();
    EXPECT_DOUBLE_EQ(useful(patients[0], c), useful(lifetimes[0], c) + useful(lifetimes[1], c));
}

}  // namespace
}  // namespace scls::lanes
