// Fuzz target: a calibration-targets file read against the built-in
// scenario; when it loads, its [fit] settings must lie in the validated
// ranges and every target is evaluated on a made-up run summary, so the
// indices the validation let through are used for real.
#include <cmath>

#include "host/calibration/targets.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

// One plausible summary per strategy: nothing zero, so every statistic has a value.
std::vector<scls::StrategySummary> made_up_summaries(const scls::Scenario& scenario)
{
    std::vector<scls::StrategySummary> out(scenario.strategy_names.size());
    const int points = scenario.params.months_in_grid + 1;
    for (std::size_t s = 0; s < out.size(); ++s) {
        scls::StrategySummary& summary = out[s];
        summary.name = scenario.strategy_names[s];
        summary.patients = 1000;
        summary.person_years = 20000.0;
        summary.attacks_per_patient_year = {0.5 + 0.1 * static_cast<double>(s), 0.01};
        for (auto& years : summary.regimen_years) years = 1000.0;
        for (auto& attacks : summary.attacks_on_regimen) attacks = 400;
        for (auto& attacks : summary.attacks) attacks = 300;
        for (auto& deaths : summary.deaths) deaths = 20;
        summary.alive_at_diagnosis = 990;
        summary.deaths_before_diagnosis = 10;
        summary.attacks_before_treatment = 200;
        summary.days_before_treatment = 100000;
        summary.attacks_on_treatment = 50;
        summary.days_on_treatment = 200000;
        summary.observed_rate_histogram.assign(scls::kObservedRateBins, 20);
        for (int m = 0; m < points; ++m) {
            summary.survival.value.push_back(std::exp(-0.002 * m));
            summary.survival.se.push_back(0.01);
            summary.attack_free.value.push_back(std::exp(-0.04 * m));
            summary.attack_free.se.push_back(0.01);
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace scls;
    const Scenario& scenario = fuzz::builtin_scenario();
    static const std::vector<StrategySummary> summaries = made_up_summaries(scenario);
    const std::string text = fuzz::as_text(data, size);
    fuzz::expect_only_input_errors("load_targets/evaluate_target", [&] {
        const TargetSet set = load_targets(text, "fuzz_targets.toml", scenario);
        // The [fit] minimums load_targets enforces (a value wrapped by a narrowing cast would slip past).
        if (set.patients < 1000 || set.starts < 1 || set.max_evaluations < 10 || !(set.relative_tolerance > 0.0)) {
            fuzz::report_finding("load_targets", "[fit] patients " + std::to_string(set.patients) + ", starts " +
                                                     std::to_string(set.starts) + ", max_evaluations " +
                                                     std::to_string(set.max_evaluations) +
                                                     " (validated as >= 1000, >= 1, >= 10)");
        }
        std::vector<TargetValue> values;
        for (const Target& target : set.targets) {
            values.push_back(evaluate_target(target, summaries));
        }
        target_distance(set.targets, values);
    });
    return 0;
}
