// Philox4x32-10: Random123's known-answer vectors, and equivalence with
// cuRAND's own device code compiled for the host.
#include "kernels/random/philox.hpp"

#include <gtest/gtest.h>

#include <random>

#include "kernels/random/streams.hpp"

#if SCLS_TEST_HAVE_CURAND
#define QUALIFIERS static inline
#include <curand_kernel.h>
#endif

namespace scls {
namespace {

// Known-answer vectors from Random123's kat_vectors (philox4x32 with 10 rounds).
TEST(Philox, Random123KnownAnswers)
{
    struct Case {
        PhiloxCounter counter;
        PhiloxKey key;
        PhiloxCounter expected;
    };
    const Case cases[] = {
        {{{0, 0, 0, 0}}, {{0, 0}}, {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}}},
        {{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}},
         {{0xffffffffu, 0xffffffffu}},
         {{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}}},
        {{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
         {{0xa4093822u, 0x299f31d0u}},
         {{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}}},
    };
    for (const Case& c : cases) {
        const PhiloxCounter out = philox4x32_10(c.counter, c.key);
        for (int i = 0; i < 4; ++i) {
            EXPECT_EQ(out.word[i], c.expected.word[i]) << "word " << i;
        }
    }
}

TEST(Philox, StreamWalksCounterBlocksInOrder)
{
    PhiloxStream stream(42, 7, 0);
    for (std::uint32_t block = 0; block < 5; ++block) {
        const PhiloxCounter expected = philox4x32_10(PhiloxCounter{{block, 0, 7, 0}}, PhiloxKey{{42, 0}});
        for (int i = 0; i < 4; ++i) {
            EXPECT_EQ(stream.next(), expected.word[i]);
        }
    }
}

TEST(Philox, StreamCarriesIntoHigherCounterWords)
{
    // offset / 4 = 2^32 - 1: the second block must carry into word 1.
    PhiloxStream stream(1, 0, 4 * 0xffffffffull);
    for (int i = 0; i < 4; ++i) {
        stream.next();
    }
    const PhiloxCounter expected = philox4x32_10(PhiloxCounter{{0, 1, 0, 0}}, PhiloxKey{{1, 0}});
    EXPECT_EQ(stream.next(), expected.word[0]);
}

TEST(Philox, DirectBlockAccessEqualsOpenedStream)
{
    const StreamKey key{0x123456789abcdefull, 3, 99};
    PhiloxStream stream = open_stream(key, StreamPurpose::attack_complications, 10);
    const PhiloxCounter block = draw_block(key, StreamPurpose::attack_complications, 10);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(stream.next(), block.word[i]);
    }
}

// The host draws two blocks at once in SSE2 lanes: the same words as each
// alone, whatever the counters and keys (all 32 bits of each in play), and
// the known answers above in either lane.
TEST(Philox, PairDrawsWhatEachBlockDrawsAlone)
{
    std::mt19937_64 engine(20261123);
    auto word = [&] { return static_cast<std::uint32_t>(engine()); };
    for (int trial = 0; trial < 100000; ++trial) {
        const PhiloxKey key{{word(), word()}};
        PhiloxCounter first{{word(), word(), word(), word()}};
        PhiloxCounter second{{word(), word(), word(), word()}};
        const PhiloxCounter first_alone = philox4x32_10(first, key);
        const PhiloxCounter second_alone = philox4x32_10(second, key);
        philox4x32_10_pair(first, second, key);
        for (int i = 0; i < 4; ++i) {
            ASSERT_EQ(first.word[i], first_alone.word[i]) << "trial " << trial << ", word " << i;
            ASSERT_EQ(second.word[i], second_alone.word[i]) << "trial " << trial << ", word " << i;
        }
    }
    PhiloxCounter zero{{0, 0, 0, 0}};
    PhiloxCounter ones{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}};
    philox4x32_10_pair(ones, zero, PhiloxKey{{0, 0}});
    EXPECT_EQ(zero.word[0], 0x6627e8d5u);
    EXPECT_EQ(zero.word[3], 0x9b00dbd8u);
}

TEST(Philox, BlockPairsEqualSingleBlocks)
{
    const StreamKey key{0xfedcba9876543210ull, 12, 4000000000u};
    for (std::uint32_t block : {0u, 1u, 77u, 0xfffffffeu, 0xffffffffu}) {
        const BlockPair pair = draw_blocks(key, StreamPurpose::attack, block, StreamPurpose::attack_complications, block);
        const PhiloxCounter attack = draw_block(key, StreamPurpose::attack, block);
        const PhiloxCounter complications = draw_block(key, StreamPurpose::attack_complications, block);
        for (int i = 0; i < 4; ++i) {
            EXPECT_EQ(pair.first.word[i], attack.word[i]);
            EXPECT_EQ(pair.second.word[i], complications.word[i]);
        }
    }
}

TEST(Philox, UniformConversionsStayInsideTheOpenInterval)
{
    EXPECT_GT(to_open_unit(0u), 0.0);
    EXPECT_LT(to_open_unit(0xffffffffu), 1.0);
    EXPECT_GT(to_open_unit_52(0u, 0u), 0.0);
    EXPECT_LT(to_open_unit_52(0xffffffffu, 0xffffffffu), 1.0);
    EXPECT_DOUBLE_EQ(to_open_unit(0x80000000u), 0.5 + 0.5 / 4294967296.0);
}

#if SCLS_TEST_HAVE_CURAND
TEST(Philox, EqualsCurandDeviceApiOverManyTriples)
{
    std::mt19937_64 pick(2026);
    for (int trial = 0; trial < 2000; ++trial) {
        std::uint64_t seed = pick();
        std::uint64_t subsequence = pick();
        std::uint64_t offset = pick() >> (trial % 64);  // small and huge offsets
        if (trial % 7 == 0) {
            subsequence &= 0xffffffffull;
        }
        if (trial % 11 == 0) {
            offset = (offset & ~3ull) | 3ull;  // start inside a block
        }
        curandStatePhilox4_32_10_t reference;
        curand_init(seed, subsequence, offset, &reference);
        PhiloxStream ours(seed, subsequence, offset);
        for (int draw = 0; draw < 37; ++draw) {
            ASSERT_EQ(ours.next(), curand(&reference))
                << "seed " << seed << " subsequence " << subsequence << " offset " << offset << " draw " << draw;
        }
    }
}

TEST(Philox, StreamLayoutEqualsCurandInitWithDocumentedArguments)
{
    const StreamKey key{987654321ull, 5, 123456};
    for (auto purpose : {StreamPurpose::attributes, StreamPurpose::attack, StreamPurpose::adverse_event_outcomes}) {
        curandStatePhilox4_32_10_t reference;
        curand_init(key.seed, (std::uint64_t{key.parameter_set} << 32) | key.patient,
                    4ull * ((std::uint64_t{static_cast<std::uint32_t>(purpose)} << 32) | 17u), &reference);
        PhiloxStream ours = open_stream(key, purpose, 17);
        for (int draw = 0; draw < 16; ++draw) {
            ASSERT_EQ(ours.next(), curand(&reference));
        }
    }
}
#else
TEST(Philox, EqualsCurandDeviceApiOverManyTriples)
{
    GTEST_SKIP() << "curand_kernel.h not found at configure time: cuRAND equivalence not checked";
}
#endif

}  // namespace
}  // namespace scls
