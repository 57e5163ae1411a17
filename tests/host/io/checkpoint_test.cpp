// Checkpoints: a share interrupted after any batch and resumed from its
// segments gives the bits of an uninterrupted run; checkpoints of another
// run are refused, naming what differs; damaged directories are refused.
#include "host/io/checkpoint.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "host/engine/engine.hpp"
#include "host/psa/parameter_sets.hpp"
#include "host/psa/psa.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/launch/backend.hpp"
#include "tests/support/test_paths.hpp"

namespace scls {
namespace {

namespace fs = std::filesystem;

struct Interrupted : std::runtime_error {
    Interrupted() : std::runtime_error("interrupted") {}
};

class CheckpointTest : public ::testing::Test {
  protected:
    void SetUp() override
    {
        directory = fs::temp_directory_path() /
                    fmt::format("sclsim-checkpoint-{}-{}", ::testing::UnitTest::GetInstance()->current_test_info()->name(), ::getpid());
        fs::remove_all(directory);
        scenario = load_scenario_file(test::kSourceDir + "/scenarios/scls_psa.toml",
                                      {{"simulation.patients", "40000"}, {"psa.draws", "3"}});
        sets = psa_parameter_sets(*load_psa_spec(scenario));
        params = resolve_parameter_sets(scenario, sets);
        geometry = make_geometry(scenario, static_cast<std::uint32_t>(sets.size()), true);
        options.backend = BackendChoice::cpu;
        options.threads = 2;
        options.batch_blocks = 40;  // batches inside and across units
    }
    void TearDown() override { fs::remove_all(directory); }

    RunIdentity identity(int ranks = 2) const { return run_identity(scenario, sets, geometry, ranks, "test (abc)"); }

    // Share `rank` of `ranks`, checkpointed after every batch; when stop_after
    // is set, the run is interrupted after that many batches (as by a kill).
    ShareResult run_share(int rank, int ranks, std::optional<int> stop_after)
    {
        const WorkUnits units(geometry);
        ShareCheckpoint checkpoint(directory, identity(ranks), rank, geometry);
        ShareResult share = empty_share(units, units.share(rank, ranks), geometry);
        if (auto loaded = checkpoint.load(share.units)) {
            share = std::move(*loaded);
        }
        RunOptions run = options;
        run.checkpoint = [&](const ShareResult& state) { checkpoint.save(state); };
        run.checkpoint_interval_seconds = 0.0;
        int batches = 0;
        run.progress = [&](std::uint64_t, std::uint64_t) {
            if (stop_after && ++batches == *stop_after) {
                throw Interrupted();
            }
        };
        const std::vector<ModelParams> share_params(params.begin() + share.first_set, params.begin() + share.first_set + share.set_count);
        auto backend = make_backend(share_params, share_geometry(geometry, share), run);
        return simulate_share(*backend, geometry, std::move(share), run);
    }

    RunResult uninterrupted(int ranks)
    {
        std::vector<ShareResult> shares;
        const fs::path saved = directory;
        directory /= "uninterrupted";
        for (int r = 0; r < ranks; ++r) {
            shares.push_back(run_share(r, ranks, std::nullopt));
        }
        directory = saved;
        return assemble_run(geometry, shares);
    }

    fs::path directory;
    Scenario scenario;
    ParameterSets sets;
    std::vector<ModelParams> params;
    LaunchGeometry geometry{};
    RunOptions options;
};

TEST_F(CheckpointTest, ResumingAfterAnyBatchGivesTheBitsOfAnUninterruptedRun)
{
    const RunResult reference = uninterrupted(2);
    // Interrupt rank 0 after 1, then 3 more, batches and rank 1 after 2; the
    // third attempt finishes both.
    for (const auto& stops : std::vector<std::pair<std::optional<int>, std::optional<int>>>{{1, 2}, {3, std::nullopt}}) {
        EXPECT_THROW(run_share(0, 2, stops.first), Interrupted);
        if (stops.second) {
            EXPECT_THROW(run_share(1, 2, stops.second), Interrupted);
        }
    }
    const CheckpointSummary summary = inspect_checkpoint(directory, identity());
    EXPECT_TRUE(summary.exists);
    EXPECT_GT(summary.units_done, 0u);
    const RunResult resumed = assemble_run(geometry, {run_share(0, 2, std::nullopt), run_share(1, 2, std::nullopt)});
    ASSERT_EQ(resumed.moments.size(), reference.moments.size());
    EXPECT_EQ(std::memcmp(resumed.moments.data(), reference.moments.data(), reference.moments.size() * sizeof(double)), 0);
    EXPECT_EQ(resumed.counts, reference.counts);
}

TEST_F(CheckpointTest, AFinishedShareResumesWithNothingLeftToDo)
{
    const ShareResult done = run_share(0, 1, std::nullopt);
    ShareCheckpoint checkpoint(directory, identity(1), 0, geometry);
    const std::optional<ShareResult> loaded = checkpoint.load(done.units);
    ASSERT_TRUE(loaded);
    EXPECT_TRUE(loaded->complete());
    EXPECT_EQ(loaded->units_loaded, done.units.size());
    EXPECT_EQ(loaded->counts, done.counts);
}

TEST_F(CheckpointTest, NoDirectoryMeansNoCheckpoint)
{
    EXPECT_FALSE(inspect_checkpoint(directory, identity()).exists);
    ShareCheckpoint checkpoint(directory, identity(), 0, geometry);
    EXPECT_FALSE(checkpoint.load(WorkUnits(geometry).share(0, 2)));
}

std::string refusal(const fs::path& directory, const RunIdentity& identity)
{
    try {
        inspect_checkpoint(directory, identity);
    } catch (const InputError& e) {
        return e.issues().at(0).to_string();
    }
    return "accepted";
}

TEST_F(CheckpointTest, ACheckpointOfAnotherRunIsRefusedNamingTheDifference)
{
    EXPECT_THROW(run_share(0, 2, 3), Interrupted);  // one segment
    EXPECT_EQ(refusal(directory, identity()), "accepted");

    RunIdentity other_seed = identity();
    other_seed.seed += 1;
    EXPECT_NE(refusal(directory, other_seed).find(fmt::format("seed: is {} in the checkpoint, {} in this run", other_seed.seed - 1, other_seed.seed)),
              std::string::npos)
        << refusal(directory, other_seed);
    EXPECT_NE(refusal(directory, identity(4)).find("written by a run of 2 processes, this run has 4"), std::string::npos);
    EXPECT_NE(refusal(directory, identity(4)).find("mpirun -np 2"), std::string::npos);

    RunIdentity other_build = identity();
    other_build.sclsim_version = "0.2.0 (def)";
    EXPECT_NE(refusal(directory, other_build).find("written by sclsim test (abc), this is sclsim 0.2.0 (def)"), std::string::npos);

    // Another parameter value: only the fingerprint tells.
    const Scenario cheaper = load_scenario_file(test::kSourceDir + "/scenarios/scls_psa.toml",
                                                {{"simulation.patients", "40000"}, {"psa.draws", "3"}, {"costs.icu_day", "1000"}});
    const RunIdentity other_scenario = run_identity(cheaper, sets, geometry, 2, "test (abc)");
    EXPECT_NE(other_scenario.scenario_digest, identity().scenario_digest);
    EXPECT_NE(refusal(directory, other_scenario).find("checkpoint of another scenario"), std::string::npos);
    for (const RunIdentity& other : {other_seed, identity(4), other_build, other_scenario}) {
        EXPECT_NE(refusal(directory, other).find("--restart"), std::string::npos) << "every refusal gives the remedy: " << refusal(directory, other);
    }
}

TEST_F(CheckpointTest, AMissingSegmentOrAForeignFileIsRefused)
{
    EXPECT_THROW(run_share(0, 2, 7), Interrupted);  // segments 0, 1 and 2 (every second batch ends a unit)
    fs::remove(directory / "rank-0000-of-0002.seg-000001.h5");
    ShareCheckpoint checkpoint(directory, identity(), 0, geometry);
    try {
        checkpoint.load(WorkUnits(geometry).share(0, 2));
        ADD_FAILURE() << "a checkpoint with a missing segment was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(e.issues().at(0).to_string().find("segment 1 is missing"), std::string::npos) << e.issues().at(0).to_string();
    }

    fs::remove_all(directory);
    fs::create_directories(directory);
    std::ofstream(directory / "rank-0000-of-0002.seg-000000.h5") << "not HDF5";
    EXPECT_NE(refusal(directory, identity()).find("not an HDF5 file"), std::string::npos) << refusal(directory, identity());
}

}  // namespace
}  // namespace scls
