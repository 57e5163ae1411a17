// Scenario loading: parse TOML, apply --set overrides, read every key against
// the schema (reporting unknown, missing and invalid ones with file, key and
// line), and resolve names to indices in ModelParams.
#include "host/scenario/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include "host/scenario/toml.hpp"

#include "host/io/files.hpp"
#include "host/scenario/compose.hpp"
#include "host/scenario/life_table.hpp"
#include "host/scenario/toml_reader.hpp"
#include "host/scenario/toml_text.hpp"
#include "kernels/core/math.hpp"

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

namespace {

constexpr double kShareTolerance = 1e-6;

void check_shares_sum(TableReader& reader, std::string_view key, double sum, std::string_view what)
{
    if (std::fabs(sum - 1.0) > kShareTolerance) {
        reader.report(key, fmt::format("shares sum to {:.6g} ({} are mutually exclusive and exhaustive) — make them sum to 1",
                                       sum, what));
    }
}

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

struct RegimenSpec {
    std::string name;
    std::string response_shared_with;
    TableReader* reader;
};

void read_regimen(TableReader& r, RegimenParams& regimen, std::vector<InputIssue>& issues)
{
    const double dose = r.number("dose_g_per_kg", Bound::dose_g_per_kg);
    const double price = r.number("price_per_gram", Bound::price_per_gram);
    const double infusions = r.number("infusions_per_year", Bound::per_year_count);
    const double administration = r.number("administration_cost_per_infusion", Bound::money);
    const double monitoring = r.number("monitoring_cost_per_year", Bound::money);
    regimen.drug_cost_per_kg_year = price * dose * infusions;
    regimen.drug_cost_per_year = r.number("drug_cost_per_year", Bound::money);
    regimen.administration_cost_per_year = administration * infusions + monitoring;
    regimen.utility_decrement = r.number("utility_decrement", Bound::utility);
    regimen.attack_death_multiplier = r.number("attack_death_multiplier", Bound::multiplier);
    regimen.discontinuation_rate_per_year = r.number("discontinuation_rate_per_year", Bound::rate_per_year);

    const bool has_single = r.has("attack_rate_ratio");
    const bool has_mixture = r.has("response");
    if (has_single == has_mixture) {
        r.take("attack_rate_ratio");
        r.take("response");
        r.report(has_single ? "response" : "attack_rate_ratio",
                 "the regimen's effect must be given once (either one rate ratio for everybody or a response mixture) — "
                 "give attack_rate_ratio = <ratio> or response = [{ share = ..., attack_rate_ratio = ... }, ...]");
        regimen.response_classes = 1;
        regimen.response_share[0] = 1.0;
        regimen.attack_rate_ratio[0] = 1.0;
    } else if (has_single) {
        regimen.response_classes = 1;
        regimen.response_share[0] = 1.0;
        regimen.attack_rate_ratio[0] = r.number("attack_rate_ratio", Bound::rate_ratio);
    } else {
        const toml::node* node = r.take("response");
        const toml::array* array = node->as_array();
        if (!array || !array->is_array_of_tables() || array->empty() || array->size() > kMaxResponseClasses) {
            r.report("response",
                     fmt::format("must be a list of 1 to {} response classes — write response = [{{ share = 0.6, "
                                 "attack_rate_ratio = 0.0 }}, {{ share = 0.4, attack_rate_ratio = 0.4 }}]",
                                 kMaxResponseClasses),
                     node);
        } else {
            regimen.response_classes = static_cast<int>(array->size());
            double share_sum = 0.0;
            for (std::size_t i = 0; i < array->size(); ++i) {
                TableReader cls(array->get(i)->as_table(), fmt::format("{}.response.{}", r.path(), i),
                                origin_of(*node, "").file, issues);
                regimen.response_share[i] = cls.number("share", Bound::probability);
                regimen.attack_rate_ratio[i] = cls.number("attack_rate_ratio", Bound::rate_ratio);
                share_sum += regimen.response_share[i];
                cls.finish("share, attack_rate_ratio");
            }
            check_shares_sum(r, "response", share_sum, "response classes");
        }
    }

    auto events = r.array_of_tables("adverse_events", false);
    if (events.size() > static_cast<std::size_t>(kMaxAdverseEventTypes)) {
        r.report("adverse_events", fmt::format("lists {} adverse events (at most {} per regimen) — merge the rarest", events.size(),
                                               kMaxAdverseEventTypes));
        while (events.size() > static_cast<std::size_t>(kMaxAdverseEventTypes)) {
            events.pop_back();
        }
    }
    regimen.adverse_event_types = static_cast<int>(events.size());
    std::set<std::string> event_names;
    regimen.adverse_event_rate_per_year = 0.0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        TableReader& e = events[i];
        AdverseEventParams& event = regimen.adverse_event[i];
        const std::string event_name = e.string("name", "renal_failure");
        if (!event_name.empty() && !event_names.insert(event_name).second) {
            e.report("name", fmt::format("\"{}\" is listed twice for this regimen (each adverse event once, with its own "
                                         "probability) — merge the entries or rename one",
                                         event_name));
        }
        const double per_infusion = e.number("probability_per_infusion", Bound::probability);
        event.rate_per_year = per_infusion * infusions + e.number("rate_per_year", Bound::rate_per_year);
        event.cost = e.number("cost", Bound::money);
        event.qaly_loss = e.number("qaly_loss", Bound::utility);
        event.utility_decrement = e.number("utility_decrement", Bound::utility);
        event.death_probability = e.number("death_probability", Bound::probability);
        event.discontinue_probability = e.number("discontinue_probability", Bound::probability);
        regimen.adverse_event_rate_per_year += event.rate_per_year;
        e.finish();
    }
}

}  // namespace

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
        }
    }
    cea.population_per_year = c.number_or("population_per_year", Bound::non_negative, 0.0);
    cea.decision_horizon_years = c.number_or("decision_horizon_years", Bound::years, 0.0);
    if ((cea.population_per_year > 0.0) != (cea.decision_horizon_years > 0.0)) {
        c.report(cea.population_per_year > 0.0 ? "decision_horizon_years" : "population_per_year",
                 "is missing or 0 while the other is set (population EVPI needs both) — give population_per_year and "
                 "decision_horizon_years, or neither");
    }
    c.finish();
}

}  // namespace

toml::table scenario_document(const Scenario& scenario)
{
    return compose_scenario(scenario.source_text, scenario.source_name, scenario.base_directory, scenario.overrides).root;
}

Scenario load_scenario(const std::string& text, const std::string& source_name, const std::filesystem::path& base_directory,
                       const std::vector<Override>& overrides)
{
    std::vector<InputIssue> issues;
    Scenario scenario;
    ComposedDocument composed = compose_scenario(text, source_name, base_directory, overrides);
    toml::table& root = composed.root;
    scenario.input_files = std::move(composed.files);
    scenario.changes = std::move(composed.changes);
    scenario.extended_sources = std::move(composed.extended_sources);
    const std::vector<Override>& applied = composed.applied;

    scenario.source_name = source_name;
    scenario.source_text = text;
    scenario.base_directory = base_directory;
    scenario.overrides = overrides;
    scenario.effective_text = format_toml(root);
    collect_numbers(root, "", scenario.numeric_parameters);
    ModelParams& p = scenario.params;

    TableReader top(&root, "", source_name, issues);
    top.take("psa");    // read by load_psa_spec
    top.take("sweep");  // read by load_sweep_spec
    read_cea_settings(top, scenario.cea);

    {
        TableReader s = top.table("scenario");
        scenario.title = s.string("title", "ISCLS base case");
        scenario.currency = s.string("currency", "USD");
        scenario.price_year = s.integer("price_year", 1900, 2200);
        s.finish();
    }

    std::string comparator_name;
    {
        TableReader s = top.table("simulation");
        // Patients are indexed by 32 bits per parameter set.
        scenario.patients = static_cast<std::uint64_t>(s.integer("patients", 1, 0xFFFFFFFFll));
        scenario.seed = static_cast<std::uint64_t>(s.integer("seed", 0, std::numeric_limits<std::int64_t>::max()));
        p.horizon_age_years = s.number("horizon_age_years", Bound::age_years);
        if (p.horizon_age_years > kLifeTableAges) {
            s.report("horizon_age_years", fmt::format("is {} (life tables end at age {}) — use at most {}", p.horizon_age_years,
                                                      kLifeTableAges - 1, kLifeTableAges - 1));
        }
        scenario.discount_rate_costs_annual = s.number("discount_rate_costs", Bound::discount_rate);
        scenario.discount_rate_effects_annual = s.number("discount_rate_effects", Bound::discount_rate);
        p.discount_rate_costs = std::log1p(scenario.discount_rate_costs_annual);
        p.discount_rate_effects = std::log1p(scenario.discount_rate_effects_annual);
        comparator_name = s.string("comparator", "no_prophylaxis");
        s.finish();
    }

    {
        TableReader s = top.table("population");
        p.male_share = s.number("male_share", Bound::probability);
        p.age_mean_years = s.number("age_mean_years", Bound::age_years);
        p.age_sd_years = s.number("age_sd_years", Bound::non_negative);
        p.age_min_years = s.number("age_min_years", Bound::age_years);
        p.age_max_years = s.number("age_max_years", Bound::age_years);
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
            TableReader r = severities.table(kSeverityNames[s]);
            SeverityParams& sev = p.severity[s];
            sev.share = r.number("share", Bound::probability);
            sev.death_probability = r.number("death_probability", Bound::probability);
            sev.ward_days_median = r.number("ward_days_median", Bound::days);
            sev.icu_days_median = r.number("icu_days_median", Bound::days);
            sev.stay_log_sd = r.number("stay_log_sd", Bound::log_sd);
            sev.cost_per_admission = r.number("cost_per_admission", Bound::money);
            sev.qaly_loss = r.number("qaly_loss", Bound::utility);
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

    {
        TableReader c = top.table("complications");
        static constexpr const char* kComplicationNames[kComplications] = {"compartment_syndrome", "renal_replacement", "thrombosis_stroke"};
        for (int i = 0; i < kComplications; ++i) {
            TableReader r = c.table(kComplicationNames[i]);
            p.complication[i].cost = r.number("cost", Bound::money);
            p.complication[i].extra_ward_days = r.number("extra_ward_days", Bound::days);
            p.complication[i].utility_decrement = r.number("utility_decrement", Bound::utility);
            r.finish();
        }
        c.finish("compartment_syndrome, renal_replacement, thrombosis_stroke");
    }

    {
        TableReader c = top.table("costs");
        p.icu_day_cost = c.number("icu_day", Bound::money);
        p.ward_day_cost = c.number("ward_day", Bound::money);
        c.finish();
    }

    {
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

    {
        TableReader m = top.table("myeloma");
        p.myeloma_rate_per_year = m.number("progression_rate_per_year", Bound::rate_per_year);
        p.myeloma_excess_death_rate_per_year = m.number("excess_death_rate_per_year", Bound::rate_per_year);
        p.myeloma_cost_per_year = m.number("cost_per_year", Bound::money);
        p.myeloma_utility_decrement = m.number("utility_decrement", Bound::utility);
        m.finish();
    }

    {
        TableReader u = top.table("utility");
        p.utility_intercept = u.number("intercept", Bound::utility_coefficient);
        p.utility_male = u.number("male", Bound::utility_coefficient);
        p.utility_age = u.number("age", Bound::utility_coefficient);
        p.utility_age_squared = u.number("age_squared", Bound::utility_coefficient);
        u.finish();
    }

    // Regimens: "none" is index 0 and built in.
    scenario.regimen_names = {"none"};
    scenario.regimen_labels = {"No prophylaxis"};
    p.regimen[0] = RegimenParams{};
    p.regimen[0].response_classes = 1;
    p.regimen[0].response_share[0] = 1.0;
    p.regimen[0].attack_rate_ratio[0] = 1.0;
    p.regimen[0].attack_death_multiplier = 1.0;
    auto regimens = top.array_of_tables("regimens", false);
    std::vector<std::string> shared_with(kMaxRegimens);
    std::vector<TableReader*> regimen_readers(kMaxRegimens, nullptr);
    for (auto& r : regimens) {
        const std::string name = r.string("name", "ivig_2g");
        const std::string label = r.optional_string("label").value_or(name);
        if (name == "none") {
            r.report("name", "\"none\" is built in (no prophylaxis: rate ratio 1, no cost) — give this regimen another name");
            continue;
        }
        if (std::find(scenario.regimen_names.begin(), scenario.regimen_names.end(), name) != scenario.regimen_names.end()) {
            r.report("name", fmt::format("\"{}\" is defined twice (regimens are referred to by name) — rename one", name));
            continue;
        }
        if (scenario.regimen_names.size() >= static_cast<std::size_t>(kMaxRegimens)) {
            r.report("name", fmt::format("is regimen number {} (at most {} including \"none\") — drop unused regimens",
                                         scenario.regimen_names.size() + 1, kMaxRegimens));
            continue;
        }
        const int index = static_cast<int>(scenario.regimen_names.size());
        scenario.regimen_names.push_back(name);
        scenario.regimen_labels.push_back(label);
        p.regimen[index] = RegimenParams{};
        shared_with[index] = r.optional_string("response_shared_with").value_or("");
        regimen_readers[index] = &r;
        read_regimen(r, p.regimen[index], issues);
        r.finish();
    }
    p.regimens = static_cast<int>(scenario.regimen_names.size());
    auto regimen_index = [&](const std::string& name) -> int {
        auto it = std::find(scenario.regimen_names.begin(), scenario.regimen_names.end(), name);
        return it == scenario.regimen_names.end() ? kNoRegimen : static_cast<int>(it - scenario.regimen_names.begin());
    };
    std::string regimen_list;
    for (const auto& n : scenario.regimen_names) {
        regimen_list += (regimen_list.empty() ? "\"" : ", \"") + n + "\"";
    }
    for (int r = 0; r < p.regimens; ++r) {
        p.regimen[r].response_slot = r;
        if (!shared_with[r].empty()) {
            const int other = regimen_index(shared_with[r]);
            if (other == kNoRegimen || other == r) {
                regimen_readers[r]->report("response_shared_with",
                                           fmt::format("names \"{}\" (not another defined regimen) — use one of {}", shared_with[r], regimen_list));
            } else {
                p.regimen[r].response_slot = other;
            }
        }
    }
    for (int r = 0; r < p.regimens; ++r) {  // follow chains a -> b -> c to one slot
        int slot = p.regimen[r].response_slot;
        for (int hop = 0; hop < kMaxRegimens && p.regimen[slot].response_slot != slot; ++hop) {
            slot = p.regimen[slot].response_slot;
        }
        p.regimen[r].response_slot = slot;
    }

    // Strategies.
    auto strategies = top.array_of_tables("strategies", true);
    for (auto& s : strategies) {
        const std::string name = s.string("name", "no_prophylaxis");
        const std::string label = s.optional_string("label").value_or(name);
        if (std::find(scenario.strategy_names.begin(), scenario.strategy_names.end(), name) != scenario.strategy_names.end()) {
            s.report("name", fmt::format("\"{}\" is defined twice (strategies are referred to by name) — rename one", name));
            continue;
        }
        if (scenario.strategy_names.size() >= static_cast<std::size_t>(kMaxStrategies)) {
            s.report("name", fmt::format("is strategy number {} (at most {}) — split the comparison into several runs",
                                         scenario.strategy_names.size() + 1, kMaxStrategies));
            continue;
        }
        const int index = static_cast<int>(scenario.strategy_names.size());
        scenario.strategy_names.push_back(name);
        scenario.strategy_labels.push_back(label);
        StrategyParams& st = p.strategy[index];
        for (int r = 0; r < kMaxRegimens; ++r) {
            st.escalate_to[r] = kNoRegimen;
            st.deescalate_to[r] = kNoRegimen;
            st.on_discontinuation[r] = 0;
            st.escalate_after_attacks[r] = 0;
            st.escalate_window_years[r] = 0.0;
            st.deescalate_after_years[r] = 0.0;
        }
        auto resolve = [&](TableReader& reader, std::string_view key, const std::string& regimen_name) {
            const int r = regimen_index(regimen_name);
            if (r == kNoRegimen) {
                reader.report(key, fmt::format("names regimen \"{}\" (not defined in [[regimens]]) — use one of {}", regimen_name, regimen_list));
                return 0;
            }
            return r;
        };
        st.start_regimen = resolve(s, "start_regimen", s.string("start_regimen", "none"));
        st.start_after_attacks = static_cast<int>(s.integer("start_after_attacks", 0, 1000, 0));
        if (const toml::node* node = s.take("on_discontinuation")) {
            if (auto single = node->value<std::string>()) {
                const int to = resolve(s, "on_discontinuation", *single);
                for (int r = 0; r < kMaxRegimens; ++r) {
                    st.on_discontinuation[r] = to;
                }
            } else if (const toml::table* map = node->as_table()) {
                TableReader m(map, s.key_path("on_discontinuation"), source_name, issues);
                for (const auto& [from, to] : *map) {
                    const std::string from_name(from.str());
                    const int from_index = resolve(m, from_name, from_name);
                    m.take(from_name);
                    if (auto to_name = to.value<std::string>()) {
                        st.on_discontinuation[from_index] = resolve(m, from_name, *to_name);
                    } else {
                        m.report(from_name, "is not a regimen name — write from_regimen = \"to_regimen\"", &to);
                    }
                }
            } else {
                s.report("on_discontinuation", "must be a regimen name or a table { from = \"to\" } — e.g. on_discontinuation = { ivig_2g = \"none\" }", node);
            }
        }
        for (auto& rule : s.array_of_tables("escalate", false)) {
            const int from = resolve(rule, "from", rule.string("from", "theo_terb"));
            const int to = resolve(rule, "to", rule.string("to", "ivig_2g"));
            if (st.escalate_to[from] != kNoRegimen) {
                rule.report("from", "has a second escalation rule (one rule per regimen) — merge the rules");
            }
            st.escalate_to[from] = to;
            // The model keeps the times of the last kMaxEscalationAttacks attacks.
            st.escalate_after_attacks[from] = static_cast<int>(rule.integer("after_attacks", 1, kMaxEscalationAttacks));
            // "After k attacks, ever": leave within_months out, or write inf.
            const toml::node* window = rule.raw() ? rule.raw()->get("within_months") : nullptr;
            const bool ever = !window || (window->is_floating_point() && *window->value<double>() == kInfinity);
            if (ever) {
                rule.take("within_months");
            }
            st.escalate_window_years[from] = ever ? kInfinity : rule.number("within_months", Bound::months) / kMonthsPerYear;
            rule.finish();
        }
        for (auto& rule : s.array_of_tables("deescalate", false)) {
            const int from = resolve(rule, "from", rule.string("from", "ivig_2g"));
            const int to = resolve(rule, "to", rule.string("to", "ivig_1g"));
            if (st.deescalate_to[from] != kNoRegimen) {
                rule.report("from", "has a second de-escalation rule (one rule per regimen) — merge the rules");
            }
            st.deescalate_to[from] = to;
            st.deescalate_after_years[from] = rule.number("after_attack_free_months", Bound::months) / kMonthsPerYear;
            rule.finish();
        }
        s.finish();
    }
    p.strategies = static_cast<int>(scenario.strategy_names.size());
    {
        auto it = std::find(scenario.strategy_names.begin(), scenario.strategy_names.end(), comparator_name);
        if (it == scenario.strategy_names.end()) {
            if (!comparator_name.empty() && p.strategies > 0) {
                TableReader s(root.get("simulation") ? root.get("simulation")->as_table() : nullptr, "simulation", source_name, issues);
                s.report("comparator", fmt::format("names \"{}\" (not a defined strategy) — use one of the [[strategies]] names", comparator_name));
            }
        } else {
            scenario.comparator = static_cast<int>(it - scenario.strategy_names.begin());
        }
    }
    p.comparator = scenario.comparator;
    top.finish();

    if (!issues.empty()) {
        // A problem at an overridden key is the command line's, not the file's.
        for (auto& issue : issues) {
            for (const auto& o : applied) {
                if (issue.key == o.key || issue.file == o.source) {
                    issue.file = o.source;
                    issue.line = 0;  // a command-line value has no line
                }
            }
        }
        throw InputError(std::move(issues));
    }
    p.months_in_grid = static_cast<int>(std::ceil(kMonthsPerYear * (p.horizon_age_years - p.age_min_years)));
    return scenario;
}

Scenario load_scenario_file(const std::filesystem::path& path, const std::vector<Override>& overrides)
{
    Scenario scenario = load_scenario(read_input_file(path, "scenario file"), path.string(), path.parent_path(), overrides);
    scenario.input_files.insert(scenario.input_files.begin(), path);
    return scenario;
}

}  // namespace scls
