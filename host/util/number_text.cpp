#include "host/util/number_text.hpp"

#include <cmath>
#include <fmt/format.h>

namespace scls {

std::string grouped(double value, int decimals)
{
    if (std::isnan(value)) {
        return "—";
    }
    if (std::isinf(value)) {
        return value > 0 ? "inf" : "-inf";
    }
    std::string digits = fmt::format("{:.{}f}", std::fabs(value), decimals);
    const std::size_t point = digits.find('.');
    std::size_t integer_end = point == std::string::npos ? digits.size() : point;
    for (std::size_t at = integer_end; at > 3; at -= 3) {
        digits.insert(at - 3, ",");
    }
    const bool negative = value < 0 && digits.find_first_not_of("0.,") != std::string::npos;  // no "-0"
    return negative ? "-" + digits : digits;
}

}  // namespace scls
