/* An outside program using only the installed header and library. */
#include <h2wire.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  int major = -1, minor = -1, patch = -1;
  const char *v = h2w_version(&major, &minor, &patch);
  if (major != H2W_VERSION_MAJOR || minor != H2W_VERSION_MINOR ||
      patch != H2W_VERSION_PATCH || strcmp(v, H2W_VERSION_STRING) != 0) {
    fprintf(stderr, "version mismatch: header %s, library %s\n",
            H2W_VERSION_STRING, v);
    return 1;
  }
  if (strcmp(h2w_http2_error_name(H2W_PROTOCOL_ERROR), "PROTOCOL_ERROR") != 0) {
    return 1;
  }
  printf("h2wire %s\n", v);
  return 0;
}
