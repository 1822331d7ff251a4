/* The server's session callbacks: per-request state from the first header
 * block to on_stream_close, request bodies under manual flow control, and
 * the -v trace of frames and received header fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"
#include "trace.h"

static req *req_of(h2w_session *s, uint32_t id) {
  return h2w_session_get_stream_user_data(s, id);
}

/* The -v lines of a connection start with its number. */
static void conn_prefix(const conn *c, char *prefix, size_t cap) {
  snprintf(prefix, cap, "[conn %llu] ", (unsigned long long)c->id);
}

req *req_new(conn *c, uint32_t id) {
  req *r = calloc(1, sizeof *r);
  if (r == NULL) {
    return NULL;
  }
  r->c = c;
  r->id = id;
  ex_timer_init(&r->tick, NULL, r);
  r->next = c->reqs;
  if (c->reqs != NULL) {
    c->reqs->prev = r;
  }
  c->reqs = r;
  return r;
}

void req_free(req *r) {
  conn *c = r->c;
  ex_heap_disarm(&c->srv->timers, &r->tick);
  if (r->prev != NULL) {
    r->prev->next = r->next;
  } else {
    c->reqs = r->next;
  }
  if (r->next != NULL) {
    r->next->prev = r->prev;
  }
  free(r->method);
  free(r->path);
  free(r->authority);
  free(r->buf);
  free(r);
}

static int on_begin_headers(h2w_session *s, uint32_t id, int kind, void *user) {
  req *r = req_of(s, id);
  if (kind == H2W_HEADERS_TRAILERS) {
    if (r != NULL) {
      r->in_trailers = 1;
    }
    return 0;
  }
  if (kind != H2W_HEADERS_REQUEST || r != NULL) {
    return 0;
  }
  r = req_new(user, id);
  if (r == NULL) {
    return H2W_E_NOMEM;
  }
  if (h2w_session_set_stream_user_data(s, id, r) != H2W_OK) {
    req_free(r);
    return H2W_E_INVALID_STATE;
  }
  return 0;
}

/* Keep a NUL-terminated copy: field values may contain no NUL (RFC 9113
 * §8.2.1), so the copy is the whole value. */
static int keep(char **dst, const h2w_nv *nv) {
  char *p = malloc(nv->valuelen + 1);
  if (p == NULL) {
    return H2W_E_NOMEM;
  }
  if (nv->valuelen != 0) {
    memcpy(p, nv->value, nv->valuelen);
  }
  p[nv->valuelen] = '\0';
  free(*dst);
  *dst = p;
  return 0;
}

static int name_is(const h2w_nv *nv, const char *name) {
  size_t n = strlen(name);
  return nv->namelen == n && memcmp(nv->name, name, n) == 0;
}

static int on_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  conn *c = user;
  req *r = req_of(s, id);
  if (c->srv->verbose) {
    char prefix[40];
    conn_prefix(c, prefix, sizeof prefix);
    ex_trace_header(stderr, prefix, id, nv);
  }
  if (r == NULL || r->in_trailers) {
    return 0;
  }
  if (name_is(nv, ":method")) {
    return keep(&r->method, nv);
  }
  if (name_is(nv, ":path")) {
    return keep(&r->path, nv);
  }
  if (name_is(nv, ":authority")) {
    return keep(&r->authority, nv);
  }
  if (name_is(nv, "expect") && nv->valuelen == 12 &&
      strncasecmp((const char *)nv->value, "100-continue", 12) == 0) {
    r->expect_100 = 1;
  }
  return 0;
}

static int on_headers(h2w_session *s, uint32_t id, int kind, int end_stream,
                      void *user) {
  req *r = req_of(s, id);
  (void)user;
  if (r == NULL || kind != H2W_HEADERS_REQUEST) {
    return 0;
  }
  r->peer_ended = (uint8_t)(end_stream != 0);
  return route_request(s, r);
}

/* Manual flow control: only /echo holds body bytes back (consumed as they
 * enter the response); any other request body is discarded at once, and
 * consuming it reopens the peer's window. The session counts bytes as
 * delivered only when on_data returns, so they are consumed right after
 * h2w_session_recv() instead of here. */
static int on_data(h2w_session *s, uint32_t id, const uint8_t *data, size_t len,
                   void *user) {
  req *r = req_of(s, id);
  conn *c = user;
  if (r != NULL && r->route == ROUTE_ECHO) {
    return echo_append(s, r, data, len);
  }
  if (r != NULL) {
    r->owed += len;
  } else {
    c->owed += len;
  }
  return 0;
}

int conn_consume_owed(conn *c) {
  int rv = H2W_OK;
  if (c->owed != 0) {
    /* Stream 0: no stream to credit, only the connection. */
    rv = h2w_session_consume(c->s, 0, c->owed);
    c->owed = 0;
  }
  for (req *r = c->reqs; r != NULL && rv == H2W_OK; r = r->next) {
    if (r->owed != 0) {
      rv = h2w_session_consume(c->s, r->id, r->owed);
      r->owed = 0;
    }
  }
  return rv;
}

static int on_stream_end(h2w_session *s, uint32_t id, void *user) {
  req *r = req_of(s, id);
  (void)user;
  if (r == NULL) {
    return 0;
  }
  r->peer_ended = 1;
  return r->route == ROUTE_ECHO ? req_wake(s, r) : 0;
}

/* The stream's user data should still be readable during its close
 * callback (h2wire.h, "Streams"); the session in this tree already forgot
 * it by then, so fall back to the connection's own list. */
static req *closing_req(h2w_session *s, conn *c, uint32_t id) {
  req *r = req_of(s, id);
  for (r = r != NULL ? r : c->reqs; r != NULL && r->id != id; r = r->next) {
  }
  return r;
}

static int on_stream_close(h2w_session *s, uint32_t id, uint32_t code,
                           uint32_t flags, void *user) {
  conn *c = user;
  req *r = closing_req(s, c, id);
  if (c->srv->verbose && code != H2W_NO_ERROR) {
    fprintf(stderr, "[conn %llu] stream %u closed: %s%s\n",
            (unsigned long long)c->id, (unsigned)id, h2w_http2_error_name(code),
            (flags & H2W_CLOSE_FLAG_RESET) != 0 ? " (reset)" : "");
  }
  if (r == NULL) {
    return 0;
  }
  /* Echo bytes still buffered, and discarded bytes not yet consumed, hold
   * part of the connection window: consuming them now returns it (a
   * closed stream only credits the connection). */
  size_t held = r->buf_len + r->owed;
  req_free(r);
  return held != 0 ? h2w_session_consume(s, id, held) : 0;
}

static void trace(const conn *c, int sent, const h2w_frame_info *fi,
                  const uint8_t *payload) {
  char prefix[40];
  conn_prefix(c, prefix, sizeof prefix);
  ex_trace_frame(stderr, prefix, sent, fi, payload);
}

/* Always set: it times header blocks (--header-timeout). A HEADERS or
 * PUSH_PROMISE without END_HEADERS opens one, CONTINUATION frames carry
 * it on, END_HEADERS ends it (RFC 9113 §6.2, §6.10). It also notes the
 * peer's GOAWAY, for the close (conn.c). */
static int on_frame_recv(h2w_session *s, const h2w_frame_info *fi,
                         const uint8_t *payload, void *user) {
  conn *c = user;
  (void)s;
  if (fi->type == 0x7) { /* GOAWAY */
    c->peer_goaway = 1;
  }
  if (fi->type == 0x1 || fi->type == 0x5 || fi->type == 0x9) {
    if ((fi->flags & 0x4) != 0) {
      c->hdr_since = 0;
    } else if (c->hdr_since == 0) {
      c->hdr_since = c->srv->now != 0 ? c->srv->now : 1;
    }
  }
  if (c->srv->verbose) {
    trace(user, 0, fi, payload);
  }
  return 0;
}

static int on_frame_send(h2w_session *s, const h2w_frame_info *fi,
                         const uint8_t *payload, void *user) {
  (void)s;
  trace(user, 1, fi, payload);
  return 0;
}

static void on_error(h2w_session *s, uint32_t id, uint32_t code,
                     const char *reason, void *user) {
  const conn *c = user;
  (void)s;
  fprintf(stderr, "[conn %llu] error on stream %u: %s (%s)\n",
          (unsigned long long)c->id, (unsigned)id, h2w_http2_error_name(code),
          reason);
}

int srv_callbacks_new(h2w_callbacks **out, int verbose) {
  h2w_callbacks *cb;
  int rv = h2w_callbacks_new(&cb, NULL);
  if (rv != H2W_OK) {
    return rv;
  }
  h2w_callbacks_set_on_begin_headers(cb, on_begin_headers);
  h2w_callbacks_set_on_header(cb, on_header);
  h2w_callbacks_set_on_headers(cb, on_headers);
  h2w_callbacks_set_on_data(cb, on_data);
  h2w_callbacks_set_on_stream_end(cb, on_stream_end);
  h2w_callbacks_set_on_stream_close(cb, on_stream_close);
  h2w_callbacks_set_on_frame_recv(cb, on_frame_recv);
  if (verbose) {
    h2w_callbacks_set_on_frame_send(cb, on_frame_send);
    h2w_callbacks_set_on_error(cb, on_error);
  }
  *out = cb;
  return H2W_OK;
}

int srv_options_new(h2w_options **out, const srv_limits *l) {
  h2w_options *opt;
  int rv = h2w_options_new(&opt, NULL);
  if (rv != H2W_OK) {
    return rv;
  }
  /* Every setter gets a value in its documented range. */
  h2w_options_set_manual_flow_control(opt, 1);
  h2w_options_set_initial_window_size(opt, SRV_STREAM_WINDOW);
  h2w_options_set_connection_window_size(opt, SRV_CONN_WINDOW);
  /* The library's own timers, run by h2w_session_tick(): close a
   * connection with no stream for idle_ms, and PING a quiet peer and give
   * up on it when nothing comes back (both GOAWAY, H2W_E_TIMEOUT). */
  h2w_options_set_idle_timeout(opt, l->idle_ms);
  if (l->keepalive_ms != 0) {
    h2w_options_set_keepalive(opt, l->keepalive_ms, l->keepalive_wait_ms);
  }
  if (l->autotune) {
    h2w_options_set_window_autotune(opt, SRV_AUTOTUNE_CONN,
                                    SRV_AUTOTUNE_STREAM);
  }
  *out = opt;
  return H2W_OK;
}
