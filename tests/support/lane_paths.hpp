// Runs a function written once over Lanes<N> (kernels/core/lanes.hpp) at
// every width and in every processor's registers, and checks that each lane
// gets the bits its scalar form gives it: SSE2 (two and four lanes), AVX2
// with FMA (four and eight) and AVX-512 (four, as the attack draws run, and
// eight). Paths this processor lacks are skipped with a message.
//
// A Kernel is a class with
//   static double scalar(double x);                      // the reference
//   template <int N> static Real<N> lanes(Real<N> x);     // the same, in lanes
// both always inlined, so that each path compiles the lanes form for its own
// registers.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <random>
#include <vector>

#include "kernels/core/lanes.hpp"
#include "kernels/core/math.hpp"
#include "tests/support/processor.hpp"

namespace scls::test {

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

template <class Kernel, int N>
SCLS_FORCEINLINE void apply_in_lanes(const double* x, double* y, std::size_t count)
{
    using Real = typename Lanes<N>::Real;
    for (std::size_t i = 0; i + N <= count; i += N) {
        Real v;
        std::memcpy(&v, x + i, sizeof v);
        v = Kernel::template lanes<N>(v);
        std::memcpy(y + i, &v, sizeof v);
    }
}

template <class Kernel>
struct LanePaths {
    using Apply = void (*)(const double*, double*, std::size_t);
    __attribute__((target("avx512f"), noinline)) static void eight_avx512(const double* x, double* y, std::size_t n)
    {
        apply_in_lanes<Kernel, 8>(x, y, n);
    }
    __attribute__((target("avx512f"), noinline)) static void four_avx512(const double* x, double* y, std::size_t n)
    {
        apply_in_lanes<Kernel, 4>(x, y, n);
    }
    __attribute__((target("avx2,fma"), noinline)) static void eight_avx2(const double* x, double* y, std::size_t n)
    {
        apply_in_lanes<Kernel, 8>(x, y, n);
    }
    __attribute__((target("avx2,fma"), noinline)) static void four_avx2(const double* x, double* y, std::size_t n)
    {
        apply_in_lanes<Kernel, 4>(x, y, n);
    }
    __attribute__((noinline)) static void four_sse2(const double* x, double* y, std::size_t n)
    {
        apply_in_lanes<Kernel, 4>(x, y, n);
    }
    __attribute__((noinline)) static void two_sse2(const double* x, double* y, std::size_t n)
    {
        apply_in_lanes<Kernel, 2>(x, y, n);
    }

    struct Path {
        const char* name;
        AttackBlockRegisters needs;  // with AVX2 also FMA
        Apply apply;
    };
    static constexpr Path kPaths[] = {
        {"8 lanes, AVX-512", AttackBlockRegisters::avx512, eight_avx512},
        {"4 lanes, AVX-512", AttackBlockRegisters::avx512, four_avx512},
        {"8 lanes, AVX2", AttackBlockRegisters::avx2, eight_avx2},
        {"4 lanes, AVX2", AttackBlockRegisters::avx2, four_avx2},
        {"4 lanes, SSE2", AttackBlockRegisters::sse2, four_sse2},
        {"2 lanes, SSE2", AttackBlockRegisters::sse2, two_sse2},
    };
};

inline std::uint64_t bits_of(double x)
{
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return bits;
}

// count arguments uniform in [low, high) from seed, then each edge (where a
// kernel's branches or masks change) with its neighbours on both sides.
inline std::vector<double> arguments_around(std::uint64_t seed, double low, double high, int count,
                                            std::initializer_list<double> edges)
{
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<double> uniform(low, high);
    std::vector<double> x;
    for (int i = 0; i < count; ++i) {
        x.push_back(uniform(engine));
    }
    for (const double at : edges) {
        x.insert(x.end(), {at, std::nextafter(at, -kInfinity), std::nextafter(at, kInfinity)});
    }
    return x;
}

// Every path that this processor has gives each lane the scalar bits; x is
// padded to a multiple of 8 (repeating its last value), so that every path
// takes all of it.
template <class Kernel>
void expect_scalar_bits_in_lanes(std::vector<double> x, const char* what)
{
    ASSERT_FALSE(x.empty()) << what << ": no arguments";
    while (x.size() % 8 != 0) {
        x.push_back(x.back());
    }
    std::vector<double> want(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        want[i] = Kernel::scalar(x[i]);
    }
    int paths_run = 0;
    for (const auto& path : LanePaths<Kernel>::kPaths) {
        if (!processor_has(path.needs) ||
            (path.needs == AttackBlockRegisters::avx2 && !__builtin_cpu_supports("fma"))) {
            std::printf("%s: %s skipped, not on this processor\n", what, path.name);
            continue;
        }
        ++paths_run;
        std::vector<double> got(x.size());
        path.apply(x.data(), got.data(), x.size());
        std::size_t differ = 0;
        std::size_t first = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (bits_of(got[i]) != bits_of(want[i])) {
                first = differ == 0 ? i : first;
                ++differ;
            }
        }
        EXPECT_EQ(differ, 0u) << what << ", " << path.name << ": of " << x.size() << " arguments; the first, "
                              << x[first] << ", gave " << got[first] << " against " << want[first];
    }
    EXPECT_GE(paths_run, 2) << "SSE2's two paths run on any x86-64";
}

#endif

}  // namespace scls::test
