/* src/mem.c: hook dispatch, sized accounting and the budget. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "mem.h"
#include "test_alloc.h"

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
  h2w_test_alloc c;
  h2w_mem m;
  (void)state;
  h2w_test_alloc_init(&c);
  m = c.mem;
  m.realloc_fn = NULL;
  assert_int_equal(h2w_alloc_init(&a, &m), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_alloc_init(NULL, NULL), H2W_E_INVALID_ARGUMENT);
}

static void test_hooks_and_accounting(void **state) {
  h2w_test_alloc c;
  h2w_alloc a;
  unsigned char *p;
  (void)state;
  h2w_test_alloc_init(&c);
  assert_int_equal(h2w_alloc_init(&a, &c.mem), H2W_OK);
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
  h2w_test_alloc c;
  h2w_alloc a;
  void *p, *q;
  (void)state;
  h2w_test_alloc_init(&c);
  assert_int_equal(h2w_alloc_init(&a, &c.mem), H2W_OK);
  c.fail_at = 1;
  assert_null(h2w_alloc_malloc(&a, 8));
  assert_int_equal(a.in_use, 0);
  p = h2w_alloc_malloc(&a, 8);
  c.fail_at = 3;
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

typedef struct boxed {
  int payload;
  h2w_alloc alloc;
} boxed;

static void test_box_carries_its_allocator(void **state) {
  h2w_test_alloc c;
  boxed *b;
  int err = 1;
  (void)state;
  h2w_test_alloc_init(&c);
  b = h2w_alloc_box(&c.mem, sizeof(*b), offsetof(boxed, alloc), &err);
  assert_non_null(b);
  assert_int_equal(err, H2W_OK);
  /* The stored allocator counts the box itself and reaches c's hooks. */
  assert_int_equal(b->alloc.in_use, sizeof(*b));
  assert_ptr_equal(b->alloc.hooks.user, &c);
  assert_int_equal(c.live, 1);
  h2w_alloc_unbox(b, sizeof(*b), offsetof(boxed, alloc));
  assert_int_equal(c.live, 0);
  assert_int_equal(c.bytes, 0);
  h2w_alloc_unbox(NULL, sizeof(*b), offsetof(boxed, alloc));
}

static void test_box_failures(void **state) {
  h2w_test_alloc c;
  h2w_mem bad;
  int err = 0;
  (void)state;
  h2w_test_alloc_init(&c);
  c.fail_at = 1;
  assert_null(
      h2w_alloc_box(&c.mem, sizeof(boxed), offsetof(boxed, alloc), &err));
  assert_int_equal(err, H2W_E_NOMEM);
  assert_int_equal(c.live, 0);
  bad = c.mem;
  bad.free_fn = NULL;
  assert_null(h2w_alloc_box(&bad, sizeof(boxed), offsetof(boxed, alloc), &err));
  assert_int_equal(err, H2W_E_INVALID_ARGUMENT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults_when_null),
      cmocka_unit_test(test_missing_hook_rejected),
      cmocka_unit_test(test_hooks_and_accounting),
      cmocka_unit_test(test_failures_leave_state),
      cmocka_unit_test(test_budget),
      cmocka_unit_test(test_array_overflow),
      cmocka_unit_test(test_box_carries_its_allocator),
      cmocka_unit_test(test_box_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
