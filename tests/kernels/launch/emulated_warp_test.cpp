// The emulated warp checks the contract a GPU warp's sums rely on: lanes
// tallying together under one key make the same adds in the same order.
#include "kernels/launch/emulated_warp.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

namespace scls {
namespace {

TEST(EmulatedWarp, LanesOfOneKeyMakingTheSameAddsPassAndSumEachLanesAmount)
{
    EmulatedWarp<3> warp;
    std::uint64_t counts[2] = {0, 0};
    int key = 0, other = 0;
    warp.each([&](PatientLane&, int lane) {
        const unsigned peers = warp.peers(0b111u, lane, lane < 2 ? &key : &other);
        warp.add(peers, lane, &counts[0], 1u + static_cast<unsigned>(lane));
        if (lane == 2) {  // alone under its key: may add what it likes
            warp.add(peers, lane, &counts[1], 5u);
        }
    });
    EXPECT_EQ(counts[0], 1u + 2u + 3u);
    EXPECT_EQ(counts[1], 5u);
}

TEST(EmulatedWarp, AnAddBehindABranchInOneLaneOfAKeyIsRefused)
{
    EmulatedWarp<2> warp;
    std::uint64_t counts[2] = {0, 0};
    int key = 0;
    auto branching = [&](PatientLane&, int lane) {
        const unsigned peers = warp.peers(0b11u, lane, &key);
        warp.add(peers, lane, &counts[lane == 0 ? 0 : 1], 1u);  // a GPU warp would add lane 1's amount to counts[0]
    };
    EXPECT_THROW(warp.each(branching), std::logic_error);
}

// A GPU warp runs an add's reduction when any lane of the pass has an
// amount there; each lane's own work is its nonzero amounts.
TEST(EmulatedWarp, TheCensusCountsTheAddsAWarpWouldRunAndEachLanesOwn)
{
    AddCensus census;
    EmulatedWarp<3, EmulatedAdds::census> warp(&census);
    std::uint64_t counts[3] = {0, 0, 0};
    int key = 0;
    const std::uint32_t amounts[3][3] = {{0, 4, 0}, {0, 0, 0}, {2, 0, 0}};  // lane x position
    warp.each([&](PatientLane&, int lane) {
        const unsigned peers = warp.peers(0b111u, lane, &key);
        for (int position = 0; position < 3; ++position) {
            warp.add(peers, lane, &counts[position], amounts[lane][position]);
        }
    });
    EXPECT_EQ(census.calls, 9u);
    EXPECT_EQ(census.lane_adds, 2u);
    EXPECT_EQ(census.positions, 3u);
    EXPECT_EQ(census.warp_adds, 2u);  // positions 0 and 1; nobody adds at 2
    EXPECT_EQ(counts[0], 2u);
    EXPECT_EQ(counts[1], 4u);
    EXPECT_EQ(counts[2], 0u);

    // A second pass starts its positions afresh: one lane adds at position 2 only.
    warp.each([&](PatientLane&, int lane) {
        const unsigned peers = warp.peers(0b111u, lane, &key);
        for (int position = 0; position < 3; ++position) {
            warp.add(peers, lane, &counts[position], lane == 1 && position == 2 ? 7u : 0u);
        }
    });
    EXPECT_EQ(census.calls, 18u);
    EXPECT_EQ(census.lane_adds, 3u);
    EXPECT_EQ(census.positions, 6u);
    EXPECT_EQ(census.warp_adds, 3u);
    EXPECT_EQ(counts[2], 7u);
}

}  // namespace
}  // namespace scls
