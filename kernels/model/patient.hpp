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
#include "kernels/random/variate_batch.hpp"

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

static_assert(VariateBatch::kNormals >= kMaxRegimens + 6 && VariateBatch::kExponentials >= 7,
              "room for a spread per response slot (one slot a regimen at most), age, weight, frailty, pathway, two stays; "
              "and for the seven exponentials draw_attributes asks for");

// A patient's response class on each regimen, and where in the batch the
// standard normal of each slot's spread lies (-1: none asked for).
struct ResponseDraws {
    int response_class[kMaxRegimens];
    int spread_normal[kMaxRegimens];  // by slot
};

// Response: a class per slot (blocks 1-2), and a standard normal per slot
// for the spread of the class's rate ratio between patients (blocks 3-6),
// asked for once a slot. Regimens sharing a slot share both, so a patient
// who responds well to IVIG 2 g/kg responds well to 1 g/kg too.
template <class Blocks>
SCLS_FUNCTION SCLS_FORCEINLINE ResponseDraws ask_response(const ModelParams& p, const Blocks& blocks, VariateBatch& batch)
{
    ResponseDraws d;
    const PhiloxCounter slots_low = blocks(AttributeBlock::slots_low);
    const PhiloxCounter slots_high = blocks(AttributeBlock::slots_high);
    for (int slot = 0; slot < kMaxRegimens; ++slot) {
        d.spread_normal[slot] = -1;
    }
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
        d.response_class[r] = cls;
        if (regimen.attack_rate_ratio_log_sd[cls] > 0.0 && d.spread_normal[slot] < 0) {
            const PhiloxCounter words = blocks.spread(slot);
            const int word = 2 * (slot % 2);
            d.spread_normal[slot] = batch.ask_normal(to_open_unit_52(words.word[word], words.word[word + 1]));
        }
    }
    return d;
}

// The patient's own rate ratio on each regimen, from its class and spread.
SCLS_FUNCTION SCLS_FORCEINLINE void response_rate_ratios(const ModelParams& p, const ResponseDraws& d, const VariateValues& v,
                                                         double (&ratios)[kMaxRegimens])
{
    for (int r = 0; r < p.regimens; ++r) {
        const RegimenParams& regimen = p.regimen[r];
        const int cls = d.response_class[r];
        double ratio = regimen.attack_rate_ratio[cls];
        if (regimen.attack_rate_ratio_log_sd[cls] > 0.0) {
            const double z = v.normal[d.spread_normal[regimen.response_slot]];
            ratio = min_of(regimen.max_attack_rate_ratio, ratio * exponential(regimen.attack_rate_ratio_log_sd[cls] * z));
        }
        ratios[r] = ratio;
    }
}

// Where in a patient's batch of variates each attribute's lies (-1: not
// asked for), and the blocks that the attributes read again once the
// variates are computed.
struct AttributeAsks {
    int age, weight;
    ResponseDraws response;
    int frailty = -1, delay = -1;  // a lognormal frailty's normal; onset to diagnosis
    int death, first_budget, first_stay, first_discontinuation, first_adverse_event;
    int diagnostic_budget = -1, diagnostic_stay = -1;
    int myeloma_onset = -1, myeloma_death = -1;
    PhiloxCounter first_block, diagnostic_block{};
};

// Asks the batch for a patient's standard normals and unit exponentials, and
// draws sex and MGUS (which decide what is asked for).
template <class Blocks>
SCLS_FUNCTION SCLS_FORCEINLINE AttributeAsks ask_attributes(const ModelParams& p, StreamKey key, const Blocks& blocks,
                                                            VariateBatch& batch, PatientAttributes& a)
{
    AttributeAsks ask;
    // Block 0: sex, age, weight, MGUS; blocks 1-6: the response
    // (ask_response). Fixed slots keep each attribute's draw independent of
    // the others' parameters.
    const PhiloxCounter basics = blocks(AttributeBlock::basics);
    a.male = to_open_unit(basics.word[0]) < p.male_share;
    const int sex = a.male ? 1 : 0;
    a.mgus = to_open_unit(basics.word[3]) < p.mgus_share;
    ask.age = batch.ask_normal(truncated_normal_probability(p.age_cdf_lower, p.age_cdf_upper, to_open_unit(basics.word[1])));
    ask.weight = batch.ask_normal(
        truncated_normal_probability(p.weight_cdf_lower[sex], p.weight_cdf_upper[sex], to_open_unit(basics.word[2])));
    ask.response = ask_response(p, blocks, batch);
    if (p.frailty_kind == FrailtyKind::lognormal) {
        const PhiloxCounter w = draw_block(key, StreamPurpose::frailty, 0);
        ask.frailty = batch.ask_normal(to_open_unit_52(w.word[0], w.word[1]));
    }
    if (p.starts_at_onset) {
        const PhiloxCounter words = blocks(AttributeBlock::pathway);
        ask.delay = batch.ask_normal(to_open_unit_52(words.word[0], words.word[1]));
    }
    // The times no policy changes, and what every strategy's lifetime begins with.
    ask.death = batch.ask_exponential(blocks(AttributeBlock::background_death).word[0]);
    ask.first_block = blocks(AttributeBlock::first_attack);
    ask.first_budget = batch.ask_exponential(ask.first_block.word[kBudgetWord]);
    ask.first_stay = batch.ask_normal(to_open_unit(ask.first_block.word[kStayWord]));
    ask.first_discontinuation = batch.ask_exponential(blocks(AttributeBlock::first_discontinuation).word[0]);
    ask.first_adverse_event = batch.ask_exponential(blocks(AttributeBlock::first_adverse_event).word[0]);
    if (p.diagnosed_in_attack) {
        ask.diagnostic_block = blocks(AttributeBlock::diagnostic_attack);
        ask.diagnostic_budget = batch.ask_exponential(ask.diagnostic_block.word[kBudgetWord]);
        ask.diagnostic_stay = batch.ask_normal(to_open_unit(ask.diagnostic_block.word[kStayWord]));
    }
    if (a.mgus && p.myeloma_rate_per_year > 0.0) {
        const PhiloxCounter myeloma = blocks(AttributeBlock::myeloma);
        ask.myeloma_onset = batch.ask_exponential(myeloma.word[0]);
        if (p.myeloma_excess_death_rate_per_year > 0.0) {
            ask.myeloma_death = batch.ask_exponential(myeloma.word[1]);
        }
    }
    return ask;
}

// The attack rate multiplier z of the scenario's frailty.
SCLS_FUNCTION SCLS_FORCEINLINE double attack_rate_multiplier(const ModelParams& p, StreamKey key, double lognormal_score)
{
    switch (p.frailty_kind) {
        case FrailtyKind::none: return 1.0;
        case FrailtyKind::gamma: {
            PhiloxStream stream = open_stream(key, StreamPurpose::frailty);
            return gamma_mean_one(p.frailty_parameter, stream);
        }
        case FrailtyKind::lognormal: return exponential(p.frailty_parameter * lognormal_score);
    }
    return 1.0;
}

// Makes the attributes from the computed variates (v) that ask_attributes asked for.
template <class Blocks>
SCLS_FUNCTION SCLS_FORCEINLINE void make_attributes(const ModelParams& p, const Blocks& blocks, const AttributeAsks& ask,
                                                    const VariateValues& v, double frailty_score, PatientAttributes& a)
{
    const int sex = a.male ? 1 : 0;
    a.entry_age_years = truncated_normal_from(p.age_mean_years, p.age_sd_years, p.age_min_years, p.age_max_years, v.normal[ask.age]);
    a.weight_kg =
        truncated_normal_from(p.weight_mean_kg[sex], p.weight_sd_kg[sex], p.weight_min_kg, p.weight_max_kg, v.normal[ask.weight]);
    response_rate_ratios(p, ask.response, v, a.attack_rate_ratio);

    // Onset to diagnosis: lognormal, its log correlated with the patient's
    // lognormal frailty score (frequent attackers reach a diagnosis sooner)
    // while the delay's distribution over patients stays as the scenario says.
    a.diagnosis_time = 0.0;
    if (p.starts_at_onset) {
        const double rho = p.diagnosis_delay_rate_correlation;
        const double score = sqrt(1.0 - rho * rho) * v.normal[ask.delay] - rho * frailty_score;
        a.diagnosis_time = p.diagnosis_delay_median_years * exponential(p.diagnosis_delay_log_sd * score);
    }

    a.horizon_time = p.horizon_age_years - a.entry_age_years;
    a.background_death_time = background_death_age(p, sex, a.entry_age_years, v.exponential[ask.death]) - a.entry_age_years;

    if (p.diagnosed_in_attack) {
        a.diagnostic_attack = attack_draws_from(ask.diagnostic_block, blocks(AttributeBlock::diagnostic_complications),
                                                v.exponential[ask.diagnostic_budget], v.normal[ask.diagnostic_stay]);
        hospitalised_severity(p.regimen[0], a.diagnostic_attack);
    }

    a.first_attack = attack_draws_from(ask.first_block, blocks(AttributeBlock::first_complications), v.exponential[ask.first_budget],
                                       v.normal[ask.first_stay]);
    a.first_discontinuation_budget = v.exponential[ask.first_discontinuation];
    a.first_adverse_event_budget = v.exponential[ask.first_adverse_event];

    a.myeloma_onset_time = kInfinity;
    a.myeloma_death_time = kInfinity;
    if (ask.myeloma_onset >= 0) {
        a.myeloma_onset_time = v.exponential[ask.myeloma_onset] / p.myeloma_rate_per_year;
        if (ask.myeloma_death >= 0) {
            a.myeloma_death_time = a.myeloma_onset_time + v.exponential[ask.myeloma_death] / p.myeloma_excess_death_rate_per_year;
        }
    }
}

// A patient's attributes from the blocks that blocks(AttributeBlock) and
// blocks.spread(slot) give (attribute_blocks.hpp: the same bits from either
// source): its standard normals and unit exponentials are asked for first
// and computed together (variate_batch.hpp), then the attributes are made
// from them.
template <class Blocks>
SCLS_FUNCTION inline PatientAttributes draw_attributes(const ModelParams& p, StreamKey key, const Blocks& blocks)
{
    PatientAttributes a{};
    VariateBatch batch;
    const AttributeAsks ask = ask_attributes(p, key, blocks, batch, a);
    VariateValues v;
    compute_variates(batch, v);
    const double frailty_score = ask.frailty >= 0 ? v.normal[ask.frailty] : 0.0;  // 0 for other kinds
    a.attack_rate_multiplier = attack_rate_multiplier(p, key, frailty_score);
    make_attributes(p, blocks, ask, v, frailty_score, a);
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
