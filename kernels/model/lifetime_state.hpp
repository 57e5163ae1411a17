// What a lifetime carries from one event to the next (LifetimeState) and what
// it ends with (LifetimeOutcome); the kinds of events it can meet are
// events.hpp's. The simulator that moves the state along is lifetime.hpp's.
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/model/accrual.hpp"
#include "kernels/model/attack_draws.hpp"
#include "kernels/model/discounting.hpp"
#include "kernels/model/events.hpp"
#include "kernels/model/hazard_process.hpp"
#include "kernels/model/params.hpp"
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
    double diagnosis_time;               // years since entry (0 for a cohort entering at diagnosis)
    double treatment_start_time;         // the first prophylaxis; infinity if none
    double ever_treated_time;            // first on a regimen of [cohort] ever_treated; infinity if never
    EndReason end_reason;
    std::uint32_t attacks_by_severity[kSeverities];
    std::uint32_t complications[kComplications];
    std::uint32_t attacks_on_regimen[kMaxRegimens];  // by the regimen at the time of the attack
    std::uint32_t adverse_events;
    std::uint32_t switches;
    std::uint32_t discontinuations;
    std::uint32_t escalations;
    std::uint32_t deescalations;
    std::uint32_t untreated_attacks;     // attacks before the first prophylaxis (with the onset attack, entering at onset)
    std::uint32_t window_attacks;        // attacks in the first within_patient_window_years of prophylaxis
    std::uint32_t attacks_before_diagnosis;
    std::uint32_t response_losses;
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

// The streams a lifetime reads in sequence (the others are read by block).
struct LifetimeStreams {
    PhiloxStream discontinuation, adverse_event;
    bool discontinuation_open;  // false: not read yet beyond word 0 (a patient attribute)
};

// A lifetime's state between events: what advance() carries from one event
// to the next. A lane that runs lifetimes event by event keeps one.
struct LifetimeState {
    LifetimeOutcome out;
    int strategy;  // index into ModelParams::strategy
    LifetimeStreams streams;
    LifetimeClocks clocks;
    double t;           // the current event's
    double accrued_to;  // flows (costs, QALYs, life-years) accrued up to here: t, or before attacks that changed none of them
    int regimen;
    bool started;          // the strategy's prophylaxis has begun
    bool myeloma_active;
    // The competing processes, each a unit-exponential budget consumed by
    // its hazard (hazard_process.hpp), their rates those of the current
    // regimen (refresh_rates). The loss of response keeps a budget per slot.
    HazardProcess attack, discontinuation, adverse_event;
    double response_loss_budget[kMaxRegimens];  // per response slot; the current slot's as of response_loss_since
    double response_loss_since;
    std::uint32_t lost_slots;                  // bit s: the response of slot s is lost
    // The next attack's draws where the attack cache keeps none (attack 0,
    // beyond its capacity, a GPU); otherwise stale: the cache holds them, so a
    // state with a cache (CPU) continues only under the simulator that made it.
    AttackDraws upcoming_attack;
    double regimen_start_time, last_attack_time;
    double recent_attack_times[kMaxEscalationAttacks];  // breakthroughs on the current regimen, ring
    int recent_attacks;
    std::uint32_t attack_count, attacks_since_diagnosis, adverse_event_count;
    bool diagnostic_attack_done;  // the attack at diagnosis has happened (or the scenario has none)
    double permanent_decrement;
    double utility_c0, utility_c1;  // baseline utility as a polynomial in time since entry (c2: the age-squared coefficient)
    // The current regimen's rates (the processes' and the loss of response's)
    // are refreshed on a switch and on a loss of response; rates_regimen -1
    // asks for a refresh.
    int rates_regimen;
    int loss_slot;  // the response slot whose response is being lost, at loss_rate
    double loss_rate;
    // The earliest event other than an attack: kept from one attack to the
    // next while nothing it depends on changes (most events are attacks).
    // The CPU's (SkipAccrual); a GPU lane finds it anew at every event ...
    detail::EarliestEvent others;
    bool others_known;
    // ... from the earliest of its settled candidates (events.hpp), which
    // both backends keep until an event moves one of them: the lifetime's
    // start, a change of strategy (run_from), myeloma onset, the diagnostic
    // attack, an attack before prophylaxis starts, its start.
    detail::EarliestEvent settled;
    bool settled_known;
};

}  // namespace scls
