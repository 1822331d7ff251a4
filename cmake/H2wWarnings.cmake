# The warning set every target of ours builds with (DEVELOPERS.md, "Definition
# of done"). H2W_WERROR turns them into errors; CI and the quick start set it.
add_library(h2w_warnings INTERFACE)
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(h2w_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
  if(H2W_WERROR)
    target_compile_options(h2w_warnings INTERFACE -Werror)
  endif()
endif()

# h2w_add_program(<name> <sources...> [INTERNAL]): an executable in bin/
# linked against the shared library (public API only) or, with INTERNAL,
# against the static library with access to src/.
function(h2w_add_program name)
  cmake_parse_arguments(P "INTERNAL" "" "" ${ARGN})
  add_executable(${name} ${P_UNPARSED_ARGUMENTS})
  if(P_INTERNAL)
    target_link_libraries(${name} PRIVATE h2wire_internal h2w_warnings)
  else()
    target_link_libraries(${name} PRIVATE h2wire h2w_warnings)
  endif()
endfunction()
