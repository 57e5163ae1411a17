// The blocks of four attacks at once, in each register width this processor
// has, are the blocks draw_block gives one at a time; and the batch's draws,
// in each width, are draw_attack's, bit for bit.
#include "kernels/random/attack_blocks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "kernels/model/attack_draws.hpp"
#include "kernels/random/streams.hpp"
#include "tests/support/processor.hpp"

namespace scls {
namespace {

#if SCLS_ATTACK_BLOCKS_IN_VECTORS

using test::processor_has;


std::vector<StreamKey> keys()
{
    std::vector<StreamKey> out = {{0, 0, 0}, {20260601, 0, 1}, {0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFu, 0xFFFFFFFFu}};
    std::mt19937_64 engine(11);
    for (int i = 0; i < 50; ++i) {
        out.push_back({engine(), static_cast<std::uint32_t>(engine()), static_cast<std::uint32_t>(engine())});
    }
    return out;
}

class AttackBlocksIn : public ::testing::TestWithParam<AttackBlockRegisters> {};

TEST_P(AttackBlocksIn, AreTheBlocksOfEachAttack)
{
    const AttackBlockRegisters registers = GetParam();
    if (!processor_has(registers)) {
        GTEST_SKIP() << name_of(registers) << " not available on this processor";
    }
    for (const StreamKey& key : keys()) {
        for (const std::uint32_t first : {0u, 1u, 5u, 125u, 0x7FFFFFFFu, 0xFFFFFFFBu}) {
            AttackBlocks blocks;
            attack_blocks(key, first, blocks, registers);
            for (int i = 0; i < kAttacksPerBatch; ++i) {
                const PhiloxCounter attack = draw_block(key, StreamPurpose::attack, first + i);
                const PhiloxCounter complication = draw_block(key, StreamPurpose::attack_complications, first + i);
                for (int w = 0; w < 4; ++w) {
                    ASSERT_EQ(blocks.word[w][i], attack.word[w]) << name_of(registers) << " attack " << first + i << " word " << w;
                    ASSERT_EQ(blocks.word[w][kAttacksPerBatch + i], complication.word[w])
                        << name_of(registers) << " attack " << first + i << " complication word " << w;
                }
            }
        }
    }
}

// Eight counters of any streams at once (a patient's attribute blocks,
// attribute_blocks.hpp) are each counter's block.
TEST_P(AttackBlocksIn, MakeABatchOfAnyCountersEachCountersBlock)
{
    const AttackBlockRegisters registers = GetParam();
    if (!processor_has(registers)) {
        GTEST_SKIP() << name_of(registers) << " not available on this processor";
    }
    std::mt19937 engine(13);
    for (const StreamKey& key : keys()) {
        for (int batch = 0; batch < 200; ++batch) {
            PhiloxBatch counters;
            for (auto& word : counters.word) {
                for (std::uint32_t& lane : word) {
                    lane = batch == 0 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(engine());
                }
            }
            PhiloxBatch blocks;
            philox_batch(counters, philox_key(key), blocks, registers);
            for (int lane = 0; lane < kPhiloxBatchLanes; ++lane) {
                const PhiloxCounter counter{{counters.word[0][lane], counters.word[1][lane], counters.word[2][lane], counters.word[3][lane]}};
                const PhiloxCounter block = philox4x32_10(counter, philox_key(key));
                for (int w = 0; w < 4; ++w) {
                    ASSERT_EQ(blocks.word[w][lane], block.word[w]) << name_of(registers) << " lane " << lane << " word " << w;
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Registers, AttackBlocksIn,
                         ::testing::Values(AttackBlockRegisters::sse2, AttackBlockRegisters::avx2, AttackBlockRegisters::avx512),
                         [](const auto& info) {
                             std::string name = name_of(info.param);
                             name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                             return name;
                         });

// Restores an environment variable when it goes.
class ScopedEnvironment {
  public:
    ScopedEnvironment(const char* name, const char* value) : name_(name)
    {
        const char* old = std::getenv(name);
        had_ = old != nullptr;
        old_ = had_ ? old : "";
        ::setenv(name, value, 1);
    }
    ~ScopedEnvironment() { had_ ? ::setenv(name_, old_.c_str(), 1) : ::unsetenv(name_); }

  private:
    const char* name_;
    bool had_;
    std::string old_;
};

TEST(AttackBlocks, TheWidestIsChosenUnlessANarrowerIsAskedFor)
{
    const ScopedEnvironment unset("SCLS_ATTACK_BLOCKS", "");
    const AttackBlockRegisters widest = attack_block_registers();
    EXPECT_TRUE(processor_has(widest));
    if (widest != AttackBlockRegisters::avx512) {
        EXPECT_FALSE(processor_has(AttackBlockRegisters::avx512));
    }
    std::printf("attack blocks on this processor: %s\n", name_of(widest));
    {
        const ScopedEnvironment asked("SCLS_ATTACK_BLOCKS", "sse2");
        EXPECT_EQ(attack_block_registers(), AttackBlockRegisters::sse2);
    }
    {
        const ScopedEnvironment asked("SCLS_ATTACK_BLOCKS", "avx2");
        EXPECT_EQ(attack_block_registers(), processor_has(AttackBlockRegisters::avx2) ? AttackBlockRegisters::avx2 : widest);
    }
    {
        const ScopedEnvironment asked("SCLS_ATTACK_BLOCKS", "avx-9000");  // not a path: the widest
        EXPECT_EQ(attack_block_registers(), widest);
    }
}

// The batch's draws, their logarithms and conversions in vector lanes of each
// width, are draw_attack's one attack at a time.
TEST_P(AttackBlocksIn, GiveTheDrawsOfEachAttack)
{
    const AttackBlockRegisters registers = GetParam();
    if (!processor_has(registers)) {
        GTEST_SKIP() << name_of(registers) << " not available on this processor";
    }
    // About 27,000 draws per width (10^5 attacks, or 2 10^5 with AVX-512's eight a draw).
    std::mt19937 engine(12);
    for (const StreamKey& key : keys()) {
        // The last batch below the diagnostic attack's block, too.
        std::vector<std::uint32_t> firsts = {1u, 5u, 125u, 0xFFFFFFFFu - kMostAttacksPerDraw};
        for (int extra = 0; extra < 500; ++extra) {
            firsts.push_back(static_cast<std::uint32_t>(engine()) % (0xFFFFFFFFu - kMostAttacksPerDraw + 1));
        }
        for (const std::uint32_t first : firsts) {
            // Eight with AVX-512, four otherwise; the entries past them stay as they were
            // (AttackDraws has no padding, so whole-object comparisons see every byte).
            static_assert(sizeof(AttackDraws) == (4 + kComplications) * sizeof(double));
            const int attacks = attacks_per_draw(registers);
            ASSERT_EQ(attacks, registers == AttackBlockRegisters::avx512 ? 8 : 4);
            AttackDraws batch[kMostAttacksPerDraw + 1];
            std::memset(batch, 0xA5, sizeof batch);
            AttackDraws untouched;
            std::memset(&untouched, 0xA5, sizeof untouched);
            draw_attacks(key, first, batch, registers);
            for (int i = 0; i <= kMostAttacksPerDraw; ++i) {
                const AttackDraws one = i < attacks ? draw_attack(key, first + i) : untouched;
                ASSERT_EQ(std::memcmp(&batch[i], &one, sizeof one), 0)
                    << (i < attacks ? "attack " + std::to_string(first + i) : "written past the draws: entry " + std::to_string(i));
            }
        }
    }
}

#else

TEST(AttackBlocks, NotOnThisHost)
{
    GTEST_SKIP() << "attack blocks in vector registers are built on x86-64 hosts only; this build draws one attack at a time";
}

#endif

}  // namespace
}  // namespace scls
