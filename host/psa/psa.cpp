#include "host/psa/psa.hpp"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "host/psa/parameter_sets.hpp"
#include "host/scenario/toml_reader.hpp"
#include "kernels/random/philox.hpp"

namespace scls {

namespace {

// Counter word 3 of every PSA draw block, "PSA" in ASCII: keeps PSA draws
// apart from any other use of the same seed.
constexpr std::uint32_t kPsaStreamTag = 0x50534100u;

// Uniforms 2j and 2j+1 of (draw, parameter) come from block j.
double draw_uniform(std::uint64_t seed, std::uint64_t draw, std::uint32_t parameter, std::uint32_t index)
{
    const PhiloxCounter counter{{static_cast<std::uint32_t>(draw), static_cast<std::uint32_t>(draw >> 32), parameter,
                                 kPsaStreamTag + index / 2}};
    const PhiloxKey key{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    const PhiloxCounter words = philox4x32_10(counter, key);
    return index % 2 == 0 ? to_open_unit_52(words.word[0], words.word[1]) : to_open_unit_52(words.word[2], words.word[3]);
}

std::string common_prefix(const std::vector<std::string>& paths)
{
    std::string prefix = paths.front();
    for (const auto& p : paths) {
        std::size_t n = 0;
        while (n < prefix.size() && n < p.size() && prefix[n] == p[n]) {
            ++n;
        }
        prefix.resize(n);
    }
    while (!prefix.empty() && prefix.back() == '.') {
        prefix.pop_back();
    }
    return prefix.empty() ? paths.front() : prefix;
}

void read_parameter_paths(TableReader& entry, const toml::table& root, PsaParameter& parameter)
{
    const bool single = entry.has("path"), several = entry.has("paths");
    if (single == several) {
        entry.take("path");
        entry.take("paths");
        entry.report(single ? "paths" : "path", "names the parameter twice or not at all (a PSA entry varies a key path) — give "
                                                "path = \"attacks.rate_per_year\", or paths = [...] for a Dirichlet");
        return;
    }
    if (single) {
        if (auto path = entry.optional_string("path")) {
            parameter.paths.push_back(*path);
        }
    } else {
        parameter.paths = entry.optional_strings("paths").value_or(std::vector<std::string>{});
        if (parameter.paths.empty() && entry.raw() && entry.raw()->get("paths") && entry.raw()->get("paths")->is_array()) {
            entry.report("paths", "is empty (an uncertain parameter sets at least one key) — list its key paths");
        }
    }
    for (const std::string& path : parameter.paths) {
        const char* key = single ? "path" : "paths";
        if (is_run_setting(path)) {
            entry.report(key, fmt::format("names {} (a run setting, not a model parameter) — vary a model parameter, e.g. "
                                          "attacks.rate_per_year",
                                          path));
            return;
        }
        std::string problem;
        const toml::node* node = find_key_path(root, path, problem);
        if (!node) {
            entry.report(key, fmt::format("names {}: {}", path, problem));
            continue;
        }
        if (!node->is_number()) {
            entry.report(key, fmt::format("names {}, which is {} (only numbers can be uncertain) — name a numeric parameter", path,
                                          TableReader::describe(*node)));
            continue;
        }
        parameter.base.push_back(node->value<double>().value_or(0.0));
    }
}

// A correlation group's n x n matrix: `correlation = r` for two parameters,
// else `matrix`; nullopt (reported) when it is missing or not square.
std::optional<std::vector<double>> read_correlation_matrix(TableReader& entry, std::size_t n)
{
    std::vector<double> matrix(n * n, 0.0);
    if (entry.has("correlation") && n == 2) {
        const double r = entry.number("correlation", Bound::any);
        return std::vector<double>{1.0, r, r, 1.0};
    }
    const toml::node* node = entry.take("matrix");
    const toml::array* rows = node ? node->as_array() : nullptr;
    bool shaped = rows && rows->size() == n;
    for (std::size_t i = 0; shaped && i < n; ++i) {
        const toml::array* row = rows->get(i)->as_array();
        shaped = row && row->size() == n;
        for (std::size_t j = 0; shaped && j < n; ++j) {
            shaped = row->get(j)->is_number();
            matrix[i * n + j] = row->get(j)->value<double>().value_or(0.0);
        }
    }
    if (!shaped) {
        entry.report(node ? "matrix" : "parameters",
                     fmt::format("{} (a correlation group needs its {} x {} matrix) — add matrix = [[1.0, r], [r, 1.0]] "
                                 "(or correlation = r for two parameters)",
                                 node ? "is not a square table of numbers" : "has no matrix", n, n));
        return std::nullopt;
    }
    return matrix;
}

// Whether the matrix is a correlation matrix (symmetric, unit diagonal,
// entries in [-1, 1], positive definite); on success it holds its Cholesky
// factor L in the lower triangle. Problems are reported.
bool is_correlation_matrix(TableReader& entry, std::vector<double>& matrix, std::size_t n)
{
    const char* key = entry.has("correlation") ? "correlation" : "matrix";
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const double r = matrix[i * n + j];
            if ((i == j && r != 1.0) || std::fabs(r) > 1.0 || r != matrix[j * n + i]) {
                entry.report(key, fmt::format("has {} at row {}, column {} (a correlation matrix is symmetric with 1 on the "
                                              "diagonal and entries in [-1, 1]) — fix that entry",
                                              r, i + 1, j + 1));
                return false;
            }
        }
    }
    gsl_matrix_view view = gsl_matrix_view_array(matrix.data(), n, n);
    if (gsl_linalg_cholesky_decomp1(&view.matrix) != GSL_SUCCESS) {
        entry.report(key, "is not positive definite (no joint normal has these correlations) — lower the correlations or make "
                          "them consistent");
        return false;
    }
    return true;
}

// dropped: names of entries refused above (already reported): a group naming
// one is dropped without a second message.
void read_correlations(TableReader& psa, PsaSpec& spec, const std::map<std::string, int>& by_name,
                       const std::set<std::string>& dropped)
{
    for (TableReader& entry : psa.array_of_tables("correlations", false)) {
        const std::vector<std::string> names = entry.optional_strings("parameters").value_or(std::vector<std::string>{});
        if (names.size() < 2) {
            entry.report("parameters", "names fewer than two parameters (a correlation relates two or more) — list their names");
            entry.finish();
            continue;
        }
        CorrelationGroup group;
        bool usable = true;
        for (const std::string& name : names) {
            auto it = by_name.find(name);
            if (dropped.count(name)) {
                usable = false;
                continue;
            }
            if (it == by_name.end()) {
                entry.report("parameters", fmt::format("names \"{}\" (not a [[psa.parameters]] name) — use the name or path of an "
                                                       "uncertain parameter",
                                                       name));
                usable = false;
                continue;
            }
            PsaParameter& p = spec.parameters[it->second];
            if (p.distribution.kind == DistributionKind::dirichlet || p.distribution.kind == DistributionKind::posterior ||
                p.distribution.is_fixed()) {
                entry.report("parameters", fmt::format("includes \"{}\", a {} parameter (a Gaussian copula correlates scalar "
                                                       "uncertain parameters) — leave it out",
                                                       name, distribution_name(p.distribution.kind)));
                usable = false;
            } else if (p.correlation_group >= 0) {
                entry.report("parameters", fmt::format("includes \"{}\", which is already in a correlation group (groups are "
                                                       "disjoint) — merge the groups into one matrix",
                                                       name));
                usable = false;
            }
            group.members.push_back(it->second);
        }
        const std::size_t n = names.size();
        std::optional<std::vector<double>> matrix = read_correlation_matrix(entry, n);
        if (!matrix) {
            entry.finish();
            continue;
        }
        usable = usable && is_correlation_matrix(entry, *matrix, n);
        entry.finish();
        if (!usable) {
            continue;
        }
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = i + 1; j < n; ++j) {
                (*matrix)[i * n + j] = 0.0;  // keep L only
            }
        }
        group.cholesky = std::move(*matrix);
        for (int member : group.members) {
            spec.parameters[member].correlation_group = static_cast<int>(spec.correlations.size());
        }
        spec.correlations.push_back(std::move(group));
    }
}

// [[psa.parameters]]: each entry's paths, distribution and name. An entry with
// a problem (reported) is left out, its name kept in `dropped` so that groups
// naming it are not reported a second time.
void read_uncertain_parameters(TableReader& psa, const toml::table& root, const std::string& source_name, PsaSpec& spec,
                               std::map<std::string, int>& by_name, std::set<std::string>& dropped)
{
    std::set<std::string> varied_paths;
    int column = 0;
    for (TableReader& entry : psa.array_of_tables("parameters", !psa.has("posterior"))) {
        const std::size_t issues_before = psa.issue_count();
        PsaParameter parameter;
        read_parameter_paths(entry, root, parameter);
        parameter.distribution = read_distribution(entry, static_cast<int>(std::max<std::size_t>(1, parameter.paths.size())));
        parameter.name = entry.optional_string("name").value_or(parameter.paths.empty() ? entry.path() : common_prefix(parameter.paths));
        const Origin origin = entry.raw() ? origin_of(*entry.raw(), source_name) : Origin{source_name, 0};
        parameter.file = origin.file;
        parameter.line = origin.line;
        entry.take("source");  // free text: where the distribution comes from
        entry.finish();
        for (const std::string& path : parameter.paths) {
            if (!varied_paths.insert(path).second) {
                entry.report("path", fmt::format("varies {} a second time (each parameter has one distribution) — remove one entry", path));
            }
        }
        if (by_name.count(parameter.name) || dropped.count(parameter.name)) {
            entry.report("name", fmt::format("\"{}\" is used twice (names label outputs and groups) — give each entry its own name",
                                             parameter.name));
            continue;
        }
        // Only an accepted entry gets a name (and an index) that groups can refer to.
        if (psa.issue_count() != issues_before || parameter.base.size() != parameter.paths.size() || parameter.paths.empty()) {
            dropped.insert(parameter.name);
            continue;
        }
        by_name.emplace(parameter.name, static_cast<int>(spec.parameters.size()));
        parameter.first_column = column;
        column += static_cast<int>(parameter.paths.size());
        spec.parameters.push_back(std::move(parameter));
    }
}

// [psa] posterior = "file": the calibrated parameters drawn jointly from a
// posterior sample of sclsim calibrate (method imis), one uncertain parameter
// named "posterior" whose paths are the file's columns. Draw k takes row
// order[k mod n] of a shuffle seeded by the PSA seed: every row once before
// any repeats.
void read_posterior(TableReader& psa, const Scenario& scenario, const toml::table& root, PsaSpec& spec,
                    std::map<std::string, int>& by_name)
{
    const std::optional<std::string> given = psa.optional_string("posterior");
    if (!given) {
        return;
    }
    std::filesystem::path path(*given);
    if (path.is_relative()) {
        path = scenario.base_directory / path;
    }
    std::shared_ptr<PosteriorDraws> draws;
    try {
        draws = std::make_shared<PosteriorDraws>(read_posterior_draws(path));
    } catch (const InputError& e) {
        for (const InputIssue& issue : e.issues()) {
            psa.report("posterior", fmt::format("names {}, which {}", path.string(), issue.message));
        }
        return;
    }
    PsaParameter parameter;
    parameter.name = "posterior";
    parameter.paths = draws->columns;
    parameter.distribution.kind = DistributionKind::posterior;
    parameter.file = scenario.source_name;
    const std::vector<std::string> varied = spec.column_names();
    for (const std::string& column : draws->columns) {
        std::string problem;
        const toml::node* node = find_key_path(root, column, problem);
        if (!node || !node->is_number()) {
            psa.report("posterior", fmt::format("sets {}, which this scenario {} (the posterior was fitted to another scenario?) — "
                                                "calibrate this scenario, or use its own posterior",
                                                column, node ? "does not hold as a number" : "lacks"));
            return;
        }
        if (std::find(varied.begin(), varied.end(), column) != varied.end()) {
            psa.report("posterior", fmt::format("sets {}, which a [[psa.parameters]] entry varies too (each key has one "
                                                "distribution) — remove that entry: the posterior carries it",
                                                column));
            return;
        }
        parameter.base.push_back(node->value<double>().value_or(0.0));
    }
    const std::size_t rows = draws->draws();
    parameter.posterior_order.resize(rows);
    std::iota(parameter.posterior_order.begin(), parameter.posterior_order.end(), 0u);
    const auto index = static_cast<std::uint32_t>(spec.parameters.size());
    for (std::size_t k = rows; k > 1; --k) {
        const auto j = static_cast<std::size_t>(draw_uniform(spec.seed, k, index, 0) * static_cast<double>(k));
        std::swap(parameter.posterior_order[k - 1], parameter.posterior_order[std::min(j, k - 1)]);
    }
    parameter.posterior = std::move(draws);
    parameter.first_column = spec.columns();
    by_name.emplace(parameter.name, static_cast<int>(spec.parameters.size()));
    spec.parameters.push_back(std::move(parameter));
}

// EVPPI groups: every uncertain parameter alone, then the [[psa.evppi]] groups.
void read_evppi_groups(TableReader& psa, PsaSpec& spec, const std::map<std::string, int>& by_name,
                       const std::set<std::string>& dropped)
{
    for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
        if (!spec.parameters[i].distribution.is_fixed()) {
            spec.evppi_groups.push_back({spec.parameters[i].name, {static_cast<int>(i)}});
        }
    }
    for (TableReader& entry : psa.array_of_tables("evppi", false)) {
        ParameterGroup group;
        group.name = entry.string("name", "IVIG effect");
        for (const std::string& name : entry.optional_strings("parameters").value_or(std::vector<std::string>{})) {
            auto it = by_name.find(name);
            if (dropped.count(name)) {
                continue;  // its own entry is reported
            }
            if (it == by_name.end()) {
                entry.report("parameters", fmt::format("names \"{}\" (not a [[psa.parameters]] name) — use the name or path of an "
                                                       "uncertain parameter",
                                                       name));
            } else {
                group.members.push_back(it->second);
            }
        }
        if (group.members.empty() && !entry.has("parameters")) {
            entry.report("parameters", "is missing — list the parameters whose joint value of information is wanted");
        }
        entry.finish();
        spec.evppi_groups.push_back(std::move(group));
    }
}

// Refuses a draw that is not a finite number: simulating it at some other
// value would be a silent wrong answer.
void check_draw(const PsaSpec& spec, std::uint64_t draw, const std::vector<double>& values)
{
    std::vector<InputIssue> issues;
    for (const PsaParameter& p : spec.parameters) {
        for (std::size_t c = 0; c < p.paths.size(); ++c) {
            const double value = values[static_cast<std::size_t>(p.first_column) + c];
            if (!std::isfinite(value)) {
                issues.push_back({p.file, p.paths[c], p.line,
                                  fmt::format("PSA draw {} (parameter set {}) of {} is {} (its quantile cannot be computed at this "
                                              "draw's probability) — use a distribution whose draws are finite numbers, e.g. a "
                                              "less extreme spread",
                                              draw, draw + 1, p.distribution.describe(), value)});
                break;
            }
        }
    }
    if (!issues.empty()) {
        throw InputError(std::move(issues));
    }
}

}  // namespace

int PsaSpec::columns() const
{
    int total = 0;
    for (const auto& p : parameters) {
        total += static_cast<int>(p.paths.size());
    }
    return total;
}

std::vector<std::string> PsaSpec::column_names() const
{
    std::vector<std::string> names;
    for (const auto& p : parameters) {
        names.insert(names.end(), p.paths.begin(), p.paths.end());
    }
    return names;
}

std::vector<double> PsaSpec::base_values() const
{
    std::vector<double> values;
    for (const auto& p : parameters) {
        values.insert(values.end(), p.base.begin(), p.base.end());
    }
    return values;
}

std::optional<PsaSpec> load_psa_spec(const Scenario& scenario)
{
    const toml::table& root = scenario_document(scenario);
    if (!root.get("psa")) {
        return std::nullopt;
    }
    gsl_set_error_handler_off();  // failures come back as codes and NaN, reported here
    std::vector<InputIssue> issues;
    TableReader top(&root, "", scenario.source_name, issues);
    TableReader psa = top.table("psa");
    PsaSpec spec;
    spec.draws = static_cast<std::uint32_t>(psa.integer("draws", 1, kMaxDraws));
    spec.seed = static_cast<std::uint64_t>(
        psa.integer("seed", 0, kMaxSeed, static_cast<std::int64_t>(scenario.seed)));
    const std::string patients = psa.optional_string("patients").value_or("same");
    if (patients == "independent") {
        spec.patients = PatientSampling::independent;
    } else if (patients != "same") {
        psa.report("patients", fmt::format("is \"{}\" (how draws share patients) — use \"same\" (every draw simulates the same "
                                           "patients) or \"independent\"",
                                           patients));
    }

    std::map<std::string, int> by_name;
    std::set<std::string> dropped;
    read_uncertain_parameters(psa, root, scenario.source_name, spec, by_name, dropped);
    // Names may be given by path too, which is how most users think of them.
    for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
        if (spec.parameters[i].paths.size() == 1) {
            by_name.emplace(spec.parameters[i].paths[0], static_cast<int>(i));
        }
    }
    read_posterior(psa, scenario, root, spec, by_name);
    read_correlations(psa, spec, by_name, dropped);

    read_evppi_groups(psa, spec, by_name, dropped);
    psa.finish();
    if (!issues.empty()) {
        throw InputError(std::move(issues));
    }
    return spec;
}

std::vector<double> draw_parameters(const PsaSpec& spec, std::uint64_t draw)
{
    std::vector<double> values(spec.columns());
    for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
        const PsaParameter& p = spec.parameters[i];
        const auto index = static_cast<std::uint32_t>(i);
        if (p.distribution.kind == DistributionKind::posterior) {
            const std::size_t row = p.posterior_order[draw % p.posterior_order.size()];
            for (std::size_t c = 0; c < p.paths.size(); ++c) {
                values[static_cast<std::size_t>(p.first_column) + c] = p.posterior->value(row, c);
            }
        } else if (p.distribution.kind == DistributionKind::dirichlet) {
            std::vector<double> u(p.paths.size());
            for (std::size_t j = 0; j < u.size(); ++j) {
                u[j] = draw_uniform(spec.seed, draw, index, static_cast<std::uint32_t>(j));
            }
            const std::vector<double> shares = p.distribution.dirichlet_from_uniforms(u);
            std::copy(shares.begin(), shares.end(), values.begin() + p.first_column);
        } else if (p.correlation_group < 0) {
            std::fill_n(values.begin() + p.first_column, p.paths.size(), p.distribution.quantile(draw_uniform(spec.seed, draw, index, 0)));
        }
    }
    for (const CorrelationGroup& group : spec.correlations) {
        const std::size_t n = group.members.size();
        std::vector<double> independent(n);
        for (std::size_t m = 0; m < n; ++m) {
            independent[m] = gsl_cdf_ugaussian_Pinv(draw_uniform(spec.seed, draw, static_cast<std::uint32_t>(group.members[m]), 0));
        }
        for (std::size_t m = 0; m < n; ++m) {
            double z = 0.0;
            for (std::size_t j = 0; j <= m; ++j) {
                z += group.cholesky[m * n + j] * independent[j];
            }
            // Beyond about 8.3 SD P(z) rounds to 0 or 1, where quantiles are infinite.
            const double bounded = std::clamp(gsl_cdf_ugaussian_P(z), 1e-300, 1.0 - 1e-16);
            const PsaParameter& p = spec.parameters[group.members[m]];
            std::fill_n(values.begin() + p.first_column, p.paths.size(), p.distribution.quantile(bounded));
        }
    }
    check_draw(spec, draw, values);
    return values;
}

}  // namespace scls
