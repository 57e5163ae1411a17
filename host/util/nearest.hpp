// "Did you mean ...?": the closest candidate to a mistyped word.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace scls {

// The candidate closest to word by edit distance, or "" when none is close
// enough to be a likely typo.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean \"x\"?)" when a candidate is close, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace scls
