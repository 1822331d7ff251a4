/* src/stream_map.c: the stream table against a plain reference array
 * under random inserts and deletes (backward-shift deletion must keep
 * every probe run reachable), growth, a failed growth leaving the table
 * unchanged, and the edge cases (id 0, absent ids, visiting). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "h2wire.h"
#include "mem.h"
#include "stream_map.h"
#include "test_alloc.h"
#include "test_split.h"

/* The value stored for an id: any distinct non-NULL pointer will do. */
static char cells[4096];
static void *value_of(uint32_t id) {
  return &cells[id % sizeof(cells)];
}

typedef struct visit {
  size_t count;
} visit;

static void count_cb(void *value, void *arg) {
  visit *v = arg;
  assert_non_null(value);
  v->count++;
}

static void test_map_edges(void **state) {
  h2w_test_alloc c;
  h2w_alloc a;
  h2w_stream_map m;
  visit v = {0};
  (void)state;
  h2w_test_alloc_init(&c);
  assert_int_equal(h2w_alloc_init(&a, &c.mem), H2W_OK);
  h2w_stream_map_init(&m, &a);
  /* Empty: nothing found, nothing visited, nothing allocated. */
  assert_null(h2w_stream_map_get(&m, 1));
  assert_null(h2w_stream_map_del(&m, 1));
  h2w_stream_map_each(&m, count_cb, &v);
  assert_int_equal(v.count, 0);
  assert_int_equal(c.mallocs, 0);
  assert_int_equal(h2w_stream_map_put(&m, 7, value_of(7)), H2W_OK);
  assert_ptr_equal(h2w_stream_map_get(&m, 7), value_of(7));
  /* Stream 0 is never stored: never found either. */
  assert_null(h2w_stream_map_get(&m, 0));
  assert_null(h2w_stream_map_del(&m, 0));
  assert_null(h2w_stream_map_del(&m, 9));
  assert_ptr_equal(h2w_stream_map_del(&m, 7), value_of(7));
  assert_null(h2w_stream_map_get(&m, 7));
  assert_int_equal(m.len, 0);
  h2w_stream_map_free(&m);
  assert_int_equal(c.live, 0);
  assert_int_equal(c.bytes, 0);
}

/* Random puts and deletes of ids from a small range (long probe runs and
 * many wrap-arounds), checked against a reference after every step. */
static void test_map_random_against_reference(void **state) {
  enum { RANGE = 700 };
  static uint8_t present[RANGE + 1];
  h2w_test_alloc c;
  h2w_alloc a;
  h2w_stream_map m;
  uint32_t seed = 0x12345678u;
  size_t len = 0;
  int step;
  (void)state;
  memset(present, 0, sizeof(present));
  h2w_test_alloc_init(&c);
  assert_int_equal(h2w_alloc_init(&a, &c.mem), H2W_OK);
  h2w_stream_map_init(&m, &a);
  for (step = 0; step < 60000; step++) {
    uint32_t id = 1 + h2w_test_rng(&seed) % RANGE;
    /* Mostly inserts early on, then balanced churn. */
    int insert = (h2w_test_rng(&seed) % 100) < (step < 20000 ? 70u : 50u);
    if (insert && !present[id]) {
      assert_int_equal(h2w_stream_map_put(&m, id, value_of(id)), H2W_OK);
      present[id] = 1;
      len++;
    } else if (!insert) {
      void *got = h2w_stream_map_del(&m, id);
      if (present[id]) {
        assert_ptr_equal(got, value_of(id));
        present[id] = 0;
        len--;
      } else {
        assert_null(got);
      }
    }
    assert_int_equal(m.len, len);
    if (step % 97 == 0 || step > 59000) {
      uint32_t k;
      visit v = {0};
      for (k = 1; k <= RANGE; k++) {
        void *got = h2w_stream_map_get(&m, k);
        if (present[k]) {
          assert_ptr_equal(got, value_of(k));
        } else {
          assert_null(got);
        }
      }
      h2w_stream_map_each(&m, count_cb, &v);
      assert_int_equal(v.count, len);
      assert_true(len * 4 <= m.cap * 3);
    }
  }
  h2w_stream_map_free(&m);
  assert_int_equal(c.live, 0);
}

/* Stream ids as they come (odd, increasing), many open at once: a table
 * of 1000 costs 12 octets per slot and stays under 3/4 full. */
static void test_map_growth_and_size(void **state) {
  h2w_test_alloc c;
  h2w_alloc a;
  h2w_stream_map m;
  uint32_t id;
  (void)state;
  h2w_test_alloc_init(&c);
  assert_int_equal(h2w_alloc_init(&a, &c.mem), H2W_OK);
  h2w_stream_map_init(&m, &a);
  for (id = 1; id < 2000; id += 2) {
    assert_int_equal(h2w_stream_map_put(&m, id, value_of(id)), H2W_OK);
  }
  assert_int_equal(m.len, 1000);
  assert_int_equal(m.cap, 2048);
  assert_int_equal(c.bytes, 2048 * (sizeof(void *) + sizeof(uint32_t)));
  assert_int_equal(c.live, 1);
  for (id = 1; id < 2000; id += 2) {
    assert_ptr_equal(h2w_stream_map_get(&m, id), value_of(id));
    assert_null(h2w_stream_map_get(&m, id + 1));
  }
  h2w_stream_map_free(&m);
  assert_int_equal(c.live, 0);
}

/* A put that must grow and cannot: H2W_E_NOMEM, and the table is exactly
 * as before (everything still found, the new id absent); the same put
 * works once memory is back. */
static void test_map_grow_nomem(void **state) {
  h2w_test_alloc c;
  h2w_alloc a;
  h2w_stream_map m;
  uint32_t id;
  (void)state;
  h2w_test_alloc_init(&c);
  assert_int_equal(h2w_alloc_init(&a, &c.mem), H2W_OK);
  h2w_stream_map_init(&m, &a);
  c.fail_all = 1;
  assert_int_equal(h2w_stream_map_put(&m, 1, value_of(1)), H2W_E_NOMEM);
  assert_int_equal(m.len, 0);
  assert_null(h2w_stream_map_get(&m, 1));
  c.fail_all = 0;
  for (id = 1; id <= 12; id++) { /* 12 = 3/4 of the first 16 slots */
    assert_int_equal(h2w_stream_map_put(&m, id, value_of(id)), H2W_OK);
  }
  assert_int_equal(m.cap, 16);
  c.fail_all = 1;
  assert_int_equal(h2w_stream_map_put(&m, 13, value_of(13)), H2W_E_NOMEM);
  assert_int_equal(m.cap, 16);
  assert_int_equal(m.len, 12);
  for (id = 1; id <= 12; id++) {
    assert_ptr_equal(h2w_stream_map_get(&m, id), value_of(id));
  }
  assert_null(h2w_stream_map_get(&m, 13));
  c.fail_all = 0;
  assert_int_equal(h2w_stream_map_put(&m, 13, value_of(13)), H2W_OK);
  assert_int_equal(m.cap, 32);
  for (id = 1; id <= 13; id++) {
    assert_ptr_equal(h2w_stream_map_get(&m, id), value_of(id));
  }
  h2w_stream_map_free(&m);
  assert_int_equal(c.live, 0);
}

/* Ids that differ only in their high bits (here spaced 2^17 apart, which
 * RFC 9113 §5.1.1 allows a peer: ids need only increase) must spread over
 * the table like sequential ones. A hash that keeps the low bits of the
 * product put all 16,000 in a few dozen home slots; the probe count is a
 * statistic of the map, so this is not a timed test. */
static void test_map_ids_spaced_2_17_stay_spread(void **state) {
  h2w_test_alloc c;
  h2w_alloc a;
  h2w_stream_map m;
  uint32_t k, id;
  size_t total = 0, worst = 0, n;
  const uint32_t count = 16000;
  (void)state;
  h2w_test_alloc_init(&c);
  assert_int_equal(h2w_alloc_init(&a, &c.mem), H2W_OK);
  h2w_stream_map_init(&m, &a);
  for (k = 0; k < count; k++) {
    id = 1u + (k << 17);
    assert_int_equal(h2w_stream_map_put(&m, id, value_of(id)), H2W_OK);
  }
  for (k = 0; k < count; k++) {
    id = 1u + (k << 17);
    assert_ptr_equal(h2w_stream_map_get(&m, id), value_of(id));
    n = h2w_stream_map_probes(&m, id);
    total += n;
    worst = n > worst ? n : worst;
  }
  /* Linear probing at load <= 3/4 with a good spread: about 2.5 slots
   * per successful lookup on average, runs of a few dozen at most. */
  assert_true(total <= (size_t)count * 4);
  assert_true(worst <= 64);
  /* The same bound for absent ids in between. */
  assert_true(h2w_stream_map_probes(&m, 3) <= 64);
  h2w_stream_map_free(&m);
  assert_int_equal(c.live, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_map_edges),
      cmocka_unit_test(test_map_random_against_reference),
      cmocka_unit_test(test_map_growth_and_size),
      cmocka_unit_test(test_map_grow_nomem),
      cmocka_unit_test(test_map_ids_spaced_2_17_stay_spread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
