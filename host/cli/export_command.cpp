// sclsim export: a results file as tidy CSV tables for R, Python and spreadsheets.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "host/cli/command.hpp"
#include "host/io/csv_export.hpp"
#include "host/io/files.hpp"

namespace scls {

namespace {

class ExportCommand final : public Command {
  public:
    void add_to(CLI::App& app) override
    {
        command_ = app.add_subcommand("export", "write a results file's tables as CSV (long format; PSA matrices as dampack and BCEA take them)");
        command_->allow_extras();
        command_->add_option("file", file_, "results HDF5 file")->required();
        command_->add_option("--to", directory_, "directory for the CSV files (created if missing; its parent must exist)")->required();
        command_->add_flag("--all-sets-curves", options_.all_sets_curves,
                           "survival curves of every parameter set (default: the base case only; a PSA has many)");
    }

    int run(Cluster&) override
    {
        check_output_writable(directory_, "--to", OutputKind::directory);
        const std::vector<std::string> written = export_results(file_, directory_, options_);
        fmt::print("wrote {} tables to {}: {}\n", written.size(), directory_, fmt::join(written, ", "));
        return 0;
    }

  private:
    std::string file_, directory_;
    ExportOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_export_command() { return std::make_unique<ExportCommand>(); }

}  // namespace scls
