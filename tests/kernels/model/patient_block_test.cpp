// A patient under every strategy, as the CPU backend runs it: the history
// the strategies share before prophylaxis can start is run once and the
// other strategies go on from its state. Every lifetime, and every value
// tallied of it, must be the very bits of the lifetime run whole.
#include "kernels/model/patient_block.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/engine/engine.hpp"
#include "tests/kernels/model/expect_lifetime.hpp"

namespace scls {
namespace {

Scenario base_with(std::vector<Override> overrides)
{
    return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", overrides);
}

struct Variant {
    std::string name;
    ModelParams params;
};

// What the shared history must get right: deaths within it, a treatment
// delay, entry at diagnosis (nothing shared), strategies that start at the
// n-th attack, and no prophylaxis that can be left (a discontinuation on it
// that leads somewhere under one strategy, then under the comparator).
std::vector<Variant> variants()
{
    std::vector<Variant> v = {
        {"base", base_with({}).params},
        {"frequent attacks, half a year's treatment delay",
         base_with({{"attacks.rate_per_year", "4"}, {"pathway.treatment_delay_years", "0.5"}}).params},
        {"entry at diagnosis", base_with({{"pathway.start", "diagnosis"}}).params},
        {"prophylaxis from the 2nd and 3rd attack",
         base_with({{"strategies.ivig.start_after_attacks", "2"}, {"strategies.step_up.start_after_attacks", "3"}}).params},
    };
    ModelParams leaving = v[0].params;
    leaving.regimen[0].discontinuation_rate_per_year = 0.3;
    leaving.strategy[2].on_discontinuation[0] = leaving.strategy[2].start_regimen;
    v.push_back({"no prophylaxis left on discontinuation under one strategy", leaving});
    leaving.strategy[leaving.comparator].on_discontinuation[0] = 1;
    v.push_back({"... and under the comparator", leaving});
    return v;
}

TEST(SimulatePatient, StrategiesGoingOnFromTheSharedHistoryGetTheBitsOfWholeLifetimes)
{
    const Scenario s = base_with({{"simulation.patients", "2000"}});
    const LaunchGeometry geometry = make_geometry(s, 1);
    int within_history = 0, after_history = 0;  // lifetimes (not the comparator's) that ended within it, or had events in it
    for (const Variant& variant : variants()) {
        const ModelParams& p = variant.params;
        for (std::uint32_t patient = 0; patient < geometry.patients_per_set; ++patient) {
            const StreamKey key = geometry.stream_key(0, patient);
            const PatientAttributes attributes = draw_attributes(p, key);
            LifetimeSimulator<kHostCachedAttacks> whole(p, attributes, key);
            const double until = whole.untreated_until();
            PairedBase base{};
            int position = 0;
            simulate_patient<kHostCachedAttacks>(p, geometry, 0, patient, [&](int strategy, const LifetimeOutcome& shared, const double* values) {
                const std::string who = variant.name + ", patient " + std::to_string(patient) + ", strategy " + std::to_string(strategy);
                const LifetimeOutcome alone = whole.run(strategy);
                test_support::expect_same_lifetime(shared, alone, 0.0, who);
                if (position++ == 0) {
                    base = paired_base(alone);
                }
                double alone_values[kValuesPerStrategy];
                lifetime_values(alone, base, alone_values);
                for (int v = 0; v < kValuesPerStrategy; ++v) {
                    EXPECT_EQ(values[v], alone_values[v]) << who << ", value " << v;
                }
                if (strategy != p.comparator && until > 0.0) {
                    within_history += alone.end_time < until ? 1 : 0;
                    after_history += alone.end_time >= until && alone.attacks_before_diagnosis > 0 ? 1 : 0;
                }
            });
            ASSERT_EQ(position, p.strategies);
            if (::testing::Test::HasFailure()) {
                return;
            }
        }
    }
    EXPECT_GT(within_history, 1000);
    EXPECT_GT(after_history, 1000);
}

}  // namespace
}  // namespace scls
