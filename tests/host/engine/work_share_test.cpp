// Work units and shares: the partition covers every unit once, and a run cut
// into any number of shares — each simulated by its own backend, as MPI ranks
// do — merges to the very same bits as the run in one piece.
#include "host/engine/work_share.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "host/engine/engine.hpp"
#include "host/psa/parameter_sets.hpp"
#include "host/psa/psa.hpp"
#include "kernels/launch/backend.hpp"
#include "tests/support/test_paths.hpp"

namespace scls {
namespace {

LaunchGeometry geometry_of(std::uint32_t sets, std::uint32_t patients)
{
    LaunchGeometry g{};
    g.seed = 1;
    g.parameter_sets = sets;
    g.patients_per_set = patients;
    g.blocks_per_set = (patients + kPatientsPerBlock - 1) / kPatientsPerBlock;
    g.strategies = 2;
    g.layout = CountLayout{12};
    return g;
}

TEST(WorkUnits, CutEachSetIntoUnitsOf64BlocksWithAShortLastUnit)
{
    const WorkUnits units(geometry_of(3, 40000));  // 157 blocks per set: units of 64, 64, 29 blocks
    EXPECT_EQ(units.units_per_set(), 3u);
    EXPECT_EQ(units.count(), 9u);
    EXPECT_EQ(units.first_block(4), 157u + 64u);
    EXPECT_EQ(units.end_block(5), 2u * 157u);
    EXPECT_EQ(units.set_of(5), 1u);
    EXPECT_EQ(units.index_in_set(5), 2u);
    EXPECT_EQ(units.patients(0), 64u * kPatientsPerBlock);
    EXPECT_EQ(units.patients(2), 40000u - 128u * kPatientsPerBlock);
}

TEST(WorkUnits, SharesCoverEveryUnitOnceInRankOrderAndBalanceBlocks)
{
    for (const auto& [sets, patients] : {std::pair{1u, 1000u}, {1u, 3000000u}, {7u, 40000u}, {1000u, 10000u}, {3u, 16384u}}) {
        const LaunchGeometry g = geometry_of(sets, patients);
        const WorkUnits units(g);
        for (int ranks : {1, 2, 3, 4, 7, 64}) {
            std::uint64_t next = 0;
            std::uint64_t largest = 0;
            std::uint64_t smallest = UINT64_MAX;
            for (int r = 0; r < ranks; ++r) {
                const UnitRange range = units.share(r, ranks);
                EXPECT_EQ(range.first, next) << sets << " sets, rank " << r << " of " << ranks;
                EXPECT_LE(range.first, range.end);
                next = range.end;
                const std::uint64_t blocks = range.size() ? units.end_block(range.end - 1) - units.first_block(range.first) : 0;
                largest = std::max(largest, blocks);
                smallest = std::min(smallest, blocks);
            }
            EXPECT_EQ(next, units.count()) << sets << " sets over " << ranks << " ranks";
            if (units.count() >= static_cast<std::uint64_t>(ranks) * 4) {
                // Within two units of each other once every rank has a few.
                EXPECT_LE(largest - smallest, 2u * kBlocksPerUnit) << sets << " sets over " << ranks << " ranks";
            }
        }
    }
}

// The run of a scenario cut into `ranks` shares, each on its own backend.
RunResult run_in_shares(const Scenario& scenario, const std::vector<ModelParams>& params, int ranks, bool same_patients,
                        std::uint64_t batch_blocks)
{
    const LaunchGeometry geometry = make_geometry(scenario, static_cast<std::uint32_t>(params.size()), same_patients);
    const WorkUnits units(geometry);
    RunOptions options;
    options.backend = BackendChoice::cpu;
    options.threads = 1;
    options.batch_blocks = batch_blocks;
    std::vector<ShareResult> shares;
    for (int r = 0; r < ranks; ++r) {
        ShareResult share = empty_share(units, units.share(r, ranks), geometry);
        const std::vector<ModelParams> share_params(params.begin() + share.first_set,
                                                    params.begin() + share.first_set + share.set_count);
        auto backend = make_backend(share_params, share_geometry(geometry, share), options);
        // Through bytes, as between MPI ranks.
        shares.push_back(unpack_share(pack_share(simulate_share(*backend, geometry, std::move(share), options))));
    }
    return assemble_run(geometry, shares);
}

void expect_same_bits(const RunResult& a, const RunResult& b, const std::string& what)
{
    ASSERT_EQ(a.moments.size(), b.moments.size()) << what;
    ASSERT_EQ(a.counts.size(), b.counts.size()) << what;
    EXPECT_EQ(std::memcmp(a.moments.data(), b.moments.data(), a.moments.size() * sizeof(double)), 0) << what << ": moments differ";
    EXPECT_EQ(a.counts, b.counts) << what << ": counts differ";
}

TEST(Shares, AnyNumberOfSharesMergesToTheBitsOfOneProcess)
{
    // Four PSA sets of 20,000 patients: two units per set (64 + 15 blocks),
    // so shares join sets part-way for most rank counts.
    Scenario scenario = load_scenario_file(test::kSourceDir + "/scenarios/scls_psa.toml",
                                           {{"simulation.patients", "20000"}, {"psa.draws", "3"}});
    const std::optional<PsaSpec> spec = load_psa_spec(scenario);
    ASSERT_TRUE(spec);
    const ParameterSets sets = psa_parameter_sets(*spec);
    const std::vector<ModelParams> params = resolve_parameter_sets(scenario, sets);
    for (bool same_patients : {true, false}) {
        RunOptions whole;
        whole.backend = BackendChoice::cpu;
        const RunResult reference = run_simulation(scenario, params, whole, same_patients);
        for (int ranks : {1, 2, 3, 5, 16}) {
            expect_same_bits(reference, run_in_shares(scenario, params, ranks, same_patients, 0),
                             fmt::format("{} shares, same patients {}", ranks, same_patients));
        }
        expect_same_bits(reference, run_in_shares(scenario, params, 3, same_patients, 5), "3 shares, batches of 5 blocks");
    }
}

TEST(Shares, ASingleSetSplitAcrossSharesMergesToTheSameBits)
{
    // One set of seven units: later shares join it part-way with several
    // units each; their integer tallies add to those of one process.
    const Scenario scenario = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", {{"simulation.patients", "100000"}});
    RunOptions whole;
    whole.backend = BackendChoice::cpu;
    const RunResult reference = run_simulation(scenario, {scenario.params}, whole);
    for (int ranks : {2, 3, 7}) {
        expect_same_bits(reference, run_in_shares(scenario, {scenario.params}, ranks, false, 0), fmt::format("{} shares", ranks));
    }
}

TEST(Shares, ResolvingARangeOfSetsGivesThoseSetsOfTheWholeResolution)
{
    Scenario scenario = load_scenario_file(test::kSourceDir + "/scenarios/scls_psa.toml", {{"psa.draws", "6"}});
    const ParameterSets sets = psa_parameter_sets(*load_psa_spec(scenario));
    const std::vector<ModelParams> all = resolve_parameter_sets(scenario, sets);
    const std::vector<ModelParams> middle = resolve_parameter_sets(scenario, sets, 2, 3);
    ASSERT_EQ(middle.size(), 3u);
    for (std::size_t i = 0; i < middle.size(); ++i) {
        EXPECT_EQ(std::memcmp(&middle[i], &all[2 + i], sizeof(ModelParams)), 0) << "set " << 2 + i;
    }
    EXPECT_EQ(resolve_parameter_sets(scenario, sets, 5, 100).size(), 2u);  // clipped at the last set
    EXPECT_TRUE(resolve_parameter_sets(scenario, sets, 9, 1).empty());
}

TEST(Shares, PackedSharesRoundTripAndDamageIsRefused)
{
    ShareResult share = empty_share(WorkUnits(geometry_of(3, 40000)), UnitRange{2, 7}, geometry_of(3, 40000));
    share.units_done = 5;
    share.counts[7] = 42;
    share.counts.back() = ~std::uint64_t{0};
    share.simulate_seconds = 0.25;
    const std::vector<char> bytes = pack_share(share);
    const ShareResult back = unpack_share(bytes);
    EXPECT_EQ(back.units, share.units);
    EXPECT_EQ(back.first_set, 0u);
    EXPECT_EQ(back.set_count, 3u);
    EXPECT_EQ(back.units_done, 5u);
    EXPECT_EQ(back.counts, share.counts);
    EXPECT_EQ(back.simulate_seconds, 0.25);

    std::vector<char> truncated(bytes.begin(), bytes.end() - 9);
    EXPECT_THROW(unpack_share(truncated), std::runtime_error);
    std::vector<char> bad_magic = bytes;
    bad_magic[0] ^= 1;
    EXPECT_THROW(unpack_share(bad_magic), std::runtime_error);
}

TEST(Shares, MergeRefusesGapsAndUnfinishedShares)
{
    const LaunchGeometry g = geometry_of(2, 40000);
    const WorkUnits units(g);
    ShareResult first = empty_share(units, units.share(0, 2), g);
    ShareResult second = empty_share(units, units.share(1, 2), g);
    first.units_done = first.units.size();
    EXPECT_THROW(merge_shares({first, second}, g), std::logic_error);  // second unfinished
    second.units_done = second.units.size();
    EXPECT_THROW(merge_shares({second, first}, g), std::logic_error);  // out of order
    EXPECT_THROW(merge_shares({first}, g), std::logic_error);          // units missing
    EXPECT_NO_THROW(merge_shares({first, second}, g));
}

}  // namespace
}  // namespace scls
