// The event loop's two ways with an attack that changes nothing but the
// attack process: skipping its accrual and keeping the other events' times
// (the CPU), or accruing and recomputing at every event (the GPU). Same
// patients, same draws: the same events at the same times, every count
// equal, and costs, QALYs and years equal up to rounding.
#include "kernels/model/lifetime.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/engine/engine.hpp"
#include "kernels/model/patient_block.hpp"

namespace scls {
namespace {

Scenario base_with(std::vector<Override> overrides)
{
    return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", overrides);
}

// Both relative to the larger magnitude, with an absolute floor for sums near zero.
void expect_close(double skipping, double accruing, const std::string& what)
{
    const double scale = std::fmax(std::fabs(skipping), std::fabs(accruing));
    EXPECT_LE(std::fabs(skipping - accruing), 1e-12 * scale + 1e-12) << what << ": " << skipping << " against " << accruing;
}

void expect_same_lifetime(const LifetimeOutcome& skipping, const LifetimeOutcome& accruing, const std::string& who)
{
    EXPECT_EQ(skipping.end_time, accruing.end_time) << who;
    EXPECT_EQ(skipping.end_reason, accruing.end_reason) << who;
    EXPECT_EQ(skipping.first_attack_time, accruing.first_attack_time) << who;
    EXPECT_EQ(skipping.treatment_start_time, accruing.treatment_start_time) << who;
    EXPECT_EQ(skipping.ever_treated_time, accruing.ever_treated_time) << who;
    for (int k = 0; k < kSeverities; ++k) {
        EXPECT_EQ(skipping.attacks_by_severity[k], accruing.attacks_by_severity[k]) << who;
    }
    for (int c = 0; c < kComplications; ++c) {
        EXPECT_EQ(skipping.complications[c], accruing.complications[c]) << who;
    }
    for (int r = 0; r < kMaxRegimens; ++r) {
        EXPECT_EQ(skipping.attacks_on_regimen[r], accruing.attacks_on_regimen[r]) << who;
        expect_close(skipping.regimen_years[r], accruing.regimen_years[r], who + ", years on regimen " + std::to_string(r));
    }
    EXPECT_EQ(skipping.adverse_events, accruing.adverse_events) << who;
    EXPECT_EQ(skipping.switches, accruing.switches) << who;
    EXPECT_EQ(skipping.escalations, accruing.escalations) << who;
    EXPECT_EQ(skipping.deescalations, accruing.deescalations) << who;
    EXPECT_EQ(skipping.discontinuations, accruing.discontinuations) << who;
    EXPECT_EQ(skipping.response_losses, accruing.response_losses) << who;
    for (int c = 0; c < kCostCategories; ++c) {
        expect_close(skipping.cost[c], accruing.cost[c], who + ", cost category " + std::to_string(c));
    }
    expect_close(skipping.qalys, accruing.qalys, who + ", QALYs");
    expect_close(skipping.life_years, accruing.life_years, who + ", life-years");
    expect_close(skipping.life_years_discounted, accruing.life_years_discounted, who + ", discounted life-years");
}

// Attacks, complications with lasting decrements, escalation, deescalation,
// discontinuations, adverse events and losses of response (the base
// scenario's), more of them, and effects discounted apart from costs.
TEST(LifetimeSimulator, SkippingAnAttacksAccrualChangesNothingButRounding)
{
    const std::vector<Scenario> scenarios = {
        base_with({}),
        base_with({{"attacks.rate_per_year", "4"}, {"simulation.discount_rate_effects", "0.015"}}),
        base_with({{"pathway.start", "diagnosis"}, {"regimens.ivig_2g.loss_of_response_rate_per_year", "0.5"}}),
    };
    int lifetimes = 0, attacks = 0, escalations = 0, deescalations = 0, losses = 0;
    for (std::size_t which = 0; which < scenarios.size(); ++which) {
        const ModelParams& p = scenarios[which].params;
        for (std::uint32_t patient = 0; patient < 3000; ++patient) {
            const StreamKey key{20261123, 0, patient};
            const PatientAttributes attributes = draw_attributes(p, key);
            LifetimeSimulator<kHostCachedAttacks, true> skipping(p, attributes, key);
            LifetimeSimulator<kHostCachedAttacks, false> accruing(p, attributes, key);
            for (int strategy = 0; strategy < p.strategies; ++strategy) {
                const LifetimeOutcome a = skipping.run(strategy);
                const LifetimeOutcome b = accruing.run(strategy);
                expect_same_lifetime(a, b, "scenario " + std::to_string(which) + ", patient " + std::to_string(patient) +
                                               ", strategy " + std::to_string(strategy));
                ++lifetimes;
                attacks += static_cast<int>(a.attacks());
                escalations += static_cast<int>(a.escalations);
                deescalations += static_cast<int>(a.deescalations);
                losses += static_cast<int>(a.response_losses);
            }
            if (::testing::Test::HasFailure()) {
                return;
            }
        }
    }
    // The paths the skip must get right were taken.
    EXPECT_GT(attacks, 10 * lifetimes);
    EXPECT_GT(escalations, 100);
    EXPECT_GT(deescalations, 100);
    EXPECT_GT(losses, 100);
}

}  // namespace
}  // namespace scls
