#include "host/calibration/posterior.hpp"

#include <gsl/gsl_cdf.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>


namespace scls {

namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kNearBound = 20;  // the outer 1/20 (5%) of a range at each end

// The prior on the unit box of search coordinates: a parameter's declared
// prior truncated to its bounds (with the Jacobian of the box's scale), or
// uniform on its scale.
ImisPrior box_prior(const TargetSet& targets)
{
    ImisPrior prior;
    prior.dimensions = static_cast<int>(targets.parameters.size());
    prior.sample = [&targets](const std::vector<double>& u) {
        std::vector<double> x(u.size());
        for (std::size_t i = 0; i < u.size(); ++i) {
            const FittedParameter& p = targets.parameters[i];
            if (!p.has_prior()) {
                x[i] = u[i];
                continue;
            }
            const double low = p.prior.cdf(p.lower), high = p.prior.cdf(p.upper);
            x[i] = std::clamp(to_search(p, p.prior.quantile(low + u[i] * (high - low))), 0.0, 1.0);
        }
        return x;
    };
    prior.log_density = [&targets](const std::vector<double>& x) {
        double log_density = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const FittedParameter& p = targets.parameters[i];
            if (!p.has_prior()) {
                continue;
            }
            const double value = from_search(p, x[i]);
            const double jacobian = p.log_scale ? value * (std::log(p.upper) - std::log(p.lower)) : p.upper - p.lower;
            log_density += p.prior.log_density(value) + std::log(jacobian) - std::log(p.prior.cdf(p.upper) - p.prior.cdf(p.lower));
        }
        return std::isfinite(log_density) ? log_density : kMinusInfinity;
    };
    return prior;
}

std::vector<double> natural(const TargetSet& targets, const std::vector<double>& x)
{
    std::vector<double> values(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        values[i] = from_search(targets.parameters[i], x[i]);
    }
    return values;
}

void summarise_parameters(const TargetSet& targets, PosteriorResult& r)
{
    const std::size_t n = targets.parameters.size();
    const std::vector<std::size_t>& draws = r.imis.resampled;
    const double count = static_cast<double>(draws.size());
    std::vector<double> mean(n, 0.0);
    for (std::size_t draw : draws) {
        for (std::size_t i = 0; i < n; ++i) {
            mean[i] += r.values[draw][i] / count;
        }
    }
    std::vector<double> covariance(n * n, 0.0);
    for (std::size_t draw : draws) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                covariance[i * n + j] += (r.values[draw][i] - mean[i]) * (r.values[draw][j] - mean[j]) / (count - 1.0);
            }
        }
    }
    r.posterior_mean = mean;
    r.correlation.assign(n * n, kNaN);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const double scale = std::sqrt(covariance[i * n + i] * covariance[j * n + j]);
            r.correlation[i * n + j] = scale > 0.0 ? covariance[i * n + j] / scale : (i == j ? 1.0 : kNaN);
        }
    }
    const std::vector<double> equal(draws.size(), 1.0 / count);
    for (std::size_t i = 0; i < n; ++i) {
        ParameterPosterior p;
        std::vector<double> column, unit;
        for (std::size_t draw : draws) {
            column.push_back(r.values[draw][i]);
            unit.push_back(r.imis.samples[draw].point[i]);
        }
        p.mean = mean[i];
        p.sd = std::sqrt(covariance[i * n + i]);
        p.lower = weighted_quantile(column, equal, 0.025);
        p.median = weighted_quantile(column, equal, 0.5);
        p.upper = weighted_quantile(column, equal, 0.975);
        p.mass_near_lower = std::count_if(unit.begin(), unit.end(), [](double x) { return x < 1.0 / kNearBound; }) / count;
        p.mass_near_upper = std::count_if(unit.begin(), unit.end(), [](double x) { return x > 1.0 - 1.0 / kNearBound; }) / count;
        p.at_bound = p.mass_near_lower > kBoundPileShare ? "lower" : p.mass_near_upper > kBoundPileShare ? "upper" : "";
        r.parameters.push_back(p);
    }
}

// Posterior intervals of each target's statistic over the posterior draws,
// and predictive ones: each draw's statistic plus the target's sampling error
// at 20 evenly spaced normal quantiles.
void summarise_targets(const TargetSet& targets, PosteriorResult& r)
{
    constexpr int kNoiseQuantiles = 20;
    for (std::size_t t = 0; t < targets.targets.size(); ++t) {
        std::vector<double> model, predictive;
        for (std::size_t draw : r.imis.resampled) {
            const double value = r.statistics[draw].empty() ? kNaN : r.statistics[draw][t].value;
            model.push_back(value);
            for (int k = 0; k < kNoiseQuantiles; ++k) {
                const Target& target = targets.targets[t];
                const double noise = target.se * gsl_cdf_ugaussian_Pinv((k + 0.5) / kNoiseQuantiles);
                predictive.push_back(target.log_scale ? value * std::exp(noise) : value + noise);
            }
        }
        const std::vector<double> equal(model.size(), 1.0), equal_predictive(predictive.size(), 1.0);
        TargetPosterior p;
        double sum = 0.0, finite = 0.0;
        for (double v : model) {
            if (std::isfinite(v)) {
                sum += v;
                finite += 1.0;
            }
        }
        p.mean = finite > 0.0 ? sum / finite : kNaN;
        p.lower = weighted_quantile(model, equal, 0.025);
        p.upper = weighted_quantile(model, equal, 0.975);
        p.predictive_lower = weighted_quantile(predictive, equal_predictive, 0.025);
        p.predictive_upper = weighted_quantile(predictive, equal_predictive, 0.975);
        r.targets.push_back(p);
    }
}

}  // namespace

double log_likelihood(const std::vector<Target>& targets, const std::vector<TargetValue>& values)
{
    double sum = 0.0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const Discrepancy d = discrepancy(targets[i], values[i]);
        const double variance = d.target_se * d.target_se + d.model_se * d.model_se;
        const double z2 = d.difference * d.difference / variance;
        if (!std::isfinite(z2)) {
            return kMinusInfinity;
        }
        sum -= 0.5 * (z2 + std::log(variance));
    }
    return sum;
}

PosteriorResult calibrate_posterior(const Scenario& scenario, const TargetSet& targets, const RunOptions& run,
                                    const ImisProgress& progress)
{
    const auto clock_start = std::chrono::steady_clock::now();
    PosteriorResult r;
    RunOptions run_options = run;
    std::set<std::string> notices_shown;
    run_options.notice = [&](const std::string& text) {
        if (run.notice && notices_shown.insert(text).second) {
            run.notice(text);
        }
    };
    const auto likelihood = [&](const std::vector<double>& x) {
        const CalibrationEvaluation ev = evaluate_point(scenario, targets, natural(targets, x), run_options);
        r.statistics.resize(r.values.size() + 1);  // samples outside the prior are not evaluated; indices follow IMIS's
        if (!ev.feasible) {
            return kMinusInfinity;
        }
        r.statistics.back() = ev.statistics;
        return log_likelihood(targets.targets, ev.statistics);
    };
    ImisOptions options;
    options.prior_draws = targets.imis.prior_draws;
    options.draws_per_step = targets.imis.draws_per_step;
    options.posterior_draws = targets.imis.posterior_draws;
    options.max_steps = targets.imis.max_steps;
    options.seed = targets.seed;
    ImisProgress imis_progress;
    // Every sample gets a slot, evaluated or not, so statistics[i] belongs to samples[i].
    imis_progress.on_evaluation = [&](std::size_t evaluations) {
        r.statistics.resize(evaluations);
        r.values.resize(evaluations);
        if (progress.on_evaluation) {
            progress.on_evaluation(evaluations);
        }
    };
    imis_progress.on_step = progress.on_step;
    r.imis = run_imis(box_prior(targets), likelihood, options, imis_progress);
    for (std::size_t i = 0; i < r.imis.samples.size(); ++i) {
        r.values[i] = natural(targets, r.imis.samples[i].point);
    }
    summarise_parameters(targets, r);
    summarise_targets(targets, r);
    r.at_mean = evaluate_point(scenario, targets, r.posterior_mean, run_options);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
    return r;
}

}  // namespace scls
