// Probability distributions of uncertain parameters for PSA: each is sampled
// by inverting its CDF (GSL), so one uniform (or one correlated normal through
// a Gaussian copula) gives one value, and a draw depends on nothing but its
// own random numbers.
#pragma once

#include <string>
#include <vector>

#include "host/scenario/toml_reader.hpp"

namespace scls {

// posterior: the joint draws of a calibration's posterior sample ([psa]
// posterior), held by the PSA parameter, never named in a file.
enum class DistributionKind { fixed, beta, gamma, lognormal, normal, truncated_normal, uniform, dirichlet, posterior };

struct Distribution {
    DistributionKind kind = DistributionKind::fixed;
    // Native parameters, whatever the file gave:
    //   fixed: a = value; beta: a = alpha, b = beta; gamma: a = shape, b = scale;
    //   lognormal: a = meanlog, b = sdlog; normal and truncated_normal: a = mean,
    //   b = sd of the untruncated normal, lower/upper = truncation;
    //   uniform: lower, upper; dirichlet: alpha (one per component).
    double a = 0.0, b = 0.0;
    double lower = 0.0, upper = 0.0;
    std::vector<double> alpha;

    int components() const { return kind == DistributionKind::dirichlet ? static_cast<int>(alpha.size()) : 1; }
    bool is_fixed() const { return kind == DistributionKind::fixed; }

    // The value at cumulative probability u in (0, 1) (scalar kinds only).
    double quantile(double u) const;
    // The Dirichlet vector from one uniform per component (gamma quantiles, normalised).
    std::vector<double> dirichlet_from_uniforms(const std::vector<double>& u) const;
    // The quantile of one share of a Dirichlet: its marginal is beta(alpha_i, sum of the others).
    double share_quantile(int component, double u) const;
    // Cumulative probability and log density at x (scalar kinds other than
    // fixed; calibration priors).
    double cdf(double x) const;
    double log_density(double x) const;
    // Mean of a scalar kind, or of component i of a Dirichlet.
    double mean(int component = 0) const;
    std::string describe() const;  // e.g. "gamma(shape 4, scale 0.25)"
};

const char* distribution_name(DistributionKind kind);

// Reads `distribution = "..."` and its parameters (native, or by mean and sd)
// from a [[psa.parameters]] entry; components is the number of paths the
// entry names (a Dirichlet needs as many alphas or means; a scalar
// distribution sets every path to its one value). Problems go to the
// reader's issues in the form "what is wrong (why) — what would be right".
Distribution read_distribution(TableReader& reader, int components);

}  // namespace scls
