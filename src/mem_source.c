/* A data source over a buffer in memory (h2wire.h, h2w_data_source_mem):
 * the body every simple server writes by hand. No allocation: the caller
 * owns the state, which says how far the body has been read. */
#include <string.h>

#include "h2wire.h"

static h2w_ssize mem_read(h2w_session *s, uint32_t stream_id, uint8_t *buf,
                          size_t len, uint32_t *flags, void *source_user) {
  h2w_mem_source *m = source_user;
  size_t n = m->len - m->off;
  (void)s;
  (void)stream_id;
  if (n > len) {
    n = len;
  }
  if (n > 0) {
    memcpy(buf, m->buf + m->off, n);
    m->off += n;
  }
  if (m->off == m->len) {
    /* The last read ends the body (and the stream, RFC 9113 §8.1, unless
     * trailers follow). */
    *flags = H2W_DATA_FLAG_EOF | m->end_flags;
  }
  return (h2w_ssize)n;
}

int h2w_data_source_mem(h2w_data_source *out, h2w_mem_source *state,
                        const void *buf, size_t len, uint32_t flags) {
  if (out == NULL || state == NULL || (buf == NULL && len > 0) ||
      (flags & ~(uint32_t)H2W_DATA_FLAG_NO_END_STREAM) != 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  state->buf = buf;
  state->len = len;
  state->off = 0;
  state->end_flags = flags;
  out->read = mem_read;
  out->write = NULL;
  out->user = state;
  return H2W_OK;
}
