// Targets files: reading, checking against the scenario, and computing each
// target statistic from a run's summaries.
#include "host/calibration/targets.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <fmt/ranges.h>
#include <sstream>

#include "host/io/files.hpp"
#include "host/scenario/toml_reader.hpp"

namespace scls {

const char* to_string(TargetStatistic statistic)
{
    switch (statistic) {
        case TargetStatistic::survival: return "survival";
        case TargetStatistic::attack_free: return "attack_free";
        case TargetStatistic::attack_rate: return "attack_rate";
        case TargetStatistic::attack_rate_ratio: return "attack_rate_ratio";
        case TargetStatistic::death_share: return "death_share";
        case TargetStatistic::death_per_attack: return "death_per_attack";
        case TargetStatistic::death_before_diagnosis: return "death_before_diagnosis";
        case TargetStatistic::ever_treated_share: return "ever_treated_share";
        case TargetStatistic::within_patient_rate_ratio: return "within_patient_rate_ratio";
        case TargetStatistic::observed_rate: return "observed_rate";
        case TargetStatistic::observed_rate_min: return "observed_rate_min";
        case TargetStatistic::observed_rate_max: return "observed_rate_max";
    }
    return "?";
}

bool is_probability(TargetStatistic statistic)
{
    switch (statistic) {
        case TargetStatistic::attack_rate:
        case TargetStatistic::attack_rate_ratio:
        case TargetStatistic::within_patient_rate_ratio:
        case TargetStatistic::observed_rate:
        case TargetStatistic::observed_rate_min:
        case TargetStatistic::observed_rate_max: return false;
        default: return true;
    }
}

namespace {

// Every statistic, in the order messages and file descriptions list them.
constexpr TargetStatistic kStatistics[] = {
    TargetStatistic::survival,           TargetStatistic::attack_free,           TargetStatistic::attack_rate,
    TargetStatistic::attack_rate_ratio,  TargetStatistic::death_share,           TargetStatistic::death_per_attack,
    TargetStatistic::death_before_diagnosis, TargetStatistic::ever_treated_share, TargetStatistic::within_patient_rate_ratio,
    TargetStatistic::observed_rate,      TargetStatistic::observed_rate_min,     TargetStatistic::observed_rate_max};
constexpr const char* kCauseNames[kDeathCauses] = {"attack", "background", "myeloma", "adverse_event"};
constexpr double kZ95 = 1.959963984540054;

std::optional<TargetStatistic> parse_statistic(const std::string& text)
{
    for (auto s : kStatistics) {
        if (text == to_string(s)) {
            return s;
        }
    }
    return std::nullopt;
}

std::string strategy_list(const Scenario& scenario)
{
    return fmt::format("{}", fmt::join(scenario.strategy_names, ", "));
}

// strategies = "ivig" or strategies = { ivig = 0.74, no_prophylaxis = 0.26 }.
StrategyMix read_mix(TableReader& reader, std::string_view key, const Scenario& scenario, bool required)
{
    StrategyMix mix;
    const toml::node* node = reader.take(key);
    if (!node) {
        if (required) {
            reader.report(key, fmt::format("is missing — name a strategy (\"ivig\") or a mix ({{ ivig = 0.74, "
                                           "no_prophylaxis = 0.26 }}) of: {}",
                                           strategy_list(scenario)));
        }
        return mix;
    }
    auto index_of = [&](const std::string& name) -> int {
        const auto& names = scenario.strategy_names;
        const auto found = std::find(names.begin(), names.end(), name);
        if (found == names.end()) {
            reader.report(key, fmt::format("names the strategy \"{}\", which the scenario does not have — use one of: {}", name,
                                           strategy_list(scenario)),
                          node);
            return -1;
        }
        return static_cast<int>(found - names.begin());
    };
    if (auto single = node->value_exact<std::string>()) {
        if (const int index = index_of(*single); index >= 0) {
            mix.shares.emplace_back(index, 1.0);
        }
        mix.text = *single;
        return mix;
    }
    const toml::table* table = node->as_table();
    if (!table || table->empty()) {
        reader.report(key, fmt::format("is {} (a strategy name or a table of strategy shares) — write e.g. {} = {{ ivig = 0.74, "
                                       "no_prophylaxis = 0.26 }}",
                                       TableReader::describe(*node), key),
                      node);
        return mix;
    }
    double sum = 0.0;
    for (const auto& [name, share_node] : *table) {
        const auto share = share_node.value<double>();
        if (!share || !(share_node.is_floating_point() || share_node.is_integer()) || *share < 0.0 || *share > 1.0) {
            reader.report(key, fmt::format("gives strategy {} the share {} — shares are numbers in [0, 1]", name.str(),
                                           TableReader::describe(share_node)),
                          &share_node);
            continue;
        }
        if (const int index = index_of(std::string(name.str())); index >= 0) {
            mix.shares.emplace_back(index, *share);
        }
        mix.text += fmt::format("{}{} {:g}", mix.text.empty() ? "" : ", ", name.str(), *share);
        sum += *share;
    }
    if (std::fabs(sum - 1.0) > 1e-6) {
        reader.report(key, fmt::format("shares sum to {:.6g} (a mix describes one group of patients) — make them sum to 1", sum), node);
    }
    return mix;
}

void read_fit(TableReader& fit, TargetSet& set)
{
    set.patients = static_cast<std::uint64_t>(fit.integer("patients", 1000, 0xFFFFFFFFll, 100000));
    set.seed = static_cast<std::uint64_t>(fit.integer("seed", 0, std::numeric_limits<std::int64_t>::max(), 1));
    if (auto algorithm = fit.optional_string("algorithm")) {
        const std::map<std::string, CalibrationAlgorithm> known{{"sbplx", CalibrationAlgorithm::sbplx},
                                                                {"neldermead", CalibrationAlgorithm::nelder_mead},
                                                                {"bobyqa", CalibrationAlgorithm::bobyqa},
                                                                {"cobyla", CalibrationAlgorithm::cobyla}};
        if (auto found = known.find(*algorithm); found != known.end()) {
            set.algorithm = found->second;
        } else {
            fit.report("algorithm", fmt::format("is \"{}\" (not an NLopt derivative-free method sclsim offers) — use sbplx, "
                                                "neldermead, bobyqa or cobyla",
                                                *algorithm));
        }
    }
    set.starts = static_cast<int>(fit.integer("starts", 1, 1000, 1));
    set.max_evaluations = static_cast<int>(fit.integer("max_evaluations", 10, 1000000, 300));
    set.relative_tolerance = fit.number_or("relative_tolerance", Bound::positive, 1e-3);
    const std::string method = fit.optional_string("method").value_or("optimize");
    if (method == "imis") {
        set.method = CalibrationMethod::imis;
    } else if (method != "optimize") {
        fit.report("method", fmt::format("is \"{}\" — use \"optimize\" (a best fit) or \"imis\" (a posterior sample)", method));
    }
    ImisSettings& imis = set.imis;
    imis.prior_draws = static_cast<int>(fit.integer("prior_draws", 100, 1000000, imis.prior_draws));
    imis.draws_per_step = static_cast<int>(fit.integer("draws_per_step", 10, 100000, imis.draws_per_step));
    imis.posterior_draws = static_cast<int>(fit.integer("posterior_draws", 100, 100000, imis.posterior_draws));
    imis.max_steps = static_cast<int>(fit.integer("max_steps", 1, 10000, imis.max_steps));
    fit.finish("patients, seed, method, algorithm, starts, max_evaluations, relative_tolerance, prior_draws, draws_per_step, "
               "posterior_draws, max_steps");
}

// A fitted parameter's prior (Bayesian calibration): prior = { distribution =
// "beta", mean = 0.2, sd = 0.1 } or any PSA distribution, truncated to the
// parameter's bounds; without one, uniform on the parameter's scale.
void read_prior(TableReader& r, FittedParameter& p)
{
    if (!r.has("prior")) {
        return;
    }
    TableReader prior = r.table("prior");
    p.prior = read_distribution(prior, 1);
    prior.take("source");  // free text: where the prior comes from
    prior.finish();
    if (p.prior.kind == DistributionKind::dirichlet) {
        r.report("prior", "is a Dirichlet (a fitted parameter is one number; a share's group is kept by balance) — use a beta");
        p.prior = Distribution{};
    } else if (p.has_prior() && p.lower < p.upper && !(p.prior.cdf(p.upper) - p.prior.cdf(p.lower) > 1e-12)) {
        r.report("prior", fmt::format("{} puts no probability on [{}, {}] (the bounds truncate it) — move the prior or the bounds",
                                      p.prior.describe(), p.lower, p.upper));
    }
}

std::optional<double> scenario_number(TableReader& reader, std::string_view key, const std::string& path,
                                      const toml::table& scenario_root)
{
    if (is_run_setting(path)) {
        reader.report(key, fmt::format("is \"{}\", a run setting (only model parameters can be fitted) — name a model "
                                       "parameter, e.g. attacks.severity.icu.share",
                                       path));
        return std::nullopt;
    }
    std::string problem;
    const toml::node* node = find_key_path(scenario_root, path, problem);
    if (!node) {
        reader.report(key, fmt::format("is \"{}\": {}", path, problem));
        return std::nullopt;
    }
    if (!(node->is_floating_point() || node->is_integer())) {
        reader.report(key, fmt::format("is \"{}\", which is {} in the scenario (only numbers can be fitted) — name a numeric "
                                       "parameter",
                                       path, TableReader::describe(*node)));
        return std::nullopt;
    }
    return node->value<double>();
}

void read_parameter(TableReader& r, const toml::table& scenario_root, TargetSet& set)
{
    FittedParameter p;
    p.path = r.string("path", "attacks.heterogeneity_sigma");
    p.lower = r.number("lower", Bound::any);
    p.upper = r.number("upper", Bound::any);
    const std::string scale = r.optional_string("scale").value_or("linear");
    if (scale != "linear" && scale != "log") {
        r.report("scale", fmt::format("is \"{}\" — use \"linear\" or \"log\"", scale));
    }
    p.log_scale = scale == "log";
    p.balance = r.optional_string("balance").value_or("");
    if (!(p.lower < p.upper)) {
        r.report("upper", fmt::format("is {} with lower = {} (the search interval is empty) — make lower < upper", p.upper, p.lower));
    } else if (p.log_scale && p.lower <= 0.0) {
        r.report("lower", fmt::format("is {} on a log scale (logarithms need positive bounds) — use lower > 0 or scale = \"linear\"",
                                      p.lower));
    }
    if (!p.path.empty()) {
        if (auto initial = scenario_number(r, "path", p.path, scenario_root)) {
            p.initial = *initial;
            if (p.lower < p.upper && (p.initial < p.lower || p.initial > p.upper)) {
                r.report("path", fmt::format("{} is {} in the scenario, outside [{}, {}] (the search starts there) — widen the bounds "
                                             "or change the scenario",
                                             p.path, p.initial, p.lower, p.upper));
            }
        }
        for (const auto& other : set.parameters) {
            if (other.path == p.path) {
                r.report("path", fmt::format("fits {} a second time — list each parameter once", p.path));
            }
        }
    }
    if (!p.balance.empty()) {
        if (auto initial = scenario_number(r, "balance", p.balance, scenario_root)) {
            p.balance_initial = *initial;
        }
        if (p.balance == p.path) {
            r.report("balance", "is the fitted parameter itself — name another share of the same group, e.g. the mild severity's");
        }
    }
    read_prior(r, p);
    r.finish("path, lower, upper, scale, balance, prior");
    set.parameters.push_back(p);
}

// survival: from = "entry" (the default) or "diagnosis", and an as-treated
// group (as a registry groups its patients by the treatment they ever had).
void read_follow_up(TableReader& r, const Scenario& scenario, Target& t)
{
    const ModelParams& p = scenario.params;
    const std::string from = r.optional_string("from").value_or("entry");
    const std::optional<std::string> group = r.optional_string("as_treated");
    if (t.statistic != TargetStatistic::survival) {
        for (const char* key : {"from", "as_treated"}) {
            if (r.has(key)) {
                r.report(key, "is only used by statistic survival — remove it");
            }
        }
        return;
    }
    if (from != "entry" && from != "diagnosis") {
        r.report("from", fmt::format("is \"{}\" (when follow-up starts) — use \"entry\" (the cohort's entry) or \"diagnosis\"", from));
    }
    t.since_diagnosis = from == "diagnosis" || group.has_value();
    if (group) {
        if (*group != "ever" && *group != "never") {
            r.report("as_treated", fmt::format("is \"{}\" — use \"ever\" or \"never\" (on a regimen of the scenario's "
                                               "[cohort] ever_treated)", *group));
        } else if (p.ever_treated_mask == 0) {
            r.report("as_treated", "needs the scenario to say which regimens count as treatment — add [cohort] ever_treated = "
                                   "[\"ivig_2g\", ...] to the scenario");
        }
        t.as_treated = *group == "never" ? static_cast<int>(AsTreated::never) : static_cast<int>(AsTreated::ever);
    }
    if (t.since_diagnosis && !p.diagnosis_curves) {
        r.report("from", "survival from diagnosis is the survival from entry for a cohort entering at diagnosis — remove from, "
                         "or enter the cohort at onset ([pathway] start = \"onset\")");
    }
}

// observed_rate: `quantile`; observed_rate_min/max: `cohort_size`, read as the
// median of the cohort's lowest or highest rate: the quantile 1 - 0.5^(1/n) or 0.5^(1/n).
void read_observed_rate(TableReader& r, Target& t)
{
    const bool quantile = t.statistic == TargetStatistic::observed_rate;
    const bool extreme = t.statistic == TargetStatistic::observed_rate_min || t.statistic == TargetStatistic::observed_rate_max;
    if (quantile) {
        t.quantile = r.number("quantile", Bound::probability, "which quantile of the observed rates, e.g. 0.5 for the median");
    } else if (r.has("quantile")) {
        r.take("quantile");
        r.report("quantile", "is only used by statistic observed_rate — remove it");
    }
    if (extreme) {
        t.cohort_size = static_cast<int>(r.integer("cohort_size", 1, 1000000));
        const double median_of_min = 1.0 - std::pow(0.5, 1.0 / std::max(t.cohort_size, 1));
        t.quantile = t.statistic == TargetStatistic::observed_rate_min ? median_of_min : 1.0 - median_of_min;
    } else if (r.has("cohort_size")) {
        r.take("cohort_size");
        r.report("cohort_size", "is only used by statistics observed_rate_min and observed_rate_max — remove it");
    }
}

void read_target(TableReader& r, const Scenario& scenario, TargetSet& set)
{
    Target t;
    t.name = r.string("name", "survival_5y_ivig");
    for (const auto& other : set.targets) {
        if (!t.name.empty() && other.name == t.name) {
            r.report("name", fmt::format("\"{}\" is used twice — give each target its own name", t.name));
        }
    }
    const std::string statistic = r.string("statistic", "survival");
    if (auto parsed = parse_statistic(statistic)) {
        t.statistic = *parsed;
    } else if (!statistic.empty()) {
        r.report("statistic", fmt::format("is \"{}\" (not a statistic sclsim computes) — use one of: {}", statistic, statistic_names()));
    }
    t.strategies = read_mix(r, "strategies", scenario, true);
    const bool needs_years = t.statistic == TargetStatistic::survival || t.statistic == TargetStatistic::attack_free;
    const bool is_ratio = t.statistic == TargetStatistic::attack_rate_ratio;
    if (needs_years) {
        t.years = r.number("years", Bound::positive, "survival and attack_free are read at a time since diagnosis");
    } else if (r.has("years")) {
        r.take("years");
        r.report("years", fmt::format("is not used by statistic {} (it covers the whole follow-up) — remove it", statistic));
    }
    if (auto regimen = r.optional_string("regimen")) {
        const auto& names = scenario.regimen_names;
        const auto found = std::find(names.begin(), names.end(), *regimen);
        if (t.statistic != TargetStatistic::attack_rate && !is_ratio) {
            r.report("regimen", "is only used by attack_rate and attack_rate_ratio — remove it");
        } else if (found == names.end()) {
            r.report("regimen", fmt::format("is \"{}\", which the scenario does not define — use one of: {}", *regimen,
                                            fmt::join(names, ", ")));
        } else {
            t.regimen = static_cast<int>(found - names.begin());
        }
    }
    if (is_ratio) {
        t.reference = read_mix(r, "reference", scenario, true);
    } else if (r.has("reference")) {
        r.take("reference");
        r.report("reference", "is only used by attack_rate_ratio — remove it");
    }
    if (t.statistic == TargetStatistic::death_share) {
        const std::string cause = r.string("cause", "attack");
        const auto found = std::find(std::begin(kCauseNames), std::end(kCauseNames), cause);
        if (found == std::end(kCauseNames)) {
            r.report("cause", fmt::format("is \"{}\" — use attack, background, myeloma or adverse_event", cause));
        }
        t.cause = static_cast<int>(found - std::begin(kCauseNames)) % kDeathCauses;
    } else if (r.has("cause")) {
        r.take("cause");
        r.report("cause", "is only used by death_share — remove it");
    }
    read_follow_up(r, scenario, t);
    read_observed_rate(r, t);
    if (t.statistic == TargetStatistic::ever_treated_share && scenario.params.ever_treated_mask == 0) {
        r.report("statistic", "is ever_treated_share, but the scenario does not say which regimens count as treatment — add "
                              "[cohort] ever_treated = [\"ivig_2g\", ...] to the scenario");
    }
    if (t.statistic == TargetStatistic::death_before_diagnosis && !scenario.params.starts_at_onset) {
        r.report("statistic", "is death_before_diagnosis, but the scenario's cohort enters at diagnosis (nobody dies before it) — "
                              "enter at onset: [pathway] start = \"onset\" with a diagnosis delay");
    }
    t.value = r.number("value", is_probability(t.statistic) ? Bound::probability : Bound::non_negative);
    const std::string scale = r.optional_string("scale").value_or("linear");
    t.log_scale = scale == "log";
    if (scale != "linear" && scale != "log") {
        r.report("scale", fmt::format("is \"{}\" (the scale the target's error is normal on) — use \"linear\" or \"log\"", scale));
    } else if (t.log_scale && !(t.value > 0.0)) {
        r.report("scale", fmt::format("is \"log\" with value = {} (a log scale needs a positive value) — use scale = \"linear\"", t.value));
    }
    const bool has_se = r.has("se");
    const bool has_ci = r.has("ci");
    if (has_se == has_ci) {
        r.take("se");
        r.take("ci");
        r.report(has_se ? "ci" : "se", "the target's uncertainty sets its weight and must be given once — give se = <standard "
                                       "error> or ci = [<lower>, <upper>] (95%)");
    } else if (has_se) {
        t.se = r.number("se", Bound::positive);
    } else {
        const toml::node* node = r.take("ci");
        const toml::array* ci = node->as_array();
        const auto lower = ci && ci->size() == 2 ? ci->get(0)->value<double>() : std::nullopt;
        const auto upper = ci && ci->size() == 2 ? ci->get(1)->value<double>() : std::nullopt;
        if (!lower || !upper || !(*lower < *upper) || t.value < *lower || t.value > *upper || (t.log_scale && !(*lower > 0.0))) {
            r.report("ci", "must be [lower, upper] with lower < value < upper (a 95% interval; above 0 on a log scale) — e.g. ci = "
                           "[0.80, 0.97]", node);
        } else {
            t.se = t.log_scale ? std::log(*upper / *lower) / (2.0 * kZ95) : (*upper - *lower) / (2.0 * kZ95);
            t.ci_lower = *lower;
            t.ci_upper = *upper;
        }
    }
    t.source = r.string("source", "Pineton de Chambrun, Am J Med 2017");
    r.finish("name, statistic, strategies, reference, regimen, years, from, as_treated, quantile, cohort_size, cause, value, scale, se, "
             "ci, source");
    set.targets.push_back(t);
}

}  // namespace

const std::string& statistic_names()
{
    static const std::string names = [] {
        std::string joined;
        for (auto s : kStatistics) {
            joined += (joined.empty() ? "" : ", ") + std::string(to_string(s));
        }
        return joined;
    }();
    return names;
}

TargetSet load_targets(const std::string& text, const std::string& source_name, const Scenario& scenario)
{
    std::vector<InputIssue> issues;
    toml::table root = parse_toml_input(text, source_name);
    const toml::table scenario_root = toml::parse(scenario.effective_text, std::string_view(scenario.source_name));

    TargetSet set;
    set.source_name = source_name;
    set.source_text = text;
    TableReader top(&root, "", source_name, issues);
    set.name = top.string("name", "pineton2017");
    set.description = top.optional_string("description").value_or("");
    {
        TableReader fit = top.table("fit", false);
        read_fit(fit, set);
    }
    auto parameters = top.array_of_tables("parameters", true);
    for (auto& p : parameters) {
        read_parameter(p, scenario_root, set);
    }
    auto targets = top.array_of_tables("targets", true);
    for (auto& t : targets) {
        read_target(t, scenario, set);
    }
    top.finish("name, description, fit, parameters, targets");
    if (issues.empty() && set.targets.size() < set.parameters.size()) {
        issues.push_back({source_name, "targets", 0,
                          fmt::format("{} targets for {} fitted parameters (the fit is not identified) — add targets or fit fewer "
                                      "parameters",
                                      set.targets.size(), set.parameters.size())});
    }
    if (!issues.empty()) {
        throw InputError(std::move(issues));
    }
    return set;
}

TargetSet load_targets_file(const std::filesystem::path& path, const Scenario& scenario)
{
    return load_targets(read_input_file(path, "targets file"), path.string(), scenario);
}

namespace {

struct Pooled {
    double value = 0.0;
    double se = 0.0;  // sum of share * se: exact when the strategies' errors are perfectly correlated, an upper bound otherwise
};

template <class Statistic>
Pooled pool(const StrategyMix& mix, const std::vector<StrategySummary>& strategies, Statistic&& statistic)
{
    Pooled out;
    for (const auto& [index, share] : mix.shares) {
        const Estimate e = statistic(strategies[index]);
        out.value += share * e.mean;
        out.se += share * e.se;
    }
    return out;
}

// Patients-weighted totals of a mix: every strategy simulates the same patients.
template <class Count>
double pooled_count(const StrategyMix& mix, const std::vector<StrategySummary>& strategies, Count&& count)
{
    double total = 0.0;
    for (const auto& [index, share] : mix.shares) {
        total += share * static_cast<double>(count(strategies[index]));
    }
    return total;
}

// Kaplan-Meier since diagnosis of a group pooled over a mix: the strategies'
// deaths, censorings and group sizes added with the mix's shares, so that each
// strategy counts by how many of its patients the group holds (as a registry
// counts patients), not by its share alone. group < 0: all alive at diagnosis.
Estimate pooled_survival_since_diagnosis(const StrategyMix& mix, const std::vector<StrategySummary>& strategies, int group,
                                         double years)
{
    std::vector<double> deaths, censored;
    double size = 0.0;
    for (const auto& [index, share] : mix.shares) {
        const StrategySummary& s = strategies[index];
        for (int g = 0; g < kAsTreatedGroups; ++g) {
            if (group >= 0 && g != group) {
                continue;
            }
            const std::vector<std::uint64_t>& d = s.deaths_since_diagnosis[g];
            const std::vector<std::uint64_t>& c = s.censored_since_diagnosis[g];
            deaths.resize(std::max(deaths.size(), d.size()), 0.0);
            censored.resize(deaths.size(), 0.0);
            for (std::size_t j = 0; j < d.size(); ++j) {
                deaths[j] += share * static_cast<double>(d[j]);
                censored[j] += share * static_cast<double>(c[j]);
            }
            const std::uint64_t ever = s.ever_treated;
            size += share * static_cast<double>(g == static_cast<int>(AsTreated::ever) ? ever : s.alive_at_diagnosis - ever);
        }
    }
    if (size <= 0.0 || deaths.empty()) {
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    }
    const int bins = static_cast<int>(deaths.size());
    Curve curve = kaplan_meier(deaths.data(), censored.data(), bins, size);
    curve.value.resize(bins);
    curve.se.resize(bins);
    return curve_at_years(curve, years);  // with one strategy, exactly its own curve
}

double binomial_se(double p, double n) { return n > 0 ? std::sqrt(std::max(p * (1.0 - p), 0.0) / n) : 0.0; }

}  // namespace

TargetValue evaluate_target(const Target& target, const std::vector<StrategySummary>& strategies)
{
    const StrategyMix& mix = target.strategies;
    // Attacks per patient-year, over all follow-up or only while on the target's regimen.
    auto rate = [&](const StrategySummary& s) -> Estimate {
        if (target.regimen < 0) {
            return s.attacks_per_patient_year;
        }
        const double attacks = static_cast<double>(s.attacks_on_regimen[target.regimen]);
        const double years = s.regimen_years[target.regimen];
        if (years <= 0.0) {
            return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
        }
        // Poisson SE: understates the spread when rates vary between patients.
        return {attacks / years, std::sqrt(attacks) / years};
    };
    switch (target.statistic) {
        case TargetStatistic::survival: {
            if (target.since_diagnosis) {
                const Estimate e = pooled_survival_since_diagnosis(mix, strategies, target.as_treated, target.years);
                return {e.mean, e.se};
            }
            const Pooled p = pool(mix, strategies, [&](const StrategySummary& s) { return s.survival_at_years(target.years); });
            return {p.value, p.se};
        }
        case TargetStatistic::within_patient_rate_ratio: {
            // The mix's patients pooled: every strategy simulates the same patients.
            StrategySummary pooled;
            for (const auto& [index, share] : mix.shares) {
                const StrategySummary& s = strategies[index];
                const double weight = share;  // (clang 14 cannot capture a structured binding)
                auto add = [weight](std::uint64_t& to, std::uint64_t from) {
                    to += static_cast<std::uint64_t>(std::llround(weight * static_cast<double>(from)));
                };
                add(pooled.attacks_before_treatment, s.attacks_before_treatment);
                add(pooled.days_before_treatment, s.days_before_treatment);
                add(pooled.attacks_on_treatment, s.attacks_on_treatment);
                add(pooled.days_on_treatment, s.days_on_treatment);
            }
            const Estimate e = pooled.within_patient_rate_ratio();
            return {e.mean, e.se};
        }
        case TargetStatistic::observed_rate:
        case TargetStatistic::observed_rate_min:
        case TargetStatistic::observed_rate_max: {
            StrategySummary pooled;  // the mix's patients, by observed rate
            for (const auto& [index, share] : mix.shares) {
                for (int b = 0; b < kObservedRateBins; ++b) {
                    pooled.observed_rate_histogram[b] +=
                        static_cast<std::uint64_t>(std::llround(share * static_cast<double>(strategies[index].observed_rate_histogram[b])));
                }
            }
            const Estimate e = pooled.observed_rate_quantile(target.quantile);
            return {e.mean, e.se};
        }
        case TargetStatistic::death_before_diagnosis: {
            const double deaths = pooled_count(mix, strategies, [](const StrategySummary& s) { return s.deaths_before_diagnosis; });
            const double patients = pooled_count(mix, strategies, [](const StrategySummary& s) { return s.patients; });
            const double p = patients > 0 ? deaths / patients : std::numeric_limits<double>::quiet_NaN();
            return {p, binomial_se(p, patients)};
        }
        case TargetStatistic::ever_treated_share: {
            const double ever = pooled_count(mix, strategies, [](const StrategySummary& s) { return s.ever_treated; });
            const double alive = pooled_count(mix, strategies, [](const StrategySummary& s) { return s.alive_at_diagnosis; });
            const double p = alive > 0 ? ever / alive : std::numeric_limits<double>::quiet_NaN();
            return {p, binomial_se(p, alive)};
        }
        case TargetStatistic::attack_free: {
            const Pooled p = pool(mix, strategies, [&](const StrategySummary& s) { return s.attack_free_at_years(target.years); });
            return {p.value, p.se};
        }
        case TargetStatistic::attack_rate: {
            const Pooled p = pool(mix, strategies, rate);
            return {p.value, p.se};
        }
        case TargetStatistic::attack_rate_ratio: {
            const Pooled top = pool(mix, strategies, rate);
            const Pooled bottom =
                pool(target.reference, strategies, [](const StrategySummary& s) { return s.attacks_per_patient_year; });
            if (bottom.value <= 0.0) {
                return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
            }
            const double ratio = top.value / bottom.value;
            const double relative_top = top.value > 0 ? top.se / top.value : 0.0;
            // Delta method on the log ratio, errors taken as independent.
            return {ratio, ratio * std::sqrt(relative_top * relative_top + (bottom.se / bottom.value) * (bottom.se / bottom.value))};
        }
        case TargetStatistic::death_share: {
            const double cause = pooled_count(mix, strategies, [&](const StrategySummary& s) { return s.deaths[target.cause]; });
            const double all = pooled_count(mix, strategies, [](const StrategySummary& s) { return s.total_deaths(); });
            const double share = all > 0 ? cause / all : std::numeric_limits<double>::quiet_NaN();
            return {share, binomial_se(share, all)};
        }
        case TargetStatistic::death_per_attack: {  // as a case series of diagnosed patients sees them
            const double deaths = pooled_count(mix, strategies, [](const StrategySummary& s) { return s.attack_deaths_of_diagnosed; });
            const double attacks = pooled_count(mix, strategies, [](const StrategySummary& s) { return s.attacks_of_diagnosed; });
            const double p = attacks > 0 ? deaths / attacks : std::numeric_limits<double>::quiet_NaN();
            return {p, binomial_se(p, attacks)};
        }
    }
    return {};
}

Discrepancy discrepancy(const Target& target, const TargetValue& model)
{
    if (!target.log_scale) {
        return {model.value - target.value, target.se, model.se};
    }
    // On the log scale the model's SE is relative (delta method); a model value of 0 is infinitely far.
    return {std::log(model.value / target.value), target.se, model.value > 0.0 ? model.se / model.value : 0.0};
}

double target_distance(const std::vector<Target>& targets, const std::vector<TargetValue>& values)
{
    double distance = 0.0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const double z = discrepancy(targets[i], values[i]).z();
        // A statistic the run cannot produce (no attacks, no deaths) counts as far off, not as a perfect fit.
        distance += std::isfinite(z) ? z * z : 1e6;
    }
    return distance;
}

}  // namespace scls
