// Parameter sets for sweeps: a sweep point at the base value reproduces the
// base case exactly (same patients, same parameters); grids are laid out as
// documented; bad grid axes and ranges are refused.
#include "host/psa/parameter_sets.hpp"

#include <gtest/gtest.h>

#include "host/engine/engine.hpp"
#include "host/engine/summary.hpp"
#include "tests/support/test_paths.hpp"

namespace scls {
namespace {

Scenario small_base(const std::string& extra = "")
{
    // The attack rate pinned at 1.3 a year, whatever the calibrated base value.
    return load_scenario(builtin_scenario_text() + "\n" + extra, "sweep_test.toml", ".",
                         {{"simulation.patients", "3000"}, {"attacks.rate_per_year", "1.3"}});
}

std::vector<std::vector<StrategySummary>> run_sets(const Scenario& scenario, const ParameterSets& sets)
{
    RunOptions options;
    options.backend = BackendChoice::cpu;
    const RunResult result =
        run_simulation(scenario, resolve_parameter_sets(scenario, sets), options, sets.patients == PatientSampling::same);
    std::vector<std::vector<StrategySummary>> summaries;
    for (std::uint32_t s = 0; s < result.geometry.parameter_sets; ++s) {
        summaries.push_back(summarize(scenario, result, s));
    }
    return summaries;
}

TEST(Sweep, APointAtTheBaseValueReproducesTheBaseCase)
{
    const Scenario scenario = small_base(R"(
[[sweep.parameters]]
path = "attacks.rate_per_year"
low = 1.3
high = 2.6
[[sweep.parameters]]
path = "regimens.ivig_2g.price_per_gram"
low = 50.0
high = 100.0
)");
    const ParameterSets sets = one_way_parameter_sets(load_one_way_ranges(scenario, std::nullopt));
    ASSERT_EQ(sets.size(), 5u);
    EXPECT_EQ(sets.one_way[0].low_set, 1u);
    EXPECT_EQ(sets.one_way[1].high_set, 4u);
    const auto summaries = run_sets(scenario, sets);

    // The plain run of the scenario: one set, as sclsim run does it.
    RunOptions options;
    options.backend = BackendChoice::cpu;
    const RunResult plain = run_simulation(scenario, {scenario.params}, options);
    const auto base = summarize(scenario, plain, 0);

    for (std::size_t set : {std::size_t{0}, sets.one_way[0].low_set, sets.one_way[1].high_set}) {
        for (std::size_t s = 0; s < base.size(); ++s) {
            EXPECT_EQ(summaries[set][s].cost_total.mean, base[s].cost_total.mean) << "set " << set << " strategy " << s;
            EXPECT_EQ(summaries[set][s].qalys.mean, base[s].qalys.mean) << "set " << set;
            EXPECT_EQ(summaries[set][s].total_attacks(), base[s].total_attacks()) << "set " << set;
        }
    }
    // The other points do move: a higher attack rate means more attacks.
    EXPECT_GT(summaries[sets.one_way[0].high_set][0].total_attacks(), base[0].total_attacks());
    // A cheaper IVIG lowers the IVIG strategy's cost and leaves no prophylaxis alone.
    EXPECT_LT(summaries[sets.one_way[1].low_set][1].cost_total.mean, base[1].cost_total.mean);
    EXPECT_EQ(summaries[sets.one_way[1].low_set][0].cost_total.mean, base[0].cost_total.mean);
}

TEST(Sweep, OneWayRangesFallBackOnThePsaQuantiles)
{
    const Scenario scenario = small_base(R"(
[psa]
draws = 10
[[psa.parameters]]
path = "attacks.rate_per_year"
distribution = "uniform"
lower = 1.0
upper = 2.0
)");
    const auto ranges = load_one_way_ranges(scenario, load_psa_spec(scenario));
    ASSERT_EQ(ranges.size(), 1u);
    EXPECT_DOUBLE_EQ(ranges[0].low[0], 1.025);
    EXPECT_DOUBLE_EQ(ranges[0].high[0], 1.975);
    EXPECT_DOUBLE_EQ(ranges[0].base[0], 1.3);
    EXPECT_THROW(load_one_way_ranges(small_base(), std::nullopt), InputError);
}

TEST(Sweep, SharedValuesAndMixesHaveOneWayRangesToo)
{
    // A price shared by two regimens moves at both keys; a Dirichlet share
    // moves with the other shares rescaled so the mix still sums to 1.
    const Scenario scenario = small_base(R"(
[psa]
draws = 10
[[psa.parameters]]
name = "IVIG price"
paths = ["regimens.ivig_2g.price_per_gram", "regimens.ivig_1g.price_per_gram"]
distribution = "uniform"
lower = 50.0
upper = 150.0
[[psa.parameters]]
name = "severity mix"
paths = ["attacks.severity.mild.share", "attacks.severity.ward.share", "attacks.severity.icu.share"]
distribution = "dirichlet"
alpha = [40.0, 40.0, 20.0]
)");
    const auto ranges = load_one_way_ranges(scenario, load_psa_spec(scenario));
    ASSERT_EQ(ranges.size(), 4u);  // the price, and each of the three shares
    EXPECT_EQ(ranges[0].name, "IVIG price");
    EXPECT_EQ(ranges[0].low, (std::vector<double>{52.5, 52.5}));
    for (std::size_t i = 1; i < 4; ++i) {
        for (const auto* values : {&ranges[i].low, &ranges[i].high}) {
            EXPECT_NEAR((*values)[0] + (*values)[1] + (*values)[2], 1.0, 1e-12) << ranges[i].name;
        }
        EXPECT_LT(ranges[i].low[ranges[i].primary], ranges[i].base[ranges[i].primary]);
        EXPECT_GT(ranges[i].high[ranges[i].primary], ranges[i].base[ranges[i].primary]);
    }
    const ParameterSets sets = one_way_parameter_sets(ranges);
    EXPECT_EQ(sets.columns(), 5u);
    const auto params = resolve_parameter_sets(scenario, sets);
    EXPECT_DOUBLE_EQ(params[sets.one_way[0].low_set].regimen[1].drug_cost_per_kg_year / params[0].regimen[1].drug_cost_per_kg_year, 0.525);
    EXPECT_DOUBLE_EQ(params[sets.one_way[0].low_set].regimen[2].drug_cost_per_kg_year / params[0].regimen[2].drug_cost_per_kg_year, 0.525);
}

TEST(Sweep, GridAxesMoveSeveralKeysTogether)
{
    const Scenario scenario = small_base();
    const GridAxis price = parse_grid_axis("regimens.ivig_2g.price_per_gram,regimens.ivig_1g.price_per_gram=50,80", scenario);
    EXPECT_EQ(price.name(), "regimens.ivig_2g.price_per_gram,regimens.ivig_1g.price_per_gram");
    const ParameterSets sets = grid_parameter_sets({price});
    ASSERT_EQ(sets.size(), 3u);
    EXPECT_EQ(sets.columns(), 2u);
    EXPECT_EQ(sets.value(2, 0), 80.0);
    EXPECT_EQ(sets.value(2, 1), 80.0);
}

TEST(Sweep, GridsAreLaidOutLastAxisFastest)
{
    const Scenario scenario = small_base();
    const GridAxis price = parse_grid_axis("regimens.ivig_2g.price_per_gram=50:150:3", scenario);
    const GridAxis rate = parse_grid_axis("attacks.rate_per_year=0.5,1.3", scenario);
    EXPECT_EQ(price.values, (std::vector<double>{50.0, 100.0, 150.0}));
    const ParameterSets sets = grid_parameter_sets({price, rate});
    ASSERT_EQ(sets.size(), 7u);
    // Set 0, the base case, holds the scenario's own values (never a NaN stand-in).
    EXPECT_EQ(price.base, (std::vector<double>{100.0}));
    EXPECT_EQ(sets.value(0, 0), price.base[0]);
    EXPECT_EQ(sets.value(0, 1), scenario.params.attack_rate_per_year);
    EXPECT_EQ(sets.value(1 + 1 * 2 + 1, 0), 100.0);
    EXPECT_EQ(sets.value(1 + 1 * 2 + 1, 1), 1.3);
    const auto params = resolve_parameter_sets(scenario, sets);
    EXPECT_EQ(params[4].attack_rate_per_year, 1.3);
    EXPECT_EQ(params[2].attack_rate_per_year, 1.3);
    EXPECT_EQ(params[1].attack_rate_per_year, 0.5);
}

TEST(Sweep, BadGridAxesAndRangesAreRefused)
{
    const Scenario scenario = small_base();
    auto message = [&](const std::string& axis) {
        try {
            parse_grid_axis(axis, scenario);
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(message("attacks.rate_per_year").find("path=from:to:points"), std::string::npos);
    EXPECT_NE(message("attacks.rate_per_year=1:2").find("whole number of points"), std::string::npos);
    EXPECT_NE(message("attacks.rate_per_year=1,x").find("not a number"), std::string::npos);
    EXPECT_NE(message("attacks.nothing=1,2").find("no key attacks.nothing"), std::string::npos);
    EXPECT_NE(message("attacks.heterogeneity=1,2").find("only numeric parameters"), std::string::npos);

    const Scenario bad_range = small_base("[[sweep.parameters]]\npath = \"attacks.rate_per_year\"\nlow = 2.0\nhigh = 1.0\n");
    try {
        load_one_way_ranges(bad_range, std::nullopt);
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("make low < high"), std::string::npos) << e.what();
    }
    // A swept value the model cannot take is refused before anything runs.
    const ParameterSets sets = grid_parameter_sets({parse_grid_axis("attacks.severity.icu.death_probability=0.5,1.5", scenario)});
    EXPECT_THROW(resolve_parameter_sets(scenario, sets), InputError);
}


TEST(Sweep, HugeGridsAndRunSettingsAreRefusedAtOnce)
{
    const Scenario scenario = small_base();
    const GridAxis rate = parse_grid_axis("attacks.rate_per_year=0:1:100000", scenario);
    const GridAxis price = parse_grid_axis("regimens.ivig_2g.price_per_gram=0:1:100000", scenario);
    try {
        grid_parameter_sets({rate, price});
        FAIL() << "a grid of 10^10 points was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("10000000000 points"), std::string::npos) << e.what();
    }
    for (const char* axis : {"simulation.seed=1,2", "simulation.patients=10,20", "cea.wtp_max=1,2"}) {
        try {
            parse_grid_axis(axis, scenario);
            FAIL() << axis << " was accepted";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("run setting"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace scls
