// Bayesian calibration (sclsim calibrate with [fit] method = "imis"): a
// posterior sample of the fitted parameters given the targets and the priors
// declared in the targets file, written to HDF5 with its effective sample
// size, posterior predictive intervals of every target and a flag on any
// parameter whose posterior piles up at a bound. A PSA reads the sample back
// ([psa] posterior) and draws the calibrated parameters jointly from it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "host/calibration/calibrate.hpp"
#include "host/calibration/imis.hpp"

namespace scls {

// One fitted parameter's posterior, as reported.
struct ParameterPosterior {
    double mean = 0.0, sd = 0.0, lower = 0.0, median = 0.0, upper = 0.0;  // natural scale; lower/upper: 2.5% and 97.5%
    double mass_near_lower = 0.0, mass_near_upper = 0.0;  // posterior mass in the outer 5% of the search range at each end
    std::string at_bound;                                  // "", "lower" or "upper": where the posterior piles up
};

// One target under the posterior.
struct TargetPosterior {
    double mean = 0.0, lower = 0.0, upper = 0.0;  // the model's statistic: posterior mean and 95% interval
    double predictive_lower = 0.0, predictive_upper = 0.0;  // a replicated study: the statistic plus the target's sampling error
};

struct PosteriorResult {
    ImisResult imis;
    std::vector<std::vector<double>> values;            // per sample: fitted parameters, natural scale
    std::vector<std::vector<TargetValue>> statistics;   // per sample, empty where not simulated or infeasible
    std::vector<ParameterPosterior> parameters;
    std::vector<double> correlation;                     // posterior correlations, parameters x parameters
    std::vector<double> posterior_mean;                  // natural scale (the calibrated scenario's values)
    CalibrationEvaluation at_mean;                       // the targets at the posterior mean
    std::vector<TargetPosterior> targets;
    double seconds = 0.0;
};

// Share of posterior mass in the outer 5% of a range above which a posterior
// counts as piled up at that bound (a flat posterior puts 5% there).
inline constexpr double kBoundPileShare = 0.2;

// The Gaussian log-likelihood of a run's statistics given the targets: each
// target's variance is its published one plus the run's Monte Carlo variance.
// -inf when a statistic is undefined.
double log_likelihood(const std::vector<Target>& targets, const std::vector<TargetValue>& values);

PosteriorResult calibrate_posterior(const Scenario& scenario, const TargetSet& targets, const RunOptions& run,
                                    const ImisProgress& progress = {});

void write_posterior(const std::filesystem::path& path, const Scenario& scenario, const TargetSet& targets,
                     const PosteriorResult& result, const std::string& created_utc, const std::string& version);

// A posterior sample as a PSA reads it: the keys it sets (fitted parameters,
// then the balance shares that keep their groups summing to 1) and one row
// of values per equally weighted draw.
struct PosteriorDraws {
    std::filesystem::path file;
    std::string target_set;
    std::vector<std::string> columns;
    std::vector<int> balance;    // per column: the column that keeps its group's sum (-1: none)
    std::vector<double> values;  // [draw][column]
    std::size_t draws() const { return columns.empty() ? 0 : values.size() / columns.size(); }
    double value(std::size_t draw, std::size_t column) const { return values[draw * columns.size() + column]; }
};

// Throws InputError when the file is not a posterior written by sclsim calibrate.
PosteriorDraws read_posterior_draws(const std::filesystem::path& path);

}  // namespace scls
