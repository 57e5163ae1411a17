// The cost-effectiveness tables for the terminal (see cea_report.hpp): money
// with thousands separators, strategies as rows so that seven strategies
// still fit a terminal, and sensitivity analyses that show the decision at
// stake (the optimal strategy against the next best on the frontier).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <numeric>

#include "host/cli/cea_report.hpp"
#include "host/util/number_text.hpp"

namespace scls {

namespace {

constexpr std::size_t kTextWidth = 108;  // a 110-column terminal, less the indent

// Linear interpolation on an ascending grid; NaN (shown as "—") outside it,
// where a clamped value would be the answer to another question.
double at_wtp(const std::vector<double>& grid, const std::vector<double>& values, double wtp)
{
    if (grid.empty() || wtp < grid.front() || wtp > grid.back()) {
        return std::nan("");
    }
    if (wtp == grid.front()) {
        return values.front();
    }
    for (std::size_t i = 1; i < grid.size(); ++i) {
        if (wtp <= grid[i]) {
            const double f = (wtp - grid[i - 1]) / (grid[i] - grid[i - 1]);
            return values[i - 1] + f * (values[i] - values[i - 1]);
        }
    }
    return values.back();
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    const double position = p * (values.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, values.size() - 1);
    return values[below] + (position - below) * (values[above] - values[below]);
}

double mean_of(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size()); }

// "mean (low to high)" over draws, 95% interval.
std::string interval(const std::vector<double>& x, int decimals)
{
    return fmt::format("{} ({} to {})", grouped(mean_of(x), decimals), grouped(percentile(x, 0.025), decimals),
                       grouped(percentile(x, 0.975), decimals));
}

std::size_t name_width(const CostEffectivenessView& v)
{
    std::size_t width = 8;
    for (const auto& name : v.strategies) {
        width = std::max(width, name.size());
    }
    return width;
}

std::string wtp_header(const std::vector<double>& report_wtp, std::size_t cell)
{
    std::string out;
    for (double wtp : report_wtp) {
        out += fmt::format(" {:>{}}", "at " + grouped(wtp), cell);
    }
    return out;
}

double nmb(const CostEffectivenessView& v, std::size_t set, int strategy, double wtp)
{
    const std::size_t i = set * v.strategies.size() + static_cast<std::size_t>(strategy);
    return wtp * v.effect[i] - v.cost[i];
}

// Costs and effects of one set, per strategy.
void set_outcomes(const CostEffectivenessView& v, std::size_t set, std::vector<double>& cost, std::vector<double>& effect)
{
    const std::size_t n = v.strategies.size();
    cost.assign(v.cost.begin() + set * n, v.cost.begin() + (set + 1) * n);
    effect.assign(v.effect.begin() + set * n, v.effect.begin() + (set + 1) * n);
}

std::string incremental_section(const CostEffectivenessView& v)
{
    const std::size_t width = name_width(v);
    std::string out = fmt::format("Incremental analysis, base case (discounted, per person; {}):\n", v.money);
    out += fmt::format("  {:<{}}  {:>10} {:>8}  {:>10} {:>9}  {:>10}  {}\n", "strategy", width, "cost", "QALYs", "incr. cost",
                       "incr. QALYs", "ICER", "status");
    for (const IncrementalRow& row : v.analysis.base_table) {
        std::string status = frontier_status_name(row.status);
        if (row.status == FrontierStatus::dominated) {
            status += " by " + v.strategies[row.versus];
        } else if (row.status == FrontierStatus::extendedly_dominated) {
            status += fmt::format(" by {} and {}", v.strategies[row.versus], v.strategies[row.versus_next]);
        } else if (row.versus >= 0) {
            status += " vs " + v.strategies[row.versus];
        } else {
            status += " (least costly)";
        }
        out += fmt::format("  {:<{}}  {:>10} {:>8.4f}  {:>10} {:>11}  {:>10}  {}\n", v.strategies[row.strategy], width,
                           grouped(row.cost), row.effect, grouped(row.incremental_cost),
                           std::isnan(row.incremental_effect) ? "—" : fmt::format("{:.4f}", row.incremental_effect),
                           grouped(row.icer), status);
    }
    return out;
}

std::string nmb_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    const std::size_t width = name_width(v);
    std::string out = fmt::format("\nNet monetary benefit per person (WTP per QALY x QALYs - cost, {}; * = highest):\n", v.money);
    out += fmt::format("  {:<{}}{}\n", "strategy", width, wtp_header(report_wtp, 14));
    for (std::size_t s = 0; s < v.strategies.size(); ++s) {
        out += fmt::format("  {:<{}}", v.strategies[s], width);
        for (double wtp : report_wtp) {
            const bool best = optimal_strategy(v.analysis.base_cost, v.analysis.base_effect, wtp) == static_cast<int>(s);
            out += fmt::format(" {:>14}", grouped(nmb(v, 0, static_cast<int>(s), wtp)) + (best ? "*" : " "));
        }
        out += "\n";
    }
    return out;
}

// Draws of one strategy's value (cost, effect, or an increment) over a PSA.
std::vector<double> draws_of(const PsaOutcomes& o, int strategy, const std::function<double(std::size_t, std::size_t)>& value)
{
    std::vector<double> x(static_cast<std::size_t>(o.draws));
    for (int d = 0; d < o.draws; ++d) {
        const std::size_t row = static_cast<std::size_t>(d) * o.strategies;
        x[static_cast<std::size_t>(d)] = value(row + strategy, row);
    }
    return x;
}

std::string icer_interval(const std::vector<double>& incremental_cost, const std::vector<double>& incremental_effect)
{
    const double mean_cost = mean_of(incremental_cost), mean_effect = mean_of(incremental_effect);
    if (mean_effect >= 0 && mean_cost <= 0) {
        return "dominant (no more costly, at least as effective)";
    }
    if (mean_effect <= 0 && mean_cost >= 0) {
        return "dominated (no less costly, at most as effective)";
    }
    const double icer = mean_cost / mean_effect;
    const bool one_sign = std::all_of(incremental_effect.begin(), incremental_effect.end(), [](double e) { return e > 0; }) ||
                          std::all_of(incremental_effect.begin(), incremental_effect.end(), [](double e) { return e < 0; });
    if (!one_sign) {
        return grouped(icer) + " (no interval: the QALY gain changes sign across draws)";
    }
    std::vector<double> ratios(incremental_cost.size());
    for (std::size_t d = 0; d < ratios.size(); ++d) {
        ratios[d] = incremental_cost[d] / incremental_effect[d];
    }
    return fmt::format("{} ({} to {})", grouped(icer), grouped(percentile(ratios, 0.025)), grouped(percentile(ratios, 0.975)));
}

// Rows of cells as text: the first column (names) left-aligned, the others
// right-aligned, each as wide as its widest cell, two spaces apart.
std::string aligned(const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()), 0);
        for (std::size_t c = 0; c < row.size(); ++c) {
            widths[c] = std::max(widths[c], row[c].size());
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line = " ";
        for (std::size_t c = 0; c < row.size(); ++c) {
            line += c == 0 ? fmt::format(" {:<{}}", row[c], widths[c]) : fmt::format("  {:>{}}", row[c], widths[c]);
        }
        out += line + "\n";
    }
    return out;
}

std::string psa_outcomes_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    const PsaOutcomes& o = v.analysis.psa->outcomes;
    const int c = v.comparator;
    std::string out = fmt::format("\nProbabilistic sensitivity analysis: {} draws (mean and 95% interval over draws; {}):\n", o.draws,
                                  v.money);
    std::vector<std::vector<std::string>> rows{{"strategy", "cost", "QALYs"}};
    for (int s = 0; s < o.strategies; ++s) {
        rows.push_back({v.strategies[s], interval(draws_of(o, s, [&](std::size_t i, std::size_t) { return o.cost[i]; }), 0),
                        interval(draws_of(o, s, [&](std::size_t i, std::size_t) { return o.effect[i]; }), 3)});
    }
    out += aligned(rows);
    out += fmt::format("\n  against {} (incremental cost, incremental QALYs, ICER of the means):\n", v.strategies[c]);
    rows = {{"strategy", "incr. cost", "incr. QALYs", "ICER"}};
    for (int s = 0; s < o.strategies; ++s) {
        if (s == c) {
            continue;
        }
        const auto d_cost = draws_of(o, s, [&](std::size_t i, std::size_t row) { return o.cost[i] - o.cost[row + c]; });
        const auto d_effect = draws_of(o, s, [&](std::size_t i, std::size_t row) { return o.effect[i] - o.effect[row + c]; });
        rows.push_back({v.strategies[s], interval(d_cost, 0), interval(d_effect, 3), icer_interval(d_cost, d_effect)});
    }
    out += aligned(rows);
    out += fmt::format("\n  incremental net monetary benefit against {} (mean and 95% interval):\n", v.strategies[c]);
    rows = {{"strategy"}};
    for (double wtp : report_wtp) {
        rows[0].push_back("at " + grouped(wtp));
    }
    for (int s = 0; s < o.strategies; ++s) {
        if (s == c) {
            continue;
        }
        rows.push_back({v.strategies[s]});
        for (double wtp : report_wtp) {
            rows.back().push_back(interval(draws_of(o, s, [&](std::size_t i, std::size_t row) {
                                               return wtp * (o.effect[i] - o.effect[row + c]) - (o.cost[i] - o.cost[row + c]);
                                           }),
                                           0));
        }
    }
    return out + aligned(rows);
}

std::string psa_decision_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    const PsaAnalysis& p = *v.analysis.psa;
    const PsaCurves at_report = psa_curves(p.outcomes, report_wtp);
    const std::size_t width = std::max<std::size_t>(name_width(v), 16);
    std::string out = "\n  probability of being cost-effective (CEAC; [ ] = CEAF, the highest expected NMB):\n";
    out += fmt::format("  {:<{}}{}\n", "strategy", width, wtp_header(report_wtp, 14));
    for (int s = 0; s < p.outcomes.strategies; ++s) {
        out += fmt::format("  {:<{}}", v.strategies[s], width);
        for (std::size_t w = 0; w < report_wtp.size(); ++w) {
            const double prob = at_report.ceac[w * p.outcomes.strategies + s];
            out += fmt::format(" {:>14}", at_report.ceaf_strategy[w] == s ? fmt::format("[{:.3f}]", prob) : fmt::format("{:.3f} ", prob));
        }
        out += "\n";
    }
    out += fmt::format("  {:<{}}", "EVPI per person", width);
    for (std::size_t w = 0; w < report_wtp.size(); ++w) {
        out += fmt::format(" {:>14}", grouped(at_report.evpi[w]) + " ");
    }
    out += "\n";
    if (p.population_multiplier > 0.0) {
        out += fmt::format("  {:<{}}", "EVPI population", width);
        for (std::size_t w = 0; w < report_wtp.size(); ++w) {
            out += fmt::format(" {:>14}", grouped(at_report.evpi[w] * p.population_multiplier) + " ");
        }
        out += fmt::format("\n  population EVPI = per-person EVPI x {:.1f} discounted patients\n", p.population_multiplier);
    }
    return out;
}

std::string evppi_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    const PsaAnalysis& p = *v.analysis.psa;
    auto largest = [&](const EvppiResult& e) {
        double most = 0.0;
        for (double wtp : report_wtp) {
            most = std::max(most, at_wtp(v.analysis.wtp, e.fit.evppi, wtp));
        }
        return most;
    };
    // Shown when above the regression's noise floor (and 1) at some threshold.
    auto informative = [&](const EvppiResult& e) {
        for (double wtp : report_wtp) {
            const double value = at_wtp(v.analysis.wtp, e.fit.evppi, wtp);
            const double floor = e.noise_floor.empty() ? 0.0 : at_wtp(v.analysis.wtp, e.noise_floor, wtp);
            if (value > std::max(floor, 1.0)) {
                return true;
            }
        }
        return false;
    };
    std::vector<const EvppiResult*> shown, nil;
    for (const EvppiResult& e : p.evppi) {
        (informative(e) ? shown : nil).push_back(&e);
    }
    // Largest first by the largest value at any threshold, so that the order
    // does not hang on one threshold at which most values are 0.
    std::stable_sort(shown.begin(), shown.end(), [&](const EvppiResult* a, const EvppiResult* b) { return largest(*a) > largest(*b); });
    std::size_t width = 18;
    for (const EvppiResult* e : shown) {
        width = std::max(width, e->name.size());
    }
    // Cells as "value [floor]", right-aligned in columns as wide as the widest.
    std::vector<std::vector<std::string>> cells;
    std::size_t cell = 14;
    for (const EvppiResult* e : shown) {
        auto& row = cells.emplace_back();
        for (double wtp : report_wtp) {
            const std::string floor = e->noise_floor.empty() ? "" : " [" + grouped(at_wtp(v.analysis.wtp, e->noise_floor, wtp)) + "]";
            row.push_back(grouped(at_wtp(v.analysis.wtp, e->fit.evppi, wtp)) + floor);
            cell = std::max(cell, row.back().size());
        }
    }
    std::string out = "\n  " + wrap_words(fmt::format("EVPPI per person ({}; regression on the draws, largest first). In brackets "
                                                      "the noise floor: the EVPPI the same regression finds on inputs in an "
                                                      "unrelated order. Shown where above its noise floor and above 1 at some "
                                                      "threshold.",
                                                      v.money),
                                          kTextWidth, "  ") +
                      "\n";
    out += fmt::format("  {:<{}}{}\n", "parameter or group", width, wtp_header(report_wtp, cell));
    for (std::size_t i = 0; i < shown.size(); ++i) {
        out += fmt::format("  {:<{}}", shown[i]->name, width);
        for (const std::string& text : cells[i]) {
            out += fmt::format(" {:>{}}", text, cell);
        }
        out += "\n";
    }
    if (!nil.empty()) {
        std::vector<std::string> names;
        for (const EvppiResult* e : nil) {
            names.push_back(e->name);
        }
        out += "  " + wrap_words(fmt::format("At or below the noise floor at every threshold ({} of {}): {}", nil.size(), p.evppi.size(),
                                             fmt::join(names, ", ")),
                                 kTextWidth, "    ") +
               "\n";
    }
    return out;
}

std::string one_way_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    const double wtp = report_wtp.empty() ? 0.0 : report_wtp.front();
    const Decision decision = decision_at(v.analysis.base_cost, v.analysis.base_effect, wtp);
    auto inmb = [&](std::size_t set) { return nmb(v, set, decision.optimal, wtp) - nmb(v, set, decision.next_best, wtp); };
    const auto& ranges = v.sets.one_way;
    std::vector<std::size_t> order(ranges.size());
    std::iota(order.begin(), order.end(), 0);
    auto swing = [&](std::size_t i) { return std::fabs(inmb(ranges[i].high_set) - inmb(ranges[i].low_set)); };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return swing(a) > swing(b); });
    std::size_t width = 10;
    for (const auto& r : ranges) {
        width = std::max(width, r.name.size());
    }
    std::string out = fmt::format(
        "\nOne-way sensitivity (tornado) at {} per QALY: incremental NMB of {} (optimal) against {} (next best on the "
        "frontier), {}; base {}\n",
        grouped(wtp), v.strategies[decision.optimal], v.strategies[decision.next_best], v.money, grouped(inmb(0)));
    out += fmt::format("  {:<{}}  {:>11} {:>11}  {:>12} {:>12} {:>12}\n", "parameter", width, "low", "high", "INMB low", "INMB high",
                       "range");
    for (std::size_t i : order) {
        const OneWayRange& r = ranges[i];
        out += fmt::format("  {:<{}}  {:>11.4g} {:>11.4g}  {:>12} {:>12} {:>12}\n", r.name, width, r.low[r.primary], r.high[r.primary],
                           grouped(inmb(r.low_set)), grouped(inmb(r.high_set)), grouped(swing(i)));
    }
    out += "  A negative INMB means the next best strategy would be chosen at that value.\n";
    return out;
}

std::string grid_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    const double wtp = report_wtp.empty() ? 0.0 : report_wtp.front();
    std::size_t width = 20;
    for (std::size_t set = 1; set < v.sets.size(); ++set) {
        width = std::max(width, v.sets.labels[set].size());
    }
    const std::size_t names = name_width(v);
    std::string out = fmt::format("\nGrid at {} per QALY: the optimal strategy, the next best on the frontier, and the margin "
                                  "between their NMB ({}):\n",
                                  grouped(wtp), v.money);
    out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:>12}\n", "point", width, "optimal", names, "next best", names, "margin");
    std::vector<double> cost, effect;
    for (std::size_t set = 1; set < v.sets.size(); ++set) {
        set_outcomes(v, set, cost, effect);
        const Decision d = decision_at(cost, effect, wtp);
        out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:>12}\n", v.sets.labels[set], width, v.strategies[d.optimal], names,
                           v.strategies[d.next_best], names, grouped(nmb(v, set, d.optimal, wtp) - nmb(v, set, d.next_best, wtp)));
    }
    return out;
}

}  // namespace

std::string format_cost_effectiveness(const CostEffectivenessView& v, std::vector<double> report_wtp)
{
    if (report_wtp.empty()) {
        report_wtp = v.analysis.report_wtp;
    }
    std::string out = incremental_section(v);
    out += nmb_section(v, report_wtp);
    if (v.analysis.psa) {
        out += psa_outcomes_section(v, report_wtp);
        out += psa_decision_section(v, report_wtp);
        if (!v.analysis.psa->evppi.empty()) {
            out += evppi_section(v, report_wtp);
        }
    }
    if (v.sets.kind == ParameterSetKind::one_way && !v.sets.one_way.empty()) {
        out += one_way_section(v, report_wtp);
    }
    if (v.sets.kind == ParameterSetKind::grid) {
        out += grid_section(v, report_wtp);
    }
    return out;
}

}  // namespace scls
