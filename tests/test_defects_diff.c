/* Findings of the differential harnesses fuzz_diff_server and
 * fuzz_diff_client (h2wire against libnghttp2, fuzz/README.md); each test
 * is the reproducer's pattern reduced by hand. Every test feeds a
 * hand-driven peer's bytes whole, in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

#define PUSH_REQ                                                               \
  H(":method", "GET", ":scheme", "https", ":authority", "example.org",         \
    ":path", "/pushed.css")

static void assert_no_error(tpeer *p) {
  assert_int_equal(h2w_session_error(p->s, NULL, NULL, NULL), H2W_OK);
  assert_false(tpeer_out_has(p, "GOAWAY*"));
}

static void settings1(tpeer *p, uint16_t id, uint32_t value) {
  h2w_settings_entry iv;
  h2w_fb b;
  iv.id = id;
  iv.reserved = 0;
  iv.value = value;
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, &iv, 1);
  tpeer_feed_ok(p, &b);
  h2w_fb_free(&b);
}

/* A hand-driven client session (we play the server) told
 * SETTINGS_MAX_CONCURRENT_STREAMS `limit` (0: none). */
static void client(tpeer *c, void **state, uint32_t limit) {
  tpeer_start(c, 0, tmode(state), NULL);
  c->mute |= TEV_HEADER;
  tpeer_handshake(c);
  if (limit != 0) {
    settings1(c, H2W_SETTINGS_MAX_CONCURRENT_STREAMS, limit);
  }
  tpeer_parse_out(c);
  tpeer_out_clear(c);
  tpeer_log_clear(c);
}

/* A hand-driven server session (we play the client). */
static void server(tpeer *s, void **state, const h2w_options *opt) {
  tpeer_start(s, 1, tmode(state), opt);
  s->mute |= TEV_HEADER;
  tpeer_handshake(s);
  tpeer_parse_out(s);
  tpeer_out_clear(s);
}

/* finding_streams_opened_past_applied_max_concurrent: three requests are
 * submitted while the server allows any number, then its SETTINGS
 * MAX_CONCURRENT_STREAMS 1 arrives before our output is written. §5.1.2
 * "Endpoints MUST NOT exceed the limit set by their peer": only stream 1
 * may leave; 3 and 5 follow as slots free up. Before the fix the slot was
 * taken at submit time and all three HEADERS left. */
static void test_diff_max_concurrent_applied_before_write(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, 0);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 5);
  settings1(&c, H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 1);
  EXPECT_OUT(&c, "SETTINGS ack", "HEADERS 1 es*");
  h2w_fb_init(&b);
  tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "HEADERS 3 es*");
  tpeer_fb_headers(&c, &b, 3, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "HEADERS 5 es*");
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* finding_trailers_refused_for_queued_request: a request waiting for a
 * stream slot, whose body ends with NO_END_STREAM, takes trailers; they
 * follow its body once it starts. Before the fix submit_trailers returned
 * H2W_E_INVALID_STATE and the request could never end. */
static void test_diff_trailers_for_queued_request(void **state) {
  tpeer c;
  h2w_fb b;
  tsrc *src;
  h2w_nv tr[1];
  client(&c, state, 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  src = tpeer_source(&c, NULL, 10);
  src->trailers = 1;
  assert_int_equal(tpeer_request(&c, POST_REQ, src), 3);
  assert_int_equal(tnv(tr, 1, H("x-trailer", "1")), 1);
  assert_int_equal(h2w_session_submit_trailers(c.s, 3, tr, 1), H2W_OK);
  /* one set of trailers per request */
  assert_int_equal(h2w_session_submit_trailers(c.s, 3, tr, 1),
                   H2W_E_INVALID_STATE);
  EXPECT_OUT(&c, "HEADERS 1 es*");
  h2w_fb_init(&b);
  tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "HEADERS 3 eh*", "DATA 3 10", "HEADERS 3 es eh*");
  assert_int_equal(h2w_session_stream_state(c.s, 3),
                   H2W_STREAM_STATE_HALF_CLOSED_LOCAL);
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* finding_window_update_on_reserved_local_stream: §5.1, a stream we
 * reserved with PUSH_PROMISE may carry only HEADERS, RST_STREAM and
 * PRIORITY from us. Before the fix the WINDOW_UPDATE was sent (nghttp2
 * answers it with a connection PROTOCOL_ERROR). */
static void test_diff_window_update_on_reserved_local(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_nv pr[8];
  size_t n = tnv(pr, 8, PUSH_REQ);
  int32_t promised;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  promised = h2w_session_submit_push_promise(s.s, 1, pr, n, NULL);
  assert_int_equal(promised, 2);
  assert_int_equal(h2w_session_submit_window_update(s.s, 2, 100),
                   H2W_E_INVALID_STATE);
  EXPECT_OUT(&s, "PUSH_PROMISE 1*");
  /* Once answered it is half-closed (remote): the window may grow. */
  tpeer_respond(&s, 2, RESP_200, NULL);
  assert_int_equal(h2w_session_submit_window_update(s.s, 1, 100), H2W_OK);
  EXPECT_OUT(&s, "HEADERS 2 es eh*", "WINDOW_UPDATE 1 100");
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* finding_recv_window_stall_small_initial_window (and _after_iws_change,
 * its 2^31-1 to 65535 form): our SETTINGS lowers INITIAL_WINDOW_SIZE
 * from 65535 to 1024 while the client, which has not seen it, sends a
 * 16384-octet DATA frame that the application consumes at once. When the
 * ACK arrives both sides move the stream window by -64511 (§6.9.2): the
 * client's is now -15360, and only a WINDOW_UPDATE can reopen it. Before
 * the fix the 16384 consumed octets were due but the stream was never
 * marked for an update (the rebase, not a consume, made them due): the
 * upload stalled for ever. */
static void test_diff_recv_window_shrunk_after_consume(void **state) {
  static const h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                        1024};
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  assert_int_equal(h2w_session_submit_settings(s.s, &iv, 1), H2W_OK);
  EXPECT_OUT(&s, "SETTINGS 4:1024");
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x4, POST_REQ);
  h2w_fb_begin(&b, 0x0, 0x0, 1);
  h2w_fb_zeros(&b, 16384);
  h2w_fb_end(&b);
  tpeer_feed_ok(&s, &b);
  tpeer_parse_out(&s);
  assert_false(tpeer_out_has(&s, "WINDOW_UPDATE*"));
  tpeer_out_clear(&s);
  h2w_fb_settings(&b, 0x1, NULL, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "WINDOW_UPDATE 1 16384");
  /* The client may send again: 1024 octets, the new window. */
  h2w_fb_begin(&b, 0x0, 0x0, 1);
  h2w_fb_zeros(&b, 1024);
  h2w_fb_end(&b);
  tpeer_feed_ok(&s, &b);
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_diff_max_concurrent_applied_before_write),
      SPLIT_TESTS(test_diff_trailers_for_queued_request),
      SPLIT_TESTS(test_diff_window_update_on_reserved_local),
      SPLIT_TESTS(test_diff_recv_window_shrunk_after_consume),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
