/* libFuzzer harness for the debugging aids' frame tracing (src/trace.c),
 * which reads peer-chosen payloads.
 * Input: [type][flags][cap] then the payload; cap is also the stream id.
 * The payload is handed over in a block of exactly its size, so a read
 * past fi->length is an ASan report.
 * Oracles: the line is one line of printable ASCII; the snprintf contract
 * holds at capacity `cap` (a NUL-terminated prefix, nothing written past
 * cap, the full length returned); the same holds for the payload taken as
 * a header field, split at its first ':'. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h2wire.h"

#define GUARD 16

static void check_line(const char *line, size_t len) {
  size_t i;
  if (strlen(line) != len) {
    abort();
  }
  for (i = 0; i < len; i++) {
    if (line[i] < 0x20 || line[i] > 0x7e) {
      abort();
    }
  }
}

/* At capacity cap: a prefix of `full`, NUL-terminated, no write past cap. */
static void check_cut(const char *full, size_t len, const char *buf, size_t cap,
                      size_t got) {
  size_t i, kept;
  if (got != len) {
    abort();
  }
  if (cap > 0) {
    kept = cap - 1 < len ? cap - 1 : len;
    if (memcmp(buf, full, kept) != 0 || buf[kept] != '\0') {
      abort();
    }
  }
  for (i = cap; i < cap + GUARD; i++) {
    if ((uint8_t)buf[i] != 0xee) {
      abort();
    }
  }
}

static void trace_frame(const h2w_frame_info *fi, const uint8_t *p,
                        size_t cap) {
  size_t len = h2w_frame_trace(NULL, 0, fi->flags & 1, fi, p);
  char *full = malloc(len + 1), *buf;
  if (full == NULL) {
    return;
  }
  if (h2w_frame_trace(full, len + 1, fi->flags & 1, fi, p) != len) {
    abort();
  }
  check_line(full, len);
  cap %= len + 2;
  buf = malloc(cap + GUARD);
  if (buf != NULL) {
    memset(buf, 0xee, cap + GUARD);
    check_cut(full, len, buf, cap,
              h2w_frame_trace(buf, cap, fi->flags & 1, fi, p));
    free(buf);
  }
  free(full);
}

static void trace_nv(const uint8_t *p, size_t n, size_t cap) {
  const uint8_t *colon = n > 0 ? memchr(p, ':', n) : NULL;
  size_t split = colon != NULL ? (size_t)(colon - p) : n / 2;
  h2w_nv nv;
  size_t len;
  char *full, *buf;
  nv.name = p;
  nv.namelen = split;
  nv.value = p + split;
  nv.valuelen = n - split;
  nv.flags = cap & 1 ? H2W_NV_FLAG_NEVER_INDEX : 0;
  len = h2w_nv_trace(NULL, 0, &nv);
  full = malloc(len + 1);
  if (full == NULL) {
    return;
  }
  if (h2w_nv_trace(full, len + 1, &nv) != len) {
    abort();
  }
  check_line(full, len);
  cap %= len + 2;
  buf = malloc(cap + GUARD);
  if (buf != NULL) {
    memset(buf, 0xee, cap + GUARD);
    check_cut(full, len, buf, cap, h2w_nv_trace(buf, cap, &nv));
    free(buf);
  }
  free(full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  h2w_frame_info fi;
  uint8_t *p;
  size_t n;
  if (size < 3) {
    return 0;
  }
  n = size - 3;
  p = malloc(n > 0 ? n : 1);
  if (p == NULL) {
    return 0;
  }
  memcpy(p, data + 3, n);
  memset(&fi, 0, sizeof fi);
  fi.type = data[0];
  fi.flags = data[1];
  fi.length = (uint32_t)n;
  fi.stream_id = data[2];
  trace_frame(&fi, p, data[2]);
  /* The same header with no payload (a NO_COPY DATA frame's case). */
  trace_frame(&fi, NULL, data[2]);
  trace_nv(p, n, data[2]);
  free(p);
  return 0;
}
