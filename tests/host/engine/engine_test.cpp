// Statistical and reproducibility checks of the engine on the CPU backend:
// survival against the life table, closed forms under constant hazards, the
// negative binomial attack count under gamma frailty, common random numbers,
// and independence from thread count and batch size.
#include "host/engine/engine.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "host/engine/summary.hpp"
#include "kernels/launch/backend.hpp"
#include "kernels/model/event_draw_cache.hpp"
#include "kernels/model/lifetime.hpp"
#include "kernels/model/patient.hpp"
#include "kernels/model/patient_block.hpp"
#include "tests/support/test_paths.hpp"

namespace scls {
namespace {

Scenario base_with(std::vector<Override> overrides)
{
    return load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", overrides);
}

RunResult run_cpu(const Scenario& s, int threads = 0, std::uint64_t batch_blocks = 0)
{
    RunOptions options;
    options.backend = BackendChoice::cpu;
    options.threads = threads;
    options.batch_blocks = batch_blocks;
    return run_simulation(s, {s.params}, options);
}

// A 50-year-old cohort of one sex with no attacks, no myeloma, entering at diagnosis.
std::vector<Override> quiet_cohort(const std::string& patients)
{
    return {{"simulation.patients", patients},
            {"population.age_mean_years", "50"},
            {"population.age_sd_years", "0"},
            {"population.age_min_years", "50"},
            {"population.age_max_years", "50"},
            {"population.male_share", "1"},
            {"population.mgus_share", "0"},
            {"attacks.rate_per_year", "0"},
            {"pathway.start", "diagnosis"},  // prophylaxis from entry
            {"pathway.treatment_delay_years", "0"}};
}

// quiet_cohort with constant background mortality, one attack severity (mild)
// and no heterogeneity, theophylline + terbutaline (rate ratio 0.4) never stopped: hazards
// constant in time, for closed forms.
std::vector<Override> constant_hazard_cohort(const std::string& patients, double mortality, double attack_rate)
{
    auto overrides = quiet_cohort(patients);
    for (const char* sex : {"male", "female"}) {
        overrides.push_back({std::string("mortality.gompertz_makeham.") + sex + "_c", std::to_string(mortality)});
        overrides.push_back({std::string("mortality.gompertz_makeham.") + sex + "_a", "0"});
    }
    overrides.insert(overrides.end(), {{"attacks.rate_per_year", std::to_string(attack_rate)},
                                       {"attacks.heterogeneity", "none"},
                                       {"attacks.severity.mild.share", "1"},
                                       {"attacks.severity.ward.share", "0"},
                                       {"attacks.severity.icu.share", "0"},
                                       {"regimens.theo_terb.attack_rate_ratio", "0.4"},
                                       {"regimens.theo_terb.discontinuation_rate_per_year", "0"},
                                       {"regimens.theo_terb.adverse_events.theophylline_toxicity.rate_per_year", "0"}});
    return overrides;
}

TEST(EngineStatistics, WithoutAttacksSurvivalFollowsTheLifeTable)
{
    SCLS_SKIP_WITHOUT_SHARED_LIFE_TABLE();
    auto overrides = quiet_cohort("200000");
    overrides.push_back({"mortality.life_table", "\"" + test::shared_life_table() + "\""});
    const Scenario s = base_with(overrides);
    const auto summary = summarize(s, run_cpu(s), 0);
    const StrategySummary& none = summary[s.comparator];

    // Expected: exp(-(H(50 + t) - H(50))) with hazards -ln(1 - q) per year of age.
    std::ifstream table(test::shared_life_table());
    std::vector<double> hazard_male;
    for (std::string line; std::getline(table, line);) {
        if (line.empty() || line[0] == '#' || line[0] == 'a') {
            continue;
        }
        std::stringstream row(line);
        std::string age, q_male;
        std::getline(row, age, ',');
        std::getline(row, q_male, ',');
        hazard_male.push_back(-std::log1p(-std::stod(q_male)));
    }
    for (int years : {5, 10, 20, 30, 40}) {
        double cumulative = 0;
        for (int a = 50; a < 50 + years; ++a) {
            cumulative += hazard_male[a];
        }
        const Estimate simulated = none.survival_at_years(years);
        EXPECT_NEAR(simulated.mean, std::exp(-cumulative), 4 * simulated.se + 1e-4) << years << " years";
    }
    EXPECT_EQ(none.deaths[static_cast<int>(EndReason::attack)], 0u);
}

TEST(EngineStatistics, ConstantHazardsMatchClosedForms)
{
    const double mortality = 0.05, attack_rate = 0.5, admission_cost = 1000.0;
    auto overrides = constant_hazard_cohort("200000", mortality, attack_rate);
    overrides.insert(overrides.end(), {{"attacks.severity.mild.cost_per_admission", std::to_string(admission_cost)},
                                       {"attacks.severity.mild.qaly_loss", "0"},
                                       {"utility.intercept", "1"},
                                       {"utility.male", "0"},
                                       {"utility.age", "0"},
                                       {"utility.age_squared", "0"}});
    const Scenario s = base_with(overrides);
    const auto summary = summarize(s, run_cpu(s), 0);
    const double r = std::log(1.03);
    const double horizon = 50.0;  // age 50 to 100
    const double discounted_life = (1 - std::exp(-(mortality + r) * horizon)) / (mortality + r);
    const double life = (1 - std::exp(-mortality * horizon)) / mortality;

    const StrategySummary& none = summary[0];
    EXPECT_NEAR(none.survival_at_years(10).mean, std::exp(-mortality * 10), 4 * none.survival_at_years(10).se);
    EXPECT_NEAR(none.life_years.mean, life, 4 * none.life_years.se);
    EXPECT_NEAR(none.life_years_discounted.mean, discounted_life, 4 * none.life_years_discounted.se);
    EXPECT_NEAR(none.qalys.mean, discounted_life, 4 * none.qalys.se);
    EXPECT_NEAR(none.cost_total.mean, attack_rate * admission_cost * discounted_life, 4 * none.cost_total.se);
    EXPECT_NEAR(none.attacks_per_patient_year.mean, attack_rate, 4 * none.attacks_per_patient_year.se);

    // Theophylline + terbutaline: rate ratio 0.4, $3,200 a year, utility -0.02.
    const StrategySummary& theo = summary[2];
    ASSERT_EQ(theo.name, "theo_terb");
    EXPECT_NEAR(theo.attacks_per_patient_year.mean, 0.4 * attack_rate, 4 * theo.attacks_per_patient_year.se);
    EXPECT_NEAR(theo.cost_total.mean, (3200.0 + 0.4 * attack_rate * admission_cost) * discounted_life, 4 * theo.cost_total.se);
    EXPECT_NEAR(theo.qalys.mean, 0.98 * discounted_life, 4 * theo.qalys.se);
    // Same deaths under both (attacks are not fatal here): paired increments
    // in life-years vanish up to rounding (intervals are split differently).
    EXPECT_NEAR(theo.increment_life_years_discounted.mean, 0.0, 1e-12);
    EXPECT_LT(theo.increment_life_years_discounted.se, 1e-12);
}

// A cohort entering at onset with constant hazards: background death mu,
// attacks lambda, each fatal with probability p, diagnosis after exactly D
// years. With h = mu + lambda p: P(death before D) = 1 - exp(-h D), attacks
// before diagnosis lambda (1 - exp(-h D)) / h per patient, and survival t
// years after diagnosis exp(-h t) untreated, exp(-(mu + rho lambda p) t) on a
// regimen with rate ratio rho started at diagnosis. Nothing before diagnosis
// depends on the strategy (common random numbers): the counts are equal.
TEST(EnginePathway, FromOnsetConstantHazardsMatchClosedForms)
{
    const double mu = 0.05, lambda = 0.5, p = 0.1, delay = 2.0, rho = 0.4;
    auto overrides = constant_hazard_cohort("200000", mu, lambda);
    overrides.insert(overrides.end(),
                     {{"attacks.severity.mild.death_probability", std::to_string(p)},
                      {"pathway", fmt::format("{{ start = \"onset\", diagnosis_delay_median_years = {}, diagnosis_delay_log_sd = 0 }}", delay)},
                      {"cohort", "{ ever_treated = [\"theo_terb\"] }"}});
    const Scenario s = base_with(overrides);
    const auto summary = summarize(s, run_cpu(s), 0);
    const double h = mu + lambda * p;
    const StrategySummary& none = summary[0];
    const StrategySummary& theo = summary[2];
    ASSERT_EQ(theo.name, "theo_terb");
    const double n = static_cast<double>(none.patients);

    const double died_before = 1 - std::exp(-h * delay);
    const Estimate deaths_before = none.deaths_before_diagnosis_share();
    EXPECT_NEAR(deaths_before.mean, died_before, 4 * deaths_before.se);
    const double attacks_before = lambda * died_before / h;
    EXPECT_NEAR(none.attacks_before_diagnosis / n, attacks_before, 4 * std::sqrt(attacks_before / n));
    EXPECT_EQ(none.alive_at_diagnosis + none.deaths_before_diagnosis, none.patients);  // nobody reaches age 100 undiagnosed

    for (double years : {1.0, 5.0, 10.0}) {
        const Estimate untreated = none.survival_since_diagnosis_at_years(years, nullptr);
        EXPECT_NEAR(untreated.mean, std::exp(-h * years), 4 * untreated.se + 1e-3) << years;
        const AsTreated ever = AsTreated::ever;
        const Estimate treated = theo.survival_since_diagnosis_at_years(years, &ever);
        EXPECT_NEAR(treated.mean, std::exp(-(mu + rho * lambda * p) * years), 4 * treated.se + 1e-3) << years;
    }
    // Before and on prophylaxis in the same patients. A patient treated at
    // diagnosis survived every attack before it, so the attacks seen before
    // come at lambda (1 - p) (the fatal ones are thinned out), plus the onset
    // attack at entry, one per patient over the delay; on treatment every
    // attack counts, the fatal one too: the survivor selection of every
    // before/after study.
    const Estimate within = theo.within_patient_rate_ratio();
    EXPECT_NEAR(within.mean, rho * lambda / (lambda * (1 - p) + 1 / delay), 4 * within.se);
    EXPECT_TRUE(std::isnan(none.within_patient_rate_ratio().mean));  // nobody treated
    // A study's follow-up on prophylaxis is limited to a window of W years:
    // each treated patient adds min(T, W) years, T ~ Exp(mu + rho lambda p),
    // and the attacks within them; the rate on prophylaxis stays rho lambda.
    {
        const double window = 1.0, h_on = mu + rho * lambda * p;
        auto windowed = overrides;
        windowed.back().value = fmt::format("{{ ever_treated = [\"theo_terb\"], within_patient_window_years = {} }}", window);
        const Scenario sw = base_with(windowed);
        const StrategySummary theo_w = summarize(sw, run_cpu(sw), 0)[2];
        const double treated = static_cast<double>(theo_w.treated_patients);
        const double years_on = static_cast<double>(theo_w.days_on_treatment) / kDaysPerYear / treated;
        EXPECT_NEAR(years_on, (1 - std::exp(-h_on * window)) / h_on, 2e-3);
        EXPECT_NEAR(static_cast<double>(theo_w.attacks_on_treatment) / treated, rho * lambda * years_on,
                    4 * std::sqrt(rho * lambda * years_on / treated));
        EXPECT_EQ(theo_w.attacks_before_treatment, theo.attacks_before_treatment);  // before: unchanged
    }
    // As-treated groups: untreated patients are all "never", theo_terb's all "ever".
    EXPECT_EQ(none.ever_treated, 0u);
    EXPECT_EQ(theo.ever_treated, theo.alive_at_diagnosis);
    EXPECT_TRUE(none.survival_since_diagnosis_by_group[static_cast<int>(AsTreated::ever)].value.empty());

    // Common random numbers: the pathway before diagnosis is the same history under every strategy.
    for (const StrategySummary& other : summary) {
        EXPECT_EQ(other.deaths_before_diagnosis, none.deaths_before_diagnosis) << other.name;
        EXPECT_EQ(other.attacks_before_diagnosis, none.attacks_before_diagnosis) << other.name;
        EXPECT_EQ(other.alive_at_diagnosis, none.alive_at_diagnosis) << other.name;
    }
}

// [pathway] diagnosed_in_attack: the diagnosis is made in an untreated,
// hospitalised attack at the delay's end. Constant hazards as above, half the
// attacks mild (death 0.04), half on the ward (death p = 0.16): h = mu +
// lambda 0.1, and a patient alive at diagnosis dies in its (ward) attack with
// probability p, so survival t years after diagnosis is (1 - p) exp(-h t)
// untreated; those who die in it count as alive at diagnosis and never
// treated (prophylaxis could start only after it), and everything before
// diagnosis is as without it.
TEST(EnginePathway, DiagnosisInAHospitalisedAttackCanKillAtDiagnosis)
{
    const double mu = 0.05, lambda = 0.5, p = 0.16, delay = 2.0;
    auto overrides = constant_hazard_cohort("200000", mu, lambda);
    overrides.insert(overrides.end(), {{"attacks.severity.mild.share", "0.5"},
                                       {"attacks.severity.mild.death_probability", "0.04"},
                                       {"attacks.severity.ward.share", "0.5"},
                                       {"attacks.severity.ward.death_probability", std::to_string(p)},
                                       {"cohort", "{ ever_treated = [\"theo_terb\", \"ivig_2g\"] }"}});
    const std::string pathway = fmt::format("{{ start = \"onset\", diagnosis_delay_median_years = {}, diagnosis_delay_log_sd = 0", delay);
    auto without = overrides;
    without.push_back({"pathway", pathway + " }"});
    overrides.push_back({"pathway", pathway + ", diagnosed_in_attack = true }"});
    const Scenario s = base_with(overrides);
    const auto summary = summarize(s, run_cpu(s), 0);
    const Scenario s_without = base_with(without);
    const auto summary_without = summarize(s_without, run_cpu(s_without), 0);
    const double h = mu + lambda * (0.5 * 0.04 + 0.5 * p);
    const StrategySummary& none = summary[0];
    const StrategySummary& theo = summary[2];
    ASSERT_EQ(theo.name, "theo_terb");
    for (double years : {0.5, 5.0}) {
        const Estimate untreated = none.survival_since_diagnosis_at_years(years, nullptr);
        EXPECT_NEAR(untreated.mean, (1 - p) * std::exp(-h * years), 4 * untreated.se + 1e-3) << years;
    }
    const double alive = static_cast<double>(theo.alive_at_diagnosis);
    const double treated_share = static_cast<double>(theo.ever_treated) / alive;
    EXPECT_NEAR(treated_share, 1 - p, 4 * std::sqrt(p * (1 - p) / alive));
    // The same patients reach diagnosis with the same attacks before it, and
    // each treated patient has had one more untreated attack (its death being
    // independent of the attacks before it, the survivors' earlier counts are
    // a random subset's).
    EXPECT_EQ(none.alive_at_diagnosis, summary_without[0].alive_at_diagnosis);
    EXPECT_EQ(none.attacks_before_diagnosis, summary_without[0].attacks_before_diagnosis);
    EXPECT_EQ(theo.treated_patients, theo.ever_treated);
    const auto before_per_treated = [](const StrategySummary& x) {
        return static_cast<double>(x.attacks_before_treatment) / static_cast<double>(x.treated_patients);
    };
    EXPECT_NEAR(before_per_treated(theo) - before_per_treated(summary_without[2]), 1.0, 0.02);
    // Common random numbers: the attack at diagnosis is the same under every
    // strategy, so every strategy that treats from diagnosis (all but none)
    // leaves exactly the same patients untreated: those who died in it.
    for (const StrategySummary& other : summary) {
        EXPECT_EQ(other.alive_at_diagnosis, none.alive_at_diagnosis) << other.name;
        if (&other != &none) {
            EXPECT_EQ(other.alive_at_diagnosis - other.ever_treated, theo.alive_at_diagnosis - theo.ever_treated) << other.name;
        }
    }
}

// A cohort entering at diagnosis: everybody is alive at diagnosis, nobody
// dies or has an attack before it, and survival since diagnosis is survival.
TEST(EnginePathway, FromDiagnosisEverybodyIsDiagnosedAndCurvesCoincide)
{
    auto overrides = quiet_cohort("20000");
    overrides.push_back({"attacks.rate_per_year", "1.0"});
    overrides.push_back({"cohort", "{ ever_treated = [\"ivig_2g\"] }"});
    const Scenario s = base_with(overrides);
    const auto summary = summarize(s, run_cpu(s), 0);
    for (const StrategySummary& strategy : summary) {
        EXPECT_EQ(strategy.alive_at_diagnosis, strategy.patients) << strategy.name;
        EXPECT_EQ(strategy.deaths_before_diagnosis, 0u) << strategy.name;
        EXPECT_EQ(strategy.attacks_before_diagnosis, 0u) << strategy.name;
        ASSERT_EQ(strategy.survival_since_diagnosis.value.size(), strategy.survival.value.size());
        for (std::size_t m = 0; m < strategy.survival.value.size(); ++m) {
            ASSERT_DOUBLE_EQ(strategy.survival_since_diagnosis.value[m], strategy.survival.value[m]) << strategy.name << " month " << m;
        }
    }
}

// [pathway] diagnosis_delay_rate_correlation ties the delay's log to the
// patient's lognormal rate multiplier z without changing the delay's
// distribution: log D ~ N(ln median, s^2) with corr(log D, log z) = -rho.
// At rho = 1 the delay is a function of z alone: ln median - s ln(z) / sigma.
TEST(EnginePathway, DelayCorrelatedWithAttackRateKeepsItsDistribution)
{
    const double median = 1.1, log_sd = 1.5, sigma = 1.2;
    for (double rho : {0.0, 0.6, 1.0}) {
        const Scenario s = base_with({{"attacks.heterogeneity", "\"lognormal\""},
                                      {"attacks.heterogeneity_sigma", std::to_string(sigma)},
                                      {"pathway", fmt::format("{{ start = \"onset\", diagnosis_delay_median_years = {}, "
                                                              "diagnosis_delay_log_sd = {}, diagnosis_delay_rate_correlation = {} }}",
                                                              median, log_sd, rho)}});
        const int n = 40000;
        double sum_d = 0, sum_z = 0, sum_dd = 0, sum_zz = 0, sum_dz = 0, largest_gap = 0;
        for (std::uint32_t patient = 0; patient < static_cast<std::uint32_t>(n); ++patient) {
            const PatientAttributes a = draw_attributes(s.params, StreamKey{s.seed, 0, patient});
            const double d = std::log(a.diagnosis_time), z = std::log(a.attack_rate_multiplier);
            sum_d += d, sum_z += z, sum_dd += d * d, sum_zz += z * z, sum_dz += d * z;
            largest_gap = std::max(largest_gap, std::abs(d - (std::log(median) - log_sd * z / sigma)));
        }
        const double mean_d = sum_d / n, mean_z = sum_z / n;
        const double sd_d = std::sqrt(sum_dd / n - mean_d * mean_d), sd_z = std::sqrt(sum_zz / n - mean_z * mean_z);
        const double correlation = (sum_dz / n - mean_d * mean_z) / (sd_d * sd_z);
        EXPECT_NEAR(mean_d, std::log(median), 4 * log_sd / std::sqrt(n)) << "rho " << rho;
        EXPECT_NEAR(sd_d, log_sd, 4 * log_sd / std::sqrt(2.0 * n)) << "rho " << rho;
        EXPECT_NEAR(correlation, -rho, 0.02) << "rho " << rho;
        if (rho == 1.0) {
            EXPECT_LT(largest_gap, 1e-9);
        }
    }
}

TEST(EngineStatistics, GammaFrailtyPoissonAttacksAreNegativeBinomial)
{
    const double shape = 2.0, rate = 0.8, years = 10.0;
    auto overrides = quiet_cohort("200000");
    for (const char* sex : {"male", "female"}) {
        overrides.push_back({std::string("mortality.gompertz_makeham.") + sex + "_c", "0"});
        overrides.push_back({std::string("mortality.gompertz_makeham.") + sex + "_a", "0"});
    }
    overrides.insert(overrides.end(), {{"simulation.horizon_age_years", "60"},
                                       {"attacks.rate_per_year", std::to_string(rate)},
                                       {"attacks.heterogeneity", "gamma"},
                                       {"attacks.heterogeneity_shape", std::to_string(shape)},
                                       {"attacks.severity.ward.death_probability", "0"},
                                       {"attacks.severity.icu.death_probability", "0"}});
    const Scenario s = base_with(overrides);
    const auto summary = summarize(s, run_cpu(s), 0);
    const StrategySummary& none = summary[0];
    const double n = static_cast<double>(none.patients);
    const double mean = rate * years;
    // P(k) = Gamma(k + a) / (Gamma(a) k!) p^a (1 - p)^k with p = a / (a + mean).
    const double p = shape / (shape + mean);
    double chi_square = 0;
    int cells = 0;
    double tail_expected = n, tail_observed = n;
    for (int k = 0; k < kAttackCountBins - 1; ++k) {
        const double probability =
            std::exp(std::lgamma(k + shape) - std::lgamma(shape) - std::lgamma(k + 1.0) + shape * std::log(p) + k * std::log1p(-p));
        const double expected = n * probability;
        if (expected < 20) {
            break;
        }
        const double observed = static_cast<double>(none.attacks_histogram[k]);
        chi_square += (observed - expected) * (observed - expected) / expected;
        tail_expected -= expected;
        tail_observed -= observed;
        ++cells;
    }
    chi_square += (tail_observed - tail_expected) * (tail_observed - tail_expected) / tail_expected;
    // cells degrees of freedom; 99.9% quantile of chi-square(40) is 73.4, (50) 86.7.
    ASSERT_GT(cells, 30);
    EXPECT_LT(chi_square, cells + 4.0 * std::sqrt(2.0 * cells) + 10.0) << "cells " << cells;
    EXPECT_NEAR(none.attacks_per_patient.mean, mean, 4 * none.attacks_per_patient.se);
}

TEST(EngineReproducibility, BackgroundDeathIsTheSameAcrossStrategies)
{
    const Scenario s = base_with({});
    LaunchGeometry geometry = make_geometry(s, 1);
    int compared = 0;
    for (std::uint32_t patient = 0; patient < 3000; ++patient) {
        const StreamKey key{s.seed, 0, patient};
        const PatientAttributes attributes = draw_attributes(s.params, key);
        LifetimeSimulator<kHostCachedAttacks> simulator(s.params, attributes, key);
        for (int strategy = 0; strategy < geometry.strategies; ++strategy) {
            const LifetimeOutcome outcome = simulator.run(strategy);
            if (outcome.end_reason == EndReason::background) {
                ASSERT_EQ(outcome.end_time, attributes.background_death_time) << "patient " << patient << " strategy " << strategy;
                ++compared;
            }
            // Attacks that happen under no prophylaxis at the same time as
            // under another strategy are the same attacks: the first attack
            // cannot come earlier under prophylaxis (rate ratios <= 1).
            if (strategy != 0) {
                ASSERT_GE(outcome.first_attack_time, simulator.run(0).first_attack_time);
            }
        }
    }
    EXPECT_GT(compared, 1000);
}

bool same_lifetime(const LifetimeOutcome& a, const LifetimeOutcome& b)
{
    const auto same = [](const auto& x, const auto& y) { return std::memcmp(&x, &y, sizeof x) == 0; };
    return same(a.cost, b.cost) && same(a.qalys, b.qalys) && same(a.life_years_discounted, b.life_years_discounted) &&
           same(a.life_years, b.life_years) && same(a.regimen_years, b.regimen_years) && same(a.end_time, b.end_time) &&
           same(a.first_attack_time, b.first_attack_time) && a.end_reason == b.end_reason &&
           same(a.attacks_by_severity, b.attacks_by_severity) && same(a.complications, b.complications) && same(a.attacks_on_regimen, b.attacks_on_regimen) &&
           a.adverse_events == b.adverse_events && a.switches == b.switches && a.discontinuations == b.discontinuations &&
           a.escalations == b.escalations && a.deescalations == b.deescalations && a.myeloma_onset == b.myeloma_onset &&
           a.response_losses == b.response_losses;
}

// The CPU replays a patient's cached attack draws, adverse-event outcomes
// and loss budgets for its other strategies; the GPU recomputes them. Both
// must give the same lifetimes, bit for bit, including patients with more
// attacks or adverse events than the cache holds.
TEST(EngineReproducibility, CachedAttackDrawsGiveTheSameLifetimes)
{
    const Scenario s = base_with({{"attacks.rate_per_year", "6"},
                                  {"regimens.ivig_2g.adverse_events.thrombosis.rate_per_year", "0.4"},
                                  {"regimens.ivig_2g.loss_of_response_rate_per_year", "0.1"}});
    const LaunchGeometry geometry = make_geometry(s, 1);
    std::uint32_t most_attacks = 0, most_adverse_events = 0, losses = 0, discontinued_lifetimes = 0;
    for (std::uint32_t patient = 0; patient < 2000; ++patient) {
        const StreamKey key{s.seed, 0, patient};
        const PatientAttributes attributes = draw_attributes(s.params, key);
        LifetimeSimulator<4> small_cache(s.params, attributes, key);
        LifetimeSimulator<13> odd_cache(s.params, attributes, key);  // whole draws (8, or 4 and 4), then attacks one at a time
        LifetimeSimulator<kHostCachedAttacks> large_cache(s.params, attributes, key);
        for (int strategy = 0; strategy < geometry.strategies; ++strategy) {
            LifetimeSimulator<0> uncached(s.params, attributes, key);
            const LifetimeOutcome expected = uncached.run(strategy);
            for (const LifetimeOutcome& got : {small_cache.run(strategy), odd_cache.run(strategy), large_cache.run(strategy)}) {
                ASSERT_TRUE(same_lifetime(got, expected)) << "patient " << patient << " strategy " << strategy;
            }
            most_attacks = std::max(most_attacks, expected.attacks());
            most_adverse_events = std::max(most_adverse_events, expected.adverse_events);
            losses += expected.response_losses;
            discontinued_lifetimes += expected.discontinuations > 0 ? 1u : 0u;
        }
    }
    EXPECT_GT(most_attacks, 6u) << "no patient overflowed the small caches";
    EXPECT_GT(most_adverse_events, kKeptAdverseEvents) << "no patient had more adverse events than the cache keeps";
    EXPECT_GT(losses, 100u) << "too few losses of response to test their kept budgets";
    EXPECT_GT(discontinued_lifetimes, 1000u) << "too few discontinuations to test the kept stream";
}

void expect_identical(const RunResult& a, const RunResult& b)
{
    ASSERT_EQ(a.moments.size(), b.moments.size());
    ASSERT_EQ(a.counts, b.counts);
    EXPECT_EQ(std::memcmp(a.moments.data(), b.moments.data(), a.moments.size() * sizeof(double)), 0)
        << "moments differ in their bits";
}

TEST(EngineReproducibility, ResultsDoNotDependOnThreadsOrBatchSize)
{
    const Scenario s = base_with({{"simulation.patients", "20000"}});  // 79 blocks, the last one partial
    const RunResult reference = run_cpu(s, 1, 0);
    expect_identical(reference, run_cpu(s, 2, 0));
    expect_identical(reference, run_cpu(s, 2, 1));
    expect_identical(reference, run_cpu(s, 1, 7));
    expect_identical(reference, run_cpu(s, 3, 1000));
}

// Every tally is an integer: blocks simulated in any order, one call each or
// all in one call on two threads (dynamic scheduling), give the same bits.
TEST(EngineReproducibility, BlocksInAnyOrderGiveTheSameBits)
{
    const Scenario s = base_with({{"simulation.patients", "5000"}});  // 20 blocks, the last one partial
    const LaunchGeometry g = make_geometry(s, 1);
    auto counts_after = [&](const std::vector<std::uint64_t>& order, int threads) {
        auto backend = make_cpu_backend({s.params}, g, threads);
        for (std::uint64_t block : order) {
            backend->simulate(block, 1);
        }
        return backend->counts();
    };
    std::vector<std::uint64_t> order(g.blocks_per_set);
    std::iota(order.begin(), order.end(), 0);
    const std::vector<std::uint64_t> reference = counts_after(order, 1);
    std::reverse(order.begin(), order.end());
    EXPECT_EQ(counts_after(order, 1), reference) << "reversed";
    std::shuffle(order.begin(), order.end(), std::mt19937_64(5));
    EXPECT_EQ(counts_after(order, 2), reference) << "shuffled";
    auto all_at_once = make_cpu_backend({s.params}, g, 2);
    all_at_once->simulate(0, g.blocks_per_set);
    EXPECT_EQ(all_at_once->counts(), reference) << "one call, two threads";
}

// Threads keep their own tallies of one parameter set at a time and hand
// them over when they move to another: across several sets, any order and
// thread count give the same bits.
TEST(EngineReproducibility, ThreadTalliesAcrossParameterSetsGiveTheSameBits)
{
    const Scenario s = base_with({{"simulation.patients", "1000"}});  // 4 blocks per set, the last one partial
    const LaunchGeometry g = make_geometry(s, 3);
    const std::vector<ModelParams> sets(3, s.params);
    auto one_thread = make_cpu_backend(sets, g, 1);
    one_thread->simulate(0, g.total_blocks());
    const std::vector<std::uint64_t> reference = one_thread->counts();
    std::vector<std::uint64_t> order(g.total_blocks());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(9));
    auto shuffled = make_cpu_backend(sets, g, 2);
    for (std::size_t i = 0; i < order.size(); i += 2) {  // pairs of blocks, often from two sets
        shuffled->simulate(order[i], 1);
        if (i + 1 < order.size()) {
            shuffled->simulate(order[i + 1], 1);
        }
    }
    EXPECT_EQ(shuffled->counts(), reference);
    auto two_threads = make_cpu_backend(sets, g, 2);
    two_threads->simulate(0, 5);  // a batch that ends inside set 1
    two_threads->simulate(5, g.total_blocks() - 5);
    EXPECT_EQ(two_threads->counts(), reference);
    // The sets differ (their own patients), so a mix-up between them would show.
    const int per_set = g.counts_per_set();
    EXPECT_FALSE(std::equal(reference.begin(), reference.begin() + per_set, reference.begin() + per_set));
}

TEST(EngineReproducibility, SeedChangesTheDrawsButNotTheScience)
{
    const Scenario a = base_with({{"simulation.patients", "50000"}});
    const Scenario b = base_with({{"simulation.patients", "50000"}, {"simulation.seed", "7"}});
    const auto sa = summarize(a, run_cpu(a), 0);
    const auto sb = summarize(b, run_cpu(b), 0);
    EXPECT_NE(sa[0].qalys.mean, sb[0].qalys.mean);
    for (std::size_t i = 0; i < sa.size(); ++i) {
        const double se = std::hypot(sa[i].qalys.se, sb[i].qalys.se);
        EXPECT_NEAR(sa[i].qalys.mean, sb[i].qalys.mean, 5 * se) << sa[i].name;
    }
}

TEST(EngineSummary, KaplanMeierWithoutCensoringIsTheEmpiricalSurvival)
{
    const std::uint64_t events[] = {10, 20, 30, 0};
    const std::uint64_t censored[] = {0, 0, 0, 40};
    const Curve curve = kaplan_meier(events, censored, 4, 100);
    EXPECT_DOUBLE_EQ(curve.value[1], 0.9);
    EXPECT_DOUBLE_EQ(curve.value[2], 0.7);
    EXPECT_NEAR(curve.value[3], 0.4, 1e-15);
    EXPECT_NEAR(curve.se[1], std::sqrt(0.9 * 0.1 / 100), 1e-12);
}

// Quantiles of the observed-rate histogram: rate 0 in bin 0, log-linear
// within a bin, and the pooled before/on ratio from its counts.
TEST(EngineSummary, ObservedRateQuantilesInterpolateOnTheLogScale)
{
    std::vector<std::uint64_t> histogram(kObservedRateBins, 0);
    histogram[0] = 25;                                      // a quarter with no attack
    histogram[1 + 2 * kObservedRateBinsPerDecade] = 75;     // the rest in [1, 10^0.1) per year
    EXPECT_EQ(observed_rate_at(histogram, 0.2), 0.0);
    EXPECT_DOUBLE_EQ(observed_rate_at(histogram, 0.25 + 1e-12), 1.0 * std::pow(10.0, 1e-12 / 0.75 / kObservedRateBinsPerDecade));
    EXPECT_NEAR(observed_rate_at(histogram, 0.625), std::pow(10.0, 0.05), 1e-12);  // halfway through the bin, in log10
    EXPECT_NEAR(observed_rate_at(histogram, 1.0), std::pow(10.0, 0.1), 1e-12);
    EXPECT_TRUE(std::isnan(observed_rate_at(std::vector<std::uint64_t>(kObservedRateBins, 0), 0.5)));

    StrategySummary s;
    s.attacks_before_treatment = 252;
    s.days_before_treatment = static_cast<std::uint64_t>(100 * kDaysPerYear);
    s.attacks_on_treatment = 29;
    s.days_on_treatment = static_cast<std::uint64_t>(100 * kDaysPerYear);
    const Estimate ratio = s.within_patient_rate_ratio();
    EXPECT_NEAR(ratio.mean, 29.0 / 252.0, 1e-12);
    EXPECT_NEAR(ratio.se, ratio.mean * std::sqrt(1.0 / 29 + 1.0 / 252), 1e-12);
}

}  // namespace
}  // namespace scls
