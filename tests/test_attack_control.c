/* docs/security.md rows 1-3: floods of frames that make us queue control frames
 * (PING ACKs, SETTINGS ACKs, RST_STREAM) while the peer never reads our
 * output (CVE-2019-9512, -9515, -9514; CVE-2020-11080). The control queue
 * cap (h2w_options_set_max_control_queue, default 1000) must end such a
 * connection with GOAWAY ENHANCE_YOUR_CALM, while a peer that reads its
 * output is never cut off. Every test runs whole, in 1-byte pieces and at
 * random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "attack.h"

#define CAP 1000u       /* default max_control_queue */
#define PING_LEN 17u    /* 9-octet header + 8 opaque octets */
#define SETTINGS_LEN 9u /* an empty SETTINGS frame */

static void pings(h2w_fb *b, size_t n, uint64_t first) {
  size_t i;
  for (i = 0; i < n; i++) {
    h2w_fb_ping(b, 0, first + i);
  }
}

/* After the flood decision no input reaches a callback and the same
 * error comes back (RFC 9113 §5.4.1: the connection is over). */
static void expect_ignored_after(tpeer *s, int err) {
  h2w_fb b;
  int calls = s->callbacks;
  h2w_fb_init(&b);
  pings(&b, 1000, 0);
  tpeer_fb_headers(s, &b, 1, 0x1, GET_REQ);
  assert_int_equal(h2w_session_recv(s->s, b.buf, b.len), err);
  assert_int_equal(s->callbacks, calls);
  h2w_fb_free(&b);
}

/* ---- row 1: PING flood ---------------------------------------------------
 */

/* 1000 ACKs may wait in the queue; the 1001st PING is the flood. */
static void test_attack_01_ping_flood(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base;
  uint64_t off = 0;
  atk_server(&s, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  pings(&b, CAP, 0);
  atk_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  pings(&b, 1, CAP);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  EXPECT_LOG(&s, "error 0 ENHANCE_YOUR_CALM");
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  (void)h2w_session_error(s.s, NULL, NULL, &off);
  assert_int_equal(off, ATK_HANDSHAKE_LEN + CAP * PING_LEN);
  expect_ignored_after(&s, H2W_E_FLOODED);
  /* Exactly one GOAWAY, and the queued ACKs never grew past the cap. */
  EXPECT_LOG_EMPTY(&s);
  tpeer_parse_out(&s);
  assert_true(atk_frames_count(&s, "PING ack *") <= (long)CAP);
  assert_int_equal(atk_frames_count(&s, "GOAWAY*"), 1);
  assert_int_equal(atk_out_count(&s, "GOAWAY last=0 ENHANCE_YOUR_CALM*"), 1);
  /* 1000 ACKs of 17 octets: the queue needs 17,000 octets; with doubling
   * growth at most 32 KiB, plus the GOAWAY. */
  atk_bound("row 1: ping flood, peak above handshake", atk_peak_above(&s, base),
            40 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The same peer that reads our output after every 500 PINGs sends
 * 100,000 of them and is never cut off. */
static void test_attack_01_legit_draining_peer(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base, round;
  long acks = 0;
  atk_server(&s, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  for (round = 0; round < 200; round++) {
    pings(&b, 500, round * 500);
    atk_feed_ok(&s, &b);
    acks += atk_out_count(&s, "PING ack *");
  }
  assert_int_equal(acks, 100000);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  EXPECT_LOG_EMPTY(&s);
  atk_bound("row 1: 100,000 drained PINGs, peak above handshake",
            atk_peak_above(&s, base), 32 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 2: SETTINGS flood, too many entries, a huge SETTINGS ---------------
 */

/* SETTINGS ACKs share the cap with PING ACKs: 500 + 500 queue, one more
 * is the flood. */
static void test_attack_02_settings_flood(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base, i;
  uint64_t off = 0;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_SETTINGS;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  pings(&b, CAP / 2, 0);
  for (i = 0; i < CAP / 2; i++) {
    h2w_fb_settings(&b, 0, NULL, 0);
  }
  atk_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  h2w_fb_settings(&b, 0, NULL, 0);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  EXPECT_LOG(&s, "error 0 ENHANCE_YOUR_CALM");
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  (void)h2w_session_error(s.s, NULL, NULL, &off);
  assert_int_equal(off, ATK_HANDSHAKE_LEN + CAP / 2 * PING_LEN +
                            CAP / 2 * SETTINGS_LEN);
  expect_ignored_after(&s, H2W_E_FLOODED);
  assert_int_equal(atk_out_count(&s, "GOAWAY last=0 ENHANCE_YOUR_CALM*"), 1);
  atk_bound("row 2: settings flood, peak above handshake",
            atk_peak_above(&s, base), 40 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void entries(h2w_settings_entry *iv, size_t n, uint32_t frame_size) {
  size_t i;
  for (i = 0; i < n; i++) {
    iv[i].id = H2W_SETTINGS_MAX_FRAME_SIZE;
    iv[i].value = frame_size + (uint32_t)i;
  }
}

/* 33 entries in one frame (CVE-2020-11080 sends thousands): refused
 * before any is applied. */
static void test_attack_02_too_many_entries(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_settings_entry iv[33];
  uint32_t v = 0;
  atk_server(&s, tmode(state), NULL);
  entries(iv, 33, 20000);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, iv, 33);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  EXPECT_LOG(&s, "error 0 ENHANCE_YOUR_CALM");
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  assert_int_equal(h2w_session_setting(s.s, H2W_SETTINGS_REMOTE,
                                       H2W_SETTINGS_MAX_FRAME_SIZE, &v),
                   H2W_OK);
  assert_int_equal(v, 16384);
  EXPECT_OUT(&s, "GOAWAY last=0 ENHANCE_YOUR_CALM*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* 32 entries are fine and all applied (the last value wins, §6.5). */
static void test_attack_02_legit_32_entries(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_settings_entry iv[32];
  uint32_t v = 0;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_SETTINGS;
  entries(iv, 32, 20000);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, iv, 32);
  atk_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  EXPECT_OUT(&s, "SETTINGS ack");
  assert_int_equal(h2w_session_setting(s.s, H2W_SETTINGS_REMOTE,
                                       H2W_SETTINGS_MAX_FRAME_SIZE, &v),
                   H2W_OK);
  assert_int_equal(v, 20031);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A SETTINGS frame announcing 16 MiB - 1 octets is refused from its 9
 * header octets alone (§4.2: larger than our SETTINGS_MAX_FRAME_SIZE):
 * nothing of the payload is awaited or buffered. */
static void test_attack_02_huge_settings_frame(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base;
  uint64_t off = 0;
  atk_server(&s, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  h2w_fb_hd(&b, 0xffffff, ATK_SETTINGS, 0, 0);
  atk_feed_err(&s, &b, H2W_E_FRAME_SIZE);
  EXPECT_LOG(&s, "error 0 FRAME_SIZE_ERROR");
  atk_expect_error(&s, H2W_E_FRAME_SIZE, H2W_FRAME_SIZE_ERROR);
  (void)h2w_session_error(s.s, NULL, NULL, &off);
  assert_int_equal(off, ATK_HANDSHAKE_LEN);
  EXPECT_OUT(&s, "GOAWAY last=0 FRAME_SIZE_ERROR*");
  atk_bound("row 2: huge SETTINGS header, peak above handshake",
            atk_peak_above(&s, base), 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.5: a SETTINGS length that is not a multiple of 6 is a
 * FRAME_SIZE_ERROR; so is an ACK with a payload. */
static void test_attack_02_bad_settings_length(void **state) {
  static const uint32_t lens[] = {5, 7, 13};
  size_t i;
  for (i = 0; i < 4; i++) {
    tpeer s;
    h2w_fb b;
    atk_server(&s, tmode(state), NULL);
    h2w_fb_init(&b);
    if (i < 3) {
      h2w_fb_hd(&b, lens[i], ATK_SETTINGS, 0, 0);
      h2w_fb_zeros(&b, lens[i]);
    } else {
      h2w_fb_hd(&b, 6, ATK_SETTINGS, 0x1, 0);
      h2w_fb_zeros(&b, 6);
    }
    atk_feed_err(&s, &b, H2W_E_FRAME_SIZE);
    EXPECT_LOG(&s, "error 0 FRAME_SIZE_ERROR");
    EXPECT_OUT(&s, "GOAWAY last=0 FRAME_SIZE_ERROR*");
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* 100,000 SETTINGS frames from a peer that reads after every 500. */
static void test_attack_02_legit_draining_peer(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base, round, i;
  long acks = 0;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_SETTINGS;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  for (round = 0; round < 200; round++) {
    for (i = 0; i < 500; i++) {
      h2w_fb_settings(&b, 0, NULL, 0);
    }
    atk_feed_ok(&s, &b);
    acks += atk_out_count(&s, "SETTINGS ack");
  }
  assert_int_equal(acks, 100000);
  EXPECT_LOG_EMPTY(&s);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  atk_bound("row 2: 100,000 drained SETTINGS, peak above handshake",
            atk_peak_above(&s, base), 32 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 3: reset flood
 * ------------------------------------------------------
 */

/* An invalid request: an uppercase field name is malformed (§8.2.1), a
 * stream error PROTOCOL_ERROR that queues a RST_STREAM. */
static void bad_requests(tpeer *s, h2w_fb *b, uint32_t first, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    tpeer_fb_headers(s, b, first + 2 * (uint32_t)i, 0x1,
                     H(":method", "GET", ":scheme", "https", ":authority",
                       "example.org", ":path", "/", "X-Bad", "1"));
  }
}

/* Many invalid requests whose RST_STREAMs are never read: the queue stops
 * at the cap with GOAWAY ENHANCE_YOUR_CALM. */
static void test_attack_03_reset_flood(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_CLOSE | TEV_ERROR;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  bad_requests(&s, &b, 1, 3000);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  /* No request was ever delivered. */
  assert_false(tpeer_log_has(&s, "headers *"));
  assert_false(tpeer_log_has(&s, "header *X-Bad*"));
  expect_ignored_after(&s, H2W_E_FLOODED);
  tpeer_parse_out(&s);
  assert_true(atk_frames_count(&s, "RST_STREAM * PROTOCOL_ERROR") <= (long)CAP);
  assert_int_equal(atk_frames_count(&s, "GOAWAY*"), 1);
  assert_int_equal(atk_out_count(&s, "GOAWAY * ENHANCE_YOUR_CALM*"), 1);
  atk_bound("row 3: 3000 unread invalid requests, peak above handshake",
            atk_peak_above(&s, base), 64 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* 800 invalid requests from a peer that reads after every 10: each gets
 * its RST_STREAM, the connection stays up. */
static void test_attack_03_legit_draining_peer(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base, round;
  long rsts = 0;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_CLOSE | TEV_ERROR;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  for (round = 0; round < 80; round++) {
    bad_requests(&s, &b, 1 + (uint32_t)round * 20, 10);
    atk_feed_ok(&s, &b);
    rsts += atk_out_count(&s, "RST_STREAM * PROTOCOL_ERROR");
  }
  assert_int_equal(rsts, 800);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  assert_int_equal(h2w_session_open_streams(s.s), 0);
  atk_bound("row 3: 800 drained invalid requests, peak above handshake",
            atk_peak_above(&s, base), 32 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_attack_01_ping_flood),
      SPLIT_TESTS(test_attack_01_legit_draining_peer),
      SPLIT_TESTS(test_attack_02_settings_flood),
      SPLIT_TESTS(test_attack_02_too_many_entries),
      SPLIT_TESTS(test_attack_02_legit_32_entries),
      SPLIT_TESTS(test_attack_02_huge_settings_frame),
      SPLIT_TESTS(test_attack_02_bad_settings_length),
      SPLIT_TESTS(test_attack_02_legit_draining_peer),
      SPLIT_TESTS(test_attack_03_reset_flood),
      SPLIT_TESTS(test_attack_03_legit_draining_peer),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
