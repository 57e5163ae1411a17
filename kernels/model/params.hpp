// Resolved model parameters for one parameter set: a flat, trivially copyable
// struct that the host fills from a validated scenario and both backends read.
// Units are in the names or beside them; rates are per year, times in years
// since cohort entry (diagnosis), ages in years, costs in the scenario's
// currency, utilities on the QALY scale.
#pragma once

#include <cstdint>
#include <type_traits>

namespace scls {

inline constexpr int kMaxRegimens = 8;           // regimen 0 is always "none"
inline constexpr int kMaxStrategies = 8;
inline constexpr int kMaxResponseClasses = 3;
inline constexpr int kMaxAdverseEventTypes = 4;  // per regimen
inline constexpr int kMaxEscalationAttacks = 8;  // largest k in "escalate after k attacks"
inline constexpr int kLifeTableAges = 121;       // single years 0..120; age 120's hazard continues beyond
inline constexpr int kNoRegimen = -1;
inline constexpr double kNeverTime = __builtin_huge_val();  // an event that does not happen

enum class Severity : int { mild = 0, ward = 1, icu = 2 };
inline constexpr int kSeverities = 3;

enum class Complication : int { compartment_syndrome = 0, renal_replacement = 1, thrombosis_stroke = 2 };
inline constexpr int kComplications = 3;

// Why a simulated life ended. The first four are deaths.
enum class EndReason : int { attack = 0, background = 1, myeloma = 2, adverse_event = 3, horizon = 4 };
inline constexpr int kDeathCauses = 4;

enum class CostCategory : int {
    drug = 0,            // prophylaxis drug
    administration = 1,  // infusions, drug-level monitoring
    attack_care = 2,     // hospital days and admissions for attacks
    complications = 3,   // one-off complication costs
    adverse_events = 4,  // regimen adverse events
    myeloma = 5,         // myeloma care after progression
};
inline constexpr int kCostCategories = 6;

enum class FrailtyKind : int { none = 0, gamma = 1, lognormal = 2 };

struct SeverityParams {
    double share;                   // probability that an attack has this severity
    double death_probability;       // per attack, before the regimen multiplier
    double ward_days_median;        // ward days per attack (lognormal median)
    double icu_days_median;         // ICU days per attack (lognormal median)
    double stay_log_sd;             // log-scale SD of the stay (one draw scales ward and ICU days)
    double cost_per_admission;      // fixed cost per attack (transport, emergency, fluids)
    double qaly_loss;               // QALYs lost per attack (acute disutility)
    double complication_probability[kComplications];
};

struct ComplicationParams {
    double cost;                // one-off
    double extra_ward_days;     // added to the attack's stay
    double utility_decrement;   // permanent, from the attack onwards
};

struct AdverseEventParams {
    double rate_per_year;        // per-infusion probability x infusions per year + per-year rate
    double cost;
    double qaly_loss;            // one-off
    double utility_decrement;    // permanent
    double death_probability;
    double discontinue_probability;  // the event makes the patient stop the regimen
};

struct RegimenParams {
    double drug_cost_per_kg_year;    // price per gram x dose (g/kg) x infusions per year
    double drug_cost_per_year;       // weight-independent drug cost
    double administration_cost_per_year;  // per-infusion costs x infusions + monitoring
    double utility_decrement;        // while on the regimen
    double attack_death_multiplier;  // multiplies death probability per attack
    double discontinuation_rate_per_year;
    int response_slot;               // regimens sharing a slot share the patient's response draws
    int response_classes;
    double response_share[kMaxResponseClasses];
    double attack_rate_ratio[kMaxResponseClasses];         // the class's median rate ratio
    double attack_rate_ratio_log_sd[kMaxResponseClasses];  // spread of patients' ratios around it (0: all at the median)
    double max_attack_rate_ratio;        // a drawn ratio is capped here (1: the regimen never raises the rate)
    double loss_of_response_rate_per_year;  // hazard, while on the regimen, of losing the response
    double lost_attack_rate_ratio;       // the rate ratio once the response is lost
    double severity_cumulative[kSeverities];  // severity distribution of attacks on this regimen, as a CDF
    int adverse_event_types;
    double adverse_event_rate_per_year;  // sum over types
    AdverseEventParams adverse_event[kMaxAdverseEventTypes];
};

// A policy: a starting regimen and rules keyed by the current regimen.
struct StrategyParams {
    int start_regimen;
    int start_after_attacks;  // 0 = from diagnosis; n = at the n-th attack
    int escalate_to[kMaxRegimens];               // kNoRegimen = no rule
    int escalate_after_attacks[kMaxRegimens];    // k breakthrough attacks on the regimen ...
    double escalate_window_years[kMaxRegimens];  // ... within this window
    int deescalate_to[kMaxRegimens];
    double deescalate_after_years[kMaxRegimens];  // attack-free time on the regimen
    int on_discontinuation[kMaxRegimens];
};

struct ModelParams {
    // Population at entry.
    double male_share;
    double age_mean_years, age_sd_years, age_min_years, age_max_years;
    double weight_mean_kg[2], weight_sd_kg[2];  // [female, male]
    double weight_min_kg, weight_max_kg;
    // The standard normal CDF at the truncation bounds of age and of weight
    // [female, male]: they depend on the parameters only, so the host works
    // them out once (truncation_cdf) instead of once per patient.
    double age_cdf_lower, age_cdf_upper;
    double weight_cdf_lower[2], weight_cdf_upper[2];
    double mgus_share;

    // Attacks.
    double attack_rate_per_year;  // for a patient with multiplier z = 1 off prophylaxis
    FrailtyKind frailty_kind;
    double frailty_parameter;     // gamma: shape (variance 1/shape); lognormal: sigma (median 1)
    SeverityParams severity[kSeverities];
    ComplicationParams complication[kComplications];
    double ward_day_cost, icu_day_cost;

    // Background mortality: hazard per year of age [female, male], and the
    // cumulative hazard at each integer age (index a = integral from 0 to a).
    double background_hazard[2][kLifeTableAges];
    double background_cumulative_hazard[2][kLifeTableAges + 1];

    // MGUS progression to multiple myeloma.
    double myeloma_rate_per_year;
    double myeloma_excess_death_rate_per_year;
    double myeloma_cost_per_year;
    double myeloma_utility_decrement;

    // Baseline utility u = intercept + male*male + age*a + age_squared*a^2.
    double utility_intercept, utility_male, utility_age, utility_age_squared;

    // Continuous discount rates, ln(1 + annual rate).
    double discount_rate_costs, discount_rate_effects;

    double horizon_age_years;
    int months_in_grid;  // monthly grid covers [0, months_in_grid] months of follow-up

    // Pathway: the cohort enters at disease onset or at diagnosis; attacks
    // before diagnosis (and before prophylaxis can start) are untreated.
    bool starts_at_onset;
    double diagnosis_delay_median_years;  // onset to diagnosis, lognormal
    double diagnosis_delay_log_sd;
    double diagnosis_delay_rate_correlation;  // corr(log delay, -log z): frequent attackers are diagnosed sooner
    bool diagnosed_in_attack;                 // the diagnosis is made in an (untreated) attack at the delay's end
    double treatment_delay_years;         // diagnosis to the first prophylaxis
    std::uint32_t ever_treated_mask;      // bit r: regimen r counts as treatment for as-treated groups
    double as_treated_within_years;       // ... if started within this time of diagnosis (a registry's follow-up)
    bool diagnosis_curves;                // tally survival from diagnosis (by as-treated group)
    double observed_rate_min_years;       // shortest untreated follow-up whose observed attack rate is tallied
    double within_patient_window_years;   // follow-up on prophylaxis of the before/after comparison (infinity: all)

    int regimens;
    RegimenParams regimen[kMaxRegimens];
    int strategies;
    int comparator;
    StrategyParams strategy[kMaxStrategies];
};

static_assert(std::is_trivially_copyable_v<ModelParams>, "ModelParams must be trivially copyable for device use");

}  // namespace scls
