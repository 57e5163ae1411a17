// Bayesian calibration: IMIS recovers a posterior known in closed form and
// its 95% intervals cover the truth at about their nominal rate; on the model
// itself, synthetic targets made at known parameter values are covered by the
// posterior; a PSA drawing from the posterior file reproduces its means and
// correlations exactly, draw for draw.
#include "host/calibration/posterior.hpp"

#include <gtest/gtest.h>

#include <gsl/gsl_cdf.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <fmt/format.h>

#include "tests/support/synthetic_truth.hpp"

#include "host/psa/psa.hpp"
#include "tests/support/test_paths.hpp"

namespace scls {
namespace {

// A correlated bivariate normal likelihood on the unit box under a uniform
// prior: the posterior is that normal (truncation is negligible 5 SDs in).
ImisPrior uniform_box(int dimensions)
{
    ImisPrior prior;
    prior.dimensions = dimensions;
    prior.sample = [](const std::vector<double>& u) { return u; };
    prior.log_density = [](const std::vector<double>&) { return 0.0; };
    return prior;
}

struct Moments {
    double mean[2] = {}, sd[2] = {}, correlation = 0.0;
};

Moments posterior_moments(const ImisResult& r)
{
    Moments m;
    const double n = static_cast<double>(r.resampled.size());
    for (std::size_t i : r.resampled) {
        for (int k = 0; k < 2; ++k) {
            m.mean[k] += r.samples[i].point[k] / n;
        }
    }
    double cross = 0.0;
    for (std::size_t i : r.resampled) {
        const auto& x = r.samples[i].point;
        for (int k = 0; k < 2; ++k) {
            m.sd[k] += (x[k] - m.mean[k]) * (x[k] - m.mean[k]) / (n - 1.0);
        }
        cross += (x[0] - m.mean[0]) * (x[1] - m.mean[1]) / (n - 1.0);
    }
    m.sd[0] = std::sqrt(m.sd[0]);
    m.sd[1] = std::sqrt(m.sd[1]);
    m.correlation = cross / (m.sd[0] * m.sd[1]);
    return m;
}

TEST(Imis, RecoversAKnownCorrelatedPosterior)
{
    const double centre[2] = {0.4, 0.6}, sd[2] = {0.03, 0.05}, rho = 0.6;
    const auto log_likelihood = [&](const std::vector<double>& x) {
        const double a = (x[0] - centre[0]) / sd[0], b = (x[1] - centre[1]) / sd[1];
        return -0.5 * (a * a - 2.0 * rho * a * b + b * b) / (1.0 - rho * rho);
    };
    ImisOptions options;
    options.prior_draws = 2000;
    options.draws_per_step = 200;
    options.posterior_draws = 1000;
    options.seed = 11;
    const ImisResult r = run_imis(uniform_box(2), log_likelihood, options);
    ASSERT_TRUE(r.converged) << r.stop_reason;
    EXPECT_EQ(r.resampled.size(), 1000u);
    EXPECT_GT(r.effective_sample_size, 1000.0);
    const Moments m = posterior_moments(r);
    for (int k = 0; k < 2; ++k) {
        // The mean of 1,000 draws is within ~3 of its SEs (sd / sqrt(1000)) when the sampler is right.
        EXPECT_NEAR(m.mean[k], centre[k], 3.5 * sd[k] / std::sqrt(1000.0)) << "dimension " << k;
        EXPECT_NEAR(m.sd[k], sd[k], 0.12 * sd[k]) << "dimension " << k;
    }
    EXPECT_NEAR(m.correlation, rho, 0.08);
}

TEST(Imis, RefusesWhenNoPointHasALikelihood)
{
    ImisOptions options;
    options.prior_draws = 100;
    options.draws_per_step = 20;
    EXPECT_THROW(run_imis(uniform_box(1), [](const std::vector<double>&) { return -INFINITY; }, options), std::runtime_error);
}

// Coverage: 60 synthetic studies, each observing a true value drawn from the
// prior with noise; the posterior 95% interval must hold the truth in about
// 95% of them (binomial: 57 expected, fewer than 52 has probability < 1%).
TEST(Imis, PosteriorIntervalsCoverTheTruthAtTheirNominalRate)
{
    constexpr int kStudies = 60;
    constexpr double kNoise = 0.06;
    int covered = 0;
    for (int study = 0; study < kStudies; ++study) {
        const double truth = 0.15 + 0.7 * (study + 0.5) / kStudies;  // spread over the box, away from its edges
        const double observed = truth + kNoise * gsl_cdf_ugaussian_Pinv((study * 0.618033988749895 - std::floor(study * 0.618033988749895)) * 0.98 + 0.01);
        const auto log_likelihood = [&](const std::vector<double>& x) {
            const double z = (x[0] - observed) / kNoise;
            return -0.5 * z * z;
        };
        ImisOptions options;
        options.prior_draws = 400;
        options.draws_per_step = 50;
        options.posterior_draws = 400;
        options.seed = 100 + study;
        const ImisResult r = run_imis(uniform_box(1), log_likelihood, options);
        std::vector<double> values;
        for (std::size_t i : r.resampled) {
            values.push_back(r.samples[i].point[0]);
        }
        const std::vector<double> equal(values.size(), 1.0);
        const double lower = weighted_quantile(values, equal, 0.025), upper = weighted_quantile(values, equal, 0.975);
        covered += truth >= lower && truth <= upper ? 1 : 0;
    }
    EXPECT_GE(covered, 52) << covered << " of " << kStudies << " intervals hold the truth";
    EXPECT_LE(covered, kStudies);
}

// The model itself: targets simulated at known heterogeneity and ICU share
// (other patients than the fit's, published-size SEs), then IMIS from flat
// priors. The truth must lie inside each parameter's 95% posterior interval.
TEST(Posterior, CoversKnownParametersOfTheModelFromSyntheticTargets)
{
    const double true_sigma = 1.4, true_icu_share = 0.24;
    // The truth, simulated with a seed the fit does not use.
    const StrategySummary untreated = test::simulate_untreated_truth(true_sigma, true_icu_share, 40000);
    std::string text = R"(
name = "synthetic"
[fit]
method = "imis"
patients = 4000
seed = 7
prior_draws = 300
draws_per_step = 60
posterior_draws = 300
max_steps = 15
[[parameters]]
path = "attacks.heterogeneity_sigma"
lower = 0.3
upper = 2.5
prior = { distribution = "uniform", lower = 0.3, upper = 2.5 }
[[parameters]]
path = "attacks.severity.icu.share"
lower = 0.05
upper = 0.45
balance = "attacks.severity.mild.share"
)";
    auto add_target = [&](const std::string& name, const std::string& statistic, const std::string& extra, double value, double se) {
        text += fmt::format("[[targets]]\nname = \"{}\"\nstatistic = \"{}\"\nstrategies = \"no_prophylaxis\"\n{}\nvalue = {:.17g}\n"
                            "se = {}\nsource = \"model\"\n",
                            name, statistic, extra, value, se);
    };
    add_target("survival_5y", "survival", "years = 5.0", untreated.survival_at_years(5.0).mean, 0.02);
    add_target("attack_free_1y", "attack_free", "years = 1.0", untreated.attack_free_at_years(1.0).mean, 0.02);
    add_target("median_rate", "observed_rate", "quantile = 0.5", untreated.observed_rate_quantile(0.5).mean, 0.08);
    add_target("high_rate", "observed_rate", "quantile = 0.9", untreated.observed_rate_quantile(0.9).mean, 0.5);
    const double deaths = static_cast<double>(untreated.attack_deaths_of_diagnosed);  // what a case series sees
    add_target("death_per_attack", "death_per_attack", "", deaths / static_cast<double>(untreated.attacks_of_diagnosed), 0.003);

    const Scenario scenario = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".");
    RunOptions run;
    run.backend = BackendChoice::cpu;
    const TargetSet targets = load_targets(text, "synthetic.toml", scenario);
    const PosteriorResult r = calibrate_posterior(scenario, targets, run);
    ASSERT_EQ(r.parameters.size(), 2u);
    EXPECT_GE(r.imis.resampled.size(), 300u);
    EXPECT_GT(r.imis.effective_sample_size, 100.0) << r.imis.stop_reason;
    const double truths[2] = {true_sigma, true_icu_share};
    for (int k = 0; k < 2; ++k) {
        const ParameterPosterior& p = r.parameters[k];
        EXPECT_LE(p.lower, truths[k]) << targets.parameters[k].path;
        EXPECT_GE(p.upper, truths[k]) << targets.parameters[k].path;
        EXPECT_LT(p.upper - p.lower, 0.5 * (targets.parameters[k].upper - targets.parameters[k].lower))
            << targets.parameters[k].path << ": the targets should narrow the prior";
        EXPECT_TRUE(p.at_bound.empty()) << targets.parameters[k].path;
    }
    ASSERT_TRUE(r.at_mean.feasible);
    for (std::size_t t = 0; t < targets.targets.size(); ++t) {
        const TargetPosterior& p = r.targets[t];
        EXPECT_LE(p.predictive_lower, targets.targets[t].value) << targets.targets[t].name;
        EXPECT_GE(p.predictive_upper, targets.targets[t].value) << targets.targets[t].name;
    }
}

// A posterior file built by hand (correlated draws of two fitted parameters,
// one with a balance share), written as calibrate writes it; a PSA with as
// many draws takes every row exactly once.
TEST(Posterior, PsaDrawsFromThePosteriorReproduceItsMeansAndCorrelations)
{
    const Scenario scenario = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".");
    const TargetSet targets = load_targets(R"(
name = "handmade"
[fit]
method = "imis"
[[parameters]]
path = "attacks.heterogeneity_sigma"
lower = 0.3
upper = 2.5
[[parameters]]
path = "attacks.severity.icu.share"
lower = 0.05
upper = 0.45
balance = "attacks.severity.mild.share"
[[targets]]
name = "survival_5y"
statistic = "survival"
years = 5.0
strategies = "no_prophylaxis"
value = 0.8
se = 0.05
source = "test"
[[targets]]
name = "death_per_attack"
statistic = "death_per_attack"
strategies = "no_prophylaxis"
value = 0.03
se = 0.01
source = "test"
)",
                                           "handmade.toml", scenario);
    constexpr std::size_t kDraws = 500;
    PosteriorResult r;
    for (std::size_t i = 0; i < kDraws; ++i) {
        const double z1 = gsl_cdf_ugaussian_Pinv((i + 0.5) / kDraws);
        const double z2 = gsl_cdf_ugaussian_Pinv(std::fmod((i * 0.754877666 + 0.3), 1.0) * 0.998 + 0.001);
        const std::vector<double> values{1.2 + 0.1 * z1, 0.2 + 0.02 * (0.7 * z1 + std::sqrt(1 - 0.49) * z2)};
        r.values.push_back(values);
        r.imis.samples.push_back({{0.5, 0.5}, 0.0, -1.0, 0});
        r.imis.weights.push_back(1.0 / kDraws);
        r.imis.resampled.push_back(i);
        r.statistics.push_back({{0.8, 0.01}, {0.03, 0.001}});
    }
    r.parameters.resize(2);
    r.correlation.assign(4, 0.0);
    r.targets.resize(2);
    r.at_mean.statistics = {{0.8, 0.01}, {0.03, 0.001}};
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("sclsim_posterior_{}", ::getpid());
    std::filesystem::create_directories(dir);
    write_posterior(dir / "handmade.posterior.h5", scenario, targets, r, "2026-11-22T00:00:00Z", "test");

    const Scenario psa_scenario = load_scenario(builtin_scenario_text() + fmt::format("\n[psa]\ndraws = {}\nseed = 3\nposterior = "
                                                                                      "\"handmade.posterior.h5\"\n",
                                                                                      kDraws),
                                                "psa.toml", dir);
    const std::optional<PsaSpec> spec = load_psa_spec(psa_scenario);
    ASSERT_TRUE(spec);
    ASSERT_EQ(spec->column_names(),
              (std::vector<std::string>{"attacks.heterogeneity_sigma", "attacks.severity.icu.share", "attacks.severity.mild.share"}));
    double mean[3] = {}, expected_mean[2] = {};
    std::vector<std::vector<double>> drawn;
    for (std::size_t d = 0; d < kDraws; ++d) {
        drawn.push_back(draw_parameters(*spec, d));
        for (int c = 0; c < 3; ++c) {
            mean[c] += drawn.back()[c] / kDraws;
        }
        for (int c = 0; c < 2; ++c) {
            expected_mean[c] += r.values[d][c] / kDraws;
        }
        // The balance keeps the severity shares summing to 1.
        EXPECT_NEAR(drawn.back()[1] + drawn.back()[2], scenario.params.severity[0].share + scenario.params.severity[2].share, 1e-12);
    }
    EXPECT_NEAR(mean[0], expected_mean[0], 1e-12);
    EXPECT_NEAR(mean[1], expected_mean[1], 1e-12);
    auto correlation = [&](auto value) {
        double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
        for (std::size_t d = 0; d < kDraws; ++d) {
            mx += value(d, 0) / kDraws;
            my += value(d, 1) / kDraws;
        }
        for (std::size_t d = 0; d < kDraws; ++d) {
            sxx += (value(d, 0) - mx) * (value(d, 0) - mx);
            syy += (value(d, 1) - my) * (value(d, 1) - my);
            sxy += (value(d, 0) - mx) * (value(d, 1) - my);
        }
        return sxy / std::sqrt(sxx * syy);
    };
    const double psa_rho = correlation([&](std::size_t d, int c) { return drawn[d][c]; });
    const double posterior_rho = correlation([&](std::size_t d, int c) { return r.values[d][c]; });
    EXPECT_NEAR(psa_rho, posterior_rho, 1e-9);
    EXPECT_GT(psa_rho, 0.6);
    // Rows are taken in a shuffled order, and beyond the sample's size they repeat.
    EXPECT_NE(drawn[0][0], r.values[0][0]);
    EXPECT_EQ(draw_parameters(*spec, kDraws), drawn[0]);
    // The EVPPI of the calibrated parameters is one group.
    EXPECT_EQ(spec->evppi_groups.size(), 1u);
    EXPECT_EQ(spec->evppi_groups[0].name, "posterior");
    std::filesystem::remove_all(dir);
}

TEST(Posterior, APsaNamingAMissingOrForeignPosteriorIsRefused)
{
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("sclsim_posterior_bad_{}", ::getpid());
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "not.h5") << "not an HDF5 file";
    }
    for (const char* file : {"missing.h5", "not.h5"}) {
        const Scenario s = load_scenario(builtin_scenario_text() + fmt::format("\n[psa]\ndraws = 10\nposterior = \"{}\"\n", file),
                                         "psa.toml", dir);
        try {
            load_psa_spec(s);
            ADD_FAILURE() << file << " was accepted";
        } catch (const InputError& e) {
            ASSERT_FALSE(e.issues().empty());
            EXPECT_NE(e.issues().front().key.find("posterior"), std::string::npos) << e.issues().front().to_string();
        }
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace scls
