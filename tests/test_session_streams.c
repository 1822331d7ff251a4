/* Header blocks across frames (RFC 9113 §6.10 CONTINUATION), stream ids
 * (§5.1.1) and concurrency (§5.1.2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"
#include "session_int.h"

enum { HEADERS = 1, CONT = 9 };

static void server(tpeer *s, void **state, const h2w_options *opt) {
  tpeer_start(s, 1, tmode(state), opt);
  tpeer_handshake(s);
}

static void feed_err(tpeer *p, h2w_fb *b, int err) {
  assert_int_equal(tpeer_feed_fb(p, b), err);
  h2w_fb_clear(b);
}

/* A request block cut into `pieces` fragments: HEADERS then
 * CONTINUATIONs, END_HEADERS on the last. */
static void fb_fragmented(tpeer *s, h2w_fb *b, uint32_t id, size_t pieces) {
  uint8_t blk[512];
  size_t n = tpeer_block(s, blk, sizeof blk, GET_REQ), off = 0, i;
  for (i = 0; i < pieces; i++) {
    size_t k = i + 1 == pieces ? n - off : n / pieces;
    uint32_t flags = i + 1 == pieces ? 0x4u : 0u;
    h2w_fb_hd(b, (uint32_t)k, i == 0 ? HEADERS : CONT,
              flags | (i == 0 ? 0x1u : 0u), id);
    h2w_fb_bytes(b, blk + off, k);
    off += k;
  }
}

/* §6.10: a block in HEADERS + CONTINUATIONs is one block. */
static void test_continuation_ok(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  fb_fragmented(&s, &b, 1, 4);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "begin_headers 1 req", "header 1 :method GET",
             "header 1 :scheme https", "header 1 :authority example.org",
             "header 1 :path /", "headers 1 req es=1", "end 1");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* 8 CONTINUATIONs (the default cap, docs/security.md row 11) still pass. */
static void test_continuation_at_cap(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  fb_fragmented(&s, &b, 1, 9);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=1", "end 1");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* One CONTINUATION more than the cap: a connection error before the
 * block is delivered. */
static void test_too_many_continuations(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  fb_fragmented(&s, &b, 1, 10);
  feed_err(&s, &b, H2W_E_FLOODED);
  EXPECT_OUT(&s, "GOAWAY last=* ENHANCE_YOUR_CALM*");
  EXPECT_LOG(&s, "error 0 ENHANCE_YOUR_CALM", "close 1 ENHANCE_YOUR_CALM conn");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.10: any frame between HEADERS and its last CONTINUATION, even on
 * another stream or of unknown type, is a PROTOCOL_ERROR. */
static void interleaved(void **state, int which) {
  tpeer s;
  h2w_fb b;
  uint8_t blk[256];
  size_t n;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  n = tpeer_block(&s, blk, sizeof blk, GET_REQ);
  h2w_fb_hd(&b, 5, HEADERS, 0x1, 1);
  h2w_fb_bytes(&b, blk, 5);
  if (which == 0) {
    h2w_fb_ping(&b, 0, 42);
  } else if (which == 1) {
    h2w_fb_hd(&b, (uint32_t)(n - 5), CONT, 0x4, 3);
    h2w_fb_bytes(&b, blk + 5, n - 5);
  } else {
    h2w_fb_hd(&b, 0, 0xfa, 0, 0);
  }
  feed_err(&s, &b, H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=* PROTOCOL_ERROR*");
  assert_false(tpeer_log_has(&s, "headers 1*"));
  assert_false(tpeer_log_has(&s, "end 1"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_interleaved_ping(void **state) {
  interleaved(state, 0);
}
static void test_interleaved_other_stream(void **state) {
  interleaved(state, 1);
}
static void test_interleaved_unknown_type(void **state) {
  interleaved(state, 2);
}

/* §6.10: CONTINUATION must follow a HEADERS without END_HEADERS. */
static void test_continuation_after_end_headers(void **state) {
  tpeer s;
  h2w_fb b;
  uint8_t blk[64];
  size_t n;
  server(&s, state, NULL);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  n = tpeer_block(&s, blk, sizeof blk, H("x-a", "b"));
  h2w_fb_hd(&b, (uint32_t)n, CONT, 0x4, 1);
  h2w_fb_bytes(&b, blk, n);
  feed_err(&s, &b, H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=1 PROTOCOL_ERROR*");
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0",
             "error 0 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR conn");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §5.1.1: the client's ids are odd and increase by 2, in submit order. */
static void test_client_ids_increase(void **state) {
  tpeer c;
  int32_t a, b, d;
  (void)state;
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  a = tpeer_request(&c, GET_REQ, NULL);
  b = tpeer_request(&c, GET_REQ, NULL);
  d = tpeer_request(&c, GET_REQ, NULL);
  assert_int_equal(a, 1);
  assert_int_equal(b, 3);
  assert_int_equal(d, 5);
  EXPECT_OUT(&c, "PREFACE", "SETTINGS*", "HEADERS 1 es eh*", "HEADERS 3 es eh*",
             "HEADERS 5 es eh*");
  tpeer_free(&c);
}

/* §5.1.1: stream ids never wrap; past 2^31-1 submit_request reports
 * H2W_E_STREAM_ID_EXHAUSTED. The public API cannot get there short of
 * 2^30 requests, so this test moves the session's next id directly
 * (white box: src/session_int.h). */
static void test_stream_id_exhaustion(void **state) {
  tpeer c;
  h2w_nv nv[8];
  (void)state;
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  c.s->ids.next_local_id = 0x7ffffffdu;
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 0x7ffffffd);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 0x7fffffff);
  assert_int_equal(
      h2w_session_submit_request(c.s, nv, tnv(nv, 8, GET_REQ), NULL, NULL),
      H2W_E_STREAM_ID_EXHAUSTED);
  /* Still usable: the two streams go out. */
  EXPECT_OUT(&c, "PREFACE", "SETTINGS*", "HEADERS 2147483645 es eh*",
             "HEADERS 2147483647 es eh*");
  tpeer_free(&c);
}

/* The largest id is a valid request id for a server. */
static void test_server_accepts_last_stream_id(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 0x7fffffffu, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "begin_headers 2147483647 req", "headers 2147483647 req es=1",
             "end 2147483647");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A server has no submit_request; a client no submit_response. */
static void test_role_checks(void **state) {
  tpeer c, s;
  h2w_nv nv[8];
  size_t n = tnv(nv, 8, GET_REQ);
  (void)state;
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  assert_int_equal(h2w_session_submit_request(s.s, nv, n, NULL, NULL),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_submit_response(c.s, 1, nv, 1, NULL),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_submit_response(s.s, 1, nv, 1, NULL),
                   H2W_E_INVALID_STATE);
  assert_true(h2w_session_is_server(s.s));
  assert_false(h2w_session_is_server(c.s));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* §5.1.2: streams beyond our acknowledged MAX_CONCURRENT_STREAMS are
 * refused with REFUSED_STREAM; the application never hears of them, and
 * a slot freed by a close admits the next stream. */
static void refused_beyond(void **state, uint32_t limit) {
  tpeer s;
  h2w_fb b;
  uint32_t i, over = 2 * limit + 1;
  char rst[64], err[64], ok[64];
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_concurrent_streams(opt, limit), H2W_OK);
  server(&s, state, limit == 100 ? NULL : opt);
  h2w_options_del(opt);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  for (i = 0; i < limit; i++) {
    tpeer_fb_headers(&s, &b, 2 * i + 1, 0, POST_REQ);
  }
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_open_streams(s.s), limit);
  EXPECT_OUT_EMPTY(&s);
  tpeer_log_clear(&s);
  tpeer_fb_headers(&s, &b, over, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  snprintf(rst, sizeof rst, "RST_STREAM %u REFUSED_STREAM", over);
  snprintf(err, sizeof err, "error %u REFUSED_STREAM", over);
  EXPECT_OUT(&s, rst);
  EXPECT_LOG(&s, err);
  assert_int_equal(h2w_session_open_streams(s.s), limit);
  /* The peer cancels stream 1: its slot admits the next new stream. */
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  tpeer_fb_headers(&s, &b, over + 2, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  snprintf(ok, sizeof ok, "headers %u req es=0", over + 2);
  EXPECT_LOG(&s, "reset 1 CANCEL", "close 1 CANCEL reset", ok);
  EXPECT_OUT_EMPTY(&s);
  assert_int_equal(h2w_session_open_streams(s.s), limit);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_refused_stream_small_limit(void **state) {
  refused_beyond(state, 3);
}
static void test_refused_stream_default_limit(void **state) {
  refused_beyond(state, 100);
}

static int respond_on_end(tpeer *p, const tev *ev) {
  if (ev->type == TEV_END) {
    /* Never more than the announced limit at once. */
    assert_true(h2w_session_open_streams(p->s) <= 2);
    tpeer_respond(p, ev->stream_id, RESP_200, NULL);
  }
  return 0;
}

/* A client keeps requests beyond the peer's MAX_CONCURRENT_STREAMS in a
 * queue (h2wire.h submit_request) and starts them, in submit order, as
 * streams close; none is refused. */
static void test_client_queue_beyond_peer_limit(void **state) {
  tpeer c, s;
  h2w_options *opt = NULL;
  int32_t id[5];
  int i, last = -1;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_concurrent_streams(opt, 2), H2W_OK);
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), opt);
  h2w_options_del(opt);
  s.hook = respond_on_end;
  tpump(&c, &s);
  tpeer_log_clear(&c);
  tpeer_log_clear(&s);
  for (i = 0; i < 5; i++) {
    id[i] = tpeer_request(&c, GET_REQ, NULL);
    assert_int_equal(id[i], 2 * i + 1);
  }
  tpump(&c, &s);
  for (i = 0; i < 5; i++) {
    char begin[64], close[64];
    int at;
    snprintf(begin, sizeof begin, "begin_headers %d req", id[i]);
    snprintf(close, sizeof close, "close %d NO_ERROR", id[i]);
    at = tpeer_log_index(&s, begin);
    assert_true(at > last);
    last = at;
    assert_true(tpeer_log_has(&c, close));
  }
  assert_false(tpeer_log_has(&s, "error*"));
  assert_false(tpeer_log_has(&c, "*REFUSED_STREAM*"));
  assert_int_equal(h2w_session_open_streams(c.s), 0);
  assert_int_equal(h2w_session_open_streams(s.s), 0);
  tpeer_free(&c);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_continuation_ok),
      SPLIT_TESTS(test_continuation_at_cap),
      SPLIT_TESTS(test_too_many_continuations),
      SPLIT_TESTS(test_interleaved_ping),
      SPLIT_TESTS(test_interleaved_other_stream),
      SPLIT_TESTS(test_interleaved_unknown_type),
      SPLIT_TESTS(test_continuation_after_end_headers),
      cmocka_unit_test(test_client_ids_increase),
      cmocka_unit_test(test_role_checks),
      cmocka_unit_test(test_stream_id_exhaustion),
      SPLIT_TESTS(test_server_accepts_last_stream_id),
      SPLIT_TESTS(test_refused_stream_small_limit),
      SPLIT_TESTS(test_refused_stream_default_limit),
      SPLIT_TESTS(test_client_queue_beyond_peer_limit),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
