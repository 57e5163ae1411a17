// Reading inputs and writing outputs so that no fault leaves a wrong file.
//
// Inputs (scenarios, targets files, life tables) are read only when they are
// regular files below a size limit: a device, a directory or /dev/zero given
// by mistake is refused at once instead of being read until memory runs out.
//
// Outputs are written to a temporary name beside the target
// (<target>.partial-<host>-<pid>), flushed to disk, renamed over the target
// and the directory flushed: the target holds nothing, the old file, or the
// complete new one, whatever fails (ENOSPC, EIO, a signal, a crash). A failed
// write removes its temporary; temporaries of killed processes are removed
// by the next write to the same target.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace scls {

inline constexpr std::uintmax_t kMaxInputFileBytes = 16ull << 20;  // 16 MiB: far above any real scenario or life table

// The whole file as text. Throws InputError (file = path) when it is
// missing, not a regular file, larger than max_bytes, or unreadable; `what`
// names the file's role in the message ("scenario file", "life table").
std::string read_input_file(const std::filesystem::path& path, std::string_view what,
                            std::uintmax_t max_bytes = kMaxInputFileBytes);

// Thrown when an output cannot be written; the message names the path and
// the system's reason (e.g. "No space left on device").
class OutputError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Writes bytes to path as described above. Throws OutputError.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// The temporary name this process uses for path.
std::filesystem::path partial_path_for(const std::filesystem::path& path);

// Removes temporaries of path left by processes of this host that no longer
// run (a run killed while writing). Never throws.
void remove_stale_partials(const std::filesystem::path& path);

// Test hook: with SCLS_TEST_FAIL_WRITE=N (or N:EIO, N:ENOSPC — the
// default), the N-th write this process makes through write_file_atomically
// fails with that error, as a full or failing disk would.
bool injected_write_failure(int& error_number);

}  // namespace scls
