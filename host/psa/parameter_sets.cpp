#include "host/psa/parameter_sets.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <set>
#include <fmt/ranges.h>

#include "host/psa/parameter_set_rows.hpp"
#include "host/scenario/toml_reader.hpp"

namespace scls {

namespace detail {

ParameterSets with_base_case(ParameterSetKind kind, std::vector<std::string> columns, const std::vector<double>& base)
{
    ParameterSets sets;
    sets.kind = kind;
    sets.column_names = std::move(columns);
    sets.values = base;
    sets.labels.push_back("base case");
    sets.draw.push_back(-1);
    return sets;
}

void add_set(ParameterSets& sets, std::vector<double> values, std::string label, std::int64_t draw)
{
    sets.values.insert(sets.values.end(), values.begin(), values.end());
    sets.labels.push_back(std::move(label));
    sets.draw.push_back(draw);
}

double scenario_value(const toml::table& root, const std::string& path, std::string& problem)
{
    if (is_run_setting(path)) {
        problem = "is a run setting, not a model parameter (each parameter set runs with the scenario's settings) — vary a "
                  "model parameter, e.g. attacks.rate_per_year";
        return 0.0;
    }
    const toml::node* node = find_key_path(root, path, problem);
    if (node && !node->is_number()) {
        problem = fmt::format("is {} (only numeric parameters can be varied) — name a numeric parameter", TableReader::describe(*node));
        return 0.0;
    }
    return node ? node->value<double>().value_or(0.0) : 0.0;
}

}  // namespace detail

namespace {

using detail::add_set;
using detail::scenario_value;
using detail::with_base_case;

constexpr int kMaxGridPoints = 100000;

std::optional<double> parse_number(std::string_view text)
{
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

[[noreturn]] void refuse_grid_axis(const std::string& axis, const std::string& message)
{
    throw InputError({{"--grid", axis, 0, message}});
}

}  // namespace

ParameterSets base_case_parameter_sets() { return with_base_case(ParameterSetKind::base, {}, {}); }

const char* parameter_set_kind_name(ParameterSetKind kind)
{
    switch (kind) {
        case ParameterSetKind::base: return "base";
        case ParameterSetKind::psa: return "psa";
        case ParameterSetKind::one_way: return "one_way";
        case ParameterSetKind::grid: return "grid";
    }
    return "?";
}

ParameterSets psa_parameter_sets(const PsaSpec& spec)
{
    ParameterSets sets = with_base_case(ParameterSetKind::psa, spec.column_names(), spec.base_values());
    sets.patients = spec.patients;
    for (std::uint32_t k = 0; k < spec.draws; ++k) {
        add_set(sets, draw_parameters(spec, k), fmt::format("draw {}", k), k);
    }
    return sets;
}

std::string GridAxis::name() const
{
    return fmt::format("{}", fmt::join(paths, ","));
}

namespace {

std::vector<double> grid_values(std::string_view spec, const std::function<void(const std::string&)>& fail)
{
    std::vector<double> values;
    if (spec.find(':') == std::string_view::npos) {
        for (std::string_view part : split_text(spec, ',')) {
            const auto value = parse_number(part);
            if (!value) {
                fail(fmt::format("has \"{}\", which is not a number — list numbers separated by commas", part));
            }
            values.push_back(*value);
        }
        return values;
    }
    const auto parts = split_text(spec, ':');
    double range[3] = {0.0, 0.0, 0.0};  // from, to, points
    bool valid = parts.size() == 3;
    for (std::size_t i = 0; valid && i < 3; ++i) {
        const auto number = parse_number(parts[i]);
        valid = number.has_value();
        range[i] = number.value_or(0.0);
    }
    const double from = range[0], to = range[1], points = range[2];
    if (!valid || points < 2 || points != std::floor(points) || points > kMaxGridPoints) {
        fail(fmt::format("has range \"{}\" (from:to:points needs two numbers and a whole number of points from 2 to {}) — "
                         "write e.g. 50:150:5",
                         spec, kMaxGridPoints));
    }
    const int n = static_cast<int>(points);
    for (int i = 0; i < n; ++i) {
        values.push_back(i == n - 1 ? to : from + (to - from) * i / (n - 1));
    }
    return values;
}

}  // namespace

GridAxis parse_grid_axis(const std::string& text, const Scenario& scenario)
{
    const auto fail = [&](const std::string& message) { refuse_grid_axis(text, message); };
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
        fail("is not path=from:to:points or path=v1,v2,... — write e.g. --grid regimens.ivig_2g.price_per_gram=50:150:5 "
             "(paths separated by commas move together)");
    }
    GridAxis axis;
    axis.values = grid_values(std::string_view(text).substr(equals + 1), fail);
    const toml::table& root = scenario_document(scenario);
    for (std::string_view path : split_text(std::string_view(text).substr(0, equals), ',')) {
        std::string problem;
        axis.paths.emplace_back(path);
        axis.base.push_back(scenario_value(root, axis.paths.back(), problem));
        if (!problem.empty()) {
            fail(fmt::format("names {}: {}", path, problem));
        }
    }
    return axis;
}

ParameterSets grid_parameter_sets(const std::vector<GridAxis>& axes)
{
    std::vector<std::string> columns;
    std::vector<double> base;
    for (const auto& a : axes) {
        for (std::size_t i = 0; i < a.paths.size(); ++i) {
            if (std::find(columns.begin(), columns.end(), a.paths[i]) != columns.end()) {
                // The later value would silently win and the points' labels would be false.
                throw InputError({{"--grid", a.name(), 0,
                                   fmt::format("varies {} a second time (each key belongs to one axis) — give it to one axis only",
                                               a.paths[i])}});
            }
            columns.push_back(a.paths[i]);
            base.push_back(a.base[i]);
        }
    }
    ParameterSets sets = with_base_case(ParameterSetKind::grid, columns, base);
    double product = 1.0;  // as a double: 10^5 x 10^5 must not wrap before it is refused
    std::string sizes;
    for (const auto& a : axes) {
        product *= static_cast<double>(a.values.size());
        sizes += fmt::format("{}{}", sizes.empty() ? "" : " x ", a.values.size());
    }
    if (product > static_cast<double>(kMaxParameterSets - 1)) {
        throw InputError({{"--grid", axes.empty() ? "" : axes.front().name(), 0,
                           fmt::format("has {:.0f} points ({}) (a run holds at most {} parameter sets: each keeps its own results "
                                       "in memory and in the file) — use fewer points per axis",
                                       product, sizes, kMaxParameterSets - 1)}});
    }
    const auto points = static_cast<std::size_t>(product);
    for (std::size_t point = 0; point < points; ++point) {
        std::vector<double> values;
        std::string label;
        std::size_t rest = point;
        std::vector<double> at(axes.size());
        for (std::size_t a = axes.size(); a-- > 0;) {
            at[a] = axes[a].values[rest % axes[a].values.size()];
            rest /= axes[a].values.size();
        }
        for (std::size_t a = 0; a < axes.size(); ++a) {
            values.insert(values.end(), axes[a].paths.size(), at[a]);
            label += fmt::format("{}{} = {:.6g}", a ? ", " : "", axes[a].name(), at[a]);
        }
        add_set(sets, values, label);
    }
    sets.grid = axes;
    return sets;
}

std::vector<ModelParams> resolve_parameter_sets(const Scenario& scenario, const ParameterSets& sets, std::size_t first,
                                                std::size_t count)
{
    const std::size_t begin = std::min(first, sets.size());
    const std::size_t end = begin + std::min(count, sets.size() - begin);
    std::vector<ModelParams> params;
    params.reserve(end - begin);
    for (std::size_t s = begin; s < end; ++s) {
        if (s == 0) {
            params.push_back(scenario.params);  // set 0, the base case, is the scenario itself
            continue;
        }
        std::vector<Override> values;
        std::string assignments;
        const std::string source = fmt::format("parameter set {} ({})", s, sets.labels[s]);
        for (std::size_t c = 0; c < sets.columns(); ++c) {
            const double v = sets.value(s, c);
            values.push_back({sets.column_names[c], override_value(v), source});
            assignments += fmt::format("{}{} = {:.6g}", assignments.empty() ? "" : ", ", sets.column_names[c], v);
        }
        try {
            params.push_back(scenario_with_values(scenario, values).params);
        } catch (const InputError& error) {
            std::vector<InputIssue> issues = error.issues();
            for (auto& issue : issues) {
                const std::string where = issue.file == source ? "" : fmt::format("in {}: ", source);
                issue.message = fmt::format("{}{} (with {}). A sampled or swept value must be one the model accepts — choose a "
                                            "distribution or range inside the parameter's bounds",
                                            where, issue.message, assignments);
            }
            throw InputError(std::move(issues));
        }
    }
    return params;
}

}  // namespace scls
