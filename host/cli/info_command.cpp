// sclsim info (version, backends, devices, MPI) and sclsim scenario (the
// built-in base scenario's text).
#include <fmt/format.h>
#include <iostream>
#include <string>
#include <thread>

#include "host/cli/command.hpp"
#include "host/version.hpp"
#include "kernels/launch/backend.hpp"
#include "kernels/random/attack_blocks.hpp"

namespace scls {

namespace {

// The registers the CPU's Philox batches (attack draws, patient attribute
// blocks) run in (kernels/random/attack_blocks.hpp).
std::string cpu_vectors()
{
#if SCLS_ATTACK_BLOCKS_IN_VECTORS
    return fmt::format("; attack draws and patient attribute blocks in {} registers", name_of(attack_block_registers_in_use()));
#else
    return "";
#endif
}

class InfoCommand final : public Command {
  public:
    void add_to(CLI::App& app) override
    {
        command_ = app.add_subcommand("info", "version, compiled backends and devices");
        command_->allow_extras();
    }

    int run(Cluster& cluster) override
    {
        const CudaDeviceInfo cuda = query_cuda_devices();
        fmt::print("sclsim {} (git {})\n", kSclsimVersion, kSclsimGitCommit);
        fmt::print("backends: cpu (OpenMP, {} hardware threads{}){}\n", std::thread::hardware_concurrency(), cpu_vectors(),
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
};

class ScenarioCommand final : public Command {
  public:
    void add_to(CLI::App& app) override
    {
        command_ = app.add_subcommand("scenario", "print the built-in base scenario (a starting point for your own)");
        command_->allow_extras();
    }

    int run(Cluster&) override
    {
        std::cout << builtin_scenario_text();
        return 0;
    }
};

}  // namespace

std::unique_ptr<Command> make_info_command() { return std::make_unique<InfoCommand>(); }
std::unique_ptr<Command> make_scenario_command() { return std::make_unique<ScenarioCommand>(); }

}  // namespace scls
