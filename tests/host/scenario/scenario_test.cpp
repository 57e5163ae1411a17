// Scenario loading and validation: the built-in scenario is valid, and every
// kind of broken input is reported with its key, what is wrong and what is
// expected, before anything runs.
#include "host/scenario/scenario.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <regex>

#include "host/io/hdf5_output.hpp"
#include "tests/support/test_paths.hpp"

namespace scls {
namespace {

Scenario load_base(const std::vector<Override>& overrides = {})
{
    return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", overrides);
}

// The issues raised by loading text with overrides (empty if it loads).
std::vector<InputIssue> issues_of(const std::string& text, const std::vector<Override>& overrides = {})
{
    try {
        load_scenario(text, "broken.toml", ".", overrides);
    } catch (const InputError& e) {
        return e.issues();
    }
    return {};
}

// Expects exactly one issue at key whose message contains every fragment.
void expect_issue(const std::vector<InputIssue>& issues, const std::string& key, std::initializer_list<std::string> fragments)
{
    ASSERT_FALSE(issues.empty()) << "expected an error at " << key;
    bool found = false;
    for (const auto& issue : issues) {
        if (issue.key != key) {
            continue;
        }
        found = true;
        for (const auto& fragment : fragments) {
            EXPECT_NE(issue.message.find(fragment), std::string::npos) << issue.to_string() << "\n  lacks: " << fragment;
        }
        // The message says what is wrong, why, and what would be right.
        EXPECT_NE(issue.message.find(" — "), std::string::npos) << issue.to_string();
    }
    EXPECT_TRUE(found) << "no issue at " << key << "; got:\n" << InputError(issues).what();
}

std::string replace_line(std::string text, const std::string& line, const std::string& with)
{
    const auto at = text.find(line);
    EXPECT_NE(at, std::string::npos) << line;
    return text.replace(at, line.size(), with);
}

TEST(Scenario, BuiltinBaseScenarioIsValidAndResolved)
{
    const Scenario s = load_base();
    EXPECT_EQ(s.strategy_names.front(), "no_prophylaxis");
    EXPECT_EQ(s.strategy_names.size(), 5u);
    EXPECT_EQ(s.regimen_names.front(), "none");
    EXPECT_EQ(s.comparator, 0);
    EXPECT_EQ(s.patients, 1000000u);
    const ModelParams& p = s.params;
    EXPECT_NEAR(p.severity[0].share + p.severity[1].share + p.severity[2].share, 1.0, 1e-12);
    EXPECT_NEAR(p.discount_rate_costs, std::log(1.03), 1e-15);
    // IVIG 2 g/kg monthly at $100/g: $2,400 per kg-year.
    EXPECT_NEAR(p.regimen[1].drug_cost_per_kg_year, 2400.0, 1e-9);
    // ivig_1g shares ivig_2g's response draw.
    EXPECT_EQ(p.regimen[2].response_slot, p.regimen[1].response_slot);
    EXPECT_EQ(p.months_in_grid, 12 * (100 - 18));
    EXPECT_FALSE(s.numeric_parameters.empty());
}

TEST(Scenario, OverridesReachNestedTablesAndNamedArrayEntries)
{
    const Scenario s = load_base({{"attacks.rate_per_year", "2.5"},
                                  {"regimens.ivig_2g.price_per_gram", "50"},
                                  {"regimens.theo_terb.adverse_events.theophylline_toxicity.rate_per_year", "0"},
                                  {"simulation.comparator", "ivig"}});
    EXPECT_EQ(s.params.attack_rate_per_year, 2.5);
    EXPECT_NEAR(s.params.regimen[1].drug_cost_per_kg_year, 1200.0, 1e-9);
    EXPECT_EQ(s.params.regimen[3].adverse_event_rate_per_year, 0.0);
    EXPECT_EQ(s.comparator, 1);
}

TEST(ScenarioValidation, UnknownKeyIsReportedWithItsLine)
{
    const std::string text = replace_line(builtin_scenario_text(), "mgus_share = 0.87", "mgus_share = 0.87\nmgus_shar = 0.9");
    const auto issues = issues_of(text);
    expect_issue(issues, "population.mgus_shar", {"unknown key"});
    EXPECT_GT(issues.front().line, 0);
    EXPECT_EQ(issues.front().file, "broken.toml");
}

TEST(ScenarioValidation, UnknownKeyFromOverrideNamesTheCommandLine)
{
    const auto issues = issues_of(builtin_scenario_text(), {{"attacks.rate_per_yaer", "2"}});
    expect_issue(issues, "attacks.rate_per_yaer", {"unknown key"});
    EXPECT_EQ(issues.front().file, "--set");
}

TEST(ScenarioValidation, MissingKey)
{
    // The attack rate's line in [attacks], whatever its calibrated value.
    const std::string line = fmt::format("\nrate_per_year = {} ", load_base().params.attack_rate_per_year);
    const auto issues = issues_of(replace_line(builtin_scenario_text(), line, "\n# removed "));
    expect_issue(issues, "attacks.rate_per_year", {"is missing"});
}

TEST(ScenarioValidation, ProbabilityOutsideUnitInterval)
{
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.severity.icu.death_probability", "1.5"}}),
                 "attacks.severity.icu.death_probability", {"1.5", "[0, 1]"});
    expect_issue(issues_of(builtin_scenario_text(), {{"population.mgus_share", "-0.1"}}), "population.mgus_share", {"[0, 1]"});
}

TEST(ScenarioValidation, SharesMustSumToOne)
{
    // mild + ward + icu = 1 in the base scenario: adding 0.05 to one breaks the sum.
    const Scenario base = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".");
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.severity.mild.share", fmt::format("{}", base.params.severity[0].share + 0.05)}}),
                 "attacks.severity.share", {"sum to 1.05", "make them sum to 1"});
    expect_issue(issues_of(builtin_scenario_text(), {{"regimens.ivig_2g.response", "[{share=0.5, attack_rate_ratio=0.0}, {share=0.4, attack_rate_ratio=0.4}]"}}),
                 "regimens.ivig_2g.response", {"sum to 0.9"});
}

TEST(ScenarioValidation, NegativeRatesAndCosts)
{
    expect_issue(issues_of(builtin_scenario_text(), {{"myeloma.progression_rate_per_year", "-0.01"}}),
                 "myeloma.progression_rate_per_year", {"cannot be negative"});
    expect_issue(issues_of(builtin_scenario_text(), {{"costs.icu_day", "-5"}}), "costs.icu_day", {"cannot be negative"});
    expect_issue(issues_of(builtin_scenario_text(), {{"regimens.ivig_2g.price_per_gram", "-100"}}), "regimens.ivig_2g.price_per_gram",
                 {"cannot be negative"});
}

TEST(ScenarioValidation, BadDistributions)
{
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.heterogeneity", "weibull"}}), "attacks.heterogeneity",
                 {"weibull", "\"gamma\""});
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.heterogeneity_sigma", "-1"}}), "attacks.heterogeneity_sigma",
                 {"cannot be negative"});
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.heterogeneity", "gamma"}}), "attacks.heterogeneity_shape",
                 {"is missing"});
    expect_issue(issues_of(builtin_scenario_text(), {{"population.age_min_years", "95"}}), "population.age_min_years",
                 {"truncation interval is empty"});
    expect_issue(issues_of(builtin_scenario_text(), {{"population.age_sd_years", "-12"}}), "population.age_sd_years",
                 {"cannot be negative"});
    // The delay's correlation is with the lognormal multiplier's normal score: other kinds have none.
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.heterogeneity", "\"gamma\""}, {"attacks.heterogeneity_shape", "2"},
                                                     {"pathway.diagnosis_delay_rate_correlation", "0.5"}}),
                 "pathway.diagnosis_delay_rate_correlation", {"lognormal"});
    expect_issue(issues_of(builtin_scenario_text(), {{"pathway.diagnosis_delay_rate_correlation", "1.5"}}),
                 "pathway.diagnosis_delay_rate_correlation", {"1.5", "a correlation between 0"});
    expect_issue(issues_of(builtin_scenario_text(), {{"pathway.diagnosed_in_attack", "\"yes\""}}), "pathway.diagnosed_in_attack",
                 {"yes or no", "true or false"});
}

TEST(ScenarioValidation, WrongTypesAndUnknownNames)
{
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.rate_per_year", "\"often\""}}), "attacks.rate_per_year",
                 {"the text \"often\"", "give a number"});
    expect_issue(issues_of(builtin_scenario_text(), {{"strategies.ivig.start_regimen", "ivig_3g"}}), "strategies.ivig.start_regimen",
                 {"ivig_3g", "\"ivig_2g\""});
    expect_issue(issues_of(builtin_scenario_text(), {{"simulation.comparator", "placebo"}}), "simulation.comparator", {"placebo"});
}

TEST(ScenarioValidation, SyntaxErrorHasALine)
{
    const auto issues = issues_of("[simulation]\npatients = = 3\n");
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues[0].line, 2);
    EXPECT_NE(issues[0].message.find("not valid TOML"), std::string::npos);
}

TEST(ScenarioValidation, UnreadableLifeTable)
{
    expect_issue(issues_of(builtin_scenario_text(), {{"mortality.life_table", "/nonexistent/table.csv"}}), "mortality.life_table",
                 {"no such file", "age,q_male,q_female"});
}

TEST(ScenarioValidation, MalformedLifeTableRowsAreLocated)
{
    const std::string path = testing::TempDir() + "bad_table.csv";
    {
        std::ofstream out(path);
        out << "age,q_male,q_female\n0,0.01,0.01\n1,1.7,0.01\n";
    }
    const auto issues = issues_of(builtin_scenario_text(), {{"mortality.life_table", "\"" + path + "\""}});
    ASSERT_FALSE(issues.empty());
    EXPECT_EQ(issues[0].file, path);
    EXPECT_EQ(issues[0].line, 3);
    EXPECT_NE(issues[0].message.find("[0, 1]"), std::string::npos) << issues[0].to_string();
}

TEST(ScenarioValidation, SharedLifeTableLoads)
{
    SCLS_SKIP_WITHOUT_SHARED_LIFE_TABLE();
    const Scenario s = load_base({{"mortality.life_table", "\"" + test::shared_life_table() + "\""}});
    // q(50, male) = 0.005333 in the SSA 2017 table: hazard -ln(1 - q).
    EXPECT_GT(s.params.background_hazard[1][50], 0.004);
    EXPECT_LT(s.params.background_hazard[1][50], 0.007);
}

// The normal CDFs at the age and weight bounds, which every patient's draw
// inverts between, are the population's own: worked out anew with every
// value the population takes (a PSA draw or a sweep point is a scenario with
// other values), and unused for a fixed value (sd 0).
TEST(ScenarioValidation, TruncationCdfsFollowThePopulation)
{
    for (const auto& overrides : std::vector<std::vector<Override>>{
             {}, {{"population.age_mean_years", "61.5"}, {"population.weight_female_sd_kg", "9"}}, {{"population.age_sd_years", "0"}}}) {
        const ModelParams p = load_base(overrides).params;
        const auto cdf = [](double mean, double sd, double bound) { return sd > 0.0 ? normal_cdf((bound - mean) / sd) : 0.0; };
        EXPECT_EQ(p.age_cdf_lower, cdf(p.age_mean_years, p.age_sd_years, p.age_min_years));
        EXPECT_EQ(p.age_cdf_upper, cdf(p.age_mean_years, p.age_sd_years, p.age_max_years));
        for (int sex = 0; sex < 2; ++sex) {
            EXPECT_EQ(p.weight_cdf_lower[sex], cdf(p.weight_mean_kg[sex], p.weight_sd_kg[sex], p.weight_min_kg)) << sex;
            EXPECT_EQ(p.weight_cdf_upper[sex], cdf(p.weight_mean_kg[sex], p.weight_sd_kg[sex], p.weight_max_kg)) << sex;
        }
    }
    const ModelParams moved = load_base({{"population.age_mean_years", "61.5"}}).params;
    EXPECT_NE(moved.age_cdf_lower, load_base().params.age_cdf_lower);
}

TEST(ScenarioValidation, EveryProblemIsReportedAtOnce)
{
    const auto issues = issues_of(builtin_scenario_text(), {{"costs.icu_day", "-5"}, {"population.mgus_share", "2"}});
    EXPECT_EQ(issues.size(), 2u);
}

TEST(ScenarioValidation, NumbersThatWouldOverflowTheModelAreRefused)
{
    // Each would have made the hazard or a cost infinite (an infinite hazard
    // reads as no attacks at all), or wrapped to 0 before its check.
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.rate_per_year", "1e308"}}), "attacks.rate_per_year",
                 {"too large", "[0, 1000]"});
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.heterogeneity_sigma", "1000"}}), "attacks.heterogeneity_sigma",
                 {"too large", "[0, 4]"});
    expect_issue(issues_of(builtin_scenario_text(), {{"regimens.ivig_2g.price_per_gram", "1e308"}}),
                 "regimens.ivig_2g.price_per_gram", {"too large"});
    expect_issue(issues_of(builtin_scenario_text(), {{"attacks.severity.icu.stay_log_sd", "1000"}}),
                 "attacks.severity.icu.stay_log_sd", {"too large"});
    expect_issue(issues_of(builtin_scenario_text(), {{"strategies.step_up.escalate.0.after_attacks", "4294967296"}}),
                 "strategies.step_up.escalate.theo_terb.after_attacks", {"is 4294967296", "from 1 to 8"});
    expect_issue(issues_of(builtin_scenario_text(), {{"simulation.patients", "4294967296"}}), "simulation.patients",
                 {"is 4294967296"});
    expect_issue(issues_of(builtin_scenario_text(), {{"simulation.discount_rate_costs", "inf"}}), "simulation.discount_rate_costs",
                 {"must be finite"});
}

TEST(ScenarioValidation, KeysOfAnExtendedScenarioKeepTheirFileAndLine)
{
    const std::string directory = testing::TempDir();
    {
        std::ofstream(directory + "child.toml") << "extends = \"builtin:scls_base\"\n\n[attacks]\nrate_per_yaer = 2.0\n";
    }
    try {
        load_scenario_file(directory + "child.toml");
        FAIL() << "a misspelt key was accepted";
    } catch (const InputError& e) {
        ASSERT_EQ(e.issues().size(), 1u) << e.what();
        EXPECT_EQ(e.issues()[0].file, directory + "child.toml");
        EXPECT_EQ(e.issues()[0].line, 4);
        EXPECT_EQ(e.issues()[0].key, "attacks.rate_per_yaer");
    }
}

TEST(ScenarioValidation, EmptyDuplicatesAndMissingSections)
{
    expect_issue(issues_of("# comments only\n"), "", {"holds no settings"});
    std::string twice = builtin_scenario_text();
    const std::string first_event = "name = \"renal_failure\"";
    twice.replace(twice.find("name = \"aseptic_meningitis\""), std::string("name = \"aseptic_meningitis\"").size(), first_event);
    expect_issue(issues_of(twice), "regimens.ivig_2g.adverse_events.renal_failure.name", {"listed twice"});
    // --patients on a scenario without [simulation]: the missing section is the problem, not --patients.
    const std::string text = builtin_scenario_text();
    const std::size_t start = text.find("[simulation]"), end = text.find("[population]");
    const auto issues = issues_of(text.substr(0, start) + text.substr(end), {{"simulation.patients", "100", "--patients"}});
    ASSERT_FALSE(issues.empty());
    EXPECT_EQ(issues[0].key, "simulation");
    EXPECT_NE(issues[0].message.find("section is missing"), std::string::npos);
    for (const auto& issue : issues) {
        EXPECT_NE(issue.file, "--patients") << issue.to_string();
    }
}

TEST(OutputPath, UnwritableOrMissingDirectoriesAreRefused)
{
    EXPECT_THROW(check_output_writable("/nonexistent_directory/run.h5"), InputError);
    EXPECT_THROW(check_output_writable(testing::TempDir()), InputError);  // a directory
    EXPECT_NO_THROW(check_output_writable(testing::TempDir() + "ok.h5"));
    try {
        check_output_writable("/nonexistent_directory/run.h5");
    } catch (const InputError& e) {
        EXPECT_NE(e.issues()[0].message.find("does not exist"), std::string::npos);
    }
}

}  // namespace
}  // namespace scls
