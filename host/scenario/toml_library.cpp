// toml++'s implementation, compiled into sclsim rather than taken from
// Debian's shared library: built with our flags (sanitizers see it) and
// without the library's formatters, whose float-width code is undefined for
// values in (0, 1) (see toml_text.hpp), and with its internal assumptions off
// (see toml.hpp). The build defines TOML_HEADER_ONLY=0 and
// TOML_ENABLE_FORMATTERS=0 for every file that includes toml++.
#define TOML_IMPLEMENTATION
#include "host/scenario/toml.hpp"
