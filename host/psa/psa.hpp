// Probabilistic sensitivity analysis: the [psa] section of a scenario (which
// parameters are uncertain, how, and how they co-vary) and the draws.
//
// Draw k is a pure function of (PSA seed, k): its random numbers come from
// Philox at counter {k, parameter, tag + block}, so a draw has the same
// values whatever the number of draws, batches or processes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/calibration/posterior.hpp"
#include "host/psa/distribution.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

struct PsaParameter {
    std::string name;                // label in outputs, correlation and EVPPI groups
    std::vector<std::string> paths;  // scenario key paths it sets: a Dirichlet's shares, or keys that share one value
    std::vector<double> base;        // the scenario's value at each path
    Distribution distribution;
    int correlation_group = -1;      // index into PsaSpec::correlations, or -1
    int first_column = 0;            // its first column in a draw's values
    std::string file;                // where the entry is written, for messages
    int line = 0;
    // Distribution kind posterior: the sample its paths' values come from
    // (columns in path order), and the order in which draws take its rows.
    std::shared_ptr<const PosteriorDraws> posterior;
    std::vector<std::uint32_t> posterior_order;
};

// A Gaussian copula over scalar parameters: their normal scores are
// correlated by the matrix, then mapped through each marginal's quantile.
struct CorrelationGroup {
    std::vector<int> members;      // indices into PsaSpec::parameters
    std::vector<double> cholesky;  // lower triangle L of the correlation matrix, row-major, size n x n
};

// Parameters whose joint value is worth learning (EVPPI).
struct ParameterGroup {
    std::string name;
    std::vector<int> members;  // indices into PsaSpec::parameters
};

enum class PatientSampling {
    same,         // every draw simulates the same patients: the draws differ only by their parameters
    independent,  // every draw has its own patients (the stream key includes the parameter set)
};

struct PsaSpec {
    std::uint32_t draws = 0;
    std::uint64_t seed = 0;
    PatientSampling patients = PatientSampling::same;
    std::vector<PsaParameter> parameters;
    std::vector<CorrelationGroup> correlations;
    std::vector<ParameterGroup> evppi_groups;  // each uncertain parameter alone, then the [[psa.evppi]] groups

    int columns() const;                       // values per draw: one per path
    std::vector<std::string> column_names() const;
    std::vector<double> base_values() const;   // the scenario's values, in column order
};

// Reads the scenario's [psa] section; nullopt when it has none. Throws
// InputError naming the file, line and key of every problem.
std::optional<PsaSpec> load_psa_spec(const Scenario& scenario);

// The values of draw k, in column order. Throws InputError naming the draw,
// the parameter and its entry when a distribution gives a value that is not
// a finite number (every draw is a real draw, or the run is refused).
std::vector<double> draw_parameters(const PsaSpec& spec, std::uint64_t draw);

}  // namespace scls
