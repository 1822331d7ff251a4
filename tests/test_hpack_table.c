/* src/hpack_table.c, the encoder's side: field keys (hashes computed once
 * per field), lookups by key, insertion by key, and their agreement with
 * the plain insert/find the decoder and older callers use; the inline
 * range compare shared with the static table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpack.h"

static size_t static_name_of(const uint8_t *name, size_t len) {
  size_t sname;
  (void)h2w_hpack_static_find(name, len, NULL, 0, &sname);
  return sname;
}

static void key_of(h2w_hpack_key *k, const char *name, const char *value) {
  const uint8_t *n = (const uint8_t *)name, *v = (const uint8_t *)value;
  h2w_hpack_key_init(k, n, strlen(name), v, strlen(value),
                     static_name_of(n, strlen(name)));
}

/* The hash must depend on every octet and on the length: a word-at-a-time
 * hash that skipped part of its tail would still give correct lookups
 * (matches are compared octet by octet) but long chains, so only the
 * hashes themselves can show it. */
static void test_key_hash_covers_every_octet(void **state) {
  uint8_t base[64], flip[64];
  size_t len, pos;
  unsigned bit;
  (void)state;
  for (pos = 0; pos < sizeof(base); pos++) {
    base[pos] = (uint8_t)('a' + pos % 26);
  }
  for (len = 0; len <= 40; len++) {
    h2w_hpack_key k, k2;
    h2w_hpack_key_init(&k, base, len, base, len, 0);
    /* One octet longer or shorter, same leading octets. */
    h2w_hpack_key_init(&k2, base, len + 1, base, len + 1, 0);
    assert_int_not_equal(k.hname, k2.hname);
    assert_int_not_equal(k.hnv, k2.hnv);
    for (pos = 0; pos < len; pos++) {
      for (bit = 0; bit < 8; bit += 7) {
        memcpy(flip, base, len);
        flip[pos] ^= (uint8_t)(1u << bit);
        h2w_hpack_key_init(&k2, flip, len, base, len, 0);
        assert_int_not_equal(k.hname, k2.hname);
        assert_int_not_equal(k.hnv, k2.hnv);
        h2w_hpack_key_init(&k2, base, len, flip, len, 0);
        assert_int_equal(k.hname, k2.hname);
        assert_int_not_equal(k.hnv, k2.hnv);
      }
    }
  }
}

/* The inline compare reads words, overlapping at the tail: every octet
 * must still count, at every length and offset. */
static void test_same_every_octet(void **state) {
  uint8_t a[48], b[48];
  size_t len, pos, off;
  (void)state;
  assert_true(h2w_hpack_same(NULL, NULL, 0));
  for (off = 0; off < 3; off++) {
    for (len = 0; len + off <= 40; len++) {
      for (pos = 0; pos < sizeof(a); pos++) {
        a[pos] = b[pos] = (uint8_t)(pos * 13 + 1);
      }
      assert_true(h2w_hpack_same(a + off, b + off, len));
      for (pos = 0; pos < len; pos++) {
        b[off + pos] ^= 0x80;
        assert_false(h2w_hpack_same(a + off, b + off, len));
        b[off + pos] ^= 0x80;
      }
      /* Octets outside the range do not count. */
      b[off + len] ^= 1;
      assert_true(h2w_hpack_same(a + off, b + off, len));
    }
  }
}

/* ("ab", "c") and ("a", "bc") are different fields. */
static void test_key_split_point_matters(void **state) {
  h2w_hpack_key a, b;
  (void)state;
  key_of(&a, "ab", "c");
  key_of(&b, "a", "bc");
  assert_int_not_equal(a.hnv, b.hnv);
  key_of(&a, "", "x");
  key_of(&b, "x", "");
  assert_int_not_equal(a.hnv, b.hnv);
}

static void test_key_lookups_and_insert(void **state) {
  h2w_alloc a;
  h2w_hpack_table t;
  h2w_hpack_key k;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  h2w_hpack_table_init(&t, 4096, 1);
  key_of(&k, "host", "example.com");
  assert_int_equal(h2w_hpack_table_find_field(&t, &k), 0);
  assert_int_equal(h2w_hpack_table_find_name(&t, &k), 0);
  /* A plain insert and a key lookup agree (static name, RFC 7541 A). */
  assert_int_equal(
      h2w_hpack_table_insert(&t, &a, k.name, k.namelen, k.value, k.valuelen),
      H2W_OK);
  assert_int_equal(h2w_hpack_table_find_field(&t, &k), 1);
  /* And the other way round, with a name outside the static table. */
  key_of(&k, "x-custom", "v1");
  assert_int_equal(h2w_hpack_table_insert_key(&t, &a, &k), H2W_OK);
  {
    size_t dn;
    assert_int_equal(h2w_hpack_table_find(&t, (const uint8_t *)"x-custom", 8,
                                          (const uint8_t *)"v1", 2, &dn),
                     1);
    assert_int_equal(dn, 1);
    assert_int_equal(h2w_hpack_table_find(&t, (const uint8_t *)"x-custom", 8,
                                          (const uint8_t *)"v2", 2, &dn),
                     0);
    assert_int_equal(dn, 1);
  }
  /* Newest first: the name index moves to the newer entry. */
  key_of(&k, "host", "other.example");
  assert_int_equal(h2w_hpack_table_find_field(&t, &k), 0);
  assert_int_equal(h2w_hpack_table_find_name(&t, &k), 2);
  assert_int_equal(h2w_hpack_table_insert_key(&t, &a, &k), H2W_OK);
  assert_int_equal(h2w_hpack_table_find_name(&t, &k), 1);
  key_of(&k, "host", "example.com");
  assert_int_equal(h2w_hpack_table_find_field(&t, &k), 3);
  /* Same length and name hash input length, different octets. */
  key_of(&k, "hosT", "example.com");
  assert_int_equal(h2w_hpack_table_find_name(&t, &k), 0);
  assert_int_equal(h2w_hpack_table_find_field(&t, &k), 0);
  /* Evicted entries drop out of every chain (RFC 7541 §4.4). */
  h2w_hpack_table_set_limit(&t, 4 + 13 + 32);
  key_of(&k, "host", "example.com");
  assert_int_equal(h2w_hpack_table_find_field(&t, &k), 0);
  assert_int_equal(h2w_hpack_table_find_name(&t, &k), 1);
  h2w_hpack_table_free(&t, &a);
  assert_int_equal(a.in_use, 0);
}

/* Many entries sharing names and buckets: every lookup still gives the
 * newest exact match (checked against a plain model of the insertions),
 * through ring growth and wrap-around. */
static const char *many_name(size_t i) {
  return i % 3 ? "accept" : "x-n";
}

static size_t many_value(size_t i) {
  return (i * 7) % 37;
}

static void test_key_many_entries(void **state) {
  h2w_alloc a;
  h2w_hpack_table t;
  char value[16];
  size_t i, j, k;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  h2w_hpack_table_init(&t, 2000, 1);
  for (i = 0; i < 500; i++) {
    h2w_hpack_key key;
    snprintf(value, sizeof(value), "%zu", many_value(i));
    key_of(&key, many_name(i), value);
    assert_int_equal(h2w_hpack_table_insert_key(&t, &a, &key), H2W_OK);
    for (j = 0; j < 37 * 2; j++) {
      const char *name = j % 2 ? "accept" : "x-n";
      size_t want = 0;
      for (k = 1; k <= h2w_hpack_table_count(&t) && want == 0; k++) {
        if (strcmp(many_name(i + 1 - k), name) == 0 &&
            many_value(i + 1 - k) == j / 2) {
          want = k;
        }
      }
      snprintf(value, sizeof(value), "%zu", j / 2);
      key_of(&key, name, value);
      assert_int_equal(h2w_hpack_table_find_field(&t, &key), want);
    }
  }
  assert_true(h2w_hpack_table_count(&t) > 40);
  h2w_hpack_table_free(&t, &a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_key_hash_covers_every_octet),
      cmocka_unit_test(test_same_every_octet),
      cmocka_unit_test(test_key_split_point_matters),
      cmocka_unit_test(test_key_lookups_and_insert),
      cmocka_unit_test(test_key_many_entries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
