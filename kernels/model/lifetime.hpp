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

SCLS_FUNCTION SCLS_FORCEINLINE double time_to_exhaust(double budget, double rate)
{
    return rate > 0.0 ? budget / rate : kInfinity;
}

}  // namespace detail

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

        PhiloxStream attack_times = open_stream(key_, StreamPurpose::attack_times);
        PhiloxStream discontinuation_times = open_stream(key_, StreamPurpose::discontinuation);
        PhiloxStream adverse_event_times = open_stream(key_, StreamPurpose::adverse_event_times);
        double attack_budget = unit_exponential(attack_times.next());
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

        double t = 0.0;
        for (;;) {
            const RegimenParams& on = p_.regimen[regimen];
            const double attack_rate =
                p_.attack_rate_per_year * patient_.attack_rate_multiplier * on.attack_rate_ratio[patient_.response_class[regimen]];
            const double discontinuation_rate = on.discontinuation_rate_per_year;
            const double adverse_event_rate = on.adverse_event_rate_per_year;

            detail::EarliestEvent next;
            next.offer(patient_.background_death_time, NextEvent::background_death);
            next.offer(patient_.myeloma_death_time, NextEvent::myeloma_death);
            next.offer(patient_.horizon_time, NextEvent::horizon);
            if (!myeloma_active) {
                next.offer(patient_.myeloma_onset_time, NextEvent::myeloma_onset);
            }
            next.offer(t + detail::time_to_exhaust(attack_budget, attack_rate), NextEvent::attack);
            next.offer(t + detail::time_to_exhaust(adverse_event_budget, adverse_event_rate), NextEvent::adverse_event);
            next.offer(t + detail::time_to_exhaust(discontinuation_budget, discontinuation_rate), NextEvent::discontinuation);
            if (started && strategy.deescalate_to[regimen] != kNoRegimen) {
                next.offer(max_of(regimen_start_time, last_attack_time) + strategy.deescalate_after_years[regimen],
                           NextEvent::deescalation);
            }
            const double t_next = max_of(next.time, t);

            // Accrue everything that flows continuously over [t, t_next).
            const double dt = t_next - t;
            const double cost_years = discounted_duration(p_.discount_rate_costs, t, t_next);
            const double decrement = on.utility_decrement + permanent_decrement + (myeloma_active ? p_.myeloma_utility_decrement : 0.0);
            out.life_years += dt;
            out.life_years_discounted += discounted_duration(p_.discount_rate_effects, t, t_next);
            out.qalys += discounted_quadratic(p_.discount_rate_effects, t, t_next, utility_c0 - decrement, utility_c1, utility_c2);
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
                    attack_budget = unit_exponential(attack_times.next());
                    if (attack_count == 0) {
                        out.first_attack_time = t;
                    }
                    if (attack(out, attack_count, t, on, permanent_decrement)) {
                        return finish(out, t, EndReason::attack);
                    }
                    ++attack_count;
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
                        event.cost * discount_factor(p_.discount_rate_costs, t);
                    out.qalys -= event.qaly_loss * discount_factor(p_.discount_rate_effects, t);
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

    // The attack_index-th attack (0-based) at time t: severity, stay,
    // complications, costs and acute QALY loss. Returns true if the patient
    // dies in the attack. Its draws are addressed by the attack's index, so
    // the k-th attack has the same severity and outcome under every strategy.
    SCLS_FUNCTION bool attack(LifetimeOutcome& out, std::uint32_t attack_index, double t, const RegimenParams& on,
                              double& permanent_decrement) const
    {
        const PhiloxCounter first = draw_block(key_, StreamPurpose::attack_outcomes, 2 * attack_index);
        const PhiloxCounter second = draw_block(key_, StreamPurpose::attack_outcomes, 2 * attack_index + 1);
        const double severity_uniform = to_open_unit(first.word[0]);
        int severity = 0;
        double cumulative = p_.severity[0].share;
        while (severity + 1 < kSeverities && severity_uniform >= cumulative) {
            ++severity;
            cumulative += p_.severity[severity].share;
        }
        const SeverityParams& s = p_.severity[severity];
        ++out.attacks_by_severity[severity];

        const double stay_scale = s.stay_log_sd > 0.0 ? exp(s.stay_log_sd * normal_quantile(to_open_unit(first.word[1]))) : 1.0;
        double ward_days = s.ward_days_median * stay_scale;
        const double icu_days = s.icu_days_median * stay_scale;
        double complication_cost = 0.0;
        for (int c = 0; c < kComplications; ++c) {
            if (to_open_unit(second.word[c]) < s.complication_probability[c]) {
                const ComplicationParams& complication = p_.complication[c];
                ++out.complications[c];
                complication_cost += complication.cost;
                ward_days += complication.extra_ward_days;
                permanent_decrement += complication.utility_decrement;
            }
        }
        const double cost_discount = discount_factor(p_.discount_rate_costs, t);
        out.cost[static_cast<int>(CostCategory::attack_care)] +=
            (ward_days * p_.ward_day_cost + icu_days * p_.icu_day_cost + s.cost_per_admission) * cost_discount;
        out.cost[static_cast<int>(CostCategory::complications)] += complication_cost * cost_discount;
        out.qalys -= s.qaly_loss * discount_factor(p_.discount_rate_effects, t);
        return to_open_unit(first.word[2]) < s.death_probability * on.attack_death_multiplier;
    }

    const ModelParams& p_;
    const PatientAttributes& patient_;
    StreamKey key_;
};

}  // namespace scls
