/* The output side: the queue of committed frames, WINDOW_UPDATEs emitted
 * lazily (a window is re-credited only when its update actually leaves,
 * docs/security.md general rules), the DATA scheduler that pulls body bytes
 * from data sources only while a frame is being built (row 6), and the send /
 * peek / ack entry points.
 *
 * Order on the wire: queued frames first (control frames and header
 * blocks, in the order they were committed, which is also HPACK order),
 * then DATA, one frame per stream in round-robin. A header block and its
 * CONTINUATIONs are committed together, so nothing can come in between
 * (RFC 9113 §6.10). */
#include <string.h>

#include "cold.h"
#include "session_int.h"

/* Below this much room in the caller's buffer a DATA frame is not worth
 * starting there: the output stops and the next call gets a fresh buffer. */
#define H2W_MIN_DIRECT_DATA 4096u

/* A frame header written with the frame codec (frame.c), which also clears
 * the reserved stream-id bit (RFC 9113 §4.1). */
static void put_hd(uint8_t *p, size_t len, uint8_t type, uint8_t flags,
                   uint32_t id) {
  h2w_frame_hd hd;
  hd.length = (uint32_t)len;
  hd.type = type;
  hd.flags = flags;
  hd.stream_id = id;
  (void)h2w_frame_pack_hd(p, H2W_FRAME_HD_LEN, &hd);
}

/* Frames the peer can provoke at will: they count against the control
 * queue cap (docs/security.md rows 1-3). */
static int is_reactive(const uint8_t *frame) {
  uint8_t type = frame[3], flags = frame[4];
  return type == H2W_FRAME_RST_STREAM ||
         ((type == H2W_FRAME_PING || type == H2W_FRAME_SETTINGS) &&
          (flags & H2W_FLAG_ACK));
}

/* Where frames committed now go: the output queue, or the side queue
 * while a data source runs (session_int.h, h2w_send_state.side). */
static h2w_outq *out_queue(h2w_session *s) {
  return s->ss.in_source ? &s->ss.side : &s->ss.q;
}

uint8_t *h2w_queue_reserve(h2w_session *s, size_t size, int reactive, int *rv) {
  uint8_t *p;
  *rv = s->err.lib;
  if (s->err.lib != H2W_OK) {
    return NULL;
  }
  if (reactive && s->ss.reactive >= s->opt.max_control_queue) {
    *rv = h2w_conn_error(s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM,
                         "peer provokes control frames without reading");
    return NULL;
  }
  p = h2w_outq_reserve(out_queue(s), size);
  if (p == NULL) {
    *rv = H2W_E_NOMEM;
  }
  return p;
}

int h2w_queue_commit(h2w_session *s, h2w_ssize packed) {
  h2w_outq *q = out_queue(s);
  const uint8_t *frame = q->buf + q->tail;
  if (packed < 0) {
    return (int)packed;
  }
  if (is_reactive(frame)) {
    s->ss.reactive++;
  }
  h2w_outq_commit(q, (size_t)packed);
  return H2W_OK;
}

int h2w_queue_rst(h2w_session *s, uint32_t id, uint32_t code, int reactive) {
  int rv;
  uint8_t *p = h2w_queue_reserve(s, H2W_FRAME_HD_LEN + 4, reactive, &rv);
  if (p == NULL) {
    return rv;
  }
  return h2w_queue_commit(
      s, h2w_frame_pack_rst_stream(p, H2W_FRAME_HD_LEN + 4, id, code));
}

int h2w_queue_window_update(h2w_session *s, uint32_t id, uint32_t inc) {
  int rv;
  uint8_t *p = h2w_queue_reserve(s, H2W_FRAME_HD_LEN + 4, 0, &rv);
  if (p == NULL) {
    return rv;
  }
  return h2w_queue_commit(
      s, h2w_frame_pack_window_update(p, H2W_FRAME_HD_LEN + 4, id, inc));
}

/* Debug data is advisory (RFC 9113 §6.8): keep what fits. */
#define H2W_GOAWAY_DEBUG_MAX 56u

H2W_COLD int h2w_queue_goaway(h2w_session *s, uint32_t last_id, uint32_t code,
                              const uint8_t *debug, size_t debuglen) {
  size_t size;
  uint8_t *p;
  int rv;
  if (debuglen > H2W_GOAWAY_DEBUG_MAX) {
    debuglen = H2W_GOAWAY_DEBUG_MAX;
  }
  size = H2W_FRAME_HD_LEN + 8 + debuglen;
  p = h2w_queue_reserve(s, size, 0, &rv);
  if (p == NULL) {
    return rv;
  }
  return h2w_queue_commit(
      s, h2w_frame_pack_goaway(p, size, last_id, code, debug, debuglen));
}

H2W_COLD int h2w_queue_ping(h2w_session *s, const uint8_t *opaque8,
                            size_t *slot) {
  size_t i;
  uint8_t *p;
  int rv;
  for (i = 0; i < H2W_MAX_PINGS; i++) {
    if (!s->ss.pings[i].used) {
      break;
    }
  }
  if (i == H2W_MAX_PINGS) {
    return H2W_E_LIMIT;
  }
  p = h2w_queue_reserve(s, H2W_FRAME_HD_LEN + H2W_PING_LEN, 0, &rv);
  if (p == NULL) {
    return rv;
  }
  rv = h2w_queue_commit(
      s, h2w_frame_pack_ping(p, H2W_FRAME_HD_LEN + H2W_PING_LEN, 0, opaque8));
  if (rv != H2W_OK) {
    return rv;
  }
  s->ss.pings[i].used = 1;
  s->ss.pings[i].stamped = 0;
  memcpy(s->ss.pings[i].opaque, opaque8, 8);
  s->ss.pings[i].sent_ms = s->clock.now;
  if (slot != NULL) {
    *slot = i;
  }
  return H2W_OK;
}

/* HPACK-encode nva as one header block (RFC 9113 §4.3) on the queue: a
 * HEADERS or PUSH_PROMISE frame (whose payload starts with the 4-octet
 * promised id, §6.6), plus CONTINUATIONs when the block outgrows the
 * peer's SETTINGS_MAX_FRAME_SIZE (§6.10). */
/* `copied` is the h2w_nvbuf nva is the list of, or NULL. */
static int queue_block(h2w_session *s, uint8_t type, uint32_t id,
                       uint32_t promised, const h2w_nv *nva, size_t n,
                       int end_stream, const h2w_nvbuf *copied) {
  size_t pre = type == H2W_FRAME_PUSH_PROMISE ? 4u : 0u;
  size_t bound = copied != NULL ? h2w_hpack_encoder_bound_sum(n, copied->octets)
                                : h2w_hpack_encoder_bound(&s->enc, nva, n);
  size_t maxf = s->settings.remote.max_frame_size; /* >= 16384 (§6.5.2) */
  size_t first = maxf - pre, k, i, len;
  h2w_outq *q = out_queue(s);
  uint8_t es = (uint8_t)(end_stream ? H2W_FLAG_END_STREAM : 0);
  uint8_t *p, *blk;
  h2w_ssize enc;
  if (s->err.lib != H2W_OK) {
    /* The connection is over (an error GOAWAY may already be queued,
     * e.g. submitted from on_frame_send while a body ended): nothing
     * may follow it (RFC 9113 §6.8). */
    return s->err.lib;
  }
  if (bound > SIZE_MAX / 2) {
    return H2W_E_INVALID_ARGUMENT;
  }
  p = h2w_outq_reserve(q, (bound / maxf + 2) * H2W_FRAME_HD_LEN + pre + bound);
  if (p == NULL) {
    return H2W_E_NOMEM;
  }
  blk = p + H2W_FRAME_HD_LEN + pre;
  enc = copied != NULL ? h2w_hpack_encoder_encode_valid(&s->enc, blk, nva, n)
                       : h2w_hpack_encoder_encode_sized(&s->enc, blk, nva, n);
  if (enc < 0) {
    /* The encoder's table may already hold part of this block: the
     * peer's decoder can no longer follow (RFC 7541 §2.3.2). */
    return h2w_conn_error(s, (int)enc, H2W_INTERNAL_ERROR,
                          "header block could not be encoded");
  }
  len = (size_t)enc;
  if (pre != 0) {
    h2w_frame_put_u32(p + H2W_FRAME_HD_LEN, promised & H2W_STREAM_ID_MASK);
  }
  if (len <= first) {
    put_hd(p, pre + len, type, (uint8_t)(H2W_FLAG_END_HEADERS | es), id);
    h2w_outq_commit(q, H2W_FRAME_HD_LEN + pre + len);
    return H2W_OK;
  }
  /* Open a 9-octet gap before each later chunk, moving the last chunk
   * first: chunk i (1..k) starts at blk + first + maxf * (i - 1) and goes
   * i frame headers further. */
  k = (len - first + maxf - 1) / maxf;
  for (i = k; i >= 1; i--) {
    size_t src = first + maxf * (i - 1);
    size_t clen = i == k ? len - src : maxf;
    uint8_t *dst = blk + src + H2W_FRAME_HD_LEN * i;
    memmove(dst, blk + src, clen);
    put_hd(dst - H2W_FRAME_HD_LEN, clen, H2W_FRAME_CONTINUATION,
           (uint8_t)(i == k ? H2W_FLAG_END_HEADERS : 0), id);
  }
  put_hd(p, maxf, type, es, id);
  h2w_outq_commit(q, H2W_FRAME_HD_LEN * (k + 1) + pre + len);
  return H2W_OK;
}

static int queue_headers(h2w_session *s, h2w_stream *st, const h2w_nv *nva,
                         size_t n, int end_stream, const h2w_nvbuf *copied) {
  int rv =
      queue_block(s, H2W_FRAME_HEADERS, st->id, 0, nva, n, end_stream, copied);
  if (rv != H2W_OK) {
    return rv;
  }
  h2w_stream_apply(s, st, H2W_EV_SEND_HEADERS);
  if (end_stream) {
    h2w_stream_apply(s, st, H2W_EV_SEND_END_STREAM);
  }
  return H2W_OK;
}

int h2w_queue_headers(h2w_session *s, h2w_stream *st, const h2w_nv *nva,
                      size_t n, int end_stream) {
  return queue_headers(s, st, nva, n, end_stream, NULL);
}

int h2w_queue_headers_nvbuf(h2w_session *s, h2w_stream *st, const h2w_nvbuf *b,
                            int end_stream) {
  return queue_headers(s, st, b->nv, b->n, end_stream, b);
}

int h2w_queue_push_promise(h2w_session *s, h2w_stream *st, h2w_stream *promised,
                           const h2w_nv *nva, size_t n) {
  int rv = queue_block(s, H2W_FRAME_PUSH_PROMISE, st->id, promised->id, nva, n,
                       0, NULL);
  if (rv == H2W_OK) {
    h2w_stream_apply(s, promised, H2W_EV_SEND_PUSH_PROMISE);
  }
  return rv;
}

/* ---- DATA scheduler ring ------------------------------------------------ */

/* A stream window worth building a DATA frame for (docs/security.md row 7,
 * CVE-2019-9511). A peer that returns window a few octets at a time
 * would have us pull the body source and frame a few octets per
 * WINDOW_UPDATE; instead DATA waits until the credits add up to the
 * threshold of flow.h (half the stream window the peer announced, at
 * most 16 KiB), so each tiny update costs one frame parse. Window the
 * peer gave in full, or that we left unused, is always sent (RFC 9113
 * §6.9). Only stream windows are held: their size is announced in
 * SETTINGS (§6.9.2), while a connection window is shrunk silently by
 * returning less (nghttp -W, node's setLocalWindowSize), so a threshold
 * derived from it could wait for credit that never comes. */
static int worthwhile_window(const h2w_send_window *w) {
  return !h2w_send_window_held(w);
}

/* RFC 9218 §10: the most urgent level with data goes first. Within a
 * level, an incremental stream yields to the next after each frame, a
 * non-incremental one keeps the head until it finishes or blocks. */
static void sched_refresh(h2w_send_state *ss) {
  int u;
  ss->ring = NULL;
  for (u = 0; u < H2W_PRIO_LEVELS; u++) {
    if (ss->levels & (1u << u)) {
      ss->ring = ss->rings[u];
      return;
    }
  }
}

void h2w_sched_add(h2w_session *s, h2w_stream *st) {
  int u = H2W_PRIO_URGENCY(st->prio);
  h2w_stream *head = s->ss.rings[u];
  if ((st->flags & H2W_SF_IN_DATA_RING) || st->src_state != H2W_SRC_ACTIVE ||
      !(st->flags & H2W_SF_FINAL_SENT) || !worthwhile_window(&st->sw) ||
      s->err.lib != H2W_OK) {
    return;
  }
  st->flags |= H2W_SF_IN_DATA_RING;
  if (head == NULL) {
    st->tx->ring_next = st->tx->ring_prev = st;
    s->ss.rings[u] = st;
    s->ss.levels = (uint8_t)(s->ss.levels | 1u << u);
    sched_refresh(&s->ss);
  } else {
    /* Join at the back: just before the next stream to be served. */
    st->tx->ring_next = head;
    st->tx->ring_prev = head->tx->ring_prev;
    head->tx->ring_prev->tx->ring_next = st;
    head->tx->ring_prev = st;
  }
}

void h2w_sched_remove(h2w_session *s, h2w_stream *st) {
  h2w_stream_tx *tx = st->tx;
  int u;
  if (!(st->flags & H2W_SF_IN_DATA_RING)) {
    return;
  }
  st->flags &= ~H2W_SF_IN_DATA_RING;
  u = H2W_PRIO_URGENCY(st->prio);
  if (tx->ring_next == st) {
    s->ss.rings[u] = NULL;
    s->ss.levels = (uint8_t)(s->ss.levels & ~(1u << u));
  } else {
    tx->ring_prev->tx->ring_next = tx->ring_next;
    tx->ring_next->tx->ring_prev = tx->ring_prev;
    if (s->ss.rings[u] == st) {
      s->ss.rings[u] = tx->ring_next;
    }
  }
  tx->ring_next = tx->ring_prev = NULL;
  if (s->err.lib == H2W_OK) {
    sched_refresh(&s->ss);
  }
}

void h2w_sched_stop(h2w_session *s) {
  /* After a fatal error nothing more is sent; the streams keep their
   * links until they are freed. */
  s->ss.ring = NULL;
}

/* ---- WINDOW_UPDATE ------------------------------------------------------ */

void h2w_wu_mark(h2w_session *s, h2w_stream *st) {
  if (st->flags & H2W_SF_WU_DUE) {
    return;
  }
  st->flags |= H2W_SF_WU_DUE;
  st->wu_next = s->ss.wu_head;
  s->ss.wu_head = st;
}

void h2w_wu_unlink(h2w_session *s, h2w_stream *st) {
  h2w_stream **pp;
  if (!(st->flags & H2W_SF_WU_DUE)) {
    return;
  }
  for (pp = &s->ss.wu_head; *pp != NULL; pp = &(*pp)->wu_next) {
    if (*pp == st) {
      *pp = st->wu_next;
      break;
    }
  }
  st->flags &= ~H2W_SF_WU_DUE;
  st->wu_next = NULL;
}

void h2w_wu_check(h2w_session *s, h2w_stream *st) {
  /* No point crediting a stream the peer has finished sending on (or
   * not started: §5.1 allows no WINDOW_UPDATE on reserved (local)). */
  if (!(st->flags & H2W_SF_CLOSING) &&
      (st->state == H2W_SS_OPEN || st->state == H2W_SS_HALF_CLOSED_LOCAL) &&
      h2w_recv_window_update_due(&st->rw) > 0) {
    h2w_wu_mark(s, st);
  }
}

/* Turn due credits into WINDOW_UPDATE frames; the windows grow now, as the
 * frames are committed to the output. */
static int emit_window_updates(h2w_session *s) {
  uint32_t inc = h2w_recv_window_update_due(&s->conn_rw);
  h2w_stream *st;
  int rv;
  if (inc > 0) {
    rv = h2w_queue_window_update(s, 0, inc);
    if (rv != H2W_OK) {
      return rv;
    }
    h2w_recv_window_commit(&s->conn_rw, inc);
  }
  while ((st = s->ss.wu_head) != NULL) {
    s->ss.wu_head = st->wu_next;
    st->wu_next = NULL;
    st->flags &= ~H2W_SF_WU_DUE;
    inc = h2w_recv_window_update_due(&st->rw);
    if (inc > 0) {
      rv = h2w_queue_window_update(s, st->id, inc);
      if (rv != H2W_OK) {
        return rv;
      }
      h2w_recv_window_commit(&st->rw, inc);
    }
  }
  return H2W_OK;
}

/* ---- output bookkeeping ------------------------------------------------- */

/* on_frame_send for a frame that left. Out of line, so that frame_sent(),
 * run for every frame, has no local whose address is taken (no stack
 * protector) when the application has no such callback. */
H2W_NOINLINE static void call_frame_send(h2w_session *s, h2w_frame_hd hd,
                                         const uint8_t *frame) {
  h2w_frame_info fi = h2w_frame_info_of(&hd);
  int rv;
  H2W_CB_ENTER(s);
  rv = s->cb.on_frame_send(s, &fi, frame + H2W_FRAME_HD_LEN, s->user);
  H2W_CB_LEAVE(s);
  if (rv < 0 && rv != H2W_E_PAUSE) { /* pausing applies to recv only */
    h2w_callback_failed(s, "on_frame_send");
  }
}

static void frame_sent(h2w_session *s, const uint8_t *frame) {
  h2w_frame_hd hd;
  size_t i;
  hd = h2w_frame_hd_read(frame);
  s->ss.preface_out = 1;
  if (hd.type == H2W_FRAME_HEADERS && !s->is_server) {
    /* Once any octet of a request's HEADERS is out, the server may have
     * processed it: no longer safe to retry when the connection ends. */
    h2w_stream *st = h2w_stream_find(s, hd.stream_id);
    if (st != NULL) {
      st->flags |= H2W_SF_HEADERS_OUT;
    }
  }
  if (is_reactive(frame) && s->ss.reactive > 0) {
    s->ss.reactive--;
  }
  if (hd.type == H2W_FRAME_PING && !(hd.flags & H2W_FLAG_ACK)) {
    /* RTT is measured from the moment the PING leaves the session. */
    for (i = 0; i < H2W_MAX_PINGS; i++) {
      h2w_ping_slot *ps = &s->ss.pings[i];
      if (ps->used && !ps->stamped &&
          memcmp(ps->opaque, frame + H2W_FRAME_HD_LEN, 8) == 0) {
        ps->stamped = 1;
        ps->sent_ms = s->clock.now;
        break;
      }
    }
  }
  if (s->cb.on_frame_send != NULL && s->err.lib == H2W_OK) {
    call_frame_send(s, hd, frame);
  }
}

/* Report every queued frame that starts before offset `upto`. Callbacks
 * may queue more frames: the buffer is pinned so offsets stay valid. */
static void report_upto(h2w_session *s, size_t upto) {
  h2w_outq *q = &s->ss.q;
  int was = q->pinned;
  q->pinned = 1;
  while (q->mark < upto && q->mark + H2W_FRAME_HD_LEN <= q->tail) {
    size_t start = q->mark;
    h2w_frame_hd hd;
    hd = h2w_frame_hd_read(q->buf + start);
    q->mark = start + H2W_FRAME_HD_LEN + hd.length;
    frame_sent(s, q->buf + start);
  }
  q->pinned = was;
}

/* The caller has written octets [head, upto) of the queue (peek/ack):
 * they are on the wire whatever a callback says. Claim every frame they
 * touch before reporting any, so a failing on_frame_send, which cuts the
 * queue after the frames claimed, never cuts below what was written and
 * never leaves a frame half sent before the GOAWAY. */
static void report_written(h2w_session *s, size_t upto) {
  h2w_outq *q = &s->ss.q;
  size_t cursor = q->mark, end = q->mark;
  int was = q->pinned;
  while (end < upto && end + H2W_FRAME_HD_LEN <= q->tail) {
    h2w_frame_hd hd;
    hd = h2w_frame_hd_read(q->buf + end);
    end += H2W_FRAME_HD_LEN + hd.length;
  }
  q->pinned = 1;
  q->mark = end;
  while (cursor < end && s->err.lib == H2W_OK) {
    size_t start = cursor;
    h2w_frame_hd hd;
    hd = h2w_frame_hd_read(q->buf + start);
    cursor = start + H2W_FRAME_HD_LEN + hd.length;
    frame_sent(s, q->buf + start);
  }
  q->pinned = was;
}

static size_t drain_queue(h2w_session *s, uint8_t *dst, size_t room) {
  h2w_outq *q = &s->ss.q;
  size_t len = h2w_outq_len(q);
  if (len > room) {
    len = room;
  }
  memcpy(dst, h2w_outq_data(q), len);
  report_upto(s, q->head + len);
  if (q->head + len > q->tail) {
    /* A failing callback cut the queue after the frame it saw: what
     * follows it in dst is not output. */
    len = q->tail - q->head;
  }
  h2w_outq_consume(q, len);
  return len;
}

/* ---- DATA frames ------------------------------------------------------ */

/* Outcome of produce_data. */
#define PRODUCED_NOTHING 0
#define PRODUCED_DIRECT 1 /* written at dst */
#define PRODUCED_QUEUED 2 /* committed to the queue */
#define PRODUCED_STOP 3   /* not enough room: end this send() call */

/* The body's end in an empty DATA frame of its own, behind the frames
 * its source submitted on the stream (produce_frame). */
static void data_end_late(h2w_session *s, h2w_stream *st) {
  uint8_t *p = h2w_outq_reserve(&s->ss.q, H2W_FRAME_HD_LEN);
  if (p == NULL) {
    h2w_conn_error(s, H2W_E_NOMEM, H2W_INTERNAL_ERROR, "out of memory");
    return;
  }
  put_hd(p, 0, H2W_FRAME_DATA, H2W_FLAG_END_STREAM, st->id);
  h2w_outq_commit(&s->ss.q, H2W_FRAME_HD_LEN);
  h2w_stream_apply(s, st, H2W_EV_SEND_END_STREAM);
}

static void data_done(h2w_session *s, h2w_stream *st, uint32_t flags,
                      int late) {
  int rv;
  h2w_stream_tx_end(s, st);
  if (st->flags & H2W_SF_CLOSING) {
    /* Reset from a callback while its last DATA frame was being sent:
     * nothing more may follow on it, trailers included (§5.1). */
    return;
  }
  if (!(flags & H2W_DATA_FLAG_NO_END_STREAM)) {
    if (late) {
      data_end_late(s, st);
    } else {
      h2w_stream_apply(s, st, H2W_EV_SEND_END_STREAM);
    }
    return;
  }
  if (st->pending != NULL) {
    /* Trailers waited for the body (RFC 9113 §8.1). */
    h2w_nvbuf *t = st->pending;
    st->pending = NULL;
    rv = h2w_queue_headers_nvbuf(s, st, t, 1);
    h2w_nvbuf_give(s, t);
    if (rv != H2W_OK && s->err.lib == H2W_OK) {
      h2w_stream_fail(s, st->id, H2W_INTERNAL_ERROR,
                      "trailers could not be queued");
    }
  }
}

/* Where one DATA frame is being built: at `p` (its 9-octet header, then
 * room for `len` payload octets), in the caller's buffer or reserved at
 * the tail of the output queue. */
typedef struct data_slot {
  uint8_t *p;
  size_t len;
  int direct;
} data_slot;

/* Step 1, window maths: how much st may send in one frame now (both send
 * windows, the peer's frame size). 0 takes it out of the scheduler: the
 * window shrank under it (SETTINGS, §6.9.2), or is being returned in steps
 * too small to be worth a frame (docs/security.md row 7), and it waits for
 * an update rather than ask the source for nothing (or next to nothing). */
static uint32_t data_allow(h2w_session *s, h2w_stream *st) {
  uint32_t allow =
      h2w_send_window_allow(&st->sw, s->settings.remote.max_frame_size);
  allow = h2w_send_window_allow(&s->conn_sw, allow);
  if (allow == 0 || !worthwhile_window(&st->sw)) {
    h2w_sched_remove(s, st);
    return 0;
  }
  return allow;
}

/* Step 2, destination: the caller's buffer when the frame fits or the
 * room is worth it, else (only as the first output of this call) the
 * queue. PRODUCED_NOTHING with *slot set, PRODUCED_STOP, or a fatal
 * error. */
static int data_dest(h2w_session *s, uint8_t *dst, size_t room, int fresh,
                     uint32_t allow, data_slot *slot) {
  if (room > H2W_FRAME_HD_LEN &&
      (room - H2W_FRAME_HD_LEN >= allow ||
       room - H2W_FRAME_HD_LEN >= H2W_MIN_DIRECT_DATA)) {
    slot->direct = 1;
    slot->len =
        room - H2W_FRAME_HD_LEN < allow ? room - H2W_FRAME_HD_LEN : allow;
    slot->p = dst;
    return PRODUCED_NOTHING;
  }
  if (!fresh) {
    return PRODUCED_STOP;
  }
  slot->direct = 0;
  slot->len = allow;
  slot->p = h2w_outq_reserve(&s->ss.q, H2W_FRAME_HD_LEN + slot->len);
  if (slot->p == NULL) {
    return h2w_conn_error(s, H2W_E_NOMEM, H2W_INTERNAL_ERROR, "out of memory");
  }
  return PRODUCED_NOTHING;
}

/* Step 3, the source: read() (and write() for NO_COPY) fill the slot's
 * payload. The slot is the caller's buffer or a reservation at the
 * queue's tail: submits made meanwhile must neither write there nor move
 * it, so they go to the side queue (h2w_send_state.side). */
static h2w_ssize data_read(h2w_session *s, h2w_stream *st,
                           const data_slot *slot, uint32_t *flags) {
  h2w_ssize r;
  s->ss.in_source = 1;
  H2W_CB_ENTER(s);
  r = st->tx->src.read(s, st->id, slot->p + H2W_FRAME_HD_LEN, slot->len, flags,
                       st->tx->src.user);
  H2W_CB_LEAVE(s);
  s->ss.in_source = 0;
  return r;
}

static int data_write(h2w_session *s, h2w_stream *st, const data_slot *slot,
                      size_t n) {
  int rv = H2W_E_INVALID_STATE;
  if (st->tx->src.write != NULL) {
    s->ss.in_source = 1;
    H2W_CB_ENTER(s);
    rv = st->tx->src.write(s, st->id, slot->p + H2W_FRAME_HD_LEN, n,
                           st->tx->src.user);
    H2W_CB_LEAVE(s);
    s->ss.in_source = 0;
  }
  if (rv < 0 || s->err.lib != H2W_OK) {
    return h2w_callback_failed(s, "data source write");
  }
  return H2W_OK;
}

/* What read() answered, before any frame: PRODUCED_NOTHING with *go set
 * when the body goes on (r octets, or its end), else the outcome
 * (deferred, failed, reset from inside). */
static int data_verdict(h2w_session *s, h2w_stream *st, h2w_ssize r, size_t len,
                        uint32_t flags, int *go) {
  *go = 0;
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (st->flags & H2W_SF_CLOSING) {
    return PRODUCED_NOTHING; /* reset from inside the read callback */
  }
  if (r == H2W_E_DEFERRED || (r == 0 && !(flags & H2W_DATA_FLAG_EOF))) {
    st->src_state = H2W_SRC_DEFERRED;
    h2w_sched_remove(s, st);
    return PRODUCED_NOTHING;
  }
  if (r < 0 || (size_t)r > len) {
    h2w_stream_fail(s, st->id, H2W_INTERNAL_ERROR, "data source failed");
    return s->err.lib != H2W_OK ? s->err.lib : PRODUCED_NOTHING;
  }
  *go = 1;
  return PRODUCED_NOTHING;
}

/* Step 4, framing: the frame header, both windows charged, the frame
 * committed to the queue (a direct one is reported by produce_frame once
 * the stream's state has caught up with it). */
static void data_frame(h2w_session *s, h2w_stream *st, const data_slot *slot,
                       size_t n, uint32_t flags) {
  put_hd(slot->p, n, H2W_FRAME_DATA,
         (uint8_t)((flags & H2W_DATA_FLAG_EOF) &&
                           !(flags & H2W_DATA_FLAG_NO_END_STREAM)
                       ? H2W_FLAG_END_STREAM
                       : 0),
         st->id);
  h2w_send_window_consume(&st->sw, (uint32_t)n);
  h2w_send_window_consume(&s->conn_sw, (uint32_t)n);
  if (!slot->direct) {
    h2w_outq_commit(&s->ss.q, H2W_FRAME_HD_LEN + n);
  }
}

/* Step 5, scheduling after a frame: the body's end (and its trailers,
 * data_done), out of the ring when the window is spent, or round-robin
 * among the incremental streams of this urgency. */
static void data_next(h2w_session *s, h2w_stream *st, uint32_t flags,
                      int late) {
  if (flags & H2W_DATA_FLAG_EOF) {
    data_done(s, st, flags, late);
  } else if (st->sw.avail <= 0) {
    h2w_sched_remove(s, st); /* back when a WINDOW_UPDATE opens it */
  } else if ((st->flags & H2W_SF_IN_DATA_RING) &&
             H2W_PRIO_INCREMENTAL(st->prio)) {
    s->ss.rings[H2W_PRIO_URGENCY(st->prio)] = st->tx->ring_next;
    sched_refresh(&s->ss);
  }
}

/* Frames submitted while the source ran follow its DATA frame. */
static int join_side(h2w_session *s) {
  h2w_outq *side = &s->ss.side;
  size_t len = h2w_outq_len(side);
  uint8_t *p;
  if (len > 0 && s->err.lib == H2W_OK) {
    p = h2w_outq_reserve(&s->ss.q, len);
    if (p == NULL) {
      /* Their stream states and HPACK context have moved on already:
       * losing them would desynchronise the peer. */
      h2w_outq_truncate(side, 0);
      return h2w_conn_error(s, H2W_E_NOMEM, H2W_INTERNAL_ERROR,
                            "out of memory");
    }
    memcpy(p, h2w_outq_data(side), len);
    h2w_outq_commit(&s->ss.q, len);
  }
  side->head = side->tail = side->mark = 0;
  h2w_outq_shrink(side, 4096);
  return H2W_OK;
}

/* Whether the source submitted a frame on stream id (it is in the side
 * queue): a PUSH_PROMISE on the stream whose body it is, say. */
static int side_names(const h2w_send_state *ss, uint32_t id) {
  size_t len = h2w_outq_len(&ss->side), off = 0;
  const uint8_t *p;
  if (len == 0) {
    return 0; /* the usual case; an unused queue has no buffer at all */
  }
  p = h2w_outq_data(&ss->side);
  while (off + H2W_FRAME_HD_LEN <= len) {
    h2w_frame_hd hd = h2w_frame_hd_read(p + off);
    if (hd.stream_id == id) {
      return 1;
    }
    off += H2W_FRAME_HD_LEN + hd.length;
  }
  return 0;
}

/* Pull one DATA frame from st's source into dst (direct) or the queue.
 * `fresh` is set when nothing was written in this send() call yet.
 *
 * The stream's state follows each frame before anything can act on it
 * (RFC 9113 §5.1: nothing but WINDOW_UPDATE, PRIORITY and RST_STREAM
 * after our END_STREAM; §6.6: a PUSH_PROMISE only on a stream still open
 * on our side). So frames the source submitted join the queue before the
 * body's end (its trailers, or END_STREAM in an empty DATA frame of its
 * own when one of them is on this stream), and a direct frame's
 * on_frame_send runs after that, where a push on it is refused like on a
 * queued one. */
static int produce_frame(h2w_session *s, h2w_stream *st, uint8_t *dst,
                         size_t room, int fresh, size_t *written) {
  uint32_t allow, flags = 0;
  data_slot slot;
  h2w_ssize r;
  int rv, go, ends, late, framed;
  allow = data_allow(s, st);
  if (allow == 0) {
    return PRODUCED_NOTHING;
  }
  rv = data_dest(s, dst, room, fresh, allow, &slot);
  if (rv != PRODUCED_NOTHING) {
    return rv;
  }
  r = data_read(s, st, &slot, &flags);
  rv = data_verdict(s, st, r, slot.len, flags, &go);
  if (!go) {
    return rv;
  }
  if ((flags & H2W_DATA_FLAG_NO_COPY) &&
      data_write(s, st, &slot, (size_t)r) != H2W_OK) {
    return s->err.lib;
  }
  ends = (flags & H2W_DATA_FLAG_EOF) && !(flags & H2W_DATA_FLAG_NO_END_STREAM);
  late = ends && side_names(&s->ss, st->id);
  /* A body that ends empty before its trailers sends no DATA frame: it
   * would carry nothing at all, and peers rightly count empty frames as
   * abuse (docs/security.md row 4). */
  framed = r > 0 || (ends && !late);
  if (framed) {
    data_frame(s, st, &slot, (size_t)r,
               late ? flags | H2W_DATA_FLAG_NO_END_STREAM : flags);
  }
  rv = join_side(s);
  if (rv != H2W_OK) {
    return rv;
  }
  data_next(s, st, flags, late);
  if (framed && slot.direct) {
    frame_sent(s, slot.p);
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (!framed) {
    return PRODUCED_NOTHING;
  }
  if (slot.direct) {
    *written = H2W_FRAME_HD_LEN + (size_t)r;
    return PRODUCED_DIRECT;
  }
  return PRODUCED_QUEUED;
}

static int produce_data(h2w_session *s, h2w_stream *st, uint8_t *dst,
                        size_t room, int fresh, size_t *written) {
  int rv = produce_frame(s, st, dst, room, fresh, written);
  int jr = join_side(s); /* after a source that deferred, failed or reset */
  return jr < 0 ? jr : rv;
}

/* ---- fatal GOAWAY ------------------------------------------------------- */

H2W_COLD void h2w_send_fatal(h2w_session *s, uint32_t last_id, uint32_t code,
                             const char *reason) {
  h2w_send_state *ss = &s->ss;
  size_t dlen = reason != NULL ? strlen(reason) : 0;
  /* Keep the frame being written, drop everything queued after it, then
   * exactly one GOAWAY (RFC 9113 §5.4.1). Its buffer is fixed, so a
   * connection that fails for lack of memory can still say so. */
  size_t keep = ss->q.mark;
  h2w_ssize len;
  if (!ss->preface_out && keep + H2W_FRAME_HD_LEN <= ss->q.tail) {
    /* §3.4: our SETTINGS must still be the first frame the peer sees. */
    h2w_frame_hd hd;
    hd = h2w_frame_hd_read(ss->q.buf + keep);
    keep += H2W_FRAME_HD_LEN + hd.length;
  }
  h2w_outq_truncate(&ss->q, keep);
  h2w_outq_truncate(&ss->side, 0); /* nothing may follow the GOAWAY */
  if (dlen > sizeof(ss->goaway) - H2W_FRAME_HD_LEN - 8) {
    dlen = sizeof(ss->goaway) - H2W_FRAME_HD_LEN - 8;
  }
  len = h2w_frame_pack_goaway(ss->goaway, sizeof(ss->goaway), last_id, code,
                              (const uint8_t *)reason, dlen);
  ss->goaway_len = (uint8_t)(len > 0 ? len : 0);
  ss->goaway_off = 0;
  h2w_sched_stop(s);
  h2w_goaway_note_sent(s, last_id);
}

/* ---- GOAWAY state (s->goaway: this file alone writes it) -----------------
 */

H2W_COLD void h2w_goaway_note_sent(h2w_session *s, uint32_t last_id) {
  s->goaway.sent = 1;
  s->goaway.last_sent = last_id;
}

H2W_COLD void h2w_goaway_note_recv(h2w_session *s, uint32_t last_id) {
  if (!s->goaway.recv || last_id < s->goaway.last_recv) {
    s->goaway.last_recv = last_id;
  }
  s->goaway.recv = 1;
}

H2W_COLD int h2w_start_shutdown(h2w_session *s) {
  static const uint8_t opaque[8] = {'h', '2', 'w', 's', 'h', 'u', 't', '1'};
  /* §6.8: a first GOAWAY with the largest id lets requests in flight
   * arrive; the PING's ACK shows the client has seen it. */
  int rv = h2w_queue_goaway(s, H2W_LAST_STREAM_ID, H2W_NO_ERROR, NULL, 0);
  if (rv != H2W_OK) {
    return rv;
  }
  s->goaway.shutdown = 1;
  /* Saturates like every other deadline: a huge timeout means never. */
  s->goaway.shutdown_deadline =
      h2w_deadline_add(s->clock.now, s->opt.shutdown_timeout_ms);
  if (h2w_queue_ping(s, opaque, &s->goaway.shutdown_ping) != H2W_OK) {
    s->goaway.shutdown_ping = H2W_MAX_PINGS; /* the deadline alone ends it */
  }
  return H2W_OK;
}

H2W_COLD int h2w_finish_shutdown(h2w_session *s) {
  uint32_t last = h2w_goaway_last(s);
  int rv = h2w_queue_goaway(s, last, H2W_NO_ERROR, NULL, 0);
  if (rv != H2W_OK) {
    return rv;
  }
  s->goaway.shutdown = 2;
  h2w_goaway_note_sent(s, last);
  h2w_refuse_queued(s);
  return H2W_OK;
}

/* ---- entry points ---------------------------------------------------------
 */

int h2w_send_pending(const h2w_session *s) {
  if (h2w_outq_len(&s->ss.q) > 0) {
    return 1;
  }
  if (s->err.lib != H2W_OK) {
    return s->ss.goaway_off < s->ss.goaway_len;
  }
  return s->ss.wu_head != NULL || h2w_recv_window_update_due(&s->conn_rw) > 0 ||
         (s->ss.ring != NULL && s->conn_sw.avail > 0) ||
         h2w_queued_startable(s);
}

/* After a fatal error: what is left of the queue, then the GOAWAY. */
static size_t send_final(h2w_session *s, uint8_t *buf, size_t cap) {
  size_t n = 0, k;
  h2w_send_state *ss = &s->ss;
  if (h2w_outq_len(&ss->q) > 0) {
    n = drain_queue(s, buf, cap);
  }
  if (n < cap && h2w_outq_len(&ss->q) == 0 && ss->goaway_off < ss->goaway_len) {
    k = (size_t)(ss->goaway_len - ss->goaway_off);
    if (k > cap - n) {
      k = cap - n;
    }
    memcpy(buf + n, ss->goaway + ss->goaway_off, k);
    ss->goaway_off = (uint8_t)(ss->goaway_off + k);
    n += k;
  }
  return n;
}

/* Fill the queue when it is empty: due WINDOW_UPDATEs first, then the
 * next request waiting for a stream slot. */
static int refill(h2w_session *s) {
  int rv = H2W_OK;
  if (h2w_outq_len(&s->ss.q) == 0) {
    rv = emit_window_updates(s);
  }
  if (rv == H2W_OK && h2w_outq_len(&s->ss.q) == 0) {
    rv = h2w_start_queued(s);
  }
  return rv;
}

static h2w_ssize session_send(h2w_session *s, uint8_t *buf, size_t cap);
static h2w_ssize session_peek(h2w_session *s, const uint8_t **data);

/* send, peek and ack run data sources and on_frame_send: from inside a
 * callback they are refused and change nothing (h2wire.h, "Reentrancy");
 * when they end the connection, its streams end with it. */
h2w_ssize h2w_session_send(h2w_session *s, uint8_t *buf, size_t cap) {
  h2w_ssize rv;
  if (s == NULL || (buf == NULL && cap > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->depth != 0) {
    return H2W_E_INVALID_STATE;
  }
  rv = session_send(s, buf, cap);
  h2w_api_done(s);
  return rv;
}

h2w_ssize h2w_session_peek(h2w_session *s, const uint8_t **data) {
  h2w_ssize rv;
  if (s == NULL || data == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->depth != 0) {
    return H2W_E_INVALID_STATE;
  }
  rv = session_peek(s, data);
  h2w_api_done(s);
  return rv;
}

static h2w_ssize session_send(h2w_session *s, uint8_t *buf, size_t cap) {
  size_t n = 0, w = 0;
  int rv;
  s->ss.peeked = 0;
  if (s->err.lib == H2W_OK) {
    h2w_reap(s);
  }
  while (n < cap && s->err.lib == H2W_OK) {
    rv = refill(s);
    if (rv != H2W_OK) {
      h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory");
      break;
    }
    if (h2w_outq_len(&s->ss.q) > 0) {
      n += drain_queue(s, buf + n, cap - n);
      continue;
    }
    if (s->ss.ring == NULL || s->conn_sw.avail <= 0) {
      break;
    }
    rv = produce_data(s, s->ss.ring, buf + n, cap - n, n == 0, &w);
    if (rv < 0 || rv == PRODUCED_STOP) {
      break;
    }
    if (rv == PRODUCED_DIRECT) {
      n += w;
    }
  }
  if (s->err.lib != H2W_OK) {
    n += send_final(s, buf + n, cap - n);
    /* Once the GOAWAY is out, report the sticky error. */
    return n > 0 || cap == 0 ? (h2w_ssize)n : s->err.lib;
  }
  h2w_reap(s);
  return (h2w_ssize)n;
}

static h2w_ssize session_peek(h2w_session *s, const uint8_t **data) {
  h2w_send_state *ss;
  int rv;
  ss = &s->ss;
  *data = NULL;
  ss->peeked = 0;
  if (s->err.lib == H2W_OK) {
    h2w_reap(s);
  }
  if (s->err.lib == H2W_OK && h2w_outq_len(&ss->q) == 0) {
    rv = refill(s);
    if (rv != H2W_OK) {
      h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory");
    }
    while (s->err.lib == H2W_OK && h2w_outq_len(&ss->q) == 0 &&
           ss->ring != NULL && s->conn_sw.avail > 0) {
      /* Room 0: the frame goes to the queue, the zero-copy buffer. */
      size_t w = 0;
      if (produce_data(s, ss->ring, NULL, 0, 1, &w) < 0) {
        break;
      }
    }
  }
  if (h2w_outq_len(&ss->q) > 0) {
    *data = h2w_outq_data(&ss->q);
    ss->peeked = h2w_outq_len(&ss->q);
  } else if (s->err.lib != H2W_OK && ss->goaway_off < ss->goaway_len) {
    *data = ss->goaway + ss->goaway_off;
    ss->peeked = (size_t)(ss->goaway_len - ss->goaway_off);
  } else if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  return (h2w_ssize)ss->peeked;
}

int h2w_session_ack(h2w_session *s, size_t n) {
  h2w_send_state *ss;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->depth != 0) {
    return H2W_E_INVALID_STATE;
  }
  ss = &s->ss;
  if (n > ss->peeked) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (n == 0) {
    return H2W_OK;
  }
  if (h2w_outq_len(&ss->q) > 0) {
    report_written(s, ss->q.head + n);
    h2w_outq_consume(&ss->q, n);
  } else {
    ss->goaway_off = (uint8_t)(ss->goaway_off + n);
  }
  ss->peeked = 0;
  h2w_api_done(s); /* a failing on_frame_send ended the connection */
  return H2W_OK;
}
