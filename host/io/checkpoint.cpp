// Checkpoint segments (see checkpoint.hpp).
#include "host/io/checkpoint.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <map>

#include "host/io/hdf5_reader.hpp"
#include "host/io/hdf5_writer.hpp"
#include "host/psa/parameter_sets.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

namespace {

constexpr const char* kFormat = "sclsim checkpoint segment 2";
constexpr const char* kSegmentExpected =
    "a checkpoint segment written by sclsim — or start over with --restart, which deletes the checkpoint directory";

// 64-bit FNV-1a: a fingerprint to tell runs apart, not a cryptographic hash.
class Fingerprint {
  public:
    void add(const void* data, std::size_t bytes)
    {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < bytes; ++i) {
            state_ = (state_ ^ p[i]) * 0x100000001b3ull;
        }
    }
    void add(const std::string& text)
    {
        add(text.data(), text.size());
        add("\0", 1);  // so that ("ab","c") and ("a","bc") differ
    }
    std::string hex() const { return fmt::format("{:016x}", state_); }

  private:
    std::uint64_t state_ = 0xcbf29ce484222325ull;
};

// Segment file names: rank-RRRR-of-NNNN.seg-KKKKKK.h5.
struct SegmentName {
    int rank = 0;
    int ranks = 0;
    std::uint64_t index = 0;
};

std::string segment_file_name(int rank, int ranks, std::uint64_t index)
{
    return fmt::format("rank-{:04d}-of-{:04d}.seg-{:06d}.h5", rank, ranks, index);
}

std::optional<SegmentName> parse_segment_name(const std::string& name)
{
    SegmentName parsed;
    auto number = [&](std::size_t& at, std::size_t digits, auto& value) {
        if (at + digits > name.size()) {
            return false;
        }
        const auto [end, error] = std::from_chars(name.data() + at, name.data() + at + digits, value);
        at += digits;
        return error == std::errc() && end == name.data() + at;
    };
    auto literal = [&](std::size_t& at, const char* text) {
        const std::size_t n = std::strlen(text);
        if (name.compare(at, n, text) != 0) {
            return false;
        }
        at += n;
        return true;
    };
    std::size_t at = 0;
    if (literal(at, "rank-") && number(at, 4, parsed.rank) && literal(at, "-of-") && number(at, 4, parsed.ranks) &&
        literal(at, ".seg-") && number(at, 6, parsed.index) && literal(at, ".h5") && at == name.size()) {
        return parsed;
    }
    return std::nullopt;
}

// Every segment of the directory, ordered by (ranks, rank, index).
std::vector<std::pair<SegmentName, std::filesystem::path>> list_segments(const std::filesystem::path& directory)
{
    std::vector<std::pair<SegmentName, std::filesystem::path>> segments;
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) {
        return segments;
    }
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        if (const auto parsed = parse_segment_name(entry.path().filename().string())) {
            segments.emplace_back(*parsed, entry.path());
        }
    }
    std::sort(segments.begin(), segments.end(), [](const auto& a, const auto& b) {
        return std::tie(a.first.ranks, a.first.rank, a.first.index) < std::tie(b.first.ranks, b.first.rank, b.first.index);
    });
    return segments;
}

// The identity's numbers that a segment stores and a resume compares one by
// one (the rank count has a message of its own).
std::array<std::pair<const char*, std::uint64_t>, 7> geometry_attributes(const RunIdentity& identity)
{
    return {{{"seed", identity.seed},
             {"parameter_sets", identity.parameter_sets},
             {"patients_per_set", identity.patients_per_set},
             {"strategies", identity.strategies},
             {"months_in_grid", identity.months_in_grid},
             {"same_patients_every_set", identity.same_patients_every_set},
             {"blocks_per_unit", identity.blocks_per_unit}}};
}

[[noreturn]] void refuse(const std::filesystem::path& segment, const std::string& key, const std::string& message)
{
    throw InputError({{segment.string(), key, 0, message}});
}

// Throws when the segment was written by another run.
void check_identity(const Hdf5Reader& reader, const std::filesystem::path& segment, const RunIdentity& ours)
{
    const std::string directory = segment.parent_path().string();
    const std::string remedy = fmt::format("rerun the command that wrote it to resume, or start over with --restart (deletes {})", directory);
    if (reader.string_attribute("/", "format") != kFormat) {
        refuse(segment, "format", fmt::format("is \"{}\", not \"{}\" — {}", reader.string_attribute("/", "format"), kFormat, remedy));
    }
    const std::string version = reader.string_attribute("/", "sclsim_version");
    if (version != ours.sclsim_version) {
        refuse(segment, "sclsim_version",
               fmt::format("checkpoint written by sclsim {}, this is sclsim {} (another build may not give the same numbers) — resume "
                           "with that build, or start over with --restart (deletes {})",
                           version, ours.sclsim_version, directory));
    }
    for (const auto& [key, value] : geometry_attributes(ours)) {
        const std::uint64_t theirs = reader.unsigned_attribute("/", key);
        if (theirs != value) {
            refuse(segment, key, fmt::format("is {} in the checkpoint, {} in this run — {}", theirs, value, remedy));
        }
    }
    const std::uint64_t ranks = reader.unsigned_attribute("/", "ranks");
    if (ranks != ours.ranks) {
        refuse(segment, "ranks",
               fmt::format("checkpoint written by a run of {} process{}, this run has {} (a process's share of the work depends on the "
                           "count) — resume with {}, or start over with --restart (deletes {})",
                           ranks, ranks == 1 ? "" : "es", ours.ranks,
                           ranks == 1 ? std::string("no mpirun (or mpirun -np 1)") : fmt::format("mpirun -np {}", ranks), directory));
    }
    // Last: the specific differences above make clearer messages.
    const std::string digest = reader.string_attribute("/", "scenario_digest");
    if (digest != ours.scenario_digest) {
        refuse(segment, "scenario_digest",
               fmt::format("checkpoint of another scenario or parameter sets (fingerprint {} there, {} here: a parameter, --set, "
                           "draw count, sweep or life table differs) — {}",
                           digest, ours.scenario_digest, remedy));
    }
}

// A segment's file name must say what it holds: renamed segments would be
// counted by the inspection and then skipped by the ranks.
void check_name_matches(const Hdf5Reader& reader, const std::filesystem::path& segment, const SegmentName& name)
{
    const std::uint64_t rank = reader.unsigned_attribute("/", "rank");
    const std::uint64_t ranks = reader.unsigned_attribute("/", "ranks");
    const std::uint64_t index = reader.unsigned_attribute("/", "segment");
    if (rank != static_cast<std::uint64_t>(name.rank) || ranks != static_cast<std::uint64_t>(name.ranks) || index != name.index) {
        refuse(segment, "rank",
               fmt::format("holds segment {} of rank {} of {} but is named as segment {} of rank {} of {} (it was renamed or "
                           "copied) — start over with --restart (deletes the checkpoint)",
                           index, rank, ranks, name.index, name.rank, name.ranks));
    }
}

}  // namespace

RunIdentity run_identity(const Scenario& scenario, const ParameterSets& sets, const LaunchGeometry& run_geometry, int ranks,
                         const std::string& sclsim_version)
{
    Fingerprint fingerprint;
    fingerprint.add(scenario.effective_text);
    fingerprint.add(scenario.params.background_hazard, sizeof scenario.params.background_hazard);  // the life table's numbers
    fingerprint.add(std::to_string(static_cast<int>(sets.kind)));
    for (const auto& name : sets.column_names) {
        fingerprint.add(name);
    }
    fingerprint.add(sets.values.data(), sets.values.size() * sizeof(double));
    fingerprint.add(std::to_string(sets.size()));

    RunIdentity identity;
    identity.sclsim_version = sclsim_version;
    identity.scenario_digest = fingerprint.hex();
    identity.seed = run_geometry.seed;
    identity.parameter_sets = run_geometry.parameter_sets;
    identity.patients_per_set = run_geometry.patients_per_set;
    identity.strategies = static_cast<std::uint64_t>(run_geometry.strategies);
    identity.months_in_grid = static_cast<std::uint64_t>(run_geometry.layout.months_in_grid);
    identity.same_patients_every_set = run_geometry.same_patients_every_set ? 1 : 0;
    identity.ranks = static_cast<std::uint64_t>(ranks);
    return identity;
}

std::filesystem::path checkpoint_directory_for(const std::filesystem::path& output)
{
    std::filesystem::path directory = output;
    directory += ".checkpoint";
    return directory;
}

CheckpointSummary inspect_checkpoint(const std::filesystem::path& directory, const RunIdentity& identity)
{
    CheckpointSummary summary;
    std::map<int, std::uint64_t> latest_units_done;  // by rank: segments come in index order
    for (const auto& [name, path] : list_segments(directory)) {
        const Hdf5Reader reader(path, kSegmentExpected);
        check_identity(reader, path, identity);
        check_name_matches(reader, path, name);
        latest_units_done[name.rank] = reader.unsigned_attribute("/", "units_done");
        ++summary.segments;
    }
    summary.exists = summary.segments > 0;
    for (const auto& [rank, done] : latest_units_done) {
        summary.units_done += done;
    }
    return summary;
}

namespace {

// Whether a directory entry is one sclsim writes there: a segment, or the
// temporary of a segment being written.
bool is_checkpoint_entry(const std::string& name)
{
    const std::size_t partial = name.find(".partial-");
    return parse_segment_name(partial == std::string::npos ? name : name.substr(0, partial)).has_value();
}

}  // namespace

void check_checkpoint_path(const std::filesystem::path& directory)
{
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::file_status status = fs::symlink_status(directory, error);
    if (!fs::exists(status)) {
        return;
    }
    const std::string remedy = "move it away or choose another output path with -o";
    if (!fs::is_directory(status)) {
        throw InputError({{directory.string(), "", 0,
                           fmt::format("exists and is not a checkpoint directory (sclsim keeps a run's checkpoint there and deletes "
                                       "it afterwards) — {}",
                                       remedy)}});
    }
    for (const auto& entry : fs::directory_iterator(directory, error)) {
        if (!is_checkpoint_entry(entry.path().filename().string())) {
            throw InputError({{directory.string(), "", 0,
                               fmt::format("holds {}, which sclsim did not write (sclsim keeps a run's checkpoint in this directory "
                                           "and deletes it afterwards) — {}",
                                           entry.path().filename().string(), remedy)}});
        }
    }
}

void remove_checkpoint(const std::filesystem::path& directory)
{
    namespace fs = std::filesystem;
    std::error_code error;
    if (!fs::is_directory(directory, error)) {
        return;
    }
    for (const auto& entry : fs::directory_iterator(directory, error)) {
        if (is_checkpoint_entry(entry.path().filename().string()) && !fs::remove(entry.path(), error) && error) {
            throw std::runtime_error(fmt::format("cannot remove the checkpoint segment {}: {}", entry.path().string(), error.message()));
        }
    }
    fs::remove(directory, error);  // only when empty: anything else in it stays
}

ShareCheckpoint::ShareCheckpoint(std::filesystem::path directory, RunIdentity identity, int rank, const LaunchGeometry& run_geometry)
    : directory_(std::move(directory)), identity_(std::move(identity)), rank_(rank), run_geometry_(run_geometry), units_(run_geometry)
{
}

std::filesystem::path ShareCheckpoint::segment_path(std::uint64_t index) const
{
    return directory_ / segment_file_name(rank_, static_cast<int>(identity_.ranks), index);
}

std::optional<ShareResult> ShareCheckpoint::load(UnitRange range)
{
    std::optional<ShareResult> share;
    for (const auto& [name, path] : list_segments(directory_)) {
        if (name.rank != rank_ || name.ranks != static_cast<int>(identity_.ranks)) {
            continue;
        }
        if (name.index != next_segment_) {
            refuse(path, "segment", fmt::format("follows segment {} of rank {} (segment {} is missing: the checkpoint was altered) — "
                                                "start over with --restart (deletes {})",
                                                next_segment_ == 0 ? std::string("none") : std::to_string(next_segment_ - 1), rank_,
                                                next_segment_, directory_.string()));
        }
        const Hdf5Reader reader(path, kSegmentExpected);
        check_identity(reader, path, identity_);
        check_name_matches(reader, path, name);
        if (reader.unsigned_attribute("/", "unit_first") != range.first || reader.unsigned_attribute("/", "unit_end") != range.end) {
            refuse(path, "unit_first", fmt::format("covers units {}..{}, this share is {}..{} — start over with --restart",
                                                   reader.unsigned_attribute("/", "unit_first"),
                                                   reader.unsigned_attribute("/", "unit_end"), range.first, range.end));
        }
        if (!share) {
            share = empty_share(units_, range, run_geometry_);
        }
        const std::uint64_t first_row = reader.unsigned_attribute("/", "first_row");
        const std::uint64_t rows = reader.unsigned_attribute("/", "rows");
        const std::vector<std::uint64_t> counts = reader.unsigned_integers("/counts");
        if (first_row + rows > share->set_count || counts.size() != rows * share->counts_per_set) {
            refuse(path, "rows", "does not fit this share's sets (the checkpoint is damaged) — start over with --restart");
        }
        std::copy(counts.begin(), counts.end(), share->counts.begin() + first_row * share->counts_per_set);
        share->units_done = reader.unsigned_attribute("/", "units_done");
        if (share->units_done > range.size()) {
            refuse(path, "units_done", "is more than the share holds (the checkpoint is damaged) — start over with --restart");
        }
        ++next_segment_;
    }
    if (share) {
        saved_units_done_ = share->units_done;
        share->units_loaded = share->units_done;
    }
    return share;
}

void ShareCheckpoint::save(const ShareResult& share)
{
    if (share.units_done == saved_units_done_) {
        return;  // nothing finished since the last segment
    }
    // Rows from the set that held the next unit at the last save (it may
    // have been part-done then) to the set of the last unit done now.
    const std::uint64_t first_row = units_.set_of(share.units.first + saved_units_done_) - share.first_set;
    const std::uint64_t last_row = units_.set_of(share.next_unit() - 1) - share.first_set;
    const std::uint64_t rows = last_row - first_row + 1;
    std::vector<std::uint64_t> counts(share.counts.begin() + first_row * share.counts_per_set,
                                      share.counts.begin() + (last_row + 1) * share.counts_per_set);

    std::filesystem::create_directories(directory_);
    write_hdf5_atomically(segment_path(next_segment_), [&](Hdf5Writer& writer) {
        using W = Hdf5Writer;
        H5::Group root = writer.file().openGroup("/");
        W::string_attribute(root, "format", kFormat);
        W::string_attribute(root, "sclsim_version", identity_.sclsim_version);
        W::string_attribute(root, "scenario_digest", identity_.scenario_digest);
        for (const auto& [key, value] : geometry_attributes(identity_)) {
            W::scalar_attribute<std::uint64_t>(root, key, value);
        }
        const std::pair<const char*, std::uint64_t> numbers[] = {
            {"ranks", identity_.ranks},
            {"rank", static_cast<std::uint64_t>(rank_)},
            {"segment", next_segment_},
            {"unit_first", share.units.first},
            {"unit_end", share.units.end},
            {"units_done", share.units_done},
            {"first_row", first_row},
            {"rows", rows},
        };
        for (const auto& [key, value] : numbers) {
            W::scalar_attribute<std::uint64_t>(root, key, value);
        }
        writer.dataset(root, "counts", {rows, static_cast<hsize_t>(share.counts_per_set)}, counts, {"set", "count"}, "1",
                       "per set (rows first_row.. of the share): integer tallies of the units done, moment limbs included");
    });
    ++next_segment_;
    saved_units_done_ = share.units_done;
}

}  // namespace scls
