#include "cold.h"
#include "settings.h"

#include <string.h>

#include "flow.h"
#include "session_int.h"

H2W_COLD void h2w_settings_init(h2w_settings *s) {
  s->header_table_size = 4096;
  s->enable_push = 1;
  s->max_concurrent_streams = H2W_SETTINGS_UNLIMITED;
  s->initial_window_size = H2W_DEFAULT_WINDOW_SIZE;
  s->max_frame_size = H2W_MIN_MAX_FRAME_SIZE;
  s->max_header_list_size = H2W_SETTINGS_UNLIMITED;
  s->enable_connect_protocol = 0;
  s->no_rfc7540_priorities = 0;
}

int h2w_settings_check(const h2w_settings *current, uint16_t id, uint32_t value,
                       int is_server_peer, uint32_t *wire_code) {
  switch (id) {
  case H2W_SETTINGS_ENABLE_PUSH:
    /* RFC 9113 §6.5.2: only 0 or 1, and a server must never send 1. */
    if (value > 1 || (is_server_peer && value == 1)) {
      *wire_code = H2W_PROTOCOL_ERROR;
      return H2W_E_PROTOCOL;
    }
    break;
  case H2W_SETTINGS_INITIAL_WINDOW_SIZE:
    if (value > H2W_MAX_WINDOW_SIZE) {
      *wire_code = H2W_FLOW_CONTROL_ERROR;
      return H2W_E_FLOW_CONTROL;
    }
    break;
  case H2W_SETTINGS_MAX_FRAME_SIZE:
    if (value < H2W_MIN_MAX_FRAME_SIZE || value > H2W_MAX_MAX_FRAME_SIZE) {
      *wire_code = H2W_PROTOCOL_ERROR;
      return H2W_E_PROTOCOL;
    }
    break;
  case H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    /* RFC 8441 §3: 0 or 1, and once 1 it must not go back to 0. */
    if (value > 1 || (current->enable_connect_protocol == 1 && value == 0)) {
      *wire_code = H2W_PROTOCOL_ERROR;
      return H2W_E_PROTOCOL;
    }
    break;
  case H2W_SETTINGS_NO_RFC7540_PRIORITIES:
    /* RFC 9218 §2.1: 0 or 1. */
    if (value > 1) {
      *wire_code = H2W_PROTOCOL_ERROR;
      return H2W_E_PROTOCOL;
    }
    break;
  default:
    break;
  }
  return H2W_OK;
}

static uint32_t *field(h2w_settings *s, uint16_t id) {
  switch (id) {
  case H2W_SETTINGS_HEADER_TABLE_SIZE:
    return &s->header_table_size;
  case H2W_SETTINGS_ENABLE_PUSH:
    return &s->enable_push;
  case H2W_SETTINGS_MAX_CONCURRENT_STREAMS:
    return &s->max_concurrent_streams;
  case H2W_SETTINGS_INITIAL_WINDOW_SIZE:
    return &s->initial_window_size;
  case H2W_SETTINGS_MAX_FRAME_SIZE:
    return &s->max_frame_size;
  case H2W_SETTINGS_MAX_HEADER_LIST_SIZE:
    return &s->max_header_list_size;
  case H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    return &s->enable_connect_protocol;
  case H2W_SETTINGS_NO_RFC7540_PRIORITIES:
    return &s->no_rfc7540_priorities;
  default:
    return NULL;
  }
}

void h2w_settings_set(h2w_settings *s, uint16_t id, uint32_t value) {
  uint32_t *f = field(s, id);
  if (f != NULL) {
    *f = value;
  }
}

uint32_t h2w_settings_get(const h2w_settings *s, uint16_t id, int *known) {
  /* field() does not write through the pointer here. */
  uint32_t *f = field((h2w_settings *)(uintptr_t)s, id);
  if (known != NULL) {
    *known = f != NULL;
  }
  return f != NULL ? *f : 0;
}

H2W_COLD const char *h2w_settings_name(uint16_t id) {
  switch (id) {
  case H2W_SETTINGS_HEADER_TABLE_SIZE:
    return "SETTINGS_HEADER_TABLE_SIZE";
  case H2W_SETTINGS_ENABLE_PUSH:
    return "SETTINGS_ENABLE_PUSH";
  case H2W_SETTINGS_MAX_CONCURRENT_STREAMS:
    return "SETTINGS_MAX_CONCURRENT_STREAMS";
  case H2W_SETTINGS_INITIAL_WINDOW_SIZE:
    return "SETTINGS_INITIAL_WINDOW_SIZE";
  case H2W_SETTINGS_MAX_FRAME_SIZE:
    return "SETTINGS_MAX_FRAME_SIZE";
  case H2W_SETTINGS_MAX_HEADER_LIST_SIZE:
    return "SETTINGS_MAX_HEADER_LIST_SIZE";
  case H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    return "SETTINGS_ENABLE_CONNECT_PROTOCOL";
  case H2W_SETTINGS_NO_RFC7540_PRIORITIES:
    return "SETTINGS_NO_RFC7540_PRIORITIES";
  default:
    return "UNKNOWN";
  }
}

H2W_COLD void h2w_settings_pending_init(h2w_settings_pending *p) {
  memset(p, 0, sizeof(*p));
}

/* Stage one of our entries on top of the set it follows: the one step
 * by which a pending slot is built. */
static int stage_entry(h2w_settings *next, uint32_t *hts_low,
                       const h2w_settings_entry *e) {
  uint32_t code;
  /* Our own values obey the ranges we demand of the peer (§6.5.2); a
   * client may announce ENABLE_PUSH 0 or 1, so check as from a client. */
  if (h2w_settings_check(next, e->id, e->value, 0, &code) != H2W_OK) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (e->id == H2W_SETTINGS_HEADER_TABLE_SIZE && e->value < *hts_low) {
    *hts_low = e->value;
  }
  h2w_settings_set(next, e->id, e->value);
  return H2W_OK;
}

H2W_COLD int h2w_settings_pending_push(h2w_settings_pending *p,
                                       const h2w_settings *local,
                                       const h2w_settings_entry *iv, size_t n) {
  h2w_settings next;
  uint32_t low;
  size_t i, slot;
  if (n > 0 && iv == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (p->len == H2W_SETTINGS_MAX_PENDING) {
    return H2W_E_LIMIT;
  }
  next = p->len == 0
             ? *local
             : p->after[(p->head + p->len - 1u) % H2W_SETTINGS_MAX_PENDING];
  low = next.header_table_size;
  for (i = 0; i < n; i++) {
    if (stage_entry(&next, &low, &iv[i]) != H2W_OK) {
      return H2W_E_INVALID_ARGUMENT;
    }
  }
  slot = (p->head + p->len) % H2W_SETTINGS_MAX_PENDING;
  p->after[slot] = next;
  p->hts_low[slot] = low;
  p->len++;
  return H2W_OK;
}

H2W_COLD int h2w_settings_pending_ack(h2w_settings_pending *p,
                                      h2w_settings *local, uint32_t *hts_low) {
  if (p->len == 0) {
    return H2W_E_PROTOCOL;
  }
  *local = p->after[p->head];
  if (hts_low != NULL) {
    *hts_low = p->hts_low[p->head];
  }
  p->head = (uint8_t)((p->head + 1u) % H2W_SETTINGS_MAX_PENDING);
  p->len--;
  return H2W_OK;
}

/* ==== The session's SETTINGS: every change to h2w_settings_state ========
 * Two doors only: remote_entry() for one entry the peer sent (SETTINGS
 * frame or HTTP2-Settings header) and local_in_force() for one of our
 * pending frames that took effect. Neither takes a whole parameter set
 * from its caller, so a frame cannot be folded into its last values. */

/* ---- ours --------------------------------------------------------------- */

typedef struct recv_rebase {
  h2w_session *s;
  uint32_t old_iws, new_iws;
} recv_rebase;

static void rebase_recv_cb(void *value, void *arg) {
  h2w_stream *st = value;
  const recv_rebase *r = arg;
  h2w_recv_window_rebase(&st->rw, r->old_iws, r->new_iws);
  /* A smaller window can leave what the application already consumed
   * due at once: the peer's window may now be shut (even negative, as
   * it counts the change too), so no DATA would come to trigger the
   * update and the stream would stall. */
  h2w_wu_check(r->s, st);
}

/* Our SETTINGS in force or pending changed: resync the receive-side
 * limits (stream windows, frame size, HPACK table, header-list cap). */
static void local_changed(h2w_session *s) {
  h2w_settings_state *t = &s->settings;
  const h2w_settings *newest = &t->local;
  uint32_t iws = t->local.initial_window_size;
  uint32_t mfs = t->local.max_frame_size;
  uint32_t hts = t->local.header_table_size;
  uint8_t i;
  for (i = 0; i < t->pending.len; i++) {
    const h2w_settings *p =
        &t->pending.after[(t->pending.head + i) % H2W_SETTINGS_MAX_PENDING];
    iws = p->initial_window_size > iws ? p->initial_window_size : iws;
    mfs = p->max_frame_size > mfs ? p->max_frame_size : mfs;
    hts = p->header_table_size > hts ? p->header_table_size : hts;
    newest = p;
  }
  if (iws != t->recv_iws) {
    recv_rebase r;
    r.s = s;
    r.old_iws = t->recv_iws;
    r.new_iws = iws;
    h2w_stream_map_each(&s->map, rebase_recv_cb, &r);
    t->recv_iws = iws;
  }
  h2w_frame_reader_set_max_frame_size(&s->rs.reader, mfs);
  /* The limit of the peer's dynamic table size updates (RFC 7541 §6.3:
   * "lower than or equal to the limit determined by the protocol") is
   * the largest HEADER_TABLE_SIZE we have announced and not seen
   * superseded by an acknowledged one, as for windows and frame sizes
   * above: the peer applies our SETTINGS when it processes them and may
   * signal the new size before its ACK reaches us (nghttp2 does, and
   * sends no ACK at all once it is closing). A raise may come in the
   * middle of a block (a submit from a callback) and only widens it. */
  if (hts > s->dec.settings_max) {
    h2w_hpack_decoder_raise(&s->dec, hts);
  } else if (hts < s->dec.settings_max) {
    /* Lowered by an ACK (local_in_force), between blocks: an ACK cannot
     * interleave one (RFC 9113 §6.10) and an upgrade happens before any
     * input. RFC 7541 §4.2: the lower limit binds once the peer has
     * seen it, and the decoder then expects its update. */
    (void)h2w_hpack_decoder_settings(&s->dec, hts);
  }
  /* The cap we announced last; the decoder applies it from the next
   * header block on (a block already begun keeps the cap it began with). */
  h2w_hpack_decoder_list_cap(&s->dec, newest->max_header_list_size);
  t->peer_stream_limit = newest->max_concurrent_streams;
}

/* Our frame whose staged set is `after` took effect. RFC 7541 §4.2: when
 * its HEADER_TABLE_SIZE entries went below the value in force until now,
 * the peer's encoder signals that minimum first, so the decoder must
 * expect it. (Compared with the value in force, not with the decoder's
 * bound, which may be a larger value still pending: local_changed.) */
static void local_in_force(h2w_session *s, const h2w_settings *after,
                           uint32_t hts_low) {
  if (hts_low < s->settings.local.header_table_size) {
    (void)h2w_hpack_decoder_settings(&s->dec, hts_low);
  }
  s->settings.local = *after;
  local_changed(s);
}

H2W_COLD int h2w_queue_settings(h2w_session *s, const h2w_settings_entry *iv,
                                size_t n) {
  h2w_settings_state *t = &s->settings;
  size_t size = H2W_FRAME_HD_LEN + H2W_SETTINGS_ENTRY_LEN * n;
  uint8_t *p;
  int rv;
  if (n > 16) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = h2w_settings_pending_push(&t->pending, &t->local, iv, n);
  if (rv != H2W_OK) {
    return rv;
  }
  p = h2w_queue_reserve(s, size, 0, &rv);
  if (p != NULL) {
    rv = h2w_queue_commit(s, h2w_frame_pack_settings(p, size, 0, iv, n));
  }
  if (rv != H2W_OK) {
    /* Not sent: forget the slot just pushed (the newest). */
    t->pending.len--;
    return rv;
  }
  t->sent_ms[(t->pending.head + t->pending.len - 1) %
             H2W_SETTINGS_MAX_PENDING] = s->clock.now;
  local_changed(s);
  return H2W_OK;
}

H2W_COLD void h2w_settings_upgrade_local(h2w_session *s) {
  h2w_settings_pending *p = &s->settings.pending;
  if (p->len > 0) {
    /* RFC 7540 §3.2.1: the 101 acknowledged the settings the request
     * carried, so they are in force for stream 1 already; the preface
     * SETTINGS repeats them and its ACK changes nothing. */
    local_in_force(s, &p->after[p->head], p->hts_low[p->head]);
  }
}

/* The SETTINGS of our preface: every value that differs from the RFC
 * default, plus MAX_CONCURRENT_STREAMS (unlimited by default, §6.5.2)
 * and MAX_HEADER_LIST_SIZE (advisory, but peers use it). */
H2W_COLD size_t h2w_preface_settings(const h2w_session *s,
                                     h2w_settings_entry *iv) {
  size_t n = 0;
  const h2w_opts *o = &s->opt;
#define ADD(ident, val)                                                        \
  do {                                                                         \
    iv[n].id = (uint16_t)(ident);                                              \
    iv[n].reserved = 0;                                                        \
    iv[n].value = (val);                                                       \
    n++;                                                                       \
  } while (0)
  if (o->header_table_size != 4096) {
    ADD(H2W_SETTINGS_HEADER_TABLE_SIZE, o->header_table_size);
  }
  if (!s->is_server) {
    /* RFC 9113 §6.5.2: push is on unless the client says otherwise. */
    ADD(H2W_SETTINGS_ENABLE_PUSH, o->enable_push);
  }
  ADD(H2W_SETTINGS_MAX_CONCURRENT_STREAMS, o->max_concurrent_streams);
  if (o->initial_window_size != H2W_DEFAULT_WINDOW_SIZE) {
    ADD(H2W_SETTINGS_INITIAL_WINDOW_SIZE, o->initial_window_size);
  }
  if (o->max_frame_size != H2W_FRAME_DEFAULT_MAX_SIZE) {
    ADD(H2W_SETTINGS_MAX_FRAME_SIZE, o->max_frame_size);
  }
  ADD(H2W_SETTINGS_MAX_HEADER_LIST_SIZE, o->max_header_list_size);
  /* RFC 9218 §2.1: we schedule by extensible priorities, not the RFC
   * 7540 tree. */
  ADD(H2W_SETTINGS_NO_RFC7540_PRIORITIES, 1);
  if (o->enable_connect_protocol) {
    ADD(H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1); /* RFC 8441 §3 */
  }
#undef ADD
  return n;
}

uint64_t h2w_settings_deadline(const h2w_session *s) {
  const h2w_settings_state *t = &s->settings;
  if (t->pending.len == 0 || s->opt.settings_timeout_ms == 0) {
    return UINT64_MAX;
  }
  return h2w_deadline_add(t->sent_ms[t->pending.head],
                          s->opt.settings_timeout_ms);
}

H2W_COLD void h2w_settings_clock_start(h2w_session *s, uint64_t now) {
  size_t i;
  for (i = 0; i < H2W_SETTINGS_MAX_PENDING; i++) {
    s->settings.sent_ms[i] = now;
  }
}

/* ---- the peer's --------------------------------------------------------- */

typedef struct rebase_walk {
  h2w_session *s;
  uint32_t old_iws, new_iws;
  int overflow;
} rebase_walk;

/* §6.9.2: move every stream's send window by the change; a window that
 * shut leaves the DATA ring, one that opened joins it. */
static void rebase_cb(void *value, void *arg) {
  rebase_walk *w = arg;
  h2w_stream *st = value;
  if (h2w_send_window_rebase(&st->sw, w->old_iws, w->new_iws) != H2W_OK) {
    w->overflow = 1;
  } else if (st->sw.avail <= 0) {
    h2w_sched_remove(w->s, st);
  } else {
    h2w_sched_add(w->s, st);
  }
}

/* Put one entry the peer sent in force, with its side effects, before
 * the next entry is looked at (RFC 9113 §6.5.3). Returns 0 or a fatal
 * error. */
static int remote_entry(h2w_session *s, const h2w_settings_entry *e) {
  h2w_settings *r = &s->settings.remote;
  uint32_t code;
  if (h2w_settings_check(r, e->id, e->value, !s->is_server, &code) != H2W_OK) {
    return h2w_conn_error(
        s, code == H2W_FLOW_CONTROL_ERROR ? H2W_E_FLOW_CONTROL : H2W_E_PROTOCOL,
        code, "invalid SETTINGS value");
  }
  switch (e->id) {
  case H2W_SETTINGS_INITIAL_WINDOW_SIZE:
    if (e->value != r->initial_window_size) {
      /* §6.9.2: each entry moves the windows; one that pushes a window
       * past 2^31-1 is an error even if a later entry would undo it. */
      rebase_walk w;
      w.s = s;
      w.old_iws = r->initial_window_size;
      w.new_iws = e->value;
      w.overflow = 0;
      h2w_stream_map_each(&s->map, rebase_cb, &w);
      if (w.overflow) {
        return h2w_conn_error(s, H2W_E_FLOW_CONTROL, H2W_FLOW_CONTROL_ERROR,
                              "INITIAL_WINDOW_SIZE overflows a stream window");
      }
    }
    break;
  case H2W_SETTINGS_HEADER_TABLE_SIZE:
    /* RFC 7541 §4.2: the encoder remembers the smallest limit reached
     * and signals it, then the final one, at the next block start. */
    h2w_hpack_encoder_limits(&s->enc, e->value, s->opt.encoder_table_size);
    break;
  default:
    break;
  }
  h2w_settings_set(r, e->id, e->value);
  return 0;
}

H2W_COLD int h2w_settings_upgrade_remote(h2w_session *s,
                                         const h2w_settings_entry *iv,
                                         size_t n) {
  size_t i;
  int rv;
  for (i = 0; i < n; i++) {
    if ((rv = remote_entry(s, &iv[i])) < 0) {
      return rv;
    }
  }
  return 0;
}

static int recv_settings_ack(h2w_session *s) {
  h2w_settings after;
  uint32_t low;
  int rv;
  if (h2w_settings_pending_ack(&s->settings.pending, &after, &low) != H2W_OK) {
    return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                          "SETTINGS ACK without SETTINGS");
  }
  local_in_force(s, &after, low);
  /* The autotuner's own SETTINGS (autotune.c) is not the application's. */
  if (!h2w_autotune_settings_acked(s) && s->cb.on_settings_ack != NULL) {
    rv = s->cb.on_settings_ack(s, s->user);
    if (h2w_cb_result(s, rv, "on_settings_ack") < 0) {
      return s->err.lib;
    }
  }
  return 0;
}

#define H2W_MAX_SETTINGS_ENTRIES 64

H2W_COLD int h2w_recv_settings(h2w_session *s, const h2w_frame *f) {
  h2w_settings_entry iv[H2W_MAX_SETTINGS_ENTRIES];
  h2w_frame_iter it;
  size_t n = 0;
  uint8_t *p;
  int rv;
  if (f->hd.flags & H2W_FLAG_ACK) {
    return recv_settings_ack(s);
  }
  if (f->u.settings.nentries > s->opt.max_settings_entries ||
      f->u.settings.nentries > H2W_MAX_SETTINGS_ENTRIES) {
    /* docs/security.md row 2: refuse before applying anything. */
    return h2w_conn_error(s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM,
                          "too many SETTINGS entries in one frame");
  }
  h2w_frame_iter_settings(&it, &f->u.settings);
  while (h2w_frame_settings_next(&it, &iv[n])) {
    if ((rv = remote_entry(s, &iv[n])) < 0) {
      return rv;
    }
    n++;
  }
  p = h2w_queue_reserve(s, H2W_FRAME_HD_LEN, 1, &rv);
  if (p != NULL) {
    rv = h2w_queue_commit(
        s, h2w_frame_pack_settings(p, H2W_FRAME_HD_LEN, H2W_FLAG_ACK, NULL, 0));
  }
  if (rv < 0) {
    return rv == H2W_E_NOMEM
               ? h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory")
               : rv;
  }
  if (s->cb.on_settings != NULL) {
    rv = s->cb.on_settings(s, iv, n, s->user);
    if (h2w_cb_result(s, rv, "on_settings") < 0) {
      return s->err.lib;
    }
  }
  return s->err.lib; /* queued requests start when output is written */
}

/* ---- start ---------------------------------------------------------------
 */

H2W_COLD void h2w_settings_state_init(h2w_session *s) {
  h2w_settings_state *t = &s->settings;
  h2w_settings_init(&t->local);
  h2w_settings_init(&t->remote);
  h2w_settings_pending_init(&t->pending);
  t->recv_iws = t->local.initial_window_size;
  t->peer_stream_limit = s->opt.max_concurrent_streams;
  h2w_hpack_decoder_list_cap(&s->dec, s->opt.max_header_list_size);
  h2w_hpack_encoder_limits(&s->enc, t->remote.header_table_size,
                           s->opt.encoder_table_size);
}
