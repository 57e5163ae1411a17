// Derived statistics from a run's raw tallies: means with Monte Carlo SEs,
// Kaplan-Meier curves on the monthly grid, rates, increments and ICERs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/engine/engine.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

struct Estimate {
    double mean = 0.0;
    double se = 0.0;  // Monte Carlo standard error of the mean
};

// The q-quantile of a histogram of observed rates (bins as in tally.hpp).
double observed_rate_at(const std::vector<std::uint64_t>& histogram, double q);

// Mean and SE from a sum and sum of squares over n independent patients.
Estimate estimate_from_moments(double sum, double sum_of_squares, double n);

struct Curve {
    std::vector<double> value;
    std::vector<double> se;
};
// A curve on the monthly grid read at a time in years, interpolating
// linearly between months; NaN beyond the grid.
Estimate curve_at_years(const Curve& curve, double years);

// Kaplan-Meier survival at the grid points 0..bins (months), from events and
// censorings per monthly bin; censorings count half a bin at risk (actuarial
// convention). se by Greenwood's formula.
Curve kaplan_meier(const std::uint64_t* events, const std::uint64_t* censored, int bins, std::uint64_t patients);
// The same from weighted counts (patients pooled over a mix of strategies).
Curve kaplan_meier(const double* events, const double* censored, int bins, double patients);

struct StrategySummary {
    std::string name, label;
    std::uint64_t patients = 0;
    Estimate cost[kCostCategories];
    Estimate cost_total, qalys, life_years_discounted, life_years, attacks_per_patient;
    Estimate attacks_per_patient_year;  // ratio estimator, delta-method SE
    Estimate increment_cost, increment_qalys, increment_life_years_discounted;  // paired, vs comparator
    double icer = 0.0;  // incremental cost per QALY vs comparator; NaN for the comparator itself
    double person_years = 0.0;
    double regimen_years[kMaxRegimens] = {};
    std::uint64_t attacks[kSeverities] = {};
    std::uint64_t deaths[kDeathCauses] = {};
    std::uint64_t alive_at_horizon = 0;
    std::uint64_t complications[kComplications] = {};
    std::uint64_t adverse_events = 0, switches = 0, discontinuations = 0, escalations = 0, deescalations = 0;
    std::uint64_t myeloma_onsets = 0, patients_with_attack = 0;
    std::uint64_t attacks_on_regimen[kMaxRegimens] = {};  // attacks by the regimen the patient was on
    Curve survival;      // overall survival
    Curve attack_free;   // time to first attack, censored at death or horizon
    std::vector<std::uint64_t> attacks_histogram;  // patients with 0, 1, ..., >= kAttackCountBins-1 attacks
    // The pathway: for a cohort entering at diagnosis, everybody is alive at diagnosis.
    std::uint64_t alive_at_diagnosis = 0, deaths_before_diagnosis = 0, attacks_before_diagnosis = 0;
    std::uint64_t ever_treated = 0;  // alive at diagnosis and ever on a regimen of [cohort] ever_treated
    std::uint64_t attacks_of_diagnosed = 0, attack_deaths_of_diagnosed = 0;  // patients alive at diagnosis, whole course
    // Survival since diagnosis of the patients alive at diagnosis: all of them,
    // then the as-treated groups (ever / never on an ever_treated regimen).
    // Empty unless the run tallies diagnosis curves (entry at onset, or [cohort] ever_treated).
    // Before and on prophylaxis, in the patients who started one.
    std::uint64_t treated_patients = 0, attacks_before_treatment = 0, days_before_treatment = 0;
    std::uint64_t attacks_on_treatment = 0, days_on_treatment = 0;
    // Patients by observed untreated attack rate (kObservedRateBins log-scale bins, see tally.hpp).
    std::vector<std::uint64_t> observed_rate_histogram = std::vector<std::uint64_t>(kObservedRateBins, 0);
    Curve survival_since_diagnosis;
    Curve survival_since_diagnosis_by_group[kAsTreatedGroups];
    // Their raw monthly deaths and censorings per group (pooling a mix of strategies needs the counts).
    std::vector<std::uint64_t> deaths_since_diagnosis[kAsTreatedGroups], censored_since_diagnosis[kAsTreatedGroups];

    Estimate survival_at_years(double years) const;
    // Survival at `years` since diagnosis of a group (nullptr: all alive at diagnosis).
    Estimate survival_since_diagnosis_at_years(double years, const AsTreated* group) const;
    Estimate deaths_before_diagnosis_share() const;  // of all patients entering the cohort
    // Attacks per year on prophylaxis over attacks per year before it, in the
    // same patients (pooled over them, as before/after studies report); NaN
    // when nobody had follow-up before prophylaxis.
    Estimate within_patient_rate_ratio() const;
    // The q-quantile of patients' observed untreated attack rates (per year),
    // log-interpolated within its bin; NaN when no patient was observed.
    Estimate observed_rate_quantile(double q) const;
    Estimate attack_free_at_years(double years) const;
    Estimate death_share(int cause) const;
    std::uint64_t total_deaths() const;   // all causes, before the horizon
    std::uint64_t total_attacks() const;  // all severities  // fraction of patients dying of the cause (binomial SE)
};

// The counters a summary holds as one number each: where the tally keeps
// them, the summary's field, and the name, units and meaning under which
// results files and exports carry them (one table, so adding a counter is one row).
struct CountedField {
    Counter counter;
    std::uint64_t StrategySummary::*field;
    const char* name;
    const char* units;
    const char* description;
};
const std::vector<CountedField>& counted_fields();

// A share count/of with its binomial SE (0 and 0 when of is 0).
Estimate binomial_share(std::uint64_t count, std::uint64_t of);

std::vector<StrategySummary> summarize(const Scenario& scenario, const RunResult& result, std::uint32_t parameter_set);

}  // namespace scls
