// Bounded input reads and failure-atomic output writes (see files.hpp).
#include "host/io/files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>

#include "host/scenario/input_error.hpp"

namespace scls {

namespace {

constexpr std::size_t kWriteChunkBytes = 1u << 20;

std::string host_name()
{
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return name;
}

[[noreturn]] void refuse_input(const std::filesystem::path& path, const std::string& message)
{
    throw InputError({{path.string(), "", 0, message}});
}

// Closes a descriptor exactly once, reporting close's own error (NFS and
// full disks may only say so at close).
class Descriptor {
  public:
    explicit Descriptor(int fd) : fd_(fd) {}
    ~Descriptor()
    {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const { return fd_; }
    int close()
    {
        const int status = ::close(fd_);
        fd_ = -1;
        return status;
    }

  private:
    int fd_;
};

// Writes everything or returns the errno of the failure.
int write_all(int fd, std::string_view bytes)
{
    while (!bytes.empty()) {
        int injected = 0;
        if (injected_write_failure(injected)) {
            return injected;
        }
        const std::size_t chunk = std::min(bytes.size(), kWriteChunkBytes);
        const ssize_t written = ::write(fd, bytes.data(), chunk);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return 0;
}

void sync_directory(const std::filesystem::path& directory)
{
    // Best effort: some file systems cannot sync a directory; the file itself
    // is already durable and in place.
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

std::string read_input_file(const std::filesystem::path& path, std::string_view what, std::uintmax_t max_bytes)
{
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (!fs::exists(status)) {
        refuse_input(path, fmt::format("cannot read the {} (no such file) — check the path", what));
    }
    if (fs::is_directory(status)) {
        refuse_input(path, fmt::format("is a directory (the {} is one file) — give the file's path", what));
    }
    if (!fs::is_regular_file(status)) {
        refuse_input(path, fmt::format("is not a regular file (a device, pipe or socket cannot be the {}) — give a file", what));
    }
    const std::uintmax_t size = fs::file_size(path, error);
    if (error || size > max_bytes) {
        refuse_input(path, fmt::format("is {} MiB (an input may have at most {} MiB; this cannot be a {}) — check the path",
                                       error ? 0 : size >> 20, max_bytes >> 20, what));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        refuse_input(path, fmt::format("cannot read the {} ({}) — check its permissions", what, std::strerror(errno)));
    }
    // Read at most one byte past the limit: the file may grow while we read.
    std::string text(static_cast<std::size_t>(std::min(size, max_bytes) + 1), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) {
        refuse_input(path, fmt::format("cannot read the {} (read error) — check the file", what));
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
        refuse_input(path, fmt::format("grew beyond {} MiB while being read — give a file that is not being written", max_bytes >> 20));
    }
    return text;
}

std::filesystem::path partial_path_for(const std::filesystem::path& path)
{
    std::filesystem::path temporary = path;
    temporary += fmt::format(".partial-{}-{}", host_name(), ::getpid());
    return temporary;
}

void remove_stale_partials(const std::filesystem::path& path)
{
    namespace fs = std::filesystem;
    const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const std::string prefix = path.filename().string() + ".partial-";
    const std::string our_host = host_name();
    std::error_code error;
    for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
            continue;
        }
        // <host>-<pid> (host names may hold '-'); earlier versions wrote <pid> alone.
        const std::string owner = name.substr(prefix.size());
        const std::size_t dash = owner.rfind('-');
        const std::string host = dash == std::string::npos ? our_host : owner.substr(0, dash);
        const std::string pid_text = dash == std::string::npos ? owner : owner.substr(dash + 1);
        long pid = 0;
        const auto [end_of_number, parse_error] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
        if (parse_error != std::errc() || end_of_number != pid_text.data() + pid_text.size() || pid <= 0 || host != our_host) {
            continue;
        }
        if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
            std::error_code ignored;
            fs::remove(it->path(), ignored);
        }
    }
}

bool injected_write_failure(int& error_number)
{
    static const auto plan = [] {
        struct Plan {
            long at = 0;
            int error = ENOSPC;
        } plan;
        if (const char* setting = std::getenv("SCLS_TEST_FAIL_WRITE")) {
            plan.at = std::strtol(setting, nullptr, 10);
            if (std::strstr(setting, ":EIO")) {
                plan.error = EIO;
            }
        }
        return plan;
    }();
    static std::atomic<long> writes{0};
    if (plan.at <= 0 || ++writes != plan.at) {
        return false;
    }
    error_number = plan.error;
    return true;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes)
{
    remove_stale_partials(path);
    const std::filesystem::path temporary = partial_path_for(path);
    auto fail = [&](const char* step, int error_number) {
        ::unlink(temporary.c_str());
        throw OutputError(fmt::format("writing {} failed: {} (while {} {})", path.string(), std::strerror(error_number), step,
                                      temporary.filename().string()));
    };
    Descriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (file.get() < 0) {
        const int error_number = errno;
        throw OutputError(fmt::format("writing {} failed: {} (while creating {})", path.string(), std::strerror(error_number),
                                      temporary.string()));
    }
    if (const int error_number = write_all(file.get(), bytes)) {
        fail("writing", error_number);
    }
    // Durable before visible: the data reach the disk before the rename, so a
    // crash never leaves a renamed file with missing contents.
    if (::fsync(file.get()) != 0) {
        fail("flushing", errno);
    }
    if (file.close() != 0) {
        fail("closing", errno);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        fail("renaming", errno);
    }
    sync_directory(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."));
}

}  // namespace scls
