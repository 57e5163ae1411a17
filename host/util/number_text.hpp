// Numbers and text as people read them in terminal tables: thousands
// separated by commas (1,234,567), a dash for values that do not exist, long
// lines broken between words.
#pragma once

#include <cstddef>
#include <string>

namespace scls {

// value with the given decimals and its integer part in groups of three;
// "—" for NaN.
std::string grouped(double value, int decimals = 0);

// text broken between words into lines of at most width columns (a longer
// word stands alone), each line after the first starting with indent; no
// final newline.
std::string wrap_words(const std::string& text, std::size_t width, const std::string& indent);

}  // namespace scls
