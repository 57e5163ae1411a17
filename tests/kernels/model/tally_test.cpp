// What one lifetime adds to the tallies: the observed-rate bins, the pathway
// counters and the before/on-prophylaxis windows (in whole days).
#include "kernels/model/tally.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace scls {
namespace {

TEST(ObservedRateBins, ZeroLogBinsAndBothEnds)
{
    EXPECT_EQ(observed_rate_bin(0, 3.0), 0);                       // no attack while observed
    EXPECT_EQ(observed_rate_bin(1, 1000.0), 1);                    // 0.001/y: slower than the first bin, kept in it
    EXPECT_EQ(observed_rate_bin(1, 100.0), 1);                     // 0.01/y: the first bin's lower edge
    EXPECT_EQ(observed_rate_bin(1, 1.0), 1 + 2 * kObservedRateBinsPerDecade);  // 1/y: two decades up
    EXPECT_EQ(observed_rate_bin(3, 2.0), 1 + 2 * kObservedRateBinsPerDecade + 1);  // 1.5/y: log10 1.5 = 0.18 of a decade
    EXPECT_EQ(observed_rate_bin(99, 1.0), kObservedRateBins - 2);  // 99/y: the last bounded bin
    EXPECT_EQ(observed_rate_bin(100, 1.0), kObservedRateBins - 1); // 100/y and faster: the open last bin
    EXPECT_EQ(observed_rate_bin(5000, 1.0), kObservedRateBins - 1);
}

LifetimeOutcome lifetime(double end_time, double diagnosis_time, EndReason reason)
{
    LifetimeOutcome o{};
    o.end_time = end_time;
    o.diagnosis_time = diagnosis_time;
    o.end_reason = reason;
    o.first_attack_time = kInfinity;
    o.treatment_start_time = kInfinity;
    o.ever_treated_time = kInfinity;
    return o;
}

// Counters of one lifetime, observed as treated within as_treated_within_years
// of diagnosis and on prophylaxis for window_years.
std::map<Counter, std::uint64_t> counted(const LifetimeOutcome& o, double as_treated_within_years = kInfinity,
                                         double window_years = kInfinity)
{
    ModelParams p{};
    p.as_treated_within_years = as_treated_within_years;
    p.within_patient_window_years = window_years;
    std::map<Counter, std::uint64_t> counts;
    count_lifetime(o, p, [&](int index, std::uint32_t amount) { counts[static_cast<Counter>(index)] += amount; });
    return counts;
}

TEST(PathwayCounters, DeathBeforeDiagnosisIsNotDiagnosedAndTheHorizonIsNeither)
{
    LifetimeOutcome died = lifetime(0.5, 1.0, EndReason::attack);
    died.attacks_before_diagnosis = 2;
    auto c = counted(died);
    EXPECT_EQ(c[Counter::alive_at_diagnosis], 0u);
    EXPECT_EQ(c[Counter::deaths_before_diagnosis], 1u);
    EXPECT_EQ(c[Counter::attacks_before_diagnosis], 2u);

    c = counted(lifetime(40.0, 45.0, EndReason::horizon));  // reached the horizon undiagnosed
    EXPECT_EQ(c[Counter::alive_at_diagnosis], 0u);
    EXPECT_EQ(c[Counter::deaths_before_diagnosis], 0u);

    LifetimeOutcome treated = lifetime(10.0, 1.0, EndReason::background);
    treated.ever_treated_time = 4.0;  // on a regimen of [cohort] ever_treated 3 years after diagnosis
    EXPECT_EQ(counted(treated)[Counter::ever_treated], 1u);
    EXPECT_EQ(counted(treated, 3.0)[Counter::ever_treated], 1u);
    EXPECT_EQ(counted(treated, 2.5)[Counter::ever_treated], 0u);  // after the registry's follow-up: "never"
    EXPECT_EQ(counted(lifetime(10.0, 1.0, EndReason::background))[Counter::ever_treated], 0u);
}

TEST(TreatmentWindows, BeforeAndOnInWholeDaysForTreatedPatientsOnly)
{
    LifetimeOutcome o = lifetime(3.0, 1.0, EndReason::background);
    o.attacks_by_severity[0] = 5;
    o.untreated_attacks = 3;
    auto c = counted(o);
    EXPECT_EQ(c[Counter::treated_patients], 0u);  // never treated: no window
    EXPECT_EQ(c[Counter::days_before_treatment], 0u);

    o.treatment_start_time = 1.0;
    o.window_attacks = 2;  // the lifetime counts the attacks on prophylaxis within the window (here all)
    c = counted(o);
    EXPECT_EQ(c[Counter::treated_patients], 1u);
    EXPECT_EQ(c[Counter::attacks_before_treatment], 3u);
    EXPECT_EQ(c[Counter::attacks_on_treatment], 2u);
    EXPECT_EQ(c[Counter::days_before_treatment], 365u);  // 365.25 rounds to 365
    EXPECT_EQ(c[Counter::days_on_treatment], 731u);      // 730.5 rounds up

    o.window_attacks = 1;  // of the two, the one in the first half year
    c = counted(o, kInfinity, 0.5);
    EXPECT_EQ(c[Counter::attacks_on_treatment], 1u);
    EXPECT_EQ(c[Counter::days_on_treatment], 183u);  // half a year of the two on prophylaxis
}

}  // namespace
}  // namespace scls
