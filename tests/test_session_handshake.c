/* Session handshake (RFC 9113 §3.4 connection preface, §6.5 SETTINGS):
 * through the loopback pump and against a hand-driven peer, each receive
 * test in the three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

static uint32_t setting(const tpeer *p, int side, uint16_t id) {
  uint32_t v = 0xdeadbeefu;
  assert_int_equal(h2w_session_setting(p->s, side, id, &v), H2W_OK);
  return v;
}

/* §3.4: the client sends the magic then SETTINGS; the server SETTINGS;
 * each side acknowledges the other's (§6.5.3). */
static void test_pump_handshake(void **state) {
  tpeer c, s;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpump(&c, &s);
  EXPECT_LOG(&c, "settings*", "settings_ack");
  EXPECT_LOG(&s, "settings*", "settings_ack");
  assert_int_equal(c.recv_err, 0);
  assert_int_equal(s.recv_err, 0);
  /* The server's default limit is announced and applied by the client. */
  assert_int_equal(
      setting(&c, H2W_SETTINGS_REMOTE, H2W_SETTINGS_MAX_CONCURRENT_STREAMS),
      100);
  assert_int_equal(
      setting(&s, H2W_SETTINGS_LOCAL, H2W_SETTINGS_MAX_CONCURRENT_STREAMS),
      100);
  /* A client that did not enable push says so (§6.5.2 ENABLE_PUSH). */
  assert_int_equal(setting(&s, H2W_SETTINGS_REMOTE, H2W_SETTINGS_ENABLE_PUSH),
                   0);
  assert_false(h2w_session_want_write(c.s));
  assert_false(h2w_session_want_write(s.s));
  assert_true(h2w_session_want_read(c.s));
  assert_true(h2w_session_want_read(s.s));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* The client's first output is the magic and a SETTINGS frame (§3.4),
 * with ENABLE_PUSH 0 and our non-default options. */
static void test_client_preface_bytes(void **state) {
  tpeer c;
  h2w_options *opt = NULL;
  (void)state;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_initial_window_size(opt, 1000), H2W_OK);
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, opt);
  h2w_options_del(opt);
  assert_true(h2w_session_want_write(c.s));
  tpeer_parse_out(&c);
  assert_true(c.preface_seen);
  assert_non_null(strstr(c.frames.buf, "PREFACE\nSETTINGS "));
  assert_non_null(strstr(c.frames.buf, " 2:0"));
  assert_non_null(strstr(c.frames.buf, " 4:1000"));
  tpeer_free(&c);
}

/* The server's preface is a SETTINGS frame, sent before it has seen the
 * client's (§3.4: endpoints may send without waiting). */
static void test_server_settings_first(void **state) {
  tpeer s;
  (void)state;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  EXPECT_OUT(&s, "SETTINGS 3:100*");
  tpeer_free(&s);
}

/* A server that receives anything but the magic closes the connection
 * with PROTOCOL_ERROR (§3.4), already at the first wrong octet. */
static void test_bad_preface(void **state) {
  tpeer s;
  static const char h1[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  h2w_ssize rv;
  tpeer_start(&s, 1, tmode(state), NULL);
  EXPECT_OUT(&s, "SETTINGS*");
  rv = tpeer_feed(&s, (const uint8_t *)h1, sizeof h1 - 1);
  assert_int_equal(rv, H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR");
  assert_false(h2w_session_want_read(s.s));
  tpeer_free(&s);
}

/* §3.4: the first frame after the magic must be SETTINGS. */
static void test_first_frame_not_settings_server(void **state) {
  tpeer s;
  h2w_fb b;
  tpeer_start(&s, 1, tmode(state), NULL);
  EXPECT_OUT(&s, "SETTINGS*");
  h2w_fb_init(&b);
  tfb_client_preface(&b, NULL, 0);
  /* Replace the SETTINGS after the magic by a PING. */
  b.len = 24;
  h2w_fb_ping(&b, 0, 1);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The same rule for the server's preface seen by a client. */
static void test_first_frame_not_settings_client(void **state) {
  tpeer c;
  h2w_fb b;
  tpeer_start(&c, 0, tmode(state), NULL);
  EXPECT_OUT(&c, "PREFACE", "SETTINGS*");
  h2w_fb_init(&b);
  h2w_fb_window_update(&b, 0, 100);
  assert_int_equal(tpeer_feed_fb(&c, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* A SETTINGS frame is applied and acknowledged at once (§6.5.3); the
 * peer's values become the REMOTE settings, unknown ids are ignored
 * (§6.5.2). */
static void test_settings_applied_and_acked(void **state) {
  tpeer s;
  h2w_fb b;
  static const h2w_settings_entry iv[] = {
      {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 7},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000},
      {0x7777, 0, 1},
      {H2W_SETTINGS_MAX_FRAME_SIZE, 0, 20000}};
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, iv, 4);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  EXPECT_LOG(&s, "settings 3:7 4:1000 30583:1 5:20000");
  EXPECT_OUT(&s, "SETTINGS ack");
  assert_int_equal(
      setting(&s, H2W_SETTINGS_REMOTE, H2W_SETTINGS_MAX_CONCURRENT_STREAMS), 7);
  assert_int_equal(
      setting(&s, H2W_SETTINGS_REMOTE, H2W_SETTINGS_INITIAL_WINDOW_SIZE), 1000);
  assert_int_equal(
      setting(&s, H2W_SETTINGS_REMOTE, H2W_SETTINGS_MAX_FRAME_SIZE), 20000);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Our settings are in force only once acknowledged (§6.5.3): before the
 * ACK, LOCAL still reads the protocol defaults. */
static void test_local_settings_wait_for_ack(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_initial_window_size(opt, 1000), H2W_OK);
  assert_int_equal(h2w_options_set_max_frame_size(opt, 32768), H2W_OK);
  tpeer_start(&s, 1, tmode(state), opt);
  h2w_options_del(opt);
  h2w_fb_init(&b);
  tfb_client_preface(&b, NULL, 0);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  EXPECT_OUT(&s, "SETTINGS*", "SETTINGS ack");
  assert_int_equal(
      setting(&s, H2W_SETTINGS_LOCAL, H2W_SETTINGS_INITIAL_WINDOW_SIZE), 65535);
  assert_int_equal(setting(&s, H2W_SETTINGS_LOCAL, H2W_SETTINGS_MAX_FRAME_SIZE),
                   16384);
  /* Until then the peer may use the old window: 5000 octets on a stream
   * are no flow-control violation. */
  h2w_fb_clear(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_begin(&b, 0, 0, 1);
  h2w_fb_zeros(&b, 5000);
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  assert_true(tpeer_log_has(&s, "data 1 5000"));
  tpeer_log_clear(&s);
  h2w_fb_clear(&b);
  h2w_fb_settings(&b, 0x1, NULL, 0);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  EXPECT_LOG(&s, "settings_ack");
  assert_int_equal(
      setting(&s, H2W_SETTINGS_LOCAL, H2W_SETTINGS_INITIAL_WINDOW_SIZE), 1000);
  assert_int_equal(setting(&s, H2W_SETTINGS_LOCAL, H2W_SETTINGS_MAX_FRAME_SIZE),
                   32768);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* submit_settings through the pump: in force after the ACK round trip. */
static void test_submit_settings_pump(void **state) {
  tpeer c, s;
  static const h2w_settings_entry iv[] = {
      {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 3}};
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpump(&c, &s);
  tpeer_log_clear(&c);
  tpeer_log_clear(&s);
  assert_int_equal(h2w_session_submit_settings(s.s, iv, 1), H2W_OK);
  assert_int_equal(
      setting(&s, H2W_SETTINGS_LOCAL, H2W_SETTINGS_MAX_CONCURRENT_STREAMS),
      100);
  tpump(&c, &s);
  EXPECT_LOG(&c, "settings 3:3");
  EXPECT_LOG(&s, "settings_ack");
  assert_int_equal(
      setting(&s, H2W_SETTINGS_LOCAL, H2W_SETTINGS_MAX_CONCURRENT_STREAMS), 3);
  assert_int_equal(
      setting(&c, H2W_SETTINGS_REMOTE, H2W_SETTINGS_MAX_CONCURRENT_STREAMS), 3);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Values outside their RFC range are refused at submit time. */
static void test_submit_settings_range(void **state) {
  tpeer s;
  h2w_settings_entry iv = {H2W_SETTINGS_MAX_FRAME_SIZE, 0, 100};
  (void)state;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  assert_int_equal(h2w_session_submit_settings(s.s, &iv, 1),
                   H2W_E_INVALID_ARGUMENT);
  iv.id = H2W_SETTINGS_ENABLE_PUSH;
  iv.value = 2;
  assert_int_equal(h2w_session_submit_settings(s.s, &iv, 1),
                   H2W_E_INVALID_ARGUMENT);
  iv.id = H2W_SETTINGS_INITIAL_WINDOW_SIZE;
  iv.value = 0x80000000u;
  assert_int_equal(h2w_session_submit_settings(s.s, &iv, 1),
                   H2W_E_INVALID_ARGUMENT);
  tpeer_free(&s);
}

/* Invalid SETTINGS from the peer (§6.5, §6.5.2): each a connection error
 * with its own code. */
static void bad_settings(int mode, int ack, const h2w_settings_entry *iv,
                         size_t n, uint32_t stream, int lib, const char *want) {
  tpeer s;
  h2w_fb b;
  tpeer_start(&s, 1, mode, NULL);
  tpeer_handshake(&s);
  h2w_fb_init(&b);
  h2w_fb_begin(&b, 0x4, ack ? 1u : 0u, stream);
  while (n-- > 0) {
    h2w_fb_u16(&b, iv->id);
    h2w_fb_u32(&b, iv->value);
    iv++;
  }
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&s, &b), lib);
  EXPECT_OUT(&s, want);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_settings_invalid(void **state) {
  int m = tmode(state);
  h2w_settings_entry iv = {H2W_SETTINGS_ENABLE_PUSH, 0, 2};
  bad_settings(m, 0, &iv, 1, 0, H2W_E_PROTOCOL,
               "GOAWAY last=0 PROTOCOL_ERROR*");
  iv.id = H2W_SETTINGS_INITIAL_WINDOW_SIZE;
  iv.value = 0x80000000u;
  bad_settings(m, 0, &iv, 1, 0, H2W_E_FLOW_CONTROL,
               "GOAWAY last=0 FLOW_CONTROL_ERROR*");
  iv.id = H2W_SETTINGS_MAX_FRAME_SIZE;
  iv.value = 16383;
  bad_settings(m, 0, &iv, 1, 0, H2W_E_PROTOCOL,
               "GOAWAY last=0 PROTOCOL_ERROR*");
  iv.value = 16777216;
  bad_settings(m, 0, &iv, 1, 0, H2W_E_PROTOCOL,
               "GOAWAY last=0 PROTOCOL_ERROR*");
  /* §6.5: an ACK with a payload, a SETTINGS on a stream. */
  bad_settings(m, 1, &iv, 1, 0, H2W_E_FRAME_SIZE,
               "GOAWAY last=0 FRAME_SIZE_ERROR*");
  iv.value = 16384;
  bad_settings(m, 0, &iv, 1, 1, H2W_E_PROTOCOL,
               "GOAWAY last=0 PROTOCOL_ERROR*");
}

/* §6.5.2: a client treats ENABLE_PUSH 1 from a server as PROTOCOL_ERROR. */
static void test_client_refuses_enable_push(void **state) {
  tpeer c;
  h2w_fb b;
  static const h2w_settings_entry iv = {H2W_SETTINGS_ENABLE_PUSH, 0, 1};
  tpeer_start(&c, 0, tmode(state), NULL);
  EXPECT_OUT(&c, "PREFACE", "SETTINGS*");
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, &iv, 1);
  assert_int_equal(tpeer_feed_fb(&c, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* §6.5.3: SETTINGS not acknowledged in time -> SETTINGS_TIMEOUT, driven
 * by the caller's clock through tick/next_deadline. */
static void test_settings_timeout(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_settings_timeout(opt, 1000), H2W_OK);
  tpeer_start(&s, 1, tmode(state), opt);
  h2w_options_del(opt);
  assert_int_equal(h2w_session_tick(s.s, 100), H2W_OK);
  h2w_fb_init(&b);
  tfb_client_preface(&b, NULL, 0);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  EXPECT_OUT(&s, "SETTINGS*", "SETTINGS ack");
  EXPECT_LOG(&s, "settings");
  /* Sent at 100: due at 1100. */
  assert_int_equal(h2w_session_next_deadline(s.s), 1100);
  assert_int_equal(h2w_session_tick(s.s, 1099), H2W_OK);
  EXPECT_OUT_EMPTY(&s);
  assert_int_equal(h2w_session_tick(s.s, 1100), H2W_E_TIMEOUT);
  EXPECT_OUT(&s, "GOAWAY last=0 SETTINGS_TIMEOUT*");
  EXPECT_LOG(&s, "error 0 SETTINGS_TIMEOUT");
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_E_TIMEOUT);
  assert_int_equal(h2w_session_tick(s.s, 5000), H2W_E_TIMEOUT);
  /* Input after the error is ignored, with the sticky result. */
  h2w_fb_clear(&b);
  h2w_fb_settings(&b, 0x1, NULL, 0);
  assert_int_equal(h2w_session_recv(s.s, b.buf, b.len), H2W_E_TIMEOUT);
  EXPECT_LOG_EMPTY(&s);
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The ACK disarms the timer; a later submit_settings arms it again. */
static void test_settings_timer_disarmed(void **state) {
  tpeer s;
  static const h2w_settings_entry iv = {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0,
                                        10};
  h2w_fb b;
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  assert_int_equal(h2w_session_next_deadline(s.s), UINT64_MAX);
  assert_int_equal(h2w_session_tick(s.s, 1000000), H2W_OK);
  assert_int_equal(h2w_session_submit_settings(s.s, &iv, 1), H2W_OK);
  EXPECT_OUT(&s, "SETTINGS 3:10");
  /* Default timeout 10 s. */
  assert_int_equal(h2w_session_next_deadline(s.s), 1010000);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0x1, NULL, 0);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  EXPECT_LOG(&s, "settings_ack");
  assert_int_equal(h2w_session_next_deadline(s.s), UINT64_MAX);
  assert_int_equal(h2w_session_tick(s.s, 2000000), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Time never goes backwards: a smaller tick changes nothing. */
static void test_tick_monotonic(void **state) {
  tpeer s;
  h2w_options *opt = NULL;
  (void)state;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_settings_timeout(opt, 50), H2W_OK);
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, opt);
  h2w_options_del(opt);
  assert_int_equal(h2w_session_tick(s.s, 1000), H2W_OK);
  EXPECT_OUT(&s, "SETTINGS*");
  assert_int_equal(h2w_session_next_deadline(s.s), 1050);
  assert_int_equal(h2w_session_tick(s.s, 10), H2W_OK);
  assert_int_equal(h2w_session_next_deadline(s.s), 1050);
  assert_int_equal(h2w_session_tick(s.s, 1050), H2W_E_TIMEOUT);
  tpeer_free(&s);
}

/* settings_timeout 0 disables the timer. */
static void test_settings_timeout_disabled(void **state) {
  tpeer s;
  h2w_options *opt = NULL;
  (void)state;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_settings_timeout(opt, 0), H2W_OK);
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, opt);
  h2w_options_del(opt);
  EXPECT_OUT(&s, "SETTINGS*");
  assert_int_equal(h2w_session_next_deadline(s.s), UINT64_MAX);
  assert_int_equal(h2w_session_tick(s.s, UINT64_MAX - 1), H2W_OK);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_pump_handshake),
      cmocka_unit_test(test_client_preface_bytes),
      cmocka_unit_test(test_server_settings_first),
      SPLIT_TESTS(test_bad_preface),
      SPLIT_TESTS(test_first_frame_not_settings_server),
      SPLIT_TESTS(test_first_frame_not_settings_client),
      SPLIT_TESTS(test_settings_applied_and_acked),
      SPLIT_TESTS(test_local_settings_wait_for_ack),
      SPLIT_TESTS(test_submit_settings_pump),
      cmocka_unit_test(test_submit_settings_range),
      SPLIT_TESTS(test_settings_invalid),
      SPLIT_TESTS(test_client_refuses_enable_push),
      SPLIT_TESTS(test_settings_timeout),
      SPLIT_TESTS(test_settings_timer_disarmed),
      cmocka_unit_test(test_tick_monotonic),
      cmocka_unit_test(test_settings_timeout_disabled),
  };
  /* clang-format on */
  tpeer_no_clock = 1; /* these tests start the clock themselves */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
