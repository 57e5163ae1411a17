#include "host/io/hdf5_writer.hpp"

#include "host/io/files.hpp"

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
