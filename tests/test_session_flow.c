/* Flow control (RFC 9113 §5.2, §6.9) seen from a session: receive windows
 * consumed by DATA and credited only when the WINDOW_UPDATE is emitted,
 * manual consumption, send windows that go negative and recover, and the
 * error cases. Each receive test in the three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

enum { DATA = 0, WU = 8 };

static void server(tpeer *s, void **state, const h2w_options *opt) {
  tpeer_start(s, 1, tmode(state), opt);
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpeer_handshake(s);
}

static h2w_options *options(int manual, uint32_t iws) {
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_manual_flow_control(opt, manual), H2W_OK);
  if (iws != 0) {
    assert_int_equal(h2w_options_set_initial_window_size(opt, iws), H2W_OK);
  }
  return opt;
}

/* DATA frames of n zero octets in total, at most 16384 per frame. */
static void fb_zeros(h2w_fb *b, uint32_t id, size_t n, int es) {
  do {
    size_t k = n < 16384 ? n : 16384;
    h2w_fb_begin(b, DATA, es && k == n ? 0x1u : 0u, id);
    h2w_fb_zeros(b, k);
    h2w_fb_end(b);
    n -= k;
  } while (n > 0);
}

static void windows(const tpeer *p, uint32_t id, int32_t recv, int32_t send) {
  int32_t r = 0, s = 0;
  assert_int_equal(h2w_session_window(p->s, id, &r, &s), H2W_OK);
  assert_int_equal(r, recv);
  assert_int_equal(s, send);
}

/* Received DATA lowers both receive windows; the credit comes back only
 * when the WINDOW_UPDATEs leave the session (docs/security.md general rules).
 */
static void test_windows_consumed_and_credited(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  fb_zeros(&b, 1, 100, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 100");
  /* Below half the window: no update is worth a frame yet. */
  EXPECT_OUT_EMPTY(&s);
  windows(&s, 0, 65435, 65535);
  windows(&s, 1, 65435, 65535);
  fb_zeros(&b, 1, 40000, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "data 1 40000");
  windows(&s, 0, 25435, 65535);
  windows(&s, 1, 25435, 65535);
  assert_true(h2w_session_want_write(s.s));
  EXPECT_OUT(&s, "WINDOW_UPDATE 0 40100", "WINDOW_UPDATE 1 40100");
  windows(&s, 0, 65535, 65535);
  windows(&s, 1, 65535, 65535);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The connection is credited for a stream that ended. */
static void test_no_stream_update_after_end(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  fb_zeros(&b, 1, 50000, 1);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 50000", "end 1");
  assert_true(tpeer_out_has(&s, "WINDOW_UPDATE 0 50000"));
  windows(&s, 0, 65535, 65535);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Manual mode: nothing is credited until h2w_session_consume(). */
static void test_manual_consume(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = options(1, 0);
  server(&s, state, opt);
  h2w_options_del(opt);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  fb_zeros(&b, 1, 40000, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  windows(&s, 1, 25535, 65535);
  assert_int_equal(h2w_session_consume(s.s, 1, 40001), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_consume(s.s, 1, 20000), H2W_OK);
  EXPECT_OUT_EMPTY(&s);
  assert_int_equal(h2w_session_consume(s.s, 1, 20000), H2W_OK);
  windows(&s, 1, 25535, 65535);
  EXPECT_OUT(&s, "WINDOW_UPDATE 0 40000", "WINDOW_UPDATE 1 40000");
  windows(&s, 0, 65535, 65535);
  windows(&s, 1, 65535, 65535);
  assert_int_equal(h2w_session_consume(s.s, 1, 1), H2W_E_INVALID_ARGUMENT);
  /* Nothing was delivered on a stream never opened. */
  assert_int_equal(h2w_session_consume(s.s, 9, 1), H2W_E_INVALID_ARGUMENT);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* consume() is for manual mode only. */
static void test_consume_in_automatic_mode(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  fb_zeros(&b, 1, 10, 0);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_consume(s.s, 1, 10), H2W_E_INVALID_STATE);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Manual mode, stream closed before the application consumed: consume()
 * then credits the connection only (h2wire.h). */
static void test_manual_consume_after_close(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = options(1, 0);
  server(&s, state, opt);
  h2w_options_del(opt);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  fb_zeros(&b, 1, 40000, 0);
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 40000", "reset 1 CANCEL",
             "close 1 CANCEL reset");
  windows(&s, 0, 25535, 65535);
  assert_int_equal(h2w_session_consume(s.s, 1, 40000), H2W_OK);
  EXPECT_OUT(&s, "WINDOW_UPDATE 0 40000");
  windows(&s, 0, 65535, 65535);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.9.1: the whole DATA payload, padding included, is flow-controlled;
 * only the data reaches the application. */
static void test_padding_counted(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_begin(&b, DATA, 0x8, 1);
  h2w_fb_u8(&b, 10);
  h2w_fb_str(&b, "hello");
  h2w_fb_zeros(&b, 10);
  h2w_fb_end(&b);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 5");
  windows(&s, 0, 65535 - 16, 65535);
  windows(&s, 1, 65535 - 16, 65535);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.1: padding as long as the payload is a PROTOCOL_ERROR. */
static void test_padding_too_long(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_begin(&b, DATA, 0x8, 1);
  h2w_fb_u8(&b, 5);
  h2w_fb_str(&b, "abcd");
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=1 PROTOCOL_ERROR*");
  assert_false(tpeer_log_has(&s, "data*"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* DATA past the stream window (the connection has room): the stream is
 * reset with FLOW_CONTROL_ERROR, the connection lives on and counts the
 * octets. */
static void test_data_beyond_stream_window(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = options(0, 1000);
  server(&s, state, opt);
  h2w_options_del(opt);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  fb_zeros(&b, 1, 1000, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 1000");
  fb_zeros(&b, 1, 1, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 FLOW_CONTROL_ERROR");
  EXPECT_LOG(&s, "error 1 FLOW_CONTROL_ERROR",
             "close 1 FLOW_CONTROL_ERROR reset");
  windows(&s, 0, 65535 - 1001, 65535);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* DATA past the connection window: a connection error. */
static void test_data_beyond_connection_window(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = options(1, 1000000);
  server(&s, state, opt);
  h2w_options_del(opt);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  fb_zeros(&b, 1, 65535, 0);
  tpeer_feed_ok(&s, &b);
  fb_zeros(&b, 1, 1, 0);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_FLOW_CONTROL);
  EXPECT_OUT(&s, "GOAWAY last=1 FLOW_CONTROL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.9: WINDOW_UPDATE with increment 0: a stream error on a stream, a
 * connection error on stream 0. */
static void test_window_update_zero(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_window_update(&b, 1, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  EXPECT_LOG(&s, "headers 1 req es=0", "error 1 PROTOCOL_ERROR",
             "close 1 PROTOCOL_ERROR reset");
  h2w_fb_window_update(&b, 0, 0);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=1 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.9.1: a window past 2^31-1: stream error on a stream, connection
 * error on the connection. */
static void test_window_overflow(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_window_update(&b, 1, 0x7fffffffu - 65535u);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  windows(&s, 1, 65535, 0x7fffffff);
  h2w_fb_window_update(&b, 1, 1);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 FLOW_CONTROL_ERROR");
  tpeer_log_clear(&s);
  h2w_fb_window_update(&b, 0, 0x7fffffffu - 65535u);
  tpeer_feed_ok(&s, &b);
  windows(&s, 0, 65535, 0x7fffffff);
  h2w_fb_window_update(&b, 0, 1);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_FLOW_CONTROL);
  EXPECT_OUT(&s, "GOAWAY last=1 FLOW_CONTROL_ERROR*");
  EXPECT_LOG(&s, "error 0 FLOW_CONTROL_ERROR");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.9.2: a SETTINGS_INITIAL_WINDOW_SIZE change that pushes an open
 * stream's window past 2^31-1 is a connection FLOW_CONTROL_ERROR. */
static void test_initial_window_overflow(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 0x7fffffffu};
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_window_update(&b, 1, 10);
  h2w_fb_settings(&b, 0, &iv, 1);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_FLOW_CONTROL);
  EXPECT_OUT(&s, "GOAWAY last=1 FLOW_CONTROL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.9.2: INITIAL_WINDOW_SIZE lowered mid-transfer makes the stream's send
 * window negative; sending stops until WINDOW_UPDATEs lift it above 0. */
static void test_initial_window_change_mid_transfer(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000};
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 100000));
  EXPECT_OUT(&s, "HEADERS 1 eh :status=200", "DATA 1 65535");
  windows(&s, 1, 65535, 0);
  h2w_fb_settings(&b, 0, &iv, 1);
  h2w_fb_window_update(&b, 0, 100000);
  tpeer_feed_ok(&s, &b);
  windows(&s, 1, 65535, 1000 - 65535);
  EXPECT_OUT(&s, "SETTINGS ack");
  h2w_fb_window_update(&b, 1, 64535);
  tpeer_feed_ok(&s, &b);
  windows(&s, 1, 65535, 0);
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_window_update(&b, 1, 500);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "DATA 1 500");
  windows(&s, 1, 65535, 0);
  /* Raising the setting again credits the difference (§6.9.2): 39000
   * octets allowed, the 33965 left of the body are sent. */
  iv.value = 40000;
  h2w_fb_settings(&b, 0, &iv, 1);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "SETTINGS ack", "DATA 1 33965 es");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Through the pump: a peer with a tiny stream window and a large body,
 * every WINDOW_UPDATE round trip moving the transfer on. */
static void test_small_window_transfer(void **state) {
  tpeer c, s;
  h2w_options *opt = options(0, 16384);
  size_t len;
  const uint8_t *body;
  tpeer_start(&c, 0, tmode(state), opt);
  tpeer_start(&s, 1, tmode(state), NULL);
  h2w_options_del(opt);
  c.mute |= TEV_HEADER;
  tpump(&c, &s);
  tpeer_request(&c, POST_REQ, tpeer_source(&c, NULL, 300000));
  tpump(&c, &s);
  body = tpeer_body(&s, 1, &len);
  assert_int_equal(len, 300000);
  assert_true(tpattern_check(body, len));
  assert_true(tpeer_log_has(&s, "end 1"));
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 200000));
  tpump(&c, &s);
  body = tpeer_body(&c, 1, &len);
  assert_int_equal(len, 200000);
  assert_true(tpattern_check(body, len));
  assert_true(tpeer_log_has(&c, "close 1 NO_ERROR"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A larger connection window is offered right after the preface. */
static void test_connection_window_option(void **state) {
  tpeer s;
  h2w_options *opt = NULL;
  h2w_fb b;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_connection_window_size(opt, 1000000),
                   H2W_OK);
  assert_int_equal(h2w_options_set_connection_window_size(opt, 100),
                   H2W_E_INVALID_ARGUMENT);
  tpeer_start(&s, 1, tmode(state), opt);
  h2w_options_del(opt);
  EXPECT_OUT(&s, "SETTINGS*", "WINDOW_UPDATE 0 934465");
  windows(&s, 0, 1000000, 65535);
  h2w_fb_init(&b);
  tfb_client_preface(&b, NULL, 0);
  h2w_fb_settings(&b, 1, NULL, 0);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  fb_zeros(&b, 1, 65535, 0);
  tpeer_fb_headers(&s, &b, 3, 0, POST_REQ);
  fb_zeros(&b, 3, 65535, 0);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* submit_window_update grows a window at once (and tells the peer). */
static void test_submit_window_update(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_window_update(s.s, 1, 1000), H2W_OK);
  assert_int_equal(h2w_session_submit_window_update(s.s, 0, 2000), H2W_OK);
  assert_int_equal(h2w_session_submit_window_update(s.s, 1, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_submit_window_update(s.s, 1, 0x7fffffffu),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_submit_window_update(s.s, 5, 10),
                   H2W_E_INVALID_STATE);
  EXPECT_OUT(&s, "WINDOW_UPDATE 1 1000", "WINDOW_UPDATE 0 2000");
  windows(&s, 1, 66535, 65535);
  windows(&s, 0, 67535, 65535);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_windows_consumed_and_credited),
      SPLIT_TESTS(test_no_stream_update_after_end),
      SPLIT_TESTS(test_manual_consume),
      SPLIT_TESTS(test_consume_in_automatic_mode),
      SPLIT_TESTS(test_manual_consume_after_close),
      SPLIT_TESTS(test_padding_counted),
      SPLIT_TESTS(test_padding_too_long),
      SPLIT_TESTS(test_data_beyond_stream_window),
      SPLIT_TESTS(test_data_beyond_connection_window),
      SPLIT_TESTS(test_window_update_zero),
      SPLIT_TESTS(test_window_overflow),
      SPLIT_TESTS(test_initial_window_overflow),
      SPLIT_TESTS(test_initial_window_change_mid_transfer),
      SPLIT_TESTS(test_small_window_transfer),
      SPLIT_TESTS(test_connection_window_option),
      SPLIT_TESTS(test_submit_window_update),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
