/* src/mem.c: hook dispatch, sized accounting and the budget. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "mem.h"

typedef struct counting {
  int mallocs, reallocs, frees;
  int fail_next;
} counting;

static void *c_malloc(size_t n, void *user) {
  counting *c = user;
  if (c->fail_next) {
    c->fail_next = 0;
    return NULL;
  }
  c->mallocs++;
  return malloc(n);
}

static void *c_realloc(void *p, size_t n, void *user) {
  counting *c = user;
  if (c->fail_next) {
    c->fail_next = 0;
    return NULL;
  }
  c->reallocs++;
  return realloc(p, n);
}

static void c_free(void *p, void *user) {
  counting *c = user;
  if (p != NULL) {
    c->frees++;
  }
  free(p);
}

static void test_defaults_when_null(void **state) {
  h2w_alloc a;
  void *p;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  p = h2w_alloc_malloc(&a, 100);
  assert_non_null(p);
  assert_int_equal(a.in_use, 100);
  h2w_alloc_free(&a, p, 100);
  assert_int_equal(a.in_use, 0);
  assert_int_equal(a.peak, 100);
}

static void test_missing_hook_rejected(void **state) {
  h2w_alloc a;
  h2w_mem m = {c_malloc, NULL, c_free, NULL};
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, &m), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_alloc_init(NULL, NULL), H2W_E_INVALID_ARGUMENT);
}

static void test_hooks_and_accounting(void **state) {
  counting c = {0, 0, 0, 0};
  h2w_mem m = {c_malloc, c_realloc, c_free, &c};
  h2w_alloc a;
  unsigned char *p;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, &m), H2W_OK);
  p = h2w_alloc_malloc(&a, 10);
  assert_non_null(p);
  p = h2w_alloc_realloc(&a, p, 10, 40);
  assert_non_null(p);
  assert_int_equal(a.in_use, 40);
  p = h2w_alloc_realloc(&a, p, 40, 20);
  assert_non_null(p);
  assert_int_equal(a.in_use, 20);
  assert_int_equal(a.peak, 40);
  h2w_alloc_free(&a, p, 20);
  h2w_alloc_free(&a, NULL, 0);
  assert_int_equal(a.in_use, 0);
  assert_int_equal(c.mallocs, 1);
  assert_int_equal(c.reallocs, 2);
  assert_int_equal(c.frees, 1);
}

static void test_failures_leave_state(void **state) {
  counting c = {0, 0, 0, 0};
  h2w_mem m = {c_malloc, c_realloc, c_free, &c};
  h2w_alloc a;
  void *p, *q;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, &m), H2W_OK);
  c.fail_next = 1;
  assert_null(h2w_alloc_malloc(&a, 8));
  assert_int_equal(a.in_use, 0);
  p = h2w_alloc_malloc(&a, 8);
  c.fail_next = 1;
  q = h2w_alloc_realloc(&a, p, 8, 64);
  assert_null(q);
  assert_int_equal(a.in_use, 8);
  assert_null(h2w_alloc_malloc(&a, 0));
  assert_null(h2w_alloc_realloc(&a, p, 8, 0));
  h2w_alloc_free(&a, p, 8);
}

static void test_budget(void **state) {
  h2w_alloc a;
  void *p, *q;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  a.budget = 100;
  p = h2w_alloc_malloc(&a, 60);
  assert_non_null(p);
  assert_null(h2w_alloc_malloc(&a, 41));
  q = h2w_alloc_malloc(&a, 40);
  assert_non_null(q);
  assert_null(h2w_alloc_realloc(&a, q, 40, 41));
  assert_int_equal(a.in_use, 100);
  h2w_alloc_free(&a, q, 40);
  h2w_alloc_free(&a, p, 60);
  assert_null(h2w_alloc_malloc(&a, 101));
}

static void test_array_overflow(void **state) {
  h2w_alloc a;
  void *p;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  assert_null(h2w_alloc_array(&a, SIZE_MAX / 2, 4));
  p = h2w_alloc_array(&a, 4, 8);
  assert_non_null(p);
  h2w_alloc_free(&a, p, 32);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults_when_null),
      cmocka_unit_test(test_missing_hook_rejected),
      cmocka_unit_test(test_hooks_and_accounting),
      cmocka_unit_test(test_failures_leave_state),
      cmocka_unit_test(test_budget),
      cmocka_unit_test(test_array_overflow),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
