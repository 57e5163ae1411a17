// Paths the tests need, set by CMake.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace scls::test {
inline const std::string kSourceDir = SCLS_TEST_SOURCE_DIR;
// The published life table in ../shared/data beside the checkout (its path
// is tests/CMakeLists.txt's SCLS_SHARED_LIFE_TABLE).
inline std::string shared_life_table() { return SCLS_TEST_SHARED_LIFE_TABLE; }
}  // namespace scls::test

// The published life table is reference data kept beside the checkout
// (../shared/data), not in the project. CI always has it (.ci/run refuses to
// run without it); a checkout without it skips the tests that read it, saying so.
#define SCLS_SKIP_WITHOUT_SHARED_LIFE_TABLE()                                                                    \
    do {                                                                                                         \
        if (!std::filesystem::exists(scls::test::shared_life_table())) {                                         \
            GTEST_SKIP() << "no reference life table at " << scls::test::shared_life_table()                     \
                         << " (../shared/data is not beside this checkout) — put it there to run this test";     \
        }                                                                                                        \
    } while (false)
