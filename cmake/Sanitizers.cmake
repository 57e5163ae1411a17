# Sanitizer and fuzzing builds (presets `sanitize` and `fuzz`). Every C/C++
# target made after this include is instrumented; third-party shared
# libraries (HDF5, GSL, NLopt, and toml++ while it is linked as Debian's
# shared library) are not.
set(SCLS_SANITIZE "" CACHE STRING "Sanitizers for all C/C++ code, as for -fsanitize= (e.g. address,undefined); empty: none")
option(SCLS_BUILD_FUZZERS "Build the libFuzzer targets of tests/fuzz (clang only)" OFF)

if(SCLS_SANITIZE)
  # Any finding stops the program: a test that merely printed a report would pass.
  add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=${SCLS_SANITIZE};-fno-sanitize-recover=all;-fno-omit-frame-pointer>")
  add_link_options("$<$<LINK_LANGUAGE:C,CXX>:-fsanitize=${SCLS_SANITIZE}>")
  message(STATUS "sclsim: sanitizers ${SCLS_SANITIZE}")
endif()

if(SCLS_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SCLS_BUILD_FUZZERS is ON with ${CMAKE_CXX_COMPILER_ID} (libFuzzer comes with clang) — "
                        "configure with `cmake --preset fuzz` (clang++-14)")
  endif()
  # Coverage feedback from all of sclsim's code, not only the fuzz targets;
  # the targets themselves link libFuzzer's main (tests/fuzz/CMakeLists.txt).
  add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=fuzzer-no-link>")
endif()
