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

// A [psa] or [sweep] section that loaded has been validated. NaN must never
// come out of it: resolve_parameter_sets reads NaN as "not varied" and
// silently simulates the base value. An infinite value must be refused by
// resolve_parameter_sets, so a set it accepted must be finite.
void require_values(const char* stage, const ParameterSets& sets, std::size_t resolved_sets)
{
    for (std::size_t set = 0; set < sets.size(); ++set) {
        for (std::size_t column = 0; column < sets.columns(); ++column) {
            const double value = sets.value(set, column);
            if (std::isnan(value) || (set < resolved_sets && !std::isfinite(value))) {
                report_finding(stage, "set " + std::to_string(set) + " (" + sets.labels[set] + ") has " + std::to_string(value) +
                                          " at " + sets.column_names[column] +
                                          (std::isnan(value) ? " (a validated distribution or range must not give NaN)"
                                                             : " and resolve_parameter_sets accepted it (it must refuse non-finite values)"));
            }
        }
    }
}

}  // namespace

void check_scenario_ranges(const Scenario& scenario)
{
    const ModelParams& p = scenario.params;
    for (int s = 0; s < p.strategies; ++s) {
        const StrategyParams& strategy = p.strategy[s];
        const std::string where = "strategy " + scenario.strategy_names[static_cast<std::size_t>(s)];
        if (strategy.start_after_attacks < 0) {
            report_finding("load_scenario", where + ": start_after_attacks is " + std::to_string(strategy.start_after_attacks) +
                                                " (validated as >= 0)");
        }
        for (int r = 0; r < p.regimens; ++r) {
            const int after = strategy.escalate_after_attacks[r];
            if (strategy.escalate_to[r] != kNoRegimen && (after < 1 || after > kMaxEscalationAttacks)) {
                report_finding("load_scenario", where + ": escalate.after_attacks is " + std::to_string(after) + " (validated as 1.." +
                                                    std::to_string(kMaxEscalationAttacks) + ")");
            }
        }
    }
}

void check_effective_text_reloads(const Scenario& scenario)
{
    try {
        load_scenario(scenario.effective_text, scenario.source_name, scenario.base_directory);
    } catch (const std::exception& e) {
        report_finding("load_scenario(effective_text)", std::string("the effective text of a valid scenario does not load: ") + e.what());
    }
}

void exercise_psa(const Scenario& scenario)
{
    std::optional<PsaSpec> spec;
    expect_only_input_errors("load_psa_spec", [&] { spec = load_psa_spec(scenario); });
    if (spec) {
        spec->draws = std::min(spec->draws, kMaxDraws);
        expect_only_input_errors("psa_parameter_sets/resolve_parameter_sets", [&] {
            const ParameterSets sets = psa_parameter_sets(*spec);
            require_values("psa_parameter_sets", sets, 0);
            resolve_parameter_sets(scenario, sets, 0, std::min(sets.size(), kMaxResolvedSets));
            require_values("resolve_parameter_sets (PSA)", sets, kMaxResolvedSets);
        });
    }
    expect_only_input_errors("load_one_way_ranges/resolve_parameter_sets", [&] {
        const ParameterSets sets = one_way_parameter_sets(load_one_way_ranges(scenario, spec));
        require_values("one_way_parameter_sets", sets, 0);
        resolve_parameter_sets(scenario, sets, 0, std::min(sets.size(), kMaxResolvedSets));
        require_values("resolve_parameter_sets (one-way)", sets, kMaxResolvedSets);
    });
}

}  // namespace scls::fuzz
