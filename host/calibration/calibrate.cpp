#include "host/calibration/calibrate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <nlopt.hpp>
#include <set>
#include <sstream>

#include "host/engine/exact_moments.hpp"
#include "host/engine/summary.hpp"
#include "host/io/hdf5_writer.hpp"
#include "host/scenario/toml.hpp"
#include "host/scenario/toml_reader.hpp"

namespace scls {

namespace {

constexpr double kInfeasiblePenalty = 1e6;  // far above any plausible sum of squared z-scores

// Radical inverse of index in a prime base: Halton points spread the extra
// starts evenly over the box, deterministically.
double halton(int index, int base)
{
    double result = 0.0;
    double fraction = 1.0 / base;
    for (int i = index; i > 0; i /= base) {
        result += fraction * (i % base);
        fraction /= base;
    }
    return result;
}

nlopt::algorithm nlopt_algorithm(CalibrationAlgorithm algorithm)
{
    switch (algorithm) {
        case CalibrationAlgorithm::sbplx: return nlopt::LN_SBPLX;
        case CalibrationAlgorithm::nelder_mead: return nlopt::LN_NELDERMEAD;
        case CalibrationAlgorithm::bobyqa: return nlopt::LN_BOBYQA;
        case CalibrationAlgorithm::cobyla: return nlopt::LN_COBYLA;
    }
    return nlopt::LN_SBPLX;
}

const char* describe(nlopt::result result)
{
    switch (result) {
        case nlopt::SUCCESS: return "converged";
        case nlopt::STOPVAL_REACHED: return "objective reached the stop value";
        case nlopt::FTOL_REACHED: return "converged (objective tolerance)";
        case nlopt::XTOL_REACHED: return "converged (parameter tolerance)";
        case nlopt::MAXEVAL_REACHED: return "stopped at max_evaluations";
        case nlopt::MAXTIME_REACHED: return "stopped at the time limit";
        default: return "stopped";
    }
}

// Each balance key's value once the fitted shares of its group have moved to values.
std::map<std::string, double> balance_values(const TargetSet& targets, const std::vector<double>& values)
{
    std::map<std::string, double> balances;
    for (std::size_t i = 0; i < targets.parameters.size(); ++i) {
        const FittedParameter& p = targets.parameters[i];
        if (!p.balance.empty()) {
            auto [entry, inserted] = balances.try_emplace(p.balance, p.balance_initial);
            entry->second -= values[i] - p.initial;
        }
    }
    return balances;
}

}  // namespace

double to_search(const FittedParameter& p, double value)
{
    if (p.log_scale) {
        return (std::log(value) - std::log(p.lower)) / (std::log(p.upper) - std::log(p.lower));
    }
    return (value - p.lower) / (p.upper - p.lower);
}

double from_search(const FittedParameter& p, double x)
{
    x = std::clamp(x, 0.0, 1.0);
    if (p.log_scale) {
        return std::exp(std::log(p.lower) + x * (std::log(p.upper) - std::log(p.lower)));
    }
    return p.lower + x * (p.upper - p.lower);
}

std::vector<Override> fitted_overrides(const TargetSet& targets, const std::vector<double>& values, std::string& reason)
{
    std::vector<Override> overrides;
    for (std::size_t i = 0; i < targets.parameters.size(); ++i) {
        overrides.push_back({targets.parameters[i].path, override_value(values[i])});
    }
    for (const auto& [path, value] : balance_values(targets, values)) {
        if (value < 0.0 || value > 1.0) {
            reason = fmt::format("{} would be {:.4g} to keep its group's shares summing to 1", path, value);
        }
        overrides.push_back({path, override_value(std::clamp(value, 0.0, 1.0))});
    }
    return overrides;
}

std::vector<TargetValue> evaluate_targets(const TargetSet& targets, const std::vector<StrategySummary>& summaries)
{
    std::vector<TargetValue> values;
    for (const Target& t : targets.targets) {
        values.push_back(evaluate_target(t, summaries));
    }
    return values;
}

// A point outside the model's bounds gets a penalty that grows with the
// violation, so that a search is pushed back inside.
CalibrationEvaluation evaluate_point(const Scenario& scenario, const TargetSet& targets, const std::vector<double>& values,
                                     const RunOptions& run_options)
{
    CalibrationEvaluation ev;
    ev.parameters = values;
    std::string reason;
    std::vector<Override> overrides = {{"simulation.patients", std::to_string(targets.patients), "calibration"},
                                       {"simulation.seed", std::to_string(targets.seed), "calibration"}};
    for (Override& o : fitted_overrides(targets, values, reason)) {
        o.source = "calibration";
        overrides.push_back(std::move(o));
    }
    if (!reason.empty()) {
        ev.feasible = false;
        ev.infeasible_reason = reason;
        double violation = 0.0;
        for (const auto& [path, value] : balance_values(targets, values)) {
            violation += std::max(0.0, -value) + std::max(0.0, value - 1.0);
        }
        ev.distance = kInfeasiblePenalty * (1.0 + violation);
        return ev;
    }
    try {
        const Scenario trial = scenario_with_values(scenario, overrides);
        const RunResult run = run_simulation(trial, {trial.params}, run_options);
        ev.statistics = evaluate_targets(targets, summarize(trial, run, 0));
        ev.distance = target_distance(targets.targets, ev.statistics);
    } catch (const InputError& e) {
        ev.feasible = false;
        ev.infeasible_reason = e.issues().empty() ? "invalid scenario" : e.issues().front().to_string();
        ev.distance = 10.0 * kInfeasiblePenalty;
    } catch (const ValuesOutOfRange& e) {
        // A point too extreme for the model's arithmetic is far off, not the end of the search.
        ev.feasible = false;
        ev.infeasible_reason = e.what();
        ev.distance = 10.0 * kInfeasiblePenalty;
    }
    return ev;
}

namespace {

// The starting point of a local search: the targets' initial values first,
// then Halton points spread evenly over the box.
std::vector<double> start_point(const TargetSet& targets, int start)
{
    static constexpr int kPrimes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53};
    std::vector<double> x(targets.parameters.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = start == 0 ? to_search(targets.parameters[i], targets.parameters[i].initial) : halton(start, kPrimes[i % std::size(kPrimes)]);
    }
    return x;
}

struct SearchContext {
    const TargetSet* targets;
    const std::function<double(const std::vector<double>&)>* evaluate;
    std::exception_ptr* failure;
    nlopt::opt* optimizer;
};

// NLopt's objective: search coordinates to values, then one evaluation.
double search_objective(const std::vector<double>& x, std::vector<double>& /*gradient*/, void* data)
{
    auto* context = static_cast<SearchContext*>(data);
    std::vector<double> values(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        values[i] = from_search(context->targets->parameters[i], x[i]);
    }
    try {
        return (*context->evaluate)(values);
    } catch (...) {
        // A backend failure ends the calibration; NLopt must not see a C++ exception.
        *context->failure = std::current_exception();
        context->optimizer->force_stop();
        return std::numeric_limits<double>::max();
    }
}

// One local search from x; its evaluations are appended to the trace by evaluate.
CalibrationStart run_local_search(const TargetSet& targets, std::vector<double> x,
                                  const std::function<double(const std::vector<double>&)>& evaluate, const CalibrationResult& result)
{
    const std::size_t n = x.size();
    CalibrationStart record;
    for (std::size_t i = 0; i < n; ++i) {
        record.initial.push_back(from_search(targets.parameters[i], x[i]));
    }
    const std::size_t first_evaluation = result.trace.size();
    std::exception_ptr failure;
    nlopt::opt optimizer(nlopt_algorithm(targets.algorithm), static_cast<unsigned>(n));
    optimizer.set_lower_bounds(std::vector<double>(n, 0.0));
    optimizer.set_upper_bounds(std::vector<double>(n, 1.0));
    optimizer.set_xtol_abs(targets.relative_tolerance);
    optimizer.set_maxeval(targets.max_evaluations);
    optimizer.set_initial_step(std::vector<double>(n, 0.1));
    SearchContext context{&targets, &evaluate, &failure, &optimizer};
    optimizer.set_min_objective(search_objective, &context);
    double minimum = 0.0;
    try {
        record.stop_reason = describe(optimizer.optimize(x, minimum));
    } catch (const nlopt::roundoff_limited&) {
        record.stop_reason = "stopped: roundoff limited";
    } catch (const nlopt::forced_stop&) {
        record.stop_reason = "stopped by a failure";
    } catch (const std::exception& e) {
        record.stop_reason = fmt::format("stopped: {}", e.what());
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    record.evaluations = static_cast<int>(result.trace.size() - first_evaluation);
    record.best = first_evaluation;
    for (std::size_t i = first_evaluation; i < result.trace.size(); ++i) {
        if (result.trace[i].distance < result.trace[record.best].distance) {
            record.best = i;
        }
    }
    return record;
}

}  // namespace

CalibrationResult calibrate(const Scenario& scenario, const TargetSet& targets, const CalibrationOptions& options)
{
    const auto clock_start = std::chrono::steady_clock::now();
    CalibrationResult result;
    int current_start = 0;
    // Every evaluation is a run; a notice such as the GPU fallback is worth showing once.
    RunOptions run_options = options.run;
    std::set<std::string> notices_shown;
    run_options.notice = [&](const std::string& text) {
        if (options.run.notice && notices_shown.insert(text).second) {
            options.run.notice(text);
        }
    };
    const std::function<double(const std::vector<double>&)> evaluate = [&](const std::vector<double>& values) {
        CalibrationEvaluation ev = evaluate_point(scenario, targets, values, run_options);
        ev.start = current_start;
        ev.index = static_cast<int>(result.trace.size());
        result.trace.push_back(std::move(ev));
        if (result.trace.back().distance < result.trace[result.best].distance) {
            result.best = result.trace.size() - 1;
        }
        if (options.on_evaluation) {
            options.on_evaluation(result.trace.back(), result.trace[result.best]);
        }
        return result.trace.back().distance;
    };
    for (int start = 0; start < targets.starts; ++start) {
        current_start = start;
        result.starts.push_back(run_local_search(targets, start_point(targets, start), evaluate, result));
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
    return result;
}

namespace {

struct Replacement {
    std::size_t begin;  // byte offsets in the line
    std::size_t end;
    std::string text;
    std::string label;  // "share was 0.6"
};

// toml++ columns count code points from 1; the byte offset of a column.
std::size_t byte_offset(const std::string& line, std::size_t column)
{
    std::size_t offset = 0;
    for (std::size_t c = 1; c < column && offset < line.size(); ++c) {
        const unsigned char lead = static_cast<unsigned char>(line[offset]);
        offset += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    }
    return std::min(offset, line.size());
}

std::string last_key(const std::string& path)
{
    const auto dot = path.rfind('.');
    return dot == std::string::npos ? path : path.substr(dot + 1);
}

}  // namespace

std::string calibrated_scenario_text(const Scenario& scenario, const TargetSet& targets, const std::vector<double>& values,
                                     const std::string& note)
{
    const toml::table root = toml::parse(scenario.source_text, std::string_view(scenario.source_name));
    std::vector<std::string> lines;
    {
        std::istringstream in(scenario.source_text);
        for (std::string line; std::getline(in, line);) {
            lines.push_back(line);
        }
    }
    std::string ignored;
    std::map<std::size_t, std::vector<Replacement>> by_line;
    auto replace = [&](const std::string& path, double value, int significant_digits) {
        std::string problem;
        const toml::node* node = find_key_path(root, path, problem);
        if (!node) {
            throw std::runtime_error(fmt::format("cannot write the calibrated scenario: {} {} in {} (was it set with --set only?)",
                                                 path, problem, scenario.source_name));
        }
        const toml::source_region& where = node->source();
        const std::size_t line = where.begin.line - 1;
        if (line >= lines.size() || where.end.line != where.begin.line) {
            throw std::runtime_error(fmt::format("cannot write the calibrated scenario: {} is not on one line of {}", path,
                                                 scenario.source_name));
        }
        Replacement r;
        r.begin = byte_offset(lines[line], where.begin.column);
        r.end = byte_offset(lines[line], where.end.column);
        r.text = fmt::format("{:.{}g}", value, significant_digits);
        if (r.text.find_first_of(".e") == std::string::npos) {
            r.text += ".0";  // stays a float in TOML
        }
        r.label = fmt::format("{} was {}", last_key(path), lines[line].substr(r.begin, r.end - r.begin));
        by_line[line].push_back(r);
    };
    // Round the fitted values for the file, then balance the rounded ones so
    // that every group still sums to 1 exactly.
    std::vector<double> rounded(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        rounded[i] = std::stod(fmt::format("{:.4g}", values[i]));
        replace(targets.parameters[i].path, rounded[i], 4);
    }
    std::string reason;
    for (const Override& o : fitted_overrides(targets, rounded, reason)) {
        const bool is_balance = std::none_of(targets.parameters.begin(), targets.parameters.end(),
                                             [&](const FittedParameter& p) { return p.path == o.key; });
        if (is_balance) {
            replace(o.key, std::stod(o.value), 10);
        }
    }
    for (auto& [line, replacements] : by_line) {
        std::sort(replacements.begin(), replacements.end(), [](const Replacement& a, const Replacement& b) { return a.begin > b.begin; });
        std::string& text = lines[line];
        const std::size_t value_end = replacements.front().end;
        const std::size_t hash = text.find('#', value_end);
        const std::string old_comment = hash == std::string::npos ? "" : text.substr(hash + 1);
        if (hash != std::string::npos) {
            text.erase(hash);
        }
        std::string labels;
        for (auto it = replacements.rbegin(); it != replacements.rend(); ++it) {
            labels += (labels.empty() ? "" : ", ") + it->label;
        }
        for (const Replacement& r : replacements) {
            text.replace(r.begin, r.end - r.begin, r.text);
        }
        while (!text.empty() && text.back() == ' ') {
            text.pop_back();
        }
        std::string old = old_comment;
        while (!old.empty() && old.front() == ' ') {
            old.erase(old.begin());
        }
        text += fmt::format("  # {} ({}){}", note, labels, old.empty() ? "" : "; before: " + old);
    }
    std::string out;
    for (const auto& line : lines) {
        out += line + "\n";
    }
    return out;
}

void write_targets_group(Hdf5Writer& w, const Scenario& scenario, const TargetSet& targets, const std::vector<TargetValue>& model,
                         const std::string& group_name)
{
    H5::Group group = w.group(group_name);
    Hdf5Writer::string_attribute(group, "target_set", targets.name);
    Hdf5Writer::string_attribute(group, "description", targets.description);
    Hdf5Writer::string_attribute(group, "source", targets.source_name);
    w.text(group, "targets_text", targets.source_text, "the targets file as read");
    const hsize_t count = targets.targets.size();
    const hsize_t strategies = scenario.strategy_names.size();
    std::vector<std::string> names, statistics, mixes, references, regimens, sources, follow_up, scales;
    std::vector<double> value, se, ci_lower, ci_upper, model_value, model_se, years, quantiles, cohort_sizes, shares(count * strategies, 0.0), reference_shares(count * strategies, 0.0);
    for (hsize_t i = 0; i < count; ++i) {
        const Target& t = targets.targets[i];
        names.push_back(t.name);
        statistics.push_back(to_string(t.statistic));
        mixes.push_back(t.strategies.text);
        references.push_back(t.reference.text);
        regimens.push_back(t.regimen >= 0 ? scenario.regimen_names[t.regimen] : "");
        sources.push_back(t.source);
        value.push_back(t.value);
        se.push_back(t.se);
        scales.push_back(t.log_scale ? "log" : "linear");
        ci_lower.push_back(t.ci_lower);
        ci_upper.push_back(t.ci_upper);
        model_value.push_back(i < model.size() ? model[i].value : std::numeric_limits<double>::quiet_NaN());
        model_se.push_back(i < model.size() ? model[i].se : std::numeric_limits<double>::quiet_NaN());
        follow_up.push_back(!t.since_diagnosis ? "entry"
                            : t.as_treated < 0 ? "diagnosis"
                            : t.as_treated == static_cast<int>(AsTreated::ever) ? "diagnosis, ever treated"
                                                                                : "diagnosis, never treated");
        const bool observed = t.statistic == TargetStatistic::observed_rate || t.statistic == TargetStatistic::observed_rate_min ||
                              t.statistic == TargetStatistic::observed_rate_max;
        quantiles.push_back(observed ? t.quantile : std::numeric_limits<double>::quiet_NaN());
        cohort_sizes.push_back(t.cohort_size > 0 ? t.cohort_size : std::numeric_limits<double>::quiet_NaN());
        years.push_back(t.statistic == TargetStatistic::survival || t.statistic == TargetStatistic::attack_free
                            ? t.years
                            : std::numeric_limits<double>::quiet_NaN());
        for (const auto& [strategy, share] : t.strategies.shares) {
            shares[i * strategies + strategy] = share;
        }
        for (const auto& [strategy, share] : t.reference.shares) {
            reference_shares[i * strategies + strategy] = share;
        }
    }
    w.strings(group, "name", names, "target names (axis 'target')", "target");
    w.strings(group, "statistic", statistics, fmt::format("what each target measures: {}", statistic_names()), "target");
    w.strings(group, "follow_up", follow_up,
              "where a survival target's follow-up starts: cohort entry, or diagnosis (of all alive then, or of an as-treated "
              "group: ever or never on a regimen of [cohort] ever_treated)", "target");
    w.strings(group, "strategies", mixes, "the strategy or mix of strategies (shares) each target describes", "target");
    w.strings(group, "reference", references, "the denominator's strategies of an attack_rate_ratio", "target");
    w.strings(group, "regimen", regimens, "attack rates counted only on this regimen (empty: all follow-up)", "target");
    w.strings(group, "source", sources, "publication of each target", "target");
    w.strings(group, "scale", scales, "the scale on which each target's error is normal (target_se is on it)", "target");
    const std::vector<std::string> axis{"target"};
    w.dataset(group, "years", {count}, years, axis, "years", "time since diagnosis of survival and attack_free targets (NaN otherwise)");
    w.dataset(group, "quantile", {count}, quantiles, axis, "probability",
              "the quantile of observed untreated attack rates an observed_rate* target reads (NaN otherwise)");
    w.dataset(group, "cohort_size", {count}, cohort_sizes, axis, "patients",
              "the published cohort's size of an observed_rate_min/max target (NaN otherwise)");
    w.dataset(group, "target_value", {count}, value, axis, "as the statistic", "published value");
    w.dataset(group, "target_se", {count}, se, axis, "as the statistic", "published uncertainty as a standard error (sets the weight), on the target's scale");
    w.dataset(group, "target_ci_lower", {count}, ci_lower, axis, "as the statistic", "published 95% interval, lower end (NaN if an SE was given)");
    w.dataset(group, "target_ci_upper", {count}, ci_upper, axis, "as the statistic", "published 95% interval, upper end (NaN if an SE was given)");
    w.dataset(group, "model_value", {count}, model_value, axis, "as the statistic", "the model's value of the statistic");
    w.dataset(group, "model_se", {count}, model_se, axis, "as the statistic",
              "Monte Carlo SE of model_value (for mixes: the share-weighted sum of SEs, an upper bound)");
    w.dataset(group, "strategy_shares", {count, strategies}, shares, {"target", "strategy"}, "share",
              "share of each strategy in the group a target describes");
    w.dataset(group, "reference_shares", {count, strategies}, reference_shares, {"target", "strategy"}, "share",
              "share of each strategy in an attack_rate_ratio's reference group");
}

void write_calibration_trace(const std::filesystem::path& path, const Scenario& scenario, const TargetSet& targets,
                             const CalibrationResult& result, const std::string& created_utc, const std::string& version)
{
    write_hdf5_atomically(path, [&](Hdf5Writer& w) {
        H5::Group root = w.file().openGroup("/");
        Hdf5Writer::string_attribute(root, "format", "sclsim-calibration");
        Hdf5Writer::scalar_attribute<std::int64_t>(root, "format_version", 1);
        Hdf5Writer::string_attribute(root, "sclsim_version", version);
        Hdf5Writer::string_attribute(root, "created_utc", created_utc);
        Hdf5Writer::string_attribute(root, "scenario_source", scenario.source_name);
        Hdf5Writer::string_attribute(root, "target_set", targets.name);
        Hdf5Writer::scalar_attribute<std::uint64_t>(root, "patients_per_evaluation", targets.patients);
        Hdf5Writer::scalar_attribute<std::uint64_t>(root, "seed", targets.seed);
        Hdf5Writer::scalar_attribute<double>(root, "seconds", result.seconds);
        Hdf5Writer::string_attribute(root, "objective",
                                     "sum over targets of ((model - target) / target SE)^2, common random numbers across evaluations");
        H5::Group scenario_group = w.group("/scenario");
        w.text(scenario_group, "source_text", scenario.source_text, "the scenario calibrated, as read");

        const CalibrationEvaluation& best = result.trace[result.best];
        write_targets_group(w, scenario, targets, best.statistics, "/targets");

        const hsize_t n = targets.parameters.size();
        const hsize_t evaluations = result.trace.size();
        const hsize_t target_count = targets.targets.size();
        H5::Group trace = w.group("/trace");
        std::vector<std::string> names, scales, balances;
        std::vector<double> lower, upper, initial;
        for (const FittedParameter& p : targets.parameters) {
            names.push_back(p.path);
            scales.push_back(p.log_scale ? "log" : "linear");
            balances.push_back(p.balance);
            lower.push_back(p.lower);
            upper.push_back(p.upper);
            initial.push_back(p.initial);
        }
        w.strings(trace, "parameter", names, "fitted parameters, dotted key paths (axis 'parameter')");
        w.strings(trace, "scale", scales, "search scale of each parameter", "parameter");
        w.strings(trace, "balance", balances, "the share that absorbs each parameter's changes (empty: none)", "parameter");
        w.dataset(trace, "lower", {n}, lower, {"parameter"}, "as the parameter", "lower bound");
        w.dataset(trace, "upper", {n}, upper, {"parameter"}, "as the parameter", "upper bound");
        w.dataset(trace, "initial", {n}, initial, {"parameter"}, "as the parameter", "the scenario's value before calibration");
        std::vector<double> values, distance, statistics;
        std::vector<std::int64_t> start, feasible;
        for (const CalibrationEvaluation& ev : result.trace) {
            values.insert(values.end(), ev.parameters.begin(), ev.parameters.end());
            distance.push_back(ev.distance);
            start.push_back(ev.start);
            feasible.push_back(ev.feasible ? 1 : 0);
            for (hsize_t t = 0; t < target_count; ++t) {
                statistics.push_back(ev.feasible && t < ev.statistics.size() ? ev.statistics[t].value
                                                                             : std::numeric_limits<double>::quiet_NaN());
            }
        }
        w.dataset(trace, "parameters", {evaluations, n}, values, {"evaluation", "parameter"}, "as the parameter",
                  "parameter values of every evaluation, in order");
        w.dataset(trace, "objective", {evaluations}, distance, {"evaluation"}, "1",
                  "sum of squared z-scores; infeasible points carry a penalty of 1e6 or more");
        w.dataset(trace, "statistics", {evaluations, target_count}, statistics, {"evaluation", "target"}, "as the statistic",
                  "the model's value of every target at every evaluation (NaN where infeasible)");
        w.dataset(trace, "start", {evaluations}, start, {"evaluation"}, "1", "which start (0: the scenario's values) each evaluation belongs to");
        w.dataset(trace, "feasible", {evaluations}, feasible, {"evaluation"}, "1", "1 if the parameters gave a valid scenario");

        H5::Group best_group = w.group("/best");
        Hdf5Writer::scalar_attribute<std::int64_t>(best_group, "evaluation", static_cast<std::int64_t>(result.best));
        Hdf5Writer::scalar_attribute<double>(best_group, "objective", best.distance);
        w.dataset(best_group, "parameters", {n}, best.parameters, {"parameter"}, "as the parameter", "the best parameters found");
        std::vector<std::string> stops;
        std::vector<std::int64_t> start_best, start_evaluations;
        for (const CalibrationStart& s : result.starts) {
            stops.push_back(s.stop_reason);
            start_best.push_back(static_cast<std::int64_t>(s.best));
            start_evaluations.push_back(s.evaluations);
        }
        const hsize_t starts = result.starts.size();
        w.strings(best_group, "start_stop_reason", stops, "how each start's search ended (NLopt)", "start");
        w.dataset(best_group, "start_best_evaluation", {starts}, start_best, {"start"}, "1", "best evaluation of each start");
        w.dataset(best_group, "start_evaluations", {starts}, start_evaluations, {"start"}, "1", "evaluations used by each start");
    });
}

}  // namespace scls
