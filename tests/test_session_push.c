/* Server push (RFC 9113 §8.4, §6.6): the server's PUSH_PROMISE API, the
 * client accepting or declining promises, SETTINGS_ENABLE_PUSH both ways
 * and the concurrency limits of pushed streams. Receive tests in the three
 * split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

#define PUSH_REQ                                                               \
  H(":method", "GET", ":scheme", "https", ":authority", "example.org",         \
    ":path", "/pushed.css")

static h2w_options *client_opts(int push, uint32_t max_streams) {
  h2w_options *opt;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_enable_push(opt, push), H2W_OK);
  if (max_streams != 0) {
    assert_int_equal(h2w_options_set_max_concurrent_streams(opt, max_streams),
                     H2W_OK);
  }
  return opt;
}

/* A client (push on or off, a stream limit) and a server, handshaken. */
static void pair(tpeer *c, tpeer *s, void **state, int push,
                 uint32_t max_streams) {
  h2w_options *opt = client_opts(push, max_streams);
  tpeer_start(c, 0, tmode(state), opt);
  tpeer_start(s, 1, tmode(state), NULL);
  h2w_options_del(opt);
  c->mute |= TEV_HEADER;
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpump(c, s);
  tpeer_log_clear(c);
  tpeer_log_clear(s);
}

static int32_t push(tpeer *s, uint32_t id, const char *const *fields) {
  h2w_nv nv[16];
  size_t n = tnv(nv, 16, fields);
  return h2w_session_submit_push_promise(s->s, id, nv, n, NULL);
}

/* The whole exchange: a promise on the request stream, then the pushed
 * response with a body large enough to need WINDOW_UPDATEs. */
static void test_push_end_to_end(void **state) {
  tpeer c, s;
  size_t len;
  int32_t id, pid;
  pair(&c, &s, state, 1, 0);
  c.mute &= ~(unsigned)TEV_HEADER;
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  EXPECT_LOG(&s, "headers 1 req es=1", "end 1");
  pid = push(&s, (uint32_t)id, PUSH_REQ);
  assert_int_equal(pid, 2);
  assert_int_equal(h2w_session_stream_state(s.s, 2),
                   H2W_STREAM_STATE_RESERVED_LOCAL);
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 100));
  tpeer_respond(&s, 2, RESP_200, tpeer_source(&s, NULL, 200000));
  tpump(&c, &s);
  /* The promise comes before the response that announced it. */
  assert_true(tpeer_log_index(&c, "push 1 promised=2") <
              tpeer_log_index(&c, "headers 1 resp es=0"));
  assert_true(tpeer_log_index(&c, "begin_headers 2 push") <
              tpeer_log_index(&c, "header 2 :path /pushed.css"));
  assert_true(tpeer_log_has(&c, "header 2 :authority example.org"));
  assert_true(tpeer_log_has(&c, "headers 2 resp es=0"));
  assert_true(tpeer_log_has(&c, "end 2"));
  assert_true(tpeer_log_has(&c, "close 2 NO_ERROR"));
  assert_true(tpeer_log_has(&c, "close 1 NO_ERROR"));
  assert_false(tpeer_log_has(&c, "headers 2 push*"));
  assert_true(tpattern_check(tpeer_body(&c, 2, &len), 200000));
  assert_int_equal(len, 200000);
  assert_true(tpeer_log_has(&s, "close 2 NO_ERROR"));
  assert_int_equal(h2w_session_stream_state(c.s, 2), H2W_STREAM_STATE_CLOSED);
  tpeer_free(&c);
  tpeer_free(&s);
}

static int refuse_pushes(tpeer *p, const tev *ev) {
  (void)p;
  return ev->type == TEV_PUSH ? H2W_PUSH_REFUSE : 0;
}

/* The client declines: RST_STREAM CANCEL, the server's stream closes and
 * can no longer be answered; the request stream is unaffected. */
static void test_push_refused_by_client(void **state) {
  tpeer c, s;
  int32_t id;
  pair(&c, &s, state, 1, 0);
  c.hook = refuse_pushes;
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  tpeer_log_clear(&s);
  assert_int_equal(push(&s, (uint32_t)id, PUSH_REQ), 2);
  tpump(&c, &s);
  EXPECT_LOG(&c, "begin_headers 2 push", "push 1 promised=2", "error 2 CANCEL",
             "close 2 CANCEL reset");
  EXPECT_LOG(&s, "reset 2 CANCEL", "close 2 CANCEL*");
  assert_int_equal(h2w_session_submit_response(s.s, 2, NULL, 0, NULL),
                   H2W_E_INVALID_ARGUMENT);
  {
    h2w_nv nv[2];
    size_t n = tnv(nv, 2, RESP_200);
    assert_int_equal(h2w_session_submit_response(s.s, 2, nv, n, NULL),
                     H2W_E_INVALID_STATE);
  }
  tpeer_respond(&s, 1, RESP_200, NULL);
  tpump(&c, &s);
  EXPECT_LOG(&c, "begin_headers 1 resp", "headers 1 resp es=1", "end 1",
             "close 1 NO_ERROR");
  tpeer_free(&c);
  tpeer_free(&s);
}

/* ENABLE_PUSH 0 from the client (the default): the server may not push. */
static void test_push_disabled_by_client(void **state) {
  tpeer c, s;
  uint32_t v = 7;
  int32_t id;
  pair(&c, &s, state, 0, 0);
  assert_int_equal(h2w_session_setting(s.s, H2W_SETTINGS_REMOTE,
                                       H2W_SETTINGS_ENABLE_PUSH, &v),
                   H2W_OK);
  assert_int_equal(v, 0);
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_int_equal(push(&s, (uint32_t)id, PUSH_REQ), H2W_E_INVALID_STATE);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Where a promise cannot go: a closed or unknown stream, a pushed
 * stream, a client session; and what it cannot carry. */
static void test_push_submit_rules(void **state) {
  tpeer c, s;
  int32_t id;
  h2w_nv nv[8];
  size_t n;
  pair(&c, &s, state, 1, 0);
  n = tnv(nv, 8, PUSH_REQ);
  assert_int_equal(h2w_session_submit_push_promise(c.s, 1, nv, n, NULL),
                   H2W_E_INVALID_STATE);
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_int_equal(push(&s, 99, PUSH_REQ), H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_submit_push_promise(s.s, 1, NULL, 0, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_submit_push_promise(NULL, 1, nv, n, NULL),
                   H2W_E_INVALID_ARGUMENT);
  /* §8.4: only GET/HEAD, with :authority, without content. */
  assert_int_equal(push(&s, (uint32_t)id, POST_REQ), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(push(&s, (uint32_t)id,
                        H(":method", "GET", ":scheme", "https", ":path", "/")),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(push(&s, (uint32_t)id,
                        H(":method", "GET", ":scheme", "https", ":authority",
                          "example.org", ":path", "/", "content-length", "3")),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(push(&s, (uint32_t)id, PUSH_REQ), 2);
  /* No push on a pushed stream. */
  assert_int_equal(push(&s, 2, PUSH_REQ), H2W_E_INVALID_STATE);
  /* Once the response has ended our side, the stream is closed to it. */
  tpeer_respond(&s, 1, RESP_200, NULL);
  assert_int_equal(push(&s, (uint32_t)id, PUSH_REQ), H2W_E_INVALID_STATE);
  tpeer_respond(&s, 2, RESP_200, NULL);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&c, "close 2 NO_ERROR"));
  assert_int_equal(push(&s, (uint32_t)id, PUSH_REQ), H2W_E_INVALID_STATE);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* The client's MAX_CONCURRENT_STREAMS bounds pushes, reserved ones
 * included; a slot comes back when a pushed stream closes. */
static void test_push_concurrency_server_side(void **state) {
  tpeer c, s;
  int32_t id;
  pair(&c, &s, state, 1, 1);
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_int_equal(push(&s, (uint32_t)id, PUSH_REQ), 2);
  assert_int_equal(push(&s, (uint32_t)id, PUSH_REQ), H2W_E_LIMIT);
  tpeer_respond(&s, 2, RESP_200, NULL);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&s, "close 2 NO_ERROR"));
  assert_int_equal(push(&s, (uint32_t)id, PUSH_REQ), 4);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A pushed HEAD: the response carries no content even with a length. */
static void test_push_head(void **state) {
  tpeer c, s;
  int32_t id;
  pair(&c, &s, state, 1, 0);
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_int_equal(push(&s, (uint32_t)id,
                        H(":method", "HEAD", ":scheme", "https", ":authority",
                          "example.org", ":path", "/big")),
                   2);
  tpeer_respond(&s, 2, H(":status", "200", "content-length", "1000"), NULL);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&c, "headers 2 resp es=1"));
  assert_true(tpeer_log_has(&c, "close 2 NO_ERROR"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A promise and a response whose header blocks outgrow a frame: HEADERS
 * and PUSH_PROMISE continue in CONTINUATION frames (§6.10). */
static void test_push_large_blocks(void **state) {
  tpeer c, s;
  char *big = malloc(40001);
  int32_t id;
  size_t i;
  assert_non_null(big);
  for (i = 0; i < 40000; i++) {
    big[i] = (char)('a' + i % 26);
  }
  big[40000] = '\0';
  pair(&c, &s, state, 1, 0);
  s.mute |= TEV_FRAME_SEND;
  c.mute &= ~(unsigned)TEV_HEADER;
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_int_equal(push(&s, (uint32_t)id,
                        H(":method", "GET", ":scheme", "https", ":authority",
                          "example.org", ":path", "/p", "x-big", big)),
                   2);
  tpeer_respond(&s, 1, H(":status", "200", "x-big", big), NULL);
  tpeer_respond(&s, 2, RESP_200, NULL);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&c, "push 1 promised=2"));
  assert_true(tpeer_log_has(&c, "headers 1 resp es=1"));
  assert_true(tpeer_log_has(&c, "headers 2 resp es=1"));
  assert_true(tpeer_log_index(&c, "header 2 x-big abcdefghij*") >= 0);
  assert_true(tpeer_log_index(&c, "header 1 x-big abcdefghij*") >= 0);
  assert_int_equal(c.recv_err, 0);
  free(big);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* ---- the client against a hand-driven server ----------------------------- */

/* A PUSH_PROMISE frame on `id` promising `promised`, fields encoded by the
 * fake server's encoder. */
static void fb_push(tpeer *c, h2w_fb *b, uint32_t id, uint32_t promised,
                    const char *const *fields) {
  uint8_t blk[1024];
  size_t n = tpeer_block(c, blk, sizeof blk, fields);
  h2w_fb_begin(b, 0x5, 0x4, id);
  h2w_fb_u32(b, promised);
  h2w_fb_bytes(b, blk, n);
  h2w_fb_end(b);
}

static void client_with_request(tpeer *c, void **state, int push_on,
                                uint32_t max_streams) {
  h2w_options *opt = client_opts(push_on, max_streams);
  tpeer_start(c, 0, tmode(state), opt);
  h2w_options_del(opt);
  c->mute |= TEV_HEADER;
  tpeer_handshake(c);
  assert_int_equal(tpeer_request(c, GET_REQ, NULL), 1);
  tpeer_parse_out(c);
  tpeer_out_clear(c);
}

static void feed_push(tpeer *c, uint32_t id, uint32_t promised,
                      const char *const *fields, h2w_ssize want) {
  h2w_fb b;
  h2w_fb_init(&b);
  fb_push(c, &b, id, promised, fields);
  if (want == 0) {
    want = (h2w_ssize)b.len;
  }
  assert_int_equal(tpeer_feed_fb(c, &b), want);
  h2w_fb_free(&b);
}

/* Push acknowledged off: a PUSH_PROMISE is a connection error. */
static void test_push_promise_when_disabled(void **state) {
  tpeer c;
  client_with_request(&c, state, 0, 0);
  feed_push(&c, 1, 2, PUSH_REQ, H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  assert_false(tpeer_log_has(&c, "push*"));
  tpeer_free(&c);
}

/* Before the server acknowledged our ENABLE_PUSH 0 it may still push:
 * decline with CANCEL, and ignore what it sends on the stream meanwhile. */
static void test_push_promise_before_ack(void **state) {
  tpeer c;
  h2w_fb b;
  h2w_options *opt = client_opts(0, 0);
  tpeer_start(&c, 0, tmode(state), opt);
  h2w_options_del(opt);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, NULL, 0);
  assert_int_equal(tpeer_feed_fb(&c, &b), (h2w_ssize)b.len);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  tpeer_log_clear(&c);
  feed_push(&c, 1, 2, PUSH_REQ, 0);
  EXPECT_OUT(&c, "RST_STREAM 2 CANCEL");
  h2w_fb_clear(&b);
  tpeer_fb_headers(&c, &b, 2, 0x1, RESP_200);
  assert_int_equal(tpeer_feed_fb(&c, &b), (h2w_ssize)b.len);
  EXPECT_OUT_EMPTY(&c);
  assert_false(tpeer_log_has(&c, "headers 2*"));
  assert_false(tpeer_log_has(&c, "push*"));
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* §8.4: a promised request that is not GET/HEAD is a stream error on the
 * promised stream; the connection and the request carry on. */
static void test_push_promise_malformed(void **state) {
  tpeer c;
  client_with_request(&c, state, 1, 0);
  tpeer_log_clear(&c);
  feed_push(&c, 1, 2, POST_REQ, 0);
  EXPECT_OUT(&c, "RST_STREAM 2 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&c, "push*"));
  feed_push(&c, 1, 4, PUSH_REQ, 0);
  assert_true(tpeer_log_has(&c, "push 1 promised=4"));
  EXPECT_OUT_EMPTY(&c);
  tpeer_free(&c);
}

/* Promised ids must be new even ids; promises ride only on our requests;
 * servers never receive PUSH_PROMISE. */
static void test_push_promise_bad_ids(void **state) {
  tpeer c, s;
  h2w_fb b;
  client_with_request(&c, state, 1, 0);
  feed_push(&c, 1, 3, PUSH_REQ, H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  tpeer_free(&c);

  client_with_request(&c, state, 1, 0);
  feed_push(&c, 1, 4, PUSH_REQ, 0);
  feed_push(&c, 1, 2, PUSH_REQ, H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=4 PROTOCOL_ERROR*");
  tpeer_free(&c);

  client_with_request(&c, state, 1, 0);
  feed_push(&c, 1, 2, PUSH_REQ, 0);
  feed_push(&c, 2, 4, PUSH_REQ, H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=2 PROTOCOL_ERROR*");
  tpeer_free(&c);

  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  fb_push(&s, &b, 1, 2, PUSH_REQ);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=1 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The client's stream limit bounds promises: over it, REFUSED_STREAM. */
static void test_push_promise_over_limit(void **state) {
  tpeer c;
  client_with_request(&c, state, 1, 1);
  tpeer_log_clear(&c);
  feed_push(&c, 1, 2, PUSH_REQ, 0);
  feed_push(&c, 1, 4, PUSH_REQ, 0);
  EXPECT_OUT(&c, "RST_STREAM 4 REFUSED_STREAM");
  assert_true(tpeer_log_has(&c, "push 1 promised=2"));
  assert_false(tpeer_log_has(&c, "push 1 promised=4"));
  tpeer_free(&c);
}

/* A promise on a stream we reset is declined, not a connection error; on
 * a stream the server already ended, it is a connection error (§6.6). */
static void test_push_promise_on_closed_stream(void **state) {
  tpeer c;
  h2w_fb b;
  client_with_request(&c, state, 1, 0);
  assert_int_equal(h2w_session_submit_rst_stream(c.s, 1, H2W_CANCEL), H2W_OK);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  tpeer_log_clear(&c);
  feed_push(&c, 1, 2, PUSH_REQ, 0);
  EXPECT_OUT(&c, "RST_STREAM 2 CANCEL");
  assert_false(tpeer_log_has(&c, "push*"));
  tpeer_free(&c);

  /* A POST whose response ended first: half-closed (remote) for us. */
  {
    h2w_options *opt = client_opts(1, 0);
    h2w_nv nv[8];
    size_t n = tnv(nv, 8, POST_REQ);
    h2w_data_source ds;
    tsrc *src;
    tpeer_start(&c, 0, tmode(state), opt);
    h2w_options_del(opt);
    tpeer_handshake(&c);
    src = tpeer_source(&c, NULL, 10);
    src->defer_at = 5;
    ds = tsrc_ds(src);
    assert_int_equal(h2w_session_submit_request(c.s, nv, n, &ds, NULL), 1);
    tpeer_parse_out(&c);
    tpeer_out_clear(&c);
    h2w_fb_init(&b);
    tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
    assert_int_equal(tpeer_feed_fb(&c, &b), (h2w_ssize)b.len);
    h2w_fb_free(&b);
    tpeer_log_clear(&c);
    /* §6.6: neither open nor half-closed (local): a connection
     * PROTOCOL_ERROR (issue 14 G). */
    feed_push(&c, 1, 2, PUSH_REQ, H2W_E_PROTOCOL);
    EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
    assert_false(tpeer_log_has(&c, "push*"));
    tpeer_free(&c);
  }
}

/* After our GOAWAY, new promises are refused. */
static void test_push_promise_after_goaway(void **state) {
  tpeer c;
  client_with_request(&c, state, 1, 0);
  assert_int_equal(h2w_session_submit_goaway(c.s, H2W_NO_ERROR, NULL, 0),
                   H2W_OK);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  feed_push(&c, 1, 2, PUSH_REQ, 0);
  EXPECT_OUT(&c, "RST_STREAM 2 REFUSED_STREAM");
  tpeer_free(&c);
}

/* The client side of a body crossing our GOAWAY (RFC 9113 §6.8;
 * docs/security.md row 4): a server that had not seen it yet promises
 * pushes and sends their responses with bodies in 1-octet DATA frames.
 * The promises are refused (RST_STREAM REFUSED_STREAM), so what follows
 * on each pushed stream is DATA in flight after our reset, not charged
 * within the stream window; the response HEADERS costs a glitch token.
 * Ten pushes of 1000 one-octet frames each, no refill: no GOAWAY of
 * ours beyond the first, no error. */
static void test_push_bodies_crossing_our_goaway(void **state) {
  tpeer c;
  h2w_fb b;
  uint32_t promised, k;
  client_with_request(&c, state, 1, 0);
  assert_int_equal(h2w_session_submit_goaway(c.s, H2W_NO_ERROR, NULL, 0),
                   H2W_OK);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  h2w_fb_init(&b);
  for (promised = 2; promised <= 20; promised += 2) {
    fb_push(&c, &b, 1, promised, PUSH_REQ);
    tpeer_fb_headers(&c, &b, promised, 0, RESP_200);
    for (k = 0; k < 1000; k++) {
      h2w_fb_data(&b, promised, 0, "x");
    }
    h2w_fb_data(&b, promised, 0x1, "");
    assert_int_equal(tpeer_feed_fb(&c, &b), (h2w_ssize)b.len);
    h2w_fb_clear(&b);
    tpeer_parse_out(&c);
    assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  }
  assert_false(tpeer_out_has(&c, "GOAWAY*"));
  assert_false(tpeer_log_has(&c, "push*"));
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* The pushed stream in reserved (remote): DATA before its HEADERS is a
 * connection error (§5.1); a RST_STREAM from the server closes it. */
static void test_push_reserved_remote_rules(void **state) {
  tpeer c;
  h2w_fb b;
  client_with_request(&c, state, 1, 0);
  feed_push(&c, 1, 2, PUSH_REQ, 0);
  feed_push(&c, 1, 4, PUSH_REQ, 0);
  assert_int_equal(h2w_session_stream_state(c.s, 2),
                   H2W_STREAM_STATE_RESERVED_REMOTE);
  tpeer_log_clear(&c);
  h2w_fb_init(&b);
  h2w_fb_rst_stream(&b, 4, H2W_CANCEL);
  assert_int_equal(tpeer_feed_fb(&c, &b), (h2w_ssize)b.len);
  EXPECT_LOG(&c, "reset 4 CANCEL", "close 4 CANCEL*");
  h2w_fb_clear(&b);
  h2w_fb_data(&b, 2, 0x1, "x");
  assert_int_equal(tpeer_feed_fb(&c, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=4 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* The application may also decline later, with RST_STREAM CANCEL. */
static void test_push_cancel_later(void **state) {
  tpeer c;
  client_with_request(&c, state, 1, 0);
  feed_push(&c, 1, 2, PUSH_REQ, 0);
  tpeer_log_clear(&c);
  assert_int_equal(h2w_session_submit_rst_stream(c.s, 2, H2W_CANCEL), H2W_OK);
  EXPECT_OUT(&c, "RST_STREAM 2 CANCEL");
  tpeer_free(&c);
}

/* A server session, hand-driven, with GET on stream 1 (END_STREAM) read;
 * its output taken with send() or with peek/ack. */
static void server_with_get(tpeer *s, void **state, int use_peek) {
  h2w_fb b;
  tpeer_init(s, 1, tmode(state));
  s->use_peek = use_peek;
  assert_int_equal(tpeer_open(s, NULL), H2W_OK);
  tpeer_handshake(s);
  h2w_fb_init(&b);
  tpeer_fb_headers(s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(s, &b);
  h2w_fb_free(&b);
  tpeer_log_clear(s);
  s->keep_data_frames = 1;
}

/* A body whose one read pushes on its own stream, then ends the body
 * (with `flags` added: NO_END_STREAM for trailers). */
typedef struct push_src {
  tpeer *s;
  size_t len;     /* body octets */
  uint32_t flags; /* besides EOF */
  int32_t pushed; /* what the push returned */
} push_src;

static h2w_ssize push_read(h2w_session *ss, uint32_t id, uint8_t *buf,
                           size_t len, uint32_t *flags, void *user) {
  push_src *ps = user;
  (void)ss;
  ps->pushed = push(ps->s, id, PUSH_REQ);
  assert_true(len >= ps->len);
  memset(buf, 'b', ps->len);
  *flags = H2W_DATA_FLAG_EOF | ps->flags;
  return (h2w_ssize)ps->len;
}

static void respond_pushing(tpeer *s, push_src *ps, int trailers) {
  h2w_nv nv[2];
  size_t n = tnv(nv, 2, RESP_200);
  h2w_data_source ds = {push_read, NULL, ps};
  ps->s = s;
  ps->pushed = 0;
  assert_int_equal(h2w_session_submit_response(s->s, 1, nv, n, &ds), H2W_OK);
  if (trailers) {
    n = tnv(nv, 2, H("x-t", "1"));
    assert_int_equal(h2w_session_submit_trailers(s->s, 1, nv, n), H2W_OK);
  }
}

/* RFC 9113 §6.6: a PUSH_PROMISE rides only on a stream still open on our
 * side. A push submitted from inside the stream's own source, by a read
 * that then ends the body, went out behind that DATA frame's END_STREAM
 * (the session fuzzer's finding of the seventh session): END_STREAM now
 * leaves in an empty DATA frame behind the promise. Direct and queued
 * DATA frames, send() and peek/ack. */
static void test_push_from_own_source_before_end(void **state) {
  int peek;
  for (peek = 0; peek <= 1; peek++) {
    tpeer s;
    push_src ps = {NULL, 5, 0, 0};
    server_with_get(&s, state, peek);
    respond_pushing(&s, &ps, 0);
    EXPECT_OUT(&s, "HEADERS 1 eh :status=200", "DATA 1 5",
               "PUSH_PROMISE 1 promised=2 eh*", "DATA 1 0 es");
    assert_int_equal(ps.pushed, 2);
    assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_CLOSED);
    /* The promise is good: its response follows. */
    tpeer_respond(&s, 2, RESP_200, NULL);
    EXPECT_OUT(&s, "HEADERS 2 es eh :status=200");
    tpeer_free(&s);
  }
}

/* The same before trailers: the promise precedes the HEADERS that end the
 * stream, whether the body's last read carries octets or none at all
 * (then no DATA frame: an empty one would be a needless frame). */
static void test_push_from_own_source_before_trailers(void **state) {
  int peek;
  size_t len;
  for (peek = 0; peek <= 1; peek++) {
    for (len = 0; len <= 5; len += 5) {
      tpeer s;
      push_src ps = {NULL, 0, H2W_DATA_FLAG_NO_END_STREAM, 0};
      ps.len = len;
      server_with_get(&s, state, peek);
      respond_pushing(&s, &ps, 1);
      if (len > 0) {
        EXPECT_OUT(&s, "HEADERS 1 eh :status=200", "DATA 1 5",
                   "PUSH_PROMISE 1 promised=2 eh*", "HEADERS 1 es eh x-t=1");
      } else {
        EXPECT_OUT(&s, "HEADERS 1 eh :status=200",
                   "PUSH_PROMISE 1 promised=2 eh*", "HEADERS 1 es eh x-t=1");
      }
      assert_int_equal(ps.pushed, 2);
      tpeer_free(&s);
    }
  }
}

/* A push from on_frame_send of the DATA frame that ended our side is
 * refused (our side is over, §6.6), whether that frame was written to
 * the caller's buffer directly or queued: the stream's state follows the
 * frame before the callback runs. */
static int push_on_data_sent(tpeer *p, const tev *ev) {
  if (ev->type == TEV_FRAME_SEND &&
      strncmp(ev->line, "frame_send DATA 1 ", 18) == 0) {
    *(int32_t *)p->app = push(p, 1, PUSH_REQ);
  }
  return 0;
}

static void test_push_from_end_frame_send_refused(void **state) {
  int peek;
  for (peek = 0; peek <= 1; peek++) {
    tpeer s;
    int32_t pushed = 0;
    server_with_get(&s, state, peek);
    s.hook = push_on_data_sent;
    s.app = &pushed;
    tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 5));
    EXPECT_OUT(&s, "HEADERS 1 eh :status=200", "DATA 1 5 es");
    assert_int_equal(pushed, H2W_E_INVALID_STATE);
    EXPECT_OUT_EMPTY(&s);
    tpeer_free(&s);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_push_end_to_end),
      SPLIT_TESTS(test_push_refused_by_client),
      SPLIT_TESTS(test_push_disabled_by_client),
      SPLIT_TESTS(test_push_submit_rules),
      SPLIT_TESTS(test_push_concurrency_server_side),
      SPLIT_TESTS(test_push_head),
      SPLIT_TESTS(test_push_large_blocks),
      SPLIT_TESTS(test_push_promise_when_disabled),
      SPLIT_TESTS(test_push_promise_before_ack),
      SPLIT_TESTS(test_push_promise_malformed),
      SPLIT_TESTS(test_push_promise_bad_ids),
      SPLIT_TESTS(test_push_promise_over_limit),
      SPLIT_TESTS(test_push_promise_on_closed_stream),
      SPLIT_TESTS(test_push_promise_after_goaway),
      SPLIT_TESTS(test_push_bodies_crossing_our_goaway),
      SPLIT_TESTS(test_push_reserved_remote_rules),
      SPLIT_TESTS(test_push_cancel_later),
      SPLIT_TESTS(test_push_from_own_source_before_end),
      SPLIT_TESTS(test_push_from_own_source_before_trailers),
      SPLIT_TESTS(test_push_from_end_frame_send_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
