// sclsim command line: parses, refuses misuse (exit 2), runs the chosen
// command (host/cli/*_command.cpp) and turns failures into exit codes.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <iostream>
#include <sstream>

#include "host/cli/command.hpp"
#include "host/cli/usage.hpp"
#include "host/io/files.hpp"
#include "host/parallel/cluster.hpp"
#include "host/version.hpp"

namespace {

using namespace scls;

std::string command_line_of(int argc, char** argv)
{
    std::string text;
    for (int i = 0; i < argc; ++i) {
        if (i > 0) {
            text += ' ';
        }
        text += argv[i];
    }
    return text;
}

// Parses the command line; an exit status when the process is done already
// (help, version, a usage error).
std::optional<int> parse(CLI::App& app, int argc, char** argv, bool print)
{
    try {
        app.parse(argc, argv);
        check_leftover_arguments(app);
        return std::nullopt;
    } catch (const CLI::Success& e) {
        if (print) {
            return app.exit(e);  // --help and --version
        }
        return 0;
    } catch (const CLI::ParseError& e) {
        if (print) {
            std::cerr << usage_error_text(app, e);
        }
    } catch (const UsageError& e) {
        if (print) {
            std::cerr << usage_error_text(app, e.what());
        }
    }
    return kExitInputError;
}

}  // namespace

int main(int argc, char** argv)
{
    Cluster cluster(argc, argv);  // joins the MPI job when mpirun or srun started us
    CLI::App app{"sclsim: population Monte Carlo for idiopathic systemic capillary leak syndrome (Clarkson's disease)", "sclsim"};
    app.set_version_flag("--version", std::string(kSclsimVersion));
    app.require_subcommand(1);
    app.allow_extras();
    std::vector<std::unique_ptr<Command>> commands = make_commands();
    for (auto& command : commands) {
        command->add_to(app);
        command->command_line = command_line_of(argc, argv);
    }
    if (const std::optional<int> done = parse(app, argc, argv, cluster.is_root())) {
        return *done;  // usage errors and --help once, from rank 0
    }
    Command* chosen = nullptr;
    for (auto& command : commands) {
        chosen = command->chosen() ? command.get() : chosen;
    }
    if (chosen->shared_out() && !cluster.launch_problem().empty()) {
        if (cluster.is_root()) {
            std::cerr << "sclsim: " << cluster.launch_problem() << "\n";
        }
        return kExitInputError;
    }
    if (chosen->shared_out()) {
        return chosen->run(cluster);  // every rank takes part and agrees on failures
    }
    if (!cluster.is_root()) {
        return 0;  // only run, psa and sweep are shared out; rank 0 does the rest alone
    }
    try {
        return chosen->run(cluster);
    } catch (const InputError& e) {
        std::cerr << input_error_text(e);
        return kExitInputError;
    } catch (const std::exception& e) {
        std::cerr << "sclsim: error: " << e.what() << "\n";
        return kExitRuntimeError;
    }
}
