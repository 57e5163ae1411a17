// CPU launch site: OpenMP threads take patient blocks one at a time, as they
// become free (dynamic scheduling: a block's work is heavy-tailed, and a
// thread on a busy core must not hold a fixed share of the run). Each thread
// tallies into its own copy of the current parameter set's counts, with
// plain adds, and adds that copy to the run's counts when it moves to another
// set or the batch ends. Every tally is an integer, so the order in which
// blocks finish changes no bit.
#include <algorithm>
#include <fmt/format.h>
#include <thread>
#include <vector>

#include "kernels/launch/backend.hpp"
#include "kernels/model/patient_block.hpp"

namespace scls {
namespace {

// How a thread adds a lifetime's values' limbs: in the widest registers this
// process uses (SCLS_ATTACK_BLOCKS names a narrower one), each lane's
// digits those of value_digits.
using AddGroupedLimbs = std::uint32_t (*)(const double* values, const double* scales, std::uint64_t* limbs);

AddGroupedLimbs grouped_limbs_adder()
{
#if SCLS_ATTACK_BLOCKS_IN_VECTORS
    switch (attack_block_registers_in_use()) {
        case AttackBlockRegisters::avx512: return detail::add_grouped_limbs_avx512<kValueGroups>;
        case AttackBlockRegisters::avx2: return detail::add_grouped_limbs_avx2<kValueGroups>;
        case AttackBlockRegisters::sse2: return detail::add_grouped_limbs_sse2<kValueGroups>;
    }
#endif
    return add_grouped_limbs_one_by_one<kValueGroups>;
}

constexpr ValueScales kValueScales = value_scales();

// One strategy's value limbs, grouped (exact_sum_lanes.hpp), on lines of
// their own: a group's limb of eight values is one AVX-512 register.
struct alignas(64) StrategyLimbs {
    std::uint64_t limbs[kValueGroups * kLimbsPerGroup];
};

// One thread's tallies of one parameter set at a time: the counts in the
// set's layout, except the value limbs, grouped.
class ThreadTallies {
  public:
    ThreadTallies(const LaunchGeometry& geometry, std::uint64_t* run_counts)
        : tallies_(geometry.counts_per_set(), 0),
          limbs_(geometry.strategies),
          per_strategy_(geometry.layout.per_strategy()),
          run_counts_(run_counts),
          add_limbs_(grouped_limbs_adder())
    {
    }
    ThreadTallies(const ThreadTallies&) = delete;
    ThreadTallies& operator=(const ThreadTallies&) = delete;
    ~ThreadTallies() { flush(); }

    // The tallies of `set`, after adding those of the previous set to the run's.
    std::uint64_t* of_set(std::uint32_t set)
    {
        if (set != set_) {
            flush();
            set_ = set;
        }
        return tallies_.data();
    }

    // Adds a lifetime's values (kValueSlots of them) under a strategy of the
    // current set; returns how many were out of range.
    std::uint32_t add_values(int strategy, const double* values)
    {
        return add_limbs_(values, kValueScales.of, limbs_[strategy].limbs);
    }

  private:
    static constexpr std::uint32_t kNoSet = ~std::uint32_t{0};

    void flush()
    {
        if (set_ == kNoSet) {
            return;
        }
        std::uint64_t* target = run_counts_ + static_cast<std::uint64_t>(set_) * tallies_.size();
        for (std::size_t i = 0; i < tallies_.size(); ++i) {
            if (tallies_[i] != 0) {
                atomic_add(target + i, tallies_[i]);
                tallies_[i] = 0;
            }
        }
        for (std::size_t s = 0; s < limbs_.size(); ++s) {
            std::uint64_t* strategy_target = target + s * per_strategy_ + kMomentLimbsFirst;
            for (int v = 0; v < kValuesPerStrategy; ++v) {
                for (int l = 0; l < kLimbsPerValue; ++l) {
                    std::uint64_t& limb = limbs_[s].limbs[grouped_limb(v, l)];
                    if (limb != 0) {
                        atomic_add(strategy_target + v * kLimbsPerValue + l, limb);
                        limb = 0;
                    }
                }
            }
        }
        set_ = kNoSet;
    }

    std::vector<std::uint64_t> tallies_;
    std::vector<StrategyLimbs> limbs_;
    std::size_t per_strategy_;
    std::uint64_t* run_counts_;
    AddGroupedLimbs add_limbs_;
    std::uint32_t set_ = kNoSet;
};

void simulate_block_on_host(const ModelParams* params, const LaunchGeometry& geometry, std::uint64_t block, ThreadTallies& mine)
{
    const auto set = static_cast<std::uint32_t>(block / geometry.blocks_per_set);
    const auto block_in_set = static_cast<std::uint32_t>(block % geometry.blocks_per_set);
    const ModelParams& p = params[set];
    std::uint64_t* set_tallies = mine.of_set(set);
    const int per_strategy = geometry.layout.per_strategy();

    const std::uint32_t first = block_in_set * kPatientsPerBlock;
    const auto last = static_cast<std::uint32_t>(  // in 64 bits: a set may hold up to 2^32 - 1 patients
        std::min<std::uint64_t>(std::uint64_t{first} + kPatientsPerBlock, geometry.patients_per_set));
    for (std::uint32_t patient = first; patient < last; ++patient) {
        simulate_patient<kHostCachedAttacks>(p, geometry, set, patient, [&](int strategy, const LifetimeOutcome& outcome, const double* values) {
            std::uint64_t* tallies = set_tallies + strategy * per_strategy;
            auto add = [tallies](int index, std::uint32_t amount) { tallies[index] += amount; };
            count_lifetime_and_range(outcome, p, mine.add_values(strategy, values), add);
            histogram_lifetime(outcome, geometry.layout, p, [tallies](int index) { ++tallies[index]; });
        });
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
        const auto blocks = static_cast<std::int64_t>(block_count);
#pragma omp parallel num_threads(threads_)
        {
            ThreadTallies mine(geometry_, counts_.data());
#pragma omp for schedule(dynamic, 1) nowait
            for (std::int64_t b = 0; b < blocks; ++b) {
                simulate_block_on_host(params_.data(), geometry_, first_block + static_cast<std::uint64_t>(b), mine);
            }
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
