// sclsim command line: run, psa, sweep, report, calibrate, validate, info, scenario.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <fmt/format.h>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "host/cli/progress.hpp"
#include "host/calibration/calibrate.hpp"
#include "host/cli/cea_report.hpp"
#include "host/cli/report.hpp"
#include "host/engine/engine.hpp"
#include "host/engine/summary.hpp"
#include "host/io/checkpoint.hpp"
#include "host/io/hdf5_output.hpp"
#include "host/parallel/cluster.hpp"
#include "host/psa/parameter_sets.hpp"
#include "host/psa/psa.hpp"
#include "host/scenario/scenario.hpp"
#include "host/version.hpp"
#include "kernels/launch/backend.hpp"

namespace {

using namespace scls;

constexpr int kExitInputError = 2;
constexpr int kExitRuntimeError = 1;

struct CommonInputs {
    std::string scenario_path;  // empty = built-in base scenario
    std::vector<std::string> assignments;
};

Scenario load(const CommonInputs& in, std::optional<std::uint64_t> patients, std::optional<std::uint64_t> seed)
{
    std::vector<Override> overrides;
    for (const auto& a : in.assignments) {
        overrides.push_back(parse_override(a));
    }
    if (patients) {
        overrides.push_back({"simulation.patients", std::to_string(*patients)});
    }
    if (seed) {
        overrides.push_back({"simulation.seed", std::to_string(*seed)});
    }
    if (in.scenario_path.empty()) {
        return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, std::filesystem::current_path(), overrides);
    }
    return load_scenario_file(in.scenario_path, overrides);
}

std::string utc_now()
{
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

double peak_resident_mib()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

std::filesystem::path default_output(const CommonInputs& in, const std::string& suffix = ".h5")
{
    const std::string stem = in.scenario_path.empty() ? "scls_base" : std::filesystem::path(in.scenario_path).stem().string();
    return std::filesystem::is_directory("results") ? std::filesystem::path("results") / (stem + suffix)
                                                    : std::filesystem::path(stem + suffix);
}

std::filesystem::path base_directory_of(const CommonInputs& in)
{
    return in.scenario_path.empty() ? std::filesystem::current_path()
                                    : std::filesystem::absolute(in.scenario_path).parent_path();
}

BackendChoice parse_backend(const std::string& name)
{
    return name == "cpu" ? BackendChoice::cpu : name == "gpu" ? BackendChoice::gpu : BackendChoice::automatic;
}

// Writes text to path through a temporary file and a rename.
void write_text_atomically(const std::filesystem::path& path, const std::string& text)
{
    std::filesystem::path temporary = path;
    temporary += ".partial";
    {
        std::ofstream out(temporary);
        out << text;
        if (!out.flush()) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            throw std::runtime_error(fmt::format("writing {} failed", path.string()));
        }
    }
    std::filesystem::rename(temporary, path);
}

std::string input_error_text(const InputError& e)
{
    std::string text = "sclsim: invalid input, nothing was run or written:\n";
    for (const auto& issue : e.issues()) {
        text += "  " + issue.to_string() + "\n";
    }
    return text;
}

// Runs body and turns what it throws into the failure a rank reports.
template <class Body>
RankFailure guarded(Body&& body)
{
    try {
        body();
        return {};
    } catch (const InputError& e) {
        return {kExitInputError, input_error_text(e)};
    } catch (const std::exception& e) {
        return {kExitRuntimeError, fmt::format("sclsim: error: {}\n", e.what())};
    }
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

struct ExecuteOptions {
    RunOptions run;
    bool quiet = false;
    std::string command_line;
    const TargetSet* targets = nullptr;  // run --targets
    bool checkpoint = true;              // record finished work units (--no-checkpoint: off)
    double checkpoint_every_seconds = 60.0;
    bool resume = false;                 // --resume: a checkpoint must exist
    bool restart = false;                // --restart: delete any checkpoint first
};

// Runs every parameter set in one pass — this process's share of it when
// started by mpirun — derives the cost-effectiveness results on rank 0,
// writes the file and prints the tables: the common end of run, psa and sweep.
int execute(Cluster& cluster, const Scenario& scenario, const ParameterSets& sets, const PsaSpec* spec,
            const std::filesystem::path& output_path, ExecuteOptions options)
{
    using Clock = std::chrono::steady_clock;
    const auto wall_start = Clock::now();
    const ProcessPlace& place = cluster.place();
    const bool root = cluster.is_root();
    const LaunchGeometry geometry =
        make_geometry(scenario, static_cast<std::uint32_t>(sets.size()), sets.patients == PatientSampling::same);
    const WorkUnits units(geometry);
    const UnitRange range = units.share(place.rank, place.ranks);
    const RunIdentity identity =
        run_identity(scenario, sets, geometry, place.ranks, fmt::format("{} ({})", kSclsimVersion, kSclsimGitCommit));
    const std::filesystem::path checkpoint_dir = checkpoint_directory_for(output_path);

    // 1. Rank 0 looks at any checkpoint before a rank reads its part.
    bool resumed = false;
    int status = cluster.agree(guarded([&] {
        if (!root) {
            return;
        }
        if (options.restart) {
            remove_checkpoint(checkpoint_dir);
        }
        if (!options.checkpoint) {
            if (std::filesystem::exists(checkpoint_dir)) {
                std::cerr << fmt::format("sclsim: --no-checkpoint: leaving {} alone and starting from the beginning\n",
                                         checkpoint_dir.string());
            }
            return;
        }
        const CheckpointSummary summary = inspect_checkpoint(checkpoint_dir, identity);
        if (options.resume && !summary.exists) {
            throw InputError({{checkpoint_dir.string(), "--resume", 0,
                               "holds no checkpoint of this run (it was never interrupted after its first checkpoint, or it "
                               "finished) — run the same command without --resume to start"}});
        }
        if (summary.exists) {
            resumed = true;
            std::cerr << fmt::format("sclsim: resuming from {}: {} of {} work units already done\n", checkpoint_dir.string(),
                                     summary.units_done, units.count());
        }
    }));
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
    std::optional<ShareCheckpoint> checkpoint;
    ShareResult share;
    std::unique_ptr<SimulationBackend> backend;
    double resolve_seconds = 0.0;
    status = cluster.agree(guarded([&] {
        share = empty_share(units, range, geometry);
        if (options.checkpoint) {
            checkpoint.emplace(checkpoint_dir, identity, place.rank, geometry);
            if (std::optional<ShareResult> loaded = checkpoint->load(range)) {
                share = std::move(*loaded);
            }
        }
        const auto resolve_start = Clock::now();
        const std::vector<ModelParams> params = resolve_parameter_sets(scenario, sets, share.first_set, share.set_count);
        resolve_seconds = std::chrono::duration<double>(Clock::now() - resolve_start).count();
        backend = make_backend(params, share_geometry(geometry, share), run);
    }));
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
    if (checkpoint) {
        run.checkpoint = [&](const ShareResult& state) { checkpoint->save(state); };
        run.checkpoint_interval_seconds = options.checkpoint_every_seconds;
    }
    try {
        share = simulate_share(*backend, geometry, std::move(share), run);
    } catch (const std::exception& e) {
        bar.finish();
        std::cerr << fmt::format("sclsim: error{}: {}\n  the job stopped; nothing was written to {}{}\n",
                                 cluster.distributed() ? " (" + cluster.describe() + ")" : std::string(), e.what(),
                                 output_path.string(),
                                 checkpoint ? fmt::format("; finished work units are kept in {}: rerun the same command to resume",
                                                          checkpoint_dir.string())
                                            : std::string());
        if (cluster.distributed()) {
            cluster.abort(kExitRuntimeError);
        }
        return kExitRuntimeError;
    }
    bar.finish();
    const std::vector<ShareResult> shares = cluster.gather_shares(share);
    const std::vector<std::string> hosts = cluster.hosts();
    if (!root) {
        return cluster.agree({});  // rank 0's verdict on writing the file
    }

    // 4. Rank 0: the results, the file, the tables.
    return cluster.agree(guarded([&] {
        RunResult result = assemble_run(geometry, shares);
        result.backend = backend->name();
        result.backend_description = backend->description();
        if (cluster.distributed()) {
            std::string host_text;
            for (const auto& h : hosts) {
                host_text += (host_text.empty() ? "" : ", ") + h;
            }
            result.backend_description += fmt::format(" on rank 0; {} MPI processes on {}", place.ranks, host_text);
        }
        std::vector<std::vector<StrategySummary>> summaries;
        for (std::uint32_t s = 0; s < result.geometry.parameter_sets; ++s) {
            summaries.push_back(summarize(scenario, result, s));
        }
        const CeaAnalysis analysis = analyse_cost_effectiveness(scenario, summaries, sets, spec);
        RunMetadata meta;
        meta.version = kSclsimVersion;
        meta.git_commit = kSclsimGitCommit;
        meta.created_utc = utc_now();
        meta.command_line = options.command_line;
        meta.peak_resident_mib = peak_resident_mib();
        meta.processes = place.ranks;
        meta.hosts = hosts;
        meta.resumed = resumed;
        std::vector<TargetValue> target_values;
        if (options.targets) {
            target_values = evaluate_targets(*options.targets, summaries[0]);
        }
        result.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start).count();
        write_results_file(output_path, scenario, result, summaries, meta, [&](Hdf5Writer& writer) {
            write_parameter_sets_group(writer, sets);
            write_cea_group(writer, scenario, analysis);
            if (options.targets) {
                write_targets_group(writer, scenario, *options.targets, target_values, "/validation");
            }
        });
        if (checkpoint) {
            remove_checkpoint(checkpoint_dir);  // the file holds everything now
        }

        if (!options.quiet) {
            fmt::print("{}\n{}: {}\n\n", scenario.title, scenario.source_name, result.backend_description);
            if (sets.size() > 1) {
                fmt::print("Base case (parameter set 0):\n");
            }
            std::cout << format_summary_table(scenario, summaries[0]) << "\n";
            std::cout << format_cost_effectiveness(make_cost_effectiveness_view(scenario, summaries, sets, analysis));
            if (options.targets) {
                fmt::print("\nAgainst the targets of {} ({}):\n", options.targets->name, options.targets->source_name);
                std::cout << format_target_table(*options.targets, target_values);
            }
        }
        if (sets.size() > 1) {
            fmt::print("\n{} parameter sets resolved in {:.2f} s{}\n", share.set_count, resolve_seconds,
                       cluster.distributed() ? " (rank 0's share)" : "");
        }
        fmt::print("\n{} patient-strategy lifetimes{} in {:.2f} s ({:.3g}/s){}, wall {:.2f} s, peak memory {:.0f} MiB\n",
                   result.patient_strategy_lifetimes() - result.resumed_lifetimes,
                   result.resumed_lifetimes ? fmt::format(" (and {} from the checkpoint)", result.resumed_lifetimes) : std::string(),
                   result.simulate_seconds, result.lifetimes_per_second(),
                   cluster.distributed() ? fmt::format(" on {} processes (the slowest)", place.ranks) : std::string(),
                   result.wall_seconds, meta.peak_resident_mib);
        fmt::print("wrote {}\n", output_path.string());
        std::cout.flush();
    }));
}

// Options every simulating command takes.
void add_run_options(CLI::App* command, CommonInputs& inputs, std::string& output, std::optional<std::uint64_t>& patients,
                     std::optional<std::uint64_t>& seed, std::string& backend_name, int& threads, std::uint64_t& batch_blocks,
                     bool& quiet, ExecuteOptions& execute_options)
{
    command->add_option("scenario", inputs.scenario_path, "scenario TOML file (default: the built-in base scenario)")
        ->check(CLI::ExistingFile);
    command->add_option("-o,--output", output, "HDF5 output file (default results/<scenario>[.psa|.sweep].h5, or ./)");
    command->add_option("--patients", patients, "patients per strategy and set (overrides simulation.patients)")
        ->check(CLI::PositiveNumber);
    command->add_option("--seed", seed, "random seed (overrides simulation.seed)");
    command->add_option("--backend", backend_name, "auto: GPU if present, else CPU")->check(CLI::IsMember({"auto", "cpu", "gpu"}));
    command->add_option("--threads", threads, "CPU threads (default: all cores)")->check(CLI::NonNegativeNumber);
    command->add_option("--set", inputs.assignments, "override a parameter: key=value (repeatable), e.g. attacks.rate_per_year=2");
    command->add_option("--batch-blocks", batch_blocks,
                        "patient blocks of 256 per batch (default: the backend's choice); results do not depend on it");
    command->add_flag("-q,--quiet", quiet, "no progress bar or tables");
    command->add_option("--checkpoint-every", execute_options.checkpoint_every_seconds,
                        "seconds between checkpoints in OUTPUT.checkpoint/ (default 60; 0 = after every batch)")
        ->check(CLI::NonNegativeNumber);
    CLI::Option* no_checkpoint =
        command->add_flag("!--no-checkpoint", execute_options.checkpoint, "record no checkpoint (and ignore an existing one)");
    CLI::Option* resume = command->add_flag("--resume", execute_options.resume,
                                            "require a checkpoint to continue (the same command resumes by itself when one exists)");
    command->add_flag("--restart", execute_options.restart, "delete the output's checkpoint and start from the beginning")
        ->excludes(resume);
    resume->excludes(no_checkpoint);
}

}  // namespace

int main(int argc, char** argv)
{
    Cluster cluster(argc, argv);  // joins the MPI job when mpirun or srun started us
    ExecuteOptions execute_options;
    CLI::App app{"sclsim: population Monte Carlo for idiopathic systemic capillary leak syndrome (Clarkson's disease)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(kSclsimVersion));

    CommonInputs run_inputs;
    std::string output;
    std::optional<std::uint64_t> patients;
    std::optional<std::uint64_t> seed;
    std::string backend_name = "auto";
    int threads = 0;
    std::uint64_t batch_blocks = 0;
    bool quiet = false;
    CLI::App* run = app.add_subcommand("run", "simulate a scenario (the built-in base scenario if none is given) and write HDF5");
    add_run_options(run, run_inputs, output, patients, seed, backend_name, threads, batch_blocks, quiet, execute_options);
    std::string run_targets;
    run->add_option("--targets", run_targets, "also compare the run with a calibration targets file (stored under /validation)")
        ->check(CLI::ExistingFile);

    CommonInputs psa_inputs;
    std::optional<std::uint32_t> draws;
    CLI::App* psa_command = app.add_subcommand(
        "psa", "probabilistic sensitivity analysis: every [psa] draw x patients x strategies in one pass; CEAC, CEAF, EVPI, EVPPI");
    add_run_options(psa_command, psa_inputs, output, patients, seed, backend_name, threads, batch_blocks, quiet, execute_options);
    psa_command->add_option("--draws", draws, "number of PSA draws (overrides psa.draws); draw k is the same whatever the number")
        ->check(CLI::PositiveNumber);

    CommonInputs sweep_inputs;
    bool one_way = false;
    std::vector<std::string> grid_axes;
    CLI::App* sweep_command = app.add_subcommand(
        "sweep", "deterministic sensitivity analysis: one-way ranges (tornado) or a 1-D/2-D grid, every point a parameter set");
    add_run_options(sweep_command, sweep_inputs, output, patients, seed, backend_name, threads, batch_blocks, quiet, execute_options);
    sweep_command->add_flag("--one-way", one_way,
                            "each parameter at its low and high value: [[sweep.parameters]], else the [psa] 2.5%/97.5% quantiles");
    sweep_command->add_option("--grid", grid_axes, "grid axis path=from:to:points or path=v1,v2,... (once or twice)");

    std::string report_file;
    std::vector<double> report_wtp;
    CLI::App* report_command = app.add_subcommand("report", "print the incremental table, NMB and PSA or sweep summaries of a results file");
    report_command->add_option("file", report_file, "results HDF5 file")->required()->check(CLI::ExistingFile);
    report_command->add_option("--wtp", report_wtp, "willingness-to-pay thresholds per QALY (default: the file's [cea] report_wtp)")
        ->delimiter(',');

    CommonInputs calibrate_inputs;
    std::string targets_path;
    std::string calibrated_output;
    std::string trace_output;
    CLI::App* calibrate_command = app.add_subcommand(
        "calibrate", "fit a scenario's unobserved parameters to published targets (NLopt); writes the calibrated scenario and a trace");
    calibrate_command->add_option("scenario", calibrate_inputs.scenario_path, "scenario TOML file (default: the built-in base scenario)")
        ->check(CLI::ExistingFile);
    calibrate_command->add_option("--targets", targets_path, "targets TOML file: what to fit and to which published statistics")
        ->required()
        ->check(CLI::ExistingFile);
    calibrate_command->add_option("-o,--output", calibrated_output,
                                  "calibrated scenario TOML (default results/<scenario>.calibrated.toml, or ./)");
    calibrate_command->add_option("--trace", trace_output, "HDF5 trace of every evaluation (default: the output with .trace.h5)");
    calibrate_command->add_option("--backend", backend_name, "auto: GPU if present, else CPU")->check(CLI::IsMember({"auto", "cpu", "gpu"}));
    calibrate_command->add_option("--threads", threads, "CPU threads (default: all cores)")->check(CLI::NonNegativeNumber);
    calibrate_command->add_option("--set", calibrate_inputs.assignments, "override a parameter before fitting: key=value (repeatable)");
    calibrate_command->add_flag("-q,--quiet", quiet, "no line per evaluation");

    CommonInputs validate_inputs;
    CLI::App* validate = app.add_subcommand("validate", "check a scenario and report every problem, without running");
    validate->add_option("scenario", validate_inputs.scenario_path, "scenario TOML file (default: the built-in base scenario)");
    validate->add_option("--set", validate_inputs.assignments, "override a parameter: key=value (repeatable)");

    CLI::App* info = app.add_subcommand("info", "version, compiled backends and devices");
    CLI::App* show = app.add_subcommand("scenario", "print the built-in base scenario (a starting point for your own)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (cluster.is_root()) {
            return app.exit(e);  // usage errors and --help once, from rank 0
        }
        std::ostringstream quiet_out, quiet_err;
        return app.exit(e, quiet_out, quiet_err);
    }

    const bool simulating = run->parsed() || psa_command->parsed() || sweep_command->parsed();
    if (simulating && !cluster.launch_problem().empty()) {
        if (cluster.is_root()) {
            std::cerr << "sclsim: " << cluster.launch_problem() << "\n";
        }
        return kExitInputError;
    }
    if (!simulating && !cluster.is_root()) {
        return 0;  // only run, psa and sweep are shared out; rank 0 does the rest alone
    }
    try {
        if (info->parsed()) {
            const CudaDeviceInfo cuda = query_cuda_devices();
            fmt::print("sclsim {} (git {})\n", kSclsimVersion, kSclsimGitCommit);
            fmt::print("backends: cpu (Thrust OpenMP, {} hardware threads){}\n", std::thread::hardware_concurrency(),
                       cuda.compiled ? ", gpu (CUDA)" : "");
            if (cuda.compiled) {
                if (cuda.devices.empty()) {
                    fmt::print("GPU devices: none ({})\n", cuda.error);
                }
                for (std::size_t d = 0; d < cuda.devices.size(); ++d) {
                    fmt::print("GPU device {}: {}\n", d, cuda.devices[d]);
                }
            } else {
                fmt::print("GPU backend: not compiled in ({})\n", cuda.error);
            }
            fmt::print("MPI: {}{}\n", Cluster::mpi_library(),
                       cluster.distributed() ? fmt::format("; this is {}", cluster.describe()) : std::string());
            return 0;
        }
        if (show->parsed()) {
            std::cout << builtin_scenario_text();
            return 0;
        }
        if (report_command->parsed()) {
            std::cout << format_cost_effectiveness(read_cost_effectiveness(report_file), report_wtp);
            return 0;
        }
        if (validate->parsed()) {
            const Scenario scenario = load(validate_inputs, std::nullopt, std::nullopt);
            if (const auto spec = load_psa_spec(scenario)) {
                fmt::print("[psa]: {} uncertain parameters ({} values per draw), {} correlation groups, {} EVPPI groups\n",
                           spec->parameters.size(), spec->columns(), spec->correlations.size(), spec->evppi_groups.size());
            }
            fmt::print("{}: valid ({} strategies, {} regimens, {} patients, seed {})\n", scenario.source_name,
                       scenario.strategy_names.size(), scenario.regimen_names.size(), scenario.patients, scenario.seed);
            return 0;
        }

        if (calibrate_command->parsed()) {
            const Scenario scenario = load(calibrate_inputs, std::nullopt, std::nullopt);
            const TargetSet targets = load_targets_file(targets_path, scenario);
            const std::filesystem::path toml_path =
                calibrated_output.empty() ? default_output(calibrate_inputs, ".calibrated.toml") : std::filesystem::path(calibrated_output);
            std::filesystem::path trace_path = trace_output;
            if (trace_output.empty()) {
                trace_path = toml_path;
                trace_path.replace_extension(".trace.h5");
            }
            check_output_writable(toml_path);
            check_output_writable(trace_path);
            if (!scenario.overrides.empty()) {
                std::cerr << "sclsim: note: --set overrides apply during the fit but are not written into the calibrated file\n";
            }
            CalibrationOptions options;
            options.run.backend = parse_backend(backend_name);
            options.run.threads = threads;
            options.run.notice = [](const std::string& text) { std::cerr << "sclsim: " << text << "\n"; };
            if (!quiet) {
                options.on_evaluation = [&](const CalibrationEvaluation& latest, const CalibrationEvaluation& best) {
                    std::cout << format_evaluation_line(targets, latest, best) << std::endl;
                };
            }
            fmt::print("calibrating {} to {} ({} parameters, {} targets; {} patients per evaluation, seed {}, {} start{})\n",
                       scenario.source_name, targets.source_name, targets.parameters.size(), targets.targets.size(), targets.patients,
                       targets.seed, targets.starts, targets.starts == 1 ? "" : "s");
            const CalibrationResult result = calibrate(scenario, base_directory_of(calibrate_inputs), targets, options);
            const CalibrationEvaluation& best = result.trace[result.best];
            const std::string created = utc_now();
            write_calibration_trace(trace_path, scenario, targets, result, created, kSclsimVersion);
            const std::string note = fmt::format("calibrated to {} (sclsim calibrate, {})", targets.name, created.substr(0, 10));
            write_text_atomically(toml_path, calibrated_scenario_text(scenario, targets, best.parameters, note));

            fmt::print("\n{} evaluations in {:.1f} s; best objective {:.4f} (start {}, evaluation {})\n", result.trace.size(), result.seconds,
                       best.distance, best.start + 1, best.index + 1);
            for (std::size_t s = 0; s < result.starts.size(); ++s) {
                fmt::print("  start {}: {} after {} evaluations, best {:.4f}\n", s + 1, result.starts[s].stop_reason,
                           result.starts[s].evaluations, result.trace[result.starts[s].best].distance);
            }
            std::cout << "\n" << format_fitted_parameters(targets, best.parameters) << "\n";
            std::cout << format_target_table(targets, best.statistics);
            fmt::print("\nwrote {}\nwrote {}\n", toml_path.string(), trace_path.string());
            return best.feasible ? 0 : kExitRuntimeError;
        }

    } catch (const InputError& e) {
        std::cerr << input_error_text(e);
        return kExitInputError;
    } catch (const std::exception& e) {
        std::cerr << "sclsim: error: " << e.what() << "\n";
        return kExitRuntimeError;
    }

    // run, psa and sweep: every rank reads the inputs; the job goes on only
    // when all could.
    execute_options.run.backend = parse_backend(backend_name);
    execute_options.run.threads = threads;
    execute_options.run.batch_blocks = batch_blocks;
    execute_options.run.notice = [](const std::string& text) { std::cerr << "sclsim: " << text << "\n"; };
    execute_options.quiet = quiet;
    for (int i = 0; i < argc; ++i) {
        execute_options.command_line += (i ? " " : "") + std::string(argv[i]);
    }
    std::optional<Scenario> scenario;
    ParameterSets sets;
    std::optional<PsaSpec> spec;
    std::optional<TargetSet> run_target_set;
    std::filesystem::path path;
    auto output_for = [&](const CommonInputs& in, const std::string& suffix) {
        path = output.empty() ? default_output(in, suffix) : std::filesystem::path(output);
        if (cluster.is_root()) {
            check_output_writable(path);  // only rank 0 writes it
        }
    };
    const int status = cluster.agree(guarded([&] {
        if (psa_command->parsed()) {
            if (draws) {
                psa_inputs.assignments.push_back(fmt::format("psa.draws={}", *draws));
            }
            scenario = load(psa_inputs, patients, seed);
            spec = load_psa_spec(*scenario);
            if (!spec) {
                throw InputError({{scenario->source_name, "psa", 0,
                                   "section is missing (sclsim psa samples the distributions it lists) — add a [psa] section with "
                                   "[[psa.parameters]], e.g. scenarios/scls_psa.toml"}});
            }
            sets = psa_parameter_sets(*spec);
            output_for(psa_inputs, ".psa.h5");
        } else if (sweep_command->parsed()) {
            scenario = load(sweep_inputs, patients, seed);
            if (one_way == !grid_axes.empty() || grid_axes.size() > 2) {
                throw InputError({{"command line", "sweep", 0,
                                   "needs either --one-way or one or two --grid axes — e.g. sclsim sweep --one-way, or --grid "
                                   "regimens.ivig_2g.price_per_gram=50:150:5"}});
            }
            if (one_way) {
                sets = one_way_parameter_sets(load_one_way_ranges(*scenario, load_psa_spec(*scenario)));
            } else {
                std::vector<GridAxis> axes;
                for (const auto& text : grid_axes) {
                    axes.push_back(parse_grid_axis(text, *scenario));
                }
                sets = grid_parameter_sets(axes);
            }
            output_for(sweep_inputs, ".sweep.h5");
        } else {
            scenario = load(run_inputs, patients, seed);
            if (!run_targets.empty()) {
                run_target_set = load_targets_file(run_targets, *scenario);
                execute_options.targets = &*run_target_set;
            }
            sets = base_case_parameter_sets();
            output_for(run_inputs, ".h5");
        }
    }));
    if (status != 0) {
        return status;
    }
    return execute(cluster, *scenario, sets, spec ? &*spec : nullptr, path, execute_options);
}
