/* Incremental frame reader: turns a byte stream arriving in pieces of any
 * size into whole frames. It enforces our SETTINGS_MAX_FRAME_SIZE from the
 * 9-octet header alone (RFC 9113 §4.2) so that an oversized frame is
 * refused before a single payload octet is buffered, and it copies only
 * payloads that straddle calls, into a buffer sized to that frame. The
 * payload of a pass-through type (DATA, for a session) is never copied:
 * it is handed out in the pieces that arrived (H2W_FRAME_PIECE). */
#include "frame.h"

#include <string.h>

int h2w_frame_reader_init(h2w_frame_reader *r, h2w_alloc *alloc) {
  if (r == NULL || alloc == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  memset(r, 0, sizeof *r);
  r->alloc = alloc;
  r->max_frame_size = H2W_FRAME_DEFAULT_MAX_SIZE;
  return H2W_OK;
}

static void drop_buffer(h2w_frame_reader *r) {
  h2w_alloc_free(r->alloc, r->buf, r->bufcap);
  r->buf = NULL;
  r->bufcap = 0;
  r->release_buf = 0;
  r->idle_ticks = 0;
}

void h2w_frame_reader_reset(h2w_frame_reader *r) {
  if (r == NULL) {
    return;
  }
  r->hdlen = 0;
  r->buflen = 0;
  r->in_payload = 0;
  r->failed = 0;
}

/* Whether the current frame's payload is passed through in pieces. */
static int passes(const h2w_frame_reader *r) {
  return r->hd.type < 32 && (r->pass_types >> r->hd.type & 1u);
}

void h2w_frame_reader_tick(h2w_frame_reader *r, int force) {
  if (r->buf == NULL || (r->in_payload && r->buflen != 0 && !passes(r))) {
    return; /* nothing held, or a frame is being gathered in it */
  }
  if (force) {
    drop_buffer(r);
  } else if (r->buf_used) {
    r->buf_used = 0;
    r->idle_ticks = 0;
  } else if (++r->idle_ticks >= H2W_READER_IDLE_TICKS) {
    drop_buffer(r);
  }
}

void h2w_frame_reader_free(h2w_frame_reader *r) {
  if (r == NULL || r->alloc == NULL) {
    return;
  }
  drop_buffer(r);
  h2w_frame_reader_reset(r);
}

int h2w_frame_reader_set_max_frame_size(h2w_frame_reader *r, uint32_t size) {
  if (r == NULL || size < H2W_FRAME_DEFAULT_MAX_SIZE ||
      size > H2W_FRAME_MAX_MAX_SIZE) {
    return H2W_E_INVALID_ARGUMENT;
  }
  r->max_frame_size = size;
  /* A buffer grown for a larger limit is no longer needed once no frame
   * can use it; give the memory back. */
  if (!r->in_payload && r->bufcap > size) {
    drop_buffer(r);
  }
  return H2W_OK;
}

static void report(h2w_frame_err *err, const h2w_frame_err *e) {
  if (err != NULL) {
    *err = *e;
  }
}

/* RFC 9113 §4.2: refused from the header alone. */
static int too_large(h2w_frame_reader *r, const h2w_frame_hd *hd) {
  if (hd->length <= r->max_frame_size) {
    return 0;
  }
  r->failed = 1;
  r->last_err.code = H2W_FRAME_SIZE_ERROR;
  r->last_err.scope = H2W_FRAME_SCOPE_CONNECTION;
  r->last_err.reason = "frame larger than SETTINGS_MAX_FRAME_SIZE";
  return 1;
}

/* Gather header octets. Returns 1 once the header is complete, 0 when the
 * input ran out, or H2W_E_FRAME_SIZE. */
static int read_header(h2w_frame_reader *r, const uint8_t *in, size_t len,
                       size_t *pos) {
  size_t n = H2W_FRAME_HD_LEN - r->hdlen;
  if (n > len - *pos) {
    n = len - *pos;
  }
  if (n != 0) {
    memcpy(r->hdbuf + r->hdlen, in + *pos, n);
    r->hdlen += n;
    *pos += n;
  }
  if (r->hdlen < H2W_FRAME_HD_LEN) {
    return 0;
  }
  h2w_frame_hd_unpack(&r->hd, r->hdbuf);
  if (too_large(r, &r->hd)) {
    return H2W_E_FRAME_SIZE;
  }
  r->in_payload = 1;
  r->buflen = 0;
  return 1;
}

/* Make room for the whole payload of the current frame, and no more. */
static int reserve(h2w_frame_reader *r) {
  uint8_t *p;
  if (r->bufcap >= r->hd.length) {
    return H2W_OK;
  }
  p = h2w_alloc_realloc(r->alloc, r->buf, r->bufcap, r->hd.length);
  if (p == NULL) {
    return H2W_E_NOMEM;
  }
  r->buf = p;
  r->bufcap = r->hd.length;
  return H2W_OK;
}

static int yield(h2w_frame_reader *r, h2w_frame_hd *hd, const uint8_t **payload,
                 const uint8_t *p) {
  *hd = r->hd;
  *payload = p;
  r->in_payload = 0;
  r->hdlen = 0;
  r->buflen = 0;
  /* Keep a default-sized buffer for the next split frame (steady state
   * does not allocate); a bigger one is released once the caller is done
   * with this payload, i.e. on the next call. */
  if (p == r->buf && r->bufcap > H2W_FRAME_DEFAULT_MAX_SIZE) {
    r->release_buf = 1;
  }
  return H2W_FRAME_READY;
}

/* A pass-through payload: hand out what arrived of it, in place. */
static int pass_piece(h2w_frame_reader *r, const uint8_t *in, size_t avail,
                      size_t *pos, h2w_frame_hd *hd, const uint8_t **payload) {
  size_t n = r->hd.length - r->buflen;
  if (n > avail) {
    n = avail;
  }
  *hd = r->hd;
  *payload = in + *pos;
  r->piece_off = r->buflen;
  r->piece_len = n;
  *pos += n;
  r->buflen += n;
  if (r->buflen == r->hd.length) {
    r->in_payload = 0;
    r->hdlen = 0;
    r->buflen = 0;
  }
  return H2W_FRAME_PIECE;
}

static int read_payload(h2w_frame_reader *r, const uint8_t *in, size_t len,
                        size_t *pos, h2w_frame_hd *hd,
                        const uint8_t **payload) {
  size_t n, avail = len - *pos;
  int rv;
  if (r->buflen == 0 && avail >= r->hd.length) {
    /* Whole payload in this piece: hand out a view of it, copy nothing. */
    const uint8_t *p = in + *pos;
    *pos += r->hd.length;
    return yield(r, hd, payload, p);
  }
  if (avail == 0) {
    return H2W_OK; /* allocate only when there is something to keep */
  }
  if (passes(r)) {
    return pass_piece(r, in, avail, pos, hd, payload);
  }
  rv = reserve(r);
  if (rv != H2W_OK) {
    return rv;
  }
  n = r->hd.length - r->buflen;
  if (n > avail) {
    n = avail;
  }
  memcpy(r->buf + r->buflen, in + *pos, n);
  r->buflen += n;
  r->buf_used = 1;
  *pos += n;
  if (r->buflen < r->hd.length) {
    return H2W_OK;
  }
  return yield(r, hd, payload, r->buf);
}

int h2w_frame_reader_next(h2w_frame_reader *r, const uint8_t *in, size_t len,
                          size_t *consumed, h2w_frame_hd *hd,
                          const uint8_t **payload, h2w_frame_err *err) {
  size_t pos = 0;
  int rv;
  if (r == NULL || consumed == NULL || hd == NULL || payload == NULL ||
      (in == NULL && len != 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  *consumed = 0;
  if (r->failed) {
    report(err, &r->last_err);
    return H2W_E_FRAME_SIZE;
  }
  if (r->in_payload && len != 0 && passes(r) &&
      (r->buflen != 0 || len < r->hd.length)) {
    /* The next piece of a pass-through payload (the usual case for DATA
     * read in TLS records): nothing else to look at. */
    rv = pass_piece(r, in, len, &pos, hd, payload);
    *consumed = pos;
    return rv;
  }
  if (r->release_buf) {
    drop_buffer(r);
  }
  if (!r->in_payload && r->hdlen == 0 && len >= H2W_FRAME_HD_LEN) {
    /* The usual case: the whole header in this piece, read in place and
     * kept in registers, and often the whole payload too. */
    h2w_frame_hd h = h2w_frame_hd_read(in);
    r->hd = h; /* also what a refused header said */
    if (too_large(r, &h)) {
      *consumed = H2W_FRAME_HD_LEN;
      report(err, &r->last_err);
      return H2W_E_FRAME_SIZE;
    }
    if (len - H2W_FRAME_HD_LEN >= h.length) {
      *hd = h;
      *payload = in + H2W_FRAME_HD_LEN;
      *consumed = H2W_FRAME_HD_LEN + h.length;
      return H2W_FRAME_READY;
    }
    r->in_payload = 1;
    r->buflen = 0;
    pos = H2W_FRAME_HD_LEN;
  } else if (!r->in_payload) {
    rv = read_header(r, in, len, &pos);
    if (rv <= 0) {
      *consumed = pos;
      if (rv < 0) {
        report(err, &r->last_err);
      }
      return rv;
    }
  }
  rv = read_payload(r, in, len, &pos, hd, payload);
  *consumed = pos;
  return rv;
}
