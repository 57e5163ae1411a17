// Two lifetimes of the same patient compared field by field: their event
// times and counts the same, their sums within a relative tolerance (0: the
// same bits).
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "kernels/model/lifetime.hpp"

namespace scls::test_support {

// Relative to the larger magnitude, with the tolerance as an absolute floor
// for sums near zero; a tolerance of 0 asks for the same bits.
inline void expect_close(double a, double b, double tolerance, const std::string& what)
{
    if (tolerance == 0.0) {
        EXPECT_EQ(std::bit_cast<std::uint64_t>(a), std::bit_cast<std::uint64_t>(b)) << what << ": " << a << " against " << b;
        return;
    }
    if (a == b) {  // also two infinities
        return;
    }
    const double scale = std::fmax(std::fabs(a), std::fabs(b));
    EXPECT_LE(std::fabs(a - b), tolerance * scale + tolerance) << what << ": " << a << " against " << b;
}

inline void expect_same_lifetime(const LifetimeOutcome& a, const LifetimeOutcome& b, double tolerance, const std::string& who)
{
    const auto close = [&](double x, double y, const std::string& what) { expect_close(x, y, tolerance, who + ", " + what); };
    const auto same = [&](double x, double y, const std::string& what) { expect_close(x, y, 0.0, who + ", " + what); };
    same(a.end_time, b.end_time, "end time");  // the same events at the same times, whatever the tolerance
    EXPECT_EQ(a.end_reason, b.end_reason) << who;
    same(a.first_attack_time, b.first_attack_time, "first attack time");
    same(a.diagnosis_time, b.diagnosis_time, "diagnosis time");
    same(a.treatment_start_time, b.treatment_start_time, "treatment start time");
    same(a.ever_treated_time, b.ever_treated_time, "ever-treated time");
    EXPECT_EQ(a.myeloma_onset, b.myeloma_onset) << who;
    for (int k = 0; k < kSeverities; ++k) {
        EXPECT_EQ(a.attacks_by_severity[k], b.attacks_by_severity[k]) << who << ", severity " << k;
    }
    for (int c = 0; c < kComplications; ++c) {
        EXPECT_EQ(a.complications[c], b.complications[c]) << who << ", complication " << c;
    }
    for (int r = 0; r < kMaxRegimens; ++r) {
        EXPECT_EQ(a.attacks_on_regimen[r], b.attacks_on_regimen[r]) << who << ", regimen " << r;
        close(a.regimen_years[r], b.regimen_years[r], "years on regimen " + std::to_string(r));
    }
    using Count = std::uint32_t LifetimeOutcome::*;
    const std::pair<Count, const char*> counts[] = {
        {&LifetimeOutcome::adverse_events, "adverse events"},
        {&LifetimeOutcome::switches, "switches"},
        {&LifetimeOutcome::discontinuations, "discontinuations"},
        {&LifetimeOutcome::escalations, "escalations"},
        {&LifetimeOutcome::deescalations, "deescalations"},
        {&LifetimeOutcome::untreated_attacks, "untreated attacks"},
        {&LifetimeOutcome::window_attacks, "window attacks"},
        {&LifetimeOutcome::attacks_before_diagnosis, "attacks before diagnosis"},
        {&LifetimeOutcome::response_losses, "response losses"},
    };
    for (const auto& [count, name] : counts) {
        EXPECT_EQ(a.*count, b.*count) << who << ", " << name;
    }
    for (int c = 0; c < kCostCategories; ++c) {
        close(a.cost[c], b.cost[c], "cost category " + std::to_string(c));
    }
    close(a.qalys, b.qalys, "QALYs");
    close(a.life_years, b.life_years, "life-years");
    close(a.life_years_discounted, b.life_years_discounted, "discounted life-years");
}

}  // namespace scls::test_support
