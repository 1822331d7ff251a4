/* Issue 17 §2, the connection lifecycle: the end of input
 * (h2w_session_eof), abuse budgets that wait for a clock, the reason of a
 * refused submit, a callback resetting only its own stream, and the
 * conveniences (H2W_NV_LIT, h2w_data_source_mem). Receive paths run
 * whole, in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "attack.h"

/* A server after the handshake, header events muted. */
static void server(tpeer *s, void **state, const h2w_options *opt) {
  atk_server(s, tmode(state), opt);
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
}

static void client(tpeer *c, void **state, const h2w_options *opt) {
  atk_client(c, tmode(state), opt);
  c->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
}

/* No output at all, and send() reports `err`. */
static void expect_silent(tpeer *p, int err) {
  uint8_t buf[64];
  const uint8_t *d = NULL;
  assert_int_equal(h2w_session_want_write(p->s), 0);
  assert_int_equal(h2w_session_want_read(p->s), 0);
  assert_int_equal(h2w_session_send(p->s, buf, sizeof buf), err);
  assert_int_equal(h2w_session_peek(p->s, &d), err);
}

/* ---- h2w_session_eof ------------------------------------------------------
 */

/* A clean end with streams open on a server: each closes with the
 * connection flag, nothing more is written (the 200 still queued is
 * dropped), and every later call reports H2W_E_CLOSED. */
static void test_eof_clean_server(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_nv nv[2];
  const char *reason = NULL;
  uint8_t one = 0;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_fb_headers(&s, &b, 3, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(
      h2w_session_submit_response(s.s, 3, nv, tnv(nv, 2, RESP_200), NULL),
      H2W_OK);
  EXPECT_LOG(&s, "headers 1 req es=0", "headers 3 req es=1", "end 3");
  assert_int_equal(h2w_session_want_write(s.s), 1);
  {
    const uint8_t *d = NULL; /* peeked, not yet written when EOF comes */
    assert_true(h2w_session_peek(s.s, &d) > 0);
  }
  assert_int_equal(h2w_session_eof(s.s), H2W_OK);
  assert_int_equal(h2w_session_ack(s.s, 1), H2W_E_INVALID_ARGUMENT);
  /* Stream 3 closed when its answer was queued (both sides ended); its
   * callback was due and comes first, as at any end (h2wire.h,
   * "Reentrancy"). */
  EXPECT_LOG(&s, "close 3 NO_ERROR", "close 1 NO_ERROR conn");
  expect_silent(&s, H2W_E_CLOSED);
  assert_int_equal(h2w_session_error(s.s, NULL, &reason, NULL), H2W_E_CLOSED);
  assert_string_equal(reason, "the peer closed the connection");
  assert_int_equal(h2w_session_recv(s.s, &one, 1), H2W_E_CLOSED);
  assert_int_equal(h2w_session_submit_ping(s.s, NULL), H2W_E_CLOSED);
  assert_int_equal(h2w_session_eof(s.s), H2W_OK); /* again: the same */
  EXPECT_LOG_EMPTY(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A connection closed before a single octet: nothing was truncated. */
static void test_eof_before_anything(void **state) {
  tpeer s;
  tpeer_start(&s, 1, tmode(state), NULL);
  assert_int_equal(h2w_session_eof(s.s), H2W_OK);
  expect_silent(&s, H2W_E_CLOSED);
  EXPECT_LOG_EMPTY(&s);
  tpeer_free(&s);
}

/* Client: the request sent is cut off (not retryable: the server may
 * have processed it, §8.7); the one still queued for a slot never left
 * and is retryable. */
static void test_eof_client_queued_retryable(void **state) {
  tpeer c;
  h2w_fb b;
  h2w_settings_entry iv = {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1};
  client(&c, state, NULL);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, &iv, 1);
  tpeer_feed_ok(&c, &b);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  EXPECT_OUT(&c, "HEADERS 1 *"); /* 1 left the session, 3 waits */
  tpeer_log_clear(&c);
  assert_int_equal(h2w_session_eof(c.s), H2W_OK);
  EXPECT_LOG(&c, "close 1 NO_ERROR conn", "close 3 NO_ERROR retryable conn");
  expect_silent(&c, H2W_E_CLOSED);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* A request whose HEADERS were still in the session's output when the
 * connection ended never reached the server: retryable, at EOF, at a
 * connection error (the output is cut before the GOAWAY) and at del. */
static void test_unsent_requests_retryable(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, NULL);
  h2w_fb_init(&b);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  EXPECT_OUT(&c, "HEADERS 1 *");
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  assert_int_equal(h2w_session_eof(c.s), H2W_OK);
  EXPECT_LOG(&c, "close 1 NO_ERROR conn", "close 3 NO_ERROR retryable conn");
  tpeer_free(&c);

  client(&c, state, NULL);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  EXPECT_OUT(&c, "HEADERS 1 *");
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  h2w_fb_window_update(&b, 0, 0); /* §6.9: PROTOCOL_ERROR */
  atk_feed_err(&c, &b, H2W_E_PROTOCOL);
  EXPECT_LOG(&c, "error 0 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR conn",
             "close 3 PROTOCOL_ERROR retryable conn");
  EXPECT_OUT(&c, "GOAWAY *");
  tpeer_free(&c);

  client(&c, state, NULL);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  h2w_session_del(c.s);
  c.s = NULL;
  EXPECT_LOG(&c, "close 1 NO_ERROR retryable conn");
  tpeer_free(&c);
  h2w_fb_free(&b);
}

/* After the server's GOAWAY: streams above its last-stream-id closed
 * retryable then (§6.8); the one below is cut off by the end of input
 * with the GOAWAY's code. */
static void test_eof_after_goaway(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, NULL);
  h2w_fb_init(&b);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  EXPECT_OUT(&c, "HEADERS 1 *", "HEADERS 3 *");
  h2w_fb_goaway(&b, 1, H2W_INTERNAL_ERROR, "");
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "goaway 1 INTERNAL_ERROR", "close 3 REFUSED_STREAM retryable");
  assert_int_equal(h2w_session_eof(c.s), H2W_OK);
  EXPECT_LOG(&c, "close 1 INTERNAL_ERROR conn");
  expect_silent(&c, H2W_E_CLOSED);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* Input that ends inside a frame: on_error, H2W_E_TRUNCATED, and no
 * GOAWAY is written (the peer is gone). */
static void test_eof_truncated_frame(void **state) {
  tpeer s;
  h2w_fb b;
  uint64_t off = 0;
  uint32_t code = 0;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  h2w_fb_data(&b, 1, 0, "hello, world");
  assert_int_equal(tpeer_feed(&s, b.buf, b.len - 3), (h2w_ssize)(b.len - 3));
  /* DATA is passed through in the pieces that arrived: what came of the
   * cut frame was delivered already. */
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 9");
  assert_int_equal(h2w_session_eof(s.s), H2W_E_TRUNCATED);
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR conn");
  assert_string_equal(s.last_reason, "connection closed inside a frame");
  assert_int_equal(h2w_session_error(s.s, &code, NULL, &off), H2W_E_TRUNCATED);
  assert_int_equal(code, H2W_PROTOCOL_ERROR);
  assert_true(off > ATK_HANDSHAKE_LEN); /* where the cut frame began */
  expect_silent(&s, H2W_E_TRUNCATED);
  assert_int_equal(h2w_session_eof(s.s), H2W_E_TRUNCATED);
  EXPECT_LOG_EMPTY(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A frame header cut short is a truncated frame too. */
static void test_eof_truncated_header(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  h2w_fb_ping(&b, 0, 7);
  assert_int_equal(tpeer_feed(&s, b.buf, 4), 4);
  assert_int_equal(h2w_session_eof(s.s), H2W_E_TRUNCATED);
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR");
  assert_string_equal(s.last_reason, "connection closed inside a frame");
  expect_silent(&s, H2W_E_TRUNCATED);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* HEADERS without END_HEADERS and no CONTINUATION before the end
 * (§6.10): the request was never reported complete. */
static void test_eof_unfinished_header_block(void **state) {
  tpeer s;
  h2w_fb b;
  uint8_t blk[256];
  size_t n;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  n = tpeer_block(&s, blk, sizeof blk, GET_REQ);
  h2w_fb_headers(&b, 1, 0x1, blk, n); /* END_STREAM, no END_HEADERS */
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_eof(s.s), H2W_E_TRUNCATED);
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR conn");
  assert_string_equal(s.last_reason, "connection closed inside a header block");
  expect_silent(&s, H2W_E_TRUNCATED);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A server that got part of the client magic. */
static void test_eof_partial_preface(void **state) {
  tpeer s;
  tpeer_start(&s, 1, tmode(state), NULL);
  assert_int_equal(tpeer_feed(&s, (const uint8_t *)"PRI * HTTP", 10), 10);
  assert_int_equal(h2w_session_eof(s.s), H2W_E_TRUNCATED);
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR");
  assert_string_equal(s.last_reason,
                      "connection closed inside the connection preface");
  expect_silent(&s, H2W_E_TRUNCATED);
  tpeer_free(&s);
}

/* After a connection error the GOAWAY is still queued; the peer closing
 * drops it, and the error stays. */
static void test_eof_after_fatal_error(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  h2w_fb_window_update(&b, 0, 0); /* §6.9: PROTOCOL_ERROR */
  atk_feed_err(&s, &b, H2W_E_PROTOCOL);
  assert_int_equal(h2w_session_want_write(s.s), 1);
  tpeer_log_clear(&s);
  assert_int_equal(h2w_session_eof(s.s), H2W_E_PROTOCOL);
  expect_silent(&s, H2W_E_PROTOCOL);
  EXPECT_LOG_EMPTY(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static int eof_in_callback_rv;

static int eof_hook(tpeer *p, const tev *ev) {
  if (ev->type == TEV_HEADERS || ev->type == TEV_CLOSE) {
    eof_in_callback_rv = h2w_session_eof(p->s);
    assert_int_equal(eof_in_callback_rv, H2W_E_INVALID_STATE);
  }
  return 0;
}

/* Refused from inside a callback (reentrancy contract), nothing changes;
 * also from on_stream_close during the eof itself. */
static void test_eof_refused_in_callback(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  s.hook = eof_hook;
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(eof_in_callback_rv, H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_want_read(s.s), 1);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_data(&b, 1, 0x1, "x");
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 1", "end 1");
  eof_in_callback_rv = 0;
  assert_int_equal(h2w_session_eof(s.s), H2W_OK);
  assert_int_equal(eof_in_callback_rv, H2W_E_INVALID_STATE);
  EXPECT_LOG(&s, "close 1 NO_ERROR conn");
  assert_int_equal(h2w_session_eof(NULL), H2W_E_INVALID_ARGUMENT);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- budgets wait for a clock ------------------------------------------
 */

static void unclocked_server(tpeer *s, void **state, const h2w_options *opt) {
  tpeer_init(s, 1, tmode(state));
  s->no_clock = 1;
  assert_int_equal(tpeer_open(s, opt), H2W_OK);
  tpeer_handshake(s);
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
}

/* A server that never ticks: 3000 PRIORITY frames (three glitch bursts)
 * and 1500 cancels (one and a half reset bursts) pass, and on_error says
 * once why. The first tick turns the budgets on. */
static void test_no_clock_budgets_off_and_told_once(void **state) {
  tpeer s;
  h2w_fb b;
  uint32_t i, id = 1;
  unclocked_server(&s, state, NULL);
  h2w_fb_init(&b);
  for (i = 0; i < 3000; i++) {
    h2w_fb_hd(&b, 5, ATK_PRIORITY, 0, 1001 + 2 * (i % 50));
    h2w_fb_zeros(&b, 5);
  }
  tpeer_feed_ok(&s, &b);
  for (i = 0; i < 1500; i++, id += 2) {
    tpeer_fb_headers(&s, &b, id, 0, POST_REQ);
    h2w_fb_rst_stream(&b, id, H2W_CANCEL);
    if (i % 100 == 99) {
      tpeer_feed_ok(&s, &b);
      tpeer_parse_out(&s);
      tpeer_out_clear(&s);
    }
  }
  assert_int_equal(atk_log_count(&s, "error *"), 1);
  assert_int_equal(atk_log_count(&s, "error 0 NO_ERROR"), 1);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  tpeer_log_clear(&s);
  /* The clock starts: the bucket is full again, and drains. */
  assert_int_equal(h2w_session_tick(s.s, 5000), H2W_OK);
  for (i = 0; i < 1001; i++) {
    h2w_fb_hd(&b, 5, ATK_PRIORITY, 0, 1001);
    h2w_fb_zeros(&b, 5);
  }
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static const char *told_reason;

static int keep_reason_hook(tpeer *p, const tev *ev) {
  if (ev->type == TEV_ERROR) {
    told_reason = p->last_reason;
  }
  return 0;
}

/* The warning names itself (H2W_REASON_NO_CLOCK); with both budgets
 * turned off there is nothing to warn about. */
static void test_no_clock_reason(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = NULL;
  unclocked_server(&s, state, NULL);
  h2w_fb_init(&b);
  s.hook = keep_reason_hook;
  told_reason = NULL;
  h2w_fb_hd(&b, 5, ATK_PRIORITY, 0, 1001);
  h2w_fb_zeros(&b, 5);
  tpeer_feed_ok(&s, &b);
  assert_non_null(told_reason);
  assert_string_equal(told_reason, H2W_REASON_NO_CLOCK);
  tpeer_free(&s);

  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_glitch_limit(opt, 0, 0), H2W_OK);
  assert_int_equal(h2w_options_set_reset_limit(opt, 0, 0), H2W_OK);
  unclocked_server(&s, state, opt);
  h2w_options_del(opt);
  h2w_fb_hd(&b, 5, ATK_PRIORITY, 0, 1001);
  h2w_fb_zeros(&b, 5);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(atk_log_count(&s, "error *"), 0);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- DATA after our reset (docs/limits.md) -----------------------------
 */

/* Late DATA within the window we had granted is free; past it each frame
 * is charged again, so a peer cannot stream DATA on a dead stream for
 * nothing (the connection window is returned as it arrives). */
static void test_lifecycle_data_past_reset_window(void **state) {
  tpeer s;
  h2w_fb b;
  static uint8_t chunk[16384];
  uint32_t i;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_rst_stream(s.s, 1, H2W_CANCEL), H2W_OK);
  for (i = 0; i < 4; i++) {
    uint32_t n = i < 3 ? 16384 : 16383; /* the 65535 granted */
    h2w_fb_hd(&b, n, ATK_DATA, 0, 1);
    h2w_fb_bytes(&b, chunk, n);
  }
  tpeer_feed_ok(&s, &b);
  tpeer_parse_out(&s); /* RST_STREAM, connection WINDOW_UPDATE */
  tpeer_out_clear(&s);
  for (i = 0; i < 1000; i++) {
    h2w_fb_hd(&b, 1, ATK_DATA, 0, 1);
    h2w_fb_u8(&b, 0);
  }
  tpeer_feed_ok(&s, &b); /* the whole burst */
  h2w_fb_hd(&b, 1, ATK_DATA, 0, 1);
  h2w_fb_u8(&b, 0);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Empty DATA on a stream we reset is charged from the first one. */
static void test_lifecycle_empty_data_after_reset_charged(void **state) {
  tpeer s;
  h2w_fb b;
  uint32_t i;
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_glitch_limit(opt, 10, 1), H2W_OK);
  server(&s, state, opt);
  h2w_options_del(opt);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_rst_stream(s.s, 1, H2W_CANCEL), H2W_OK);
  for (i = 0; i < 3; i++) {
    h2w_fb_hd(&b, 0, ATK_DATA, 0, 1);
  }
  tpeer_feed_ok(&s, &b); /* 2 tokens each: empty, and on a closed stream */
  for (i = 0; i < 3; i++) {
    h2w_fb_hd(&b, 0, ATK_DATA, 0, 1);
  }
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- why a submit was refused -------------------------------------------
 */

static void expect_refused(tpeer *c, const char *const *fields,
                           const char *reason, size_t index) {
  h2w_nv nv[16];
  size_t n = tnv(nv, 16, fields);
  const char *r = NULL;
  size_t i = 0;
  assert_int_equal(h2w_session_submit_request(c->s, nv, n, NULL, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_last_submit_error(c->s, &r, &i),
                   H2W_E_INVALID_ARGUMENT);
  assert_non_null(r);
  assert_string_equal(r, reason);
  assert_int_equal(i, index);
}

static void test_submit_error_reasons(void **state) {
  tpeer c;
  h2w_nv nv[8];
  const char *r = "x";
  size_t i = 0;
  h2w_data_source no_read = {NULL, NULL, NULL};
  client(&c, state, NULL);
  assert_int_equal(h2w_session_last_submit_error(c.s, &r, &i), H2W_OK);
  assert_null(r);
  assert_int_equal(i, SIZE_MAX);
  expect_refused(&c,
                 H(":method", "GET", ":scheme", "https", ":authority", "a.org",
                   ":path", "/", "X-Upper", "1"),
                 "uppercase character in field name", 4);
  expect_refused(&c,
                 H(":method", "GET", ":scheme", "https", ":authority", "a.org",
                   ":path", "/", "accept", "*/*", "connection", "close"),
                 "connection field in HTTP/2", 5);
  expect_refused(&c,
                 H(":method", "GET", ":scheme", "https", ":authority", "a.org",
                   ":path", "/", "x-a", "1\r\nx-b: 2"),
                 "NUL, CR or LF in field value", 4);
  expect_refused(&c,
                 H(":method", "GET", ":scheme", "https", ":authority", "a.org",
                   ":path", "https://a.org/"),
                 ":path does not start with '/'", 3);
  expect_refused(&c,
                 H(":method", "GET", ":scheme", "https", ":authority",
                   "user@a.org", ":path", "/"),
                 "userinfo in :authority", 2);
  expect_refused(&c,
                 H(":method", "GET", ":scheme", "https", "accept", "*/*",
                   ":authority", "a.org", ":path", "/"),
                 "pseudo-header field after a regular field", 3);
  expect_refused(&c,
                 H(":method", "GET", ":scheme", "https", ":authority", "a.org"),
                 "missing :path", SIZE_MAX);
  /* Only the reason is wanted; NULL pointers are fine. */
  assert_int_equal(h2w_session_last_submit_error(c.s, NULL, NULL),
                   H2W_E_INVALID_ARGUMENT);
  /* Other arguments. */
  assert_int_equal(h2w_session_submit_request(c.s, nv, 0, NULL, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_last_submit_error(c.s, &r, &i),
                   H2W_E_INVALID_ARGUMENT);
  assert_string_equal(r, "no header fields");
  assert_int_equal(i, SIZE_MAX);
  assert_int_equal(
      h2w_session_submit_request(c.s, nv, tnv(nv, 8, GET_REQ), &no_read, NULL),
      H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_last_submit_error(c.s, &r, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_string_equal(r, "data source without read()");
  /* A successful submit clears it. */
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(h2w_session_last_submit_error(c.s, &r, &i), H2W_OK);
  assert_null(r);
  assert_int_equal(i, SIZE_MAX);
  /* A NULL session has a reason too. */
  assert_int_equal(h2w_session_last_submit_error(NULL, &r, &i),
                   H2W_E_INVALID_ARGUMENT);
  assert_string_equal(r, "NULL session");
  tpeer_free(&c);
}

/* Server side: a final response with a 1xx status, trailers with a
 * pseudo-header, and a refusal for state (not arguments) clears it. */
static void test_submit_error_server(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_nv nv[4];
  const char *r = NULL;
  size_t i = 0;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_response(
                       s.s, 1, nv, tnv(nv, 4, H(":status", "103")), NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_last_submit_error(s.s, &r, &i),
                   H2W_E_INVALID_ARGUMENT);
  /* No body: the 1xx would end the stream, which §8.1 forbids. */
  assert_string_equal(r, "informational response with END_STREAM");
  assert_int_equal(h2w_session_submit_informational(
                       s.s, 1, nv, tnv(nv, 4, H(":status", "200"))),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_last_submit_error(s.s, &r, &i),
                   H2W_E_INVALID_ARGUMENT);
  assert_string_equal(r, "final :status in an informational response");
  assert_int_equal(
      h2w_session_submit_response(
          s.s, 1, nv, tnv(nv, 4, H(":status", "200", "Bad", "1")), NULL),
      H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_last_submit_error(s.s, &r, &i),
                   H2W_E_INVALID_ARGUMENT);
  assert_string_equal(r, "uppercase character in field name");
  assert_int_equal(i, 1);
  /* Unknown stream: a state error, no reason recorded. */
  assert_int_equal(
      h2w_session_submit_response(s.s, 9, nv, tnv(nv, 4, RESP_200), NULL),
      H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_last_submit_error(s.s, &r, &i), H2W_OK);
  assert_null(r);
  assert_int_equal(h2w_session_submit_push_promise(s.s, 1, nv, 0, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_last_submit_error(s.s, &r, &i),
                   H2W_E_INVALID_ARGUMENT);
  assert_string_equal(r, "no header fields");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- a callback resets its own stream -------------------------------------
 */

/* What the hook resets: the first `type` event on stream `id` (for
 * TEV_HEADER, the field named `name`); with `code` set it picks the code
 * itself first. `rv` is what the hook returns then. */
static struct {
  unsigned type;
  uint32_t id;
  const char *name;
  uint32_t code;
  int rv;
  int done;
} rs;

static int reset_hook(tpeer *p, const tev *ev) {
  if (rs.done || ev->type != rs.type || ev->stream_id != rs.id) {
    return 0;
  }
  if (rs.name != NULL &&
      (ev->nv == NULL || ev->nv->namelen != strlen(rs.name) ||
       memcmp(ev->nv->name, rs.name, ev->nv->namelen) != 0)) {
    return 0;
  }
  rs.done = 1;
  if (rs.code != 0) {
    assert_int_equal(
        h2w_session_submit_rst_stream(p->s, ev->stream_id, rs.code), H2W_OK);
  }
  return rs.rv;
}

static void reset_setup(unsigned type, uint32_t id, const char *name,
                        uint32_t code, int rv) {
  memset(&rs, 0, sizeof rs);
  rs.type = type;
  rs.id = id;
  rs.name = name;
  rs.code = code;
  rs.rv = rv;
}

#define REJECTED                                                               \
  H(":method", "POST", ":scheme", "https", ":authority", "example.org",        \
    ":path", "/upload", "x-token", "secret-token-value", "x-after",            \
    "after-value")

/* From on_header in the middle of a block: the rest of the block is
 * decoded but not delivered, RST_STREAM INTERNAL_ERROR goes out, the
 * request's DATA that follows is ignored, and the next request, whose
 * block refers to dynamic-table entries the rejected one added, decodes
 * correctly (HPACK state kept, RFC 7541 §2.3.2). */
static void test_cb_reset_from_on_header(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_nv nv[2];
  server(&s, state, NULL);
  s.mute &= ~(unsigned)TEV_HEADER;
  s.hook = reset_hook;
  reset_setup(TEV_HEADER, 1, "x-token", 0, H2W_CB_RESET_STREAM);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, REJECTED);
  h2w_fb_data(&b, 1, 0, "some body");
  h2w_fb_data(&b, 1, 0x1, "more body");
  tpeer_fb_headers(&s, &b, 3, 0x1, REJECTED);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "header 1 :method POST", "header 1 :scheme https",
             "header 1 :authority example.org", "header 1 :path /upload",
             "header 1 x-token secret-token-value",
             "close 1 INTERNAL_ERROR reset", "header 3 :method POST",
             "header 3 :scheme https", "header 3 :authority example.org",
             "header 3 :path /upload", "header 3 x-token secret-token-value",
             "header 3 x-after after-value", "headers 3 req es=1", "end 3");
  EXPECT_OUT(&s, "RST_STREAM 1 INTERNAL_ERROR");
  assert_int_equal(
      h2w_session_submit_response(s.s, 3, nv, tnv(nv, 2, RESP_200), NULL),
      H2W_OK);
  EXPECT_OUT(&s, "HEADERS 3 es *");
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  assert_int_equal(atk_log_count(&s, "error *"), 0);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The callback picks the code with h2w_session_submit_rst_stream();
 * returning H2W_CB_RESET_STREAM then adds nothing (one RST_STREAM). */
static void test_cb_reset_with_code(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  s.hook = reset_hook;
  reset_setup(TEV_BEGIN_HEADERS, 1, NULL, H2W_REFUSED_STREAM,
              H2W_CB_RESET_STREAM);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "close 1 REFUSED_STREAM reset");
  EXPECT_OUT(&s, "RST_STREAM 1 REFUSED_STREAM");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* From on_headers (the whole request seen) and from on_data: the stream
 * ends there, END_STREAM is never reported; other streams go on. */
static void test_cb_reset_from_on_headers_and_on_data(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  s.hook = reset_hook;
  h2w_fb_init(&b);
  reset_setup(TEV_HEADERS, 1, NULL, 0, H2W_CB_RESET_STREAM);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=1", "close 1 INTERNAL_ERROR reset");
  EXPECT_OUT(&s, "RST_STREAM 1 INTERNAL_ERROR");
  reset_setup(TEV_DATA, 3, NULL, H2W_CANCEL, H2W_CB_RESET_STREAM);
  tpeer_fb_headers(&s, &b, 3, 0, POST_REQ);
  tpeer_fb_headers(&s, &b, 5, 0, POST_REQ);
  h2w_fb_data(&b, 3, 0, "x");
  h2w_fb_data(&b, 5, 0, "abc");
  h2w_fb_data(&b, 3, 0x1, "late");
  h2w_fb_data(&b, 5, 0x1, "def");
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 3 req es=0", "headers 5 req es=0", "data 3 1",
             "close 3 CANCEL reset", "data 5 6", "end 5");
  assert_true(tpeer_out_has(&s, "RST_STREAM 3 CANCEL"));
  tpeer_out_clear(&s);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Client side: a response rejected from on_header (say, an unwanted
 * content-type) resets only that request. */
static void test_cb_reset_client_response(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, NULL);
  c.hook = reset_hook;
  reset_setup(TEV_HEADER, 1, "content-type", H2W_CANCEL, 0);
  h2w_fb_init(&b);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  tpeer_fb_headers(&c, &b, 1, 0,
                   H(":status", "200", "content-type", "application/x-bad"));
  h2w_fb_data(&b, 1, 0x1, "ignored");
  tpeer_fb_headers(&c, &b, 3, 0,
                   H(":status", "200", "content-type", "text/plain"));
  h2w_fb_data(&b, 3, 0x1, "ok");
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "close 1 CANCEL reset", "headers 3 resp es=0", "data 3 2",
             "end 3", "close 3 NO_ERROR");
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* From a callback where it is not defined it is a stray value: callback
 * failure, the connection ends (the one return-value rule). */
static void test_cb_reset_not_valid_elsewhere(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  s.hook = reset_hook;
  reset_setup(TEV_END, 1, NULL, 0, H2W_CB_RESET_STREAM);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  atk_feed_err(&s, &b, H2W_E_CALLBACK_FAILURE);
  atk_expect_error(&s, H2W_E_CALLBACK_FAILURE, H2W_INTERNAL_ERROR);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- conveniences -----------------------------------------------------------
 */

#define BIG 200000u
static uint8_t big_body[BIG];

/* H2W_NV_LIT headers and h2w_data_source_mem bodies both ways: a 200 kB
 * upload answered with a body and trailers; the lengths come from
 * sizeof. */
static void test_nv_lit_and_mem_source(void **state) {
  tpeer c, s;
  static const h2w_nv req[] = {
      H2W_NV_LIT(":method", "POST"), H2W_NV_LIT(":scheme", "https"),
      H2W_NV_LIT(":authority", "example.org"), H2W_NV_LIT(":path", "/up")};
  static const h2w_nv resp[] = {H2W_NV_LIT(":status", "200"),
                                H2W_NV_LIT("content-type", "text/plain")};
  static const h2w_nv trailers[] = {H2W_NV_LIT("x-sum", "ok")};
  static const char answer[] = "stored";
  h2w_mem_source up, down;
  h2w_data_source ds;
  const uint8_t *got;
  size_t len = 0;
  int32_t id;
  assert_int_equal(req[2].namelen, 10);
  assert_int_equal(req[2].valuelen, 11);
  assert_int_equal(resp[1].flags, 0);
  tpattern(big_body, BIG);
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  assert_int_equal(h2w_data_source_mem(&ds, &up, big_body, BIG, 0), H2W_OK);
  id = h2w_session_submit_request(c.s, req, 4, &ds, NULL);
  assert_int_equal(id, 1);
  tpump(&c, &s);
  got = tpeer_body(&s, 1, &len);
  assert_int_equal(len, BIG);
  assert_memory_equal(got, big_body, BIG);
  assert_int_equal(up.off, BIG);
  assert_true(tpeer_log_has(&s, "end 1"));
  assert_int_equal(h2w_data_source_mem(&ds, &down, answer, sizeof answer - 1,
                                       H2W_DATA_FLAG_NO_END_STREAM),
                   H2W_OK);
  assert_int_equal(h2w_session_submit_response(s.s, 1, resp, 2, &ds), H2W_OK);
  assert_int_equal(h2w_session_submit_trailers(s.s, 1, trailers, 1), H2W_OK);
  tpump(&c, &s);
  got = tpeer_body(&c, 1, &len);
  assert_int_equal(len, sizeof answer - 1);
  assert_memory_equal(got, answer, len);
  assert_true(tpeer_log_has(&c, "header 1 content-type text/plain"));
  assert_true(tpeer_log_has(&c, "header 1 x-sum ok"));
  assert_true(tpeer_log_has(&c, "headers 1 trailers es=1"));
  assert_true(tpeer_log_has(&c, "close 1 NO_ERROR"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* An empty body ends the stream with an empty DATA frame; bad
 * arguments are refused. */
static void test_mem_source_empty_and_arguments(void **state) {
  tpeer c, s;
  static const h2w_nv req[] = {
      H2W_NV_LIT(":method", "POST"), H2W_NV_LIT(":scheme", "https"),
      H2W_NV_LIT(":authority", "example.org"), H2W_NV_LIT(":path", "/up")};
  h2w_mem_source m;
  h2w_data_source ds;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  assert_int_equal(h2w_data_source_mem(&ds, &m, NULL, 0, 0), H2W_OK);
  assert_int_equal(h2w_session_submit_request(c.s, req, 4, &ds, NULL), 1);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&s, "headers 1 req es=0"));
  assert_true(tpeer_log_has(&s, "end 1"));
  assert_int_equal(h2w_data_source_mem(NULL, &m, "x", 1, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_data_source_mem(&ds, NULL, "x", 1, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_data_source_mem(&ds, &m, NULL, 1, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_data_source_mem(&ds, &m, "x", 1, H2W_DATA_FLAG_EOF),
                   H2W_E_INVALID_ARGUMENT);
  tpeer_free(&c);
  tpeer_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_eof_clean_server),
      SPLIT_TESTS(test_eof_before_anything),
      SPLIT_TESTS(test_eof_client_queued_retryable),
      SPLIT_TESTS(test_unsent_requests_retryable),
      SPLIT_TESTS(test_eof_after_goaway),
      SPLIT_TESTS(test_eof_truncated_frame),
      SPLIT_TESTS(test_eof_truncated_header),
      SPLIT_TESTS(test_eof_unfinished_header_block),
      SPLIT_TESTS(test_eof_partial_preface),
      SPLIT_TESTS(test_eof_after_fatal_error),
      SPLIT_TESTS(test_eof_refused_in_callback),
      SPLIT_TESTS(test_no_clock_budgets_off_and_told_once),
      SPLIT_TESTS(test_no_clock_reason),
      SPLIT_TESTS(test_lifecycle_data_past_reset_window),
      SPLIT_TESTS(test_lifecycle_empty_data_after_reset_charged),
      SPLIT_TESTS(test_submit_error_reasons),
      SPLIT_TESTS(test_submit_error_server),
      SPLIT_TESTS(test_cb_reset_from_on_header),
      SPLIT_TESTS(test_cb_reset_with_code),
      SPLIT_TESTS(test_cb_reset_from_on_headers_and_on_data),
      SPLIT_TESTS(test_cb_reset_client_response),
      SPLIT_TESTS(test_cb_reset_not_valid_elsewhere),
      SPLIT_TESTS(test_nv_lit_and_mem_source),
      SPLIT_TESTS(test_mem_source_empty_and_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
