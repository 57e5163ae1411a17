// sclsim calibrate: fits a scenario's unobserved parameters to published
// targets by minimising a weighted distance with an NLopt derivative-free
// method, every evaluation on the same patients (common random numbers), so
// the objective moves only with the parameters.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "host/calibration/targets.hpp"
#include "host/engine/engine.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

class Hdf5Writer;

struct CalibrationEvaluation {
    int start = 0;
    int index = 0;                   // over all starts
    std::vector<double> parameters;  // natural scale, in TargetSet::parameters order
    bool feasible = true;            // false: a balance share went negative or the scenario became invalid
    std::string infeasible_reason;
    double distance = 0.0;           // sum of squared z-scores; large and growing with the violation when infeasible
    std::vector<TargetValue> statistics;  // in TargetSet::targets order; empty when infeasible
};

struct CalibrationStart {
    std::vector<double> initial;  // natural scale
    std::size_t best = 0;         // index into the trace
    int evaluations = 0;
    std::string stop_reason;      // NLopt's
};

struct CalibrationResult {
    std::vector<CalibrationEvaluation> trace;
    std::vector<CalibrationStart> starts;
    std::size_t best = 0;  // index into the trace
    double seconds = 0.0;
};

struct CalibrationOptions {
    RunOptions run;  // backend and threads for every evaluation
    std::function<void(const CalibrationEvaluation& latest, const CalibrationEvaluation& best)> on_evaluation;
};

// Search coordinates: every parameter mapped onto [0, 1], linearly or on a
// log scale, so one tolerance, one initial step and one prior box fit all.
double to_search(const FittedParameter& p, double value);
double from_search(const FittedParameter& p, double x);

// Overrides that put the fitted parameters at `values` (natural scale) and
// their balance keys at what keeps each group's sum; reason is set (and the
// result unusable) when a balance would leave [0, 1].
std::vector<Override> fitted_overrides(const TargetSet& targets, const std::vector<double>& values, std::string& reason);

// One point: the scenario with the fitted values (and the targets' patients
// and seed) simulated and compared with the targets; infeasible (with a
// penalty growing with the violation) where a balance leaves [0, 1] or the
// scenario becomes invalid.
CalibrationEvaluation evaluate_point(const Scenario& scenario, const TargetSet& targets, const std::vector<double>& values,
                                     const RunOptions& run_options);

// Runs the search. scenario is the loaded scenario (its --set overrides are
// kept); every evaluation lays the fitted values over a copy of its document.
CalibrationResult calibrate(const Scenario& scenario, const TargetSet& targets, const CalibrationOptions& options);

// Every target evaluated on a run's summaries, in TargetSet::targets order.
std::vector<TargetValue> evaluate_targets(const TargetSet& targets, const std::vector<StrategySummary>& summaries);

// The scenario's source text with the fitted parameters (and balances) set to
// values, layout and comments kept, each changed line's comment saying it was
// calibrated to the target set, and what it was.
std::string calibrated_scenario_text(const Scenario& scenario, const TargetSet& targets, const std::vector<double>& values,
                                     const std::string& note);

// HDF5 groups: /targets (the target set) and /validation (target against
// model, with the Monte Carlo SE and each target's strategy shares).
void write_targets_group(Hdf5Writer& writer, const Scenario& scenario, const TargetSet& targets,
                         const std::vector<TargetValue>& model, const std::string& group);

// The calibration trace file: targets, every evaluation, the best point.
void write_calibration_trace(const std::filesystem::path& path, const Scenario& scenario, const TargetSet& targets,
                             const CalibrationResult& result, const std::string& created_utc, const std::string& version);

}  // namespace scls
