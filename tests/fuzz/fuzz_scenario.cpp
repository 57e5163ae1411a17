// Fuzz target: a scenario file (bytes as TOML text) through parsing,
// validation and resolution, then its [psa] and one-way sets when it loads.
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace scls;
    const std::string text = fuzz::as_text(data, size);
    std::optional<Scenario> scenario;
    fuzz::expect_only_input_errors("load_scenario", [&] { scenario = load_scenario(text, "fuzz.toml", fuzz::scratch_dir(), {}); });
    if (scenario) {
        fuzz::check_scenario_ranges(*scenario);
        fuzz::check_effective_text_reloads(*scenario);
        fuzz::exercise_psa(*scenario);
    }
    return 0;
}
