#include "host/io/hdf5_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace scls {

namespace {

void sync_to_disk(const std::filesystem::path& path)
{
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
        throw std::runtime_error(fmt::format("cannot open {} to flush it to disk: {}", path.string(), std::strerror(errno)));
    }
    const int status = ::fsync(descriptor);
    const int saved_errno = errno;
    ::close(descriptor);
    if (status != 0) {
        throw std::runtime_error(fmt::format("flushing {} to disk failed: {}", path.string(), std::strerror(saved_errno)));
    }
}

}  // namespace

void write_hdf5_atomically(const std::filesystem::path& path, const std::function<void(Hdf5Writer&)>& contents)
{
    H5::Exception::dontPrint();  // errors become exceptions with our own message, not HDF5's stack dump
    std::filesystem::path temporary = path;
    temporary += fmt::format(".partial-{}", ::getpid());
    try {
        {
            Hdf5Writer writer(temporary.string());
            contents(writer);
        }  // closed and flushed here
        // Durable before visible: the data reach the disk before the rename,
        // and the rename before we report success (a checkpoint must survive
        // a node crash, not only a killed process).
        sync_to_disk(temporary);
        std::filesystem::rename(temporary, path);
        sync_to_disk(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."));
    } catch (const H5::Exception& e) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw std::runtime_error(fmt::format("writing {} failed in {}: {}", path.string(), e.getFuncName(), e.getDetailMsg()));
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
}

}  // namespace scls
