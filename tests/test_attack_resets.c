/* docs/security.md rows 9 and 10: Rapid Reset (CVE-2023-44487) and
 * MadeYouReset (CVE-2025-8671). Every RST_STREAM the peer sends on a live
 * stream, and every one it provokes us into sending, takes a token of the
 * reset budget (h2w_options_set_reset_limit, default burst 1000 refilled
 * at 33/s of the caller's clock). An empty bucket ends the connection with
 * GOAWAY ENHANCE_YOUR_CALM and no stream is admitted after that, not even
 * from the rest of the same input. Every test runs whole, in 1-byte pieces
 * and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "attack.h"

#define BURST 1000u /* default reset burst */
#define REFILL 33u  /* default reset refill per second */

/* Streams the application knows (begun, not yet closed) must never
 * exceed the concurrency limit in `app`. */
typedef struct live_app {
  long live, max_live;
  long limit;
} live_app;

static int live_hook(tpeer *p, const tev *ev) {
  live_app *a = p->app;
  if (ev->type == TEV_BEGIN_HEADERS && ev->kind == H2W_HEADERS_REQUEST) {
    a->live++;
  } else if (ev->type == TEV_CLOSE) {
    a->live--;
  }
  if (a->live > a->max_live) {
    a->max_live = a->live;
  }
  assert_true(a->limit == 0 || a->live <= a->limit);
  return 0;
}

static void rapid_pair(tpeer *s, h2w_fb *b, uint32_t id) {
  tpeer_fb_headers(s, b, id, 0, POST_REQ);
  h2w_fb_rst_stream(b, id, H2W_CANCEL);
}

/* ---- row 9: Rapid Reset --------------------------------------------------
 */

/* 2000 HEADERS + RST_STREAM pairs in one buffer: 1000 are paid by the
 * burst, the reset of stream 2001 empties the bucket; streams 2003 and
 * later are never admitted. */
static void test_attack_09_rapid_reset(void **state) {
  tpeer s;
  h2w_fb b;
  live_app app = {0, 0, 100};
  size_t base;
  uint32_t id;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_HEADERS;
  s.app = &app;
  s.hook = live_hook;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  for (id = 1; id < 4000; id += 2) {
    rapid_pair(&s, &b, id);
  }
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  assert_int_equal(atk_log_count(&s, "begin_headers * req"), BURST + 1);
  assert_int_equal(atk_log_count(&s, "reset * CANCEL"), BURST);
  assert_true(tpeer_log_has(&s, "begin_headers 2001 req"));
  assert_false(tpeer_log_has(&s, "begin_headers 2003 req"));
  assert_false(tpeer_log_has(&s, "reset 2001 *"));
  assert_int_equal(atk_log_count(&s, "error *"), 1);
  assert_true(tpeer_log_has(&s, "error 0 ENHANCE_YOUR_CALM"));
  EXPECT_OUT(&s, "GOAWAY last=2001 ENHANCE_YOUR_CALM*");
  atk_bound("row 9: 2000 HEADERS+RST pairs, peak above handshake",
            atk_peak_above(&s, base), 16 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The refill runs on the caller's clock only: after the burst, one second
 * buys exactly 33 more resets. */
static void test_attack_09_refill_by_clock(void **state) {
  tpeer s;
  h2w_fb b;
  uint32_t id = 1, i;
  atk_server(&s, tmode(state), NULL);
  s.mute |=
      TEV_HEADER | TEV_HEADERS | TEV_BEGIN_HEADERS | TEV_RESET | TEV_CLOSE;
  assert_int_equal(h2w_session_tick(s.s, 5000), H2W_OK); /* clock origin */
  h2w_fb_init(&b);
  for (i = 0; i < BURST; i++, id += 2) {
    rapid_pair(&s, &b, id);
  }
  atk_feed_ok(&s, &b);
  assert_int_equal(h2w_session_tick(s.s, 6000), H2W_OK);
  for (i = 0; i < REFILL; i++, id += 2) {
    rapid_pair(&s, &b, id);
  }
  atk_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  rapid_pair(&s, &b, id);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  EXPECT_LOG(&s, "error 0 ENHANCE_YOUR_CALM");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: a client cancelling 30 requests a second for ten
 * minutes (18,000 resets, 18 times the burst) is never cut off. */
static void test_attack_09_legit_30_per_second(void **state) {
  tpeer s;
  h2w_fb b;
  live_app app = {0, 0, 100};
  uint32_t sec, i, id = 1;
  size_t base;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_HEADERS | TEV_BEGIN_HEADERS | TEV_RESET;
  s.app = &app;
  s.hook = live_hook;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  for (sec = 1; sec <= 600; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 30; i++, id += 2) {
      rapid_pair(&s, &b, id);
    }
    atk_feed_ok(&s, &b);
    EXPECT_OUT_EMPTY(&s);
  }
  assert_int_equal(atk_log_count(&s, "close * CANCEL reset"), 18000);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  assert_int_equal(app.live, 0);
  atk_bound("row 9: 18,000 cancels over 10 minutes, peak above handshake",
            atk_peak_above(&s, base), 16 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 10: MadeYouReset ------------------------------------------------
 */

typedef struct provoke {
  const char *what;
  const char *rst; /* the reset we are made to send */
} provoke;

static const provoke provokes[] = {
    {"WINDOW_UPDATE 0", "PROTOCOL_ERROR"},
    {"stream window overflow", "FLOW_CONTROL_ERROR"},
    {"PRIORITY of 4 octets", "FRAME_SIZE_ERROR"},
    {"DATA after END_STREAM", "STREAM_CLOSED"},
    {"HEADERS after END_STREAM", "STREAM_CLOSED"},
    {"DATA beyond the stream window", "FLOW_CONTROL_ERROR"},
};

#define STREAM_WINDOW 16u /* our SETTINGS_INITIAL_WINDOW_SIZE here */

/* A valid request on `id`, then the frame that makes us reset it. */
static void provoked_request(tpeer *s, h2w_fb *b, uint32_t id, size_t k) {
  int es = k == 3 || k == 4;
  tpeer_fb_headers(s, b, id, es ? 0x1u : 0u, POST_REQ);
  switch (k) {
  case 0:
    h2w_fb_window_update(b, id, 0);
    break;
  case 1:
    h2w_fb_window_update(b, id, 0x7fffffffu);
    break;
  case 2:
    h2w_fb_hd(b, 4, ATK_PRIORITY, 0, id);
    h2w_fb_u32(b, 0);
    break;
  case 3:
    h2w_fb_data(b, id, 0x1, "late");
    break;
  case 4:
    tpeer_fb_headers(s, b, id, 0x1, POST_REQ);
    break;
  default:
    /* STREAM_WINDOW + 1 octets. */
    h2w_fb_data(b, id, 0, "0123456789abcdefX");
    break;
  }
}

/* A server with a stream window of 16 octets and a large connection
 * window, so DATA can pass the stream window alone (§6.9.1). */
static void server(tpeer *s, void **state) {
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_initial_window_size(opt, STREAM_WINDOW),
                   H2W_OK);
  assert_int_equal(h2w_options_set_connection_window_size(opt, 0x7fffffffu),
                   H2W_OK);
  atk_server(s, tmode(state), opt);
  h2w_options_del(opt);
}

/* One of each provocation is a stream error with its own code; the
 * connection lives on. */
static void test_attack_10_each_provocation(void **state) {
  size_t k;
  for (k = 0; k < sizeof provokes / sizeof provokes[0]; k++) {
    tpeer s;
    h2w_fb b;
    char want[64];
    server(&s, state);
    s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_HEADERS | TEV_DATA |
              TEV_END | TEV_RESET;
    h2w_fb_init(&b);
    provoked_request(&s, &b, 1, k);
    atk_feed_ok(&s, &b);
    snprintf(want, sizeof want, "RST_STREAM 1 %s", provokes[k].rst);
    tpeer_parse_out(&s);
    if (atk_frames_count(&s, want) != 1) {
      fail_msg("%s: output\n%s", provokes[k].what, s.frames.buf);
    }
    tpeer_out_clear(&s);
    snprintf(want, sizeof want, "close 1 %s reset", provokes[k].rst);
    assert_true(tpeer_log_has(&s, want));
    assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* 2000 provoked resets of one kind in one buffer: the 1001st empties the
 * budget; no stream after it is admitted; the application never holds
 * more streams than the limit. */
static void test_attack_10_made_you_reset(void **state) {
  size_t k;
  for (k = 0; k < sizeof provokes / sizeof provokes[0]; k++) {
    tpeer s;
    h2w_fb b;
    live_app app = {0, 0, 100};
    size_t base;
    uint32_t id;
    server(&s, state);
    s.mute |= TEV_HEADER | TEV_HEADERS | TEV_DATA | TEV_END | TEV_RESET;
    s.app = &app;
    s.hook = live_hook;
    base = s.alloc.peak = s.alloc.bytes;
    h2w_fb_init(&b);
    for (id = 1; id < 4000; id += 2) {
      provoked_request(&s, &b, id, k);
    }
    atk_feed_err(&s, &b, H2W_E_FLOODED);
    atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
    if (atk_log_count(&s, "begin_headers * req") != BURST + 1 ||
        tpeer_log_has(&s, "begin_headers 2003 req")) {
      fail_msg("%s: %ld streams admitted", provokes[k].what,
               atk_log_count(&s, "begin_headers * req"));
    }
    assert_int_equal(atk_log_count(&s, "error 0 ENHANCE_YOUR_CALM"), 1);
    tpeer_parse_out(&s);
    assert_int_equal(atk_frames_count(&s, "GOAWAY*"), 1);
    assert_int_equal(
        atk_frames_count(&s, "GOAWAY last=2001 ENHANCE_YOUR_CALM*"), 1);
    tpeer_out_clear(&s);
    atk_bound("row 10: 2000 provoked resets, peak above handshake",
              atk_peak_above(&s, base), 64 * 1024);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* A reset stream keeps its slot until the application is told: with a
 * limit of 2, streams reset by us and new streams in the same buffer never
 * make the application hold more than 2. */
static void test_attack_10_slot_until_told(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = NULL;
  live_app app = {0, 0, 2};
  uint32_t id;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_concurrent_streams(opt, 2), H2W_OK);
  atk_server(&s, tmode(state), opt);
  h2w_options_del(opt);
  s.mute |= TEV_HEADER | TEV_HEADERS;
  s.app = &app;
  s.hook = live_hook;
  h2w_fb_init(&b);
  for (id = 1; id < 400; id += 2) {
    provoked_request(&s, &b, id, 0);
  }
  atk_feed_ok(&s, &b);
  assert_true(app.max_live <= 2);
  assert_int_equal(app.live, 0);
  assert_int_equal(h2w_session_open_streams(s.s), 0);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: a buggy but slow client provoking 30 resets a second
 * (one of each kind in turn) for ten minutes is never cut off. */
static void test_attack_10_legit_30_per_second(void **state) {
  tpeer s;
  h2w_fb b;
  uint32_t sec, i, id = 1;
  server(&s, state);
  s.mute |= TEV_HEADER | TEV_HEADERS | TEV_BEGIN_HEADERS | TEV_DATA | TEV_END |
            TEV_RESET | TEV_ERROR | TEV_CLOSE;
  h2w_fb_init(&b);
  for (sec = 1; sec <= 600; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 30; i++, id += 2) {
      provoked_request(&s, &b, id, (sec * 30 + i) % 6);
    }
    atk_feed_ok(&s, &b);
    assert_int_equal(atk_out_count(&s, "RST_STREAM *"), 30);
  }
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  EXPECT_LOG_EMPTY(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_attack_09_rapid_reset),
      SPLIT_TESTS(test_attack_09_refill_by_clock),
      SPLIT_TESTS(test_attack_09_legit_30_per_second),
      SPLIT_TESTS(test_attack_10_each_provocation),
      SPLIT_TESTS(test_attack_10_made_you_reset),
      SPLIT_TESTS(test_attack_10_slot_until_told),
      SPLIT_TESTS(test_attack_10_legit_30_per_second),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
