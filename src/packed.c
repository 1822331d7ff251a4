/* Packed header lists and memory-range bodies (h2wire.h, "Event-buffer
 * mode"): what a binding needs to submit a message in one crossing. The
 * blob is unpacked into an h2w_nv array pointing into it and handed to the
 * ordinary submit functions, so every rule they enforce holds unchanged;
 * the body is a data source of this file that reads the stream's range,
 * kept in its h2w_stream_tx, so no application callback runs per frame. */
#include <string.h>

#include "session_int.h"

/* Fields unpacked on the stack; longer lists are allocated. */
#define PACKED_STACK_FIELDS 32u

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* The field count of a well-formed blob, or 0. */
static size_t packed_count(const uint8_t *blob, size_t len) {
  size_t n, i, need;
  if (blob == NULL || len < 4) {
    return 0;
  }
  n = le32(blob);
  if (n == 0 || n > (len - 4) / 8) {
    return 0;
  }
  need = 4 + 8 * n;
  for (i = 0; i < n; i++) {
    size_t nl = le32(blob + 4 + 8 * i) & H2W_PACKED_LEN_MASK;
    size_t vl = le32(blob + 8 + 8 * i);
    if (nl > len - need || vl > len - need - nl) {
      return 0;
    }
    need += nl + vl;
  }
  return need == len ? n : 0;
}

static void packed_unpack(const uint8_t *blob, size_t n, h2w_nv *nva) {
  const uint8_t *p = blob + 4 + 8 * n;
  size_t i;
  for (i = 0; i < n; i++) {
    uint32_t w = le32(blob + 4 + 8 * i);
    nva[i].name = p;
    nva[i].namelen = w & H2W_PACKED_LEN_MASK;
    p += nva[i].namelen;
    nva[i].value = p;
    nva[i].valuelen = le32(blob + 8 + 8 * i);
    p += nva[i].valuelen;
    nva[i].flags = w >> H2W_PACKED_FLAGS_SHIFT;
  }
}

/* The data source of range bodies: copies from the stream's range. */
static h2w_ssize range_read(h2w_session *s, uint32_t id, uint8_t *buf,
                            size_t len, uint32_t *flags, void *user) {
  h2w_stream *st = h2w_stream_find(s, id);
  h2w_stream_tx *tx = st != NULL ? st->tx : NULL;
  size_t n;
  (void)user;
  if (tx == NULL) {
    return H2W_E_INVALID_STATE; /* cannot happen: the stream resets */
  }
  n = tx->range_len - tx->range_off;
  if (n > len) {
    n = len;
  }
  if (n != 0) {
    memcpy(buf, tx->range + tx->range_off, n);
    tx->range_off += n;
  }
  if (tx->range_off == tx->range_len && !(tx->range_flags & H2W_RANGE_MORE)) {
    *flags |= H2W_DATA_FLAG_EOF;
    if (tx->range_flags & H2W_RANGE_NO_END_STREAM) {
      *flags |= H2W_DATA_FLAG_NO_END_STREAM;
    }
    return (h2w_ssize)n;
  }
  return n != 0 ? (h2w_ssize)n : H2W_E_DEFERRED;
}

static const h2w_data_source range_source = {range_read, NULL, NULL};

static int check_range(const uint8_t *body, size_t bodylen, uint32_t flags) {
  const uint32_t known =
      H2W_RANGE_BODY | H2W_RANGE_MORE | H2W_RANGE_NO_END_STREAM;
  if ((flags & ~known) != 0 || (body == NULL && bodylen != 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (!(flags & H2W_RANGE_BODY) && (bodylen != 0 || flags != 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  return H2W_OK;
}

/* The submitted stream reads its body from the range. */
static void range_start(h2w_session *s, uint32_t id, const uint8_t *body,
                        size_t bodylen, uint32_t flags) {
  h2w_stream *st = h2w_stream_find(s, id);
  if (st != NULL && st->tx != NULL) {
    st->tx->range = body;
    st->tx->range_len = bodylen;
    st->tx->range_off = 0;
    st->tx->range_flags = flags;
  }
}

/* Unpack the blob into nva (the stack array, or an allocated one in
 * *heap). Returns the count, or a negative error. */
static h2w_ssize unpack(h2w_session *s, const uint8_t *blob, size_t len,
                        h2w_nv *stack, h2w_nv **heap) {
  size_t n = packed_count(blob, len);
  h2w_nv *nva = stack;
  *heap = NULL;
  if (n == 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (n > PACKED_STACK_FIELDS) {
    nva = h2w_alloc_array(&s->alloc, n, sizeof(*nva));
    if (nva == NULL) {
      return h2w_local_rv(s, H2W_E_NOMEM);
    }
    *heap = nva;
  }
  packed_unpack(blob, n, nva);
  return (h2w_ssize)n;
}

int32_t h2w_session_submit_request_packed(h2w_session *s,
                                          const uint8_t *headers,
                                          size_t headerslen,
                                          const uint8_t *body, size_t bodylen,
                                          uint32_t flags, void *stream_user) {
  h2w_nv stack[PACKED_STACK_FIELDS], *heap, *nva;
  h2w_ssize n;
  int32_t rv;
  if (s == NULL || check_range(body, bodylen, flags) != H2W_OK) {
    return H2W_E_INVALID_ARGUMENT;
  }
  n = unpack(s, headers, headerslen, stack, &heap);
  if (n < 0) {
    return (int32_t)n;
  }
  nva = heap != NULL ? heap : stack;
  rv = h2w_session_submit_request(
      s, nva, (size_t)n, (flags & H2W_RANGE_BODY) ? &range_source : NULL,
      stream_user);
  if (rv > 0 && (flags & H2W_RANGE_BODY)) {
    range_start(s, (uint32_t)rv, body, bodylen, flags);
  }
  if (heap != NULL) {
    h2w_alloc_free(&s->alloc, heap, (size_t)n * sizeof(*heap));
  }
  return rv;
}

int h2w_session_submit_response_packed(h2w_session *s, uint32_t stream_id,
                                       const uint8_t *headers,
                                       size_t headerslen, const uint8_t *body,
                                       size_t bodylen, uint32_t flags) {
  h2w_nv stack[PACKED_STACK_FIELDS], *heap, *nva;
  h2w_ssize n;
  int rv;
  if (s == NULL || check_range(body, bodylen, flags) != H2W_OK) {
    return H2W_E_INVALID_ARGUMENT;
  }
  n = unpack(s, headers, headerslen, stack, &heap);
  if (n < 0) {
    return (int)n;
  }
  nva = heap != NULL ? heap : stack;
  rv = h2w_session_submit_response(s, stream_id, nva, (size_t)n,
                                   (flags & H2W_RANGE_BODY) ? &range_source
                                                            : NULL);
  if (rv == H2W_OK && (flags & H2W_RANGE_BODY)) {
    range_start(s, stream_id, body, bodylen, flags);
  }
  if (heap != NULL) {
    h2w_alloc_free(&s->alloc, heap, (size_t)n * sizeof(*heap));
  }
  return rv;
}

/* The stream's range body, while it is still being sent. */
static h2w_stream_tx *range_tx(const h2w_session *s, uint32_t id) {
  h2w_stream *st = h2w_stream_find(s, id);
  if (st == NULL || st->tx == NULL || st->src_state == H2W_SRC_NONE ||
      st->tx->src.read != range_read) {
    return NULL;
  }
  return st->tx;
}

int h2w_session_set_data_range(h2w_session *s, uint32_t stream_id,
                               const uint8_t *data, size_t len,
                               uint32_t flags) {
  h2w_stream_tx *tx;
  h2w_stream *st;
  if (s == NULL || (data == NULL && len != 0) ||
      (flags & ~(H2W_RANGE_MORE | H2W_RANGE_NO_END_STREAM)) != 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  tx = range_tx(s, stream_id);
  if (tx == NULL) {
    return H2W_E_INVALID_STATE;
  }
  tx->range = data;
  tx->range_len = len;
  tx->range_off = 0;
  tx->range_flags = flags | H2W_RANGE_BODY;
  st = h2w_stream_find(s, stream_id);
  if (st->src_state == H2W_SRC_DEFERRED) {
    return h2w_session_resume_data(s, stream_id);
  }
  return H2W_OK;
}

h2w_ssize h2w_session_data_range_left(const h2w_session *s,
                                      uint32_t stream_id) {
  const h2w_stream_tx *tx;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  tx = range_tx(s, stream_id);
  if (tx == NULL) {
    return H2W_E_INVALID_STATE;
  }
  return (h2w_ssize)(tx->range_len - tx->range_off);
}
