// Two lifetimes of the same patient compared field by field: their events
// and counts equal, their sums within a relative tolerance (0: equal).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "kernels/model/lifetime.hpp"

namespace scls::test_support {

// Relative to the larger magnitude, with the tolerance as an absolute floor for sums near zero.
inline void expect_close(double a, double b, double tolerance, const std::string& what)
{
    if (a == b) {  // also two infinities
        return;
    }
    const double scale = std::fmax(std::fabs(a), std::fabs(b));
    EXPECT_LE(std::fabs(a - b), tolerance * scale + tolerance) << what << ": " << a << " against " << b;
}

inline void expect_same_lifetime(const LifetimeOutcome& a, const LifetimeOutcome& b, double tolerance, const std::string& who)
{
    const auto close = [&](double x, double y, const std::string& what) { expect_close(x, y, tolerance, who + ", " + what); };
    EXPECT_EQ(a.end_time, b.end_time) << who;
    EXPECT_EQ(a.end_reason, b.end_reason) << who;
    EXPECT_EQ(a.first_attack_time, b.first_attack_time) << who;
    EXPECT_EQ(a.diagnosis_time, b.diagnosis_time) << who;
    EXPECT_EQ(a.treatment_start_time, b.treatment_start_time) << who;
    EXPECT_EQ(a.ever_treated_time, b.ever_treated_time) << who;
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
    const auto counts = {&LifetimeOutcome::adverse_events,   &LifetimeOutcome::switches,
                         &LifetimeOutcome::discontinuations, &LifetimeOutcome::escalations,
                         &LifetimeOutcome::deescalations,    &LifetimeOutcome::untreated_attacks,
                         &LifetimeOutcome::window_attacks,   &LifetimeOutcome::attacks_before_diagnosis,
                         &LifetimeOutcome::response_losses};
    int which = 0;
    for (const auto count : counts) {
        EXPECT_EQ(a.*count, b.*count) << who << ", count " << which++ << " of the list";
    }
    for (int c = 0; c < kCostCategories; ++c) {
        close(a.cost[c], b.cost[c], "cost category " + std::to_string(c));
    }
    close(a.qalys, b.qalys, "QALYs");
    close(a.life_years, b.life_years, "life-years");
    close(a.life_years_discounted, b.life_years_discounted, "discounted life-years");
}

}  // namespace scls::test_support
