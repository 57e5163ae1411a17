// run, psa and sweep after their inputs are read (see execute.hpp).
#include "host/cli/execute.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <iostream>
#include <optional>
#include <thread>

#include "host/cea/analysis.hpp"
#include "host/cli/cea_report.hpp"
#include "host/cli/command.hpp"
#include "host/cli/progress.hpp"
#include "host/cli/report.hpp"
#include "host/engine/summary.hpp"
#include "host/io/checkpoint.hpp"
#include "host/io/files.hpp"
#include "host/io/hdf5_output.hpp"
#include "host/parallel/cluster.hpp"
#include "host/version.hpp"
#include "kernels/launch/backend.hpp"

namespace scls {

namespace {

using Clock = std::chrono::steady_clock;

// Memory one parameter set's results take on rank 0, per strategy and month
// of the grid (counts, Kaplan-Meier curves with SEs, the file's buffers);
// measured: 1001 sets x 5 strategies x 986 months took 0.97 GB.
constexpr double kResultBytesPerStrategyMonth = 200.0;

double peak_resident_mib()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Test hook: SCLS_TEST_FAIL_RANK=R:B makes rank R fail once it has
// simulated B blocks, as a rank whose device fails mid-run would.
void inject_test_failure(const Cluster& cluster, RunOptions& run)
{
    const char* setting = std::getenv("SCLS_TEST_FAIL_RANK");
    int rank = -1;
    unsigned long long blocks = 0;
    if (setting == nullptr || std::sscanf(setting, "%d:%llu", &rank, &blocks) != 2 || rank != cluster.place().rank) {
        return;
    }
    run.progress = [previous = run.progress, blocks](std::uint64_t done, std::uint64_t total) {
        if (previous) {
            previous(done, total);
        }
        if (done >= blocks) {
            throw std::runtime_error(fmt::format("injected failure after {} blocks (SCLS_TEST_FAIL_RANK)", done));
        }
    };
}

// What a rerun will find after a failure.
std::string after_failure(const std::filesystem::path& output, const std::filesystem::path& checkpoint_dir, bool checkpointing)
{
    std::error_code error;
    const bool kept = checkpointing && std::filesystem::is_directory(checkpoint_dir, error);
    return fmt::format("nothing was written to {}{}", output.string(),
                       kept ? fmt::format("; the finished work is kept in {}: once the cause is fixed, the same command resumes",
                                          checkpoint_dir.string())
                            : "");
}

struct RunPlan {
    LaunchGeometry geometry;
    WorkUnits units;
    UnitRange range;
    RunIdentity identity;
    std::filesystem::path checkpoint_dir;
};

// Rank 0, before anyone reads a checkpoint: --restart, --resume and foreign
// checkpoints. Returns whether the run resumes.
bool inspect_on_root(const ExecuteOptions& options, const RunPlan& plan)
{
    if (options.restart) {
        remove_checkpoint(plan.checkpoint_dir);
    }
    if (!options.checkpoint) {
        if (std::filesystem::exists(plan.checkpoint_dir)) {
            std::cerr << fmt::format("sclsim: --no-checkpoint: leaving {} alone and starting from the beginning\n",
                                     plan.checkpoint_dir.string());
        }
        return false;
    }
    const CheckpointSummary summary = inspect_checkpoint(plan.checkpoint_dir, plan.identity);
    if (options.resume && !summary.exists) {
        throw InputError({{plan.checkpoint_dir.string(), "--resume", 0,
                           "holds no checkpoint of this run (it was never interrupted after its first checkpoint, or it "
                           "finished) — run the same command without --resume to start"}});
    }
    if (summary.exists) {
        std::cerr << fmt::format("sclsim: resuming from {}: {} of {} work units already done\n", plan.checkpoint_dir.string(),
                                 summary.units_done, plan.units.count());
    }
    return summary.exists;
}

// One rank's part: its checkpoint segments, its parameter sets, its backend.
struct PreparedShare {
    std::optional<ShareCheckpoint> checkpoint;
    ShareResult share;
    std::unique_ptr<SimulationBackend> backend;
    double resolve_seconds = 0.0;
};

void prepare_share(const Scenario& scenario, const ParameterSets& sets, const ExecuteOptions& options, const RunPlan& plan,
                   int rank, const RunOptions& run, PreparedShare& prepared)
{
    prepared.share = empty_share(plan.units, plan.range, plan.geometry);
    if (options.checkpoint) {
        prepared.checkpoint.emplace(plan.checkpoint_dir, plan.identity, rank, plan.geometry);
        if (std::optional<ShareResult> loaded = prepared.checkpoint->load(plan.range)) {
            prepared.share = std::move(*loaded);
        }
    }
    const auto resolve_start = Clock::now();
    const std::vector<ModelParams> params =
        resolve_parameter_sets(scenario, sets, prepared.share.first_set, prepared.share.set_count);
    prepared.resolve_seconds = std::chrono::duration<double>(Clock::now() - resolve_start).count();
    prepared.backend = make_backend(params, share_geometry(plan.geometry, prepared.share), run);
}

struct WriteContext {
    const Scenario& scenario;
    const ParameterSets& sets;
    const PsaSpec* spec;
    const ExecuteOptions& options;
    const std::filesystem::path& output_path;
    const std::filesystem::path& checkpoint_dir;
    bool checkpointing;
    bool resumed;
    int processes;
    std::size_t resolved_sets;  // by rank 0
    double resolve_seconds;
    Clock::time_point wall_start;
};

void print_tables(const WriteContext& c, const std::vector<std::vector<StrategySummary>>& summaries, const CeaAnalysis& analysis,
                  const std::vector<TargetValue>& target_values, const std::string& device)
{
    fmt::print("{}\n{}: {}\n\n", c.scenario.title, c.scenario.source_name, device);
    if (c.sets.size() > 1) {
        fmt::print("Base case (parameter set 0):\n");
    }
    std::cout << format_summary_table(c.scenario, summaries[0]) << "\n";
    std::cout << format_cost_effectiveness(make_cost_effectiveness_view(c.scenario, summaries, c.sets, analysis));
    if (c.options.targets) {
        fmt::print("\nAgainst the targets of {} ({}):\n", c.options.targets->name, c.options.targets->source_name);
        std::cout << format_target_table(*c.options.targets, target_values);
    }
}

// Rank 0: results, file, tables.
void write_and_report(const WriteContext& c, RunResult& result, const std::vector<std::string>& hosts)
{
    std::vector<std::vector<StrategySummary>> summaries;
    for (std::uint32_t s = 0; s < result.geometry.parameter_sets; ++s) {
        summaries.push_back(summarize(c.scenario, result, s));
    }
    const CeaAnalysis analysis = analyse_cost_effectiveness(c.scenario, summaries, c.sets, c.spec);
    RunMetadata meta;
    meta.version = kSclsimVersion;
    meta.git_commit = kSclsimGitCommit;
    meta.created_utc = utc_now();
    meta.command_line = c.options.command_line;
    meta.peak_resident_mib = peak_resident_mib();
    meta.processes = c.processes;
    meta.hosts = hosts;
    meta.resumed = c.resumed;
    std::vector<TargetValue> target_values;
    if (c.options.targets) {
        target_values = evaluate_targets(*c.options.targets, summaries[0]);
    }
    result.wall_seconds = std::chrono::duration<double>(Clock::now() - c.wall_start).count();
    try {
        write_results_file(c.output_path, c.scenario, result, summaries, meta, [&](Hdf5Writer& writer) {
            write_parameter_sets_group(writer, c.sets);
            write_cea_group(writer, c.scenario, analysis);
            if (c.options.targets) {
                write_targets_group(writer, c.scenario, *c.options.targets, target_values, "/validation");
            }
        });
    } catch (const OutputError& e) {
        throw OutputError(fmt::format("{}; {}", e.what(),  // e.what() ends with the remedy for its cause
                                      after_failure(c.output_path, c.checkpoint_dir, c.checkpointing)));
    }
    if (c.checkpointing) {
        remove_checkpoint(c.checkpoint_dir);  // the file holds everything now
    }
    if (!c.options.quiet) {
        print_tables(c, summaries, analysis, target_values, result.backend_description);
    }
    if (c.sets.size() > 1) {
        fmt::print("\n{} parameter sets resolved in {:.2f} s{}\n", c.resolved_sets, c.resolve_seconds,
                   c.processes > 1 ? " (rank 0's share)" : "");
    }
    fmt::print("\n{} patient-strategy lifetimes{} in {:.2f} s ({:.3g}/s){}, wall {:.2f} s, peak memory {:.0f} MiB\n",
               result.patient_strategy_lifetimes() - result.resumed_lifetimes,
               result.resumed_lifetimes ? fmt::format(" (and {} from the checkpoint)", result.resumed_lifetimes) : std::string(),
               result.simulate_seconds, result.lifetimes_per_second(),
               c.processes > 1 ? fmt::format(" on {} processes (the slowest)", c.processes) : std::string(), result.wall_seconds,
               meta.peak_resident_mib);
    fmt::print("wrote {}\n", c.output_path.string());
    std::cout.flush();
}

}  // namespace

void check_run_fits_in_memory(const Scenario& scenario, std::size_t parameter_sets)
{
    const double months = std::ceil(kMonthsPerYear * (scenario.params.horizon_age_years - scenario.params.age_min_years)) + 1;
    const double needed = static_cast<double>(parameter_sets) * scenario.params.strategies * months * kResultBytesPerStrategyMonth;
    const double physical = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
    if (physical > 0 && needed > 0.8 * physical) {
        throw InputError({{scenario.source_name, "parameter sets", 0,
                           fmt::format("{} parameter sets x {} strategies need about {:.1f} GiB for their results (each set keeps "
                                       "its own survival curves and counts), more than this machine's {:.1f} GiB can hold — use "
                                       "fewer draws or grid points, or split the analysis into several runs",
                                       parameter_sets, scenario.params.strategies, needed / (1u << 30), physical / (1u << 30))}});
    }
}

int execute(Cluster& cluster, const Scenario& scenario, const ParameterSets& sets, const PsaSpec* spec,
            const std::filesystem::path& output_path, ExecuteOptions options)
{
    const auto wall_start = Clock::now();
    const ProcessPlace& place = cluster.place();
    const bool root = cluster.is_root();
    const LaunchGeometry geometry =
        make_geometry(scenario, static_cast<std::uint32_t>(sets.size()), sets.patients == PatientSampling::same);
    const WorkUnits units(geometry);
    const RunPlan plan{geometry, units, units.share(place.rank, place.ranks),
                       run_identity(scenario, sets, geometry, place.ranks, fmt::format("{} ({})", kSclsimVersion, kSclsimGitCommit)),
                       checkpoint_directory_for(output_path)};

    // 1. Rank 0 looks at any checkpoint before a rank reads its part.
    bool resumed = false;
    int status = cluster.agree(failure_of([&] { resumed = root && inspect_on_root(options, plan); }));
    if (status != 0) {
        return status;
    }

    // 2. Every rank: its part of the checkpoint, its parameter sets, its backend.
    RunOptions run = options.run;
    run.gpu_device = place.local_rank;  // the node-local GPU (modulo the device count)
    if (run.threads == 0 && place.local_ranks > 1) {
        run.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / place.local_ranks);
    }
    if (cluster.distributed() && run.notice) {
        run.notice = [&cluster, notice = run.notice](const std::string& text) { notice(cluster.describe() + ": " + text); };
    }
    PreparedShare prepared;
    status = cluster.agree(failure_of([&] { prepare_share(scenario, sets, options, plan, place.rank, run, prepared); }));
    if (status != 0) {
        return status;
    }

    // 3. Simulate. A failure now stops the whole job: the other ranks would
    // wait for this one's share for ever.
    ProgressBar bar(fmt::format("{} set{} x {} patients x {} strategies{}", sets.size(), sets.size() == 1 ? "" : "s", scenario.patients,
                                scenario.strategy_names.size(),
                                cluster.distributed() ? fmt::format(" (rank 0 of {})", place.ranks) : std::string()));
    if (root && !options.quiet) {
        run.progress = [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
    }
    inject_test_failure(cluster, run);
    if (prepared.checkpoint) {
        run.checkpoint = [&](const ShareResult& state) { prepared.checkpoint->save(state); };
        run.checkpoint_interval_seconds = options.checkpoint_every_seconds;
    }
    const auto stop_job = [&](const std::string& during, const std::exception& e) {
        bar.finish();
        std::cerr << fmt::format("sclsim: error{}{}: {}\n  the job stopped; {}\n",
                                 cluster.distributed() ? " (" + cluster.describe() + ")" : std::string(), during, e.what(),
                                 after_failure(output_path, plan.checkpoint_dir, options.checkpoint));
        if (cluster.distributed()) {
            cluster.abort(kExitRuntimeError);
        }
        return kExitRuntimeError;
    };
    ShareResult share;
    try {
        share = simulate_share(*prepared.backend, geometry, std::move(prepared.share), run);
    } catch (const std::exception& e) {
        return stop_job("", e);
    }
    bar.finish();
    // Collective too: a rank that fails here (out of memory for every share)
    // must stop the job, as the others already wait in the next collective.
    std::vector<ShareResult> shares;
    std::vector<std::string> hosts;
    try {
        shares = cluster.gather_shares(share);
        hosts = cluster.hosts();
    } catch (const std::exception& e) {
        return stop_job(" while gathering the shares", e);
    }
    if (!root) {
        return cluster.agree({});  // rank 0's verdict on writing the file
    }

    // 4. Rank 0: the results, the file, the tables.
    return cluster.agree(failure_of([&] {
        RunResult result = assemble_run(geometry, shares);
        result.backend = prepared.backend->name();
        result.backend_description = prepared.backend->description();
        if (cluster.distributed()) {
            result.backend_description += fmt::format(" on rank 0; {} MPI processes on {}", place.ranks, fmt::join(hosts, ", "));
        }
        const WriteContext context{scenario,    sets,       spec,           options,         output_path, plan.checkpoint_dir,
                                   options.checkpoint, resumed, place.ranks, share.set_count, prepared.resolve_seconds,
                                   wall_start};
        write_and_report(context, result, hosts);
    }));
}

}  // namespace scls
