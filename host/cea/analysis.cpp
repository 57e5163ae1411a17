#include "host/cea/analysis.hpp"

#include <algorithm>
#include <numeric>
#include <cmath>
#include <fmt/ranges.h>

#include "host/io/hdf5_writer.hpp"

namespace scls {

namespace {

constexpr int kMinimumDrawsForEvppi = 30;

// Columns of the set matrix that carry a parameter's information (a
// Dirichlet's last share is fixed by the others; a scalar's paths share one value).
std::vector<int> informative_columns(const PsaParameter& p)
{
    std::vector<int> columns;
    const int count = p.distribution.kind == DistributionKind::dirichlet ? static_cast<int>(p.paths.size()) - 1 : 1;
    for (int c = 0; c < count; ++c) {
        columns.push_back(p.first_column + c);
    }
    return columns;
}

std::vector<std::int64_t> as_int64(const std::vector<int>& values) { return {values.begin(), values.end()}; }

}  // namespace

void cost_and_qalys(const std::vector<std::vector<StrategySummary>>& summaries, std::vector<double>& cost,
                    std::vector<double>& qalys)
{
    cost.clear();
    qalys.clear();
    for (const auto& set : summaries) {
        for (const StrategySummary& s : set) {
            cost.push_back(s.cost_total.mean);
            qalys.push_back(s.qalys.mean);
        }
    }
}

namespace {

// The draws' inputs in an order unrelated to their outcomes: draw k takes the
// inputs of draw (k * stride) mod n, stride near n / golden ratio and coprime
// with n. Fixed, so the noise floor is the same every run.
std::vector<double> unrelated_order(const std::vector<double>& inputs, std::size_t columns, int draws)
{
    const auto n = static_cast<std::size_t>(draws);
    std::size_t stride = std::max<std::size_t>(1, static_cast<std::size_t>(0.6180339887 * static_cast<double>(n)));
    while (std::gcd(stride, n) != 1) {
        ++stride;
    }
    std::vector<double> shuffled(inputs.size());
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t from = (k * stride) % n;
        std::copy_n(inputs.begin() + static_cast<std::ptrdiff_t>(from * columns), columns,
                    shuffled.begin() + static_cast<std::ptrdiff_t>(k * columns));
    }
    return shuffled;
}

}  // namespace

CeaAnalysis analyse_cost_effectiveness(const Scenario& scenario, const std::vector<std::vector<StrategySummary>>& summaries,
                                       const ParameterSets& sets, const PsaSpec* spec)
{
    CeaAnalysis analysis;
    analysis.wtp = scenario.cea.wtp;
    analysis.report_wtp = scenario.cea.report_wtp;
    std::vector<double> cost, qalys;
    cost_and_qalys(summaries, cost, qalys);
    const std::size_t strategies = summaries.at(0).size();
    analysis.base_cost.assign(cost.begin(), cost.begin() + strategies);
    analysis.base_effect.assign(qalys.begin(), qalys.begin() + strategies);
    analysis.base_table = incremental_table(analysis.base_cost, analysis.base_effect);
    if (sets.kind != ParameterSetKind::psa || !spec || summaries.size() < 2) {
        return analysis;
    }
    PsaAnalysis psa;
    PsaOutcomes& o = psa.outcomes;
    o.draws = static_cast<int>(summaries.size()) - 1;
    o.strategies = static_cast<int>(strategies);
    o.cost.assign(cost.begin() + strategies, cost.end());  // the draws: every set after the base case
    o.effect.assign(qalys.begin() + strategies, qalys.end());
    psa.curves = psa_curves(o, analysis.wtp);
    if (scenario.cea.population_per_year > 0.0) {
        psa.population_multiplier = population_multiplier(scenario.cea.population_per_year, scenario.cea.decision_horizon_years,
                                                          scenario.discount_rate_costs_annual);
    }
    if (o.draws >= kMinimumDrawsForEvppi) {
        for (const ParameterGroup& group : spec->evppi_groups) {
            EvppiResult result;
            result.name = group.name;
            std::vector<int> columns;
            for (int member : group.members) {
                const PsaParameter& p = spec->parameters[member];
                result.parameters.push_back(p.name);
                for (int c : informative_columns(p)) {
                    columns.push_back(c);
                }
            }
            std::vector<double> inputs;
            inputs.reserve(static_cast<std::size_t>(o.draws) * columns.size());
            for (std::size_t set = 1; set < sets.size(); ++set) {
                for (int c : columns) {
                    inputs.push_back(sets.value(set, c));
                }
            }
            result.fit = evppi_regression(inputs, static_cast<int>(columns.size()), o, analysis.wtp);
            result.noise_floor =
                evppi_regression(unrelated_order(inputs, columns.size(), o.draws), static_cast<int>(columns.size()), o, analysis.wtp).evppi;
            // The true EVPPI never exceeds the EVPI; a regression's overfit can.
            for (std::size_t w = 0; w < analysis.wtp.size(); ++w) {
                result.fit.evppi[w] = std::min(result.fit.evppi[w], psa.curves.evpi[w]);
                result.noise_floor[w] = std::min(result.noise_floor[w], psa.curves.evpi[w]);
            }
            psa.evppi.push_back(std::move(result));
        }
    }
    analysis.psa = std::move(psa);
    return analysis;
}

void write_parameter_sets_group(Hdf5Writer& w, const ParameterSets& sets)
{
    H5::Group group = w.group("/parameter_sets");
    Hdf5Writer::string_attribute(group, "kind", parameter_set_kind_name(sets.kind));
    Hdf5Writer::string_attribute(group, "patients", sets.patients == PatientSampling::same
                                                        ? "same: every set simulates the same patients (common random numbers)"
                                                        : "independent: each set has its own patients");
    Hdf5Writer::string_attribute(group, "note", "set 0 is the base case (the scenario as given)");
    w.strings(group, "parameter", sets.column_names, "key path of each varied parameter (axis 'parameter')");
    w.strings(group, "label", sets.labels, "what each parameter set is (axis 'parameter_set')", "parameter_set");
    w.dataset(group, "values", {sets.size(), sets.columns()}, sets.values, {"parameter_set", "parameter"}, "as in the scenario",
              "value of each varied parameter in each set (NaN: the scenario's own value)");
    w.dataset(group, "psa_draw", {sets.size()}, sets.draw, {"parameter_set"}, "index",
              "PSA draw index of each set (-1: not a draw); draw k depends only on (PSA seed, k)");
    if (sets.kind == ParameterSetKind::one_way) {
        H5::Group sweep = w.group("/sweep");
        Hdf5Writer::string_attribute(sweep, "kind", "one_way");
        std::vector<std::string> names, paths, origins;
        std::vector<double> base, low, high;
        std::vector<std::int64_t> low_set, high_set;
        for (const auto& r : sets.one_way) {
            names.push_back(r.name);
            paths.push_back(fmt::format("{}", fmt::join(r.paths, ",")));
            origins.push_back(r.origin);
            base.push_back(r.base[r.primary]);
            low.push_back(r.low[r.primary]);
            high.push_back(r.high[r.primary]);
            low_set.push_back(static_cast<std::int64_t>(r.low_set));
            high_set.push_back(static_cast<std::int64_t>(r.high_set));
        }
        const hsize_t n = names.size();
        w.strings(sweep, "parameter", names, "name of each one-way parameter (axis 'parameter'): its key path, or its PSA entry's name");
        w.strings(sweep, "paths", paths, "the key paths that move together (comma-separated); values below are the first's",
                  "parameter");
        w.strings(sweep, "range_origin", origins, "where each range comes from", "parameter");
        w.dataset(sweep, "base_value", {n}, base, {"parameter"}, "as in the scenario", "the scenario's value");
        w.dataset(sweep, "low_value", {n}, low, {"parameter"}, "as in the scenario", "low end of the range");
        w.dataset(sweep, "high_value", {n}, high, {"parameter"}, "as in the scenario", "high end of the range");
        w.dataset(sweep, "low_set", {n}, low_set, {"parameter"}, "index", "parameter set with the parameter at its low value");
        w.dataset(sweep, "high_set", {n}, high_set, {"parameter"}, "index", "parameter set with the parameter at its high value");
    } else if (sets.kind == ParameterSetKind::grid) {
        H5::Group sweep = w.group("/sweep");
        Hdf5Writer::string_attribute(sweep, "kind", "grid");
        Hdf5Writer::string_attribute(sweep, "layout", "set 1 + i0 * n1 + i1 holds axis_0[i0] and axis_1[i1] (last axis fastest)");
        std::vector<std::string> paths;
        for (std::size_t a = 0; a < sets.grid.size(); ++a) {
            paths.push_back(sets.grid[a].name());
            w.dataset(sweep, fmt::format("axis_{}", a), {sets.grid[a].values.size()}, sets.grid[a].values, {fmt::format("axis_{}", a)},
                      "as in the scenario", fmt::format("values of {}", sets.grid[a].name()));
        }
        w.strings(sweep, "axis_parameter", paths, "key paths varied along each axis (comma-separated when several move together)",
                  "axis");
    }
}

namespace {

// /cea/base: the incremental table of the base case, one row per strategy in cost order.
void write_base_table(Hdf5Writer& w, const CeaAnalysis& a, const std::string& money, const std::string& per_qaly)
{
    const hsize_t strategies = a.base_cost.size();
    H5::Group base = w.group("/cea/base");
    Hdf5Writer::string_attribute(base, "note", "the base case (parameter set 0); rows in cost order");
    std::vector<std::int64_t> strategy, versus, versus_next;
    std::vector<double> cost, effect, incremental_cost, incremental_effect, icer;
    std::vector<std::string> status;
    for (const IncrementalRow& row : a.base_table) {
        strategy.push_back(row.strategy);
        versus.push_back(row.versus);
        versus_next.push_back(row.versus_next);
        cost.push_back(row.cost);
        effect.push_back(row.effect);
        incremental_cost.push_back(row.incremental_cost);
        incremental_effect.push_back(row.incremental_effect);
        icer.push_back(row.icer);
        status.push_back(frontier_status_name(row.status));
    }
    const std::vector<std::string> row_axis = {"row"};
    w.dataset(base, "strategy", {strategies}, strategy, row_axis, "index", "strategy of each row (index on axis 'strategy')");
    w.dataset(base, "cost", {strategies}, cost, row_axis, money, "discounted cost per person");
    w.dataset(base, "qalys", {strategies}, effect, row_axis, "QALYs", "discounted QALYs per person");
    w.strings(base, "status", status, "frontier, dominated or extendedly dominated", "row");
    w.dataset(base, "versus", {strategies}, versus, row_axis, "index",
              "frontier: previous frontier strategy (-1 for the first); dominated: a dominating strategy; extendedly dominated: "
              "the frontier strategy below");
    w.dataset(base, "versus_next", {strategies}, versus_next, row_axis, "index",
              "extendedly dominated: the frontier strategy above (-1 otherwise)");
    w.dataset(base, "incremental_cost", {strategies}, incremental_cost, row_axis, money, "cost minus the versus strategy's");
    w.dataset(base, "incremental_qalys", {strategies}, incremental_effect, row_axis, "QALYs", "QALYs minus the versus strategy's");
    w.dataset(base, "icer", {strategies}, icer, row_axis, per_qaly,
              "incremental cost per QALY against the versus strategy (NaN: first frontier row or dominated)");
}

// /cea/psa: the draws' costs and effects, CEAC, CEAF and EVPI.
void write_psa_curves(Hdf5Writer& w, const Scenario& scenario, const PsaAnalysis& p, const std::string& money)
{
    const hsize_t wtps = p.curves.evpi.size(), strategies = static_cast<hsize_t>(p.outcomes.strategies);
    H5::Group psa = w.group("/cea/psa");
    Hdf5Writer::scalar_attribute<std::int64_t>(psa, "draws", p.outcomes.draws);
    Hdf5Writer::scalar_attribute<double>(psa, "population_multiplier", p.population_multiplier);
    Hdf5Writer::string_attribute(psa, "population", p.population_multiplier > 0.0
                                                        ? fmt::format("{:g} patients a year for {:g} years, discounted at {:g}%/y",
                                                                      scenario.cea.population_per_year,
                                                                      scenario.cea.decision_horizon_years,
                                                                      100.0 * scenario.discount_rate_costs_annual)
                                                        : std::string("not given ([cea] population_per_year)"));
    // The population EVPI's assumptions as numbers, not only as text.
    Hdf5Writer::scalar_attribute<double>(psa, "population_per_year", scenario.cea.population_per_year);
    Hdf5Writer::scalar_attribute<double>(psa, "decision_horizon_years", scenario.cea.decision_horizon_years);
    Hdf5Writer::scalar_attribute<double>(psa, "population_discount_rate_annual", scenario.discount_rate_costs_annual);
    const hsize_t draws = p.outcomes.draws;
    std::vector<std::int64_t> draw_index(draws);
    for (hsize_t d = 0; d < draws; ++d) {
        draw_index[d] = static_cast<std::int64_t>(d);
    }
    w.dataset(psa, "draw", {draws}, draw_index, {"draw"}, "index", "PSA draw k (parameter set k + 1; axis 'draw')");
    w.dataset(psa, "cost", {draws, strategies}, p.outcomes.cost, {"draw", "strategy"}, money,
              "mean discounted cost per person in each draw (parameter set draw + 1)");
    w.dataset(psa, "qalys", {draws, strategies}, p.outcomes.effect, {"draw", "strategy"}, "QALYs",
              "mean discounted QALYs per person in each draw");
    w.dataset(psa, "expected_nmb", {wtps, strategies}, p.curves.expected_nmb, {"wtp", "strategy"}, money,
              "mean NMB per person over the draws");
    w.dataset(psa, "ceac", {wtps, strategies}, p.curves.ceac, {"wtp", "strategy"}, "probability",
              "cost-effectiveness acceptability curve: share of draws in which the strategy has the highest NMB");
    w.dataset(psa, "ceaf_strategy", {wtps}, as_int64(p.curves.ceaf_strategy), {"wtp"}, "index",
              "cost-effectiveness acceptability frontier: the strategy with the highest expected NMB");
    w.dataset(psa, "ceaf_probability", {wtps}, p.curves.ceaf_probability, {"wtp"}, "probability",
              "CEAC value of the CEAF strategy");
    w.dataset(psa, "evpi", {wtps}, p.curves.evpi, {"wtp"}, money, "expected value of perfect information per person");
    if (p.population_multiplier > 0.0) {
        std::vector<double> population;
        for (double v : p.curves.evpi) {
            population.push_back(v * p.population_multiplier);
        }
        w.dataset(psa, "evpi_population", {wtps}, population, {"wtp"}, money, "EVPI for the population the decision affects");
    }
}

// /cea/psa/evppi: EVPPI per group and WTP, with the regression's noise floor.
void write_evppi(Hdf5Writer& w, const PsaAnalysis& p, const std::string& money)
{
    const hsize_t wtps = p.curves.evpi.size();
    std::vector<std::string> names, members;
    std::vector<double> evppi, floor;
    std::vector<std::int64_t> basis;
    for (const EvppiResult& e : p.evppi) {
        names.push_back(e.name);
        members.push_back(fmt::format("{}", fmt::join(e.parameters, ", ")));
        evppi.insert(evppi.end(), e.fit.evppi.begin(), e.fit.evppi.end());
        floor.insert(floor.end(), e.noise_floor.begin(), e.noise_floor.end());
        basis.push_back(e.fit.basis_functions);
    }
    H5::Group group = w.group("/cea/psa/evppi");
    Hdf5Writer::string_attribute(group, "method", "nonparametric regression of incremental NMB on the parameters (Strong, Oakley "
                                                  "& Brennan, Med Decis Making 2014): cubic B-splines (one parameter), tensor "
                                                  "product (two), additive splines and pairwise products (more); OLS by GSL");
    w.strings(group, "group", names, "parameter or group (axis 'group')");
    w.strings(group, "parameters", members, "the parameters of each group", "group");
    w.dataset(group, "evppi", {names.size(), wtps}, evppi, {"group", "wtp"}, money, "EVPPI per person");
    w.dataset(group, "noise_floor", {names.size(), wtps}, floor, {"group", "wtp"}, money,
              "EVPPI the same regression finds for the group's draws in an unrelated order: values at or below it are "
              "regression noise");
    w.dataset(group, "basis_functions", {names.size()}, basis, {"group"}, "count", "regression basis size");
}

}  // namespace

void write_cea_group(Hdf5Writer& w, const Scenario& scenario, const CeaAnalysis& a)
{
    const std::string money = scenario.currency + " " + std::to_string(scenario.price_year);
    const std::string per_qaly = money + " per QALY";
    H5::Group cea = w.group("/cea");
    Hdf5Writer::string_attribute(cea, "effect", "discounted QALYs per person");
    Hdf5Writer::string_attribute(cea, "cost", "discounted total cost per person, " + money);
    Hdf5Writer::string_attribute(cea, "net_monetary_benefit", "wtp * QALYs - cost, per person; the optimal strategy maximises it "
                                                              "(exact ties: the strategy listed first)");
    Hdf5Writer::string_attribute(cea, "discounting", fmt::format("continuous; costs {:g}%/y, effects {:g}%/y",
                                                                 100.0 * scenario.discount_rate_costs_annual,
                                                                 100.0 * scenario.discount_rate_effects_annual));
    const hsize_t wtps = a.wtp.size(), strategies = a.base_cost.size();
    w.dataset(cea, "wtp", {wtps}, a.wtp, {"wtp"}, per_qaly, "willingness-to-pay grid (axis 'wtp')");
    w.dataset(cea, "report_wtp", {a.report_wtp.size()}, a.report_wtp, {"report_wtp"}, per_qaly, "thresholds shown in reports");

    write_base_table(w, a, money, per_qaly);
    std::vector<double> nmb;
    for (double lambda : a.wtp) {
        for (hsize_t s = 0; s < strategies; ++s) {
            nmb.push_back(lambda * a.base_effect[s] - a.base_cost[s]);
        }
    }
    // Beside /cea/base, not in it: that group's 'strategy' is the table's column along 'row', and a netCDF reader
    // would take it for this dataset's strategy axis.
    w.dataset(cea, "nmb", {wtps, strategies}, nmb, {"wtp", "strategy"}, money, "net monetary benefit per person, base case");

    if (a.psa) {
        write_psa_curves(w, scenario, *a.psa, money);
        if (!a.psa->evppi.empty()) {
            write_evppi(w, *a.psa, money);
        }
    }
}

}  // namespace scls
