/* RFC 9113 §5.1 stream states x received frames, against a hand-driven
 * client (server session) or server (client session), each test in the
 * three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

enum { DATA = 0, HEADERS = 1, PRIORITY = 2, RST = 3, WU = 8, CONT = 9 };

static void server(tpeer *s, void **state) {
  tpeer_start(s, 1, tmode(state), NULL);
  s->mute |= TEV_HEADER;
  tpeer_handshake(s);
}

static h2w_ssize feed(tpeer *p, h2w_fb *b) {
  h2w_ssize rv = tpeer_feed_fb(p, b);
  h2w_fb_clear(b);
  return rv;
}

static void fb_priority(h2w_fb *b, uint32_t id, uint32_t dep) {
  h2w_fb_hd(b, 5, PRIORITY, 0, id);
  h2w_fb_u32(b, dep);
  h2w_fb_u8(b, 15);
}

/* §5.1 idle: "Receiving any frame other than HEADERS or PRIORITY on a
 * stream in this state MUST be treated as a connection error of type
 * PROTOCOL_ERROR." */
static void frame_on_idle(void **state, int type) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  switch (type) {
  case DATA:
    h2w_fb_data(&b, 1, 0, "hello");
    break;
  case WU:
    h2w_fb_window_update(&b, 1, 100);
    break;
  case RST:
    h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
    break;
  default:
    h2w_fb_hd(&b, 0, CONT, 0x4, 1);
    break;
  }
  assert_int_equal(feed(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR");
  assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_IDLE);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_data_on_idle(void **state) {
  frame_on_idle(state, DATA);
}
static void test_window_update_on_idle(void **state) {
  frame_on_idle(state, WU);
}
static void test_rst_on_idle(void **state) {
  frame_on_idle(state, RST);
}
static void test_continuation_on_idle(void **state) {
  frame_on_idle(state, CONT);
}

/* A client has no idle server-initiated stream the server may open with
 * HEADERS (no PUSH_PROMISE reserved it): PROTOCOL_ERROR. */
static void test_headers_on_idle_even_stream_client(void **state) {
  tpeer c;
  h2w_fb b;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_handshake(&c);
  h2w_fb_init(&b);
  tpeer_fb_headers(&c, &b, 2, 0x1, RESP_200);
  assert_int_equal(feed(&c, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* §5.1 half-closed (remote): frames other than WINDOW_UPDATE, PRIORITY
 * and RST_STREAM are a stream error STREAM_CLOSED. */
static void test_data_on_half_closed_remote(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=1", "end 1");
  assert_int_equal(h2w_session_stream_state(s.s, 1),
                   H2W_STREAM_STATE_HALF_CLOSED_REMOTE);
  /* Allowed: WINDOW_UPDATE and PRIORITY change nothing. */
  h2w_fb_window_update(&b, 1, 10);
  fb_priority(&b, 1, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  EXPECT_LOG_EMPTY(&s);
  h2w_fb_data(&b, 1, 0, "late");
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 STREAM_CLOSED");
  EXPECT_LOG(&s, "error 1 STREAM_CLOSED", "close 1 STREAM_CLOSED reset");
  assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_CLOSED);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_headers_on_half_closed_remote(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_log_clear(&s);
  tpeer_fb_headers(&s, &b, 1, 0x1, H("x-trailer", "1"));
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 STREAM_CLOSED");
  EXPECT_LOG(&s, "error 1 STREAM_CLOSED", "close 1 STREAM_CLOSED reset");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §5.1 closed: after RST_STREAM was received, anything but PRIORITY is a
 * stream error STREAM_CLOSED. */
static void test_data_after_rst_received(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0", "reset 1 CANCEL",
             "close 1 CANCEL reset");
  EXPECT_OUT_EMPTY(&s);
  fb_priority(&b, 1, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_data(&b, 1, 0, "x");
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 STREAM_CLOSED");
  EXPECT_LOG(&s, "error 1 STREAM_CLOSED");
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §5.1 closed: a frame after END_STREAM both ways is a connection error
 * STREAM_CLOSED; WINDOW_UPDATE and RST_STREAM are tolerated for a while. */
static void test_data_after_end_stream_both_ways(void **state) {
  tpeer s;
  h2w_fb b;
  uint32_t code = 0;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_respond(&s, 1, RESP_200, NULL);
  EXPECT_OUT(&s, "HEADERS 1 es eh :status=200");
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=1", "end 1",
             "close 1 NO_ERROR");
  assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_CLOSED);
  h2w_fb_window_update(&b, 1, 100);
  h2w_fb_rst_stream(&b, 1, H2W_NO_ERROR);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  EXPECT_LOG_EMPTY(&s);
  h2w_fb_data(&b, 1, 0x1, "x");
  assert_int_equal(feed(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=1 STREAM_CLOSED*");
  EXPECT_LOG(&s, "error 0 STREAM_CLOSED");
  assert_int_equal(h2w_session_error(s.s, &code, NULL, NULL), H2W_E_PROTOCOL);
  assert_int_equal(code, H2W_STREAM_CLOSED);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §5.1 closed: frames on a stream we reset are ignored (they may have
 * been in flight); DATA still counts against the connection window
 * (§6.9), and header blocks still update the HPACK context (§4.3). */
static void test_frames_after_we_reset_ignored(void **state) {
  tpeer s;
  h2w_fb b;
  int32_t rw = 0;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_log_clear(&s);
  assert_int_equal(h2w_session_submit_rst_stream(s.s, 1, H2W_CANCEL), H2W_OK);
  EXPECT_OUT(&s, "RST_STREAM 1 CANCEL");
  EXPECT_LOG(&s, "close 1 CANCEL reset");
  h2w_fb_begin(&b, DATA, 0, 1);
  h2w_fb_zeros(&b, 16000);
  h2w_fb_end(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, H("x-new-trailer", "indexed-value"));
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  assert_int_equal(h2w_session_window(s.s, 0, &rw, NULL), H2W_OK);
  assert_int_equal(rw, 65535 - 16000);
  /* The trailer block was decoded: the encoder's new table entry is
   * referenced by the next request. */
  tpeer_fb_headers(&s, &b, 3, 0x1,
                   H(":method", "GET", ":scheme", "https", ":authority",
                     "example.org", ":path", "/", "x-new-trailer",
                     "indexed-value"));
  tpeer_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "headers 3 req es=1"));
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §5.1.1: a client opens odd streams only. */
static void test_even_stream_from_client(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 2, 0x1, GET_REQ);
  assert_int_equal(feed(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §5.3.1: a stream cannot depend on itself: stream error PROTOCOL_ERROR,
 * in PRIORITY and in HEADERS. */
static void test_priority_self_dependency(void **state) {
  tpeer s;
  h2w_fb b;
  uint8_t blk[256];
  size_t n;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  fb_priority(&b, 1, 1);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0",
             "error 1 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR reset");
  /* HEADERS with the PRIORITY flag depending on itself. */
  n = tpeer_block(&s, blk, sizeof blk, GET_REQ);
  h2w_fb_hd(&b, (uint32_t)n + 5, HEADERS, 0x25, 3);
  h2w_fb_u32(&b, 3);
  h2w_fb_u8(&b, 0);
  h2w_fb_bytes(&b, blk, n);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 3 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&s, "end 3"));
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §5.1: PRIORITY is allowed on an idle stream and does not open it, so a
 * lower id can still be opened afterwards. */
static void test_priority_on_idle(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  fb_priority(&b, 9, 0);
  fb_priority(&b, 11, 9);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  EXPECT_LOG_EMPTY(&s);
  assert_int_equal(h2w_session_stream_state(s.s, 9), H2W_STREAM_STATE_IDLE);
  tpeer_fb_headers(&s, &b, 3, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "begin_headers 3 req", "headers 3 req es=1", "end 3");
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.3: PRIORITY of the wrong length is a stream error FRAME_SIZE_ERROR;
 * on stream 0 a connection error PROTOCOL_ERROR. */
static void test_priority_bad_frames(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_hd(&b, 4, PRIORITY, 0, 1);
  h2w_fb_u32(&b, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 FRAME_SIZE_ERROR");
  tpeer_log_clear(&s);
  fb_priority(&b, 0, 1);
  assert_int_equal(feed(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=1 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §4.1, §5.5: frames of unknown type are ignored, on any stream, even an
 * idle one, and whatever their flags. */
static void test_unknown_frames_ignored(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  h2w_fb_hd(&b, 3, 0xfa, 0xff, 0);
  h2w_fb_str(&b, "abc");
  h2w_fb_hd(&b, 0, 0x20, 0, 7);
  h2w_fb_hd(&b, 100, 0xbb, 0x1, 1);
  h2w_fb_zeros(&b, 100);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  h2w_fb_hd(&b, 1, 0xfa, 0, 1);
  h2w_fb_u8(&b, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=1", "end 1");
  EXPECT_OUT_EMPTY(&s);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_data_on_idle),
      SPLIT_TESTS(test_window_update_on_idle),
      SPLIT_TESTS(test_rst_on_idle),
      SPLIT_TESTS(test_continuation_on_idle),
      SPLIT_TESTS(test_headers_on_idle_even_stream_client),
      SPLIT_TESTS(test_data_on_half_closed_remote),
      SPLIT_TESTS(test_headers_on_half_closed_remote),
      SPLIT_TESTS(test_data_after_rst_received),
      SPLIT_TESTS(test_data_after_end_stream_both_ways),
      SPLIT_TESTS(test_frames_after_we_reset_ignored),
      SPLIT_TESTS(test_even_stream_from_client),
      SPLIT_TESTS(test_priority_self_dependency),
      SPLIT_TESTS(test_priority_on_idle),
      SPLIT_TESTS(test_priority_bad_frames),
      SPLIT_TESTS(test_unknown_frames_ignored),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
