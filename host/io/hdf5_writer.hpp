// A thin RAII writer over HDF5's C++ API: datasets with units, descriptions
// and dimension labels (h5py shows them as dset.dims[i].label), strings and
// attributes. The file is built in memory (HDF5's core driver) and written
// out by write_file_atomically: HDF5 never touches the disk itself, so a full
// disk or an I/O error is one clean error from one place, never a crash in
// HDF5's close path or a half-written file at the output path.
#pragma once

#include <H5Cpp.h>
#include <hdf5_hl.h>

#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace scls {

class Hdf5Writer {
  public:
    // name only labels the in-memory file (HDF5 needs one); nothing is written there.
    explicit Hdf5Writer(const std::string& name);

    // The complete file's bytes.
    std::string image();

    H5::Group group(const std::string& name) { return file_.createGroup(name); }
    H5::H5File& file() { return file_; }

    template <class T>
    void dataset(H5::Group& where, const std::string& name, const std::vector<hsize_t>& dims, const std::vector<T>& data,
                 const std::vector<std::string>& dimension_names, const std::string& units, const std::string& description)
    {
        hsize_t total = 1;
        for (hsize_t d : dims) {
            total *= d;
        }
        if (total != data.size() || dims.size() != dimension_names.size()) {
            throw std::logic_error(fmt::format("HDF5 dataset {}: shape and data disagree", name));
        }
        H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
        H5::DSetCreatPropList properties;
        if (total >= 4096) {
            std::vector<hsize_t> chunk(dims);
            for (std::size_t i = 0; i + 1 < chunk.size(); ++i) {
                chunk[i] = 1;  // one (set, strategy) row per chunk
            }
            properties.setChunk(static_cast<int>(chunk.size()), chunk.data());
            properties.setDeflate(4);
        }
        H5::DataSet set = where.createDataSet(name, type_of<T>(), space, properties);
        set.write(data.data(), type_of<T>());
        string_attribute(set, "units", units);
        string_attribute(set, "description", description);
        for (std::size_t i = 0; i < dimension_names.size(); ++i) {
            H5DSset_label(set.getId(), static_cast<unsigned>(i), dimension_names[i].c_str());
        }
        string_attribute(set, "dimensions", fmt::format("{}", fmt::join(dimension_names, ",")));
    }

    // A 1-D list of UTF-8 strings; its one dimension is labelled `dimension`
    // (default: the dataset's own name, as for the axes in /axes).
    void strings(H5::Group& where, const std::string& name, const std::vector<std::string>& values, const std::string& description,
                 std::string dimension = "")
    {
        std::vector<const char*> pointers;
        for (const auto& v : values) {
            pointers.push_back(v.c_str());
        }
        const hsize_t size = values.size();
        H5::DataSpace space(1, &size);
        H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
        type.setCset(H5T_CSET_UTF8);
        H5::DataSet set = where.createDataSet(name, type, space);
        if (!values.empty()) {
            set.write(pointers.data(), type);
        }
        string_attribute(set, "description", description);
        string_attribute(set, "units", "text");
        dimension = dimension.empty() ? name : dimension;
        H5DSset_label(set.getId(), 0, dimension.c_str());
        string_attribute(set, "dimensions", dimension);
    }

    // Attaches a dimension scale (a coordinate, as netCDF and xarray read
    // them) to every dimension of every dataset that has one of the same
    // length: a dataset named like the dimension in the same group (or with
    // "_names" after it), else /axes/<dimension>, else the file-wide ones
    // given (e.g. parameter_set -> /parameter_sets/label).
    void attach_dimension_scales(const std::vector<std::pair<std::string, std::string>>& file_wide);

    void text(H5::Group& where, const std::string& name, const std::string& value, const std::string& description)
    {
        H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
        type.setCset(H5T_CSET_UTF8);
        H5::DataSet set = where.createDataSet(name, type, H5::DataSpace(H5S_SCALAR));
        const char* pointer = value.c_str();
        set.write(&pointer, type);
        string_attribute(set, "description", description);
    }

    static void string_attribute(H5::H5Object& object, const std::string& name, const std::string& value)
    {
        H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
        type.setCset(H5T_CSET_UTF8);
        H5::Attribute attribute = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
        const char* pointer = value.c_str();
        attribute.write(type, &pointer);
    }

    template <class T>
    static void scalar_attribute(H5::H5Object& object, const std::string& name, T value)
    {
        H5::Attribute attribute = object.createAttribute(name, type_of<T>(), H5::DataSpace(H5S_SCALAR));
        attribute.write(type_of<T>(), &value);
    }

    template <class T>
    static const H5::PredType& type_of()
    {
        if constexpr (std::is_same_v<T, double>) {
            return H5::PredType::NATIVE_DOUBLE;
        } else if constexpr (std::is_same_v<T, std::uint64_t>) {
            return H5::PredType::NATIVE_UINT64;
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return H5::PredType::NATIVE_INT64;
        } else {
            static_assert(sizeof(T) == 0, "unsupported HDF5 element type");
        }
    }

  private:
    H5::H5File file_;
};


// Builds the file in memory with contents, then writes it to path with
// write_file_atomically (files.hpp): path holds the complete file or nothing
// new. HDF5 errors become std::runtime_error naming the path; write failures
// OutputError.
void write_hdf5_atomically(const std::filesystem::path& path, const std::function<void(Hdf5Writer&)>& contents);

}  // namespace scls
