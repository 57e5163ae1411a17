// Calibration targets: published statistics the model must reproduce, the
// unobserved parameters that may be moved to reproduce them, and the
// statistics' values computed from a run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "host/engine/summary.hpp"
#include "host/psa/distribution.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

enum class TargetStatistic {
    survival,           // probability alive at `years` (Kaplan-Meier)
    attack_free,        // probability of no attack by `years`, death censoring (Kaplan-Meier)
    attack_rate,        // attacks per patient-year over follow-up
    attack_rate_ratio,  // attack_rate of `strategies` over attack_rate of `reference`
    death_share,        // deaths from `cause` among all deaths by the horizon
    death_per_attack,   // attacks ending in death among all attacks of the patients alive at diagnosis (a case series)
    death_before_diagnosis,  // patients dying between onset and diagnosis, among all entering at onset
    ever_treated_share,      // patients ever on a regimen of [cohort] ever_treated, among those alive at diagnosis
    within_patient_rate_ratio,  // attacks/year on prophylaxis over before it, same patients (pooled)
    observed_rate,       // the `quantile` of patients' observed untreated attack rates
    observed_rate_min,   // the lowest observed rate in a cohort of `cohort_size` (its median)
    observed_rate_max,   // the highest observed rate in a cohort of `cohort_size` (its median)
};

const char* to_string(TargetStatistic statistic);

// Every statistic's name, comma-separated (for messages and file descriptions).
const std::string& statistic_names();

// Statistics that are probabilities (bounded by [0, 1], reported in percent).
bool is_probability(TargetStatistic statistic);

// A registry group as a mix of strategies: shares of patients (summing to 1).
struct StrategyMix {
    std::vector<std::pair<int, double>> shares;  // strategy index, share
    std::string text;                            // as written, for reports
};

struct Target {
    std::string name;
    TargetStatistic statistic = TargetStatistic::survival;
    StrategyMix strategies;
    StrategyMix reference;  // attack_rate_ratio only
    double years = 0.0;     // survival and attack_free only
    bool since_diagnosis = false;  // survival only: of the patients alive at diagnosis, from diagnosis
    int as_treated = -1;           // survival since diagnosis of an AsTreated group (-1: everybody alive at diagnosis)
    double quantile = 0.5;         // observed_rate: which quantile; observed_rate_min/max: set from cohort_size
    int cohort_size = 0;           // observed_rate_min/max: patients in the published cohort
    int regimen = -1;       // attack_rate(_ratio): count only attacks and years on this regimen (-1: all follow-up)
    int cause = 0;          // death_share only: an EndReason other than horizon
    double value = 0.0;
    bool log_scale = false; // scale = "log": the error is normal on log(value) (rates and ratios with skewed intervals)
    double se = 0.0;        // given, or from a 95% CI as (upper - lower) / 3.92 (log scale: ln(upper / lower) / 3.92)
    double ci_lower = __builtin_nan(""), ci_upper = __builtin_nan("");  // the 95% interval when one was given
    std::string source;
};

// A parameter the calibration moves: a numeric key path of the scenario,
// searched within [lower, upper], on a log scale if asked. A balance key
// absorbs its changes so that a group of shares keeps its sum.
struct FittedParameter {
    std::string path;
    double lower = 0.0;
    double upper = 0.0;
    bool log_scale = false;
    std::string balance;           // empty: none
    double initial = 0.0;          // the scenario's value
    double balance_initial = 0.0;  // the balance key's value in the scenario
    // Bayesian calibration: the prior, truncated to [lower, upper]. kind fixed
    // (the default) stands for uniform on the parameter's scale (log-uniform
    // with scale = "log").
    Distribution prior;
    bool has_prior() const { return !prior.is_fixed(); }
};

enum class CalibrationAlgorithm { sbplx, nelder_mead, bobyqa, cobyla };

// optimize: a best fit (NLopt); imis: a posterior sample by incremental
// mixture importance sampling (Raftery & Bao 2010).
enum class CalibrationMethod { optimize, imis };

struct ImisSettings {
    int prior_draws = 2000;      // first stage: points drawn from the prior
    int draws_per_step = 200;    // points drawn from each new mixture component
    int posterior_draws = 1000;  // resampled, equally weighted posterior draws
    int max_steps = 40;          // components added at most
};

struct TargetSet {
    std::string name;
    std::string description;
    std::string source_name;
    std::string source_text;
    std::vector<FittedParameter> parameters;
    std::vector<Target> targets;
    // How to search.
    std::uint64_t patients = 100000;  // per evaluation
    std::uint64_t seed = 1;           // the same for every evaluation: common random numbers
    CalibrationAlgorithm algorithm = CalibrationAlgorithm::sbplx;
    int starts = 1;                   // the scenario's values, then quasi-random points in the bounds
    int max_evaluations = 300;        // per start
    double relative_tolerance = 1e-3; // on the parameters (in the search scale)
    CalibrationMethod method = CalibrationMethod::optimize;
    ImisSettings imis;
};

// Reads and checks a targets file against a scenario (strategy names, key
// paths, bounds). Throws InputError listing every problem.
TargetSet load_targets(const std::string& text, const std::string& source_name, const Scenario& scenario);
TargetSet load_targets_file(const std::filesystem::path& path, const Scenario& scenario);

// A statistic computed from a run, with its Monte Carlo SE.
struct TargetValue {
    double value = 0.0;
    double se = 0.0;
};

TargetValue evaluate_target(const Target& target, const std::vector<StrategySummary>& strategies);

// How far a model value is from a target, on the target's scale.
struct Discrepancy {
    double difference = 0.0;  // model - target, or ln(model / target) on a log scale
    double target_se = 0.0;   // on the same scale
    double model_se = 0.0;    // the model's Monte Carlo SE on the same scale
    double z() const { return difference / target_se; }
};
Discrepancy discrepancy(const Target& target, const TargetValue& model);

// Sum over targets of ((model - target) / target SE)^2, each on its scale.
double target_distance(const std::vector<Target>& targets, const std::vector<TargetValue>& values);

}  // namespace scls
