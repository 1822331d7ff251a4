/* Frame encoders (RFC 9113 §6, RFC 7838 §4, RFC 8336 §2, RFC 9218 §7.1).
 * Each refuses what the peer would have to reject, so that a bug in the
 * session shows up as H2W_E_INVALID_ARGUMENT here rather than as a GOAWAY
 * from the other side. */
#include "cold.h"
#include "frame.h"

#include <string.h>

#define DATA_FLAGS (H2W_FLAG_END_STREAM | H2W_FLAG_PADDED)
#define HEADERS_FLAGS                                                          \
  (H2W_FLAG_END_STREAM | H2W_FLAG_END_HEADERS | H2W_FLAG_PADDED |              \
   H2W_FLAG_PRIORITY)
#define PUSH_PROMISE_FLAGS (H2W_FLAG_END_HEADERS | H2W_FLAG_PADDED)

static void put_u16(uint8_t *p, size_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static int bad_range(const void *p, size_t len) {
  return p == NULL && len != 0;
}

/* Check the sizes and write the header; *body is where the payload goes.
 * Returns the whole frame size or an error. */
static h2w_ssize begin(uint8_t *buf, size_t cap, size_t len, uint8_t type,
                       uint8_t flags, uint32_t stream_id, uint8_t **body) {
  h2w_frame_hd hd;
  if (buf == NULL || len > H2W_FRAME_MAX_MAX_SIZE) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (cap < H2W_FRAME_HD_LEN || cap - H2W_FRAME_HD_LEN < len) {
    return H2W_E_BUFFER_TOO_SMALL;
  }
  hd.length = (uint32_t)len;
  hd.type = type;
  hd.flags = flags;
  hd.stream_id = stream_id;
  h2w_frame_pack_hd(buf, cap, &hd);
  *body = buf + H2W_FRAME_HD_LEN;
  return (h2w_ssize)(H2W_FRAME_HD_LEN + len);
}

static void put_bytes(uint8_t **p, const uint8_t *src, size_t len) {
  if (len != 0) {
    memcpy(*p, src, len);
    *p += len;
  }
}

/* The shared layout of DATA, HEADERS and PUSH_PROMISE (RFC 9113 §6.1,
 * §6.2, §6.6): [Pad Length] fixed-fields content [padding of zeros]. */
typedef struct padded {
  uint8_t type, flags;
  uint32_t stream_id;
  const uint8_t *fixed;
  size_t fixedlen;
  const uint8_t *content;
  size_t len;
  size_t padlen;
} padded;

static h2w_ssize pack_padded(uint8_t *buf, size_t cap, const padded *f) {
  size_t total, extra = f->fixedlen;
  uint8_t *p;
  h2w_ssize rv;
  if ((f->stream_id & H2W_STREAM_ID_MASK) == 0 ||
      bad_range(f->content, f->len)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (f->flags & H2W_FLAG_PADDED) {
    if (f->padlen > 0xffu) { /* Pad Length is a single octet */
      return H2W_E_INVALID_ARGUMENT;
    }
    extra += 1u + f->padlen;
  } else if (f->padlen != 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (f->len > H2W_FRAME_MAX_MAX_SIZE) {
    return H2W_E_INVALID_ARGUMENT;
  }
  total = f->len + extra;
  rv = begin(buf, cap, total, f->type, f->flags, f->stream_id, &p);
  if (rv < 0) {
    return rv;
  }
  if (f->flags & H2W_FLAG_PADDED) {
    *p++ = (uint8_t)f->padlen;
  }
  put_bytes(&p, f->fixed, f->fixedlen);
  put_bytes(&p, f->content, f->len);
  memset(p, 0, f->padlen);
  return rv;
}

h2w_ssize h2w_frame_pack_data(uint8_t *buf, size_t cap, uint32_t stream_id,
                              uint8_t flags, const uint8_t *data, size_t len,
                              size_t padlen) {
  padded f = {H2W_FRAME_DATA, flags, stream_id, NULL, 0, data, len, padlen};
  if ((flags & ~DATA_FLAGS) != 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  return pack_padded(buf, cap, &f);
}

static void put_priority(uint8_t *p, const h2w_frame_priority *pri) {
  /* RFC 9113 §6.3: E shares the 32 bits with the 31-bit dependency. */
  uint32_t dep = pri->stream_dep & H2W_STREAM_ID_MASK;
  h2w_frame_put_u32(p, dep | (pri->exclusive ? 0x80000000u : 0u));
  p[4] = pri->weight;
}

h2w_ssize h2w_frame_pack_headers(uint8_t *buf, size_t cap, uint32_t stream_id,
                                 uint8_t flags, const h2w_frame_priority *pri,
                                 const uint8_t *block, size_t len,
                                 size_t padlen) {
  uint8_t fixed[5];
  padded f = {
      H2W_FRAME_HEADERS, flags, stream_id, fixed, 0, block, len, padlen};
  if ((flags & ~HEADERS_FLAGS) != 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (flags & H2W_FLAG_PRIORITY) {
    if (pri == NULL) {
      return H2W_E_INVALID_ARGUMENT;
    }
    put_priority(fixed, pri);
    f.fixedlen = sizeof fixed;
  }
  return pack_padded(buf, cap, &f);
}

h2w_ssize h2w_frame_pack_push_promise(uint8_t *buf, size_t cap,
                                      uint32_t stream_id, uint8_t flags,
                                      uint32_t promised_stream_id,
                                      const uint8_t *block, size_t len,
                                      size_t padlen) {
  uint8_t fixed[4];
  padded f = {H2W_FRAME_PUSH_PROMISE, flags, stream_id, fixed,
              sizeof fixed,           block, len,       padlen};
  /* RFC 9113 §6.6 / §5.1.1: 0 is never a valid promised id. */
  promised_stream_id &= H2W_STREAM_ID_MASK;
  if ((flags & ~PUSH_PROMISE_FLAGS) != 0 || promised_stream_id == 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_frame_put_u32(fixed, promised_stream_id);
  return pack_padded(buf, cap, &f);
}

/* A frame with a fixed-size payload and no flags. */
static h2w_ssize pack_fixed(uint8_t *buf, size_t cap, uint8_t type,
                            uint32_t stream_id, const uint8_t *payload,
                            size_t len) {
  uint8_t *p;
  h2w_ssize rv = begin(buf, cap, len, type, 0, stream_id, &p);
  if (rv >= 0) {
    put_bytes(&p, payload, len);
  }
  return rv;
}

H2W_COLD h2w_ssize h2w_frame_pack_priority(uint8_t *buf, size_t cap,
                                           uint32_t stream_id,
                                           const h2w_frame_priority *pri) {
  uint8_t payload[5];
  if (pri == NULL || (stream_id & H2W_STREAM_ID_MASK) == 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  put_priority(payload, pri);
  return pack_fixed(buf, cap, H2W_FRAME_PRIORITY, stream_id, payload,
                    sizeof payload);
}

h2w_ssize h2w_frame_pack_rst_stream(uint8_t *buf, size_t cap,
                                    uint32_t stream_id, uint32_t error_code) {
  uint8_t payload[4];
  if ((stream_id & H2W_STREAM_ID_MASK) == 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_frame_put_u32(payload, error_code);
  return pack_fixed(buf, cap, H2W_FRAME_RST_STREAM, stream_id, payload,
                    sizeof payload);
}

H2W_COLD h2w_ssize h2w_frame_pack_settings(uint8_t *buf, size_t cap,
                                           uint8_t flags,
                                           const h2w_settings_entry *iv,
                                           size_t n) {
  uint8_t *p;
  size_t i;
  h2w_ssize rv;
  if ((flags & ~H2W_FLAG_ACK) != 0 || bad_range(iv, n) ||
      ((flags & H2W_FLAG_ACK) && n != 0) ||
      n > H2W_FRAME_MAX_MAX_SIZE / H2W_SETTINGS_ENTRY_LEN) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = begin(buf, cap, n * H2W_SETTINGS_ENTRY_LEN, H2W_FRAME_SETTINGS, flags, 0,
             &p);
  for (i = 0; rv >= 0 && i < n; i++) {
    put_u16(p, iv[i].id);
    h2w_frame_put_u32(p + 2, iv[i].value);
    p += H2W_SETTINGS_ENTRY_LEN;
  }
  return rv;
}

H2W_COLD h2w_ssize h2w_frame_pack_ping(uint8_t *buf, size_t cap, uint8_t flags,
                                       const uint8_t *opaque) {
  uint8_t *p;
  h2w_ssize rv;
  if ((flags & ~H2W_FLAG_ACK) != 0 || opaque == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = begin(buf, cap, H2W_PING_LEN, H2W_FRAME_PING, flags, 0, &p);
  if (rv >= 0) {
    memcpy(p, opaque, H2W_PING_LEN);
  }
  return rv;
}

H2W_COLD h2w_ssize h2w_frame_pack_goaway(uint8_t *buf, size_t cap,
                                         uint32_t last_stream_id,
                                         uint32_t error_code,
                                         const uint8_t *debug,
                                         size_t debuglen) {
  uint8_t *p;
  h2w_ssize rv;
  if (bad_range(debug, debuglen) || debuglen > H2W_FRAME_MAX_MAX_SIZE - 8u) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = begin(buf, cap, 8u + debuglen, H2W_FRAME_GOAWAY, 0, 0, &p);
  if (rv >= 0) {
    h2w_frame_put_u32(p, last_stream_id & H2W_STREAM_ID_MASK);
    h2w_frame_put_u32(p + 4, error_code);
    p += 8;
    put_bytes(&p, debug, debuglen);
  }
  return rv;
}

h2w_ssize h2w_frame_pack_window_update(uint8_t *buf, size_t cap,
                                       uint32_t stream_id, uint32_t increment) {
  uint8_t payload[4];
  /* RFC 9113 §6.9: an increment of 0 is an error at the receiver. */
  increment &= H2W_STREAM_ID_MASK;
  if (increment == 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_frame_put_u32(payload, increment);
  return pack_fixed(buf, cap, H2W_FRAME_WINDOW_UPDATE, stream_id, payload,
                    sizeof payload);
}

h2w_ssize h2w_frame_pack_continuation(uint8_t *buf, size_t cap,
                                      uint32_t stream_id, uint8_t flags,
                                      const uint8_t *block, size_t len) {
  uint8_t *p;
  h2w_ssize rv;
  if ((flags & ~H2W_FLAG_END_HEADERS) != 0 ||
      (stream_id & H2W_STREAM_ID_MASK) == 0 || bad_range(block, len)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = begin(buf, cap, len, H2W_FRAME_CONTINUATION, flags, stream_id, &p);
  if (rv >= 0) {
    put_bytes(&p, block, len);
  }
  return rv;
}

H2W_COLD h2w_ssize h2w_frame_pack_altsvc(uint8_t *buf, size_t cap,
                                         uint32_t stream_id,
                                         const uint8_t *origin,
                                         size_t originlen, const uint8_t *value,
                                         size_t valuelen) {
  uint8_t *p;
  h2w_ssize rv;
  stream_id &= H2W_STREAM_ID_MASK;
  /* RFC 7838 §4: the origin names the target on stream 0 and must be absent
   * on a stream, where the target is the stream's own origin. */
  if (bad_range(origin, originlen) || bad_range(value, valuelen) ||
      originlen > 0xffffu || (stream_id == 0) != (originlen != 0) ||
      valuelen > H2W_FRAME_MAX_MAX_SIZE) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = begin(buf, cap, 2u + originlen + valuelen, H2W_FRAME_ALTSVC, 0,
             stream_id, &p);
  if (rv >= 0) {
    put_u16(p, originlen);
    p += 2;
    put_bytes(&p, origin, originlen);
    put_bytes(&p, value, valuelen);
  }
  return rv;
}

H2W_COLD h2w_ssize h2w_frame_pack_origin(uint8_t *buf, size_t cap,
                                         const h2w_frame_bytes *origins,
                                         size_t n) {
  size_t i, len = 0;
  uint8_t *p;
  h2w_ssize rv;
  if (bad_range(origins, n)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  for (i = 0; i < n; i++) {
    if (bad_range(origins[i].base, origins[i].len) ||
        origins[i].len > 0xffffu ||
        origins[i].len + 2u > H2W_FRAME_MAX_MAX_SIZE - len) {
      return H2W_E_INVALID_ARGUMENT;
    }
    len += 2u + origins[i].len;
  }
  rv = begin(buf, cap, len, H2W_FRAME_ORIGIN, 0, 0, &p);
  for (i = 0; rv >= 0 && i < n; i++) {
    put_u16(p, origins[i].len);
    p += 2;
    put_bytes(&p, origins[i].base, origins[i].len);
  }
  return rv;
}

H2W_COLD h2w_ssize h2w_frame_pack_priority_update(
    uint8_t *buf, size_t cap, uint32_t prioritized_stream_id,
    const uint8_t *value, size_t valuelen) {
  uint8_t *p;
  h2w_ssize rv;
  prioritized_stream_id &= H2W_STREAM_ID_MASK;
  if (prioritized_stream_id == 0 || bad_range(value, valuelen) ||
      valuelen > H2W_FRAME_MAX_MAX_SIZE - 4u) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = begin(buf, cap, 4u + valuelen, H2W_FRAME_PRIORITY_UPDATE, 0, 0, &p);
  if (rv >= 0) {
    h2w_frame_put_u32(p, prioritized_stream_id);
    p += 4;
    put_bytes(&p, value, valuelen);
  }
  return rv;
}

static int is_known(uint8_t type) {
  return type <= H2W_FRAME_ALTSVC || type == H2W_FRAME_ORIGIN ||
         type == H2W_FRAME_PRIORITY_UPDATE;
}

H2W_COLD h2w_ssize h2w_frame_pack_unknown(uint8_t *buf, size_t cap,
                                          uint8_t type, uint8_t flags,
                                          uint32_t stream_id,
                                          const uint8_t *payload, size_t len) {
  uint8_t *p;
  h2w_ssize rv;
  if (is_known(type) || bad_range(payload, len)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = begin(buf, cap, len, type, flags, stream_id, &p);
  if (rv >= 0) {
    put_bytes(&p, payload, len);
  }
  return rv;
}

/* ---- re-encoding a decoded frame ------------------------------------- */

/* SETTINGS and ORIGIN views hold raw entries; they go back out verbatim
 * once checked, so re-encoding needs no scratch array. */
static h2w_ssize encode_settings(uint8_t *buf, size_t cap, const h2w_frame *f) {
  const h2w_frame_settings *s = &f->u.settings;
  uint8_t flags = (uint8_t)(f->hd.flags & H2W_FLAG_ACK);
  uint8_t *p;
  h2w_ssize rv;
  if (bad_range(s->entries, s->nentries) ||
      ((flags & H2W_FLAG_ACK) && s->nentries != 0) ||
      s->nentries > H2W_FRAME_MAX_MAX_SIZE / H2W_SETTINGS_ENTRY_LEN) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = begin(buf, cap, s->nentries * H2W_SETTINGS_ENTRY_LEN, H2W_FRAME_SETTINGS,
             flags, 0, &p);
  if (rv >= 0) {
    put_bytes(&p, s->entries, s->nentries * H2W_SETTINGS_ENTRY_LEN);
  }
  return rv;
}

static h2w_ssize encode_origin(uint8_t *buf, size_t cap, const h2w_frame *f) {
  h2w_frame_iter it;
  const uint8_t *o;
  size_t olen;
  uint8_t *p;
  h2w_ssize rv;
  if (bad_range(f->u.origin.entries, f->u.origin.len)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_frame_iter_origin(&it, &f->u.origin);
  while (h2w_frame_origin_next(&it, &o, &olen)) {
  }
  if (it.left != 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = begin(buf, cap, f->u.origin.len, H2W_FRAME_ORIGIN, 0, 0, &p);
  if (rv >= 0) {
    put_bytes(&p, f->u.origin.entries, f->u.origin.len);
  }
  return rv;
}

static h2w_ssize encode_block_frame(uint8_t *buf, size_t cap,
                                    const h2w_frame *f) {
  const h2w_frame_hd *hd = &f->hd;
  const h2w_frame_headers *h = &f->u.headers;
  const h2w_frame_push_promise *pp = &f->u.push_promise;
  switch (hd->type) {
  case H2W_FRAME_DATA:
    return h2w_frame_pack_data(
        buf, cap, hd->stream_id, (uint8_t)(hd->flags & DATA_FLAGS),
        f->u.data.data, f->u.data.datalen,
        (hd->flags & H2W_FLAG_PADDED) ? f->u.data.padlen : 0u);
  case H2W_FRAME_HEADERS:
    return h2w_frame_pack_headers(
        buf, cap, hd->stream_id, (uint8_t)(hd->flags & HEADERS_FLAGS), &h->pri,
        h->block, h->blocklen, (hd->flags & H2W_FLAG_PADDED) ? h->padlen : 0u);
  case H2W_FRAME_PUSH_PROMISE:
    return h2w_frame_pack_push_promise(
        buf, cap, hd->stream_id, (uint8_t)(hd->flags & PUSH_PROMISE_FLAGS),
        pp->promised_stream_id, pp->block, pp->blocklen,
        (hd->flags & H2W_FLAG_PADDED) ? pp->padlen : 0u);
  default:
    return h2w_frame_pack_continuation(
        buf, cap, hd->stream_id, (uint8_t)(hd->flags & H2W_FLAG_END_HEADERS),
        f->u.continuation.block, f->u.continuation.blocklen);
  }
}

H2W_COLD h2w_ssize h2w_frame_encode(uint8_t *buf, size_t cap,
                                    const h2w_frame *f) {
  const h2w_frame_hd *hd;
  if (f == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  hd = &f->hd;
  switch (hd->type) {
  case H2W_FRAME_DATA:
  case H2W_FRAME_HEADERS:
  case H2W_FRAME_PUSH_PROMISE:
  case H2W_FRAME_CONTINUATION:
    return encode_block_frame(buf, cap, f);
  case H2W_FRAME_PRIORITY:
    return h2w_frame_pack_priority(buf, cap, hd->stream_id, &f->u.priority);
  case H2W_FRAME_RST_STREAM:
    return h2w_frame_pack_rst_stream(buf, cap, hd->stream_id,
                                     f->u.rst_stream.error_code);
  case H2W_FRAME_SETTINGS:
    return encode_settings(buf, cap, f);
  case H2W_FRAME_PING:
    return h2w_frame_pack_ping(buf, cap, (uint8_t)(hd->flags & H2W_FLAG_ACK),
                               f->u.ping.opaque);
  case H2W_FRAME_GOAWAY:
    return h2w_frame_pack_goaway(buf, cap, f->u.goaway.last_stream_id,
                                 f->u.goaway.error_code, f->u.goaway.debug,
                                 f->u.goaway.debuglen);
  case H2W_FRAME_WINDOW_UPDATE:
    return h2w_frame_pack_window_update(buf, cap, hd->stream_id,
                                        f->u.window_update.increment);
  case H2W_FRAME_ALTSVC:
    return h2w_frame_pack_altsvc(buf, cap, hd->stream_id, f->u.altsvc.origin,
                                 f->u.altsvc.originlen, f->u.altsvc.value,
                                 f->u.altsvc.valuelen);
  case H2W_FRAME_ORIGIN:
    return encode_origin(buf, cap, f);
  case H2W_FRAME_PRIORITY_UPDATE:
    return h2w_frame_pack_priority_update(
        buf, cap, f->u.priority_update.prioritized_stream_id,
        f->u.priority_update.value, f->u.priority_update.valuelen);
  default:
    return h2w_frame_pack_unknown(buf, cap, hd->type, hd->flags, hd->stream_id,
                                  f->u.unknown.payload, f->u.unknown.len);
  }
}
