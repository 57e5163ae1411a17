// Tables printed at the end of a run or a calibration.
#pragma once

#include <string>
#include <vector>

#include "host/calibration/calibrate.hpp"
#include "host/calibration/posterior.hpp"
#include "host/engine/summary.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

std::string format_summary_table(const Scenario& scenario, const std::vector<StrategySummary>& strategies);

// Each target against the model: value, published SE, model value and its
// Monte Carlo SE, difference and z-score.
std::string format_target_table(const TargetSet& targets, const std::vector<TargetValue>& model);

// The fitted parameters: bounds, the scenario's value and the calibrated one.
std::string format_fitted_parameters(const TargetSet& targets, const std::vector<double>& values);

// One line per calibration evaluation.
std::string format_evaluation_line(const TargetSet& targets, const CalibrationEvaluation& latest, const CalibrationEvaluation& best);

// A Bayesian calibration: each parameter's posterior (mean, 95% interval,
// any pile-up at a bound), and each target under the posterior.
std::string format_posterior_parameters(const TargetSet& targets, const PosteriorResult& posterior);
std::string format_posterior_targets(const TargetSet& targets, const PosteriorResult& posterior);

}  // namespace scls
