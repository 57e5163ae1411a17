// The ranges that numbers in scenario, PSA and targets files may take, one
// row per kind of quantity, with the reason a value outside is refused.
//
// Upper bounds keep every product the model forms finite: a rate of 1e308 or
// a log-scale SD of 1000 would overflow the attack hazard to infinity (and an
// infinite hazard silently reads as no attacks), a price of 1e308 would put
// infinities into the results. Each bound lies far beyond any clinical or
// economic value, so only mistakes (wrong units, a typo) meet it. A lifetime
// built from values within them can still, in corners, exceed what the exact
// sums hold (1.8e16 in money, 2.7e11 in QALYs, years, attacks): such a run is
// refused when its results are summed (host/engine/exact_moments.hpp).
#pragma once

#include <cstdint>

#include <string_view>

namespace scls {

struct Bound {
    double lower;
    double upper;
    bool lower_open;           // the lower end itself is excluded (strictly positive quantities)
    std::string_view meaning;  // what the range stands for, for the message

    bool admits(double value) const { return (lower_open ? value > lower : value >= lower) && value <= upper; }

    static const Bound any, non_negative, positive, probability, rate_per_year, rate_ratio, multiplier, money, price_per_gram,
        days, years, positive_years, age_years, weight_kg, dose_g_per_kg, per_year_count, log_sd, gamma_shape, utility, utility_coefficient,
        hazard_coefficient, gompertz_slope, discount_rate, months, people_per_year, correlation_0_1;
};

// Whole-number settings a scenario key and a command-line option both give
// (simulation.patients and --patients, ...): one limit for both.
inline constexpr std::int64_t kMaxPatients = 4294967295;         // patient indices are 32-bit
inline constexpr std::int64_t kMaxSeed = 1000000000000000000;    // 10^18: exact as a double, fits a TOML integer
inline constexpr std::int64_t kMaxDraws = 1000000;               // a run's parameter sets are its draws and the base case

inline constexpr double kLargestInput = 1e12;  // no count, cost or time in a model input comes near this

inline constexpr Bound Bound::any{-kLargestInput, kLargestInput, false, "a finite model input"};
inline constexpr Bound Bound::non_negative{0.0, kLargestInput, false, "rates, costs, times and counts cannot be negative"};
inline constexpr Bound Bound::positive{0.0, kLargestInput, true, "this quantity must be strictly positive"};
inline constexpr Bound Bound::probability{0.0, 1.0, false, "a probability or share"};
inline constexpr Bound Bound::correlation_0_1{0.0, 1.0, false, "a correlation between 0 (none) and 1 (complete)"};
inline constexpr Bound Bound::rate_per_year{0.0, 1000.0, false,
                                            "an event rate per year; more than 1000 a year (about three a day) is no "
                                            "model of a patient"};
inline constexpr Bound Bound::rate_ratio{0.0, 100.0, false, "a rate ratio against no prophylaxis"};
inline constexpr Bound Bound::multiplier{0.0, 1000.0, false, "a multiplier of a probability"};
inline constexpr Bound Bound::money{0.0, 1e9, false, "an amount of money per item in the scenario's currency; check the units"};
inline constexpr Bound Bound::price_per_gram{0.0, 1e6, false, "a drug price per gram in the scenario's currency"};
inline constexpr Bound Bound::days{0.0, 3650.0, false, "a number of days of one stay"};
inline constexpr Bound Bound::years{0.0, 120.0, false, "a duration in years within a human life"};
inline constexpr Bound Bound::positive_years{0.0, 120.0, true, "a positive duration in years within a human life"};
inline constexpr Bound Bound::age_years{0.0, 120.0, false, "an age in years"};
inline constexpr Bound Bound::weight_kg{0.0, 500.0, true, "a body weight in kg"};
inline constexpr Bound Bound::dose_g_per_kg{0.0, 10.0, false, "a dose in grams per kg of body weight"};
inline constexpr Bound Bound::per_year_count{0.0, 365.0, false, "a number of times per year, at most daily"};
inline constexpr Bound Bound::log_sd{0.0, 4.0, false,
                                     "a log-scale standard deviation; 4 already spreads patients over 14 orders of "
                                     "magnitude"};
inline constexpr Bound Bound::gamma_shape{0.01, 1e6, false, "the shape of a mean-one gamma (variance 1/shape)"};
inline constexpr Bound Bound::utility{-1.0, 1.0, false, "on the QALY scale, where 1 is a year in full health"};
inline constexpr Bound Bound::utility_coefficient{-10.0, 10.0, false, "a coefficient of the baseline utility formula"};
inline constexpr Bound Bound::hazard_coefficient{0.0, 1.0, false, "a Gompertz-Makeham coefficient of a hazard per year"};
inline constexpr Bound Bound::gompertz_slope{-1.0, 1.0, false, "the Gompertz slope of the log hazard per year of age"};
inline constexpr Bound Bound::discount_rate{0.0, 1.0, false, "an annual discount rate (0.03 is 3% a year)"};
inline constexpr Bound Bound::people_per_year{0.0, 1e10, false,
                                              "patients a year; no more than the world's population"};
inline constexpr Bound Bound::months{0.0, 1440.0, true, "a positive number of months within a human life"};

}  // namespace scls
