// A patient under every strategy, as the CPU backend runs it: the history
// the strategies share before prophylaxis can start is run once and the
// other strategies go on from its state. Every lifetime, and every value
// tallied of it, must have the bits of the lifetime run whole, and the
// shared events must indeed be simulated once.
#include "kernels/model/patient_block.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
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
    bool shares;  // some of its patients have a shared history
};

// What the shared history must get right: deaths within it, a treatment
// delay or none (the diagnostic attack then falls on the start time), entry
// at diagnosis with and without a delay, strategies (the comparator among
// them) that start at the n-th attack, a comparator other than strategy 0,
// and no prophylaxis that can be left on discontinuation (under one
// strategy: it runs whole; under the comparator: nothing is shared), and
// diagnosis in no attack.
std::vector<Variant> variants()
{
    std::vector<Variant> v = {
        {"base", base_with({}).params, true},
        {"frequent attacks, half a year's treatment delay",
         base_with({{"attacks.rate_per_year", "4"}, {"pathway.treatment_delay_years", "0.5"}}).params, true},
        {"no treatment delay", base_with({{"pathway.treatment_delay_years", "0"}}).params, true},
        {"entry at diagnosis, no delay", base_with({{"pathway.start", "diagnosis"}, {"pathway.treatment_delay_years", "0"}}).params,
         false},
        {"entry at diagnosis, a quarter's delay, prophylaxis from the 2nd attack",
         base_with({{"pathway.start", "diagnosis"}, {"pathway.treatment_delay_years", "0.25"}, {"attacks.rate_per_year", "4"},
                    {"strategies.ivig.start_after_attacks", "2"}})
             .params,
         true},
        {"prophylaxis from the 2nd and 3rd attack, comparator from the 2nd",
         base_with({{"simulation.comparator", "step_up"},
                    {"strategies.ivig.start_after_attacks", "2"},
                    {"strategies.step_up.start_after_attacks", "2"},
                    {"strategies.theo_terb.start_after_attacks", "3"}})
             .params,
         true},
        // Where diagnosis is no attack it is no event either: the CPU's runs
        // of attacks before it must stop there by themselves.
        {"diagnosis in no attack, frequent attacks, prophylaxis from the 2nd attack",
         base_with({{"pathway.diagnosed_in_attack", "false"}, {"attacks.rate_per_year", "4"},
                    {"strategies.ivig.start_after_attacks", "2"}})
             .params,
         true},
        {"diagnosis in no attack, half a year's delay, comparator from the 2nd attack",
         base_with({{"pathway.diagnosed_in_attack", "false"}, {"pathway.treatment_delay_years", "0.5"},
                    {"simulation.comparator", "step_up"}, {"strategies.step_up.start_after_attacks", "2"},
                    {"strategies.ivig.start_after_attacks", "1"}})
             .params,
         true},
    };
    ModelParams leaving = v[0].params;
    leaving.regimen[0].discontinuation_rate_per_year = 0.3;
    leaving.strategy[2].on_discontinuation[0] = leaving.strategy[2].start_regimen;
    v.push_back({"no prophylaxis left on discontinuation under one strategy", leaving, true});
    leaving.strategy[leaving.comparator].on_discontinuation[0] = 1;
    v.push_back({"... and under the comparator", leaving, false});
    return v;
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

TEST(SimulatePatient, StrategiesGoingOnFromTheSharedHistoryGetTheBitsOfWholeLifetimes)
{
    const Scenario s = base_with({{"simulation.patients", "2000"}});
    const LaunchGeometry geometry = make_geometry(s, 1);
    for (const Variant& variant : variants()) {
        const ModelParams& p = variant.params;
        std::uint64_t whole_events = 0, shared_events = 0, every_lifetime_events = 0;
        // Lifetimes other than the comparator's that ended within the shared
        // history, or had an attack in it and went on.
        int within_history = 0, after_history = 0;
        for (std::uint32_t patient = 0; patient < geometry.patients_per_set; ++patient) {
            const StreamKey key = geometry.stream_key(0, patient);
            const PatientAttributes attributes = draw_attributes(p, key);
            LifetimeSimulator<0> whole(p, attributes, key);  // every draw afresh: the shared path's kept draws checked too
            const double until = whole.untreated_until();
            PairedBase base{};
            int position = 0;
            bool counting = true;  // the whole lifetimes' events, once per patient
            const auto check = [&](int strategy, const LifetimeOutcome& outcome, const double* values) {
                const std::string who = variant.name + ", patient " + std::to_string(patient) + ", strategy " + std::to_string(strategy);
                const LifetimeOutcome alone = whole.run(strategy, [&](detail::NextEvent) { whole_events += counting ? 1 : 0; });
                test_support::expect_same_lifetime(outcome, alone, 0.0, who);
                if (position++ == 0) {
                    base = paired_base(alone);
                }
                double alone_values[kValuesPerStrategy];
                lifetime_values(alone, base, alone_values);
                for (int v = 0; v < kValuesPerStrategy; ++v) {
                    EXPECT_EQ(bits(values[v]), bits(alone_values[v])) << who << ", value " << v;
                }
                if (strategy != p.comparator && until > 0.0) {
                    within_history += alone.end_time < until ? 1 : 0;
                    after_history += alone.end_time >= until && alone.first_attack_time < until ? 1 : 0;
                }
            };
            simulate_patient<kHostCachedAttacks>(p, geometry, 0, patient, check, [&](int, detail::NextEvent) { ++shared_events; });
            ASSERT_EQ(position, p.strategies);
            position = 0;
            counting = false;
            simulate_patient<kHostCachedAttacks>(
                p, geometry, 0, patient, check, [&](int, detail::NextEvent) { ++every_lifetime_events; },
                SharedHistory::run_in_every_lifetime);
            if (::testing::Test::HasFailure()) {
                return;
            }
        }
        SCOPED_TRACE(variant.name);
        EXPECT_EQ(every_lifetime_events, whole_events);  // the lane model's record: every lifetime's own events
        if (variant.shares) {
            EXPECT_LT(shared_events, every_lifetime_events * 95 / 100);  // the shared events once
            EXPECT_GT(within_history, 100);
            EXPECT_GT(after_history, 100);
        } else {
            EXPECT_EQ(shared_events, every_lifetime_events);
        }
    }
}

}  // namespace
}  // namespace scls
