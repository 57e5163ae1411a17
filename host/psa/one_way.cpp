// One-way sensitivity ranges and their parameter sets (see parameter_sets.hpp).
#include <algorithm>
#include <cmath>
#include <set>

#include "host/psa/parameter_set_rows.hpp"
#include "host/psa/parameter_sets.hpp"

namespace scls {

namespace {

constexpr double kOneWayLowQuantile = 0.025, kOneWayHighQuantile = 0.975;
constexpr const char* kPsaOrigin = "PSA 2.5%/97.5% quantiles";

OneWayRange range_from_sweep_entry(TableReader& entry, const toml::table& root, std::set<std::string>& seen)
{
    OneWayRange range;
    range.origin = "[[sweep.parameters]]";
    if (entry.has("paths")) {
        range.paths = entry.optional_strings("paths").value_or(std::vector<std::string>{});
    } else {
        range.paths.push_back(entry.string("path", "attacks.rate_per_year"));
    }
    if (entry.has("paths") && range.paths.empty()) {
        entry.report("paths", "is empty (a range moves at least one key) — list the key paths that move together");
    }
    range.name = entry.optional_string("name").value_or(range.paths.empty() ? std::string() : range.paths.front());
    const double low = entry.number("low", Bound::any), high = entry.number("high", Bound::any);
    entry.take("source");
    for (const std::string& path : range.paths) {
        std::string problem;
        range.base.push_back(detail::scenario_value(root, path, problem));
        if (!problem.empty()) {
            entry.report(entry.has("paths") ? "paths" : "path", fmt::format("names {}: {}", path, problem));
        } else if (!seen.insert(path).second) {
            entry.report(entry.has("paths") ? "paths" : "path", fmt::format("varies {} a second time — keep one range per parameter", path));
        }
    }
    if (entry.has("low") && entry.has("high") && !(low < high)) {
        entry.report("low", fmt::format("is {} but high is {} (a range runs from low to high) — make low < high", low, high));
    }
    range.low.assign(range.paths.size(), low);
    range.high.assign(range.paths.size(), high);
    entry.finish();
    return range;
}

std::vector<OneWayRange> ranges_from_sweep_section(const Scenario& scenario, const toml::table& root, std::vector<InputIssue>& issues)
{
    std::vector<OneWayRange> ranges;
    TableReader top(&root, "", scenario.source_name, issues);
    TableReader sweep = top.table("sweep");
    std::set<std::string> seen;
    for (TableReader& entry : sweep.array_of_tables("parameters", true)) {
        ranges.push_back(range_from_sweep_entry(entry, root, seen));
    }
    sweep.finish();
    return ranges;
}

// One range per share of a Dirichlet (one for a pair: the other share is its
// mirror): the share at its marginal quantiles, the other shares rescaled in
// proportion to their base values so that the mix still sums to 1.
void add_dirichlet_ranges(const PsaParameter& p, std::vector<OneWayRange>& ranges)
{
    const std::size_t shares = p.paths.size() == 2 ? 1 : p.paths.size();
    for (std::size_t i = 0; i < shares; ++i) {
        OneWayRange range{p.name + ": " + p.paths[i], p.paths, p.base, p.base, p.base, i, kPsaOrigin};
        const double rest = 1.0 - p.base[i];
        for (const bool high : {false, true}) {
            std::vector<double>& values = high ? range.high : range.low;
            const double share = p.distribution.share_quantile(static_cast<int>(i), high ? kOneWayHighQuantile : kOneWayLowQuantile);
            for (std::size_t j = 0; j < values.size(); ++j) {
                values[j] = j == i ? share : rest > 0.0 ? p.base[j] * (1.0 - share) / rest : (1.0 - share) / (values.size() - 1);
            }
        }
        ranges.push_back(std::move(range));
    }
}

// One range per fitted parameter of a posterior sample: the parameter at its
// empirical 2.5% and 97.5% quantiles, its balance share taking up the change,
// everything else at the scenario's value.
void add_posterior_ranges(const PsaParameter& p, std::vector<OneWayRange>& ranges)
{
    const PosteriorDraws& draws = *p.posterior;
    std::vector<bool> is_balance(p.paths.size(), false);
    for (int b : draws.balance) {
        if (b >= 0) {
            is_balance[static_cast<std::size_t>(b)] = true;
        }
    }
    for (std::size_t i = 0; i < p.paths.size(); ++i) {
        if (is_balance[i]) {
            continue;
        }
        std::vector<double> column(draws.draws());
        for (std::size_t d = 0; d < column.size(); ++d) {
            column[d] = draws.value(d, i);
        }
        std::sort(column.begin(), column.end());
        auto quantile = [&](double q) { return column[static_cast<std::size_t>(q * static_cast<double>(column.size() - 1) + 0.5)]; };
        OneWayRange range{p.name + ": " + p.paths[i], p.paths, p.base, p.base, p.base, i, "posterior 2.5%/97.5% quantiles"};
        for (const bool high : {false, true}) {
            std::vector<double>& values = high ? range.high : range.low;
            values[i] = quantile(high ? kOneWayHighQuantile : kOneWayLowQuantile);
            if (const int b = draws.balance[i]; b >= 0) {
                values[static_cast<std::size_t>(b)] = p.base[static_cast<std::size_t>(b)] - (values[i] - p.base[i]);
            }
        }
        ranges.push_back(std::move(range));
    }
}

std::vector<OneWayRange> ranges_from_psa(const PsaSpec& psa, std::vector<InputIssue>& issues)
{
    std::vector<OneWayRange> ranges;
    for (const PsaParameter& p : psa.parameters) {
        if (p.distribution.is_fixed()) {
            continue;
        }
        if (p.distribution.kind == DistributionKind::dirichlet) {
            add_dirichlet_ranges(p, ranges);
            continue;
        }
        if (p.distribution.kind == DistributionKind::posterior) {
            add_posterior_ranges(p, ranges);
            continue;
        }
        // Keys sharing one value (a price of two regimens) move together.
        const double low = p.distribution.quantile(kOneWayLowQuantile), high = p.distribution.quantile(kOneWayHighQuantile);
        ranges.push_back({p.name, p.paths, p.base, std::vector<double>(p.paths.size(), low),
                          std::vector<double>(p.paths.size(), high), 0, kPsaOrigin});
    }
    for (const OneWayRange& r : ranges) {
        for (std::size_t j = 0; j < r.paths.size(); ++j) {
            if (!std::isfinite(r.low[j]) || !std::isfinite(r.high[j])) {
                issues.push_back({"[psa]", r.paths[j], 0,
                                  fmt::format("{} has no finite 2.5% and 97.5% quantiles (one-way ranges come from them) — give "
                                              "[[sweep.parameters]] ranges, or a less extreme distribution",
                                              r.name)});
                break;
            }
        }
    }
    return ranges;
}

}  // namespace

std::vector<OneWayRange> load_one_way_ranges(const Scenario& scenario, const std::optional<PsaSpec>& psa)
{
    const toml::table& root = scenario_document(scenario);
    std::vector<OneWayRange> ranges;
    std::vector<InputIssue> issues;
    if (root.get("sweep")) {
        ranges = ranges_from_sweep_section(scenario, root, issues);
    } else if (psa) {
        ranges = ranges_from_psa(*psa, issues);
    } else {
        issues.push_back({scenario.source_name, "sweep", 0,
                          "has no one-way ranges (neither [[sweep.parameters]] nor a [psa] section) — add [[sweep.parameters]] "
                          "entries with path, low and high"});
    }
    if (!issues.empty()) {
        throw InputError(std::move(issues));
    }
    return ranges;
}

ParameterSets one_way_parameter_sets(std::vector<OneWayRange> ranges)
{
    // Columns: every key any range moves, once, at its base value.
    std::vector<std::string> columns;
    std::vector<double> base;
    for (const auto& r : ranges) {
        for (std::size_t j = 0; j < r.paths.size(); ++j) {
            if (std::find(columns.begin(), columns.end(), r.paths[j]) == columns.end()) {
                columns.push_back(r.paths[j]);
                base.push_back(r.base[j]);
            }
        }
    }
    ParameterSets sets = detail::with_base_case(ParameterSetKind::one_way, columns, base);
    for (OneWayRange& range : ranges) {
        for (const bool high : {false, true}) {
            std::vector<double> values = base;
            const std::vector<double>& moved = high ? range.high : range.low;
            for (std::size_t j = 0; j < range.paths.size(); ++j) {
                values[std::find(columns.begin(), columns.end(), range.paths[j]) - columns.begin()] = moved[j];
            }
            (high ? range.high_set : range.low_set) = sets.size();
            detail::add_set(sets, values, fmt::format("{} = {:.6g} ({})", range.name, moved[range.primary], high ? "high" : "low"));
        }
    }
    sets.one_way = std::move(ranges);
    return sets;
}

}  // namespace scls
