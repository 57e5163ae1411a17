// How sclsim carves Philox into independent streams (DESIGN.md section 4).
//
// key     = run seed
// counter = {block, purpose, patient, parameter set}
//
// i.e. curand_init(seed, subsequence = set << 32 | patient,
//                  offset = 4 * (purpose << 32 | block)).
// A stream therefore depends only on (seed, set, patient, purpose): never on
// the thread, batch or rank that simulates the patient. Each purpose owns 2^32
// blocks of four words, far more than any lifetime uses.
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/random/philox.hpp"

namespace scls {

// One stream per stochastic process, so that changing one process never
// shifts the draws of another.
enum class StreamPurpose : std::uint32_t {
    attributes = 0,         // sex, age, weight, MGUS (block 0); response classes (1-2); response spreads (3-6)
    frailty = 1,            // personal attack-rate multiplier (rejection sampler)
    attack = 2,             // block k: attack k's waiting-time budget, severity, stay, death
    attack_complications = 3,  // block k: one word per complication of attack k
    background_death = 4,   // one unit exponential
    myeloma = 5,            // progression and excess death
    discontinuation = 6,    // unit exponentials of regimen discontinuation
    adverse_event_times = 7,
    adverse_event_outcomes = 8,  // type and death: one block per event
    response_loss = 9,      // block s: the unit exponential of losing response slot s
    pathway = 10,           // block 0: onset-to-diagnosis delay
};

struct StreamKey {
    std::uint64_t seed;
    std::uint32_t parameter_set;
    std::uint32_t patient;  // patient index within the parameter set
};

SCLS_FUNCTION SCLS_FORCEINLINE std::uint64_t stream_subsequence(StreamKey key)
{
    return (static_cast<std::uint64_t>(key.parameter_set) << 32) | key.patient;
}

SCLS_FUNCTION SCLS_FORCEINLINE std::uint64_t stream_offset(StreamPurpose purpose, std::uint32_t block)
{
    return 4ull * ((static_cast<std::uint64_t>(purpose) << 32) | block);
}

// Sequential stream for one purpose, starting at a given block.
SCLS_FUNCTION SCLS_FORCEINLINE PhiloxStream open_stream(StreamKey key, StreamPurpose purpose,
                                                         std::uint32_t first_block = 0)
{
    return PhiloxStream(key.seed, stream_subsequence(key), stream_offset(purpose, first_block));
}

SCLS_FUNCTION SCLS_FORCEINLINE PhiloxCounter block_counter(StreamKey key, StreamPurpose purpose, std::uint32_t block)
{
    return PhiloxCounter{{block, static_cast<std::uint32_t>(purpose), key.patient, key.parameter_set}};
}

SCLS_FUNCTION SCLS_FORCEINLINE PhiloxKey philox_key(StreamKey key)
{
    return PhiloxKey{{static_cast<std::uint32_t>(key.seed), static_cast<std::uint32_t>(key.seed >> 32)}};
}

// The four words of one block, addressed directly (no sequential state).
SCLS_FUNCTION SCLS_FORCEINLINE PhiloxCounter draw_block(StreamKey key, StreamPurpose purpose, std::uint32_t block)
{
    return philox4x32_10(block_counter(key, purpose, block), philox_key(key));
}

// Two blocks of a patient's streams, each as draw_block gives it, at about
// the cost of one on the host (philox4x32_10_pair).
struct BlockPair {
    PhiloxCounter first, second;
};

SCLS_FUNCTION SCLS_FORCEINLINE BlockPair draw_blocks(StreamKey key, StreamPurpose first_purpose, std::uint32_t first_block,
                                                     StreamPurpose second_purpose, std::uint32_t second_block)
{
    BlockPair pair{block_counter(key, first_purpose, first_block), block_counter(key, second_purpose, second_block)};
    philox4x32_10_pair(pair.first, pair.second, philox_key(key));
    return pair;
}

}  // namespace scls
