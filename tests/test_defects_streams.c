/* Issue 14, defects D, E, F, G, H and the PRIORITY-on-idle one: the §5.1
 * stream table did not know who initiated a stream, whether a request of
 * ours was still queued, or that we reset a stream long ago. Every test
 * feeds a hand-driven peer's bytes whole, in 1-byte pieces and at random
 * splits. */
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

static void feed_err(tpeer *p, h2w_fb *b, h2w_ssize want) {
  assert_int_equal(tpeer_feed_fb(p, b), want);
  h2w_fb_clear(b);
}

static void assert_no_error(tpeer *p) {
  assert_int_equal(h2w_session_error(p->s, NULL, NULL, NULL), H2W_OK);
  assert_false(tpeer_out_has(p, "GOAWAY*"));
}

/* A hand-driven server session (we play the client). */
static void server(tpeer *s, void **state, const h2w_options *opt) {
  tpeer_start(s, 1, tmode(state), opt);
  s->mute |= TEV_HEADER;
  tpeer_handshake(s);
}

/* A hand-driven client session (we play the server) that accepts pushes
 * and has been told SETTINGS_MAX_CONCURRENT_STREAMS `limit` (0: none). */
static void client(tpeer *c, void **state, uint32_t limit) {
  h2w_options *opt;
  h2w_fb b;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_enable_push(opt, 1), H2W_OK);
  tpeer_start(c, 0, tmode(state), opt);
  h2w_options_del(opt);
  c->mute |= TEV_HEADER;
  tpeer_handshake(c);
  if (limit != 0) {
    h2w_settings_entry iv;
    iv.id = H2W_SETTINGS_MAX_CONCURRENT_STREAMS;
    iv.reserved = 0;
    iv.value = limit;
    h2w_fb_init(&b);
    h2w_fb_settings(&b, 0, &iv, 1);
    tpeer_feed_ok(c, &b);
    h2w_fb_free(&b);
  }
  tpeer_parse_out(c);
  tpeer_out_clear(c);
  tpeer_log_clear(c);
}

static void fb_push(tpeer *c, h2w_fb *b, uint32_t id, uint32_t promised) {
  uint8_t blk[512];
  size_t n = tpeer_block(c, blk, sizeof blk, PUSH_REQ);
  h2w_fb_begin(b, 0x5, 0x4, id);
  h2w_fb_u32(b, promised);
  h2w_fb_bytes(b, blk, n);
  h2w_fb_end(b);
}

/* ---- D: trailers on a stream we reset, many closes later --------------- */

/* The client sends a request with a body; the server application resets
 * it; `between` other requests open and close; then the trailers the
 * client had already sent arrive. §5.1: "An endpoint MUST ignore frames
 * that it receives on closed streams after it has sent a RST_STREAM
 * frame." They are decoded (the next request reuses their HPACK entry),
 * not delivered, and the connection lives. */
static void trailers_after_closes(void **state, uint32_t between) {
  tpeer s;
  h2w_fb b;
  uint32_t i, id = 3;
  char want[64];
  server(&s, state, NULL);
  s.mute |= TEV_BEGIN_HEADERS | TEV_HEADERS | TEV_END | TEV_CLOSE;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_rst_stream(s.s, 1, H2W_CANCEL), H2W_OK);
  for (i = 0; i < between; i++, id += 2) {
    tpeer_fb_headers(&s, &b, id, 0x1, GET_REQ);
    tpeer_feed_ok(&s, &b);
    tpeer_respond(&s, id, RESP_200, NULL);
    tpeer_read_out(&s);
    s.outlen = 0;
  }
  s.mute &= ~(unsigned)(TEV_HEADERS | TEV_CLOSE);
  tpeer_log_clear(&s);
  tpeer_fb_headers(&s, &b, 1, 0x1, H("x-checksum", "c0ffee"));
  tpeer_feed_ok(&s, &b);
  assert_false(tpeer_log_has(&s, "headers 1 *"));
  assert_no_error(&s);
  /* The HPACK table kept up: a request reusing the field decodes. */
  tpeer_fb_headers(&s, &b, id, 0x1,
                   H(":method", "GET", ":scheme", "https", ":authority",
                     "example.org", ":path", "/", "x-checksum", "c0ffee"));
  tpeer_feed_ok(&s, &b);
  snprintf(want, sizeof want, "headers %u req es=1", (unsigned)id);
  assert_true(tpeer_log_has(&s, want));
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_defect_d_trailers_after_64_closes(void **state) {
  trailers_after_closes(state, 64);
}

static void test_defect_d_trailers_after_1000_closes(void **state) {
  trailers_after_closes(state, 1000);
}

/* Late trailers on a stream we reset are ignored whatever they carry:
 * a PRIORITY flag depending on itself is not answered with a second
 * RST_STREAM on the closed stream. */
static void test_defect_d_ignored_trailers_self_dependent(void **state) {
  tpeer s;
  h2w_fb b;
  uint8_t blk[128];
  size_t n;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_rst_stream(s.s, 1, H2W_CANCEL), H2W_OK);
  tpeer_parse_out(&s);
  tpeer_out_clear(&s);
  n = tpeer_block(&s, blk, sizeof blk, H("x-checksum", "c0ffee"));
  h2w_fb_begin(&b, 0x1, 0x1 | 0x4 | 0x20, 1); /* ES, EH, PRIORITY */
  h2w_fb_u32(&b, 1);
  h2w_fb_u8(&b, 15);
  h2w_fb_bytes(&b, blk, n);
  h2w_fb_end(&b);
  tpeer_feed_ok(&s, &b);
  tpeer_parse_out(&s);
  assert_false(tpeer_out_has(&s, "RST_STREAM*"));
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* What the table still rejects: §5.1.1, a client id skipped and used
 * later; and a stream that ended normally, while remembered. */
static void test_defect_d_skipped_and_ended_ids(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_fb_headers(&s, &b, 7, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_fb_headers(&s, &b, 5, 0x1, GET_REQ);
  feed_err(&s, &b, H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=7 PROTOCOL_ERROR*");
  tpeer_free(&s);
  server(&s, state, NULL);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_respond(&s, 1, RESP_200, NULL);
  tpeer_parse_out(&s);
  tpeer_out_clear(&s);
  tpeer_fb_headers(&s, &b, 1, 0x1, H("x-late", "1"));
  feed_err(&s, &b, H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=1 STREAM_CLOSED*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- E: a queued request and a GOAWAY ------------------------------------ */

/* MAX_CONCURRENT_STREAMS 1, requests 1 and 3; GOAWAY(2^31-1, NO_ERROR):
 * §6.8, no new stream, so 3 closes at once, retryable, never sent; once
 * stream 1 ends the session has nothing left to read. */
static void test_defect_e_queued_request_closed_by_goaway(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  tpeer_parse_out(&c); /* HEADERS 1 leaves, 3 waits for the slot */
  h2w_fb_init(&b);
  h2w_fb_goaway(&b, 0x7fffffffu, H2W_NO_ERROR, "");
  tpeer_feed_ok(&c, &b);
  assert_true(tpeer_log_has(&c, "close 3 * retryable"));
  assert_int_equal(h2w_session_want_read(c.s), 1);
  tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  assert_true(tpeer_log_has(&c, "close 1 NO_ERROR"));
  tpeer_parse_out(&c);
  assert_true(tpeer_out_has(&c, "HEADERS 1*"));
  assert_false(tpeer_out_has(&c, "HEADERS 3*"));
  assert_int_equal(h2w_session_want_read(c.s), 0);
  assert_int_equal(h2w_session_open_streams(c.s), 0);
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* ---- F: HEADERS on our own queued stream -------------------------------- */

/* §5.1.1: stream 3 was never sent, so it is idle for the server; its
 * HEADERS (000001 01 04 00000003 88, ":status 200") is a connection
 * PROTOCOL_ERROR, not stream 3's response. */
static void test_defect_f_headers_on_queued_request(void **state) {
  static const uint8_t hdrs3[] = {0, 0, 1, 1, 4, 0, 0, 0, 3, 0x88};
  tpeer c;
  client(&c, state, 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  tpeer_log_clear(&c);
  assert_int_equal(tpeer_feed(&c, hdrs3, sizeof hdrs3), H2W_E_PROTOCOL);
  assert_false(tpeer_log_has(&c, "headers 3 *"));
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  tpeer_free(&c);
}

/* The same once the queued request was cancelled: it never left. */
static void test_defect_f_headers_on_cancelled_queued_request(void **state) {
  static const uint8_t hdrs3[] = {0, 0, 1, 1, 4, 0, 0, 0, 3, 0x88};
  tpeer c;
  client(&c, state, 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  assert_int_equal(h2w_session_submit_rst_stream(c.s, 3, H2W_CANCEL), H2W_OK);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  assert_int_equal(tpeer_feed(&c, hdrs3, sizeof hdrs3), H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  tpeer_free(&c);
}

/* ---- G: PUSH_PROMISE on a stream not open for it ------------------------ */

/* §6.6: "A receiver MUST treat the receipt of a PUSH_PROMISE on a stream
 * that is neither 'open' nor 'half-closed (local)' as a connection error
 * of type PROTOCOL_ERROR." Half-closed (remote): a POST whose body is
 * still being sent got its whole response. */
static void test_defect_g_push_on_half_closed_remote(void **state) {
  tpeer c;
  h2w_fb b;
  h2w_nv nv[8];
  h2w_data_source ds;
  tsrc *src;
  client(&c, state, 0);
  src = tpeer_source(&c, NULL, 10);
  src->defer_at = 5;
  ds = tsrc_ds(src);
  assert_int_equal(
      h2w_session_submit_request(c.s, nv, tnv(nv, 8, POST_REQ), &ds, NULL), 1);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  h2w_fb_init(&b);
  tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  assert_int_equal(h2w_session_stream_state(c.s, 1),
                   H2W_STREAM_STATE_HALF_CLOSED_REMOTE);
  fb_push(&c, &b, 1, 2);
  feed_err(&c, &b, H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  assert_false(tpeer_log_has(&c, "push*"));
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* The server reset the stream, then promised on it. */
static void test_defect_g_push_on_peer_reset_stream(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, 0);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  h2w_fb_init(&b);
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  tpeer_feed_ok(&c, &b);
  fb_push(&c, &b, 1, 2);
  feed_err(&c, &b, H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* The one exemption: a stream we reset; the promise is declined. */
static void test_defect_g_push_on_stream_we_reset(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, 0);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  tpeer_parse_out(&c); /* the HEADERS leave: the reset reaches the peer */
  assert_int_equal(h2w_session_submit_rst_stream(c.s, 1, H2W_CANCEL), H2W_OK);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  h2w_fb_init(&b);
  fb_push(&c, &b, 1, 2);
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "RST_STREAM 2 CANCEL");
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* ---- H: PRIORITY_UPDATE for idle push streams, and its idle notes ------- */

/* RFC 9218 §7.1: "Servers that receive a PRIORITY_UPDATE for a push stream
 * in the 'idle' state MUST respond with a connection error of type
 * PROTOCOL_ERROR." Frame: 000007 10 00 00000000 00000002 753d30. */
static void test_defect_h_priority_update_idle_push_stream(void **state) {
  /* clang-format off */
  static const uint8_t pu2[] = {
      0, 0, 7, 0x10, 0, 0, 0, 0, 0, /* frame header, stream 0 */
      0, 0, 0, 2, 'u', '=', '0'};   /* prioritized stream 2, "u=0" */
  /* clang-format on */
  tpeer s;
  server(&s, state, NULL);
  assert_int_equal(tpeer_feed(&s, pu2, sizeof pu2), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
  tpeer_free(&s);
}

static void fb_pu(h2w_fb *b, uint32_t id, const char *value) {
  h2w_fb_begin(b, 0x10, 0, 0);
  h2w_fb_u32(b, id);
  h2w_fb_str(b, value);
  h2w_fb_end(b);
}

/* §7.1: "The number of streams that have been prioritized but remain in
 * the 'idle' state plus the number of active streams ... MUST NOT exceed
 * the value of the SETTINGS_MAX_CONCURRENT_STREAMS parameter." */
static void test_defect_h_idle_notes_bounded_by_limit(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_concurrent_streams(opt, 2), H2W_OK);
  server(&s, state, opt);
  h2w_options_del(opt);
  h2w_fb_init(&b);
  fb_pu(&b, 1, "u=1");
  fb_pu(&b, 3, "u=1");
  fb_pu(&b, 3, "u=2"); /* the same idle stream again: still two */
  tpeer_feed_ok(&s, &b);
  fb_pu(&b, 5, "u=1");
  feed_err(&s, &b, H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Notes for ids the client skipped expire when it opens a higher one, so
 * ids it never opens cannot fill the table. */
static void test_defect_h_idle_notes_expire(void **state) {
  tpeer s;
  h2w_fb b;
  uint32_t id;
  int urgency = -1, incremental = -1;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  for (id = 3; id <= 33; id += 2) {
    fb_pu(&b, id, "u=6");
  }
  tpeer_feed_ok(&s, &b);
  tpeer_fb_headers(&s, &b, 35, 0x1, GET_REQ);
  fb_pu(&b, 37, "u=0");
  tpeer_fb_headers(&s, &b, 37, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_stream_priority(s.s, 37, &urgency, &incremental),
                   H2W_OK);
  assert_int_equal(urgency, 0);
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- PRIORITY on an idle stream ------------------------------------------ */

/* §6.4: "RST_STREAM frames MUST NOT be sent for a stream in the 'idle'
 * state." A PRIORITY that would be a stream error (depending on itself,
 * §5.3.1; a wrong length, §6.3) on an idle stream is a connection error
 * (§5.4.1 allows it for any stream error); no RST_STREAM, and no record
 * that would make the id look closed. */
static void test_defect_priority_self_dependency_on_idle(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  h2w_fb_hd(&b, 5, 0x2, 0, 1);
  h2w_fb_u32(&b, 1);
  h2w_fb_u8(&b, 15);
  feed_err(&s, &b, H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
  assert_false(tpeer_out_has(&s, "RST_STREAM*"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_defect_priority_bad_length_on_idle(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  h2w_fb_hd(&b, 4, 0x2, 0, 1);
  h2w_fb_u32(&b, 0);
  feed_err(&s, &b, H2W_E_FRAME_SIZE);
  EXPECT_OUT(&s, "GOAWAY last=0 FRAME_SIZE_ERROR*");
  assert_false(tpeer_out_has(&s, "RST_STREAM*"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* On an open stream the same PRIORITY stays a stream error. */
static void test_defect_priority_self_dependency_on_open(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_hd(&b, 5, 0x2, 0, 1);
  h2w_fb_u32(&b, 1);
  h2w_fb_u8(&b, 15);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_defect_d_trailers_after_64_closes),
      SPLIT_TESTS(test_defect_d_trailers_after_1000_closes),
      SPLIT_TESTS(test_defect_d_ignored_trailers_self_dependent),
      SPLIT_TESTS(test_defect_d_skipped_and_ended_ids),
      SPLIT_TESTS(test_defect_e_queued_request_closed_by_goaway),
      SPLIT_TESTS(test_defect_f_headers_on_queued_request),
      SPLIT_TESTS(test_defect_f_headers_on_cancelled_queued_request),
      SPLIT_TESTS(test_defect_g_push_on_half_closed_remote),
      SPLIT_TESTS(test_defect_g_push_on_peer_reset_stream),
      SPLIT_TESTS(test_defect_g_push_on_stream_we_reset),
      SPLIT_TESTS(test_defect_h_priority_update_idle_push_stream),
      SPLIT_TESTS(test_defect_h_idle_notes_bounded_by_limit),
      SPLIT_TESTS(test_defect_h_idle_notes_expire),
      SPLIT_TESTS(test_defect_priority_self_dependency_on_idle),
      SPLIT_TESTS(test_defect_priority_bad_length_on_idle),
      SPLIT_TESTS(test_defect_priority_self_dependency_on_open),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
