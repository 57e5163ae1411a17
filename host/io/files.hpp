// Reading inputs and writing outputs so that no fault leaves a wrong file.
//
// Inputs (scenarios, targets files, life tables) are read only when they are
// regular files below a size limit: a device, a directory, a FIFO or
// /dev/zero given by mistake is refused at once instead of being read until
// memory runs out or blocking forever. The file is opened first and the open
// descriptor examined, so what is checked is what is read.
//
// Outputs are written to a temporary name beside the target
// (<target>.partial-<host>-<pid>), flushed to disk, renamed over the target
// and the directory flushed: the target holds nothing, the old file, or the
// complete new one, whatever fails (ENOSPC, EIO, a signal, a crash). A failed
// write removes its temporary; temporaries of killed processes are removed
// by the next write to the same target. A replaced file keeps its permission
// bits, and a target that is a symbolic link keeps being one: its target is
// replaced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scls {

inline constexpr std::uintmax_t kMaxInputFileBytes = 16ull << 20;  // 16 MiB: far above any real scenario or life table

// The whole file as text, read until its end (a file's stated size may be
// wrong, as in /proc, or change while it is read). Throws InputError
// (file = path) when it is missing, not a regular file, larger than
// max_bytes, or unreadable; `what` names the file's role in the message
// ("scenario file", "life table").
std::string read_input_file(const std::filesystem::path& path, std::string_view what,
                            std::uintmax_t max_bytes = kMaxInputFileBytes);

// Thrown when an output cannot be written; the message names the path and
// the system's reason (e.g. "No space left on device").
class OutputError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Writes bytes to path as described above. Throws OutputError, whose
// message ends with the remedy for the system's reason (free space, check the
// directory's permissions, choose a writable file system).
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// Where a write to path lands: path itself, or the file its symbolic links
// lead to (followed to the end, even when that file does not exist yet).
std::filesystem::path resolve_output_path(const std::filesystem::path& path);

using NamedFiles = std::vector<std::pair<std::string, std::string>>;  // file name, contents

// Writes files into directory as one change: all of them are written into a
// sibling temporary directory first; a missing directory is then renamed into
// place, an existing one receives them by rename, and the names of
// known_names that files lacks are removed from it (any other file there is
// left alone). On any failure directory is as it was (changes already made are
// undone) and the temporary is removed. Throws OutputError.
void write_directory_atomically(const std::filesystem::path& directory, const NamedFiles& files,
                                const std::vector<std::string>& known_names);

enum class OutputKind {
    file,       // one file, written by write_file_atomically
    directory,  // a directory written by write_directory_atomically (created when missing)
};

// Fails (InputError naming `option`, e.g. "-o/--output" or "--to") before any
// work when path cannot be written as `kind`: a missing parent directory, no
// permission, or a directory where a file belongs (and the reverse).
// `example` is the file name its message suggests for a file output (one of
// the kind the option writes; directory outputs suggest none).
void check_output_writable(const std::filesystem::path& path, std::string_view option = "-o/--output",
                           OutputKind kind = OutputKind::file, std::string_view example = "results/run.h5");

// The temporary name this process uses for path.
std::filesystem::path partial_path_for(const std::filesystem::path& path);

// Removes temporaries of path (files, or directories of
// write_directory_atomically) left by processes of this host that no longer
// run (a run killed while writing). Never throws.
void remove_stale_partials(const std::filesystem::path& path);

// Test hook: with SCLS_TEST_FAIL_WRITE=N or N:NAME (NAME one of ENOSPC — the
// default —, EDQUOT, EIO, EACCES, EPERM, EROFS), the N-th write made through
// write_file_atomically after the setting last changed fails with that error,
// as a full, failing, protected or read-only disk would. An unknown NAME
// stops the process: a misspelt test must not pass by testing nothing.
bool injected_write_failure(int& error_number);

}  // namespace scls
