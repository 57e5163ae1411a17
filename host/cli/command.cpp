// What the commands share (see command.hpp).
#include "host/cli/command.hpp"

#include <ctime>
#include <fmt/format.h>

#include "host/cli/usage.hpp"
#include "kernels/launch/backend.hpp"

namespace scls {

std::vector<std::unique_ptr<Command>> make_commands()
{
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(make_run_command());
    commands.push_back(make_psa_command());
    commands.push_back(make_sweep_command());
    commands.push_back(make_report_command());
    commands.push_back(make_export_command());
    commands.push_back(make_calibrate_command());
    commands.push_back(make_validate_command());
    commands.push_back(make_info_command());
    commands.push_back(make_scenario_command());
    return commands;
}

void ScenarioInputs::add_to(CLI::App& command)
{
    command.add_option("scenario", scenario_path, "scenario TOML file (default: the built-in base scenario)");
    command.add_option("--set", assignments, "override a parameter: key=value (repeatable), e.g. attacks.rate_per_year=2");
}

Scenario ScenarioInputs::load(std::vector<Override> extra) const
{
    std::vector<Override> overrides;
    for (const auto& a : assignments) {
        overrides.push_back(parse_override(a));
    }
    if (patients) {
        overrides.push_back({"simulation.patients", std::to_string(*patients), "--patients"});
    }
    if (seed) {
        overrides.push_back({"simulation.seed", std::to_string(*seed), "--seed"});
    }
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    if (scenario_path.empty()) {
        return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, std::filesystem::current_path(), overrides);
    }
    return load_scenario_file(scenario_path, overrides);
}

std::filesystem::path ScenarioInputs::default_output(const std::string& suffix) const
{
    const std::string stem = scenario_path.empty() ? "scls_base" : std::filesystem::path(scenario_path).stem().string();
    return std::filesystem::is_directory("results") ? std::filesystem::path("results") / (stem + suffix)
                                                    : std::filesystem::path(stem + suffix);
}

void BackendOptions::add_to(CLI::App& command)
{
    command.add_option("--backend", backend, "auto: the GPU when present, else the CPU")
        ->check(one_of({"auto", "cpu", "gpu"}, "the backend that simulates"));
    command.add_option("--threads", threads, "CPU threads (default: all cores)")->check(accepts(kThreadsRule));
}

BackendChoice BackendOptions::choice() const
{
    if (backend != "gpu") {
        return backend == "cpu" ? BackendChoice::cpu : BackendChoice::automatic;
    }
    const CudaDeviceInfo cuda = query_cuda_devices();
    if (!cuda.compiled || cuda.device_count == 0) {
        throw InputError({{"--backend", "gpu", 0,
                           fmt::format("asks for a GPU, and none is usable ({}) — use --backend cpu, or auto to use a GPU when "
                                       "there is one",
                                       cuda.error)}});
    }
    return BackendChoice::gpu;
}

void check_output_is_not_an_input(const std::filesystem::path& output, const std::string& option,
                                  const std::vector<std::filesystem::path>& inputs)
{
    std::error_code error;
    for (const auto& input : inputs) {
        if (std::filesystem::equivalent(output, input, error)) {
            throw InputError({{option, output.string(), 0,
                               fmt::format("is {}, an input of this run (writing there would destroy it) — choose another path",
                                           input.string())}});
        }
    }
}

std::string input_error_text(const InputError& error)
{
    std::string text = "sclsim: invalid input, nothing was run or written:\n";
    for (const auto& issue : error.issues()) {
        text += "  " + issue.to_string() + "\n";
    }
    return text;
}

std::string utc_now()
{
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

RankFailure failure_of(const std::function<void()>& body)
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

}  // namespace scls
