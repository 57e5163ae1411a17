// A virtual patient's attributes at entry, drawn once and shared by every
// strategy (common random numbers), including the times of the events that
// no policy can change: background death and MGUS progression.
#pragma once

#include <cstdint>

#include "kernels/core/exponential.hpp"
#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"
#include "kernels/model/attack_draws.hpp"
#include "kernels/model/attribute_blocks.hpp"
#include "kernels/model/params.hpp"
#include "kernels/random/distributions.hpp"
#include "kernels/random/streams.hpp"

namespace scls {

struct PatientAttributes {
    bool male;
    bool mgus;
    double entry_age_years;
    double weight_kg;
    double attack_rate_multiplier;  // z, mean or median 1 by the scenario's choice
    double attack_rate_ratio[kMaxRegimens];  // the patient's own rate ratio on each regimen (response class and spread)
    double diagnosis_time;          // years since entry (0 for a cohort entering at diagnosis)
    double background_death_time;   // years since entry; infinity if the hazard is zero
    double myeloma_onset_time;      // infinity without MGUS
    double myeloma_death_time;      // excess death after onset; infinity without onset
    double horizon_time;            // follow-up ends at the horizon age
    AttackDraws diagnostic_attack;  // the attack at diagnosis ([pathway] diagnosed_in_attack), a hospitalised severity
    // What every strategy's lifetime begins with (common random numbers),
    // drawn once per patient: attack 0's draws, and the first budgets of
    // discontinuation and of adverse events (word 0 of their streams).
    AttackDraws first_attack;
    double first_discontinuation_budget;
    double first_adverse_event_budget;
};

// Age at which the cumulative background hazard, counted from entry_age,
// reaches unit_exponential: inversion of a hazard that is constant within
// each year of age.
SCLS_FUNCTION inline double background_death_age(const ModelParams& p, int sex, double entry_age, double unit_exponential)
{
    const double* hazard = p.background_hazard[sex];
    const double* cumulative = p.background_cumulative_hazard[sex];
    const int entry_year = static_cast<int>(entry_age);
    const double entry_cumulative = cumulative[entry_year] + hazard[entry_year] * (entry_age - entry_year);
    const double target = entry_cumulative + unit_exponential;
    if (target >= cumulative[kLifeTableAges]) {
        const double last = hazard[kLifeTableAges - 1];
        return last > 0.0 ? kLifeTableAges + (target - cumulative[kLifeTableAges]) / last : kInfinity;
    }
    // Largest year with cumulative[year] <= target (binary search, >= entry_year).
    int low = entry_year;
    int high = kLifeTableAges;
    while (high - low > 1) {
        const int middle = (low + high) / 2;
        if (cumulative[middle] <= target) {
            low = middle;
        } else {
            high = middle;
        }
    }
    const double within = hazard[low] > 0.0 ? (target - cumulative[low]) / hazard[low] : 0.0;
    return max_of(low + within, entry_age);
}

// A patient's attributes from the blocks that blocks(AttributeBlock) and
// blocks.spread(slot) give (attribute_blocks.hpp: the same bits from either
// source).
template <class Blocks>
SCLS_FUNCTION inline PatientAttributes draw_attributes(const ModelParams& p, StreamKey key, const Blocks& blocks)
{
    PatientAttributes a{};
    // Block 0: sex, age, weight, MGUS. Blocks 1-2: response class, one word
    // per response slot. Fixed slots keep each attribute's draw independent
    // of the others' parameters.
    const PhiloxCounter basics = blocks(AttributeBlock::basics);
    a.male = to_open_unit(basics.word[0]) < p.male_share;
    a.entry_age_years = truncated_normal(p.age_mean_years, p.age_sd_years, p.age_min_years, p.age_max_years, p.age_cdf_lower,
                                         p.age_cdf_upper, to_open_unit(basics.word[1]));
    const int sex = a.male ? 1 : 0;
    a.weight_kg = truncated_normal(p.weight_mean_kg[sex], p.weight_sd_kg[sex], p.weight_min_kg, p.weight_max_kg,
                                   p.weight_cdf_lower[sex], p.weight_cdf_upper[sex], to_open_unit(basics.word[2]));
    a.mgus = to_open_unit(basics.word[3]) < p.mgus_share;

    // Response: a class per slot (blocks 1-2), and a standard normal per slot
    // for the spread of the class's rate ratio between patients (blocks 3-6).
    // Regimens sharing a slot share both, so a patient who responds well to
    // IVIG 2 g/kg responds well to 1 g/kg too.
    const PhiloxCounter slots_low = blocks(AttributeBlock::slots_low);
    const PhiloxCounter slots_high = blocks(AttributeBlock::slots_high);
    for (int r = 0; r < p.regimens; ++r) {
        const RegimenParams& regimen = p.regimen[r];
        const int slot = regimen.response_slot;
        const std::uint32_t bits = slot < 4 ? slots_low.word[slot & 3] : slots_high.word[slot & 3];
        const double u = to_open_unit(bits);
        int cls = 0;
        double cumulative = regimen.response_share[0];
        while (cls + 1 < regimen.response_classes && u >= cumulative) {
            ++cls;
            cumulative += regimen.response_share[cls];
        }
        double ratio = regimen.attack_rate_ratio[cls];
        if (regimen.attack_rate_ratio_log_sd[cls] > 0.0) {
            const PhiloxCounter spread = blocks.spread(slot);
            const int word = 2 * (slot % 2);
            const double z = standard_normal(spread.word[word], spread.word[word + 1]);
            ratio = min_of(regimen.max_attack_rate_ratio, ratio * exponential(regimen.attack_rate_ratio_log_sd[cls] * z));
        }
        a.attack_rate_ratio[r] = ratio;
    }

    double frailty_score = 0.0;  // the lognormal frailty's standard normal (0 for other kinds)
    switch (p.frailty_kind) {
        case FrailtyKind::none:
            a.attack_rate_multiplier = 1.0;
            break;
        case FrailtyKind::gamma: {
            PhiloxStream stream = open_stream(key, StreamPurpose::frailty);
            a.attack_rate_multiplier = gamma_mean_one(p.frailty_parameter, stream);
            break;
        }
        case FrailtyKind::lognormal: {
            const PhiloxCounter w = draw_block(key, StreamPurpose::frailty, 0);
            frailty_score = standard_normal(w.word[0], w.word[1]);
            a.attack_rate_multiplier = exponential(p.frailty_parameter * frailty_score);
            break;
        }
    }

    // Onset to diagnosis: lognormal, its log correlated with the patient's
    // lognormal frailty score (frequent attackers reach a diagnosis sooner)
    // while the delay's distribution over patients stays as the scenario says.
    a.diagnosis_time = 0.0;
    if (p.starts_at_onset) {
        const PhiloxCounter delay = blocks(AttributeBlock::pathway);
        const double rho = p.diagnosis_delay_rate_correlation;
        const double own = standard_normal(delay.word[0], delay.word[1]);
        const double score = sqrt(1.0 - rho * rho) * own - rho * frailty_score;
        a.diagnosis_time = p.diagnosis_delay_median_years * exponential(p.diagnosis_delay_log_sd * score);
    }

    a.horizon_time = p.horizon_age_years - a.entry_age_years;
    const PhiloxCounter death = blocks(AttributeBlock::background_death);
    a.background_death_time =
        background_death_age(p, sex, a.entry_age_years, unit_exponential(death.word[0])) - a.entry_age_years;

    if (p.diagnosed_in_attack) {
        a.diagnostic_attack =
            attack_draws_from(blocks(AttributeBlock::diagnostic_attack), blocks(AttributeBlock::diagnostic_complications));
        hospitalised_severity(p.regimen[0], a.diagnostic_attack);
    }

    a.first_attack = attack_draws_from(blocks(AttributeBlock::first_attack), blocks(AttributeBlock::first_complications));
    a.first_discontinuation_budget = unit_exponential(blocks(AttributeBlock::first_discontinuation).word[0]);
    a.first_adverse_event_budget = unit_exponential(blocks(AttributeBlock::first_adverse_event).word[0]);

    const PhiloxCounter myeloma = blocks(AttributeBlock::myeloma);
    a.myeloma_onset_time = kInfinity;
    a.myeloma_death_time = kInfinity;
    if (a.mgus && p.myeloma_rate_per_year > 0.0) {
        a.myeloma_onset_time = unit_exponential(myeloma.word[0]) / p.myeloma_rate_per_year;
        if (p.myeloma_excess_death_rate_per_year > 0.0) {
            a.myeloma_death_time =
                a.myeloma_onset_time + unit_exponential(myeloma.word[1]) / p.myeloma_excess_death_rate_per_year;
        }
    }
    return a;
}

// ... each block drawn when asked.
SCLS_FUNCTION inline PatientAttributes draw_attributes(const ModelParams& p, StreamKey key)
{
    return draw_attributes(p, key, AttributeBlocksOnDemand{key});
}

// A stream whose word 0 is a patient's first budget (the discontinuation and
// adverse-event time streams, above), opened past it: where a lifetime reads on.
SCLS_FUNCTION inline PhiloxStream stream_past_first_budget(StreamKey key, StreamPurpose purpose)
{
    PhiloxStream stream = open_stream(key, purpose);
    stream.next();
    return stream;
}

}  // namespace scls
