#include "host/calibration/imis.hpp"

#include <fmt/format.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "kernels/random/philox.hpp"

namespace scls {

namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();
constexpr double kLogTwoPi = 1.8378770664093454836;

// Counter word 3 of every IMIS draw, "IMIS" in ASCII: apart from patient and PSA streams.
constexpr std::uint32_t kImisStreamTag = 0x494D4953u;

// Uniform number `use` of draw `index` (use < 2^31: components, resampling).
double uniform(std::uint64_t seed, std::uint64_t index, std::uint32_t use)
{
    const PhiloxCounter counter{{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32), use, kImisStreamTag}};
    const PhiloxKey key{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    const PhiloxCounter words = philox4x32_10(counter, key);
    return to_open_unit_52(words.word[0], words.word[1]);
}

// Uses of the stream: dimension d of a point is use d; the resample's offset
// and shuffle come after every dimension.
constexpr std::uint32_t kResampleUse = 1u << 20;
constexpr std::uint32_t kShuffleUse = kResampleUse + 1;

double log_add(double a, double b)
{
    if (a == kMinusInfinity) {
        return b;
    }
    if (b == kMinusInfinity) {
        return a;
    }
    const double top = std::max(a, b);
    return top + std::log1p(std::exp(-std::fabs(a - b)));
}

// A d x d symmetric positive definite matrix's lower Cholesky factor (row
// major); a ridge is added when the matrix is singular to rounding.
std::vector<double> cholesky(std::vector<double> matrix, int d)
{
    gsl_error_handler_t* previous = gsl_set_error_handler_off();
    double trace = 0.0;
    for (int i = 0; i < d; ++i) {
        trace += matrix[i * d + i];
    }
    double ridge = 1e-12 * std::max(trace / d, 1e-12);
    std::vector<double> factor;
    for (int attempt = 0; attempt < 40; ++attempt, ridge *= 10.0) {
        factor = matrix;
        gsl_matrix_view view = gsl_matrix_view_array(factor.data(), d, d);
        if (gsl_linalg_cholesky_decomp1(&view.matrix) == GSL_SUCCESS) {
            break;
        }
        for (int i = 0; i < d; ++i) {
            matrix[i * d + i] += ridge;
        }
    }
    gsl_set_error_handler(previous);
    for (int i = 0; i < d; ++i) {
        for (int j = i + 1; j < d; ++j) {
            factor[i * d + j] = 0.0;
        }
    }
    return factor;
}

// |L^-1 v|^2 by forward substitution.
double solve_norm(const std::vector<double>& lower, const std::vector<double>& v, int d)
{
    std::vector<double> y(d);
    double norm = 0.0;
    for (int i = 0; i < d; ++i) {
        double sum = v[i];
        for (int j = 0; j < i; ++j) {
            sum -= lower[i * d + j] * y[j];
        }
        y[i] = sum / lower[i * d + i];
        norm += y[i] * y[i];
    }
    return norm;
}

struct Gaussian {
    std::vector<double> mean;
    std::vector<double> lower;  // Cholesky factor of the covariance
    double log_normaliser = 0.0;

    double log_density(const std::vector<double>& x) const
    {
        const int d = static_cast<int>(mean.size());
        std::vector<double> v(d);
        for (int i = 0; i < d; ++i) {
            v[i] = x[i] - mean[i];
        }
        return log_normaliser - 0.5 * solve_norm(lower, v, d);
    }
};

Gaussian make_gaussian(std::vector<double> mean, const std::vector<double>& covariance)
{
    const int d = static_cast<int>(mean.size());
    Gaussian g{std::move(mean), cholesky(covariance, d), 0.0};
    g.log_normaliser = -0.5 * d * kLogTwoPi;
    for (int i = 0; i < d; ++i) {
        g.log_normaliser -= std::log(g.lower[i * d + i]);
    }
    return g;
}

// Weighted covariance of points about a centre.
std::vector<double> covariance_about(const std::vector<const std::vector<double>*>& points, const std::vector<double>& weights,
                                     const std::vector<double>& centre)
{
    const int d = static_cast<int>(centre.size());
    std::vector<double> c(d * d, 0.0);
    double total = 0.0;
    for (std::size_t k = 0; k < points.size(); ++k) {
        const std::vector<double>& x = *points[k];
        for (int i = 0; i < d; ++i) {
            for (int j = 0; j < d; ++j) {
                c[i * d + j] += weights[k] * (x[i] - centre[i]) * (x[j] - centre[j]);
            }
        }
        total += weights[k];
    }
    for (double& v : c) {
        v /= total;
    }
    return c;
}

class Sampler {
  public:
    Sampler(const ImisPrior& prior, const std::function<double(const std::vector<double>&)>& log_likelihood,
            const ImisOptions& options, const ImisProgress& progress)
        : prior_(prior), log_likelihood_(log_likelihood), options_(options), progress_(progress)
    {
    }

    ImisResult run();

  private:
    void evaluate(std::vector<double> point, int step);
    void compute_weights();
    void add_component();
    void resample();

    const ImisPrior& prior_;
    const std::function<double(const std::vector<double>&)>& log_likelihood_;
    const ImisOptions& options_;
    const ImisProgress& progress_;
    ImisResult result_;
    std::vector<double> log_mixture_;     // per sample: log of the sum of the components' densities
    std::vector<Gaussian> components_;
    std::vector<double> prior_scale_;     // Cholesky factor of the prior sample's covariance (nearness)
    std::uint64_t draws_ = 0;             // points drawn so far (the stream index)
};

void Sampler::evaluate(std::vector<double> point, int step)
{
    ImisSample s;
    s.step = step;
    const bool inside = std::all_of(point.begin(), point.end(), [](double x) { return x >= 0.0 && x <= 1.0; });
    s.log_prior = inside ? prior_.log_density(point) : kMinusInfinity;
    s.log_likelihood = s.log_prior > kMinusInfinity ? log_likelihood_(point) : kMinusInfinity;
    if (std::isnan(s.log_likelihood)) {
        s.log_likelihood = kMinusInfinity;
    }
    s.point = std::move(point);
    double log_mixture = kMinusInfinity;
    for (const Gaussian& g : components_) {
        log_mixture = log_add(log_mixture, g.log_density(s.point));
    }
    log_mixture_.push_back(log_mixture);
    result_.samples.push_back(std::move(s));
    if (progress_.on_evaluation) {
        progress_.on_evaluation(result_.samples.size());
    }
}

// w_i ∝ L p / q with q = (N0 p + B sum_k phi_k) / N: the defensive mixture of
// the prior and every component drawn from so far.
void Sampler::compute_weights()
{
    const std::size_t n = result_.samples.size();
    const double total = static_cast<double>(n);
    const double log_prior_share = std::log(options_.prior_draws / total);
    const double log_component_share = std::log(options_.draws_per_step / total);
    std::vector<double> log_weight(n);
    double top = kMinusInfinity;
    for (std::size_t i = 0; i < n; ++i) {
        const ImisSample& s = result_.samples[i];
        if (s.log_likelihood == kMinusInfinity || s.log_prior == kMinusInfinity) {
            log_weight[i] = kMinusInfinity;
            continue;
        }
        const double log_q = log_add(log_prior_share + s.log_prior, log_component_share + log_mixture_[i]);
        log_weight[i] = s.log_likelihood + s.log_prior - log_q;
        top = std::max(top, log_weight[i]);
    }
    if (top == kMinusInfinity) {
        throw std::runtime_error("no point drawn from the priors gives the targets a positive likelihood (every statistic "
                                 "undefined or the model invalid there)");
    }
    result_.weights.assign(n, 0.0);
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        result_.weights[i] = log_weight[i] == kMinusInfinity ? 0.0 : std::exp(log_weight[i] - top);
        sum += result_.weights[i];
    }
    double squares = 0.0, unique = 0.0;
    const double draws = options_.posterior_draws;
    for (double& w : result_.weights) {
        w /= sum;
        squares += w * w;
        unique += 1.0 - std::pow(1.0 - w, draws);
    }
    result_.effective_sample_size = 1.0 / squares;
    result_.expected_unique = unique;
}

// A Gaussian at the point of largest weight, its covariance that of the
// draws_per_step points nearest to it (Mahalanobis distance in the prior's
// scale), weighted half by importance and half evenly.
void Sampler::add_component()
{
    const int d = prior_.dimensions;
    const std::size_t n = result_.samples.size();
    const std::size_t best = static_cast<std::size_t>(std::max_element(result_.weights.begin(), result_.weights.end()) -
                                                      result_.weights.begin());
    const std::vector<double> centre = result_.samples[best].point;
    std::vector<std::pair<double, std::size_t>> distance(n);
    std::vector<double> v(d);
    for (std::size_t i = 0; i < n; ++i) {
        for (int k = 0; k < d; ++k) {
            v[k] = result_.samples[i].point[k] - centre[k];
        }
        distance[i] = {solve_norm(prior_scale_, v, d), i};
    }
    const std::size_t nearest = std::min<std::size_t>(n, static_cast<std::size_t>(options_.draws_per_step));
    std::partial_sort(distance.begin(), distance.begin() + static_cast<std::ptrdiff_t>(nearest), distance.end());
    std::vector<const std::vector<double>*> points;
    std::vector<double> weights;
    for (std::size_t k = 0; k < nearest; ++k) {
        points.push_back(&result_.samples[distance[k].second].point);
        weights.push_back(0.5 * (result_.weights[distance[k].second] + 1.0 / static_cast<double>(n)));
    }
    components_.push_back(make_gaussian(centre, covariance_about(points, weights, centre)));
    const Gaussian& g = components_.back();
    for (std::size_t i = 0; i < n; ++i) {
        log_mixture_[i] = log_add(log_mixture_[i], g.log_density(result_.samples[i].point));
    }
    const int step = static_cast<int>(components_.size());
    for (int b = 0; b < options_.draws_per_step; ++b, ++draws_) {
        std::vector<double> x = g.mean;
        std::vector<double> z(d);
        for (int k = 0; k < d; ++k) {
            z[k] = gsl_cdf_ugaussian_Pinv(uniform(options_.seed, draws_, static_cast<std::uint32_t>(k)));
            for (int j = 0; j <= k; ++j) {
                x[k] += g.lower[k * d + j] * z[j];
            }
        }
        evaluate(std::move(x), step);
    }
}

// Systematic resampling by weight, then a shuffle so that any prefix of the
// posterior draws is itself a fair sample.
void Sampler::resample()
{
    const std::size_t wanted = static_cast<std::size_t>(options_.posterior_draws);
    const double offset = uniform(options_.seed, 0, kResampleUse);
    double cumulative = 0.0;
    std::size_t i = 0;
    for (std::size_t k = 0; k < wanted; ++k) {
        const double position = (static_cast<double>(k) + offset) / static_cast<double>(wanted);
        while (i + 1 < result_.weights.size() && cumulative + result_.weights[i] < position) {
            cumulative += result_.weights[i];
            ++i;
        }
        result_.resampled.push_back(i);
    }
    for (std::size_t k = wanted; k > 1; --k) {
        const auto j = static_cast<std::size_t>(uniform(options_.seed, k, kShuffleUse) * static_cast<double>(k));
        std::swap(result_.resampled[k - 1], result_.resampled[std::min(j, k - 1)]);
    }
}

ImisResult Sampler::run()
{
    const int d = prior_.dimensions;
    for (int b = 0; b < options_.prior_draws; ++b, ++draws_) {
        std::vector<double> u(d);
        for (int k = 0; k < d; ++k) {
            u[k] = uniform(options_.seed, draws_, static_cast<std::uint32_t>(k));
        }
        evaluate(prior_.sample(u), 0);
    }
    // The prior sample's spread sets what "near" means in every direction.
    std::vector<double> mean(d, 0.0);
    std::vector<const std::vector<double>*> points;
    for (const ImisSample& s : result_.samples) {
        points.push_back(&s.point);
        for (int k = 0; k < d; ++k) {
            mean[k] += s.point[k] / static_cast<double>(result_.samples.size());
        }
    }
    prior_scale_ = cholesky(covariance_about(points, std::vector<double>(points.size(), 1.0), mean), d);
    const double wanted_unique = (1.0 - std::exp(-1.0)) * options_.posterior_draws;
    for (;;) {
        compute_weights();
        if (progress_.on_step) {
            progress_.on_step(result_.steps, result_.effective_sample_size, result_.expected_unique);
        }
        if (result_.expected_unique >= wanted_unique) {
            result_.converged = true;
            result_.stop_reason = fmt::format("converged after {} component{}: {:.0f} distinct draws expected of {}", result_.steps,
                                              result_.steps == 1 ? "" : "s", result_.expected_unique, options_.posterior_draws);
            break;
        }
        if (result_.steps >= options_.max_steps) {
            result_.stop_reason = fmt::format("stopped at max_steps ({}): {:.0f} distinct draws expected of {} (wanted {:.0f})",
                                              options_.max_steps, result_.expected_unique, options_.posterior_draws, wanted_unique);
            break;
        }
        add_component();
        ++result_.steps;
    }
    resample();
    return std::move(result_);
}

}  // namespace

ImisResult run_imis(const ImisPrior& prior, const std::function<double(const std::vector<double>&)>& log_likelihood,
                    const ImisOptions& options, const ImisProgress& progress)
{
    Sampler sampler(prior, log_likelihood, options, progress);
    return sampler.run();
}

double weighted_quantile(const std::vector<double>& values, const std::vector<double>& weights, double q)
{
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (weights[i] > 0.0 && std::isfinite(values[i])) {
            order.push_back(i);
        }
    }
    if (order.empty()) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    double total = 0.0;
    for (std::size_t i : order) {
        total += weights[i];
    }
    double cumulative = 0.0;
    for (std::size_t i : order) {
        cumulative += weights[i] / total;
        if (cumulative >= q) {
            return values[i];
        }
    }
    return values[order.back()];
}

}  // namespace scls
