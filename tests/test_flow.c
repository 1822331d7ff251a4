/* src/flow.c: window arithmetic of RFC 9113 §6.9. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "flow.h"
#include "h2wire.h"

static void test_send_credit_and_overflow(void **state) {
  h2w_send_window w;
  (void)state;
  h2w_send_window_init(&w, H2W_DEFAULT_WINDOW_SIZE);
  assert_int_equal(w.avail, 65535);
  assert_int_equal(h2w_send_window_credit(&w, 1000), H2W_OK);
  assert_int_equal(w.avail, 66535);
  /* §6.9.1: a credit past 2^31-1 is a FLOW_CONTROL_ERROR, window kept. */
  assert_int_equal(h2w_send_window_credit(&w, 0x7fffffffu - 66535u + 1u),
                   H2W_E_FLOW_CONTROL);
  assert_int_equal(w.avail, 66535);
  assert_int_equal(h2w_send_window_credit(&w, 0x7fffffffu - 66535u), H2W_OK);
  assert_int_equal(w.avail, 0x7fffffff);
  assert_int_equal(h2w_send_window_credit(&w, 1), H2W_E_FLOW_CONTROL);
  h2w_send_window_init(&w, 0xffffffffu);
  assert_int_equal(w.avail, 0x7fffffff);
}

static void test_send_allow_consume(void **state) {
  h2w_send_window w;
  (void)state;
  h2w_send_window_init(&w, 100);
  assert_int_equal(h2w_send_window_allow(&w, 40), 40);
  assert_int_equal(h2w_send_window_allow(&w, 400), 100);
  h2w_send_window_consume(&w, 100);
  assert_int_equal(h2w_send_window_allow(&w, 1), 0);
}

static void test_send_rebase_negative_and_overflow(void **state) {
  h2w_send_window w;
  (void)state;
  h2w_send_window_init(&w, 65535);
  h2w_send_window_consume(&w, 60000);
  /* §6.9.2: lowering INITIAL_WINDOW_SIZE can make a window negative;
   * sending then stops until WINDOW_UPDATEs bring it back above zero. */
  assert_int_equal(h2w_send_window_rebase(&w, 65535, 16384), H2W_OK);
  assert_int_equal(w.avail, 5535 - 49151);
  assert_int_equal(h2w_send_window_allow(&w, 10), 0);
  assert_int_equal(h2w_send_window_credit(&w, 43616), H2W_OK);
  assert_int_equal(w.avail, 0);
  assert_int_equal(h2w_send_window_credit(&w, 1), H2W_OK);
  assert_int_equal(h2w_send_window_allow(&w, 10), 1);
  /* Raising it past 2^31-1 for an open stream is FLOW_CONTROL_ERROR. */
  h2w_send_window_init(&w, 0x7fffffff);
  assert_int_equal(h2w_send_window_rebase(&w, 65535, 65536),
                   H2W_E_FLOW_CONTROL);
  assert_int_equal(w.avail, 0x7fffffff);
}

static void test_recv_window_rules(void **state) {
  h2w_recv_window w;
  (void)state;
  h2w_recv_window_init(&w, 65535);
  assert_int_equal(h2w_recv_window_receive(&w, 65535), H2W_OK);
  assert_int_equal(w.avail, 0);
  /* §6.9.1: DATA beyond the window is a FLOW_CONTROL_ERROR. */
  assert_int_equal(h2w_recv_window_receive(&w, 1), H2W_E_FLOW_CONTROL);
  assert_int_equal(w.avail, 0);
  h2w_recv_window_consume(&w, 10);
  /* Window shut: even a small credit is due so the peer does not stall. */
  assert_int_equal(h2w_recv_window_update_due(&w), 10);
  /* Not credited until the WINDOW_UPDATE is actually emitted. */
  assert_int_equal(w.avail, 0);
  h2w_recv_window_commit(&w, 10);
  assert_int_equal(w.avail, 10);
  assert_int_equal(w.consumed, 0);
  assert_int_equal(h2w_recv_window_update_due(&w), 0);
}

static void test_recv_update_batching(void **state) {
  h2w_recv_window w;
  uint32_t inc;
  (void)state;
  h2w_recv_window_init(&w, 65535);
  assert_int_equal(h2w_recv_window_receive(&w, 1000), H2W_OK);
  h2w_recv_window_consume(&w, 1000);
  assert_int_equal(h2w_recv_window_update_due(&w), 0);
  assert_int_equal(h2w_recv_window_receive(&w, 40000), H2W_OK);
  h2w_recv_window_consume(&w, 40000);
  inc = h2w_recv_window_update_due(&w);
  assert_int_equal(inc, 41000);
  h2w_recv_window_commit(&w, inc);
  assert_int_equal(w.avail, 65535);
}

static void test_recv_target_changes(void **state) {
  h2w_recv_window w;
  (void)state;
  h2w_recv_window_init(&w, 65535);
  assert_int_equal(h2w_recv_window_set_target(&w, 0x80000000u),
                   H2W_E_INVALID_ARGUMENT);
  /* Growing the target offers the difference at once. */
  assert_int_equal(h2w_recv_window_set_target(&w, 1048576), H2W_OK);
  assert_int_equal(h2w_recv_window_update_due(&w), 1048576 - 65535);
  h2w_recv_window_commit(&w, 1048576 - 65535);
  assert_int_equal(w.avail, 1048576);
  /* Shrinking stops credits until the window drains below the target. */
  assert_int_equal(h2w_recv_window_set_target(&w, 65535), H2W_OK);
  assert_int_equal(h2w_recv_window_receive(&w, 500000), H2W_OK);
  h2w_recv_window_consume(&w, 500000);
  assert_int_equal(h2w_recv_window_update_due(&w), 0);
  assert_int_equal(h2w_recv_window_receive(&w, 548576 - 1000), H2W_OK);
  h2w_recv_window_consume(&w, 548576 - 1000);
  assert_int_equal(h2w_recv_window_update_due(&w), 65535 - 1000);
}

static void test_recv_consume_never_overflows(void **state) {
  h2w_recv_window w;
  (void)state;
  h2w_recv_window_init(&w, 0x7fffffff);
  h2w_recv_window_consume(&w, 0xffffffffu);
  assert_int_equal(w.consumed, 0);
  assert_int_equal(h2w_recv_window_receive(&w, 5), H2W_OK);
  h2w_recv_window_consume(&w, 0xffffffffu);
  assert_int_equal(w.consumed, 5);
}

/* docs/security.md row 7: the hold-back threshold is half the largest window
 * the peer has offered, at most 16384; only a credit that leaves the
 * window under it holds DATA, and window we left unused never does. */
static void test_window_dribble_threshold(void **state) {
  h2w_send_window w;
  (void)state;
  h2w_send_window_init(&w, 1000);
  assert_int_equal(h2w_send_window_threshold(&w), 500);
  assert_false(h2w_send_window_held(&w));
  h2w_send_window_consume(&w, 800); /* 200 left, unused: not held */
  assert_false(h2w_send_window_held(&w));
  h2w_send_window_consume(&w, 200);
  assert_true(h2w_send_window_held(&w)); /* closed */
  assert_int_equal(h2w_send_window_credit(&w, 100), H2W_OK);
  assert_true(h2w_send_window_held(&w)); /* 100 < 500 */
  assert_int_equal(h2w_send_window_credit(&w, 400), H2W_OK);
  assert_false(h2w_send_window_held(&w)); /* 500: worth a frame */
  /* The peak follows the window the peer offers, capped at 16384. */
  assert_int_equal(h2w_send_window_credit(&w, 99500), H2W_OK);
  assert_int_equal(h2w_send_window_threshold(&w), 16384);
  /* A window of 1 never adds up to anything: nothing is held. */
  h2w_send_window_init(&w, 1);
  h2w_send_window_consume(&w, 1);
  assert_int_equal(h2w_send_window_credit(&w, 1), H2W_OK);
  assert_int_equal(h2w_send_window_threshold(&w), 0);
  assert_false(h2w_send_window_held(&w));
}

/* §6.9.2: a SETTINGS change restarts the peak from the new size, so a
 * peer that shrinks its window lowers the threshold with it. */
static void test_window_dribble_rebase_peak(void **state) {
  h2w_send_window w;
  (void)state;
  h2w_send_window_init(&w, 65535);
  h2w_send_window_consume(&w, 65535);
  assert_int_equal(h2w_send_window_credit(&w, 1000), H2W_OK);
  assert_true(h2w_send_window_held(&w)); /* 1000 < 16384 */
  assert_int_equal(h2w_send_window_rebase(&w, 65535, 4000), H2W_OK);
  assert_true(w.avail < 0);
  assert_int_equal(h2w_send_window_threshold(&w), 2000);
  assert_int_equal(h2w_send_window_credit(&w, 64535), H2W_OK);
  assert_int_equal(w.avail, 4000);
  assert_false(h2w_send_window_held(&w));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_send_credit_and_overflow),
      cmocka_unit_test(test_window_dribble_threshold),
      cmocka_unit_test(test_window_dribble_rebase_peak),
      cmocka_unit_test(test_send_allow_consume),
      cmocka_unit_test(test_send_rebase_negative_and_overflow),
      cmocka_unit_test(test_recv_window_rules),
      cmocka_unit_test(test_recv_update_batching),
      cmocka_unit_test(test_recv_target_changes),
      cmocka_unit_test(test_recv_consume_never_overflows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
