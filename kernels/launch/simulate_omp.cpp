// CPU launch site: OpenMP threads take patient blocks one at a time, as they
// become free (dynamic scheduling: a block's work is heavy-tailed, and a
// thread on a busy core must not hold a fixed share of the run). Every tally
// is an integer, so the order in which blocks finish changes no bit.
#include <omp.h>

#include <algorithm>
#include <fmt/format.h>
#include <thread>

#include "kernels/launch/backend.hpp"
#include "kernels/model/patient_block.hpp"

namespace scls {
namespace {

// Simulates one block of patients: counters and moment limbs add up in
// block-local storage, then join the set's counts in one atomic add each.
void simulate_block_on_host(const ModelParams* params, const LaunchGeometry& geometry, std::uint64_t block, std::uint64_t* counts)
{
    const auto set = static_cast<std::uint32_t>(block / geometry.blocks_per_set);
    const auto block_in_set = static_cast<std::uint32_t>(block % geometry.blocks_per_set);
    const ModelParams& p = params[set];
    std::uint64_t local[kMaxStrategies][kBlockTallies] = {};
    std::uint64_t* set_counts = counts + static_cast<std::uint64_t>(set) * geometry.counts_per_set();
    const int per_strategy = geometry.layout.per_strategy();

    const std::uint32_t first = block_in_set * kPatientsPerBlock;
    const std::uint32_t last = std::min<std::uint32_t>(first + kPatientsPerBlock, geometry.patients_per_set);
    for (std::uint32_t patient = first; patient < last; ++patient) {
        simulate_patient<kHostCachedAttacks>(p, geometry, set, patient, [&](int strategy, const LifetimeOutcome& outcome, const double* values) {
            std::uint64_t* tallies = local[strategy];
            auto add = [tallies](int index, std::uint32_t amount) { tallies[index] += amount; };
            tally_lifetime(outcome, values, p, add, add);
            histogram_lifetime(outcome, geometry.layout, p, set_counts + strategy * per_strategy);
        });
    }
    for (int s = 0; s < geometry.strategies; ++s) {
        for (int i = 0; i < kBlockTallies; ++i) {
            atomic_add(set_counts + s * per_strategy + i, local[s][i]);
        }
    }
}

class CpuBackend final : public SimulationBackend {
  public:
    CpuBackend(const std::vector<ModelParams>& parameter_sets, const LaunchGeometry& geometry, int threads)
        : params_(parameter_sets),
          geometry_(geometry),
          counts_(static_cast<std::size_t>(geometry.parameter_sets) * geometry.counts_per_set(), 0),
          threads_(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())))
    {
    }

    void simulate(std::uint64_t first_block, std::uint64_t block_count) override
    {
        const ModelParams* params = params_.data();
        std::uint64_t* counts = counts_.data();
        const auto blocks = static_cast<std::int64_t>(block_count);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_)
        for (std::int64_t b = 0; b < blocks; ++b) {
            simulate_block_on_host(params, geometry_, first_block + static_cast<std::uint64_t>(b), counts);
        }
    }

    std::vector<std::uint64_t> counts() const override { return counts_; }
    std::uint64_t preferred_batch_blocks() const override { return 256ull * static_cast<std::uint64_t>(threads_); }
    std::string name() const override { return "cpu"; }
    std::string description() const override
    {
        return fmt::format("CPU, {} OpenMP thread{}", threads_, threads_ == 1 ? "" : "s");
    }

  private:
    std::vector<ModelParams> params_;
    LaunchGeometry geometry_;
    std::vector<std::uint64_t> counts_;
    int threads_;
};

}  // namespace

std::unique_ptr<SimulationBackend> make_cpu_backend(const std::vector<ModelParams>& parameter_sets,
                                                    const LaunchGeometry& geometry, int threads)
{
    return std::make_unique<CpuBackend>(parameter_sets, geometry, threads);
}

}  // namespace scls
