// A warp of Width lanes emulated on one CPU thread: runs the GPU kernel's
// lane-refill schedule (run_lanes) on the host, lane by lane, so that tests
// can check its bits against the CPU backend at any lane width and the
// lane-utilisation model can replay the very schedule the GPU runs.
//
// The contract run_lanes relies on, which the GPU's warp of threads meets
// with its intrinsics (simulate_cuda.cu):
//   each(f)                   f(lane, index) for every lane, index 0..Width-1;
//   ballot(pred)              bit i set when pred(lane i) holds;
//   kWidth                    its lanes;
//   claim(cursor, n)          the cursor's value before adding n (one claim for the warp);
//   patients()                the warp's buffer of kWidth patients;
//   sync()                    orders the lanes' buffer writes before their reads;
//   peers(mask, index, key)   the lanes of mask (which holds index) whose key equals lane index's;
//   add(peers, index, target, amount)
//                             *target += the sum of amount over peers (each of
//                             them calls it with its own amount; here each
//                             adds its own: integer sums need no order).
// A GPU warp sums an add across the peers in the order they call it, so every
// lane of a group must make the same adds in the same order.
//
// What the emulated warp does besides (Adds):
//   checked  checks that contract after each pass over its lanes and throws
//            std::logic_error if lanes of one key added differently (tests);
//   plain    nothing: every add is one atomic, as the GPU makes one
//            reduction for every add (the lane costs' measurement);
//   census   counts the adds, those with an amount, the positions of the
//            passes' sequences of adds (the warp's reductions) and those at
//            which some lane has an amount: the reductions a warp that
//            skipped adds of zeros after a vote would still run (the lane model).
#pragma once

#include <array>
#include <cstdint>
#include <fmt/format.h>
#include <stdexcept>
#include <vector>

#include "kernels/core/atomics.hpp"
#include "kernels/model/lane_refill.hpp"

namespace scls {

enum class EmulatedAdds { checked, plain, census };

// The adds of a run (EmulatedAdds::census).
struct AddCensus {
    std::uint64_t calls = 0;      // adds called, lane by lane
    std::uint64_t lane_adds = 0;  // calls with an amount: the lanes' own work
    std::uint64_t positions = 0;  // positions of the passes' sequences of adds: a GPU warp's reductions today
    std::uint64_t warp_adds = 0;  // of them, those where some lane has an amount
};

template <int Width, EmulatedAdds Adds = EmulatedAdds::checked>
class EmulatedWarp {
    static_assert(Width >= 1 && Width <= 32, "a warp's lanes are bits of a 32-bit mask");

  public:
    static constexpr int kWidth = Width;

    EmulatedWarp() = default;
    explicit EmulatedWarp(AddCensus* census) : census_(census != nullptr ? census : &own_census_) {}  // census: where adds are counted
    EmulatedWarp(const EmulatedWarp&) = delete;  // census_ may point into this warp
    EmulatedWarp& operator=(const EmulatedWarp&) = delete;

    template <class F>
    void each(F&& f)
    {
        for (int i = 0; i < Width; ++i) {
            f(lanes_[i], i);
        }
        if constexpr (Adds == EmulatedAdds::checked) {
            check_groups();
        } else if constexpr (Adds == EmulatedAdds::census) {
            count_warp_adds();
        }
    }

    template <class Predicate>
    unsigned ballot(Predicate&& pred) const
    {
        unsigned mask = 0;
        for (int i = 0; i < Width; ++i) {
            mask |= pred(lanes_[i]) ? 1u << i : 0u;
        }
        return mask;
    }

    static std::uint64_t claim(std::uint64_t* cursor, int count)
    {
        return __atomic_fetch_add(cursor, static_cast<std::uint64_t>(count), __ATOMIC_RELAXED);
    }

    BufferedPatient* patients() { return patients_.data(); }
    static void sync() {}

    unsigned peers(unsigned /*mask*/, int index, const void* key)
    {
        keys_[index] = key;
        grouped_ |= 1u << index;
        return 1u << index;
    }

    void add(unsigned /*peers*/, int index, std::uint64_t* target, std::uint32_t amount)
    {
        if constexpr (Adds == EmulatedAdds::checked) {
            added_[index].push_back(target);
        } else if constexpr (Adds == EmulatedAdds::census) {
            ++census_->calls;
            census_->lane_adds += amount != 0 ? 1u : 0u;
            amounts_[index].push_back(amount);
        }
        atomic_add(target, amount);
    }

  private:
    // Lanes with the same key (the GPU's peers) must have added to the same
    // targets in the same order.
    void check_groups()
    {
        for (int i = 0; i < Width; ++i) {
            for (int j = i + 1; j < Width; ++j) {
                if (((grouped_ >> i) & (grouped_ >> j) & 1u) && keys_[i] == keys_[j] && added_[i] != added_[j]) {
                    std::size_t first = 0;
                    while (first < added_[i].size() && first < added_[j].size() && added_[i][first] == added_[j][first]) {
                        ++first;
                    }
                    throw std::logic_error(fmt::format(
                        "lanes {} and {} tally the same set and strategy with different adds (the {}th of {} and {} differs): a "
                        "GPU warp would pair their sums wrongly — every lane must add every index, in order, whatever its outcome",
                        i, j, first + 1, added_[i].size(), added_[j].size()));
                }
            }
        }
        for (int i = 0; i < Width; ++i) {
            added_[i].clear();
        }
        grouped_ = 0;
    }

    // The positions of this pass's adds at which some lane had an amount.
    void count_warp_adds()
    {
        for (std::size_t position = 0;; ++position) {
            bool called = false, any = false;
            for (const std::vector<std::uint32_t>& lane : amounts_) {
                called = called || position < lane.size();
                any = any || (position < lane.size() && lane[position] != 0);
            }
            if (!called) {
                break;
            }
            ++census_->positions;
            census_->warp_adds += any ? 1u : 0u;
        }
        for (std::vector<std::uint32_t>& lane : amounts_) {
            lane.clear();
        }
    }

    std::array<const void*, Width> keys_{};
    std::array<std::vector<const std::uint64_t*>, Width> added_{};
    unsigned grouped_ = 0;
    AddCensus own_census_;
    AddCensus* census_ = &own_census_;
    std::array<std::vector<std::uint32_t>, Width> amounts_{};
    std::array<PatientLane, Width> lanes_{};
    std::array<BufferedPatient, Width> patients_{};
};

// Runs every patient of slots [first_slot, end_slot) of a launch (slot =
// block * kPatientsPerBlock + patient in the block) through one warp of
// Width lanes on this thread; adds the tallies to counts (the launch's, by set).
template <int Width, EmulatedAdds Adds = EmulatedAdds::checked, class Observer = IgnoreLaneSchedule>
void run_emulated_warp(const ModelParams* params, const LaunchGeometry& geometry, std::uint64_t first_slot, std::uint64_t end_slot,
                       std::uint64_t* counts, Observer&& observer = {}, int refill_when_waiting = kRefillWhenWaiting,
                       AddCensus* census = nullptr)
{
    std::uint64_t cursor = first_slot;
    const LaneWork work{&cursor, end_slot, refill_when_waiting};
    EmulatedWarp<Width, Adds> warp(census);
    run_lanes(warp, params, geometry, work, counts, observer);
}

}  // namespace scls
