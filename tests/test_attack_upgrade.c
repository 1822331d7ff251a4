/* docs/security.md row 19: h2c upgrade smuggling (RFC 7540 §3.2, RFC 9113
 * §3.1 notes it is deprecated; servers that still offer it must not let it
 * be abused). The upgrade is accepted only by a fresh session, a bad
 * HTTP2-Settings value is refused without changing anything, and after
 * the upgrade stream 1 is half-closed (remote): client frames on it are
 * STREAM_CLOSED and never reach the application. Every test runs whole,
 * in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"

/* base64url without padding (RFC 4648 §5), written here so the test does
 * not trust the library's encoder. Returns the length written. */
static size_t b64url(const uint8_t *in, size_t n, char *out) {
  static const char abc[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t i, o = 0;
  for (i = 0; i + 2 < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = abc[v >> 18];
    out[o++] = abc[(v >> 12) & 63];
    out[o++] = abc[(v >> 6) & 63];
    out[o++] = abc[v & 63];
  }
  if (n - i == 1) {
    out[o++] = abc[in[i] >> 2];
    out[o++] = abc[(in[i] & 3) << 4];
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
    out[o++] = abc[v >> 10];
    out[o++] = abc[(v >> 4) & 63];
    out[o++] = abc[(v & 15) << 2];
  }
  out[o] = '\0';
  return o;
}

/* The SETTINGS payload of iv[0..n) (RFC 9113 §6.5.1), base64url. */
static size_t settings_value(const h2w_settings_entry *iv, size_t n,
                             char *out) {
  uint8_t raw[6 * 64];
  size_t i;
  assert_true(n <= 64);
  for (i = 0; i < n; i++) {
    raw[6 * i] = (uint8_t)(iv[i].id >> 8);
    raw[6 * i + 1] = (uint8_t)iv[i].id;
    raw[6 * i + 2] = (uint8_t)(iv[i].value >> 24);
    raw[6 * i + 3] = (uint8_t)(iv[i].value >> 16);
    raw[6 * i + 4] = (uint8_t)(iv[i].value >> 8);
    raw[6 * i + 5] = (uint8_t)iv[i].value;
  }
  return b64url(raw, 6 * n, out);
}

/* A good value: ENABLE_PUSH 0, MAX_CONCURRENT_STREAMS 100,
 * INITIAL_WINDOW_SIZE 1000. */
static size_t good_value(char *out) {
  static const h2w_settings_entry iv[] = {
      {H2W_SETTINGS_ENABLE_PUSH, 0, 0},
      {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000}};
  return settings_value(iv, 3, out);
}

/* ---- only a fresh session ------------------------------------------------
 */

/* Once input arrived, or a stream exists, the upgrade is refused and
 * nothing changes: a peer cannot smuggle a stream 1 into a running
 * connection. */
static void test_attack_19_upgrade_not_fresh(void **state) {
  char v[128];
  size_t n = good_value(v);
  int k;
  for (k = 0; k < 3; k++) {
    tpeer s;
    h2w_fb b;
    size_t mem;
    tpeer_start(&s, 1, tmode(state), NULL);
    h2w_fb_init(&b);
    if (k == 0) {
      h2w_fb_bytes(&b, "PRI", 3); /* any input at all */
      atk_feed_ok(&s, &b);
    } else {
      tpeer_handshake(&s);
      if (k == 2) {
        tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
        atk_feed_ok(&s, &b);
      }
    }
    tpeer_log_clear(&s);
    mem = h2w_session_memory(s.s);
    assert_int_equal(h2w_session_upgrade(s.s, v, n, 0, NULL),
                     H2W_E_INVALID_STATE);
    assert_int_equal(h2w_session_memory(s.s), mem);
    assert_int_equal(h2w_session_stream_state(s.s, 1),
                     k == 2 ? H2W_STREAM_STATE_OPEN : H2W_STREAM_STATE_IDLE);
    assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
    EXPECT_LOG_EMPTY(&s);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* ---- bad HTTP2-Settings values -------------------------------------------
 */

static void bad_values(char out[][160], size_t *n) {
  static const h2w_settings_entry push2 = {H2W_SETTINGS_ENABLE_PUSH, 0, 2};
  static const h2w_settings_entry win = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                         0x80000000u};
  static const h2w_settings_entry fs_lo = {H2W_SETTINGS_MAX_FRAME_SIZE, 0,
                                           16383};
  static const h2w_settings_entry fs_hi = {H2W_SETTINGS_MAX_FRAME_SIZE, 0,
                                           1u << 24};
  static const uint8_t five[5] = {0, 3, 0, 0, 0};
  static const uint8_t seven[7] = {0, 3, 0, 0, 0, 100, 0};
  size_t k = 0, len;
  (void)settings_value(&push2, 1, out[k++]);
  (void)settings_value(&win, 1, out[k++]);
  (void)settings_value(&fs_lo, 1, out[k++]);
  (void)settings_value(&fs_hi, 1, out[k++]);
  (void)b64url(five, 5, out[k++]);
  (void)b64url(seven, 7, out[k++]);
  /* Characters outside the base64url alphabet. */
  len = good_value(out[k]);
  out[k][2] = '+';
  k++;
  len = good_value(out[k]);
  out[k][5] = '/';
  k++;
  len = good_value(out[k]);
  out[k][4] = ' ';
  k++;
  len = good_value(out[k]);
  out[k][len - 1] = '\0'; /* one character short */
  k++;
  len = good_value(out[k]);
  memcpy(out[k] + len, "===", 4); /* wrong padding */
  k++;
  len = good_value(out[k]);
  out[k][1] = '\r'; /* header-splitting octets */
  k++;
  *n = k;
}

static void test_attack_19_bad_http2_settings(void **state) {
  char values[12][160];
  char good[128];
  size_t n, i, glen = good_value(good);
  bad_values(values, &n);
  for (i = 0; i < n; i++) {
    tpeer s;
    size_t mem;
    uint32_t v = 0;
    tpeer_start(&s, 1, tmode(state), NULL);
    mem = h2w_session_memory(s.s);
    if (h2w_session_upgrade(s.s, values[i], strlen(values[i]), 0, NULL) !=
        H2W_E_PROTOCOL) {
      fail_msg("value %zu \"%s\" not refused", i, values[i]);
    }
    /* Nothing changed: no stream, the peer's settings are the defaults,
     * and the session is still fresh enough for a good upgrade. */
    assert_int_equal(h2w_session_memory(s.s), mem);
    assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_IDLE);
    assert_int_equal(h2w_session_setting(s.s, H2W_SETTINGS_REMOTE,
                                         H2W_SETTINGS_INITIAL_WINDOW_SIZE, &v),
                     H2W_OK);
    assert_int_equal(v, 65535);
    assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
    EXPECT_LOG_EMPTY(&s);
    EXPECT_OUT(&s, "SETTINGS*");
    assert_int_equal(h2w_session_upgrade(s.s, good, glen, 0, NULL), H2W_OK);
    tpeer_free(&s);
  }
}

/* A megabyte of HTTP2-Settings (an attacker's header value) is refused
 * without allocating for it. */
static void test_attack_19_huge_http2_settings(void **state) {
  tpeer s;
  char *v = malloc(1u << 20);
  size_t base;
  int rv;
  assert_non_null(v);
  memset(v, 'A', 1u << 20);
  tpeer_start(&s, 1, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  rv = h2w_session_upgrade(s.s, v, 1u << 20, 0, NULL);
  assert_true(rv == H2W_E_PROTOCOL || rv == H2W_E_LIMIT);
  assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_IDLE);
  atk_bound("row 19: 1 MiB HTTP2-Settings, peak above a fresh session",
            atk_peak_above(&s, base), 1024);
  tpeer_free(&s);
  free(v);
}

/* ---- after the upgrade ----------------------------------------------------
 */

/* An upgraded server after the client's preface; stream 1 is the
 * upgraded request, half-closed (remote). */
static void upgraded_server(tpeer *s, void **state) {
  char v[128];
  size_t n = good_value(v);
  tpeer_start(s, 1, tmode(state), NULL);
  assert_int_equal(h2w_session_upgrade(s->s, v, n, 0, NULL), H2W_OK);
  tpeer_handshake(s);
  assert_int_equal(h2w_session_stream_state(s->s, 1),
                   H2W_STREAM_STATE_HALF_CLOSED_REMOTE);
}

/* Everything a client might try on stream 1 after the upgrade: body
 * data, a second request, trailers; each answered STREAM_CLOSED, nothing
 * delivered, the connection and the response on stream 1 unaffected
 * until the reset. */
static void test_attack_19_frames_on_stream_1(void **state) {
  int k;
  for (k = 0; k < 3; k++) {
    tpeer s;
    h2w_fb b;
    size_t base;
    upgraded_server(&s, state);
    base = s.alloc.peak = s.alloc.bytes;
    h2w_fb_init(&b);
    if (k == 0) {
      h2w_fb_data(&b, 1, 0x1, "smuggled body");
    } else if (k == 1) {
      tpeer_fb_headers(&s, &b, 1, 0x1,
                       H(":method", "POST", ":scheme", "http", ":authority",
                         "internal", ":path", "/admin"));
    } else {
      tpeer_fb_headers(&s, &b, 1, 0x1, H("x-trailer", "1"));
    }
    tpeer_fb_headers(&s, &b, 3, 0x1, GET_REQ);
    atk_feed_ok(&s, &b);
    EXPECT_OUT(&s, "RST_STREAM 1 STREAM_CLOSED");
    assert_false(tpeer_log_has(&s, "data *"));
    assert_false(tpeer_log_has(&s, "* 1 *req*"));
    assert_false(tpeer_log_has(&s, "header 1 *"));
    assert_false(tpeer_log_has(&s, "headers 1 *"));
    assert_true(tpeer_log_has(&s, "end 3"));
    assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
    assert_true(atk_peak_above(&s, base) < 4096);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* PRIORITY, WINDOW_UPDATE and RST_STREAM remain legal on a half-closed
 * (remote) stream (§5.1); the response goes out until the client resets
 * it. */
static void test_attack_19_legit_control_on_stream_1(void **state) {
  tpeer s;
  h2w_fb b;
  upgraded_server(&s, state);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  h2w_fb_hd(&b, 5, ATK_PRIORITY, 0, 1);
  h2w_fb_u32(&b, 0);
  h2w_fb_u8(&b, 15);
  h2w_fb_window_update(&b, 1, 5000);
  atk_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 3000));
  EXPECT_OUT(&s, "HEADERS 1 eh :status=200", "DATA 1 3000 es");
  EXPECT_LOG(&s, "close 1 NO_ERROR");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: an upgraded client and server carry the upgraded
 * request and then ordinary requests on 3, 5, ... */
static void test_attack_19_legit_upgrade(void **state) {
  tpeer c, s;
  char v[128];
  h2w_ssize n;
  int i;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  c.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  n = h2w_session_upgrade_settings(c.s, v, sizeof v);
  assert_true(n > 0);
  assert_int_equal(h2w_session_upgrade(c.s, v, (size_t)n, 0, NULL), H2W_OK);
  assert_int_equal(h2w_session_upgrade(s.s, v, (size_t)n, 0, NULL), H2W_OK);
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 10000));
  for (i = 0; i < 3; i++) {
    assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3 + 2 * i);
  }
  tpump(&c, &s);
  for (i = 0; i < 3; i++) {
    tpeer_respond(&s, (uint32_t)(3 + 2 * i), RESP_200, NULL);
  }
  tpump(&c, &s);
  assert_int_equal(atk_log_count(&c, "close * NO_ERROR"), 4);
  assert_true(tpeer_log_has(&c, "data 1 10000"));
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  tpeer_free(&c);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_attack_19_upgrade_not_fresh),
      SPLIT_TESTS(test_attack_19_bad_http2_settings),
      SPLIT_TESTS(test_attack_19_huge_http2_settings),
      SPLIT_TESTS(test_attack_19_frames_on_stream_1),
      SPLIT_TESTS(test_attack_19_legit_control_on_stream_1),
      SPLIT_TESTS(test_attack_19_legit_upgrade),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
