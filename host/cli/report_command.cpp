// sclsim report: the cost-effectiveness tables of any results file.
#include <iostream>

#include "host/cli/cea_report.hpp"
#include "host/cli/command.hpp"
#include "host/cli/usage.hpp"

namespace scls {

namespace {

class ReportCommand final : public Command {
  public:
    void add_to(CLI::App& app) override
    {
        command_ = app.add_subcommand("report", "print the incremental table, NMB and PSA or sweep summaries of a results file");
        command_->allow_extras();
        command_->add_option("file", file_, "results HDF5 file")->required();
        command_->add_option("--wtp", wtp_, "willingness-to-pay thresholds per QALY (default: the file's [cea] report_wtp)")
            ->delimiter(',')
            ->check(accepts(kWtpRule));
    }

    int run(Cluster&) override
    {
        std::cout << format_cost_effectiveness(read_cost_effectiveness(file_), wtp_);
        return 0;
    }

  private:
    std::string file_;
    std::vector<double> wtp_;
};

}  // namespace

std::unique_ptr<Command> make_report_command() { return std::make_unique<ReportCommand>(); }

}  // namespace scls
