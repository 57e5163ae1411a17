// sclsim validate: check a scenario and everything it holds, without running.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "host/cli/command.hpp"
#include "host/psa/parameter_sets.hpp"
#include "host/psa/psa.hpp"
#include "host/scenario/compose.hpp"
#include "host/scenario/toml_reader.hpp"

namespace scls {

namespace {

class ValidateCommand final : public Command {
  public:
    void add_to(CLI::App& app) override
    {
        command_ = app.add_subcommand("validate", "check a scenario (and its [psa] and [sweep] sections) and report every problem, without running");
        command_->allow_extras();
        inputs_.add_to(*command_);
    }

    int run(Cluster&) override
    {
        const Scenario scenario = inputs_.load();
        const std::optional<PsaSpec> spec = load_psa_spec(scenario);
        if (spec) {
            // Every draw is resolved as `sclsim psa` would: a sampled value
            // outside a parameter's bounds is found here, not after a run starts.
            const ParameterSets sets = psa_parameter_sets(*spec);
            resolve_parameter_sets(scenario, sets);
            fmt::print("[psa]: {} uncertain parameters ({} values per draw), {} correlation groups, {} EVPPI groups; "
                       "all {} draws give valid parameters\n",
                       spec->parameters.size(), spec->columns(), spec->correlations.size(), spec->evppi_groups.size(),
                       spec->draws);
        }
        if (scenario_document(scenario).get("sweep")) {
            std::vector<OneWayRange> ranges = load_one_way_ranges(scenario, spec);
            const std::size_t count = ranges.size();
            resolve_parameter_sets(scenario, one_way_parameter_sets(std::move(ranges)));
            fmt::print("[sweep]: {} one-way ranges, each end giving valid parameters\n", count);
        }
        if (!scenario.changes.empty()) {
            fmt::print("What each file and option changed, in order:\n{}", format_changes(scenario.changes));
        }
        fmt::print("{}: valid ({} strategies: {}; {} regimens, {} patients, seed {})\n", scenario.source_name,
                   scenario.strategy_names.size(), fmt::join(scenario.strategy_names, ", "), scenario.regimen_names.size(),
                   scenario.patients, scenario.seed);
        return 0;
    }

  private:
    ScenarioInputs inputs_;
};

}  // namespace

std::unique_ptr<Command> make_validate_command() { return std::make_unique<ValidateCommand>(); }

}  // namespace scls
