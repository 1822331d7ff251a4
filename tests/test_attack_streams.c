/* docs/security.md rows 14-16: stream-id misuse (RFC 9113 §5.1.1), more
 * concurrent streams than allowed (§5.1.2) and flow-control abuse (§6.9).
 * Every test runs whole, in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "attack.h"
#include "session_int.h"

#define LAST_ID 0x7fffffffu

/* A connection error with `code` and GOAWAY last=`last`, one on_error,
 * nothing delivered on stream `id`. */
static void expect_conn_error(tpeer *s, int err, uint32_t code, uint32_t last,
                              uint32_t id) {
  char want[96], stream[32];
  atk_expect_error(s, err, code);
  snprintf(want, sizeof want, "GOAWAY last=%u %s*", last,
           h2w_http2_error_name(code));
  EXPECT_OUT(s, want);
  snprintf(want, sizeof want, "error 0 %s", h2w_http2_error_name(code));
  assert_int_equal(atk_log_count(s, "error *"), 1);
  assert_true(tpeer_log_has(s, want));
  char closed[32];
  snprintf(stream, sizeof stream, "* %u *", id);
  /* Nothing but the close that ends every stream with the connection
   * (h2wire.h, H2W_CLOSE_FLAG_CONNECTION), at most once. */
  snprintf(closed, sizeof closed, "close %u * conn", id);
  assert_int_equal(atk_log_count(s, stream), atk_log_count(s, closed));
  assert_true(atk_log_count(s, closed) <= 1);
}

/* ---- row 14: stream-id misuse --------------------------------------------
 */

/* §5.1.1: a client opens odd ids only. */
static void test_attack_14_even_id_from_client(void **state) {
  tpeer s;
  h2w_fb b;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 2, 0x1, GET_REQ);
  atk_feed_err(&s, &b, H2W_E_PROTOCOL);
  expect_conn_error(&s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR, 0, 2);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §5.1.1: a new id must be larger than every id the peer opened. */
static void test_attack_14_decreasing_id(void **state) {
  tpeer s;
  h2w_fb b;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 7, 0x1, GET_REQ);
  atk_feed_ok(&s, &b);
  tpeer_log_clear(&s);
  tpeer_fb_headers(&s, &b, 5, 0x1, GET_REQ);
  atk_feed_err(&s, &b, H2W_E_PROTOCOL);
  expect_conn_error(&s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR, 7, 5);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §5.1: DATA, WINDOW_UPDATE, RST_STREAM on an idle stream, HEADERS on
 * stream 0 (§6.2): connection errors PROTOCOL_ERROR. */
static void test_attack_14_idle_stream_frames(void **state) {
  int k;
  for (k = 0; k < 4; k++) {
    tpeer s;
    h2w_fb b;
    atk_server(&s, tmode(state), NULL);
    h2w_fb_init(&b);
    if (k == 0) {
      h2w_fb_data(&b, 1, 0x1, "x");
    } else if (k == 1) {
      h2w_fb_window_update(&b, 1, 100);
    } else if (k == 2) {
      h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
    } else {
      tpeer_fb_headers(&s, &b, 0, 0x1, GET_REQ);
    }
    atk_feed_err(&s, &b, H2W_E_PROTOCOL);
    expect_conn_error(&s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR, 0, 1);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* A client that runs out of ids gets H2W_E_STREAM_ID_EXHAUSTED, never a
 * wrapped id; the streams it has keep working. White box: reaching 2^31-1
 * through the API would take 2^30 requests (src/session_int.h). */
static void test_attack_14_id_exhaustion(void **state) {
  tpeer c;
  h2w_fb b;
  h2w_nv nv[8];
  int i;
  atk_client(&c, tmode(state), NULL);
  c.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  c.s->ids.next_local_id = LAST_ID;
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), (int32_t)LAST_ID);
  for (i = 0; i < 3; i++) {
    assert_int_equal(
        h2w_session_submit_request(c.s, nv, tnv(nv, 8, GET_REQ), NULL, NULL),
        H2W_E_STREAM_ID_EXHAUSTED);
  }
  EXPECT_OUT(&c, "HEADERS 2147483647 es eh*");
  h2w_fb_init(&b);
  tpeer_fb_headers(&c, &b, LAST_ID, 0x1, RESP_200);
  atk_feed_ok(&c, &b);
  EXPECT_LOG(&c, "headers 2147483647 resp es=1", "end 2147483647",
             "close 2147483647 NO_ERROR");
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  assert_int_equal(
      h2w_session_submit_request(c.s, nv, tnv(nv, 8, GET_REQ), NULL, NULL),
      H2W_E_STREAM_ID_EXHAUSTED);
  EXPECT_OUT_EMPTY(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* The neighbour: the reserved bit of a stream id is ignored (§4.1), the
 * last id 2^31-1 is a valid request, ids may skip (§5.1.1), PRIORITY may
 * name an idle stream (§5.1). */
static void test_attack_14_legit_ids(void **state) {
  tpeer s;
  h2w_fb b, blk;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  atk_fb_block(&b, 0x80000001u, 0x5, &blk);
  atk_fb_block(&b, 101, 0x5, &blk);
  h2w_fb_hd(&b, 5, ATK_PRIORITY, 0, 201);
  h2w_fb_u32(&b, 0);
  h2w_fb_u8(&b, 15);
  atk_fb_block(&b, LAST_ID, 0x5, &blk);
  atk_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=1", "end 1", "headers 101 req es=1",
             "end 101", "headers 2147483647 req es=1", "end 2147483647");
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 15: MAX_CONCURRENT_STREAMS --------------------------------------
 */

/* Streams 1, 3, ... 2n-1 opened and left open (no END_STREAM). */
static void open_streams(tpeer *s, h2w_fb *b, uint32_t first, unsigned n) {
  h2w_fb blk;
  unsigned i;
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  for (i = 0; i < n; i++) {
    atk_fb_block(b, first + 2 * i, 0x4, &blk);
  }
  (void)s;
  h2w_fb_free(&blk);
}

/* The default limit of 100: stream 201 is refused with REFUSED_STREAM
 * (§5.1.2, §8.7) and never reported; when one stream closes, the next
 * one is admitted. */
static void test_attack_15_over_default_limit(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  open_streams(&s, &b, 1, 100);
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_log_count(&s, "headers * req es=0"), 100);
  assert_int_equal(h2w_session_open_streams(s.s), 100);
  tpeer_log_clear(&s);
  open_streams(&s, &b, 201, 1);
  atk_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 201 REFUSED_STREAM");
  /* on_error is informational; no stream callback fires. */
  EXPECT_LOG(&s, "error 201 REFUSED_STREAM");
  assert_int_equal(h2w_session_open_streams(s.s), 100);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  /* The peer resets stream 1: a slot is free again. */
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  open_streams(&s, &b, 203, 1);
  atk_feed_ok(&s, &b);
  EXPECT_LOG(&s, "reset 1 CANCEL", "close 1 CANCEL reset",
             "begin_headers 203 req", "headers 203 req es=0");
  EXPECT_OUT_EMPTY(&s);
  /* 100 streams of state: a stream object is about 128 octets. */
  atk_bound("row 15: 100 open streams + refusals, peak above handshake",
            atk_peak_above(&s, base), 100 * 256 + 16 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Thousands of streams past a limit of 10, never read: every refusal is a
 * reset we are made to send, so the budgets end the connection with
 * ENHANCE_YOUR_CALM; memory stays that of 10 streams. */
static void test_attack_15_refusal_flood(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = NULL;
  size_t base;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_concurrent_streams(opt, 10), H2W_OK);
  atk_server(&s, tmode(state), opt);
  h2w_options_del(opt);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_HEADERS;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  open_streams(&s, &b, 1, 5000);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  /* The 10 admitted streams end with the connection, nothing else. */
  assert_int_equal(atk_log_count(&s, "close * ENHANCE_YOUR_CALM conn"), 10);
  assert_int_equal(atk_log_count(&s, "close *"), 10);
  assert_int_equal(h2w_session_open_streams(s.s), 0);
  tpeer_parse_out(&s);
  assert_true(atk_frames_count(&s, "RST_STREAM * REFUSED_STREAM") <= 1000);
  /* Streams 1..19 admitted, 21..2019 refused on the reset budget's burst
   * of 1000; refusing 2021 would pass it. */
  if (atk_frames_count(&s, "GOAWAY last=2021 ENHANCE_YOUR_CALM*") != 1) {
    fail_msg("output:\n%s", s.frames.buf);
  }
  tpeer_out_clear(&s);
  atk_bound("row 15: 5000 streams over a limit of 10, peak above handshake",
            atk_peak_above(&s, base), 64 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: 100 concurrent requests, all answered, then 100 more. */
static void test_attack_15_legit_100_concurrent(void **state) {
  tpeer s;
  h2w_fb b;
  uint32_t id;
  int round;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  for (round = 0; round < 2; round++) {
    uint32_t first = 1 + (uint32_t)round * 200;
    open_streams(&s, &b, first, 100);
    for (id = first; id < first + 200; id += 2) {
      h2w_fb_data(&b, id, 0x1, "");
    }
    atk_feed_ok(&s, &b);
    assert_int_equal(atk_log_count(&s, "end *"), 100);
    for (id = first; id < first + 200; id += 2) {
      tpeer_respond(&s, id, RESP_200, NULL);
    }
    assert_int_equal(atk_out_count(&s, "HEADERS * es eh*"), 100);
    assert_int_equal(atk_log_count(&s, "close * NO_ERROR"), 100);
    tpeer_log_clear(&s);
  }
  assert_int_equal(h2w_session_open_streams(s.s), 0);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 16: flow-control abuse ------------------------------------------
 */

static void open_post(tpeer *s, h2w_fb *b, uint32_t id) {
  tpeer_fb_headers(s, b, id, 0, POST_REQ);
  atk_feed_ok(s, b);
  tpeer_log_clear(s);
}

/* §6.9: an increment of 0 is PROTOCOL_ERROR: a connection error on
 * stream 0, a stream error on a stream. */
static void test_attack_16_zero_increment(void **state) {
  tpeer s;
  h2w_fb b;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  open_post(&s, &b, 1);
  h2w_fb_window_update(&b, 1, 0);
  atk_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  EXPECT_LOG(&s, "error 1 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR reset");
  h2w_fb_window_update(&b, 0, 0);
  atk_feed_err(&s, &b, H2W_E_PROTOCOL);
  expect_conn_error(&s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR, 1, 1);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.9.1: a window past 2^31-1 is FLOW_CONTROL_ERROR: stream error on a
 * stream, connection error on the connection. */
static void test_attack_16_window_overflow(void **state) {
  tpeer s;
  h2w_fb b;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  open_post(&s, &b, 1);
  h2w_fb_window_update(&b, 1, LAST_ID - 65535u);
  h2w_fb_window_update(&b, 1, 1);
  atk_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 FLOW_CONTROL_ERROR");
  EXPECT_LOG(&s, "error 1 FLOW_CONTROL_ERROR",
             "close 1 FLOW_CONTROL_ERROR reset");
  h2w_fb_window_update(&b, 0, LAST_ID);
  atk_feed_err(&s, &b, H2W_E_FLOW_CONTROL);
  expect_conn_error(&s, H2W_E_FLOW_CONTROL, H2W_FLOW_CONTROL_ERROR, 1, 1);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.5.2: INITIAL_WINDOW_SIZE above 2^31-1; §6.9.2: a change that takes
 * a stream window past 2^31-1. Both FLOW_CONTROL_ERROR. */
static void test_attack_16_initial_window(void **state) {
  int k;
  for (k = 0; k < 2; k++) {
    tpeer s;
    h2w_fb b;
    h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 0};
    atk_server(&s, tmode(state), NULL);
    h2w_fb_init(&b);
    if (k == 0) {
      iv.value = 0x80000000u;
    } else {
      open_post(&s, &b, 1);
      h2w_fb_window_update(&b, 1, LAST_ID - 65535u);
      iv.value = 65536;
    }
    h2w_fb_settings(&b, 0, &iv, 1);
    atk_feed_err(&s, &b, H2W_E_FLOW_CONTROL);
    expect_conn_error(&s, H2W_E_FLOW_CONTROL, H2W_FLOW_CONTROL_ERROR,
                      k == 0 ? 0u : 1u, 1);
    assert_false(tpeer_log_has(&s, "settings*"));
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* §6.9.1: DATA past the connection window (65535) is a connection error
 * FLOW_CONTROL_ERROR; the excess is never delivered. */
static void test_attack_16_data_beyond_window(void **state) {
  tpeer s;
  h2w_fb b;
  static char chunk[16384];
  size_t base;
  int i;
  memset(chunk, 'd', sizeof chunk - 1);
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  open_post(&s, &b, 1);
  /* Automatic flow control re-credits the window only when its
   * WINDOW_UPDATE is emitted, and the output is never read here. */
  for (i = 0; i < 4; i++) {
    h2w_fb_data(&b, 1, 0, chunk); /* 4 x 16383 = 65532 */
  }
  h2w_fb_data(&b, 1, 0, "1234"); /* 65536: one past the window */
  atk_feed_err(&s, &b, H2W_E_FLOW_CONTROL);
  assert_int_equal(atk_log_count(&s, "data 1 65532"), 1);
  assert_false(tpeer_log_has(&s, "end 1"));
  tpeer_out_clear(&s);
  atk_expect_error(&s, H2W_E_FLOW_CONTROL, H2W_FLOW_CONTROL_ERROR);
  atk_bound("row 16: DATA past the window, peak above handshake",
            atk_peak_above(&s, base), 2 * 16384 + 4096);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour (§6.9.2): a SETTINGS change may make a send window
 * negative; sending waits until WINDOW_UPDATEs bring it above 0. */
static void test_attack_16_legit_negative_window(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000};
  int32_t sw = 0;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_SETTINGS;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  h2w_fb_window_update(&b, 0, 1000000);
  atk_feed_ok(&s, &b);
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 100000));
  tpeer_log_clear(&s);
  EXPECT_OUT(&s, "HEADERS 1 eh*", "DATA 1 65535");
  h2w_fb_settings(&b, 0, &iv, 1);
  atk_feed_ok(&s, &b);
  EXPECT_OUT(&s, "SETTINGS ack");
  assert_int_equal(h2w_session_window(s.s, 1, NULL, &sw), H2W_OK);
  assert_int_equal(sw, 1000 - 65535);
  h2w_fb_window_update(&b, 1, 64535);
  atk_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_window_update(&b, 1, 34465);
  atk_feed_ok(&s, &b);
  EXPECT_OUT(&s, "DATA 1 34465 es");
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  EXPECT_LOG(&s, "close 1 NO_ERROR");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_attack_14_even_id_from_client),
      SPLIT_TESTS(test_attack_14_decreasing_id),
      SPLIT_TESTS(test_attack_14_idle_stream_frames),
      SPLIT_TESTS(test_attack_14_id_exhaustion),
      SPLIT_TESTS(test_attack_14_legit_ids),
      SPLIT_TESTS(test_attack_15_over_default_limit),
      SPLIT_TESTS(test_attack_15_refusal_flood),
      SPLIT_TESTS(test_attack_15_legit_100_concurrent),
      SPLIT_TESTS(test_attack_16_zero_increment),
      SPLIT_TESTS(test_attack_16_window_overflow),
      SPLIT_TESTS(test_attack_16_initial_window),
      SPLIT_TESTS(test_attack_16_data_beyond_window),
      SPLIT_TESTS(test_attack_16_legit_negative_window),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
