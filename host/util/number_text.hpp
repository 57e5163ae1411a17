// Numbers as people read them in tables: thousands separated by commas
// (1,234,567), a dash for values that do not exist.
#pragma once

#include <string>

namespace scls {

// value with the given decimals and its integer part in groups of three;
// "—" for NaN.
std::string grouped(double value, int decimals = 0);

}  // namespace scls
