// Exact continuous-time discounting of quantities that are constant or
// quadratic in time over an interval: no cycles, no half-cycle corrections.
#pragma once

#include "kernels/core/exponential.hpp"
#include "kernels/core/lanes.hpp"
#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"

namespace scls {

// Discount factor exp(-rate * t) for a continuous rate.
SCLS_FUNCTION SCLS_FORCEINLINE double discount_factor(double rate, double t) { return exponential(-rate * t); }

// integral_0^h s^n exp(-r s) ds for n = 0, 1, 2, and the interval's own
// discount factor exp(-r h), from one exp at most: in N lanes, or one double
// (DiscountedMoments) at N = 1.
template <int N>
struct DiscountedMomentsLanes {
    typename Lanes<N>::Real order0, order1, order2;
    typename Lanes<N>::Real decay;  // exp(-r h)
};
using DiscountedMoments = DiscountedMomentsLanes<1>;

namespace detail {
// Series in x = rate h: integral = h^(n+1) * sum_k (-x)^k / (k! (n+k+1));
// five terms leave an error below x^5/120 ~ 1e-17 relative for x < 1e-3, and
// six terms of exp(-x) one below x^6/720. Horner form, with the
// coefficients' reciprocals as constants (multiplications, not divisions).
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE DiscountedMomentsLanes<N> moments_by_series(typename Lanes<N>::Real h,
                                                                           typename Lanes<N>::Real x)
{
    const typename Lanes<N>::Real h2 = h * h;
    return DiscountedMomentsLanes<N>{
        h * (1.0 - x * (1.0 / 2 - x * (1.0 / 6 - x * (1.0 / 24 - x * (1.0 / 120))))),
        h2 * (1.0 / 2 - x * (1.0 / 3 - x * (1.0 / 8 - x * (1.0 / 30 - x * (1.0 / 144))))),
        h2 * h * (1.0 / 3 - x * (1.0 / 4 - x * (1.0 / 10 - x * (1.0 / 36 - x * (1.0 / 168))))),
        1.0 - x * (1.0 - x * (1.0 / 2 - x * (1.0 / 6 - x * (1.0 / 24 - x * (1.0 / 120)))))};
}

// The closed forms: one 1 - e^-x gives both the decay and an accurate
// 1 - exp(-x); the higher moments lose at most a few digits to cancellation
// near x = 1e-3.
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE DiscountedMomentsLanes<N> moments_exactly(double inverse_rate, typename Lanes<N>::Real h,
                                                                         typename Lanes<N>::Real x)
{
    using Real = typename Lanes<N>::Real;
    const Real one_minus_decay = one_minus_exp_minus_lanes<N>(x);
    const Real decay = 1.0 - one_minus_decay;
    const Real order0 = one_minus_decay * inverse_rate;
    const Real order1 = (order0 - h * decay) * inverse_rate;
    const Real order2 = (2.0 * order1 - h * h * decay) * inverse_rate;
    return DiscountedMomentsLanes<N>{order0, order1, order2, decay};
}
}  // namespace detail

// The moments of N intervals of lengths h at one rate, written once: each
// lane gets the bits that N = 1 gives its interval, since each takes the same
// form (the series below x = 1e-3, the closed forms above) by the same test;
// only the scheduling differs. At N = 1 it is one branch, as scalar code. In
// lanes the closed forms, which nearly every interval takes, are always
// computed (testing for them cost about 0.3 ns a lane-event more than it
// saved: results/bench/cpu-lane-bound.md, fourteenth part) and the series
// only where a lane needs it.
//
// live marks the lanes whose interval counts. A lane that is not live must
// have h = +0 (an empty interval, t - t: a lane waiting for refill); it takes
// the closed forms, which give it what discounted_moments(rate, 0) gives
// (zero moments, decay 1) without asking for the series. inverse_rate =
// 1 / rate, precomputed by callers that evaluate many intervals (three
// dependent divisions would otherwise dominate).
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE DiscountedMomentsLanes<N> discounted_moments_lanes(double rate, double inverse_rate,
                                                                                  typename Lanes<N>::Real h,
                                                                                  typename Lanes<N>::Mask live)
{
    using L = Lanes<N>;
    const typename L::Real x = rate * h;
    const typename L::Mask short_interval = (x < 1e-3) & live;
    if constexpr (N == 1) {
        return short_interval ? detail::moments_by_series<N>(h, x) : detail::moments_exactly<N>(inverse_rate, h, x);
    } else {
        const DiscountedMomentsLanes<N> e = detail::moments_exactly<N>(inverse_rate, h, x);
        const DiscountedMomentsLanes<N> s =
            L::any(short_interval) ? detail::moments_by_series<N>(h, x) : DiscountedMomentsLanes<N>{};
        return {L::select(short_interval, s.order0, e.order0), L::select(short_interval, s.order1, e.order1),
                L::select(short_interval, s.order2, e.order2), L::select(short_interval, s.decay, e.decay)};
    }
}

SCLS_FUNCTION inline DiscountedMoments discounted_moments(double rate, double inverse_rate, double h)
{
    return discounted_moments_lanes<1>(rate, inverse_rate, h, true);
}

SCLS_FUNCTION inline DiscountedMoments discounted_moments(double rate, double h)
{
    return discounted_moments(rate, inverse_or_zero(rate), h);
}

// integral_{t0}^{t1} exp(-rate t) dt: the discounted length of [t0, t1).
SCLS_FUNCTION SCLS_FORCEINLINE double discounted_duration(double rate, double t0, double t1)
{
    const double h = t1 - t0;
    return discount_factor(rate, t0) * h * one_minus_exp_over(rate * h);
}

// integral over an interval [t0, t0 + h) of (c0 + c1 t + c2 t^2) exp(-rate t) dt,
// given exp(-rate t0) and the interval's moments; expanded about t0 so that
// long follow-ups do not lose precision. In N lanes, or one double at N = 1.
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE typename Lanes<N>::Real discounted_quadratic_lanes(
    typename Lanes<N>::Real factor_at_start, const DiscountedMomentsLanes<N>& m, typename Lanes<N>::Real t0,
    typename Lanes<N>::Real c0, typename Lanes<N>::Real c1, double c2)
{
    using Real = typename Lanes<N>::Real;
    const Real value_at_start = c0 + t0 * (c1 + c2 * t0);
    const Real slope_at_start = c1 + 2.0 * c2 * t0;
    return factor_at_start * (value_at_start * m.order0 + slope_at_start * m.order1 + c2 * m.order2);
}

SCLS_FUNCTION SCLS_FORCEINLINE double discounted_quadratic(double factor_at_start, const DiscountedMoments& m, double t0,
                                                           double c0, double c1, double c2)
{
    return discounted_quadratic_lanes<1>(factor_at_start, m, t0, c0, c1, c2);
}

SCLS_FUNCTION inline double discounted_quadratic(double rate, double t0, double t1, double c0, double c1, double c2)
{
    return discounted_quadratic(discount_factor(rate, t0), discounted_moments(rate, t1 - t0), t0, c0, c1, c2);
}

// The discount factor exp(-rate t) carried along a lifetime as a running
// product: each interval costs one exp (none for short ones) instead of one
// per quantity. After n intervals the product is within ~n ulp of exp(-rate t).
// One clock a lane, at one rate, in N lanes; DiscountClock is the one-lane
// form, and each lane of N has the bits that clock would have.
template <int N>
class DiscountClockLanes {
  public:
    using Real = typename Lanes<N>::Real;
    using Mask = typename Lanes<N>::Mask;

    DiscountClockLanes() = default;  // a placeholder, to be assigned a clock
    SCLS_FUNCTION explicit DiscountClockLanes(double rate) : rate_(rate), inverse_rate_(inverse_or_zero(rate)) {}

    // exp(-rate t) at the current time.
    SCLS_FUNCTION SCLS_FORCEINLINE Real factor() const { return factor_; }

    // exp(-rate (t + h)): the factor h after the current time (itself where
    // h <= 0). At N = 1 a branch, so that the engine takes no exp for h = 0.
    SCLS_FUNCTION SCLS_FORCEINLINE Real factor_after(Real h) const
    {
        if constexpr (N == 1) {
            return h > 0.0 ? factor_ * exponential(-rate_ * h) : factor_;
        } else {
            return Lanes<N>::select(h > 0.0, factor_ * exponential_lanes<N>(-rate_ * h), factor_);
        }
    }

    // Moments of the interval [t, t + h) that starts now, every lane live.
    // At N = 1 through discounted_moments, which is not forced inline, so
    // that the compiler may keep it out of line as before.
    SCLS_FUNCTION SCLS_FORCEINLINE DiscountedMomentsLanes<N> interval(Real h) const
    {
        if constexpr (N == 1) {
            return discounted_moments(rate_, inverse_rate_, h);
        } else {
            return interval(h, Lanes<N>::every());
        }
    }
    // The same, where lanes that are not live have h = +0 (discounted_moments_lanes).
    SCLS_FUNCTION SCLS_FORCEINLINE DiscountedMomentsLanes<N> interval(Real h, Mask live) const
    {
        return discounted_moments_lanes<N>(rate_, inverse_rate_, h, live);
    }

    // Moves the clock to the end of an interval returned by interval() (an
    // empty interval's decay is 1: the clock stays).
    SCLS_FUNCTION SCLS_FORCEINLINE void advance(const DiscountedMomentsLanes<N>& m) { factor_ *= m.decay; }

    // Restarts one lane's clock at t = 0, for a lifetime that takes the lane.
    SCLS_FUNCTION SCLS_FORCEINLINE void restart(int lane)
    {
        if constexpr (N == 1) {
            (void)lane;
            factor_ = 1.0;
        } else {
            factor_[lane] = 1.0;
        }
    }

  private:
    double rate_ = 0.0;
    double inverse_rate_ = 0.0;
    Real factor_ = Lanes<N>::broadcast(1.0);
};
using DiscountClock = DiscountClockLanes<1>;

}  // namespace scls
