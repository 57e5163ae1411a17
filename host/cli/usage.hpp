// Command-line usage errors, all on one path: every misuse exits 2 with the
// option named, what it accepts, and the nearest valid option or command.
//
// Numeric options are checked by one table of rules (NumberRule) on the
// text the user typed, before any conversion: "abc", "1e30", "-5" and "nan"
// are refused by name, never wrapped, clamped or silently accepted.
#pragma once

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "host/scenario/bounds.hpp"
#include "host/scenario/input_error.hpp"

namespace scls {

// A command-line problem found by our own checks after parsing.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct NumberRule {
    double lower;
    double upper;
    bool whole;                 // an integer (digits only)
    std::string_view meaning;   // what the number is, for the message
    std::string_view example;   // a valid value
};

inline constexpr NumberRule kPatientsRule{1, static_cast<double>(kMaxPatients), true, "patients per strategy and parameter set", "100000"};
inline constexpr NumberRule kSeedRule{0, static_cast<double>(kMaxSeed), true, "a random seed", "7"};
inline constexpr NumberRule kThreadsRule{0, 1024, true, "CPU threads; 0 = all cores", "2"};
inline constexpr NumberRule kBatchBlocksRule{0, 1e9, true, "blocks of 256 patients per batch; 0 = the backend's choice", "64"};
inline constexpr NumberRule kCheckpointEveryRule{0, 1e7, false, "seconds between checkpoints; 0 = after every batch", "60"};
inline constexpr NumberRule kDrawsRule{1, static_cast<double>(kMaxDraws), true, "PSA draws", "1000"};
inline constexpr NumberRule kWtpRule{0, 1e12, false, "willingness to pay per QALY", "50000"};

// A CLI11 check that refuses any text outside the rule.
CLI::Validator accepts(const NumberRule& rule);

// A CLI11 check that accepts one of the words (and suggests the nearest).
CLI::Validator one_of(std::vector<std::string> words, std::string_view meaning);

// After a successful parse (extras allowed): refuses unknown options, stray
// arguments and a missing or unknown command. Throws UsageError.
void check_leftover_arguments(const CLI::App& app);

// The text of a usage error for a CLI11 parse error (help and version are
// not errors: the caller lets CLI11 print them).
std::string usage_error_text(const CLI::App& app, const CLI::ParseError& error);

// The message for a UsageError, with the line that points to --help.
std::string usage_error_text(const CLI::App& app, const std::string& message);

}  // namespace scls
