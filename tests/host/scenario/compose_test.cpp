// Scenarios that extend another: named entries patched key by key, added and
// removed; every change recorded; mistakes refused with file, line and key.
#include "host/scenario/compose.hpp"
#include "host/scenario/toml_reader.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace scls {
namespace {

Scenario child(const std::string& text, const std::vector<Override>& overrides = {})
{
    return load_scenario(text, "child.toml", ".", overrides);
}

std::vector<InputIssue> issues_of(const std::string& text)
{
    try {
        child(text);
    } catch (const InputError& e) {
        return e.issues();
    }
    return {};
}

int index_of(const std::vector<std::string>& names, const std::string& name)
{
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

TEST(Compose, ALinePatchesOneKeyOfOneEntry)
{
    const Scenario base = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".");
    const Scenario patched = child("extends = \"builtin:scls_base\"\nregimens = [{ name = \"ivig_2g\", price_per_gram = 60.0 }]\n");
    const int ivig = index_of(patched.regimen_names, "ivig_2g");
    ASSERT_GT(ivig, 0);
    EXPECT_DOUBLE_EQ(patched.params.regimen[ivig].drug_cost_per_kg_year, base.params.regimen[ivig].drug_cost_per_kg_year * 0.6);
    // Everything else stays: the other regimens, the adverse events, all five strategies.
    EXPECT_EQ(patched.regimen_names, base.regimen_names);
    EXPECT_EQ(patched.strategy_names, base.strategy_names);
    EXPECT_EQ(patched.params.regimen[ivig].adverse_event_types, base.params.regimen[ivig].adverse_event_types);
    ASSERT_EQ(patched.changes.size(), 2u);
    EXPECT_EQ(patched.changes[0].action, "extends");
    EXPECT_EQ(patched.changes[1].action, "sets");
    EXPECT_EQ(patched.changes[1].path, "regimens.ivig_2g.price_per_gram");
    EXPECT_EQ(patched.changes[1].value, "60.0");
}

TEST(Compose, EntriesAreAddedAndRemovedByName)
{
    const Scenario s = child(R"(extends = "builtin:scls_base"
[[strategies]]
name = "ivig_1g_first"
start_regimen = "ivig_1g"
[[regimens]]
name = "ivig_2g"
[[regimens.adverse_events]]
name = "renal_failure"
cost = 99.0
[remove]
strategies = ["step_up"]
"regimens.ivig_2g.adverse_events" = ["thrombosis"]
)");
    EXPECT_EQ(s.strategy_names, (std::vector<std::string>{"no_prophylaxis", "ivig", "theo_terb", "ivig_deescalate", "ivig_1g_first"}));
    const int ivig = index_of(s.regimen_names, "ivig_2g");
    ASSERT_EQ(s.params.regimen[ivig].adverse_event_types, 2);  // renal failure (patched) and aseptic meningitis
    EXPECT_EQ(s.params.regimen[ivig].adverse_event[0].cost, 99.0);
    std::vector<std::string> actions;
    for (const auto& c : s.changes) {
        actions.push_back(c.action + " " + c.path);
    }
    // Removals first, then the file's own keys (in TOML's key order).
    EXPECT_EQ(actions, (std::vector<std::string>{"extends builtin:scls_base", "removes regimens.ivig_2g.adverse_events.thrombosis",
                                                 "removes strategies.step_up", "sets regimens.ivig_2g.adverse_events.renal_failure.cost",
                                                 "adds strategies.ivig_1g_first"}));
}

TEST(Compose, ListsWithoutNamesAreReplacedAndSaidSo)
{
    const Scenario s = child("extends = \"builtin:scls_base\"\n[[regimens]]\nname = \"ivig_2g\"\n"
                             "response = [{ share = 1.0, attack_rate_ratio = 0.2 }]\n");
    const int ivig = index_of(s.regimen_names, "ivig_2g");
    EXPECT_EQ(s.params.regimen[ivig].response_classes, 1);
    EXPECT_EQ(s.params.regimen[ivig].attack_rate_ratio[0], 0.2);
    EXPECT_EQ(s.changes.back().path, "regimens.ivig_2g.response");
}

TEST(Compose, MistakesAreRefusedWhereTheyStand)
{
    auto first = [](const std::vector<InputIssue>& issues) { return issues.empty() ? InputIssue{} : issues.front(); };
    const InputIssue unknown = first(issues_of("extends = \"builtin:scls_base\"\n[remove]\nstrategies = [\"step_upp\"]\n"));
    EXPECT_EQ(unknown.file, "child.toml");
    EXPECT_EQ(unknown.line, 3);
    EXPECT_EQ(unknown.key, "remove.strategies");
    EXPECT_NE(unknown.message.find("use one of: no_prophylaxis"), std::string::npos) << unknown.message;
    EXPECT_NE(first(issues_of("[remove]\nstrategies = [\"ivig\"]\n")).message.find("extends nothing"), std::string::npos);
    EXPECT_NE(first(issues_of("extends = \"builtin:scls_base\"\n[remove]\nattacks = [\"x\"]\n")).message.find("not a list of named"),
              std::string::npos);
    const InputIssue typo = first(issues_of("extends = \"builtin:scls_base\"\nregimens = [{ name = \"ivig_2g\", price_per_gramm = 1.0 }]\n"));
    EXPECT_EQ(typo.line, 2);
    EXPECT_NE(typo.message.find("did you mean \"price_per_gram\""), std::string::npos) << typo.message;
}

TEST(Compose, OverridesAreRecordedAsChanges)
{
    const Scenario s = child("extends = \"builtin:scls_base\"\n", {{"attacks.rate_per_year", "2.0", "--set"}});
    ASSERT_EQ(s.changes.size(), 2u);
    EXPECT_EQ(s.changes[1].file, "--set");
    EXPECT_EQ(s.changes[1].path, "attacks.rate_per_year");
}

InputIssue first_issue(const std::string& text)
{
    const std::vector<InputIssue> issues = issues_of(text);
    return issues.empty() ? InputIssue{} : issues.front();
}

TEST(Compose, TwoEntriesWithOneNameAreRefusedInTheFileThatHoldsThem)
{
    // Which of the two a later file would patch would hang on the order of merging.
    const InputIssue twice = first_issue("extends = \"builtin:scls_base\"\n[[strategies]]\nname = \"ivig\"\n"
                                         "[[strategies]]\nname = \"ivig\"\n");
    EXPECT_EQ(twice.key, "strategies");
    EXPECT_EQ(twice.line, 4);
    EXPECT_NE(twice.message.find("two entries with name = \"ivig\""), std::string::npos) << twice.message;
}

TEST(Compose, RemoveListsEachEntryOnceAndAnEmptiedListIsGone)
{
    const InputIssue twice = first_issue("extends = \"builtin:scls_base\"\n[remove]\nstrategies = [\"ivig\", \"ivig\"]\n");
    EXPECT_NE(twice.message.find("names \"ivig\" twice"), std::string::npos) << twice.message;
    // step_up's only switching rule removed (identified by the regimen it
    // leaves): the strategy then simply has none.
    const Scenario s = child("extends = \"builtin:scls_base\"\n[remove]\n\"strategies.step_up.escalate\" = [\"theo_terb\"]\n");
    EXPECT_EQ(s.changes.back().path, "strategies.step_up.escalate.theo_terb");
    const int theo_terb = index_of(s.regimen_names, "theo_terb");
    EXPECT_EQ(s.params.strategy[index_of(s.strategy_names, "step_up")].escalate_to[theo_terb], kNoRegimen);
}

TEST(Compose, ANameThatARemoveListTookOutIsExplained)
{
    const InputIssue comparator = first_issue("extends = \"builtin:scls_base\"\n[remove]\nstrategies = [\"no_prophylaxis\"]\n");
    EXPECT_EQ(comparator.key, "simulation.comparator");
    EXPECT_NE(comparator.message.find("[remove] in child.toml removed it"), std::string::npos) << comparator.message;
}

TEST(Compose, AnOverrideIsOneTomlValueOrOneBareWord)
{
    const Scenario word = child("extends = \"builtin:scls_base\"\n", {{"regimens.ivig_2g.label", "Gamunex", "--set"}});
    EXPECT_EQ(word.regimen_labels[index_of(word.regimen_names, "ivig_2g")], "Gamunex");
    for (const std::string value : {"[1,", "1\nsimulation.seed = 3", "two words", "1 2"}) {
        try {
            child("extends = \"builtin:scls_base\"\n", {{"attacks.rate_per_year", value, "--set"}});
            ADD_FAILURE() << "accepted " << value;
        } catch (const InputError& e) {
            EXPECT_EQ(e.issues().front().file, "--set");
            EXPECT_NE(e.issues().front().message.find("not one TOML value"), std::string::npos) << e.issues().front().message;
        }
    }
}

TEST(Compose, ValuesAreLaidOverACopyOfTheComposedDocument)
{
    const Scenario base = child("extends = \"builtin:scls_base\"\n", {{"attacks.rate_per_year", "2.0", "--set"}});
    const Scenario set = scenario_with_values(base, {{"regimens.ivig_2g.price_per_gram", "120.0", "parameter set 1 (draw 0)"}});
    EXPECT_EQ(set.params.attack_rate_per_year, 2.0);  // the command line's value stays
    const int ivig = index_of(set.regimen_names, "ivig_2g");
    EXPECT_DOUBLE_EQ(set.params.regimen[ivig].drug_cost_per_kg_year, base.params.regimen[ivig].drug_cost_per_kg_year * 1.2);
    EXPECT_EQ(scenario_document(base).at_path("regimens[0].price_per_gram").value<double>(), 100.0);  // untouched
    try {
        scenario_with_values(base, {{"attacks.severity.icu.death_probability", "1.5", "parameter set 7 (draw 6)"}});
        ADD_FAILURE() << "accepted a probability of 1.5";
    } catch (const InputError& e) {
        EXPECT_EQ(e.issues().front().file, "parameter set 7 (draw 6)");
        EXPECT_EQ(e.issues().front().line, 0);
    }
}

}  // namespace
}  // namespace scls
