/* src/dump.c: h2w_session_dump_json(). Every dump is checked to be one
 * well-formed JSON object (a small RFC 8259 checker below, which also
 * refuses duplicate keys), identical when taken twice, and free of side
 * effects on the session (no allocation, same output pending); then
 * specific values are read back by path ("streams.0.recv_window") from
 * client and server sessions in several states: fresh, with streams and
 * bodies in flight, queued requests, deferred bodies and trailers, after
 * GOAWAY and graceful shutdown, after a connection error, with limits,
 * timers and manual flow control. The buffer contract is checked at every
 * capacity from 0 to the needed size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

/* ---- a JSON checker (RFC 8259) ----------------------------------------- */

static const char *jws(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
    p++;
  }
  return p;
}

static int hexdig(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

static int digit(char c) {
  return c >= '0' && c <= '9';
}

/* §7: p at the opening quote; the end past the closing one, or NULL. */
static const char *jstring(const char *p) {
  if (*p++ != '"') {
    return NULL;
  }
  for (;;) {
    unsigned char c = (unsigned char)*p++;
    if (c == '"') {
      return p;
    }
    if (c < 0x20) { /* the NUL at the end of the text included */
      return NULL;
    }
    if (c >= 0x80) { /* the dump promises ASCII */
      return NULL;
    }
    if (c == '\\') {
      c = (unsigned char)*p++;
      if (c == 'u') {
        if (!hexdig(p[0]) || !hexdig(p[1]) || !hexdig(p[2]) || !hexdig(p[3])) {
          return NULL;
        }
        p += 4;
      } else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
        return NULL;
      }
    }
  }
}

/* §6 */
static const char *jnumber(const char *p) {
  if (*p == '-') {
    p++;
  }
  if (*p == '0') {
    p++;
  } else if (digit(*p)) {
    while (digit(*p)) {
      p++;
    }
  } else {
    return NULL;
  }
  if (*p == '.') {
    p++;
    if (!digit(*p)) {
      return NULL;
    }
    while (digit(*p)) {
      p++;
    }
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') {
      p++;
    }
    if (!digit(*p)) {
      return NULL;
    }
    while (digit(*p)) {
      p++;
    }
  }
  return p;
}

static const char *jvalue(const char *p, int depth);

#define MAX_KEYS 128

/* §4, with duplicate keys refused (§4 leaves them unpredictable). */
static const char *jobject(const char *p, int depth) {
  const char *keys[MAX_KEYS];
  size_t lens[MAX_KEYS], n = 0, i;
  p = jws(p + 1);
  if (*p == '}') {
    return p + 1;
  }
  for (;;) {
    const char *k = p, *e = jstring(p);
    if (e == NULL || n == MAX_KEYS) {
      return NULL;
    }
    for (i = 0; i < n; i++) {
      if (lens[i] == (size_t)(e - k) && memcmp(keys[i], k, lens[i]) == 0) {
        return NULL;
      }
    }
    keys[n] = k;
    lens[n++] = (size_t)(e - k);
    p = jws(e);
    if (*p++ != ':') {
      return NULL;
    }
    p = jvalue(jws(p), depth + 1);
    if (p == NULL) {
      return NULL;
    }
    p = jws(p);
    if (*p == '}') {
      return p + 1;
    }
    if (*p++ != ',') {
      return NULL;
    }
    p = jws(p);
  }
}

/* §5 */
static const char *jarray(const char *p, int depth) {
  p = jws(p + 1);
  if (*p == ']') {
    return p + 1;
  }
  for (;;) {
    p = jvalue(p, depth + 1);
    if (p == NULL) {
      return NULL;
    }
    p = jws(p);
    if (*p == ']') {
      return p + 1;
    }
    if (*p++ != ',') {
      return NULL;
    }
    p = jws(p);
  }
}

static const char *jvalue(const char *p, int depth) {
  if (depth > 64) {
    return NULL;
  }
  switch (*p) {
  case '{':
    return jobject(p, depth);
  case '[':
    return jarray(p, depth);
  case '"':
    return jstring(p);
  case 't':
    return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
  case 'f':
    return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
  case 'n':
    return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
  default:
    return jnumber(p);
  }
}

/* One object and nothing else. */
static int json_valid(const char *text) {
  const char *p = jws(text), *e;
  if (*p != '{') {
    return 0;
  }
  e = jvalue(p, 0);
  return e != NULL && *jws(e) == '\0';
}

/* The value at a dotted path ("limits.glitches.tokens", "streams.1.id"),
 * or NULL if there is none. The text must be valid. */
static const char *jget(const char *json, const char *path) {
  const char *p = jws(json);
  while (*path != '\0') {
    const char *dot = strchr(path, '.');
    size_t seglen = dot != NULL ? (size_t)(dot - path) : strlen(path);
    if (*p == '{') {
      p = jws(p + 1);
      for (;;) {
        const char *e;
        if (*p != '"') {
          return NULL;
        }
        e = jstring(p);
        if ((size_t)(e - p) == seglen + 2 && memcmp(p + 1, path, seglen) == 0) {
          p = jws(jws(e) + 1);
          break;
        }
        p = jws(jvalue(jws(jws(e) + 1), 0));
        if (*p != ',') {
          return NULL;
        }
        p = jws(p + 1);
      }
    } else if (*p == '[') {
      long idx = strtol(path, NULL, 10);
      p = jws(p + 1);
      if (*p == ']') {
        return NULL;
      }
      while (idx-- > 0) {
        p = jws(jvalue(p, 0));
        if (*p != ',') {
          return NULL;
        }
        p = jws(p + 1);
      }
    } else {
      return NULL;
    }
    path += seglen;
    if (*path == '.') {
      path++;
    }
  }
  return p;
}

static const char *must_get(const char *json, const char *path) {
  const char *v = jget(json, path);
  if (v == NULL) {
    fail_msg("no value at %s in %s", path, json);
  }
  return v;
}

static long long jint(const char *json, const char *path) {
  const char *v = must_get(json, path);
  char *end;
  long long n = strtoll(v, &end, 10);
  if (end == v) {
    fail_msg("%s is not an integer: %.20s", path, v);
  }
  return n;
}

/* The value at path is exactly `want` (a JSON literal: "true", "null",
 * "\"open\"", "12"...). */
static void jexpect(const char *json, const char *path, const char *want) {
  const char *v = must_get(json, path);
  size_t n = strlen(want);
  if (strncmp(v, want, n) != 0 || jvalue(v, 0) != v + n) {
    fail_msg("%s: want %s, got %.40s", path, want, v);
  }
}

#define JINT(json, path, want) assert_int_equal(jint((json), (path)), (want))

/* ---- taking dumps -------------------------------------------------------- */

/* The dump of s, checked: valid JSON, the same twice, and the session
 * left as it was (no allocation, same memory, same output pending). */
static char *dump(tpeer *p) {
  size_t n = 0, n2 = 0;
  long calls = p->alloc.calls;
  size_t mem = h2w_session_memory(p->s);
  int ww = h2w_session_want_write(p->s);
  char *a, *b;
  assert_int_equal(h2w_session_dump_json(p->s, NULL, 0, &n),
                   H2W_E_BUFFER_TOO_SMALL);
  a = malloc(n + 1);
  b = malloc(n + 1);
  assert_non_null(a);
  assert_non_null(b);
  assert_int_equal(h2w_session_dump_json(p->s, a, n + 1, &n2), H2W_OK);
  assert_int_equal(n2, n);
  assert_int_equal(strlen(a), n);
  assert_int_equal(h2w_session_dump_json(p->s, b, n + 1, &n2), H2W_OK);
  assert_string_equal(a, b);
  free(b);
  if (!json_valid(a)) {
    fail_msg("not valid JSON: %s", a);
  }
  assert_int_equal(p->alloc.calls, calls);
  assert_int_equal(h2w_session_memory(p->s), mem);
  assert_int_equal(h2w_session_want_write(p->s), ww);
  return a;
}

static void pair(tpeer *c, tpeer *s, const h2w_options *copt,
                 const h2w_options *sopt) {
  tpeer_start(c, 0, H2W_SPLIT_WHOLE, copt);
  tpeer_start(s, 1, H2W_SPLIT_WHOLE, sopt);
  c->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpump(c, s);
  tpeer_log_clear(c);
  tpeer_log_clear(s);
}

/* ---- the buffer contract ------------------------------------------------ */

#define CANARY 0x5a

static void sweep_caps(tpeer *p) {
  size_t need = 0, n, cap, i;
  char *full = dump(p), *buf;
  assert_int_equal(h2w_session_dump_json(p->s, NULL, 0, &need),
                   H2W_E_BUFFER_TOO_SMALL);
  assert_int_equal(need, strlen(full));
  buf = malloc(need + 16);
  assert_non_null(buf);
  for (cap = 0; cap <= need; cap++) {
    memset(buf, CANARY, need + 16);
    n = 12345;
    assert_int_equal(h2w_session_dump_json(p->s, buf, cap, &n),
                     H2W_E_BUFFER_TOO_SMALL);
    assert_int_equal(n, need);
    if (cap > 0) {
      assert_int_equal(buf[0], '\0');
    }
    for (i = cap; i < need + 16; i++) {
      assert_int_equal((unsigned char)buf[i], CANARY);
    }
  }
  memset(buf, CANARY, need + 16);
  assert_int_equal(h2w_session_dump_json(p->s, buf, need + 1, &n), H2W_OK);
  assert_int_equal(n, need);
  assert_string_equal(buf, full);
  assert_int_equal((unsigned char)buf[need + 1], CANARY);
  free(buf);
  free(full);
}

static void test_buffer_sizes(void **state) {
  tpeer c, s;
  tsrc *body;
  (void)state;
  pair(&c, &s, NULL, NULL);
  body = tpeer_source(&c, NULL, 100);
  (void)tpeer_request(&c, POST_REQ, body);
  sweep_caps(&c); /* a stream and output pending */
  tpump(&c, &s);
  sweep_caps(&s);
  tpeer_free(&c);
  tpeer_free(&s);
}

static void test_invalid_arguments(void **state) {
  tpeer c;
  char buf[8];
  size_t n = 7;
  (void)state;
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  assert_int_equal(h2w_session_dump_json(NULL, buf, sizeof buf, &n),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(n, 7);
  assert_int_equal(h2w_session_dump_json(c.s, buf, sizeof buf, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_dump_json(c.s, NULL, 10, &n),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(n, 7);
  tpeer_free(&c);
}

/* ---- sessions in various states ------------------------------------------ */

/* A client that has only queued its preface. */
static void test_fresh_client(void **state) {
  tpeer c;
  char *j;
  (void)state;
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  j = dump(&c);
  jexpect(j, "schema", "1");
  JINT(j, "schema", 1);
  jexpect(j, "role", "\"client\"");
  jexpect(j, "state", "\"open\"");
  jexpect(j, "error", "null");
  jexpect(j, "goaway.sent", "false");
  jexpect(j, "goaway.received", "false");
  jexpect(j, "goaway.sent_last_stream_id", "null");
  jexpect(j, "goaway.shutdown", "\"none\"");
  jexpect(j, "streams", "[]");
  jexpect(j, "input.settings_received", "false");
  jexpect(j, "input.header_block", "null");
  /* Our preface SETTINGS awaits its ACK; the RFC defaults are in force. */
  JINT(j, "settings.local.max_concurrent_streams", 4294967295);
  JINT(j, "settings.local.enable_push", 1);
  JINT(j, "settings.local_unacked.0.max_concurrent_streams", 100);
  JINT(j, "settings.local_unacked.0.enable_push", 0);
  JINT(j, "settings.local_unacked.0.no_rfc7540_priorities", 1);
  JINT(j, "settings.local_unacked.0.sent_ms", 0);
  assert_null(jget(j, "settings.local_unacked.1"));
  JINT(j, "settings.remote.initial_window_size", 65535);
  JINT(j, "settings.remote.max_frame_size", 16384);
  /* The magic, and SETTINGS with 4 entries: ENABLE_PUSH,
   * MAX_CONCURRENT_STREAMS, MAX_HEADER_LIST_SIZE, NO_RFC7540_PRIORITIES. */
  JINT(j, "output.queued_octets", 24 + 9 + 4 * 6);
  JINT(j, "output.queued_frames", 1);
  jexpect(j, "output.want_write", "true");
  JINT(j, "flow.connection.recv_window", 65535);
  JINT(j, "flow.connection.send_window", 65535);
  jexpect(j, "flow.manual", "false");
  JINT(j, "hpack.encoder.max", 4096);
  JINT(j, "hpack.encoder.entries", 0);
  JINT(j, "hpack.decoder.size", 0);
  JINT(j, "memory.in_use", (long long)h2w_session_memory(c.s));
  JINT(j, "memory.budget", 4 * 1024 * 1024);
  jexpect(j, "limits.local_streams.max", "null");
  JINT(j, "limits.peer_streams.max", 100);
  JINT(j, "limits.stream_ids.next_local", 1);
  JINT(j, "limits.glitches.tokens", 1000);
  JINT(j, "limits.glitches.per_second", 100);
  JINT(j, "limits.resets.burst", 1000);
  JINT(j, "limits.resets.per_second", 33);
  JINT(j, "limits.settings_unacked.pending", 1);
  JINT(j, "limits.header_list.max_size", 65536);
  JINT(j, "timers.settings_ack_deadline_ms", 10000);
  JINT(j, "clock.next_deadline_ms", 10000);
  jexpect(j, "clock.started", "false");
  jexpect(j, "clock.no_clock_notice", "false");
  jexpect(j, "input.eof", "false");
  jexpect(j, "timers.keepalive", "null");
  jexpect(j, "timers.idle", "null");
  jexpect(j, "timers.shutdown_deadline_ms", "null");
  free(j);
  tpeer_free(&c);
}

/* A POST with a 1000-octet body, seen from both ends: states, windows
 * after the DATA, HPACK tables in step. */
static void test_stream_windows(void **state) {
  tpeer c, s;
  char *cj, *sj;
  (void)state;
  pair(&c, &s, NULL, NULL);
  (void)tpeer_request(&c, POST_REQ, tpeer_source(&c, NULL, 1000));
  tpump(&c, &s);
  cj = dump(&c);
  sj = dump(&s);
  jexpect(sj, "role", "\"server\"");
  jexpect(sj, "input.settings_received", "true");
  jexpect(sj, "input.preface_received", "true");
  assert_null(jget(sj, "settings.local_unacked.0"));
  JINT(sj, "settings.local.max_concurrent_streams", 100);

  JINT(cj, "streams.0.id", 1);
  jexpect(cj, "streams.0.state", "\"half-closed (local)\"");
  jexpect(cj, "streams.0.initiator", "\"local\"");
  JINT(cj, "streams.0.send_window", 65535 - 1000);
  JINT(cj, "flow.connection.send_window", 65535 - 1000);
  jexpect(cj, "streams.0.headers_sent", "true");
  jexpect(cj, "streams.0.headers_received", "false");
  jexpect(cj, "streams.0.data", "\"none\"");
  JINT(cj, "limits.local_streams.open", 1);
  JINT(cj, "limits.local_streams.max", 100);
  JINT(cj, "limits.stream_ids.next_local", 3);
  JINT(cj, "output.queued_octets", 0);

  JINT(sj, "streams.0.id", 1);
  jexpect(sj, "streams.0.state", "\"half-closed (remote)\"");
  jexpect(sj, "streams.0.initiator", "\"remote\"");
  /* Consumed, but not yet worth a WINDOW_UPDATE (half the window). */
  JINT(sj, "streams.0.recv_window", 65535 - 1000);
  JINT(sj, "flow.connection.recv_window", 65535 - 1000);
  JINT(sj, "flow.connection.recv_consumed_uncredited", 1000);
  JINT(sj, "streams.0.body_received", 1000);
  jexpect(sj, "streams.0.content_length", "null");
  jexpect(sj, "streams.0.headers_received", "true");
  JINT(sj, "streams.0.urgency", 3);
  jexpect(sj, "streams.0.incremental", "false");
  JINT(sj, "limits.peer_streams.open", 1);
  JINT(sj, "limits.stream_ids.last_peer", 1);
  assert_null(jget(sj, "streams.1"));

  /* The client's encoder and the server's decoder hold the same table. */
  assert_true(jint(cj, "hpack.encoder.entries") > 0);
  assert_int_equal(jint(cj, "hpack.encoder.entries"),
                   jint(sj, "hpack.decoder.entries"));
  assert_int_equal(jint(cj, "hpack.encoder.size"),
                   jint(sj, "hpack.decoder.size"));
  free(cj);
  free(sj);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Streams come in ascending id order, and a stream's frames still in
 * the output queue are counted. Requests wait until output is written,
 * one HEADERS at a time: a peek builds the first. */
static void test_stream_order_and_queue(void **state) {
  tpeer c, s;
  const uint8_t *out;
  char *j;
  int i;
  (void)state;
  pair(&c, &s, NULL, NULL);
  for (i = 0; i < 5; i++) {
    (void)tpeer_request(&c, GET_REQ, NULL);
  }
  assert_true(h2w_session_peek(c.s, &out) > 9);
  j = dump(&c);
  for (i = 0; i < 5; i++) {
    char path[32];
    snprintf(path, sizeof path, "streams.%d.id", i);
    JINT(j, path, 2 * i + 1);
    snprintf(path, sizeof path, "streams.%d.queued_octets", i);
    assert_true(i == 0 ? jint(j, path) > 9 : jint(j, path) == 0);
    snprintf(path, sizeof path, "streams.%d.state", i);
    jexpect(j, path, i == 0 ? "\"half-closed (local)\"" : "\"idle\"");
  }
  assert_null(jget(j, "streams.5"));
  JINT(j, "output.queued_frames", 1);
  assert_true(jint(j, "output.queued_octets") ==
              jint(j, "streams.0.queued_octets"));
  free(j);
  tpump(&c, &s);
  j = dump(&c);
  JINT(j, "output.queued_octets", 0);
  JINT(j, "streams.4.queued_octets", 0);
  free(j);
  j = dump(&s);
  JINT(j, "streams.4.id", 9);
  JINT(j, "limits.peer_streams.open", 5);
  free(j);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Requests beyond the peer's MAX_CONCURRENT_STREAMS wait for a slot. */
static void test_waiting_requests(void **state) {
  tpeer c, s;
  h2w_options *opt;
  char *j;
  (void)state;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_concurrent_streams(opt, 1), H2W_OK);
  pair(&c, &s, NULL, opt);
  h2w_options_del(opt);
  (void)tpeer_request(&c, GET_REQ, NULL);
  (void)tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  j = dump(&c);
  JINT(j, "limits.local_streams.open", 1);
  JINT(j, "limits.local_streams.max", 1);
  JINT(j, "limits.local_streams.waiting", 1);
  jexpect(j, "streams.0.waiting_for_slot", "false");
  jexpect(j, "streams.1.waiting_for_slot", "true");
  jexpect(j, "streams.1.headers_pending", "true");
  jexpect(j, "streams.1.trailers_pending", "false");
  jexpect(j, "streams.1.state", "\"idle\"");
  JINT(j, "streams.1.queued_octets", 0);
  free(j);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A response body that defers, with trailers waiting behind it. */
static void test_deferred_body_and_trailers(void **state) {
  tpeer c, s;
  tsrc *body;
  h2w_nv tr[1];
  char *j;
  (void)state;
  pair(&c, &s, NULL, NULL);
  (void)tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  body = tpeer_source(&s, NULL, 100);
  body->defer_at = 10;
  body->trailers = 1;
  tpeer_respond(&s, 1, RESP_200, body);
  tpump(&c, &s);
  assert_int_equal(tnv(tr, 1, H("grpc-status", "0")), 1);
  assert_int_equal(h2w_session_submit_trailers(s.s, 1, tr, 1), H2W_OK);
  j = dump(&s);
  jexpect(j, "streams.0.data", "\"deferred\"");
  jexpect(j, "streams.0.scheduled", "false");
  jexpect(j, "streams.0.headers_sent", "true");
  jexpect(j, "streams.0.trailers_pending", "true");
  jexpect(j, "streams.0.headers_pending", "false");
  JINT(j, "streams.0.send_window", 65535 - 10);
  JINT(j, "output.data_streams_ready", 0);
  free(j);
  assert_int_equal(h2w_session_resume_data(s.s, 1), H2W_OK);
  j = dump(&s);
  jexpect(j, "streams.0.data", "\"active\"");
  jexpect(j, "streams.0.scheduled", "true");
  JINT(j, "output.data_streams_ready", 1);
  jexpect(j, "output.want_write", "true");
  free(j);
  tpump(&c, &s);
  j = dump(&c);
  /* The client saw all of it; the stream is over on both sides. */
  jexpect(j, "streams", "[]");
  free(j);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Manual flow control: delivered octets stay unconsumed until the
 * application says so. */
static void test_manual_flow(void **state) {
  tpeer c, s;
  h2w_options *opt;
  char *j;
  (void)state;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_manual_flow_control(opt, 1), H2W_OK);
  assert_int_equal(h2w_options_set_memory_budget(opt, 1 << 20), H2W_OK);
  pair(&c, &s, NULL, opt);
  h2w_options_del(opt);
  (void)tpeer_request(&c, POST_REQ, tpeer_source(&c, NULL, 3000));
  tpump(&c, &s);
  j = dump(&s);
  jexpect(j, "flow.manual", "true");
  JINT(j, "memory.budget", 1 << 20);
  JINT(j, "streams.0.unconsumed", 3000);
  JINT(j, "flow.connection.recv_unconsumed", 3000);
  JINT(j, "flow.connection.recv_consumed_uncredited", 0);
  free(j);
  assert_int_equal(h2w_session_consume(s.s, 1, 1000), H2W_OK);
  j = dump(&s);
  JINT(j, "streams.0.unconsumed", 2000);
  JINT(j, "flow.connection.recv_unconsumed", 2000);
  JINT(j, "flow.connection.recv_consumed_uncredited", 1000);
  free(j);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* GOAWAY both ways with a stream still open, then closed. */
static void test_goaway(void **state) {
  tpeer c, s;
  char *j;
  (void)state;
  pair(&c, &s, NULL, NULL);
  (void)tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_int_equal(h2w_session_submit_goaway(s.s, H2W_NO_ERROR, NULL, 0),
                   H2W_OK);
  j = dump(&s);
  jexpect(j, "state", "\"going_away\"");
  jexpect(j, "goaway.sent", "true");
  JINT(j, "goaway.sent_last_stream_id", 1);
  jexpect(j, "goaway.received", "false");
  free(j);
  tpump(&c, &s);
  j = dump(&c);
  jexpect(j, "state", "\"going_away\"");
  jexpect(j, "goaway.received", "true");
  JINT(j, "goaway.received_last_stream_id", 1);
  jexpect(j, "error", "null");
  free(j);
  tpeer_respond(&s, 1, RESP_200, NULL);
  tpump(&c, &s);
  j = dump(&c);
  jexpect(j, "state", "\"closed\"");
  jexpect(j, "streams", "[]");
  free(j);
  j = dump(&s);
  jexpect(j, "state", "\"closed\"");
  free(j);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A graceful shutdown: the first GOAWAY (2^31-1), its PING, its timer. */
static void test_graceful_shutdown(void **state) {
  tpeer c, s;
  char *j;
  (void)state;
  pair(&c, &s, NULL, NULL);
  (void)tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_int_equal(h2w_session_tick(s.s, 500), H2W_OK);
  assert_int_equal(h2w_session_shutdown(s.s), H2W_OK);
  j = dump(&s);
  jexpect(j, "state", "\"going_away\"");
  jexpect(j, "goaway.sent", "true");
  JINT(j, "goaway.sent_last_stream_id", 2147483647);
  jexpect(j, "goaway.shutdown", "\"draining\"");
  JINT(j, "timers.shutdown_deadline_ms", 1500);
  JINT(j, "limits.pings.outstanding", 1);
  JINT(j, "limits.pings.max", 8);
  jexpect(j, "clock.started", "true");
  JINT(j, "clock.now_ms", 500);
  free(j);
  tpump(&c, &s); /* the PING's ACK: the final GOAWAY */
  j = dump(&s);
  jexpect(j, "goaway.shutdown", "\"done\"");
  JINT(j, "goaway.sent_last_stream_id", 1);
  jexpect(j, "timers.shutdown_deadline_ms", "null");
  JINT(j, "limits.pings.outstanding", 0);
  free(j);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A server never ticked: the first reset it would charge brings the
 * no-clock notice, shown once given; then the peer closes the transport
 * and "eof" says so. */
static void test_no_clock_and_eof(void **state) {
  tpeer c, s;
  char *j;
  int32_t id;
  (void)state;
  pair(&c, &s, NULL, NULL);
  id = tpeer_request(&c, POST_REQ, NULL);
  tpump(&c, &s);
  j = dump(&s);
  jexpect(j, "clock.started", "false");
  jexpect(j, "clock.no_clock_notice", "false");
  free(j);
  assert_int_equal(h2w_session_submit_rst_stream(c.s, (uint32_t)id, H2W_CANCEL),
                   H2W_OK);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&s, "error 0 NO_ERROR*"));
  j = dump(&s);
  jexpect(j, "clock.no_clock_notice", "true");
  jexpect(j, "input.eof", "false");
  jexpect(j, "state", "\"open\"");
  free(j);
  assert_int_equal(h2w_session_eof(s.s), H2W_OK);
  j = dump(&s);
  jexpect(j, "input.eof", "true");
  /* A clean end of input is the sticky H2W_E_CLOSED, whose "reason" is
   * the one h2w_session_error() gives. */
  jexpect(j, "error.code", "\"H2W_E_CLOSED\"");
  free(j);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* After a connection error: the sticky error, and the GOAWAY waiting. */
static void test_failed(void **state) {
  tpeer s;
  h2w_fb b;
  char *j;
  (void)state;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  tpeer_handshake(&s);
  h2w_fb_init(&b);
  h2w_fb_hd(&b, 8, 0x6, 0, 1); /* PING on a stream (RFC 9113 §6.7) */
  h2w_fb_zeros(&b, 8);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  h2w_fb_free(&b);
  j = dump(&s);
  jexpect(j, "state", "\"failed\"");
  jexpect(j, "error.code", "\"H2W_E_PROTOCOL\"");
  jexpect(j, "error.description", "\"protocol error\"");
  jexpect(j, "error.wire_code", "\"PROTOCOL_ERROR\"");
  assert_true(*must_get(j, "error.reason") == '"');
  JINT(j, "goaway.sent_last_stream_id", 0);
  assert_true(jint(j, "output.goaway_pending_octets") >= 17);
  jexpect(j, "clock.next_deadline_ms", "null");
  free(j);
  EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
  j = dump(&s);
  JINT(j, "output.goaway_pending_octets", 0);
  jexpect(j, "output.want_write", "false");
  free(j);
  tpeer_free(&s);
}

/* The glitch bucket as of the session's time: a PRIORITY frame costs a
 * token, time gives it back; the dump computes the refill without
 * applying it. */
static void test_glitch_bucket(void **state) {
  tpeer s;
  h2w_fb b;
  char *j;
  (void)state;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  tpeer_handshake(&s);
  assert_int_equal(h2w_session_tick(s.s, 1000), H2W_OK);
  h2w_fb_init(&b);
  h2w_fb_hd(&b, 5, 0x2, 0, 3);
  h2w_fb_u32(&b, 0);
  h2w_fb_u8(&b, 15);
  tpeer_feed_ok(&s, &b);
  h2w_fb_free(&b);
  j = dump(&s);
  JINT(j, "limits.glitches.tokens", 999);
  JINT(j, "limits.glitches.burst", 1000);
  JINT(j, "limits.resets.tokens", 1000);
  free(j);
  assert_int_equal(h2w_session_tick(s.s, 1005), H2W_OK); /* half a token */
  j = dump(&s);
  JINT(j, "limits.glitches.tokens", 999);
  free(j);
  assert_int_equal(h2w_session_tick(s.s, 1010), H2W_OK);
  j = dump(&s);
  JINT(j, "limits.glitches.tokens", 1000);
  free(j);
  tpeer_free(&s);
}

static void test_limits_off(void **state) {
  tpeer s;
  h2w_options *opt;
  char *j;
  (void)state;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_glitch_limit(opt, 0, 0), H2W_OK);
  assert_int_equal(h2w_options_set_reset_limit(opt, 0, 0), H2W_OK);
  assert_int_equal(h2w_options_set_memory_budget(opt, 0), H2W_OK);
  assert_int_equal(h2w_options_set_max_header_list_size(opt, 1000), H2W_OK);
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, opt);
  h2w_options_del(opt);
  j = dump(&s);
  jexpect(j, "limits.glitches", "null");
  jexpect(j, "limits.resets", "null");
  jexpect(j, "memory.budget", "null");
  JINT(j, "limits.header_list.max_size", 1000);
  free(j);
  tpeer_free(&s);
}

/* Keepalive and idle timers on the caller's clock. */
static void test_timers(void **state) {
  tpeer s;
  h2w_options *opt;
  char *j;
  (void)state;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_keepalive(opt, 1000, 500), H2W_OK);
  assert_int_equal(h2w_options_set_idle_timeout(opt, 5000), H2W_OK);
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, opt);
  h2w_options_del(opt);
  tpeer_handshake(&s);
  assert_int_equal(h2w_session_tick(s.s, 100), H2W_OK);
  j = dump(&s);
  JINT(j, "timers.keepalive.interval_ms", 1000);
  JINT(j, "timers.keepalive.timeout_ms", 500);
  JINT(j, "timers.keepalive.deadline_ms", 1100);
  jexpect(j, "timers.keepalive.ping_outstanding", "false");
  JINT(j, "timers.idle.timeout_ms", 5000);
  JINT(j, "timers.idle.deadline_ms", 5100);
  JINT(j, "clock.next_deadline_ms", 1100);
  jexpect(j, "timers.settings_ack_deadline_ms", "null");
  free(j);
  /* The keepalive PING goes out: now the peer has 500 ms. */
  assert_int_equal(h2w_session_tick(s.s, 1100), H2W_OK);
  j = dump(&s);
  jexpect(j, "timers.keepalive.ping_outstanding", "true");
  JINT(j, "timers.keepalive.deadline_ms", 1600);
  JINT(j, "limits.pings.outstanding", 1);
  free(j);
  tpeer_free(&s);
}

/* A header block cut in the middle (HEADERS without END_HEADERS). */
static void test_header_block_in_progress(void **state) {
  tpeer s;
  h2w_fb b;
  uint8_t block[256];
  size_t n;
  char *j;
  (void)state;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  tpeer_handshake(&s);
  n = tpeer_block(&s, block, sizeof block, GET_REQ);
  h2w_fb_init(&b);
  h2w_fb_headers(&b, 1, 0x1, block, n / 2);
  h2w_fb_hd(&b, 0, 0x9, 0, 1); /* an empty CONTINUATION */
  tpeer_feed_ok(&s, &b);
  j = dump(&s);
  JINT(j, "input.header_block.stream_id", 1);
  JINT(j, "input.header_block.frame_stream_id", 1);
  JINT(j, "input.header_block.continuations", 1);
  free(j);
  h2w_fb_begin(&b, 0x9, 0x4, 1);
  h2w_fb_bytes(&b, block + n / 2, n - n / 2);
  h2w_fb_end(&b);
  tpeer_feed_ok(&s, &b);
  h2w_fb_free(&b);
  j = dump(&s);
  jexpect(j, "input.header_block", "null");
  jexpect(j, "streams.0.state", "\"half-closed (remote)\"");
  free(j);
  tpeer_free(&s);
}

/* Dumps from inside callbacks: the session is mid-frame then, and a
 * closed stream still waiting for its close callback is listed. */
static int dump_hook(tpeer *p, const tev *ev) {
  char *j;
  if (ev->type == TEV_HEADERS) {
    j = dump(p);
    jexpect(j, "streams.0.state", "\"open\"");
    jexpect(j, "streams.0.headers_received", "true");
    free(j);
    (*(int *)p->app)++;
  } else if (ev->type == TEV_CLOSE) {
    j = dump(p);
    JINT(j, "streams.0.id", (long long)ev->stream_id);
    jexpect(j, "streams.0.state", "\"closed\"");
    jexpect(j, "streams.0.closing", "true");
    jexpect(j, "streams.0.close_code", "\"CANCEL\"");
    free(j);
    (*(int *)p->app)++;
  }
  return 0;
}

static void test_dump_in_callbacks(void **state) {
  tpeer c, s;
  int calls = 0;
  int32_t id;
  tsrc *body;
  (void)state;
  pair(&c, &s, NULL, NULL);
  s.hook = dump_hook;
  s.app = &calls;
  body = tpeer_source(&c, NULL, 100);
  body->defer_at = 50; /* no END_STREAM: the request stays open */
  id = tpeer_request(&c, POST_REQ, body);
  tpump(&c, &s);
  assert_int_equal(h2w_session_submit_rst_stream(c.s, (uint32_t)id, H2W_CANCEL),
                   H2W_OK);
  tpump(&c, &s);
  assert_int_equal(calls, 2);
  tpeer_free(&c);
  tpeer_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_buffer_sizes),
      cmocka_unit_test(test_invalid_arguments),
      cmocka_unit_test(test_fresh_client),
      cmocka_unit_test(test_stream_windows),
      cmocka_unit_test(test_stream_order_and_queue),
      cmocka_unit_test(test_waiting_requests),
      cmocka_unit_test(test_deferred_body_and_trailers),
      cmocka_unit_test(test_manual_flow),
      cmocka_unit_test(test_goaway),
      cmocka_unit_test(test_graceful_shutdown),
      cmocka_unit_test(test_failed),
      cmocka_unit_test(test_no_clock_and_eof),
      cmocka_unit_test(test_glitch_bucket),
      cmocka_unit_test(test_limits_off),
      cmocka_unit_test(test_timers),
      cmocka_unit_test(test_header_block_in_progress),
      cmocka_unit_test(test_dump_in_callbacks),
  };
  tpeer_no_clock = 1; /* these tests start the clock themselves */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
