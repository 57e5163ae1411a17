// Derived statistics (see summary.hpp).
#include "host/engine/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/core/exponential.hpp"

namespace scls {

Estimate estimate_from_moments(double sum, double sum_of_squares, double n)
{
    if (n <= 0.0) {
        return {};
    }
    const double mean = sum / n;
    if (n < 2.0) {
        return {mean, 0.0};
    }
    const double variance = std::max(0.0, (sum_of_squares - n * mean * mean) / (n - 1.0));
    return {mean, std::sqrt(variance / n)};
}

Curve kaplan_meier(const std::uint64_t* events, const std::uint64_t* censored, int bins, std::uint64_t patients)
{
    std::vector<double> d(events, events + bins), c(censored, censored + bins);
    return kaplan_meier(d.data(), c.data(), bins, static_cast<double>(patients));
}

Curve kaplan_meier(const double* events, const double* censored, int bins, double patients)
{
    Curve curve;
    curve.value.assign(bins + 1, 1.0);
    curve.se.assign(bins + 1, 0.0);
    double at_risk = patients;
    double survival = 1.0;
    double greenwood = 0.0;
    for (int j = 0; j < bins; ++j) {
        const double d = events[j];
        const double c = censored[j];
        const double effective = at_risk - 0.5 * c;
        if (effective > 0.0 && d > 0.0) {
            survival *= 1.0 - d / effective;
            if (effective > d) {
                greenwood += d / (effective * (effective - d));
            }
        }
        at_risk -= d + c;
        curve.value[j + 1] = survival;
        curve.se[j + 1] = survival * std::sqrt(greenwood);
    }
    return curve;
}

Estimate curve_at_years(const Curve& curve, double years)
{
    const double month = years * 12.0;
    const int last = static_cast<int>(curve.value.size()) - 1;
    if (!(month >= 0.0) || month > last) {
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    }
    const int below = std::min(static_cast<int>(month), last);
    const int above = std::min(below + 1, last);
    const double weight = month - below;
    return {curve.value[below] + weight * (curve.value[above] - curve.value[below]),
            curve.se[below] + weight * (curve.se[above] - curve.se[below])};
}

Estimate StrategySummary::survival_at_years(double years) const { return curve_at_years(survival, years); }

Estimate StrategySummary::attack_free_at_years(double years) const { return curve_at_years(attack_free, years); }

Estimate binomial_share(std::uint64_t count, std::uint64_t of)
{
    const double n = static_cast<double>(of);
    const double p = n > 0 ? static_cast<double>(count) / n : 0.0;
    return {p, n > 0 ? std::sqrt(p * (1.0 - p) / n) : 0.0};
}

const std::vector<CountedField>& counted_fields()
{
    using S = StrategySummary;
    static const std::vector<CountedField> fields{
        {Counter::adverse_events, &S::adverse_events, "adverse_events", "events", "regimen adverse events"},
        {Counter::switches, &S::switches, "switches", "events", "regimen switches of any kind"},
        {Counter::discontinuations, &S::discontinuations, "discontinuations", "events", "regimen discontinuations"},
        {Counter::escalations, &S::escalations, "escalations", "events", "escalations after breakthrough attacks"},
        {Counter::deescalations, &S::deescalations, "deescalations", "events", "de-escalations after attack-free time"},
        {Counter::myeloma_onsets, &S::myeloma_onsets, "myeloma_onsets", "events", "progressions of MGUS to myeloma"},
        {Counter::patients_with_attack, &S::patients_with_attack, "patients_with_attack", "patients", "patients with at least one attack"},
        {Counter::alive_at_diagnosis, &S::alive_at_diagnosis, "alive_at_diagnosis", "patients",
         "patients alive at diagnosis (everybody when the cohort enters at diagnosis)"},
        {Counter::deaths_before_diagnosis, &S::deaths_before_diagnosis, "deaths_before_diagnosis", "patients",
         "patients who died between onset and diagnosis"},
        {Counter::attacks_before_diagnosis, &S::attacks_before_diagnosis, "attacks_before_diagnosis", "attacks",
         "attacks between onset and diagnosis (all untreated)"},
        {Counter::ever_treated, &S::ever_treated, "ever_treated", "patients",
         "patients alive at diagnosis who were ever on a regimen of [cohort] ever_treated"},
        {Counter::attacks_of_diagnosed, &S::attacks_of_diagnosed, "attacks_of_diagnosed", "attacks",
         "attacks of the patients alive at diagnosis, over their whole course (the onset attack and those before diagnosis too)"},
        {Counter::attack_deaths_of_diagnosed, &S::attack_deaths_of_diagnosed, "attack_deaths_of_diagnosed", "patients",
         "patients alive at diagnosis who later died in an attack (the one they were diagnosed in too)"},
        {Counter::treated_patients, &S::treated_patients, "treated_patients", "patients", "patients who started a prophylaxis"},
        {Counter::attacks_before_treatment, &S::attacks_before_treatment, "attacks_before_treatment", "attacks",
         "attacks before the first prophylaxis, of the patients who started one"},
        {Counter::days_before_treatment, &S::days_before_treatment, "days_before_treatment", "days",
         "follow-up before the first prophylaxis (whole days per patient), of the patients who started one"},
        {Counter::attacks_on_treatment, &S::attacks_on_treatment, "attacks_on_treatment", "attacks",
         "attacks from the first prophylaxis on, of the patients who started one"},
        {Counter::days_on_treatment, &S::days_on_treatment, "days_on_treatment", "days",
         "follow-up from the first prophylaxis on (whole days per patient), of the patients who started one"},
    };
    return fields;
}

namespace {

// 10^(x / kObservedRateBinsPerDecade): x bins up the log scale, as e^(x ln10
// / bins) with the host's own e^x (libm's pow has FMA and plain builds whose
// last bits differ).
double bins_up_the_log_scale(double x) { return exponential(x * (2.302585092994046 / kObservedRateBinsPerDecade)); }

// Kaplan-Meier over the grid with one point per month 0..months.
Curve monthly_curve(const std::uint64_t* events, const std::uint64_t* censored, int bins, std::uint64_t patients)
{
    Curve curve = kaplan_meier(events, censored, bins, patients);
    curve.value.resize(bins);
    curve.se.resize(bins);
    return curve;
}

}  // namespace

Estimate StrategySummary::death_share(int cause) const { return binomial_share(deaths[cause], patients); }

Estimate StrategySummary::deaths_before_diagnosis_share() const { return binomial_share(deaths_before_diagnosis, patients); }

double observed_rate_at(const std::vector<std::uint64_t>& histogram, double q)
{
    double total = 0.0;
    for (std::uint64_t count : histogram) {
        total += static_cast<double>(count);
    }
    if (total <= 0.0 || !(q >= 0.0 && q <= 1.0)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double wanted = q * total;
    double below = 0.0;
    for (int bin = 0; bin < static_cast<int>(histogram.size()); ++bin) {
        const double count = static_cast<double>(histogram[bin]);
        if (below + count < wanted || count == 0.0) {
            below += count;
            continue;
        }
        if (bin == 0) {
            return 0.0;  // patients with no attack while observed
        }
        const int last = kObservedRateBins - 1;
        const double fraction = bin == last ? 0.0 : (wanted - below) / count;
        // The bin's lower edge (tabulated) times the way through it, on the log scale.
        return observed_rate_lower_edge(std::min(bin, last)) * bins_up_the_log_scale(fraction);
    }
    return observed_rate_lower_edge(kObservedRateBins - 1);
}

Estimate StrategySummary::observed_rate_quantile(double q) const
{
    double n = 0.0;
    for (std::uint64_t count : observed_rate_histogram) {
        n += static_cast<double>(count);
    }
    const double value = observed_rate_at(observed_rate_histogram, q);
    if (!(n > 0.0)) {
        return {value, std::numeric_limits<double>::quiet_NaN()};
    }
    // SE of a sample quantile: the spread of the quantiles one binomial SE of q either side.
    const double step = std::sqrt(q * (1.0 - q) / n);
    const double lower = observed_rate_at(observed_rate_histogram, std::max(0.0, q - step));
    const double upper = observed_rate_at(observed_rate_histogram, std::min(1.0, q + step));
    return {value, 0.5 * (upper - lower)};
}

Estimate StrategySummary::within_patient_rate_ratio() const
{
    const double before_years = static_cast<double>(days_before_treatment) / kDaysPerYear;
    const double on_years = static_cast<double>(days_on_treatment) / kDaysPerYear;
    const double before = static_cast<double>(attacks_before_treatment), on = static_cast<double>(attacks_on_treatment);
    if (!(before_years > 0.0 && on_years > 0.0 && before > 0.0)) {
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    }
    const double ratio = (on / on_years) / (before / before_years);
    // Poisson counts on both sides (an understatement when patients' rates differ).
    return {ratio, ratio * std::sqrt((on > 0.0 ? 1.0 / on : 0.0) + 1.0 / before)};
}

Estimate StrategySummary::survival_since_diagnosis_at_years(double years, const AsTreated* group) const
{
    return curve_at_years(group ? survival_since_diagnosis_by_group[static_cast<int>(*group)] : survival_since_diagnosis, years);
}

std::uint64_t StrategySummary::total_deaths() const
{
    std::uint64_t total = 0;
    for (int c = 0; c < kDeathCauses; ++c) {
        total += deaths[c];
    }
    return total;
}

std::uint64_t StrategySummary::total_attacks() const
{
    std::uint64_t total = 0;
    for (int k = 0; k < kSeverities; ++k) {
        total += attacks[k];
    }
    return total;
}

std::vector<StrategySummary> summarize(const Scenario& scenario, const RunResult& result, std::uint32_t parameter_set)
{
    const LaunchGeometry& g = result.geometry;
    const CountLayout& layout = g.layout;
    std::vector<StrategySummary> out(g.strategies);
    for (int s = 0; s < g.strategies; ++s) {
        StrategySummary& sum = out[s];
        sum.name = scenario.strategy_names[s];
        sum.label = scenario.strategy_labels[s];
        const std::uint64_t* c =
            result.counts.data() + static_cast<std::size_t>(parameter_set) * g.counts_per_set() + s * layout.per_strategy();
        const double* m = result.moments.data() + static_cast<std::size_t>(parameter_set) * g.moments_per_set() +
                          s * kMomentsPerStrategy;
        sum.patients = c[static_cast<int>(Counter::patients)];
        const double n = static_cast<double>(sum.patients);
        auto value = [&](Value v) { return estimate_from_moments(m[2 * static_cast<int>(v)], m[2 * static_cast<int>(v) + 1], n); };
        auto value_at = [&](int index) { return estimate_from_moments(m[2 * index], m[2 * index + 1], n); };
        for (int k = 0; k < kCostCategories; ++k) {
            sum.cost[k] = value_at(static_cast<int>(Value::cost_first) + k);
        }
        sum.cost_total = value(Value::cost_total);
        sum.qalys = value(Value::qalys);
        sum.life_years_discounted = value(Value::life_years_discounted);
        sum.life_years = value(Value::life_years);
        sum.attacks_per_patient = value(Value::attacks);
        sum.increment_cost = value(Value::increment_cost);
        sum.increment_qalys = value(Value::increment_qalys);
        sum.increment_life_years_discounted = value(Value::increment_life_years_discounted);
        sum.person_years = m[2 * static_cast<int>(Value::life_years)];
        for (int r = 0; r < kMaxRegimens; ++r) {
            sum.regimen_years[r] = m[2 * (static_cast<int>(Value::regimen_years_first) + r)];
        }
        // Attacks per patient-year R = sum A / sum L; delta method:
        // Var(R) ~ (Var A - 2 R Cov(A, L) + R^2 Var L) / (n Lbar^2).
        if (n > 1 && sum.person_years > 0) {
            const double a_mean = sum.attacks_per_patient.mean;
            const double l_mean = sum.life_years.mean;
            const double rate = a_mean / l_mean;
            const double var_a = std::max(0.0, (m[2 * static_cast<int>(Value::attacks) + 1] - n * a_mean * a_mean) / (n - 1));
            const double var_l = std::max(0.0, (m[2 * static_cast<int>(Value::life_years) + 1] - n * l_mean * l_mean) / (n - 1));
            const double cov = (m[2 * static_cast<int>(Value::attacks_times_life_years)] - n * a_mean * l_mean) / (n - 1);
            const double var_rate = std::max(0.0, var_a - 2 * rate * cov + rate * rate * var_l) / (n * l_mean * l_mean);
            sum.attacks_per_patient_year = {rate, std::sqrt(var_rate)};
        }
        sum.icer = s == scenario.comparator || sum.increment_qalys.mean == 0.0
                       ? std::numeric_limits<double>::quiet_NaN()
                       : sum.increment_cost.mean / sum.increment_qalys.mean;
        for (int k = 0; k < kSeverities; ++k) {
            sum.attacks[k] = c[static_cast<int>(Counter::attacks_first) + k];
        }
        for (int k = 0; k < kDeathCauses; ++k) {
            sum.deaths[k] = c[static_cast<int>(Counter::deaths_first) + k];
        }
        sum.alive_at_horizon = c[static_cast<int>(Counter::alive_at_horizon)];
        for (int k = 0; k < kComplications; ++k) {
            sum.complications[k] = c[static_cast<int>(Counter::complications_first) + k];
        }
        for (const CountedField& f : counted_fields()) {
            sum.*(f.field) = c[static_cast<int>(f.counter)];
        }
        for (int r = 0; r < kMaxRegimens; ++r) {
            sum.attacks_on_regimen[r] = c[static_cast<int>(Counter::attacks_on_regimen_first) + r];
        }
        const int bins = layout.month_bins();
        sum.survival = monthly_curve(c + layout.deaths_by_month(), c + layout.censored_by_month(), bins, sum.patients);
        sum.attack_free =
            monthly_curve(c + layout.first_attack_by_month(), c + layout.attack_free_censored_by_month(), bins, sum.patients);
        sum.attacks_histogram.assign(c + layout.attacks_per_patient(), c + layout.attacks_per_patient() + kAttackCountBins);
        sum.observed_rate_histogram.assign(c + layout.observed_rates(), c + layout.observed_rates() + kObservedRateBins);
        if (layout.diagnosis_curves) {
            std::vector<std::uint64_t> deaths(bins, 0), censored(bins, 0);
            for (int g = 0; g < kAsTreatedGroups; ++g) {
                const auto group = static_cast<AsTreated>(g);
                const std::uint64_t* d = c + layout.deaths_since_diagnosis_by_month(group);
                const std::uint64_t* k = c + layout.censored_since_diagnosis_by_month(group);
                const std::uint64_t size = group == AsTreated::ever ? sum.ever_treated : sum.alive_at_diagnosis - sum.ever_treated;
                sum.deaths_since_diagnosis[g].assign(d, d + bins);
                sum.censored_since_diagnosis[g].assign(k, k + bins);
                if (size > 0) {  // an empty group has no curve (read as NaN), not one stuck at 1
                    sum.survival_since_diagnosis_by_group[g] = monthly_curve(d, k, bins, size);
                }
                for (int j = 0; j < bins; ++j) {
                    deaths[j] += d[j];
                    censored[j] += k[j];
                }
            }
            sum.survival_since_diagnosis = monthly_curve(deaths.data(), censored.data(), bins, sum.alive_at_diagnosis);
        }
    }
    return out;
}

}  // namespace scls
