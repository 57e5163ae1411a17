// A patient's age and weight: the truncated normals of their words, with the
// CDFs at the truncation bounds the host worked out once (ModelParams) giving
// the bits that working them out for each patient gives.
#include "kernels/model/patient.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

#include "host/engine/engine.hpp"

namespace scls {
namespace {

// Inversion of Normal(mean, sd) truncated to [lower, upper] with the bounds'
// CDFs worked out here, for this patient.
double truncated_normal_afresh(double mean, double sd, double lower, double upper, double uniform)
{
    if (sd <= 0.0) {
        return clamp_to(mean, lower, upper);
    }
    const double cdf_lower = normal_cdf((lower - mean) / sd);
    const double cdf_upper = normal_cdf((upper - mean) / sd);
    const double p = cdf_lower + uniform * (cdf_upper - cdf_lower);
    return clamp_to(mean + sd * normal_quantile(clamp_to(p, 1e-300, 1.0 - 1e-16)), lower, upper);
}

TEST(PatientAttributes, AgeAndWeightAreTheBitsOfBoundsWorkedOutPerPatient)
{
    for (const auto& overrides : std::vector<std::vector<Override>>{
             {}, {{"population.age_mean_years", "70"}, {"population.age_sd_years", "25"}, {"population.weight_male_sd_kg", "0"}}}) {
        const Scenario s = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", overrides);
        const ModelParams& p = s.params;
        for (std::uint32_t patient = 0; patient < 20000; ++patient) {
            const StreamKey key{s.seed, 0, patient};
            const PatientAttributes a = draw_attributes(p, key);
            const PhiloxCounter basics = draw_block(key, StreamPurpose::attributes, 0);
            const double age = truncated_normal_afresh(p.age_mean_years, p.age_sd_years, p.age_min_years, p.age_max_years,
                                                       to_open_unit(basics.word[1]));
            const int sex = a.male ? 1 : 0;
            const double weight = truncated_normal_afresh(p.weight_mean_kg[sex], p.weight_sd_kg[sex], p.weight_min_kg, p.weight_max_kg,
                                                          to_open_unit(basics.word[2]));
            ASSERT_EQ(std::bit_cast<std::uint64_t>(a.entry_age_years), std::bit_cast<std::uint64_t>(age)) << "patient " << patient;
            ASSERT_EQ(std::bit_cast<std::uint64_t>(a.weight_kg), std::bit_cast<std::uint64_t>(weight)) << "patient " << patient;
        }
    }
}

}  // namespace
}  // namespace scls
