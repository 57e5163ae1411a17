// Scenario loading: compose the document (extends, [remove], overrides),
// read every section against the schema (reporting unknown, missing and
// invalid keys with file, line and key), and resolve names to indices in
// ModelParams. Regimens and strategies are read in scenario_regimens.cpp.
#include "host/scenario/scenario.hpp"

#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "host/io/files.hpp"
#include "host/scenario/compose.hpp"
#include "host/scenario/life_table.hpp"
#include "host/scenario/scenario_sections.hpp"
#include "host/scenario/toml.hpp"
#include "host/scenario/toml_reader.hpp"
#include "host/scenario/toml_text.hpp"
#include "kernels/core/math.hpp"
#include "kernels/random/distributions.hpp"

namespace scls {

std::string InputIssue::to_string() const
{
    std::string where = file;
    if (line > 0) {
        where += fmt::format(":{}", line);
    }
    return key.empty() ? fmt::format("{}: {}", where, message) : fmt::format("{}: {}: {}", where, key, message);
}

namespace {
std::string join_issues(const std::vector<InputIssue>& issues)
{
    std::string text;
    for (const auto& issue : issues) {
        text += issue.to_string() + "\n";
    }
    return text;
}
}  // namespace

InputError::InputError(std::vector<InputIssue> issues) : std::runtime_error(join_issues(issues)), issues_(std::move(issues)) {}

std::string override_value(double value) { return fmt::format("{:.17g}", value); }

Override parse_override(const std::string& assignment)
{
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
        throw InputError({{"--set", assignment, 0, "is not key=value — write e.g. --set attacks.rate_per_year=2.0"}});
    }
    return Override{assignment.substr(0, equals), assignment.substr(equals + 1)};
}

namespace {

using detail::check_shares_sum;

void collect_numbers(const toml::node& node, const std::string& path, std::vector<std::pair<std::string, double>>& out)
{
    if (const toml::table* table = node.as_table()) {
        for (const auto& [key, child] : *table) {
            collect_numbers(child, path.empty() ? std::string(key.str()) : path + "." + std::string(key.str()), out);
        }
    } else if (const toml::array* array = node.as_array()) {
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& child = *array->get(i);
            std::string label = fmt::format("{}.{}", path, i);  // as --set and [psa] address it
            if (auto* t = child.as_table(); t && t->get("name")) {
                label = path + "." + t->get("name")->value<std::string>().value_or("");
            }
            collect_numbers(child, label, out);
        }
    } else if (auto v = node.value<double>(); v && (node.is_floating_point() || node.is_integer())) {
        out.emplace_back(path, *v);
    }
}

constexpr double kDefaultWtpMax = 200000.0;  // currency per QALY
constexpr double kDefaultWtpStep = 2000.0;

void read_cea_settings(TableReader& top, CeaSettings& cea)
{
    TableReader c = top.table("cea", false);
    const double wtp_max = c.number_or("wtp_max", Bound::positive, kDefaultWtpMax);
    const double wtp_step = c.number_or("wtp_step", Bound::positive, kDefaultWtpStep);
    if (wtp_step > 0.0 && wtp_max > 0.0) {
        if (wtp_max / wtp_step > 100000.0) {
            c.report("wtp_step", fmt::format("gives {:.0f} grid points (more than 100000) — use a coarser step", wtp_max / wtp_step));
        } else {
            const auto points = static_cast<int>(std::floor(wtp_max / wtp_step + 1e-9));
            for (int i = 0; i <= points; ++i) {
                cea.wtp.push_back(i * wtp_step);
            }
        }
    }
    cea.report_wtp = c.optional_numbers("report_wtp").value_or(std::vector<double>{50000.0, 100000.0, 150000.0});
    for (double w : cea.report_wtp) {
        if (w < 0.0) {
            c.report("report_wtp", fmt::format("contains {} (willingness to pay per QALY is not negative) — use values >= 0", w));
        } else if (!cea.wtp.empty() && w > cea.wtp.back()) {
            c.report("report_wtp", fmt::format("contains {}, beyond the willingness-to-pay grid (it ends at {}: wtp_max, in steps "
                                               "of wtp_step) — raise wtp_max or report at most {}",
                                               w, cea.wtp.back(), cea.wtp.back()));
        }
    }
    cea.population_per_year = c.number_or("population_per_year", Bound::people_per_year, 0.0);
    cea.decision_horizon_years = c.number_or("decision_horizon_years", Bound::years, 0.0);
    if ((cea.population_per_year > 0.0) != (cea.decision_horizon_years > 0.0)) {
        c.report(cea.population_per_year > 0.0 ? "decision_horizon_years" : "population_per_year",
                 "is missing or 0 while the other is set (population EVPI needs both) — give population_per_year and "
                 "decision_horizon_years, or neither");
    }
    c.finish();
}


void read_scenario_section(TableReader& top, Scenario& scenario)
{
    TableReader s = top.table("scenario");
    scenario.title = s.string("title", "ISCLS base case");
    scenario.currency = s.string("currency", "USD");
    scenario.price_year = s.integer("price_year", 1900, 2200);
    s.finish();
}

// [simulation]; returns the comparator's name (resolved with the strategies).
std::string read_simulation(TableReader& top, Scenario& scenario)
{
    ModelParams& p = scenario.params;
    TableReader s = top.table("simulation");
    // Patients are indexed by 32 bits per parameter set.
    scenario.patients = static_cast<std::uint64_t>(s.integer("patients", 1, kMaxPatients));
    scenario.seed = static_cast<std::uint64_t>(s.integer("seed", 0, kMaxSeed));
    p.horizon_age_years = s.number("horizon_age_years", Bound::age_years);
    if (p.horizon_age_years > kLifeTableAges) {
        s.report("horizon_age_years", fmt::format("is {} (life tables end at age {}) — use at most {}", p.horizon_age_years,
                                                  kLifeTableAges - 1, kLifeTableAges - 1));
    }
    scenario.discount_rate_costs_annual = s.number("discount_rate_costs", Bound::discount_rate);
    scenario.discount_rate_effects_annual = s.number("discount_rate_effects", Bound::discount_rate);
    p.discount_rate_costs = natural_log_1p(scenario.discount_rate_costs_annual);
    p.discount_rate_effects = natural_log_1p(scenario.discount_rate_effects_annual);
    const std::string comparator_name = s.string("comparator", "no_prophylaxis");
    s.finish();
    return comparator_name;
}

// A scenario key that holds one number of the model: its name, its bound and
// where it goes. Sections of plain numbers are tables of these.
template <class Target>
struct NumberKey {
    const char* key;
    const Bound* bound;
    double Target::*field;
};

template <class Target, std::size_t N>
void read_numbers(TableReader& reader, Target& target, const NumberKey<Target> (&keys)[N])
{
    for (const NumberKey<Target>& k : keys) {
        target.*(k.field) = reader.number(k.key, *k.bound);
    }
}

void read_population(TableReader& top, ModelParams& p)
{
    static const NumberKey<ModelParams> kAges[] = {{"male_share", &Bound::probability, &ModelParams::male_share},
                                                   {"age_mean_years", &Bound::age_years, &ModelParams::age_mean_years},
                                                   {"age_sd_years", &Bound::non_negative, &ModelParams::age_sd_years},
                                                   {"age_min_years", &Bound::age_years, &ModelParams::age_min_years},
                                                   {"age_max_years", &Bound::age_years, &ModelParams::age_max_years}};
    TableReader s = top.table("population");
    read_numbers(s, p, kAges);
    if (p.age_min_years > p.age_max_years) {
        s.report("age_min_years", fmt::format("is above age_max_years = {} (the truncation interval is empty) — make age_min_years <= age_max_years",
                                              p.age_max_years));
    }
    if (p.age_max_years >= p.horizon_age_years) {
        s.report("age_max_years", fmt::format("is {} but the horizon is age {} (patients must enter before the horizon) — "
                                              "lower age_max_years or raise simulation.horizon_age_years",
                                              p.age_max_years, p.horizon_age_years));
    }
    p.weight_mean_kg[1] = s.number("weight_male_mean_kg", Bound::weight_kg);
    p.weight_sd_kg[1] = s.number("weight_male_sd_kg", Bound::non_negative);
    p.weight_mean_kg[0] = s.number("weight_female_mean_kg", Bound::weight_kg);
    p.weight_sd_kg[0] = s.number("weight_female_sd_kg", Bound::non_negative);
    p.weight_min_kg = s.number("weight_min_kg", Bound::weight_kg);
    p.weight_max_kg = s.number("weight_max_kg", Bound::weight_kg);
    if (p.weight_min_kg > p.weight_max_kg) {
        s.report("weight_min_kg", "is above weight_max_kg (the truncation interval is empty) — make weight_min_kg <= weight_max_kg");
    }
    p.mgus_share = s.number("mgus_share", Bound::probability);
    s.finish();
}

// The standard normal CDFs at the age and weight truncation bounds, from the validated population.
void derive_truncation_cdfs(ModelParams& p)
{
    p.age_cdf_lower = truncation_cdf(p.age_mean_years, p.age_sd_years, p.age_min_years);
    p.age_cdf_upper = truncation_cdf(p.age_mean_years, p.age_sd_years, p.age_max_years);
    for (int sex = 0; sex < 2; ++sex) {
        p.weight_cdf_lower[sex] = truncation_cdf(p.weight_mean_kg[sex], p.weight_sd_kg[sex], p.weight_min_kg);
        p.weight_cdf_upper[sex] = truncation_cdf(p.weight_mean_kg[sex], p.weight_sd_kg[sex], p.weight_max_kg);
    }
}

void read_attacks(TableReader& top, ModelParams& p)
{
    TableReader a = top.table("attacks");
    p.attack_rate_per_year = a.number("rate_per_year", Bound::rate_per_year);
    const std::string kind = a.string("heterogeneity", "lognormal");
    // Both parameters are validated when present, so a scenario can keep
    // one while --set switches the distribution; the chosen one is required.
    if (kind != "gamma") {
        a.optional_number("heterogeneity_shape", Bound::gamma_shape);
    }
    if (kind != "lognormal") {
        a.optional_number("heterogeneity_sigma", Bound::log_sd);
    }
    if (kind == "none") {
        p.frailty_kind = FrailtyKind::none;
        p.frailty_parameter = 0.0;
    } else if (kind == "gamma") {
        p.frailty_kind = FrailtyKind::gamma;
        p.frailty_parameter = a.number("heterogeneity_shape", Bound::gamma_shape, "gamma heterogeneity needs its shape (mean 1, variance 1/shape)");
    } else if (kind == "lognormal") {
        p.frailty_kind = FrailtyKind::lognormal;
        p.frailty_parameter = a.number("heterogeneity_sigma", Bound::log_sd, "lognormal heterogeneity needs its log-scale SD");
    } else if (!kind.empty()) {
        a.report("heterogeneity", fmt::format("is \"{}\" (not a supported distribution of the attack-rate multiplier) — use \"none\", \"gamma\" or \"lognormal\"", kind));
    }
    TableReader severities = a.table("severity");
    static constexpr const char* kSeverityNames[kSeverities] = {"mild", "ward", "icu"};
    double share_sum = 0.0;
    for (int s = 0; s < kSeverities; ++s) {
        static const NumberKey<SeverityParams> kSeverity[] = {
            {"share", &Bound::probability, &SeverityParams::share},
            {"death_probability", &Bound::probability, &SeverityParams::death_probability},
            {"ward_days_median", &Bound::days, &SeverityParams::ward_days_median},
            {"icu_days_median", &Bound::days, &SeverityParams::icu_days_median},
            {"stay_log_sd", &Bound::log_sd, &SeverityParams::stay_log_sd},
            {"cost_per_admission", &Bound::money, &SeverityParams::cost_per_admission},
            {"qaly_loss", &Bound::utility, &SeverityParams::qaly_loss}};
        TableReader r = severities.table(kSeverityNames[s]);
        SeverityParams& sev = p.severity[s];
        read_numbers(r, sev, kSeverity);
        sev.complication_probability[0] = r.number("compartment_syndrome_probability", Bound::probability);
        sev.complication_probability[1] = r.number("renal_replacement_probability", Bound::probability);
        sev.complication_probability[2] = r.number("thrombosis_stroke_probability", Bound::probability);
        share_sum += sev.share;
        r.finish();
    }
    severities.finish("mild, ward, icu");
    if (severities.raw()) {
        check_shares_sum(severities, "share", share_sum, "attack severities mild/ward/icu");
    }
    a.finish();
}

void read_complications_and_costs(TableReader& top, ModelParams& p)
{
    TableReader c = top.table("complications");
    static constexpr const char* kComplicationNames[kComplications] = {"compartment_syndrome", "renal_replacement", "thrombosis_stroke"};
    for (int i = 0; i < kComplications; ++i) {
        static const NumberKey<ComplicationParams> kComplication[] = {
            {"cost", &Bound::money, &ComplicationParams::cost},
            {"extra_ward_days", &Bound::days, &ComplicationParams::extra_ward_days},
            {"utility_decrement", &Bound::utility, &ComplicationParams::utility_decrement}};
        TableReader r = c.table(kComplicationNames[i]);
        read_numbers(r, p.complication[i], kComplication);
        r.finish();
    }
    c.finish("compartment_syndrome, renal_replacement, thrombosis_stroke");
    static const NumberKey<ModelParams> kCosts[] = {{"icu_day", &Bound::money, &ModelParams::icu_day_cost},
                                                    {"ward_day", &Bound::money, &ModelParams::ward_day_cost}};
    TableReader costs = top.table("costs");
    read_numbers(costs, p, kCosts);
    costs.finish();
}

void read_mortality(TableReader& top, Scenario& scenario, const std::filesystem::path& base_directory, std::vector<InputIssue>& issues)
{
    ModelParams& p = scenario.params;
    TableReader m = top.table("mortality");
    const std::string source = m.string("life_table", "builtin");
    scenario.life_table_source = source;
    // The Gompertz-Makeham table is required for "builtin" and, when
    // present, validated even while a CSV table is in use.
    TableReader g = m.table("gompertz_makeham", source == "builtin");
    if (source == "builtin" || g.raw()) {
        GompertzMakeham male{g.number("male_c", Bound::hazard_coefficient), g.number("male_a", Bound::hazard_coefficient),
                             g.number("male_b", Bound::gompertz_slope)};
        GompertzMakeham female{g.number("female_c", Bound::hazard_coefficient), g.number("female_a", Bound::hazard_coefficient),
                               g.number("female_b", Bound::gompertz_slope)};
        tabulate_gompertz_makeham(female, male, p);
    }
    if (source != "builtin" && !source.empty()) {
        std::filesystem::path path(source);
        if (path.is_relative()) {
            path = base_directory / path;
        }
        scenario.life_table_source = path.string();
        scenario.input_files.push_back(path);
        std::vector<InputIssue> table_issues;
        load_life_table_csv(path, p, table_issues);
        for (auto& issue : table_issues) {
            if (issue.key == "mortality.life_table") {
                // A file that cannot be opened is the scenario's problem: point at the key.
                m.report("life_table", fmt::format("\"{}\": {}", path.string(), issue.message));
            } else {
                issues.push_back(issue);
            }
        }
    }
    g.finish();
    m.finish();
}

void read_myeloma_and_utility(TableReader& top, ModelParams& p)
{
    static const NumberKey<ModelParams> kMyeloma[] = {
        {"progression_rate_per_year", &Bound::rate_per_year, &ModelParams::myeloma_rate_per_year},
        {"excess_death_rate_per_year", &Bound::rate_per_year, &ModelParams::myeloma_excess_death_rate_per_year},
        {"cost_per_year", &Bound::money, &ModelParams::myeloma_cost_per_year},
        {"utility_decrement", &Bound::utility, &ModelParams::myeloma_utility_decrement}};
    // Baseline utility: intercept + male (men only) + age x A + age_squared x A^2, A the age in years.
    static const NumberKey<ModelParams> kUtility[] = {{"intercept", &Bound::utility_coefficient, &ModelParams::utility_intercept},
                                                      {"male", &Bound::utility_coefficient, &ModelParams::utility_male},
                                                      {"age", &Bound::utility_coefficient, &ModelParams::utility_age},
                                                      {"age_squared", &Bound::utility_coefficient, &ModelParams::utility_age_squared}};
    TableReader m = top.table("myeloma");
    read_numbers(m, p, kMyeloma);
    m.finish();
    TableReader u = top.table("utility");
    read_numbers(u, p, kUtility);
    u.finish();
}

// [pathway] (optional): where the cohort enters (at diagnosis by default, or
// at onset with a delay to diagnosis, optionally shorter for frequent
// attackers), and the delay from diagnosis to the first prophylaxis.
void read_pathway(TableReader& top, ModelParams& p)
{
    TableReader w = top.table("pathway", false);
    const std::string start = w.optional_string("start").value_or("diagnosis");
    p.starts_at_onset = start == "onset";
    if (start != "onset" && start != "diagnosis") {
        w.report("start", fmt::format("is \"{}\" (where the cohort enters) — use \"diagnosis\" or \"onset\"", start));
    }
    if (p.starts_at_onset) {
        p.diagnosis_delay_median_years = w.number("diagnosis_delay_median_years", Bound::positive_years,
                                                  "a cohort entering at onset needs the median delay to diagnosis");
        p.diagnosis_delay_log_sd = w.number("diagnosis_delay_log_sd", Bound::log_sd, "the delay's log-scale spread between patients");
        p.diagnosis_delay_rate_correlation = w.number_or("diagnosis_delay_rate_correlation", Bound::correlation_0_1, 0.0);
        if (p.diagnosis_delay_rate_correlation > 0.0 && p.frailty_kind != FrailtyKind::lognormal) {
            w.report("diagnosis_delay_rate_correlation",
                     fmt::format("is {}, but [attacks] heterogeneity is \"{}\" (the delay is correlated with the normal score of a "
                                 "lognormal attack-rate multiplier) — set heterogeneity = \"lognormal\", or remove "
                                 "diagnosis_delay_rate_correlation",
                                 p.diagnosis_delay_rate_correlation, p.frailty_kind == FrailtyKind::gamma ? "gamma" : "none"));
        }
        p.diagnosed_in_attack = w.flag_or("diagnosed_in_attack", false);
    } else {
        w.optional_number("diagnosis_delay_median_years", Bound::years);
        w.optional_number("diagnosis_delay_log_sd", Bound::log_sd);
        w.optional_number("diagnosis_delay_rate_correlation", Bound::correlation_0_1);
        w.flag_or("diagnosed_in_attack", false);  // the onset pathway's: kept for a scenario switched with --set
    }
    p.treatment_delay_years = w.number_or("treatment_delay_years", Bound::years, 0.0);
    w.finish("start, diagnosis_delay_median_years, diagnosis_delay_log_sd, diagnosis_delay_rate_correlation, diagnosed_in_attack, "
             "treatment_delay_years");
}

// Reads every section of a composed document into scenario (its source
// fields already set) and keeps the document. Throws InputError with every
// problem; a problem at an overridden key is reported as the override's.
void read_document(Scenario& scenario, ComposedDocument&& composed)
{
    std::vector<InputIssue> issues;
    toml::table& root = composed.root;
    scenario.changes = std::move(composed.changes);
    scenario.effective_text = format_toml(root);
    collect_numbers(root, "", scenario.numeric_parameters);
    ModelParams& p = scenario.params;

    TableReader top(&root, "", scenario.source_name, issues);
    top.take("psa");    // read by load_psa_spec
    top.take("sweep");  // read by load_one_way_ranges
    read_cea_settings(top, scenario.cea);
    read_scenario_section(top, scenario);
    const std::string comparator_name = read_simulation(top, scenario);
    read_population(top, p);
    read_attacks(top, p);
    read_complications_and_costs(top, p);
    read_mortality(top, scenario, scenario.base_directory, issues);
    read_myeloma_and_utility(top, p);
    read_pathway(top, p);
    detail::read_regimens(top, scenario, issues);
    detail::read_strategies(top, scenario, comparator_name, issues);
    detail::read_cohort(top, scenario);
    top.finish();

    if (!issues.empty()) {
        for (auto& issue : issues) {
            for (const auto& o : composed.applied) {
                if (issue.key == o.key || issue.file == o.source) {
                    issue.file = o.source;
                    issue.line = 0;  // a command-line or sampled value has no line
                }
            }
        }
        throw InputError(std::move(issues));
    }
    p.months_in_grid = static_cast<int>(std::ceil(kMonthsPerYear * (p.horizon_age_years - p.age_min_years)));
    p.diagnosis_curves = p.starts_at_onset || p.ever_treated_mask != 0;
    derive_truncation_cdfs(p);
    scenario.document = std::make_shared<const ScenarioDocument>(ScenarioDocument{std::move(root)});
}

}  // namespace

const toml::table& scenario_document(const Scenario& scenario) { return scenario.document->root; }

Scenario load_scenario(const std::string& text, const std::string& source_name, const std::filesystem::path& base_directory,
                       const std::vector<Override>& overrides)
{
    Scenario scenario;
    scenario.source_name = source_name;
    scenario.source_text = text;
    scenario.base_directory = base_directory;
    scenario.overrides = overrides;
    ComposedDocument composed = compose_scenario(text, source_name, base_directory, overrides);
    scenario.input_files = std::move(composed.files);
    scenario.extended_sources = std::move(composed.extended_sources);
    read_document(scenario, std::move(composed));
    return scenario;
}

Scenario scenario_with_values(const Scenario& base, const std::vector<Override>& values)
{
    Scenario scenario;
    scenario.source_name = base.source_name;
    scenario.source_text = base.source_text;
    scenario.base_directory = base.base_directory;
    scenario.overrides = base.overrides;
    scenario.overrides.insert(scenario.overrides.end(), values.begin(), values.end());
    scenario.input_files = base.input_files;
    scenario.extended_sources = base.extended_sources;
    ComposedDocument composed;
    composed.root = base.document->root;
    composed.changes = base.changes;
    apply_overrides(composed, values);
    read_document(scenario, std::move(composed));
    return scenario;
}

Scenario load_scenario_file(const std::filesystem::path& path, const std::vector<Override>& overrides)
{
    Scenario scenario = load_scenario(read_input_file(path, "scenario file"), path.string(), path.parent_path(), overrides);
    scenario.input_files.insert(scenario.input_files.begin(), path);
    return scenario;
}

}  // namespace scls
