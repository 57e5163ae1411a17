// Reading a results file into a cost-effectiveness view (the tables are in cea_tables.cpp).
#include "host/cli/cea_report.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "host/io/hdf5_reader.hpp"

namespace scls {

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

const Hdf5Reader::Shape kList{Hdf5Reader::kAnyExtent};  // one dimension, of any length

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
    const auto paths = file.strings("/sweep/parameter", kList);
    const Hdf5Reader::Shape per_parameter{paths.size()};
    const auto low = file.doubles("/sweep/low_value", per_parameter), high = file.doubles("/sweep/high_value", per_parameter);
    const auto base = file.doubles("/sweep/base_value", per_parameter);
    const auto low_set = file.integers("/sweep/low_set", per_parameter), high_set = file.integers("/sweep/high_set", per_parameter);
    const std::size_t n = paths.size();
    std::vector<OneWayRange> ranges;
    for (std::size_t i = 0; i < n; ++i) {
        for (const std::int64_t set : {low_set[i], high_set[i]}) {
            shape.require(set > 0 && static_cast<std::size_t>(set) < sets, "/sweep/low_set",
                          fmt::format("names parameter set {} of {}", set, sets));
        }
        OneWayRange range;
        range.name = paths[i];
        range.paths = {paths[i]};
        range.base = {base[i]};
        range.low = {low[i]};
        range.high = {high[i]};
        range.low_set = static_cast<std::size_t>(low_set[i]);
        range.high_set = static_cast<std::size_t>(high_set[i]);
        ranges.push_back(std::move(range));
    }
    return ranges;
}

std::vector<EvppiResult> read_evppi(const Hdf5Reader& file, std::size_t wtp_points)
{
    const auto names = file.strings("/cea/psa/evppi/group", kList);
    const Hdf5Reader::Shape per_group_and_wtp{names.size(), wtp_points};
    const auto values = file.doubles("/cea/psa/evppi/evppi", per_group_and_wtp);
    const auto floor = file.has("/cea/psa/evppi/noise_floor") ? file.doubles("/cea/psa/evppi/noise_floor", per_group_and_wtp)
                                                               : std::vector<double>(values.size(), 0.0);
    std::vector<EvppiResult> results;
    for (std::size_t g = 0; g < names.size(); ++g) {
        EvppiResult e;
        e.name = names[g];
        e.fit.evppi.assign(values.begin() + g * wtp_points, values.begin() + (g + 1) * wtp_points);
        e.noise_floor.assign(floor.begin() + g * wtp_points, floor.begin() + (g + 1) * wtp_points);
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
    v.strategies = file.strings("/axes/strategy", kList);
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
    v.sets.labels = file.strings("/parameter_sets/label", kList);
    v.sets.column_names = file.strings("/parameter_sets/parameter", kList);
    const std::size_t sets = v.sets.size();
    shape.require(sets >= 1, "/parameter_sets/label", "lists no parameter set");
    const Hdf5Reader::Shape per_set_and_strategy{sets, n};
    v.cost = file.doubles("/results/total_cost_mean", per_set_and_strategy);
    v.effect = file.doubles("/results/qalys_mean", per_set_and_strategy);
    shape.require_finite(v.cost, "/results/total_cost_mean");
    shape.require_finite(v.effect, "/results/qalys_mean");
    if (v.sets.kind == ParameterSetKind::one_way) {
        v.sets.one_way = read_one_way(file, shape, sets);
    }

    CeaAnalysis& a = v.analysis;
    a.wtp = file.doubles("/cea/wtp", kList);
    a.report_wtp = file.doubles("/cea/report_wtp", kList);
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
            p.evppi = read_evppi(file, a.wtp.size());
        }
        a.psa = std::move(p);
    }
    return v;
}

}  // namespace scls
