// What each simulated lifetime contributes to the outputs, and where.
//
// Everything a lifetime adds is an integer: counters, histogram entries, and
// the limbs of its real values' exact sums and sums of squares
// (kernels/core/exact_sum.hpp). Integer sums are the same in any order, so
// results do not depend on threads, schedules, batch sizes, ranks or lanes.
#pragma once

#include <cstdint>

#include "kernels/core/atomics.hpp"
#include "kernels/core/exact_sum.hpp"
#include "kernels/core/exact_sum_lanes.hpp"
#include "kernels/core/macros.hpp"
#include "kernels/model/lifetime.hpp"
#include "kernels/model/params.hpp"

namespace scls {

inline constexpr int kPatientsPerBlock = 256;
inline constexpr int kAttackCountBins = 101;  // 0..99 attacks, last bin 100 or more
// Observed untreated attack rates per patient, on a log scale: bin 0 holds
// rate 0; bins 1..kObservedRateDecades*kObservedRateBinsPerDecade cover
// [kObservedRateLowest, kObservedRateLowest x 10^decades) per year, evenly in
// log10; the last bin holds faster rates (and bin 1 slower nonzero ones).
inline constexpr double kObservedRateLowest = 0.01;
inline constexpr int kObservedRateDecades = 4;
inline constexpr int kObservedRateBinsPerDecade = 10;
inline constexpr int kObservedRateBins = kObservedRateDecades * kObservedRateBinsPerDecade + 2;

namespace detail {
// The bins' upper edges after the first, 10^(j/10) for j = 1..40 in units of
// kObservedRateLowest (scripts/math_tables.py): the host bins by comparing
// with them instead of by libm's log10, whose last bit depends on the
// machine (it calls glibc's FMA or plain log).
inline constexpr int kObservedRateEdgeCount = kObservedRateDecades * kObservedRateBinsPerDecade;
inline constexpr double kObservedRateEdges[kObservedRateEdgeCount] = {
    1.2589254117941673, 1.5848931924611134, 1.9952623149688795, 2.51188643150958,
    3.1622776601683795, 3.9810717055349727, 5.011872336272723, 6.3095734448019325,
    7.943282347242815, 10.0, 12.589254117941673, 15.848931924611135,
    19.952623149688797, 25.118864315095802, 31.622776601683793, 39.81071705534973,
    50.11872336272723, 63.09573444801932, 79.43282347242815, 100.0,
    125.89254117941672, 158.48931924611134, 199.52623149688796, 251.188643150958,
    316.22776601683796, 398.10717055349727, 501.1872336272723, 630.9573444801932,
    794.3282347242815, 1000.0, 1258.9254117941673, 1584.8931924611136,
    1995.2623149688795, 2511.8864315095802, 3162.2776601683795, 3981.0717055349724,
    5011.872336272723, 6309.573444801932, 7943.282347242815, 10000.0,
};
}  // namespace detail

// Per-patient real values, per strategy.
enum class Value : int {
    cost_first = 0,  // kCostCategories entries, in CostCategory order
    cost_total = kCostCategories,
    qalys,
    life_years_discounted,
    life_years,
    attacks,
    attacks_times_life_years,  // cross moment, for the SE of attacks per patient-year
    increment_cost,    // against the comparator, same patient
    increment_qalys,
    increment_life_years_discounted,
    regimen_years_first,  // kMaxRegimens entries; stays last (values_in_use)
};
inline constexpr int kValuesPerStrategy = static_cast<int>(Value::regimen_years_first) + kMaxRegimens;
inline constexpr int kMomentsPerStrategy = 2 * kValuesPerStrategy;  // on the host: sum, then sum of squares

// The inverse of each Value's quantum in its exact sums (exact_sum.hpp): money
// to 2^-8 of a currency unit (range 1.8e16, enough for any price the scenario
// bounds allow over a lifetime), the rest to 2^-24 (range 2.7e11).
SCLS_FUNCTION constexpr double value_scale(int value)
{
    const bool money = value <= static_cast<int>(Value::cost_total) || value == static_cast<int>(Value::increment_cost);
    return money ? 256.0 : 16777216.0;
}

// The CPU adds a lifetime's values in groups of lanes (exact_sum_lanes.hpp):
// its values array has room for whole groups, the slots past the last value
// zero.
inline constexpr int kValueGroups = (kValuesPerStrategy + kValuesPerLimbGroup - 1) / kValuesPerLimbGroup;
inline constexpr int kValueSlots = kValueGroups * kValuesPerLimbGroup;
struct ValueScales {
    double of[kValueSlots];
};
constexpr ValueScales value_scales()
{
    ValueScales scales{};
    for (int v = 0; v < kValueSlots; ++v) {
        scales.of[v] = v < kValuesPerStrategy ? value_scale(v) : 1.0;
    }
    return scales;
}

// Per-strategy integer counters.
enum class Counter : int {
    patients = 0,
    attacks_first,  // kSeverities
    deaths_first = attacks_first + kSeverities,  // kDeathCauses, in EndReason order
    alive_at_horizon = deaths_first + kDeathCauses,
    complications_first,  // kComplications
    adverse_events = complications_first + kComplications,
    switches,
    discontinuations,
    escalations,
    deescalations,
    myeloma_onsets,
    patients_with_attack,
    attacks_on_regimen_first,  // kMaxRegimens: attacks by the regimen the patient was on
    // The pathway (identical under every strategy for a cohort entering at
    // onset: nothing before diagnosis depends on the strategy).
    alive_at_diagnosis = attacks_on_regimen_first + kMaxRegimens,
    deaths_before_diagnosis,
    attacks_before_diagnosis,
    ever_treated,  // alive at diagnosis and, at some time, on a regimen of [cohort] ever_treated
    // A case series sees diagnosed patients only: their attacks over the whole
    // course (the onset attack and those before diagnosis too), and which of
    // them died in an attack.
    attacks_of_diagnosed,
    attack_deaths_of_diagnosed,
    // Before and on prophylaxis in the same patients (those who started one):
    // attacks and follow-up (whole days) before the first prophylaxis, and from it on.
    treated_patients,
    attacks_before_treatment,
    days_before_treatment,
    attacks_on_treatment,
    days_on_treatment,
    // Lifetimes with a real value the exact sums cannot hold (non-finite, or
    // beyond 2^62 quanta, value_scale): the host refuses such results.
    values_out_of_range,
};
inline constexpr int kCounters = static_cast<int>(Counter::values_out_of_range) + 1;
// The leading part of a strategy's tally, which a lifetime adds through
// tally_lifetime: the counters, then kLimbsPerValue limbs per Value.
inline constexpr int kMomentLimbsFirst = kCounters;
inline constexpr int kBlockTallies = kMomentLimbsFirst + kValuesPerStrategy * kLimbsPerValue;

// As-treated groups of the patients alive at diagnosis, for survival from diagnosis.
enum class AsTreated : int { ever = 0, never = 1 };
inline constexpr int kAsTreatedGroups = 2;

// Layout of one strategy's integer tally: counters, moment limbs, then monthly histograms;
// with diagnosis curves, deaths and censorings by month since diagnosis for
// each as-treated group last.
struct CountLayout {
    int months_in_grid;
    bool diagnosis_curves = false;
    double observed_rate_min_years = 1.0;  // shortest untreated follow-up whose attack rate is tallied
    SCLS_FUNCTION int month_bins() const { return months_in_grid + 1; }
    SCLS_FUNCTION int deaths_by_month() const { return kBlockTallies; }
    SCLS_FUNCTION int censored_by_month() const { return deaths_by_month() + month_bins(); }
    SCLS_FUNCTION int first_attack_by_month() const { return censored_by_month() + month_bins(); }
    SCLS_FUNCTION int attack_free_censored_by_month() const { return first_attack_by_month() + month_bins(); }
    SCLS_FUNCTION int attacks_per_patient() const { return attack_free_censored_by_month() + month_bins(); }
    SCLS_FUNCTION int observed_rates() const { return attacks_per_patient() + kAttackCountBins; }
    SCLS_FUNCTION int deaths_since_diagnosis_by_month(AsTreated group) const
    {
        return observed_rates() + kObservedRateBins + 2 * static_cast<int>(group) * month_bins();
    }
    SCLS_FUNCTION int censored_since_diagnosis_by_month(AsTreated group) const
    {
        return deaths_since_diagnosis_by_month(group) + month_bins();
    }
    SCLS_FUNCTION int per_strategy() const
    {
        return observed_rates() + kObservedRateBins + (diagnosis_curves ? 2 * kAsTreatedGroups * month_bins() : 0);
    }
    SCLS_FUNCTION int month_of(double t) const
    {
        const double month = t * kMonthsPerYear;
        return month >= months_in_grid ? months_in_grid : static_cast<int>(month);
    }
};

// The comparator strategy's outcomes for the same patient, for paired increments.
struct PairedBase {
    double cost_total;
    double qalys;
    double life_years_discounted;
};

SCLS_FUNCTION SCLS_FORCEINLINE PairedBase paired_base(const LifetimeOutcome& o)
{
    return PairedBase{o.total_cost(), o.qalys, o.life_years_discounted};
}

// The real values of one lifetime, in Value order.
SCLS_FUNCTION inline void lifetime_values(const LifetimeOutcome& o, const PairedBase& comparator, double* values)
{
    for (int c = 0; c < kCostCategories; ++c) {
        values[static_cast<int>(Value::cost_first) + c] = o.cost[c];
    }
    values[static_cast<int>(Value::cost_total)] = o.total_cost();
    values[static_cast<int>(Value::qalys)] = o.qalys;
    values[static_cast<int>(Value::life_years_discounted)] = o.life_years_discounted;
    values[static_cast<int>(Value::life_years)] = o.life_years;
    values[static_cast<int>(Value::attacks)] = o.attacks();
    values[static_cast<int>(Value::attacks_times_life_years)] = o.attacks() * o.life_years;
    values[static_cast<int>(Value::increment_cost)] = o.total_cost() - comparator.cost_total;
    values[static_cast<int>(Value::increment_qalys)] = o.qalys - comparator.qalys;
    values[static_cast<int>(Value::increment_life_years_discounted)] =
        o.life_years_discounted - comparator.life_years_discounted;
    for (int r = 0; r < kMaxRegimens; ++r) {
        values[static_cast<int>(Value::regimen_years_first) + r] = o.regimen_years[r];
    }
}

SCLS_FUNCTION SCLS_FORCEINLINE std::uint32_t whole_days(double years)
{
    return static_cast<std::uint32_t>(years * kDaysPerYear + 0.5);  // lifetimes are far below 2^32 days
}

// The lower edge of observed-rate bin 1..kObservedRateBins-1, per year (host).
inline double observed_rate_lower_edge(int bin)
{
    return bin <= 1 ? kObservedRateLowest : kObservedRateLowest * detail::kObservedRateEdges[bin - 2];
}

// The bin of an observed attack rate (attacks over years of observation).
SCLS_FUNCTION inline int observed_rate_bin(std::uint32_t attacks, double years)
{
    if (attacks == 0) {
        return 0;
    }
    const double rate_in_lowest = attacks / (years * kObservedRateLowest);
#if SCLS_DEVICE_PASS
    const double position = log10(rate_in_lowest) * kObservedRateBinsPerDecade;
    const int last = kObservedRateBins - 1;
    return position < 0.0 ? 1 : position >= last - 1 ? last : 1 + static_cast<int>(position);
#else
    // 1 + the number of edges at or below the rate, by binary search.
    static_assert(detail::kObservedRateEdgeCount < 64, "the search's first step is 32");
    int below = 0;
    for (int step = 32; step > 0; step /= 2) {
        if (below + step <= detail::kObservedRateEdgeCount && rate_in_lowest >= detail::kObservedRateEdges[below + step - 1]) {
            below += step;
        }
    }
    return 1 + below;
#endif
}

// Reached diagnosis alive (a cohort entering at diagnosis: everybody). A life
// that ends before diagnosis ends in death, or at the horizon undiagnosed.
SCLS_FUNCTION SCLS_FORCEINLINE bool alive_at_diagnosis(const LifetimeOutcome& o) { return o.end_time >= o.diagnosis_time; }

// On a regimen of [cohort] ever_treated within as_treated_within_years of
// diagnosis: treated as a registry saw it by the end of its follow-up.
SCLS_FUNCTION SCLS_FORCEINLINE bool ever_treated(const LifetimeOutcome& o, const ModelParams& p)
{
    return o.ever_treated_time < kInfinity && o.ever_treated_time <= o.diagnosis_time + p.as_treated_within_years;
}

// Adds one lifetime's counters through add(index, amount), every index once
// and in the same order whatever the outcome (no add behind a branch): a
// plain add into a thread's own tallies on the CPU, a sum across a warp's
// lanes on the GPU, where every lane of a group must add the same indices. The
// before/after comparison follows each patient on prophylaxis for at most
// p.within_patient_window_years (infinity: to the end of follow-up).
template <class Add>
SCLS_FUNCTION inline void count_lifetime(const LifetimeOutcome& o, const ModelParams& p, Add&& add)
{
    add(static_cast<int>(Counter::patients), 1u);
    for (int s = 0; s < kSeverities; ++s) {
        add(static_cast<int>(Counter::attacks_first) + s, o.attacks_by_severity[s]);
    }
    add(static_cast<int>(Counter::alive_at_horizon), o.end_reason == EndReason::horizon ? 1u : 0u);
    for (int cause = 0; cause < kDeathCauses; ++cause) {
        add(static_cast<int>(Counter::deaths_first) + cause, static_cast<int>(o.end_reason) == cause ? 1u : 0u);
    }
    for (int c = 0; c < kComplications; ++c) {
        add(static_cast<int>(Counter::complications_first) + c, o.complications[c]);
    }
    add(static_cast<int>(Counter::adverse_events), o.adverse_events);
    add(static_cast<int>(Counter::switches), o.switches);
    add(static_cast<int>(Counter::discontinuations), o.discontinuations);
    add(static_cast<int>(Counter::escalations), o.escalations);
    add(static_cast<int>(Counter::deescalations), o.deescalations);
    add(static_cast<int>(Counter::myeloma_onsets), o.myeloma_onset ? 1u : 0u);
    add(static_cast<int>(Counter::patients_with_attack), o.attacks() > 0 ? 1u : 0u);
    for (int r = 0; r < p.regimens; ++r) {  // the scenario's regimens: the empty slots stay zero
        add(static_cast<int>(Counter::attacks_on_regimen_first) + r, o.attacks_on_regimen[r]);
    }
    const bool diagnosed = alive_at_diagnosis(o);
    add(static_cast<int>(Counter::alive_at_diagnosis), diagnosed ? 1u : 0u);
    add(static_cast<int>(Counter::deaths_before_diagnosis), !diagnosed && o.end_reason != EndReason::horizon ? 1u : 0u);
    add(static_cast<int>(Counter::attacks_before_diagnosis), o.attacks_before_diagnosis);
    add(static_cast<int>(Counter::ever_treated), diagnosed && ever_treated(o, p) ? 1u : 0u);
    add(static_cast<int>(Counter::attacks_of_diagnosed), diagnosed ? o.attacks() + (p.starts_at_onset ? 1u : 0u) : 0u);
    add(static_cast<int>(Counter::attack_deaths_of_diagnosed), diagnosed && o.end_reason == EndReason::attack ? 1u : 0u);
    const bool treated = o.treatment_start_time < kInfinity;
    add(static_cast<int>(Counter::treated_patients), treated ? 1u : 0u);
    add(static_cast<int>(Counter::attacks_before_treatment), treated ? o.untreated_attacks : 0u);
    add(static_cast<int>(Counter::days_before_treatment), treated ? whole_days(o.treatment_start_time) : 0u);
    add(static_cast<int>(Counter::attacks_on_treatment), treated ? o.window_attacks : 0u);
    add(static_cast<int>(Counter::days_on_treatment),
        treated ? whole_days(min_of(o.end_time - o.treatment_start_time, p.within_patient_window_years)) : 0u);
}

// The values a lifetime of this scenario can make other than zero: all but
// the years on regimen slots the scenario leaves empty (the last values).
SCLS_FUNCTION SCLS_FORCEINLINE int values_in_use(const ModelParams& p)
{
    return static_cast<int>(Value::regimen_years_first) + p.regimens;
}

// count_lifetime, then whether any of the lifetime's values was out of range.
template <class AddCount>
SCLS_FUNCTION SCLS_FORCEINLINE void count_lifetime_and_range(const LifetimeOutcome& o, const ModelParams& p, std::uint32_t out_of_range,
                                                             AddCount&& add_count)
{
    count_lifetime(o, p, add_count);
    add_count(static_cast<int>(Counter::values_out_of_range), out_of_range > 0 ? 1u : 0u);
}

// Adds the limbs of one lifetime's first `values` real values (in Value
// order) through add_limb(index, digit): every index of the values' limbs
// once, in order, whatever the values (a GPU warp sums them lane by lane; a
// zero adds zeros). Returns how many values were out of range. The CPU adds
// the same digits in vector registers instead (exact_sum_lanes.hpp).
template <class AddLimb>
SCLS_FUNCTION inline std::uint32_t add_value_limbs(const double* values, int count, AddLimb&& add_limb)
{
    std::uint32_t out_of_range = 0;
    for (int v = 0; v < count; ++v) {
        std::uint32_t digits[kLimbsPerValue];
        out_of_range += value_digits(values[v], value_scale(v), digits) ? 0u : 1u;
        for (int limb = 0; limb < kLimbsPerValue; ++limb) {
            add_limb(kMomentLimbsFirst + v * kLimbsPerValue + limb, digits[limb]);
        }
    }
    return out_of_range;
}

// A lifetime's counters (through add_count) and the limbs of the real values
// the scenario's regimens can make nonzero (through add_limb); its histogram
// entries go through histogram_lifetime.
template <class AddCount, class AddLimb>
SCLS_FUNCTION inline void tally_lifetime(const LifetimeOutcome& o, const double* values, const ModelParams& p, AddCount&& add_count,
                                         AddLimb&& add_limb)
{
    const std::uint32_t out_of_range = add_value_limbs(values, values_in_use(p), add_limb);
    count_lifetime_and_range(o, p, out_of_range, add_count);
}

// One histogram entry per curve, through add(index) (index within the
// strategy's tally): survival (death or censoring month), attack-free
// survival (first attack, or censoring at death/horizon), and attacks per
// patient. Survival curves are suffix sums of these on the host.
template <class Add>
SCLS_FUNCTION inline void histogram_lifetime(const LifetimeOutcome& o, const CountLayout& layout, const ModelParams& p, Add&& add)
{
    const bool died = o.end_reason != EndReason::horizon;
    add((died ? layout.deaths_by_month() : layout.censored_by_month()) + layout.month_of(o.end_time));
    const bool attacked = o.first_attack_time < kInfinity;
    add((attacked ? layout.first_attack_by_month() : layout.attack_free_censored_by_month()) +
        layout.month_of(attacked ? o.first_attack_time : o.end_time));
    const std::uint32_t attacks = o.attacks();
    add(layout.attacks_per_patient() + (attacks < kAttackCountBins - 1 ? static_cast<int>(attacks) : kAttackCountBins - 1));
    // The untreated attack rate a study would have observed: attacks over the
    // follow-up before any prophylaxis, for diagnosed patients (a study knows
    // no others) observed long enough.
    const double untreated_years = min_of(o.treatment_start_time, o.end_time);
    if (untreated_years >= layout.observed_rate_min_years && alive_at_diagnosis(o)) {
        add(layout.observed_rates() + observed_rate_bin(o.untreated_attacks, untreated_years));
    }
    if (layout.diagnosis_curves && alive_at_diagnosis(o)) {
        const AsTreated group = ever_treated(o, p) ? AsTreated::ever : AsTreated::never;
        add((died ? layout.deaths_since_diagnosis_by_month(group) : layout.censored_since_diagnosis_by_month(group)) +
            layout.month_of(o.end_time - o.diagnosis_time));
    }
}

// Strategy visited at position i: the comparator first, so that its outcome
// is at hand for the paired increments of the others.
SCLS_FUNCTION SCLS_FORCEINLINE int strategy_at(int position, int comparator)
{
    return position == 0 ? comparator : (position <= comparator ? position - 1 : position);
}

// Everything a launch needs to locate work and results.
struct LaunchGeometry {
    std::uint64_t seed;
    std::uint32_t parameter_sets;  // sets in this launch
    std::uint32_t first_set;       // run-wide index of the launch's set 0 (a rank's share of a distributed run)
    std::uint32_t patients_per_set;
    std::uint32_t blocks_per_set;  // ceil(patients_per_set / kPatientsPerBlock)
    int strategies;
    CountLayout layout;
    bool same_patients_every_set;  // true: every set replays set 0's patient streams (common random numbers across sets)

    SCLS_FUNCTION std::uint32_t stream_set(std::uint32_t parameter_set) const
    {
        return same_patients_every_set ? 0u : first_set + parameter_set;
    }

    // The random streams of a patient of a set of this launch.
    SCLS_FUNCTION StreamKey stream_key(std::uint32_t parameter_set, std::uint32_t patient) const
    {
        return StreamKey{seed, stream_set(parameter_set), patient};
    }

    SCLS_FUNCTION int moments_per_set() const { return strategies * kMomentsPerStrategy; }
    SCLS_FUNCTION std::uint64_t total_blocks() const
    {
        return static_cast<std::uint64_t>(parameter_sets) * blocks_per_set;
    }
    SCLS_FUNCTION int counts_per_set() const { return strategies * layout.per_strategy(); }
};

}  // namespace scls
