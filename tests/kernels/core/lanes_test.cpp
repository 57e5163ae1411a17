// ln x, e^x and 1 - e^-x in lanes (kernels/core/lanes.hpp) give each lane
// the bits the scalar function gives it, at every width and in every
// processor's registers: SSE2 (two and four lanes), AVX2 with FMA (four and
// eight) and AVX-512 (four, as the attack draws run, and eight). Where a
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
#include "tests/support/processor.hpp"

namespace scls {
namespace {

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

enum class Function { log_of_normal, exponential, one_minus_exp_minus };

template <int N>
SCLS_FORCEINLINE void apply_in_lanes(Function function, const double* x, double* y, std::size_t count)
{
    using Real = typename Lanes<N>::Real;
    for (std::size_t i = 0; i + N <= count; i += N) {
        Real v;
        std::memcpy(&v, x + i, sizeof v);
        switch (function) {
            case Function::log_of_normal: v = natural_log_of_normal_lanes<N>(v); break;
            case Function::exponential: v = exponential_lanes<N>(v); break;
            case Function::one_minus_exp_minus: v = one_minus_exp_minus_lanes<N>(v); break;
        }
        std::memcpy(y + i, &v, sizeof v);
    }
}

__attribute__((target("avx512f"), noinline)) void eight_in_avx512(Function f, const double* x, double* y, std::size_t n)
{
    apply_in_lanes<8>(f, x, y, n);
}
__attribute__((target("avx512f"), noinline)) void four_in_avx512(Function f, const double* x, double* y, std::size_t n)
{
    apply_in_lanes<4>(f, x, y, n);
}
__attribute__((target("avx2,fma"), noinline)) void eight_in_avx2(Function f, const double* x, double* y, std::size_t n)
{
    apply_in_lanes<8>(f, x, y, n);
}
__attribute__((target("avx2,fma"), noinline)) void four_in_avx2(Function f, const double* x, double* y, std::size_t n)
{
    apply_in_lanes<4>(f, x, y, n);
}
__attribute__((noinline)) void four_in_sse2(Function f, const double* x, double* y, std::size_t n)
{
    apply_in_lanes<4>(f, x, y, n);
}
__attribute__((noinline)) void two_in_sse2(Function f, const double* x, double* y, std::size_t n)
{
    apply_in_lanes<2>(f, x, y, n);
}

using Registers = AttackBlockRegisters;
using test::processor_has;

struct Path {
    const char* name;
    Registers needs;  // with AVX2 also FMA
    void (*apply)(Function, const double*, double*, std::size_t);
};
constexpr Path kPaths[] = {
    {"8 lanes, AVX-512", Registers::avx512, eight_in_avx512}, {"4 lanes, AVX-512", Registers::avx512, four_in_avx512},
    {"8 lanes, AVX2", Registers::avx2, eight_in_avx2},        {"4 lanes, AVX2", Registers::avx2, four_in_avx2},
    {"4 lanes, SSE2", Registers::sse2, four_in_sse2},         {"2 lanes, SSE2", Registers::sse2, two_in_sse2},
};

double scalar(Function function, double x)
{
    switch (function) {
        case Function::log_of_normal: return natural_log_of_normal(x);
        case Function::exponential: return exponential(x);
        case Function::one_minus_exp_minus: return one_minus_exp_minus(x);
    }
    return 0.0;
}

std::uint64_t bits_of(double x)
{
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return bits;
}

// Every path that this processor has gives each lane the scalar bits.
void expect_scalar_bits_in_lanes(Function function, const std::vector<double>& x)
{
    std::vector<double> want(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        want[i] = scalar(function, x[i]);
    }
    int paths_run = 0;
    for (const Path& path : kPaths) {
        if (!processor_has(path.needs) || (path.needs == Registers::avx2 && !__builtin_cpu_supports("fma"))) {
            std::printf("lanes_test: %s skipped, not on this processor\n", path.name);
            continue;
        }
        ++paths_run;
        std::vector<double> got(x.size());
        path.apply(function, x.data(), got.data(), x.size());
        std::size_t differ = 0;
        std::size_t first = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (bits_of(got[i]) != bits_of(want[i])) {
                first = differ == 0 ? i : first;
                ++differ;
            }
        }
        EXPECT_EQ(differ, 0u) << path.name << ": of " << x.size() << " arguments; the first, " << x[first]
                              << ", gave " << got[first] << " against " << want[first];
    }
    EXPECT_GE(paths_run, 2) << "SSE2's two paths run on any x86-64";
}

// A multiple of 8 arguments, so that every path takes all of them.
std::vector<double> padded(std::vector<double> x)
{
    while (x.size() % 8 != 0) {
        x.push_back(x.back());
    }
    return x;
}

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
    expect_scalar_bits_in_lanes(Function::log_of_normal, padded(x));
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
    expect_scalar_bits_in_lanes(Function::exponential, padded(x));
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
    expect_scalar_bits_in_lanes(Function::one_minus_exp_minus, padded(x));
}

#else

TEST(Lanes, NotOnThisHost)
{
    GTEST_SKIP() << "lanes of doubles are built on x86-64 hosts only";
}

#endif

}  // namespace
}  // namespace scls
