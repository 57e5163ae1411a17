# Writes a C++ source defining a function that returns the text of a file,
# so the built-in base scenario ships inside the binary.
function(scls_embed_text input output function_name)
  file(READ "${input}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  file(WRITE "${output}.tmp"
    "// Generated from ${input}; do not edit.\n"
    "#include <string>\nnamespace scls {\nconst std::string& ${function_name}()\n{\n"
    "    static const char bytes[] = {${bytes} '\\0'};\n"
    "    static const std::string text(bytes, sizeof bytes - 1);\n    return text;\n}\n}  // namespace scls\n")
  configure_file("${output}.tmp" "${output}" COPYONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${input}")
endfunction()
