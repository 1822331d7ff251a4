#define _POSIX_C_SOURCE 200809L

#include "util.h"

#include <fcntl.h>
#include <string.h>
#include <time.h>

uint64_t ex_now_ms(void) {
  struct timespec ts;
  /* CLOCK_MONOTONIC never jumps with wall-clock changes, so deadlines
   * computed from it stay meaningful. It cannot fail on Linux. */
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int ex_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out) {
  uint64_t v = 0;
  if (len == 0) {
    return -1;
  }
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') {
      return -1;
    }
    uint64_t d = (uint64_t)(s[i] - '0');
    /* Checked before multiplying, so no value wraps around. */
    if (v > (max - d) / 10u) {
      return -1;
    }
    v = v * 10u + d;
  }
  *out = v;
  return 0;
}

h2w_nv ex_nv(const char *name, const char *value, size_t valuelen) {
  h2w_nv nv;
  nv.name = (const uint8_t *)name;
  nv.namelen = strlen(name);
  nv.value = (const uint8_t *)value;
  nv.valuelen = valuelen;
  nv.flags = 0;
  return nv;
}

h2w_nv ex_nvs(const char *name, const char *value) {
  return ex_nv(name, value, strlen(value));
}

int ex_set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) {
    return -1;
  }
  return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}
