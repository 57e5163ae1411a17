// One patient's life under one strategy, simulated event by event in
// continuous time. Competing processes with piecewise-constant hazards are
// advanced by time rescaling: each keeps a unit-exponential budget that its
// hazard consumes, so a regimen switch changes the rate without redrawing,
// and every strategy replays the same sequence of draws (common random numbers).
#pragma once

#include <cstdint>
#include <new>

#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"
#include "kernels/model/attack_cache.hpp"
#include "kernels/model/attack_draws.hpp"
#include "kernels/model/attack_effects.hpp"
#include "kernels/model/discounting.hpp"
#include "kernels/model/event_draw_cache.hpp"
#include "kernels/model/lifetime_events.hpp"
#include "kernels/model/lifetime_state.hpp"
#include "kernels/model/params.hpp"
#include "kernels/model/patient.hpp"
#include "kernels/random/distributions.hpp"
#include "kernels/random/streams.hpp"

namespace scls {

// Whether an attack that changes nothing but the attack process (most events)
// skips the accrual and keeps the other events' times from the last event
// (LifetimeSimulator's SkipAccrual). On the CPU it does. On a GPU, whose
// warp steps its lanes together, a lane that skipped would wait for the
// lanes whose events accrue, and add the skip's own work (the discount
// factor's exp) to theirs: there, and in the build that measures the GPU's
// schedule, every event accrues and recomputes. The lifetimes are the same
// up to rounding (tests/kernels/model/lifetime_test.cpp).
#if SCLS_DEVICE_PASS || defined(SCLS_MEASURE_PARTS)
inline constexpr bool kAttacksSkipAccrual = false;
#else
inline constexpr bool kAttacksSkipAccrual = true;
#endif

template <int CachedAttacks, bool SkipAccrual = kAttacksSkipAccrual>
class LifetimeSimulator {
  public:
    SCLS_FUNCTION LifetimeSimulator(const ModelParams& params, const PatientAttributes& patient, StreamKey key)
        : p_(params), patient_(patient), key_(key)
    {
    }

    SCLS_FUNCTION LifetimeOutcome run(int strategy_index)
    {
        return run(strategy_index, [](detail::NextEvent) {});
    }

    // As run(), telling on_event(event) the kind of each event in turn (for
    // the lane-utilisation model: the engine's own sequence of events).
    template <class OnEvent>
    SCLS_FUNCTION LifetimeOutcome run(int strategy_index, OnEvent&& on_event)
    {
        LifetimeState s;
        run(s, strategy_index, on_event);
        return s.out;
    }

    // As run(), in a state the caller keeps (s.out is the outcome): no copy
    // of the outcome per lifetime.
    template <class OnEvent>
    SCLS_FUNCTION void run(LifetimeState& s, int strategy_index, OnEvent&& on_event)
    {
        begin(s, strategy_index);
        run_to_end(s, on_event);
    }

    // Event by event (a lane that runs many lifetimes in turn): s becomes the
    // state at the start of the lifetime under one strategy, ...
    SCLS_FUNCTION void begin(LifetimeState& s, int strategy_index)
    {
        start(s, strategy_index);
        // Word 0 of each stream is the patient's (its first budget); later
        // words are read only after an adverse event or a discontinuation.
        // The adverse-event stream is opened here (on a GPU its handler is a
        // divergent path, taken often on treatment: a block every lane
        // computes at the start costs the warp less than one a few lanes
        // compute there); the discontinuation stream, rarely read, when first needed.
        s.streams.adverse_event = stream_past_first_budget(key_, StreamPurpose::adverse_event_times);
        s.discontinuation.budget = patient_.first_discontinuation_budget;
        s.adverse_event.budget = patient_.first_adverse_event_budget;
        s.clocks = LifetimeClocks{DiscountClock(p_.discount_rate_costs), DiscountClock(p_.discount_rate_effects)};
    }

    // ... and one event of it: true when the lifetime has ended (s.out is then final).
    template <class OnEvent>
    SCLS_FUNCTION SCLS_MEASURED_PART bool advance(LifetimeState& s, OnEvent&& on_event)
    {
        return step<StepSpan::one_event>(p_.strategy[s.strategy], s, on_event);
    }

    // The history the strategies share (the CPU runs it once per patient; a
    // GPU lane runs every lifetime whole). Until prophylaxis can first start
    // (diagnosis plus any treatment delay) the patient is on no prophylaxis
    // (regimen 0) under every strategy, and a lifetime reads its strategy
    // only to know where a discontinuation or an adverse event on it leads
    // (whether prophylaxis waits for the n-th attack matters from then on).
    // So strategies that stay on it (shares_untreated_history) live the same
    // events, draws, counts and sums up to that time, to the bit. Its time:
    // 0 (nothing shared) when prophylaxis can start at entry.
    SCLS_FUNCTION double untreated_until() const
    {
        const double until = treatment_start_time();
        return until > 0.0 ? until : 0.0;
    }

    // Always true for a scenario's strategies: the built-in "none" has
    // neither event. False only for parameters built by hand that give it one
    // and send the patient elsewhere on it.
    SCLS_FUNCTION bool shares_untreated_history(const StrategyParams& strategy) const
    {
        const RegimenParams& untreated = p_.regimen[0];
        return strategy.on_discontinuation[0] == 0 ||
               (untreated.discontinuation_rate_per_year == 0.0 && untreated.adverse_event_rate_per_year == 0.0);
    }

    // Begins the lifetime under a strategy that shares the history and runs
    // its events before untreated_until(): true if it ended before then. Its
    // state is then what every strategy that shares the history has at that time.
    template <class OnEvent>
    SCLS_FUNCTION bool run_before(LifetimeState& s, int strategy_index, OnEvent&& on_event)
    {
        const StrategyParams& strategy = p_.strategy[strategy_index];
        SCLS_EXPECT(shares_untreated_history(strategy));
        const double until = untreated_until();
        begin(s, strategy_index);
        for (;;) {
            if (s.rates_regimen != s.regimen) {
                refresh_rates(s);
            }
            if (next_event(strategy, s).time >= until) {  // step() finds the same event again
                return false;
            }
            // A run of attacks stops before diagnosis (step()), no later than `until`.
            if (step<StepSpan::attack_run>(strategy, s, on_event)) {
                return true;
            }
        }
    }

    // Runs to its end, under a strategy that shares the history, a lifetime
    // that run_before left (and did not end).
    template <class OnEvent>
    SCLS_FUNCTION void run_from(LifetimeState& s, int strategy_index, OnEvent&& on_event)
    {
        SCLS_EXPECT(shares_untreated_history(p_.strategy[strategy_index]));
        s.strategy = strategy_index;
        s.others_known = false;  // the earliest other event was found under the first strategy ...
        s.settled_known = false;  // ... whose treatment start may wait for another number of attacks
        run_to_end(s, on_event);
    }

  private:
    using Streams = LifetimeStreams;
    using Clocks = LifetimeClocks;

    // What one step() runs: one event (a lane's step, or up to a time), or
    // with SkipAccrual an attack and the attacks that follow it while the
    // other events' times stay as they are (a lifetime run to its end).
    enum class StepSpan : int { one_event, attack_run };

    template <class OnEvent>
    SCLS_FUNCTION void run_to_end(LifetimeState& s, OnEvent& on_event)
    {
        const StrategyParams& strategy = p_.strategy[s.strategy];
        while (!step<StepSpan::attack_run>(strategy, s, on_event)) {
        }
    }

    SCLS_FUNCTION void start(LifetimeState& s, int strategy_index)
    {
        const StrategyParams& strategy = p_.strategy[strategy_index];
        new (&s) LifetimeState{};  // in place: assigning a value-initialised temporary would write it twice
        s.strategy = strategy_index;
        s.out.first_attack_time = kInfinity;
        s.out.end_reason = EndReason::horizon;
        s.out.diagnosis_time = patient_.diagnosis_time;
        s.out.treatment_start_time = kInfinity;
        s.out.ever_treated_time = kInfinity;
        // A cohort entering at onset enters at its first attack: studies that
        // count flares from the first one count it among the untreated.
        s.out.untreated_attacks = p_.starts_at_onset ? 1u : 0u;
        s.upcoming_attack = patient_.first_attack;
        s.attack.budget = s.upcoming_attack.budget;
        for (int slot = 0; slot < p_.regimens; ++slot) {
            s.response_loss_budget[slot] = kInfinity;  // drawn when first needed
        }
        s.rates_regimen = -1;
        s.diagnostic_attack_done = !p_.diagnosed_in_attack;
        const int sex = patient_.male ? 1 : 0;
        const double age0 = patient_.entry_age_years;
        s.utility_c0 = p_.utility_intercept + p_.utility_male * sex + age0 * (p_.utility_age + p_.utility_age_squared * age0);
        s.utility_c1 = p_.utility_age + 2.0 * p_.utility_age_squared * age0;
        // Prophylaxis can begin once the patient is diagnosed (and any
        // treatment delay has passed); a cohort entering at diagnosis with no
        // delay begins at once.
        if (treatment_start_time() <= 0.0 && strategy.start_after_attacks == 0 && s.diagnostic_attack_done) {
            begin_prophylaxis(strategy, s);
        }
    }

    SCLS_FUNCTION double treatment_start_time() const { return patient_.diagnosis_time + p_.treatment_delay_years; }

    SCLS_FUNCTION void begin_prophylaxis(const StrategyParams& strategy, LifetimeState& s) const
    {
        s.started = true;
        s.regimen = strategy.start_regimen;
        if (s.regimen != 0) {
            s.out.treatment_start_time = min_of(s.out.treatment_start_time, s.t);
        }
        note_ever_treated(s);
    }

    SCLS_FUNCTION void note_ever_treated(LifetimeState& s) const
    {
        if ((p_.ever_treated_mask >> s.regimen) & 1u) {
            s.out.ever_treated_time = min_of(s.out.ever_treated_time, s.t);
        }
    }

    // New hazards from now (s.t): each budget is first consumed up to now at
    // the rate that ran until now (none before the first refresh).
    SCLS_FUNCTION void refresh_rates(LifetimeState& s)
    {
        s.attack.consume_to(s.t);
        s.discontinuation.consume_to(s.t);
        s.adverse_event.consume_to(s.t);
        consume_budget<1>(s.response_loss_budget[s.loss_slot], s.response_loss_since, s.loss_rate, s.t);
        const RegimenParams& on = p_.regimen[s.regimen];
        s.rates_regimen = s.regimen;
        const bool lost = (s.lost_slots >> on.response_slot) & 1u;
        s.attack.set_rate(p_.attack_rate_per_year * patient_.attack_rate_multiplier *
                          (lost ? on.lost_attack_rate_ratio : patient_.attack_rate_ratio[s.regimen]));
        s.discontinuation.set_rate(on.discontinuation_rate_per_year);
        s.adverse_event.set_rate(on.adverse_event_rate_per_year);
        s.loss_slot = on.response_slot;
        s.loss_rate = lost ? 0.0 : on.loss_of_response_rate_per_year;
        // A slot's budget is drawn when its response can first be lost. The
        // draw is keyed by slot, not read from a stream, so when it is made
        // does not change it; made here, finding the next event draws nothing
        // (in lanes, an event offered to some lanes only is computed in all).
        double& loss_budget = s.response_loss_budget[s.loss_slot];
        if (s.loss_rate > 0.0 && loss_budget == kInfinity) {
            loss_budget = events_.loss_budget(key_, s.loss_slot);
        }
        s.others_known = false;
    }

    // The next event: the next attack, or the earliest of the others (with
    // SkipAccrual, kept while it stays valid). On a tie the order of offers
    // decides, as if all were offered at once: deaths, the horizon and
    // myeloma onset before the attack (their kinds come before it), the
    // others after it.
    SCLS_FUNCTION SCLS_MEASURED_PART detail::EarliestEvent next_event(const StrategyParams& strategy, LifetimeState& s)
    {
        using detail::NextEvent;
        detail::EarliestEvent others;
        if constexpr (SkipAccrual) {
            if (!s.others_known) {
                s.others = other_events(strategy, s);
                s.others_known = true;
            }
            others = s.others;
        } else {
            others = other_events(strategy, s);  // a local: no state written per event (on a GPU, local memory)
        }
        const double attack_time = next_attack_time(s);
        if (others.attack_comes_first(attack_time)) {
            return detail::EarliestEvent{attack_time, NextEvent::attack};
        }
        return others;
    }

    SCLS_FUNCTION SCLS_FORCEINLINE static double next_attack_time(const LifetimeState& s)
    {
        return s.attack.next_time();
    }

    // The earliest event other than an attack: the settled candidates'
    // earliest, kept until an event moves one of them (s.settled_known), set
    // against the processes'.
    SCLS_FUNCTION detail::EarliestEvent other_events(const StrategyParams& strategy, LifetimeState& s) const
    {
        if (!s.settled_known) {
            s.settled = settled_events(patient_, strategy, s, treatment_start_time());
            s.settled_known = true;
        }
        return detail::earlier_of<1>(s.settled, process_events(strategy, s));
    }

    // Everything that flows continuously over [accrued_to, t): costs, QALYs,
    // life-years, time on the regimen (constant over it: whatever changes
    // them accrues first).
    SCLS_FUNCTION SCLS_MEASURED_PART void accrue_to(LifetimeState& s, Clocks& clocks, double t) const
    {
        const double dt = t - s.accrued_to;
        if (!(dt > 0.0)) {
            return;
        }
        const double t0 = s.accrued_to;
        s.accrued_to = t;
        const RegimenParams& on = p_.regimen[s.regimen];
        LifetimeOutcome& out = s.out;
        const FlowsLanes<1> flows{on.drug_cost_per_kg_year * patient_.weight_kg + on.drug_cost_per_year,
                                  on.administration_cost_per_year,
                                  s.utility_c0,
                                  s.utility_c1,
                                  on.utility_decrement + s.permanent_decrement,
                                  s.myeloma_active};
        accrue_interval_lanes<1>(p_, clocks, t0, dt, true, flows,
                                 AccruedLanes<1>{out.life_years, out.life_years_discounted, out.qalys, out.cost});
        out.regimen_years[s.regimen] += dt;
    }

    // One event (with StepSpan::attack_run, perhaps a run of attacks): returns true when the lifetime has ended.
    template <StepSpan Span, class OnEvent>
    SCLS_FUNCTION SCLS_FORCEINLINE bool step(const StrategyParams& strategy, LifetimeState& s, OnEvent& on_event)
    {
        using detail::NextEvent;
        Streams& streams = s.streams;
        Clocks& clocks = s.clocks;
        if (s.rates_regimen != s.regimen) {
            refresh_rates(s);
        }
        const detail::EarliestEvent next = next_event(strategy, s);
        on_event(next.event);
        s.t = max_of(next.time, s.t);
        // With SkipAccrual, an attack accrues only if it changes what flows
        // (on_attack); it keeps the other events' times unless it moves a
        // deescalation or switches (below), or comes before prophylaxis has
        // started. Before the start, one before diagnosis keeps them too (the
        // attacks that may bring prophylaxis on count from diagnosis) where
        // the regimen has no escalation rule (which must not count attacks
        // before the start, as a later attack of a run would); its run stops
        // at diagnosis (below).
        const bool others_stay = SkipAccrual && next.event == NextEvent::attack && strategy.deescalate_to[s.regimen] == kNoRegimen &&
                                 (s.started || (s.t < patient_.diagnosis_time && strategy.escalate_to[s.regimen] == kNoRegimen));
        if (!SkipAccrual || next.event != NextEvent::attack) {
            accrue_to(s, clocks, s.t);
        }
        int switch_to = s.regimen;
        switch (next.event) {
            case NextEvent::background_death: return finish(s, EndReason::background);
            case NextEvent::myeloma_death: return finish(s, EndReason::myeloma);
            case NextEvent::horizon: return finish(s, EndReason::horizon);
            case NextEvent::myeloma_onset:
                s.myeloma_active = true;
                s.settled_known = false;
                s.out.myeloma_onset = true;
                break;
#if SCLS_DEVICE_PASS || defined(SCLS_MEASURE_PARTS)
            // One call on the GPU (and in the build that measures the GPU's
            // schedule), so that a warp whose lanes take either kind of attack
            // runs one path ...
            case NextEvent::attack:
            case NextEvent::diagnostic_attack:
                if (on_attack(strategy, s, clocks, attack_run(strategy, s), switch_to,
                              next.event == NextEvent::diagnostic_attack)) {
                    return finish(s, EndReason::attack);
                }
                break;
#else
            // ... and on the CPU a copy for each, its branches resolved (4% fewer instructions).
            case NextEvent::attack: {
                const AttackRun run = attack_run(strategy, s);  // the same for every attack of the run
                if (on_attack(strategy, s, clocks, run, switch_to, false)) {
                    return finish(s, EndReason::attack);
                }
                // The attacks that follow while the other events' times stay
                // as they are, as the next steps would run them: no switch,
                // so no refresh of rates; s.others still the earliest other
                // event (next_event found it, with SkipAccrual, which
                // others_stay implies); no accrual before an attack. A copy
                // of on_attack for them, knowing more (on_attack's `later`).
                if (Span == StepSpan::one_event || !others_stay) {
                    break;
                }
                SCLS_EXPECT(s.others_known);
                // Before prophylaxis has started the run also stops at
                // diagnosis, which is no event where patients are not
                // diagnosed in an attack (an attack at diagnosis counts
                // towards the start: it takes a step of its own).
                detail::EarliestEvent stop = s.others;
                if (!s.started && !(stop.time < run.diagnosis_time)) {
                    stop = detail::EarliestEvent{run.diagnosis_time, NextEvent::attack};
                }
                while (switch_to == s.regimen) {
                    const double attack_time = next_attack_time(s);
                    if (!stop.attack_comes_first(attack_time)) {
                        break;
                    }
                    on_event(NextEvent::attack);
                    s.t = max_of(attack_time, s.t);
                    if (on_attack(strategy, s, clocks, run, switch_to, false, true)) {
                        return finish(s, EndReason::attack);
                    }
                }
                break;
            }
            case NextEvent::diagnostic_attack:
                if (on_attack(strategy, s, clocks, attack_run(strategy, s), switch_to, true)) {
                    return finish(s, EndReason::attack);
                }
                break;
#endif
            case NextEvent::adverse_event:
                if (on_adverse_event(strategy, s, streams, clocks, switch_to)) {
                    return finish(s, EndReason::adverse_event);
                }
                break;
            case NextEvent::discontinuation:
                s.discontinuation.renew(unit_exponential(next_discontinuation_word(streams)), s.t);
                switch_to = strategy.on_discontinuation[s.regimen];
                ++s.out.discontinuations;
                break;
            case NextEvent::deescalation:
                switch_to = strategy.deescalate_to[s.regimen];
                ++s.out.deescalations;
                break;
            case NextEvent::treatment_start:
                // From no prophylaxis (regimen 0): the switch below records the start.
                s.started = true;
                s.settled_known = false;
                switch_to = strategy.start_regimen;
                break;
            case NextEvent::response_loss:
                s.lost_slots |= 1u << p_.regimen[s.regimen].response_slot;
                ++s.out.response_losses;
                s.rates_regimen = -1;
                break;
        }
        // A settled event that does not end the lifetime moves the settled
        // candidates: kept, it would be found again at this time, forever.
        SCLS_EXPECT(!s.settled_known || (next.event != NextEvent::myeloma_onset && next.event != NextEvent::treatment_start &&
                                         next.event != NextEvent::diagnostic_attack));
        if constexpr (SkipAccrual) {
            s.others_known = s.others_known && others_stay && switch_to == s.regimen;
        }
        if (switch_to != s.regimen) {
            switch_regimen(s, clocks, switch_to);
        }
        return false;
    }

    // Moves the lifetime to another regimen now (its rates refresh at the next step).
    SCLS_FUNCTION SCLS_FORCEINLINE void switch_regimen(LifetimeState& s, Clocks& clocks, int switch_to) const
    {
        if constexpr (SkipAccrual) {
            accrue_to(s, clocks, s.t);  // after an attack, what flowed on the old regimen
        }
        if (s.regimen == 0 && switch_to != 0) {
            s.out.treatment_start_time = min_of(s.out.treatment_start_time, s.t);
        }
        s.regimen = switch_to;
        note_ever_treated(s);
        s.regimen_start_time = s.t;
        s.recent_attacks = 0;
        ++s.out.switches;
    }

    SCLS_FUNCTION SCLS_FORCEINLINE AttackRun attack_run(const StrategyParams& strategy, const LifetimeState& s) const
    {
        return AttackRun{&p_.regimen[s.regimen],
                         strategy.escalate_to[s.regimen],
                         p_.discount_rate_costs == p_.discount_rate_effects,
                         s.out.treatment_start_time == kInfinity,
                         patient_.diagnosis_time,
                         s.out.treatment_start_time + p_.within_patient_window_years};
    }

    // An attack: a counted one (its draws drawn ahead; it draws the next
    // one's) or the one in which the patient is diagnosed (its draws are the
    // patient's, patient.hpp). One path for both, so that a GPU warp whose
    // lanes take either pays for one. The diagnostic attack is untreated
    // (prophylaxis starts after it), identical under every strategy, counted
    // at diagnosis (not before it) and not among the attacks since diagnosis
    // that a "from the n-th attack" strategy waits for; a patient who dies in
    // it is diagnosed, then dead, as a registry that follows patients from
    // diagnosis counts them. With SkipAccrual it accrues first when the
    // attack changes what flows (a lasting decrement, death). `later`: an
    // attack after the first of a run (step()), so an earlier attack came and
    // prophylaxis has started, or the attack comes before diagnosis on a
    // regimen without escalation (nothing below the count depends on it).
    // Returns true when the patient dies in the attack.
    SCLS_FUNCTION SCLS_MEASURED_PART bool on_attack(const StrategyParams& strategy, LifetimeState& s, Clocks& clocks,
                                                    const AttackRun& run, int& switch_to, bool diagnostic, bool later = false)
    {
        LifetimeOutcome& out = s.out;
        const double t = s.t;
        count_attack(s, run, later);
        if (diagnostic) {
            s.diagnostic_attack_done = true;
            s.settled_known = false;
        }
        // With SkipAccrual flows may not be accrued up to now: the discount
        // factors of now (without, the clocks' own: no exp).
        const double unaccrued = SkipAccrual ? t - s.accrued_to : 0.0;
        const double cost_factor = clocks.cost.factor_after(unaccrued);
        const double effect_factor = run.same_discount_rates ? cost_factor : clocks.effect.factor_after(unaccrued);
        double added_decrement = 0.0;
        const bool died =
            attack_consequences_in(p_, attacks_, out, diagnostic ? 0u : s.attack_count,
                                   diagnostic ? patient_.diagnostic_attack : attacks_.got(s.attack_count, s.upcoming_attack),
                                   cost_factor, effect_factor, diagnostic ? p_.regimen[0] : *run.on, added_decrement);
        if (added_decrement != 0.0 || died) {  // the decrement first: a constant 0 without complications
            if constexpr (SkipAccrual) {
                accrue_to(s, clocks, t);  // at the utility before the attack
            }
            s.permanent_decrement += added_decrement;
            if (died) {
                return true;
            }
        }
        if (diagnostic) {
            return false;
        }
        ++s.attack_count;
        s.attacks_since_diagnosis += t >= run.diagnosis_time ? 1u : 0u;
        s.attack.renew(attacks_.get(key_, s.attack_count, s.upcoming_attack).budget, t);
        SCLS_EXPECT(!later || s.started || t < run.diagnosis_time);
        if (!later && !s.started) {
            s.settled_known = false;  // the attacks since diagnosis may have moved: prophylaxis may wait no longer
            // "Prophylaxis from the n-th attack": attacks since diagnosis, once treatment can start.
            if (strategy.start_after_attacks > 0 && t >= treatment_start_time() &&
                s.attacks_since_diagnosis >= static_cast<std::uint32_t>(strategy.start_after_attacks)) {
                s.started = true;
                switch_to = strategy.start_regimen;
            }
        } else if (run.escalate_to != kNoRegimen) {
            s.recent_attack_times[s.recent_attacks % kMaxEscalationAttacks] = t;
            ++s.recent_attacks;
            const double window_start = t - strategy.escalate_window_years[s.regimen];
            int in_window = 0;
            const int stored = s.recent_attacks < kMaxEscalationAttacks ? s.recent_attacks : kMaxEscalationAttacks;
            for (int i = 0; i < stored; ++i) {
                in_window += s.recent_attack_times[i] >= window_start ? 1 : 0;
            }
            if (in_window >= strategy.escalate_after_attacks[s.regimen]) {
                switch_to = run.escalate_to;
                ++out.escalations;
            }
        }
        return false;
    }

    // Returns true when the patient dies of the adverse event.
    SCLS_FUNCTION SCLS_DEVICE_NOINLINE bool on_adverse_event(const StrategyParams& strategy, LifetimeState& s, Streams& streams,
                                                             const Clocks& clocks, int& switch_to)
    {
        const RegimenParams& on = p_.regimen[s.regimen];
        s.adverse_event.renew(unit_exponential(streams.adverse_event.next()), s.t);
        const PhiloxCounter draws = events_.adverse_event_outcomes(key_, s.adverse_event_count++);
        const AdverseEventParams& event = on.adverse_event[pick_adverse_event(on, to_open_unit(draws.word[0]))];
        ++s.out.adverse_events;
        s.out.cost[static_cast<int>(CostCategory::adverse_events)] += event.cost * clocks.cost.factor();
        s.out.qalys -= event.qaly_loss * clocks.effect.factor();
        s.permanent_decrement += event.utility_decrement;
        if (to_open_unit(draws.word[1]) < event.death_probability) {
            return true;
        }
        if (to_open_unit(draws.word[2]) < event.discontinue_probability) {
            switch_to = strategy.on_discontinuation[s.regimen];
            ++s.out.discontinuations;
        }
        return false;
    }

    // The discontinuation stream's next word after word 0 (the patient's).
    SCLS_FUNCTION std::uint32_t next_discontinuation_word(Streams& streams)
    {
        if (!streams.discontinuation_open) {
            streams.discontinuation = events_.discontinuation_stream(key_);
            streams.discontinuation_open = true;
        }
        return streams.discontinuation.next();
    }

    SCLS_FUNCTION static bool finish(LifetimeState& s, EndReason reason)
    {
        s.out.end_time = s.t;
        s.out.end_reason = reason;
        return true;
    }

    const ModelParams& p_;
    const PatientAttributes& patient_;
    StreamKey key_;
    AttackDrawCache<CachedAttacks> attacks_;
    EventDrawCache<(CachedAttacks > 0)> events_;  // kept with the attacks' draws, or drawn afresh with them
};

}  // namespace scls
