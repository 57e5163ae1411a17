// A competing process advanced by time rescaling: a change of rate moves its
// next event as the hazard's integral says, without a new draw; a rate of 0
// stops it. In lanes, each lane has the bits of the one-lane form (which the
// engine runs) through changes of rate, zero rates and renewals.
#include "kernels/model/hazard_process.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <vector>

#include "tests/support/lane_paths.hpp"

namespace scls {
namespace {

TEST(HazardProcess, AChangeOfRateMovesTheNextEventByTheHazardsIntegral)
{
    HazardProcess process{};
    process.budget = 1.0;
    process.consume_to(0.0);  // no rate yet: nothing consumed
    process.set_rate(2.0);
    EXPECT_EQ(process.next_time(), 0.5);
    // At t = 0.25 half the budget is gone; at rate 0.5 the rest lasts 1 year.
    process.consume_to(0.25);
    process.set_rate(0.5);
    EXPECT_EQ(process.budget, 0.5);
    EXPECT_EQ(process.next_time(), 1.25);
    // A rate of 0 stops the process and keeps its budget for a later rate.
    process.consume_to(1.0);
    process.set_rate(0.0);
    EXPECT_EQ(process.next_time(), kInfinity);
    process.consume_to(7.0);
    EXPECT_EQ(process.budget, 0.125);
    process.set_rate(1.0);
    EXPECT_EQ(process.next_time(), 7.125);
    // Consumed past its end (a change of rate after the event was due): empty, not negative.
    process.consume_to(9.0);
    EXPECT_EQ(process.budget, 0.0);
    process.renew(0.75, 9.0);
    EXPECT_EQ(process.next_time(), 9.75);
    // Renewed only where the event happened.
    process.renew(5.0, 10.0, false);
    EXPECT_EQ(process.next_time(), 9.75);
    process.renew(5.0, 10.0, true);
    EXPECT_EQ(process.next_time(), 15.0);
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

using test::expect_scalar_bits_in_lanes;

// A process through a lifetime of changes of rate set by x: some lanes stop
// (rate 0) for a while, some overrun their budget before the change, and
// some renew part-way (an event in some lanes only). The output sums each
// next event's time and budget, so that every step counts.
template <int Output>
struct ProcessInLanes {
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        using L = Lanes<N>;
        using Real = typename L::Real;
        HazardProcessLanes<N> process{};
        process.budget = 0.3 + x;
        process.since = x * 0.0;
        process.rate = x * 0.0;
        process.inverse_rate = x * 0.0;
        constexpr double kRates[] = {0.7, 0.0, 3.0, 0.05, 12.0, 0.0, 1.1};
        Real t = x * 0.0;
        Real checksum = x * 0.0;
        Real stopped_inverse = x * 0.0 + 1.0;  // the inverse rate while the process is stopped
        for (int i = 0; i < static_cast<int>(std::size(kRates)); ++i) {
            process.consume_to(t);
            // Rates differ by lane; where x < 0.3 the process stops at step 3 too.
            const Real rate = L::select(x < (i == 3 ? 0.3 : -1.0), x * 0.0, kRates[i] * (0.5 + x));
            process.set_rate(rate);
            if (i == 1) {
                stopped_inverse = process.inverse_rate;
            }
            const Real next = process.next_time();
            checksum = checksum + L::select(next < kInfinity, next, x * 0.0) + process.budget;
            // The next change comes before or after the event, by lane.
            t = t + (0.2 + 0.9 * x) * (1.0 + i);
            if (i == 4) {
                process.renew(x * 2.0, t, x > 0.6);
            }
        }
        const Real outputs[] = {checksum, process.next_time(), process.budget, process.inverse_rate, stopped_inverse};
        return outputs[Output];
    }
    static double scalar(double x) { return lanes<1>(x); }
};

TEST(HazardProcessInLanes, EachLaneHasTheOneLaneFormsBits)
{
    const std::vector<double> x = test::arguments_around(51, 0.0, 1.0, 100000, {0.0, 0.3, 0.6});
    expect_scalar_bits_in_lanes<ProcessInLanes<0>>(x, "next events and budgets");
    expect_scalar_bits_in_lanes<ProcessInLanes<1>>(x, "last next event");
    expect_scalar_bits_in_lanes<ProcessInLanes<2>>(x, "last budget");
    expect_scalar_bits_in_lanes<ProcessInLanes<3>>(x, "last inverse rate");
    expect_scalar_bits_in_lanes<ProcessInLanes<4>>(x, "inverse rate while stopped");
}

#endif

}  // namespace
}  // namespace scls
