/* The h2w_session_submit_*() API: what the application asks the session to
 * send. Each call checks the request against the stream's state and the
 * RFC 9113 §8 rules (the library does not put a malformed message on the
 * wire), then commits frames to the output queue or arms a data source;
 * h2w_session_send() does the rest. No callback fires from here. */
#include <string.h>

#include "cold.h"
#include "session_int.h"

/* The index of the first field whose name is the pseudo-header the
 * reason names (":path", ":authority"...), or SIZE_MAX. */
static size_t named_field(const char *reason, const h2w_nv *nva, size_t n) {
  const char *p = reason != NULL ? strchr(reason, ':') : NULL;
  size_t len = 1, i;
  if (p == NULL || strncmp(reason, "missing ", 8) == 0) {
    return SIZE_MAX;
  }
  while (p[len] >= 'a' && p[len] <= 'z') {
    len++;
  }
  for (i = 0; i < n; i++) {
    if (nva[i].namelen == len && memcmp(nva[i].name, p, len) == 0) {
      return i;
    }
  }
  return SIZE_MAX;
}

int h2w_check_fields(h2w_session *s, int kind, const h2w_nv *nva, size_t n,
                     int end_stream, h2w_http_msg *m) {
  if (n == 0) {
    return h2w_submit_refuse(s, "no header fields", SIZE_MAX);
  }
  if (nva == NULL) {
    return h2w_submit_refuse(s, "NULL header array", SIZE_MAX);
  }
  h2w_http_msg_begin(m, kind,
                     s->settings.remote.enable_connect_protocol
                         ? H2W_HTTP_CONNECT_PROTOCOL
                         : 0);
  if (!s->opt.validate_messages) {
    return H2W_OK;
  }
  /* The checks write the reason and the field at fault straight into
   * the session's refusal record (h2w_submit_begin() cleared it; nothing
   * is written unless they refuse): no local has its address taken, so
   * no stack protector on every submit. */
  if (h2w_http_msg_fields(m, nva, n, &s->submit_field, &s->submit_reason) !=
      H2W_OK) {
    return h2w_submit_refuse(s, s->submit_reason, s->submit_field);
  }
  if (h2w_http_msg_end(m, end_stream, &s->submit_reason) != H2W_OK) {
    /* A rule checked once the list is whole (§8.3.1): when it names a
     * pseudo-header that is present (":path does not start with '/'",
     * "userinfo in :authority"), that field is at fault; a missing one
     * or a rule about the whole list has none. */
    return h2w_submit_refuse(s, s->submit_reason,
                             named_field(s->submit_reason, nva, n));
  }
  return H2W_OK;
}

H2W_COLD int h2w_session_last_submit_error(const h2w_session *s,
                                           const char **reason,
                                           size_t *field_index) {
  const char *r = s != NULL ? s->submit_reason : "NULL session";
  if (reason != NULL) {
    *reason = r;
  }
  if (field_index != NULL) {
    *field_index = s != NULL ? s->submit_field : SIZE_MAX;
  }
  return r != NULL ? H2W_E_INVALID_ARGUMENT : H2W_OK;
}

static int check_source(h2w_session *s, const h2w_data_source *src) {
  return src == NULL || src->read != NULL
             ? H2W_OK
             : h2w_submit_refuse(s, "data source without read()", SIZE_MAX);
}

/* Until the peer's SETTINGS arrive its limit is unknown (RFC 9113 §6.5.2
 * says unlimited); assume the 100 it recommends, so that a burst of early
 * requests is not refused. */
#define H2W_ASSUMED_MAX_STREAMS 100u

static int slot_free(const h2w_session *s) {
  uint32_t limit = s->settings.remote.max_concurrent_streams;
  if (!s->rs.got_settings && limit > H2W_ASSUMED_MAX_STREAMS) {
    limit = H2W_ASSUMED_MAX_STREAMS;
  }
  return s->ids.n_local < limit;
}

static int request_startable(const h2w_session *s) {
  return s->ss.rq.head != NULL && s->err.lib == H2W_OK && !s->goaway.recv &&
         !s->goaway.sent && slot_free(s);
}

/* Our GOAWAY (NO_ERROR) is out: requests still waiting for a slot never
 * start, as h2w_session_submit_request() refuses new ones now. A stream
 * opened after we announced the end of the connection would keep it
 * alive, and nothing of these reached the peer: they end now, never
 * opened, retryable (RFC 9113 §8.7), as when a GOAWAY arrives. */
void h2w_refuse_queued(h2w_session *s) {
  h2w_stream *st;
  while ((st = s->ss.rq.head) != NULL) {
    h2w_stream_close(s, st, H2W_CLOSED_BY_NEVER_OPENED, H2W_REFUSED_STREAM,
                     H2W_CLOSE_FLAG_RETRYABLE);
  }
}

/* A pushed response opens a stream the client already knows (§5.1), so
 * a GOAWAY it sent does not hold it back: streams it will not process
 * were closed when the GOAWAY arrived (§6.8). */
static int push_startable(const h2w_session *s) {
  return s->ss.pw.head != NULL && s->err.lib == H2W_OK && slot_free(s);
}

int h2w_queued_startable(const h2w_session *s) {
  return request_startable(s) || push_startable(s);
}

static int set_body(h2w_session *s, h2w_stream *st,
                    const h2w_data_source *body) {
  return body != NULL ? h2w_stream_tx_start(s, st, body) : H2W_OK;
}

/* The request or final response header block; END_STREAM unless a body
 * follows, which the DATA scheduler then serves. */
static int send_final_headers(h2w_session *s, h2w_stream *st, const h2w_nv *nva,
                              size_t n, const h2w_nvbuf *copied) {
  int end_stream = st->src_state == H2W_SRC_NONE;
  int rv = copied != NULL ? h2w_queue_headers_nvbuf(s, st, copied, end_stream)
                          : h2w_queue_headers(s, st, nva, n, end_stream);
  if (rv != H2W_OK) {
    return rv;
  }
  st->flags |= H2W_SF_FINAL_SENT;
  h2w_sched_add(s, st);
  return H2W_OK;
}

/* Requests wait in the queue until the output is about to carry their
 * HEADERS: the stream slot is decided against the peer's limit in force
 * when the frame is written, not when it was submitted, so a SETTINGS
 * lowering SETTINGS_MAX_CONCURRENT_STREAMS that arrives in between is
 * obeyed (RFC 9113 §5.1.2). The send path starts one at a time, when its
 * queue is empty, so the HEADERS leave in the same call. */
int h2w_start_queued(h2w_session *s) {
  h2w_stream *st = NULL;
  int rv;
  /* A client queues only requests, a server only pushed responses. */
  if (request_startable(s)) {
    st = h2w_squeue_pop(&s->ss.rq, H2W_SF_QUEUED);
  } else if (push_startable(s)) {
    st = h2w_squeue_pop(&s->ss.pw, H2W_SF_PUSH_WAIT);
  }
  if (st != NULL) {
    h2w_nvbuf *hdrs = st->pending;
    /* Trailers submitted while it waited follow its body. */
    st->pending = st->queued_trailers;
    st->queued_trailers = NULL;
    rv = send_final_headers(s, st, hdrs->nv, hdrs->n, hdrs);
    h2w_nvbuf_give(s, hdrs);
    if (rv != H2W_OK) {
      return rv == H2W_E_NOMEM
                 ? h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory")
                 : rv;
    }
  }
  return s->err.lib;
}

/* RFC 9218 §5: a request's priority field orders its own body too. */
static uint8_t request_prio(const h2w_nv *nva, size_t n) {
  size_t i;
  uint8_t prio = H2W_PRIO_DEFAULT;
  h2w_prio_lines pl;
  memset(&pl, 0, sizeof(pl));
  for (i = 0; i < n; i++) {
    /* Only an 8-octet name can be "priority": most requests carry none,
     * so the call is skipped for every other field. */
    if (nva[i].namelen == 8) {
      (void)h2w_prio_of_field(&pl, &nva[i], &prio);
    }
  }
  return prio;
}

int32_t h2w_session_submit_request(h2w_session *s, const h2w_nv *nva, size_t n,
                                   const h2w_data_source *body,
                                   void *stream_user) {
  h2w_http_msg m;
  h2w_stream *st;
  uint32_t id;
  int rv;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_submit_begin(s);
  if (n == 0) {
    return h2w_submit_refuse(s, "no header fields", SIZE_MAX);
  }
  if (check_source(s, body) != H2W_OK) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (s->is_server || s->goaway.recv || s->goaway.sent || s->goaway.shutdown) {
    return H2W_E_INVALID_STATE;
  }
  if (s->ids.next_local_id > H2W_LAST_STREAM_ID) {
    return H2W_E_STREAM_ID_EXHAUSTED; /* §5.1.1: never wrap */
  }
  rv = h2w_check_fields(s, H2W_HTTP_REQUEST, nva, n, body == NULL, &m);
  if (rv != H2W_OK) {
    return h2w_local_rv(s, rv);
  }
  id = s->ids.next_local_id;
  st = h2w_stream_create(s, id, H2W_SF_LOCAL | H2W_SF_REPORTED);
  if (st == NULL) {
    return h2w_local_rv(s, H2W_E_NOMEM);
  }
  st->user = stream_user;
  /* The checks noted whether a priority field is there; most requests
   * carry none. */
  st->prio = s->opt.validate_messages && !h2w_http_msg_has_priority(&m)
                 ? H2W_PRIO_DEFAULT
                 : request_prio(nva, n);
  h2w_stream_note_head(st, &m);
  if ((st->flags & (H2W_SF_CONNECT | H2W_SF_CONNECT_PROTOCOL)) ==
      H2W_SF_CONNECT) {
    st->flags |= H2W_SF_TUNNEL_OUT; /* §8.5: only DATA after the request */
  }
  rv = set_body(s, st, body);
  if (rv != H2W_OK) {
    /* Nothing of it reached the wire or a queue. */
  } else {
    /* The send path starts it (h2w_start_queued), in submit order, so
     * ids still go out increasing (§5.1.1). */
    st->pending = h2w_nvbuf_take(s, nva, n);
    rv = st->pending != NULL ? H2W_OK : H2W_E_NOMEM;
    if (rv == H2W_OK) {
      h2w_squeue_push(&s->ss.rq, st, H2W_SF_QUEUED);
    }
  }
  if (rv != H2W_OK) {
    if (s->err.lib == H2W_OK) {
      h2w_stream_discard(s, st);
    }
    return h2w_local_rv(s, rv);
  }
  h2w_local_id_used(s);
  return (int32_t)id;
}

/* The stream a server answers: known, not yet answered, our side open
 * (or reserved by our PUSH_PROMISE). */
static h2w_stream *answerable(h2w_session *s, uint32_t id, int *rv) {
  h2w_stream *st;
  *rv = H2W_OK;
  if (s->err.lib != H2W_OK) {
    *rv = s->err.lib;
    return NULL;
  }
  st = h2w_stream_find(s, id);
  if (!s->is_server || st == NULL ||
      (st->flags & (H2W_SF_FINAL_SENT | H2W_SF_PUSH_WAIT)) ||
      (st->state != H2W_SS_OPEN && st->state != H2W_SS_HALF_CLOSED_REMOTE &&
       st->state != H2W_SS_RESERVED_LOCAL)) {
    *rv = H2W_E_INVALID_STATE;
    return NULL;
  }
  return st;
}

int h2w_session_submit_response(h2w_session *s, uint32_t stream_id,
                                const h2w_nv *nva, size_t n,
                                const h2w_data_source *body) {
  return h2w_submit_response_checked(s, stream_id, nva, n, body, NULL);
}

int h2w_submit_response_checked(h2w_session *s, uint32_t stream_id,
                                const h2w_nv *nva, size_t n,
                                const h2w_data_source *body,
                                const h2w_http_msg *checked) {
  h2w_http_msg m;
  h2w_stream *st;
  int rv;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_submit_begin(s);
  if (n == 0) {
    return h2w_submit_refuse(s, "no header fields", SIZE_MAX);
  }
  if (check_source(s, body) != H2W_OK) {
    return H2W_E_INVALID_ARGUMENT;
  }
  st = answerable(s, stream_id, &rv);
  if (st == NULL) {
    return h2w_local_rv(s, rv);
  }
  if (checked != NULL) {
    /* A prepared set (nvset.c): its fields passed h2w_http_msg_field()
     * when it was made; only the end of block depends on this call. */
    const char *reason;
    m = *checked;
    rv = s->opt.validate_messages &&
                 h2w_http_msg_end(&m, body == NULL, &reason) != H2W_OK
             ? H2W_E_INVALID_ARGUMENT
             : H2W_OK;
  } else {
    rv = h2w_check_fields(s, H2W_HTTP_RESPONSE, nva, n, body == NULL, &m);
  }
  if (rv == H2W_OK && s->opt.validate_messages &&
      h2w_http_msg_is_informational(&m)) {
    /* 1xx: h2w_session_submit_informational */
    rv = h2w_submit_refuse(s, "informational :status in a final response",
                           SIZE_MAX);
  }
  if (rv != H2W_OK) {
    return rv;
  }
  rv = set_body(s, st, body);
  if (rv != H2W_OK) {
    return h2w_local_rv(s, rv);
  }
  if (st->state == H2W_SS_RESERVED_LOCAL) {
    /* A pushed response: its HEADERS open the stream, under the client's
     * SETTINGS_MAX_CONCURRENT_STREAMS in force when they are written
     * (§5.1.2), which may be lower than when we promised it. It waits,
     * unencoded, like a request (h2w_start_queued). */
    st->pending = h2w_nvbuf_take(s, nva, n);
    if (st->pending == NULL) {
      h2w_stream_tx_end(s, st);
      return h2w_local_rv(s, H2W_E_NOMEM);
    }
    h2w_squeue_push(&s->ss.pw, st, H2W_SF_PUSH_WAIT);
    return H2W_OK;
  }
  rv = send_final_headers(s, st, nva, n, NULL);
  if (rv != H2W_OK) {
    h2w_stream_tx_end(s, st);
  } else if ((st->flags & H2W_SF_TUNNEL) && h2w_http_msg_status(&m) >= 200 &&
             h2w_http_msg_status(&m) < 300) {
    st->flags |= H2W_SF_TUNNEL_OUT; /* §8.5: only DATA after the 2xx */
  }
  return h2w_local_rv(s, rv);
}

H2W_COLD int h2w_session_submit_informational(h2w_session *s,
                                              uint32_t stream_id,
                                              const h2w_nv *nva, size_t n) {
  h2w_http_msg m;
  h2w_stream *st;
  int rv;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_submit_begin(s);
  if (n == 0) {
    return h2w_submit_refuse(s, "no header fields", SIZE_MAX);
  }
  st = answerable(s, stream_id, &rv);
  if (st == NULL) {
    return rv;
  }
  if (st->state == H2W_SS_RESERVED_LOCAL) {
    /* Its HEADERS would open a pushed stream ahead of the final response,
     * which waits for a slot (§5.1.2); a push has no 1xx to send. */
    return H2W_E_INVALID_STATE;
  }
  rv = h2w_check_fields(s, H2W_HTTP_RESPONSE, nva, n, 0, &m);
  if (rv == H2W_OK && s->opt.validate_messages &&
      !h2w_http_msg_is_informational(&m)) {
    rv = h2w_submit_refuse(s, "final :status in an informational response",
                           SIZE_MAX);
  }
  if (rv != H2W_OK) {
    return rv;
  }
  return h2w_local_rv(s, h2w_queue_headers(s, st, nva, n, 0));
}

/* A request still waiting for a stream slot: its trailers wait with it
 * and follow its body once it starts (the body must exist, since without
 * one the HEADERS carry END_STREAM). */
static int queue_trailers(h2w_session *s, h2w_stream *st, const h2w_nv *nva,
                          size_t n) {
  h2w_http_msg m;
  int rv;
  if (st->src_state == H2W_SRC_NONE || st->queued_trailers != NULL ||
      (st->flags & H2W_SF_TUNNEL_OUT)) {
    return H2W_E_INVALID_STATE;
  }
  rv = h2w_check_fields(s, H2W_HTTP_TRAILERS, nva, n, 1, &m);
  if (rv != H2W_OK) {
    return h2w_local_rv(s, rv);
  }
  st->queued_trailers = h2w_nvbuf_take(s, nva, n);
  return st->queued_trailers != NULL ? H2W_OK : h2w_local_rv(s, H2W_E_NOMEM);
}

int h2w_session_submit_trailers(h2w_session *s, uint32_t stream_id,
                                const h2w_nv *nva, size_t n) {
  h2w_http_msg m;
  h2w_stream *st;
  int rv;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_submit_begin(s);
  if (n == 0) {
    return h2w_submit_refuse(s, "no header fields", SIZE_MAX);
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  st = h2w_stream_find(s, stream_id);
  if (st != NULL && (st->flags & (H2W_SF_QUEUED | H2W_SF_PUSH_WAIT))) {
    return queue_trailers(s, st, nva, n);
  }
  if (st == NULL || !(st->flags & H2W_SF_FINAL_SENT) || st->pending != NULL ||
      (st->state != H2W_SS_OPEN && st->state != H2W_SS_HALF_CLOSED_REMOTE) ||
      (st->flags & H2W_SF_TUNNEL_OUT)) {
    return H2W_E_INVALID_STATE;
  }
  rv = h2w_check_fields(s, H2W_HTTP_TRAILERS, nva, n, 1, &m);
  if (rv != H2W_OK) {
    return h2w_local_rv(s, rv);
  }
  if (st->src_state != H2W_SRC_NONE) {
    /* Body still flowing: the trailers follow its last DATA frame. */
    st->pending = h2w_nvbuf_take(s, nva, n);
    if (st->pending == NULL) {
      return h2w_local_rv(s, H2W_E_NOMEM);
    }
    return H2W_OK;
  }
  return h2w_local_rv(s, h2w_queue_headers(s, st, nva, n, 1));
}

int h2w_session_resume_data(h2w_session *s, uint32_t stream_id) {
  h2w_stream *st;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  st = h2w_stream_find(s, stream_id);
  if (st == NULL || st->src_state != H2W_SRC_DEFERRED) {
    return H2W_E_INVALID_STATE;
  }
  st->src_state = H2W_SRC_ACTIVE;
  h2w_sched_add(s, st);
  return H2W_OK;
}

int h2w_session_submit_rst_stream(h2w_session *s, uint32_t stream_id,
                                  uint32_t code) {
  h2w_stream *st;
  int rv;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  st = h2w_stream_find(s, stream_id);
  if (st == NULL) {
    return H2W_E_INVALID_STATE;
  }
  if (!(st->flags & H2W_SF_QUEUED)) {
    /* A queued request never reached the peer: nothing to reset there. */
    rv = h2w_queue_rst(s, stream_id, code, 0);
    if (rv != H2W_OK) {
      return h2w_local_rv(s, rv);
    }
  }
  h2w_stream_close(s, st, H2W_CLOSED_BY_RST_SENT, code, H2W_CLOSE_FLAG_RESET);
  return H2W_OK;
}

H2W_COLD int h2w_session_submit_ping(h2w_session *s, const uint8_t *opaque8) {
  uint8_t b[8];
  int i;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (opaque8 == NULL) {
    for (i = 0; i < 8; i++) {
      b[i] = (uint8_t)(s->clock.now >> (56 - 8 * i));
    }
    opaque8 = b;
  }
  return h2w_local_rv(s, h2w_queue_ping(s, opaque8, NULL));
}

H2W_COLD int h2w_session_submit_settings(h2w_session *s,
                                         const h2w_settings_entry *iv,
                                         size_t n) {
  if (s == NULL || (iv == NULL && n > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  return h2w_local_rv(s, h2w_queue_settings(s, iv, n));
}

static int grow_window(h2w_session *s, h2w_recv_window *w, uint32_t id,
                       uint32_t inc) {
  int rv;
  if ((int64_t)w->avail + inc > H2W_MAX_WINDOW_SIZE ||
      (int64_t)w->target + inc > H2W_MAX_WINDOW_SIZE) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = h2w_queue_window_update(s, id, inc);
  if (rv != H2W_OK) {
    return h2w_local_rv(s, rv);
  }
  /* The frame is committed to the output: the room it offers is real. */
  w->avail += (int32_t)inc;
  w->target += (int32_t)inc;
  return H2W_OK;
}

int h2w_session_submit_window_update(h2w_session *s, uint32_t stream_id,
                                     uint32_t increment) {
  h2w_stream *st;
  if (s == NULL || increment == 0 || increment > H2W_MAX_WINDOW_SIZE) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (stream_id == 0) {
    return grow_window(s, &s->conn_rw, 0, increment);
  }
  st = h2w_stream_find(s, stream_id);
  /* RFC 9113 §5.1: a stream we reserved with PUSH_PROMISE may carry only
   * HEADERS, RST_STREAM and PRIORITY from us, and a queued request is
   * still idle for the peer. */
  if (st == NULL || (st->flags & H2W_SF_QUEUED) ||
      st->state == H2W_SS_RESERVED_LOCAL) {
    return H2W_E_INVALID_STATE;
  }
  return grow_window(s, &st->rw, stream_id, increment);
}

int h2w_session_consume(h2w_session *s, uint32_t stream_id, size_t n) {
  h2w_stream *st;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (!s->opt.manual_flow_control) {
    return H2W_E_INVALID_STATE;
  }
  if (n > s->conn_unconsumed) {
    return H2W_E_INVALID_ARGUMENT;
  }
  st = h2w_stream_find(s, stream_id);
  if (st != NULL && n > st->unconsumed) {
    return H2W_E_INVALID_ARGUMENT;
  }
  s->conn_unconsumed -= n;
  if (st != NULL) {
    st->unconsumed -= (uint32_t)n;
  }
  h2w_flow_consumed(s, st, n);
  return H2W_OK;
}

H2W_COLD int h2w_session_submit_goaway(h2w_session *s, uint32_t code,
                                       const uint8_t *debug, size_t debuglen) {
  uint32_t last;
  int rv;
  if (s == NULL || (debug == NULL && debuglen > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  last = h2w_goaway_last(s);
  rv = h2w_queue_goaway(s, last, code, debug, debuglen);
  if (rv != H2W_OK) {
    return h2w_local_rv(s, rv);
  }
  h2w_goaway_note_sent(s, last);
  if (code == H2W_NO_ERROR) {
    h2w_refuse_queued(s);
  } else {
    /* An error GOAWAY ends the connection once it is out: through the
     * one error path, which keeps the queue since it ends with this
     * GOAWAY already. */
    h2w_conn_error_sent(s, H2W_E_CLOSED, code,
                        "GOAWAY sent by the application");
    h2w_api_done(s);
  }
  return H2W_OK;
}

int h2w_session_shutdown(h2w_session *s) {
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (s->goaway.shutdown || s->goaway.sent) {
    return H2W_OK;
  }
  if (!s->is_server) {
    return h2w_finish_shutdown(s);
  }
  return h2w_local_rv(s, h2w_start_shutdown(s));
}
