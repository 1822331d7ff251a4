#include "trace.h"

#include <string.h>

/* Longer lines are cut and end with "..." (a SETTINGS frame of 16
 * entries, the longest line h2w_frame_trace() makes for a frame of this
 * library, fits). */
#define LINE_MAX_LEN 1024

/* One line is assembled here and written with a single fputs, so lines of
 * two programs sharing a terminal do not interleave mid-line. */
static void emit(FILE *out, char *line, size_t used, size_t want) {
  if (want >= LINE_MAX_LEN - used - 4) {
    /* Cut: the formatter filled the room; mark it. */
    used = LINE_MAX_LEN - 5;
    memcpy(line + used, "...", 3);
    used += 3;
  } else {
    used += want;
  }
  line[used++] = '\n';
  line[used] = '\0';
  fputs(line, out);
}

static size_t put_prefix(char *line, const char *prefix) {
  size_t n = strlen(prefix);
  if (n > LINE_MAX_LEN / 2) {
    n = LINE_MAX_LEN / 2;
  }
  memcpy(line, prefix, n);
  return n;
}

void ex_trace_frame(FILE *out, const char *prefix, int sent,
                    const h2w_frame_info *fi, const uint8_t *payload) {
  char line[LINE_MAX_LEN];
  size_t used = put_prefix(line, prefix);
  /* Room for the newline, and for "..." if the line is cut. */
  size_t want =
      h2w_frame_trace(line + used, LINE_MAX_LEN - used - 4, sent, fi, payload);
  emit(out, line, used, want);
}

void ex_trace_header(FILE *out, const char *prefix, uint32_t stream_id,
                     const h2w_nv *nv) {
  char line[LINE_MAX_LEN];
  size_t used = put_prefix(line, prefix);
  int k = snprintf(line + used, LINE_MAX_LEN - used, "recv header stream=%u ",
                   (unsigned)stream_id);
  used += k > 0 ? (size_t)k : 0;
  emit(out, line, used, h2w_nv_trace(line + used, LINE_MAX_LEN - used - 4, nv));
}
