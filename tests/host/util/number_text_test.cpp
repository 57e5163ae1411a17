// Numbers and text for terminal tables.
#include "host/util/number_text.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <sstream>

namespace scls {
namespace {

TEST(Grouped, SeparatesThousandsOfTheIntegerPartOnly)
{
    EXPECT_EQ(grouped(0.0), "0");
    EXPECT_EQ(grouped(999.0), "999");
    EXPECT_EQ(grouped(1000.0), "1,000");
    EXPECT_EQ(grouped(1234567.891, 2), "1,234,567.89");
    EXPECT_EQ(grouped(-150000.0), "-150,000");
    EXPECT_EQ(grouped(123456.5, 3), "123,456.500");
}

TEST(Grouped, NoNegativeZeroAndADashForMissingValues)
{
    EXPECT_EQ(grouped(-0.2), "0");
    EXPECT_EQ(grouped(std::nan("")), "—");
    EXPECT_EQ(grouped(-INFINITY), "-inf");
}

TEST(WrapWords, BreaksBetweenWordsWithinTheWidth)
{
    const std::string text = "one two three four five six seven eight nine ten";
    const std::string wrapped = wrap_words(text, 14, "  ");
    std::istringstream lines(wrapped);
    std::string line, rejoined;
    while (std::getline(lines, line)) {
        EXPECT_LE(line.size(), 14u) << line;
        rejoined += (rejoined.empty() ? "" : " ") + line.substr(line.rfind("  ", 0) == 0 ? 2 : 0);
    }
    EXPECT_EQ(rejoined, text);
    EXPECT_EQ(wrapped.substr(0, 14), "one two three\n");
}

TEST(WrapWords, ALongerWordStandsAlone)
{
    EXPECT_EQ(wrap_words("a verylongwordindeed b", 6, ""), "a\nverylongwordindeed\nb");
    EXPECT_EQ(wrap_words("", 10, "  "), "");
}

}  // namespace
}  // namespace scls
