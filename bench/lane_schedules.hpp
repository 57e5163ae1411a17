// The SIMT lane-utilisation model's costs (see lane_model.cpp): a warp step
// costs the union of the paths its active lanes take. Two schedules: the
// kernel's patient-per-lane before lane refill, replayed from recorded event sequences,
// and the lane-refill kernel's, observed as the engine itself runs it
// (run_lanes on an emulated warp).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/model/lane_refill.hpp"
#include "kernels/model/lifetime.hpp"

namespace scls::lanes {

using detail::NextEvent;
inline constexpr int kWarp = 32;
inline constexpr int kOpKinds = detail::kEventKinds;

// Relative costs, in units of the common part of a step. Assumptions, stated
// with the results: an attack's handler draws two Philox blocks, a log and
// its stay's normal quantile (no cache on the GPU), and costs about a step;
// drawing a
// patient's attributes, starting a lifetime (budgets, state) and ending it
// (values, 25 x 7 limbs, counters, histograms) cost a few steps; other
// handlers are short.
struct Costs {
    double step = 1.0;
    double attributes = 2.0;
    double take = 0.3;  // a lane copying a buffered patient
    double start = 2.0;
    double finish = 3.0;
    std::array<double, kOpKinds> handler{};
};

inline Costs assumed_costs()
{
    Costs c;
    c.handler.fill(0.1);
    c.handler[static_cast<int>(NextEvent::attack)] = 1.0;
    c.handler[static_cast<int>(NextEvent::diagnostic_attack)] = 0.3;  // the consequences: its draws are drawn ahead
    c.handler[static_cast<int>(NextEvent::adverse_event)] = 0.5;
    return c;
}

inline Costs steps_only()
{
    Costs c;
    c.attributes = c.take = c.start = c.finish = 0.0;
    c.handler.fill(0.0);
    return c;
}

using Lifetime = std::vector<std::uint8_t>;  // its events, in order

// A lane's own work in one lifetime (its patient's attributes are counted
// once, with the patient's first lifetime).
inline double useful(const Lifetime& life, const Costs& c)
{
    double work = c.start + c.finish;
    for (std::uint8_t e : life) {
        work += c.step + c.handler[e];
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
    int width = kWarp;  // lanes that step together
    double efficiency() const { return warp_cost > 0.0 ? useful / (width * warp_cost) : 0.0; }
};

inline Tally patient_per_lane(const std::vector<Lifetime>& lifetimes, int strategies, const Costs& c)
{
    Tally t;
    const std::size_t patients = lifetimes.size() / strategies;
    for (std::size_t first = 0; first + kWarp <= patients; first += kWarp) {
        t.warp_cost += c.attributes;  // every lane draws its patient's, together
        t.useful += kWarp * c.attributes;
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

// The handler an event takes in the engine now: a diagnostic attack takes
// the attack's path, doing part of its work (its draws were drawn at the
// start: it costs its lane the handler[diagnostic_attack] it uses and its
// warp the attack's path); before lane refill it had its own, out of line.
inline int handler_path(NextEvent event)
{
    return static_cast<int>(event == NextEvent::diagnostic_attack ? NextEvent::attack : event);
}

// The lane-refill kernel's cost, observed while run_lanes runs on an
// emulated warp (an observer of kernels/model/lane_refill.hpp) of 32 lanes,
// or of another width (a CPU's vector lanes):
// drawing the warp's buffer of patients costs one attribute draw (every lane
// draws one); a refill costs the tally if any lane tallies, the copy of a
// buffered patient if any lane takes one, the start if any lane begins a
// lifetime; a step costs its common part and every distinct handler its
// lanes take.
class RefillCost {
  public:
    explicit RefillCost(const Costs& c, int width = kWarp) : c_(c) { t_.width = width; }

    // Every lane draws the patient of one of `width` slots from first_slot.
    void drew(std::uint64_t first_slot, std::uint64_t end, const LaunchGeometry& geometry)
    {
        drew(detail::patients_in(first_slot, end, t_.width, geometry));
    }
    void drew(int patients)
    {
        t_.warp_cost += c_.attributes;
        t_.useful += patients * c_.attributes;
    }
    void refill(unsigned tallied, unsigned took, unsigned begun)
    {
        t_.warp_cost += (tallied ? c_.finish : 0.0) + (took ? c_.take : 0.0) + (begun ? c_.start : 0.0);
        t_.useful += lanes(tallied) * c_.finish + lanes(took) * c_.take + lanes(begun) * c_.start;
    }
    void event(int /*lane*/, NextEvent event)
    {
        const int e = static_cast<int>(event);
        taken_[handler_path(event)] = true;
        regular_attack_ = regular_attack_ || event == NextEvent::attack;
        t_.useful += c_.step + c_.handler[e];
    }
    void step(unsigned /*stepping*/, unsigned /*waiting*/)
    {
        t_.warp_cost += c_.step;
        const int attack = static_cast<int>(NextEvent::attack), diagnostic = static_cast<int>(NextEvent::diagnostic_attack);
        for (int e = 0; e < kOpKinds; ++e) {
            // Diagnostic attacks alone run only the consequences of the attack's path.
            const double cost = e == attack && !regular_attack_ ? c_.handler[diagnostic] : c_.handler[e];
            t_.warp_cost += taken_[e] ? cost : 0.0;
            taken_[e] = false;
        }
        regular_attack_ = false;
    }
    const Tally& tally() const { return t_; }

  private:
    static double lanes(unsigned mask) { return __builtin_popcount(mask); }
    Costs c_;
    Tally t_;
    std::array<bool, kOpKinds> taken_{};
    bool regular_attack_ = false;
};

}  // namespace scls::lanes
