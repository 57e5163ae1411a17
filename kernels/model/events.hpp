// The kinds of events a lifetime meets, the earliest of competing
// candidates (EarliestEventLanes), and the earliest event other than an
// attack: that of the settled candidates (earliest_settled_event), that of
// the processes (earliest_process_event), and the earlier of the two as if
// all had been offered at once (earlier_of; earliest_other_event). Written
// once over Lanes<N>: N = 1 is the engine's form (lifetime.hpp, its inputs
// read from the state in lifetime_events.hpp), and each lane of N has that
// form's bits.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/core/lanes.hpp"
#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"

namespace scls {

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
    treatment_start,
    response_loss,
    diagnostic_attack,
};
inline constexpr int kEventKinds = static_cast<int>(NextEvent::diagnostic_attack) + 1;  // diagnostic_attack stays last
// next_event breaks a tie with the attack by kind: the kinds before it are
// the ones offered before it (deaths, the horizon, myeloma onset).
static_assert(NextEvent::myeloma_onset < NextEvent::attack && NextEvent::attack < NextEvent::adverse_event,
              "ties with the attack are decided by NextEvent's order: the kinds offered before it must come before it");

// A kind of event in N lanes: one NextEvent, or (N > 1) its value in each
// lane of 64-bit integers, as wide as a comparison's mask, so that kinds
// blend by the same masks as times.
template <int N>
using EventKindLanes = std::conditional_t<N == 1, NextEvent, typename Lanes<N>::Signed>;

// Keeps the earliest candidate; on ties the one offered first wins, and
// candidates are offered deaths first (the attack is not offered: next_event
// sets it against the earliest of the others). In N lanes, or one lifetime's
// at N = 1 (EarliestEvent); each lane keeps what the one-lane form would.
template <int N>
struct EarliestEventLanes {
    using Real = typename Lanes<N>::Real;
    using Mask = typename Lanes<N>::Mask;
    using Kind = EventKindLanes<N>;

    Real time = Lanes<N>::broadcast(kInfinity);
    Kind event = in_lanes(NextEvent::horizon);

    SCLS_FUNCTION static constexpr SCLS_FORCEINLINE Kind in_lanes(NextEvent kind)
    {
        if constexpr (N == 1) {
            return kind;
        } else {
            return Kind{} + static_cast<std::int64_t>(kind);
        }
    }

    SCLS_FUNCTION SCLS_FORCEINLINE void offer(Real candidate, NextEvent kind)
    {
        if constexpr (N == 1) {
            if (candidate < time) {
                time = candidate;
                event = kind;
            }
        } else {
            offer(candidate, kind, Lanes<N>::every());
        }
    }
    // Offered only in the lanes of a mask (a lifetime for which the event is
    // possible). In lanes the candidate is computed in every lane and only
    // its result ignored where the mask is clear: a candidate whose
    // computation has effects (a draw) cannot be offered this way.
    SCLS_FUNCTION SCLS_FORCEINLINE void offer(Real candidate, NextEvent kind, Mask offered)
    {
        if constexpr (N == 1) {
            if (offered) {  // a branch, as the engine's ifs were (GCC may still hoist the candidate's loads)
                offer(candidate, kind);
            }
        } else {
            const Mask earlier = (candidate < time) & offered;
            time = Lanes<N>::select(earlier, candidate, time);
            event = earlier ? in_lanes(kind) : event;
        }
    }

    // Whether an attack at attack_time comes before this, the earliest of
    // the others: on a tie the kind decides, as if all were offered at once
    // (deaths, the horizon and myeloma onset come before the attack).
    SCLS_FUNCTION SCLS_FORCEINLINE Mask attack_comes_first(Real attack_time) const
    {
        if constexpr (N == 1) {
            return attack_time < time || (attack_time == time && event > NextEvent::attack);
        } else {
            return (attack_time < time) | ((attack_time == time) & (event > in_lanes(NextEvent::attack)));
        }
    }
};
using EarliestEvent = EarliestEventLanes<1>;

// What the earliest event other than an attack depends on, in N lanes (at
// N = 1, one lifetime's), in two parts. Times are in years since entry. A
// mask says in which lanes an event is possible; elsewhere its candidate is
// ignored (in lanes, computed all the same).
//
// The settled part: the patient's deaths, horizon, myeloma onset, diagnosis
// and treatment start. Only the lifetime's start, a change of strategy (the
// number of attacks prophylaxis waits for), myeloma onset, the diagnostic
// attack, an attack before prophylaxis starts and its start move it, so a
// lifetime can keep its earliest for many events.
template <int N>
struct SettledEventInputsLanes {
    using Real = typename Lanes<N>::Real;
    using Mask = typename Lanes<N>::Mask;
    Real background_death_time, myeloma_death_time, horizon_time;
    Real myeloma_onset_time;
    Mask myeloma_pending;  // myeloma is not active yet
    Real diagnosis_time;
    Mask diagnosis_pending;  // the attack in which the patient is diagnosed has not happened
    Real treatment_start_time;
    Mask treatment_start_pending;  // no prophylaxis yet, and no more attacks for it to wait for
};
// The processes' part: the lifetime's competing processes, its regimen's
// rules and its loss of response, which most events move.
template <int N>
struct ProcessEventInputsLanes {
    using Real = typename Lanes<N>::Real;
    using Mask = typename Lanes<N>::Mask;
    Real adverse_event_time, discontinuation_time;
    Real regimen_start_time, last_attack_time, deescalate_after_years;
    Mask deescalation_pending;  // on prophylaxis, on a regimen that deescalates
    Real response_loss_since, response_loss_budget, loss_rate_per_year;  // the current response slot's; none at rate 0
};
template <int N>
struct OtherEventInputsLanes : SettledEventInputsLanes<N>, ProcessEventInputsLanes<N> {};
using OtherEventInputs = OtherEventInputsLanes<1>;

// The candidates are offered in this order, which decides ties: deaths, the
// horizon, myeloma onset, adverse event, discontinuation, deescalation,
// diagnosis, treatment start, loss of response. Each part offers its own in
// that order; earlier_of() then decides a tie between the parts' earliest as
// if all ten had been offered at once.

template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE EarliestEventLanes<N> earliest_settled_event(const SettledEventInputsLanes<N>& in)
{
    EarliestEventLanes<N> next;
    next.offer(in.background_death_time, NextEvent::background_death);
    next.offer(in.myeloma_death_time, NextEvent::myeloma_death);
    next.offer(in.horizon_time, NextEvent::horizon);
    next.offer(in.myeloma_onset_time, NextEvent::myeloma_onset, in.myeloma_pending);
    // The diagnosis is made in an attack: before any prophylaxis can start at that time.
    next.offer(in.diagnosis_time, NextEvent::diagnostic_attack, in.diagnosis_pending);
    next.offer(in.treatment_start_time, NextEvent::treatment_start, in.treatment_start_pending);
    return next;
}

template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE EarliestEventLanes<N> earliest_process_event(const ProcessEventInputsLanes<N>& in)
{
    using L = Lanes<N>;
    EarliestEventLanes<N> next;
    next.offer(in.adverse_event_time, NextEvent::adverse_event);
    next.offer(in.discontinuation_time, NextEvent::discontinuation);
    // A candidate that takes arithmetic is computed only if some lane can
    // have the event (at N = 1: only if the lifetime can).
    if (L::any(in.deescalation_pending)) {  // after deescalate_after_years free of attacks on the regimen
        const typename L::Real quiet_since = L::select(in.regimen_start_time > in.last_attack_time,
                                                       in.regimen_start_time, in.last_attack_time);
        next.offer(quiet_since + in.deescalate_after_years, NextEvent::deescalation, in.deescalation_pending);
    }
    const typename L::Mask losing_response = in.loss_rate_per_year > 0.0;
    if (L::any(losing_response)) {
        next.offer(in.response_loss_since + in.response_loss_budget / in.loss_rate_per_year, NextEvent::response_loss,
                   losing_response);
    }
    return next;
}

// The earlier of the two parts' earliest events. On a tie, the one offered
// first in the order above: an adverse event, discontinuation or
// deescalation comes before a diagnosis or treatment start; deaths, the
// horizon and myeloma onset come before every process event, and a loss of
// response after every settled one. By kind: a process event below
// treatment_start beats a settled one from it up. (A part keeps no
// candidate of time infinity or NaN, offer() taking only an earlier one: a
// part at infinity has kept nothing, its kind is horizon, and it can tie
// only with another such part, both the same.)
static_assert(NextEvent::adverse_event < NextEvent::treatment_start && NextEvent::discontinuation < NextEvent::treatment_start &&
                  NextEvent::deescalation < NextEvent::treatment_start && NextEvent::response_loss > NextEvent::treatment_start,
              "earlier_of: the process events offered before the treatment start must be the kinds below it");
static_assert(NextEvent::diagnostic_attack > NextEvent::treatment_start && NextEvent::background_death < NextEvent::treatment_start &&
                  NextEvent::myeloma_death < NextEvent::treatment_start && NextEvent::horizon < NextEvent::treatment_start &&
                  NextEvent::myeloma_onset < NextEvent::treatment_start,
              "earlier_of: the settled events offered after the process events, and only they, must be the kinds from treatment_start up");
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE EarliestEventLanes<N> earlier_of(const EarliestEventLanes<N>& settled,
                                                                 const EarliestEventLanes<N>& processes)
{
    using L = Lanes<N>;
    const auto start = EarliestEventLanes<N>::in_lanes(NextEvent::treatment_start);
    if constexpr (N == 1) {
        const bool process_first = processes.time < settled.time ||
                                   (processes.time == settled.time && processes.event < start && settled.event >= start);
        return process_first ? processes : settled;
    } else {
        const typename L::Mask process_first =
            (processes.time < settled.time) |
            ((processes.time == settled.time) & (processes.event < start) & (settled.event >= start));
        EarliestEventLanes<N> next;
        next.time = L::select(process_first, processes.time, settled.time);
        next.event = process_first ? processes.event : settled.event;
        return next;
    }
}

// The earliest event other than an attack, as if its ten candidates were
// offered at once in the order above.
template <int N>
SCLS_FUNCTION SCLS_FORCEINLINE EarliestEventLanes<N> earliest_other_event(const OtherEventInputsLanes<N>& in)
{
    return earlier_of<N>(earliest_settled_event<N>(in), earliest_process_event<N>(in));
}

}  // namespace detail

}  // namespace scls
