// What a patient's attacks bring whatever the strategy, and the CPU's cache
// of it: an attack's severity on a regimen, its consequences at a severity,
// and its draws and consequences kept once per patient for every strategy.
#pragma once

#include <cstdint>

#include "kernels/core/exponential.hpp"
#include "kernels/core/macros.hpp"
#include "kernels/core/math.hpp"
#include "kernels/model/attack_draws.hpp"
#include "kernels/model/params.hpp"
#include "kernels/random/distributions.hpp"
#include "kernels/random/streams.hpp"

namespace scls {

// The severity an attack with this uniform has on a regimen: the first
// whose cumulative share exceeds it (the last if none does). The shares are
// not negative, so the cumulative ones never decrease and the severity is
// the count of those the uniform reaches: counted without a branch, which a
// CPU would mispredict on about every other attack.
SCLS_FUNCTION SCLS_FORCEINLINE int severity_on(const RegimenParams& on, double severity_uniform)
{
    int severity = 0;
    for (int below = 0; below + 1 < kSeverities; ++below) {
        severity += severity_uniform >= on.severity_cumulative[below] ? 1 : 0;
    }
    return severity;
}

// What an attack brings at a given severity, whatever the strategy: the stay
// scaled by the attack's draw, the complications it draws and their lasting
// utility decrements, and the costs before discounting.
struct AttackConsequences {
    double care_cost;          // ward and ICU days and the admission
    double complication_cost;
    double added_decrement;    // lasting utility decrements of its complications
    std::uint32_t complications;  // bit c: complication c
};

SCLS_FUNCTION SCLS_FORCEINLINE AttackConsequences attack_consequences(const ModelParams& p, const AttackDraws& draws, int severity)
{
    const SeverityParams& s = p.severity[severity];
    const double stay_scale = s.stay_log_sd > 0.0 ? exponential(s.stay_log_sd * draws.stay_normal) : 1.0;
    double ward_days = s.ward_days_median * stay_scale;
    const double icu_days = s.icu_days_median * stay_scale;
    AttackConsequences c{0.0, 0.0, 0.0, 0u};
    for (int k = 0; k < kComplications; ++k) {
        if (draws.complication_uniform[k] < s.complication_probability[k]) {
            const ComplicationParams& complication = p.complication[k];
            c.complications |= 1u << k;
            c.complication_cost += complication.cost;
            ward_days += complication.extra_ward_days;
            c.added_decrement += complication.utility_decrement;
        }
    }
    c.care_cost = ward_days * p.ward_day_cost + icu_days * p.icu_day_cost + s.cost_per_admission;
    return c;
}

// The draws of one patient's attacks 1..CachedAttacks (attack 0's are a
// patient attribute), filled by whichever strategy reaches an attack first
// and replayed for the others: a patient's attack k is the same under every
// strategy, so its Philox blocks and log are computed once instead of once
// per strategy, and so are its consequences at a severity (consequences()).
// On x86-64 it fills attacks_per_draw() attacks at a time (eight with
// AVX-512, four otherwise), their Philox blocks side by side in vector
// registers (attack_blocks.hpp).
// With CachedAttacks == 0 (the GPU, where the arrays would live in local
// memory) everything is recomputed; the results are identical either way.
template <int CachedAttacks>
class AttackDrawCache {
  public:
    // Attack k >= 1's draws: the cache's, or (beyond its capacity) put in
    // `beyond`, which the caller keeps until the attack. A reference to
    // either: no copy of a cached attack's draws per attack.
    SCLS_FUNCTION SCLS_FORCEINLINE const AttackDraws& get(StreamKey key, std::uint32_t k, AttackDraws& beyond)
    {
        const std::uint32_t entry = k - 1;
        if (entry < filled_) {
            return entries_[entry];
        }
#if SCLS_ATTACK_BLOCKS_IN_VECTORS
        // The next attacks_per_draw() attacks at once, where the cache has
        // room for them (the registers are asked for only when the next
        // entry is the one to fill, not for each attack beyond the capacity).
        if (entry == filled_) {
            const AttackBlockRegisters registers = attack_block_registers_in_use();
            const auto per_draw = static_cast<std::uint32_t>(attacks_per_draw(registers));
            if (entry + per_draw <= static_cast<std::uint32_t>(CachedAttacks)) {
                draw_attacks(key, k, &entries_[entry], registers);
                for (std::uint32_t i = 0; i < per_draw; ++i) {
                    consequences_[entry + i].severity = -1;
                }
                filled_ += per_draw;
                return entries_[entry];
            }
        }
#endif
        beyond = draw_attack(key, k);
        if (entry == filled_ && entry < static_cast<std::uint32_t>(CachedAttacks)) {
            consequences_[filled_].severity = -1;
            entries_[filled_++] = beyond;
        }
        return beyond;
    }

    // Attack k's draws where get() left them; attack 0's (never cached) are `beyond`.
    SCLS_FUNCTION SCLS_FORCEINLINE const AttackDraws& got(std::uint32_t k, const AttackDraws& beyond) const
    {
        const std::uint32_t entry = k - 1;
        // get() cached every attack below the capacity: a state continued by
        // another simulator (a fresh cache) would read stale draws.
        SCLS_EXPECT(entry < filled_ || entry >= static_cast<std::uint32_t>(CachedAttacks));
        return entry < filled_ ? entries_[entry] : beyond;
    }

    // The consequences of attack k (its draws d) at a severity. A cached
    // attack keeps those of the severity it last had: under most regimens an
    // attack's draw gives it the same severity, so its stay's exp and its
    // complications are worked out once per patient instead of once per
    // strategy. A reference to the kept ones, or to `uncached` where they
    // are put otherwise: no copy of kept ones per attack.
    SCLS_FUNCTION SCLS_FORCEINLINE const AttackConsequences& consequences(const ModelParams& p, std::uint32_t k,
                                                                          const AttackDraws& d, int severity,
                                                                          AttackConsequences& uncached)
    {
        const std::uint32_t entry = k - 1;  // attack 0 (k - 1 wraps) is not cached
        if (entry >= filled_) {
            uncached = attack_consequences(p, d, severity);
            return uncached;
        }
        KeptConsequences& kept = consequences_[entry];
        if (kept.severity != severity) {
            kept.value = attack_consequences(p, d, severity);
            kept.severity = severity;
        }
        return kept.value;
    }

  private:
    struct KeptConsequences {
        AttackConsequences value;
        int severity;  // -1: none yet
    };
    AttackDraws entries_[CachedAttacks];
    KeptConsequences consequences_[CachedAttacks];
    std::uint32_t filled_ = 0;
};

// Nothing kept (the GPU's): every draw and consequence recomputed, and no
// array in the lane's local memory.
template <>
class AttackDrawCache<0> {
  public:
    SCLS_FUNCTION SCLS_FORCEINLINE const AttackDraws& get(StreamKey key, std::uint32_t k, AttackDraws& beyond)
    {
        beyond = draw_attack(key, k);
        return beyond;
    }
    SCLS_FUNCTION SCLS_FORCEINLINE const AttackDraws& got(std::uint32_t, const AttackDraws& beyond) const { return beyond; }
    SCLS_FUNCTION SCLS_FORCEINLINE const AttackConsequences& consequences(const ModelParams& p, std::uint32_t,
                                                                          const AttackDraws& d, int severity,
                                                                          AttackConsequences& uncached)
    {
        uncached = attack_consequences(p, d, severity);
        return uncached;
    }
};

}  // namespace scls
