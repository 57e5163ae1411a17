// The posterior file: what sclsim calibrate writes with method "imis", and
// the part a PSA reads back.
#include <algorithm>
#include <cmath>
#include <limits>

#include "host/calibration/posterior.hpp"
#include "host/io/hdf5_reader.hpp"
#include "host/io/hdf5_writer.hpp"
#include "host/scenario/input_error.hpp"

namespace scls {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr char kPosteriorFormat[] = "sclsim-posterior";

// The keys a posterior draw sets: the fitted parameters, then each balance
// share once (its value keeps the group summing to 1).
std::vector<std::string> draw_columns(const TargetSet& targets)
{
    std::vector<std::string> columns;
    for (const FittedParameter& p : targets.parameters) {
        columns.push_back(p.path);
    }
    std::string ignored;
    for (const Override& o : fitted_overrides(targets, std::vector<double>(targets.parameters.size(), 0.0), ignored)) {
        if (std::find(columns.begin(), columns.end(), o.key) == columns.end()) {
            columns.push_back(o.key);
        }
    }
    return columns;
}

void write_parameters(Hdf5Writer& w, const TargetSet& targets, const PosteriorResult& r)
{
    H5::Group group = w.group("/parameters");
    const hsize_t n = targets.parameters.size();
    std::vector<std::string> names, scales, balances, priors, at_bound;
    std::vector<double> lower, upper, initial, mean, sd, q_lower, median, q_upper, near_lower, near_upper;
    for (std::size_t i = 0; i < n; ++i) {
        const FittedParameter& p = targets.parameters[i];
        const ParameterPosterior& post = r.parameters[i];
        names.push_back(p.path);
        scales.push_back(p.log_scale ? "log" : "linear");
        balances.push_back(p.balance);
        priors.push_back(p.has_prior() ? p.prior.describe() + " within the bounds"
                                       : (p.log_scale ? "log-uniform within the bounds" : "uniform within the bounds"));
        at_bound.push_back(post.at_bound);
        lower.push_back(p.lower);
        upper.push_back(p.upper);
        initial.push_back(p.initial);
        mean.push_back(post.mean);
        sd.push_back(post.sd);
        q_lower.push_back(post.lower);
        median.push_back(post.median);
        q_upper.push_back(post.upper);
        near_lower.push_back(post.mass_near_lower);
        near_upper.push_back(post.mass_near_upper);
    }
    const std::vector<std::string> axis{"parameter"};
    w.strings(group, "name", names, "fitted parameters, dotted key paths (axis 'parameter')", "parameter");
    w.strings(group, "scale", scales, "search scale of each parameter", "parameter");
    w.strings(group, "balance", balances, "the share that absorbs each parameter's changes (empty: none)", "parameter");
    w.strings(group, "prior", priors, "each parameter's prior, truncated to its bounds", "parameter");
    w.strings(group, "at_bound", at_bound,
              "where the posterior piles up: \"lower\" or \"upper\" when more than 20% of it lies in the outer 5% of the range at "
              "that end, else empty",
              "parameter");
    w.dataset(group, "lower", {n}, lower, axis, "as the parameter", "lower bound (prior support)");
    w.dataset(group, "upper", {n}, upper, axis, "as the parameter", "upper bound (prior support)");
    w.dataset(group, "initial", {n}, initial, axis, "as the parameter", "the scenario's value before calibration");
    w.dataset(group, "posterior_mean", {n}, mean, axis, "as the parameter", "posterior mean (the calibrated scenario's value)");
    w.dataset(group, "posterior_sd", {n}, sd, axis, "as the parameter", "posterior standard deviation");
    w.dataset(group, "posterior_lower", {n}, q_lower, axis, "as the parameter", "posterior 2.5% quantile");
    w.dataset(group, "posterior_median", {n}, median, axis, "as the parameter", "posterior median");
    w.dataset(group, "posterior_upper", {n}, q_upper, axis, "as the parameter", "posterior 97.5% quantile");
    w.dataset(group, "mass_near_lower", {n}, near_lower, axis, "probability", "posterior mass in the lowest 5% of the range");
    w.dataset(group, "mass_near_upper", {n}, near_upper, axis, "probability", "posterior mass in the highest 5% of the range");
    w.dataset(group, "posterior_correlation", {n, n}, r.correlation, {"parameter", "parameter"}, "1",
              "correlations of the fitted parameters under the posterior");
}

void write_target_posterior(Hdf5Writer& w, const TargetSet& targets, const PosteriorResult& r)
{
    H5::Group group = w.file().openGroup("/targets");  // written by write_targets_group
    const hsize_t count = targets.targets.size();
    std::vector<double> mean, lower, upper, predictive_lower, predictive_upper;
    std::vector<std::int64_t> inside;
    for (std::size_t t = 0; t < targets.targets.size(); ++t) {
        const TargetPosterior& p = r.targets[t];
        mean.push_back(p.mean);
        lower.push_back(p.lower);
        upper.push_back(p.upper);
        predictive_lower.push_back(p.predictive_lower);
        predictive_upper.push_back(p.predictive_upper);
        const double value = targets.targets[t].value;
        inside.push_back(value >= p.predictive_lower && value <= p.predictive_upper ? 1 : 0);
    }
    const std::vector<std::string> axis{"target"};
    w.dataset(group, "posterior_mean", {count}, mean, axis, "as the statistic", "the statistic's mean over the posterior draws");
    w.dataset(group, "posterior_lower", {count}, lower, axis, "as the statistic", "2.5% quantile of the statistic over the posterior draws");
    w.dataset(group, "posterior_upper", {count}, upper, axis, "as the statistic", "97.5% quantile of the statistic over the posterior draws");
    w.dataset(group, "predictive_lower", {count}, predictive_lower, axis, "as the statistic",
              "2.5% quantile of a replicated study: a posterior draw's statistic plus the target's sampling error (its SE)");
    w.dataset(group, "predictive_upper", {count}, predictive_upper, axis, "as the statistic",
              "97.5% quantile of a replicated study (as predictive_lower)");
    w.dataset(group, "inside_predictive", {count}, inside, axis, "1", "1 if the published value lies in the 95% predictive interval");
}

void write_draws(Hdf5Writer& w, const TargetSet& targets, const PosteriorResult& r)
{
    H5::Group group = w.group("/posterior");
    const std::vector<std::string> columns = draw_columns(targets);
    const hsize_t draws = r.imis.resampled.size(), width = columns.size(), target_count = targets.targets.size();
    std::vector<double> values, statistics;
    std::vector<std::int64_t> sample;
    for (std::size_t draw : r.imis.resampled) {
        std::string ignored;
        const std::vector<Override> overrides = fitted_overrides(targets, r.values[draw], ignored);
        for (const std::string& column : columns) {
            const auto it = std::find_if(overrides.begin(), overrides.end(), [&](const Override& o) { return o.key == column; });
            values.push_back(std::stod(it->value));
        }
        for (std::size_t t = 0; t < target_count; ++t) {
            statistics.push_back(r.statistics[draw].empty() ? kNaN : r.statistics[draw][t].value);
        }
        sample.push_back(static_cast<std::int64_t>(draw));
    }
    w.strings(group, "column", columns, "the keys a draw sets: fitted parameters, then balance shares (axis 'column')", "column");
    w.dataset(group, "draws", {draws, width}, values, {"draw", "column"}, "as the parameter",
              "equally weighted posterior draws (resampled by importance weight, shuffled): a PSA takes its calibrated "
              "parameters from these rows");
    w.dataset(group, "statistics", {draws, target_count}, statistics, {"draw", "target"}, "as the statistic",
              "every target's statistic at each posterior draw");
    w.dataset(group, "sample", {draws}, sample, {"draw"}, "1", "the IMIS sample each draw is (index into /samples)");
}

void write_samples(Hdf5Writer& w, const TargetSet& targets, const PosteriorResult& r)
{
    H5::Group group = w.group("/samples");
    const hsize_t n = r.imis.samples.size(), width = targets.parameters.size(), target_count = targets.targets.size();
    std::vector<double> values, log_prior, log_likelihood, weight, statistics;
    std::vector<std::int64_t> step;
    for (std::size_t i = 0; i < n; ++i) {
        const ImisSample& s = r.imis.samples[i];
        values.insert(values.end(), r.values[i].begin(), r.values[i].end());
        log_prior.push_back(s.log_prior);
        log_likelihood.push_back(s.log_likelihood);
        weight.push_back(r.imis.weights[i]);
        step.push_back(s.step);
        for (std::size_t t = 0; t < target_count; ++t) {
            statistics.push_back(r.statistics[i].empty() ? kNaN : r.statistics[i][t].value);
        }
    }
    w.dataset(group, "parameters", {n, width}, values, {"sample", "parameter"}, "as the parameter",
              "every point IMIS evaluated (natural scale), in order");
    w.dataset(group, "log_prior", {n}, log_prior, {"sample"}, "1", "log prior density on the search box (-inf: outside)");
    w.dataset(group, "log_likelihood", {n}, log_likelihood, {"sample"}, "1",
              "Gaussian log-likelihood of the targets (-inf: not evaluated, or a statistic undefined)");
    w.dataset(group, "weight", {n}, weight, {"sample"}, "1", "normalised importance weight");
    w.dataset(group, "step", {n}, step, {"sample"}, "1", "0: drawn from the prior; k: from the k-th mixture component");
    w.dataset(group, "statistics", {n, target_count}, statistics, {"sample", "target"}, "as the statistic",
              "every target's statistic at each sample (NaN where not simulated)");
}

}  // namespace

void write_posterior(const std::filesystem::path& path, const Scenario& scenario, const TargetSet& targets,
                     const PosteriorResult& r, const std::string& created_utc, const std::string& version)
{
    write_hdf5_atomically(path, [&](Hdf5Writer& w) {
        H5::Group root = w.file().openGroup("/");
        Hdf5Writer::string_attribute(root, "format", kPosteriorFormat);
        Hdf5Writer::scalar_attribute<std::int64_t>(root, "format_version", 1);
        Hdf5Writer::string_attribute(root, "sclsim_version", version);
        Hdf5Writer::string_attribute(root, "created_utc", created_utc);
        Hdf5Writer::string_attribute(root, "scenario_source", scenario.source_name);
        Hdf5Writer::string_attribute(root, "target_set", targets.name);
        Hdf5Writer::string_attribute(root, "method", "imis (incremental mixture importance sampling, Raftery & Bao 2010)");
        Hdf5Writer::string_attribute(root, "likelihood",
                                     "product over targets of normal densities, variance = target SE^2 + Monte Carlo SE^2");
        Hdf5Writer::scalar_attribute<std::uint64_t>(root, "patients_per_evaluation", targets.patients);
        Hdf5Writer::scalar_attribute<std::uint64_t>(root, "seed", targets.seed);
        Hdf5Writer::scalar_attribute<std::int64_t>(root, "evaluations", static_cast<std::int64_t>(r.imis.samples.size()));
        Hdf5Writer::scalar_attribute<std::int64_t>(root, "components", r.imis.steps);
        Hdf5Writer::scalar_attribute<double>(root, "effective_sample_size", r.imis.effective_sample_size);
        Hdf5Writer::scalar_attribute<double>(root, "expected_distinct_draws", r.imis.expected_unique);
        Hdf5Writer::scalar_attribute<std::int64_t>(root, "converged", r.imis.converged ? 1 : 0);
        Hdf5Writer::string_attribute(root, "stop_reason", r.imis.stop_reason);
        Hdf5Writer::scalar_attribute<double>(root, "seconds", r.seconds);
        H5::Group scenario_group = w.group("/scenario");
        w.text(scenario_group, "source_text", scenario.source_text, "the scenario calibrated, as read");
        write_targets_group(w, scenario, targets, r.at_mean.statistics, "/targets");
        write_target_posterior(w, targets, r);
        write_parameters(w, targets, r);
        write_draws(w, targets, r);
        write_samples(w, targets, r);
    });
}

PosteriorDraws read_posterior_draws(const std::filesystem::path& path)
{
    const Hdf5Reader file(path, "a posterior written by sclsim calibrate with [fit] method = \"imis\"");
    if (!file.has("/posterior/draws") || file.string_attribute("/", "format") != kPosteriorFormat) {
        throw InputError({{path.string(), "posterior", 0,
                           "is not a posterior sample (no /posterior/draws, or another format) — give the .posterior.h5 file "
                           "that sclsim calibrate wrote with [fit] method = \"imis\""}});
    }
    PosteriorDraws d;
    d.file = path;
    d.target_set = file.string_attribute("/", "target_set");
    d.columns = file.strings("/posterior/column");
    d.values = file.doubles("/posterior/draws", Hdf5Reader::Shape{Hdf5Reader::kAnyExtent, d.columns.size()});
    if (d.columns.empty() || d.values.empty()) {
        throw InputError({{path.string(), "posterior", 0, "holds no draws — run sclsim calibrate again"}});
    }
    const std::vector<std::string> fitted = file.strings("/parameters/name");
    const std::vector<std::string> balances = file.strings("/parameters/balance", Hdf5Reader::Shape{fitted.size()});
    d.balance.assign(d.columns.size(), -1);
    for (std::size_t i = 0; i < fitted.size(); ++i) {
        const auto column = std::find(d.columns.begin(), d.columns.end(), fitted[i]);
        const auto balance = std::find(d.columns.begin(), d.columns.end(), balances[i]);
        if (column != d.columns.end() && balance != d.columns.end()) {
            d.balance[static_cast<std::size_t>(column - d.columns.begin())] = static_cast<int>(balance - d.columns.begin());
        }
    }
    for (double v : d.values) {
        if (!std::isfinite(v)) {
            throw InputError({{path.string(), "posterior", 0, "holds a draw that is not a finite number (the file is damaged) — run "
                                                              "sclsim calibrate again"}});
        }
    }
    return d;
}

}  // namespace scls
