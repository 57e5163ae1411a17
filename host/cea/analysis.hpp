// From a run's per-set summaries to its cost-effectiveness results, and the
// HDF5 groups that hold them: /parameter_sets, /cea, /sweep.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/cea/cea.hpp"
#include "host/engine/summary.hpp"
#include "host/psa/parameter_sets.hpp"
#include "host/psa/psa.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

class Hdf5Writer;

struct EvppiResult {
    std::string name;
    std::vector<std::string> parameters;
    EvppiFit fit;
    // The EVPPI the same regression finds for inputs that carry no
    // information (the group's draws in another order): values at or below
    // it are regression noise, not value of information.
    std::vector<double> noise_floor;  // [wtp]
};

struct PsaAnalysis {
    PsaOutcomes outcomes;       // draws only (set 0, the base case, is left out)
    PsaCurves curves;
    double population_multiplier = 0.0;  // 0 when [cea] gives no population
    std::vector<EvppiResult> evppi;
};

struct CeaAnalysis {
    std::vector<double> wtp, report_wtp;
    std::vector<double> base_cost, base_effect;  // set 0, per strategy
    std::vector<IncrementalRow> base_table;
    std::optional<PsaAnalysis> psa;
};

// Mean discounted cost and QALYs per person of every set and strategy,
// [set][strategy], from the run's summaries.
void cost_and_qalys(const std::vector<std::vector<StrategySummary>>& summaries, std::vector<double>& cost,
                    std::vector<double>& qalys);

// The base case's table, and for a PSA (sets.kind == psa, with its spec) the
// curves and every EVPPI group of the spec. Effects are discounted QALYs.
CeaAnalysis analyse_cost_effectiveness(const Scenario& scenario, const std::vector<std::vector<StrategySummary>>& summaries,
                                       const ParameterSets& sets, const PsaSpec* spec);

// /parameter_sets (and /sweep for one-way and grid sets).
void write_parameter_sets_group(Hdf5Writer& writer, const ParameterSets& sets);
// /cea: WTP axis, base-case incremental table and NMB, PSA curves, EVPI, EVPPI.
void write_cea_group(Hdf5Writer& writer, const Scenario& scenario, const CeaAnalysis& analysis);

}  // namespace scls
