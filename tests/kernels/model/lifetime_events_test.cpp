// A lifetime's candidates for its next event other than an attack, read
// from its patient, strategy and state: which settled event is pending, and
// which process comes first.
#include "kernels/model/lifetime_events.hpp"

#include <gtest/gtest.h>

namespace scls {
namespace {

using detail::NextEvent;

PatientAttributes patient_with_times()
{
    PatientAttributes patient{};
    patient.background_death_time = 40.0;
    patient.myeloma_death_time = kInfinity;
    patient.myeloma_onset_time = 30.0;
    patient.horizon_time = 50.0;
    patient.diagnosis_time = 2.0;
    return patient;
}

// Diagnosis, then the start of prophylaxis (once the attacks it waits for
// have come), then myeloma onset, then background death: each only while
// pending.
TEST(SettledEvents, TheEarliestPendingSettledEvent)
{
    const PatientAttributes patient = patient_with_times();
    StrategyParams strategy{};
    strategy.start_after_attacks = 2;
    LifetimeState s{};
    const auto next = [&] { return settled_events(patient, strategy, s, 3.0); };
    EXPECT_EQ(next().event, NextEvent::diagnostic_attack);
    EXPECT_EQ(next().time, 2.0);
    s.diagnostic_attack_done = true;
    EXPECT_EQ(next().event, NextEvent::myeloma_onset);  // waits for 2 attacks
    s.attacks_since_diagnosis = 2;
    EXPECT_EQ(next().event, NextEvent::treatment_start);
    EXPECT_EQ(next().time, 3.0);
    s.started = true;
    s.myeloma_active = true;
    EXPECT_EQ(next().event, NextEvent::background_death);
    EXPECT_EQ(next().time, 40.0);
}

// The adverse event and discontinuation at their processes' times,
// deescalation after the quiet years since the later of the regimen's start
// and the last attack (only where the strategy deescalates from it, once
// started), loss of response where the regimen loses it.
TEST(ProcessEvents, TheEarliestProcessEvent)
{
    StrategyParams strategy{};
    for (int r = 0; r < kMaxRegimens; ++r) {
        strategy.deescalate_to[r] = kNoRegimen;
    }
    LifetimeState s{};
    s.regimen = 1;
    const auto next = [&] { return process_events(strategy, s); };
    s.adverse_event = HazardProcess{1.0, 0.0, 0.5, 2.0};  // at 2
    s.discontinuation = HazardProcess{1.0, 0.0, 0.25, 4.0};  // at 4
    EXPECT_EQ(next().event, NextEvent::adverse_event);
    EXPECT_EQ(next().time, 2.0);

    strategy.deescalate_to[1] = 2;
    strategy.deescalate_after_years[1] = 1.0;
    s.regimen_start_time = 0.25;
    s.last_attack_time = 0.5;
    EXPECT_EQ(next().event, NextEvent::adverse_event);  // not started: no deescalation
    s.started = true;
    EXPECT_EQ(next().event, NextEvent::deescalation);
    EXPECT_EQ(next().time, 1.5);

    s.loss_rate = 4.0;
    s.response_loss_since = 0.0;
    s.response_loss_budget[s.loss_slot] = 2.0;  // at 0.5
    EXPECT_EQ(next().event, NextEvent::response_loss);
    EXPECT_EQ(next().time, 0.5);
}

}  // namespace
}  // namespace scls
