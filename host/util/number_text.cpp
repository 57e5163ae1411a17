#include "host/util/number_text.hpp"

#include <algorithm>
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
    const std::string plain = fmt::format("{:.{}f}", std::fabs(value), decimals);
    const std::size_t integer_end = std::min(plain.find('.'), plain.size());
    std::string digits;
    for (std::size_t i = 0; i < plain.size(); ++i) {
        if (i > 0 && i < integer_end && (integer_end - i) % 3 == 0) {
            digits += ',';
        }
        digits += plain[i];
    }
    const bool negative = value < 0 && digits.find_first_not_of("0.,") != std::string::npos;  // no "-0"
    return negative ? "-" + digits : digits;
}

std::string wrap_words(const std::string& text, std::size_t width, const std::string& indent)
{
    std::string out, line;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        end = end == std::string::npos ? text.size() : end;
        const std::string word = text.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line = indent;
        }
        line += (line.empty() || line == indent ? "" : " ") + word;
    }
    return out + line;
}

}  // namespace scls
