// sclsim command line: run, validate, info.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <optional>
#include <thread>

#include "host/cli/progress.hpp"
#include "host/cli/report.hpp"
#include "host/engine/engine.hpp"
#include "host/engine/summary.hpp"
#include "host/io/hdf5_output.hpp"
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

std::filesystem::path default_output(const CommonInputs& in)
{
    const std::string stem = in.scenario_path.empty() ? "scls_base" : std::filesystem::path(in.scenario_path).stem().string();
    return std::filesystem::is_directory("results") ? std::filesystem::path("results") / (stem + ".h5")
                                                    : std::filesystem::path(stem + ".h5");
}

int report_input_error(const InputError& e)
{
    std::cerr << "sclsim: invalid input, nothing was run or written:\n";
    for (const auto& issue : e.issues()) {
        std::cerr << "  " << issue.to_string() << "\n";
    }
    return kExitInputError;
}

}  // namespace

int main(int argc, char** argv)
{
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
    run->add_option("scenario", run_inputs.scenario_path, "scenario TOML file")->check(CLI::ExistingFile);
    run->add_option("-o,--output", output, "HDF5 output file (default results/<scenario>.h5, or ./<scenario>.h5)");
    run->add_option("--patients", patients, "patients per strategy (overrides simulation.patients)")->check(CLI::PositiveNumber);
    run->add_option("--seed", seed, "random seed (overrides simulation.seed)");
    run->add_option("--backend", backend_name, "auto: GPU if present, else CPU")->check(CLI::IsMember({"auto", "cpu", "gpu"}));
    run->add_option("--threads", threads, "CPU threads (default: all cores)")->check(CLI::NonNegativeNumber);
    run->add_option("--set", run_inputs.assignments, "override a parameter: key=value (repeatable), e.g. attacks.rate_per_year=2");
    run->add_option("--batch-blocks", batch_blocks, "patient blocks of 256 per batch (default: the backend's choice); results do not depend on it");
    run->add_flag("-q,--quiet", quiet, "no progress bar or table");

    CommonInputs validate_inputs;
    CLI::App* validate = app.add_subcommand("validate", "check a scenario and report every problem, without running");
    validate->add_option("scenario", validate_inputs.scenario_path, "scenario TOML file (default: the built-in base scenario)");
    validate->add_option("--set", validate_inputs.assignments, "override a parameter: key=value (repeatable)");

    CLI::App* info = app.add_subcommand("info", "version, compiled backends and devices");
    CLI::App* show = app.add_subcommand("scenario", "print the built-in base scenario (a starting point for your own)");

    CLI11_PARSE(app, argc, argv);

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
            return 0;
        }
        if (show->parsed()) {
            std::cout << builtin_scenario_text();
            return 0;
        }
        if (validate->parsed()) {
            const Scenario scenario = load(validate_inputs, std::nullopt, std::nullopt);
            fmt::print("{}: valid ({} strategies, {} regimens, {} patients, seed {})\n", scenario.source_name,
                       scenario.strategy_names.size(), scenario.regimen_names.size(), scenario.patients, scenario.seed);
            return 0;
        }

        const Scenario scenario = load(run_inputs, patients, seed);
        const std::filesystem::path output_path = output.empty() ? default_output(run_inputs) : std::filesystem::path(output);
        check_output_writable(output_path);

        RunOptions options;
        options.backend = backend_name == "cpu" ? BackendChoice::cpu : backend_name == "gpu" ? BackendChoice::gpu : BackendChoice::automatic;
        options.threads = threads;
        options.batch_blocks = batch_blocks;
        options.notice = [](const std::string& text) { std::cerr << "sclsim: " << text << "\n"; };
        ProgressBar bar(fmt::format("{} patients x {} strategies", scenario.patients, scenario.strategy_names.size()));
        if (!quiet) {
            options.progress = [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
        }
        const std::vector<ModelParams> sets{scenario.params};
        const RunResult result = run_simulation(scenario, sets, options);
        bar.finish();

        std::vector<std::vector<StrategySummary>> summaries;
        for (std::uint32_t s = 0; s < result.geometry.parameter_sets; ++s) {
            summaries.push_back(summarize(scenario, result, s));
        }
        RunMetadata meta;
        meta.version = kSclsimVersion;
        meta.git_commit = kSclsimGitCommit;
        meta.created_utc = utc_now();
        for (int i = 0; i < argc; ++i) {
            meta.command_line += (i ? " " : "") + std::string(argv[i]);
        }
        meta.peak_resident_mib = peak_resident_mib();
        write_results_file(output_path, scenario, result, summaries, meta);

        const double rate = result.simulate_seconds > 0 ? result.patient_strategy_lifetimes() / result.simulate_seconds : 0.0;
        if (!quiet) {
            fmt::print("{}\n{}: {}\n\n", scenario.title, scenario.source_name, result.backend_description);
            std::cout << format_summary_table(scenario, summaries[0]);
        }
        fmt::print("\n{} patient-strategy lifetimes in {:.2f} s ({:.3g}/s), wall {:.2f} s, peak memory {:.0f} MiB\n",
                   result.patient_strategy_lifetimes(), result.simulate_seconds, rate, result.wall_seconds, meta.peak_resident_mib);
        fmt::print("wrote {}\n", output_path.string());
        return 0;
    } catch (const InputError& e) {
        return report_input_error(e);
    } catch (const std::exception& e) {
        std::cerr << "sclsim: error: " << e.what() << "\n";
        return kExitRuntimeError;
    }
}
