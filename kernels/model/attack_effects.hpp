// What an attack does to a lifetime's outcome, apart from the event loop
// that brings it (lifetime.hpp): what it counts, and what its draws bring at
// the severity they have on the regimen (costs, QALY loss, complications,
// death). Also the pick among a regimen's adverse events.
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"
#include "kernels/model/attack_cache.hpp"
#include "kernels/model/attack_draws.hpp"
#include "kernels/model/lifetime_state.hpp"
#include "kernels/model/params.hpp"

namespace scls {

// What an attack reads that stays the same over a run of attacks (no
// switch between them, so the same regimen, strategy and treatment start),
// filled by LifetimeSimulator::attack_run (lifetime.hpp, which alone reads
// on, escalate_to and same_discount_rates): on the CPU read once per run,
// not per attack (GCC would reload most of it after each store to the
// outcome); on a GPU once per attack.
struct AttackRun {
    const RegimenParams* on;   // the current regimen's
    int escalate_to;           // its escalation's regimen, or kNoRegimen
    bool same_discount_rates;  // the effects' discount factor is the costs'
    // No treatment start recorded (the outcome's is infinity): not the same
    // as !s.started, which a strategy that starts on regimen 0 sets.
    bool untreated;
    double diagnosis_time;
    double window_end;  // the end of the before/after window on prophylaxis
};

// What every attack adds to the lifetime's counts, whatever its outcome: the
// first attack's time, the regimen it came on, before prophylaxis or within
// the before/after window on it, before diagnosis or not. `later`: an attack
// after the first of a run, which comes no earlier than the one before it.
SCLS_FUNCTION inline void count_attack(LifetimeState& s, const AttackRun& run, bool later)
{
    LifetimeOutcome& out = s.out;
    const double t = s.t;
    if (!later) {
        out.first_attack_time = min_of(out.first_attack_time, t);
    }
    ++out.attacks_on_regimen[s.regimen];
    if (run.untreated) {
        ++out.untreated_attacks;
    } else if (t < run.window_end) {
        ++out.window_attacks;
    }
    if (t < run.diagnosis_time) {
        ++out.attacks_before_diagnosis;
    }
    s.last_attack_time = t;
}

// Attack k now (0: the patient's first, or the diagnostic attack; both
// uncached), with its draws read against the regimen: costs and acute QALY
// loss discounted by the factors of its time, stay, complications (their
// lasting utility decrements added to added_decrement), its consequences at
// its severity kept where the patient's cache keeps them (attack_cache.hpp;
// with CachedAttacks = 0, the GPU's, none are). Returns true if the patient
// dies in the attack.
template <int CachedAttacks>
SCLS_FUNCTION SCLS_MEASURED_PART inline bool attack_consequences_in(const ModelParams& p, AttackDrawCache<CachedAttacks>& attacks,
                                                                    LifetimeOutcome& out, std::uint32_t k,
                                                                    const AttackDraws& draws, double cost_discount,
                                                                    double effect_discount, const RegimenParams& on,
                                                                    double& added_decrement)
{
    const int severity = severity_on(on, draws.severity_uniform);
    const SeverityParams& s = p.severity[severity];
    ++out.attacks_by_severity[severity];
    AttackConsequences uncached;
    const AttackConsequences& c = attacks.consequences(p, k, draws, severity, uncached);
    if (c.complications != 0) {  // rare; without complications the added decrement is 0
        for (int complication = 0; complication < kComplications; ++complication) {
            out.complications[complication] += (c.complications >> complication) & 1u;
        }
        added_decrement += c.added_decrement;
    }
    out.cost[static_cast<int>(CostCategory::attack_care)] += c.care_cost * cost_discount;
    out.cost[static_cast<int>(CostCategory::complications)] += c.complication_cost * cost_discount;
    out.qalys -= s.qaly_loss * effect_discount;
    return draws.death_uniform < s.death_probability * on.attack_death_multiplier;
}

// Which of a regimen's adverse events a uniform picks, by their shares of
// its rate (the last where rounding leaves the uniform past them all).
SCLS_FUNCTION inline int pick_adverse_event(const RegimenParams& on, double uniform)
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

}  // namespace scls
