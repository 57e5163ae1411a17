// Simulating one patient under every strategy, the comparator first (its
// outcome is needed for the paired increments): the CPU backend's loop, and
// the lane model's recording of events (the GPU kernel runs lifetimes event
// by event instead, kernels/model/lane_refill.hpp).
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/core/macros.hpp"
#include "kernels/model/lifetime.hpp"
#include "kernels/model/patient.hpp"
#include "kernels/model/tally.hpp"

namespace scls {

// Attacks whose draws a CPU thread keeps for the patient's other strategies
// (56 bytes each, 7 KiB of stack). The GPU kernel keeps none: recomputing is
// cheaper there than local memory.
inline constexpr int kHostCachedAttacks = 128;

// Ignores the events of a lifetime (what every launch site does).
struct IgnoreEvents {
    SCLS_FUNCTION SCLS_FORCEINLINE void operator()(int, detail::NextEvent) const {}
};

// Calls visit(strategy, outcome, values) for each strategy of the patient,
// comparator first, and on_event(strategy, event) for each event of each
// lifetime (the lane-utilisation model records them). Without an on_event
// (the CPU backend), the history the strategies share before prophylaxis
// can start is run once, under the comparator, and the others go on from
// its state (LifetimeSimulator::run_before): the same lifetimes to the bit.
template <int CachedAttacks, class Visit, class OnEvent = IgnoreEvents>
SCLS_FUNCTION inline void simulate_patient(const ModelParams& params, const LaunchGeometry& geometry,
                                           std::uint32_t parameter_set, std::uint32_t patient, Visit&& visit,
                                           OnEvent&& on_event = {})
{
    // The lane model needs every lifetime's own events, as a GPU lane runs them.
    constexpr bool kMayShare = std::is_same_v<std::decay_t<OnEvent>, IgnoreEvents>;
    const StreamKey key = geometry.stream_key(parameter_set, patient);
    const PatientAttributes attributes = draw_attributes(params, key);
    LifetimeSimulator<CachedAttacks> simulator(params, attributes, key);
    PairedBase base{};
    LifetimeState lifetime;  // one for all strategies: its outcome is visited in place
    LifetimeState shared;    // the comparator's at the end of the shared history
    const double until = simulator.untreated_until();
    const bool share = kMayShare && until > 0.0 && simulator.shares_untreated_history(params.strategy[params.comparator]);
    bool ended_untreated = false;  // the lifetime ended within the shared history: every sharer's outcome is the comparator's
    for (int position = 0; position < geometry.strategies; ++position) {
        const int strategy = strategy_at(position, params.comparator);
        if (!share || !simulator.shares_untreated_history(params.strategy[strategy])) {
            simulator.run(lifetime, strategy, [&](detail::NextEvent event) { on_event(strategy, event); });
        } else if (position == 0) {
            ended_untreated = simulator.run_before(lifetime, strategy, until);
            shared = lifetime;
            if (!ended_untreated) {
                simulator.run_from(lifetime, strategy);
            }
        } else if (ended_untreated) {
            lifetime.out = shared.out;
        } else {
            lifetime = shared;
            simulator.run_from(lifetime, strategy);
        }
        const LifetimeOutcome& outcome = lifetime.out;
        if (position == 0) {
            base = paired_base(outcome);
        }
        double values[kValuesPerStrategy];
        lifetime_values(outcome, base, values);
        visit(strategy, outcome, values);
    }
}

}  // namespace scls
