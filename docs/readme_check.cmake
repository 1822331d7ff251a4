# cmake -DEXE=readme_example -DEXPECTED=out.txt -P readme_check.cmake
# Runs the README's example: it must exit 0, print exactly the output the
# README shows, and write nothing to stderr (a sanitizer report would).
execute_process(COMMAND "${EXE}" RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(READ "${EXPECTED}" expected)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "the README example exited with ${rc}:\n${out}${err}")
endif()
if(NOT err STREQUAL "")
  message(FATAL_ERROR "the README example wrote to stderr:\n${err}")
endif()
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "the README example printed\n${out}\n"
                      "but the README says it prints\n${expected}")
endif()
message(STATUS "README example: output matches the README")
