// Bounded input reads and failure-atomic output writes (see files.hpp).
#include "host/io/files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <mutex>
#include <set>

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

// Sizes for people: bytes, KiB or MiB with one decimal ("17.0 MiB").
std::string size_text(std::uintmax_t bytes)
{
    if (bytes < 1024) {
        return fmt::format("{} bytes", bytes);
    }
    if (bytes < (1u << 20)) {
        return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
    }
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / static_cast<double>(1u << 20));
}

std::string open_failure(int error_number, std::string_view what)
{
    switch (error_number) {
        case ENOENT:
        case ENOTDIR:
            return fmt::format("does not exist (no such file; it should be the {}) — check the path", what);
        case EACCES:
        case EPERM:
            return fmt::format("is not readable (permission denied) — check the permissions of the file and of its directories "
                               "(ls -l), or give a copy you can read");
        default:
            return fmt::format("cannot be read as the {} ({}) — check the path and the file", what, std::strerror(error_number));
    }
}

// Reads until the end of the file, never more than max_bytes + 1: the size
// fstat gave may be wrong (/proc) or the file may grow while it is read.
std::string read_to_end(int fd, const std::filesystem::path& path, std::string_view what, std::uintmax_t max_bytes)
{
    std::string text;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            refuse_input(path, fmt::format("cannot read the {} ({}) — check the file", what, std::strerror(errno)));
        }
        if (got == 0) {
            return text;
        }
        if (text.size() + static_cast<std::size_t>(got) > max_bytes) {
            refuse_input(path, fmt::format("grew beyond the {} limit for an input while being read (it is being written, or is "
                                           "not a {}) — give a file that is complete",
                                           size_text(max_bytes), what));
        }
        text.append(buffer, static_cast<std::size_t>(got));
    }
}

// "out/", "out/." and "out" name one directory; its temporary sibling must be
// "out.partial-...", never a name inside it.
std::filesystem::path without_trailing_separator(const std::filesystem::path& path)
{
    std::filesystem::path result = path;
    if (result.filename() == "." || result.filename() == "..") {
        result = std::filesystem::absolute(result).lexically_normal();
    }
    while (!result.has_filename() && result.has_relative_path()) {
        result = result.parent_path();
    }
    return result;
}

// What a device, FIFO or socket is, for messages ("a character device");
// null for anything else. An output's rename must not replace such a file.
const char* special_file_kind(mode_t mode)
{
    return S_ISCHR(mode)    ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISSOCK(mode) ? "a socket"
                            : nullptr;
}

// What the system's reason for a failed write asks the user to do.
std::string write_failure_remedy(int error_number, const std::filesystem::path& relative_directory)
{
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(relative_directory, error).lexically_normal();
    const std::filesystem::path directory = error ? relative_directory : without_trailing_separator(absolute);
    switch (error_number) {
        case ENOSPC:
            return fmt::format(" — free space on the disk holding {}, or choose another path", directory.string());
        case EDQUOT:
            return fmt::format(" — free space within your quota on the disk holding {} (or ask for a larger quota), or choose "
                               "another path",
                               directory.string());
        case EACCES:
        case EPERM:
            return fmt::format(" — check the permissions of directory {} (ls -ld), or choose another path", directory.string());
        case EROFS:
            return fmt::format(" — the file system holding {} is read-only; choose another path", directory.string());
        default:
            return "";  // the system's own words (above) are all that is known
    }
}

std::string write_failure(const std::filesystem::path& path, int error_number, const char* step, const std::filesystem::path& temporary,
                          const std::filesystem::path& directory)
{
    return fmt::format("writing {} failed: {} (while {} {}){}", path.string(), std::strerror(error_number), step,
                       temporary.filename().string(), write_failure_remedy(error_number, directory));
}

// The error SCLS_TEST_FAIL_WRITE=N[:NAME] asks for.
int injected_error_number(const std::string& setting)
{
    const std::size_t colon = setting.find(':');
    if (colon == std::string::npos) {
        return ENOSPC;
    }
    const std::string name = setting.substr(colon + 1);
    for (const auto& [known, number] : {std::pair{"ENOSPC", ENOSPC}, std::pair{"EDQUOT", EDQUOT}, std::pair{"EIO", EIO},
                                        std::pair{"EACCES", EACCES}, std::pair{"EPERM", EPERM}, std::pair{"EROFS", EROFS}}) {
        if (name == known) {
            return number;
        }
    }
    std::fprintf(stderr, "SCLS_TEST_FAIL_WRITE=%s: unknown error name (use ENOSPC, EDQUOT, EIO, EACCES, EPERM or EROFS)\n",
                 setting.c_str());
    std::abort();
}

// Renames staging to target when target does not exist; false when it does
// (then its files are replaced one by one).
bool move_directory_into_place(const std::filesystem::path& staging, const std::filesystem::path& target)
{
    std::error_code error;
    if (std::filesystem::exists(std::filesystem::symlink_status(target, error))) {
        return false;
    }
    const std::filesystem::path parent = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    if (::rename(staging.c_str(), target.c_str()) == 0) {
        sync_directory(parent);
        return true;
    }
    const int error_number = errno;
    if (error_number == EEXIST || error_number == ENOTEMPTY) {
        return false;  // made by someone else since we looked
    }
    throw OutputError(write_failure(target, error_number, "renaming", staging, parent));
}

// Hard links (copies where links are not supported) in backup of the regular
// files of target named in known_names: what undoing a change restores.
// Returns their names. Changes nothing in target.
std::set<std::string> keep_previous(const std::filesystem::path& target, const std::filesystem::path& backup,
                                    const std::vector<std::string>& known_names)
{
    namespace fs = std::filesystem;
    if (::mkdir(backup.c_str(), 0700) != 0) {
        throw OutputError(write_failure(target, errno, "creating", backup, backup.parent_path()));
    }
    std::set<std::string> kept;
    for (const std::string& name : known_names) {
        std::error_code error;
        if (!fs::is_regular_file(fs::symlink_status(target / name, error))) {
            continue;  // absent, or not ours (a directory, a link): never touched
        }
        if (::link((target / name).c_str(), (backup / name).c_str()) != 0 && !fs::copy_file(target / name, backup / name, error)) {
            throw OutputError(write_failure(target / name, error.value(), "keeping a copy of", backup / name, backup.parent_path()));
        }
        kept.insert(name);
    }
    return kept;
}

// Moves the staged files into the existing target and removes the known
// names the new set lacks; on a failure undoes what it did, in reverse.
void replace_in_directory(const std::filesystem::path& staging, const std::filesystem::path& target, const NamedFiles& files,
                          const std::vector<std::string>& known_names)
{
    const std::filesystem::path backup = staging / ".previous";
    const std::set<std::string> previous = keep_previous(target, backup, known_names);
    std::set<std::string> staged;
    std::vector<std::string> done;  // names changed in target, in order
    auto undo_and_fail = [&](const std::string& name, const char* step, int error_number) {
        for (auto it = done.rbegin(); it != done.rend(); ++it) {
            const std::filesystem::path place = target / *it;
            if (previous.count(*it)) {
                ::rename((backup / *it).c_str(), place.c_str());
            } else {
                ::unlink(place.c_str());
            }
        }
        throw OutputError(write_failure(target / name, error_number, step, staging / name, target));
    };
    for (const auto& [name, bytes] : files) {
        staged.insert(name);
        if (::rename((staging / name).c_str(), (target / name).c_str()) != 0) {
            undo_and_fail(name, "moving", errno);
        }
        done.push_back(name);
    }
    for (const std::string& name : previous) {
        if (!staged.count(name)) {
            if (::unlink((target / name).c_str()) != 0) {
                undo_and_fail(name, "removing the earlier", errno);
            }
            done.push_back(name);
        }
    }
    sync_directory(target);
}

// write_file_atomically's work, its messages naming shown_path and
// shown_directory (the staging of a directory shows the final names).
void write_file(const std::filesystem::path& destination, std::string_view bytes, const std::filesystem::path& shown_path,
                const std::filesystem::path& shown_directory)
{
    const std::filesystem::path directory = destination.has_parent_path() ? destination.parent_path() : std::filesystem::path(".");
    remove_stale_partials(destination);
    const std::filesystem::path temporary = partial_path_for(destination);
    auto fail = [&](const char* step, int error_number) {
        ::unlink(temporary.c_str());
        throw OutputError(write_failure(shown_path, error_number, step, temporary, shown_directory));
    };
    Descriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (file.get() < 0) {
        const int error_number = errno;
        throw OutputError(write_failure(shown_path, error_number, "creating", temporary, shown_directory));
    }
    // A replaced file keeps its permission bits (a results file made private
    // stays private); a new one gets the umask's.
    struct stat old {};
    if (::stat(destination.c_str(), &old) == 0 && S_ISREG(old.st_mode) && ::fchmod(file.get(), old.st_mode & 07777) != 0) {
        fail("setting the permissions of", errno);
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
    // The rename would replace a device, FIFO or socket (as root, /dev/null
    // itself) with a regular file. check_output_writable refuses such a path
    // before any work; this refuses one that appeared since, up to the small
    // window before the rename (rename(2) cannot be told to replace only
    // regular files).
    struct stat existing {};
    if (::stat(destination.c_str(), &existing) == 0 && special_file_kind(existing.st_mode) != nullptr) {
        ::unlink(temporary.c_str());
        throw OutputError(fmt::format("writing {} failed: it is {}, not a regular file (writing would replace it with one) — "
                                      "remove it or move it away and run the same command again, or choose another path",
                                      shown_path.string(), special_file_kind(existing.st_mode)));
    }
    if (::rename(temporary.c_str(), destination.c_str()) != 0) {
        fail("renaming", errno);
    }
    sync_directory(directory);
}

}  // namespace

std::string read_input_file(const std::filesystem::path& path, std::string_view what, std::uintmax_t max_bytes)
{
    // Open first, then examine the descriptor: a name checked and then opened
    // may have been replaced in between. O_NONBLOCK: opening a FIFO must not
    // wait for a writer (it is refused below anyway).
    Descriptor file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (file.get() < 0) {
        refuse_input(path, open_failure(errno, what));
    }
    struct stat info {};
    if (::fstat(file.get(), &info) != 0) {
        refuse_input(path, fmt::format("cannot read the {} ({}) — check the file", what, std::strerror(errno)));
    }
    if (S_ISDIR(info.st_mode)) {
        refuse_input(path, fmt::format("is a directory (the {} is one file) — give the file's path", what));
    }
    if (!S_ISREG(info.st_mode)) {
        refuse_input(path, fmt::format("is not a regular file (a device, pipe or socket cannot be the {}) — give a file", what));
    }
    const auto stated_bytes = static_cast<std::uintmax_t>(info.st_size);
    if (stated_bytes > max_bytes) {
        refuse_input(path, fmt::format("is {}, over the {} limit for an input (this cannot be a {}) — check the path",
                                       size_text(stated_bytes), size_text(max_bytes), what));
    }
    return read_to_end(file.get(), path, what, max_bytes);
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
            // A directory by this name is the staging directory of a killed export.
            if (fs::is_directory(fs::symlink_status(it->path(), ignored))) {
                fs::remove_all(it->path(), ignored);
            } else {
                fs::remove(it->path(), ignored);
            }
        }
    }
}

bool injected_write_failure(int& error_number)
{
    // Read at every write so that a test may change it between writes; the
    // count starts again whenever it changes.
    static std::mutex mutex;
    static std::string setting_seen;
    static long writes = 0;
    const char* value = std::getenv("SCLS_TEST_FAIL_WRITE");
    const std::string setting = value ? value : "";
    const std::lock_guard lock(mutex);
    if (setting != setting_seen) {
        setting_seen = setting;
        writes = 0;
    }
    const long at = std::strtol(setting.c_str(), nullptr, 10);
    if (at <= 0 || ++writes != at) {
        return false;
    }
    error_number = injected_error_number(setting);
    return true;
}

std::filesystem::path resolve_output_path(const std::filesystem::path& path)
{
    namespace fs = std::filesystem;
    fs::path resolved = path;
    // 40: the kernel's own limit on links followed in one lookup (ELOOP).
    for (int links = 0; links < 40; ++links) {
        std::error_code error;
        if (!fs::is_symlink(fs::symlink_status(resolved, error))) {
            return resolved;
        }
        const fs::path target = fs::read_symlink(resolved, error);
        if (error) {
            return resolved;
        }
        // Not normalised: "dir/../x" through a linked dir means what the kernel says.
        resolved = target.is_absolute() ? target : resolved.parent_path() / target;
    }
    return resolved;  // a loop: the write fails with ELOOP and says so
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes)
{
    // Through a symbolic link its target is replaced, and the link stays.
    const std::filesystem::path destination = resolve_output_path(path);
    write_file(destination, bytes, path, destination.has_parent_path() ? destination.parent_path() : std::filesystem::path("."));
}

void write_directory_atomically(const std::filesystem::path& directory, const NamedFiles& files,
                                const std::vector<std::string>& known_names)
{
    namespace fs = std::filesystem;
    const fs::path target = without_trailing_separator(directory);
    remove_stale_partials(target);
    const fs::path staging = partial_path_for(target);
    std::error_code error;
    fs::remove_all(staging, error);
    if (::mkdir(staging.c_str(), 0777) != 0) {
        const int error_number = errno;
        throw OutputError(write_failure(directory, error_number, "creating", staging, staging.parent_path()));
    }
    try {
        const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
        for (const auto& [name, bytes] : files) {
            write_file(staging / name, bytes, target / name, parent);
        }
        if (!move_directory_into_place(staging, target)) {
            replace_in_directory(staging, target, files, known_names);
        }
    } catch (const OutputError& e) {
        fs::remove_all(staging, error);
        throw OutputError(fmt::format("{}; {} is as it was", e.what(), directory.string()));
    } catch (...) {
        fs::remove_all(staging, error);
        throw;
    }
    fs::remove_all(staging, error);
}

void check_output_writable(const std::filesystem::path& path, std::string_view option, OutputKind kind,
                           std::string_view example)
{
    namespace fs = std::filesystem;
    const fs::path target = resolve_output_path(kind == OutputKind::directory ? without_trailing_separator(path) : path);
    const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
    auto refuse = [&](const std::string& message) { throw InputError({{std::string(option), path.string(), 0, message}}); };
    std::error_code ec;
    const bool exists = fs::exists(target, ec);
    if (kind == OutputKind::file && fs::is_directory(target, ec)) {
        refuse(fmt::format("is a directory (the output is one file) — give a file name such as {}", example));
    }
    if (kind == OutputKind::directory && exists && !fs::is_directory(target, ec)) {
        refuse("is a file (the tables go into a directory) — give a directory to create or one sclsim may write into");
    }
    struct stat existing {};
    const char* special = ::stat(target.c_str(), &existing) == 0 ? special_file_kind(existing.st_mode) : nullptr;
    if (kind == OutputKind::file && special != nullptr) {
        refuse(fmt::format("is {}, not a regular file (writing would replace it with one) — give a file name such as {}",
                           special, example));
    }
    if (!fs::is_directory(parent, ec)) {
        refuse(fmt::format("directory \"{}\" does not exist (sclsim does not create directories{}) — create it first or choose "
                           "another path",
                           parent.string(), kind == OutputKind::directory ? " above the one it writes" : ""));
    }
    if (::access(parent.c_str(), W_OK) != 0) {
        refuse(fmt::format("is not writable (no permission to write in directory \"{}\") — check its permissions or choose "
                           "another path",
                           parent.string()));
    }
    if (exists && ::access(target.c_str(), W_OK) != 0) {
        refuse(fmt::format("is not writable (permission denied on the existing {}) — check its permissions or choose another path",
                           kind == OutputKind::directory ? "directory" : "file"));
    }
}

}  // namespace scls
