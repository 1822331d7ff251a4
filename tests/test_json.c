/* src/textbuf.c and src/json.c: the bounded text builder under the
 * debugging aids (snprintf semantics at every size, number formatting at
 * the limits) and the JSON writer (commas, nesting, escaping of every
 * octet value into ASCII). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "textbuf.h"

static void test_textbuf_numbers(void **state) {
  char buf[128];
  h2w_textbuf t;
  (void)state;
  h2w_tb_init(&t, buf, sizeof buf);
  h2w_tb_u64(&t, 0);
  h2w_tb_char(&t, ' ');
  h2w_tb_u64(&t, UINT64_MAX);
  h2w_tb_char(&t, ' ');
  h2w_tb_i64(&t, INT64_MIN);
  h2w_tb_char(&t, ' ');
  h2w_tb_i64(&t, -1);
  h2w_tb_char(&t, ' ');
  h2w_tb_i64(&t, INT64_MAX);
  h2w_tb_char(&t, ' ');
  h2w_tb_hex(&t, 0, 2);
  h2w_tb_char(&t, ' ');
  h2w_tb_hex(&t, 0xabc, 2);
  h2w_tb_char(&t, ' ');
  h2w_tb_hex(&t, 0x5, 4);
  h2w_tb_char(&t, ' ');
  h2w_tb_hex(&t, UINT64_MAX, 1);
  h2w_tb_str(&t, NULL);
  assert_string_equal(buf, "0 18446744073709551615 -9223372036854775808 -1 "
                           "9223372036854775807 00 abc 0005 "
                           "ffffffffffffffff");
  assert_int_equal(t.len, strlen(buf));
}

/* Every capacity: a NUL-terminated prefix, nothing past cap, the full
 * length counted. */
static void test_textbuf_truncation(void **state) {
  static const char want[] = "abc 12345 ff";
  char buf[32];
  size_t cap, i;
  (void)state;
  for (cap = 0; cap < sizeof buf; cap++) {
    h2w_textbuf t;
    memset(buf, 0x77, sizeof buf);
    h2w_tb_init(&t, buf, cap);
    h2w_tb_str(&t, "abc");
    h2w_tb_char(&t, ' ');
    h2w_tb_u64(&t, 12345);
    h2w_tb_bytes(&t, " ", 1);
    h2w_tb_hex(&t, 0xff, 2);
    assert_int_equal(t.len, sizeof want - 1);
    if (cap > 0) {
      size_t kept = cap - 1 < t.len ? cap - 1 : t.len;
      assert_memory_equal(buf, want, kept);
      assert_int_equal(buf[kept], '\0');
    }
    for (i = cap; i < sizeof buf; i++) {
      assert_int_equal(buf[i], 0x77);
    }
  }
  /* A NULL buffer only measures, whatever cap says. */
  {
    h2w_textbuf t;
    h2w_tb_init(&t, NULL, 100);
    h2w_tb_str(&t, want);
    assert_int_equal(t.len, sizeof want - 1);
  }
}

static void test_json_structure(void **state) {
  char buf[256];
  h2w_json j;
  (void)state;
  h2w_json_init(&j, buf, sizeof buf);
  h2w_json_object(&j, NULL);
  h2w_json_u64(&j, "a", 1);
  h2w_json_array(&j, "b");
  h2w_json_i64(&j, NULL, -2);
  h2w_json_object(&j, NULL);
  h2w_json_end_object(&j);
  h2w_json_array(&j, NULL);
  h2w_json_end_array(&j);
  h2w_json_bool(&j, NULL, 1);
  h2w_json_end_array(&j);
  h2w_json_null(&j, "c");
  h2w_json_str(&j, "d", NULL);
  h2w_json_str(&j, "e", "x");
  h2w_json_bool(&j, "f", 0);
  h2w_json_bytes(&j, "g", NULL, 0);
  h2w_json_end_object(&j);
  assert_string_equal(buf, "{\"a\":1,\"b\":[-2,{},[],true],\"c\":null,"
                           "\"d\":null,\"e\":\"x\",\"f\":false,\"g\":\"\"}");
}

/* RFC 8259 §7: quote, backslash and controls escaped; DEL and octets
 * above 0x7f too, so the text is ASCII. */
static void test_json_escaping(void **state) {
  uint8_t all[256];
  char buf[2048];
  char want[2048];
  size_t i, off = 0;
  h2w_json j;
  (void)state;
  for (i = 0; i < 256; i++) {
    all[i] = (uint8_t)i;
  }
  want[off++] = '"';
  for (i = 0; i < 256; i++) {
    if (i == '"' || i == '\\') {
      want[off++] = '\\';
      want[off++] = (char)i;
    } else if (i == '\n' || i == '\r' || i == '\t') {
      want[off++] = '\\';
      want[off++] = i == '\n' ? 'n' : i == '\r' ? 'r' : 't';
    } else if (i < 0x20 || i >= 0x7f) {
      static const char hex[] = "0123456789abcdef";
      memcpy(want + off, "\\u00", 4);
      off += 4;
      want[off++] = hex[i >> 4];
      want[off++] = hex[i & 0xf];
    } else {
      want[off++] = (char)i;
    }
  }
  want[off++] = '"';
  want[off] = '\0';
  h2w_json_init(&j, buf, sizeof buf);
  h2w_json_bytes(&j, NULL, all, sizeof all);
  assert_string_equal(buf, want);
  assert_int_equal(j.tb.len, off);
  h2w_json_init(&j, buf, sizeof buf);
  h2w_json_object(&j, NULL);
  h2w_json_str(&j, "k\"ey", "v\\al");
  h2w_json_end_object(&j);
  assert_string_equal(buf, "{\"k\\\"ey\":\"v\\\\al\"}");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_textbuf_numbers),
      cmocka_unit_test(test_textbuf_truncation),
      cmocka_unit_test(test_json_structure),
      cmocka_unit_test(test_json_escaping),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
