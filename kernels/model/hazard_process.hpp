// A competing process of a lifetime (attacks, adverse events,
// discontinuation) whose hazard is constant between changes of regimen,
// advanced by time rescaling: it keeps a unit-exponential budget that its
// hazard consumes, and its next event is when the budget runs out. A change
// of rate moves that time without a new draw, so every strategy replays the
// same draws (common random numbers). Written once over Lanes<N>: the
// engine's one-lane form is HazardProcess, and each lane of N has the bits
// that form gives its lifetime.
#pragma once

#include "kernels/core/lanes.hpp"
#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"

namespace scls {

// A budget consumed at `rate` from `since` until `now` (none where the rate
// is not positive; never below 0), and `since` moved to now.
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE void consume_budget(typename Lanes<N>::Real& budget, typename Lanes<N>::Real& since,
                                                   typename Lanes<N>::Real rate, typename Lanes<N>::Real now)
{
    using L = Lanes<N>;
    if constexpr (N == 1) {
        if (rate > 0.0) {
            budget = max_of(budget - rate * (now - since), 0.0);
        }
    } else {
        const typename L::Real left = budget - rate * (now - since);
        budget = L::select(rate > 0.0, L::select(left > 0.0, left, typename L::Real{}), budget);
    }
    since = now;
}

template <int N>
struct HazardProcessLanes {
    using L = Lanes<N>;
    using Real = typename L::Real;
    using Mask = typename L::Mask;

    Real budget;        // what was left of the unit-exponential budget at `since`
    Real since;         // years since entry
    Real rate;          // per year, from `since` on
    Real inverse_rate;  // 1 / rate; 0 where the rate is 0 (the process never fires)

    // When the budget runs out at this rate; infinity where the rate is 0.
    SCLS_FUNCTION SCLS_FORCEINLINE Real next_time() const
    {
        if constexpr (N == 1) {
            return since + (inverse_rate > 0.0 ? budget * inverse_rate : kInfinity);
        } else {
            return since + L::select(inverse_rate > 0.0, budget * inverse_rate, L::broadcast(kInfinity));
        }
    }

    // The budget consumed up to now at the rate that ran until now (none
    // where that rate was 0), and `since` moved to now: before a change of rate.
    SCLS_FUNCTION SCLS_FORCEINLINE void consume_to(Real now) { consume_budget<N>(budget, since, rate, now); }

    // The rate from now on (after consume_to), with its inverse.
    SCLS_FUNCTION SCLS_FORCEINLINE void set_rate(Real new_rate)
    {
        rate = new_rate;
        if constexpr (N == 1) {
            inverse_rate = inverse_or_zero(new_rate);
        } else {
            inverse_rate = L::select(new_rate > 0.0, 1.0 / new_rate, Real{});
        }
    }

    // The process's event has happened at now: a fresh budget from then on.
    SCLS_FUNCTION SCLS_FORCEINLINE void renew(Real new_budget, Real now)
    {
        budget = new_budget;
        since = now;
    }
    // The same in the lanes of a mask (the lanes whose event it was).
    SCLS_FUNCTION SCLS_FORCEINLINE void renew(Real new_budget, Real now, Mask happened)
    {
        if constexpr (N == 1) {
            if (happened) {
                renew(new_budget, now);
            }
        } else {
            budget = L::select(happened, new_budget, budget);
            since = L::select(happened, now, since);
        }
    }
};
using HazardProcess = HazardProcessLanes<1>;

}  // namespace scls
