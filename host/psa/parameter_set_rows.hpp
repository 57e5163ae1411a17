// Building blocks of parameter sets shared by the PSA, one-way and grid
// makers (host/psa/parameter_sets.cpp, one_way.cpp).
#pragma once

#include <string>
#include <vector>

#include "host/psa/parameter_sets.hpp"
#include "host/scenario/toml_reader.hpp"

namespace scls::detail {

// Sets with only set 0, the base case, whose row holds the scenario's values.
ParameterSets with_base_case(ParameterSetKind kind, std::vector<std::string> columns, const std::vector<double>& base);

void add_set(ParameterSets& sets, std::vector<double> values, std::string label, std::int64_t draw = -1);

// The scenario's value at a model parameter's key path; problem says why
// there is none (no such key, not a number, a run setting).
double scenario_value(const toml::table& root, const std::string& path, std::string& problem);

}  // namespace scls::detail
