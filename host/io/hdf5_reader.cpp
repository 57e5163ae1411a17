#include "host/io/hdf5_reader.hpp"

#include <fmt/format.h>

#include "host/scenario/scenario.hpp"

namespace scls {

namespace {
constexpr std::uint64_t kMaxReadValues = 1ull << 31;  // 16 GiB of doubles: beyond any results file
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

template <class T>
std::vector<T> Hdf5Reader::numbers(const std::string& dataset, const H5::PredType& type, std::vector<hsize_t>* dims) const
{
    try {
        H5::DataSet set = file_.openDataSet(dataset);
        H5::DataSpace space = set.getSpace();
        std::vector<hsize_t> shape(space.getSimpleExtentNdims());
        space.getSimpleExtentDims(shape.data());
        const auto points = static_cast<std::uint64_t>(space.getSimpleExtentNpoints());
        if (points > kMaxReadValues) {
            missing(dataset, fmt::format("it claims {} values, more than any sclsim file holds (the file is damaged)", points));
        }
        std::vector<T> values(points);
        set.read(values.data(), type);  // HDF5 converts the stored type
        if (dims) {
            *dims = shape;
        }
        return values;
    } catch (const H5::Exception& e) {
        missing(dataset, e.getDetailMsg());
    }
}

std::vector<double> Hdf5Reader::doubles(const std::string& dataset, std::vector<hsize_t>* dims) const
{
    return numbers<double>(dataset, H5::PredType::NATIVE_DOUBLE, dims);
}

std::vector<std::int64_t> Hdf5Reader::integers(const std::string& dataset) const
{
    return numbers<std::int64_t>(dataset, H5::PredType::NATIVE_INT64, nullptr);
}

std::vector<std::uint64_t> Hdf5Reader::unsigned_integers(const std::string& dataset) const
{
    return numbers<std::uint64_t>(dataset, H5::PredType::NATIVE_UINT64, nullptr);
}

std::vector<std::string> Hdf5Reader::strings(const std::string& dataset) const
{
    try {
        H5::DataSet set = file_.openDataSet(dataset);
        const auto count = static_cast<std::size_t>(set.getSpace().getSimpleExtentNpoints());
        if (count > kMaxReadValues) {
            missing(dataset, fmt::format("it claims {} strings, more than any sclsim file holds (the file is damaged)", count));
        }
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
