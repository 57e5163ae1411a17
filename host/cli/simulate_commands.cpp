// run, psa and sweep: read the inputs on every rank, agree that they are
// valid, then execute (execute.hpp).
#include <fmt/format.h>

#include "host/cli/command.hpp"
#include "host/cli/execute.hpp"
#include "host/cli/usage.hpp"
#include "host/io/checkpoint.hpp"
#include "host/io/hdf5_output.hpp"
#include "host/parallel/cluster.hpp"

namespace scls {

namespace {

class SimulateCommand : public Command {
  public:
    bool shared_out() const override { return true; }

    int run(Cluster& cluster) override
    {
        ExecuteOptions options = execute_;
        options.run.threads = static_cast<int>(backend_.threads);
        options.run.batch_blocks = batch_blocks_;
        options.run.notice = [](const std::string& text) { std::cerr << "sclsim: " << text << "\n"; };
        options.quiet = quiet_;
        options.command_line = command_line;
        std::optional<Scenario> scenario;
        Inputs inputs;
        std::filesystem::path output_path;
        const int status = cluster.agree(failure_of([&] {
            options.run.backend = backend_.choice();
            scenario = inputs_.load(extra_overrides());
            inputs = read_inputs(*scenario);
            output_path = output_.empty() ? inputs_.default_output(inputs.output_suffix) : std::filesystem::path(output_);
            if (cluster.is_root()) {  // only rank 0 writes the file, and holds every set's results
                check_output_writable(output_path, "-o/--output");
                std::vector<std::filesystem::path> read = scenario->input_files;
                read.insert(read.end(), inputs.other_files.begin(), inputs.other_files.end());
                check_output_is_not_an_input(output_path, "-o", read);
                check_checkpoint_path(checkpoint_directory_for(output_path));
                check_run_fits_in_memory(*scenario, inputs.sets.size());
            }
        }));
        if (status != 0) {
            return status;
        }
        options.targets = inputs.targets ? &*inputs.targets : nullptr;
        return execute(cluster, *scenario, inputs.sets, inputs.spec ? &*inputs.spec : nullptr, output_path, options);
    }

  protected:
    struct Inputs {
        ParameterSets sets;
        std::optional<PsaSpec> spec;
        std::optional<TargetSet> targets;
        std::vector<std::filesystem::path> other_files;  // inputs besides the scenario (a targets file)
        std::string output_suffix = ".h5";
    };

    // The command's parameter sets (and PSA spec or targets) for the scenario.
    virtual Inputs read_inputs(const Scenario& scenario) = 0;
    // Overrides the command's own options make (psa --draws).
    virtual std::vector<Override> extra_overrides() const { return {}; }

    CLI::App* add_common(CLI::App& app, const char* name, const char* description)
    {
        command_ = app.add_subcommand(name, description);
        command_->allow_extras();
        CLI::App& c = *command_;
        inputs_.add_to(c);
        c.add_option("-o,--output", output_, "HDF5 output file (default results/<scenario>[.psa|.sweep].h5, or ./)");
        c.add_option("--patients", inputs_.patients, "patients per strategy and set (overrides simulation.patients)")
            ->check(accepts(kPatientsRule));
        c.add_option("--seed", inputs_.seed, "random seed (overrides simulation.seed)")->check(accepts(kSeedRule));
        backend_.add_to(c);
        c.add_option("--batch-blocks", batch_blocks_,
                     "patient blocks of 256 per batch (default: the backend's choice); results do not depend on it")
            ->check(accepts(kBatchBlocksRule));
        c.add_flag("-q,--quiet", quiet_, "no progress bar or tables");
        c.add_option("--checkpoint-every", execute_.checkpoint_every_seconds,
                     "seconds between checkpoints in OUTPUT.checkpoint/ (default 60; 0 = after every batch)")
            ->check(accepts(kCheckpointEveryRule));
        CLI::Option* no_checkpoint =
            c.add_flag("!--no-checkpoint", execute_.checkpoint, "record no checkpoint (and ignore an existing one)");
        CLI::Option* resume = c.add_flag("--resume", execute_.resume,
                                         "require a checkpoint to continue (the same command resumes by itself when one exists)");
        CLI::Option* restart =
            c.add_flag("--restart", execute_.restart, "delete the output's checkpoint and start from the beginning");
        resume->excludes(restart);
        restart->excludes(resume);
        resume->excludes(no_checkpoint);
        no_checkpoint->excludes(resume);
        return command_;
    }

    ScenarioInputs inputs_;

  private:
    BackendOptions backend_;
    std::string output_;
    std::uint64_t batch_blocks_ = 0;
    bool quiet_ = false;
    ExecuteOptions execute_;
};

class RunCommand final : public SimulateCommand {
  public:
    void add_to(CLI::App& app) override
    {
        add_common(app, "run", "simulate a scenario (the built-in base scenario if none is given) and write HDF5")
            ->add_option("--targets", targets_path_, "also compare the run with a calibration targets file (stored under /validation)");
    }

  private:
    Inputs read_inputs(const Scenario& scenario) override
    {
        Inputs inputs;
        inputs.sets = base_case_parameter_sets();
        if (!targets_path_.empty()) {
            inputs.targets = load_targets_file(targets_path_, scenario);
            inputs.other_files.push_back(targets_path_);
        }
        return inputs;
    }

    std::string targets_path_;
};

class PsaCommand final : public SimulateCommand {
  public:
    void add_to(CLI::App& app) override
    {
        add_common(app, "psa",
                   "probabilistic sensitivity analysis: every [psa] draw x patients x strategies in one pass; CEAC, CEAF, EVPI, EVPPI")
            ->add_option("--draws", draws_, "number of PSA draws (overrides psa.draws); draw k is the same whatever the number")
            ->check(accepts(kDrawsRule));
    }

  private:
    std::vector<Override> extra_overrides() const override
    {
        if (!draws_) {
            return {};
        }
        return {{"psa.draws", std::to_string(*draws_), "--draws"}};
    }

    Inputs read_inputs(const Scenario& scenario) override
    {
        Inputs inputs;
        inputs.output_suffix = ".psa.h5";
        inputs.spec = load_psa_spec(scenario);
        if (!inputs.spec) {
            throw InputError({{scenario.source_name, "psa", 0,
                               "section is missing (sclsim psa samples the distributions it lists) — add a [psa] section with "
                               "[[psa.parameters]], e.g. scenarios/scls_psa.toml"}});
        }
        inputs.sets = psa_parameter_sets(*inputs.spec);
        return inputs;
    }

    std::optional<std::uint64_t> draws_;
};

class SweepCommand final : public SimulateCommand {
  public:
    void add_to(CLI::App& app) override
    {
        CLI::App* c = add_common(app, "sweep",
                                 "deterministic sensitivity analysis: one-way ranges (tornado) or a 1-D/2-D grid, every point a parameter set");
        CLI::Option* one_way = c->add_flag(
            "--one-way", one_way_, "each parameter at its low and high value: [[sweep.parameters]], else the [psa] 2.5%/97.5% quantiles");
        CLI::Option* grid = c->add_option("--grid", grid_axes_, "grid axis path=from:to:points or path=v1,v2,... (once or twice)");
        one_way->excludes(grid);
        grid->excludes(one_way);
    }

  private:
    Inputs read_inputs(const Scenario& scenario) override
    {
        Inputs inputs;
        inputs.output_suffix = ".sweep.h5";
        if (one_way_ == !grid_axes_.empty() || grid_axes_.size() > 2) {
            throw InputError({{"command line", "sweep", 0,
                               "needs either --one-way or one or two --grid axes — e.g. sclsim sweep --one-way, or --grid "
                               "regimens.ivig_2g.price_per_gram=50:150:5"}});
        }
        if (one_way_) {
            inputs.sets = one_way_parameter_sets(load_one_way_ranges(scenario, load_psa_spec(scenario)));
        } else {
            std::vector<GridAxis> axes;
            for (const auto& text : grid_axes_) {
                axes.push_back(parse_grid_axis(text, scenario));
            }
            inputs.sets = grid_parameter_sets(axes);
        }
        return inputs;
    }

    bool one_way_ = false;
    std::vector<std::string> grid_axes_;
};

}  // namespace

std::unique_ptr<Command> make_run_command() { return std::make_unique<RunCommand>(); }
std::unique_ptr<Command> make_psa_command() { return std::make_unique<PsaCommand>(); }
std::unique_ptr<Command> make_sweep_command() { return std::make_unique<SweepCommand>(); }

}  // namespace scls
