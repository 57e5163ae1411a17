#include "host/psa/distribution.hpp"

#include <gsl/gsl_cdf.h>

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace scls {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

struct KindName {
    DistributionKind kind;
    const char* name;
};
constexpr KindName kKinds[] = {
    {DistributionKind::fixed, "fixed"},         {DistributionKind::beta, "beta"},
    {DistributionKind::gamma, "gamma"},         {DistributionKind::lognormal, "lognormal"},
    {DistributionKind::normal, "normal"},       {DistributionKind::truncated_normal, "truncated_normal"},
    {DistributionKind::uniform, "uniform"},     {DistributionKind::dirichlet, "dirichlet"},
};

// Which of two ways of stating a distribution the entry uses; reports a mix
// of both, or neither, and returns false then.
bool one_form(TableReader& r, bool native, bool moments, const char* native_keys, const char* moment_keys)
{
    if (native && moments) {
        r.report("distribution", fmt::format("is given both by {} and by {} (one form only) — keep one of them", native_keys,
                                             moment_keys));
        return false;
    }
    if (!native && !moments) {
        r.report("distribution", fmt::format("has no parameters (nothing to sample from) — add {} or {}", native_keys, moment_keys));
        return false;
    }
    return true;
}

double positive(TableReader& r, std::string_view key, const char* meaning)
{
    return r.number(key, Bound::positive, meaning);
}

// Shapes (beta alpha and beta, gamma and Dirichlet shapes) whose quantiles
// are computed to full precision; outside, a distribution is either
// effectively fixed (huge shapes) or piles its draws onto 0 (tiny ones).
constexpr double kSmallestShape = 1e-3;
constexpr double kLargestShape = 1e7;

bool usable_shape(double shape) { return shape >= kSmallestShape && shape <= kLargestShape; }

// Reports a shape outside that range against key; false then.
bool check_shape(TableReader& r, std::string_view key, double shape, const char* what)
{
    if (usable_shape(shape)) {
        return true;
    }
    r.report(key, fmt::format("gives {} = {:.4g} (shapes must lie in [{:g}, {:g}]: beyond, the distribution is effectively a "
                              "fixed value or a point mass at 0) — use a fixed distribution, or a less extreme spread",
                              what, shape, kSmallestShape, kLargestShape));
    return false;
}

// A lognormal's log-scale parameters: e^100 is beyond any model quantity,
// and a log-scale SD above 10 spans more than 70 orders of magnitude.
constexpr Bound kLogLocation{-100.0, 100.0, false, "a log-scale location; e^100 is beyond any model quantity"};
constexpr double kLargestLogSd = 10.0;

// Boost.Math's inverses converge across the whole parameter range (GSL's beta
// and gamma inverses fail for small means, e.g. beta(2, 200), and hang for
// huge shapes); a failure that remains comes back as NaN and is refused by
// the caller with the draw and the parameter.
template <class Quantile>
double guarded(Quantile&& quantile)
{
    try {
        return quantile();
    } catch (const std::exception&) {
        return std::numeric_limits<double>::quiet_NaN();
    }
}

double gamma_quantile(double u, double shape, double scale)
{
    return guarded([&] { return boost::math::gamma_p_inv(shape, u) * scale; });
}

}  // namespace

const char* distribution_name(DistributionKind kind)
{
    for (const auto& k : kKinds) {
        if (k.kind == kind) {
            return k.name;
        }
    }
    return kind == DistributionKind::posterior ? "posterior" : "?";
}

double Distribution::quantile(double u) const
{
    switch (kind) {
        case DistributionKind::fixed: return a;
        case DistributionKind::beta: return guarded([&] { return boost::math::ibeta_inv(a, b, u); });
        case DistributionKind::gamma: return gamma_quantile(u, a, b);
        case DistributionKind::lognormal: return std::exp(a + b * gsl_cdf_ugaussian_Pinv(u));
        case DistributionKind::normal: return a + b * gsl_cdf_ugaussian_Pinv(u);
        case DistributionKind::truncated_normal: {
            const double low = std::isfinite(lower) ? gsl_cdf_ugaussian_P((lower - a) / b) : 0.0;
            const double high = std::isfinite(upper) ? gsl_cdf_ugaussian_P((upper - a) / b) : 1.0;
            const double x = a + b * gsl_cdf_ugaussian_Pinv(low + u * (high - low));
            return std::fmin(std::fmax(x, lower), upper);  // rounding at a far tail stays inside
        }
        case DistributionKind::uniform: return lower + u * (upper - lower);
        case DistributionKind::dirichlet:
        case DistributionKind::posterior: break;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

double Distribution::cdf(double x) const
{
    switch (kind) {
        case DistributionKind::fixed: return x < a ? 0.0 : 1.0;
        case DistributionKind::beta: return x <= 0.0 ? 0.0 : x >= 1.0 ? 1.0 : boost::math::ibeta(a, b, x);
        case DistributionKind::gamma: return x <= 0.0 ? 0.0 : boost::math::gamma_p(a, x / b);
        case DistributionKind::lognormal: return x <= 0.0 ? 0.0 : gsl_cdf_ugaussian_P((std::log(x) - a) / b);
        case DistributionKind::normal: return gsl_cdf_ugaussian_P((x - a) / b);
        case DistributionKind::truncated_normal: {
            if (x <= lower) {
                return 0.0;
            }
            if (x >= upper) {
                return 1.0;
            }
            const double low = std::isfinite(lower) ? gsl_cdf_ugaussian_P((lower - a) / b) : 0.0;
            const double high = std::isfinite(upper) ? gsl_cdf_ugaussian_P((upper - a) / b) : 1.0;
            return (gsl_cdf_ugaussian_P((x - a) / b) - low) / (high - low);
        }
        case DistributionKind::uniform: return std::clamp((x - lower) / (upper - lower), 0.0, 1.0);
        case DistributionKind::dirichlet:
        case DistributionKind::posterior: break;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

double Distribution::log_density(double x) const
{
    constexpr double kLogRootTwoPi = 0.91893853320467274178;
    const double minus_infinity = -kInfinity;
    switch (kind) {
        case DistributionKind::fixed: return x == a ? 0.0 : minus_infinity;
        case DistributionKind::beta:
            if (!(x > 0.0 && x < 1.0)) {
                return minus_infinity;
            }
            return (a - 1.0) * std::log(x) + (b - 1.0) * std::log1p(-x) - (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
        case DistributionKind::gamma:
            if (!(x > 0.0)) {
                return minus_infinity;
            }
            return (a - 1.0) * std::log(x) - x / b - std::lgamma(a) - a * std::log(b);
        case DistributionKind::lognormal: {
            if (!(x > 0.0)) {
                return minus_infinity;
            }
            const double z = (std::log(x) - a) / b;
            return -0.5 * z * z - kLogRootTwoPi - std::log(b * x);
        }
        case DistributionKind::normal:
        case DistributionKind::truncated_normal: {
            if (kind == DistributionKind::truncated_normal && (x < lower || x > upper)) {
                return minus_infinity;
            }
            const double z = (x - a) / b;
            double log_mass = 0.0;
            if (kind == DistributionKind::truncated_normal) {
                const double low = std::isfinite(lower) ? gsl_cdf_ugaussian_P((lower - a) / b) : 0.0;
                const double high = std::isfinite(upper) ? gsl_cdf_ugaussian_P((upper - a) / b) : 1.0;
                log_mass = std::log(high - low);
            }
            return -0.5 * z * z - kLogRootTwoPi - std::log(b) - log_mass;
        }
        case DistributionKind::uniform: return x >= lower && x <= upper ? -std::log(upper - lower) : minus_infinity;
        case DistributionKind::dirichlet:
        case DistributionKind::posterior: break;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> Distribution::dirichlet_from_uniforms(const std::vector<double>& u) const
{
    std::vector<double> x(alpha.size());
    for (std::size_t i = 0; i < alpha.size(); ++i) {
        x[i] = gamma_quantile(u[i], alpha[i], 1.0);
    }
    const double total = std::accumulate(x.begin(), x.end(), 0.0);
    for (double& v : x) {
        v = total > 0.0 ? v / total : std::numeric_limits<double>::quiet_NaN();  // all shares underflowed: refused by the caller
    }
    return x;
}

double Distribution::share_quantile(int component, double u) const
{
    const double total = std::accumulate(alpha.begin(), alpha.end(), 0.0);
    return guarded([&] { return boost::math::ibeta_inv(alpha[component], total - alpha[component], u); });
}

double Distribution::mean(int component) const
{
    switch (kind) {
        case DistributionKind::fixed: return a;
        case DistributionKind::beta: return a / (a + b);
        case DistributionKind::gamma: return a * b;
        case DistributionKind::lognormal: return std::exp(a + 0.5 * b * b);
        case DistributionKind::normal: return a;
        case DistributionKind::truncated_normal: {
            const double alpha_z = (lower - a) / b, beta_z = (upper - a) / b;
            const double mass = (std::isfinite(upper) ? gsl_cdf_ugaussian_P(beta_z) : 1.0) -
                                (std::isfinite(lower) ? gsl_cdf_ugaussian_P(alpha_z) : 0.0);
            auto density = [](double z) { return std::isfinite(z) ? std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI) : 0.0; };
            return a + b * (density(alpha_z) - density(beta_z)) / mass;
        }
        case DistributionKind::uniform: return 0.5 * (lower + upper);
        case DistributionKind::dirichlet:
            return alpha[component] / std::accumulate(alpha.begin(), alpha.end(), 0.0);
        case DistributionKind::posterior: break;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

std::string Distribution::describe() const
{
    switch (kind) {
        case DistributionKind::fixed: return fmt::format("fixed({:g})", a);
        case DistributionKind::beta: return fmt::format("beta(alpha {:.4g}, beta {:.4g})", a, b);
        case DistributionKind::gamma: return fmt::format("gamma(shape {:.4g}, scale {:.4g})", a, b);
        case DistributionKind::lognormal: return fmt::format("lognormal(meanlog {:.4g}, sdlog {:.4g})", a, b);
        case DistributionKind::normal: return fmt::format("normal(mean {:.4g}, sd {:.4g})", a, b);
        case DistributionKind::truncated_normal:
            return fmt::format("truncated_normal(mean {:.4g}, sd {:.4g}, [{:g}, {:g}])", a, b, lower, upper);
        case DistributionKind::uniform: return fmt::format("uniform({:g}, {:g})", lower, upper);
        case DistributionKind::dirichlet: {
            std::string text = "dirichlet(";
            for (std::size_t i = 0; i < alpha.size(); ++i) {
                text += fmt::format("{}{:.4g}", i ? ", " : "", alpha[i]);
            }
            return text + ")";
        }
        case DistributionKind::posterior: return "posterior sample (joint draws)";
    }
    return "?";
}

namespace {

// beta: alpha and beta, or a mean and sd converted to them.
void read_beta(TableReader& r, Distribution& d)
{
    const bool has_mean = r.has("mean"), has_sd = r.has("sd");
    if (!one_form(r, r.has("alpha") || r.has("beta"), has_mean || has_sd, "alpha and beta", "mean and sd")) {
        return;
    }
    if (r.has("alpha") || r.has("beta")) {
        d.a = positive(r, "alpha", "a beta distribution needs alpha > 0 (e.g. events + 1)");
        d.b = positive(r, "beta", "a beta distribution needs beta > 0 (e.g. non-events + 1)");
        if (d.a > 0.0 && d.b > 0.0 && check_shape(r, "alpha", d.a, "alpha")) {
            check_shape(r, "beta", d.b, "beta");
        }
        return;
    }
    const double mean = r.number("mean", Bound::probability), sd = positive(r, "sd", "the beta's standard deviation");
    if (mean <= 0.0 || mean >= 1.0) {
        r.report("mean", fmt::format("is {} (a beta mean lies strictly between 0 and 1) — use a value in (0, 1), or a "
                                     "fixed distribution",
                                     mean));
    } else if (sd > 0.0 && sd * sd >= mean * (1.0 - mean)) {
        r.report("sd", fmt::format("is {} (a beta with mean {} has sd below sqrt(mean(1-mean)) = {:.4g}) — use a smaller sd",
                                   sd, mean, std::sqrt(mean * (1.0 - mean))));
    } else if (sd > 0.0) {
        const double size = mean * (1.0 - mean) / (sd * sd) - 1.0;
        d.a = mean * size;
        d.b = (1.0 - mean) * size;
        if (check_shape(r, "sd", d.a, "alpha")) {
            check_shape(r, "sd", d.b, "beta");
        }
    }
}

// gamma: shape with scale or rate, or a mean and sd converted to them.
void read_gamma(TableReader& r, Distribution& d)
{
    const bool has_mean = r.has("mean"), has_sd = r.has("sd");
    const bool native = r.has("shape") || r.has("scale") || r.has("rate");
    if (!one_form(r, native, has_mean || has_sd, "shape with scale or rate", "mean and sd")) {
        return;
    }
    if (native) {
        d.a = positive(r, "shape", "a gamma distribution needs its shape > 0");
        if (d.a > 0.0) {
            check_shape(r, "shape", d.a, "shape");
        }
        if (r.has("scale") == r.has("rate")) {
            r.take("scale");
            r.take("rate");
            r.report("shape", "needs exactly one of scale and rate (scale = 1/rate) — give scale = <number> or rate = <number>");
        } else if (r.has("scale")) {
            d.b = positive(r, "scale", "");
        } else {
            d.b = 1.0 / positive(r, "rate", "");
        }
        return;
    }
    const double mean = positive(r, "mean", "the gamma's mean"), sd = positive(r, "sd", "the gamma's standard deviation");
    d.a = (mean / sd) * (mean / sd);
    d.b = sd * sd / mean;
    if (mean > 0.0 && sd > 0.0) {
        check_shape(r, "sd", d.a, "shape");
    }
}

// lognormal: meanlog and sdlog, or the mean and sd of the value.
void read_lognormal(TableReader& r, Distribution& d)
{
    const bool has_mean = r.has("mean"), has_sd = r.has("sd");
    const bool native = r.has("meanlog") || r.has("sdlog");
    if (!one_form(r, native, has_mean || has_sd, "meanlog and sdlog", "mean and sd")) {
        return;
    }
    if (native) {
        d.a = r.number("meanlog", kLogLocation);
        d.b = positive(r, "sdlog", "the log-scale standard deviation");
    } else {
        const double mean = positive(r, "mean", "the lognormal's mean (of the value, not its log)");
        const double sd = positive(r, "sd", "the lognormal's standard deviation (of the value)");
        d.b = std::sqrt(std::log1p((sd / mean) * (sd / mean)));
        d.a = std::log(mean) - 0.5 * d.b * d.b;
    }
    if (d.b > kLargestLogSd) {
        r.report(native ? "sdlog" : "sd", fmt::format("gives a log-scale SD of {:.4g} (above {:g} the draws span more than "
                                                      "70 orders of magnitude) — narrow the distribution",
                                                      d.b, kLargestLogSd));
    }
}

// truncated normal: the normal before truncation and at least one bound.
void read_truncated_normal(TableReader& r, Distribution& d)
{
    d.a = r.number("mean", Bound::any, "the mean of the normal before truncation");
    d.b = positive(r, "sd", "the standard deviation of the normal before truncation");
    d.lower = r.optional_number("lower", Bound::any).value_or(-kInfinity);
    d.upper = r.optional_number("upper", Bound::any).value_or(kInfinity);
    if (!std::isfinite(d.lower) && !std::isfinite(d.upper)) {
        r.report("distribution", "is a truncated normal without bounds (nothing truncates it) — add lower and/or upper, "
                                 "or use \"normal\"");
    } else if (d.lower >= d.upper) {
        r.report("lower", fmt::format("is {} but upper is {} (the interval is empty) — make lower < upper", d.lower, d.upper));
    } else if (d.b > 0.0) {
        const double mass = gsl_cdf_ugaussian_P((d.upper - d.a) / d.b) - gsl_cdf_ugaussian_P((d.lower - d.a) / d.b);
        if (!(mass > 1e-9)) {
            r.report("mean", fmt::format("puts {:.3g} of its mass in [{}, {}] (the interval is far in a tail) — move the "
                                         "mean or widen the bounds",
                                         mass, d.lower, d.upper));
        }
    }
}

// Dirichlet over `components` shares: alpha, or mean shares and a concentration.
void read_dirichlet(TableReader& r, Distribution& d, int components)
{
    const bool has_mean = r.has("mean");
    if (components < 2) {
        r.report("paths", "names fewer than two shares (a Dirichlet spreads shares that sum to 1) — list every share of "
                          "the group in paths");
        return;
    }
    const bool native = r.has("alpha");
    if (!one_form(r, native, has_mean || r.has("concentration"), "alpha = [...]", "mean = [...] and concentration")) {
        return;
    }
    auto check_count = [&](const char* key, const std::vector<double>& values) {
        if (static_cast<int>(values.size()) != components) {
            r.report(key, fmt::format("has {} entries for {} paths (one per share) — give {} numbers", values.size(),
                                      components, components));
            return false;
        }
        return true;
    };
    if (native) {
        auto alpha = r.optional_numbers("alpha");
        if (alpha && check_count("alpha", *alpha)) {
            for (double a : *alpha) {
                if (!(a > 0.0)) {
                    r.report("alpha", fmt::format("contains {} (Dirichlet parameters are positive, e.g. counts) — use "
                                                  "values > 0",
                                                  a));
                    return;
                }
            }
            d.alpha = *alpha;
            for (double a : d.alpha) {
                if (!check_shape(r, "alpha", a, "alpha")) {
                    break;
                }
            }
        }
        return;
    }
    auto mean = r.optional_numbers("mean");
    const double concentration = positive(r, "concentration", "the Dirichlet's total count (sum of alphas): larger is tighter");
    if (!mean) {
        if (!r.has("mean")) {
            r.report("mean", "is missing — add mean = [share, share, ...] summing to 1");
        }
        return;
    }
    if (!check_count("mean", *mean)) {
        return;
    }
    double sum = 0.0;
    for (double m : *mean) {
        if (!(m > 0.0 && m < 1.0)) {
            r.report("mean", fmt::format("contains {} (each mean share lies strictly between 0 and 1) — fix that share", m));
            return;
        }
        sum += m;
    }
    if (std::fabs(sum - 1.0) > 1e-6) {
        r.report("mean", fmt::format("sums to {:.6g} (shares must sum to 1) — make them sum to 1", sum));
        return;
    }
    for (double m : *mean) {
        d.alpha.push_back(m * concentration);
        if (concentration > 0.0 && !check_shape(r, "concentration", d.alpha.back(), "alpha")) {
            break;
        }
    }
}

}  // namespace

Distribution read_distribution(TableReader& r, int components)
{
    Distribution d;
    const std::string kind = r.string("distribution", "gamma");
    const auto known = std::find_if(std::begin(kKinds), std::end(kKinds), [&](const auto& k) { return kind == k.name; });
    if (known == std::end(kKinds)) {
        if (!kind.empty()) {
            r.report("distribution", fmt::format("is \"{}\" (not a supported distribution) — use one of fixed, beta, gamma, "
                                                 "lognormal, normal, truncated_normal, uniform, dirichlet",
                                                 kind));
        }
        return d;
    }
    d.kind = known->kind;
    switch (d.kind) {
        case DistributionKind::fixed: d.a = r.number("value", Bound::any, "a fixed distribution holds its value"); break;
        case DistributionKind::beta: read_beta(r, d); break;
        case DistributionKind::gamma: read_gamma(r, d); break;
        case DistributionKind::lognormal: read_lognormal(r, d); break;
        case DistributionKind::normal:
            d.a = r.number("mean", Bound::any);
            d.b = positive(r, "sd", "the normal's standard deviation");
            break;
        case DistributionKind::truncated_normal: read_truncated_normal(r, d); break;
        case DistributionKind::uniform:
            d.lower = r.number("lower", Bound::any);
            d.upper = r.number("upper", Bound::any);
            if (d.lower >= d.upper && r.has("lower") && r.has("upper")) {
                r.report("lower", fmt::format("is {} but upper is {} (the interval is empty) — make lower < upper", d.lower, d.upper));
            }
            break;
        case DistributionKind::dirichlet: read_dirichlet(r, d, components); break;
        case DistributionKind::posterior: break;  // not a name a file can give
    }
    return d;
}

}  // namespace scls
