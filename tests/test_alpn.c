/* src/alpn.c: picking h2 from a peer's ALPN list (RFC 7301 §3.1, RFC 9113
 * §3.2), including every kind of malformed list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "h2wire.h"

/* A list written as a C string literal, without its terminating NUL. */
#define LIST(s) (const uint8_t *)(s), sizeof(s) - 1

static const uint8_t sentinel[1] = {0};

/* Select from in[0..len) and expect success at offset `at` of `in`. */
static void expect_h2_at(const uint8_t *in, size_t len, size_t at) {
  const uint8_t *out = NULL;
  uint8_t outlen = 0;
  assert_int_equal(h2w_alpn_select(in, len, &out, &outlen), H2W_OK);
  assert_ptr_equal(out, in + at);
  assert_int_equal(outlen, 2);
  assert_memory_equal(out, "h2", 2);
}

/* Expect `err`, with both outputs left untouched. */
static void expect_error(const uint8_t *in, size_t len, int err) {
  const uint8_t *out = sentinel;
  uint8_t outlen = 77;
  assert_int_equal(h2w_alpn_select(in, len, &out, &outlen), err);
  assert_ptr_equal(out, sentinel);
  assert_int_equal(outlen, 77);
}

static void test_ids(void **state) {
  (void)state;
  assert_int_equal(strlen(H2W_ALPN_H2), H2W_ALPN_H2_LEN);
  assert_int_equal(strlen(H2W_ALPN_H2_WIRE), H2W_ALPN_H2_WIRE_LEN);
  assert_int_equal(strlen(H2W_ALPN_HTTP_1_1), H2W_ALPN_HTTP_1_1_LEN);
  assert_int_equal(strlen(H2W_ALPN_HTTP_1_1_WIRE), H2W_ALPN_HTTP_1_1_WIRE_LEN);
  /* The wire forms are one-name lists: a length octet, then the id. */
  const char *h2 = H2W_ALPN_H2_WIRE, *h11 = H2W_ALPN_HTTP_1_1_WIRE;
  assert_int_equal(h2[0], H2W_ALPN_H2_LEN);
  assert_memory_equal(h2 + 1, H2W_ALPN_H2, H2W_ALPN_H2_LEN);
  assert_int_equal(h11[0], H2W_ALPN_HTTP_1_1_LEN);
  assert_memory_equal(h11 + 1, H2W_ALPN_HTTP_1_1, H2W_ALPN_HTTP_1_1_LEN);
}

static void test_selects_h2_anywhere(void **state) {
  (void)state;
  expect_h2_at(LIST(H2W_ALPN_H2_WIRE), 1);
  expect_h2_at(LIST("\x02h2\x08http/1.1"), 1);
  expect_h2_at(LIST("\x08http/1.1\x02h2"), 10);
  /* Names that only start like h2 are passed over. */
  expect_h2_at(LIST("\x03h2c\x05h2-16\x02h2\x08http/1.1"), 11);
  /* The first h2 wins when a client repeats it. */
  expect_h2_at(LIST("\x02h2\x02h2"), 1);
  /* Any octet may appear in a name (RFC 7301 §3.1: opaque). */
  expect_h2_at(LIST("\x03\x00\xff\x02\x02h2"), 5);
}

static void test_selects_h2_in_longest_list(void **state) {
  static uint8_t list[0xffff];
  (void)state;
  /* 65535 octets is the largest list the 16-bit length allows: names of
   * 255 octets, then a last name h2. */
  size_t i = 0;
  while (0xffffu - i > 256u + 3u) {
    list[i] = 255;
    memset(list + i + 1, 'x', 255);
    i += 256;
  }
  size_t last = 0xffffu - i - 3u - 1u;
  list[i] = (uint8_t)last;
  memset(list + i + 1, 'y', last);
  i += 1 + last;
  memcpy(list + i, "\x02h2", 3);
  assert_int_equal(i + 3, 0xffffu);
  expect_h2_at(list, 0xffffu, i + 1);
}

static void test_no_h2(void **state) {
  (void)state;
  expect_error(LIST(H2W_ALPN_HTTP_1_1_WIRE), H2W_E_INVALID_STATE);
  /* h2c is the cleartext id and never valid over TLS (RFC 9113 §3.1). */
  expect_error(LIST("\x03h2c"), H2W_E_INVALID_STATE);
  /* Ids are compared octet for octet: no case folding, no prefixes. */
  expect_error(LIST("\x02H2"), H2W_E_INVALID_STATE);
  expect_error(LIST("\x01h"), H2W_E_INVALID_STATE);
  expect_error(LIST("\x05h2-14\x08http/1.0"), H2W_E_INVALID_STATE);
  expect_error(LIST("\x03h2\x00"), H2W_E_INVALID_STATE);
}

static void test_malformed(void **state) {
  (void)state;
  /* An empty list (RFC 7301 §3.1: ProtocolNameList is <2..2^16-1>). */
  expect_error(NULL, 0, H2W_E_PROTOCOL);
  expect_error(sentinel, 0, H2W_E_PROTOCOL);
  /* Empty names are not allowed, wherever they are. */
  expect_error(LIST("\x00"), H2W_E_PROTOCOL);
  expect_error(LIST("\x02h2\x00"), H2W_E_PROTOCOL);
  expect_error(LIST("\x00\x02h2"), H2W_E_PROTOCOL);
  /* A name running past the end, even after a valid h2. */
  expect_error(LIST("\x03h2"), H2W_E_PROTOCOL);
  expect_error(LIST("\x02h2\x08http/1."), H2W_E_PROTOCOL);
  expect_error(LIST("\x02h2\xff"), H2W_E_PROTOCOL);
  expect_error(LIST("\x02h2\x01"), H2W_E_PROTOCOL);
}

/* A strict prefix of a valid list is malformed unless it ends right after
 * a name; then it is a valid list without h2. Only the whole list selects
 * h2. */
static void test_every_truncation(void **state) {
  static const uint8_t list[] = "\x08http/1.1\x03h2c\x02h2";
  const size_t len = sizeof list - 1;
  (void)state;
  for (size_t n = 0; n < len; n++) {
    int boundary = n == 9 || n == 13;
    expect_error(list, n, boundary ? H2W_E_INVALID_STATE : H2W_E_PROTOCOL);
  }
  expect_h2_at(list, len, 14);
}

static void test_too_long(void **state) {
  static uint8_t list[0x10000];
  (void)state;
  /* One octet past what the 16-bit list length can carry. */
  memset(list, 0, sizeof list);
  size_t i = 0;
  while (i + 256 <= sizeof list - 3) {
    list[i] = 255;
    i += 256;
  }
  list[i] = (uint8_t)(sizeof list - i - 4);
  i = sizeof list - 3;
  memcpy(list + i, "\x02h2", 3);
  expect_error(list, sizeof list, H2W_E_PROTOCOL);
}

static void test_bad_arguments(void **state) {
  const uint8_t *out = NULL;
  uint8_t outlen = 0;
  (void)state;
  assert_int_equal(h2w_alpn_select(LIST("\x02h2"), NULL, &outlen),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_alpn_select(LIST("\x02h2"), &out, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_alpn_select(NULL, 3, &out, &outlen),
                   H2W_E_INVALID_ARGUMENT);
  assert_null(out);
  assert_int_equal(outlen, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids),
      cmocka_unit_test(test_selects_h2_anywhere),
      cmocka_unit_test(test_selects_h2_in_longest_list),
      cmocka_unit_test(test_no_h2),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_every_truncation),
      cmocka_unit_test(test_too_long),
      cmocka_unit_test(test_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
