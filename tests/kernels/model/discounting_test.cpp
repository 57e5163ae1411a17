// Exact discounting against numerical quadrature and closed forms.
#include "kernels/model/discounting.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "tests/support/lane_paths.hpp"

namespace scls {
namespace {

double simpson(double rate, double t0, double t1, double c0, double c1, double c2)
{
    const int n = 20000;
    const double h = (t1 - t0) / n;
    double sum = 0;
    for (int i = 0; i <= n; ++i) {
        const double t = t0 + i * h;
        const double f = (c0 + c1 * t + c2 * t * t) * std::exp(-rate * t);
        sum += f * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
    }
    return sum * h / 3;
}

TEST(Discounting, QuadraticMatchesQuadratureAcrossRatesAndIntervals)
{
    const double rates[] = {0.0, 1e-7, std::log(1.03), std::log(1.035), 0.5};
    const double intervals[][2] = {{0, 1e-4}, {0, 0.01}, {3.2, 3.9}, {0, 50}, {40, 80}};
    for (double r : rates) {
        for (const auto& iv : intervals) {
            const double expected = simpson(r, iv[0], iv[1], 0.9, -0.003, -3.3e-5);
            const double got = discounted_quadratic(r, iv[0], iv[1], 0.9, -0.003, -3.3e-5);
            EXPECT_NEAR(got, expected, 1e-10 * (1 + std::fabs(expected))) << "rate " << r << " [" << iv[0] << "," << iv[1] << ")";
        }
    }
}

TEST(Discounting, DurationIsTheClosedForm)
{
    const double r = std::log(1.035);
    EXPECT_NEAR(discounted_duration(r, 2, 7), (std::exp(-r * 2) - std::exp(-r * 7)) / r, 1e-13);
    EXPECT_DOUBLE_EQ(discounted_duration(0.0, 2, 7), 5.0);
    // Series and closed-form branches meet smoothly.
    const double h_switch = 1e-3 / r;
    EXPECT_NEAR(discounted_moments(r, h_switch * (1 - 1e-9)).order2, discounted_moments(r, h_switch * (1 + 1e-9)).order2,
                1e-15 + 1e-8 * discounted_moments(r, h_switch).order2);
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

// The moments of intervals in lanes, each lane the bits of discounted_moments
// for its own interval, whether its neighbours take the series or the exact
// form. A lane is live unless its length's last bit is set; lanes that are
// not live take the exact form (as discounted_moments_lanes<1> with live
// false does, which is the reference for them).
using test::expect_scalar_bits_in_lanes;

constexpr double kRate = 0.034401426717332;  // ln 1.035
constexpr double kInverseRate = 1.0 / kRate;

template <int Field>
struct MomentInLanes {
    static double pick(const DiscountedMoments& m)
    {
        const double fields[] = {m.order0, m.order1, m.order2, m.decay};
        return fields[Field];
    }
    static double scalar(double h)
    {
        std::uint64_t bits;
        std::memcpy(&bits, &h, sizeof bits);
        return pick(discounted_moments_lanes<1>(kRate, kInverseRate, h, (bits & 1u) == 0));
    }
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real h)
    {
        using L = Lanes<N>;
        const DiscountedMomentsLanes<N> m = discounted_moments_lanes<N>(kRate, kInverseRate, h, (L::bits(h) & 1u) == 0);
        const typename L::Real fields[] = {m.order0, m.order1, m.order2, m.decay};
        return fields[Field];
    }
};

TEST(DiscountingInLanes, EachLaneHasTheScalarBitsOfItsInterval)
{
    // Lengths on both sides of the series' threshold (x = 1e-3: h = 0.029 y),
    // mixed within each block of lanes, with empty and one-ulp intervals.
    std::mt19937_64 engine(21);
    std::uniform_real_distribution<double> around_threshold(0.0, 0.06);
    std::uniform_real_distribution<double> stays(0.0, 5.0);
    std::vector<double> h;
    for (int i = 0; i < 200000; ++i) {
        h.push_back(around_threshold(engine));
        h.push_back(stays(engine));
        h.push_back(std::ldexp(stays(engine), -static_cast<int>(engine() % 40)));
    }
    const double threshold = 1e-3 / kRate;
    for (const double at : {0.0, 0x1p-1074, threshold, std::nextafter(threshold, 0.0), std::nextafter(threshold, 1.0),
                            60.0, 100.0}) {
        h.push_back(at);
    }
    expect_scalar_bits_in_lanes<MomentInLanes<0>>(h, "order 0");
    expect_scalar_bits_in_lanes<MomentInLanes<1>>(h, "order 1");
    expect_scalar_bits_in_lanes<MomentInLanes<2>>(h, "order 2");
    expect_scalar_bits_in_lanes<MomentInLanes<3>>(h, "decay");
}

// A clock in lanes carried through a lifetime's intervals, short, empty and
// long, accruing a quadratic utility: each lane has the bits of the scalar
// clock (DiscountClock, the one-lane form the engine runs) given its lane's
// intervals. x scales the intervals, so lanes differ; lanes of x < 0.5
// restart their clock part-way, as a lane refilled with another lifetime;
// Live asks for moments with the lanes whose interval is empty marked not live.
template <int Output, bool Live>
struct ClockInLanes {
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        using Real = typename Lanes<N>::Real;
        constexpr double kScales[] = {0.0, 0.01, 1.7, 0.0, 3.3, 0.02, 12.0, 0.5, 1e-5, 40.0};
        DiscountClockLanes<N> clock(kRate);
        Real t = x * 0.0;
        Real total = x * 0.0;
        for (const double scale : kScales) {
            const Real h = x * scale;
            DiscountedMomentsLanes<N> m;
            if constexpr (Live) {
                m = clock.interval(h, h > 0.0);
            } else {
                m = clock.interval(h);
            }
            total = total + discounted_quadratic_lanes<N>(clock.factor(), m, t, 0.85 - 0.1 * x, x * 0.0 - 0.003, -2e-5);
            clock.advance(m);
            t = t + h;
            if (scale == 12.0) {  // lifetimes of x < 0.5 end here: their lanes start another
                if constexpr (N == 1) {
                    if (x < 0.5) {
                        clock.restart(0);
                    }
                } else {
                    for (int lane = 0; lane < N; ++lane) {
                        if (x[lane] < 0.5) {
                            clock.restart(lane);
                        }
                    }
                }
            }
        }
        const Real outputs[] = {total, clock.factor(), clock.factor_after(x - 0.3)};
        return outputs[Output];
    }
    static double scalar(double x) { return lanes<1>(x); }
};

TEST(DiscountingInLanes, ClockAndAccrualInLanesHaveTheScalarBits)
{
    const std::vector<double> x = test::arguments_around(22, 0.0, 1.2, 100000, {0.0, 0.3, 0.5, 1.0});
    expect_scalar_bits_in_lanes<ClockInLanes<0, false>>(x, "accrued, all lanes live");
    expect_scalar_bits_in_lanes<ClockInLanes<1, false>>(x, "clock, all lanes live");
    expect_scalar_bits_in_lanes<ClockInLanes<2, false>>(x, "factor after");
    expect_scalar_bits_in_lanes<ClockInLanes<0, true>>(x, "accrued, empty intervals not live");
    expect_scalar_bits_in_lanes<ClockInLanes<1, true>>(x, "clock, empty intervals not live");
}

TEST(DiscountingInLanes, AnEmptyIntervalNotLiveHasTheEnginesMoments)
{
    // A lane waiting for refill (not live, h = +0) gets what the engine's
    // discounted_moments gives an empty interval, at any rate.
    for (const double rate : {kRate, 0.0, 0.5}) {
        const double inverse_rate = rate > 0.0 ? 1.0 / rate : 0.0;
        const DiscountedMoments engine = discounted_moments(rate, 0.0);
        const DiscountedMoments waiting = discounted_moments_lanes<1>(rate, inverse_rate, 0.0, false);
        EXPECT_EQ(test::bits_of(waiting.order0), test::bits_of(engine.order0)) << rate;
        EXPECT_EQ(test::bits_of(waiting.order1), test::bits_of(engine.order1)) << rate;
        EXPECT_EQ(test::bits_of(waiting.order2), test::bits_of(engine.order2)) << rate;
        EXPECT_EQ(test::bits_of(waiting.decay), test::bits_of(engine.decay)) << rate;
    }
}

#endif

}  // namespace
}  // namespace scls
