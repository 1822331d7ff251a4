/* src/error.c and src/version.c: the names of the three value spaces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "h2wire.h"

static void test_library_errors(void **state) {
  int e;
  (void)state;
  assert_string_equal(h2w_error_name(H2W_OK), "H2W_OK");
  assert_string_equal(h2w_error_name(H2W_E_NOMEM), "H2W_E_NOMEM");
  assert_string_equal(h2w_strerror(H2W_E_NOMEM), "out of memory");
  assert_string_equal(h2w_error_name(-9999), "H2W_E_UNKNOWN");
  assert_string_equal(h2w_strerror(12345), "unknown error");
  /* Every code from OK down to TIMEOUT has its own name and text. */
  for (e = H2W_OK; e >= H2W_E_TIMEOUT; e--) {
    assert_string_not_equal(h2w_error_name(e), "H2W_E_UNKNOWN");
    assert_string_not_equal(h2w_strerror(e), "unknown error");
  }
}

static void test_wire_errors(void **state) {
  (void)state;
  assert_string_equal(h2w_http2_error_name(H2W_NO_ERROR), "NO_ERROR");
  assert_string_equal(h2w_http2_error_name(H2W_ENHANCE_YOUR_CALM),
                      "ENHANCE_YOUR_CALM");
  assert_string_equal(h2w_http2_error_name(H2W_HTTP_1_1_REQUIRED),
                      "HTTP_1_1_REQUIRED");
  assert_string_equal(h2w_http2_error_name(0xeu), "UNKNOWN_ERROR");
  assert_string_equal(h2w_http2_error_name(0xffffffffu), "UNKNOWN_ERROR");
}

static void test_version(void **state) {
  int major = -1, minor = -1, patch = -1;
  const char *v;
  (void)state;
  v = h2w_version(&major, &minor, &patch);
  assert_string_equal(v, H2W_VERSION_STRING);
  assert_int_equal(major, H2W_VERSION_MAJOR);
  assert_int_equal(minor, H2W_VERSION_MINOR);
  assert_int_equal(patch, H2W_VERSION_PATCH);
  assert_string_equal(h2w_version(NULL, NULL, NULL), v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_library_errors),
      cmocka_unit_test(test_wire_errors),
      cmocka_unit_test(test_version),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
