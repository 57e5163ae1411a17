// How an attack's uniform gives its severity, and the CPU's cache of a
// patient's attacks: what it keeps is the bits worked out afresh.
#include "kernels/model/attack_cache.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "host/engine/engine.hpp"
#include "kernels/model/patient.hpp"

namespace scls {
namespace {

// The severity of an attack is the first whose cumulative share exceeds its
// uniform (the last if none does), also where a share is 0 (two cumulative
// shares equal) and at the cumulative shares themselves.
TEST(SeverityOn, SeverityIsTheFirstWhoseCumulativeShareExceedsTheUniform)
{
    const double share_sets[][kSeverities] = {{0.446, 0.4, 0.154}, {0.0, 0.4, 0.6}, {0.5, 0.0, 0.5}, {0.3, 0.7, 0.0}, {1.0, 0.0, 0.0}};
    for (const auto& shares : share_sets) {
        RegimenParams on{};
        double cumulative = 0.0;
        for (int k = 0; k < kSeverities; ++k) {
            cumulative += shares[k];
            on.severity_cumulative[k] = cumulative;
        }
        std::vector<double> uniforms = {0x1p-33, 1.0 - 0x1p-33};
        for (int k = 0; k < kSeverities; ++k) {
            const double c = on.severity_cumulative[k];
            uniforms.insert(uniforms.end(), {c, std::nextafter(c, 0.0), std::nextafter(c, 2.0)});
        }
        for (int i = 0; i < 1000; ++i) {
            uniforms.push_back((i + 0.5) / 1000.0);
        }
        for (const double u : uniforms) {
            int first = kSeverities - 1;
            for (int k = kSeverities - 1; k >= 0; --k) {
                first = u < on.severity_cumulative[k] ? k : first;
            }
            EXPECT_EQ(severity_on(on, u), first) << "uniform " << u << ", shares " << shares[0] << " " << shares[1] << " " << shares[2];
        }
    }
}

// A cached attack keeps the consequences of the severity last asked for:
// another severity replaces them, and asking again for the first gives its
// own. Whatever the order, they are the bits worked out afresh, also for
// attack 0 and attacks beyond the cache (never kept).
TEST(AttackDrawCache, KeptConsequencesAreThoseOfTheSeverityAskedFor)
{
    const Scenario s = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", {});
    const ModelParams& p = s.params;
    const auto same_bits = [](const AttackConsequences& a, const AttackConsequences& b) {
        return std::bit_cast<std::uint64_t>(a.care_cost) == std::bit_cast<std::uint64_t>(b.care_cost) &&
               std::bit_cast<std::uint64_t>(a.complication_cost) == std::bit_cast<std::uint64_t>(b.complication_cost) &&
               std::bit_cast<std::uint64_t>(a.added_decrement) == std::bit_cast<std::uint64_t>(b.added_decrement) &&
               a.complications == b.complications;
    };
    int severities_differ = 0;
    for (std::uint32_t patient = 0; patient < 300; ++patient) {
        const StreamKey key{s.seed, 0, patient};
        const PatientAttributes attributes = draw_attributes(p, key);
        AttackDrawCache<4> cache;
        for (std::uint32_t k = 0; k <= 6; ++k) {
            AttackDraws beyond;
            const AttackDraws draws = k == 0 ? attributes.first_attack : cache.get(key, k, beyond);
            for (const int severity : {2, 1, 2, 0, 0, 1, 2}) {
                const AttackConsequences afresh = attack_consequences(p, draws, severity);
                AttackConsequences uncached;
                ASSERT_TRUE(same_bits(cache.consequences(p, k, draws, severity, uncached), afresh))
                    << "patient " << patient << ", attack " << k << ", severity " << severity;
            }
            severities_differ += attack_consequences(p, draws, 1).care_cost != attack_consequences(p, draws, 2).care_cost ? 1 : 0;
        }
    }
    EXPECT_GT(severities_differ, 1000) << "the severities' consequences should differ for the test to see a stale one";
}

// The cache fills itself several attacks at a time where it has room for a
// whole draw (eight with AVX-512, four otherwise) and one at a time after;
// beyond its capacity it keeps none. Every attack's draws are draw_attack's,
// however they were filled: a capacity of 13 takes one or two whole draws,
// then single attacks, then none.
TEST(AttackDrawCache, DrawsAreEachAttacksOwnHoweverTheCacheFillsItself)
{
    const Scenario s = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", {});
    for (std::uint32_t patient = 0; patient < 200; ++patient) {
        const StreamKey key{s.seed, 0, patient};
        AttackDrawCache<13> cache;
        for (std::uint32_t k = 1; k <= 20; ++k) {
            const AttackDraws afresh = draw_attack(key, k);
            AttackDraws beyond;
            const AttackDraws& got = cache.get(key, k, beyond);
            ASSERT_EQ(std::memcmp(&got, &afresh, sizeof afresh), 0) << "patient " << patient << ", attack " << k;
            ASSERT_EQ(std::memcmp(&cache.got(k, beyond), &afresh, sizeof afresh), 0) << "patient " << patient << ", attack " << k;
            const AttackDraws elsewhere{};
            ASSERT_EQ(&cache.got(k, elsewhere) == &elsewhere, k > 13) << "attack " << k << ": kept only within the capacity";
        }
    }
}

}  // namespace
}  // namespace scls
