// Cost-effectiveness tables for the terminal: after `sclsim run`, `psa` and
// `sweep`, and from any results file with `sclsim report FILE.h5`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "host/cea/analysis.hpp"

namespace scls {

// What the tables need, whether it comes from a run in memory or from a file.
struct CostEffectivenessView {
    std::string money;                    // e.g. "USD 2025"
    std::vector<std::string> strategies;  // names, in scenario order
    int comparator = 0;
    ParameterSets sets;                   // kind, labels, one-way ranges, grid axes
    std::vector<double> cost, effect;     // [set][strategy], discounted, per person
    CeaAnalysis analysis;
};

CostEffectivenessView make_cost_effectiveness_view(const Scenario& scenario,
                                                   const std::vector<std::vector<StrategySummary>>& summaries,
                                                   const ParameterSets& sets, CeaAnalysis analysis);

// Reads a results file (any sclsim run, psa or sweep output). Throws InputError.
CostEffectivenessView read_cost_effectiveness(const std::filesystem::path& results_file);

// The incremental table, NMB at the report thresholds, and as the run has
// them: PSA summaries (intervals, CEAC, CEAF, EVPI, EVPPI), one-way
// (tornado) rows, or the grid's optimal strategies. report_wtp, when not
// empty, replaces the file's thresholds.
std::string format_cost_effectiveness(const CostEffectivenessView& view, std::vector<double> report_wtp = {});

}  // namespace scls
