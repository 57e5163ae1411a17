// SIMT lane-utilisation model of the GPU kernel, run on the CPU. A warp
// executes the union of the paths its active lanes take: a warp step costs
// the common part of a step (next event, accrual) if any lane steps, plus
// each distinct event handler the lanes take; a refill costs the tally, the
// attribute draws and the start of a lifetime if any lane needs them. A
// lane's useful work is its own path. Efficiency = useful work / (32 x warp
// cost).
//
// Schedules:
//   patient-per-lane  the kernel before lane refill: lane = patient, its
//                     strategies in turn, the warp in step at each
//                     strategy's end; replayed from the engine's recorded
//                     event sequences (no attack-draw cache, as on the GPU);
//   lane refill       the kernel's schedule itself (run_lanes,
//                     kernels/model/lane_refill.hpp) on an emulated warp of
//                     32 lanes, each warp taking its share of patients.
//
//   CPU vector lanes  the same schedule at 4, 8 and 16 lanes, as a CPU's
//                     vector registers would run it (the schedule's loss
//                     only).
//
// Costs: assumed (stated in the output), or measured (--costs FILE, the
// output of scripts/lane_costs.sh: x86 instructions per call of each part,
// counted by callgrind on the same schedule).
//
//   lane_model [--scenario FILE] [--patients N] [--costs FILE]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <map>
#include <sstream>
#include <cstdint>
#include <numeric>
#include <vector>

#include "host/engine/engine.hpp"
#include "host/scenario/scenario.hpp"
#include "bench/lane_schedules.hpp"
#include "kernels/launch/emulated_warp.hpp"
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
            [&](int strategy, NextEvent event) { mine[strategy].push_back(static_cast<std::uint8_t>(event)); },
            SharedHistory::run_in_every_lifetime);
    }
    return lifetimes;
}

// Costs from scripts/lane_costs.sh's output (instructions per call), in
// units of the step's common part; the short handlers are inside the step.
Costs measured_costs(const std::string& path, std::string& source)
{
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error(fmt::format("cannot read {} (the output of scripts/lane_costs.sh)", path));
    }
    std::map<std::string, double> instructions;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string part;
        double value = 0.0;
        if (!line.empty() && line[0] == '#' && source.empty()) {
            source = line.substr(line.find_first_not_of("# "));
        }
        if (line.empty() || line[0] == '#' || !(fields >> part >> value)) {
            continue;
        }
        instructions[part] = value;
    }
    auto take = [&](const char* part) {
        const auto found = instructions.find(part);
        if (found == instructions.end() || !(found->second > 0.0)) {
            throw std::runtime_error(fmt::format("{}: no positive \"{}\" line — write the file with scripts/lane_costs.sh", path, part));
        }
        return found->second;
    };
    const double step = take("step");
    Costs c = steps_only();
    c.attributes = take("attributes") / step;
    c.take = take("take") / step;

    c.start = take("start") / step;
    c.finish = take("finish") / step;
    c.handler[static_cast<int>(NextEvent::attack)] = take("attack") / step;
    c.handler[static_cast<int>(NextEvent::adverse_event)] = take("adverse_event") / step;
    c.handler[static_cast<int>(NextEvent::diagnostic_attack)] = take("consequences") / step;  // its part of the attack's path
    return c;
}

// The lane-refill kernel's efficiency on warps of Width lanes that take
// `per_warp` patients each (a GPU batch's patients over its resident warps);
// the census of its adds added to *census if not null.
template <EmulatedAdds Adds, int Width = kWarp>
double refill_efficiency(const Scenario& s, std::uint32_t patients, std::uint32_t per_warp, int refill_when_waiting, const Costs& c,
                         AddCensus* census)
{
    Scenario one = s;
    one.patients = patients;
    const LaunchGeometry geometry = make_geometry(one, 1);
    std::vector<std::uint64_t> counts(geometry.counts_per_set(), 0);
    RefillCost cost(c, Width);
    for (std::uint64_t first = 0; first + per_warp <= patients; first += per_warp) {
        run_emulated_warp<Width, Adds>(&one.params, geometry, first, first + per_warp, counts.data(), cost, refill_when_waiting, census);
    }
    return cost.tally().efficiency();
}

double refill_efficiency(const Scenario& s, std::uint32_t patients, std::uint32_t per_warp, int refill_when_waiting, const Costs& c,
                         AddCensus* census = nullptr)
{
    // The warp's census of adds only when asked for (it keeps every lane's amounts).
    if (census == nullptr) {
        return refill_efficiency<EmulatedAdds::plain>(s, patients, per_warp, refill_when_waiting, c, nullptr);
    }
    return refill_efficiency<EmulatedAdds::census>(s, patients, per_warp, refill_when_waiting, c, census);
}

// The same schedule on a CPU's vector lanes, as a structure-of-arrays
// engine would run it: 4 doubles (AVX2), 8 (AVX-512) or 16 (AVX-512 in
// float), 64 patients per lane, lanes refilled when one, a quarter or half
// of them wait. Only the schedule's loss: what vector code costs beside
// scalar code (masks, gathers, blends) is not in it.
template <int Width, class Row>
void vector_lane_rows(const Scenario& scenario, std::uint32_t patients, std::initializer_list<int> refill_when, Row& row)
{
    for (const int when : refill_when) {
        row(fmt::format("CPU vector lanes: {} lanes, {} patients per lane group, refilled when {} lane{} wait{}", Width, 64 * Width, when,
                        when == 1 ? "" : "s", when == 1 ? "s" : ""),
            [&](const Costs& c) { return refill_efficiency<EmulatedAdds::plain, Width>(scenario, patients, 64 * Width, when, c, nullptr); });
    }
}

int run(int argc, char** argv)
{
    CLI::App app("SIMT lane-utilisation model of the GPU kernel (runs on the CPU)");
    std::string scenario_path, costs_path;
    std::uint32_t patients = 32768;
    app.add_option("--scenario", scenario_path, "scenario file (default: the built-in base scenario)");
    app.add_option("--patients", patients, "patients to simulate (a multiple of 2048)")->check(CLI::Range(2048u, 1u << 24));
    app.add_option("--costs", costs_path, "measured costs (the output of scripts/lane_costs.sh)");
    CLI11_PARSE(app, argc, argv);
    patients -= patients % 2048;
    const Scenario scenario = scenario_path.empty()
                                  ? load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", {})
                                  : load_scenario_file(scenario_path, {});
    const std::vector<Lifetime> lifetimes = record(scenario, patients);
    const int strategies = scenario.params.strategies;

    std::vector<std::size_t> lengths(lifetimes.size());
    std::transform(lifetimes.begin(), lifetimes.end(), lengths.begin(), [](const Lifetime& l) { return l.size(); });
    std::sort(lengths.begin(), lengths.end());
    const double mean = std::accumulate(lengths.begin(), lengths.end(), 0.0) / static_cast<double>(lengths.size());
    auto quantile = [&](double q) { return lengths[static_cast<std::size_t>(q * static_cast<double>(lengths.size() - 1))]; };
    fmt::print("events per lifetime ({} patients x {} strategies): mean {:.1f}, median {}, 99th percentile {}, largest {}\n\n",
               patients, strategies, mean, quantile(0.5), quantile(0.99), lengths.back());
    const Costs assumed = assumed_costs(), steps = steps_only();
    auto describe = [](const Costs& c) {
        return fmt::format("a patient's attributes {:.2g}, taking a buffered patient {:.2g}, starting a lifetime {:.2g}, ending it (values, limbs, counters, "
                           "histograms) {:.2g}, an attack's handler {:.2g}, an adverse event's {:.2g}, a diagnostic attack's {:.2g} "
                           "(its own path before lane refill; since, the attack's, of which it does the consequences), other "
                           "handlers {:.2g}",
                           c.attributes, c.take, c.start, c.finish, c.handler[static_cast<int>(NextEvent::attack)],
                           c.handler[static_cast<int>(NextEvent::adverse_event)],
                           c.handler[static_cast<int>(NextEvent::diagnostic_attack)], c.handler[static_cast<int>(NextEvent::horizon)]);
    };
    fmt::print("Costs in units of a step's common part (next event, accrual). Assumed: {}.", describe(assumed));
    const bool have_measured = !costs_path.empty();
    std::string source;
    const Costs measured = have_measured ? measured_costs(costs_path, source) : assumed;
    if (have_measured) {
        fmt::print(" Measured, the short handlers inside the step: {} ({}).", describe(measured), source);
    }
    fmt::print(" \"Steps only\" counts step slots alone: the schedule's own loss. A GPU batch gives each resident warp "
               "about 2048 patients (64 per lane).\n\n");
    fmt::print("| schedule | lane efficiency, {} costs | {}steps only |\n| --- | ---: | ---: |{}\n",
               have_measured ? "measured" : "assumed", have_measured ? "assumed costs | " : "", have_measured ? " ---: |" : "");
    auto row = [&](const std::string& name, auto efficiency) {
        if (have_measured) {
            fmt::print("| {} | {:.3f} | {:.3f} | {:.3f} |\n", name, efficiency(measured), efficiency(assumed), efficiency(steps));
        } else {
            fmt::print("| {} | {:.3f} | {:.3f} |\n", name, efficiency(assumed), efficiency(steps));
        }
    };
    row("patient-per-lane (the kernel before lane refill)",
        [&](const Costs& c) { return patient_per_lane(lifetimes, strategies, c).efficiency(); });
    // census: where the steps-only run of the row counts its adds (the kernel's row).
    auto refill_row = [&](std::uint32_t per_warp, int when, const char* note, AddCensus* census) {
        row(fmt::format("lane refill, {} patients per warp, refilled when {} lane{} wait{}{}", per_warp, when, when == 1 ? "" : "s",
                        when == 1 ? "s" : "", note),
            [&](const Costs& c) { return refill_efficiency(scenario, patients, per_warp, when, c, &c == &steps ? census : nullptr); });
    };
    AddCensus adds;
    for (std::uint32_t per_warp : {64u, 256u, 2048u}) {
        const bool kernel = per_warp == 2048u;
        refill_row(per_warp, kRefillWhenWaiting, kernel ? " (the kernel)" : "", kernel ? &adds : nullptr);
    }
    for (int when : {4, 8, 12, 16}) {
        refill_row(2048u, when, "", nullptr);
    }
    vector_lane_rows<4>(scenario, patients, {1, 2}, row);
    vector_lane_rows<8>(scenario, patients, {1, 2, 4}, row);
    vector_lane_rows<16>(scenario, patients, {1, 4, 8}, row);
    const double lifetimes_tallied = static_cast<double>(patients) * strategies;
    fmt::print("\nThe kernel's tallies: {:.0f} adds (counts and limbs) per lifetime, {:.1f} of them not zero. A warp runs the "
               "two reductions of an add for all of them, {:.1f} per lifetime tallied (lanes that tally together share them); "
               "one that first voted (a warp collective of its own) and skipped an add no tallying lane has an amount for "
               "would run them {:.1f} times per lifetime tallied. The global atomic is already skipped for a zero sum.\n",
               static_cast<double>(adds.calls) / lifetimes_tallied, static_cast<double>(adds.lane_adds) / lifetimes_tallied,
               static_cast<double>(adds.positions) / lifetimes_tallied, static_cast<double>(adds.warp_adds) / lifetimes_tallied);
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
