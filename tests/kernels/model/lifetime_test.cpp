// The event loop's two ways with an attack that changes nothing but the
// attack process: skipping its accrual and keeping the other events' times
// (the CPU), or accruing and recomputing at every event (the GPU). Same
// patients, same draws: the same events at the same times, every count
// equal, and costs, QALYs and years equal up to rounding.
#include "kernels/model/lifetime.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "host/engine/engine.hpp"
#include "kernels/model/patient_block.hpp"
#include "tests/kernels/model/expect_lifetime.hpp"

namespace scls {
namespace {

Scenario base_with(std::vector<Override> overrides)
{
    return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", overrides);
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
                const std::string who = "scenario " + std::to_string(which) + ", patient " + std::to_string(patient) +
                                        ", strategy " + std::to_string(strategy);
                test_support::expect_same_lifetime(a, b, 1e-12, who);
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
