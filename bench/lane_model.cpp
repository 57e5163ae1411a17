// SIMT lane-utilisation model of the GPU kernel, run on the CPU: records the
// engine's own sequence of events for every (patient, strategy) lifetime of
// a scenario (the GPU configuration: no attack-draw cache), then replays two
// schedules on warps of 32 lanes and reports the share of lane-steps that do
// useful work.
//
// A warp executes the union of the paths its active lanes take: a warp step
// costs the common part of a step (next event, accrual) if any lane steps,
// plus each distinct event handler the lanes take, plus the start or the
// end of a lifetime if any lane starts or ends one. A lane's useful work is
// its own path. Efficiency = useful work / (32 x warp cost).
//
// Schedules:
//   patient-per-lane  the landed kernel: lane = patient, strategies in turn,
//                     the warp in step at each strategy's end (its tallies
//                     are summed across the warp);
//   patient-refill    a lane runs a patient's strategies in turn and takes
//                     the next patient of its warp's share when done (the
//                     paired increments need the comparator's outcome at hand);
//   lane-refill       a lane takes the next (patient, strategy) lifetime of
//                     its warp's share as soon as its own ends.
//
//   lane_model [--scenario FILE] [--patients N] [--lifetimes-per-warp N]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "host/engine/engine.hpp"
#include "host/scenario/scenario.hpp"
#include "bench/lane_schedules.hpp"
#include "kernels/model/patient_block.hpp"

namespace scls {
namespace {

using namespace lanes;
using detail::NextEvent;

// Every lifetime of `patients` patients, patient-major: [patient][strategy].
std::vector<Lifetime> record(const Scenario& scenario, std::uint32_t patients)
{
    Scenario s = scenario;
    s.patients = patients;
    const LaunchGeometry geometry = make_geometry(s, 1);
    const int strategies = geometry.strategies;
    std::vector<Lifetime> lifetimes(static_cast<std::size_t>(patients) * strategies);
    for (std::uint32_t patient = 0; patient < patients; ++patient) {
        Lifetime* mine = lifetimes.data() + static_cast<std::size_t>(patient) * strategies;
        simulate_patient<0>(
            s.params, geometry, 0, patient, [](int, const LifetimeOutcome&, const double*) {},
            [&](int strategy, NextEvent event) { mine[strategy].push_back(static_cast<std::uint8_t>(event)); });
    }
    return lifetimes;
}

int run(int argc, char** argv)
{
    CLI::App app("SIMT lane-utilisation model of the GPU kernel (runs on the CPU)");
    std::string scenario_path;
    std::uint32_t patients = 32768;
    std::size_t per_warp = 0;
    app.add_option("--scenario", scenario_path, "scenario file (default: the built-in base scenario)");
    app.add_option("--patients", patients, "patients to record")->check(CLI::Range(32u, 1u << 24));
    app.add_option("--lifetimes-per-warp", per_warp, "lifetimes one warp takes under lane refill (default: 256 patients' worth)");
    CLI11_PARSE(app, argc, argv);
    const Scenario scenario = scenario_path.empty()
                                  ? load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", {})
                                  : load_scenario_file(scenario_path, {});
    const std::vector<Lifetime> lifetimes = record(scenario, patients);
    const int strategies = scenario.params.strategies;
    if (per_warp == 0) {
        per_warp = 256u * static_cast<std::size_t>(strategies);
    }

    std::vector<std::size_t> lengths(lifetimes.size());
    std::transform(lifetimes.begin(), lifetimes.end(), lengths.begin(), [](const Lifetime& l) { return l.size(); });
    std::sort(lengths.begin(), lengths.end());
    const double mean = std::accumulate(lengths.begin(), lengths.end(), 0.0) / static_cast<double>(lengths.size());
    auto quantile = [&](double q) { return lengths[static_cast<std::size_t>(q * static_cast<double>(lengths.size() - 1))]; };
    fmt::print("events per lifetime ({} patients x {} strategies): mean {:.1f}, median {}, 99th percentile {}, largest {}\n\n",
               patients, strategies, mean, quantile(0.5), quantile(0.99), lengths.back());
    const Costs assumed = assumed_costs(), steps = steps_only();
    fmt::print("Assumed costs, in units of a step's common part (next event, accrual): starting a lifetime {}, ending it "
               "(values, limbs, counters, histograms) {}, an attack's handler {} (two Philox blocks, a log, a normal "
               "quantile: no draw cache on the GPU), an adverse event's {}, other handlers {}. \"Steps only\" counts "
               "step slots alone: the schedule's own loss.\n\n",
               assumed.start, assumed.finish, assumed.handler[static_cast<int>(NextEvent::attack)],
               assumed.handler[static_cast<int>(NextEvent::adverse_event)], assumed.handler[static_cast<int>(NextEvent::horizon)]);
    fmt::print("| schedule | lane efficiency, assumed handler costs | lane efficiency, steps only |\n| --- | ---: | ---: |\n");
    fmt::print("| patient-per-lane (landed kernel) | {:.3f} | {:.3f} |\n", patient_per_lane(lifetimes, strategies, assumed).efficiency(),
               patient_per_lane(lifetimes, strategies, steps).efficiency());
    const std::vector<Lifetime> patient_runs = patient_sequences(lifetimes, strategies);
    for (int gather : {1, 8, 16}) {
        fmt::print("| patient-refill (a lane takes the next patient and runs its strategies in turn), {} patients per warp, "
                   "refilled when {} lane{} free | {:.3f} | {:.3f} |\n",
                   per_warp / strategies, gather, gather == 1 ? " is" : "s are",
                   lane_refill(patient_runs, per_warp / strategies, gather, assumed).efficiency(),
                   lane_refill(patient_runs, per_warp / strategies, gather, steps).efficiency());
    }
    for (int gather : {1, 4, 8, 16, 24}) {
        fmt::print("| lane-refill, {} lifetimes per warp, refilled when {} lane{} free | {:.3f} | {:.3f} |\n", per_warp, gather,
                   gather == 1 ? " is" : "s are", lane_refill(lifetimes, per_warp, gather, assumed).efficiency(),
                   lane_refill(lifetimes, per_warp, gather, steps).efficiency());
    }
    return 0;
}

}  // namespace
}  // namespace scls

int main(int argc, char** argv)
{
    try {
        return scls::run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(stderr, "lane_model: {}\n", e.what());
        return 2;
    }
}
