// Shared by the fuzz targets: a scratch directory that relative paths in
// fuzzed input resolve against, and the one rule every target checks — bad
// input may only ever end in scls::InputError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "host/psa/psa.hpp"
#include "host/scenario/scenario.hpp"

namespace scls::fuzz {

// Draws and parameter sets per input: enough to reach every distribution and
// the copula, few enough that one input takes milliseconds.
inline constexpr std::uint32_t kMaxDraws = 20;
inline constexpr std::size_t kMaxResolvedSets = 3;  // set 0 is free; each other set re-reads the scenario

// A private directory holding scls_base.toml, so `extends = "scls_base.toml"`
// (as in the shipped scenarios) resolves; removed at exit.
const std::filesystem::path& scratch_dir();

// The built-in base scenario, loaded once.
const Scenario& builtin_scenario();

std::string as_text(const std::uint8_t* data, std::size_t size);

// Runs body; an InputError is the expected outcome of bad input, anything
// else thrown is a finding.
template <class Body>
void expect_only_input_errors(const char* stage, Body&& body);

// PSA draws (capped at kMaxDraws) and the first parameter sets resolved, then
// the one-way ranges and their sets; each stage's InputError ends only that
// stage. NaN in a set, or infinity in a set that resolved, is a finding.
void exercise_psa(const Scenario& scenario);

// The integer settings of a loaded scenario lie in the ranges its validation
// enforces (a value wrapped by a narrowing cast would slip past the check).
void check_scenario_ranges(const Scenario& scenario);

// The effective text of a loaded scenario (stored in every output file, and
// re-read by load_targets) loads again.
void check_effective_text_reloads(const Scenario& scenario);

// Prints the finding and aborts, so libFuzzer (or the replay driver) stops with the input.
[[noreturn]] void report_finding(const char* stage, const std::string& what);

template <class Body>
void expect_only_input_errors(const char* stage, Body&& body)
{
    try {
        body();
    } catch (const InputError&) {
        // Expected: the input was rejected with a message.
    } catch (const std::exception& e) {
        report_finding(stage, std::string("threw ") + e.what() + " (not an scls::InputError)");
    } catch (...) {
        report_finding(stage, "threw an exception not derived from std::exception");
    }
}

}  // namespace scls::fuzz
