// Composing a scenario document: a file may extend another (recursively) and
// state only what differs, and the command line overrides single keys.
//
// Tables merge key by key. Arrays of tables whose entries carry a name (or a
// `path`, or a `from` for switching rules) merge entry by entry: a child entry
// with a name the base has patches that entry key by key, a new name is
// added. A `[remove]` table lists entries to drop, by the array's key path:
//
//   extends = "builtin:scls_base"
//   regimens = [{ name = "ivig_2g", price_per_gram = 60.0 }]   # patches one key of one regimen
//   [remove]
//   strategies = ["step_up"]
//   "regimens.ivig_2g.adverse_events" = ["thrombosis"]
//
// Arrays without entry names (inline lists such as response mixtures) are
// replaced whole. Every change is recorded, so `sclsim validate` can show
// what each file set, added, removed and replaced: nothing changes silently.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "host/scenario/toml.hpp"

#include "host/scenario/scenario.hpp"

namespace scls {

struct ScenarioDocument {
    toml::table root;
};

struct ComposedDocument {
    toml::table root;
    std::vector<std::filesystem::path> files;  // every extended file read
    std::vector<std::pair<std::string, std::string>> extended_sources;  // name and text of every scenario extended
    std::vector<ScenarioChange> changes;       // in the order they were made
    std::vector<Override> applied;             // the overrides that found their key's section
};

// Parses text, lays it over what it extends, applies its [remove] lists and
// then the overrides. Throws InputError with the file, line and key of every
// problem.
ComposedDocument compose_scenario(const std::string& text, const std::string& source_name,
                                  const std::filesystem::path& base_directory, const std::vector<Override>& overrides);

// Sets each override's key in root (a copy of a composed document), recording
// the changes. Throws InputError when a key's section does not exist or a
// value is not TOML.
void apply_overrides(ComposedDocument& composed, const std::vector<Override>& overrides);

// The changes as a table for people: "file: sets key = value" per line.
std::string format_changes(const std::vector<ScenarioChange>& changes);

}  // namespace scls
