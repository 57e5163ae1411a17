#include "host/scenario/toml_reader.hpp"

#include <algorithm>
#include <charconv>

#include "host/scenario/toml_text.hpp"

namespace scls {

namespace {

std::optional<std::size_t> parse_position(const std::string& text)
{
    std::size_t position = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), position);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return position;
}

// The element of an array of tables with the identity `name`, or at the
// position `name` spells.
toml::table* find_element(toml::array& array, const std::string& name)
{
    for (auto& element : array) {
        if (const auto identity = entry_identity(element); identity && identity->value == name) {
            return element.as_table();
        }
    }
    if (auto position = parse_position(name); position && *position < array.size()) {
        return array.get(*position)->as_table();
    }
    return nullptr;
}

}  // namespace

std::optional<EntryIdentity> entry_identity(const toml::node& entry)
{
    const toml::table* table = entry.as_table();
    for (const char* key : {"name", "path", "from"}) {
        if (const toml::node* id = table ? table->get(key) : nullptr; id && id->is_string()) {
            return EntryIdentity{key, *id->value<std::string>()};
        }
    }
    return std::nullopt;
}

std::string entry_label(const std::string& array_path, const toml::node& entry, std::size_t position)
{
    const auto identity = entry_identity(entry);
    if (!identity) {
        return fmt::format("{}.{}", array_path, position);
    }
    if (std::string_view(identity->key) == "path") {
        return fmt::format("{}[{}]", array_path, identity->value);
    }
    return fmt::format("{}.{}", array_path, identity->value);
}

std::vector<std::string_view> split_text(std::string_view text, char separator)
{
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t at = text.find(separator, start);
        parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) {
            return parts;
        }
        start = at + 1;
    }
}

namespace {

// Tables nested deeper than any scenario needs (the deepest key path of a
// scenario has 6 parts): refused before any recursive walk of the document
// could exhaust the stack.
constexpr int kMaxNesting = 32;

void check_nesting(const toml::table& root, const std::string& source_name)
{
    std::vector<std::pair<const toml::node*, int>> pending{{&root, 0}};
    while (!pending.empty()) {
        const auto [node, depth] = pending.back();
        pending.pop_back();
        if (depth > kMaxNesting) {
            const Origin origin = origin_of(*node, source_name);
            throw InputError({{origin.file, "", origin.line,
                               fmt::format("nests tables or lists more than {} levels deep (no scenario needs more than a "
                                           "few) — write the key paths with fewer parts",
                                           kMaxNesting)}});
        }
        if (const toml::table* table = node->as_table()) {
            for (const auto& [key, child] : *table) {
                pending.emplace_back(&child, depth + 1);
            }
        } else if (const toml::array* array = node->as_array()) {
            for (const toml::node& child : *array) {
                pending.emplace_back(&child, depth + 1);
            }
        }
    }
}

}  // namespace

toml::table parse_toml_input(const std::string& text, const std::string& source_name)
{
    const AsciiToml ascii = ascii_toml(text, source_name);
    try {
        toml::table root = toml::parse(ascii.text, std::string_view(source_name));
        check_nesting(root, source_name);
        return root;
    } catch (const toml::parse_error& error) {
        const int line = static_cast<int>(error.source().begin.line);
        const bool rewritten = std::find(ascii.rewritten_lines.begin(), ascii.rewritten_lines.end(), line) != ascii.rewritten_lines.end();
        throw InputError({InputIssue{source_name, "", line,
                                     fmt::format("not valid TOML ({}) — fix the syntax {}", error.description(),
                                                 rewritten ? std::string("on this line")
                                                           : fmt::format("at column {}", error.source().begin.column))}});
    }
}

toml::table* resolve_key_parent(toml::table& root, std::string_view key_path, std::string& last_key, std::string& problem)
{
    std::vector<std::string> parts;
    for (std::string_view part : split_text(key_path, '.')) {
        parts.emplace_back(part);
    }
    if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
        problem = "is not a dotted key path — write e.g. attacks.rate_per_year";
        return nullptr;
    }
    toml::table* table = &root;
    std::string walked;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        walked += (walked.empty() ? "" : ".") + parts[i];
        toml::node* next = table->get(parts[i]);
        if (!next) {
            problem = fmt::format("no section {} in the scenario — check the key path", walked);
            return nullptr;
        }
        if (toml::array* array = next->as_array(); array && array->is_array_of_tables() && i + 2 < parts.size()) {
            const std::string& name = parts[++i];
            toml::table* found = find_element(*array, name);
            if (!found) {
                std::vector<std::string> names;
                for (const auto& element : *array) {
                    if (const auto identity = entry_identity(element)) {
                        names.push_back(identity->value);
                    }
                }
                problem = fmt::format("no entry named \"{}\" (nor at that position) in {}{} — use one of the names in the "
                                      "scenario or a 0-based position",
                                      name, walked, did_you_mean(name, names));
                return nullptr;
            }
            walked += "." + name;
            table = found;
            continue;
        }
        if (!next->is_table()) {
            problem = fmt::format("{} is not a section — check the key path", walked);
            return nullptr;
        }
        table = next->as_table();
    }
    last_key = parts.back();
    return table;
}

bool is_run_setting(std::string_view key_path)
{
    for (std::string_view section : {"simulation", "scenario", "psa", "sweep", "cea"}) {
        if (key_path.substr(0, key_path.find('.')) == section) {
            return true;
        }
    }
    return false;
}

const toml::node* find_key_path(const toml::table& root, std::string_view key_path, std::string& problem)
{
    std::string last;
    // resolve_key_parent only reads; the cast spares a second, const copy of the walk.
    toml::table* parent = resolve_key_parent(const_cast<toml::table&>(root), key_path, last, problem);
    if (!parent) {
        return nullptr;
    }
    const toml::node* node = parent->get(last);
    if (!node) {
        problem = fmt::format("no key {} in the scenario — check the key path", key_path);
    }
    return node;
}

}  // namespace scls
