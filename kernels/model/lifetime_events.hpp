// A lifetime's candidates for its next event other than an attack, in the
// form the event search takes them (events.hpp): the settled ones, whose
// times are fixed until an event moves one (deaths, the horizon, myeloma
// onset, diagnosis, the start of prophylaxis), and those of the competing
// processes and clocks of the current regimen.
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/model/events.hpp"
#include "kernels/model/lifetime_state.hpp"
#include "kernels/model/params.hpp"
#include "kernels/model/patient.hpp"

namespace scls {

// treatment_start_time: when prophylaxis can begin (diagnosis and any delay).
SCLS_FUNCTION inline detail::EarliestEvent settled_events(const PatientAttributes& patient, const StrategyParams& strategy,
                                                          const LifetimeState& s, double treatment_start_time)
{
    detail::SettledEventInputsLanes<1> in{};  // value-initialised: a field added later and not set here is 0, not garbage
    in.background_death_time = patient.background_death_time;
    in.myeloma_death_time = patient.myeloma_death_time;
    in.horizon_time = patient.horizon_time;
    in.myeloma_onset_time = patient.myeloma_onset_time;
    in.myeloma_pending = !s.myeloma_active;
    in.diagnosis_time = patient.diagnosis_time;
    in.diagnosis_pending = !s.diagnostic_attack_done;
    in.treatment_start_time = treatment_start_time;
    // Prophylaxis waiting only for the diagnosis (and any treatment delay).
    in.treatment_start_pending = !s.started && s.attacks_since_diagnosis >= static_cast<std::uint32_t>(strategy.start_after_attacks);
    return detail::earliest_settled_event<1>(in);
}

SCLS_FUNCTION inline detail::EarliestEvent process_events(const StrategyParams& strategy, const LifetimeState& s)
{
    detail::ProcessEventInputsLanes<1> in{};
    in.adverse_event_time = s.adverse_event.next_time();
    in.discontinuation_time = s.discontinuation.next_time();
    in.regimen_start_time = s.regimen_start_time;
    in.last_attack_time = s.last_attack_time;
    in.deescalate_after_years = strategy.deescalate_after_years[s.regimen];
    in.deescalation_pending = s.started && strategy.deescalate_to[s.regimen] != kNoRegimen;
    in.response_loss_since = s.response_loss_since;
    in.response_loss_budget = s.response_loss_budget[s.loss_slot];
    in.loss_rate_per_year = s.loss_rate;
    return detail::earliest_process_event<1>(in);
}

}  // namespace scls
