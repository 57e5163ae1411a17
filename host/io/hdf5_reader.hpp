// Reading results files back (sclsim report): the few typed reads the report
// needs, each failing with the file and the object it wanted.
#pragma once

#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace scls {

class Hdf5Reader {
  public:
    // Throws InputError when the file cannot be opened as HDF5; expected
    // names what the file should be, for the remedy in every error.
    explicit Hdf5Reader(const std::filesystem::path& path,
                        std::string expected = "a results file written by sclsim run, psa or sweep");

    bool has(const std::string& object) const;  // a group or dataset at this absolute path
    std::vector<double> doubles(const std::string& dataset, std::vector<hsize_t>* dims = nullptr) const;
    std::vector<std::int64_t> integers(const std::string& dataset) const;
    std::vector<std::uint64_t> unsigned_integers(const std::string& dataset) const;
    std::vector<std::string> strings(const std::string& dataset) const;
    std::string string_attribute(const std::string& object, const std::string& name) const;
    double double_attribute(const std::string& object, const std::string& name) const;
    std::uint64_t unsigned_attribute(const std::string& object, const std::string& name) const;

  private:
    template <class T>
    std::vector<T> numbers(const std::string& dataset, const H5::PredType& type, std::vector<hsize_t>* dims) const;
    H5::Attribute attribute(const std::string& object, const std::string& name) const;

    [[noreturn]] void missing(const std::string& object, const std::string& detail) const;

    std::filesystem::path path_;
    std::string expected_;
    H5::H5File file_;
};

}  // namespace scls
