/* Frames beyond RFC 9113's own: ALTSVC (RFC 7838 §4) and ORIGIN (RFC 8336
 * §2), both sent by servers to clients, and frames of any type this
 * library does not implement, which RFC 9113 §5.5 says to ignore unless
 * the application knows them (WebTransport and friends define their own).
 * None of them is flow-controlled or changes stream state. */

#include "cold.h"
#include "session_int.h"

/* A stream an ALTSVC may name: one that is live (§4: "associated with"). */
static int stream_live(const h2w_session *s, uint32_t id) {
  const h2w_stream *st = h2w_stream_find(s, id);
  return st != NULL && !(st->flags & H2W_SF_QUEUED) &&
         st->state != H2W_SS_IDLE && st->state != H2W_SS_CLOSED;
}

H2W_COLD int h2w_recv_altsvc(h2w_session *s, const h2w_frame *f) {
  const h2w_frame_altsvc *a = &f->u.altsvc;
  int rv;
  /* RFC 7838 §4: only servers advertise; on a stream, only a live one. */
  if (s->is_server || s->cb.on_altsvc == NULL ||
      (f->hd.stream_id != 0 && !stream_live(s, f->hd.stream_id))) {
    return 0;
  }
  rv = s->cb.on_altsvc(s, f->hd.stream_id, a->origin, a->originlen, a->value,
                       a->valuelen, s->user);
  return h2w_cb_result(s, rv, "on_altsvc") < 0 ? s->err.lib : 0;
}

H2W_COLD int h2w_recv_origin(h2w_session *s, const h2w_frame *f) {
  h2w_frame_iter it;
  const uint8_t *o;
  size_t len, i = 0;
  int rv;
  /* RFC 8336 §2.1: a server ignores ORIGIN frames. */
  if (s->is_server || s->cb.on_origin == NULL) {
    return 0;
  }
  h2w_frame_iter_origin(&it, &f->u.origin);
  while (h2w_frame_origin_next(&it, &o, &len)) {
    rv = s->cb.on_origin(s, o, len, i++, s->user);
    if (h2w_cb_result(s, rv, "on_origin") < 0) {
      return s->err.lib;
    }
  }
  return 0;
}

H2W_COLD int h2w_recv_extension(h2w_session *s, const h2w_frame *f) {
  h2w_frame_info fi;
  int rv;
  if (s->cb.on_extension_frame == NULL ||
      f->u.unknown.len > s->opt.max_extension_payload) {
    return 0;
  }
  fi = h2w_frame_info_of(&f->hd);
  rv = s->cb.on_extension_frame(s, &fi, f->u.unknown.payload, s->user);
  return h2w_cb_result(s, rv, "on_extension_frame") < 0 ? s->err.lib : 0;
}

/* ---- sending ------------------------------------------------------------- */

static int usable(const h2w_session *s) {
  return s->err.lib == H2W_OK;
}

/* Reserve, pack, commit: `size` is the whole frame. */
#define QUEUE_FRAME(s, size, pack_call)                                        \
  do {                                                                         \
    int rv_;                                                                   \
    uint8_t *p = h2w_queue_reserve((s), (size), 0, &rv_);                      \
    if (p == NULL) {                                                           \
      return h2w_local_rv((s), rv_);                                           \
    }                                                                          \
    return h2w_local_rv((s), h2w_queue_commit((s), (pack_call)));              \
  } while (0)

H2W_COLD int h2w_session_submit_altsvc(h2w_session *s, uint32_t stream_id,
                                       const uint8_t *origin, size_t originlen,
                                       const uint8_t *value, size_t valuelen) {
  size_t len;
  if (s == NULL || (origin == NULL && originlen > 0) ||
      (value == NULL && valuelen > 0) || originlen > 0xffff ||
      (stream_id == 0) != (originlen > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (!usable(s)) {
    return s->err.lib;
  }
  if (!s->is_server || (stream_id != 0 && !stream_live(s, stream_id))) {
    return H2W_E_INVALID_STATE;
  }
  len = 2 + originlen + valuelen;
  if (len > s->settings.remote.max_frame_size) {
    return H2W_E_INVALID_ARGUMENT;
  }
  QUEUE_FRAME(s, H2W_FRAME_HD_LEN + len,
              h2w_frame_pack_altsvc(p, H2W_FRAME_HD_LEN + len, stream_id,
                                    origin, originlen, value, valuelen));
}

H2W_COLD int h2w_session_submit_origin(h2w_session *s,
                                       const uint8_t *const *origins,
                                       const size_t *lens, size_t n) {
  h2w_frame_bytes list[64];
  size_t i, len = 0;
  if (s == NULL || ((origins == NULL || lens == NULL) && n > 0) ||
      n > sizeof(list) / sizeof(list[0])) {
    return H2W_E_INVALID_ARGUMENT;
  }
  for (i = 0; i < n; i++) {
    if ((origins[i] == NULL && lens[i] > 0) || lens[i] > 0xffff) {
      return H2W_E_INVALID_ARGUMENT;
    }
    list[i].base = origins[i];
    list[i].len = lens[i];
    len += 2 + lens[i];
  }
  if (!usable(s)) {
    return s->err.lib;
  }
  if (!s->is_server) {
    return H2W_E_INVALID_STATE;
  }
  if (len > s->settings.remote.max_frame_size) {
    return H2W_E_INVALID_ARGUMENT;
  }
  QUEUE_FRAME(s, H2W_FRAME_HD_LEN + len,
              h2w_frame_pack_origin(p, H2W_FRAME_HD_LEN + len, list, n));
}

H2W_COLD int h2w_session_submit_extension(h2w_session *s, uint8_t type,
                                          uint8_t flags, uint32_t stream_id,
                                          const uint8_t *payload, size_t len) {
  if (s == NULL || (payload == NULL && len > 0) ||
      type <= H2W_FRAME_CONTINUATION || type == H2W_FRAME_ALTSVC ||
      type == H2W_FRAME_ORIGIN || type == H2W_FRAME_PRIORITY_UPDATE ||
      stream_id > H2W_LAST_STREAM_ID) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (!usable(s)) {
    return s->err.lib;
  }
  if (len > s->settings.remote.max_frame_size) {
    return H2W_E_INVALID_ARGUMENT;
  }
  QUEUE_FRAME(s, H2W_FRAME_HD_LEN + len,
              h2w_frame_pack_unknown(p, H2W_FRAME_HD_LEN + len, type, flags,
                                     stream_id, payload, len));
}
