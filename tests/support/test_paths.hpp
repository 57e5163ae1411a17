// Paths the tests need, set by CMake.
#pragma once

#include <string>

namespace scls::test {
inline const std::string kSharedDir = SCLS_TEST_SHARED_DIR;  // ../shared beside the checkout
inline const std::string kSourceDir = SCLS_TEST_SOURCE_DIR;
inline std::string shared_life_table() { return kSharedDir + "/data/life_tables/us_ssa_2017_period.csv"; }
}  // namespace scls::test
