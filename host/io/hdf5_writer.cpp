#include "host/io/hdf5_writer.hpp"

#include "host/io/files.hpp"

#include <optional>

namespace scls {

namespace {

constexpr std::size_t kCoreIncrementBytes = 4u << 20;  // the in-memory file grows in steps of this

H5::FileAccPropList in_memory_access()
{
    H5::FileAccPropList access;
    access.setCore(kCoreIncrementBytes, false);  // no backing store: the disk is ours to write
    return access;
}

}  // namespace

Hdf5Writer::Hdf5Writer(const std::string& name)
    : file_(name, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, in_memory_access())
{
}

std::string Hdf5Writer::image()
{
    file_.flush(H5F_SCOPE_GLOBAL);
    const ssize_t size = H5Fget_file_image(file_.getId(), nullptr, 0);
    if (size < 0) {
        throw H5::FileIException("H5Fget_file_image", "cannot take the image of the in-memory file");
    }
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (H5Fget_file_image(file_.getId(), bytes.data(), bytes.size()) != size) {
        throw H5::FileIException("H5Fget_file_image", "cannot copy the image of the in-memory file");
    }
    return bytes;
}

namespace {

struct ScaleSearch {
    hid_t file;
    const std::vector<std::pair<std::string, std::string>>* file_wide;
    std::vector<std::string> datasets;
};

herr_t collect_datasets(hid_t, const char* name, const H5O_info_t* info, void* data)
{
    if (info->type == H5O_TYPE_DATASET) {
        static_cast<ScaleSearch*>(data)->datasets.push_back(std::string("/") + name);
    }
    return 0;
}

bool exists(hid_t file, const std::string& path)
{
    std::string walked;
    for (std::size_t start = 1; start <= path.size();) {
        const std::size_t slash = path.find('/', start);
        walked = path.substr(0, slash);
        if (H5Lexists(file, walked.c_str(), H5P_DEFAULT) <= 0) {
            return false;
        }
        if (slash == std::string::npos) {
            return true;
        }
        start = slash + 1;
    }
    return true;
}

hsize_t length_of_1d(hid_t dataset)
{
    const hid_t space = H5Dget_space(dataset);
    hsize_t dims[1] = {0};
    const bool one_dimensional = H5Sget_simple_extent_ndims(space) == 1;
    if (one_dimensional) {
        H5Sget_simple_extent_dims(space, dims, nullptr);
    }
    H5Sclose(space);
    return one_dimensional ? dims[0] : 0;
}

// Whether the dataset at path is an axis `name` of the given length: one
// dimension, labelled `name` (a dataset of the same name along another axis,
// e.g. /cea/base/strategy along 'row', is not).
bool is_axis(H5::H5File& file, const std::string& path, const std::string& name, hsize_t length)
{
    H5::DataSet set = file.openDataSet(path);
    if (length_of_1d(set.getId()) != length || !set.attrExists("dimensions")) {
        return false;
    }
    H5::Attribute attribute = set.openAttribute("dimensions");
    std::string dimensions;
    attribute.read(attribute.getStrType(), dimensions);
    return dimensions == name;
}

// The scale for dimension `name` (of length `length`) of the dataset at `path`, if any.
std::optional<std::string> scale_for(H5::H5File& file, const ScaleSearch& search, const std::string& path, const std::string& name,
                                     hsize_t length)
{
    const std::string group = path.substr(0, path.rfind('/'));
    std::vector<std::string> candidates = {group + "/" + name, group + "/" + name + "_names", "/axes/" + name};
    for (const auto& [dimension, scale] : *search.file_wide) {
        if (dimension == name) {
            candidates.push_back(scale);
        }
    }
    // A variable of the same name in the group that is not this axis leaves
    // the dimension without a coordinate: netCDF readers would take that
    // variable for it.
    if (candidates.front() != path && exists(search.file, candidates.front()) && !is_axis(file, candidates.front(), name, length)) {
        return std::nullopt;
    }
    for (const std::string& candidate : candidates) {
        if (candidate != path && exists(search.file, candidate) && is_axis(file, candidate, name, length)) {
            return candidate;
        }
    }
    return std::nullopt;
}

}  // namespace

void Hdf5Writer::attach_dimension_scales(const std::vector<std::pair<std::string, std::string>>& file_wide)
{
    ScaleSearch search{file_.getId(), &file_wide, {}};
    H5Ovisit(file_.getId(), H5_INDEX_NAME, H5_ITER_INC, collect_datasets, &search);
    for (const std::string& path : search.datasets) {
        H5::DataSet set = file_.openDataSet(path);
        if (!set.attrExists("dimensions") || H5DSis_scale(set.getId()) > 0) {
            continue;
        }
        H5::Attribute attribute = set.openAttribute("dimensions");
        std::string names;
        attribute.read(attribute.getStrType(), names);
        H5::DataSpace space = set.getSpace();
        std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
        space.getSimpleExtentDims(dims.data());
        std::size_t start = 0;
        for (std::size_t i = 0; i < dims.size() && start <= names.size(); ++i) {
            const std::size_t comma = names.find(',', start);
            const std::string name = names.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            start = comma == std::string::npos ? names.size() + 1 : comma + 1;
            const std::optional<std::string> scale_path = scale_for(file_, search, path, name, dims[i]);
            if (!scale_path) {
                continue;
            }
            H5::DataSet scale = file_.openDataSet(*scale_path);
            if (H5DSis_scale(scale.getId()) <= 0) {
                H5DSset_scale(scale.getId(), name.c_str());
            }
            H5DSattach_scale(set.getId(), scale.getId(), static_cast<unsigned>(i));
            // netCDF and xarray look for a dimension's coordinate in the
            // variable's own group, under the dimension's name: a hard link
            // puts it there without copying it.
            const std::string local = path.substr(0, path.rfind('/')) + "/" + name;
            if (!exists(search.file, local)) {
                H5Lcreate_hard(search.file, scale_path->c_str(), search.file, local.c_str(), H5P_DEFAULT, H5P_DEFAULT);
            }
        }
    }
}

void write_hdf5_atomically(const std::filesystem::path& path, const std::function<void(Hdf5Writer&)>& contents)
{
    H5::Exception::dontPrint();  // errors become exceptions with our own message, not HDF5's stack dump
    std::string bytes;
    try {
        Hdf5Writer writer(path.string());
        contents(writer);
        bytes = writer.image();
    } catch (const H5::Exception& e) {
        throw std::runtime_error(fmt::format("writing {} failed in {}: {}", path.string(), e.getFuncName(), e.getDetailMsg()));
    }
    write_file_atomically(path, bytes);
}

}  // namespace scls
