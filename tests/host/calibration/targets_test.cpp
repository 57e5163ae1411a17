// Targets files: the shipped one loads; every malformed one is refused with
// the key and a message saying what would be right; statistics of mixes and
// ratios; balanced shares; the calibrated scenario writer.
#include "host/calibration/targets.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "host/calibration/calibrate.hpp"
#include "tests/support/test_paths.hpp"

namespace scls {
namespace {

Scenario base() { return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, "."); }

const char* const kValidTargets = R"(
name = "synthetic"
[fit]
patients = 2000
[[parameters]]
path = "attacks.heterogeneity_sigma"
lower = 0.3
upper = 2.5
[[parameters]]
path = "attacks.severity.icu.share"
lower = 0.05
upper = 0.45
balance = "attacks.severity.mild.share"
[[targets]]
name = "survival_5y"
statistic = "survival"
years = 5.0
strategies = { ivig = 0.5, no_prophylaxis = 0.5 }
value = 0.8
se = 0.05
source = "test"
[[targets]]
name = "ratio"
statistic = "attack_rate_ratio"
strategies = "ivig"
regimen = "ivig_2g"
reference = "no_prophylaxis"
value = 0.1
ci = [0.05, 0.2]
source = "test"
)";

TEST(Targets, ShippedTargetSetLoadsAgainstTheBaseScenario)
{
    std::ifstream in(std::string(SCLS_TEST_SOURCE_DIR) + "/scenarios/targets/pineton2017.toml");
    std::stringstream text;
    text << in.rdbuf();
    const Scenario scenario = base();
    const TargetSet set = load_targets(text.str(), "pineton2017.toml", scenario);
    EXPECT_EQ(set.name, "pineton2017");
    EXPECT_GE(set.targets.size(), set.parameters.size());
    for (const FittedParameter& p : set.parameters) {
        EXPECT_GE(p.initial, p.lower) << p.path;
        EXPECT_LE(p.initial, p.upper) << p.path;
    }
}

TEST(Targets, ReadsValuesBoundsMixesAndConfidenceIntervals)
{
    const TargetSet set = load_targets(kValidTargets, "t.toml", base());
    ASSERT_EQ(set.parameters.size(), 2u);
    EXPECT_DOUBLE_EQ(set.parameters[0].initial, base().params.frailty_parameter);
    EXPECT_DOUBLE_EQ(set.parameters[1].initial, base().params.severity[2].share);
    EXPECT_DOUBLE_EQ(set.parameters[1].balance_initial, base().params.severity[0].share);
    ASSERT_EQ(set.targets.size(), 2u);
    EXPECT_EQ(set.targets[0].strategies.shares.size(), 2u);
    EXPECT_NEAR(set.targets[1].se, 0.15 / 3.919927969, 1e-9);
    EXPECT_GE(set.targets[1].regimen, 1);
    EXPECT_EQ(set.patients, 2000u);
}

struct BrokenCase {
    const char* what;
    const char* replace;   // text in kValidTargets
    const char* with;
    const char* expected;  // part of the first issue's text
};

class BrokenTargets : public ::testing::TestWithParam<BrokenCase> {};

// The base scenario with a cohort entering at diagnosis and no as-treated
// groups: what targets that need the pathway must be refused against.
Scenario entering_at_diagnosis()
{
    return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".",
                         {{"pathway.start", "diagnosis"}, {"cohort.ever_treated", "[]"}});
}

TEST_P(BrokenTargets, AreRefusedWithTheKeyAndWhatWouldBeRight)
{
    const BrokenCase& c = GetParam();
    std::string text = kValidTargets;
    const auto at = text.find(c.replace);
    ASSERT_NE(at, std::string::npos) << c.replace;
    text.replace(at, std::string(c.replace).size(), c.with);
    try {
        load_targets(text, "t.toml", entering_at_diagnosis());
        FAIL() << c.what << ": accepted";
    } catch (const InputError& e) {
        std::string all;
        for (const auto& issue : e.issues()) {
            all += issue.to_string() + "\n";
        }
        EXPECT_NE(all.find(c.expected), std::string::npos) << c.what << ":\n" << all;
        EXPECT_NE(all.find(" — "), std::string::npos) << "no remedy in: " << all;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BrokenTargets,
    ::testing::Values(
        BrokenCase{"syntax", "name = \"synthetic\"", "name = ", "not valid TOML"},
        BrokenCase{"unknown key", "value = 0.8", "valeu = 0.8", "targets.survival_5y.valeu: unknown key"},
        BrokenCase{"missing value", "value = 0.8\n", "", "targets.survival_5y.value: is missing"},
        BrokenCase{"unknown strategy", "ivig = 0.5, no_prophylaxis", "ivgi = 0.5, no_prophylaxis", "strategy \"ivgi\""},
        BrokenCase{"mix not summing to 1", "ivig = 0.5, no_prophylaxis = 0.5", "ivig = 0.5, no_prophylaxis = 0.4", "sum to 0.9"},
        BrokenCase{"no uncertainty", "se = 0.05\n", "", "uncertainty"},
        BrokenCase{"two uncertainties", "se = 0.05", "se = 0.05\nci = [0.7, 0.9]", "uncertainty"},
        BrokenCase{"bad interval", "ci = [0.05, 0.2]", "ci = [0.2, 0.05]", "ratio.ci"},
        BrokenCase{"negative se", "se = 0.05", "se = -0.05", "strictly positive"},
        BrokenCase{"probability above 1", "value = 0.8", "value = 1.8", "value: is 1.8"},
        BrokenCase{"empty bounds", "upper = 2.5", "upper = 0.2", "lower < upper"},
        BrokenCase{"log scale from 0", "lower = 0.3\nupper = 2.5", "lower = 0.0\nupper = 2.5\nscale = \"log\"", "logarithms"},
        BrokenCase{"unknown path", "\"attacks.heterogeneity_sigma\"", "\"attacks.heterogenity_sigma\"", "no key attacks.heterogenity_sigma"},
        BrokenCase{"non-numeric path", "\"attacks.heterogeneity_sigma\"", "\"attacks.heterogeneity\"", "only numbers can be fitted"},
        BrokenCase{"start outside bounds", "lower = 0.3\nupper = 2.5", "lower = 0.1\nupper = 0.2", "outside [0.1, 0.2]"},
        BrokenCase{"unknown statistic", "statistic = \"survival\"", "statistic = \"survivial\"", "not a statistic"},
        BrokenCase{"survival without years", "years = 5.0\n", "", "years: is missing"},
        BrokenCase{"unknown regimen", "regimen = \"ivig_2g\"", "regimen = \"ivig_3g\"", "ivig_3g"},
        BrokenCase{"from diagnosis without a pathway", "years = 5.0\n", "years = 5.0\nfrom = \"diagnosis\"\n",
                   "survival from diagnosis is the survival from entry"},
        BrokenCase{"from somewhere else", "years = 5.0\n", "years = 5.0\nfrom = \"birth\"\n", "use \"entry\""},
        BrokenCase{"as-treated without ever_treated", "years = 5.0\n", "years = 5.0\nas_treated = \"ever\"\n",
                   "[cohort] ever_treated"},
        BrokenCase{"treated share without ever_treated", "statistic = \"survival\"\nyears = 5.0\n",
                   "statistic = \"ever_treated_share\"\n", "[cohort] ever_treated"},
        BrokenCase{"as-treated group misspelt", "years = 5.0\n", "years = 5.0\nas_treated = \"always\"\n", "\"never\""},
        BrokenCase{"follow-up on a rate", "regimen = \"ivig_2g\"", "regimen = \"ivig_2g\"\nfrom = \"diagnosis\"",
                   "only used by statistic survival"},
        BrokenCase{"deaths before diagnosis of a cohort entering at diagnosis", "statistic = \"survival\"\nyears = 5.0\n",
                   "statistic = \"death_before_diagnosis\"\n", "enters at diagnosis"},
        BrokenCase{"observed rate without its quantile", "statistic = \"survival\"\nyears = 5.0\n", "statistic = \"observed_rate\"\n",
                   "quantile: is missing"},
        BrokenCase{"cohort size on a survival target", "years = 5.0\n", "years = 5.0\ncohort_size = 28\n",
                   "only used by statistics observed_rate_min and observed_rate_max"},
        BrokenCase{"lowest rate of an empty cohort", "statistic = \"survival\"\nyears = 5.0\n",
                   "statistic = \"observed_rate_min\"\ncohort_size = 0\n", "cohort_size: is 0"},
        BrokenCase{"fewer targets than parameters", "[[targets]]\nname = \"ratio\"", "[[targetz]]\nname = \"ratio\"",
                   "unknown key"}));

StrategySummary summary_with(double survival_5y, double survival_se, double rate, double rate_se)
{
    StrategySummary s;
    s.patients = 1000;
    s.survival.value.assign(121, 1.0);
    s.survival.se.assign(121, 0.0);
    s.survival.value[60] = survival_5y;
    s.survival.se[60] = survival_se;
    s.attacks_per_patient_year = {rate, rate_se};
    return s;
}

TEST(Targets, MixesAreShareWeightedAndRatiosUseTheDeltaMethod)
{
    const Scenario scenario = base();
    std::vector<StrategySummary> summaries(scenario.strategy_names.size(), summary_with(0.9, 0.01, 1.0, 0.02));
    summaries[0] = summary_with(0.5, 0.02, 2.0, 0.04);  // no_prophylaxis
    Target survival;
    survival.statistic = TargetStatistic::survival;
    survival.years = 5.0;
    survival.strategies.shares = {{0, 0.25}, {1, 0.75}};
    const TargetValue s = evaluate_target(survival, summaries);
    EXPECT_DOUBLE_EQ(s.value, 0.25 * 0.5 + 0.75 * 0.9);
    EXPECT_DOUBLE_EQ(s.se, 0.25 * 0.02 + 0.75 * 0.01);

    Target ratio;
    ratio.statistic = TargetStatistic::attack_rate_ratio;
    ratio.strategies.shares = {{1, 1.0}};
    ratio.reference.shares = {{0, 1.0}};
    const TargetValue r = evaluate_target(ratio, summaries);
    EXPECT_DOUBLE_EQ(r.value, 0.5);
    EXPECT_NEAR(r.se, 0.5 * std::sqrt(0.02 * 0.02 + 0.02 * 0.02), 1e-15);

    survival.value = 0.7;  // model 0.8: z = 2
    survival.se = 0.05;
    ratio.value = 0.5;     // model 0.5: z = 0
    ratio.se = 0.1;
    EXPECT_NEAR(target_distance({survival, ratio}, {s, r}), 4.0, 1e-12);
}

// A registry groups its patients by the treatment they ever had, followed
// from diagnosis: the target reads the as-treated curve of each strategy in
// the mix, and deaths before diagnosis are pooled over the mix's patients.
// A registry's as-treated groups pooled over a mix of strategies: each
// strategy counts by how many of its patients are in the group (as a registry
// counts patients), not by its share alone. Hand-built counts, no censoring,
// so Kaplan-Meier survival is one minus the pooled deaths over the pooled group.
TEST(Targets, AsTreatedGroupsPoolTheirPatientsOverAMix)
{
    const Scenario scenario = base();
    std::vector<StrategySummary> summaries(scenario.strategy_names.size(), summary_with(0.5, 0.01, 1.0, 0.02));
    struct Group {
        std::uint64_t size, deaths;
        int month;
    };
    // Strategy 0 (share 0.25): 800 ever treated, 80 die in month 10; 100 never, 50 die in month 5.
    // Strategy 1 (share 0.75): 300 ever treated, 60 die in month 20; 400 never, 100 die in month 3.
    const Group groups[2][kAsTreatedGroups] = {{{800, 80, 10}, {100, 50, 5}}, {{300, 60, 20}, {400, 100, 3}}};
    for (int s = 0; s < 2; ++s) {
        StrategySummary& strategy = summaries[s];
        strategy.patients = 1000;
        strategy.deaths_before_diagnosis = s == 0 ? 100 : 300;
        for (int g = 0; g < kAsTreatedGroups; ++g) {
            const Group& group = groups[s][g == static_cast<int>(AsTreated::ever) ? 0 : 1];
            strategy.deaths_since_diagnosis[g].assign(121, 0);
            strategy.censored_since_diagnosis[g].assign(121, 0);
            strategy.deaths_since_diagnosis[g][group.month] = group.deaths;
            strategy.alive_at_diagnosis += group.size;
            if (g == static_cast<int>(AsTreated::ever)) {
                strategy.ever_treated = group.size;
            }
        }
    }
    Target ever;
    ever.statistic = TargetStatistic::survival;
    ever.years = 5.0;
    ever.since_diagnosis = true;
    ever.as_treated = static_cast<int>(AsTreated::ever);
    ever.strategies.shares = {{0, 0.25}, {1, 0.75}};
    // 0.25 * 800 + 0.75 * 300 = 425 patients, 0.25 * 80 + 0.75 * 60 = 65 deaths (share-weighted survival would be 0.825).
    EXPECT_NEAR(evaluate_target(ever, summaries).value, 1.0 - 65.0 / 425.0, 1e-12);
    Target never = ever;
    never.as_treated = static_cast<int>(AsTreated::never);
    // 25 + 300 = 325 patients, 12.5 + 75 = 87.5 deaths (share-weighted: 0.6875).
    EXPECT_NEAR(evaluate_target(never, summaries).value, 1.0 - 87.5 / 325.0, 1e-12);
    Target everybody = ever;
    everybody.as_treated = -1;
    EXPECT_NEAR(evaluate_target(everybody, summaries).value, 1.0 - 152.5 / 750.0, 1e-12);
    // One strategy alone: exactly its own group's curve.
    Target alone = ever;
    alone.strategies.shares = {{1, 1.0}};
    EXPECT_NEAR(evaluate_target(alone, summaries).value, 1.0 - 60.0 / 300.0, 1e-12);
    Target overall = ever;
    overall.since_diagnosis = false;
    EXPECT_DOUBLE_EQ(evaluate_target(overall, summaries).value, 0.5);

    Target before;
    before.statistic = TargetStatistic::death_before_diagnosis;
    before.strategies.shares = {{0, 0.5}, {1, 0.5}};
    const TargetValue b = evaluate_target(before, summaries);
    EXPECT_DOUBLE_EQ(b.value, 0.2);
    EXPECT_NEAR(b.se, std::sqrt(0.2 * 0.8 / 1000), 1e-15);

    // Treated share of the patients alive at diagnosis, pooled by patients:
    // (0.5 * 800 + 0.5 * 300) / (0.5 * 900 + 0.5 * 700).
    Target share;
    share.statistic = TargetStatistic::ever_treated_share;
    share.strategies.shares = {{0, 0.5}, {1, 0.5}};
    const TargetValue treated = evaluate_target(share, summaries);
    EXPECT_DOUBLE_EQ(treated.value, 550.0 / 800.0);
    EXPECT_NEAR(treated.se, std::sqrt(550.0 / 800.0 * 250.0 / 800.0 / 800.0), 1e-15);
}

// The lowest and highest observed rate of a published cohort of n patients
// are read as the medians of its extremes: quantiles 1 - 0.5^(1/n) and 0.5^(1/n).
TEST(Targets, ExtremesOfACohortAreQuantilesOfTheObservedRates)
{
    std::string text = kValidTargets;
    text += "[[targets]]\nname = \"highest\"\nstatistic = \"observed_rate_max\"\ncohort_size = 28\nstrategies = \"no_prophylaxis\"\n"
            "value = 21.2\nse = 8\nsource = \"Gousseff 2011\"\n"
            "[[targets]]\nname = \"median\"\nstatistic = \"observed_rate\"\nquantile = 0.5\nstrategies = \"no_prophylaxis\"\n"
            "value = 1.23\nse = 0.3\nsource = \"Gousseff 2011\"\n";
    const Scenario scenario = base();
    const TargetSet set = load_targets(text, "t.toml", scenario);
    const Target& highest = set.targets[2];
    EXPECT_NEAR(highest.quantile, std::pow(0.5, 1.0 / 28), 1e-15);

    std::vector<StrategySummary> summaries(scenario.strategy_names.size(), summary_with(0.5, 0.01, 1.0, 0.02));
    std::vector<std::uint64_t>& histogram = summaries[0].observed_rate_histogram;
    histogram.assign(kObservedRateBins, 0);
    for (int b = 1; b < kObservedRateBins - 1; ++b) {
        histogram[b] = 1000;  // evenly spread on the log scale from 0.01 to 100 per year
    }
    const double total_decades = kObservedRateDecades;
    EXPECT_NEAR(evaluate_target(set.targets[3], summaries).value, 0.01 * std::pow(10.0, 0.5 * total_decades), 1e-9);
    EXPECT_NEAR(evaluate_target(highest, summaries).value, 0.01 * std::pow(10.0, highest.quantile * total_decades), 1e-9);
}

TEST(Targets, FollowUpFromDiagnosisLoadsForACohortEnteringAtOnset)
{
    const Scenario onset = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".",
                                         {{"pathway", "{ start = \"onset\", diagnosis_delay_median_years = 1.1, diagnosis_delay_log_sd = 1.0 }"},
                                          {"cohort", "{ ever_treated = [\"ivig_2g\", \"ivig_1g\"] }"}});
    std::string text = kValidTargets;
    text.replace(text.find("years = 5.0\n"), 12, "years = 5.0\nas_treated = \"never\"\n");
    text += "[[targets]]\nname = \"dead\"\nstatistic = \"death_before_diagnosis\"\nstrategies = \"ivig\"\nvalue = 0.05\nse = 0.02\n"
            "source = \"test\"\n";
    const TargetSet set = load_targets(text, "t.toml", onset);
    ASSERT_EQ(set.targets.size(), 3u);
    EXPECT_TRUE(set.targets[0].since_diagnosis);
    EXPECT_EQ(set.targets[0].as_treated, static_cast<int>(AsTreated::never));
    EXPECT_EQ(set.targets[2].statistic, TargetStatistic::death_before_diagnosis);
}

TEST(Targets, BalancedSharesKeepTheirSumAndLeavingZeroIsInfeasible)
{
    const TargetSet set = load_targets(kValidTargets, "t.toml", base());
    std::string reason;
    const auto overrides = fitted_overrides(set, {1.5, 0.25}, reason);
    EXPECT_TRUE(reason.empty()) << reason;
    const Scenario moved = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", overrides);
    EXPECT_DOUBLE_EQ(moved.params.frailty_parameter, 1.5);
    EXPECT_DOUBLE_EQ(moved.params.severity[2].share, 0.25);
    EXPECT_NEAR(moved.params.severity[0].share + moved.params.severity[1].share + moved.params.severity[2].share, 1.0, 1e-12);

    fitted_overrides(set, {1.5, 0.45 + base().params.severity[0].share}, reason);
    EXPECT_NE(reason.find("attacks.severity.mild.share"), std::string::npos);
}

TEST(Targets, CalibratedScenarioKeepsCommentsAndLoadsWithTheFittedValues)
{
    const Scenario scenario = base();
    const TargetSet set = load_targets(kValidTargets, "t.toml", scenario);
    const std::string text = calibrated_scenario_text(scenario, set, {1.234567, 0.2}, "calibrated to synthetic");
    const Scenario reloaded = load_scenario(text, "calibrated.toml", ".");
    EXPECT_DOUBLE_EQ(reloaded.params.frailty_parameter, 1.235);  // four significant digits
    EXPECT_DOUBLE_EQ(reloaded.params.severity[2].share, 0.2);
    EXPECT_NEAR(reloaded.params.severity[0].share,
                scenario.params.severity[0].share - (0.2 - scenario.params.severity[2].share), 1e-12);
    EXPECT_NE(text.find(fmt::format("heterogeneity_sigma = 1.235  # calibrated to synthetic (heterogeneity_sigma was {}); before: ",
                                    scenario.params.frailty_parameter)),
              std::string::npos);
    EXPECT_NE(text.find("# Severity of an attack"), std::string::npos) << "comments elsewhere are kept";
}

}  // namespace
}  // namespace scls
