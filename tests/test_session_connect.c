/* Extended CONNECT (RFC 8441): SETTINGS_ENABLE_CONNECT_PROTOCOL, the
 * :protocol pseudo-header, and a WebSocket-style stream carrying data
 * both ways. Receive tests in the three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

#define WS_REQ                                                                 \
  H(":method", "CONNECT", ":protocol", "websocket", ":scheme", "https",        \
    ":path", "/chat", ":authority", "example.org", "sec-websocket-version",    \
    "13")

static h2w_options *connect_opts(int on) {
  h2w_options *opt;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_enable_connect_protocol(opt, on), H2W_OK);
  return opt;
}

static void pair(tpeer *c, tpeer *s, void **state, int on) {
  h2w_options *opt = connect_opts(on);
  tpeer_start(c, 0, tmode(state), NULL);
  tpeer_start(s, 1, tmode(state), opt);
  h2w_options_del(opt);
  c->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpump(c, s);
  tpeer_log_clear(c);
  tpeer_log_clear(s);
}

/* The tunnel: the client sends, the server answers and sends while the
 * client still has more to say, then the client finishes. */
static void test_connect_websocket_both_ways(void **state) {
  tpeer c, s;
  tsrc *up, *down;
  uint32_t v;
  int32_t id;
  size_t len;
  pair(&c, &s, state, 1);
  assert_int_equal(h2w_session_setting(c.s, H2W_SETTINGS_REMOTE,
                                       H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL,
                                       &v),
                   H2W_OK);
  assert_int_equal(v, 1);
  up = tpeer_source(&c, NULL, 40000);
  up->defer_at = 20000;
  id = tpeer_request(&c, WS_REQ, up);
  tpump(&c, &s);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 20000");
  down = tpeer_source(&s, NULL, 30000);
  tpeer_respond(&s, (uint32_t)id, RESP_200, down);
  tpump(&c, &s);
  EXPECT_LOG(&c, "headers 1 resp es=0", "data 1 30000", "end 1");
  assert_int_equal(h2w_session_stream_state(s.s, 1),
                   H2W_STREAM_STATE_HALF_CLOSED_LOCAL);
  assert_int_equal(h2w_session_resume_data(c.s, (uint32_t)id), H2W_OK);
  tpump(&c, &s);
  EXPECT_LOG(&s, "data 1 20000", "end 1", "close 1 NO_ERROR");
  EXPECT_LOG(&c, "close 1 NO_ERROR");
  assert_true(tpattern_check(tpeer_body(&s, 1, &len), 40000));
  assert_int_equal(len, 40000);
  assert_true(tpattern_check(tpeer_body(&c, 1, &len), 30000));
  assert_int_equal(len, 30000);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A server that did not announce support: the client refuses to send
 * :protocol, and a server receiving it anyway resets the stream. */
static void test_connect_not_enabled(void **state) {
  tpeer c, s;
  h2w_nv nv[8];
  size_t n = tnv(nv, 8, WS_REQ);
  h2w_fb b;
  pair(&c, &s, state, 0);
  assert_int_equal(h2w_session_submit_request(c.s, nv, n, NULL, NULL),
                   H2W_E_INVALID_ARGUMENT);
  tpeer_free(&c);
  tpeer_free(&s);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, WS_REQ);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&s, "headers 1*"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* RFC 8441 §4: with :protocol, :scheme and :path are required; :protocol
 * only goes with CONNECT. */
static void test_connect_malformed(void **state) {
  const char *const *const bad[] = {
      H(":method", "CONNECT", ":protocol", "websocket", ":scheme", "https",
        ":authority", "example.org"),
      H(":method", "GET", ":protocol", "websocket", ":scheme", "https", ":path",
        "/", ":authority", "example.org"),
      H(":method", "CONNECT", ":protocol", "web socket", ":scheme", "https",
        ":path", "/", ":authority", "example.org"),
  };
  tpeer s;
  h2w_fb b;
  h2w_options *opt = connect_opts(1);
  size_t i;
  tpeer_start(&s, 1, tmode(state), opt);
  h2w_options_del(opt);
  tpeer_handshake(&s);
  h2w_fb_init(&b);
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    h2w_fb_clear(&b);
    tpeer_fb_headers(&s, &b, (uint32_t)(2 * i + 1), 0x1, bad[i]);
    assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
    EXPECT_OUT(&s, "RST_STREAM * PROTOCOL_ERROR");
  }
  assert_false(tpeer_log_has(&s, "headers*"));
  /* The well-formed one passes. */
  h2w_fb_clear(&b);
  tpeer_fb_headers(&s, &b, 7, 0x4, WS_REQ);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  assert_true(tpeer_log_has(&s, "headers 7 req es=0"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_connect_websocket_both_ways),
      SPLIT_TESTS(test_connect_not_enabled),
      SPLIT_TESTS(test_connect_malformed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
