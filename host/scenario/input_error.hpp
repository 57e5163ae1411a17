// Problems with a user's input: where (file or option, key, line) and
// "what is wrong (why) — what would be right". Every input problem is
// reported through InputError, which the command line turns into exit 2.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace scls {

// Exit statuses: a problem with the input or the command line (nothing was
// run or written), and a failure while running.
inline constexpr int kExitInputError = 2;
inline constexpr int kExitRuntimeError = 1;

// One problem with the input: where, and "what is wrong (why) — what would be right".
struct InputIssue {
    std::string file;  // scenario file, "--set", or the life table's path
    std::string key;   // dotted path, e.g. attacks.severity.icu.share
    int line = 0;      // 0 when unknown
    std::string message;

    std::string to_string() const;
};

// Thrown when a scenario (or a command-line input) is invalid; carries every
// problem found, not just the first.
class InputError : public std::runtime_error {
  public:
    explicit InputError(std::vector<InputIssue> issues);
    const std::vector<InputIssue>& issues() const { return issues_; }

  private:
    std::vector<InputIssue> issues_;
};

}  // namespace scls
