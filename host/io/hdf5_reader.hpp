// Reading results files back (sclsim report, export, checkpoints): the few
// typed reads they need, each failing with the file and the object it wanted.
//
// A file may be damaged or hostile: a dataset's declared shape is checked
// before any buffer is allocated for it — against the shape the caller
// expects where it passes one, and always against what the file can hold (a
// declared size far beyond the bytes the file stores is refused), so a small
// file cannot make a read allocate gigabytes.
#pragma once

#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace scls {

class Hdf5Reader {
  public:
    // Throws InputError when the file cannot be opened as HDF5; expected
    // names what the file should be, for the remedy in every error.
    explicit Hdf5Reader(const std::filesystem::path& path,
                        std::string expected = "a results file written by sclsim run, psa or sweep");

    // The shape a read expects: the exact rank, and each dimension's length
    // or kAnyExtent for one the file decides (an axis's own length).
    using Shape = std::vector<hsize_t>;
    static constexpr hsize_t kAnyExtent = std::numeric_limits<hsize_t>::max();

    bool has(const std::string& object) const;  // a group or dataset at this absolute path

    // The dataset's shape; throws InputError unless it exists with exactly
    // the expected shape. Reads no values.
    Shape check_shape(const std::string& dataset, const Shape& expected) const;

    // Reads of a dataset that must have the expected shape (checked before
    // any allocation). Pass a named Shape: a bare {} would pick the
    // unchecked overload below.
    std::vector<double> doubles(const std::string& dataset, const Shape& expected) const;
    std::vector<std::int64_t> integers(const std::string& dataset, const Shape& expected) const;
    std::vector<std::string> strings(const std::string& dataset, const Shape& expected) const;

    // Reads of any shape (bounded only by what the file stores); dims, when
    // given, receives the shape.
    std::vector<double> doubles(const std::string& dataset, std::vector<hsize_t>* dims = nullptr) const;
    std::vector<std::int64_t> integers(const std::string& dataset) const;
    std::vector<std::uint64_t> unsigned_integers(const std::string& dataset) const;
    std::vector<std::string> strings(const std::string& dataset) const;
    std::string string_attribute(const std::string& object, const std::string& name) const;
    double double_attribute(const std::string& object, const std::string& name) const;
    std::uint64_t unsigned_attribute(const std::string& object, const std::string& name) const;

  private:
    template <class T>
    std::vector<T> numbers(const std::string& dataset, const H5::PredType& type, const Shape* expected, std::vector<hsize_t>* dims) const;
    std::vector<std::string> read_strings(const std::string& dataset, const Shape* expected) const;
    // The dataset's shape, refused unless it matches expected (when given)
    // and fits what the file stores.
    std::vector<hsize_t> checked_extent(const H5::DataSet& set, const std::string& dataset, const Shape* expected) const;
    H5::Attribute attribute(const std::string& object, const std::string& name) const;

    [[noreturn]] void missing(const std::string& object, const std::string& detail) const;

    std::filesystem::path path_;
    std::string expected_;
    H5::H5File file_;
};

}  // namespace scls
