/* The session of one downchannel connection: the request, the response
 * status, event lines, and why the stream ended. Liveness is the
 * library's keepalive (h2w_options_set_keepalive): after ping_interval of
 * silence the session sends a PING, and if nothing at all arrives within
 * ping_timeout after it, h2w_session_tick() reports H2W_E_TIMEOUT. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "dc.h"
#include "trace.h"
#include "util.h"

static void print_line(dc_conn *c) {
  size_t n = c->line_len;
  /* A CRLF-terminated line prints without its CR. */
  if (n > 0 && c->line[n - 1] == '\r') {
    n--;
  }
  dc_log("event %.*s", (int)n, c->line);
  c->line_len = 0;
  (*c->events)++;
}

static int on_data(h2w_session *s, uint32_t id, const uint8_t *data, size_t len,
                   void *user) {
  dc_conn *c = user;
  (void)s;
  (void)id;
  for (size_t i = 0; i < len; i++) {
    if (data[i] == '\n') {
      print_line(c);
    } else {
      c->line[c->line_len++] = (char)data[i];
      if (c->line_len == sizeof c->line) {
        print_line(c);
      }
    }
  }
  return 0;
}

static int on_begin_headers(h2w_session *s, uint32_t id, int kind, void *user) {
  dc_conn *c = user;
  (void)s;
  (void)id;
  (void)kind;
  c->blk_status = 0;
  return 0;
}

static int on_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  dc_conn *c = user;
  uint64_t v;
  (void)s;
  if (c->o->verbose) {
    ex_trace_header(stderr, "", id, nv);
  }
  if (nv->namelen == 7 && memcmp(nv->name, ":status", 7) == 0 &&
      ex_parse_u64((const char *)nv->value, nv->valuelen, 999, &v) == 0) {
    c->blk_status = (int)v;
  }
  return 0;
}

/* The final response decides: 200 opens the downchannel; anything else
 * is a failed attempt, and the stream is cancelled (RFC 9113 §8.1). */
static int on_headers(h2w_session *s, uint32_t id, int kind, int end_stream,
                      void *user) {
  dc_conn *c = user;
  (void)end_stream;
  if (kind != H2W_HEADERS_RESPONSE) {
    return 0;
  }
  if (c->blk_status == 200) {
    c->open = 1;
    dc_log("connected");
    return 0;
  }
  snprintf(c->why, sizeof c->why, "HTTP status %d", c->blk_status);
  return end_stream ? 0 : h2w_session_submit_rst_stream(s, id, H2W_CANCEL);
}

static int on_stream_close(h2w_session *s, uint32_t id, uint32_t code,
                           uint32_t flags, void *user) {
  dc_conn *c = user;
  (void)s;
  (void)id;
  c->closed = 1;
  if (c->line_len > 0) {
    print_line(c); /* a last line without its newline */
  }
  if (c->why[0] != '\0') {
    return 0;
  }
  if ((flags & H2W_CLOSE_FLAG_RETRYABLE) != 0) {
    snprintf(c->why, sizeof c->why, "stream refused (%s)",
             h2w_http2_error_name(code));
  } else if ((flags & H2W_CLOSE_FLAG_RESET) != 0) {
    snprintf(c->why, sizeof c->why, "stream reset (%s)",
             h2w_http2_error_name(code));
  } else {
    snprintf(c->why, sizeof c->why, "stream ended");
  }
  return 0;
}

/* A GOAWAY lets the stream finish (RFC 9113 §6.8); it is the reason if
 * the stream then ends. */
static int on_goaway(h2w_session *s, uint32_t last, uint32_t code,
                     const uint8_t *debug, size_t debuglen, void *user) {
  dc_conn *c = user;
  (void)s;
  (void)last;
  (void)debug;
  (void)debuglen;
  if (c->why[0] == '\0') {
    snprintf(c->why, sizeof c->why, "server sent GOAWAY (%s)",
             h2w_http2_error_name(code));
  }
  return 0;
}

static int on_frame_recv(h2w_session *s, const h2w_frame_info *fi,
                         const uint8_t *payload, void *user) {
  (void)s;
  (void)user;
  ex_trace_frame(stderr, "", 0, fi, payload);
  return 0;
}

static int on_frame_send(h2w_session *s, const h2w_frame_info *fi,
                         const uint8_t *payload, void *user) {
  (void)s;
  (void)user;
  ex_trace_frame(stderr, "", 1, fi, payload);
  return 0;
}

int dc_session_new(dc_conn *c) {
  h2w_callbacks *cb = NULL;
  h2w_options *opt = NULL;
  int rv = h2w_callbacks_new(&cb, NULL);
  if (rv == H2W_OK) {
    rv = h2w_options_new(&opt, NULL);
  }
  if (rv == H2W_OK) {
    h2w_callbacks_set_on_begin_headers(cb, on_begin_headers);
    h2w_callbacks_set_on_header(cb, on_header);
    h2w_callbacks_set_on_headers(cb, on_headers);
    h2w_callbacks_set_on_data(cb, on_data);
    h2w_callbacks_set_on_stream_close(cb, on_stream_close);
    h2w_callbacks_set_on_goaway(cb, on_goaway);
    if (c->o->verbose) {
      h2w_callbacks_set_on_frame_recv(cb, on_frame_recv);
      h2w_callbacks_set_on_frame_send(cb, on_frame_send);
    }
    rv = h2w_options_set_keepalive(opt, c->o->ping_interval_ms,
                                   c->o->ping_timeout_ms);
  }
  if (rv == H2W_OK) {
    rv = h2w_session_client_new(&c->s, cb, opt, c, NULL);
  }
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  return rv;
}

int dc_open_stream(dc_conn *c) {
  h2w_nv nv[5];
  nv[0] = ex_nvs(":method", "GET");
  nv[1] = ex_nvs(":scheme", c->o->https ? "https" : "http");
  nv[2] = ex_nvs(":authority", c->o->authority);
  nv[3] = ex_nvs(":path", c->o->path);
  nv[4] = ex_nvs("user-agent", "downchannel-client");
  int32_t id = h2w_session_submit_request(c->s, nv, 5, NULL, NULL);
  return id < 0 ? (int)id : H2W_OK;
}
