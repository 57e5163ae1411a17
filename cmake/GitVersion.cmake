# Run at build time (cmake -P): writes the version header with the commit the
# binary is built from. configure_file rewrites it only when the text changes,
# so an unchanged commit recompiles nothing.
execute_process(COMMAND git describe --always --dirty --abbrev=12
  WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE SCLS_GIT_COMMIT
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT SCLS_GIT_COMMIT)
  set(SCLS_GIT_COMMIT unknown)
endif()
configure_file(${IN} ${OUT} @ONLY)
