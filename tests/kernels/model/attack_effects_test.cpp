// What an attack adds to a lifetime's outcome (its counts, its discounted
// costs and QALY loss, its complications, death), and the pick among a
// regimen's adverse events.
#include "kernels/model/attack_effects.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "host/engine/engine.hpp"

namespace scls {
namespace {

// Each adverse event takes the uniforms of its share of the regimen's rate,
// in order; a uniform that rounding leaves past every share takes the last.
TEST(PickAdverseEvent, EachEventTakesTheUniformsOfItsShareOfTheRate)
{
    RegimenParams on{};
    on.adverse_event_types = 3;
    on.adverse_event[0].rate_per_year = 0.25;
    on.adverse_event[1].rate_per_year = 0.5;
    on.adverse_event[2].rate_per_year = 0.25;
    on.adverse_event_rate_per_year = 1.0;
    EXPECT_EQ(pick_adverse_event(on, 0.0), 0);
    EXPECT_EQ(pick_adverse_event(on, std::nextafter(0.25, 0.0)), 0);
    EXPECT_EQ(pick_adverse_event(on, 0.25), 1);
    EXPECT_EQ(pick_adverse_event(on, std::nextafter(0.75, 0.0)), 1);
    EXPECT_EQ(pick_adverse_event(on, 0.75), 2);
    EXPECT_EQ(pick_adverse_event(on, 1.0), 2);
    on.adverse_event_types = 1;
    EXPECT_EQ(pick_adverse_event(on, 0.9), 0);
}

// An attack counts on its regimen; as untreated where no treatment start is
// recorded, else within the before/after window until it ends; before
// diagnosis when it comes first. Only the first of a run may move the first
// attack's time (a later one comes after it).
TEST(CountAttack, CountsTheRegimenTheWindowAndDiagnosis)
{
    LifetimeState s{};
    s.out.first_attack_time = kInfinity;
    s.regimen = 1;
    AttackRun run{nullptr, kNoRegimen, true, true, 2.0, 0.0};
    s.t = 1.0;
    count_attack(s, run, false);
    EXPECT_EQ(s.out.attacks_on_regimen[1], 1u);
    EXPECT_EQ(s.out.untreated_attacks, 1u);
    EXPECT_EQ(s.out.window_attacks, 0u);
    EXPECT_EQ(s.out.attacks_before_diagnosis, 1u);
    EXPECT_EQ(s.out.first_attack_time, 1.0);
    EXPECT_EQ(s.last_attack_time, 1.0);

    run.untreated = false;
    run.window_end = 3.0;
    s.t = 2.5;
    count_attack(s, run, true);
    EXPECT_EQ(s.out.untreated_attacks, 1u);
    EXPECT_EQ(s.out.window_attacks, 1u);
    EXPECT_EQ(s.out.attacks_before_diagnosis, 1u);  // at 2.5, after diagnosis at 2
    EXPECT_EQ(s.out.first_attack_time, 1.0);
    EXPECT_EQ(s.last_attack_time, 2.5);

    s.t = 3.0;  // the window's end is not in it
    count_attack(s, run, true);
    EXPECT_EQ(s.out.window_attacks, 1u);
    EXPECT_EQ(s.out.attacks_on_regimen[1], 3u);

    LifetimeState later{};
    later.out.first_attack_time = kInfinity;
    later.t = 1.0;
    count_attack(later, run, true);
    EXPECT_EQ(later.out.first_attack_time, kInfinity);
}

// An attack's costs and QALY loss at the given factors, its severity, its
// complications and their lasting decrements, and death below the
// severity's probability times the regimen's multiplier.
TEST(AttackConsequencesIn, AddsTheDiscountedAmountsAndDecidesDeath)
{
    const Scenario scenario = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", {});
    const ModelParams& p = scenario.params;
    RegimenParams on = p.regimen[0];
    on.attack_death_multiplier = 0.5;  // regimen 0's is always 1
    const int last = kSeverities - 1;
    AttackDraws draws{};
    draws.severity_uniform = std::nextafter(1.0, 0.0);  // the last severity
    draws.stay_normal = 0.0;                            // the median stay
    for (int c = 0; c < kComplications; ++c) {
        draws.complication_uniform[c] = c == 0 ? 0.0 : 1.0;  // the first complication only
    }
    const double death_at = p.severity[last].death_probability * on.attack_death_multiplier;
    ASSERT_GT(death_at, 0.0);
    ASSERT_LT(death_at, p.severity[last].death_probability);
    for (const double death_uniform : {std::nextafter(death_at, 0.0), death_at}) {
        draws.death_uniform = death_uniform;
        LifetimeOutcome out{};
        double added_decrement = 0.25;
        AttackDrawCache<0> uncached;
        const bool died = attack_consequences_in(p, uncached, out, 0u, draws, 0.5, 0.25, on, added_decrement);
        EXPECT_EQ(died, death_uniform < death_at);
        EXPECT_EQ(out.attacks_by_severity[last], 1u);
        const AttackConsequences c = attack_consequences(p, draws, last);
        ASSERT_EQ(c.complications, 1u);
        EXPECT_EQ(out.complications[0], 1u);
        EXPECT_EQ(added_decrement, 0.25 + p.complication[0].utility_decrement);
        EXPECT_EQ(out.cost[static_cast<int>(CostCategory::attack_care)], c.care_cost * 0.5);
        EXPECT_EQ(out.cost[static_cast<int>(CostCategory::complications)], c.complication_cost * 0.5);
        EXPECT_EQ(out.qalys, -(p.severity[last].qaly_loss * 0.25));
    }
}

}  // namespace
}  // namespace scls
