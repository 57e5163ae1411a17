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
inline constexpr std::size_t kMaxResolvedSets = 4;

// A private directory holding scls_base.toml, so `extends = "scls_base.toml"`
// (as in the shipped scenarios) resolves; removed at exit.
const std::filesystem::path& scratch_dir();

// The built-in base scenario, loaded once.
const Scenario& builtin_scenario();

std::string as_text(const std::uint8_t* data, std::size_t size);

// Runs body; an InputError is the expected outcome of bad input, anything
// else thrown is a finding: printed, then abort() so libFuzzer (or the replay
// driver) stops with the input.
template <class Body>
void expect_only_input_errors(const char* stage, Body&& body);

// PSA draws (capped at kMaxDraws) and the first parameter sets resolved, then
// the one-way ranges and their sets; each stage's InputError ends only that stage.
void exercise_psa(const Scenario& scenario);

[[noreturn]] void report_unexpected(const char* stage, const char* what);

template <class Body>
void expect_only_input_errors(const char* stage, Body&& body)
{
    try {
        body();
    } catch (const InputError&) {
        // Expected: the input was rejected with a message.
    } catch (const std::exception& e) {
        report_unexpected(stage, e.what());
    } catch (...) {
        report_unexpected(stage, "an exception not derived from std::exception");
    }
}

}  // namespace scls::fuzz
