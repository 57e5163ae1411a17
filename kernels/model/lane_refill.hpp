// Lane refill: the event-based schedule of the GPU kernel, written once for
// the GPU (a lane is a thread, a warp its 32 threads) and for a warp
// emulated on the CPU (kernels/launch/emulated_warp.hpp: the tests and the
// lane-utilisation model run the very same schedule).
//
// A lane runs one lifetime at a time, one event per warp step. A lane whose
// lifetime has ended waits; once enough lanes wait (refill_when_waiting, or
// half of the lanes with work, or all of them), the waiting lanes tally
// their lifetimes together and begin the next: the same patient's next
// strategy (the comparator first, its outcome kept for the paired
// increments), or the next patient of the warp's buffer. So a warp never
// waits for its longest history, and lanes idle for want of work only at
// the end of a launch.
//
// Patients are drawn a warp's width at a time: when its buffer is used up,
// the warp claims that many slots from the launch's shared cursor and every
// lane draws one patient's attributes into the buffer (the costliest draw of
// a patient, made by all lanes at once instead of by the few that need a
// patient at a refill); a lane that needs a patient copies the next one.
//
// A Warp supplies the collective operations (see EmulatedWarp for the
// contract): kWidth lanes; each(f) runs f(lane, index) for each of its
// lanes; ballot(pred) is the mask of lanes for which pred(lane) holds;
// claim(cursor, n) takes n consecutive slots from the shared cursor (the
// same base for every lane); patients() is the warp's buffer of kWidth
// patients; sync() orders its lanes' buffer writes before their reads;
// peers(mask, index, key) is the mask of lanes in `mask` with the same key;
// add(peers, index, target, amount) adds the sum of `amount` over `peers`
// to *target (every lane of `peers` calls it together).
#pragma once

#include <cstdint>

#include "kernels/core/atomics.hpp"
#include "kernels/core/macros.hpp"
#include "kernels/model/lifetime.hpp"
#include "kernels/model/patient.hpp"
#include "kernels/model/tally.hpp"

namespace scls {

enum class LaneStatus : std::uint8_t {
    free,     // no patient: claims one at the next refill
    begin,    // a patient, its next lifetime not begun
    running,  // a lifetime in progress
    ended,    // a lifetime ended, waiting to be tallied
};

struct PatientLane {
    PatientAttributes attributes;
    LifetimeState lifetime;
    PairedBase comparator;  // the comparator's outcome, for the paired increments
    std::uint32_t set;      // in the launch
    std::uint32_t patient;  // in the set
    int position;           // strategy_at(position, comparator) is being run
    LaneStatus status = LaneStatus::free;
};

// A patient drawn into a warp's buffer.
struct BufferedPatient {
    PatientAttributes attributes;
    std::uint32_t set;      // in the launch
    std::uint32_t patient;  // in the set
    bool valid;             // false: a slot past the work or a set's padding
};

// When waiting lanes are refilled: at least this many (fewer refills, each
// paying the divergent tally and start once for many lanes), or at least
// half of the lanes with work, or all of them. 14 is the lane model's best
// with measured costs (bench/lane_model), by about half a percent over 12
// and 16: a model's optimum, to be checked on a device.
inline constexpr int kRefillWhenWaiting = 14;

// The launch's work: patient slots [cursor, end) over its patient blocks,
// slot = block * kPatientsPerBlock + patient within the block; slots past a
// set's last patient (its last block's padding) are skipped.
struct LaneWork {
    std::uint64_t* cursor;  // the next unclaimed slot, shared by every warp of the launch
    std::uint64_t end;
    int refill_when_waiting = kRefillWhenWaiting;  // another value (at least 1) only to model the schedule
};

// Does nothing: what a launch site observes of its schedule (the lane model
// counts every phase instead).
struct IgnoreLaneSchedule {
    SCLS_FUNCTION SCLS_FORCEINLINE void drew(std::uint64_t /*first_slot*/, std::uint64_t /*end*/, const LaunchGeometry&) const {}
    SCLS_FUNCTION SCLS_FORCEINLINE void refill(unsigned /*tallied*/, unsigned /*took*/, unsigned /*begun*/) const {}
    SCLS_FUNCTION SCLS_FORCEINLINE void event(int /*lane*/, detail::NextEvent) const {}
    SCLS_FUNCTION SCLS_FORCEINLINE void step(unsigned /*stepping*/, unsigned /*waiting*/) const {}
};

namespace detail {

SCLS_FUNCTION SCLS_FORCEINLINE int lanes_in(unsigned mask)
{
#if SCLS_DEVICE_PASS
    return __popc(mask);
#else
    return __builtin_popcount(mask);
#endif
}

SCLS_FUNCTION SCLS_FORCEINLINE int rank_in(unsigned mask, int lane) { return lanes_in(mask & ((1u << lane) - 1u)); }

// The patient of a slot, or false for a set's padding.
SCLS_FUNCTION SCLS_FORCEINLINE bool patient_of(std::uint64_t slot, const LaunchGeometry& geometry, std::uint32_t& set, std::uint32_t& patient)
{
    const std::uint64_t block = slot / kPatientsPerBlock;
    const std::uint64_t in_set = (block % geometry.blocks_per_set) * kPatientsPerBlock + slot % kPatientsPerBlock;
    set = static_cast<std::uint32_t>(block / geometry.blocks_per_set);
    patient = static_cast<std::uint32_t>(in_set);
    return in_set < geometry.patients_per_set;
}

// Patients (not padding, not past the end) among `width` slots from base
// (for an observer of the schedule).
inline int patients_in(std::uint64_t base, std::uint64_t end, int width, const LaunchGeometry& geometry)
{
    int patients = 0;
    for (int i = 0; i < width; ++i) {
        std::uint32_t set = 0, patient = 0;
        patients += base + static_cast<std::uint64_t>(i) < end && patient_of(base + i, geometry, set, patient) ? 1 : 0;
    }
    return patients;
}

// The refill's work is kept out of line on the GPU, so that the step's
// registers are not shared with it.

// Draws the patient of a claimed slot into a buffer entry.
SCLS_FUNCTION SCLS_DEVICE_NOINLINE inline void draw_patient(BufferedPatient& entry, std::uint64_t slot, std::uint64_t end,
                                                           const ModelParams* params, const LaunchGeometry& geometry)
{
    entry.valid = slot < end && patient_of(slot, geometry, entry.set, entry.patient);
    if (!entry.valid) {
        return;
    }
    entry.attributes = draw_attributes(params[entry.set], geometry.stream_key(entry.set, entry.patient));
}

// A free lane takes a buffered patient (or stays free for an invalid entry).
SCLS_FUNCTION SCLS_MEASURED_PART inline void take_patient(PatientLane& lane, const BufferedPatient& entry)
{
    if (!entry.valid) {
        return;
    }
    lane.attributes = entry.attributes;
    lane.set = entry.set;
    lane.patient = entry.patient;
    lane.position = 0;
    lane.status = LaneStatus::begin;
}

// Tallies the lane's ended lifetime (with the other lanes in `tallying`) and
// moves it to the patient's next strategy, or frees it.
template <class Warp>
SCLS_FUNCTION SCLS_DEVICE_NOINLINE inline void tally_and_move_on(Warp& warp, unsigned tallying, int index, PatientLane& lane, const ModelParams* params,
                                            const LaunchGeometry& geometry, std::uint64_t* counts)
{
    const ModelParams& p = params[lane.set];
    const LifetimeOutcome& outcome = lane.lifetime.out;
    if (lane.position == 0) {
        lane.comparator = paired_base(outcome);
    }
    double values[kValuesPerStrategy];
    lifetime_values(outcome, lane.comparator, values);
    std::uint64_t* strategy_counts = counts + static_cast<std::uint64_t>(lane.set) * geometry.counts_per_set() +
                                     lane.lifetime.strategy * geometry.layout.per_strategy();
    // Lanes tallying the same set and strategy sum each tally across themselves first.
    const unsigned peers = warp.peers(tallying, index, strategy_counts);
    auto add = [&](int tally, std::uint32_t amount) { warp.add(peers, index, strategy_counts + tally, amount); };
    tally_lifetime(outcome, values, p, add, add);
    histogram_lifetime(outcome, geometry.layout, p, [&](int tally) { atomic_add(strategy_counts + tally, 1); });
    lane.status = ++lane.position < geometry.strategies ? LaneStatus::begin : LaneStatus::free;
}

SCLS_FUNCTION SCLS_DEVICE_NOINLINE inline void begin_lifetime(PatientLane& lane, const ModelParams* params, const LaunchGeometry& geometry)
{
    const ModelParams& p = params[lane.set];
    LifetimeSimulator<0> simulator(p, lane.attributes, geometry.stream_key(lane.set, lane.patient));
    simulator.begin(lane.lifetime, strategy_at(lane.position, p.comparator));
    lane.status = LaneStatus::running;
}

}  // namespace detail

// Runs the warp's lanes until the launch's work is done: every lifetime of
// every claimed patient is tallied into counts (the launch's, by set).
template <class Warp, class Observer = IgnoreLaneSchedule>
SCLS_FUNCTION inline void run_lanes(Warp& warp, const ModelParams* params, const LaunchGeometry& geometry, LaneWork work,
                                    std::uint64_t* counts, Observer&& observer = {})
{
    const int refill_when_waiting = work.refill_when_waiting > 1 ? work.refill_when_waiting : 1;
    BufferedPatient* patients = warp.patients();
    int taken = Warp::kWidth;  // buffered patients taken (the buffer starts used up)
    bool work_left = true;
    for (;;) {
        // Refill: tally the ended lifetimes, claim patients for free lanes, begin lifetimes.
        const unsigned ended = warp.ballot([](const PatientLane& lane) { return lane.status == LaneStatus::ended; });
        if (ended != 0) {
            warp.each([&](PatientLane& lane, int index) {
                if (lane.status == LaneStatus::ended) {
                    detail::tally_and_move_on(warp, ended, index, lane, params, geometry, counts);
                }
            });
        }
        unsigned free = warp.ballot([](const PatientLane& lane) { return lane.status == LaneStatus::free; });
        unsigned took = 0;
        while (free != 0 && (taken < Warp::kWidth || work_left)) {
            if (taken == Warp::kWidth) {
                // The buffer is used up: every lane draws one patient of the next kWidth slots.
                const std::uint64_t base = warp.claim(work.cursor, Warp::kWidth);
                work_left = base + Warp::kWidth < work.end;
                warp.sync();  // the lanes' reads of the last buffer are done
                warp.each([&](PatientLane&, int index) { detail::draw_patient(patients[index], base + index, work.end, params, geometry); });
                warp.sync();
                observer.drew(base, work.end, geometry);  // slots [base, base + kWidth) were drawn
                taken = 0;
            }
            // Free lanes take the next buffered patients in lane order.
            const int available = Warp::kWidth - taken;
            warp.each([&](PatientLane& lane, int index) {
                const int rank = detail::rank_in(free, index);
                if (((free >> index) & 1u) && rank < available) {
                    detail::take_patient(lane, patients[taken + rank]);
                }
            });
            const int used = detail::lanes_in(free) < available ? detail::lanes_in(free) : available;
            taken += used;
            const unsigned still_free = warp.ballot([](const PatientLane& lane) { return lane.status == LaneStatus::free; });
            took |= free & ~still_free;
            free = still_free;
        }
        const unsigned begun = warp.ballot([](const PatientLane& lane) { return lane.status == LaneStatus::begin; });
        if (begun != 0) {
            warp.each([&](PatientLane& lane, int) {
                if (lane.status == LaneStatus::begin) {
                    detail::begin_lifetime(lane, params, geometry);
                }
            });
        }
        observer.refill(ended, took, begun);
        // Step every running lane, one event at a time, until enough lanes wait.
        for (;;) {
            const unsigned running = warp.ballot([](const PatientLane& lane) { return lane.status == LaneStatus::running; });
            const unsigned waiting = warp.ballot([](const PatientLane& lane) { return lane.status == LaneStatus::ended; });
            const int waiting_lanes = detail::lanes_in(waiting);
            if (running == 0 || waiting_lanes >= refill_when_waiting || 2 * waiting_lanes >= detail::lanes_in(running | waiting)) {
                if (running == 0 && waiting == 0 && !work_left && taken == Warp::kWidth) {
                    return;
                }
                break;
            }
            warp.each([&](PatientLane& lane, int index) {
                if (lane.status == LaneStatus::running) {
                    LifetimeSimulator<0> simulator(params[lane.set], lane.attributes,
                                                   geometry.stream_key(lane.set, lane.patient));
                    if (simulator.advance(lane.lifetime, [&](detail::NextEvent event) { observer.event(index, event); })) {
                        lane.status = LaneStatus::ended;
                    }
                }
            });
            observer.step(running, waiting);
        }
    }
}

}  // namespace scls
