#include "h2wire.h"

const char *h2w_version(int *major, int *minor, int *patch) {
  if (major != NULL) {
    *major = H2W_VERSION_MAJOR;
  }
  if (minor != NULL) {
    *minor = H2W_VERSION_MINOR;
  }
  if (patch != NULL) {
    *patch = H2W_VERSION_PATCH;
  }
  return H2W_VERSION_STRING;
}
