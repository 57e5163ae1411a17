#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <system_error>
#include <unistd.h>

#include "host/psa/parameter_sets.hpp"

namespace scls::fuzz {

namespace {

struct ScratchDir {
    std::filesystem::path path;
    ScratchDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "sclsim-fuzz-XXXXXX").string();
        if (!mkdtemp(pattern.data())) {
            std::perror("sclsim fuzz: cannot create a scratch directory (mkdtemp)");
            std::abort();
        }
        path = pattern;
        std::ofstream(path / "scls_base.toml") << builtin_scenario_text();
    }
    ~ScratchDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

}  // namespace

const std::filesystem::path& scratch_dir()
{
    static const ScratchDir dir;
    return dir.path;
}

const Scenario& builtin_scenario()
{
    static const Scenario scenario = load_scenario(builtin_scenario_text(), kBuiltinScenarioName, scratch_dir());
    return scenario;
}

std::string as_text(const std::uint8_t* data, std::size_t size)
{
    return size == 0 ? std::string() : std::string(reinterpret_cast<const char*>(data), size);
}

void report_finding(const char* stage, const std::string& what)
{
    std::fprintf(stderr, "sclsim fuzz: finding in %s: %s\n", stage, what.c_str());
    std::abort();
}

namespace {

// A [psa] or [sweep] section that loaded has been validated: every value it
// yields must be a number the model can be given, never NaN or infinity.
void require_finite(const char* stage, const ParameterSets& sets)
{
    for (std::size_t set = 0; set < sets.size(); ++set) {
        for (std::size_t column = 0; column < sets.columns(); ++column) {
            if (!std::isfinite(sets.value(set, column))) {
                report_finding(stage, "set " + std::to_string(set) + " (" + sets.labels[set] + ") has " +
                                          std::to_string(sets.value(set, column)) + " at " + sets.column_names[column] +
                                          " (a validated distribution or range must give finite values)");
            }
        }
    }
}

}  // namespace

void exercise_psa(const Scenario& scenario)
{
    std::optional<PsaSpec> spec;
    expect_only_input_errors("load_psa_spec", [&] { spec = load_psa_spec(scenario); });
    if (spec) {
        spec->draws = std::min(spec->draws, kMaxDraws);
        expect_only_input_errors("psa_parameter_sets/resolve_parameter_sets", [&] {
            const ParameterSets sets = psa_parameter_sets(*spec);
            require_finite("psa_parameter_sets", sets);
            resolve_parameter_sets(scenario, sets, 0, std::min(sets.size(), kMaxResolvedSets));
        });
    }
    expect_only_input_errors("load_one_way_ranges/resolve_parameter_sets", [&] {
        const ParameterSets sets = one_way_parameter_sets(load_one_way_ranges(scenario, spec));
        require_finite("one_way_parameter_sets", sets);
        resolve_parameter_sets(scenario, sets, 0, std::min(sets.size(), kMaxResolvedSets));
    });
}

}  // namespace scls::fuzz
