// Typed, bounded reads of HDF5 files (see hdf5_reader.hpp).
#include "host/io/hdf5_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "host/scenario/scenario.hpp"

namespace scls {

namespace {

constexpr std::uint64_t kMaxReadValues = 1ull << 31;  // 16 GiB of doubles: beyond any results file
// Values any dataset may declare whatever it stores (8 MiB of doubles): small
// reads never need the storage bound below.
constexpr std::uint64_t kUnstoredValues = 1ull << 20;
// Deflate, the only compression h5py or h5repack would add, shrinks data by
// at most 1032:1 (zlib's technical notes); every value takes at least one
// stored byte before it.
constexpr std::uint64_t kMaxCompression = 1100;

std::string shape_text(const std::vector<hsize_t>& dims)
{
    std::vector<std::string> parts;
    for (hsize_t d : dims) {
        parts.push_back(d == Hdf5Reader::kAnyExtent ? "any" : std::to_string(d));
    }
    return fmt::format("[{}]", fmt::join(parts, ", "));
}

bool matches(const std::vector<hsize_t>& dims, const Hdf5Reader::Shape& expected)
{
    if (dims.size() != expected.size()) {
        return false;
    }
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (expected[i] != Hdf5Reader::kAnyExtent && dims[i] != expected[i]) {
            return false;
        }
    }
    return true;
}

// True when every filter of the dataset has a known bound on how much it
// shrinks data (deflate; shuffle and checksums do not shrink it).
bool compression_is_bounded(const H5::DataSet& set)
{
    const hid_t list = H5Dget_create_plist(set.getId());
    const int filters = H5Pget_nfilters(list);
    bool bounded = filters >= 0;
    for (int i = 0; bounded && i < filters; ++i) {
        unsigned flags = 0;
        std::size_t values = 0;
        const H5Z_filter_t filter = H5Pget_filter2(list, static_cast<unsigned>(i), &flags, &values, nullptr, 0, nullptr, nullptr);
        bounded = filter == H5Z_FILTER_DEFLATE || filter == H5Z_FILTER_SHUFFLE || filter == H5Z_FILTER_FLETCHER32;
    }
    H5Pclose(list);
    return bounded;
}

}  // namespace

void Hdf5Reader::missing(const std::string& object, const std::string& detail) const
{
    throw InputError({{path_.string(), object, 0, fmt::format("cannot be read ({}) — give {}", detail, expected_)}});
}

Hdf5Reader::Hdf5Reader(const std::filesystem::path& path, std::string expected) : path_(path), expected_(std::move(expected))
{
    H5::Exception::dontPrint();
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
        missing("", "no such file");
    }
    if (!std::filesystem::is_regular_file(path, error)) {
        missing("", "not a regular file");
    }
    try {
        file_.openFile(path.string(), H5F_ACC_RDONLY);
    } catch (const H5::Exception& e) {
        missing("", "not an HDF5 file, or unreadable");
    }
}

bool Hdf5Reader::has(const std::string& object) const
{
    // Every link on the way must exist before H5Lexists may ask about the next.
    std::string walked;
    for (std::size_t start = 1; start <= object.size();) {
        const std::size_t slash = object.find('/', start);
        walked = object.substr(0, slash);
        if (H5Lexists(file_.getId(), walked.c_str(), H5P_DEFAULT) <= 0) {
            return false;
        }
        if (slash == std::string::npos) {
            break;
        }
        start = slash + 1;
    }
    return true;
}

std::vector<hsize_t> Hdf5Reader::checked_extent(const H5::DataSet& set, const std::string& dataset, const Shape* expected) const
{
    H5::DataSpace space = set.getSpace();
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(space.getSimpleExtentNdims(), 0)));
    space.getSimpleExtentDims(dims.data());
    if (expected && !matches(dims, *expected)) {
        missing(dataset, fmt::format("it has shape {} where {} belongs: the file is damaged or was edited", shape_text(dims),
                                     shape_text(*expected)));
    }
    std::uint64_t values = 1;
    for (hsize_t d : dims) {
        if (d != 0 && values > kMaxReadValues / d) {
            missing(dataset, fmt::format("it claims shape {}, more values than any sclsim file holds (the file is damaged)",
                                         shape_text(dims)));
        }
        values *= d;
    }
    // A declared size the stored bytes cannot hold is a damaged or hostile
    // file, refused before the buffer for it is allocated.
    const std::uint64_t stored_bytes = H5Dget_storage_size(set.getId());
    if (values > kUnstoredValues && (!compression_is_bounded(set) || values / kMaxCompression > stored_bytes)) {
        missing(dataset, fmt::format("it claims shape {} ({} values) but the file stores {} bytes of them (the file is damaged)",
                                     shape_text(dims), values, stored_bytes));
    }
    return dims;
}

Hdf5Reader::Shape Hdf5Reader::check_shape(const std::string& dataset, const Shape& expected) const
{
    try {
        return checked_extent(file_.openDataSet(dataset), dataset, &expected);
    } catch (const H5::Exception& e) {
        missing(dataset, e.getDetailMsg());
    }
}

template <class T>
std::vector<T> Hdf5Reader::numbers(const std::string& dataset, const H5::PredType& type, const Shape* expected,
                                   std::vector<hsize_t>* dims) const
{
    try {
        H5::DataSet set = file_.openDataSet(dataset);
        const std::vector<hsize_t> shape = checked_extent(set, dataset, expected);
        std::vector<T> values(static_cast<std::size_t>(set.getSpace().getSimpleExtentNpoints()));
        set.read(values.data(), type);  // HDF5 converts the stored type
        if (dims) {
            *dims = shape;
        }
        return values;
    } catch (const H5::Exception& e) {
        missing(dataset, e.getDetailMsg());
    }
}

std::vector<double> Hdf5Reader::doubles(const std::string& dataset, const Shape& expected) const
{
    return numbers<double>(dataset, H5::PredType::NATIVE_DOUBLE, &expected, nullptr);
}

std::vector<std::int64_t> Hdf5Reader::integers(const std::string& dataset, const Shape& expected) const
{
    return numbers<std::int64_t>(dataset, H5::PredType::NATIVE_INT64, &expected, nullptr);
}

std::vector<std::string> Hdf5Reader::strings(const std::string& dataset, const Shape& expected) const
{
    return read_strings(dataset, &expected);
}

std::vector<double> Hdf5Reader::doubles(const std::string& dataset, std::vector<hsize_t>* dims) const
{
    return numbers<double>(dataset, H5::PredType::NATIVE_DOUBLE, nullptr, dims);
}

std::vector<std::int64_t> Hdf5Reader::integers(const std::string& dataset) const
{
    return numbers<std::int64_t>(dataset, H5::PredType::NATIVE_INT64, nullptr, nullptr);
}

std::vector<std::uint64_t> Hdf5Reader::unsigned_integers(const std::string& dataset) const
{
    return numbers<std::uint64_t>(dataset, H5::PredType::NATIVE_UINT64, nullptr, nullptr);
}

std::vector<std::string> Hdf5Reader::strings(const std::string& dataset) const
{
    return read_strings(dataset, nullptr);
}

std::vector<std::string> Hdf5Reader::read_strings(const std::string& dataset, const Shape* expected) const
{
    try {
        H5::DataSet set = file_.openDataSet(dataset);
        checked_extent(set, dataset, expected);
        const auto count = static_cast<std::size_t>(set.getSpace().getSimpleExtentNpoints());
        std::vector<char*> raw(count, nullptr);
        // Read in the file's character set: HDF5 has no conversion between
        // ASCII and UTF-8 strings.
        H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
        type.setCset(set.getStrType().getCset());
        set.read(raw.data(), type);
        std::vector<std::string> values;
        for (char* text : raw) {
            values.emplace_back(text ? text : "");
        }
        H5::DataSpace space = set.getSpace();
        H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, raw.data());
        return values;
    } catch (const H5::Exception& e) {
        missing(dataset, e.getDetailMsg());
    }
}

H5::Attribute Hdf5Reader::attribute(const std::string& object, const std::string& name) const
{
    const hid_t id = H5Aopen_by_name(file_.getId(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (id < 0) {
        missing(object + "@" + name, "no such attribute");
    }
    return H5::Attribute(id);
}

std::string Hdf5Reader::string_attribute(const std::string& object, const std::string& name) const
{
    try {
        H5::Attribute a = attribute(object, name);
        std::string value;
        a.read(a.getStrType(), value);
        return value;
    } catch (const H5::Exception& e) {
        missing(object + "@" + name, e.getDetailMsg());
    }
}

double Hdf5Reader::double_attribute(const std::string& object, const std::string& name) const
{
    try {
        double value = 0.0;
        attribute(object, name).read(H5::PredType::NATIVE_DOUBLE, &value);
        return value;
    } catch (const H5::Exception& e) {
        missing(object + "@" + name, e.getDetailMsg());
    }
}

std::uint64_t Hdf5Reader::unsigned_attribute(const std::string& object, const std::string& name) const
{
    try {
        std::uint64_t value = 0;
        attribute(object, name).read(H5::PredType::NATIVE_UINT64, &value);
        return value;
    } catch (const H5::Exception& e) {
        missing(object + "@" + name, e.getDetailMsg());
    }
}

}  // namespace scls
