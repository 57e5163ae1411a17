// Parameter sets: the rows of one run's (parameter set x patient) grid, made
// from PSA draws, one-way ranges or 1-D/2-D grids. Set 0 is always the base
// case (the scenario as given), so every file carries its deterministic
// result; every set is the scenario with some key paths replaced, resolved
// and validated exactly as a scenario file is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/psa/psa.hpp"
#include "host/scenario/bounds.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

enum class ParameterSetKind { base, psa, one_way, grid };
const char* parameter_set_kind_name(ParameterSetKind kind);

// A one-way sensitivity range: a parameter at its low and at its high value.
// A parameter may span several keys that move together: a price shared by
// two regimens (one value at every key), or a Dirichlet mix in which one
// share moves and the others are rescaled to keep the sum at 1.
struct OneWayRange {
    std::string name;                     // what tables and the tornado show
    std::vector<std::string> paths;       // the keys that move together
    std::vector<double> base, low, high;  // per path
    std::size_t primary = 0;              // the path whose value the range is quoted in
    std::string origin;                   // "[[sweep.parameters]]" or "PSA 2.5%/97.5% quantiles"
    std::size_t low_set = 0, high_set = 0;  // filled when the sets are made
};

// One axis of a grid: its values, given to every one of its keys.
struct GridAxis {
    std::vector<std::string> paths;  // keys that take the axis value together
    std::vector<double> base;        // the scenario's value at each key (the base case, set 0)
    std::vector<double> values;
    std::string name() const;        // the paths, comma-separated
};

// Most parameter sets one run may hold (PSA draws + 1, or grid points + 1):
// every set keeps its own tallies and curves in memory and in the file.
inline constexpr std::uint64_t kMaxParameterSets = kMaxDraws + 1;

struct ParameterSets {
    ParameterSetKind kind = ParameterSetKind::base;
    std::vector<std::string> column_names;  // key paths that vary
    std::vector<double> values;             // [set][column]
    std::vector<std::string> labels;        // per set, e.g. "base case", "draw 17"
    std::vector<std::int64_t> draw;         // PSA draw index per set, -1 for others
    PatientSampling patients = PatientSampling::same;
    std::vector<OneWayRange> one_way;       // kind one_way
    std::vector<GridAxis> grid;             // kind grid: set 1 + i0 * n1 + i1 is point (i0, i1)

    std::size_t size() const { return labels.size(); }
    std::size_t columns() const { return column_names.size(); }
    double value(std::size_t set, std::size_t column) const { return values[set * columns() + column]; }
};

// The base case alone (sclsim run).
ParameterSets base_case_parameter_sets();

// Set 0 the base case, set k + 1 draw k.
ParameterSets psa_parameter_sets(const PsaSpec& spec);

// The one-way ranges: [[sweep.parameters]] (path or paths, low, high) when the
// scenario has them, otherwise the 2.5% and 97.5% quantiles of every
// uncertain parameter of [psa] (for a Dirichlet, of each share's marginal,
// with the other shares rescaled). Throws InputError when there are neither.
std::vector<OneWayRange> load_one_way_ranges(const Scenario& scenario, const std::optional<PsaSpec>& psa);
// Set 0 the base case, then each parameter at its low and its high value.
ParameterSets one_way_parameter_sets(std::vector<OneWayRange> ranges);

// "path=from:to:points" (evenly spaced, ends included) or "path=v1,v2,...";
// "path,path=..." moves several keys together. Each path must name a numeric
// model parameter. Throws InputError.
GridAxis parse_grid_axis(const std::string& text, const Scenario& scenario);
// Set 0 the base case, then every grid point, the last axis fastest. Throws
// InputError when the grid has more than kMaxParameterSets - 1 points.
ParameterSets grid_parameter_sets(const std::vector<GridAxis>& axes);

// Resolves every set into model parameters (the scenario with the set's values
// at its paths). Throws InputError naming the set and key of a value the
// model cannot take (e.g. a share above 1 drawn from a normal). first and
// count select a range of sets (a process's share of a distributed run).
std::vector<ModelParams> resolve_parameter_sets(const Scenario& scenario, const ParameterSets& sets, std::size_t first = 0,
                                                std::size_t count = static_cast<std::size_t>(-1));

}  // namespace scls
