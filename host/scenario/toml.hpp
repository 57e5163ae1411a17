// toml++ as sclsim uses it: include this, never <toml++/toml.h> directly.
//
// toml++ 3.3 states facts about its input as internal assertions (debug
// builds) or compiler assumptions (clang release builds), and malformed input
// can break some of them: a '}' where an array value should begin, a header
// that does not open with a key. Both are turned into no-ops here, as in a
// gcc release build, so that the parser's own checks report such input as
// invalid TOML instead of aborting or running into undefined behaviour.
#pragma once

#include <toml++/impl/preprocessor.h>

#undef TOML_ASSUME
#define TOML_ASSUME(...) static_assert(true)
#undef TOML_ASSERT
#define TOML_ASSERT(expr) static_assert(true)

#include <toml++/toml.h>
