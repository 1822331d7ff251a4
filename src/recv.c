/* The input side: the client connection preface (RFC 9113 §3.4), the
 * frame reader, and one handler per frame type (a dispatch table, not one
 * long function). Header blocks live in recv_headers.c.
 *
 * Every handler returns 0 or a fatal error. Stream errors are answered
 * with RST_STREAM and do not stop the input; connection errors queue one
 * GOAWAY, and every byte after that is consumed and ignored with no
 * callback (docs/security.md row 20). */
#include <string.h>

#include "cold.h"
#include "session_int.h"

void h2w_recv_init(h2w_session *s) {
  h2w_frame_reader_init(&s->rs.reader, &s->alloc);
  /* DATA is handed to the application in the pieces that arrived
   * (recv_piece), never reassembled. */
  s->rs.reader.pass_types = 1u << H2W_FRAME_DATA;
  /* Frames up to the size we announce are accepted at once: the peer may
   * apply our SETTINGS before we see its ACK. */
  h2w_frame_reader_set_max_frame_size(&s->rs.reader, s->opt.max_frame_size);
  s->rs.preface_left = s->is_server ? (uint8_t)sizeof(h2w_client_magic) : 0;
}

/* Where a frame about stream `id` stands in the §5.1 table: the state
 * (of the live object, or what the session remembers of the id) and who
 * initiates the id. */
h2w_recv_verdict h2w_recv_verdict_for(h2w_session *s, uint32_t id,
                                      unsigned type, h2w_stream **out) {
  h2w_stream_facts f;
  h2w_stream *st = h2w_stream_find(s, id);
  *out = st;
  f.ours = (uint8_t)h2w_id_is_ours(s, id);
  f.server = s->is_server;
  if (st != NULL) {
    f.state = (h2w_stream_state)st->state;
    f.closed_by = (h2w_closed_by)st->closed_by;
  } else {
    f.state = h2w_stream_state_of_id(s, id, &f.closed_by);
  }
  return h2w_stream_on_recv(&f, type);
}

int h2w_recv_refuse(h2w_session *s, uint32_t id, h2w_recv_verdict v,
                    const char *reason) {
  switch (v.action) {
  case H2W_RECV_ACCEPT:
    return 0;
  case H2W_RECV_IGNORE:
    /* Late frames after a reset are normal in small numbers; a stream of
     * them is work for nothing (glitch budget). */
    return h2w_glitch(s, "too many frames on closed streams");
  case H2W_RECV_STREAM_ERROR:
    return h2w_stream_error(s, id, v.code, reason);
  default:
    return h2w_conn_error(s, H2W_E_PROTOCOL, v.code, reason);
  }
}

/* A stream error found before the table was asked (a malformed frame,
 * a PRIORITY depending on itself). §6.4 forbids RST_STREAM on an idle
 * stream, and one never opened is idle for the peer, so there it is the
 * connection error of the same code (§5.4.1 allows treating any stream
 * error as one); the id is not touched. */
static int stream_error_at(h2w_session *s, uint32_t id, int lib, uint32_t code,
                           const char *reason) {
  h2w_stream *st;
  h2w_recv_verdict v = h2w_recv_verdict_for(s, id, H2W_FRAME_DATA, &st);
  /* DATA is a PROTOCOL_ERROR exactly on idle and never-opened ids. */
  if (v.action == H2W_RECV_CONN_ERROR && v.code == H2W_PROTOCOL_ERROR) {
    return h2w_conn_error(s, lib, code, reason);
  }
  return h2w_stream_error(s, id, code, reason);
}

/* Act on a non-ACCEPT verdict: 1 = frame handled (ignored or answered),
 * or a negative fatal error. */
static int refuse(h2w_session *s, uint32_t id, h2w_recv_verdict v,
                  const char *reason) {
  int rv = h2w_recv_refuse(s, id, v, reason);
  return rv < 0 ? rv : 1;
}

/* ---- DATA (RFC 9113 §6.1) --------------------------------------------- */

int h2w_recv_end_stream(h2w_session *s, h2w_stream *st) {
  const char *reason = NULL;
  int rv;
  if (s->opt.validate_messages &&
      h2w_http_body_end(&st->body, &reason) != H2W_OK) {
    /* §8.1.1: the application never sees END_STREAM here (row 17). */
    return h2w_stream_error(s, st->id, H2W_PROTOCOL_ERROR, reason);
  }
  if (s->cb.on_stream_end != NULL) {
    rv = s->cb.on_stream_end(s, st->id, s->user);
    if (h2w_cb_result(s, rv, "on_stream_end") < 0) {
      return s->err.lib;
    }
  }
  h2w_stream_apply(s, st, H2W_EV_RECV_END_STREAM);
  return 0;
}

/* Hand `len` octets to on_data. In automatic mode they are consumed once
 * the callback returns: at once, or, for a piece of a DATA frame still
 * arriving (`owed` not NULL), added to *owed and consumed when the frame
 * ends (the peer already counted the whole frame against its windows,
 * §6.9, so crediting its octets at its end delays no transmission, and a
 * frame costs one window computation however it was cut). */
static inline int deliver_data(h2w_session *s, h2w_stream *st,
                               const uint8_t *data, size_t len,
                               uint32_t *owed) {
  int rv;
  if (s->cb.on_data == NULL) {
    if (owed != NULL) {
      *owed += (uint32_t)len;
    } else {
      h2w_flow_consumed(s, st, len);
    }
    return 0;
  }
  if (s->opt.manual_flow_control) {
    /* Counted before the callback, which may consume them at once. */
    s->conn_unconsumed += len;
    st->unconsumed += (uint32_t)len;
  }
  rv = s->cb.on_data(s, st->id, data, len, s->user);
  /* 0 with the connection intact, the usual answer, needs no mapping. */
  if ((rv != 0 || s->err.lib != H2W_OK) &&
      h2w_cb_stream_result(s, st->id, rv, "on_data") < 0) {
    return s->err.lib;
  }
  if (s->opt.manual_flow_control) {
    return 0;
  }
  if (owed != NULL) {
    *owed += (uint32_t)len;
  } else {
    h2w_flow_consumed(s, st, len);
  }
  return 0;
}

/* data_begin() on a stream that is not a live open or half-closed
 * (local) one: the full §5.1 table. Returns 1 when it accepts the frame
 * after all, 0 when the frame was refused (answered or ignored, its
 * octets given back to the connection window), or a fatal error. Out of
 * line: a body's frames arrive on an open stream. */
static H2W_NOINLINE int data_not_open(h2w_session *s, uint32_t id, uint32_t n) {
  h2w_stream *st;
  h2w_recv_verdict v = h2w_recv_verdict_for(s, id, H2W_FRAME_DATA, &st);
  int rv;
  if (v.action == H2W_RECV_ACCEPT) {
    return 1;
  }
  h2w_flow_consumed(s, NULL, n); /* still counted on the connection */
  if (v.action == H2W_RECV_IGNORE && n > 0 &&
      h2w_closed_data_allowed(s, id, n)) {
    /* §5.1: in flight when we reset the stream, within the window we
     * had granted: expected, not a glitch (docs/limits.md). Empty
     * frames stay charged, as everywhere (row 4). */
    return 0;
  }
  rv = refuse(s, id, v, "DATA on a stream not open for it");
  return rv < 0 ? rv : 0;
}

/* data_begin() on a malformed message (§8.1.1): DATA before its header
 * block, past its content-length, or in a message without content. The
 * body tracker refused `len` and is unchanged, so asking it again gives
 * the reason. Returns 0 (answered) or a fatal error. */
static H2W_NOINLINE int data_malformed(h2w_session *s, h2w_stream *st,
                                       size_t len) {
  const char *reason = "DATA before the message's header block";
  int rv;
  if (st->flags & H2W_SF_FINAL_RECV) {
    (void)h2w_http_body_data(&st->body, len, &reason);
  }
  h2w_flow_consumed(s, NULL, len);
  rv = h2w_stream_error(s, st->id, H2W_PROTOCOL_ERROR, reason);
  return rv < 0 ? rv : 0;
}

/* Everything about a DATA frame that its header and Pad Length decide:
 * flow control (§6.9: the whole payload, padding included, counts), the
 * §5.1 state of the stream, and content-length (§8.1.1: a frame that
 * would carry the body past it is refused before any of it is
 * delivered). `len` is the data without Pad Length and padding. Returns
 * 1 when the data is to be delivered, on stream rs.data_last, 0 when the
 * frame was refused (answered or ignored, its octets given back to the
 * connection window), or a negative fatal error. Inline, with the rare
 * outcomes out of line: it runs for every DATA frame. */
static H2W_HOT_INLINE int data_begin(h2w_session *s, const h2w_frame_hd *hd,
                                     size_t len) {
  uint32_t id = hd->stream_id, n = hd->length;
  h2w_stream *st;
  int rv;
  if (h2w_recv_window_receive(&s->conn_rw, n) != H2W_OK) {
    return h2w_conn_error(s, H2W_E_FLOW_CONTROL, H2W_FLOW_CONTROL_ERROR,
                          "DATA beyond the connection window");
  }
  if (s->autotune.on) {
    h2w_autotune_data(s, n); /* BDP estimation (autotune.c) */
  }
  if (len == 0 && !(hd->flags & H2W_FLAG_END_STREAM) &&
      h2w_glitch(s, "too many empty DATA frames") < 0) {
    return s->err.lib; /* docs/security.md row 4 */
  }
  /* §5.1: DATA is accepted on a live stream that is open or
   * half-closed (local), whoever opened it; only the other cases need the
   * full table (h2w_recv_verdict_for gives ACCEPT for these too). The
   * last DATA frame's stream, while still in the table, is what a lookup
   * of its id would return. */
  st = s->rs.data_last;
  if (st == NULL || st->id != id) {
    st = h2w_stream_find(s, id);
  }
  if (st == NULL ||
      (st->state != H2W_SS_OPEN && st->state != H2W_SS_HALF_CLOSED_LOCAL)) {
    rv = data_not_open(s, id, n);
    if (rv <= 0) {
      return rv;
    }
    st = h2w_stream_find(s, id); /* accepted: a live stream */
  }
  if (h2w_recv_window_receive(&st->rw, n) != H2W_OK) {
    h2w_flow_consumed(s, NULL, n);
    rv = h2w_stream_error(s, id, H2W_FLOW_CONTROL_ERROR,
                          "DATA beyond the stream window");
    return rv < 0 ? rv : 0;
  }
  if (n > len) {
    h2w_flow_consumed(s, st, n - len); /* padding: consumed at once */
  }
  /* The tracker takes a NULL reason; data_malformed() asks for it. */
  if (s->opt.validate_messages &&
      (!(st->flags & H2W_SF_FINAL_RECV) ||
       h2w_http_body_data(&st->body, len, NULL) != H2W_OK)) {
    return data_malformed(s, st, len);
  }
  s->rs.data_last = st;
  return 1;
}

/* The frame's last octet arrived: END_STREAM, with the content-length
 * check of h2w_recv_end_stream(), unless the stream was reset meanwhile. */
static int data_end(h2w_session *s, h2w_stream *st, uint8_t flags) {
  if ((flags & H2W_FLAG_END_STREAM) && !(st->flags & H2W_SF_CLOSING)) {
    return h2w_recv_end_stream(s, st);
  }
  return 0;
}

/* A DATA frame whose payload is all here: `data`/`len` is what lies
 * between Pad Length and the padding. */
static int data_whole(h2w_session *s, const h2w_frame_hd *hd,
                      const uint8_t *data, size_t len) {
  h2w_stream *st;
  int rv = data_begin(s, hd, len);
  if (rv <= 0) {
    return rv;
  }
  st = s->rs.data_last;
  if (len > 0) {
    rv = deliver_data(s, st, data, len, NULL);
    if (rv < 0) {
      return rv;
    }
  }
  return data_end(s, st, hd->flags);
}

static int recv_data(h2w_session *s, const h2w_frame *f) {
  return data_whole(s, &f->hd, f->u.data.data, f->u.data.datalen);
}

/* A DATA frame with nothing to decode (§6.1: no PADDED flag, so the
 * whole payload is data; a stream id, which DATA needs) while
 * frame_prologue() has nothing to check (the peer's SETTINGS came, no
 * header block is open): the usual frame, taken without decoding. */
static inline int plain_data(const h2w_session *s, const h2w_frame_hd *hd) {
  return hd->type == H2W_FRAME_DATA && s->rs.got_settings && !s->rs.hb.active &&
         hd->stream_id != 0 && !(hd->flags & H2W_FLAG_PADDED);
}

/* ---- PRIORITY (RFC 9113 §6.3, §5.3.2) ----------------------------------- */

static int recv_priority(h2w_session *s, const h2w_frame *f) {
  /* RFC 9113 deprecates the priority tree: parse, validate, ignore. A
   * PRIORITY frame never changes stream state, so a flood of them is pure
   * cost (docs/security.md row 8). */
  if (h2w_glitch(s, "too many PRIORITY frames") < 0) {
    return s->err.lib;
  }
  if (f->u.priority.stream_dep == f->hd.stream_id) {
    return stream_error_at(s, f->hd.stream_id, H2W_E_PROTOCOL,
                           H2W_PROTOCOL_ERROR, "stream depends on itself");
  }
  return 0;
}

/* ---- RST_STREAM (RFC 9113 §6.4) ----------------------------------------- */

static int recv_rst_stream(h2w_session *s, const h2w_frame *f) {
  uint32_t id = f->hd.stream_id, code = f->u.rst_stream.error_code;
  uint32_t flags = H2W_CLOSE_FLAG_RESET;
  h2w_stream *st;
  h2w_recv_verdict v = h2w_recv_verdict_for(s, id, H2W_FRAME_RST_STREAM, &st);
  int rv;
  if (v.action != H2W_RECV_ACCEPT) {
    rv = refuse(s, id, v, "RST_STREAM on an idle stream"); /* §6.4 */
    return rv < 0 ? rv : 0;
  }
  if (h2w_charge_reset(s) < 0) {
    return s->err.lib; /* Rapid Reset (docs/security.md row 9) */
  }
  if ((st->flags & H2W_SF_REPORTED) && s->cb.on_stream_reset != NULL) {
    rv = s->cb.on_stream_reset(s, id, code, s->user);
    if (h2w_cb_result(s, rv, "on_stream_reset") < 0) {
      return s->err.lib;
    }
  }
  if (code == H2W_REFUSED_STREAM && (st->flags & H2W_SF_LOCAL) &&
      !(st->flags & H2W_SF_FINAL_RECV)) {
    flags |= H2W_CLOSE_FLAG_RETRYABLE; /* §8.7: not processed */
  }
  h2w_stream_close(s, st, H2W_CLOSED_BY_RST_RECV, code, flags);
  return 0;
}

/* ---- SETTINGS (RFC 9113 §6.5): h2w_recv_settings() in settings.c ------- */

/* ---- PING (RFC 9113 §6.7) -------------------------------------------------
 */

static H2W_COLD int recv_ping(h2w_session *s, const h2w_frame *f) {
  const uint8_t *op = f->u.ping.opaque;
  size_t i;
  int rv;
  if (!(f->hd.flags & H2W_FLAG_ACK)) {
    uint8_t *p = h2w_queue_reserve(s, H2W_FRAME_HD_LEN + H2W_PING_LEN, 1, &rv);
    if (p != NULL) {
      rv = h2w_queue_commit(
          s, h2w_frame_pack_ping(p, H2W_FRAME_HD_LEN + H2W_PING_LEN,
                                 H2W_FLAG_ACK, op));
    }
    if (rv == H2W_E_NOMEM) {
      return h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory");
    }
    return rv;
  }
  for (i = 0; i < H2W_MAX_PINGS; i++) {
    h2w_ping_slot *ps = &s->ss.pings[i];
    if (ps->used && memcmp(ps->opaque, op, 8) == 0) {
      uint64_t rtt =
          s->clock.now >= ps->sent_ms ? s->clock.now - ps->sent_ms : 0;
      ps->used = 0;
      if (h2w_keepalive_acked(s, i)) {
        return 0; /* the keepalive's own PING */
      }
      if (h2w_autotune_ping_acked(s, i, rtt)) {
        return 0; /* a BDP PING: the library's own too */
      }
      if (s->goaway.shutdown == 1 && i == s->goaway.shutdown_ping) {
        /* The graceful-shutdown PING is the library's own. */
        rv = h2w_finish_shutdown(s);
        if (rv != H2W_OK) {
          return h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory");
        }
        return 0;
      }
      if (s->cb.on_ping_ack != NULL) {
        rv = s->cb.on_ping_ack(s, op, rtt, s->user);
        if (h2w_cb_result(s, rv, "on_ping_ack") < 0) {
          return s->err.lib;
        }
      }
      return 0;
    }
  }
  return 0; /* an ACK for no PING of ours: nothing to do */
}

/* ---- GOAWAY (RFC 9113 §6.8) -----------------------------------------------
 */

/* The walk of collect_above: our streams above the GOAWAY's id. */
typedef struct h2w_above {
  h2w_session *s;
  h2w_stream *list;
} h2w_above;

static void collect_above(void *value, void *arg) {
  h2w_stream *st = value;
  h2w_above *a = arg;
  if ((st->flags & H2W_SF_LOCAL) && st->id > a->s->goaway.last_recv) {
    /* It is about to close, which takes it off the WINDOW_UPDATE list
     * anyway: borrow that link. */
    h2w_wu_unlink(a->s, st);
    st->wu_next = a->list;
    a->list = st;
  }
}

static H2W_COLD int recv_goaway(h2w_session *s, const h2w_frame *f) {
  uint32_t last = f->u.goaway.last_stream_id;
  h2w_above above;
  h2w_stream *st;
  int rv;
  h2w_goaway_note_recv(s, last);
  h2w_err_peer_goaway(s, f->u.goaway.error_code);
  if (s->cb.on_goaway != NULL) {
    rv = s->cb.on_goaway(s, last, f->u.goaway.error_code, f->u.goaway.debug,
                         f->u.goaway.debuglen, s->user);
    if (h2w_cb_result(s, rv, "on_goaway") < 0) {
      return s->err.lib;
    }
  }
  /* §6.8: no new stream after GOAWAY, so requests still queued for a
   * slot will never be sent, whatever the last-stream-id: they end now,
   * retryable, instead of waiting forever for a slot (defect E). */
  h2w_refuse_queued(s);
  /* Our streams above last-stream-id were never processed: safe to retry
   * elsewhere (§6.8). */
  above.s = s;
  above.list = NULL;
  h2w_stream_map_each(&s->map, collect_above, &above);
  while ((st = above.list) != NULL) {
    above.list = st->wu_next;
    st->wu_next = NULL;
    h2w_stream_close(s, st, H2W_CLOSED_BY_RST_RECV, H2W_REFUSED_STREAM,
                     H2W_CLOSE_FLAG_RETRYABLE);
  }
  return 0;
}

/* ---- WINDOW_UPDATE (RFC 9113 §6.9) ------------------------------------------
 */

/* docs/security.md row 7 (CVE-2019-9511): a window kept tiny and opened a few
 * octets at a time would make us build a frame per few octets. The send
 * side holds a stream's DATA back while such credits add up (flow.h), so
 * an update that leaves a stream held costs one frame parse and is not
 * charged: Go 1.19 returns window per body Read (512 octets, or 1 for a
 * 1-octet Read) and node/nghttp2 with a 100-octet window in 50-octet
 * steps, and those peers must never be cut off. What still costs us is a
 * credit that buys a DATA frame whose 9-octet header outweighs its
 * payload: under H2W_DRIBBLE_FRAME octets, leaving the window that small,
 * on a stream window too small to hold back (half of it is under 32) or
 * on the connection window while a stream is waiting for it. Only those
 * are glitches (no peer we know of returns window in steps that small:
 * nghttp2 waits for half of even a 100-octet window). `usable` says
 * whether anything would be sent on this window now. */
#define H2W_DRIBBLE_FRAME 32

static int dribble(h2w_session *s, uint32_t inc, const h2w_send_window *w,
                   int usable) {
  if (!usable) {
    return 0;
  }
  if (inc < H2W_DRIBBLE_FRAME && w->avail < H2W_DRIBBLE_FRAME) {
    return h2w_glitch(s, "too many tiny WINDOW_UPDATEs");
  }
  return 0;
}

static int recv_window_update(h2w_session *s, const h2w_frame *f) {
  uint32_t id = f->hd.stream_id, inc = f->u.window_update.increment;
  h2w_stream *st;
  h2w_recv_verdict v;
  int rv;
  if (id == 0) {
    if (inc == 0) {
      return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                            "WINDOW_UPDATE of 0 on the connection");
    }
    if (h2w_send_window_credit(&s->conn_sw, inc) != H2W_OK) {
      return h2w_conn_error(s, H2W_E_FLOW_CONTROL, H2W_FLOW_CONTROL_ERROR,
                            "connection window past 2^31-1");
    }
    /* A connection credit with no stream ready for it buys nothing now. */
    return dribble(s, inc, &s->conn_sw, s->ss.ring != NULL);
  }
  v = h2w_recv_verdict_for(s, id, H2W_FRAME_WINDOW_UPDATE, &st);
  if (v.action != H2W_RECV_ACCEPT) {
    rv = refuse(s, id, v, "WINDOW_UPDATE on an idle stream");
    return rv < 0 ? rv : 0;
  }
  if (inc == 0) {
    return h2w_stream_error(s, id, H2W_PROTOCOL_ERROR,
                            "WINDOW_UPDATE of 0 on a stream");
  }
  if (h2w_send_window_credit(&st->sw, inc) != H2W_OK) {
    return h2w_stream_error(s, id, H2W_FLOW_CONTROL_ERROR,
                            "stream window past 2^31-1");
  }
  h2w_sched_add(s, st);
  return dribble(s, inc, &st->sw,
                 !h2w_send_window_held(&st->sw) || st->sw.avail <= 0);
}

/* ---- dispatch -------------------------------------------------------------
 */

typedef int (*frame_handler)(h2w_session *s, const h2w_frame *f);

/* Indexed by frame type; types past the end, and extension frames this
 * version does not act on, are ignored (RFC 9113 §4.1, §5.5). */
static const frame_handler handlers[] = {
    recv_data,             /* 0x0 DATA */
    h2w_recv_headers,      /* 0x1 HEADERS */
    recv_priority,         /* 0x2 PRIORITY */
    recv_rst_stream,       /* 0x3 RST_STREAM */
    h2w_recv_settings,     /* 0x4 SETTINGS */
    h2w_recv_push_promise, /* 0x5 PUSH_PROMISE */
    recv_ping,             /* 0x6 PING */
    recv_goaway,           /* 0x7 GOAWAY */
    recv_window_update,    /* 0x8 WINDOW_UPDATE */
    h2w_recv_continuation, /* 0x9 CONTINUATION */
};

static int report_frame_cb(h2w_session *s, const h2w_frame_hd *hd,
                           const uint8_t *payload) {
  h2w_frame_info fi;
  int rv;
  fi = h2w_frame_info_of(hd);
  rv = s->cb.on_frame_recv(s, &fi, payload, s->user);
  return h2w_cb_result(s, rv, "on_frame_recv") < 0 ? s->err.lib : 0;
}

/* on_frame_recv, when set and the connection is intact; the test is
 * inline because most applications leave it unset. */
static inline int report_frame(h2w_session *s, const h2w_frame_hd *hd,
                               const uint8_t *payload) {
  if (s->cb.on_frame_recv == NULL || s->err.lib != H2W_OK) {
    return 0;
  }
  return report_frame_cb(s, hd, payload);
}

/* What every frame is checked for before its type is looked at. */
static int frame_prologue(h2w_session *s, const h2w_frame_hd *hd) {
  if (!s->rs.got_settings) {
    /* §3.4: each side's preface ends with a SETTINGS frame. */
    if (hd->type != H2W_FRAME_SETTINGS || (hd->flags & H2W_FLAG_ACK)) {
      return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                            "connection preface must start with SETTINGS");
    }
    s->rs.got_settings = 1;
  }
  if (s->rs.hb.active && hd->type != H2W_FRAME_CONTINUATION) {
    /* §6.10: a header block is one uninterrupted run of frames. */
    return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                          "frame inside a header block");
  }
  return 0;
}

/* A decode failure: a stream error answered, or a connection error. */
static int decode_failed(h2w_session *s, const h2w_frame_hd *hd, int rv,
                         const h2w_frame_err *ferr) {
  if (ferr->scope == H2W_FRAME_SCOPE_STREAM) {
    return stream_error_at(s, hd->stream_id, rv, ferr->code, ferr->reason);
  }
  if (ferr->scope == H2W_FRAME_SCOPE_IGNORE) {
    return 0;
  }
  return h2w_conn_error(s, rv, ferr->code, ferr->reason);
}

static H2W_NOINLINE int recv_decoded(h2w_session *s, const h2w_frame_hd *hd,
                                     const uint8_t *payload) {
  h2w_frame f;
  h2w_frame_err ferr;
  int rv = frame_prologue(s, hd);
  if (rv < 0) {
    return rv;
  }
  rv = h2w_frame_decode(hd, payload, &f, &ferr);
  if (rv == H2W_FRAME_IGNORED) {
    return report_frame(s, hd, payload);
  }
  if (rv < 0) {
    return decode_failed(s, hd, rv, &ferr);
  }
  if (hd->type < sizeof(handlers) / sizeof(handlers[0])) {
    rv = handlers[hd->type](s, &f);
  } else if (hd->type == H2W_FRAME_ALTSVC) {
    rv = h2w_recv_altsvc(s, &f);
  } else if (hd->type == H2W_FRAME_ORIGIN) {
    rv = h2w_recv_origin(s, &f);
  } else if (hd->type == H2W_FRAME_PRIORITY_UPDATE) {
    rv = h2w_recv_priority_update(s, &f);
  } else {
    rv = h2w_recv_extension(s, &f);
  }
  if (rv < 0) {
    return rv;
  }
  return report_frame(s, hd, payload);
}

static int recv_frame(h2w_session *s, const h2w_frame_hd *hd,
                      const uint8_t *payload) {
  int rv;
  if (!plain_data(s, hd)) {
    return recv_decoded(s, hd, payload);
  }
  rv = data_whole(s, hd, payload, hd->length);
  return rv < 0 ? rv : report_frame(s, hd, payload);
}

/* ---- DATA in pieces ---------------------------------------------------------
 * A DATA frame that straddles input calls is handled as it arrives, from
 * the caller's buffer, never copied (issue 16 §1). Its first piece (never
 * empty, so it holds the Pad Length octet of a PADDED frame, §6.1) makes
 * every frame-level decision at once: the whole frame is charged to both
 * windows, the padding is consumed, content-length is checked. Each piece
 * then delivers the part of it between Pad Length and the padding; the
 * last one applies END_STREAM and reports the frame (on_frame_recv gets
 * no payload: it was never whole in one place). */

void h2w_recv_stream_gone(h2w_session *s, const h2w_stream *st) {
  if (s->rs.data_st == st) {
    s->rs.data_st = NULL;
  }
}

/* piece_begin for a frame that is not plain_data(): the checks of
 * frame_prologue() and the decoder's (Pad Length, §6.1). Returns 1 with
 * rs->data_lo and data_hi set, 0 when the frame was refused (answered),
 * or a fatal error. */
static H2W_NOINLINE int piece_decode(h2w_session *s, const h2w_frame_hd *hd,
                                     const uint8_t *p) {
  h2w_frame f;
  h2w_frame_err ferr;
  int rv = frame_prologue(s, hd);
  if (rv < 0) {
    return rv;
  }
  /* DATA's decoder reads the Pad Length octet and nothing past it. */
  rv = h2w_frame_decode(hd, p, &f, &ferr);
  if (rv < 0) {
    return decode_failed(s, hd, rv, &ferr);
  }
  s->rs.data_lo = (uint32_t)(f.u.data.data - p);
  s->rs.data_hi = s->rs.data_lo + (uint32_t)f.u.data.datalen;
  return 1;
}

/* The first piece: returns 0 (rs->data_st set when the data is to be
 * delivered) or a fatal error. */
static int piece_begin(h2w_session *s, const h2w_frame_hd *hd,
                       const uint8_t *p) {
  h2w_recv_state *rs = &s->rs;
  size_t datalen = hd->length;
  int rv;
  rs->data_mode = H2W_DATA_SKIP;
  rs->data_owed = 0;
  rs->data_st = NULL;
  rs->data_lo = 0;
  rs->data_hi = hd->length;
  if (!plain_data(s, hd)) {
    rv = piece_decode(s, hd, p);
    if (rv <= 0) {
      return rv;
    }
    datalen = rs->data_hi - rs->data_lo;
  }
  rs->data_id = hd->stream_id;
  rs->data_mode = H2W_DATA_REPORT;
  /* data_st is set only when the data is to be delivered. */
  rv = data_begin(s, hd, datalen);
  if (rv > 0) {
    rs->data_st = rs->data_last;
    rs->data_mode = H2W_DATA_DELIVER;
    return 0;
  }
  return rv;
}

/* The frame's last piece was handled: the octets delivered are
 * consumed, END_STREAM applies, the frame is reported. Returns 0 or a
 * fatal error. */
static int piece_end(h2w_session *s, const h2w_frame_hd *hd) {
  h2w_recv_state *rs = &s->rs;
  h2w_stream *st;
  uint32_t owed;
  int rv;
  uint8_t mode = rs->data_mode;
  rs->data_mode = H2W_DATA_SKIP;
  if (mode == H2W_DATA_DELIVER) {
    st = rs->data_st;
    rs->data_st = NULL;
    owed = rs->data_owed;
    rs->data_owed = 0;
    /* st NULL or closing: the connection window only (§6.9). */
    h2w_flow_consumed(s, st, owed);
    if (st != NULL && (rv = data_end(s, st, hd->flags)) < 0) {
      return rv;
    }
  }
  return mode != H2W_DATA_SKIP ? report_frame(s, hd, NULL) : 0;
}

/* A piece at payload offset `off` of a frame whose first piece was seen
 * (piece_begin): the part of it that is data is delivered, or given
 * back when the stream was reset meanwhile. Returns 0 or a fatal error. */
static int piece_rest(h2w_session *s, const h2w_frame_hd *hd, const uint8_t *p,
                      size_t off, size_t plen) {
  h2w_recv_state *rs = &s->rs;
  h2w_stream *st;
  size_t lo = off > rs->data_lo ? off : rs->data_lo;
  size_t hi = off + plen < rs->data_hi ? off + plen : rs->data_hi;
  int rv;
  if (rs->data_mode == H2W_DATA_DELIVER && lo < hi) {
    st = rs->data_st; /* NULL once the stream was closed and recycled */
    if (st == NULL || (st->flags & H2W_SF_CLOSING)) {
      /* Reset by the application while the frame was arriving: the rest
       * of its data is not delivered, and it goes back to the connection
       * window with what was delivered (§6.9: charged when the frame
       * began). */
      h2w_flow_consumed(s, NULL, rs->data_owed + (rs->data_hi - lo));
      rs->data_owed = 0;
      rs->data_mode = H2W_DATA_REPORT;
      rs->data_st = NULL;
    } else if ((rv = deliver_data(s, st, p + (lo - off), hi - lo,
                                  &rs->data_owed)) < 0) {
      return rv;
    }
  }
  return off + plen < hd->length ? 0 : piece_end(s, hd);
}

/* piece_rest() for the usual piece: all of it data, of a frame being
 * delivered to a stream still open, so nothing to clip and nothing to
 * give back; the others take the general path. Inline: it runs for
 * every piece after a frame's first. */
static inline int piece_more(h2w_session *s, const h2w_frame_hd *hd,
                             const uint8_t *p, size_t off, size_t plen) {
  h2w_recv_state *rs = &s->rs;
  h2w_stream *st = rs->data_st;
  int rv;
  if (rs->data_mode != H2W_DATA_DELIVER || st == NULL ||
      (st->flags & H2W_SF_CLOSING) || off < rs->data_lo ||
      off + plen > rs->data_hi || plen == 0) {
    return piece_rest(s, hd, p, off, plen);
  }
  rv = deliver_data(s, st, p, plen, &rs->data_owed);
  if (rv < 0) {
    return rv;
  }
  return off + plen < hd->length ? 0 : piece_end(s, hd);
}

/* The first piece of a frame (payload offset 0), then as the others. */
static int piece_first(h2w_session *s, const h2w_frame_hd *hd, const uint8_t *p,
                       size_t plen) {
  int rv = piece_begin(s, hd, p);
  if (rv < 0) {
    return rv;
  }
  return piece_more(s, hd, p, 0, plen);
}

static int recv_piece(h2w_session *s, const h2w_frame_hd *hd, const uint8_t *p,
                      size_t off, size_t plen) {
  return off == 0 ? piece_first(s, hd, p, plen)
                  : piece_more(s, hd, p, off, plen);
}

/* One step of the frame reader in the general case (a header in
 * pieces, a frame to reassemble, a frame that is not DATA, a refused
 * header): `at` is the offset of `in` in this call's input. Returns the
 * octets consumed; an error ends the connection (s->err.lib). */
static H2W_NOINLINE size_t recv_step(h2w_session *s, const uint8_t *in,
                                     size_t len, size_t at) {
  h2w_frame_reader *rd = &s->rs.reader;
  size_t used = 0;
  h2w_frame_hd hd;
  const uint8_t *payload;
  h2w_frame_err ferr;
  int r;
  /* Where the current frame began, even when it arrived in pieces. */
  size_t held = rd->in_payload ? H2W_FRAME_HD_LEN + rd->buflen : rd->hdlen;
  s->rs.frame_start = s->in_total + at - held;
  ferr.code = H2W_INTERNAL_ERROR;
  ferr.scope = H2W_FRAME_SCOPE_CONNECTION;
  ferr.reason = "out of memory";
  r = h2w_frame_reader_next(rd, in, len, &used, &hd, &payload, &ferr);
  if (r == H2W_FRAME_READY) {
    h2w_clock_piece_in(s, 1); /* liveness for the keepalive */
    if (recv_frame(s, &hd, payload) >= 0 && s->pool.reap != NULL) {
      h2w_reap(s);
    }
  } else if (r == H2W_FRAME_PIECE) {
    h2w_clock_piece_in(s, rd->piece_off == 0);
    if (recv_piece(s, &hd, payload, rd->piece_off, rd->piece_len) >= 0 &&
        s->pool.reap != NULL) {
      h2w_reap(s);
    }
  } else if (r == H2W_E_NOMEM) {
    h2w_conn_error(s, r, H2W_INTERNAL_ERROR, "out of memory");
  } else if (r < 0) {
    h2w_conn_error(s, r, ferr.code, ferr.reason);
  }
  /* H2W_OK: the reader kept what there was and wants more input. */
  return used;
}

/* Server: the client magic (§3.4) at the start of the input, checked
 * octet by octet as it arrives. Returns the octets it took, or a fatal
 * error (the whole input then counted as consumed). Out of line: it runs
 * only in a connection's first calls. */
static H2W_NOINLINE h2w_ssize recv_preface(h2w_session *s, const uint8_t *in,
                                           size_t len) {
  size_t off = 0;
  while (s->rs.preface_left > 0 && off < len) {
    size_t at = sizeof(h2w_client_magic) - s->rs.preface_left;
    if (in[off] != h2w_client_magic[at]) {
      s->rs.frame_start = s->in_total + off;
      s->in_total += len;
      return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                            "invalid connection preface");
    }
    off++;
    s->rs.preface_left--;
  }
  return (h2w_ssize)off;
}

h2w_ssize h2w_recv(h2w_session *s, const uint8_t *in, size_t len) {
  h2w_frame_reader *rd = &s->rs.reader;
  size_t off = 0, used;
  int rv;
  if (s->err.lib != H2W_OK) {
    s->in_total += len; /* consumed and ignored (docs/security.md row 20) */
    return s->err.lib;
  }
  s->rs.paused = 0;
  if (s->rs.preface_left > 0) {
    h2w_ssize n = recv_preface(s, in, len);
    if (n < 0) {
      return n;
    }
    off = (size_t)n;
  }
  s->rs.in_recv = 1;
  while (off < len && s->err.lib == H2W_OK && !s->rs.paused) {
    if (h2w_frame_reader_continuing(rd)) {
      /* The rest of a DATA frame begun in an earlier piece: straight to
       * its handler, in place. rs.frame_start, an offset in the whole
       * input, was set when the frame began. */
      size_t at = rd->buflen;
      used = h2w_frame_reader_take(rd, len - off);
      h2w_clock_piece_in(s, 0);
      rv = piece_more(s, &rd->hd, in + off, at, used);
      off += used;
    } else if (rd->hdlen == 0 && !rd->in_payload && !rd->release_buf &&
               !rd->failed && len - off > H2W_FRAME_HD_LEN &&
               in[off + 3] == H2W_FRAME_DATA && (rd->pass_types & 1u)) {
      /* A DATA frame whose header is here whole (the usual case): read
       * in place, as h2w_frame_reader_next() would, and handed to its
       * handler whole or as its first piece. */
      h2w_frame_hd h = h2w_frame_hd_read(in + off);
      size_t avail = len - off - H2W_FRAME_HD_LEN;
      if (h.length > rd->max_frame_size) {
        off += recv_step(s, in + off, len - off, off); /* §4.2: refused */
        continue;
      }
      s->rs.frame_start = s->in_total + off;
      off += H2W_FRAME_HD_LEN;
      rd->hd = h;
      if (h.length <= avail) {
        h2w_clock_piece_in(s, 1);
        rv = recv_frame(s, &rd->hd, in + off);
        off += h.length;
      } else {
        h2w_frame_reader_start(rd, h, avail);
        h2w_clock_piece_in(s, 1);
        rv = piece_first(s, &rd->hd, in + off, avail);
        off += avail;
      }
    } else {
      off += recv_step(s, in + off, len - off, off);
      continue;
    }
    if (rv >= 0 && s->pool.reap != NULL) {
      h2w_reap(s);
    }
  }
  s->rs.in_recv = 0;
  if (rd->buf != NULL) {
    h2w_frame_reader_tick(rd, 0); /* which has nothing to do without one */
  }
  if (s->err.lib != H2W_OK) {
    s->in_total += len;
    return s->err.lib;
  }
  s->in_total += off;
  return (h2w_ssize)off;
}
