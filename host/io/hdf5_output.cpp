// HDF5 output, the only place that talks to HDF5. Every dataset carries
// "units" and "description" attributes and HDF5 dimension labels (h5py shows
// them as dset.dims[i].label), plus an "axes" group with the labels of every
// categorical axis.
#include "host/io/hdf5_output.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "host/io/hdf5_writer.hpp"
#include "kernels/core/math.hpp"

namespace scls {

namespace {

// Root attributes: what made the file, with which settings, how fast.
void write_root_attributes(Hdf5Writer& w, const Scenario& scenario, const RunResult& result, const RunMetadata& meta)
{
    const LaunchGeometry& g = result.geometry;
    using W = Hdf5Writer;
    H5::Group root = w.file().openGroup("/");
    W::string_attribute(root, "format", "sclsim-results");
    // 2: /cea/nmb (was /cea/base/nmb), /cea/psa/draw, EVPPI noise floors,
    // dimension scales with per-group coordinates, extended scenario texts,
    // the pathway (cohort_entry, counts before diagnosis, survival since diagnosis).
    W::scalar_attribute<std::int64_t>(root, "format_version", kOutputFormatVersion);
    W::string_attribute(root, "sclsim_version", meta.version);
    W::string_attribute(root, "git_commit", meta.git_commit);
    W::string_attribute(root, "created_utc", meta.created_utc);
    W::string_attribute(root, "cohort_entry", scenario.params.starts_at_onset ? "onset" : "diagnosis");
    W::string_attribute(root, "command_line", meta.command_line);
    W::string_attribute(root, "title", scenario.title);
    W::string_attribute(root, "scenario_source", scenario.source_name);
    W::string_attribute(root, "currency", scenario.currency);
    W::scalar_attribute<std::int64_t>(root, "price_year", scenario.price_year);
    W::scalar_attribute<std::uint64_t>(root, "seed", scenario.seed);
    W::scalar_attribute<std::uint64_t>(root, "patients_per_set", g.patients_per_set);
    W::scalar_attribute<std::uint64_t>(root, "parameter_sets", g.parameter_sets);
    W::string_attribute(root, "patient_streams", g.same_patients_every_set
                                                     ? "the same patients in every parameter set (stream key set = 0)"
                                                     : "each parameter set has its own patients (stream key includes the set)");
    W::string_attribute(root, "comparator", scenario.strategy_names[scenario.comparator]);
    W::scalar_attribute<double>(root, "discount_rate_costs_annual", scenario.discount_rate_costs_annual);
    W::scalar_attribute<double>(root, "discount_rate_effects_annual", scenario.discount_rate_effects_annual);
    W::string_attribute(root, "discounting", "continuous at ln(1 + annual rate), from cohort entry");
    W::string_attribute(root, "backend", result.backend);
    W::string_attribute(root, "device", result.backend_description);
    W::scalar_attribute<double>(root, "wall_seconds", result.wall_seconds);
    W::scalar_attribute<double>(root, "simulate_seconds", result.simulate_seconds);
    W::scalar_attribute<double>(root, "patient_strategy_lifetimes_per_second", result.lifetimes_per_second());
    W::scalar_attribute<double>(root, "peak_resident_mib", meta.peak_resident_mib);
    W::scalar_attribute<std::int64_t>(root, "processes", meta.processes);
    W::string_attribute(root, "hosts", fmt::format("{}", fmt::join(meta.hosts, ",")));
    W::string_attribute(root, "resumed_from_checkpoint", meta.resumed ? "yes" : "no");

}

// /scenario: the scenario as read, as resolved, and every numeric parameter.
void write_scenario_group(Hdf5Writer& w, const Scenario& scenario)
{
    H5::Group scenario_group = w.group("/scenario");
    w.text(scenario_group, "source_text", scenario.source_text, "the scenario as read, before --set overrides");
    w.text(scenario_group, "effective_text", scenario.effective_text, "the scenario after --set overrides (TOML)");
    std::vector<std::string> extended_names, extended_texts;
    for (const auto& [name, text] : scenario.extended_sources) {
        extended_names.push_back(name);
        extended_texts.push_back(text);
    }
    w.strings(scenario_group, "extended_source_name", extended_names, "every scenario source_text extends: the file it names, then what that one extends",
              "extended");
    w.strings(scenario_group, "extended_source_text", extended_texts,
              "the text of each, as read (its comments hold the sources of inherited values)", "extended");
    std::vector<std::string> overrides;
    for (const auto& o : scenario.overrides) {
        overrides.push_back(o.key + "=" + o.value);
    }
    w.strings(scenario_group, "overrides", overrides, "--set key=value overrides in the order applied", "override");
    std::vector<std::string> names;
    std::vector<double> values;
    for (const auto& [name, value] : scenario.numeric_parameters) {
        names.push_back(name);
        values.push_back(value);
    }
    w.strings(scenario_group, "parameter_names", names, "every numeric parameter of the resolved scenario, dotted path",
              "parameter");
    w.dataset(scenario_group, "parameter_values", {names.size()}, values, {"parameter"}, "as in the scenario",
              "value of each parameter in the scenario (the base case); what varies per set is in /parameter_sets");

}

// /axes: the labels of every categorical axis and the month grid.
void write_axes(Hdf5Writer& w, const Scenario& scenario, hsize_t months)
{
    H5::Group axes = w.group("/axes");
    w.strings(axes, "strategy", scenario.strategy_names, "strategy names (axis 'strategy')");
    w.strings(axes, "strategy_label", scenario.strategy_labels, "strategy descriptions", "strategy");
    w.strings(axes, "regimen", scenario.regimen_names, "regimen names (axis 'regimen')");
    w.strings(axes, "regimen_label", scenario.regimen_labels, "regimen descriptions", "regimen");
    w.strings(axes, "severity", {"mild", "ward", "icu"}, "attack severities (axis 'severity')");
    w.strings(axes, "death_cause", {"attack", "background", "myeloma", "adverse_event"}, "causes of death (axis 'death_cause')");
    w.strings(axes, "cost_category", {"drug", "administration", "attack_care", "complications", "adverse_events", "myeloma"},
              "cost categories (axis 'cost_category')");
    w.strings(axes, "complication", {"compartment_syndrome", "renal_replacement", "thrombosis_stroke"},
              "attack complications (axis 'complication')");
    std::vector<double> month_years(months);
    for (hsize_t m = 0; m < months; ++m) {
        month_years[m] = static_cast<double>(m) / kMonthsPerYear;
    }
    w.dataset(axes, "time_years", {months}, month_years, {"month"}, "years",
              "time since cohort entry (diagnosis, or onset with [pathway] start = \"onset\"; for the *_since_diagnosis curves, "
              "since diagnosis) at each grid point (axis 'month')");
    std::vector<double> rate_lower(kObservedRateBins, 0.0);
    for (int b = 1; b < kObservedRateBins; ++b) {
        rate_lower[b] = observed_rate_lower_edge(b);
    }
    w.dataset(axes, "observed_rate_lower", {static_cast<hsize_t>(kObservedRateBins)}, rate_lower, {"observed_rate_bin"}, "attacks/year",
              "lower edge of each observed-rate bin (axis 'observed_rate_bin'): bin 0 is no attack, the first nonzero bin also holds "
              "slower rates, the last bin faster ones");
    w.strings(axes, "as_treated", {"ever", "never"},
              "as-treated groups of the patients alive at diagnosis: ever or never on a regimen of [cohort] ever_treated "
              "(axis 'as_treated')");
    std::vector<std::uint64_t> attack_counts(kAttackCountBins);
    for (int i = 0; i < kAttackCountBins; ++i) {
        attack_counts[i] = static_cast<std::uint64_t>(i);
    }
    w.dataset(axes, "attack_count", {static_cast<hsize_t>(kAttackCountBins)}, attack_counts, {"attack_count"}, "attacks",
              "number of attacks per patient; the last bin holds that many or more");

}

// /results: everything per parameter set and strategy, in the order
// [parameter_set, strategy, ...].
struct ResultsTable {
    const std::vector<std::vector<StrategySummary>>& summaries;
    hsize_t sets, strategies;
    mutable H5::Group group;  // the writer takes it by reference

    // One value per set and strategy.
    template <class Get>
    auto values(Get get) const
    {
        std::vector<std::decay_t<decltype(get(summaries[0][0]))>> data;
        for (hsize_t p = 0; p < sets; ++p) {
            for (hsize_t s = 0; s < strategies; ++s) {
                data.push_back(get(summaries[p][s]));
            }
        }
        return data;
    }
    // inner values per set and strategy.
    template <class Get>
    auto vectors(int inner, Get get) const
    {
        std::vector<std::decay_t<decltype(get(summaries[0][0], 0))>> data;
        for (hsize_t p = 0; p < sets; ++p) {
            for (hsize_t s = 0; s < strategies; ++s) {
                for (int i = 0; i < inner; ++i) {
                    data.push_back(get(summaries[p][s], i));
                }
            }
        }
        return data;
    }
    std::vector<hsize_t> dims() const { return {sets, strategies}; }
    std::vector<hsize_t> with(hsize_t inner) const { return {sets, strategies, inner}; }
    static std::vector<std::string> axes() { return {"parameter_set", "strategy"}; }
    static std::vector<std::string> names_with(const std::string& axis) { return {"parameter_set", "strategy", axis}; }
};

// Counts summed over patients: attacks, deaths, events, years on regimens.
void write_result_counts(Hdf5Writer& w, const ResultsTable& r, const Scenario& scenario)
{
    w.dataset(r.group, "patients", r.dims(), r.values([](const StrategySummary& s) { return s.patients; }), r.axes(), "patients",
              "patients simulated");
    w.dataset(r.group, "person_years", r.dims(), r.values([](const StrategySummary& s) { return s.person_years; }), r.axes(), "years",
              "undiscounted years lived, summed over patients");
    w.dataset(r.group, "attacks", r.with(kSeverities), r.vectors(kSeverities, [](const StrategySummary& s, int i) { return s.attacks[i]; }),
              r.names_with("severity"), "attacks", "attacks by severity, summed over patients");
    w.dataset(r.group, "deaths", r.with(kDeathCauses), r.vectors(kDeathCauses, [](const StrategySummary& s, int i) { return s.deaths[i]; }),
              r.names_with("death_cause"), "patients", "deaths by cause before the horizon");
    w.dataset(r.group, "alive_at_horizon", r.dims(), r.values([](const StrategySummary& s) { return s.alive_at_horizon; }), r.axes(),
              "patients", "patients alive at the horizon age");
    w.dataset(r.group, "complications", r.with(kComplications),
              r.vectors(kComplications, [](const StrategySummary& s, int i) { return s.complications[i]; }),
              r.names_with("complication"), "events", "attack complications, summed over patients");
    for (const CountedField& f : counted_fields()) {
        w.dataset(r.group, f.name, r.dims(), r.values([&](const StrategySummary& s) { return s.*(f.field); }), r.axes(), f.units,
                  std::string(f.description) + ", summed over patients");
    }
    w.dataset(r.group, "regimen_years", r.with(scenario.regimen_names.size()),
              r.vectors(static_cast<int>(scenario.regimen_names.size()), [](const StrategySummary& s, int i) { return s.regimen_years[i]; }),
              r.names_with("regimen"), "years", "undiscounted years on each regimen, summed over patients");
    w.dataset(r.group, "attacks_on_regimen", r.with(scenario.regimen_names.size()),
              r.vectors(static_cast<int>(scenario.regimen_names.size()),
                                  [](const StrategySummary& s, int i) { return s.attacks_on_regimen[i]; }),
              r.names_with("regimen"), "attacks", "attacks by the regimen the patient was on at the time, summed over patients");
}

// Kaplan-Meier curves, the monthly histograms they are built from, and the
// attack-count histogram.
void write_result_curves(Hdf5Writer& w, const ResultsTable& r, const RunResult& result)
{
    const LaunchGeometry& g = result.geometry;
    const hsize_t months = g.layout.month_bins();
    const hsize_t sets = r.sets, strategies = r.strategies;
    auto curve = [&](const char* name, Curve StrategySummary::*field, bool se, const char* description) {
        w.dataset(r.group, name, r.with(months),
                  r.vectors(static_cast<int>(months),
                                      [&](const StrategySummary& s, int i) { return se ? (s.*field).se[i] : (s.*field).value[i]; }),
                  r.names_with("month"), "probability", description);
    };
    curve("survival", &StrategySummary::survival, false, "Kaplan-Meier overall survival at each month since diagnosis");
    curve("survival_se", &StrategySummary::survival, true, "Monte Carlo SE of survival (Greenwood)");
    curve("attack_free", &StrategySummary::attack_free, false,
          "Kaplan-Meier probability of no attack yet, censored at death or horizon, at each month since diagnosis");
    curve("attack_free_se", &StrategySummary::attack_free, true, "Monte Carlo SE of attack_free (Greenwood)");
    w.dataset(r.group, "attacks_per_patient_histogram", r.with(kAttackCountBins),
              r.vectors(kAttackCountBins, [](const StrategySummary& s, int i) { return s.attacks_histogram[i]; }),
              r.names_with("attack_count"), "patients", "patients by number of attacks over their lifetime (last bin: that many or more)");
    w.dataset(r.group, "observed_rate_histogram", r.with(kObservedRateBins),
              r.vectors(kObservedRateBins, [](const StrategySummary& s, int i) { return s.observed_rate_histogram[i]; }),
              r.names_with("observed_rate_bin"), "patients",
              "patients by observed untreated attack rate (attacks over follow-up before any prophylaxis, patients followed at "
              "least [cohort] observed_rate_min_years); bins in /axes/observed_rate_lower");
    // Raw monthly histograms from which the curves are built.
    const int per = g.layout.per_strategy();
    auto raw = [&](const char* name, int offset, const char* description) {
        std::vector<std::uint64_t> data;
        for (hsize_t p = 0; p < sets; ++p) {
            for (hsize_t s = 0; s < strategies; ++s) {
                const std::uint64_t* c = result.counts.data() + p * g.counts_per_set() + s * per + offset;
                data.insert(data.end(), c, c + months);
            }
        }
        w.dataset(r.group, name, r.with(months), data, r.names_with("month"), "patients", description);
    };
    raw("deaths_by_month", g.layout.deaths_by_month(), "deaths in [m, m+1) months; the last bin holds later ones");
    raw("censored_by_month", g.layout.censored_by_month(), "patients reaching the horizon in [m, m+1) months");
    raw("first_attack_by_month", g.layout.first_attack_by_month(), "first attacks in [m, m+1) months (distribution of attack-free time)");
    raw("attack_free_censored_by_month", g.layout.attack_free_censored_by_month(),
        "patients who died or reached the horizon without an attack, by month");
    if (g.layout.diagnosis_curves) {
        curve("survival_since_diagnosis", &StrategySummary::survival_since_diagnosis, false,
              "Kaplan-Meier survival of the patients alive at diagnosis, at each month since diagnosis");
        curve("survival_since_diagnosis_se", &StrategySummary::survival_since_diagnosis, true,
              "Monte Carlo SE of survival_since_diagnosis (Greenwood)");
        const std::vector<hsize_t> dims{sets, strategies, kAsTreatedGroups, months};
        const std::vector<std::string> names{"parameter_set", "strategy", "as_treated", "month"};
        auto grouped = [&](bool se) {
            std::vector<double> data;
            for (hsize_t p = 0; p < sets; ++p) {
                for (hsize_t s = 0; s < strategies; ++s) {
                    for (const Curve& c : r.summaries[p][s].survival_since_diagnosis_by_group) {
                        const std::vector<double>& points = se ? c.se : c.value;
                        if (points.empty()) {  // nobody in the group
                            data.insert(data.end(), months, std::numeric_limits<double>::quiet_NaN());
                        } else {
                            data.insert(data.end(), points.begin(), points.end());
                        }
                    }
                }
            }
            return data;
        };
        w.dataset(r.group, "survival_since_diagnosis_as_treated", dims, grouped(false), names, "probability",
                  "Kaplan-Meier survival since diagnosis of the as-treated groups (ever / never on a regimen of [cohort] "
                  "ever_treated), as a registry groups its patients");
        w.dataset(r.group, "survival_since_diagnosis_as_treated_se", dims, grouped(true), names, "probability",
                  "Monte Carlo SE of survival_since_diagnosis_as_treated (Greenwood)");
    }

}

// Per-patient means with their Monte Carlo SEs, and the ICERs.
void write_result_estimates(Hdf5Writer& w, const ResultsTable& r, const Scenario& scenario)
{
    const std::string money = scenario.currency + " " + std::to_string(scenario.price_year);
    auto estimate = [&](const std::string& name, Estimate StrategySummary::*field, const std::string& units, const std::string& description) {
        w.dataset(r.group, name + "_mean", r.dims(), r.values([&](const StrategySummary& s) { return (s.*field).mean; }), r.axes(), units,
                  "mean per patient: " + description);
        w.dataset(r.group, name + "_se", r.dims(), r.values([&](const StrategySummary& s) { return (s.*field).se; }), r.axes(), units,
                  "Monte Carlo SE of the mean: " + description);
    };
    w.dataset(r.group, "cost_mean", r.with(kCostCategories),
              r.vectors(kCostCategories, [](const StrategySummary& s, int i) { return s.cost[i].mean; }),
              r.names_with("cost_category"), money, "mean discounted cost per patient by category");
    w.dataset(r.group, "cost_se", r.with(kCostCategories),
              r.vectors(kCostCategories, [](const StrategySummary& s, int i) { return s.cost[i].se; }),
              r.names_with("cost_category"), money, "Monte Carlo SE of cost_mean");
    estimate("total_cost", &StrategySummary::cost_total, money, "discounted total cost");
    estimate("qalys", &StrategySummary::qalys, "QALYs", "discounted quality-adjusted life-years");
    estimate("life_years_discounted", &StrategySummary::life_years_discounted, "years", "discounted life-years");
    estimate("life_years", &StrategySummary::life_years, "years", "undiscounted life-years (to the horizon)");
    estimate("attacks_per_patient", &StrategySummary::attacks_per_patient, "attacks", "lifetime attacks");
    estimate("attacks_per_patient_year", &StrategySummary::attacks_per_patient_year, "attacks/year",
             "attacks per person-year (ratio of sums; delta-method SE)");
    estimate("incremental_cost", &StrategySummary::increment_cost, money, "discounted cost minus the comparator's, same patients");
    estimate("incremental_qalys", &StrategySummary::increment_qalys, "QALYs", "discounted QALYs minus the comparator's, same patients");
    estimate("incremental_life_years_discounted", &StrategySummary::increment_life_years_discounted, "years",
             "discounted life-years minus the comparator's, same patients");
    w.dataset(r.group, "icer", r.dims(), r.values([](const StrategySummary& s) { return s.icer; }), r.axes(), money + " per QALY",
              "incremental cost-effectiveness ratio against the comparator (NaN for the comparator)");
}

void write_results_group(Hdf5Writer& w, const Scenario& scenario, const RunResult& result,
                         const std::vector<std::vector<StrategySummary>>& summaries)
{
    const ResultsTable table{summaries, result.geometry.parameter_sets, static_cast<hsize_t>(result.geometry.strategies),
                             w.group("/results")};
    write_result_counts(w, table, scenario);
    write_result_curves(w, table, result);
    write_result_estimates(w, table, scenario);
}

void write_contents(Hdf5Writer& w, const Scenario& scenario, const RunResult& result,
                    const std::vector<std::vector<StrategySummary>>& summaries, const RunMetadata& meta)
{
    write_root_attributes(w, scenario, result, meta);
    write_scenario_group(w, scenario);
    write_axes(w, scenario, result.geometry.layout.month_bins());
    write_results_group(w, scenario, result, summaries);
}

}  // namespace

void write_results_file(const std::filesystem::path& path, const Scenario& scenario, const RunResult& result,
                        const std::vector<std::vector<StrategySummary>>& summaries, const RunMetadata& metadata,
                        const std::function<void(Hdf5Writer&)>& extra)
{
    write_hdf5_atomically(path, [&](Hdf5Writer& writer) {
        write_contents(writer, scenario, result, summaries, metadata);
        if (extra) {
            extra(writer);
        }
        writer.attach_dimension_scales({{"parameter_set", "/parameter_sets/label"},
                                        {"wtp", "/cea/wtp"},
                                        {"draw", "/cea/psa/draw"},
                                        {"month", "/axes/time_years"},
                                        {"observed_rate_bin", "/axes/observed_rate_lower"}});
    });
}

}  // namespace scls
