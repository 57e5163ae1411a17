// The accrual of costs, QALYs and life-years written once over lanes: each
// lane of a lifetime's intervals accrues the bits that the one-lane form
// (which the engine's accrue_to runs) gives it, with myeloma starting
// part-way in some lanes, empty intervals left out as the engine leaves them
// out, lanes refilled with another lifetime, and costs and effects
// discounted at one rate or at two.
#include "kernels/model/accrual.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/lane_paths.hpp"

namespace scls {
namespace {

ModelParams accrual_params(double rate_costs, double rate_effects)
{
    ModelParams p{};
    p.discount_rate_costs = rate_costs;
    p.discount_rate_effects = rate_effects;
    p.myeloma_cost_per_year = 41000.0;
    p.myeloma_utility_decrement = 0.12;
    p.utility_age_squared = -2.1e-5;
    return p;
}

const ModelParams kOneRate = accrual_params(0.034401426717332, 0.034401426717332);
const ModelParams kTwoRates = accrual_params(0.034401426717332, 0.014888612493750);

TEST(Accrual, AnIntervalAccruesItsClosedForms)
{
    // One year on a regimen at 2,000 a year plus 500 a year, utility 0.8
    // (0.85 less 0.05), myeloma from the start: against the integrals.
    const ModelParams& p = kTwoRates;
    LifetimeClocks clocks{DiscountClock(p.discount_rate_costs), DiscountClock(p.discount_rate_effects)};
    double life_years = 0.0, discounted = 0.0, qalys = 0.0;
    double cost[kCostCategories] = {};
    const FlowsLanes<1> flows{2000.0, 500.0, 0.85, 0.0, 0.05, true};
    const ModelParams flat = [&] {
        ModelParams q = p;
        q.utility_age_squared = 0.0;
        return q;
    }();
    accrue_interval_lanes<1>(flat, clocks, 0.0, 1.0, true, flows, AccruedLanes<1>{life_years, discounted, qalys, cost});
    const double cost_years = -std::expm1(-p.discount_rate_costs) / p.discount_rate_costs;
    const double effect_years = -std::expm1(-p.discount_rate_effects) / p.discount_rate_effects;
    EXPECT_EQ(life_years, 1.0);
    EXPECT_NEAR(discounted, effect_years, 1e-15);
    EXPECT_NEAR(qalys, (0.85 - 0.05 - 0.12) * effect_years, 1e-15);
    EXPECT_NEAR(cost[static_cast<int>(CostCategory::drug)], 2000.0 * cost_years, 1e-11);
    EXPECT_NEAR(cost[static_cast<int>(CostCategory::administration)], 500.0 * cost_years, 1e-11);
    EXPECT_NEAR(cost[static_cast<int>(CostCategory::myeloma)], 41000.0 * cost_years, 1e-10);
    // Against libm's exp, within 4 ulp (the kernels' exp is their own).
    EXPECT_NEAR(clocks.cost.factor(), std::exp(-p.discount_rate_costs), 4 * 0x1p-53);
    EXPECT_NEAR(clocks.effect.factor(), std::exp(-p.discount_rate_effects), 4 * 0x1p-53);
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

using test::expect_scalar_bits_in_lanes;

// A lifetime of intervals whose lengths and flows x sets, so lanes differ:
// short ones (the series), empty ones, long ones; myeloma from the fourth
// interval where x < 0.4; lanes of x < 0.5 start another lifetime after the
// seventh (a refill: clocks restarted, sums from zero). Lanes pass every
// interval, empty ones not live; the one-lane form skips empty intervals, as
// the engine does. (Marking an empty interval live gives the same bits: the
// mask only spares lanes the series, so these tests cannot see it wrong.)
template <int Output, bool OneRate>
struct LifetimeAccrualInLanes {
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        using L = Lanes<N>;
        using Real = typename L::Real;
        const ModelParams& p = OneRate ? kOneRate : kTwoRates;
        constexpr double kScales[] = {0.0, 0.01, 1.7, 0.0, 3.3, 0.02, 12.0, 0.5, 1e-5, 40.0};
        LifetimeClocksLanes<N> clocks{DiscountClockLanes<N>(p.discount_rate_costs),
                                      DiscountClockLanes<N>(p.discount_rate_effects)};
        Real life_years = x * 0.0, discounted = x * 0.0, qalys = x * 0.0;
        Real cost[kCostCategories];
        for (Real& category : cost) {
            category = x * 0.0;
        }
        Real t = x * 0.0;
        const FlowsLanes<N> healthy{1000.0 + 5000.0 * x, 300.0 * x, 0.85 - 0.1 * x, x * 0.0 - 0.003, 0.02 * x, x < -1.0};
        FlowsLanes<N> flows = healthy;
        for (int i = 0; i < static_cast<int>(std::size(kScales)); ++i) {
            const Real h = x * kScales[i];
            flows.myeloma_active = i >= 3 ? x < 0.4 : healthy.myeloma_active;
            const AccruedLanes<N> sums{life_years, discounted, qalys, cost};
            if constexpr (N == 1) {
                if (h > 0.0) {
                    accrue_interval_lanes<1>(p, clocks, t, h, true, flows, sums);
                }
            } else {
                accrue_interval_lanes<N>(p, clocks, t, h, h > 0.0, flows, sums);
            }
            t = t + h;
            if (i == 6) {
                restart_where(x < 0.5, clocks, t, life_years, discounted, qalys, cost);
            }
        }
        const Real outputs[] = {life_years,
                                discounted,
                                qalys,
                                cost[static_cast<int>(CostCategory::drug)],
                                cost[static_cast<int>(CostCategory::administration)],
                                cost[static_cast<int>(CostCategory::myeloma)],
                                clocks.cost.factor(),
                                clocks.effect.factor()};
        return outputs[Output];
    }
    static double scalar(double x) { return lanes<1>(x); }

    template <int N, class Real, class Mask>
    static SCLS_FORCEINLINE void restart_where(Mask refilled, LifetimeClocksLanes<N>& clocks, Real& t, Real& life_years,
                                               Real& discounted, Real& qalys, Real (&cost)[kCostCategories])
    {
        const auto restart_lane = [&](int lane) {
            clocks.cost.restart(lane);
            clocks.effect.restart(lane);
            const auto zero = [&](Real& sum) {
                if constexpr (N == 1) {
                    sum = 0.0;
                } else {
                    sum[lane] = 0.0;
                }
            };
            for (Real* sum : {&t, &life_years, &discounted, &qalys}) {
                zero(*sum);
            }
            for (Real& category : cost) {
                zero(category);
            }
        };
        if constexpr (N == 1) {
            if (refilled) {
                restart_lane(0);
            }
        } else {
            for (int lane = 0; lane < N; ++lane) {
                if (refilled[lane] != 0) {
                    restart_lane(lane);
                }
            }
        }
    }
};

template <bool OneRate>
void expect_every_output_in_lanes(const std::vector<double>& x)
{
    const char* rates = OneRate ? "one rate" : "two rates";
    const auto named = [&](const char* what) { return std::string(what) + ", " + rates; };
    expect_scalar_bits_in_lanes<LifetimeAccrualInLanes<0, OneRate>>(x, named("life-years").c_str());
    expect_scalar_bits_in_lanes<LifetimeAccrualInLanes<1, OneRate>>(x, named("discounted life-years").c_str());
    expect_scalar_bits_in_lanes<LifetimeAccrualInLanes<2, OneRate>>(x, named("QALYs").c_str());
    expect_scalar_bits_in_lanes<LifetimeAccrualInLanes<3, OneRate>>(x, named("drug cost").c_str());
    expect_scalar_bits_in_lanes<LifetimeAccrualInLanes<4, OneRate>>(x, named("administration cost").c_str());
    expect_scalar_bits_in_lanes<LifetimeAccrualInLanes<5, OneRate>>(x, named("myeloma cost").c_str());
    expect_scalar_bits_in_lanes<LifetimeAccrualInLanes<6, OneRate>>(x, named("cost clock").c_str());
    expect_scalar_bits_in_lanes<LifetimeAccrualInLanes<7, OneRate>>(x, named("effect clock").c_str());
}

TEST(AccrualInLanes, EachLaneAccruesTheOneLaneFormsBits)
{
    // No x below 0: an interval is never negative (time does not go back).
    std::vector<double> x = test::arguments_around(41, 0.0, 1.2, 50000, {0.4, 0.5, 1.0});
    x.push_back(0.0);
    expect_every_output_in_lanes<true>(x);
    expect_every_output_in_lanes<false>(x);
}

#endif

}  // namespace
}  // namespace scls
