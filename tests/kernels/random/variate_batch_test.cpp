// A patient's normals and exponentials computed together, in each register
// width this processor has, are normal_quantile's and unit_exponential's
// bits one at a time; and the normal quantile in lanes is the scalar one's
// in every lane, across its three pieces and their borders.
#include "kernels/random/variate_batch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <random>
#include <vector>

#include "tests/support/processor.hpp"

namespace scls {
namespace {

std::uint64_t bits_of(double x)
{
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

// Probabilities the model gives the quantile (52-bit uniforms, truncated
// normals' clamped probabilities) and the borders of its pieces: |p - 1/2|
// = 0.425 and r = sqrt(-ln p) = 5 (p = e^-25), a few ulps either side.
std::vector<double> probabilities()
{
    std::vector<double> out = {1e-300, 2.220446049250313e-16 * 0.5, 1.0 - 1e-16, 0.5, 0.075, 0.925, 0.3, 0.7};
    for (const double border : {0.075, 0.925, std::exp(-25.0), 1.0 - std::exp(-25.0), std::exp(-24.9), std::exp(-25.1)}) {
        double below = border;
        double above = border;
        for (int step = 0; step < 8; ++step) {
            below = std::nextafter(below, 0.0);
            above = std::nextafter(above, 1.0);
            out.push_back(below);
            out.push_back(above);
        }
    }
    std::mt19937_64 engine(17);
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t word = engine();
        out.push_back(to_open_unit_52(static_cast<std::uint32_t>(word >> 32), static_cast<std::uint32_t>(word)));
    }
    // Far tails (r > 5: p below e^-25) down to 1e-300 (about e^-690, the
    // truncated normal's clamp: min(p, 1 - p) stays a normal number), and
    // their mirror images as far as doubles near 1 reach.
    for (int i = 0; i < 2000; ++i) {
        const double p = std::exp(-25.0 - 665.0 * to_open_unit(static_cast<std::uint32_t>(engine())));
        out.push_back(p);
        out.push_back(1.0 - std::max(p, 1.2e-16));
    }
    return out;
}

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

template <int N>
void expect_quantile_lanes_as_scalar()
{
    const std::vector<double> ps = probabilities();
    // Each probability in every lane position, among neighbours from elsewhere in the list.
    for (std::size_t first = 0; first + N <= ps.size(); ++first) {
        typename Lanes<N>::Real p;
        for (int lane = 0; lane < N; ++lane) {
            p[lane] = ps[(first + static_cast<std::size_t>(lane) * 977) % ps.size()];
        }
        const typename Lanes<N>::Real z = normal_quantile_lanes<N>(p);
        for (int lane = 0; lane < N; ++lane) {
            ASSERT_EQ(bits_of(z[lane]), bits_of(normal_quantile(p[lane])))
                << N << " lanes, p = " << p[lane] << " in lane " << lane << ": " << z[lane] << " against " << normal_quantile(p[lane]);
        }
    }
}

TEST(NormalQuantileLanes, AreTheScalarBitsInTwoLanes) { expect_quantile_lanes_as_scalar<2>(); }
TEST(NormalQuantileLanes, AreTheScalarBitsInFourLanes) { expect_quantile_lanes_as_scalar<4>(); }
TEST(NormalQuantileLanes, AreTheScalarBitsInEightLanes) { expect_quantile_lanes_as_scalar<8>(); }

using test::processor_has;


class VariatesIn : public ::testing::TestWithParam<AttackBlockRegisters> {};

// Every count a patient can ask for (none to the batch's capacity), from
// probabilities and words of every kind, as one at a time gives them: the
// rounds go through the whole list of probabilities, so every one of them
// meets the quantile in the function built for each register width (the
// tests above run it in this file's baseline registers).
TEST_P(VariatesIn, AreTheBitsOfEachVariateOneAtATime)
{
    const AttackBlockRegisters registers = GetParam();
    if (!processor_has(registers)) {
        GTEST_SKIP() << name_of(registers) << " not available on this processor";
    }
    const std::vector<double> ps = probabilities();
    std::mt19937 engine(19);
    std::size_t next = 0;
    for (int round = 0; round < 4000; ++round) {
        VariateBatch batch;
        const int normals = round % (VariateBatch::kNormals + 1);
        const int exponentials = (round / 3) % (VariateBatch::kExponentials + 1);
        for (int i = 0; i < normals; ++i) {
            batch.ask_normal(ps[next++ % ps.size()]);
        }
        for (int i = 0; i < exponentials; ++i) {
            const std::uint32_t word = round % 7 == 0 ? (i % 2 == 0 ? 0u : 0xFFFFFFFFu) : static_cast<std::uint32_t>(engine());
            batch.ask_exponential(word);
        }
        VariateValues together;
        VariateValues one_at_a_time;
        compute_variates(batch, together, registers);
        compute_one_at_a_time(batch, one_at_a_time);
        for (int i = 0; i < normals; ++i) {
            ASSERT_EQ(bits_of(together.normal[i]), bits_of(one_at_a_time.normal[i]))
                << name_of(registers) << ": normal " << i << " of " << normals << ", p = " << batch.normal_probability[i];
        }
        for (int i = 0; i < exponentials; ++i) {
            ASSERT_EQ(bits_of(together.exponential[i]), bits_of(one_at_a_time.exponential[i]))
                << name_of(registers) << ": exponential " << i << " of " << exponentials << ", word " << batch.exponential_word[i];
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Registers, VariatesIn,
                         ::testing::Values(AttackBlockRegisters::sse2, AttackBlockRegisters::avx2, AttackBlockRegisters::avx512),
                         [](const auto& info) {
                             std::string name = name_of(info.param);  // no '-' in a test's name
                             name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                             return name;
                         });

#else

TEST(VariatesIn, NeedVectorRegisters) { GTEST_SKIP() << "this build computes a patient's variates one at a time"; }

#endif

}  // namespace
}  // namespace scls
