// How much vector lanes across lifetimes can give the CPU engine: a bound,
// measured (issue 14). Part of one event step, run over N lifetimes at once
// in lanes (structure of arrays) with lane refill, and the same code at N = 1
// (scalar): the earliest of the competing processes, the exact accrual, an
// attack read from its patient's kept draws and consequences (severity by
// regimen, care cost, QALY loss, death), the next attack's budget, and the
// rarer events redrawing their budgets.
// The next event is found among all the engine's candidates, those that
// never come here included, as the engine finds it (events.hpp): the
// settled candidates' earliest kept in the lane from the lifetime's start
// (myeloma never starts, the lifetimes are diagnosed and treated from
// entry), set at every event against the processes', among which a
// deescalation and a loss of response are computed in the lanes whose
// regimen has them but lie past every horizon. It leaves out the rest of
// the engine's step (switching, escalation, deescalation, complications,
// counts by severity and regimen, the tally), so a full lane engine takes
// longer per lane-event than this does. Synthetic patients: about 20 events per
// lifetime (the engine's base scenario: 18.9 in every lifetime, 14.6 where
// the CPU runs the history before treatment once per patient).
//
// Written as a lane engine would be, so that the bound is fair to lanes:
// the regimen's values held in lanes from when the lifetime takes it (as
// the engine's refresh_rates holds its rates), one gather for the care cost
// at the attack's severity, rare events by blends, the short-interval series
// only when a lane needs it, and a patients' draws table small enough to
// stay in cache (the engine draws a patient's attacks just before it uses
// them; their cost lies outside the event step).
//
// The pieces of the engine already written once over Lanes<N> are the
// kernels' own: the earliest event (events.hpp),
// the competing processes (hazard_process.hpp), the accrual with its two
// discount clocks and the costs that flow (drug, administration, myeloma:
// accrual.hpp, discounting.hpp),
// 1 - e^-x and Lanes::any/select. The rest is this file's.
//
// Not the model, and not built by CMake: scripts/bench_lane_step.sh builds it
// for the machine it measures (-march=native) and prints the table that
// results/bench/cpu-lane-bound.md keeps.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <random>
#include <type_traits>
#include <vector>

#include <immintrin.h>

#include "kernels/core/exponential.hpp"
#include "kernels/core/lanes.hpp"
#include "kernels/core/math.hpp"
#include "kernels/model/accrual.hpp"
#include "kernels/model/discounting.hpp"
#include "kernels/model/hazard_process.hpp"
#include "kernels/model/events.hpp"

namespace {

using scls::Lanes;

constexpr int kRegimens = 4;
constexpr int kSeverities = 3;
constexpr int kKeptAttacks = 64;  // a patient's attacks kept (the engine keeps 128); past them, reused
constexpr double kDiscountRate = 0.035;
constexpr std::size_t kPatients = 64;  // 190 KiB of draws: in L2, as a lane's freshly drawn patient would be
constexpr double kHorizonYears = 60.0;  // every lifetime's; background death comes before 40
// A deescalation's quiet time and a loss of response's budget: offered,
// computed, never reached (an event the step does not handle would repeat
// forever).
constexpr double kDeescalateAfterYears = 1e9;
constexpr double kResponseLossBudget = 1e12;
static_assert(kDeescalateAfterYears > kHorizonYears && kResponseLossBudget * 10.0 > kHorizonYears,
              "the bound's deescalation and loss of response must lie past every horizon (loss rates are at most 0.1)");

// Per regimen (0: none).
struct Regimens {
    double utility_decrement[kRegimens] = {0.0, 0.02, 0.01, 0.0};
    double drug_cost_per_year[kRegimens] = {0.0, 60000.0, 1200.0, 0.0};
    double administration_cost_per_year[kRegimens] = {0.0, 4000.0, 300.0, 0.0};
    double attack_rate_ratio[kRegimens] = {1.0, 0.1, 0.5, 1.0};
    double adverse_event_rate[kRegimens] = {1e-300, 0.05, 0.1, 1e-300};
    double discontinuation_rate[kRegimens] = {1e-300, 0.02, 0.15, 1e-300};
    // Offered, never reached (kDeescalateAfterYears, kResponseLossBudget).
    bool deescalates[kRegimens] = {false, false, true, false};
    double loss_of_response_rate[kRegimens] = {0.0, 0.1, 0.0, 0.0};
    double severity_cumulative_1[kRegimens] = {0.5, 0.6, 0.55, 0.5};
    double severity_cumulative_2[kRegimens] = {0.85, 0.9, 0.88, 0.85};
    double severity_qaly_loss[kSeverities] = {0.002, 0.01, 0.05};
    double severity_death[kSeverities] = {0.0, 0.01, 0.08};
};

// A patient's kept attack draws and consequences, and the times that end its life.
struct Patient {
    double budget[kKeptAttacks], severity_uniform[kKeptAttacks], death_uniform[kKeptAttacks];
    double care_cost[kKeptAttacks][kSeverities];
    double background_death, horizon, attack_rate;
};

template <int N>
using Real = typename Lanes<N>::Real;
template <int N>
using Bits = typename Lanes<N>::Bits;
template <int N>
using Mask = typename Lanes<N>::Mask;  // all ones (N > 1) or true (N = 1) where true

// Lane access (N = 1: the value itself).
template <class V>
auto& lane_of(V& v, int lane)
{
    if constexpr (std::is_arithmetic_v<V>) {
        return v;
    } else {
        return v[lane];
    }
}

// table entries at byte offsets from base, one a lane: a gather where the machine has one.
template <int N>
Real<N> gather(const char* base, Bits<N> offsets)
{
    if constexpr (N == 1) {
        double x;
        std::memcpy(&x, base + offsets, sizeof x);
        return x;
#ifdef __AVX512F__
    } else if constexpr (N == 8) {
        return reinterpret_cast<Real<N>>(_mm512_i64gather_pd(reinterpret_cast<__m512i>(offsets), base, 1));
#endif
#ifdef __AVX2__
    } else if constexpr (N == 4) {
        return reinterpret_cast<Real<N>>(
            _mm256_i64gather_pd(reinterpret_cast<const double*>(base), reinterpret_cast<__m256i>(offsets), 1));
#endif
    } else {
        Real<N> out;
        for (int lane = 0; lane < N; ++lane) {
            std::memcpy(&out[lane], base + offsets[lane], sizeof(double));
        }
        return out;
    }
}

// The parameters the kernels' accrual reads: both discount rates, the
// utility's age term; no myeloma.
scls::ModelParams accrual_params()
{
    scls::ModelParams p{};
    p.discount_rate_costs = kDiscountRate;
    p.discount_rate_effects = kDiscountRate;
    p.utility_age_squared = -0.00002;
    return p;
}

// What a lifetime ends with, kept per patient to check that lanes give the scalar bits.
struct Outcome {
    double cost = 0.0, qalys = 0.0, life_years = 0.0, life_years_discounted = 0.0;
};

template <int N>
class LaneEngine {
  public:
    LaneEngine(const Regimens& regimens, const std::vector<Patient>& patients, std::uint64_t lifetimes, int refill_when)
        : r_(regimens), patients_(patients), lifetimes_(lifetimes), refill_when_(refill_when)
    {
        for (int lane = 0; lane < N; ++lane) {
            take_next(lane);
        }
    }

    // Steps every lane until every lifetime has ended; returns lane-events run.
    std::uint64_t run(std::vector<Outcome>* outcomes)
    {
        outcomes_ = outcomes;
        while (Lanes<N>::any(active_)) {
            step();
        }
        return events_;
    }

  private:
    using R = Real<N>;
    using B = Bits<N>;
    using M = Mask<N>;

    void take_next(int lane)
    {
        if (next_ == lifetimes_) {
            lane_of(active_, lane) = 0;
            return;
        }
        const std::uint64_t index = next_++;
        const Patient& patient = patients_[index % patients_.size()];
        // Each pass over the patients starts their lifetimes at another kept
        // attack, so that the lifetimes differ (the bit check sees 12,288).
        const std::uint64_t first_attack = (index / patients_.size()) % kKeptAttacks;
        const int regimen = 1 + static_cast<int>(index % 3);
        lane_of(lifetime_, lane) = index;
        lane_of(patient_offset_, lane) = (index % patients_.size()) * sizeof(Patient);
        lane_of(utility_decrement_, lane) = r_.utility_decrement[regimen];
        lane_of(drug_cost_per_year_, lane) = r_.drug_cost_per_year[regimen];
        lane_of(administration_cost_per_year_, lane) = r_.administration_cost_per_year[regimen];
        lane_of(severity_cumulative_1_, lane) = r_.severity_cumulative_1[regimen];
        lane_of(severity_cumulative_2_, lane) = r_.severity_cumulative_2[regimen];
        lane_of(attack_count_, lane) = first_attack;
        lane_of(t_, lane) = 0.0;
        lane_of(last_attack_time_, lane) = 0.0;
        lane_of(loss_rate_, lane) = r_.loss_of_response_rate[regimen];
        lane_of(accrued_to_, lane) = 0.0;
        start_process(attack_, lane, patient.budget[first_attack], patient.attack_rate * r_.attack_rate_ratio[regimen]);
        start_process(adverse_event_, lane, 1.3, r_.adverse_event_rate[regimen]);
        start_process(discontinuation_, lane, 0.7, r_.discontinuation_rate[regimen]);
        clocks_.cost.restart(lane);
        clocks_.effect.restart(lane);
        // The settled candidates' earliest, found once a lifetime (nothing
        // here moves them): the one-lane form, kept in the lane.
        scls::detail::SettledEventInputsLanes<1> settled{};
        settled.background_death_time = patient.background_death;
        settled.myeloma_death_time = scls::kInfinity;
        settled.horizon_time = patient.horizon;
        settled.myeloma_onset_time = scls::kInfinity;
        settled.myeloma_pending = true;
        settled.diagnosis_time = scls::kInfinity;  // diagnosed and treated from entry
        settled.diagnosis_pending = false;
        settled.treatment_start_time = scls::kInfinity;
        settled.treatment_start_pending = false;
        const scls::detail::EarliestEvent earliest = scls::detail::earliest_settled_event<1>(settled);
        lane_of(settled_.time, lane) = earliest.time;
        if constexpr (N == 1) {
            settled_.event = earliest.event;
        } else {
            settled_.event[lane] = static_cast<std::int64_t>(earliest.event);
        }
        for (R& category : cost_) {
            lane_of(category, lane) = 0.0;
        }
        lane_of(qalys_, lane) = 0.0;
        lane_of(life_years_, lane) = 0.0;
        lane_of(life_years_discounted_, lane) = 0.0;
        if constexpr (N == 1) {
            active_ = true;
            deescalates_ = r_.deescalates[regimen];
        } else {
            active_[lane] = -1;
            deescalates_[lane] = r_.deescalates[regimen] ? -1 : 0;
        }
    }

    void end(int lane)
    {
        const std::uint64_t index = lane_of(lifetime_, lane);
        if (outcomes_ != nullptr && index < outcomes_->size()) {
            double cost = 0.0;
            for (R& category : cost_) {
                cost += lane_of(category, lane);
            }
            (*outcomes_)[index] =
                Outcome{cost, lane_of(qalys_, lane), lane_of(life_years_, lane), lane_of(life_years_discounted_, lane)};
        }
        lane_of(active_, lane) = 0;
        ++waiting_;
    }

    void step()
    {
        using scls::detail::NextEvent;
        using Earliest = scls::detail::EarliestEventLanes<N>;
        const R attack_time = attack_.next_time();
        scls::detail::ProcessEventInputsLanes<N> in;
        in.adverse_event_time = adverse_event_.next_time();
        in.discontinuation_time = discontinuation_.next_time();
        in.regimen_start_time = R{};
        in.last_attack_time = last_attack_time_;
        in.deescalate_after_years = Lanes<N>::broadcast(kDeescalateAfterYears);
        in.deescalation_pending = deescalates_ & active_;
        in.response_loss_since = R{};
        in.response_loss_budget = Lanes<N>::broadcast(kResponseLossBudget);
        in.loss_rate_per_year = loss_rate_;
        const Earliest next_other = scls::detail::earlier_of<N>(settled_, scls::detail::earliest_process_event<N>(in));
        const M is_attack = next_other.attack_comes_first(attack_time);
        const R others = next_other.time;
        const auto kind = next_other.event;
        const auto horizon = Earliest::in_lanes(NextEvent::horizon);
        const R next = Lanes<N>::select(is_attack, attack_time, others);
        t_ = Lanes<N>::select(next > t_, next, t_);
        if constexpr (N == 1) {
            events_ += 1;
        } else {
            events_ += static_cast<std::uint64_t>(__builtin_popcountll(mask_bits(active_)));  // active lanes' events
        }
        accrue();
        M ends = (kind <= horizon) & !is_attack;
        if (Lanes<N>::any(is_attack & active_)) {
            ends |= attack(is_attack);
        }
        const M rare = (!is_attack) & (kind > horizon);
        if (Lanes<N>::any(rare & active_)) {
            const M adverse = rare & (kind == Earliest::in_lanes(NextEvent::adverse_event));
            const M discontinued = rare & (kind == Earliest::in_lanes(NextEvent::discontinuation));
            adverse_event_.renew(R{} + 1.1, t_, adverse);
            discontinuation_.renew(R{} + 2.0, t_, discontinued);
        }
        ends &= active_;
        if (Lanes<N>::any(ends)) {
            for (int lane = 0; lane < N; ++lane) {
                if (lane_of(ends, lane) != 0) {
                    end(lane);
                }
            }
            if (waiting_ >= refill_when_ || next_ == lifetimes_) {
                for (int lane = 0; lane < N; ++lane) {
                    if (lane_of(active_, lane) == 0) {
                        take_next(lane);
                    }
                }
                waiting_ = 0;
            }
        }
    }

    // One bit a lane: set where the mask is.
    static std::uint64_t mask_bits(M mask)
    {
#ifdef __AVX512DQ__
        if constexpr (N == 8) {
            return _mm512_movepi64_mask(reinterpret_cast<__m512i>(mask));
        } else
#endif
#ifdef __AVX2__
        if constexpr (N == 4) {
            return static_cast<std::uint64_t>(_mm256_movemask_pd(reinterpret_cast<__m256d>(mask)));
        } else
#endif
        {
            std::uint64_t bits = 0;
            for (int lane = 0; lane < N; ++lane) {
                bits |= static_cast<std::uint64_t>(lane_of(mask, lane) != 0) << lane;
            }
            return bits;
        }
    }

    // Costs, QALYs and life-years over [accrued_to, t): the kernels' accrual
    // (the engine's, in lanes). A waiting lane's interval is empty: not
    // live, it never asks for the series.
    void accrue()
    {
        const scls::FlowsLanes<N> flows{drug_cost_per_year_, administration_cost_per_year_, R{} + 0.85, R{} - 0.003,
                                        utility_decrement_, M{}};
        scls::accrue_interval_lanes<N>(p_, clocks_, accrued_to_, t_ - accrued_to_, active_, flows,
                                       scls::AccruedLanes<N>{life_years_, life_years_discounted_, qalys_, cost_});
        accrued_to_ = t_;
    }

    // A competing process's first budget and rate, for the lifetime a lane takes.
    static void start_process(scls::HazardProcessLanes<N>& process, int lane, double budget, double rate)
    {
        lane_of(process.budget, lane) = budget;
        lane_of(process.since, lane) = 0.0;
        lane_of(process.rate, lane) = rate;
        lane_of(process.inverse_rate, lane) = scls::inverse_or_zero(rate);
    }

    // The attacks of the lanes in is_attack: returns the lanes whose patient dies in it.
    M attack(M is_attack)
    {
        const B kept = attack_count_ % kKeptAttacks;
        const B at = patient_offset_ + kept * sizeof(double);
        const B next_at = patient_offset_ + ((kept + 1) % kKeptAttacks) * sizeof(double);
        const B care_at = patient_offset_ + kept * (kSeverities * sizeof(double));
        const char* base = reinterpret_cast<const char*>(patients_.data());
        const R severity_uniform = gather<N>(base + offsetof(Patient, severity_uniform), at);
        const R death_uniform = gather<N>(base + offsetof(Patient, death_uniform), at);
        const R budget = gather<N>(base + offsetof(Patient, budget), next_at);
        const M severe = severity_uniform >= severity_cumulative_1_;
        const M worst = severity_uniform >= severity_cumulative_2_;
        const auto by_severity = [&](const double* table) {
            return Lanes<N>::select(worst, R{} + table[2], Lanes<N>::select(severe, R{} + table[1], R{} + table[0]));
        };
        // The severity's level (0, 1, 2) from the masks: each is 1 (N = 1) or -1 (lanes) where set.
        B level;
        if constexpr (N == 1) {
            level = static_cast<B>(severe + worst);
        } else {
            level = reinterpret_cast<B>(-(severe + worst));
        }
        const R care_cost = gather<N>(base + offsetof(Patient, care_cost), care_at + level * sizeof(double));
        const R zero{};
        cost_[static_cast<int>(scls::CostCategory::attack_care)] += Lanes<N>::select(is_attack, care_cost * clocks_.cost.factor(), zero);
        qalys_ -= Lanes<N>::select(is_attack, by_severity(r_.severity_qaly_loss) * clocks_.effect.factor(), zero);
        attack_count_ += is_attack ? B{} + 1 : B{};
        last_attack_time_ = Lanes<N>::select(is_attack, t_, last_attack_time_);
        attack_.renew(budget, t_, is_attack);
        return is_attack & (death_uniform < by_severity(r_.severity_death));
    }

    const Regimens& r_;
    const std::vector<Patient>& patients_;
    std::uint64_t lifetimes_, next_ = 0, events_ = 0;
    int refill_when_, waiting_ = 0;
    std::vector<Outcome>* outcomes_ = nullptr;
    const scls::ModelParams p_ = accrual_params();
    R t_{}, accrued_to_{}, last_attack_time_{};
    scls::HazardProcessLanes<N> attack_{}, adverse_event_{}, discontinuation_{};
    scls::LifetimeClocksLanes<N> clocks_{scls::DiscountClockLanes<N>(p_.discount_rate_costs),
                                         scls::DiscountClockLanes<N>(p_.discount_rate_effects)};
    scls::detail::EarliestEventLanes<N> settled_{};  // the settled candidates' earliest (events.hpp)
    R cost_[scls::kCostCategories]{}, qalys_{}, life_years_{}, life_years_discounted_{};
    // The regimen's.
    R utility_decrement_{}, drug_cost_per_year_{}, administration_cost_per_year_{}, severity_cumulative_1_{},
        severity_cumulative_2_{}, loss_rate_{};
    M deescalates_{};
    B lifetime_{}, patient_offset_{}, attack_count_{};  // which lifetime the lane runs, its patient's row
    M active_{};
};

std::vector<Patient> synthetic_patients(std::size_t count)
{
    std::mt19937_64 engine(20261124);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<Patient> patients(count);
    for (Patient& patient : patients) {
        for (int k = 0; k < kKeptAttacks; ++k) {
            patient.budget[k] = -std::log1p(-uniform(engine));
            patient.severity_uniform[k] = uniform(engine);
            patient.death_uniform[k] = uniform(engine);
            for (int s = 0; s < kSeverities; ++s) {
                patient.care_cost[k][s] = 5000.0 * (s + 1) * uniform(engine);
            }
        }
        patient.background_death = 40.0 * uniform(engine);
        patient.horizon = kHorizonYears;
        patient.attack_rate = 1.0 + 6.0 * uniform(engine) * uniform(engine);
    }
    return patients;
}

struct Timing {
    double ns_per_lane_event = 0.0, events_per_lifetime = 0.0;
};

template <int N>
Timing time_lanes(const Regimens& regimens, const std::vector<Patient>& patients, std::uint64_t lifetimes, int refill_when)
{
    LaneEngine<N> engine(regimens, patients, lifetimes, refill_when);
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t events = engine.run(nullptr);
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    return Timing{took.count() / static_cast<double>(events), static_cast<double>(events) / static_cast<double>(lifetimes)};
}

// Every lifetime ends with the scalar code's bits, after as many
// lane-events in all: the lanes do the scalar code's work, no more, no less.
template <int N>
bool same_bits_as_scalar(const Regimens& regimens, const std::vector<Patient>& patients, int refill_when)
{
    const std::uint64_t lifetimes = 20000;
    const double unwritten = std::nan("");
    std::vector<Outcome> scalar(lifetimes, Outcome{unwritten, unwritten, unwritten, unwritten});
    std::vector<Outcome> lanes = scalar;
    const std::uint64_t scalar_events = LaneEngine<1>(regimens, patients, lifetimes, 1).run(&scalar);
    const std::uint64_t lane_events = LaneEngine<N>(regimens, patients, lifetimes, refill_when).run(&lanes);
    const auto all_written = [](const std::vector<Outcome>& outcomes) {
        for (const Outcome& o : outcomes) {
            if (std::isnan(o.cost) || std::isnan(o.qalys) || std::isnan(o.life_years) || std::isnan(o.life_years_discounted)) {
                return false;
            }
        }
        return true;
    };
    return scalar_events == lane_events && all_written(scalar) && all_written(lanes) &&
           std::memcmp(scalar.data(), lanes.data(), lifetimes * sizeof(Outcome)) == 0;
}

// Lanes::any for every mask of 4 and 8 lanes, in this unit's registers (built
// with -march=native: the test instructions where the machine has them, which
// the unit tests, built for the baseline, never compile).
template <int N>
bool any_right_for_every_mask()
{
    for (unsigned pattern = 0; pattern < (1u << N); ++pattern) {
        Mask<N> mask{};
        for (int lane = 0; lane < N; ++lane) {
            mask[lane] = (pattern >> lane) & 1u ? -1 : 0;
        }
        if (Lanes<N>::any(mask) != (pattern != 0)) {
            std::fprintf(stderr, "lane_step_bound: Lanes<%d>::any is wrong for lanes %#x\n", N, pattern);
            return false;
        }
    }
    return true;
}

struct Config {
    const char* name;
    int lanes, refill_when;
    Timing (*time)(const Regimens&, const std::vector<Patient>&, std::uint64_t, int);
    bool (*check)(const Regimens&, const std::vector<Patient>&, int);
};

}  // namespace

int main(int argc, char** argv)
{
    if (!any_right_for_every_mask<4>() || !any_right_for_every_mask<8>()) {
        return 1;
    }
    const std::uint64_t lifetimes = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    const Regimens regimens;
    const std::vector<Patient> patients = synthetic_patients(kPatients);
    const Config configs[] = {
        {"scalar (the same code, N = 1)", 1, 1, time_lanes<1>, same_bits_as_scalar<1>},
        {"4 lanes, refilled when 1 waits", 4, 1, time_lanes<4>, same_bits_as_scalar<4>},
        {"4 lanes, refilled when 2 wait", 4, 2, time_lanes<4>, same_bits_as_scalar<4>},
        {"8 lanes, refilled when 1 waits", 8, 1, time_lanes<8>, same_bits_as_scalar<8>},
        {"8 lanes, refilled when 4 wait", 8, 4, time_lanes<8>, same_bits_as_scalar<8>},
    };
    // Interleaved repeats, best of each: the machine may be shared.
    Timing best[std::size(configs)];
    for (int repeat = 0; repeat < repeats; ++repeat) {
        for (std::size_t c = 0; c < std::size(configs); ++c) {
            const Timing t = configs[c].time(regimens, patients, lifetimes, configs[c].refill_when);
            if (repeat == 0 || t.ns_per_lane_event < best[c].ns_per_lane_event) {
                best[c] = t;
            }
        }
    }
    std::printf("| lanes | lane-events per lifetime | ns per lane-event (best of %d) | against scalar | same bits as scalar |\n", repeats);
    std::printf("| --- | ---: | ---: | ---: | --- |\n");
    bool all_same = true;
    for (std::size_t c = 0; c < std::size(configs); ++c) {
        const bool same = configs[c].check(regimens, patients, configs[c].refill_when);
        all_same = all_same && same;
        std::printf("| %s | %.1f | %.2f | %.2f | %s |\n", configs[c].name, best[c].events_per_lifetime, best[c].ns_per_lane_event,
                    best[0].ns_per_lane_event / best[c].ns_per_lane_event, same ? "yes" : "NO");
    }
    return all_same ? 0 : 1;
}
