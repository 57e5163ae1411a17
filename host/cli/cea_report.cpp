#include "host/cli/cea_report.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "host/io/hdf5_reader.hpp"

namespace scls {

namespace {

std::string money_amount(double value)
{
    if (std::isnan(value)) {
        return "—";
    }
    return fmt::format("{:.0f}", value);
}

// Linear interpolation on an ascending grid (values beyond it are clamped).
double at_wtp(const std::vector<double>& grid, const std::vector<double>& values, double wtp)
{
    if (grid.empty()) {
        return std::nan("");
    }
    if (wtp <= grid.front()) {
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

// The strategy whose one-way and grid results are shown: the best by base-case
// NMB at the first threshold, other than the comparator.
int focus_strategy(const CostEffectivenessView& v, double wtp)
{
    int focus = -1;
    for (int s = 0; s < static_cast<int>(v.strategies.size()); ++s) {
        const double nmb = wtp * v.analysis.base_effect[s] - v.analysis.base_cost[s];
        if (s != v.comparator && (focus < 0 || nmb > wtp * v.analysis.base_effect[focus] - v.analysis.base_cost[focus])) {
            focus = s;
        }
    }
    return focus < 0 ? 0 : focus;
}

std::string incremental_section(const CostEffectivenessView& v)
{
    std::size_t width = 8;
    for (const auto& name : v.strategies) {
        width = std::max(width, name.size());
    }
    std::string out = fmt::format("Incremental analysis, base case (discounted, per person; {}):\n", v.money);
    out += fmt::format("  {:<{}}  {:>10} {:>8}  {:>10} {:>8}  {:>12}  {}\n", "strategy", width, "cost", "QALYs", "incr.cost",
                       "incr.QALY", "ICER", "status");
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
        out += fmt::format("  {:<{}}  {:>10.0f} {:>8.4f}  {:>10} {:>8}  {:>12}  {}\n", v.strategies[row.strategy], width, row.cost,
                           row.effect, money_amount(row.incremental_cost),
                           std::isnan(row.incremental_effect) ? "—" : fmt::format("{:.4f}", row.incremental_effect),
                           money_amount(row.icer), status);
    }
    return out;
}

std::string nmb_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    std::string out = fmt::format("\nNet monetary benefit per person (WTP x QALYs - cost, {}; * = highest):\n", v.money);
    out += fmt::format("  {:<18}", "WTP per QALY");
    for (const auto& name : v.strategies) {
        out += fmt::format(" {:>16}", name);
    }
    out += "\n";
    for (double wtp : report_wtp) {
        const int best = optimal_strategy(v.analysis.base_cost, v.analysis.base_effect, wtp);
        out += fmt::format("  {:<18.0f}", wtp);
        for (std::size_t s = 0; s < v.strategies.size(); ++s) {
            const double nmb = wtp * v.analysis.base_effect[s] - v.analysis.base_cost[s];
            out += fmt::format(" {:>16}", fmt::format("{:.0f}{}", nmb, static_cast<int>(s) == best ? "*" : " "));
        }
        out += "\n";
    }
    return out;
}

std::string psa_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    const PsaAnalysis& p = *v.analysis.psa;
    const PsaOutcomes& o = p.outcomes;
    std::string out = fmt::format("\nProbabilistic sensitivity analysis: {} draws (mean and 95% interval over draws):\n", o.draws);
    std::size_t width = 8;
    for (const auto& name : v.strategies) {
        width = std::max(width, name.size());
    }
    out += fmt::format("  {:<{}}  {:>28}  {:>24}  {:>26}\n", "strategy", width, "cost", "QALYs", "incr. QALYs vs " + v.strategies[v.comparator]);
    for (int s = 0; s < o.strategies; ++s) {
        std::vector<double> cost(o.draws), effect(o.draws), increment(o.draws);
        for (int d = 0; d < o.draws; ++d) {
            cost[d] = o.cost[static_cast<std::size_t>(d) * o.strategies + s];
            effect[d] = o.effect[static_cast<std::size_t>(d) * o.strategies + s];
            increment[d] = effect[d] - o.effect[static_cast<std::size_t>(d) * o.strategies + v.comparator];
        }
        auto interval = [](const std::vector<double>& x, int decimals) {
            const double mean = std::accumulate(x.begin(), x.end(), 0.0) / x.size();
            return fmt::format("{:.{}f} ({:.{}f} to {:.{}f})", mean, decimals, percentile(x, 0.025), decimals, percentile(x, 0.975),
                               decimals);
        };
        out += fmt::format("  {:<{}}  {:>28}  {:>24}  {:>26}\n", v.strategies[s], width, interval(cost, 0), interval(effect, 3),
                           interval(increment, 3));
    }
    const PsaCurves at_report = psa_curves(o, report_wtp);
    out += "\n  probability of being cost-effective (CEAC; [ ] = CEAF, highest expected NMB):\n";
    out += fmt::format("  {:<18}", "WTP per QALY");
    for (const auto& name : v.strategies) {
        out += fmt::format(" {:>16}", name);
    }
    out += fmt::format(" {:>16}", "EVPI/person");
    if (p.population_multiplier > 0.0) {
        out += fmt::format(" {:>18}", "EVPI/population");
    }
    out += "\n";
    for (std::size_t w = 0; w < report_wtp.size(); ++w) {
        out += fmt::format("  {:<18.0f}", report_wtp[w]);
        for (int s = 0; s < o.strategies; ++s) {
            const double prob = at_report.ceac[w * o.strategies + s];
            out += fmt::format(" {:>16}", at_report.ceaf_strategy[w] == s ? fmt::format("[{:.3f}]", prob) : fmt::format("{:.3f} ", prob));
        }
        out += fmt::format(" {:>16.0f}", at_report.evpi[w]);
        if (p.population_multiplier > 0.0) {
            out += fmt::format(" {:>18.0f}", at_report.evpi[w] * p.population_multiplier);
        }
        out += "\n";
    }
    if (p.population_multiplier > 0.0) {
        out += fmt::format("  population EVPI = per-person EVPI x {:.1f} discounted patients\n", p.population_multiplier);
    }
    if (!p.evppi.empty()) {
        std::vector<std::size_t> order(p.evppi.size());
        std::iota(order.begin(), order.end(), 0);
        const double first = report_wtp.empty() ? 0.0 : report_wtp.front();
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return at_wtp(v.analysis.wtp, p.evppi[a].fit.evppi, first) > at_wtp(v.analysis.wtp, p.evppi[b].fit.evppi, first);
        });
        std::size_t name_width = 10;
        for (const auto& e : p.evppi) {
            name_width = std::max(name_width, e.name.size());
        }
        out += fmt::format("\n  EVPPI per person ({}; regression on the draws, largest first):\n", v.money);
        out += fmt::format("  {:<{}}", "parameter or group", name_width);
        for (double wtp : report_wtp) {
            out += fmt::format(" {:>14}", fmt::format("at {:.0f}", wtp));
        }
        out += "\n";
        for (std::size_t i : order) {
            out += fmt::format("  {:<{}}", p.evppi[i].name, name_width);
            for (double wtp : report_wtp) {
                out += fmt::format(" {:>14.0f}", at_wtp(v.analysis.wtp, p.evppi[i].fit.evppi, wtp));
            }
            out += "\n";
        }
    }
    return out;
}

double incremental_nmb(const CostEffectivenessView& v, std::size_t set, int strategy, double wtp)
{
    const std::size_t n = v.strategies.size();
    const std::size_t i = set * n + strategy, c = set * n + v.comparator;
    return wtp * (v.effect[i] - v.effect[c]) - (v.cost[i] - v.cost[c]);
}

std::string one_way_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    const double wtp = report_wtp.empty() ? 0.0 : report_wtp.front();
    const int focus = focus_strategy(v, wtp);
    std::vector<std::size_t> order(v.sets.one_way.size());
    std::iota(order.begin(), order.end(), 0);
    auto swing = [&](std::size_t i) {
        return std::fabs(incremental_nmb(v, v.sets.one_way[i].high_set, focus, wtp) -
                         incremental_nmb(v, v.sets.one_way[i].low_set, focus, wtp));
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return swing(a) > swing(b); });
    std::size_t width = 10;
    for (const auto& r : v.sets.one_way) {
        width = std::max(width, r.path.size());
    }
    std::string out = fmt::format("\nOne-way sensitivity (tornado): incremental NMB of {} vs {} at {:.0f} per QALY ({}); base {:.0f}\n",
                                  v.strategies[focus], v.strategies[v.comparator], wtp, v.money, incremental_nmb(v, 0, focus, wtp));
    out += fmt::format("  {:<{}}  {:>11} {:>11}  {:>12} {:>12} {:>12}\n", "parameter", width, "low", "high", "INMB low", "INMB high",
                       "swing");
    for (std::size_t i : order) {
        const OneWayRange& r = v.sets.one_way[i];
        out += fmt::format("  {:<{}}  {:>11.4g} {:>11.4g}  {:>12.0f} {:>12.0f} {:>12.0f}\n", r.path, width, r.low, r.high,
                           incremental_nmb(v, r.low_set, focus, wtp), incremental_nmb(v, r.high_set, focus, wtp), swing(i));
    }
    return out;
}

std::string grid_section(const CostEffectivenessView& v, const std::vector<double>& report_wtp)
{
    const double wtp = report_wtp.empty() ? 0.0 : report_wtp.front();
    const int focus = focus_strategy(v, wtp);
    const std::size_t n = v.strategies.size();
    std::string out = fmt::format("\nGrid: optimal strategy and incremental NMB of {} vs {} at {:.0f} per QALY ({}):\n",
                                  v.strategies[focus], v.strategies[v.comparator], wtp, v.money);
    for (std::size_t set = 1; set < v.sets.size(); ++set) {
        std::vector<double> cost(v.cost.begin() + set * n, v.cost.begin() + (set + 1) * n);
        std::vector<double> effect(v.effect.begin() + set * n, v.effect.begin() + (set + 1) * n);
        out += fmt::format("  {:<60} {:>16} {:>12.0f}\n", v.sets.labels[set], v.strategies[optimal_strategy(cost, effect, wtp)],
                           incremental_nmb(v, set, focus, wtp));
    }
    return out;
}

}  // namespace

CostEffectivenessView make_cost_effectiveness_view(const Scenario& scenario,
                                                   const std::vector<std::vector<StrategySummary>>& summaries,
                                                   const ParameterSets& sets, CeaAnalysis analysis)
{
    CostEffectivenessView v;
    v.money = fmt::format("{} {}", scenario.currency, scenario.price_year);
    v.strategies = scenario.strategy_names;
    v.comparator = scenario.comparator;
    v.sets = sets;
    cost_and_qalys(summaries, v.cost, v.effect);
    v.analysis = std::move(analysis);
    return v;
}

namespace {

// Every size and index read from a file is checked before use: a damaged or
// hand-edited file is refused with what is wrong, never read out of bounds.
class FileShape {
  public:
    explicit FileShape(const std::filesystem::path& path) : path_(path) {}

    void require(bool condition, const std::string& object, const std::string& what) const
    {
        if (!condition) {
            throw InputError({{path_.string(), object, 0,
                               fmt::format("{} (the file is damaged or was edited) — rerun the sclsim command that wrote it", what)}});
        }
    }

    void require_finite(const std::vector<double>& values, const std::string& object) const
    {
        for (double v : values) {
            require(std::isfinite(v), object, fmt::format("holds {}, not a finite number", v));
        }
    }

  private:
    std::filesystem::path path_;
};

std::vector<OneWayRange> read_one_way(const Hdf5Reader& file, const FileShape& shape, std::size_t sets)
{
    const auto paths = file.strings("/sweep/parameter");
    const auto low = file.doubles("/sweep/low_value"), high = file.doubles("/sweep/high_value"), base = file.doubles("/sweep/base_value");
    const auto low_set = file.integers("/sweep/low_set"), high_set = file.integers("/sweep/high_set");
    const std::size_t n = paths.size();
    shape.require(low.size() == n && high.size() == n && base.size() == n && low_set.size() == n && high_set.size() == n, "/sweep",
                  fmt::format("has {} parameters but ranges of other lengths", n));
    std::vector<OneWayRange> ranges;
    for (std::size_t i = 0; i < n; ++i) {
        for (const std::int64_t set : {low_set[i], high_set[i]}) {
            shape.require(set > 0 && static_cast<std::size_t>(set) < sets, "/sweep/low_set",
                          fmt::format("names parameter set {} of {}", set, sets));
        }
        ranges.push_back(OneWayRange{paths[i], base[i], low[i], high[i], "", static_cast<std::size_t>(low_set[i]),
                                     static_cast<std::size_t>(high_set[i])});
    }
    return ranges;
}

std::vector<EvppiResult> read_evppi(const Hdf5Reader& file, const FileShape& shape, std::size_t wtp_points)
{
    const auto names = file.strings("/cea/psa/evppi/group");
    const auto values = file.doubles("/cea/psa/evppi/evppi");
    shape.require(values.size() == names.size() * wtp_points, "/cea/psa/evppi/evppi",
                  fmt::format("holds {} values for {} groups x {} WTP points", values.size(), names.size(), wtp_points));
    std::vector<EvppiResult> results;
    for (std::size_t g = 0; g < names.size(); ++g) {
        EvppiResult e;
        e.name = names[g];
        e.fit.evppi.assign(values.begin() + g * wtp_points, values.begin() + (g + 1) * wtp_points);
        results.push_back(std::move(e));
    }
    return results;
}

}  // namespace

CostEffectivenessView read_cost_effectiveness(const std::filesystem::path& results_file)
{
    const Hdf5Reader file(results_file);
    const FileShape shape(results_file);
    if (!file.has("/cea") || !file.has("/parameter_sets")) {
        throw InputError({{results_file.string(), "/cea", 0,
                           "is missing (not a results file of this sclsim version) — rerun sclsim run, psa or sweep"}});
    }
    CostEffectivenessView v;
    v.money = fmt::format("{} {}", file.string_attribute("/", "currency"),
                          static_cast<std::int64_t>(file.double_attribute("/", "price_year")));
    v.strategies = file.strings("/axes/strategy");
    const std::size_t n = v.strategies.size();
    shape.require(n >= 1 && n <= static_cast<std::size_t>(kMaxStrategies), "/axes/strategy",
                  fmt::format("lists {} strategies (1 to {})", n, kMaxStrategies));
    const std::string comparator = file.string_attribute("/", "comparator");
    v.comparator = static_cast<int>(std::find(v.strategies.begin(), v.strategies.end(), comparator) - v.strategies.begin());
    shape.require(static_cast<std::size_t>(v.comparator) < n, "/@comparator", fmt::format("names \"{}\", not a strategy of the file", comparator));

    const std::string kind = file.string_attribute("/parameter_sets", "kind");
    bool known_kind = false;
    for (ParameterSetKind k : {ParameterSetKind::base, ParameterSetKind::psa, ParameterSetKind::one_way, ParameterSetKind::grid}) {
        if (kind == parameter_set_kind_name(k)) {
            v.sets.kind = k;
            known_kind = true;
        }
    }
    shape.require(known_kind, "/parameter_sets@kind", fmt::format("is \"{}\", not base, psa, one_way or grid", kind));
    v.sets.labels = file.strings("/parameter_sets/label");
    v.sets.column_names = file.strings("/parameter_sets/parameter");
    const std::size_t sets = v.sets.size();
    v.cost = file.doubles("/results/total_cost_mean");
    v.effect = file.doubles("/results/qalys_mean");
    for (const auto& [values, object] : {std::pair{&v.cost, "/results/total_cost_mean"}, std::pair{&v.effect, "/results/qalys_mean"}}) {
        shape.require(sets >= 1 && values->size() == sets * n, object,
                      fmt::format("holds {} values for {} parameter sets x {} strategies", values->size(), sets, n));
        shape.require_finite(*values, object);
    }
    if (v.sets.kind == ParameterSetKind::one_way) {
        v.sets.one_way = read_one_way(file, shape, sets);
    }

    CeaAnalysis& a = v.analysis;
    a.wtp = file.doubles("/cea/wtp");
    a.report_wtp = file.doubles("/cea/report_wtp");
    shape.require(!a.wtp.empty() && std::is_sorted(a.wtp.begin(), a.wtp.end()), "/cea/wtp", "is empty or not ascending");
    shape.require_finite(a.wtp, "/cea/wtp");
    shape.require_finite(a.report_wtp, "/cea/report_wtp");
    a.base_cost.assign(v.cost.begin(), v.cost.begin() + n);
    a.base_effect.assign(v.effect.begin(), v.effect.begin() + n);
    a.base_table = incremental_table(a.base_cost, a.base_effect);
    if (v.sets.kind == ParameterSetKind::psa && file.has("/cea/psa")) {
        shape.require(sets >= 2, "/parameter_sets/label", "holds no PSA draw");
        PsaAnalysis p;
        p.outcomes.draws = static_cast<int>(sets) - 1;
        p.outcomes.strategies = static_cast<int>(n);
        p.outcomes.cost.assign(v.cost.begin() + n, v.cost.end());
        p.outcomes.effect.assign(v.effect.begin() + n, v.effect.end());
        p.curves = psa_curves(p.outcomes, a.wtp);
        p.population_multiplier = file.double_attribute("/cea/psa", "population_multiplier");
        if (file.has("/cea/psa/evppi")) {
            p.evppi = read_evppi(file, shape, a.wtp.size());
        }
        a.psa = std::move(p);
    }
    return v;
}

std::string format_cost_effectiveness(const CostEffectivenessView& v, std::vector<double> report_wtp)
{
    if (report_wtp.empty()) {
        report_wtp = v.analysis.report_wtp;
    }
    std::string out = incremental_section(v);
    out += nmb_section(v, report_wtp);
    if (v.analysis.psa) {
        out += psa_section(v, report_wtp);
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
