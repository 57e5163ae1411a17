// The draws of a patient's events other than attacks that no strategy
// changes, kept by the CPU for the patient's other strategies: the outcome
// block of the patient's n-th adverse event (which event, death,
// discontinuation: read against the regimen of the time), each response
// slot's loss budget and the discontinuation stream once opened. Like the
// attack draws (attack_cache.hpp) they are addressed by the patient's key
// and a count or slot, never by the strategy, so a strategy that reaches one
// replays what an earlier one drew.
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/model/params.hpp"
#include "kernels/model/patient.hpp"
#include "kernels/random/distributions.hpp"
#include "kernels/random/streams.hpp"

namespace scls {

// Adverse events whose outcome blocks the CPU keeps per patient: more than
// any but a few lifetimes have (about 0.06 a year on IVIG in the base
// scenario); later ones are drawn afresh.
inline constexpr std::uint32_t kKeptAdverseEvents = 8;

// Keep: the CPU's, which keeps what it draws; without (the GPU's, where the
// arrays would live in local memory), everything is drawn afresh. The draws
// are the same either way. One cache serves one patient: once kept, a draw
// is returned whatever the key (the simulator's, fixed per patient).
template <bool Keep>
class EventDrawCache {
  public:
    // The outcome block of the patient's adverse event n (0 first).
    SCLS_FUNCTION SCLS_FORCEINLINE PhiloxCounter adverse_event_outcomes(StreamKey key, std::uint32_t n)
    {
        if (n == adverse_events_kept_ && n < kKeptAdverseEvents) {  // each lifetime meets them in order
            adverse_event_outcomes_[adverse_events_kept_++] = draw_block(key, StreamPurpose::adverse_event_outcomes, n);
        }
        return n < adverse_events_kept_ ? adverse_event_outcomes_[n] : draw_block(key, StreamPurpose::adverse_event_outcomes, n);
    }

    // The unit-exponential budget of a response slot's loss of response.
    SCLS_FUNCTION SCLS_FORCEINLINE double loss_budget(StreamKey key, int slot)
    {
        if (((loss_budgets_kept_ >> slot) & 1u) == 0u) {
            loss_budgets_[slot] = unit_exponential(draw_block(key, StreamPurpose::response_loss, slot).word[0]);
            loss_budgets_kept_ |= 1u << slot;
        }
        return loss_budgets_[slot];
    }

    // The discontinuation stream, opened past word 0 (the patient's first
    // budget, an attribute): a lifetime reads on from a copy.
    SCLS_FUNCTION SCLS_FORCEINLINE PhiloxStream discontinuation_stream(StreamKey key)
    {
        if (!discontinuation_kept_) {
            discontinuation_ = stream_past_first_budget(key, StreamPurpose::discontinuation);
            discontinuation_kept_ = true;
        }
        return discontinuation_;
    }

  private:
    PhiloxCounter adverse_event_outcomes_[kKeptAdverseEvents];
    std::uint32_t adverse_events_kept_ = 0;
    double loss_budgets_[kMaxRegimens];  // by response slot (a regimen's response_slot < kMaxRegimens)
    std::uint32_t loss_budgets_kept_ = 0;  // bit s: slot s's budget is kept
    PhiloxStream discontinuation_;
    bool discontinuation_kept_ = false;
};

// Nothing kept (the GPU's): every draw afresh, and no array in the lane's local memory.
template <>
class EventDrawCache<false> {
  public:
    SCLS_FUNCTION SCLS_FORCEINLINE PhiloxCounter adverse_event_outcomes(StreamKey key, std::uint32_t n)
    {
        return draw_block(key, StreamPurpose::adverse_event_outcomes, n);
    }
    SCLS_FUNCTION SCLS_FORCEINLINE double loss_budget(StreamKey key, int slot)
    {
        return unit_exponential(draw_block(key, StreamPurpose::response_loss, slot).word[0]);
    }
    SCLS_FUNCTION SCLS_FORCEINLINE PhiloxStream discontinuation_stream(StreamKey key)
    {
        return stream_past_first_budget(key, StreamPurpose::discontinuation);
    }
};

}  // namespace scls
