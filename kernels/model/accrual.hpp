// What flows continuously over an interval in which nothing changes: costs,
// QALYs and life-years, discounted exactly (discounting.hpp). Written once
// over Lanes<N>: the engine's accrual (LifetimeSimulator::accrue_to) is the
// one-lane form, and a lane engine runs the same code over N lifetimes at
// once, each lane with the bits the one-lane form gives its lifetime.
#pragma once

#include "kernels/core/lanes.hpp"
#include "kernels/core/macros.hpp"
#include "kernels/model/discounting.hpp"
#include "kernels/model/params.hpp"

namespace scls {

// Discount factors of costs and effects, carried along a lifetime (one a lane).
template <int N>
struct LifetimeClocksLanes {
    DiscountClockLanes<N> cost, effect;
};
using LifetimeClocks = LifetimeClocksLanes<1>;

// What flows over the interval, per year of it, lane by lane.
template <int N>
struct FlowsLanes {
    using Real = typename Lanes<N>::Real;
    Real drug_cost_per_year;            // the regimen's, at the patient's weight
    Real administration_cost_per_year;  // the regimen's
    Real utility_c0, utility_c1;        // baseline utility, c0 + c1 t + c2 t^2 (t: years since entry; c2 a parameter)
    Real utility_decrement;             // the regimen's and the permanent one; myeloma's is added where it is active
    typename Lanes<N>::Mask myeloma_active;
};

// The sums the flows accrue into: a lifetime's outcome (N = 1) or lanes of them.
template <int N>
struct AccruedLanes {
    using Real = typename Lanes<N>::Real;
    Real& life_years;
    Real& life_years_discounted;
    Real& qalys;
    Real (&cost)[kCostCategories];
};

namespace detail {
// The clock's moments of [t, t + h). A function, not a lambda, so that it is
// always inlined: a lambda called twice was kept out of line in lanes, and
// took about 1.5 ns a lane-event more on the lane-step bound (8 lanes; 2 ns
// on 4).
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE DiscountedMomentsLanes<N> moments_of_interval(const DiscountClockLanes<N>& clock,
                                                                             typename Lanes<N>::Real h,
                                                                             typename Lanes<N>::Mask live)
{
    if constexpr (N == 1) {
        (void)live;
        return clock.interval(h);  // out of line, as the engine has always called it
    } else {
        return clock.interval(h, live);
    }
}
}  // namespace detail

// Accrues [t0, t0 + h) and moves both clocks to its end; h >= 0 in every
// lane (time does not go back). live marks the lanes whose interval counts;
// a lane that is not live has h = +0 (a lane waiting for refill) and gains
// nothing: its moments are zero, its decay 1. At N = 1 the caller has
// already left out empty intervals, and this is the engine's scalar code: a
// branch for myeloma's cost and one moments call per rate.
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE void accrue_interval_lanes(const ModelParams& p, LifetimeClocksLanes<N>& clocks,
                                                          typename Lanes<N>::Real t0, typename Lanes<N>::Real h,
                                                          typename Lanes<N>::Mask live, const FlowsLanes<N>& flows,
                                                          AccruedLanes<N> sums)
{
    using L = Lanes<N>;
    using Real = typename L::Real;
    const DiscountedMomentsLanes<N> cost_moments = detail::moments_of_interval<N>(clocks.cost, h, live);
    const DiscountedMomentsLanes<N> effect_moments = p.discount_rate_costs == p.discount_rate_effects
                                                         ? cost_moments
                                                         : detail::moments_of_interval<N>(clocks.effect, h, live);
    const Real cost_years = clocks.cost.factor() * cost_moments.order0;
    const Real myeloma_decrement = L::select(flows.myeloma_active, L::broadcast(p.myeloma_utility_decrement), Real{});
    const Real decrement = flows.utility_decrement + myeloma_decrement;
    sums.life_years += h;
    sums.life_years_discounted += clocks.effect.factor() * effect_moments.order0;
    sums.qalys += discounted_quadratic_lanes<N>(clocks.effect.factor(), effect_moments, t0, flows.utility_c0 - decrement,
                                                flows.utility_c1, p.utility_age_squared);
    clocks.cost.advance(cost_moments);
    clocks.effect.advance(effect_moments);
    sums.cost[static_cast<int>(CostCategory::drug)] += flows.drug_cost_per_year * cost_years;
    sums.cost[static_cast<int>(CostCategory::administration)] += flows.administration_cost_per_year * cost_years;
    Real& myeloma_cost = sums.cost[static_cast<int>(CostCategory::myeloma)];
    if constexpr (N == 1) {
        if (flows.myeloma_active) {
            myeloma_cost += p.myeloma_cost_per_year * cost_years;
        }
    } else {
        // Where myeloma is not active, the sum keeps its bits (no + 0.0: a -0.0 would turn +0.0).
        myeloma_cost = L::select(flows.myeloma_active, myeloma_cost + p.myeloma_cost_per_year * cost_years, myeloma_cost);
    }
}

}  // namespace scls
