// CEA maths on hand-computed cases: strong and extended dominance, ties,
// frontier ICERs; CEAC sums to 1; EVPI is 0 without uncertainty and never
// negative; EVPPI is 0 for an irrelevant input and reaches the EVPI for the
// input that decides everything.
#include "host/cea/cea.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace scls {
namespace {

const IncrementalRow& row_of(const std::vector<IncrementalRow>& rows, int strategy)
{
    for (const auto& r : rows) {
        if (r.strategy == strategy) {
            return r;
        }
    }
    throw std::logic_error("no such strategy");
}

TEST(IncrementalTable, StrongAndExtendedDominanceByHand)
{
    // A: 1000, 1.0   B: 3000, 1.5   C: 4000, 1.4 (dominated by B)
    // D: 9000, 2.0   E: 5000, 1.6 (ICER vs B 20000; D vs E 10000: E extendedly dominated)
    const std::vector<double> cost = {1000, 3000, 4000, 9000, 5000};
    const std::vector<double> effect = {1.0, 1.5, 1.4, 2.0, 1.6};
    const auto rows = incremental_table(cost, effect);
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[0].strategy, 0);  // cost order
    EXPECT_EQ(rows[4].strategy, 3);

    EXPECT_EQ(row_of(rows, 0).status, FrontierStatus::frontier);
    EXPECT_TRUE(std::isnan(row_of(rows, 0).icer));
    EXPECT_EQ(row_of(rows, 1).status, FrontierStatus::frontier);
    EXPECT_EQ(row_of(rows, 1).versus, 0);
    EXPECT_DOUBLE_EQ(row_of(rows, 1).icer, 2000.0 / 0.5);

    EXPECT_EQ(row_of(rows, 2).status, FrontierStatus::dominated);
    EXPECT_EQ(row_of(rows, 2).versus, 1);
    EXPECT_TRUE(std::isnan(row_of(rows, 2).icer));

    EXPECT_EQ(row_of(rows, 4).status, FrontierStatus::extendedly_dominated);
    EXPECT_EQ(row_of(rows, 4).versus, 1);
    EXPECT_EQ(row_of(rows, 4).versus_next, 3);

    // D is compared with B once E is gone: (9000-3000)/(2.0-1.5).
    EXPECT_EQ(row_of(rows, 3).status, FrontierStatus::frontier);
    EXPECT_EQ(row_of(rows, 3).versus, 1);
    EXPECT_NEAR(row_of(rows, 3).icer, 12000.0, 1e-9);
}

TEST(IncrementalTable, ExtendedDominanceCascades)
{
    // Removing B makes C extendedly dominated too: ICERs 10, 5 -> B out;
    // then A->C 7.5 and C->D 4 -> C out; frontier A, D.
    const std::vector<double> cost = {0, 10, 15, 19};
    const std::vector<double> effect = {0, 1, 2, 3};
    const auto rows = incremental_table(cost, effect);
    EXPECT_EQ(row_of(rows, 1).status, FrontierStatus::extendedly_dominated);
    EXPECT_EQ(row_of(rows, 2).status, FrontierStatus::extendedly_dominated);
    EXPECT_EQ(row_of(rows, 3).status, FrontierStatus::frontier);
    EXPECT_EQ(row_of(rows, 3).versus, 0);
    EXPECT_NEAR(row_of(rows, 3).icer, 19.0 / 3.0, 1e-12);
}

TEST(IncrementalTable, TiesAndEqualIcers)
{
    // Identical strategies: the first listed stays, the other is dominated by it.
    // Equal cost, lower effect: dominated. Collinear ICERs: nobody is extendedly dominated.
    const std::vector<double> cost = {100, 100, 200, 200, 300};
    const std::vector<double> effect = {1.0, 1.0, 2.0, 1.5, 3.0};
    const auto rows = incremental_table(cost, effect);
    EXPECT_EQ(row_of(rows, 0).status, FrontierStatus::frontier);
    EXPECT_EQ(row_of(rows, 1).status, FrontierStatus::dominated);
    EXPECT_EQ(row_of(rows, 1).versus, 0);
    EXPECT_EQ(row_of(rows, 3).status, FrontierStatus::dominated);
    EXPECT_EQ(row_of(rows, 3).versus, 2);
    EXPECT_EQ(row_of(rows, 2).status, FrontierStatus::frontier);
    EXPECT_EQ(row_of(rows, 4).status, FrontierStatus::frontier);
    EXPECT_DOUBLE_EQ(row_of(rows, 2).icer, 100.0);
    EXPECT_DOUBLE_EQ(row_of(rows, 4).icer, 100.0);
}

TEST(IncrementalTable, CheaperAndBetterDominatesEverything)
{
    const auto rows = incremental_table({500, 100, 300}, {1.0, 2.0, 1.5});
    EXPECT_EQ(rows[0].strategy, 1);
    EXPECT_EQ(rows[0].status, FrontierStatus::frontier);
    EXPECT_EQ(row_of(rows, 0).status, FrontierStatus::dominated);
    EXPECT_EQ(row_of(rows, 2).status, FrontierStatus::dominated);
}

TEST(OptimalStrategy, FollowsTheFrontierAsWtpGrows)
{
    const std::vector<double> cost = {1000, 3000, 9000};
    const std::vector<double> effect = {1.0, 1.5, 2.0};
    EXPECT_EQ(optimal_strategy(cost, effect, 0.0), 0);
    EXPECT_EQ(optimal_strategy(cost, effect, 3999.0), 0);
    EXPECT_EQ(optimal_strategy(cost, effect, 4001.0), 1);
    EXPECT_EQ(optimal_strategy(cost, effect, 12001.0), 2);
    EXPECT_EQ(optimal_strategy({5, 5}, {1, 1}, 10.0), 0);  // exact tie: the first listed
}

PsaOutcomes random_outcomes(int draws, int strategies, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    PsaOutcomes o;
    o.draws = draws;
    o.strategies = strategies;
    for (int d = 0; d < draws; ++d) {
        for (int s = 0; s < strategies; ++s) {
            o.cost.push_back(1000.0 * s + 800.0 * noise(rng));
            o.effect.push_back(1.0 + 0.05 * s + 0.08 * noise(rng));
        }
    }
    return o;
}

TEST(PsaCurves, CeacSumsToOneWithManyStrategiesAndEvpiIsNotNegative)
{
    const PsaOutcomes o = random_outcomes(500, 4, 7);
    std::vector<double> wtp;
    for (int w = 0; w <= 100; ++w) {
        wtp.push_back(1000.0 * w);
    }
    const PsaCurves c = psa_curves(o, wtp);
    for (std::size_t w = 0; w < wtp.size(); ++w) {
        double sum = 0.0;
        for (int s = 0; s < 4; ++s) {
            sum += c.ceac[w * 4 + s];
            EXPECT_GE(c.ceac[w * 4 + s], 0.0);
        }
        EXPECT_NEAR(sum, 1.0, 1e-12) << "wtp " << wtp[w];
        EXPECT_GE(c.evpi[w], 0.0);
        EXPECT_DOUBLE_EQ(c.ceaf_probability[w], c.ceac[w * 4 + c.ceaf_strategy[w]]);
    }
    // Some wtp in the range has real decision uncertainty.
    EXPECT_GT(*std::max_element(c.evpi.begin(), c.evpi.end()), 0.0);
}

TEST(PsaCurves, EvpiByHand)
{
    // Two draws, two strategies, wtp 0: NMB = -cost. Draw 1: A -10, B -20;
    // draw 2: A -30, B -10. E[max] = (-10 - 10)/2 = -10; max E = max(-20, -15) = -15.
    PsaOutcomes o;
    o.draws = 2;
    o.strategies = 2;
    o.cost = {10, 20, 30, 10};
    o.effect = {0, 0, 0, 0};
    const PsaCurves c = psa_curves(o, {0.0});
    EXPECT_DOUBLE_EQ(c.evpi[0], 5.0);
    EXPECT_EQ(c.ceaf_strategy[0], 1);
    EXPECT_DOUBLE_EQ(c.ceac[0], 0.5);
}

TEST(PsaCurves, EvpiIsZeroWithoutUncertainty)
{
    PsaOutcomes o;
    o.draws = 200;
    o.strategies = 3;
    for (int d = 0; d < o.draws; ++d) {
        o.cost.insert(o.cost.end(), {100.0, 500.0, 2000.0});
        o.effect.insert(o.effect.end(), {1.0, 1.02, 1.05});
    }
    const PsaCurves c = psa_curves(o, {0.0, 20000.0, 50000.0, 1e6});
    for (double v : c.evpi) {
        EXPECT_EQ(v, 0.0);
    }
}

TEST(Evppi, ZeroForAnIrrelevantInputAndEvpiForTheDecisiveOne)
{
    // Strategy 1's incremental QALYs are theta exactly; another input is noise.
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    PsaOutcomes o;
    o.draws = 1000;
    o.strategies = 2;
    std::vector<double> theta, irrelevant;
    for (int d = 0; d < o.draws; ++d) {
        theta.push_back(uniform(rng));
        irrelevant.push_back(uniform(rng));
        o.cost.insert(o.cost.end(), {0.0, 0.0});
        o.effect.insert(o.effect.end(), {0.0, theta.back()});
    }
    const std::vector<double> wtp = {1.0};
    const PsaCurves c = psa_curves(o, wtp);
    const EvppiFit decisive = evppi_regression(theta, 1, o, wtp);
    EXPECT_NEAR(decisive.evppi[0], c.evpi[0], 0.01 * c.evpi[0]);
    EXPECT_GT(decisive.r_squared[0], 0.999);
    // Regression EVPPI is biased upwards by overfit noise, by about
    // sqrt(basis / draws) x SD(INMB) x 0.4 (here ~0.02 against an EVPI of 0.25).
    const EvppiFit noise = evppi_regression(irrelevant, 1, o, wtp);
    EXPECT_LT(noise.evppi[0], 0.12 * c.evpi[0]);

    // A group holding the decisive input learns as much as the input alone.
    std::vector<double> pair;
    for (int d = 0; d < o.draws; ++d) {
        pair.insert(pair.end(), {theta[d], irrelevant[d]});
    }
    EXPECT_NEAR(evppi_regression(pair, 2, o, wtp).evppi[0], c.evpi[0], 0.02 * c.evpi[0]);

    // An input that never varies carries no information.
    const EvppiFit fixed = evppi_regression(std::vector<double>(o.draws, 0.3), 1, o, wtp);
    EXPECT_EQ(fixed.evppi[0], 0.0);
    EXPECT_EQ(fixed.basis_functions, 0);
}

TEST(PopulationMultiplier, DiscountsContinuously)
{
    EXPECT_DOUBLE_EQ(population_multiplier(100.0, 10.0, 0.0), 1000.0);
    const double r = std::log(1.03);
    EXPECT_NEAR(population_multiplier(100.0, 10.0, 0.03), 100.0 * (1.0 - std::exp(-r * 10.0)) / r, 1e-9);
}

}  // namespace
}  // namespace scls
