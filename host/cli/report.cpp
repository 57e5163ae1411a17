// The end-of-run summary table (see report.hpp).
#include "host/cli/report.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "host/util/number_text.hpp"

namespace scls {

namespace {
constexpr std::size_t kTableWidth = 110;  // columns of a terminal the summary table fits

std::string with_se(const Estimate& e, int decimals)
{
    return fmt::format("{} ± {}", grouped(e.mean, decimals), grouped(e.se, decimals));
}
// Columns as displayed: "±" is two bytes but one column (fmt pads by columns).
std::size_t display_width(const std::string& text)
{
    std::size_t width = 0;
    for (unsigned char c : text) {
        width += (c & 0xC0) != 0x80 ? 1 : 0;
    }
    return width;
}
std::string percent(const Estimate& e)
{
    return std::isnan(e.mean) ? "n/a" : fmt::format("{:.1f}% ± {:.2f}", 100 * e.mean, 100 * e.se);
}
}  // namespace

std::string format_summary_table(const Scenario& scenario, const std::vector<StrategySummary>& strategies)
{
    struct Row {
        std::string label;
        std::vector<std::string> cells;
    };
    std::vector<Row> rows;
    auto add = [&](std::string label, auto&& cell) {
        Row row{std::move(label), {}};
        for (const auto& s : strategies) {
            row.cells.push_back(cell(s));
        }
        rows.push_back(std::move(row));
    };
    const std::string money = scenario.currency;
    add("patients", [](const StrategySummary& s) { return grouped(static_cast<double>(s.patients)); });
    add("cost per patient (" + money + ", disc.)", [](const StrategySummary& s) { return with_se(s.cost_total, 0); });
    add("QALYs (disc.)", [](const StrategySummary& s) { return with_se(s.qalys, 3); });
    add("life-years (disc.)", [](const StrategySummary& s) { return with_se(s.life_years_discounted, 3); });
    add("life-years (undisc.)", [](const StrategySummary& s) { return with_se(s.life_years, 3); });
    add("attacks per patient-year", [](const StrategySummary& s) { return with_se(s.attacks_per_patient_year, 4); });
    add("deaths: attack", [](const StrategySummary& s) { return percent(s.death_share(0)); });
    add("deaths: background", [](const StrategySummary& s) { return percent(s.death_share(1)); });
    add("deaths: myeloma", [](const StrategySummary& s) { return percent(s.death_share(2)); });
    add("deaths: adverse event", [](const StrategySummary& s) { return percent(s.death_share(3)); });
    add("5-year survival", [](const StrategySummary& s) { return percent(s.survival_at_years(5)); });
    add("10-year survival", [](const StrategySummary& s) { return percent(s.survival_at_years(10)); });
    if (scenario.params.starts_at_onset) {
        // Rows of the pathway: the same under every strategy (nothing before diagnosis depends on it).
        add("deaths before diagnosis", [](const StrategySummary& s) { return percent(s.deaths_before_diagnosis_share()); });
        add("attacks before diagnosis", [](const StrategySummary& s) {
            return grouped(s.patients > 0 ? static_cast<double>(s.attacks_before_diagnosis) / s.patients : 0.0, 3);
        });
        add("5-year survival from diagnosis",
            [](const StrategySummary& s) { return percent(s.survival_since_diagnosis_at_years(5, nullptr)); });
    }
    if (scenario.params.ever_treated_mask != 0) {
        const AsTreated ever = AsTreated::ever, never = AsTreated::never;
        add("ever treated (of diagnosed)", [](const StrategySummary& s) {
            return s.alive_at_diagnosis > 0 ? percent(binomial_share(s.ever_treated, s.alive_at_diagnosis)) : std::string("n/a");
        });
        add("5-y survival from dx: ever treated",
            [ever](const StrategySummary& s) { return percent(s.survival_since_diagnosis_at_years(5, &ever)); });
        add("5-y survival from dx: never treated",
            [never](const StrategySummary& s) { return percent(s.survival_since_diagnosis_at_years(5, &never)); });
    }
    add("incr. cost vs comparator", [](const StrategySummary& s) { return with_se(s.increment_cost, 0); });
    add("incr. QALYs vs comparator", [](const StrategySummary& s) { return with_se(s.increment_qalys, 4); });
    add("ICER (" + money + "/QALY)", [&](const StrategySummary& s) {
        if (std::isnan(s.icer)) {
            return std::string(s.name == scenario.strategy_names[scenario.comparator] ? "comparator" : "n/a");
        }
        if (s.increment_qalys.mean <= 0 && s.increment_cost.mean >= 0) {
            return std::string("dominated");
        }
        if (s.increment_qalys.mean >= 0 && s.increment_cost.mean <= 0) {
            return std::string("dominant");
        }
        return grouped(s.icer);
    });

    std::size_t label_width = 0;
    for (const auto& r : rows) {
        label_width = std::max(label_width, r.label.size());
    }
    std::vector<std::size_t> widths;
    for (std::size_t c = 0; c < strategies.size(); ++c) {
        std::size_t w = strategies[c].name.size();
        for (const auto& r : rows) {
            w = std::max(w, display_width(r.cells[c]));
        }
        widths.push_back(w);
    }
    // Strategies in blocks of columns that fit the width, each block with the row labels.
    std::string out;
    for (std::size_t first = 0; first < strategies.size();) {
        std::size_t last = first, used = label_width + 2 + widths[first];
        while (last + 1 < strategies.size() && used + 2 + widths[last + 1] <= kTableWidth) {
            used += 2 + widths[++last];
        }
        out += first > 0 ? "\n" : "";
        out += fmt::format("{:<{}}", "", label_width);
        for (std::size_t c = first; c <= last; ++c) {
            out += fmt::format("  {:>{}}", strategies[c].name, widths[c]);
        }
        out += "\n";
        for (const auto& r : rows) {
            out += fmt::format("{:<{}}", r.label, label_width);
            for (std::size_t c = first; c <= last; ++c) {
                out += fmt::format("  {:>{}}", r.cells[c], widths[c]);
            }
            out += "\n";
        }
        first = last + 1;
    }
    out += "Means per patient with Monte Carlo standard errors; increments are paired (same patients, common random numbers).\n";
    return out;
}

namespace {
std::string format_statistic(TargetStatistic statistic, double value, int extra_decimals = 0)
{
    if (std::isnan(value)) {
        return "n/a";
    }
    return is_probability(statistic) ? fmt::format("{:.{}f}%", 100 * value, 1 + extra_decimals)
                                     : fmt::format("{:.{}f}", value, 3 + extra_decimals);
}
}  // namespace

std::string format_target_table(const TargetSet& targets, const std::vector<TargetValue>& model)
{
    std::size_t name_width = 6;
    for (const Target& t : targets.targets) {
        name_width = std::max(name_width, t.name.size());
    }
    std::string out = fmt::format("{:<{}}  {:>9} {:>8}  {:>9} {:>8}  {:>9} {:>6}\n", "target", name_width, "published", "SE", "model",
                                  "MC SE", "diff", "z");
    bool any_log = false;
    for (std::size_t i = 0; i < targets.targets.size(); ++i) {
        const Target& t = targets.targets[i];
        const TargetValue m = i < model.size() ? model[i] : TargetValue{std::nan(""), std::nan("")};
        const double difference = m.value - t.value;
        const std::string diff = std::isnan(difference) ? "n/a"
                                 : is_probability(t.statistic) ? fmt::format("{:+.1f} pp", 100 * difference)
                                                               : fmt::format("{:+.3f}", difference);
        const std::string se = t.log_scale ? fmt::format("log {:.2f}", t.se) : format_statistic(t.statistic, t.se);
        out += fmt::format("{:<{}}  {:>9} {:>8}  {:>9} {:>8}  {:>9} {:>6.2f}\n", t.name, name_width, format_statistic(t.statistic, t.value),
                           se, format_statistic(t.statistic, m.value), format_statistic(t.statistic, m.se, 1), diff,
                           discrepancy(t, m).z());
        any_log = any_log || t.log_scale;
    }
    out += "pp: percentage points. z = (model - published) / published SE; the objective is the sum of z^2.\n";
    if (any_log) {
        out += "log: the target's error is normal on the log scale; its z is ln(model / published) / SE.\n";
    }
    return out;
}

std::string format_fitted_parameters(const TargetSet& targets, const std::vector<double>& values)
{
    std::size_t width = 9;
    for (const FittedParameter& p : targets.parameters) {
        width = std::max(width, p.path.size());
    }
    std::string out = fmt::format("{:<{}}  {:>10} {:>10}  {:>10} {:>10}\n", "parameter", width, "lower", "upper", "scenario", "fitted");
    for (std::size_t i = 0; i < targets.parameters.size(); ++i) {
        const FittedParameter& p = targets.parameters[i];
        out += fmt::format("{:<{}}  {:>10.4g} {:>10.4g}  {:>10.4g} {:>10.4g}{}\n", p.path, width, p.lower, p.upper, p.initial, values[i],
                           p.balance.empty() ? "" : fmt::format("  (balanced by {})", p.balance));
    }
    return out;
}

std::string format_evaluation_line(const TargetSet& targets, const CalibrationEvaluation& latest, const CalibrationEvaluation& best)
{
    std::string values;
    for (std::size_t i = 0; i < latest.parameters.size(); ++i) {
        const std::string& path = targets.parameters[i].path;
        const auto dot = path.rfind('.');
        values += fmt::format(" {}={:.4g}", dot == std::string::npos ? path : path.substr(dot + 1), latest.parameters[i]);
    }
    const std::string objective = latest.feasible ? fmt::format("{:10.4f}", latest.distance) : "infeasible";
    return fmt::format("start {} eval {:4d}  objective {}  best {:.4f} (eval {}) |{}", latest.start + 1, latest.index + 1, objective,
                       best.distance, best.index + 1, values);
}

std::string format_posterior_parameters(const TargetSet& targets, const PosteriorResult& posterior)
{
    std::size_t width = 9;
    for (const FittedParameter& p : targets.parameters) {
        width = std::max(width, p.path.size());
    }
    std::string out = fmt::format("{:<{}}  {:>9} {:>9}  {:>9} {:>9}  {:>19}\n", "parameter", width, "lower", "upper", "scenario",
                                  "mean", "95% interval");
    for (std::size_t i = 0; i < targets.parameters.size(); ++i) {
        const FittedParameter& p = targets.parameters[i];
        const ParameterPosterior& post = posterior.parameters[i];
        out += fmt::format("{:<{}}  {:>9.4g} {:>9.4g}  {:>9.4g} {:>9.4g}  {:>19}{}\n", p.path, width, p.lower, p.upper, p.initial,
                           post.mean, fmt::format("{:.4g} to {:.4g}", post.lower, post.upper),
                           post.at_bound.empty() ? "" : fmt::format("  piles up at the {} bound", post.at_bound));
    }
    return out;
}

std::string format_posterior_targets(const TargetSet& targets, const PosteriorResult& posterior)
{
    std::size_t name_width = 6;
    for (const Target& t : targets.targets) {
        name_width = std::max(name_width, t.name.size());
    }
    std::string out = fmt::format("{:<{}}  {:>9}  {:>9}  {:>19}  {:>19}\n", "target", name_width, "published", "at mean",
                                  "posterior 95%", "predictive 95%");
    for (std::size_t i = 0; i < targets.targets.size(); ++i) {
        const Target& t = targets.targets[i];
        const TargetPosterior& p = posterior.targets[i];
        const double at_mean = i < posterior.at_mean.statistics.size() ? posterior.at_mean.statistics[i].value : std::nan("");
        auto range = [&](double low, double high) {
            return fmt::format("{} to {}", format_statistic(t.statistic, low), format_statistic(t.statistic, high));
        };
        const bool inside = t.value >= p.predictive_lower && t.value <= p.predictive_upper;
        out += fmt::format("{:<{}}  {:>9}  {:>9}  {:>19}  {:>19}{}\n", t.name, name_width, format_statistic(t.statistic, t.value),
                           format_statistic(t.statistic, at_mean), range(p.lower, p.upper),
                           range(p.predictive_lower, p.predictive_upper), inside ? "" : "  published value outside");
    }
    out += "at mean: the model at the posterior mean of the parameters. posterior: the statistic over the posterior draws.\n"
           "predictive: a replicated study (the statistic plus the target's sampling error).\n";
    return out;
}

}  // namespace scls
