// Scenario files: TOML in, validated and resolved ModelParams out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "host/scenario/input_error.hpp"
#include "kernels/model/params.hpp"

namespace scls {

struct ScenarioDocument;  // the composed TOML document (host/scenario/compose.hpp)

struct Override {
    std::string key;    // dotted path; arrays of tables are addressed by element name
    std::string value;  // TOML value text; bare words are taken as strings
    std::string source = "--set";  // where it was given, for messages: --set, --patients, --draws, ...
};

// One change a scenario file (or an option) made to what it builds on.
struct ScenarioChange {
    std::string file;    // the file or option that made it
    std::string action;  // extends, sets, adds, removes, replaces
    std::string path;    // key path; array entries by name
    std::string value;   // the value set, as TOML (sets only)
};

// Cost-effectiveness settings ([cea]): the willingness-to-pay axis of NMB,
// CEAC, CEAF and EVPI, and the population a decision affects.
struct CeaSettings {
    std::vector<double> wtp;         // currency per QALY, ascending, from 0
    std::vector<double> report_wtp;  // thresholds shown in tables
    double population_per_year = 0.0;     // patients starting on the decision each year; 0 = per person only
    double decision_horizon_years = 0.0;  // years the decision holds (population EVPI)
};

struct Scenario {
    std::string source_name;     // file path, or "builtin:scls_base"
    std::filesystem::path base_directory;  // resolves relative paths (life tables, extends)
    std::string source_text;     // the file as read
    std::string effective_text;  // TOML after overrides, as resolved
    std::vector<Override> overrides;
    // The document after extends, [remove] and overrides: composed once, then
    // copied for each parameter set (host/psa/parameter_sets.cpp).
    std::shared_ptr<const ScenarioDocument> document;

    std::string title;
    std::string currency;
    std::int64_t price_year = 0;
    std::uint64_t patients = 0;
    std::uint64_t seed = 0;
    double discount_rate_costs_annual = 0.0;
    double discount_rate_effects_annual = 0.0;
    std::string life_table_source;
    std::vector<std::filesystem::path> input_files;  // every file read: the scenario, what it extends, its life table
    std::vector<ScenarioChange> changes;             // what extends, [remove] and overrides changed, in order
    std::vector<std::pair<std::string, std::string>> extended_sources;  // name and text of every scenario it extends

    std::vector<std::string> regimen_names, regimen_labels;
    std::vector<std::string> strategy_names, strategy_labels;
    int comparator = 0;
    CeaSettings cea;

    // Every numeric parameter after overrides, by dotted path (for the output file).
    std::vector<std::pair<std::string, double>> numeric_parameters;

    ModelParams params{};
};

// The base scenario compiled into the binary.
const std::string& builtin_scenario_text();
inline constexpr const char* kBuiltinScenarioName = "builtin:scls_base";

// Parses, applies overrides, validates and resolves. Throws InputError.
// base_directory resolves relative life-table paths.
Scenario load_scenario(const std::string& text, const std::string& source_name,
                       const std::filesystem::path& base_directory, const std::vector<Override>& overrides = {});
Scenario load_scenario_file(const std::filesystem::path& path, const std::vector<Override>& overrides = {});

// The scenario with more keys set (a parameter set's values), read again from
// a copy of its composed document. Throws InputError naming each value's source.
Scenario scenario_with_values(const Scenario& scenario, const std::vector<Override>& values);

// A number as override text that reads back to the same double.
std::string override_value(double value);

// "key=value" as given to --set.
Override parse_override(const std::string& assignment);

}  // namespace scls
