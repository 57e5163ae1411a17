// Fuzz target: the built-in scenario with the input appended (a [psa] and
// [sweep] section in the corpus), so the time goes into distributions,
// correlations, draws and one-way ranges rather than into the base schema.
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace scls;
    const std::string text = builtin_scenario_text() + "\n" + fuzz::as_text(data, size);
    std::optional<Scenario> scenario;
    fuzz::expect_only_input_errors("load_scenario", [&] { scenario = load_scenario(text, "fuzz_psa.toml", fuzz::scratch_dir(), {}); });
    if (scenario) {
        fuzz::check_scenario_ranges(*scenario);
        fuzz::exercise_psa(*scenario);
    }
    return 0;
}
