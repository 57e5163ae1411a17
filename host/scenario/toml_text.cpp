// ASCII-only TOML for the parser, and our own TOML writer (see toml_text.hpp).
#include "host/scenario/toml_text.hpp"

#include <cmath>
#include <fmt/format.h>

#include "host/scenario/input_error.hpp"

namespace scls {

namespace {

// One UTF-8 sequence; length 0 when the bytes are not UTF-8.
struct Utf8Char {
    char32_t codepoint = 0;
    int length = 0;
};

Utf8Char decode_utf8(std::string_view text, std::size_t at)
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    int length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead <= 0xDF ? 2 : 0;
    if (length == 0 || at + length > text.size() || lead > 0xF4) {
        return {};
    }
    char32_t codepoint = lead & (0x7F >> length);
    for (int k = 1; k < length; ++k) {
        if ((byte(at + k) & 0xC0) != 0x80) {
            return {};
        }
        codepoint = (codepoint << 6) | (byte(at + k) & 0x3F);
    }
    const char32_t smallest[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (codepoint < smallest[length] || codepoint > 0x10FFFF || (codepoint >= 0xD800 && codepoint <= 0xDFFF)) {
        return {};  // overlong, beyond Unicode, or a surrogate
    }
    return {codepoint, length};
}

std::string unicode_escape(char32_t codepoint)
{
    return codepoint <= 0xFFFF ? fmt::format("\\u{:04X}", static_cast<unsigned>(codepoint))
                               : fmt::format("\\U{:08X}", static_cast<unsigned>(codepoint));
}

// Text of a literal string as the body of a basic string with the same value.
std::string as_basic_string_body(std::string_view literal)
{
    std::string body;
    for (std::size_t i = 0; i < literal.size();) {
        const char c = literal[i];
        if (static_cast<unsigned char>(c) >= 0x80) {
            const Utf8Char u = decode_utf8(literal, i);  // validated when it was read
            body += unicode_escape(u.codepoint);
            i += static_cast<std::size_t>(u.length);
            continue;
        }
        if (c == '\\' || c == '"') {
            body += '\\';
        }
        body += c;
        ++i;
    }
    return body;
}

enum class Context { plain, comment, basic, multiline_basic, literal, multiline_literal };

class AsciiConverter {
  public:
    AsciiConverter(std::string_view text, const std::string& source_name) : text_(text), source_name_(source_name) {}

    // Lines whose text the conversion lengthened: the parser's columns there
    // are not the file's.
    const std::vector<int>& rewritten_lines() const { return rewritten_lines_; }

    std::string run()
    {
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
            position_ = 3;  // a byte-order mark is allowed and carries nothing
        }
        out_.reserve(text_.size());
        while (position_ < text_.size()) {
            if (static_cast<unsigned char>(text_[position_]) >= 0x80) {
                non_ascii();
            } else {
                ascii(text_[position_]);
            }
        }
        if (context_ == Context::literal || context_ == Context::multiline_literal) {
            finish_literal(false);  // unterminated: the parser reports it
        }
        return out_;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const
    {
        int column = 1;
        for (std::size_t i = line_start_; i < position_; ++i) {
            column += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80 ? 1 : 0;
        }
        throw InputError({{source_name_, "", line_, fmt::format("column {}: {}", column, what)}});
    }

    void non_ascii()
    {
        const Utf8Char u = decode_utf8(text_, position_);
        if (u.length == 0) {
            fail(fmt::format("byte 0x{:02X} is not UTF-8 text (scenario and targets files are UTF-8) — save the file as UTF-8",
                             static_cast<unsigned char>(text_[position_])));
        }
        switch (context_) {
            case Context::plain:
                fail(fmt::format("character '{}' (U+{:04X}) stands outside a quoted string or comment (TOML allows non-ASCII "
                                 "text only in \"strings\" and # comments) — quote it or remove it",
                                 text_.substr(position_, static_cast<std::size_t>(u.length)), static_cast<unsigned>(u.codepoint)));
            case Context::comment:
                out_ += '?';
                break;
            case Context::basic:
            case Context::multiline_basic:
                if (escape_) {
                    fail("a backslash before a non-ASCII character is not a TOML escape — write \\\\ for a backslash");
                }
                out_ += unicode_escape(u.codepoint);
                mark_rewritten();
                break;
            case Context::literal:
            case Context::multiline_literal:
                literal_.append(text_.substr(position_, static_cast<std::size_t>(u.length)));
                literal_has_non_ascii_ = true;
                break;
        }
        position_ += static_cast<std::size_t>(u.length);
    }

    std::size_t quote_run(char quote) const
    {
        std::size_t run = 0;
        while (position_ + run < text_.size() && text_[position_ + run] == quote) {
            ++run;
        }
        return run;
    }

    void start_string(char quote, Context single, Context multiple)
    {
        const bool multiline = quote_run(quote) >= 3;
        context_ = multiline ? multiple : single;
        opening_ = std::string(multiline ? 3 : 1, quote);
        position_ += opening_.size();
        if (quote == '"') {
            out_ += opening_;
        } else {
            literal_.clear();
            literal_has_non_ascii_ = false;
        }
    }

    // Ends a literal string: unchanged when ASCII, else rewritten as a basic
    // string with the same value (a literal string cannot hold escapes).
    void finish_literal(bool closed)
    {
        const bool multiline = context_ == Context::multiline_literal;
        if (!literal_has_non_ascii_) {
            out_ += opening_ + literal_ + (closed ? opening_ : "");
        } else {
            const std::string quotes = multiline ? "\"\"\"" : "\"";
            out_ += quotes + as_basic_string_body(literal_) + (closed ? quotes : "");
            mark_rewritten();
        }
        context_ = Context::plain;
    }

    void ascii(char c)
    {
        if (c == '\n') {
            ++line_;
            line_start_ = position_ + 1;
        }
        switch (context_) {
            case Context::plain:
                check_header_start(c);
                track_key_depth(c);
                if (c == '#') {
                    context_ = Context::comment;
                } else if (c == '"') {
                    return start_string('"', Context::basic, Context::multiline_basic);
                } else if (c == '\'') {
                    return start_string('\'', Context::literal, Context::multiline_literal);
                }
                break;
            case Context::comment:
                if (c == '\n') {
                    context_ = Context::plain;
                    track_key_depth(c);  // the line ends here, comment or not
                }
                break;
            case Context::basic:
            case Context::multiline_basic:
                if (escape_) {
                    escape_ = false;
                } else if (c == '\\') {
                    escape_ = true;
                } else if (c == '"' && context_ == Context::basic) {
                    context_ = Context::plain;
                } else if (c == '"') {
                    const std::size_t run = quote_run('"');
                    out_.append(run, '"');
                    position_ += run;
                    context_ = run >= 3 ? Context::plain : context_;
                    return;
                } else if (c == '\n' && context_ == Context::basic) {
                    context_ = Context::plain;  // unterminated: the parser reports it
                }
                break;
            case Context::literal:
                ++position_;
                if (c == '\'' || c == '\n') {
                    finish_literal(c == '\'');
                    if (c == '\n') {
                        out_ += c;
                    }
                } else {
                    literal_ += c;
                }
                return;
            case Context::multiline_literal: {
                const std::size_t run = c == '\'' ? quote_run('\'') : 0;
                if (run >= 3) {
                    if (run > 5) {
                        fail("a multi-line literal string ends with more than five quotes — close it with '''");
                    }
                    literal_.append(run - 3, '\'');
                    position_ += run;
                    finish_literal(true);
                } else {
                    literal_.append(std::max<std::size_t>(run, 1), c);
                    position_ += std::max<std::size_t>(run, 1);
                }
                return;
            }
        }
        out_ += c;
        ++position_;
    }

    // Counts the parts of each dotted key (in keys only: before '=' on a
    // line, in [headers], after '{' or ',' in an inline table). A key of a
    // million parts would nest a million tables, and freeing them recurses
    // once per level: it is refused here, before the parser builds it.
    void track_key_depth(char c)
    {
        switch (c) {
            case '\n':
                in_key_ = brackets_.empty();
                key_parts_ = 1;
                break;
            case '{':
                brackets_.push_back('{');
                in_key_ = true;
                key_parts_ = 1;
                break;
            case '[':
                if (!header_key_pending_ && in_key_ && brackets_.empty()) {
                    header_key_pending_ = true;
                    header_brackets_ = 1;
                    header_spaced_ = false;
                }
                brackets_.push_back('[');
                break;
            case ']':
            case '}':
                if (!brackets_.empty()) {
                    brackets_.pop_back();
                }
                break;
            case ',':
                if (!brackets_.empty() && brackets_.back() == '{') {
                    in_key_ = true;
                    key_parts_ = 1;
                }
                break;
            case '=':
                in_key_ = false;
                break;
            case '.':
                if (in_key_ && ++key_parts_ > kMaxKeyParts) {
                    fail(fmt::format("a key path has more than {} parts (tables nested that deep are no scenario) — shorten it",
                                     kMaxKeyParts));
                }
                break;
            default:
                break;
        }
    }

    // A [table] header must open with a key: toml++ 3.3 assumes so without
    // checking (an assertion in debug builds, undefined behaviour otherwise).
    void check_header_start(char c)
    {
        if (!header_key_pending_) {
            return;
        }
        if (c == '[') {
            if (header_spaced_ || ++header_brackets_ > 2) {
                fail("a [table] or [[array]] header opens with one or two adjacent brackets — write e.g. [attacks] or [[regimens]]");
            }
            return;
        }
        if (c == ' ' || c == '\t') {
            header_spaced_ = true;
            return;
        }
        const bool key_start = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                               c == '"' || c == '\'';
        if (!key_start) {
            fail("a [table] header must begin with a key name (letters, digits, _ or -, or a quoted name) — write e.g. [attacks]");
        }
        header_key_pending_ = false;
    }

    void mark_rewritten()
    {
        if (rewritten_lines_.empty() || rewritten_lines_.back() != line_) {
            rewritten_lines_.push_back(line_);
        }
    }

    static constexpr int kMaxKeyParts = 32;

    std::string_view text_;
    const std::string& source_name_;
    std::string brackets_;  // open [ and { outside strings
    bool in_key_ = true;
    int key_parts_ = 1;
    std::vector<int> rewritten_lines_;
    bool header_key_pending_ = false;
    int header_brackets_ = 0;
    bool header_spaced_ = false;
    std::string out_;
    std::size_t position_ = 0;
    int line_ = 1;
    std::size_t line_start_ = 0;
    Context context_ = Context::plain;
    bool escape_ = false;
    std::string opening_;
    std::string literal_;
    bool literal_has_non_ascii_ = false;
};

bool is_bare_key(std::string_view key)
{
    if (key.empty()) {
        return false;
    }
    for (char c : key) {
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

std::string quoted(std::string_view text)
{
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
                    out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string key_text(std::string_view key) { return is_bare_key(key) ? std::string(key) : quoted(key); }

std::string float_text(double value)
{
    if (std::isnan(value)) {
        return "nan";
    }
    if (std::isinf(value)) {
        return value > 0 ? "inf" : "-inf";
    }
    std::string text = fmt::format("{}", value);  // shortest text that reads back as the same double
    if (text.find_first_of(".eE") == std::string::npos) {
        text += ".0";
    }
    return text;
}

std::string date_text(const toml::date& d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

std::string time_text(const toml::time& t)
{
    std::string text = fmt::format("{:02}:{:02}:{:02}", t.hour, t.minute, t.second);
    return t.nanosecond ? text + fmt::format(".{:09}", t.nanosecond) : text;
}

std::string offset_text(const toml::time_offset& o)
{
    if (o.minutes == 0) {
        return "Z";
    }
    const int minutes = o.minutes < 0 ? -o.minutes : o.minutes;
    return fmt::format("{}{:02}:{:02}", o.minutes < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

bool is_table_array(const toml::node& node)
{
    const toml::array* array = node.as_array();
    if (!array || array->empty() || !array->is_array_of_tables()) {
        return false;
    }
    for (const toml::node& element : *array) {
        if (element.as_table()->is_inline()) {
            return false;
        }
    }
    return true;
}

bool is_section(const toml::node& node) { return (node.is_table() && !node.as_table()->is_inline()) || is_table_array(node); }

std::string inline_table_text(const toml::table& table)
{
    std::string text = "{ ";
    bool first = true;
    for (const auto& [key, value] : table) {
        text += (first ? "" : ", ") + key_text(key.str()) + " = " + format_toml_value(value);
        first = false;
    }
    return first ? "{}" : text + " }";
}

void write_table(std::string& out, const toml::table& table, const std::string& path)
{
    for (const auto& [key, value] : table) {
        if (!is_section(value)) {
            out += key_text(key.str()) + " = " + format_toml_value(value) + "\n";
        }
    }
    for (const auto& [key, value] : table) {
        const std::string child = path.empty() ? key_text(key.str()) : path + "." + key_text(key.str());
        if (value.is_table() && is_section(value)) {
            const toml::table& table_value = *value.as_table();
            bool has_plain_keys = table_value.empty();
            for (const auto& [sub_key, sub_value] : table_value) {
                has_plain_keys = has_plain_keys || !is_section(sub_value);
            }
            if (has_plain_keys) {  // a table holding only tables needs no header of its own
                out += "\n[" + child + "]\n";
            }
            write_table(out, table_value, child);
        } else if (is_table_array(value)) {
            for (const toml::node& element : *value.as_array()) {
                out += "\n[[" + child + "]]\n";
                write_table(out, *element.as_table(), child);
            }
        }
    }
}

}  // namespace

AsciiToml ascii_toml(std::string_view text, const std::string& source_name)
{
    AsciiConverter converter(text, source_name);
    AsciiToml result;
    result.text = converter.run();
    result.rewritten_lines = converter.rewritten_lines();
    return result;
}

std::string format_toml_value(const toml::node& value)
{
    switch (value.type()) {
        case toml::node_type::string: return quoted(*value.value_exact<std::string>());
        case toml::node_type::integer: return fmt::format("{}", *value.value_exact<std::int64_t>());
        case toml::node_type::floating_point: return float_text(*value.value_exact<double>());
        case toml::node_type::boolean: return *value.value_exact<bool>() ? "true" : "false";
        case toml::node_type::date: return date_text(*value.value_exact<toml::date>());
        case toml::node_type::time: return time_text(*value.value_exact<toml::time>());
        case toml::node_type::date_time: {
            const toml::date_time dt = *value.value_exact<toml::date_time>();
            return date_text(dt.date) + "T" + time_text(dt.time) + (dt.offset ? offset_text(*dt.offset) : "");
        }
        case toml::node_type::table: return inline_table_text(*value.as_table());
        case toml::node_type::array: {
            std::string text = "[";
            bool first = true;
            for (const toml::node& element : *value.as_array()) {
                text += (first ? "" : ", ") + format_toml_value(element);
                first = false;
            }
            return text + "]";
        }
        case toml::node_type::none: break;
    }
    return "\"\"";
}

std::string format_toml(const toml::table& root)
{
    std::string out;
    write_table(out, root, "");
    return out.size() > 0 && out[0] == '\n' ? out.substr(1) : out;
}

}  // namespace scls
