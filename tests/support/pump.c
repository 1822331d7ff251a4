/* Session test harness: peers, the event recorder and the loopback pump
 * (pump.h). Output parsing, fake-peer input and bodies: pump_frames.c. */
#include "pump.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pump_int.h"

int tsplit_modes[H2W_SPLIT_MODES] = {H2W_SPLIT_WHOLE, H2W_SPLIT_BYTEWISE,
                                     H2W_SPLIT_RANDOM};

int tmode(void **state) {
  return *(const int *)*state;
}

/* ---- strings ------------------------------------------------------------ */

void tstr_add(tstr *t, const char *s, size_t n) {
  if (t->cap - t->len < n + 1) {
    size_t cap = t->cap ? t->cap : 256;
    char *b;
    while (cap - t->len < n + 1) {
      cap *= 2;
    }
    b = realloc(t->buf, cap);
    if (b == NULL) {
      abort();
    }
    t->buf = b;
    t->cap = cap;
  }
  memcpy(t->buf + t->len, s, n);
  t->len += n;
  t->buf[t->len] = '\0';
}

void tstr_line(tstr *t, const char *s) {
  tstr_add(t, s, strlen(s));
  tstr_add(t, "\n", 1);
}

void tstr_free(tstr *t) {
  free(t->buf);
  memset(t, 0, sizeof *t);
}

/* Glob match: '*' stands for any run of octets (backtracking on the last
 * star only, which is enough for one-line patterns). */
int tline_match(const char *pattern, const char *line, size_t linelen) {
  const char *star = NULL;
  size_t i = 0, mark = 0;
  while (i < linelen) {
    if (*pattern == '*') {
      star = pattern++;
      mark = i;
    } else if (*pattern != '\0' && *pattern == line[i]) {
      pattern++;
      i++;
    } else if (star != NULL) {
      pattern = star + 1;
      i = ++mark;
    } else {
      return 0;
    }
  }
  while (*pattern == '*') {
    pattern++;
  }
  return *pattern == '\0';
}

void tstr_clear(tstr *t) {
  t->len = 0;
  if (t->buf != NULL) {
    t->buf[0] = '\0';
  }
}

/* Compare the lines of `got` with lines[]; print both on a mismatch and
 * fail at the caller's position. Clears `got` either way. */
void texpect_lines(tstr *got, const char *what, const char *file, int line,
                   const char *const *lines) {
  const char *p = got->buf ? got->buf : "";
  size_t i = 0;
  int ok = 1;
  while (*p != '\0' || lines[i] != NULL) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    if (*p == '\0' || lines[i] == NULL || !tline_match(lines[i], p, n)) {
      ok = 0;
      break;
    }
    p += nl ? n + 1 : n;
    i++;
  }
  if (!ok) {
    print_error("%s mismatch at line %zu\n--- expected:\n", what, i + 1);
    for (i = 0; lines[i] != NULL; i++) {
      print_error("  %s\n", lines[i]);
    }
    print_error("--- actual:\n%s", got->buf ? got->buf : "");
    tstr_clear(got);
    _fail(file, line);
  }
  tstr_clear(got);
}

/* ---- the recorder -----------------------------------------------------------
 */

static const char *kind_name(int kind) {
  static const char *const names[] = {"req", "resp", "info", "trailers",
                                      "push"};
  return kind >= 0 && kind <= 4 ? names[kind] : "?";
}

static int emit(tpeer *p, tev *ev, const char *fmt, ...)
    CMOCKA_PRINTF_ATTRIBUTE(3, 4);

static int emit(tpeer *p, tev *ev, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  p->callbacks++;
  ev->line = line;
  if ((p->mute & ev->type) == 0) {
    tstr_line(&p->log, line);
  }
  return p->hook ? p->hook(p, ev) : 0;
}

static int on_begin_headers(h2w_session *s, uint32_t id, int kind, void *user) {
  tev ev = {TEV_BEGIN_HEADERS, id, kind, 0, 0, 0, NULL, NULL, 0, NULL};
  (void)s;
  return emit(user, &ev, "begin_headers %u %s", id, kind_name(kind));
}

static int on_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  tev ev = {TEV_HEADER, id, 0, 0, 0, 0, nv, NULL, 0, NULL};
  (void)s;
  return emit(user, &ev, "header %u %.*s %.*s", id, (int)nv->namelen,
              (const char *)nv->name, (int)nv->valuelen,
              (const char *)nv->value);
}

static int on_headers(h2w_session *s, uint32_t id, int kind, int es,
                      void *user) {
  tev ev = {TEV_HEADERS, id, kind, es, 0, 0, NULL, NULL, 0, NULL};
  (void)s;
  return emit(user, &ev, "headers %u %s es=%d", id, kind_name(kind), es);
}

static void body_add(tpeer *p, uint32_t id, const uint8_t *d, size_t n) {
  tbody *b = NULL;
  size_t i;
  for (i = 0; i < p->nbodies; i++) {
    if (p->bodies[i].id == id) {
      b = &p->bodies[i];
    }
  }
  if (b == NULL) {
    tbody *nb = realloc(p->bodies, (p->nbodies + 1) * sizeof *nb);
    if (nb == NULL) {
      abort();
    }
    p->bodies = nb;
    b = &nb[p->nbodies++];
    memset(b, 0, sizeof *b);
    b->id = id;
  }
  if (b->cap - b->len < n) {
    size_t cap = b->cap ? b->cap : 256;
    uint8_t *nb;
    while (cap - b->len < n) {
      cap *= 2;
    }
    nb = realloc(b->buf, cap);
    if (nb == NULL) {
      abort();
    }
    b->buf = nb;
    b->cap = cap;
  }
  if (n != 0) {
    memcpy(b->buf + b->len, d, n);
  }
  b->len += n;
}

/* The log line of the last data event, if it is the log's last line:
 * consecutive chunks of one stream merge into one "data <id> <total>"
 * line, so that logs do not depend on how the input was split. */
static size_t merge_data(tpeer *p, uint32_t id) {
  char want[32];
  const char *last;
  size_t n = (size_t)snprintf(want, sizeof want, "data %u ", id), prev = 0;
  if (p->log.len == 0 || (p->mute & TEV_DATA) != 0) {
    return 0;
  }
  last = p->log.buf + p->log.len - 1;
  while (last > p->log.buf && last[-1] != '\n') {
    last--;
  }
  if (strncmp(last, want, n) != 0 || sscanf(last + n, "%zu", &prev) != 1) {
    return 0;
  }
  p->log.len = (size_t)(last - p->log.buf);
  p->log.buf[p->log.len] = '\0';
  return prev;
}

static int on_data(h2w_session *s, uint32_t id, const uint8_t *d, size_t n,
                   void *user) {
  tev ev = {TEV_DATA, id, 0, 0, 0, 0, NULL, d, n, NULL};
  size_t total = merge_data(user, id) + n;
  (void)s;
  body_add(user, id, d, n);
  return emit(user, &ev, "data %u %zu", id, total);
}

static int on_stream_end(h2w_session *s, uint32_t id, void *user) {
  tev ev = {TEV_END, id, 0, 0, 0, 0, NULL, NULL, 0, NULL};
  (void)s;
  return emit(user, &ev, "end %u", id);
}

static int on_stream_reset(h2w_session *s, uint32_t id, uint32_t code,
                           void *user) {
  tev ev = {TEV_RESET, id, 0, 0, code, 0, NULL, NULL, 0, NULL};
  (void)s;
  return emit(user, &ev, "reset %u %s", id, h2w_http2_error_name(code));
}

static int on_stream_close(h2w_session *s, uint32_t id, uint32_t code,
                           uint32_t flags, void *user) {
  tev ev = {TEV_CLOSE, id, 0, 0, code, flags, NULL, NULL, 0, NULL};
  (void)s;
  return emit(user, &ev, "close %u %s%s%s%s", id, h2w_http2_error_name(code),
              (flags & H2W_CLOSE_FLAG_RESET) ? " reset" : "",
              (flags & H2W_CLOSE_FLAG_RETRYABLE) ? " retryable" : "",
              (flags & H2W_CLOSE_FLAG_CONNECTION) ? " conn" : "");
}

static int on_settings(h2w_session *s, const h2w_settings_entry *iv, size_t n,
                       void *user) {
  tev ev = {TEV_SETTINGS, 0, 0, 0, 0, 0, NULL, NULL, n, NULL};
  char buf[512];
  size_t i, off = 0;
  (void)s;
  buf[0] = '\0';
  for (i = 0; i < n && off < sizeof buf - 32; i++) {
    off += (size_t)snprintf(buf + off, sizeof buf - off, " %u:%u",
                            (unsigned)iv[i].id, (unsigned)iv[i].value);
  }
  return emit(user, &ev, "settings%s", buf);
}

static int on_settings_ack(h2w_session *s, void *user) {
  tev ev = {TEV_SETTINGS_ACK, 0, 0, 0, 0, 0, NULL, NULL, 0, NULL};
  (void)s;
  return emit(user, &ev, "settings_ack");
}

static int on_ping_ack(h2w_session *s, const uint8_t *opaque8, uint64_t rtt,
                       void *user) {
  tev ev = {TEV_PING_ACK, 0, 0, 0, 0, 0, NULL, opaque8, 8, NULL};
  (void)s;
  return emit(user, &ev, "ping_ack rtt=%llu", (unsigned long long)rtt);
}

static int on_goaway(h2w_session *s, uint32_t last, uint32_t code,
                     const uint8_t *debug, size_t len, void *user) {
  tev ev = {TEV_GOAWAY, last, 0, 0, code, 0, NULL, debug, len, NULL};
  (void)s;
  return emit(user, &ev, "goaway %u %s%s%.*s", last, h2w_http2_error_name(code),
              len ? " debug=" : "", (int)len, (const char *)debug);
}

static void on_error(h2w_session *s, uint32_t id, uint32_t code,
                     const char *reason, void *user) {
  tpeer *p = user;
  tev ev = {TEV_ERROR, id, 0, 0, code, 0, NULL, NULL, 0, NULL};
  (void)s;
  p->last_reason = reason;
  (void)emit(p, &ev, "error %u %s", id, h2w_http2_error_name(code));
}

static int on_frame(tpeer *p, unsigned type, const h2w_frame_info *fi) {
  tev ev = {type, fi->stream_id, 0, 0, 0, 0, NULL, NULL, fi->length, NULL};
  return emit(p, &ev, "%s %s %u %u",
              type == TEV_FRAME_RECV ? "frame_recv" : "frame_send",
              tframe_type_name(fi->type), fi->stream_id, fi->length);
}

static int on_frame_recv(h2w_session *s, const h2w_frame_info *fi,
                         const uint8_t *payload, void *user) {
  (void)s;
  (void)payload;
  return on_frame(user, TEV_FRAME_RECV, fi);
}

static int on_frame_send(h2w_session *s, const h2w_frame_info *fi,
                         const uint8_t *payload, void *user) {
  (void)s;
  (void)payload;
  return on_frame(user, TEV_FRAME_SEND, fi);
}

static int on_altsvc(h2w_session *s, uint32_t id, const uint8_t *origin,
                     size_t originlen, const uint8_t *value, size_t valuelen,
                     void *user) {
  tev ev = {TEV_ALTSVC, id, 0, 0, 0, 0, NULL, value, valuelen, NULL};
  (void)s;
  return emit(user, &ev, "altsvc %u origin=%.*s value=%.*s", id, (int)originlen,
              origin ? (const char *)origin : "", (int)valuelen,
              value ? (const char *)value : "");
}

static int on_origin(h2w_session *s, const uint8_t *origin, size_t len,
                     size_t index, void *user) {
  tev ev = {TEV_ORIGIN, 0, 0, 0, 0, 0, NULL, origin, len, NULL};
  (void)s;
  return emit(user, &ev, "origin %zu %.*s", index, (int)len,
              (const char *)origin);
}

static int on_extension_frame(h2w_session *s, const h2w_frame_info *fi,
                              const uint8_t *payload, void *user) {
  tev ev = {TEV_EXTENSION, fi->stream_id, 0,       0,          0,
            fi->flags,     NULL,          payload, fi->length, NULL};
  (void)s;
  return emit(user, &ev, "ext type=0x%02x flags=0x%02x %u %.*s",
              (unsigned)fi->type, (unsigned)fi->flags, fi->stream_id,
              (int)fi->length, payload ? (const char *)payload : "");
}

static int on_push_promise(h2w_session *s, uint32_t id, uint32_t promised,
                           void *user) {
  tev ev = {TEV_PUSH, id, 0, 0, promised, 0, NULL, NULL, 0, NULL};
  (void)s;
  return emit(user, &ev, "push %u promised=%u", id, promised);
}

/* ---- peers -------------------------------------------------------------- */

int tpeer_no_clock = 0;

void tpeer_init(tpeer *p, int is_server, int split) {
  memset(p, 0, sizeof *p);
  p->no_clock = tpeer_no_clock;
  p->is_server = is_server;
  p->split = split;
  p->seed = is_server ? 0x9e3779b9u : 0x2545f491u;
  p->max_piece = 1500;
  p->mute = TEV_FRAME_RECV | TEV_FRAME_SEND | TEV_EXTENSION;
  h2w_test_alloc_init(&p->alloc);
}

static h2w_callbacks *recording_callbacks(void) {
  h2w_callbacks *cb = NULL;
  assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
  h2w_callbacks_set_on_begin_headers(cb, on_begin_headers);
  h2w_callbacks_set_on_header(cb, on_header);
  h2w_callbacks_set_on_headers(cb, on_headers);
  h2w_callbacks_set_on_data(cb, on_data);
  h2w_callbacks_set_on_stream_end(cb, on_stream_end);
  h2w_callbacks_set_on_stream_reset(cb, on_stream_reset);
  h2w_callbacks_set_on_stream_close(cb, on_stream_close);
  h2w_callbacks_set_on_settings(cb, on_settings);
  h2w_callbacks_set_on_settings_ack(cb, on_settings_ack);
  h2w_callbacks_set_on_ping_ack(cb, on_ping_ack);
  h2w_callbacks_set_on_goaway(cb, on_goaway);
  h2w_callbacks_set_on_frame_recv(cb, on_frame_recv);
  h2w_callbacks_set_on_frame_send(cb, on_frame_send);
  h2w_callbacks_set_on_error(cb, on_error);
  h2w_callbacks_set_on_altsvc(cb, on_altsvc);
  h2w_callbacks_set_on_origin(cb, on_origin);
  h2w_callbacks_set_on_extension_frame(cb, on_extension_frame);
  h2w_callbacks_set_on_push_promise(cb, on_push_promise);
  return cb;
}

int tpeer_open(tpeer *p, const h2w_options *opt) {
  h2w_callbacks *cb = recording_callbacks();
  int rv = p->is_server
               ? h2w_session_server_new(&p->s, cb, opt, p, &p->alloc.mem)
               : h2w_session_client_new(&p->s, cb, opt, p, &p->alloc.mem);
  h2w_callbacks_del(cb);
  if (rv == H2W_OK && !p->no_clock) {
    assert_int_equal(h2w_session_tick(p->s, 0), H2W_OK);
  }
  return rv;
}

void tpeer_start(tpeer *p, int is_server, int split, const h2w_options *opt) {
  tpeer_init(p, is_server, split);
  assert_int_equal(tpeer_open(p, opt), H2W_OK);
  assert_non_null(p->s);
}

void tpeer_free(tpeer *p) {
  size_t i;
  h2w_session_del(p->s);
  p->s = NULL;
  if (p->alloc.live != 0) {
    print_error("%s session leaked %ld blocks (%zu bytes)\n",
                p->is_server ? "server" : "client", p->alloc.live,
                p->alloc.bytes);
  }
  assert_int_equal(p->alloc.live, 0);
  for (i = 0; i < p->nbodies; i++) {
    free(p->bodies[i].buf);
  }
  free(p->bodies);
  tsrc_free_all(p);
  h2w_hpack_encoder_del(p->enc);
  h2w_hpack_decoder_del(p->dec);
  free(p->out);
  tstr_free(&p->log);
  tstr_free(&p->frames);
  tstr_free(&p->fields);
  memset(p, 0, sizeof *p);
}

void tpeer_expect_log(tpeer *p, const char *file, int line,
                      const char *const *lines) {
  texpect_lines(&p->log, p->is_server ? "server log" : "client log", file, line,
                lines);
}

int tpeer_log_index(const tpeer *p, const char *pattern) {
  const char *s = p->log.buf;
  int i = 0;
  while (s != NULL && *s != '\0') {
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    if (tline_match(pattern, s, n)) {
      return i;
    }
    s += nl ? n + 1 : n;
    i++;
  }
  return -1;
}

int tpeer_log_has(const tpeer *p, const char *pattern) {
  return tpeer_log_index(p, pattern) >= 0;
}

void tpeer_log_clear(tpeer *p) {
  tstr_clear(&p->log);
}

/* ---- moving bytes -----------------------------------------------------------
 */

/* The next piece size for this peer's split mode, at most `left`. */
static size_t piece(tpeer *p, size_t left) {
  size_t k = left;
  if (p->split == H2W_SPLIT_BYTEWISE) {
    k = 1;
  } else if (p->split == H2W_SPLIT_RANDOM) {
    k = 1 + h2w_test_rng(&p->seed) % p->max_piece;
  }
  return k < left ? k : left;
}

/* One piece; a pausing callback makes recv return early, so call again
 * with the rest (h2wire.h, "Callbacks"). */
static int feed_piece(tpeer *p, const uint8_t *in, size_t k) {
  size_t done = 0;
  int stuck = 0;
  while (done < k) {
    h2w_ssize n = h2w_session_recv(p->s, in + done, k - done);
    if (n < 0) {
      if (p->recv_err == 0) {
        p->recv_err = (int)n;
      }
      return (int)n;
    }
    assert_true((size_t)n <= k - done);
    if ((size_t)n < k - done) {
      p->pauses++;
    }
    if (n == 0 && ++stuck > 1000) {
      fail_msg("h2w_session_recv makes no progress");
    }
    done += (size_t)n;
  }
  return 0;
}

h2w_ssize tpeer_feed(tpeer *p, const uint8_t *in, size_t len) {
  size_t pos = 0;
  while (pos < len) {
    size_t k = piece(p, len - pos);
    int rv = feed_piece(p, in + pos, k);
    if (rv < 0) {
      return rv;
    }
    pos += k;
  }
  return (h2w_ssize)len;
}

h2w_ssize tpeer_feed_fb(tpeer *p, const h2w_fb *b) {
  return tpeer_feed(p, b->buf, b->len);
}

void tpeer_feed_ok(tpeer *p, h2w_fb *b) {
  size_t len = b->len;
  h2w_ssize rv = tpeer_feed_fb(p, b);
  if (rv != (h2w_ssize)len) {
    fail_msg("feed: %s (%s)", rv < 0 ? h2w_error_name((int)rv) : "short",
             p->last_reason != NULL ? p->last_reason : "no reason");
  }
  h2w_fb_clear(b);
}

/* One read of at most cap octets, through send() or peek()+ack(). */
static h2w_ssize read_chunk(tpeer *p, uint8_t *buf, size_t cap) {
  h2w_ssize n;
  if (p->use_peek) {
    const uint8_t *d = NULL;
    n = h2w_session_peek(p->s, &d);
    if (n > 0) {
      size_t m = (size_t)n < cap ? (size_t)n : cap;
      memcpy(buf, d, m);
      assert_int_equal(h2w_session_ack(p->s, m), H2W_OK);
      n = (h2w_ssize)m;
    }
  } else {
    n = h2w_session_send(p->s, buf, cap);
  }
  if (n < 0 && p->send_err == 0) {
    p->send_err = (int)n;
  }
  assert_true(n <= (h2w_ssize)cap);
  return n;
}

#define TCHUNK 65536

static h2w_ssize read_piece(tpeer *p, uint8_t *buf) {
  return read_chunk(p, buf, piece(p, TCHUNK));
}

h2w_ssize tpeer_read_out(tpeer *p) {
  static uint8_t buf[TCHUNK];
  size_t total = 0;
  for (;;) {
    h2w_ssize n = read_piece(p, buf);
    if (n <= 0) {
      return n < 0 ? n : (h2w_ssize)total;
    }
    if (p->outcap - p->outlen < (size_t)n) {
      size_t cap = p->outcap ? p->outcap * 2 : TCHUNK;
      while (cap - p->outlen < (size_t)n) {
        cap *= 2;
      }
      p->out = realloc(p->out, cap);
      if (p->out == NULL) {
        abort();
      }
      p->outcap = cap;
    }
    memcpy(p->out + p->outlen, buf, (size_t)n);
    p->outlen += (size_t)n;
    total += (size_t)n;
    if (total > ((size_t)1 << 28)) {
      fail_msg("the session never stops producing output");
    }
  }
}

static size_t transfer(tpeer *from, tpeer *to) {
  static uint8_t buf[TCHUNK];
  h2w_ssize n = read_piece(from, buf);
  if (n <= 0) {
    return 0;
  }
  (void)tpeer_feed(to, buf, (size_t)n);
  return (size_t)n;
}

size_t tpump(tpeer *c, tpeer *s) {
  size_t total = 0;
  for (;;) {
    size_t a = transfer(c, s);
    size_t b = transfer(s, c);
    if (a == 0 && b == 0) {
      return total;
    }
    total += a + b;
    if (total > ((size_t)1 << 30)) {
      fail_msg("the two sessions never go quiet");
    }
  }
}

size_t tpump_at(tpeer *c, tpeer *s, uint64_t now_ms) {
  (void)h2w_session_tick(c->s, now_ms);
  (void)h2w_session_tick(s->s, now_ms);
  return tpump(c, s);
}
