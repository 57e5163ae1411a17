// ln x, e^x, 1 - e^-x, select and any in lanes (kernels/core/lanes.hpp)
// give each lane the bits the scalar function gives it, at every width and in
// every processor's registers (tests/support/lane_paths.hpp). Where a
// target has a fused multiply-add for the registers in use (AVX2 with FMA;
// AVX-512 for its 512-bit registers), GCC would contract a * b + c into one
// rounding where the scalar code rounds twice, unless -ffp-contract=off (set
// for the kernels' consumers, this test among them) forbids it: allowed, it
// changed a few logarithms and about one e^x in 10^3 of the arguments below.
#include "kernels/core/lanes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <bit>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/core/exponential.hpp"
#include "kernels/core/logarithm.hpp"
#include "tests/support/lane_paths.hpp"

namespace scls {
namespace {

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

using test::expect_scalar_bits_in_lanes;

struct LogOfNormal {
    static double scalar(double x) { return natural_log_of_normal(x); }
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        return natural_log_of_normal_lanes<N>(x);
    }
};
struct Exponential {
    static double scalar(double x) { return exponential(x); }
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        return exponential_lanes<N>(x);
    }
};
struct OneMinusExpMinus {
    static double scalar(double x) { return one_minus_exp_minus(x); }
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        return one_minus_exp_minus_lanes<N>(x);
    }
};

// select and any, lane by lane: each lane asks whether any lane of a mask
// that only it can set is set, and selects by its own comparison.
struct SelectAndAny {
    static double scalar(double x) { return (x < 0.5 ? 10.0 : -x) + (x < 0.25 ? 1.0 : 0.0); }
    template <int N>
    static SCLS_FORCEINLINE typename Lanes<N>::Real lanes(typename Lanes<N>::Real x)
    {
        using L = Lanes<N>;
        typename L::Real anys;
        for (int lane = 0; lane < N; ++lane) {
            typename L::Mask only_this{};
            only_this[lane] = -1;
            anys[lane] = L::any((x < 0.25) & only_this) ? 1.0 : 0.0;
        }
        return L::select(x < 0.5, typename L::Real{} + 10.0, -x) + anys;
    }
};

double model_uniform(std::mt19937_64& engine)
{
    return (static_cast<double>(static_cast<std::uint32_t>(engine())) + 0.5) * 2.3283064365386962890625e-10;
}

TEST(LogInLanes, TheScalarBitsForTheModelsUniformsAndAllNormalNumbers)
{
    std::mt19937_64 engine(11);
    std::vector<double> x;
    for (int i = 0; i < 10000000; ++i) {
        x.push_back(model_uniform(engine));
    }
    for (int i = 0; i < 1000000; ++i) {
        x.push_back(std::bit_cast<double>(engine() % (0x7ff0000000000000 - 0x0010000000000000) + 0x0010000000000000));
    }
    // Each interval's edges (the top seven bits of the fraction) and 1's neighbours.
    for (std::uint64_t i = 0; i < 256; ++i) {
        const std::uint64_t edge = 0x3fe6000000000000 + (i << 45);
        for (const std::uint64_t bits : {edge - 1, edge, edge + 1}) {
            x.push_back(std::bit_cast<double>(bits));
        }
    }
    for (const double at : {1.0, std::nextafter(1.0, 0.0), std::nextafter(1.0, 2.0), std::numeric_limits<double>::min(),
                            std::numeric_limits<double>::max()}) {
        x.push_back(at);
    }
    expect_scalar_bits_in_lanes<LogOfNormal>(x, "ln x");
}

TEST(ExponentialInLanes, TheScalarBitsInsideAndOutsideItsRange)
{
    std::mt19937_64 engine(12);
    std::uniform_real_distribution<double> model(-60.0, 5.0);  // discount exponents, stays, heterogeneity
    std::uniform_real_distribution<double> wide(-750.0, 750.0);
    std::vector<double> x;
    for (int i = 0; i < 4000000; ++i) {
        x.push_back(model(engine));
    }
    for (int i = 0; i < 1000000; ++i) {
        x.push_back(wide(engine));
    }
    // Lanes past the range (libm's, one lane at a time) beside lanes inside it.
    const double inf = std::numeric_limits<double>::infinity();
    for (const double at : {-708.0, 708.0, std::nextafter(708.0, 0.0), -745.2, 709.9, inf, -inf, std::nan(""), 0.0, -0.0,
                            0x1p-60, -0x1p-60, 0.5 * 0.6931471805599453 / 64}) {
        x.push_back(at);
        x.push_back(1.0);
    }
    expect_scalar_bits_in_lanes<Exponential>(x, "e^x");
}

TEST(OneMinusExpMinusInLanes, TheScalarBitsInsideAndOutsideItsRange)
{
    std::mt19937_64 engine(13);
    std::uniform_real_distribution<double> small(0.0, 0.7);  // discounting over an interval
    std::uniform_real_distribution<double> wide(0.0, 800.0);
    std::vector<double> x;
    for (int i = 0; i < 4000000; ++i) {
        x.push_back(small(engine));
    }
    for (int i = 0; i < 1000000; ++i) {
        x.push_back(wide(engine));
    }
    for (int i = 0; i < 1000000; ++i) {
        x.push_back(std::ldexp(model_uniform(engine), -static_cast<int>(engine() % 60)));  // tiny intervals
    }
    const double inf = std::numeric_limits<double>::infinity();
    for (const double at : {0.0, -0.0, -1.0, 708.0, std::nextafter(708.0, 0.0), inf, -inf, std::nan(""), 0x1p-1074,
                            0.6931471805599453, 0.6931471805599453 / 64}) {
        x.push_back(at);
        x.push_back(0.25);
    }
    expect_scalar_bits_in_lanes<OneMinusExpMinus>(x, "1 - e^-x");
}

TEST(SelectAndAnyInLanes, LaneByLaneAsScalarCode)
{
    std::mt19937_64 engine(14);
    std::vector<double> x;
    for (int i = 0; i < 100000; ++i) {
        x.push_back(model_uniform(engine));
    }
    for (const double at : {0.25, std::nextafter(0.25, 0.0), 0.5, std::nextafter(0.5, 0.0), 0.0, -0.0, 1.0}) {
        x.push_back(at);
    }
    expect_scalar_bits_in_lanes<SelectAndAny>(x, "select and any");
}

// Every mask of 2, 4 and 8 lanes: any is set exactly when some lane is.
template <int N>
void expect_any_of_every_mask()
{
    for (unsigned pattern = 0; pattern < (1u << N); ++pattern) {
        typename Lanes<N>::Mask mask{};
        for (int lane = 0; lane < N; ++lane) {
            mask[lane] = (pattern >> lane) & 1u ? -1 : 0;
        }
        EXPECT_EQ(Lanes<N>::any(mask), pattern != 0) << N << " lanes, pattern " << pattern;
    }
}

TEST(SelectAndAnyInLanes, AnyOfEveryMask)
{
    expect_any_of_every_mask<2>();
    expect_any_of_every_mask<4>();
    expect_any_of_every_mask<8>();
}

#else

TEST(Lanes, NotOnThisHost)
{
    GTEST_SKIP() << "lanes of doubles are built on x86-64 hosts only";
}

#endif

}  // namespace
}  // namespace scls
