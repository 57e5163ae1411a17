// Work units, shares and their merge (see work_share.hpp).
#include "host/engine/work_share.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>

namespace scls {

WorkUnits::WorkUnits(const LaunchGeometry& run_geometry)
    : parameter_sets_(run_geometry.parameter_sets),
      blocks_per_set_(run_geometry.blocks_per_set),
      units_per_set_((run_geometry.blocks_per_set + kBlocksPerUnit - 1) / kBlocksPerUnit),
      patients_per_set_(run_geometry.patients_per_set)
{
}

std::uint64_t WorkUnits::patients(std::uint64_t unit) const
{
    const std::uint64_t set_start = static_cast<std::uint64_t>(set_of(unit)) * blocks_per_set_;
    const std::uint64_t first_patient = (first_block(unit) - set_start) * kPatientsPerBlock;
    const std::uint64_t end_patient = std::min<std::uint64_t>((end_block(unit) - set_start) * kPatientsPerBlock, patients_per_set_);
    return end_patient - first_patient;
}

std::uint64_t WorkUnits::first_block(std::uint64_t unit) const
{
    return static_cast<std::uint64_t>(set_of(unit)) * blocks_per_set_ + static_cast<std::uint64_t>(index_in_set(unit)) * kBlocksPerUnit;
}

std::uint64_t WorkUnits::end_block(std::uint64_t unit) const
{
    const std::uint64_t set_end = static_cast<std::uint64_t>(set_of(unit) + 1) * blocks_per_set_;
    return std::min(first_block(unit) + kBlocksPerUnit, set_end);
}

UnitRange WorkUnits::share(int rank, int ranks) const
{
    // Rank r starts at the first unit whose first block is at or past
    // r/ranks of all blocks: a binary search over the monotone first_block.
    const std::uint64_t total_blocks = static_cast<std::uint64_t>(parameter_sets_) * blocks_per_set_;
    auto start_of = [&](int r) -> std::uint64_t {
        if (r >= ranks) {
            return count();
        }
        // floor(total_blocks * r / ranks) without overflow
        const auto r64 = static_cast<std::uint64_t>(r);
        const auto n64 = static_cast<std::uint64_t>(ranks);
        const std::uint64_t target = total_blocks / n64 * r64 + total_blocks % n64 * r64 / n64;
        std::uint64_t low = 0;
        std::uint64_t high = count();
        while (low < high) {
            const std::uint64_t middle = low + (high - low) / 2;
            if (first_block(middle) < target) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    };
    return UnitRange{start_of(rank), start_of(rank + 1)};
}

ShareResult empty_share(const WorkUnits& units, UnitRange range, const LaunchGeometry& run_geometry)
{
    ShareResult share;
    share.units = range;
    share.counts_per_set = run_geometry.counts_per_set();
    if (range.size() > 0) {
        share.first_set = units.set_of(range.first);
        share.set_count = units.set_of(range.end - 1) - share.first_set + 1;
    }
    share.counts.assign(static_cast<std::size_t>(share.set_count) * share.counts_per_set, 0);
    return share;
}

namespace {

constexpr std::uint64_t kShareMagic = 0x32726168536c6353ull;  // "SclShar2"

class ByteWriter {
  public:
    template <class T>
    void put(const T& value)
    {
        const auto* p = reinterpret_cast<const char*>(&value);
        bytes.insert(bytes.end(), p, p + sizeof(T));
    }
    template <class T>
    void put_vector(const std::vector<T>& values)
    {
        put<std::uint64_t>(values.size());
        const auto* p = reinterpret_cast<const char*>(values.data());
        bytes.insert(bytes.end(), p, p + values.size() * sizeof(T));
    }
    std::vector<char> bytes;
};

class ByteReader {
  public:
    explicit ByteReader(const std::vector<char>& bytes) : bytes_(bytes) {}
    template <class T>
    T get()
    {
        T value{};
        take(&value, sizeof(T));
        return value;
    }
    template <class T>
    std::vector<T> get_vector()
    {
        const auto size = get<std::uint64_t>();
        if (size > (bytes_.size() - at_) / sizeof(T)) {
            throw std::runtime_error("share data truncated");
        }
        std::vector<T> values(size);
        take(values.data(), size * sizeof(T));
        return values;
    }
    bool at_end() const { return at_ == bytes_.size(); }

  private:
    void take(void* out, std::size_t size)
    {
        if (size > bytes_.size() - at_) {
            throw std::runtime_error("share data truncated");
        }
        std::copy_n(bytes_.data() + at_, size, static_cast<char*>(out));
        at_ += size;
    }
    const std::vector<char>& bytes_;
    std::size_t at_ = 0;
};

}  // namespace

std::vector<char> pack_share(const ShareResult& share)
{
    ByteWriter out;
    out.put(kShareMagic);
    out.put(share.units.first);
    out.put(share.units.end);
    out.put(share.units_done);
    out.put(share.first_set);
    out.put(share.set_count);
    out.put(share.counts_per_set);
    out.put(share.simulate_seconds);
    out.put(share.units_loaded);
    out.put_vector(share.counts);
    return std::move(out.bytes);
}

ShareResult unpack_share(const std::vector<char>& bytes)
{
    ByteReader in(bytes);
    if (in.get<std::uint64_t>() != kShareMagic) {
        throw std::runtime_error("share data malformed (bad magic number)");
    }
    ShareResult share;
    share.units.first = in.get<std::uint64_t>();
    share.units.end = in.get<std::uint64_t>();
    share.units_done = in.get<std::uint64_t>();
    share.first_set = in.get<std::uint32_t>();
    share.set_count = in.get<std::uint32_t>();
    share.counts_per_set = in.get<int>();
    share.simulate_seconds = in.get<double>();
    share.units_loaded = in.get<std::uint64_t>();
    share.counts = in.get_vector<std::uint64_t>();
    if (!in.at_end() || share.counts.size() != static_cast<std::size_t>(share.set_count) * share.counts_per_set) {
        throw std::runtime_error("share data malformed (sizes disagree)");
    }
    return share;
}

std::vector<std::uint64_t> merge_shares(const std::vector<ShareResult>& shares, const LaunchGeometry& run_geometry)
{
    const WorkUnits units(run_geometry);
    const int counts_per_set = run_geometry.counts_per_set();
    std::vector<std::uint64_t> counts(static_cast<std::size_t>(run_geometry.parameter_sets) * counts_per_set, 0);
    std::uint64_t expected_first = 0;
    for (std::size_t r = 0; r < shares.size(); ++r) {
        const ShareResult& share = shares[r];
        if (share.units.first != expected_first || !share.complete() || share.counts_per_set != counts_per_set ||
            share.first_set + static_cast<std::uint64_t>(share.set_count) > run_geometry.parameter_sets ||
            share.counts.size() != static_cast<std::size_t>(share.set_count) * counts_per_set) {
            throw std::logic_error(fmt::format("merge_shares: share {} (units {}..{}, {} done) does not continue at unit {} "
                                               "or is incomplete",
                                               r, share.units.first, share.units.end, share.units_done, expected_first));
        }
        expected_first = share.units.end;
        const std::uint64_t* partial = share.counts.data();
        std::uint64_t* total = counts.data() + static_cast<std::size_t>(share.first_set) * counts_per_set;
        for (std::size_t c = 0; c < share.counts.size(); ++c) {
            total[c] += partial[c];
        }
    }
    if (expected_first != units.count()) {
        throw std::logic_error(fmt::format("merge_shares: the shares end at unit {} of {}", expected_first, units.count()));
    }
    return counts;
}

}  // namespace scls
