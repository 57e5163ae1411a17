// The built-in scenario simulated at a known heterogeneity and ICU share
// (mild attacks absorbing the change), with a seed no fit uses: the "truth"
// from which calibration tests make their synthetic targets: the summary of
// its comparator (no prophylaxis).
#pragma once

#include <fmt/format.h>

#include <string>

#include "host/engine/engine.hpp"
#include "host/engine/summary.hpp"
#include "host/scenario/scenario.hpp"

namespace scls::test {

inline StrategySummary simulate_untreated_truth(double sigma, double icu_share, int patients)
{
    const Scenario scenario = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".");
    const double mild_share = scenario.params.severity[0].share - (icu_share - scenario.params.severity[2].share);
    const Scenario truth = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".",
                                         {{"attacks.heterogeneity_sigma", fmt::format("{}", sigma)},
                                          {"attacks.severity.icu.share", fmt::format("{}", icu_share)},
                                          {"attacks.severity.mild.share", fmt::format("{:.17g}", mild_share)},
                                          {"simulation.patients", std::to_string(patients)},
                                          {"simulation.seed", "99"}});
    RunOptions run;
    run.backend = BackendChoice::cpu;
    return summarize(truth, run_simulation(truth, {truth.params}, run), 0)[truth.comparator];
}

}  // namespace scls::test
