/* Regression tests for the findings of the session test suite and fuzzers
 * against the first session core (d560327): each test names the finding it
 * checks (A-K) and runs whole, in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

static const char magic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static void server(tpeer *s, void **state) {
  tpeer_start(s, 1, tmode(state), NULL);
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpeer_handshake(s);
}

/* Finding A. RFC 9113 §3.4: the server's SETTINGS "MUST be the first
 * frame the server sends". A connection error found before the
 * application read any output drops the queued preface SETTINGS and the
 * GOAWAY goes out alone. */
static void test_bad_preface_keeps_server_settings(void **state) {
  tpeer s;
  uint8_t bad[24];
  tpeer_start(&s, 1, tmode(state), NULL);
  memcpy(bad, magic, 24);
  bad[23] = 'X';
  assert_int_equal(tpeer_feed(&s, bad, 24), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "SETTINGS*", "GOAWAY last=0 PROTOCOL_ERROR*");
  tpeer_free(&s);
}

static void test_first_frame_not_settings_keeps_server_settings(void **state) {
  tpeer s;
  h2w_fb b;
  tpeer_start(&s, 1, tmode(state), NULL);
  h2w_fb_init(&b);
  h2w_fb_bytes(&b, magic, 24);
  h2w_fb_ping(&b, 0, 1);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "SETTINGS*", "GOAWAY last=0 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Finding B. RFC 9113 §5.1.1: "An endpoint that receives an unexpected
 * stream identifier MUST respond with a connection error of type
 * PROTOCOL_ERROR." HEADERS on 3 after 5 was opened is silently ignored
 * (src/session.c h2w_stream_state_of_id treats every lower id as a stream
 * we reset). */
static void test_decreasing_stream_id(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 5, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_log_clear(&s);
  tpeer_fb_headers(&s, &b, 3, 0x1, GET_REQ);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=5 PROTOCOL_ERROR*");
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR", "close 5 PROTOCOL_ERROR conn");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Finding C. h2wire.h: a stream's user data "lives until its
 * on_stream_close callback returns"; h2w_reap() unlinks the stream from
 * the reap list before calling on_stream_close, so the getter returns
 * NULL inside that callback. */
static int close_hook(tpeer *p, const tev *ev) {
  if (ev->type == TEV_CLOSE) {
    assert_ptr_equal(h2w_session_get_stream_user_data(p->s, ev->stream_id),
                     p->app);
  }
  return 0;
}

static void test_user_data_in_close_callback(void **state) {
  tpeer s;
  h2w_fb b;
  int mark;
  server(&s, state);
  s.app = &mark;
  s.hook = close_hook;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_set_stream_user_data(s.s, 1, &mark), H2W_OK);
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  tpeer_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "close 1 CANCEL reset"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Finding D. h2wire.h: callbacks return 0, H2W_E_PAUSE or a failure;
 * on_frame_send treats H2W_E_PAUSE as a failure (src/send.c
 * frame_sent: `if (rv < 0)`), and the failure inside drain_queue then
 * corrupts the output queue (finding E). */
static int pause_frame_send(tpeer *p, const tev *ev) {
  (void)p;
  return ev->type == TEV_FRAME_SEND ? H2W_E_PAUSE : 0;
}

static void test_pause_from_frame_send(void **state) {
  tpeer c, s;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  c.hook = pause_frame_send;
  tpump(&c, &s);
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  assert_true(tpeer_log_has(&c, "settings_ack"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Finding E (memory safety). A failing on_frame_send while send() drains
 * several queued frames: h2w_send_fatal() truncates the queue inside
 * report_upto(), then drain_queue() consumes the length it computed
 * before, the queue head passes its tail and a later send() memcpy()s
 * ~64 KiB past the buffer (ASan heap-buffer-overflow in drain_queue). */
static int fail_frame_send(tpeer *p, const tev *ev) {
  (void)p;
  return ev->type == TEV_FRAME_SEND ? -1 : 0;
}

static void test_frame_send_failure_keeps_queue_sane(void **state) {
  tpeer s;
  h2w_fb b;
  uint8_t buf[65536];
  int i;
  (void)state;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  h2w_fb_init(&b);
  tfb_client_preface(&b, NULL, 0);
  for (i = 0; i < 3; i++) {
    h2w_fb_ping(&b, 0, (uint64_t)i);
  }
  tpeer_feed_ok(&s, &b);
  s.hook = fail_frame_send;
  for (i = 0; i < 4; i++) {
    h2w_ssize n = h2w_session_send(s.s, buf, sizeof buf);
    assert_true(n == H2W_E_CALLBACK_FAILURE || (n > 0 && n < 200));
  }
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL),
                   H2W_E_CALLBACK_FAILURE);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Finding F (memory safety). src/recv.c h2w_recv: when the frame reader
 * returns H2W_E_NOMEM it does not fill `ferr` (frame.h: only on
 * FRAME_SIZE), yet h2w_conn_error() gets ferr.code and ferr.reason:
 * uninitialized. on_error receives a wild pointer and h2w_send_fatal()
 * strlen()s it for the GOAWAY debug data. */
static void test_nomem_in_frame_reader(void **state) {
  tpeer s;
  h2w_fb b;
  size_t half;
  (void)state;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  tpeer_handshake(&s);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  /* An extension frame (RFC 9113 §5.5), which the reader reassembles:
   * DATA would be passed through in pieces, with nothing to allocate. */
  h2w_fb_begin(&b, 0xfa, 0, 1);
  h2w_fb_zeros(&b, 3000);
  h2w_fb_end(&b);
  /* The frame arrives in two pieces: the reader must buffer the first. */
  half = b.len / 2;
  s.alloc.fail_all = 1;
  (void)h2w_session_recv(s.s, b.buf, half);
  s.alloc.fail_all = 0;
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_E_NOMEM);
  assert_non_null(s.last_reason);
  assert_true(strlen(s.last_reason) < 100);
  EXPECT_OUT(&s, "GOAWAY last=1 INTERNAL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Finding G. h2w_session_error() documents *offset as "the input byte
 * offset where the error was detected"; for a frame that arrived in
 * pieces it is the offset of the last piece (recv.c sets frame_start at
 * every call), so the value depends on how the input was split. */
static void test_error_offset_split_invariant(void **state) {
  tpeer s;
  h2w_fb b;
  uint64_t offset = 0;
  server(&s, state);
  h2w_fb_init(&b);
  h2w_fb_window_update(&b, 1, 100); /* idle stream: PROTOCOL_ERROR */
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, &offset), H2W_E_PROTOCOL);
  assert_int_equal(offset, 24 + 9 + 9); /* magic, SETTINGS, SETTINGS ACK */
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Finding H (question). The ACK of the PING h2w_session_shutdown() sends
 * on its own is reported to the application through on_ping_ack, which
 * h2wire.h describes as "A PING we sent was acknowledged". */
static void test_shutdown_ping_not_reported(void **state) {
  tpeer s;
  h2w_fb b;
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_log_clear(&s);
  assert_int_equal(h2w_session_shutdown(s.s), H2W_OK);
  tpeer_out_clear(&s);
  h2w_fb_ping(&b, 1, 0x6832777368757431ull);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  EXPECT_OUT(&s, "GOAWAY last=1 NO_ERROR");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Finding I (question). h2wire.h: h2w_session_error's *wire_code is "the
 * RFC 9113 §7 code sent or received in GOAWAY"; after a GOAWAY with
 * ENHANCE_YOUR_CALM the receiver reports H2W_OK and code 0, and
 * want_read stays 1 although the peer is closing the connection. */
static void test_error_goaway_received_is_reported(void **state) {
  tpeer c;
  h2w_fb b;
  uint32_t code = 0;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_handshake(&c);
  h2w_fb_init(&b);
  h2w_fb_goaway(&b, 0, H2W_ENHANCE_YOUR_CALM, "calm");
  (void)tpeer_feed_fb(&c, &b);
  (void)h2w_session_error(c.s, &code, NULL, NULL);
  assert_int_equal(code, H2W_ENHANCE_YOUR_CALM);
  assert_false(h2w_session_want_read(c.s));
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* Finding J. Manual flow control: h2w_session_consume() for the chunk
 * being delivered, called from on_data (the natural place for an
 * application that handles data synchronously), returns
 * H2W_E_INVALID_ARGUMENT: recv.c deliver_data() counts the chunk as
 * unconsumed only after on_data returns. */
static int consume_in_on_data(tpeer *p, const tev *ev) {
  if (ev->type == TEV_DATA) {
    assert_int_equal(h2w_session_consume(p->s, ev->stream_id, ev->len), H2W_OK);
  }
  return 0;
}

static void test_consume_inside_on_data(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_manual_flow_control(opt, 1), H2W_OK);
  tpeer_start(&s, 1, tmode(state), opt);
  h2w_options_del(opt);
  tpeer_handshake(&s);
  s.hook = consume_in_on_data;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_data(&b, 1, 0, "hello");
  tpeer_feed_ok(&s, &b);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Finding K. h2wire.h: a data source is "Called only when flow control
 * allows at least one byte". A request body submitted before the
 * server's SETTINGS arrive, then INITIAL_WINDOW_SIZE 0 (§6.9.2): the
 * stream stays in the DATA scheduler with a window of 0 and its source is
 * polled with len 0 (a source answering 0 is then deferred, so the body
 * stalls even after WINDOW_UPDATE). Found by fuzz_session_client. */
static void test_no_read_on_empty_window(void **state) {
  tpeer c;
  h2w_fb b;
  tsrc *src;
  static const h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 0};
  tpeer_start(&c, 0, tmode(state), NULL);
  src = tpeer_source(&c, NULL, 1000);
  assert_int_equal(tpeer_request(&c, POST_REQ, src), 1);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, &iv, 1);
  h2w_fb_settings(&b, 1, NULL, 0);
  h2w_fb_window_update(&b, 0, 1);
  tpeer_feed_ok(&c, &b);
  /* The request waited for output: its HEADERS follow the ACK. */
  EXPECT_OUT(&c, "PREFACE", "SETTINGS*", "SETTINGS ack", "HEADERS 1 eh*");
  assert_int_equal(src->reads, 0);
  h2w_fb_window_update(&b, 1, 100);
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "DATA 1 100");
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* A stream reset from on_frame_send while its last DATA frame (body done,
 * trailers waiting) is being sent: nothing may follow the RST_STREAM, the
 * waiting trailers included. Found by fuzz_session_client in .ci/run. */
static int reset_on_data(tpeer *p, const tev *ev) {
  if (ev->type == TEV_FRAME_SEND && ev->line != NULL &&
      strncmp(ev->line, "frame_send DATA 1 ", 18) == 0) {
    return h2w_session_submit_rst_stream(p->s, 1, H2W_CANCEL);
  }
  return 0;
}

static void test_no_trailers_after_reset_in_callback(void **state) {
  tpeer c;
  tsrc *body;
  h2w_nv nv[2];
  size_t n;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_handshake(&c);
  body = tpeer_source(&c, NULL, 10);
  body->trailers = 1;
  (void)tpeer_request(&c, POST_REQ, body);
  n = tnv(nv, 2, H("x-checksum", "1"));
  assert_int_equal(h2w_session_submit_trailers(c.s, 1, nv, n), H2W_OK);
  c.hook = reset_on_data;
  /* Read whole, DATA is written in place and the reset comes before the
   * trailers could be queued; read in pieces, DATA is queued and its
   * trailers (END_STREAM) with it, before the reset. Either way the
   * RST_STREAM is the last frame. */
  tpeer_parse_out(&c);
  assert_non_null(c.frames.buf);
  assert_true(strstr(c.frames.buf, "DATA 1 10\n") != NULL);
  {
    const char *rst = strstr(c.frames.buf, "RST_STREAM 1 CANCEL\n");
    assert_non_null(rst);
    assert_string_equal(rst, "RST_STREAM 1 CANCEL\n");
  }
  tpeer_out_clear(&c);
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  tpeer_free(&c);
}

/* Found by the Python binding's tests: a body source that ran dry
 * (deferred), then ends empty because trailers were submitted, must not
 * put an empty DATA frame (no payload, no END_STREAM) on the wire: the
 * trailers follow the last real DATA frame directly. */
typedef struct dry_src {
  int calls;
  int ended; /* the application has no more body: EOF + trailers */
} dry_src;

static h2w_ssize dry_read(h2w_session *s, uint32_t id, uint8_t *buf, size_t len,
                          uint32_t *flags, void *user) {
  dry_src *d = user;
  (void)s;
  (void)id;
  if (d->calls++ == 0 && len >= 5) {
    memcpy(buf, "hello", 5);
    return 5;
  }
  if (!d->ended) {
    return H2W_E_DEFERRED;
  }
  *flags |= H2W_DATA_FLAG_EOF | H2W_DATA_FLAG_NO_END_STREAM;
  return 0;
}

static void test_no_empty_data_before_trailers(void **state) {
  static const h2w_nv t = {(const uint8_t *)"x-t", 3, (const uint8_t *)"1", 1,
                           0};
  tpeer s;
  h2w_fb b;
  h2w_nv nv[2];
  size_t n = tnv(nv, 2, RESP_200);
  dry_src d = {0, 0};
  h2w_data_source ds = {dry_read, NULL, &d};
  server(&s, state);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_response(s.s, 1, nv, n, &ds), H2W_OK);
  EXPECT_OUT(&s, "HEADERS 1 eh :status=200", "DATA 1 5");
  assert_int_equal(h2w_session_submit_trailers(s.s, 1, &t, 1), H2W_OK);
  d.ended = 1;
  assert_int_equal(h2w_session_resume_data(s.s, 1), H2W_OK);
  EXPECT_OUT(&s, "HEADERS 1 es eh x-t=1");
  assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_CLOSED);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* fuzz/README.md, regress_harness_close_callback_submit: the fuzz
 * harness required want_write before every send() that wrote, but
 * send() first fires the close callbacks still due (h2wire.h,
 * "Reentrancy": on_stream_close runs inside recv, send, peek, ack or
 * tick). A queued request reset before it left closes with nothing to
 * write (RFC 9113 §5.1: for the peer it stays idle), so want_write is
 * rightly 0; a request its on_stream_close submits is announced by
 * want_write right after that submit and leaves in the same send(). */
static int close_submits(tpeer *p, const tev *ev) {
  int *ww_after = p->app;
  if (ev->type == TEV_CLOSE && ev->stream_id == 1) {
    assert_true(tpeer_request(p, GET_REQ, NULL) == 3);
    *ww_after = h2w_session_want_write(p->s);
  }
  return 0;
}

static void test_close_callback_submit_announced(void **state) {
  tpeer c;
  int ww_after = -1;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_handshake(&c);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(h2w_session_submit_rst_stream(c.s, 1, H2W_CANCEL), H2W_OK);
  /* Stream 1 never left: no RST_STREAM, nothing to write, its close
   * callback still due. */
  assert_int_equal(h2w_session_want_write(c.s), 0);
  assert_int_equal(tpeer_log_has(&c, "close 1*"), 0);
  c.app = &ww_after;
  c.hook = close_submits;
  EXPECT_OUT(&c, "HEADERS 3 es eh*");
  assert_int_equal(ww_after, 1);
  assert_int_equal(tpeer_log_has(&c, "close 1*"), 1);
  assert_int_equal(h2w_session_want_write(c.s), 0);
  tpeer_free(&c);
}

/* fuzz/README.md, regress_harness_close_callback_fail: the same due
 * on_stream_close, run inside send() with want_write rightly 0, fails
 * instead. The failure ends the connection (h2wire.h: any value but 0 or
 * a defined answer is a failure, H2W_E_CALLBACK_FAILURE, sticky), and
 * that very send() still gives its GOAWAY (h2w_session_send(): after a
 * fatal error the queued bytes up to and including the GOAWAY). */
static int close_fails(tpeer *p, const tev *ev) {
  (void)p;
  return ev->type == TEV_CLOSE && ev->stream_id == 1 ? -1 : 0;
}

static void test_close_callback_fail_goaway(void **state) {
  tpeer c;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_handshake(&c);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(h2w_session_submit_rst_stream(c.s, 1, H2W_CANCEL), H2W_OK);
  assert_int_equal(h2w_session_want_write(c.s), 0);
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  c.hook = close_fails;
  EXPECT_OUT(&c, "GOAWAY last=0 INTERNAL_ERROR*");
  assert_int_equal(tpeer_log_has(&c, "close 1*"), 1);
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL),
                   H2W_E_CALLBACK_FAILURE);
  assert_int_equal(h2w_session_want_write(c.s), 0);
  tpeer_free(&c);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_bad_preface_keeps_server_settings),
      SPLIT_TESTS(test_first_frame_not_settings_keeps_server_settings),
      SPLIT_TESTS(test_decreasing_stream_id),
      SPLIT_TESTS(test_user_data_in_close_callback),
      SPLIT_TESTS(test_pause_from_frame_send),
      cmocka_unit_test(test_frame_send_failure_keeps_queue_sane),
      cmocka_unit_test(test_nomem_in_frame_reader),
      SPLIT_TESTS(test_error_offset_split_invariant),
      SPLIT_TESTS(test_shutdown_ping_not_reported),
      SPLIT_TESTS(test_error_goaway_received_is_reported),
      SPLIT_TESTS(test_consume_inside_on_data),
      SPLIT_TESTS(test_no_read_on_empty_window),
      SPLIT_TESTS(test_no_trailers_after_reset_in_callback),
      SPLIT_TESTS(test_no_empty_data_before_trailers),
      SPLIT_TESTS(test_close_callback_submit_announced),
      SPLIT_TESTS(test_close_callback_fail_goaway),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
