// [[regimens]], [[strategies]] and [cohort] of a scenario (see
// scenario_sections.hpp): names resolved to indices in ModelParams, every
// problem reported with its file, line and key.
#include <algorithm>
#include <cmath>
#include <set>

#include "host/scenario/scenario_sections.hpp"
#include "kernels/core/math.hpp"

namespace scls::detail {

namespace {

constexpr const char* kSeverityKeys[kSeverities] = {"mild", "ward", "icu"};
constexpr int kMaxResponseLinks = kMaxRegimens;  // longest chain of relative_to / response_shared_with

// How a regimen's response refers to another's: sharing the patient's
// response draws (response_shared_with), or also taking that regimen's
// response with the rate ratios scaled (relative_to, e.g. a lower dose).
struct ResponseLink {
    std::string shared_with;
    std::string relative_to;
    double rate_ratio_factor = 1.0;
    TableReader* reader = nullptr;
};

void read_response_class(TableReader& cls, RegimenParams& regimen, int i, bool with_share)
{
    regimen.response_share[i] = with_share ? cls.number("share", Bound::probability) : 1.0;
    regimen.attack_rate_ratio[i] = cls.number("attack_rate_ratio", Bound::rate_ratio, "the class's median rate ratio");
    regimen.attack_rate_ratio_log_sd[i] = cls.number_or("log_sd", Bound::log_sd, 0.0);
    cls.finish(with_share ? "share, attack_rate_ratio, log_sd" : "attack_rate_ratio, log_sd");
}

// The effect on the attack rate: one ratio for everybody, a response (one
// class with a spread between patients, or a mixture of classes), or a
// response relative to another regimen's.
void read_effect(TableReader& r, RegimenParams& regimen, ResponseLink& link, std::vector<InputIssue>& issues)
{
    const int forms = (r.has("attack_rate_ratio") ? 1 : 0) + (r.has("response") ? 1 : 0) + (r.has("relative_to") ? 1 : 0);
    regimen.response_classes = 1;
    regimen.response_share[0] = 1.0;
    regimen.attack_rate_ratio[0] = 1.0;
    if (forms != 1) {
        for (const char* key : {"attack_rate_ratio", "response", "relative_to", "rate_ratio_factor"}) {
            r.take(key);  // reported once below, not again as unknown
        }
        r.report(forms == 0 ? "attack_rate_ratio" : "response",
                 "the regimen's effect must be given once — give attack_rate_ratio = <ratio>, response = { attack_rate_ratio "
                 "= <median>, log_sd = <spread> } (or a list of response classes with shares), or relative_to = \"<regimen>\" "
                 "with rate_ratio_factor");
        return;
    }
    if (r.has("attack_rate_ratio")) {
        regimen.attack_rate_ratio[0] = r.number("attack_rate_ratio", Bound::rate_ratio);
    } else if (r.has("relative_to")) {
        link.relative_to = r.string("relative_to", "ivig_2g");
        link.rate_ratio_factor = r.number("rate_ratio_factor", Bound::rate_ratio, "the regimen's rate ratios relative to the other's");
    } else {
        const toml::node* node = r.take("response");
        const std::string file = origin_of(*node, "").file;
        if (const toml::table* single = node->as_table()) {
            TableReader cls(single, r.key_path("response"), file, issues);
            read_response_class(cls, regimen, 0, false);
            return;
        }
        const toml::array* array = node->as_array();
        if (!array || !array->is_array_of_tables() || array->empty() || array->size() > kMaxResponseClasses) {
            r.report("response",
                     fmt::format("must be one response {{ attack_rate_ratio = 0.1, log_sd = 1.0 }} or a list of 1 to {} classes — "
                                 "write response = [{{ share = 0.6, attack_rate_ratio = 0.05 }}, {{ share = 0.4, attack_rate_ratio = "
                                 "0.4 }}]",
                                 kMaxResponseClasses),
                     node);
            return;
        }
        regimen.response_classes = static_cast<int>(array->size());
        double share_sum = 0.0;
        for (std::size_t i = 0; i < array->size(); ++i) {
            TableReader cls(array->get(i)->as_table(), fmt::format("{}.response.{}", r.path(), i), file, issues);
            read_response_class(cls, regimen, static_cast<int>(i), true);
            share_sum += regimen.response_share[i];
        }
        check_shares_sum(r, "response", share_sum, "response classes");
    }
}

void read_adverse_events(TableReader& r, RegimenParams& regimen, double infusions_per_year)
{
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
        event.rate_per_year = per_infusion * infusions_per_year + e.number("rate_per_year", Bound::rate_per_year);
        event.cost = e.number("cost", Bound::money);
        event.qaly_loss = e.number("qaly_loss", Bound::utility);
        event.utility_decrement = e.number("utility_decrement", Bound::utility);
        event.death_probability = e.number("death_probability", Bound::probability);
        event.discontinue_probability = e.number("discontinue_probability", Bound::probability);
        regimen.adverse_event_rate_per_year += event.rate_per_year;
        e.finish();
    }
}

// The severity mix of attacks on the regimen: the base shares times the
// regimen's multipliers, renormalised (breakthrough attacks may be milder).
void read_severity_shift(TableReader& r, const ModelParams& p, RegimenParams& regimen)
{
    double multiplier[kSeverities] = {1.0, 1.0, 1.0};
    TableReader shift = r.table("severity_multiplier", false);
    for (int k = 0; k < kSeverities; ++k) {
        multiplier[k] = shift.number_or(kSeverityKeys[k], Bound::multiplier, 1.0);
    }
    shift.finish("mild, ward, icu");
    double total = 0.0;
    for (int k = 0; k < kSeverities; ++k) {
        total += p.severity[k].share * multiplier[k];
    }
    if (total <= 0.0) {
        r.report("severity_multiplier", "leaves no attack any severity (every share times its multiplier is 0) — keep a "
                                        "multiplier above 0 for a severity with a share");
        total = 1.0;
    }
    double cumulative = 0.0;
    for (int k = 0; k < kSeverities; ++k) {
        // Without a shift the sums are those of the base shares, bit for bit.
        cumulative += multiplier[k] == 1.0 && total == 1.0 ? p.severity[k].share : p.severity[k].share * multiplier[k] / total;
        regimen.severity_cumulative[k] = cumulative;
    }
}

void read_regimen(TableReader& r, const ModelParams& p, RegimenParams& regimen, ResponseLink& link, std::vector<InputIssue>& issues)
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
    read_effect(r, regimen, link, issues);
    regimen.max_attack_rate_ratio = r.number_or("max_attack_rate_ratio", Bound::rate_ratio, 1.0);
    regimen.loss_of_response_rate_per_year = r.number_or("loss_of_response_rate_per_year", Bound::rate_per_year, 0.0);
    regimen.lost_attack_rate_ratio = r.number_or("lost_attack_rate_ratio", Bound::rate_ratio, 1.0);
    read_severity_shift(r, p, regimen);
    read_adverse_events(r, regimen, infusions);
}

std::string quoted_list(const std::vector<std::string>& names)
{
    std::string text;
    for (const auto& n : names) {
        text += (text.empty() ? "\"" : ", \"") + n + "\"";
    }
    return text;
}

int index_of(const std::vector<std::string>& names, const std::string& name)
{
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? kNoRegimen : static_cast<int>(it - names.begin());
}

// Response slots (whose draws a regimen uses) and relative responses. A
// relative regimen takes the other's classes with every rate ratio times its
// factor: calibrating the 2 g/kg response moves the 1 g/kg one with it.
void link_responses(const Scenario& scenario, ModelParams& p, std::vector<ResponseLink>& links)
{
    const std::string all = quoted_list(scenario.regimen_names);
    std::vector<int> parent(p.regimens), relative(p.regimens, kNoRegimen);
    for (int r = 0; r < p.regimens; ++r) {
        parent[r] = r;
        ResponseLink& link = links[r];
        if (!link.shared_with.empty() && !link.relative_to.empty() && link.shared_with != link.relative_to) {
            link.reader->report("response_shared_with", fmt::format("names \"{}\" but relative_to names \"{}\" (a response "
                                                                    "relative to a regimen shares its draws) — drop response_shared_with",
                                                                    link.shared_with, link.relative_to));
        }
        for (const auto& [key, target] : {std::pair{"response_shared_with", link.shared_with}, std::pair{"relative_to", link.relative_to}}) {
            const int other = target.empty() ? kNoRegimen : index_of(scenario.regimen_names, target);
            if (!target.empty() && (other == kNoRegimen || other == r)) {
                link.reader->report(key, fmt::format("names \"{}\" (not another defined regimen) — use one of {}", target, all));
            } else if (other != kNoRegimen) {
                parent[r] = other;
                relative[r] = std::string(key) == "relative_to" ? other : relative[r];
            }
        }
    }
    for (int r = 0; r < p.regimens; ++r) {
        int slot = r, source = r, slot_hops = 0, source_hops = 0;
        double factor = 1.0;
        for (; slot_hops < kMaxResponseLinks && parent[slot] != slot; ++slot_hops) {
            slot = parent[slot];
        }
        for (; source_hops < kMaxResponseLinks && relative[source] != kNoRegimen; ++source_hops) {
            factor *= links[source].rate_ratio_factor;
            source = relative[source];
        }
        if (slot_hops >= kMaxResponseLinks || source_hops >= kMaxResponseLinks) {
            links[r].reader->report("relative_to", "leads round in a circle (regimens refer to each other) — let one regimen give "
                                                   "its own response");
            continue;
        }
        RegimenParams& regimen = p.regimen[r];
        regimen.response_slot = slot;
        if (source != r) {
            const RegimenParams& from = p.regimen[source];
            regimen.response_classes = from.response_classes;
            for (int c = 0; c < from.response_classes; ++c) {
                regimen.response_share[c] = from.response_share[c];
                regimen.attack_rate_ratio[c] = from.attack_rate_ratio[c] * factor;
                regimen.attack_rate_ratio_log_sd[c] = from.attack_rate_ratio_log_sd[c];
            }
        }
    }
}

}  // namespace

void check_shares_sum(TableReader& reader, std::string_view key, double sum, std::string_view what)
{
    if (std::fabs(sum - 1.0) > 1e-6) {
        reader.report(key, fmt::format("shares sum to {:.6g} ({} are mutually exclusive and exhaustive) — make them sum to 1",
                                       sum, what));
    }
}

// A new entry's name is unique among its kind and within the kind's limit;
// otherwise the problem is reported and the entry skipped.
bool admit_name(TableReader& r, const std::vector<std::string>& names, const std::string& name, const char* kind, int limit,
                std::string_view limit_note, std::string_view too_many_remedy)
{
    if (index_of(names, name) != kNoRegimen) {
        r.report("name", fmt::format("\"{}\" is defined twice (each {} is referred to by its name) — rename one", name, kind));
        return false;
    }
    if (names.size() >= static_cast<std::size_t>(limit)) {
        r.report("name", fmt::format("is {} number {} (at most {}{}) — {}", kind, names.size() + 1, limit, limit_note, too_many_remedy));
        return false;
    }
    return true;
}

void read_regimens(TableReader& top, Scenario& scenario, std::vector<InputIssue>& issues)
{
    ModelParams& p = scenario.params;
    scenario.regimen_names = {"none"};
    scenario.regimen_labels = {"No prophylaxis"};
    p.regimen[0] = RegimenParams{};
    p.regimen[0].response_classes = 1;
    p.regimen[0].response_share[0] = 1.0;
    p.regimen[0].attack_rate_ratio[0] = 1.0;
    p.regimen[0].attack_death_multiplier = 1.0;
    p.regimen[0].max_attack_rate_ratio = 1.0;
    p.regimen[0].lost_attack_rate_ratio = 1.0;
    double cumulative = 0.0;
    for (int k = 0; k < kSeverities; ++k) {
        cumulative += p.severity[k].share;
        p.regimen[0].severity_cumulative[k] = cumulative;
    }
    auto regimens = top.array_of_tables("regimens", false);
    std::vector<ResponseLink> links(kMaxRegimens);
    for (auto& r : regimens) {
        const std::string name = r.string("name", "ivig_2g");
        const std::string label = r.optional_string("label").value_or(name);
        if (name == "none") {
            r.report("name", "\"none\" is built in (no prophylaxis: rate ratio 1, no cost) — give this regimen another name");
            continue;
        }
        if (!admit_name(r, scenario.regimen_names, name, "regimen", kMaxRegimens, " including \"none\"", "drop unused regimens")) {
            continue;
        }
        const auto index = scenario.regimen_names.size();
        scenario.regimen_names.push_back(name);
        scenario.regimen_labels.push_back(label);
        p.regimen[index] = RegimenParams{};
        links[index].shared_with = r.optional_string("response_shared_with").value_or("");
        links[index].reader = &r;
        read_regimen(r, p, p.regimen[index], links[index], issues);
        r.finish();
    }
    p.regimens = static_cast<int>(scenario.regimen_names.size());
    link_responses(scenario, p, links);
}

namespace {

// Why a name is undefined when a [remove] list took it out: a name that was
// in the extended scenario is otherwise a puzzle.
std::string removal_note(const Scenario& scenario, std::string_view list, const std::string& name)
{
    for (const ScenarioChange& change : scenario.changes) {
        if (change.action == "removes" && change.path == fmt::format("{}.{}", list, name)) {
            return fmt::format("; [remove] in {} removed it", change.file);
        }
    }
    return "";
}

// Resolves a regimen name at key; reports it (and gives 0, "none") when unknown.
int resolve_regimen(const Scenario& scenario, TableReader& reader, std::string_view key, const std::string& name)
{
    const int r = index_of(scenario.regimen_names, name);
    if (r == kNoRegimen) {
        reader.report(key, fmt::format("names regimen \"{}\" (not defined in [[regimens]]{}){} — use one of {}", name,
                                       removal_note(scenario, "regimens", name), did_you_mean(name, scenario.regimen_names),
                                       quoted_list(scenario.regimen_names)));
        return 0;
    }
    return r;
}

void read_on_discontinuation(TableReader& s, const Scenario& scenario, StrategyParams& st, std::vector<InputIssue>& issues)
{
    const toml::node* node = s.take("on_discontinuation");
    if (!node) {
        return;
    }
    if (auto single = node->value<std::string>()) {
        const int to = resolve_regimen(scenario, s, "on_discontinuation", *single);
        for (int r = 0; r < kMaxRegimens; ++r) {
            st.on_discontinuation[r] = to;
        }
    } else if (const toml::table* map = node->as_table()) {
        TableReader m(map, s.key_path("on_discontinuation"), scenario.source_name, issues);
        for (const auto& [from, to] : *map) {
            const std::string from_name(from.str());
            const int from_index = resolve_regimen(scenario, m, from_name, from_name);
            m.take(from_name);
            if (auto to_name = to.value<std::string>()) {
                st.on_discontinuation[from_index] = resolve_regimen(scenario, m, from_name, *to_name);
            } else {
                m.report(from_name, "is not a regimen name — write from_regimen = \"to_regimen\"", &to);
            }
        }
    } else {
        s.report("on_discontinuation",
                 "must be a regimen name or a table { from = \"to\" } — e.g. on_discontinuation = { ivig_2g = \"none\" }", node);
    }
}

void read_switch_rules(TableReader& s, const Scenario& scenario, StrategyParams& st)
{
    for (auto& rule : s.array_of_tables("escalate", false)) {
        const int from = resolve_regimen(scenario, rule, "from", rule.string("from", "theo_terb"));
        const int to = resolve_regimen(scenario, rule, "to", rule.string("to", "ivig_2g"));
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
        const int from = resolve_regimen(scenario, rule, "from", rule.string("from", "ivig_2g"));
        const int to = resolve_regimen(scenario, rule, "to", rule.string("to", "ivig_1g"));
        if (st.deescalate_to[from] != kNoRegimen) {
            rule.report("from", "has a second de-escalation rule (one rule per regimen) — merge the rules");
        }
        st.deescalate_to[from] = to;
        st.deescalate_after_years[from] = rule.number("after_attack_free_months", Bound::months) / kMonthsPerYear;
        rule.finish();
    }
}

void read_strategy(TableReader& s, const Scenario& scenario, StrategyParams& st, std::vector<InputIssue>& issues)
{
    for (int r = 0; r < kMaxRegimens; ++r) {
        st.escalate_to[r] = kNoRegimen;
        st.deescalate_to[r] = kNoRegimen;
        st.on_discontinuation[r] = 0;
        st.escalate_after_attacks[r] = 0;
        st.escalate_window_years[r] = 0.0;
        st.deescalate_after_years[r] = 0.0;
    }
    st.start_regimen = resolve_regimen(scenario, s, "start_regimen", s.string("start_regimen", "none"));
    st.start_after_attacks = static_cast<int>(s.integer("start_after_attacks", 0, 1000, 0));
    read_on_discontinuation(s, scenario, st, issues);
    read_switch_rules(s, scenario, st);
}

}  // namespace

void read_strategies(TableReader& top, Scenario& scenario, const std::string& comparator_name, std::vector<InputIssue>& issues)
{
    ModelParams& p = scenario.params;
    for (auto& s : top.array_of_tables("strategies", true)) {
        const std::string name = s.string("name", "no_prophylaxis");
        const std::string label = s.optional_string("label").value_or(name);
        if (!admit_name(s, scenario.strategy_names, name, "strategy", kMaxStrategies, "", "split the comparison into several runs")) {
            continue;
        }
        read_strategy(s, scenario, p.strategy[scenario.strategy_names.size()], issues);
        scenario.strategy_names.push_back(name);
        scenario.strategy_labels.push_back(label);
        s.finish();
    }
    p.strategies = static_cast<int>(scenario.strategy_names.size());
    const int comparator = index_of(scenario.strategy_names, comparator_name);
    if (comparator == kNoRegimen) {
        if (!comparator_name.empty() && p.strategies > 0) {
            TableReader simulation = top.table("simulation", false);
            simulation.report("comparator", fmt::format("names \"{}\" (not a defined strategy{}){} — use one of {}", comparator_name,
                                                        removal_note(scenario, "strategies", comparator_name),
                                                        did_you_mean(comparator_name, scenario.strategy_names),
                                                        quoted_list(scenario.strategy_names)));
        }
    } else {
        scenario.comparator = comparator;
    }
    p.comparator = scenario.comparator;
}

void read_cohort(TableReader& top, Scenario& scenario)
{
    ModelParams& p = scenario.params;
    TableReader cohort = top.table("cohort", false);
    p.ever_treated_mask = 0;
    for (const std::string& name : cohort.optional_strings("ever_treated").value_or(std::vector<std::string>{})) {
        const int r = resolve_regimen(scenario, cohort, "ever_treated", name);
        if (r == 0) {
            cohort.report("ever_treated", "includes \"none\" (no prophylaxis is no treatment) — list the regimens that count as treated");
        }
        p.ever_treated_mask |= 1u << r;
    }
    // A registry knows the treatment a patient received by the end of its follow-up (EurêClark: a median 5.1 years).
    p.as_treated_within_years = cohort.number_or("as_treated_within_years", Bound::positive_years, kInfinity);
    // A study's observed attack rates count only patients followed long enough (short windows give extreme rates).
    p.observed_rate_min_years = cohort.number_or("observed_rate_min_years", Bound::years, 1.0);
    // Before/after studies follow patients on prophylaxis for a limited time (Xie 2015: a median of 32 months).
    p.within_patient_window_years =
        cohort.number_or("within_patient_window_years", Bound::positive_years, kInfinity);
    cohort.finish("ever_treated, as_treated_within_years, observed_rate_min_years, within_patient_window_years");
}

}  // namespace scls::detail
