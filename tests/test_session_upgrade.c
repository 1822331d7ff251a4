/* h2c Upgrade (RFC 7540 §3.2, docs/security.md row 19): the HTTP2-Settings
 * codec, the upgraded request on stream 1 in both roles, and the rules
 * that keep an upgrade from being smuggled into a running connection.
 * Receive tests in the three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

static h2w_settings_entry entry(uint16_t id, uint32_t value) {
  h2w_settings_entry e;
  memset(&e, 0, sizeof(e));
  e.id = id;
  e.value = value;
  return e;
}

/* MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE 65535: payload
 * 00 03 00 00 00 64 00 04 00 00 ff ff. */
static const char kTwo[] = "AAMAAABkAAQAAP__";

static void test_settings_encode(void **state) {
  h2w_settings_entry iv[2];
  char out[32];
  (void)state;
  iv[0] = entry(H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 100);
  iv[1] = entry(H2W_SETTINGS_INITIAL_WINDOW_SIZE, 65535);
  assert_int_equal(h2w_http2_settings_encode(iv, 2, out, sizeof(out)), 16);
  assert_memory_equal(out, kTwo, 16);
  assert_int_equal(h2w_http2_settings_encode(iv, 2, out, 15),
                   H2W_E_BUFFER_TOO_SMALL);
  assert_int_equal(h2w_http2_settings_encode(iv, 0, out, 0), 0);
  assert_int_equal(h2w_http2_settings_encode(NULL, 1, out, 32),
                   H2W_E_INVALID_ARGUMENT);
}

static void test_settings_decode(void **state) {
  h2w_settings_entry iv[4];
  (void)state;
  assert_int_equal(h2w_http2_settings_decode(kTwo, 16, iv, 4), 2);
  assert_int_equal(iv[0].id, H2W_SETTINGS_MAX_CONCURRENT_STREAMS);
  assert_int_equal(iv[0].value, 100);
  assert_int_equal(iv[1].id, H2W_SETTINGS_INITIAL_WINDOW_SIZE);
  assert_int_equal(iv[1].value, 65535);
  /* An empty value is an empty SETTINGS payload: legal. */
  assert_int_equal(h2w_http2_settings_decode("", 0, iv, 4), 0);
  assert_int_equal(h2w_http2_settings_decode(kTwo, 16, iv, 1),
                   H2W_E_BUFFER_TOO_SMALL);
}

/* Every malformed value is refused. */
static void test_settings_decode_malformed(void **state) {
  static const char *const bad[] = {
      "AAMAAABkAAQAAP//", /* '/' is standard base64, not base64url */
      "AAMAAABkAAQAAP+_", /* '+' likewise */
      "AAMAAABkAAQAAP_",  /* 15 characters: 11 octets, not whole entries */
      "AAMAAABkA",        /* a length no encoding produces */
      "AAMAAABk==",       /* padding where none belongs */
      "AAMAAABkAAQ",      /* 8 octets: not a multiple of 6 */
      "AAIAAAAC",         /* ENABLE_PUSH 2 */
      "AASAAAAA",         /* INITIAL_WINDOW_SIZE 2^31 */
      "AAUAAD__",         /* MAX_FRAME_SIZE 16383, below the minimum */
      "AAMAAABk AAQAAP__", "AAMA\nAABk",
  };
  h2w_settings_entry iv[8];
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(h2w_http2_settings_decode(bad[i], strlen(bad[i]), iv, 8),
                     H2W_E_PROTOCOL);
  }
  /* One octet with non-zero leftover bits. */
  assert_int_equal(h2w_http2_settings_decode("AB", 2, iv, 8), H2W_E_PROTOCOL);
  assert_int_equal(h2w_http2_settings_decode(NULL, 1, iv, 8),
                   H2W_E_INVALID_ARGUMENT);
}

/* A client and a server, both upgraded; the server answers stream 1
 * with a body larger than the client's small window. */
static void upgraded_pair(tpeer *c, tpeer *s, void **state, int head) {
  h2w_options *opt;
  char value[64];
  h2w_ssize n;
  uint32_t v;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_initial_window_size(opt, 1000), H2W_OK);
  tpeer_start(c, 0, tmode(state), opt);
  tpeer_start(s, 1, tmode(state), NULL);
  h2w_options_del(opt);
  c->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  n = h2w_session_upgrade_settings(c->s, value, sizeof(value));
  assert_true(n > 0);
  assert_int_equal(h2w_session_upgrade(c->s, value, (size_t)n, head, c), 0);
  assert_int_equal(h2w_session_upgrade(s->s, value, (size_t)n, head, s), 0);
  /* The client's settings bind at once, before its preface arrives. */
  assert_int_equal(h2w_session_setting(s->s, H2W_SETTINGS_REMOTE,
                                       H2W_SETTINGS_INITIAL_WINDOW_SIZE, &v),
                   H2W_OK);
  assert_int_equal(v, 1000);
  assert_int_equal(h2w_session_setting(s->s, H2W_SETTINGS_REMOTE,
                                       H2W_SETTINGS_ENABLE_PUSH, &v),
                   H2W_OK);
  assert_int_equal(v, 0);
  assert_int_equal(h2w_session_stream_state(s->s, 1),
                   H2W_STREAM_STATE_HALF_CLOSED_REMOTE);
  assert_int_equal(h2w_session_stream_state(c->s, 1),
                   H2W_STREAM_STATE_HALF_CLOSED_LOCAL);
  assert_ptr_equal(h2w_session_get_stream_user_data(s->s, 1), s);
  assert_ptr_equal(h2w_session_get_stream_user_data(c->s, 1), c);
}

static void test_upgrade_pair(void **state) {
  tpeer c, s;
  size_t len;
  const uint8_t *body;
  int32_t id;
  upgraded_pair(&c, &s, state, 0);
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 5000));
  tpump(&c, &s);
  /* The server's SETTINGS ACK and the response race: check each. */
  assert_true(tpeer_log_has(&c, "settings_ack"));
  assert_true(tpeer_log_index(&c, "headers 1 resp es=0") >= 0);
  assert_true(tpeer_log_index(&c, "headers 1 resp es=0") <
              tpeer_log_index(&c, "end 1"));
  assert_true(tpeer_log_index(&c, "end 1") <
              tpeer_log_index(&c, "close 1 NO_ERROR"));
  body = tpeer_body(&c, 1, &len);
  assert_int_equal(len, 5000);
  assert_true(tpattern_check(body, len));
  /* The connection goes on: the next request is stream 3. */
  id = tpeer_request(&c, GET_REQ, NULL);
  assert_int_equal(id, 3);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&s, "headers 3 req es=1"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* HEAD: the response's content-length announces a body that never comes. */
static void test_upgrade_head(void **state) {
  tpeer c, s;
  upgraded_pair(&c, &s, state, 1);
  tpeer_respond(&s, 1, H(":status", "200", "content-length", "1234"), NULL);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&c, "headers 1 resp es=1"));
  assert_true(tpeer_log_has(&c, "close 1 NO_ERROR"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Row 19: after the upgrade, stream 1 is half-closed (remote) on the
 * server; DATA or HEADERS from the client on it are STREAM_CLOSED. */
static void test_upgrade_client_frames_on_stream_1(void **state) {
  tpeer s;
  h2w_fb b;
  tpeer_start(&s, 1, tmode(state), NULL);
  assert_int_equal(h2w_session_upgrade(s.s, kTwo, 16, 0, NULL), H2W_OK);
  tpeer_handshake(&s);
  h2w_fb_init(&b);
  h2w_fb_data(&b, 1, 0x1, "smuggled");
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  EXPECT_OUT(&s, "RST_STREAM 1 STREAM_CLOSED");
  assert_false(tpeer_log_has(&s, "data*"));
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The upgrade is only for a fresh session. */
static void test_upgrade_only_when_fresh(void **state) {
  tpeer s, c;
  h2w_fb b;
  (void)state;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  h2w_fb_init(&b);
  tfb_client_preface(&b, NULL, 0);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  assert_int_equal(h2w_session_upgrade(s.s, kTwo, 16, 0, NULL),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_IDLE);
  tpeer_free(&s);
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  (void)tpeer_request(&c, GET_REQ, NULL);
  assert_int_equal(h2w_session_upgrade(c.s, NULL, 0, 0, NULL),
                   H2W_E_INVALID_STATE);
  tpeer_free(&c);
  /* Twice is not fresh either. */
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  assert_int_equal(h2w_session_upgrade(c.s, NULL, 0, 0, NULL), H2W_OK);
  assert_int_equal(h2w_session_upgrade(c.s, NULL, 0, 0, NULL),
                   H2W_E_INVALID_STATE);
  tpeer_free(&c);
  h2w_fb_free(&b);
}

/* A bad HTTP2-Settings changes nothing: the same session still works as
 * a prior-knowledge server afterwards. */
static void test_upgrade_bad_settings(void **state) {
  tpeer s;
  h2w_settings_entry iv[33];
  char value[300];
  h2w_ssize n;
  size_t i;
  uint32_t v;
  tpeer_start(&s, 1, tmode(state), NULL);
  assert_int_equal(h2w_session_upgrade(s.s, "AAIAAAAC", 8, 0, NULL),
                   H2W_E_PROTOCOL);
  assert_int_equal(h2w_session_upgrade(s.s, "A", 1, 0, NULL), H2W_E_PROTOCOL);
  assert_int_equal(h2w_session_upgrade(s.s, NULL, 0, 0, NULL),
                   H2W_E_INVALID_ARGUMENT);
  /* More entries than a SETTINGS frame may carry (row 2). */
  for (i = 0; i < 33; i++) {
    iv[i] = entry(H2W_SETTINGS_INITIAL_WINDOW_SIZE, 1);
  }
  n = h2w_http2_settings_encode(iv, 33, value, sizeof(value));
  assert_true(n > 0);
  assert_int_equal(h2w_session_upgrade(s.s, value, (size_t)n, 0, NULL),
                   H2W_E_PROTOCOL);
  assert_int_equal(h2w_session_setting(s.s, H2W_SETTINGS_REMOTE,
                                       H2W_SETTINGS_INITIAL_WINDOW_SIZE, &v),
                   H2W_OK);
  assert_int_equal(v, 65535);
  assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_IDLE);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  tpeer_handshake(&s);
  tpeer_free(&s);
}

static void test_upgrade_settings_client_only(void **state) {
  tpeer s;
  char value[64];
  (void)state;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  assert_int_equal(h2w_session_upgrade_settings(s.s, value, sizeof(value)),
                   H2W_E_INVALID_ARGUMENT);
  tpeer_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_settings_encode),
      cmocka_unit_test(test_settings_decode),
      cmocka_unit_test(test_settings_decode_malformed),
      SPLIT_TESTS(test_upgrade_pair),
      SPLIT_TESTS(test_upgrade_head),
      SPLIT_TESTS(test_upgrade_client_frames_on_stream_1),
      cmocka_unit_test(test_upgrade_only_when_fresh),
      SPLIT_TESTS(test_upgrade_bad_settings),
      cmocka_unit_test(test_upgrade_settings_client_only),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
