// One patient's life under one strategy, simulated event by event in
// continuous time. Competing processes with piecewise-constant hazards are
// advanced by time rescaling: each keeps a unit-exponential budget that its
// hazard consumes, so a regimen switch changes the rate without redrawing,
// and every strategy replays the same sequence of draws (common random numbers).
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"
#include "kernels/model/discounting.hpp"
#include "kernels/model/params.hpp"
#include "kernels/model/patient.hpp"
#include "kernels/random/distributions.hpp"
#include "kernels/random/streams.hpp"

namespace scls {

struct LifetimeOutcome {
    double cost[kCostCategories];  // discounted
    double qalys;                  // discounted
    double life_years_discounted;
    double life_years;
    double regimen_years[kMaxRegimens];  // undiscounted time on each regimen
    double end_time;                     // death or horizon, years since entry
    double first_attack_time;            // infinity if none
    EndReason end_reason;
    std::uint32_t attacks_by_severity[kSeverities];
    std::uint32_t complications[kComplications];
    std::uint32_t attacks_on_regimen[kMaxRegimens];  // by the regimen at the time of the attack
    std::uint32_t adverse_events;
    std::uint32_t switches;
    std::uint32_t discontinuations;
    std::uint32_t escalations;
    std::uint32_t deescalations;
    bool myeloma_onset;

    SCLS_FUNCTION double total_cost() const
    {
        double total = 0.0;
        for (int c = 0; c < kCostCategories; ++c) {
            total += cost[c];
        }
        return total;
    }
    SCLS_FUNCTION std::uint32_t attacks() const
    {
        return attacks_by_severity[0] + attacks_by_severity[1] + attacks_by_severity[2];
    }
};

namespace detail {

enum class NextEvent : int {
    background_death,
    myeloma_death,
    horizon,
    myeloma_onset,
    attack,
    adverse_event,
    discontinuation,
    deescalation,
};

// Keeps the earliest candidate; on ties the one offered first wins, and
// candidates are offered deaths first.
struct EarliestEvent {
    double time = kInfinity;
    NextEvent event = NextEvent::horizon;
    SCLS_FUNCTION SCLS_FORCEINLINE void offer(double candidate, NextEvent candidate_event)
    {
        if (candidate < time) {
            time = candidate;
            event = candidate_event;
        }
    }
};

SCLS_FUNCTION SCLS_FORCEINLINE double time_to_exhaust(double budget, double inverse_rate)
{
    return inverse_rate > 0.0 ? budget * inverse_rate : kInfinity;
}

SCLS_FUNCTION SCLS_FORCEINLINE double inverse_or_zero(double rate) { return rate > 0.0 ? 1.0 / rate : 0.0; }

}  // namespace detail

// Everything about a patient's k-th attack that no strategy can change
// (common random numbers): the attack process's unit-exponential budget that
// runs out at attack k, its severity, stay and complications, and the uniform
// that decides death (its threshold depends on the regimen).
struct AttackDraws {
    double budget;         // unit exponential consumed by the attack hazard before attack k
    double stay_scale;     // lognormal multiplier of the median stay
    double death_uniform;  // dies in the attack if below its death probability
    std::uint8_t severity;
    std::uint8_t complications;  // bit c set: complication c occurs
};

// Attack k's draws: block k of the attack stream (budget, severity, stay,
// death) and block k of the complication stream (one word per complication).
SCLS_FUNCTION inline AttackDraws draw_attack(const ModelParams& p, StreamKey key, std::uint32_t k)
{
    const PhiloxCounter main = draw_block(key, StreamPurpose::attack, k);
    const PhiloxCounter complication = draw_block(key, StreamPurpose::attack_complications, k);
    AttackDraws d;
    d.budget = unit_exponential(main.word[0]);
    const double severity_uniform = to_open_unit(main.word[1]);
    int severity = 0;
    double cumulative = p.severity[0].share;
    while (severity + 1 < kSeverities && severity_uniform >= cumulative) {
        ++severity;
        cumulative += p.severity[severity].share;
    }
    const SeverityParams& s = p.severity[severity];
    d.severity = static_cast<std::uint8_t>(severity);
    d.stay_scale = s.stay_log_sd > 0.0 ? exp(s.stay_log_sd * normal_quantile(to_open_unit(main.word[2]))) : 1.0;
    d.death_uniform = to_open_unit(main.word[3]);
    d.complications = 0;
    for (int c = 0; c < kComplications; ++c) {
        if (to_open_unit(complication.word[c]) < s.complication_probability[c]) {
            d.complications |= static_cast<std::uint8_t>(1u << c);
        }
    }
    return d;
}

// The first CachedAttacks attacks' draws of one patient, filled by whichever
// strategy reaches an attack first and replayed for the others: a patient's
// attack k is the same under every strategy, so its Philox blocks, log, exp
// and normal quantile are computed once instead of once per strategy. With
// CachedAttacks == 0 (the GPU, where the array would live in local memory)
// every draw is recomputed; the results are identical either way.
template <int CachedAttacks>
class AttackDrawCache {
  public:
    SCLS_FUNCTION SCLS_FORCEINLINE AttackDraws get(const ModelParams& p, StreamKey key, std::uint32_t k)
    {
        if constexpr (CachedAttacks > 0) {
            if (k < filled_) {
                return entries_[k];
            }
            const AttackDraws d = draw_attack(p, key, k);
            if (k == filled_ && k < static_cast<std::uint32_t>(CachedAttacks)) {
                entries_[filled_++] = d;
            }
            return d;
        } else {
            return draw_attack(p, key, k);
        }
    }

  private:
    AttackDraws entries_[CachedAttacks > 0 ? CachedAttacks : 1];
    std::uint32_t filled_ = 0;
};

template <int CachedAttacks>
class LifetimeSimulator {
  public:
    SCLS_FUNCTION LifetimeSimulator(const ModelParams& params, const PatientAttributes& patient, StreamKey key)
        : p_(params), patient_(patient), key_(key)
    {
    }

    SCLS_FUNCTION LifetimeOutcome run(int strategy_index)
    {
        using detail::NextEvent;
        const StrategyParams& strategy = p_.strategy[strategy_index];
        LifetimeOutcome out{};
        out.first_attack_time = kInfinity;
        out.end_reason = EndReason::horizon;

        PhiloxStream discontinuation_times = open_stream(key_, StreamPurpose::discontinuation);
        PhiloxStream adverse_event_times = open_stream(key_, StreamPurpose::adverse_event_times);
        AttackDraws upcoming_attack = attacks_.get(p_, key_, 0);
        double attack_budget = upcoming_attack.budget;
        double discontinuation_budget = unit_exponential(discontinuation_times.next());
        double adverse_event_budget = unit_exponential(adverse_event_times.next());

        bool started = strategy.start_after_attacks == 0;
        int regimen = started ? strategy.start_regimen : 0;
        double regimen_start_time = 0.0;
        double last_attack_time = 0.0;
        double recent_attack_times[kMaxEscalationAttacks];  // breakthroughs on the current regimen, ring
        int recent_attacks = 0;
        std::uint32_t attack_count = 0;
        std::uint32_t adverse_event_count = 0;
        double permanent_decrement = 0.0;
        bool myeloma_active = false;
        const int sex = patient_.male ? 1 : 0;
        const double age0 = patient_.entry_age_years;
        // Baseline utility as a polynomial in time since entry.
        const double utility_c0 = p_.utility_intercept + p_.utility_male * sex + age0 * (p_.utility_age + p_.utility_age_squared * age0);
        const double utility_c1 = p_.utility_age + 2.0 * p_.utility_age_squared * age0;
        const double utility_c2 = p_.utility_age_squared;

        DiscountClock cost_clock(p_.discount_rate_costs);
        DiscountClock effect_clock(p_.discount_rate_effects);
        const bool shared_discount_rate = p_.discount_rate_costs == p_.discount_rate_effects;

        // Hazards of the current regimen and their inverses, refreshed on a switch.
        int rates_regimen = -1;
        double attack_rate = 0.0, inverse_attack_rate = 0.0;
        double inverse_discontinuation_rate = 0.0, inverse_adverse_event_rate = 0.0;

        double t = 0.0;
        for (;;) {
            const RegimenParams& on = p_.regimen[regimen];
            const double discontinuation_rate = on.discontinuation_rate_per_year;
            const double adverse_event_rate = on.adverse_event_rate_per_year;
            if (rates_regimen != regimen) {
                rates_regimen = regimen;
                attack_rate = p_.attack_rate_per_year * patient_.attack_rate_multiplier *
                              on.attack_rate_ratio[patient_.response_class[regimen]];
                inverse_attack_rate = detail::inverse_or_zero(attack_rate);
                inverse_discontinuation_rate = detail::inverse_or_zero(discontinuation_rate);
                inverse_adverse_event_rate = detail::inverse_or_zero(adverse_event_rate);
            }

            detail::EarliestEvent next;
            next.offer(patient_.background_death_time, NextEvent::background_death);
            next.offer(patient_.myeloma_death_time, NextEvent::myeloma_death);
            next.offer(patient_.horizon_time, NextEvent::horizon);
            if (!myeloma_active) {
                next.offer(patient_.myeloma_onset_time, NextEvent::myeloma_onset);
            }
            next.offer(t + detail::time_to_exhaust(attack_budget, inverse_attack_rate), NextEvent::attack);
            next.offer(t + detail::time_to_exhaust(adverse_event_budget, inverse_adverse_event_rate), NextEvent::adverse_event);
            next.offer(t + detail::time_to_exhaust(discontinuation_budget, inverse_discontinuation_rate),
                       NextEvent::discontinuation);
            if (started && strategy.deescalate_to[regimen] != kNoRegimen) {
                next.offer(max_of(regimen_start_time, last_attack_time) + strategy.deescalate_after_years[regimen],
                           NextEvent::deescalation);
            }
            const double t_next = max_of(next.time, t);

            // Accrue everything that flows continuously over [t, t_next).
            const double dt = t_next - t;
            const DiscountedMoments cost_moments = cost_clock.interval(dt);
            const DiscountedMoments effect_moments = shared_discount_rate ? cost_moments : effect_clock.interval(dt);
            const double cost_years = cost_clock.factor() * cost_moments.order0;
            const double decrement = on.utility_decrement + permanent_decrement + (myeloma_active ? p_.myeloma_utility_decrement : 0.0);
            out.life_years += dt;
            out.life_years_discounted += effect_clock.factor() * effect_moments.order0;
            out.qalys += discounted_quadratic(effect_clock.factor(), effect_moments, t, utility_c0 - decrement, utility_c1,
                                              utility_c2);
            cost_clock.advance(cost_moments);
            effect_clock.advance(effect_moments);
            out.cost[static_cast<int>(CostCategory::drug)] +=
                (on.drug_cost_per_kg_year * patient_.weight_kg + on.drug_cost_per_year) * cost_years;
            out.cost[static_cast<int>(CostCategory::administration)] += on.administration_cost_per_year * cost_years;
            if (myeloma_active) {
                out.cost[static_cast<int>(CostCategory::myeloma)] += p_.myeloma_cost_per_year * cost_years;
            }
            out.regimen_years[regimen] += dt;
            attack_budget = max_of(attack_budget - attack_rate * dt, 0.0);
            adverse_event_budget = max_of(adverse_event_budget - adverse_event_rate * dt, 0.0);
            discontinuation_budget = max_of(discontinuation_budget - discontinuation_rate * dt, 0.0);
            t = t_next;

            int switch_to = regimen;
            switch (next.event) {
                case NextEvent::background_death:
                    return finish(out, t, EndReason::background);
                case NextEvent::myeloma_death:
                    return finish(out, t, EndReason::myeloma);
                case NextEvent::horizon:
                    return finish(out, t, EndReason::horizon);
                case NextEvent::myeloma_onset:
                    myeloma_active = true;
                    out.myeloma_onset = true;
                    break;
                case NextEvent::attack: {
                    if (attack_count == 0) {
                        out.first_attack_time = t;
                    }
                    ++out.attacks_on_regimen[regimen];
                    if (attack(out, upcoming_attack, cost_clock.factor(), effect_clock.factor(), on, permanent_decrement)) {
                        return finish(out, t, EndReason::attack);
                    }
                    ++attack_count;
                    upcoming_attack = attacks_.get(p_, key_, attack_count);
                    attack_budget = upcoming_attack.budget;
                    last_attack_time = t;
                    if (!started) {
                        if (attack_count >= static_cast<std::uint32_t>(strategy.start_after_attacks)) {
                            started = true;
                            switch_to = strategy.start_regimen;
                        }
                    } else if (strategy.escalate_to[regimen] != kNoRegimen) {
                        recent_attack_times[recent_attacks % kMaxEscalationAttacks] = t;
                        ++recent_attacks;
                        const int needed = strategy.escalate_after_attacks[regimen];
                        const double window_start = t - strategy.escalate_window_years[regimen];
                        int in_window = 0;
                        const int stored = recent_attacks < kMaxEscalationAttacks ? recent_attacks : kMaxEscalationAttacks;
                        for (int i = 0; i < stored; ++i) {
                            in_window += recent_attack_times[i] >= window_start ? 1 : 0;
                        }
                        if (in_window >= needed) {
                            switch_to = strategy.escalate_to[regimen];
                            ++out.escalations;
                        }
                    }
                    break;
                }
                case NextEvent::adverse_event: {
                    adverse_event_budget = unit_exponential(adverse_event_times.next());
                    const PhiloxCounter draws = draw_block(key_, StreamPurpose::adverse_event_outcomes, adverse_event_count++);
                    const AdverseEventParams& event = on.adverse_event[pick_adverse_event(on, to_open_unit(draws.word[0]))];
                    ++out.adverse_events;
                    out.cost[static_cast<int>(CostCategory::adverse_events)] +=
                        event.cost * cost_clock.factor();
                    out.qalys -= event.qaly_loss * effect_clock.factor();
                    permanent_decrement += event.utility_decrement;
                    if (to_open_unit(draws.word[1]) < event.death_probability) {
                        return finish(out, t, EndReason::adverse_event);
                    }
                    if (to_open_unit(draws.word[2]) < event.discontinue_probability) {
                        switch_to = strategy.on_discontinuation[regimen];
                        ++out.discontinuations;
                    }
                    break;
                }
                case NextEvent::discontinuation:
                    discontinuation_budget = unit_exponential(discontinuation_times.next());
                    switch_to = strategy.on_discontinuation[regimen];
                    ++out.discontinuations;
                    break;
                case NextEvent::deescalation:
                    switch_to = strategy.deescalate_to[regimen];
                    ++out.deescalations;
                    break;
            }
            if (switch_to != regimen) {
                regimen = switch_to;
                regimen_start_time = t;
                recent_attacks = 0;
                ++out.switches;
            }
        }
    }

  private:
    SCLS_FUNCTION static LifetimeOutcome& finish(LifetimeOutcome& out, double t, EndReason reason)
    {
        out.end_time = t;
        out.end_reason = reason;
        return out;
    }

    SCLS_FUNCTION static int pick_adverse_event(const RegimenParams& on, double uniform)
    {
        double cumulative = 0.0;
        const double target = uniform * on.adverse_event_rate_per_year;
        for (int i = 0; i + 1 < on.adverse_event_types; ++i) {
            cumulative += on.adverse_event[i].rate_per_year;
            if (target < cumulative) {
                return i;
            }
        }
        return on.adverse_event_types - 1;
    }

    // An attack now, with its draws: costs and acute QALY loss discounted by
    // the factors of its time, stay, complications. Returns true if the
    // patient dies in the attack.
    SCLS_FUNCTION bool attack(LifetimeOutcome& out, const AttackDraws& draws, double cost_discount, double effect_discount,
                              const RegimenParams& on, double& permanent_decrement) const
    {
        const SeverityParams& s = p_.severity[draws.severity];
        ++out.attacks_by_severity[draws.severity];
        double ward_days = s.ward_days_median * draws.stay_scale;
        const double icu_days = s.icu_days_median * draws.stay_scale;
        double complication_cost = 0.0;
        for (int c = 0; c < kComplications; ++c) {
            if (draws.complications & (1u << c)) {
                const ComplicationParams& complication = p_.complication[c];
                ++out.complications[c];
                complication_cost += complication.cost;
                ward_days += complication.extra_ward_days;
                permanent_decrement += complication.utility_decrement;
            }
        }
        out.cost[static_cast<int>(CostCategory::attack_care)] +=
            (ward_days * p_.ward_day_cost + icu_days * p_.icu_day_cost + s.cost_per_admission) * cost_discount;
        out.cost[static_cast<int>(CostCategory::complications)] += complication_cost * cost_discount;
        out.qalys -= s.qaly_loss * effect_discount;
        return draws.death_uniform < s.death_probability * on.attack_death_multiplier;
    }

    const ModelParams& p_;
    const PatientAttributes& patient_;
    StreamKey key_;
    AttackDrawCache<CachedAttacks> attacks_;
};

}  // namespace scls
