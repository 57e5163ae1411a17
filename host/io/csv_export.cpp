// Tidy CSV tables of a results file (see csv_export.hpp).
#include "host/io/csv_export.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <stdexcept>

#include "host/engine/summary.hpp"
#include "host/io/files.hpp"
#include "host/io/hdf5_reader.hpp"
#include "host/scenario/input_error.hpp"

namespace scls {

namespace {

// One CSV table: RFC 4180 quoting, numbers that read back as the same double,
// NA for values that do not exist.
class Csv {
  public:
    explicit Csv(const std::vector<std::string>& columns) { row(columns); }

    static std::string number(double value)
    {
        return std::isfinite(value) ? fmt::format("{}", value) : std::isnan(value) ? "NA" : value > 0 ? "Inf" : "-Inf";
    }
    static std::string number(std::int64_t value) { return fmt::format("{}", value); }

    void row(const std::vector<std::string>& cells)
    {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i > 0) {
                text_ += ',';
            }
            text_ += quoted(cells[i]);
        }
        text_ += "\n";
    }
    const std::string& text() const { return text_; }

  private:
    static std::string quoted(const std::string& cell)
    {
        if (cell.find_first_of(",\"\n\r") == std::string::npos) {
            return cell;
        }
        std::string out = "\"";
        for (char c : cell) {
            out += c == '"' ? "\"\"" : std::string(1, c);
        }
        return out + "\"";
    }

    std::string text_;
};

constexpr const char* kMeasures[] = {"total_cost", "qalys", "life_years_discounted", "life_years", "attacks_per_patient",
                                     "attacks_per_patient_year", "incremental_cost", "incremental_qalys",
                                     "incremental_life_years_discounted"};
// Counts with one value per set and strategy: the fixed three, then every counter of the summary.
std::vector<std::string> count_names()
{
    std::vector<std::string> names{"patients", "person_years", "alive_at_horizon"};
    for (const CountedField& f : counted_fields()) {
        names.emplace_back(f.name);
    }
    return names;
}
// Counts with a category axis, and the axis.
constexpr std::pair<const char*, const char*> kCategoryCounts[] = {{"attacks", "severity"},      {"deaths", "death_cause"},
                                                                   {"complications", "complication"}, {"regimen_years", "regimen"},
                                                                   {"attacks_on_regimen", "regimen"}};
// Every table export can write: an earlier export's tables that this file
// does not produce are removed from the directory (and nothing else is).
const std::vector<std::string> kTableNames = {"summary.csv",    "counts.csv",  "survival.csv", "incremental.csv", "nmb.csv",
                                              "parameter_sets.csv", "outcomes.csv", "psa_cost.csv", "psa_effect.csv", "ceac.csv",
                                              "evpi.csv",       "evppi.csv",   "one_way.csv",  "grid_axes.csv",   "validation.csv"};

using Shape = Hdf5Reader::Shape;
constexpr hsize_t kAny = Hdf5Reader::kAnyExtent;
using Tables = NamedFiles;

// The file's axes, read once, and the shape every dataset export reads must
// have, built from them: reads take their shapes from this table, so no index
// is used before its dataset's every dimension is known to fit.
class ResultsReader {
  public:
    explicit ResultsReader(const std::filesystem::path& path) : path_(path), file_(path)
    {
        strategies = axis("/axes/strategy");
        strategy_labels = file_.strings("/axes/strategy_label", Shape{strategies.size()});
        set_labels = axis("/parameter_sets/label");
        require(!strategies.empty(), "/axes/strategy", "holds no strategy");
        require(!set_labels.empty(), "/parameter_sets/label", "holds no parameter set");
        declare_shapes();
        for (const auto& [dataset, shape] : shapes_) {
            file_.check_shape(dataset, shape);
        }
    }

    bool has(const std::string& object) const { return file_.has(object); }
    std::size_t sets() const { return set_labels.size(); }
    std::size_t strategy_count() const { return strategies.size(); }
    std::size_t extent(const std::string& dataset, std::size_t dimension) const { return shape(dataset).at(dimension); }

    std::vector<double> doubles(const std::string& dataset) const { return file_.doubles(dataset, shape(dataset)); }
    std::vector<std::int64_t> integers(const std::string& dataset) const { return file_.integers(dataset, shape(dataset)); }
    std::vector<std::string> strings(const std::string& dataset) const { return file_.strings(dataset, shape(dataset)); }

    void require(bool condition, const std::string& object, const std::string& what) const
    {
        if (!condition) {
            throw InputError({{path_.string(), object, 0,
                               fmt::format("{} (the file is damaged or was edited) — rerun the sclsim command that wrote it", what)}});
        }
    }

    std::string strategy_name(std::int64_t index) const
    {
        return index >= 0 && static_cast<std::size_t>(index) < strategies.size() ? strategies[index] : "NA";
    }

    std::vector<std::string> strategies, strategy_labels, set_labels;

  private:
    // A one-dimensional axis of any length; its length sizes other datasets.
    std::vector<std::string> axis(const std::string& dataset) const { return file_.strings(dataset, Shape{kAny}); }
    hsize_t axis_length(const std::string& dataset)
    {
        const hsize_t length = file_.check_shape(dataset, Shape{kAny})[0];
        shapes_[dataset] = {length};
        return length;
    }

    const Shape& shape(const std::string& dataset) const
    {
        const auto found = shapes_.find(dataset);
        if (found == shapes_.end()) {
            throw std::logic_error("csv_export reads " + dataset + " without declaring its shape");
        }
        return found->second;
    }

    void declare_shapes()
    {
        declare_results_shapes();
        if (has("/cea")) {
            declare_cea_shapes();
        }
        declare_sweep_and_validation_shapes();
    }
    void declare_results_shapes();
    void declare_cea_shapes();
    void declare_sweep_and_validation_shapes();

    std::filesystem::path path_;
    Hdf5Reader file_;
    std::map<std::string, Shape> shapes_;
};

void ResultsReader::declare_results_shapes()
{
    const hsize_t sets = set_labels.size(), n = strategies.size();
    shapes_["/axes/strategy"] = {n};
    shapes_["/axes/strategy_label"] = {n};
    shapes_["/parameter_sets/label"] = {sets};
    for (const char* measure : kMeasures) {
        shapes_[fmt::format("/results/{}_mean", measure)] = {sets, n};
        shapes_[fmt::format("/results/{}_se", measure)] = {sets, n};
    }
    shapes_["/results/icer"] = {sets, n};
    const hsize_t categories = axis_length("/axes/cost_category");
    shapes_["/results/cost_mean"] = {sets, n, categories};
    shapes_["/results/cost_se"] = {sets, n, categories};
    for (const std::string& measure : count_names()) {
        shapes_[fmt::format("/results/{}", measure)] = {sets, n};
    }
    for (const auto& [measure, axis] : kCategoryCounts) {
        shapes_[fmt::format("/results/{}", measure)] = {sets, n, axis_length(fmt::format("/axes/{}", axis))};
    }
    const hsize_t months = axis_length("/axes/time_years");
    for (const char* curve : {"survival", "survival_se", "attack_free", "attack_free_se"}) {
        shapes_[fmt::format("/results/{}", curve)] = {sets, n, months};
    }
    if (sets > 1) {
        shapes_["/parameter_sets/values"] = {sets, axis_length("/parameter_sets/parameter")};
        shapes_["/parameter_sets/psa_draw"] = {sets};
    }
}

void ResultsReader::declare_cea_shapes()
{
    const hsize_t n = strategies.size(), wtp = axis_length("/cea/wtp");
    if (has("/cea/base")) {
        for (const char* column : {"strategy", "status", "versus", "versus_next", "cost", "qalys", "incremental_cost",
                                   "incremental_qalys", "icer"}) {
            shapes_[fmt::format("/cea/base/{}", column)] = {n};
        }
        shapes_["/cea/nmb"] = {wtp, n};
    }
    if (!has("/cea/psa")) {
        return;
    }
    const hsize_t draws = axis_length("/cea/psa/draw");
    shapes_["/cea/psa/cost"] = {draws, n};
    shapes_["/cea/psa/qalys"] = {draws, n};
    shapes_["/cea/psa/ceac"] = {wtp, n};
    shapes_["/cea/psa/expected_nmb"] = {wtp, n};
    shapes_["/cea/psa/ceaf_strategy"] = {wtp};
    shapes_["/cea/psa/evpi"] = {wtp};
    if (has("/cea/psa/evpi_population")) {
        shapes_["/cea/psa/evpi_population"] = {wtp};
    }
    if (has("/cea/psa/evppi")) {
        const hsize_t groups = axis_length("/cea/psa/evppi/group");
        shapes_["/cea/psa/evppi/parameters"] = {groups};
        shapes_["/cea/psa/evppi/evppi"] = {groups, wtp};
    }
}

void ResultsReader::declare_sweep_and_validation_shapes()
{
    if (has("/sweep/low_set")) {
        const hsize_t n = axis_length("/sweep/parameter");
        for (const char* column : {"paths", "range_origin", "base_value", "low_value", "high_value", "low_set", "high_set"}) {
            shapes_[fmt::format("/sweep/{}", column)] = {n};
        }
    }
    if (has("/sweep/axis_parameter")) {
        const hsize_t axes = has("/sweep/axis_1") ? 2 : 1;
        shapes_["/sweep/axis_parameter"] = {axes};
        for (hsize_t a = 0; a < axes; ++a) {
            shapes_[fmt::format("/sweep/axis_{}", a)] = {kAny};
        }
    }
    if (has("/validation")) {
        const hsize_t n = axis_length("/validation/name");
        for (const char* column : {"statistic", "strategies", "source", "years", "target_value", "target_se", "model_value", "model_se"}) {
            shapes_[fmt::format("/validation/{}", column)] = {n};
        }
    }
}

void summary_table(const ResultsReader& r, Tables& tables)
{
    const hsize_t strategies = r.strategy_count();
    Csv csv({"parameter_set", "set_label", "strategy", "strategy_label", "measure", "mean", "se"});
    auto add = [&](std::size_t set, std::size_t s, const std::string& measure, double mean, double se) {
        csv.row({Csv::number(static_cast<std::int64_t>(set)), r.set_labels[set], r.strategies[s], r.strategy_labels[s], measure,
                 Csv::number(mean), Csv::number(se)});
    };
    for (const char* measure : kMeasures) {
        const auto mean = r.doubles(fmt::format("/results/{}_mean", measure));
        const auto se = r.doubles(fmt::format("/results/{}_se", measure));
        for (std::size_t i = 0; i < mean.size(); ++i) {
            add(i / strategies, i % strategies, measure, mean[i], se[i]);
        }
    }
    const std::vector<std::string> categories = r.strings("/axes/cost_category");
    const auto mean = r.doubles("/results/cost_mean");
    const auto se = r.doubles("/results/cost_se");
    for (std::size_t i = 0; i < mean.size(); ++i) {
        const std::size_t row = i / categories.size();
        add(row / strategies, row % strategies, "cost_" + categories[i % categories.size()], mean[i], se[i]);
    }
    const auto icer = r.doubles("/results/icer");
    for (std::size_t i = 0; i < icer.size(); ++i) {
        add(i / strategies, i % strategies, "icer_vs_comparator", icer[i], NAN);
    }
    tables.emplace_back("summary.csv", csv.text());
}

void counts_table(const ResultsReader& r, Tables& tables)
{
    const hsize_t strategies = r.strategy_count();
    Csv csv({"parameter_set", "strategy", "measure", "category", "value"});
    auto add = [&](std::size_t row, const std::string& measure, const std::string& category, double value) {
        csv.row({Csv::number(static_cast<std::int64_t>(row / strategies)), r.strategies[row % strategies], measure, category,
                 Csv::number(value)});
    };
    for (const std::string& measure : count_names()) {
        const auto values = r.doubles(fmt::format("/results/{}", measure));
        for (std::size_t i = 0; i < values.size(); ++i) {
            add(i, measure, "", values[i]);
        }
    }
    for (const auto& [measure, axis] : kCategoryCounts) {
        const auto values = r.doubles(fmt::format("/results/{}", measure));
        const std::vector<std::string> labels = r.strings(fmt::format("/axes/{}", axis));
        for (std::size_t i = 0; i < values.size(); ++i) {
            add(i / labels.size(), measure, labels[i % labels.size()], values[i]);
        }
    }
    tables.emplace_back("counts.csv", csv.text());
}

void survival_table(const ResultsReader& r, bool all_sets, Tables& tables)
{
    const hsize_t sets = r.sets(), strategies = r.strategy_count();
    const auto survival = r.doubles("/results/survival");
    const hsize_t months = r.extent("/results/survival", 2);
    const auto survival_se = r.doubles("/results/survival_se");
    const auto attack_free = r.doubles("/results/attack_free");
    const auto attack_free_se = r.doubles("/results/attack_free_se");
    const auto years = r.doubles("/axes/time_years");
    Csv csv({"parameter_set", "strategy", "month", "years", "survival", "survival_se", "attack_free", "attack_free_se"});
    const std::size_t last_set = all_sets ? sets : 1;
    for (std::size_t set = 0; set < last_set; ++set) {
        for (std::size_t s = 0; s < strategies; ++s) {
            for (std::size_t m = 0; m < months; ++m) {
                const std::size_t i = (set * strategies + s) * months + m;
                csv.row({Csv::number(static_cast<std::int64_t>(set)), r.strategies[s], Csv::number(static_cast<std::int64_t>(m)),
                         Csv::number(years[m]), Csv::number(survival[i]), Csv::number(survival_se[i]), Csv::number(attack_free[i]),
                         Csv::number(attack_free_se[i])});
            }
        }
    }
    tables.emplace_back("survival.csv", csv.text());
}

void base_case_tables(const ResultsReader& r, Tables& tables)
{
    const std::size_t n = r.strategy_count();
    const auto strategy = r.integers("/cea/base/strategy");
    const auto status = r.strings("/cea/base/status");
    const auto versus = r.integers("/cea/base/versus"), versus_next = r.integers("/cea/base/versus_next");
    const auto cost = r.doubles("/cea/base/cost"), qalys = r.doubles("/cea/base/qalys");
    const auto d_cost = r.doubles("/cea/base/incremental_cost"), d_qalys = r.doubles("/cea/base/incremental_qalys");
    const auto icer = r.doubles("/cea/base/icer");
    Csv table({"row", "strategy", "strategy_label", "cost", "qalys", "status", "versus", "versus_next", "incremental_cost",
               "incremental_qalys", "icer"});
    for (std::size_t i = 0; i < n; ++i) {
        const std::string label = strategy[i] >= 0 && static_cast<std::size_t>(strategy[i]) < n ? r.strategy_labels[strategy[i]] : "NA";
        table.row({Csv::number(static_cast<std::int64_t>(i + 1)), r.strategy_name(strategy[i]), label, Csv::number(cost[i]),
                   Csv::number(qalys[i]), status[i], r.strategy_name(versus[i]), r.strategy_name(versus_next[i]),
                   Csv::number(d_cost[i]), Csv::number(d_qalys[i]), Csv::number(icer[i])});
    }
    tables.emplace_back("incremental.csv", table.text());
    const auto wtp = r.doubles("/cea/wtp");
    const auto nmb = r.doubles("/cea/nmb");
    Csv nmb_table({"wtp", "strategy", "nmb"});
    for (std::size_t i = 0; i < nmb.size(); ++i) {
        nmb_table.row({Csv::number(wtp[i / n]), r.strategies[i % n], Csv::number(nmb[i])});
    }
    tables.emplace_back("nmb.csv", nmb_table.text());
}

// Sets other than the base case: their parameter values (wide) and outcomes (long).
void parameter_set_tables(const ResultsReader& r, Tables& tables)
{
    const hsize_t sets = r.sets(), strategies = r.strategy_count();
    const auto values = r.doubles("/parameter_sets/values");
    const hsize_t columns = r.extent("/parameter_sets/values", 1);
    const std::vector<std::string> paths = r.strings("/parameter_sets/parameter");
    const auto draw = r.integers("/parameter_sets/psa_draw");
    std::vector<std::string> header{"parameter_set", "set_label", "psa_draw"};
    header.insert(header.end(), paths.begin(), paths.end());
    Csv wide(header);
    for (std::size_t set = 0; set < sets; ++set) {
        std::vector<std::string> cells{Csv::number(static_cast<std::int64_t>(set)), r.set_labels[set],
                                       draw[set] < 0 ? "NA" : Csv::number(draw[set])};
        for (std::size_t c = 0; c < columns; ++c) {
            cells.push_back(Csv::number(values[set * columns + c]));
        }
        wide.row(cells);
    }
    tables.emplace_back("parameter_sets.csv", wide.text());
    const auto cost = r.doubles("/results/total_cost_mean");
    const auto qalys = r.doubles("/results/qalys_mean");
    Csv outcomes({"parameter_set", "set_label", "strategy", "cost", "qalys"});
    for (std::size_t i = 0; i < cost.size(); ++i) {
        outcomes.row({Csv::number(static_cast<std::int64_t>(i / strategies)), r.set_labels[i / strategies], r.strategies[i % strategies],
                      Csv::number(cost[i]), Csv::number(qalys[i])});
    }
    tables.emplace_back("outcomes.csv", outcomes.text());
}

// The PSA in the shapes dampack (make_psa_obj) and BCEA (bcea(e, c)) take:
// one row per draw, one column per strategy; the draws' parameter values;
// and the decision curves.
void psa_tables(const ResultsReader& r, Tables& tables)
{
    const std::size_t n = r.strategy_count();
    const auto cost = r.doubles("/cea/psa/cost");
    const std::size_t draws = r.extent("/cea/psa/cost", 0);
    const auto qalys = r.doubles("/cea/psa/qalys");
    std::vector<std::string> header{"draw"};
    header.insert(header.end(), r.strategies.begin(), r.strategies.end());
    for (const auto& [name, values] : {std::pair{"psa_cost.csv", &cost}, std::pair{"psa_effect.csv", &qalys}}) {
        Csv csv(header);
        for (std::size_t d = 0; d < draws; ++d) {
            std::vector<std::string> cells{Csv::number(static_cast<std::int64_t>(d))};
            for (std::size_t s = 0; s < n; ++s) {
                cells.push_back(Csv::number((*values)[d * n + s]));
            }
            csv.row(cells);
        }
        tables.emplace_back(name, csv.text());
    }
    const auto wtp = r.doubles("/cea/wtp");
    const auto ceac = r.doubles("/cea/psa/ceac");
    const auto ceaf = r.integers("/cea/psa/ceaf_strategy");
    const auto expected = r.doubles("/cea/psa/expected_nmb");
    Csv curves({"wtp", "strategy", "probability_cost_effective", "expected_nmb", "on_frontier"});
    for (std::size_t i = 0; i < ceac.size(); ++i) {
        curves.row({Csv::number(wtp[i / n]), r.strategies[i % n], Csv::number(ceac[i]), Csv::number(expected[i]),
                    ceaf[i / n] == static_cast<std::int64_t>(i % n) ? "TRUE" : "FALSE"});
    }
    tables.emplace_back("ceac.csv", curves.text());
    const auto evpi = r.doubles("/cea/psa/evpi");
    const bool population = r.has("/cea/psa/evpi_population");
    const auto evpi_population = population ? r.doubles("/cea/psa/evpi_population") : std::vector<double>(wtp.size(), NAN);
    Csv evpi_table({"wtp", "evpi_per_person", "evpi_population"});
    for (std::size_t w = 0; w < wtp.size(); ++w) {
        evpi_table.row({Csv::number(wtp[w]), Csv::number(evpi[w]), Csv::number(evpi_population[w])});
    }
    tables.emplace_back("evpi.csv", evpi_table.text());
    if (r.has("/cea/psa/evppi")) {
        const auto groups = r.strings("/cea/psa/evppi/group");
        const auto members = r.strings("/cea/psa/evppi/parameters");
        const auto evppi = r.doubles("/cea/psa/evppi/evppi");
        Csv evppi_table({"parameter_group", "parameters", "wtp", "evppi_per_person"});
        for (std::size_t i = 0; i < evppi.size(); ++i) {
            evppi_table.row({groups[i / wtp.size()], members[i / wtp.size()], Csv::number(wtp[i % wtp.size()]), Csv::number(evppi[i])});
        }
        tables.emplace_back("evppi.csv", evppi_table.text());
    }
}

void sweep_tables(const ResultsReader& r, Tables& tables)
{
    if (r.has("/sweep/low_set")) {
        const auto names = r.strings("/sweep/parameter");
        const std::size_t n = names.size();
        const auto paths = r.strings("/sweep/paths"), origins = r.strings("/sweep/range_origin");
        const auto base = r.doubles("/sweep/base_value"), low = r.doubles("/sweep/low_value"), high = r.doubles("/sweep/high_value");
        const auto low_set = r.integers("/sweep/low_set"), high_set = r.integers("/sweep/high_set");
        Csv csv({"parameter", "paths", "range_origin", "base_value", "low_value", "high_value", "low_set", "high_set"});
        for (std::size_t i = 0; i < n; ++i) {
            csv.row({names[i], paths[i], origins[i], Csv::number(base[i]), Csv::number(low[i]), Csv::number(high[i]),
                     Csv::number(low_set[i]), Csv::number(high_set[i])});
        }
        tables.emplace_back("one_way.csv", csv.text());
    }
    if (r.has("/sweep/axis_parameter")) {
        const auto axes = r.strings("/sweep/axis_parameter");
        Csv csv({"axis", "parameters", "index", "value"});
        for (std::size_t a = 0; a < axes.size(); ++a) {
            const auto values = r.doubles(fmt::format("/sweep/axis_{}", a));
            for (std::size_t i = 0; i < values.size(); ++i) {
                csv.row({Csv::number(static_cast<std::int64_t>(a)), axes[a], Csv::number(static_cast<std::int64_t>(i)),
                         Csv::number(values[i])});
            }
        }
        tables.emplace_back("grid_axes.csv", csv.text());
    }
}

void validation_table(const ResultsReader& r, Tables& tables)
{
    const auto names = r.strings("/validation/name");
    const std::size_t n = names.size();
    const auto statistic = r.strings("/validation/statistic"), strategies = r.strings("/validation/strategies"),
               source = r.strings("/validation/source");
    const auto years = r.doubles("/validation/years"), value = r.doubles("/validation/target_value"),
               se = r.doubles("/validation/target_se"), model = r.doubles("/validation/model_value"),
               model_se = r.doubles("/validation/model_se");
    Csv csv({"target", "statistic", "years", "strategies", "published", "published_se", "model", "model_se", "z", "source"});
    for (std::size_t i = 0; i < n; ++i) {
        csv.row({names[i], statistic[i], Csv::number(years[i]), strategies[i], Csv::number(value[i]), Csv::number(se[i]),
                 Csv::number(model[i]), Csv::number(model_se[i]), Csv::number((model[i] - value[i]) / se[i]), source[i]});
    }
    tables.emplace_back("validation.csv", csv.text());
}

}  // namespace

std::vector<std::string> export_results(const std::filesystem::path& results_file, const std::filesystem::path& directory,
                                        const ExportOptions& options)
{
    const ResultsReader reader(results_file);
    Tables tables;
    summary_table(reader, tables);
    counts_table(reader, tables);
    survival_table(reader, options.all_sets_curves, tables);
    if (reader.has("/cea/base")) {
        base_case_tables(reader, tables);
    }
    if (reader.sets() > 1) {
        parameter_set_tables(reader, tables);
    }
    if (reader.has("/cea/psa")) {
        psa_tables(reader, tables);
    }
    if (reader.has("/sweep")) {
        sweep_tables(reader, tables);
    }
    if (reader.has("/validation")) {
        validation_table(reader, tables);
    }
    std::vector<std::string> written;
    for (const auto& [name, text] : tables) {
        if (std::find(kTableNames.begin(), kTableNames.end(), name) == kTableNames.end()) {
            throw std::logic_error("csv_export writes " + name + ", which is missing from kTableNames");
        }
        written.push_back(name);
    }
    // All tables or none: an export that fails halfway must not leave a mix
    // of this file's tables and an earlier file's.
    write_directory_atomically(directory, tables, kTableNames);
    return written;
}

}  // namespace scls
