// TOML text in and out: non-ASCII text reaches the parser only as escapes
// (Debian's toml++ 3.3 has undefined behaviour for U+00A1..U+0499 wherever it
// classifies whitespace), and our writer's output reads back as the same
// document, floats to the last bit.
#include "host/scenario/toml_text.hpp"

#include <gtest/gtest.h>

#include "host/scenario/input_error.hpp"
#include "host/scenario/scenario.hpp"
#include "host/scenario/toml_reader.hpp"

namespace scls {
namespace {

std::string problem_of(const std::string& text)
{
    try {
        ascii_toml(text, "t.toml");
    } catch (const InputError& e) {
        return e.issues().front().to_string();
    }
    return "";
}

TEST(AsciiToml, StringsKeepTheirTextThroughEscapes)
{
    const std::string text = "a = \"Eur\xC3\xAA" "Clark \xE2\x82\xAC\"\nb = 'caf\xC3\xA9 \\\\ \"x\"'\nc = '''\nZ\xC3\xBCrich\n'''\n"
                             "d = \"\"\"Ж\"\"\"\n# \xD0\x96 in a comment\n";
    const std::string ascii = ascii_toml(text, "t.toml").text;
    for (const unsigned char c : ascii) {
        ASSERT_LT(c, 0x80) << ascii;
    }
    const toml::table parsed = parse_toml_input(text, "t.toml");
    EXPECT_EQ(parsed["a"].value<std::string>(), "Eur\xC3\xAA" "Clark \xE2\x82\xAC");
    EXPECT_EQ(parsed["b"].value<std::string>(), "caf\xC3\xA9 \\\\ \"x\"");
    EXPECT_EQ(parsed["c"].value<std::string>(), "Z\xC3\xBCrich\n");
    EXPECT_EQ(parsed["d"].value<std::string>(), "Ж");
}

TEST(AsciiToml, NonAsciiOutsideStringsIsAnErrorWithItsPlace)
{
    // U+0416 right after a key: the character class toml++ mishandles.
    EXPECT_EQ(problem_of("[a]\nkey\xD0\x96 = 1\n").rfind("t.toml:2: column 4: character", 0), 0u) << problem_of("[a]\nkey\xD0\x96 = 1\n");
    EXPECT_NE(problem_of("x = 1\xD0\x96\n").find("U+0416"), std::string::npos);
    EXPECT_NE(problem_of("x = \"\xFF\"\n").find("not UTF-8"), std::string::npos);
    EXPECT_NE(problem_of("x = \"\xC0\xAF\"\n").find("not UTF-8"), std::string::npos);  // overlong
    EXPECT_NE(problem_of("x = \"\\\xD0\x96\"\n").find("backslash"), std::string::npos);
    EXPECT_EQ(problem_of("\xEF\xBB\xBFx = 1\n"), "");  // a byte-order mark is fine
}

TEST(FormatToml, TheBuiltInScenarioReadsBackTheSame)
{
    const toml::table original = parse_toml_input(builtin_scenario_text(), "builtin");
    const std::string written = format_toml(original);
    const toml::table again = parse_toml_input(written, "written");
    EXPECT_EQ(format_toml(again), written);
    EXPECT_TRUE(original == again);
}

TEST(FormatToml, FloatsInsideInlineArraysKeepEveryBit)
{
    // toml++'s own formatter has undefined behaviour for floats in (0, 1) in inline arrays.
    const toml::table table = parse_toml_input("x = [0.1, 1e-300, 0.30000000000000004, -0.5, 2.0, 1e300]\n"
                                               "y = { a = 0.0032, b = [\"s\\\"q\", 3] }\n",
                                               "t.toml");
    const std::string written = format_toml(table);
    EXPECT_TRUE(parse_toml_input(written, "written") == table) << written;
    EXPECT_NE(written.find("0.30000000000000004"), std::string::npos) << written;
}

}  // namespace
}  // namespace scls
