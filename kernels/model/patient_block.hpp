// Simulating one patient under every strategy, the comparator first (its
// outcome is needed for the paired increments): the CPU backend's loop, and
// the lane model's recording of events (the GPU kernel runs lifetimes event
// by event instead, kernels/model/lane_refill.hpp).
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/model/lifetime.hpp"
#include "kernels/model/patient.hpp"
#include "kernels/model/tally.hpp"

namespace scls {

// Attacks whose draws and consequences a CPU thread keeps for the patient's
// other strategies (96 bytes each: 12 KiB of stack). The GPU kernel keeps
// none: recomputing is cheaper there than local memory.
inline constexpr int kHostCachedAttacks = 128;

// Ignores the events of a lifetime (what every launch site does).
struct IgnoreEvents {
    SCLS_FUNCTION SCLS_FORCEINLINE void operator()(int, detail::NextEvent) const {}
};

// Whether the events before prophylaxis can start, the same under every
// strategy (LifetimeSimulator::run_before), are simulated once per patient
// (the CPU backend) or in every lifetime (the lane model, whose record of
// every lifetime's events stands for a GPU lane's).
enum class SharedHistory : int { run_once, run_in_every_lifetime };

// Calls visit(strategy, outcome, values) for each strategy of the patient,
// comparator first (values: lifetime_values, then zeros to kValueSlots), and
// on_event(strategy, event) for each event simulated.
// With the shared history run once, its events are the comparator's (other
// strategies go on from its state), and its lifetimes are the same to the bit.
template <int CachedAttacks, class Visit, class OnEvent = IgnoreEvents>
SCLS_FUNCTION inline void simulate_patient(const ModelParams& params, const LaunchGeometry& geometry,
                                           std::uint32_t parameter_set, std::uint32_t patient, Visit&& visit,
                                           OnEvent&& on_event = {}, SharedHistory history = SharedHistory::run_once)
{
    const StreamKey key = geometry.stream_key(parameter_set, patient);
#if SCLS_ATTACK_BLOCKS_IN_VECTORS
    const PatientAttributes attributes = draw_attributes(params, key, attribute_blocks_at_once(key));
#else
    const PatientAttributes attributes = draw_attributes(params, key);
#endif
    LifetimeSimulator<CachedAttacks> simulator(params, attributes, key);
    PairedBase base{};
    LifetimeState lifetime;  // one for all strategies: its outcome is visited in place
    LifetimeState shared;    // the comparator's at the end of the shared history
    const bool share = history == SharedHistory::run_once && simulator.untreated_until() > 0.0 &&
                       simulator.shares_untreated_history(params.strategy[params.comparator]);
    bool ended_untreated = false;
    for (int position = 0; position < geometry.strategies; ++position) {
        const int strategy = strategy_at(position, params.comparator);
        auto events = [&](detail::NextEvent event) { on_event(strategy, event); };
        if (!share || !simulator.shares_untreated_history(params.strategy[strategy])) {
            simulator.run(lifetime, strategy, events);  // whole
        } else if (position == 0) {  // the comparator: the shared history, kept, then on
            ended_untreated = simulator.run_before(lifetime, strategy, events);
            shared = lifetime;
            if (!ended_untreated) {
                simulator.run_from(lifetime, strategy, events);
            }
        } else if (ended_untreated) {  // dead before prophylaxis could start: the comparator's outcome
            lifetime.out = shared.out;
        } else {  // on from the shared history
            lifetime = shared;
            simulator.run_from(lifetime, strategy, events);
        }
        const LifetimeOutcome& outcome = lifetime.out;
        if (position == 0) {
            base = paired_base(outcome);
        }
        double values[kValueSlots];
        lifetime_values(outcome, base, values);
        for (int v = kValuesPerStrategy; v < kValueSlots; ++v) {
            values[v] = 0.0;  // the CPU adds values in whole groups of lanes
        }
        visit(strategy, outcome, values);
    }
}

}  // namespace scls
