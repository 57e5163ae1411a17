// A results file as tidy CSV tables for R, Python and spreadsheets: one row
// per observation, named columns, strategies by name (never by index), and
// the PSA's cost and effect matrices in the shape dampack and BCEA take (one
// row per draw, one column per strategy).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace scls {

struct ExportOptions {
    bool all_sets_curves = false;  // survival curves of every parameter set (default: the base case only)
};

// Writes the tables the file has into directory (created if missing) and
// returns their names. Every dataset read must have the shape the file's axes
// give it (checked before it is read). The directory changes as a whole or
// not at all (write_directory_atomically): tables an earlier export wrote
// there that this file does not have are removed, any other file is kept.
// Throws InputError for a file that is not a results file or is damaged
// (nothing is written), OutputError when the tables cannot be written.
std::vector<std::string> export_results(const std::filesystem::path& results_file, const std::filesystem::path& directory,
                                        const ExportOptions& options = {});

}  // namespace scls
