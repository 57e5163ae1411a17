// What one lifetime adds to the tallies: the observed-rate bins, the pathway
// counters (a case series' view of diagnosed patients among them) and the
// before/on-prophylaxis windows (in whole days).
#include "kernels/model/tally.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

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

// The host's bins by comparison with tabulated edges are log10's bins,
// except within rounding of an edge; and each edge opens its own bin.
TEST(ObservedRateBins, TheTabulatedEdgesAreLog10s)
{
    int checked = 0;
    for (std::uint32_t attacks = 1; attacks < 3000; attacks += 7) {
        for (double years = 0.05; years < 200.0; years *= 1.37) {
            const double position = std::log10(attacks / (years * kObservedRateLowest)) * kObservedRateBinsPerDecade;
            if (std::fabs(position - std::round(position)) < 1e-9) {
                continue;  // on an edge: either side is right
            }
            const int expected = position < 0.0 ? 1 : std::min(1 + static_cast<int>(position), kObservedRateBins - 1);
            ASSERT_EQ(observed_rate_bin(attacks, years), expected) << attacks << " attacks in " << years << " y";
            ++checked;
        }
    }
    EXPECT_GT(checked, 10000);
    for (int j = 1; j <= kObservedRateDecades * kObservedRateBinsPerDecade; ++j) {
        const double edge_years = 1.0 / (kObservedRateLowest * detail::kObservedRateEdges[j - 1]);
        // One attack in slightly fewer years than the edge's is a rate just above it.
        EXPECT_EQ(observed_rate_bin(1, edge_years * (1 - 1e-12)), 1 + j) << j;
        EXPECT_EQ(observed_rate_bin(1, edge_years * (1 + 1e-12)), j) << j;
    }
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
    // A case series never sees a patient who died undiagnosed.
    died.attacks_by_severity[1] = 2;
    c = counted(died);
    EXPECT_EQ(c[Counter::attacks_of_diagnosed], 0u);
    EXPECT_EQ(c[Counter::attack_deaths_of_diagnosed], 0u);
    // ... and sees a diagnosed one's whole course, the attack at diagnosis included.
    LifetimeOutcome diagnosed_then_died = lifetime(1.0, 1.0, EndReason::attack);
    diagnosed_then_died.attacks_by_severity[0] = 2;
    diagnosed_then_died.attacks_by_severity[2] = 1;
    c = counted(diagnosed_then_died);
    EXPECT_EQ(c[Counter::alive_at_diagnosis], 1u);
    EXPECT_EQ(c[Counter::attacks_of_diagnosed], 3u);
    EXPECT_EQ(c[Counter::attack_deaths_of_diagnosed], 1u);

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

// The observed untreated rate is a study's: diagnosed patients followed long
// enough before any prophylaxis. One who died undiagnosed adds nothing.
TEST(ObservedRateBins, OnlyDiagnosedPatientsFollowedLongEnoughAreTallied)
{
    const CountLayout layout{12, true, 1.0};
    const auto observed = [&](const LifetimeOutcome& o) {
        std::vector<std::uint64_t> counts(static_cast<std::size_t>(layout.per_strategy()), 0);
        ModelParams p{};
        p.as_treated_within_years = kInfinity;
        histogram_lifetime(o, layout, p, [&](int index) { ++counts[index]; });
        std::uint64_t tallied = 0;
        for (int b = 0; b < kObservedRateBins; ++b) {
            tallied += counts[static_cast<std::size_t>(layout.observed_rates() + b)];
        }
        return tallied;
    };
    LifetimeOutcome diagnosed = lifetime(5.0, 2.0, EndReason::attack);
    diagnosed.untreated_attacks = 4;
    EXPECT_EQ(observed(diagnosed), 1u);
    LifetimeOutcome undiagnosed = lifetime(1.5, 2.0, EndReason::attack);
    undiagnosed.untreated_attacks = 4;
    EXPECT_EQ(observed(undiagnosed), 0u);
    EXPECT_EQ(observed(lifetime(0.5, 0.2, EndReason::background)), 0u);  // followed for half a year only
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

// Every index of the values' limbs is visited exactly once, zeros too (a
// GPU warp sums each index lane by lane), with the digits of value_digits;
// a value out of range is counted.
TEST(ValueLimbs, EveryIndexIsVisitedOnceWithTheValuesDigits)
{
    double values[kValuesPerStrategy] = {};
    values[static_cast<int>(Value::cost_total)] = 12345.678;
    values[static_cast<int>(Value::qalys)] = 7.25;
    values[static_cast<int>(Value::increment_qalys)] = -0.125;
    values[static_cast<int>(Value::increment_cost)] = -99.5;
    std::vector<std::uint64_t> sums(kBlockTallies, 0);
    std::vector<int> visits(kBlockTallies, 0);
    EXPECT_EQ(add_value_limbs(values, kValuesPerStrategy, [&](int i, std::uint32_t d) {
                  sums[i] += d;
                  ++visits[i];
              }),
              0u);
    for (int i = 0; i < kBlockTallies; ++i) {
        EXPECT_EQ(visits[i], i < kMomentLimbsFirst ? 0 : 1) << i;
    }
    for (int v = 0; v < kValuesPerStrategy; ++v) {
        std::uint32_t digits[kLimbsPerValue];
        ASSERT_TRUE(value_digits(values[v], value_scale(v), digits));
        for (int limb = 0; limb < kLimbsPerValue; ++limb) {
            EXPECT_EQ(sums[kMomentLimbsFirst + v * kLimbsPerValue + limb], digits[limb]) << "value " << v << ", limb " << limb;
        }
    }
    values[static_cast<int>(Value::life_years)] = std::nan("");
    EXPECT_EQ(add_value_limbs(values, kValuesPerStrategy, [](int, std::uint32_t) {}), 1u);
}

// A GPU warp adds every index a lifetime could make nonzero, so the empty
// regimen slots of a scenario (kMaxRegimens less its regimens) are left out:
// their years and attacks are zero in every lifetime.
TEST(ValueLimbs, TheScenariosEmptyRegimenSlotsAreNotAdded)
{
    ModelParams p{};
    p.regimens = 3;
    LifetimeOutcome o{};
    o.attacks_on_regimen[2] = 4;
    o.regimen_years[2] = 1.5;
    double values[kValuesPerStrategy];
    lifetime_values(o, PairedBase{}, values);
    std::vector<int> visits(kBlockTallies, 0);
    std::vector<std::uint64_t> sums(kBlockTallies, 0);
    auto add = [&](int i, std::uint32_t amount) {
        ++visits[i];
        sums[i] += amount;
    };
    tally_lifetime(o, values, p, add, add);
    for (int r = 0; r < kMaxRegimens; ++r) {
        const int counter = static_cast<int>(Counter::attacks_on_regimen_first) + r;
        EXPECT_EQ(visits[counter], r < p.regimens ? 1 : 0) << "regimen " << r;
        const int first_limb = kMomentLimbsFirst + (static_cast<int>(Value::regimen_years_first) + r) * kLimbsPerValue;
        for (int limb = 0; limb < kLimbsPerValue; ++limb) {
            EXPECT_EQ(visits[first_limb + limb], r < p.regimens ? 1 : 0) << "regimen " << r << ", limb " << limb;
        }
    }
    EXPECT_EQ(sums[static_cast<int>(Counter::attacks_on_regimen_first) + 2], 4u);
    std::uint64_t limbs[kLimbsPerValue];
    const int first_limb = kMomentLimbsFirst + (static_cast<int>(Value::regimen_years_first) + 2) * kLimbsPerValue;
    std::copy(sums.begin() + first_limb, sums.begin() + first_limb + kLimbsPerValue, limbs);
    EXPECT_EQ(exact_sum_of(limbs, value_scale(static_cast<int>(Value::regimen_years_first) + 2)), 1.5);
}

}  // namespace
}  // namespace scls
