/* RFC 9113 §4.1 frame header and §6 per-type decoding (plus RFC 7838 §4,
 * RFC 8336 §2, RFC 9218 §7.1). Decoding is zero-copy and allocation-free:
 * every view points into the caller's payload. */
#include "frame.h"

#include "cold.h"

#include <string.h>

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static uint16_t get_u16(const uint8_t *p) {
  return (uint16_t)((unsigned)p[0] << 8 | (unsigned)p[1]);
}

void h2w_frame_hd_unpack(h2w_frame_hd *hd, const uint8_t *in) {
  *hd = h2w_frame_hd_read(in);
}

h2w_ssize h2w_frame_pack_hd(uint8_t *buf, size_t cap, const h2w_frame_hd *hd) {
  uint32_t sid;
  if (buf == NULL || hd == NULL || hd->length > H2W_FRAME_MAX_MAX_SIZE) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (cap < H2W_FRAME_HD_LEN) {
    return H2W_E_BUFFER_TOO_SMALL;
  }
  /* RFC 9113 §4.1: the reserved bit "MUST remain unset (0x0) when sending". */
  sid = hd->stream_id & H2W_STREAM_ID_MASK;
  buf[0] = (uint8_t)(hd->length >> 16);
  buf[1] = (uint8_t)(hd->length >> 8);
  buf[2] = (uint8_t)hd->length;
  buf[3] = hd->type;
  buf[4] = hd->flags;
  buf[5] = (uint8_t)(sid >> 24);
  buf[6] = (uint8_t)(sid >> 16);
  buf[7] = (uint8_t)(sid >> 8);
  buf[8] = (uint8_t)sid;
  return (h2w_ssize)H2W_FRAME_HD_LEN;
}

/* ---- verdicts -------------------------------------------------------- */

static int fail(h2w_frame_err *err, uint32_t code, int scope,
                const char *reason) {
  err->code = code;
  err->scope = scope;
  err->reason = reason;
  if (scope == H2W_FRAME_SCOPE_IGNORE) {
    return H2W_FRAME_IGNORED;
  }
  return code == H2W_FRAME_SIZE_ERROR ? H2W_E_FRAME_SIZE : H2W_E_PROTOCOL;
}

static int conn_err(h2w_frame_err *err, uint32_t code, const char *reason) {
  return fail(err, code, H2W_FRAME_SCOPE_CONNECTION, reason);
}

static int ignore(h2w_frame_err *err, const char *reason) {
  return fail(err, H2W_NO_ERROR, H2W_FRAME_SCOPE_IGNORE, reason);
}

/* ---- padding and priority -------------------------------------------- */

/* RFC 9113 §6.1/§6.2/§6.6: the padding may not reach into the `fixed`
 * octets (priority fields, promised id) that follow Pad Length. On success
 * the fixed fields start at p + *off and *len octets of content follow
 * them, before the padding. */
static int unpad(const h2w_frame_hd *hd, const uint8_t *p, size_t fixed,
                 size_t *off, size_t *len, uint8_t *padlen,
                 h2w_frame_err *err) {
  size_t n = hd->length;
  *off = 0;
  *padlen = 0;
  if (hd->flags & H2W_FLAG_PADDED) {
    if (n < 1 + fixed) {
      /* §4.2: a frame too small for its mandatory fields; for frames that
       * carry a field block this must be a connection error. */
      return conn_err(err, H2W_FRAME_SIZE_ERROR,
                      "padded frame too short for its fixed fields");
    }
    *padlen = p[0];
    *off = 1;
    n -= 1;
    if ((size_t)*padlen > n - fixed) {
      return conn_err(err, H2W_PROTOCOL_ERROR,
                      "padding is as long as the payload or longer");
    }
    n -= *padlen;
  } else if (n < fixed) {
    return conn_err(err, H2W_FRAME_SIZE_ERROR,
                    "frame too short for its fixed fields");
  }
  *len = n - fixed;
  return H2W_OK;
}

static void get_priority(h2w_frame_priority *pri, const uint8_t *p) {
  uint32_t v = get_u32(p);
  /* RFC 9113 §6.3: the top bit of the dependency is the E flag. */
  pri->exclusive = (uint8_t)(v >> 31);
  pri->stream_dep = v & H2W_STREAM_ID_MASK;
  pri->weight = p[4];
}

/* ---- per-type decoders ----------------------------------------------- */

static int need_stream(const h2w_frame_hd *hd, h2w_frame_err *err) {
  if (hd->stream_id == 0) {
    return conn_err(err, H2W_PROTOCOL_ERROR, "frame type needs a stream id");
  }
  return H2W_OK;
}

static int need_conn(const h2w_frame_hd *hd, h2w_frame_err *err) {
  if (hd->stream_id != 0) {
    return conn_err(err, H2W_PROTOCOL_ERROR, "frame type needs stream 0");
  }
  return H2W_OK;
}

static int dec_data(h2w_frame *f, const uint8_t *p, h2w_frame_err *err) {
  size_t off, len;
  int rv = need_stream(&f->hd, err);
  if (rv == H2W_OK) {
    rv = unpad(&f->hd, p, 0, &off, &len, &f->u.data.padlen, err);
  }
  if (rv == H2W_OK) {
    f->u.data.data = p + off;
    f->u.data.datalen = len;
  }
  return rv;
}

static int dec_headers(h2w_frame *f, const uint8_t *p, h2w_frame_err *err) {
  size_t off, len, fixed = (f->hd.flags & H2W_FLAG_PRIORITY) ? 5 : 0;
  h2w_frame_headers *h = &f->u.headers;
  int rv = need_stream(&f->hd, err);
  if (rv == H2W_OK) {
    rv = unpad(&f->hd, p, fixed, &off, &len, &h->padlen, err);
  }
  if (rv != H2W_OK) {
    return rv;
  }
  memset(&h->pri, 0, sizeof h->pri);
  if (fixed != 0) {
    get_priority(&h->pri, p + off);
  }
  h->block = p + off + fixed;
  h->blocklen = len;
  return H2W_OK;
}

static int dec_priority(h2w_frame *f, const uint8_t *p, h2w_frame_err *err) {
  int rv = need_stream(&f->hd, err);
  if (rv != H2W_OK) {
    return rv;
  }
  if (f->hd.length != 5) {
    /* RFC 9113 §6.3: the one frame-size error that is a stream error. */
    return fail(err, H2W_FRAME_SIZE_ERROR, H2W_FRAME_SCOPE_STREAM,
                "PRIORITY length is not 5");
  }
  get_priority(&f->u.priority, p);
  return H2W_OK;
}

static int dec_rst_stream(h2w_frame *f, const uint8_t *p, h2w_frame_err *err) {
  int rv = need_stream(&f->hd, err);
  if (rv != H2W_OK) {
    return rv;
  }
  if (f->hd.length != 4) {
    return conn_err(err, H2W_FRAME_SIZE_ERROR, "RST_STREAM length is not 4");
  }
  f->u.rst_stream.error_code = get_u32(p);
  return H2W_OK;
}

static H2W_COLD int dec_settings(h2w_frame *f, const uint8_t *p,
                                 h2w_frame_err *err) {
  int rv = need_conn(&f->hd, err);
  if (rv != H2W_OK) {
    return rv;
  }
  if ((f->hd.flags & H2W_FLAG_ACK) && f->hd.length != 0) {
    return conn_err(err, H2W_FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
  }
  if (f->hd.length % H2W_SETTINGS_ENTRY_LEN != 0) {
    return conn_err(err, H2W_FRAME_SIZE_ERROR,
                    "SETTINGS length is not a multiple of 6");
  }
  f->u.settings.entries = p;
  f->u.settings.nentries = f->hd.length / H2W_SETTINGS_ENTRY_LEN;
  return H2W_OK;
}

static H2W_COLD int dec_push_promise(h2w_frame *f, const uint8_t *p,
                                     h2w_frame_err *err) {
  size_t off, len;
  h2w_frame_push_promise *pp = &f->u.push_promise;
  int rv = need_stream(&f->hd, err);
  if (rv == H2W_OK) {
    rv = unpad(&f->hd, p, 4, &off, &len, &pp->padlen, err);
  }
  if (rv != H2W_OK) {
    return rv;
  }
  /* RFC 9113 §6.6: the reserved bit of the promised id is ignored. */
  pp->promised_stream_id = get_u32(p + off) & H2W_STREAM_ID_MASK;
  pp->block = p + off + 4;
  pp->blocklen = len;
  if (pp->promised_stream_id == 0) {
    /* §6.6 and §5.1.1: 0 is never a valid new stream id, whatever the
     * state, so this one needs no session to decide. */
    return conn_err(err, H2W_PROTOCOL_ERROR, "PUSH_PROMISE promises stream 0");
  }
  return H2W_OK;
}

static H2W_COLD int dec_ping(h2w_frame *f, const uint8_t *p,
                             h2w_frame_err *err) {
  int rv = need_conn(&f->hd, err);
  if (rv != H2W_OK) {
    return rv;
  }
  if (f->hd.length != H2W_PING_LEN) {
    return conn_err(err, H2W_FRAME_SIZE_ERROR, "PING length is not 8");
  }
  f->u.ping.opaque = p;
  return H2W_OK;
}

static H2W_COLD int dec_goaway(h2w_frame *f, const uint8_t *p,
                               h2w_frame_err *err) {
  int rv = need_conn(&f->hd, err);
  if (rv != H2W_OK) {
    return rv;
  }
  if (f->hd.length < 8) {
    return conn_err(err, H2W_FRAME_SIZE_ERROR, "GOAWAY shorter than 8");
  }
  /* RFC 9113 §6.8: the reserved bit of Last-Stream-ID is ignored. */
  f->u.goaway.last_stream_id = get_u32(p) & H2W_STREAM_ID_MASK;
  f->u.goaway.error_code = get_u32(p + 4);
  f->u.goaway.debug = p + 8;
  f->u.goaway.debuglen = f->hd.length - 8u;
  return H2W_OK;
}

static int dec_window_update(h2w_frame *f, const uint8_t *p,
                             h2w_frame_err *err) {
  /* RFC 9113 §6.9: any stream id, and a wrong length is a connection error
   * even on a stream. A zero increment needs stream state: not here. */
  if (f->hd.length != 4) {
    return conn_err(err, H2W_FRAME_SIZE_ERROR, "WINDOW_UPDATE length is not 4");
  }
  f->u.window_update.increment = get_u32(p) & H2W_STREAM_ID_MASK;
  return H2W_OK;
}

static int dec_continuation(h2w_frame *f, const uint8_t *p,
                            h2w_frame_err *err) {
  int rv = need_stream(&f->hd, err);
  if (rv != H2W_OK) {
    return rv;
  }
  f->u.continuation.block = p;
  f->u.continuation.blocklen = f->hd.length;
  return H2W_OK;
}

static H2W_COLD int dec_altsvc(h2w_frame *f, const uint8_t *p,
                               h2w_frame_err *err) {
  h2w_frame_altsvc *a = &f->u.altsvc;
  size_t olen;
  /* RFC 7838 §4 directs invalid ALTSVC frames to be ignored, so a
   * malformed one is not worth a connection error either. */
  if (f->hd.length < 2) {
    return ignore(err, "ALTSVC too short for Origin-Len");
  }
  olen = get_u16(p);
  if (olen > f->hd.length - 2u) {
    return ignore(err, "ALTSVC Origin-Len past the payload");
  }
  a->origin = p + 2;
  a->originlen = olen;
  a->value = p + 2 + olen;
  a->valuelen = f->hd.length - 2u - olen;
  if (f->hd.stream_id == 0 && olen == 0) {
    return ignore(err, "ALTSVC on stream 0 without an origin");
  }
  if (f->hd.stream_id != 0 && olen != 0) {
    return ignore(err, "ALTSVC on a stream with an origin");
  }
  return H2W_OK;
}

static H2W_COLD int dec_origin(h2w_frame *f, const uint8_t *p,
                               h2w_frame_err *err) {
  h2w_frame_iter it;
  const uint8_t *o;
  size_t olen;
  f->u.origin.entries = p;
  f->u.origin.len = f->hd.length;
  if (f->hd.stream_id != 0) {
    return ignore(err, "ORIGIN on a stream other than 0"); /* RFC 8336 §2 */
  }
  h2w_frame_iter_origin(&it, &f->u.origin);
  while (h2w_frame_origin_next(&it, &o, &olen)) {
  }
  if (it.left != 0) {
    return ignore(err, "ORIGIN entry past the payload");
  }
  return H2W_OK;
}

static H2W_COLD int dec_priority_update(h2w_frame *f, const uint8_t *p,
                                        h2w_frame_err *err) {
  h2w_frame_priority_update *pu = &f->u.priority_update;
  /* RFC 9218 §7.1: stream 0 only, at least the 4-octet id, and an id of 0
   * is a connection PROTOCOL_ERROR. */
  int rv = need_conn(&f->hd, err);
  if (rv != H2W_OK) {
    return rv;
  }
  if (f->hd.length < 4) {
    return conn_err(err, H2W_FRAME_SIZE_ERROR,
                    "PRIORITY_UPDATE shorter than 4");
  }
  pu->prioritized_stream_id = get_u32(p) & H2W_STREAM_ID_MASK;
  pu->value = p + 4;
  pu->valuelen = f->hd.length - 4u;
  if (pu->prioritized_stream_id == 0) {
    return conn_err(err, H2W_PROTOCOL_ERROR, "PRIORITY_UPDATE for stream 0");
  }
  return H2W_OK;
}

typedef int (*decoder_fn)(h2w_frame *f, const uint8_t *p, h2w_frame_err *err);

static decoder_fn decoder_for(uint8_t type) {
  switch (type) {
  case H2W_FRAME_DATA:
    return dec_data;
  case H2W_FRAME_HEADERS:
    return dec_headers;
  case H2W_FRAME_PRIORITY:
    return dec_priority;
  case H2W_FRAME_RST_STREAM:
    return dec_rst_stream;
  case H2W_FRAME_SETTINGS:
    return dec_settings;
  case H2W_FRAME_PUSH_PROMISE:
    return dec_push_promise;
  case H2W_FRAME_PING:
    return dec_ping;
  case H2W_FRAME_GOAWAY:
    return dec_goaway;
  case H2W_FRAME_WINDOW_UPDATE:
    return dec_window_update;
  case H2W_FRAME_CONTINUATION:
    return dec_continuation;
  case H2W_FRAME_ALTSVC:
    return dec_altsvc;
  case H2W_FRAME_ORIGIN:
    return dec_origin;
  case H2W_FRAME_PRIORITY_UPDATE:
    return dec_priority_update;
  default:
    return NULL;
  }
}

int h2w_frame_decode(const h2w_frame_hd *hd, const uint8_t *payload,
                     h2w_frame *out, h2w_frame_err *err) {
  h2w_frame_err dummy;
  h2w_frame_hd copy;
  decoder_fn fn;
  if (err == NULL) {
    err = &dummy;
  }
  err->code = H2W_NO_ERROR;
  err->scope = H2W_FRAME_SCOPE_NONE;
  err->reason = NULL;
  if (hd == NULL || out == NULL || (payload == NULL && hd->length != 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (payload == NULL) {
    /* Length 0: views are computed by pointer arithmetic, which NULL does
     * not allow even with a zero offset. */
    static const uint8_t empty[1] = {0};
    payload = empty;
  }
  copy = *hd; /* hd may be &out->hd */
  memset(out, 0, sizeof *out);
  out->hd = copy;
  out->hd.stream_id &= H2W_STREAM_ID_MASK;
  fn = decoder_for(copy.type);
  if (fn == NULL) {
    /* RFC 9113 §5.5: unknown types are the session's to discard. */
    out->u.unknown.payload = payload;
    out->u.unknown.len = copy.length;
    return H2W_OK;
  }
  return fn(out, payload, err);
}

/* ---- iterators ------------------------------------------------------- */

H2W_COLD void h2w_frame_iter_settings(h2w_frame_iter *it,
                                      const h2w_frame_settings *s) {
  it->p = s->entries;
  it->left = s->nentries * H2W_SETTINGS_ENTRY_LEN;
}

H2W_COLD int h2w_frame_settings_next(h2w_frame_iter *it,
                                     h2w_settings_entry *out) {
  if (it->left < H2W_SETTINGS_ENTRY_LEN) {
    return 0;
  }
  out->id = get_u16(it->p);
  out->reserved = 0;
  out->value = get_u32(it->p + 2);
  it->p += H2W_SETTINGS_ENTRY_LEN;
  it->left -= H2W_SETTINGS_ENTRY_LEN;
  return 1;
}

H2W_COLD void h2w_frame_iter_origin(h2w_frame_iter *it,
                                    const h2w_frame_origin *o) {
  it->p = o->entries;
  it->left = o->len;
}

H2W_COLD int h2w_frame_origin_next(h2w_frame_iter *it, const uint8_t **origin,
                                   size_t *len) {
  size_t n;
  if (it->left < 2) {
    return 0;
  }
  n = get_u16(it->p);
  if (n > it->left - 2) {
    return 0;
  }
  *origin = it->p + 2;
  *len = n;
  it->p += 2 + n;
  it->left -= 2 + n;
  return 1;
}

H2W_COLD const char *h2w_frame_type_name(uint8_t type) {
  static const char *const names[] = {
      "DATA",          "HEADERS",      "PRIORITY", "RST_STREAM",
      "SETTINGS",      "PUSH_PROMISE", "PING",     "GOAWAY",
      "WINDOW_UPDATE", "CONTINUATION", "ALTSVC"};
  if (type < sizeof names / sizeof names[0]) {
    return names[type];
  }
  if (type == H2W_FRAME_ORIGIN) {
    return "ORIGIN";
  }
  if (type == H2W_FRAME_PRIORITY_UPDATE) {
    return "PRIORITY_UPDATE";
  }
  return "UNKNOWN";
}
