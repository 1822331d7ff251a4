/* Keepalive PINGs, dead-peer detection and the idle-connection timeout,
 * all on a fake clock given through h2w_session_tick(), and the token
 * bucket (src/limits.c) the abuse limiters use. Receive tests in the
 * three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "limits.h"
#include "pump.h"

/* "h2wkeep1": the opaque data of the keepalive PING (src/session.c). */
#define KEEP_PING "PING 6832776b65657031"
#define KEEP_OPAQUE 0x6832776b65657031ull

static h2w_options *keepalive_opts(uint32_t interval, uint32_t timeout) {
  h2w_options *opt;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_keepalive(opt, interval, timeout), H2W_OK);
  return opt;
}

static void start(tpeer *p, int is_server, void **state, h2w_options *opt) {
  tpeer_start(p, is_server, tmode(state), opt);
  h2w_options_del(opt);
  tpeer_handshake(p);
  /* The clock starts at 1000 so that "0" is never a special value. */
  assert_int_equal(h2w_session_tick(p->s, 1000), H2W_OK);
}

static void test_keepalive_option_checks(void **state) {
  h2w_options *opt;
  (void)state;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_keepalive(NULL, 1, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_options_set_keepalive(opt, 0, 5),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_options_set_keepalive(opt, 5, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_options_set_keepalive(opt, 0, 0), H2W_OK);
  assert_int_equal(h2w_options_set_idle_timeout(NULL, 1),
                   H2W_E_INVALID_ARGUMENT);
  h2w_options_del(opt);
}

/* A quiet connection gets a PING after the interval; its ACK is the
 * library's own (no ping_ack event) and the next PING waits another
 * interval from the ACK. */
static void test_keepalive_ping_after_interval(void **state) {
  tpeer c;
  h2w_fb b;
  start(&c, 0, state, keepalive_opts(5000, 2000));
  assert_int_equal(h2w_session_next_deadline(c.s), 6000);
  assert_int_equal(h2w_session_tick(c.s, 5999), H2W_OK);
  EXPECT_OUT_EMPTY(&c);
  assert_int_equal(h2w_session_tick(c.s, 6000), H2W_OK);
  EXPECT_OUT(&c, KEEP_PING);
  assert_int_equal(h2w_session_next_deadline(c.s), 8000);
  /* Nothing more while it is outstanding. */
  assert_int_equal(h2w_session_tick(c.s, 7000), H2W_OK);
  EXPECT_OUT_EMPTY(&c);
  h2w_fb_init(&b);
  h2w_fb_ping(&b, 1, KEEP_OPAQUE);
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG_EMPTY(&c);
  assert_int_equal(h2w_session_next_deadline(c.s), 12000);
  assert_int_equal(h2w_session_tick(c.s, 9000), H2W_OK);
  EXPECT_OUT_EMPTY(&c);
  assert_int_equal(h2w_session_tick(c.s, 12000), H2W_OK);
  EXPECT_OUT(&c, KEEP_PING);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* No frame at all within the timeout: the peer is dead. */
static void test_keepalive_dead_peer(void **state) {
  tpeer c;
  start(&c, 0, state, keepalive_opts(5000, 2000));
  assert_int_equal(h2w_session_tick(c.s, 6000), H2W_OK);
  EXPECT_OUT(&c, KEEP_PING);
  assert_int_equal(h2w_session_tick(c.s, 7999), H2W_OK);
  EXPECT_LOG_EMPTY(&c);
  assert_int_equal(h2w_session_tick(c.s, 8000), H2W_E_TIMEOUT);
  EXPECT_LOG(&c, "error 0 NO_ERROR");
  EXPECT_OUT(&c, "GOAWAY last=0 NO_ERROR*");
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_E_TIMEOUT);
  assert_int_equal(h2w_session_next_deadline(c.s), UINT64_MAX);
  /* Sticky: later ticks and input change nothing. */
  assert_int_equal(h2w_session_tick(c.s, 9000), H2W_E_TIMEOUT);
  EXPECT_LOG_EMPTY(&c);
  tpeer_free(&c);
}

/* Any frame proves the peer alive, not only the ACK: a busy peer whose
 * ACK is late is not declared dead. */
static void test_keepalive_any_frame_is_liveness(void **state) {
  tpeer c;
  h2w_fb b;
  start(&c, 0, state, keepalive_opts(5000, 2000));
  h2w_fb_init(&b);
  assert_int_equal(h2w_session_tick(c.s, 6000), H2W_OK);
  EXPECT_OUT(&c, KEEP_PING);
  assert_int_equal(h2w_session_tick(c.s, 7000), H2W_OK);
  h2w_fb_ping(&b, 0, 99); /* the peer's own PING */
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "PING ack 0000000000000063");
  assert_int_equal(h2w_session_tick(c.s, 8000), H2W_OK);
  EXPECT_LOG_EMPTY(&c);
  /* The next PING comes an interval after that frame, in the same slot
   * (the old PING's ACK never came). */
  assert_int_equal(h2w_session_next_deadline(c.s), 12000);
  assert_int_equal(h2w_session_tick(c.s, 12000), H2W_OK);
  EXPECT_OUT(&c, KEEP_PING);
  h2w_fb_ping(&b, 1, KEEP_OPAQUE);
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG_EMPTY(&c);
  /* The application's own PINGs still work and report their RTT. */
  assert_int_equal(h2w_session_tick(c.s, 12500), H2W_OK);
  assert_int_equal(h2w_session_submit_ping(c.s, (const uint8_t *)"appping1"),
                   H2W_OK);
  EXPECT_OUT(&c, "PING 61707070696e6731");
  assert_int_equal(h2w_session_tick(c.s, 12600), H2W_OK);
  h2w_fb_ping(&b, 1, 0x61707070696e6731ull);
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "ping_ack rtt=100");
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* Every PING slot held by the application: the keepalive waits another
 * interval instead of failing. */
static void test_keepalive_slots_full(void **state) {
  tpeer c;
  uint8_t op[8];
  int i;
  start(&c, 0, state, keepalive_opts(5000, 2000));
  for (i = 0; i < 8; i++) {
    memset(op, i + 1, sizeof(op));
    assert_int_equal(h2w_session_submit_ping(c.s, op), H2W_OK);
  }
  assert_int_equal(h2w_session_submit_ping(c.s, op), H2W_E_LIMIT);
  assert_true(tpeer_out_has(&c, "PING 0808080808080808"));
  tpeer_out_clear(&c);
  assert_int_equal(h2w_session_tick(c.s, 6000), H2W_OK);
  assert_false(tpeer_out_has(&c, KEEP_PING));
  assert_int_equal(h2w_session_next_deadline(c.s), 11000);
  assert_int_equal(h2w_session_tick(c.s, 10999), H2W_OK);
  EXPECT_LOG_EMPTY(&c);
  tpeer_free(&c);
}

/* Keepalive across a real client-server pair: hours of quiet connection
 * on the fake clock, every PING answered, nothing reported. */
static void test_keepalive_pair_long_quiet(void **state) {
  tpeer c, s;
  uint64_t t;
  h2w_options *opt = keepalive_opts(30000, 10000);
  tpeer_start(&c, 0, tmode(state), opt);
  tpeer_start(&s, 1, tmode(state), NULL);
  h2w_options_del(opt);
  tpump_at(&c, &s, 0);
  tpeer_log_clear(&c);
  tpeer_log_clear(&s);
  for (t = 1000; t <= 3600000; t += 1000) {
    tpump_at(&c, &s, t);
  }
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  EXPECT_LOG_EMPTY(&c);
  EXPECT_LOG_EMPTY(&s);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* The idle timeout counts from the last stream's close; open streams and
 * PINGs do not expire it. */
static void test_idle_timeout(void **state) {
  tpeer c, s;
  h2w_options *opt;
  int32_t id;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_idle_timeout(opt, 5000), H2W_OK);
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), opt);
  h2w_options_del(opt);
  c.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpump_at(&c, &s, 1000);
  tpeer_log_clear(&c);
  tpeer_log_clear(&s);
  assert_int_equal(h2w_session_next_deadline(s.s), 6000);
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump_at(&c, &s, 4000);
  assert_int_equal(h2w_session_next_deadline(s.s), UINT64_MAX);
  tpump_at(&c, &s, 9000); /* open stream: not idle */
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  tpeer_respond(&s, (uint32_t)id, RESP_200, NULL);
  tpump_at(&c, &s, 9000);
  tpeer_log_clear(&c);
  tpeer_log_clear(&s);
  assert_int_equal(h2w_session_next_deadline(s.s), 14000);
  assert_int_equal(h2w_session_submit_ping(c.s, NULL), H2W_OK);
  tpump_at(&c, &s, 13999);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  tpeer_log_clear(&c);
  assert_int_equal(h2w_session_tick(s.s, 14000), H2W_E_TIMEOUT);
  EXPECT_LOG(&s, "error 0 NO_ERROR");
  tpump(&c, &s);
  EXPECT_LOG(&c, "goaway 1 NO_ERROR debug=connection idle*");
  tpeer_free(&c);
  tpeer_free(&s);
}

/* ---- the token bucket ------------------------------------------------- */

static void test_bucket_burst_and_refill(void **state) {
  h2w_bucket b;
  int i;
  (void)state;
  h2w_bucket_init(&b, 3, 2, 100);
  for (i = 0; i < 3; i++) {
    assert_int_equal(h2w_bucket_take(&b, 100), 0);
  }
  assert_int_equal(h2w_bucket_take(&b, 100), -1);
  /* 2 tokens per second: one every 500 ms, exactly. */
  assert_int_equal(h2w_bucket_take(&b, 599), -1);
  assert_int_equal(h2w_bucket_take(&b, 600), 0);
  assert_int_equal(h2w_bucket_take(&b, 600), -1);
  /* Never above the burst, however long the pause. */
  for (i = 0; i < 3; i++) {
    assert_int_equal(h2w_bucket_take(&b, 1000000000000ull), 0);
  }
  assert_int_equal(h2w_bucket_take(&b, 1000000000000ull), -1);
  /* A clock that goes back refills nothing and breaks nothing. */
  assert_int_equal(h2w_bucket_take(&b, 5), -1);
}

static void test_bucket_off_and_no_refill(void **state) {
  h2w_bucket b;
  int i;
  (void)state;
  h2w_bucket_init(&b, 0, 0, 0);
  for (i = 0; i < 100000; i++) {
    assert_int_equal(h2w_bucket_take(&b, 0), 0);
  }
  h2w_bucket_init(&b, 2, 0, 0);
  assert_int_equal(h2w_bucket_take(&b, 0), 0);
  assert_int_equal(h2w_bucket_take(&b, 0), 0);
  assert_int_equal(h2w_bucket_take(&b, UINT64_MAX), -1);
  /* The largest rate cannot overflow the level. */
  h2w_bucket_init(&b, 1, UINT32_MAX, 0);
  assert_int_equal(h2w_bucket_take(&b, 0), 0);
  assert_int_equal(h2w_bucket_take(&b, UINT64_MAX), 0);
  assert_int_equal(h2w_bucket_take(&b, UINT64_MAX), -1);
}

/* The next deadline is the earliest armed timer: a keepalive due before
 * the SETTINGS-ACK timeout is not hidden by it while our SETTINGS wait
 * for their ACK (found by the session-dump tests). */
static void test_deadline_is_earliest_timer(void **state) {
  tpeer c;
  h2w_options *opt = keepalive_opts(1000, 500);
  tpeer_start(&c, 0, tmode(state), opt);
  h2w_options_del(opt);
  assert_int_equal(h2w_session_tick(c.s, 0), H2W_OK);
  tpeer_parse_out(&c); /* our SETTINGS left: the ACK timeout is armed */
  tpeer_out_clear(&c);
  assert_int_equal(h2w_session_next_deadline(c.s), 1000);
  assert_int_equal(h2w_session_tick(c.s, 1000), H2W_OK);
  EXPECT_OUT(&c, KEEP_PING);
  tpeer_free(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keepalive_option_checks),
      SPLIT_TESTS(test_keepalive_ping_after_interval),
      SPLIT_TESTS(test_keepalive_dead_peer),
      SPLIT_TESTS(test_keepalive_any_frame_is_liveness),
      SPLIT_TESTS(test_keepalive_slots_full),
      SPLIT_TESTS(test_keepalive_pair_long_quiet),
      SPLIT_TESTS(test_idle_timeout),
      SPLIT_TESTS(test_deadline_is_earliest_timer),
      cmocka_unit_test(test_bucket_burst_and_refill),
      cmocka_unit_test(test_bucket_off_and_no_refill),
  };
  tpeer_no_clock = 1; /* these tests start the clock themselves */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
