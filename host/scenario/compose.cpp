// extends, [remove] and overrides (see compose.hpp).
#include "host/scenario/compose.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "host/io/files.hpp"
#include "host/scenario/toml_reader.hpp"
#include "host/scenario/toml_text.hpp"

namespace scls {

namespace {

constexpr int kMaxExtendsDepth = 8;

std::string joined_path(const std::string& path, std::string_view key)
{
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::optional<std::string> identity_of(const toml::node& entry)
{
    const auto identity = entry_identity(entry);
    return identity ? std::optional<std::string>(identity->value) : std::nullopt;
}

// Whether every entry of the array is a table with an identity.
bool has_named_entries(const toml::node& node)
{
    const toml::array* array = node.as_array();
    if (!array || array->empty() || !array->is_array_of_tables()) {
        return false;
    }
    for (const toml::node& entry : *array) {
        if (!identity_of(entry)) {
            return false;
        }
    }
    return true;
}

class Composer {
  public:
    explicit Composer(ComposedDocument& out) : out_(out) {}

    toml::table parse(const std::string& text, const std::string& source_name, const std::filesystem::path& base_directory,
                      int depth)
    {
        toml::table root = parse_toml_input(text, source_name);
        const toml::node* extends = root.get("extends");
        if (!extends) {
            if (const toml::node* remove = root.get("remove")) {
                fail(*remove, source_name, "remove", "is set but the file extends nothing (remove drops entries of the scenario "
                                                     "a file extends) — add extends = \"...\" or drop [remove]");
            }
            return root;
        }
        toml::table base = parent_document(*extends, source_name, base_directory, depth);
        root.erase("extends");
        if (toml::node* remove = root.get("remove")) {
            apply_removals(base, *remove, source_name);
            root.erase("remove");
        }
        merge(base, std::move(root), "", source_name);
        return base;
    }

  private:
    [[noreturn]] static void fail(const toml::node& where, const std::string& file, const std::string& key, const std::string& message)
    {
        const Origin origin = origin_of(where, file);
        throw InputError({{origin.file, key, origin.line, message}});
    }

    void record(const std::string& file, const char* action, const std::string& path, const std::string& value = "")
    {
        out_.changes.push_back({file, action, path, value});
    }

    toml::table parent_document(const toml::node& extends, const std::string& source_name, const std::filesystem::path& base_directory,
                                int depth)
    {
        auto parent = extends.value_exact<std::string>();
        if (!parent) {
            fail(extends, source_name, "extends",
                 "is not a file name (a scenario extends one other scenario) — write extends = \"scls_base.toml\"");
        }
        if (depth >= kMaxExtendsDepth) {
            fail(extends, source_name, "extends",
                 fmt::format("chains more than {} scenarios (a cycle?) — extend a scenario that does not lead back here", kMaxExtendsDepth));
        }
        if (*parent == kBuiltinScenarioName) {
            out_.extended_sources.emplace_back(kBuiltinScenarioName, builtin_scenario_text());
            toml::table base = parse(builtin_scenario_text(), kBuiltinScenarioName, base_directory, depth + 1);
            record(source_name, "extends", kBuiltinScenarioName);
            return base;
        }
        const std::filesystem::path path = base_directory / *parent;
        std::string parent_text;
        try {
            parent_text = read_input_file(path, "scenario it extends");
        } catch (const InputError& error) {
            // The reading's verdict on the path, then where a relative path starts.
            const std::string& verdict = error.issues().front().message;
            fail(extends, source_name, "extends",
                 fmt::format("names {}, which {}; a relative path starts from the extending file's directory — check the "
                             "name and the path",
                             path.string(), verdict.substr(0, verdict.find(" — "))));
        }
        out_.files.push_back(path);
        out_.extended_sources.emplace_back(path.string(), parent_text);
        toml::table base = parse(parent_text, path.string(), path.parent_path(), depth + 1);
        record(source_name, "extends", path.string());
        return base;
    }

    // [remove]: dotted array paths (nested tables or quoted keys) -> names.
    void apply_removals(toml::table& base, toml::node& remove, const std::string& file)
    {
        toml::table* lists = remove.as_table();
        if (!lists) {
            fail(remove, file, "remove", "is not a table — write [remove] with lines such as strategies = [\"step_up\"]");
        }
        remove_listed(base, *lists, "", file);
    }

    void remove_listed(toml::table& base, toml::table& lists, const std::string& prefix, const std::string& file)
    {
        for (auto&& [key, node] : lists) {
            const std::string path = joined_path(prefix, key.str());
            if (toml::table* nested = node.as_table()) {
                remove_listed(base, *nested, path, file);
                continue;
            }
            const toml::array* names = node.as_array();
            std::string last, problem;
            toml::table* parent = resolve_key_parent(base, path, last, problem);
            toml::node* target = parent ? parent->get(last) : nullptr;
            if (!names || !target || !has_named_entries(*target)) {
                fail(node, file, "remove." + path,
                     !target ? fmt::format("names {}, which the extended scenario does not have — check the key path", path)
                             : !names ? "is not a list of entry names — write e.g. strategies = [\"step_up\"]"
                                      : fmt::format("names {}, which is not a list of named entries — remove entries of arrays "
                                                    "such as strategies or regimens",
                                                    path));
            }
            std::set<std::string> removed;
            for (const toml::node& name : *names) {
                remove_entry(*target->as_array(), name, path, file, removed);
            }
            if (target->as_array()->empty()) {
                parent->erase(last);  // then read as missing, or added again as a new list
            }
        }
    }

    void remove_entry(toml::array& entries, const toml::node& name, const std::string& path, const std::string& file,
                      std::set<std::string>& removed)
    {
        const std::optional<std::string> wanted = name.value_exact<std::string>();
        if (wanted && removed.count(*wanted)) {
            fail(name, file, "remove." + path, fmt::format("names \"{}\" twice — list each entry once", *wanted));
        }
        std::string present;
        for (auto it = entries.begin(); it != entries.end(); ++it) {
            const std::string id = *identity_of(*it);
            if (wanted && id == *wanted) {
                entries.erase(it);
                removed.insert(id);
                record(file, "removes", path + "." + id);
                return;
            }
            present += (present.empty() ? "" : ", ") + id;
        }
        fail(name, file, "remove." + path,
             fmt::format("names {}, not an entry of {} — use one of: {}",
                         wanted ? "\"" + *wanted + "\"" : TableReader::describe(name), path, present.empty() ? "(none left)" : present));
    }

    void merge(toml::table& base, toml::table&& child, const std::string& path, const std::string& file)
    {
        for (auto&& [key, node] : child) {
            const std::string key_path = joined_path(path, key.str());
            toml::node* existing = base.get(key.str());
            if (existing && existing->is_table() && node.is_table()) {
                merge(*existing->as_table(), std::move(*node.as_table()), key_path, file);
            } else if (existing && has_named_entries(*existing) && has_named_entries(node)) {
                merge_entries(*existing->as_array(), std::move(*node.as_array()), key_path, file);
            } else {
                const bool section = (node.is_table() && !node.as_table()->is_inline()) ||
                                     (node.is_array() && node.as_array()->is_array_of_tables());
                record(file, existing ? (section ? "replaces" : "sets") : (section ? "adds" : "sets"), key_path,
                       section ? "" : format_toml_value(node));
                base.insert_or_assign(key.str(), std::move(node));
            }
        }
    }

    // Two entries with one identity would leave which one a later file changes
    // to the order of merging: refused in the file that holds them.
    static void check_unique(const toml::array& entries, const std::string& path, const std::string& file)
    {
        std::set<std::string> seen;
        for (const toml::node& entry : entries) {
            const auto identity = entry_identity(entry);
            if (!seen.insert(identity->value).second) {
                fail(entry, file, path,
                     fmt::format("has two entries with {} = \"{}\" (an entry is changed by naming it, so names must be unique) "
                                 "— rename one, or merge the two into one entry",
                                 identity->key, identity->value));
            }
        }
    }

    void merge_entries(toml::array& base, toml::array&& child, const std::string& path, const std::string& file)
    {
        check_unique(base, path, file);
        check_unique(child, path, file);
        for (toml::node& entry : child) {
            const std::string id = *identity_of(entry);
            toml::table* match = nullptr;
            for (toml::node& existing : base) {
                match = identity_of(existing) == id ? existing.as_table() : match;
            }
            if (match) {
                entry.as_table()->erase(entry_identity(entry)->key);  // the same in both: not a change
                merge(*match, std::move(*entry.as_table()), path + "." + id, file);
            } else {
                entry.as_table()->is_inline(false);  // written as [[entries]] like its neighbours
                record(file, "adds", path + "." + id);
                base.push_back(std::move(entry));
            }
        }
    }

    ComposedDocument& out_;
};

// Text given unquoted on a command line (--set regimens.x.label=Gamunex,
// --set mortality.life_table=tables/us.csv): one token with nothing that
// starts or ends a TOML value, so a broken list or a quoted string with a
// missing quote is reported rather than taken as text.
bool is_bare_text(std::string_view text)
{
    const auto plain = [](char c) { return std::isgraph(static_cast<unsigned char>(c)) && c != '=' && c != '#'; };
    return !text.empty() && std::all_of(text.begin(), text.end(), plain) && std::string_view("[{\"'").find(text.front()) == std::string_view::npos;
}

// The override's value as one TOML value; an issue (and nullopt) when the text
// is neither one nor bare text.
std::optional<toml::table> override_value_node(const Override& o, std::vector<InputIssue>& issues)
{
    try {
        toml::table parsed = parse_toml_input("value = " + o.value, o.source);
        if (parsed.size() == 1 && parsed.get("value")) {
            return parsed;
        }
    } catch (const InputError&) {
    }
    if (is_bare_text(o.value)) {
        toml::table text;
        text.insert("value", o.value);
        return text;
    }
    issues.push_back({o.source, o.key, 0,
                      fmt::format("has the value \"{}\", which is not one TOML value — write a number, true/false, "
                                  "\"quoted text\" or a [list]",
                                  o.value)});
    return std::nullopt;
}

// Applies one override; false when its key's section does not exist or its
// value is not TOML (the issue is recorded).
bool apply_override(toml::table& root, const Override& o, std::vector<InputIssue>& issues)
{
    std::string last;
    std::string problem;
    toml::table* table = resolve_key_parent(root, o.key, last, problem);
    if (!table) {
        // An option such as --patients sets a key of a section the file must
        // have; its absence is reported where the file lacks it.
        const bool file_reports_it = o.source != "--set" && o.source.rfind("--", 0) == 0;
        if (!file_reports_it) {
            issues.push_back({o.source, o.key, 0, problem});
        }
        return false;
    }
    std::optional<toml::table> value = override_value_node(o, issues);
    if (!value) {
        return false;
    }
    table->insert_or_assign(last, std::move(*value->get("value")));
    return true;
}

}  // namespace

void apply_overrides(ComposedDocument& composed, const std::vector<Override>& overrides)
{
    std::vector<InputIssue> issues;
    for (const auto& o : overrides) {
        if (apply_override(composed.root, o, issues)) {
            composed.applied.push_back(o);
            composed.changes.push_back({o.source, "sets", o.key, o.value});
        }
    }
    if (!issues.empty()) {
        throw InputError(std::move(issues));
    }
}

ComposedDocument compose_scenario(const std::string& text, const std::string& source_name,
                                  const std::filesystem::path& base_directory, const std::vector<Override>& overrides)
{
    ComposedDocument out;
    out.root = Composer(out).parse(text, source_name, base_directory, 0);
    if (out.root.empty()) {
        throw InputError({{source_name, "", 0,
                           "holds no settings (an empty file, or comments only) — start from the built-in scenario "
                           "(sclsim scenario > my.toml), or write extends = \"builtin:scls_base\" and only what differs"}});
    }
    apply_overrides(out, overrides);
    return out;
}

std::string format_changes(const std::vector<ScenarioChange>& changes)
{
    std::size_t width = 0;
    for (const auto& c : changes) {
        width = std::max(width, c.file.size());
    }
    std::string text;
    for (const auto& c : changes) {
        text += fmt::format("  {:<{}}  {:<8} {}{}\n", c.file, width, c.action, c.path, c.value.empty() ? "" : " = " + c.value);
    }
    return text;
}

}  // namespace scls
