include(CMakePackageConfigHelpers)

install(TARGETS h2wire h2wire_static EXPORT h2wireTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/include/h2wire.h"
              "${PROJECT_SOURCE_DIR}/include/h2wire_version.h"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

set(H2W_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/h2wire")
install(EXPORT h2wireTargets NAMESPACE h2wire:: DESTINATION "${H2W_CMAKE_DIR}")
configure_package_config_file(cmake/h2wireConfig.cmake.in
  "${PROJECT_BINARY_DIR}/h2wireConfig.cmake"
  INSTALL_DESTINATION "${H2W_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/h2wireConfigVersion.cmake"
  COMPATIBILITY ${H2W_PACKAGE_COMPAT}) # the ABI policy, see CMakeLists.txt
install(FILES "${PROJECT_BINARY_DIR}/h2wireConfig.cmake"
              "${PROJECT_BINARY_DIR}/h2wireConfigVersion.cmake"
        DESTINATION "${H2W_CMAKE_DIR}")

# pkg-config: prefix derived from the .pc file's own location, so an installed
# tree can be moved (and installed with --prefix at install time).
file(RELATIVE_PATH H2W_PC_UP "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
string(REGEX REPLACE "/$" "" H2W_PC_UP "${H2W_PC_UP}")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(H2W_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  set(H2W_PC_PREFIX "\${pcfiledir}/${H2W_PC_UP}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(H2W_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(H2W_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(H2W_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(H2W_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/h2wire.pc.in "${PROJECT_BINARY_DIR}/h2wire.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/h2wire.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
