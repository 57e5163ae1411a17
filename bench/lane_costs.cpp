// The workload whose parts scripts/lane_costs.sh measures: the GPU kernel's
// lane-refill schedule (run_lanes on an emulated warp of 32 lanes, no
// attack-draw cache, as on the GPU) over the patients of a scenario, built
// with SCLS_MEASURE_PARTS so that the event loop's parts stay out of line
// and callgrind counts each one's instructions. Prints how many times each
// part ran, which the script divides by:
//   drawn N / patients N / lifetimes N / events N / event <kind> N
//
//   lane_costs [--scenario FILE] [--patients N]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <vector>

#include "host/engine/engine.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/launch/emulated_warp.hpp"

#if !defined(SCLS_MEASURE_PARTS)
#error "lane_costs measures the event loop's parts: build it with SCLS_MEASURE_PARTS (CMakeLists.txt does)"
#endif

namespace scls {
namespace {

constexpr const char* kEventNames[detail::kEventKinds] = {
    "background_death", "myeloma_death", "horizon",         "myeloma_onset", "attack",           "adverse_event",
    "discontinuation",  "deescalation",  "treatment_start", "response_loss", "diagnostic_attack",
};

struct Counts {
    std::uint64_t drawn = 0, taken = 0, begun = 0, tallied = 0;
    std::array<std::uint64_t, detail::kEventKinds> events{};
    void drew(std::uint64_t first_slot, std::uint64_t end, const LaunchGeometry& geometry)
    {
        drawn += static_cast<std::uint64_t>(detail::patients_in(first_slot, end, 32, geometry));
    }
    void refill(unsigned tallied_lanes, unsigned took, unsigned begun_lanes)
    {
        tallied += static_cast<std::uint64_t>(__builtin_popcount(tallied_lanes));
        taken += static_cast<std::uint64_t>(__builtin_popcount(took));
        begun += static_cast<std::uint64_t>(__builtin_popcount(begun_lanes));
    }
    void event(int, detail::NextEvent e) { ++events[static_cast<int>(e)]; }
    void step(unsigned, unsigned) {}
};

int run(int argc, char** argv)
{
    CLI::App app("The lane-refill schedule's workload, for callgrind (scripts/lane_costs.sh)");
    std::string scenario_path;
    std::uint32_t patients = 4096;
    app.add_option("--scenario", scenario_path, "scenario file (default: the built-in base scenario)");
    app.add_option("--patients", patients, "patients to simulate")->check(CLI::Range(1u, 1u << 24));
    CLI11_PARSE(app, argc, argv);
    Scenario scenario = scenario_path.empty() ? load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", {})
                                              : load_scenario_file(scenario_path, {});
    scenario.patients = patients;
    const LaunchGeometry geometry = make_geometry(scenario, 1);
    std::vector<std::uint64_t> counts(geometry.counts_per_set(), 0);
    Counts seen;
    run_emulated_warp<32, EmulatedAdds::plain>(&scenario.params, geometry, 0, geometry.total_blocks() * kPatientsPerBlock, counts.data(), seen);
    std::uint64_t events = 0;
    for (std::uint64_t n : seen.events) {
        events += n;
    }
    fmt::print("drawn {}\npatients {}\nlifetimes {}\nevents {}\n", seen.drawn, seen.taken, seen.tallied, events);
    for (int e = 0; e < detail::kEventKinds; ++e) {
        fmt::print("event {} {}\n", kEventNames[e], seen.events[e]);
    }
    return seen.tallied == seen.begun ? 0 : 1;
}

}  // namespace
}  // namespace scls

int main(int argc, char** argv)
{
    try {
        return scls::run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(stderr, "lane_costs: {}\n", e.what());
        return 2;
    }
}
