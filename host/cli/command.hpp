// The subcommands of the sclsim command line: each adds its own options and
// runs when it was chosen. What several commands share (reading a scenario
// with its overrides, naming outputs, the backend options) lives here.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/engine/engine.hpp"
#include "host/parallel/cluster.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

class Command {
  public:
    virtual ~Command() = default;
    // Adds the command and its options to the command line.
    virtual void add_to(CLI::App& app) = 0;
    // Runs the chosen command; returns the exit status.
    virtual int run(Cluster& cluster) = 0;
    // Whether every MPI rank takes part (run, psa, sweep); others run on rank 0 alone.
    virtual bool shared_out() const { return false; }
    bool chosen() const { return command_ != nullptr && command_->parsed(); }

    std::string command_line;  // as typed, for the output file

  protected:
    CLI::App* command_ = nullptr;
};

// Every command, in the order --help lists them.
std::vector<std::unique_ptr<Command>> make_commands();

std::unique_ptr<Command> make_run_command();
std::unique_ptr<Command> make_psa_command();
std::unique_ptr<Command> make_sweep_command();
std::unique_ptr<Command> make_report_command();
std::unique_ptr<Command> make_export_command();
std::unique_ptr<Command> make_calibrate_command();
std::unique_ptr<Command> make_validate_command();
std::unique_ptr<Command> make_info_command();
std::unique_ptr<Command> make_scenario_command();

// The scenario a command reads, and the overrides typed after it.
struct ScenarioInputs {
    std::string scenario_path;  // empty = the built-in base scenario
    std::vector<std::string> assignments;
    std::optional<std::uint64_t> patients;  // --patients
    std::optional<std::uint64_t> seed;      // --seed

    // Adds the SCENARIO positional and --set.
    void add_to(CLI::App& command);
    // Loads, applies the overrides and validates. Throws InputError.
    Scenario load(std::vector<Override> extra = {}) const;
    // Where relative paths of this scenario resolve.
    // results/<stem><suffix> when ./results exists, else ./<stem><suffix>.
    std::filesystem::path default_output(const std::string& suffix) const;
};

// The backend options of commands that simulate.
struct BackendOptions {
    std::string backend = "auto";
    std::uint64_t threads = 0;

    void add_to(CLI::App& command);
    BackendChoice choice() const;  // throws InputError for gpu without a usable GPU
};

// Refuses an output path that is one of the run's inputs (the scenario, a
// file it extends, its life table, a targets file): writing there would
// destroy the input. Throws InputError naming the option.
void check_output_is_not_an_input(const std::filesystem::path& output, const std::string& option,
                                  const std::vector<std::filesystem::path>& inputs);

// "what is wrong" for an InputError, as printed.
std::string input_error_text(const InputError& error);

// The time now as 2026-11-22T10:00:00Z.
std::string utc_now();

// Runs body; what it throws becomes the failure a rank reports (input
// problems exit 2, everything else 1).
RankFailure failure_of(const std::function<void()>& body);

}  // namespace scls
