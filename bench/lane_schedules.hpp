// The SIMT lane-utilisation model's schedules (see lane_model.cpp): event
// sequences of lifetimes replayed on warps of 32 lanes, each warp step
// costing the union of the paths its active lanes take.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/model/lifetime.hpp"

namespace scls::lanes {

using detail::NextEvent;
inline constexpr int kWarp = 32;
// A lane's ops: the engine's events, and (for a lane that runs a patient's
// strategies in turn) the end of one strategy's lifetime and the start of
// the next, as one more kind.
inline constexpr std::uint8_t kNextStrategy = detail::kEventKinds;
inline constexpr int kOpKinds = detail::kEventKinds + 1;

// Relative costs, in units of the common part of a step. Assumptions, stated
// with the results: an attack's handler draws two Philox blocks, a log and a
// normal quantile (no cache on the GPU) and costs about a step; starting a
// lifetime (budgets, state) and ending it (values, 25 x 7 limbs, counters,
// histograms) cost a few steps; other handlers are short.
struct Costs {
    double step = 1.0;
    double start = 2.0;
    double finish = 3.0;
    std::array<double, kOpKinds> handler{};
};

inline Costs assumed_costs()
{
    Costs c;
    c.handler.fill(0.1);
    c.handler[static_cast<int>(NextEvent::attack)] = 1.0;
    c.handler[static_cast<int>(NextEvent::diagnostic_attack)] = 1.0;
    c.handler[static_cast<int>(NextEvent::adverse_event)] = 0.5;
    c.handler[kNextStrategy] = c.start + c.finish;
    return c;
}

inline Costs steps_only()
{
    Costs c;
    c.start = c.finish = 0.0;
    c.handler.fill(0.0);
    return c;
}

using Lifetime = std::vector<std::uint8_t>;  // its events, in order

// One sequence per patient: its strategies' events in turn, kNextStrategy
// between them (the lifetimes are patient-major: [patient][strategy]).
inline std::vector<Lifetime> patient_sequences(const std::vector<Lifetime>& lifetimes, int strategies)
{
    std::vector<Lifetime> patients(lifetimes.size() / strategies);
    for (std::size_t p = 0; p < patients.size(); ++p) {
        for (int s = 0; s < strategies; ++s) {
            const Lifetime& life = lifetimes[p * strategies + s];
            patients[p].insert(patients[p].end(), life.begin(), life.end());
            if (s + 1 < strategies) {
                patients[p].push_back(kNextStrategy);
            }
        }
    }
    return patients;
}

// A lane's own work: an event costs the common step part and its handler; a
// change of strategy (kNextStrategy) only its handler (an end and a start).
inline double useful(const Lifetime& life, const Costs& c)
{
    double work = c.start + c.finish;
    for (std::uint8_t e : life) {
        work += (e == kNextStrategy ? 0.0 : c.step) + c.handler[e];
    }
    return work;
}

// A lane's position: the lifetime it runs and the next of its ops (0: start,
// 1..n: events, n + 1: finish); done when past the finish.
struct Lane {
    const Lifetime* life = nullptr;
    std::size_t op = 0;
    bool busy() const { return life != nullptr; }
};

// One warp step over the lanes: its cost, and each busy lane advanced by one op.
inline double warp_step(std::array<Lane, kWarp>& lanes, const Costs& c)
{
    bool any_start = false, any_step = false, any_finish = false;
    std::array<bool, kOpKinds> handlers{};
    for (const Lane& lane : lanes) {
        if (!lane.busy()) {
            continue;
        }
        const std::size_t events = lane.life->size();
        if (lane.op == 0) {
            any_start = true;
        } else if (lane.op <= events) {
            any_step = true;
            handlers[(*lane.life)[lane.op - 1]] = true;
        } else {
            any_finish = true;
        }
    }
    double cost = (any_start ? c.start : 0.0) + (any_step ? c.step : 0.0) + (any_finish ? c.finish : 0.0);
    for (int e = 0; e < kOpKinds; ++e) {
        cost += handlers[e] ? c.handler[e] : 0.0;
    }
    for (Lane& lane : lanes) {
        if (lane.busy() && ++lane.op > lane.life->size() + 1) {
            lane.life = nullptr;
        }
    }
    return cost;
}

struct Tally {
    double useful = 0.0;
    double warp_cost = 0.0;
    double efficiency() const { return warp_cost > 0.0 ? useful / (kWarp * warp_cost) : 0.0; }
};

inline Tally patient_per_lane(const std::vector<Lifetime>& lifetimes, int strategies, const Costs& c)
{
    Tally t;
    const std::size_t patients = lifetimes.size() / strategies;
    for (std::size_t first = 0; first + kWarp <= patients; first += kWarp) {
        for (int s = 0; s < strategies; ++s) {
            std::array<Lane, kWarp> lanes;
            for (int l = 0; l < kWarp; ++l) {
                lanes[l].life = &lifetimes[(first + l) * strategies + s];
                t.useful += useful(*lanes[l].life, c);
            }
            while (std::any_of(lanes.begin(), lanes.end(), [](const Lane& l) { return l.busy(); })) {
                t.warp_cost += warp_step(lanes, c);
            }
        }
    }
    return t;
}

// Lane refill: a lane whose lifetime has no events left waits; once at
// least `gather` lanes wait or idle (or none can step), the waiting lanes end
// their lifetimes together and the free lanes start the next ones together.
// gather = 1 refills at once; larger values pay the divergent start and end
// less often, at the price of idle lanes.
inline Tally lane_refill(const std::vector<Lifetime>& lifetimes, std::size_t per_warp, int gather, const Costs& c)
{
    Tally t;
    for (std::size_t first = 0; first + per_warp <= lifetimes.size(); first += per_warp) {
        std::size_t next = first;
        const std::size_t end = first + per_warp;
        std::array<const Lifetime*, kWarp> life{};
        std::array<std::size_t, kWarp> done{};  // events done
        for (;;) {
            int stepping = 0, waiting = 0;
            for (int l = 0; l < kWarp; ++l) {
                if (life[l] != nullptr) {
                    (done[l] < life[l]->size() ? stepping : waiting) += 1;
                }
            }
            const int free_lanes = kWarp - stepping - waiting;
            if (stepping == 0 || (waiting + free_lanes >= gather && (waiting > 0 || next < end))) {
                t.warp_cost += waiting > 0 ? c.finish : 0.0;
                bool started = false;
                for (int l = 0; l < kWarp; ++l) {
                    if (life[l] != nullptr && done[l] == life[l]->size()) {
                        life[l] = nullptr;
                    }
                    if (life[l] == nullptr && next < end) {
                        life[l] = &lifetimes[next++];
                        done[l] = 0;
                        t.useful += useful(*life[l], c);
                        started = true;
                    }
                }
                t.warp_cost += started ? c.start : 0.0;
                if (std::all_of(life.begin(), life.end(), [](const Lifetime* p) { return p == nullptr; })) {
                    break;
                }
                continue;
            }
            std::array<bool, kOpKinds> handlers{};
            bool any_event = false;
            for (int l = 0; l < kWarp; ++l) {
                if (life[l] != nullptr && done[l] < life[l]->size()) {
                    const std::uint8_t op = (*life[l])[done[l]++];
                    handlers[op] = true;
                    any_event = any_event || op != kNextStrategy;
                }
            }
            t.warp_cost += any_event ? c.step : 0.0;
            for (int e = 0; e < kOpKinds; ++e) {
                t.warp_cost += handlers[e] ? c.handler[e] : 0.0;
            }
        }
    }
    return t;
}

}  // namespace scls::lanes
