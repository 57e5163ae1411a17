// Reading TOML input against a schema, with errors that name the file, the
// key and the line: shared by scenario and calibration-target files.
#pragma once

#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "host/scenario/bounds.hpp"
#include "host/scenario/scenario.hpp"
#include "host/scenario/toml.hpp"
#include "host/util/nearest.hpp"

namespace scls {

// Where a node came from: the scenario file or an override.
struct Origin {
    std::string file;
    int line;
};

inline Origin origin_of(const toml::node& node, const std::string& default_file)
{
    const auto& source = node.source();
    std::string file = source.path ? std::string(*source.path) : default_file;
    return Origin{file, static_cast<int>(source.begin.line)};
}


// What identifies an entry of an array of tables: its name, the parameter path
// it concerns, or the regimen it escalates from — the key and its text; nullopt
// for an entry with none of them (it is then addressed by position).
struct EntryIdentity {
    const char* key;
    std::string value;
};
std::optional<EntryIdentity> entry_identity(const toml::node& entry);

// How messages and key paths address an entry: path.<identity>, or
// path[<parameter path>] (a dotted path cannot be one part of a key path), or
// path.<0-based position>.
std::string entry_label(const std::string& array_path, const toml::node& entry, std::size_t position);

// Reads one TOML table against the schema: every key must be read (or it is
// reported as unknown at finish()), every required key must be present.
class TableReader {
  public:
    TableReader(const toml::table* table, std::string path, std::string file, std::vector<InputIssue>& issues)
        : table_(table), path_(std::move(path)), file_(std::move(file)), issues_(issues)
    {
    }

    std::string key_path(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }

    void report(std::string_view key, const std::string& message, const toml::node* node = nullptr)
    {
        const toml::node* where = node ? node : (table_ ? table_->get(key) : nullptr);
        Origin origin = where ? origin_of(*where, file_) : (table_ ? origin_of(*table_, file_) : Origin{file_, 0});
        issues_.push_back({origin.file, key_path(key), origin.line, message});
    }

    bool has(std::string_view key) const { return table_ && table_->contains(key); }

    // A required key that is absent; nothing when the whole section is
    // absent (its absence is the one problem to report).
    void report_missing(std::string_view key, const std::string& message)
    {
        if (table_) {
            report(key, message);
        }
    }

    const toml::node* take(std::string_view key)
    {
        seen_.insert(std::string(key));
        return table_ ? table_->get(key) : nullptr;
    }

    std::optional<double> optional_number(std::string_view key, const Bound& bound, std::string_view unit_hint = "")
    {
        const toml::node* node = take(key);
        if (!node) {
            return std::nullopt;
        }
        std::optional<double> value;
        if (auto v = node->value_exact<double>()) {
            value = *v;
        } else if (auto i = node->value_exact<std::int64_t>()) {
            value = static_cast<double>(*i);
        }
        if (!value) {
            report(key, fmt::format("is {} (this parameter is a number{}) — give a number, e.g. {} = 0.5",
                                    describe(*node), unit_hint.empty() ? "" : fmt::format(" in {}", unit_hint), key),
                   node);
            return std::nullopt;
        }
        if (!check_bound(key, *value, bound, node)) {
            return std::nullopt;  // reported; callers go on with their fallback, never with the bad value
        }
        return value;
    }

    double number(std::string_view key, const Bound& bound, std::string_view meaning = "")
    {
        if (!has(key)) {
            seen_.insert(std::string(key));
            report_missing(key, fmt::format("is missing ({}) — add {} = <number>",
                                    meaning.empty() ? "every parameter must be stated, with its source" : meaning, key));
            return 0.0;
        }
        return optional_number(key, bound).value_or(0.0);
    }

    double number_or(std::string_view key, const Bound& bound, double fallback)
    {
        return optional_number(key, bound).value_or(fallback);
    }

    // A whole number in [minimum, maximum]: checked as read, before any
    // narrowing, so 4294967296 can never become 0.
    std::int64_t integer(std::string_view key, std::int64_t minimum, std::int64_t maximum,
                         std::optional<std::int64_t> fallback = std::nullopt)
    {
        const toml::node* node = take(key);
        if (!node) {
            if (fallback) {
                return *fallback;
            }
            report_missing(key, fmt::format("is missing — add {} = <integer>", key));
            return minimum;
        }
        auto value = node->value_exact<std::int64_t>();
        if (!value) {
            report(key, fmt::format("is {} (this setting is a whole number) — give an integer", describe(*node)), node);
            return minimum;
        }
        if (*value < minimum || *value > maximum) {
            report(key, fmt::format("is {} (outside the meaningful range) — use a whole number from {} to {}", *value, minimum, maximum),
                   node);
            return minimum;
        }
        return *value;
    }

    std::optional<std::string> optional_string(std::string_view key)
    {
        const toml::node* node = take(key);
        if (!node) {
            return std::nullopt;
        }
        auto value = node->value_exact<std::string>();
        if (!value) {
            report(key, fmt::format("is {} (this setting is text) — give a quoted string", describe(*node)), node);
            return std::nullopt;
        }
        return *value;
    }

    // A yes/no setting, fallback when absent.
    bool flag_or(std::string_view key, bool fallback)
    {
        const toml::node* node = take(key);
        if (!node) {
            return fallback;
        }
        auto value = node->value_exact<bool>();
        if (!value) {
            report(key, fmt::format("is {} (this setting is yes or no) — give true or false", describe(*node)), node);
            return fallback;
        }
        return *value;
    }

    std::string string(std::string_view key, std::string_view example)
    {
        if (!has(key)) {
            seen_.insert(std::string(key));
            report_missing(key, fmt::format("is missing — add {} = \"{}\"", key, example));
            return {};
        }
        return optional_string(key).value_or("");
    }

    // A list of numbers; reported (and nullopt) when not one.
    std::optional<std::vector<double>> optional_numbers(std::string_view key)
    {
        const toml::node* node = take(key);
        if (!node) {
            return std::nullopt;
        }
        std::vector<double> values;
        const toml::array* array = node->as_array();
        for (std::size_t i = 0; array && i < array->size(); ++i) {
            const toml::node& element = *array->get(i);
            if (!element.is_number() || !std::isfinite(element.value<double>().value_or(NAN))) {
                array = nullptr;
                break;
            }
            values.push_back(*element.value<double>());
        }
        if (!array) {
            report(key, fmt::format("is {} (this setting is a list of finite numbers) — write e.g. {} = [1.0, 2.0]",
                                    describe(*node), key),
                   node);
            return std::nullopt;
        }
        return values;
    }

    // A list of strings; reported (and nullopt) when not one.
    std::optional<std::vector<std::string>> optional_strings(std::string_view key)
    {
        const toml::node* node = take(key);
        if (!node) {
            return std::nullopt;
        }
        std::vector<std::string> values;
        const toml::array* array = node->as_array();
        for (std::size_t i = 0; array && i < array->size(); ++i) {
            auto text = array->get(i)->value_exact<std::string>();
            if (!text) {
                array = nullptr;
                break;
            }
            values.push_back(*text);
        }
        if (!array) {
            report(key, fmt::format("is {} (this setting is a list of quoted strings) — write e.g. {} = [\"a\", \"b\"]",
                                    describe(*node), key),
                   node);
            return std::nullopt;
        }
        return values;
    }

    // A sub-table; a missing one reads as empty (its required keys are then reported).
    TableReader table(std::string_view key, bool required = true)
    {
        const toml::node* node = take(key);
        if (!node) {
            if (required) {
                report(key, fmt::format("section is missing — add a [{}] table", key_path(key)));
            }
            return TableReader(nullptr, key_path(key), file_, issues_);
        }
        if (!node->is_table()) {
            report(key, fmt::format("is {} (it is a section of parameters) — write it as a [{}] table", describe(*node),
                                    key_path(key)),
                   node);
            return TableReader(nullptr, key_path(key), file_, issues_);
        }
        return TableReader(node->as_table(), key_path(key), file_, issues_);
    }

    // Elements of an array of tables (each addressed as path.<name> in messages).
    std::vector<TableReader> array_of_tables(std::string_view key, bool required)
    {
        std::vector<TableReader> result;
        const toml::node* node = take(key);
        if (!node) {
            if (required) {
                report(key, fmt::format("is missing — add at least one [[{}]] table", key_path(key)));
            }
            return result;
        }
        const toml::array* array = node->as_array();
        if (!array || !array->is_array_of_tables()) {
            report(key, fmt::format("is {} (a list of tables) — write each entry as [[{}]]", describe(*node), key_path(key)),
                   node);
            return result;
        }
        for (std::size_t i = 0; i < array->size(); ++i) {
            result.emplace_back(array->get(i)->as_table(), entry_label(key_path(key), *array->get(i), i), file_, issues_);
        }
        return result;
    }

    // Reports every key present but never read: typos and unsupported options.
    void finish(std::string_view expected_keys_hint = "")
    {
        if (!table_) {
            return;
        }
        for (const auto& [key, node] : *table_) {
            if (!seen_.count(std::string(key.str()))) {
                const std::string known = fmt::format("{}", fmt::join(seen_, ", "));
                report(key.str(),
                       fmt::format("unknown key (not part of the model){} — expected one of: {}",
                                   did_you_mean(key.str(), std::vector<std::string>(seen_.begin(), seen_.end())),
                                   expected_keys_hint.empty() ? known : std::string(expected_keys_hint)),
                       &node);
            }
        }
    }

    const toml::table* raw() const { return table_; }
    std::size_t issue_count() const { return issues_.size(); }  // problems reported so far, by any reader
    const std::string& path() const { return path_; }

    // A node's type and value in words, for messages.
    static std::string describe(const toml::node& node)
    {
        switch (node.type()) {
            case toml::node_type::string: return fmt::format("the text \"{}\"", node.value<std::string>().value_or(""));
            case toml::node_type::boolean: return "a boolean";
            case toml::node_type::array: return "an array";
            case toml::node_type::table: return "a table";
            case toml::node_type::integer: return fmt::format("the integer {}", node.value<std::int64_t>().value_or(0));
            case toml::node_type::floating_point: return fmt::format("the number {}", node.value<double>().value_or(0));
            default: return "a date or time";
        }
    }

  private:
    bool check_bound(std::string_view key, double value, const Bound& bound, const toml::node* node)
    {
        if (!std::isfinite(value)) {
            report(key, fmt::format("is {} (parameters must be finite) — give a finite number", value), node);
            return false;
        }
        if (!bound.admits(value)) {
            const bool below = value <= bound.lower;
            const char* why = !below ? "too large" : bound.lower != 0.0 ? "too small" : bound.lower_open ? "it must be positive"
                                                                                                           : "it cannot be negative";
            report(key, fmt::format("is {} ({}: {}) — use a value {}", value, why, bound.meaning, range_text(bound)), node);
            return false;
        }
        return true;
    }

    static std::string range_text(const Bound& bound)
    {
        if (bound.upper >= kLargestInput) {
            return fmt::format("{} {}", bound.lower_open ? ">" : ">=", bound.lower);
        }
        return fmt::format("in {}{}, {}]", bound.lower_open ? "(" : "[", bound.lower, bound.upper);
    }

    const toml::table* table_;
    std::string path_;
    std::string file_;
    std::vector<InputIssue>& issues_;
    std::set<std::string> seen_;
};


// The scenario's TOML document after `extends` and overrides, as the loader
// saw it (for readers of the sections the model itself skips: [psa], [sweep]).
const toml::table& scenario_document(const Scenario& scenario);

// The pieces of text between separators (empty pieces kept).
std::vector<std::string_view> split_text(std::string_view text, char separator);

// Parses TOML input; a syntax error becomes an InputError naming the line and column.
toml::table parse_toml_input(const std::string& text, const std::string& source_name);

// Dotted key paths as --set and calibration targets address parameters:
// tables by key, arrays of tables by element name (regimens.ivig_2g.price_per_gram)
// or by 0-based position (regimens.ivig_2g.response.0.share).

// The table holding the path's last key, and that key; nullptr and a message
// ("what is wrong — what would be right") if the path does not lead to a table.
toml::table* resolve_key_parent(toml::table& root, std::string_view key_path, std::string& last_key, std::string& problem);

// The node at the path; nullptr and a message if there is none.
const toml::node* find_key_path(const toml::table& root, std::string_view key_path, std::string& problem);

// Whether a key path is a setting of the run ([simulation], [scenario],
// [psa], [sweep], [cea]) rather than a model parameter: PSA draws, sweeps and
// calibrations vary model parameters only (a seed or patient count varied per
// set would be silently ignored by the engine).
bool is_run_setting(std::string_view key_path);

}  // namespace scls
