# cmake -DFILES="a.h;b.h" -P check_empty_docs.cmake
# Doxygen accepts an empty documentation comment as documentation, so its
# warnings alone would let "/** */" stand in for a description. This fails
# on any doc comment with no text in it: /** */, /**< */, /*! */ and the
# same with only blank or "*" lines inside.
set(bad 0)
foreach(f IN LISTS FILES)
  file(READ "${f}" text)
  string(REGEX MATCHALL "/\\*[*!]<?[ \t\r\n*]*\\*/" empty "${text}")
  foreach(e IN LISTS empty)
    # "/**/" is an ordinary empty C comment, not a doc comment.
    if(NOT e STREQUAL "/**/")
      message(SEND_ERROR "${f}: empty documentation comment: ${e}")
      set(bad 1)
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "empty documentation comments in the public headers")
endif()
