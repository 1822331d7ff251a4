/* src/settings.c: RFC 9113 §6.5 ranges, defaults and the ACK queue. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "settings.h"

static void test_defaults(void **state) {
  h2w_settings s;
  int known = 0;
  (void)state;
  h2w_settings_init(&s);
  assert_int_equal(s.header_table_size, 4096);
  assert_int_equal(s.enable_push, 1);
  assert_int_equal(s.max_concurrent_streams, UINT32_MAX);
  assert_int_equal(s.initial_window_size, 65535);
  assert_int_equal(s.max_frame_size, 16384);
  assert_int_equal(s.max_header_list_size, UINT32_MAX);
  assert_int_equal(s.enable_connect_protocol, 0);
  assert_int_equal(s.no_rfc7540_priorities, 0);
  assert_int_equal(h2w_settings_get(&s, H2W_SETTINGS_MAX_FRAME_SIZE, &known),
                   16384);
  assert_true(known);
  assert_int_equal(h2w_settings_get(&s, 0x7, &known), 0);
  assert_false(known);
}

static void expect_reject(uint16_t id, uint32_t value, int server_peer, int err,
                          uint32_t code) {
  h2w_settings s;
  uint32_t got = 0xdead;
  h2w_settings_init(&s);
  assert_int_equal(h2w_settings_check(&s, id, value, server_peer, &got), err);
  assert_int_equal(got, code);
}

static void expect_accept(uint16_t id, uint32_t value, int server_peer) {
  h2w_settings s;
  uint32_t got = 0xdead;
  h2w_settings_init(&s);
  assert_int_equal(h2w_settings_check(&s, id, value, server_peer, &got),
                   H2W_OK);
  assert_int_equal(got, 0xdead);
}

static void test_ranges(void **state) {
  (void)state;
  expect_accept(H2W_SETTINGS_ENABLE_PUSH, 0, 0);
  expect_accept(H2W_SETTINGS_ENABLE_PUSH, 1, 0);
  expect_accept(H2W_SETTINGS_ENABLE_PUSH, 0, 1);
  expect_reject(H2W_SETTINGS_ENABLE_PUSH, 2, 0, H2W_E_PROTOCOL,
                H2W_PROTOCOL_ERROR);
  /* §6.5.2: a server must not send ENABLE_PUSH 1. */
  expect_reject(H2W_SETTINGS_ENABLE_PUSH, 1, 1, H2W_E_PROTOCOL,
                H2W_PROTOCOL_ERROR);
  expect_accept(H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff, 0);
  expect_reject(H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0x80000000u, 0,
                H2W_E_FLOW_CONTROL, H2W_FLOW_CONTROL_ERROR);
  expect_accept(H2W_SETTINGS_MAX_FRAME_SIZE, 16384, 0);
  expect_accept(H2W_SETTINGS_MAX_FRAME_SIZE, 16777215, 0);
  expect_reject(H2W_SETTINGS_MAX_FRAME_SIZE, 16383, 0, H2W_E_PROTOCOL,
                H2W_PROTOCOL_ERROR);
  expect_reject(H2W_SETTINGS_MAX_FRAME_SIZE, 16777216, 0, H2W_E_PROTOCOL,
                H2W_PROTOCOL_ERROR);
  expect_reject(H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL, 2, 1, H2W_E_PROTOCOL,
                H2W_PROTOCOL_ERROR);
  expect_reject(H2W_SETTINGS_NO_RFC7540_PRIORITIES, 2, 1, H2W_E_PROTOCOL,
                H2W_PROTOCOL_ERROR);
  expect_accept(H2W_SETTINGS_NO_RFC7540_PRIORITIES, 1, 1);
  /* Any value of the table sizes and limits is acceptable. */
  expect_accept(H2W_SETTINGS_HEADER_TABLE_SIZE, UINT32_MAX, 0);
  expect_accept(H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0);
  expect_accept(H2W_SETTINGS_MAX_HEADER_LIST_SIZE, 0, 0);
  /* Unknown identifiers are ignored (§6.5.2). */
  expect_accept(0xff, UINT32_MAX, 0);
}

static void test_connect_protocol_cannot_be_withdrawn(void **state) {
  h2w_settings s;
  uint32_t code = 0;
  (void)state;
  h2w_settings_init(&s);
  assert_int_equal(
      h2w_settings_check(&s, H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1, 1, &code),
      H2W_OK);
  h2w_settings_set(&s, H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1);
  /* RFC 8441 §3: once 1, a sender must not send 0. */
  assert_int_equal(
      h2w_settings_check(&s, H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL, 0, 1, &code),
      H2W_E_PROTOCOL);
  assert_int_equal(code, H2W_PROTOCOL_ERROR);
}

static void test_set_unknown_ignored(void **state) {
  h2w_settings s, before;
  (void)state;
  h2w_settings_init(&s);
  before = s;
  h2w_settings_set(&s, 0x7, 123);
  h2w_settings_set(&s, 0xabcd, 5);
  assert_memory_equal(&s, &before, sizeof(s));
  h2w_settings_set(&s, H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 7);
  assert_int_equal(s.max_concurrent_streams, 7);
}

static void test_pending_applies_in_order(void **state) {
  h2w_settings local;
  h2w_settings_pending p;
  const h2w_settings_entry first[] = {
      {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 1 << 20},
  };
  const h2w_settings_entry second[] = {
      {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 0},
      {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 50},
  };
  (void)state;
  h2w_settings_init(&local);
  h2w_settings_pending_init(&p);
  assert_int_equal(h2w_settings_pending_push(&p, &local, first, 2), H2W_OK);
  assert_int_equal(h2w_settings_pending_push(&p, &local, second, 2), H2W_OK);
  /* Nothing takes effect before the ACK (§6.5.3). */
  assert_int_equal(local.max_concurrent_streams, UINT32_MAX);
  assert_int_equal(h2w_settings_pending_ack(&p, &local, NULL), H2W_OK);
  assert_int_equal(local.max_concurrent_streams, 100);
  assert_int_equal(local.initial_window_size, 1 << 20);
  assert_int_equal(local.header_table_size, 4096);
  assert_int_equal(h2w_settings_pending_ack(&p, &local, NULL), H2W_OK);
  assert_int_equal(local.max_concurrent_streams, 50);
  assert_int_equal(local.initial_window_size, 1 << 20);
  assert_int_equal(local.header_table_size, 0);
  /* An ACK nobody asked for. */
  assert_int_equal(h2w_settings_pending_ack(&p, &local, NULL), H2W_E_PROTOCOL);
}

static void test_pending_limits(void **state) {
  h2w_settings local;
  h2w_settings_pending p;
  const h2w_settings_entry bad[] = {{H2W_SETTINGS_MAX_FRAME_SIZE, 0, 100}};
  const h2w_settings_entry ok[] = {{H2W_SETTINGS_ENABLE_PUSH, 0, 0}};
  int i;
  (void)state;
  h2w_settings_init(&local);
  h2w_settings_pending_init(&p);
  assert_int_equal(h2w_settings_pending_push(&p, &local, bad, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_settings_pending_push(&p, &local, NULL, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(p.len, 0);
  for (i = 0; i < H2W_SETTINGS_MAX_PENDING; i++) {
    assert_int_equal(
        h2w_settings_pending_push(&p, &local, i ? NULL : ok, i ? 0 : 1),
        H2W_OK);
  }
  assert_int_equal(h2w_settings_pending_push(&p, &local, NULL, 0), H2W_E_LIMIT);
  /* The ring wraps: drain one, push one, the order is kept. */
  assert_int_equal(h2w_settings_pending_ack(&p, &local, NULL), H2W_OK);
  assert_int_equal(local.enable_push, 0);
  assert_int_equal(h2w_settings_pending_push(&p, &local, NULL, 0), H2W_OK);
  for (i = 0; i < H2W_SETTINGS_MAX_PENDING; i++) {
    assert_int_equal(h2w_settings_pending_ack(&p, &local, NULL), H2W_OK);
    assert_int_equal(local.enable_push, 0);
  }
  assert_int_equal(p.len, 0);
}

/* RFC 7541 §4.2: a pending frame remembers the smallest
 * HEADER_TABLE_SIZE its entries reached, starting from the value the
 * frame before it left, so the ACK can tell the decoder to expect it. */
static void test_pending_table_size_low(void **state) {
  h2w_settings local;
  h2w_settings_pending p;
  const h2w_settings_entry dip[] = {
      {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 0},
      {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 4096},
  };
  const h2w_settings_entry grow[] = {{H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 8192}};
  uint32_t low = 1;
  (void)state;
  h2w_settings_init(&local);
  h2w_settings_pending_init(&p);
  assert_int_equal(h2w_settings_pending_push(&p, &local, dip, 2), H2W_OK);
  assert_int_equal(h2w_settings_pending_push(&p, &local, grow, 1), H2W_OK);
  assert_int_equal(h2w_settings_pending_ack(&p, &local, &low), H2W_OK);
  assert_int_equal(low, 0);
  assert_int_equal(local.header_table_size, 4096);
  assert_int_equal(h2w_settings_pending_ack(&p, &local, &low), H2W_OK);
  assert_int_equal(low, 4096);
  assert_int_equal(local.header_table_size, 8192);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pending_table_size_low),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_ranges),
      cmocka_unit_test(test_connect_protocol_cannot_be_withdrawn),
      cmocka_unit_test(test_set_unknown_ignored),
      cmocka_unit_test(test_pending_applies_in_order),
      cmocka_unit_test(test_pending_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
