// The GPU kernel's lane-refill schedule, run on the CPU through an emulated
// warp: the same bits as the CPU backend's one-patient-at-a-time loop at any
// lane width, with patients of several parameter sets and padded blocks, and
// every lifetime tallied exactly once.
#include "kernels/model/lane_refill.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "host/engine/engine.hpp"
#include "kernels/launch/backend.hpp"
#include "kernels/launch/emulated_warp.hpp"

namespace scls {
namespace {

Scenario base_with(std::vector<Override> overrides)
{
    return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", overrides);
}

// Three sets that differ in what decides the lanes' paths: attack rate,
// the entry point (onset or diagnosis) and the draws (set 2 its own patients).
std::vector<ModelParams> three_sets(const std::string& patients)
{
    return {base_with({{"simulation.patients", patients}}).params,
            base_with({{"simulation.patients", patients}, {"attacks.rate_per_year", "4"}}).params,
            base_with({{"simulation.patients", patients}, {"pathway.start", "diagnosis"}}).params};
}

std::vector<std::uint64_t> cpu_backend_counts(const std::vector<ModelParams>& sets, const LaunchGeometry& g)
{
    auto backend = make_cpu_backend(sets, g, 1);
    backend->simulate(0, g.total_blocks());
    return backend->counts();
}

template <int Width>
std::vector<std::uint64_t> emulated_counts(const std::vector<ModelParams>& sets, const LaunchGeometry& g, std::uint64_t first_block,
                                           std::uint64_t blocks, std::vector<std::uint64_t> counts = {})
{
    if (counts.empty()) {
        counts.assign(static_cast<std::size_t>(g.parameter_sets) * g.counts_per_set(), 0);
    }
    run_emulated_warp<Width>(sets.data(), g, first_block * kPatientsPerBlock, (first_block + blocks) * kPatientsPerBlock, counts.data());
    return counts;
}

class LaneRefill : public ::testing::Test {
  protected:
    void SetUp() override
    {
        const Scenario s = base_with({{"simulation.patients", "700"}});  // 3 blocks per set, the last one padded
        sets_ = three_sets("700");
        geometry_ = make_geometry(s, 3);
        reference_ = cpu_backend_counts(sets_, geometry_);
    }
    std::vector<ModelParams> sets_;
    LaunchGeometry geometry_{};
    std::vector<std::uint64_t> reference_;
};

TEST_F(LaneRefill, EveryLaneWidthGivesTheCpuBackendsBits)
{
    const std::uint64_t blocks = geometry_.total_blocks();
    EXPECT_EQ(emulated_counts<1>(sets_, geometry_, 0, blocks), reference_) << "1 lane";
    EXPECT_EQ(emulated_counts<5>(sets_, geometry_, 0, blocks), reference_) << "5 lanes";
    EXPECT_EQ(emulated_counts<16>(sets_, geometry_, 0, blocks), reference_) << "16 lanes";
    EXPECT_EQ(emulated_counts<32>(sets_, geometry_, 0, blocks), reference_) << "32 lanes";
}

// A rule that escalates from no prophylaxis counts attacks only once the
// strategy has started: the CPU backend, which runs the attacks before
// diagnosis as one run (no step between them), must count none of them,
// as the lanes, stepping one event at a time, do not.
TEST_F(LaneRefill, AnEscalationFromNoProphylaxisGivesTheCpuBackendsBits)
{
    for (ModelParams& p : sets_) {
        StrategyParams* untreated = nullptr;
        int prophylaxis = 0;
        for (int k = 0; k < p.strategies; ++k) {
            if (p.strategy[k].start_regimen == 0) {
                untreated = &p.strategy[k];
            } else {
                prophylaxis = p.strategy[k].start_regimen;
            }
        }
        ASSERT_NE(untreated, nullptr);
        ASSERT_NE(prophylaxis, 0);
        untreated->escalate_to[0] = prophylaxis;
        untreated->escalate_after_attacks[0] = 2;
        untreated->escalate_window_years[0] = 1.0;
    }
    const std::vector<std::uint64_t> escalating = cpu_backend_counts(sets_, geometry_);
    EXPECT_NE(escalating, reference_) << "the rule changed no lifetime";
    EXPECT_EQ(emulated_counts<32>(sets_, geometry_, 0, geometry_.total_blocks()), escalating);
}

// Where diagnosis is no attack it is no event: the CPU backend's runs of
// attacks before diagnosis stop there by themselves, and strategies that
// start at the n-th attack since diagnosis count from it, as the lanes do.
TEST_F(LaneRefill, DiagnosisInNoAttackGivesTheCpuBackendsBits)
{
    const std::vector<ModelParams> sets = {
        base_with({{"simulation.patients", "700"}, {"pathway.diagnosed_in_attack", "false"}, {"attacks.rate_per_year", "4"},
                   {"strategies.ivig.start_after_attacks", "2"}})
            .params,
        base_with({{"simulation.patients", "700"}, {"pathway.diagnosed_in_attack", "false"}, {"pathway.treatment_delay_years", "0.5"},
                   {"simulation.comparator", "step_up"}, {"strategies.step_up.start_after_attacks", "2"}})
            .params,
        sets_[2]};
    const std::vector<std::uint64_t> cpu = cpu_backend_counts(sets, geometry_);
    EXPECT_EQ(emulated_counts<32>(sets, geometry_, 0, geometry_.total_blocks()), cpu);
}

// Launches of any size, in any order, add up to the same bits (a batch of
// the GPU backend is one launch).
TEST_F(LaneRefill, LaunchesInAnyOrderAddUpToTheSameBits)
{
    std::vector<std::uint64_t> counts = emulated_counts<32>(sets_, geometry_, 7, 2);
    counts = emulated_counts<32>(sets_, geometry_, 2, 5, counts);
    counts = emulated_counts<32>(sets_, geometry_, 0, 2, counts);
    EXPECT_EQ(counts, reference_);
}

// The schedule as the lane model observes it: every patient drawn once and
// taken once, every lifetime begun, stepped to its end and tallied once.
struct CountingObserver {
    std::uint64_t drawn = 0, taken = 0, begun = 0, tallied = 0, steps = 0, events = 0, ends = 0;
    void drew(std::uint64_t first_slot, std::uint64_t end, const LaunchGeometry& geometry)
    {
        drawn += static_cast<std::uint64_t>(detail::patients_in(first_slot, end, 32, geometry));
    }
    void refill(unsigned ended, unsigned took, unsigned begun_lanes)
    {
        tallied += static_cast<std::uint64_t>(__builtin_popcount(ended));
        taken += static_cast<std::uint64_t>(__builtin_popcount(took));
        begun += static_cast<std::uint64_t>(__builtin_popcount(begun_lanes));
    }
    void event(int, detail::NextEvent event)
    {
        ++events;
        ends += event == detail::NextEvent::background_death || event == detail::NextEvent::myeloma_death ||
                        event == detail::NextEvent::horizon
                    ? 1
                    : 0;
    }
    void step(unsigned, unsigned) { ++steps; }
};

TEST_F(LaneRefill, EveryPatientAndLifetimeOnceAndNoStepWithoutEvents)
{
    std::vector<std::uint64_t> counts(reference_.size(), 0);
    CountingObserver seen;
    run_emulated_warp<32>(sets_.data(), geometry_, 0, geometry_.total_blocks() * kPatientsPerBlock, counts.data(), seen);
    const std::uint64_t patients = 3u * 700u, lifetimes = patients * static_cast<std::uint64_t>(geometry_.strategies);
    EXPECT_EQ(seen.taken, patients);
    EXPECT_EQ(seen.drawn, patients);  // each set's padding claimed, not drawn
    EXPECT_EQ(seen.begun, lifetimes);
    EXPECT_EQ(seen.tallied, lifetimes);
    EXPECT_LE(seen.ends, lifetimes);  // the others end in an attack or an adverse event
    EXPECT_GE(seen.events, seen.steps);
    EXPECT_EQ(counts, reference_);
}

}  // namespace
}  // namespace scls
