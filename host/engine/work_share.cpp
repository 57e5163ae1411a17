// Work units, shares and their ordered merge (see work_share.hpp).
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
    share.moments_per_set = run_geometry.moments_per_block();
    share.counts_per_set = run_geometry.counts_per_set();
    if (range.size() > 0) {
        share.first_set = units.set_of(range.first);
        share.set_count = units.set_of(range.end - 1) - share.first_set + 1;
        share.joins_mid_set = units.index_in_set(range.first) != 0;
    }
    share.set_moments.assign(static_cast<std::size_t>(share.set_count) * share.moments_per_set, 0.0);
    share.counts.assign(static_cast<std::size_t>(share.set_count) * share.counts_per_set, 0);
    return share;
}

void add_unit_moments(ShareResult& share, const WorkUnits& units, const double* unit_moments)
{
    if (share.complete()) {
        throw std::logic_error("add_unit_moments: the share is already complete");
    }
    const std::uint64_t unit = share.next_unit();
    const std::uint32_t local_set = units.set_of(unit) - share.first_set;
    if (local_set == 0 && share.joins_mid_set) {
        share.joined_unit_moments.insert(share.joined_unit_moments.end(), unit_moments, unit_moments + share.moments_per_set);
    } else {
        double* total = share.set_moments.data() + static_cast<std::size_t>(local_set) * share.moments_per_set;
        for (int m = 0; m < share.moments_per_set; ++m) {
            total[m] += unit_moments[m];
        }
    }
    ++share.units_done;
}

namespace {

constexpr std::uint64_t kShareMagic = 0x31726168536c6353ull;  // "SclShar1"

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
    out.put<std::uint8_t>(share.joins_mid_set ? 1 : 0);
    out.put(share.moments_per_set);
    out.put(share.counts_per_set);
    out.put(share.simulate_seconds);
    out.put(share.units_loaded);
    out.put_vector(share.set_moments);
    out.put_vector(share.joined_unit_moments);
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
    share.joins_mid_set = in.get<std::uint8_t>() != 0;
    share.moments_per_set = in.get<int>();
    share.counts_per_set = in.get<int>();
    share.simulate_seconds = in.get<double>();
    share.units_loaded = in.get<std::uint64_t>();
    share.set_moments = in.get_vector<double>();
    share.joined_unit_moments = in.get_vector<double>();
    share.counts = in.get_vector<std::uint64_t>();
    if (!in.at_end() || share.set_moments.size() != static_cast<std::size_t>(share.set_count) * share.moments_per_set ||
        share.counts.size() != static_cast<std::size_t>(share.set_count) * share.counts_per_set) {
        throw std::runtime_error("share data malformed (sizes disagree)");
    }
    return share;
}

void merge_shares(const std::vector<ShareResult>& shares, const LaunchGeometry& run_geometry, std::vector<double>& moments,
                  std::vector<std::uint64_t>& counts)
{
    const WorkUnits units(run_geometry);
    const int moments_per_set = run_geometry.moments_per_block();
    const int counts_per_set = run_geometry.counts_per_set();
    moments.assign(static_cast<std::size_t>(run_geometry.parameter_sets) * moments_per_set, 0.0);
    counts.assign(static_cast<std::size_t>(run_geometry.parameter_sets) * counts_per_set, 0);

    std::uint64_t expected_first = 0;
    for (std::size_t r = 0; r < shares.size(); ++r) {
        const ShareResult& share = shares[r];
        if (share.units.first != expected_first || !share.complete() || share.moments_per_set != moments_per_set ||
            share.counts_per_set != counts_per_set) {
            throw std::logic_error(fmt::format("merge_shares: share {} (units {}..{}, {} done) does not continue at unit {} "
                                               "or is incomplete",
                                               r, share.units.first, share.units.end, share.units_done, expected_first));
        }
        expected_first = share.units.end;
        for (std::uint32_t local = 0; local < share.set_count; ++local) {
            double* total = moments.data() + static_cast<std::size_t>(share.first_set + local) * moments_per_set;
            if (local == 0 && share.joins_mid_set) {
                // Continue the fold the previous share began, one unit at a time.
                const std::size_t joined = share.joined_unit_moments.size() / moments_per_set;
                for (std::size_t u = 0; u < joined; ++u) {
                    const double* unit = share.joined_unit_moments.data() + u * moments_per_set;
                    for (int m = 0; m < moments_per_set; ++m) {
                        total[m] += unit[m];
                    }
                }
            } else {
                // The share began this set: its fold is the set's fold so far.
                std::copy_n(share.set_moments.data() + static_cast<std::size_t>(local) * moments_per_set, moments_per_set, total);
            }
            const std::uint64_t* partial = share.counts.data() + static_cast<std::size_t>(local) * counts_per_set;
            std::uint64_t* count_total = counts.data() + static_cast<std::size_t>(share.first_set + local) * counts_per_set;
            for (int c = 0; c < counts_per_set; ++c) {
                count_total[c] += partial[c];
            }
        }
    }
    if (expected_first != units.count()) {
        throw std::logic_error(fmt::format("merge_shares: the shares end at unit {} of {}", expected_first, units.count()));
    }
}

}  // namespace scls
