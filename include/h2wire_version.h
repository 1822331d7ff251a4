/** @file
 * The version of the h2wire headers, for compile-time checks; h2w_version()
 * gives the library's at run time. Committed, not generated, so that the
 * sources build with a plain compiler line; CMake refuses to configure when
 * these numbers differ from project(VERSION) in CMakeLists.txt, so bump both
 * together. */
#ifndef H2WIRE_VERSION_H
#define H2WIRE_VERSION_H

/** @addtogroup h2w_basics
 *  @{ */
/** The major version number. */
#define H2W_VERSION_MAJOR 0
/** The minor version number. */
#define H2W_VERSION_MINOR 1
/** The patch version number. */
#define H2W_VERSION_PATCH 0
/** The version as a string, "MAJOR.MINOR.PATCH". */
#define H2W_VERSION_STRING "0.1.0"
/** Single number for compile-time comparisons: 0xMMmmpp. */
#define H2W_VERSION_NUM                                                        \
  ((H2W_VERSION_MAJOR << 16) | (H2W_VERSION_MINOR << 8) | H2W_VERSION_PATCH)

/** @} */

#endif
