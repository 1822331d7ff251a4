/* The client's session callbacks. Bodies go to stdout in URL order: the
 * response of the first unfinished URL is written as it arrives, later
 * ones are held in memory until their turn. Status lines go to stderr in
 * the same order, each after its body. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "trace.h"
#include "util.h"

static fetch *fetch_of(h2w_session *s, uint32_t id) {
  return h2w_session_get_stream_user_data(s, id);
}

/* Manual flow control: bytes are consumed once written out, or while the
 * held buffer is below CLI_HOLD_CAP (RFC 9113 §6.9: the window reopens
 * only through our WINDOW_UPDATEs). */
static int consume(client *cl, fetch *f, size_t n) {
  if (cl->dead || n == 0) {
    return 0;
  }
  return h2w_session_consume(cl->s, (uint32_t)f->stream_id, n);
}

static void print_status(const fetch *f) {
  fflush(stdout);
  if (f->push_url != NULL) {
    fputs("pushed ", stderr);
  }
  if (f->ok) {
    fprintf(stderr, "%s -> %d (%llu bytes)\n", f->url, f->status,
            (unsigned long long)f->nbytes);
  } else {
    fprintf(stderr, "%s -> error: %s\n", f->url, f->err);
  }
}

/* Write out everything that is now in order: the held body of the next
 * URL, and for each finished one its status line. */
static int advance_output(client *cl) {
  int rv = 0;
  while (cl->next_out < cl->n) {
    fetch *f = &cl->f[cl->next_out];
    if (f->buf_len != 0) {
      fwrite(f->buf, 1, f->buf_len, stdout);
      free(f->buf);
      f->buf = NULL;
      f->buf_len = f->buf_cap = 0;
      rv = consume(cl, f, f->held);
      f->held = 0;
    }
    if (!f->done) {
      break;
    }
    print_status(f);
    cl->next_out++;
  }
  fflush(stdout);
  return rv;
}

static void finish(client *cl, fetch *f, int ok, const char *why) {
  if (f->done) {
    return;
  }
  f->done = 1;
  f->ok = (uint8_t)ok;
  if (!ok) {
    snprintf(f->err, sizeof f->err, "%s", why);
  }
  cl->ndone++;
}

void cli_fail_all(client *cl, const char *reason) {
  for (size_t i = 0; i < cl->n; i++) {
    finish(cl, &cl->f[i], 0, reason);
  }
  advance_output(cl);
}

static int hold(fetch *f, const uint8_t *data, size_t len) {
  if (f->buf_cap - f->buf_len < len) {
    size_t cap = f->buf_cap != 0 ? f->buf_cap : 16384;
    while (cap - f->buf_len < len) {
      cap *= 2;
    }
    uint8_t *p = realloc(f->buf, cap);
    if (p == NULL) {
      return H2W_E_NOMEM;
    }
    f->buf = p;
    f->buf_cap = cap;
  }
  memcpy(f->buf + f->buf_len, data, len);
  f->buf_len += len;
  if (f->buf_len > CLI_HOLD_CAP) {
    f->held += len;
  } else {
    f->owed += len;
  }
  return 0;
}

/* The session counts bytes as delivered only once on_data has returned,
 * so on_data cannot consume them itself. */
int cli_consume_owed(client *cl) {
  for (size_t i = 0; i < cl->n; i++) {
    fetch *f = &cl->f[i];
    if (f->owed != 0) {
      int rv = consume(cl, f, f->owed);
      f->owed = 0;
      if (rv != H2W_OK) {
        return rv;
      }
    }
  }
  return 0;
}

static int on_data(h2w_session *s, uint32_t id, const uint8_t *data, size_t len,
                   void *user) {
  client *cl = user;
  fetch *f = fetch_of(s, id);
  if (f == NULL || len == 0) {
    return 0;
  }
  f->nbytes += len;
  if (f != &cl->f[cl->next_out]) {
    return hold(f, data, len);
  }
  fwrite(data, 1, len, stdout);
  /* Unbuffered for the head URL, so /events lines show as they come. */
  fflush(stdout);
  f->owed += len;
  return 0;
}

static int on_begin_headers(h2w_session *s, uint32_t id, int kind, void *user) {
  client *cl = user;
  fetch *f = fetch_of(s, id);
  if (kind == H2W_HEADERS_PUSH_PROMISE) {
    /* The promised request's fields follow; keep what makes its URL. */
    cl->promise_id = id;
    cl->promise_scheme[0] = cl->promise_authority[0] = '\0';
    cl->promise_path[0] = '\0';
  } else if (f != NULL) {
    f->block_status = 0;
  }
  return 0;
}

static void keep_field(char *dst, size_t cap, const h2w_nv *nv) {
  size_t n = nv->valuelen < cap - 1 ? nv->valuelen : cap - 1;
  memcpy(dst, nv->value, n);
  dst[n] = '\0';
}

static void promise_field(client *cl, const h2w_nv *nv) {
  if (nv->namelen == 7 && memcmp(nv->name, ":scheme", 7) == 0) {
    keep_field(cl->promise_scheme, sizeof cl->promise_scheme, nv);
  } else if (nv->namelen == 10 && memcmp(nv->name, ":authority", 10) == 0) {
    keep_field(cl->promise_authority, sizeof cl->promise_authority, nv);
  } else if (nv->namelen == 5 && memcmp(nv->name, ":path", 5) == 0) {
    keep_field(cl->promise_path, sizeof cl->promise_path, nv);
  }
}

/* RFC 9113 §8.4: a promise on one of our requests. With --push (and
 * room left) the pushed response becomes one more fetch, printed after
 * the URLs; otherwise it is declined. */
static int on_push_promise(h2w_session *s, uint32_t id, uint32_t promised,
                           void *user) {
  client *cl = user;
  size_t len;
  fetch *f;
  if (!cl->push || cl->n == cl->cap || promised != cl->promise_id) {
    return H2W_PUSH_REFUSE;
  }
  len = strlen(cl->promise_scheme) + strlen(cl->promise_authority) +
        strlen(cl->promise_path) + 4;
  f = &cl->f[cl->n];
  memset(f, 0, sizeof *f);
  f->push_url = malloc(len);
  if (f->push_url == NULL) {
    return H2W_PUSH_REFUSE;
  }
  snprintf(f->push_url, len, "%s://%s%s", cl->promise_scheme,
           cl->promise_authority, cl->promise_path);
  f->url = f->push_url;
  f->stream_id = (int32_t)promised;
  if (h2w_session_set_stream_user_data(s, promised, f) != H2W_OK) {
    free(f->push_url);
    f->push_url = NULL;
    return H2W_PUSH_REFUSE;
  }
  if (cl->verbose) {
    fprintf(stderr, "push promised on stream %u: %s (stream %u)\n",
            (unsigned)id, f->url, (unsigned)promised);
  }
  cl->n++;
  return 0;
}

static int on_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  client *cl = user;
  fetch *f = fetch_of(s, id);
  uint64_t v;
  if (cl->verbose) {
    ex_trace_header(stderr, "", id, nv);
  }
  if (f == NULL && id == cl->promise_id) {
    promise_field(cl, nv);
    return 0;
  }
  if (f != NULL && nv->namelen == 7 && memcmp(nv->name, ":status", 7) == 0 &&
      ex_parse_u64((const char *)nv->value, nv->valuelen, 999, &v) == 0) {
    f->block_status = (int)v;
  }
  return 0;
}

/* Only the final response's status counts; 1xx blocks (RFC 9110 §15.2)
 * and trailers are passed over. */
static int on_headers(h2w_session *s, uint32_t id, int kind, int end_stream,
                      void *user) {
  fetch *f = fetch_of(s, id);
  (void)end_stream;
  (void)user;
  if (f != NULL && kind == H2W_HEADERS_RESPONSE) {
    f->status = f->block_status;
  }
  return 0;
}

static int on_stream_end(h2w_session *s, uint32_t id, void *user) {
  fetch *f = fetch_of(s, id);
  (void)user;
  if (f != NULL) {
    f->ended = 1;
  }
  return 0;
}

/* Complete means the whole response arrived (END_STREAM). A server may
 * still reset the stream with NO_ERROR after a complete response to stop
 * our upload (RFC 9113 §8.1); any other code is a failure. */
static int on_stream_close(h2w_session *s, uint32_t id, uint32_t code,
                           uint32_t flags, void *user) {
  client *cl = user;
  fetch *f = fetch_of(s, id);
  char why[128];
  /* The user data should still be readable here (h2wire.h, "Streams");
   * the session in this tree already forgot it, so look the id up. */
  for (size_t i = 0; f == NULL && i < cl->n; i++) {
    f = cl->f[i].stream_id == (int32_t)id ? &cl->f[i] : NULL;
  }
  if (f == NULL) {
    return 0;
  }
  if (f->ended && f->status != 0 && code == H2W_NO_ERROR) {
    finish(cl, f, 1, NULL);
  } else if ((flags & H2W_CLOSE_FLAG_RETRYABLE) != 0) {
    snprintf(why, sizeof why, "refused by the server (%s), safe to retry",
             h2w_http2_error_name(code));
    finish(cl, f, 0, why);
  } else if ((flags & H2W_CLOSE_FLAG_RESET) != 0) {
    snprintf(why, sizeof why, "stream reset (%s)", h2w_http2_error_name(code));
    finish(cl, f, 0, why);
  } else {
    snprintf(why, sizeof why, "stream closed before the end (%s)",
             h2w_http2_error_name(code));
    finish(cl, f, 0, why);
  }
  return advance_output(cl);
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

/* The PING sent with our GOAWAY came back (net.c, the close). */
static int on_ping_ack(h2w_session *s, const uint8_t *opaque8, uint64_t rtt_ms,
                       void *user) {
  client *cl = user;
  (void)s;
  (void)rtt_ms;
  if (memcmp(opaque8, CLI_CLOSE_PING, 8) == 0) {
    cl->close_ping_acked = 1;
  }
  return 0;
}

static void on_error(h2w_session *s, uint32_t id, uint32_t code,
                     const char *reason, void *user) {
  (void)s;
  (void)user;
  fprintf(stderr, "error on stream %u: %s (%s)\n", (unsigned)id,
          h2w_http2_error_name(code), reason);
}

static int make_callbacks(h2w_callbacks **out, int verbose) {
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
  h2w_callbacks_set_on_push_promise(cb, on_push_promise);
  h2w_callbacks_set_on_ping_ack(cb, on_ping_ack);
  if (verbose) {
    h2w_callbacks_set_on_frame_recv(cb, on_frame_recv);
    h2w_callbacks_set_on_frame_send(cb, on_frame_send);
    h2w_callbacks_set_on_error(cb, on_error);
  }
  *out = cb;
  return H2W_OK;
}

int cli_session_new(client *cl) {
  h2w_callbacks *cb = NULL;
  h2w_options *opt = NULL;
  int rv = make_callbacks(&cb, cl->verbose);
  if (rv == H2W_OK) {
    rv = h2w_options_new(&opt, NULL);
  }
  if (rv == H2W_OK) {
    /* The connection window is the largest allowed, so responses held
     * for ordering never starve the one being printed. */
    h2w_options_set_manual_flow_control(opt, 1);
    h2w_options_set_initial_window_size(opt, CLI_STREAM_WINDOW);
    h2w_options_set_connection_window_size(opt, 0x7fffffffu);
    h2w_options_set_enable_push(opt, cl->push);
    if (cl->autotune) {
      /* Stream windows grow from 1 MiB to what the path needs (issue 18);
       * the connection window is at its largest already. */
      h2w_options_set_window_autotune(opt, 0x7fffffffu, CLI_AUTOTUNE_STREAM);
    }
    rv = h2w_session_client_new(&cl->s, cb, opt, cl, NULL);
  }
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  return rv;
}

static h2w_ssize body_read(h2w_session *s, uint32_t id, uint8_t *buf,
                           size_t len, uint32_t *flags, void *user) {
  fetch *f = user;
  const body *b = f->body;
  uint64_t left = b->len - f->body_off;
  size_t n = left < len ? (size_t)left : len;
  (void)s;
  (void)id;
  if (n != 0 && b->fd >= 0) {
    ssize_t r = pread(b->fd, buf, n, (off_t)f->body_off);
    if (r <= 0) {
      /* The file shrank or failed under us: the stream is reset. */
      return H2W_E_TRUNCATED;
    }
    n = (size_t)r;
  } else if (n != 0) {
    memcpy(buf, b->mem + f->body_off, n);
  }
  f->body_off += n;
  if (f->body_off == b->len) {
    *flags |= H2W_DATA_FLAG_EOF;
  }
  return (h2w_ssize)n;
}

static int has_extra(const client *cl, const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < cl->nextra; i++) {
    if (cl->extra[i].namelen == n && memcmp(cl->extra[i].name, name, n) == 0) {
      return 1;
    }
  }
  return 0;
}

static int32_t submit_one(client *cl, fetch *f, h2w_nv *nv) {
  char clen[24], ua[48];
  int v[3];
  size_t n = 0;
  h2w_version(&v[0], &v[1], &v[2]);
  snprintf(ua, sizeof ua, "h2w-client/%d.%d.%d", v[0], v[1], v[2]);
  snprintf(clen, sizeof clen, "%llu",
           f->body != NULL ? (unsigned long long)f->body->len : 0ull);
  nv[n++] = ex_nvs(":method", f->body != NULL ? "POST" : "GET");
  nv[n++] = ex_nvs(":scheme", cl->https ? "https" : "http");
  nv[n++] = ex_nvs(":authority", cl->authority);
  nv[n++] = ex_nvs(":path", f->u.path);
  if (!has_extra(cl, "user-agent")) {
    nv[n++] = ex_nvs("user-agent", ua);
  }
  if (f->body != NULL) {
    nv[n++] = ex_nvs("content-length", clen);
  }
  memcpy(nv + n, cl->extra, cl->nextra * sizeof *nv);
  n += cl->nextra;
  h2w_data_source src;
  src.read = body_read;
  src.write = NULL;
  src.user = f;
  return h2w_session_submit_request(cl->s, nv, n, f->body != NULL ? &src : NULL,
                                    f);
}

void cli_submit_all(client *cl) {
  h2w_nv *nv = malloc((6 + cl->nextra) * sizeof *nv);
  for (size_t i = 0; i < cl->n; i++) {
    fetch *f = &cl->f[i];
    if (f->stream_id != 0) {
      continue; /* stream 1 of an upgrade, already sent as HTTP/1.1 */
    }
    int32_t id = nv != NULL ? submit_one(cl, f, nv) : H2W_E_NOMEM;
    if (id < 0) {
      char why[96];
      snprintf(why, sizeof why, "cannot submit: %s", h2w_strerror(id));
      finish(cl, f, 0, why);
    } else {
      f->stream_id = id;
    }
  }
  free(nv);
  advance_output(cl);
}
