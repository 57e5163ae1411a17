// An attack's draws: everything about a patient's k-th attack that no
// strategy can change (common random numbers), and the attack at diagnosis.
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"
#include "kernels/model/params.hpp"
#include "kernels/random/distributions.hpp"
#include "kernels/random/streams.hpp"

namespace scls {

// Everything about a patient's k-th attack that no strategy can change
// (common random numbers): the attack process's unit-exponential budget that
// runs out at attack k, and the uniforms that decide its severity, stay,
// death and complications. What they decide depends on the
// regimen at the time (a regimen may make attacks milder), so they are kept
// raw and read against the regimen when the attack happens.
struct AttackDraws {
    double budget;          // unit exponential consumed by the attack hazard before attack k
    double severity_uniform;
    double stay_uniform;    // the stay is the median x exp(stay_log_sd x its normal quantile)
    double death_uniform;   // dies in the attack if below its death probability
    double complication_uniform[kComplications];
};

// Attack k's draws: block k of the attack stream (budget, severity, stay,
// death) and block k of the complication stream (one word per complication).
SCLS_FUNCTION inline AttackDraws draw_attack(StreamKey key, std::uint32_t k)
{
    const BlockPair blocks = draw_blocks(key, StreamPurpose::attack, k, StreamPurpose::attack_complications, k);
    const PhiloxCounter& main = blocks.first;
    const PhiloxCounter& complication = blocks.second;
    AttackDraws d;
    d.budget = unit_exponential(main.word[0]);
    d.severity_uniform = to_open_unit(main.word[1]);
    d.stay_uniform = to_open_unit(main.word[2]);  // its normal quantile only where a stay varies (attack_consequences)
    d.death_uniform = to_open_unit(main.word[3]);
    for (int c = 0; c < kComplications; ++c) {
        d.complication_uniform[c] = to_open_unit(complication.word[c]);
    }
    return d;
}

// The attack at which a patient is diagnosed ([pathway] diagnosed_in_attack)
// draws from the last block of the attack streams: a counted attack would
// reach it only as the 4,294,967,296th of one life (at 1,000 attacks a year,
// the most a scenario allows, with a personal multiplier of 30,000 over 120
// years — far beyond any lognormal or gamma draw that reaches a patient). Its
// draws are independent of attack k's, and turning it on leaves every other
// draw as it was.
inline constexpr std::uint32_t kDiagnosticAttackBlock = 0xFFFFFFFFu;

// The attack in which the patient is diagnosed: ISCLS is recognised in
// hospital (haemoconcentration, low albumin), so the attack is one of the
// hospitalised severities in their relative shares (a mild one only if the
// scenario has no others): its severity uniform is moved past the untreated
// mild share.
SCLS_FUNCTION inline void hospitalised_severity(const RegimenParams& untreated, AttackDraws& draws)
{
    const double mild_share = untreated.severity_cumulative[0];
    if (mild_share < 1.0) {
        draws.severity_uniform = mild_share + draws.severity_uniform * (1.0 - mild_share);
    }
}

}  // namespace scls
