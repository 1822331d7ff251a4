/* h2w_session_dump_json(): the session's state as one JSON object, for
 * logs and bug reports. Read-only by construction: every helper takes a
 * const session, nothing is allocated (streams are listed in id order by
 * repeated scans instead of a sorted copy), no callback runs. The schema
 * is documented with the function in h2wire.h; each section below writes
 * one of its top-level members, in the documented order. */
#include <stddef.h>
#include <stdint.h>

#include "cold.h"
#include "json.h"
#include "session_int.h"

/* A deadline on the caller's clock; UINT64_MAX means none. */
static void deadline(h2w_json *j, const char *key, uint64_t t) {
  if (t == UINT64_MAX) {
    h2w_json_null(j, key);
  } else {
    h2w_json_u64(j, key, t);
  }
}

/* RFC 9113 §7 names; codes it does not define as numbers. */
static void wire_code(h2w_json *j, const char *key, uint32_t code) {
  if (code <= H2W_HTTP_1_1_REQUIRED) {
    h2w_json_str(j, key, h2w_http2_error_name(code));
  } else {
    h2w_json_u64(j, key, code);
  }
}

static const char *state_of(const h2w_session *s) {
  if (s->err.lib != H2W_OK) {
    return "failed";
  }
  if (!h2w_session_want_read(s)) {
    return "closed";
  }
  if (s->goaway.sent || s->goaway.recv || s->goaway.shutdown != 0) {
    return "going_away";
  }
  return "open";
}

static void dump_error(h2w_json *j, const h2w_session *s) {
  if (s->err.lib == H2W_OK) {
    h2w_json_null(j, "error");
    return;
  }
  h2w_json_object(j, "error");
  h2w_json_str(j, "code", h2w_error_name(s->err.lib));
  h2w_json_str(j, "description", h2w_strerror(s->err.lib));
  wire_code(j, "wire_code", s->err.code);
  h2w_json_str(j, "reason", s->err.reason);
  h2w_json_u64(j, "offset", s->err.offset);
  h2w_json_end_object(j);
}

static void dump_goaway(h2w_json *j, const h2w_session *s) {
  static const char *const shutdown[] = {"none", "draining", "done"};
  h2w_json_object(j, "goaway");
  h2w_json_bool(j, "sent", s->goaway.sent || s->goaway.shutdown != 0);
  if (s->goaway.sent || s->goaway.shutdown != 0) {
    /* A graceful shutdown's first GOAWAY carries 2^31-1 (RFC 9113 §6.8). */
    h2w_json_u64(j, "sent_last_stream_id",
                 s->goaway.sent ? s->goaway.last_sent : H2W_LAST_STREAM_ID);
  } else {
    h2w_json_null(j, "sent_last_stream_id");
  }
  h2w_json_bool(j, "received", s->goaway.recv);
  if (s->goaway.recv) {
    h2w_json_u64(j, "received_last_stream_id", s->goaway.last_recv);
  } else {
    h2w_json_null(j, "received_last_stream_id");
  }
  h2w_json_str(j, "shutdown",
               shutdown[s->goaway.shutdown <= 2 ? s->goaway.shutdown : 2]);
  h2w_json_end_object(j);
}

static void dump_clock_input(h2w_json *j, const h2w_session *s) {
  const h2w_hblock *hb = &s->rs.hb;
  h2w_json_object(j, "clock");
  h2w_json_u64(j, "now_ms", s->clock.now);
  h2w_json_bool(j, "started", s->clock.started);
  /* Told once: after it, a session still unticked says nothing more. */
  h2w_json_bool(j, "no_clock_notice", s->clock.no_clock_told);
  deadline(j, "next_deadline_ms", h2w_session_next_deadline(s));
  h2w_json_end_object(j);

  h2w_json_object(j, "input");
  h2w_json_u64(j, "octets", s->in_total);
  h2w_json_u64(j, "frames", s->clock.frames_in);
  h2w_json_bool(j, "preface_received", s->rs.preface_left == 0);
  h2w_json_bool(j, "settings_received", s->rs.got_settings);
  h2w_json_bool(j, "eof", s->eof);
  if (hb->active) {
    h2w_json_object(j, "header_block");
    h2w_json_u64(j, "stream_id", hb->stream_id);
    h2w_json_u64(j, "frame_stream_id", hb->frame_id);
    h2w_json_u64(j, "continuations", hb->ncont);
    h2w_json_end_object(j);
  } else {
    h2w_json_null(j, "header_block");
  }
  h2w_json_end_object(j);
}

/* The members of a SETTINGS set; the caller opens and closes it. */
static void settings_members(h2w_json *j, const h2w_settings *v) {
  h2w_json_u64(j, "header_table_size", v->header_table_size);
  h2w_json_u64(j, "enable_push", v->enable_push);
  h2w_json_u64(j, "max_concurrent_streams", v->max_concurrent_streams);
  h2w_json_u64(j, "initial_window_size", v->initial_window_size);
  h2w_json_u64(j, "max_frame_size", v->max_frame_size);
  h2w_json_u64(j, "max_header_list_size", v->max_header_list_size);
  h2w_json_u64(j, "enable_connect_protocol", v->enable_connect_protocol);
  h2w_json_u64(j, "no_rfc7540_priorities", v->no_rfc7540_priorities);
}

static void dump_settings(h2w_json *j, const h2w_session *s) {
  uint8_t i;
  h2w_json_object(j, "settings");
  h2w_json_object(j, "local");
  settings_members(j, &s->settings.local);
  h2w_json_end_object(j);
  h2w_json_object(j, "remote");
  settings_members(j, &s->settings.remote);
  h2w_json_end_object(j);
  h2w_json_array(j, "local_unacked");
  for (i = 0; i < s->settings.pending.len; i++) {
    size_t k =
        (size_t)(s->settings.pending.head + i) % H2W_SETTINGS_MAX_PENDING;
    h2w_json_object(j, NULL);
    settings_members(j, &s->settings.pending.after[k]);
    h2w_json_u64(j, "sent_ms", s->settings.sent_ms[k]);
    h2w_json_end_object(j);
  }
  h2w_json_end_array(j);
  h2w_json_end_object(j);
}

/* Window autotuning (autotune.c): null when off. */
static void dump_autotune(h2w_json *j, const h2w_session *s) {
  const h2w_autotune *a = &s->autotune;
  if (!a->on) {
    h2w_json_null(j, "autotune");
    return;
  }
  h2w_json_object(j, "autotune");
  h2w_json_u64(j, "max_connection_window", a->max_conn);
  h2w_json_u64(j, "max_stream_window", a->max_stream);
  h2w_json_u64(j, "rtt_ms", a->rtt_ms);
  h2w_json_u64(j, "min_rtt_ms", a->min_rtt_ms);
  h2w_json_u64(j, "bytes_per_second",
               a->bw[0] > a->bw[1] ? a->bw[0] : a->bw[1]);
  h2w_json_u64(j, "connection_window", (uint64_t)s->conn_rw.target);
  h2w_json_u64(j, "stream_window", s->settings.recv_iws);
  h2w_json_u64(j, "samples", a->samples);
  h2w_json_u64(j, "pings", a->pings);
  h2w_json_bool(j, "ping_outstanding", a->ping_slot != H2W_AUTOTUNE_NO_PING);
  h2w_json_end_object(j);
}

static void dump_flow(h2w_json *j, const h2w_session *s) {
  h2w_json_object(j, "flow");
  h2w_json_bool(j, "manual", s->opt.manual_flow_control);
  h2w_json_u64(j, "stream_initial_recv_window", s->settings.recv_iws);
  h2w_json_object(j, "connection");
  h2w_json_i64(j, "recv_window", s->conn_rw.avail);
  h2w_json_i64(j, "recv_target", s->conn_rw.target);
  h2w_json_u64(j, "recv_consumed_uncredited", s->conn_rw.consumed);
  h2w_json_u64(j, "recv_unconsumed", s->conn_unconsumed);
  h2w_json_i64(j, "send_window", s->conn_sw.avail);
  h2w_json_end_object(j);
  dump_autotune(j, s);
  h2w_json_end_object(j);
}

/* ---- streams ------------------------------------------------------------ */

/* The live stream with the smallest id above `above`: the table, then
 * closed streams whose close callback is still due (no longer in it). */
typedef struct next_scan {
  uint32_t above;
  const h2w_stream *best;
} next_scan;

static void next_cb(void *value, void *arg) {
  const h2w_stream *st = value;
  next_scan *n = arg;
  if (st->id > n->above && (n->best == NULL || st->id < n->best->id)) {
    n->best = st;
  }
}

static const h2w_stream *next_stream(const h2w_session *s, uint32_t above) {
  next_scan n;
  const h2w_stream *r;
  n.above = above;
  n.best = NULL;
  h2w_stream_map_each(&s->map, next_cb, &n);
  for (r = s->pool.reap; r != NULL; r = r->link) {
    next_cb((void *)(uintptr_t)r, &n);
  }
  return n.best;
}

/* Octets of the frames of stream `id` in the output queue that were not
 * handed out yet (from the mark on, frame boundaries are known). */
static uint64_t queued_for(const h2w_outq *q, uint32_t id, uint64_t *frames) {
  uint64_t octets = 0;
  size_t off = q->mark;
  *frames = 0;
  while (off + H2W_FRAME_HD_LEN <= q->tail) {
    h2w_frame_hd hd;
    h2w_frame_hd_unpack(&hd, q->buf + off);
    if (id == UINT32_MAX || hd.stream_id == id) {
      octets += H2W_FRAME_HD_LEN + hd.length;
      (*frames)++;
    }
    off += H2W_FRAME_HD_LEN + hd.length;
  }
  return octets;
}

static void dump_stream(h2w_json *j, const h2w_session *s,
                        const h2w_stream *st) {
  static const char *const src[] = {"none", "active", "deferred"};
  uint64_t frames;
  h2w_json_object(j, NULL);
  h2w_json_u64(j, "id", st->id);
  h2w_json_str(j, "state", h2w_stream_state_name((h2w_stream_state)st->state));
  h2w_json_str(j, "initiator", (st->flags & H2W_SF_LOCAL) ? "local" : "remote");
  h2w_json_i64(j, "recv_window", st->rw.avail);
  h2w_json_i64(j, "send_window", st->sw.avail);
  h2w_json_u64(j, "unconsumed", st->unconsumed);
  h2w_json_u64(j, "queued_octets", queued_for(&s->ss.q, st->id, &frames));
  h2w_json_u64(j, "urgency", (uint64_t)H2W_PRIO_URGENCY(st->prio));
  h2w_json_bool(j, "incremental", H2W_PRIO_INCREMENTAL(st->prio));
  h2w_json_str(j, "data", src[st->src_state <= 2 ? st->src_state : 0]);
  h2w_json_bool(j, "scheduled", (st->flags & H2W_SF_IN_DATA_RING) != 0);
  h2w_json_bool(j, "headers_sent", (st->flags & H2W_SF_FINAL_SENT) != 0);
  h2w_json_bool(j, "headers_received", (st->flags & H2W_SF_FINAL_RECV) != 0);
  h2w_json_bool(j, "waiting_for_slot",
                (st->flags & (H2W_SF_QUEUED | H2W_SF_PUSH_WAIT)) != 0);
  /* One slot holds either the request (or pushed response) headers
   * waiting for a stream slot or the trailers waiting for the body to
   * end. */
  h2w_json_bool(j, "headers_pending",
                st->pending != NULL &&
                    (st->flags & (H2W_SF_QUEUED | H2W_SF_PUSH_WAIT)) != 0);
  h2w_json_bool(j, "trailers_pending",
                st->pending != NULL &&
                    (st->flags & (H2W_SF_QUEUED | H2W_SF_PUSH_WAIT)) == 0);
  h2w_json_bool(j, "window_update_due", (st->flags & H2W_SF_WU_DUE) != 0);
  h2w_json_u64(j, "body_received", st->body.received);
  if (st->body.expected >= 0) {
    h2w_json_u64(j, "content_length", (uint64_t)st->body.expected);
  } else {
    h2w_json_null(j, "content_length");
  }
  h2w_json_bool(j, "closing", (st->flags & H2W_SF_CLOSING) != 0);
  if (st->flags & H2W_SF_CLOSING) {
    wire_code(j, "close_code", st->close_code);
  } else {
    h2w_json_null(j, "close_code");
  }
  h2w_json_end_object(j);
}

static void dump_streams(h2w_json *j, const h2w_session *s) {
  const h2w_stream *st;
  uint32_t id = 0;
  h2w_json_array(j, "streams");
  while ((st = next_stream(s, id)) != NULL) {
    dump_stream(j, s, st);
    id = st->id;
  }
  h2w_json_end_array(j);
}

/* ---- output, HPACK, memory ---------------------------------------------- */

static uint64_t count_ring(const h2w_stream *head) {
  const h2w_stream *st = head;
  uint64_t n = 0;
  if (head == NULL) {
    return 0;
  }
  do {
    n++;
    /* Streams in the DATA ring always hold their sending side. */
    st = st->tx != NULL ? st->tx->ring_next : NULL;
  } while (st != head && st != NULL);
  return n;
}

static void dump_output(h2w_json *j, const h2w_session *s) {
  const h2w_send_state *ss = &s->ss;
  const h2w_stream *st;
  uint64_t frames, ready = 0, wu = 0;
  int u;
  h2w_json_object(j, "output");
  h2w_json_u64(j, "queued_octets", h2w_outq_len(&ss->q));
  (void)queued_for(&ss->q, UINT32_MAX, &frames);
  h2w_json_u64(j, "queued_frames", frames);
  h2w_json_u64(j, "reactive_frames", ss->reactive);
  h2w_json_u64(j, "goaway_pending_octets",
               s->err.lib != H2W_OK && ss->goaway_off < ss->goaway_len
                   ? (uint64_t)(ss->goaway_len - ss->goaway_off)
                   : 0);
  h2w_json_bool(j, "want_write", h2w_send_pending(s));
  for (u = 0; u < H2W_PRIO_LEVELS; u++) {
    ready += count_ring(ss->rings[u]);
  }
  h2w_json_u64(j, "data_streams_ready", ready);
  for (st = ss->wu_head; st != NULL; st = st->wu_next) {
    wu++;
  }
  h2w_json_u64(j, "window_updates_due", wu);
  h2w_json_u64(j, "connection_window_update_due",
               h2w_recv_window_update_due(&s->conn_rw));
  h2w_json_end_object(j);
}

static void dump_hpack(h2w_json *j, const h2w_session *s) {
  h2w_json_object(j, "hpack");
  h2w_json_object(j, "encoder");
  h2w_json_u64(j, "size", s->enc.table.size);
  h2w_json_u64(j, "max", s->enc.table.limit);
  h2w_json_u64(j, "entries", h2w_hpack_table_count(&s->enc.table));
  h2w_json_u64(j, "peer_max", s->enc.peer_max);
  h2w_json_u64(j, "cap", s->enc.cap);
  h2w_json_bool(j, "huffman", s->enc.huffman);
  h2w_json_end_object(j);
  h2w_json_object(j, "decoder");
  h2w_json_u64(j, "size", s->dec.table.size);
  h2w_json_u64(j, "max", s->dec.table.limit);
  h2w_json_u64(j, "entries", h2w_hpack_table_count(&s->dec.table));
  h2w_json_u64(j, "settings_max", s->dec.settings_max);
  h2w_json_end_object(j);
  h2w_json_end_object(j);
}

static void dump_memory(h2w_json *j, const h2w_session *s) {
  h2w_json_object(j, "memory");
  h2w_json_u64(j, "in_use", s->alloc.in_use);
  h2w_json_u64(j, "peak", s->alloc.peak);
  if (s->alloc.budget != 0) {
    h2w_json_u64(j, "budget", s->alloc.budget);
  } else {
    h2w_json_null(j, "budget");
  }
  h2w_json_u64(j, "spare_streams", s->pool.nfree);
  h2w_json_end_object(j);
}

/* ---- limits and timers ------------------------------------------------ */

/* Whole tokens left at the session's time: the refill h2w_bucket_take()
 * would apply now, computed without applying it. */
static void bucket(h2w_json *j, const char *key, const h2w_bucket *b,
                   uint64_t now) {
  uint64_t level = b->level;
  if (b->cap == 0) {
    h2w_json_null(j, key);
    return;
  }
  if (now > b->last && b->rate != 0) {
    uint64_t dt = now - b->last, room = b->cap - b->level;
    level = dt >= room / b->rate + 1 ? b->cap : level + dt * b->rate;
  }
  h2w_json_object(j, key);
  h2w_json_u64(j, "tokens", level / 1000u);
  h2w_json_u64(j, "burst", b->cap / 1000u);
  h2w_json_u64(j, "per_second", b->rate);
  h2w_json_end_object(j);
}

static void dump_limits(h2w_json *j, const h2w_session *s) {
  const h2w_stream *st;
  uint64_t waiting = 0, pings = 0;
  size_t i;
  for (st = s->ss.rq.head; st != NULL; st = st->link) {
    waiting++;
  }
  for (i = 0; i < H2W_MAX_PINGS; i++) {
    pings += s->ss.pings[i].used;
  }
  h2w_json_object(j, "limits");
  h2w_json_object(j, "local_streams");
  h2w_json_u64(j, "open", s->ids.n_local);
  if (s->settings.remote.max_concurrent_streams != H2W_SETTINGS_UNLIMITED) {
    h2w_json_u64(j, "max", s->settings.remote.max_concurrent_streams);
  } else {
    h2w_json_null(j, "max");
  }
  h2w_json_u64(j, "waiting", waiting);
  h2w_json_end_object(j);
  h2w_json_object(j, "peer_streams");
  h2w_json_u64(j, "open", s->ids.n_peer);
  h2w_json_u64(j, "max", s->settings.peer_stream_limit);
  h2w_json_end_object(j);
  h2w_json_object(j, "stream_ids");
  h2w_json_u64(j, "next_local", s->ids.next_local_id);
  h2w_json_u64(j, "last_peer", s->ids.last_peer_id);
  h2w_json_u64(j, "max", H2W_LAST_STREAM_ID);
  h2w_json_end_object(j);
  bucket(j, "glitches", &s->abuse.glitches, s->clock.now);
  bucket(j, "resets", &s->abuse.resets, s->clock.now);
  h2w_json_object(j, "control_queue");
  h2w_json_u64(j, "queued", s->ss.reactive);
  h2w_json_u64(j, "max", s->opt.max_control_queue);
  h2w_json_end_object(j);
  h2w_json_object(j, "pings");
  h2w_json_u64(j, "outstanding", pings);
  h2w_json_u64(j, "max", H2W_MAX_PINGS);
  h2w_json_end_object(j);
  h2w_json_object(j, "settings_unacked");
  h2w_json_u64(j, "pending", s->settings.pending.len);
  h2w_json_u64(j, "max", H2W_SETTINGS_MAX_PENDING);
  h2w_json_end_object(j);
  h2w_json_object(j, "header_list");
  h2w_json_u64(j, "max_size", s->dec.max_list);
  h2w_json_u64(j, "max_fields", s->dec.max_fields);
  h2w_json_u64(j, "max_continuations", s->opt.max_continuations);
  h2w_json_u64(j, "peer_max_size", s->settings.remote.max_header_list_size);
  h2w_json_end_object(j);
  h2w_json_u64(j, "max_extension_payload", s->opt.max_extension_payload);
  h2w_json_end_object(j);
}

static void dump_timers(h2w_json *j, const h2w_session *s) {
  const h2w_opts *o = &s->opt;
  h2w_json_object(j, "timers");
  h2w_json_u64(j, "settings_timeout_ms", o->settings_timeout_ms);
  deadline(j, "settings_ack_deadline_ms", h2w_settings_deadline(s));
  if (o->keepalive_interval_ms != 0) {
    h2w_json_object(j, "keepalive");
    h2w_json_u64(j, "interval_ms", o->keepalive_interval_ms);
    h2w_json_u64(j, "timeout_ms", o->keepalive_timeout_ms);
    h2w_json_u64(j, "last_recv_ms", s->clock.last_recv_ms);
    h2w_json_bool(j, "ping_outstanding", s->clock.ka_slot != H2W_MAX_PINGS);
    deadline(j, "deadline_ms", h2w_keepalive_deadline(s));
    h2w_json_end_object(j);
  } else {
    h2w_json_null(j, "keepalive");
  }
  if (o->idle_timeout_ms != 0) {
    h2w_json_object(j, "idle");
    h2w_json_u64(j, "timeout_ms", o->idle_timeout_ms);
    h2w_json_u64(j, "last_active_ms", s->clock.last_active_ms);
    deadline(j, "deadline_ms", h2w_idle_deadline(s));
    h2w_json_end_object(j);
  } else {
    h2w_json_null(j, "idle");
  }
  deadline(j, "shutdown_deadline_ms",
           s->goaway.shutdown == 1 ? s->goaway.shutdown_deadline : UINT64_MAX);
  h2w_json_end_object(j);
}

H2W_COLD int h2w_session_dump_json(const h2w_session *s, char *buf, size_t cap,
                                   size_t *len) {
  h2w_json j;
  if (s == NULL || len == NULL || (buf == NULL && cap > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_json_init(&j, buf, cap);
  h2w_json_object(&j, NULL);
  h2w_json_u64(&j, "schema", 1);
  h2w_json_str(&j, "version", h2w_version(NULL, NULL, NULL));
  h2w_json_str(&j, "role", s->is_server ? "server" : "client");
  h2w_json_str(&j, "state", state_of(s));
  dump_error(&j, s);
  dump_goaway(&j, s);
  dump_clock_input(&j, s);
  dump_settings(&j, s);
  dump_flow(&j, s);
  dump_streams(&j, s);
  dump_output(&j, s);
  dump_hpack(&j, s);
  dump_memory(&j, s);
  dump_limits(&j, s);
  dump_timers(&j, s);
  h2w_json_end_object(&j);
  *len = j.tb.len;
  if (j.tb.len >= cap) {
    if (cap > 0) {
      buf[0] = '\0';
    }
    return H2W_E_BUFFER_TOO_SMALL;
  }
  return H2W_OK;
}
