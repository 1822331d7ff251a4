# cmake -DLIB=<libh2wire.so> -DSTRIP=<strip> -DLIMIT=<octets> [-DOUT=<dir>]
#   -P H2wCheckSize.cmake
# Strips a copy of LIB (strip --strip-all) and fails if the copy is LIMIT
# octets or more: the size bound of bench/README.md, "Library size".
foreach(v LIB STRIP LIMIT)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "H2wCheckSize.cmake: ${v} not set")
  endif()
endforeach()
if(NOT DEFINED OUT)
  get_filename_component(OUT "${LIB}" DIRECTORY)
endif()
set(copy "${OUT}/libh2wire-size-check.so")
configure_file("${LIB}" "${copy}" COPYONLY)
execute_process(COMMAND "${STRIP}" --strip-all "${copy}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${STRIP} --strip-all ${copy} failed: ${rc}")
endif()
file(SIZE "${copy}" size)
file(REMOVE "${copy}")
if(size GREATER_EQUAL LIMIT)
  message(FATAL_ERROR "stripped ${LIB}: ${size} octets, limit ${LIMIT}")
endif()
message(STATUS "stripped ${LIB}: ${size} octets (limit ${LIMIT})")
