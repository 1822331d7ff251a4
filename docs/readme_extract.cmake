# cmake -DREADME=README.md -DCODE=out.c -DEXPECTED=out.txt -P readme_extract.cmake
# Writes the README's worked example, the ```c block between the
# <!-- example:begin --> and <!-- example:end --> markers, to CODE, and the
# output it prints, the block between <!-- example-output:begin --> and
# <!-- example-output:end -->, to EXPECTED. The test builds and runs that
# code, so the README's example cannot drift from the library.
file(READ "${README}" text)

# fenced_between(<begin> <end> <out var>): the lines of the one fenced
# block between the markers, without the fences.
function(fenced_between begin end out)
  string(FIND "${text}" "${begin}" b)
  string(FIND "${text}" "${begin}" b_last REVERSE)
  string(FIND "${text}" "${end}" e)
  if(b EQUAL -1 OR e EQUAL -1 OR NOT b EQUAL b_last OR e LESS b)
    message(FATAL_ERROR "${README}: need exactly one ${begin} ... ${end}")
  endif()
  string(LENGTH "${begin}" blen)
  math(EXPR from "${b} + ${blen}")
  math(EXPR len "${e} - ${from}")
  string(SUBSTRING "${text}" ${from} ${len} inner)
  # The body of the first fenced block: from the line after the opening
  # ``` to the closing ``` line.
  if(NOT inner MATCHES "```[a-z]*\n(.*\n)```")
    message(FATAL_ERROR "${README}: no fenced block between ${begin} and ${end}")
  endif()
  set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

fenced_between("<!-- example:begin -->" "<!-- example:end -->" code)
fenced_between("<!-- example-output:begin -->" "<!-- example-output:end -->" expected)
file(WRITE "${CODE}" "${code}")
file(WRITE "${EXPECTED}" "${expected}")
