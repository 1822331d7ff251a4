/* The RFC 9218 §4 Priority field value parser (src/priority.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "h2wire.h"

static void expect(const char *v, int rv, int u, int i) {
  int gu = -1, gi = -1;
  int r = h2w_priority_parse(v, strlen(v), &gu, &gi);
  if (r != rv || gu != u || gi != i) {
    fail_msg("\"%s\": got rv=%d u=%d i=%d, want rv=%d u=%d i=%d", v, r, gu, gi,
             rv, u, i);
  }
}

static void test_priority_values(void **state) {
  (void)state;
  expect("", H2W_OK, 3, 0);
  expect("u=0", H2W_OK, 0, 0);
  expect("u=7", H2W_OK, 7, 0);
  expect("i", H2W_OK, 3, 1);
  expect("u=1, i", H2W_OK, 1, 1);
  expect("i, u=5", H2W_OK, 5, 1);
  expect("u=2,i=?0", H2W_OK, 2, 0);
  expect("u=2 ,\ti=?1", H2W_OK, 2, 1);
  expect("  u=4  ", H2W_OK, 4, 0);
  /* The last occurrence wins (RFC 8941 §3.2). */
  expect("u=1, u=6", H2W_OK, 6, 0);
  /* Out of range or of the wrong type: ignored, defaults kept. */
  expect("u=8", H2W_OK, 3, 0);
  expect("u=-1", H2W_OK, 3, 0);
  expect("u=12", H2W_OK, 3, 0);
  expect("u=?1", H2W_OK, 3, 0);
  expect("i=1", H2W_OK, 3, 0);
  expect("u=\"1\"", H2W_OK, 3, 0);
  /* Unknown keys, parameters, strings with commas, inner lists. */
  expect("x=\"a, u=0\", u=2", H2W_OK, 2, 0);
  expect("u=1;p=2, i;q", H2W_OK, 1, 1);
  expect("foo=(1 2 \"x,y\"), u=6", H2W_OK, 6, 0);
  expect("*k=1, u=0", H2W_OK, 0, 0);
}

static void test_priority_malformed(void **state) {
  static const char *const bad[] = {
      "U=1", "u=1,",   ",u=1",   "u=1 i", "u=1,,i",
      "1=u", "x=\"ab", "x=(1 2", "x=)",   "u=1;",
  };
  size_t k;
  (void)state;
  for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    expect(bad[k], H2W_E_PROTOCOL, 3, 0);
  }
  {
    int u, i;
    assert_int_equal(h2w_priority_parse(NULL, 1, &u, &i),
                     H2W_E_INVALID_ARGUMENT);
    assert_int_equal(h2w_priority_parse("u=1", 3, NULL, &i),
                     H2W_E_INVALID_ARGUMENT);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_priority_values),
      cmocka_unit_test(test_priority_malformed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
