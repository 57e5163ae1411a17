// The [psa] section: distributions by native parameters and by mean and SD,
// draws keyed by (seed, k), correlation through the copula, the shipped PSA
// scenario, and clear errors for bad distributions.
#include "host/psa/psa.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "host/psa/parameter_sets.hpp"
#include "tests/support/test_paths.hpp"

namespace scls {
namespace {

// The base scenario with a [psa] section appended.
Scenario with_psa(const std::string& psa_text)
{
    return load_scenario(builtin_scenario_text() + "\n" + psa_text, "psa_test.toml", test::kSourceDir + "/scenarios");
}

std::string errors_of(const std::string& psa_text)
{
    try {
        load_psa_spec(with_psa(psa_text));
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

struct Moments {
    double mean = 0.0, sd = 0.0;
};
Moments moments_of(const PsaSpec& spec, int column, int draws)
{
    std::vector<double> x;
    for (int k = 0; k < draws; ++k) {
        x.push_back(draw_parameters(spec, k)[column]);
    }
    Moments m;
    m.mean = std::accumulate(x.begin(), x.end(), 0.0) / draws;
    for (double v : x) {
        m.sd += (v - m.mean) * (v - m.mean);
    }
    m.sd = std::sqrt(m.sd / (draws - 1));
    return m;
}

const char* const kSpec = R"(
[psa]
draws = 50
seed = 99
[[psa.parameters]]
path = "attacks.rate_per_year"
distribution = "gamma"
mean = 1.3
sd = 0.4
[[psa.parameters]]
path = "attacks.severity.icu.death_probability"
distribution = "beta"
mean = 0.2
sd = 0.05
[[psa.parameters]]
path = "costs.icu_day"
distribution = "lognormal"
mean = 9000.0
sd = 2000.0
[[psa.parameters]]
path = "costs.ward_day"
distribution = "truncated_normal"
mean = 2900.0
sd = 1500.0
lower = 1000.0
[[psa.parameters]]
name = "severity mix"
paths = ["attacks.severity.mild.share", "attacks.severity.ward.share", "attacks.severity.icu.share"]
distribution = "dirichlet"
alpha = [40.0, 40.0, 20.0]
[[psa.parameters]]
path = "population.mgus_share"
distribution = "uniform"
lower = 0.8
upper = 0.9
[[psa.parameters]]
path = "myeloma.cost_per_year"
distribution = "normal"
mean = 60000.0
sd = 5000.0
[[psa.correlations]]
parameters = ["costs.icu_day", "myeloma.cost_per_year"]
correlation = 0.8
[[psa.evppi]]
name = "costs"
parameters = ["costs.icu_day", "costs.ward_day"]
)";

TEST(Psa, DistributionsMatchTheirMeansAndSds)
{
    const PsaSpec spec = *load_psa_spec(with_psa(kSpec));
    ASSERT_EQ(spec.columns(), 9);
    constexpr int kDraws = 20000;
    const Moments gamma = moments_of(spec, 0, kDraws);
    EXPECT_NEAR(gamma.mean, 1.3, 0.01);
    EXPECT_NEAR(gamma.sd, 0.4, 0.01);
    const Moments beta = moments_of(spec, 1, kDraws);
    EXPECT_NEAR(beta.mean, 0.2, 0.002);
    EXPECT_NEAR(beta.sd, 0.05, 0.002);
    const Moments lognormal = moments_of(spec, 2, kDraws);
    EXPECT_NEAR(lognormal.mean, 9000.0, 60.0);
    EXPECT_NEAR(lognormal.sd, 2000.0, 60.0);
    const Moments truncated = moments_of(spec, 3, kDraws);
    EXPECT_NEAR(truncated.mean, spec.parameters[3].distribution.mean(), 30.0);
    EXPECT_GT(spec.parameters[3].distribution.mean(), 2900.0);  // truncation from below raises the mean
    const Moments uniform = moments_of(spec, 7, kDraws);
    EXPECT_NEAR(uniform.mean, 0.85, 0.002);
    EXPECT_NEAR(uniform.sd, 0.1 / std::sqrt(12.0), 0.002);
    const Moments icu_share = moments_of(spec, 6, kDraws);
    EXPECT_NEAR(icu_share.mean, 0.2, 0.002);
    EXPECT_NEAR(icu_share.sd, std::sqrt(0.2 * 0.8 / 101.0), 0.002);
    for (int k = 0; k < 100; ++k) {
        const auto v = draw_parameters(spec, k);
        EXPECT_NEAR(v[4] + v[5] + v[6], 1.0, 1e-12);
        EXPECT_GE(v[3], 1000.0);
    }
}

// Calibration priors use each distribution's CDF and density: the CDF
// inverts the quantile, and the density integrates (trapezoid rule between
// two quantiles) to the probability between them.
TEST(Psa, DistributionCdfsAndDensitiesAgreeWithTheirQuantiles)
{
    const PsaSpec spec = *load_psa_spec(with_psa(kSpec));
    for (int index : {0, 1, 2, 3, 5, 6}) {  // every scalar kind (4 is the Dirichlet)
        const Distribution& d = spec.parameters[index].distribution;
        for (double u : {0.01, 0.2, 0.5, 0.9, 0.99}) {
            EXPECT_NEAR(d.cdf(d.quantile(u)), u, 1e-9) << d.describe() << " at " << u;
        }
        const double from = d.quantile(0.1), to = d.quantile(0.8);
        constexpr int kSteps = 4000;
        double integral = 0.0;
        for (int k = 0; k < kSteps; ++k) {
            const double a = from + (to - from) * k / kSteps, b = from + (to - from) * (k + 1) / kSteps;
            integral += 0.5 * (std::exp(d.log_density(a)) + std::exp(d.log_density(b))) * (b - a);
        }
        EXPECT_NEAR(integral, 0.7, 1e-5) << d.describe();
    }
    EXPECT_EQ(spec.parameters[1].distribution.log_density(1.5), -INFINITY);  // a beta outside (0, 1)
}

TEST(Psa, CorrelationGroupsCorrelateTheDraws)
{
    const PsaSpec spec = *load_psa_spec(with_psa(kSpec));
    constexpr int kDraws = 20000;
    std::vector<double> a, b;
    for (int k = 0; k < kDraws; ++k) {
        const auto v = draw_parameters(spec, k);
        a.push_back(std::log(v[2]));  // lognormal: its log is the normal score's image
        b.push_back(v[8]);
    }
    const double ma = std::accumulate(a.begin(), a.end(), 0.0) / kDraws, mb = std::accumulate(b.begin(), b.end(), 0.0) / kDraws;
    double sab = 0, saa = 0, sbb = 0;
    for (int k = 0; k < kDraws; ++k) {
        sab += (a[k] - ma) * (b[k] - mb);
        saa += (a[k] - ma) * (a[k] - ma);
        sbb += (b[k] - mb) * (b[k] - mb);
    }
    EXPECT_NEAR(sab / std::sqrt(saa * sbb), 0.8, 0.01);
}

TEST(Psa, DrawKIsTheSameWhateverTheNumberOfDraws)
{
    const Scenario small = with_psa(kSpec);
    const Scenario large = load_scenario(builtin_scenario_text() + "\n" + kSpec, "psa_test.toml", test::kSourceDir + "/scenarios",
                                         {{"psa.draws", "5000"}});
    const ParameterSets a = psa_parameter_sets(*load_psa_spec(small));
    const ParameterSets b = psa_parameter_sets(*load_psa_spec(large));
    ASSERT_EQ(a.size(), 51u);
    ASSERT_EQ(b.size(), 5001u);
    for (std::size_t set = 0; set < a.size(); ++set) {
        for (std::size_t c = 0; c < a.columns(); ++c) {
            EXPECT_EQ(a.value(set, c), b.value(set, c)) << "set " << set << " column " << c;
        }
    }
    // Set 0 is the base case: the scenario's own values.
    EXPECT_EQ(a.value(0, 0), small.params.attack_rate_per_year);
    EXPECT_EQ(a.draw[0], -1);
    EXPECT_EQ(a.draw[7], 6);
    // Another seed gives other draws.
    const Scenario reseeded = load_scenario(builtin_scenario_text() + "\n" + kSpec, "psa_test.toml", test::kSourceDir + "/scenarios",
                                            {{"psa.seed", "100"}});
    EXPECT_NE(draw_parameters(*load_psa_spec(reseeded), 0)[0], draw_parameters(*load_psa_spec(small), 0)[0]);
}

TEST(Psa, EvppiGroupsAreEverySingleParameterThenTheNamedGroups)
{
    const PsaSpec spec = *load_psa_spec(with_psa(kSpec));
    ASSERT_EQ(spec.evppi_groups.size(), 8u);
    EXPECT_EQ(spec.evppi_groups[4].name, "severity mix");
    EXPECT_EQ(spec.evppi_groups.back().name, "costs");
    EXPECT_EQ(spec.evppi_groups.back().members, (std::vector<int>{2, 3}));
}

TEST(Psa, ShippedPsaScenarioLoadsAndEveryDrawResolves)
{
    const Scenario scenario = load_scenario_file(test::kSourceDir + "/scenarios/scls_psa.toml");
    const PsaSpec spec = *load_psa_spec(scenario);
    EXPECT_EQ(spec.draws, 1000u);
    EXPECT_GE(spec.parameters.size(), 20u);
    ParameterSets sets = psa_parameter_sets(spec);
    const std::vector<ModelParams> params = resolve_parameter_sets(scenario, sets);
    ASSERT_EQ(params.size(), 1001u);
    // The extending file changed only what it states.
    const Scenario base = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".");
    EXPECT_EQ(scenario.patients, 10000u);
    EXPECT_EQ(scenario.params.attack_rate_per_year, base.params.attack_rate_per_year);
    EXPECT_EQ(scenario.strategy_names, base.strategy_names);
}

TEST(Psa, BadDistributionsAreRefusedWithTheKeyAndARemedy)
{
    struct Case {
        const char* entry;
        const char* expected;
    };
    const Case cases[] = {
        {"path = \"attacks.rate_per_year\"\ndistribution = \"gamma\"\nmean = -1.0\nsd = 0.2", "attacks.rate_per_year"},
        {"path = \"attacks.severity.icu.death_probability\"\ndistribution = \"beta\"\nmean = 0.5\nsd = 0.6",
         "sd below sqrt(mean(1-mean))"},
        {"path = \"attacks.severity.icu.death_probability\"\ndistribution = \"beta\"\nmean = 1.2\nsd = 0.1", "strictly between 0 and 1"},
        {"path = \"attacks.rate_per_year\"\ndistribution = \"weibull\"\nmean = 1.0\nsd = 0.2", "not a supported distribution"},
        {"path = \"attacks.rate_per_year\"\ndistribution = \"gamma\"\nshape = 2.0\nmean = 1.0", "one form only"},
        {"path = \"attacks.rate_per_year\"\ndistribution = \"gamma\"", "has no parameters"},
        {"path = \"attacks.rate_per_year\"\ndistribution = \"gamma\"\nshape = 2.0", "exactly one of scale and rate"},
        {"path = \"attacks.rate_per_year\"\ndistribution = \"uniform\"\nlower = 2.0\nupper = 1.0", "make lower < upper"},
        {"path = \"attacks.rate_per_year\"\ndistribution = \"truncated_normal\"\nmean = 1.0\nsd = 0.1", "without bounds"},
        {"path = \"attacks.rate_per_year\"\ndistribution = \"truncated_normal\"\nmean = 1.0\nsd = 0.01\nlower = 5.0\nupper = 6.0",
         "far in a tail"},
        {"paths = [\"attacks.severity.mild.share\", \"attacks.severity.ward.share\"]\ndistribution = \"dirichlet\"\nalpha = [1.0]",
         "one per share"},
        {"paths = [\"attacks.severity.mild.share\", \"attacks.severity.ward.share\"]\ndistribution = \"dirichlet\"\nalpha = [1.0, -2.0]",
         "Dirichlet parameters are positive"},
        {"paths = [\"attacks.severity.mild.share\", \"attacks.severity.ward.share\"]\ndistribution = \"dirichlet\"\nmean = [0.5, 0.6]\n"
         "concentration = 10.0",
         "sums to 1.1"},
        {"path = \"attacks.no_such_key\"\ndistribution = \"fixed\"\nvalue = 1.0", "no key attacks.no_such_key"},
        {"path = \"simulation.patients\"\ndistribution = \"fixed\"\nvalue = 1.0", "a run setting, not a model parameter"},
        {"path = \"attacks.heterogeneity\"\ndistribution = \"fixed\"\nvalue = 1.0", "only numbers can be uncertain"},
        {"path = \"attacks.rate_per_year\"\ndistribution = \"gamma\"\nmean = 1.0\nsd = 0.2\nsdd = 3", "unknown key"},
    };
    for (const Case& c : cases) {
        const std::string text = fmt::format("[psa]\ndraws = 10\n[[psa.parameters]]\n{}\n", c.entry);
        const std::string errors = errors_of(text);
        EXPECT_NE(errors.find(c.expected), std::string::npos) << "entry:\n" << c.entry << "\nerrors:\n" << errors;
        EXPECT_NE(errors.find("psa_test.toml"), std::string::npos) << errors;
        EXPECT_NE(errors.find(" — "), std::string::npos) << "no remedy in: " << errors;
    }
}

TEST(Psa, BadCorrelationsAreRefused)
{
    const std::string two = R"(
[psa]
draws = 10
[[psa.parameters]]
path = "costs.icu_day"
distribution = "gamma"
mean = 9000.0
sd = 2000.0
[[psa.parameters]]
path = "costs.ward_day"
distribution = "gamma"
mean = 2900.0
sd = 700.0
[[psa.parameters]]
path = "attacks.rate_per_year"
distribution = "gamma"
mean = 1.3
sd = 0.4
)";
    EXPECT_NE(errors_of(two + "[[psa.correlations]]\nparameters = [\"costs.icu_day\", \"costs.ward_day\"]\ncorrelation = 1.5\n")
                  .find("entries in [-1, 1]"),
              std::string::npos);
    EXPECT_NE(errors_of(two + "[[psa.correlations]]\nparameters = [\"costs.icu_day\", \"nothing\"]\ncorrelation = 0.5\n")
                  .find("not a [[psa.parameters]] name"),
              std::string::npos);
    const std::string not_positive_definite = two + R"([[psa.correlations]]
parameters = ["costs.icu_day", "costs.ward_day", "attacks.rate_per_year"]
matrix = [[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]]
)";
    EXPECT_NE(errors_of(not_positive_definite).find("not positive definite"), std::string::npos);
}

TEST(Psa, ADrawOutsideTheModelsBoundsNamesTheSetAndKey)
{
    // A normal on a probability can leave [0, 1]; the set that does is named.
    const Scenario scenario = with_psa(R"(
[psa]
draws = 200
[[psa.parameters]]
path = "attacks.severity.icu.death_probability"
distribution = "normal"
mean = 0.2
sd = 0.5
)");
    const ParameterSets sets = psa_parameter_sets(*load_psa_spec(scenario));
    try {
        resolve_parameter_sets(scenario, sets);
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("attacks.severity.icu.death_probability"), std::string::npos) << what;
        EXPECT_EQ(what.find("parameter set "), 0u) << what;  // where the value came from, first
        EXPECT_NE(what.find("choose a distribution or range inside the parameter's bounds"), std::string::npos) << what;
    }
}

TEST(Extends, AScenarioExtendingAMissingFileIsRefused)
{
    try {
        load_scenario("extends = \"no_such_base.toml\"\n", "child.toml", test::kSourceDir + "/scenarios");
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("child.toml:1: extends"), std::string::npos) << e.what();
    }
}


TEST(PsaDraws, EveryDrawOfTheShippedPsaIsARealDraw)
{
    // GSL's beta inverse returned NaN for 164 of 1000 draws here (a beta by
    // moments with mean 0.0032), and NaN used to mean "the scenario's value".
    const Scenario scenario = load_scenario_file(test::kSourceDir + "/scenarios/scls_psa.toml");
    const PsaSpec spec = *load_psa_spec(scenario);
    for (std::uint32_t k = 0; k < 1000; ++k) {
        const std::vector<double> values = draw_parameters(spec, k);
        for (std::size_t c = 0; c < values.size(); ++c) {
            ASSERT_TRUE(std::isfinite(values[c])) << "draw " << k << ", " << spec.column_names()[c];
        }
    }
}

TEST(PsaDraws, SmallMeansAndSmallShapesAreDrawnAcrossTheirRange)
{
    const PsaSpec spec = *load_psa_spec(with_psa(R"(
[psa]
draws = 10
[[psa.parameters]]
path = "attacks.severity.ward.death_probability"
distribution = "beta"
alpha = 2.0
beta = 200.0
[[psa.parameters]]
path = "attacks.severity.icu.death_probability"
distribution = "beta"
mean = 0.0032
sd = 0.0016
[[psa.parameters]]
path = "myeloma.progression_rate_per_year"
distribution = "gamma"
shape = 0.05
scale = 0.1
)"));
    const Moments small_beta = moments_of(spec, 0, 20000);
    EXPECT_NEAR(small_beta.mean, 2.0 / 202.0, 0.0002);  // beta(2, 200): every draw counts, none is NaN
    const Moments by_moments = moments_of(spec, 1, 20000);
    EXPECT_NEAR(by_moments.mean, 0.0032, 0.00005);
    EXPECT_NEAR(by_moments.sd, 0.0016, 0.00005);
    const Moments small_shape = moments_of(spec, 2, 20000);
    EXPECT_NEAR(small_shape.mean, 0.005, 0.0005);
}

TEST(PsaDraws, DegenerateDistributionsAreRefusedAtOnce)
{
    // sd = 1e-200 gave alpha = beta = inf, on which GSL's inverse never returned.
    EXPECT_NE(errors_of(R"(
[psa]
draws = 10
[[psa.parameters]]
path = "attacks.severity.icu.death_probability"
distribution = "beta"
mean = 0.2
sd = 1e-200
)").find("gives alpha = inf"), std::string::npos);
    EXPECT_NE(errors_of(R"(
[psa]
draws = 10
[[psa.parameters]]
path = "attacks.rate_per_year"
distribution = "gamma"
shape = 1e-9
scale = 1.0
)").find("shapes must lie in"), std::string::npos);
    EXPECT_NE(errors_of(R"(
[psa]
draws = 10
[[psa.parameters]]
path = "costs.icu_day"
distribution = "lognormal"
meanlog = 1000.0
sdlog = 1.0
)").find("costs.icu_day"), std::string::npos);
}

TEST(PsaDraws, ACorrelationNamingARefusedEntryIsSafe)
{
    // The refused entry's name used to map one past the end of the parameters.
    const std::string errors = errors_of(R"(
[psa]
draws = 10
[[psa.parameters]]
name = "broken"
path = "attacks.rate_per_year"
distribution = "gamma"
mean = -1.0
sd = 0.2
[[psa.parameters]]
path = "costs.icu_day"
distribution = "lognormal"
mean = 9000.0
sd = 2000.0
[[psa.correlations]]
parameters = ["broken", "costs.icu_day"]
correlation = 0.5
[[psa.evppi]]
name = "group"
parameters = ["broken", "costs.icu_day"]
)");
    EXPECT_NE(errors.find("psa.parameters.broken.mean"), std::string::npos) << errors;
    EXPECT_EQ(errors.find("not a [[psa.parameters]] name"), std::string::npos) << errors;
}

TEST(PsaDraws, RunSettingsCannotBeUncertain)
{
    EXPECT_NE(errors_of(R"(
[psa]
draws = 10
[[psa.parameters]]
path = "simulation.seed"
distribution = "uniform"
lower = 1.0
upper = 9.0
)").find("a run setting"), std::string::npos);
}

}  // namespace
}  // namespace scls
