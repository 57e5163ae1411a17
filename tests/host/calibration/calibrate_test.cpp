// The calibrator recovers parameters it is given targets for: targets made by
// the model itself at known values (other patients than the fit's), found
// again from the scenario's values.
#include "host/calibration/calibrate.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/synthetic_truth.hpp"

namespace scls {
namespace {

TEST(Calibrate, RecoversKnownParametersFromSyntheticTargets)
{
    const double true_sigma = 1.7;
    const double true_icu_share = 0.26;
    // The truth, simulated with a seed the fit does not use.
    const StrategySummary untreated = test::simulate_untreated_truth(true_sigma, true_icu_share, 60000);
    const std::string none = "\"no_prophylaxis\"";
    std::string text = R"(
name = "synthetic"
[fit]
patients = 30000
seed = 7
starts = 1
max_evaluations = 120
relative_tolerance = 0.002
[[parameters]]
path = "attacks.heterogeneity_sigma"
lower = 0.3
upper = 2.5
[[parameters]]
path = "attacks.severity.icu.share"
lower = 0.05
upper = 0.45
balance = "attacks.severity.mild.share"
)";
    auto add_target = [&](const std::string& name, const std::string& statistic, const std::string& extra, double value, double se) {
        text += fmt::format("[[targets]]\nname = \"{}\"\nstatistic = \"{}\"\nstrategies = {}\n{}\nvalue = {:.17g}\nse = {}\nsource = \"model\"\n",
                            name, statistic, none, extra, value, se);
    };
    add_target("survival_2y", "survival", "years = 2.0", untreated.survival_at_years(2.0).mean, 0.005);
    add_target("survival_10y", "survival", "years = 10.0", untreated.survival_at_years(10.0).mean, 0.005);
    add_target("attack_free_1y", "attack_free", "years = 1.0", untreated.attack_free_at_years(1.0).mean, 0.005);
    add_target("attack_rate", "attack_rate", "", untreated.attacks_per_patient_year.mean, 0.02);
    const double deaths = static_cast<double>(untreated.attack_deaths_of_diagnosed);  // what a case series sees
    const double attacks = static_cast<double>(untreated.attacks_of_diagnosed);
    add_target("death_per_attack", "death_per_attack", "", deaths / attacks, 0.002);

    const Scenario scenario = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".");
    RunOptions run;
    run.backend = BackendChoice::cpu;
    const TargetSet targets = load_targets(text, "synthetic.toml", scenario);
    CalibrationOptions options;
    options.run = run;
    const CalibrationResult result = calibrate(scenario, targets, options);
    const CalibrationEvaluation& best = result.trace[result.best];
    ASSERT_TRUE(best.feasible);
    EXPECT_NEAR(best.parameters[0], true_sigma, 0.12);
    EXPECT_NEAR(best.parameters[1], true_icu_share, 0.02);
    EXPECT_LT(best.distance, 10.0) << "5 targets with SEs near the Monte Carlo error";
    EXPECT_LT(best.distance, result.trace.front().distance) << "no improvement on the starting point";
}

}  // namespace
}  // namespace scls
