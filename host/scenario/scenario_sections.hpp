// The readers of a scenario's sections, shared by host/scenario/scenario.cpp
// (population, attacks, costs, mortality, pathway) and scenario_regimens.cpp
// (regimens, strategies, as-treated groups). Each reads its tables against
// the schema and reports every problem to the reader's issues.
#pragma once

#include <string>
#include <string_view>

#include "host/scenario/scenario.hpp"
#include "host/scenario/toml_reader.hpp"

namespace scls::detail {

// Reports shares that do not sum to 1 (within rounding).
void check_shares_sum(TableReader& reader, std::string_view key, double sum, std::string_view what);

// [[regimens]] (the built-in "none" is regimen 0). Needs the attack
// severities read first: a regimen may shift them.
void read_regimens(TableReader& top, Scenario& scenario, std::vector<InputIssue>& issues);

// [[strategies]] and the comparator named in [simulation].
void read_strategies(TableReader& top, Scenario& scenario, const std::string& comparator_name, std::vector<InputIssue>& issues);

// [cohort]: which regimens make a patient "ever treated" in as-treated groups.
void read_cohort(TableReader& top, Scenario& scenario);

}  // namespace scls::detail
