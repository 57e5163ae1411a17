// sclsim calibrate: fit a scenario's unobserved parameters to published targets.
#include <fmt/format.h>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "host/calibration/calibrate.hpp"
#include "host/calibration/posterior.hpp"
#include "host/cli/command.hpp"
#include "host/cli/report.hpp"
#include "host/cli/usage.hpp"
#include "host/io/files.hpp"
#include "host/io/hdf5_output.hpp"
#include "host/version.hpp"

namespace scls {

namespace {

constexpr NumberRule kEvaluationsRule{10, 1000000, true, "objective evaluations per start", "300"};
constexpr NumberRule kStartsRule{1, 1000, true, "starting points of the search", "2"};
constexpr NumberRule kFitPatientsRule{1000, 4294967295.0, true, "patients per evaluation", "100000"};

class CalibrateCommand final : public Command {
  public:
    void add_to(CLI::App& app) override
    {
        command_ = app.add_subcommand(
            "calibrate", "fit a scenario's unobserved parameters to published targets (NLopt); writes the calibrated scenario and a trace");
        command_->allow_extras();
        CLI::App& c = *command_;
        inputs_.add_to(c);
        c.add_option("--targets", targets_path_, "targets TOML file: what to fit and to which published statistics")->required();
        c.add_option("-o,--output", output_, "calibrated scenario TOML (default results/<scenario>.calibrated.toml, or ./)");
        c.add_option("--trace", trace_output_, "HDF5 trace of every evaluation (default: the output with .trace.h5)");
        c.add_option("--patients", patients_, "patients per evaluation (overrides fit.patients)")->check(accepts(kFitPatientsRule));
        c.add_option("--max-evaluations", max_evaluations_, "evaluations per start (overrides fit.max_evaluations)")
            ->check(accepts(kEvaluationsRule));
        c.add_option("--starts", starts_, "starting points (overrides fit.starts)")->check(accepts(kStartsRule));
        c.add_option("--method", method_, "optimize (a best fit, NLopt) or imis (a posterior sample); overrides fit.method")
            ->check(CLI::IsMember({"optimize", "imis"}));
        c.add_option("--posterior", posterior_output_, "method imis: HDF5 posterior sample (default: the output with .posterior.h5)");
        backend_.add_to(c);
        c.add_flag("-q,--quiet", quiet_, "no line per evaluation");
    }

    int run(Cluster&) override
    {
        const BackendChoice backend = backend_.choice();
        const Scenario scenario = inputs_.load();
        TargetSet targets = load_targets_file(targets_path_, scenario);
        targets.patients = patients_.value_or(targets.patients);
        targets.max_evaluations = static_cast<int>(max_evaluations_.value_or(static_cast<std::uint64_t>(targets.max_evaluations)));
        targets.starts = static_cast<int>(starts_.value_or(static_cast<std::uint64_t>(targets.starts)));
        if (method_) {
            targets.method = *method_ == "imis" ? CalibrationMethod::imis : CalibrationMethod::optimize;
        }
        const std::filesystem::path toml_path =
            output_.empty() ? inputs_.default_output(".calibrated.toml") : std::filesystem::path(output_);
        const bool bayesian = targets.method == CalibrationMethod::imis;
        const char* trace_extension = bayesian ? ".posterior.h5" : ".trace.h5";
        const std::filesystem::path trace_path =
            companion(toml_path, bayesian ? posterior_output_ : trace_output_, trace_extension);
        std::vector<std::filesystem::path> read = scenario.input_files;
        read.push_back(targets_path_);
        // A refusal suggests a file named as calibrate names its own.
        const std::filesystem::path toml_example = "results/scenario.calibrated.toml";
        const struct {
            const std::filesystem::path& path;
            const char* option;
            std::string example;
        } outputs[] = {{toml_path, "-o", toml_example.string()},
                       {trace_path, bayesian ? "--posterior" : "--trace", companion(toml_example, "", trace_extension).string()}};
        for (const auto& output : outputs) {
            check_output_writable(output.path, output.option, OutputKind::file, output.example);
            check_output_is_not_an_input(output.path, output.option, read);
        }
        if (!scenario.overrides.empty()) {
            std::cerr << "sclsim: note: --set overrides apply during the fit but are not written into the calibrated file\n";
        }
        CalibrationOptions options;
        options.run.backend = backend;
        options.run.threads = static_cast<int>(backend_.threads);
        options.run.notice = [](const std::string& text) { std::cerr << "sclsim: " << text << "\n"; };
        if (bayesian) {
            return run_posterior(scenario, targets, options.run, toml_path, trace_path);
        }
        if (!quiet_) {
            options.on_evaluation = [&](const CalibrationEvaluation& latest, const CalibrationEvaluation& best) {
                std::cout << format_evaluation_line(targets, latest, best) << std::endl;
            };
        }
        fmt::print("calibrating {} to {} ({} parameters, {} targets; {} patients per evaluation, seed {}, {} start{})\n",
                   scenario.source_name, targets.source_name, targets.parameters.size(), targets.targets.size(), targets.patients,
                   targets.seed, targets.starts, targets.starts == 1 ? "" : "s");
        const CalibrationResult result = calibrate(scenario, targets, options);
        const CalibrationEvaluation& best = result.trace[result.best];
        const std::string created = utc_now();
        write_calibration_trace(trace_path, scenario, targets, result, created, kSclsimVersion);
        const std::string note = fmt::format("calibrated to {} (sclsim calibrate, {})", targets.name, created.substr(0, 10));
        write_file_atomically(toml_path, calibrated_scenario_text(scenario, targets, best.parameters, note));
        print_result(targets, result, toml_path, trace_path);
        return best.feasible ? 0 : kExitRuntimeError;
    }

  private:
    // The output's companion file: given by its option, else beside the output.
    static std::filesystem::path companion(const std::filesystem::path& output, const std::string& given, const char* extension)
    {
        if (!given.empty()) {
            return given;
        }
        std::filesystem::path path = output;
        return path.replace_extension(extension);
    }

    int run_posterior(const Scenario& scenario, const TargetSet& targets, const RunOptions& run, const std::filesystem::path& toml_path,
                      const std::filesystem::path& posterior_path) const
    {
        const ImisSettings& imis = targets.imis;
        fmt::print("calibrating {} to {} by IMIS ({} parameters, {} targets; {} patients per evaluation, seed {}; {} prior draws, "
                   "{} per component, up to {} components, {} posterior draws)\n",
                   scenario.source_name, targets.source_name, targets.parameters.size(), targets.targets.size(), targets.patients,
                   targets.seed, imis.prior_draws, imis.draws_per_step, imis.max_steps, imis.posterior_draws);
        ImisProgress progress;
        if (!quiet_) {
            progress.on_step = [&](int step, double ess, double unique) {
                fmt::print("{:>3} component{} added: effective sample size {:.0f}, {:.0f} distinct draws expected of {} (wanted {:.0f})\n",
                           step, step == 1 ? "" : "s", ess, unique, imis.posterior_draws, (1.0 - std::exp(-1.0)) * imis.posterior_draws);
                std::fflush(stdout);
            };
        }
        PosteriorResult result;
        try {
            result = calibrate_posterior(scenario, targets, run, progress);
        } catch (const std::runtime_error& e) {
            if (dynamic_cast<const InputError*>(&e)) {
                throw;
            }
            std::cerr << "sclsim: calibrate: " << e.what() << " — widen the priors or check the targets\n";
            return kExitRuntimeError;
        }
        const std::string created = utc_now();
        write_posterior(posterior_path, scenario, targets, result, created, kSclsimVersion);
        const std::string note = fmt::format("posterior mean, {} (sclsim calibrate --method imis, {})", targets.name, created.substr(0, 10));
        write_file_atomically(toml_path, calibrated_scenario_text(scenario, targets, result.posterior_mean, note));
        fmt::print("\n{} evaluations in {:.1f} s; {}\neffective sample size {:.0f}; {} posterior draws\n\n", result.imis.samples.size(),
                   result.seconds, result.imis.stop_reason, result.imis.effective_sample_size, result.imis.resampled.size());
        std::cout << format_posterior_parameters(targets, result) << "\n" << format_posterior_targets(targets, result);
        fmt::print("\nwrote {} (the posterior mean)\nwrote {}\n", toml_path.string(), posterior_path.string());
        return 0;
    }

    static void print_result(const TargetSet& targets, const CalibrationResult& result, const std::filesystem::path& toml_path,
                             const std::filesystem::path& trace_path)
    {
        const CalibrationEvaluation& best = result.trace[result.best];
        fmt::print("\n{} evaluations in {:.1f} s; best objective {:.4f} (start {}, evaluation {})\n", result.trace.size(),
                   result.seconds, best.distance, best.start + 1, best.index + 1);
        for (std::size_t s = 0; s < result.starts.size(); ++s) {
            fmt::print("  start {}: {} after {} evaluations, best {:.4f}\n", s + 1, result.starts[s].stop_reason,
                       result.starts[s].evaluations, result.trace[result.starts[s].best].distance);
        }
        std::cout << "\n" << format_fitted_parameters(targets, best.parameters) << "\n";
        std::cout << format_target_table(targets, best.statistics);
        fmt::print("\nwrote {}\nwrote {}\n", toml_path.string(), trace_path.string());
    }

    ScenarioInputs inputs_;
    BackendOptions backend_;
    std::string targets_path_, output_, trace_output_, posterior_output_;
    std::optional<std::string> method_;
    std::optional<std::uint64_t> patients_, max_evaluations_, starts_;
    bool quiet_ = false;
};

}  // namespace

std::unique_ptr<Command> make_calibrate_command() { return std::make_unique<CalibrateCommand>(); }

}  // namespace scls
