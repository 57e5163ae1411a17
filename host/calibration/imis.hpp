// Incremental mixture importance sampling (Raftery & Bao, Biometrics 2010),
// the Bayesian calibration method of Menzies et al. (PharmacoEconomics 2017)
// for health-economic models: importance sampling from the prior, refined by
// adding Gaussian components where the importance weights are largest, until
// the weights are even enough for a resample of the wanted size.
//
// Generic over the model: a point is a vector in the unit box [0, 1]^d, the
// prior is a density on the box, and the log-likelihood is a function the
// caller supplies (one simulation per call in sclsim). Deterministic: every
// random number is Philox's at a counter derived from the seed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace scls {

struct ImisPrior {
    int dimensions = 0;
    // A point drawn from the prior, from one uniform in (0, 1) per dimension.
    std::function<std::vector<double>(const std::vector<double>& uniforms)> sample;
    // The prior's log density at a point of the box (-inf outside its support).
    std::function<double(const std::vector<double>& point)> log_density;
};

struct ImisOptions {
    int prior_draws = 2000;
    int draws_per_step = 200;
    int posterior_draws = 1000;
    int max_steps = 40;
    std::uint64_t seed = 1;
};

struct ImisSample {
    std::vector<double> point;  // in the unit box
    double log_prior = 0.0;
    double log_likelihood = 0.0;  // -inf where the point is outside the prior's support or the model failed
    int step = 0;                 // 0: drawn from the prior; k: from the k-th component
};

struct ImisResult {
    std::vector<ImisSample> samples;          // every point evaluated, in order
    std::vector<double> weights;              // normalised importance weights, per sample
    std::vector<std::size_t> resampled;       // posterior draws: indices into samples (equally weighted)
    int steps = 0;                             // components added
    double effective_sample_size = 0.0;        // 1 / sum of squared weights
    double expected_unique = 0.0;              // expected distinct points in the resample
    bool converged = false;                    // expected_unique reached (1 - 1/e) * posterior_draws
    std::string stop_reason;
};

// Called after every evaluation (evaluations so far, steps so far) and at
// the end of every stage (with the stage's effective sample size).
struct ImisProgress {
    std::function<void(std::size_t evaluations)> on_evaluation;
    std::function<void(int step, double effective_sample_size, double expected_unique)> on_step;
};

// Runs IMIS. log_likelihood is called once per point drawn inside the box
// with positive prior density. Throws std::runtime_error when no point has a
// positive likelihood (the targets cannot be reached within the priors).
ImisResult run_imis(const ImisPrior& prior, const std::function<double(const std::vector<double>&)>& log_likelihood,
                    const ImisOptions& options, const ImisProgress& progress = {});

// The weighted q-quantile of values (weights summing to 1).
double weighted_quantile(const std::vector<double>& values, const std::vector<double>& weights, double q);

}  // namespace scls
