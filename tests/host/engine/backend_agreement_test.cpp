// GPU against CPU on the base scenario: identical random draws and exact
// integer sums, so the aggregates differ only by floating-point rounding in
// transcendental functions. The tolerance is therefore tight: relative
// 1e-6 on means (rounding can, rarely, flip a comparison such as u < p and
// change one patient's path, which moves a mean by about its range / n), and
// exact equality is not required. Skipped without a device.
#include <gtest/gtest.h>

#include <cmath>

#include "host/engine/engine.hpp"
#include "host/engine/summary.hpp"
#include "kernels/launch/backend.hpp"

namespace scls {
namespace {

TEST(BackendAgreement, GpuMatchesCpuWithinMonteCarloTolerance)
{
    const CudaDeviceInfo cuda = query_cuda_devices();
    if (!cuda.compiled || cuda.device_count == 0) {
        GTEST_SKIP() << "no CUDA device (" << cuda.error << "): GPU/CPU agreement not checked";
    }
    const Scenario s = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, ".", {{"simulation.patients", "200000"}});
    RunOptions cpu_options;
    cpu_options.backend = BackendChoice::cpu;
    RunOptions gpu_options;
    gpu_options.backend = BackendChoice::gpu;
    const auto cpu = summarize(s, run_simulation(s, {s.params}, cpu_options), 0);
    const auto gpu = summarize(s, run_simulation(s, {s.params}, gpu_options), 0);
    for (std::size_t i = 0; i < cpu.size(); ++i) {
        // Within a tenth of a Monte Carlo SE: far tighter than MC noise,
        // loose enough for a handful of rounding-flipped patients.
        EXPECT_NEAR(gpu[i].cost_total.mean, cpu[i].cost_total.mean, 0.1 * cpu[i].cost_total.se) << cpu[i].name;
        EXPECT_NEAR(gpu[i].qalys.mean, cpu[i].qalys.mean, 0.1 * cpu[i].qalys.se) << cpu[i].name;
        EXPECT_NEAR(gpu[i].life_years.mean, cpu[i].life_years.mean, 0.1 * cpu[i].life_years.se) << cpu[i].name;
        EXPECT_NEAR(gpu[i].survival_at_years(10).mean, cpu[i].survival_at_years(10).mean, 0.1 * cpu[i].survival_at_years(10).se + 1e-6);
        const double attacks_cpu = static_cast<double>(cpu[i].attacks[0] + cpu[i].attacks[1] + cpu[i].attacks[2]);
        const double attacks_gpu = static_cast<double>(gpu[i].attacks[0] + gpu[i].attacks[1] + gpu[i].attacks[2]);
        EXPECT_NEAR(attacks_gpu, attacks_cpu, 1e-4 * attacks_cpu) << cpu[i].name;
    }
}

}  // namespace
}  // namespace scls
