// Tidy CSV tables of a results file (see csv_export.hpp).
#include "host/io/csv_export.hpp"

#include <cmath>
#include <fmt/format.h>

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

// The file's axes, read once and checked, and typed reads whose shapes are
// checked before any index is used.
class ResultsReader {
  public:
    explicit ResultsReader(const std::filesystem::path& path) : path_(path), file_(path)
    {
        strategies = file_.strings("/axes/strategy");
        strategy_labels = file_.strings("/axes/strategy_label");
        set_labels = file_.strings("/parameter_sets/label");
        require(!strategies.empty() && strategy_labels.size() == strategies.size(), "/axes/strategy", "strategy axes disagree");
        require(!set_labels.empty(), "/parameter_sets/label", "holds no parameter set");
    }

    bool has(const std::string& object) const { return file_.has(object); }
    std::size_t sets() const { return set_labels.size(); }
    std::size_t strategy_count() const { return strategies.size(); }

    // A dataset whose leading dimensions must be `leading`; trailing ones are returned.
    std::vector<double> doubles(const std::string& name, const std::vector<hsize_t>& leading, std::vector<hsize_t>* trailing = nullptr) const
    {
        std::vector<hsize_t> dims;
        std::vector<double> values = file_.doubles(name, &dims);
        require(dims.size() >= leading.size() && std::equal(leading.begin(), leading.end(), dims.begin()), name,
                "has another shape than its axes");
        if (trailing) {
            trailing->assign(dims.begin() + static_cast<std::ptrdiff_t>(leading.size()), dims.end());
        }
        return values;
    }
    static constexpr std::size_t kAnyLength = static_cast<std::size_t>(-1);

    std::vector<std::string> strings(const std::string& name, std::size_t expected = kAnyLength) const
    {
        std::vector<std::string> values = file_.strings(name);
        require(expected == kAnyLength || values.size() == expected, name,
                fmt::format("holds {} entries where {} belong", values.size(), expected));
        return values;
    }
    std::vector<std::int64_t> integers(const std::string& name, std::size_t expected = kAnyLength) const
    {
        std::vector<std::int64_t> values = file_.integers(name);
        require(expected == kAnyLength || values.size() == expected, name,
                fmt::format("holds {} entries where {} belong", values.size(), expected));
        return values;
    }
    double attribute(const std::string& object, const std::string& name) const { return file_.double_attribute(object, name); }

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
    std::filesystem::path path_;
    Hdf5Reader file_;
};

using Tables = std::vector<std::pair<std::string, std::string>>;  // file name, contents

constexpr const char* kMeasures[] = {"total_cost", "qalys", "life_years_discounted", "life_years", "attacks_per_patient",
                                     "attacks_per_patient_year", "incremental_cost", "incremental_qalys",
                                     "incremental_life_years_discounted"};
constexpr const char* kCounts[] = {"patients", "person_years", "alive_at_horizon", "adverse_events", "switches", "discontinuations",
                                   "escalations", "deescalations", "myeloma_onsets", "patients_with_attack"};
// Counts with a category axis, and the axis.
constexpr std::pair<const char*, const char*> kCategoryCounts[] = {{"attacks", "severity"},      {"deaths", "death_cause"},
                                                                   {"complications", "complication"}, {"regimen_years", "regimen"},
                                                                   {"attacks_on_regimen", "regimen"}};

void summary_table(const ResultsReader& r, Tables& tables)
{
    const hsize_t sets = r.sets(), strategies = r.strategy_count();
    Csv csv({"parameter_set", "set_label", "strategy", "strategy_label", "measure", "mean", "se"});
    auto add = [&](std::size_t set, std::size_t s, const std::string& measure, double mean, double se) {
        csv.row({Csv::number(static_cast<std::int64_t>(set)), r.set_labels[set], r.strategies[s], r.strategy_labels[s], measure,
                 Csv::number(mean), Csv::number(se)});
    };
    for (const char* measure : kMeasures) {
        const auto mean = r.doubles(fmt::format("/results/{}_mean", measure), {sets, strategies});
        const auto se = r.doubles(fmt::format("/results/{}_se", measure), {sets, strategies});
        for (std::size_t i = 0; i < mean.size(); ++i) {
            add(i / strategies, i % strategies, measure, mean[i], se[i]);
        }
    }
    const std::vector<std::string> categories = r.strings("/axes/cost_category", 6);
    const auto mean = r.doubles("/results/cost_mean", {sets, strategies, categories.size()});
    const auto se = r.doubles("/results/cost_se", {sets, strategies, categories.size()});
    for (std::size_t i = 0; i < mean.size(); ++i) {
        const std::size_t row = i / categories.size();
        add(row / strategies, row % strategies, "cost_" + categories[i % categories.size()], mean[i], se[i]);
    }
    const auto icer = r.doubles("/results/icer", {sets, strategies});
    for (std::size_t i = 0; i < icer.size(); ++i) {
        add(i / strategies, i % strategies, "icer_vs_comparator", icer[i], NAN);
    }
    tables.emplace_back("summary.csv", csv.text());
}

void counts_table(const ResultsReader& r, Tables& tables)
{
    const hsize_t sets = r.sets(), strategies = r.strategy_count();
    Csv csv({"parameter_set", "strategy", "measure", "category", "value"});
    auto add = [&](std::size_t row, const std::string& measure, const std::string& category, double value) {
        csv.row({Csv::number(static_cast<std::int64_t>(row / strategies)), r.strategies[row % strategies], measure, category,
                 Csv::number(value)});
    };
    for (const char* measure : kCounts) {
        const auto values = r.doubles(fmt::format("/results/{}", measure), {sets, strategies});
        for (std::size_t i = 0; i < values.size(); ++i) {
            add(i, measure, "", values[i]);
        }
    }
    for (const auto& [measure, axis] : kCategoryCounts) {
        std::vector<hsize_t> trailing;
        const auto values = r.doubles(fmt::format("/results/{}", measure), {sets, strategies}, &trailing);
        const std::vector<std::string> labels = r.strings(fmt::format("/axes/{}", axis), trailing.empty() ? 0 : trailing[0]);
        for (std::size_t i = 0; i < values.size(); ++i) {
            add(i / labels.size(), measure, labels[i % labels.size()], values[i]);
        }
    }
    tables.emplace_back("counts.csv", csv.text());
}

void survival_table(const ResultsReader& r, bool all_sets, Tables& tables)
{
    const hsize_t sets = r.sets(), strategies = r.strategy_count();
    std::vector<hsize_t> trailing;
    const auto survival = r.doubles("/results/survival", {sets, strategies}, &trailing);
    r.require(trailing.size() == 1, "/results/survival", "is not [set, strategy, month]");
    const hsize_t months = trailing[0];
    const auto survival_se = r.doubles("/results/survival_se", {sets, strategies, months});
    const auto attack_free = r.doubles("/results/attack_free", {sets, strategies, months});
    const auto attack_free_se = r.doubles("/results/attack_free_se", {sets, strategies, months});
    const auto years = r.doubles("/axes/time_years", {months});
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
    const auto strategy = r.integers("/cea/base/strategy", n);
    const auto status = r.strings("/cea/base/status", n);
    const auto versus = r.integers("/cea/base/versus", n), versus_next = r.integers("/cea/base/versus_next", n);
    const auto cost = r.doubles("/cea/base/cost", {n}), qalys = r.doubles("/cea/base/qalys", {n});
    const auto d_cost = r.doubles("/cea/base/incremental_cost", {n}), d_qalys = r.doubles("/cea/base/incremental_qalys", {n});
    const auto icer = r.doubles("/cea/base/icer", {n});
    Csv table({"row", "strategy", "strategy_label", "cost", "qalys", "status", "versus", "versus_next", "incremental_cost",
               "incremental_qalys", "icer"});
    for (std::size_t i = 0; i < n; ++i) {
        const std::string label = strategy[i] >= 0 && static_cast<std::size_t>(strategy[i]) < n ? r.strategy_labels[strategy[i]] : "NA";
        table.row({Csv::number(static_cast<std::int64_t>(i + 1)), r.strategy_name(strategy[i]), label, Csv::number(cost[i]),
                   Csv::number(qalys[i]), status[i], r.strategy_name(versus[i]), r.strategy_name(versus_next[i]),
                   Csv::number(d_cost[i]), Csv::number(d_qalys[i]), Csv::number(icer[i])});
    }
    tables.emplace_back("incremental.csv", table.text());
    const auto wtp = r.doubles("/cea/wtp", {});
    const auto nmb = r.doubles("/cea/nmb", {wtp.size(), n});
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
    std::vector<hsize_t> trailing;
    const auto values = r.doubles("/parameter_sets/values", {sets}, &trailing);
    const hsize_t columns = trailing.empty() ? 0 : trailing[0];
    const std::vector<std::string> paths = r.strings("/parameter_sets/parameter", columns);
    const auto draw = r.integers("/parameter_sets/psa_draw", sets);
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
    const auto cost = r.doubles("/results/total_cost_mean", {sets, strategies});
    const auto qalys = r.doubles("/results/qalys_mean", {sets, strategies});
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
    std::vector<hsize_t> trailing;
    const auto cost = r.doubles("/cea/psa/cost", {}, &trailing);
    r.require(trailing.size() == 2 && trailing[1] == n, "/cea/psa/cost", "is not [draw, strategy]");
    const std::size_t draws = trailing[0];
    const auto qalys = r.doubles("/cea/psa/qalys", {draws, n});
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
    const auto wtp = r.doubles("/cea/wtp", {});
    const auto ceac = r.doubles("/cea/psa/ceac", {wtp.size(), n});
    const auto ceaf = r.integers("/cea/psa/ceaf_strategy", wtp.size());
    const auto expected = r.doubles("/cea/psa/expected_nmb", {wtp.size(), n});
    Csv curves({"wtp", "strategy", "probability_cost_effective", "expected_nmb", "on_frontier"});
    for (std::size_t i = 0; i < ceac.size(); ++i) {
        curves.row({Csv::number(wtp[i / n]), r.strategies[i % n], Csv::number(ceac[i]), Csv::number(expected[i]),
                    ceaf[i / n] == static_cast<std::int64_t>(i % n) ? "TRUE" : "FALSE"});
    }
    tables.emplace_back("ceac.csv", curves.text());
    const auto evpi = r.doubles("/cea/psa/evpi", {wtp.size()});
    const bool population = r.has("/cea/psa/evpi_population");
    const auto evpi_population = population ? r.doubles("/cea/psa/evpi_population", {wtp.size()}) : std::vector<double>(wtp.size(), NAN);
    Csv evpi_table({"wtp", "evpi_per_person", "evpi_population"});
    for (std::size_t w = 0; w < wtp.size(); ++w) {
        evpi_table.row({Csv::number(wtp[w]), Csv::number(evpi[w]), Csv::number(evpi_population[w])});
    }
    tables.emplace_back("evpi.csv", evpi_table.text());
    if (r.has("/cea/psa/evppi")) {
        const auto groups = r.strings("/cea/psa/evppi/group");
        const auto members = r.strings("/cea/psa/evppi/parameters", groups.size());
        const auto evppi = r.doubles("/cea/psa/evppi/evppi", {groups.size(), wtp.size()});
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
        const auto paths = r.strings("/sweep/paths", n), origins = r.strings("/sweep/range_origin", n);
        const auto base = r.doubles("/sweep/base_value", {n}), low = r.doubles("/sweep/low_value", {n}),
                   high = r.doubles("/sweep/high_value", {n});
        const auto low_set = r.integers("/sweep/low_set", n), high_set = r.integers("/sweep/high_set", n);
        Csv csv({"parameter", "paths", "range_origin", "base_value", "low_value", "high_value", "low_set", "high_set"});
        for (std::size_t i = 0; i < n; ++i) {
            csv.row({names[i], paths[i], origins[i], Csv::number(base[i]), Csv::number(low[i]), Csv::number(high[i]),
                     Csv::number(low_set[i]), Csv::number(high_set[i])});
        }
        tables.emplace_back("one_way.csv", csv.text());
    }
    if (r.has("/sweep/axis_parameter")) {
        const auto axes = r.strings("/sweep/axis_parameter", r.has("/sweep/axis_1") ? 2 : 1);
        Csv csv({"axis", "parameters", "index", "value"});
        for (std::size_t a = 0; a < axes.size(); ++a) {
            const auto values = r.doubles(fmt::format("/sweep/axis_{}", a), {});
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
    const auto statistic = r.strings("/validation/statistic", n), strategies = r.strings("/validation/strategies", n),
               source = r.strings("/validation/source", n);
    const auto years = r.doubles("/validation/years", {n}), value = r.doubles("/validation/target_value", {n}),
               se = r.doubles("/validation/target_se", {n}), model = r.doubles("/validation/model_value", {n}),
               model_se = r.doubles("/validation/model_se", {n});
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
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (!std::filesystem::is_directory(directory)) {
        throw InputError({{"--to", directory.string(), 0,
                           fmt::format("cannot be used as a directory ({}) — give a directory to create or to write into",
                                       error ? error.message() : "a file of that name exists")}});
    }
    std::vector<std::string> written;
    for (const auto& [name, text] : tables) {
        write_file_atomically(directory / name, text);
        written.push_back(name);
    }
    return written;
}

}  // namespace scls
