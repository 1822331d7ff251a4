/* ALTSVC (RFC 7838 §4), ORIGIN (RFC 8336 §2) and extension frames of
 * types this library does not implement (RFC 9113 §5.5): submitting,
 * receiving, and the rules that make each ignored. Receive tests in the
 * three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

#define U8(str) ((const uint8_t *)(str))

static void pair(tpeer *c, tpeer *s, void **state) {
  tpeer_start(c, 0, tmode(state), NULL);
  tpeer_start(s, 1, tmode(state), NULL);
  c->mute =
      (c->mute | TEV_HEADER | TEV_BEGIN_HEADERS) & ~(unsigned)TEV_EXTENSION;
  s->mute =
      (s->mute | TEV_HEADER | TEV_BEGIN_HEADERS) & ~(unsigned)TEV_EXTENSION;
  tpump(c, s);
  tpeer_log_clear(c);
  tpeer_log_clear(s);
}

static void test_altsvc_connection_and_stream(void **state) {
  tpeer c, s;
  int32_t id;
  static const char v0[] = "h2=\"alt.example.org:443\"; ma=3600";
  pair(&c, &s, state);
  assert_int_equal(h2w_session_submit_altsvc(s.s, 0, U8("https://example.org"),
                                             19, U8(v0), strlen(v0)),
                   H2W_OK);
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_int_equal(h2w_session_submit_altsvc(s.s, (uint32_t)id, NULL, 0,
                                             U8("h3=\":443\""), 9),
                   H2W_OK);
  tpeer_respond(&s, (uint32_t)id, RESP_200, NULL);
  tpump(&c, &s);
  EXPECT_LOG(&c,
             "altsvc 0 origin=https://example.org value=h2=\"alt.example.org:"
             "443\"; ma=3600",
             "altsvc 1 origin= value=h3=\":443\"", "headers 1 resp es=1",
             "end 1", "close 1 NO_ERROR");
  tpeer_free(&c);
  tpeer_free(&s);
}

static void test_altsvc_submit_rules(void **state) {
  tpeer c, s;
  pair(&c, &s, state);
  /* Stream 0 needs an origin; a stream must not have one. */
  assert_int_equal(h2w_session_submit_altsvc(s.s, 0, NULL, 0, U8("x"), 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_submit_altsvc(s.s, 1, U8("o"), 1, U8("x"), 1),
                   H2W_E_INVALID_ARGUMENT);
  /* A stream that is not open, and a client: wrong state. */
  assert_int_equal(h2w_session_submit_altsvc(s.s, 1, NULL, 0, U8("x"), 1),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_submit_altsvc(c.s, 0, U8("o"), 1, U8("x"), 1),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_submit_altsvc(NULL, 0, U8("o"), 1, U8("x"), 1),
                   H2W_E_INVALID_ARGUMENT);
  EXPECT_OUT_EMPTY(&s);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* RFC 7838 §4: frames breaking the rules are ignored, never errors; a
 * server ignores ALTSVC altogether. */
static void test_altsvc_ignored(void **state) {
  tpeer c, srv;
  h2w_fb b;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_handshake(&c);
  h2w_fb_init(&b);
  /* Stream 0 with an empty origin. */
  h2w_fb_begin(&b, 0xa, 0, 0);
  h2w_fb_u16(&b, 0);
  h2w_fb_str(&b, "h2=\":1\"");
  h2w_fb_end(&b);
  /* Stream 3 (never opened) without origin; stream 1 with one. */
  h2w_fb_begin(&b, 0xa, 0, 3);
  h2w_fb_u16(&b, 0);
  h2w_fb_str(&b, "h2=\":1\"");
  h2w_fb_end(&b);
  h2w_fb_begin(&b, 0xa, 0, 1);
  h2w_fb_u16(&b, 1);
  h2w_fb_str(&b, "oh2=\":1\"");
  h2w_fb_end(&b);
  /* Origin length past the payload. */
  h2w_fb_begin(&b, 0xa, 0, 0);
  h2w_fb_u16(&b, 50);
  h2w_fb_str(&b, "short");
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&c, &b), (h2w_ssize)b.len);
  EXPECT_LOG_EMPTY(&c);
  EXPECT_OUT_EMPTY(&c);
  tpeer_free(&c);
  tpeer_start(&srv, 1, tmode(state), NULL);
  tpeer_handshake(&srv);
  h2w_fb_clear(&b);
  h2w_fb_begin(&b, 0xa, 0, 0);
  h2w_fb_u16(&b, 1);
  h2w_fb_str(&b, "oh2=\":1\"");
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&srv, &b), (h2w_ssize)b.len);
  EXPECT_LOG_EMPTY(&srv);
  h2w_fb_free(&b);
  tpeer_free(&srv);
}

static void test_origin_frames(void **state) {
  tpeer c, s;
  const uint8_t *list[3] = {U8("https://example.org"),
                            U8("https://www.example.org"), U8("")};
  size_t lens[3] = {19, 23, 0};
  pair(&c, &s, state);
  assert_int_equal(h2w_session_submit_origin(s.s, list, lens, 3), H2W_OK);
  assert_int_equal(h2w_session_submit_origin(s.s, NULL, NULL, 0), H2W_OK);
  assert_int_equal(h2w_session_submit_origin(c.s, list, lens, 1),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_submit_origin(s.s, NULL, lens, 1),
                   H2W_E_INVALID_ARGUMENT);
  tpump(&c, &s);
  EXPECT_LOG(&c, "origin 0 https://example.org",
             "origin 1 https://www.example.org", "origin 2 ");
  tpeer_free(&c);
  tpeer_free(&s);
}

/* RFC 8336 §2.1: ORIGIN on a stream, malformed, or at a server: ignored. */
static void test_origin_ignored(void **state) {
  tpeer c;
  h2w_fb b;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_handshake(&c);
  h2w_fb_init(&b);
  h2w_fb_begin(&b, 0xc, 0, 1);
  h2w_fb_u16(&b, 3);
  h2w_fb_str(&b, "a.b");
  h2w_fb_end(&b);
  h2w_fb_begin(&b, 0xc, 0, 0);
  h2w_fb_u16(&b, 3);
  h2w_fb_str(&b, "a.b");
  h2w_fb_u16(&b, 9);
  h2w_fb_str(&b, "x");
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&c, &b), (h2w_ssize)b.len);
  EXPECT_LOG_EMPTY(&c);
  EXPECT_OUT_EMPTY(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* An application-defined frame type goes out as given and comes in
 * through on_extension_frame, both directions, on a stream and on 0. */
static void test_extension_roundtrip(void **state) {
  tpeer c, s;
  int32_t id;
  pair(&c, &s, state);
  id = tpeer_request(&c, POST_REQ, tpeer_source(&c, NULL, 10));
  assert_int_equal(h2w_session_submit_extension(c.s, 0x41, 0x5, (uint32_t)id,
                                                U8("capsule"), 7),
                   H2W_OK);
  assert_int_equal(h2w_session_submit_extension(s.s, 0xb, 0, 0, NULL, 0),
                   H2W_OK);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&s, "ext type=0x41 flags=0x05 1 capsule"));
  assert_true(tpeer_log_has(&c, "ext type=0x0b flags=0x00 0 "));
  /* The stream was not disturbed. */
  assert_true(tpeer_log_has(&s, "data 1 10"));
  assert_true(tpeer_log_has(&s, "end 1"));
  tpeer_free(&c);
  tpeer_free(&s);
}

static void test_extension_submit_rules(void **state) {
  tpeer c, s;
  uint8_t big[16385];
  uint8_t t;
  pair(&c, &s, state);
  for (t = 0; t <= 9; t++) {
    assert_int_equal(h2w_session_submit_extension(c.s, t, 0, 0, NULL, 0),
                     H2W_E_INVALID_ARGUMENT);
  }
  assert_int_equal(h2w_session_submit_extension(c.s, 0xa, 0, 0, NULL, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_submit_extension(c.s, 0xc, 0, 0, NULL, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_submit_extension(c.s, 0x10, 0, 0, NULL, 0),
                   H2W_E_INVALID_ARGUMENT);
  memset(big, 'x', sizeof(big));
  /* Longer than the peer's SETTINGS_MAX_FRAME_SIZE (16384). */
  assert_int_equal(
      h2w_session_submit_extension(c.s, 0x41, 0, 0, big, sizeof(big)),
      H2W_E_INVALID_ARGUMENT);
  assert_int_equal(
      h2w_session_submit_extension(c.s, 0x41, 0, 0, big, sizeof(big) - 1),
      H2W_OK);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Longer than max_extension_payload: consumed, not delivered; inside a
 * header block: PROTOCOL_ERROR (§6.10). */
static void test_extension_limits(void **state) {
  tpeer p;
  h2w_fb b;
  h2w_options *opt;
  uint8_t block[512];
  size_t n;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_extension_payload(opt, 4), H2W_OK);
  tpeer_start(&p, 1, tmode(state), opt);
  h2w_options_del(opt);
  p.mute &= ~(unsigned)TEV_EXTENSION;
  tpeer_handshake(&p);
  h2w_fb_init(&b);
  h2w_fb_begin(&b, 0x41, 0, 0);
  h2w_fb_str(&b, "four");
  h2w_fb_end(&b);
  h2w_fb_begin(&b, 0x41, 0, 0);
  h2w_fb_str(&b, "five!");
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&p, &b), (h2w_ssize)b.len);
  EXPECT_LOG(&p, "ext type=0x41 flags=0x00 0 four");
  h2w_fb_clear(&b);
  n = tpeer_block(&p, block, sizeof(block), GET_REQ);
  h2w_fb_headers(&b, 1, 0x1, block, n / 2);
  h2w_fb_begin(&b, 0x41, 0, 0);
  h2w_fb_str(&b, "mid");
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&p, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&p, "GOAWAY last=1 PROTOCOL_ERROR*");
  assert_false(tpeer_log_has(&p, "ext*"));
  h2w_fb_free(&b);
  tpeer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_altsvc_connection_and_stream),
      cmocka_unit_test_prestate(test_altsvc_submit_rules,
                                &tsplit_modes[H2W_SPLIT_WHOLE]),
      SPLIT_TESTS(test_altsvc_ignored),
      SPLIT_TESTS(test_origin_frames),
      SPLIT_TESTS(test_origin_ignored),
      SPLIT_TESTS(test_extension_roundtrip),
      cmocka_unit_test_prestate(test_extension_submit_rules,
                                &tsplit_modes[H2W_SPLIT_WHOLE]),
      SPLIT_TESTS(test_extension_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
