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
    return o;
}

std::map<Counter, std::uint64_t> counted(const LifetimeOutcome& o, std::uint32_t ever_treated_mask)
{
    std::map<Counter, std::uint64_t> counts;
    count_lifetime(o, ever_treated_mask, [&](int index, std::uint32_t amount) { counts[static_cast<Counter>(index)] += amount; });
    return counts;
}

TEST(PathwayCounters, DeathBeforeDiagnosisIsNotDiagnosedAndTheHorizonIsNeither)
{
    LifetimeOutcome died = lifetime(0.5, 1.0, EndReason::attack);
    died.attacks_before_diagnosis = 2;
    auto c = counted(died, 0);
    EXPECT_EQ(c[Counter::alive_at_diagnosis], 0u);
    EXPECT_EQ(c[Counter::deaths_before_diagnosis], 1u);
    EXPECT_EQ(c[Counter::attacks_before_diagnosis], 2u);

    c = counted(lifetime(40.0, 45.0, EndReason::horizon), 0);  // reached the horizon undiagnosed
    EXPECT_EQ(c[Counter::alive_at_diagnosis], 0u);
    EXPECT_EQ(c[Counter::deaths_before_diagnosis], 0u);

    LifetimeOutcome treated = lifetime(10.0, 1.0, EndReason::background);
    treated.regimen_years[2] = 9.0;
    EXPECT_EQ(counted(treated, 1u << 2)[Counter::ever_treated], 1u);
    EXPECT_EQ(counted(treated, 1u << 1)[Counter::ever_treated], 0u);  // on a regimen that does not count
}

TEST(TreatmentWindows, BeforeAndOnInWholeDaysForTreatedPatientsOnly)
{
    LifetimeOutcome o = lifetime(3.0, 1.0, EndReason::background);
    o.attacks_by_severity[0] = 5;
    o.untreated_attacks = 3;
    auto c = counted(o, 0);
    EXPECT_EQ(c[Counter::treated_patients], 0u);  // never treated: no window
    EXPECT_EQ(c[Counter::days_before_treatment], 0u);

    o.treatment_start_time = 1.0;
    c = counted(o, 0);
    EXPECT_EQ(c[Counter::treated_patients], 1u);
    EXPECT_EQ(c[Counter::attacks_before_treatment], 3u);
    EXPECT_EQ(c[Counter::attacks_on_treatment], 2u);
    EXPECT_EQ(c[Counter::days_before_treatment], 365u);  // 365.25 rounds to 365
    EXPECT_EQ(c[Counter::days_on_treatment], 731u);      // 730.5 rounds up
}

}  // namespace
}  // namespace scls
