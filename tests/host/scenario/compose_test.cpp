// Scenarios that extend another: named entries patched key by key, added and
// removed; every change recorded; mistakes refused with file, line and key.
#include "host/scenario/compose.hpp"

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

}  // namespace
}  // namespace scls
