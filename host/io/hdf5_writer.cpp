#include "host/io/hdf5_writer.hpp"

#include <unistd.h>

#include <system_error>

namespace scls {

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
        std::filesystem::rename(temporary, path);
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
