// TOML text in and out, kept away from two defects of Debian's toml++ 3.3:
//
// - Its parser classifies non-ASCII characters with generated tables that
//   reach __builtin_unreachable for U+00A1..U+0499 wherever it asks "is this
//   whitespace?" (after a key, while recording a key or a value, after a
//   backslash in a multi-line string). ascii_toml() hands it ASCII only:
//   non-ASCII text inside strings becomes \u escapes (the same string),
//   inside comments '?', and anywhere else is an input error with its line
//   and column — TOML allows non-ASCII only in strings and comments.
// - Its formatter casts a negative log10 to size_t for floats in (0, 1)
//   inside inline arrays. format_toml() is our own writer; the library is
//   built without its formatters, so nothing can reach that code.
#pragma once

#include <string>
#include <string_view>
#include <vector>
#include "host/scenario/toml.hpp"

namespace scls {

// The same TOML document in ASCII. Throws InputError (file = source_name,
// with the line) for text that is not UTF-8 or holds non-ASCII characters
// outside strings and comments, and for key paths or headers that toml++
// would mishandle.
struct AsciiToml {
    std::string text;
    std::vector<int> rewritten_lines;  // lines lengthened by escapes: a parser's column there is not the file's
};
AsciiToml ascii_toml(std::string_view text, const std::string& source_name);

// A document as TOML text: plain keys first, then [tables], then
// [[arrays of tables]]; inline tables and arrays of inline tables stay inline.
std::string format_toml(const toml::table& root);

// One value as TOML text (strings quoted and escaped; floats so that they
// read back as the same double).
std::string format_toml_value(const toml::node& value);

}  // namespace scls
