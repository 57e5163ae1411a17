// CPU launch site: Thrust's OpenMP system runs one patient block per
// iteration; within a block patients are simulated and summed in index order.
#include <omp.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/system/omp/execution_policy.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <stdexcept>
#include <thread>

#include "kernels/launch/backend.hpp"
#include "kernels/model/patient_block.hpp"

namespace scls {
namespace {

struct SimulateBlockOnHost {
    const ModelParams* params;
    LaunchGeometry geometry;
    std::uint64_t first_block;
    double* block_moments;
    std::uint64_t* counts;

    void operator()(std::uint64_t local_block) const
    {
        const std::uint64_t block = first_block + local_block;
        const auto set = static_cast<std::uint32_t>(block / geometry.blocks_per_set);
        const auto block_in_set = static_cast<std::uint32_t>(block % geometry.blocks_per_set);
        const ModelParams& p = params[set];
        double* moments = block_moments + local_block * geometry.moments_per_block();
        std::fill(moments, moments + geometry.moments_per_block(), 0.0);
        std::uint64_t local_counts[kMaxStrategies][kCounters] = {};
        std::uint64_t* set_counts = counts + static_cast<std::uint64_t>(set) * geometry.counts_per_set();
        const int per_strategy = geometry.layout.per_strategy();

        const std::uint32_t first = block_in_set * kPatientsPerBlock;
        const std::uint32_t last = std::min<std::uint32_t>(first + kPatientsPerBlock, geometry.patients_per_set);
        for (std::uint32_t patient = first; patient < last; ++patient) {
            simulate_patient<kHostCachedAttacks>(p, geometry, set, patient, [&](int strategy, const LifetimeOutcome& outcome, const double* values) {
                double* m = moments + strategy * kMomentsPerStrategy;
                for (int v = 0; v < kValuesPerStrategy; ++v) {
                    m[2 * v] += values[v];
                    m[2 * v + 1] += values[v] * values[v];
                }
                count_lifetime(outcome, p, [&](int index, std::uint32_t amount) { local_counts[strategy][index] += amount; });
                histogram_lifetime(outcome, geometry.layout, p, set_counts + strategy * per_strategy);
            });
        }
        for (int s = 0; s < geometry.strategies; ++s) {
            for (int c = 0; c < kCounters; ++c) {
                atomic_add(set_counts + s * per_strategy + c, local_counts[s][c]);
            }
        }
    }
};

class CpuBackend final : public SimulationBackend {
  public:
    CpuBackend(const std::vector<ModelParams>& parameter_sets, const LaunchGeometry& geometry, int threads)
        : params_(parameter_sets),
          geometry_(geometry),
          counts_(static_cast<std::size_t>(geometry.parameter_sets) * geometry.counts_per_set(), 0),
          threads_(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())))
    {
    }

    void simulate(std::uint64_t first_block, std::uint64_t block_count, double* block_moments) override
    {
        omp_set_num_threads(threads_);
        SimulateBlockOnHost functor{params_.data(), geometry_, first_block, block_moments, counts_.data()};
        thrust::for_each(thrust::omp::par, thrust::counting_iterator<std::uint64_t>(0),
                         thrust::counting_iterator<std::uint64_t>(block_count), functor);
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
